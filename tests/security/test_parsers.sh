#!/usr/bin/env bash
# test_parsers.sh BINARY: attacks on the parsers and the files leakguard
# reads and writes (issue #12 item 7), each performed against the real
# binary: a billion-laughs DOCX and a DOCX whose DTD smuggles an entity, a
# zip-bomb DOCX and XLSX, a symbolic link in a dump that leads out of it,
# link loops, a link inside a tar, file and member names carrying terminal escapes and
# bidi overrides, an S3 PermanentRedirect to a foreign host, a planted
# link where scan writes a sample, and state files under umask 000.
# The malicious packages are built here with python3's zipfile/tarfile.
. "$(dirname "$0")/lib.sh" parsers "$@"

mk() { python3 "$T/mk.py" "$@"; }
cat >"$T/mk.py" <<'EOF'
import sys, tarfile, io, zipfile
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
CT = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="xml" ContentType="application/xml"/></Types>')

def docx(body, prolog=''):
    b = io.BytesIO()
    with zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED) as z:
        z.writestr('[Content_Types].xml', CT)
        z.writestr('word/document.xml', '<?xml version="1.0"?>%s<w:document %s><w:body>%s</w:body></w:document>'
                   % (prolog, W, body))
    return b.getvalue()

def para(t):
    return '<w:p><w:r><w:t>%s</w:t></w:r></w:p>' % t

kind, out = sys.argv[1], sys.argv[2]
if kind == 'laughs':
    ents = '<!ENTITY l0 "lol laughs@victim.example ">' + ''.join(
        '<!ENTITY l%d "%s">' % (i, ('&l%d;' % (i - 1)) * 10) for i in range(1, 10))
    data = docx(para('&l9;'), '<!DOCTYPE w:document [%s]>' % ents)
elif kind == 'entity':
    data = docx(para('&e;'), '<!DOCTYPE w:document [<!ENTITY e "entity.canary@victim.example">]>')
elif kind == 'bomb':  # one 60 MiB part in a ~180 KB package: 340 times its size
    data = docx(para('bomb.canary@victim.example') + para('x') * (60 * 1024 * 1024 // 34))
elif kind == 'xlsxbomb':  # 30 sheets of 10 MiB each in ~460 KB
    b = io.BytesIO()
    sheet = ('<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>xlsx.canary@victim.example</t>'
             '</is></c></row>' + '<row/>' * (10 * 1024 * 1024 // 6) + '</sheetData></worksheet>')
    with zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED) as z:
        z.writestr('[Content_Types].xml', CT)
        z.writestr('xl/workbook.xml', '<workbook/>')
        for i in range(1, 31):
            z.writestr('xl/worksheets/sheet%d.xml' % i, sheet)
    data = b.getvalue()
elif kind == 'nested':  # ten stored zips, each 14 MiB of lines deflated to ~35 KB
    b = io.BytesIO()
    with zipfile.ZipFile(b, 'w', zipfile.ZIP_STORED) as z:
        for i in range(10):
            inner = io.BytesIO()
            with zipfile.ZipFile(inner, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as y:
                y.writestr('lines.txt', 'nested%02d.person@victim.example:pw\n' % i * (14 * 1024 * 1024 // 34))
            z.writestr('inner%02d.zip' % i, inner.getvalue())
    data = b.getvalue()
elif kind == 'plain':
    data = docx(para('plain.canary@victim.example'))
elif kind == 'esczip':  # a member whose name sets the window title and reverses the line
    b = io.BytesIO()
    with zipfile.ZipFile(b, 'w', zipfile.ZIP_DEFLATED) as z:
        z.writestr('evil\x1b]0;owned\x07\u202etxt.docx', docx(para('&e;'), '<!DOCTYPE w:document [<!ENTITY e "x">]>'))
    data = b.getvalue()
elif kind == 'linktar':  # a symbolic link and a hard link to a file outside the dump
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode='w') as t:
        for name, typ in (('passwd.txt', tarfile.SYMTYPE), ('hard.txt', tarfile.LNKTYPE)):
            i = tarfile.TarInfo(name)
            i.type, i.linkname = typ, sys.argv[3]
            t.addfile(i)
    data = b.getvalue()
open(out, 'wb').write(data)
EOF

lg_ingest() { timeout 60 "$BIN" ingest --source attack --db "$T/$1.db" "${@:2}"; }
# found DB ADDRESS: lookup answers that ADDRESS is in the leak index DB
found() { [ "$("$BIN" lookup --db "$T/$1.db" --json --email "$2" 2>/dev/null | jq -r .found)" = true ]; }

# -- billion laughs: ten levels of ten, 10^9 copies of an address
mkdir -p "$T/laughs" && mk laughs "$T/laughs/laughs.docx"
/usr/bin/time -f '%e %M' -o "$T/laughs.time" timeout 60 "$BIN" ingest --source attack --db "$T/laughs.db" --json \
	"$T/laughs" >"$T/laughs.out" 2>"$T/laughs.err"
rc=$?
if [ $rc -eq 0 ] && grep -q 'laughs.docx: DOCX part word/document.xml has a DTD' "$T/laughs.err" &&
	[ "$(jq .unreadable_files "$T/laughs.out")" = 1 ] && [ "$(awk '{print $2}' "$T/laughs.time")" -lt 200000 ]; then
	pass "billion-laughs DOCX refused for its DTD, counted unreadable ($(cat "$T/laughs.time") s/KB)"
else
	fail "billion-laughs DOCX not refused for its DTD (exit $rc)" "$(cat "$T/laughs.err" "$T/laughs.out")"
fi

# -- an internal entity: what the DTD declares must not reach the index
mkdir -p "$T/entity" && mk entity "$T/entity/entity.docx"
lg_ingest entity "$T/entity" >/dev/null 2>"$T/entity.err"
if grep -q 'entity.docx: DOCX part word/document.xml has a DTD' "$T/entity.err" &&
	! found entity entity.canary@victim.example; then
	pass "DOCX entity from its DTD refused, nothing of it indexed"
else
	fail "DOCX entity from its DTD got into the index" "$(cat "$T/entity.err")"
fi

# -- zip bombs: a 60 MiB part in 180 KB; 300 MiB of sheets in 460 KB
mkdir -p "$T/bomb" && mk bomb "$T/bomb/bomb.docx" && mk xlsxbomb "$T/bomb/sheets.xlsx" && mk plain "$T/bomb/plain.docx"
/usr/bin/time -f '%e %M' -o "$T/bomb.time" timeout 60 "$BIN" ingest --source attack --db "$T/bomb.db" --json \
	"$T/bomb" >"$T/bomb.out" 2>"$T/bomb.err"
rc=$?
secs=$(awk '{print $1}' "$T/bomb.time") kb=$(awk '{print $2}' "$T/bomb.time")
if [ $rc -eq 0 ] && grep -q 'bomb.docx: DOCX inflates to more than .* MiB (200 times its size, or 2 GiB) at part word/document.xml: a zip bomb' "$T/bomb.err" &&
	grep -q 'sheets.xlsx: XLSX sheets inflate to 300 MiB, more than .* a zip bomb' "$T/bomb.err" &&
	[ "$(jq .unreadable_files "$T/bomb.out")" = 2 ] && ! found bomb bomb.canary@victim.example &&
	found bomb plain.canary@victim.example && [ "$kb" -lt 200000 ] && awk -v s="$secs" 'BEGIN { exit !(s < 5) }'; then
	pass "zip-bomb DOCX and XLSX refused before inflating, counted, the honest DOCX read (${secs} s, ${kb} KB)"
else
	fail "zip-bomb DOCX/XLSX not refused (exit $rc, ${secs} s, ${kb} KB)" "$(cat "$T/bomb.err" "$T/bomb.out")"
fi

# -- a nested zip bomb: each inner zip stays under the 16 MiB an archive
# could once inflate at any ratio, so ten of them went through (140 MiB from
# ~150 KB, 900 times); one budget for the outermost file stops at 200 times
# its size, nested levels counted (review F12)
mkdir -p "$T/nest" && mk nested "$T/nest/outer.zip"
size=$(stat -c %s "$T/nest/outer.zip")
lg_ingest nest --json "$T/nest" >"$T/nest.out" 2>"$T/nest.err"
bytes=$(jq .bytes "$T/nest.out")
if grep -q 'outer.zip!inner.*archive inflates to more than .* (200 times the size of the outermost file' "$T/nest.err" &&
	[ -n "$bytes" ] && [ "$bytes" -le $((size * 200)) ]; then
	pass "a nested zip bomb stops at 200 times the outermost file ($bytes bytes read of a $size-byte zip)"
else
	fail "a nested zip bomb multiplies the inflation cap (${bytes:-?} bytes read of a $size-byte zip)" \
		"$(head -c 600 "$T/nest.err") $(cat "$T/nest.out")"
fi

# -- a symbolic link in the dump to a file (and a directory) outside it
mkdir -p "$T/dump/sub" "$T/outside"
echo "inside.person@victim.example:pw" >"$T/dump/a.txt"
echo "outside.canary@victim.example:pw" >"$T/outside/secret.txt"
ln -s "$T/outside/secret.txt" "$T/dump/passwd.txt"
ln -s "$T/outside" "$T/dump/sub/escape"
ln -s ../a.txt "$T/dump/sub/inside.txt"
lg_ingest link --json "$T/dump" >"$T/link.out" 2>"$T/link.err"
if grep -q "dump/passwd.txt: a symbolic link to $T/outside/secret.txt, which does not lead to a file inside" "$T/link.err" &&
	grep -q 'dump/sub/escape: a symbolic link to' "$T/link.err" && [ "$(jq .links_not_followed "$T/link.out")" = 2 ] &&
	! found link outside.canary@victim.example && found link inside.person@victim.example; then
	pass "symbolic links out of the dump skipped, each named"
else
	fail "a symbolic link out of the dump was followed" "$(cat "$T/link.err" "$T/link.out")"
fi
lg_ingest follow --follow-symlinks "$T/dump" >/dev/null 2>"$T/follow.err"
if found follow outside.canary@victim.example && ! grep -q 'symbolic link' "$T/follow.err"; then
	pass "--follow-symlinks follows them"
else
	fail "--follow-symlinks did not follow the link" "$(cat "$T/follow.err")"
fi

# -- links that go round: to the dump itself and to a parent (the old walk
# followed them 32 directories deep, millions of paths, for minutes)
mkdir -p "$T/loop/a" && echo "loop.person@victim.example" >"$T/loop/a/f.txt"
ln -s .. "$T/loop/a/up" && ln -s . "$T/loop/self"
t0=$SECONDS
timeout 20 "$BIN" ingest --source attack --db "$T/loop.db" --json "$T/loop" >"$T/loop.out" 2>"$T/loop.err"
rc=$?
if [ $rc -eq 0 ] && [ "$(jq .files "$T/loop.out")" = 1 ] && grep -q 'loop/a/up: a symbolic link to a directory above it, a loop' "$T/loop.err" &&
	grep -q 'loop/self: a symbolic link to a directory above it' "$T/loop.err"; then
	pass "symbolic-link loops skipped, one file read ($((SECONDS - t0)) s)"
else
	fail "symbolic-link loops walked (exit $rc)" "$(head -c 600 "$T/loop.err") $(cat "$T/loop.out")"
fi

# -- a directory of the dump swapped for a link to a directory outside it,
# after ingest's vetting walk and before the file is read: "-" comes first
# and holds the ingest on standard input while the swap is made (review F9;
# O_NOFOLLOW on the last component alone let the middle link through)
mkdir -p "$T/race/dump/sub" "$T/race/secret"
echo "race.inside@victim.example:pw" >"$T/race/dump/sub/creds.txt"
echo "race.canary@secret.example:pw" >"$T/race/secret/creds.txt"
{
	sleep 1
	mv "$T/race/dump/sub" "$T/race/dump/sub.orig" && ln -s "$T/race/secret" "$T/race/dump/sub"
	echo "stdin.person@victim.example"
} | lg_ingest race --json - "$T/race/dump" >"$T/race.out" 2>"$T/race.err"
if [ -L "$T/race/dump/sub" ] && found race stdin.person@victim.example && ! found race race.canary@secret.example &&
	grep -q 'dump/sub/creds.txt: a symbolic link in its path' "$T/race.err" && [ "$(jq .unreadable_files "$T/race.out")" = 1 ]; then
	pass "a dump directory swapped for a link after the walk is refused, nothing outside read"
else
	fail "a dump directory swapped for a link after the walk was read through" "$(cat "$T/race.err" "$T/race.out")"
fi

# -- links inside an archive are never extracted or followed
mkdir -p "$T/tar" && mk linktar "$T/tar/links.tar" "$T/outside/secret.txt"
lg_ingest tar "$T/tar" >/dev/null 2>"$T/tar.err"
if ! found tar outside.canary@victim.example && [ ! -e "$T/tar/passwd.txt" ]; then
	pass "symbolic and hard links inside a tar read nothing outside it"
else
	fail "a link inside a tar was followed" "$(cat "$T/tar.err")"
fi

# -- names that drive the terminal: a file and an archive member
mkdir -p "$T/esc" && mk entity "$T/esc/$(printf 'bad\033[2J\033[31m\342\200\256red.docx')" && mk esczip "$T/esc/m.zip"
lg_ingest esc "$T/esc" >/dev/null 2>"$T/esc.err"
if ! grep -q $'\033' "$T/esc.err" && ! grep -q $'\342\200\256' "$T/esc.err" && ! grep -q $'\a' "$T/esc.err" &&
	grep -qiF 'bad\x1b[2J\x1b[31m\u{202E}red.docx' "$T/esc.err" &&
	grep -qiF 'm.zip!evil\x1b]0;owned\x07\u{202E}txt.docx' "$T/esc.err"; then
	pass "file and member names with escapes and bidi overrides printed escaped"
else
	fail "a name with a terminal escape or bidi override printed raw" "$(cat -v "$T/esc.err")"
fi

# -- S3: a PermanentRedirect naming a host of someone else (the responders
# pick their own ports and write them to the port file)
node "$ROOT/tests/scan/responder.js" s3open "$T/open.port" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$T/open.port" ] && break; sleep 0.05; done
node "$ROOT/tests/scan/responder.js" redirect "$T/redir.port" "localhost:$(cat "$T/open.port")" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$T/redir.port" ] && break; sleep 0.05; done
timeout 60 "$BIN" scan --json --s3-endpoint "http://127.0.0.1:$(cat "$T/redir.port")" s3://open-bucket \
	>"$T/redir.out" 2>"$T/redir.err"
st=$(jq -r 'select(.target == "s3://open-bucket") | .state' "$T/redir.out")
ev=$(jq -r 'select(.target == "s3://open-bucket") | .evidence' "$T/redir.out")
req=$(jq -r 'select(.target == "s3://open-bucket") | .requests' "$T/redir.out")
if [ "$st" = unknown ] && [ "$req" = 1 ] && printf '%s' "$ev" | grep -q 'PermanentRedirect to localhost:.* refused: not a host of the provider (127.0.0.1)'; then
	pass "S3 redirect to a foreign host refused ($ev)"
else
	fail "S3 redirect to a foreign host followed: state $st after $req requests" "$ev $(cat "$T/redir.err")"
fi

# -- a link planted where scan --ingest writes its sample
mkdir -p "$T/tmp"
echo untouched >"$T/victim"
node "$ROOT/tests/scan/responder.js" s3open "$T/slow.port" 1500 &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$T/slow.port" ] && break; sleep 0.05; done
TMPDIR=$T/tmp timeout 60 "$BIN" scan --json --s3-endpoint "http://127.0.0.1:$(cat "$T/slow.port")" \
	--ingest scan-attack --db "$T/scan.db" s3://open-bucket >"$T/sample.out" 2>"$T/sample.err" &
scan_pid=$!
planted=
for _ in $(seq 100); do
	for d in "$T"/tmp/leakguard-scan.*; do
		[ -d "$d" ] && ln -s "$T/victim" "$d/sample-000001.txt" && planted=$d && break 2
	done
	sleep 0.01
done
wait $scan_pid
if [ -n "$planted" ] && [ "$(cat "$T/victim")" = untouched ] &&
	grep -q 'samples not written (the first: .*sample-000001.txt: File exists)' "$T/sample.err" &&
	grep -q 'sample-000001.txt: not a sample this run wrote; not ingested' "$T/sample.err" &&
	! found scan sam.sample@redirected.example && [ ! -e "$planted" ]; then
	pass "a link planted at the sample's path is neither written through nor ingested"
else
	fail "the planted sample link was written through or ingested (planted: ${planted:-no})" \
		"victim: $(head -c 200 "$T/victim") $(cat "$T/sample.err")"
fi

# -- umask 000: the store, its keys and the leak directory stay private
mkdir -p "$T/um/dump"
echo "umask.person@victim.example:pw" >"$T/um/dump/a.txt"
(umask 000 && timeout 60 "$BIN" ingest --source attack --db "$T/um/state/lg.db" "$T/um/dump" >/dev/null 2>&1 &&
	timeout 60 "$BIN" context --build --org victim.example --db "$T/um/state/lg.db" >/dev/null 2>&1)
bad=$(find "$T/um/state" \( -type f ! -perm 600 \) -o \( -type d ! -perm 700 \) | while read -r f; do
	stat -c '%a %n' "$f"; done)
if [ -e "$T/um/state/lg.db" ] && [ -e "$T/um/state/lg.db.context" ] && [ -z "$bad" ]; then
	pass "under umask 000 every file made is 0600 and every directory 0700"
else
	fail "state files readable by others under umask 000" "$bad"
fi

finish
