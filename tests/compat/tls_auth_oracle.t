#!/usr/bin/env bash
# compat/tls_auth_oracle: STARTTLS and SMTP AUTH against upstream sendmail
# 8.17's daemon: both daemons load the cf upstream's m4 package makes (a
# certificate from a test CA, AuthMechanisms PLAIN LOGIN CRAM-MD5 EXTERNAL,
# AuthOptions p) and read the same sasldb (bound over /etc/sasldb2), and
# must give the same replies to the same dialogues (501/503/454 for
# STARTTLS, 504/501/503/535/235 for AUTH, EXTERNAL with a client
# certificate and the {auth_authen} it yields, seen by a check_mail rule,
# relaying once authenticated) and log the same STARTTLS=server,
# AUTH=server and "AUTH failure" lines.  A few check_mail rules also compare
# how an $#error result becomes a reply (unquoted words, with and without a
# reply code and a status).
# Everything runs in private mount and UTS namespaces: a qualified host
# name, a resolv.conf pointing at a closed loopback port, a /dev of our own
# whose /dev/log a small listener records.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/oracle.sh"
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null; then
	skip "needs root and unshare to run upstream sendmail privately"
	done_testing
fi
if ! command -v saslpasswd2 >/dev/null || [ ! -e /etc/sasldb2 ]; then
	skip "needs saslpasswd2 and /etc/sasldb2 (sasl2-bin)"
	done_testing
fi
oracle_fetch || { skip "upstream sendmail could not be fetched"; done_testing; }
work=$(mktemp -d /run/petrel-tlsauth-oracle.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
cd "$work" || exit 1
mkdir -m 700 mq-up mq-pt
: >aliases
: >statistics
printf 'hosts\tfiles\naliases\tfiles\n' >service.switch
printf '127.0.0.1 localhost mx.example.test\n' >hosts
echo 'nameserver 127.0.0.9' >resolv.conf
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-keyout ca.key -out ca.pem -subj "/CN=Test CA" 2>/dev/null
(umask 077 && openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout key.pem -out req.pem -subj "/O=Petrel tests/CN=mx.example.test" 2>/dev/null)
openssl x509 -req -in req.pem -CA ca.pem -CAkey ca.key -CAcreateserial -out cert.pem -days 2 \
	2>/dev/null
printf secret | saslpasswd2 -p -c -f "$work/sasldb2" -u mx.example.test alice
chmod 600 sasldb2
up_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pt_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# mkcf NAME PORT QUEUE: one cf from upstream's m4 package
mkcf() {
	cat >"$1.mc" <<MC
divert(0)dnl
OSTYPE(\`linux')dnl
define(\`confDONT_PROBE_INTERFACES',\`True')dnl
define(\`confSTATUS_FILE',\`$work/statistics')dnl
define(\`confSERVICE_SWITCH_FILE',\`$work/service.switch')dnl
define(\`confHOSTS_FILE',\`$work/hosts')dnl
define(\`QUEUE_DIR',\`$work/$3')dnl
define(\`ALIAS_FILE',\`$work/aliases')dnl
define(\`confPID_FILE',\`$work/$1.pid')dnl
define(\`confCACERT_PATH',\`$work')dnl
define(\`confCACERT',\`$work/ca.pem')dnl
define(\`confSERVER_CERT',\`$work/cert.pem')dnl
define(\`confSERVER_KEY',\`$work/key.pem')dnl
define(\`confAUTH_MECHANISMS', \`PLAIN LOGIN CRAM-MD5 EXTERNAL')dnl
TRUST_AUTH_MECH(\`PLAIN LOGIN CRAM-MD5')dnl
define(\`confAUTH_OPTIONS', \`p')dnl
FEATURE(\`no_default_msa')dnl
FEATURE(\`nocanonify')dnl
FEATURE(\`accept_unresolvable_domains')dnl
DAEMON_OPTIONS(\`Port=$2, Addr=127.0.0.1, Name=MTA')dnl
MAILER(\`local')dnl
MAILER(\`smtp')dnl
LOCAL_RULESETS
SLocal_check_mail
R<text1@example.test>	\$#error \$@ 5.7.1 \$: 550 words without quotes
R<text2@example.test>	\$#error \$@ 5.7.1 \$: words without a code
R<text3@example.test>	\$#error \$: 551 no status words
R<text4@example.test>	\$#error \$@ 4.7.1 \$: temp words
R<probe@example.test>	\$: <\$&{auth_authen}>
R</O+3DPetrel+2B20tests/CN+3Dmx.example.test>	\$#error \$@ 5.7.1 \$: "550 {auth_authen} is the subject, xtext"
MC
	oracle_m4 "$1.mc" >"$1.cf"
}
mkcf up "$up_port" mq-up
mkcf pt "$pt_port" mq-pt
ok $? "upstream's m4 package compiled both configurations"

# the private world: names, DNS, /dev with a recorded /dev/log, the sasldb
cat >ns.sh <<'NS'
set -u
w=$1; shift
mount --bind "$w/resolv.conf" /etc/resolv.conf
mount --bind "$w/sasldb2" /etc/sasldb2
hostname mx.example.test
mount -t tmpfs none /dev
mknod -m 666 /dev/null c 1 3; mknod -m 666 /dev/zero c 1 5
mknod -m 666 /dev/random c 1 8; mknod -m 666 /dev/urandom c 1 9
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind("/dev/log")
f = open(sys.argv[1], "a")
while True:
    f.write(s.recv(65536).decode("latin-1").rstrip("\n") + "\n"); f.flush()' "$w/syslog" &
logger=$!
sleep 0.3
"$ORACLE_SENDMAIL" -C "$w/up.cf" -bD >"$w/up.out" 2>&1 &
up=$!
"$SENDMAIL" -C "$w/pt.cf" -bD -L petrel >"$w/pt.out" 2>&1 &
pt=$!
for _ in $(seq 1 100); do
	python3 -c "import socket,sys; [socket.create_connection(('127.0.0.1', int(p)), 1) for p in sys.argv[1:]]" \
		"$UP_PORT" "$PT_PORT" 2>/dev/null && break
	sleep 0.1
done
python3 "$PETREL_SRCDIR/tests/compat/tls_auth_oracle.py" "$PETREL_SRCDIR/tests/lib/smtp_talk.py" \
	"$UP_PORT" "$PT_PORT" "$w/syslog" "$w"
kill "$up" "$pt"
sleep 0.5
kill "$logger"
NS
export ORACLE_SENDMAIL SENDMAIL UP_PORT=$up_port PT_PORT=$pt_port
unshare -m -u bash ns.sh "$work" >out 2>ns.err
while IFS= read -r line; do
	case "$line" in
	"ok X"*) ok 0 "${line#ok X - }" ;;
	"not ok X"*) ok 1 "${line#not ok X - }" ;;
	"#"*) echo "$line" ;;
	esac
done <out
[ -s out ] || { ok 1 "the dialogues ran"; sed 's/^/# /' ns.err; }
done_testing
