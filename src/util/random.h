/* random.h: secret random bytes from the operating system's CSPRNG
 * (getrandom(2)). Every key, token, salt and decoy secret comes from here:
 * GLib's g_random_* is a Mersenne Twister whose state can be recovered from
 * its output, so it is for nothing an attacker may see. */
#ifndef LG_RANDOM_H
#define LG_RANDOM_H

#include <stddef.h>
#include <stdint.h>

#include "util/errbuf.h"

/* Fills p[0..n) with random bytes, blocking only until the kernel's pool is
 * first initialised. LG_EIO with err when the kernel refuses (no getrandom,
 * seccomp). */
enum lg_status lg_random_bytes(void *p, size_t n, struct errbuf *err);

/* A random 64-bit value for names and nonces that need no error path
 * (temporary file names); aborts if the kernel has no random bytes at all,
 * a broken invariant of the host. */
uint64_t lg_random_u64(void);

#endif
