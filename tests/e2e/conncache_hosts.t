#!/usr/bin/env bash
# conncache_hosts: ConnectionCacheSize counts connections to different
# hosts.  Two scripted servers (tests/lib/fake_smtpd.py) on 127.0.0.2 and
# 127.0.0.3 get messages addressed to IP literals, each message to both:
# with room for two connections a queue run keeps one per host for all the
# messages; with room for one, putting the second host's connection in the
# cache closes the first host's (QUIT), so every message opens both anew.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
PIDS=()
trap 'sb_cleanup; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done' EXIT

fport=$(sb_free_port)
sb_new "define(\`ESMTP_MAILER_ARGS', \`TCP \$h $fport')dnl" "define(\`SMTP_MAILER_ARGS', \`TCP \$h $fport')dnl"
ok $? "a sandbox whose SMTP mailers connect to port $fport compiles"

# fakes: (re)starts the fake servers on 127.0.0.2 and .3, logs in $SB/fake.{2,3}.log
fakes() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	PIDS=()
	for h in 2 3; do
		rm -f "$SB/fake.$h.port" "$SB/fake.$h.log"
		python3 "$PETREL_SRCDIR/tests/lib/fake_smtpd.py" --addr 127.0.0.$h --port "$fport" \
			--port-file "$SB/fake.$h.port" --log "$SB/fake.$h.log" &
		PIDS+=($!)
	done
	for h in 2 3; do
		for _ in $(seq 1 50); do [ -s "$SB/fake.$h.port" ] && break; sleep 0.1; done
	done
}
# queue N: N messages queued, each to a user at both hosts
queue() {
	for i in $(seq "$1"); do
		printf 'Subject: queued %s\n\nbody %s\n' "$i" "$i" |
			sb_sendmail -odq -f a@localhost 'u@[127.0.0.2]' 'u@[127.0.0.3]'
	done
}
# count HOST PATTERN: lines of host's log that match
count() { grep -c -- "$2" "$SB/fake.$1.log"; }
queued() { find "$SB/mqueue" -name 'qf*' | wc -l; }

fakes
queue 3
sb_sendmail -q -O MaxQueueChildren=1 -O ConnectionCacheSize=2
is "$(queued)" 0 "ConnectionCacheSize=2: a queue run sends three messages to two hosts"
for h in 2 3; do
	is "$(count $h ': EHLO ')" 1 "ConnectionCacheSize=2: one connection to 127.0.0.$h"
	is "$(count $h ': MAIL From:')" 3 "ConnectionCacheSize=2: three transactions to 127.0.0.$h on it"
	is "$(count $h '^C[0-9]*: RSET')" 2 "ConnectionCacheSize=2: RSET before each reuse on 127.0.0.$h"
	is "$(count $h ': QUIT')" 1 "ConnectionCacheSize=2: 127.0.0.$h gets QUIT once, at the end"
done

fakes
queue 3
sb_sendmail -q -O MaxQueueChildren=1 -O ConnectionCacheSize=1
is "$(queued)" 0 "ConnectionCacheSize=1: the run sends them too"
for h in 2 3; do
	is "$(count $h ': EHLO ')" 3 "ConnectionCacheSize=1: a connection per message to 127.0.0.$h"
	is "$(count $h ': QUIT')" 3 "ConnectionCacheSize=1: each to 127.0.0.$h closed with QUIT"
	is "$(count $h '^C[0-9]*: RSET')" 0 "ConnectionCacheSize=1: none reused"
done
done_testing
