/* obfuscation.c: signs that the text hides from filters — styled Unicode
 * letters in the subject or sender name (𝗬𝗼𝘂𝗿 𝗺𝗲𝗺𝗯𝗲𝗿𝘀𝗵𝗶𝗽), zero-width and
 * bidi controls splitting words, Cyrillic or Greek letters posing as Latin
 * ones (UTS #39 mixed-script confusables), and sender names padded with
 * stray punctuation or a random tag ("Albert-Heijn Cadeaucentrum!. .ZYIVB"),
 * and archives locked with a password the mail itself gives.
 * The counts come from the one folding of the text (normal.c). */
#include <ctype.h>
#include <string.h>

#include "detect/env.h"
#include "detect/normal.h"

/* Styled letters that spell something: three or more. */
#define STYLED_MIN 3
/* Zero-width characters in a body: a few can be an editor's; many split words. */
#define BODY_INVISIBLE_MIN 8

/* "Cadeaucentrum!. .ZYIVB", "Sams Club ,_", "Edeka gift card,": the name
 * ends in stray punctuation, or in a capital-letter tag after a run of
 * punctuation. Returns what was found for the sentence, or NULL. */
static const char *name_noise(const char *name)
{
	size_t n = strlen(name), end, start, punct = 0;

	while (n && isspace((unsigned char)name[n - 1]))
		n--;
	if (n < 2)
		return NULL;
	if (name[n - 1] == ',' || name[n - 1] == '_' || name[n - 1] == '|')
		return "ends in stray punctuation";
	end = n;
	start = end;
	while (start && (isupper((unsigned char)name[start - 1]) || isdigit((unsigned char)name[start - 1])))
		start--;
	if (end - start < 4 || end - start > 10 || start == 0)
		return NULL;
	for (size_t i = start; i > 0 && start - i < 5; i--) {
		unsigned char c = (unsigned char)name[i - 1];

		if (ispunct(c))
			punct++;
		else if (!isspace(c))
			break;
	}
	return punct >= 2 ? "ends in a random tag after stray punctuation" : NULL;
}

/* "password: 4471", "Passwort lautet 4471", "senha: 4471": the word for a
 * password, then (after ':', '=', "is", "lautet", ...) one short token.
 * Returns the token, arena-owned, or NULL. */
static const char *archive_password(struct arena *a, const char *text, size_t len)
{
	static const char *const cues[] = {
		"password", "passwort", "kennwort", "senha", "contrasena", "mot de passe", "wachtwoord",
		"parola d'ordine", "pwd", NULL,
	};
	static const char *const links[] = {"is", "lautet", "ist", "e", "es", "est", "eh", ":", "=", NULL};

	for (int i = 0; cues[i]; i++) {
		size_t cn = strlen(cues[i]);

		for (const char *p = text; (p = memmem(p, len - (size_t)(p - text), cues[i], cn)); p += cn) {
			const char *q = p + cn, *end;
			bool linked = false;

			/* "lautet: ", "is: ": up to two joining words or signs */
			for (int round = 0; round < 2; round++) {
				while (*q == ' ')
					q++;
				for (int k = 0; links[k]; k++) {
					size_t ln = strlen(links[k]);

					if (strncmp(q, links[k], ln) == 0 && (!isalpha((unsigned char)links[k][0]) ||
									     !isalnum((unsigned char)q[ln]))) {
						q += ln;
						linked = true;
						break;
					}
				}
			}
			while (*q == ' ' || *q == '"' || *q == '\'')
				q++;
			for (end = q; *end && !isspace((unsigned char)*end) && *end != '"' && *end != '\''; end++)
				;
			while (end > q && (end[-1] == '.' || end[-1] == ','))
				end--;
			/* a digit: "password is required" names no password */
			if (linked && end - q >= 3 && end - q <= 24 && strpbrk(arena_strndup(a, q, (size_t)(end - q)), "0123456789"))
				return arena_strndup(a, q, (size_t)(end - q));
		}
	}
	return NULL;
}

void detect_obfuscation(const struct detect_env *env, const struct mail_message *msg,
			const struct detect_facts *facts, struct signal_list *out)
{
	const struct detect_text *t = facts->text;
	const char *noise, *password;

	(void)env;
	if (t->subject_st.styled >= STYLED_MIN)
		signal_add(out, SIG_STYLED_TEXT, 1.0,
			   "The subject is written in styled Unicode letters (it reads '%s'), a trick to slip past filters; ordinary mail uses plain letters.",
			   t->subject);
	else if (t->name_st.styled >= STYLED_MIN)
		signal_add(out, SIG_STYLED_TEXT, 1.0,
			   "The sender's name is written in styled Unicode letters (it reads '%s'), a trick to slip past filters.",
			   t->name);
	if (t->subject_st.invisible + t->name_st.invisible > 0)
		signal_add(out, SIG_INVISIBLE_CHARACTERS, 1.0,
			   "The %s holds %u invisible characters (zero-width or direction controls) that split words so filters miss them.",
			   t->subject_st.invisible ? "subject" : "sender's name",
			   t->subject_st.invisible ? t->subject_st.invisible : t->name_st.invisible);
	else if (t->body_st.bidi > 0 || t->body_st.invisible >= BODY_INVISIBLE_MIN)
		signal_add(out, SIG_INVISIBLE_CHARACTERS, t->body_st.bidi ? 1.0 : 0.7,
			   "The text holds %u invisible characters (zero-width or direction controls) that split words so filters miss them.",
			   t->body_st.invisible);
	if (t->subject_st.homoglyphs + t->name_st.homoglyphs > 0 || t->body_st.homoglyphs >= 2)
		signal_add(out, SIG_HOMOGLYPH_TEXT, 1.0,
			   "Words in the %s mix Latin with Cyrillic or Greek letters that look the same (%u of them), so they read as one thing and match as another.",
			   t->subject_st.homoglyphs ? "subject" : t->name_st.homoglyphs ? "sender's name" : "text",
			   t->subject_st.homoglyphs + t->name_st.homoglyphs + t->body_st.homoglyphs);
	if (signal_has(out, SIG_ATTACH_ARCHIVE) && (password = archive_password(msg->arena, t->all, t->all_len)))
		signal_add(out, SIG_ARCHIVE_PASSWORD_IN_BODY, 1.0,
			   "The attached archive comes with its password in the mail ('%s'): it is locked so that virus scanners cannot look inside, and only you can open it.",
			   password);
	if (msg->has_from && (noise = name_noise(msg->from.display)))
		signal_add(out, SIG_DISPLAY_NAME_NOISE, 1.0,
			   "The sender's name '%s' %s, as bulk senders make each name unique to slip past filters.",
			   msg->from.display, noise);
}
