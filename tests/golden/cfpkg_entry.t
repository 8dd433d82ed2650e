#!/usr/bin/env bash
# The ways into the m4 package: `m4 <cfdir>/m4/cf.m4 file.mc', an .mc that
# starts with include(`<cfdir>/m4/cf.m4'), -D_CF_DIR_=<cfdir>/, a relative
# cf.m4 path, and an .mc that includes another package's cf.m4 (Debian's
# and RHEL's do) compiled with this one: all give the same file.  And
# `make install' puts the package under the cfdir it is given, such as
# RHEL's /usr/share/sendmail-cf, from where an .mc includes it.
. "$(dirname "$0")/../lib/tap.sh"
src="$PETREL_SRCDIR/cf"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
body="OSTYPE(\`linux')dnl
DOMAIN(\`generic')dnl
FEATURE(\`access_db')dnl
MAILER(\`local')dnl
MAILER(\`smtp')dnl"
printf 'divert(0)dnl\n%s\n' "$body" > "$t/plain.mc"
printf 'divert(-1)\ninclude(`%s/m4/cf.m4'"'"')dnl\ndivert(0)dnl\n%s\n' "$src" "$body" > "$t/include.mc"
printf 'divert(-1)\ninclude(`/usr/share/sendmail-cf/m4/cf.m4'"'"')\ndivert(0)dnl\n%s\n' "$body" > "$t/other.mc"

# the generated files differ only in the line that names the .mc
norm() { grep -v '^#  from ' "$1"; }
m4 "$src/m4/cf.m4" "$t/plain.mc" > "$t/plain.cf"
ok $? "m4 cf/m4/cf.m4 file.mc compiles"
grep -q '^Scheck_rcpt' "$t/plain.cf"
ok $? "... into a configuration with rulesets"
m4 "$t/include.mc" > "$t/include.cf"
ok $? "an .mc that includes cf.m4 compiles with m4 alone"
cmp -s <(norm "$t/plain.cf") <(norm "$t/include.cf")
ok $? "... into the same configuration"
m4 -D_CF_DIR_="$src/" "$src/m4/cf.m4" "$t/plain.mc" > "$t/d.cf"
cmp -s <(norm "$t/plain.cf") <(norm "$t/d.cf")
ok $? "-D_CF_DIR_=<cfdir>/ gives the same configuration"
(cd "$src/.." && m4 cf/m4/cf.m4 "$t/plain.mc") > "$t/rel.cf"
cmp -s <(norm "$t/plain.cf") <(norm "$t/rel.cf")
ok $? "a relative path to cf.m4 gives the same configuration"
(cd "$src/m4" && m4 cf.m4 "$t/plain.mc") > "$t/here.cf"
cmp -s <(norm "$t/plain.cf") <(norm "$t/here.cf")
ok $? "cf.m4 read from its own folder (_CF_DIR_ is ../) gives the same configuration"
m4 "$src/m4/cf.m4" "$t/other.mc" > "$t/other.cf" 2>"$t/err"
ok $? "an .mc that includes another package's cf.m4 compiles with this package: $(cat "$t/err")"
cmp -s <(norm "$t/plain.cf") <(norm "$t/other.cf")
ok $? "... into the same configuration"

# make install with RHEL's cfdir, then an .mc that includes it from there
if [ -f "$PETREL_BUILDDIR/Makefile" ]; then
	make -s -C "$PETREL_BUILDDIR" install-data DESTDIR="$t/root" \
		cfdir=/usr/share/sendmail-cf maildir=/etc/mail >"$t/install.log" 2>&1
	rc=$?
	ok $rc "make install-data with cfdir=/usr/share/sendmail-cf"
	[ $rc -eq 0 ] || tail -5 "$t/install.log" | sed 's/^/# /'
	for f in m4/cf.m4 m4/macros.m4 feature/access_db.m4 mailer/smtp.m4 ostype/debian.m4 \
		domain/generic.m4 cf/sendmail.mc cf/submit.mc; do
		[ -f "$t/root/usr/share/sendmail-cf/$f" ]; ok $? "it installs $f there"
	done
	[ -f "$t/root/etc/mail/Makefile" ]; ok $? "it installs the /etc/mail Makefile"
	grep -q '^CFDIR = /usr/share/sendmail-cf$' "$t/root/etc/mail/Makefile"
	ok $? "... which builds with that cfdir"
	printf 'divert(-1)\ninclude(`%s/usr/share/sendmail-cf/m4/cf.m4'"'"')dnl\ndivert(0)dnl\n%s\n' \
		"$t/root" "$body" > "$t/installed.mc"
	m4 "$t/installed.mc" > "$t/installed.cf"
	ok $? "an .mc including the installed cf.m4 compiles"
	cmp -s <(norm "$t/plain.cf") <(norm "$t/installed.cf")
	ok $? "... into the same configuration as the source tree's package"
else
	skip "no build tree to install from"
fi
done_testing
