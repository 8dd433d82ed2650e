#!/usr/bin/env python3
"""The seed scenarios of the cf package, each an address test (-bt) on a
file compiled by Petrel's package, with the answers sendmail gives:

  - listening on every interface once Addr=127.0.0.1 is removed from the
    shipped sendmail.mc;
  - local-host-names naming station25.baidu.com and baidu.com: both local;
  - MASQUERADE_AS(baidu.com) with masquerade_envelope and
    masquerade_entire_domain: the host and its subdomains leave as
    @baidu.com in envelope and headers, root stays exposed;
  - the virtual users admin@123.com, admin@xyz.org, pageme@he.net, the
    catch-all @cba.com and @dom1.org with %1;
  - the access entries of the issue through check_relay, check_mail and
    check_rcpt.

The engine is upstream's sendmail (the oracle) until Petrel's can load
the files; the same lines also run on the file upstream's package writes.
"""
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cfpkg_lib as L  # noqa: E402
import cfpkg_cases as C  # noqa: E402

REJECT = '$# error $@ 5 . 7 . 1 $: "550 Access denied"'
RELAY_DENIED = '$# error $@ 5 . 7 . 1 $: "550 Relaying denied"'

# (lines, expected final result of the last line), per .mc
ACCESS = [
    (["PtBar,check_relay spamRus.net BAR 1.2.3.4"], REJECT),
    (["PtBar,check_relay mail.spamRus.net BAR 1.2.3.4"], REJECT),
    (["PtBar,check_relay host.example.com BAR 204.168.23.9"], REJECT),
    (["PtBar,check_relay host.example.com BAR 10.3.7.7"], "OK"),
    (["PtBar,check_relay host.example.com BAR 192.168.0.4"], "RELAY"),
    (["PtBar,check_relay host.example.com BAR 8.8.8.8"], "OK"),
    ([".D{client_addr}1.2.3.4", ".D{client_name}client.example.com", ".D{client_resolve}OK",
      "check_mail <90trialspammer@aol.com>"], REJECT),
    (["check_mail <x@virtualdomain1.com>"], "$# RELAY"),
    (["check_rcpt <nobody@baidu.com>"], "$# error $: 550 bad name"),
    (["check_rcpt <nobody@station25.baidu.com>"], "$# error $: 550 bad name"),
    (["check_rcpt <user@dom9.com>"], "$# error $: 550 mail discarded"),
    (["check_rcpt <user@baidu.com>"], "RELAY"),
    (["check_rcpt <user@example.com>"], RELAY_DENIED),
    ([".D{client_addr}192.168.0.9", ".D{client_name}lan.example.com",
      "check_rcpt <user@example.com>"], "RELAY"),
    ([".D{client_addr}10.3.1.2", ".D{client_name}host.example.com",
      "check_rcpt <user@example.com>"], RELAY_DENIED),
    # local host names (local-host-names: station25.baidu.com, baidu.com)
    (["/parse user@station25.baidu.com"], "mailer local, user user"),
    (["/parse user@baidu.com"], "mailer local, user user"),
    (["3,0 user@station25.baidu.com"], "$# local $: user"),
    (["3,0 user@www.baidu.com"], "$# esmtp $@ www . baidu . com $: user < @ www . baidu . com >"),
    # virtual users
    (["3,0 admin@123.com"], "$# local $: shopper"),
    (["3,0 admin@xyz.org"], "$# local $: jdj"),
    (["3,0 pageme@he.net"], "$# esmtp $@ pg . com $: lmiwtc < @ pg . com >"),
    (["3,0 anyone@cba.com"], "$# esmtp $@ aol . com $: cba < @ aol . com >"),
    (["3,0 someone@dom1.org"], "$# esmtp $@ dom2 . org $: someone < @ dom2 . org >"),
    (["3,0 joe@bar.com"], "$# error $@ nouser $: 550 No such user here"),
    (["3,0 jax@bar.com"], "$# error $@ 5 . 7 . 0 $: 550 Address invalid"),
]

MASQ = [
    (["/tryflags HS", "/try esmtp user@station25.baidu.com"], "user @ baidu . com"),
    (["/tryflags ES", "/try esmtp user@station25.baidu.com"], "user @ baidu . com"),
    (["/tryflags HS", "/try esmtp user@mail.sub.baidu.com"], "user @ baidu . com"),
    (["/tryflags ES", "/try esmtp user@mail.sub.baidu.com"], "user @ baidu . com"),
    (["/tryflags HS", "/try esmtp user"], "user @ baidu . com"),
    (["/tryflags ES", "/try esmtp user"], "user @ baidu . com"),
    (["/tryflags HS", "/try esmtp root"], "root @ mx . example . test"),
    (["/tryflags ES", "/try esmtp root@station25.baidu.com"], "root @ station25 . baidu . com"),
    (["/tryflags HS", "/try esmtp user@keep.baidu.com"], "user @ keep . baidu . com"),
    (["/tryflags HS", "/try esmtp user@other.example.org"], "user @ other . example . org"),
]


def final(line, result):
    """The answer to one line: the /parse report, or the final value."""
    if line.startswith("/parse"):
        m = re.search(r"(mailer \S+, (host [^,]*, )?user [^|]*)", result)
        return m.group(1).strip() if m else result
    return result.rsplit("=> ", 1)[-1].strip()


def scenario(tap, engines, name, cf_path, up_path, checks, work):
    """Runs all the lines in one process (macro settings carry over) and
    checks the answer of each line that has an expected value, on every
    engine; the file of upstream's package must agree."""
    lines = [l for group, _ in checks for l in group]
    for ename, engine, maps in engines:
        ours = L.bt_results(L.run_bt(engine, cf_path, lines, work, maps), lines)
        i = 0
        for group, want in checks:
            i += len(group)
            got = final(lines[i - 1], ours[i - 1])
            tap.ok(got == want, "%s: %s gives %s (%s)" % (name, lines[i - 1], want, ename),
                   "expected: %s\ngot:      %s" % (want, got))
        theirs = L.bt_results(L.run_bt(engine, up_path, lines, work, maps), lines)
        tap.ok(ours == theirs, "%s: upstream's package gives the same answers (%s)"
               % (name, ename))


def compile_both(tap, orc, name, mc, settings, work):
    rc1, up, e1 = L.m4_upstream(orc, mc, settings)
    rc2, pt, e2 = L.m4_petrel(mc, settings)
    tap.ok(rc2 == 0, "%s compiles with Petrel's package" % name, e2)
    paths = []
    for tag, text in (("pt", pt), ("up", up)):
        p = os.path.join(work, "%s.%s.cf" % (name, tag))
        with open(p, "w") as f:
            f.write(L.with_test_rules(text))
        paths.append(p)
    return paths


def listen_everywhere(tap, orc, settings, work):
    """The shipped sendmail.mc listens on 127.0.0.1 only; without the
    Addr= clauses of its DAEMON_OPTIONS lines it listens everywhere."""
    with open(os.path.join(L.PT_CF, "cf", "sendmail.mc")) as f:
        mc = f.read()
    rc, cf, err = L.m4_petrel(mc, settings)
    daemons = [l for l in cf.splitlines() if l.startswith("O DaemonPortOptions=")]
    tap.ok(rc == 0 and len(daemons) == 2 and all("Addr=127.0.0.1" in d for d in daemons),
           "shipped sendmail.mc: both listeners are on 127.0.0.1", "\n".join(daemons) + err)
    opened = re.sub(r",\s*Addr=127\.0\.0\.1", "", mc)
    rc, cf, err = L.m4_petrel(opened, settings)
    daemons = [l for l in cf.splitlines() if l.startswith("O DaemonPortOptions=")]
    tap.ok(rc == 0 and len(daemons) == 2 and not any("Addr=" in d for d in daemons),
           "without Addr=127.0.0.1 the listeners bind every interface", "\n".join(daemons) + err)
    path = os.path.join(work, "listen-all.cf")
    with open(path, "w") as f:
        f.write(cf)
    out = L.run_bt(orc["sendmail"], path, ["3,0 user@example.com"], work)
    tap.ok(not L.load_errors(out, path) and "$# esmtp" in out,
           "the listen-everywhere configuration loads and routes mail", out[-500:])


def sandbox(tap, orc, work):
    """cf/cf/sandbox.mc puts every file under the root given on the m4
    command line, listens on 127.0.0.1:2525 (or the port given), and
    delivers with the mail.local it is told about."""
    root = os.path.join(work, "sbx")
    mc = os.path.join(L.PT_CF, "cf", "sandbox.mc")
    def build(*defines):
        r = L.subprocess.run(["m4"] + ["-D" + d for d in defines] +
                             [os.path.join(L.PT_CF, "m4", "cf.m4"), mc],
                             capture_output=True, text=True)
        return r.returncode, r.stdout, r.stderr
    rc, cf, err = build("PETREL_SANDBOX=" + root)
    tap.ok(rc == 0, "sandbox.mc compiles with PETREL_SANDBOX set", err)
    paths = re.findall(r"(?:^O [A-Za-z.]+=|^F\S*?|^K\S+ .* |^Mlocal,\s+P=)(/[^\s,]+)", cf, re.M)
    outside = [p for p in paths if not p.startswith(root + "/")]
    tap.ok(len(paths) >= 12 and not outside,
           "every file of the sandbox configuration is under its root (%d paths)" % len(paths),
           "outside: %s" % outside)
    tap.ok("O DaemonPortOptions=Family=inet, Name=MTA, Port=2525, Addr=127.0.0.1" in cf
           and cf.count("O DaemonPortOptions=") == 1,
           "the sandbox listens on 127.0.0.1 port 2525 only")
    rc, cf2, err = build("PETREL_SANDBOX=" + root, "PETREL_SANDBOX_PORT=2600",
                         "LOCAL_MAILER_PATH=/build/tree/mail.local",
                         "PETREL_SANDBOX_SPOOL_OPTION=-S")
    tap.ok(rc == 0 and "Port=2600, Addr=127.0.0.1" in cf2
           and re.search(r"^Mlocal,\s+P=/build/tree/mail.local,", cf2, re.M)
           and "A=mail.local -l -S %s/spool" % root in cf2,
           "the port, the mail.local path and its spool option come from the command line", err)
    rc, _, err = build()
    tap.ok(rc != 0 and "PETREL_SANDBOX is not set" in err, "without PETREL_SANDBOX, m4 stops", err)
    path = os.path.join(work, "sandbox.cf")
    with open(path, "w") as f:
        f.write(cf)
    os.makedirs(os.path.join(root, "etc"), exist_ok=True)
    for n in ("local-host-names", "trusted-users", "aliases"):
        open(os.path.join(root, "etc", n), "a").close()
    out = L.run_bt(orc["sendmail"], path, ["3,0 user"], work)
    tap.ok(not L.load_errors(out, path) and "$# local $: user" in out,
           "the sandbox configuration loads and delivers local names locally", out[-400:])


def main():
    tap = L.Tap()
    orc = L.oracle()
    if orc is None:
        tap.skip("upstream sendmail could not be fetched: it is the engine of these tests")
        tap.done()
    work = L.tempdir()
    settings = os.path.join(work, "etc")
    L.make_settings(orc["makemap"], settings)
    listen_everywhere(tap, orc, settings, work)
    sandbox(tap, orc, work)
    engines = [("upstream sendmail", orc["sendmail"], None)]
    pt_engine = L.petrel_engine()
    if pt_engine:
        L.make_settings(pt_engine["makemap"], settings + "-petrel")
        engines.append(("Petrel sendmail", pt_engine["sendmail"], (settings + "-petrel", settings)))
    for name, checks in (("seed-access", ACCESS), ("feat-masquerade", MASQ)):
        pt, up = compile_both(tap, orc, name, C.own_mc(name), settings, work)
        scenario(tap, engines, name, pt, up, checks, work)
    if not tap.failed:
        shutil.rmtree(work, ignore_errors=True)
    tap.done()


main()
