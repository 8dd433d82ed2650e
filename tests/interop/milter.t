#!/usr/bin/env bash
# interop/milter: the daemon with two filters built on Debian's libmilter
# (tests/tools/test_milter_filter), in order: every answer at every stage
# turned into upstream's SMTP reply (replies found by running upstream 8.17
# with the same filter), discards, skips, unknown commands, refusals at
# HELO, every modification at end of message checked on the delivered
# message (headers placed as upstream places them, recipients, sender, a
# new body, quarantine), the second filter seeing the first one's changes,
# the macros of Milter.macros.* (each stage's list at its stage) and of a
# filter's own list, and the log lines of Milter.LogLevel.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"
FILTER=$PETREL_BUILDDIR/tests/tools/test_milter_filter
[ -x "$FILTER" ] || { ok 1 "the test filter $FILTER is built"; done_testing; }

base=/run
[ "$(id -u)" -eq 0 ] || base=${TMPDIR:-/tmp}
SOCKS=$(mktemp -d "$base/petrel-milter-XXXXXX")
chmod 755 "$SOCKS"
FPIDS=()
trap 'kill "${FPIDS[@]}" 2>/dev/null; sb_cleanup; rm -rf "$SOCKS"' EXIT

# start_filter NAME ARGS...: the test filter on $SOCKS/NAME.sock, logging to $SOCKS/NAME.log.
start_filter() {
	local name=$1; shift
	"$FILTER" -p "unix:$SOCKS/$name.sock" -l "$SOCKS/$name.log" "$@" &
	FPIDS+=($!)
	for _ in $(seq 1 100); do [ -S "$SOCKS/$name.sock" ] && return 0; sleep 0.05; done
	return 1
}

# talk < script: one SMTP session with the daemon; prints the transcript.
talk() { $TALK 127.0.0.1 "$SB_PORT"; }

# msg USER: the newest message delivered to USER.
msg() { cat "$(ls -t "$SB_MAIL/$1"/msg.* 2>/dev/null | head -1)" 2>/dev/null; }

# headers USER: the header names of USER's newest message, one line, in order.
headers() { msg "$1" | sed -n '1,/^$/p' | grep -o '^[A-Za-z0-9-]*:' | tr '\n' ' '; }

PORT2=$(sb_free_port)
sb_new "MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl" \
	"DAEMON_OPTIONS(\`Port=$PORT2, Addr=127.0.0.1, Name=MTA-rev, InputMailFilters=t2;t1')dnl" \
	"FEATURE(\`accept_unresolvable_domains')dnl" \
	"INPUT_MAIL_FILTER(\`t1', \`S=unix:$SOCKS/t1.sock, F=T, T=R:10s')dnl" \
	"INPUT_MAIL_FILTER(\`t2', \`S=local:$SOCKS/t2.sock, F=T, T=R:10s')dnl" \
	"define(\`confMILTER_LOG_LEVEL', \`14')dnl" \
	"define(\`confMILTER_MACROS_HELO', \`{client_addr}, {client_ptr}')dnl" \
	"define(\`confMILTER_MACROS_DATA', \`{client_name}, {daemon_port}')dnl" \
	"define(\`confMILTER_MACROS_EOH', \`{client_port}')dnl" \
	"LOCAL_CONFIG" "D{test_macro}hello from the cf"
ok $? "a sandbox with two filters compiles"
start_filter t1 && start_filter t2 -t 2 -n 0x100000 -s "2:{test_macro} {mail_addr}"
ok $? "the two filters listen"
sb_start
ok $? "the daemon starts"

# --- answers to MAIL and RCPT ----------------------------------------------
out=$(talk <<'SMTP'
EHLO client.example
MAIL From:<reject@example.org>
MAIL From:<tempfail@example.org>
MAIL From:<reply@example.org>
MAIL From:<mlreply@example.org>
MAIL From:<sender@example.org> SIZE=100
RCPT To:<reject@example.org>
RCPT To:<tempfail@example.org>
RCPT To:<reply@example.org>
RCPT To:<mlreply@example.org>
RCPT To:<user1@localhost>
RCPT To:<accept@localhost>
DATA
Subject: envelope answers

hello
.
QUIT
SMTP
)
like "$out" "S: 550 5.7.1 <reject@example.org>... Command rejected" "MAIL reject: 550 5.7.1 with the address"
like "$out" "C: MAIL From:<tempfail@example.org>.S: 451 4.3.2 Please try again later" "MAIL tempfail: 451 4.3.2"
like "$out" "S: 553 5.7.1 <reply@example.org>... refused by the test filter" "MAIL reply: the filter's code, status and text after the address"
like "$out" "S: 550-5.7.1 <mlreply@example.org>... first line.S: 550 5.7.1 second line" "MAIL multi-line reply: both lines, the address on the first"
like "$out" "S: 250 2.1.0 <sender@example.org>... Sender ok" "a sender the filters pass is accepted"
like "$out" "C: RCPT To:<reject@example.org>.S: 550 5.7.1 <reject@example.org>... Command rejected" "RCPT reject: 550 5.7.1"
like "$out" "C: RCPT To:<tempfail@example.org>.S: 451 4.3.2 Please try again later" "RCPT tempfail: 451 4.3.2"
like "$out" "C: RCPT To:<reply@example.org>.S: 553 5.7.1 <reply@example.org>... refused" "RCPT reply: the filter's reply"
like "$out" "S: 250 2.1.5 <accept@localhost>... Recipient ok" "RCPT accept: the usual 250"
[[ $(cat "$SOCKS/t1.log") != *"rcpt arg0=<accept@localhost>"*data* ]]
ok $? "after accepting at RCPT the filter hears no more of the message"
like "$out" "S: 250 2.0.0 [0-9A-Za-z]+ Message accepted" "the message is accepted"
sb_wait_mail user1 1 && sb_wait_mail accept 1
ok $? "it reaches both accepted recipients"
like "$(cat "$SB/daemon.log")" "Milter: from=<reject@example.org>, reject=550 5.7.1 Command rejected" \
	"the refusal is logged as upstream logs it"
like "$(cat "$SB/daemon.log")" "Milter: to=<mlreply@example.org>, reject=550-5.7.1 first line\\\\r\\\\n550 5.7.1 second line" \
	"a multi-line refusal is logged on one line"
log1=$(cat "$SOCKS/t1.log")
like "$log1" "mail arg1=SIZE=100" "the filter gets MAIL's ESMTP parameters"
like "$log1" "mail macro \{mail_addr\}=sender@example.org" "Milter.macros.envfrom is sent at MAIL"
like "$log1" "rcpt macro \{rcpt_addr\}=user1" "Milter.macros.envrcpt is sent at RCPT"
like "$log1" "connect host=localhost family=2" "connect names the client and its address family"
like "$log1" "helo macro \{client_addr\}=127.0.0.1" "Milter.macros.helo is sent at HELO"
[[ $log1 != *"connect macro {client_addr}"* ]]
ok $? "(and not before)"
like "$log1" "helo macro \{client_ptr\}=localhost" "({client_ptr} is what the PTR lookup of 127.0.0.1 gave)"
log2=$(cat "$SOCKS/t2.log")
like "$log2" "mail macro \{test_macro\}=hello from the cf" "a filter's own macro list is honoured"
[[ $log1 != *test_macro* ]]
ok $? "and only for that filter"

# --- discards: nothing delivered, 250 all the same -------------------------
out=$(talk <<'SMTP'
EHLO client.example
MAIL From:<discard@example.org>
RCPT To:<dis1@localhost>
DATA
Subject: discarded at MAIL

x
.
MAIL From:<sender@example.org>
RCPT To:<discard@localhost>
RCPT To:<dis2@localhost>
DATA
Subject: discarded at RCPT

x
.
MAIL From:<sender@example.org>
RCPT To:<dis3@localhost>
DATA
Subject: discarded at a header
X-Act: discard

x
.
MAIL From:<sender@example.org>
RCPT To:<dis4@localhost>
DATA
Subject: discarded at end of message
X-Eom: discard

x
.
MAIL From:<sender@example.org>
RCPT To:<user1@localhost>
DATA
Subject: after the discards

x
.
QUIT
SMTP
)
is "$(grep -c 'S: 250 2.0.0 .* Message accepted' <<<"$out")" 5 "discarded messages get the usual 250"
sb_wait_mail user1 2
ok $? "the message after them is delivered"
sleep 0.3
is "$(sb_count dis1)$(sb_count dis2)$(sb_count dis3)$(sb_count dis4)" "0000" \
	"discards at MAIL, RCPT, a header and end of message deliver nothing"
is "$(grep -c 'discarded$' "$SB/daemon.log")" 4 "each discard is logged"

# --- refusals of DATA and of the message ------------------------------------
out=$(talk <<'SMTP'
EHLO client.example
MAIL From:<datareject@example.org>
RCPT To:<ref1@localhost>
DATA
RSET
MAIL From:<datatempfail@example.org>
RCPT To:<ref1@localhost>
DATA
RSET
MAIL From:<datareply@example.org>
RCPT To:<ref1@localhost>
DATA
RSET
MAIL From:<sender@example.org>
RCPT To:<ref2@localhost>
DATA
Subject: a header refuses
X-Act: reject

x
.
MAIL From:<sender@example.org>
RCPT To:<ref2@localhost>
DATA
Subject: a header fails for now
X-Act: tempfail

x
.
MAIL From:<sender@example.org>
RCPT To:<ref2@localhost>
DATA
Subject: end of message refuses
X-Eom: reject

x
.
MAIL From:<sender@example.org>
RCPT To:<ref2@localhost>
DATA
Subject: end of message replies
X-Eom: mlreply

x
.
MAIL From:<sender@example.org>
RCPT To:<ref2@localhost>
DATA
Subject: end of message fails for now
X-Eom-2: tempfail

x
.
QUIT
SMTP
)
like "$out" "C: DATA.S: 550 5.7.1 Command rejected" "DATA reject: 550 5.7.1 Command rejected"
like "$out" "C: DATA.S: 451 4.3.2 Please try again later" "DATA tempfail: 451 4.3.2"
like "$out" "C: DATA.S: 553 5.7.1 refused by the test filter" "DATA reply: the filter's reply"
like "$out" "C: X-Act: reject.C: .C: x.C: ..S: 554 5.7.1 Command rejected" "a header's reject: 554 5.7.1"
like "$out" "C: X-Act: tempfail.C: .C: x.C: ..S: 451 4.3.2 Please try again later" "a header's tempfail: 451 4.3.2"
like "$out" "C: X-Eom: reject.C: .C: x.C: ..S: 554 5.7.1 Command rejected" "end of message reject: 554 5.7.1"
like "$out" "S: 550-5.7.1 first line.S: 550 5.7.1 second line" "end of message reply: the filter's lines"
like "$out" "C: X-Eom-2: tempfail.C: .C: x.C: ..S: 451 4.3.2 Please try again later" \
	"the second filter's tempfail at end of message: 451 4.3.2"
like "$(cat "$SB/daemon.log")" "Milter: data, reject=554 5.7.1 Command rejected" "a message refusal is logged"
like "$(cat "$SB/daemon.log")" "Milter: cmd=data, reject=550 5.7.1 Command rejected" "a DATA refusal is logged"
sleep 0.5
is "$(sb_count ref1)$(sb_count ref2)" "00" "refused messages are not delivered"
is "$(ls "$SB/mqueue" | grep -c '^[qdth]f')" 0 "and leave nothing in the queue"

# --- accept at a header, skip, unknown commands ------------------------------
big=$(head -c 150000 /dev/zero | tr '\0' 'b' | fold -w 70)
nbody=$(grep -c '^body ' "$SOCKS/t1.log")
nbody2=$(grep -c '^body ' "$SOCKS/t2.log")
out=$(talk <<SMTP
EHLO client.example
MAIL From:<sender@example.org>
RCPT To:<acc@localhost>
DATA
Subject: the first filter accepts at a header
X-Act: accept
X-Mods: addheader,chgheader
X-Mods-2: addheader=X-Second

SKIPME
$big
.
FOO bar baz
QUIT
SMTP
)
like "$out" "C: FOO bar baz.S: 500 5.5.1 Command unrecognized: \"FOO bar baz\"" "an unknown command gets the usual 500"
like "$(cat "$SOCKS/t1.log")" "unknown FOO bar baz" "and the filter hears it"
sb_wait_mail acc 1
m=$(msg acc)
like "$m" "Subject: the first filter accepts at a header" "after an accept at a header the filter changes nothing"
[[ $m != *X-Added* ]]
ok $? "(its X-Mods are not applied)"
like "$m" "X-Second:by 2" "the next filter still runs (a HDR_LEADSPC filter's value is kept as sent)"
is "$(msg acc | sed '1,/^$/d' | wc -c)" "$(printf 'SKIPME\n%s\n' "$big" | wc -c)" "the whole body is delivered"
is "$(( $(grep -c '^body ' "$SOCKS/t2.log") - nbody2 ))" 1 "a filter that answers skip gets one body chunk of a 150 KB body"
is "$(grep -c '^body ' "$SOCKS/t1.log")" "$nbody" "a filter that accepted at a header gets no body"
like "$(cat "$SOCKS/t2.log")" "header Subject=\[ the first filter" "a HDR_LEADSPC filter gets the blank after the colon"

# --- refusals at HELO --------------------------------------------------------
out=$(talk <<'SMTP'
EHLO reject.example
MAIL From:<sender@example.org>
NOOP
QUIT
SMTP
)
like "$out" "S: 250-[^ ]+ Hello .*S: 250 ENHANCEDSTATUSCODES.C: MAIL" "after a HELO reject EHLO offers only ENHANCEDSTATUSCODES"
like "$out" "C: MAIL From:<sender@example.org>.S: 550 5.0.0 Command rejected" "and MAIL gets 550 5.0.0 Command rejected"
like "$out" "C: NOOP.S: 250 2.0.0 OK" "NOOP is still served"
out=$(printf 'HELO tempfail.example\nMAIL From:<sender@example.org>\nQUIT\n' | talk)
like "$out" "C: MAIL From:<sender@example.org>.S: 451 4.3.2 Please try again later" "after a HELO tempfail MAIL gets 451 4.3.2"
out=$(printf 'HELO reply.example\nMAIL From:<sender@example.org>\nQUIT\n' | talk)
like "$out" "C: MAIL From:<sender@example.org>.S: 553 5.7.1 refused by the test filter" "after a HELO reply MAIL gets the filter's reply"
like "$(cat "$SB/daemon.log")" "Milter: helo=reject.example, reject=Command rejected" "the HELO refusal is logged"

# --- every modification, checked on the delivered message --------------------
out=$(talk <<'SMTP'
EHLO client.example
MAIL From:<sender@example.org>
RCPT To:<user3@localhost>
RCPT To:<gone@localhost>
DATA
Subject: test
X-Mods: addheader,insheader=0,chgheader,delheader,addrcpt=<user4@localhost>,addrcpt_par=<addedpar@localhost>,delrcpt=<gone@localhost>,chgfrom,replbody,progress
X-Mods-2: addheader=X-Second
Date: Mon, 1 Jan 2024 00:00:00 +0000

body line
.
QUIT
SMTP
)
like "$out" "S: 250 2.0.0 [0-9A-Za-z]+ Message accepted" "a message every modification applies to is accepted"
sb_wait_mail user3 1 && sb_wait_mail user4 1 && sb_wait_mail addedpar 1
ok $? "it reaches the recipient, the added one and the one added with parameters"
m=$(msg user3)
like "$m" "^Return-Path: <newfrom@example.test>" "change sender: the new sender is the envelope's"
like "$m" "X-Added: by the filter" "add header"
like "$m" "Subject: changed subject" "change header"
[[ $m != *X-Mods:* ]]
ok $? "delete header"
is "$(msg user3 | sed '1,/^$/d')" "new body" "replace body"
is "$(headers user3)" "Return-Path: X-Inserted: Received: From: Message-Id: Subject: X-Mods-2: Date: X-Added: X-Second: " \
	"headers in upstream's order: insert at 0 goes after the first H line's place, adds at the end"
like "$(cat "$SOCKS/t2.log")" "header X-Added=\[ by the filter\]" "the second filter sees the first one's header"
like "$(cat "$SOCKS/t2.log")" "body 10 \[new body" "and its new body"
like "$(cat "$SOCKS/t1.log")" "eom macro i=[0-9A-Za-z]{14}" "the queue id is sent at end of message"
sleep 0.3
is "$(sb_count gone)" 0 "delete recipient"
like "$(cat "$SB/daemon.log")" "Milter \(t1\) add: header: X-Added: by the filter" "modifications are logged"
like "$(cat "$SB/daemon.log")" "milter=t1, action=eom, continue" "Milter.LogLevel 14 logs each answer"
[[ $(cat "$SB/daemon.log") != *"Milter: sender:"* ]]
ok $? "but not what needs a level above 14"

# header places as upstream's (found by running it with the same changes)
out=$(talk <<'SMTP'
EHLO client.example
MAIL From:<sender@example.org>
RCPT To:<hdr1@localhost>
DATA
Subject: test
X-Two: 1
X-Mods: insheader=4,chgheader=X-Two/3,delheader=Subject/1,chgheader=Date/2
X-Two: 2
Date: Mon, 1 Jan 2024 00:00:00 +0000

x
.
MAIL From:<sender@example.org>
RCPT To:<hdr2@localhost>
DATA
Subject: test
X-Two: 1
X-Mods: delheader=X-Two/1,insheader=10,chgheader=X-New/1
X-Two: 2

x
.
MAIL From:<sender@example.org>
RCPT To:<hdr3@localhost>
DATA
Subject: test
X-Two: 1
X-Mods: delheader=X-Two/1,chgheader=X-Two/1
X-Two: 2

x
.
QUIT
SMTP
)
sb_wait_mail hdr1 1 && sb_wait_mail hdr2 1 && sb_wait_mail hdr3 1
ok $? "three messages with header changes are delivered"
is "$(headers hdr1)" "Return-Path: Received: Date: X-Inserted: From: Message-Id: X-Two: X-Two: X-Mods: X-Two: Date: " \
	"insert at 4 lands before From, a change past the last X-Two adds before the first, Date/2 fills the template's place"
like "$(msg hdr1)" "X-Two: changed X-Two.X-Two: 1" "(the added X-Two comes first)"
is "$(headers hdr2)" "Return-Path: Received: Date: From: Message-Id: Subject: X-Inserted: X-Mods: X-Two: X-New: " \
	"a deleted header keeps its place for insert indexes; a change of a missing header adds it at the end"
is "$(headers hdr3)" "Return-Path: Received: Date: From: Message-Id: Subject: X-Two: X-Mods: X-Two: " \
	"a deleted header keeps its place for a change"
like "$(msg hdr3)" "Subject: test.X-Two: changed X-Two.X-Mods" "(the deleted X-Two is changed back in its place)"

# --- quarantine --------------------------------------------------------------
out=$(talk <<'SMTP'
EHLO client.example
MAIL From:<sender@example.org>
RCPT To:<quar@localhost>
DATA
Subject: held
X-Mods: quarantine

x
.
QUIT
SMTP
)
like "$out" "S: 250 2.0.0 [0-9A-Za-z]+ Message accepted" "a quarantined message is accepted"
hf=$(ls "$SB/mqueue" | grep '^hf' | head -1)
ok $([ -n "$hf" ]; echo $?) "it is queued as an hf file"
like "$(cat "$SB/mqueue/$hf" 2>/dev/null)" "qheld by the test filter" "with the filter's reason"
ok $([ ! -e "$SB/mqueue/qf${hf#hf}" ]; echo $?) "and no qf"
sleep 0.5
is "$(sb_count quar)" 0 "it is not delivered"
like "$(cat "$SB/daemon.log")" "milter=t1, quarantine=held by the test filter" "the quarantine is logged"

# --- the macros of the later stages (the first filter saw whole messages by now)
log1=$(cat "$SOCKS/t1.log")
like "$log1" "data macro \{client_name\}=localhost" "Milter.macros.data is sent at DATA"
like "$log1" "data macro \{daemon_port\}=$SB_PORT" "({daemon_port} is the daemon's port)"
[[ $log1 != *"rcpt macro {client_name}"* ]]
ok $? "(and not before)"
like "$log1" "eoh macro \{client_port\}=[1-9][0-9]*" "Milter.macros.eoh is sent at the end of the headers ({client_port})"
[[ $log1 != *"data macro {client_port}"* ]]
ok $? "(and not before)"

# --- a daemon's InputMailFilters= runs them in its own order -------------------
out=$($TALK 127.0.0.1 "$PORT2" <<'SMTP'
EHLO client.example
MAIL From:<sender@example.org>
RCPT To:<rev@localhost>
DATA
Subject: reversed
X-Mods: addheader
X-Mods-2: addheader=X-Second

x
.
QUIT
SMTP
)
like "$out" "S: 250 2.0.0 [0-9A-Za-z]+ Message accepted" "the daemon with InputMailFilters=t2;t1 accepts the message"
sb_wait_mail rev 1
ok $? "and delivers it"
like "$(headers rev)" "X-Second: X-Added: $" "t2 ran first: its header comes before t1's"
like "$(cat "$SOCKS/t1.log")" "header X-Second=\[by 2\]" "and t1 saw it"
done_testing
