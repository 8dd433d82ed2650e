#!/usr/bin/env bash
# compat/hoststat: persistent host status (HostStatusDirectory), hoststat,
# purgestat and the delivery log lines, against upstream sendmail 8.17 on
# the same scenario.  Inside private namespaces (tests/lib/peers.sh): a
# private dnsmasq with MX and A records, scripted peers on 127.0.0.5 (250,
# 451, 550, 554 by recipient) and 127.0.0.7 (a 421 greeting), nothing on
# 127.0.0.6.  Upstream and Petrel load the same cf (upstream's m4 package,
# HostStatusDirectory .hoststat under each one's queue) and queue the same
# messages; after a queue run each:
#  - the status files have the same paths and contents (but the time),
#  - hoststat (-bh, -bh -v) prints the same table,
#  - the to= lines have the same relay= (the MX host reached and [addr]),
#    dsn=, reply= and stat= for every recipient,
# and then a later queue run (another process) skips the failed hosts
# without connecting, with upstream's log line and mailq text, until
# Timeout.hoststatus has passed; a success then clears the status; purgestat
# (-bH) removes expired records as upstream does.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/peers.sh"
peers_enter upstream "$0" "$@"

dns_mx down.net 127.0.0.6 busy.net 127.0.0.7 tls.net 127.0.0.8
dns_record --mx-host=example.net,mx1.example.net,10 --host-record=mx1.example.net,127.0.0.5 \
	--host-record=amx.net,127.0.0.5
peers_queue_env hoststat example.net down.net busy.net amx.net tls.net
fake_peer p5 127.0.0.5 --rcpt-reply "temp=451 4.2.0 temp is busy" \
	--rcpt-reply "perm=550 5.1.1 perm is unknown" --rcpt-reply "pol=554 5.7.1 pol refused" \
	--rcpt-reply "nost=550 no status" &&
	fake_peer p7 127.0.0.7 --greeting "421 4.3.2 too busy" &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-keyout "$w/key.pem" -out "$w/cert.pem" -subj "/CN=mx.tls.net" 2>/dev/null &&
	fake_peer p8 127.0.0.8 --cert "$w/cert.pem" --key "$w/key.pem"
ok $? "the peers listen (127.0.0.8 with STARTTLS)"

queue_cf hs "define(\`confHOST_STATUS_DIRECTORY',\`.hoststat')dnl"
queue_side hs up
queue_side hs pt
UP="$ORACLE_SENDMAIL -C $w/up.cf"
PT="$SENDMAIL -C $w/pt.cf -L petrel"

# send MTA FROM RCPT...: queues a message (-odq)
send() {
	local mta=$1
	shift
	printf 'Subject: host status\n\nbody\n' | $mta -odq "$@"
}
# to_line TAG RCPT: the latest to= line of RCPT from TAG, without ids, times and priorities
to_line() {
	grep " $1\[[0-9]*\]: [^ ]*: to=$2, " "$w/syslog" | tail -1 |
		sed -e 's/^.*: to=/to=/' -e 's/delay=[^,]*, xdelay=[^,]*, //' -e 's/pri=[0-9]*, //'
}
# table MTA [ARGS]: -bh with the ages blanked
table() {
	$1 "${@:2}" -bh 2>&1 | sed 's/ [0-9+]*[0-9][0-9]:[0-9][0-9]:[0-9][0-9] / AGE /'
}

for m in up:"$UP":sendmail pt:"$PT":petrel; do
	IFS=: read -r q mta tag <<<"$m"
	send "$mta" -f sender@example.net ok@example.net temp@example.net perm@example.net
	send "$mta" -f sender@example.net a@down.net
	send "$mta" -f sender@example.net z@busy.net
	send "$mta" -f sender@example.net x@amx.net pol@amx.net nost@amx.net
	send "$mta" -f sender@example.net 'y@[127.0.0.5]'
	send "$mta" -f sender@example.net t1@tls.net
	send "$mta" -f sender@example.net 't2@[127.0.0.8]'
	$mta -q >/dev/null 2>&1
	log_wait "$tag" ok@example.net 1 && log_wait "$tag" a@down.net 1 &&
		log_wait "$tag" z@busy.net 1 && log_wait "$tag" x@amx.net 1 &&
		log_wait "$tag" 'y@\[127.0.0.5\]' 1 && log_wait "$tag" sender@example.net 2 &&
		log_wait "$tag" t1@tls.net 1 && log_wait "$tag" 't2@\[127.0.0.8\]' 1
	ok $? "$tag: the first queue run tried every message"
done

is "$(hs_files pt)" "$(hs_files up)" "the status files: same paths (labels reversed) and records"
like "$(hs_files pt)" "./net./down./mx:
V0
E111
H0
S75
D4.4.1
." "a refused connection is recorded as upstream does (E111, S75, D4.4.1)"
like "$(grep -c '^U[0-9]*$' "$w"/pt/.hoststat/net./example./mx1)" "^1$" "with the time of the attempt"
is "$(table "$PT")" "$(table "$UP")" "hoststat: the same table on each one's folder"
is "$(table "$PT" -v)" "$(table "$UP" -v)" "hoststat -v: the same, results not cut"
is "$(table "$PT" -OHostStatusDirectory="$w/up/.hoststat")" \
	"$(table "$UP")" "Petrel lists upstream's folder in the same order"
like "$(table "$PT")" "^ -------------- Hostname --------------- How long ago ---------Results---------
" "with upstream's header"
for r in ok@example.net temp@example.net perm@example.net a@down.net z@busy.net x@amx.net \
	pol@amx.net nost@amx.net 'y@\[127.0.0.5\]' t1@tls.net 't2@\[127.0.0.8\]'; do
	is "$(to_line petrel "$r")" "$(to_line sendmail "$r")" "the log line of $r"
done
like "$(to_line petrel a@down.net)" "relay=mx\.down\.net\. \[127\.0\.0\.6\], dsn=4\.4\.1, stat=Deferred: Connection refused by mx\.down\.net\.$" \
	"relay= names the MX host tried and its address"

# tls_lines TAG: the STARTTLS=client lines of a session, sorted
tls_lines() {
	grep " $1\[[0-9]*\]: STARTTLS=client, relay=" "$w/syslog" | sed 's/^.*STARTTLS=/STARTTLS=/' | sort
}
is "$(tls_lines petrel)" "$(tls_lines sendmail)" "the STARTTLS=client lines: relay= as upstream names the host"
like "$(tls_lines petrel)" "STARTTLS=client, relay=\[127\.0\.0\.8\], version=TLSv1\.3, .*
STARTTLS=client, relay=mx\.tls\.net\., version=TLSv1\.3, verify=FAIL, " "(a literal as written, a name with its dot)"

# a later queue run, in another process: the failed hosts are not tried
c7=$(grep -c '^O' "$w/p7.log")
for m in up:"$UP":sendmail pt:"$PT":petrel; do
	IFS=: read -r q mta tag <<<"$m"
	send "$mta" -f sender@example.net b@down.net
	$mta -q >/dev/null 2>&1
	log_wait "$tag" b@down.net 1 && log_wait "$tag" a@down.net 2 && log_wait "$tag" z@busy.net 2 &&
		log_wait "$tag" temp@example.net 2
	ok $? "$tag: the second queue run ends"
done
is "$(grep -c '^O' "$w/p7.log")" "$c7" "the host that refused with 421 is not connected to again"
for r in a@down.net b@down.net z@busy.net; do
	is "$(to_line petrel "$r")" "$(to_line sendmail "$r")" "a skipped host: the log line of $r"
done
like "$(to_line petrel b@down.net)" "relay=mx\.down\.net\., dsn=4\.4\.1, stat=Deferred: Connection refused by mx\.down\.net\.$" \
	"relay= without an address: no connection was made"
like "$($PT -bp 2>&1)" "\(Deferred: Connection refused by mx\.down\.net\.\)
[[:space:]]*b@down\.net" "the message stays queued with upstream's reason (mailq)"

# mx.down.net comes up: within Timeout.hoststatus it is still skipped, after it tried
fake_peer p6 127.0.0.6
$PT -q >/dev/null 2>&1
log_wait petrel a@down.net 3
is "$(grep -c 'RCPT' "$w/p6.log")" 0 "within Timeout.hoststatus the host stays skipped"
sleep 2
$PT -OTimeout.hoststatus=1s -q >/dev/null 2>&1
log_wait petrel a@down.net 4
like "$(grep 'RCPT' "$w/p6.log")" "a@down.net" "once it has passed, the host is tried again and takes the mail"
like "$(cat "$w"/pt/.hoststat/net./down./mx)" "^V0
E0
H0
S0
D2.0.0
R250 2.0.0 fake-id Message accepted
U[0-9]+
\.$" "the success replaces the failure"
send "$PT" -f sender@example.net c@down.net
$PT -q >/dev/null 2>&1
log_wait petrel c@down.net 1
like "$(to_line petrel c@down.net)" "stat=Sent" "and the next message goes at once"

# purgestat: records older than Timeout.hoststatus go, folders stay, as upstream
sleep 2
$UP -OTimeout.hoststatus=1s -bH >"$w/purge-up.out" 2>&1
$PT -OTimeout.hoststatus=1s -bH >"$w/purge-pt.out" 2>&1
is "$(cat "$w/purge-pt.out")" "$(cat "$w/purge-up.out")" "purgestat prints what upstream prints"
is "$(cd "$w/pt/.hoststat" && find . | sort)" "$(cd "$w/up/.hoststat" && find . | sort)" \
	"and leaves the same folders behind"
is "$(find "$w/pt/.hoststat" -type f | wc -l)" 0 "no record is left"
is "$(table "$PT")" "" "hoststat then prints nothing, as upstream"
done_testing
