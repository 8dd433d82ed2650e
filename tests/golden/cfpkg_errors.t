#!/usr/bin/env bash
# Mistakes in an .mc stop Petrel's m4 package with a message that names the
# .mc file and line, instead of writing a broken sendmail.cf: an unknown
# FEATURE, OSTYPE, DOMAIN, MAILER or HACK; a FEATURE after a MAILER; a
# MAILER before the OSTYPE; no OSTYPE at all; a feature missing its
# required argument.  The ordering mistakes are ones sendmail's own package
# rejects too (checked against it when the oracle is available).
. "$(dirname "$0")/../lib/tap.sh"
cf="$PETREL_SRCDIR/cf/m4/cf.m4"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# mc NAME LINES...: writes $tmp/NAME.mc
mc() {
	local name=$1; shift
	printf '%s\n' 'divert(0)dnl' "$@" > "$tmp/$name.mc"
}

# rejected NAME LINE REGEX WHAT: m4 fails, prints nothing on stdout that
# could be taken for a cf, and names NAME.mc:LINE in a message matching REGEX
rejected() {
	local name=$1 line=$2 re=$3; shift 3
	local out err rc
	out=$(m4 "$cf" "$tmp/$name.mc" 2>"$tmp/err")
	rc=$?
	err=$(cat "$tmp/err")
	ok $((rc == 0)) "$* stops m4 (exit status $rc)"
	like "$err" "$name\\.mc:$line: error: .*$re" "$*: the message names $name.mc line $line"
	[ $rc -ne 0 ] && ! grep -q '^S' <<<"$out"
	ok $? "$*: no rulesets are written"
}

mc unknown-feature "OSTYPE(\`linux')dnl" "FEATURE(\`no_such_feature')dnl" "MAILER(\`smtp')dnl"
rejected unknown-feature 3 'unknown FEATURE "no_such_feature"' "an unknown FEATURE"
mc unknown-ostype "OSTYPE(\`plan9')dnl" "MAILER(\`smtp')dnl"
rejected unknown-ostype 2 'unknown OSTYPE "plan9"' "an unknown OSTYPE"
mc unknown-domain "OSTYPE(\`linux')dnl" "DOMAIN(\`nowhere.example')dnl" "MAILER(\`smtp')dnl"
rejected unknown-domain 3 'unknown DOMAIN "nowhere.example"' "an unknown DOMAIN"
mc unknown-mailer "OSTYPE(\`linux')dnl" "MAILER(\`smtp')dnl" "MAILER(\`pigeon')dnl"
rejected unknown-mailer 4 'unknown MAILER "pigeon"' "an unknown MAILER"
mc unknown-hack "OSTYPE(\`linux')dnl" "HACK(\`nohack')dnl" "MAILER(\`smtp')dnl"
rejected unknown-hack 3 'unknown HACK "nohack"' "an unknown HACK"
mc feature-after-mailer "OSTYPE(\`linux')dnl" "MAILER(\`local')dnl" "MAILER(\`smtp')dnl" "FEATURE(\`access_db')dnl"
rejected feature-after-mailer 5 'FEATURE\(access_db\) comes after MAILER\(local\).*move every FEATURE line above' "a FEATURE after a MAILER"
mc mailer-before-ostype "MAILER(\`smtp')dnl" "OSTYPE(\`linux')dnl"
rejected mailer-before-ostype 2 'MAILER\(smtp\) comes before any OSTYPE' "a MAILER before the OSTYPE"
mc no-ostype "FEATURE(\`access_db')dnl" "define(\`confLOG_LEVEL', \`12')dnl"
out=$(m4 "$cf" "$tmp/no-ostype.mc" 2>"$tmp/err"); rc=$?
ok $((rc == 0)) "an .mc without OSTYPE stops m4 (exit status $rc)"
like "$(cat "$tmp/err")" "no-ostype\\.mc: error: no OSTYPE" "no OSTYPE: the message names no-ostype.mc and says what is missing"
mc nouucp-noarg "OSTYPE(\`linux')dnl" "FEATURE(\`nouucp')dnl" "MAILER(\`smtp')dnl"
rejected nouucp-noarg 3 'FEATURE\(nouucp\) needs an argument: reject or nospecial' "FEATURE(nouucp) without its argument"
mc bcc-noarg "OSTYPE(\`linux')dnl" "FEATURE(\`always_bcc')dnl" "MAILER(\`smtp')dnl"
rejected bcc-noarg 3 'FEATURE\(always_bcc\) needs the address' "FEATURE(always_bcc) without an address"
mc nodelay "OSTYPE(\`linux')dnl" "FEATURE(\`access_db')dnl" "FEATURE(\`ratecontrol', \`nodelay')dnl" "MAILER(\`smtp')dnl"
rejected nodelay 4 'FEATURE\(ratecontrol, nodelay\) needs FEATURE\(delay_checks\)' "ratecontrol nodelay without delay_checks"

# names in comments are not calls, as with m4's own builtins
mc comment "OSTYPE(\`linux')dnl" "# a note about FEATURE and MAILER, without parentheses" "MAILER(\`smtp')dnl"
m4 "$cf" "$tmp/comment.mc" >/dev/null 2>"$tmp/err"
ok $? "macro names without arguments in comment lines are left alone"

# sendmail's own package rejects the same ordering mistakes
. "$PETREL_SRCDIR/tests/lib/oracle.sh"
if oracle_fetch; then
	for f in feature-after-mailer no-ostype; do
		oracle_m4 "$tmp/$f.mc" >/dev/null 2>"$tmp/uperr"
		grep -q 'ERROR' "$tmp/uperr"
		ok $? "upstream's package also reports $f as an error"
	done
else
	skip "upstream's package could not be fetched"
fi
done_testing
