#!/usr/bin/env bash
# local_aliases: alias and .forward behaviour against upstream sendmail
# 8.17's daemon, both on the same upstream-made cf with the same aliases
# file and users (a private /etc/passwd): owner- lists with a bad member
# (an unknown user, a file that cannot be written): the owner gets the
# error and the original sender nothing, the members' mail goes out from
# the owner (its single address, else the owner- alias's own name); a list
# without an owner bounces to the sender (with UseErrorsTo too: upstream
# ignores Errors-To: for mail it delivers on receipt); nested lists reach each member once; .forward by
# ForwardPath, and the unsafe .forward files upstream refuses (group- or
# world-writable file, a world-writable home, another user's file), with its
# log line.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/peers.sh"
peers_enter upstream "$0" "$@"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"
pair_env aliases
pair_users 4200 sender s_flaky s_plain s_multi s_file s_errto erruser boss2 u1 u2 listboss it1 it2 hr1 fwduser fwdtarget gwfwd wwfwd wwhome otherown
fwd() { echo "$2" >"$w/home/$1/.forward"; chown "$1:$1" "$w/home/$1/.forward"; chmod "$3" "$w/home/$1/.forward"; }
fwd fwduser fwdtarget 644
fwd gwfwd fwdtarget 664
fwd wwfwd fwdtarget 646
fwd wwhome fwdtarget 644
chmod 777 "$w/home/wwhome"
fwd otherown fwdtarget 644
chown fwduser "$w/home/otherown/.forward"
pair_new "define(\`confUSE_ERRORS_TO', \`True')dnl"
for d in up pt; do
	cat >>"$w/$d/aliases" <<'A'
unix-wizards: u1, nosuchuser, u2
owner-unix-wizards: unix-wizards-request
unix-wizards-request: listboss
plain: u1, nosuchplain
multi: u2, nosuchmulti
owner-multi: listboss, boss2
filelist: u2, /nonexistent-folder/file
owner-filelist: listboss
errlist: u1, nosucherr
all: it, hr
it: it1, it2
hr: hr1, it1
owner-flaky: listboss
A
	echo "flaky: u2, \"|$w/flaky.sh\"" >>"$w/$d/aliases"
done
# a member that defers at first and fails on the next run
printf '#!/bin/sh\ncat >/dev/null\n[ -f %s/flaky.fail ] && exit 67\nexit 75\n' "$w" >"$w/flaky.sh"
chmod 755 "$w/flaky.sh"
pair_aliases
pair_start petrel-al

send() {	# PORT SENDER SUBJECT [HEADER] TO...
	local port=$1 from=$2 subj=$3 hdr=$4; shift 4
	{
		echo "ehlo client.example"
		echo "mail from:<$from@mx.example.test>"
		for r in "$@"; do echo "rcpt to:<$r@mx.example.test>"; done
		printf 'data\nSubject: %s\n%s\nhello\n.\nquit\n' "$subj" "${hdr:+$hdr
}"
	} | $TALK 127.0.0.1 "$port" | grep -E '^S: (250 2\.0\.0|[45])' | sed -E 's/[0-9A-Za-z]{14} Message/QID Message/'
}
cases=("sender|unix-wizards||unix-wizards" "s_plain|plain||plain" "s_multi|multi||multi"
	"s_file|filelist||filelist" "s_errto|errlist|Errors-To: erruser@mx.example.test|errlist"
	"s_flaky|flaky||flaky"
	"sender|all||all" "sender|fwd||fwduser" "sender|gw||gwfwd" "sender|ww||wwfwd"
	"sender|wwhome||wwhome" "sender|other||otherown")
for c in "${cases[@]}"; do
	IFS='|' read -r from subj hdr to <<<"$c"
	up=$(send "$upport" "$from" "$subj" "$hdr" "$to") pt=$(send "$ptport" "$from" "$subj" "$hdr" "$to")
	is "$pt" "$up" "mail to $to: the same replies"
done
# wait until both have delivered everything: the bounces last
count() { ls "$w/$1/mail/$2" 2>/dev/null | grep -c '^msg'; }
for _ in $(seq 1 300); do
	n=0
	for d in up pt; do for u in listboss boss2 s_plain s_errto fwdtarget; do
		[ "$(count $d $u)" -ge 1 ] && n=$((n + 1))
	done; done
	[ "$n" -ge 10 ] && [ "$(count up listboss)" -ge 3 ] && [ "$(count pt listboss)" -ge 3 ] && break
	sleep 0.1
done
sleep 2
for u in u1 u2 it1 it2 hr1 fwduser fwdtarget gwfwd wwfwd wwhome otherown; do
	is "$(count pt $u)" "$(count up $u)" "$u gets as many messages from Petrel as from upstream ($(count up $u))"
done
# the Return-Path of the message with Subject $3 in mailbox $2
rp() { grep -l "^Subject: $3\$" "$w/$1"/mail/$2/msg.* 2>/dev/null | head -1 | xargs -r sed -n 's/^Return-Path: //p'; }
for c in "unix-wizards u1" "multi u2" "filelist u2" "plain u1" "errlist u1"; do
	set -- $c
	is "$(rp pt $2 $1)" "$(rp up $2 $1)" "the copy of $1 for $2 goes out from the same envelope sender as upstream's ($(rp up $2 $1))"
done
like "$(rp pt u1 unix-wizards)" "unix-wizards-request" "an owner- alias naming one address makes it the list's envelope sender"
like "$(rp pt u2 multi)" "owner-multi" "an owner- alias of several addresses makes its own name the envelope sender"
like "$(rp pt u1 plain)" "s_plain" "a list without an owner keeps the message's sender"
# where the errors went: the bounces name the bad member
bounced() { grep -l "$3" "$w/$1"/mail/$2/msg.* 2>/dev/null | wc -l; }
for c in "listboss nosuchuser" "listboss nosuchmulti" "boss2 nosuchmulti" "listboss nonexistent-folder" \
	"sender nosuchuser" "s_multi nosuchmulti" "s_file nonexistent-folder" "s_plain nosuchplain" \
	"erruser nosucherr" "s_errto nosucherr"; do
	set -- $c
	is "$(bounced pt $1 $2)" "$(bounced up $1 $2)" "$1 gets as many bounces naming $2 from Petrel as from upstream ($(bounced up $1 $2))"
done
is "$(bounced pt listboss nosuchuser)" 1 "the owner's -request address gets the error of its list"
is "$(count pt sender)" 0 "the sender to an owner- list gets no bounce"
is "$(bounced pt boss2 nosuchmulti)" 1 "an owner- alias of several addresses: each gets the error"
is "$(bounced pt listboss nonexistent-folder)" 1 "a file member that cannot be written bounces to the owner"
is "$(count pt s_file)" 0 "and not to the sender"
is "$(bounced pt s_plain nosuchplain)" 1 "without an owner- alias the sender gets the bounce"
# the deferred member of an owner- list stays its owner's: the next queue run's failure goes to the owner
touch "$w/flaky.fail"
"$ORACLE_SENDMAIL" -C "$w/up/sendmail.cf" -q >/dev/null 2>&1
"$SENDMAIL" -C "$w/pt/sendmail.cf" -q >/dev/null 2>&1
for _ in $(seq 1 300); do
	[ "$(bounced up listboss flaky.sh)" -ge 1 ] && [ "$(bounced pt listboss flaky.sh)" -ge 1 ] && break
	sleep 0.1
done
sleep 1
for u in listboss s_flaky; do
	is "$(bounced pt $u flaky.sh)" "$(bounced up $u flaky.sh)" "after a queue run $u gets as many bounces of the deferred member as from upstream ($(bounced up $u flaky.sh))"
done
is "$(bounced pt listboss flaky.sh):$(count pt s_flaky)" "1:0" "a member deferred and then failed bounces to the list's owner, not the sender"
is "$(bounced pt erruser nosucherr):$(bounced pt s_errto nosucherr)" "0:1" "with UseErrorsTo, an Errors-To: header does not take the bounce of mail delivered on receipt (as upstream)"
logs() { grep -E "$1\[[0-9]+\]: .*(forward|\.forward)" "$w/syslog" | sed -E 's/^<[0-9]+>.{15} [^:]+: //; s/^[0-9A-Za-z]{14}: //' | sort; }
is "$(logs petrel-al)" "$(logs sendmail)" "the unsafe .forward files are logged as upstream's"
done_testing
