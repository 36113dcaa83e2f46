#!/usr/bin/env bash
# run.sh: leakguard's end-to-end tests.
#
# Usage: tests/e2e/run.sh BINARY
#
# 1. Every tests/cases/NAME.eml goes through one
#    `BINARY check --config tests/cases/leakguard.conf --json` run, and its
#    result (matched by "path") is held against tests/cases/NAME.expect, one
#    assertion per line ('#' starts a comment):
#        verdict clean|suspicious|spam|phishing   exact verdict
#        verdict-not VERDICT                      any verdict but this one
#        signal NAME                              signal NAME is present
#        nosignal NAME                            signal NAME is absent
#        reason NAME TEXT                         NAME's reason contains TEXT
#                                                 (case-insensitive; reasons are
#                                                 compared refanged: "x[.]com" and
#                                                 "hxxp" count as "x.com", "http")
# 2. Every tests/e2e/test_*.sh runs with BINARY as its argument; each is one
#    case, passing when it exits 0 (it prints its own failures).
#
# Prints each failure with the message's actual verdict and signals, and ends
# with exactly one line "e2e: N passed, M failed" (cases). Exits non-zero on
# any failure. Needs bash and jq.
set -u

if [ $# -ne 1 ]; then
	echo "usage: $0 BINARY" >&2
	exit 2
fi
case $1 in
/*) BIN=$1 ;;
*) BIN=$PWD/$1 ;;
esac
if [ ! -x "$BIN" ]; then
	echo "$0: $1: not an executable file" >&2
	exit 2
fi
if ! command -v jq >/dev/null 2>&1; then
	echo "$0: jq is required (apt-get install jq)" >&2
	exit 2
fi

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CASES=tests/cases
CONF=$CASES/leakguard.conf
cd "$ROOT" || exit 2

WORK=$(mktemp -d "${TMPDIR:-/tmp}/leakguard-e2e.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# Test a private copy, so a rebuild during the run cannot pull the binary
# out from under us.
cp "$BIN" "$WORK/leakguard" || exit 2
BIN=$WORK/leakguard
# An empty state store of our own: a model the developer trained (default
# store or $LEAKGUARD_DB) must not change the verdicts. The scripts below
# make their own too.
export LEAKGUARD_DB=$WORK/store.db

passed=0
failed=0

# shellcheck source=tests/e2e/cases.sh
. "$HERE/cases.sh"
check_cases "$CASES" "$CONF" "$BIN" "$WORK"

# ---------------------------------------------------------------- scripts
for t in "$HERE"/test_*.sh; do
	[ -f "$t" ] || continue
	tname=$(basename "$t" .sh)
	if bash "$t" "$BIN" >"$WORK/$tname.out" 2>&1; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL $tname:"
		sed 's/^/    /' "$WORK/$tname.out" | tail -40
	fi
done

echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
