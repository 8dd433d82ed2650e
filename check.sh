#!/usr/bin/env bash
# Runs Petrel's whole test suite on this machine, as CI does.
#
#   ./check.sh              build in build/ and run every test
#   ./check.sh --sanitize   the same, built with ASan and UBSan, in build-asan/
#   ./check.sh --only RE    only the tests whose name matches RE
#
# As root on Debian it first installs, with apt-get, every package the build
# and the tests need (the list is tools/packages).  Ends with "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")" && pwd)
cd "$top"
builddir=build
confargs=()
runargs=()
while [ $# -gt 0 ]; do
	case "$1" in
	--sanitize) builddir=build-asan; confargs+=(--enable-sanitizers) ;;
	--only) runargs+=(--only "$2"); shift ;;
	--verbose|-v) runargs+=(--verbose) ;;
	*) echo "check.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done

fail() { echo "check.sh: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

bash tools/install-deps build test || fail "could not install the packages the suite needs"
if [ ! -x configure ] || [ configure.ac -nt configure ]; then
	autoreconf -fi >/dev/null 2>&1 || fail "autoreconf failed"
fi
mkdir -p "$builddir"
cd "$builddir"
if [ ! -f Makefile ] || [ ../configure -nt config.status ]; then
	../configure -q "${confargs[@]}" || fail "configure failed"
fi
make -j2 >make.log 2>&1 || { tail -40 make.log; fail "the build failed (see $builddir/make.log)"; }
make -j2 check-programs >>make.log 2>&1 || { tail -40 make.log; fail "building the tests failed"; }
exec bash ../tests/run --srcdir .. --builddir . "${runargs[@]}"
