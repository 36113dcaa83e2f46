#!/usr/bin/env bash
# The portal's /metrics ([portal] metrics_listen) against the real binary:
# known traffic in (pages, a 404, a 405, 429s from a tight page limit, an
# address check whose link mail goes to Postfix's smtp-sink), then a scrape
# that `promtool check metrics` (Prometheus's own linter) accepts and whose
# counters match exactly what was sent; the listener answers only /metrics;
# `leakguard stats` prints the same numbers; a bad metrics_listen is refused.
. "$(dirname "$0")/lib.sh" metrics "$@"
chmod 755 "$T" # smtp-sink writes as nobody
for c in curl promtool smtp-sink; do
	command -v "$c" > /dev/null || { echo "FAIL: $c is required (scripts/install-deps.sh)"; exit 1; }
done
. "$ROOT/tests/lib/ports.sh"

"$BIN" ingest --db "$T/state.db" --source dump-2022 --date 2022-09-24 "$ROOT/tests/leak" > /dev/null 2>&1 ||
	{ echo "FAIL: ingest"; exit 1; }
mkdir -p "$T/sink" && chmod 777 "$T/sink"
# Another test may take the free port before smtp-sink binds it: then
# smtp-sink exits at once, and another port is tried.
for _ in 1 2 3 4 5; do
	read -r SMTP < <(free_ports 1)
	smtp-sink -u nobody -d "$T/sink/%M." "127.0.0.1:$SMTP" 10 2> "$T/sink.err" &
	sink=$!
	sleep 0.3
	kill -0 "$sink" 2> /dev/null && wait_port "$SMTP" && break
	sink=
done
[ -n "$sink" ] || { echo "FAIL: smtp-sink did not start: $(cat "$T/sink.err")"; exit 1; }
PIDS+=($sink)

cat > "$T/leakguard.conf" << EOF
[portal]
smtp = 127.0.0.1:$SMTP
from = leaks@portal.test
rate_pages = 6
metrics_listen = 127.0.0.1:0
EOF
"$BIN" serve --db "$T/state.db" --config "$T/leakguard.conf" --listen 127.0.0.1:0 2> "$T/serve.err" &
PIDS+=($!)
for _ in $(seq 50); do grep -q 'listening on' "$T/serve.err" && break; sleep 0.1; done
B=$(sed -n 's/^leakguard serve: listening on //p' "$T/serve.err")
M=$(sed -n 's/^leakguard serve: metrics on //p' "$T/serve.err")
[ -n "$B" ] && [ -n "$M" ] || { echo "FAIL: portal or metrics listener did not start:"; cat "$T/serve.err"; exit 1; }

# Every request's answer is tallied here by method, route and status, and
# the scrape must say the same. rate_pages = 6: the GET / run ends in 429s
# (404s and 405s match no route, so they take nothing from the limit).
declare -A sent
st() { # KEY curl-args... -> status in $code (no subshell: the tally must stay)
	local key=$1
	shift
	code=$(curl -s -o "$T/body" -w '%{http_code}' -c "$T/jar" -b "$T/jar" "$@")
	sent["$key,$code"]=$((${sent["$key,$code"]:-0} + 1))
}
st 'GET /' "$B/"
[ "$code" = 200 ] || fail "GET / not 200"
csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/body" | head -1)
st 'POST /check' --data-urlencode "csrf=$csrf" --data-urlencode "email=jane.doe@example.com" "$B/check"
[ "$code" = 200 ] || fail "POST /check not 200"
st 'GET none' "$B/nothing"
[ "$code" = 404 ] || fail "GET /nothing not 404"
st 'GET none' "$B/check"
[ "$code" = 405 ] || fail "GET /check not 405"
for _ in $(seq 8); do st 'GET /' "$B/"; done
[ "${sent['GET /,429']:-0}" -ge 1 ] || fail "no 429 after 9 pages at rate_pages = 6"
# the link mail (jane.doe is in the ingested leak): queued at once, sent by
# the mail thread
for _ in $(seq 50); do [ -n "$(ls "$T/sink")" ] && break; sleep 0.1; done
[ -n "$(ls "$T/sink")" ] || fail "no link mail reached smtp-sink"
sleep 0.3

code=$(curl -s -o "$T/metrics" -D "$T/hdr" -w '%{http_code}' "$M")
[ "$code" = 200 ] || fail "GET /metrics: $code"
tr -d '\r' < "$T/hdr" | grep -qi '^Content-Type: text/plain; version=0.0.4' || fail "metrics Content-Type: $(grep -i content-type "$T/hdr")"
if ! promtool check metrics < "$T/metrics" > "$T/promtool" 2>&1; then
	fail "promtool check metrics: $(cat "$T/promtool")"
fi
val() { # NAME{LABELS} -> value, or "absent"
	awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print "absent" }' "$T/metrics"
}
expect() { [ "$(val "$1")" = "$2" ] || fail "$1 = $(val "$1"), expected $2"; }
n=0
for k in "${!sent[@]}"; do
	IFS=, read -r mr code <<< "$k"
	expect "leakguard_portal_requests_total{method=\"${mr%% *}\",route=\"${mr#* }\",status=\"$code\"}" "${sent[$k]}"
	n=$((n + sent[$k]))
done
total=$(awk '$1 ~ /^leakguard_portal_requests_total\{/ { s += $2 } END { print s }' "$T/metrics")
[ "$total" = "$n" ] || fail "requests_total sums to $total, $n were sent"
expect 'leakguard_portal_rate_limited_total{route="/"}' "${sent['GET /,429']:-0}"
expect 'leakguard_portal_request_duration_seconds_count' "$n"
expect 'leakguard_portal_request_duration_seconds_bucket{le="+Inf"}' "$n"
expect 'leakguard_portal_mail_total{stage="queued"}' 1
expect 'leakguard_portal_mail_total{stage="sent"}' 1
expect 'leakguard_portal_events_total{action="check"}' 1
expect 'leakguard_portal_events_total{action="link-mailed"}' 1
expect 'leakguard_portal_verifications_total{result="confirmed"}' 0

# The listener is for /metrics alone.
[ "$(curl -s -o /dev/null -w '%{http_code}' "${M%/metrics}/")" = 404 ] || fail "metrics listener answers /"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$M")" = 405 ] || fail "metrics listener accepts POST"

# `leakguard stats` prints the same numbers.
"$BIN" stats --url "$M" > "$T/stats" 2>&1 || fail "stats exit $?: $(cat "$T/stats")"
grep -Eq "^  method=\"GET\",route=\"/\",status=\"429\" +${sent['GET /,429']:-0}\$" "$T/stats" || fail "stats lacks the 429s: $(head -20 "$T/stats")"
grep -Eq '^  stage="sent" +1$' "$T/stats" || fail "stats lacks the mail sent"
"$BIN" stats --url "$M" --raw | promtool check metrics > /dev/null 2>&1 || fail "stats --raw is not the scrape"
"$BIN" stats --url "http://127.0.0.1:1/metrics" > /dev/null 2> "$T/err"
rc=$?
[ $rc -eq 2 ] && grep -q '127.0.0.1:1' "$T/err" || fail "stats on a dead endpoint: exit $rc, $(cat "$T/err")"

# A bad metrics_listen is a configuration error naming it.
printf '[portal]\nmetrics_listen = localhost-9187\n' > "$T/bad.conf"
"$BIN" serve --db "$T/state2.db" --config "$T/bad.conf" --listen 127.0.0.1:0 > /dev/null 2> "$T/bad.err"
rc=$?
[ $rc -eq 2 ] && grep -q "metrics_listen: 'localhost-9187'" "$T/bad.err" || fail "bad metrics_listen: exit $rc, $(cat "$T/bad.err")"
e2e_done
