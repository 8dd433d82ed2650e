#!/usr/bin/env python3
"""fake_smtpd: a scripted SMTP server on loopback, to test Petrel's client.

    fake_smtpd.py --port-file F --log F [--port N] [--cert F --key F] [--no-starttls]
                  [--inject TEXT] [--garbage] [--auth MECHS --user U --password P]
                  [--addr A] [--rcpt-reply TEXT=REPLY]... [--greeting REPLY]

Listens on --addr (127.0.0.1 by default), on --port or a free port (written to --port-file
once it listens), and serves connections one after the other until killed.  Every
line a client sends is appended to --log as "C<n>: line" (n counts
connections), with "T<n>: TLS up" after a handshake and "T<n>: handshake
failed" otherwise; message bodies are logged line by line as "D<n>: ...".

EHLO offers PIPELINING, 8BITMIME, SIZE, ENHANCEDSTATUSCODES, and STARTTLS
when a certificate is given (and --no-starttls is not).  After STARTTLS's
220 the server sends --inject's text in the same write (CR LF for "\\r\\n"):
a response pipelined behind 220 that a careful client throws away.  With
--garbage it then writes plain text instead of doing the handshake.  With
--auth, EHLO offers AUTH with those mechanisms (over TLS only) and PLAIN and
LOGIN are checked against --user and --password; MAIL is refused with 530
until the client authenticated.  With --close-after N the server drops each
connection without a word after its Nth message (as a server that times an
idle client out does).  --addr A listens on A instead of 127.0.0.1 (an IPv6 address too).  With
--parallel each connection is served in a thread of its own, and each
connection's first log line (O) says how many were open at that moment.
--rcpt-reply TEXT=REPLY (repeatable) answers REPLY (for example "451 4.2.0
try later") to a RCPT whose argument contains TEXT; --greeting replaces the 220 banner (a 421 or 554 refuses the session).
--mail-reply REPLY answers every MAIL with REPLY, --data-reply REPLY every
DATA (instead of 354), --dot-reply REPLY every message's final dot (instead
of 250).  As a real server, a RCPT without a MAIL taken is answered 503,
and so is a DATA without a recipient taken.  --ehlo-reply REPLY answers EHLO with REPLY (a client falls back to
HELO), --helo-reply REPLY answers HELO with it.
A command read while more input had already arrived behind it (a
pipelining client) is also logged as "P<n>: VERB came with more behind it";
--no-pipelining leaves PIPELINING out of the EHLO reply; --ehlo-ext TEXT (repeatable)
adds TEXT (for example "DELIVERBY 60") to it.
"""
import base64
import socket
import ssl
import sys
import threading

LOCK = threading.Lock()
OPEN = [0]


def option(name, default=None):
    if name in sys.argv:
        return sys.argv[sys.argv.index(name) + 1]
    return default


def options(name):
    return [sys.argv[i + 1] for i, a in enumerate(sys.argv[:-1]) if a == name]


class Conn:
    def __init__(self, sock, n, log):
        self.sock, self.n, self.log = sock, n, log
        self.buf = b""
        self.tls = False
        self.authed = False
        self.mail, self.rcpts = False, 0  # a MAIL taken, the recipients taken since
        self.messages = 0

    def say(self, text):
        self.sock.sendall(text.encode() + b"\r\n")

    def line(self):
        while b"\n" not in self.buf:
            d = self.sock.recv(65536)
            if not d:
                break
            self.buf += d
        if not self.buf:
            return None
        l, _, self.buf = self.buf.partition(b"\n")
        return l.rstrip(b"\r\n").decode("latin-1")

    def record(self, kind, text):
        with LOCK:
            self.log.write("%s%d: %s\n" % (kind, self.n, text))
            self.log.flush()

    def ehlo(self, arg):
        lines = ["fake.test Hello " + arg, "PIPELINING", "8BITMIME", "SIZE 10000000",
                 "ENHANCEDSTATUSCODES"]
        if "--no-pipelining" in sys.argv:
            lines.remove("PIPELINING")
        lines[1:1] = options("--ehlo-ext")
        if option("--cert") and "--no-starttls" not in sys.argv and not self.tls:
            lines.append("STARTTLS")
        if option("--auth") and self.tls and not self.authed:
            lines.append("AUTH " + option("--auth"))
        for l in lines[:-1]:
            self.say("250-" + l)
        self.say("250 " + lines[-1])

    def starttls(self):
        inject = option("--inject", "").replace("\\r\\n", "\r\n")
        self.sock.sendall(b"220 2.0.0 Ready to start TLS\r\n" + inject.encode())
        if "--garbage" in sys.argv:
            self.sock.sendall(b"this is not TLS\r\n" * 20)
            self.record("T", "handshake failed (garbage sent)")
            return False
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(option("--cert"), option("--key"))
        try:
            self.sock = ctx.wrap_socket(self.sock, server_side=True)
        except (ssl.SSLError, OSError) as e:
            self.record("T", "handshake failed: %s" % e)
            return False
        self.buf = b""
        self.tls = True
        self.record("T", "TLS up")
        return True

    def check(self, user, password):
        ok = user == option("--user") and password == option("--password")
        if ok:
            self.authed = True
            self.say("235 2.0.0 OK Authenticated")
        else:
            self.say("535 5.7.0 authentication failed")
        self.record("A", "user=%s %s" % (user, "ok" if ok else "refused"))

    def auth(self, arg):
        words = arg.split()
        mech = words[0].upper() if words else ""
        if mech == "PLAIN":
            resp = words[1] if len(words) > 1 else None
            if resp is None:
                self.say("334 ")
                resp = self.line()
            parts = base64.b64decode(resp).split(b"\0")
            self.check(parts[1].decode(), parts[2].decode())
        elif mech == "LOGIN":
            self.say("334 " + base64.b64encode(b"Username:").decode())
            user = base64.b64decode(self.line()).decode()
            self.say("334 " + base64.b64encode(b"Password:").decode())
            self.check(user, base64.b64decode(self.line()).decode())
        else:
            self.say("504 5.3.3 mechanism not available")

    def data(self):
        if option("--data-reply"):
            self.say(option("--data-reply"))
            return
        self.say("354 go ahead")
        while True:
            l = self.line()
            if l is None or l == ".":
                break
            self.record("D", l)
        self.say(option("--dot-reply", "250 2.0.0 fake-id Message accepted"))
        self.messages += 1

    def rcpt_reply(self, arg):
        for spec in options("--rcpt-reply"):
            text, reply = spec.split("=", 1)
            if text.lower() in arg.lower():
                return reply
        return "250 2.0.0 OK"

    def serve(self):
        greeting = option("--greeting", "220 fake.test ESMTP fake")
        self.say(greeting)
        if not greeting.startswith("220"):
            self.record("C", "(refused with %s)" % greeting)
            return
        while True:
            l = self.line()
            if l is None:
                return
            self.record("C", l)
            verb = l.split(" ")[0].upper()
            if self.buf:
                self.record("P", "%s came with more behind it" % verb)
            arg = l[len(verb) + 1:]
            if verb == "EHLO" and option("--ehlo-reply"):
                self.say(option("--ehlo-reply"))
            elif verb in ("EHLO", "LHLO"):
                self.ehlo(arg)
            elif verb == "HELO":
                self.say(option("--helo-reply", "250 fake.test"))
            elif verb == "STARTTLS":
                if not self.starttls():
                    return
            elif verb == "AUTH":
                self.auth(arg)
            elif verb == "MAIL" and option("--auth") and not self.authed:
                self.say("530 5.7.0 Authentication required")
            elif verb == "MAIL":
                reply = option("--mail-reply", "250 2.0.0 OK")
                self.mail, self.rcpts = reply.startswith("2"), 0
                self.say(reply)
            elif verb == "RCPT" and not self.mail:
                self.say("503 5.5.1 need MAIL first")
            elif verb == "RCPT":
                reply = self.rcpt_reply(arg)
                self.rcpts += reply.startswith("2")
                self.say(reply)
            elif verb in ("RSET", "NOOP"):
                if verb == "RSET":
                    self.mail, self.rcpts = False, 0
                self.say("250 2.0.0 OK")
            elif verb == "DATA" and not self.rcpts:
                self.say("503 5.5.1 no valid recipients")
            elif verb == "DATA":
                self.data()
                self.mail, self.rcpts = False, 0
                if option("--close-after") and self.messages == int(option("--close-after")):
                    self.record("X", "closed after %d messages" % self.messages)
                    return
            elif verb == "QUIT":
                self.say("221 2.0.0 bye")
                return
            else:
                self.say("500 5.5.1 unknown")


def handle(s, n, log):
    """Serves connection number n on socket s, then closes it."""
    s.settimeout(30)
    conn = Conn(s, n, log)
    with LOCK:
        OPEN[0] += 1
        now = OPEN[0]
    if "--parallel" in sys.argv:
        conn.record("O", "%d open" % now)
    try:
        conn.serve()
    except (OSError, ssl.SSLError, ValueError, IndexError) as e:
        conn.record("E", str(e))
    with LOCK:
        OPEN[0] -= 1
    try:
        s.close()
    except OSError:
        pass


def main():
    log = open(option("--log"), "a")
    addr = option("--addr", "127.0.0.1")
    srv = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, int(option("--port", "0"))))
    srv.listen(64)
    with open(option("--port-file") + ".tmp", "w") as f:
        f.write(str(srv.getsockname()[1]))
    import os
    os.rename(option("--port-file") + ".tmp", option("--port-file"))
    n = 0
    while True:
        s, _ = srv.accept()
        n += 1
        if "--parallel" in sys.argv:
            threading.Thread(target=handle, args=(s, n, log), daemon=True).start()
        else:
            handle(s, n, log)


if __name__ == "__main__":
    main()
