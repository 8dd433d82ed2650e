#!/usr/bin/env bash
# local_seed: the administrator's telnet session from the seed notes,
# verbatim (no HELO, "mail from: ceo@google.com", "rcpt to: user1@baidu.com",
# data, a one-line body, ".", quit), over a raw socket to Petrel's daemon and
# to upstream sendmail 8.17's, both loading the same sendmail.cf (made by
# upstream's m4 package; only the port and the folders differ): the same
# replies apart from the host's banner and the queue id, the message in
# user1's mailbox with the same header fields.  Also the notes' own
# spelling "rcpt to : user1@baidu.com", and EHLO first.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/peers.sh"
peers_enter upstream "$0" "$@"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"
w=$(mktemp -d /run/petrel-seed-XXXXXX)
SB_ALL_DIRS="$SB_ALL_DIRS $w"
chmod 755 "$w"
# host names from a hosts file only (no resolver at all), and a load of 0:
# upstream queues instead of delivering at QueueLA (8 per processor)
printf 'hosts\tfiles\naliases\tfiles\n' >"$w/service.switch"
printf '127.0.0.1 localhost mx.example.test\n' >"$w/hosts"
printf '0.00 0.00 0.00 1/100 1\n' >"$w/loadavg"
mount --bind "$w/loadavg" /proc/loadavg
cf_lines=("LOCAL_DOMAIN(\`baidu.com')dnl" "define(\`confSERVICE_SWITCH_FILE', \`$w/service.switch')dnl"
	"define(\`confHOSTS_FILE', \`$w/hosts')dnl")
peers_syslog "$w/syslog"
upport=$(sb_free_port) ptport=$(sb_free_port)
while [ "$ptport" = "$upport" ]; do ptport=$(sb_free_port); done
up_new "$w/up" "$upport" mx.example.test "${cf_lines[@]}"
ok $? "upstream's m4 package makes the cf"
up_new "$w/pt" "$ptport" mx.example.test "${cf_lines[@]}"
# the same text but for the port and the folder (and the second m4 built it in)
diff <(sed "s#$w/up#DIR#g; s#Port=$upport,#Port=PORT,#g; /^##### built by /d" "$w/up/sendmail.cf") \
	<(sed "s#$w/pt#DIR#g; s#Port=$ptport,#Port=PORT,#g; /^##### built by /d" "$w/pt/sendmail.cf") >&2
ok $? "the two cf files differ only in port and folders"
# Petrel's own alias database (upstream's is Berkeley DB)
rm -f "$w/pt/aliases.db"
"$SENDMAIL" -C "$w/pt/sendmail.cf" -bi >/dev/null 2>&1
up_start "$w/up"
ok $? "upstream's daemon listens on $upport"
"$SENDMAIL" -C "$w/pt/sendmail.cf" -bD -L petrel-seed >"$w/pt/daemon.out" 2>&1 &
PEERS_PIDS="$PEERS_PIDS $!"
peers_listening "$ptport"
ok $? "Petrel's daemon listens on $ptport with the same cf"

# talk PORT < script: the transcript, banner host, date and queue id masked
talk() {
	$TALK 127.0.0.1 "$1" | sed -E \
		-e 's/^S: 220 mx\.example\.test ESMTP .*/S: 220 mx.example.test ESMTP BANNER/' \
		-e 's/^S: 250 2\.0\.0 [0-9A-Za-z]{14} Message accepted/S: 250 2.0.0 QID Message accepted/' \
		-e 's/^S: 250-mx\.example\.test Hello .*/S: 250-mx.example.test Hello CLIENT/'
}
seed='mail from: ceo@google.com
rcpt to: user1@baidu.com
data
Hi,baidu.com is good!
.
quit'
up=$(talk "$upport" <<<"$seed")
pt=$(talk "$ptport" <<<"$seed")
is "$pt" "$up" "the seed's session: Petrel's replies are upstream's"
is "$(printf '%s\n' "$pt" | grep -c '^S: 250 2.0.0 QID Message accepted')" 1 "and the message is accepted"
like "$pt" "S: 221 2.0.0 mx.example.test closing connection" "quit closes as in the notes"

notes='mail from: ceo@google.com
rcpt to : user1@baidu.com
data
Hi again
.
quit'
up=$(talk "$upport" <<<"$notes")
pt=$(talk "$ptport" <<<"$notes")
is "$pt" "$up" "'rcpt to : user' as the notes spell it: the same replies"

ehlo='ehlo client.example
mail from: ceo@google.com
rcpt to: user1@baidu.com
rcpt to: nosuchuser@baidu.com
rcpt to: user1@elsewhere.example
data
Subject: third

third
.
quit'
up=$(talk "$upport" <<<"$ehlo")
pt=$(talk "$ptport" <<<"$ehlo")
is "$(grep -v '^S: 250-' <<<"$pt")" "$(grep -v '^S: 250-' <<<"$up")" \
	"with EHLO, an unknown user and a relay attempt: the same replies"

# the mailboxes: the same messages with the same header fields
for d in up pt; do
	for _ in $(seq 1 150); do
		[ "$(ls "$w/$d/mail/user1" 2>/dev/null | grep -c '^msg')" -ge 3 ] && break
		sleep 0.1
	done
done
is "$(ls "$w/pt/mail/user1" 2>/dev/null | grep -c '^msg')" 3 "Petrel delivers the three messages to user1"
is "$(ls "$w/up/mail/user1" 2>/dev/null | grep -c '^msg')" 3 "as upstream does"
fields() {
	for f in "$1"/mail/user1/msg.*; do
		sed -n '/^$/q; s/^\([A-Za-z-]*\):.*/\1/p' "$f" | sort | tr '\n' ' '
		echo
	done | sort
}
is "$(fields "$w/pt")" "$(fields "$w/up")" "with the same header fields"
body=$(grep -l 'Hi,baidu.com is good!' "$w"/pt/mail/user1/msg.* 2>/dev/null)
ok $? "the body arrives"
like "$(cat $body 2>/dev/null)" "From: ceo@google.com" "with a From: made from the envelope"
like "$(cat "$w/syslog")" "petrel-seed\[[0-9]+\]: [0-9A-Za-z]{14}: from=ceo@google.com, size=22, class=0, nrcpts=1, msgid=<[^>]+>, proto=SMTP, daemon=MTA, relay=localhost \[127.0.0.1\]" \
	"Petrel logs under its -L tag"
like "$(cat "$w/syslog")" "petrel-seed\[[0-9]+\]: [0-9A-Za-z]{14}: Authentication-Warning: mx.example.test: localhost \[127.0.0.1\] didn't use HELO protocol" \
	"and logs the missing HELO as upstream does"
done_testing
