#!/usr/bin/env bash
# dsn_timeouts: a message that cannot be delivered for now (a program alias
# that exits 75) gets, once Timeout.queuewarn has passed, one delay warning
# to its sender (Action: delayed, in upstream's layout) and no second one on
# the next queue run; once Timeout.queuereturn has passed it is returned
# (Action: failed, Status: 4.4.7) and leaves the queue.  Short timeouts
# (3 and 7 seconds: queue times are whole seconds) from the .mc keep the
# test fast.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"

sb_new "define(\`confTO_QUEUEWARN', \`3s')dnl" "define(\`confTO_QUEUERETURN', \`7s')dnl" ||
	{ echo "not ok - sandbox"; exit 1; }
mkdir -p "$SB/dsn"; chmod 777 "$SB/dsn"
printf '#!/bin/sh\nexit 75\n' >"$SB/tempfail.sh"
printf '#!/bin/sh\ncat > "$(mktemp %s/dsn/msg.XXXXXX)"\n' "$SB" >"$SB/save.sh"
chmod 755 "$SB/tempfail.sh" "$SB/save.sh"
printf 'slow: "|%s/tempfail.sh"\nwatcher: "|%s/save.sh"\n' "$SB" "$SB" >>"$SB/aliases"
sb_sendmail -bi >/dev/null
host=$(hostname)
notices() { ls "$SB/dsn" | wc -l; }
queued() { ls "$SB/mqueue" | grep -c '^qf'; }

printf 'Subject: slow one\n\nplease wait\n' | sb_sendmail -odq -f watcher slow
sb_sendmail -q
is "$(queued)/$(notices)" "1/0" "deferred at once: queued, no warning yet"
sleep 3.2
sb_sendmail -q
for _ in $(seq 1 50); do [ "$(notices)" -ge 1 ] && break; sleep 0.1; done
is "$(notices)" 1 "after Timeout.queuewarn a queue run sends one delay warning"
w=$(cat "$SB"/dsn/msg.* 2>/dev/null)
like "$w" "Subject: Warning: could not send message for past 3 seconds" "with upstream's subject"
like "$w" "Auto-Submitted: auto-generated \(warning-timeout\)" "marked as an automatic warning"
like "$w" "\*\*      THIS IS A WARNING MESSAGE ONLY      \*\*" "saying it is only a warning"
like "$w" "tempfail\.sh\"\.\.\. Deferred: " "with the reason in the transcript"
like "$w" "Warning: message still undelivered after 3 seconds"$'\n'"Will keep trying until message is 7 seconds old" \
	"and how long it will be tried"
like "$w" "Content-Type: message/delivery-status"$'\n\n'"Reporting-MTA: dns; " "a delivery-status part"
like "$w" $'\n'"Action: delayed"$'\n'"Status: 4\.[0-9]\.[0-9]"$'\n' "Action: delayed, a 4.x.x status"
like "$w" $'\n'"Will-Retry-Until: " "and Will-Retry-Until"
like "$w" "Subject: slow one" "the original message comes back with it"
like "$(grep -a '^F' "$SB"/mqueue/qf*)" "w" "the queue file records the warning (F w)"
sb_sendmail -q
sleep 0.3
is "$(notices)/$(queued)" "1/1" "the next run sends no second warning"

sleep 4.2
sb_sendmail -q
for _ in $(seq 1 50); do [ "$(notices)" -ge 2 ] && break; sleep 0.1; done
is "$(notices)/$(queued)" "2/0" "after Timeout.queuereturn the message is returned and leaves the queue"
r=$(cat $(ls -t "$SB"/dsn/msg.* | head -1))
like "$r" "Subject: Returned mail: see transcript for details" "with the bounce's subject"
like "$r" "The following addresses had permanent fatal errors -----"$'\n'"\"\\|$SB/tempfail\.sh\""$'\n'"    \(reason: Deferred\)"$'\n'"    \(expanded from: slow\)" \
	"naming the recipient and the alias it came from"
like "$r" "Message could not be delivered for 7 seconds"$'\n'"Message will be deleted from queue" \
	"and the timeout, in upstream's words"
like "$r" $'\n'"Action: failed"$'\n'"Status: 4\.4\.7"$'\n' "Action: failed, Status: 4.4.7"
like "$r" "From: Mail Delivery Subsystem <MAILER-DAEMON>" "from the mailer daemon (unqualified for a program, as upstream)"
done_testing
