# dns.sh: a DNS server on loopback for tests, and a way to run commands whose
# resolver asks it and nothing else.
#
# Sourced by test scripts (after tap.sh).  Needs root (port 53, mount
# namespaces), dnsmasq (package dnsmasq-base) and unshare (util-linux).
#
#   dns_record OPTION...   adds dnsmasq record options, for example
#                              dns_record --host-record=mx1.example.test,192.0.2.1
#                              dns_record --mx-host=example.test,mx1.example.test,10
#                              dns_record --txt-record=example.test,"v=spf1 -all"
#                              dns_record --cname=www.example.test,mx1.example.test
#                              dns_record --ptr-record=1.2.0.192.in-addr.arpa,mx1.example.test
#                          names under the zones given to dns_start that have no
#                          record answer NXDOMAIN; other names are REFUSED (the
#                          resolver then reports a temporary failure).
#   dns_mx DOMAIN ADDR [DOMAIN ADDR...]
#                          for each DOMAIN the usual pair: an MX (preference 10)
#                          to mx.DOMAIN, whose address is ADDR
#   dns_start ZONE...      starts dnsmasq on a fresh loopback address (127.53.x.y,
#                          port 53), authoritative for the zones (example.test by
#                          default); writes $DNS_DIR/resolv.conf pointing at it.
#                          Returns 1 (and says why in $DNS_WHY) when it cannot run:
#                          call skip with it.  Sets DNS_ADDR, DNS_PID, DNS_DIR.
#   dns_run CMD ARGS...    runs CMD in a private mount namespace in which
#                          /etc/resolv.conf is $DNS_DIR/resolv.conf: every resolver
#                          query of CMD (and its children) goes to the test server.
#   dns_queries            prints the queries the server saw ("query[A] name").
#   dns_stop               stops the server and removes its folder; call it at exit,
#                          for example: trap 'dns_stop; rm -rf "$t"' EXIT
#
# Nothing here touches the machine's own /etc/resolv.conf or its resolver.
DNS_OPTS=()
DNS_DIR=
DNS_PID=
DNS_ADDR=
DNS_WHY=

dns_record() {
	DNS_OPTS+=("$@")
}

dns_mx() {
	while [ $# -ge 2 ]; do
		dns_record "--mx-host=$1,mx.$1,10" "--host-record=mx.$1,$2"
		shift 2
	done
}

# Picks a loopback address that no other test server uses right now.
dns__pick_addr() {
	local a b
	a=$(( ($$ % 250) + 1 ))
	b=$(( (RANDOM % 250) + 2 ))
	echo "127.53.$a.$b"
}

dns_start() {
	local zones=("$@") z opts=() try
	[ ${#zones[@]} -eq 0 ] && zones=(example.test)
	if [ "$(id -u)" -ne 0 ]; then DNS_WHY="not root (port 53 and mount namespaces)"; return 1; fi
	if ! command -v dnsmasq >/dev/null; then DNS_WHY="dnsmasq is not installed (dnsmasq-base)"; return 1; fi
	if ! command -v unshare >/dev/null; then DNS_WHY="unshare is not installed (util-linux)"; return 1; fi
	if [ ! -e /etc/resolv.conf ]; then DNS_WHY="/etc/resolv.conf does not exist to be covered"; return 1; fi
	DNS_DIR=$(mktemp -d)
	chmod 755 "$DNS_DIR"
	for z in "${zones[@]}"; do opts+=("--local=/$z/"); done
	for try in 1 2 3 4 5; do
		DNS_ADDR=$(dns__pick_addr)
		dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
			--port=53 --listen-address="$DNS_ADDR" --bind-interfaces --pid-file= \
			--user=nobody --group=nogroup --cache-size=0 --log-queries \
			--log-facility="$DNS_DIR/dnsmasq.log" "${opts[@]}" "${DNS_OPTS[@]}" \
			>"$DNS_DIR/dnsmasq.out" 2>&1 &
		DNS_PID=$!
		# ready when it answers on its address
		local i
		for i in $(seq 1 50); do
			if ! kill -0 "$DNS_PID" 2>/dev/null; then break; fi
			grep -q "started" "$DNS_DIR/dnsmasq.log" 2>/dev/null && break
			sleep 0.1
		done
		if kill -0 "$DNS_PID" 2>/dev/null; then
			printf 'nameserver %s\noptions timeout:2 attempts:1\n' "$DNS_ADDR" >"$DNS_DIR/resolv.conf"
			return 0
		fi
	done
	DNS_WHY="dnsmasq would not start: $(tail -1 "$DNS_DIR/dnsmasq.out" 2>/dev/null)"
	return 1
}

dns_run() {
	unshare -m -- sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' \
		"$DNS_DIR/resolv.conf" "$@"
}

dns_queries() {
	sed -n 's/.*\(query\[[A-Z]*\] [^ ]*\).*/\1/p' "$DNS_DIR/dnsmasq.log"
}

dns_stop() {
	if [ -n "$DNS_PID" ]; then
		kill "$DNS_PID" 2>/dev/null
		wait "$DNS_PID" 2>/dev/null
		DNS_PID=
	fi
	[ -n "$DNS_DIR" ] && rm -rf "$DNS_DIR"
	DNS_DIR=
}
