#!/usr/bin/env python3
"""compat/smtp_conv: the SMTP conversation corpus (tests/compat/smtp_corpus)
played against upstream sendmail 8.17's daemon and Petrel's, both on the
same cf compiled by upstream's m4 package, and Petrel also on the cf its own
package compiles from the same .mc: every reply must be the same, code,
enhanced code and text (queue ids, dates and version numbers aside).

Everything runs in a private network namespace with only loopback (see
smtpconv_lib.py for the setting: DNS, host names, client addresses).

  SMTP_CONV_ONLY=REGEX   only the conversations whose title matches
  SMTP_CONV_SHOW=1       print every transcript
"""
import concurrent.futures
import difflib
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

if os.getuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
    print("ok 1 # SKIP needs root, unshare and ip for private namespaces")
    print("1..1")
    sys.exit(0)
if not os.environ.get("SMTP_CONV_NETNS"):
    # upstream's packages are fetched (once) before loopback is all there is
    import cfpkg_lib
    cfpkg_lib.oracle()
    os.environ["SMTP_CONV_NETNS"] = "1"
    os.execvp("unshare", ["unshare", "-n", "sh", "-c",
                          'ip link set lo up && exec "$0" "$@"',
                          sys.executable, os.path.abspath(__file__)] + sys.argv[1:])

import cfpkg_lib as L  # noqa: E402
import smtpconv_lib as C  # noqa: E402

CORPUS = os.path.join(HERE, "smtp_corpus")


def variants_used(convs):
    names = sorted({c.cf for c in convs})
    out = {}
    for n in names:
        with open(os.path.join(CORPUS, "variants", n + ".mc")) as f:
            out[n] = f.read()
    return out


def main():
    tap = L.Tap()
    orc = L.oracle()
    if orc is None:
        tap.skip("upstream sendmail could not be fetched")
        tap.done()
    build = L.BUILDDIR
    pt_sendmail = os.path.join(build, "sendmail", "sendmail")
    pt_makemap = os.path.join(build, "makemap", "makemap")
    convs = []
    for path in sorted(glob.glob(os.path.join(CORPUS, "*.conv"))):
        convs += C.parse_corpus(path)
    only = os.environ.get("SMTP_CONV_ONLY")
    if only:
        convs = [c for c in convs if re.search(only, c.title)]
    base = "/run" if os.path.isdir("/run") else None
    work = tempfile.mkdtemp(prefix="petrel-conv-", dir=base)
    os.chmod(work, 0o755)
    world = C.World(orc, pt_sendmail, pt_makemap, work)
    try:
        run(tap, world, convs)
    finally:
        world.stop()
        if not os.environ.get("PETREL_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("# kept " + work)
    tap.done()


def run(tap, world, convs):
    err = world.setup()
    if err:
        tap.skip("the setting could not be made: " + err)
        return
    errs = world.newaliases()
    tap.ok(not errs, "both sides built the aliases database", "\n".join(errs))
    daemons = {}
    for name, mc in variants_used(convs).items():
        cfs, errs = world.compile(name, mc)
        tap.ok("up" in cfs and "pt" in cfs, "variant %s compiles with both packages" % name,
               "\n".join(errs))
        if "up" not in cfs:
            continue
        opts = []
        daemons[name] = {"up": C.Daemon(world, "up", cfs["up"], name + "-up", opts),
                         "pt-up": C.Daemon(world, "pt", cfs["up"], name + "-pt-up", opts)}
        if "pt" in cfs:
            daemons[name]["pt-pt"] = C.Daemon(world, "pt", cfs["pt"], name + "-pt-pt", opts)
    for ds in daemons.values():
        for d in ds.values():
            d.start()
    for name, ds in sorted(daemons.items()):
        for key, d in sorted(ds.items()):
            tap.ok(d.ready(), "variant %s: daemon %s listens" % (name, key), d.logtail())
    show = os.environ.get("SMTP_CONV_SHOW")

    def one(conv):
        ds = daemons.get(conv.cf)
        if ds is None:
            return conv, None
        with concurrent.futures.ThreadPoolExecutor(3) as ex:
            futs = {k: ex.submit(C.play, conv, d.port) for k, d in ds.items()}
            return conv, {k: f.result() for k, f in futs.items()}

    with concurrent.futures.ThreadPoolExecutor(6) as ex:
        results = list(ex.map(one, convs))
    for conv, res in results:
        if res is None:
            tap.ok(False, "%s (%s): its variant %s runs" % (conv.title, conv.source, conv.cf))
            continue
        want = C.normalize(res["up"])
        if want and want[0].startswith("<connect failed"):
            tap.ok(False, "%s (%s): upstream answers" % (conv.title, conv.source), want[0])
            continue
        if show:
            print("# --- %s (%s)" % (conv.title, conv.source))
            for l in res["up"]:
                print("#   " + l)
        same = {}
        for key, what in (("pt-up", "on upstream's cf"), ("pt-pt", "on Petrel's cf")):
            if key not in res:
                continue
            got = C.normalize(res[key])
            same[key] = got == want
            diff = "\n".join(difflib.unified_diff(want, got, "upstream", "petrel " + what,
                                                  lineterm="", n=2))
            title = "%s (%s): Petrel %s answers as upstream" % (conv.title, conv.source, what)
            if conv.differs and got != want:
                tap.skip("%s: known difference: %s" % (title, conv.differs))
                if show:
                    print("\n".join("# " + l for l in diff.splitlines()))
            else:
                tap.ok(got == want, title, diff)
        if conv.differs and same and all(same.values()):
            tap.ok(False, "%s (%s): marked 'differs:' but Petrel answers as upstream on both "
                   "cfs; remove the mark" % (conv.title, conv.source))

if __name__ == "__main__":
    main()
