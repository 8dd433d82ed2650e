#!/bin/sh
# install-hook.sh: the steps of `make install' that make Petrel a sendmail
# installation, run by the Makefile after the programs are installed:
#
#   1. the users (only when DESTDIR is empty, as root, unless configure had
#      --disable-install-users): the mail user, owner of the MTA's queue,
#      whom SMTP sessions become after accepting a connection, and the smmsp
#      user and group of the submission program; each only if missing
#   2. the program's other names: newaliases, mailq, hoststat, purgestat in
#      sbindir beside sendmail, and mailq in bindir
#   3. the queues: QUEUEDIR 0700 owned by the mail user; MSPQUEUEDIR 0770
#      smmsp:smmsp (op.txt 1.3.8)
#   4. sendmail set-group-ID smmsp, mode 2555, owned by root (op.txt 1.3.1;
#      never set-user-ID root)
#
# Owners are only set as root and when the users exist (a DESTDIR install
# by a packager running as root gets them; as a normal user, modes only).
# Variables: DESTDIR sbindir bindir queuedir mspqueuedir mailuser mspuser
# install_users (yes/no) LN_S.
set -u
: "${DESTDIR=}" "${LN_S:=ln -s}"
root=no
[ "$(id -u)" -eq 0 ] && root=yes
owners=$root
[ "$install_users" = yes ] || owners=no

note() { echo "petrel install: $*"; }

# 1. users
if [ -z "$DESTDIR" ] && [ "$owners" = yes ]; then
	nologin=/usr/sbin/nologin
	[ -x "$nologin" ] || nologin=/bin/false
	if ! getent group "$mspuser" >/dev/null; then
		groupadd --system "$mspuser" && note "created the group $mspuser"
	fi
	if ! getent passwd "$mspuser" >/dev/null; then
		useradd --system -l -M -g "$mspuser" -d "$mspqueuedir" -s "$nologin" \
			-c "Mail Submission Program" "$mspuser" && note "created the user $mspuser"
	fi
	if ! getent passwd "$mailuser" >/dev/null; then
		getent group "$mailuser" >/dev/null || groupadd --system "$mailuser"
		useradd --system -l -M -g "$mailuser" -d "$queuedir" -s "$nologin" \
			-c "Mail Transfer Agent" "$mailuser" && note "created the user $mailuser"
	fi
fi

# 2. the other names of the program
for n in newaliases mailq hoststat purgestat; do
	rm -f "$DESTDIR$sbindir/$n"
	(cd "$DESTDIR$sbindir" && $LN_S sendmail "$n") || exit 1
done
mkdir -p "$DESTDIR$bindir" || exit 1
rm -f "$DESTDIR$bindir/mailq"
$LN_S "$sbindir/sendmail" "$DESTDIR$bindir/mailq" || exit 1

# 3. the queues
mkdir -p "$DESTDIR$queuedir" "$DESTDIR$mspqueuedir" || exit 1
chmod 0700 "$DESTDIR$queuedir"
chmod 0770 "$DESTDIR$mspqueuedir"
if [ "$owners" = yes ] && getent passwd "$mailuser" >/dev/null; then
	chown "$mailuser:$(id -gn "$mailuser")" "$DESTDIR$queuedir"
else
	note "$DESTDIR$queuedir left to $(id -un) (no $mailuser user, or not root)"
fi

# 4. set-group-ID smmsp
if [ "$owners" = yes ] && getent group "$mspuser" >/dev/null && getent passwd "$mspuser" >/dev/null; then
	chown "$mspuser:$mspuser" "$DESTDIR$mspqueuedir"
	chown "root:$mspuser" "$DESTDIR$sbindir/sendmail"
	chmod 2555 "$DESTDIR$sbindir/sendmail"
else
	note "sendmail is not set-group-ID $mspuser (no such group, or not root): users cannot submit mail"
fi
exit 0
