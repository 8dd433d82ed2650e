#!/usr/bin/env bash
# service: Petrel run as a service.  The systemd units pass
# `systemd-analyze verify` (when it is installed) and say what they must
# (-bD, reload by SIGHUP, the client queue runner with its pid file).  The
# SysV init script, pointed at a sandbox: status before start (3), start (the
# daemon answers SMTP, the client queue runner runs as smmsp and delivers
# what waited in the client queue), status (0), reload (the daemon serves
# the changed configuration), restart (a new daemon), stop (both gone,
# status 3 again).
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/msp.sh"
msp_enter "$0" "$@"

INIT=$PETREL_BUILDDIR/etc/init.d/sendmail
UNITS=$PETREL_BUILDDIR/etc
sb_new "FEATURE(\`accept_unresolvable_domains')dnl" || { echo "not ok - sandbox"; exit 1; }
msp_new || { echo "not ok - submission setup"; exit 1; }
export SENDMAIL=$MSP_BIN MTA_CF=$SB_CF MSP_CF=$MSP_MAILDIR/submit.cf QUEUE_INTERVAL=30m \
	MSP_INTERVAL=1s DEFAULTS=/nonexistent
trap 'sh "$INIT" stop >/dev/null 2>&1; sb_cleanup' EXIT
MSP_PIDFILE=$MSP_QUEUE/sm-client.pid

# The systemd units.
unit_exec() { sed -n "s/^$2=//p" "$UNITS/$1"; }
like "$(unit_exec sendmail.service ExecStart)" "/sendmail -L sm-mta -bD -q30m$" \
	"sendmail.service runs the daemon in the foreground (-bD) with queue runs"
is "$(unit_exec sendmail.service Type)" "simple" "as a simple service"
is "$(unit_exec sendmail.service ExecReload)" '/bin/kill -HUP $MAINPID' "reload sends SIGHUP"
like "$(unit_exec sm-client.service ExecStart)" "/sendmail -L sm-msp-queue -Ac -q30m$" \
	"sm-client.service runs the client queue"
like "$(unit_exec sm-client.service PIDFile)" "/clientmqueue/sm-client.pid$" \
	"and finds it by submit.cf's PidFile"
if command -v systemd-analyze >/dev/null; then
	for u in sendmail.service sm-client.service; do
		sed "s|^\(Exec[A-Za-z]*=\)[^ ]*/sendmail |\1$SENDMAIL |" "$UNITS/$u" >"$SB/$u"
	done
	out=$(cd "$SB" && systemd-analyze verify ./sendmail.service ./sm-client.service 2>&1)
	is "$?/$out" "0/" "systemd-analyze verify accepts both units"
else
	skip "systemd-analyze is not installed"
fi

# The init script.
out=$(sh "$INIT" status); rc=$?
is "$rc/$out" "3/sendmail: the MTA is not running" "status before start: 3, not running"
printf 'Subject: waited\n\nbody\n' | as_user user1 "$MSP_BIN" user2
is "$(ls "$MSP_QUEUE" | grep -c '^qf')" 1 "a submission made meanwhile waits in the client queue"
out=$(sh "$INIT" start); rc=$?
is "$rc" 0 "start exits 0"
like "$out" "the MTA started \(pid [0-9]+\)" "and says the MTA started"
like "$out" "the client queue runner started \(pid [0-9]+\)" "and the client queue runner"
pid=$(head -1 "$SB/sendmail.pid" 2>/dev/null)
ok "$(kill -0 "$pid" 2>/dev/null; echo $?)" "the PidFile names the running daemon"
greeting() {
	python3 -c 'import socket,sys; s=socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5); print(s.recv(512).decode().strip()); s.send(b"QUIT\r\n")' "$SB_PORT" 2>&1
}
like "$(greeting)" "^220 " "the daemon answers SMTP"
mpid=$(head -1 "$MSP_PIDFILE" 2>/dev/null)
is "$(awk '/^Uid:/ {print $2}' "/proc/$mpid/status" 2>/dev/null)" "$MSP_UID" \
	"the client queue runner runs as smmsp (RunAsUser)"
sb_wait_mail user2 1; ok $? "it delivered the waiting message"
out=$(sh "$INIT" status); rc=$?
like "$rc/$out" "^0/sendmail: the MTA is running \(pid $pid\)" "status: 0, running, with the pid"
like "$out" "client queue runner is running" "and the runner too"

sed -i 's/^O SmtpGreetingMessage=.*/O SmtpGreetingMessage=$j reloaded greeting/' "$SB_CF"
grep -q '^O SmtpGreetingMessage=' "$SB_CF" || echo 'O SmtpGreetingMessage=$j reloaded greeting' >>"$SB_CF"
out=$(sh "$INIT" reload); rc=$?
is "$rc" 0 "reload exits 0"
for _ in $(seq 1 50); do [[ $(greeting) == *"reloaded greeting"* ]] && break; sleep 0.1; done
like "$(greeting)" "^220 .*reloaded greeting" "after reload the daemon serves the changed configuration"
pid=$(head -1 "$SB/sendmail.pid" 2>/dev/null)
ok "$(kill -0 "$pid"; echo $?)" "and the PidFile names it (-bd re-executes and detaches again, as upstream)"

out=$(sh "$INIT" restart); rc=$?
is "$rc" 0 "restart exits 0"
npid=$(head -1 "$SB/sendmail.pid" 2>/dev/null)
ok "$([ -n "$npid" ] && [ "$npid" != "$pid" ] && kill -0 "$npid"; echo $?)" "a new daemon runs"
ok "$(kill -0 "$pid" 2>/dev/null; [ $? -ne 0 ]; echo $?)" "the old one is gone"
like "$(greeting)" "^220 " "and answers"

mpid=$(head -1 "$MSP_PIDFILE" 2>/dev/null)
out=$(sh "$INIT" stop); rc=$?
is "$rc/$out" "0/sendmail: the MTA stopped" "stop exits 0"
ok "$(kill -0 "$npid" 2>/dev/null; [ $? -ne 0 ]; echo $?)" "the daemon is gone"
ok "$(kill -0 "$mpid" 2>/dev/null; [ $? -ne 0 ]; echo $?)" "the client queue runner is gone"
ok "$([ ! -e "$SB/sendmail.pid" ] && [ ! -e "$MSP_PIDFILE" ]; echo $?)" "no pid file is left"
out=$(sh "$INIT" status); rc=$?
is "$rc" 3 "status after stop: 3"
done_testing
