#!/usr/bin/env bash
# mailq against upstream 8.17 on the same queue folders:
#  - upstream's sendmail queues messages (SMTP sessions with DSN, 8BITMIME,
#    DELIVERBY, an :include: list that splits the envelope, failed delivery
#    attempts, a quarantine); Petrel's sendmail -bp and -bp -v, with and
#    without selectors, print exactly what upstream's mailq prints, locked
#    jobs included; Petrel's strict parser reads every file and writes it
#    back byte for byte;
#  - Petrel's queue library queues messages; upstream's mailq lists them as
#    Petrel does, and upstream's queue runner delivers them;
#  - ids of 7-digit process ids (one queued by upstream in a PID namespace,
#    crafted ones) are listed whole, and the status characters under a load
#    average of the test's choosing: X above QueueLA (the load rounded as
#    upstream rounds it), - for a job too young, which wins over X.
# Every program runs with /proc/loadavg bound to a file of the test, so that
# the machine's load cannot put an X in one listing and not the other.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/oracle.sh"

if ! oracle_fetch; then
	skip "upstream sendmail could not be fetched (apt-get download)"
	done_testing
fi
QINJECT=$PETREL_BUILDDIR/tests/helpers/qinject
BS=$PETREL_SRCDIR/tests/lib/bs_session.py
mkdir -p "$PETREL_BUILDDIR/tests/tmp"
box=$(mktemp -d "$PETREL_BUILDDIR/tests/tmp/mailq.XXXXXX")
lockpid=
cleanup() { [ -n "$lockpid" ] && kill "$lockpid" 2>/dev/null; rm -rf "$box"; }
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT
chmod 755 "$box"
mkdir -m 700 "$box/mqueue" "$box/pq"

# Runs a program with the oracle's qualified host name (no DNS stall) and the
# load average in $box/loadavg.
export LOADAVG=$box/loadavg
echo "0.50 0.40 0.30 1/100 4242" >"$LOADAVG"
qualified() {
	unshare -u -m sh -c 'hostname "$0" && mount --bind "$LOADAVG" /proc/loadavg && exec "$@"' \
		"$ORACLE_HOSTNAME" "$@"
}

# The local mailer: "tempfail" defers, "deliver" appends to $box/delivered.
cat >"$box/local.sh" <<EOF
#!/bin/sh
if [ -f "$box/deliver" ]; then cat >>"$box/delivered"; exit 0; fi
cat >/dev/null; echo "mailbox busy for \$1" >&2; exit 75
EOF
chmod 755 "$box/local.sh"
printf 'postmaster: root\nlist: :include:%s/list.inc\nowner-list: root\n' "$box" >"$box/aliases"
printf 'dave@[127.0.0.1]\nerin@[127.0.0.1]\n' >"$box/list.inc"
cat >"$box/test.mc" <<EOF
include(\`$ORACLE_CF/m4/cf.m4')dnl
OSTYPE(\`linux')dnl
define(\`QUEUE_DIR', \`$box/mqueue')dnl
define(\`ALIAS_FILE', \`$box/aliases')dnl
define(\`confPID_FILE', \`$box/pid')dnl
define(\`STATUS_FILE', \`$box/statistics')dnl
define(\`confHOST_STATUS_DIRECTORY', \`')dnl
define(\`confDONT_PROBE_INTERFACES', \`true')dnl
define(\`confTO_CONNECT', \`2s')dnl
define(\`confTO_ICONNECT', \`2s')dnl
define(\`SMTP_MAILER_ARGS', \`TCP \$h 9')dnl
define(\`LOCAL_MAILER_PATH', \`$box/local.sh')dnl
define(\`LOCAL_MAILER_ARGS', \`local.sh \$u')dnl
FEATURE(\`accept_unresolvable_domains')dnl
FEATURE(\`nouucp', \`reject')dnl
MAILER(\`local')dnl
MAILER(\`smtp')dnl
EOF
# full.cf drives upstream's sessions and runs; the listings of both programs
# read test.cf, the same file without its K lines (Petrel's loader does not
# know every map class yet, and -bp needs none of them).
oracle_m4 "$box/test.mc" >"$box/full.cf"
grep -v '^K' "$box/full.cf" >"$box/test.cf"
sed "s#^O QueueDirectory=.*#O QueueDirectory=$box/pq#" "$box/full.cf" >"$box/pq-full.cf"
sed "s#^O QueueDirectory=.*#O QueueDirectory=$box/pq#" "$box/test.cf" >"$box/pq.cf"
qualified "$ORACLE_SENDMAIL" -C"$box/full.cf" -bi >/dev/null 2>&1

# Three SMTP sessions with upstream; the first two try delivery at once.
session() { qualified "$BS" "$ORACLE_SENDMAIL" -C"$box/full.cf" "$@" >>"$box/sessions.log" 2>&1; }
session -odi -bs <<'EOF'
EHLO client.example
MAIL FROM:<alice@example.org> SIZE=100 BODY=8BITMIME ENVID=abc123 RET=HDRS
RCPT TO:<bob@[127.0.0.1]> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@orig.example
RCPT TO:<root>
DATA
Subject: hello
From: Alice <alice@example.org>
To: bob@example.net

From the body
.
QUIT
EOF
session -odi -bs <<'EOF'
EHLO client.example
MAIL FROM:<carol@example.org> BY=86400;R
RCPT TO:<list>
RCPT TO:<Frank@[127.0.0.1]> NOTIFY=NEVER
DATA
Subject: to the list
Bcc: hidden@example.org

body
.
QUIT
EOF
session -odq -bs <<'EOF'
EHLO client.example
MAIL FROM:<>
RCPT TO:<postmaster>
DATA
Subject: null sender

x
.
MAIL FROM:<quarantine@example.org>
RCPT TO:<root>
DATA
Subject: hold me

y
.
QUIT
EOF
# One more from a process whose id has seven digits (a PID namespace whose
# next pid is 1234567): its queue id is 15 characters long.
unshare -p -f --mount-proc sh -c 'echo 1234566 >/proc/sys/kernel/ns_last_pid && exec "$@"' sh \
	"$BS" unshare -u -m sh -c 'hostname "$0" && mount --bind "$LOADAVG" /proc/loadavg && exec "$@"' \
	"$ORACLE_HOSTNAME" "$ORACLE_SENDMAIL" -C"$box/full.cf" -odq -bs >>"$box/sessions.log" 2>&1 <<'EOF'
EHLO client.example
MAIL FROM:<grace@example.org>
RCPT TO:<bob@[127.0.0.1]>
DATA
Subject: from a seven-digit pid

z
.
QUIT
EOF
longid=$(grep -l 'grace@example.org' "$box"/mqueue/qf* | head -1)
longid=${longid##*/qf}
is "${#longid}" 15 "upstream's queue id from pid 1234567+ has 15 characters ($longid)"
n=$(ls "$box/mqueue" | grep -c '^qf')
ok $([ "$n" -ge 5 ] && echo 0 || echo 1) "upstream queued the messages ($n control files)"
qid=$(grep -l 'quarantine@example.org' "$box"/mqueue/qf* | head -1)
qid=${qid##*/qf}
[ -n "$qid" ] && qualified "$ORACLE_SENDMAIL" -C"$box/full.cf" -Qheld_for_review -qI"$qid" >/dev/null 2>&1
ok $([ -n "$qid" ] && [ -f "$box/mqueue/hf$qid" ] && echo 0 || echo 1) "upstream quarantined one message"

# Hold the lock of one message, as a delivering process would (not the
# one with the long id, whose listing is checked below without the *)
locked=$(ls "$box/mqueue" | grep '^qf' | grep -v "^qf$longid\$" | head -1)
flock -x "$box/mqueue/$locked" sleep 60 &
lockpid=$!
sleep 0.3

# Compares both listings for one argument list.
compare() {
	local cf=$1; shift
	qualified "$ORACLE_SENDMAIL" -C"$cf" -bp "$@" >"$box/up.out" 2>&1
	qualified "$SENDMAIL" -C"$cf" -bp "$@" >"$box/pt.out" 2>&1
	if cmp -s "$box/up.out" "$box/pt.out"; then
		ok 0 "mailq $* lists $(basename "$cf") as upstream does"
	else
		ok 1 "mailq $* lists $(basename "$cf") as upstream does"
		diff "$box/up.out" "$box/pt.out" | head -20 | sed 's/^/#   /'
	fi
}
for args in "" "-v" "-qRbob" "-q!Sroot" "-qRexample -qSalice" "-qI${qid:0:8}" "-qQ" "-qQ -v" "-qQheld" "-q!Qheld"; do
	compare "$box/test.cf" $args
done
like "$(cat "$box/pt.out")" "." "the last listing is not empty"
grep -q "^$longid .*<grace@example.org>" <(qualified "$ORACLE_SENDMAIL" -C"$box/test.cf" -bp)
ok $? "upstream lists the 15-character id whole, then its status column"
grep -q "^${locked#qf}\*" <(qualified "$SENDMAIL" -C"$box/test.cf" -bp) ; ok $? "the locked job shows *"
grep -q "held_for_review" <(qualified "$SENDMAIL" -C"$box/test.cf" -bp -qQ); ok $? "-qQ shows the quarantine reason"
grep -q "(---" <(qualified "$SENDMAIL" -C"$box/test.cf" -bp -v); ok $? "-v shows the :include: controlling user"
grep -q "Deferred" "$box/pt.out" 2>/dev/null || grep -q "Deferred\|unavailable\|refused" <(qualified "$SENDMAIL" -C"$box/test.cf" -bp)
ok $? "deferred messages show their status line"

# Petrel's strict parser reads upstream's files and writes the same bytes.
for f in "$box"/mqueue/qf* "$box"/mqueue/hf*; do
	"$QINJECT" -c "$f" >"$box/re.qf" 2>"$box/re.err"
	if cmp -s "$f" "$box/re.qf"; then ok 0 "$(basename "$f") parses and is rewritten byte for byte"
	else ok 1 "$(basename "$f") parses and is rewritten byte for byte"; cat "$box/re.err" | sed 's/^/#   /'
		diff <(cat -v "$f") <(cat -v "$box/re.qf") | head -10 | sed 's/^/#   /'; fi
done
kill "$lockpid" 2>/dev/null; wait "$lockpid" 2>/dev/null; lockpid=

# Crafted jobs of 6- and 7-digit pids, with QueueLA=8 and QueueFactor's
# 600000: X once the load, rounded, gives 600000/(load - 7) under the
# priority: P90000 never here, P110000 at 12.60 (13) but not at 12.40 (12),
# P130000 at both; the job tried a minute ago is too young for
# MinQueueAge=1h, and its - wins over X.
mkdir -m 700 "$box/lq"
sed "s#^O QueueDirectory=.*#O QueueDirectory=$box/lq#" "$box/test.cf" >"$box/lq.cf"
now=$(date +%s)
craft() {	# id priority last-attempt
	printf 'V8\nT%s\nK%s\nN%s\nP%s\nFb\n$_craft@localhost\nS<craft@example.org>\nMDeferred: busy\nrRFC822; root@%s\nRPNSF:<root>\nH??Subject: %s\n.\n' \
		"$((now - 7200))" "$3" "$([ "$3" = 0 ] && echo 0 || echo 1)" "$2" "$ORACLE_HOSTNAME" "$1" >"$box/lq/qf$1"
	echo "body of $1" >"$box/lq/df$1"
}
craft 6ATD1234012345 90000 0
craft 6ATD12351234567 110000 0
craft 6ATD12361234568 130000 "$((now - 7000))"
craft 6ATD1237099999 130001 "$((now - 60))"
for la in 12.40 12.60 30.00; do
	echo "$la 1.00 1.00 1/100 4242" >"$LOADAVG"
	compare "$box/lq.cf" -OQueueLA=8 -OMinQueueAge=1h
	compare "$box/lq.cf" -OQueueLA=8 -OMinQueueAge=1h -v
done
marks() { qualified "$@" -C"$box/lq.cf" -OQueueLA=8 -OMinQueueAge=1h -bp | grep -o '^6ATD[0-9]*[-X*]' | LC_ALL=C sort | tr '\n' ' '; }
echo "12.40 1.00 1.00 1/100 4242" >"$LOADAVG"
is "$(marks "$ORACLE_SENDMAIL")" "6ATD12361234568X 6ATD1237099999- " "upstream at load 12.40: X for P130000, - for the young job"
is "$(marks "$SENDMAIL")" "6ATD12361234568X 6ATD1237099999- " "Petrel at load 12.40: the same marks"
echo "12.60 1.00 1.00 1/100 4242" >"$LOADAVG"
is "$(marks "$ORACLE_SENDMAIL")" "6ATD12351234567X 6ATD12361234568X 6ATD1237099999- " "upstream at load 12.60 (13): X for P110000 too"
is "$(marks "$SENDMAIL")" "6ATD12351234567X 6ATD12361234568X 6ATD1237099999- " "Petrel at load 12.60: rounded as upstream"
echo "0.50 0.40 0.30 1/100 4242" >"$LOADAVG"

# Petrel queues; upstream lists and delivers.
printf 'V8\nT0\nK0\nN0\nP30100\nB8BITMIME\nFb\n$_petrel@localhost\n$rESMTP\n${daemon_flags}\nS<petrel@example.org>\nZpetrel-env\nMnot tried yet\nQrfc822;orig@example.org\nrRFC822; root@%s\nRPNSF:<root>\nH?P?Return-Path: <\201g>\nH??Received: from petrel.example by %s;\n\tSat, 28 Nov 2026 10:00:00 +0000\nH??Subject: from petrel\nH??To: root\n.\n' \
	"$ORACLE_HOSTNAME" "$ORACLE_HOSTNAME" >"$box/env.qf"
printf 'Petrel wrote this body.\nFrom a line that starts with From.\n' >"$box/body"
ids=$("$QINJECT" -n 3 "$box/pq" "$box/env.qf" "$box/body")
is "$(echo "$ids" | wc -l)" 3 "Petrel queued three messages"
for args in "" "-v" "-qSpetrel" "-q!Rroot"; do
	compare "$box/pq.cf" $args
done
grep -q "^$(echo "$ids" | head -1) .* <petrel@example.org>" <(qualified "$ORACLE_SENDMAIL" -C"$box/pq.cf" -bp)
ok $? "upstream's mailq shows Petrel's message with its sender"
touch "$box/deliver"
first=$(echo "$ids" | head -1)
qualified "$ORACLE_SENDMAIL" -C"$box/pq-full.cf" -qf -qI"$first" >/dev/null 2>&1
ok $([ ! -e "$box/pq/qf$first" ] && [ ! -e "$box/pq/df$first" ] && echo 0 || echo 1) \
	"upstream's queue runner delivered and removed Petrel's message"
grep -q "^Subject: from petrel" "$box/delivered" && grep -q "Petrel wrote this body" "$box/delivered"
ok $? "the delivered message has Petrel's headers and body"
is "$(ls "$box/pq" | grep -c '^qf')" 2 "the other two messages are still queued"
done_testing
