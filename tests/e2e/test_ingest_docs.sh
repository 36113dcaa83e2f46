#!/usr/bin/env bash
# leakguard ingest of documents detected by content, end to end: a two-page
# PDF, a DOCX, an XLSX, a ZIP and a tar.gz of them (and a file without an
# extension), UTF-16 and Latin-1 text — all made here with python3's
# zipfile/tarfile and by hand — then the damaged ones: a truncated ZIP, a
# zip bomb past the inflation cap, a broken PDF, a DOCX without its
# document part, each reported with its place and skipped while the rest is
# indexed. Also --date, positional queries, --json fields, --range, and -
# for stdin. Prints failures; exits non-zero on any.
. "$(dirname "$0")/lib.sh" docs "$@"
db="$T/leak.db"
lg() { "$BIN" "$@" --db "$db"; }

mkdir -p "$T/docs" "$T/bad"
python3 - "$T" <<'PY'
import io, sys, tarfile, zipfile
T = sys.argv[1]

def pdf(pages):
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", None,
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for text in pages:
        lines = "".join("(%s) Tj 0 -14 Td " % t for t in text)
        stream = "BT /F1 12 Tf 72 720 Td 14 TL %s ET" % lines
        objs.append("<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        objs.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                    "/Resources << /Font << /F1 3 0 R >> >> >>" % len(objs))
        kids.append(len(objs))
    objs[1] = "<< /Type /Pages /Kids [%s] /Count %d >>" % (" ".join("%d 0 R" % k for k in kids), len(kids))
    out, offs = "%PDF-1.4\n", []
    for i, o in enumerate(objs):
        offs.append(len(out))
        out += "%d 0 obj\n%s\nendobj\n" % (i + 1, o)
    x = len(out)
    out += "xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += "".join("%010d 00000 n \n" % o for o in offs)
    out += "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
    return out.encode()

def docx(paras):
    body = "".join('<w:p><w:r><w:t>%s</w:t></w:r></w:p>' % p for p in paras)
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>%s</w:body></w:document>' % body)
    return b.getvalue()

def xlsx(rows):
    strings, cells = [], []
    for r, row in enumerate(rows, 1):
        cs = ""
        for c, v in enumerate(row):
            ref = "%s%d" % ("ABCDEFGH"[c], r)
            if v is None:
                continue
            strings.append(v)
            cs += '<c r="%s" t="s"><v>%d</v></c>' % (ref, len(strings) - 1)
        cells.append('<row r="%d">%s</row>' % (r, cs))
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook %s><sheets><sheet name="S" sheetId="1"/></sheets></workbook>' % ns)
        z.writestr("xl/sharedStrings.xml", '<?xml version="1.0"?><sst %s>%s</sst>' % (ns, "".join("<si><t>%s</t></si>" % s for s in strings)))
        z.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0"?><worksheet %s><sheetData>%s</sheetData></worksheet>' % (ns, "".join(cells)))
    return b.getvalue()

def w(path, data):
    open(T + "/" + path, "wb").write(data)

p = pdf([["Quarterly report", "nothing to see"], ["Contact list", "pdfone@docs.example", "call +44 20 7946 0001"]])
w("docs/report.pdf", p)
d = docx(["Minutes of the meeting", "Attendees: docxone@docs.example and Docx Two", "Next: docxtwo@docs.example"])
w("docs/minutes.docx", d)
x = xlsx([["Name", "Email", "Phone"], ["Xl One", "xlone@docs.example", "+33 1 23 45 67 89"], ["Xl Two", None, "+33 1 98 76 54 32"], ["Xl Three", "xlthree@docs.example", None]])
w("docs/staff.xlsx", x)
w("docs/noext", d.replace(b"docx", b"dcxx"))  # a DOCX without its extension
w("docs/utf16.txt", "\ufeffutf16one@docs.example:pw\nutf16two@docs.example\n".encode("utf-16-le"))
w("docs/utf16-nobom.txt", "nobom@docs.example:pw\nplain text line here\n".encode("utf-16-le"))
w("docs/latin1.csv", "name,email\nJos\xe9 M\xfcller,latin1one@docs.example\n".encode("latin-1"))
b = io.BytesIO()
with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("inner/users.csv", "email,name\nzipone@docs.example,Zip One\nziptwo@docs.example,Zip Two\n")
    z.writestr("inner/report.pdf", pdf([["zip page one"], ["zippdf@docs.example"]]))
    z.writestr("deeper.zip", (lambda: (lambda bb: (zipfile.ZipFile(bb, "w").writestr("a.txt", "deep@docs.example\n"), bb.getvalue())[1])(io.BytesIO()))())
w("docs/bundle.zip", b.getvalue())
b = io.BytesIO()
with tarfile.open(fileobj=b, mode="w:gz") as t:
    for name, data in [("dump/combo.txt", b"tarone@docs.example:hunter2\n\ntartwo@docs.example:x\n"), ("dump/staff.xlsx", x)]:
        info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
w("docs/dump.tar.gz", b.getvalue())

# damaged
z = b.getvalue()
good = io.BytesIO()
with zipfile.ZipFile(good, "w", zipfile.ZIP_DEFLATED) as zz:
    zz.writestr("first.txt", "trunc1@bad.example\n")
    zz.writestr("second.txt", b"trunc2@bad.example\n" + bytes(range(256)) * 200 + bytes((i * 7919) % 251 for i in range(50000)))
w("bad/truncated.zip", good.getvalue()[: len(good.getvalue()) * 2 // 3])
bomb = io.BytesIO()
with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zz:
    zz.writestr("bombok.txt", "bombok@bad.example\n")
    zz.writestr("zeros.bin", b"\0" * (300 * 1024 * 1024))
w("bad/bomb.zip", bomb.getvalue())
w("bad/broken.pdf", p[: len(p) // 3])
nd = io.BytesIO()
with zipfile.ZipFile(nd, "w") as zz:
    zz.writestr("word/document.xml", "<w:document><w:body><w:p>unclosed")
w("bad/nodoc.docx", nd.getvalue())
PY

out=$(lg ingest --source docs --date 2022-09-24 --json "$T/docs" 2> "$T/err") || fail "ingest exited $?: $(cat "$T/err")"
for a in pdfone docxone docxtwo xlone xlthree utf16one utf16two nobom latin1one zipone ziptwo zippdf deep tarone tartwo; do
	lg lookup "$a@docs.example" --json > "$T/q.json"
	jq -e '.found' "$T/q.json" > /dev/null || fail "$a@docs.example not found"
done
lg lookup '+44 20 7946 0001' --json | jq -e .found > /dev/null || fail "PDF phone not found"
lg lookup '+33 1 98 76 54 32' --json | jq -e .found > /dev/null || fail "XLSX phone (row without email) not found"
lg lookup --domain docs.example --json | jq -e '.sources[0].counts.name >= 3' > /dev/null ||
	fail "names from XLSX/DOCX: $(lg lookup docs.example --json)"
# places: file:page for a PDF, archive!member:line inside archives
lg lookup pdfone@docs.example --json > "$T/q.json"
jq -e '.sources[0].places[0].page == 2 and (.sources[0].places[0].file | endswith("report.pdf"))' "$T/q.json" > /dev/null ||
	fail "PDF place: $(cat "$T/q.json")"
lg lookup pdfone@docs.example | grep -q 'report.pdf:page 2' || fail "PDF place (text): $(lg lookup pdfone@docs.example)"
lg lookup ziptwo@docs.example --json > "$T/q.json"
jq -e '(.sources[0].places[0].file | endswith("bundle.zip!inner/users.csv")) and .sources[0].places[0].line == 3 and (.sources[0].places[0].snippet | test("z\\*\\*\\*@docs"))' "$T/q.json" > /dev/null ||
	fail "zip place: $(cat "$T/q.json")"
lg lookup deep@docs.example --json | jq -e '.sources[0].places[0].file | endswith("bundle.zip!deeper.zip!a.txt")' > /dev/null ||
	fail "nested zip place: $(lg lookup deep@docs.example --json)"
lg lookup tartwo@docs.example --json | jq -e '.sources[0].places[0].line == 3 and .sources[0].with_password == 1' > /dev/null ||
	fail "tar.gz place: $(lg lookup tartwo@docs.example --json)"
lg lookup latin1one@docs.example --json | jq -e '.sources[0].places[0].line == 2' > /dev/null || fail "Latin-1 place"
lg lookup --domain docs.example --json | jq -e '.sources[0].counts.name >= 1' > /dev/null || fail "domain"
# the Latin-1 name is read as what it says, and shown as UTF-8
lg lookup latin1one@docs.example --json | jq -e '.sources[0].places[0].snippet | startswith("José Müller,")' > /dev/null ||
	fail "Latin-1 snippet: $(lg lookup latin1one@docs.example --json | jq -c '.sources[0].places[0].snippet')"
# formats recorded per file
lg sources --json | jq -e '.date == "2022-09-24"' > /dev/null || fail "date not shown: $(lg sources --json)"
lg sources | grep -q '2022-09-24' || fail "date not in sources text"
# --json fields the issue names
lg lookup xlone@docs.example --json | jq -e '.query == "xlone@docs.example" and .found == true and .sources[0].name == "docs" and .sources[0].date == "2022-09-24" and (.sources[0].kinds | index("email"))' > /dev/null ||
	fail "lookup --json fields: $(lg lookup xlone@docs.example --json)"
lg lookup nobody@docs.example --json | jq -e '.found == false and .sources == []' > /dev/null || fail "miss JSON"
# idempotent
out=$(lg ingest --source docs --json "$T/docs" 2> /dev/null)
[ "$(echo "$out" | jq .ingested)" = 0 ] || fail "re-ingest of documents not a no-op: $out"

# --- damaged documents: reported with their place, skipped, the rest kept ---
out=$(lg ingest --source bad --json "$T/bad" 2> "$T/bad.err") || fail "ingest of damaged documents exited $?"
grep -q 'truncated.zip.*damaged archive' "$T/bad.err" || fail "truncated zip not reported: $(cat "$T/bad.err")"
grep -q 'bomb.zip!zeros.bin: archive inflates to more than' "$T/bad.err" || fail "zip bomb not stopped: $(cat "$T/bad.err")"
grep -q 'broken.pdf: broken PDF' "$T/bad.err" || fail "broken PDF not reported: $(cat "$T/bad.err")"
grep -q 'nodoc.docx: DOCX with a damaged document part' "$T/bad.err" || fail "broken DOCX not reported: $(cat "$T/bad.err")"
lg lookup trunc1@bad.example --json | jq -e .found > /dev/null || fail "member before the truncation lost"
lg lookup bombok@bad.example --json | jq -e .found > /dev/null || fail "member before the bomb lost"
[ "$(echo "$out" | jq '.unreadable_files >= 4')" = true ] || fail "unreadable files: $out"

# --- stdin, range ---
printf 'stdin1@docs.example:pw\n' | lg ingest --source piped - > /dev/null 2>&1 || fail "ingest - exited $?"
lg lookup stdin1@docs.example --json | jq -e '.found and .sources[0].name == "piped"' > /dev/null || fail "stdin not indexed"
h=$(printf %s xlone@docs.example | sha1sum | cut -c1-40 | tr a-f A-F)
lg lookup --range "${h:0:5}" > "$T/range"; rc=$?
[ $rc = 0 ] || fail "--range exit $rc"
[ "$(wc -l < "$T/range")" = 257 ] || fail "range answer is not the one real suffix and 256 decoys: $(wc -l < "$T/range")"
grep -qx "${h:5}" "$T/range" || fail "range answer misses the indexed suffix"
lg lookup --range "${h:0:5}" | cmp -s - "$T/range" || fail "range answer differs when asked again"
miss=$(printf %s nobody@nowhere.example | sha1sum | cut -c1-5 | tr a-f A-F)
[ "$(lg lookup --range "$miss" | wc -l)" = 256 ] || fail "miss range is not the 256 decoys"
lg lookup --range "$miss" --json | jq -e '(.suffixes | length) == 256 and (.suffixes[0] | length) == 35' > /dev/null || fail "range JSON"
lg lookup --range 12 > /dev/null 2>&1; [ $? = 2 ] || fail "bad prefix exit"
lg ingest --source x --date 2022-02-30 "$T/docs" > /dev/null 2>&1; [ $? = 2 ] || fail "bad date accepted"

e2e_done
