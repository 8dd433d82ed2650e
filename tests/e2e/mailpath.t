#!/usr/bin/env bash
# mailpath: the mail path on one host, end to end: the daemon accepts mail
# over SMTP from real clients, queues it and delivers it through the local
# mailer, expanding aliases (nested lists, |program, /file), refusing
# programs and files named in the envelope, bouncing what cannot be
# delivered, and running the queue with sendmail -q.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"

# send PORT FROM TO... < message: one message through Python's smtplib
send() {
	python3 -c '
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
s.sendmail(sys.argv[2], sys.argv[3:], sys.stdin.buffer.read())
s.quit()' "$@"
}

sb_new "MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl" \
	"FEATURE(\`accept_unresolvable_domains')dnl" \
	"LOCAL_DOMAIN(\`baidu.com')dnl" "LOCAL_DOMAIN(\`station25.baidu.com')dnl"
ok $? "a sandbox configuration compiles with Petrel's m4 package"
# programs and files of the aliases file run as DefaultUser: give them a folder
mkdir -m 777 "$SB/out"
cat >>"$SB/aliases" <<ALIASES
user2: user1, user2
all: it, hr, cw
it: it1, it2, it3
hr: hr1
cw: cw1, it1
prog: "|/bin/sh -c 'cat > $SB/out/prog.out'"
filer: $SB/out/file.out
ALIASES
sb_sendmail -bi >"$SB/newaliases.out" 2>&1
like "$(cat "$SB/newaliases.out")" "aliases: 9 aliases" "newaliases builds the aliases and says how many"
sb_start
ok $? "the daemon listens on 127.0.0.1:$SB_PORT"

# the seed's telnet session, verbatim
out=$($TALK 127.0.0.1 "$SB_PORT" <<'SMTP'
helo client.example
mail from: ceo@google.com
rcpt to: user1@baidu.com
data
Subject: hello from the seed

This is the body.
.
quit
SMTP
)
like "$out" "S: 220 [^ ]+ ESMTP" "the greeting is 220 and says ESMTP"
like "$out" "S: 250 2.1.0 ceo@google.com... Sender ok" "MAIL without brackets is accepted"
like "$out" "S: 250 2.1.5 user1@baidu.com... Recipient ok" "a local domain from LOCAL_DOMAIN is accepted"
like "$out" "S: 354 " "DATA is invited"
like "$out" "S: 250 2.0.0 [0-9A-Za-z]{14} Message accepted for delivery" "the message is accepted with a queue id"
like "$out" "S: 221 2.0.0 " "QUIT closes"
sb_wait_mail user1 1
ok $? "the message lands in user1's mailbox"
msg=$(cat "$SB_MAIL"/user1/msg.* 2>/dev/null)
like "$msg" "Subject: hello from the seed" "the subject arrives"
like "$msg" "Received: from client.example" "a Received header names the HELO"
like "$msg" "This is the body." "the body arrives"

# nested aliases: every member once
printf 'Subject: to all\r\n\r\nhi\r\n' | send "$SB_PORT" sender@example.org all@localhost user2@localhost
ok $? "smtplib sends to two aliases"
for u in it1 it2 it3 hr1 cw1; do
	sb_wait_mail $u 1
	is "$(sb_count $u)" 1 "alias member $u gets the message once"
done
sb_wait_mail user2 1
is "$(sb_count user2)" 1 "user2 (an alias naming itself) gets it once"
sb_wait_mail user1 2
is "$(sb_count user1)" 2 "user1 gets it through user2 (and the seed's message)"

# a program and a file from the aliases file
printf 'Subject: pipes\r\n\r\nto a program\r\n' | send "$SB_PORT" sender@example.org prog@localhost filer@localhost
for _ in $(seq 1 100); do [ -s "$SB/out/prog.out" ] && [ -s "$SB/out/file.out" ] && break; sleep 0.1; done
like "$(cat "$SB/out/prog.out" 2>/dev/null)" "to a program" "a |program alias gets the message on its input"
like "$(cat "$SB/out/file.out" 2>/dev/null)" "to a program" "a /file alias gets the message appended"
is "$(stat -c %U "$SB/out/prog.out" 2>/dev/null)" "$(id -nu 1 2>/dev/null || echo daemon)" \
	"the program ran as DefaultUser, not as root"

# programs and files named by a client are refused
out=$($TALK 127.0.0.1 "$SB_PORT" <<SMTP
ehlo client.example
mail from:<sender@example.org>
rcpt to:<"|/bin/touch $SB/pwned">
rcpt to:<$SB/pwned>
quit
SMTP
)
like "$out" "S: 550 5.7.1 .*Cannot mail directly to programs" "a program in RCPT is refused"
like "$out" "S: 550 5.7.1 .*Cannot mail directly to files" "a file in RCPT is refused"
ok "$([ ! -e "$SB/pwned" ]; echo $?)" "and nothing ran"

# a bounce: an alias to a program that says the user is unknown (exit 67;
# an "error:" alias is no error mailer for upstream 8.17 and, with this cf's
# local mailer without F=w it would be a mailbox of that name; errmode.t and
# dsn_format.t compare it with upstream)
echo 'gone: "|exit 67"' >>"$SB/aliases"
sb_sendmail -bi >/dev/null
printf 'Subject: will bounce\r\n\r\nlost\r\n' | send "$SB_PORT" bouncee@localhost gone@localhost
sb_wait_mail bouncee 1
ok $? "the sender gets a delivery status notification"
dsn=$(cat "$SB_MAIL"/bouncee/msg.* 2>/dev/null)
like "$dsn" "Content-Type: multipart/report; report-type=delivery-status" "the bounce is a multipart/report"
like "$dsn" "Status: 5.1.1" "with the recipient's status"
like "$dsn" "Subject: will bounce" "and the original message"

# queue only, then a queue run
sb_stop
sb_start -ODeliveryMode=q
out=$($TALK 127.0.0.1 "$SB_PORT" <<'SMTP'
ehlo client.example
mail from:<sender@example.org>
rcpt to:<queued@localhost>
data
Subject: queued

later
.
quit
SMTP
)
like "$out" "<queued@localhost>\.\.\. Recipient ok" "in queue-only mode RCPT accepts a local recipient"
case "$out" in *"(will queue)"*) ok 1 "without (will queue) for a local mailer, as upstream" ;; *) ok 0 "without (will queue) for a local mailer, as upstream" ;; esac
sleep 0.5
is "$(sb_count queued)" 0 "nothing is delivered yet"
ls "$SB/mqueue" | grep -q '^qf'
ok $? "a qf file waits in the queue"
sb_sendmail -q
sb_wait_mail queued 1
ok $? "sendmail -q delivers it"
ls "$SB/mqueue" | grep -q '^qf'
ok "$([ $? -ne 0 ]; echo $?)" "and the queue is empty again"
done_testing
