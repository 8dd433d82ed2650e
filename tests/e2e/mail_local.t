#!/usr/bin/env bash
# mail.local: mbox deliveries into a private spool (-p), as root taking the
# recipients' identities: the format and quoting, owner and mode, several
# users and unknown ones, unsafe mailboxes, LMTP with upstream's replies,
# fifty parallel deliveries into one mailbox with nothing lost or mixed, a
# full disk (a tiny tmpfs) and a held lock giving 75 and leaving the mailbox
# as it was.  Test users live in a private /etc/passwd, bound over the real
# one in a mount namespace (unshare -m), so the machine's files are never
# touched.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
ML=$PETREL_BUILDDIR/local/mail.local
if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null; then
	skip "needs root and mount namespaces"
	done_testing
fi
mkdir -p "$PETREL_BUILDDIR/tests/tmp"
box=$(mktemp -d "$PETREL_BUILDDIR/tests/tmp/mail_local.XXXXXX")
trap 'rm -rf "$box"' EXIT
chmod 755 "$box"
mkdir -p "$box/spool" "$box/home1"
chgrp mail "$box/spool" && chmod 2775 "$box/spool"
cp /etc/passwd "$box/passwd"; cp /etc/group "$box/group"
echo "ptest1:x:42001:42001:Petrel Test:$box/home1:/bin/sh" >>"$box/passwd"
echo "ptest2:x:42002:42002:Petrel Test:$box/home2:/bin/sh" >>"$box/passwd"
echo "ptest1:x:42001:" >>"$box/group"; echo "ptest2:x:42002:" >>"$box/group"
chown 42001:42001 "$box/home1"

# Runs a command with the private passwd and group files.
users() {
	unshare -m sh -c 'mount --bind "$0/passwd" /etc/passwd && mount --bind "$0/group" /etc/group && shift && exec "$@"' \
		"$box" x "$@"
}
deliver() { users "$ML" -p "$box/spool" "$@"; }

printf 'Subject: first\nFrom: Alice <alice@example.org>\n\nFrom the body\nline two\n\nFrom after a blank\n>From already quoted\n' >"$box/m1"
deliver -f alice@example.org ptest1 <"$box/m1"
is "$?" 0 "a delivery exits 0"
got=$(cat "$box/spool/ptest1")
like "$(head -1 "$box/spool/ptest1")" '^From alice@example.org [A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} [0-9]{4}$' \
	"the mailbox starts with the From line"
is "$(sed 1d "$box/spool/ptest1")" "$(printf 'Subject: first\nFrom: Alice <alice@example.org>\n\n>From the body\nline two\n\n>From after a blank\n>From already quoted\n')" \
	"lines starting with From get a >, the rest is as sent"
is "$(tail -c 2 "$box/spool/ptest1" | od -An -c | tr -d ' ')" '\n\n' "a blank line closes the message"
is "$(stat -c '%u:%g %a' "$box/spool/ptest1")" "42001:42001 600" "the mailbox belongs to the user, mode 0600"
ok $([ ! -e "$box/spool/ptest1.lock" ] && echo 0 || echo 1) "no lock file is left"

printf 'no final newline' | deliver -f '<>' ptest1 ptest2 nosuchuser 2>"$box/err"
is "$?" 67 "an unknown user among others: 67"
like "$(cat "$box/err")" "nosuchuser: User unknown" "with the reason on standard error"
is "$(grep -c '^From MAILER-DAEMON ' "$box/spool/ptest1")" 1 "the null sender is MAILER-DAEMON"
is "$(tail -c 18 "$box/spool/ptest2")" "$(printf 'no final newline\n\n')" "the other users got it, newline added"
is "$(stat -c '%u' "$box/spool/ptest2")" 42002 "each mailbox is its user's"

ln -s "$box/target" "$box/spool/evil" 2>/dev/null
echo "evil:x:42003:42003::/:/bin/sh" >>"$box/passwd"
deliver evil <"$box/m1" 2>"$box/err"
is "$?" 73 "a mailbox that is a symbolic link: 73"
ok $([ ! -e "$box/target" ] && echo 0 || echo 1) "nothing is written through the link"
mkdir -p "$box/home1/mail"; chown 42001:42001 "$box/home1/mail"
deliver -h mail/inbox -f bob ptest1 <"$box/m1"
is "$?" 0 "-h delivers into the home folder"
is "$(stat -c '%u %a' "$box/home1/mail/inbox")" "42001 600" "as the user"

# LMTP, with the replies of upstream's mail.local.
host=$(hostname)
printf 'LHLO client\r\nMAIL FROM:<lmtp@example.org> BODY=8BITMIME\r\nRCPT TO:<ptest1@example.org>\r\nRCPT TO:<nosuch>\r\nRCPT TO:<ptest2>\r\nDATA\r\nSubject: lmtp\r\n\r\n..dot\r\nFrom inside\r\n.\r\nRSET\r\nNOOP\r\nVRFY x\r\nHELO x\r\nRCPT TO:<ptest1>\r\nMAIL FROM:<a>\r\nMAIL FROM:<b>\r\nDATA\r\nQUIT\r\n' |
	deliver -l >"$box/lmtp.out"
is "$(tr -d '\r' <"$box/lmtp.out")" "220 $host LMTP ready
250-$host
250-8BITMIME
250-ENHANCEDSTATUSCODES
250 PIPELINING
250 2.5.0 Ok
250 2.1.5 Ok
550 5.1.1 User unknown
250 2.1.5 Ok
354 Go ahead
250 2.1.5 ptest1 Ok
250 2.1.5 ptest2 Ok
250 2.0.0 Ok
250 2.0.0 Ok
252 2.3.3 Try RCPT to attempt delivery
500 5.5.2 Syntax error
503 5.5.1 Need MAIL command
250 2.5.0 Ok
503 5.5.1 Nested MAIL command
503 5.5.1 No recipients
221 2.0.0 Bye" "an LMTP session gets upstream's replies, one per recipient after DATA"
is "$(tail -5 "$box/spool/ptest2")" "$(printf 'Subject: lmtp\n\n.dot\n>From inside\n')" "LMTP undoes CR LF and dot-stuffing"
printf 'LHLO x\r\nQUIT\r\n' | deliver -l -7 | grep -q 8BITMIME
ok $([ $? -ne 0 ] && echo 0 || echo 1) "-7 hides 8BITMIME"

# Fifty deliveries at once into one mailbox: all there, none mixed.
: >"$box/spool/ptest2"; chown 42002:42002 "$box/spool/ptest2"
for i in $(seq 1 50); do
	{ printf 'Subject: parallel %d\n\n' "$i"; for j in $(seq 1 200); do printf 'message %d line %d\n' "$i" "$j"; done; } >"$box/p$i"
done
for i in $(seq 1 50); do deliver -f "p$i@example.org" ptest2 <"$box/p$i" & done
wait
is "$(python3 - "$box/spool/ptest2" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
parts = re.split(r'(?m)^From p(\d+)@example\.org .*\n', text)
ok = parts[0] == "" and all(parts[i+1] == "Subject: parallel %s\n\n" % parts[i] + "".join("message %s line %d\n" % (parts[i], j) for j in range(1, 201)) + "\n" for i in range(1, len(parts), 2))
print(len(set(parts[1::2])), "intact" if ok else "broken")
EOF
)" "50 intact" "50 parallel deliveries: every message once, whole and unmixed"

# A held lock: 75 after the timeout, the mailbox as it was.
sum=$(md5sum <"$box/spool/ptest1")
touch "$box/spool/ptest1.lock"
MAIL_LOCAL_LOCK_TIMEOUT=1 users "$ML" -p "$box/spool" ptest1 <"$box/m1" 2>"$box/err"
is "$?" 75 "a lock file held by a reader: 75"
is "$(md5sum <"$box/spool/ptest1")" "$sum" "the mailbox is unchanged"
rm -f "$box/spool/ptest1.lock"

# A full disk: a 64 KB tmpfs as the spool.
head -c 300000 /dev/zero | tr '\0' 'x' | fold -w 70 >"$box/big"
unshare -m sh -c '
	box=$1 ML=$2
	mount --bind "$box/passwd" /etc/passwd && mount --bind "$box/group" /etc/group &&
	mkdir -p "$box/full" && mount -t tmpfs -o size=64k,mode=2775 tmpfs "$box/full" || exit 99
	chgrp mail "$box/full"
	printf "Subject: small\n\nfits\n" | "$ML" -p "$box/full" ptest1; echo "small=$?"
	md5sum <"$box/full/ptest1" >"$box/before"
	"$ML" -p "$box/full" ptest1 <"$box/big"; echo "big=$?"
	md5sum <"$box/full/ptest1" >"$box/after"
	ls "$box/full" | tr "\n" " " >"$box/files"
' x "$box" "$ML" >"$box/full.out" 2>"$box/full.err"
like "$(cat "$box/full.out")" "small=0" "a small message fits on the tiny disk"
like "$(cat "$box/full.out")" "big=75" "a message larger than the disk: 75"
is "$(cat "$box/after" 2>/dev/null)" "$(cat "$box/before" 2>/dev/null)" "the mailbox is cut back to what it was"
is "$(cat "$box/files" 2>/dev/null)" "ptest1 " "no lock file is left on the full disk"
done_testing
