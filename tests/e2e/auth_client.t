#!/usr/bin/env bash
# auth_client: Petrel authenticates as an SMTP client to a smart host that
# demands AUTH: FEATURE(authinfo) entries ("U:" "P:" "M:") choose PLAIN or
# LOGIN over TLS against a scripted server (tests/lib/fake_smtpd.py), a
# wrong password or a missing entry leaves the message unsent, the
# DefaultAuthInfo file serves when no entry does, the AUTH=client log line;
# then Petrel relays through another Petrel that requires AUTH (M=a) with a
# private sasldb, the second one logging AUTH=server for the first.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
command -v saslpasswd2 >/dev/null || { skip "saslpasswd2 (sasl2-bin) is not installed"; done_testing; }

sb_private_dns || { skip "$DNS_WHY"; done_testing; }
fport=$(sb_free_port)
SB_TLS=1 SB_AUTHINFO=1 sb_new "define(\`SMART_HOST', \`esmtp:[127.0.0.1]')dnl" \
	"define(\`ESMTP_MAILER_ARGS', \`TCP \$h $fport')dnl"
ok $? "a sandbox with FEATURE(authinfo) relaying to a smart host"
sb_authinfo "AuthInfo:127.0.0.1	\"U:alice\" \"P:secret\" \"M:PLAIN\""

# fake ARGS...: (re)starts the scripted server on $fport, with TLS and AUTH
fake() {
	sb_fake "$fport" --cert "$SB/tls/cert.pem" --key "$SB/tls/key.pem" \
		--auth "PLAIN LOGIN" --user alice --password secret "$@"
}
send() { sb_relay_one "$@"; }

sb_start -OLogLevel=10	# upstream logs AUTH=client above LogLevel 9
fake
out=$(send "plain")
like "$out" "AUTH=client, relay=[^,]+, mech=PLAIN, bits=0" "PLAIN as the entry's M: says (AUTH=client line)"
like "$out" "stat=Sent" "the message is sent"
log=$(cat "$SB/fake.log")
like "$log" "T1: TLS up
C1: EHLO [^
]*
C1: AUTH PLAIN [^
]*
A1: user=alice ok
C1: MAIL " "over TLS, AUTH before MAIL, and the server accepted alice"

sb_authinfo "AuthInfo:127.0.0.1	\"U:alice\" \"P=$(printf secret | base64)\" \"M:LOGIN\""
fake
out=$(send "login")
like "$out" "mech=LOGIN, bits=0" "LOGIN as M: says, with a P= (base64) password"
like "$out" "stat=Sent" "the message is sent"
like "$(cat "$SB/fake.log")" "C1: AUTH LOGIN
A1: user=alice ok" "the LOGIN exchange"

sb_authinfo "AuthInfo:127.0.0.1	\"U:alice\" \"P:wrong\" \"M:PLAIN\""
fake
out=$(send "wrong password")
[[ $out == *"stat=Sent"* ]]
ok $((! $?)) "a wrong password: the message is not sent"
like "$(cat "$SB/fake.log")" "A1: user=alice refused" "the server refused the credentials"
like "$out" "AUTH=client, relay=[^,]+, authinfo failed: 535" "the refusal is logged"

# no entry for this server: DefaultAuthInfo
sb_authinfo "AuthInfo:elsewhere.test	\"U:bob\" \"P:x\""
fake
out=$(send "no entry")
like "$out" "reply=530 [^,]*, stat=Service unavailable" \
	"no authinfo entry and no DefaultAuthInfo: not sent (530 from the server, logged as upstream)"
printf 'alice\n\nsecret\n\nPLAIN\n' >"$SB/default-auth-info"
chmod 600 "$SB/default-auth-info"
sb_stop
sb_start -OLogLevel=10 -ODefaultAuthInfo="$SB/default-auth-info"
fake
out=$(send "default auth info")
like "$out" "mech=PLAIN" "DefaultAuthInfo serves when no entry does"
like "$out" "stat=Sent" "and the message is sent"
sb_stop
sb_save A

# Petrel to Petrel: B requires AUTH (M=a) and knows alice in its sasldb
SB_TLS=1 SB_SASL=1 sb_new "MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl" \
	"define(\`confAUTH_MECHANISMS', \`PLAIN LOGIN CRAM-MD5')dnl" "LOCAL_DOMAIN(\`remote.test')dnl" \
	"FEATURE(\`accept_unresolvable_domains')dnl" "FEATURE(\`no_default_msa')dnl" \
	"DAEMON_OPTIONS(\`Port=$fport, Addr=127.0.0.1, Name=MSA, M=a')dnl"
sb_sasl_user alice secret
sb_fake_stop
sb_start
ok $? "a second Petrel listens on $fport and requires AUTH there"
sb_save B
sb_load A
sb_authinfo "AuthInfo:127.0.0.1	\"U:alice\" \"P:secret\" \"M:PLAIN\""
sb_start -OLogLevel=10
sb_save A
out=$(send "petrel to petrel")
like "$out" "AUTH=client, relay=[^,]+, mech=PLAIN" "the first Petrel authenticates to the second"
like "$out" "stat=Sent" "which accepts the message"
sb_load B
sb_wait_mail victim 1
like "$(cat "$SB/daemon.log")" "AUTH=server, relay=localhost \[127.0.0.1\], authid=alice@petrel.test, mech=PLAIN" \
	"the second Petrel logs AUTH=server for alice"
like "$(cat "$SB_MAIL"/victim/msg.* 2>/dev/null)" "\(authenticated bits=0\)
	by [^
]* with ESMTPSA id" "its Received header: authenticated, ESMTPSA"
sb_load A
sb_stop
sb_start
out=$(send "petrel to petrel at LogLevel 9")
like "$out" "stat=Sent" "at the default LogLevel (9) the message is sent as well"
[[ $out == *"AUTH=client"* ]]
ok $((! $?)) "but no AUTH=client line is logged (upstream logs it above LogLevel 9 only)"
done_testing
