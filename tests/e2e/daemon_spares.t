#!/usr/bin/env bash
# daemon_spares: the session processes the daemon forks before their
# connections come (spares, waiting in accept), seen from outside: with
# MaxDaemonChildren=3 three sessions are greeted at once and a fourth client
# waits, ungreeted, until one of them ends; the daemon's session processes,
# spares included, never outnumber MaxDaemonChildren; mail comes through them;
# SIGHUP re-executes the daemon although its spares held the listener;
# SIGTERM ends it promptly, and after kill -9 of the daemon alone its spares
# let the port go, so that a new daemon starts.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"
sb_new "MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl" "FEATURE(\`accept_unresolvable_domains')dnl" ||
	{ ok 1 "the sandbox is made"; done_testing; }
trap 'sb_cleanup' EXIT

# processes whose parent is $1 and whose command line is the sendmail binary
children() {
	local n=0 p
	for p in $(pgrep -P "$1" 2>/dev/null); do
		[ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$(readlink -f "$SENDMAIL")" ] && n=$((n + 1))
	done
	echo "$n"
}
msg() {
	$TALK 127.0.0.1 "$SB_PORT" <<SMTP
ehlo client.example
mail from:<sender@example.org>
rcpt to:<$1@localhost>
data
Subject: spare

body
.
quit
SMTP
}

sb_start -OMaxDaemonChildren=3 -ODeliveryMode=q
ok $? "a daemon with MaxDaemonChildren=3 starts"
sleep 1
n=$(children "$SB_PID")
ok "$([ "$n" -ge 1 ] && [ "$n" -le 3 ] && echo 0 || echo 1)" \
	"idle, it keeps between 1 and 3 session processes waiting ($n)"

# four clients: three are greeted, the fourth waits until one of them quits
out=$(python3 - "$SB_PORT" "$SB_PID" "$(readlink -f "$SENDMAIL")" <<'PY'
import os, socket, sys, time
port, daemon, exe = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def sessions():
    n = 0
    for p in os.listdir("/proc"):
        try:
            if not p.isdigit() or os.readlink("/proc/%s/exe" % p) != exe:
                continue
            if open("/proc/%s/stat" % p).read().rsplit(")", 1)[1].split()[1] == daemon:
                n += 1
        except OSError:
            pass
    return n
def greeted(s, t):
    s.settimeout(t)
    try:
        return s.recv(512).startswith(b"220")
    except socket.timeout:
        return False
most = 0
held = []
for i in range(3):
    s = socket.create_connection(("127.0.0.1", port), 10)
    print("session %d greeted: %s" % (i + 1, greeted(s, 20)))
    held.append(s)
fourth = socket.create_connection(("127.0.0.1", port), 10)
for _ in range(15):
    most = max(most, sessions())
    time.sleep(0.1)
print("fourth greeted while three are open: %s" % greeted(fourth, 1.0))
most = max(most, sessions())
held[0].sendall(b"QUIT\r\n")
held[0].recv(512)
held[0].close()
print("fourth greeted once one quit: %s" % greeted(fourth, 20))
most = max(most, sessions())
print("most session processes: %d" % most)
for s in held[1:] + [fourth]:
    s.close()
PY
)
like "$out" "session 1 greeted: True" "a first client is greeted"
like "$out" "session 3 greeted: True" "so is a third at the same time"
like "$out" "fourth greeted while three are open: False" "a fourth waits while three sessions are open"
like "$out" "fourth greeted once one quit: True" "and is greeted once one of them quits"
like "$out" "most session processes: [123]$" "there were never more than 3 session processes"

for u in one two three four five; do
	like "$(msg "$u")" "250 2.0.0 .* Message accepted" "message to $u accepted by a waiting session process"
done
sb_sendmail -q
for u in one two three four five; do
	sb_wait_mail "$u" 1
	ok $? "and delivered to $u"
done

kill -HUP "$SB_PID"
sleep 1
ok=1
for _ in $(seq 1 100); do
	if msg after-hup | grep "250 2.0.0 .* Message accepted" >/dev/null; then ok=0; break; fi
	sleep 0.2
done
ok $ok "after SIGHUP the re-executed daemon binds the port again and takes mail"
! grep -q "cannot bind" "$SB/daemon.log"
ok $? "with no bind failure logged"

t0=$(date +%s)
sb_stop
t1=$(date +%s)
ok "$([ $((t1 - t0)) -le 5 ] && echo 0 || echo 1)" "SIGTERM ends the idle daemon and its waiting processes in $((t1 - t0)) s"
sleep 0.5
is "$(python3 -c "import socket
try:
    socket.create_connection(('127.0.0.1', $SB_PORT), 2); print('open')
except OSError:
    print('closed')")" closed "the port is closed after SIGTERM"

sb_start -OMaxDaemonChildren=3 -ODeliveryMode=q
ok $? "a new daemon starts"
sleep 0.5
kill -9 "$SB_PID"
wait "$SB_PID" 2>/dev/null
SB_PID=
closed=1
for _ in $(seq 1 50); do
	if python3 -c "import socket; socket.create_connection(('127.0.0.1', $SB_PORT), 1)" 2>/dev/null; then
		sleep 0.1
	else
		closed=0
		break
	fi
done
ok $closed "after kill -9 of the daemon its waiting processes let the port go"
sb_start -OMaxDaemonChildren=3 -ODeliveryMode=q
ok $? "and another daemon starts on it"
like "$(msg again)" "250 2.0.0 .* Message accepted" "and takes mail"
sb_stop
done_testing
