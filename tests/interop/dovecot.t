#!/usr/bin/env bash
# Dovecot reads what mail.local wrote: messages of every awkward shape are
# delivered into a private spool, then Debian's Dovecot, started here with a
# private configuration on loopback ports (mail_location pointing at the
# spool, mbox with dotlock and fcntl locks), serves them over POP3 and IMAP,
# and each message comes back intact (as delivered: "From " lines quoted).
# Deliveries that run while Dovecot holds the mailbox wait for its locks.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
ML=$PETREL_BUILDDIR/local/mail.local
if [ "$(id -u)" -ne 0 ] || ! command -v dovecot >/dev/null || [ ! -x /usr/lib/dovecot/imap ] ||
    [ ! -x /usr/lib/dovecot/pop3 ]; then
	skip "needs root and Debian's dovecot-imapd and dovecot-pop3d"
	done_testing
fi
mkdir -p "$PETREL_BUILDDIR/tests/tmp"
box=$(mktemp -d "$PETREL_BUILDDIR/tests/tmp/dovecot.XXXXXX")
dpid=
cleanup() {
	[ -n "$dpid" ] && kill "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
	rm -rf "$box"
}
trap cleanup EXIT
chmod 755 "$box"
mkdir -p "$box/spool" "$box/home" "$box/run" "$box/state" "$box/msgs"
chgrp mail "$box/spool" && chmod 2775 "$box/spool"
chown 42011:42011 "$box/home"
cp /etc/passwd "$box/passwd"; cp /etc/group "$box/group"
echo "dtest:x:42011:42011::$box/home:/bin/sh" >>"$box/passwd"
echo "dtest:x:42011:" >>"$box/group"
deliver() {
	unshare -m sh -c 'mount --bind "$0/passwd" /etc/passwd && mount --bind "$0/group" /etc/group && shift && exec "$@"' \
		"$box" x "$ML" -p "$box/spool" "$@"
}

# The messages: plain, "From " lines, 8-bit, a long line, dots, no final newline, empty body.
python3 - "$box/msgs" <<'EOF'
import os, sys
d = sys.argv[1]
msgs = [
    "Subject: plain\nFrom: a@example.org\n\nHello.\n",
    "Subject: from lines\n\nFrom the start\nsome text\n\nFrom Sat Nov 28 10:22:07 2026 looks like a separator\n>From already quoted\n",
    "Subject: 8bit\nContent-Type: text/plain; charset=utf-8\n\nGr\u00fc\u00dfe, \u00e9t\u00e9, \u65e5\u672c\n",
    "Subject: long\n\n" + "x" * 5000 + "\n",
    "Subject: dots\n\n.\n..\n.leading dot\n",
    "Subject: no final newline\n\nthe end",
    "Subject: empty body\n\n",
]
for i, m in enumerate(msgs):
    with open(os.path.join(d, "%02d" % i), "wb") as f:
        f.write(m.encode("utf-8"))
EOF
n=0
for f in "$box"/msgs/*; do deliver -f "sender$n@example.org" dtest <"$f" && n=$((n + 1)); done
is "$n" 7 "mail.local delivered the seven messages"

ports=$(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(" ".join(str(x.getsockname()[1]) for x in s))')
set -- $ports
imap_port=$1 pop_port=$2
printf 'dtest:{PLAIN}secret:42011:42011::%s::\n' "$box/home" >"$box/users"
cat >"$box/dovecot.conf" <<EOF
base_dir = $box/run
state_dir = $box/state
log_path = $box/dovecot.log
info_log_path = $box/dovecot.log
instance_name = petrel-test-$$
protocols = imap pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $box/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $box/users
}
first_valid_uid = 1000
mail_location = mbox:~/mail:INBOX=$box/spool/%u
mail_privileged_group = mail
mbox_write_locks = dotlock fcntl
mbox_read_locks = fcntl
pop3_uidl_format = %08Xu%08Xv
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap_port
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $pop_port
  }
  inet_listener pop3s {
    port = 0
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0600
  }
  unix_listener stats-writer {
    mode = 0600
  }
}
EOF
dovecot -F -c "$box/dovecot.conf" 2>>"$box/dovecot.log" &
dpid=$!
for _ in $(seq 1 50); do
	python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$pop_port),1); socket.create_connection(('127.0.0.1',$imap_port),1)" 2>/dev/null && break
	sleep 0.2
done
ok $? "Dovecot listens on loopback ports $imap_port (IMAP) and $pop_port (POP3)"

# Fetches every message over POP3 and IMAP and compares with what was sent;
# prints one "STATUS description" line per check.
cat >"$box/check.py" <<'EOF'
import imaplib, os, poplib, sys, traceback
poplib._MAXLINE = 1 << 20
imaplib._MAXLINE = 1 << 20
d, pop_port, imap_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sent = [open(os.path.join(d, f), "rb").read() for f in sorted(os.listdir(d))]
def expected(m):
    lines = m.split(b"\n")
    if lines[-1] == b"":
        lines = lines[:-1]
    return b"\n".join(b">" + l if l.startswith(b"From ") else l for l in lines) + b"\n"
def check(cond, what):
    print("%d %s" % (0 if cond else 1, what))
sys.excepthook = lambda t, v, tb: print("1 the client failed: %s" % "".join(traceback.format_exception_only(t, v)).strip())
p = poplib.POP3("127.0.0.1", pop_port, timeout=10)
p.user("dtest"); p.pass_("secret")
count, _ = p.stat()
check(count == len(sent), "POP3 sees %d messages (%d sent)" % (count, len(sent)))
anyorder = len(sys.argv) > 4
got = [b"\n".join(p.retr(i + 1)[1]) + b"\n" for i in range(count)]
want = [expected(m) for m in sent]
if anyorder:
    got, want = sorted(got), sorted(want)
bad = [i + 1 for i in range(min(len(got), len(want))) if got[i] != want[i]]
check(not bad and len(got) == len(want), "every message is intact over POP3 %s" % (bad or ""))
p.quit()
im = imaplib.IMAP4("127.0.0.1", imap_port)
im.login("dtest", "secret")
typ, data = im.select("INBOX", readonly=True)
check(typ == "OK" and int(data[0]) == len(sent), "IMAP INBOX holds %s messages" % data[0].decode())
got = []
for i in range(len(sent)):
    typ, data = im.fetch(str(i + 1), "(BODY.PEEK[])")
    got.append(data[0][1].replace(b"\r\n", b"\n") if typ == "OK" and data[0] is not None else b"")
want = [expected(m) for m in sent]
if anyorder:
    got, want = sorted(got), sorted(want)
bad = [i + 1 for i in range(len(want)) if got[i] != want[i]]
check(not bad, "every message is intact over IMAP %s" % (bad or ""))
typ, data = im.fetch("2", "(ENVELOPE)")
check(typ == "OK" and b"from lines" in data[0], "IMAP parses the headers")
im.logout()
EOF
python3 "$box/check.py" "$box/msgs" "$pop_port" "$imap_port" >"$box/checks" 2>&1
while read -r rc what; do ok "$rc" "$what"; done <"$box/checks"

# Deliveries while an IMAP client keeps the mailbox open and busy.
cat >"$box/poll.py" <<'EOF'
import imaplib, sys, time
im = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
im.login("dtest", "secret")
im.select("INBOX")
end = time.time() + float(sys.argv[2])
while time.time() < end:
    im.noop()
    im.fetch("1:*", "(FLAGS)")
im.logout()
EOF
python3 "$box/poll.py" "$imap_port" 4 &
poller=$!
pids=()
for f in "$box"/msgs/0*; do
	cp "$f" "$box/msgs/1$(basename "$f")"
	deliver -f "again@example.org" dtest <"$f" &
	pids+=($!)
done
wait "${pids[@]}"
wait "$poller" 2>/dev/null
python3 "$box/check.py" "$box/msgs" "$pop_port" "$imap_port" any-order >"$box/checks" 2>&1
while read -r rc what; do ok "$rc" "with a reader busy: $what"; done <"$box/checks"
grep -qi "corrupt\|panic\|fatal" "$box/dovecot.log"
ok $([ $? -ne 0 ] && echo 0 || echo 1) "Dovecot logged no corruption or error"
done_testing
