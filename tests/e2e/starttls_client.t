#!/usr/bin/env bash
# starttls_client: the SMTP client's STARTTLS, against a scripted server
# (tests/lib/fake_smtpd.py) that Petrel relays to as its smart host: used
# when offered, with the STARTTLS=client log line; a response the server
# pipelines behind its 220 is thrown away, not taken for the EHLO reply; a
# failed handshake defers the message (tls_server: 454 TLS handshake failed)
# unless TLSFallbacktoClear, which connects again in clear; Try_TLS: NO
# keeps the client in clear; TLS_Srv: VERIFY refuses a server whose
# certificate does not verify, TLS_Rcpt: VERIFY a recipient, while a server
# with a certificate from the trusted CA passes both.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"

sb_private_dns || { skip "$DNS_WHY"; done_testing; }
fport=$(sb_free_port)
SB_TLS=1 SB_ACCESS=1 sb_new "define(\`SMART_HOST', \`esmtp:[127.0.0.1]')dnl" \
	"define(\`ESMTP_MAILER_ARGS', \`TCP \$h $fport')dnl"
ok $? "a sandbox relaying to a smart host on 127.0.0.1:$fport compiles"
# a certificate from the sandbox's CA for the fake server, and a self-signed one
good_cert=$SB/tls/cert.pem good_key=$SB/tls/key.pem
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-keyout "$SB/self.key" -out "$SB/self.pem" -subj "/CN=self-signed" 2>/dev/null

# fake ARGS...: (re)starts the scripted server with ARGS on $fport
fake() { sb_fake "$fport" "$@"; }
send() { sb_relay_one "$@"; }

sb_start
fake --cert "$good_cert" --key "$good_key" --inject '554 5.7.1 injected reply\r\n'
out=$(send "over TLS")
like "$out" "STARTTLS=client, relay=[^,]+, version=TLSv1.[23], verify=OK, cipher=[A-Z0-9_-]+, bits=[0-9]+/[0-9]+" \
	"the client uses STARTTLS when offered; the server's certificate verifies (log line)"
like "$out" "stat=Sent" "the message is sent over TLS"
[[ $out == *injected* ]]
ok $((! $?)) "the reply pipelined behind 220 is discarded, not read as the answer to EHLO"
log=$(cat "$SB/fake.log")
like "$log" "C1: STARTTLS
T1: TLS up
C1: EHLO [^
]+
C1: MAIL [Ff][Rr][Oo][Mm]:<a@" "after the handshake the client says EHLO again, then MAIL"
like "$log" "D1: body of over TLS" "the body went over the TLS session"

# a failed handshake: deferred by tls_server, no second connection
fake --cert "$good_cert" --key "$good_key" --garbage
out=$(send "garbage")
like "$out" "STARTTLS=client, error: connect failed=-?[0-9]+, reason=[^,]+, SSL_error=[0-9]+, errno=[0-9]+, retry=-?[0-9]+, relay=" \
	"the failed handshake is logged in upstream's shape (connect failed=..., reason=...)"
like "$out" "stat=Deferred: 454 4.7.0 TLS handshake failed" "a failed handshake defers the message (tls_server)"
[[ $(cat "$SB/fake.log") == *C2:* ]]
ok $((! $?)) "without TLSFallbacktoClear the client does not connect again"

# with TLSFallbacktoClear it tries again at once in clear
sb_stop
sb_start -OTLSFallbacktoClear=True
fake --cert "$good_cert" --key "$good_key" --garbage
out=$(send "fallback")
like "$out" "STARTTLS=client, relay=[^,]+, tlsstate=SOFTWARE, status=trying_again" \
	"TLSFallbacktoClear: upstream's trying_again line"
like "$out" "stat=Sent" "and the message goes in clear on a second connection"
log=$(cat "$SB/fake.log")
like "$log" "D2: body of fallback" "the second connection carried the message"
[[ $(grep '^C2:' "$SB/fake.log") == *STARTTLS* ]]
ok $((! $?)) "the second connection did not try STARTTLS"
sb_stop
sb_start

# Try_TLS: NO keeps the client in clear
sb_access "Try_TLS:127.0.0.1	NO"
fake --cert "$good_cert" --key "$good_key"
out=$(send "no tls")
like "$out" "stat=Sent" "Try_TLS:127.0.0.1 NO: the message is sent"
[[ $(cat "$SB/fake.log") == *STARTTLS* ]]
ok $((! $?)) "without STARTTLS, though the server offered it"

# TLS_Srv: VERIFY: a self-signed server is refused, a CA-signed one accepted
sb_access "TLS_Srv:127.0.0.1	VERIFY"
fake --cert "$SB/self.pem" --key "$SB/self.key"
out=$(send "unverified server")
like "$out" "verify=FAIL" "a self-signed server certificate gives verify=FAIL"
like "$out" "stat=Deferred: 454 4.7.0 [^
]*authentication failed" "TLS_Srv VERIFY: the message is deferred"
log=$(cat "$SB/fake.log")
[[ $log == *"C1: MAIL "* ]]
ok $((! $?)) "no transaction was started with the refused server"
like "$log" "C1: QUIT" "the client said QUIT over TLS"
fake --cert "$good_cert" --key "$good_key"
out=$(send "verified server")
like "$out" "stat=Sent" "TLS_Srv VERIFY: a server with a certificate from the CA gets the message"

# TLS_Rcpt: VERIFY: the recipient is not even sent to an unverified server
sb_access "TLS_Rcpt:remote.test	VERIFY"
fake --cert "$SB/self.pem" --key "$SB/self.key"
out=$(send "unverified rcpt")
like "$out" "stat=Deferred: 454 4.7.0 [^
]*authentication failed" "TLS_Rcpt VERIFY: the recipient is deferred"
[[ $(cat "$SB/fake.log") == *"RCPT "* ]]
ok $((! $?)) "its RCPT was never sent"
fake --cert "$good_cert" --key "$good_key"
out=$(send "verified rcpt")
like "$out" "stat=Sent" "TLS_Rcpt VERIFY: with a verified server the recipient is sent"
done_testing
