#!/usr/bin/env bash
# fail2ban: Petrel's "AUTH failure (MECH): ..." log lines are what Debian's
# fail2ban filter for sendmail (filter.d/sendmail-auth.conf) matches: failed
# PLAIN, LOGIN and CRAM-MD5 logins from 127.0.0.2 are found by
# fail2ban-regex with that address, and a successful login is not.
# fail2ban is unpacked from Debian's package into the build tree (apt-get
# download, dpkg -x), never installed.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"
command -v saslpasswd2 >/dev/null || { skip "saslpasswd2 (sasl2-bin) is not installed"; done_testing; }

f2b=$PETREL_BUILDDIR/tests/fail2ban
if [ ! -x "$f2b/root/usr/bin/fail2ban-regex" ]; then
	mkdir -p "$f2b"
	( cd "$f2b" && { apt-get download fail2ban >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 && apt-get download fail2ban >/dev/null 2>&1; }; } &&
		dpkg -x fail2ban_*.deb root && rm -f fail2ban_*.deb )
fi
[ -x "$f2b/root/usr/bin/fail2ban-regex" ] || { skip "Debian's fail2ban package could not be fetched"; done_testing; }

sb_private_dns || { skip "$DNS_WHY"; done_testing; }
SB_TLS=1 SB_SASL=1 sb_new "define(\`confAUTH_MECHANISMS', \`PLAIN LOGIN CRAM-MD5')dnl"
sb_sasl_user alice secret
sb_start
user=$(printf alice | base64) wrong=$(printf wrong | base64)
bad=$(printf '\0alice\0wrong' | base64) good=$(printf '\0alice\0secret' | base64)
printf "EHLO c\nAUTH PLAIN $bad\nAUTH LOGIN\n$user\n$wrong\nAUTH PLAIN $good\nQUIT\n" |
	$TALK 127.0.0.1 "$SB_PORT" --bind 127.0.0.2 >"$SB/talk.out"
like "$(cat "$SB/talk.out")" "535 5.7.0 authentication failed[^$]*535 5.7.0 authentication failed[^$]*235 2.0.0" \
	"two failed logins, then a good one"
swaks --server "127.0.0.1:$SB_PORT" --local-interface 127.0.0.2 --auth CRAM-MD5 --auth-user mallory \
	--auth-password x --quit-after AUTH >/dev/null 2>&1
# a probe: greets and leaves without MAIL, EXPN, VRFY or ETRN; once with QUIT, once dropping
printf "EHLO probe\nQUIT\n" | $TALK 127.0.0.1 "$SB_PORT" --bind 127.0.0.2 >/dev/null
printf "EHLO probe\n" | $TALK 127.0.0.1 "$SB_PORT" --bind 127.0.0.2 >/dev/null
# a real client is not a probe
printf "EHLO c\nMAIL FROM:<a@example.test>\nQUIT\n" | $TALK 127.0.0.1 "$SB_PORT" --bind 127.0.0.2 >/dev/null
sb_stop
# the lines as syslog writes them for the sendmail daemon
sed -n 's/^/Nov 28 12:00:00 mx sendmail[4242]: /p' "$SB/daemon.log" >"$SB/syslog"
n=$(grep -c "AUTH failure" "$SB/syslog")
is "$n" "3" "three AUTH failure lines were logged"
out=$(PYTHONPATH="$f2b/root/usr/lib/python3/dist-packages" timeout 120 python3 \
	"$f2b/root/usr/bin/fail2ban-regex" --print-all-matched "$SB/syslog" \
	"$f2b/root/etc/fail2ban/filter.d/sendmail-auth.conf" 2>&1)
like "$out" "Lines: [0-9]+ lines, 0 ignored, 3 matched" "fail2ban's sendmail-auth filter matches the three failures"
matched=$(printf '%s\n' "$out" | sed -n '/Matched line/,/Missed line/p')
is "$(printf '%s\n' "$matched" | grep -c 'AUTH failure (\(PLAIN\|LOGIN\|CRAM-MD5\)).*relay=.*\[127.0.0.2\]$')" "3" \
	"the matched lines are the failures of PLAIN, LOGIN and CRAM-MD5 from 127.0.0.2"
[[ $matched == *"AUTH=server"* ]]
ok $((! $?)) "the successful login is not counted"
# upstream logs a probe's session (LogLevel > 5) and not its lost input channel (LogLevel > 19)
is "$(grep -c '\[127\.0\.0\.2\] did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA$' "$SB/syslog")" "4" \
	"the two probes and the two AUTH sessions without MAIL are logged as upstream's did not issue lines"
probes=$(grep -c 'did not issue' "$SB/syslog")
is "$(grep -c 'lost input channel' "$SB/syslog")" "0" "a probe's lost input channel is not logged at LogLevel 9"
out=$(PYTHONPATH="$f2b/root/usr/lib/python3/dist-packages" timeout 120 python3 \
	"$f2b/root/usr/bin/fail2ban-regex" -c "$f2b/root/etc/fail2ban" "$SB/syslog" \
	'sendmail-reject[mode=extra]' 2>&1)
like "$out" "Lines: [0-9]+ lines, 0 ignored, $probes matched" \
	"fail2ban's sendmail-reject filter (mode extra) matches the probes"
done_testing
