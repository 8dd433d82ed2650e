# peers.sh: real MTAs from Debian as Petrel's peers in interop tests:
# Postfix 3.7 and upstream sendmail 8.17, unpacked with apt-get download +
# dpkg -x into the build tree at test time (never installed on the machine),
# run inside private namespaces with private configurations.
#
# Sourced by test scripts after tap.sh and sandbox.sh.
#
#   peers_enter NEED ARGS...  first thing in a test (NEED: "postfix",
#                          "upstream" or both, space-separated; ARGS: "$0" "$@"):
#                          fetches the packages outside, then runs the script
#                          again inside private mount, UTS, network and PID
#                          namespaces and returns there: /etc is an overlay
#                          (users, hosts, resolv.conf and sasl2/ may be written;
#                          all vanish with the namespace), the host name is
#                          mx.example.test, loopback is private and up, and
#                          every process dies with the test.  Skips the test
#                          (done_testing) when it cannot.
#   peers_user NAME UID    adds a user and its group
#   peers_dns              a private dnsmasq (sb_private_dns) that /etc/resolv.conf
#                          names for everybody in the namespace
#   peers_syslog FILE      /dev/log records into FILE (upstream logs through syslog):
#                          /dev becomes a tmpfs with null, zero, random, urandom
#   peers_cert NAME DIR    DIR/cert.pem and DIR/key.pem for NAME from the test CA
#                          of the sandboxes (sandbox.sh's SB_CA; after an SB_TLS sb_new)
#   peers_wait FILE REGEX [SECS]  waits until FILE has a line matching REGEX
#
#   pf_new DIR PORT NAME [MAIN.CF LINES]
#                          a Postfix instance in DIR: smtpd on 127.0.0.1:PORT,
#                          myhostname NAME, mail for NAME delivered by local(8)
#                          into DIR/mail/USER, its log in DIR/maillog, TLS logged
#                          (smtp[d]_tls_loglevel 1); the extra lines are appended.
#                          With PF_AUTH_PORT set, a second smtpd there that
#                          demands AUTH (Cyrus SASL, only over TLS) for every
#                          recipient (PF_AUTH_OPTS: more -o options for it);
#                          pf_sasl_user adds its users
#   pf_sasl_user DIR USER PASSWORD   a user in DIR/conf/sasl/sasldb2 (smtpd.conf beside it)
#   pf_start DIR, pf_stop DIR
#
#   up_new DIR PORT NAME [MC LINES]
#                          an upstream sendmail in DIR: a cf from upstream's m4
#                          package (the .mc lines before the MAILER lines), $j
#                          NAME and local for it, mail to a test mailer writing
#                          DIR/mail/USER/msg.N, queue DIR/mqueue
#   up_start DIR, up_stop DIR
#   up_msp DIR PORT BIN    a submission program beside a daemon on 127.0.0.1:PORT:
#                          DIR/submit.cf from upstream's m4 package (FEATURE(msp),
#                          RunAsUser smmsp, the client queue DIR/clientmqueue
#                          0770 smmsp:smmsp), DIR/bin/sendmail a set-group-ID
#                          smmsp copy of BIN (makes the smmsp user if missing)
#
# The oracle pair: upstream sendmail and Petrel side by side on one .mc,
# compiled by upstream's package, each with its own folder under $w:
#   pair_env NAME          the work folder $w (/run/petrel-NAME-XXXXXX, removed at
#                          the end) with the syslog recorded in $w/syslog, a load
#                          average of 0 (upstream only queues from QueueLA on), and
#                          host names from $w/hosts alone (127.0.0.1 is
#                          mx.example.test); PAIR_LINES: the .mc lines for those
#                          files and the local mailer's F=w (users must exist)
#   pair_users UID USER... users with homes $w/home/USER of their own (mode 755),
#                          uids from UID+1 up
#   pair_new [MC LINES]    up_new for $w/up on port $upport and $w/pt on $ptport,
#                          PAIR_LINES then the given lines
#   pair_aliases           builds both alias databases (after $w/up/aliases and
#                          $w/pt/aliases are written)
#   pair_start TAG [ARGS]  starts both daemons (Petrel's with -L TAG and ARGS); one ok
#                          line each
#
# Queue runs against scripted peers (tests/lib/fake_smtpd.py), upstream and
# Petrel on one cf, each with a queue folder of its own under $w:
#   peers_queue_env NAME ZONE...  right after peers_enter and the test's
#                          dns_record lines: the work folder $w
#                          (/run/petrel-NAME-XXXXXX; at exit the peers and dnsmasq
#                          are stopped and $w removed, copied first to $PEERS_KEEP
#                          when set), dnsmasq authoritative for the ZONEs, for
#                          example.test and 127.in-addr.arpa (mx.example.test is
#                          127.0.1.1, as in /etc/hosts) and named by
#                          /etc/resolv.conf, the syslog recorded in $w/syslog.
#                          Skips the test (done_testing) when it cannot
#   fake_peer NAME ADDR ARGS...  a peer on ADDR:25 (ARGS: fake_smtpd's options),
#                          its log in $w/NAME.log, its pid in $PEER_NAME
#   queue_cf NAME [MC LINE]  $w/NAME.cf from upstream's package: local and smtp
#                          mailers, queue $w/QUEUE, aliases and statistics in $w,
#                          QueueLA and RefuseLA high (a loaded machine must not
#                          hold messages back); the line comes after the files
#   queue_side NAME Q      $w/Q.cf: NAME's cf with its queue in $w/Q (and Q/.hoststat)
#   log_wait TAG RCPT N    waits until TAG logged N to= lines with xdelay for RCPT
#   log_to_line TAG RCPT [N]  the Nth (default: the latest) of those lines, from
#                          to= on, without delay=, xdelay= and pri=
#   hs_files Q [FIND ARGS] the host status files below $w/Q/.hoststat and their
#                          records but the time of the last attempt (U lines)
#
# A Petrel sandbox (sandbox.sh) relaying to and from a peer:
#   peers_send SUBJECT RCPT [PORT]  a message into the sandbox's daemon (from
#                          sender@pt.example.test); prints the daemon's log lines
#                          written since, once one of them has the message's stat=
#   peers_relayed_in WHO HELO MECH  ok lines: the victim's message from the peer
#                          (EHLO HELO, authenticated as carol with a mechanism
#                          matching MECH, over TLS with its certificate verified)
#                          is logged and has Petrel's Received header, in the mailbox
# Variables: PF_ROOT (the unpacked Postfix), ORACLE_* (oracle.sh).
. "$PETREL_SRCDIR/tests/lib/oracle.sh"
. "$PETREL_SRCDIR/tests/lib/dns.sh"
PF_ROOT=$PETREL_BUILDDIR/tests/postfix/root
PEERS_PIDS=

# Downloads and unpacks Postfix once per build tree; returns 1 if it cannot.
pf_fetch() {
	[ -x "$PF_ROOT/usr/lib/postfix/sbin/master" ] && return 0
	mkdir -p "$PETREL_BUILDDIR/tests/postfix" || return 1
	(
		cd "$PETREL_BUILDDIR/tests/postfix" || exit 1
		exec 9>.lock
		flock 9
		[ -x "$PF_ROOT/usr/lib/postfix/sbin/master" ] && exit 0
		apt-get download postfix >/dev/null 2>&1 ||
			{ apt-get update -qq >/dev/null 2>&1 && apt-get download postfix >/dev/null 2>&1; } || exit 1
		dpkg -x postfix_*.deb root && rm -f postfix_*.deb
	)
}

peers_enter() {
	local need=$1 ovl rc
	shift
	if [ -n "${PEERS_NS:-}" ]; then
		hostname mx.example.test
		ip link set lo up
		printf '127.0.0.1\tlocalhost\n127.0.1.1\tmx.example.test mx\n' >/etc/hosts
		echo 'nameserver 127.0.0.9' >/etc/resolv.conf
		printf 'passwd: files\ngroup: files\nhosts: files dns\n' >/etc/nsswitch.conf
		return 0
	fi
	if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null || ! command -v ip >/dev/null; then
		skip "needs root, unshare and ip for private namespaces"
		done_testing
	fi
	case " $need " in *" postfix "*) pf_fetch || { skip "Postfix could not be fetched"; done_testing; } ;; esac
	case " $need " in *" upstream "*) oracle_fetch || { skip "upstream sendmail could not be fetched"; done_testing; } ;; esac
	ovl=$(mktemp -d /run/petrel-peers-XXXXXX)
	mkdir -p "$ovl/upper" "$ovl/work"
	if ! unshare -m sh -c 'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$0/upper,workdir=$0/work" /etc' "$ovl" 2>/dev/null; then
		rm -rf "$ovl"
		skip "overlay mounts are not available here"
		done_testing
	fi
	PEERS_NS=1 unshare -m -u -n -p --fork --mount-proc sh -c \
		'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$0/upper,workdir=$0/work" /etc && exec "$@"' \
		"$ovl" bash "$@"
	rc=$?
	rm -rf "$ovl"
	exit $rc
}

peers_user() {
	echo "$1:x:$2:$2:peers test user:/nonexistent:/usr/sbin/nologin" >>/etc/passwd
	echo "$1:x:$2:" >>/etc/group
}

peers_dns() {
	sb_private_dns "$@" || return 1
	cp "$DNS_DIR/resolv.conf" /etc/resolv.conf
}

peers_syslog() {
	local sock
	sock=$(dirname "$1")/devlog
	python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[2])
os.chmod(sys.argv[2], 0o666)
f = open(sys.argv[1], "a")
while True:
    f.write(s.recv(65536).decode("latin-1").rstrip("\n") + "\n"); f.flush()' "$1" "$sock" &
	PEERS_PIDS="$PEERS_PIDS $!"
	for _ in $(seq 1 50); do [ -S "$sock" ] && break; sleep 0.1; done
	# a /dev of the namespace's own, whose log is that socket
	mount -t tmpfs -o mode=755 none /dev || return 1
	mknod -m 666 /dev/null c 1 3; mknod -m 666 /dev/zero c 1 5
	mknod -m 666 /dev/random c 1 8; mknod -m 666 /dev/urandom c 1 9
	ln -s /proc/self/fd /dev/fd; ln -s /proc/self/fd/0 /dev/stdin
	ln -s /proc/self/fd/1 /dev/stdout; ln -s /proc/self/fd/2 /dev/stderr
	ln -s "$sock" /dev/log
}

peers_cert() {
	local name=$1 dir=$2
	mkdir -p "$dir" && chmod 755 "$dir"
	cp "$SB_CA/ca.pem" "$dir/ca.pem"
	(umask 077 && openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$dir/key.pem" -out "$dir/req.pem" -subj "/O=Petrel tests/CN=$name" \
		2>/dev/null) || return 1
	printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$name" >"$dir/ext"
	openssl x509 -req -in "$dir/req.pem" -CA "$SB_CA/ca.pem" -CAkey "$SB_CA/ca.key" \
		-CAcreateserial -out "$dir/cert.pem" -days 3 -extfile "$dir/ext" 2>/dev/null || return 1
	chmod 644 "$dir/cert.pem"
	rm -f "$dir/req.pem" "$dir/ext"
}

peers_wait() {
	local end=$((SECONDS + ${3:-30}))
	while [ $SECONDS -lt "$end" ]; do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}

# Waits until something listens on 127.0.0.1:PORT.
peers_listening() {
	for _ in $(seq 1 300); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 1).recv(100)" \
			2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# Postfix's master.cf: the services a relay and local delivery need, no chroot.
pf_master_cf() {
	cat <<EOF
127.0.0.1:$1 inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
	[ -n "${PF_AUTH_PORT:-}" ] && cat <<EOF
127.0.0.1:$PF_AUTH_PORT inet n - n - - smtpd -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=yes -o smtpd_sasl_type=cyrus -o smtpd_sasl_path=smtpd
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject ${PF_AUTH_OPTS:-}
EOF
	return 0
}

pf_new() {
	local dir=$1 port=$2 name=$3
	shift 3
	getent passwd pfpeer >/dev/null || { peers_user pfpeer 42120; echo "pfpdrop:x:42121:" >>/etc/group; }
	mkdir -p "$dir/conf" "$dir/queue" "$dir/data" "$dir/meta" "$dir/mail"
	chmod 755 "$dir"
	chmod 1777 "$dir/mail"
	chown pfpeer:pfpeer "$dir/data"
	cp "$PF_ROOT/etc/postfix/postfix-files" "$PF_ROOT/usr/share/postfix/dynamicmaps.cf" "$dir/meta/"
	cat >"$dir/conf/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
daemon_directory = $PF_ROOT/usr/lib/postfix/sbin
command_directory = $PF_ROOT/usr/sbin
shlib_directory = $PF_ROOT/usr/lib/postfix
meta_directory = $dir/meta
mail_owner = pfpeer
setgid_group = pfpdrop
myhostname = $name
mydomain = example.test
mydestination = $name
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
mail_spool_directory = $dir/mail
biff = no
smtpd_banner = \$myhostname ESMTP
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
smtp_host_lookup = native
smtp_tls_loglevel = 1
smtpd_tls_loglevel = 1
import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C LD_LIBRARY_PATH=$PF_ROOT/usr/lib/postfix
EOF
	printf '%s\n' "$@" >>"$dir/conf/main.cf"
	pf_master_cf "$port" >"$dir/conf/master.cf"
	LD_LIBRARY_PATH=$PF_ROOT/usr/lib/postfix "$PF_ROOT/usr/sbin/postfix" -c "$dir/conf" \
		set-permissions >/dev/null 2>&1 || true
}

pf_sasl_user() {
	local dir=$1/conf/sasl
	# Debian's Postfix reads smtpd.conf from $config_directory/sasl
	mkdir -p "$dir" && chmod 755 "$dir"
	printf 'pwcheck_method: auxprop\nauxprop_plugin: sasldb\nsasldb_path: %s\nmech_list: PLAIN LOGIN\n' \
		"$dir/sasldb2" >"$dir/smtpd.conf"
	printf '%s' "$3" | saslpasswd2 -p -c -f "$dir/sasldb2" -u "$(sed -n 's/^myhostname = //p' "$1/conf/main.cf")" "$2" &&
		chown pfpeer "$dir/sasldb2" && chmod 600 "$dir/sasldb2"
}

pf_start() {
	local port
	port=$(sed -n '1s/^127\.0\.0\.1:\([0-9]*\) inet.*/\1/p' "$1/conf/master.cf")
	LD_LIBRARY_PATH=$PF_ROOT/usr/lib/postfix "$PF_ROOT/usr/sbin/postfix" -c "$1/conf" start \
		>"$1/start.log" 2>&1 || { sed 's/^/#   /' "$1/start.log" "$1/maillog" 2>/dev/null; return 1; }
	peers_listening "$port" || { sed 's/^/#   /' "$1/maillog" 2>/dev/null; return 1; }
}

pf_stop() {
	LD_LIBRARY_PATH=$PF_ROOT/usr/lib/postfix "$PF_ROOT/usr/sbin/postfix" -c "$1/conf" stop \
		>/dev/null 2>&1 || true
}

up_new() {
	local dir=$1 port=$2 name=$3
	shift 3
	mkdir -p "$dir/mqueue" "$dir/mail"
	chmod 755 "$dir"
	chmod 700 "$dir/mqueue"
	chmod 1777 "$dir/mail"
	: >"$dir/statistics"
	printf 'postmaster: root\n' >"$dir/aliases"
	# one file per message in mail/<user>/ (tests/helpers/test_local.c)
	cp "$PETREL_BUILDDIR/tests/helpers/test_local" "$dir/local.sh" || return 1
	chmod 755 "$dir/local.sh"
	{
		echo "divert(0)dnl"
		echo "OSTYPE(\`linux')dnl"
		echo "define(\`confDOMAIN_NAME', \`$name')dnl"
		echo "define(\`QUEUE_DIR', \`$dir/mqueue')dnl"
		echo "define(\`ALIAS_FILE', \`$dir/aliases')dnl"
		echo "define(\`confPID_FILE', \`$dir/sendmail.pid')dnl"
		echo "define(\`STATUS_FILE', \`$dir/statistics')dnl"
		echo "define(\`confDONT_PROBE_INTERFACES', \`True')dnl"
		echo "define(\`LOCAL_MAILER_PATH', \`$dir/local.sh')dnl"
		echo "define(\`LOCAL_MAILER_ARGS', \`local.sh \$u')dnl"
		echo "MODIFY_MAILER_FLAGS(\`LOCAL', \`-wf')dnl"
		echo "FEATURE(\`no_default_msa')dnl"
		echo "FEATURE(\`accept_unresolvable_domains')dnl"
		echo "LOCAL_DOMAIN(\`$name')dnl"
		echo "DAEMON_OPTIONS(\`Port=$port, Addr=127.0.0.1, Name=MTA')dnl"
		printf '%s\n' "$@"
		echo "MAILER(\`local')dnl"
		echo "MAILER(\`smtp')dnl"
	} >"$dir/sendmail.mc"
	oracle_m4 "$dir/sendmail.mc" >"$dir/sendmail.cf" || return 1
	"$ORACLE_SENDMAIL" -C "$dir/sendmail.cf" -bi >/dev/null 2>&1
}

up_start() {
	local port
	port=$(sed -n 's/^O DaemonPortOptions=Port=\([0-9]*\),.*/\1/p' "$1/sendmail.cf" | head -1)
	"$ORACLE_SENDMAIL" -C "$1/sendmail.cf" -bD >"$1/daemon.out" 2>&1 &
	echo $! >"$1/daemon.pid"
	PEERS_PIDS="$PEERS_PIDS $!"
	peers_listening "$port" || { sed 's/^/#   /' "$1/daemon.out"; return 1; }
}

up_msp() {
	local dir=$1 port=$2 bin=$3
	getent passwd smmsp >/dev/null || peers_user smmsp 42100
	mkdir -p "$dir/clientmqueue" "$dir/bin"
	chown smmsp:smmsp "$dir/clientmqueue" && chmod 0770 "$dir/clientmqueue"
	{
		echo "divert(0)dnl"
		echo "OSTYPE(\`linux')dnl"
		echo "define(\`confDOMAIN_NAME', \`mx.example.test')dnl"
		echo "define(\`MSP_QUEUE_DIR', \`$dir/clientmqueue')dnl"
		echo "define(\`RELAY_MAILER_ARGS', \`TCP \$h $port')dnl"
		echo "FEATURE(\`msp', \`[127.0.0.1]')dnl"
	} >"$dir/submit.mc"
	oracle_m4 "$dir/submit.mc" >"$dir/submit.cf" || return 1
	cp "$bin" "$dir/bin/sendmail"
	chown root:smmsp "$dir/bin/sendmail" && chmod 2555 "$dir/bin/sendmail"
}

up_stop() {
	[ -s "$1/daemon.pid" ] && kill "$(cat "$1/daemon.pid")" 2>/dev/null
	rm -f "$1/daemon.pid"
}

pair_env() {
	w=$(mktemp -d "/run/petrel-$1-XXXXXX")
	SB_ALL_DIRS="$SB_ALL_DIRS $w"
	chmod 755 "$w"
	peers_syslog "$w/syslog"
	printf '0.00 0.00 0.00 1/100 1\n' >"$w/loadavg"
	mount --bind "$w/loadavg" /proc/loadavg
	printf 'hosts\tfiles\naliases\tfiles\n' >"$w/service.switch"
	printf '127.0.0.1 mx.example.test localhost\n' >"$w/hosts"
	PAIR_LINES=("define(\`confSERVICE_SWITCH_FILE', \`$w/service.switch')dnl"
		"define(\`confHOSTS_FILE', \`$w/hosts')dnl" "MODIFY_MAILER_FLAGS(\`LOCAL', \`+w')dnl")
}

pair_users() {
	local uid=$1 u
	shift
	mkdir -p "$w/home" && chmod 755 "$w/home"
	for u in "$@"; do
		uid=$((uid + 1))
		mkdir -p "$w/home/$u"
		echo "$u:x:$uid:$uid::$w/home/$u:/bin/sh" >>/etc/passwd
		echo "$u:x:$uid:" >>/etc/group
		chown "$uid:$uid" "$w/home/$u"
		chmod 755 "$w/home/$u"
	done
}

pair_new() {
	upport=$(sb_free_port) ptport=$(sb_free_port)
	while [ "$ptport" = "$upport" ]; do ptport=$(sb_free_port); done
	up_new "$w/up" "$upport" mx.example.test "${PAIR_LINES[@]}" "$@" &&
		up_new "$w/pt" "$ptport" mx.example.test "${PAIR_LINES[@]}" "$@"
}

pair_aliases() {
	"$ORACLE_SENDMAIL" -C "$w/up/sendmail.cf" -bi >/dev/null 2>&1
	rm -f "$w/pt/aliases.db" && "$SENDMAIL" -C "$w/pt/sendmail.cf" -bi >/dev/null 2>&1
}

pair_start() {
	up_start "$w/up"
	ok $? "upstream's daemon runs"
	"$SENDMAIL" -C "$w/pt/sendmail.cf" -bD -L "$1" "${@:2}" >"$w/pt/daemon.out" 2>&1 &
	PEERS_PIDS="$PEERS_PIDS $!"
	peers_listening "$ptport"
	ok $? "Petrel's daemon runs on the same cf"
}

fake_peer() {
	local name=$1 addr=$2
	shift 2
	python3 "$PETREL_SRCDIR/tests/lib/fake_smtpd.py" --addr "$addr" --port 25 \
		--port-file "$w/$name.port" --log "$w/$name.log" --parallel "$@" &
	PEERS_PIDS="$PEERS_PIDS $!"
	eval "PEER_$name=$!"
	for _ in $(seq 1 300); do [ -s "$w/$name.port" ] && return 0; sleep 0.1; done
	return 1
}

peers_queue_env() {
	w=$(mktemp -d "/run/petrel-$1-XXXXXX")
	chmod 755 "$w"
	shift
	trap peers__queue_exit EXIT
	dns_record --host-record=mx.example.test,127.0.1.1
	dns_start example.test 127.in-addr.arpa "$@" || { skip "$DNS_WHY"; done_testing; }
	cp "$DNS_DIR/resolv.conf" /etc/resolv.conf
	peers_syslog "$w/syslog" || { skip "no private /dev"; done_testing; }
}

# At the exit of a peers_queue_env test.
peers__queue_exit() {
	for p in $PEERS_PIDS; do kill "$p" 2>/dev/null; done
	dns_stop
	[ -n "${PEERS_KEEP:-}" ] && cp -r "$w" "$PEERS_KEEP"
	rm -rf "$w"
}

queue_cf() {
	[ -e "$w/aliases" ] || : >"$w/aliases"
	: >"$w/statistics"
	cat >"$w/$1.mc" <<MC
divert(0)dnl
OSTYPE(\`linux')dnl
define(\`confDONT_PROBE_INTERFACES',\`True')dnl
define(\`confSTATUS_FILE',\`$w/statistics')dnl
define(\`QUEUE_DIR',\`$w/QUEUE')dnl
define(\`ALIAS_FILE',\`$w/aliases')dnl
define(\`confPID_FILE',\`$w/QUEUE.pid')dnl
${2:-}
define(\`confQUEUE_LA',\`999')dnl
define(\`confREFUSE_LA',\`999')dnl
FEATURE(\`no_default_msa')dnl
FEATURE(\`accept_unresolvable_domains')dnl
DAEMON_OPTIONS(\`Port=2525, Addr=127.0.0.1, Name=MTA')dnl
MAILER(\`local')dnl
MAILER(\`smtp')dnl
MC
	oracle_m4 "$w/$1.mc" >"$w/$1.cf"
}

queue_side() {
	sed "s#$w/QUEUE#$w/$2#g" "$w/$1.cf" >"$w/$2.cf"
	mkdir -p "$w/$2/.hoststat"
	chmod 700 "$w/$2" "$w/$2/.hoststat"
}

log_wait() {
	for _ in $(seq 1 1200); do
		[ "$(grep -c " $1\[[0-9]*\]: [^ ]*: to=$2, .*xdelay=" "$w/syslog")" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

log_to_line() {
	grep " $1\[[0-9]*\]: [^ ]*: to=$2, .*xdelay=" "$w/syslog" | sed -n "${3:-\$}p" |
		sed -e 's/^.*: to=/to=/' -e 's/delay=[^,]*, xdelay=[^,]*, //' -e 's/pri=[0-9]*, //'
}

hs_files() {
	local q=$1
	shift
	(cd "$w/$q/.hoststat" && find . -type f "$@" | sort | while read -r f; do
		echo "$f:"; grep -v '^U' "$f"
	done)
}

peers_send() {
	local out id n
	n=$(wc -l <"$SB/daemon.log")
	out=$(printf 'EHLO client.test\nMAIL FROM:<sender@pt.example.test>\nRCPT TO:<%s>\nDATA\nSubject: %s\n\nbody of %s\n.\nQUIT\n' \
		"$2" "$1" "$1" | python3 "$PETREL_SRCDIR/tests/lib/smtp_talk.py" 127.0.0.1 "${3:-$SB_PORT}")
	id=$(printf '%s\n' "$out" | sed -n 's/^S: 250 2.0.0 \([0-9A-Za-z]*\) Message accepted.*/\1/p')
	[ -n "$id" ] || { printf '%s\n' "$out" | sed 's/^/#   /' >&2; return 1; }
	peers_wait "$SB/daemon.log" "^$id: to=.*stat=" 30
	tail -n "+$((n + 1))" "$SB/daemon.log"
}

peers_relayed_in() {
	local who=$1 helo=$2 mech=$3 msg
	sb_wait_mail victim 1
	like "$(cat "$SB/daemon.log")" "STARTTLS=server, relay=localhost \[127.0.0.1\], version=TLSv1.[23], verify=OK, cipher=" \
		"Petrel logs the STARTTLS session with $who's client certificate verified"
	like "$(cat "$SB/daemon.log")" "AUTH=server, relay=localhost \[127.0.0.1\], authid=carol@petrel.test, mech=$mech, bits=0" \
		"$who's client authenticates to Petrel (AUTH=server)"
	msg=$(cat "$SB_MAIL"/victim/msg.* 2>/dev/null)
	like "$msg" "Received: from $helo \(localhost \[127.0.0.1\]\)
	\(authenticated bits=0\)
	by mx.example.test \([^)]*\) with ESMTPSA id [0-9A-Za-z]+
	\(version=TLSv1.[23] cipher=[A-Z0-9_-]+ bits=[0-9]+ verify=OK\)" \
		"Petrel's Received header: authenticated, ESMTPSA, $who's certificate verified"
}
