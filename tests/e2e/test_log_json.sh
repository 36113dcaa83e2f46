#!/usr/bin/env bash
# [general] log_format = json against the real binary: every line on stderr
# is one JSON object (jq parses each line alone) with the text line's
# level and content; results on stdout are unchanged; the portal's mail
# error comes out with module "portal"; text stays the default; a bad value
# is a configuration error naming it.
. "$(dirname "$0")/lib.sh" log_json "$@"
command -v jq > /dev/null || { echo "FAIL: jq is required"; exit 1; }
. "$ROOT/tests/lib/ports.sh"
mail=$ROOT/samples/mail/ham-colleague-lunch.eml

# check: a missing dictionary is a warning line
printf '[general]\nlog_format = json\n[spelling]\ndictionary = xx_XX\n' > "$T/json.conf"
"$BIN" check --config "$T/json.conf" "$mail" > "$T/out" 2> "$T/err"
rc=$?
[ $rc -eq 0 ] || fail "check exit $rc"
grep -q 'ham-colleague-lunch.eml: CLEAN' "$T/out" || fail "stdout changed: $(cat "$T/out")"
[ -s "$T/err" ] || fail "no log line"
while IFS= read -r line; do
	jq -e . <<< "$line" > /dev/null 2>&1 || fail "not one JSON object per line: $line"
done < "$T/err"
jq -se 'length == 1 and .[0].level == "warning" and .[0].program == "leakguard"
	and (.[0].msg | test("^no dictionary xx_XX .*spelling is not checked$"))
	and (.[0].time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}[.][0-9]{3}Z$"))' "$T/err" > /dev/null ||
	fail "json warning line: $(cat "$T/err")"

# the same in text, the default
printf '[spelling]\ndictionary = xx_XX\n' > "$T/text.conf"
"$BIN" check --config "$T/text.conf" "$mail" > /dev/null 2> "$T/err"
grep -qx 'leakguard: warning: no dictionary xx_XX (.*): spelling is not checked' "$T/err" || fail "text line: $(cat "$T/err")"

# the portal: a link mail to a relay that refuses (a closed port) logs an
# error with module "portal"
"$BIN" ingest --db "$T/state.db" --source dump-2022 --date 2022-09-24 "$ROOT/tests/leak" > /dev/null 2>&1 ||
	{ echo "FAIL: ingest"; exit 1; }
read -r closed < <(free_ports 1)
printf '[general]\nlog_format = json\n[portal]\nsmtp = 127.0.0.1:%s\n' "$closed" > "$T/portal.conf"
"$BIN" serve --db "$T/state.db" --config "$T/portal.conf" --listen 127.0.0.1:0 2> "$T/serve.err" &
PIDS+=($!)
for _ in $(seq 50); do grep -q 'listening on' "$T/serve.err" && break; sleep 0.1; done
B=$(sed -n 's/^leakguard serve: listening on //p' "$T/serve.err")
[ -n "$B" ] || { echo "FAIL: serve did not start: $(cat "$T/serve.err")"; exit 1; }
curl -s -o "$T/body" -c "$T/jar" -b "$T/jar" "$B/"
csrf=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/body" | head -1)
curl -s -o /dev/null -c "$T/jar" -b "$T/jar" --data-urlencode "csrf=$csrf" --data-urlencode "email=jane.doe@example.com" "$B/check"
for _ in $(seq 50); do grep -q '"module":"portal"' "$T/serve.err" && break; sleep 0.1; done
grep '^{' "$T/serve.err" > "$T/serve.json"
[ -s "$T/serve.json" ] || fail "the portal logged no JSON line: $(cat "$T/serve.err")"
while IFS= read -r line; do
	jq -e . <<< "$line" > /dev/null 2>&1 || fail "portal line not JSON: $line"
done < "$T/serve.json"
jq -se 'any(.[]; .level == "error" and .module == "portal" and (.msg | startswith("mail: ")))' "$T/serve.json" > /dev/null ||
	fail "no portal mail error line: $(cat "$T/serve.json")"

# a bad value
printf '[general]\nlog_format = yaml\n' > "$T/bad.conf"
"$BIN" check --config "$T/bad.conf" "$mail" > /dev/null 2> "$T/err"
rc=$?
[ $rc -eq 2 ] && grep -q "log_format: 'yaml' is not text or json" "$T/err" || fail "bad log_format: exit $rc, $(cat "$T/err")"
e2e_done
