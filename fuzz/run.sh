#!/usr/bin/env bash
# run.sh: drives the harnesses built by fuzz/Makefile.
#
#   run.sh fuzz SECONDS NAME...   fuzz each harness for SECONDS into a scratch
#                                 dir seeded by corpus/NAME, then rebuild
#                                 corpus/NAME as the hand-written seeds
#                                 (seed-*, regress-*) plus the fewest inputs
#                                 that cover every other edge found
#                                 (libFuzzer -merge=1 -use_counters=0: edge
#                                 coverage only, which keeps it to a few
#                                 hundred small files fit to commit).
#   run.sh replay 0 NAME...       run every file of corpus/NAME once; prints
#                                 "fuzz-replay: N passed, M failed".
# A crash leaves its input in build/artifacts/ and makes the exit status 1.
set -u
cd "$(dirname "$0")"
mode=$1 seconds=$2
shift 2

# Inputs longer than this add time, not coverage.
max_len() {
	case $1 in
	domain) echo 256 ;;
	url) echo 2048 ;;
	html) echo 8192 ;;
	*) echo 16384 ;;
	esac
}

dict_opt() {
	[ -f "dict/$1.dict" ] && echo "-dict=dict/$1.dict"
}

fuzz_one() {
	local name=$1 bin=build/fuzz_$1 corpus=corpus/$1 new=build/new/$1
	local log=build/fuzz_$1.log before after execs rc min

	rm -rf "$new"
	mkdir -p "$new" "$corpus" build/artifacts
	before=$(find "$corpus" -type f | wc -l)
	"$bin" -max_total_time="$seconds" -max_len="$(max_len "$name")" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 $(dict_opt "$name") \
		-artifact_prefix="build/artifacts/$name-" "$new" "$corpus" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ "$rc" -ne 0 ]; then
		echo "fuzz_$name: CRASH after ${execs:-?} execs; see $log and build/artifacts/"
		grep -m 3 -E 'ERROR|runtime error|Test unit written' "$log"
		return 1
	fi
	min=build/min/$name
	rm -rf "$min"
	mkdir -p "$min"
	find "$corpus" -type f \( -name 'seed-*' -o -name 'regress-*' \) -exec cp {} "$min" \;
	"$bin" -merge=1 -use_counters=0 -max_len="$(max_len "$name")" -timeout=10 \
		-rss_limit_mb=2048 "$min" "$corpus" "$new" >>"$log" 2>&1 ||
		{ echo "fuzz_$name: merge failed; see $log"; return 1; }
	rm -rf "$corpus"
	mv "$min" "$corpus"
	after=$(find "$corpus" -type f | wc -l)
	echo "fuzz_$name: $seconds s, ${execs:-?} execs, 0 crashes, corpus $before -> $after files"
}

# Runs all files in one process (fast); only if that fails, one by one to
# count and name the failing inputs.
replay_one() {
	local name=$1 bin=build/fuzz_$1 log=build/replay_$1.log f
	local files=()

	mapfile -t files < <(find "corpus/$name" -type f 2>/dev/null | sort)
	[ "${#files[@]}" -eq 0 ] && return 0
	if "$bin" -timeout=10 -rss_limit_mb=2048 "${files[@]}" >"$log" 2>&1; then
		passed=$((passed + ${#files[@]}))
		return 0
	fi
	for f in "${files[@]}"; do
		if "$bin" -timeout=10 -rss_limit_mb=2048 "$f" >>"$log" 2>&1; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
			echo "fuzz-replay: fuzz_$name crashes on $f (see fuzz/$log)"
		fi
	done
}

status=0 passed=0 failed=0
for name in "$@"; do
	case $mode in
	fuzz) fuzz_one "$name" || status=1 ;;
	replay) replay_one "$name" ;;
	*) echo "usage: run.sh fuzz|replay SECONDS NAME..." >&2; exit 2 ;;
	esac
done
if [ "$mode" = replay ]; then
	echo "fuzz-replay: $passed passed, $failed failed"
	[ "$failed" -eq 0 ] || status=1
fi
exit $status
