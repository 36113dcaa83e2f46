/* config.h: leakguard's configuration, read from one INI file (GLib
 * GKeyFile syntax; lists are comma-separated).
 *
 * Every setting is declared once in config.c's table (section, key, type,
 * default, field, help), as Redis's static_configs[]; leakguard.conf at the
 * repository root is the commented example. Command-line flags are applied
 * on top by the caller. Values are only parsed here; meaning (is this a known
 * signal name? a valid CIDR?) is checked by the module that uses them. */
#ifndef LG_CONFIG_H
#define LG_CONFIG_H

#include <stddef.h>

#include "util/errbuf.h"

struct config_list {
	char **items; /* owned; NULL-terminated */
	size_t n;
};

struct config_pair {
	char *key, *value;
};

struct config {
	char *path;              /* the file read, NULL for built-in defaults */
	char *db;                /* [general] db */
	struct config_list protect_domains; /* [protect] domains: own + partners */
	struct config_list brands;          /* [protect] brands */
	char *staff_file;        /* [protect] staff */
	struct config_list freemail;        /* [protect] freemail */
	struct config_list partners;        /* [protect] partners: which domains are partners', not ours */
	double threshold_suspicious, threshold_spam, threshold_phishing;
	char *action_suspicious, *action_spam, *action_phishing; /* [actions] */
	struct config_pair *weights; /* [weights] NAME = number, as written */
	size_t nweights;
	char *trusted_authserv_id;   /* [auth] */
	char *auth_dns;              /* [auth] dns: IP:PORT for SPF/DKIM/DMARC lookups; NULL: the system's */
	char *auth_authserv_id;      /* [auth] authserv_id: ours, in the Authentication-Results we write */
	char *blocked_domains_file, *blocked_ips_file, *blocked_urls_file; /* [lists] */
	char *urgency_phrases_file;
	char *data_dir;              /* [lists] data_dir: brands.tsv, hosting.tsv, phrases/ */
	struct config_list trusted_relays; /* [relays] trusted */
	struct config_list sending_services; /* [relays] senders: services sending as our domains */
	char *dictionary;            /* [spelling] dictionary, e.g. en_US */
	char *dictionary_dir;        /* [spelling] dir */
	char *milter_listen;         /* [milter] listen: libmilter socket spec */
	char *milter_fail_mode;      /* [milter] fail_mode: accept or tempfail */
	double milter_timeout_ms;    /* [milter] timeout_ms: per-message budget */
	double milter_max_size;      /* [milter] max_size: bytes scanned at most */
	char *milter_banner;         /* [milter] banner: on or off */
	char *milter_subject_tag;    /* [milter] subject_tag, "" for none */
	char *milter_report_address; /* [milter] report_address */
	struct config_list report_alert_to; /* [report] alert_to: who is warned of a campaign */
	char *report_smtp;           /* [report] smtp: relay for alerts and replies, host:port */
	char *report_from;           /* [report] from: sender of alerts and replies */
	double report_auto_block;    /* [report] auto_block_reporters: 0 = always ask an admin */
	double report_similarity;    /* [report] similarity: share of shingles that makes "similar" */
	/* [portal]: `leakguard serve` (src/portal/ROUTES.md) */
	char *portal_listen;         /* HOST:PORT */
	char *portal_base_url;       /* start of mailed links; NULL: http:// + listen */
	char *portal_smtp, *portal_from; /* relay HOST:PORT and sender of the portal's mail */
	char *portal_dns_resolver;   /* IP:PORT asked for TXT records; NULL: the system's */
	char *portal_web_verify_url; /* verification file URL, {domain} replaced */
	double portal_link_ttl, portal_challenge_ttl, portal_mail_link_ttl, portal_session_ttl; /* seconds */
	double portal_rate_pages, portal_rate_mail, portal_rate_range, portal_rate_api; /* see leakguard.conf */
	double portal_threads;       /* HTTP worker threads */
	char *portal_tls_cert, *portal_tls_key; /* PEM files; both set: HTTPS */
	char *portal_trusted_proxy;  /* IP of a reverse proxy trusted for X-Forwarded-For */
	char *portal_range_access;   /* "off", "key" (default) or "public": who may ask /range/ */
	double context_frequent;     /* [context] frequent: messages that make a frequent correspondent */
	double history_max_rows;     /* [context] history_max_rows: correspondent history bound */
	double history_max_days;     /* [context] history_max_days: forget correspondents unseen this long */
};

/* Fills cfg with built-in defaults. */
void config_defaults(struct config *cfg);

/* Reads path over cfg's current values. Relative file names in the file are
 * resolved against the file's directory. Returns LG_OK, LG_EIO when the file
 * cannot be read, or LG_ECONFIG naming the section, key and problem. */
enum lg_status config_load(struct config *cfg, const char *path, struct errbuf *err);

/* Replaces a list with the comma-separated items of s (for flags such as
 * --protect). */
void config_list_set(struct config_list *l, const char *s);
/* Frees a list's items; the list is then empty. */
void config_list_clear(struct config_list *l);
void config_cleanup(struct config *cfg);

/* The default configuration file, when it exists: /etc/leakguard/leakguard.conf. */
const char *config_default_path(void);

#endif
