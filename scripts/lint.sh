#!/usr/bin/env bash
# Style by tools: bans unsafe C calls in src/ (STYLE.md rule 25) and checks
# that every source file opens with a comment saying what it is for.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
banned='\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|atol)\s*\('
if grep -nE "$banned" src/*/*.c src/*.c; then
	echo "lint: banned call above (use snprintf, g_strlcpy, strtol, strtok_r)" >&2
	status=1
fi
for f in src/*.c src/*/*.[ch] fuzz/*.c tests/unit/*.[ch]; do
	[ -f "$f" ] || continue
	head -1 "$f" | grep -q '^/\*' || { echo "lint: $f does not open with a comment" >&2; status=1; }
done
[ $status -eq 0 ] && echo "lint: ok"
exit $status
