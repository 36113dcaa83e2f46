/* audit.c: the configuration audit (audit.h). Generic walk over any JSON:
 * an object is judged by the keys it carries, so the same rules cover the
 * az CLI's flat output, ARM's "properties" objects and Terraform's
 * "values"; S3 buckets are matched to public access blocks by name and by
 * Terraform address references. */
#include <string.h>
#include <strings.h>

#include "scan/audit.h"
#include "util/alloc.h"
#include "util/buf.h"

struct bucket {
	char *path, *name, *address;
};

struct walk {
	const char *file;
	scan_finding_cb cb;
	void *ctx;
	size_t n;
	struct bucket *buckets;
	size_t nb, capb;
	char **blocked; /* bucket names and addresses a public access block covers */
	size_t nblk, capblk;
};

static void emit(struct walk *w, const char *path, const char *rule, const char *subject, const char *msg)
{
	struct scan_finding f = {w->file, path, rule, subject ? subject : "", msg};

	w->n++;
	if (w->cb)
		w->cb(w->ctx, &f);
}

static const char *str(json_t *o, const char *k)
{
	json_t *v = json_is_object(o) ? json_object_get(o, k) : NULL;

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool is_true(json_t *o, const char *k)
{
	json_t *v = json_is_object(o) ? json_object_get(o, k) : NULL;

	return json_is_true(v) || (json_is_string(v) && strcasecmp(json_string_value(v), "true") == 0);
}

static void block_add(struct walk *w, const char *s)
{
	if (!s || !*s)
		return;
	w->blocked = lg_grow(w->blocked, &w->capblk, w->nblk + 1, sizeof(char *));
	w->blocked[w->nblk++] = lg_strdup(s);
}

static bool public_level(const char *v)
{
	return v && (strcasecmp(v, "blob") == 0 || strcasecmp(v, "container") == 0);
}

static void judge(struct walk *w, json_t *o, const char *path)
{
	const char *type = str(o, "type"), *name = str(o, "name");
	json_t *props = json_object_get(o, "properties"), *values = json_object_get(o, "values");
	const char *access;
	char msg[512];

	/* az storage account list, ARM properties */
	if (is_true(o, "allowBlobPublicAccess")) {
		snprintf(msg, sizeof(msg), "allowBlobPublicAccess is true: containers of %s may be made public",
			 name ? name : "this storage account");
		emit(w, path, "azure-account-public-access", name, msg);
	}
	/* az storage container list (properties.publicAccess), ARM containers */
	access = str(props, "publicAccess");
	if (public_level(access) && (!type || strstr(type, "containers"))) {
		snprintf(msg, sizeof(msg), "container %s allows anonymous %s access", name ? name : "(unnamed)",
			 strcasecmp(access, "container") == 0 ? "listing and read" : "read by name");
		emit(w, path, "azure-container-public", name, msg);
	}
	if (!type || !json_is_object(values))
		return;
	/* Terraform plan JSON: {"address","type","name","values"} */
	if (strcmp(type, "azurerm_storage_account") == 0) {
		json_t *nested = json_object_get(values, "allow_nested_items_to_be_public");

		if (json_is_true(nested) || is_true(values, "allow_blob_public_access")) {
			const char *who = str(values, "name");

			if (!who)
				who = str(o, "address");
			snprintf(msg, sizeof(msg), "%s allows public blob access (allow_nested_items_to_be_public)",
				 who ? who : "a storage account");
			emit(w, path, "azure-account-public-access", str(values, "name"), msg);
		}
	} else if (strcmp(type, "azurerm_storage_container") == 0) {
		access = str(values, "container_access_type");
		if (public_level(access)) {
			const char *who = str(values, "name");

			snprintf(msg, sizeof(msg), "container %s has container_access_type = \"%s\"", who ? who : "(unnamed)",
				 access);
			emit(w, path, "azure-container-public", str(values, "name"), msg);
		}
	} else if (strcmp(type, "aws_s3_bucket") == 0) {
		w->buckets = lg_grow(w->buckets, &w->capb, w->nb + 1, sizeof(*w->buckets));
		w->buckets[w->nb].path = lg_strdup(path);
		w->buckets[w->nb].name = str(values, "bucket") ? lg_strdup(str(values, "bucket")) : NULL;
		w->buckets[w->nb].address = str(o, "address") ? lg_strdup(str(o, "address")) : NULL;
		w->nb++;
	} else if (strcmp(type, "aws_s3_bucket_public_access_block") == 0) {
		if (is_true(values, "block_public_acls") && is_true(values, "block_public_policy") &&
		    is_true(values, "ignore_public_acls") && is_true(values, "restrict_public_buckets"))
			block_add(w, str(values, "bucket"));
	} else if (strcmp(type, "aws_s3_bucket_acl") == 0) {
		access = str(values, "acl");
		if (access && (strcmp(access, "public-read") == 0 || strcmp(access, "public-read-write") == 0)) {
			snprintf(msg, sizeof(msg), "bucket ACL is %s", access);
			emit(w, path, "s3-public-acl", str(values, "bucket"), msg);
		}
	}
}

/* Terraform "configuration": a public access block whose bucket expression
 * references aws_s3_bucket.X covers that address. */
static void references(struct walk *w, json_t *o)
{
	const char *type = str(o, "type"), *addr = str(o, "address");
	json_t *refs = json_object_get(json_object_get(json_object_get(o, "expressions"), "bucket"), "references");
	size_t i;
	json_t *r;

	if (!type || strcmp(type, "aws_s3_bucket_public_access_block") != 0 || !addr || !json_is_array(refs))
		return;
	json_array_foreach(refs, i, r)
		if (json_is_string(r) && strncmp(json_string_value(r), "aws_s3_bucket.", 14) == 0) {
			char a[512];
			const char *v = json_string_value(r);
			size_t n = strlen(v);

			if (n > 3 && strcmp(v + n - 3, ".id") == 0)
				n -= 3;
			if (n >= sizeof(a))
				continue;
			memcpy(a, v, n);
			a[n] = '\0';
			block_add(w, a);
		}
}

static void walk(struct walk *w, json_t *v, struct buf *path, int depth)
{
	size_t mark = path->len;

	if (depth > SCAN_AUDIT_MAX_DEPTH)
		return;
	if (json_is_object(v)) {
		const char *k;
		json_t *c;

		judge(w, v, path->data);
		references(w, v);
		json_object_foreach(v, k, c) {
			if (!json_is_object(c) && !json_is_array(c))
				continue;
			buf_appendf(path, ".%s", k);
			walk(w, c, path, depth + 1);
			path->len = mark;
			path->data[mark] = '\0';
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *c;

		json_array_foreach(v, i, c) {
			if (!json_is_object(c) && !json_is_array(c))
				continue;
			buf_appendf(path, "[%zu]", i);
			walk(w, c, path, depth + 1);
			path->len = mark;
			path->data[mark] = '\0';
		}
	}
}

size_t scan_audit_json(const char *file, json_t *doc, scan_finding_cb cb, void *ctx)
{
	struct walk w;
	struct buf path;

	memset(&w, 0, sizeof(w));
	w.file = file;
	w.cb = cb;
	w.ctx = ctx;
	buf_init(&path);
	buf_append(&path, "$", 1);
	walk(&w, doc, &path, 0);
	for (size_t i = 0; i < w.nb; i++) {
		struct bucket *b = &w.buckets[i];
		bool covered = false;
		char msg[512];

		for (size_t k = 0; k < w.nblk && !covered; k++)
			covered = (b->name && strcmp(b->name, w.blocked[k]) == 0) ||
				  (b->address && strcmp(b->address, w.blocked[k]) == 0);
		/* planned_values and resource_changes both list a bucket: report each place */
		if (!covered) {
			snprintf(msg, sizeof(msg), "bucket %s has no public access block with all four settings true",
				 b->name ? b->name : b->address ? b->address : "(unnamed)");
			emit(&w, b->path, "s3-no-public-access-block", b->name, msg);
		}
		lg_free(b->path);
		lg_free(b->name);
		lg_free(b->address);
	}
	for (size_t k = 0; k < w.nblk; k++)
		lg_free(w.blocked[k]);
	lg_free(w.blocked);
	lg_free(w.buckets);
	buf_cleanup(&path);
	return w.n;
}

enum lg_status scan_audit_file(const char *file, scan_finding_cb cb, void *ctx, size_t *nfindings, struct errbuf *err)
{
	json_error_t je;
	json_t *doc;
	FILE *f = fopen(file, "rb");
	long size;

	if (!f)
		return errbuf_set(err, LG_EIO, "%s: cannot open", file);
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > (long)SCAN_AUDIT_MAX_FILE) {
		fclose(f);
		return errbuf_set(err, LG_ELIMIT, "%s: larger than %u bytes", file, SCAN_AUDIT_MAX_FILE);
	}
	rewind(f);
	doc = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
	fclose(f);
	if (!doc)
		return errbuf_set(err, LG_EPARSE, "%s:%d:%d: not JSON: %s", file, je.line, je.column, je.text);
	*nfindings = scan_audit_json(file, doc, cb, ctx);
	json_decref(doc);
	return LG_OK;
}
