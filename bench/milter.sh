#!/usr/bin/env bash
# bench/milter.sh: what one mail filter costs, Petrel against upstream
# sendmail 8.17 (from Debian, unpacked into the build tree) in the same run
# on the same machine.  Each MTA runs twice side by side from the same .mc
# (compiled by its own cf package): as it is, and as a variant NAME-f with
# one INPUT_MAIL_FILTER, bench/noop_milter.c built on Debian's libmilter,
# which asks for every stage and lets everything through unchanged (one
# filter process serves both variants).  Every message is delivered to
# /var/mail/<user> through each MTA's mail.local over LMTP, as in
# bench/mailpath.sh, with durable writes on.
#
#   bench/milter.sh [BUILDDIR]        (as root, after ./check.sh built BUILDDIR)
#
# Concurrency 1 and 10 (CONCS), 1 KB and 100 KB payloads (SIZES), one new
# connection per message (Postfix's smtp-source); the clock runs from the
# first connection to the last message in the mailbox.  RUNS (3)
# repetitions with the four configurations interleaved, medians.  The table
# gives messages per second without and with the filter, the share of the
# rate the filter leaves ("kept" = with / without) for each MTA, and
# Petrel's kept over upstream's (1.00 or more: the filter costs Petrel no
# more, relatively, than it costs upstream); CPU ms per message of each
# MTA's whole process tree, the same comparison by CPU time ("P/U CPU"),
# and the filter's own CPU time.  Do not rebuild BUILDDIR while it runs.  A run stops after CAP
# (60) seconds and counts what arrived (marked *).  See bench/mta.sh for
# the sandbox (private namespaces, users, ports).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
bench_name=milter
. "$top/bench/mta.sh"
bench_enter "$@"

RUNS=${RUNS:-3}
CAP=${CAP:-60}
CONCS=${CONCS:-1 10}
SIZES=${SIZES:-1024 102400}
MTAS=${MTAS:-petrel petrel-f upstream upstream-f}
FDIR=$BOX/milter

# Messages per run for a size and a concurrency.
messages() {
	if [ "$1" -ge 10240 ]; then
		case $2 in 1) echo "${N100K_C1:-100}" ;; *) echo "${N100K:-300}" ;; esac
	else
		case $2 in 1) echo "${N1K_C1:-400}" ;; *) echo "${N1K:-1000}" ;; esac
	fi
}

filter_cpu() { $PTREE cpu "$(cat "$FDIR/reaper.pid")"; }
# Where the messages of a run arrive: the MTA's mailbox; the filter's CPU
# time is marked at the start of each run.
arrivals_reset() {
	: >"/var/mail/$(mta_user "$1")"
	filter_cpu >"$FDIR/cpu.base"
}
arrivals_wait() { $PTREE mbox "/var/mail/$(mta_user "$1")" "$2" "$3"; }
arrivals_count() { $PTREE mbox "/var/mail/$(mta_user "$1")" 0 0; }
rcpt_of() { echo "$(mta_user "$1")@mx.example.test"; }
# The filter's CPU ms per message in the run.
cell_extra() {
	awk -v a="$(cat "$FDIR/cpu.base")" -v b="$(filter_cpu)" -v n="$(arrivals_count "$1")" \
		'BEGIN { printf "%.3f", (n ? (b - a) * 1000 / n : 0) }'
}

# The filter: built here, run under a subreaper so that its CPU time counts.
mkdir -m 755 "$FDIR"
cc -O2 -Wall -Wextra -Werror -o "$FDIR/noop_milter" "$top/bench/noop_milter.c" -lmilter -lpthread
$PTREE reaper "$FDIR/reaper.pid" "$FDIR/noop_milter" "unix:$FDIR/noop.sock" >"$FDIR/filter.log" 2>&1 &
for _ in $(seq 100); do [ -S "$FDIR/noop.sock" ] && [ -s "$FDIR/reaper.pid" ] && break; sleep 0.1; done
[ -S "$FDIR/noop.sock" ] || { echo "$bench_name: the filter did not start" >&2; cat "$FDIR/filter.log" >&2; exit 1; }
filter_mc="INPUT_MAIL_FILTER(\`noop', \`S=unix:$FDIR/noop.sock, F=T, T=C:30s;S:60s;R:60s;E:5m')dnl"

echo "# bench/milter.sh on $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'), Petrel $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "## One no-op libmilter filter against none: messages per second accepted and delivered (median of $RUNS)"
echo "one new connection per message from smtp-source; durable writes on; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for mta in $MTAS; do
	case $mta in
	*-f) mta_setup "$mta" "$filter_mc" ;;
	*) mta_setup "$mta" ;;
	esac
	mta_start "$mta"
done
throughput_cells
for mta in $MTAS; do mta_stop "$mta"; done

printf '| %-6s | %4s | %8s | %8s | %6s | %8s | %8s | %6s | %9s | %-23s | %9s | %6s |\n' size conc "P none" "P filt." "P kept" \
	"U none" "U filt." "U kept" "P/U kept" "CPU ms/msg P Pf U Uf" "P/U CPU" "filter"
printf '| %-6s | %4s | %8s | %8s | %6s | %8s | %8s | %6s | %9s | %-23s | %9s | %6s |\n' ------ ---- -------- -------- ------ \
	-------- -------- ------ --------- ----------------------- --------- ------
for size in $SIZES; do
	for conc in $CONCS; do
		awk -v s="$(size_label "$size")" -v c="$conc" \
			-v p="$(cell_stat "$size" "$conc" petrel 4)" -v pf="$(cell_stat "$size" "$conc" petrel-f 4)" \
			-v u="$(cell_stat "$size" "$conc" upstream 4)" -v uf="$(cell_stat "$size" "$conc" upstream-f 4)" \
			-v cp="$(cell_stat "$size" "$conc" petrel 5)" -v cpf="$(cell_stat "$size" "$conc" petrel-f 5)" \
			-v cu="$(cell_stat "$size" "$conc" upstream 5)" -v cuf="$(cell_stat "$size" "$conc" upstream-f 5)" \
			-v fc="$(median $(awk -v s="$size" -v c="$conc" '$1 == s && $2 == c && $3 ~ /-f$/ { print $8 }' "$BOX/cells.txt"))" \
			-v x="$(capped "$size" "$conc" petrel)$(capped "$size" "$conc" petrel-f)$(capped "$size" "$conc" upstream)$(capped "$size" "$conc" upstream-f)" \
			'BEGIN { pk = (p ? pf / p : 0); uk = (u ? uf / u : 0)
				pc = (cpf ? cp / cpf : 0); uc = (cuf ? cu / cuf : 0)
				printf "| %-6s | %4d | %8.0f | %8.0f | %6.2f | %8.0f | %8.0f | %6.2f | %8.2fx | %5.1f %5.1f %5.1f %5.1f | %8.2fx | %6.2f |%s\n",
					s, c, p, pf, pk, u, uf, uk, (uk ? pk / uk : 0), cp, cpf, cu, cuf, (uc ? pc / uc : 0), fc, (x != "" ? " *" : "") }'
	done
done
echo "kept: rate with the filter / rate without, per MTA; P/U kept: Petrel's kept / upstream's (>= 1: the filter costs Petrel no more than upstream)"
echo "CPU ms/msg: the MTA's whole process tree per message, without (P, U) and with (Pf, Uf) the filter; P/U CPU: (P/Pf) / (U/Uf), the same comparison by CPU time (>= 1: the filter adds no more to Petrel's CPU time, relatively); filter: the filter's own CPU ms per message"
echo "* = at least one run of the row stopped at the ${CAP} s cap; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
