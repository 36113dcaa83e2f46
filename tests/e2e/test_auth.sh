#!/usr/bin/env bash
# test_auth.sh: `check --verify-auth` verifies SPF, DKIM and DMARC itself
# against real DNS records served by dnsmasq on loopback ([auth] dns =
# 127.0.0.1:PORT): keys made by opendkim-genkey, messages signed by
# opendkim-testmsg. Cases: all pass; SPF fail and softfail; DKIM body hash
# broken in transit; DMARC p=none, p=reject for an outside domain and
# p=reject for our own (phishing); a dead DNS server (temperror, still a
# verdict); and plain `check` with no DNS configured.
. "$(dirname "$0")/lib.sh" auth "$@"

for c in dnsmasq dig opendkim-genkey opendkim-testmsg jq python3; do
	command -v "$c" > /dev/null || { fail "$c is not installed"; e2e_done; }
done

read -r DNS DEAD < <(python3 -c 'import socket
ss = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')

# ---- keys and records
opendkim-genkey -b 1024 -d pass.example -s sel1 -D "$T" || fail "opendkim-genkey"
# The TXT value without zone-file quoting; h=sha256 dropped because
# opendkim-testmsg signs with rsa-sha1.
key=$(sed -e 's/^[^(]*(//' -e 's/).*$//' "$T/sel1.txt" | tr -d '\n\t"' | sed -e 's/  */ /g' -e 's/h=sha256; //' -e 's/^ //')
case $key in v=DKIM1*p=M*) ;; *) fail "could not read the DKIM key record: $key" ;; esac
records=(
	"pass.example,v=spf1 ip4:192.0.2.10 -all"
	"sel1._domainkey.pass.example,$key"
	"_dmarc.pass.example,v=DMARC1; p=reject"
	"fail.example,v=spf1 ip4:192.0.2.20 -all"
	"_dmarc.fail.example,v=DMARC1; p=reject"
	"soft.example,v=spf1 ip4:192.0.2.30 ~all"
	"_dmarc.soft.example,v=DMARC1; p=none"
	"bank.example,v=spf1 ip4:192.0.2.40 -all"
	"_dmarc.bank.example,v=DMARC1; p=reject"
)
args=()
for r in "${records[@]}"; do args+=("--txt-record=$r"); done
# --local: names under .example that are not listed get NXDOMAIN, not REFUSED.
dnsmasq --keep-in-foreground --port="$DNS" --listen-address=127.0.0.1 --bind-interfaces --no-resolv \
	--no-hosts --pid-file= --log-facility=- --local=/example/ --local-ttl=300 --log-queries \
	"${args[@]}" > "$T/dnsmasq.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
	dig +short +time=1 +tries=1 -p "$DNS" @127.0.0.1 TXT _dmarc.bank.example 2> /dev/null | grep -q DMARC1 && break
	sleep 0.1
done
dig +short +time=1 +tries=1 -p "$DNS" @127.0.0.1 TXT sel1._domainkey.pass.example | grep -q 'p=M' ||
	fail "dnsmasq does not serve the DKIM key"

cat > "$T/auth.conf" << EOF
[protect]
domains = bank.example
[relays]
trusted = 127.0.0.0/8, 10.0.0.0/8
[auth]
dns = 127.0.0.1:$DNS
EOF
sed "s/^dns = .*/dns = 127.0.0.1:$DEAD/" "$T/auth.conf" > "$T/dead.conf"

# msg NAME FROM MAIL_FROM CLIENT_IP BODY: a message as our border received it.
msg() {
	printf 'From: %s\r\nTo: anna@bank.example\r\nSubject: Quarterly figures\r\nDate: Wed, 12 Jun 2024 07:40:01 +0000\r\nMessage-ID: <%s@test>\r\n\r\n%s\r\n' \
		"$2" "$1" "$5" > "$T/$1.body"
}
received() { # NAME MAIL_FROM CLIENT_IP [SIGNED]: prepends the border's trace headers
	local src=$T/$1.body
	[ -n "${4:-}" ] && src=$T/$1.signed
	{
		printf 'Return-Path: <%s>\r\n' "$2"
		printf 'Received: from mail.sender.example (mail.sender.example [%s])\r\n\tby mx.bank.example (Postfix) with ESMTPS id 4W9;\r\n\tWed, 12 Jun 2024 07:40:02 +0000\r\n' "$3"
		cat "$src"
	} > "$T/$1.eml"
}
sign() { opendkim-testmsg -d pass.example -s sel1 -k "$T/sel1.private" < "$T/$1.body" > "$T/$1.signed" || fail "signing $1"; }

msg pass 'Pat <pat@pass.example>' '' '' 'Here are the figures for the quarter.'
sign pass
received pass bounce@pass.example 192.0.2.10 signed

# Same signed message, one word of the body changed after signing.
sed 's/Here are the figures/Here are the numbers/' "$T/pass.signed" > "$T/bodyhash.signed"
received bodyhash bounce@pass.example 192.0.2.10 signed

msg spffail 'Fay <fay@fail.example>' '' '' 'Please see the attached figures.'
received spffail fay@fail.example 203.0.113.50

msg softfail 'Sam <sam@soft.example>' '' '' 'Please see the attached figures.'
received softfail sam@soft.example 203.0.113.51

msg ownreject 'Jane Doe <jane.doe@bank.example>' '' '' 'Please send the wire transfer today, keep it between us.'
received ownreject jane.doe@bank.example 203.0.113.60

# check_one CONF NAME: one JSON result of --verify-auth
check_one() {
	"$BIN" check --config "$1" --json --verify-auth "$T/$2.eml" 2> "$T/$2.err" > "$T/$2.json"
	[ -s "$T/$2.json" ] || fail "$2: no output ($(head -3 "$T/$2.err"))"
	! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T/$2.err" ||
		fail "$2: sanitizer report: $(grep -m3 -E 'ERROR|runtime error' "$T/$2.err")"
}
has() { jq -e --arg s "$2" '[.signals[].name] | index($s)' "$T/$1.json" > /dev/null || fail "$1: no $2 in $(jq -c '[.signals[].name]' "$T/$1.json")"; }
hasnt() { jq -e --arg s "$2" '[.signals[].name] | index($s) | not' "$T/$1.json" > /dev/null || fail "$1: unexpected $2"; }
ar() { jq -r '.authentication_results // ""' "$T/$1.json" | grep -qF -- "$2" || fail "$1: Authentication-Results lacks '$2': $(jq -r .authentication_results "$T/$1.json")"; }
verdict() { [ "$(jq -r .verdict "$T/$1.json")" = "$2" ] || fail "$1: verdict $(jq -r .verdict "$T/$1.json"), want $2"; }
reason() { jq -r --arg s "$2" '.signals[] | select(.name == $s) | .reason' "$T/$1.json" | grep -qiF -- "$3" || fail "$1: $2 reason lacks '$3'"; }

for n in pass bodyhash spffail softfail ownreject; do check_one "$T/auth.conf" "$n"; done

ar pass "leakguard; spf=pass smtp.mailfrom=bounce@pass.example"
ar pass "dkim=pass header.d=pass.example header.s=sel1"
ar pass "dmarc=pass (p=reject) header.from=pass.example"
has pass AUTH_PASS
verdict pass clean

ar bodyhash "dkim=fail (body hash did not verify) header.d=pass.example"
ar bodyhash "spf=pass"
ar bodyhash "dmarc=pass" # aligned SPF still passes DMARC (RFC 7489 4.2)
has bodyhash AUTH_DKIM_FAIL
reason bodyhash AUTH_DKIM_FAIL "changed after it was signed"

ar spffail "spf=fail smtp.mailfrom=fay@fail.example"
ar spffail "dkim=none"
ar spffail "dmarc=fail (p=reject) header.from=fail.example"
has spffail AUTH_SPF_FAIL
has spffail AUTH_DMARC_FAIL
hasnt spffail AUTH_DMARC_REJECT # not a protected domain: its own policy, no more

ar softfail "spf=softfail"
ar softfail "dmarc=fail (p=none)"
has softfail AUTH_SPF_FAIL
reason softfail AUTH_DMARC_FAIL "policy none"

ar ownreject "spf=fail"
ar ownreject "dmarc=fail (p=reject) header.from=bank.example"
has ownreject AUTH_DMARC_REJECT
has ownreject OWN_DOMAIN_SPOOFED
reason ownreject AUTH_DMARC_REJECT "p=reject"
verdict ownreject phishing

# A dead DNS server: temperror, a note, and still a verdict from the rest.
check_one "$T/dead.conf" ownreject
ar ownreject "spf=temperror"
has ownreject AUTH_UNVERIFIED
has ownreject OWN_DOMAIN_SPOOFED
hasnt ownreject AUTH_DMARC_REJECT

# No DNS configured and no --verify-auth: the DNS-free signals only.
"$BIN" check --config "$T/auth.conf" --json "$T/ownreject.eml" > "$T/plain.json" 2> "$T/plain.err"
jq -e 'has("authentication_results") | not' "$T/plain.json" > /dev/null || fail "plain check wrote Authentication-Results"
has plain OWN_DOMAIN_SPOOFED
hasnt plain AUTH_DMARC_REJECT

# The resolver's cache: two messages signed with the same key, one lookup.
keyq() { grep -c 'query\[TXT\] sel1._domainkey.pass.example' "$T/dnsmasq.log"; }
before=$(keyq)
"$BIN" check --config "$T/auth.conf" --json --verify-auth "$T/pass.eml" "$T/bodyhash.eml" > "$T/two.json" 2> /dev/null
[ "$(jq -r .authentication_results "$T/two.json" | grep -c 'header.d=pass.example')" = 2 ] || fail "cache: two results wanted"
[ $(($(keyq) - before)) -eq 1 ] || fail "cache: the DKIM key was asked for $(($(keyq) - before)) times, want 1"

# A bad [auth] dns setting is named.
printf '[auth]\ndns = not-a-server\n' > "$T/bad.conf"
"$BIN" check --config "$T/bad.conf" --verify-auth "$T/pass.eml" > /dev/null 2> "$T/bad.err" && fail "bad dns accepted"
grep -q "\[auth\] dns" "$T/bad.err" || fail "bad dns not named: $(cat "$T/bad.err")"

e2e_done
