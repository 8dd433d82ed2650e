#!/usr/bin/env bash
# daemon_signals: the daemon's life, through a running daemon with its
# syslog recorded (a private /dev/log): -L's tag as the syslog identity; an
# MTA and an MSA (M=Ea) side by side from two DaemonPortOptions, answering
# as upstream's daemon does on the same two-port configuration; a port that
# cannot be bound is a clear error; SIGHUP with a cf that fails to load keeps
# the old daemon serving and logs why, with a good one re-executes; SIGTERM
# removes the PID file.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/peers.sh"
peers_enter upstream "$0" "$@"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"
w=$(mktemp -d /run/petrel-dsig-XXXXXX)
SB_ALL_DIRS="$SB_ALL_DIRS $w"
chmod 755 "$w"
peers_syslog "$w/syslog"
printf '0.00 0.00 0.00 1/100 1\n' >"$w/loadavg"
mount --bind "$w/loadavg" /proc/loadavg	# upstream queues at QueueLA otherwise
printf 'hosts\tfiles\naliases\tfiles\n' >"$w/service.switch"
printf '127.0.0.1 localhost mx.example.test\n' >"$w/hosts"
ports() { local a b; a=$(sb_free_port); b=$(sb_free_port); while [ "$a" = "$b" ]; do b=$(sb_free_port); done; echo "$a $b"; }

# the same two-listener .mc for both, compiled by upstream's package
read -r up_mta up_msa < <(ports)
read -r pt_mta pt_msa < <(ports)
lines() {
	echo "define(\`confSERVICE_SWITCH_FILE', \`$w/service.switch')dnl"
	echo "define(\`confHOSTS_FILE', \`$w/hosts')dnl"
	echo "DAEMON_OPTIONS(\`Port=$1, Addr=127.0.0.1, Name=MSA, M=Ea')dnl"
}
up_new "$w/up" "$up_mta" mx.example.test "$(lines "$up_msa")"
up_new "$w/pt" "$pt_mta" mx.example.test "$(lines "$pt_msa")"
rm -f "$w/pt/aliases.db" && "$SENDMAIL" -C "$w/pt/sendmail.cf" -bi >/dev/null 2>&1
up_start "$w/up"
peers_listening "$up_msa"
ok $? "upstream listens on its MTA and MSA ports"
"$SENDMAIL" -C "$w/pt/sendmail.cf" -bD -L petrel-dsig >"$w/pt/daemon.out" 2>&1 &
ptpid=$!
PEERS_PIDS="$PEERS_PIDS $ptpid"
peers_listening "$pt_mta" && peers_listening "$pt_msa"
ok $? "Petrel listens on both ports of the same cf"
peers_wait "$w/syslog" "petrel-dsig\[$ptpid\]: starting daemon" 10
ok $? "its syslog lines carry -L's tag and its pid"

talk() {
	$TALK 127.0.0.1 "$1" | sed -E -e 's/^S: 220 mx\.example\.test ESMTP .*/S: 220 BANNER/' \
		-e 's/^S: 250-mx\.example\.test Hello .*/S: 250-HELLO/' \
		-e 's/[0-9A-Za-z]{14} Message accepted/QID Message accepted/' -e 's/^S: 250-ETRN$//' | grep -v '^$'
}
script='ehlo client.example
etrn mx.example.test
mail from:<ceo@example.org>
rcpt to:<user1@mx.example.test>
data
Subject: port test

body
.
quit'
up=$(talk "$up_mta" <<<"$script") pt=$(talk "$pt_mta" <<<"$script")
is "$pt" "$up" "the MTA port answers as upstream's"
like "$pt" "250 2.0.0 QID Message accepted" "and takes mail"
# ETRN's log line as upstream's: "ID: relay: ETRN host", ID the session's
# envelope id, which the message of the session then takes as its queue id
etrn_log() {
	python3 - "$w/syslog" "$1" <<'PY'
import re, sys
want_petrel = sys.argv[2] == "pt"
by_pid = {}
for l in open(sys.argv[1], errors="replace"):
    m = re.match(r"<\d+>\w{3} +\d+ [\d:]+ ([^\[]+)\[(\d+)\]: (?:([0-9A-Za-x]{14,15}): )?(.*)$", l.rstrip("\n"))
    if m and (m.group(1).startswith("petrel-dsig") == want_petrel):
        by_pid.setdefault(m.group(2), []).append((m.group(3), m.group(4)))
for lines in by_pid.values():
    etrn = [(i, t) for i, t in lines if t.endswith(": ETRN mx.example.test")]
    frm = [i for i, t in lines if t.startswith("from=<ceo@example.org>")]
    for i, t in etrn:
        print("%s: %s" % ("the message's id" if frm and i == frm[0] else "id %s" % i, t))
PY
}
up_etrn=$(etrn_log up) pt_etrn=$(etrn_log pt)
like "$up_etrn" "^the message's id: .*: ETRN mx.example.test$" "upstream logs ETRN with the session's envelope id"
is "$pt_etrn" "$up_etrn" "Petrel logs ETRN as upstream does"
up=$(talk "$up_msa" <<<"$script") pt=$(talk "$pt_msa" <<<"$script")
is "$pt" "$up" "the MSA port (M=Ea: no ETRN, AUTH required) answers as upstream's"
like "$pt" "S: 530 5.7.0 Authentication required" "MAIL needs AUTH there"

# a port that is taken
out=$(timeout 60 "$SENDMAIL" -C "$w/pt/sendmail.cf" -bD -L petrel-dsig2 2>&1); rc=$?
ok "$([ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]; echo $?)" "a second daemon on the same ports exits at once with an error ($rc)"
like "$out" "daemon MTA: cannot bind: Address already in use" "and says which daemon and why"
like "$(cat "$w/syslog")" "petrel-dsig2\[[0-9]+\]: opendaemonsocket: daemon MTA: cannot bind: Address already in use" \
	"in the log too"
peers_listening "$pt_mta"
ok $? "the first daemon still serves"

# SIGHUP with a cf that does not load, then with one that does
pidfile=$w/pt/sendmail.pid
is "$(head -1 "$pidfile" 2>/dev/null)" "$ptpid" "the PID file names the daemon"
cp "$w/pt/sendmail.cf" "$w/pt/good.cf"
echo 'Zgarbage' >>"$w/pt/sendmail.cf"
kill -HUP "$ptpid"
peers_wait "$w/syslog" "petrel-dsig\[$ptpid\]: SIGHUP: .*configuration does not load" 20
ok $? "SIGHUP with a broken cf logs why it keeps the running configuration"
like "$(grep 'SIGHUP' "$w/syslog")" 'unknown configuration line "Zgarbage"' "naming the bad line"
kill -0 "$ptpid" && like "$(talk "$pt_mta" <<<"$script")" "250 2.0.0 QID Message accepted" \
	"the old daemon keeps serving"
cp "$w/pt/good.cf" "$w/pt/sendmail.cf"
kill -HUP "$ptpid"
peers_wait "$w/syslog" "petrel-dsig\[$ptpid\]: restarting .* due to signal" 20
ok $? "SIGHUP with a good cf restarts the daemon"
peers_wait "$w/syslog" "petrel-dsig\[$ptpid\]: starting daemon.*" 20
peers_listening "$pt_msa"
ok $? "which listens again on both ports"
is "$(head -1 "$pidfile" 2>/dev/null)" "$ptpid" "with the same pid in the PID file"
like "$(talk "$pt_mta" <<<"$script")" "250 2.0.0 QID Message accepted" "and takes mail"

# SIGTERM
kill -TERM "$ptpid"
for _ in $(seq 1 150); do kill -0 "$ptpid" 2>/dev/null || break; sleep 0.1; done
ok "$(kill -0 "$ptpid" 2>/dev/null; [ $? -ne 0 ]; echo $?)" "SIGTERM ends the daemon"
ok "$([ ! -e "$pidfile" ]; echo $?)" "and removes its PID file"
python3 -c "import socket; socket.create_connection(('127.0.0.1', $pt_mta), 2)" 2>/dev/null
ok "$([ $? -ne 0 ]; echo $?)" "nothing listens any more"
ls "$w/pt/mail/user1" 2>/dev/null | grep -c '^msg' | grep -q '^3$'
ok $? "the three messages it took were delivered"
done_testing
