#!/usr/bin/env bash
# compat/smtp_bs: `sendmail -bs` (and the daemon) against upstream sendmail
# 8.17 on the same upstream-made cf: the bytes of standard output and
# standard error and the syslog lines of sessions whose client does not wait
# for the replies (a HELO or EHLO with more input behind it, or with the end
# of the input behind it, is a protocol error: 554 5.5.0, then every
# transaction command is refused), of well-behaved sessions with and without
# -v (the log goes to syslog, nothing to standard error, no daemon= in
# from=) and with each DeliveryMode (the delivery's log lines, the mailbox),
# and of the same early talk over TCP to the daemons.  Queue ids,
# dates, pids and the version are normalised.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/peers.sh"
peers_enter upstream "$0" "$@"
BS="python3 $PETREL_SRCDIR/tests/lib/bs_session.py"
pair_env smtpbs
pair_users 4700 sender u1
pair_new
pair_aliases
pair_start petrel-bs

norm() {
	sed -E 's/Sendmail [^;]*; .*/Sendmail V; DATE/; s/[0-9A-Za-z]{8}[0-9]{6}/QID/g;
		s/<[0-9]{12}\.QID@/<DATE.QID@/; s/(x?delay)=[0-9:]+/\1=T/g'
}
# the syslog lines written since line $1, without time, tag and pid
logsince() {
	sleep "${LOGWAIT:-0.5}"
	tail -n +"$(($1 + 1))" "$w/syslog" | sed -E 's/^<([0-9]+)>.{15} [a-z-]+\[[0-9]+\]: /<\1> /' | norm
}
# raw SIDE NAME INPUT ARGS...: INPUT (printf format) written at once to -bs
raw() {
	local side=$1 input=$3 bin=$SENDMAIL n
	shift 3
	[ "$side" = up ] && bin=$ORACLE_SENDMAIL
	n=$(wc -l <"$w/syslog")
	printf "$input" | "$bin" -C "$w/$side/sendmail.cf" "$@" -bs >"$w/out" 2>"$w/err"
	printf 'rc=%s\n--out\n%s\n--err\n%s\n--log\n%s\n' "$?" "$(norm <"$w/out" | sed -n l)" \
		"$(cat "$w/err")" "$(logsince "$n")"
}
# step SIDE NAME SCRIPT ARGS...: a session that waits for each reply (bs_session.py)
step() {
	local side=$1 script=$3 bin=$SENDMAIL n
	shift 3
	[ "$side" = up ] && bin=$ORACLE_SENDMAIL
	n=$(wc -l <"$w/syslog")
	printf '%s' "$script" | $BS "$bin" -C "$w/$side/sendmail.cf" "$@" -bs >"$w/out" 2>"$w/err"
	printf 'rc=%s\n--out\n%s\n--err\n%s\n--log\n%s\n' "$?" "$(norm <"$w/out")" \
		"$(cat "$w/err")" "$(logsince "$n")"
}
both() {	# KIND NAME INPUT ARGS...
	local kind=$1 name=$2 up pt
	up=$($kind up "${@:2}")
	pt=$($kind pt "${@:2}")
	is "$pt" "$up" "$name: stdout, stderr and log as upstream's"
	LAST=$up
}

MSG='MAIL FROM:<sender@mx.example.test>\r\nRCPT TO:<u1@mx.example.test>\r\nDATA\r\nSubject: early\r\n\r\nhi\r\n.\r\nQUIT\r\n'
both raw helo-at-once "HELO client.example\r\n$MSG" -odq
like "$LAST" $'DATE\\$\n554 5\\.5\\.0 SMTP protocol error\\\\r\\$\n550 5\\.0\\.0 Command rejected' \
	"(upstream: a HELO with input behind it is a protocol error)"
like "$LAST" 'rejecting server HELO from localhost \[0\] due to traffic before response' \
	"(and logged)"
both raw ehlo-at-once "EHLO client.example\r\n$MSG" -odq
both raw noop-then-helo "NOOP\r\nHELO client.example\r\n$MSG" -odq
both raw helo-at-eof "HELO client.example\r\n" -odq
both raw helo-noarg "HELO\r\nQUIT\r\n" -odq
both raw mail-before-helo "MAIL FROM:<sender@mx.example.test>\r\nHELO x\r\nRCPT TO:<u1>\r\nQUIT\r\n" -odq
both raw helo-thrice "HELO a\r\nHELO b\r\nEHLO c\r\nNOOP\r\nRSET\r\nVRFY u1\r\nQUIT\r\n" -odq
both raw helo-verbose "HELO client.example\r\n$MSG" -odq -v

SESSION='HELO client.example
MAIL FROM:<sender@mx.example.test>
RCPT TO:<u1@mx.example.test>
DATA
Subject: stepwise

hi
.
QUIT
'
both step stepwise "$SESSION" -odq
like "$LAST" $'--err\n\n--log\n<22> QID: from=<sender@mx\\.example\\.test>, size=[0-9]+, class=0, nrcpts=1, msgid=<DATE\\.QID@mx\\.example\\.test>, proto=SMTP, relay=root@localhost$' \
	"(upstream: nothing on standard error, from= in syslog without daemon=)"
both step stepwise-v "$SESSION" -odq -v
both step ehlo-stepwise "${SESSION/HELO/EHLO}" -odq
# -bs delivers as its DeliveryMode says: -odi before the reply to the dot,
# -odb in the background, -odq not at all
both step deliver-odi "${SESSION/stepwise/odi}" -odi
like "$LAST" 'stat=Sent' "(upstream: -bs -odi delivers)"
# -odb's delivery reads the message back: its pri= counts the queued size,
# whose Received header names each side's version (4 bytes longer in
# Petrel's): pri= is left out here
LOGWAIT=2	# the background delivery's lines too
up=$(step up x "${SESSION/stepwise/odb}" -odb | sed -E 's/pri=[0-9]+/pri=P/')
is "$(step pt x "${SESSION/stepwise/odb}" -odb | sed -E 's/pri=[0-9]+/pri=P/')" "$up" \
	"deliver-odb: stdout, stderr and log as upstream's (but pri=)"
LOGWAIT=
both step deliver-odq "${SESSION/stepwise/odq}" -odq
mails() { grep -l "^Subject: od$2\$" "$w/$1"/mail/u1/msg.* 2>/dev/null | wc -l; }
for m in i b q; do
	is "$(mails pt $m)" "$(mails up $m)" "-bs -od$m: as many messages in u1's mailbox as upstream's ($(mails up $m))"
done
both step helo-quit $'HELO client.example\nQUIT\n' -odq
both step noop-eof $'NOOP\n' -odq
both step mail-eof $'HELO client.example\nMAIL FROM:<sender@mx.example.test>\n' -odq
both step nohelo $'MAIL FROM:<sender@mx.example.test>\nRCPT TO:<u1@mx.example.test>\nDATA\nSubject: nohelo\n\nhi\n.\nQUIT\n' -odq

# the daemons: HELO or EHLO with the next command in the same packet
tcp() {	# PORT INPUT: the replies the server sent within a second
	python3 - "$1" "$2" <<'PY'
import socket, sys, time
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
f = s.makefile('rb')
f.readline()
s.sendall(sys.argv[2].encode())
s.settimeout(3)
out = b''
try:
    while not out.endswith(b'closing connection\r\n'):
        d = s.recv(4096)
        if not d:
            break
        out += d
except OSError:
    pass
sys.stdout.write(out.decode('latin-1'))
PY
}
daemon() {	# SIDE NAME INPUT
	local port=$upport n
	[ "$1" = pt ] && port=$ptport
	n=$(wc -l <"$w/syslog")
	printf '%s\n--log\n%s\n' "$(tcp "$port" "$(printf "$3")" | od -c)" "$(logsince "$n")"
}
both daemon tcp-helo "HELO client.example\r\nMAIL FROM:<sender@mx.example.test>\r\nQUIT\r\n"
both daemon tcp-ehlo "EHLO client.example\r\nMAIL FROM:<sender@mx.example.test>\r\nQUIT\r\n"
done_testing
