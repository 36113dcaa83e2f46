/* env.h: what the detectors share — the engine's compiled configuration
 * (struct detect_env) and the facts derived once per message that several
 * detectors need (struct detect_facts). Internal to src/detect/. */
#ifndef LG_DETECT_ENV_H
#define LG_DETECT_ENV_H

#include <glib.h>

#include "detect/engine.h"
#include "detect/iplist.h"
#include "detect/lookalike.h"
#include "detect/signal.h"
#include "mail/message.h"
#include "mail/url.h"

struct brand {
	char *name;   /* registrable label, lower case: "paypal" */
	char *domain; /* registrable domain: "paypal.com" */
};

struct colleague {
	char *name;   /* display name, case-folded */
	char *addr;   /* lower case */
};

struct urgency;
struct speller;
struct brand_catalogue;
struct hosting_list;
struct ctx_store;
struct history;
struct authres;

/* A domain the organisation is known to deal with: a leaked partner, a
 * frequent correspondent, or both (leakctx.c). */
struct related_domain {
	const char *partner_source; /* leak it was a partner in, NULL when not one */
	uint32_t partner_count;     /* leaked messages and documents shared */
	int64_t messages;           /* correspondent history count, 0 when not frequent */
};

struct detect_env {
	struct signal_weights weights;
	struct lookalike_set *protected; /* own, partners and brands */
	char **own;                      /* [protect] domains, lower case */
	size_t nown;
	struct brand *brands;            /* brands and own domains, by name */
	size_t nbrands;
	struct colleague *staff;
	size_t nstaff;
	GHashTable *freemail;            /* domain set */
	GHashTable *blocked_domains;     /* domain set */
	GHashTable *blocked_urls;        /* normalised URL set */
	struct iplist *blocked_ips, *trusted_relays;
	struct iplist *senders;          /* [relays] senders: services sending as our domains */
	char **partners;                 /* [protect] partners, lower case: not our own */
	size_t npartners;
	char *authserv_id;               /* NULL: Authentication-Results ignored */
	struct urgency *urgency;
	struct speller *speller;         /* NULL when no dictionary */
	struct model *model;             /* NULL: heuristics only */
	struct report_index *reports;    /* NULL: no staff reports */
	double report_similarity;
	struct ctx_store *context;       /* NULL: nothing known about leaks */
	struct history *history;         /* NULL: no correspondent history */
	struct lookalike_set *related;   /* leaked partners and frequent correspondents; NULL when none */
	GHashTable *related_info;        /* domain -> struct related_domain */
	GRegex *bank_change;             /* wording of changed bank details */
	struct brand_catalogue *catalogue; /* data/brands.tsv + [protect] brands; NULL without data */
	struct hosting_list *hosting;      /* data/hosting.tsv; NULL without data */
	double t_suspicious, t_spam, t_phishing;
	enum verdict_action act_suspicious, act_spam, act_phishing;
};

struct detect_link {
	const struct mail_link *link;
	struct url_parts url;     /* of the link itself */
	struct url_parts target;  /* after unwrapping redirectors; == url otherwise */
	const char *target_url;
	const char *registrable;  /* of target.host; NULL for IPs */
	bool parsed;
};

struct detect_text;

struct detect_facts {
	double spam_probability;      /* set by detect_classifier, -1 when none */
	struct detect_link *links;
	size_t nlinks;
	const char *sender_ip;        /* first untrusted Received hop, NULL when unknown */
	const char *sender_hop;       /* the Received header value naming sender_ip, NULL when unknown */
	const char *smtp_auth_user;   /* SMTP AUTH name the MTA saw ({auth_authen}), NULL: none or unknown */
	const struct authres *verified; /* leakguard's own SPF/DKIM/DMARC results (src/auth/), NULL: none */
	const char *from_registrable; /* NULL when no From domain */
	bool sender_known;            /* own domain, a leaked partner's, or in the history */
	bool history_ready;           /* a correspondent history that knows enough domains */
	bool list_mail;               /* mailing-list or bulk mail: no one's correspondence */
	const struct related_domain *from_imitates; /* what the From domain imitates, NULL: nothing */
	struct lookalike_match from_match;          /* how, when from_imitates */
	const struct detect_text *text;             /* folded subject, name and body (normal.h) */
};

typedef void (*detector_fn)(const struct detect_env *env, const struct mail_message *msg,
			    const struct detect_facts *facts, struct signal_list *out);
/* The classifier also reports its probability, so it is called apart. */
void detect_classify(const struct detect_env *env, const struct mail_message *msg,
		     struct detect_facts *facts, struct signal_list *out);
/* Rescores the signals of l with the fitted weights the model carries
 * (learn/fit.h): each signal's score becomes its fitted weight times its
 * strength (unless [weights] sets the signal), and the classifier's
 * terms join the LEARNED_SPAM/LEARNED_HAM line. No fit, or a fit made on
 * verdicts of the other kind (with or without a classifier), no change. */
void detect_fit_apply(const struct detect_env *env, struct signal_list *l, double spam_probability);

void detect_sender(const struct detect_env *, const struct mail_message *, const struct detect_facts *, struct signal_list *);
void detect_domains(const struct detect_env *, const struct mail_message *, const struct detect_facts *, struct signal_list *);
void detect_urgency(const struct detect_env *, const struct mail_message *, const struct detect_facts *, struct signal_list *);
void detect_spelling(const struct detect_env *, const struct mail_message *, const struct detect_facts *, struct signal_list *);
void detect_links(const struct detect_env *, const struct mail_message *, const struct detect_facts *, struct signal_list *);
void detect_attachments(const struct detect_env *, const struct mail_message *, const struct detect_facts *, struct signal_list *);
void detect_auth(const struct detect_env *, const struct mail_message *, const struct detect_facts *, struct signal_list *);
void detect_reported(const struct detect_env *, const struct mail_message *, const struct detect_facts *, struct signal_list *);
void detect_blocklist(const struct detect_env *, const struct mail_message *, const struct detect_facts *, struct signal_list *);
void detect_leaked(const struct detect_env *, const struct mail_message *, const struct detect_facts *, struct signal_list *);
void detect_correspondents(const struct detect_env *, const struct mail_message *, const struct detect_facts *, struct signal_list *);
void detect_replychain(const struct detect_env *, const struct mail_message *, const struct detect_facts *, struct signal_list *);
void detect_diversion(const struct detect_env *, const struct mail_message *, const struct detect_facts *, struct signal_list *);
void detect_brands(const struct detect_env *, const struct mail_message *, const struct detect_facts *, struct signal_list *);
void detect_hosting(const struct detect_env *, const struct mail_message *, const struct detect_facts *, struct signal_list *);
void detect_obfuscation(const struct detect_env *, const struct mail_message *, const struct detect_facts *, struct signal_list *);
/* Runs last: it only sharpens a verdict other signals already started. */
void detect_leaked_people(const struct detect_env *, const struct mail_message *, const struct detect_facts *, struct signal_list *);

/* The CEO-fraud opener ("are you at your desk", "quick favour", gift cards,
 * new bank details) that starts msg's subject or first lines, as a static
 * string, or NULL (sender.c). */
const char *sender_bec_opener(const struct mail_message *msg);

/* The wording of changed bank details (diversion.c); g_regex_unref. */
GRegex *diversion_pattern(void);

/* The leak context and history (leakctx.c): attaching them, and the facts
 * they give about one message. */
void env_context_attach(struct detect_env *env, struct ctx_store *ctx, struct history *h, int64_t frequent);
void env_context_cleanup(struct detect_env *env);
void facts_context(const struct detect_env *env, const struct mail_message *msg, struct detect_facts *f);
/* The leaked partner or frequent correspondent domain imitates, or NULL. */
const struct related_domain *env_related_lookalike(const struct detect_env *env, const char *domain,
						   struct lookalike_match *m);

/* Helpers shared by detectors. */
/* True when domain is one of the organisation's own domains or below one. */
bool env_is_own(const struct detect_env *env, const char *domain);
/* True when domain is one of [protect] partners or below one. */
bool env_is_partner(const struct detect_env *env, const char *domain);
/* The registrable domain, or domain itself when it has none. Arena-owned. */
const char *env_org_of(struct arena *a, const char *domain);

#endif
