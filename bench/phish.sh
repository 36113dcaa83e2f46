#!/usr/bin/env bash
# bench/phish.sh: how much of the phishing that really arrives today
# `leakguard check` flags (issue 13), against the ham of the SpamAssassin
# public corpus. The phishing corpus is given with --corpus (a directory of
# .eml files, e.g. the 2022-2024 honeypot set unpacked outside the repository);
# ham is the test half of the fixed SpamAssassin split (scripts/corpus-split.sh).
#
# Measures, at the default thresholds and with bench/leakguard-bench.conf:
#   - the share of phishing flagged (any verdict but clean; and phishing or
#     spam only) and of ham flagged the same way;
#   - recall at ham FP <= 0.1% and <= 1% on leakguard's score;
#   - per-signal hit counts on the phishing and on the ham;
#   - with --model, the same with the classifier learnt on the training half
#     of the SpamAssassin corpus (as bench/learn.sh learns it).
# Prints a Markdown report on stdout and saves it as
# bench/results/phish-DATE.md; progress goes to stderr. No message of the
# corpus is copied into the report: only counts and signal names.
#
# Usage: bench/phish.sh --corpus DIR [--model] [--work DIR] [--no-make]
#                       [--rev REV] [--no-save]
set -euo pipefail

usage="usage: bench/phish.sh --corpus DIR [OPTIONS]
  --corpus DIR   directory of phishing messages (*.eml, searched recursively)
  --model        also measure check with the classifier learnt on the
                 SpamAssassin training half
  --work DIR     scratch directory (default build/bench/phish)
  --no-make      use build/leakguard as it is (default: make first, unless
                 LEAKGUARD=PATH is set)
  --rev REV      measure commit REV instead of the working tree
  --no-save      print the report only; do not write bench/results/
Environment: LEAKGUARD=PATH (binary to measure), BENCH_CORE (CPU to pin to)."

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=bench/peers/lib.sh
. bench/peers/lib.sh
LG_LOG_TAG=phish-bench

corpus=
model=0
work=build/bench/phish
make_first=1
rev=
save=1
while [ $# -gt 0 ]; do
	case $1 in
	--corpus) corpus=${2:?--corpus needs a directory}; shift ;;
	--model) model=1 ;;
	--work) work=${2:?--work needs a directory}; shift ;;
	--no-make) make_first=0 ;;
	--rev) rev=${2:?--rev needs a commit}; shift ;;
	--no-save) save=0 ;;
	-h | --help) echo "$usage"; exit 0 ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$corpus" ] || { echo "$usage" >&2; exit 2; }
[ -d "$corpus" ] || lg_die "--corpus $corpus is not a directory"
corpus=$(cd "$corpus" && pwd)

core=${BENCH_CORE:-}
if [ -z "$core" ]; then
	if [ "$(nproc)" -gt 1 ]; then core=1; else core=0; fi
fi
command -v taskset >/dev/null || lg_die "taskset (util-linux) is missing"
command -v jq >/dev/null || lg_die "jq is missing (apt-get install jq)"
lg_need_gnu_time
lg_need_corpus
lg_pick_binary "$rev" "$make_first"
leakguard=$LG_BIN
run_start=$(date +%s)

mkdir -p "$work"
work=$(cd "$work" && pwd)
rm -rf "${work:?}"/{set,heuristics,model}

# --- message sets: symlinks under set/spam (the phishing) and set/ham ---------
# lg_score takes the truth from the parent directory's name.
mkdir -p "$work/set/spam" "$work/set/ham"
find "$corpus" -type f -name '*.eml' -print0 | LC_ALL=C sort -z |
	xargs -0 -r ln -s -t "$work/set/spam"
lg_list_messages "$top/build/corpus/test/ham" | xargs -d '\n' -r ln -s -t "$work/set/ham" --
n_phish=$(find "$work/set/spam" -maxdepth 1 -type l | wc -l)
n_ham=$(find "$work/set/ham" -maxdepth 1 -type l | wc -l)
[ "$n_phish" -gt 0 ] || lg_die "no .eml file under $corpus"
# Read everything once so both runs start from the page cache.
cat "$work"/set/spam/* "$work"/set/ham/* >/dev/null

timef='%e %U %S %M'

# run_check ROW DB: check --json over both sets, pinned and timed, into WORK/ROW.
run_check()
{
	local row=$1 db=$2 d=$work/$1 rc=0
	mkdir -p "$d"
	lg_log "$row: checking $((n_phish + n_ham)) messages"
	local cmd=("$leakguard" check --json --no-progress --config bench/leakguard-bench.conf
		--db "$db" "$work/set/spam" "$work/set/ham")
	printf 'taskset -c %s %s > %s\n' "$core" "${cmd[*]}" "$d/results.jsonl" >>"$work/commands"
	taskset -c "$core" /usr/bin/time -o "$d/time" -f "$timef" "${cmd[@]}" \
		>"$d/results.jsonl" 2>"$d/stderr" || rc=$?
	if [ "$rc" -gt 1 ]; then
		lg_show_log "$d/stderr"
		lg_die "leakguard check exited with $rc"
	fi
	jq -r '[.path, (if .error then "error" else .verdict end), (.score // "NaN" | tostring)] | @tsv' \
		"$d/results.jsonl" >"$d/results.tsv"
	# kind<TAB>signal per hit (kind = spam or ham, from the path)
	jq -r '(.path | split("/") | .[-2]) as $k | (.signals // [])[] | [$k, .name] | @tsv' \
		"$d/results.jsonl" >"$d/hits.tsv"
}

: >"$work/commands"
# A --db whose directory does not exist: no store, so no model counts.
run_check heuristics "$work/heuristics/no-model/absent.db"
if [ "$model" = 1 ]; then
	mkdir -p "$work/model"
	lg_log "model: learning the SpamAssassin training half"
	learn=("$leakguard" learn --json --db "$work/model/model.db"
		--spam build/corpus/train/spam --ham build/corpus/train/ham)
	printf '%s\n' "${learn[*]}" >>"$work/commands"
	"${learn[@]}" >"$work/model/learn.json" 2>"$work/model/learn.stderr" ||
		{ lg_show_log "$work/model/learn.stderr"; lg_die "leakguard learn failed"; }
	run_check model "$work/model/model.db"
fi
run_seconds=$(($(date +%s) - run_start))

# --- report -------------------------------------------------------------------
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f%% (%d/%d)", 100 * a / b, a, b; else printf "n/a" }'; }
pct2() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f%% (%d/%d)", 100 * a / b, a, b; else printf "n/a" }'; }

# recall_at_fp TSV PERMILLE: phishing recall with the threshold just above the
# (k+1)-th highest ham score, k = floor(PERMILLE/1000 of the ham).
recall_at_fp()
{
	local tsv=$1 k t tp
	k=$((n_ham * $2 / 1000))
	t=$(awk -F'\t' '{ n = split($1, p, "/"); s = ($3 ~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/) ? $3 : "-1e308" }
		p[n - 1] == "ham" { print s }' "$tsv" | sort -g -r | sed -n "$((k + 1))p")
	[ -n "$t" ] || t=-1e308
	tp=$(awk -F'\t' -v t="$t" '{ n = split($1, p, "/") }
		p[n - 1] == "spam" && $3 ~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/ && $3 + 0 > t + 0' "$tsv" | wc -l)
	awk -v a="$tp" -v b="$n_phish" 'BEGIN { printf "%.1f%%", 100 * a / b }'
}

row()
{
	local label=$1 d=$work/$2 nh ns tp fp tp2 fp2 user sys
	read -r nh ns tp fp _ <<<"$(lg_score '^(suspicious|spam|phishing)$' <"$d/results.tsv")"
	read -r _ _ tp2 fp2 _ <<<"$(lg_score '^(spam|phishing)$' <"$d/results.tsv")"
	read -r _ user sys _ <<<"$(tail -n 1 "$d/time")"
	printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" \
		"$(pct "$tp" "$ns")" "$(pct2 "$fp" "$nh")" "$(pct "$tp2" "$ns")" "$(pct2 "$fp2" "$nh")" \
		"$(recall_at_fp "$d/results.tsv" 1)" "$(recall_at_fp "$d/results.tsv" 10)" \
		"$(awk -v n="$((n_phish + n_ham))" -v u="$user" -v s="$sys" 'BEGIN { c = u + s; if (c > 0) printf "%.0f", n / c; else printf "n/a" }')"
}

# signals ROW: per-signal hits on the phishing and on the ham, most hits first.
signals()
{
	local d=$work/$1
	echo "| signal | phishing hits | ham hits |"
	echo "|---|---:|---:|"
	awk -F'\t' '{ c[$2, $1]++; s[$2] = 1 }
		END { for (n in s) printf "%s\t%d\t%d\n", n, c[n, "spam"], c[n, "ham"] }' "$d/hits.tsv" |
		sort -t$'\t' -k2,2nr -k3,3nr -k1,1 | awk -F'\t' '{ printf "| %s | %d | %d |\n", $1, $2, $3 }'
}

report()
{
	echo "# leakguard check on real phishing — $(date '+%Y-%m-%d %H:%M %Z')"
	echo
	echo "- leakguard: \`$leakguard\`, $LG_BIN_ORIGIN"
	echo "- phishing: $n_phish messages (*.eml under the --corpus directory, $(basename "$corpus"))"
	echo "- ham: $n_ham messages, the SpamAssassin public corpus test half (scripts/corpus-split.sh)"
	echo "- configuration: bench/leakguard-bench.conf (shipped defaults, built-in brand and hosting lists); CPU pinned to $core; total run time ${run_seconds} s"
	echo
	echo "| run | phishing flagged (not clean) | ham flagged (not clean) | phishing as spam/phishing | ham as spam/phishing | recall at ham FP ≤ 0.1% | recall at ham FP ≤ 1% | msgs/CPU-s |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	row "heuristics (no model)" heuristics
	[ "$model" = 1 ] && row "with the model learnt on the SpamAssassin training half" model
	echo
	echo "Flagged = any verdict but clean at the default thresholds. Recall at ham FP ≤ x: the share of the phishing scoring above a threshold chosen on these results so that at most x of the ham scores above it (the best the score could do, not a default)."
	echo
	echo "## Signals, heuristics run"
	echo
	signals heuristics
	if [ "$model" = 1 ]; then
		echo
		echo "## Signals, with the model"
		echo
		signals model
	fi
	echo
	echo "## Commands"
	echo
	echo '```'
	cat "$work/commands"
	echo '```'
}

out=$(report)
printf '%s\n' "$out"
if [ "$save" = 1 ]; then
	mkdir -p bench/results
	file=bench/results/phish-$(date +%Y-%m-%d-%H%M%S).md
	printf '%s\n' "$out" >"$file"
	lg_log "report saved to $file"
fi
