/* fingerprint.h: what makes two phishing mails "the same campaign" — a
 * MinHash signature of their normalised wording (Broder 1997: the share of
 * equal minima estimates the Jaccard similarity of the two sets of word
 * 3-shingles), their link hosts, attachment digests, sender domain and IP.
 *
 * Normalisation makes the signature survive what campaigns vary per
 * recipient: case, numbers (every digit run reads as 0), link tracking
 * parameters (links keep only host and path), the greeting line, and the
 * recipient's name (a changed name alters only the few shingles it is in).
 * Pure: no I/O. */
#ifndef LG_REPORT_FINGERPRINT_H
#define LG_REPORT_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mail/message.h"

#define FP_HASHES 64        /* MinHash values */
#define FP_BANDS 16         /* LSH bands of FP_HASHES / FP_BANDS rows */
#define FP_MIN_SHINGLES 8   /* fewer: too little text to compare */

struct fingerprint {
	uint32_t minhash[FP_HASHES];
	unsigned shingles;      /* how many went in; < FP_MIN_SHINGLES: no signature */
};

/* Computes msg's fingerprint from its subject and bodies. */
void fingerprint_of_message(const struct mail_message *msg, struct fingerprint *out);

/* Estimated similarity (0..1) of two fingerprints; 0 when either has too
 * little text. */
double fingerprint_similarity(const struct fingerprint *a, const struct fingerprint *b);

/* The key of band b (0 <= b < FP_BANDS): fingerprints that agree on every
 * row of one band land on the same key, which is how candidates are found
 * by index instead of by comparing with every stored report. */
uint64_t fingerprint_band_key(const struct fingerprint *fp, unsigned band);

bool fingerprint_usable(const struct fingerprint *fp);

#endif
