# shellcheck shell=bash
# tests/security/lib.sh: the start every attack script shares. A script is
#     . "$(dirname "$0")/lib.sh" NAME "$@"
# then one block per attack, each ending in exactly one
#     pass "ATTACK is stopped"   or   fail "ATTACK got through" [DETAIL]
# and `finish` at the end ("NAME: N passed, M failed", non-zero on failure).
# It has BIN (the binary under test), ROOT, CASES and CONF (the mail
# fixtures and their configuration), T (a scratch directory removed at exit)
# and PIDS (servers the script started, killed at exit), and the port
# helpers of tests/lib/ports.sh.
set -u
SUITE=security-$1
BIN=${2:?usage: test_$1.sh BINARY}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CASES=$ROOT/tests/cases
CONF=$CASES/leakguard.conf
T=$(mktemp -d "${TMPDIR:-/tmp}/leakguard-sec-$1.XXXXXX")
chmod 755 "$T"
PIDS=()
# shellcheck source=../lib/suite.sh
. "$ROOT/tests/lib/suite.sh"

security_cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap security_cleanup EXIT
export LEAKGUARD_DB=$T/state.db
