/* status.c: descriptions of enum lg_status. */
#include "util/status.h"

const char *lg_status_str(enum lg_status rc)
{
	switch (rc) {
	case LG_OK: return "success";
	case LG_ENOMEM: return "out of memory";
	case LG_EIO: return "input/output error";
	case LG_EPARSE: return "malformed input";
	case LG_ELIMIT: return "input exceeds a limit";
	case LG_EUSAGE: return "usage error";
	case LG_ECONFIG: return "configuration error";
	case LG_ENOTFOUND: return "not found";
	case LG_EINTERNAL: return "internal error";
	}
	return "unknown status";
}
