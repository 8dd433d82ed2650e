# msp.sh: the mail submission program installed as upstream installs it,
# beside a sandbox daemon (sandbox.sh), without touching the machine.
#
# A test script calls msp_enter "$0" "$@" first: it runs the script again
# inside a mount namespace where /etc is an overlay over the real one, so
# that the test can write /etc/passwd, /etc/group and the program's
# submit.cf (and they vanish with the namespace).  The folder the program
# reads its cf files from (MAILDIR, /etc/mail unless configure said
# otherwise, as make distcheck does) is $MSP_MAILDIR; when it is not under
# /etc, a private folder is mounted over it.  Then, after sb_new:
#
#   msp_new            users user1 (42101, "User One"), user2 (42102, "&"),
#                      user3 (42103) and
#                      smmsp (42100, group smmsp 42100); $SB/clientmqueue
#                      0770 smmsp:smmsp; $MSP_MAILDIR/submit.cf compiled from
#                      cf/cf/submit.mc, relaying to 127.0.0.1:$SB_PORT with
#                      its queue in $SB/clientmqueue; sendmail.cf there is
#                      the sandbox's; $SB/bin/sendmail set-group-ID smmsp
#                      (mode 2555) with mailq beside it
#   as_user USER CMD   runs CMD as USER (real and effective ids, no other
#                      groups), HOME, USER and LOGNAME set
# Variables: MSP_BIN (the set-group-ID sendmail), MSP_QUEUE (the client queue).
MSP_UID=42100
MSP_BIN=
MSP_QUEUE=
MSP_MAILDIR=${PETREL_MSP_MAILDIR:-}

# The build's MAILDIR, as make knows it.
msp_build_maildir() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$PETREL_BUILDDIR" petrel-install-dirs |
		tr ' ' '\n' | sed -n 's/^maildir=//p'
}

# Runs the calling script again in a mount namespace with /etc overlaid.
msp_enter() {
	[ -n "${PETREL_MSP_NS:-}" ] && return 0
	if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
		skip "needs root, mount namespaces and setpriv"
		done_testing
	fi
	local ovl rc maildir
	maildir=$(msp_build_maildir)
	[ -n "$maildir" ] || maildir=/etc/mail
	ovl=$(mktemp -d /run/petrel-msp-XXXXXX)
	mkdir -p "$ovl/upper" "$ovl/work" "$ovl/maildir"
	if ! unshare -m sh -c 'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$0/upper,workdir=$0/work" /etc' "$ovl" 2>/dev/null; then
		rm -rf "$ovl"
		skip "overlay mounts are not available here"
		done_testing
	fi
	case "$maildir" in
	/etc/*) ;;
	*) mkdir -p "$maildir" ;;	# a private folder goes over it in the namespace
	esac
	PETREL_MSP_NS=$ovl PETREL_MSP_MAILDIR=$maildir unshare -m sh -c '
		mount -t overlay overlay -o "lowerdir=/etc,upperdir=$0/upper,workdir=$0/work" /etc || exit 1
		case "$PETREL_MSP_MAILDIR" in
		/etc/*) ;;
		*) mount --bind "$0/maildir" "$PETREL_MSP_MAILDIR" || exit 1 ;;
		esac
		shift && exec "$@"' "$ovl" x bash "$@"
	rc=$?
	rm -rf "$ovl"
	exit $rc
}

# The users, the client queue, the cf files and the set-group-ID program.
msp_new() {
	echo "smmsp:x:$MSP_UID:$MSP_UID:Mail Submission Program:/nonexistent:/usr/sbin/nologin" >>/etc/passwd
	echo "user1:x:42101:42101:User One,,,:$SB/home/user1:/bin/sh" >>/etc/passwd
	echo "user2:x:42102:42102:&,,,:$SB/home/user2:/bin/sh" >>/etc/passwd
	echo "user3:x:42103:42103::$SB/home/user3:/bin/sh" >>/etc/passwd
	printf 'smmsp:x:%s:\nuser1:x:42101:\nuser2:x:42102:\nuser3:x:42103:\n' "$MSP_UID" >>/etc/group
	mkdir -p "$SB/home/user1" "$SB/home/user2" "$SB/bin" "$MSP_MAILDIR"
	chown 42101:42101 "$SB/home/user1"; chown 42102:42102 "$SB/home/user2"
	MSP_QUEUE=$SB/clientmqueue
	mkdir -p "$MSP_QUEUE"
	chown "$MSP_UID:$MSP_UID" "$MSP_QUEUE"; chmod 0770 "$MSP_QUEUE"
	{
		echo "define(\`RELAY_MAILER_ARGS', \`TCP \$h $SB_PORT')dnl"
		echo "define(\`MSP_QUEUE_DIR', \`$MSP_QUEUE')dnl"
		echo "include(\`$PETREL_SRCDIR/cf/cf/submit.mc')dnl"
	} >"$SB/submit.mc"
	m4 "$PETREL_SRCDIR/cf/m4/cf.m4" "$SB/submit.mc" >"$MSP_MAILDIR/submit.cf" || return 1
	cp "$SB_CF" "$MSP_MAILDIR/sendmail.cf"
	MSP_BIN=$SB/bin/sendmail
	cp "$SENDMAIL" "$MSP_BIN"
	chown "root:$MSP_UID" "$MSP_BIN"; chmod 2555 "$MSP_BIN"
	ln -sf sendmail "$SB/bin/mailq"
}

as_user() {
	local user=$1 home
	shift
	home=$(getent passwd "$user" | cut -d: -f6)
	HOME=$home USER=$user LOGNAME=$user setpriv --reuid="$user" --regid="$user" --clear-groups \
		-- "$@"
}
