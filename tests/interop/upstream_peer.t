#!/usr/bin/env bash
# interop/upstream_peer: Petrel and upstream sendmail 8.17 from Debian
# (unpacked, not installed; tests/lib/peers.sh) relay to each other over
# STARTTLS on a private loopback, each verifying the other's certificate
# from one test CA: Petrel -> upstream through SMART_HOST (STARTTLS=client
# verify=OK on Petrel's side, STARTTLS=server verify=OK in upstream's
# syslog, ESMTPS and verify=OK in upstream's Received header, the message in
# upstream's mailbox), upstream -> Petrel likewise the other way, upstream
# authenticating with an AuthInfo: entry (AUTH=client at LogLevel 10,
# AUTH=server in Petrel's log, ESMTPSA); then
# Petrel relays through upstream as a smart host that demands AUTH (a
# daemon with M=a, AuthOptions p: only over TLS; Cyrus SASL with a sasldb)
# with FEATURE(authinfo) entries for PLAIN and LOGIN (AUTH=server lines in
# upstream's log, "authenticated" and ESMTPSA in its Received header), and
# a wrong password leaves the message unsent.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/peers.sh"
peers_enter upstream "$0" "$@"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"
command -v saslpasswd2 >/dev/null || { skip "saslpasswd2 (sasl2-bin) is not installed"; done_testing; }
peers_dns || { skip "$DNS_WHY"; done_testing; }
w=$(mktemp -d /run/petrel-up-XXXXXX)
SB_ALL_DIRS="$SB_ALL_DIRS $w"
chmod 755 "$w"
peers_syslog "$w/syslog"
upport=2526 upauth=2588

# P: Petrel, local for pt.example.test, upstream's MTA port as smart host
SB_TLS=1 SB_SASL=1 sb_new "MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl" "LOCAL_DOMAIN(\`pt.example.test')dnl" \
	"FEATURE(\`accept_unresolvable_domains')dnl" "define(\`SMART_HOST', \`esmtp:[127.0.0.1]')dnl" \
	"define(\`ESMTP_MAILER_ARGS', \`TCP \$h $upport')dnl" \
	"define(\`confAUTH_MECHANISMS', \`PLAIN LOGIN CRAM-MD5')dnl"
sb_sasl_user carol sesame
sb_start
ok $? "Petrel starts (certificate for localhost from the test CA, a sasldb with carol)"
sb_save P

# upstream: local for up.example.test, Petrel as smart host, TLS both ways,
# a second daemon that demands AUTH; its sasldb is the overlay's /etc/sasldb2
peers_cert up.example.test "$w/uptls"
printf secret | saslpasswd2 -p -c -f /etc/sasldb2 -u up.example.test alice
chmod 600 /etc/sasldb2
t=$w/uptls
up_new "$w/up" "$upport" up.example.test "define(\`confCACERT_PATH', \`$t')dnl" \
	"define(\`confCACERT', \`$t/ca.pem')dnl" "define(\`confSERVER_CERT', \`$t/cert.pem')dnl" \
	"define(\`confSERVER_KEY', \`$t/key.pem')dnl" "define(\`confCLIENT_CERT', \`$t/cert.pem')dnl" \
	"define(\`confCLIENT_KEY', \`$t/key.pem')dnl" "define(\`SMART_HOST', \`esmtp:[127.0.0.1]')dnl" \
	"define(\`ESMTP_MAILER_ARGS', \`TCP \$h $SB_PORT')dnl" \
	"define(\`confAUTH_MECHANISMS', \`PLAIN LOGIN')dnl" "define(\`confAUTH_OPTIONS', \`p')dnl" \
	"DAEMON_OPTIONS(\`Port=$upauth, Addr=127.0.0.1, Name=AUTH, M=a')dnl" \
	"FEATURE(\`authinfo', \`hash -o $w/up/authinfo')dnl" "define(\`confLOG_LEVEL', \`10')dnl"
# upstream authenticates to Petrel as carol
(umask 077 && printf 'AuthInfo:127.0.0.1\t"U:carol" "P:sesame"\n' >"$w/up/authinfo" &&
	"$ORACLE_MAKEMAP" -C "$w/up/sendmail.cf" hash "$w/up/authinfo" <"$w/up/authinfo")
up_start "$w/up"
ok $? "upstream sendmail 8.17 starts (MTA port $upport, AUTH port $upauth)"

# up_count USER: messages in upstream's test mailbox of USER
up_count() { ls "$w/up/mail/$1" 2>/dev/null | grep -c '^msg\.'; }
up_wait() {
	for _ in $(seq 1 150); do
		[ "$(up_count "$1")" -ge "$2" ] && return 0
		sleep 0.2
	done
	return 1
}

# Petrel -> upstream
out=$(peers_send "petrel to upstream" victim@up.example.test)
like "$out" "STARTTLS=client, relay=[^,]+, version=TLSv1.[23], verify=OK, cipher=" \
	"Petrel's client speaks TLS with upstream and verifies its certificate"
like "$out" "to=<victim@up.example.test>, [^
]*mailer=esmtp, [^
]*stat=Sent \([0-9A-Za-z]+ Message accepted for delivery\)" "upstream accepts the message"
up_wait victim 1
like "$(cat "$w/syslog")" "sendmail\[[0-9]+\]: STARTTLS=server, relay=localhost \[127.0.0.1\], version=TLSv1.[23], verify=OK, cipher=" \
	"upstream logs STARTTLS=server with Petrel's client certificate verified"
msg=$(cat "$w/up/mail/victim"/msg.* 2>/dev/null)
like "$msg" "Received: from mx.example.test \(localhost \[127.0.0.1\]\)
	by up.example.test \(8.17[^)]*\) with ESMTPS id [0-9A-Za-z]+
	\(version=TLSv1.[23] cipher=[A-Z0-9_-]+ bits=[0-9]+ verify=OK\)" \
	"upstream's Received header: ESMTPS, Petrel's certificate verified"
like "$msg" "body of petrel to upstream" "the message is in upstream's mailbox"

# upstream -> Petrel
out=$(printf 'EHLO client.test\nMAIL FROM:<sender@up.example.test>\nRCPT TO:<victim@pt.example.test>\nDATA\nSubject: upstream to petrel\n\nbody of upstream to petrel\n.\nQUIT\n' |
	$TALK 127.0.0.1 "$upport")
like "$out" "S: 250 2.0.0 [0-9A-Za-z]+ Message accepted for delivery" "upstream takes a message for Petrel's domain"
peers_wait "$w/syslog" "to=<victim@pt.example.test>, .*stat=" 30
log=$(cat "$w/syslog")
like "$log" "STARTTLS=client, relay=\[127.0.0.1\], version=TLSv1.[23], verify=OK, cipher=" \
	"upstream's client verifies Petrel's certificate (STARTTLS=client verify=OK)"
like "$log" "to=<victim@pt.example.test>, [^
]*relay=\[127.0.0.1\] \[127.0.0.1\], dsn=2.0.0, stat=Sent \([0-9A-Za-z]+ Message accepted for delivery\)" \
	"upstream relays it to Petrel (stat=Sent with Petrel's reply)"
sb_wait_mail victim 1
mech=$(sed -n 's/.*sendmail\[[0-9]*\]: AUTH=client, relay=\[127.0.0.1\], mech=\([A-Z0-9-]*\), bits=0$/\1/p' "$w/syslog" | head -1)
like "$mech" "^(PLAIN|LOGIN|CRAM-MD5)$" "upstream authenticates to Petrel with its AuthInfo: entry (AUTH=client, mech=$mech)"
peers_relayed_in upstream up.example.test "$mech"
msg=$(cat "$SB_MAIL"/victim/msg.* 2>/dev/null)
like "$msg" "body of upstream to petrel" "the message is in Petrel's mailbox"

# Q: Petrel relaying through upstream's AUTH daemon with FEATURE(authinfo)
SB_TLS=1 SB_AUTHINFO=1 sb_new "FEATURE(\`accept_unresolvable_domains')dnl" \
	"define(\`SMART_HOST', \`esmtp:[127.0.0.1]')dnl" "define(\`ESMTP_MAILER_ARGS', \`TCP \$h $upauth')dnl"
sb_start -OLogLevel=10	# AUTH=client lines are logged above 9, as upstream
sb_save Q
out=$(peers_send "no credentials" victim@up.example.test)
like "$out" "to=<victim@up.example.test>, [^
]*dsn=5.7.0, reply=530 5.7.0 Authentication required, stat=Service unavailable" \
	"without an AuthInfo: entry the smart host refuses the sender (530)"
n=1
for mech in PLAIN LOGIN; do
	sb_authinfo "AuthInfo:127.0.0.1	\"U:alice\" \"P:secret\" \"M:$mech\""
	out=$(peers_send "auth $mech" victim@up.example.test)
	like "$out" "AUTH=client, relay=[^,]+, mech=$mech, bits=0" "Petrel authenticates with $mech (AUTH=client)"
	like "$out" "stat=Sent \([0-9A-Za-z]+ Message accepted for delivery\)" "the smart host accepts the message after $mech"
	n=$((n + 1))
	up_wait victim "$n"
	like "$(cat "$w/syslog")" "AUTH=server, relay=localhost \[127.0.0.1\], authid=alice, mech=$mech, bits=0" \
		"upstream logs AUTH=server for alice with $mech"
done
# the client-side lines have upstream's shape: no queue id (sendmail[N]: STARTTLS=client, ...)
log=$(cat "$w/syslog")
like "$log" "sendmail\[[0-9]+\]: STARTTLS=client, relay=[^,]+, version=" "upstream logs STARTTLS=client without a queue id"
like "$log" "petrel-test\[[0-9]+\]: STARTTLS=client, relay=[^,]+, version=" "so does Petrel"
like "$log" "petrel-test\[[0-9]+\]: AUTH=client, relay=[^,]+, mech=LOGIN, bits=0" \
	"and its AUTH=client line (LogLevel 10) likewise"
like "$(cat "$w/up/mail/victim"/msg.*)" "\(authenticated bits=0\)
	by up.example.test \(8.17[^)]*\) with ESMTPSA id" \
	"upstream's Received header: authenticated over TLS (ESMTPSA)"
sb_authinfo "AuthInfo:127.0.0.1	\"U:alice\" \"P:wrong\" \"M:PLAIN\""
out=$(peers_send "wrong password" victim@up.example.test)
like "$out" "AUTH=client, relay=[^,]+, authinfo failed: 535" "a wrong password: upstream's 535 is logged"
[[ $out == *"stat=Sent"* ]]
ok $((! $?)) "and the message is not sent"
like "$(cat "$w/syslog")" "AUTH failure \(PLAIN\): authentication failure" "upstream logs the failure"
done_testing
