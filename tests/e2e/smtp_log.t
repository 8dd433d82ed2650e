#!/usr/bin/env bash
# smtp_log: the SMTP server's log lines against upstream sendmail 8.17's
# daemon, both on the same upstream-made cf, session by session: a RCPT
# refused for an unknown local user is logged ("<addr>... User unknown")
# with the transaction's envelope id; a transaction ended without a message
# (RSET, HELO, QUIT, a lost connection) logs its from= line (size=0, the
# recipients accepted so far, no msgid) and the next one takes a new id; a
# connection lost within a transaction is logged with the id and the last
# command ("after rcpt"), outside of one not at all; VRFY is logged as the
# client wrote it; a connection lost within the message is logged as
# upstream's collect does ("premature EOM: unexpected close", then the
# relay and the sender, then the from= line with the bytes read).
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/peers.sh"
peers_enter upstream "$0" "$@"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"
pair_env smtplog
pair_users 4500 sender
pair_new
pair_aliases
# a process per connection, as upstream's: the lines are told apart by pid
pair_start petrel-sl -OMaxConnectionsPerProcess=1
: >"$w/syslog"	# the probes of peers_listening are not compared

M='mail from:<sender@mx.example.test>'
G='rcpt to:<sender@mx.example.test>'
B='rcpt to:<nosuchuser@mx.example.test>'
sessions=("ehlo c.example" "ehlo c.example|$M" "ehlo c.example|$M|$B" "ehlo c.example|$M|$G|rset"
	"ehlo c.example|$M|$G|$M|quit" "ehlo c.example|$M|$G|helo c.example|quit"
	"ehlo c.example|$M|$B|$G|rcpt to:<nosuch2@mx.example.test>|rset|$M|rcpt to:<nosuch3@mx.example.test>|quit"
	"ehlo c.example|$M|$B|$G|data|Subject: x||hello|.|quit" "ehlo c.example|vrfy sender|quit"
	"ehlo c.example|$M|$G|data|Subject: cut||the connection is lost in the body")
for port in $upport $ptport; do
	for c in "${sessions[@]}"; do
		# lines; a session without quit ends by closing the connection
		tr '|' '\n' <<<"$c" | $TALK 127.0.0.1 "$port" >/dev/null
		sleep 0.3
	done
done
sleep 2
# each session's lines (one process each) in order, ids as Q1, Q2 ... in order of appearance
sessions_of() {
	python3 - "$1" "$w/syslog" <<'PY'
import re, sys
tag, path = sys.argv[1], sys.argv[2]
order, lines = [], {}
for l in open(path, encoding='latin-1'):
    m = re.match(r'<\d+>.{15} ' + re.escape(tag) + r'\[(\d+)\]: (.*)', l.rstrip('\n'))
    if not m or 'delay=' in l:
        continue
    pid, text = m.groups()
    if pid not in lines:
        order.append(pid)
        lines[pid] = []
    lines[pid].append(text)
for n, pid in enumerate(order):
    ids = {}
    def qid(m):
        return ids.setdefault(m.group(0), 'Q%d' % (len(ids) + 1))
    for text in lines[pid]:
        text = re.sub(r'\b[0-9A-Za-z]{8}[0-9]{6}\b', qid, text)
        text = re.sub(r'msgid=<[^>]*>', 'msgid=<M>', text)
        print('session %d: %s' % (n + 1, text))
PY
}
up=$(sessions_of sendmail) pt=$(sessions_of petrel-sl)
is "$pt" "$up" "every session's log lines are upstream's"
like "$pt" "session 3: Q1: <nosuchuser@mx.example.test>... User unknown
session 3: Q1: lost input channel from localhost \[127.0.0.1\] to MTA after rcpt
session 3: Q1: from=<sender@mx.example.test>, size=0, class=0, nrcpts=0, proto=ESMTP, daemon=MTA, relay=localhost \[127.0.0.1\]" \
	"a refused RCPT and a lost connection within the transaction: the User unknown line, the lost input channel, the from= line"
like "$pt" "session 4: Q1: from=<sender@mx.example.test>, size=0, class=0, nrcpts=1, proto=ESMTP" "RSET: the from= line with the recipients accepted"
like "$pt" "session 10: Q1: collect: premature EOM: unexpected close
session 10: Q1: collect: relay=localhost, from=<sender@mx.example.test>, info=unexpected close
session 10: Q1: from=<sender@mx.example.test>, size=49, class=0, nrcpts=1, proto=ESMTP" \
	"a connection lost in the message: premature EOM, who, and the from= line with the bytes read"
like "$pt" "session 7: Q1: from=.*nrcpts=1, proto.*
session 7: Q2: <nosuch3@mx.example.test>... User unknown" "the next transaction takes a new id"
done_testing
