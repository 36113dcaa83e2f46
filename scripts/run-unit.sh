#!/usr/bin/env bash
# Runs each cmocka unit-test binary given as an argument and prints one
# closing line "unit: N passed, N failed" counted over every test case.
set -u
passed=0 failed=0 bad=()
for t in "$@"; do
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -E '^\[  (FAILED|ERROR) |^\[  PASSED' | sed "s|^|$(basename "$t"): |"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p')
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p')
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$rc" -ne 0 ]; then
		[ -z "$f" ] && failed=$((failed + 1))
		bad+=("$t")
		printf '%s\n' "$out" | tail -n 30
	fi
done
echo "unit: $passed passed, $failed failed"
[ "${#bad[@]}" -eq 0 ]
