#!/usr/bin/env bash
# durability: under load (several SMTP clients at once, durability_load.py),
# the daemon and all its children are killed with SIGKILL at random moments,
# several times, and restarted each time.  Then: no queue file is left
# half-written (every qf has its df, every qf reads whole: a version line
# first, the end mark "." last, a sender and a recipient), a queue run
# delivers, and every message that got a 250 reaches the mailbox at least
# once.  PETREL_DURABILITY_SEED=N replays the same moments.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
seed=${PETREL_DURABILITY_SEED:-$$}
RANDOM=$seed
echo "# seed $seed"
rounds=6
sb_new "MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl" || { ok 1 "the sandbox is made"; done_testing; }
box=$SB_MAIL/durable

# tree PID: PID and all its descendants, stopped (SIGSTOP) so that none
# forks meanwhile; prints their ids.
tree() {
	local todo=$1 all="" p kids
	while [ -n "$todo" ]; do
		set -- $todo
		p=$1; shift; todo="$*"
		case " $all " in *" $p "*) continue ;; esac
		kill -STOP "$p" 2>/dev/null || continue
		all="$all $p"
		kids=$(ps -o pid= --ppid "$p" 2>/dev/null)
		todo="$todo $kids"
	done
	echo $all
}

: >"$SB/acked"
rm -f "$SB/stop"
sb_start
ok $? "the daemon starts"
python3 "$PETREL_SRCDIR/tests/hostile/durability_load.py" "$SB_PORT" 6 "$SB/acked" "$SB/stop" \
	>"$SB/load.out" 2>&1 &
load=$!
killed=0
for round in $(seq 1 $rounds); do
	# let the clients get going, then kill at a random moment (0.3 to 2.3 s)
	sleep "$((RANDOM % 3)).$((RANDOM % 10))"
	sleep 0.3
	pids=$(tree "$SB_PID")
	kill -KILL $pids 2>/dev/null
	wait "$SB_PID" 2>/dev/null
	killed=$((killed + $(echo $pids | wc -w)))
	SB_PID=
	if [ "$round" -lt "$rounds" ]; then
		sb_start || break
	fi
done
touch "$SB/stop"
wait "$load"
echo "# killed $killed processes in $rounds rounds; clients: $(cat "$SB/load.out")"
acked=$(sort -u "$SB/acked" | wc -l)
ok $((acked < 20)) "the clients got 250 for many messages meanwhile ($acked)"

# The queue as the kills left it: no qf without its df, no qf cut short.
bad=""
nq=0
for qf in "$SB"/mqueue/qf*; do
	[ -e "$qf" ] || continue
	nq=$((nq + 1))
	id=${qf##*/qf}
	[ -e "$SB/mqueue/df$id" ] || bad="$bad
qf$id has no df"
	first=$(head -c 2 "$qf")
	last=$(tail -n 1 "$qf")
	[ "$first" = "V8" ] && [ "$last" = "." ] && grep -q '^S' "$qf" && grep -q '^R' "$qf" ||
		bad="$bad
qf$id is not whole: $(head -c 300 "$qf" | tr '\n' '|')"
done
echo "# $nq messages left in the queue, $(ls "$SB/mqueue" | grep -c '^tf') temporary files"
is "$bad" "" "no qf without its df, no qf half-written"

# Restart, run the queue until it is empty, and look for every acknowledged message.
sb_start
ok $? "the daemon starts again after the kills"
for _ in 1 2 3; do
	sb_sendmail -q >/dev/null 2>&1
	ls "$SB/mqueue" | grep -q '^qf' || break
	sleep 1
done
missing=""
for _ in $(seq 1 60); do
	cat "$box"/msg.* 2>/dev/null | sed -n 's/^X-Durability-Id: //p' | sort -u >"$SB/delivered"
	missing=$(sort -u "$SB/acked" | comm -23 - "$SB/delivered")
	[ -z "$missing" ] && break
	sleep 0.5
done
is "$missing" "" "every message that got a 250 was delivered at least once ($acked messages)"
dups=$(cat "$box"/msg.* 2>/dev/null | grep -c '^X-Durability-Id: ')
echo "# $dups deliveries for $(wc -l <"$SB/delivered") distinct messages"
left=$(ls "$SB/mqueue" | grep -c '^qf')
is "$left" 0 "the queue run left nothing in the queue"
done_testing
