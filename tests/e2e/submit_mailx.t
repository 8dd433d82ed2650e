#!/usr/bin/env bash
# submit_mailx: bsd-mailx, the user's mail program, pointed at Petrel's
# set-group-ID sendmail through its "sendmail" variable (MAILRC), sends
# through the client queue to a sandbox daemon: `mail -v -s test user2`
# shows upstream's transcript (the relay's SMTP conversation, "Sent (...)")
# and the message is delivered; without -v it is silent and delivers too.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/msp.sh"
if ! command -v bsd-mailx >/dev/null; then
	skip "bsd-mailx is not installed"
	done_testing
fi
msp_enter "$0" "$@"

sb_new "FEATURE(\`accept_unresolvable_domains')dnl" || { echo "not ok - sandbox"; exit 1; }
msp_new || { echo "not ok - submission setup"; exit 1; }
sb_start || { echo "not ok - the daemon starts"; exit 1; }
host=$(hostname)
echo "set sendmail=$MSP_BIN" >"$SB/mailrc"
chmod 644 "$SB/mailrc"

out=$(echo hi | MAILRC=$SB/mailrc as_user user1 bsd-mailx -v -s test user2 2>&1)
is "$?" 0 "mail -v exits 0"
like "$out" "user2\.\.\. Connecting to \[127\.0\.0\.1\] port $SB_PORT via relay\.\.\." \
	"the transcript says where the message goes"
like "$out" $'\n'"220 [^ ]+ ESMTP " "the relay's greeting is shown"
like "$out" $'\n'">>> EHLO $host"$'\n'"250-" "then EHLO and its reply"
like "$out" $'\n'">>> MAIL From:<user1@$host> SIZE=[0-9]+"$'\n'"250 2\.1\.0 <user1@$host>\.\.\. Sender ok" \
	"MAIL From: with the qualified user, and the reply"
like "$out" $'\n'">>> RCPT To:<user2@$host>"$'\n'"250 2\.1\.5 " "RCPT To: and the reply"
like "$out" $'\n'">>> DATA"$'\n'"354 " "DATA"
like "$out" $'\n'">>> \."$'\n'"250 2\.0\.0 ([0-9A-Za-z]+) Message accepted for delivery"$'\n' "the final dot and the relay's acceptance"
like "$out" $'\n'"user2\.\.\. Sent \([0-9A-Za-z]+ Message accepted for delivery\)"$'\n' \
	"upstream's Sent (...) line"
like "$out" $'\n'"Closing connection to \[127\.0\.0\.1\]"$'\n'">>> QUIT"$'\n'"221 " "and the end of the session"
sb_wait_mail user2 1
f=$(ls "$SB_MAIL/user2"/msg.* 2>/dev/null | head -1)
like "$(cat "$f" 2>/dev/null)" $'\n'"Subject: test"$'\n' "the message is delivered with its subject"
like "$(cat "$f" 2>/dev/null)" $'\n'"From: User One <user1@$host>" "from the user, with the full name"
like "$(cat "$f" 2>/dev/null)" $'\n\n'"hi$" "and its body"

out=$(echo quiet | MAILRC=$SB/mailrc as_user user1 bsd-mailx -s quiet user2 2>&1)
is "$?/$out" "0/" "without -v mail says nothing"
sb_wait_mail user2 2; ok $? "and the message is delivered"
is "$(ls "$MSP_QUEUE" | grep -c '^[qdt]f')" 0 "the client queue is empty"
done_testing
