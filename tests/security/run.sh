#!/usr/bin/env bash
# run.sh: leakguard's attack tests (issue #12). Every tests/security/test_*.sh
# performs attacks against the real binary, one pass or fail line each
# (tests/security/lib.sh). Ends with "security: N passed, M failed" summed
# over every script; exits non-zero when any attack got through or a script
# died without its closing line.
#
# Usage: tests/security/run.sh BINARY
set -u
if [ $# -ne 1 ]; then
	echo "usage: $0 BINARY" >&2
	exit 2
fi
case $1 in
/*) BIN=$1 ;;
*) BIN=$PWD/$1 ;;
esac
[ -x "$BIN" ] || { echo "$0: $1: not an executable file" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/leakguard-security.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# A private copy, so a rebuild during the run cannot change the binary.
cp "$BIN" "$WORK/leakguard" || exit 2
[ -x "${BIN%/*}/leakguard-narrow" ] && cp "${BIN%/*}/leakguard-narrow" "$WORK/"

passed=0 failed=0
for t in "$HERE"/test_*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	out=$(bash "$t" "$WORK/leakguard" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -E '^(ok|FAIL):|^    ' | sed "s|^|$name: |"
	line=$(printf '%s\n' "$out" | grep -E '^security-[a-z_-]+: [0-9]+ passed, [0-9]+ failed$' | tail -n 1)
	if [ -z "$line" ]; then
		echo "FAIL: $name died without its closing line (exit $rc)"
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/    /'
		failed=$((failed + 1))
		continue
	fi
	p=$(printf '%s\n' "$line" | sed 's/.*: \([0-9]*\) passed.*/\1/')
	f=$(printf '%s\n' "$line" | sed 's/.* \([0-9]*\) failed$/\1/')
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $name exited $rc with no failed attack"
		failed=$((failed + 1))
	fi
done
echo "security: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
