#!/usr/bin/env bash
# bt_version: what Petrel says of itself where upstream sendmail 8.17 gives
# its version, on the same cf made by upstream's cf package (generic-linux.mc):
# -bt's $v (one word, as upstream's "8.17.1.9", but naming Petrel), and -d0.1:
# the version banner before the cf is read and the SYSTEM IDENTITY block
# after it ($w, $j, $m, $k), that block byte for byte as upstream's.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
. "$PETREL_SRCDIR/tests/lib/oracle.sh"
SENDMAIL=${SENDMAIL:-$PETREL_BUILDDIR/sendmail/sendmail}
if ! oracle_fetch || [ "$(id -u)" -ne 0 ]; then
	skip "needs root and upstream sendmail (apt-get download)"
	done_testing
fi
w=$(mktemp -d "/run/petrel-btversion-XXXXXX")
trap 'rm -rf "$w"' EXIT
chmod 755 "$w"
sed "s#/etc/mail/local-host-names#$w/lhn#" "$ORACLE_CF/cf/generic-linux.mc" >"$w/g.mc"
oracle_m4 "$w/g.mc" 2>/dev/null | sed "s#/etc/mail/local-host-names#$w/lhn#" >"$w/g.cf"
: >"$w/lhn"
ok $? "upstream's cf package made a cf"
# bt SENDMAIL ARGS...: a -bt run with a qualified host name, standard output only
bt() { unshare -u sh -c 'hostname mx.example.test && exec "$@"' sh "$1" -C "$w/g.cf" "${@:2}" 2>/dev/null; }
up_v=$(printf '$v\n' | bt "$ORACLE_SENDMAIL" -bt | sed -n 's/^> //p' | head -1)
pt_v=$(printf '$v\n' | bt "$SENDMAIL" -bt | sed -n 's/^> //p' | head -1)
like "$up_v" '^[0-9]+(\.[0-9]+)+$' "upstream's \$v is its version ($up_v)"
like "$pt_v" '^Petrel-[0-9]+(\.[0-9]+)+$' "Petrel's \$v is one word that names Petrel and its version ($pt_v)"
ident() { sed -n '/^============ SYSTEM IDENTITY/,/^=====*$/p'; }
up=$(bt "$ORACLE_SENDMAIL" -d0.1 -bt </dev/null)
pt=$(bt "$SENDMAIL" -d0.1 -bt </dev/null)
like "$(ident <<<"$up")" 'canonical domain name\) \$j = mx\.example\.test' "upstream's -d0.1 shows the identity"
is "$(ident <<<"$pt")" "$(ident <<<"$up")" "-d0.1: the SYSTEM IDENTITY block is upstream's"
like "$pt" $'^Version Petrel [0-9.]+\n Compatible with: sendmail 8\\.17\n Compiled with: ' \
	"-d0.1 first prints the version banner, naming Petrel"
like "$pt" $'\n========================================================\n\nADDRESS TEST MODE' \
	"then the address test mode, as upstream's"
is "$(bt "$SENDMAIL" -d0.1 -bt </dev/null | grep -c '^Version ')" 1 "one banner"
is "$(bt "$SENDMAIL" -bt </dev/null | grep -c 'SYSTEM IDENTITY\|^Version ')" 0 "no banner without -d0.1"
is "$(bt "$SENDMAIL" -d21.1 -bt </dev/null | grep -c 'SYSTEM IDENTITY\|^Version ')" 0 "nor for another category"
done_testing
