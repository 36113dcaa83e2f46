#!/usr/bin/env python3
"""make_docx.py: builds a minimal DOCX (a ZIP with [Content_Types].xml,
_rels/.rels and word/document.xml) from a document.xml, with fixed member
dates so the same input gives the same bytes. Used by run.sh for the
document fixture of the leak portal tests (ECMA-376 Part 2, Open Packaging).

Usage: make_docx.py DOCUMENT_XML OUT_DOCX
"""
import sys
import zipfile

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '</Types>')
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships/officeDocument" Target="word/document.xml"/>'
    '</Relationships>')


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make_docx.py DOCUMENT_XML OUT_DOCX")
    with open(sys.argv[1], encoding="utf-8") as f:
        document = f.read()
    with zipfile.ZipFile(sys.argv[2], "w") as z:
        for name, data in (("[Content_Types].xml", CONTENT_TYPES),
                           ("_rels/.rels", RELS),
                           ("word/document.xml", document)):
            info = zipfile.ZipInfo(name, (2022, 9, 17, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


if __name__ == "__main__":
    main()
