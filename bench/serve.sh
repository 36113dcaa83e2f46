#!/usr/bin/env bash
# bench/serve.sh: the leak portal under load, one command.
#
# Usage: bench/serve.sh [RECORDS] [SECONDS]    (defaults: 1000000 records, 15 s per wrk run)
#
# Builds a leak index of RECORDS generated addresses (as bench/ingest.sh),
# starts `leakguard serve` with 2 HTTP threads and rate limits off, an
# smtp-sink as its relay, then measures with wrk (Debian package wrk):
#   1. GET /range/PREFIX, random 5-hex-digit prefixes, 256 connections
#   2. POST /check (the unverified address check), 256 connections
# each: requests/s, p50/p99 latency, errors; the server's peak RSS; and
#   3. the timing of present against absent address checks: bench/serve_timing.c,
#      10,000 requests each, alternating on one keep-alive connection.
# Prints a Markdown report and saves it as bench/results/serve.md.
set -eu
cd "$(dirname "$0")/.."
BIN=${BIN:-build/leakguard}
W=${BENCH_DIR:-build/bench/serve}
N=${1:-1000000}
SECS=${2:-15}
CONNS=256
mkdir -p "$W"
for c in wrk smtp-sink cc; do command -v "$c" > /dev/null || { echo "bench/serve.sh: $c is required" >&2; exit 2; }; done
[ -x "$BIN" ] || make

dump=$W/combo-$N.txt db=$W/index-$N.db
if [ ! -s "$db" ]; then
	echo "generating and ingesting $N records..." >&2
	awk -v n="$N" 'BEGIN {
		srand(42)
		for (i = 1; i <= n; i++)
			printf "user%d.%x@company%d.com:pw%d\n", i, i * 2654435761 % 4294967296, i % 5000, i % 97
	}' > "$dump"
	rm -f "$db"*
	"$BIN" ingest --db "$db" --source bench-combo "$dump" > /dev/null 2>&1
fi
present=user1.9e3779b1@company1.com
absent=nobody.anywhere@company1.com
st=0
"$BIN" lookup --db "$db" "$present" > /dev/null || st=$?
[ "$st" -eq 1 ] || { echo "bench: $present is not in the index" >&2; exit 1; }

ports=$(python3 -c 'import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
read -r SMTP PORT <<< "$ports"
mkdir -p "$W/sink" && chmod 777 "$W/sink" && rm -f "$W/sink"/*
cat > "$W/serve.conf" << EOF
[portal]
range_access = public
smtp = 127.0.0.1:$SMTP
threads = 2
rate_pages = 0
rate_mail = 0
rate_range = 0
EOF
smtp-sink -u nobody -d "$W/sink/%M." "127.0.0.1:$SMTP" 64 &
sink=$!
"$BIN" serve --db "$db" --config "$W/serve.conf" --listen "127.0.0.1:$PORT" 2> "$W/serve.err" &
srv=$!
trap 'kill $srv $sink 2> /dev/null; wait 2> /dev/null' EXIT
for _ in $(seq 50); do grep -q 'listening on' "$W/serve.err" && break; sleep 0.1; done
B=http://127.0.0.1:$PORT

# a browser's CSRF cookie and form token, for the check requests
curl -s -c "$W/jar" "$B/" > "$W/home.html"
CSRF=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$W/home.html" | head -1)
COOKIE=$(awk '$6 == "lg_csrf" {print $7}' "$W/jar")

cat > "$W/range.lua" << 'EOF'
math.randomseed(7)
request = function()
	return wrk.format("GET", string.format("/range/%05X", math.random(0, 0xFFFFF)))
end
EOF
cat > "$W/check.lua" << EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "lg_csrf=$COOKIE"
local bodies = { "csrf=$CSRF&email=$present", "csrf=$CSRF&email=$absent" }
local i = 0
request = function()
	i = i + 1
	return wrk.format(nil, nil, nil, bodies[i % 2 + 1])
end
EOF

# wrk's output -> "req/s|p50|p99|errors"
summary() {
	awk '/Requests\/sec/ {r = $2} / 50%/ {p50 = $2} / 99%/ {p99 = $2}
	     /Non-2xx/ {e += $NF} /Socket errors/ {e += $4 + $6 + $8 + $10}
	     END {printf "%s|%s|%s|%d\n", r, p50, p99, e}' "$1"
}
run_wrk() { # NAME SCRIPT PATH
	wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -s "$2" "$B$3" > "$W/wrk-$1.txt" 2>&1
	summary "$W/wrk-$1.txt"
}
echo "wrk: range endpoint..." >&2
IFS='|' read -r range_rps range_p50 range_p99 range_err <<< "$(run_wrk range "$W/range.lua" /)"
echo "wrk: unverified check..." >&2
IFS='|' read -r check_rps check_p50 check_p99 check_err <<< "$(run_wrk check "$W/check.lua" /check)"
rss=$(awk '/VmHWM/ {print $2}' "/proc/$srv/status")

echo "timing present vs absent..." >&2
cc -O2 -Wall -Werror -o "$W/serve_timing" bench/serve_timing.c -lm
"$W/serve_timing" 127.0.0.1 "$PORT" "$COOKIE" "$CSRF" "$present" "$absent" 10000 1000 > "$W/timing.txt"
mails=$(ls "$W/sink" | wc -l)

report=$W/serve.md
{
	echo "# leakguard serve: the leak portal under load"
	echo
	echo "Run $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load average before: $(cut -d' ' -f1-3 /proc/loadavg)."
	echo "Index: $N generated addresses (\`bench/serve.sh $N $SECS\`), $("$BIN" sources --db "$db" | head -1 | awk '{print $1}') source."
	echo "Server: \`leakguard serve\` with \`threads = 2\`, rate limits off (\`rate_pages = rate_mail = rate_range = 0\`), smtp-sink as relay;"
	echo "wrk, client and server on the same 2 cores: \`wrk -t2 -c$CONNS -d${SECS}s --latency -s SCRIPT\`."
	echo
	echo "| load | requests/s | p50 | p99 | errors |"
	echo "|---|---|---|---|---|"
	echo "| GET /range/PREFIX (random prefixes) | $range_rps | $range_p50 | $range_p99 | $range_err |"
	echo "| POST /check (unverified check, half present, half absent) | $check_rps | $check_p50 | $check_p99 | $check_err |"
	echo
	echo "Peak RSS of the server over both runs: $((rss / 1024)) MiB. Result mails delivered to the sink: $mails (each recipient gets at most 3 an hour)."
	echo
	echo "## Present against absent address checks"
	echo
	echo "\`serve_timing 127.0.0.1 PORT COOKIE CSRF $present $absent 10000 1000\` (bench/serve_timing.c): one keep-alive"
	echo "connection, POST /check alternating present and absent (ABBA order), 10,000 timed requests each after 1,000 warm-up pairs."
	echo
	echo '```'
	cat "$W/timing.txt"
	echo '```'
	echo
	cat << 'EOF'
Reading it: the check's request path never touches the leak data (it validates, logs a hash and queues;
the look-up runs in the mail thread after the answer is sent), so the two series differ only by noise. On this
shared, loaded machine single requests stall for milliseconds now and then (see sd), so the standard error of
the difference of means is several percent at 10,000 samples; the medians and trimmed means resolve finer.
EOF
} > "$report"
mkdir -p bench/results
cp "$report" bench/results/serve.md
cat "$report"
