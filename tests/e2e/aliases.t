#!/usr/bin/env bash
# newaliases and praliases: every AliasFile entry is built (upstream's
# summary line, file:line errors, the @:@ marker); praliases lists exactly
# what was built (all, by key, -f, -C); unsafe alias files are refused.
# newaliases is `sendmail -bi`; until the sendmail program has -bi, the
# test helper that calls the same library function stands in for it.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
PRALIASES=$PETREL_BUILDDIR/aliases/praliases
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cd "$t" || exit 1
chmod 755 "$t"

cat >t.cf <<CF
V10/Berkeley
O DontBlameSendmail=MapInUnsafeDirPath
O QueueDirectory=$t
O AliasFile=$t/aliases, hash:$t/more
Mlocal, P=/bin/true, F=l, A=true
CF
if "$SENDMAIL" -C t.cf -bi >/dev/null 2>&1 || [ $? -ne 64 ]; then
	newaliases() { "$SENDMAIL" -C t.cf -bi; }
else
	newaliases() { "$PETREL_BUILDDIR/tests/helpers/rebuild_aliases" t.cf; }
fi

printf 'root: admin\npostmaster: root\nLongList: a,\n  b,\n\tc\n# c\nx: y\nx: z\n' >aliases
printf 'extra: |/bin/true\n' >more
chmod 644 aliases more
out=$(newaliases 2>err); rc=$?
is "$rc" 0 "newaliases builds every AliasFile entry"
is "$out" "$t/aliases: 5 aliases, longest 8 bytes, 43 bytes total
$t/more: 1 aliases, longest 10 bytes, 15 bytes total" "with upstream's summary line for each file"
is "$(cat err)" "$t/aliases: line 8: x... Warning: duplicate alias name x" "a repeated name is warned about"
is "$(stat -c %a aliases.db)" 640 "the database has mode 0640"
is "$("$PRALIASES" -C t.cf | sort)" "@:@
@:@
extra:|/bin/true
longlist:a,  b,	c
postmaster:root
root:admin
x:z" "praliases -C lists exactly what was built, @:@ included"
is "$("$PRALIASES" -f "$t/aliases" root nosuch LONGLIST)" "root:admin
nosuch: No such key
LONGLIST: No such key" "praliases with keys: found, absent, and keys are not folded"
is "$("$PRALIASES" -f "hash:$t/more" | sort)" "$(printf '@:@\nextra:|/bin/true')" "praliases -f takes class:file"
is "$("$PRALIASES" -f "$t/aliases.db" postmaster)" "postmaster:root" "and file.db"
out=$("$PRALIASES" -f "$t/nonexist" 2>&1); rc=$?
like "$rc:$out" "^0:praliases: $t/nonexist: open: " "a missing database is reported, as upstream, without failing"
out=$("$PRALIASES" -C "$t/none.cf" 2>&1); rc=$?
is "$rc:$out" "66:praliases: $t/none.cf: No such file or directory" "an unreadable cf is an error (66)"
out=$("$PRALIASES" -x 2>&1); rc=$?
like "$rc:$out" "^64:.*usage: praliases \[-C cffile\] \[-f aliasfile\] \[key ...\]$" "a bad option prints the usage (64)"

# round trip: build, list, change, rebuild, list again
printf 'root: other\nnew: one, two\n' >aliases
newaliases >/dev/null 2>&1
is "$("$PRALIASES" -f "$t/aliases" | sort)" "$(printf '@:@\nnew:one, two\nroot:other')" "a rebuild replaces the old aliases entirely"

# bad entries: file:line errors, exit 70 as upstream, the good entries kept
printf 'good: me\nbad line\nempty:\n\n  stray\n' >aliases
out=$(newaliases 2>err); rc=$?
is "$rc" 70 "bad entries make newaliases exit 70 (EX_SOFTWARE), as upstream"
is "$(cat err)" "$t/aliases: line 2: missing colon
$t/aliases: line 3: empty:... missing value for alias
$t/aliases: line 5: Non-continuation line starts with space" "each bad entry is reported as FILE: line N: reason"
is "$("$PRALIASES" -f "$t/aliases" good)" "good:me" "the good entries are built"

# unsafe alias files are refused
chmod 664 aliases
out=$(newaliases 2>&1)
like "$out" "newaliases: cannot open $t/aliases: Group writable file" "a group-writable alias file is refused"
chmod 646 aliases
out=$(newaliases 2>&1)
like "$out" "newaliases: cannot open $t/aliases: World writable file" "a world-writable alias file is refused"
chmod 644 aliases
ls | grep -q tmp; is $? 1 "no temporary file is left behind"
done_testing
