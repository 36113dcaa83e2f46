#!/usr/bin/env bash
# The report loop end to end with the CLI: a reported phish makes the next
# copy of its campaign (another recipient, another tracking link) REPORTED_SIMILAR;
# a second reporter blocks the sender domain and IP and the next copy is
# phishing; one alert (links defanged) reaches an SMTP sink, however many
# reports follow; a protected sender blocks nothing; bad reports are refused
# with a clear message. Exits non-zero on any failure.
. "$(dirname "$0")/lib.sh" report "$@"
chmod 755 "$T"
sink_pid=
export LEAKGUARD_DB="$T/state.db"

# An SMTP sink on a free loopback port stores each mail as a file.
# shellcheck source=../lib/ports.sh
. "$ROOT/tests/lib/ports.sh"
command -v smtp-sink > /dev/null || { echo "FAIL: smtp-sink is required (scripts/install-deps.sh)"; exit 1; }
sink_start "$T/sink" || { echo "FAIL: smtp-sink did not start"; exit 1; }
port=$SINK_PORT
sink_pid=$SINK_PID
PIDS+=("$sink_pid")
sed "s|^\[relays\]|[report]\nalert_to = all-staff@example.com\nsmtp = 127.0.0.1:$port\nfrom = leakguard@example.com\nauto_block_reporters = 2\n\n[relays]|" \
	"$CASES/leakguard.conf" > "$T/leakguard.conf"
for f in "$CASES"/*.txt; do cp "$f" "$T/"; done
CONF="$T/leakguard.conf"

phish="$CASES/phish-ms365-password-expiry-rnicrosoft.eml"
# The next copy of the campaign: another recipient, other tracking parameters.
sed -e 's/maria\.garcia/robert.okafor/g; s/Maria/Robert/g; s/?tenant=[a-z]*/?tenant=ab12\&utm_source=mail/g' \
	"$phish" > "$T/copy.eml"

"$BIN" report --config "$CONF" --reporter maria.garcia@example.com --json "$phish" > "$T/r1.json" || fail "first report exited $?"
jq -e '.new_campaign and .alerted' "$T/r1.json" > /dev/null || fail "first report: $(cat "$T/r1.json")"
"$BIN" check --config "$CONF" --json "$T/copy.eml" > "$T/c1.json"
jq -e '.signals | map(.name) | index("REPORTED_SIMILAR")' "$T/c1.json" > /dev/null ||
	fail "copy not similar: $(jq -c '[.signals[].name]' "$T/c1.json")"
jq -e '.signals[] | select(.name == "REPORTED_SIMILAR") | .reason | test("similar to one reported as phishing")' \
	"$T/c1.json" > /dev/null || fail "similar reason: $(cat "$T/c1.json")"

# The same reporter again is not an independent reporter: nothing blocked.
"$BIN" report --config "$CONF" --reporter maria.garcia@example.com --json "$T/copy.eml" > "$T/r2.json"
jq -e '.reporters == 1 and .blocked == ["", ""] and (.alerted | not)' "$T/r2.json" > /dev/null || fail "same reporter: $(cat "$T/r2.json")"
# A second colleague: the sender domain and IP are blocked, no second alert.
"$BIN" report --config "$CONF" --reporter robert.okafor@example.com --json "$T/copy.eml" > "$T/r3.json"
jq -e '.reporters == 2 and .blocked[0] == "domain rnicrosoft.com" and (.blocked[1] | startswith("ip ")) and (.alerted | not)' \
	"$T/r3.json" > /dev/null || fail "second reporter: $(cat "$T/r3.json")"
"$BIN" blocks --config "$CONF" --json > "$T/blocks.json"
jq -se 'map(select(.kind == "domain" and .value == "rnicrosoft.com" and .status == "active" and (.why | test("2 colleagues")))) | length == 1' \
	"$T/blocks.json" > /dev/null || fail "blocks: $(cat "$T/blocks.json")"
# Any later mail from that domain, even unlike the campaign, is blocked.
printf 'From: Payroll <pay@rnicrosoft.com>\nSubject: lunch\n\nsee you at noon\n' > "$T/other.eml"
"$BIN" check --config "$CONF" --json "$T/other.eml" > "$T/c2.json"
jq -e '.verdict == "phishing" and (.signals | map(.name) | index("BLOCKED_SENDER_DOMAIN"))' "$T/c2.json" > /dev/null ||
	fail "blocked domain not applied: $(cat "$T/c2.json")"
"$BIN" reports --config "$CONF" --json > "$T/reports.json"
jq -se 'map(select(.reports == 3 and .reporters == 2)) | length == 1' "$T/reports.json" > /dev/null ||
	fail "reports: $(cat "$T/reports.json")"

# Unblock lifts it.
"$BIN" unblock --config "$CONF" domain rnicrosoft.com > /dev/null || fail "unblock exited $?"
"$BIN" check --config "$CONF" --json "$T/other.eml" | jq -e '.signals | map(.name) | index("BLOCKED_SENDER_DOMAIN") | not' > /dev/null ||
	fail "unblock not applied"

# Exactly one alert reached the sink, with the links defanged.
if [ -n "$sink_pid" ]; then
	sleep 1
	n=$(find "$T/sink" -type f | wc -l)
	[ "$n" = 1 ] || fail "expected 1 alert mail, got $n"
	alert=$(find "$T/sink" -type f | head -1)
	grep -q "Phishing alert" "$alert" || fail "alert subject missing"
	grep -q "rnicrosoft\[.\]com" "$alert" || fail "alert links not defanged"
	grep -q "https://rnicrosoft" "$alert" && fail "alert has a live link"
	grep -q "all-staff@example.com" "$alert" || fail "alert recipient"
else
	fail "smtp-sink (postfix) is not installed"
fi

# Two reporters of mail from a protected partner: nothing blocked, only review.
ham="$CASES/ham-fabrikam-invoice-pdf.eml"
"$BIN" report --no-mail --config "$CONF" --reporter a@example.com "$ham" > /dev/null
"$BIN" report --no-mail --config "$CONF" --reporter b@example.com --json "$ham" > "$T/r4.json"
jq -e '.blocked == ["", ""] and (.review[0] | startswith("domain fabrikam.com"))' "$T/r4.json" > /dev/null ||
	fail "protected domain: $(cat "$T/r4.json")"
# An administrator's block stands: a later report's review does not undo it.
"$BIN" block --config "$CONF" domain fabrikam.com > /dev/null || fail "admin block exited $?"
"$BIN" report --no-mail --config "$CONF" --reporter c@example.com "$ham" > /dev/null
"$BIN" blocks --config "$CONF" --json > "$T/blocks2.json"
jq -se 'map(select(.value == "fabrikam.com" and .status == "active" and .who != "auto")) | length == 1' \
	"$T/blocks2.json" > /dev/null || fail "admin block downgraded: $(cat "$T/blocks2.json")"

# Bad reports: a forward with nothing inside, garbage, a report of an alert.
printf 'From: maria.garcia@example.com\nSubject: Fwd: weird\n\nI deleted it already, sorry.\n' > "$T/empty-fwd.eml"
"$BIN" report --no-mail --forwarded --config "$CONF" "$T/empty-fwd.eml" 2> "$T/err" > /dev/null
[ $? = 2 ] && grep -q "no original message inside" "$T/err" || fail "empty forward: $(cat "$T/err")"
# Fixed bytes (not /dev/urandom): a test must fail or pass the same way each run.
python3 -c 'import random, sys; random.seed(7); sys.stdout.buffer.write(random.randbytes(3000))' > "$T/garbage.bin"
"$BIN" report --no-mail --config "$CONF" "$T/garbage.bin" 2> "$T/err" > /dev/null
[ $? = 2 ] && grep -q "not a mail message" "$T/err" || fail "garbage: $(cat "$T/err")"
if [ -n "$sink_pid" ] && [ -n "${alert:-}" ]; then
	"$BIN" report --no-mail --config "$CONF" "$alert" 2> "$T/err" > /dev/null
	[ $? = 2 ] && grep -q "report of a report" "$T/err" || fail "report of a report: $(cat "$T/err")"
fi
"$BIN" block --config "$CONF" domain "not a domain" 2> /dev/null
[ $? = 2 ] || fail "bad block accepted"

e2e_done
