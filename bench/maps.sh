#!/usr/bin/env bash
# bench/maps.sh: map building and lookups, Petrel against upstream sendmail
# 8.17 (unpacked from Debian's packages by tests/lib/oracle.sh) in the same
# run, on the same input.
#
#   bench/maps.sh [BUILDDIR] [ENTRIES] [LOOKUPS]
#
# Builds a hash map of ENTRIES (1,000,000) "key value" lines with each
# makemap, then runs LOOKUPS (1,000,000) random "/map" lookups (nine in ten
# present) through each one's `sendmail -bt`, and prints the wall times and
# the ratios upstream/Petrel (above 1: Petrel is faster).  Not part of the
# test suite's pass or fail.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export PETREL_SRCDIR=$top
export PETREL_BUILDDIR=$(cd "${1:-$top/build}" && pwd)
entries=${2:-1000000}
lookups=${3:-1000000}
. "$top/tests/lib/tap.sh"
. "$top/tests/lib/oracle.sh"
oracle_fetch || { echo "bench/maps.sh: cannot fetch upstream sendmail" >&2; exit 1; }
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
chmod 755 "$w"
mkdir -p "$w/p" "$w/u" "$w/q"

awk -v n="$entries" 'BEGIN { srand(1); for (i = 0; i < n; i++)
	printf "key%07d.example.com value-%d-%x\n", i, i, int(rand() * 2147483647) }' >"$w/src"
awk -v n="$lookups" -v e="$entries" 'BEGIN { srand(2); for (i = 0; i < n; i++) {
	k = int(rand() * e); if (rand() < 0.1) k += e
	printf "/map test key%07d.example.com\n", k } }' >"$w/lookups"

cf() {
	cat <<CF
V10/Berkeley
O DontBlameSendmail=MapInUnsafeDirPath
O QueueDirectory=$w/q
Ktest hash $1/map
Mlocal, P=/bin/true, F=l, A=true
CF
}
cf "$w/p" >"$w/p.cf"
cf "$w/u" >"$w/u.cf"

# Runs a command and prints its wall time in seconds.
timeit() {
	local s e
	s=$(date +%s.%N)
	"$@" >/dev/null 2>&1
	e=$(date +%s.%N)
	echo "$e - $s" | bc
}

pb=$(timeit sh -c "'$MAKEMAP' -C '$w/p.cf' hash '$w/p/map' <'$w/src'")
ub=$(timeit sh -c "'$ORACLE_MAKEMAP' -C '$w/u.cf' hash '$w/u/map' <'$w/src'")
pl=$(timeit sh -c "'$SENDMAIL' -C '$w/p.cf' -bt <'$w/lookups'")
ul=$(timeit oracle_run -C "$w/u.cf" -bt <"$w/lookups")
check_p=$(head -1000 "$w/lookups" | "$SENDMAIL" -C "$w/p.cf" -bt 2>&1 | grep -c returns)
check_u=$(head -1000 "$w/lookups" | oracle_run -C "$w/u.cf" -bt 2>&1 | grep -c returns)

printf 'makemap hash, %d entries:   Petrel %6.2fs  upstream %6.2fs  ratio %.2f\n' \
	"$entries" "$pb" "$ub" "$(echo "$ub / $pb" | bc -l)"
printf 'sendmail -bt, %d lookups:   Petrel %6.2fs  upstream %6.2fs  ratio %.2f\n' \
	"$lookups" "$pl" "$ul" "$(echo "$ul / $pl" | bc -l)"
printf '(found among the first 1000 lookups: Petrel %d, upstream %d)\n' "$check_p" "$check_u"
