#!/usr/bin/env python3
"""tls_auth_oracle.py: the same STARTTLS and AUTH dialogues against upstream
sendmail's daemon and Petrel's, both loading the cf upstream's m4 package
made, both reading the same sasldb; prints TAP lines (numbered X, renumbered
by the caller) comparing each reply, then the log lines both wrote.

    tls_auth_oracle.py TALK UPSTREAM-PORT PETREL-PORT SYSLOG WORKDIR
"""
import base64
import re
import subprocess
import sys

talk, up_port, pt_port, syslog, work = sys.argv[1:6]


def b64(s):
    return base64.b64encode(s.encode()).decode()


GOOD = b64("\0alice\0secret")
BAD = b64("\0alice\0wrong")

DIALOGUES = [
    ("commands in clear", "EHLO client.test\nSTARTTLS foo\nMAIL FROM:<a@example.test>\nSTARTTLS\n"
     "RSET\nAUTH\nAUTH FOO\nAUTH PLAIN %s\nAUTH CRAM-MD5 !!!\nAUTH CRAM-MD5\n*\n"
     "AUTH CRAM-MD5\n!!!\nMAIL FROM:<a@example.test>\nAUTH CRAM-MD5\nQUIT\n" % GOOD),
    ("PLAIN over TLS", "EHLO client.test\nSTARTTLS\nEHLO client.test\nSTARTTLS\n"
     "AUTH PLAIN %s\nAUTH PLAIN %s\nAUTH PLAIN %s\nMAIL FROM:<a@example.test>\n"
     "RCPT TO:<victim@remote.example>\nQUIT\n" % (BAD, GOOD, GOOD)),
    ("LOGIN over TLS", "EHLO client.test\nSTARTTLS\nEHLO client.test\nAUTH LOGIN\n%s\n%s\n"
     "AUTH LOGIN\nQUIT\n" % (b64("alice"), b64("secret"))),
    ("LOGIN as an unknown user", "EHLO client.test\nSTARTTLS\nEHLO client.test\nAUTH LOGIN\n%s\n%s\n"
     "QUIT\n" % (b64("mallory"), b64("secret"))),
    ("EXTERNAL with a client certificate", "EHLO client.test\nSTARTTLS\nEHLO client.test\n"
     "AUTH EXTERNAL =\nMAIL FROM:<probe@example.test>\nQUIT\n"),
    ("check_mail error texts", "EHLO client.test\nMAIL FROM:<text1@example.test>\nMAIL FROM:<text2@example.test>\n"
     "MAIL FROM:<text3@example.test>\nMAIL FROM:<text4@example.test>\nQUIT\n"),
    ("relaying from 127.0.0.2", "EHLO client.test\nMAIL FROM:<a@example.test>\n"
     "RCPT TO:<victim@remote.example>\nRSET\nSTARTTLS\nEHLO client.test\nAUTH PLAIN %s\n"
     "MAIL FROM:<a@example.test>\nRCPT TO:<victim@remote.example>\nQUIT\n" % GOOD),
]



def tap(good, what, detail=""):
    print("%s X - %s" % ("ok" if good else "not ok", what))
    if not good:
        for l in detail.splitlines():
            print("#   " + l)


def run(port, script, bind, cert):
    """The transcript as (command, [reply lines]) pairs, greeting first."""
    args = ["--bind", "127.0.0.2"] if bind else []
    if cert:
        args += ["--cert", work + "/cert.pem", "--key", work + "/key.pem"]
    out = subprocess.run(["python3", talk, "127.0.0.1", port] + args, input=script.encode(),
                         capture_output=True, timeout=60).stdout.decode("latin-1")
    pairs, cmd = [], "(greeting)"
    for line in out.splitlines():
        if line.startswith("C: "):
            pairs.append((cmd, []))
            cmd = line[3:]
        elif line.startswith("S: ") and pairs and pairs[-1][0] == cmd:
            pairs[-1][1].append(line[3:])
        elif line.startswith("S: "):
            pairs.append((cmd, [line[3:]]))
        elif line.startswith("T: "):
            pairs.append(("(handshake)", ["TLS" if "version=" in line else line]))
    return [p for p in pairs if p[1]]


def normal(cmd, lines):
    """A reply with what legitimately differs left out: names, dates, challenges."""
    out = []
    for l in lines:
        if cmd in ("(greeting)",) or "Hello " in l or "closing connection" in l or \
                "Relaying denied" in l:
            l = l[:4] + "..."
        if cmd.upper().startswith("AUTH CRAM-MD5") and l.startswith("334 "):
            l = "334 <challenge>"
        out.append(l)
    return out


for name, script in DIALOGUES:
    bind, cert = "127.0.0.2" in name, "certificate" in name
    up, pt = run(up_port, script, bind, cert), run(pt_port, script, bind, cert)
    tap(len(up) == len(pt), "%s: as many replies as upstream (%d)" % (name, len(up)),
        "upstream: %r\npetrel:   %r" % (up, pt))
    for (ucmd, ul), (pcmd, pl) in zip(up, pt):
        a, b = normal(ucmd, ul), normal(pcmd, pl)
        tap(a == b, "%s: %s -> %s" % (name, ucmd, a[-1] if a else ""),
            "upstream: %s\npetrel:   %s" % ("\n          ".join(a), "\n          ".join(b)))

# log lines: the same shapes from both, once a changing value is masked
PATTERNS = [r"AUTH failure \(", r"AUTH=server, ", r"STARTTLS=server, relay="]


def lines_of(tag):
    got = []
    for l in open(syslog, encoding="latin-1"):
        m = re.match(r"<\d+>\w+ +\d+ [\d:]+ %s\[\d+\]: (?:\w{14}: )?(.*)$" % tag, l.rstrip("\n"))
        if m and any(re.match(p, m.group(1)) for p in PATTERNS):
            got.append(re.sub(r"cipher=[^,]+|bits=\d+/\d+", "...", m.group(1)))
    return sorted(set(got))


up_logs, pt_logs = lines_of("sendmail"), lines_of("petrel")
tap(len(up_logs) >= 4, "upstream logged its STARTTLS and AUTH lines (%d kinds)" % len(up_logs),
    "\n".join(up_logs))
for l in up_logs:
    tap(l in pt_logs, "Petrel logs as upstream: %s" % l, "petrel's lines:\n" + "\n".join(pt_logs))
