#!/usr/bin/env bash
# bench/check.sh: `leakguard check` side by side with bogofilter, SpamAssassin
# and rspamd on the held-out (test) half of the SpamAssassin public corpus, in
# one run on this machine: detection (spam recall, ham false-positive rate) and
# speed on one core (messages per second, CPU seconds, peak memory).
#
# `make bench` runs it after `make`. Prints a Markdown report on stdout and
# writes the same to bench/results/check-DATE.md; progress goes to stderr.
# Every number in the report is measured in the run. See bench/README.md for
# what is measured and how to read it.
#
# Usage: bench/check.sh [--quick] [--sa-every N] [--peers LIST] [--work DIR]
#                       [--no-make] [--rev REV] [--no-save]
set -euo pipefail

usage="usage: bench/check.sh [OPTIONS]
  --quick        smoke run: every 10th message of the test half (and of the
                 training half for the Bayes peers, which then learn too
                 little to mean anything)
  --sa-every N   SpamAssassin scans every Nth message of the test set only
                 (default 5; 1 = all): it is ~100 times slower than the others
  --peers LIST   comma-separated peers to run besides leakguard (default
                 bogofilter,spamassassin,spamassassin-rules,rspamd,rspamd-bayes;
                 'none' for leakguard alone)
  --work DIR     scratch directory (default build/bench/check)
  --no-make      use build/leakguard as it is (default: run make first, unless
                 called from make or LEAKGUARD=PATH is set)
  --rev REV      measure commit REV instead of the working tree: built with
                 make from \`git archive REV\` in build/bench/rev-SHA (kept)
  --no-save      print the report only; do not write bench/results/
Environment: LEAKGUARD=PATH (binary to measure), BENCH_CORE (CPU to pin every
timed program and server to; default 1, or 0 on a one-core machine)."

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=bench/peers/lib.sh
. bench/peers/lib.sh
# shellcheck source=bench/peers/bogofilter.sh
. bench/peers/bogofilter.sh
# shellcheck source=bench/peers/spamassassin.sh
. bench/peers/spamassassin.sh
# shellcheck source=bench/peers/rspamd.sh
. bench/peers/rspamd.sh
LG_LOG_TAG=bench

quick=0
sa_every=
peers=bogofilter,spamassassin,spamassassin-rules,rspamd,rspamd-bayes
work=build/bench/check
make_first=1
rev=
save=1
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--sa-every) sa_every=${2:?--sa-every needs a number}; shift ;;
	--peers) peers=${2:?--peers needs a list}; shift ;;
	--work) work=${2:?--work needs a directory}; shift ;;
	--no-make) make_first=0 ;;
	--rev) rev=${2:?--rev needs a commit}; shift ;;
	--no-save) save=0 ;;
	-h | --help) echo "$usage"; exit 0 ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
	shift
done
[ "$peers" = none ] && peers=
[ -n "$sa_every" ] || sa_every=5
case $sa_every in '' | *[!0-9]* | 0) lg_die "--sa-every needs a positive integer" ;; esac
for p in ${peers//,/ }; do
	case $p in
	bogofilter | spamassassin | spamassassin-rules | rspamd | rspamd-bayes) ;;
	*) lg_die "unknown peer '$p' (bogofilter, spamassassin, spamassassin-rules, rspamd, rspamd-bayes)" ;;
	esac
done

has_sa=0
has_bayes=0
case ",$peers," in *,spamassassin,* | *,spamassassin-rules,*) has_sa=1 ;; esac
case ",$peers," in *,bogofilter,* | *,spamassassin,* | *,rspamd-bayes,*) has_bayes=1 ;; esac
[ "$has_sa" = 1 ] || sa_every=1

run_start=$(date +%s)
core=${BENCH_CORE:-}
if [ -z "$core" ]; then
	if [ "$(nproc)" -gt 1 ]; then core=1; else core=0; fi
fi

# --- tools and data ---------------------------------------------------------
command -v taskset >/dev/null || lg_die "taskset (util-linux) is missing"
command -v jq >/dev/null || lg_die "jq is missing (apt-get install jq)"
lg_need_gnu_time
lg_need_corpus
lg_pick_binary "$rev" "$make_first"
leakguard=$LG_BIN leakguard_origin=$LG_BIN_ORIGIN

mkdir -p "$work"
work=$(cd "$work" && pwd)
rm -rf "${work:?}"/{sample,leakguard,bogofilter,spamassassin,spamassassin-rules,rspamd,rspamd-bayes}

# --- message sets -------------------------------------------------------------
test_src=build/corpus/test
train_src=build/corpus/train
if [ "$quick" = 1 ]; then
	lg_subsample "$test_src" "$work/sample/test" 10
	lg_subsample "$train_src" "$work/sample/train" 10
	test_src=$work/sample/test
	train_src=$work/sample/train
fi
if [ "$sa_every" -gt 1 ]; then
	lg_subsample "$test_src" "$work/sample/sa-test" "$sa_every"
	sa_src=$work/sample/sa-test
else
	sa_src=$test_src
fi
count() { lg_list_messages "$@" | wc -l; }
n_test_ham=$(count "$test_src/ham")
n_test_spam=$(count "$test_src/spam")
n_train_ham=$(count "$train_src/ham")
n_train_spam=$(count "$train_src/spam")
n_sa_ham=$(count "$sa_src/ham")
n_sa_spam=$(count "$sa_src/spam")
[ $((n_test_ham + n_test_spam)) -gt 0 ] || lg_die "no test messages in $test_src"

# Every peer reads the same files: read them once so all start from the page cache.
cat "$test_src"/ham/* "$test_src"/spam/* "$train_src"/ham/* "$train_src"/spam/* >/dev/null

timef='%e %U %S %M'
# Reads /usr/bin/time's last line ("wall user sys maxrss_kib").
time_line() { tail -n 1 "$1"; }
load_avg() { cut -d' ' -f1-3 /proc/loadavg; }
load_before=$(load_avg)

# --- leakguard ------------------------------------------------------------------
# One process over every test message, pinned to one core.
run_leakguard()
{
	local d=$work/leakguard rc=0
	mkdir -p "$d"
	lg_log "leakguard: checking $((n_test_ham + n_test_spam)) messages"
	local cmd=("$leakguard" check --json --no-progress --config bench/leakguard-bench.conf
		--db "$d/leakguard.db" "$test_src/ham" "$test_src/spam")
	printf 'taskset -c %s %s > %s\n' "$core" "${cmd[*]}" "$d/results.jsonl" >"$d/commands"
	taskset -c "$core" /usr/bin/time -o "$d/time" -f "$timef" "${cmd[@]}" \
		>"$d/results.jsonl" 2>"$d/stderr" || rc=$?
	# 0 all clean, 1 some message flagged; 2 usage, config or unreadable input.
	if [ "$rc" -gt 1 ]; then
		lg_show_log "$d/stderr"
		lg_die "leakguard check exited with $rc"
	fi
	jq -r '[.path, (if .error then "error" else .verdict end), (.score // "NaN" | tostring)] | @tsv' \
		"$d/results.jsonl" >"$d/results.tsv"
	read -r wall user sys rss <<<"$(time_line "$d/time")"
	cat >"$d/metrics" <<EOF
wall=$wall
cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
rss_kib=$rss
EOF
}

# --- peers ----------------------------------------------------------------------
# run_peer ROW: sets the peer up under WORK/ROW, trains it if it learns,
# classifies its test set with the client pinned and timed, and records
# results.tsv, metrics and commands there. Runs in a subshell so that a peer
# that fails leaves a "failed" row and the others still run.
run_peer()
(
	set -e
	local row=$1 d=$work/$1 peer setup=() train=0 src=$test_src
	LG_TRAP_SET=
	LG_CLEANUP=()
	mkdir -p "$d"
	export LG_CMDLOG=$d/commands
	: >"$LG_CMDLOG"
	case $row in
	bogofilter) peer=bogofilter train=1 ;;
	spamassassin) peer=spamassassin train=1 src=$sa_src ;;
	spamassassin-rules) peer=spamassassin setup=(--no-bayes) src=$sa_src ;;
	rspamd) peer=rspamd ;;
	rspamd-bayes) peer=rspamd setup=(--bayes) train=1 ;;
	esac
	SA_SERVER_WRAP=(taskset -c "$core")
	RSPAMD_SERVER_WRAP=(taskset -c "$core")
	RSPAMD_HS_CACHE=$work/../cache/rspamd-hs
	"${peer}_setup" "$d" "${setup[@]}"
	lg_log "$row: starting"
	"${peer}_start"
	if [ "$train" = 1 ]; then
		lg_log "$row: training on $n_train_spam spam and $n_train_ham ham"
		local t0=$SECONDS
		"${peer}_train" spam "$train_src/spam"
		"${peer}_train" ham "$train_src/ham"
		echo "train_seconds=$((SECONDS - t0))" >>"$d/metrics"
		case $row in
		spamassassin)
			# sa-learn's own count of messages it learned from (the rest it had seen).
			HOME=$SA_DIR/home sa-learn --local --siteconfigpath="$SA_DIR/site" --dump magic 2>/dev/null |
				awk '/non-token data: nspam/ { s = $3 } /non-token data: nham/ { h = $3 }
					END { printf "learned_spam=%d\nlearned_ham=%d\n", s, h }' >>"$d/metrics"
			;;
		rspamd-bayes)
			read -r ls _ lh _ <<<"$(rspamd_bayes_stats)"
			printf 'learned_spam=%s\nlearned_ham=%s\n' "$ls" "$lh" >>"$d/metrics"
			;;
		bogofilter)
			printf 'learned_spam=%s\nlearned_ham=%s\n' "$n_train_spam" "$n_train_ham" >>"$d/metrics"
			;;
		esac
	fi
	local n_src=$(($(count "$src/ham") + $(count "$src/spam")))
	lg_log "$row: classifying $n_src messages"
	PEER_WRAP=(taskset -c "$core" /usr/bin/time -o "$d/time" -f "$timef")
	PEER_WRAP_TEXT="taskset -c $core "
	local pids c0 c1 hwm
	pids=$("${peer}_server_pids")
	# shellcheck disable=SC2086
	c0=$(lg_proc_cpu $pids)
	"${peer}_classify" "$src/ham" "$src/spam" >"$d/results.tsv"
	# shellcheck disable=SC2086
	c1=$(lg_proc_cpu $pids)
	# shellcheck disable=SC2086
	hwm=$(LG_HWM_SKIP=hs_helper lg_proc_hwm $pids)
	"${peer}_stop"
	read -r wall user sys rss <<<"$(time_line "$d/time")"
	cat >>"$d/metrics" <<EOF
wall=$wall
client_cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
server_cpu=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')
cpu=$(awk -v u="$user" -v s="$sys" -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", u + s + b - a }')
rss_kib=$((rss > hwm ? rss : hwm))
client_rss_kib=$rss
server_rss_kib=$hwm
EOF
	lg_log "$row: done"
)

run_leakguard
for p in ${peers//,/ }; do
	# Not "run_peer || ...": that would switch off set -e inside it.
	set +e
	run_peer "$p"
	rc=$?
	set -e
	if [ "$rc" -ne 0 ]; then
		lg_log "$p failed; its row says so (logs in $work/$p)"
		echo "failed=1" >>"$work/$p/metrics"
	fi
done
load_after=$(load_avg)
run_seconds=$(($(date +%s) - run_start))

# --- report -----------------------------------------------------------------------
# metric FILE KEY: a value from a metrics file (empty when missing).
metric() { sed -n "s/^$2=//p" "$1" 2>/dev/null | tail -n 1; }

pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f%% (%d/%d)", 100 * a / b, a, b; else printf "n/a" }'; }

# recall_at_fp TSV: spam recall when the score threshold is set just above the
# (k+1)-th highest ham score, k = floor(0.1% of the ham): the best recall with
# at most 0.1% of the ham flagged. Messages without a score count as lowest.
recall_at_fp()
{
	local tsv=$1 nh k t ns tp
	nh=$(awk -F'\t' '{ n = split($1, p, "/") } p[n - 1] == "ham"' "$tsv" | wc -l)
	ns=$(awk -F'\t' '{ n = split($1, p, "/") } p[n - 1] == "spam"' "$tsv" | wc -l)
	if [ "$nh" -eq 0 ] || [ "$ns" -eq 0 ]; then echo n/a; return; fi
	k=$((nh / 1000))
	t=$(awk -F'\t' '{ n = split($1, p, "/"); s = ($3 ~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/) ? $3 : "-1e308" }
		p[n - 1] == "ham" { print s }' "$tsv" | sort -g -r | sed -n "$((k + 1))p")
	[ -n "$t" ] || t=-1e308
	tp=$(awk -F'\t' -v t="$t" '{ n = split($1, p, "/") }
		p[n - 1] == "spam" && $3 ~ /^-?[0-9.]+([eE][-+]?[0-9]+)?$/ && $3 + 0 > t + 0' "$tsv" | wc -l)
	awk -v a="$tp" -v b="$ns" 'BEGIN { printf "%.1f%%", 100 * a / b }'
}

lg_msgs_s=
lg_msgs_cpu=
fmt_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) { printf "n/a"; exit } r = a / b; if (r >= 0.1) printf "%.2f", r; else printf "%.2g", r }'; }

# row LABEL DIR POSITIVE-REGEX: one table line.
row()
{
	local label=$1 d=$2 pos=$3 tsv=$2/results.tsv
	if [ -n "$(metric "$d/metrics" failed)" ] || [ ! -s "$tsv" ]; then
		printf '| %s | failed (see %s) | | | | | | | | | |\n' "$label" "$d"
		return
	fi
	local nh ns tp fp n wall cpu rss msgs_s msgs_cpu
	read -r nh ns tp fp _ <<<"$(lg_score "$pos" <"$tsv")"
	n=$((nh + ns))
	wall=$(metric "$d/metrics" wall)
	cpu=$(metric "$d/metrics" cpu)
	rss=$(metric "$d/metrics" rss_kib)
	msgs_s=$(awk -v n="$n" -v w="$wall" 'BEGIN { if (w > 0) printf "%.1f", n / w; else printf "" }')
	msgs_cpu=$(awk -v n="$n" -v c="$cpu" 'BEGIN { if (c > 0) printf "%.1f", n / c; else printf "" }')
	if [ -z "$lg_msgs_s" ]; then lg_msgs_s=$msgs_s lg_msgs_cpu=$msgs_cpu; fi
	printf '| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$n" \
		"$(pct "$tp" "$ns")" "$(pct "$fp" "$nh")" "$(recall_at_fp "$tsv")" \
		"${msgs_s:-n/a}" "$cpu" "${msgs_cpu:-n/a}" \
		"$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')" \
		"$(fmt_ratio "$msgs_s" "$lg_msgs_s")" "$(fmt_ratio "$msgs_cpu" "$lg_msgs_cpu")"
}

ordinal()
{
	case $1 in
	*1[123]) echo "${1}th" ;;
	*1) echo "${1}st" ;;
	*2) echo "${1}nd" ;;
	*3) echo "${1}rd" ;;
	*) echo "${1}th" ;;
	esac
}

label_of()
{
	case $1 in
	bogofilter) echo "bogofilter $(bogofilter -V 2>&1 | awk 'NR == 1 { print $3 }') (Bayes)" ;;
	spamassassin) echo "SpamAssassin $(spamassassin -V | awk 'NR == 1 { print $3 }') + Bayes$([ "$sa_every" -gt 1 ] && echo ", every $(ordinal "$sa_every")")" ;;
	spamassassin-rules) echo "SpamAssassin $(spamassassin -V | awk 'NR == 1 { print $3 }') rules only$([ "$sa_every" -gt 1 ] && echo ", every $(ordinal "$sa_every")")" ;;
	rspamd) echo "rspamd $(rspamd --version | awk '{ print $4; exit }') rules only" ;;
	rspamd-bayes) echo "rspamd $(rspamd --version | awk '{ print $4; exit }') + Bayes (Redis)" ;;
	esac
}

report()
{
	echo "# leakguard check vs peers — $(date '+%Y-%m-%d %H:%M %Z')"
	echo
	echo "- leakguard: \`$leakguard\`, $("$leakguard" --version 2>/dev/null | head -n 1), $leakguard_origin"
	echo "- machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); every timed program and server pinned to CPU $core (taskset); load average $load_before at start, $load_after at end (other work on the machine slows wall-clock numbers, not CPU seconds)"
	echo "- corpus: SpamAssassin public corpus, test half of the fixed split (scripts/corpus-split.sh): $n_test_ham ham + $n_test_spam spam$([ "$quick" = 1 ] && echo " (--quick: every 10th message of the test half)")"
	[ "$has_bayes" = 1 ] && echo "- Bayes peers trained on the training half: $n_train_ham ham + $n_train_spam spam$([ "$quick" = 1 ] && echo " (--quick: every 10th; too few for SpamAssassin's and rspamd's Bayes, which need 200 of each, so --quick numbers are a smoke test only)")"
	[ "$sa_every" -gt 1 ] && echo "- SpamAssassin (both rows) scans every $(ordinal "$sa_every") message of that test set only: $n_sa_ham ham + $n_sa_spam spam (positions 0, $sa_every, $((2 * sa_every)), ... of each sorted directory)"
	echo "- total run time: ${run_seconds} s"
	echo
	echo "| peer | messages | spam recall | ham FP rate | recall at ham FP ≤ 0.1% | msgs/s (one core) | CPU s | msgs/CPU-s | peak RSS MiB | msgs/s vs leakguard | msgs/CPU-s vs leakguard |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	row "leakguard $("$leakguard" --version 2>/dev/null | awk '{ print $2; exit }') (any verdict but clean)" "$work/leakguard" '^(suspicious|spam|phishing)$'
	row "leakguard (phishing or spam only)" "$work/leakguard" '^(spam|phishing)$'
	local p
	for p in ${peers//,/ }; do
		row "$(label_of "$p")" "$work/$p" '^spam$'
	done
	echo
	echo "How to read it (details in bench/README.md):"
	echo
	echo "- spam recall: share of the spam flagged; ham FP rate: share of the ham flagged. leakguard flags a message whose verdict is not clean (first row) or is phishing or spam (second row: suspicious counts as clean). bogofilter: Spam only (Unsure counts as ham). SpamAssassin: score ≥ 5. rspamd: action other than \"no action\" and \"greylist\", i.e. \"add header\" (score ≥ 6) or stronger."
	echo "- recall at ham FP ≤ 0.1%: share of the spam scoring above a threshold that flags at most $((n_test_ham / 1000)) of the $n_test_ham ham$([ "$sa_every" -gt 1 ] && echo " ($((n_sa_ham / 1000)) of $n_sa_ham on SpamAssassin's subsample)"), using each program's own score (leakguard's score, bogofilter's spamicity, SpamAssassin's and rspamd's scores). The threshold is chosen on these results, so this is the best each score could do, not what a default installation does."
	echo "- msgs/s (one core) = messages / wall-clock seconds of the timed command; CPU s = user + system seconds of the timed command plus, for servers, what the server processes (spamd and its child; rspamd's processes and, with Bayes, redis-server) used during the classification (from /proc/PID/stat); msgs/CPU-s = messages / CPU s. Peak RSS: the largest of the timed process (/usr/bin/time) and each server process (VmHWM; rspamd's hs_helper, which only compiles regexps at start-up, left out)."
	echo "- ratios: the peer's figure divided by leakguard's (leakguard = 1.00; below 1 means slower than leakguard)."
	local d lines=""
	for p in leakguard ${peers//,/ }; do
		d=$work/$p
		[ -f "$d/metrics" ] || continue
		local e ls lh ts
		e=$(awk -F'\t' '$2 == "error"' "$d/results.tsv" 2>/dev/null | wc -l)
		[ "$e" -gt 0 ] && lines+="- $p: $e messages got no answer (counted as not flagged)."$'\n'
		ls=$(metric "$d/metrics" learned_spam)
		lh=$(metric "$d/metrics" learned_ham)
		ts=$(metric "$d/metrics" train_seconds)
		[ -n "$ls" ] && lines+="- $p learned from $ls of $n_train_spam training spam and $lh of $n_train_ham training ham in ${ts} s (not timed above)."$'\n'
		local sc cc
		sc=$(metric "$d/metrics" server_cpu)
		cc=$(metric "$d/metrics" client_cpu)
		if [ -n "$sc" ] && [ "$sc" != 0.00 ]; then
			lines+="- $p CPU: client $cc s + server $sc s; peak RSS: server $(awk -v k="$(metric "$d/metrics" server_rss_kib)" 'BEGIN { printf "%.1f", k / 1024 }') MiB, client $(awk -v k="$(metric "$d/metrics" client_rss_kib)" 'BEGIN { printf "%.1f", k / 1024 }') MiB."$'\n'
		fi
	done
	if [ "$sa_every" -gt 1 ] && [ -f "$work/leakguard/results.tsv" ]; then
		# leakguard on SpamAssassin's subsample, for a like-for-like comparison.
		local sub
		sub=$(lg_list_messages "$sa_src/ham" "$sa_src/spam" | awk -F/ '{ print $(NF - 1) "/" $NF }' |
			awk -F'\t' 'NR == FNR { want[$1] = 1; next } { n = split($1, p, "/") } (p[n - 1] "/" p[n]) in want' \
				- "$work/leakguard/results.tsv" | lg_score '^(suspicious|spam|phishing)$')
		read -r nh ns tp fp _ <<<"$sub"
		lines+="- leakguard on SpamAssassin's subsample: spam recall $(pct "$tp" "$ns"), ham FP rate $(pct "$fp" "$nh") (any verdict but clean)."$'\n'
	fi
	if [ -n "$lines" ]; then
		echo
		printf '%s' "$lines"
	fi
	echo
	echo "## Commands"
	echo
	echo "Timed commands ran under \`/usr/bin/time -f '$timef'\`; servers were started, trained and stopped by bench/peers/*.sh on free 127.0.0.1 ports. Scratch files and per-message results: \`$work\`."
	echo
	echo '```'
	for p in leakguard ${peers//,/ }; do
		[ -s "$work/$p/commands" ] || continue
		echo "# $p"
		cat "$work/$p/commands"
	done
	echo '```'
}

out=$(report)
printf '%s\n' "$out"
if [ "$save" = 1 ]; then
	mkdir -p bench/results
	file=bench/results/check-$(date +%Y-%m-%d-%H%M%S)
	if [ "$quick" = 1 ]; then file+=-quick; fi
	file+=.md
	printf '%s\n' "$out" >"$file"
	lg_log "report saved to $file"
fi
