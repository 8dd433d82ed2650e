#!/usr/bin/env bash
# conncache: delivery processes keep their connections between messages
# (ConnectionCacheSize, ConnectionCacheTimeout), against a scripted server
# (tests/lib/fake_smtpd.py) that Petrel relays to as its smart host: a queue
# run with one delivery process sends three messages over one connection
# (RSET before each reuse, in the same write as MAIL, RCPT and DATA when
# the server offers PIPELINING, one command at a time when not) and says
# QUIT once at the end;
# ConnectionCacheSize=0 opens one connection per message; a server that drops the connection after each message costs
# nothing (the next message goes over a new connection); the daemon's
# delivery process sends messages that come one by one over the same
# connection and closes it (QUIT) after ConnectionCacheTimeout.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"

fport=$(sb_free_port)
sb_new "define(\`SMART_HOST', \`esmtp:[127.0.0.1]')dnl" "define(\`ESMTP_MAILER_ARGS', \`TCP \$h $fport')dnl"
ok $? "a sandbox relaying to a smart host on 127.0.0.1:$fport compiles"

# fake ARGS...: (re)starts the scripted server with ARGS on $fport
fake() { sb_fake "$fport" "$@"; }
# send SUBJECT: one message through the daemon to victim@remote.test
send() {
	printf 'HELO client.test\nMAIL FROM:<a@localhost>\nRCPT TO:<victim@remote.test>\nDATA\nSubject: %s\n\nbody of %s\n.\nQUIT\n' \
		"$1" "$1" | $TALK 127.0.0.1 "$SB_PORT" >/dev/null
}
# queue N: N messages queued by sendmail (DeliveryMode queue)
queue() {
	for i in $(seq "$1"); do
		printf 'Subject: queued %s\n\nbody %s\n' "$i" "$i" | sb_sendmail -odq -f a@localhost victim@remote.test
	done
}
# count PATTERN: lines of the fake server's log that match
count() { grep -c -- "$1" "$SB/fake.log"; }
# wait_for PATTERN N [SECS]: waits up to SECS (10) seconds for N matching lines
wait_for() {
	for _ in $(seq 1 $((${3:-10} * 10))); do
		[ "$(count "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
queued() { find "$SB/mqueue" -name 'qf*' | wc -l; }

fake
queue 3
is "$(queued)" 3 "three messages wait in the queue"
sb_sendmail -q -O MaxQueueChildren=1
is "$(queued)" 0 "a queue run with one delivery process sends them all"
is "$(count ': EHLO ')" 1 "over one connection (one EHLO)"
is "$(count '^C1: MAIL From:')" 3 "three transactions on it"
is "$(count '^C1: RSET')" 2 "each reuse starts with RSET"
is "$(count '^P1: RSET came')" 2 "PIPELINING: RSET goes in the same write as MAIL"
is "$(count '^P1: MAIL came')" 3 "PIPELINING: MAIL, RCPT and DATA go in one write"

fake --no-pipelining
queue 3
sb_sendmail -q -O MaxQueueChildren=1
is "$(queued)" 0 "a server without PIPELINING gets them all too"
is "$(count ': EHLO ')" 1 "over one connection"
is "$(count '^C1: RSET')" 2 "each reuse starts with RSET"
is "$(count '^P')" 0 "each command waits for the reply to the one before"
is "$(count '^C1: QUIT')" 1 "QUIT once, when the run ends"

fake
queue 3
sb_sendmail -q -O MaxQueueChildren=1 -O ConnectionCacheSize=0
is "$(queued)" 0 "with ConnectionCacheSize=0 the run sends them too"
is "$(count ': EHLO ')" 3 "one connection per message"
is "$(count ': QUIT')" 3 "each closed with QUIT"

fake --close-after 1
queue 3
sb_sendmail -q -O MaxQueueChildren=1
is "$(queued)" 0 "a server that drops the connection after each message still gets them all"
is "$(count '^X')" 3 "it dropped three connections"
is "$(count ': MAIL From:')" 3 "each message was sent once, on a new connection after a drop"
ok "$([ "$(count '^C[1-3]: MAIL From:')" -eq 3 ] && echo 0 || echo 1)" "connections 1 to 3 carried them"

fake
# ConnectionCacheTimeout leaves a margin: on a loaded machine starting the
# second client alone can take seconds
sb_start -O MaxQueueChildren=1 -O ConnectionCacheTimeout=15s
send one
wait_for '^C1: MAIL From:' 1
send two
wait_for 'MAIL From:' 2
ok $? "the daemon relays two messages sent one after the other"
is "$(count ': EHLO ')" 1 "its delivery process kept the connection for the second"
is "$(count ': QUIT')" 0 "and has not closed it yet"
wait_for '^C1: QUIT' 1 40
ok $? "it says QUIT once the connection was unused for ConnectionCacheTimeout"
sb_stop
done_testing
