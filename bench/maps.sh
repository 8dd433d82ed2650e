#!/usr/bin/env bash
# bench/maps.sh: map building and lookups, Petrel against upstream sendmail
# 8.17 (unpacked from Debian's packages by tests/lib/oracle.sh) in the same
# run, on the same input.
#
#   bench/maps.sh [BUILDDIR] [ENTRIES] [LOOKUPS]
#   (environment: RUNS=3, BENCH_DIR=/srv for the work folder, BENCH_KEEP=1 keeps it)
#
# Builds a hash map of ENTRIES (1,000,000) "key value" lines with each
# makemap, once from a source in key order and once from the same lines
# shuffled; then runs LOOKUPS (1,000,000) random "/map" lookups (nine in ten
# present) through each one's `sendmail -bt`.  The lookups are as alike as
# can be: the same cf file, naming the same map file (each program's own map
# is copied there before its run), the same input, both started the same way
# (unshare -u with a qualified host name, which upstream needs); their whole
# outputs are compared.  Each step runs RUNS times, alternating which program
# goes first; the table gives the medians of the wall time and of the CPU
# time (user + system of the program and its children) and the ratios
# upstream/Petrel (above 1: Petrel is faster).  Not part of the test suite's
# pass or fail.  Run as root after ./check.sh has built build/.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export PETREL_SRCDIR=$top
export PETREL_BUILDDIR=$(cd "${1:-$top/build}" && pwd)
entries=${2:-1000000}
lookups=${3:-1000000}
runs=${RUNS:-3}
. "$top/tests/lib/tap.sh" >/dev/null
. "$top/tests/lib/oracle.sh"
oracle_fetch || { echo "bench/maps.sh: cannot fetch upstream sendmail" >&2; exit 1; }
# a folder no one else may write (upstream warns about one that others may)
mkdir -p "${BENCH_DIR:=/srv}"
w=$(mktemp -d "$BENCH_DIR/petrel-bench-maps.XXXXXX")
[ -n "${BENCH_KEEP:-}" ] && echo "work folder: $w" >&2
[ -n "${BENCH_KEEP:-}" ] || trap 'rm -rf "$w"' EXIT
chmod 755 "$w"
mkdir -p "$w/p" "$w/u" "$w/m" "$w/q"

awk -v n="$entries" 'BEGIN { srand(1); for (i = 0; i < n; i++)
	printf "key%07d.example.com value-%d-%x\n", i, i, int(rand() * 2147483647) }' >"$w/seq"
awk 'BEGIN { srand(3) } { printf "%.9f\t%s\n", rand(), $0 }' "$w/seq" | sort -k1,1 |
	cut -f2- >"$w/rnd"
awk -v n="$lookups" -v e="$entries" 'BEGIN { srand(2); for (i = 0; i < n; i++) {
	k = int(rand() * e); if (rand() < 0.1) k += e
	printf "/map test key%07d.example.com\n", k } }' >"$w/lookups"

cat >"$w/m.cf" <<CF
V10/Berkeley
O DontBlameSendmail=MapInUnsafeDirPath
O QueueDirectory=$w/q
Ktest hash $w/m/map
Mlocal, P=/bin/true, F=l, A=true
CF
cp "$w/m.cf" "$w/p.cf"
cp "$w/m.cf" "$w/u.cf"

# timed OUT CMD...: runs CMD (stdin as given) with a qualified host name,
# its output to OUT; prints "wall cpu" in seconds.
timed() {
	local out=$1 TIMEFORMAT='%R %U %S' t
	shift
	t=$( { time unshare -u sh -c 'hostname "$0" && exec "$@"' "$ORACLE_HOSTNAME" "$@" \
		>"$out" 2>&1; } 2>&1 )
	set -- $t
	echo "$1 $(echo "$2 + $3" | bc)"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# The programs, by tag.
build_p() { timed /dev/null "$MAKEMAP" -C "$w/p.cf" hash "$w/p/map" <"$1"; }
build_u() { timed /dev/null "$ORACLE_MAKEMAP" -C "$w/u.cf" hash "$w/u/map" <"$1"; }
look() {
	rm -f "$w/m/map.db"
	cp "$w/$1/map.db" "$w/m/map.db"
	cat "$w/m/map.db" "$w/lookups" >/dev/null
	timed "$w/out.$1" "$2" -C "$w/m.cf" -bt <"$w/lookups"
}
look_p() { look p "$SENDMAIL"; }
look_u() { look u "$ORACLE_SENDMAIL"; }

# step NAME ARG: RUNS alternating runs of NAME_p and NAME_u; prints
# "pwall pcpu uwall ucpu" (medians)
step() {
	local i a b
	: >"$w/t.p"
	: >"$w/t.u"
	for ((i = 0; i < runs; i++)); do
		if ((i % 2 == 0)); then a=p b=u; else a=u b=p; fi
		if [ "$1" = build ]; then
			rm -f "$w/$a/map.db" "$w/$b/map.db"
			cat "$2" >/dev/null
		fi
		"$1_$a" "${2:-}" >>"$w/t.$a"
		"$1_$b" "${2:-}" >>"$w/t.$b"
	done
	echo "$(cut -d' ' -f1 "$w/t.p" | median) $(cut -d' ' -f2 "$w/t.p" | median)" \
		"$(cut -d' ' -f1 "$w/t.u" | median) $(cut -d' ' -f2 "$w/t.u" | median)"
}

row() {
	set -- "$1" $2
	printf '| %-36s | %8.2f | %8.2f | %6.2fx | %8.2f | %8.2f | %6.2fx |\n' "$1" \
		"$2" "$4" "$(echo "$4 / $2" | bc -l)" "$3" "$5" "$(echo "$5 / $3" | bc -l)"
}

echo "## Maps: makemap and sendmail -bt lookups, median of $runs runs (seconds)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| %-36s | %8s | %8s | %7s | %8s | %8s | %7s |\n' step 'P wall' 'U wall' 'U/P' \
	'P CPU' 'U CPU' 'U/P'
printf '| %-36s | %8s | %8s | %7s | %8s | %8s | %7s |\n' ------------------------------------ \
	-------- -------- ------- -------- -------- -------
row "makemap hash, $entries keys in order" "$(step build "$w/seq")"
row "makemap hash, $entries keys shuffled" "$(step build "$w/rnd")"
row "sendmail -bt, $lookups /map lookups" "$(step look)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
same=no
cmp -s "$w/out.p" "$w/out.u" && same=yes
echo "identical -bt outputs: $same; found: Petrel $(grep -c ' returns ' "$w/out.p")," \
	"upstream $(grep -c ' returns ' "$w/out.u") of $lookups"
echo "U/P above 1: Petrel is faster; CPU: user + system time of the program's processes"
