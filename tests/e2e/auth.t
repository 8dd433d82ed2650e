#!/usr/bin/env bash
# auth: SMTP AUTH in the server through Cyrus SASL with a private sasldb:
# the mechanisms offered (AuthMechanisms within SASL's, AuthOptions p hiding
# PLAIN and LOGIN until STARTTLS), PLAIN, LOGIN and CRAM-MD5 exchanges,
# upstream's replies to every misuse, the AUTH=server and "AUTH failure
# (MECH): ..." log lines, authenticated clients relaying from an outside
# address (TRUST_AUTH_MECH) while others may not, ESMTPA/ESMTPSA and
# "(authenticated bits=0)" in the Received header, the MAIL AUTH= parameter
# through trust_auth, authentication forgotten after STARTTLS, and the
# daemon modifiers M=a (AUTH required) and M=A (no AUTH).
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"
command -v saslpasswd2 >/dev/null || { skip "saslpasswd2 (sasl2-bin) is not installed"; done_testing; }

sb_private_dns || { skip "$DNS_WHY"; done_testing; }
msa_port=$(sb_free_port) noauth_port=$(sb_free_port)
SB_TLS=1 SB_SASL=1 sb_new "MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl" \
	"define(\`confAUTH_MECHANISMS', \`PLAIN LOGIN CRAM-MD5 EXTERNAL')dnl" \
	"TRUST_AUTH_MECH(\`PLAIN LOGIN CRAM-MD5')dnl" "define(\`confAUTH_OPTIONS', \`p,y')dnl" \
	"FEATURE(\`accept_unresolvable_domains')dnl" \
	"DAEMON_OPTIONS(\`Port=$msa_port, Addr=127.0.0.1, Name=MSA, M=a')dnl" \
	"DAEMON_OPTIONS(\`Port=$noauth_port, Addr=127.0.0.1, Name=NOAUTH, M=A')dnl"
sb_sasl_user alice secret
ok $? "a sandbox with a private sasldb (alice)"
sb_start -ODeliveryMode=q
ok $? "the daemon starts"
plain=$(printf '\0alice\0secret' | base64)
bad=$(printf '\0alice\0wrong' | base64)
user=$(printf alice | base64) pass=$(printf secret | base64) wrong=$(printf wrong | base64)
# talk SCRIPT: the session from the outside address 127.0.0.2
talk() { printf "$@" | $TALK 127.0.0.1 "$SB_PORT" --bind 127.0.0.2; }

out=$(talk 'EHLO client.test\nAUTH PLAIN %s\nQUIT\n' "$plain")
like "$out" "S: 250-AUTH CRAM-MD5
S: 250-STARTTLS" "before TLS only CRAM-MD5 is offered (AuthOptions p), before STARTTLS as upstream orders them"
like "$out" "C: AUTH PLAIN [^
]*
S: 504 5.3.3 AUTH mechanism PLAIN not available" "PLAIN before TLS gets 504"

out=$(talk "EHLO client.test\nSTARTTLS\nEHLO client.test\nAUTH PLAIN $plain\nMAIL FROM:<a@example.test>\nRCPT TO:<victim@remote.test>\nDATA\nSubject: relayed by alice\n\nbody\n.\nAUTH PLAIN $plain\nQUIT\n")
like "$out" "S: 250-AUTH PLAIN LOGIN CRAM-MD5" "over TLS PLAIN and LOGIN are offered too"
like "$out" "C: AUTH PLAIN [^
]*
S: 235 2.0.0 OK Authenticated" "PLAIN with the right password: 235"
like "$out" "C: RCPT TO:<victim@remote.test>
S: 250 2.1.5 " "an authenticated outside client may relay (TRUST_AUTH_MECH)"
like "$out" "Message accepted for delivery
C: AUTH PLAIN [^
]*
S: 503 5.5.0 Already Authenticated" "a second AUTH gets 503"
log=$(cat "$SB/daemon.log")
like "$log" "AUTH=server, relay=[^
]*\[127.0.0.2\], authid=alice@petrel.test, mech=PLAIN, bits=0" "the AUTH=server log line"
like "$log" "proto=ESMTPSA, daemon=MTA" "the message's protocol is ESMTPSA"

out=$(talk "EHLO client.test\nSTARTTLS\nEHLO client.test\nAUTH LOGIN\n$user\n$pass\nMAIL FROM:<a@example.test>\nRCPT TO:<victim@remote.test>\nQUIT\n")
like "$out" "C: AUTH LOGIN
S: 334 VXNlcm5hbWU6
C: [^
]*
S: 334 UGFzc3dvcmQ6
C: [^
]*
S: 235 2.0.0 OK Authenticated" "LOGIN: Username:, Password:, 235"
like "$out" "S: 250 2.1.5 <victim@remote.test>" "and may relay"

out=$(talk "EHLO client.test\nSTARTTLS\nEHLO client.test\nAUTH LOGIN\n$user\n$wrong\nMAIL FROM:<a@example.test>\nRCPT TO:<victim@remote.test>\nQUIT\n")
like "$out" "S: 535 5.7.0 authentication failed" "a wrong password: 535"
like "$out" "C: RCPT TO:<victim@remote.test>
S: 550 5.7.1 <victim@remote.test>... Relaying denied" "and no relaying"
like "$(cat "$SB/daemon.log")" "AUTH failure \(LOGIN\): authentication failure \(-13\) SASL\(-13\): authentication failure: [^,]*, user=alice@petrel.test, relay=[^
]*\[127.0.0.2\]" "the failure is logged as upstream does: AUTH failure (LOGIN): ..."

if command -v swaks >/dev/null; then
	out=$(swaks --server "127.0.0.1:$SB_PORT" --local-interface 127.0.0.2 --auth CRAM-MD5 \
		--auth-user alice --auth-password secret --to root@localhost --from a@example.test \
		--header "Subject: cram" 2>&1)
	like "$out" "<-  235 2.0.0 OK Authenticated" "swaks authenticates with CRAM-MD5 without TLS"
	out=$(swaks --server "127.0.0.1:$SB_PORT" --local-interface 127.0.0.2 --tls --auth PLAIN \
		--auth-user alice --auth-password secret --to root@localhost --from a@example.test \
		--header "Subject: swaks plain" 2>&1)
	like "$out" "<~  235 2.0.0 OK Authenticated" "swaks authenticates with PLAIN over TLS"
else
	skip "swaks is not installed"
	skip "swaks is not installed"
fi

# the misuses, with upstream's replies
out=$(talk "EHLO client.test\nAUTH\nAUTH FOO\nAUTH CRAM-MD5 !!!\nAUTH CRAM-MD5\n*\nAUTH CRAM-MD5\n!!!\nMAIL FROM:<a@example.test>\nAUTH CRAM-MD5\nQUIT\n")
like "$out" "C: AUTH
S: 501 5.5.2 AUTH mechanism must be specified" "AUTH without a mechanism: 501"
like "$out" "C: AUTH FOO
S: 504 5.3.3 AUTH mechanism FOO not available" "an unknown mechanism: 504"
like "$out" "S: 501 5.5.4 cannot BASE64 decode '!!!'" "an initial response that is not base64: 501"
like "$out" "C: \*
S: 501 5.0.0 AUTH aborted" "\"*\" aborts the exchange: 501"
like "$out" "C: !!!
S: 501 5.5.4 cannot decode AUTH parameter !!!" "a response that is not base64: 501"
like "$out" "C: AUTH CRAM-MD5
S: 503 5.5.0 AUTH not permitted during a mail transaction" "AUTH inside a transaction: 503"

# without AUTH an outside client may not relay
out=$(talk 'EHLO client.test\nMAIL FROM:<a@example.test>\nRCPT TO:<victim@remote.test>\nQUIT\n')
like "$out" "C: RCPT TO:<victim@remote.test>
S: 550 5.7.1 <victim@remote.test>... Relaying denied" "without AUTH an outside client may not relay"

# STARTTLS forgets an authentication made before it
cram_then_tls=$(python3 - "$SB_PORT" <<'PY'
import smtplib, ssl, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), source_address=("127.0.0.2", 0))
s.ehlo("client.test")
s.login("alice", "secret")     # CRAM-MD5: the only mechanism offered in clear
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s.starttls(context=ctx)
s.ehlo("client.test")
s.mail("a@example.test")
print(s.rcpt("victim@remote.test"))
s.quit()
PY
)
like "$cram_then_tls" "^\(550, " "an authentication before STARTTLS no longer counts after it"

# the AUTH= parameter of MAIL, through trust_auth (the qf's A line)
out=$(talk "EHLO client.test\nSTARTTLS\nEHLO client.test\nAUTH PLAIN $plain\nMAIL FROM:<a@example.test> AUTH=<bob@example.test>\nRCPT TO:<root@localhost>\nDATA\nSubject: authparam1\n\nx\n.\nMAIL FROM:<a@example.test> AUTH=alice+40petrel.test\nRCPT TO:<root@localhost>\nDATA\nSubject: authparam2\n\nx\n.\nQUIT\n")
q1=$(grep -l "authparam1" "$SB"/mqueue/qf* 2>/dev/null | head -1)
q2=$(grep -l "authparam2" "$SB"/mqueue/qf* 2>/dev/null | head -1)
is "$(grep -a '^A' "$q1" 2>/dev/null)" "A<>" "AUTH= naming someone else is not trusted: stored as <>"
is "$(grep -a '^A' "$q2" 2>/dev/null)" "Aalice+40petrel.test" "AUTH= naming the authenticated user is kept"
like "$(grep -a -A3 '^H??Received' "$q1")" "\(authenticated bits=0\)
	by [^ ]+ \([^)]*\) with ESMTPSA id" "the Received header says authenticated, ESMTPSA"

# EXTERNAL (in AuthMechanisms): offered over TLS when the client's certificate verified; its subject is the user
out=$(printf 'EHLO client.test\nSTARTTLS\nEHLO client.test\nAUTH EXTERNAL =\nQUIT\n' |
	$TALK 127.0.0.1 "$SB_PORT" --bind 127.0.0.2 --cert "$SB/tls/cert.pem" --key "$SB/tls/key.pem")
like "$out" "S: 250-AUTH PLAIN LOGIN CRAM-MD5 EXTERNAL" "with a verified certificate EXTERNAL is offered too (AuthMechanisms order)"
like "$out" "C: AUTH EXTERNAL =
S: 235 2.0.0 OK Authenticated" "AUTH EXTERNAL authenticates with the certificate"
like "$(cat "$SB/daemon.log")" "AUTH=server, relay=\[127.0.0.2\], authid=/O\+3DPetrel\+2B20tests/CN\+3Dlocalhost(@petrel.test)?, mech=EXTERNAL" \
	"the authentication id is {cert_subject}, logged xtext-encoded again (+ and = as +2B and +3D)"
out=$(talk 'EHLO client.test\nSTARTTLS\nEHLO client.test\nAUTH EXTERNAL =\nQUIT\n')
printf '%s\n' "$out" | grep -q '^S: 250-AUTH .*EXTERNAL'
ok $((! $?)) "without a client certificate EXTERNAL is not offered"
like "$out" "C: AUTH EXTERNAL =
S: 504 5.3.3 AUTH mechanism EXTERNAL not available" "and AUTH EXTERNAL gets 504"

# M=a: AUTH required; M=A: no AUTH
out=$(printf 'EHLO client.test\nMAIL FROM:<a@example.test>\nQUIT\n' | $TALK 127.0.0.1 "$msa_port")
like "$out" "C: MAIL FROM:<a@example.test>
S: 530 5.7.0 Authentication required" "a daemon with M=a refuses MAIL before AUTH"
out=$(printf "EHLO client.test\nAUTH CRAM-MD5\nQUIT\n" | $TALK 127.0.0.1 "$noauth_port")
[[ $out == *"250-AUTH"* ]]
ok $((! $?)) "a daemon with M=A does not offer AUTH"
like "$out" "S: 503 5.3.3 AUTH not available" "and answers AUTH with 503"
done_testing
