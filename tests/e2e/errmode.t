#!/usr/bin/env bash
# errmode: the ErrorMode option (-oe<x>) of a local submission against
# upstream sendmail 8.17, both on the same upstream-made cf, aliases and
# users: what the program prints (standard output and error, byte for
# byte), its exit status, what it saves in ~/dead.letter (mode, owner,
# contents) and which bounces are mailed, for an unknown local user on the
# command line, an alias to an unknown user, a list with one, -t, under
# -odi, -odb and -odq; as root with sendmail.cf (the failure is found by
# alias expansion and the user lookup before any mailer runs) and as a user
# through submit.cf (the daemon refuses RCPT).  A later queue run delivers
# what -odq left, once, and fails nothing again.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/peers.sh"
. "$PETREL_SRCDIR/tests/lib/msp.sh"
peers_enter upstream "$0" "$@"
SUMMARY="python3 $PETREL_SRCDIR/tests/lib/dsn_summary.py"
pair_env errmode
pair_users 4600 sender u1 rootdl
# a home root may write in, so that root's -oep saves the message there
chown root:root "$w/home/rootdl"
pair_new
# programs that fail (EX_NOPERM) and defer (EX_TEMPFAIL)
printf '#!/bin/sh\ncat >/dev/null\nexit 77\n' >"$w/perm.sh"
printf '#!/bin/sh\ncat >/dev/null\nexit 75\n' >"$w/defer.sh"
chmod 755 "$w/perm.sh" "$w/defer.sh"
for d in up pt; do
	printf 'bad: nosuchuser\nerrlist: u1, nosucherr\n' >>"$w/$d/aliases"
	printf 'gone: error:5.1.1:550 gone\nnoperson: error:nouser No such person\n' >>"$w/$d/aliases"
	printf 'perm: "|%s/perm.sh"\ntmp: "|%s/defer.sh"\n' "$w" "$w" >>"$w/$d/aliases"
	printf 'deflist: u1, tmp\nfwd: deflist\nqlist: u1, rootdl\n' >>"$w/$d/aliases"
done
pair_aliases
pair_start petrel-em

# The outcome of the last submission of SIDE: exit status, stdout, stderr,
# any dead.letter (mode, owner, contents; then removed).  Queue ids, times,
# the version and the time zone's name are normalised (the Date header's
# "GMT" is not ErrorMode's business).
outcome() {
	local f
	printf 'rc=%s\n--out\n%s\n--err\n%s\n' "$(cat "$w/rc")" "$(cat "$w/out")" "$(cat "$w/err")"
	for f in "$w"/home/*/dead.letter; do
		[ -f "$f" ] || continue
		echo "--$(stat -c '%a %U' "$f") $f"
		sed -E 's/[0-9A-Za-z]{14}/QID/g; s/[0-9]{2}:[0-9]{2}:[0-9]{2}/HH:MM:SS/g;
			s/\([^/ ]*\/8\.17\.1\.9\)/(V)/; s/<[0-9]{12}\./<DATE./;
			s/ (GMT|\+0000)$/ ZONE/' "$f"
		rm -f "$f"
	done
}
# sub SIDE SUBJECT ARGS...: root submits with the side's sendmail.cf
sub() {
	local side=$1 subj=$2 bin=$SENDMAIL
	shift 2
	[ "$side" = up ] && bin=$ORACLE_SENDMAIL
	printf 'Subject: %s\n\nhello\n' "$subj" |
		"$bin" -C "$w/$side/sendmail.cf" "$@" >"$w/out" 2>"$w/err"
	echo $? >"$w/rc"
	sleep 0.2	# a -odb child prints nothing, but let it run before the next one
	outcome
}
# both NAME ARGS...: the same submission on each side; their outcomes must agree
both() {
	local name=$1 up pt
	shift
	up=$(sub up "$name" "$@")
	pt=$(sub pt "$name" "$@")
	is "$pt" "$up" "$name: $(echo "$up" | head -1), Petrel's output as upstream's"
	LAST=$pt
}

F=(-f sender@mx.example.test)
for m in p q m w e; do
	both "mta-$m-unknown-odi" -oe$m -odi "${F[@]}" nosuchuser
	case $m in
	p) like "$LAST" $'^rc=67\n--out\nnosuchuser\\.\\.\\. User unknown\n--err$' \
		"ErrorMode p: the failure on standard output, nothing on standard error, exit 67" ;;
	q) like "$LAST" $'^rc=67\n--out\n\n--err$' "ErrorMode q: silent, exit 67" ;;
	e) like "$LAST" '^rc=0' "ErrorMode e: exit 0" ;;
	esac
done
for m in p q e; do
	both "mta-$m-alias-odi" -oe$m -odi "${F[@]}" bad
	both "mta-$m-list-odi" -oe$m -odi "${F[@]}" errlist
done
# an "error:" alias is no error mailer for upstream 8.17: rulesets 3 and 0
# take "error:" for a group name and leave an unknown local user
both "mta-p-erroralias-odi" -oep -odi "${F[@]}" gone
like "$LAST" $'^rc=67\n--out\nerror:5\\.1\\.1:550 gone\\.\\.\\. User unknown\n' \
	"an error: alias is an unknown user (exit 67, the entry as the address)"
both "mta-m-erroralias-odi" -oem -odi "${F[@]}" noperson u1
both "mta-m-erroralias-odq" -oem -odq "${F[@]}" gone
# an address that cannot be parsed (ruleset 0's $#error): reported as ErrorMode
# says, exit 64 (0 for e), the others delivered, and bounced (but for q) also
# when it was the only recipient, under -odb and -odq too (the notices are
# compared whole below)
for m in q p m w e; do
	both "mta-$m-syntax-odi" -oe$m -odi "${F[@]}" 'x@' u1
done
like "$LAST" '^rc=0' "ErrorMode e: a refused address mailed back, exit 0"
for od in b q d; do
	both "mta-m-syntax-od$od" -oem -od$od "${F[@]}" 'x@' u1
done
both "mta-m-syntax-alone" -oem -odi "${F[@]}" 'x@'
both "mta-m-syntax-mixed" -oem -odi "${F[@]}" nosuchuser 'x@' u1 '<y@>'
like "$(sub pt x -oep -odq -f ghost@mx.example.test 'x@')" $'^rc=64\n--out\nx@\\.\\.\\. Hostname required\n--err$' \
	"ErrorMode p: the refused address on standard output"
both "mta-p-prog-odi" -oep -odi "${F[@]}" perm
like "$LAST" '^rc=77' "a failed program's own exit status is the program's (77)"
both "mta-p-defer-odi" -oep -odi "${F[@]}" tmp
like "$LAST" '^rc=0' "a deferral is no failure (exit 0)"
# a list whose program member defers: the member is queued as a recipient of
# its own, its R record as upstream's (NOTIFY's flags, or F and D without it,
# and A for a member of an alias), after -odi and over SMTP (with ORCPT)
both "mta-p-deflist-odi" -oep -odi "${F[@]}" deflist
both "mta-p-deflist-notify" -oep -odi -N success,delay "${F[@]}" fwd
smtp_rcpt() {	# SIDE PORT SUBJECT RCPT PARAMS...
	python3 - "$2" "$3" "$4" "${@:5}" <<'PY'
import smtplib, sys
c = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))
c.ehlo('client.example')
c.mail('sender@mx.example.test')
c.rcpt(sys.argv[3], sys.argv[4:])
c.data(('Subject: %s\r\n\r\nhello\r\n' % sys.argv[2]).encode())
c.quit()
PY
}
for d in up pt; do
	port=$upport
	[ $d = pt ] && port=$ptport
	smtp_rcpt $d "$port" smtp-deflist deflist@mx.example.test
	smtp_rcpt $d "$port" smtp-deflist-orcpt fwd@mx.example.test NOTIFY=FAILURE ORCPT=rfc822\;fwd@orig.example
done
# the recipient records (M, C, Q, r, R) of the queued message with SUBJECT
# (C: the innermost alias with DefaultUser's uid and the alias file's gid,
# "Ctmp:1:0:tmp"); not A, the AUTH= of MAIL, which upstream also writes for
# the command line
qf_of() {	# SIDE SUBJECT: the deferred message's qf
	local f
	for _ in $(seq 1 100); do
		f=$(grep -l "^H??Subject: $2\$" "$w/$1"/mqueue/qf* 2>/dev/null | head -1)
		[ -n "$f" ] && grep -q '^M' "$f" && break
		sleep 0.1
	done
	echo "$f"
}
rcpt_records() {
	local f
	f=$(qf_of "$1" "$2")
	[ -n "$f" ] && awk '/^S/{on = 1; next} /^H/{on = 0} on && !/^A/' "$f"
}
# the From: and Return-Path: the cf adds: From's $g bound to the sender when
# the message is queued, Return-Path's left for each delivery
from_records() {
	local f
	f=$(qf_of "$1" "$2")
	[ -n "$f" ] && grep -a -E '^H\?[A-Z]*\?(From|Return-Path):' "$f" | od -c
}
for s in mta-p-deflist-odi mta-p-deflist-notify smtp-deflist smtp-deflist-orcpt; do
	up=$(rcpt_records up $s)
	is "$(rcpt_records pt $s)" "$up" "$s: the queued member's records are upstream's: $(echo $up)"
	up=$(from_records up $s)
	is "$(from_records pt $s)" "$up" "$s: the queued From: and Return-Path: records are upstream's"
done
for m in p q; do
	for od in b q; do
		both "mta-$m-unknown-od$od" -oe$m -od$od "${F[@]}" nosuchuser
		both "mta-$m-list-od$od" -oe$m -od$od "${F[@]}" errlist
	done
done
like "$LAST" '^rc=67' "-odq: the list's unknown member is found before queueing (exit 67)"
both "mta-p-unknown-odd" -oep -odd "${F[@]}" nosuchuser
# -odq and -odd queue a list's members, not the list: a queue run's -qR
# selects the message by a member's name, not by the list's
both "mta-p-qlist-odq" -oep -odq "${F[@]}" qlist
both "mta-p-qlist-odd" -oep -odd "${F[@]}" qlist
qrun_sel() {	# SIDE SELECTOR: a queue run for SELECTOR; then u1's qlist messages
	local bin=$SENDMAIL
	[ "$1" = up ] && bin=$ORACLE_SENDMAIL
	"$bin" -C "$w/$1/sendmail.cf" -q"$2" >/dev/null 2>&1
	sleep 1
	grep -l '^Subject: mta-p-qlist-' "$w/$1"/mail/u1/msg.* 2>/dev/null | wc -l
}
up=$(qrun_sel up Rqlist)
is "$(qrun_sel pt Rqlist)" "$up" "-qRqlist delivers what upstream's does ($up messages)"
up=$(qrun_sel up Rrootdl)
is "$(qrun_sel pt Rrootdl)" "$up" "-qRrootdl delivers what upstream's does ($up messages)"
# -t reads the recipients from the headers
tsub() {
	local side=$1 m=$2 bin=$SENDMAIL
	[ "$side" = up ] && bin=$ORACLE_SENDMAIL
	printf 'To: nosuchuser\nSubject: mta-%s-t\n\nhello\n' "$m" |
		"$bin" -C "$w/$side/sendmail.cf" -oe"$m" -odi -t "${F[@]}" >"$w/out" 2>"$w/err"
	echo $? >"$w/rc"
	outcome
}
for m in p q e; do
	is "$(tsub pt $m)" "$(tsub up $m)" "mta-$m-t: with -t the failure is printed in ErrorMode $m too"
done
both "mta-p-deadletter" -oep -odi -f rootdl@mx.example.test nosuchuser
like "$LAST" "--600 root $w/home/rootdl/dead.letter" "ErrorMode p: root's message saved in the sender's ~/dead.letter, mode 0600"

# A submission's log lines: the failures its expansion finds (the error's
# own line, then to= with pri=0) before its from= line (with the msgid= of
# the Message-Id the cf added), then under -odq and -odd a stat=queued line
# per target; syslog's priority kept, queue ids, dates and delays normalised
sublog() {	# SIDE SUBJECT ARGS...
	local n
	n=$(wc -l <"$w/syslog")
	sub "$@" >/dev/null
	sleep 0.5
	tail -n +"$((n + 1))" "$w/syslog" | sed -E 's/^<([0-9]+)>.{15} [a-z-]+\[[0-9]+\]: /<\1> /;
		s/[0-9A-Za-z]{8}[0-9]{6}/QID/g; s/<[0-9]{12}\.QID@/<DATE.QID@/; s/(x?delay)=[0-9:]+/\1=T/g'
}
for od in q d i; do
	rcpts=(u1 nosuchuser qlist)
	[ $od = i ] && rcpts=(u1 nosuchuser)
	up=$(sublog up log-od$od -oeq -od$od "${F[@]}" "${rcpts[@]}")
	is "$(sublog pt log-od$od -oeq -od$od "${F[@]}" "${rcpts[@]}")" "$up" "-od$od: the submission's log lines are upstream's"
	like "$up" "<21> QID: nosuchuser\.\.\. User unknown
<22> QID: to=nosuchuser, delay=T, mailer=local, pri=0, dsn=5\.1\.1, reply=550 5\.1\.1 User unknown, stat=User unknown
<22> QID: from=sender@mx\.example\.test, size=[0-9]+, class=0, nrcpts=[0-9], msgid=<DATE\.QID@mx\.example\.test>, relay=root@localhost" \
		"(upstream's lines: the failure, then from=)"
done
like "$up" "stat=Sent" "(-odi delivers)"

# As a user, through submit.cf: the daemon refuses RCPT
maildir=$(msp_build_maildir)
case "${maildir:-/etc/mail}" in
/etc/*) msp_ok=1 ;;
*) msp_ok= ;;
esac
if [ -n "$msp_ok" ]; then
	up_msp "$w/up" "$upport" "$ORACLE_SENDMAIL"
	up_msp "$w/pt" "$ptport" "$SENDMAIL"
	mkdir -p /etc/mail "${maildir:-/etc/mail}"
	# usub SIDE SUBJECT ARGS...: u1 runs the side's set-group-ID program (its submit.cf installed)
	usub() {
		local side=$1 subj=$2
		shift 2
		cp "$w/$side/submit.cf" /etc/mail/submit.cf
		[ "${maildir:-/etc/mail}" = /etc/mail ] || cp "$w/$side/submit.cf" "$maildir/submit.cf"
		printf '%s\n\nhello\n' "$subj" | (cd "$w/home/u1" &&
			as_user u1 "$w/$side/bin/sendmail" "$@") >"$w/out" 2>"$w/err"
		echo $? >"$w/rc"
		sleep 0.2
		outcome
	}
	uboth() {
		local name=$1 up pt
		shift
		up=$(usub up "Subject: $name" "$@")
		pt=$(usub pt "Subject: $name" "$@")
		is "$pt" "$up" "$name: $(echo "$up" | head -1), Petrel's output as upstream's"
		LAST=$pt
	}
	for m in p q m w e; do
		uboth "msp-$m-unknown-odi" -oe$m -odi nosuchuser
	done
	up=$(usub up $'To: nosuchuser\nSubject: msp-p-t' -oep -odi -t)
	pt=$(usub pt $'To: nosuchuser\nSubject: msp-p-t' -oep -odi -t)
	is "$pt" "$up" "msp-p-t: $(echo "$up" | head -1), Petrel's output as upstream's"
	like "$pt" "--600 u1 $w/home/u1/dead.letter" "ErrorMode p: the user's message saved in ~/dead.letter, mode 0600, the user's"
	uboth "msp-p-unknown-odb" -oep -odb nosuchuser
	uboth "msp-p-unknown-odq" -oep -odq nosuchuser
else
	skip "MAILDIR ($maildir) is not under /etc: no private submit.cf"
fi

# Whole queue files of messages queued for a later run (-odq), received over
# SMTP (-bs) and from the command line: the F record (s, and b only with a
# To:, Cc: or Apparently-To: header), the macros in upstream's order, an r
# record for every recipient given, ${daemon_flags} of a command-line
# session (DirectSubmissionModifiers' default) under -bs.  Times, ids, dates and the version are
# normalised; upstream writes no I record for a message it has not read
# back, Petrel always does (left out here).
bs_odq() {	# SIDE SUBJECT HEADERS RCPT...
	local side=$1 subj=$2 hdrs=$3 bin=$SENDMAIL r
	shift 3
	[ "$side" = up ] && bin=$ORACLE_SENDMAIL
	{
		printf 'HELO client.example\nMAIL FROM:<sender@mx.example.test>\n'
		for r in "$@"; do printf 'RCPT TO:<%s>%s\n' "${r%% *}" "${r#"${r%% *}"}"; done
		printf 'DATA\nSubject: %s\n%s\nhello\n.\nQUIT\n' "$subj" "$hdrs"
	} | python3 "$PETREL_SRCDIR/tests/lib/bs_session.py" "$bin" -C "$w/$side/sendmail.cf" -odq -bs \
		>/dev/null 2>&1
}
whole_qf() {	# SIDE SUBJECT
	local f
	f=$(grep -l "^H??Subject: $2\$" "$w/$1"/mqueue/qf* 2>/dev/null | head -1)
	[ -n "$f" ] && grep -av '^I' "$f" | sed -E 's/^([TK])[0-9]+$/\1/; s/[0-9A-Za-z]{8}[0-9]{6}/QID/g;
		s/[A-Z][a-z]{2}, [0-9]+ [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} [A-Z+0-9]+/DATE/; s/<[0-9]{12}\./<YMDHM./;
		s/\([^/ ]+\/8\.17\.1\.9\)/(V)/'
}
for d in up pt; do
	bs_odq $d qf-bs-local "" u1@mx.example.test
	bs_odq $d qf-bs-to "To: u1@mx.example.test"$'\n'"Bcc: rootdl@mx.example.test"$'\n' u1@mx.example.test
	bs_odq $d qf-bs-list "" qlist@mx.example.test "sender@mx.example.test NOTIFY=SUCCESS ORCPT=rfc822;s@orig.example"
	printf 'Subject: qf-t\nTo: u1\nBcc: rootdl\n\nhello\n' | "$([ $d = up ] && echo "$ORACLE_SENDMAIL" || echo "$SENDMAIL")" \
		-C "$w/$d/sendmail.cf" -odq -oeq -t "${F[@]}"
	printf 'Subject: qf-bcc\nBcc: rootdl\n\nhello\n' | "$([ $d = up ] && echo "$ORACLE_SENDMAIL" || echo "$SENDMAIL")" \
		-C "$w/$d/sendmail.cf" -odq -oeq "${F[@]}" u1
done
for s in qf-bs-local qf-bs-to qf-bs-list; do
	up=$(whole_qf up $s)
	is "$(whole_qf pt $s)" "$up" "$s: the queue file is upstream's: $(grep -E '^[Fr]' <<<"$up" | tr '\n' ' ')"
done
for s in qf-t qf-bcc; do
	up=$(whole_qf up $s | grep -E '^[F$r]')
	is "$(whole_qf pt $s | grep -E '^[F$r]')" "$up" "$s: the F, \$ and r records are upstream's: $(echo $up)"
done

# what -odq left, delivered by a queue run; then every bounce
"$ORACLE_SENDMAIL" -C "$w/up/sendmail.cf" -q >/dev/null 2>&1
"$SENDMAIL" -C "$w/pt/sendmail.cf" -q >/dev/null 2>&1
count() { ls "$w/$1/mail/$2" 2>/dev/null | grep -c '^msg'; }
for _ in $(seq 1 300); do
	[ "$(count pt sender)" -ge "$(count up sender)" ] && [ "$(count pt u1)" -ge "$(count up u1)" ] &&
		[ "$(count up sender)" -gt 0 ] && break
	sleep 0.1
done
sleep 2
summ() { $SUMMARY "$w/$1"/mail/$2/msg.* 2>/dev/null | sed -E 's/ (failed|part3)=.*//'; }
for u in sender u1 rootdl; do
	is "$(summ pt $u)" "$(summ up $u)" "$u's mail (bounces and deliveries) is upstream's ($(count up $u) messages)"
done
# the bounces of refused addresses and error: aliases, whole (ids, dates and
# boundaries normalised)
whole() {
	python3 "$PETREL_SRCDIR/tests/lib/dsn_normalize.py" "$w/$1"/mail/sender/msg.* 2>/dev/null |
		awk -v want="$2" '/^=== /{keep = $0 ~ (" / mta-[a-z]-" want "-")} keep'
}
up=$(whole up syntax)
is "$(grep -c '^=== ' <<<"$up")" 9 "upstream bounced the refused addresses of every ErrorMode but q"
is "$(whole pt syntax)" "$up" "Petrel's bounces of refused addresses are upstream's"
up=$(whole up erroralias)
is "$(grep -c '^=== ' <<<"$up")" 3 "upstream bounced each error: alias"
is "$(whole pt erroralias)" "$up" "Petrel's bounces of error: aliases are upstream's"
is "$(summ pt sender | grep -cE '^orig=mta-q-[a-z]+-od[iq] ')" 0 "ErrorMode q mails no bounce"
is "$(summ pt sender | grep -cE '^orig=mta-q-list-odb ')" 1 \
	"but the background delivery of -odb does, whatever the ErrorMode"
is "$(summ pt sender | grep -cE '^orig=mta-p-unknown-odi ')" 1 \
	"ErrorMode p mails the bounce when the sender's home is not the real user's to write"
is "$(summ pt u1 | grep -c 'subject=mta-p-list-odq')" 1 "the list member queued by -odq is delivered once by the queue run"
bcc_of() { grep -l "^Subject: $2\$" "$w/$1"/mail/u1/msg.* 2>/dev/null | head -1 | xargs -r grep -a '^Bcc' | od -c; }
is "$(bcc_of pt qf-bcc)" "$(bcc_of up qf-bcc)" "a Bcc: without To: or Cc: is delivered empty, as upstream's"
is "$(bcc_of pt qf-t)" "$(bcc_of up qf-t)" "and left out with a To:"
done_testing
