/* config.c: the settings table and the INI reader (see config.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "util/alloc.h"
#include "util/config.h"

enum setting_type { SET_STRING, SET_PATH, SET_LIST, SET_DOUBLE };

struct setting {
	const char *section, *key;
	enum setting_type type;
	size_t offset;
	const char *def; /* default as text; NULL for none */
};

#define F(field) offsetof(struct config, field)

/* Brands phishers imitate most (after published phishing brand reports). */
#define DEFAULT_BRANDS "microsoft.com, outlook.com, paypal.com, apple.com, " \
	"amazon.com, google.com, docusign.com, dhl.com, fedex.com, ups.com, netflix.com, " \
	"facebook.com, instagram.com, linkedin.com, dropbox.com, adobe.com, wellsfargo.com, " \
	"chase.com, bankofamerica.com, americanexpress.com, ebay.com, usps.com, irs.gov, " \
	"sharepoint.com, onedrive.com, whatsapp.com, coinbase.com, binance.com"
#define DEFAULT_FREEMAIL "gmail.com, googlemail.com, yahoo.com, yahoo.co.uk, hotmail.com, " \
	"outlook.com, live.com, msn.com, aol.com, icloud.com, me.com, mail.com, gmx.com, " \
	"gmx.net, gmx.de, web.de, yandex.com, yandex.ru, mail.ru, proton.me, protonmail.com, " \
	"zoho.com, hushmail.com, tutanota.com, qq.com, 163.com"

static const struct setting settings[] = {
	{"general", "db", SET_PATH, F(db), NULL},
	{"general", "log_format", SET_STRING, F(log_format), "text"},
	{"protect", "domains", SET_LIST, F(protect_domains), ""},
	{"protect", "brands", SET_LIST, F(brands), DEFAULT_BRANDS},
	{"protect", "staff", SET_PATH, F(staff_file), NULL},
	{"protect", "freemail", SET_LIST, F(freemail), DEFAULT_FREEMAIL},
	{"protect", "partners", SET_LIST, F(partners), ""},
	{"thresholds", "suspicious", SET_DOUBLE, F(threshold_suspicious), "4.0"},
	{"thresholds", "spam", SET_DOUBLE, F(threshold_spam), "8.0"},
	{"thresholds", "phishing", SET_DOUBLE, F(threshold_phishing), "8.0"},
	{"actions", "suspicious", SET_STRING, F(action_suspicious), "tag"},
	{"actions", "spam", SET_STRING, F(action_spam), "tag"},
	{"actions", "phishing", SET_STRING, F(action_phishing), "quarantine"},
	{"auth", "trusted_authserv_id", SET_STRING, F(trusted_authserv_id), NULL},
	{"auth", "dns", SET_STRING, F(auth_dns), NULL},
	{"auth", "authserv_id", SET_STRING, F(auth_authserv_id), "leakguard"},
	{"auth", "verify", SET_STRING, F(auth_verify), NULL},
	{"lists", "blocked_domains", SET_PATH, F(blocked_domains_file), NULL},
	{"lists", "blocked_ips", SET_PATH, F(blocked_ips_file), NULL},
	{"lists", "blocked_urls", SET_PATH, F(blocked_urls_file), NULL},
	{"lists", "urgency_phrases", SET_PATH, F(urgency_phrases_file), NULL},
	{"lists", "data_dir", SET_PATH, F(data_dir), NULL},
	{"relays", "trusted", SET_LIST, F(trusted_relays), "127.0.0.0/8, ::1"},
	{"relays", "senders", SET_LIST, F(sending_services), ""},
	{"relays", "submission", SET_LIST, F(submission_relays), ""},
	{"spelling", "dictionary", SET_STRING, F(dictionary), "en_US"},
	{"spelling", "dir", SET_PATH, F(dictionary_dir), "/usr/share/hunspell"},
	{"milter", "listen", SET_STRING, F(milter_listen), "inet:8891@127.0.0.1"},
	{"milter", "fail_mode", SET_STRING, F(milter_fail_mode), "accept"},
	{"milter", "timeout_ms", SET_DOUBLE, F(milter_timeout_ms), "2000"},
	{"milter", "max_size", SET_DOUBLE, F(milter_max_size), "10485760"},
	{"milter", "banner", SET_STRING, F(milter_banner), "on"},
	{"milter", "subject_tag", SET_STRING, F(milter_subject_tag), "[SUSPICIOUS]"},
	{"milter", "report_address", SET_STRING, F(milter_report_address), NULL},
	{"report", "alert_to", SET_LIST, F(report_alert_to), ""},
	{"report", "smtp", SET_STRING, F(report_smtp), "127.0.0.1:25"},
	{"report", "from", SET_STRING, F(report_from), "leakguard@localhost"},
	{"report", "auto_block_reporters", SET_DOUBLE, F(report_auto_block), "2"},
	{"report", "similarity", SET_DOUBLE, F(report_similarity), "0.6"},
	{"portal", "listen", SET_STRING, F(portal_listen), "127.0.0.1:8080"},
	{"portal", "base_url", SET_STRING, F(portal_base_url), NULL},
	{"portal", "smtp", SET_STRING, F(portal_smtp), "127.0.0.1:25"},
	{"portal", "from", SET_STRING, F(portal_from), "leakguard@localhost"},
	{"portal", "dns_resolver", SET_STRING, F(portal_dns_resolver), NULL},
	{"portal", "web_verify_url", SET_STRING, F(portal_web_verify_url),
	 "https://{domain}/.well-known/leakguard-verification.txt"},
	{"portal", "link_ttl", SET_DOUBLE, F(portal_link_ttl), "86400"},
	{"portal", "challenge_ttl", SET_DOUBLE, F(portal_challenge_ttl), "604800"},
	{"portal", "mail_link_ttl", SET_DOUBLE, F(portal_mail_link_ttl), "3600"},
	{"portal", "session_ttl", SET_DOUBLE, F(portal_session_ttl), "28800"},
	{"portal", "rate_pages", SET_DOUBLE, F(portal_rate_pages), "120"},
	{"portal", "rate_mail", SET_DOUBLE, F(portal_rate_mail), "10"},
	{"portal", "rate_range", SET_DOUBLE, F(portal_rate_range), "600"},
	{"portal", "rate_api", SET_DOUBLE, F(portal_rate_api), "120"},
	{"portal", "threads", SET_DOUBLE, F(portal_threads), "2"},
	{"portal", "tls_cert", SET_PATH, F(portal_tls_cert), NULL},
	{"portal", "tls_key", SET_PATH, F(portal_tls_key), NULL},
	{"portal", "trusted_proxy", SET_STRING, F(portal_trusted_proxy), NULL},
	{"portal", "range_access", SET_STRING, F(portal_range_access), "key"},
	{"portal", "metrics_listen", SET_STRING, F(portal_metrics_listen), NULL},
	{"notify", "smtp", SET_STRING, F(notify_smtp), "127.0.0.1:25"},
	{"notify", "from", SET_STRING, F(notify_from), "leakguard@localhost"},
	{"notify", "ramp", SET_DOUBLE, F(notify_ramp), "0"},
	{"notify", "threads", SET_DOUBLE, F(notify_threads), "4"},
	{"notify", "per_domain", SET_DOUBLE, F(notify_per_domain), "2"},
	{"notify", "max_attempts", SET_DOUBLE, F(notify_max_attempts), "5"},
	{"notify", "backoff", SET_DOUBLE, F(notify_backoff), "60"},
	{"notify", "on_ingest", SET_STRING, F(notify_on_ingest), "queue"},
	{"notify", "webhook_attempts", SET_DOUBLE, F(notify_webhook_attempts), "12"},
	{"notify", "webhook_private", SET_STRING, F(notify_webhook_private), "off"},
	{"context", "frequent", SET_DOUBLE, F(context_frequent), "3"},
	{"context", "history_max_rows", SET_DOUBLE, F(history_max_rows), "200000"},
	{"context", "history_max_days", SET_DOUBLE, F(history_max_days), "400"},
};

static void *field(struct config *cfg, const struct setting *s)
{
	return (char *)cfg + s->offset;
}

void config_list_clear(struct config_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		lg_free(l->items[i]);
	lg_free(l->items);
	l->items = NULL;
	l->n = 0;
}

void config_list_set(struct config_list *l, const char *s)
{
	char **parts = g_strsplit(s, ",", -1);
	size_t cap = 0;

	config_list_clear(l);
	for (char **p = parts; *p; p++) {
		char *item = g_strstrip(*p);

		if (!*item)
			continue;
		l->items = lg_grow(l->items, &cap, l->n + 2, sizeof(char *));
		l->items[l->n++] = lg_strdup(item);
		l->items[l->n] = NULL;
	}
	g_strfreev(parts);
}

static void set_string(char **dst, const char *value)
{
	lg_free(*dst);
	*dst = value ? lg_strdup(value) : NULL;
}

/* Relative paths in a file are relative to that file, not to the cwd; a
 * URL ("redis://...", a store on a server) is not a path. */
static char *resolve(const char *dir, const char *value)
{
	if (!dir || g_path_is_absolute(value) || strstr(value, "://"))
		return lg_strdup(value);
	{
		char *joined = g_build_filename(dir, value, NULL);
		char *copy = lg_strdup(joined);

		g_free(joined);
		return copy;
	}
}

static enum lg_status apply(struct config *cfg, const struct setting *s, const char *value,
			    const char *dir, struct errbuf *err)
{
	char *end;
	double d;

	switch (s->type) {
	case SET_STRING:
		set_string(field(cfg, s), value);
		break;
	case SET_PATH:
		lg_free(*(char **)field(cfg, s));
		*(char **)field(cfg, s) = value ? resolve(dir, value) : NULL;
		break;
	case SET_LIST:
		config_list_set(field(cfg, s), value ? value : "");
		break;
	case SET_DOUBLE:
		d = strtod(value, &end);
		if (end == value || *end)
			return errbuf_set(err, LG_ECONFIG, "[%s] %s: '%s' is not a number",
					  s->section, s->key, value);
		*(double *)field(cfg, s) = d;
		break;
	}
	return LG_OK;
}

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
		if (settings[i].def)
			apply(cfg, &settings[i], settings[i].def, NULL, NULL);
}

static bool known(const char *section, const char *key)
{
	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
		if (strcmp(settings[i].section, section) == 0 && (!key || strcmp(settings[i].key, key) == 0))
			return true;
	return false;
}

static enum lg_status read_weights(struct config *cfg, GKeyFile *kf)
{
	gsize n = 0;
	char **keys = g_key_file_get_keys(kf, "weights", &n, NULL);

	for (gsize i = 0; i < n; i++) {
		char *v = g_key_file_get_string(kf, "weights", keys[i], NULL);

		cfg->weights = lg_realloc(cfg->weights, (cfg->nweights + 1) * sizeof(*cfg->weights));
		cfg->weights[cfg->nweights].key = lg_strdup(keys[i]);
		cfg->weights[cfg->nweights].value = lg_strdup(v ? g_strstrip(v) : "");
		cfg->nweights++;
		g_free(v);
	}
	g_strfreev(keys);
	return LG_OK;
}

/* Unknown sections and keys are errors: a typo must not silently fall back
 * to a default the administrator thinks they changed. */
static enum lg_status check_unknown(GKeyFile *kf, struct errbuf *err)
{
	char **groups = g_key_file_get_groups(kf, NULL);
	enum lg_status rc = LG_OK;

	for (char **g = groups; *g && !rc; g++) {
		char **keys;

		if (strcmp(*g, "weights") == 0)
			continue;
		if (!known(*g, NULL)) {
			rc = errbuf_set(err, LG_ECONFIG, "unknown section [%s]", *g);
			break;
		}
		keys = g_key_file_get_keys(kf, *g, NULL, NULL);
		for (char **k = keys; keys && *k && !rc; k++)
			if (!known(*g, *k))
				rc = errbuf_set(err, LG_ECONFIG, "[%s] unknown key '%s'", *g, *k);
		g_strfreev(keys);
	}
	g_strfreev(groups);
	return rc;
}

/* Prefixes err with the file's name, so every message says where. */
static enum lg_status in_file(struct errbuf *err, enum lg_status rc, const char *path)
{
	char detail[sizeof(err->msg)];

	if (!err)
		return rc;
	g_strlcpy(detail, err->msg, sizeof(detail));
	return errbuf_set(err, rc, "%s: %s", path, detail);
}

static enum lg_status apply_file(struct config *cfg, GKeyFile *kf, const char *dir, struct errbuf *err)
{
	enum lg_status rc = check_unknown(kf, err);

	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]) && !rc; i++) {
		char *v = g_key_file_get_string(kf, settings[i].section, settings[i].key, NULL);

		if (v)
			rc = apply(cfg, &settings[i], g_strstrip(v), dir, err);
		g_free(v);
	}
	return rc ? rc : read_weights(cfg, kf);
}

enum lg_status config_load(struct config *cfg, const char *path, struct errbuf *err)
{
	GKeyFile *kf = g_key_file_new();
	GError *gerr = NULL;
	char *dir = g_path_get_dirname(path);
	enum lg_status rc;

	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &gerr)) {
		rc = errbuf_set(err, gerr->domain == G_FILE_ERROR ? LG_EIO : LG_ECONFIG,
				"%s: %s", path, gerr->message);
		g_error_free(gerr);
	} else {
		rc = apply_file(cfg, kf, dir, err);
		if (rc)
			in_file(err, rc, path);
		else
			set_string(&cfg->path, path);
	}
	g_free(dir);
	g_key_file_free(kf);
	return rc;
}

void config_cleanup(struct config *cfg)
{
	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		const struct setting *s = &settings[i];

		if (s->type == SET_LIST)
			config_list_clear(field(cfg, s));
		else if (s->type != SET_DOUBLE)
			set_string(field(cfg, s), NULL);
	}
	for (size_t i = 0; i < cfg->nweights; i++) {
		lg_free(cfg->weights[i].key);
		lg_free(cfg->weights[i].value);
	}
	lg_free(cfg->weights);
	lg_free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}

bool config_setting_info(size_t i, struct config_setting_info *out)
{
	static const char *const types[] = {"string", "path", "list", "number"};

	if (i >= sizeof(settings) / sizeof(settings[0]))
		return false;
	out->section = settings[i].section;
	out->key = settings[i].key;
	out->type = types[settings[i].type];
	out->def = settings[i].def;
	return true;
}

const char *config_default_path(void)
{
	static const char path[] = "/etc/leakguard/leakguard.conf";

	return access(path, R_OK) == 0 ? path : NULL;
}
