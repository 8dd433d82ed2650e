#!/usr/bin/env bash
# queuerun_parallel: a forced queue run (sendmail -q) delivers several
# messages at once through at most MaxQueueChildren delivery processes, and
# two runs over the same queue at the same time deliver every message
# exactly once (each message is locked by the process that delivers it).
# Petrel relays to a scripted server (tests/lib/fake_smtpd.py --parallel)
# that logs every byte and how many connections were open at each connect.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"

fport=$(sb_free_port)
sb_new "define(\`SMART_HOST', \`esmtp:[127.0.0.1]')dnl" "define(\`ESMTP_MAILER_ARGS', \`TCP \$h $fport')dnl"
ok $? "a sandbox relaying to a smart host on 127.0.0.1:$fport compiles"

# fake: (re)starts the fake server on $fport, its log in $SB/fake.log
fake() { sb_fake "$fport" --parallel; }
# queue N: N messages queued with subjects "queued 1" .. "queued N"
queue() {
	for i in $(seq "$1"); do
		printf 'Subject: queued %s\n\nbody %s\n' "$i" "$i" | sb_sendmail -odq -f a@localhost victim@remote.test
	done
}
count() { grep -c -- "$1" "$SB/fake.log"; }
queued() { find "$SB/mqueue" -name 'qf*' | wc -l; }
# once N: true if subjects 1..N each reached the server exactly once
once() {
	local bad
	bad=$(grep -o '^D[0-9]*: Subject: queued [0-9]*$' "$SB/fake.log" | sed 's/^D[0-9]*: //' |
		sort | uniq -c | awk '$1 != 1' | wc -l)
	[ "$bad" -eq 0 ] && [ "$(grep -c '^D[0-9]*: Subject: queued' "$SB/fake.log")" -eq "$1" ]
}
# most_open: the most connections the server saw open at once
most_open() { sed -n 's/^O[0-9]*: \([0-9]*\) open$/\1/p' "$SB/fake.log" | sort -n | tail -1; }

fake
queue 12
is "$(queued)" 12 "twelve messages wait in the queue"
sb_sendmail -q -O MaxQueueChildren=3
is "$(queued)" 0 "a forced run with MaxQueueChildren=3 delivers them all"
once 12
ok $? "each message reached the server exactly once"
n=$(count ': EHLO ')
ok "$([ "$n" -ge 2 ] && [ "$n" -le 3 ] && echo 0 || echo 1)" "over 2 to 3 connections (one per delivery process): $n"
n=$(most_open)
ok "$([ "$n" -ge 2 ] && [ "$n" -le 3 ] && echo 0 || echo 1)" "several open at once, never more than 3: $n"

fake
queue 40
sb_sendmail -q -O MaxQueueChildren=4 &
r1=$!
sb_sendmail -q -O MaxQueueChildren=4 &
r2=$!
wait $r1
ok $? "a first run over 40 messages ends well"
wait $r2
ok $? "a second run started at the same time ends well"
is "$(queued)" 0 "together they delivered all 40"
once 40
ok $? "each message reached the server exactly once"
n=$(most_open)
ok "$([ "$n" -ge 2 ] && [ "$n" -le 8 ] && echo 0 || echo 1)" "in parallel, never more than 2 x 4 connections: $n"
done_testing
