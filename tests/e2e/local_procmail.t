#!/usr/bin/env bash
# local_procmail: Debian's procmail as the local mailer, through a running
# daemon: FEATURE(local_procmail) in an .mc compiled by Petrel's m4
# package, a user (of a private /etc/passwd) whose .procmailrc files
# messages with "[reports]" in the subject into the folder Mail/reports and
# the rest into Mail/inbox; each message arrives intact (headers, 8-bit
# text, long lines, dots, blank and trailing-space lines), as its owner.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/peers.sh"
command -v procmail >/dev/null || { skip "procmail is not installed"; done_testing; }
peers_enter "" "$0" "$@"
w=$(mktemp -d /run/petrel-procmail-XXXXXX)
SB_ALL_DIRS="$SB_ALL_DIRS $w"
chmod 755 "$w"
home=$w/home/pmuser
mkdir -p "$home/Mail"
echo "pmuser:x:4101:4101:Procmail User:$home:/bin/sh" >>/etc/passwd
echo "pmuser:x:4101:" >>/etc/group
cat >"$home/.procmailrc" <<'RC'
MAILDIR=$HOME/Mail
DEFAULT=$MAILDIR/inbox
ORGMAIL=$DEFAULT
LOGFILE=$HOME/procmail.log
:0:
* ^Subject:.*\[reports\]
reports
RC
chown -R 4101:4101 "$home"
chmod 755 "$w/home" "$home"
chmod 644 "$home/.procmailrc"

# host names from a hosts file only: the namespace has no resolver
printf 'hosts\tfiles\naliases\tfiles\n' >"$w/service.switch"
printf '127.0.0.1 mx.example.test localhost\n' >"$w/hosts"
sb_new "FEATURE(\`local_procmail')dnl" "FEATURE(\`accept_unresolvable_domains')dnl" \
	"define(\`confSERVICE_SWITCH_FILE', \`$w/service.switch')dnl" \
	"define(\`confHOSTS_FILE', \`$w/hosts')dnl"
ok $? "an .mc with FEATURE(local_procmail) compiles with Petrel's m4 package"
grep -A2 '^Mlocal,' "$SB_CF" | tr -d '\n\t' | grep -q 'P=/usr/bin/procmail,.*A=procmail -a \$h -d \$u'
ok $? "the local mailer is procmail -a \$h -d \$u, as upstream's package makes it"
sb_start
ok $? "the daemon starts"

# send FROM TO SUBJECT BODYFILE: one message through smtplib; the exact bytes in $w/sent.SUBJECT
send() {
	python3 - "$SB_PORT" "$@" <<'PY'
import smtplib, sys
port, frm, to, subj, bodyfile = sys.argv[1:6]
body = open(bodyfile, "rb").read()
msg = (b"From: Sender <" + frm.encode() + b">\r\nTo: <" + to.encode() + b">\r\n"
       b"Subject: " + subj.encode() + b"\r\nMessage-Id: <" + subj.replace(" ", "").encode() +
       b"@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
       b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body)
s = smtplib.SMTP("127.0.0.1", int(port), timeout=30)
s.sendmail(frm, [to], msg)
s.quit()
PY
}
python3 - "$w/body" <<'PY'
import sys
lines = ["Hello,", "", ".", "..leading dots", "a line with trailing spaces   ",
         "Grüße aus Köln, 北京, ünïcödé", "x" * 990, "\tindented", "", "", "-- ", "end"]
open(sys.argv[1], "wb").write(("\r\n".join(lines) + "\r\n").encode())
PY
send sender@example.org pmuser@mx.example.test '[reports] weekly' "$w/body"
ok $? "a message for pmuser is accepted"
send sender@example.org pmuser@mx.example.test 'hello' "$w/body"
ok $? "and another"
# done when the daemon has logged both deliveries
for _ in $(seq 1 300); do
	[ "$(grep -c 'mailer=local, .*stat=Sent' "$SB/daemon.log")" -ge 2 ] && break
	sleep 0.1
done
ok "$([ -s "$home/Mail/reports" ]; echo $?)" "the recipe files the [reports] message into Mail/reports"
ok "$([ -s "$home/Mail/inbox" ]; echo $?)" "the other goes to the default folder"
is "$(grep -c '^From ' "$home/Mail/reports" 2>/dev/null)" 1 "one message in the folder"
is "$(grep -c '^From ' "$home/Mail/inbox" 2>/dev/null)" 1 "one in the inbox"
is "$(stat -c %U "$home/Mail/reports" 2>/dev/null)" pmuser "the folder belongs to the user"
# intact: the body byte for byte (CR LF as LF), the headers as sent
check() {
	python3 - "$1" "$w/body" "$2" <<'PY'
import mailbox, sys
box, bodyfile, subj = sys.argv[1:4]
msgs = list(mailbox.mbox(box))
if len(msgs) != 1:
    sys.exit("%d messages" % len(msgs))
raw = msgs[0].as_bytes(unixfrom=False)
head, _, body = raw.partition(b"\n\n")
want = open(bodyfile, "rb").read().replace(b"\r\n", b"\n")
if body.rstrip(b"\n") != want.rstrip(b"\n"):
    sys.exit("body differs:\n%r\n%r" % (body, want))
for h in [b"From: Sender <sender@example.org>", b"To: <pmuser@mx.example.test>", b"Subject: " + subj.encode(),
          b"Content-Type: text/plain; charset=utf-8", b"Content-Transfer-Encoding: 8bit"]:
    if h not in head.split(b"\n"):
        sys.exit("missing header %r in %r" % (h, head))
if b"Received: from " not in head or b"Return-Path: <sender@example.org>" not in head:
    sys.exit("no Received or Return-Path: %r" % head)
PY
}
out=$(check "$home/Mail/reports" '[reports] weekly' 2>&1)
is "$out" "" "the filed message arrives intact (body byte for byte, headers, Received, Return-Path)"
out=$(check "$home/Mail/inbox" 'hello' 2>&1)
is "$out" "" "and so does the other"
like "$(cat "$home/procmail.log" 2>/dev/null)" "Folder: reports" "procmail's log names the folder"
like "$(cat "$SB/daemon.log")" "to=<pmuser@mx.example.test>, .*mailer=local, .*stat=Sent" "the daemon logs the delivery as sent"
done_testing
