#!/usr/bin/env bash
# compat/smtp_defer: what the SMTP client makes of a server's temporary
# refusals and of a server that will not take EHLO, against upstream
# sendmail 8.17 on the same cf, inside private namespaces with a private
# dnsmasq and scripted peers (tests/lib/fake_smtpd.py):
#  - 451 to MAIL, 451 to DATA (instead of 354), 452 after the final dot, 450
#    to RCPT: the message stays in the queue, with the same to= line
#    (relay=, dsn=, reply=, stat=) and the same status in mailq; a later run
#    tries the host again;
#  - a 502 to EHLO: the client says HELO and delivers; 550 to EHLO and to
#    HELO: the same outcome and log line as upstream's;
#  - each peer sees the same commands from both clients.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/peers.sh"
peers_enter upstream "$0" "$@"

dns_mx mail4.net 127.0.0.10 data4.net 127.0.0.11 dot4.net 127.0.0.12 rcpt4.net 127.0.0.13 \
	ehlo5.net 127.0.0.14 helo5.net 127.0.0.15 upsink.net 127.0.0.20 ptsink.net 127.0.0.21
peers_queue_env smtpdefer mail4.net data4.net dot4.net rcpt4.net ehlo5.net helo5.net upsink.net \
	ptsink.net
fake_peer mail4 127.0.0.10 --mail-reply "451 4.3.0 mail later" &&
	fake_peer data4 127.0.0.11 --data-reply "451 4.3.1 data later" &&
	fake_peer dot4 127.0.0.12 --dot-reply "452 4.3.1 dot later" &&
	fake_peer rcpt4 127.0.0.13 --rcpt-reply "r4=450 4.2.1 mailbox busy" &&
	fake_peer ehlo5 127.0.0.14 --ehlo-reply "502 5.5.1 no EHLO here" &&
	fake_peer helo5 127.0.0.15 --ehlo-reply "550 5.7.1 no EHLO" --helo-reply "550 5.7.1 no HELO either" &&
	fake_peer upsink 127.0.0.20 && fake_peer ptsink 127.0.0.21
ok $? "the peers listen"

queue_cf mem
queue_side mem up
queue_side mem pt
RCPTS=(m@mail4.net d@data4.net t@dot4.net r4@rcpt4.net e@ehlo5.net h@helo5.net)
PEERS=(mail4 data4 dot4 rcpt4 ehlo5 helo5)
# cmds PEER FROM [TO]: the commands the peer got, connection by connection, in
# lines FROM to TO of its log (the EHLO/HELO argument is the same host for
# both), without MAIL's SIZE (the headers differ) and the sink's name
cmds() {
	sed -n "$2,${3:-\$}p" "$w/$1.log" | sed -n 's/^C[0-9]*: //p' |
		sed -E 's/ SIZE=[0-9]+//; s/(up|pt)sink\.net/SINK.net/'
}
# queue_of Q: mailq's status lines (no ids, sizes or dates)
queue_of() {
	local mta
	if [ "$1" = up ]; then mta=$ORACLE_SENDMAIL; else mta=$SENDMAIL; fi
	$mta -C "$w/$1.cf" -bp 2>&1 | grep -E '^[[:space:]]+\(|^[[:space:]]+<' | sort
}

for m in up:sendmail pt:petrel; do
	IFS=: read -r q tag <<<"$m"
	if [ "$q" = up ]; then mta=$ORACLE_SENDMAIL; else mta="$SENDMAIL -L petrel"; fi
	for p in "${PEERS[@]}"; do eval "from_${q}_$p=$(($(wc -l <"$w/$p.log") + 1))"; done
	for r in "${RCPTS[@]}"; do
		printf 'Subject: deferred\n\nbody\n' | $mta -C "$w/$q.cf" -odq -f "sender@${q}sink.net" "$r"
	done
	$mta -C "$w/$q.cf" -q >/dev/null 2>&1
	for r in "${RCPTS[@]}"; do log_wait "$tag" "$r" 1 || break; done
	ok $? "$tag: the queue run tried every message"
	sleep 1
done

for r in "${RCPTS[@]}"; do
	is "$(log_to_line petrel "$r")" "$(log_to_line sendmail "$r")" "the log line of $r"
done
# Petrel pipelines MAIL with the RCPTs and DATA (RFC 2920), upstream waits for
# MAIL's reply: after a refused MAIL only Petrel's RCPT and DATA come (and get
# 503).
for p in "${PEERS[@]}"; do
	eval "fu=\$from_up_$p fp=\$from_pt_$p"
	skip='^$'
	[ "$p" = mail4 ] && skip='^(RCPT|DATA)'
	is "$(cmds "$p" "$fp" | grep -Ev "$skip")" "$(cmds "$p" "$fu" "$((fp - 1))" | grep -Ev "$skip")" \
		"$p: the same commands from both clients"
done
is "$(queue_of pt)" "$(queue_of up)" "mailq: the same messages left with the same status"
like "$(log_to_line petrel m@mail4.net)" "relay=mx\.mail4\.net\. \[127\.0\.0\.10\], dsn=4\.3\.0, reply=451 4\.3\.0 mail later, stat=Deferred: 451 4\.3\.0 mail later$" \
	"a 451 to MAIL defers with the reply"
like "$(log_to_line petrel t@dot4.net)" "dsn=4\.3\.1, reply=452 4\.3\.1 dot later, stat=Deferred: 452 4\.3\.1 dot later$" \
	"a 452 after the dot defers"
like "$(log_to_line petrel e@ehlo5.net)" "stat=Sent" "a 502 to EHLO: HELO, and the message is delivered"
like "$(cmds ehlo5 "$from_pt_ehlo5")" "^EHLO .*
HELO .*
MAIL From:<sender@SINK\.net>" "Petrel said HELO after the refused EHLO"

# the next run tries the deferring hosts again
n0=$(grep -c '^C[0-9]*: MAIL' "$w/mail4.log")
$SENDMAIL -L petrel -C "$w/pt.cf" -q >/dev/null 2>&1
log_wait petrel m@mail4.net 2
ok $? "a second queue run tries the message to mail4.net again"
is "$(grep -c '^C[0-9]*: MAIL' "$w/mail4.log")" "$((n0 + 1))" "with a new MAIL to the host that deferred"
done_testing
