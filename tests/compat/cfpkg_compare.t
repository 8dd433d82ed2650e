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


def compare(tap, orc, case, settings, work, resolv):
    """Compiles one case both ways and compares the -bt results."""
    name = case["name"]
    src = C.sources(case, orc, work)
    rc1, up_cf, err1 = L.m4_upstream(orc, src["up_mc"], settings, src["up_defines"],
                                     src["up_pre"], src["up_load_cf"])
    rc2, pt_cf, err2 = L.m4_petrel(src["pt_mc"], settings, case.get("defines", ()))
    if not tap.ok(rc2 == 0 and rc1 == 0, "%s: both packages compile it" % name,
                  "upstream rc %d: %s\npetrel rc %d: %s" % (rc1, err1, rc2, err2)):
        return
    diffs = L.declaration_diffs(L.cf_declarations(up_cf), L.cf_declarations(pt_cf))
    tap.ok(not diffs, "%s: the same options, macros, classes, maps, mailers and headers" % name,
           "\n".join(diffs))
    up_path = os.path.join(work, name + ".up.cf")
    pt_path = os.path.join(work, name + ".pt.cf")
    with open(up_path, "w") as f:
        f.write(L.with_test_rules(up_cf))
    with open(pt_path, "w") as f:
        f.write(L.with_test_rules(pt_cf))
    lines = case.get("bt") or B.script()
    engines = [("upstream sendmail", orc["sendmail"], None)]
    pt = L.petrel_engine()
    if pt and case.get("petrel", True):
        engines.append(("Petrel sendmail", pt["sendmail"], (settings + "-petrel", settings)))
    by_engine = {}
    for ename, engine, maps in engines:
        outs = L.parallel(lambda p: L.run_bt(engine, p, lines, work, maps, resolv),
                          [up_path, pt_path])
        by_engine[ename] = [L.bt_results(o, lines) for o in outs]
        if ename != "upstream sendmail":
            errs = L.load_errors(outs[0], up_path) + L.load_errors(outs[1], pt_path)
            if errs:
                tap.skip("%s: %s cannot load the files yet: %s" % (name, ename, errs[0]))
                continue
        want, got = by_engine[ename]
        diffs = []
        n = 0
        for line, w, g in zip(lines, want, got):
            if line.startswith(".") or line.startswith("/tryflags"):
                continue
            n += 1
            if w != g:
                diffs.append("%s\n  upstream cf: %s\n  petrel cf:   %s" % (line, w, g))
        if diffs and ename != "upstream sendmail":
            # Petrel's engine may still get upstream's own file wrong; then
            # the difference says nothing about the package
            ref = by_engine["upstream sendmail"]
            wrong = sum(1 for a, b in zip(ref[0], want) if a != b)
            if wrong:
                tap.skip("%s: %s does not yet give upstream's engine's results for "
                         "upstream's own file (%d lines differ), so it cannot judge "
                         "the package" % (name, ename, wrong))
                continue
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
    L.make_settings(orc["makemap"], settings)
    pt = L.petrel_engine()
    if pt:
        L.make_settings(pt["makemap"], settings + "-petrel")
    dns = L.LoopbackDns(work)
    if not dns.start():
        tap.skip("no DNS server for the tests (%s): every DNS lookup fails" % dns.why)
    want = set(sys.argv[1:])
    try:
        for case in C.COMPARE_CASES:
            if want and case["name"] not in want:
                continue
            compare(tap, orc, case, settings, work, dns.resolv)
    finally:
        dns.stop()
    if not tap.failed and not os.environ.get("CFPKG_KEEP"):
        shutil.rmtree(work, ignore_errors=True)
    else:
        print("# work folder: " + work)
    tap.done()


main()
