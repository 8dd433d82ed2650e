#!/usr/bin/env bash
# makemap: builds, dumps (-u), round trips, duplicates (-r, -d), -N, -f, -e,
# -t, -D, -o, -v, -l, bad input lines (named by line, the good ones still
# stored), unsafe output files, and a reader never seeing a half-built map.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cd "$t" || exit 1
mm() { "$MAKEMAP" -C /dev/null "$@"; }
dump() { mm -u "$@" | LC_ALL=C sort; }

printf 'Alice alice@example.com\nbob  bob with  spaces  \n# comment\n\n%%pct %%1@%%0\n' >src
mm hash m <src; ok $? "makemap builds a map from key/value lines"
ok "$([ -f m.db ]; echo $?)" "the map file is the map name plus .db"
is "$(stat -c %a m.db)" 640 "a new map file has mode 0640, as upstream makes it"
is "$(dump hash m)" "$(printf '%%pct\t%%1@%%0\nalice\talice@example.com\nbob\tbob with  spaces  ')" \
	"-u dumps key TAB value; keys folded, values kept as written (inner and trailing blanks too)"
dump hash m | mm hash m2; dump hash m2 >d2
is "$(cat d2)" "$(dump hash m)" "makemap -u then makemap gives the same map"
dump hash m2 | mm hash m3
is "$(dump hash m3)" "$(cat d2)" "and again (a fixed point)"
is "$(mm -u -t: hash m | LC_ALL=C sort | head -1)" "%pct:%1@%0" "-u -t uses the delimiter"

printf 'a 1\nb 2\na 3\n' >dup
out=$(mm hash d <dup 2>&1); rc=$?
is "$rc" 65 "a repeated key makes makemap exit 65 (EX_DATAERR)"
is "$out" "makemap: d: line 3: key a: duplicate key" "with upstream's message naming the line"
is "$(dump hash d)" "$(printf 'a\t1\nb\t2')" "and the first value is kept"
mm -r hash d <dup; ok $? "-r replaces without complaint"
is "$(dump hash d)" "$(printf 'a\t3\nb\t2')" "the last value wins with -r"
mm -d btree bd <dup; ok $? "-d accepts repeated keys"
is "$(mm -u btree bd)" "$(printf 'a\t1\na\t3\nb\t2')" "a btree dump lists every value in key order"

printf 'Ab Cd\n' | mm -f hash f
is "$(mm -u hash f)" "$(printf 'Ab\tCd')" "-f keeps the key's case"
printf 'k v\n' | mm -N hash n
is "$(mm -u hash n)" "$(printf 'k\tv')" "a -N map dumps without the NULs"
ok "$(grep -qaP 'k\x00v\x00' n.db; echo $?)" "-N stores the key with its NUL"

printf 'novalue\nkey  \nk2 v\n' | mm -e hash e; ok $? "-e accepts keys without a value"
is "$(dump hash e)" "$(printf 'k2\tv\nkey\t\nnovalue\t')" "and stores them with an empty value"
printf ' x:y\na::b\n' | mm -t: hash t
is "$(dump hash t)" "$(printf ' x\ty\na\tb')" "-t splits at the delimiter (repeated) and allows leading blanks"
printf ';c x\n#k v\n' | mm -D';' hash dd
is "$(dump hash dd)" "$(printf '#k\tv')" "-D changes the comment character"
printf 'a 1\n' | mm hash o1; printf 'b 2\n' | mm -o hash o1
is "$(dump hash o1)" "$(printf 'a\t1\nb\t2')" "-o adds to the existing map"
is "$(printf 'q 1\n' | mm -v hash v)" "key=\`q', val=\`1'" "-v shows each pair as upstream does"
is "$(mm -l | tr '\n' ' ')" "dbm hash btree implicit " "-l lists the map types"

out=$(mm hash 2>&1); rc=$?
is "$rc" 64 "a missing map name is a usage error (64)"
like "$out" "^Usage: makemap" "with the usage text"
out=$(echo "a b" | mm foo zz 2>&1); rc=$?
is "$rc:$out" "73:makemap: error opening type foo map zz: Unknown database type" "an unknown type is refused (73)"
echo "a b" | mm -i hash foo fb; ok $? "-i gives a fallback type"
out=$(mm -u hash nonexist 2>&1); rc=$?
is "$rc:$out" "73:makemap: error opening type hash map nonexist: No such file or directory" "-u on a missing map fails (73)"
out=$(echo "a b" | "$MAKEMAP" -C "$t/no.cf" hash x 2>&1); rc=$?
is "$rc:$out" "66:makemap: $t/no.cf: No such file or directory" "an unreadable -C file is an error (66)"

# bad input: each bad line named, the good ones stored, never a crash
{
	printf 'good1 v\n'
	printf ' leading space\n'
	printf 'novalue\n'
	head -c 70000 /dev/zero | tr '\0' 'x'; printf ' v\n'
	head -c 2000 /dev/zero | tr '\0' 'k'; printf ' v\n'
	printf 'nul a\0b\n'
	printf 'cr val\r\n'
	printf 'good2 v'
} >bad
out=$(mm hash bad <bad 2>&1); rc=$?
is "$rc" 65 "bad lines make makemap exit 65"
is "$out" "makemap: bad: line 2: syntax error (leading space)
makemap: bad: line 3: no RHS for LHS novalue
makemap: bad: line 4: line too long (65536 bytes max)
makemap: bad: line 5: key too long (1024 bytes max)
makemap: bad: line 6: NUL byte in line" "each bad line is reported with its number and reason"
is "$(dump hash bad | cat -A)" "$(printf 'cr^Ival^M$\ngood1^Iv$\ngood2^Iv$')" \
	"the good lines are stored (a CR stays in the value, a last line without LF counts)"
head -c 100000 /dev/urandom >junk
mm hash junk <junk >/dev/null 2>&1; rc=$?
ok "$([ $rc -eq 0 ] || [ $rc -eq 65 ]; echo $?)" "binary junk is rejected line by line without a crash (status $rc)"

# unsafe output files
printf 'a b\n' | mm hash real
ln -s real.db sym.db
out=$(printf 'a b\n' | mm hash sym 2>&1); rc=$?
is "$rc:$out" "73:makemap: error opening type hash map sym: Symbolic links not allowed" "a symbolic link is not written through"
ln real.db hard.db
out=$(printf 'a b\n' | mm hash hard 2>&1); rc=$?
is "$rc:$out" "73:makemap: error opening type hash map hard: Hard links not allowed" "a hard link is not written through"
printf 'a c\n' | mm -s hash sym; ok $? "-s skips the safety checks"

# a reader never sees a half-built map: dump it while it is rebuilt
seq 1 50000 | sed 's/.*/key& value&/' >big
mm hash big <big
bad=0
for i in 1 2 3; do
	mm hash big <big &
	for j in 1 2 3 4 5; do
		n=$(mm -u hash big 2>/dev/null | wc -l)
		[ "$n" -eq 50000 ] || bad=$((bad + 1))
	done
	wait
done
is "$bad" 0 "every dump taken during rebuilds shows the whole map"
ls | grep -q tmp; is $? 1 "no temporary file is left behind"
done_testing
