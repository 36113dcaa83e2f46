/* fuzz_scan.c: libFuzzer harness for the scanner's parsers of untrusted
 * input — the streaming listing reader (src/scan/listing.c), fed in
 * chunks cut by the first input byte, and the config audit's JSON walker
 * (src/scan/audit.c). */
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "scan/audit.h"
#include "scan/listing.h"

static void on_obj(void *ctx, const struct scan_object *o)
{
	(*(size_t *)ctx) += o->size & 1;
}

static void on_finding(void *ctx, const struct scan_finding *f)
{
	(*(size_t *)ctx)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = 0, step;
	struct scan_listing *l;
	json_t *doc;

	if (size < 1)
		return 0;
	step = (size_t)data[0] % 64 + 1;
	data++;
	size--;
	l = scan_listing_new(on_obj, &n);
	for (size_t p = 0; p < size; p += step)
		scan_listing_push(l, (const char *)data + p, size - p < step ? size - p : step);
	scan_listing_finish(l);
	(void)scan_listing_doc(l);
	(void)scan_listing_next(l);
	scan_listing_free(&l);
	doc = json_loadb((const char *)data, size, 0, NULL);
	if (doc) {
		scan_audit_json("fuzz.json", doc, on_finding, &n);
		json_decref(doc);
	}
	return 0;
}
