#!/usr/bin/env bash
# bench/learn.sh: the benchmark of issue 3, `leakguard learn` (Robinson-Fisher
# classifier over OSB and header tokens, stored in SQLite), side by side with
# bogofilter's Bayes and rspamd's Bayes (private Redis on 127.0.0.1), in one
# run on this machine. Every model learns from the training half of the fixed
# split of the SpamAssassin public corpus (scripts/corpus-split.sh) and is
# measured on the test half only: no number comes from mail a model learnt.
#
# Measures, for leakguard's classifier alone (spam_probability), leakguard's
# classifier combined with its heuristics (score), bogofilter (spamicity) and
# rspamd (its Bayes symbol alone, and its total score):
#   - spam recall and ham false-positive rate at each default decision;
#   - ROC points: spam recall at ham FP <= 0.1% and <= 1% on each score;
#   - training and classification speed on one core (taskset), wall and CPU,
#     peak memory, and model size;
#   - what the model adds to `leakguard check`: check with the model against
#     check without one (heuristics only), target at most +33%;
#   - the fitted verdict (issue 15), on the fixed split and on a second one
#     by SHA-256 of the file name: recall at ham FP <= 0.1%, 0.5%, 1% and
#     1 - ROC area of the classifier alone, the hand-set verdict (learn once)
#     and the fitted verdict (learn the same mail again: lessons refreshed,
#     refit), beside bogofilter at its strict (Spam) and lenient (Spam or
#     Unsure) operating points; `--fit-only` runs just this (about 2 minutes)
#     and saves bench/results/learn-fit-DATE-TIME.md.
# Prints a Markdown report on stdout and saves it as
# bench/results/learn-DATE.md; progress goes to stderr. See bench/README.md
# ("bench/learn.sh").
#
# Usage: bench/learn.sh [--quick] [--reps N] [--peers LIST] [--work DIR]
#                       [--no-make] [--rev REV] [--no-save]
set -euo pipefail

usage="usage: bench/learn.sh [OPTIONS]
  --quick        smoke run: every 10th message of both halves (rspamd's Bayes
                 then has too few spam to classify; numbers mean nothing)
  --reps N       time each classification N times, report the fastest
                 (default 3; 1 with --quick)
  --peers LIST   comma-separated: bogofilter,rspamd (default both; 'none' for
                 leakguard alone)
  --work DIR     scratch directory (default build/bench/learn)
  --no-make      use build/leakguard as it is (default: make first, unless
                 LEAKGUARD=PATH is set)
  --rev REV      measure commit REV instead of the working tree: built with
                 make from \`git archive REV\` in build/bench/rev-SHA (kept)
  --fit-only     only the fitted verdict of issue 15 on two splits (fixed and
                 by SHA-256 of the file name) with bogofilter; saved as
                 bench/results/learn-fit-DATE.md
  --no-save      print the report only; do not write bench/results/
Environment: LEAKGUARD=PATH (binary to measure), BENCH_CORE (CPU every timed
program and server is pinned to; default 1, or 0 on a one-core machine)."

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=bench/peers/lib.sh
. bench/peers/lib.sh
# shellcheck source=bench/peers/bogofilter.sh
. bench/peers/bogofilter.sh
# shellcheck source=bench/peers/rspamd.sh
. bench/peers/rspamd.sh
LG_LOG_TAG=learn-bench

quick=0
reps=
peers=bogofilter,rspamd
work=build/bench/learn
make_first=1
fit_only=0
rev=
save=1
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--reps) reps=${2:?--reps needs a number}; shift ;;
	--peers) peers=${2:?--peers needs a list}; shift ;;
	--work) work=${2:?--work needs a directory}; shift ;;
	--no-make) make_first=0 ;;
	--fit-only) fit_only=1 ;;
	--rev) rev=${2:?--rev needs a commit}; shift ;;
	--no-save) save=0 ;;
	-h | --help) echo "$usage"; exit 0 ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
	shift
done
[ "$peers" = none ] && peers=
for p in ${peers//,/ }; do
	case $p in bogofilter | rspamd) ;; *) lg_die "unknown peer '$p' (bogofilter, rspamd)" ;; esac
done
[ -n "$reps" ] || { if [ "$quick" = 1 ]; then reps=1; else reps=3; fi; }
case $reps in '' | *[!0-9]* | 0) lg_die "--reps needs a positive integer" ;; esac

run_start=$(date +%s)
core=${BENCH_CORE:-}
if [ -z "$core" ]; then
	if [ "$(nproc)" -gt 1 ]; then core=1; else core=0; fi
fi

# --- tools, data, binary --------------------------------------------------------
for t in taskset jq python3; do
	command -v "$t" >/dev/null || lg_die "$t is missing"
done
lg_need_gnu_time
lg_need_corpus
lg_pick_binary "$rev" "$make_first"
src_bin=$LG_BIN origin=$LG_BIN_ORIGIN

mkdir -p "$work"
work=$(cd "$work" && pwd)
rm -rf "${work:?}"/{bin,sample,leakguard,bogofilter,rspamd,metrics,tsv,cmd}
mkdir -p "$work"/{bin,metrics,tsv,cmd}
# A private copy: others may rebuild build/leakguard while this runs.
cp "$src_bin" "$work/bin/leakguard"
lg=$work/bin/leakguard
lg_version=$("$lg" --version 2>/dev/null | head -n 1 || true)

# --- message sets ---------------------------------------------------------------
test_src=build/corpus/test
train_src=build/corpus/train
if [ "$quick" = 1 ]; then
	lg_subsample "$test_src" "$work/sample/test" 10
	lg_subsample "$train_src" "$work/sample/train" 10
	test_src=$work/sample/test
	train_src=$work/sample/train
fi
count() { lg_list_messages "$@" | wc -l; }
n_test_ham=$(count "$test_src/ham")
n_test_spam=$(count "$test_src/spam")
n_train_ham=$(count "$train_src/ham")
n_train_spam=$(count "$train_src/spam")
n_test=$((n_test_ham + n_test_spam))
n_train=$((n_train_ham + n_train_spam))
if [ "$n_test" -eq 0 ] || [ "$n_train" -eq 0 ]; then lg_die "no messages in $test_src or $train_src"; fi
# Every program reads the same files: all of them start from the page cache.
cat "$test_src"/ham/* "$test_src"/spam/* "$train_src"/ham/* "$train_src"/spam/* >/dev/null

timef='%e %U %S %M'
load_avg() { cut -d' ' -f1-3 /proc/loadavg; }
load_before=$(load_avg)

# put KEY=VALUE... into metrics file NAME
put() {
	local f=$work/metrics/$1
	shift
	printf '%s\n' "$@" >>"$f"
}
# time_keys PREFIX FILE: PREFIX_wall= PREFIX_cpu= PREFIX_rss_kib= from /usr/bin/time's last line
time_keys() {
	local w u s m
	read -r w u s m <<<"$(tail -n 1 "$2")"
	printf '%s\n' "$1_wall=$w" "$1_cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')" "$1_rss_kib=$m"
}

# --- the fitted verdict on two splits (issue 15) ----------------------------------
# For each split: leakguard learns the training half once (the hand-set
# verdict: a first learn on an empty store leaves no fit that applies to
# verdicts with a classifier), checks the test half, learns the same half
# again (each lesson's vector refreshed, leave-one-out, then the fit) and
# checks again (the fitted verdict); bogofilter learns and classifies the
# same halves. The second split is by the SHA-256 of the file name, not by
# position, over both halves of the fixed split pooled.
fit_split_dirs()
{
	local name=$1 dir
	case $name in
	fixed) fit_train=$train_src fit_test=$test_src ;;
	hash)
		dir=$work/fit/split-hash
		rm -rf "$dir"
		mkdir -p "$dir"/{train,test}/{ham,spam}
		local f kind half
		for kind in ham spam; do
			while IFS= read -r f; do
				case $(basename "$f" | sha256sum) in [0-7]*) half=train ;; *) half=test ;; esac
				ln "$f" "$dir/$half/$kind/" 2>/dev/null || cp "$f" "$dir/$half/$kind/"
			done < <(lg_list_messages "$train_src/$kind" "$test_src/$kind")
		done
		fit_train=$dir/train fit_test=$dir/test
		;;
	esac
}

fit_run_split()
{
	local name=$1 d=$work/fit/$1 db
	mkdir -p "$d"
	fit_split_dirs "$name"
	db=$d/model.db
	rm -f "$db" "$db"-* "$db.model"
	local learn=("$lg" learn --json --config bench/leakguard-bench.conf --db "$db" --spam "$fit_train/spam" --ham "$fit_train/ham")
	local check=("$lg" check --json --no-progress --config bench/leakguard-bench.conf --db "$db" "$fit_test/ham" "$fit_test/spam")
	printf '%s\n' "# split $name: learn, check (hand-set), learn again (refresh + fit), check (fitted)" \
		"${learn[*]}" "taskset -c $core /usr/bin/time -f '$timef' ${check[*]} > $d/handset.jsonl" \
		"taskset -c $core /usr/bin/time -f '$timef' ${learn[*]}" \
		"taskset -c $core /usr/bin/time -f '$timef' ${check[*]} > $d/fitted.jsonl" >>"$work/cmd/fit"
	lg_log "fit ($name split): leakguard learns $(lg_list_messages "$fit_train/ham" "$fit_train/spam" | wc -l) messages, checks $(lg_list_messages "$fit_test/ham" "$fit_test/spam" | wc -l)"
	"${learn[@]}" >"$d/learn1.json" 2>"$d/learn1.stderr" || { lg_show_log "$d/learn1.stderr"; lg_die "leakguard learn failed"; }
	taskset -c "$core" /usr/bin/time -o "$d/check1.time" -f "$timef" "${check[@]}" >"$d/handset.jsonl" 2>"$d/check1.stderr" ||
		[ $? -le 1 ] || lg_die "leakguard check failed"
	taskset -c "$core" /usr/bin/time -o "$d/learn2.time" -f "$timef" "${learn[@]}" >"$d/learn2.json" 2>"$d/learn2.stderr" ||
		{ lg_show_log "$d/learn2.stderr"; lg_die "leakguard learn (refit) failed"; }
	taskset -c "$core" /usr/bin/time -o "$d/check2.time" -f "$timef" "${check[@]}" >"$d/fitted.jsonl" 2>"$d/check2.stderr" ||
		[ $? -le 1 ] || lg_die "leakguard check failed"
	"$lg" learn --db "$db" --stats --json >"$d/stats.json"
	if [[ ",$peers," == *,bogofilter,* ]]; then
		(
			set -e
			export LG_CMDLOG=$work/cmd/fit
			bogofilter_setup "$d"
			bogofilter_train spam "$fit_train/spam"
			bogofilter_train ham "$fit_train/ham"
			PEER_WRAP=() PEER_WRAP_TEXT=
			bogofilter_classify "$fit_test/ham" "$fit_test/spam" >/dev/null
			# PATH, Spam/Unsure/Ham, spamicity: both of bogofilter's operating points.
			awk '{ i = index($0, " X-Bogosity: "); if (!i) next
				path = substr($0, 1, i - 1); rest = substr($0, i + 13)
				split(rest, a, ","); s = rest; sub(/.*spamicity=/, "", s); sub(/,.*/, "", s)
				printf "%s\t%s\t%s\n", path, a[1], s }' "$BOGOFILTER_DIR/classify.out" >"$d/bogofilter.tsv"
		) || lg_log "bogofilter failed on the $name split"
	fi
}

fit_tables()
{
	python3 - "$work/fit" <<'PY'
import json, math, os, sys
top = sys.argv[1]

def truth(path):
    return path.rstrip("/").split("/")[-2]

def jsonl(path):
    rows = []
    with open(path) as f:
        for line in f:
            j = json.loads(line)
            if "error" in j:
                continue
            rows.append(j)
    return rows

def roc(pairs):
    """pairs [(is_spam, score)]: recall at ham FP <= 0.1/0.5/1% and 1-ROCA."""
    ham = sorted((s for y, s in pairs if not y), reverse=True)
    spam = [s for y, s in pairs if y]
    out = []
    for rate in (0.001, 0.005, 0.01):
        k = int(rate * len(ham))
        t = ham[k] if k < len(ham) else -math.inf
        out.append((sum(1 for s in spam if s > t), k))
    hs = sorted(ham)
    import bisect
    below = sum(bisect.bisect_left(hs, s) + 0.5 * (bisect.bisect_right(hs, s) - bisect.bisect_left(hs, s)) for s in spam)
    return out, 1 - below / (len(spam) * len(ham)), len(spam), len(ham)

def at_most(pairs, fp):
    """Spam recall with at most fp ham above the threshold."""
    ham = sorted((s for y, s in pairs if not y), reverse=True)
    t = ham[fp] if fp < len(ham) else -math.inf
    return sum(1 for y, s in pairs if y and s > t)

def lines_sum(j):
    return sum(s["score"] for s in j["signals"])

out = []
for split, title in (("fixed", "fixed split (scripts/corpus-split.sh)"), ("hash", "split by SHA-256 of the file name")):
    d = os.path.join(top, split)
    if not os.path.exists(os.path.join(d, "fitted.jsonl")):
        continue
    hand, fitted = jsonl(os.path.join(d, "handset.jsonl")), jsonl(os.path.join(d, "fitted.jsonl"))
    learn2 = json.load(open(os.path.join(d, "learn2.json")))
    series = [
        ("leakguard classifier alone (spam_probability)", [(truth(j["path"]) == "spam", j["spam_probability"]) for j in fitted]),
        ("leakguard hand-set verdict (score, sum of its lines)", [(truth(j["path"]) == "spam", lines_sum(j)) for j in hand]),
        ("leakguard fitted verdict (score, sum of its lines)", [(truth(j["path"]) == "spam", lines_sum(j)) for j in fitted]),
    ]
    bogo = []
    bp = os.path.join(d, "bogofilter.tsv")
    if os.path.exists(bp):
        for line in open(bp):
            p, label, s = line.rstrip("\n").split("\t")
            bogo.append((truth(p), label, float(s)))
        series.append(("bogofilter (spamicity)", [(t == "spam", s) for t, _, s in bogo]))
    n_spam = sum(1 for y, _ in series[0][1] if y)
    n_ham = len(series[0][1]) - n_spam
    out.append(f"### {title}: {n_ham} ham + {n_spam} spam tested")
    out.append("")
    out.append(f"Refit: `learn` of the training half again took {learn2['seconds']:.2f} s, of which the fit on {learn2['fitted_messages']} vectors {learn2['fit_seconds']:.3f} s.")
    def cpu(name):
        w, u, s_, m = open(os.path.join(d, name)).read().split("\n")[-2].split()
        return float(u) + float(s_)
    c1, c2 = cpu("check1.time"), cpu("check2.time")
    out.append(f"`check` of the test half, CPU seconds: hand-set {c1:.2f}, fitted {c2:.2f} ({100 * (c2 - c1) / c1:+.0f}%, one run each; the fit's rescoring is a few multiplications per signal).")
    out.append("")
    out.append("| score | recall at ham FP ≤ 0.1% | ≤ 0.5% | ≤ 1% | 1 − ROC area |")
    out.append("|---|---:|---:|---:|---:|")
    res = {}
    for name, pairs in series:
        pts, roca, ns, nh = roc(pairs)
        res[name] = (pts, roca)
        cells = [f"{100 * c / ns:.1f}% ({c}/{ns}, ≤{k} FP)" for c, k in pts]
        out.append(f"| {name} | " + " | ".join(cells) + f" | {roca:.5f} |")
    out.append("")
    if bogo:
        out.append("At bogofilter's own operating points (its ham false positives allowed to the fitted verdict):")
        out.append("")
        out.append("| bogofilter point | its spam recall | its ham FP | fitted verdict recall at ≤ that many FP | beaten? |")
        out.append("|---|---:|---:|---:|---|")
        fitted_pairs = series[2][1]
        for label, flagged in (("Spam (strict)", ("Spam",)), ("Spam or Unsure (lenient)", ("Spam", "Unsure"))):
            tp = sum(1 for t, l, _ in bogo if t == "spam" and l in flagged)
            fp = sum(1 for t, l, _ in bogo if t == "ham" and l in flagged)
            ours = at_most(fitted_pairs, fp)
            verdict = "**yes**" if ours > tp else ("tie" if ours == tp else "no")
            out.append(f"| {label} | {100 * tp / n_spam:.1f}% ({tp}) | {fp} | {100 * ours / n_spam:.1f}% ({ours}) | {verdict} |")
        out.append("")
    c, f = res[series[0][0]], res[series[2][0]]
    ge = all(fp[0] >= cp[0] for fp, cp in zip(f[0], c[0])) and f[1] <= c[1]
    out.append(f"- fitted verdict at least as good as the classifier alone on every column: **{'met' if ge else 'not met'}**")
    r01 = f[0][0][0] / n_spam
    out.append(f"- fitted verdict ≥ 98% recall at ≤ 0.1% ham FP: **{'met' if r01 >= 0.98 else 'not met'}** ({100 * r01:.1f}%)")
    out.append("")
    # Calibration: P(spam) = 1 / (1 + exp(spam threshold - score)) against
    # the share of spam among the test messages so predicted.
    thr = 8.0
    for line in open("bench/leakguard-bench.conf"):
        k, _, v = line.partition("=")
        if k.strip() == "spam" and v.strip():
            thr = float(v)
    bins = [[0, 0.0, 0] for _ in range(5)]
    edges = (0.01, 0.1, 0.5, 0.9)
    for j in fitted:
        z = lines_sum(j) - thr
        pr = 1 / (1 + math.exp(-z)) if z > -700 else 0.0
        b = sum(1 for e in edges if pr >= e)
        bins[b][0] += 1
        bins[b][1] += pr
        bins[b][2] += truth(j["path"]) == "spam"
    out.append("Calibration of the fitted verdict on the test half (P(spam) = 1 / (1 + exp(spam threshold − score))):")
    out.append("")
    out.append("| predicted P(spam) | messages | mean predicted | share that is spam |")
    out.append("|---|---:|---:|---:|")
    names = ("< 1%", "1–10%", "10–50%", "50–90%", "≥ 90%")
    for name, (n, sp, ns) in zip(names, bins):
        if n:
            out.append(f"| {name} | {n} | {100 * sp / n:.1f}% | {100 * ns / n:.1f}% |")
    out.append("")
    fit = json.load(open(os.path.join(d, "stats.json")))["fit"]
    moved = sorted((w for w in fit if w["messages"]), key=lambda w: -abs(w["fitted"] - w["default"]))[:12]
    out.append("Fitted weights that moved most (default → fitted, messages carrying the signal): " +
               "; ".join(f"{w['name']} {w['default']:g} → {w['fitted']:.2f} ({w['messages']})" for w in moved))
    out.append("")
print("\n".join(out))
PY
}

fit_section()
{
	rm -rf "$work/fit"
	mkdir -p "$work/fit"
	: >"$work/cmd/fit"
	local s
	for s in fixed hash; do fit_run_split "$s"; done
	echo "## The fitted verdict (issue 15): classifier alone, hand-set and fitted verdicts, bogofilter, on two splits"
	echo
	fit_tables
	echo "Commands:"
	echo
	echo '```'
	cat "$work/cmd/fit"
	echo '```'
}

if [ "$fit_only" = 1 ]; then
	out=$(fit_section)
	printf '%s\n' "$out"
	if [ "$save" = 1 ]; then
		mkdir -p bench/results
		file=bench/results/learn-fit-$(date +%Y-%m-%d-%H%M%S).md
		{
			echo "# leakguard's fitted verdict — $(date '+%Y-%m-%d %H:%M %Z')"
			echo
			echo "- leakguard: ${lg_version:-unknown version}, $origin; run as \`bench/learn.sh --fit-only$([ "$quick" = 1 ] && echo " --quick")\`; machine load $(load_avg) at end"
			echo
			printf '%s\n' "$out"
		} >"$file"
		lg_log "report saved to $file"
	fi
	exit 0
fi

# --- leakguard: train -------------------------------------------------------------
lgd=$work/leakguard
mkdir -p "$lgd"
model=$lgd/model.db
nomodel_db=$lgd/no-model/absent.db # its directory never exists: no store, heuristics only
lgcmd() { printf '%s\n' "$*" >>"$work/cmd/leakguard"; }

lg_log "leakguard: learning $n_train_spam spam and $n_train_ham ham"
learn_cmd=("$lg" learn --json --db "$model" --spam "$train_src/spam" --ham "$train_src/ham")
lgcmd "taskset -c $core /usr/bin/time -f '$timef' ${learn_cmd[*]}"
taskset -c "$core" /usr/bin/time -o "$lgd/learn.time" -f "$timef" "${learn_cmd[@]}" \
	>"$lgd/learn.json" 2>"$lgd/learn.stderr" || { lg_show_log "$lgd/learn.stderr"; lg_die "leakguard learn failed"; }
lgcmd "${lg} learn --db $model --stats --json"
"$lg" learn --db "$model" --stats --json >"$lgd/stats.json" || lg_die "leakguard learn --stats failed"
put leakguard "name=${lg_version:-leakguard}" "train_n=$n_train" \
	"learnt=$(jq -r '.learnt' "$lgd/learn.json")" \
	"learn_seconds_own=$(jq -r '.seconds' "$lgd/learn.json")" \
	"learnt_spam=$(jq -r '.spam_messages' "$lgd/stats.json")" \
	"learnt_ham=$(jq -r '.ham_messages' "$lgd/stats.json")" \
	"model_tokens=$(jq -r '.tokens' "$lgd/stats.json")" \
	"model_bytes=$(jq -r '.bytes' "$lgd/stats.json")" \
	"model_file_bytes=$(stat -c %s "$model")"
time_keys train "$lgd/learn.time" >>"$work/metrics/leakguard"

# --- leakguard: check with and without the model, alternately -------------------
# run_check model|none REP [ONE-MESSAGE]: check of the whole test half, or of
# one message only (its time is the start-up: loading the model and the rest).
run_check()
{
	local kind=$1 r=$2 one=${3:-} db rc=0 name
	case $kind in model) db=$model ;; none) db=$nomodel_db ;; esac
	local cmd=("$lg" check --json --no-progress --config bench/leakguard-bench.conf --db "$db")
	if [ -n "$one" ]; then
		cmd+=("$one")
		name=start-$kind
	else
		cmd+=("$test_src/ham" "$test_src/spam")
		name=check-$kind
	fi
	if [ "$r" = 1 ]; then lgcmd "taskset -c $core /usr/bin/time -f '$timef' ${cmd[*]} > $lgd/$name-N.jsonl   (N = 1..$reps)"; fi
	taskset -c "$core" /usr/bin/time -o "$lgd/$name-$r.time" -f "$timef" "${cmd[@]}" \
		>"$lgd/$name-$r.jsonl" 2>"$lgd/$name-$r.stderr" || rc=$?
	# 0 all clean, 1 some message flagged; 2 usage, configuration or input error.
	if [ "$rc" -gt 1 ]; then
		lg_show_log "$lgd/$name-$r.stderr"
		lg_die "leakguard check ($name) exited with $rc"
	fi
	time_keys "rep$r" "$lgd/$name-$r.time" >>"$work/metrics/lg-$name"
}
one_msg=$(lg_list_messages "$test_src/ham" | sed -n 1p)
put lg-check-model "name=leakguard check with the model" "n=$n_test" "reps=$reps"
put lg-check-none "name=leakguard check without a model (heuristics only)" "n=$n_test" "reps=$reps"
put lg-start-model "name=leakguard check with the model, one message" "n=1" "reps=$reps"
put lg-start-none "name=leakguard check without a model, one message" "n=1" "reps=$reps"
lgcmd "# the four commands below ran $reps times each, in this order, one after the other"
for ((r = 1; r <= reps; r++)); do
	lg_log "leakguard: check of $n_test messages with and without the model ($r/$reps)"
	run_check model "$r"
	run_check none "$r"
	run_check model "$r" "$one_msg"
	run_check none "$r" "$one_msg"
done
if [ -e "$lgd/no-model" ]; then lg_log "warning: check created $lgd/no-model"; fi
"$lg" learn --db "$model" --stats --json >"$lgd/stats-after.json" || true
cmp -s <(jq -c 'del(.bytes)' "$lgd/stats.json") <(jq -c 'del(.bytes)' "$lgd/stats-after.json") ||
	put leakguard "note_model_changed=1"
# Same results in every repetition? (It is deterministic; a difference is a bug.)
lg_key() { jq -c '[.path, .verdict, .score, .spam_probability]' "$1"; }
for kind in model none; do
	for ((r = 2; r <= reps; r++)); do
		cmp -s <(lg_key "$lgd/check-$kind-1.jsonl") <(lg_key "$lgd/check-$kind-$r.jsonl") ||
			put "lg-check-$kind" "note_reps_differ=1"
	done
done

# Per-message rows: PATH<TAB>spam|ham (default decision)<TAB>continuous score.
# Messages leakguard could not read count as not flagged, score missing (NaN).
jq -r '[.path, (if .error then "error" elif (.spam_probability // -1) >= 0.9 then "spam" else "ham" end),
	(.spam_probability // "NaN" | tostring)] | @tsv' "$lgd/check-model-1.jsonl" >"$work/tsv/lg-alone"
jq -r '[.path, (if .error then "error" elif .verdict != "clean" then "spam" else "ham" end),
	(.score // "NaN" | tostring)] | @tsv' "$lgd/check-model-1.jsonl" >"$work/tsv/lg-any"
jq -r '[.path, (if .error then "error" elif (.verdict == "spam" or .verdict == "phishing") then "spam" else "ham" end),
	(.score // "NaN" | tostring)] | @tsv' "$lgd/check-model-1.jsonl" >"$work/tsv/lg-strong"
jq -r '[.path, (if .error then "error" elif .verdict != "clean" then "spam" else "ham" end),
	(.score // "NaN" | tostring)] | @tsv' "$lgd/check-none-1.jsonl" >"$work/tsv/lg-heur"

# --- peers ------------------------------------------------------------------------
# Each runs in a subshell: its servers stop when it ends, and a peer that fails
# leaves failed=1 in its metrics while the others still run.
run_bogofilter()
(
	set -e
	LG_TRAP_SET=
	LG_CLEANUP=()
	# shellcheck disable=SC2030,SC2031  # each peer's subshell logs to its own file
	export LG_CMDLOG=$work/cmd/bogofilter
	: >"$LG_CMDLOG"
	put bogofilter "name=bogofilter $(bogofilter -V 2>&1 | awk 'NR == 1 { print $3 }') (Bayes)" "train_n=$n_train"
	bogofilter_setup "$work"
	local d=$BOGOFILTER_DIR
	lg_log "bogofilter: learning $n_train_spam spam and $n_train_ham ham"
	lg_cmdlog "# training: the two commands below ran in one process tree under taskset -c $core /usr/bin/time -f '$timef' bash -c '. bench/peers/bogofilter.sh; bogofilter_train spam ...; bogofilter_train ham ...'"
	# shellcheck disable=SC2016  # a script of its own, with its own arguments
	taskset -c "$core" /usr/bin/time -o "$d/train.time" -f "$timef" bash -c '
		set -euo pipefail
		. bench/peers/bogofilter.sh
		BOGOFILTER_DIR=$1
		bogofilter_train spam "$2"
		bogofilter_train ham "$3"' train "$d" "$train_src/spam" "$train_src/ham"
	time_keys train "$d/train.time" >>"$work/metrics/bogofilter"
	put bogofilter "learnt_spam=$n_train_spam" "learnt_ham=$n_train_ham" \
		"model_bytes=$(stat -c %s "$d/wordlist.db")" \
		"model_tokens=$(bogoutil -d "$d/wordlist.db" | grep -vc '^\.')" "n=$n_test" "reps=$reps"
	local r
	for ((r = 1; r <= reps; r++)); do
		lg_log "bogofilter: classifying $n_test messages ($r/$reps)"
		PEER_WRAP=(taskset -c "$core" /usr/bin/time -o "$d/classify-$r.time" -f "$timef")
		PEER_WRAP_TEXT="taskset -c $core /usr/bin/time -f '$timef' "
		[ "$r" = 1 ] || LG_CMDLOG=
		bogofilter_classify "$test_src/ham" "$test_src/spam" >"$d/classify-$r.tsv"
		time_keys "rep$r" "$d/classify-$r.time" >>"$work/metrics/bogofilter"
	done
	cp "$d/classify-1.tsv" "$work/tsv/bogofilter"
)

run_rspamd()
(
	set -e
	LG_TRAP_SET=
	LG_CLEANUP=()
	# shellcheck disable=SC2030,SC2031
	export LG_CMDLOG=$work/cmd/rspamd
	: >"$LG_CMDLOG"
	put rspamd "name=rspamd $(rspamd --version | awk '{ print $4; exit }') + Bayes (Redis)" "train_n=$n_train"
	RSPAMD_SERVER_WRAP=(taskset -c "$core")
	RSPAMD_HS_CACHE=$top/build/bench/cache/rspamd-hs
	rspamd_setup "$work" --bayes
	local d=$RSPAMD_DIR
	lg_log "rspamd: starting (redis-server and rspamd; waits for the hyperscan database)"
	rspamd_start
	redis() { redis-cli -h 127.0.0.1 -p "$RSPAMD_REDIS_PORT" "$@" | tr -d '\r'; }
	local mem0 mem1 pids c0 c1 hwm
	mem0=$(redis info memory | sed -n 's/^used_memory://p')
	pids=$(rspamd_server_pids)
	lg_log "rspamd: learning $n_train_spam spam and $n_train_ham ham"
	lg_cmdlog "# training: the two commands below ran in one process tree under taskset -c $core /usr/bin/time -f '$timef' bash -c '. bench/peers/rspamd.sh; rspamd_train spam ...; rspamd_train ham ...'"
	# shellcheck disable=SC2086
	c0=$(lg_proc_cpu $pids)
	# shellcheck disable=SC2016  # a script of its own, with its own arguments
	taskset -c "$core" /usr/bin/time -o "$d/train.time" -f "$timef" bash -c '
		set -euo pipefail
		. bench/peers/rspamd.sh
		RSPAMD_DIR=$1 RSPAMD_CTL_PORT=$2 RSPAMD_PARALLEL=$3 RSPAMD_BAYES=1
		rspamd_train spam "$4"
		rspamd_train ham "$5"' train "$d" "$RSPAMD_CTL_PORT" "$RSPAMD_PARALLEL" "$train_src/spam" "$train_src/ham"
	# shellcheck disable=SC2086
	c1=$(lg_proc_cpu $pids)
	# shellcheck disable=SC2086
	hwm=$(LG_HWM_SKIP=hs_helper lg_proc_hwm $pids)
	time_keys train "$d/train.time" >>"$work/metrics/rspamd"
	local ls os lh oh
	read -r ls os lh oh <<<"$(rspamd_bayes_stats)"
	mem1=$(redis info memory | sed -n 's/^used_memory://p')
	lg_cmdlog "redis-cli -h 127.0.0.1 -p $RSPAMD_REDIS_PORT info memory   (before and after training: used_memory)"
	lg_cmdlog "redis-cli -h 127.0.0.1 -p $RSPAMD_REDIS_PORT hget RS learns_spam; ... hget RS learns_ham; ... dbsize"
	put rspamd "train_client_cpu=$(sed -n 's/^train_cpu=//p' "$work/metrics/rspamd")" \
		"train_server_cpu=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')" \
		"train_server_rss_kib=$hwm" \
		"learnt_spam=$ls" "offered_spam=$os" "learnt_ham=$lh" "offered_ham=$oh" \
		"redis_learns_spam=$(redis hget RS learns_spam)" "redis_learns_ham=$(redis hget RS learns_ham)" \
		"skipped_condition=$(grep -c 'learn conditions denied' "$d"/learn-*.out | awk -F: '{ s += $NF } END { print s + 0 }')" \
		"skipped_known=$(cat "$d"/learn-*.out | grep -c 'already learned' || true)" \
		"skipped_short=$(cat "$d"/learn-*.out | grep -c 'less tokens than required' || true)" \
		"model_bytes=$((mem1 - mem0))" "redis_used_memory=$mem1" "model_keys=$(redis dbsize)" \
		"n=$n_test" "reps=$reps"
	local r
	for ((r = 1; r <= reps; r++)); do
		lg_log "rspamd: classifying $n_test messages ($r/$reps)"
		PEER_WRAP=(taskset -c "$core" /usr/bin/time -o "$d/classify-$r.time" -f "$timef")
		PEER_WRAP_TEXT="taskset -c $core /usr/bin/time -f '$timef' "
		[ "$r" = 1 ] || LG_CMDLOG=
		# shellcheck disable=SC2086
		c0=$(lg_proc_cpu $pids)
		rspamd_classify "$test_src/ham" "$test_src/spam" >"$d/classify-$r.tsv"
		# shellcheck disable=SC2086
		c1=$(lg_proc_cpu $pids)
		cp "$d/classify.out" "$d/classify-$r.out"
		time_keys "rep$r" "$d/classify-$r.time" >>"$work/metrics/rspamd"
		put rspamd "rep${r}_client_cpu=$(sed -n "s/^rep${r}_cpu=//p" "$work/metrics/rspamd")" \
			"rep${r}_server_cpu=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')"
	done
	# shellcheck disable=SC2086
	hwm=$(LG_HWM_SKIP=hs_helper lg_proc_hwm $pids)
	put rspamd "server_rss_kib=$hwm"
	rspamd_stop
	cp "$d/classify-1.tsv" "$work/tsv/rspamd-total"
	# Bayes alone: the BAYES_SPAM (positive) or BAYES_HAM (negative) symbol's
	# score from rspamc's output; 0 when Bayes added neither.
	awk '
		function flush() {
			if (file == "") return
			if (action == "") printf "%s\terror\tNaN\n", file
			else printf "%s\t%s\t%s\n", file, (bayes > 0 ? "spam" : "ham"), bayes
			file = ""
		}
		/^Results for file: / {
			flush()
			file = $0
			sub(/^Results for file: /, "", file)
			sub(/ \([0-9.]+ seconds\)$/, "", file)
			action = ""; bayes = 0
			next
		}
		/^Action: / { action = substr($0, 9) }
		/^Symbol: BAYES_(SPAM|HAM) \(/ {
			s = $0
			sub(/^Symbol: BAYES_[A-Z]+ \(/, "", s)
			sub(/\).*/, "", s)
			bayes = s + 0
		}
		END { flush() }' "$d/classify-1.out" >"$work/tsv/rspamd-bayes"
)

for p in ${peers//,/ }; do
	set +e
	"run_$p"
	rc=$?
	set -e
	if [ "$rc" -ne 0 ]; then
		lg_log "$p failed; the report says so (logs in $work/$p)"
		put "$p" "failed=1"
	fi
done
load_after=$(load_avg)
run_seconds=$(($(date +%s) - run_start))

# --- report -----------------------------------------------------------------------
# The tables and the target checks (Python: exact ROC arithmetic on floats).
tables()
{
	python3 - "$work" "$n_test_ham" "$n_test_spam" "$peers" <<'PY'
import math, os, sys

work, n_ham_expected, n_spam_expected, peers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
peers = [p for p in peers.split(",") if p]

def metrics(name):
    m = {}
    try:
        with open(os.path.join(work, "metrics", name)) as f:
            for line in f:
                k, _, v = line.rstrip("\n").partition("=")
                if k:
                    m[k] = v
    except OSError:
        pass
    return m

def num(v):
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x

def load(tsv):
    """[(truth, flagged, score)], score -inf when missing (counts as lowest)."""
    rows = []
    with open(tsv) as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 3:
                continue
            parts = fields[0].split("/")
            truth = parts[-2] if len(parts) >= 2 else ""
            s = num(fields[2])
            rows.append((truth, fields[1] == "spam", -math.inf if s is None else s, fields[1] == "error"))
    return rows

class Scores:
    def __init__(self, tsv):
        rows = load(tsv)
        self.ham = [s for t, _, s, _ in rows if t == "ham"]
        self.spam = [s for t, _, s, _ in rows if t == "spam"]
        self.fp = sum(1 for t, fl, _, _ in rows if t == "ham" and fl)
        self.tp = sum(1 for t, fl, _, _ in rows if t == "spam" and fl)
        self.errors = sum(1 for r in rows if r[3])
        self.unknown = sum(1 for t, _, _, _ in rows if t not in ("ham", "spam"))
        self.nh, self.ns = len(self.ham), len(self.spam)
        self.ham_desc = sorted(self.ham, reverse=True)
        self.spam_desc = sorted(self.spam, reverse=True)

    def roc(self, permille):
        """Smallest threshold t with at most floor(permille/1000 * N_ham) ham
        scoring > t; spam scoring > t counts as detected. Returns (t, tp, fp)."""
        k = self.nh * permille // 1000
        t = self.ham_desc[k] if k < self.nh else -math.inf
        return t, sum(1 for s in self.spam if s > t), sum(1 for h in self.ham if h > t)

    def fp_at_recall(self, tp_needed):
        """Fewest ham above a threshold that detects at least tp_needed spam,
        and that threshold's spam count: t just below the tp_needed-th highest
        spam score, so ham scoring >= it count."""
        if tp_needed <= 0:
            return 0, 0, math.inf
        if tp_needed > self.ns:
            return None, None, None
        s = self.spam_desc[tp_needed - 1]
        if s == -math.inf:
            return self.nh, sum(1 for x in self.spam if x > -math.inf), s
        return sum(1 for h in self.ham if h >= s), sum(1 for x in self.spam if x >= s), s

def pct(a, b, digits=1):
    return "n/a" if not b else f"{100 * a / b:.{digits}f}%"

def frac(a, b, digits=1):
    return "n/a" if not b else f"{100 * a / b:.{digits}f}% ({a}/{b})"

def thr(t):
    if t == -math.inf:
        return "none (all scored)"
    return f"> {t:.6g}"

def mib(b):
    return f"{b / 1048576:.1f}"

rows = [
    ("lg-alone", "leakguard classifier alone", "spam_probability ≥ 0.9 (where LEARNED_SPAM starts)", "spam_probability"),
    ("lg-any", "leakguard classifier + heuristics", "verdict not clean", "score"),
    ("lg-strong", "leakguard classifier + heuristics", "verdict spam or phishing", "score"),
    ("lg-heur", "leakguard heuristics only (no model), for reference", "verdict not clean", "score"),
]
if "bogofilter" in peers:
    rows.append(("bogofilter", metrics("bogofilter").get("name", "bogofilter"), "Spam (spamicity ≥ 0.99; Unsure counts as ham)", "spamicity"))
if "rspamd" in peers:
    rname = metrics("rspamd").get("name", "rspamd")
    rows.append(("rspamd-bayes", rname + ": Bayes alone", "BAYES_SPAM added", "BAYES_SPAM / −BAYES_HAM symbol score (0 if neither)"))
    rows.append(("rspamd-total", rname + ": total", "action add header or stronger (score ≥ 6)", "total score"))

sc = {}
for rid, *_ in rows:
    path = os.path.join(work, "tsv", rid)
    failed = metrics(rid.split("-")[0] if rid.startswith("rspamd") else rid).get("failed")
    if os.path.isfile(path) and os.path.getsize(path) > 0 and not failed:
        sc[rid] = Scores(path)

out = []
p = out.append
p("## Detection on the test half")
p("")
p("| model | default decision | spam recall | ham FP rate | score for the ROC | recall at ham FP ≤ 0.1% | recall at ham FP ≤ 1% |")
p("|---|---|---:|---:|---|---:|---:|")
for rid, label, decision, score in rows:
    s = sc.get(rid)
    if s is None:
        p(f"| {label} | failed (see {work}) | | | | | |")
        continue
    r1 = s.roc(1)
    r10 = s.roc(10)
    p(f"| {label} | {decision} | {frac(s.tp, s.ns)} | {frac(s.fp, s.nh, 2)} | {score} | {frac(r1[1], s.ns)} | {frac(r10[1], s.ns)} |")
p("")
p("ROC thresholds (a message counts as spam when its score is above the threshold; the threshold is the smallest one that leaves at most "
  f"floor(0.1% × ham) = {n_ham_expected * 1 // 1000} and floor(1% × ham) = {n_ham_expected * 10 // 1000} of the {n_ham_expected} ham above it, so ties at the threshold all count as ham):")
p("")
p("| model, score | threshold at 0.1% | ham above | spam above | threshold at 1% | ham above | spam above |")
p("|---|---:|---:|---:|---:|---:|---:|")
seen = set()
for rid, label, decision, score in rows:
    s = sc.get(rid)
    if s is None or (label, score) in seen:
        continue
    seen.add((label, score))
    t1, tp1, fp1 = s.roc(1)
    t10, tp10, fp10 = s.roc(10)
    p(f"| {label}, {score} | {thr(t1)} | {fp1} | {tp1} | {thr(t10)} | {fp10} | {tp10} |")
notes = []
for rid, label, decision, score in rows:
    s = sc.get(rid)
    if s is None:
        continue
    if s.errors:
        notes.append(f"- {label}: {s.errors} messages got no answer (counted as not flagged, lowest score).")
    if s.unknown:
        notes.append(f"- {label}: {s.unknown} result lines with a path outside ham/ and spam/ (ignored).")
    if (s.nh, s.ns) != (n_ham_expected, n_spam_expected):
        notes.append(f"- {label}: results for {s.nh} ham and {s.ns} spam, expected {n_ham_expected} and {n_spam_expected}.")
if "lg-alone" in sc:
    a = sc["lg-alone"]
    sat_h = sum(1 for h in a.ham if h >= 1.0)
    sat_s = sum(1 for x in a.spam if x >= 1.0)
    zero_s = sum(1 for x in a.spam if x <= 0.0)
    notes.append(f"- leakguard's spam_probability is exactly 1 for {sat_s} spam and {sat_h} ham, and exactly 0 for {zero_s} spam "
                 "(double precision saturates); messages tied at the threshold cannot be separated by it.")
if "rspamd-bayes" in sc:
    b = sc["rspamd-bayes"]
    none = sum(1 for x in b.ham + b.spam if x == 0)
    notes.append(f"- rspamd's Bayes added neither BAYES_SPAM nor BAYES_HAM to {none} of {b.nh + b.ns} messages (score 0); "
                 "its symbol score is printed with two decimals and saturates at the symbol's weight.")
if notes:
    p("")
    out.extend(notes)

# --- targets
p("")
p("## Issue 3 targets")
p("")
def verdict(ok):
    return "**met**" if ok else "**not met**"
lg_rows = [(rid, lab) for rid, lab in (("lg-alone", "classifier alone (spam_probability)"), ("lg-any", "classifier + heuristics (score)")) if rid in sc]
peer_points = [(rid, label, decision) for rid, label, decision, _ in rows if rid in ("bogofilter", "rspamd-bayes", "rspamd-total") and rid in sc]
p("1. Fewer ham false positives than bogofilter and rspamd at equal or better spam recall. Each peer at its default decision, "
  "against the fewest false positives leakguard's score needs to detect at least as much spam:")
p("")
p("   | peer at its default | peer recall | peer ham FP | leakguard | its ham FP at ≥ that recall (threshold) | met? |")
p("   |---|---:|---:|---|---:|---|")
for prid, plabel, pdec in peer_points:
    ps = sc[prid]
    for lrid, llabel in lg_rows:
        fp, tp, t = sc[lrid].fp_at_recall(ps.tp)
        if fp is None:
            p(f"   | {plabel} ({pdec}) | {frac(ps.tp, ps.ns)} | {ps.fp} | {llabel} | cannot reach it | {verdict(False)} |")
            continue
        ok = fp < ps.fp or (fp == 0 and ps.fp == 0)
        tail = " (tie at 0 FP)" if fp == 0 and ps.fp == 0 else ""
        p(f"   | {plabel} ({pdec}) | {frac(ps.tp, ps.ns)} | {ps.fp} | {llabel} | {fp} ({'≥ ' + format(t, '.6g') if t not in (math.inf, -math.inf) else 'any'}; {tp} spam) | {verdict(ok)}{tail} |")
if "lg-any" in sc:
    a = sc["lg-any"]
    for prid, plabel, pdec in peer_points:
        ps = sc[prid]
        ok = a.tp >= ps.tp and (a.fp < ps.fp or a.fp == ps.fp == 0)
        p(f"   - leakguard's own default (verdict not clean: {frac(a.tp, a.ns)} recall, {a.fp} FP) against {plabel}'s ({frac(ps.tp, ps.ns)}, {ps.fp} FP): {verdict(ok)}")
p("")
p("2. At most 0.1% ham false positives with spam recall of at least 98%:")
p("")
for lrid, llabel in lg_rows:
    s = sc[lrid]
    t, tp, fp = s.roc(1)
    p(f"   - {llabel}: recall at ham FP ≤ 0.1% = {frac(tp, s.ns)} ({fp} ham above {thr(t)[2:] if t != -math.inf else 'no threshold'}): {verdict(s.ns and tp / s.ns >= 0.98)}")
for rid, lab in (("lg-any", "verdict not clean"), ("lg-strong", "verdict spam or phishing")):
    if rid in sc:
        s = sc[rid]
        ok = s.nh and s.fp <= s.nh * 1 // 1000 and s.ns and s.tp / s.ns >= 0.98
        p(f"   - leakguard's default decision ({lab}): ham FP {frac(s.fp, s.nh, 2)}, recall {frac(s.tp, s.ns)}: {verdict(ok)}")
p("")
mm, mn = metrics("lg-check-model"), metrics("lg-check-none")
def best(m, key):
    vals = [num(m.get(f"rep{r}_{key}")) for r in range(1, int(m.get("reps", "0") or 0) + 1)]
    vals = [v for v in vals if v is not None]
    return min(vals) if vals else None
wm, wn, cm, cn = best(mm, "wall"), best(mn, "wall"), best(mm, "cpu"), best(mn, "cpu")
if None not in (wm, wn, cm, cn) and wn > 0 and cn > 0:
    oc, ow = cm / cn - 1, wm / wn - 1
    p(f"3. Classification adds at most a third to `check`'s time per message: with the model {cm:.2f} CPU s / {wm:.2f} s wall, "
      f"without {cn:.2f} CPU s / {wn:.2f} s wall for the same {mm.get('n')} messages (fastest of {mm.get('reps')}): "
      f"+{100 * oc:.0f}% CPU, +{100 * ow:.0f}% wall: {verdict(oc <= 1 / 3)} (judged on CPU time, which other work on the machine does not stretch).")
    sm, sn = best(metrics("lg-start-model"), "cpu"), best(metrics("lg-start-none"), "cpu")
    n = int(mm.get("n", "0") or 0)
    if None not in (sm, sn) and n > 1 and cn - sn > 0:
        per_m, per_n = (cm - sm) / (n - 1), (cn - sn) / (n - 1)
        p(f"   - Of that, start-up (`check` of one message, fastest of {mm.get('reps')}): {sm:.2f} CPU s with the model "
          f"(opening the store and loading the model), {sn:.2f} without. Without start-up, per further message: "
          f"{1000 * per_m:.3f} ms with the model, {1000 * per_n:.3f} ms without: +{100 * (per_m / per_n - 1):.0f}% "
          "(what a long-running `leakguard milter`, which loads the model once, would pay; not the target's definition).")
else:
    p("3. Classification overhead: not measured (a check run failed).")

# --- speed
p("")
p("## Training, on one core")
p("")
p("| model | messages given | learnt (spam + ham) | wall s | msgs/s | CPU s | msgs/CPU-s | peak RSS MiB | model size |")
p("|---|---:|---:|---:|---:|---:|---:|---:|---|")
def train_row(name, m, size, cpu=None, rss=None, learnt=None):
    n = int(m.get("train_n", "0") or 0)
    w, c = num(m.get("train_wall")), cpu if cpu is not None else num(m.get("train_cpu"))
    r = rss if rss is not None else num(m.get("train_rss_kib"))
    p(f"| {name} | {n} | {learnt} | {w:.2f} | {n / w:.0f} | {c:.2f} | {n / c:.0f} | {r / 1024:.1f} | {size} |"
      if w and c else f"| {name} | {n} | {learnt} | n/a | n/a | n/a | n/a | n/a | {size} |")
m = metrics("leakguard")
if m:
    train_row(m.get("name", "leakguard"), m,
              f"{mib(int(m['model_bytes']))} MiB SQLite ({int(m['model_tokens']):,} tokens)",
              learnt=f"{m.get('learnt_spam')} + {m.get('learnt_ham')}")
if "bogofilter" in peers:
    m = metrics("bogofilter")
    if m.get("failed") or "train_wall" not in m:
        p(f"| {m.get('name', 'bogofilter')} | failed | | | | | | | |")
    else:
        train_row(m["name"], m, f"{mib(int(m['model_bytes']))} MiB wordlist.db ({int(m['model_tokens']):,} tokens)",
                  learnt=f"{m.get('learnt_spam')} + {m.get('learnt_ham')}")
if "rspamd" in peers:
    m = metrics("rspamd")
    if m.get("failed") or "train_wall" not in m:
        p(f"| {m.get('name', 'rspamd')} | failed | | | | | | | |")
    else:
        cpu = num(m.get("train_client_cpu")) + num(m.get("train_server_cpu"))
        rss = max(num(m.get("train_rss_kib")) or 0, num(m.get("train_server_rss_kib")) or 0)
        train_row(m["name"], m, f"{mib(int(m['model_bytes']))} MiB Redis used_memory growth ({int(m['model_keys']):,} keys)",
                  cpu=cpu, rss=rss, learnt=f"{m.get('learnt_spam')} + {m.get('learnt_ham')}")

p("")
p("## Classifying the test half, on one core")
p("")
reps = int(metrics("lg-check-model").get("reps", "1") or 1)
p(f"| program | messages | wall s | msgs/s | CPU s | msgs/CPU-s | peak RSS MiB | every run: wall / CPU s |")
p("|---|---:|---:|---:|---:|---:|---:|---|")
def classify_row(name, m, server=False):
    n = int(m.get("n", "0") or 0)
    k = int(m.get("reps", "0") or 0)
    runs, walls, cpus, rss = [], [], [], 0
    for r in range(1, k + 1):
        w = num(m.get(f"rep{r}_wall"))
        c = num(m.get(f"rep{r}_cpu"))
        if w is None or c is None:
            continue
        if server:
            c = num(m.get(f"rep{r}_client_cpu")) + num(m.get(f"rep{r}_server_cpu"))
        walls.append(w)
        cpus.append(c)
        runs.append(f"{w:.2f} / {c:.2f}")
        rss = max(rss, num(m.get(f"rep{r}_rss_kib")) or 0)
    if server:
        rss = max(rss, num(m.get("server_rss_kib")) or 0)
    if not walls or m.get("failed"):
        p(f"| {name} | failed | | | | | | |")
        return
    w, c = min(walls), min(cpus)
    p(f"| {name} | {n} | {w:.2f} | {n / w:.0f} | {c:.2f} | {n / c:.0f} | {rss / 1024:.1f} | {'; '.join(runs)} |")
classify_row("leakguard check, with the model", metrics("lg-check-model"))
classify_row("leakguard check, no model (heuristics only)", metrics("lg-check-none"))
if "bogofilter" in peers:
    classify_row(metrics("bogofilter").get("name", "bogofilter"), metrics("bogofilter"))
if "rspamd" in peers:
    classify_row(metrics("rspamd").get("name", "rspamd") + ", all rules", metrics("rspamd"), server=True)
notes = []
for name in ("lg-check-model", "lg-check-none"):
    if metrics(name).get("note_reps_differ"):
        notes.append(f"- warning: {metrics(name)['name']} gave different results in different runs.")
if metrics("leakguard").get("note_model_changed"):
    notes.append("- warning: the model's counts changed during `check` (stats before and after differ).")
m = metrics("rspamd")
if m and not m.get("failed") and "learnt_spam" in m:
    notes.append(f"- rspamd accepted {m['learnt_spam']} of {m['offered_spam']} training spam and {m['learnt_ham']} of {m['offered_ham']} training ham "
                 f"(Redis key RS: learns_spam {m.get('redis_learns_spam') or '?'}, learns_ham {m.get('redis_learns_ham') or '?'}). Refused: "
                 f"{m.get('skipped_condition')} by its default learn condition (Bayes already classified them confidently), "
                 f"{m.get('skipped_known')} as already learnt (duplicate Message-ID), {m.get('skipped_short')} with too few tokens.")
if notes:
    p("")
    out.extend(notes)
print("\n".join(out))
PY
}

report()
{
	echo "# leakguard learn vs bogofilter and rspamd Bayes — $(date '+%Y-%m-%d %H:%M %Z')"
	echo
	echo "- leakguard: ${lg_version:-unknown version}, $origin (copied to \`$lg\` for the run)"
	echo "- machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); every timed program and server pinned to CPU $core (taskset); load average $load_before at start, $load_after at end (other work stretches wall time, not CPU time)"
	echo "- corpus: SpamAssassin public corpus, fixed split (scripts/corpus-split.sh). Every model learnt from the training half, $n_train_ham ham + $n_train_spam spam, and is measured on the test half, $n_test_ham ham + $n_test_spam spam$([ "$quick" = 1 ] && echo "; --quick: every 10th message of each half, a smoke test whose numbers mean nothing (rspamd's Bayes needs 200 learnt messages of each class before it classifies)")"
	echo "- classification timings: the fastest of $reps run(s) of each (all runs listed); \`leakguard check\` with and without the model ran alternately"
	echo "- total run time: ${run_seconds} s"
	echo
	tables
	echo
	fit_section
	echo
	echo "How to read it (details in bench/README.md, \"bench/learn.sh\"):"
	echo
	echo "- spam recall = flagged spam / all test spam; ham FP rate = flagged ham / all test ham, at each model's default decision."
	echo "- recall at ham FP ≤ x: each continuous score (leakguard: spam_probability alone, score combined; bogofilter: spamicity; rspamd: the Bayes symbol's score alone, the total score) with the threshold chosen on these test results so that at most floor(x × ham) ham score above it. That is the best the score could do, not what an installation does."
	echo "- msgs/s = messages / wall-clock seconds of the whole process (start-up, loading the model, reading files, output); CPU s = its user + system seconds (/usr/bin/time); msgs/CPU-s = messages / CPU s, the figure to trust on a busy machine. rspamd works in its server: its CPU adds the client's (rspamc) and the server processes' (rspamd's workers and redis-server, from /proc) during the timed step; its peak RSS is the largest of the client and each server process (hs_helper left out). Peer training ran as one process tree (bash running the peer script's train function, and bogofilter or rspamc under it)."
	echo "- model size: leakguard's \`learn --stats\` bytes (the SQLite file) and tokens; bogofilter's wordlist.db and its token count (\`bogoutil -d\`); rspamd: growth of Redis used_memory over training, and the number of Redis keys."
	echo
	echo "## Commands"
	echo
	echo "Run as \`bench/learn.sh$([ "$quick" = 1 ] && echo " --quick")$([ "$reps" != 3 ] && [ "$quick" = 0 ] && echo " --reps $reps")$([ -n "$rev" ] && echo " --rev $rev")\`. Servers were set up, started and stopped by bench/peers/*.sh on free 127.0.0.1 ports. Scratch files and per-message results: \`$work\` (tsv/: PATH, default decision, score)."
	echo
	echo '```'
	local p
	for p in leakguard ${peers//,/ }; do
		[ -s "$work/cmd/$p" ] || continue
		echo "# $p"
		cat "$work/cmd/$p"
	done
	echo '```'
}

out=$(report)
printf '%s\n' "$out"
if [ "$save" = 1 ]; then
	mkdir -p bench/results
	file=bench/results/learn-$(date +%Y-%m-%d)
	if [ "$quick" = 1 ]; then file+=-quick; fi
	if [ -e "$file.md" ]; then file+=-$(date +%H%M%S); fi
	file+=.md
	printf '%s\n' "$out" >"$file"
	lg_log "report saved to $file"
fi
