#!/usr/bin/env bash
# dsn_errors_to: the Errors-To: header with UseErrorsTo, against upstream
# sendmail 8.17 on the same upstream-made cf, aliases and users.  Upstream
# keeps Errors-To only in the envelope in memory: a failure found by the
# delivery of the process that read the message from its command line
# (sendmail -oem -odi or -odb) is bounced to the Errors-To address and the
# sender, one notice with a To: line for each; the failures of a later
# queue run (-odq, then -q; or a member deferred on receipt over SMTP and
# failing on the next run) go to the sender only.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/peers.sh"
peers_enter upstream "$0" "$@"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"
SUMMARY="python3 $PETREL_SRCDIR/tests/lib/dsn_summary.py"
pair_env errto
pair_users 4400 sender erruser u1
pair_new "define(\`confUSE_ERRORS_TO', \`True')dnl"
for d in up pt; do
	printf 'errlist: u1, nosucherr\n' >>"$w/$d/aliases"
	echo "flaky: u1, \"|$w/flaky.sh\"" >>"$w/$d/aliases"
done
# a member that defers until flaky.fail exists, then fails
printf '#!/bin/sh\ncat >/dev/null\n[ -f %s/flaky.fail ] && exit 67\nexit 75\n' "$w" >"$w/flaky.sh"
chmod 755 "$w/flaky.sh"
pair_aliases
pair_start petrel-et
ET='Errors-To: erruser@mx.example.test'

smtp() {	# PORT SUBJECT TO
	printf 'ehlo client.example\nmail from:<sender@mx.example.test>\nrcpt to:<%s@mx.example.test>\ndata\nSubject: %s\n%s\n\nhello\n.\nquit\n' \
		"$3" "$2" "$ET" | $TALK 127.0.0.1 "$1" | grep -E '^S: (250 2\.0\.0|[45])' |
		sed -E 's/[0-9A-Za-z]{14} Message/QID Message/'
}
submit() {	# SIDE SUBJECT OPTIONS... TO
	local side=$1 subj=$2 bin=$SENDMAIL
	shift 2
	[ "$side" = up ] && bin=$ORACLE_SENDMAIL
	printf 'Subject: %s\n%s\n\nhello\n' "$subj" "$ET" |
		"$bin" -C "$w/$side/sendmail.cf" -oem -f sender@mx.example.test "$@" >/dev/null 2>&1
}
is "$(smtp "$ptport" smtp flaky)" "$(smtp "$upport" smtp flaky)" "over SMTP: the same replies"
for d in up pt; do submit $d queued -odq flaky; done
sleep 1
touch "$w/flaky.fail"
for d in up pt; do
	submit $d odi -odi flaky
	submit $d odb -odb flaky
	submit $d alias -odi errlist
done
"$ORACLE_SENDMAIL" -C "$w/up/sendmail.cf" -q >/dev/null 2>&1
"$SENDMAIL" -C "$w/pt/sendmail.cf" -q >/dev/null 2>&1
count() { ls "$w/$1/mail/$2" 2>/dev/null | grep -c '^msg'; }
# upstream: 5 bounces to the sender, 3 of them also to erruser
for _ in $(seq 1 300); do
	[ "$(count up sender)" -ge 5 ] && [ "$(count up erruser)" -ge 3 ] &&
		[ "$(count pt sender)" -ge 5 ] && [ "$(count pt erruser)" -ge 3 ] && break
	sleep 0.1
done
sleep 2
summ() { $SUMMARY "$w/$1"/mail/$2/msg.* 2>/dev/null | sed -E 's/ (failed|part3)=.*//'; }
for u in sender erruser u1; do
	is "$(summ pt $u)" "$(summ up $u)" "$u's mail is upstream's ($(count up $u))"
done
like "$(summ pt erruser)" "orig=odb subject=Returned mail: see transcript for details to=erruser@mx.example.test \+ sender@mx.example.test" \
	"a failure found by the submission's background delivery goes to Errors-To and the sender, a To: line each"
like "$(summ pt sender)" "orig=queued subject=.* to=sender@mx.example.test auto" "a later queue run's failure goes to the sender only"
like "$(summ pt sender)" "orig=smtp subject=.* to=<sender@mx.example.test> auto" "so does that of mail received over SMTP"
is "$(summ pt erruser | grep -cE '^orig=(queued|smtp) ')" 0 "and not to Errors-To"
done_testing
