/* train.c: see train.h. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "learn/train.h"
#include "util/alloc.h"

struct delta {
	int64_t spam, ham;
};

struct pending_msg {
	uint8_t digest[32];
	int cls;      /* the class after this batch, -1 when forgotten */
	char *vector; /* its signal vector (learn/fit.h), NULL for none */
};

static void pending_free(gpointer p)
{
	struct pending_msg *m = p;

	g_free(m->vector);
	g_free(m);
}

struct trainer {
	struct store *store;
	GHashTable *deltas;   /* uint64 hash (boxed) -> struct delta */
	GHashTable *pending;  /* digest (32 bytes, boxed) -> struct pending_msg */
	int64_t count_delta[2];
	size_t messages;
};

static guint digest_hash(gconstpointer p)
{
	guint h;

	memcpy(&h, p, sizeof(h));
	return h;
}

static gboolean digest_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, 32) == 0;
}

struct trainer *trainer_new(struct store *s)
{
	struct trainer *t = lg_calloc(1, sizeof(*t));

	t->store = s;
	t->deltas = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	t->pending = g_hash_table_new_full(digest_hash, digest_equal, NULL, pending_free);
	return t;
}

void trainer_free(struct trainer **t)
{
	if (!t || !*t)
		return;
	g_hash_table_destroy((*t)->deltas);
	g_hash_table_destroy((*t)->pending);
	lg_free(*t);
	*t = NULL;
}

void train_digest(const char *raw, size_t len, uint8_t out[32])
{
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	gsize n = 32;

	if (len >= 5 && memcmp(raw, "From ", 5) == 0) {
		const char *nl = memchr(raw, '\n', len);
		size_t skip = nl ? (size_t)(nl - raw) + 1 : len;

		raw += skip;
		len -= skip;
	}
	g_checksum_update(sum, (const guchar *)raw, len);
	g_checksum_get_digest(sum, out, &n);
	g_checksum_free(sum);
}

static void add_tokens(struct trainer *t, const struct token_set *tokens, enum store_class cls, int sign)
{
	for (size_t i = 0; i < tokens->n; i++) {
		struct delta *d = g_hash_table_lookup(t->deltas, &tokens->h[i]);

		if (!d) {
			gint64 *k = g_new(gint64, 1);

			*k = (gint64)tokens->h[i];
			d = g_new0(struct delta, 1);
			g_hash_table_insert(t->deltas, k, d);
		}
		if (cls == STORE_SPAM)
			d->spam += sign;
		else
			d->ham += sign;
	}
	t->count_delta[cls] += sign;
}

/* The class a message has now: from this batch if pending, else the store. */
static enum lg_status current_class(struct trainer *t, const uint8_t digest[32], int *cls, struct errbuf *err)
{
	struct pending_msg *p = g_hash_table_lookup(t->pending, digest);
	enum store_class stored;
	bool found;
	enum lg_status rc;

	if (p) {
		*cls = p->cls;
		return LG_OK;
	}
	rc = store_learned_get(t->store, digest, &found, &stored, err);
	*cls = found ? (int)stored : -1;
	return rc;
}

enum lg_status trainer_class_of(struct trainer *t, const char *raw, size_t len, int *cls, struct errbuf *err)
{
	uint8_t digest[32];

	train_digest(raw, len, digest);
	return current_class(t, digest, cls, err);
}

static void set_pending(struct trainer *t, const uint8_t digest[32], int cls, const char *vector)
{
	struct pending_msg *p = g_hash_table_lookup(t->pending, digest);

	if (!p) {
		p = g_new0(struct pending_msg, 1);
		memcpy(p->digest, digest, 32);
		g_hash_table_insert(t->pending, p->digest, p);
	}
	p->cls = cls;
	g_free(p->vector);
	p->vector = cls >= 0 && vector ? g_strdup(vector) : NULL;
}

enum lg_status trainer_add(struct trainer *t, const char *raw, size_t len, const struct token_set *tokens,
			   enum store_class cls, bool forget, enum train_outcome *outcome, struct errbuf *err)
{
	return trainer_add_vector(t, raw, len, tokens, NULL, cls, forget, outcome, err);
}

enum lg_status trainer_add_vector(struct trainer *t, const char *raw, size_t len, const struct token_set *tokens,
				  const char *vector, enum store_class cls, bool forget, enum train_outcome *outcome,
				  struct errbuf *err)
{
	uint8_t digest[32];
	int now;
	enum lg_status rc;

	train_digest(raw, len, digest);
	rc = current_class(t, digest, &now, err);
	if (rc)
		return rc;
	if (forget) {
		/* Forget subtracts what the message was learnt as, whatever the
		 * caller believes it was. */
		if (now < 0) {
			*outcome = TRAIN_UNKNOWN;
			return LG_OK;
		}
		add_tokens(t, tokens, (enum store_class)now, -1);
		set_pending(t, digest, -1, NULL);
		*outcome = TRAIN_FORGOTTEN;
	} else if (now == (int)cls) {
		*outcome = TRAIN_KNOWN;
		if (!vector)
			return LG_OK;
		set_pending(t, digest, now, vector); /* a fresher vector, nothing else */
	} else {
		if (now >= 0)
			add_tokens(t, tokens, (enum store_class)now, -1);
		add_tokens(t, tokens, cls, +1);
		set_pending(t, digest, (int)cls, vector);
		*outcome = now >= 0 ? TRAIN_MOVED : TRAIN_LEARNT;
	}
	if (++t->messages >= TRAIN_BATCH)
		return trainer_flush(t, err);
	return LG_OK;
}

static enum lg_status write_messages(struct trainer *t, struct errbuf *err)
{
	GHashTableIter it;
	gpointer k, v;
	enum lg_status rc = LG_OK;

	g_hash_table_iter_init(&it, t->pending);
	while (!rc && g_hash_table_iter_next(&it, &k, &v)) {
		struct pending_msg *p = v;

		rc = p->cls < 0 ? store_learned_del(t->store, p->digest, err)
				: store_learned_put(t->store, p->digest, (enum store_class)p->cls, err);
		/* The vector goes with the digest: forgetting removes both. */
		if (!rc)
			rc = p->vector ? store_vector_put(t->store, p->digest, p->vector, err)
				       : store_vector_del(t->store, p->digest, err);
	}
	for (int c = 0; !rc && c < 2; c++)
		if (t->count_delta[c])
			rc = store_count_add(t->store, (enum store_class)c, t->count_delta[c], err);
	return rc;
}

static int by_hash(const void *a, const void *b)
{
	int64_t x = (int64_t)((const struct store_token *)a)->hash;
	int64_t y = (int64_t)((const struct store_token *)b)->hash;

	return x < y ? -1 : x > y;
}

static enum lg_status write_tokens(struct trainer *t, struct errbuf *err)
{
	size_t n = g_hash_table_size(t->deltas), i = 0;
	struct store_token *batch = lg_malloc((n ? n : 1) * sizeof(*batch));
	GHashTableIter it;
	gpointer k, v;
	enum lg_status rc;

	g_hash_table_iter_init(&it, t->deltas);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const struct delta *d = v;

		if (!d->spam && !d->ham)
			continue;
		batch[i++] = (struct store_token){(uint64_t) * (gint64 *)k, d->spam, d->ham, 0};
	}
	/* In key order, the B-tree is walked once instead of hopped around. */
	qsort(batch, i, sizeof(*batch), by_hash);
	rc = store_tokens_add(t->store, batch, i, (int64_t)(time(NULL) / 86400), err);
	lg_free(batch);
	return rc;
}

enum lg_status trainer_flush(struct trainer *t, struct errbuf *err)
{
	enum lg_status rc;

	if (!t->messages && !g_hash_table_size(t->pending))
		return LG_OK;
	rc = store_begin(t->store, err);
	if (rc)
		return rc;
	rc = write_messages(t, err);
	if (!rc)
		rc = write_tokens(t, err);
	if (!rc)
		rc = store_commit(t->store, err);
	if (rc)
		store_rollback(t->store);
	g_hash_table_remove_all(t->deltas);
	g_hash_table_remove_all(t->pending);
	t->count_delta[0] = t->count_delta[1] = 0;
	t->messages = 0;
	return rc;
}
