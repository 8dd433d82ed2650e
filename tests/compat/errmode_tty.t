#!/usr/bin/env bash
# compat/errmode_tty: ErrorMode w ("write back to the sender's terminal")
# against upstream sendmail 8.17 when the submission runs on a terminal: a
# pseudo-terminal (python3's pty, on a private devpts) as standard output
# and error, or as standard input too, writable by others (mesg y), with a
# login uid so that getlogin() names the user.  Upstream writes nothing to
# the terminal, neither for an unknown user found while expanding nor for a
# program that fails, and mails the bounce instead, with the exit status of
# the failure; Petrel must do the same (errmode.t covers pipes).
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/peers.sh"
peers_enter upstream "$0" "$@"
pair_env errtty
pair_users 4950 sender
pair_new
printf '#!/bin/sh\ncat >/dev/null\nexit 77\n' >"$w/perm.sh"
chmod 755 "$w/perm.sh"
for d in up pt; do printf 'perm: "|%s/perm.sh"\n' "$w" >>"$w/$d/aliases"; done
pair_aliases
mkdir -p /dev/pts &&
	mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts /dev/pts &&
	ln -sf pts/ptmx /dev/ptmx
ok $? "a private devpts for pseudo-terminals"

# ptyrun.py WHICH COMMAND...: COMMAND with a pseudo-terminal as standard
# output and error ("outerr") or as all three ("inouterr"); prints its exit
# status and every byte the terminal got (the message is typed on it, or
# written to a pipe)
cat >"$w/ptyrun.py" <<'PY'
import os, pty, select, subprocess, sys
m, s = pty.openpty()
os.chmod(os.ttyname(s), 0o622)
try:
    with open("/proc/self/loginuid", "w") as f:
        f.write("0")
except OSError:
    pass
msg = b"Subject: tty\n\nhello\n"
which = sys.argv[1]
p = subprocess.Popen(sys.argv[2:], stdout=s, stderr=s,
                     stdin=s if which == "inouterr" else subprocess.PIPE)
if p.stdin:
    p.stdin.write(msg)
    p.stdin.close()
else:
    os.write(m, msg + b"\x04")
rc = p.wait()
os.close(s)
got = b""
while select.select([m], [], [], 1)[0]:
    try:
        d = os.read(m, 4096)
    except OSError:
        break
    if not d:
        break
    got += d
print("rc=%d" % rc)
print("tty=%r" % got)
PY
count() { ls "$w/$1/mail/sender" 2>/dev/null | grep -c '^msg'; }
run() {	# SIDE WHICH RCPT: the outcome, and how many bounces reached the sender
	local bin=$SENDMAIL before
	[ "$1" = up ] && bin=$ORACLE_SENDMAIL
	before=$(count "$1")
	python3 "$w/ptyrun.py" "$2" "$bin" -C "$w/$1/sendmail.cf" -oew -odi \
		-f sender@mx.example.test "$3"
	for _ in $(seq 1 50); do [ "$(count "$1")" -gt "$before" ] && break; sleep 0.1; done
	echo "mailed=$(($(count "$1") - before))"
}
for which in outerr inouterr; do
	for rcpt in nosuchuser perm; do
		up=$(run up $which $rcpt)
		is "$(run pt $which $rcpt)" "$up" "ErrorMode w on a terminal ($which), $rcpt: $(echo $up)"
		like "$up" 'mailed=1' "(upstream mails the bounce)"
	done
done
done_testing
