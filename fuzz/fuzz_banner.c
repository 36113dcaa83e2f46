/* fuzz_banner.c: libFuzzer harness for banner_insert (src/milter/banner.c)
 * and the quoted-printable/base64 codecs under it (src/milter/codec.c).
 *
 * The input is a raw message. Checked beyond ASan/UBSan:
 *  - the body is untouched on failure, and on success some part took the
 *    banner or a banner part of our own was added (every alternative and
 *    every inline text part the reader shows takes it, so several may);
 *  - without base64 parts (which are re-encoded) the old body is a
 *    subsequence of the new one: only insertions happened;
 *  - the new message takes the banner again in the same parts, so the
 *    structure the first pass found is still there;
 *  - quoted-printable offsets are monotonic and inside the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "milter/banner.h"
#include "milter/codec.h"
#include "util/buf.h"

static const struct banner b = {"B \xc3\xa9\n", "<b>\xc3\xa9</b>\n"};

static int subsequence(const char *small, size_t n, const char *big, size_t m)
{
	size_t i = 0;

	for (size_t j = 0; j < m && i < n; j++)
		if (big[j] == small[i])
			i++;
	return i == n;
}

static int mentions_base64(const uint8_t *d, size_t n)
{
	for (size_t i = 0; i + 6 <= n; i++)
		if (strncasecmp((const char *)d + i, "base64", 6) == 0)
			return 1;
	return 0;
}

static void check_qp(const char *s, size_t n)
{
	struct buf d;
	size_t len, prev = 0;

	buf_init(&d);
	len = codec_qp_decode(s, n, &d);
	for (size_t k = 0; k <= len; k += len / 7 + 1) {
		size_t at = codec_qp_offset(s, n, k);

		if (at > n || at < prev)
			abort();
		prev = at;
	}
	buf_cleanup(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *msg = (const char *)data;
	struct banner_result r1, r2;
	struct buf out, again, whole;
	enum lg_status rc;
	size_t at;

	check_qp(msg, size);
	buf_init(&out);
	buf_init(&again);
	buf_init(&whole);
	rc = banner_insert(msg, size, &b, &out, &r1);
	if (rc) {
		if (out.len)
			abort();
		goto out;
	}
	if (r1.text_parts + r1.html_parts == 0 && !r1.banner_part)
		abort();
	at = banner_body_offset(msg, size);
	if (!mentions_base64(data, size) && !subsequence(msg + at, size - at, out.data, out.len))
		abort();
	buf_append(&whole, msg, at);
	buf_append(&whole, out.data, out.len);
	/* a banner part of our own is one more part the second pass may banner */
	if (!r1.banner_part && (banner_insert(whole.data, whole.len, &b, &again, &r2) != LG_OK ||
				r2.text_parts != r1.text_parts || r2.html_parts != r1.html_parts))
		abort();
out:
	buf_cleanup(&out);
	buf_cleanup(&again);
	buf_cleanup(&whole);
	return 0;
}
