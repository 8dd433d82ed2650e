#!/usr/bin/env bash
# submit: sendmail as the mail submission program, installed as upstream
# installs it: set-group-ID smmsp, $MSP_MAILDIR/submit.cf, the client queue
# 0770 smmsp:smmsp.  Users submit with -t and with recipients on the command
# line; the message is queued in the client queue with the cf's headers
# (Received, Date, From with the full name, Message-Id), Bcc removed, relayed
# over SMTP to a sandbox daemon and delivered.  -f by a user earns an
# X-Authentication-Warning; -F sets the full name.  With the daemon down the
# message waits in the client queue (mode 0660, group smmsp), mailq -Ac lists
# it, a user may not run that queue, root's sendmail -Ac -q (as smmsp)
# delivers it.  The group is given up for -C and unsafe options.  Root
# without -Ac uses sendmail.cf and delivers directly.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/msp.sh"
msp_enter "$0" "$@"

sb_new "FEATURE(\`accept_unresolvable_domains')dnl" || { echo "not ok - sandbox"; exit 1; }
msp_new || { echo "not ok - submission setup"; exit 1; }
sb_start || { echo "not ok - the daemon starts"; exit 1; }
host=$(hostname)

# The one message of USER whose Subject is SUBJ (its file name), waiting up to 15 s.
mail_with() {
	local user=$1 subj=$2
	for _ in $(seq 1 150); do
		f=$(grep -l "^Subject: $subj\$" "$SB_MAIL/$user"/msg.* 2>/dev/null | head -1)
		[ -n "$f" ] && { echo "$f"; return 0; }
		sleep 0.1
	done
	return 1
}
# The header block of a delivered message.
headers_of() { sed '/^$/q' "$1"; }

# -t: recipients from To, Cc and Bcc; Bcc removed from every copy.
printf 'To: user1\nCc: User Two <user2>\nBcc: user3\nSubject: with -t\n\nhello from -t\n' >"$SB/m1"
as_user user1 "$MSP_BIN" -t <"$SB/m1" >"$SB/out1" 2>&1
is "$?" 0 "sendmail -t run by a user exits 0"
is "$(cat "$SB/out1")" "" "and says nothing"
f1=$(mail_with user1 "with -t"); ok $? "the To: recipient got the message"
f2=$(mail_with user2 "with -t"); ok $? "the Cc: recipient got it"
fr=$(mail_with user3 "with -t"); ok $? "the Bcc: recipient got it"
h=$(headers_of "$f1")
ok "$(grep -qi '^Bcc:' "$f1" "$f2" "$fr"; [ $? -ne 0 ]; echo $?)" "no copy shows the Bcc: header"
like "$h" "Received: \(from user1@localhost\)"$'\n'"[[:space:]]+by $host \([^)]*/Submit\) id [0-9A-Za-z]+" \
	"the submission's Received: header names the user and submit.cf's version"
like "$h" "Received: from [^ ]+ \(localhost \[127\.0\.0\.1\]\)"$'\n'"[[:space:]]+by $host " \
	"the daemon's Received: header shows the relay over SMTP from 127.0.0.1"
like "$h" $'\n'"From: User One <user1@$host>"$'\n' "From: has the passwd full name and the qualified login"
like "$h" $'\n'"Date: [A-Z][a-z][a-z], [0-9]+ [A-Z][a-z][a-z] 20[0-9][0-9] " "a Date: header is added"
like "$h" $'\n'"Message-Id: <[0-9]{12}\.[0-9A-Za-z]+@$host>" "a Message-Id: header is added"
like "$h" "Return-Path: <user1@$host>" "the envelope sender is the user"
like "$(cat "$f1")" $'\n\n'"hello from -t" "the body arrives"
is "$(ls "$MSP_QUEUE" | grep -c '^[qdt]f')" 0 "nothing is left in the client queue"

# Recipients on the command line, -F, -f and the authentication warning.
printf 'Subject: args\n\nbody\n' | as_user user2 "$MSP_BIN" -F 'Second, Person' user1 >/dev/null 2>&1
f=$(mail_with user1 args); ok $? "a recipient given on the command line gets the message"
like "$(headers_of "$f")" $'\n'"From: \"Second, Person\" <user2@$host>" "-F sets the full name (quoted as a phrase)"
printf 'Subject: gecos\n\nbody\n' | as_user user2 "$MSP_BIN" user1
f=$(mail_with user1 gecos) && like "$(headers_of "$f")" $'\n'"From: User2 <user2@$host>" \
	"& in the passwd entry is the capitalized login"
printf 'Subject: own from\nFrom: Someone <someone@example.org>\n\nbody\n' | as_user user1 "$MSP_BIN" user2
f=$(mail_with user2 "own from") && is "$(grep -c '^From:' "$f")" 1 "a message's own From: is kept, not doubled"
printf 'Subject: dash f\n\nbody\n' | as_user user1 "$MSP_BIN" -f other@example.org user2
f=$(mail_with user2 "dash f"); ok $? "-f by a user is accepted"
h=$(headers_of "$f")
like "$h" "Return-Path: <other@example.org>" "-f sets the envelope sender"
like "$h" "X-Authentication-Warning: $host: user1 set sender to other@example.org using -f" \
	"and a user who is not trusted gets upstream's warning"
like "$h" $'\n'"From: other@example.org"$'\n' "From: is the given sender, without the user's name"
printf 'Subject: dot\n\nline\n.\nafter the dot\n' | as_user user1 "$MSP_BIN" user2
f=$(mail_with user2 dot) && ok "$(grep -q 'after the dot' "$f"; [ $? -ne 0 ]; echo $?)" \
	"without -i a lone dot ends the message"
printf 'Subject: dot i\n\nline\n.\nafter the dot\n' | as_user user1 "$MSP_BIN" -oi user2
f=$(mail_with user2 "dot i") && like "$(cat "$f")" $'\n.\nafter the dot' "with -oi it does not"
printf 'Subject: notify me\n\nbody\n' | as_user user1 "$MSP_BIN" -N success,failure -V env-42 user2
f=$(mail_with user2 "notify me"); ok $? "-N success: the message is delivered"
f=$(mail_with user1 "Return receipt"); ok $? "and the sender gets one success notice (a return receipt)"
like "$(cat "$f")" $'\n'"Original-Envelope-Id: env-42"$'\n' "naming the envelope id of -V"
like "$(cat "$f")" $'\n'"Action: delivered \(to mailbox\)"$'\n' "from the daemon that delivered it (the relay passed NOTIFY on)"
sleep 0.5
is "$(grep -l '^Subject: Return receipt' "$SB_MAIL/user1"/msg.* | wc -l)" 1 \
	"the submission program adds no notice of its own"
for bad in "-N sometimes" "-R most" "-V a=b" "-B 9BIT"; do
	out=$(printf 'Subject: x\n\nx\n' | as_user user1 "$MSP_BIN" $bad user2 2>&1)
	like "$?/$out" "^64/(Invalid -N argument|Invalid -R value|Invalid syntax in -V flag|Illegal body type 9BIT)$" \
		"$bad is refused with upstream's message"
done
out=$(as_user user1 "$SB/bin/mailq" -Ac -Mxfoo 2>&1)
like "$out" "Permission denied" "-M gives the group up"
out=$(printf 'Subject: x\n\nx\n' | as_user user1 "$MSP_BIN" 2>&1)
is "$?/$out" "64/Recipient names must be specified" "no recipient at all: 64 and upstream's message"
out=$(printf 'Subject: x\n\nx\n' | as_user user1 "$MSP_BIN" -t 2>&1)
is "$out" "No recipient addresses found in header" "-t with no recipient header: upstream's message"

# The daemon down: the message waits in the client queue.
sb_stop
printf 'Subject: queued\n\nwait for me\n' | as_user user1 "$MSP_BIN" user2 >"$SB/out2" 2>&1
is "$?" 0 "with the daemon down, the submission still exits 0"
qf=$(ls "$MSP_QUEUE"/qf* 2>/dev/null | head -1)
ok "$([ -n "$qf" ]; echo $?)" "the message waits in the client queue"
is "$(stat -c '%a %U %G' "$qf" "${qf/qf/df}" | sort -u)" "660 user1 smmsp" \
	"its files are 0660, the user's, group smmsp (QueueFileMode)"
ok "$([ ! -e "$MSP_QUEUE/.petrel" ]; echo $?)" "the client queue holds no shared state or spare inodes"
out=$(as_user user2 "$SB/bin/mailq" -Ac 2>&1)
like "$out" "$MSP_QUEUE \(1 request\)" "mailq -Ac lists the client queue for any user"
like "$out" "\(Deferred: Connection refused by \[127\.0\.0\.1\]\)" "with the reason it waits"
like "$out" "Total requests: 1" "and the total"
out=$(as_user user1 "$SB/bin/mailq" -Ac -O QueueDirectory="$MSP_QUEUE" 2>&1)
like "$out" "Permission denied" "an unsafe option gives the group up: the queue cannot be read"
out=$(as_user user1 "$MSP_BIN" -C "$MSP_MAILDIR/submit.cf" -bp 2>&1)
like "$out" "Permission denied" "so does -C"
# each command after the reply to the one before: a HELO with more input
# behind it is a protocol error, as for upstream
out=$(printf 'HELO me\nMAIL FROM:<user2>\nRCPT TO:<user1>\nDATA\nSubject: over bs\n\nhi\n.\nQUIT\n' |
	as_user user2 python3 "$PETREL_SRCDIR/tests/lib/bs_session.py" "$MSP_BIN" -bs 2>&1)
like "$out" "250 2\.0\.0 [0-9A-Za-z]+ Message accepted for delivery" "a user's -bs session is accepted into the client queue"
is "$(stat -c '%a %G' "$MSP_QUEUE"/qf* | sort -u)" "660 smmsp" "with the same file modes"
out=$(as_user user1 "$MSP_BIN" -Ac -q 2>&1)
is "$?/$out" "77/You do not have permission to process the queue" \
	"a user may not run the client queue (restrictqrun)"
sb_start
"$MSP_BIN" -Ac -q
ok $? "root runs the client queue with sendmail -Ac -q"
f=$(mail_with user2 queued); ok $? "the waiting message is delivered"
f=$(mail_with user1 "over bs"); ok $? "and so is the one from -bs"
is "$(ls "$MSP_QUEUE" | grep -c '^[qdt]f')" 0 "and the client queue is empty"

# -C: a user's own configuration, without the group, into a queue of the user's.
mkdir -p "$SB/home/user1/q"; chown user1:user1 "$SB/home/user1/q"; chmod 700 "$SB/home/user1/q"
sed "s|^O QueueDirectory=.*|O QueueDirectory=$SB/home/user1/q|" "$MSP_MAILDIR/submit.cf" >"$SB/home/user1/my.cf"
printf 'Subject: own cf\n\nbody\n' | as_user user1 "$MSP_BIN" -C "$SB/home/user1/my.cf" user2
is "$?" 0 "a user's -C configuration works, without the group, into the user's own queue"
f=$(mail_with user2 "own cf"); ok $? "and the message is delivered"
h=$(headers_of "$f")
like "$h" "X-Authentication-Warning: $host: Processed by user1 with -C $SB/home/user1/my.cf" \
	"with upstream's warning about -C"
like "$h" "X-Authentication-Warning: $host: Processed from queue $SB/home/user1/q" \
	"and about the queue"

# Root without -Ac: sendmail.cf, the MTA's queue, delivered directly.
printf 'Subject: from root\n\nbody\n' | "$MSP_BIN" user1
f=$(mail_with user1 "from root"); ok $? "root's submission is delivered"
is "$(grep -c '^Received:' "$f")" 1 "without a relay: one Received: header"
like "$(headers_of "$f")" "Received: \(from root@localhost\)" "made by sendmail.cf's template"
done_testing
