#!/usr/bin/env bash
# starttls: the server side of STARTTLS, end to end: offered in EHLO when
# certificates are configured (not when srv_features says S, nor on a port
# with M=S, nor without certificates), the configured certificate seen by
# `openssl s_client -starttls smtp`, upstream's replies (501 with an
# argument, 503 inside a transaction, 454 once TLS is active), the session
# reset after the handshake (EHLO forgotten, STARTTLS no longer offered),
# the STARTTLS log line, the TLS part of the Received header, smtps ports
# (M=s), a failed handshake ending the session, and the tls_client ruleset
# with a TLS_Clt: access entry turning away clients without a certificate.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"
command -v openssl >/dev/null || { skip "openssl is not installed"; done_testing; }

sb_private_dns || { skip "$DNS_WHY"; done_testing; }
smtps_port=$(sb_free_port)
SB_TLS=1 SB_ACCESS=1 sb_new "MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl" \
	"define(\`confPRIVACY_FLAGS', \`needmailhelo')dnl" \
	"DAEMON_OPTIONS(\`Port=$smtps_port, Addr=127.0.0.1, Name=SMTPS, M=s')dnl"
ok $? "a sandbox with certificates compiles"
sb_start
ok $? "the daemon starts with STARTTLS configured"
CA=$SB/tls/ca.pem

out=$(printf 'EHLO client.test\nQUIT\n' | $TALK 127.0.0.1 "$SB_PORT")
like "$out" "S: 250-ETRN
(S: 250-AUTH [^
]*
)?S: 250-STARTTLS
S: 250-DELIVERBY" "EHLO offers STARTTLS, where upstream lists it (after ETRN and AUTH)"

# the certificate openssl sees is the one configured, and it verifies against the CA
s_out=$(printf 'QUIT\r\n' | timeout 20 openssl s_client -starttls smtp -connect "127.0.0.1:$SB_PORT" \
	-CAfile "$CA" -showcerts -ign_eof 2>&1)
like "$s_out" "Verification: OK" "openssl s_client -starttls smtp verifies the server against the test CA"
want=$(openssl x509 -in "$SB/tls/cert.pem" -noout -fingerprint -sha256)
got=$(printf '%s\n' "$s_out" | sed -n '/BEGIN CERT/,/END CERT/p' | sed '/END CERT/q' |
	openssl x509 -noout -fingerprint -sha256 2>&1)
is "$got" "$want" "openssl s_client sees the configured certificate (same SHA-256 fingerprint)"
like "$s_out" "221 2.0.0" "the session goes on over TLS (QUIT answered)"

out=$(printf 'EHLO client.test\nSTARTTLS now\nMAIL FROM:<a@localhost>\nSTARTTLS\nQUIT\n' |
	$TALK 127.0.0.1 "$SB_PORT")
like "$out" "C: STARTTLS now
S: 501 5.5.2 Syntax error \(no parameters allowed\)" "STARTTLS with an argument gets 501"
like "$out" "C: STARTTLS
S: 503 5.5.0 TLS not permitted during a mail transaction" "STARTTLS inside a transaction gets 503"

out=$($TALK 127.0.0.1 "$SB_PORT" --cafile "$CA" <<'SMTP'
EHLO client.test
STARTTLS
MAIL FROM:<a@localhost>
EHLO client.test
STARTTLS
MAIL FROM:<a@localhost>
RCPT TO:<root@localhost>
DATA
Subject: over TLS

sent over TLS
.
QUIT
SMTP
)
like "$out" "S: 220 2.0.0 Ready to start TLS
T: version=TLSv1.[23] cipher=[^ ]+ subject=organizationName=Petrel tests,commonName=localhost verified=yes" \
	"STARTTLS: 220, then a handshake with the configured certificate"
like "$out" "T: [^
]*
C: MAIL FROM:<a@localhost>
S: 503 5.0.0 Polite people say HELO first" "the EHLO given before TLS is forgotten (needmailhelo)"
ehlo2=$(printf '%s\n' "$out" | sed -n '/^C: EHLO/,/^S: 250 HELP/p' | sed -n '2,$p' | sed -n '/^C: EHLO/,$p')
like "$ehlo2" "S: 250-DSN" "EHLO over TLS is answered"
[[ $ehlo2 == *STARTTLS* ]]
ok $((! $?)) "EHLO over TLS no longer offers STARTTLS"
like "$out" "S: 250 HELP
C: STARTTLS
S: 454 4.3.3 TLS not available after start" "a second STARTTLS gets 454"
like "$out" "S: 250 2.0.0 [0-9A-Za-z]+ Message accepted for delivery" "a message is accepted over TLS"
sb_wait_mail rootbox 1
msg=$(cat "$SB_MAIL"/rootbox/msg.* 2>/dev/null)
like "$msg" "with ESMTPS id [0-9A-Za-z]+
	\(version=TLSv1.[23] cipher=[A-Z0-9_-]+ bits=[0-9]+ verify=NO\)" \
	"the Received header has the TLS part (ESMTPS; verify=NO: no client certificate)"
log=$(cat "$SB/daemon.log")
like "$log" "STARTTLS=server, relay=localhost \[127.0.0.1\], version=TLSv1.[23], verify=NO, cipher=[A-Z0-9_-]+, bits=[0-9]+/[0-9]+" \
	"the STARTTLS=server log line in upstream's shape"
like "$log" "proto=ESMTPS, daemon=MTA" "the from= line says proto=ESMTPS"

# a client certificate signed by the CA: verify=OK in the header
out=$(printf 'EHLO client.test\nSTARTTLS\nEHLO client.test\nMAIL FROM:<a@localhost>\nRCPT TO:<root@localhost>\nDATA\nSubject: with a certificate\n\nbody\n.\nQUIT\n' |
	$TALK 127.0.0.1 "$SB_PORT" --cert "$SB/tls/cert.pem" --key "$SB/tls/key.pem")
like "$out" "Message accepted" "a client with a certificate sends a message"
sb_wait_mail rootbox 2
like "$(grep -l 'with a certificate' "$SB_MAIL"/rootbox/msg.* | xargs cat)" "verify=OK\)" \
	"a verified client certificate gives verify=OK"

# session resumption: a client that kept its session (Debian's Postfix does by
# default) resumes it in a later connection instead of failing the handshake;
# a resumed session keeps the client certificate's verification
okline="STARTTLS=server, relay=localhost \[127.0.0.1\], version=TLSv1.[23], verify=OK,"
n0=$(grep -cE "$okline" "$SB/daemon.log")
tls_client() { (sleep 1; printf 'QUIT\r\n') | timeout 20 openssl s_client "$@" -starttls smtp \
	-connect "127.0.0.1:$SB_PORT" -CAfile "$CA" -cert "$SB/tls/cert.pem" -key "$SB/tls/key.pem" \
	-ign_eof 2>&1; }
for v in 2 3; do
	s1=$(tls_client -tls1_$v -sess_out "$SB/tls/session.$v")
	like "$s1" "New, TLSv1\.$v" "TLS 1.$v: a first handshake; the client keeps the session"
	s2=$(tls_client -tls1_$v -sess_in "$SB/tls/session.$v")
	like "$s2" "Reused, TLSv1\.$v" "TLS 1.$v: the next connection resumes it"
	like "$s2" "221 2.0.0" "TLS 1.$v: and the session goes on over TLS (QUIT answered)"
	[[ $s2 == *"alert internal error"* ]]
	ok $((! $?)) "TLS 1.$v: no internal error alert"
done
for i in $(seq 50); do [ $(($(grep -cE "$okline" "$SB/daemon.log") - n0)) -ge 4 ] && break; sleep 0.1; done
is $(($(grep -cE "$okline" "$SB/daemon.log") - n0)) 4 "the resumed sessions are logged verify=OK as the first ones"

# smtps: TLS before the greeting
out=$(printf 'EHLO client.test\nQUIT\n' | $TALK 127.0.0.1 "$smtps_port" --smtps --cafile "$CA")
like "$out" "T: version=TLSv1.[23] [^
]* verified=yes
S: 220 " "an M=s port speaks TLS before its greeting"
[[ $out == *STARTTLS* ]]
ok $((! $?)) "and does not offer STARTTLS"
out=$(python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
try:
    print(repr(s.recv(100)))
except socket.timeout:
    print("no greeting")' "$smtps_port" 2>&1)
is "$out" "no greeting" "a plain-text client on the smtps port gets no greeting"

# a failed handshake ends the session
out=$(printf 'EHLO client.test\nSTARTTLS\nQUIT\n' | python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
f = s.makefile("rb")
f.readline()
s.sendall(b"EHLO x\r\n")
while True:
    l = f.readline()
    if l[3:4] != b"-": break
s.sendall(b"STARTTLS\r\n")
print(f.readline().decode().strip())
s.sendall(b"this is not a TLS client hello\r\nQUIT\r\n")
try:
    print(repr(s.recv(1000)))
except ConnectionResetError:
    print(repr(b""))' "$SB_PORT" 2>&1)
like "$out" "^220 2.0.0 Ready to start TLS
b''$" "garbage instead of a handshake: the server closes without a reply"
like "$(cat "$SB/daemon.log")" "STARTTLS=server, error: accept failed=-?[0-9]+, reason=[^,]+, SSL_error=[0-9]+, errno=[0-9]+, retry=-?[0-9]+, relay=localhost \[127.0.0.1\]" \
	"the failed handshake is logged in upstream's shape (accept failed=..., reason=...)"
sb_stop

# tls_client with TLS_Clt:127.0.0.1 VERIFY: no certificate, no service after STARTTLS
sb_access "TLS_Clt:127.0.0.1	VERIFY"
sb_start
out=$(printf 'EHLO client.test\nSTARTTLS\nEHLO client.test\nMAIL FROM:<a@localhost>\nQUIT\n' |
	$TALK 127.0.0.1 "$SB_PORT")
like "$out" "C: MAIL FROM:<a@localhost>
S: 4[0-9][0-9] 4.7.0 [^
]*" "TLS_Clt VERIFY: a client without a certificate is turned away after STARTTLS"
like "$out" "S: 221 2.0.0" "and may still QUIT"
out=$(printf 'EHLO client.test\nSTARTTLS\nEHLO client.test\nMAIL FROM:<a@localhost>\nQUIT\n' |
	$TALK 127.0.0.1 "$SB_PORT" --cert "$SB/tls/cert.pem" --key "$SB/tls/key.pem")
like "$out" "S: 250 2.1.0 <a@localhost>... Sender ok" "a client with a verified certificate is served"
like "$(cat "$SB/daemon.log")" "ruleset=tls_client, arg1=NO, arg2=STARTTLS, relay=localhost \[127.0.0.1\], reject=" \
	"the tls_client refusal is logged"
sb_stop
sb_save tls

# without certificates STARTTLS is neither offered nor available
sb_new "FEATURE(\`no_default_msa')dnl"
sb_start
out=$(printf 'EHLO client.test\nSTARTTLS\nQUIT\n' | $TALK 127.0.0.1 "$SB_PORT")
[[ $out == *"250-STARTTLS"* ]]
ok $((! $?)) "no certificate configured: EHLO does not offer STARTTLS"
like "$out" "S: 454 4.3.3 TLS not available after start" "and STARTTLS gets 454"
sb_stop

# srv_features S, and a daemon with M=S
msa_port=$(sb_free_port)
SB_TLS=1 sb_new "LOCAL_SRV_FEATURES
R\$* \$| 127.0.0.2	\$# S
R\$* \$| 127.0.0.3	\$# V" \
	"DAEMON_OPTIONS(\`Port=$msa_port, Addr=127.0.0.1, Name=NOTLS, M=S')dnl"
sb_start
out=$(printf 'EHLO client.test\nSTARTTLS\nQUIT\n' | $TALK 127.0.0.1 "$SB_PORT" --bind 127.0.0.2)
[[ $out == *"250-STARTTLS"* ]]
ok $((! $?)) "srv_features S: STARTTLS is not offered to that client"
like "$out" "S: 503 5.5.0 TLS not available" "and STARTTLS gets 503"
out=$(printf 'EHLO client.test\nQUIT\n' | $TALK 127.0.0.1 "$SB_PORT")
like "$out" "250-STARTTLS" "other clients are still offered STARTTLS"
printf 'EHLO client.test\nSTARTTLS\nQUIT\n' | $TALK 127.0.0.1 "$SB_PORT" --bind 127.0.0.3 \
	--cert "$SB/tls/cert.pem" --key "$SB/tls/key.pem" >/dev/null
printf 'EHLO client.test\nSTARTTLS\nQUIT\n' | $TALK 127.0.0.1 "$SB_PORT" \
	--cert "$SB/tls/cert.pem" --key "$SB/tls/key.pem" >/dev/null
like "$(cat "$SB/daemon.log")" "STARTTLS=server, relay=\[127.0.0.3\], version=[^,]+, verify=NOT," \
	"srv_features V: no client certificate is asked for (verify=NOT)"
like "$(cat "$SB/daemon.log")" "STARTTLS=server, relay=localhost \[127.0.0.1\], version=[^,]+, verify=OK," \
	"while other clients are asked and verified (verify=OK)"
out=$(printf 'EHLO client.test\nSTARTTLS\nQUIT\n' | $TALK 127.0.0.1 "$msa_port")
[[ $out == *"250-STARTTLS"* ]]
ok $((! $?)) "a daemon with M=S does not offer STARTTLS"
like "$out" "S: 503 5.5.0 TLS not available" "and answers STARTTLS with 503"
done_testing
