#!/usr/bin/env bash
# compat/submit_odb: background delivery (-odb) of a command-line submission
# against upstream sendmail 8.17, both on the same upstream-made cf and
# aliases: the submitting process reports what its expansion found and exits
# (status, standard output and error), and a background child delivers the
# rest and then makes the one bounce of every failure; so the parent is gone
# (and no bounce exists yet) while a slow program still runs, and the log
# lines come in upstream's order (the failures and from= of the submission,
# then the child's deliveries, then the DSN line, nrcpts= and pri= counting
# the recipients of the expansion).  Ids, dates, pids and delays are
# normalised.  Known differences left out: the ctladdr= of a list member
# (upstream names the innermost alias, or none), the order in which
# upstream delivers a list's members (not compared: one deliverable target
# per case), and in the bounce's queue file (left queued by a sender whose
# delivery defers) the records F (upstream: rs), $ (upstream: $_, $r, $s,
# ${daemon_flags} of the submission), S (upstream: MAILER-DAEMON, Petrel
# <>), R's flags (upstream: no D) and C (upstream names the alias with
# DefaultUser's uid): the rest of the file is compared.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/peers.sh"
peers_enter upstream "$0" "$@"
pair_env odb
pair_users 4800 sender u1
pair_new
printf '#!/bin/sh\ncat >/dev/null\nexit 77\n' >"$w/perm.sh"
printf '#!/bin/sh\ncat >/dev/null\nexit 75\n' >"$w/defer.sh"
printf '#!/bin/sh\ncat >/dev/null\nsleep 3\n' >"$w/slow.sh"
chmod 755 "$w/perm.sh" "$w/defer.sh" "$w/slow.sh"
for d in up pt; do
	printf 'errlist: u1, nosucherr\nperm: "|%s/perm.sh"\ntmp: "|%s/defer.sh"\n' "$w" "$w" >>"$w/$d/aliases"
	printf 'slow: "|%s/slow.sh"\nslowlist: slow, nosucherr\n' "$w" >>"$w/$d/aliases"
done
pair_aliases

norm() {
	sed -E 's/^<([0-9]+)>.{15} [a-z-]+\[[0-9]+\]: /<\1> /; s/[0-9A-Za-z]{8}[0-9]{6}/QID/g;
		s/<[0-9]{12}\.QID@/<DATE.QID@/; s/(x?delay)=[0-9:]+/\1=T/g; s/, ctladdr=[^ ]+ \([0-9]+\/[0-9]+\)//'
}
# sub SIDE SUBJECT ARGS...: root submits; the parent's outcome, what the log
# had when it exited, and (once the child is done) the whole log of it
sub() {
	local side=$1 subj=$2 bin=$SENDMAIL n rc
	shift 2
	[ "$side" = up ] && bin=$ORACLE_SENDMAIL
	n=$(wc -l <"$w/syslog")
	printf 'Subject: %s\n\nhello\n' "$subj" |
		"$bin" -C "$w/$side/sendmail.cf" -odb "$@" >"$w/out" 2>"$w/err"
	rc=$?
	sleep 0.3
	printf 'rc=%s\n--out\n%s\n--err\n%s\n--DSN at exit: %s\n' "$rc" "$(cat "$w/out")" \
		"$(cat "$w/err")" "$(tail -n +"$((n + 1))" "$w/syslog" | grep -c 'DSN:')"
	for _ in $(seq 1 100); do
		tail -n +"$((n + 1))" "$w/syslog" | grep -q 'DSN:' && break
		sleep 0.1
	done
	sleep 1
	echo "--log"
	tail -n +"$((n + 1))" "$w/syslog" | norm | grep -v 'to="|.*defer.sh"'
}
both() {
	local name=$1 up pt
	shift
	up=$(sub up "$name" "$@")
	pt=$(sub pt "$name" "$@")
	is "$pt" "$up" "$name: exit, output and log lines as upstream's"
	LAST=$up
}
both slowlist -oem -f sender@mx.example.test slowlist
like "$LAST" $'--DSN at exit: 0\n' "(upstream: the bounce is made after the background delivery)"
both errlist -oem -f tmp@mx.example.test errlist
both perm -oep -f tmp@mx.example.test perm
both unknown -oep -f tmp@mx.example.test nosuchuser
both syntax -oem -f tmp@mx.example.test 'x@' u1

# the bounces, queued (their delivery to tmp defers)
bounce_qf() {	# SIDE SUBJECT: the bounce's qf, normalised, without its C record
	local f
	for f in $(grep -l '^SMAILER-DAEMON$\|^S<>$' "$w/$1"/mqueue/qf* 2>/dev/null); do
		grep -q "^Subject: $2\$" "${f/qf/df}" || continue
		grep -av '^[CF$SR]' "$f" | sed -E 's/^([TK])[0-9]+$/\1/; s/^I.*/I/; s/[0-9A-Za-z]{8}[0-9]{6}/QID/g;
			s/[A-Z][a-z]{2}, [0-9]+ [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} [A-Z+0-9]+/DATE/;
			s/<[0-9]{12}\./<YMDHM./; s/\.[0-9]{10}\//.TIME\//; s/\([^/ ]+\/8\.17\.1\.9\)/(V)/'
	done
}
for s in slowlist errlist perm unknown syntax; do
	up=$(bounce_qf up $s)
	[ "$s" = slowlist ] && continue	# delivered to sender
	is "$(bounce_qf pt $s)" "$up" "$s: the bounce's queue file is upstream's (but F, \$, S, R, C)"
done
done_testing
