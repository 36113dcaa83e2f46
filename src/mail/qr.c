/* qr.c: see qr.h. ZBar's raw-image API takes "Y800" (8-bit grey, one byte
 * a pixel); gdk-pixbuf gives RGB(A) rows with a stride. */
#include <stdbool.h>
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <zbar.h>

#include "mail/qr.h"
#include "util/alloc.h"

int qr_is_image_type(const char *type)
{
	static const char *const types[] = {"image/png", "image/jpeg", "image/gif", "image/bmp", "image/webp", NULL};

	for (int i = 0; type && types[i]; i++)
		if (strcmp(type, types[i]) == 0)
			return 1;
	return 0;
}

/* Large images are decoded scaled down to QR_SCAN_SIDE on their longer
 * side: a code meant to be scanned from a screen survives it, and the
 * decode costs a fraction. */
static void size_prepared(GdkPixbufLoader *loader, gint w, gint h, gpointer data)
{
	gint side = w > h ? w : h;

	(void)data;
	if (side > QR_SCAN_SIDE)
		gdk_pixbuf_loader_set_size(loader, (gint)((gint64)w * QR_SCAN_SIDE / side),
					   (gint)((gint64)h * QR_SCAN_SIDE / side));
}

static GdkPixbuf *load(const void *data, size_t len)
{
	GdkPixbufLoader *loader = gdk_pixbuf_loader_new();
	GdkPixbuf *pb = NULL;

	g_signal_connect(loader, "size-prepared", G_CALLBACK(size_prepared), NULL);

	if (gdk_pixbuf_loader_write(loader, data, len, NULL) && gdk_pixbuf_loader_close(loader, NULL)) {
		pb = gdk_pixbuf_loader_get_pixbuf(loader);
		if (pb)
			g_object_ref(pb);
	} else {
		gdk_pixbuf_loader_close(loader, NULL);
	}
	g_object_unref(loader);
	return pb;
}

/* Rec. 601 luma of each pixel; transparent pixels count as white, as a
 * mail reader shows them on a white page. */
static unsigned char *grey(GdkPixbuf *pb, unsigned w, unsigned h)
{
	int stride = gdk_pixbuf_get_rowstride(pb), nch = gdk_pixbuf_get_n_channels(pb);
	bool alpha = gdk_pixbuf_get_has_alpha(pb);
	const guchar *px = gdk_pixbuf_read_pixels(pb);
	unsigned char *out = lg_malloc((size_t)w * h);

	for (unsigned y = 0; y < h; y++)
		for (unsigned x = 0; x < w; x++) {
			const guchar *p = px + (size_t)y * (size_t)stride + (size_t)x * (size_t)nch;
			unsigned v = (299u * p[0] + 587u * p[1] + 114u * p[2]) / 1000u;

			if (alpha && nch == 4)
				v = (v * p[3] + 255u * (255u - p[3])) / 255u;
			out[(size_t)y * w + x] = (unsigned char)v;
		}
	return out;
}

static void free_grey(zbar_image_t *img)
{
	lg_free((void *)zbar_image_get_data(img));
}

const char *qr_decode(struct arena *a, const void *data, size_t len)
{
	GdkPixbuf *pb;
	zbar_image_scanner_t *scanner;
	zbar_image_t *img;
	const zbar_symbol_t *sym;
	const char *found = NULL;
	unsigned w, h;

	if (!data || len == 0 || len > QR_MAX_BYTES)
		return NULL;
	pb = load(data, len);
	if (!pb)
		return NULL;
	w = (unsigned)gdk_pixbuf_get_width(pb);
	h = (unsigned)gdk_pixbuf_get_height(pb);
	if (w < 21 || h < 21 || (unsigned long long)w * h > QR_MAX_PIXELS ||
	    gdk_pixbuf_get_bits_per_sample(pb) != 8 || gdk_pixbuf_get_n_channels(pb) < 3) {
		g_object_unref(pb);
		return NULL;
	}
	scanner = zbar_image_scanner_create();
	zbar_image_scanner_set_config(scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
	zbar_image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	img = zbar_image_create();
	zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(img, w, h);
	zbar_image_set_data(img, grey(pb, w, h), (unsigned long)w * h, free_grey);
	if (zbar_scan_image(scanner, img) > 0)
		for (sym = zbar_image_first_symbol(img); sym && !found; sym = zbar_symbol_next(sym))
			if (zbar_symbol_get_type(sym) == ZBAR_QRCODE && zbar_symbol_get_data_length(sym) > 0)
				found = arena_strndup(a, zbar_symbol_get_data(sym), zbar_symbol_get_data_length(sym));
	zbar_image_destroy(img);
	zbar_image_scanner_destroy(scanner);
	g_object_unref(pb);
	return found;
}
