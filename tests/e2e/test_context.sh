#!/usr/bin/env bash
# Leak-aware detection end to end (issue #9): fixture leaks (the mailbox in
# tests/context/leak/ and a DOCX made here) ingested as bluebleed-2022, the
# context built with `context --org example.com`, the correspondent history
# learnt from tests/context/history/, then every tests/context/cases/*.eml
# checked against its .expect (each signal firing and its twin not firing),
# and the privacy check: neither the context store nor the history holds
# any leaked identifier, address, name or subject as text. Prints
# failures; exits non-zero on any.
. "$(dirname "$0")/lib.sh" context "$@"
export LEAKGUARD_DB="$T/state.db"
CTX=$ROOT/tests/context
CONF=$CTX/leakguard.conf
lg() { "$BIN" "$@" --config "$CONF"; }
cd "$ROOT" || exit 2

# A leaked contract between Fabrikam and Example, as a Word document.
mkdir -p "$T/leak"
cp "$CTX/leak/mailbox.mbox" "$T/leak/"
python3 - "$T/leak/Bluefin Supply Agreement 2022.docx" <<'PY'
import io, sys, zipfile
paras = ["Supply Agreement", "between Fabrikam Ltd (procurement@fabrikam.com) and Example GmbH (legal@example.com)",
         "Contract No. FAB-EX-2022-118 for Project Bluefin",
         "Signed for Example GmbH: Maria Lopez, maria.lopez@example.com"]
body = "".join('<w:p><w:r><w:t>%s</w:t></w:r></w:p>' % p for p in paras)
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
    z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>%s</w:body></w:document>' % body)
PY

# --- before anything leaked: context says so, check runs without it ---
out=$(lg context --org example.com 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q "no leak ingested" <<<"$out" || fail "context without a leak: exit $rc, $out"

lg ingest --source bluebleed-2022 --date 2022-09-24 "$T/leak" >/dev/null 2>"$T/ingest.err" ||
	fail "ingest exited $?: $(cat "$T/ingest.err")"

# --- the context: counts, --show, --json ---
out=$(lg context --org example.com 2>"$T/ctx.err") || fail "context exited $?: $(cat "$T/ctx.err")"
grep -q '^partners: 2$' <<<"$out" || fail "partners: $out"
grep -q '^people: 4$' <<<"$out" || fail "people (jonas, maria, accounts, legal): $out"
grep -q 'context items: .*(4 numbers, 1 project names, 1 document titles)' <<<"$out" || fail "items: $out"
out=$(lg context --show)
grep -q 'partner fabrikam.com  (leaked in bluebleed-2022; 3 ' <<<"$out" || fail "--show fabrikam: $out"
grep -q 'partner contoso-logistics.com' <<<"$out" || fail "--show contoso: $out"
j=$(lg context --json)
[ "$(jq -r '[.partners[].domain] | join(",")' <<<"$j")" = contoso-logistics.com,fabrikam.com ] || fail "--json partners: $j"
[ "$(jq -r '.items["invoice number"]' <<<"$j")" -ge 1 ] || fail "--json items: $j"
lg context --org example.com --bogus >/dev/null 2>&1 && fail "unknown option accepted"

# --- the history: what the milter would have seen ---
out=$(lg history --learn "$CTX/history/delivered.mbox") || fail "history --learn exited $?"
grep -q 'learnt 7 messages' <<<"$out" || fail "history --learn: $out"
out=$(lg history --stats)
grep -q '^domains: 4$' <<<"$out" || fail "history --stats: $out"

# --- privacy: no leaked text in either file ---
for needle in INV-2022-0413 20220413 0413 4500018812 ORD-77120 77120 FAB-EX 2022118 Bluefin bluefin \
	"Supply Agreement" "supply agreement" jonas maria anna.berg "Anna Berg" "Q3 shipment" "q3 shipment" \
	q3-shipment northwind-traders.com/; do
	grep -aqF -- "$needle" "$LEAKGUARD_DB.context" && fail "context store holds '$needle' as text"
	grep -aqF -- "$needle" "$LEAKGUARD_DB.history" && fail "history holds '$needle' as text"
done
grep -aqF fabrikam.com "$LEAKGUARD_DB.context" || fail "partner domain should be kept in clear (lookalikes)"

# --- the cases: each signal firing, and its twin not ---
passed=0
failed=0
# shellcheck source=tests/e2e/cases.sh
. "$ROOT/tests/e2e/cases.sh"
check_cases "$CTX/cases" "$CONF" "$BIN" "$T"
[ "$failed" -eq 0 ] || fail "$failed of $((passed + failed)) context cases"

# --- without context and history the same mail gets none of the new signals ---
LEAKGUARD_DB="$T/empty.db" lg check --json "$CTX/cases/stranger-quotes-invoice.eml" >"$T/bare.json"
jq -e '[.signals[].name] | index("LEAKED_CONTEXT_QUOTED") | not' "$T/bare.json" >/dev/null ||
	fail "LEAKED_CONTEXT_QUOTED without a context: $(cat "$T/bare.json")"

# --- a damaged context store is reported, and check goes on ---
printf 'garbage' >"$LEAKGUARD_DB.context"
lg check "$CTX/cases/partner-as-usual.eml" >/dev/null 2>"$T/dmg.err"; rc=$?
[ $rc -eq 0 ] || fail "check with a damaged context: exit $rc"
grep -q 'rebuild it with leakguard context --build' "$T/dmg.err" || fail "damage not reported: $(cat "$T/dmg.err")"

e2e_done
