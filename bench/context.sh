#!/usr/bin/env bash
# bench/context.sh: what the leak-aware signals (issue #9) cost on ordinary
# mail. The SpamAssassin ham training half plays the organisation's leaked
# mailbox: it is ingested as a leak, the context is built from it for the
# organisation it was addressed to, and the correspondent history learns it
# (as the milter would have while that mail arrived). Then the test half is
# checked twice, with a copy of that store without DB.context and
# DB.history and with that store:
#   - ham pushed to suspicious or worse by the new signals (clean without
#     them, not clean with them); target at most 0.5%, because these are the
#     same lists and correspondents writing normally
#   - spam flagged with and without them (for reference)
#   - check's CPU time on the ham test half without and with them; target
#     under 10% slower
# Prints a Markdown report and writes it to bench/results/context-DATE.md;
# progress goes to stderr. Every number is measured in the run.
#
# Usage: bench/context.sh [--runs N] [--work DIR] [--no-save]
# Environment: LEAKGUARD=PATH (binary; default build/leakguard after make),
# BENCH_CORE (CPU every timed run is pinned to; default 1, 0 on one core).
set -euo pipefail

usage="usage: bench/context.sh [--runs N] [--work DIR] [--no-save]
  --runs N     timed runs of each check (default 5, alternating; the fastest counts)
  --work DIR   scratch directory (default build/bench/context)
  --no-save    print the report only"
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
runs=5
work=build/bench/context
save=1
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=${2:?--runs needs a number}; shift ;;
	--work) work=${2:?--work needs a directory}; shift ;;
	--no-save) save=0 ;;
	-h | --help) echo "$usage"; exit 0 ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
	shift
done
# shellcheck source=bench/peers/lib.sh
. bench/peers/lib.sh
LG_LOG_TAG=bench
log() { lg_log "$@"; }
load_avg() { cut -d' ' -f1-3 /proc/loadavg; }

lg_pick_binary "" 1
LEAKGUARD=$(cd "$(dirname "$LG_BIN")" && pwd)/$(basename "$LG_BIN")
lg_need_gnu_time
lg_need_corpus
if [ "$(nproc)" -gt 1 ]; then core=${BENCH_CORE:-1}; else core=${BENCH_CORE:-0}; fi
corpus=build/corpus
rm -rf "$work"
mkdir -p "$work"
cmds=$work/commands.txt
: >"$cmds"
run() { printf '%s\n' "$*" >>"$cmds"; "$@"; }
started=$(date +%s)
load_start=$(load_avg)

# The organisation: the registrable domain most of the leaked mailbox was
# addressed to (To of each message), found here rather than assumed.
org=$(awk 'FNR == 1 {head = 1; seen = 0} /^\r?$/ {head = 0} head && !seen && tolower($0) ~ /^to:/ {print; seen = 1}' \
	"$corpus"/train/ham/*.eml | grep -oiE '@[a-z0-9.-]+' | tr 'A-Z' 'a-z' | sort | uniq -c | sort -rn |
	awk 'NR == 1 {print $2}' | sed 's/^@//' | awk -F. '{print $(NF-1) "." $NF}')
log "organisation: $org"
printf '[protect]\ndomains = %s\n' "$org" >"$work/leakguard.conf"
conf=$work/leakguard.conf
db=$work/leak.db
base=$work/base.db # the same store without the context and the history

log "ingesting the ham training half as the leak, building the context, learning the history"
run "$LEAKGUARD" ingest --source sa-ham-train --db "$db" "$corpus/train/ham" >/dev/null 2>"$work/ingest.err"
run "$LEAKGUARD" context --org "$org" --config "$conf" --db "$db" >"$work/context.txt" 2>"$work/context.err"
run "$LEAKGUARD" history --learn "$corpus/train/ham" --config "$conf" --db "$db" >"$work/history.txt"
run cp -r "$db" "$base"
run cp -r "$db.leak" "$base.leak"

check() { # check STORE HALF OUT
	run "$LEAKGUARD" check --json --no-progress --config "$conf" --db "$1" "$corpus/test/$2" >"$3" 2>>"$work/check.err" || true
}
for half in ham spam; do
	check "$base" "$half" "$work/base-$half.jsonl"
	check "$db" "$half" "$work/ctx-$half.jsonl"
done

NEW="LOOKALIKE_LEAKED_PARTNER LEAKED_CONTEXT_QUOTED LEAKED_PERSON_TARGETED FIRST_CONTACT_DOMAIN FIRST_CONTACT_LOOKALIKE KNOWN_NAME_NEW_ADDRESS REPLY_CHAIN_HIJACK PAYMENT_DIVERSION"
verdicts() { jq -r '"\(.path)\t\(.verdict)"' "$1" | sort; }
flagged() { jq -r 'select(.verdict != null and .verdict != "clean") | .path' "$1" | wc -l; }
total() { jq -r 'select(.verdict != null) | .path' "$1" | wc -l; }
pushed() { join -t "$(printf '\t')" <(verdicts "$1") <(verdicts "$2") | awk -F'\t' '$2 == "clean" && $3 != "clean"' | wc -l; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f%%", b ? 100 * a / b : 0 }'; }
fired() { jq -r --arg s "$2" 'select(any(.signals[]?; .name == $s)) | .path' "$1" | wc -l; }

ham_n=$(total "$work/ctx-ham.jsonl")
spam_n=$(total "$work/ctx-spam.jsonl")
ham_pushed=$(pushed "$work/base-ham.jsonl" "$work/ctx-ham.jsonl")
spam_pushed=$(pushed "$work/base-spam.jsonl" "$work/ctx-spam.jsonl")
join -t "$(printf '\t')" <(verdicts "$work/base-ham.jsonl") <(verdicts "$work/ctx-ham.jsonl") |
	awk -F'\t' '$2 == "clean" && $3 != "clean" {print $1}' >"$work/ham-pushed.txt"

log "timing: $runs runs each, alternating, pinned to CPU $core"
timed() { # timed STORE LABEL: appends "LABEL user sys" to times.txt
	printf '%s\n' "taskset -c $core /usr/bin/time -f '%U %S' $LEAKGUARD check --json --no-progress --config $conf --db $1 $corpus/test/ham" >>"$cmds"
	taskset -c "$core" /usr/bin/time -o "$work/t.txt" -f "%U %S" "$LEAKGUARD" check --json --no-progress \
		--config "$conf" --db "$1" "$corpus/test/ham" >/dev/null 2>&1 || true
	printf '%s %s\n' "$2" "$(tail -n 1 "$work/t.txt")" >>"$work/times.txt" # after any "exited with" line
}
: >"$work/times.txt"
for _ in $(seq "$runs"); do
	timed "$base" without
	timed "$db" with
done
best() { awk -v l="$1" '$1 == l {t = $2 + $3; if (!n++ || t < m) m = t} END {printf "%.2f", m}' "$work/times.txt"; }
median() { awk -v l="$1" '$1 == l {print $2 + $3}' "$work/times.txt" | sort -n | awk '{v[NR] = $1} END {printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
all() { awk -v l="$1" '$1 == l {printf "%s%.2f", (n++ ? ", " : ""), $2 + $3}' "$work/times.txt"; }
t0=$(best without)
t1=$(best with)
m0=$(median without)
m1=$(median with)
change() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.1f%%", 100 * (b - a) / a }'; }
slow=$(change "$t0" "$t1")
slow_median=$(change "$m0" "$m1")
load_end=$(load_avg)

report() {
	echo "# leakguard leak-aware signals on the SpamAssassin corpus — $(date -u '+%Y-%m-%d %H:%M') UTC"
	echo
	echo "- leakguard: $("$LEAKGUARD" --version), $LG_BIN_ORIGIN"
	echo "- machine: $(nproc) cores, timed runs pinned to CPU $core (taskset); load average $load_start at start, $load_end at end (other work stretches wall time, not CPU time)"
	echo "- the leak: the ham training half ($(ls "$corpus/train/ham" | wc -l) messages), ingested as source sa-ham-train; organisation \`$org\` (the domain most of it was addressed to)"
	echo "- context: $(tr '\n' ';' <"$work/context.txt" | sed 's/;$//; s/;/; /g')"
	echo "- history: $(cat "$work/history.txt")"
	echo "- measured on the test half: $ham_n ham, $spam_n spam; total run time $(($(date +%s) - started)) s"
	echo
	echo "## Ham pushed to suspicious or worse (target ≤ 0.5%)"
	echo
	echo "| | without the new signals (the store without DB.context and DB.history) | with them |"
	echo "|---|---:|---:|"
	echo "| ham not clean | $(flagged "$work/base-ham.jsonl") | $(flagged "$work/ctx-ham.jsonl") |"
	echo "| spam not clean | $(flagged "$work/base-spam.jsonl") | $(flagged "$work/ctx-spam.jsonl") |"
	echo
	echo "**Ham clean without and not clean with the new signals: $ham_pushed of $ham_n = $(pct "$ham_pushed" "$ham_n")** (spam newly flagged: $spam_pushed of $spam_n = $(pct "$spam_pushed" "$spam_n"))."
	echo
	echo "| signal | ham it fired on | spam it fired on |"
	echo "|---|---:|---:|"
	for s in $NEW; do
		echo "| $s | $(fired "$work/ctx-ham.jsonl" "$s") | $(fired "$work/ctx-spam.jsonl" "$s") |"
	done
	if [ -s "$work/ham-pushed.txt" ]; then
		echo
		echo "Ham pushed, with its new signals:"
		echo
		while IFS= read -r p; do
			echo "- $(basename "$p"): $(jq -r --arg p "$p" 'select(.path == $p) | [.signals[].name] | join(", ")' "$work/ctx-ham.jsonl")"
		done <"$work/ham-pushed.txt"
	fi
	echo
	echo "## Cost on check (target < 10% slower)"
	echo
	echo "CPU seconds (user + system) of \`check --json\` over the $ham_n test ham, $runs runs each, run alternately:"
	echo
	echo "| store | fastest | median | all runs |"
	echo "|---|---:|---:|---|"
	echo "| the same store without context and history | $t0 | $m0 | $(all without) |"
	echo "| leak context + correspondent history | $t1 | $m1 | $(all with) |"
	echo
	echo "**Slowdown: $slow (fastest against fastest), $slow_median (median against median).** Start-up (mapping the context, compiling partners and frequent correspondents into a lookalike set) is included; on a loaded machine single runs vary by ±10%, so read the two together."
	echo
	echo "## Commands"
	echo
	echo '```'
	cat "$cmds"
	echo '```'
}
out=$(report)
printf '%s\n' "$out"
if [ "$save" -eq 1 ]; then
	mkdir -p bench/results
	f=bench/results/context-$(date -u +%Y-%m-%d-%H%M%S).md
	printf '%s\n' "$out" >"$f"
	log "written to $f"
fi
