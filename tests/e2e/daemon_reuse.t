#!/usr/bin/env bash
# daemon_reuse: a session process serves several connections, one after
# another (MaxConnectionsPerProcess), and nothing of one connection reaches
# the next.  With MaxDaemonChildren=1 every connection is served by the one
# session process (its pid is the end of every queue id it makes, and of the
# session ids in its log lines): an AUTH-authenticated client over STARTTLS
# with a client certificate relays, then a plain one from the same outside
# address is refused relaying, offered STARTTLS again and sees no {verify},
# {tls_version}, {auth_type}, {cert_subject} (a Local_check_mail rule echoes
# them); a client the access map lets relay (Connect:127.0.0.3 RELAY), then
# 127.0.0.2, refused; a session cut off in the middle of DATA, then a normal
# one: only the second is delivered; 24 bad commands, then a session whose
# bad commands count from zero; the mail filter gets a connect for each
# session, with no macro of the one before.  The process's descriptors do
# not grow over many connections; a queue folder removed and made again
# between two connections is opened again; after MaxConnectionsPerProcess=3
# connections a new process serves; with 1, every connection has its own;
# a map rebuilt on disk sends the next connection to a new process (which
# opens it as root) that honours the change.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"
FILTER=$PETREL_BUILDDIR/tests/tools/test_milter_filter
command -v saslpasswd2 >/dev/null || { skip "saslpasswd2 (sasl2-bin) is not installed"; done_testing; }
[ -x "$FILTER" ] || { ok 1 "the test filter $FILTER is built"; done_testing; }
sb_private_dns || { skip "$DNS_WHY"; done_testing; }

base=/run
[ "$(id -u)" -eq 0 ] || base=${TMPDIR:-/tmp}
SOCKS=$(mktemp -d "$base/petrel-reuse-XXXXXX")
chmod 755 "$SOCKS"
FPID=
trap '[ -n "$FPID" ] && kill "$FPID" 2>/dev/null; sb_cleanup; rm -rf "$SOCKS"' EXIT

SB_TLS=1 SB_SASL=1 SB_ACCESS=1 sb_new "MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl" \
	"define(\`confAUTH_MECHANISMS', \`PLAIN LOGIN')dnl" \
	"TRUST_AUTH_MECH(\`PLAIN LOGIN')dnl" \
	"FEATURE(\`accept_unresolvable_domains')dnl" \
	"INPUT_MAIL_FILTER(\`t1', \`S=unix:$SOCKS/t1.sock, F=T, T=R:10s')dnl" \
	"define(\`confMILTER_MACROS_CONNECT', \`{client_addr}, {mail_addr}, {rcpt_addr}')dnl" \
	"LOCAL_RULESETS" "SLocal_check_mail" \
	"R\$* probe \$*	\$#error \$@ 5.7.1 \$: probe client=\$&{client_addr} verify=\$&{verify} tls=\$&{tls_version} auth=\$&{auth_type} authen=\$&{auth_authen} cert=\$&{cert_subject} end"
ok $? "a sandbox with STARTTLS, AUTH, an access map, a mail filter and a macro probe"
sb_sasl_user alice secret
sb_access "Connect:127.0.0.3	RELAY"
"$FILTER" -p "unix:$SOCKS/t1.sock" -l "$SOCKS/t1.log" &
FPID=$!
for _ in $(seq 1 100); do [ -S "$SOCKS/t1.sock" ] && break; sleep 0.05; done
sb_start -OMaxDaemonChildren=1 -OMaxConnectionsPerProcess=2000 -ODeliveryMode=q
ok $? "a daemon with MaxDaemonChildren=1 starts"

plain=$(printf '\0alice\0secret' | base64)
# talk ADDR [ARGS]: a session from ADDR, the script on standard input
talk() { local a=$1; shift; $TALK 127.0.0.1 "$SB_PORT" --bind "$a" "$@"; }
# the pid at the end of the queue id of the message a transcript got accepted
# relay_try ADDR SUBJECT: a message from ADDR to victim@remote.test (relayed or not)
relay_try() {
	printf 'HELO client.test\nMAIL FROM:<a@example.test>\nRCPT TO:<victim@remote.test>\nDATA\nSubject: %s\n\nbody\n.\nQUIT\n' \
		"$2" | talk "$1"
}
pid_of() { printf '%s\n' "$1" | sed -n 's/^S: 250 2.0.0 [0-9A-Za-x]\{8\}\([0-9]*\) Message accepted.*/\1/p' | tail -1 | sed 's/^0*//'; }
id_of() { printf '%s\n' "$1" | sed -n 's/^S: 250 2.0.0 \([0-9A-Za-x]*\) Message accepted.*/\1/p' | tail -1; }
pids=""

# 1. authenticated over STARTTLS with a client certificate: may relay
out=$(talk 127.0.0.2 --cafile "$SB/tls/ca.pem" --cert "$SB/tls/cert.pem" --key "$SB/tls/key.pem" <<SMTP
EHLO client.test
STARTTLS
EHLO client.test
AUTH PLAIN $plain
MAIL FROM:<probe@x.test>
MAIL FROM:<a@example.test>
RCPT TO:<victim@remote.test>
DATA
Subject: relayed by alice

body
.
QUIT
SMTP
)
like "$out" "S: 235 2.0.0 OK Authenticated" "session 1: authenticated over STARTTLS"
like "$out" "probe client= 127.0.0.2 verify= OK tls= TLSv1.[23] auth= PLAIN authen= alice@petrel.test cert=[^ ]*Petrel" \
	"session 1 has {verify} OK, {tls_version}, {auth_type}, {auth_authen}, {cert_subject}"
like "$out" "C: RCPT TO:<victim@remote.test>
S: 250 2.1.5" "session 1 may relay"
p1=$(pid_of "$out")
id1=$(id_of "$out")
ok "$([ -n "$p1" ] && echo 0 || echo 1)" "session 1's message is accepted (process $p1)"
pids="$pids $p1"

# 2. the same outside address, no TLS, no AUTH, in the same process
out=$(talk 127.0.0.2 <<'SMTP'
EHLO client.test
MAIL FROM:<probe@x.test>
MAIL FROM:<a@example.test>
RCPT TO:<victim@remote.test>
RCPT TO:<user1@localhost>
DATA
Subject: plain

body
.
QUIT
SMTP
)
p2=$(pid_of "$out")
id2=$(id_of "$out")
is "$p2" "$p1" "session 2 is served by the same process"
like "$out" "S: 250-STARTTLS" "session 2 is offered STARTTLS again"
like "$out" "probe client= 127.0.0.2 verify= tls= auth= authen= cert= end" \
	"session 2 has no {verify}, {tls_version}, {auth_type}, {auth_authen} or {cert_subject}"
like "$out" "C: RCPT TO:<victim@remote.test>
S: 550 5.7.1 <victim@remote.test>... Relaying denied" "session 2 may not relay"
log=$(cat "$SB/daemon.log")
like "$log" "$id1: from=<a@example.test>[^
]*proto=ESMTPSA" "session 1's message came in over ESMTPSA"
like "$log" "$id2: from=<a@example.test>[^
]*proto=ESMTP," "session 2's over ESMTP"

# 3. an access map Connect: RELAY client, then an outside one
out=$(relay_try 127.0.0.3 "relayed for 127.0.0.3")
like "$out" "C: RCPT TO:<victim@remote.test>
S: 250 2.1.5" "session 3 (Connect:127.0.0.3 RELAY) may relay"
is "$(pid_of "$out")" "$p1" "session 3 is served by the same process"
out=$(talk 127.0.0.2 <<'SMTP'
HELO client.test
MAIL FROM:<a@example.test>
RCPT TO:<victim@remote.test>
RCPT TO:<user1@localhost>
DATA
Subject: after the relay client

body
.
QUIT
SMTP
)
like "$out" "C: RCPT TO:<victim@remote.test>
S: 550 5.7.1 <victim@remote.test>... Relaying denied" "session 4 from 127.0.0.2 may not relay"
is "$(pid_of "$out")" "$p1" "session 4 is served by the same process"

# 4. a session cut off in the middle of DATA, then a normal one
python3 - "$SB_PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
f = s.makefile("rb")
def cmd(line):
    s.sendall(line + b"\r\n")
    while True:
        r = f.readline()
        if len(r) < 4 or r[3:4] != b"-":
            return r
f.readline()
cmd(b"HELO client.test")
cmd(b"MAIL FROM:<cut@example.test>")
cmd(b"RCPT TO:<user2@localhost>")
cmd(b"DATA")
s.sendall(b"Subject: cut off\r\n\r\nSECRET-CUT-OFF-BODY\r\n")
s.close()
PY
out=$(talk 127.0.0.1 <<'SMTP'
HELO client.test
MAIL FROM:<whole@example.test>
RCPT TO:<user2@localhost>
DATA
Subject: whole

the whole message
.
QUIT
SMTP
)
like "$out" "Message accepted for delivery" "the session after the cut-off one delivers its message"
is "$(pid_of "$out")" "$p1" "served by the same process"
sb_sendmail -q
sb_wait_mail user2 1
sleep 1
is "$(sb_count user2)" 1 "user2 got one message only"
! grep -rq "SECRET-CUT-OFF-BODY" "$SB_MAIL" "$SB/mqueue" 2>/dev/null
ok $? "nothing of the cut-off message is in a mailbox or the queue"
grep -q "the whole message" "$SB_MAIL"/user2/msg.* 2>/dev/null
ok $? "the whole message was delivered"

# 5. bad commands count from zero in each session
bad=$(for i in $(seq 1 24); do echo "BOGUS $i"; done)
out=$(printf '%s\nQUIT\n' "$bad" | talk 127.0.0.1)
like "$out" "C: QUIT
S: 221 " "24 bad commands do not end a session (the limit is 25)"
out=$(printf 'BOGUS a\nBOGUS b\nMAIL FROM:<a@example.test>\nRCPT TO:<user1@localhost>\nDATA\nSubject: counts\n\nbody\n.\nQUIT\n' | talk 127.0.0.1)
unlike_out=$(printf '%s\n' "$out" | grep -c "Too many bad commands")
is "$unlike_out" 0 "the next session's bad commands count from zero"
is "$(pid_of "$out")" "$p1" "served by the same process"

# 6. the filter got a connect for each session, without the macros of the one before
flog=$(cat "$SOCKS/t1.log")
# 9: sb_start's probe of the port is a session too
is "$(grep -c '^connect host=' "$SOCKS/t1.log")" 9 "the filter got a connect for each of the 9 sessions"
! grep -Eq "^connect macro \{(mail|rcpt)_addr\}" "$SOCKS/t1.log"
ok $? "no session's connect carries {mail_addr} or {rcpt_addr}"
like "$flog" "connect macro \{client_addr\}=127.0.0.3" "the filter sees each session's own client address"

# 7. the process's descriptors and memory over 1000 more connections
pid=$p1
fds0=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
rss0=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null)
python3 - "$SB_PORT" <<'PY'
import socket, sys
for i in range(1000):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 10)
    f = s.makefile("rb")
    f.readline()
    for line in (b"EHLO client.test", b"MAIL FROM:<a@example.test>", b"RCPT TO:<nobody@localhost>", b"RSET", b"QUIT"):
        s.sendall(line + b"\r\n")
        while True:
            r = f.readline()
            if len(r) < 4 or r[3:4] != b"-":
                break
    s.close()
PY
fds1=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
rss1=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null)
ok "$([ -d "/proc/$pid" ] && echo 0 || echo 1)" "the process is still the one serving after 1000 more connections"
is "$fds1" "$fds0" "its open descriptors did not grow ($fds0)"
if ldd "$SENDMAIL" 2>/dev/null | grep -q libasan; then
	skip "memory under ASan, whose quarantine keeps what is freed ($rss0 kB, then $rss1 kB)"
else
	ok "$([ -n "$rss1" ] && [ $((rss1 - rss0)) -lt 2048 ] && echo 0 || echo 1)" \
		"its memory grew less than 2 MB ($rss0 kB, then $rss1 kB)"
fi

# 7b. the process keeps its queue folder open between connections; one
# removed and made again is opened again, and the next message lands there
owner=$(stat -c %u:%g "$SB/mqueue")
rm -rf "$SB/mqueue"
mkdir -m 700 "$SB/mqueue"
chown "$owner" "$SB/mqueue"
out=$(printf 'HELO client.test\nMAIL FROM:<a@example.test>\nRCPT TO:<user3@localhost>\nDATA\nSubject: new folder\n\nbody\n.\nQUIT\n' | talk 127.0.0.1)
like "$out" "S: 250 2.0.0 [0-9A-Za-x]+ Message accepted" "after the queue folder was removed and made again, a message is accepted"
is "$(pid_of "$out")" "$pid" "by the same process"
id=$(id_of "$out")
ok "$([ -n "$id" ] && [ -f "$SB/mqueue/qf$id" ] && [ -f "$SB/mqueue/df$id" ] && echo 0 || echo 1)" \
	"into the new folder (qf$id and df$id are there)"
sb_stop

# 8. MaxConnectionsPerProcess=3: a new process after three connections
msg() {
	talk 127.0.0.1 <<'SMTP'
HELO client.test
MAIL FROM:<a@example.test>
RCPT TO:<user3@localhost>
DATA
Subject: count

body
.
QUIT
SMTP
}
sb_start -OMaxDaemonChildren=1 -OMaxConnectionsPerProcess=3 -ODeliveryMode=q
ok $? "a daemon with MaxConnectionsPerProcess=3 starts"
seen=""
for i in 1 2 3 4 5 6 7; do seen="$seen $(pid_of "$(msg)")"; done
# sb_start's probe of the port was the first process's first connection
runs=$(printf '%s\n' $seen | uniq -c | awk '{printf "%s ", $1}')
like "$runs" "^[12] 3 [1-3] " "three connections per process, then a new one (runs of $runs: $seen)"
sb_stop
sb_start -OMaxDaemonChildren=1 -OMaxConnectionsPerProcess=1 -ODeliveryMode=q
ok $? "a daemon with MaxConnectionsPerProcess=1 starts"
seen=""
for i in 1 2 3; do seen="$seen $(pid_of "$(msg)")"; done
read -r a b c <<<"$seen"
ok "$([ -n "$c" ] && [ "$a" != "$b" ] && [ "$b" != "$c" ] && [ "$a" != "$c" ] && echo 0 || echo 1)" \
	"with 1 every connection has a process of its own ($seen)"
sb_stop

# 9. a map rebuilt on disk: the next connection goes to a new process, which sees it
sb_start -OMaxDaemonChildren=1 -ODeliveryMode=q
p=$(pid_of "$(msg)")
is "$(pid_of "$(msg)")" "$p" "two connections in one process"
sb_access "Connect:127.0.0.3	RELAY" "Connect:127.0.0.4	RELAY"
out=$(relay_try 127.0.0.4 "after the rebuild")
like "$out" "C: RCPT TO:<victim@remote.test>
S: 250 2.1.5" "after the access map was rebuilt, its new entry is honoured"
p2=$(pid_of "$(msg)")
ok "$([ -n "$p2" ] && [ "$p2" != "$p" ] && echo 0 || echo 1)" \
	"and a new process serves after the one that had the old map ($p, then $p2)"
sb_stop

# 10. a queue of the mail user's: root is given up at the first connection
# and nothing after needs it; a map readable by root only, rebuilt, is
# opened by a new process
if [ "$(id -u)" -eq 0 ] && id mail >/dev/null 2>&1; then
	SB_ACCESS=1 sb_new "MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl" \
		"FEATURE(\`accept_unresolvable_domains')dnl"
	ok $? "a sandbox whose queue belongs to the mail user"
	chown mail:mail "$SB/mqueue"
	sb_access "Connect:127.0.0.3	RELAY"
	chmod 600 "$SB"/access.db
	sb_start -OMaxDaemonChildren=1 -ODeliveryMode=q
	ok $? "its daemon starts"
	p=$(pid_of "$(msg)")
	is "$(awk '/^Uid:/ {print $2 "," $3}' "/proc/$p/status" 2>/dev/null)" "$(id -u mail),$(id -u mail)" \
		"the session process runs as the queue's owner after its first connection"
	is "$(pid_of "$(msg)")" "$p" "and, without root, serves the next connection"
	out=$(talk 127.0.0.3 <<'SMTP'
HELO client.test
MAIL FROM:<a@example.test>
RCPT TO:<victim@remote.test>
QUIT
SMTP
)
	like "$out" "S: 250 2.1.5" "the access map it opened as root still answers"
	sb_access "Connect:127.0.0.3	RELAY" "Connect:127.0.0.4	RELAY"
	chmod 600 "$SB"/access.db
	out=$(relay_try 127.0.0.4 "after the rebuild")
	like "$out" "C: RCPT TO:<victim@remote.test>
S: 250 2.1.5" "the rebuilt map (root's only) is honoured"
	p2=$(pid_of "$out")
	ok "$([ -n "$p2" ] && [ "$p2" != "$p" ] && echo 0 || echo 1)" "by a new process ($p, then $p2)"
	! grep -q "access.db.*[Pp]ermission denied" "$SB/daemon.log"
	ok $? "no map failed to open"
	sb_sendmail -q
	sb_wait_mail user3 2
	ok $? "the messages taken without root are delivered"
	sb_stop
fi
done_testing
