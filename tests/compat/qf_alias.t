#!/usr/bin/env bash
# compat/qf_alias: what stays in the queue of a message whose alias list
# was delivered in part, against upstream sendmail 8.17's daemon on the same
# upstream-made cf (peers.sh's oracle pair), the same aliases and users:
# members that are local users (their mail folder a place the local mailer
# cannot write, so that it defers), a program member that defers, nested
# lists, a list with an unknown member, a .forward, a list beside a plain
# recipient.  After the first attempt of the daemon that received each
# message, and again after a queue run, the queue file's recipient records
# are compared: each member's C record (its controlling user, ids and the
# address it was expanded from), the members' order (upstream's: a list's
# last member first, in the place of the list) and R flags (P for the
# only member left, and for every recipient read back); and the to= log
# lines of the attempts with their ctladdr=; the message's M record (the
# unknown member's "User unknown" before a deferral's reason).  Ids, times, pids and the work
# folder are normalised.  A known difference is reported as a skip (and as
# a failure once it is gone): upstream's queue run writes a plain recipient
# before a list's member that came before it (mix2).
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/peers.sh"
peers_enter upstream "$0" "$@"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"
TAG=petrel-qfalias
pair_env qfalias
pair_users 4600 sender u1 u2 u3 u4
echo u2 >"$w/home/u3/.forward"
chown u3:u3 "$w/home/u3/.forward"
pair_new
ok $? "an upstream cf for both"
trap 'for p in $PEERS_PIDS; do kill "$p" 2>/dev/null; done; [ -n "${QF_ALIAS_KEEP:-}" ] && cp -r "$w" "$QF_ALIAS_KEEP"; sb_cleanup' EXIT
printf '#!/bin/sh\ncat >/dev/null\nexit 75\n' >"$w/defer.sh"
chmod 755 "$w/defer.sh"
for d in up pt; do
	cat >>"$w/$d/aliases" <<AL
tmp: "|$w/defer.sh"
l1: u1, u2
l2: u2, u1, tmp
outer: inner, u1
inner: u2
errl: u2, nosuch
one: u2
l5: u2, u4
pl: u1, "|$w/defer.sh"
AL
	# the local mailer cannot write there (exit 75): u2's and u4's mail defers
	ln -s /proc/1 "$w/$d/mail/u2"
	ln -s /proc/1 "$w/$d/mail/u4"
done
pair_aliases
pair_start "$TAG"
port_of() { if [ "$1" = up ]; then echo "$upport"; else echo "$ptport"; fi; }
smtp() {	# SIDE SUBJECT RCPT...
	local side=$1 subj=$2
	shift 2
	{
		echo "ehlo client.example"
		echo "mail from:<sender@mx.example.test>"
		for r in "$@"; do echo "rcpt to:<$r@mx.example.test>"; done
		printf 'data\nSubject: %s\nMessage-Id: <%s@client.example>\n\nhello\n.\nquit\n' "$subj" "$subj"
	} | $TALK 127.0.0.1 "$(port_of "$side")" | grep -E '^S: [45]'
}
CASES="l1 l2 nested direct errl one l5 pl fwd mix2"
rcpts_of() {
	case $1 in
	nested) echo outer ;; direct) echo u2 ;; fwd) echo u3 ;; mix2) echo l1 u4 ;; *) echo "$1" ;;
	esac
}
for d in up pt; do
	for s in $CASES; do smtp $d "$s" $(rcpts_of "$s"); done
done
tag_of() { if [ "$1" = up ]; then echo sendmail; else echo "$TAG"; fi; }
id_of() { sed -n "s/.* $(tag_of "$1")\[[0-9]*\]: \([0-9A-Za-z]*\): from=.*msgid=<$2@client.example>.*/\1/p" "$w/syslog"; }
qf_of() { echo "$w/$1/mqueue/qf$(id_of "$1" "$2")"; }
# waits until every message of each side has had its attempt (N1 in its qf)
for _ in $(seq 1 300); do
	n=0
	for d in up pt; do
		for s in $CASES; do grep -qs '^N1$' "$(qf_of $d "$s")" && n=$((n + 1)); done
	done
	[ "$n" -eq 20 ] && break
	sleep 0.2
done
norm() { sed -E "s#$w/(up|pt)/#W/#g; s#$w/#W/#g"; }
# the recipient records as written, in order
rcpt_records() { grep -aE '^[CQrR]' "$(qf_of "$1" "$2")" | norm; }
# each recipient with the C record in force for it (none after a bare C), in
# address order, no flags
ctl_records() {
	grep -aE '^[CR]' "$(qf_of "$1" "$2")" | norm |
		awk '/^C/{c = $0 == "C" ? "" : $0; next} {sub(/^R[A-Z]*:/, ""); print c " -> " $0}' | sort
}
# the message's M record, a deferral's reason left out (upstream's local
# mailer ignores what the test's local mailer writes); so is upstream's
# "putbody: write error: Broken pipe", which it gives when the test's local
# mailer has exited 75 before reading the message, a race
env_message() {
	grep -a '^M' "$(qf_of "$1" "$2")" | head -1 |
		sed -E 's/^MDeferred: .*/MDeferred: .../; s/^Mputbody: write error: Broken pipe$/MDeferred: .../'
}
# the to= lines of the message with their ctladdr=, delays, priority and
# the deferral's text left out, in the order logged
to_lines() {
	local id
	id=$(id_of "$1" "$2")
	grep -a " $(tag_of "$1")\[[0-9]*\]: $id: to=" "$w/syslog" | norm |
		sed -E 's/.*: to=/to=/; s/, (x?delay|pri)=[^,]*//g; s/stat=Deferred.*/stat=Deferred/'
}
differs() {	# GOT WANT WHAT: a known difference, a skip while it lasts
	if [ "$1" = "$2" ]; then ok 1 "the known difference is gone, update the test: $3"
	else skip "differs: $3"; fi
}
compare() {	# WHEN
	local s up
	for s in $CASES; do
		up=$(ctl_records up "$s")
		is "$(ctl_records pt "$s")" "$up" "$s $1: the C records are upstream's: $(echo $up)"
		up=$(rcpt_records up "$s")
		if [ "$s $1" = "mix2 after a queue run" ]; then
			differs "$(rcpt_records pt "$s")" "$up" "$s $1: upstream's queue run writes the plain recipient first"
		else
			is "$(rcpt_records pt "$s")" "$up" "$s $1: the recipient records, their order and flags are upstream's: $(echo $up)"
		fi
		up=$(env_message up "$s")
		is "$(env_message pt "$s")" "$up" "$s $1: the message's M record is upstream's: $up"
		up=$(to_lines up "$s" | sort)
		is "$(to_lines pt "$s" | sort)" "$up" "$s $1: the to= lines (ctladdr=) are upstream's: $(echo $up)"
	done
}
compare "after the first attempt"
for d in up pt; do
	if [ $d = up ]; then "$ORACLE_SENDMAIL" -C "$w/up/sendmail.cf" -q
	else "$SENDMAIL" -C "$w/pt/sendmail.cf" -L "$TAG" -q; fi
done
sleep 1
compare "after a queue run"
done_testing
