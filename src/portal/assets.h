/* assets.h: the files of web/ compiled into the binary (the generated
 * build/gen/portal_assets.c, made by web/embed.sh), so `leakguard serve`
 * needs no files beside it and serves exactly what was built. */
#ifndef LG_PORTAL_ASSETS_H
#define LG_PORTAL_ASSETS_H

#include <stddef.h>

struct asset {
	const char *name; /* "style.css" */
	const char *data; /* NUL-terminated after len bytes */
	size_t len;
};

extern const struct asset portal_assets[];
extern const size_t portal_nassets;

/* The asset named name, NULL when there is none. */
const struct asset *asset_find(const char *name);
/* Its Content-Type from its extension. */
const char *asset_type(const char *name);

#endif
