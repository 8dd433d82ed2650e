#!/usr/bin/env bash
# bench/commit.sh: durable queue commits per second (create, stream a 1 KB df,
# write and rename the qf, all synced before "250"), with the queue library's
# two durability modes: QUEUE_SYNC_FILES (fsync of each file and the folder,
# as upstream) and QUEUE_SYNC_GROUP (shared syncfs rounds, recycled inodes),
# at concurrency 1, 10 and 50 (that many processes committing at once).
#
#   bench/commit.sh [BUILDDIR] [MESSAGES-PER-RUN]
#
# Half of each run's messages are removed again first (as deliveries would),
# so that the inode pool is in use as in a running server.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
total=${2:-2000}
QINJECT=$build/tests/helpers/qinject
[ -x "$QINJECT" ] || make -C "$build" -j2 check-programs >/dev/null
box=$(mktemp -d "$build/bench-commit.XXXXXX")
trap 'rm -rf "$box"' EXIT
printf 'V8\nT0\nK0\nN0\nP30000\nS<sender@example.org>\nRPFD:<user@example.net>\nH??Subject: bench\n.\n' >"$box/env.qf"
head -c 1024 /dev/zero | tr '\0' 'x' | fold -w 64 >"$box/body"

# Prints commits per second for mode $1 at concurrency $2.
run() {
	local mode=$1 conc=$2 q=$box/q-$1-$2 each t0 t1
	mkdir -m 700 "$q"
	each=$((total / conc))
	# warm the pool: queue and remove a batch, as finished deliveries do
	"$QINJECT" -s "$mode" -n 200 "$q" "$box/env.qf" "$box/body" >"$box/ids"
	"$build/tests/helpers/qinject" -r "$q" <"$box/ids" 2>/dev/null || true
	t0=$(date +%s%N)
	for _ in $(seq "$conc"); do "$QINJECT" -s "$mode" -n "$each" "$q" "$box/env.qf" "$box/body" >/dev/null & done
	wait
	t1=$(date +%s%N)
	echo $((each * conc * 1000000000 / (t1 - t0)))
}
echo "durable commits per second ($total messages per cell, 1 KB bodies)"
printf '| %-28s | %8s | %8s | %8s |\n' "mode" "c=1" "c=10" "c=50"
printf '| %-28s | %8s | %8s | %8s |\n' "----------------------------" "--------" "--------" "--------"
for mode in files group; do
	printf '| %-28s | %8d | %8d | %8d |\n' "$([ $mode = files ] && echo 'fsync per file (upstream)' || echo 'group commit + inode pool')" \
		"$(run $mode 1)" "$(run $mode 10)" "$(run $mode 50)"
done
