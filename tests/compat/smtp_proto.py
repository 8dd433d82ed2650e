#!/usr/bin/env python3
"""smtp_proto.py: puts Petrel's SMTP parsing layer (tests/tools/smtp_probe)
beside upstream sendmail 8.17 (run with -bs on a private cf) on the same
command lines and the same DATA streams, and prints TAP lines.

Usage: smtp_proto.py WORKDIR SENDMAIL PROBE
WORKDIR holds the cf files (t.cf, nul.cf, sf_*.cf), mqueue/ and resolv.conf.
"""
import os, re, select, subprocess, sys, time

work, sendmail, probe = sys.argv[1:4]
n = 0
failed = 0


def tap(good, what, detail=""):
    global n, failed
    n += 1
    print("%sok %d - %s" % ("" if good else "not ", n, what))
    if not good:
        failed += 1
        for line in detail.splitlines():
            print("#   " + line)
    sys.stdout.flush()


class Oracle:
    """One upstream -bs session in private UTS and mount namespaces."""

    def __init__(self, cf):
        script = ('mount --bind "$0/resolv.conf" /etc/resolv.conf && '
                  'hostname mx.example.test && exec "$1" -C "$2" -odq -bs')
        self.p = subprocess.Popen(
            ["unshare", "-m", "-u", "sh", "-c", script, work, sendmail,
             os.path.join(work, cf)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=work)
        self.buf = b""
        self.reply()

    def reply(self, t=15):
        end = time.time() + t
        while True:
            m = re.search(rb'(^|\n)(\d{3}) [^\n]*\n', self.buf)
            if m:
                r, self.buf = self.buf[:m.end()], self.buf[m.end():]
                return r.decode("latin1").rstrip("\r\n").split("\r\n")[-1]
            r, _, _ = select.select([self.p.stdout], [], [], max(0, end - time.time()))
            if not r:
                return "(timeout)"
            d = os.read(self.p.stdout.fileno(), 65536)
            if not d:
                return "(eof)"
            self.buf += d

    def send(self, data):
        try:
            self.p.stdin.write(data)
            self.p.stdin.flush()
        except BrokenPipeError:
            pass

    def cmd(self, line):
        self.send(line + b"\r\n")
        return self.reply()

    def close(self):
        try:
            self.p.stdin.close()
        except BrokenPipeError:
            pass
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def probe_cmds(lines):
    out = subprocess.run([probe, "cmd"], input=b"".join(l + b"\r\n" for l in lines),
                         capture_output=True, timeout=30).stdout.decode("latin1")
    return out.splitlines()


# Command lines whose fate the parsing layer decides: (line, needs MAIL first).
# Not here on purpose: a byte that strips to NUL (0x80) in an unknown command,
# where upstream cuts its whole reply short, closing quote included.
CMDS = [
    (b"MAIL FROM:<a@b.example>", 0), (b"MAIL FROM: <a@b.example>", 0),
    (b"MAIL FROM :<a@b.example>", 0), (b"mail from:a@b.example", 0), (b"MAIL FROM:<>", 0),
    (b"MAIL FROM:", 0), (b"MAIL", 0), (b"MAIL FRM:<a@b.example>", 0),
    (b"MAIL FROMx:<a@b.example>", 0), (b"MAIL FROM<a@b.example>", 0),
    (b"MAIL FROM:<a@b.example", 0), (b"MAIL FROM:a@b.example>", 0),
    (b"MAIL FROM:<a@b x", 0), (b"MAIL FROM:a>b SIZE=1", 0), (b'MAIL FROM:"a@b.example', 0),
    (b"MAIL FROM:a(b@c.example", 0), (b"MAIL FROM:a)b@c.example", 0),
    (b"MAIL FROM:<a@b.example>SIZE=10", 0), (b"MAIL FROM:<a b@b.example>", 0),
    (b'MAIL FROM:"a b"@c.example SIZE=1', 0), (b"MAIL FROM:<a@b.example>\tSIZE=10", 0),
    (b"MAIL FROM:<a@b.example> (comment)", 0), (b"MAIL FROM:<a@b.example> <c@d.example>", 0),
    (b"MAIL FROM: x y", 0), (b"MAIL FROM:<a@b.example> FOO=bar", 0),
    (b"MAIL FROM:<a@b.example> SIZE", 0), (b"MAIL FROM:<a@b.example> SIZE=abc", 0),
    (b"MAIL FROM:<a@b.example> SIZE=-1", 0),
    (b"MAIL FROM:<a@b.example> SIZE=99999999999999999999", 0),
    (b"MAIL FROM:<a@b.example> SIZE = 10", 0), (b"MAIL FROM:<a@b.example> SIZE=10=20", 0),
    (b"MAIL FROM:<a@b.example> SI_ZE=10", 0), (b"MAIL FROM:<a@b.example> SIZE=10,BODY=8BITMIME", 0),
    (b"MAIL FROM:<a@b.example> SIZE=1\x01BODY=8BITMIME", 0),
    (b"MAIL FROM:<a@b.example> BODY=8bitmime", 0), (b"MAIL FROM:<a@b.example> BODY=BINARYMIME", 0),
    (b"MAIL FROM:<a@b.example> BODY", 0), (b"MAIL FROM:<a@b.example> BODY=", 0),
    (b"MAIL FROM:<a@b.example> SMTPUTF8", 0), (b"MAIL FROM:<a@b.example> RET=foo", 0),
    (b"MAIL FROM:<a@b.example> RET=FULL RET=HDRS", 0), (b"MAIL FROM:<a@b.example> ENVID=a+zz", 0),
    (b"MAIL FROM:<a@b.example> ENVID=a+2b", 0), (b"MAIL FROM:<a@b.example> ENVID=a ENVID=b", 0),
    (b"MAIL FROM:<a@b.example> ENVID=a\xe9b", 0), (b"MAIL FROM:<a@b.example> ENVID=a\x7fb", 0),
    (b"MAIL FROM:<a@b.example> AUTH=<>", 0), (b"MAIL FROM:<a@b.example> AUTH=a+zz", 0),
    (b"MAIL FROM:<a@b.example> AUTH", 0), (b"MAIL FROM:<a@b.example> NOTIFY=NEVER", 0),
    (b"MAIL FROM:<a@b.example> BY=100;R", 0), (b"MAIL FROM:<a@b.example> BY=100", 0),
    (b"MAIL FROM:<a@b.example> BY=0;R", 0), (b"MAIL FROM:<a@b.example> BY=100;X", 0),
    (b"MAIL FROM:<a@b.example> BY=100;RX", 0),
    (b"RCPT TO:<root>", 1), (b"RCPT TO:root", 1), (b"RCPT TO:<root> NOTIFY=NEVER,SUCCESS", 1),
    (b"RCPT TO:<root> NOTIFY=foo", 1), (b"RCPT TO:<root> NOTIFY=SUCCESS,,FAILURE", 1),
    (b"RCPT TO:<root> NOTIFY", 1), (b"RCPT TO:<root> ORCPT=rfc822;a+zz", 1),
    (b"RCPT TO:<root> ORCPT=a@b", 1), (b"RCPT TO:<root> ORCPT=;a@b", 1),
    (b"RCPT TO:<root> ORCPT=rfc822;a ORCPT=rfc822;b", 1), (b"RCPT TO:<root> SIZE=10", 1),
    (b"RCPT TO:", 1), (b"RCPT root", 1),
    (b"EHLO", 0), (b"HELO a b", 0), (b"EHLO a<b>", 0), (b"EHLO [1.2.3.4]", 0),
    (b"HELO a\xe9b", 0), (b"XYZZY", 0), (b"XY\x01Z\xe9 abc", 0), (b"XY\x1bZ\tQ", 0), (b"NOOPx", 0),
]


def commands():
    mine = probe_cmds([c for c, _ in CMDS])
    for start in range(0, len(CMDS), 10):
        o = Oracle("t.cf")
        o.cmd(b"EHLO client.example")
        for i in range(start, min(start + 10, len(CMDS))):
            line, need_mail = CMDS[i]
            if need_mail:
                o.cmd(b"MAIL FROM:<a@b.example>")
            up = o.cmd(line)
            me = mine[i] if i < len(mine) else "(none)"
            good = (me == "ok" and up.startswith("2")) or me == up
            tap(good, "same answer as upstream to %r" % line,
                "upstream: %s\npetrel:   %s" % (up, me))
            o.cmd(b"RSET")
        o.cmd(b"QUIT")
        o.close()


# DATA streams: (cf, probe features, body).
DATA = [
    ("t.cf", [], b"Subject: t\r\n\r\nhello\r\n..x\r\n.y\r\n.\r\n"),
    ("t.cf", [], b"Subject: t\r\n\r\nhello\nworld\r\n.\r\n"),
    ("t.cf", [], b"Subject: t\r\n\r\nhello\rworld\r\n.\r\n"),
    ("t.cf", [], b"Subject: t\r\n\r\nhello\n.\nMAIL FROM:<evil@x>\r\n.\r\n"),
    ("t.cf", [], b"Subject: t\r\n\r\nhello\r\n.\nworld\r\n.\r\n"),
    ("t.cf", [], b"Subject: t\r\n\r\nhello\r\r\n.\r\n"),
    ("t.cf", [], b"Subject: t\r\n\r\nhello\x00world\r\n.\r\n"),
    ("t.cf", [], b"X y: z\r\nSubject: t\r\n\r\nhello\r\n.\r\n"),
    ("t.cf", [], b"Subject: t\r\n  cont\r\nX:\r\n:x\r\nY: 1\r\n\r\nhello\r\n.\r\n"),
    ("nul.cf", ["nul"], b"Subject: t\r\n\r\nhello\x00world\r\n.\r\n"),
    ("nul.cf", ["nul"], b"Subj\x00ect: t\r\n\r\nhello\r\n.\r\n"),
    ("sf_G.cf", ["G"], b"Subject: t\r\n\r\nhello\nworld\r\n.\r\n"),
    ("sf_G.cf", ["G"], b"Subject: t\r\n\r\nhello\r\n.\nworld\r\n.\r\n"),
    ("sf_G.cf", ["G"], b"Subject: t\r\n\r\nhello\n.\nMAIL FROM:<evil@x>\r\n.\r\n"),
    ("sf_U.cf", ["U"], b"Subject: t\r\n\r\nhello\r\n.\r\r\n.\rx\r\n.\r\n"),
    ("sf_u2g2.cf", ["u2", "g2"], b"Subject: t\r\n\r\nhello\n.\nMAIL FROM:<evil@x>\r\n.\r\n"),
    ("sf_u2g2.cf", ["u2", "g2"], b"Subject: t\r\n\r\nhello\r\n.\nworld\r\n.\r\n"),
    ("sf_OUG.cf", ["O", "U", "G"], b"Subject: t\r\n\r\nhello\n.\nMAIL FROM:<evil@x>\r\n.\r\n"),
    ("sf_OUG.cf", ["O", "U", "G"], b"Subject: t\r\nX: a\rb\nc\r\n\r\nhello\r\n.\r\n"),
]


def data():
    q = os.path.join(work, "mqueue")
    for cf, feats, body in DATA:
        for f in os.listdir(q):
            os.unlink(os.path.join(q, f))
        o = Oracle(cf)
        o.cmd(b"EHLO client.example")
        o.cmd(b"MAIL FROM:<a@b.example>")
        o.cmd(b"RCPT TO:<root>")
        o.cmd(b"DATA")
        o.send(body)
        up = o.reply()
        o.cmd(b"QUIT")
        o.close()
        if up.startswith("250"):
            dfs = [f for f in os.listdir(q) if f.startswith("df")]
            df = open(os.path.join(q, dfs[0]), "rb").read() if dfs else b"(no df)"
            up = "ok " + df.hex()
        me = subprocess.run([probe, "data"] + feats, input=body, capture_output=True,
                            timeout=30).stdout.decode("latin1").strip()
        tap(me == up, "DATA under %s: same outcome and body as upstream for %r" % (cf, body),
            "upstream: %s\npetrel:   %s" % (up, me))


commands()
data()
print("1..%d" % n)
sys.exit(1 if failed else 0)
