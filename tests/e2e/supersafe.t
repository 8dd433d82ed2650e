#!/usr/bin/env bash
# supersafe: the queue's commit as the daemon runs it, seen through strace.
# SuperSafe=True (the default; Interactive and PostMilter alike): the df and
# the tf are made durable (fdatasync), then tf is renamed to qf, then the
# queue folder is flushed (fsync), and only then does the client get its
# "250 2.0.0 ... Message accepted".  SuperSafe=False: the message is queued
# and delivered with no sync of any queue file or of the folder, and from new
# files (no spare inode of .petrel/ renamed in, whose old contents a crash
# could leave under the new name).
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
trap "sb_cleanup" EXIT
if ! command -v strace >/dev/null; then
	skip "strace is not installed (tools/packages has it)"
	done_testing
	exit 0
fi
REAL_SENDMAIL=$SENDMAIL
SYSCALLS=fsync,fdatasync,syncfs,sync_file_range,io_submit,rename,renameat,renameat2,write,writev,sendto,sendmsg

# traced_run LABEL N [-O...]: starts the sandbox's daemon (queue only) under
# strace -f (so that every process it forks is seen, its spare sessions
# too), sends one message for user1, stops the daemon, runs the queue and
# waits for the Nth message in the mailbox; the trace is in $SB/LABEL.trace
# and the message's queue id in $ID.
traced_run() {
	local label=$1 count=$2 out
	shift 2
	cat >"$SB/traced.sh" <<EOF
#!/bin/sh
exec strace -f -qq -y -s 120 -o "$SB/$label.trace" -e trace=$SYSCALLS "$REAL_SENDMAIL" "\$@"
EOF
	chmod 755 "$SB/traced.sh"
	# queue only: the mailer is run by an untraced queue run below (in the
	# sanitizer build, LeakSanitizer makes a traced program exit 1)
	SENDMAIL=$SB/traced.sh sb_start -ODeliveryMode=q "$@" || return 1
	out=$(printf 'EHLO client.test\nMAIL FROM:<sender@example.org>\nRCPT TO:<user1@localhost>\nDATA\nSubject: %s\n\nbody of %s\n.\nQUIT\n' \
		"$label" "$label" | python3 "$PETREL_SRCDIR/tests/lib/smtp_talk.py" 127.0.0.1 "$SB_PORT")
	ID=$(printf '%s\n' "$out" | sed -n 's/^S: 250 2.0.0 \([0-9A-Za-z]*\) Message accepted.*/\1/p')
	kill "$(head -1 "$SB/sendmail.pid")" 2>/dev/null
	wait "$SB_PID" 2>/dev/null
	SB_PID=
	SENDMAIL=$REAL_SENDMAIL
	sb_sendmail -q
	sb_wait_mail user1 "$count"
}

# between TRACE REGEX A B: true if a line of TRACE after line A and before
# line B matches REGEX
between() {
	RE=$2 awk -v a="$3" -v b="$4" 'NR > a && NR < b && $0 ~ ENVIRON["RE"] { f = 1 } END { exit !f }' "$1"
}

# line_of TRACE REGEX: the number of the first line of TRACE matching REGEX, or 0
line_of() {
	local n
	n=$(grep -n -E -m1 -- "$2" "$1" | cut -d: -f1)
	echo "${n:-0}"
}

sb_new "MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl" "FEATURE(\`accept_unresolvable_domains')dnl" || { ok 1 "the sandbox is made"; done_testing; }
q=$SB/mqueue

# --- SuperSafe=True, the default
traced_run safe 1
ok $? "a daemon under strace queues the message, a queue run delivers it"
like "$ID" '^[0-9A-Za-z]{14}$' "SuperSafe=True: the message gets a queue id"
ok $(($(sb_count user1) != 1)) "SuperSafe=True: the message is delivered"
t=$SB/safe.trace
reply=$(line_of "$t" "\"250 2.0.0 $ID Message accepted")
dfs=$(line_of "$t" "^[0-9]+ +fdatasync\([0-9]+<$q/df$ID>\) = 0")
tfs=$(line_of "$t" "^[0-9]+ +fdatasync\([0-9]+<$q/tf$ID>\) = 0")
ren=$(line_of "$t" "^[0-9]+ +renameat2?\([0-9]+<$q>, \"tf$ID\", [0-9]+<$q>, \"qf$ID\"")
ok $((reply == 0)) "SuperSafe=True: the reply 250 is in the trace (line $reply)"
ok $((dfs == 0 || dfs > ren)) "SuperSafe=True: df$ID is made durable before the rename (lines $dfs, $ren)"
ok $((tfs == 0 || tfs > ren)) "SuperSafe=True: tf$ID is made durable before the rename (lines $tfs, $ren)"
ok $((ren == 0 || ren > reply)) "SuperSafe=True: the rename comes before the reply (lines $ren, $reply)"
between "$t" "^[0-9]+ +fsync\\([0-9]+<$q>\\) = 0" "$ren" "$reply"
ok $? "SuperSafe=True: the queue folder is flushed after the rename and before the reply"
if [ "$dfs" = 0 ] || [ "$reply" = 0 ]; then
	echo "# the trace's queue lines:"
	grep -E "$q|250 2.0.0" "$t" | head -30 | sed 's/^/#   /'
fi

# --- SuperSafe=Interactive on the command line: Petrel answers after the
# commit anyway (a daemon's delivery comes after the reply), so it keeps the syncs
traced_run interactive 2 -OSuperSafe=Interactive
t=$SB/interactive.trace
reply=$(line_of "$t" "\"250 2.0.0 $ID Message accepted")
dfs=$(line_of "$t" "^[0-9]+ +fdatasync\([0-9]+<$q/df$ID>\) = 0")
ok $((reply == 0 || dfs == 0 || dfs > reply)) "SuperSafe=Interactive: the df is made durable before the reply"
between "$t" "^[0-9]+ +fsync\\([0-9]+<$q>\\) = 0" "$dfs" "$reply"
ok $? "SuperSafe=Interactive: the queue folder is flushed before the reply"
grep -qE "^[0-9]+ +renameat2?\([0-9]+<$q/\.petrel>, \"s[0-9]+\", [0-9]+<$q>, \"df$ID\"" "$t"
ok $? "with the syncs, the second message's df is a spare inode of .petrel/ (the first message's)"

# --- SuperSafe=False, from the .mc (confSAFE_QUEUE)
sb_new "MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl" "FEATURE(\`accept_unresolvable_domains')dnl" "define(\`confSAFE_QUEUE', \`False')dnl" ||
	{ ok 1 "the sandbox is made"; done_testing; }
q=$SB/mqueue
like "$(grep '^O SuperSafe' "$SB_CF")" '^O SuperSafe=False$' "confSAFE_QUEUE writes O SuperSafe=False"
traced_run unsafe1 1
ok $? "SuperSafe=False: a daemon under strace queues the message, a queue run delivers it"
traced_run unsafe 2	# the second message, when the first one's files could be spares
t=$SB/unsafe.trace
ok $(($(sb_count user1) != 2)) "SuperSafe=False: both messages are delivered"
ok $(($(line_of "$t" "\"250 2.0.0 $ID Message accepted") == 0)) "SuperSafe=False: the message is accepted with 250"
syncs=$(grep -E "^[0-9]+ +(fsync|fdatasync|syncfs|sync_file_range)\([0-9]+<$q[/>]" "$t")
is "$syncs" "" "SuperSafe=False: no queue file and no queue folder is synced"
is "$(grep -cE "^[0-9]+ +io_submit\(" "$t")" 0 "SuperSafe=False: no asynchronous sync either"
spares=$(grep -E "^[0-9]+ +renameat2?\([0-9]+<$q/\.petrel>, \"s[0-9]+\", [0-9]+<$q>" "$t")
is "$spares" "" "SuperSafe=False: no spare inode of .petrel/ becomes a queue file"
ok $(($(line_of "$t" "^[0-9]+ +renameat2?\([0-9]+<$q>, \"tf$ID\", [0-9]+<$q>, \"qf$ID\"") == 0)) \
	"SuperSafe=False: the qf still appears whole, by renaming the tf"
done_testing
