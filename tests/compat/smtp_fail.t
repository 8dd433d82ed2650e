#!/usr/bin/env bash
# compat/smtp_fail: what the SMTP client makes of a server's refusal at each
# stage and of a domain that does not exist, against upstream sendmail 8.17
# on the same scenario, inside private namespaces (tests/lib/peers.sh) with
# a private dnsmasq and scripted peers (tests/lib/fake_smtpd.py):
#  - 550 to MAIL, 554 to DATA (instead of 354), 554 after the final dot, a
#    554 greeting, 550 to RCPT, a recipient domain that answers NXDOMAIN, MX
#    hosts without an address (NXDOMAIN, no data) or whose lookup fails for
#    now: the same
#    to= lines (relay=, dsn=, reply=, stat=), the same bounces (reason,
#    Status, Remote-MTA, Diagnostic-Code) and the same host status files
#    (HostStatusDirectory);
#  - without HostStatusDirectory, a host that refused a connection is
#    remembered for the rest of the queue run: the later messages to it are
#    deferred without a connection, with upstream's log line;
#  - IPv6 literal recipients ([IPv6:::1], [IPv6:fd00:ab::5]) are delivered,
#    the second message to ::1 over the connection of the first, logged with
#    upstream's relay=.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/peers.sh"
peers_enter upstream "$0" "$@"

dns_mx mailrej.net 127.0.0.10 datarej.net 127.0.0.11 dotrej.net 127.0.0.12 greet.net 127.0.0.13 \
	rcptrej.net 127.0.0.14 upsink.net 127.0.0.20 ptsink.net 127.0.0.21 down.net 127.0.0.6
dns_record --mx-host=mxgone.net,mx.gone.nx.net,10 --mx-host=mxnodata.net,mx.nodata.nx.net,10 \
	--txt-record=mx.nodata.nx.net,nodata --mx-host=mxtemp.net,mx.elsewhere.org,10
peers_queue_env smtpfail mailrej.net datarej.net dotrej.net greet.net rcptrej.net upsink.net \
	ptsink.net down.net nx.net mxgone.net mxnodata.net mxtemp.net
fake_peer mailrej 127.0.0.10 --mail-reply "550 5.7.1 sender refused here" &&
	fake_peer datarej 127.0.0.11 --data-reply "554 5.3.4 no data today" &&
	fake_peer dotrej 127.0.0.12 --dot-reply "554 5.7.1 message content refused" &&
	fake_peer greet 127.0.0.13 --greeting "554 5.3.2 go away" &&
	fake_peer rcptrej 127.0.0.14 --rcpt-reply "r1=550 5.1.1 r1 is unknown" &&
	fake_peer upsink 127.0.0.20 && fake_peer ptsink 127.0.0.21 &&
	fake_peer v6 ::1 && ip -6 addr add fd00:ab::5/128 dev lo && fake_peer v6b fd00:ab::5
ok $? "the peers listen (on ::1 and fd00:ab::5 too)"

queue_cf hs "define(\`confHOST_STATUS_DIRECTORY',\`.hoststat')dnl"
queue_cf mem
for q in up pt; do
	queue_side hs "${q}hs"
	queue_side mem "${q}mem"
done

# send MTA ARGS...: queues a message (-odq)
send() {
	printf 'Subject: refused\n\nbody\n' | $1 -odq "${@:2}"
}
# dsn_of SINK RCPT: the parts of the bounce for RCPT that SINK received: the
# reason in the text and the recipient's block of the delivery status (no dates;
# not upstream's X-Actual-Recipient, which Petrel does not write)
dsn_of() {
	python3 - "$w/$1.log" "$2" <<'PY'
import re, sys
conns = {}  # the message lines of each connection (the sink serves several at once)
for l in open(sys.argv[1]):
    m = re.match(r"D(\d+): ?(.*)$", l.rstrip("\n"))
    if m:
        conns.setdefault(m.group(1), []).append(m.group(2))
lines = [l for n in sorted(conns, key=int) for l in conns[n] + [""]]
rcpt, out = sys.argv[2], []
for i, l in enumerate(lines):
    if l == rcpt and i + 1 < len(lines) and lines[i + 1].startswith("    (reason:"):
        out.append(lines[i + 1].strip())
    if l == "Final-Recipient: RFC822; " + rcpt:
        for b in lines[i:]:
            if b == "":
                break
            if not b.startswith(("Last-Attempt-Date:", "X-Actual-Recipient:")):
                out.append(b)
print("\n".join(out))
PY
}

for m in up:sendmail pt:petrel; do
	IFS=: read -r q tag <<<"$m"
	if [ "$q" = up ]; then mta=$ORACLE_SENDMAIL; else mta="$SENDMAIL -L petrel"; fi
	for r in m@mailrej.net d@datarej.net t@dotrej.net g@greet.net r1@rcptrej.net \
		n@host.nx.net n@mxgone.net n@mxnodata.net n@mxtemp.net; do
		send "$mta -C $w/${q}hs.cf" -f "sender@${q}sink.net" "$r"
	done
	$mta -C "$w/${q}hs.cf" -q >/dev/null 2>&1
	log_wait "$tag" m@mailrej.net 1 && log_wait "$tag" d@datarej.net 1 &&
		log_wait "$tag" t@dotrej.net 1 && log_wait "$tag" g@greet.net 1 &&
		log_wait "$tag" r1@rcptrej.net 1 && log_wait "$tag" n@host.nx.net 1 &&
		log_wait "$tag" n@mxgone.net 1 && log_wait "$tag" n@mxnodata.net 1 &&
		log_wait "$tag" n@mxtemp.net 1
	ok $? "$tag: the queue run tried every message"
	$mta -C "$w/${q}hs.cf" -q >/dev/null 2>&1	# bounces left in the queue, if any
	[ "$q" = up ] && nb=$(grep -c " sendmail\[[0-9]*\]: [^ ]*: [^ ]*: DSN: " "$w/syslog")
	log_wait "$tag" "sender@${q}sink.net" "$nb"
	ok $? "$tag: $nb bounces went to the sender"
done

for r in m@mailrej.net d@datarej.net t@dotrej.net g@greet.net r1@rcptrej.net \
		n@host.nx.net n@mxgone.net n@mxnodata.net n@mxtemp.net; do
	is "$(log_to_line petrel "$r")" "$(log_to_line sendmail "$r")" "the log line of $r"
	is "$(dsn_of ptsink "$r")" "$(dsn_of upsink "$r")" "the bounce of $r"
done
is "$(hs_files pths ! -path '*sink*')" "$(hs_files uphs ! -path '*sink*')" "the host status files"
like "$(log_to_line petrel g@greet.net)" "relay=mx\.greet\.net\. \[127\.0\.0\.13\], dsn=5\.5\.0, reply=554 5\.3\.2 go away, stat=Service unavailable$" \
	"a 554 greeting bounces (it was deferred)"
like "$(log_to_line petrel d@datarej.net)" "dsn=5\.0\.0, reply=554 5\.3\.4 no data today, stat=Service unavailable$" \
	"a refused DATA logs the class's status, not the reply's"
like "$(dsn_of ptsink m@mailrej.net)" "^\(reason: 550 5\.7\.1 sender refused here\)
.*Diagnostic-Code: SMTP; 550 5\.7\.1 sender refused here$" "the reply is quoted once in the bounce"
like "$(hs_files pths ! -path '*sink*')" "\./net\./greet\./mx:
V0
E0
H0
S69
D5\.5\.0
R554 5\.3\.2 go away
\." "the 554 greeting is recorded with its reply (S69)"
like "$(log_to_line petrel n@host.nx.net)" "relay=host\.nx\.net, dsn=5\.1\.2, stat=Host unknown \(Name server: host\.nx\.net: host not found\)$" \
	"an NXDOMAIN recipient domain bounces with the name in the log line"
like "$(dsn_of ptsink n@host.nx.net)" "^\(reason: 550 Host unknown\)
.*Status: 5\.1\.2
Remote-MTA: DNS; host\.nx\.net
Diagnostic-Code: SMTP; 550 Host unknown$" "and upstream's bounce"
is "$(find "$w/pths/.hoststat" -path '*nx./host*' | wc -l)" 0 "and no host status record (no host was tried)"
like "$(hs_files pths ! -path '*sink*')" "\./net\./nx\./gone\./mx:
V0
E0
H1
S68
D5\.1\.2
\.
\./net\./nx\./nodata\./mx:
V0
E0
H4
S68
D5\.1\.2
\." "an MX host without an address bounces (5.1.2) and is recorded with its h_errno (H1, H4) and S68"
like "$(log_to_line petrel n@mxtemp.net)" "dsn=4\.4\.3, stat=Deferred: Name server: mx\.elsewhere\.org\.: host name lookup failure$" \
	"a lookup that fails for now defers (4.4.3), also when the record skips the host"

# Without HostStatusDirectory: a host that refused a connection is skipped by
# the later messages of the same queue run (one delivery process at a time
# here, as upstream's queue run delivers; with several, those that start
# after the failure skip it).  IPv6 literals: the second message goes over
# the connection the first opened.
for m in up:sendmail pt:petrel; do
	IFS=: read -r q tag <<<"$m"
	if [ "$q" = up ]; then mta=$ORACLE_SENDMAIL; else mta="$SENDMAIL -L petrel"; fi
	for r in a1@down.net a2@down.net a3@down.net 'v1@[IPv6:::1]' 'v2@[IPv6:::1]' \
		'v3@[IPv6:fd00:ab::5]'; do
		send "$mta -C $w/${q}mem.cf" -f "sender@${q}sink.net" "$r"
	done
	c0=$(grep -c '^O' "$w/v6.log" 2>/dev/null)
	$mta -C "$w/${q}mem.cf" -OMaxQueueChildren=1 -q >/dev/null 2>&1
	log_wait "$tag" a1@down.net 1 && log_wait "$tag" a2@down.net 1 && log_wait "$tag" a3@down.net 1 &&
		log_wait "$tag" 'v1@\[IPv6:::1\]' 1 && log_wait "$tag" 'v2@\[IPv6:::1\]' 1 &&
		log_wait "$tag" 'v3@\[IPv6:fd00:ab::5\]' 1
	ok $? "$tag: the queue run without HostStatusDirectory tried every message"
	is "$(( $(grep -c '^O' "$w/v6.log") - c0 ))" 1 "$tag: one connection to ::1 carried both messages"
	# which message went first may differ: the lines without the recipient, sorted
	lines=$(for r in a1@down.net a2@down.net a3@down.net; do log_to_line "$tag" "$r"; done |
		sed 's/^to=a[123]@/to=aN@/' | sort)
	eval "mem_$q=\$lines"
done
is "$mem_pt" "$mem_up" "the log lines of the messages to the host that refused"
like "$mem_pt" "^to=aN@down\.net, mailer=esmtp, relay=mx\.down\.net\. \[127\.0\.0\.6\], dsn=4\.4\.1, stat=Deferred: Connection refused by mx\.down\.net\.
to=aN@down\.net, mailer=esmtp, relay=mx\.down\.net\., dsn=4\.4\.1, stat=Deferred: Connection refused by mx\.down\.net\.
to=aN@down\.net, mailer=esmtp, relay=mx\.down\.net\., dsn=4\.4\.1, stat=Deferred: Connection refused by mx\.down\.net\.$" \
	"one connection, then two messages deferred without one (relay= without an address)"
is "$(find "$w/ptmem/.hoststat" -type f | wc -l)" 0 "and nothing is written to disk"
for r in 'v1@\[IPv6:::1\]' 'v2@\[IPv6:::1\]' 'v3@\[IPv6:fd00:ab::5\]'; do
	is "$(log_to_line petrel "$r")" "$(log_to_line sendmail "$r")" "the log line of $r"
done
like "$(log_to_line petrel 'v2@\[IPv6:::1\]')" "relay=\[ipv6:::1\] \[IPv6:0:0:0:0:0:0:0:1\], dsn=2\.0\.0, stat=Sent" \
	"an IPv6 literal is delivered; the address as upstream writes it"
done_testing
