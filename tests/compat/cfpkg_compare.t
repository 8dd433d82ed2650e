#!/usr/bin/env python3
"""Petrel's cf package against upstream's: the same .mc compiled by both
must give the same final results for every -bt line (canonicalization,
parsing, check_relay, check_mail and check_rcpt under several client
contexts, and the mailers' sender and recipient rewriting).  The engine
is upstream's sendmail for both files, and Petrel's once it is built;
the maps are built from the same sources by upstream's makemap.

  cfpkg_compare.t [CASE...]     run some cases only (names below)
"""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cfpkg_lib as L  # noqa: E402
import cfpkg_bt as B  # noqa: E402
import cfpkg_cases as C  # noqa: E402


def compare(tap, orc, case, settings, work):
    """Compiles one case both ways and compares the -bt results."""
    name = case["name"]
    src = C.sources(case, orc, work)
    rc1, up_cf, err1 = L.m4_upstream(orc, src["up_mc"], settings, src["up_defines"],
                                     src["up_pre"], src["up_load_cf"])
    rc2, pt_cf, err2 = L.m4_petrel(src["pt_mc"], settings, case.get("defines", ()))
    if not tap.ok(rc2 == 0 and rc1 == 0, "%s: both packages compile it" % name,
                  "upstream rc %d: %s\npetrel rc %d: %s" % (rc1, err1, rc2, err2)):
        return
    up_path = os.path.join(work, name + ".up.cf")
    pt_path = os.path.join(work, name + ".pt.cf")
    with open(up_path, "w") as f:
        f.write(L.with_test_rules(up_cf))
    with open(pt_path, "w") as f:
        f.write(L.with_test_rules(pt_cf))
    lines = case.get("bt") or B.script()
    engines = [("upstream sendmail", orc["sendmail"])]
    petrel = os.path.join(L.BUILDDIR, "sendmail", "sendmail")
    if os.access(petrel, os.X_OK) and case.get("petrel", True):
        engines.append(("Petrel sendmail", petrel))
    for ename, engine in engines:
        outs = L.parallel(lambda p: L.run_bt(engine, p, lines, work), [up_path, pt_path])
        want = L.bt_results(outs[0], lines)
        got = L.bt_results(outs[1], lines)
        diffs = []
        n = 0
        for line, w, g in zip(lines, want, got):
            if line.startswith(".") or line.startswith("/tryflags"):
                continue
            n += 1
            if w != g:
                diffs.append("%s\n  upstream cf: %s\n  petrel cf:   %s" % (line, w, g))
        tap.ok(not diffs and n >= 200,
               "%s: %d -bt results identical (%s)" % (name, n, ename),
               "%d of %d differ:\n%s" % (len(diffs), n, "\n".join(diffs[:12])))


def main():
    tap = L.Tap()
    orc = L.oracle()
    if orc is None:
        tap.skip("upstream sendmail could not be fetched (apt-get download)")
        tap.done()
    work = L.tempdir()
    settings = os.path.join(work, "etc")
    L.make_settings(orc, settings)
    want = set(sys.argv[1:])
    for case in C.COMPARE_CASES:
        if want and case["name"] not in want:
            continue
        compare(tap, orc, case, settings, work)
    if not tap.failed and not os.environ.get("CFPKG_KEEP"):
        shutil.rmtree(work, ignore_errors=True)
    else:
        print("# work folder: " + work)
    tap.done()


main()
