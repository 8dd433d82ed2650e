#!/usr/bin/env bash
# routing_virtuser: virtusertable (user@domain, the @domain catch-all, %1 in
# the right-hand side, error: entries), local-host-names (class w from
# FEATURE(use_cw_file)), FEATURE(redirect) (551 and the new address) and
# FEATURE(always_bcc) (a copy in the envelope only), end to end: mail sent
# into a running daemon over SMTP reaches mailboxes or a scripted peer on
# 127.0.0.2, whose envelope and headers are checked.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/routing.sh"

rt_dns remote.test virt.test lh.test catch.test elsewhere.test || { skip "$DNS_WHY"; done_testing; }
port=$(sb_free_port)
rt_mailer_args "$port"
vt=$RT_DIR/virtusertable
cat >"$vt" <<VT
info@virt.test	sys
sales@virt.test	orders@remote.test
gone@virt.test	error:5.1.1:550 gone is gone
later@virt.test	error:4.2.1:450 later is busy
@virt.test	%1+virt@remote.test
@catch.test	bin
VT
"$PETREL_BUILDDIR/makemap/makemap" hash "$vt" <"$vt"
printf 'lh.test\nvirt.test\n' >"$RT_DIR/local-host-names"
mt=$RT_DIR/mailertable
printf 'remote.test\tesmtp:[127.0.0.2]\n' >"$mt"
"$PETREL_BUILDDIR/makemap/makemap" hash "$mt" <"$mt"
sb_new "${RT_MC[@]}" "define(\`confCW_FILE', \`$RT_DIR/local-host-names')dnl" \
	"FEATURE(\`use_cw_file')dnl" "FEATURE(\`virtusertable', \`hash $vt')dnl" \
	"VIRTUSER_DOMAIN(\`catch.test')dnl" "FEATURE(\`mailertable', \`hash $mt')dnl" \
	"FEATURE(\`redirect')dnl" "FEATURE(\`always_bcc', \`archive@remote.test')dnl"
printf 'postmaster: root\nroot: rootbox\nmoved: newhome@remote.test.REDIRECT\n' >"$SB/aliases"
sb_sendmail -bi >/dev/null
sb_start
ok $? "a daemon with a virtusertable, local-host-names, redirect and always_bcc starts"
rt_peer p2 127.0.0.2 "$port"

rt_send a@localhost info@virt.test,sales@virt.test,bob@virt.test,x@catch.test,daemon@lh.test \
	"To: info@virt.test, sales@virt.test"
log=$(rt_wait_stat 6)
like "$RT_OUT" "S: 250 2.0.0 [0-9A-Za-z]+ Message accepted" "the message is accepted"
sb_wait_mail sys 1
is "$(sb_count sys)" 1 "info@virt.test -> sys, a local user"
sb_wait_mail daemon 1
is "$(sb_count daemon)" 1 "daemon@lh.test is local: lh.test is in local-host-names (class w)"
sb_wait_mail bin 1
is "$(sb_count bin)" 1 "@catch.test (VIRTUSER_DOMAIN) catches any user for bin"
p2=$(rt_log p2)
like "$p2" "RCPT To:<orders@remote.test>" "sales@virt.test -> orders@remote.test goes to the peer"
like "$p2" "RCPT To:<bob\+virt@remote.test>" "the @virt.test catch-all puts the user in %1"
like "$p2" "RCPT To:<archive@remote.test>" "always_bcc: the copy's address is an envelope recipient"
[[ $p2 == *"D1: "*archive* ]]
ok $((! $?)) "and appears in no header"
like "$(cat "$SB_MAIL"/sys/msg.*)" "(^|
)To: info@virt.test, sales@virt.test" "the headers keep the addresses as sent"

rt_send a@localhost gone@virt.test
like "$RT_OUT" "S: 550 5.1.1 <gone@virt.test>\.\.\. gone is gone" "an error: entry refuses at RCPT with its code"
rt_send a@localhost later@virt.test
like "$RT_OUT" "S: 450 4.2.1 <later@virt.test>\.\.\. later is busy" "a 4xx error: entry defers at RCPT"
rt_send a@localhost nobody@elsewhere.test
like "$RT_OUT" "S: 250 2.1.5 <nobody@elsewhere.test>" "a domain not in class w is not local (relayed from localhost)"

rt_send a@localhost moved@localhost
like "$RT_OUT" "S: 551 5.1.1 <moved@localhost>\.\.\. User has moved; please try <newhome@remote.test>" \
	"redirect: an alias to address.REDIRECT answers 551 with the new address"
done_testing
