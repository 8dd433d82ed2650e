#!/usr/bin/env bash
# smtp_limits: the server's limits against hostile clients, where timing
# matters (the same limits' replies are compared with upstream's in
# compat/smtp_conv: overlong lines, bare LF, bare CR and NUL in DATA, bad
# commands, BadRcptThrottle, MaxMessageSize, MaxRecipientsPerMessage,
# greet_pause).  Here:
#   - a client that drips a command one byte at a time, each byte well
#     within the read timeout, is cut off by the deadline of the whole
#     command (Timeout.command), with 421 and a log line; upstream times out
#     each read only and would keep such a client for ever;
#   - an idle client is cut off likewise;
#   - a loop (more Received: headers than MaxHopCount) is refused with 554
#     5.4.6 and nothing is queued;
#   - a flood of bad commands ends the session, one of bad recipients slows it
#     down (BadRcptThrottle).
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
sb_new "MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl" "define(\`confTO_COMMAND', \`3s')dnl" \
	"define(\`confMAX_HOP', \`5')dnl" "define(\`confBAD_RCPT_THROTTLE', \`2')dnl" ||
	{ ok 1 "the sandbox is made"; done_testing; }
sb_private_dns || { skip "$DNS_WHY"; done_testing; }
sb_start -ODeliveryMode=q
ok $? "the daemon starts (Timeout.command=3s, MaxHopCount=5, BadRcptThrottle=2)"

# client MODE: one hostile client; prints what it saw.
client() {
	python3 - "$SB_PORT" "$1" <<'PY'
import socket, sys, time
port, mode = int(sys.argv[1]), sys.argv[2]
src = "127.0.0.2" if mode == "badrcpts" else "127.0.0.1"    # .2 may not relay
try:
    s = socket.create_connection(("127.0.0.1", port), timeout=60, source_address=(src, 0))
except OSError as e:
    print("cannot connect: %s" % e)
    sys.exit(0)
sys.excepthook = lambda t, v, tb: print("client error: %r" % v)
f = s.makefile("rb")

def reply():
    lines = []
    while True:
        l = f.readline()
        if not l:
            return lines + ["<closed>"]
        lines.append(l.decode("latin-1").rstrip("\r\n"))
        if len(l) < 4 or l[3:4] != b"-":
            return lines

t0 = time.time()
greeting = reply()
if mode == "drip":
    s.sendall(b"EHLO drip.example.test\r\n")
    reply()
    t0 = time.time()
    sent = 0
    line = b"NOOP " + b"x" * 200 + b"\r\n"
    try:
        for b in line:      # one byte every 0.4 s: about 82 s for the line
            s.sendall(bytes([b]))
            sent += 1
            time.sleep(0.4)
            s.setblocking(False)
            try:
                peek = s.recv(1, socket.MSG_PEEK)
            except BlockingIOError:
                peek = None
            s.setblocking(True)
            if peek is not None:
                break
    except OSError:
        pass
    s.settimeout(20)
    r = reply()
    print("after %.1f s and %d bytes: %s" % (time.time() - t0, sent, " | ".join(r)))
elif mode == "idle":
    s.settimeout(30)
    r = reply()
    print("after %.1f s: %s" % (time.time() - t0, " | ".join(greeting + r)))
elif mode == "loop":
    out = []
    for cmd in (b"EHLO loop.example.test", b"MAIL FROM:<loop@localhost>",
                b"RCPT TO:<looped@localhost>", b"DATA"):
        s.sendall(cmd + b"\r\n")
        out.append(reply()[-1])
    hops = b"".join(b"Received: from h%d by h%d; Mon, 1 Jan 2024 00:00:00 +0000\r\n" % (i, i + 1)
                    for i in range(6))
    s.sendall(hops + b"Subject: loop\r\n\r\nround and round\r\n.\r\n")
    out.append(reply()[-1])
    s.sendall(b"QUIT\r\n")
    out.append(reply()[-1])
    print(" | ".join(out))
elif mode == "badcmds":
    s.sendall(b"EHLO bad.example.test\r\n")
    reply()
    n = 0
    last = []
    for n in range(1, 60):
        try:
            s.sendall(b"XBOGUS\r\n")
        except OSError:
            break
        last = reply()
        if last[-1] == "<closed>" or last[0].startswith("421"):
            break
    print("after %d bad commands: %s" % (n, " | ".join(last)))
elif mode == "badrcpts":
    for cmd in (b"EHLO rcpt.example.test", b"MAIL FROM:<>"):
        s.sendall(cmd + b"\r\n")
        reply()
    times = []
    for i in range(5):
        t = time.time()
        s.sendall(b"RCPT TO:<someone@relay.example.invalid>\r\n")
        r = reply()
        times.append("%s %.1f" % (r[-1][:3], time.time() - t))
    print(" | ".join(times))
PY
}

out=$(client drip)
echo "# drip: $out"
like "$out" "^after ([2-9]|1[0-9])\.[0-9] s and [0-9]+ bytes: 421 4\.4\.1 .*Lost input channel" \
	"a client dripping one byte at a time is cut off by the whole command's deadline"
grep -q "timeout waiting for input from .* during server cmd read" "$SB/daemon.log"
ok $? "and the daemon logs the timeout"

out=$(client idle)
echo "# idle: $out"
like "$out" "^after ([2-9]|1[0-9])\.[0-9] s: 220 .* \| 421 4\.4\.1 .*Lost input channel" \
	"an idle client is cut off after Timeout.command"

before=$(ls "$SB/mqueue" | grep -c '^qf')
out=$(client loop)
echo "# loop: $out"
like "$out" "354 .*\| 554 5\.4\.6 Too many hops 6 \(5 max\)" \
	"a message with more hops than MaxHopCount is refused with 554 5.4.6"
is "$(ls "$SB/mqueue" | grep -c '^qf')" "$before" "and nothing is queued"

out=$(client badcmds)
echo "# bad commands: $out"
like "$out" "^after 26 bad commands: 421 4\.7\.0 .*Too many bad commands" \
	"after 25 bad commands the next one ends the session with 421"

out=$(client badrcpts)
echo "# bad recipients (code, seconds): $out"
like "$out" "^550 0\.[0-9] \| 550 0\.[0-9] \| 550 [1-9]\.[0-9] \| 550 [1-9]\.[0-9] \| 550 [1-9]\.[0-9]" \
	"BadRcptThrottle=2: after two refused recipients, each further refusal is slowed down"
[ "$tap_failed" -gt 0 ] && sed 's/^/# daemon: /' "$SB/daemon.log" | tail -20
done_testing
