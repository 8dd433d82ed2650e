#!/usr/bin/env python3
"""The corpus: at least 40 .mc files compile with Petrel's package without
an error, and every file it writes loads without a configuration error in
upstream's sendmail and, once it is built, in Petrel's.  The corpus is
upstream's non-obsolete cf/cf examples and Debian's shipped sendmail.mc
and submit.mc (both read from the oracle's packages at test time), the
RHEL-style and feature files of tests/compat/mc, and the .mc files the
package ships in cf/cf."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cfpkg_lib as L  # noqa: E402
import cfpkg_cases as C  # noqa: E402

# what Petrel's engine does not have yet (map classes it does not know);
# the package cannot be blamed for these, but they are reported as skips
ENGINE_TODO = re.compile(r"class \S+ not available")


def shipped(name):
    with open(os.path.join(L.PT_CF, "cf", name)) as f:
        return f.read()


def load_errors(engine, cf, work, maps=None):
    """The configuration errors an engine reports while loading cf."""
    return L.load_errors(L.run_bt(engine, cf, ["/quit"], work, maps), cf)


def main():
    tap = L.Tap()
    orc = L.oracle()
    work = L.tempdir()
    settings = os.path.join(work, "etc")
    corpus = []
    if orc is None:
        tap.skip("upstream's packages could not be fetched: their examples are left out")
    else:
        L.make_settings(orc["makemap"], settings)
        corpus += [("upstream-" + n, C.upstream_mc(n)) for n in C.UPSTREAM_EXAMPLES]
        corpus += [("debian-sendmail", C.debian_mc("sendmail")),
                   ("debian-submit", C.debian_mc("submit"))]
    corpus += [(n, C.own_mc(n)) for n in C.own_names()]
    corpus += [("shipped-" + f[:-3], shipped(f))
               for f in sorted(os.listdir(os.path.join(L.PT_CF, "cf"))) if f.endswith(".mc")]
    tap.ok(len(corpus) >= 40, "the corpus has at least 40 .mc files (%d)" % len(corpus))

    engines = []
    if orc:
        engines.append(("upstream sendmail", orc["sendmail"], None))
    pt = L.petrel_engine()
    if pt:
        L.make_settings(pt["makemap"], settings + "-petrel")
        engines.append(("Petrel sendmail", pt["sendmail"], (settings + "-petrel", settings)))

    # the sandbox configuration reads its files from <root>/etc
    os.makedirs(os.path.join(work, "sandbox"), exist_ok=True)
    os.makedirs(settings, exist_ok=True)
    os.symlink(settings, os.path.join(work, "sandbox", "etc"))

    def one(item):
        name, mc = item
        src = C.sources({"mc": mc}, orc, work) if orc else {"pt_mc": mc}
        defines = ["PETREL_SANDBOX=%s/sandbox" % work] if name == "shipped-sandbox" else []
        rc, cf, err = L.m4_petrel(src["pt_mc"], settings, defines)
        path = os.path.join(work, name + ".cf")
        with open(path, "w") as f:
            f.write(cf)
        loads = ([(e, load_errors(eng, path, work, maps)) for e, eng, maps in engines]
                 if rc == 0 else [])
        return name, rc, err, loads

    for name, rc, err, loads in L.parallel(one, corpus):
        errors = [l for l in err.splitlines() if ": error:" in l or l.startswith("m4:")]
        tap.ok(rc == 0 and not errors, "%s compiles with Petrel's package" % name, err)
        for ename, errs in loads:
            missing = [e for e in errs if ENGINE_TODO.search(e)]
            if ename != "upstream sendmail" and errs and len(missing) == len(errs):
                tap.skip("%s: %s cannot load it yet: %s" % (name, ename, missing[0]))
                continue
            tap.ok(not errs, "%s: the cf loads in %s" % (name, ename), "\n".join(errs))
    if not tap.failed:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    tap.done()


main()
