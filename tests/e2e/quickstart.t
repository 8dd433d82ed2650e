#!/usr/bin/env bash
# quickstart: the README's first command, ./sandbox.sh, starts a working
# Petrel: its sandbox configuration compiles, the daemon listens on
# loopback, swaks delivers a message through LMTP to mail.local into the
# sandbox's spool (a 1.4 MB one too, byte for byte), mailq lists an empty
# queue, and ./sandbox.sh stop ends it.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
base=/run; [ "$(id -u)" -eq 0 ] || base=${TMPDIR:-/tmp}
dir=$(mktemp -d "$base/petrel-qs-XXXXXX")
chmod 755 "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export PETREL_SANDBOX_DIR=$dir/sandbox PETREL_SANDBOX_PORT=$port
trap 'bash "$PETREL_SRCDIR/sandbox.sh" stop >/dev/null 2>&1; rm -rf "$dir"' EXIT

out=$(bash "$PETREL_SRCDIR/sandbox.sh" 2>&1)
ok $? "sandbox.sh starts Petrel"
like "$out" "Petrel is running \(pid [0-9]+\) on 127.0.0.1:$port" "and says where"
ok "$([ -s "$dir/sandbox/etc/sendmail.cf" ]; echo $?)" "the sandbox has its own sendmail.cf"
if command -v swaks >/dev/null; then
	swaks --server "127.0.0.1:$port" --to "$(id -un)@localhost" --from "someone@localhost" \
		--header "Subject: quick start" >"$dir/swaks.out" 2>&1
	like "$(cat "$dir/swaks.out")" "250 2.0.0 [0-9A-Za-z]+ Message accepted for delivery" \
		"swaks gets its message accepted"
else
	skip "swaks is not installed"
fi
for _ in $(seq 1 100); do [ -s "$dir/sandbox/spool/$(id -un)" ] && break; sleep 0.1; done
box=$(cat "$dir/sandbox/spool/$(id -un)" 2>/dev/null)
like "$box" "^From someone@" "mail.local wrote an mbox with a From line"
like "$box" "Subject: quick start" "the message is in the sandbox's spool"
like "$box" "Return-Path: <someone@" "with the envelope sender in Return-Path"
# a message five times the size of the pipe to mail.local (256 KB), so that
# the LMTP client's partial writes and its waits for room are used, with
# lines that LMTP must dot-stuff; it must arrive byte for byte
python3 - "$port" "$(id -un)" "$dir/big.body" <<'PY'
import random, smtplib, sys
port, user, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rnd = random.Random(5)
lines = []
while sum(len(l) + 1 for l in lines) < 1400000:
    n = rnd.randrange(0, 200)
    line = "".join(rnd.choice("abcdefghij .,-0123456789") for _ in range(n))
    lines.append(("." + line) if rnd.random() < 0.05 else line)
body = "\n".join(lines) + "\n"
open(path, "w").write(body)
msg = "From: big@localhost\nTo: %s@localhost\nSubject: big one\n\n%s" % (user, body)
with smtplib.SMTP("127.0.0.1", port) as s:
    s.sendmail("big@localhost", ["%s@localhost" % user], msg)
PY
ok $? "a 1.4 MB message is accepted"
for _ in $(seq 1 100); do grep -q "^Subject: big one" "$dir/sandbox/spool/$(id -un)" && break; sleep 0.1; done
python3 - "$dir/sandbox/spool/$(id -un)" "$dir/big.body" <<'PY'
import sys
box, body = open(sys.argv[1]).read(), open(sys.argv[2]).read()
at = box.find("Subject: big one\n")
got = box[box.index("\n\n", at) + 2:] if at >= 0 else ""
sys.exit(0 if got in (body + "\n", body) else 1)
PY
ok $? "it reaches the mailbox through LMTP byte for byte ($(wc -c <"$dir/big.body") bytes of body)"
for _ in $(seq 1 50); do
	out=$("$PETREL_BUILDDIR/sendmail/sendmail" -C "$dir/sandbox/etc/sendmail.cf" -bp 2>&1)
	case "$out" in *"is empty"*) break ;; esac
	sleep 0.1
done
like "$out" "is empty" "the queue is empty once delivered"
out=$(bash "$PETREL_SRCDIR/sandbox.sh" stop 2>&1)
like "$out" "stopped" "sandbox.sh stop ends the daemon"
done_testing
