#!/usr/bin/env bash
# test_scan_s3.sh BINARY: `leakguard scan` against a live S3 API — s3rver
# (npm; it enforces no access control, so only the "open" and "missing"
# states can be shown) — plus the 301 PermanentRedirect of a bucket in
# another region (tests/scan/responder.js redirect), and --ingest: sampled
# fake addresses land in the leak index, where `leakguard lookup` finds them.
# s3rver's paged listings need the legacy OpenSSL provider on Node 20
# (NODE_OPTIONS=--openssl-legacy-provider; its continuation tokens use a
# cipher Node 17+ no longer loads by default).
. "$(dirname "$0")/lib.sh" scan_s3 "$@"

S3RVER=$ROOT/node_modules/s3rver/bin/s3rver.js
if [ ! -f "$S3RVER" ]; then
	(cd "$ROOT" && npm install --no-audit --no-fund --silent >&2) || { echo "FAIL: npm install s3rver"; exit 1; }
fi

# -- s3rver on a free port, two buckets
mkdir -p "$T/s3"
for _ in 1 2 3 4 5; do
	PORT=$((20000 + RANDOM % 20000))
	NODE_OPTIONS=--openssl-legacy-provider node "$S3RVER" -d "$T/s3" -a 127.0.0.1 -p "$PORT" --no-vhost-buckets \
		--configure-bucket open-bucket --configure-bucket many-bucket >"$T/s3rver.log" 2>&1 &
	PIDS+=($!)
	ok=0
	for _ in $(seq 50); do
		if curl -s -o /dev/null "http://127.0.0.1:$PORT/open-bucket/?list-type=2"; then ok=1; break; fi
		sleep 0.2
	done
	[ "$ok" = 1 ] && break
done
[ "$ok" = 1 ] || { echo "FAIL: s3rver did not start"; cat "$T/s3rver.log"; exit 1; }
S3=http://127.0.0.1:$PORT

# Fake people (no one's data): the seeding is plain PUTs (s3rver checks nothing).
{
	echo "name,email,phone,company"
	for i in $(seq 0 29); do
		echo "Person $i Archer,person.archer$i@fabrikam.example,+49 30 $((5550000 + i)),Fabrikam Trading GmbH"
	done
	echo "Greta Huber,greta.huber@scanseed.example,+44 20 7946 0958,Contoso Ltd"
} >"$T/customers.csv"
put() { curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary "@$2" "$S3/$1"; }
[ "$(put open-bucket/exports/customers.csv "$T/customers.csv")" = 200 ] || { echo "FAIL: PUT customers.csv"; exit 1; }
echo "not personal" >"$T/small.dat"
urls=()
for i in $(seq -w 0 249); do urls+=("$S3/many-bucket/obj/$i.dat"); done
curl -s -o /dev/null -X PUT --data-binary "@$T/small.dat" "${urls[@]}" || { echo "FAIL: seeding many-bucket"; exit 1; }

state() { jq -r --arg t "$2" 'select(.target == $t) | .state' "$T/$1.out"; }
num() { jq -r --arg t "$2" "select(.target == \$t) | $3" "$T/$1.out"; }

# -- open and missing buckets; sampling; paging with continuation tokens
timeout 60 "$BIN" scan --json --s3-endpoint "$S3" s3://open-bucket s3://no-such-bucket >"$T/states.out" 2>"$T/states.err"
rc=$?
[ $rc -eq 1 ] || fail "states: exit status $rc, expected 1; $(head -c 300 "$T/states.err")"
[ "$(state states s3://open-bucket)" = public-list ] || fail "open-bucket: $(state states s3://open-bucket), expected public-list"
[ "$(state states s3://no-such-bucket)" = absent ] || fail "no-such-bucket: $(state states s3://no-such-bucket), expected absent"
[ "$(num states s3://open-bucket .objects)" = 1 ] || fail "open-bucket: objects $(num states s3://open-bucket .objects)"
[ "$(num states s3://open-bucket .pii.email)" = 31 ] || fail "open-bucket: pii.email $(num states s3://open-bucket .pii.email), expected 31"
[ "$(num states s3://open-bucket .pii.phone)" -ge 30 ] || fail "open-bucket: pii.phone $(num states s3://open-bucket .pii.phone)"
if grep -q 'example' "$T/states.out"; then fail "states: output holds a sampled value"; fi

timeout 60 "$BIN" scan --json --s3-endpoint "$S3" --page-size 100 --max-pages 10 s3://many-bucket >"$T/pages.out" 2>"$T/pages.err"
[ "$(num pages s3://many-bucket .objects)" = 250 ] && [ "$(num pages s3://many-bucket .pages)" = 3 ] &&
	[ "$(num pages s3://many-bucket .truncated)" = false ] ||
	fail "paging: objects $(num pages s3://many-bucket .objects) pages $(num pages s3://many-bucket .pages), expected 250 in 3 (NODE_OPTIONS?)"
# the page cap: a lower bound, said so
timeout 60 "$BIN" scan --json --s3-endpoint "$S3" --page-size 100 --max-pages 2 s3://many-bucket >"$T/cap.out" 2>"$T/cap.err"
[ "$(num cap s3://many-bucket .objects)" = 200 ] && [ "$(num cap s3://many-bucket .truncated)" = true ] &&
	[ "$(num cap s3://many-bucket .objects_at_least)" = 201 ] ||
	fail "page cap: objects $(num cap s3://many-bucket .objects) truncated $(num cap s3://many-bucket .truncated) at least $(num cap s3://many-bucket .objects_at_least)"
num cap s3://many-bucket .evidence | grep -q 'at least 201 objects' || fail "page cap: evidence $(num cap s3://many-bucket .evidence)"
timeout 60 "$BIN" scan --s3-endpoint "$S3" --page-size 100 --max-pages 2 s3://many-bucket >"$T/caph.out" 2>&1
grep -q 's3://many-bucket .*>=201' "$T/caph.out" || fail "page cap: the table does not say >=201: $(cat "$T/caph.out")"

# -- 301 PermanentRedirect: followed once, to the endpoint in the body
node "$ROOT/tests/scan/responder.js" redirect "$T/redir.port" "127.0.0.1:$PORT" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$T/redir.port" ] && break; sleep 0.1; done
REDIR=http://127.0.0.1:$(cat "$T/redir.port")
timeout 60 "$BIN" scan --json --s3-endpoint "$REDIR" s3://open-bucket >"$T/redir.out" 2>"$T/redir.err"
[ "$(state redir s3://open-bucket)" = public-list ] || fail "redirect: $(state redir s3://open-bucket), expected public-list after following it"
[ "$(num redir s3://open-bucket .url)" = "$S3/open-bucket" ] || fail "redirect: url $(num redir s3://open-bucket .url)"
# a redirect to itself: followed once, then given up
node "$ROOT/tests/scan/responder.js" redirect "$T/loop.port" self &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$T/loop.port" ] && break; sleep 0.1; done
timeout 60 "$BIN" scan --json --s3-endpoint "http://127.0.0.1:$(cat "$T/loop.port")" s3://open-bucket >"$T/loop.out" 2>"$T/loop.err"
[ "$(num loop s3://open-bucket .requests)" = 2 ] || fail "redirect loop: $(num loop s3://open-bucket .requests) requests, expected 2"
[ "$(state loop s3://open-bucket)" = unknown ] || fail "redirect loop: $(state loop s3://open-bucket), expected unknown"

# -- --ingest: the samples land in the leak index
timeout 60 "$BIN" scan --json --s3-endpoint "$S3" --ingest scan-test --db "$T/lg.db" s3://open-bucket \
	>"$T/ingest.out" 2>"$T/ingest.err"
rc=$?
[ $rc -eq 1 ] || fail "ingest: exit status $rc, expected 1; $(cat "$T/ingest.err")"
grep -q 'ingested 1 samples into source scan-test' "$T/ingest.err" || fail "ingest: $(cat "$T/ingest.err")"
timeout 30 "$BIN" lookup --db "$T/lg.db" --json --email greta.huber@scanseed.example >"$T/lookup.out" 2>"$T/lookup.err"
rc=$?
[ $rc -eq 1 ] || fail "ingest: lookup exit status $rc, expected 1 (found); $(cat "$T/lookup.out" "$T/lookup.err")"
jq -e '.found == true and any(.sources[]; .name == "scan-test")' "$T/lookup.out" >/dev/null ||
	fail "ingest: lookup did not find the seeded address in source scan-test: $(cat "$T/lookup.out")"
timeout 30 "$BIN" lookup --db "$T/lg.db" --email nobody.here@scanseed.example >/dev/null 2>&1
[ $? -eq 0 ] || fail "ingest: an address never seeded was found"

[ $fails -eq 0 ] && echo "test_scan_s3: all passed"
e2e_done
