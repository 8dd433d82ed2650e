#!/usr/bin/env python3
"""smtp_talk: plays an SMTP conversation the way a person at telnet would.

    smtp_talk.py HOST PORT [--bind ADDR] [--smtps] [--cafile F]
                 [--cert F --key F] [--sni NAME] < script

Each script line is sent after the reply to the previous one has arrived;
the lines after a DATA command that got 354, up to ".", are sent at once.
Prints the transcript: "C: line" for what was sent, "S: line" for each
reply line, and "S: <closed>" when the server closed the connection.

TLS: a script line "STARTTLS" that gets a 220 reply starts a TLS handshake
(verifying the server against --cafile when given, presenting --cert and
--key); "STARTTLS <<TEXT" sends TEXT in the same write as the command, with
"\\r\\n" in TEXT standing for CR LF: what a client pipelines behind STARTTLS.
--smtps does the handshake right after connecting, before the greeting.
Each handshake prints "T: version=... cipher=... subject=... verified=yes|no",
or "T: handshake failed: reason" (and the conversation ends).
"""
import socket
import ssl
import sys


def read_reply(f):
    lines = []
    while True:
        try:
            line = f.readline()
        except (ConnectionError, ssl.SSLError, socket.timeout) as e:
            line = b""
        if not line:
            lines.append("<closed>")
            return lines
        line = line.rstrip(b"\r\n").decode("latin-1")
        lines.append(line)
        if len(line) < 4 or line[3] != "-":
            return lines


def option(name, default=None):
    if name in sys.argv:
        return sys.argv[sys.argv.index(name) + 1]
    return default


def start_tls(s):
    """Wraps s in TLS; returns the TLS socket, or None after printing why not."""
    cafile = option("--cafile")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    if cafile:
        ctx.load_verify_locations(cafile)
        ctx.verify_mode = ssl.CERT_OPTIONAL
    else:
        ctx.verify_mode = ssl.CERT_NONE
    if option("--cert"):
        ctx.load_cert_chain(option("--cert"), option("--key"))
    try:
        t = ctx.wrap_socket(s, server_hostname=option("--sni", "localhost"))
    except (ssl.SSLError, OSError) as e:
        print("T: handshake failed: %s" % e)
        return None
    cert = t.getpeercert() if cafile else None
    subject = ""
    if cert:
        subject = ",".join("%s=%s" % kv for rdn in cert.get("subject", ()) for kv in rdn)
    print("T: version=%s cipher=%s subject=%s verified=%s" % (
        t.version(), t.cipher()[0], subject, "yes" if cert else "no"))
    return t


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    bind = None
    if "--bind" in sys.argv:
        bind = (option("--bind"), 0)
    s = socket.create_connection((host, port), timeout=30, source_address=bind)
    if "--smtps" in sys.argv:
        s = start_tls(s)
        if s is None:
            return
    f = s.makefile("rb")
    for l in read_reply(f):
        print("S: " + l)
    script = sys.stdin.read().split("\n")
    if script and script[-1] == "":
        script.pop()
    i = 0
    while i < len(script):
        line = script[i]
        i += 1
        extra = b""
        if line.upper().startswith("STARTTLS <<"):
            extra = line[len("STARTTLS <<"):].replace("\\r\\n", "\r\n").encode("latin-1")
            line = line[:len("STARTTLS")]
        try:
            s.sendall(line.encode("latin-1") + b"\r\n" + extra)
        except OSError:
            print("S: <closed>")
            break
        print("C: " + line + (" <<" + repr(extra) if extra else ""))
        rep = read_reply(f)
        for l in rep:
            print("S: " + l)
        if rep[-1] == "<closed>":
            break
        if line.upper() == "STARTTLS" and rep[0].startswith("220"):
            s = start_tls(s)
            if s is None:
                break
            f = s.makefile("rb")
        if line.upper() == "DATA" and rep[0].startswith("354"):
            body = []
            while i < len(script):
                body.append(script[i])
                i += 1
                if body[-1] == ".":
                    break
            s.sendall(("\r\n".join(body) + "\r\n").encode("latin-1"))
            for b in body:
                print("C: " + b)
            for l in read_reply(f):
                print("S: " + l)
    s.close()


if __name__ == "__main__":
    main()
