#!/usr/bin/env bash
# test_banner.sh: attacks on the warning banner (review of issue #12, F7):
# a message built so that the part mail readers display gets no banner.
# Each message goes through the real `leakguard milter` over the milter
# protocol (tests/security/milterclient.py plays the MTA, no Postfix), and
# the delivered message is read the way a reader picks what to show
# (RFC 2046: the last alternative, the related root, an inline
# message/rfc822's body, inline parts in order); the shown text must hold
# the banner.
. "$(dirname "$0")/lib.sh" banner "$@"
HERE=$(cd "$(dirname "$0")" && pwd)
echo "http://blocked-url.test/login/view" >"$T/blocked_urls.txt"
cat >"$T/lg.conf" <<CONF
[general]
db = $T/no-state.db
[actions]
suspicious = tag
[thresholds]
suspicious = 4.0
[lists]
blocked_urls = blocked_urls.txt
[weights]
BLOCKED_URL = 5.0
# The inline invoice.html of attack 4 is read as an attached page only.
ATTACH_HTML = 5.0
[milter]
report_address = phish-report@example.com
subject_tag = [SUSPICIOUS]
CONF
read -r PORT < <(free_ports 1)
"$BIN" milter --config "$T/lg.conf" --listen "inet:$PORT@127.0.0.1" >"$T/milter.log" 2>&1 &
PIDS+=($!)
wait_port "$PORT" 20 || { fail "setup: the milter did not start" "$(tail -5 "$T/milter.log")"; finish; }

# shown FILE: the text a mail reader shows of FILE (decoded to UTF-8).
shown() {
	python3 - "$1" <<'PY'
import email, email.policy, sys
def show(p):
    t = p.get_content_type()
    if p.get_content_disposition() == "attachment":
        return ""
    if t == "multipart/alternative":
        kids = [k for k in p.get_payload() if k.get_content_type() in ("text/plain", "text/html") or k.is_multipart()]
        return show(kids[-1]) if kids else ""
    if t == "multipart/related":
        kids, start = list(p.get_payload()), (p.get_param("start") or "").strip("<> ")
        root = [k for k in kids if (k.get("Content-ID") or "").strip("<> ") == start] if start else []
        return show(root[0] if root else kids[0]) if kids else ""
    if t == "message/rfc822":
        return show(p.get_payload()[0])
    if p.is_multipart():
        return "\n".join(show(k) for k in p.get_payload())
    if t in ("text/plain", "text/html"):
        data = p.get_payload(decode=True) or b""
        return data.decode(p.get_content_charset() or "us-ascii", "replace")
    return ""
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.compat32)
sys.stdout.write(show(m))
PY
}

# attack NAME FILE: FILE delivered through the milter must show the banner.
attack() {
	local name=$1 file=$2 out=$T/delivered-$RANDOM.eml
	python3 "$HERE/milterclient.py" "$PORT" "$file" >"$out" 2>"$T/client.err" ||
		{ fail "$name: the milter exchange failed" "$(cat "$T/client.err")"; return; }
	if ! grep -qi '^X-Leakguard-Verdict: suspicious' "$out"; then
		fail "$name: setup: the message was not tagged suspicious" "$(grep -i '^X-Leakguard' "$out")"
	elif shown "$out" | grep -q "CAUTION"; then
		pass "$name: the shown part carries the banner"
	else
		fail "$name: the shown part carries no banner" "$(cat "$T/client.err"; shown "$out" | head -5)"
	fi
}

head_of() { # head_of MSGID TYPE-LINE
	printf 'From: Docs <files@docs-share.test>\nTo: user@example.com\nSubject: shared\nMessage-ID: <%s@docs-share.test>\nMIME-Version: 1.0\n%s\n\n' "$1" "$2"
}
LINK='<p>Open <a href="http://blocked-url.test/login/view">the file</a></p>'
b64() { printf '%s' "$1" | python3 -c 'import sys,base64; print(base64.b64encode(sys.stdin.buffer.read().decode().encode(sys.argv[1])).decode())' "$2"; }

# 1. base64 with a character outside the alphabet: readers skip it.
{
	head_of a1 'Content-Type: multipart/alternative; boundary="x"'
	printf -- '--x\nContent-Type: text/plain\n\nOpen http://blocked-url.test/login/view\n--x\n'
	printf 'Content-Type: text/html\nContent-Transfer-Encoding: base64\n\n%s*\n--x--\n' "$(b64 "$LINK" utf-8)"
} >"$T/a1.eml"
attack "base64 HTML with a stray '*'" "$T/a1.eml"

# 2. HTML in UTF-16, which readers render.
{
	head_of a2 'Content-Type: multipart/alternative; boundary="x"'
	printf -- '--x\nContent-Type: text/plain\n\nOpen http://blocked-url.test/login/view\n--x\n'
	printf 'Content-Type: text/html; charset=utf-16\nContent-Transfer-Encoding: base64\n\n%s\n--x--\n' "$(b64 "$LINK" utf-16)"
} >"$T/a2.eml"
attack "HTML in UTF-16" "$T/a2.eml"

# 3. The phish wrapped in a top-level message/rfc822, shown inline.
{
	head_of a3 'Content-Type: message/rfc822'
	printf 'From: Docs <files@docs-share.test>\nSubject: inner\nContent-Type: text/html\n\n%s\n' "$LINK"
} >"$T/a3.eml"
attack "top-level message/rfc822" "$T/a3.eml"

# 4. An inline HTML part with a filename, after an image.
{
	head_of a4 'Content-Type: multipart/mixed; boundary="m"'
	printf -- '--m\nContent-Type: image/gif\nContent-Transfer-Encoding: base64\n\nR0lGODlhAQABAAAAACw=\n--m\n'
	printf 'Content-Type: text/html; name=invoice.html\nContent-Disposition: inline; filename=invoice.html\n\n%s\n--m--\n' "$LINK"
} >"$T/a4.eml"
attack "inline HTML with filename= after an image" "$T/a4.eml"

# 5. multipart/related whose start= root is not the first part.
{
	head_of a5 'Content-Type: multipart/related; boundary="r"; start="<root@x>"'
	printf -- '--r\nContent-Type: text/html\n\n<p>decoy</p>\n--r\n'
	printf 'Content-Type: text/html\nContent-ID: <root@x>\n\n%s\n--r--\n' "$LINK"
} >"$T/a5.eml"
attack "multipart/related start= root" "$T/a5.eml"

# 6. The shown (last) alternative in a transfer encoding nobody writes into.
{
	head_of a6 'Content-Type: multipart/alternative; boundary="x"'
	printf -- '--x\nContent-Type: text/plain\n\nOpen http://blocked-url.test/login/view\n--x\n'
	printf 'Content-Type: text/html\nContent-Transfer-Encoding: x-token\n\n%s\n--x--\n' "$LINK"
} >"$T/a6.eml"
attack "last alternative in an unknown encoding" "$T/a6.eml"

finish
