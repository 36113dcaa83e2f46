#!/usr/bin/env bash
# test_report_identity.sh: attacks on what a staff report blocks and on the
# Authentication-Results it trusts (security review of the issue-12 fixes,
# F1-F3), through `leakguard check` and `leakguard report` (no MTA):
#   - F3: sender text our own MTA copied into its Authentication-Results (a
#     quoted smtp.mailfrom holding ";dmarc=pass", a comment closing early)
#     does not turn a DMARC fail into "verified";
#   - F1: the IP a report blocks is never the attacker's HELO literal, nor
#     a forged Received hop below a HELO naming one of [relays] trusted;
#     an IP read from Received is only ever queued for review;
#   - F2: two staff reports of a phish with a forged From do not block the
#     forged domain (it goes to review, with the reason); a From the
#     border MTA authenticated (trusted dmarc=pass header.from) is blocked.
# Usage: tests/security/test_report_identity.sh BINARY
. "$(dirname "$0")/lib.sh" report-identity "$@"

DB=$T/state.db
cat >"$T/lg.conf" <<EOF2
[general]
db = $DB
[protect]
domains = victim.example
[auth]
trusted_authserv_id = mx.victim.example
[relays]
trusted = 10.0.0.0/8
[report]
auto_block_reporters = 2
EOF2
blocks() { "$BIN" blocks --config "$T/lg.conf" --db "$DB" 2>&1; }
# spoof FILE AR-VALUE: a partner-bank.example spoof with our MTA's header.
spoof() {
	{
		printf 'Authentication-Results: %s\n' "$2"
		printf 'Received: from mail.attacker.example (mail.attacker.example [203.0.113.5]) by mx.victim.example with ESMTP id 1\n'
		printf 'From: Billing <billing@partner-bank.example>\nTo: ap@victim.example\nSubject: Updated bank details\n'
		printf 'Message-ID: <spoof-%s@attacker.example>\nDate: Mon, 30 Nov 2026 09:00:00 +0000\n\n' "$RANDOM"
		printf 'Please pay the attached invoice to our new account from today on.\n'
	} >"$1"
}

# ---- F3: injected dmarc=pass -------------------------------------------------
spoof "$T/ar0.eml" 'mx.victim.example; spf=pass smtp.mailfrom=x@attacker.example; dmarc=fail header.from=partner-bank.example'
spoof "$T/ar1.eml" 'mx.victim.example; spf=pass smtp.mailfrom="x;dmarc=pass x"@attacker.example; dmarc=fail header.from=partner-bank.example'
spoof "$T/ar2.eml" 'mx.victim.example; spf=pass (mx.victim.example: domain of "a)b;dmarc=pass (c"@attacker.example designates 203.0.113.5 as permitted sender) smtp.mailfrom=attacker.example; dmarc=fail header.from=partner-bank.example'
base=$("$BIN" check --config "$T/lg.conf" "$T/ar0.eml" 2>&1)
if grep -q AUTH_DMARC_FAIL <<<"$base"; then
	pass "control: a plain DMARC fail reads as AUTH_DMARC_FAIL"
else
	fail "control: a plain DMARC fail is not seen" "$base"
fi
for n in 1 2; do
	out=$("$BIN" check --config "$T/lg.conf" "$T/ar$n.eml" 2>&1)
	if grep -q AUTH_PASS <<<"$out" || grep -q "verified to come from" <<<"$out"; then
		fail "F3: sender text in our A-R (case $n) makes a spoof 'verified'" "$(grep -E 'AUTH' <<<"$out")"
	else
		pass "F3: sender text in our A-R (case $n) does not give dmarc=pass"
	fi
done

# A topmost header our MTA wrote that cannot be read (an unclosed comment
# from the sender's text) must not let a forged pass below it count.
spoof "$T/ar3.eml" 'mx.victim.example; spf=pass (sender "x said (unclosed ; dmarc=fail header.from=partner-bank.example'
sed -i '1a Authentication-Results: mx.victim.example; dmarc=pass header.from=partner-bank.example' "$T/ar3.eml"
out=$("$BIN" check --config "$T/lg.conf" "$T/ar3.eml" 2>&1)
if grep -q AUTH_PASS <<<"$out" || grep -q "verified to come from" <<<"$out"; then
	fail "F3: an unreadable topmost A-R lets a forged pass below it count" "$(grep -E 'AUTH' <<<"$out")"
else
	pass "F3: an unreadable topmost A-R hides the headers below it"
fi

# ---- F1: the HELO literal is never the blocked IP -----------------------------
phish() { # phish FILE TAG RECEIVED...
	local f=$1 tag=$2
	shift 2
	{
		for r in "$@"; do printf 'Received: %s\n' "$r"; done
		printf 'Authentication-Results: mx.victim.example; dkim=pass header.d=%s.example; dmarc=pass header.from=%s.example\n' "$tag" "$tag"
		printf 'From: "IT Desk" <it@%s.example>\nTo: staff@victim.example\nSubject: Your mailbox expires (%s)\n' "$tag" "$tag"
		printf 'Message-ID: <%s@%s.example>\nDate: Mon, 30 Nov 2026 09:00:00 +0000\n\n' "$tag" "$tag"
		printf 'Your mailbox password expires today. Keep it by signing in at https://login.%s.example/reset\n' "$tag"
		printf 'within 24 hours or your mailbox will be suspended. IT Service Desk.\n'
	} >"$f"
}
report2() { # report2 FILE: two staff reporters
	"$BIN" report --config "$T/lg.conf" --db "$DB" --no-mail --reporter a@victim.example "$1" >/dev/null 2>&1 &&
		"$BIN" report --config "$T/lg.conf" --db "$DB" --no-mail --reporter b@victim.example "$1" 2>&1
}
phish "$T/helo.eml" helo-phish "from [198.51.100.77] (unknown [203.0.113.5]) by mx.victim.example (Postfix) with ESMTP id 2"
out=$(report2 "$T/helo.eml")
b=$(blocks)
if grep -q "198.51.100.77" <<<"$b$out"; then
	fail "F1: the attacker's HELO literal is recorded as the sender's IP" "$b"
else
	pass "F1: the HELO literal [198.51.100.77] is never the recorded IP"
fi
if grep -qE "ip +203.0.113.5 +active" <<<"$b"; then
	fail "F1: an IP read from Received (no signed stamp) is blocked automatically" "$b"
elif grep -qE "ip +203.0.113.5 +review" <<<"$b"; then
	pass "F1: the IP from our MX's TCP-info comment goes to review (no milter stamp)"
else
	fail "F1: the IP our MX recorded is not even queued for review" "$b"
fi
phish "$T/helo2.eml" helo-trusted \
	"from [10.0.0.9] (unknown [203.0.113.6]) by mx.victim.example (Postfix) with ESMTP id 3" \
	"from partner-mx (partner-mx [192.0.2.44]) by mail.attacker.example with ESMTP id 4"
out=$(report2 "$T/helo2.eml")
b=$(blocks)
if grep -q "192.0.2.44" <<<"$b$out"; then
	fail "F1: a HELO naming a trusted relay makes a forged hop below the blocked IP" "$b"
else
	pass "F1: a HELO of [10.0.0.9] (a trusted relay) does not skip our own hop"
fi

# ---- F2: the forged From domain is not blocked ----------------------------------
{
	printf 'Received: from mail.attacker.example (mail.attacker.example [203.0.113.7]) by mx.victim.example with ESMTP id 5\n'
	printf 'Authentication-Results: mx.victim.example; spf=pass smtp.mailfrom=attacker.example; dkim=none; dmarc=fail header.from=partner-bank.example\n'
	printf 'From: Billing <billing@partner-bank.example>\nTo: ap@victim.example\nSubject: Invoice 4471 overdue\n'
	printf 'Message-ID: <f2@attacker.example>\nDate: Mon, 30 Nov 2026 09:00:00 +0000\n\n'
	printf 'Your invoice 4471 is overdue. Pay now at https://partner-bank-payments.attacker.example/pay\n'
	printf 'to avoid late fees and the suspension of your account within 24 hours.\n'
} >"$T/forged.eml"
out=$(report2 "$T/forged.eml")
b=$(blocks)
if grep -qE "domain +partner-bank.example +active" <<<"$b"; then
	fail "F2: two staff reports of a spoof block the innocent forged From domain" "$b"
elif grep -qE "domain +partner-bank.example +review" <<<"$b" && grep -q "for review" <<<"$out"; then
	pass "F2: the forged From domain goes to review, not blocked"
else
	fail "F2: the forged From domain is neither blocked nor queued for review" "$b $out"
fi
if "$BIN" blocks --config "$T/lg.conf" --db "$DB" --json 2>/dev/null | grep -q "did not authenticate it as mail from partner-bank.example"; then
	pass "F2: the review entry says why"
else
	fail "F2: the review entry gives no reason" "$("$BIN" blocks --config "$T/lg.conf" --db "$DB" --json 2>&1 | head -c 600)"
fi
if grep -qE "ip +203.0.113.7 +active" <<<"$b"; then
	fail "F2: the IP of an unauthenticated sender is blocked automatically" "$b"
else
	pass "F2: the IP of an unauthenticated sender is not blocked automatically"
fi
# Control: a sender our MX authenticated is blocked.
if grep -qE "domain +helo-phish.example +active" <<<"$b"; then
	pass "control: a From our MX authenticated (dmarc=pass header.from) is blocked"
else
	fail "control: an authenticated phishing domain is not blocked" "$b"
fi
# ---- F5/F8: one mailbox under several spellings is one reporter --------------
{
	printf 'Received: from mail.plus.example (mail.plus.example [203.0.113.9]) by mx.victim.example with ESMTP id 7\n'
	printf 'Authentication-Results: mx.victim.example; dmarc=pass header.from=plus-variants.example\n'
	printf 'From: Parcel <track@plus-variants.example>\nTo: staff@victim.example\nSubject: Parcel held at customs\n'
	printf 'Message-ID: <plus@plus-variants.example>\nDate: Mon, 30 Nov 2026 09:00:00 +0000\n\n'
	printf 'A parcel addressed to you is held at customs. Pay the 2.99 EUR release fee at\n'
	printf 'https://customs-release.plus-variants.example/pay before Friday or it is returned.\n'
} >"$T/plus.eml"
"$BIN" report --config "$T/lg.conf" --db "$DB" --no-mail --reporter alice+1@victim.example "$T/plus.eml" >/dev/null 2>&1
"$BIN" report --config "$T/lg.conf" --db "$DB" --no-mail --reporter 'Alice+2@Victim.Example.' "$T/plus.eml" >/dev/null 2>&1
b=$(blocks)
if grep -q "plus-variants.example" <<<"$b"; then
	fail "F5: alice+1@ and Alice+2@ (trailing dot) count as two reporters" "$b"
else
	pass "F5: +tag, case and trailing-dot variants of one address are one reporter"
fi
"$BIN" report --config "$T/lg.conf" --db "$DB" --no-mail --reporter bob@victim.example "$T/plus.eml" >/dev/null 2>&1
if blocks | grep -qE "domain +plus-variants.example +active"; then
	pass "control: a second, different reporter blocks it"
else
	fail "control: a second reporter does not block the campaign" "$(blocks)"
fi
finish
