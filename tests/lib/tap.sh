# tap.sh: helpers for the shell tests, sourced by each tests/*/*.t script.
# Prints TAP lines that tests/run counts; every check names the behaviour it
# proves and, on failure, shows what was expected and what came.
: "${PETREL_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${PETREL_BUILDDIR:=$PETREL_SRCDIR}"
tap_n=0
tap_failed=0

# ok COND-EXIT-STATUS DESCRIPTION: records a check from a command's status.
ok() {
	local rc=$1; shift
	tap_n=$((tap_n + 1))
	if [ "$rc" -eq 0 ]; then echo "ok $tap_n - $*"
	else echo "not ok $tap_n - $*"; tap_failed=$((tap_failed + 1)); fi
}

# is GOT WANT DESCRIPTION: records that two strings are equal.
is() {
	local got=$1 want=$2; shift 2
	tap_n=$((tap_n + 1))
	if [ "$got" == "$want" ]; then echo "ok $tap_n - $*"
	else
		echo "not ok $tap_n - $*"
		printf '#   expected: %s\n#   got:      %s\n' "$want" "$got"
		tap_failed=$((tap_failed + 1))
	fi
}

# like GOT REGEX DESCRIPTION: records that a string matches an extended regex.
like() {
	local got=$1 re=$2; shift 2
	tap_n=$((tap_n + 1))
	if [[ $got =~ $re ]]; then echo "ok $tap_n - $*"
	else
		echo "not ok $tap_n - $*"
		printf '#   expected to match: %s\n#   got: %s\n' "$re" "$got"
		tap_failed=$((tap_failed + 1))
	fi
}

# skip DESCRIPTION: records a check that cannot run here, with the reason.
skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP $*"
}

# done_testing: prints the plan and exits with the right status.
done_testing() {
	echo "1..$tap_n"
	[ $tap_failed -eq 0 ]
	exit $?
}

# The programs under test.
SENDMAIL=$PETREL_BUILDDIR/sendmail/sendmail
MAKEMAP=$PETREL_BUILDDIR/makemap/makemap
