#!/usr/bin/env bash
# loglevel: the LogLevel option decides which log lines are written, with
# upstream's levels, set in the cf (confLOG_LEVEL) or with -O LogLevel=N.
# Petrel and upstream sendmail 8.17 run on the same upstream-made cf and
# take the same message (to a list with an unknown member, which bounces)
# at levels 4, 7, 9 and 11; at each level the kinds of lines each writes
# must be the same: the from= line (5 and up), the failure (7), the
# success (8), the notice created (6), the alias expansion (11).
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/peers.sh"
peers_enter upstream "$0" "$@"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"
pair_env loglevel
pair_users 4300 sender u1
pair_new "define(\`confLOG_LEVEL', \`7')dnl"
grep -q '^O LogLevel=7$' "$w/pt/sendmail.cf"
ok $? "the cf sets LogLevel 7"
for d in up pt; do printf 'lst: u1, nosuchuser\n' >>"$w/$d/aliases"; done
pair_aliases

send() {	# PORT SUBJECT
	printf 'ehlo client.example\nmail from:<sender@mx.example.test>\nrcpt to:<lst@mx.example.test>\ndata\nSubject: %s\n\nhello\n.\nquit\n' "$2" |
		$TALK 127.0.0.1 "$1" | grep -c '^S: 250 2\.0\.0 .*Message accepted'
}
count() { ls "$w/$1/mail/$2" 2>/dev/null | grep -c '^msg'; }
# the kinds of line an identity wrote after line $2 of the log
kinds() {
	tail -n +"$(($2 + 1))" "$w/syslog" | grep -E "$1\[[0-9]+\]: " | sed -E 's/^<[0-9]+>.{15} [^:]+: //' | {
		k=()
		while IFS= read -r l; do
			case "$l" in
			*": from=<sender@"*) k+=(from) ;;
			*"to=<u1@"*"stat=Sent"*|*"to=u1,"*"stat=Sent"*) k+=(sent) ;;
			*"to=nosuchuser"*"User unknown"*) k+=(failed) ;;
			*"alias "*"lst"*" => u1, nosuchuser") k+=(alias) ;;
			*": DSN: "*) k+=(dsn) ;;
			esac
		done
		[ ${#k[@]} -gt 0 ] && printf '%s\n' "${k[@]}" | sort -u | tr '\n' ' '
	}
}
n=0
for level in cf 4 9 11; do
	opt=() name=$level
	[ "$level" = cf ] && name=7 || opt=(-O "LogLevel=$level")
	start=$(wc -l <"$w/syslog")
	"$ORACLE_SENDMAIL" -C "$w/up/sendmail.cf" -bD "${opt[@]}" >"$w/up/daemon.out" 2>&1 &
	uppid=$!
	"$SENDMAIL" -C "$w/pt/sendmail.cf" -bD -L petrel-ll "${opt[@]}" >"$w/pt/daemon.out" 2>&1 &
	ptpid=$!
	PEERS_PIDS="$PEERS_PIDS $uppid $ptpid"
	peers_listening "$upport" && peers_listening "$ptport"
	ok $? "both daemons run at LogLevel $name"
	is "$(send "$upport" "level $name"):$(send "$ptport" "level $name")" "1:1" "both take the message at LogLevel $name"
	n=$((n + 1))
	for _ in $(seq 1 300); do
		[ "$(count up sender)" -ge "$n" ] && [ "$(count pt sender)" -ge "$n" ] && break
		sleep 0.1
	done
	sleep 1
	is "$(count pt sender):$(count pt u1)" "$n:$n" "Petrel delivered the copy and the bounce at LogLevel $name"
	kill "$uppid" "$ptpid"
	wait "$uppid" "$ptpid" 2>/dev/null
	up=$(kinds sendmail "$start") pt=$(kinds petrel-ll "$start")
	[ "$name" = 11 ] && is "$(grep -o 'petrel-ll.*alias .*' "$w/syslog" | sed 's/.*: alias/alias/')" \
		"$(grep -o 'sendmail.*alias .*' "$w/syslog" | sed 's/.*: alias/alias/')" "the alias line reads as upstream's"
	is "$pt" "$up" "at LogLevel $name Petrel writes the same kinds of lines as upstream ($up)"
	case $name in
	4) is "$pt" "" "at LogLevel 4 no from=, to= or alias line" ;;
	7) is "$pt" "dsn failed from " "at LogLevel 7: the from= line, the failure and the notice, not the success" ;;
	9) is "$pt" "dsn failed from sent " "at LogLevel 9 (the default): the success too, no alias expansion" ;;
	11) is "$pt" "alias dsn failed from sent " "at LogLevel 11 the alias expansion too" ;;
	esac
done
done_testing
