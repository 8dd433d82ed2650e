#!/usr/bin/env bash
# quarantine: an access map QUARANTINE: entry ("$#error $@ quarantine $: reason"
# from check_mail or check_rcpt) accepts the message as upstream does, with
# 250 replies, and holds it: the queue has an hf file with the reason in its
# q record, a queue run leaves it alone and nothing reaches the mailbox.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"
SB_ACCESS=1 sb_new "MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl" "FEATURE(\`blocklist_recipients')dnl" || { ok 1 "the sandbox is made"; done_testing; }
sb_access "From:held.example.test	QUARANTINE:held for review" \
	"To:jail.example.test	QUARANTINE:recipient under review"
sb_start -ODeliveryMode=q
ok $? "the daemon starts"

# send SENDER RECIPIENT: one message, the transcript
send() {
	printf 'EHLO client.example.test\nMAIL FROM:<%s>\nRCPT TO:<%s>\nDATA\nSubject: held\n\nbody\n.\nQUIT\n' \
		"$1" "$2" | $TALK 127.0.0.1 "$SB_PORT"
}
out=$(send a@held.example.test keeper@localhost)
like "$out" "S: 250 2.1.0 <a@held.example.test>\.\.\. Sender ok" "MAIL from a quarantined domain is accepted"
like "$out" "S: 250 2\.0\.0 [0-9A-Za-z]+ Message accepted for delivery" "and so is the message"
out=$(send b@localhost x@jail.example.test)
like "$out" "S: 250 2\.0\.0 [0-9A-Za-z]+ Message accepted for delivery" "a quarantined recipient too"
hf=$(ls "$SB/mqueue" | grep -c '^hf')
qf=$(ls "$SB/mqueue" | grep -c '^qf')
is "$hf $qf" "2 0" "both wait quarantined (hf files), none as a plain qf"
reasons=$(cat "$SB"/mqueue/hf* 2>/dev/null | sed -n 's/^q//p' | sort | tr '\n' '|')
is "$reasons" "held for review|recipient under review|" "with the reasons in their q records"
sb_sendmail -q >/dev/null 2>&1
is "$(ls "$SB/mqueue" | grep -c '^hf')" 2 "a queue run leaves them held"
is "$(sb_count keeper)" 0 "and delivers nothing"
done_testing
