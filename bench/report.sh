#!/usr/bin/env bash
# bench/report.sh: the staff-report index at scale (issue 5), one command.
#
#   1. 100,000 stored reports (synthetic distinct phish: 60 words drawn from a
#      2,000-word vocabulary, so each is its own campaign) recorded with
#      `leakguard report --no-mail`: reports per second.
#   2. `check` over the test half of the SpamAssassin corpus with and without
#      that report index, on one core: messages per CPU-second and the ratio
#      (target: under 10% slower).
#   3. False matches: reports drawn from the training half's spam, then the
#      test half's ham checked: how many are marked REPORTED_SIMILAR (target
#      0); the test half's spam marked similar is shown for contrast.
# Usage: bench/report.sh [--quick]   (--quick: 10,000 reports)
# Writes a Markdown table to stdout and bench/results/report-DATE.md.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
n=100000
[ "${1:-}" = "--quick" ] && n=10000
bin=${LEAKGUARD:-build/leakguard}
[ -n "${LEAKGUARD:-}" ] || make -s all
scripts/corpus-split.sh > /dev/null
work=build/bench/report
rm -rf "$work" && mkdir -p "$work"
conf=bench/leakguard-bench.conf

# cpu CMD...: runs CMD on core 1, prints "wall user+sys" seconds.
cpu() {
	/usr/bin/time -f '%e %U %S' -o "$work/time" taskset -c 1 "$@" > /dev/null 2>> "$work/stderr" || true  # check exits 1 when it flags mail
	grep -v "exited" "$work/time" | awk '{printf "%s %.2f\n", $1, $2 + $3}'
}

echo "generating $n synthetic reports..." >&2
awk -v n="$n" 'BEGIN {
	srand(7)
	for (i = 0; i < 2000; i++) { w = ""; l = 4 + int(rand() * 6); for (k = 0; k < l; k++) w = w sprintf("%c", 97 + int(rand() * 26)); vocab[i] = w }
	for (i = 1; i <= n; i++) {
		printf "From bench Mon Jan  1 00:00:00 2024\nFrom: sender%d@phish%d.example\nSubject: notice %d\nMessage-ID: <r%d@bench>\n\n", i, i % 977, i, i
		for (k = 0; k < 60; k++) printf "%s%s", vocab[int(rand() * 2000)], (k % 12 == 11 ? "\n" : " ")
		printf "\n\n"
	}
}' > "$work/reports.mbox"

db="$work/reports.db"
read -r wall secs < <(cpu env LEAKGUARD_DB="$db" "$bin" report --no-mail --config "$conf" --reporter bench@example.com "$work/reports.mbox")
stored=$(env LEAKGUARD_DB="$db" "$bin" reports --config "$conf" --json | jq -s 'map(.reports) | add')

read -r wall_with cpu_with < <(cpu env LEAKGUARD_DB="$db" "$bin" check --json --no-progress --config "$conf" build/corpus/test)
read -r wall_without cpu_without < <(cpu env LEAKGUARD_DB="$work/none.db" "$bin" check --json --no-progress --config "$conf" build/corpus/test)
msgs=$(find build/corpus/test -name '*.eml' | wc -l)

# False matches: reports from the training spam, the test ham checked.
fdb="$work/spam-reports.db"
env LEAKGUARD_DB="$fdb" "$bin" report --no-mail --config "$conf" --reporter bench@example.com build/corpus/train/spam > /dev/null 2>> "$work/stderr"
env LEAKGUARD_DB="$fdb" "$bin" check --json --no-progress --config "$conf" build/corpus/test > "$work/similar.jsonl" || true
ham_similar=$(jq -r 'select(.path | test("/ham/")) | select([.signals[].name] | index("REPORTED_SIMILAR")) | .path' "$work/similar.jsonl" | wc -l)
spam_similar=$(jq -r 'select(.path | test("/spam/")) | select([.signals[].name] | index("REPORTED_SIMILAR")) | .path' "$work/similar.jsonl" | wc -l)
ham=$(find build/corpus/test/ham -name '*.eml' | wc -l)
spam=$(find build/corpus/test/spam -name '*.eml' | wc -l)

out="bench/results/report-$(date -u +%Y-%m-%d-%H%M%S).md"
{
	echo "# leakguard report index — $(date -u '+%Y-%m-%d %H:%M') UTC"
	echo
	echo "Machine: $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; timed programs on core 1. CPU s = user + system."
	echo
	echo "| measure | value |"
	echo "|---|---|"
	echo "| reports recorded | $stored in ${wall} s wall, ${secs} CPU s ($(awk -v n="$stored" -v s="$secs" 'BEGIN{printf "%.0f", n/s}') per CPU-second) |"
	echo "| check, test half ($msgs msgs), with $stored reports | ${cpu_with} CPU s, $(awk -v n="$msgs" -v s="$cpu_with" 'BEGIN{printf "%.0f", n/s}') msgs/CPU-s |"
	echo "| check, same, no reports | ${cpu_without} CPU s, $(awk -v n="$msgs" -v s="$cpu_without" 'BEGIN{printf "%.0f", n/s}') msgs/CPU-s |"
	echo "| slower with the index (target < 10%) | $(awk -v a="$cpu_with" -v b="$cpu_without" 'BEGIN{printf "%+.1f%%", (a/b-1)*100}') |"
	echo "| test ham marked similar to a report of training spam (target 0) | $ham_similar of $ham |"
	echo "| test spam marked similar (for contrast) | $spam_similar of $spam |"
	echo
	echo "Commands: \`$bin report --no-mail --config $conf --reporter bench@example.com $work/reports.mbox\`;"
	echo "\`$bin check --json --no-progress --config $conf build/corpus/test\` with LEAKGUARD_DB set to the store with and without reports."
} | tee "$out"
