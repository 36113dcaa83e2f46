/* engine.h: the phishing detector as one object. Built once from the
 * configuration (lists loaded, lookalike set compiled, dictionary opened),
 * then asked for a verdict on each parsed message. Read-only after
 * engine_new(), so one engine serves many threads. */
#ifndef LG_DETECT_ENGINE_H
#define LG_DETECT_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "detect/signal.h"
#include "mail/message.h"
#include "util/config.h"
#include "util/errbuf.h"

enum verdict_kind { VERDICT_CLEAN, VERDICT_SUSPICIOUS, VERDICT_SPAM, VERDICT_PHISHING };
enum verdict_action { ACTION_NONE, ACTION_TAG, ACTION_QUARANTINE, ACTION_REJECT };

struct verdict {
	enum verdict_kind kind;
	enum verdict_action action;
	double score;
	double spam_probability;    /* the classifier's, -1 without a model */
	struct signal_list signals; /* in the message's arena, strongest first */
};

struct engine;

/* Builds an engine from cfg (which need not outlive it). Returns LG_OK, or
 * LG_ECONFIG / LG_EIO with a sentence in err naming the setting or file. */
enum lg_status engine_new(const struct config *cfg, struct engine **out, struct errbuf *err);
void engine_free(struct engine **e);

struct model;
/* Gives the engine a statistical model (learn/model.h) to use as one more
 * signal; the engine owns it from now on. NULL removes it. Not thread-safe:
 * call before the engine is shared. */
void engine_set_model(struct engine *e, struct model *m);

struct report_index;
/* Gives the engine the staff reports and blocks (report/index.h); owned by
 * the engine from now on, NULL removes them. Not thread-safe, like
 * engine_set_model. */
void engine_set_reports(struct engine *e, struct report_index *idx);
struct ctx_store;
struct history;
/* Gives the engine what leaked about the organisation (context/store.h)
 * and the correspondent history (context/history.h), either may be NULL;
 * owned by the engine from now on. Domains seen in at least `frequent`
 * messages of the history count as frequent correspondents. Not
 * thread-safe, like engine_set_model. */
void engine_set_context(struct engine *e, struct ctx_store *ctx, struct history *h, int64_t frequent);

/* The similarity at which a message counts as like a reported one. */
void engine_set_report_threshold(struct engine *e, double similarity);

/* The organisation's own domains ([protect] domains and the leak
 * context's), borrowed from e; *n gets how many. */
const char *const *engine_own_domains(const struct engine *e, size_t *n);

/* True when domain must never be blocked automatically: the organisation's
 * own or protected domains (and their subdomains), brands, free-mail
 * providers. */
bool engine_never_block_domain(const struct engine *e, const char *domain);
/* True when ip is one of the organisation's trusted relays. */
bool engine_is_trusted_relay(const struct engine *e, const char *ip);
/* The sending server of msg (first untrusted Received hop), arena-owned, or NULL. */
const char *engine_sender_ip(const struct engine *e, const struct mail_message *msg);

/* Scores msg. Everything in *out lives in msg's arena. Never fails. */
void engine_check(const struct engine *e, const struct mail_message *msg, struct verdict *out);

struct authres;
/* What the MTA knows about a message beyond its bytes (src/auth/verify.h
 * fills it). Fields may be NULL. */
struct engine_smtp {
	const char *client_ip;          /* the connecting client: the sending server when no Received says */
	const char *auth_user;          /* SMTP AUTH name ({auth_authen}): submitted by a colleague */
	const struct authres *verified; /* leakguard's own SPF/DKIM/DMARC results */
};
/* engine_check() with what the MTA knows; smtp NULL is engine_check(). */
void engine_check_smtp(const struct engine *e, const struct mail_message *msg, const struct engine_smtp *smtp,
		       struct verdict *out);

const char *verdict_kind_name(enum verdict_kind k);
const char *verdict_action_name(enum verdict_action a);
/* Parses "none", "tag", "quarantine", "reject"; returns -1 when unknown. */
int verdict_action_parse(const char *s);

#endif
