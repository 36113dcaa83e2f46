#!/usr/bin/env python3
"""milterclient.py: plays the MTA's side of the milter protocol (version 6,
as libmilter speaks it) against `leakguard milter` for one message, without
Postfix, and prints the message as it would be delivered: the original
headers with the milter's header changes, and its replacement body.
Standard library only; used by tests/security/test_banner.sh.

  milterclient.py PORT MESSAGE-FILE > DELIVERED
"""
import socket
import struct
import sys

NR = {"C": 0x1000, "H": 0x2000, "M": 0x4000, "R": 0x8000, "T": 0x10000, "L": 0x80, "N": 0x40000, "B": 0x80000}
NO = {"C": 0x1, "H": 0x2, "M": 0x4, "R": 0x8, "B": 0x10, "L": 0x20, "N": 0x40, "T": 0x200}


def send(s, cmd, data=b""):
    s.sendall(struct.pack(">I", len(data) + 1) + cmd.encode() + data)


def recv(s):
    head = b""
    while len(head) < 4:
        chunk = s.recv(4 - len(head))
        if not chunk:
            raise SystemExit("milter closed the connection")
        head += chunk
    n = struct.unpack(">I", head)[0]
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise SystemExit("milter closed the connection")
        data += chunk
    return chr(data[0]), data[1:]


def main():
    port, path = int(sys.argv[1]), sys.argv[2]
    raw = open(path, "rb").read().replace(b"\r\n", b"\n")
    head, _, body = raw.partition(b"\n\n")
    headers = []
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t") and headers:
            headers[-1][1] += b"\r\n" + line
        else:
            name, _, value = line.partition(b":")
            headers.append([name, value.lstrip(b" ")])
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    send(s, "O", struct.pack(">III", 6, 0x1FF, 0x1FFFFF))
    cmd, data = recv(s)
    assert cmd == "O", cmd
    proto = struct.unpack(">III", data[:12])[2]
    changes, newbody, final = [], None, None

    def step(cmd, data=b""):
        if proto & NO.get(cmd, 0):
            return
        send(s, cmd, data)
        if proto & NR.get(cmd, 0):
            return
        while True:
            c, d = recv(s)
            if c != "p":
                return c

    send(s, "D", b"C" + b"j\0mx.example.com\0")
    step("C", b"outside.example\0" + b"4" + struct.pack(">H", 40000) + b"203.0.113.5\0")
    step("H", b"outside.example\0")
    send(s, "D", b"M" + b"i\0QID1\0")
    step("M", b"<sender@outside.example>\0")
    step("R", b"<user@example.com>\0")
    step("T")
    for name, value in headers:
        step("L", name + b"\0" + value + b"\0")
    step("N")
    wire = body.replace(b"\n", b"\r\n")
    for i in range(0, len(wire), 65535):
        step("B", wire[i:i + 65535])
    send(s, "E")
    while final is None:
        c, d = recv(s)
        if c == "b":
            newbody = (newbody or b"") + d
        elif c in "hmi":
            changes.append((c, d))
        elif c in "acrtdy":
            final = c
    send(s, "Q")
    s.close()
    for c, d in changes:
        if c == "m":
            idx = struct.unpack(">I", d[:4])[0]
            name, value = d[4:].split(b"\0")[:2]
            hits = [h for h in headers if h[0].lower() == name.lower()]
            if idx and len(hits) >= idx:
                if value:
                    hits[idx - 1][1] = value
                else:
                    headers.remove(hits[idx - 1])
            elif value:
                headers.append([name, value])
        else:
            parts = (d[4:] if c == "i" else d).split(b"\0")
            headers.insert(0, [parts[0], parts[1]])
    out = b"".join(n + b": " + v + b"\r\n" for n, v in headers) + b"\r\n"
    out += newbody if newbody is not None else wire
    sys.stdout.buffer.write(out)
    sys.stderr.write("milter: %s, body %s\n" % (final, "replaced" if newbody is not None else "kept"))


main()
