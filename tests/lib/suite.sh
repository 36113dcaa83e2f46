# shellcheck shell=bash
# tests/lib/suite.sh: what the suites that start real servers share
# (tests/milter/run.sh, tests/portal/run.sh). Sourced after SUITE=NAME:
#   pass TEXT / fail TEXT [DETAIL]   one "ok:" or "FAIL:" line each, counted
#   finish                           "NAME: N passed, M failed"; exits non-zero
#                                    on any failure
# and the port helpers of ports.sh.

# shellcheck source=ports.sh
. "$(dirname "${BASH_SOURCE[0]}")/ports.sh"

passed=0 failed=0
pass() {
	passed=$((passed + 1))
	echo "ok: $1"
}
fail() {
	failed=$((failed + 1))
	echo "FAIL: $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    /'
	return 0
}
finish() {
	echo "$SUITE: $SECONDS s" >&2
	echo "$SUITE: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}
