#!/usr/bin/env bash
# editmap: -q, -u, -x with upstream's messages and exit codes; changes are
# seen by a running `sendmail -bt` without a restart; concurrent editmaps
# lose no change; readers during edits always see a whole map.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
EDITMAP=$PETREL_BUILDDIR/makemap/editmap
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cd "$t" || exit 1
mm() { "$MAKEMAP" -C /dev/null "$@"; }
em() { "$EDITMAP" -C /dev/null "$@"; }

printf 'a 1\nb 2\n' | mm hash m
is "$(em -q hash m a)" 1 "-q prints the value"
out=$(em -q hash m zz 2>&1); rc=$?
is "$rc:$out" "69:editmap: couldn't find key zz in map m" "-q of an absent key: upstream's message, exit 69"
em -u hash m A "new value" three; ok $? "-u sets a value (the key folded; extra words ignored)"
is "$(em -q hash m a)" "new value" "and -q sees it"
em -x hash m b; ok $? "-x deletes a key"
is "$(mm -u hash m | sort)" "$(printf 'a\tnew value')" "the map holds exactly the change"
out=$(em -x hash m b 2>&1); rc=$?
is "$rc:$out" "0:editmap: key b doesn't exist in map m" "-x of an absent key says so"
out=$(em -u hash m k 2>&1); rc=$?
is "$rc" 64 "-u without a value is a usage error"
like "$out" "^Usage: editmap" "with the usage text"
out=$(em hash m a 2>&1); rc=$?
is "$rc" 64 "one of -q -u -x is required"
out=$(em -q hash nonexist a 2>&1); rc=$?
is "$rc:$out" "73:editmap: error opening type hash map nonexist: No such file or directory" "a missing map cannot be queried"
em -u hash fresh k v; ok $? "-u makes a map that does not exist yet"
is "$(em -q hash fresh k)" v "with the record"
em -f -u hash m MiXed v; is "$(em -f -q hash m MiXed)" v "-f keeps the key's case"
em -N -u hash m withnul v; is "$(em -N -q hash m withnul)" v "-N stores and finds the key with its NUL"
out=$(em -q hash m withnul 2>&1); rc=$?
is "$rc" 69 "and a key stored with -N is not found without it"
chmod 0604 m.db
em -u hash m c 3
is "$(stat -c %a m.db)" 604 "an edited map keeps its mode"

# a running sendmail -bt sees the change without a restart
if [ -x "$SENDMAIL" ]; then
	cat >t.cf <<CF
V10/Berkeley
O DontBlameSendmail=MapInUnsafeDirPath
O QueueDirectory=$t
Kmap hash $t/m
Mlocal, P=/bin/true, F=l, A=true
CF
	coproc BT { exec "$SENDMAIL" -C t.cf -bt 2>&1; }
	ask() { echo "/map map $1" >&"${BT[1]}"; local line; while IFS= read -r -t 10 line <&"${BT[0]}"; do
		case "$line" in *map_lookup*) echo "${line#> }"; return ;; esac; done; echo TIMEOUT; }
	is "$(ask a)" "map_lookup: map (a) returns new value (0)" "sendmail -bt reads the map"
	em -u hash m a changed
	is "$(ask a)" "map_lookup: map (a) returns changed (0)" "and sees an editmap change without a restart"
	em -x hash m a
	is "$(ask a)" "map_lookup: map (a) no match (0)" "and a deletion"
	printf 'a rebuilt\n' | mm hash m
	is "$(ask a)" "map_lookup: map (a) returns rebuilt (0)" "and a rebuild by makemap"
	exec {BT[1]}>&-
	wait "$BT_PID" 2>/dev/null
else
	skip "sendmail is not built"
fi

# concurrent editmaps lose nothing; readers see whole maps meanwhile
seq 1 2000 | sed 's/.*/base& v/' | mm hash c
for i in $(seq 1 20); do em -u hash c "new$i" "v$i" & done
bad=0
for i in 1 2 3 4 5; do n=$(mm -u hash c | wc -l); [ "$n" -ge 2000 ] || bad=$((bad + 1)); done
wait
is "$bad" 0 "readers during edits see the whole map"
is "$(mm -u hash c | grep -c '^new')" 20 "twenty concurrent editmaps: every change is kept"
is "$(mm -u hash c | wc -l)" 2020 "and nothing is lost"
ls | grep -q tmp; is $? 1 "no temporary file is left behind"
done_testing
