#!/usr/bin/env bash
# tls_files: a certificate or key file with unsafe modes or owner is refused
# (the lines and their precedence checked against upstream 8.17 by hand)
# when the daemon starts, with upstream's log line ("STARTTLS=server: file
# F unsafe: Group readable file", ...); STARTTLS is then neither offered
# nor available, and the daemon still serves plain SMTP.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"
[ "$(id -u)" -eq 0 ] || { skip "needs root to give files away"; done_testing; }

sb_private_dns || { skip "$DNS_WHY"; done_testing; }
SB_TLS=1 sb_new
key=$SB/tls/key.pem cert=$SB/tls/cert.pem
# refused FILE MODE OWNER WHY: the daemon refuses FILE with that mode and owner
refused() {
	local file=$1 mode=$2 owner=$3 why=$4 out
	chmod "$mode" "$file"
	chown "$owner" "$file"
	: >"$SB/daemon.log"
	sb_start
	out=$(printf 'EHLO client.test\nSTARTTLS\nMAIL FROM:<a@localhost>\nQUIT\n' | $TALK 127.0.0.1 "$SB_PORT")
	sb_stop
	like "$(cat "$SB/daemon.log")" "STARTTLS=server: file $file unsafe: $why" \
		"$(basename "$file") mode $mode owner $owner: upstream's line, \"$why\""
	[[ $out == *"250-STARTTLS"* ]]
	ok $((! $?)) "$(basename "$file") mode $mode owner $owner: STARTTLS is not offered"
	like "$out" "S: 454 4.3.3 TLS not available after start
C: MAIL FROM:<a@localhost>
S: 250 2.1.0" "$(basename "$file") mode $mode owner $owner: STARTTLS gets 454, plain SMTP goes on"
	chmod 600 "$key"; chmod 644 "$cert"; chown root "$key" "$cert"
}
refused "$key" 640 root "Group readable file"
refused "$key" 604 root "World readable file"
refused "$key" 660 root "Group writable file"
refused "$key" 606 root "World writable file"
refused "$cert" 664 root "Group writable file"
refused "$cert" 646 root "World writable file"
refused "$key" 600 nobody "Permission denied"

# the same files with safe modes are used
: >"$SB/daemon.log"
sb_start
out=$(printf 'EHLO client.test\nQUIT\n' | $TALK 127.0.0.1 "$SB_PORT")
like "$out" "250-STARTTLS" "with a 0600 key and a 0644 certificate STARTTLS is offered"
[[ $(cat "$SB/daemon.log") == *unsafe* ]]
ok $((! $?)) "and nothing is logged as unsafe"
sb_stop

# a world-writable folder on the path
chmod 777 "$SB/tls"
: >"$SB/daemon.log"
sb_start
like "$(cat "$SB/daemon.log")" "STARTTLS=server: file $SB/tls/[a-z]+.pem unsafe: World writable directory" \
	"a certificate in a world-writable folder is refused"
done_testing
