#!/usr/bin/env bash
# test_lookalike_cli.sh BINARY: `leakguard lookalike --protect LIST [--json]
# DOMAIN...` (or domains one per line on stdin) says which domains imitate a
# protected one: JSON {"domain","lookalike_of","technique","score"}; exit 0
# when none does, 1 when some does, 2 on a usage error.
. "$(dirname "$0")/lib.sh" lookalike "$@"
export LEAKGUARD_DB=$T/store.db # no model trained elsewhere
PROTECT=example.com,partner.org

run() {
	local name=$1
	shift
	timeout 30 "$BIN" lookalike "$@" >"$T/$name.out" 2>"$T/$name.err" <"${STDIN:-/dev/null}"
	rc=$?
}

expect_rc() {
	[ "$rc" -eq "$2" ] || fail "$1: exit status $rc, expected $2; stderr: $(head -c 300 "$T/$1.err")"
}

# field NAME DOMAIN JQ: prints JQ applied to DOMAIN's object in NAME's output.
field() {
	jq -r --arg d "$2" "select(.domain == \$d) | $3" "$T/$1.out" 2>/dev/null
}

# want NAME DOMAIN PROTECTED|null: DOMAIN's lookalike_of must be PROTECTED.
want() {
	local got
	got=$(field "$1" "$2" '.lookalike_of // "null"')
	[ "$got" = "$3" ] || fail "$1: $2: lookalike_of is '${got:-missing}', expected $3 ($(field "$1" "$2" 'tostring'))"
}

# -- the shape of every line
run shape --protect "$PROTECT" --json examp1e.com partner.org mail.example.com
expect_rc shape 1
n=$(wc -l <"$T/shape.out")
[ "$n" -eq 3 ] || fail "shape: $n lines for 3 domains"
while IFS= read -r line; do
	jq -e 'type == "object" and (.domain | type == "string") and
		(.lookalike_of == null or (.lookalike_of | type == "string")) and
		has("technique") and (.score | type == "number") and .score >= 0 and .score <= 1' \
		>/dev/null 2>&1 <<<"$line" || fail "shape: malformed line: $line"
done <"$T/shape.out"
want shape examp1e.com example.com
want shape partner.org null
want shape mail.example.com null
t=$(field shape examp1e.com '.technique')
if [ -z "$t" ] || [ "$t" = null ] || [ "$t" = none ]; then
	fail "examp1e.com: no technique given"
fi
[ "$(field shape partner.org '.score')" = 0 ] || fail "partner.org: score is not 0"

# -- techniques, each against a protected domain
run kinds --protect "$PROTECT" --json exarnple.com exmaple.com example.co example-billing.com \
	example.com.account-verify.net partner-invoices.org xn--exmple-4nf.com
for d in exarnple.com exmaple.com example.co example-billing.com example.com.account-verify.net \
	xn--exmple-4nf.com; do
	want kinds "$d" example.com
done
want kinds partner-invoices.org partner.org

# -- not lookalikes: protected names, their subdomains, unrelated names, IPs
run honest --protect "$PROTECT" --json partner.org example.com mail.example.com \
	www.partner.org northwind-traders.com fabrikam.com 203.0.113.7
expect_rc honest 0
for d in partner.org example.com mail.example.com www.partner.org northwind-traders.com \
	fabrikam.com 203.0.113.7; do
	want honest "$d" null
done

# -- case and a trailing dot do not matter
run case --protect "$PROTECT" --json EXAMP1E.COM Mail.Example.Com.
expect_rc case 1
[ "$(jq -s 'map(select(.lookalike_of == "example.com")) | length' "$T/case.out" 2>/dev/null)" = 1 ] ||
	fail "case: expected exactly EXAMP1E.COM to be a lookalike: $(tr '\n' ' ' <"$T/case.out")"

# -- domains on stdin, one per line (blank lines ignored)
printf 'examp1e.com\n\npartner.org\nmail.example.com\n' >"$T/list.txt"
STDIN=$T/list.txt run stdin --protect "$PROTECT" --json
expect_rc stdin 1
[ "$(wc -l <"$T/stdin.out")" -eq 3 ] || fail "stdin: $(wc -l <"$T/stdin.out") lines for 3 domains"
want stdin examp1e.com example.com
want stdin partner.org null
printf 'partner.org\nmail.example.com\n' >"$T/clean.txt"
STDIN=$T/clean.txt run stdin-clean --protect "$PROTECT" --json
expect_rc stdin-clean 0

# -- human output
run human --protect "$PROTECT" examp1e.com partner.org
expect_rc human 1
# Names may be shown defanged ("examp1e[.]com").
grep -qE 'examp1e(\[\.\]|\.)com' "$T/human.out" || fail "human: examp1e.com not named"
grep -qE 'example(\[\.\]|\.)com' "$T/human.out" || fail "human: the imitated example.com not named"

# -- usage errors
run badopt --protect "$PROTECT" --no-such-option examp1e.com
expect_rc badopt 2
[ -s "$T/badopt.err" ] || fail "badopt: no message on stderr"
run help --help
expect_rc help 0
grep -qi usage "$T/help.out" || fail "--help: no usage on stdout"

if grep -lE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T"/*.err 2>/dev/null; then
	fail "sanitizer reports in the files above"
fi

e2e_done
