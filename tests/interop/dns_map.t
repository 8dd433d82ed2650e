#!/usr/bin/env bash
# The dns, bestmx and host map classes against dnsmasq on loopback (through
# tests/lib/dns.sh): A, AAAA, MX, TXT, PTR, CNAME records, -z, -Z, -B, -a, -T,
# NXDOMAIN (not found) versus a failing server (temporary failure), CNAME
# canonicalization, reverse lookups, bestmx's order and local preference,
# and the service switch choosing files or dns.  No query leaves loopback.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/dns.sh"
Q=$PETREL_BUILDDIR/tests/helpers/map_query
t=$(mktemp -d)
trap 'dns_stop; rm -rf "$t"' EXIT
chmod 755 "$t"

dns_record --host-record=mx1.example.test,192.0.2.1
dns_record --host-record=mx2.example.test,192.0.2.2,2001:db8::2
dns_record --host-record=backup.example.test,192.0.2.3
dns_record --mx-host=example.test,mx2.example.test,20
dns_record --mx-host=example.test,mx1.example.test,10
dns_record --mx-host=example.test,backup.example.test,10
dns_record --txt-record=example.test,"v=spf1 -all"
dns_record --cname=www.example.test,mx1.example.test
dns_record --ptr-record=1.2.0.192.in-addr.arpa,mx1.example.test
dns_record --host-record=2.0.0.127.bl.example.test,127.0.0.2
dns_record --host-record=2.0.0.127.bl.example.test,127.0.0.4
if ! dns_start example.test 2.0.192.in-addr.arpa; then
	skip "no DNS server on loopback: $DNS_WHY"
	done_testing
fi
echo "hosts dns" >"$t/dns.switch"
echo "hosts files dns" >"$t/both.switch"
printf '192.0.2.77 files.example.test filesalias\n' >"$t/hosts"
q() { dns_run "$Q" -s "$t/dns.switch" "$@" 2>&1; }

is "$(q -K "d dns -R A" d mx1.example.test)" "FOUND 192.0.2.1" "dns -R A answers the address"
is "$(q -K "d dns -R AAAA" d mx2.example.test)" "FOUND 2001:db8::2" "dns -R AAAA answers the IPv6 address"
is "$(q -K "d dns -R MX -z:" d example.test | tr ':' '\n' | sed 's/^FOUND //' | sort | tr '\n' ' ')" \
	"backup.example.test mx1.example.test mx2.example.test " "dns -R MX -z: answers every exchanger"
like "$(q -K "d dns -R MX" d example.test)" "^FOUND (backup|mx1|mx2)\.example\.test$" "without -z, one record"
is "$(q -K "d dns -R TXT" d example.test)" "FOUND v=spf1 -all" "dns -R TXT answers the text"
is "$(q -K "d dns -R PTR" d 1.2.0.192.in-addr.arpa)" "FOUND mx1.example.test" "dns -R PTR answers the name"
is "$(q -K "d dns -R CNAME" d www.example.test)" "FOUND mx1.example.test" "dns -R CNAME answers the target"
is "$(q -K "ednsbl dns -R A -a. -T<TMP> -r2" ednsbl 2.0.0.127.bl.example.test | sed 's/127.0.0.4/127.0.0.2/')" \
	"FOUND 127.0.0.2." "the enhdnsbl declaration: -a. appended"
like "$(q -K "d dns -RA -Bbl.example.test -z, -Z1" d 2.0.0.127)" "^FOUND 127\.0\.0\.[24]$" \
	"-B appends the base domain; -Z1 keeps one record"
like "$(q -K "d dns -RA -Bbl.example.test -z," d 2.0.0.127)" "^FOUND 127\.0\.0\.[24],127\.0\.0\.[24]$" \
	"without -Z, -z joins every record"
is "$(q -K "d dns -R A" d nosuch.example.test)" "NOTFOUND" "NXDOMAIN is not found"
is "$(q -K "d dns -R MX" d mx1.example.test)" "NOTFOUND" "a name without records of the type is not found"
is "$(q -K "d dns -R A" d host.other.test)" "TEMPFAIL" "a server that refuses is a temporary failure"
is "$(q -K "d dns -R A -T<TMP>" d host.other.test)" "TEMPFAIL host.other.test<TMP>" "-T marks it"
is "$(q -K "d dns -R A -t" d host.other.test)" "NOTFOUND" "-t turns it into not found"

is "$(q -K "host host -a." host mx1.example.test)" "FOUND mx1.example.test." "host canonicalizes a name (with -a.)"
is "$(q -K "host host -a." host WWW.example.test.)" "FOUND mx1.example.test." "following a CNAME, a trailing dot allowed"
is "$(q -K "host host -a." host example.test)" "FOUND example.test." "a name with only MX records is a host"
is "$(q -K "host host -a." host nosuch.example.test)" "NOTFOUND" "an unknown name is not found"
is "$(q -K "host host -a. -T<TEMP>" host a.other.test)" "TEMPFAIL a.other.test<TEMP>" "a failing server is a temporary failure"
is "$(q -K "host host -a." host "[192.0.2.1]")" "FOUND mx1.example.test." "an address literal gives its PTR name"
is "$(q -K "host host -a." host "[192.0.2.9]")" "NOTFOUND" "an address without a name is not found"
is "$(q -K "host host -a." -d host mx1.example.test)" "TEMPFAIL" "host maps do no lookup in deferred mode (-D by default)"
is "$(dns_run "$Q" -s "$t/both.switch" -H "$t/hosts" -K "host host -a." host filesalias)" "FOUND files.example.test." \
	"with \"hosts files dns\", HostsFile answers first"
is "$(dns_run "$Q" -s "$t/both.switch" -H "$t/hosts" -K "host host -a." host mx2.example.test)" "FOUND mx2.example.test." \
	"and DNS after it"
is "$(q -H "$t/hosts" -K "host host -a." host filesalias)" "TEMPFAIL" "with \"hosts dns\" the hosts file is not read"

is "$(q -K "b bestmx -z:" b example.test)" "FOUND backup.example.test.:mx1.example.test.:mx2.example.test." \
	"bestmx -z: lists the exchangers by preference, deterministically, with trailing dots"
is "$(q -K "b bestmx" b example.test)" "FOUND backup.example.test." "bestmx answers the best one"
is "$(q -l mx1.example.test -K "b bestmx" b example.test)" "FOUND mx1.example.test." \
	"this host is preferred among the best"
is "$(q -l mx2.example.test -K "b bestmx" b example.test)" "FOUND backup.example.test." \
	"but not when it is not among the best"
is "$(q -K "b bestmx" b mx1.example.test)" "FOUND mx1.example.test." "a host without MX records is its own exchanger"
is "$(q -K "b bestmx" b nosuch.example.test)" "NOTFOUND" "an unknown name has none"
is "$(q -K "b bestmx -T<TEMP>" b x.other.test)" "TEMPFAIL x.other.test<TEMP>" "a failing server is a temporary failure"

ok "$(dns_queries | grep -q 'query\[A\] mx1.example.test'; echo $?)" "the queries reached the test server"
done_testing
