#!/usr/bin/env bash
# run.sh: the leak portal (`leakguard serve`) in a real browser.
#
# Usage: tests/portal/run.sh [BINARY]   (default build/leakguard)
#
# Builds a leak index from the fixture dumps in dumps/ (two leaks of one
# organisation, example-victim.test, and its partners), then starts on free
# 127.0.0.1 ports:
#   - Postfix's smtp-sink, storing every mail the portal sends as a file,
#   - dnsmasq answering TXT records (restarted by the browser script once
#     the portal has handed out a verification token),
#   - a web server (python3 -m http.server) for the verification files,
#   - `BINARY serve` with a [portal] section pointing at these, behind
#     trusted_proxy = 127.0.0.1 so that each browser context is its own
#     client (X-Forwarded-For) for the rate limits and the audit log,
# and drives headless Chromium (Debian's /usr/bin/chromium) with
# playwright-core through portal.test.js: address check and mailed link,
# domain verification by DNS TXT, by a link mailed to postmaster@ and by a
# web file, the dashboard against `leakguard lookup --json --domain`, the
# CSV download, API keys, the range endpoint with an operator's key
# (`serve --add-range-key`), log-out,
# strangers and wrong tokens seeing nothing, rate limits (429), operator
# login and audit log. Screenshots, the mails, the CSV, the audit log and
# the server's log go to build/portal-artifacts/ (build/asan/portal-artifacts/
# for build/asan/leakguard; ARTIFACTS=DIR elsewhere).
#
# Prints one line per check ("ok: ..." or "FAIL: ...") and ends with exactly
# one line "portal: N passed, M failed"; exits non-zero on any failure.
# Everything it starts is stopped on exit (KEEP=1 keeps the work folder).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
BIN=${1:-$top/build/leakguard}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
# Screenshots beside the binary's build (build/, build/asan/), else build/.
case $BIN in
"$top"/build/*) ARTIFACTS=${ARTIFACTS:-$(dirname "$BIN")/portal-artifacts} ;;
*) ARTIFACTS=${ARTIFACTS:-$top/build/portal-artifacts} ;;
esac
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
OPERATOR=auditor
OPERATOR_PASS='correct horse battery staple'
# The address-check limit per client and hour, and the range limit per
# client and minute, low enough for the test to reach them (the buckets
# refill one request every 600 s and 12 s).
HOSTILE_SOURCE='<img src=x onerror=alert(1)>'
RATE_MAIL=6
RATE_RANGE=5

SUITE=portal
# shellcheck source=../lib/suite.sh
. "$here/../lib/suite.sh"

# wait_log FILE TEXT PID [SECONDS]: until FILE holds TEXT; fails at once
# when PID has exited.
wait_log() {
	local tries=$((${4:-30} * 20))
	while [ "$tries" -gt 0 ]; do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.05
		tries=$((tries - 1))
	done
	return 1
}

sanitizer_errors() {
	grep -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined)' "$1" | head -5
}

# ------------------------------------------------------------------ setup
for tool in node python3 dnsmasq smtp-sink "$CHROMIUM"; do
	command -v "$tool" >/dev/null || { fail "setup: $tool is missing (scripts/install-deps.sh)"; finish; }
done
[ -d "$top/node_modules/playwright-core" ] ||
	{ fail "setup: node_modules/playwright-core is missing (scripts/install-deps.sh)"; finish; }
[ -x "$BIN" ] || { fail "setup: $BIN is not an executable"; finish; }

WORK=$(mktemp -d /tmp/leakguard-portal.XXXXXX)
chmod 755 "$WORK"
SERVE_PID= SINK_PID= WEB_PID= NODE_PID=
DNS_PIDFILE=$WORK/dnsmasq.pid
stop_pid() { # stop_pid PID: TERM, then KILL after 10 s
	local pid=$1 n=200
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	while [ $n -gt 0 ] && kill -0 "$pid" 2>/dev/null; do
		sleep 0.05
		n=$((n - 1))
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}
cleanup() {
	# Playwright closes its Chromium when node gets SIGTERM.
	stop_pid "$NODE_PID"
	stop_pid "$SERVE_PID"
	stop_pid "$SINK_PID"
	stop_pid "$WEB_PID"
	# dnsmasq is (re)started by the browser script, which records its pid.
	[ -s "$DNS_PIDFILE" ] && kill -TERM "$(cat "$DNS_PIDFILE")" 2>/dev/null
	# The logs beside the screenshots, also after an early stop.
	for f in serve.log browser.out browser.err smtp-sink.log dnsmasq.log; do
		[ -f "$WORK/$f" ] && cp "$WORK/$f" "$ARTIFACTS/" 2>/dev/null
	done
	if [ -n "${KEEP:-}" ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A private copy, so a rebuild during the run cannot pull the binary away.
cp "$BIN" "$WORK/leakguard" || { fail "setup: cannot copy $BIN"; finish; }
LG=$WORK/leakguard
DB=$WORK/store.db
CONF=$WORK/leakguard.conf
export LEAKGUARD_DB=$DB
rm -rf "$ARTIFACTS"
mkdir -p "$ARTIFACTS"

# The fixture dumps, and a DOCX built from its document.xml (a document
# holding the organisation's data; kept as text in the tree).
mkdir -p "$WORK/dumps"
cp -r "$here/dumps/bluebleed-2022" "$here/dumps/partner-crm-2023" "$here/dumps/hostile" "$WORK/dumps/"
python3 "$here/make_docx.py" "$here/dumps/invoice-2022-0917.document.xml" \
	"$WORK/dumps/bluebleed-2022/invoice-2022-0917.docx" ||
	{ fail "setup: cannot build the DOCX fixture"; finish; }

ingest() { # ingest SOURCE DATE [DIR]
	local out
	if out=$("$LG" ingest --db "$DB" --source "$1" --date "$2" "$WORK/dumps/${3:-$1}" 2>&1) &&
		[ -z "$(sanitizer_errors <(printf '%s\n' "$out"))" ]; then
		pass "ingest of the fixture leak $1"
	else
		fail "ingest of the fixture leak $1" "$out"
		finish
	fi
}
ingest bluebleed-2022 2022-09-24
ingest partner-crm-2023 2023-03-15
# A leak whose name is markup, as the operator pages must show it: as text.
ingest "$HOSTILE_SOURCE" 2024-01-01 hostile

# What the command line says, for the browser script to compare with.
for d in example-victim.test other-company.test partner-supplier.test absent-org.test; do
	"$LG" lookup --db "$DB" --json --domain "$d" >"$WORK/lookup-$d.json" 2>"$WORK/lookup.err"
	rc=$?
	if [ $rc -gt 1 ] || [ -n "$(sanitizer_errors "$WORK/lookup.err")" ]; then
		fail "lookup --json --domain $d" "$(cat "$WORK/lookup.err")"
		finish
	fi
done
"$LG" sources --db "$DB" --json >"$WORK/sources.json" 2>"$WORK/sources.err" ||
	{ fail "sources --json" "$(cat "$WORK/sources.err")"; finish; }

if out=$(printf '%s\n' "$OPERATOR_PASS" | "$LG" serve --add-operator "$OPERATOR" --db "$DB" 2>&1); then
	pass "serve --add-operator creates the operator account"
else
	fail "serve --add-operator creates the operator account" "$out"
fi

# range_access = key (the default): the range step uses an operator's key.
if RANGE_KEY=$("$LG" serve --add-range-key portal-test --db "$DB" 2>"$WORK/rangekey.err") && [[ $RANGE_KEY == lgk_* ]]; then
	pass "serve --add-range-key prints a range API key"
else
	fail "serve --add-range-key prints a range API key" "$(cat "$WORK/rangekey.err")"
fi

read -r SMTP_PORT DNS_PORT WEB_PORT PORT < <(free_ports 4)
BASE_URL=http://127.0.0.1:$PORT

# smtp-sink: one file per message under mail/ (writable by the user it
# runs as: nobody when started by root).
mkdir -p "$WORK/mail"
sink_user=()
if [ "$(id -u)" -eq 0 ]; then
	chown nobody "$WORK/mail"
	sink_user=(-u nobody)
fi
smtp-sink "${sink_user[@]}" -d "$WORK/mail/%M." "127.0.0.1:$SMTP_PORT" 10 >"$WORK/smtp-sink.log" 2>&1 &
SINK_PID=$!
wait_port "$SMTP_PORT" 10 || { fail "setup: smtp-sink does not listen" "$(cat "$WORK/smtp-sink.log")"; finish; }

# A web server standing in for the organisations' own: the browser script
# puts the verification file at www/DOMAIN/.well-known/.
mkdir -p "$WORK/www"
python3 -m http.server --bind 127.0.0.1 --directory "$WORK/www" "$WEB_PORT" >"$WORK/www.log" 2>&1 &
WEB_PID=$!
wait_port "$WEB_PORT" 10 || { fail "setup: the web server does not listen" "$(cat "$WORK/www.log")"; finish; }

cat >"$CONF" <<EOF
# Generated by tests/portal/run.sh.
[portal]
listen = 127.0.0.1:$PORT
base_url = $BASE_URL
smtp = 127.0.0.1:$SMTP_PORT
from = leakguard-portal@portal-test.invalid
dns_resolver = 127.0.0.1:$DNS_PORT
web_verify_url = http://127.0.0.1:$WEB_PORT/{domain}/.well-known/leakguard-verification.txt
rate_pages = 600
rate_mail = $RATE_MAIL
rate_range = $RATE_RANGE
rate_api = 120
trusted_proxy = 127.0.0.1
threads = 2
EOF

"$LG" serve --config "$CONF" --db "$DB" --listen "127.0.0.1:$PORT" >"$WORK/serve.out" 2>"$WORK/serve.log" &
SERVE_PID=$!
if wait_log "$WORK/serve.log" "leakguard serve: listening on $BASE_URL" "$SERVE_PID" 30; then
	pass "serve prints 'listening on $BASE_URL' when ready"
else
	fail "serve prints 'listening on $BASE_URL' when ready" "$(tail -n 20 "$WORK/serve.log")"
	finish
fi

# ---------------------------------------------------------------- browser
export BASE_URL SINK_DIR=$WORK/mail DNS_PORT DNS_PIDFILE ARTIFACTS CHROMIUM WEB_ROOT=$WORK/www WEB_PORT
export LG_BIN=$LG LG_DB=$DB WORK OPERATOR OPERATOR_PASS RATE_MAIL RATE_RANGE HOSTILE_SOURCE RANGE_KEY
node "$here/portal.test.js" >"$WORK/browser.out" 2>"$WORK/browser.err" &
NODE_PID=$!
wait "$NODE_PID"
rc=$?
NODE_PID=
cat "$WORK/browser.out"
passed=$((passed + $(grep -c '^ok: ' "$WORK/browser.out")))
failed=$((failed + $(grep -c '^FAIL: ' "$WORK/browser.out")))
if [ $rc -ne 0 ] && ! grep -q '^FAIL: ' "$WORK/browser.out"; then
	fail "the browser script ended with status $rc" "$(tail -n 20 "$WORK/browser.err")"
fi

# ------------------------------------------------------------- the server
pngs=$(find "$ARTIFACTS" -name '*.png' -size +1k | wc -l)
if [ "$pngs" -ge 10 ]; then
	pass "screenshots kept in $ARTIFACTS ($pngs)"
else
	fail "screenshots kept in $ARTIFACTS" "only $pngs PNG files"
fi

if kill -0 "$SERVE_PID" 2>/dev/null; then
	kill -TERM "$SERVE_PID"
	n=300
	while [ $n -gt 0 ] && kill -0 "$SERVE_PID" 2>/dev/null; do
		sleep 0.05
		n=$((n - 1))
	done
	if kill -0 "$SERVE_PID" 2>/dev/null; then
		fail "serve exits within 15 s of SIGTERM"
	else
		wait "$SERVE_PID"
		rc=$?
		SERVE_PID=
		if [ $rc -eq 0 ]; then pass "serve exits 0 on SIGTERM"; else fail "serve exits 0 on SIGTERM" "status $rc"; fi
	fi
else
	wait "$SERVE_PID"
	fail "serve was running to the end" "it exited with status $?; $(tail -n 30 "$WORK/serve.log")"
	SERVE_PID=
fi
san=$(sanitizer_errors "$WORK/serve.log")
if [ -z "$san" ]; then
	pass "no sanitizer report from serve"
else
	fail "no sanitizer report from serve" "$(grep -B2 -A25 -m1 -E 'ERROR: |runtime error:' "$WORK/serve.log")"
fi
finish
