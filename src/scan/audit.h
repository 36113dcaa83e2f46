/* audit.h: auditing exported storage settings instead of probing — JSON
 * from `az storage account list`, `az storage container list`, ARM
 * templates (Microsoft.Storage/storageAccounts[/blobServices/containers]),
 * and Terraform plan JSON (`terraform show -json`: azurerm_storage_account,
 * azurerm_storage_container, aws_s3_bucket, aws_s3_bucket_public_access_block,
 * aws_s3_bucket_acl). Each finding names the file and the JSON path of the
 * offending object. The walker is pure (a parsed document in, findings
 * out) and bounded (SCAN_AUDIT_MAX_DEPTH, SCAN_AUDIT_MAX_FILE). */
#ifndef LG_SCAN_AUDIT_H
#define LG_SCAN_AUDIT_H

#include <jansson.h>

#include "util/errbuf.h"

#define SCAN_AUDIT_MAX_DEPTH 64
#define SCAN_AUDIT_MAX_FILE (64u * 1024 * 1024)

struct scan_finding {
	const char *file;
	const char *path;    /* "$.resources[2].properties" */
	const char *rule;    /* "azure-account-public-access", "azure-container-public", "s3-no-public-access-block", "s3-public-acl" */
	const char *subject; /* the account, container or bucket name ("" when unknown) */
	const char *message; /* one plain sentence */
};

typedef void (*scan_finding_cb)(void *ctx, const struct scan_finding *f);

/* Walks doc (from file, for the findings' names) and reports each finding.
 * Returns how many there were. */
size_t scan_audit_json(const char *file, json_t *doc, scan_finding_cb cb, void *ctx);

/* Reads and parses file, then scan_audit_json. LG_EIO / LG_EPARSE /
 * LG_ELIMIT with err naming the file (and line and column for bad JSON). */
enum lg_status scan_audit_file(const char *file, scan_finding_cb cb, void *ctx, size_t *nfindings, struct errbuf *err);

#endif
