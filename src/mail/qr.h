/* qr.h: QR codes in image parts (quishing): the image decoded with
 * gdk-pixbuf (PNG, JPEG, GIF, BMP, WebP where its loaders are installed),
 * turned to 8-bit grey and scanned with ZBar (ISO/IEC 18004 QR Code).
 * Pure core: bytes in, text out; never touches files or the network. */
#ifndef LG_MAIL_QR_H
#define LG_MAIL_QR_H

#include <stddef.h>

#include "util/arena.h"

/* Images larger than these are not decoded (LIMIT): phishing QR images are
 * small, and a decompression bomb must not cost the scan. */
#define QR_MAX_BYTES (256u * 1024)
#define QR_MAX_PIXELS (4000u * 4000u)
/* Longer side larger images are scaled to before scanning. */
#define QR_SCAN_SIDE 800

/* True for the MIME types worth decoding ("image/png", "image/jpeg", ...). */
int qr_is_image_type(const char *type);

/* The text of the first QR code in the len bytes of an image, arena-owned,
 * or NULL when there is none, the image cannot be decoded or passes the
 * limits above. Never fails otherwise. */
const char *qr_decode(struct arena *a, const void *data, size_t len);

#endif
