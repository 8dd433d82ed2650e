#!/usr/bin/env bash
# Every file of the m4 package (cf/m4, feature, mailer, ostype, domain and
# the shipped .mc files) is listed in cf/cf.am, so `make install' puts the
# whole package under $(cfdir) and `make dist' carries it.
. "$(dirname "$0")/../lib/tap.sh"
cd "$PETREL_SRCDIR" || exit 1
n=0
for f in cf/m4/*.m4 cf/feature/*.m4 cf/mailer/*.m4 cf/ostype/*.m4 cf/domain/*.m4 cf/cf/*.mc; do
	grep -q "^	$f\( \\\\\)\?$" cf/cf.am || { ok 1 "$f is listed in cf/cf.am"; n=$((n + 1)); }
done
ok $n "every package file is listed in cf/cf.am"
m=0
for f in $(grep -o 'cf/[a-z0-9]*/[A-Za-z0-9_.-]*\.m[4c]' cf/cf.am); do
	[ -f "$f" ] || { ok 1 "$f, listed in cf/cf.am, exists"; m=$((m + 1)); }
done
ok $m "every file cf/cf.am lists exists"
done_testing
