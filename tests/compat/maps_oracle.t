#!/usr/bin/env bash
# Maps under an upstream-generated sendmail.cf: the same sources built by
# upstream's makemap (Berkeley DB) and by Petrel's (gdbm), looked up with
# `/map` through each one's `sendmail -bt`, give the same answers, line for
# line: access (with -T<TMPF>), virtusertable (%1), mailertable,
# genericstable, plain and -N maps, keys in any case, absent keys, and the
# computing maps the cf declares (dequote).
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/oracle.sh"
if ! oracle_fetch; then skip "upstream sendmail cannot be fetched"; done_testing; fi
if [ ! -x "$SENDMAIL" ]; then skip "sendmail is not built"; done_testing; fi
t=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$t"' EXIT
chmod 755 "$t"
mkdir -p "$t/p" "$t/u" "$t/q"
chmod 755 "$t/p" "$t/u"
echo "hosts files" >"$t/service.switch"
printf '127.0.0.1 localhost\n192.0.2.1 mx.example.test mx\n' >"$t/hosts"

# One .mc, two cfs: each reads the maps its own makemap built.
mc() {
	cat <<MC
divert(-1)
include(\`$ORACLE_CF/m4/cf.m4')
divert(0)dnl
OSTYPE(\`linux')dnl
define(\`confDONT_BLAME_SENDMAIL', \`MapInUnsafeDirPath,GroupWritableDirPathSafe')dnl
define(\`confSERVICE_SWITCH_FILE', \`$t/service.switch')dnl
define(\`confHOSTS_FILE', \`$t/hosts')dnl
define(\`QUEUE_DIR', \`$t/q')dnl
define(\`ALIAS_FILE', \`$1/aliases')dnl
FEATURE(\`access_db', \`hash -T<TMPF> -o $1/access')dnl
FEATURE(\`virtusertable', \`hash -o $1/virtusertable')dnl
FEATURE(\`mailertable', \`hash -o $1/mailertable')dnl
FEATURE(\`genericstable', \`hash -o $1/genericstable')dnl
LOCAL_CONFIG
Knmap hash -N -o $1/nmap
Kfmap hash -f -o $1/fmap
MAILER(\`local')dnl
MAILER(\`smtp')dnl
MC
}
mc "$t/p" | oracle_m4 - >"$t/p.cf" 2>"$t/m4.err"
mc "$t/u" | oracle_m4 - >"$t/u.cf" 2>>"$t/m4.err"
ok "$([ -s "$t/p.cf" ] && [ -s "$t/u.cf" ]; echo $?)" "upstream's cf package generates the two configurations"

cat >"$t/access" <<'SRC'
Connect:192.0.2.1	RELAY
Connect:10.	REJECT
From:spammer@example.com	REJECT
From:Example.NET	DISCARD
To:postmaster@	OK
Spam:abuse@	FRIEND
bad.example	ERROR:550 go away
SRC
cat >"$t/virtusertable" <<'SRC'
info@example.com	alice
@example.com	%1@other.example
@Example.ORG	error:nouser No such user
bob@example.com	bob+%2@elsewhere.example
SRC
printf 'example.com\tsmtp:[mx.example.test]\n.example.net\tesmtp:relay.example.net\n' >"$t/mailertable"
printf 'alice\talice@example.com\nbob\tRobert.Smith@example.com\n' >"$t/genericstable"
printf 'withnul\tv1\nOther\tv2\n' >"$t/nmap.src"
printf 'MiXed\tcase kept\nlower\tplain\n' >"$t/fmap.src"
for m in access virtusertable mailertable genericstable; do
	"$MAKEMAP" -C "$t/p.cf" hash "$t/p/$m" <"$t/$m" 2>/dev/null
	"$ORACLE_MAKEMAP" -C "$t/u.cf" hash "$t/u/$m" <"$t/$m" 2>/dev/null
done
"$MAKEMAP" -C "$t/p.cf" -N hash "$t/p/nmap" <"$t/nmap.src" 2>/dev/null
"$ORACLE_MAKEMAP" -C "$t/u.cf" -N hash "$t/u/nmap" <"$t/nmap.src" 2>/dev/null
"$MAKEMAP" -C "$t/p.cf" -f hash "$t/p/fmap" <"$t/fmap.src" 2>/dev/null
"$ORACLE_MAKEMAP" -C "$t/u.cf" -f hash "$t/u/fmap" <"$t/fmap.src" 2>/dev/null

cat >"$t/in" <<'IN'
/map access Connect:192.0.2.1
/map access connect:192.0.2.1
/map access CONNECT:10.
/map access Connect:10.1.2.3
/map access From:spammer@example.com
/map access from:example.net
/map access To:postmaster@
/map access Spam:abuse@
/map access bad.example
/map access nothing.here
/map virtuser info@example.com
/map virtuser @example.com
/map virtuser @example.org
/map virtuser INFO@EXAMPLE.COM
/map virtuser nobody@nowhere
/map mailertable example.com
/map mailertable .example.net
/map mailertable example.org
/map generics alice
/map generics BOB
/map generics carol
/map nmap withnul
/map nmap other
/map nmap absent
/map fmap MiXed
/map fmap mixed
/map fmap lower
/map fmap LOWER
/map dequote "quoted"
/map dequote "a b"
/map dequote plain
IN
"$SENDMAIL" -C "$t/p.cf" -bt <"$t/in" >"$t/p.out" 2>&1
oracle_run -C "$t/u.cf" -bt <"$t/in" >"$t/u.out" 2>&1
grep -o 'map_lookup: .*' "$t/p.out" >"$t/p.lines"
grep -o 'map_lookup: .*' "$t/u.out" >"$t/u.lines"
is "$(wc -l <"$t/u.lines")" "$(wc -l <"$t/in")" "upstream answers every lookup"
n=0
while IFS= read -r want && IFS= read -r got <&3; do
	n=$((n + 1))
	is "$got" "$want" "lookup $n: $(sed -n "${n}p" "$t/in")"
done <"$t/u.lines" 3<"$t/p.lines"
is "$n" "$(wc -l <"$t/in")" "Petrel answers every lookup"
done_testing
