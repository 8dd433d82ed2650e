#!/usr/bin/env bash
# bench/prof.sh: where an MTA's time goes for N messages at concurrency C,
# in the benchmarks' namespaces (bench/mta.sh): MODE=c strace -f -c of the
# daemon's tree, t a full strace (-tt -T) into OUT, p perf record -a (report
# sorted by SORT), s/S perf stat, none only the rate and the CPU per message.
# MTA=petrel (default) or upstream; RELAY=1 relays to smtp-sink as
# bench/relay.sh does instead of delivering to the mailbox.
#   bench/prof.sh [BUILDDIR]   (N=300 C=1 SIZE=1024 MODE=c|t|p|s|S|none MTA RELAY)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
bench_name=prof
. "$top/bench/mta.sh"
bench_enter "$@"
N=${N:-300}; C=${C:-1}; SIZE=${SIZE:-1024}; MODE=${MODE:-c}
M=${MTA:-petrel}
if [ -n "${RELAY:-}" ]; then
	"$SMTP_SINK" -u bsink -c 127.0.0.1:2600 1024 >"$BOX/sink.out" 2>&1 &
	mta_setup $M "define(\`SMART_HOST', \`[127.0.0.1]')dnl" "define(\`RELAY_MAILER_ARGS', \`TCP \$h 2600')dnl" ${MC:-}
	RCPT=sink@remote.example.test
else
	mta_setup $M ${MC:-}
	RCPT=$(mta_user $M)@mx.example.test
fi
mta_start $M
root=$(mta_root $M)
d=$(pgrep -P "$root" | head -1)
case $MODE in
c) strace -f -c -o "$BOX/strace.txt" -p "$d" & ;;
t) strace -f -tt -T -o "$BOX/strace.txt" -p "$d" & ;;
p) perf record -a ${PEV:-} -g -o "$BOX/perf.data" 2>/dev/null & ;;
s) perf stat -a -e page-faults,context-switches,cpu-migrations,task-clock -o "$BOX/stat.txt" & ;;
S) perf stat -e page-faults,context-switches,task-clock,user_time,system_time -p "$d" -o "$BOX/stat.txt" & ;;
esac
sp=$!
grep -E "VmRSS|VmSize|VmData" /proc/$d/status; wc -l < /proc/$d/maps; for c in $(pgrep -P $d); do echo "child $c $(grep VmRSS /proc/$c/status)"; done
sleep 1
c0=$(mta_cpu $M); t0=$(date +%s%N); st0=$(cut -d" " -f14-17 /proc/$d/stat)
if [ -n "${QUIT:-}" ]; then python3 $build/quitloop.py "$N"; NN=$N; N=0; else "$SMTP_SOURCE" -s "$C" -m "$N" -l "$SIZE" -f bench@client.example.test -t $RCPT \
	-M client.example.test 127.0.0.1:$(mta_port $M) >/dev/null 2>&1; fi
if [ -n "${RELAY:-}" ]; then got=$($PTREE sink "$BOX/sink.out" "$N" 60); else got=$($PTREE mbox /var/mail/$(mta_user $M) "$N" 60); fi
t1=$(date +%s%N); c1=$(mta_cpu $M); st1=$(cut -d" " -f14-17 /proc/$d/stat)
echo "daemon utime stime, children utime stime (ticks): $st0 -> $st1"
echo "delivered $got in $(( (t1 - t0) / 1000000 )) ms; CPU $(awk -v a="$c0" -v b="$c1" -v n="${NN:-$N}" 'BEGIN{printf "%.2f ms/msg", (b-a)*1000/n}')"
[ "$MODE" = none ] || { kill -INT $sp; wait $sp || true; }
mta_stop $M
case $MODE in
c) head -40 "$BOX/strace.txt" ;;
t) cp "$BOX/strace.txt" "${OUT:-$build/prof-strace.txt}" ;;
s|S) cat "$BOX/stat.txt" ;;
p) perf report -i "$BOX/perf.data" ${CHILDREN:---no-children} -g none --sort ${SORT:-comm,dso,sym} --percent-limit 0 2>/dev/null | head -${LINES_:-80} ;;
esac
if [ "$MODE" = p ] && [ -n "${SHORT:-}" ]; then
	echo "=== short-lived sendmail processes (pid > 200), share of all samples"
	perf report -i "$BOX/perf.data" --comm sendmail --no-children -g none --sort pid,dso,sym --percent-limit 0 2>/dev/null |
		awk '$2 ~ /^[0-9]+:/ { split($2,a,":"); if (a[1] > 200) { k = ENVIRON["BYDSO"] != "" ? $3 : $3 " " $5; v[k] += $1; t += $1 } }
			END { for (k in v) printf "%6.2f%% %s\n", v[k], k; printf "%6.2f%% TOTAL\n", t }' | sort -rn | head -${LINES2:-60}
fi
if [ "$MODE" = p ] && [ -n "${SYM:-}" ]; then
	perf report -i "$BOX/perf.data" --comm sendmail --no-children -g ${GG:-graph,0.5,caller} --sort sym --percent-limit 0 2>/dev/null | grep -v '^#' | grep -v '^$' | head -${LINES3:-120}
fi
