#!/usr/bin/env bash
# Builds Petrel and starts it in a self-contained sandbox under ./sandbox:
# its own sendmail.cf (compiled by Petrel's m4 package from cf/cf/sandbox.mc),
# queue, mailboxes, aliases and maps, listening on 127.0.0.1:2525 only.
#
#   ./sandbox.sh            build, configure the sandbox, start the daemon
#   ./sandbox.sh stop       stop it
#   ./sandbox.sh status     is it running?
#
# As root on Debian it first installs the packages the build needs.
# Try it:  swaks --server 127.0.0.1:2525 --to user@localhost
#          ls sandbox/spool; build/sendmail/sendmail -C sandbox/etc/sendmail.cf -bp
set -u
top=$(cd "$(dirname "$0")" && pwd)
cd "$top"
# (the tests run it with PETREL_SANDBOX_DIR, PETREL_SANDBOX_PORT and
# PETREL_BUILDDIR set, on a build of their own)
SB=${PETREL_SANDBOX_DIR:-$top/sandbox}
PORT=${PETREL_SANDBOX_PORT:-2525}
CF=$SB/etc/sendmail.cf
B=${PETREL_BUILDDIR:-$top/build}
SENDMAIL=$B/sendmail/sendmail

die() { echo "sandbox.sh: $*" >&2; exit 1; }

running_pid() {
	local pid
	pid=$(head -n 1 "$SB/run/sendmail.pid" 2>/dev/null) || return 1
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

case "${1:-start}" in
stop)
	pid=$(running_pid) && kill "$pid" && echo "stopped (pid $pid)" || echo "not running"
	exit 0 ;;
status)
	pid=$(running_pid) && echo "running (pid $pid) on 127.0.0.1:$PORT" || echo "not running"
	exit 0 ;;
start) ;;
*) die "usage: $0 [start|stop|status]" ;;
esac

if [ -z "${PETREL_BUILDDIR:-}" ]; then
	bash tools/install-deps build || die "could not install the build dependencies"
	if [ ! -x configure ] || [ configure.ac -nt configure ]; then
		autoreconf -fi >/dev/null 2>&1 || die "autoreconf failed"
	fi
	mkdir -p build
	(cd build && { [ -f Makefile ] || ../configure -q; } && make -j2 >make.log 2>&1) ||
		die "the build failed (see build/make.log)"
fi

# the sandbox: a folder only root may write, as sendmail wants its files
mkdir -p "$SB"/{etc,mqueue,clientmqueue,spool,run,bin}
chmod 755 "$SB" "$SB/etc" "$SB/run" "$SB/bin"
chmod 700 "$SB/mqueue"
chmod 1777 "$SB/spool"
cp "$B/local/mail.local" "$SB/bin/mail.local"
m4 -DPETREL_SANDBOX="$SB" -DPETREL_SANDBOX_PORT="$PORT" -DPETREL_SANDBOX_SPOOL_OPTION=-p \
	cf/m4/cf.m4 cf/cf/sandbox.mc >"$CF.new" || die "m4 could not compile cf/cf/sandbox.mc"
mv "$CF.new" "$CF"
[ -f "$SB/etc/aliases" ] || printf 'postmaster: root\nMAILER-DAEMON: postmaster\n' >"$SB/etc/aliases"
[ -f "$SB/etc/local-host-names" ] || printf 'localhost\n' >"$SB/etc/local-host-names"
[ -f "$SB/etc/trusted-users" ] || : >"$SB/etc/trusted-users"
for map in access virtusertable mailertable; do
	[ -f "$SB/etc/$map" ] || : >"$SB/etc/$map"
	"$B/makemap/makemap" hash "$SB/etc/$map" <"$SB/etc/$map" || die "makemap $map failed"
done
[ -f "$SB/etc/access" ] && grep -q 127.0.0.1 "$SB/etc/access" ||
	{ printf 'Connect:127.0.0.1\tRELAY\n' >>"$SB/etc/access" &&
	  "$B/makemap/makemap" hash "$SB/etc/access" <"$SB/etc/access"; }
"$SENDMAIL" -C "$CF" -bi || die "newaliases failed"

if pid=$(running_pid); then
	kill -HUP "$pid"
	echo "Petrel reloaded (pid $pid) on 127.0.0.1:$PORT"
else
	"$SENDMAIL" -C "$CF" -bd -q15m || die "the daemon did not start"
	sleep 0.5
	pid=$(running_pid) || die "the daemon did not start; see the system log"
	echo "Petrel is running (pid $pid) on 127.0.0.1:$PORT"
fi
echo "  configuration: $CF"
echo "  mailboxes:     $SB/spool"
echo "  queue:         $SENDMAIL -C $CF -bp"
echo "  try:           swaks --server 127.0.0.1:$PORT --to ${USER:-root}@localhost"
echo "  stop:          ./sandbox.sh stop"
