#!/usr/bin/env bash
# bench/relay.sh: relaying to a sink, Petrel against upstream sendmail 8.17
# and Postfix 3.7 (both from Debian, unpacked into the build tree) in the
# same run on the same machine, durable writes on for all.  Each MTA
# accepts mail for sink@remote.example.test from smtp-source (a new
# connection per message) and relays it to Postfix's smtp-sink on
# 127.0.0.1:2600: the sendmails through SMART_HOST [127.0.0.1] (the relay
# mailer on port 2600; ConnectionCacheSize and ConnectionCacheTimeout at
# the cf package's defaults), Postfix through relayhost.  The clock runs
# from the first connection to the last message counted by the sink.
#
#   bench/relay.sh [BUILDDIR]        (as root, after ./check.sh built BUILDDIR)
#
# Concurrency 1, 10 and 50 (CONCS), 1 KB and 100 KB payloads (SIZES), RUNS
# (3) repetitions with the MTAs interleaved, medians; CPU time of each
# MTA's tree per message; "conn/msg" is how many connections the sink saw
# per message (1 without connection reuse).  A run stops after CAP (60)
# seconds and counts what arrived (marked *).  See bench/mta.sh for the
# sandbox (private namespaces, users, ports).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
bench_name=relay
. "$top/bench/mta.sh"
bench_enter "$@"

RUNS=${RUNS:-3}
CAP=${CAP:-60}
CONCS=${CONCS:-1 10 50}
SIZES=${SIZES:-1024 102400}
MTAS=${MTAS:-petrel upstream postfix}
SINK_PORT=2600

# Messages per run for a size and a concurrency.
messages() {
	if [ "$1" -ge 10240 ]; then
		case $2 in 1) echo "${N100K_C1:-200}" ;; *) echo "${N100K:-500}" ;; esac
	else
		case $2 in 1) echo "${N1K_C1:-1000}" ;; *) echo "${N1K:-2000}" ;; esac
	fi
}

# smtp-sink's counters: "sessions messages".
sink_counts() {
	tr '\r' '\n' <"$BOX/sink.out" | awk '/^sess=/ { split($1, s, "="); split($3, m, "=") } END { print s[2] + 0, m[2] + 0 }'
}
# Where the messages of a run arrive: the sink.
arrivals_reset() { sink_counts >"$BOX/sink.base"; }
arrivals_wait() {
	local base
	base=$(cut -d' ' -f2 "$BOX/sink.base")
	echo $(($($PTREE sink "$BOX/sink.out" $((base + $2)) "$3") - base))
}
arrivals_count() { echo $(($(sink_counts | cut -d' ' -f2) - $(cut -d' ' -f2 "$BOX/sink.base"))); }
# Connections the sink saw per message in the run.
cell_extra() {
	sink_counts | awk -v b="$(cat "$BOX/sink.base")" '{ split(b, x, " "); m = $2 - x[2]; printf "%.3f", (m ? ($1 - x[1]) / m : 0) }'
}
rcpt_of() { echo "sink@remote.example.test"; }

echo "# bench/relay.sh on $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'), Petrel $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "## Relaying to smtp-sink: messages per second accepted and relayed (median of $RUNS)"
echo "one new connection per message from smtp-source; durable writes on for all; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$SMTP_SINK" -u bsink -c "127.0.0.1:$SINK_PORT" 1024 >"$BOX/sink.out" 2>&1 &
for mta in $MTAS; do
	case $mta in
	postfix) mta_setup postfix "relayhost = [127.0.0.1]:$SINK_PORT" ;;
	*) mta_setup "$mta" "define(\`SMART_HOST', \`[127.0.0.1]')dnl" "define(\`RELAY_MAILER_ARGS', \`TCP \$h $SINK_PORT')dnl" ;;
	esac
	mta_start "$mta"
done
throughput_cells
for mta in $MTAS; do mta_stop "$mta"; done
throughput_table
printf '| %-14s | %8s |\n' MTA conn/msg
printf '| %-14s | %8s |\n' -------------- --------
for mta in $MTAS; do
	printf '| %-14s | %8s |\n' "$(label "$mta")" "$(median $(awk -v m="$mta" '$3 == m { print $8 }' "$BOX/cells.txt"))"
done
