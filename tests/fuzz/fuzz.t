#!/usr/bin/env bash
# fuzz: builds every libFuzzer target tests/fuzz/fuzz_*.c against the library
# sources with clang (-fsanitize=fuzzer,address,undefined) and runs each for
# PETREL_FUZZ_SECONDS (default 8) from its seed corpus tests/fuzz/corpus/<name>/.
# One TAP line per target: it built, and it ran without a crash, leak or hang.
# A crash leaves its input in tests/logs/fuzz-<name>/ to become a regression test.
. "$PETREL_SRCDIR/tests/lib/tap.sh"
secs=${PETREL_FUZZ_SECONDS:-8}
out=$PETREL_BUILDDIR/tests/fuzz
mkdir -p "$out"
if ! command -v clang >/dev/null; then
	skip "clang is not installed"
	done_testing
fi
libsrc=$(ls "$PETREL_SRCDIR"/lib/*.c)
cflags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 -I$PETREL_BUILDDIR -I$PETREL_SRCDIR/lib -DSYSCONFDIR=\"/etc\" -DMAILDIR=\"/etc/mail\" \
 -DCFDIR=\"/usr/share/sendmail/cf\" -DLOCALSTATEDIR=\"/var\""
libs="-lssl -lcrypto -lsasl2 -lgdbm -lresolv"
# the library once, as objects without main
objdir=$out/obj
mkdir -p "$objdir"
built_lib=0
# a changed header (an inline function moved, a struct grew) rebuilds everything
newest_h=$(ls -t "$PETREL_SRCDIR"/lib/*.h | head -n 1)
for src in $libsrc; do
	obj=$objdir/$(basename "$src" .c).o
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$newest_h" -nt "$obj" ]; then
		clang $cflags -fsanitize=fuzzer-no-link -c "$src" -o "$obj" 2>>"$out/build.log" || built_lib=1
	fi
done
for t in "$PETREL_SRCDIR"/tests/fuzz/fuzz_*.c; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .c)
	bin=$out/$name
	if [ $built_lib -ne 0 ] || ! clang $cflags "$t" "$objdir"/*.o $libs -o "$bin" 2>>"$out/build.log"; then
		ok 1 "$name: builds (see $out/build.log)"
		continue
	fi
	corpus=$out/corpus-$name
	mkdir -p "$corpus" "$PETREL_BUILDDIR/tests/logs/fuzz-$name"
	[ -d "$PETREL_SRCDIR/tests/fuzz/corpus/$name" ] && cp -n "$PETREL_SRCDIR/tests/fuzz/corpus/$name"/* "$corpus"/ 2>/dev/null
	(cd "$PETREL_BUILDDIR/tests/logs/fuzz-$name" &&
		"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -max_len=4096 \
			-print_final_stats=0 "$corpus" >"../fuzz-$name.log" 2>&1)
	ok $? "$name: $secs seconds without a crash, leak or hang"
done
done_testing
