/* normal.c: see normal.h. Unicode normalisation per UAX #15 (ICU unorm2,
 * NFKD), case folding per Unicode CaseFolding.txt (ICU u_strFoldCase),
 * Default_Ignorable_Code_Point per UAX #44, confusables a subset of UTS #39. */
#include <ctype.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>
#include <unicode/utf16.h>

#include "detect/normal.h"
#include "detect/urgency.h"
#include "util/alloc.h"
#include "util/arena.h"

/* Cyrillic and Greek small letters drawn like Latin ones (after case
 * folding, so small letters only), from UTS #39 confusables.txt. */
static const struct {
	UChar32 from;
	char to;
} confusables[] = {
	{0x0430, 'a'}, {0x0435, 'e'}, {0x043e, 'o'}, {0x0440, 'p'}, {0x0441, 'c'}, {0x0443, 'y'},
	{0x0445, 'x'}, {0x0455, 's'}, {0x0456, 'i'}, {0x0458, 'j'}, {0x04bb, 'h'}, {0x0501, 'd'},
	{0x051b, 'q'}, {0x051d, 'w'}, {0x03b1, 'a'}, {0x03b9, 'i'}, {0x03ba, 'k'}, {0x03bd, 'v'},
	{0x03bf, 'o'}, {0x03c1, 'p'}, {0x03c5, 'u'}, {0x03f2, 'c'}, {0x0131, 'i'}, {0x0251, 'a'},
	{0x0261, 'g'}, {0x0269, 'i'},
};

static char confusable_of(UChar32 c)
{
	for (size_t i = 0; i < sizeof(confusables) / sizeof(confusables[0]); i++)
		if (confusables[i].from == c)
			return confusables[i].to;
	return 0;
}

static bool is_styled(UChar32 c)
{
	return (c >= 0x1d400 && c <= 0x1d7ff) || /* Mathematical Alphanumeric Symbols */
	       (c >= 0xff01 && c <= 0xff5e) ||   /* full-width ASCII */
	       (c >= 0x24b6 && c <= 0x24e9) ||   /* circled Latin letters */
	       (c >= 0x1f130 && c <= 0x1f189) || /* squared and negative squared letters */
	       (c >= 0x1f1e6 && c <= 0x1f1ff) || /* regional indicators used as letters */
	       (c >= 0x0332 && c <= 0x0338) ||   /* combining underlines and overlays: C̷a̷r̷ */
	       (c >= 0x033d && c <= 0x036f) ||   /* combining marks no language spells with: S͎a͎v͎ */
	       (c >= 0x20dd && c <= 0x20e4);     /* combining enclosing circles and squares */
}

static bool is_bidi(UChar32 c)
{
	return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f;
}

/* Ignorables that belong to emoji and hyphenation, not to hiding: the
 * zero-width joiner, variation selectors, tag characters, soft hyphen. */
static bool emoji_part(UChar32 c)
{
	return c == 0x200d || c == 0x00ad || (c >= 0xfe00 && c <= 0xfe0f) || (c >= 0xe0000 && c <= 0xe0fff);
}

static char *fold_ascii(const char *text, size_t len, size_t *out_len)
{
	char *out = lg_malloc(len + 1);

	/* the fold the phrase lists were written for, without ICU's part */
	*out_len = urgency_fold(text, len, out);
	return out;
}

/* Runs an ICU string transformation into a buffer it grows as needed. */
typedef int32_t (*u_transform)(const void *ctx, const UChar *src, int32_t n, UChar *dst, int32_t cap,
			       UErrorCode *ec);

static int32_t nfkd(const void *ctx, const UChar *src, int32_t n, UChar *dst, int32_t cap, UErrorCode *ec)
{
	return unorm2_normalize(ctx, src, n, dst, cap, ec);
}

static int32_t fold_case(const void *ctx, const UChar *src, int32_t n, UChar *dst, int32_t cap, UErrorCode *ec)
{
	(void)ctx;
	return u_strFoldCase(dst, cap, src, n, U_FOLD_CASE_DEFAULT, ec);
}

static UChar *transform(u_transform fn, const void *ctx, const UChar *src, int32_t n, int32_t *out_n)
{
	int32_t cap = n * 2 + 16;
	UChar *dst = lg_malloc((size_t)cap * sizeof(UChar));
	UErrorCode ec = U_ZERO_ERROR;
	int32_t got = fn(ctx, src, n, dst, cap, &ec);

	if (ec == U_BUFFER_OVERFLOW_ERROR) {
		lg_free(dst);
		cap = got + 1;
		dst = lg_malloc((size_t)cap * sizeof(UChar));
		ec = U_ZERO_ERROR;
		got = fn(ctx, src, n, dst, cap, &ec);
	}
	if (U_FAILURE(ec)) {
		lg_free(dst);
		return NULL;
	}
	*out_n = got;
	return dst;
}

static void count_source(const UChar *u, int32_t n, struct normal_stats *st)
{
	for (int32_t i = 0; i < n;) {
		UChar32 c;

		U16_NEXT(u, i, n, c);
		if (is_styled(c))
			st->styled++;
		if (u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT) && !emoji_part(c)) {
			st->invisible++;
			if (is_bidi(c))
				st->bidi++;
		}
	}
}

static bool ascii_letter(UChar32 c)
{
	return c < 0x80 && isalpha((int)c);
}

/* The last step: marks and ignorables out, confusables in, spaces collapsed. */
static char *emit(const UChar *u, int32_t n, size_t *out_len, struct normal_stats *st)
{
	size_t cap = (size_t)n * 4 + 1, k = 0;
	char *out = lg_malloc(cap);
	bool space = false, prev_latin = false, latin;

	for (int32_t i = 0; i < n;) {
		UChar32 c, next = 0;
		char conf;

		U16_NEXT(u, i, n, c);
		if (u_charType(c) == U_NON_SPACING_MARK || u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
			continue;
		if (c < 0x80 ? isspace((int)c) : u_isUWhiteSpace(c)) {
			space = k > 0;
			prev_latin = false;
			continue;
		}
		if (space) {
			out[k++] = ' ';
			space = false;
		}
		if (c == 0x2019 || c == 0x2018)
			c = '\'';
		conf = c >= 0x80 ? confusable_of(c) : 0;
		/* Latin on either side: a disguise. Cyrillic words stay Cyrillic
		 * (their look-alike letters fold, but they are not counted). */
		latin = ascii_letter(c);
		if (conf) {
			if (i < n)
				U16_GET(u, 0, i, n, next);
			if (st && (prev_latin || ascii_letter(next)))
				st->homoglyphs++;
			c = (UChar32)conf;
		}
		prev_latin = latin;
		U8_APPEND_UNSAFE(out, k, c);
	}
	out[k] = '\0';
	*out_len = k;
	return out;
}

char *normal_fold(const char *text, size_t len, size_t *out_len, struct normal_stats *st)
{
	UErrorCode ec = U_ZERO_ERROR;
	const UNormalizer2 *nf;
	UChar *src = NULL, *dec = NULL, *folded = NULL;
	int32_t n = 0, ndec = 0, nfolded = 0;
	char *out = NULL;
	size_t i;

	for (i = 0; i < len && (unsigned char)text[i] < 0x80; i++)
		;
	if (i == len)
		return fold_ascii(text, len, out_len);
	nf = unorm2_getNFKDInstance(&ec);
	if (U_FAILURE(ec) || len > INT32_MAX / 4)
		return fold_ascii(text, len, out_len);
	src = lg_malloc((len + 1) * sizeof(UChar));
	u_strFromUTF8WithSub(src, (int32_t)len + 1, &n, text, (int32_t)len, 0xfffd, NULL, &ec);
	if (U_FAILURE(ec))
		goto out;
	if (st)
		count_source(src, n, st);
	dec = transform(nfkd, nf, src, n, &ndec);
	if (dec)
		folded = transform(fold_case, NULL, dec, ndec, &nfolded);
	if (folded)
		out = emit(folded, nfolded, out_len, st);
out:
	lg_free(src);
	lg_free(dec);
	lg_free(folded);
	return out ? out : fold_ascii(text, len, out_len);
}

static const char *fold_into(struct arena *a, const char *s, size_t len, size_t *n, struct normal_stats *st)
{
	char *f = normal_fold(s, len, n, st);

	return arena_move(a, f, *n + 1);
}

void normal_message(const struct mail_message *msg, struct detect_text *out)
{
	struct arena *a = msg->arena;
	size_t nt, nh;
	const char *text, *html;
	char *all;

	memset(out, 0, sizeof(*out));
	out->subject = fold_into(a, msg->subject, strlen(msg->subject), &out->subject_len, &out->subject_st);
	out->name = fold_into(a, msg->from.display, strlen(msg->from.display), &out->name_len, &out->name_st);
	text = fold_into(a, msg->text ? msg->text : "", msg->text ? msg->text_len : 0, &nt, &out->body_st);
	html = fold_into(a, msg->html_text ? msg->html_text : "", msg->html_text ? msg->html_text_len : 0, &nh,
			 &out->body_st);
	/* The display name last: lures write "Conta bloqueada" there too. */
	all = arena_alloc(a, out->subject_len + nt + nh + out->name_len + 4);
	memcpy(all, out->subject, out->subject_len);
	all[out->subject_len] = '\n';
	memcpy(all + out->subject_len + 1, text, nt);
	all[out->subject_len + 1 + nt] = '\n';
	memcpy(all + out->subject_len + 2 + nt, html, nh);
	all[out->subject_len + 2 + nt + nh] = '\n';
	memcpy(all + out->subject_len + 3 + nt + nh, out->name, out->name_len);
	out->all = all;
	out->all_len = out->subject_len + nt + nh + out->name_len + 3;
}
