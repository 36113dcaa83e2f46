#!/usr/bin/env bash
# bench/redis.sh: the classifier's state on Redis against SQLite (issue 16).
# On the fixed corpus split (scripts/corpus-split.sh): `learn` of the train
# half into a private redis-server and into an SQLite file (messages/s),
# Redis's memory per token (INFO memory used_memory after learning, less
# before, over the tokens held), and `check` of the test half with either
# store (wall-clock, start-up included), whose verdicts must be identical.
# Prints a Markdown report; scratch in build/bench/redis.
#
# Usage: bench/redis.sh [BINARY]   (default build/leakguard)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
bin=$(realpath "${1:-build/leakguard}")
work=$top/build/bench/redis
# shellcheck source=tests/lib/ports.sh
. tests/lib/ports.sh
[ -f build/corpus/.complete ] || scripts/corpus-split.sh build/corpus >&2
rm -rf "$work" && mkdir -p "$work/redis"
port=$(free_ports 1)
redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --dir "$work/redis" > "$work/redis/log" 2>&1 &
rpid=$!
trap 'kill $rpid 2>/dev/null; wait 2>/dev/null' EXIT
wait_port "$port" 10 || { echo "redis-server did not start" >&2; exit 1; }
url=redis://127.0.0.1:$port/0
export LEAKGUARD_DB=$work/local/leakguard.db
mem() { redis-cli -p "$port" info memory | awk -F: '/^used_memory:/ { print $2 + 0 }'; }

# secs CMD...: wall-clock seconds of CMD (exit 0 or 1, as check's verdicts)
secs() {
	local s rc=0
	s=$(date +%s%N)
	"$@" > /dev/null || rc=$?
	[ "$rc" -le 1 ] || { echo "failed ($rc): $*" >&2; exit 1; }
	echo "scale=3; ($(date +%s%N) - $s) / 1000000000" | bc
}
n_train=$(find build/corpus/train -name '*.eml' | wc -l)
n_test=$(find build/corpus/test -name '*.eml' | wc -l)
m0=$(mem)
t_learn_sqlite=$(secs "$bin" learn --db "$work/sqlite.db" --spam build/corpus/train/spam --ham build/corpus/train/ham)
t_learn_redis=$(secs "$bin" learn --db "$url" --spam build/corpus/train/spam --ham build/corpus/train/ham)
m1=$(mem)
tokens=$("$bin" learn --db "$url" --stats --json | jq .tokens)
tokens_sqlite=$("$bin" learn --db "$work/sqlite.db" --stats --json | jq .tokens)
# check exits 1 when it flagged a message: only 2 and above are failures
verdicts() {
	local rc=0
	"$bin" check --db "$1" --json build/corpus/test > "$work/check.json" 2> "$work/check.err" || rc=$?
	[ "$rc" -le 1 ] || { cat "$work/check.err" >&2; exit 1; }
	jq -c '[.path, .verdict, .spam_probability]' "$work/check.json" | sort
}
t_check_sqlite=$(secs verdicts "$work/sqlite.db")
t_check_redis=$(secs verdicts "$url")
verdicts "$work/sqlite.db" > "$work/v-sqlite"
verdicts "$url" > "$work/v-redis"
same=$(cmp -s "$work/v-sqlite" "$work/v-redis" && echo identical || echo "DIFFERENT ($(diff "$work/v-sqlite" "$work/v-redis" | grep -c '^>') lines)")
one=$(find build/corpus/test/ham -name '*.eml' | LC_ALL=C sort | sed -n 1p)
t_one_sqlite=$(secs "$bin" check --db "$work/sqlite.db" "$one")
t_one_redis=$(secs "$bin" check --db "$url" "$one")
# block propagation: a block made by `leakguard block` with host A's local
# copy, until `leakguard blocks` with host B's lists it (both processes'
# start-up included, as an administrator would see it)
prop=()
for i in $(seq 20); do
	s0=$(date +%s%N)
	LEAKGUARD_DB=$work/host-a/leakguard.db "$bin" block domain "bench-$i.example" --db "$url" > /dev/null
	until LEAKGUARD_DB=$work/host-b/leakguard.db "$bin" blocks --db "$url" --json | grep -q "bench-$i.example"; do :; done
	prop+=($((($(date +%s%N) - s0) / 1000000)))
done
mapfile -t sorted < <(printf '%s\n' "${prop[@]}" | sort -n)
rate() { echo "scale=0; $1 / $2" | bc; }
cat << REPORT
# Redis store (bench/redis.sh, $(date -u '+%Y-%m-%d %H:%M UTC'))

- machine: $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg); redis-server $(redis-server --version | grep -o 'v=[0-9.]*'), private, loopback
- corpus: train half $n_train messages, test half $n_test (scripts/corpus-split.sh)

| | SQLite | Redis |
|---|---|---|
| learn train half (s, incl. prune and snapshot) | $t_learn_sqlite | $t_learn_redis |
| learn rate (msgs/s) | $(rate "$n_train" "$t_learn_sqlite") | $(rate "$n_train" "$t_learn_redis") |
| tokens held | $tokens_sqlite | $tokens |
| check test half (s, one process) | $t_check_sqlite | $t_check_redis |
| check one message (s, start-up dominated) | $t_one_sqlite | $t_one_redis |

- Redis memory: $((m1 - m0)) bytes for $tokens tokens plus learnt digests = $(echo "scale=1; ($m1 - $m0) / $tokens" | bc) B/token (INFO used_memory)
- verdicts on the test half, SQLite vs Redis: $same
- block propagation host A -> host B over 20 blocks: p50 ${sorted[9]} ms, max ${sorted[19]} ms (two CLI processes each)
REPORT
