/* attachments.c: dangerous attachments — programs and scripts, names that
 * hide their real type ("invoice.pdf.exe"), macro-enabled Office files,
 * web pages, disk images, archives, and content whose real type (libmagic)
 * differs from what the mail declares. */
#include <string.h>
#include <strings.h>

#include "detect/env.h"

static const char *const executable_ext[] = {
	"exe", "scr", "com", "pif", "bat", "cmd", "js", "jse", "vbs", "vbe", "wsf", "wsh", "hta",
	"msi", "msp", "ps1", "psm1", "jar", "lnk", "cpl", "reg", "dll", "apk", "application",
	"gadget", "sct", "chm", "inf", "scf", "url", "xll", "appx", "msix", NULL,
};
static const char *const document_ext[] = {
	"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "rtf", "jpg", "jpeg", "png",
	"gif", "csv", "odt", "ods", "zip", "htm", "html", "mp3", "mp4", "wav", NULL,
};
static const char *const macro_ext[] = {
	"docm", "dotm", "xlsm", "xltm", "xlam", "xlsb", "pptm", "potm", "ppsm", "ppam", "sldm", NULL,
};
static const char *const html_ext[] = {"htm", "html", "shtml", "xhtml", "svg", "mht", "mhtml", NULL};
static const char *const image_ext[] = {"iso", "img", "vhd", "vhdx", "dmg", "udf", NULL};
static const char *const archive_ext[] = {
	"zip", "rar", "7z", "gz", "tgz", "tar", "ace", "cab", "arj", "lzh", "bz2", "xz", "z", NULL,
};
/* Content types that are programs or scripts, whatever the name says. */
static const char *const executable_types[] = {
	"application/x-dosexec", "application/vnd.microsoft.portable-executable", "application/x-executable", "application/x-msdownload",
	"application/x-sharedlib", "application/x-mach-binary", "application/x-msi",
	"text/x-shellscript", "application/x-ms-shortcut", "application/java-archive",
	"text/x-msdos-batch", "application/hta", NULL,
};

static bool in(const char *const *list, const char *s)
{
	for (int i = 0; s && list[i]; i++)
		if (strcasecmp(list[i], s) == 0)
			return true;
	return false;
}

/* The extension after the last '.', or NULL. */
static const char *ext_of(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && dot[1] ? dot + 1 : NULL;
}

/* The extension before the last one: "pdf" in "invoice.pdf.exe". */
static const char *inner_ext(struct arena *a, const char *name)
{
	const char *last = strrchr(name, '.');
	const char *prev;

	if (!last || last == name)
		return NULL;
	for (prev = last - 1; prev > name && *prev != '.'; prev--)
		;
	if (*prev != '.')
		return NULL;
	return arena_strndup(a, prev + 1, (size_t)(last - prev - 1));
}

static bool is_executable(const struct mail_attachment *att)
{
	return in(executable_ext, ext_of(att->filename)) || in(executable_types, att->sniffed_type);
}

static void check_names(const struct mail_message *msg, const struct mail_attachment *att,
			struct signal_list *out)
{
	const char *ext = ext_of(att->filename);
	const char *inner = inner_ext(msg->arena, att->filename);
	const char *name = att->filename;

	if (inner && in(document_ext, g_strstrip(arena_strdup(msg->arena, inner))) &&
	    (in(executable_ext, ext) || in(html_ext, ext) || in(image_ext, ext)))
		signal_add(out, SIG_ATTACH_DOUBLE_EXTENSION, 1.0,
			   "The attachment '%s' pretends to be a .%s file but is really a .%s file.", name, inner, ext);
	if (is_executable(att))
		signal_add(out, SIG_ATTACH_EXECUTABLE, 1.0,
			   "The attachment '%s' is a program or script; opening it can take over your computer.",
			   *name ? name : "(unnamed)");
	if (in(macro_ext, ext) || strstr(att->sniffed_type, "macroenabled"))
		signal_add(out, SIG_ATTACH_MACRO, 1.0,
			   "The attachment '%s' is an Office file with macros, which can run code when you enable them.", name);
	if (att->active)
		signal_add(out, SIG_ATTACH_ACTIVE_CONTENT, 1.0,
			   "The attachment %s runs code or redirects as soon as it is opened ('%s' inside); attached pages and SVG images do this to open a fake login page from your own computer.",
			   att->filename, att->active);
	if (in(html_ext, ext) || strcmp(att->declared_type, "text/html") == 0)
		signal_add(out, SIG_ATTACH_HTML, 1.0,
			   "The attachment '%s' is a web page; attached pages often imitate a login screen.",
			   *name ? name : "(unnamed)");
	if (in(image_ext, ext) || strcmp(att->sniffed_type, "application/x-iso9660-image") == 0)
		signal_add(out, SIG_ATTACH_DISK_IMAGE, 1.0,
			   "The attachment '%s' is a disk image, a way to smuggle programs past filters.", name);
	if (in(archive_ext, ext))
		signal_add(out, SIG_ATTACH_ARCHIVE, 1.0,
			   "The attachment '%s' is an archive whose contents cannot be checked here.", name);
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Formats that always carry a signature libmagic knows: when the mail
 * declares one of these and the bytes are something else, the label lies
 * (a "PDF" that is a script). */
static bool signature_broken(const char *declared, const char *sniffed)
{
	if (strcmp(declared, "application/pdf") == 0)
		return strcmp(sniffed, "application/pdf") != 0;
	if (starts(declared, "image/") && strcmp(declared, "image/svg+xml") != 0)
		return !starts(sniffed, "image/");
	if (starts(declared, "application/vnd.openxmlformats") || strcmp(declared, "application/zip") == 0)
		return !starts(sniffed, "application/vnd.openxmlformats") && !strstr(sniffed, "zip") &&
		       !starts(sniffed, "application/vnd.ms-");
	return false;
}

/* Declared and real types disagree in a way that matters: the content is a
 * program, script or page while the mail says it is something else, or a
 * format with a fixed signature does not have it. Content libmagic cannot
 * name (application/octet-stream) proves nothing either way. */
static void check_types(const struct mail_message *msg, const struct mail_attachment *att,
			struct signal_list *out)
{
	bool dangerous = in(executable_types, att->sniffed_type) || strcmp(att->sniffed_type, "text/html") == 0;

	(void)msg;
	if (strcmp(att->declared_type, att->sniffed_type) == 0 ||
	    strcmp(att->declared_type, "application/octet-stream") == 0 ||
	    strcmp(att->sniffed_type, "application/octet-stream") == 0 || att->size == 0)
		return;
	if (!dangerous && !signature_broken(att->declared_type, att->sniffed_type))
		return;
	signal_add(out, SIG_ATTACH_TYPE_MISMATCH, 1.0,
		   "The attachment '%s' claims to be %s but its content is %s.",
		   *att->filename ? att->filename : "(unnamed)", att->declared_type, att->sniffed_type);
}

void detect_attachments(const struct detect_env *env, const struct mail_message *msg,
			const struct detect_facts *facts, struct signal_list *out)
{
	(void)env;
	(void)facts;
	for (size_t i = 0; i < msg->nattachments; i++) {
		check_names(msg, &msg->attachments[i], out);
		check_types(msg, &msg->attachments[i], out);
	}
}
