#!/usr/bin/env bash
# bench/mailq.sh: mailq over 10,000 queued messages, Petrel against upstream
# sendmail 8.17 on the same queue folder, in the same run.
#
#   bench/mailq.sh [BUILDDIR] [MESSAGES] [RUNS]
#
# Queues MESSAGES (10000) deferred messages with Petrel's queue library
# (tests/helpers/qinject), checks that both programs print the same listing,
# then times RUNS (11) listings of each, alternating, and prints the median
# wall time of each and their ratio.  Both run under the same wrapper (a UTS
# namespace with a qualified host name, which upstream needs to avoid a DNS
# stall), so the comparison is like for like.  Needs root (unshare).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
count=${2:-10000}
runs=${3:-11}
export PETREL_SRCDIR=$top PETREL_BUILDDIR=$build
. "$top/tests/lib/oracle.sh"
oracle_fetch || { echo "mailq.sh: cannot fetch upstream sendmail" >&2; exit 1; }
SENDMAIL=$build/sendmail/sendmail
QINJECT=$build/tests/helpers/qinject
[ -x "$QINJECT" ] || make -C "$build" -j2 check-programs >/dev/null
box=$(mktemp -d "$build/bench-mailq.XXXXXX")
trap 'rm -rf "$box"' EXIT
mkdir -m 700 "$box/mqueue"
printf 'V10/Berkeley\nO QueueDirectory=%s/mqueue\nMlocal, P=/bin/true, F=lsDFMA, A=true $u\nMprog, P=/bin/sh, F=lsDFM, A=sh -c $u\n' "$box" >"$box/bench.cf"
printf 'V8\nT0\nK1795861500\nN1\nP120000\nB8BITMIME\nMDeferred: Connection refused by mx.example.net.\nFbs\n$_localhost\n$rESMTP\n$smx.example.org\n${daemon_flags}\nS<sender@example.org>\nrRFC822; user@example.net\nRPFD:<user@example.net>\nH?P?Return-Path: <\201g>\nH??Received: from mx.example.org by mx.example.test\n\tid x; Sat, 28 Nov 2026 10:22:07 GMT\nH??Subject: bench\n.\n' >"$box/env.qf"
head -c 1024 /dev/zero | tr '\0' 'x' | fold -w 64 >"$box/body"
"$QINJECT" -s none -n "$count" "$box/mqueue" "$box/env.qf" "$box/body" >/dev/null

qualified() { unshare -u sh -c 'hostname "$0" && exec "$@"' "$ORACLE_HOSTNAME" "$@"; }
qualified "$SENDMAIL" -C"$box/bench.cf" -bp >"$box/petrel.out" 2>/dev/null
qualified "$ORACLE_SENDMAIL" -C"$box/bench.cf" -bp >"$box/upstream.out" 2>/dev/null
if cmp -s "$box/petrel.out" "$box/upstream.out"; then same=yes; else same=NO; fi

# Prints the wall time of one run in milliseconds.
timed() {
	local t0 t1
	t0=$(date +%s%N)
	qualified "$@" >/dev/null 2>&1
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}
pt=() up=()
for _ in $(seq "$runs"); do
	pt+=("$(timed "$SENDMAIL" -C"$box/bench.cf" -bp)")
	up+=("$(timed "$ORACLE_SENDMAIL" -C"$box/bench.cf" -bp)")
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
mp=$(median "${pt[@]}") mu=$(median "${up[@]}")
echo "mailq over $count queued messages, median of $runs runs (wall time, ms)"
printf '| %-22s | %8s |\n' "program" "ms"
printf '| %-22s | %8s |\n' "----------------------" "--------"
printf '| %-22s | %8d |\n' "Petrel sendmail -bp" "$mp" "upstream 8.17 mailq" "$mu"
echo "identical listings: $same"
awk -v p="$mp" -v u="$mu" 'BEGIN { printf "upstream / Petrel: %.2fx; Petrel under 100 ms: %s\n", u / (p ? p : 1), (p < 100 ? "yes" : "NO") }'
