#!/usr/bin/env bash
# daemon_load: the daemon's brakes, through a running daemon whose load
# average is a file of the test (bind-mounted over /proc/loadavg in the
# daemon's own mount namespace): RefuseLA closes the listeners and opens them
# again when the load falls (by default at 12 times the processors online, as
# upstream), DelayLA slows down SMTP commands (all but RSET and VERB) and
# spaces connections a second apart (sessions ending meanwhile or not), QueueLA keeps messages in the queue,
# ConnectionRateThrottle admits N connections a second; each logs upstream's
# line.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"
if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null; then
	skip "needs root and mount namespaces to set the load average"
	done_testing
fi
REAL=$SENDMAIL
LA=$(mktemp "$(sb_base)/petrel-la-XXXXXX")
chmod 644 "$LA"
trap 'sb_cleanup; rm -f "$LA" "$LA.sh"' EXIT
setla() { printf '%s %s %s 1/100 1\n' "$1" "$1" "$1" >"$LA"; }
# the daemon sees $LA as /proc/loadavg; $! stays the daemon (exec all along)
cat >"$LA.sh" <<SH
#!/bin/sh
exec unshare -m sh -c 'mount --bind "$LA" /proc/loadavg && exec "\$0" "\$@"' "$REAL" "\$@"
SH
chmod 755 "$LA.sh"
SENDMAIL=$LA.sh

# connects PORT: "up" when the greeting comes, "refused" when the connection is refused
probe() {
	python3 -c '
import socket, sys
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
    s.settimeout(10)
    print("up" if s.recv(512).startswith(b"220") else "other")
except ConnectionRefusedError:
    print("refused")
except Exception as e:
    print("error", e)' "$1"
}
# waits up to 20 s for probe to say $1
wait_probe() {
	for _ in $(seq 1 100); do
		[ "$(probe "$SB_PORT")" = "$1" ] && return 0
		sleep 0.2
	done
	return 1
}
msg() {
	$TALK 127.0.0.1 "$SB_PORT" <<SMTP
ehlo client.example
mail from:<sender@example.org>
rcpt to:<$1@localhost>
data
Subject: load

body
.
quit
SMTP
}

sb_new "MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl" "FEATURE(\`accept_unresolvable_domains')dnl"
setla 0.10
sb_start -ORefuseLA=5
ok $? "a daemon with RefuseLA=5 starts at load 0"
setla 9.00
wait_probe refused
ok $? "at load 9 its listener is closed: connections are refused"
like "$(cat "$SB/daemon.log")" "rejecting connections on daemon MTA: load average: 9" \
	"with upstream's log line"
setla 2.00
wait_probe up
ok $? "when the load falls below RefuseLA it accepts again"
like "$(msg refused)" "250 2.0.0 .* Message accepted" "and takes mail"
sb_wait_mail refused 1
ok $? "which is delivered"
sb_stop

setla 9.00
: >"$SB/daemon.log"
sb_start -ODelayLA=5
# When each connection was taken: the start time of the session process the
# daemon forked for it (ss names the process holding the server's end;
# /proc/PID/stat its start in clock ticks), so that how long a session takes
# to start and greet does not count.  Two connections made at once, the
# seconds each reply of the first session took, then a third connection
# closed right after its greeting (its session ends within the daemon's
# second: that must not cut the second short) and a fourth.
out=$(python3 -c '
import os, re, socket, subprocess, sys, time
port = int(sys.argv[1])
t0 = time.time()
def forked(s):
    me = s.getsockname()[1]
    for _ in range(50):
        ss = subprocess.run(["ss", "-tnpH", "state", "established",
                             "( sport = :%d and dport = :%d )" % (port, me)],
                            capture_output=True, text=True).stdout
        pids = re.findall(r"pid=(\d+)", ss)
        if pids:
            break
        time.sleep(0.1)
    starts = []
    for pid in pids:
        with open("/proc/%s/stat" % pid) as f:
            starts.append(int(f.read().rsplit(")", 1)[1].split()[19]))
    return min(starts) / os.sysconf("SC_CLK_TCK")
a = socket.create_connection(("127.0.0.1", port), 10); b = socket.create_connection(("127.0.0.1", port), 10)
fa, fb = a.makefile("rb"), b.makefile("rb")
def reply(f):
    while True:
        l = f.readline()
        if not l or l[3:4] != b"-":
            return l
greet = []
for f in (fa, fb):
    reply(f); greet.append(time.time() - t0)
print("greetings %.1f %.1f" % tuple(sorted(greet)))
print("forks %.2f" % abs(forked(b) - forked(a)))
for cmd in (b"EHLO client.example", b"RSET", b"VERB", b"NOOP", b"MAIL FROM:<a@example.org>", b"QUIT"):
    t = time.time(); a.sendall(cmd + b"\r\n"); r = reply(fa)
    print("%s %s %.1f" % (cmd.split()[0].decode(), r[:3].decode(), time.time() - t))
b.close()
c = socket.create_connection(("127.0.0.1", port), 10)
reply(c.makefile("rb")); fc = forked(c); c.close()
d = socket.create_connection(("127.0.0.1", port), 10)
reply(d.makefile("rb"))
print("after-end %.2f" % (forked(d) - fc))
d.close()' "$SB_PORT")
echo "$out" | sed 's/^/# /'
delayed() { echo "$out" | awk -v c="$1" '$1 == c { print ($3 >= 0.9) ? "slow" : "fast" }'; }
ok "$(echo "$out" | awk '/^forks/ { print ($2 >= 0.99) ? 0 : 1 }')" \
	"at load 9 with DelayLA=5 two connections made at once are taken a second apart or more"
ok "$(echo "$out" | awk '/^after-end/ { print ($2 >= 0.99) ? 0 : 1 }')" \
	"also when the session before ends within that second"
is "$(delayed EHLO) $(delayed NOOP) $(delayed MAIL) $(delayed QUIT)" "slow slow slow slow" \
	"EHLO, NOOP, MAIL and QUIT each wait a second, as upstream's"
is "$(delayed RSET) $(delayed VERB)" "fast fast" "RSET and VERB do not wait, as upstream's"
like "$(cat "$SB/daemon.log")" "delaying connections on daemon MTA: load average=9 >= 5" \
	"the daemon logs upstream's line"
like "$(cat "$SB/daemon.log")" ": delaying=EHLO, load average=9 >= 5" \
	"and the session logs upstream's delaying= line with its envelope id"
is "$(grep -c 'delaying=' "$SB/daemon.log")" 1 "once per session"
sb_stop

: >"$SB/daemon.log"
# QueueFactor 600000 / (50 - 5 + 1) is below the priority of a one-recipient
# message (RecipientFactor 30000 and its size)
setla 50.00
sb_start -OQueueLA=5
like "$(msg held)" "250 2.0.0 .* Message accepted" "at load 50 with QueueLA=5 a message is accepted"
sleep 1
is "$(sb_count held)" 0 "but not delivered"
ls "$SB/mqueue" | grep -q '^qf'
ok $? "it waits in the queue"
setla 0.00
sb_sendmail -q
sb_wait_mail held 1
ok $? "a queue run at load 0 delivers it"
like "$(msg direct)" "250 2.0.0 .* Message accepted" "at load 0 the next message"
sb_wait_mail direct 1
ok $? "is delivered at once"
sb_stop

: >"$SB/daemon.log"
sb_start -OConnectionRateThrottle=1
out=$(python3 -c '
import socket, sys, time, threading
port = int(sys.argv[1]); got = []
def one():
    s = socket.create_connection(("127.0.0.1", port), 30); s.settimeout(30)
    s.recv(512); got.append(time.time()); s.sendall(b"QUIT\r\n"); s.recv(512); s.close()
ts = [threading.Thread(target=one) for _ in range(3)]
[t.start() for t in ts]; [t.join() for t in ts]
print("%.2f" % (max(got) - min(got)), len(got))' "$SB_PORT")
like "$out" " 3$" "three connections at once with ConnectionRateThrottle=1 are all served"
ok "$(python3 -c "print(0 if ${out% *} >= 1.0 else 1)")" "over more than one second ($out)"
like "$(cat "$SB/daemon.log")" "deferring connections on daemon MTA: 1 per second" "with a log line"
sb_stop

# RefuseLA by default: 12 times the processors online, as upstream (the
# sandbox's cf turns it off: here it is taken out)
cpus=$(getconf _NPROCESSORS_ONLN)
sed -i '/^O RefuseLA=/d' "$SB_CF"
setla "$((12 * cpus - 1)).00"
: >"$SB/daemon.log"
sb_start
ok $? "a daemon without RefuseLA starts at load $((12 * cpus - 1)) ($cpus processors)"
is "$(probe "$SB_PORT")" up "and accepts below 12 times the processors"
setla "$((12 * cpus)).00"
wait_probe refused
ok $? "at load $((12 * cpus)) it refuses connections"
like "$(cat "$SB/daemon.log")" "rejecting connections on daemon MTA: load average: $((12 * cpus))" \
	"with upstream's log line"
setla 0.00
wait_probe up
ok $? "and accepts again when the load falls"
sb_stop

done_testing
