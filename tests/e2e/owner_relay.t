#!/usr/bin/env bash
# owner_relay: the relayed copies of an owner- list's mail go out from the
# owner.  The members are remote (a smart host that is tests/lib/
# fake_smtpd.py): the list's transaction says MAIL FROM the owner's address,
# a member the server refuses is bounced to the owner (from <>), not to the
# sender; a member the server defers stays in the queue in a message of its
# own whose sender is the owner; a list without an owner keeps the sender
# and bounces to it (the DSN: log line names whom each bounce is for).
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"

sb_private_dns || { skip "$DNS_WHY"; done_testing; }
fport=$(sb_free_port)
sb_new "define(\`SMART_HOST', \`esmtp:[127.0.0.1]')dnl" \
	"define(\`ESMTP_MAILER_ARGS', \`TCP \$h $fport')dnl"
ok $? "a sandbox relaying through a smart host"
cat >>"$SB/aliases" <<'A'
rlist: one@remote.test, bad@remote.test, later@remote.test
owner-rlist: rlist-request
rlist-request: boss@remote.test
plainlist: two@remote.test, bad@remote.test
A
sb_sendmail -bi >/dev/null
sb_fake "$fport" --rcpt-reply "bad=550 5.1.1 no such user" --rcpt-reply "later=451 4.2.0 try later"
ok $? "the smart host runs"
sb_start
ok $? "the daemon runs"

send() {	# SENDER RCPT SUBJECT
	printf 'HELO client.test\nMAIL FROM:<%s>\nRCPT TO:<%s>\nDATA\nSubject: %s\n\nbody\n.\nQUIT\n' "$1" "$2" "$3" |
		python3 "$PETREL_SRCDIR/tests/lib/smtp_talk.py" 127.0.0.1 "$SB_PORT" |
		sed -n 's/^S: 250 2.0.0 \([0-9A-Za-z]*\) Message accepted.*/\1/p'
}
# the MAIL and RCPT commands the smart host got
commands() { grep -E '^C[0-9]+: (MAIL|RCPT)' "$SB/fake.log" | sed -E 's/^C[0-9]+: //; s/ (SIZE|BODY)=[^ ]*//g'; }
id=$(send "author@localhost" "rlist@localhost" "to the list")
[ -n "$id" ]
ok $? "the message to the list is accepted"
# the list's transaction, then the bounce's
for _ in $(seq 1 600); do
	grep -qi 'RCPT TO:<boss@remote.test>' "$SB/fake.log" && break
	sleep 0.1
done
sleep 0.5
log=$(commands)
# the list's members in upstream's order: the last one first
like "$log" "MAIL From:<rlist-request@[^>]*>
RCPT To:<later@remote.test>
RCPT To:<bad@remote.test>
RCPT To:<one@remote.test>" "the members' copies go out MAIL FROM the owner"
like "$log" "MAIL From:<>
RCPT To:<boss@remote.test>" "the refused member is bounced (from <>) to the owner's address"
[[ $log == *"RCPT To:<author@"* ]] || grep -q "^[0-9A-Za-z]*: to=<author@" "$SB/daemon.log"
ok $((! $?)) "the sender gets no bounce"
q=$(sb_sendmail -bp 2>&1)
like "$q" "rlist-request" "the deferred member waits in a message from the owner"
like "$q" "later@remote.test" "addressed to it"
like "$(cat "$SB/daemon.log")" "$id: [0-9A-Za-z]+: clone: owner=rlist-request" "the clone is logged"

: >"$SB/fake.log"
id=$(send "author@localhost" "plainlist@localhost" "to the plain list")
for _ in $(seq 1 600); do
	grep -q "^$id: .*DSN: " "$SB/daemon.log" && break
	sleep 0.1
done
like "$(commands)" "MAIL From:<author@[^>]*>
RCPT To:<bad@remote.test>
RCPT To:<two@remote.test>" "a list without an owner: MAIL FROM the sender"
dsn=$(sed -n "s/^$id: \([0-9A-Za-z]*\): DSN: .*/\1/p" "$SB/daemon.log")
for _ in $(seq 1 300); do grep -q "^$dsn: to=" "$SB/daemon.log" && break; sleep 0.1; done
like "$(grep "^$dsn: to=" "$SB/daemon.log")" "^$dsn: to=<author@localhost>, " "and its refused member bounces to the sender"
done_testing
