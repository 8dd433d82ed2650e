#!/usr/bin/env bash
# compat/smtp_proto: Petrel's SMTP parsing layer against upstream sendmail
# 8.17 (Debian's, unpacked by oracle.sh) on the same MAIL, RCPT, HELO and
# unknown command lines and the same DATA streams (bare LF, bare CR, NUL,
# dot-stuffing, smuggling attempts) under the srv_features settings that
# govern them.  Upstream runs as root with -bs on a private cf, in its own
# UTS namespace (a qualified host name) and mount namespace (a resolv.conf
# pointing at a closed loopback port: no DNS query leaves the machine).
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/oracle.sh"
probe=$PETREL_BUILDDIR/tests/tools/smtp_probe
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null; then
	skip "needs root and unshare to run upstream sendmail privately"
	done_testing
fi
oracle_fetch || { ok 1 "upstream sendmail could be fetched"; done_testing; }
[ -x "$probe" ] || { ok 1 "the probe $probe is built"; done_testing; }
work=$(mktemp -d /tmp/petrel-smtp-proto.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir -m 700 "$work/mqueue"
: >"$work/aliases"
: >"$work/statistics"
printf 'hosts\tfiles\naliases\tfiles\n' >"$work/service.switch"
printf '127.0.0.1 localhost mx.example.test\n' >"$work/hosts"
echo 'nameserver 127.0.0.9' >"$work/resolv.conf"
base="divert(-1)
divert(0)dnl
OSTYPE(\`linux')dnl
define(\`confDONT_PROBE_INTERFACES',\`True')dnl
define(\`confHELP_FILE',\`$work/helpfile')dnl
define(\`confSTATUS_FILE',\`$work/statistics')dnl
define(\`confSERVICE_SWITCH_FILE',\`$work/service.switch')dnl
define(\`confHOSTS_FILE',\`$work/hosts')dnl
define(\`QUEUE_DIR',\`$work/mqueue')dnl
define(\`ALIAS_FILE',\`$work/aliases')dnl
FEATURE(\`nocanonify')dnl
FEATURE(\`accept_unresolvable_domains')dnl"
# mkcf NAME EXTRA-MC-TEXT: compiles one variant of the cf with upstream's m4 package.
mkcf() {
	printf '%s\n%s\nMAILER(`local'"'"')dnl\nMAILER(`smtp'"'"')dnl\n%s\n' "$base" "$2" "$3" \
		>"$work/$1.mc"
	oracle_m4 "$work/$1.mc" >"$work/$1.cf"
}
mkcf t "" ""
mkcf nul "define(\`confREJECT_NUL',\`true')dnl" ""
for f in G U "u2 g2" "O U G"; do
	mkcf "sf_$(echo "$f" | tr -d ' ')" "" "LOCAL_SRV_FEATURES
R\$*	\$# $f"
done
ok $? "upstream's m4 package compiled the test configurations"
python3 "$PETREL_SRCDIR/tests/compat/smtp_proto.py" "$work" "$ORACLE_SENDMAIL" "$probe" |
	sed -e "s/^\(not \)\{0,1\}ok \([0-9]*\)/\1ok X/" >"$work/out"
# Renumber the helper's TAP lines after ours.
while IFS= read -r line; do
	case "$line" in
	"ok X"*) ok 0 "${line#ok X - }" ;;
	"not ok X"*) ok 1 "${line#not ok X - }" ;;
	"#"*) echo "$line" ;;
	esac
done <"$work/out"
done_testing
