/* server.c: see server.h. The libmilter glue: callbacks, the per-message
 * session kept in the connection's private data, and carrying out plans. */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <glib.h>
#include <libmilter/mfapi.h>

#include "mail/authres.h"
#include "milter/plan.h"
#include "milter/pool.h"
#include "milter/reporting.h"
#include "milter/server.h"
#include "report/mailer.h"
#include "report/stamp.h"
#include "report/vouch.h"
#include "store/reports.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/log.h"

#define SPOOF_PREFIX "X-Leakguard-"
#define SENDER_MAX 256 /* bytes of the envelope sender kept for the log */
#define AUTH_MAX 256   /* bytes of a SASL login kept */
/* The macros MAIL FROM must bring (Postfix sends these by default; asked
 * for explicitly where the MTA lets a filter choose, SMFIF_SETSYMLIST). */
#define ENVFROM_MACROS "i {auth_authen} {auth_type} {mail_addr}"

/* The MTA's actions this filter needs, the stages it does not want to hear
 * about, and the stages it answers with no reply: Postfix then streams
 * headers and body without waiting, one round trip per message instead of
 * one per header line (milter protocol 6). */
#define ACTIONS (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_CHGBODY | SMFIF_QUARANTINE)
#define SKIPPED (SMFIP_NODATA | SMFIP_NOUNKNOWN)
#define NO_REPLY (SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY)
#define HELO_MAX 256 /* bytes of the HELO name kept, for SPF */
#define RCPT_MAX 100 /* envelope recipients kept per message, for the history */
#define AR_NAME "Authentication-Results"

/* One connection's state; a message's fields are reset between messages. */
struct session {
	unsigned long no_reply; /* the NO_REPLY steps the MTA agreed to */
	bool in_message;        /* between MAIL FROM and the end or abort */
	struct runtime *rt;     /* the rules this message is judged by */
	char client_ip[INET6_ADDRSTRLEN]; /* the connecting client, "" when unknown */
	char helo[HELO_MAX];    /* the HELO/EHLO name, "" when none */
	char *sender;           /* envelope sender as given, "<>" for bounces */
	char *auth;             /* the SASL login ({auth_authen}), NULL without */
	char *subject;          /* first Subject value as received, NULL if none */
	struct buf raw;         /* header block and body, unless too large */
	size_t size;            /* bytes seen, kept or not */
	bool too_large;
	bool to_report;         /* a recipient is the report address */
	char **spoofed;         /* names of X-Leakguard-* fields, in order */
	char **spoofed_value;   /* their values (to check an alert's signature) */
	size_t nspoofed, spoofed_cap, spoofed_value_cap;
	char *message_id;       /* first Message-ID value, NULL if none */
	char *date;             /* first Date value, NULL if none */
	char **rcpts;           /* envelope recipients, "<>" stripped (RCPT_MAX) */
	size_t nrcpts, rcpts_cap;
	size_t nar;             /* Authentication-Results fields seen */
	unsigned *own_ar;       /* their 1-based numbers that carry our authserv-id */
	size_t nown_ar, own_ar_cap;
};

/* One analysis, handed to the pool; it owns its own runtime reference so an
 * abandoned job can run to its end after the session has moved on. */
struct job {
	struct runtime *rt;
	struct buf raw;
	char *subject;
	char *client_ip, *sender, *auth; /* what the MTA said, for the history's vouch */
	char *helo;                      /* and for SPF */
	char **rcpts;                    /* the envelope recipients, for the history */
	size_t nrcpts;
	struct plan plan;
	enum lg_status rc;
};

/* What happened to a message, for its log line. The strings are static or
 * copied: the plan they come from is freed before the line is written. */
struct outcome {
	const char *verdict, *action;
	char signals[128], note[400]; /* note: "" for none */
	double score;
};

static struct {
	struct runtime_holder *holder;
	struct pool *pool;
	atomic_uint inflight;
	atomic_bool stopping;
} server;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A CLOCK_MONOTONIC time point, from milliseconds as now_ms() counts them. */
static struct timespec monotonic_at(double ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1e3);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1e3) * 1e6);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	if (ts.tv_nsec < 0)
		ts.tv_nsec = 0;
	return ts;
}

/* ---- the session ---------------------------------------------------------- */

static struct session *session_of(SMFICTX *ctx)
{
	struct session *s = smfi_getpriv(ctx);

	if (!s) {
		s = lg_calloc(1, sizeof(*s));
		buf_init(&s->raw);
		smfi_setpriv(ctx, s);
	}
	return s;
}

static void rcpts_free(char ***v, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		lg_free((*v)[i]);
	lg_free(*v);
	*v = NULL;
	*n = 0;
}

static void message_end(struct session *s)
{
	if (!s->in_message)
		return;
	runtime_release(&s->rt);
	lg_free(s->sender);
	lg_free(s->subject);
	lg_free(s->auth);
	lg_free(s->message_id);
	lg_free(s->date);
	s->sender = s->subject = s->auth = s->message_id = s->date = NULL;
	buf_cleanup(&s->raw);
	for (size_t i = 0; i < s->nspoofed; i++) {
		lg_free(s->spoofed[i]);
		lg_free(s->spoofed_value[i]);
	}
	lg_free(s->spoofed);
	lg_free(s->spoofed_value);
	s->spoofed = s->spoofed_value = NULL;
	s->nspoofed = s->spoofed_cap = s->spoofed_value_cap = 0;
	lg_free(s->own_ar);
	s->own_ar = NULL;
	s->nar = s->nown_ar = s->own_ar_cap = 0;
	rcpts_free(&s->rcpts, &s->nrcpts);
	s->rcpts_cap = 0;
	s->size = 0;
	s->too_large = false;
	s->to_report = false;
	s->in_message = false;
	atomic_fetch_sub(&server.inflight, 1);
}

/* Keeps n bytes of the message unless it has outgrown max_size; then only
 * counts them. Bare LF (libmilter hands folded header lines so) becomes
 * CRLF, so the reconstructed message has one kind of line end. */
static void keep(struct session *s, const char *p, size_t n, bool header)
{
	size_t max = runtime_settings(s->rt)->max_size;

	s->size += n;
	if (s->too_large)
		return;
	if (s->size > max) {
		s->too_large = true;
		buf_cleanup(&s->raw);
		return;
	}
	if (!header) {
		buf_append(&s->raw, p, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			buf_putc(&s->raw, '\r');
		buf_putc(&s->raw, p[i]);
	}
}

/* ---- callbacks before the end of the message ------------------------------ */

/* What a step answers: nothing when the MTA agreed to expect nothing. */
static sfsistat step_done(const struct session *s, unsigned long flag)
{
	return s->no_reply & flag ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat on_negotiate(SMFICTX *ctx, unsigned long actions, unsigned long steps, unsigned long f2,
			     unsigned long f3, unsigned long *want_actions, unsigned long *want_steps,
			     unsigned long *want_f2, unsigned long *want_f3)
{
	struct session *s = session_of(ctx);

	if ((actions & ACTIONS) != ACTIONS) {
		log_error("milter: the MTA does not allow adding and changing headers, replacing the body and "
			  "quarantine; refusing the connection");
		return SMFIS_REJECT;
	}
	*want_actions = ACTIONS;
	/* Staff reports need the SASL login at MAIL FROM: ask for it where
	 * the MTA lets a filter choose its macros. */
	if ((actions & SMFIF_SETSYMLIST) && smfi_setsymlist(ctx, SMFIM_ENVFROM, (char *)ENVFROM_MACROS) == MI_SUCCESS)
		*want_actions |= SMFIF_SETSYMLIST;
	*want_steps = steps & (SKIPPED | NO_REPLY);
	*want_f2 = *want_f3 = 0;
	s->no_reply = *want_steps & NO_REPLY;
	return SMFIS_CONTINUE;
}

/* Keeps the client's address: whether it is one of our relays is decided
 * from the connection, never from a header the sender wrote. */
static sfsistat on_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *addr)
{
	struct session *s = session_of(ctx);
	const struct sockaddr *sa = (const struct sockaddr *)addr;

	(void)hostname;
	s->client_ip[0] = '\0';
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, s->client_ip, sizeof(s->client_ip));
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, s->client_ip, sizeof(s->client_ip));
	return step_done(s, SMFIP_NR_CONN);
}

static sfsistat on_helo(SMFICTX *ctx, char *name)
{
	struct session *s = session_of(ctx);

	g_strlcpy(s->helo, name ? name : "", sizeof(s->helo));
	for (char *c = s->helo; *c; c++)
		if ((unsigned char)*c <= ' ')
			*c = '?';
	return step_done(s, SMFIP_NR_HELO);
}

/* Keeps the number of an Authentication-Results field that names our own
 * authserv-id: only this milter may write those (RFC 8601 section 5). */
static void note_auth_results(struct session *s, const char *value)
{
	const struct milter_settings *set = runtime_settings(s->rt);
	struct authres ar;

	s->nar++;
	if (!set->verifier || !authres_parse(value, &ar) || strcmp(ar.authserv_id, set->authserv_id) != 0)
		return;
	s->own_ar = lg_grow(s->own_ar, &s->own_ar_cap, s->nown_ar + 1, sizeof(unsigned));
	s->own_ar[s->nown_ar++] = (unsigned)s->nar;
}

static sfsistat on_envfrom(SMFICTX *ctx, char **argv)
{
	struct session *s = session_of(ctx);
	const char *sender;

	message_end(s);
	if (atomic_load(&server.stopping)) {
		smfi_setreply(ctx, "451", "4.3.2", "leakguard is restarting; try again later");
		return SMFIS_TEMPFAIL;
	}
	atomic_fetch_add(&server.inflight, 1);
	s->in_message = true;
	s->rt = runtime_acquire(server.holder);
	sender = argv && argv[0] ? argv[0] : "<>";
	s->sender = lg_strndup(sender, strnlen(sender, SENDER_MAX));
	for (char *c = s->sender; *c; c++)
		if ((unsigned char)*c <= ' ')
			*c = '?';
	{
		const char *auth = smfi_getsymval(ctx, (char *)"{auth_authen}");

		s->auth = auth && *auth ? lg_strndup(auth, strnlen(auth, AUTH_MAX)) : NULL;
	}
	return SMFIS_CONTINUE;
}

static sfsistat on_envrcpt(SMFICTX *ctx, char **argv)
{
	struct session *s = session_of(ctx);

	if (s->in_message && argv && argv[0] && reporting_is_report_address(s->rt, argv[0]))
		s->to_report = true;
	/* what the MTA recorded, not the To and Cc the sender wrote: the only
	 * recipients the history may learn as written to (context/people.h) */
	if (s->in_message && argv && argv[0] && s->nrcpts < RCPT_MAX) {
		char *r = g_strdup(argv[0]);

		g_strdelimit(r, "<>", ' ');
		g_strstrip(r);
		if (*r) {
			if (s->nrcpts == s->rcpts_cap)
				s->rcpts = lg_grow(s->rcpts, &s->rcpts_cap, s->nrcpts + 1, sizeof(*s->rcpts));
			s->rcpts[s->nrcpts++] = lg_strdup(r);
		}
		g_free(r);
	}
	return step_done(s, SMFIP_NR_RCPT);
}

static sfsistat on_header(SMFICTX *ctx, char *name, char *value)
{
	struct session *s = session_of(ctx);

	if (!s->in_message)
		return step_done(s, SMFIP_NR_HDR);
	if (strncasecmp(name, SPOOF_PREFIX, strlen(SPOOF_PREFIX)) == 0) {
		s->spoofed = lg_grow(s->spoofed, &s->spoofed_cap, s->nspoofed + 1, sizeof(char *));
		s->spoofed_value = lg_grow(s->spoofed_value, &s->spoofed_value_cap, s->nspoofed + 1, sizeof(char *));
		s->spoofed_value[s->nspoofed] = lg_strdup(value);
		s->spoofed[s->nspoofed++] = lg_strdup(name);
	}
	if (!s->message_id && strcasecmp(name, "Message-ID") == 0)
		s->message_id = lg_strdup(value);
	if (!s->date && strcasecmp(name, "Date") == 0)
		s->date = lg_strdup(value);
	if (strcasecmp(name, AR_NAME) == 0)
		note_auth_results(s, value);
	if (!s->subject && strcasecmp(name, "Subject") == 0)
		s->subject = lg_strdup(value);
	keep(s, name, strlen(name), true);
	keep(s, ": ", 2, true);
	keep(s, value, strlen(value), true);
	keep(s, "\r\n", 2, true);
	return step_done(s, SMFIP_NR_HDR);
}

static sfsistat on_eoh(SMFICTX *ctx)
{
	struct session *s = session_of(ctx);

	if (s->in_message)
		keep(s, "\r\n", 2, true);
	return step_done(s, SMFIP_NR_EOH);
}

static sfsistat on_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	struct session *s = session_of(ctx);

	if (s->in_message)
		keep(s, (const char *)chunk, len, false);
	return step_done(s, SMFIP_NR_BODY);
}

static sfsistat on_abort(SMFICTX *ctx)
{
	struct session *s = smfi_getpriv(ctx);

	if (s)
		message_end(s);
	return SMFIS_CONTINUE;
}

static sfsistat on_close(SMFICTX *ctx)
{
	struct session *s = smfi_getpriv(ctx);

	if (s) {
		message_end(s);
		lg_free(s);
		smfi_setpriv(ctx, NULL);
	}
	return SMFIS_CONTINUE;
}

/* ---- the analysis job ------------------------------------------------------ */

static void job_work(void *arg)
{
	struct job *j = arg;

	struct auth_smtp smtp = {j->client_ip, j->helo, j->sender, j->auth};
	char *bare = g_strdup(j->sender ? j->sender : "");

	/* MAIL FROM as an address: "<a@b>" -> "a@b", "<>" -> "". */
	g_strdelimit(bare, "<>", ' ');
	g_strstrip(bare);
	smtp.mail_from = bare;
	j->rc = plan_build_verified(runtime_engine(j->rt), runtime_settings(j->rt), &smtp,
				    j->raw.data ? j->raw.data : "", j->raw.len, j->subject, &j->plan);
	g_free(bare);
	if (!j->rc && j->plan.verdict.kind == VERDICT_CLEAN) {
		struct vouch_facts f = {j->auth, j->client_ip, j->sender};

		if (report_vouch_history(runtime_engine(j->rt), runtime_config(j->rt), &f, j->plan.msg))
			runtime_remember(j->rt, j->plan.msg, (const char *const *)j->rcpts, j->nrcpts);
	}
}

static void job_free(void *arg)
{
	struct job *j = arg;

	plan_cleanup(&j->plan);
	buf_cleanup(&j->raw);
	lg_free(j->subject);
	lg_free(j->client_ip);
	lg_free(j->sender);
	lg_free(j->auth);
	lg_free(j->helo);
	rcpts_free(&j->rcpts, &j->nrcpts);
	runtime_release(&j->rt);
	lg_free(j);
}

/* ---- carrying out --------------------------------------------------------- */

static void add_header(SMFICTX *ctx, const char *name, const char *value, const char *qid)
{
	if (smfi_addheader(ctx, (char *)name, (char *)value) != MI_SUCCESS)
		log_warn("milter: %s: cannot add %s", qid, name);
}

/* True when field i is leakguard's own alert mark, signed over this
 * message's Message-ID with the store's key (report/mailer.h); only the
 * first such field is kept. */
static bool signed_mark(const struct session *s, size_t i)
{
	const unsigned char *key = runtime_alert_key(s->rt);

	if (!key || strcasecmp(s->spoofed[i], MAILER_MARK) != 0)
		return false;
	for (size_t j = 0; j < i; j++)
		if (strcasecmp(s->spoofed[j], MAILER_MARK) == 0)
			return false;
	return mailer_mark_valid(key, REPORT_KEY_LEN, s->message_id, s->date, s->spoofed_value[i]);
}

/* Stamps inbound mail with the connecting client's address, signed with
 * the store's key (report/stamp.h), so that a staff report of it later
 * names the IP this milter saw, not one the sender wrote. Authenticated
 * submissions are staff's own mail and get none. */
static void stamp_client(SMFICTX *ctx, const struct session *s, const char *qid)
{
	const unsigned char *key = runtime_alert_key(s->rt);
	char *v;

	if (!key || s->auth || !*s->client_ip)
		return;
	v = report_stamp_sign(key, REPORT_KEY_LEN, s->client_ip, s->message_id, s->date);
	if (v)
		add_header(ctx, REPORT_STAMP, v, qid);
	g_free(v);
}

/* Deletes every X-Leakguard-* field that came with the message: only this
 * milter may say what it found, and only leakguard's key signs its alert
 * mark. The last occurrence of a name goes first, so the indexes of those
 * before it stay valid. */
static void remove_spoofed(SMFICTX *ctx, const struct session *s, const char *qid)
{
	for (size_t i = s->nspoofed; i-- > 0;) {
		int index = 0;

		if (signed_mark(s, i))
			continue;
		for (size_t j = 0; j <= i; j++)
			if (strcasecmp(s->spoofed[j], s->spoofed[i]) == 0)
				index++;
		if (smfi_chgheader(ctx, s->spoofed[i], index, NULL) != MI_SUCCESS)
			log_warn("milter: %s: cannot remove a spoofed %s header", qid, s->spoofed[i]);
	}
}

/* Deletes the Authentication-Results fields that came with the message
 * under our own authserv-id (a forgery or a stale copy), the last first so
 * the numbers of those before it stay valid. */
static void remove_own_auth_results(SMFICTX *ctx, const struct session *s, const char *qid)
{
	for (size_t i = s->nown_ar; i-- > 0;)
		if (smfi_chgheader(ctx, (char *)AR_NAME, (int)s->own_ar[i], NULL) != MI_SUCCESS)
			log_warn("milter: %s: cannot remove a forged %s header", qid, AR_NAME);
}

/* smfi_setreply() reads '%' as a format character. */
static void set_reply(SMFICTX *ctx, const char *code, const char *xcode, const char *text, const char *qid)
{
	struct buf b;

	buf_init(&b);
	for (const char *c = text; *c; c++) {
		if (*c == '%')
			buf_putc(&b, '%');
		buf_putc(&b, (unsigned char)*c < ' ' ? ' ' : *c);
	}
	if (smfi_setreply(ctx, (char *)code, (char *)xcode, b.data ? b.data : (char *)"") != MI_SUCCESS)
		log_warn("milter: %s: cannot set the %s reply", qid, code);
	buf_cleanup(&b);
}

static sfsistat apply(SMFICTX *ctx, const struct session *s, struct plan *p, const char *qid, struct outcome *o)
{
	o->verdict = verdict_kind_name(p->verdict.kind);
	o->score = p->verdict.score;
	snprintf(o->signals, sizeof(o->signals), "%s", p->log_signals);
	o->action = verdict_action_name(p->verdict.action);
	if (p->disposition == PLAN_REJECT) {
		set_reply(ctx, "550", "5.7.1", p->reason, qid);
		return SMFIS_REJECT;
	}
	if (p->auth_results && smfi_insheader(ctx, 0, (char *)AR_NAME, (char *)p->auth_results) != MI_SUCCESS)
		log_warn("milter: %s: cannot add %s", qid, AR_NAME);
	add_header(ctx, "X-Leakguard-Verdict", p->verdict_header, qid);
	add_header(ctx, "X-Leakguard-Score", p->score_header, qid);
	add_header(ctx, "X-Leakguard-Signals", p->signals_header, qid);
	if (p->subject) {
		if (s->subject ? smfi_chgheader(ctx, "Subject", 1, (char *)p->subject) != MI_SUCCESS
			       : smfi_addheader(ctx, "Subject", (char *)p->subject) != MI_SUCCESS)
			log_warn("milter: %s: cannot tag the subject", qid);
	}
	if (p->replace_body) {
		if (p->body.len > (size_t)0x7fffffff ||
		    smfi_replacebody(ctx, (unsigned char *)p->body.data, (int)p->body.len) != MI_SUCCESS)
			log_warn("milter: %s: cannot replace the body; the banner is missing", qid);
		else
			snprintf(o->note, sizeof(o->note), "banner=%s",
				 p->banner.text_parts && p->banner.html_parts ? "text+html"
				 : p->banner.html_parts ? "html" : "text");
	} else if (p->verdict.action == ACTION_TAG || p->verdict.action == ACTION_QUARANTINE) {
		if (runtime_settings(s->rt)->banner)
			snprintf(o->note, sizeof(o->note), "banner=none");
	}
	if (p->disposition == PLAN_QUARANTINE && smfi_quarantine(ctx, (char *)p->reason) != MI_SUCCESS)
		log_warn("milter: %s: cannot quarantine", qid);
	return SMFIS_CONTINUE;
}

/* The analysis could not finish: the fail mode says what happens. */
static sfsistat fail(SMFICTX *ctx, const struct milter_settings *set, const char *why, const char *qid,
		     struct outcome *o)
{
	o->verdict = "unscanned";
	snprintf(o->note, sizeof(o->note), "%s", why);
	if (set->fail_mode == MILTER_FAIL_TEMPFAIL) {
		o->action = "tempfail";
		set_reply(ctx, "451", "4.7.1", "leakguard could not scan this message; try again later", qid);
		return SMFIS_TEMPFAIL;
	}
	o->action = "accept";
	add_header(ctx, "X-Leakguard-Verdict", "unscanned", qid);
	add_header(ctx, "X-Leakguard-Note", why, qid);
	return SMFIS_CONTINUE;
}

static sfsistat scan(SMFICTX *ctx, struct session *s, double started, const char *qid, struct outcome *o)
{
	const struct milter_settings *set = runtime_settings(s->rt);
	struct timespec deadline = monotonic_at(started + set->timeout_ms);
	struct job *j = lg_calloc(1, sizeof(*j));
	char why[128];
	enum lg_status rc;
	sfsistat st;

	j->rt = runtime_ref(s->rt);
	j->raw = s->raw;
	buf_init(&s->raw);
	j->subject = s->subject ? lg_strdup(s->subject) : NULL;
	j->client_ip = *s->client_ip ? lg_strdup(s->client_ip) : NULL;
	j->sender = lg_strdup(s->sender);
	j->auth = s->auth ? lg_strdup(s->auth) : NULL;
	j->helo = *s->helo ? lg_strdup(s->helo) : NULL;
	j->rcpts = s->rcpts; /* moved: the job outlives the session's message */
	j->nrcpts = s->nrcpts;
	s->rcpts = NULL;
	s->nrcpts = s->rcpts_cap = 0;
	rc = pool_run(server.pool, job_work, job_free, j, &deadline);
	if (rc) {
		snprintf(why, sizeof(why), rc == LG_ELIMIT ? "analysis did not finish within %u ms"
							  : "analysis could not start (%u ms budget)", set->timeout_ms);
		return fail(ctx, set, why, qid, o);
	}
	if (j->rc)
		st = fail(ctx, set, "the message could not be parsed", qid, o);
	else
		st = apply(ctx, s, &j->plan, qid, o);
	job_free(j);
	return st;
}

/* A staff forward to the report address becomes a report instead of mail
 * for a person; one that cannot be recorded is delivered so nothing is
 * lost. *r says REPORTING_NOT_STAFF when it is ordinary mail to scan. */
static sfsistat take_report(struct session *s, struct outcome *o, char *note, size_t size,
			    enum reporting_result *res)
{
	struct vouch_facts f = {s->auth, *s->client_ip ? s->client_ip : NULL, s->sender};
	enum reporting_result r = reporting_take(s->rt, &f, s->raw.data ? s->raw.data : "", s->raw.len, note, size);

	*res = r;
	if (r == REPORTING_NOT_STAFF)
		return SMFIS_CONTINUE;
	o->verdict = "report";
	snprintf(o->note, sizeof(o->note), "%s", note);
	o->action = r == REPORTING_FAILED ? "accept" : "discard";
	return r == REPORTING_FAILED ? SMFIS_CONTINUE : SMFIS_DISCARD;
}

static sfsistat on_eom(SMFICTX *ctx)
{
	struct session *s = session_of(ctx);
	double started = now_ms();
	const char *qid = smfi_getsymval(ctx, "i");
	struct outcome o = {"unscanned", "accept", "-", "", 0};
	char note[400];
	sfsistat st;

	if (!qid)
		qid = "NOQUEUE";
	if (!s->in_message)
		return SMFIS_CONTINUE;
	remove_spoofed(ctx, s, qid);
	remove_own_auth_results(ctx, s, qid);
	stamp_client(ctx, s, qid);
	if (s->too_large) {
		snprintf(note, sizeof(note), "not scanned: larger than max_size (%zu bytes)",
			 runtime_settings(s->rt)->max_size);
		add_header(ctx, "X-Leakguard-Verdict", "unscanned", qid);
		add_header(ctx, "X-Leakguard-Note", note, qid);
		snprintf(o.note, sizeof(o.note), "too-large");
		st = SMFIS_CONTINUE;
	} else {
		enum reporting_result r = REPORTING_NOT_STAFF;

		if (s->to_report)
			st = take_report(s, &o, note, sizeof(note), &r);
		if (r == REPORTING_NOT_STAFF) {
			st = scan(ctx, s, started, qid, &o);
			if (s->to_report)
				snprintf(o.note + strlen(o.note), sizeof(o.note) - strlen(o.note), "%s%s",
					 *o.note ? "; " : "", note);
		}
	}
	log_info("milter: %s from=%s size=%zu verdict=%s score=%.2f action=%s signals=%s ms=%.2f%s%s%s", qid,
		 s->sender, s->size, o.verdict, o.score, o.action, o.signals, now_ms() - started,
		 *o.note ? " (" : "", o.note, *o.note ? ")" : "");
	message_end(s);
	return st;
}

/* ---- running -------------------------------------------------------------- */

/* Refuses new messages and waits for those in flight; true the first time. */
static bool drain(void)
{
	double until = now_ms() + MILTER_DRAIN_MS;
	unsigned n;

	if (atomic_exchange(&server.stopping, true))
		return false;
	log_info("milter: stopping: finishing messages in flight");
	while ((n = atomic_load(&server.inflight)) > 0 && now_ms() < until)
		usleep(10 * 1000);
	if (n)
		log_warn("milter: stopping with %u messages unfinished; the MTA's milter_default_action applies", n);
	else
		usleep(MILTER_REPLY_GRACE_MS * 1000);
	return true;
}

void milter_server_stop(void)
{
	/* libmilter stops serving open sessions at once (its worker pool), so
	 * it hears of the stop only once the messages in flight are done. */
	if (drain())
		smfi_stop();
}

enum lg_status milter_server_run(struct runtime_holder *h, unsigned workers, struct errbuf *err)
{
	struct smfiDesc desc = {
		.xxfi_name = "leakguard",
		.xxfi_connect = on_connect,
		.xxfi_helo = on_helo,
		.xxfi_version = SMFI_VERSION,
		.xxfi_flags = ACTIONS,
		.xxfi_envfrom = on_envfrom,
		.xxfi_envrcpt = on_envrcpt,
		.xxfi_header = on_header,
		.xxfi_eoh = on_eoh,
		.xxfi_body = on_body,
		.xxfi_eom = on_eom,
		.xxfi_abort = on_abort,
		.xxfi_close = on_close,
		.xxfi_negotiate = on_negotiate,
	};
	struct runtime *rt = runtime_acquire(h);
	char listen[512];
	enum lg_status rc = LG_OK;

	snprintf(listen, sizeof(listen), "%s", runtime_settings(rt)->listen);
	runtime_release(&rt);
	server.holder = h;
	atomic_init(&server.inflight, 0);
	atomic_init(&server.stopping, false);
	if (smfi_register(desc) != MI_SUCCESS || smfi_setconn(listen) != MI_SUCCESS)
		return errbuf_set(err, LG_EINTERNAL, "libmilter refused the filter or the socket '%s'", listen);
	if (smfi_opensocket(true) != MI_SUCCESS)
		return errbuf_set(err, LG_EIO, "cannot listen on %s (in use, bad address, or no permission)", listen);
	if ((rc = pool_new(workers, &server.pool, err)))
		return rc;
	log_info("milter: listening on %s with %u analysis threads", listen, workers);
	if (smfi_main() != MI_SUCCESS)
		rc = errbuf_set(err, LG_EINTERNAL, "libmilter stopped with an error on %s", listen);
	drain(); /* no-op after milter_server_stop() */
	pool_free(&server.pool, 2000);
	reporting_cleanup();
	log_info("milter: stopped");
	return rc;
}
