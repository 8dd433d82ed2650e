#!/usr/bin/env bash
# routing_mx: SMTP delivery through DNS, end to end: a running daemon
# relays to scripted peers (tests/lib/fake_smtpd.py) on 127.0.0.x and ::1
# found through a private dnsmasq: MX records by preference (not in the
# order the server lists them), A and AAAA when a domain has no MX, a
# refusing primary MX falling back to the next, FallbackMXhost when every
# MX refuses, this host among the MX hosts (TryNullMXList), a bracketed
# [host] in the mailertable skipping the MX lookup,
# the port of the mailer's A=; per-recipient replies: 2xx sent, 4xx kept in
# the queue and delivered by a later queue run, 5xx bounced to the sender.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/routing.sh"

dns_record --mx-host=order.test,o2.order.test,20 --mx-host=order.test,o1.order.test,10 \
	--host-record=o1.order.test,127.0.0.3 --host-record=o2.order.test,127.0.0.4 \
	--mx-host=fb.test,dead1.fb.test,10 --mx-host=fb.test,live.fb.test,20 \
	--mx-host=fb.test,spare.fb.test,30 --host-record=dead1.fb.test,127.0.0.7 \
	--host-record=live.fb.test,127.0.0.3 --host-record=spare.fb.test,127.0.0.4 \
	--host-record=amx.test,127.0.0.5 --host-record=v6.test,::1 \
	--mx-host=both.test,o1.order.test,10 --host-record=both.test,127.0.0.5 \
	--mx-host=dead.test,dead1.fb.test,10 \
	--mx-host=half.test,o1.order.test,10 --mx-host=half.test,localhost,20 \
	--mx-host=self.test,localhost,10 --host-record=self.test,127.0.0.5
rt_dns order.test fb.test amx.test v6.test both.test dead.test brk.test half.test self.test ||
	{ skip "$DNS_WHY"; done_testing; }
port=$(sb_free_port)
rt_mailer_args "$port"
mt=$RT_DIR/mailertable
printf 'brk.test\tesmtp:[both.test]\n' >"$mt"
"$PETREL_BUILDDIR/makemap/makemap" hash "$mt" <"$mt"
sb_new "${RT_MC[@]}" "FEATURE(\`mailertable', \`hash $mt')dnl" \
	"define(\`confFALLBACK_MX', \`[127.0.0.6]')dnl" "MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl"
sb_start
ok $? "the daemon starts"
for p in 3 4 5 6; do rt_peer p$p 127.0.0.$p "$port" --rcpt-reply "temp=451 4.2.0 temp is busy" \
	--rcpt-reply "perm=550 5.1.1 perm is unknown"; done
v6=yes
rt_peer p6v6 ::1 "$port" || v6=

rt_send daemon@localhost a@order.test
log=$(rt_wait_stat)
like "$(rt_log p3)" "RCPT To:<a@order.test>" "MX preference 10 is tried first though listed second"
is "$(rt_log p4)" "" "the preference 20 host is not used"
like "$log" "to=<a@order.test>,[^
]*stat=Sent" "and the message is sent"

rt_send daemon@localhost b@fb.test
log=$(rt_wait_stat)
like "$(rt_log p3)" "RCPT To:<b@fb.test>" "a refusing primary MX (127.0.0.7) falls back to the next by preference"
[[ $(rt_log p4) == *b@fb.test* ]]
ok $((! $?)) "and stops at the first that takes it"

rt_send daemon@localhost c@amx.test
log=$(rt_wait_stat)
like "$(rt_log p5)" "RCPT To:<c@amx.test>" "a domain without MX records gets its A record"

if [ -n "$v6" ]; then
	rt_send daemon@localhost d@v6.test
	log=$(rt_wait_stat)
	like "$(rt_log p6v6)" "RCPT To:<d@v6.test>" "a domain with only an AAAA record gets it (::1)"
else
	skip "no IPv6 loopback"
fi

rt_send daemon@localhost e@brk.test
log=$(rt_wait_stat)
like "$(rt_log p5)" "RCPT To:<e@brk.test>" "esmtp:[both.test] in the mailertable: the A record, without MX lookup"
[[ $(rt_log p3) == *e@brk.test* ]]
ok $((! $?)) "(not its MX host)"

rt_send daemon@localhost f@dead.test
log=$(rt_wait_stat)
like "$(rt_log p6)" "RCPT To:<f@dead.test>" "FallbackMXhost [127.0.0.6] takes the mail when every MX refuses"

# per-recipient replies: 250, 451 and 550 in one transaction
rt_send daemon@localhost ok@order.test,temp@order.test,perm@order.test
log=$(rt_wait_stat 3)
like "$log" "to=<ok@order.test>,[^
]*stat=Sent" "250: sent"
like "$log" "to=<temp@order.test>,[^
]*dsn=4.2.0, reply=451 4.2.0 temp is busy, stat=Deferred: 451 4.2.0 temp is busy" \
	"451 for one recipient: deferred (reply= and stat= as upstream logs them)"
like "$log" "to=<perm@order.test>,[^
]*relay=o1\.order\.test\. \[127\.0\.0\.3\], dsn=5.1.1, reply=550 5.1.1 perm is unknown, stat=User unknown" \
	"550 for one recipient: failed (relay= the MX host reached)"
sb_wait_mail daemon 1
dsn=$(cat "$SB_MAIL"/daemon/msg.* 2>/dev/null)
like "$dsn" "<perm@order.test>[^
]*
?[^
]*550 5.1.1 perm is unknown" "the sender gets a bounce quoting the 550"
[[ $dsn == *"<ok@order.test>"* ]]
ok $((! $?)) "which names only the failed recipient"
qlist=$(dns_run "$SENDMAIL" -C "$SB_CF" -bp 2>&1)
like "$qlist" "temp@order.test" "the deferred recipient stays in the queue (sendmail -bp)"

# the peer now accepts temp@: a queue run delivers it
rt_peer_stop p3
rt_peer p3 127.0.0.3 "$port"
dns_run "$SENDMAIL" -C "$SB_CF" -q >/dev/null 2>&1
like "$(rt_log p3)" "RCPT To:<temp@order.test>" "a queue run delivers the deferred recipient"
[[ $(rt_log p3) == *"RCPT To:<ok@order.test>"* || $(rt_log p3) == *"RCPT To:<perm@order.test>"* ]]
ok $((! $?)) "and only it"
like "$(dns_run "$SENDMAIL" -C "$SB_CF" -bp 2>&1)" "(Mail queue is empty|Total requests: 0)" "the queue is empty afterwards"

# this host among the MX hosts (localhost is in class w)
rt_send daemon@localhost g@half.test
log=$(rt_wait_stat)
like "$(rt_log p3)" "RCPT To:<g@half.test>" "an MX host better than this one takes the mail"
rt_send daemon@localhost h@self.test
log=$(rt_wait_stat)
like "$log" "to=<h@self.test>,[^
]*dsn=5.3.5, stat=Local configuration error" \
	"this host as the best MX, TryNullMXList off: a configuration error, the mail is not sent"
like "$(cat "$SB/daemon.log")" "MX list for self.test.? points back to " "logged as upstream does"
is "$(rt_log p5 | grep -c 'h@self.test')" 0 "the domain's own A record is not tried"
sb_stop
sb_start -OTryNullMXList=True
rt_send daemon@localhost i@self.test
log=$(rt_wait_stat)
like "$(rt_log p5)" "RCPT To:<i@self.test>" "with TryNullMXList the domain's A record is tried as though it had no MX"
done_testing
