#!/usr/bin/env bash
# e2e/milter_fail: filters that fail, each behind a daemon of its own
# (DaemonPortOptions InputMailFilters=) with its F= flag, on UNIX, IPv6 and
# IPv4 sockets: one that sleeps past its T=R timeout at end of message, one
# that dies in the middle of a message (closing its socket), and then is
# not running at all.  F=T fails the message and later commands for now,
# F=R refuses them (a 554 greeting when the filter cannot be reached), no
# flag goes on without the filter.  A filter that works past T=R but sends
# progress keeps its message; T=E bounds the whole end of message all the
# same.  The session goes on in every case, and every message that got a
# 250 is delivered: none is lost, none is left half-written in the queue.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"
FILTER=$PETREL_BUILDDIR/tests/tools/test_milter_filter
[ -x "$FILTER" ] || { ok 1 "the test filter $FILTER is built"; done_testing; }

base=/run
[ "$(id -u)" -eq 0 ] || base=${TMPDIR:-/tmp}
SOCKS=$(mktemp -d "$base/petrel-milter-XXXXXX")
chmod 755 "$SOCKS"
declare -A FPID PORT SOCKET
# fT and fR on UNIX sockets, fN over IPv6 and fE over IPv4 on loopback
SOCKET=([fT]="unix:$SOCKS/fT.sock" [fR]="unix:$SOCKS/fR.sock"
	[fN]="inet6:$(sb_free_port)@::1" [fE]="inet:$(sb_free_port)@127.0.0.1")
trap 'kill "${FPID[@]}" 2>/dev/null; sb_cleanup; rm -rf "$SOCKS"' EXIT

# start_filter NAME: the test filter on its socket, ${SOCKET[NAME]}; waits until it listens.
start_filter() {
	local sock=${SOCKET[$1]} hp
	"$FILTER" -p "$sock" -l "$SOCKS/$1.log" &
	FPID[$1]=$!
	for _ in $(seq 1 100); do
		case $sock in
		unix:*) [ -S "${sock#unix:}" ] && return 0 ;;
		*) hp=${sock#*:}
			python3 -c "import socket, sys; socket.create_connection(('${hp#*@}', ${hp%@*}), 1)" \
				2>/dev/null && return 0 ;;
		esac
		sleep 0.05
	done
	return 1
}

mc=("MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl" "FEATURE(\`accept_unresolvable_domains')dnl")
for f in T R N; do
	PORT[$f]=$(sb_free_port)
	flag="F=$f, "
	[ $f = N ] && flag=
	mc+=("MAIL_FILTER(\`f$f', \`S=${SOCKET[f$f]}, ${flag}T=R:1s')dnl")
	mc+=("DAEMON_OPTIONS(\`Port=${PORT[$f]}, Addr=127.0.0.1, Name=MTA-$f, InputMailFilters=f$f')dnl")
done
PORT[E]=$(sb_free_port)
mc+=("MAIL_FILTER(\`fE', \`S=${SOCKET[fE]}, F=T, T=R:1s;E:3s')dnl")
mc+=("DAEMON_OPTIONS(\`Port=${PORT[E]}, Addr=127.0.0.1, Name=MTA-E, InputMailFilters=fE')dnl")
sb_new "${mc[@]}"
ok $? "a sandbox with four daemons, each with a filter of its own, compiles"
start_filter fT && start_filter fR && start_filter fN && start_filter fE
ok $? "the filters listen"
sb_start
for f in T R N E; do
	for _ in $(seq 1 50); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1', ${PORT[$f]}), 1)" 2>/dev/null && break
		sleep 0.1
	done
done
ok $? "the daemon listens on its ports"

# message USER SUBJECT [HEADER]: the lines of one transaction
message() {
	printf 'MAIL From:<sender@example.org>\nRCPT To:<%s@localhost>\nDATA\nSubject: %s\n%s\nX-Mods: addheader\n\nbody of %s\n.\n' \
		"$1" "$2" "${3:-X-Plain: yes}" "$2"
}

# session FLAG: talks to that flag's daemon; keeps a copy of the transcript in $SOCKS/session.*.
session() {
	$TALK 127.0.0.1 "${PORT[$1]}" | tee "$SOCKS/session.$BASHPID.$RANDOM"
}

# --- a filter that sleeps past T=R at end of message --------------------------
for f in T R N; do
	out=$({ echo "EHLO client.example"; message "u${f,,}" "before"; message "u${f,,}" "sleeper" "X-Sleep: 3";
		message "u${f,,}" "after"; echo QUIT; } | session $f)
	printf '%s\n' "$out" >"$SOCKS/sleep-$f.out"
	like "$out" "Subject: before.*S: 250 2.0.0 .* Message accepted" "F=$f: a message before the sleep is accepted"
	case $f in
	T)
		like "$out" "Subject: sleeper.*C: \\..S: 451 4.3.2 Please try again later" "F=T: the filter's timeout fails the message for now"
		like "$out" "Subject: sleeper.*C: MAIL From:<sender@example.org>.S: 451 4.3.2 Please try again later" \
			"F=T: and the next MAIL of the session"
		;;
	R)
		like "$out" "Subject: sleeper.*C: \\..S: 554 5.7.1 Command rejected" "F=R: the filter's timeout refuses the message"
		like "$out" "Subject: sleeper.*C: MAIL From:<sender@example.org>.S: 550 5.7.1 <sender@example.org>... Command rejected" \
			"F=R: and the next MAIL of the session"
		;;
	N)
		like "$out" "Subject: sleeper.*C: \\..S: 250 2.0.0 .* Message accepted" "no F=: the message is accepted without the filter"
		like "$out" "Subject: after.*C: \\..S: 250 2.0.0 .* Message accepted" "no F=: and so is the next one"
		;;
	esac
	like "$out" "C: QUIT.S: 221 " "F=$f: the session goes on to QUIT"
done
like "$(cat "$SB/daemon.log")" "Milter \(fT\): timeout before data read" "the timeout is logged"
like "$(cat "$SB/daemon.log")" "Milter \(fT\): to error state" "with the filter's new state"
sb_wait_mail un 3
ok $? "no F=: all three messages are delivered"
ok "$([[ $(cat "$SB_MAIL"/un/msg.* | grep -c '^X-Added') == 1 ]]; echo $?)" \
	"only the message before the timeout has the filter's change"

# --- progress: past T=R while saying so; T=E bounds it -------------------------
out=$({ echo "EHLO client.example"; message pt "slow" "X-Slow: 3"; echo QUIT; } | session T)
like "$out" "Subject: slow.*C: \\..S: 250 2.0.0 .* Message accepted" \
	"a filter that works 3 s at end of message with progress every 0.25 s outlasts T=R:1s"
sb_wait_mail pt 1
ok $? "its message is delivered"
like "$(cat "$SB_MAIL"/pt/msg.* 2>/dev/null)" "X-Added: by the filter" "with the slow filter's change"
out=$({ echo "EHLO client.example"; message et "slower" "X-Slow: 8"; echo QUIT; } | session E)
like "$out" "Subject: slower.*C: \\..S: 451 4.3.2 Please try again later" \
	"T=E:3s ends the end of message all the same, progress or not (F=T: 451)"
like "$out" "C: QUIT.S: 221 " "and the session goes on to QUIT"
like "$(cat "$SB/daemon.log")" "Milter \(fE\): timeout" "the end-of-message timeout is logged"

# --- a filter that dies in the middle of a message ---------------------------
for f in T R N; do
	out=$({ echo "EHLO client.example"; message "c${f,,}" "crash" "X-Crash: yes"; echo QUIT; } | session $f)
	case $f in
	T) like "$out" "C: \\..S: 451 4.3.2 Please try again later" "F=T: a filter that dies mid-message fails it for now" ;;
	R) like "$out" "C: \\..S: 554 5.7.1 Command rejected" "F=R: a filter that dies mid-message refuses it" ;;
	N) like "$out" "C: \\..S: 250 2.0.0 .* Message accepted" "no F=: the message is accepted without the filter" ;;
	esac
	wait "${FPID[f$f]}" 2>/dev/null
	is $? 3 "F=$f: (the filter process has exited)"
done
like "$(cat "$SB/daemon.log")" "Milter \(fR\): (socket closed|read)" "the closed socket is logged"

# --- a filter that is not running ---------------------------------------------
for f in T R N; do
	out=$({ echo "EHLO client.example"; message "n${f,,}" "unreachable"; echo QUIT; } | session $f)
	case $f in
	T)
		like "$out" "^S: 220 " "F=T: an unreachable filter: the usual greeting"
		like "$out" "C: MAIL From:<sender@example.org>.S: 451 4.3.2 Please try again later" "F=T: MAIL fails for now"
		;;
	R)
		like "$out" "^S: 554 [^ ]+ ESMTP not accepting messages" "F=R: an unreachable filter: a 554 greeting"
		like "$out" "S: 250 ENHANCEDSTATUSCODES.C: MAIL" "F=R: EHLO is answered, with ENHANCEDSTATUSCODES only"
		like "$out" "C: MAIL From:<sender@example.org>.S: 550 5.0.0 Command rejected" "F=R: MAIL is refused"
		;;
	N)
		like "$out" "C: \\..S: 250 2.0.0 .* Message accepted" "no F=: an unreachable filter is left out"
		;;
	esac
done
like "$(cat "$SB/daemon.log")" "Milter \(fT\): error connecting to filter" "the unreachable filter is logged"

# --- nothing accepted is lost ---------------------------------------------------
accepted=$(cat "$SOCKS"/session.* | grep -c 'S: 250 2.0.0 .* Message accepted')
is "$accepted" 8 "eight messages got a 250 (before the sleeps, all with no F=, the slow one)"
for _ in $(seq 1 100); do
	[ "$(cat "$SB_MAIL"/*/msg.* 2>/dev/null | grep -c '^Subject: ')" -ge "$accepted" ] && break
	sleep 0.1
done
is "$(cat "$SB_MAIL"/*/msg.* 2>/dev/null | grep -c '^Subject: ')" "$accepted" \
	"every message that got a 250 ($accepted) is delivered"
is "$(ls "$SB/mqueue" | grep -c '^[qdth]f')" 0 "and the queue holds nothing half-written"
done_testing
