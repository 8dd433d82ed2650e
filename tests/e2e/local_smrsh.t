#!/usr/bin/env bash
# local_smrsh: Petrel's smrsh against upstream's (Debian's 8.17 binary, run
# as an oracle) on the same command lines, in a private namespace whose
# /etc/mail/smrsh holds a few programs: the same output, exit status and
# syslog lines; then FEATURE(smrsh) in a daemon's cf: |program aliases run
# through it, a program outside the folder bounces with its message.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/sandbox.sh"
. "$PETREL_SRCDIR/tests/lib/peers.sh"
peers_enter upstream "$0" "$@"
TALK="python3 $PETREL_SRCDIR/tests/lib/smtp_talk.py"
SMRSH=$PETREL_BUILDDIR/smrsh/smrsh
UPSMRSH=$ORACLE_ROOT/usr/libexec/sendmail/smrsh
[ -x "$UPSMRSH" ] || { skip "upstream's smrsh is not in the package"; done_testing; }
w=$(mktemp -d /run/petrel-smrsh-XXXXXX)
SB_ALL_DIRS="$SB_ALL_DIRS $w"
chmod 755 "$w"
peers_syslog "$w/syslog"

# the folder (in the namespace's private /etc)
d=/etc/mail/smrsh
mkdir -p "$d"
ln -s /bin/cat "$d/cat"
ln -s /usr/bin/env "$d/env"
printf '#!/bin/sh\necho "args:$*"\n' >"$d/show"
printf '#!/bin/sh\ncat >>"$1"\n' >"$d/saveto"
chmod 755 "$d/show" "$d/saveto"
: >"$d/noexec"
mkdir "$d/adir"

# the same command lines through both: output (argv[0] masked) and status
lines=(cat /usr/local/bin/cat 'show a b' 'exec show a b' 'exec /usr/bin/show a'
	'show a || exit 75' 'show a && show b' 'show a | cat' 'show a & show b'
	'show "a b"' "show 'a b'" noexec adir nosuch 'ls; id' 'show a;b' 'show $HOME'
	'show (x)' 'show <x' 'show >x' 'show `id`' 'exit 5' exit 'echo hello there'
	'exec echo hi' '   show x' 'show x\y' 'show a || nosuch' 'nosuch || show a'
	'show a && exit 3' exec 'Show a' ../show "$(printf 'show a\nb')"
	"$(printf 'show a\rb')" 'show a &&' 'show a ||| show b' '/usr/bin/nosuch x y'
	'exec  /a/nosuch z' 'show a && /b/adir q' 'noexec r s' 'echo/x' '/bin/echo x'
	'/bin/exit 4')
n=0 same=0
for c in "${lines[@]}"; do
	n=$((n + 1))
	up=$(echo input | "$UPSMRSH" -c "$c" 2>&1; echo "rc=$?")
	pt=$(echo input | "$SMRSH" -c "$c" 2>&1; echo "rc=$?")
	up=${up//$UPSMRSH/SMRSH} pt=${pt//$SMRSH/SMRSH}
	if [ "$up" = "$pt" ]; then same=$((same + 1)); else
		printf '# %s\n#   upstream: %s\n#   petrel:   %s\n' "$c" "${up//$'\n'/ | }" "${pt//$'\n'/ | }"
	fi
done
is "$same" "$n" "$n command lines: Petrel's smrsh prints and exits as upstream's"
for args in "" "-x" "-c" "-c ''"; do
	up=$(eval "\"\$UPSMRSH\" $args" 2>&1; echo "rc=$?")
	pt=$(eval "\"\$SMRSH\" $args" 2>&1; echo "rc=$?")
	is "${pt//$SMRSH/SMRSH}" "${up//$UPSMRSH/SMRSH}" "arguments '$args': the same usage message and status"
done
is "$(echo input | "$SMRSH" -c env | grep -v '^PWD=' | sort)" "PATH=/usr/bin:/bin" \
	"programs run with PATH only"
# the syslog lines: each refusal once from each (identity smrsh, no pid)
peers_wait "$w/syslog" 'usage' 5
up=$(grep -c 'smrsh: uid 0: attempt to use' "$w/syslog")
like "$(cat "$w/syslog")" '<18>.* smrsh: uid 0: attempt to use "nosuch" \(stat failed\)' \
	"a refusal is logged at mail.crit as upstream's"
like "$(cat "$w/syslog")" '<18>.* smrsh: uid 0: attempt to use ; in command: show a;b' \
	"with the whole command for a character"
is "$(sed -n 's/^<\([0-9]*\)>[A-Z][a-z]* [ 0-9]* [0-9:]* //p' "$w/syslog" | sort | uniq -c | awk '$1 % 2 {print}')" "" \
	"every line upstream logged, Petrel logged too ($up refusals)"

# FEATURE(smrsh) in the daemon
sb_new "FEATURE(\`smrsh', \`$SMRSH')dnl" "MODIFY_MAILER_FLAGS(\`LOCAL', \`-w')dnl" \
	"FEATURE(\`accept_unresolvable_domains')dnl"
grep -A2 "^Mprog," "$SB_CF" | tr -d "\n\t" | grep -q "P=$SMRSH,.*A=smrsh -c \$u"
ok $? "FEATURE(smrsh) makes the prog mailer run Petrel's smrsh"
mkdir -m 777 "$SB/out"
cat >>"$SB/aliases" <<ALIASES
keep: "|/usr/local/bin/saveto $SB/out/kept"
keepx: "|exec saveto $SB/out/keptx || exit 75"
shell: "|/bin/sh -c 'cat > $SB/out/shell'"
pipe: "|cat | cat > $SB/out/pipe"
ALIASES
sb_sendmail -bi >/dev/null 2>&1
sb_start
msg() {
	$TALK 127.0.0.1 "$SB_PORT" <<SMTP
ehlo client.example
mail from:<$1@localhost>
rcpt to:<$2@localhost>
data
Subject: to $2

line one
line two
.
quit
SMTP
}
msg s1 keep >/dev/null
msg s1 keepx >/dev/null
for _ in $(seq 1 150); do [ -s "$SB/out/kept" ] && [ -s "$SB/out/keptx" ] && break; sleep 0.1; done
like "$(cat "$SB/out/kept" 2>/dev/null)" "Subject: to keep" "a |program alias runs its program from the folder"
like "$(cat "$SB/out/keptx" 2>/dev/null)" "line two" "exec and || exit 75 pass too"
msg s2 shell >/dev/null
sb_wait_mail s2 1
ok $? "a program outside the folder bounces"
like "$(cat "$SB_MAIL"/s2/msg.* 2>/dev/null)" 'smrsh: "sh" not available for sendmail programs' \
	"with smrsh's message in the bounce"
msg s3 pipe >/dev/null
sb_wait_mail s3 1
like "$(cat "$SB_MAIL"/s3/msg.* 2>/dev/null)" 'smrsh: cannot use \| in command' "a pipe bounces"
ok "$([ ! -e "$SB/out/shell" ] && [ ! -e "$SB/out/pipe" ]; echo $?)" "and neither ran"
done_testing
