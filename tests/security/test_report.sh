#!/usr/bin/env bash
# test_report.sh: attacks on the report loop and on what the sender
# controls (issue #12 items 3 and 8), against a real `leakguard milter`
# behind the private Postfix of tests/milter/lib.sh, with SASL AUTH (Cyrus
# sasldb) so staff can really authenticate on loopback.
#   - two outside reporters (different MAIL FROM, no AUTH, from 127.0.0.1
#     which [relays] trusted does not hold, with a crafted "internal"
#     Received header) block nothing, file nothing, and get no thanks and
#     no alert goes out: their mail is delivered as ordinary mail;
#   - two outside mails with own-domain envelope senders through a
#     [relays] trusted hop (an inbound MX) are not staff reports (review F4);
#   - two authenticated staff reporters do block the campaign's domain (our
#     MX authenticated it) and the IP the milter stamped on its way in,
#     never a forged Received hop below it, nor one below a hop that names
#     no address; an unauthenticated From goes to review (review F1, F2);
#   - the alert's subject is leakguard's own words, its signed mark survives
#     the spoof stripping (a report of it is refused), an outsider's copy
#     of the mark is stripped;
#   - a forged "warm-up" mail does not make its domain a known
#     correspondent: the phish after it is still a first contact;
#   - the warning banner is not hidden by <!--<body>-->, a display:none
#     wrapper, or a name= on the text part.
# Usage: tests/security/test_report.sh BINARY   (needs root for Postfix)
. "$(dirname "$0")/lib.sh" report "$@"
# shellcheck source=../milter/lib.sh
. "$ROOT/tests/milter/lib.sh"

REPORT=phish-report@example.com
MAILDIR=$T/pf/mail/inbox
LOG=$T/milter.log
DB=$T/state.db

for tool in postfix postqueue swaks python3 saslpasswd2; do
	command -v "$tool" >/dev/null || { fail "setup: $tool is missing (scripts/install-deps.sh)"; finish; }
done
[ "$(id -u)" -eq 0 ] || { fail "setup: needs root to start a private Postfix"; finish; }
trap 'pf_cleanup; security_cleanup' EXIT

pf_setup "$T/pf"
# Logins are taken in the organisation's realm: maria is maria@example.com.
PF_SASL_REALM=example.com
pf_enable_sasl maria:maria-pw robert:robert-pw || { fail "setup: SASL"; finish; }
pf_start || { fail "setup: Postfix does not start" "$(tail -n 20 "$PF_DIR/maillog")"; finish; }
echo "http://blocked-url.test/login/view" >"$T/blocked_urls.txt"
cat >"$T/leakguard.conf" <<EOF
[general]
db = $DB
[protect]
domains = example.com
[auth]
trusted_authserv_id = mx.example.com
[relays]
# Our relays; the test's clients at 127.0.0.1 are outside them; 127.0.0.9
# plays an inbound MX (trusted for the Received walk, not staff).
trusted = 10.0.0.0/8, 127.0.0.9
[thresholds]
suspicious = 4.0
spam = 12.0
phishing = 12.0
[actions]
suspicious = tag
spam = tag
phishing = tag
[lists]
blocked_urls = $T/blocked_urls.txt
[weights]
BLOCKED_URL = 5.0
[milter]
report_address = $REPORT
# A sanitizer build on a busy machine needs more than the default 2 s.
timeout_ms = 15000
[report]
alert_to = colleagues@example.com
smtp = 127.0.0.1:$PF_PORT
from = leakguard@example.com
auto_block_reporters = 2
EOF
milter_start "$BIN" "$T/leakguard.conf" "$LOG" || { fail "setup: the milter does not start" "$(tail "$LOG")"; finish; }
PIDS+=("$MILTER_PID")

inbox_has() { grep -rlF -- "$1" "$MAILDIR" 2>/dev/null | head -n 1; }
inbox_count() { grep -rlF -- "$1" "$MAILDIR" 2>/dev/null | wc -l; }
wait_inbox() { # wait_inbox TEXT: up to 20 s for a delivered mail holding TEXT
	for _ in $(seq 200); do
		[ -n "$(inbox_has "$1")" ] && return 0
		sleep 0.1
	done
	return 1
}
# smtp FILE FROM TO [swaks options]: one message through the milter.
smtp() {
	local file=$1 from=$2 to=$3
	shift 3
	printf '%s' "$(cat "$file")" >"$T/send.eml"
	swaks --server "127.0.0.1:$PF_PORT" --from "$from" --to "$to" --data "@$T/send.eml" --timeout 60 "$@" 2>&1 |
		grep -E '^ *<[-~*]* *[245][0-9][0-9] ' | grep -v '^ *<[-~*]* *221 ' | tail -n 1
}
# phish NAME SUBJECT RECEIVED...: an original phish with the Received lines given.
phish() {
	local name=$1 subject=$2
	shift 2
	{
		for r in "$@"; do printf 'Received: %s\n' "$r"; done
		printf 'From: "IT Service Desk" <helpdesk@rnicrosoft.test>\nTo: user@example.com\n'
		printf 'Subject: %s\nMessage-ID: <%s@rnicrosoft.test>\nDate: Mon, 30 Nov 2026 09:00:00 +0000\n\n' "$subject" "$name"
		printf 'Your mailbox password expires today. Keep your current password by signing in\n'
		printf 'at https://login.rnicrosoft.test/reset within 24 hours or your mailbox will be\n'
		printf 'suspended and all messages deleted. IT Service Desk, Microsoft 365 team.\n'
	} >"$T/$name.eml"
}
# forward FROM PHISH OUT [EXTRA HEADER]: a report with PHISH attached.
forward() {
	{
		[ -n "${4:-}" ] && printf '%s\n' "$4"
		printf 'From: %s\nTo: %s\nSubject: Fwd: suspicious\nMessage-ID: <fwd-%s@example.com>\nMIME-Version: 1.0\n' \
			"$1" "$REPORT" "$RANDOM$RANDOM"
		printf 'Content-Type: multipart/mixed; boundary="fwd-b"\n\n--fwd-b\nContent-Type: text/plain\n\nThis looks fake (%s).\n' "$1"
		printf -- '--fwd-b\nContent-Type: message/rfc822\n\n'
		cat "$2"
		printf -- '\n--fwd-b--\n'
	} >"$3"
}
blocks() { "$BIN" blocks --db "$DB" 2>/dev/null; }
reports_n() { "$BIN" reports --db "$DB" --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin).get("reports", 0))' 2>/dev/null || echo 0; }

# ---- outsiders cannot file staff reports ------------------------------------
OUT_SUBJECT=$'Password expiry \xe2\x80\xae notice: reply with your password'
phish outside "$OUT_SUBJECT" \
	"from mail.innocent.test (mail.innocent.test [192.0.2.66]) by mx.example.com with ESMTP id 1"
sed -i 's/rnicrosoft\.test/innocent-shop.test/g' "$T/outside.eml"
forward alice@example.com "$T/outside.eml" "$T/out1.eml" \
	"Received: from relay.example.com (relay.example.com [10.0.0.7]) by mx.example.com with ESMTPSA id 9"
forward bob@example.com "$T/outside.eml" "$T/out2.eml"
r1=$(smtp "$T/out1.eml" alice@example.com "$REPORT")
r2=$(smtp "$T/out2.eml" bob@example.com "$REPORT")
wait_inbox "This looks fake (bob@example.com)"
sleep 2 # time for any thanks or alert to arrive
b=$(blocks)
if grep -q "innocent-shop.test" <<<"$b" || grep -q "192.0.2.66" <<<"$b"; then
	fail "outsiders' reports block a domain and an IP they chose" "$b"
else
	pass "two outside reporters (forged MAIL FROM, crafted Received) block nothing"
fi
n=$(reports_n)
if [ "$n" = 0 ] && [ "$(inbox_count "This looks fake (")" -eq 2 ]; then
	pass "outsiders' mail to the report address is ordinary mail: delivered, no report filed"
else
	fail "outsiders' mail to the report address is filed as a staff report" "reports=$n replies: $r1 / $r2"
fi
if [ -z "$(inbox_has "Thank you. We received")" ] && [ -z "$(inbox_has "[Phishing alert]")" ]; then
	pass "no thanks to forged senders, no alert from outsiders"
else
	fail "forged senders are thanked or colleagues alerted" "$(grep -rh '^Subject:' "$MAILDIR" | sort | uniq -c)"
fi

# ---- F4: a trusted inbound hop does not make its senders staff ----------------
phish relayed "Voicemail waiting for you" \
	"from mail.relayed-phish.test (mail.relayed-phish.test [192.0.2.88]) by mx.example.com with ESMTP id 6"
sed -i 's/rnicrosoft\.test/relayed-phish.test/g' "$T/relayed.eml"
forward a@example.com "$T/relayed.eml" "$T/rel1.eml"
forward b@example.com "$T/relayed.eml" "$T/rel2.eml"
smtp "$T/rel1.eml" a@example.com "$REPORT" --local-interface 127.0.0.9 >/dev/null
smtp "$T/rel2.eml" b@example.com "$REPORT" --local-interface 127.0.0.9 >/dev/null
wait_inbox "This looks fake (b@example.com)" || fail "F4: the forward from a trusted hop was not delivered as ordinary mail"
sleep 1
b=$(blocks)
if grep -q "relayed-phish.test" <<<"$b" || grep -q "192.0.2.88" <<<"$b" ||
	grep -q "report .* by [ab]@example.com" "$LOG"; then
	fail "F4: own-domain envelopes through a trusted inbound hop are staff reports" "$b $(grep 'report' "$LOG" | tail -n 2)"
else
	pass "F4: own-domain envelope senders through a trusted inbound hop are not staff"
fi

# ---- staff reports: SASL logins; the blocked IP is the one the milter saw ----
# The phish arrives first (from 127.0.0.5, which the milter stamps, with our
# border MX's DMARC pass for its From), then staff forward the copy they got.
phish staff0 "$OUT_SUBJECT" \
	"from mail.rnicrosoft.test (mail.rnicrosoft.test [203.0.113.50]) by mx.example.com with ESMTP id 2" \
	"from innocent.example.net (innocent.example.net [192.0.2.77]) by mail.rnicrosoft.test with SMTP id 3"
{
	printf 'Authentication-Results: mx.example.com; dkim=pass header.d=rnicrosoft.test; dmarc=pass header.from=rnicrosoft.test\n'
	printf 'X-Leakguard-Client: v1 192.0.2.123 %064d\n' 0
	cat "$T/staff0.eml"
} >"$T/staff0a.eml"
smtp "$T/staff0a.eml" helpdesk@rnicrosoft.test user@example.com --local-interface 127.0.0.5 >/dev/null
wait_inbox "staff0@rnicrosoft.test"
got=$(inbox_has "staff0@rnicrosoft.test")
cp "${got:-/dev/null}" "$T/staff1.eml"
if grep -qE '^X-Leakguard-Client: v1 127\.0\.0\.5 [0-9a-f]{64}' "$T/staff1.eml" && ! grep -q "192.0.2.123" "$T/staff1.eml"; then
	pass "inbound mail is stamped with the client the milter saw; a forged stamp is stripped"
else
	fail "inbound mail is not stamped, or keeps a forged stamp" "$(grep -i '^X-Leakguard-Client' "$T/staff1.eml")"
fi
forward maria@example.com "$T/staff1.eml" "$T/s1.eml"
smtp "$T/s1.eml" maria@example.com "$REPORT" --auth PLAIN --auth-user maria --auth-password maria-pw >/dev/null
wait_inbox "Thank you. We received"
forward robert@example.com "$T/staff1.eml" "$T/s2.eml"
smtp "$T/s2.eml" robert@example.com "$REPORT" --auth PLAIN --auth-user robert --auth-password robert-pw >/dev/null
for _ in $(seq 100); do blocks | grep -q "rnicrosoft.test" && break; sleep 0.1; done
b=$(blocks)
if grep -qE "domain +rnicrosoft.test +active" <<<"$b" && grep -qE "ip +127.0.0.5 +active" <<<"$b" &&
	! grep -qE "192.0.2.77|192.0.2.123|203.0.113.50" <<<"$b"; then
	pass "two authenticated staff reporters block the domain and the IP the milter stamped, not a forged hop"
else
	fail "two authenticated staff reporters: wrong blocks" "$b"
fi
if [ "$(inbox_count "Thank you. We received")" -ge 2 ]; then
	pass "staff reporters are thanked"
else
	fail "staff reporters are thanked" "$(grep "report" "$LOG" | tail -n 4)"
fi
# The same login twice is one reporter.
phish staff2 "Mailbox quota exceeded" \
	"by mx.example.com (Postfix, from userid 1000) id 4; Mon, 30 Nov 2026 09:00:00 +0000" \
	"from trusted-partner.test (trusted-partner.test [192.0.2.99]) by mx.example.com with ESMTP id 5"
sed -i 's/rnicrosoft\.test/rnicrosoft-quota.test/g; s/password expires today/mailbox is over its quota/' "$T/staff2.eml"
forward maria@example.com "$T/staff2.eml" "$T/s3.eml"
smtp "$T/s3.eml" maria@example.com "$REPORT" --auth PLAIN --auth-user maria --auth-password maria-pw >/dev/null
forward maria.again@example.com "$T/staff2.eml" "$T/s4.eml"
smtp "$T/s4.eml" maria.again@example.com "$REPORT" --auth PLAIN --auth-user maria --auth-password maria-pw >/dev/null
sleep 2
if ! blocks | grep -q "rnicrosoft-quota.test"; then
	pass "one SASL login under two addresses counts as one reporter"
else
	fail "one SASL login under two addresses counts as two reporters" "$(blocks)"
fi
smtp "$T/s4.eml" robert@example.com "$REPORT" --auth PLAIN --auth-user robert --auth-password robert-pw >/dev/null
for _ in $(seq 100); do blocks | grep -q "rnicrosoft-quota.test" && break; sleep 0.1; done
b=$(blocks)
if grep -qE "domain +rnicrosoft-quota.test +(active|review)" <<<"$b" && ! grep -q "192.0.2.99" <<<"$b"; then
	pass "a forged Received hop below a hop without an address never becomes the blocked IP"
else
	fail "a forged Received hop becomes the blocked IP" "$b"
fi
if grep -qE "domain +rnicrosoft-quota.test +review" <<<"$b"; then
	pass "F2: a From nobody authenticated goes to review, not blocked"
else
	fail "F2: an unauthenticated From domain is blocked by staff reports" "$b"
fi

# ---- the alert: fixed subject, signed mark kept, outsiders' marks stripped ---
# The first campaign's alert (the second campaign has one too).
alert=$(grep -rlE '^Subject: \[Phishing alert\].* rnicrosoft\[\.\]test$' "$MAILDIR" 2>/dev/null | head -n 1)
[ -n "$alert" ] || alert=$(inbox_has "[Phishing alert]")
if [ -n "$alert" ]; then
	subj=$(grep -m1 '^Subject:' "$alert")
	if grep -qE '^Subject: \[Phishing alert\] Campaign [0-9]+: mail from rnicrosoft\[\.\]test$' <<<"$subj" &&
		! grep -q "reply with your password" <<<"$subj"; then
		pass "the alert's subject is fixed, naming the campaign defanged"
	else
		fail "the alert's subject is the attacker's" "$subj"
	fi
	if grep -qE '^X-Leakguard-Alert: v2 [0-9]+ [0-9a-f]{64}' "$alert"; then
		pass "the alert keeps its signed mark through the milter"
	else
		fail "the alert loses its mark in the milter's spoof stripping" "$(grep -i '^X-Leakguard' "$alert")"
	fi
	forward maria@example.com "$alert" "$T/s5.eml"
	smtp "$T/s5.eml" maria@example.com "$REPORT" --auth PLAIN --auth-user maria --auth-password maria-pw >/dev/null
	if wait_inbox "a report of a report"; then
		pass "a report of leakguard's own alert is refused"
	else
		fail "a report of leakguard's own alert is recorded" "$(grep "report" "$LOG" | tail -n 2)"
	fi
else
	fail "the staff campaign alerts colleagues" "$(tail -n 5 "$LOG")"
	fail "the alert keeps its signed mark (no alert)"
	fail "a report of leakguard's own alert is refused (no alert)"
fi
printf 'From: x@outside.test\nTo: user@example.com\nSubject: fake alert\nMessage-ID: <fake-alert@outside.test>\nX-Leakguard-Alert: v1 %064d\n\nignore me\n' 0 >"$T/fake.eml"
smtp "$T/fake.eml" x@outside.test user@example.com >/dev/null
wait_inbox "fake-alert@outside.test"
f=$(inbox_has "fake-alert@outside.test")
if [ -n "$f" ] && ! grep -qi '^X-Leakguard-Alert:' "$f"; then
	pass "an outsider's unsigned alert mark is stripped"
else
	fail "an outsider's unsigned alert mark is delivered" "${f:-not delivered}"
fi

# ---- a forged warm-up does not make a stranger a known contact --------------
printf 'Authentication-Results: evil.test; dmarc=pass header.from=warmup-corp.test\nFrom: CEO <ceo@warmup-corp.test>\nTo: user@example.com\nSubject: lunch next week\nMessage-ID: <warm-1@warmup-corp.test>\n\nLooking forward to it.\n' >"$T/warm.eml"
smtp "$T/warm.eml" ceo@warmup-corp.test user@example.com >/dev/null
# Mail our MX vouched for (a trusted DMARC pass) only counts its day: a
# domain is known once staff wrote to it (here: history --learn of a sent
# mail to three domains, which also makes the history ready for
# first-contact signals) or after vouched mail on three separate days.
printf 'Authentication-Results: mx.example.com; dmarc=pass header.from=vouched-corp.test\nFrom: Ann <ann@vouched-corp.test>\nTo: user@example.com\nSubject: minutes\nMessage-ID: <warm-2@vouched-corp.test>\n\nMinutes attached soon.\n' >"$T/vouched.eml"
smtp "$T/vouched.eml" ann@vouched-corp.test user@example.com >/dev/null
wait_inbox "warm-2@vouched-corp.test"
printf 'From: User <user@example.com>\nTo: ann@vouched-corp.test, bo@vouched-two.test, cy@vouched-three.test\nSubject: minutes\nMessage-ID: <sent-1@example.com>\n\nThanks, see you.\n' >"$T/sent.eml"
"$BIN" history --learn --org example.com --db "$DB" "$T/sent.eml" >/dev/null 2>&1 || fail "history --learn of the sent mail"
sleep 0.5
milter_hup >/dev/null || fail "SIGHUP after the warm-up"
printf 'From: CEO <ceo@warmup-corp.test>\nTo: user@example.com\nSubject: quick favour\nMessage-ID: <warm-3@warmup-corp.test>\n\nAre you at your desk? I need a quick favour.\n' >"$T/real.eml"
smtp "$T/real.eml" ceo@warmup-corp.test user@example.com >/dev/null
printf 'From: Ann <ann@vouched-corp.test>\nTo: user@example.com\nSubject: minutes again\nMessage-ID: <warm-4@vouched-corp.test>\n\nHere they are.\n' >"$T/known.eml"
smtp "$T/known.eml" ann@vouched-corp.test user@example.com >/dev/null
wait_inbox "warm-3@warmup-corp.test"
wait_inbox "warm-4@vouched-corp.test"
f=$(inbox_has "warm-3@warmup-corp.test")
if [ -n "$f" ] && grep -A3 -i '^X-Leakguard-Signals:' "$f" | grep -q FIRST_CONTACT_DOMAIN; then
	pass "after a forged warm-up the phish is still a first contact"
else
	fail "a forged warm-up makes the phisher a known contact" "$(grep -i '^X-Leakguard-Signals' "${f:-/dev/null}")"
fi
f=$(inbox_has "warm-4@vouched-corp.test")
if [ -n "$f" ] && ! grep -A3 -i '^X-Leakguard-Signals:' "$f" | grep -q FIRST_CONTACT; then
	pass "a correspondent staff wrote to is known"
else
	fail "a DMARC-vouched correspondent is not learnt" "$(grep -i '^X-Leakguard-Signals' "${f:-/dev/null}")"
fi
# Staff writing through the milter (SASL) teaches the history the envelope
# recipients Postfix recorded, never the To and Cc the sender wrote: a
# header-only Cc stays a stranger.
printf 'From: Maria <maria@example.com>\nTo: Lee <lee@staff-wrote.test>\nCc: boss@header-only.test\nSubject: our meeting\nMessage-ID: <out-1@example.com>\n\nSee you Tuesday.\n' >"$T/out.eml"
smtp "$T/out.eml" maria@example.com lee@staff-wrote.test --auth PLAIN --auth-user maria --auth-password maria-pw >/dev/null
for _ in $(seq 100); do # the history is written after the milter's reply
	"$BIN" history --stats --db "$DB" 2>/dev/null | grep -q '^domains: [4-9]' && break
	sleep 0.1
done
sleep 0.5
milter_hup >/dev/null || fail "SIGHUP after staff's outgoing mail"
for d in staff-wrote header-only; do
	printf 'From: Lee <lee@%s.test>\nTo: maria@example.com\nSubject: Re: our meeting\nMessage-ID: <in-%s@%s.test>\n\nTuesday is fine.\n' "$d" "$d" "$d" >"$T/in.eml"
	smtp "$T/in.eml" "lee@$d.test" maria@example.com >/dev/null
	wait_inbox "in-$d@$d.test"
done
f=$(inbox_has "in-staff-wrote@staff-wrote.test")
g=$(inbox_has "in-header-only@header-only.test")
if [ -n "$f" ] && ! grep -A3 -i '^X-Leakguard-Signals:' "$f" | grep -q FIRST_CONTACT_DOMAIN &&
	[ -n "$g" ] && grep -A3 -i '^X-Leakguard-Signals:' "$g" | grep -q FIRST_CONTACT_DOMAIN; then
	pass "the milter learns the envelope recipients of staff mail, not a header-only Cc"
else
	fail "outgoing staff mail taught the history wrongly" \
		"staff-wrote: $(grep -i '^X-Leakguard-Signals' "${f:-/dev/null}") header-only: $(grep -i '^X-Leakguard-Signals' "${g:-/dev/null}")"
fi

# ---- the banner cannot be hidden by the sender's markup ---------------------
cat >"$T/hide.eml" <<'EOF'
From: Docs <files@docs-share.test>
To: user@example.com
Subject: shared document
Message-ID: <hide-banner@docs-share.test>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=utf-8; name="message.txt"

Open the document: http://blocked-url.test/login/view
--alt
Content-Type: text/html; charset=utf-8

<!--<body>--><html><head><style>div{display:none}</style></head><body><div style="display:none"><body></div><p>Open <a href="http://blocked-url.test/login/view">the document</a></p></body></html>
--alt--
EOF
smtp "$T/hide.eml" files@docs-share.test user@example.com >/dev/null
wait_inbox "hide-banner@docs-share.test"
f=$(inbox_has "hide-banner@docs-share.test")
if out=$(python3 - "${f:-/dev/null}" <<'PY' 2>&1
import email, email.policy, re, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
parts = {p.get_content_type(): p.get_payload(decode=True) or b"" for p in m.walk() if not p.is_multipart()}
text, html = parts.get("text/plain", b""), parts.get("text/html", b"")
if not text.startswith(b"CAUTION") and not text.startswith(b"WARNING"):
    sys.exit("text part with name= has no banner: %r" % text[:80])
if not re.match(rb'<div style="[^"]*display:block!important', html):
    sys.exit("HTML banner is not before the sender's markup: %r" % html[:120])
PY
); then
	pass "the banner is not hidden by <!--<body>-->, a display:none wrapper, or name= on the text part"
else
	fail "the sender's markup hides the banner" "$out"
fi

milter_stop # a sanitizer build reports leaks at exit
if grep -qE "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$LOG"; then
	fail "no sanitizer reports in the milter's log" "$(grep -m 5 -E "ERROR|runtime error" "$LOG")"
fi
finish
