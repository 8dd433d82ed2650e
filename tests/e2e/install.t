#!/usr/bin/env bash
# install: `make install' makes a sendmail installation.  Into a DESTDIR (as
# a packager running as root does, with the users present): sendmail
# set-group-ID smmsp (2555, root:smmsp) with newaliases, mailq, hoststat and
# purgestat beside it and mailq in bindir, makemap, editmap, praliases,
# mail.local, the man pages (sendmail.8 and mailq.1 among them), the systemd
# units and the init script, the queues (mqueue 0700 of the mail user,
# clientmqueue 0770 smmsp:smmsp), the shipped .mc and .cf files (an edited
# one is never replaced); `make uninstall' leaves no file behind.  Without
# DESTDIR, as root, it creates the mail user and the smmsp user and group
# when they are missing (here in a private /etc, see msp.sh).
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/msp.sh"
msp_enter "$0" "$@"
unset MAKEFLAGS MFLAGS MAKELEVEL
T=$(mktemp -d /run/petrel-install-XXXXXX)
trap 'rm -rf "$T"' EXIT
echo "smmsp:x:$MSP_UID:$MSP_UID::/nonexistent:/usr/sbin/nologin" >>/etc/passwd
echo "smmsp:x:$MSP_UID:" >>/etc/group
getent passwd mail >/dev/null || echo "mail:x:8:8:mail:/var/mail:/usr/sbin/nologin" >>/etc/passwd
getent group mail >/dev/null || echo "mail:x:8:" >>/etc/group

# make in the build tree; the caller's variables come last and win
mk() { make -s -C "$PETREL_BUILDDIR" prefix=/usr sysconfdir=/etc install_users=yes "$@"; }
eval "$(mk petrel-install-dirs | tr ' ' '\n')"
D=$T/root
mk install DESTDIR="$D" >"$T/install.log" 2>&1
is "$?" 0 "make install DESTDIR=... succeeds"
mode() { stat -c '%a %U:%G' "$1" 2>&1; }
is "$(mode "$D$sbindir/sendmail")" "2555 root:smmsp" "sendmail is set-group-ID smmsp, never set-user-ID"
for n in newaliases mailq hoststat purgestat; do
	is "$(readlink "$D$sbindir/$n")" sendmail "$n is a link to sendmail"
done
is "$(readlink "$D$bindir/mailq")" "$sbindir/sendmail" "mailq is also in $bindir"
for p in "$sbindir/makemap" "$sbindir/editmap" "$sbindir/praliases" "$libexecdir/mail.local"; do
	ok "$([ -x "$D$p" ] && [ -f "$D$p" ]; echo $?)" "$p is installed"
done
for m in man8/sendmail.8 man1/mailq.1 man8/makemap.8 man8/editmap.8 man8/newaliases.8 \
	man8/praliases.8 man8/mail.local.8 man5/aliases.5 man8/hoststat.8 man8/purgestat.8; do
	ok "$([ -s "$D$mandir/$m" ]; echo $?)" "the man page $m is installed"
done
ok "$(grep -q -- '-bD' "$D$systemdunitdir/sendmail.service" && grep -q "$sbindir/sendmail" "$D$systemdunitdir/sendmail.service"; echo $?)" \
	"sendmail.service is installed with this installation's path"
ok "$([ -s "$D$systemdunitdir/sm-client.service" ]; echo $?)" "and sm-client.service"
is "$(stat -c %a "$D$initddir/sendmail" 2>&1)" 755 "the init script is installed, executable"
is "$(mode "$D$queuedir")" "700 mail:mail" "the MTA's queue is 0700, the mail user's"
is "$(mode "$D$mspqueuedir")" "770 smmsp:smmsp" "the client queue is 0770 smmsp:smmsp"
is "$(stat -c %a "$D$maildir/submit.cf" 2>&1)" 444 "submit.cf is installed read-only"
for f in sendmail.cf sendmail.mc submit.mc Makefile; do
	ok "$([ -s "$D$maildir/$f" ]; echo $?)" "$maildir/$f is installed"
done
ok "$([ -f "$D$cfdir/m4/cf.m4" ]; echo $?)" "the m4 package is installed"
like "$("$D$sbindir/sendmail" -bV)" "^Version Petrel" "the installed program runs"
echo "dnl edited" >>"$D$maildir/sendmail.mc"
mk install DESTDIR="$D" >"$T/install2.log" 2>&1
is "$(tail -1 "$D$maildir/sendmail.mc")" "dnl edited" "a second install leaves an edited sendmail.mc alone"
like "$(cat "$T/install2.log")" "sendmail.mc exists, left as it is" "and says so"
mk uninstall DESTDIR="$D" >"$T/uninstall.log" 2>&1
is "$?" 0 "make uninstall succeeds"
is "$(cd "$D" && find . \( -type f -o -type l \) ! -path "./${maildir#/}/sendmail.mc" | sort | tr '\n' ' ')" "" \
	"it leaves no file or link behind (but the edited sendmail.mc)"

# Without DESTDIR, as root: the users are created when missing.  Every
# folder is under $R (checked first: nothing may land in the machine's own).
R=$T/direct
direct=(prefix="$R/usr" maildir="$R/etc/mail" queuedir="$R/spool/mqueue"
	mspqueuedir="$R/spool/clientmqueue" systemdunitdir="$R/systemd" sysconfdir="$R/etc"
	mailuser=ptmail mspuser=ptmsp)
outside=$(mk petrel-install-dirs "${direct[@]}" | tr ' ' '\n' | cut -d= -f2 | grep -v "^$R/")
if [ -n "$outside" ]; then
	echo "not ok - the direct install would write outside $R: $outside"
	done_testing
fi
# and, to be sure, the machine's /usr and /var are read-only in this namespace
for d in /usr /var; do
	if ! mount --bind "$d" "$d" || ! mount -o remount,bind,ro "$d"; then
		skip "cannot make $d read-only here: no install without DESTDIR"
		done_testing
	fi
done
mk install "${direct[@]}" >"$T/direct.log" 2>&1
is "$?" 0 "make install without DESTDIR succeeds"
like "$(getent passwd ptmsp)" "^ptmsp:x:[0-9]+:[0-9]+:Mail Submission Program:$R/spool/clientmqueue:" \
	"it creates the missing smmsp user"
ok "$(getent group ptmsp >/dev/null; echo $?)" "and group"
like "$(getent passwd ptmail)" "^ptmail:x:[0-9]+:[0-9]+:Mail Transfer Agent:$R/spool/mqueue:" \
	"and the missing mail user"
like "$(cat "$T/direct.log")" "created the user ptmsp" "saying so"
is "$(mode "$R/usr/sbin/sendmail")" "2555 root:ptmsp" "sendmail is set-group-ID to the new group"
is "$(mode "$R/spool/mqueue")" "700 ptmail:ptmail" "the queue belongs to the new mail user"
is "$(mode "$R/spool/clientmqueue")" "770 ptmsp:ptmsp" "the client queue to the new smmsp user"
n=$(grep -c '^ptmsp:' /etc/passwd)
mk install "${direct[@]}" >"$T/direct2.log" 2>&1
is "$(grep -c '^ptmsp:' /etc/passwd)" "$n" "installing again creates no second user"
done_testing
