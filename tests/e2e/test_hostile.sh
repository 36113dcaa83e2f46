#!/usr/bin/env bash
# test_hostile.sh BINARY: damaged and hostile input never crashes or hangs
# `leakguard check`. Each input is made here, in a temporary folder, and
# checked on its own (60 s limit): it must give exactly one JSON line, exit
# 0, 1 or 2, leave no sanitizer report, and where the message is damaged say
# so (a non-empty "defects" array or the MESSAGE_MALFORMED signal).
. "$(dirname "$0")/lib.sh" hostile "$@"
export LEAKGUARD_DB=$T/store.db # no model trained elsewhere

HDR='Received: from mx.example.com (mx.example.com [10.20.0.25])
	by mailstore.example.com (Postfix) with ESMTPS id 4VHOSTILE01
	for <jane.doe@example.com>; Mon, 01 Jul 2024 10:00:00 +0000 (UTC)
Date: Mon, 01 Jul 2024 10:00:00 +0000
From: Hostile Sender <sender@hostile-test.invalid>
To: jane.doe@example.com
Message-ID: <hostile@hostile-test.invalid>
MIME-Version: 1.0'

# ---------------------------------------------------------------- inputs
# 1,000 levels of nested multipart.
{
	echo "$HDR"
	echo "Subject: nested"
	awk 'BEGIN {
		for (i = 1; i <= 1000; i++)
			printf "Content-Type: multipart/mixed; boundary=\"nest%d\"\n\n--nest%d\n", i, i
		printf "Content-Type: text/plain\n\ninnermost\n"
		for (i = 1000; i >= 1; i--)
			printf "\n--nest%d--\n", i
	}'
} >"$T/nested-1000.eml"

# 100 MiB: one giant base64 attachment of random bytes.
{
	echo "$HDR"
	echo "Subject: big attachment"
	echo 'Content-Type: multipart/mixed; boundary="big"'
	echo
	echo "--big"
	echo "Content-Type: text/plain"
	echo
	echo "The backup is attached."
	echo "--big"
	echo 'Content-Type: application/octet-stream; name="backup.bin"'
	echo 'Content-Disposition: attachment; filename="backup.bin"'
	echo "Content-Transfer-Encoding: base64"
	echo
	head -c $((75 * 1024 * 1024)) /dev/urandom | base64 -w 76
	echo "--big--"
} >"$T/huge-100mib.eml"

# NUL bytes in a header and in the body.
{
	echo "$HDR"
	printf 'Subject: invoice\0hidden\n'
	printf 'X-Note: a\0b\0c\n'
	printf 'Content-Type: text/plain; charset=utf-8\n\n'
	printf 'Please pay\0 the invoice at https://pay.hostile-test.invalid/\0x\n'
} >"$T/nul-bytes.eml"

# A charset nobody knows, in the body and in an encoded word.
{
	echo "$HDR"
	echo "Subject: =?x-nonsense?B?SGVsbG8gd29ybGQ=?= report"
	echo 'Content-Type: text/plain; charset="x-nonsense"'
	echo "Content-Transfer-Encoding: 8bit"
	echo
	printf 'Caf\xe9 \xff\xfe menu \x80\x81 for Friday\n'
} >"$T/bad-charset.eml"

# Boundary never closed.
{
	echo "$HDR"
	echo "Subject: unclosed"
	echo 'Content-Type: multipart/mixed; boundary="open-ended"'
	echo
	echo "--open-ended"
	echo "Content-Type: text/plain"
	echo
	echo "First part."
	echo "--open-ended"
	echo 'Content-Type: application/pdf; name="a.pdf"'
	echo "Content-Transfer-Encoding: base64"
	echo
	echo "JVBERi0xLjQKJeLjz9MK"
} >"$T/boundary-unclosed.eml"

# Multipart without a boundary parameter.
{
	echo "$HDR"
	echo "Subject: no boundary"
	echo "Content-Type: multipart/mixed"
	echo
	echo "--something"
	echo "Content-Type: text/plain"
	echo
	echo "Where does this part end?"
	echo "--something--"
} >"$T/boundary-missing.eml"

# Truncated: headers only, cut in the middle of a header.
printf '%s\nSubject: Your invoice is rea' "$HDR" >"$T/truncated-mid-header.eml"

# A program, not a message.
cp /bin/ls "$T/binary-ls.eml"

# Nothing at all.
: >"$T/empty.eml"

# 10,000 header lines and no body: half Received (relay parsing must stay
# bounded), half other fields.
{
	echo "$HDR"
	echo "Subject: many headers"
	awk 'BEGIN {
		for (i = 0; i < 5000; i++) {
			printf "Received: from relay%d.hostile-test.invalid (relay%d.hostile-test.invalid [198.51.100.%d])\n\tby relay%d.hostile-test.invalid with SMTP id %d\n", i, i, i % 250 + 1, i + 1, i
			printf "X-Filler-%d: value %d\n", i, i
		}
	}'
} >"$T/headers-10000.eml"

# One line of 1 MiB in the body.
{
	echo "$HDR"
	echo "Subject: long line"
	echo "Content-Type: text/plain"
	echo
	yes 'lorem ipsum dolor' | head -c $((1024 * 1024)) | tr '\n' ' '
	echo
} >"$T/line-1mib.eml"

# One header line of 1 MiB.
{
	echo "$HDR"
	printf 'Subject: '
	yes 'subject' | head -c $((1024 * 1024)) | tr '\n' ' '
	echo
	echo "Content-Type: text/plain"
	echo
	echo "Short body."
} >"$T/header-line-1mib.eml"

# 10,000 parts side by side.
{
	echo "$HDR"
	echo "Subject: many parts"
	echo 'Content-Type: multipart/mixed; boundary="flat"'
	echo
	awk 'BEGIN {
		for (i = 0; i < 10000; i++)
			printf "--flat\nContent-Type: text/plain\n\npart %d\n", i
		printf "--flat--\n"
	}'
} >"$T/parts-10000.eml"

# Base64 that is not base64.
{
	echo "$HDR"
	echo "Subject: bad base64"
	echo "Content-Type: text/plain; charset=utf-8"
	echo "Content-Transfer-Encoding: base64"
	echo
	echo '!!!! this is *not* base64 at all ~~~~ %%%% ((((('
	echo '=====@@@@@'
} >"$T/bad-base64.eml"

# ---------------------------------------------------------------- checks
# hostile FILE WANT: WANT is
#   result   - a verdict (the message may be odd but is readable)
#   damaged  - a verdict that admits damage: defects or MESSAGE_MALFORMED
#   any      - a verdict or a clear {"path","error"}; a verdict on damaged
#              input must admit the damage
hostile() {
	local name=$1 want=$2
	local f=$T/$name.eml
	local start=$SECONDS
	timeout 60 "$BIN" check --config "$CONF" --json "$f" >"$T/$name.out" 2>"$T/$name.err"
	local rc=$?
	local took=$((SECONDS - start))
	if [ $rc -eq 124 ]; then
		fail "$name: no answer within 60 s"
		return
	fi
	if [ $rc -gt 2 ]; then
		fail "$name: exit status $rc (crash?); stderr: $(tail -c 400 "$T/$name.err")"
		return
	fi
	if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T/$name.err"; then
		fail "$name: sanitizer report: $(grep -m1 -E 'ERROR:|runtime error:' "$T/$name.err")"
	fi
	local lines
	lines=$(wc -l <"$T/$name.out")
	if [ "$lines" -ne 1 ]; then
		fail "$name: $lines lines on stdout, expected exactly one JSON result"
		return
	fi
	if ! jq -e 'type == "object" and (.path | type == "string")' "$T/$name.out" >/dev/null 2>&1; then
		fail "$name: stdout is not a JSON result: $(head -c 300 "$T/$name.out")"
		return
	fi
	local is_error has_verdict damaged
	is_error=$(jq -r 'has("error")' "$T/$name.out")
	has_verdict=$(jq -r 'has("verdict")' "$T/$name.out")
	damaged=$(jq -r '((.defects // []) | length > 0) or
		any((.signals // [])[]; .name == "MESSAGE_MALFORMED")' "$T/$name.out")
	case $want in
	result | damaged)
		if [ "$has_verdict" != true ]; then
			fail "$name: expected a verdict, got: $(head -c 300 "$T/$name.out")"
			return
		fi
		if [ "$want" = damaged ] && [ "$damaged" != true ]; then
			fail "$name: damaged input but no defects and no MESSAGE_MALFORMED: $(jq -c '{verdict, signals: [.signals[].name], defects}' "$T/$name.out")"
		fi ;;
	any)
		if [ "$is_error" = true ]; then
			[ $rc -eq 2 ] || fail "$name: error result but exit status $rc, expected 2"
		elif [ "$has_verdict" != true ]; then
			fail "$name: neither a verdict nor an error: $(head -c 300 "$T/$name.out")"
		elif [ "$damaged" != true ]; then
			fail "$name: not a message, but the verdict shows no defects: $(jq -c '{verdict, signals: [.signals[].name], defects}' "$T/$name.out")"
		fi ;;
	esac
	[ $took -le 30 ] || echo "note: $name took ${took}s"
}

hostile nested-1000 damaged
hostile huge-100mib result
hostile nul-bytes damaged
hostile bad-charset damaged
hostile boundary-unclosed damaged
hostile boundary-missing damaged
hostile truncated-mid-header result
hostile binary-ls any
hostile empty any
hostile headers-10000 result
hostile line-1mib result
hostile header-line-1mib result
hostile parts-10000 damaged
hostile bad-base64 damaged

e2e_done
