#!/usr/bin/env bash
# bench/profq.sh: where a forced queue run's time goes (Petrel alone):
# QN deferred messages, then `sendmail -q` under strace -f (-c or -tt).
#   bench/profq.sh [BUILDDIR]   (QN=2000 MODE=c|t|none)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
bench_name=profq
. "$top/bench/mta.sh"
bench_enter "$@"
QN=${QN:-2000}; MODE=${MODE:-c}
dir=$BOX/petrel
mta_setup petrel ${MC:-}
MTA_ARGS="-O DeliveryMode=q" mta_start petrel
"$SMTP_SOURCE" -m 1 -l 1024 -f bench@client.example.test -t bpetrel@mx.example.test \
	-M client.example.test 127.0.0.1:2525 >/dev/null 2>&1
mta_stop petrel
mkdir -p "$dir/tmpl"
f=$(find "$dir/mqueue" -name 'qf*' | head -1)
cp "$f" "$dir/tmpl/qf"; cp "$(dirname "$f")/d${f##*/q}" "$dir/tmpl/df"
find "$dir/mqueue" -type f -name '[qd]f*' -delete
"$build/tests/helpers/qinject" -s none -n "$QN" "$dir/mqueue" "$dir/tmpl/qf" "$dir/tmpl/df" >/dev/null
sync
: >/var/mail/bpetrel
t0=$(date +%s%N)
case $MODE in
c) strace -f -c -o "$BOX/strace.txt" "$SENDMAIL" -C "$dir/sendmail.cf" -q ;;
t) strace -f -tt -T -o "${OUT:-$build/profq-strace.txt}" "$SENDMAIL" -C "$dir/sendmail.cf" -q ;;
none) /usr/bin/time -f "%e s wall, %U user %S sys (runner and children waited for)" "$SENDMAIL" -C "$dir/sendmail.cf" -q ;;
esac
got=$($PTREE mbox /var/mail/bpetrel "$QN" 120)
t1=$(date +%s%N)
echo "delivered $got in $(( (t1 - t0) / 1000000 )) ms"
[ "$MODE" = c ] && head -45 "$BOX/strace.txt"
