#!/usr/bin/env python3
"""blast.py: sends real messages from a corpus to an SMTP server as fast as a
given number of parallel sessions allows, then waits until each accepted
message is accounted for. Used by bench/milter.sh; standard library only.

Why not smtp-source: it sends one generated message, or with -F one file,
over and over; it cannot draw different messages from a corpus. This does
what smtp-source does otherwise: SMTP PIPELINING (MAIL, RCPT and DATA in
one write), many sessions, several messages per session.

  blast.py PORT COUNT SESSIONS SENDER CORPUS-DIR MAILDIR POSTFIX-CONFIG-DIR

Sends COUNT messages, spread evenly over the sorted *.eml files under
CORPUS-DIR, from envelope sender SENDER to user@example.com. The clock runs
from the first connection until every message the server accepted is
delivered to MAILDIR or held in Postfix's hold queue. Prints one JSON line:
sent, accepted, tempfailed, rejected, errors, delivered, held, seconds,
msgs_per_sec, and the client-side time from end of DATA to the reply
(data_ms_p50, data_ms_p99).
"""
import asyncio
import json
import os
import subprocess
import sys
import time


def load(corpus, count):
    files = sorted(os.path.join(r, f) for r, _, fs in os.walk(corpus) for f in fs if f.endswith(".eml"))
    if not files:
        sys.exit("blast.py: no .eml files under %s" % corpus)
    out = []
    for i in range(count):
        raw = open(files[i * len(files) // count], "rb").read().replace(b"\r\n", b"\n")
        lines = raw.split(b"\n")
        if lines and lines[0].startswith(b"From "):
            lines = lines[1:]  # an mbox envelope line is no header
        if lines and lines[-1] == b"":
            lines = lines[:-1]
        body = b"".join((b"." + l if l.startswith(b".") else l) + b"\r\n" for l in lines)
        out.append(body + b".\r\n")
    return out


async def reply(reader):
    """Reads one (possibly multi-line) reply; returns its code."""
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("connection closed")
        if len(line) < 4 or line[3:4] != b"-":
            return int(line[:3])


async def session(port, sender, messages, todo, stats, latencies):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await reply(reader)
    writer.write(b"EHLO blast.bench.invalid\r\n")
    await reply(reader)
    envelope = b"MAIL FROM:<%s>\r\nRCPT TO:<user@example.com>\r\nDATA\r\n" % sender.encode()
    while todo:
        msg = messages[todo.pop()]
        writer.write(envelope)
        codes = [await reply(reader) for _ in range(3)]
        if codes[2] != 354:
            failed = next(c for c in codes if c >= 400)
            stats["tempfailed" if failed < 500 else "rejected"] += 1
            writer.write(b"RSET\r\n")
            await reply(reader)
            continue
        t0 = time.monotonic()
        writer.write(msg)
        code = await reply(reader)
        latencies.append((time.monotonic() - t0) * 1000)
        stats["accepted" if code < 400 else "tempfailed" if code < 500 else "rejected"] += 1
    writer.write(b"QUIT\r\n")
    await writer.drain()
    writer.close()


def held(pfconf, sender):
    out = subprocess.run(["postqueue", "-c", pfconf, "-j"], capture_output=True, text=True).stdout
    return sum(1 for l in out.splitlines()
               if json.loads(l).get("queue_name") == "hold" and json.loads(l).get("sender") == sender)


def count_files(maildir):
    return sum(len(os.listdir(os.path.join(maildir, d))) for d in ("new", "cur")
               if os.path.isdir(os.path.join(maildir, d)))


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))] if values else 0.0


async def main(port, count, sessions, sender, corpus, maildir, pfconf):
    messages = load(corpus, count)
    todo = list(range(count - 1, -1, -1))
    stats = {"accepted": 0, "tempfailed": 0, "rejected": 0, "errors": 0}
    latencies = []
    before = count_files(maildir)
    start = time.monotonic()
    results = await asyncio.gather(*(session(port, sender, messages, todo, stats, latencies)
                                     for _ in range(sessions)), return_exceptions=True)
    stats["errors"] = sum(1 for r in results if isinstance(r, Exception))
    # Accounted for: delivered to the Maildir or held. Polling the queue is
    # costly, so ask it only once the Maildir stops short of the total.
    deadline, h = time.monotonic() + 120, 0
    while time.monotonic() < deadline:
        delivered = count_files(maildir) - before
        if delivered >= stats["accepted"]:
            break
        if delivered + (h := held(pfconf, sender)) >= stats["accepted"]:
            break
        time.sleep(0.02)
    seconds = time.monotonic() - start
    delivered = count_files(maildir) - before
    h = held(pfconf, sender)
    print(json.dumps(dict(sent=count, **stats, delivered=delivered, held=h, seconds=round(seconds, 3),
                          msgs_per_sec=round(count / seconds, 1),
                          data_ms_p50=round(percentile(latencies, 50), 2),
                          data_ms_p99=round(percentile(latencies, 99), 2))))


if __name__ == "__main__":
    if len(sys.argv) != 8:
        print(__doc__)
        sys.exit(2)
    a = sys.argv[1:]
    asyncio.run(main(int(a[0]), int(a[1]), int(a[2]), a[3], a[4], a[5], a[6]))
