#!/usr/bin/env bash
# tls_relay: Petrel relays to Petrel over STARTTLS: two sandboxes with
# certificates from one test CA; the sender (A) reaches the receiver (B)
# through SMART_HOST, then through the MX records of a domain served by a
# private dnsmasq.  Both sides verify each other (verify=OK in both log
# lines and in B's Received header), the message arrives whole.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/dns.sh"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"
trap 'sb_cleanup; dns_stop' EXIT

dns_record --mx-host=mxdomain.test,mx1.mxdomain.test,10 \
	--host-record=mx1.mxdomain.test,127.0.0.1 --host-record=smart.test,127.0.0.1
dns_start mxdomain.test smart.test 127.in-addr.arpa || { skip "$DNS_WHY"; done_testing; }

# B: the receiver, local for both test domains
SB_TLS=1 sb_new "MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl" "LOCAL_DOMAIN(\`smart.test')dnl" \
	"LOCAL_DOMAIN(\`mxdomain.test')dnl" "FEATURE(\`accept_unresolvable_domains')dnl"
sb_start
ok $? "the receiving Petrel starts"
sb_save B
bport=$SB_PORT

# A: the sender; its esmtp mailer connects to B's port, its smart host is B
SB_TLS=1 SB_TLS_NAME=a.test sb_new "define(\`SMART_HOST', \`esmtp:[127.0.0.1]')dnl" \
	"define(\`ESMTP_MAILER_ARGS', \`TCP \$h $bport')dnl" \
	"FEATURE(\`accept_unresolvable_domains')dnl"
sb_start
ok $? "the sending Petrel starts"
sb_save A

# send SUBJECT RCPT: a message into A; once it has a stat=, prints A's log lines
# written since it was sent (STARTTLS= lines carry no queue id)
send() {
	local out id n
	n=$(wc -l <"$SB/daemon.log")
	out=$(printf 'HELO client.test\nMAIL FROM:<a@localhost>\nRCPT TO:<%s>\nDATA\nSubject: %s\n\nbody of %s\n.\nQUIT\n' \
		"$2" "$1" "$1" | $TALK 127.0.0.1 "$SB_PORT")
	id=$(printf '%s\n' "$out" | sed -n 's/^S: 250 2.0.0 \([0-9A-Za-z]*\) Message accepted.*/\1/p')
	for _ in $(seq 1 100); do
		grep -q "^$id: to=.*stat=" "$SB/daemon.log" && break
		sleep 0.1
	done
	tail -n "+$((n + 1))" "$SB/daemon.log"
}

out=$(send "through the smart host" victim@smart.test)
like "$out" "STARTTLS=client, relay=[^,]+, version=TLSv1.[23], verify=OK, " \
	"A verifies B's certificate (STARTTLS=client ... verify=OK)"
like "$out" "mailer=esmtp, [^
]*stat=Sent \([0-9A-Za-z]+ Message accepted for delivery\)" "A relays the message to B through SMART_HOST"
sb_load B
sb_wait_mail victim 1
msg=$(cat "$SB_MAIL"/victim/msg.* 2>/dev/null)
like "$msg" "with ESMTPS id [0-9A-Za-z]+
	\(version=TLSv1.[23] cipher=[A-Z0-9_-]+ bits=[0-9]+ verify=OK\)" \
	"B's Received header: ESMTPS, and A's client certificate verified"
like "$msg" "body of through the smart host" "the message arrived whole"
like "$(cat "$SB/daemon.log")" "STARTTLS=server, relay=localhost \[127.0.0.1\], version=TLSv1.[23], verify=OK" \
	"B logs the session with verify=OK"

# through MX records: a second sender without a smart host
sb_load A
sb_stop
SB_TLS=1 SB_TLS_NAME=a2.test sb_new "define(\`ESMTP_MAILER_ARGS', \`TCP \$h $bport')dnl" \
	"FEATURE(\`accept_unresolvable_domains')dnl"
sb_start
out=$(send "through MX" victim@mxdomain.test)
like "$out" "STARTTLS=client, relay=mx1\.mxdomain\.test\., version=TLSv1.[23], verify=OK" \
	"A finds B through the MX record and speaks TLS with it"
like "$out" "to=<victim@mxdomain.test>, [^
]*mailer=esmtp, [^
]*stat=Sent \([0-9A-Za-z]+ Message accepted" "the message is sent to B"
sb_load B
sb_wait_mail victim 2
like "$(cat "$SB_MAIL"/victim/msg.*)" "body of through MX" "B delivers it"
done_testing
