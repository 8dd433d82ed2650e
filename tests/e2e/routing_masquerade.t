#!/usr/bin/env bash
# routing_masquerade: masquerading and genericstable on outgoing mail, end to
# end: messages sent into a running daemon over SMTP are relayed to a scripted
# peer on 127.0.0.2 (tests/lib/fake_smtpd.py), and the envelope sender and
# the headers it receives are checked: MASQUERADE_AS for this host's names,
# MASQUERADE_DOMAIN with FEATURE(masquerade_entire_domain), EXPOSED_USER,
# FEATURE(masquerade_envelope) (and the envelope left alone without it),
# FEATURE(allmasquerade) for recipient headers, and FEATURE(genericstable)
# with GENERICS_DOMAIN.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/routing.sh"

dns_record --host-record=corp.test,127.0.0.9 --host-record=other.test,127.0.0.9
rt_dns remote.test corp.test masq.test public.test other.test || { skip "$DNS_WHY"; done_testing; }
port=$(sb_free_port)
rt_mailer_args "$port"
RT_MC+=("define(\`SMART_HOST', \`esmtp:[127.0.0.2]')dnl")
rt_peer p2 127.0.0.2 "$port"

# msg FROM HEADERS: sends one message to out@remote.test; prints what the
# peer received since the previous one (the connection may be a cached one)
msg() {
	local before
	before=$(rt_log p2 | wc -l)
	rt_send "$1" out@remote.test "$2"
	rt_wait_stat >/dev/null
	for _ in $(seq 1 100); do
		rt_log p2 | tail -n +$((before + 1)) | grep -q '^D[0-9]*: body line' && break
		sleep 0.1
	done
	rt_log p2 | tail -n +$((before + 1)) | sed -n "s/^[CD][0-9]*: //p"
}

sb_new "${RT_MC[@]}" "MASQUERADE_AS(\`masq.test')dnl" "MASQUERADE_DOMAIN(\`corp.test')dnl" \
	"FEATURE(\`masquerade_entire_domain')dnl" "FEATURE(\`masquerade_envelope')dnl" \
	"EXPOSED_USER(\`root')dnl" "FEATURE(\`allmasquerade')dnl"
sb_start
ok $? "a daemon masquerading as masq.test starts"
got=$(msg alice@localhost "From: Bob <bob@x.corp.test>
Sender: carol@corp.test
Reply-To: root@localhost
To: erin, frank@other.test")
like "$got" "MAIL From:<alice@masq.test>" "masquerade_envelope: the envelope sender alice@localhost becomes alice@masq.test"
like "$got" "(^|
)From: Bob <bob@masq.test>" "masquerade_entire_domain: From: bob@x.corp.test becomes bob@masq.test"
like "$got" "(^|
)Sender: carol@masq.test" "MASQUERADE_DOMAIN: Sender: carol@corp.test becomes carol@masq.test"
like "$got" "(^|
)Reply-To: root@" "EXPOSED_USER: root keeps its host"
[[ $got == *"Reply-To: root@masq.test"* ]]
ok $((! $?)) "root is not masqueraded"
like "$got" "(^|
)To: erin@masq.test, frank@other.test" "allmasquerade: recipient headers are masqueraded too, others left alone"
like "$got" "RCPT To:<out@remote.test>" "the recipient is not masqueraded"
sb_stop

sb_new "${RT_MC[@]}" "MASQUERADE_AS(\`masq.test')dnl" "MASQUERADE_DOMAIN(\`corp.test')dnl"
sb_start
got=$(msg alice@localhost "From: bob@corp.test
Cc: dave@x.corp.test
To: erin")
like "$got" "MAIL From:<alice@" "without masquerade_envelope the envelope sender keeps this host's name"
[[ $got == *"MAIL From:<alice@masq.test>"* ]]
ok $((! $?)) "(not alice@masq.test)"
like "$got" "(^|
)From: bob@masq.test" "MASQUERADE_DOMAIN: From: bob@corp.test becomes bob@masq.test"
like "$got" "(^|
)Cc: dave@x.corp.test" "without masquerade_entire_domain a subdomain is left alone"
[[ $got == *"To: erin@masq.test"* ]]
ok $((! $?)) "without allmasquerade recipient headers are not masqueraded"
sb_stop

gt=$RT_DIR/genericstable
printf 'alice\talice.smith@public.test\nbob@corp.test\trobert.jones@public.test\n' >"$gt"
"$PETREL_BUILDDIR/makemap/makemap" hash "$gt" <"$gt"
sb_new "${RT_MC[@]}" "FEATURE(\`genericstable', \`hash $gt')dnl" "GENERICS_DOMAIN(\`corp.test')dnl" \
	"FEATURE(\`masquerade_envelope')dnl"
sb_start
ok $? "a daemon with a genericstable starts"
got=$(msg bob@corp.test "From: alice@corp.test
Sender: bob@corp.test
Cc: carol@corp.test")
like "$got" "(^|
)From: alice.smith@public.test" "genericstable: a user of GENERICS_DOMAIN found by name"
like "$got" "(^|
)Sender: robert.jones@public.test" "and by user@domain"
like "$got" "(^|
)Cc: carol@corp.test" "a user without an entry is left alone"
like "$got" "MAIL From:<robert.jones@public.test>" "with masquerade_envelope the envelope sender is rewritten too"
got=$(msg bob@other.test "From: alice@other.test")
like "$got" "(^|
)From: alice@other.test" "a domain not in GENERICS_DOMAIN is left alone"
done_testing
