#!/usr/bin/env bash
# The /etc/mail Makefile Petrel installs: `make -C /etc/mail` builds
# sendmail.cf and submit.cf from their .mc files, the hash maps with
# makemap, and the aliases database with newaliases, each only when its
# source changed; a broken .mc leaves the old .cf in place.  Runs in a
# temporary folder with the build tree's programs.
. "$(dirname "$0")/../lib/tap.sh"
mf="$PETREL_BUILDDIR/etc/mail/Makefile"
if [ ! -f "$mf" ] || [ ! -x "$MAKEMAP" ]; then
	skip "the build tree has no etc/mail/Makefile or makemap"
	done_testing
fi
# a private folder under the build tree: sendmail refuses alias files
# under a world-writable directory such as /tmp
mkdir -p "$PETREL_BUILDDIR/tests/tmp"
d=$(mktemp -d -p "$PETREL_BUILDDIR/tests/tmp" mailmake.XXXXXX)
chmod 755 "$d"
trap '[ "${KEEP:-}" ] || rm -rf "$d"' EXIT
cp "$mf" "$d/Makefile"
vars=(CFDIR="$PETREL_SRCDIR/cf" M4=m4 MAKEMAP="$MAKEMAP" SENDMAIL="$SENDMAIL")
mkdir -p "$d/mqueue"
{ echo "define(\`MAIL_SETTINGS_DIR', \`$d/')define(\`QUEUE_DIR', \`$d/mqueue')dnl"; cat "$PETREL_SRCDIR/cf/cf/sendmail.mc"; } > "$d/sendmail.mc"
cp "$PETREL_SRCDIR/cf/cf/submit.mc" "$d/submit.mc"
printf 'Connect:192.168.0\tRELAY\nFrom:spam@example.org\tREJECT\n' > "$d/access"
printf 'info@example.org\tuser\n' > "$d/virtusertable"
printf 'postmaster: root\nwebmaster: root\n' > "$d/aliases"
: > "$d/local-host-names"

mk() { make -s -C "$d" "${vars[@]}" "$@" >"$d/make.out" 2>&1; }
mtime() { stat -c %Y.%y "$1" 2>/dev/null; }

mk cf maps
ok $? "make cf maps in a fresh folder succeeds: $(tail -2 "$d/make.out")"
for f in sendmail.cf submit.cf access.db virtusertable.db; do
	[ -s "$d/$f" ]; ok $? "it builds $f"
done
grep -q '^Kaccess ' "$d/sendmail.cf"
ok $? "sendmail.cf is the compiled sendmail.mc (it declares the access map)"
"$MAKEMAP" -C /dev/null -u hash "$d/access" 2>/dev/null | grep -q 'spam@example.org'
ok $? "access.db holds the entries of access"

before_cf=$(mtime "$d/sendmail.cf") before_db=$(mtime "$d/access.db")
sleep 1
mk cf maps
ok $? "a second make succeeds"
is "$(mtime "$d/sendmail.cf") $(mtime "$d/access.db")" "$before_cf $before_db" \
	"nothing is rebuilt when no source changed"

sleep 1
printf 'From:other@example.org\tREJECT\n' >> "$d/access"
mk cf maps
[ "$(mtime "$d/access.db")" != "$before_db" ]
ok $? "a changed access source rebuilds access.db"
is "$(mtime "$d/sendmail.cf")" "$before_cf" "... and leaves sendmail.cf alone"

cp "$d/sendmail.cf" "$d/sendmail.cf.good"
sleep 1
echo "FEATURE(\`mailertable')dnl" >> "$d/sendmail.mc"
mk cf
rc=$?
ok $((rc == 0)) "a FEATURE after the MAILER lines makes make fail (status $rc)"
grep -q 'sendmail.mc:[0-9]*: error: FEATURE(mailertable) comes after MAILER' "$d/make.out"
ok $? "make shows the line of the mistake"
cmp -s "$d/sendmail.cf" "$d/sendmail.cf.good"
ok $? "the old sendmail.cf stays in place"

sed -i '$d' "$d/sendmail.mc"
mk cf
ok $? "with the .mc fixed, make succeeds again"
if [ -x "$SENDMAIL" ]; then
	mk newaliases
	rc=$?
	if grep -q 'Invalid operation mode i' "$d/make.out"; then
		skip "Petrel's sendmail has no -bi (newaliases) mode yet"
		. "$PETREL_SRCDIR/tests/lib/oracle.sh"
		if oracle_fetch; then
			unshare -u sh -c 'hostname mx.example.test && exec "$@"' sh \
				make -s -C "$d" "${vars[@]}" SENDMAIL="$ORACLE_SENDMAIL" newaliases >"$d/make.out" 2>&1
			[ $? -eq 0 ] && [ -s "$d/aliases.db" ]
			ok $? "make newaliases builds aliases.db (with upstream's sendmail -bi): $(tail -3 "$d/make.out")"
		fi
	else
		[ $rc -eq 0 ] && [ -s "$d/aliases.db" ]
		ok $? "make newaliases builds aliases.db with sendmail -bi: $(tail -3 "$d/make.out")"
	fi
else
	skip "no sendmail program in the build tree for newaliases"
fi
done_testing
