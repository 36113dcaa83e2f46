#!/usr/bin/env bash
# test_scan.sh BINARY: `leakguard scan` against real servers on 127.0.0.1 —
# Azurite (npm, seeded by tests/scan/seed.js with containers of each access
# level holding fake personal data) and small node responders
# (tests/scan/responder.js: a listener that never answers, a recorder of
# request methods, a throttling server). Checks every state Azurite can
# show, paging, the page cap, Range sampling and the byte budget, a stalled
# target that must not stall the others, back-off, that only GET and HEAD
# are ever sent, SARIF, and the configuration audit.
. "$(dirname "$0")/lib.sh" scan "$@"

if [ ! -f "$ROOT/node_modules/azurite/dist/src/blob/main.js" ] || [ ! -d "$ROOT/node_modules/@azure/storage-blob" ]; then
	(cd "$ROOT" && npm install --no-audit --no-fund --silent >&2) || { echo "FAIL: npm install azurite"; exit 1; }
fi

waitport() { # waitport FILE: waits for a responder's port file
	for _ in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.1; done
	return 1
}

# -- Azurite on a free port, telemetry off, in memory
for _ in 1 2 3 4 5; do
	PORT=$((20000 + RANDOM % 20000))
	node "$ROOT/node_modules/azurite/dist/src/blob/main.js" --blobHost 127.0.0.1 --blobPort "$PORT" \
		--loose --skipApiVersionCheck --disableTelemetry --inMemoryPersistence >"$T/azurite.log" 2>&1 &
	PIDS+=($!)
	ok=0
	for _ in $(seq 50); do
		if curl -s -o /dev/null "http://127.0.0.1:$PORT/devstoreaccount1?comp=list"; then ok=1; break; fi
		sleep 0.2
	done
	[ $ok = 1 ] && break
done
[ $ok = 1 ] || { echo "FAIL: Azurite did not start"; cat "$T/azurite.log"; exit 1; }
E=http://127.0.0.1:$PORT/devstoreaccount1
node "$ROOT/tests/scan/seed.js" "http://127.0.0.1:$PORT" 2500 >"$T/seed.log" 2>&1 || { echo "FAIL: seed"; cat "$T/seed.log"; exit 1; }

for m in stall record throttle; do
	node "$ROOT/tests/scan/responder.js" $m "$T/$m.port" "$T/$m.log" &
	PIDS+=($!)
done
for m in stall record throttle; do waitport "$T/$m.port" || { echo "FAIL: responder $m"; exit 1; }; done
STALL=http://127.0.0.1:$(cat "$T/stall.port")/devstoreaccount1
REC=http://127.0.0.1:$(cat "$T/record.port")/devstoreaccount1
THR=http://127.0.0.1:$(cat "$T/throttle.port")/devstoreaccount1

A=azure://devstoreaccount1
# state NAME TARGET: the state of TARGET in NAME's output
state() { jq -r --arg t "$2" 'select(.target == $t) | .state' "$T/$1.out"; }
num() { jq -r --arg t "$2" "select(.target == \$t) | $3" "$T/$1.out"; }

# -- every state Azurite can show; sampling; counts of personal data
timeout 120 "$BIN" scan --endpoint "$E" --json $A/invoices $A/files $A/payroll "$A/\$web" $A/nosuch \
	>"$T/states.out" 2>"$T/states.err"
rc=$?
[ $rc -eq 1 ] || fail "states: exit status $rc, expected 1 (something open); $(head -c 300 "$T/states.err")"
[ "$(wc -l <"$T/states.out")" -eq 5 ] || fail "states: $(wc -l <"$T/states.out") lines for 5 targets"
[ "$(state states $A/invoices)" = public-list ] || fail "invoices: $(state states $A/invoices), expected public-list"
[ "$(state states "$A/\$web")" = public-list ] || fail "\$web: $(state states "$A/\$web"), expected public-list"
[ "$(state states $A/files)" = public-blob ] || fail "files: $(state states $A/files), expected public-blob"
[ "$(state states $A/payroll)" = private ] || fail "payroll: $(state states $A/payroll), expected private"
# Azurite answers 403 for missing containers too: never "absent" on a 403
[ "$(state states $A/nosuch)" = private ] || fail "nosuch: $(state states $A/nosuch), expected private (Azurite 403)"
[ "$(num states $A/invoices .objects)" = 4 ] || fail "invoices: objects $(num states $A/invoices .objects), expected 4"
[ "$(num states $A/invoices '.pii.email')" -ge 40 ] || fail "invoices: pii.email $(num states $A/invoices .pii.email)"
[ "$(num states $A/invoices '.pii.phone')" -ge 40 ] || fail "invoices: pii.phone $(num states $A/invoices .pii.phone)"
[ "$(num states $A/invoices '.pii.name')" -ge 10 ] || fail "invoices: pii.name $(num states $A/invoices .pii.name)"
[ "$(num states $A/invoices '.pii.org')" -ge 1 ] || fail "invoices: pii.org $(num states $A/invoices .pii.org)"
[ "$(num states $A/files '.pii.email')" = 12 ] || fail "files: pii.email $(num states $A/files .pii.email), expected 12"
[ "$(num states $A/payroll '.pii.email')" = 0 ] || fail "payroll: private data was counted"
# never a value, only hashes
if grep -q 'example' "$T/states.out"; then fail "states: output holds a sampled value"; fi
jq -s -e 'all(.[]; has("target") and has("state") and has("objects") and has("bytes") and (.pii | has("email") and has("phone") and has("name") and has("org")))' \
	"$T/states.out" >/dev/null || fail "states: a line misses a required field"
# Range sampling: at most 4 KiB per object
jq -s -e 'all(.[]; .sample_bytes <= 4096 * .sampled) and any(.[]; .sampled > 0)' "$T/states.out" >/dev/null ||
	fail "states: more than 4096 bytes per sample"

# -- the byte budget
timeout 60 "$BIN" scan --endpoint "$E" --json --max-bytes 5000 $A/invoices >"$T/budget.out" 2>"$T/budget.err"
sb=$(num budget $A/invoices .sample_bytes)
[ "${sb:-99999}" -le 5000 ] && [ "${sb:-0}" -gt 4096 ] || fail "budget: sample_bytes $sb with --max-bytes 5000"

# -- paging: 2500 objects, 100 per page; then a cap of 3 pages
timeout 120 "$BIN" scan --endpoint "$E" --json --page-size 100 --max-pages 100 $A/many >"$T/pages.out" 2>"$T/pages.err"
[ "$(num pages $A/many .objects)" = 2500 ] || fail "paging: objects $(num pages $A/many .objects), expected 2500"
[ "$(num pages $A/many .pages)" = 25 ] || fail "paging: pages $(num pages $A/many .pages), expected 25"
[ "$(num pages $A/many .bytes)" = 25000 ] || fail "paging: bytes $(num pages $A/many .bytes), expected 25000"
timeout 60 "$BIN" scan --endpoint "$E" --json --page-size 100 --max-pages 3 $A/many >"$T/cap.out" 2>"$T/cap.err"
[ "$(num cap $A/many .objects)" = 300 ] && [ "$(num cap $A/many .truncated)" = true ] ||
	fail "page cap: objects $(num cap $A/many .objects) truncated $(num cap $A/many .truncated)"
# a capped count is a lower bound and says so (Azure markers are opaque: no estimate from them)
[ "$(num cap $A/many .objects_at_least)" = 301 ] || fail "page cap: objects_at_least $(num cap $A/many .objects_at_least), expected 301"
num cap $A/many .evidence | grep -q 'at least 301 objects' || fail "page cap: evidence $(num cap $A/many .evidence)"

# -- an account: its common containers, $web included; absent ones not listed
timeout 120 "$BIN" scan --endpoint "$E" --json --container invoices $A >"$T/acct.out" 2>"$T/acct.err"
[ "$(state acct $A)" = public-list ] || fail "account: $(state acct $A), expected public-list"
[ "$(state acct "$A/\$web")" = public-list ] || fail "account: \$web not found"
[ "$(state acct $A/files)" = public-blob ] || fail "account: files $(state acct $A/files)"
# account totals count distinct values: invoices and files share people's
# names (seed.js), so the account has fewer names than its containers' sum,
# and as many addresses (each file's addresses are its own)
sum_names=$(jq -s --arg a devstoreaccount1 'map(select(.kind == "container" and .account == $a) | .pii.name) | add' "$T/acct.out")
sum_mails=$(jq -s --arg a devstoreaccount1 'map(select(.kind == "container" and .account == $a) | .pii.email) | add' "$T/acct.out")
[ "$(num acct $A .pii.name)" -lt "$sum_names" ] && [ "$(num acct $A .pii.name)" -gt 0 ] ||
	fail "account: pii.name $(num acct $A .pii.name), expected distinct names below the containers' sum $sum_names"
[ "$(num acct $A .pii.email)" = "$sum_mails" ] || fail "account: pii.email $(num acct $A .pii.email), expected $sum_mails"

# -- a stalled endpoint costs its timeout once and stalls nothing else
start=$(date +%s.%N)
timeout 60 "$BIN" scan --json --timeout 2 --endpoint "$STALL" $A/stalled >"$T/stall1.out" 2>&1 &
p1=$!
timeout 60 "$BIN" scan --endpoint "$E" --json --timeout 2 $A/invoices $A/payroll >"$T/stall2.out" 2>&1
t_other=$(echo "$(date +%s.%N) - $start" | bc)
wait $p1
[ "$(state stall1 $A/stalled)" = unknown ] || fail "stall: $(state stall1 $A/stalled), expected unknown"
# in one run: the stalled container (via a second account URL is not possible
# with one --endpoint, so mix S3 path-style at the stalled port)
start=$(date +%s.%N)
timeout 60 "$BIN" scan --endpoint "$E" --s3-endpoint "http://127.0.0.1:$(cat "$T/stall.port")" --json --timeout 2 \
	s3://stalled-bucket $A/invoices $A/payroll >"$T/mixed.out" 2>"$T/mixed.err"
el=$(echo "$(date +%s.%N) - $start" | bc)
[ "$(state mixed s3://stalled-bucket)" = unknown ] || fail "mixed: stalled bucket $(state mixed s3://stalled-bucket)"
[ "$(state mixed $A/invoices)" = public-list ] || fail "mixed: invoices $(state mixed $A/invoices) next to a stalled target"
first=$(head -n 1 "$T/mixed.out" | jq -r .target)
[ "$first" != s3://stalled-bucket ] || fail "mixed: the stalled target finished first (head-of-line blocking?)"
echo "$el < 5" | bc | grep -q 1 || fail "mixed: took ${el}s with a 2 s timeout"

# -- back-off: two ServerBusy answers, then a listing
timeout 60 "$BIN" scan --endpoint "$THR" --json $A/busy >"$T/thr.out" 2>"$T/thr.err"
[ "$(state thr $A/busy)" = public-list ] || fail "throttle: $(state thr $A/busy) after ServerBusy, expected public-list"
[ "$(num thr $A/busy .requests)" -ge 3 ] || fail "throttle: $(num thr $A/busy .requests) requests, expected retries"

# -- only GET and HEAD: on the wire, and in the code
timeout 60 "$BIN" scan --endpoint "$REC" --json $A --keyword contoso >"$T/rec.out" 2>"$T/rec.err"
[ -s "$T/record.log" ] || fail "record: no request reached the recorder"
bad=$(grep -Ev '^(GET|HEAD) ' "$T/record.log" | head -3)
[ -z "$bad" ] || fail "record: a method other than GET/HEAD was sent: $bad"
[ "$(state rec $A)" = private ] || fail "record: account $(state rec $A) when every container is ContainerNotFound"
[ "$(jq -r 'select(.kind == "container") | .target' "$T/rec.out" | wc -l)" = 0 ] || fail "record: absent containers were listed"
if grep -nE 'CURLOPT_(CUSTOMREQUEST|POST|UPLOAD|PUT|USERPWD|USERNAME|PASSWORD|XOAUTH2|COOKIE)|CURLOPT_HTTPAUTH' "$ROOT"/src/scan/*.c; then
	fail "src/scan uses a curl option that can send another method or credentials"
fi

# -- SARIF 2.1.0
timeout 60 "$BIN" scan --endpoint "$E" --sarif $A/invoices $A/files $A/payroll >"$T/sarif.out" 2>"$T/sarif.err"
jq -e '.version == "2.1.0" and (.runs[0].tool.driver.name == "leakguard") and (.runs[0].results | length == 2)' \
	"$T/sarif.out" >/dev/null || fail "sarif: not a 2.1.0 log with 2 results"

# -- human output: a table
timeout 60 "$BIN" scan --endpoint "$E" $A/invoices >"$T/human.out" 2>"$T/human.err"
grep -q '^TARGET' "$T/human.out" && grep -q 'public-list' "$T/human.out" || fail "human: no table"

# -- configuration audit
timeout 30 "$BIN" scan --json --config "$ROOT/tests/scan/config/az-accounts.json" --config "$ROOT/tests/scan/config/az-containers.json" \
	--config "$ROOT/tests/scan/config/arm.json" --config "$ROOT/tests/scan/config/tfplan.json" >"$T/audit.out" 2>"$T/audit.err"
rc=$?
[ $rc -eq 1 ] || fail "audit: exit status $rc, expected 1"
n=$(wc -l <"$T/audit.out")
[ "$n" -eq 8 ] || fail "audit: $n findings, expected 8: $(cat "$T/audit.out")"
jq -e 'select(.rule == "s3-no-public-access-block") | .target == "contoso-open"' "$T/audit.out" >/dev/null ||
	fail "audit: unblocked bucket not found"
if jq -e 'select(.target == "contoso-closed" or .target == "contosoprivate" or .target == "private" or .target == "payroll")' "$T/audit.out" >/dev/null; then
	fail "audit: a well-configured resource was flagged"
fi
echo '{"broken": ' >"$T/bad.json"
timeout 30 "$BIN" scan --config "$T/bad.json" >/dev/null 2>"$T/bad.err"
rc=$?
[ $rc -eq 2 ] && grep -q 'bad.json:' "$T/bad.err" || fail "audit: bad JSON gave $rc: $(cat "$T/bad.err")"

# -- usage errors
timeout 10 "$BIN" scan azure://UPPER_case >/dev/null 2>&1
[ $? -eq 2 ] || fail "usage: an invalid account name was accepted"

[ $fails -eq 0 ] && echo "test_scan: all passed"
e2e_done
