/* status.h: the one status type every fallible leakguard function returns.
 * 0 is success, so callers test `if (rc)`. Human detail travels separately in
 * a caller-provided error buffer (see errbuf.h), as curl's CURLcode + failf(). */
#ifndef LG_STATUS_H
#define LG_STATUS_H

enum lg_status {
	LG_OK = 0,
	LG_ENOMEM,    /* an allocation failed */
	LG_EIO,       /* reading or writing a file or socket failed */
	LG_EPARSE,    /* input is not what it claims to be */
	LG_ELIMIT,    /* input exceeds an explicit limit (size, depth, count) */
	LG_EUSAGE,    /* bad command line or argument */
	LG_ECONFIG,   /* bad configuration value */
	LG_ENOTFOUND, /* a named thing does not exist */
	LG_EINTERNAL, /* a library we rely on failed unexpectedly */
};

/* Returns a short constant description of rc ("out of memory"). */
const char *lg_status_str(enum lg_status rc);

#endif
