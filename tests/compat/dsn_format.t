#!/usr/bin/env bash
# compat/dsn_format: delivery status notices and the delivery log lines
# against upstream sendmail 8.17's daemon on the same upstream-made cf (the
# oracle pair of tests/lib/peers.sh), the same mail and the same failures: an alias to an
# unknown user, an "error:" alias (an unknown user for upstream 8.17), a program alias exiting 67 and 75, scripted SMTP peers
# refusing a RCPT (550, with and without PIPELINING), the message after the
# dot (554) and a RCPT for now (451), so that Timeout.queuewarn brings delay warnings and
# Timeout.queuereturn the bounces; return receipts (NOTIFY=SUCCESS with
# RET=HDRS, RET=FULL and ENVID, ORCPT; relayed to a peer without DSN), an
# unknown user on the command line (-oem), mail from <> and from a sender
# without an account.  Every notice is compared whole, with only ids,
# dates, boundaries and the MTA's version normalised
# (tests/lib/dsn_normalize.py), and so are the delivered messages and the
# to= and DSN log lines, priorities (pri=) included: upstream counts the
# queue file's header records into the size of a message it reads back from
# the queue (one received over SMTP for a local or program recipient, whose
# aliases it expands only then, and any message of a queue run), and so
# into the priorities of its notices, and a queue run adds RetryFactor to
# the priority it reads.  The cf's Received header has no $v, so that the
# two MTAs' versions, of different lengths, do not make the headers differ
# in size.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/peers.sh"
peers_enter upstream "$0" "$@"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"
NORM="python3 $PETREL_SRCDIR/tests/lib/dsn_normalize.py"
TAG=petrel-dsnfmt
pair_env dsnfmt
pair_users 4600 sender u1
pair_new "define(\`confTO_QUEUEWARN', \`4s')dnl" "define(\`confTO_QUEUERETURN', \`30s')dnl" \
	"define(\`confRECEIVED_HEADER', \`\$?sfrom \$s \$.by \$j (\$Z)\$?r with \$r\$. id \$i; \$b')dnl"
ok $? "an upstream cf for both"
trap 'for p in $PEERS_PIDS; do kill "$p" 2>/dev/null; done; [ -n "${DSN_FORMAT_KEEP:-}" ] && cp -r "$w" "$DSN_FORMAT_KEEP"; sb_cleanup' EXIT
for d in up pt; do
	cat >>"$w/$d/aliases" <<AL
bad: nosuchuser
gone: error:5.1.1:550 gone
p67: "|$w/exit67.sh"
p75: "|$w/exit75.sh"
team: u1, sender
fwd: u1
team2: u1, nosuchuser
p0: "|$w/exit0.sh"
AL
done
printf '#!/bin/sh\ncat >/dev/null\necho "no such thing here"\nexit 67\n' >"$w/exit67.sh"
printf '#!/bin/sh\ncat >/dev/null\nexit 75\n' >"$w/exit75.sh"
printf '#!/bin/sh\ncat >/dev/null\nexit 0\n' >"$w/exit0.sh"
chmod 755 "$w/exit67.sh" "$w/exit75.sh" "$w/exit0.sh"
fake_peer rcptrej 127.0.0.14 --rcpt-reply "r1=550 5.1.1 r1 is unknown here" &&
	fake_peer dotrej 127.0.0.12 --dot-reply "554 5.7.1 message content refused" &&
	fake_peer later 127.0.0.15 --rcpt-reply "t1=451 4.2.0 try again later" &&
	fake_peer nopipe 127.0.0.16 --no-pipelining --rcpt-reply "r2=550 5.1.1 r2 is unknown here" &&
	fake_peer sink 127.0.0.20
ok $? "the peers listen"
pair_aliases
pair_start "$TAG"
: >"$w/syslog"

# smtp SIDE SUBJECT MAIL-PARAMS RCPT...: one message over SMTP from sender@
# (a RCPT may carry its parameters after a space)
smtp() {
	local side=$1 subj=$2 mp=$3
	shift 3
	{
		echo "ehlo client.example"
		case $subj in
		remote-sender) echo "mail from:<far@mx.example.test>" ;;
		null-sender) echo "mail from:<>" ;;
		*) echo "mail from:<sender@mx.example.test>$mp" ;;
		esac
		for r in "$@"; do echo "rcpt to:<${r%% *}>${r#"${r%% *}"}"; done
		printf 'data\nSubject: %s\nMessage-Id: <%s@client.example>\n\nhello\n.\nquit\n' "$subj" "$subj"
	} | $TALK 127.0.0.1 "$(port_of "$side")" | grep -E '^S: [45]'
}
port_of() { if [ "$1" = up ]; then echo "$upport"; else echo "$ptport"; fi; }
mta_of() {	# SIDE: the sendmail command of upstream's or Petrel's side
	if [ "$1" = up ]; then echo "$ORACLE_SENDMAIL -C $w/up/sendmail.cf"
	else echo "$SENDMAIL -C $w/pt/sendmail.cf -L $TAG"; fi
}
both() {	# SUBJECT MAIL-PARAMS RCPT...: the same message to each
	local d
	for d in up pt; do smtp $d "$@"; done
}
both alias-unknown "" bad@mx.example.test
both alias-error "" gone@mx.example.test
both prog67 "" p67@mx.example.test
both rcpt550 "" 'r1@[127.0.0.14]'
both dot554 "" 'x@[127.0.0.12]'
both rcpt550-nopipe "" 'r2@[127.0.0.16]'
both success-hdrs " RET=HDRS" "u1@mx.example.test NOTIFY=SUCCESS"
both success-full " RET=FULL ENVID=env-1" "u1@mx.example.test NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;u1@orig.example"
both success-relay "" "s@[127.0.0.20] NOTIFY=SUCCESS"
both success-list "" "team@mx.example.test NOTIFY=SUCCESS"
both success-alias "" "fwd@mx.example.test NOTIFY=SUCCESS,FAILURE"
both success-list-fail "" "team2@mx.example.test NOTIFY=SUCCESS,FAILURE"
both failure-list "" "team2@mx.example.test NOTIFY=FAILURE"
both success-prog "" "p0@mx.example.test NOTIFY=SUCCESS"
both success-and-failure "" "u1@mx.example.test NOTIFY=SUCCESS" "bad@mx.example.test NOTIFY=FAILURE"
both never "" "bad@mx.example.test NOTIFY=NEVER" "u1@mx.example.test NOTIFY=NEVER"
both success-relay-list "" "team@mx.example.test NOTIFY=SUCCESS" "s@[127.0.0.20] NOTIFY=SUCCESS"
both mixed "" u1@mx.example.test bad@mx.example.test
both remote-sender "" u1@mx.example.test
both null-sender "" u1@mx.example.test
for d in up pt; do
	printf 'Subject: cmdline\n\nhello\n' | $(mta_of $d) -odi -oem -f sender nosuch
done
# the deferred ones last: a queue run after Timeout.queuewarn, another after .queuereturn
both prog75 "" p75@mx.example.test
both rcpt451 "" 't1@[127.0.0.15]'
t0=$SECONDS
# one queue run per message (-qI): upstream's carries a status from one message to the next
id_of() { sed -n "s/.* $1\[[0-9]*\]: \([0-9A-Za-z]*\): from=.*msgid=<$2@client.example>.*/\1/p" "$w/syslog"; }
qrun() {
	for d in up pt; do
		tag=sendmail
		[ $d = pt ] && tag=$TAG
		for m in prog75 rcpt451; do $(mta_of $d) -qI"$(id_of "$tag" $m)"; done
	done
}
# the deferred messages' priority (P) and attempts (N) as queued: after the
# first attempt of the process that received them (the program's recipient
# counted with the header records, as upstream reads the message back to
# expand it), then after a queue run (RetryFactor added)
pn() {
	local m f
	for m in prog75 rcpt451; do
		f=$(grep -l "^H??Message-Id: <$m@client.example>" "$w/$1"/mqueue/qf* 2>/dev/null)
		[ -n "$f" ] && echo "$m $(grep -E '^[PN]' "$f" | sort | tr '\n' ' ')"
	done
}
up=$(pn up)
is "$(pn pt)" "$up" "the P and N records of the deferred messages are upstream's: $(echo $up)"
sleep $((t0 + 5 - SECONDS))
qrun
up=$(pn up)
is "$(pn pt)" "$up" "and after a queue run: $(echo $up)"
sleep $((t0 + 32 - SECONDS))
qrun
sleep 3
count() { ls "$w/$1/mail/$2" 2>/dev/null | grep -c '^msg'; }
is "$(count pt sender)" "$(count up sender)" "as many notices as upstream's ($(count up sender))"
# each notice, whole, in the order of its subject and the returned message's
notices() { $NORM "$w/$1"/mail/$2/msg.* 2>/dev/null; }
blocks() { awk -v want="$2" '/^=== /{n++} n==want' <<<"$1"; }
up=$(notices up sender) pt=$(notices pt sender)
for k in $(seq 1 "$(grep -c '^=== ' <<<"$up")"); do
	b=$(blocks "$up" "$k")
	is "$(blocks "$pt" "$k")" "$b" "the notice is upstream's: ${b%%$'\n'*}"
done
is "$(notices pt u1)" "$(notices up u1)" "the delivered messages are upstream's (Return-Path: <MAILER-DAEMON> for <>)"
like "$pt" "Received-From-MTA: DNS; localhost
Arrival-Date: " "a notice made on receipt names the client"
like "$pt" "X-Actual-Recipient: X-Unix; \|$w/exit67.sh
Action: failed
Status: 5.1.1
Diagnostic-Code: X-Unix; 67" "a program's exit status as Diagnostic-Code"
like "$pt" "   ----- Transcript of session follows -----
\.\.\. while talking to \[127\.0\.0\.14\]:
>>> DATA
<<< 550 5\.1\.1 r1 is unknown here
550 5\.1\.1 <r1@\[127\.0\.0\.14\]>\.\.\. User unknown" "an SMTP refusal's transcript (DATA: the commands went out pipelined)"
like "$pt" "\.\.\. while talking to \[127\.0\.0\.16\]:
>>> RCPT To:<r2@\[127\.0\.0\.16\]>
<<< 550 5\.1\.1 r2 is unknown here" "and the RCPT itself to a server without PIPELINING"

# the delivery log lines with their syslog priority, ids and delays
# normalised.  The command line's
# message is left out: upstream logs its unknown user while reading the
# command line, before it queues the message.
log_of() {
	python3 - "$w/syslog" "$1" <<'PY'
import re, sys
lines = []
for l in open(sys.argv[1], encoding='latin-1'):
    m = re.match(r'(<\d+>).{15} ' + re.escape(sys.argv[2]) + r'\[\d+\]: (\w+): (.*)', l.rstrip('\n'))
    if m:
        lines.append(m.groups())
skip = {q for _, q, text in lines if text.startswith('from=sender,')}
skip |= {re.match(r'\w+', text).group(0) for _, q, text in lines if q in skip and ': DSN: ' in text}
# grouped by message, a notice's lines with the message's, the messages in
# the order they came: deliveries and notices run in processes of their own,
# so their lines and the next message's interleave as the machine's load has it
owner = {}	# a notice's id -> the message it reports on, as of the latest DSN line
groups = {}
for pri, qid, text in lines:
    m = re.match(r'(\w+): (DSN|sender notify|postmaster notify|return to sender): ', text)
    if m:
        owner[m.group(1)] = owner.get(qid, qid)
    if qid in skip:
        continue
    if not re.match(r'(to=|\w+: (DSN|sender notify|postmaster notify|return to sender): )', text):
        continue
    t = re.sub(r'\b[0-9A-Za-z]{8}[0-9]{6}\b', 'QID', pri + ' ' + qid + ': ' + text)
    groups.setdefault(owner.get(qid, qid), []).append(re.sub(r'(x?delay)=[0-9:+]+', r'\1=T', t))
# in the order the messages came (their from= lines)
came = {}
for i, (_, qid, text) in enumerate(lines):
    if text.startswith('from=') and qid not in came:
        came[qid] = i
for r in sorted(groups, key=lambda r: came.get(r, len(lines))):
    print('\n'.join(groups[r]))
PY
}
uplog=$(log_of sendmail) ptlog=$(log_of "$TAG")
is "$ptlog" "$uplog" "the delivery log lines are upstream's, priorities (pri=, and syslog's: info) included"
p75=($(sed -n 's/.*to="|[^"]*exit75\.sh",.*pri=\([0-9]*\),.*/\1/p' <<<"$uplog"))
is "$((p75[1] - p75[0])) $((p75[2] - p75[1]))" "90000 90000" \
	"(upstream's queue runs add RetryFactor to the priority they read: ${p75[*]})"
like "$ptlog" "QID: QID: DSN: User unknown" "a bounce's log line gives the failure"
like "$ptlog" "QID: QID: sender notify: Warning: could not send message for past 4 seconds" "a warning's"
like "$ptlog" "to=nosuchuser, ctladdr=<bad@mx.example.test> \(1/0\), delay=T, mailer=local, pri=[0-9]+, dsn=5\.1\.1, reply=550 5\.1\.1 User unknown, stat=User unknown" \
	"an unknown user found while expanding: no xdelay, the error as reply="
done_testing
