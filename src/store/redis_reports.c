/* redis_reports.c: staff reports shared between hosts through the Redis
 * Stream lg:reports, as blocks go through lg:blocks (redis_blocks.c): a
 * host appends the reports filed there (each entry names the host that
 * filed it and its id there), every host applies the others' entries to its
 * local copy, from the last entry id it applied. Binary-safe (the
 * fingerprint is bytes): entries are written with argument vectors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/redis.h"
#include "store/redis_blocks.h"
#include "util/alloc.h"

#define STREAM "lg:reports"
#define NFIELDS 13

enum lg_status redis_reports_push(const char *url, const char *origin, const struct report_row *rows,
				  const char *const *corigin, size_t n, size_t *pushed, struct errbuf *err)
{
	struct redis_store *r = NULL;
	enum lg_status rc = redis_stream_connect(url, &r, err);

	*pushed = 0;
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		const struct report_row *x = &rows[i];
		char id[24], campaign[24], at[24], sim[32];
		const char *names[NFIELDS] = {"origin", "id", "campaign_origin", "campaign", "at", "similarity",
					      "reporter", "sender", "sender_domain", "sender_ip", "subject", "summary",
					      "fp"};
		const char *vals[NFIELDS] = {origin, id, corigin[i] ? corigin[i] : origin, campaign, at, sim,
					     x->reporter, x->sender, x->sender_domain, x->sender_ip, x->subject,
					     x->summary, x->fingerprint};
		const char *argv[6 + 2 * NFIELDS] = {"XADD", STREAM, "MAXLEN", "~", "1000000", "*"};
		size_t lens[6 + 2 * NFIELDS];
		int argc = 6;

		snprintf(id, sizeof(id), "%lld", (long long)x->id);
		snprintf(campaign, sizeof(campaign), "%lld", (long long)x->campaign);
		snprintf(at, sizeof(at), "%lld", (long long)x->at);
		snprintf(sim, sizeof(sim), "%.17g", x->similarity);
		for (int k = 0; k < 6; k++)
			lens[k] = strlen(argv[k]);
		for (int k = 0; k < NFIELDS; k++) {
			if (!vals[k])
				continue; /* an absent field is NULL on the other side */
			argv[argc] = names[k];
			lens[argc++] = strlen(names[k]);
			argv[argc] = vals[k];
			lens[argc++] = k == NFIELDS - 1 ? x->fingerprint_len : strlen(vals[k]);
		}
		redis_conn_append_argv(r, argc, argv, lens);
	}
	rc = redis_stream_added(r, n, STREAM, pushed, err);
	redis_conn_close(r);
	return rc;
}

static const char *text(const redisReply *kv, const char *name)
{
	const redisReply *v = redis_stream_field(kv, name);

	return v ? v->str : NULL;
}

struct report_reader {
	enum lg_status (*fn)(void *ctx, const char *id, const char *origin, const char *corigin,
			     const struct report_row *r, struct errbuf *err);
	void *ctx;
};

static enum lg_status report_entry(void *ctx, const char *id, const redisReply *kv, struct errbuf *err)
{
	struct report_reader *rr = ctx;
	struct report_row x = {0};
	const char *origin = text(kv, "origin"), *corigin = text(kv, "campaign_origin"), *rid = text(kv, "id");
	const char *campaign = text(kv, "campaign"), *at = text(kv, "at"), *sim = text(kv, "similarity");
	const redisReply *fp = redis_stream_field(kv, "fp");

	x.reporter = text(kv, "reporter");
	if (!origin || !corigin || !rid || !campaign || !at || !sim || !x.reporter)
		return LG_OK; /* not one of ours */
	x.id = strtoll(rid, NULL, 10);
	x.campaign = strtoll(campaign, NULL, 10);
	x.at = strtoll(at, NULL, 10);
	x.similarity = strtod(sim, NULL);
	x.sender = text(kv, "sender");
	x.sender_domain = text(kv, "sender_domain");
	x.sender_ip = text(kv, "sender_ip");
	x.subject = text(kv, "subject");
	x.summary = text(kv, "summary");
	if (fp) {
		x.fingerprint = fp->str;
		x.fingerprint_len = (size_t)fp->len;
	}
	return rr->fn(rr->ctx, id, origin, corigin, &x, err);
}

enum lg_status redis_reports_read(const char *url, const char *after,
				  enum lg_status (*fn)(void *ctx, const char *id, const char *origin, const char *corigin,
						       const struct report_row *r, struct errbuf *err),
				  void *ctx, struct errbuf *err)
{
	struct report_reader rr = {fn, ctx};

	return redis_stream_each(url, STREAM, after, report_entry, &rr, err);
}
