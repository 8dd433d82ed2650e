# fuzz.sh: builds and runs a libFuzzer target for a short while.
#
# Sourced by tests/fuzz/*.t.  fuzz_run NAME SECONDS SEEDDIR SOURCES... compiles
# tests/fuzz/NAME.c with clang -fsanitize=fuzzer,address (plus undefined)
# against the given library sources (paths relative to the source tree),
# runs it for SECONDS over a copy of the seeds, and records one TAP check.
# A crash leaves its input in $PETREL_BUILDDIR/tests/fuzz/NAME-crashes/.
fuzz_run() {
	local name=$1 secs=$2 seeds=$3; shift 3
	local out=$PETREL_BUILDDIR/tests/fuzz srcs=() s
	command -v clang >/dev/null || { skip "$name: clang is not installed"; return; }
	mkdir -p "$out/$name-corpus" "$out/$name-crashes"
	for s in "$@"; do srcs+=("$PETREL_SRCDIR/$s"); done
	if ! clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-I"$PETREL_BUILDDIR" -I"$PETREL_SRCDIR/lib" -o "$out/$name" \
		"$PETREL_SRCDIR/tests/fuzz/$name.c" "${srcs[@]}" >"$out/$name.build.log" 2>&1; then
		sed 's/^/# /' "$out/$name.build.log" | head -20
		ok 1 "$name: the fuzz target builds"
		return
	fi
	[ -n "$seeds" ] && cp -n "$seeds"/* "$out/$name-corpus/" 2>/dev/null
	"$out/$name" -max_total_time="$secs" -artifact_prefix="$out/$name-crashes/" \
		-timeout=10 -rss_limit_mb=1024 "$out/$name-corpus" >"$out/$name.log" 2>&1
	local rc=$?
	[ $rc -eq 0 ] || tail -30 "$out/$name.log" | sed 's/^/# /'
	ok $rc "$name: ${secs}s of libFuzzer find no crash, leak or failed check"
}
