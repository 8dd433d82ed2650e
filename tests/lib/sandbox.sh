# sandbox.sh: a private Petrel installation for end-to-end tests.
#
# Sourced by test scripts (after tap.sh).  sb_new makes a folder (in /run
# when root, because sendmail refuses files under world-writable folders such
# as /tmp) with its own queue, mailboxes, aliases and a sendmail.cf compiled
# by Petrel's m4 package from an .mc the test gives.  sb_start runs the
# daemon on a free loopback port; sb_stop ends it.  Everything is removed at
# exit.
#
#   sb_new [MC-LINES]     extra .mc lines (before the MAILER lines)
#   sb_start              daemon on 127.0.0.1:$SB_PORT (foreground mode, backgrounded);
#                         when tests/lib/dns.sh's server runs (DNS_DIR set), the
#                         daemon's resolver asks it and nothing else (dns_run)
#   sb_stop
#   sb_sendmail ARGS...   runs Petrel's sendmail -C $SB/sendmail.cf ARGS
#   sb_wait_mail USER N   waits up to 15 s for N messages in USER's mailbox
#   sb_count USER         messages in USER's mailbox (mail/USER/msg.*, one file each)
#   sb_private_dns [ZONE...]
#                         a private dnsmasq (tests/lib/dns.sh) authoritative for
#                         example.test, remote.test, 127.in-addr.arpa and the
#                         ZONEs, so that the daemons started after it never ask
#                         the machine's resolver; returns 1 (say why with
#                         skip "$DNS_WHY") when it cannot run
#   sb_save NAME, sb_load NAME
#                         keep several sandboxes in one test: save the current
#                         one's variables under NAME, make it current again
# Variables: SB (the folder), SB_PORT, SB_CF, SB_MAIL (mailboxes).
# Options, set before sb_new:
#   SB_TLS=1              STARTTLS: a certificate for $SB_TLS_NAME (default
#                         localhost) signed by a test CA shared by every
#                         sandbox of the test, in $SB/tls (ca.pem, cert.pem,
#                         key.pem), used as server and client certificate
#   SB_TLS_NAME           the certificate's name
#   SB_SASL=1             SMTP AUTH: $SB/sasl/Sendmail.conf with a private sasldb
#                         ($SB/sasl/sasldb2; PLAIN, LOGIN, CRAM-MD5, EXTERNAL) that the daemon
#                         finds through SASL_CONF_PATH; AuthRealm petrel.test;
#                         sb_sasl_user USER PASSWORD adds a user
#   SB_AUTHINFO=1         FEATURE(authinfo) on $SB/authinfo (empty at first);
#                         sb_authinfo LINES... rewrites and rebuilds it (mode 0600)
#   SB_ACCESS=1           FEATURE(access_db) on $SB/access (empty at first);
#                         sb_access LINES... rewrites and rebuilds it
SB=
SB_PORT=
SB_PID=
SB_CA=
SB_ALL_DIRS=
SB_ALL_PIDS=
SB_FAKE_PID=

sb_cleanup() {
	local p d
	sb_stop
	for p in $SB_ALL_PIDS; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	if declare -F dns_stop >/dev/null; then dns_stop; fi
	[ -n "${PETREL_KEEP:-}" ] && return
	for d in $SB_ALL_DIRS $SB_CA; do
		rm -rf "$d"
	done
}
trap sb_cleanup EXIT

sb_private_dns() {
	. "$PETREL_SRCDIR/tests/lib/dns.sh"
	dns_start example.test remote.test 127.in-addr.arpa "$@"
}

sb_save() {
	eval "SB_STATE_$1=\"\$SB|\$SB_PORT|\$SB_PID|\$SB_CF|\$SB_MAIL\""
}

sb_load() {
	local st
	eval "st=\$SB_STATE_$1"
	IFS='|' read -r SB SB_PORT SB_PID SB_CF SB_MAIL <<<"$st"
}

# The folder under which sandboxes live.
sb_base() {
	if [ "$(id -u)" -eq 0 ]; then echo /run; else echo "${TMPDIR:-/tmp}"; fi
}

# Makes the test CA once (ca.pem, ca.key in $SB_CA).
sb_tls_ca() {
	[ -n "$SB_CA" ] && return 0
	SB_CA=$(mktemp -d "$(sb_base)/petrel-ca-XXXXXX")
	chmod 755 "$SB_CA"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$SB_CA/ca.key" -out "$SB_CA/ca.pem" -days 3 \
		-subj "/O=Petrel tests/CN=Petrel Test CA" 2>/dev/null
}

# Makes $SB/tls: the CA, a certificate for NAME signed by it, its key (0600).
sb_tls_cert() {
	local name=$1 dir=$SB/tls
	sb_tls_ca || return 1
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

# The .mc lines of SB_TLS.
sb_tls_mc() {
	local d=$SB/tls
	echo "define(\`confCACERT_PATH', \`$d')dnl"
	echo "define(\`confCACERT', \`$d/ca.pem')dnl"
	echo "define(\`confSERVER_CERT', \`$d/cert.pem')dnl"
	echo "define(\`confSERVER_KEY', \`$d/key.pem')dnl"
	echo "define(\`confCLIENT_CERT', \`$d/cert.pem')dnl"
	echo "define(\`confCLIENT_KEY', \`$d/key.pem')dnl"
}

# A free TCP port on 127.0.0.1.
sb_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

sb_new() {
	SB=$(mktemp -d "$(sb_base)/petrel-sb-XXXXXX")
	SB_ALL_DIRS="$SB_ALL_DIRS $SB"
	chmod 755 "$SB"
	if [ -n "${SB_TLS:-}" ]; then
		sb_tls_cert "${SB_TLS_NAME:-localhost}" || return 1
	fi
	mkdir -p "$SB/mqueue" "$SB/mail"
	chmod 700 "$SB/mqueue"
	SB_MAIL=$SB/mail
	SB_PORT=$(sb_free_port)
	SB_CF=$SB/sendmail.cf
	# the local mailer of the tests: each message in a file of its own,
	# mail/<user>/msg.*, so that tests can count and read them
	# (tests/helpers/test_local.c, which finds mail/ next to itself)
	cp "$PETREL_BUILDDIR/tests/helpers/test_local" "$SB/local.sh" || return 1
	chmod 755 "$SB/local.sh"
	printf 'postmaster: root\nroot: rootbox\n' >"$SB/aliases"
	{
		echo "divert(-1)"
		echo "# test sandbox configuration"
		echo "divert(0)dnl"
		echo "OSTYPE(\`linux')dnl"
		echo "define(\`QUEUE_DIR', \`$SB/mqueue')dnl"
		echo "define(\`ALIAS_FILE', \`$SB/aliases')dnl"
		echo "define(\`confPID_FILE', \`$SB/sendmail.pid')dnl"
		echo "define(\`confDONT_PROBE_INTERFACES', \`True')dnl"
		echo "define(\`LOCAL_MAILER_PATH', \`$SB/local.sh')dnl"
		echo "define(\`LOCAL_MAILER_ARGS', \`local.sh \$u')dnl"
		echo "FEATURE(\`no_default_msa')dnl"
		# the machine's load (other test suites) must not refuse or hold mail:
		# RefuseLA and QueueLA (on by default, as upstream) are off here
		echo "define(\`confREFUSE_LA', \`0')dnl"
		echo "define(\`confQUEUE_LA', \`0')dnl"
		echo "DAEMON_OPTIONS(\`Port=$SB_PORT, Addr=127.0.0.1, Name=MTA')dnl"
		[ -n "${SB_TLS:-}" ] && sb_tls_mc
		[ -n "${SB_SASL:-}" ] && echo "define(\`confAUTH_REALM', \`petrel.test')dnl"
		[ -n "${SB_AUTHINFO:-}" ] &&
			echo "FEATURE(\`authinfo', \`hash -o $SB/authinfo')dnl"
		[ -n "${SB_ACCESS:-}" ] &&
			echo "FEATURE(\`access_db', \`hash -T<TMPF> -o $SB/access')dnl"
		printf '%s\n' "$@"
		echo "MAILER(\`local')dnl"
		echo "MAILER(\`smtp')dnl"
	} >"$SB/sendmail.mc"
	m4 "$PETREL_SRCDIR/cf/m4/cf.m4" "$SB/sendmail.mc" >"$SB_CF" || return 1
	if [ -n "${SB_ACCESS:-}" ]; then sb_access; fi
	if [ -n "${SB_AUTHINFO:-}" ]; then sb_authinfo; fi
	if [ -n "${SB_SASL:-}" ]; then
		mkdir -p "$SB/sasl" && chmod 755 "$SB/sasl"
		printf 'pwcheck_method: auxprop\nauxprop_plugin: sasldb\nsasldb_path: %s\nmech_list: PLAIN LOGIN CRAM-MD5 EXTERNAL\n' \
			"$SB/sasl/sasldb2" >"$SB/sasl/Sendmail.conf"
	fi
	sb_sendmail -bi >/dev/null
}

sb_access() {
	printf '%s\n' "$@" >"$SB/access"
	"$PETREL_BUILDDIR/makemap/makemap" hash "$SB/access" <"$SB/access"
}

sb_authinfo() {
	(umask 077 && printf '%s\n' "$@" >"$SB/authinfo" &&
		"$PETREL_BUILDDIR/makemap/makemap" hash "$SB/authinfo" <"$SB/authinfo")
}

sb_sasl_user() {
	printf '%s' "$2" | saslpasswd2 -p -c -f "$SB/sasl/sasldb2" -u petrel.test "$1" &&
		chmod 600 "$SB/sasl/sasldb2"
}

sb_sendmail() {
	"$SENDMAIL" -C "$SB_CF" "$@"
}

sb_start() {
	if [ -d "$SB/sasl" ]; then export SASL_CONF_PATH=$SB/sasl; else unset SASL_CONF_PATH; fi
	if [ -n "${DNS_DIR:-}" ]; then
		# as dns_run does, but with no shell function between: $! is the daemon
		unshare -m -- sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' \
			"$DNS_DIR/resolv.conf" "$SENDMAIL" -C "$SB_CF" -bD -L petrel-test "$@" \
			>>"$SB/daemon.log" 2>&1 &
	else
		"$SENDMAIL" -C "$SB_CF" -bD -L petrel-test "$@" >>"$SB/daemon.log" 2>&1 &
	fi
	SB_PID=$!
	SB_ALL_PIDS="$SB_ALL_PIDS $SB_PID"
	for _ in $(seq 1 100); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1', $SB_PORT), 1)" \
			2>/dev/null && return 0
		sleep 0.1
	done
	echo "# the daemon did not start:"; sed 's/^/#   /' "$SB/daemon.log"
	return 1
}

sb_stop() {
	if [ -n "$SB_PID" ]; then
		kill "$SB_PID" 2>/dev/null
		wait "$SB_PID" 2>/dev/null
		SB_PID=
	fi
}

# sb_fake PORT ARGS...: (re)starts the scripted SMTP server
# (tests/lib/fake_smtpd.py) on 127.0.0.1:PORT with ARGS, logging to
# $SB/fake.log; sb_cleanup stops it.  Fails if it does not come up.
sb_fake() {
	local port=$1
	shift
	sb_fake_stop
	rm -f "$SB/fake.port" "$SB/fake.log"
	python3 "$PETREL_SRCDIR/tests/lib/fake_smtpd.py" --port "$port" --port-file "$SB/fake.port" \
		--log "$SB/fake.log" "$@" &
	SB_FAKE_PID=$!
	SB_ALL_PIDS="$SB_ALL_PIDS $SB_FAKE_PID"
	for _ in $(seq 1 50); do [ -s "$SB/fake.port" ] && return 0; sleep 0.1; done
	return 1
}

sb_fake_stop() {
	if [ -n "$SB_FAKE_PID" ]; then
		kill "$SB_FAKE_PID" 2>/dev/null
		wait "$SB_FAKE_PID" 2>/dev/null
		SB_FAKE_PID=
	fi
}

# sb_relay_one SUBJECT [PORT]: sends one message for victim@remote.test into
# the daemon (on PORT, default $SB_PORT); once its to= line has a stat=,
# prints the daemon's log lines written since it was sent (STARTTLS= and
# AUTH= lines carry no queue id, so they are not filtered by it).
sb_relay_one() {
	local out id n
	n=$(wc -l <"$SB/daemon.log")
	out=$(printf 'HELO client.test\nMAIL FROM:<a@localhost>\nRCPT TO:<victim@remote.test>\nDATA\nSubject: %s\n\nbody of %s\n.\nQUIT\n' \
		"$1" "$1" | python3 "$PETREL_SRCDIR/tests/lib/smtp_talk.py" 127.0.0.1 "${2:-$SB_PORT}")
	id=$(printf '%s\n' "$out" | sed -n 's/^S: 250 2.0.0 \([0-9A-Za-z]*\) Message accepted.*/\1/p')
	for _ in $(seq 1 100); do
		grep -q "^$id: to=.*stat=" "$SB/daemon.log" && break
		sleep 0.1
	done
	tail -n "+$((n + 1))" "$SB/daemon.log"
}

sb_count() {
	ls "$SB_MAIL/$1" 2>/dev/null | grep -c '^msg\.'
}

sb_wait_mail() {
	for _ in $(seq 1 150); do
		[ "$(sb_count "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
