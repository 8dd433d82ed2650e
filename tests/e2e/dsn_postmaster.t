#!/usr/bin/env bash
# dsn_postmaster: PostmasterCopy (confCOPY_ERRORS_TO) against upstream
# sendmail 8.17's daemon, both on the same upstream-made cf, aliases and
# users.  A bounce goes to the sender as before and a copy to the
# PostmasterCopy address: a notice of its own ("Postmaster notify", To: the
# copy's address, Auto-Submitted: auto-generated (postmaster-notification),
# "with id" the message's queue id) returning the message's headers only.
# No copy for a message of negative precedence (Precedence: bulk, junk,
# list, by the cf's P lines) nor for recipients with NOTIFY=NEVER; the
# bounce of a message from the null sender goes to the postmaster as such a
# notice, with the whole message, and is copied too.  The sender's bounce
# of a message of negative precedence returns its headers only.  The from= lines give
# the precedence's class as upstream's do.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/peers.sh"
peers_enter upstream "$0" "$@"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"
SUMMARY="python3 $PETREL_SRCDIR/tests/lib/dsn_summary.py"
pair_env dsnpm
pair_users 4300 sender pm
pair_new "define(\`confCOPY_ERRORS_TO', \`pm')dnl"
grep -q '^Pbulk=-60' "$w/up/sendmail.cf"
ok $? "the cf has upstream's P lines"
for d in up pt; do
	printf 'bad: nosuchuser\nbad2: nosuch2\n' >>"$w/$d/aliases"
done
pair_aliases
pair_start petrel-pm

send() {	# PORT MAIL-ARG SUBJECT HEADER RCPT-PARAM TO...
	local port=$1 from=$2 subj=$3 hdr=$4 rp=$5; shift 5
	{
		echo "ehlo client.example"
		echo "mail from:$from"
		for r in "$@"; do echo "rcpt to:<$r@mx.example.test>$rp"; rp=; done
		printf 'data\nSubject: %s\n%s\nhello\n.\nquit\n' "$subj" "${hdr:+$hdr
}"
	} | $TALK 127.0.0.1 "$port" | grep -E '^S: (250 2\.0\.0|[45])' | sed -E 's/[0-9A-Za-z]{14} Message/QID Message/'
}
S='<sender@mx.example.test>'
cases=("$S|plain|||bad" "$S|bulk|Precedence: bulk||bad" "$S|junk|Precedence: junk||bad"
	"$S|list|Precedence: list||bad" "$S|special|Precedence: special-delivery||bad"
	"$S|never|| NOTIFY=NEVER|bad" "$S|twonever|| NOTIFY=NEVER|bad bad2"
	"$S RET=HDRS|hdrs|||bad" "<>|null|||bad")
for c in "${cases[@]}"; do
	IFS='|' read -r from subj hdr rp to <<<"$c"
	up=$(send "$upport" "$from" "$subj" "$hdr" "$rp" $to) pt=$(send "$ptport" "$from" "$subj" "$hdr" "$rp" $to)
	is "$pt" "$up" "mail $subj: the same replies"
done
count() { ls "$w/$1/mail/$2" 2>/dev/null | grep -c '^msg'; }
# upstream: 7 bounces to the sender, 5 copies, 1 to the postmaster
for _ in $(seq 1 300); do
	[ "$(count up sender)" -ge 7 ] && [ "$(count up pm)" -ge 5 ] && [ "$(count up root)" -ge 1 ] &&
		[ "$(count pt sender)" -ge 7 ] && [ "$(count pt pm)" -ge 5 ] && [ "$(count pt root)" -ge 1 ] && break
	sleep 0.1
done
sleep 2
summ() { $SUMMARY "$w/$1"/mail/$2/msg.* 2>/dev/null; }
for u in sender pm root; do
	is "$(summ pt $u)" "$(summ up $u)" "$u's notices are upstream's ($(count up $u))"
done
like "$(summ pt pm)" "orig=plain subject=Postmaster notify: see transcript for details to=pm auto=auto-generated \(postmaster-notification\) withid=ok failed=nosuchuser part3=text/rfc822-headers body=no" \
	"the copy is a postmaster notice with the message's headers only"
is "$(summ pt pm | grep -cE '^orig=(bulk|junk|list|never) ')" 0 "no copy for negative precedence nor NOTIFY=NEVER"
like "$(summ pt sender)" "orig=bulk .*part3=text/rfc822-headers body=no" "the sender's bounce of bulk mail returns the headers only"
like "$(summ pt root)" "orig=null subject=Postmaster notify: .* to=postmaster .*withid=ok .*part3=message/rfc822 body=yes" \
	"a bounce of a message from <> goes to the postmaster with the whole message"
like "$(summ pt sender)" "orig=plain subject=Returned mail: see transcript for details to=<sender@mx.example.test> auto=auto-generated \(failure\) withid=none failed=nosuchuser part3=message/rfc822 body=yes" \
	"the sender's bounce is as before"
# the from= lines: class by the P lines
froms() { grep -E "$1\[[0-9]+\]: [0-9A-Za-z]{14}: from=" "$w/syslog" | sed -E 's/.*: (from=[^,]*, size=[0-9]+, class=-?[0-9]+, nrcpts=[0-9]+).*/\1/'; }
is "$(froms petrel-pm)" "$(froms sendmail)" "the from= lines give upstream's classes"
like "$(froms petrel-pm)" "class=-60.*class=-100.*class=-30.*class=100" "bulk, junk, list and special-delivery"
done_testing
