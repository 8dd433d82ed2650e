# oracle.sh: upstream sendmail 8.17 from Debian, as a test oracle.
#
# Sourced by test scripts.  oracle_fetch downloads Debian's sendmail-bin,
# sendmail-base and sendmail-cf packages with `apt-get download` and unpacks
# them with `dpkg -x` into a folder of the build tree (never installed on the
# system, never shipped).  Then:
#   $ORACLE_CF        upstream's cf package (m4/cf.m4, feature/, ...)
#   $ORACLE_SENDMAIL  upstream's sendmail binary
#   $ORACLE_MAKEMAP   upstream's makemap
#   oracle_m4 FILE.mc        compile an .mc with upstream's package (stdout)
#   oracle_run ARGS...       run upstream's sendmail with a qualified host name
#                            (it stalls for a minute on an unqualified one)
ORACLE_DIR=${PETREL_ORACLE_DIR:-$PETREL_BUILDDIR/tests/oracle}
ORACLE_ROOT=$ORACLE_DIR/root
ORACLE_CF=$ORACLE_ROOT/usr/share/sendmail/cf
ORACLE_SENDMAIL=$ORACLE_ROOT/usr/libexec/sendmail/sendmail
ORACLE_MAKEMAP=$ORACLE_ROOT/usr/libexec/sendmail/makemap
ORACLE_HOSTNAME=${ORACLE_HOSTNAME:-mx.example.test}

# Downloads and unpacks upstream once per build tree; returns 1 if it cannot.
oracle_fetch() {
	[ -x "$ORACLE_SENDMAIL" ] && [ -f "$ORACLE_CF/m4/cf.m4" ] && return 0
	mkdir -p "$ORACLE_DIR" || return 1
	(
		cd "$ORACLE_DIR" || exit 1
		# flock: several tests may ask at once.
		exec 9>"$ORACLE_DIR/.lock"
		flock 9
		[ -x "$ORACLE_SENDMAIL" ] && exit 0
		chmod 777 "$ORACLE_DIR" 2>/dev/null
		apt-get download sendmail-bin sendmail-base sendmail-cf >/dev/null 2>&1 ||
			{ apt-get update -qq >/dev/null 2>&1 &&
			  apt-get download sendmail-bin sendmail-base sendmail-cf >/dev/null 2>&1; } || exit 1
		for deb in sendmail-*.deb; do dpkg -x "$deb" root || exit 1; done
		rm -f sendmail-*.deb
	)
}

# Compiles an .mc file with upstream's cf package to standard output.
oracle_m4() {
	m4 -D_CF_DIR_="$ORACLE_CF/" "$ORACLE_CF/m4/cf.m4" "$@"
}

# Runs upstream's sendmail in a private UTS namespace with a qualified name.
oracle_run() {
	unshare -u sh -c 'hostname "$0" && exec "$@"' "$ORACLE_HOSTNAME" "$ORACLE_SENDMAIL" "$@"
}
