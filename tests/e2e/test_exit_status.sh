#!/usr/bin/env bash
# test_exit_status.sh BINARY: `leakguard check`'s contract with scripts and
# mail systems: exit status (0 clean, 1 not clean, 2 usage or unreadable
# input), --help/--version, "-" for standard input, JSON Lines that parse,
# and nothing but results on standard output.
. "$(dirname "$0")/lib.sh" exit "$@"
CLEAN=$CASES/ham-colleague-lunch.eml
PHISH=$CASES/bec-ceo-wire-spoofed-replyto.eml
export LEAKGUARD_DB=$T/store.db # no model trained elsewhere

# run NAME ARGS...: runs the binary with a time limit; stdout in $T/NAME.out,
# stderr in $T/NAME.err, status in $rc.
run() {
	local name=$1
	shift
	timeout 60 "$BIN" "$@" >"$T/$name.out" 2>"$T/$name.err" <"${STDIN:-/dev/null}"
	rc=$?
}

expect_rc() {
	local name=$1 want=$2
	if [ "$rc" -ne "$want" ]; then
		fail "$name: exit status $rc, expected $want"
		sed 's/^/    stderr: /' "$T/$name.err" | head -5
	fi
}

# Every stdout line is a JSON object with the fields of a result (or of an
# error); prints the number of lines.
check_jsonl() {
	local name=$1
	local n=0
	while IFS= read -r line; do
		n=$((n + 1))
		if ! jq -e 'type == "object" and (.path | type == "string") and
			(has("error") or (
				(.verdict | IN("clean", "suspicious", "spam", "phishing")) and
				(.score | type == "number") and
				(.action | IN("none", "tag", "quarantine", "reject")) and
				(.signals | type == "array") and
				all(.signals[]; (.name | type == "string") and (.score | type == "number") and
					(.reason | type == "string" and length > 0)) and
				(.defects | type == "array")))' >/dev/null 2>&1 <<<"$line"; then
			fail "$name: stdout line $n is not a well-formed result: ${line:0:200}"
		fi
	done <"$T/$name.out"
	echo "$n"
}

# -- verdicts and exit status
run clean check --config "$CONF" "$CLEAN"
expect_rc clean 0
run phish check --config "$CONF" "$PHISH"
expect_rc phish 1
run both check --config "$CONF" --json "$CLEAN" "$PHISH"
expect_rc both 1
n=$(check_jsonl both)
[ "$n" -eq 2 ] || fail "two messages gave $n result lines, expected 2"

# -- an input that cannot be read
run missing check --config "$CONF" "$T/no-such-message.eml"
expect_rc missing 2
grep -q "no-such-message.eml" "$T/missing.err" ||
	fail "missing file: stderr does not name the file: $(head -c 300 "$T/missing.err")"
run missing-json check --config "$CONF" --json "$T/no-such-message.eml"
expect_rc missing-json 2
if [ "$(check_jsonl missing-json)" -ne 1 ] ||
	! jq -e 'has("error") and (.path | endswith("no-such-message.eml"))' "$T/missing-json.out" >/dev/null 2>&1; then
	fail "missing file with --json: expected one {\"path\",\"error\"} line, got: $(head -c 300 "$T/missing-json.out")"
fi
run clean-and-missing check --config "$CONF" --json "$CLEAN" "$T/no-such-message.eml"
expect_rc clean-and-missing 2
[ "$(check_jsonl clean-and-missing)" -eq 2 ] ||
	fail "a clean and a missing input: expected 2 lines (result and error)"
run config-missing check --config "$T/no-such.conf" "$CLEAN"
expect_rc config-missing 2
grep -q "no-such.conf" "$T/config-missing.err" ||
	fail "missing config: stderr does not name the file: $(head -c 300 "$T/config-missing.err")"

# -- usage
run badopt check --no-such-option "$CLEAN"
expect_rc badopt 2
[ -s "$T/badopt.err" ] || fail "bad option: nothing on stderr"
[ -s "$T/badopt.out" ] && fail "bad option: something on stdout: $(head -c 200 "$T/badopt.out")"
run badcmd no-such-command
expect_rc badcmd 2
run noargs
expect_rc noargs 2

run help --help
expect_rc help 0
grep -qi "usage" "$T/help.out" || fail "--help: no usage text on stdout"
run check-help check --help
expect_rc check-help 0
grep -qi "usage" "$T/check-help.out" || fail "check --help: no usage text on stdout"
grep -q -- "--json" "$T/check-help.out" || fail "check --help: --json is not described"

run version --version
expect_rc version 0
grep -q '[0-9]' "$T/version.out" || fail "--version: no version number on stdout: $(head -c 200 "$T/version.out")"

# -- standard input
STDIN=$PHISH run stdin check --config "$CONF" --json -
expect_rc stdin 1
if [ "$(check_jsonl stdin)" -ne 1 ]; then
	fail "stdin: expected one result line"
else
	run file-json check --config "$CONF" --json "$PHISH"
	a=$(jq -r '.verdict + " " + (.score | tostring)' "$T/stdin.out" 2>/dev/null)
	b=$(jq -r '.verdict + " " + (.score | tostring)' "$T/file-json.out" 2>/dev/null)
	[ "$a" = "$b" ] || fail "stdin gave '$a', the same message as a file gave '$b'"
fi
STDIN=$CLEAN run stdin-clean check --config "$CONF" -
expect_rc stdin-clean 0

# -- stdout has only results; warnings and progress go to stderr
printf 'From: someone\nSubject: =?x-nonsense?Q?broken?=\nContent-Type: text/plain; charset="x-nonsense"\n\nbody\0with NUL\n' >"$T/odd.eml"
run only-results check --config "$CONF" --json "$CLEAN" "$T/odd.eml" "$PHISH"
n=$(check_jsonl only-results)
[ "$n" -eq 3 ] || fail "three inputs gave $n stdout lines, expected exactly 3 JSON lines"
run human check --config "$CONF" "$CLEAN" "$PHISH"
grep -q "ham-colleague-lunch.eml" "$T/human.out" || fail "human output does not name the clean message"
grep -q "bec-ceo-wire-spoofed-replyto.eml" "$T/human.out" || fail "human output does not name the phish"
grep -qi "phish" "$T/human.out" || fail "human output does not say phishing"

# -- no sanitizer reports anywhere
if grep -lE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T"/*.err 2>/dev/null; then
	fail "sanitizer reports in the files above"
fi

e2e_done
