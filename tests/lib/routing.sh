# routing.sh: helpers of the routing tests (tests/e2e/routing_*.t): scripted
# SMTP peers on 127.0.0.x addresses and messages sent through a sandbox.
#
# Sourced after tap.sh and sandbox.sh.
#
#   rt_dns ZONE...        the private dnsmasq (tests/lib/dns.sh; records added
#                         before with dns_record) for the zones, localhost's
#                         and 127.in-addr.arpa; sb_start's daemons use it.
#                         Returns 1 when it cannot run (skip "$DNS_WHY")
#   rt_mailer_args PORT   sets the array RT_MC to .mc lines making every SMTP
#                         mailer (smtp, esmtp, smtp8, dsmtp, relay) connect to
#                         PORT (A=TCP $h PORT): sb_new "${RT_MC[@]}" ...
#   rt_peer NAME ADDR PORT [ARGS...]
#                         starts tests/lib/fake_smtpd.py on ADDR:PORT, logging
#                         to $RT_DIR/NAME.log (ARGS go to fake_smtpd.py); it
#                         serves connections in parallel, since delivery
#                         processes keep theirs open (ConnectionCacheSize)
#   rt_peer_stop NAME     stops it
#   rt_log NAME           what the peer NAME received (empty if nothing)
#   rt_send FROM RCPT,... [HEADERS]
#                         one message through the current sandbox's daemon over
#                         SMTP (from 127.0.0.1); sets RT_OUT to the transcript
#                         and RT_ID to the queue id it was accepted under
#   rt_wait_stat [N]      waits until RT_ID has N (default 1) log lines with
#                         stat=; prints RT_ID's log lines
. "$PETREL_SRCDIR/tests/lib/dns.sh"
# in sandbox.sh's base folder: maps under /tmp (world writable) are refused
RT_DIR=$(mktemp -d "$(sb_base)/petrel-rt-XXXXXX")
chmod 755 "$RT_DIR"
RT_PIDS=
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"

rt_cleanup() {
	local p
	for p in $RT_PIDS; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	[ -n "${PETREL_KEEP:-}" ] || rm -rf "$RT_DIR"
	sb_cleanup
}
trap rt_cleanup EXIT

rt_dns() {
	dns_start example.test 127.in-addr.arpa "$@"
}

rt_mailer_args() {
	local m
	RT_MC=()
	for m in SMTP ESMTP SMTP8 DSMTP RELAY; do
		RT_MC+=("define(\`${m}_MAILER_ARGS', \`TCP \$h $1')dnl")
	done
}

rt_peer() {
	local name=$1 addr=$2 port=$3 pid
	shift 3
	rm -f "$RT_DIR/$name.port" "$RT_DIR/$name.log"
	: >"$RT_DIR/$name.log"
	python3 "$PETREL_SRCDIR/tests/lib/fake_smtpd.py" --addr "$addr" --port "$port" \
		--port-file "$RT_DIR/$name.port" --log "$RT_DIR/$name.log" --parallel "$@" &
	pid=$!
	eval "RT_PID_$name=$pid"
	RT_PIDS="$RT_PIDS $pid"
	for _ in $(seq 1 100); do [ -s "$RT_DIR/$name.port" ] && return 0; sleep 0.1; done
	return 1
}

rt_peer_stop() {
	local pid
	eval "pid=\${RT_PID_$1:-}"
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	eval "RT_PID_$1="
}

rt_log() {
	cat "$RT_DIR/$1.log" 2>/dev/null
}

rt_send() {
	local from=$1 rcpts=$2 hdrs=${3:-} script r
	script="EHLO client.test"$'\n'"MAIL FROM:<$from>"$'\n'
	for r in ${rcpts//,/ }; do script+="RCPT TO:<$r>"$'\n'; done
	script+="DATA"$'\n'
	[ -n "$hdrs" ] && script+="$hdrs"$'\n'
	script+="Subject: routing test"$'\n\n'"body line"$'\n'"."$'\n'"QUIT"$'\n'
	RT_OUT=$(printf '%s' "$script" | $TALK 127.0.0.1 "$SB_PORT")
	RT_ID=$(printf '%s\n' "$RT_OUT" | sed -n 's/^S: 250 2.0.0 \([0-9A-Za-z]*\) Message accepted.*/\1/p')
}

rt_wait_stat() {
	local n=${1:-1}
	[ -n "$RT_ID" ] || return 1
	for _ in $(seq 1 300); do
		[ -n "$RT_ID" ] && [ "$(grep -c "^$RT_ID: .*stat=" "$SB/daemon.log")" -ge "$n" ] && break
		sleep 0.1
	done
	grep "^$RT_ID: " "$SB/daemon.log"
}
