#!/usr/bin/env bash
# bench/bt.sh [BUILDDIR] [LINES]: addresses per second through `sendmail -bt`,
# Petrel against upstream 8.17 on the same cf (upstream's generic-linux.mc
# with access_db, compiled by upstream's package) and the same LINES input
# lines (default 10,000) of "3,0 address" and of "check_rcpt address", in the
# same run, printed with their ratio.  Both run in a private network namespace
# with a qualified host name and a dnsmasq on its loopback that knows the
# test's names (no traffic leaves the namespace).  Run as root after ./check.sh has built build/.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-$top/build}
N=${2:-10000}
export PETREL_SRCDIR=$top PETREL_BUILDDIR=$B
. "$top/tests/lib/tap.sh" >/dev/null
. "$top/tests/lib/oracle.sh"
oracle_fetch || { echo "cannot fetch upstream sendmail" >&2; exit 1; }
w=$(mktemp -d /run/petrel-bench-XXXXXX)
[ -n "${BENCH_KEEP:-}" ] && echo "work folder: $w" >&2
[ -n "${BENCH_KEEP:-}" ] || trap 'rm -rf "$w"' EXIT
chmod 755 "$w"
cat >"$w/b.mc" <<MC
OSTYPE(\`linux')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
FEATURE(\`access_db', \`hash -T<TMPF> -o $w/access')dnl
FEATURE(\`accept_unresolvable_domains')dnl
MAILER(\`local')dnl
MAILER(\`smtp')dnl
MC
oracle_m4 "$w/b.mc" >"$w/b.cf"
printf 'From:spam.example\tREJECT\nConnect:10.0.0\tRELAY\nTo:relay.example\tRELAY\n' >"$w/access"
"$ORACLE_MAKEMAP" -C /dev/null hash "$w/access.up" <"$w/access" 2>/dev/null
"$B/makemap/makemap" hash "$w/access.pt" <"$w/access"
echo "nameserver 127.0.0.1" >"$w/resolv.conf"
python3 - "$N" >"$w/in30" <<'PY'
import random, sys
random.seed(1)
n = int(sys.argv[1])
forms = ["user{i}", "user{i}@example.{d}", "<user{i}@mx.example.test>", "Full Name <u{i}@host{i}.example.{d}>",
         "u{i}%x@mx.example.test", "a{i}!b!c", "user{i}@[192.0.2.{k}]", "\"quoted {i}\"@example.{d}"]
for i in range(n):
    f = forms[i % len(forms)]
    print("3,0 " + f.format(i=i, d=random.choice(["com", "org", "net"]), k=i % 250))
PY
sed 's/^3,0 /check_rcpt /' "$w/in30" >"$w/inrcpt"

# run BIN MAPFILE INPUT: CPU seconds (user + system) of one -bt pass; CPU
# time, not wall time, so that other work on the machine disturbs it less
run() {
	cp "$2" "$w/access.db"
	unshare -u -m -n sh -c 'hostname mx.example.test; mount --bind "$0/resolv.conf" /etc/resolv.conf
		ip link set lo up
		dnsmasq --conf-file=/dev/null --no-resolv --no-hosts --listen-address=127.0.0.1 \
			--bind-interfaces --pid-file="$0/dnsmasq.pid" --local=/#/ \
			--host-record=mx.example.test,127.0.0.1 --mx-host=example.com,mx.example.test,10 \
			--mx-host=example.org,mx.example.test,10 --host-record=host1.example.net,192.0.2.1
		/usr/bin/time -f "%U + %S" -o "$0/cpu" "$1" -C "$0/b.cf" -bt <"$2" >/dev/null 2>&1
		kill "$(cat "$0/dnsmasq.pid")"
		bc <"$0/cpu"' "$w" "$1" "$3"
}
printf '%-12s %10s %10s %8s\n' input upstream petrel ratio
printf '%-12s %10s %10s %8s\n' '' 'addr/CPU s' 'addr/CPU s' ''
for inp in in30 inrcpt; do
	u=$(run "$ORACLE_SENDMAIL" "$w/access.up.db" "$w/$inp")
	p=$(run "$B/sendmail/sendmail" "$w/access.pt.db" "$w/$inp")
	printf '%-12s %9.0f/s %9.0f/s %7.2fx\n' "$inp" "$(echo "$N / $u" | bc -l)" \
		"$(echo "$N / $p" | bc -l)" "$(echo "$u / $p" | bc -l)"
done
