#!/usr/bin/env bash
# bench/mailpath.sh: the mail path on one host, Petrel against upstream
# sendmail 8.17 and Postfix 3.7 (both from Debian, unpacked into the build
# tree) in the same run on the same machine, durable writes on for all
# (SuperSafe for the sendmails, Postfix's fsyncs, fsync of every mailbox
# append).  Each MTA runs in a private folder on a loopback port and
# delivers to /var/mail/<its user> (a private folder: see bench/mta.sh):
# Petrel through its mail.local over LMTP, upstream through its mail.local
# over LMTP (FEATURE(local_lmtp) in the same .mc, each compiled by its own
# cf package), Postfix through local(8).
#
#   bench/mailpath.sh [BUILDDIR]        (as root, after ./check.sh built BUILDDIR)
#
# Sections (SECTIONS="memory throughput queue" by default):
#   memory      proportional set size of each MTA's whole process tree, idle
#               and with 50 open SMTP sessions (greeted, EHLO'd)
#   throughput  messages per second accepted and delivered into the mailbox,
#               at concurrency 1, 10 and 50 (CONCS), 1 KB and 100 KB payloads
#               (SIZES), one new connection per message (Postfix's
#               smtp-source); the clock runs from the first connection to the
#               last message in the mailbox.  RUNS (3) repetitions, MTAs
#               interleaved, medians reported, with the CPU time of the MTA's
#               tree per message.  A run stops after CAP (60) seconds and
#               counts what arrived (marked *).
#   queue       a forced queue run over QN (10000) deferred 1 KB messages:
#               `sendmail -q` for the sendmails (the queue written with
#               Petrel's queue library from a qf each MTA queued itself),
#               `postqueue -f` for Postfix (queued with defer_transports),
#               stopped after QCAP (180) seconds (marked *).
# The machine is shared: each table says how many cores other processes
# kept busy meanwhile ("others"), and the load average.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
bench_name=mailpath
. "$top/bench/mta.sh"
bench_enter "$@"

RUNS=${RUNS:-3}
CAP=${CAP:-60}
QN=${QN:-10000}
QCAP=${QCAP:-180}
CONCS=${CONCS:-1 10 50}
SIZES=${SIZES:-1024 102400}
MTAS=${MTAS:-petrel upstream postfix}
SECTIONS=${SECTIONS:-memory throughput queue}

# Messages per run for a size and a concurrency.
messages() {
	if [ "$1" -ge 10240 ]; then
		case $2 in 1) echo "${N100K_C1:-200}" ;; *) echo "${N100K:-500}" ;; esac
	else
		case $2 in 1) echo "${N1K_C1:-1000}" ;; *) echo "${N1K:-2000}" ;; esac
	fi
}


# Where the messages of a throughput run arrive: the MTA's mailbox.
arrivals_reset() { : >"/var/mail/$(mta_user "$1")"; }
arrivals_wait() { $PTREE mbox "/var/mail/$(mta_user "$1")" "$2" "$3"; }
arrivals_count() { $PTREE mbox "/var/mail/$(mta_user "$1")" 0 0; }
rcpt_of() { echo "$(mta_user "$1")@mx.example.test"; }

section_memory() {
	echo "## Memory: proportional set size of the whole process tree (MB)"
	echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	printf '| %-14s | %8s | %8s | %11s | %11s |\n' MTA idle "50 sess." "procs idle" "procs 50"
	printf '| %-14s | %8s | %8s | %11s | %11s |\n' -------------- -------- -------- ----------- -----------
	for mta in $MTAS; do
		local idle busy pi pb sp
		mta_setup "$mta"
		mta_start "$mta"
		sleep 2
		idle=$(mta_pss "$mta")
		pi=$($PTREE count "$(mta_root "$mta")")
		: >"$BOX/sessions.out"
		$PTREE sessions "$(mta_port "$mta")" 50 120 >"$BOX/sessions.out" 2>&1 &
		sp=$!
		for _ in $(seq 300); do grep -q ready "$BOX/sessions.out" && break; sleep 0.1; done
		sleep 1
		busy=$(mta_pss "$mta")
		pb=$($PTREE count "$(mta_root "$mta")")
		kill -TERM "$sp" 2>/dev/null || true
		wait "$sp" 2>/dev/null || true
		mta_stop "$mta"
		awk -v m="$(label "$mta")" -v i="$idle" -v b="$busy" -v pi="$pi" -v pb="$pb" \
			'BEGIN { printf "| %-14s | %8.1f | %8.1f | %11d | %11d |\n", m, i / 1024, b / 1024, pi, pb }'
		echo "$mta $idle $busy" >>"$BOX/memory.txt"
	done
	awk '{ i[$1] = $2; b[$1] = $3 } END { if (b["petrel"] && b["upstream"])
		printf "with 50 sessions: upstream / Petrel %.2fx, Postfix / Petrel %.2fx\n", b["upstream"] / b["petrel"], b["postfix"] / b["petrel"] }' "$BOX/memory.txt"
	echo
}

section_throughput() {
	echo "## Throughput: messages per second accepted and delivered to the mailbox (median of $RUNS)"
	echo "one new connection per message (smtp-source), durable writes on for all; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	for mta in $MTAS; do
		mta_setup "$mta"
		mta_start "$mta"
	done
	throughput_cells
	for mta in $MTAS; do mta_stop "$mta"; done
	throughput_table
}

# Queues one message in MTA's queue with delivery deferred; leaves qf and df copies in $BOX/NAME/tmpl.
queue_template() {
	local mta=$1 dir=$BOX/$1 f
	MTA_ARGS="-O DeliveryMode=q" mta_start "$mta"
	"$SMTP_SOURCE" -m 1 -l 1024 -f bench@client.example.test -t "$(mta_user "$mta")@mx.example.test" \
		-M client.example.test "127.0.0.1:$(mta_port "$mta")" >/dev/null 2>&1
	mta_stop "$mta"
	mkdir -p "$dir/tmpl"
	f=$(find "$dir/mqueue" -name 'qf*' | head -1)
	cp "$f" "$dir/tmpl/qf"
	cp "$(dirname "$f")/d${f##*/q}" "$dir/tmpl/df"
	find "$dir/mqueue" -type f -name '[qd]f*' -delete
}

# Fills MTA's queue with QN deferred messages.
queue_fill() {
	local mta=$1 dir=$BOX/$1
	if [ "$mta" = postfix ]; then
		mta_setup postfix "defer_transports = local"
		mta_start postfix
		"$SMTP_SOURCE" -s 20 -m "$QN" -l 1024 -f bench@client.example.test -t "$(mta_user postfix)@mx.example.test" \
			-M client.example.test "127.0.0.1:$(mta_port postfix)" >/dev/null 2>&1
		for _ in $(seq 600); do
			[ "$(find "$dir/queue/deferred" -type f | wc -l)" -ge "$QN" ] && break
			sleep 0.5
		done
		mta_stop postfix
		sed -i '/^defer_transports/d' "$dir/conf/main.cf"
	else
		mta_setup "$mta"
		queue_template "$mta"
		"$build/tests/helpers/qinject" -s none -n "$QN" "$dir/mqueue" "$dir/tmpl/qf" "$dir/tmpl/df" >/dev/null
	fi
	sync
}

# One forced queue run; prints "seconds delivered cpu capped others".
queue_run() {
	local mta=$1 dir=$BOX/$1 user t0 t1 got c=0 m0 m1 root
	user=$(mta_user "$mta")
	: >"/var/mail/$user"
	m0=$(busy_mark)
	t0=$(date +%s%N)
	if [ "$mta" = postfix ]; then
		mta_start postfix
		t0=$(date +%s%N)
		c=$(mta_cpu postfix)
		"$PF_ROOT/usr/sbin/postqueue" -c "$dir/conf" -f
		root=$(mta_root postfix)
	else
		rm -f "$dir/qrun.pid"
		local bin=$SENDMAIL
		[ "$mta" = upstream ] && bin=$ORACLE_SENDMAIL
		$PTREE reaper "$dir/qrun.pid" "$bin" -C "$dir/sendmail.cf" -q >"$dir/qrun.log" 2>&1 &
		while [ ! -s "$dir/qrun.pid" ]; do sleep 0.01; done
		root=$(cat "$dir/qrun.pid")
	fi
	got=$($PTREE mbox "/var/mail/$user" "$QN" "$QCAP")
	t1=$(date +%s%N)
	m1=$(busy_mark)
	if [ "$mta" = postfix ]; then
		c=$(awk -v a="$c" -v b="$(mta_cpu postfix)" 'BEGIN { print b - a }')
		mta_stop postfix
	else
		[ "$got" -ge "$QN" ] || pkill -TERM -P "$root" 2>/dev/null || true
		for _ in $(seq 100); do [ "$($PTREE count "$root")" -eq 0 ] && break; sleep 0.1; done
		c=$($PTREE cpu "$root")
		kill -TERM "$root" 2>/dev/null || true
	fi
	awk -v t0="$t0" -v t1="$t1" -v g="$got" -v c="$c" -v cap="$([ "$got" -ge "$QN" ] || echo '*')" \
		-v o="$(others_busy "$m0" "$m1")" 'BEGIN { printf "%.2f %d %.2f %s %s\n", (t1 - t0) / 1e9, g, c, cap == "" ? "-" : cap, o }'
}

section_queue() {
	echo "## Forced queue run over $QN deferred 1 KB messages"
	echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
	printf '| %-14s | %9s | %9s | %9s | %8s | %6s |\n' MTA delivered seconds "msg/s" "CPU s" others
	printf '| %-14s | %9s | %9s | %9s | %8s | %6s |\n' -------------- --------- --------- --------- -------- ------
	: >"$BOX/queue.txt"
	for mta in $MTAS; do
		local r
		queue_fill "$mta"
		r=$(queue_run "$mta")
		echo "$mta $r" >>"$BOX/queue.txt"
		echo "$r" | awk -v m="$(label "$mta")" '{ printf "| %-14s | %9d | %8.2f%1s | %9.0f | %8.2f | %6.2f |\n",
			m, $2, $1, ($4 == "*" ? "*" : ""), $2 / $1, $3, $5 }'
	done
	awk '{ r[$1] = $3 / $2 } END { if (r["postfix"] && r["petrel"]) printf "Petrel / Postfix: %.2fx", r["petrel"] / r["postfix"];
		if (r["upstream"] && r["petrel"]) printf "; Petrel / upstream: %.2fx", r["petrel"] / r["upstream"]; print "" }' "$BOX/queue.txt"
	echo "* = stopped at the ${QCAP} s cap; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
}

echo "# bench/mailpath.sh on $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'), Petrel $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')"
for s in $SECTIONS; do
	"section_$s"
done
