#!/usr/bin/env bash
# routing_mailertable: mailertable (mailer:host, mailer:[addr], .domain
# wildcards, error: and local: entries), SMART_HOST, MAIL_HUB, LOCAL_RELAY,
# LUSER_RELAY and the relay mailer, end to end: mail sent into a running
# daemon over SMTP reaches scripted peers (tests/lib/fake_smtpd.py) on
# 127.0.0.x or a mailbox, and the envelope each peer saw is checked.  Host
# names are resolved by a private dnsmasq.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/routing.sh"

dns_record --host-record=mthost.test,127.0.0.4 --host-record=smart.test,127.0.0.5
rt_dns remote.test mthost.test smart.test sub.test elsewhere.test named.test bad.test tmp.test loc.test loc2.test || { skip "$DNS_WHY"; done_testing; }
port=$(sb_free_port)
rt_mailer_args "$port"
mt=$RT_DIR/mailertable
cat >"$mt" <<MT
remote.test	esmtp:[127.0.0.2]
.sub.test	relay:[127.0.0.3]
named.test	smtp:mthost.test
bad.test	error:5.7.1:550 no mail for bad.test here
tmp.test	error:4.3.2:451 try bad.test later
loc.test	local:bob
loc2.test	local:
MT
"$PETREL_BUILDDIR/makemap/makemap" hash "$mt" <"$mt"
sb_new "${RT_MC[@]}" "FEATURE(\`mailertable', \`hash $mt')dnl" \
	"define(\`SMART_HOST', \`relay:[127.0.0.5]')dnl" "MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl"
sb_start
ok $? "a daemon with a mailertable and a smart host starts"
for p in 2 3 4 5; do rt_peer p$p 127.0.0.$p "$port"; done

rt_send a@localhost u1@remote.test,u2@x.sub.test,u3@deep.y.sub.test,u4@named.test,u5@elsewhere.test; out=$RT_OUT
log=$(rt_wait_stat 5)
like "$out" "S: 250 2.0.0 [0-9A-Za-z]+ Message accepted" "the message is accepted"
like "$(rt_log p2)" "C1: RCPT To:<u1@remote.test>" "remote.test esmtp:[127.0.0.2]: the peer on 127.0.0.2 gets u1"
like "$(rt_log p2)" "C1: EHLO " "the esmtp mailer says EHLO"
[[ $(rt_log p2) == *u2@* || $(rt_log p2) == *u5@* ]]
ok $((! $?)) "and nothing else"
like "$(rt_log p3)" "RCPT To:<u2@x.sub.test>" ".sub.test relay:[127.0.0.3] matches a subdomain"
like "$(rt_log p3)" "RCPT To:<u3@deep.y.sub.test>" "and a deeper one"
like "$log" "to=<u2@x.sub.test>,[^
]*mailer=relay, [^
]*relay=\[127.0.0.3\]" "logged with mailer=relay, relay=[127.0.0.3]"
like "$(rt_log p4)" "RCPT To:<u4@named.test>" "named.test smtp:mthost.test: the host name is resolved (A 127.0.0.4)"
like "$log" "to=<u4@named.test>,[^
]*mailer=smtp, [^
]*relay=mthost.test" "logged with mailer=smtp and the resolved host"
like "$(rt_log p5)" "RCPT To:<u5@elsewhere.test>" "a domain without an entry goes to SMART_HOST"
[[ $(rt_log p5) == *u1@* || $(rt_log p5) == *u2@* || $(rt_log p5) == *u4@* ]]
ok $((! $?)) "mailertable entries take precedence over SMART_HOST"
like "$(rt_log p5)" "C1: MAIL From:<a@" "the envelope sender is passed on"
like "$(rt_log p2)" "D1: Subject: routing test" "the message body reaches the peer"

rt_send a@localhost v@bad.test; out=$RT_OUT
like "$out" "S: 550 5.7.1 <v@bad.test>\.\.\. no mail for bad.test here" \
	"error: entries refuse the recipient at RCPT with their code and text"
rt_send a@localhost v@tmp.test; out=$RT_OUT
like "$out" "S: 451 4.3.2 <v@tmp.test>\.\.\. try bad.test later" "a 4xx error: entry defers it"

rt_send a@localhost whoever@loc.test,carol@loc2.test; out=$RT_OUT
log=$(rt_wait_stat 2)
sb_wait_mail bob 1
is "$(sb_count bob)" 1 "local:bob delivers any user of loc.test to bob's mailbox"
sb_wait_mail carol 1
is "$(sb_count carol)" 1 "local: delivers the user part to the local user"
like "$log" "to=<carol@loc2.test>,[^
]*mailer=local," "logged with mailer=local"
sb_stop

# MAIL_HUB: local users (after aliasing) go to the hub
for p in 2 3 4 5; do rt_peer_stop p$p; done
sb_new "${RT_MC[@]}" "define(\`MAIL_HUB', \`[127.0.0.6]')dnl"
sb_start
rt_peer hub 127.0.0.6 "$port"
rt_send a@localhost daemon@localhost
log=$(rt_wait_stat)
like "$(rt_log hub)" "RCPT To:<daemon@\[127.0.0.6\]>" "MAIL_HUB: mail for a local user goes to the hub (user@hub, as upstream's ruleset 5)"
like "$log" "mailer=relay, [^
]*relay=\[127.0.0.6\]" "through the relay mailer"
is "$(sb_count daemon)" 0 "and not to the local mailbox"
sb_stop
rt_peer_stop hub

# LUSER_RELAY: only local names that are not users
sb_new "${RT_MC[@]}" "define(\`LUSER_RELAY', \`[127.0.0.7]')dnl"
sb_start
rt_peer luser 127.0.0.7 "$port"
rt_send a@localhost daemon@localhost,nosuchuser@localhost
log=$(rt_wait_stat 2)
like "$(rt_log luser)" "RCPT To:<nosuchuser@" "LUSER_RELAY: a local name that is no user goes to the relay"
[[ $(rt_log luser) == *daemon@* ]]
ok $((! $?)) "a real user does not"
sb_wait_mail daemon 1
is "$(sb_count daemon)" 1 "and is delivered locally"
sb_stop
rt_peer_stop luser

# LOCAL_RELAY with stickyhost: unqualified names go to the relay
sb_new "${RT_MC[@]}" "define(\`LOCAL_RELAY', \`[127.0.0.8]')dnl" "FEATURE(\`stickyhost')dnl"
sb_start
rt_peer lrelay 127.0.0.8 "$port"
rt_send a@localhost daemon
log=$(rt_wait_stat)
like "$(rt_log lrelay)" "RCPT To:<daemon@" "LOCAL_RELAY: an unqualified name goes to the local relay"
rt_send a@localhost daemon@localhost
log=$(rt_wait_stat)
sb_wait_mail daemon 1
is "$(sb_count daemon)" 1 "with stickyhost, user@thishost stays local (\"@user\" skips ruleset 5, as upstream)"
[[ $(rt_log lrelay) == *C2:* ]]
ok $((! $?)) "and does not reach the local relay"
done_testing
