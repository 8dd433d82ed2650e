#!/usr/bin/env bash
# quickstart: the README's first command, ./sandbox.sh, starts a working
# Petrel: its sandbox configuration compiles, the daemon listens on
# loopback, swaks delivers a message through LMTP to mail.local into the
# sandbox's spool, mailq lists an empty queue, and ./sandbox.sh stop ends it.
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
for _ in $(seq 1 50); do
	out=$("$PETREL_BUILDDIR/sendmail/sendmail" -C "$dir/sandbox/etc/sendmail.cf" -bp 2>&1)
	case "$out" in *"is empty"*) break ;; esac
	sleep 0.1
done
like "$out" "is empty" "the queue is empty once delivered"
out=$(bash "$PETREL_SRCDIR/sandbox.sh" stop 2>&1)
like "$out" "stopped" "sandbox.sh stop ends the daemon"
done_testing
