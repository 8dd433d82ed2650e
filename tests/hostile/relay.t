#!/usr/bin/env bash
# relay: an outside client (bound to 127.0.0.2, not localhost, no name in
# DNS) cannot relay through Petrel by any address trick: the percent hack,
# bang paths, source routes, quoted local parts, trailing dots, IP literals,
# case, comments, lists, double @, a faked local sender or a lying HELO name,
# each its own check, all refused, and nothing queued.  Relaying stays open
# to localhost, to a Connect:...RELAY network (127.0.0.3) and towards
# relay-domains.  DNS comes from a private dnsmasq: no query leaves loopback.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/dns.sh"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"
trap 'sb_cleanup; dns_stop' EXIT

dns_record --host-record=example.test,192.0.2.10 --host-record=remote.test,192.0.2.20 \
	--host-record=relayok.test,192.0.2.30
dns_start example.test remote.test relayok.test 127.in-addr.arpa || { skip "$DNS_WHY"; done_testing; }
SB_ACCESS=1 sb_new "MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl" "RELAY_DOMAIN(\`relayok.test')dnl"
sb_access "Connect:127.0.0.3	RELAY"
sb_start -ODeliveryMode=q
ok $? "the daemon starts (queue-only: nothing leaves)"

# rcpt FROM-ADDR HELO SENDER RECIPIENT: the reply to RCPT TO:<RECIPIENT>
rcpt() {
	printf 'HELO %s\nMAIL FROM:<%s>\nRCPT TO:<%s>\nDATA\nSubject: relayed\n\nrelayed\n.\nQUIT\n' \
		"$2" "$3" "$4" | $TALK 127.0.0.1 "$SB_PORT" --bind "$1" | sed -n '/^C: RCPT/{n;p;}'
}
# refused DESCRIPTION RECIPIENT [SENDER] [HELO]: from 127.0.0.2, RCPT must get a 5xx
refused() {
	local got
	got=$(rcpt 127.0.0.2 "${4:-client.example.test}" "${3:-someone@example.test}" "$2")
	like "$got" "^S: 5[0-9][0-9] 5\.[0-9]\.[0-9] " "$1: <$2> refused"
}

refused "plain relaying" "victim@remote.test"
refused "percent hack" "victim%remote.test@localhost"
refused "percent hack through an IP literal" "victim%remote.test@[127.0.0.1]"
refused "percent hack, two hops" "victim%remote.test%relay.test@localhost"
refused "bang path through a local name" "remote.test!victim@localhost"
refused "bare bang path" "remote.test!victim"
refused "bang path, two hops" "localhost!remote.test!victim"
refused "source route" "@localhost:victim@remote.test"
refused "source route, two hops" "@localhost,@[127.0.0.1]:victim@remote.test"
refused "quoted local part holding the address" '"victim@remote.test"'
refused "quoted local part at a local name" '"victim@remote.test"@localhost'
refused "quoted percent hack" '"victim%remote.test"@localhost'
refused "quoted bang path" '"remote.test!victim"@localhost'
refused "trailing dot" "victim@remote.test."
refused "two trailing dots" "victim@remote.test.."
refused "IP literal of a remote host" "victim@[192.0.2.20]"
refused "IPv6 literal of a remote host" "victim@[IPv6:2001:db8::1]"
refused "upper case domain" "victim@REMOTE.TEST"
refused "upper case local name with the percent hack" "victim%remote.test@LOCALHOST"
refused "comment after the domain" "victim@remote.test (localhost)"
refused "comment in the local part" "victim(localhost)@remote.test"
refused "list, remote first" "victim@remote.test,root@localhost"
refused "list, local first" "root@localhost,victim@remote.test"
refused "double @ ending in a local name" "victim@remote.test@localhost"
refused "double @ ending in a local IP literal" "victim@remote.test@[127.0.0.1]"
refused "a local name as a subdomain of the remote one" "victim@localhost.remote.test"
refused "the remote domain under a local name" "victim@remote.test.localhost"
refused "a faked local sender" "victim@remote.test" "root@localhost"
refused "a lying HELO name" "victim@remote.test" "someone@example.test" "localhost"
refused "a lying HELO IP literal" "victim@remote.test" "someone@example.test" "[127.0.0.1]"
like "$(cat "$SB/daemon.log")" "ruleset=check_rcpt, arg1=<victim@remote.test>, relay=\[127.0.0.2\][^
]*, reject=550 5.7.1 <victim@remote.test>... Relaying denied" "relay refusals are logged in upstream's shape"
out=$(sb_sendmail -bp 2>&1)
like "$out" "is empty" "nothing was queued by any of the tricks"

# what may relay
like "$(rcpt 127.0.0.2 client.example.test someone@example.test root@localhost)" \
	"^S: 250 2.1.5 " "an outside client may still send to a local user"
like "$(rcpt 127.0.0.2 client.example.test someone@example.test x@relayok.test)" \
	"^S: 250 2.1.5 " "an outside client may send to a relay-domains domain"
like "$(rcpt 127.0.0.1 client.example.test someone@example.test victim@remote.test)" \
	"^S: 250 2.1.5 " "localhost may relay"
like "$(rcpt 127.0.0.3 client.example.test someone@example.test victim@remote.test)" \
	"^S: 250 2.1.5 " "a Connect:127.0.0.3 RELAY client may relay"
like "$(rcpt 127.0.0.4 client.example.test someone@example.test victim@remote.test)" \
	"^S: 550 5.7.1 " "its neighbour 127.0.0.4 may not"
done_testing
