#!/usr/bin/env bash
# interop/postfix: Petrel and Debian's Postfix 3.7 (unpacked, not installed;
# tests/lib/peers.sh) relay to each other over STARTTLS on a private
# loopback, each verifying the other's certificate from one test CA:
# Petrel -> Postfix through SMART_HOST (Petrel logs STARTTLS=client verify=OK,
# Postfix logs a Trusted TLS connection and writes "using TLS" and ESMTPS in
# its Received header, the message lands in Postfix's mailbox), Postfix ->
# Petrel through relayhost at smtp_tls_security_level=verify (a Verified TLS
# connection, Petrel's STARTTLS=server verify=OK, Postfix authenticating
# with smtp_sasl_password_maps, ESMTPSA in Petrel's Received header, the
# message in Petrel's mailbox); then Petrel relays through Postfix
# acting as a smart host that demands AUTH over TLS 1.2 (Cyrus SASL, sasldb):
# FEATURE(authinfo) entries with PLAIN and LOGIN get through (sasl_username
# in Postfix's log, ESMTPSA), a wrong password leaves the message queued.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/peers.sh"
peers_enter postfix "$0" "$@"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"
command -v saslpasswd2 >/dev/null || { skip "saslpasswd2 (sasl2-bin) is not installed"; done_testing; }
peers_dns || { skip "$DNS_WHY"; done_testing; }
peers_user victim 42130
w=$(mktemp -d /run/petrel-pf-XXXXXX)
SB_ALL_DIRS="$SB_ALL_DIRS $w"
chmod 755 "$w"
pfport=2525 pfauth=2587

# P: Petrel, local for pt.example.test, Postfix's plain port as smart host
SB_TLS=1 SB_SASL=1 sb_new "MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl" "LOCAL_DOMAIN(\`pt.example.test')dnl" \
	"FEATURE(\`accept_unresolvable_domains')dnl" "define(\`SMART_HOST', \`esmtp:[127.0.0.1]')dnl" \
	"define(\`ESMTP_MAILER_ARGS', \`TCP \$h $pfport')dnl" \
	"define(\`confAUTH_MECHANISMS', \`PLAIN LOGIN CRAM-MD5')dnl"
sb_sasl_user carol sesame
sb_start
ok $? "Petrel starts (certificate for localhost from the test CA, a sasldb with carol)"
sb_save P

# Postfix: local for pf.example.test, Petrel as relayhost, TLS both ways
peers_cert pf.example.test "$w/pftls"
PF_AUTH_PORT=$pfauth PF_AUTH_OPTS="-o smtpd_tls_protocols=!SSLv2,!SSLv3,!TLSv1,!TLSv1.1,!TLSv1.3" pf_new "$w/pf" "$pfport" pf.example.test \
	"smtpd_tls_cert_file = $w/pftls/cert.pem" "smtpd_tls_key_file = $w/pftls/key.pem" \
	"smtpd_tls_CAfile = $w/pftls/ca.pem" "smtpd_tls_security_level = may" \
	"smtpd_tls_ask_ccert = yes" "smtpd_tls_received_header = yes" \
	"smtp_tls_security_level = verify" "smtp_tls_CAfile = $w/pftls/ca.pem" \
	"smtp_tls_cert_file = $w/pftls/cert.pem" "smtp_tls_key_file = $w/pftls/key.pem" \
	"relayhost = [localhost]:$SB_PORT" "smtp_sasl_auth_enable = yes" \
	"smtp_sasl_password_maps = texthash:$w/pfpass" "smtp_sasl_security_options = noanonymous"
printf '[localhost]:%s carol:sesame\n' "$SB_PORT" >"$w/pfpass"
pf_sasl_user "$w/pf" alice secret
pf_start "$w/pf"
ok $? "Postfix 3.7 starts (plain port $pfport, AUTH port $pfauth)"


# Petrel -> Postfix
out=$(peers_send "petrel to postfix" victim@pf.example.test)
like "$out" "STARTTLS=client, relay=[^,]+, version=TLSv1.[23], verify=OK, cipher=" \
	"Petrel's client speaks TLS with Postfix and verifies its certificate"
like "$out" "to=<victim@pf.example.test>, [^
]*mailer=esmtp, [^
]*stat=Sent \(Ok: queued as [0-9A-Za-z]+\)" "Postfix accepts the message (Petrel logs stat=Sent with Postfix's reply)"
peers_wait "$w/pf/maillog" "to=<victim@pf.example.test>.*status=sent \(delivered to mailbox\)" 30
log=$(cat "$w/pf/maillog")
like "$log" "Trusted TLS connection established from localhost\[127.0.0.1\]: TLSv1.[23] with cipher" \
	"Postfix logs a TLS session whose client certificate (Petrel's) it verified"
like "$log" "to=<victim@pf.example.test>.*status=sent \(delivered to mailbox\)" "Postfix delivers it to the mailbox"
box=$(cat "$w/pf/mail/victim" 2>/dev/null)
like "$box" "Received: from mx.example.test \(localhost \[127.0.0.1\]\)
	\(using TLSv1.[23] with cipher [^
]*
(	 [^
]*
)*	\(Client CN \"localhost\", Issuer \"Petrel Test CA\" \(verified OK\)\)
	by pf.example.test \(Postfix\) with ESMTPS id" "Postfix's Received header: TLS, Petrel's certificate verified, ESMTPS"
like "$box" "Subject: petrel to postfix" "the message is in Postfix's mailbox"
like "$box" "Received: from client.test \(localhost \[127.0.0.1\]\)
	by mx.example.test \([^)]*\) with ESMTP id" "and keeps Petrel's own Received header"

# Postfix -> Petrel
out=$(printf 'EHLO client.test\nMAIL FROM:<sender@pf.example.test>\nRCPT TO:<victim@pt.example.test>\nDATA\nSubject: postfix to petrel\n\nbody of postfix to petrel\n.\nQUIT\n' |
	$TALK 127.0.0.1 "$pfport")
like "$out" "S: 250 2.0.0 Ok: queued as" "Postfix takes a message for Petrel's domain"
peers_wait "$w/pf/maillog" "to=<victim@pt.example.test>.*status=" 30
log=$(cat "$w/pf/maillog")
like "$log" "Verified TLS connection established to localhost\[127.0.0.1\]:$SB_PORT: TLSv1.[23]" \
	"Postfix's client verifies Petrel's certificate and name (smtp_tls_security_level verify)"
like "$log" "to=<victim@pt.example.test>, relay=localhost\[127.0.0.1\]:$SB_PORT, .*status=sent \(250 2.0.0 [0-9A-Za-z]+ Message accepted for delivery\)" \
	"Postfix relays it to Petrel"
peers_relayed_in Postfix pf.example.test "(PLAIN|LOGIN|CRAM-MD5)"
msg=$(cat "$SB_MAIL"/victim/msg.* 2>/dev/null)
like "$msg" "body of postfix to petrel" "the message is in Petrel's mailbox"

# Q: Petrel relaying through Postfix's AUTH port with FEATURE(authinfo)
SB_TLS=1 SB_AUTHINFO=1 sb_new "FEATURE(\`accept_unresolvable_domains')dnl" \
	"define(\`SMART_HOST', \`esmtp:[127.0.0.1]')dnl" "define(\`ESMTP_MAILER_ARGS', \`TCP \$h $pfauth')dnl"
sb_start -OLogLevel=10	# AUTH=client lines are logged above 9, as upstream
sb_save Q
out=$(peers_send "no credentials" victim@pf.example.test)
like "$out" "to=<victim@pf.example.test>, [^
]*dsn=5.7.1, reply=554 5.7.1 <victim@pf.example.test>: Recipient address rejected: Access denied, stat=Service unavailable" \
	"without an AuthInfo: entry the smart host refuses the recipient (Petrel logs its 554)"
for mech in PLAIN LOGIN; do
	sb_authinfo "AuthInfo:127.0.0.1	\"U:alice\" \"P:secret\" \"M:$mech\""
	out=$(peers_send "auth $mech" victim@pf.example.test)
	like "$out" "STARTTLS=client, relay=[^,]+, version=TLSv1.2, verify=OK" \
		"Petrel's client speaks TLS 1.2 with the AUTH port (TLS 1.3 disabled there)"
	like "$out" "AUTH=client, relay=[^,]+, mech=$mech, bits=0" "Petrel authenticates with $mech (AUTH=client)"
	like "$out" "stat=Sent \(Ok: queued as" "the smart host accepts the message after $mech"
	peers_wait "$w/pf/maillog" "sasl_method=$mech, sasl_username=alice" 10
	ok $? "Postfix logs sasl_method=$mech, sasl_username=alice"
done
peers_wait "$w/pf/maillog" "status=sent.*" 10
peers_wait "$w/pf/mail/victim" "Subject: auth LOGIN" 30
box=$(cat "$w/pf/mail/victim" 2>/dev/null)
like "$box" "\(verified OK\)\)
	by pf.example.test \(Postfix\) with ESMTPSA id" "Postfix's Received header: authenticated over TLS (ESMTPSA)"
like "$box" "Subject: auth PLAIN" "the PLAIN message is delivered"
like "$box" "Subject: auth LOGIN" "the LOGIN message is delivered"
sb_authinfo "AuthInfo:127.0.0.1	\"U:alice\" \"P:wrong\" \"M:PLAIN\""
out=$(peers_send "wrong password" victim@pf.example.test)
like "$out" "AUTH=client, relay=[^,]+, authinfo failed: 535" "a wrong password: Postfix's 535 is logged"
[[ $out == *"stat=Sent"* ]]
ok $((! $?)) "and the message is not sent"
like "$(cat "$w/pf/maillog")" "SASL PLAIN authentication failed" "Postfix logs the failed authentication"
done_testing
