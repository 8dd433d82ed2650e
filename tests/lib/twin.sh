# twin.sh: upstream sendmail 8.17 and Petrel side by side on the same
# upstream-made cf, for tests that compare what both do with the same mail
# (bounces, log lines).  Sourced after tap.sh, sandbox.sh and peers.sh, and
# after peers_enter upstream (inside the test's namespaces).
#
#   twin_new NAME UID USERS -- MC LINES...
#                  Petrel logs as petrel-NAME ($TW_TAG); a work folder $TW (in /run, removed with the sandboxes)
#                  with the syslog of both in $TW/syslog, a load average of
#                  zero, hosts and aliases from files ($TW/hosts names
#                  127.0.0.1 mx.example.test), the users of USERS (a
#                  space-separated list; uids from UID on, homes under
#                  $TW/home), and an upstream instance in $TW/up and one for
#                  Petrel in $TW/pt (up_new of peers.sh: the same .mc, each
#                  on its own port, $TW_UPPORT and $TW_PTPORT, with local
#                  users checked (+w) and the MC LINES)
#   twin_start     rebuilds both alias files (append to $TW/up/aliases and
#                  $TW/pt/aliases first), starts upstream's daemon and
#                  Petrel's; one ok line each
#   twin_port SIDE the port of side up or pt
#   twin_mta SIDE  the sendmail command of side up or pt (with its -C, and -L for Petrel)
TW= TW_TAG= TW_UPPORT= TW_PTPORT=

twin_new() {
	local name=$1 uid=$2 users=$3 u lines
	shift 4
	TW_TAG=petrel-$name
	TW=$(mktemp -d "/run/petrel-$name-XXXXXX")
	SB_ALL_DIRS="$SB_ALL_DIRS $TW"
	chmod 755 "$TW"
	peers_syslog "$TW/syslog"
	printf '0.00 0.00 0.00 1/100 1\n' >"$TW/loadavg"
	mount --bind "$TW/loadavg" /proc/loadavg
	printf 'hosts\tfiles\naliases\tfiles\n' >"$TW/service.switch"
	printf '127.0.0.1 mx.example.test localhost\n' >"$TW/hosts"
	for u in $users; do
		mkdir -p "$TW/home/$u"
		echo "$u:x:$uid:$uid::$TW/home/$u:/bin/sh" >>/etc/passwd
		echo "$u:x:$uid:" >>/etc/group
		uid=$((uid + 1))
	done
	lines=("define(\`confSERVICE_SWITCH_FILE', \`$TW/service.switch')dnl"
		"define(\`confHOSTS_FILE', \`$TW/hosts')dnl" "MODIFY_MAILER_FLAGS(\`LOCAL', \`+w')dnl" "$@")
	TW_UPPORT=$(sb_free_port) TW_PTPORT=$(sb_free_port)
	while [ "$TW_PTPORT" = "$TW_UPPORT" ]; do TW_PTPORT=$(sb_free_port); done
	up_new "$TW/up" "$TW_UPPORT" mx.example.test "${lines[@]}" &&
		up_new "$TW/pt" "$TW_PTPORT" mx.example.test "${lines[@]}"
}

twin_start() {
	"$ORACLE_SENDMAIL" -C "$TW/up/sendmail.cf" -bi >/dev/null 2>&1
	rm -f "$TW/pt/aliases.db" && "$SENDMAIL" -C "$TW/pt/sendmail.cf" -bi >/dev/null 2>&1
	up_start "$TW/up"
	ok $? "upstream's daemon runs"
	"$SENDMAIL" -C "$TW/pt/sendmail.cf" -bD -L "$TW_TAG" >"$TW/pt/daemon.out" 2>&1 &
	PEERS_PIDS="$PEERS_PIDS $!"
	peers_listening "$TW_PTPORT"
	ok $? "Petrel's daemon runs on the same cf"
}

twin_port() {
	if [ "$1" = up ]; then echo "$TW_UPPORT"; else echo "$TW_PTPORT"; fi
}

twin_mta() {
	if [ "$1" = up ]; then echo "$ORACLE_SENDMAIL -C $TW/up/sendmail.cf"
	else echo "$SENDMAIL -C $TW/pt/sendmail.cf -L $TW_TAG"; fi
}
