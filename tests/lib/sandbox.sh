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
#   sb_start              daemon on 127.0.0.1:$SB_PORT (foreground mode, backgrounded)
#   sb_stop
#   sb_sendmail ARGS...   runs Petrel's sendmail -C $SB/sendmail.cf ARGS
#   sb_wait_mail USER N   waits up to 15 s for N messages in USER's mailbox
#   sb_count USER         messages in USER's mailbox (mail/USER/msg.*, one file each)
# Variables: SB (the folder), SB_PORT, SB_CF, SB_MAIL (mailboxes).
SB=
SB_PORT=
SB_PID=

sb_cleanup() {
	sb_stop
	[ -n "$SB" ] && [ -z "${PETREL_KEEP:-}" ] && rm -rf "$SB"
}
trap sb_cleanup EXIT

# A free TCP port on 127.0.0.1.
sb_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

sb_new() {
	local base=/run
	[ "$(id -u)" -eq 0 ] || base=${TMPDIR:-/tmp}
	SB=$(mktemp -d "$base/petrel-sb-XXXXXX")
	chmod 755 "$SB"
	mkdir -p "$SB/mqueue" "$SB/mail"
	chmod 700 "$SB/mqueue"
	SB_MAIL=$SB/mail
	SB_PORT=$(sb_free_port)
	SB_CF=$SB/sendmail.cf
	# the local mailer of the tests: each message in a file of its own,
	# mail/<user>/<n>, so that tests can count and read them
	cat >"$SB/local.sh" <<SH
#!/bin/sh
# test local mailer: \$1 is the user; the message is on standard input
case "\$1" in */*|.*|'') exit 67;; esac
mkdir -p "$SB/mail/\$1" || exit 73
f=\$(mktemp "$SB/mail/\$1/msg.XXXXXX") || exit 75
cat > "\$f" || exit 74
SH
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
		echo "DAEMON_OPTIONS(\`Port=$SB_PORT, Addr=127.0.0.1, Name=MTA')dnl"
		printf '%s\n' "$@"
		echo "MAILER(\`local')dnl"
		echo "MAILER(\`smtp')dnl"
	} >"$SB/sendmail.mc"
	m4 "$PETREL_SRCDIR/cf/m4/cf.m4" "$SB/sendmail.mc" >"$SB_CF" || return 1
	sb_sendmail -bi >/dev/null
}

sb_sendmail() {
	"$SENDMAIL" -C "$SB_CF" "$@"
}

sb_start() {
	"$SENDMAIL" -C "$SB_CF" -bD -L petrel-test "$@" >>"$SB/daemon.log" 2>&1 &
	SB_PID=$!
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
