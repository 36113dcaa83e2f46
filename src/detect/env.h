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
	char *authserv_id;               /* NULL: Authentication-Results ignored */
	struct urgency *urgency;
	struct speller *speller;         /* NULL when no dictionary */
	struct model *model;             /* NULL: heuristics only */
	struct report_index *reports;    /* NULL: no staff reports */
	double report_similarity;
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

struct detect_facts {
	double spam_probability;      /* set by detect_classifier, -1 when none */
	struct detect_link *links;
	size_t nlinks;
	const char *sender_ip;        /* first untrusted Received hop, NULL when unknown */
	const char *from_registrable; /* NULL when no From domain */
};

typedef void (*detector_fn)(const struct detect_env *env, const struct mail_message *msg,
			    const struct detect_facts *facts, struct signal_list *out);
/* The classifier also reports its probability, so it is called apart. */
void detect_classify(const struct detect_env *env, const struct mail_message *msg,
		     struct detect_facts *facts, struct signal_list *out);

void detect_sender(const struct detect_env *, const struct mail_message *, const struct detect_facts *, struct signal_list *);
void detect_domains(const struct detect_env *, const struct mail_message *, const struct detect_facts *, struct signal_list *);
void detect_urgency(const struct detect_env *, const struct mail_message *, const struct detect_facts *, struct signal_list *);
void detect_spelling(const struct detect_env *, const struct mail_message *, const struct detect_facts *, struct signal_list *);
void detect_links(const struct detect_env *, const struct mail_message *, const struct detect_facts *, struct signal_list *);
void detect_attachments(const struct detect_env *, const struct mail_message *, const struct detect_facts *, struct signal_list *);
void detect_auth(const struct detect_env *, const struct mail_message *, const struct detect_facts *, struct signal_list *);
void detect_reported(const struct detect_env *, const struct mail_message *, const struct detect_facts *, struct signal_list *);
void detect_blocklist(const struct detect_env *, const struct mail_message *, const struct detect_facts *, struct signal_list *);

/* Helpers shared by detectors. */
/* True when domain is one of the organisation's own domains or below one. */
bool env_is_own(const struct detect_env *env, const char *domain);
/* The registrable domain, or domain itself when it has none. Arena-owned. */
const char *env_org_of(struct arena *a, const char *domain);

#endif
