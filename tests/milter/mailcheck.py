#!/usr/bin/env python3
"""mailcheck.py: checks and senders for the milter tests (tests/milter/run.sh)
and the benchmark (bench/milter.sh). Python's standard library only.

  mailcheck.py unchanged ORIG DELIVERED
      DELIVERED is ORIG plus Postfix's trace headers and the three
      X-Leakguard-* headers (each exactly once), nothing else.
  mailcheck.py header FILE NAME
      prints every value of header NAME, one per line.
  mailcheck.py banner ORIG DELIVERED TAG REPORT
      DELIVERED parses as MIME without defects, has ORIG's structure and
      attachments byte for byte, a subject tagged with TAG, and in its first
      text and HTML parts the banner (naming REPORT) followed by exactly
      ORIG's content.
  mailcheck.py find MAILDIR MESSAGE-ID [SECONDS]
      prints the delivered file holding MESSAGE-ID once it arrives.
  mailcheck.py bulk PORT COUNT PREFIX THREADS [CORPUS-DIR]
      sends COUNT messages to 127.0.0.1:PORT over THREADS connections, each
      with "X-Test-Id: PREFIX-N" and envelope sender PREFIX@outside.test;
      prints "accepted=A tempfailed=T rejected=R errors=E".
  mailcheck.py count MAILDIR PREFIX
      prints "files=F unique=U" for delivered messages with a PREFIX test id.
Exit status 0 when the check holds; 1 with the reason on stdout otherwise.
"""
import email
import email.policy
import os
import re
import smtplib
import sys
import threading
import time

TRACE = ("return-path", "x-original-to", "delivered-to")


def lf(data):
    return data.replace(b"\r\n", b"\n")


def header_blocks(data):
    """Splits a header block into [(name, raw bytes incl. continuations)]."""
    head = lf(data).split(b"\n\n", 1)[0]
    blocks = []
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t") and blocks:
            blocks[-1][1].append(line)
        else:
            blocks.append((line.split(b":", 1)[0].strip().lower().decode("latin-1"), [line]))
    return [(n, b"\n".join(lines)) for n, lines in blocks]


def fail(why):
    print(why)
    sys.exit(1)


def cmd_unchanged(orig_path, got_path):
    orig, got = lf(open(orig_path, "rb").read()), lf(open(got_path, "rb").read())
    head, body = got.split(b"\n\n", 1)
    blocks = header_blocks(got)
    ours = [n for n, _ in blocks if n.startswith("x-leakguard-")]
    for name in ("x-leakguard-verdict", "x-leakguard-score", "x-leakguard-signals"):
        if ours.count(name) != 1:
            fail("%s appears %d times" % (name, ours.count(name)))
    kept = []
    skipped_received = False
    for name, raw in blocks:
        if name in TRACE or name.startswith("x-leakguard-"):
            continue
        if name == "received" and not skipped_received:
            skipped_received = True  # Postfix's own, the topmost
            continue
        kept.append(raw)
    rebuilt = b"\n".join(kept) + b"\n\n" + body
    if rebuilt != orig:
        import difflib
        diff = difflib.unified_diff(orig.decode("latin-1").splitlines(), rebuilt.decode("latin-1").splitlines(),
                                    "sent", "delivered", lineterm="", n=1)
        fail("delivered message differs beyond the headers:\n" + "\n".join(list(diff)[:40]))


def cmd_header(path, name):
    msg = email.message_from_bytes(open(path, "rb").read(), policy=email.policy.compat32)
    for v in msg.get_all(name) or []:
        print(re.sub(r"\s+", " ", str(v)).strip())


def leaf_parts(msg):
    return [p for p in msg.walk() if not p.is_multipart()]


def structure(msg):
    return [(p.get_content_type(), str(p.get("Content-Transfer-Encoding", "")).lower(), p.get_filename())
            for p in msg.walk()]


def defects(msg):
    found = []
    for p in msg.walk():
        found += [type(d).__name__ for d in p.defects]
    return found


def decoded(part):
    return part.get_payload(decode=True) or b""


def cmd_banner(orig_path, got_path, tag, report):
    orig_raw, got_raw = open(orig_path, "rb").read(), open(got_path, "rb").read()
    orig = email.message_from_bytes(orig_raw, policy=email.policy.default)
    got = email.message_from_bytes(got_raw, policy=email.policy.default)
    if defects(got):
        fail("delivered message has MIME defects: %s" % defects(got))
    if structure(got) != structure(orig):
        fail("MIME structure changed:\n  sent      %s\n  delivered %s" % (structure(orig), structure(got)))
    if str(got["Subject"]) != "%s %s" % (tag, orig["Subject"]):
        fail("subject is %r, want %r" % (str(got["Subject"]), "%s %s" % (tag, orig["Subject"])))
    seen = set()
    for o, g in zip(leaf_parts(orig), leaf_parts(got)):
        ctype = o.get_content_type()
        if o.get_filename() or ctype not in ("text/plain", "text/html") or ctype in seen:
            if decoded(o) != decoded(g):
                fail("part %s (%s) changed" % (ctype, o.get_filename()))
            continue
        seen.add(ctype)
        before, after = decoded(o), decoded(g)
        if ctype == "text/plain":
            if not after.endswith(before):
                fail("text part does not end with the original text")
            banner = after[:len(after) - len(before)].decode("utf-8")
        else:
            m = re.search(rb'<div style="[^"]*border:2px solid #c62828.*?</div>\r?\n', after, re.S)
            if not m:
                fail("no banner <div> in the HTML part")
            if after[:m.start()] + after[m.end():] != before:
                fail("HTML part is not the original with the banner inserted")
            if not re.fullmatch(rb"(\xef\xbb\xbf)?(\s*<!doctype[^>]*>)?", after[:m.start()], re.I):
                fail("HTML banner is not before the sender's markup")
            banner = m.group(0).decode("utf-8")
        for want in ("CAUTION", "Signs found", "blocked-url[.]test", report):
            if want not in banner:
                fail("%s banner lacks %r:\n%s" % (ctype, want, banner))
        if "blocked-url.test" in banner:
            fail("%s banner holds a live domain:\n%s" % (ctype, banner))
    if seen != {"text/plain", "text/html"}:
        fail("banner expected in a text and an HTML part, found in %s" % sorted(seen))


def cmd_find(maildir, msgid, seconds="15"):
    want = ("<%s>" % msgid.strip("<>")).encode()
    deadline = time.time() + float(seconds)
    while time.time() < deadline:
        for sub in ("new", "cur"):
            d = os.path.join(maildir, sub)
            for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
                path = os.path.join(d, name)
                with open(path, "rb") as f:
                    head = lf(f.read(65536)).split(b"\n\n", 1)[0]
                if re.search(rb"(?im)^message-id:\s*" + re.escape(want), head):
                    print(path)
                    return
        time.sleep(0.1)
    fail("no delivered message with Message-ID %s" % want.decode())


def load_corpus(path):
    files = sorted(os.path.join(r, f) for r, _, fs in os.walk(path) for f in fs if f.endswith(".eml"))
    return [lf(open(p, "rb").read()) for p in files]


def make_message(i, prefix, corpus):
    if corpus:
        raw = corpus[i % len(corpus)]
        head, _, body = raw.partition(b"\n\n")
        # Drop the corpus's own envelope line, and stamp the test id first.
        head = b"\n".join(l for l in head.split(b"\n") if not l.startswith(b"From "))
        return b"X-Test-Id: %s-%d\n" % (prefix.encode(), i) + head + b"\n\n" + body
    return (b"X-Test-Id: %s-%d\nFrom: Load <%s@outside.test>\nTo: user@example.com\n"
            b"Subject: load test %d\nMessage-ID: <%s-%d@outside.test>\n\n"
            b"Message number %d of the load test.\n" % (prefix.encode(), i, prefix.encode(), i,
                                                         prefix.encode(), i, i))


def cmd_bulk(port, count, prefix, threads, corpus_dir=None):
    count, threads = int(count), int(threads)
    corpus = load_corpus(corpus_dir) if corpus_dir else None
    lock = threading.Lock()
    counts = {"accepted": 0, "tempfailed": 0, "rejected": 0, "errors": 0}
    todo = iter(range(count))

    def next_index():
        with lock:
            return next(todo, None)

    def note(what):
        with lock:
            counts[what] += 1

    def worker():
        conn = None
        while True:
            i = next_index()
            if i is None:
                break
            try:
                if conn is None:
                    conn = smtplib.SMTP("127.0.0.1", int(port), timeout=120)
                    conn.ehlo("bulk.outside.test")
                msg = make_message(i, prefix, corpus).replace(b"\n", b"\r\n")
                conn.sendmail("%s@outside.test" % prefix, ["user@example.com"], msg)
                note("accepted")
            except smtplib.SMTPResponseException as e:
                note("tempfailed" if 400 <= e.smtp_code < 500 else "rejected")
                try:
                    conn.rset()
                except Exception:
                    conn = None
            except smtplib.SMTPRecipientsRefused as e:
                code = list(e.recipients.values())[0][0]
                note("tempfailed" if 400 <= code < 500 else "rejected")
            except (OSError, smtplib.SMTPException):
                note("errors")
                conn = None
        if conn is not None:
            try:
                conn.quit()
            except Exception:
                pass

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    print(" ".join("%s=%d" % kv for kv in counts.items()))


def cmd_count(maildir, prefix):
    ids, files = set(), 0
    pat = re.compile(rb"(?im)^x-test-id:\s*" + re.escape(prefix.encode()) + rb"-(\d+)\s*$")
    for sub in ("new", "cur"):
        d = os.path.join(maildir, sub)
        for name in os.listdir(d) if os.path.isdir(d) else []:
            with open(os.path.join(d, name), "rb") as f:
                m = pat.search(lf(f.read(65536)).split(b"\n\n", 1)[0])
            if m:
                files += 1
                ids.add(m.group(1))
    print("files=%d unique=%d" % (files, len(ids)))


COMMANDS = {"unchanged": cmd_unchanged, "header": cmd_header, "banner": cmd_banner, "find": cmd_find,
            "bulk": cmd_bulk, "count": cmd_count}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        sys.exit(2)
    COMMANDS[sys.argv[1]](*sys.argv[2:])
