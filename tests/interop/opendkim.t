#!/usr/bin/env bash
# interop/opendkim: Debian's OpenDKIM as a real filter.  The daemon's .mc
# (compiled by our m4 package) names two INPUT_MAIL_FILTERs: an OpenDKIM in
# sign mode with a key made here by opendkim-genkey, then a second OpenDKIM
# in verify mode that reads the public key from a TestPublicKeys file.  Mail
# for the signing domain, sent over SMTP and submitted by a local user
# through the submission program, is delivered with a DKIM-Signature and
# the verifier's "dkim=pass"; OpenDKIM's test mode verifies the delivered
# file again, and fails a copy with one body byte changed.  Mail from
# another domain is not signed.  Each OpenDKIM runs as a non-root user, in a
# network namespace of its own (it can reach nothing but its UNIX socket),
# with its sockets in a temporary folder.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/msp.sh"
for p in opendkim opendkim-genkey setpriv unshare; do
	command -v "$p" >/dev/null || { skip "$p is not installed (opendkim, opendkim-tools)"; done_testing; }
done
msp_enter "$0" "$@"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"

# OpenDKIM's own user when the package made it, nobody otherwise
DK_USER=opendkim
getent passwd "$DK_USER" >/dev/null || DK_USER=nobody
DK_GROUP=$(id -gn "$DK_USER")
DK=$(mktemp -d /run/petrel-dkim-XXXXXX)
chmod 755 "$DK"
chown "$DK_USER:$DK_GROUP" "$DK"
DPIDS=()
trap 'kill "${DPIDS[@]}" 2>/dev/null; sb_cleanup; rm -rf "$DK"' EXIT

# dk_conf NAME LINES...: $DK/NAME.conf, an OpenDKIM configuration on $DK/NAME.sock.
dk_conf() {
	local name=$1; shift
	{
		printf 'Socket local:%s/%s.sock\n' "$DK" "$name"
		printf 'Background no\nSyslog no\nUMask 007\nAuthservID verifier.test\n'
		printf '%s\n' "$@"
	} >"$DK/$name.conf"
}

# dk_start NAME: that OpenDKIM, as $DK_USER, with no network, until its socket appears.
dk_start() {
	unshare -n -- setpriv --reuid="$DK_USER" --regid="$DK_GROUP" --init-groups \
		opendkim -f -x "$DK/$1.conf" >"$DK/$1.log" 2>&1 &
	DPIDS+=($!)
	for _ in $(seq 1 200); do [ -S "$DK/$1.sock" ] && return 0; sleep 0.05; done
	sed 's/^/#   /' "$DK/$1.log"
	return 1
}

# --- the key, the two filters ------------------------------------------------
setpriv --reuid="$DK_USER" --regid="$DK_GROUP" --init-groups \
	opendkim-genkey -b 1024 -D "$DK" -d example.test -s sel
ok $? "opendkim-genkey makes a key pair for example.test, selector sel"
# the TXT record's strings joined: the public key as DNS would serve it
printf 'sel._domainkey.example.test %s\n' "$(grep -o '"[^"]*"' "$DK/sel.txt" | tr -d '"\n')" >"$DK/keys"
dk_conf sign "Mode s" "Domain example.test" "Selector sel" "KeyFile $DK/sel.private" \
	"Canonicalization relaxed/relaxed"
dk_conf verify "Mode v" "TestPublicKeys $DK/keys"
dk_start sign && dk_start verify
ok $? "a signing and a verifying OpenDKIM listen on UNIX sockets"
is "$(stat -c %U "$DK/sign.sock") $(ps -o user= -p "$(pgrep -P "${DPIDS[0]}" -x opendkim || echo "${DPIDS[0]}")" | tr -d ' ')" \
	"$DK_USER $DK_USER" "OpenDKIM runs as $DK_USER, not root"

sb_new "FEATURE(\`accept_unresolvable_domains')dnl" \
	"INPUT_MAIL_FILTER(\`dkim-sign', \`S=local:$DK/sign.sock, F=T, T=C:30s;S:30s;R:60s;E:2m')dnl" \
	"INPUT_MAIL_FILTER(\`dkim-verify', \`S=unix:$DK/verify.sock, F=T, T=C:30s;S:30s;R:60s;E:2m')dnl"
ok $? "a sandbox with both filters compiles"
like "$(grep '^O InputMailFilters' "$SB_CF")" "=dkim-sign, ?dkim-verify$" "the cf names them in that order"
msp_new && sb_start
ok $? "the daemon and the submission program are ready"

# newest USER: the newest message delivered to USER (its file name).
newest() { ls -t "$SB_MAIL/$1"/msg.* 2>/dev/null | head -1; }

# --- over SMTP ---------------------------------------------------------------
out=$($TALK 127.0.0.1 "$SB_PORT" <<'SMTP'
EHLO client.example
MAIL From:<author@example.test>
RCPT To:<user1@localhost>
DATA
From: An Author <author@example.test>
To: User One <user1@example.org>
Subject: signed over SMTP
Date: Mon, 1 Jan 2024 00:00:00 +0000
Message-ID: <dkim-1@example.test>

A body that the signature covers.
	With a tab, and  two spaces.

.
MAIL From:<someone@other.example>
RCPT To:<user2@localhost>
DATA
From: someone@other.example
Subject: not ours to sign

hello
.
QUIT
SMTP
)
is "$(grep -c 'S: 250 2.0.0 [0-9A-Za-z]* Message accepted' <<<"$out")" 2 "both messages are accepted"
sb_wait_mail user1 1 && sb_wait_mail user2 1
ok $? "and delivered"
f=$(newest user1)
h=$(sed '/^$/q' "$f")
like "$h" $'\n'"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.test; s=sel;" \
	"the delivered message carries OpenDKIM's signature for d=example.test, s=sel"
like "$h" $'\n'"Authentication-Results: verifier.test;"$'\n'"[[:space:]]+dkim=pass \(1024-bit key\) header.d=example.test" \
	"the second filter saw the first one's signature and verified it: dkim=pass"
like "$h" "^Return-Path: <author@example.test>"$'\n'"Authentication-Results: .*DKIM-Signature: .*Received: " \
	"the verifier's header is inserted first, the signature before Received:"
dk_conf check "Mode v" "TestPublicKeys $DK/keys"
sed '1{/^Return-Path:/d}' "$f" >"$DK/delivered"
like "$(opendkim -x "$DK/check.conf" -t "$DK/delivered" -v 2>&1)" \
	"delivered: verification \(s=sel, d=example.test, 1024-bit key\) succeeded" \
	"OpenDKIM's test mode verifies the delivered message"
sed 's/two spaces/two spaceS/' "$DK/delivered" >"$DK/altered"
like "$(opendkim -x "$DK/check.conf" -t "$DK/altered" -v 2>&1)" "altered: verification .* failed" \
	"and fails a copy with one body byte changed"
h=$(sed '/^$/q' "$(newest user2)")
[[ $h != *DKIM-Signature:* ]]
ok $? "mail from another domain is not signed"

# --- a local user's submission, through the submission program and the daemon --
printf 'From: author@example.test\nTo: user3@example.org\nSubject: submitted\n\nsubmitted body\n' |
	as_user user1 "$MSP_BIN" -f author@example.test user3 >"$DK/submit.out" 2>&1
is "$?" 0 "a user submits a message with the sendmail command"
sb_wait_mail user3 1
ok $? "it is relayed through the daemon and delivered"
h=$(sed '/^$/q' "$(newest user3)")
like "$h" "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.test;" \
	"locally submitted mail is signed too"
like "$h" "dkim=pass \(1024-bit key\) header.d=example.test" "and verifies"
like "$(cat "$SB/daemon.log")" "Milter \(dkim-sign\) insert \(0\): header: DKIM-Signature:" \
	"the insertion is logged"
done_testing
