#!/usr/bin/env bash
# `leakguard serve` over HTTP with curl, against the real binary on a free
# loopback port, with real servers around it: Postfix's smtp-sink catches
# the mailed links, dnsmasq serves the verification TXT records, Python's
# http.server the verification file. Covers every flow of
# src/portal/ROUTES.md and its hostile inputs: security headers and
# cookies, CSRF, malformed targets, path traversal, oversized bodies,
# injection attempts, slow clients, 429s, identical answers whether or not
# an address or domain is in the data, the range endpoint, API keys, the
# operator's audit log, HTTPS (__Host- cookies), and range_access in its
# three modes. Exits non-zero on any failure.
. "$(dirname "$0")/lib.sh" serve "$@"
chmod 755 "$T"
need() { command -v "$1" > /dev/null || { echo "FAIL: $1 is required (scripts/install-deps.sh)"; exit 1; }; }
for c in curl jq python3 smtp-sink dnsmasq dig openssl; do need "$c"; done

DB=$T/state.db
"$BIN" ingest --db "$DB" --source dump-2022 --date 2022-09-24 "$ROOT/tests/leak" > /dev/null 2>&1 ||
	{ echo "ingest failed"; exit 1; }

# ---- the servers around the portal
# shellcheck source=../lib/ports.sh
. "$ROOT/tests/lib/ports.sh"
sink_start "$T/sink" || { echo "FAIL: smtp-sink did not start"; exit 1; }
SMTP=$SINK_PORT
PIDS+=("$SINK_PID")
read -r DNS WEB < <(free_ports 2)
mkdir -p "$T/www"
(cd "$T/www" && exec python3 -m http.server --bind 127.0.0.1 "$WEB" > /dev/null 2>&1) &
PIDS+=($!)
dns_pid=
dns() { # (re)starts dnsmasq serving TXT records "NAME,VALUE"...
	[ -n "$dns_pid" ] && kill "$dns_pid" 2> /dev/null && wait "$dns_pid" 2> /dev/null
	local args=()
	for r in "$@"; do args+=("--txt-record=$r"); done
	dnsmasq --keep-in-foreground --port="$DNS" --listen-address=127.0.0.1 --bind-interfaces --no-resolv \
		--no-hosts --pid-file= --log-facility=- "${args[@]}" > /dev/null 2>&1 &
	dns_pid=$!
	PIDS+=($dns_pid)
	local name=${1%%,*} value=${1#*,}
	for _ in $(seq 100); do # until it serves the first record
		dig +short +time=1 +tries=1 -p "$DNS" @127.0.0.1 TXT "$name" 2> /dev/null | grep -qF "\"$value\"" && return
		sleep 0.1
	done
	fail "dnsmasq does not serve $name"
}

cat > "$T/leakguard.conf" << EOF
[portal]
smtp = 127.0.0.1:$SMTP
from = leaks@portal.test
dns_resolver = 127.0.0.1:$DNS
web_verify_url = http://127.0.0.1:$WEB/{domain}/.well-known/leakguard-verification.txt
rate_pages = 100000
rate_mail = 12
rate_range = 40
EOF
"$BIN" serve --db "$DB" --config "$T/leakguard.conf" --listen 127.0.0.1:0 2> "$T/serve.err" &
serve_pid=$!
PIDS+=($serve_pid)
for _ in $(seq 50); do grep -q 'listening on' "$T/serve.err" && break; sleep 0.1; done
B=$(sed -n 's/^leakguard serve: listening on //p' "$T/serve.err")
[ -n "$B" ] || { echo "server did not start:"; cat "$T/serve.err"; exit 1; }
HOSTPORT=${B#http://}

# ---- helpers: status and body of a request (cookies in jar $1)
req() { # JAR METHOD PATH [curl args...] -> body in $T/body, headers in $T/hdr, prints status
	local jar=$1 method=$2 path=$3
	shift 3
	curl -s --path-as-is -o "$T/body" -D "$T/hdr" -w '%{http_code}' -c "$T/$jar" -b "$T/$jar" -X "$method" "$@" "$B$path"
}
csrf() { sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/body" | head -1; }
header() { tr -d '\r' < "$T/hdr" | sed -n "s/^$1: //Ip" | head -1; }
expect() { # WHAT EXPECTED ACTUAL
	[ "$2" = "$3" ] || fail "$1: expected $2, got $3"
}
raw() { # sends bytes ($1, printf format) on one connection; prints the status line
	local fd line
	exec {fd}<> "/dev/tcp/${HOSTPORT%:*}/${HOSTPORT##*:}"
	printf "$1" >&"$fd"
	IFS= read -r -t 5 line <&"$fd"
	exec {fd}>&-
	printf '%s\n' "${line%$'\r'}"
}
mail_to() { grep -l "^X-Rcpt-Args: <$1>" "$T"/sink/* 2> /dev/null | head -1; }
wait_mail() { for _ in $(seq 300); do [ -n "$(mail_to "$1")" ] && return 0; sleep 0.1; done; return 1; }

# ---- headers, cookies, static files
expect "GET /" 200 "$(req a GET /)"
expect "CSP" "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'" "$(header Content-Security-Policy)"
expect "nosniff" nosniff "$(header X-Content-Type-Options)"
expect "frame" DENY "$(header X-Frame-Options)"
expect "cache" no-store "$(header Cache-Control)"
cookie=$(header Set-Cookie)
[[ $cookie == lg_csrf=*"; Path=/; HttpOnly; SameSite=Strict" ]] || fail "csrf cookie: $cookie"
grep -q '<script>' "$T/body" && fail "inline script in /"
grep -q 'style=' "$T/body" && fail "inline style in /"
grep -q 'id="check-form"' "$T/body" || fail "no check form"
expect "style.css" 200 "$(req a GET /static/style.css)"
[[ $(header Content-Type) == text/css* ]] || fail "style.css type $(header Content-Type)"
expect "template not served" 404 "$(req a GET /static/home.html)"
for p in /static/../Makefile /static/%2e%2e/Makefile /static/..%2fMakefile /static/%2e%2e%2f%2e%2e%2fetc%2fpasswd \
	'/static/..%5cMakefile' /static//style.css /r/%00 '/r/%0d%0aX:1'; do
	s=$(req a GET "$p")
	[ "$s" = 400 ] || fail "traversal/malformed $p: status $s"
	grep -q 'all: \|root:' "$T/body" && fail "traversal $p leaked a file"
done
expect "unknown page" 404 "$(req a GET /nothing)"
expect "wrong method" 405 "$(req a GET /check)"
expect "wrong method 2" 405 "$(req a DELETE /)"

# ---- malformed requests on the wire
[[ $(raw 'GET relative HTTP/1.1\r\nHost: x\r\n\r\n') == "HTTP/1.1 400"* ]] || fail "relative target accepted"
[[ $(raw 'GET / HTTP/1.1\r\n\r\n') == "HTTP/1.1 400"* ]] || fail "HTTP/1.1 without Host accepted"
st=$(raw 'GARBAGE\r\n\r\n') # refused: a 4xx, or the connection closed
[ -z "$st" ] || [[ $st == "HTTP/1.1 4"* ]] || fail "garbage request line answered: $st"
long=$(head -c 3000 /dev/zero | tr '\0' a)
[[ $(raw "GET /r/$long HTTP/1.1\r\nHost: x\r\n\r\n") == "HTTP/1.1 414"* ]] || fail "long target not 414"
big="X-Big: $(head -c 40000 /dev/zero | tr '\0' b)"
# Refused either way: a 4xx, or a reset (the server closes with the rest of
# the header unread, and the kernel's RST may overtake the 4xx it wrote).
st=$(raw "GET / HTTP/1.1\r\nHost: x\r\n$big\r\n\r\n" 2> /dev/null)
[ -z "$st" ] || [[ $st == "HTTP/1.1 4"* ]] || fail "40 KB header answered: $st"
expect "still serving after the 40 KB header" 200 "$(req a GET /)"

# ---- forms: CSRF and sizes
expect "check without csrf" 403 "$(req a POST /check -d 'email=jane.doe@example.com')"
expect "check, forged csrf" 403 "$(req a POST /check -d 'csrf=AAAA&email=jane.doe@example.com')"
req b GET / > /dev/null
other_csrf=$(csrf)
req a GET / > /dev/null
CSRF=$(csrf)
expect "check, another browser's csrf" 403 "$(req a POST /check -d "csrf=$other_csrf&email=x@example.com")"
pad="p=$(head -c 10000 /dev/zero | tr '\0' x)"
expect "oversized body" 413 "$(req a POST /check -d "csrf=$CSRF&$pad")"
expect "oversized chunked body" 413 "$(req a POST /check -H 'Transfer-Encoding: chunked' -d "csrf=$CSRF&$pad")"
expect "form as JSON" 415 "$(req a POST /check -H 'Content-Type: application/json' -d '{"email":"x"}')"

# ---- address check: the same answer for every address
for e in nobody@example.com "' OR 1=1 --@example.com" 'not an address' jane.doe@example.com; do
	expect "check $e" 200 "$(req a POST /check --data-urlencode "csrf=$CSRF" --data-urlencode "email=$e")"
	cp "$T/body" "$T/check-$(echo "$e" | tr -c 'a-z' _).html"
done
cmp -s "$T/check-nobody_example_com_.html" "$T/check-jane_doe_example_com_.html" || fail "present and absent addresses answered differently"
cmp -s "$T/check-not_an_address_.html" "$T/check-jane_doe_example_com_.html" || fail "invalid and present addresses answered differently"
grep -q 'id="check-sent"' "$T/body" || fail "no check-sent"
wait_mail jane.doe@example.com || fail "no result mail for jane.doe@example.com"
[ -z "$(mail_to nobody@example.com)" ] || fail "mail sent for an address in no leak"
link=$(grep -ho "$B/r/[A-Za-z0-9_-]\{43\}" "$(mail_to jane.doe@example.com)" | head -1)
[ -n "$link" ] || fail "no link in the mail"
expect "result link" 200 "$(req c GET "${link#"$B"}")"
grep -q '<td class="source-name">dump-2022</td>' "$T/body" || fail "result: no dump-2022 row"
grep -q 'class="source-kinds">email addresses, names, phone numbers, passwords<' "$T/body" || fail "result kinds: $(grep -o 'source-kinds">[^<]*' "$T/body")"
grep -q 'id="advice"' "$T/body" || fail "result: no advice"
expect "wrong token" 404 "$(req c GET /r/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA)"
expect "short token" 404 "$(req c GET /r/abc)"
grep -q 'dump-2022' "$T/body" && fail "wrong token shows data"

# ---- injection attempts are shown escaped, never run
expect "xss domain" 400 "$(req a POST /domain --data-urlencode "csrf=$CSRF" --data-urlencode 'domain=<script>alert(1)</script>')"
grep -q '<script>alert' "$T/body" && fail "domain echoed unescaped"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$T/body" || fail "domain not echoed escaped"

# ---- domain verification by DNS TXT
expect "start example.com" 303 "$(req d GET /domain > /dev/null; req d POST /domain --data-urlencode "csrf=$(csrf)" -d 'domain=Mail.Example.COM')"
verify=$(header Location)
[[ $verify == /verify/* ]] || fail "challenge location: $verify"
expect "verify page" 200 "$(req d GET "$verify")"
token=$(sed -n 's/.*id="web-value">\([^<]*\)<.*/\1/p' "$T/body")
grep -q 'id="dns-name">_leakguard.example.com<' "$T/body" || fail "dns name not for the registrable domain"
DCSRF=$(csrf)
expect "verify page, other browser" 404 "$(req e GET "$verify")"
expect "dashboard before proof" 403 "$(req d GET /dashboard/example.com)"
dns "_leakguard.example.com,leakguard-verification=not-the-token"
expect "dns wrong token" 200 "$(req d POST "$verify/dns" -d "csrf=$DCSRF")"
grep -q 'found no TXT record' "$T/body" || fail "dns failure not explained"
expect "dashboard after failed proof" 403 "$(req d GET /dashboard/example.com)"
dns "_leakguard.example.com,leakguard-verification=$token"
expect "dns right token" 303 "$(req d POST "$verify/dns" -d "csrf=$DCSRF")"
expect "dns redirect" /dashboard/example.com "$(header Location)"

# ---- the dashboard's counts are lookup --domain's
expect "dashboard" 200 "$(req d GET /dashboard/example.com)"
"$BIN" lookup --db "$DB" --json --domain example.com > "$T/lookup.json"
for src in $(jq -r '.sources[].name' "$T/lookup.json"); do
	row=$(grep "data-source=\"$src\"" "$T/body")
	[ -n "$row" ] || { fail "dashboard: no row for $src"; continue; }
	for k in email:email phone:phone name:name org:organisation; do
		want=$(jq -r --arg s "$src" --arg k "${k#*:}" '.sources[] | select(.name == $s) | .counts[$k] // 0' "$T/lookup.json")
		got=$(sed -n "s/.*class=\"count-${k%%:*} num\">\([0-9]*\)<.*/\1/p" <<< "$row")
		expect "dashboard $src count-${k%%:*}" "$want" "$got"
	done
	expect "dashboard $src occurrences" "$(jq -r --arg s "$src" '.sources[] | select(.name == $s) | .occurrences' "$T/lookup.json")" \
		"$(sed -n 's/.*class="count-occurrences num">\([0-9]*\)<.*/\1/p' <<< "$row")"
	expect "dashboard $src passwords" "$(jq -r --arg s "$src" '.sources[] | select(.name == $s) | .with_password' "$T/lookup.json")" \
		"$(sed -n 's/.*class="count-password num">\([0-9]*\)<.*/\1/p' <<< "$row")"
done
emails=$(jq -r '[.sources[].counts.email // 0] | add' "$T/lookup.json")
expect "csv" 200 "$(req d GET /dashboard/example.com/addresses.csv)"
[[ $(header Content-Type) == text/csv* ]] || fail "csv type"
[[ $(header Content-Disposition) == 'attachment; filename="example.com-addresses.csv"' ]] || fail "csv disposition: $(header Content-Disposition)"
expect "csv header" "address,source,date" "$(head -1 "$T/body" | tr -d '\r')"
expect "csv rows" "$emails" "$(($(wc -l < "$T/body") - 1))"
tail -n +2 "$T/body" | tr -d '\r' | grep -qv '^[a-z0-9._-]*@\([a-z0-9-]*\.\)*example\.com,dump-2022,2022-09-24$' && fail "csv row not an example.com address"
grep -q '^jane.doe@example.com,' "$T/body" || fail "csv misses jane.doe@example.com"

# ---- nothing about a domain without proof, whether or not it is in the data
expect "unverified partner.org" 403 "$(req f GET /dashboard/partner.org)"
cp "$T/body" "$T/denied-present.html"
expect "unverified nothing-here.org" 403 "$(req f GET /dashboard/nothing-here.org)"
cmp -s "$T/body" <(sed 's/partner\.org/nothing-here.org/g' "$T/denied-present.html") || fail "403 differs by domain presence"
expect "other browser, verified domain" 403 "$(req f GET /dashboard/example.com/addresses.csv)"

# ---- domain verification by web file, then by mailed link
for _ in $(seq 300); do curl -s -o /dev/null "http://127.0.0.1:$WEB/" && break; sleep 0.1; done
req g GET /domain > /dev/null
expect "start nothing-here.org" 303 "$(req g POST /domain --data-urlencode "csrf=$(csrf)" -d 'domain=nothing-here.org')"
verify2=$(header Location)
req g GET "$verify2" > /dev/null
token2=$(sed -n 's/.*id="web-value">\([^<]*\)<.*/\1/p' "$T/body")
GCSRF=$(csrf)
expect "web file missing" 200 "$(req g POST "$verify2/web" -d "csrf=$GCSRF")"
grep -q 'answered with status 404' "$T/body" || fail "web failure not explained"
mkdir -p "$T/www/nothing-here.org/.well-known"
printf '%s\n' "$token2" > "$T/www/nothing-here.org/.well-known/leakguard-verification.txt"
expect "web file" 303 "$(req g POST "$verify2/web" -d "csrf=$GCSRF")"
expect "empty dashboard" 200 "$(req g GET /dashboard/nothing-here.org)"
grep -q 'id="dashboard-empty"' "$T/body" || fail "no dashboard-empty"

req h GET /domain > /dev/null
expect "start partner.org" 303 "$(req h POST /domain --data-urlencode "csrf=$(csrf)" -d 'domain=partner.org')"
verify3=$(header Location)
req h GET "$verify3" > /dev/null
expect "bad mailbox" 200 "$(req h POST "$verify3/mail" -d "csrf=$(csrf)&mailbox=ceo")"
expect "mail link" 200 "$(req h POST "$verify3/mail" -d "csrf=$(csrf)&mailbox=postmaster")"
grep -q 'We sent a link to postmaster@partner.org' "$T/body" || fail "mail status"
wait_mail postmaster@partner.org || fail "no verification mail"
[ -z "$(mail_to ceo@partner.org)" ] || fail "mail to a mailbox not offered"
clink=$(grep -ho "$B/confirm/[A-Za-z0-9_-]\{43\}" "$(mail_to postmaster@partner.org)" | head -1)
expect "confirm page" 200 "$(req i GET "${clink#"$B"}")"
expect "dashboard before confirm" 403 "$(req i GET /dashboard/partner.org)"
req i GET "${clink#"$B"}" > /dev/null
expect "confirm" 303 "$(req i POST "${clink#"$B"}" -d "csrf=$(csrf)")"
expect "partner.org dashboard" 200 "$(req i GET /dashboard/partner.org)"
grep -q 'data-source="dump-2022"' "$T/body" || fail "partner.org dashboard empty"
expect "bad confirm" 404 "$(req i POST /confirm/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA -d "csrf=$(csrf)")"

# ---- API keys
req d GET /dashboard/example.com > /dev/null
expect "api key" 200 "$(req d POST /dashboard/example.com/apikey -d "csrf=$(csrf)")"
key=$(sed -n 's/.*id="apikey">\([^<]*\)<.*/\1/p' "$T/body")
[[ $key == lgk_* ]] || fail "key: $key"
expect "api domain" 200 "$(req z GET /api/v1/domain/example.com -H "Authorization: Bearer $key")"
jq -e --slurpfile l "$T/lookup.json" '.domain == "example.com" and ([.sources[].counts.email] == [$l[0].sources[].counts.email])' \
	"$T/body" > /dev/null || fail "api domain: $(cat "$T/body")"
expect "api addresses" 200 "$(req z GET /api/v1/domain/example.com/addresses -H "Authorization: Bearer $key")"
expect "api address count" "$emails" "$(jq '.addresses | length' "$T/body")"
expect "api no key" 401 "$(req z GET /api/v1/domain/example.com)"
expect "api bad key" 401 "$(req z GET /api/v1/domain/example.com -H 'Authorization: Bearer lgk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')"
expect "api other domain (in data)" 403 "$(req z GET /api/v1/domain/partner.org -H "Authorization: Bearer $key")"
cp "$T/body" "$T/api-denied.json"
expect "api other domain (not in data)" 403 "$(req z GET /api/v1/domain/nothing-here.org -H "Authorization: Bearer $key")"
cmp -s "$T/body" "$T/api-denied.json" || fail "api 403 differs by domain presence"

# ---- the range endpoint: range_access = key (the default), the key of a
# verified organisation opens it
sha=$(printf %s jane.doe@example.com | sha1sum | tr a-f A-F)
expect "range without a key" 401 "$(req z GET "/range/${sha:0:5}")"
[[ $(header WWW-Authenticate) == Bearer* ]] || fail "range 401 without WWW-Authenticate"
expect "range json without a key" 401 "$(req z GET "/api/v1/range/${sha:0:5}")"
expect "range, bad key" 401 "$(req z GET "/range/${sha:0:5}" -H 'Authorization: Bearer lgk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')"
AUTH="Authorization: Bearer $key"
expect "range" 200 "$(req z GET "/range/${sha:0:5}" -H "$AUTH")"
grep -qx "${sha:5:35}" "$T/body" || fail "range misses the address's suffix"
n=$(wc -l < "$T/body")
[ "$n" -ge 257 ] || fail "range count $n: not the real entries and 256 decoys"
"$BIN" lookup --db "$DB" --range "${sha:0:5}" | cmp -s - "$T/body" || fail "range differs from lookup --range"
expect "range lower case" 200 "$(req z GET "/range/$(tr A-F a-f <<< "${sha:0:5}")" -H "$AUTH")"
expect "range json" 200 "$(req z GET "/api/v1/range/${sha:0:5}" -H "$AUTH")"
jq -e --arg p "${sha:0:5}" --arg s "${sha:5:35}" '.prefix == $p and (.suffixes | index($s))' "$T/body" > /dev/null || fail "range json"
for bad in XYZ12 1234 123456 '%2e%2e'; do
	s=$(req z GET "/range/$bad" -H "$AUTH")
	[ "$s" = 400 ] || fail "range $bad: $s"
done
# an operator's range key: it opens the range endpoint, no domain's data,
# and is gone once revoked
rkey=$("$BIN" serve --db "$DB" --add-range-key partner-app 2> "$T/rkey.err")
rid=$(sed -n 's/^leakguard serve: range key \([0-9]*\) for partner-app .*/\1/p' "$T/rkey.err")
[[ $rkey == lgk_* ]] && [ -n "$rid" ] || fail "add-range-key: '$rkey' $(cat "$T/rkey.err")"
expect "operator range key" 200 "$(req z GET "/range/${sha:0:5}" -H "Authorization: Bearer $rkey")"
expect "operator range key on a domain" 403 "$(req z GET /api/v1/domain/example.com -H "Authorization: Bearer $rkey")"
rkey2=$("$BIN" serve --db "$DB" --add-range-key unused-app 2> "$T/rkey2.err")
rid2=$(sed -n 's/^leakguard serve: range key \([0-9]*\) for unused-app .*/\1/p' "$T/rkey2.err")
"$BIN" serve --db "$DB" --revoke-key "$rid2" 2> /dev/null || fail "revoke-key $rid2 failed"
expect "revoked range key" 401 "$(req z GET "/range/${sha:0:5}" -H "Authorization: Bearer $rkey2")"
"$BIN" serve --db "$DB" --revoke-key "$rid2" 2> "$T/rev.err"
expect "revoking it again" 2 "$?"
grep -q "there is no API key $rid2" "$T/rev.err" || fail "revoke of a missing key: $(cat "$T/rev.err")"
"$BIN" serve --db "$DB" --revoke-key abc 2> "$T/rev.err"
expect "revoke-key abc" 2 "$?"
grep -q "'abc' is not a key ID" "$T/rev.err" || fail "revoke-key abc: $(cat "$T/rev.err")"
"$BIN" serve --db "$DB" --add-range-key 'bad name' > /dev/null 2> "$T/rev.err"
expect "add-range-key with a bad name" 2 "$?"

# ---- operators and the audit log
printf 'short\n' | "$BIN" serve --db "$DB" --add-operator alice 2> /dev/null && fail "short password accepted"
printf 'correct horse battery\n' | "$BIN" serve --db "$DB" --add-operator alice 2> /dev/null || fail "add-operator failed"
expect "operator without login" 303 "$(req o GET /operator)"
expect "to login" /operator/login "$(header Location)"
req o GET /operator/login > /dev/null
OCSRF=$(csrf)
expect "wrong password" 200 "$(req o POST /operator/login -d "csrf=$OCSRF&username=alice&password=wrong")"
grep -q 'id="login-error"' "$T/body" || fail "no login error"
expect "unknown operator" 200 "$(req o POST /operator/login -d "csrf=$OCSRF&username=mallory&password=wrong")"
grep -q 'id="login-error"' "$T/body" || fail "no login error for unknown name"
expect "login" 303 "$(req o POST /operator/login -d "csrf=$OCSRF&username=alice&password=correct horse battery")"
[[ $(header Set-Cookie) == lg_session=*"HttpOnly; SameSite=Strict; Max-Age=28800" ]] || fail "session cookie: $(header Set-Cookie)"
expect "operator" 200 "$(req o GET /operator)"
grep -q '<td class="source-name">dump-2022</td><td class="source-date">2022-09-24</td><td class="source-status">complete</td>' "$T/body" ||
	fail "operator sources"
expect "audit" 200 "$(req o GET /operator/audit)"
for a in check link-mailed address-view domain-challenge verify-failed verify-dns verify-web verify-mail-sent verify-confirmed \
	dashboard-view csv-download apikey-created api-domain api-addresses denied operator-login-failed operator-login audit-view; do
	grep -q "<td class=\"audit-action\">$a</td>" "$T/body" || fail "audit log lacks $a"
done
grep -q 'jane.doe' "$T/body" && fail "the audit log shows a checked address in clear"
expect "org session is no operator" 303 "$(req d GET /operator/audit)"
expect "logout" 303 "$(req o POST /logout -d "csrf=$(req o GET /operator > /dev/null; csrf)")"
expect "after logout" 303 "$(req o GET /operator)"

# ---- slow clients do not stop the others
slow=()
for _ in $(seq 50); do
	exec {fd}<> "/dev/tcp/${HOSTPORT%:*}/${HOSTPORT##*:}"
	printf 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ' >&"$fd"
	slow+=("$fd")
done
expect "served beside 50 slow clients" 200 "$(req a GET /)"
for fd in "${slow[@]}"; do exec {fd}>&-; done

# ---- rate limits: 429 with Retry-After
# one curl, one connection: 60 requests faster than the bucket refills
urls=()
for _ in $(seq 60); do urls+=("$B/range/${sha:0:5}"); done
curl -s -D "$T/burst.hdr" -H "$AUTH" "${urls[@]}" > /dev/null
tr -d '\r' < "$T/burst.hdr" | grep -q '^HTTP/1.1 429 ' || fail "range never limited"
tr -d '\r' < "$T/burst.hdr" | grep -qE '^Retry-After: [0-9]+$' || fail "range 429 without Retry-After"
got429=
req m GET / > /dev/null
MCSRF=$(csrf)
for _ in $(seq 20); do
	s=$(req m POST /check -d "csrf=$MCSRF&email=nobody@example.com")
	[ "$s" = 429 ] && { got429=1; break; }
done
[ -n "$got429" ] || fail "address checks never limited"
grep -q 'Too many requests' "$T/body" || fail "429 page text"
[[ $(header Retry-After) =~ ^[0-9]+$ ]] || fail "check 429 without Retry-After"

# ---- a clean stop
kill -TERM "$serve_pid"
wait "$serve_pid"
rc=$?
expect "exit status on SIGTERM" 0 "$rc"
# ---- HTTPS: libmicrohttpd with GnuTLS, cookies Secure and __Host-;
# range_access = off there
if openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 1 -subj /CN=127.0.0.1 \
	> /dev/null 2>&1; then
	printf '[portal]\ntls_cert = %s\ntls_key = %s\nrange_access = off\n' "$T/cert.pem" "$T/key.pem" > "$T/tls.conf"
	"$BIN" serve --db "$DB" --config "$T/tls.conf" --listen 127.0.0.1:0 2> "$T/tls.err" &
	tls_pid=$!
	PIDS+=($tls_pid)
	for _ in $(seq 100); do grep -q 'listening on' "$T/tls.err" && break; sleep 0.1; done
	U=$(sed -n 's/^leakguard serve: listening on //p' "$T/tls.err")
	[[ $U == https://127.0.0.1:* ]] || fail "TLS server: $(cat "$T/tls.err")"
	st=$(curl -sk -o "$T/tls.body" -D "$T/tls.hdr" -c "$T/tls.jar" -w '%{http_code}' "$U/")
	expect "GET / over TLS" 200 "$st"
	tr -d '\r' < "$T/tls.hdr" | grep -q '^Set-Cookie: __Host-lg_csrf=.*; Path=/; HttpOnly; SameSite=Strict; Secure$' ||
		fail "TLS cookie not __Host- and Secure: $(grep -i set-cookie "$T/tls.hdr")"
	tc=$(sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' "$T/tls.body" | head -1)
	cv=$(awk '$6 == "__Host-lg_csrf" { print $7 }' "$T/tls.jar")
	st=$(curl -sk -o /dev/null -w '%{http_code}' -b "lg_csrf=$cv" -d "csrf=$tc&email=x@example.com" "$U/check")
	expect "TLS: the unprefixed cookie name is not read" 403 "$st"
	st=$(curl -sk -o /dev/null -w '%{http_code}' -b "__Host-lg_csrf=$cv" -d "csrf=$tc&email=x@example.com" "$U/check")
	expect "TLS: a form with the __Host- cookie" 200 "$st"
	expect "range_access = off" 404 "$(curl -sk -o /dev/null -w '%{http_code}' -H "$AUTH" "$U/range/${sha:0:5}")"
	kill -TERM "$tls_pid"
	wait "$tls_pid" || fail "TLS server exit status"
	cat "$T/tls.err" >> "$T/serve.err"
else
	fail "openssl could not make a test certificate"
fi
# ---- range_access = public: anyone, as Have I Been Pwned
printf '[portal]\nrange_access = public\n' > "$T/public.conf"
"$BIN" serve --db "$DB" --config "$T/public.conf" --listen 127.0.0.1:0 2> "$T/public.err" &
pub_pid=$!
PIDS+=($pub_pid)
for _ in $(seq 100); do grep -q 'listening on' "$T/public.err" && break; sleep 0.1; done
U=$(sed -n 's/^leakguard serve: listening on //p' "$T/public.err")
expect "range_access = public, no key" 200 "$(curl -s -o "$T/body" -w '%{http_code}' "$U/range/${sha:0:5}")"
grep -qx "${sha:5:35}" "$T/body" || fail "public range misses the address's suffix"
kill -TERM "$pub_pid"
wait "$pub_pid" || fail "public server exit status"
printf '[portal]\nrange_access = maybe\n' > "$T/bad.conf"
"$BIN" serve --db "$DB" --config "$T/bad.conf" --listen 127.0.0.1:0 2> "$T/bad.err" && fail "range_access = maybe accepted"
grep -q "range_access: 'maybe' is not off, key or public" "$T/bad.err" || fail "bad range_access not named: $(cat "$T/bad.err")"

san=$(grep -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T/serve.err" | head -5)
[ -z "$san" ] || fail "sanitizer report from the server: $san"
e2e_done
