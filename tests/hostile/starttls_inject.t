#!/usr/bin/env bash
# starttls_inject: commands pipelined behind STARTTLS in plain text (the
# CVE-2011-0411 family) are discarded by the server: they get no reply over
# TLS, start no transaction, deliver no message, and do not end the session.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"

sb_private_dns || { skip "$DNS_WHY"; done_testing; }
SB_TLS=1 sb_new "MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl"
sb_start
ok $? "a sandbox with STARTTLS starts"

# a whole transaction pipelined behind STARTTLS
inject='MAIL FROM:<evil@localhost>\r\nRCPT TO:<root@localhost>\r\nDATA\r\nSubject: injected\r\n\r\ninjected body\r\n.\r\n'
out=$($TALK 127.0.0.1 "$SB_PORT" <<SMTP
EHLO client.test
STARTTLS <<$inject
EHLO client.test
MAIL FROM:<good@localhost>
RCPT TO:<root@localhost>
DATA
Subject: genuine

genuine body
.
QUIT
SMTP
)
like "$out" "T: version=TLSv1" "the handshake succeeds after the pipelined text"
like "$out" "T: [^
]*
C: EHLO client.test
S: 250-[^ ]+ Hello " "the first reply over TLS answers the client's EHLO, not an injected command"
like "$out" "C: MAIL FROM:<good@localhost>
S: 250 2.1.0 <good@localhost>... Sender ok" "no injected transaction is open (MAIL is not 'Sender already specified')"
like "$out" "S: 250 2.0.0 [0-9A-Za-z]+ Message accepted" "the genuine message is accepted"
like "$out" "S: 221 2.0.0" "the session ends with the client's QUIT"
sb_wait_mail rootbox 1
sleep 1
is "$(sb_count rootbox)" "1" "exactly one message was delivered"
[ -z "$(grep -l 'injected' "$SB_MAIL"/rootbox/msg.* 2>/dev/null)" ]
ok $? "the injected message was not delivered"
[[ $(cat "$SB/daemon.log") == *"evil@localhost"* ]]
ok $((! $?)) "the injected sender appears nowhere in the log"

# an injected QUIT does not end the TLS session
out=$($TALK 127.0.0.1 "$SB_PORT" <<'SMTP'
EHLO client.test
STARTTLS <<QUIT\r\n
NOOP
QUIT
SMTP
)
like "$out" "C: NOOP
S: 250 2.0.0 OK" "an injected QUIT is discarded: the session answers NOOP over TLS"
done_testing
