#!/usr/bin/env bash
# interop/swaks: Debian's swaks as the client of Petrel's daemon, in clear
# and over STARTTLS (verifying Petrel's certificate against the test CA,
# --tls-verify), without AUTH and with AUTH PLAIN and LOGIN (Cyrus SASL with
# a private sasldb), CRAM-MD5 over TLS 1.2: the replies swaks sees, the
# Received header each message gets (ESMTP, ESMTPS, ESMTPA, ESMTPSA, "authenticated"), the
# AUTH=server lines, a wrong password refused with 535, an outside client
# relaying only once authenticated; then `openssl s_client -starttls smtp`
# sees Petrel's certificate (its subject and issuer) and verifies it.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
command -v swaks >/dev/null || { skip "swaks is not installed"; done_testing; }
command -v saslpasswd2 >/dev/null || { skip "saslpasswd2 (sasl2-bin) is not installed"; done_testing; }

sb_private_dns || { skip "$DNS_WHY"; done_testing; }
SB_TLS=1 SB_SASL=1 sb_new "MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl" \
	"define(\`confAUTH_MECHANISMS', \`PLAIN LOGIN CRAM-MD5')dnl" \
	"TRUST_AUTH_MECH(\`PLAIN LOGIN CRAM-MD5')dnl" "FEATURE(\`accept_unresolvable_domains')dnl"
sb_sasl_user alice secret
sb_start -ODeliveryMode=q
ok $? "Petrel starts with a certificate for localhost and a private sasldb (alice)"

# sw ARGS...: swaks against the sandbox, the sender and the server given
sw() {
	timeout 60 swaks --server 127.0.0.1 --port "$SB_PORT" --from sender@example.test \
		--helo client.example.test --tls-ca-path "$SB/tls/ca.pem" "$@" 2>&1
}
# last_received USER: the first Received header of USER's newest message, unfolded
last_received() {
	local f
	f=$(ls -t "$SB_MAIL/$1"/msg.* 2>/dev/null | head -1)
	[ -n "$f" ] && sed -n '/^Received:/{:a;N;/\n[ \t]/{s/\n[ \t]*/ /;ba};P;q}' "$f"
}
# run_queue: delivers what the daemon queued (DeliveryMode q)
run_queue() { sb_sendmail -q >/dev/null 2>&1; }

out=$(sw --to rcpt1@localhost --header "Subject: swaks clear")
like "$out" "<-  250 2.0.0 [0-9A-Za-z]+ Message accepted for delivery" "swaks in clear: the message is accepted"
run_queue
sb_wait_mail rcpt1 1
like "$(last_received rcpt1)" "^Received: from client.example.test \(localhost \[127.0.0.1\]\) by [^ ]+ \([^)]*\) with ESMTP id " \
	"its Received header says ESMTP"

out=$(sw --to rcpt2@localhost --tls --tls-verify --header "Subject: swaks tls")
like "$out" "=== TLS started with cipher TLSv1.[23]:[A-Z0-9_-]+:[0-9]+" "swaks --tls: STARTTLS succeeds"
like "$out" "=== TLS peer DN=\"/O=Petrel tests/CN=localhost\"" "swaks sees Petrel's certificate subject"
like "$out" " ~> QUIT" "and finishes the session over TLS"
like "$out" "<~  250 2.0.0 [0-9A-Za-z]+ Message accepted for delivery" "the message is accepted over TLS (certificate verified by swaks)"
run_queue
sb_wait_mail rcpt2 1
like "$(last_received rcpt2)" "with ESMTPS id [0-9A-Za-z]+ \(version=TLSv1.[23] cipher=[A-Z0-9_-]+ bits=[0-9]+ verify=NO\)" \
	"its Received header says ESMTPS (swaks sends no client certificate: verify=NO)"

out=$(sw --to rcpt3@localhost --auth PLAIN --auth-user alice --auth-password secret --header "Subject: swaks plain")
like "$out" "<-  235 2.0.0 OK Authenticated" "swaks AUTH PLAIN in clear: authenticated"
like "$out" "<-  250 2.0.0 [0-9A-Za-z]+ Message accepted" "the message is accepted"
run_queue
sb_wait_mail rcpt3 1
like "$(last_received rcpt3)" "\(authenticated bits=0\) by [^ ]+ \([^)]*\) with ESMTPA id " \
	"its Received header says authenticated, ESMTPA"

out=$(sw --to rcpt4@localhost --tls --tls-verify --auth LOGIN --auth-user alice --auth-password secret \
	--header "Subject: swaks login")
like "$out" "<~  334 VXNlcm5hbWU6
 ~> YWxpY2U=
<~  334 UGFzc3dvcmQ6
 ~> c2VjcmV0
<~  235 2.0.0 OK Authenticated" "swaks --tls AUTH LOGIN: the Username:/Password: exchange, authenticated"
run_queue
sb_wait_mail rcpt4 1
like "$(last_received rcpt4)" "\(authenticated bits=0\) by [^ ]+ \([^)]*\) with ESMTPSA id [0-9A-Za-z]+ \(version=TLSv1.[23] " \
	"its Received header says authenticated over TLS, ESMTPSA"
log=$(cat "$SB/daemon.log")
like "$log" "AUTH=server, relay=localhost \[127.0.0.1\], authid=alice@petrel.test, mech=PLAIN, bits=0" "the AUTH=server line for PLAIN"
like "$log" "AUTH=server, relay=localhost \[127.0.0.1\], authid=alice@petrel.test, mech=LOGIN, bits=0" "the AUTH=server line for LOGIN"

out=$(sw --to rcpt6@localhost --tls --tls-protocol tlsv1_2 --tls-verify --auth CRAM-MD5 --auth-user alice \
	--auth-password secret --header "Subject: swaks cram-md5 tls1.2")
like "$out" "=== TLS started with cipher TLSv1.2:[A-Z0-9_-]+:[0-9]+" "swaks --tls-protocol tlsv1_2: TLS 1.2 is negotiated"
like "$out" "<~  235 2.0.0 OK Authenticated" "swaks AUTH CRAM-MD5 over TLS 1.2: authenticated"
run_queue
sb_wait_mail rcpt6 1
like "$(last_received rcpt6)" "with ESMTPSA id [0-9A-Za-z]+ \(version=TLSv1.2 cipher=[A-Z0-9_-]+ bits=[0-9]+ verify=NO\)" \
	"its Received header says TLSv1.2, ESMTPSA"
like "$(cat "$SB/daemon.log")" "AUTH=server, relay=localhost \[127.0.0.1\], authid=alice@petrel.test, mech=CRAM-MD5, bits=0" \
	"the AUTH=server line for CRAM-MD5"

out=$(sw --to rcpt5@localhost --tls --auth PLAIN --auth-user alice --auth-password wrong)
like "$out" "<~\* 535 5.7.0 authentication failed" "a wrong password gets 535"
like "$(cat "$SB/daemon.log")" "AUTH failure \(PLAIN\): authentication failure \(-13\)" "and the failure is logged"

# an outside client (127.0.0.2) relays only once authenticated
out=$(sw --to far@remote.test --local-interface 127.0.0.2 --tls --quit-after RCPT)
like "$out" "<~\* 550 5.7.1 <far@remote.test>... Relaying denied" "an outside client without AUTH may not relay"
out=$(sw --to far@remote.test --local-interface 127.0.0.2 --tls --auth PLAIN --auth-user alice \
	--auth-password secret --quit-after RCPT)
like "$out" "<~  250 2.1.5 <far@remote.test>... Recipient ok" "the same client may relay after AUTH PLAIN"

# openssl s_client sees Petrel's certificate
s_out=$(printf 'QUIT\r\n' | timeout 20 openssl s_client -starttls smtp -connect "127.0.0.1:$SB_PORT" \
	-CAfile "$SB/tls/ca.pem" -verify_return_error 2>&1)
like "$s_out" "subject=O = Petrel tests, CN = localhost" "openssl s_client -starttls smtp sees the certificate's subject"
like "$s_out" "issuer=O = Petrel tests, CN = Petrel Test CA" "and its issuer, the test CA"
like "$s_out" "Verification: OK" "and verifies it"
done_testing
