#!/usr/bin/env bash
# Leak notices (issue 18) end to end: `leakguard serve` for the sign-ups,
# `ingest` queueing and `leakguard notify` sending, against two Postfix
# smtp-sinks on loopback (the portal's relay and the notices' own).
# Covers double opt-in (an unconfirmed sign-up gets nothing), a verified
# organisation's recipients (each confirmed; none outside its verified
# domains), one notice per recipient per source, digests, no address,
# password or document text of the leak in any notice (canaries), links
# only to the portal, RFC 8058 one-click unsubscribe honoured before the
# next send, re-runs adding nothing, the breach owner's mode and its
# dry run, and kill -9 of the notifier mid-send, re-run: exactly the
# expected set, no duplicate, none missing. Exits non-zero on any failure.
. "$(dirname "$0")/lib.sh" notify "$@"
chmod 755 "$T"
need() { command -v "$1" > /dev/null || { echo "FAIL: $1 is required (scripts/install-deps.sh)"; exit 1; }; }
for c in curl python3 smtp-sink sqlite3; do need "$c"; done

DB=$T/state.db
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
start_sink() { # DIR -> "PORT PID" of an smtp-sink of ours (a port taken meanwhile: another)
	local port pid
	mkdir -p "$T/$1" && chmod 777 "$T/$1"
	for _ in 1 2 3 4 5; do
		port=$(free_port)
		smtp-sink -u nobody -d "$T/$1/%M." "127.0.0.1:$port" 50 2> /dev/null &
		pid=$!
		for _ in $(seq 50); do (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null && break; sleep 0.1; done
		if kill -0 "$pid" 2> /dev/null && (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then
			echo "$port $pid"
			return
		fi
		kill "$pid" 2> /dev/null
	done
	echo "FAIL: smtp-sink did not start" >&2
	exit 1
}
read -r PSMTP pid < <(start_sink psink)
[ -n "$PSMTP" ] || exit 1
PIDS+=("$pid")
read -r NSMTP pid < <(start_sink nsink)
[ -n "$NSMTP" ] || exit 1
PIDS+=("$pid")
PORT=$(free_port)
B=http://127.0.0.1:$PORT
cat > "$T/leakguard.conf" << EOF
[portal]
listen = 127.0.0.1:$PORT
base_url = $B
smtp = 127.0.0.1:$PSMTP
from = leaks@portal.test
rate_pages = 100000
rate_mail = 1000
[notify]
smtp = 127.0.0.1:$NSMTP
from = notices@portal.test
threads = 4
per_domain = 2
backoff = 1
max_attempts = 3
webhook_attempts = 5
webhook_private = on
EOF
N=(--db "$DB" --config "$T/leakguard.conf")

# ---- the leak fixtures: canaries that must never reach a notice
mkdir -p "$T/crm" "$T/hr"
cat > "$T/crm/customers.csv" << 'EOF'
name,email,phone,company,password,notes
Alice Acme,alice@acme.test,+49 30 1111111,Acme GmbH,CanaryPw-1a2b,CANARYDOC-alpha
Bob Acme,bob@acme.test,+49 30 2222222,Acme GmbH,CanaryPw-3c4d,CANARYDOC-bravo
Carol Beta,carol@beta.test,+49 30 3333333,Beta AG,,CANARYDOC-charlie
Dan Gamma,dan@gamma.test,+49 30 4444444,Gamma SE,CanaryPw-5e6f,
Erin Person,erin@mail.test,+49 30 5555555,,CanaryPw-7g8h,
Frank Other,frank@mail.test,,,,
EOF
printf 'Board minutes CANARYDOC-delta: ask carol@beta.test about the merger.\n' > "$T/crm/minutes.txt"
cat > "$T/hr/staff.csv" << 'EOF'
name,email,password
Carol Beta,carol@beta.test,CanaryPw-9i0j
Erin Person,erin@mail.test,CanaryPw-1k2l
EOF
CANARIES="CanaryPw CANARYDOC alice@acme.test bob@acme.test carol@beta.test dan@gamma.test frank@mail.test"

# an empty source first, so the store exists for the portal
printf 'x,y\n' > "$T/empty.csv"
"$BIN" ingest "${N[@]}" --source empty "$T/empty.csv" > /dev/null 2>&1 || { echo "ingest failed"; exit 1; }
"$BIN" serve "${N[@]}" 2> "$T/serve.err" &
serve_pid=$!
PIDS+=($serve_pid)
for _ in $(seq 50); do grep -q 'listening on' "$T/serve.err" && break; sleep 0.1; done
grep -q 'listening on' "$T/serve.err" || { echo "server did not start:"; cat "$T/serve.err"; exit 1; }

req() { # JAR METHOD PATH [curl args...] -> body in $T/body, prints status
	local jar=$1 method=$2 path=$3
	shift 3
	curl -s -o "$T/body" -D "$T/hdr" -w '%{http_code}' -c "$T/$jar" -b "$T/$jar" -X "$method" "$@" "$B$path"
}
csrf() { sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/body" | head -1; }
header() { tr -d '\r' < "$T/hdr" | sed -n "s/^$1: //Ip" | head -1; }
expect() { [ "$2" = "$3" ] || fail "$1: expected $2, got $3"; }
mail_to() { grep -l "^X-Rcpt-Args: <$2>" "$T/$1"/* 2> /dev/null; } # SINK ADDRESS
wait_mail() { for _ in $(seq 100); do [ -n "$(mail_to "$1" "$2")" ] && return 0; sleep 0.1; done; return 1; }
link_in() { grep -ho "$B/$2/[A-Za-z0-9_-]\{43\}" $(mail_to psink "$1") | tail -1; } # ADDRESS ROUTE
notices() { grep -l "^Subject: .*($1)" "$T"/nsink/* 2> /dev/null; } # SOURCE -> files
notices_to() { for f in $(notices "$1"); do grep -q "^X-Rcpt-Args: <$2>" "$f" && echo "$f"; done; }

# ---- a person: double opt-in
req p GET /notify > /dev/null
expect "subscribe without csrf" 403 "$(req p POST /notify -d 'email=erin@mail.test')"
req p GET /notify > /dev/null
expect "subscribe" 200 "$(req p POST /notify --data-urlencode "csrf=$(csrf)" -d 'email=Erin@Mail.test')"
grep -q 'Check your inbox' "$T/body" || fail "subscribe answer"
cp "$T/body" "$T/sub-valid.html"
req p GET /notify > /dev/null
expect "subscribe garbage" 200 "$(req p POST /notify --data-urlencode "csrf=$(csrf)" -d 'email=not-an-address')"
cmp -s "$T/body" "$T/sub-valid.html" || fail "subscribe answer differs for an invalid address"
req p GET /notify > /dev/null
expect "subscribe, never confirmed" 200 "$(req p POST /notify --data-urlencode "csrf=$(csrf)" -d 'email=frank@mail.test')"
wait_mail psink erin@mail.test || fail "no opt-in mail to erin"
wait_mail psink frank@mail.test || fail "no opt-in mail to frank"
elink=$(link_in erin@mail.test notify/confirm)
[ -n "$elink" ] || fail "no confirm link in erin's mail"
expect "confirm page" 200 "$(req q GET "${elink#"$B"}")"
QCSRF=$(csrf)
expect "confirm" 200 "$(req q POST "${elink#"$B"}" --data-urlencode "csrf=$QCSRF")"
grep -q 'Notices on' "$T/body" || fail "confirm answer"
expect "confirm link used twice" 404 "$(req q POST "${elink#"$B"}" --data-urlencode "csrf=$QCSRF")"
expect "forged confirm link" 404 "$(req q GET /notify/confirm/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA)"
# an unconfirmed sign-up is only its link, which lives an hour at most
expect "unconfirmed is only a link" 1 "$(sqlite3 "$DB" "SELECT count(*) FROM portal_links WHERE kind = 'notify' AND subject = 'frank@mail.test' AND expires <= strftime('%s','now') + 3600")"
expect "unconfirmed not subscribed" 0 "$(sqlite3 "$DB" "SELECT count(*) FROM notify_subs WHERE recipient = 'frank@mail.test'")"

# ---- an organisation: prove acme.test and beta.test by mail, then name recipients
verify_by_mail() { # JAR DOMAIN
	req "$1" GET /domain > /dev/null
	expect "start $2" 303 "$(req "$1" POST /domain --data-urlencode "csrf=$(csrf)" -d "domain=$2")"
	local v
	v=$(header Location)
	req "$1" GET "$v" > /dev/null
	expect "mail link $2" 200 "$(req "$1" POST "$v/mail" --data-urlencode "csrf=$(csrf)" -d mailbox=postmaster)"
	wait_mail psink "postmaster@$2" || fail "no verification mail for $2"
	local c
	c=$(grep -ho "$B/confirm/[A-Za-z0-9_-]\{43\}" $(mail_to psink "postmaster@$2") | tail -1)
	req "$1" GET "${c#"$B"}" > /dev/null
	expect "confirm $2" 303 "$(req "$1" POST "${c#"$B"}" --data-urlencode "csrf=$(csrf)")"
}
verify_by_mail o acme.test
verify_by_mail o beta.test
expect "notices page, stranger" 403 "$(req x GET /dashboard/acme.test/notify)"
req x GET /notify > /dev/null
expect "add recipient, stranger" 403 "$(req x POST /dashboard/acme.test/notify --data-urlencode "csrf=$(csrf)" -d recipient=evil@attacker.test)"
expect "notices page" 200 "$(req o GET /dashboard/acme.test/notify)"
grep -q 'data-state="off"' "$T/body" || fail "monitoring on before any recipient"
add_rcpt() { # DOMAIN RECIPIENT -> status
	req o GET "/dashboard/$1/notify" > /dev/null
	req o POST "/dashboard/$1/notify" --data-urlencode "csrf=$(csrf)" --data-urlencode "recipient=$2"
}
expect "outside recipient" 200 "$(add_rcpt acme.test evil@attacker.test)"
grep -q 'Notices go only to addresses at acme.test' "$T/body" || fail "outside recipient not refused"
expect "header injection" 400 "$(add_rcpt acme.test $'security@acme.test\r\nBcc: evil@attacker.test')"
expect "recipient security" 200 "$(add_rcpt acme.test security)"
grep -q 'We sent a link to security@acme.test' "$T/body" || fail "recipient link status"
expect "recipient at another verified domain" 200 "$(add_rcpt beta.test security@acme.test)"
expect "recipient ciso" 200 "$(add_rcpt beta.test ciso@beta.test)"
wait_mail psink ciso@beta.test || fail "no recipient link to ciso"
for _ in $(seq 50); do [ "$(mail_to psink security@acme.test | wc -l)" -ge 2 ] && break; sleep 0.1; done
expect "links to security@acme.test" 2 "$(mail_to psink security@acme.test | wc -l)"
[ -z "$(mail_to psink evil@attacker.test)" ] || fail "mail sent to an outside address"
grep -l 'Bcc: evil' "$T"/psink/* > /dev/null 2>&1 && fail "header injected into a portal mail"
for f in $(mail_to psink security@acme.test) $(mail_to psink ciso@beta.test); do
	l=$(grep -ho "$B/notify/confirm/[A-Za-z0-9_-]\{43\}" "$f" | head -1)
	req r GET "${l#"$B"}" > /dev/null
	expect "recipient confirm" 200 "$(req r POST "${l#"$B"}" --data-urlencode "csrf=$(csrf)")"
done
expect "notices page after" 200 "$(req o GET /dashboard/beta.test/notify)"
grep -q 'data-state="on"' "$T/body" || fail "monitoring not on"
grep -q '<li class="recipient">ciso@beta.test</li>' "$T/body" || fail "ciso not listed"
expect "subscriptions" 4 "$(sqlite3 "$DB" 'SELECT count(*) FROM notify_subs')"

# ---- ingest queues; notify sends one notice per recipient per source
"$BIN" ingest "${N[@]}" --source crm-2026 --date 2026-11-02 "$T/crm" > /dev/null 2> "$T/ingest.err" || fail "ingest crm"
grep -q '3 notices queued' "$T/ingest.err" || fail "ingest did not queue 3 notices: $(cat "$T/ingest.err")"
[ -z "$(notices crm-2026)" ] || fail "notices sent before leakguard notify"
"$BIN" notify "${N[@]}" --json > "$T/n1.json" 2> "$T/n1.err" || fail "notify: $(cat "$T/n1.err")"
grep -q '"sent":3' "$T/n1.json" || fail "notify sent: $(cat "$T/n1.json")"
expect "crm notices" 3 "$(notices crm-2026 | wc -l)"
for r in security@acme.test ciso@beta.test erin@mail.test; do
	expect "one notice for $r" 1 "$(notices_to crm-2026 "$r" | wc -l)"
done
[ -z "$(notices_to crm-2026 frank@mail.test)" ] || fail "notice to an unconfirmed sign-up"
[ -z "$(notices_to crm-2026 postmaster@acme.test)" ] || fail "notice to a mailbox never named"
d=$(notices_to crm-2026 security@acme.test)
grep -q '^Subject: Data of 2 of your domains is in a data leak (crm-2026)' "$d" || fail "no digest subject"
grep -q '^  acme.test: 2 addresses, 2 phone numbers, 2 people.s names' "$d" || fail "digest acme.test counts: $(grep acme.test: "$d")"
grep -q '^  beta.test: 1 address' "$d" || fail "digest beta.test line"
pw=$("$BIN" lookup "${N[@]}" --json --domain acme.test | python3 -c 'import json,sys
print([s for s in json.load(sys.stdin)["sources"] if s["name"] == "crm-2026"][0]["with_password"])')
grep -q "^    $pw of its mentions in records that also held a password" "$d" || fail "password count ($pw)"
grep -q "$B/dashboard/beta.test" "$d" || fail "no portal link"
grep -q 'Expect phishing that quotes what leaked' "$d" || fail "no advice"
grep -q '^Content-Type: text/plain' "$d" || fail "no text part"
grep -q '^List-Unsubscribe: <'"$B"'/u/[A-Za-z0-9_-]\{43\}>' "$d" || fail "no List-Unsubscribe"
grep -q '^List-Unsubscribe-Post: List-Unsubscribe=One-Click' "$d" || fail "no List-Unsubscribe-Post"
grep -q 'password, a name and a phone number' "$(notices_to crm-2026 erin@mail.test)" || fail "address kinds"
for f in $(notices crm-2026); do
	for c in $CANARIES; do grep -qi "$c" "$f" && fail "canary $c in $(grep '^X-Rcpt' "$f")"; done
	grep -o 'https\?://[^ >]*' "$f" | grep -v "^$B/" && fail "a link not to the portal"
	grep -qi '<img\|utm_\|track' "$f" && fail "tracking in a notice"
done
[ -z "$(ls "$T"/psink | xargs -I{} grep -l '(crm-2026)' "$T/psink/{}")" ] || fail "a notice went through the portal's relay"
# a re-run, with or without --source, adds and sends nothing
"$BIN" notify "${N[@]}" --source crm-2026 --json > "$T/n2.json" 2> /dev/null || fail "notify re-run"
grep -q '"queued":0,.*"sent":0' "$T/n2.json" || fail "re-run queued or sent: $(cat "$T/n2.json")"
expect "crm notices after re-run" 3 "$(notices crm-2026 | wc -l)"
"$BIN" notify "${N[@]}" --status --json > "$T/status.json" || fail "notify --status"
expect "status crm-2026" "0 3 0 0" "$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d["source"] == "crm-2026": print(d["queued"], d["sent"], d["failed"], d["cancelled"])' "$T/status.json")"
"$BIN" notify "${N[@]}" --status --source crm-2026 > /dev/null 2>&1
expect "status with --source" 2 "$?"

# ---- one-click unsubscribe (RFC 8058), applied before the next send
"$BIN" ingest "${N[@]}" --source hr-2026 "$T/hr" > /dev/null 2> "$T/ingest2.err" || fail "ingest hr"
grep -q '3 notices queued' "$T/ingest2.err" || fail "hr: $(cat "$T/ingest2.err")"
u=$(tr -d '\r' < "$(notices_to crm-2026 erin@mail.test)" | sed -n 's/^List-Unsubscribe: <\(.*\)>$/\1/p')
expect "wrong unsubscribe token" 200 "$(curl -s -o "$T/body" -w '%{http_code}' -X POST -d 'List-Unsubscribe=One-Click' "$B/u/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")"
expect "subscriptions after a wrong token" 4 "$(sqlite3 "$DB" 'SELECT count(*) FROM notify_subs')"
expect "unsubscribe page" 200 "$(curl -s -o "$T/body" -w '%{http_code}' "$u")"
expect "one-click" 200 "$(curl -s -o "$T/body" -w '%{http_code}' -X POST -d 'List-Unsubscribe=One-Click' "$u")"
grep -q 'no more leak notices' "$T/body" || fail "unsubscribe answer"
"$BIN" notify "${N[@]}" --json > "$T/n3.json" 2> /dev/null || fail "notify hr"
grep -q '"sent":2,.*"cancelled":1' "$T/n3.json" || fail "hr send: $(cat "$T/n3.json")"
[ -z "$(notices_to hr-2026 erin@mail.test)" ] || fail "notice after unsubscribe"
expect "hr to ciso" 1 "$(notices_to hr-2026 ciso@beta.test | wc -l)"
expect "hr to security (beta.test only)" 1 "$(notices_to hr-2026 security@acme.test | wc -l)"
grep -q '^Subject: Data of beta.test is in a data leak (hr-2026)' "$(notices_to hr-2026 security@acme.test)" || fail "hr subject"

# ---- webhooks: signed JSON, retried while the receiver is down, verified as README says
HOOK=$(free_port)
cat > "$T/hook.py" << 'PY'
# The README's verification: HMAC-SHA256(key, TIMESTAMP "." BODY), constant-time
# compare, at most 5 minutes old, each event id once.
import hashlib, hmac, http.server, os, sys, time
T, port = sys.argv[1], int(sys.argv[2])
seen = set()
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        ev, ts, sig = (self.headers.get(h, "") for h in ("X-Leakguard-Event", "X-Leakguard-Timestamp", "X-Leakguard-Signature"))
        with open(T + "/hook.log", "a") as log:
            if os.path.exists(T + "/hook-down"):
                log.write("down %s\n" % ev); self.send_response(503); self.end_headers(); return
            key = open(T + "/hook.key").read().strip().encode()
            want = "sha256=" + hmac.new(key, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(want, sig):
                verdict, code = "bad-signature", 401
            elif not ts.isdigit() or abs(time.time() - int(ts)) > 300:
                verdict, code = "stale", 401
            elif ev in seen:
                verdict, code = "duplicate", 200
            else:
                seen.add(ev); verdict, code = "accepted", 200
                open(T + "/hook-%s.json" % ev, "wb").write(body)
            log.write("%s %s\n" % (verdict, ev))
        self.send_response(code); self.end_headers()
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
PY
python3 "$T/hook.py" "$T" "$HOOK" &
PIDS+=($!)
for _ in $(seq 50); do (exec 3<> "/dev/tcp/127.0.0.1/$HOOK") 2> /dev/null && break; sleep 0.1; done
hook_add() { # JAR URL -> status
	req "$1" GET /dashboard/acme.test/notify > /dev/null
	req "$1" POST /dashboard/acme.test/webhook --data-urlencode "csrf=$(csrf)" --data-urlencode "url=$2"
}
expect "webhook, stranger" 403 "$(req x GET /notify > /dev/null; req x POST /dashboard/acme.test/webhook --data-urlencode "csrf=$(csrf)" --data-urlencode "url=http://127.0.0.1:$HOOK/h")"
expect "webhook ftp" 200 "$(hook_add o ftp://127.0.0.1/x)"
grep -q 'Webhook not added: only https' "$T/body" || fail "ftp webhook not refused"
expect "webhook with credentials" 200 "$(hook_add o "http://u:p@127.0.0.1:$HOOK/h")"
grep -q 'Webhook not added' "$T/body" || fail "webhook with credentials not refused"
expect "webhook" 200 "$(hook_add o "http://127.0.0.1:$HOOK/hook")"
sed -n 's/.*signing key (shown once, keep it secret): \([A-Za-z0-9_-]\{43\}\).*/\1/p' "$T/body" > "$T/hook.key"
[ -s "$T/hook.key" ] || fail "no webhook key shown"
printf 'email,password\nzed@acme.test,CanaryPw-zz\n' > "$T/web.csv"
touch "$T/hook-down"
"$BIN" ingest "${N[@]}" --source web-2026 "$T/web.csv" > /dev/null 2> "$T/ingest4.err" || fail "ingest web"
grep -q '2 notices queued' "$T/ingest4.err" || fail "web: $(cat "$T/ingest4.err")"
"$BIN" notify "${N[@]}" --no-wait --json > "$T/w1.json" 2> /dev/null
grep -q '"sent":1,.*"held":1' "$T/w1.json" || fail "webhook while down: $(cat "$T/w1.json")"
grep -q '^down ' "$T/hook.log" || fail "webhook not tried while down"
rm "$T/hook-down"
sleep 2.2 # the retry's back-off
"$BIN" notify "${N[@]}" --json > "$T/w2.json" 2> /dev/null
grep -q '"sent":1,' "$T/w2.json" || fail "webhook after the receiver returned: $(cat "$T/w2.json")"
expect "webhook accepted once" 1 "$(grep -c '^accepted ' "$T/hook.log")"
grep -q 'bad-signature\|stale' "$T/hook.log" && fail "leakguard's own signature refused: $(cat "$T/hook.log")"
ev=$(sed -n 's/^accepted //p' "$T/hook.log")
j=$T/hook-$ev.json
python3 -c 'import json,sys; d = json.load(open(sys.argv[1])); assert d["event"] == sys.argv[2] and d["source"] == "web-2026" and d["type"] == "leak.notice", d; assert [x["domain"] for x in d["domains"]] == ["acme.test"] and d["domains"][0]["addresses"] == 1, d' "$j" "$ev" ||
	fail "webhook body: $(cat "$j")"
for c in $CANARIES CanaryPw zed@; do grep -qi "$c" "$j" && fail "canary $c in the webhook body"; done
"$BIN" notify "${N[@]}" --source web-2026 --json > "$T/w3.json" 2> /dev/null
grep -q '"queued":0,.*"sent":0' "$T/w3.json" || fail "webhook re-run: $(cat "$T/w3.json")"
# the documented verification refuses a replay older than 5 minutes, and a forgery
old=$(($(date +%s) - 301))
sig=$(python3 -c 'import hashlib,hmac,sys; print("sha256=" + hmac.new(open(sys.argv[1]).read().strip().encode(), sys.argv[2].encode() + b"." + open(sys.argv[3], "rb").read(), hashlib.sha256).hexdigest())' "$T/hook.key" "$old" "$j")
curl -s -o /dev/null -H "X-Leakguard-Event: replayed" -H "X-Leakguard-Timestamp: $old" -H "X-Leakguard-Signature: $sig" --data-binary "@$j" "http://127.0.0.1:$HOOK/hook"
curl -s -o /dev/null -H "X-Leakguard-Event: forged" -H "X-Leakguard-Timestamp: $(date +%s)" -H "X-Leakguard-Signature: $sig" --data-binary "@$j" "http://127.0.0.1:$HOOK/hook"
grep -q '^stale replayed$' "$T/hook.log" || fail "old replay not refused"
grep -q '^bad-signature forged$' "$T/hook.log" || fail "forgery not refused"
# with webhook_private off (the default) the notifier POSTs to no loopback or
# private address, and to no http:// URL, whatever was stored
expect "webhook https loopback" 200 "$(hook_add o "https://127.0.0.1:$HOOK/ssrf")"
sed 's/^webhook_private = on$/webhook_private = off/' "$T/leakguard.conf" > "$T/public.conf"
printf 'email\nyan@acme.test\n' > "$T/ssrf.csv"
"$BIN" ingest "${N[@]}" --source ssrf-2026 "$T/ssrf.csv" > /dev/null 2>&1 || fail "ingest ssrf"
lines=$(wc -l < "$T/hook.log")
"$BIN" notify --db "$DB" --config "$T/public.conf" --no-wait --json > "$T/w4.json" 2> "$T/w4.err"
grep -q '"sent":1,' "$T/w4.json" || fail "ssrf run: $(cat "$T/w4.json")"
expect "no POST to a private address" "$lines" "$(wc -l < "$T/hook.log")"
grep -q 'only https\|no public address' "$T/w4.err" || fail "private webhook refusal not logged: $(cat "$T/w4.err")"
req o GET /dashboard/acme.test/notify > /dev/null
for u in "http://127.0.0.1:$HOOK/hook" "https://127.0.0.1:$HOOK/ssrf"; do
	req o POST /dashboard/acme.test/webhook/remove --data-urlencode "csrf=$(csrf)" --data-urlencode "url=$u" > /dev/null
done
expect "webhooks removed" 0 "$(sqlite3 "$DB" "SELECT count(*) FROM notify_subs WHERE kind = 'webhook'")"

# ---- the breach owner's mode
cat > "$T/contacts.csv" << 'EOF'
domain,contact
acme.test,owner-desk@acme.test
BETA.test,"owner-desk@acme.test"
gamma.test,security@gamma.test
nothere.test,security@nothere.test
not a row
evil.test,"x@evil.test\r\nBcc: y@evil.test"
EOF
"$BIN" notify "${N[@]}" --source crm-2026 --organisations "$T/contacts.csv" --dry-run > "$T/dry.out" 2> "$T/dry.err" ||
	fail "dry run: $(cat "$T/dry.err")"
expect "dry-run rows" 3 "$(wc -l < "$T/dry.out")"
grep -q '^acme.test owner-desk@acme.test addresses=2 phones=2 names=2 organisations=1 ' "$T/dry.out" || fail "dry acme: $(cat "$T/dry.out")"
grep -q '^gamma.test security@gamma.test addresses=1 ' "$T/dry.out" || fail "dry gamma"
grep -q 'nothere' "$T/dry.out" && fail "dry run lists a domain not in the leak"
grep -q 'contacts.csv:6: expected' "$T/dry.err" || fail "bad row not named"
before=$(ls "$T/nsink" | wc -l)
sleep 0.2
expect "dry run sends nothing" "$before" "$(ls "$T/nsink" | wc -l)"
"$BIN" notify "${N[@]}" --source crm-2026 --organisations "$T/contacts.csv" --json > "$T/own.json" 2> /dev/null || fail "owner mode"
grep -q '"notices":2,"queued":2,.*"sent":2' "$T/own.json" || fail "owner: $(cat "$T/own.json")"
o=$(notices_to crm-2026 owner-desk@acme.test)
expect "owner digest" 1 "$(echo "$o" | grep -c .)"
grep -q 'data that we held was exposed' "$o" || fail "owner text"
grep -q '^List-Unsubscribe' "$o" && fail "owner notice with a list header"
[ -z "$(notices_to crm-2026 security@nothere.test)" ] || fail "owner notice to a domain not in the leak"
grep -l 'y@evil.test' "$T"/nsink/* > /dev/null 2>&1 && fail "injected recipient"
"$BIN" notify "${N[@]}" --source crm-2026 --organisations "$T/contacts.csv" --json > "$T/own2.json" 2> /dev/null
grep -q '"queued":0,.*"sent":0' "$T/own2.json" || fail "owner re-run: $(cat "$T/own2.json")"
"$BIN" notify "${N[@]}" --source no-such-leak > /dev/null 2> "$T/err"
expect "unknown source exit" 2 "$?"
grep -q "no-such-leak" "$T/err" || fail "unknown source not named"

# ---- the daily ramp: at most [notify] ramp notices per UTC day, the rest stay queued
RDB=$T/ramp.db
sed 's/^max_attempts = 3$/max_attempts = 3\nramp = 2/' "$T/leakguard.conf" > "$T/ramp.conf"
printf 'email\nr1@ramp.test\nr2@ramp.test\nr3@ramp.test\nr4@ramp.test\nr5@ramp.test\n' > "$T/ramp.csv"
"$BIN" notify --db "$RDB" --config "$T/ramp.conf" --no-send > /dev/null 2>&1
for i in 1 2 3 4 5; do sqlite3 "$RDB" "INSERT INTO notify_subs VALUES('address','r$i@ramp.test','r$i@ramp.test','r$i',0)"; done
"$BIN" ingest --db "$RDB" --config "$T/ramp.conf" --source ramp "$T/ramp.csv" > /dev/null 2>&1 || fail "ingest ramp"
"$BIN" notify --db "$RDB" --config "$T/ramp.conf" --json > "$T/r1.json" 2> /dev/null
grep -q '"sent":2,.*"held":3' "$T/r1.json" || fail "ramp day 1: $(cat "$T/r1.json")"
"$BIN" notify --db "$RDB" --config "$T/ramp.conf" --json > "$T/r2.json" 2> /dev/null
grep -q '"sent":0,.*"held":3' "$T/r2.json" || fail "ramp again the same day: $(cat "$T/r2.json")"
expect "ramp notices" 2 "$(notices ramp | wc -l)"

# ---- kill -9 of the notifier mid-send, then re-runs: exactly the expected set
K=3000
python3 - "$T/big.csv" "$T/big.sql" "$K" << 'EOF'
import sys
csv, sql, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(csv, "w") as c, open(sql, "w") as s:
    c.write("email,password\n")
    s.write("BEGIN;\n")
    for i in range(k):
        a = "p%d@d%d.test" % (i, i % 50)
        c.write("%s,CanaryPw-big%d\n" % (a, i))
        s.write("INSERT INTO notify_subs VALUES('address','%s','%s','h%d',0);\n" % (a, a, i))
    s.write("COMMIT;\n")
EOF
sqlite3 "$DB" < "$T/big.sql"
"$BIN" ingest "${N[@]}" --source big "$T/big.csv" > /dev/null 2> "$T/ingest3.err" || fail "ingest big"
grep -q "$K notices queued" "$T/ingest3.err" || fail "big: $(cat "$T/ingest3.err")"
kills=0
# the portal's own mail does not wait behind the notices: its queue and relay are apart
"$BIN" notify "${N[@]}" --source big > /dev/null 2>&1 &
pid=$!
req s GET /notify > /dev/null
req s POST /notify --data-urlencode "csrf=$(csrf)" -d 'email=fast@mail.test' > /dev/null
wait_mail psink fast@mail.test || fail "the portal's mail waited behind the notices"
kill -0 "$pid" 2> /dev/null || fail "the notifier finished before the portal's mail was sent"
{ kill -9 "$pid" && kills=$((kills + 1)); wait "$pid"; } 2> /dev/null
for i in 1 2 3 4 5 6; do
	"$BIN" notify "${N[@]}" --source big > /dev/null 2>&1 &
	pid=$!
	sleep "0.$((RANDOM % 4))$((RANDOM % 10))"
	if kill -9 "$pid" 2> /dev/null; then kills=$((kills + 1)); fi
	wait "$pid" 2> /dev/null
done
[ "$kills" -ge 3 ] || fail "the notifier finished before it could be killed ($kills kills)"
"$BIN" notify "${N[@]}" --source big --json > "$T/n4.json" 2> /dev/null || fail "final run"
expect "big: left queued" 0 "$(sqlite3 "$DB" "SELECT count(*) FROM notify_notices WHERE source = 'big' AND state != 1")"
for _ in $(seq 50); do [ "$(notices big | wc -l)" -ge "$K" ] && break; sleep 0.1; done
notices big | xargs grep -h '^X-Rcpt-Args:' | sort > "$T/got"
sort -u "$T/got" > "$T/got.u"
python3 -c 'import sys
for i in range(int(sys.argv[1])): print("X-Rcpt-Args: <p%d@d%d.test>" % (i, i % 50))' "$K" | sort > "$T/want"
# SMTP has no idempotency: a notice the relay accepted just before the kill,
# but not yet marked sent, goes again on the re-run, with its own Message-ID
# again. So: every expected recipient, one Message-ID each, and copies only
# of notices in flight at a kill (at most [notify] threads per kill).
notices big | xargs grep -h '^Message-ID:' | sort -u > "$T/ids"
dups=$(($(wc -l < "$T/got") - $(wc -l < "$T/got.u")))
expect "big: missing" 0 "$(comm -23 "$T/want" "$T/got.u" | wc -l)"
expect "big: unexpected" 0 "$(comm -13 "$T/want" "$T/got.u" | wc -l)"
expect "big: one Message-ID per notice" "$K" "$(wc -l < "$T/ids")"
[ "$dups" -le $((kills * 4)) ] || fail "big: $dups copies after $kills kills, more than were in flight"
# SIGTERM (an operator's stop) finishes the notices in flight and starts no
# other: then a re-run gives exactly the set, not one copy
"$BIN" ingest "${N[@]}" --source big2 "$T/big.csv" > /dev/null 2> "$T/ingest5.err" || fail "ingest big2"
grep -q "$K notices queued" "$T/ingest5.err" || fail "big2: $(cat "$T/ingest5.err")"
terms=0
for i in 1 2 3 4 5; do
	"$BIN" notify "${N[@]}" --source big2 > /dev/null 2>&1 &
	pid=$!
	sleep "0.$((RANDOM % 4))$((RANDOM % 10))"
	kill -TERM "$pid" 2> /dev/null && terms=$((terms + 1))
	wait "$pid" 2> /dev/null
done
"$BIN" notify "${N[@]}" --source big2 > /dev/null 2>&1 || fail "big2 final run"
for _ in $(seq 50); do [ "$(notices big2 | wc -l)" -ge "$K" ] && break; sleep 0.1; done
notices big2 | xargs grep -h '^X-Rcpt-Args:' | sort > "$T/got2"
[ "$terms" -ge 3 ] || fail "the notifier finished before it could be stopped ($terms)"
expect "big2 after $terms SIGTERMs: the exact set" "" "$(diff "$T/want" "$T/got2" | head -3)"

kill -TERM "$serve_pid" && wait "$serve_pid"
grep -E 'AddressSanitizer|LeakSanitizer|runtime error' "$T/serve.err" && fail "the portal: sanitizer report"
echo "notify: $kills kills of the notifier mid-send: $K of $K notices, none missing, $dups handed over twice (same Message-ID); $terms SIGTERMs: exactly $K"

e2e_done
