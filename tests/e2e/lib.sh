# shellcheck shell=bash
# tests/e2e/lib.sh: the start every end-to-end test shares. A test begins
#     . "$(dirname "$0")/lib.sh" NAME "$@"
# and ends with `e2e_done`. It then has:
#   BIN          the binary under test (the test's first argument)
#   ROOT         the repository; CASES and CONF, the message fixtures and
#                their configuration
#   T            a scratch directory, removed at exit
#   PIDS         servers the test started: each is killed at exit
#   fail MSG     prints "FAIL: MSG" and counts it; e2e_done exits non-zero
#                when anything failed
set -u
BIN=${2:?usage: test_$1.sh BINARY}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CASES=$ROOT/tests/cases
CONF=$CASES/leakguard.conf
T=$(mktemp -d "${TMPDIR:-/tmp}/leakguard-$1.XXXXXX")
PIDS=()
fails=0

e2e_cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap e2e_cleanup EXIT

fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

e2e_done() {
	[ "$fails" -eq 0 ]
	exit
}
