#!/usr/bin/env bash
# bench/notify.sh: leak notices at scale (issue 18), one command.
#
# Usage: bench/notify.sh [ORGANISATIONS [ADDRESSES [KILLS]]]
#        (default: 65000 organisations, 100000 addresses, 20 kills)
#
# Makes a leak naming ORGANISATIONS monitored domains (one recipient each,
# 3 addresses of each domain in the leak) and ADDRESSES subscribed
# addresses, subscribes them (rows written straight into the store), then
# times `ingest` (its hook queues the notices) and `leakguard notify`
# handing every notice to a local smtp-sink (no dump files), with peak
# memory from /usr/bin/time. Then the same sending again on a fresh queue,
# (the first 20,000), killed KILLS times with SIGKILL at random moments and re-run to the end:
# missing notices (must be 0) and notices the sink got twice. Results on
# stdout and in bench/results/notify-DATE.md.
set -eu
cd "$(dirname "$0")/.."
BIN=${BIN:-build/leakguard}
ORGS=${1:-65000} ADDRS=${2:-100000} KILLS=${3:-20}
KILLSET=$(((ORGS + ADDRS) < 20000 ? ORGS + ADDRS : 20000)) # notices sent again for the kill test
W=$(realpath -m "${BENCH_DIR:-build/bench/notify}")
rm -rf "$W" && mkdir -p "$W"
DB=$W/state.db
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
smtp-sink -u nobody -c "127.0.0.1:$PORT" 1000 > "$W/sink.out" 2>&1 &
SINK=$!
trap 'kill $SINK 2> /dev/null' EXIT
cat > "$W/leakguard.conf" << CONF
[portal]
base_url = https://portal.example
[notify]
smtp = 127.0.0.1:$PORT
from = notices@portal.example
threads = 4
per_domain = 2
backoff = 1
CONF
N=(--db "$DB" --config "$W/leakguard.conf")

python3 - "$W" "$ORGS" "$ADDRS" << 'PY'
import sys
w, orgs, addrs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(w + "/leak.csv", "w") as c, open(w + "/subs.sql", "w") as s:
    c.write("email,name,password\n")
    s.write("BEGIN;\n")
    for i in range(orgs):
        for u in ("anna", "ben", "carla"):
            c.write("%s@org%d.example,%s Org%d,pw%d\n" % (u, i, u.title(), i, i))
        s.write("INSERT INTO notify_subs VALUES('domain','org%d.example','security@org%d.example','d%d',0);\n" % (i, i, i))
    for j in range(addrs):
        a = "p%d@mail%d.example" % (j, j % 2000)
        c.write("%s,Person %d,\n" % (a, j))
        s.write("INSERT INTO notify_subs VALUES('address','%s','%s','a%d',0);\n" % (a, a, j))
    s.write("COMMIT;\n")
PY
"$BIN" notify "${N[@]}" --no-send > /dev/null 2>&1 # creates the tables
sqlite3 "$DB" < "$W/subs.sql"
expect=$((ORGS + ADDRS))

t0=$(date +%s.%N)
/usr/bin/time -f '%e %M' -o "$W/ingest.time" "$BIN" ingest "${N[@]}" --source bench-leak "$W/leak.csv" > /dev/null 2> "$W/ingest.err"
t1=$(date +%s.%N)
queued=$(sqlite3 "$DB" "SELECT count(*) FROM notify_notices WHERE source = 'bench-leak' ORDER BY id LIMIT $KILLSET")
/usr/bin/time -f '%e %M' -o "$W/send.time" "$BIN" notify "${N[@]}" --json > "$W/send.json" 2> "$W/send.err"
t2=$(date +%s.%N)
sent=$(sqlite3 "$DB" "SELECT count(*) FROM notify_notices WHERE source = 'bench-leak' AND state = 1")

# kills: the same notices queued again (under another source name)
sqlite3 "$DB" "INSERT INTO notify_notices(recipient, source, mode, subject, body, state, attempts, next_try, created, done_at, error)
	SELECT recipient, 'bench-kill', mode, replace(subject, 'bench-leak', 'bench-kill'), body, 0, 0, 0, created, 0, '' FROM notify_notices WHERE source = 'bench-leak' ORDER BY id LIMIT $KILLSET"
{ kill $SINK; wait $SINK; } 2> /dev/null || true
mkdir -p "$W/sink" && chmod 777 "$W/sink" "$W"
smtp-sink -u nobody -d "$W/sink/%M." "127.0.0.1:$PORT" 1000 > /dev/null 2>&1 &
SINK=$!
sleep 0.5
kills=0
for _ in $(seq "$KILLS"); do
	"$BIN" notify "${N[@]}" > /dev/null 2>&1 &
	pid=$!
	sleep "0.$((RANDOM % 9 + 1))"
	kill -9 "$pid" 2> /dev/null && kills=$((kills + 1))
	wait "$pid" 2> /dev/null || true
done
"$BIN" notify "${N[@]}" > /dev/null 2>&1
sleep 1
find "$W/sink" -type f -print0 | xargs -0 grep -h '^X-Rcpt-Args:' | sort > "$W/got"
uniq "$W/got" > "$W/got.u"
missing=$((KILLSET - $(wc -l < "$W/got.u")))
dups=$(($(wc -l < "$W/got") - $(wc -l < "$W/got.u")))

read -r ingest_s ingest_kb < "$W/ingest.time"
read -r send_s send_kb < "$W/send.time"
commit_to_sink=$(python3 -c "print('%.1f' % ($t2 - $t1))")
report=$(cat << REP
# bench/notify.sh $(date -u +%Y-%m-%d) ($(nproc) cores, shared)

- leak: $ORGS monitored organisations (3 addresses each) + $ADDRS subscribed addresses ($((ORGS * 3 + ADDRS)) records)
- ingest with the queueing hook: ${ingest_s} s, peak RSS $((ingest_kb / 1024)) MB; notices queued: $queued (expected $expect)
- ingest start to every notice handed to smtp-sink: $(python3 -c "print('%.1f' % ($t2 - $t0))") s; of which sending: ${commit_to_sink} s ($(python3 -c "print(int($sent / max($t2 - $t1, 1e-9)))") notices/s), notifier peak RSS $((send_kb / 1024)) MB; sent: $sent
- $KILLSET notices queued again, $kills SIGKILLs of the notifier at random moments, then a re-run: missing $missing, handed over twice $dups (same Message-ID each)
REP
)
mkdir -p bench/results
printf '%s\n' "$report" | tee "bench/results/notify-$(date -u +%Y-%m-%d).md"
