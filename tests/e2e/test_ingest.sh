#!/usr/bin/env bash
# leakguard ingest / lookup / sources end to end: the fixtures in tests/leak/
# (CSV, combo list, JSON Lines, truncated JSON, a message), corrupt inputs
# made here (bad UTF-8, NUL bytes, broken CSV quoting, truncated JSON, a
# 2 MiB line), idempotence, lookups that hit and miss (by option and
# positional, with the source's --date), kill -9 at several
# moments of an ingest, and the SpamAssassin corpus (when build/corpus
# exists) as a leaked mailbox. Prints failures; exits non-zero on any.
. "$(dirname "$0")/lib.sh" ingest "$@"
db="$T/leak.db"
lg() { "$BIN" "$@" --db "$db"; }

# --- fixtures ---
out=$(lg ingest --source fixtures --date 2021-03-04 --json "$ROOT/tests/leak" 2> "$T/err") || fail "ingest exited $?"
[ "$(echo "$out" | jq .ingested)" = 5 ] || fail "fixtures ingested: $out"
grep -q 'truncated.json:1: unreadable JSON element' "$T/err" || fail "truncated JSON not reported: $(cat "$T/err")"
grep -q 'users.jsonl:3: unreadable JSON line' "$T/err" || fail "broken JSON line not reported"
before=$(lg sources --json)
out=$(lg ingest --source fixtures --json "$ROOT/tests/leak" 2>/dev/null)
[ "$(echo "$out" | jq .already_ingested)" = 5 ] || fail "re-ingest not a no-op: $out"
[ "$(lg sources --json)" = "$before" ] || fail "re-ingest changed counts: $(lg sources --json)"
[ "$(echo "$before" | jq .distinct.email)" = 17 ] || fail "distinct emails: $before"

lg lookup --email Jane.Doe@EXAMPLE.com --json > "$T/jane.json"; rc=$?
[ $rc = 1 ] || fail "lookup jane exit $rc"
jq -e '.found and .sources[0].occurrences == 2 and .sources[0].with_password == 2' "$T/jane.json" > /dev/null ||
	fail "jane: $(cat "$T/jane.json")"
jq -e '.sources[0].places[0].line == 2 and (.sources[0].places[0].file | endswith("people.csv"))' "$T/jane.json" >/dev/null ||
	fail "jane place: $(cat "$T/jane.json")"
grep -q hunter2 "$T/jane.json" && fail "password in clear: $(cat "$T/jane.json")"
# positional queries: the kind comes from the form; one JSON object each
lg lookup alice@example.com '+1 555 123 4567' example.com nobody@example.com --json > "$T/pos.json"; rc=$?
[ $rc = 1 ] || fail "positional lookups exit $rc"
[ "$(jq -s 'map(.kind) | join(",")' "$T/pos.json")" = '"email,phone,domain,email"' ] || fail "kinds by form: $(cat "$T/pos.json")"
jq -s -e '.[0].found and .[0].sources[0].name == "fixtures" and .[0].sources[0].date == "2021-03-04" and .[0].sources[0].kinds == ["email"] and (.[3].found | not)' "$T/pos.json" > /dev/null ||
	fail "positional JSON: $(cat "$T/pos.json")"
lg lookup alice@example.com | grep -q 'fixtures (leaked 2021-03-04)' || fail "date not in lookup text"
out=$(lg lookup --email alice@example.com)
echo "$out" | grep -q 'Secret123' && fail "combo password in clear: $out"
echo "$out" | grep -q 'combo.txt:1' || fail "alice place: $out"
out=$(lg lookup --email nobody@example.com); rc=$?
[ $rc = 0 ] || fail "miss exit $rc"
echo "$out" | grep -q 'not found' || fail "miss not said plainly: $out"
lg lookup --phone '+49 30 1234567' --json | jq -e '.found' > /dev/null || fail "phone (national + country column) not found"
lg lookup --phone '+1 555 123 4567' --json | jq -e '.found' > /dev/null || fail "US phone not found"
lg lookup --phone '+49 30 9876543' --json | jq -e '.found' > /dev/null || fail "signature phone not found"
lg lookup --domain example.com --json > "$T/dom.json"
jq -e '.sources[0].counts.name >= 4 and .sources[0].counts.organisation >= 1 and .sources[0].counts.email >= 9' "$T/dom.json" >/dev/null ||
	fail "domain counts: $(cat "$T/dom.json")"
lg lookup --domain bakerstreet.co.uk --json | jq -e '.sources[0].counts.email == 2 and .sources[0].counts.name == 1' >/dev/null ||
	fail "mail correspondents: $(lg lookup --domain bakerstreet.co.uk --json)"
lg lookup --email molly@partner.org --json | jq -e '.found' >/dev/null || fail "quoted CSV row lost"
lg lookup --email frank@example.com --json | jq -e '.found' >/dev/null || fail "nested JSON lost"
lg lookup --email hal@example.com --json | jq -e '.found' >/dev/null || fail "element before truncation lost"
lg lookup --domain nowhere.invalid > /dev/null; [ $? = 0 ] || fail "domain miss exit"
lg lookup --email 'not an address' > /dev/null 2>&1; [ $? = 2 ] || fail "invalid query exit"

# --- corrupt inputs: counted, reported with their place, the rest indexed ---
mkdir -p "$T/bad"
printf 'email,name\nok1@bad.example,Ok One\n"broken@bad.example,Broken\nok2@bad.example,Ok Two\n' > "$T/bad/quotes.csv"
printf 'ok3@bad.example:pw\n\377\376 junk \300\200 ok4@bad.example\nnul\000byte ok5@bad.example\n' > "$T/bad/binary.txt"
printf '{"email":"ok6@bad.example"}\n{"email":"\377bad"}\n{"email":"ok7@bad.example"' > "$T/bad/trunc.jsonl"
{ echo 'ok8@bad.example:x'; head -c 2200000 /dev/zero | tr '\0' a; echo; echo 'ok9@bad.example:y'; } > "$T/bad/huge.txt"
printf '\000\000\000' > "$T/bad/nul.eml"
: > "$T/bad/empty.csv"
mkdir "$T/bad/noperm" && printf 'x@bad.example\n' > "$T/bad/noperm/f.txt" && chmod 000 "$T/bad/noperm/f.txt"
out=$(lg ingest --source bad --json "$T/bad" 2> "$T/bad.err") || fail "ingest of corrupt input exited $?"
grep -q 'quotes.csv:3: unterminated quoted field' "$T/bad.err" || fail "CSV quoting not reported: $(cat "$T/bad.err")"
grep -q 'huge.txt:2: line longer than 1 MiB' "$T/bad.err" || fail "huge line not reported"
grep -q 'trunc.jsonl:2' "$T/bad.err" || fail "bad UTF-8 JSON not reported"
for i in 1 2 3 4 5 6 7 8 9; do
	lg lookup --email "ok$i@bad.example" --json | jq -e .found > /dev/null || fail "ok$i@bad.example lost"
done
[ "$(echo "$out" | jq '.unreadable_records >= 4')" = true ] || fail "unreadable count: $out"
if [ "$(id -u)" != 0 ]; then
	grep -q 'noperm/f.txt' "$T/bad.err" || fail "unreadable file not reported"
fi

# --- kill -9 at several moments, then run again: same counts as one clean run ---
mkdir -p "$T/dump"
for f in 0 1 2 3 4 5 6 7 8 9; do
	awk -v f=$f 'BEGIN { split("example.com gmail.com acme.de contoso.co.uk partner.org", d, " ")
		for (i = 1; i <= 150000; i++) printf "u%d.%d@%s:pw%d\n", i % 90000, f % 4, d[1 + (i + f) % 5], i }' > "$T/dump/part$f.txt"
done
printf 'name,email,phone\n' > "$T/dump/people.csv"
awk 'BEGIN { for (i = 1; i <= 50000; i++) printf "Person %c%c,p%d@example.com,+49 30 %07d\n", 65 + i % 26, 65 + (i / 26) % 26, i, i }' >> "$T/dump/people.csv"
ref="$T/ref.db"
"$BIN" ingest --source dump --db "$ref" "$T/dump" > /dev/null 2>&1 || fail "reference ingest"
want=$("$BIN" sources --db "$ref" --json | jq -c '{files, records, entries, unreadable_records, distinct}')
for delay in 0.05 0.2 0.4 0.7 1.0; do
	kdb="$T/kill-$delay.db"
	"$BIN" ingest --source dump --db "$kdb" "$T/dump" > /dev/null 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2> /dev/null
	wait "$pid" 2> /dev/null
	"$BIN" ingest --source dump --db "$kdb" "$T/dump" > /dev/null 2>&1 || fail "re-run after kill at $delay s"
	got=$("$BIN" sources --db "$kdb" --json | jq -c '{files, records, entries, unreadable_records, distinct}')
	[ "$got" = "$want" ] || fail "after kill at $delay s: $got, want $want"
	[ "$("$BIN" sources --db "$kdb" --json | jq -r .status)" = complete ] || fail "status after kill at $delay"
	orphans=$(find "$kdb.leak" -name '*.tmp' | wc -l)
	[ "$orphans" = 0 ] || fail "temporary segment files left after kill at $delay s"
done

# --- a leak index of the first format (no prepared places): refused by
# lookup with a sentence, rebuilt by the next ingest ---
if command -v sqlite3 > /dev/null; then
	odb="$T/old.db"
	"$BIN" ingest --db "$odb" --source old "$ROOT/tests/leak/combo.txt" > /dev/null 2>&1 || fail "old-format setup"
	sqlite3 "$odb" 'DROP TABLE leak_places; DROP TABLE leak_addresses;' || fail "sqlite3 could not make a first-format index"
	out=$("$BIN" lookup --db "$odb" alice@example.com 2>&1); rc=$?
	[ $rc = 2 ] && grep -q 'older format.*ingest.*again' <<< "$out" || fail "first-format index not refused clearly (exit $rc): $out"
	out=$("$BIN" ingest --db "$odb" --source old "$ROOT/tests/leak/combo.txt" 2>&1) || fail "ingest over a first-format index: $out"
	grep -q 'older format' <<< "$out" || fail "rebuild of a first-format index not said: $out"
	"$BIN" lookup --db "$odb" --json alice@example.com | jq -e '.found and .sources[0].places[0].line == 1' > /dev/null ||
		fail "index not rebuilt: $("$BIN" lookup --db "$odb" --json alice@example.com)"
fi

# --- the SpamAssassin corpus as a leaked mailbox ---
if [ -d "$ROOT/build/corpus/train/ham" ]; then
	sdb="$T/sa.db"
	"$BIN" ingest --source sa-corpus --db "$sdb" "$ROOT/build/corpus/train/ham" > /dev/null 2>&1 || fail "SA ingest"
	LC_ALL=C grep -a -h -m1 -i '^From:' "$ROOT"/build/corpus/train/ham/* |
		LC_ALL=C grep -a -o "[A-Za-z0-9._%+'-]*@[A-Za-z0-9.-]*\.[A-Za-z]*" | sort -u > "$T/froms"
	missing=$("$BIN" lookup --db "$sdb" --batch "$T/froms" | grep -c 'not-found$')
	[ "$missing" = 0 ] || fail "$missing of $(wc -l < "$T/froms") correspondents not found"
	"$BIN" lookup --db "$sdb" --domain spamassassin.taint.org --json | jq -e '.found' > /dev/null ||
		fail "organisation of the corpus not found"
else
	echo "    (skipping the SpamAssassin corpus: build/corpus missing; scripts/corpus-split.sh makes it)"
fi

e2e_done
