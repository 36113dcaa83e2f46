/* state.h: what an engine learns from the state store — the classifier's
 * model and the staff reports and blocks — loaded in one call, for the
 * command line and the milter alike. */
#ifndef LG_DETECT_STATE_H
#define LG_DETECT_STATE_H

#include "detect/engine.h"
#include "util/config.h"

/* Loads the model and the reports from the store cfg names (cfg->db, else
 * store_default_path()) into e. A missing store leaves e on heuristics; a
 * damaged one is reported on stderr, with how to rebuild it, and skipped. */
void state_attach(struct engine *e, const struct config *cfg);

/* A cheap token that changes whenever the store is written (its files' sizes
 * and modification times), so a daemon can reload within seconds of a new
 * report or block without re-reading anything otherwise. 0 when there is no store. */
unsigned long long state_version(const struct config *cfg);

#endif
