"""Helpers for the tests of Petrel's m4 package (cf/): compiling .mc files
with Petrel's package and with upstream's (the oracle), building the maps
they use, and running address tests (sendmail -bt) in a sandbox.

Every sendmail run happens in private mount, UTS and network namespaces:
the host name is mx.example.test, /etc/resolv.conf points at a loopback
with no network behind it, so no DNS query can leave the machine, and the
maps, class files and option files come from a temporary folder
(MAIL_SETTINGS_DIR), never from /etc/mail.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

SRCDIR = os.environ.get("PETREL_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BUILDDIR = os.environ.get("PETREL_BUILDDIR") or SRCDIR
PT_CF = os.path.join(SRCDIR, "cf")
HOSTNAME = "mx.example.test"


class Tap:
    """TAP output: ok/not ok lines and the plan at the end."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, what, diag=None):
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, what))
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, what))
            for line in (diag or "").splitlines()[:40]:
                print("#   " + line)
        sys.stdout.flush()
        return cond

    def skip(self, why):
        self.n += 1
        print("ok %d # SKIP %s" % (self.n, why))

    def done(self):
        print("1..%d" % self.n)
        sys.exit(1 if self.failed else 0)


def oracle():
    """Fetches upstream's packages (tests/lib/oracle.sh); returns the paths
    of its cf folder, sendmail and makemap, or None if unavailable."""
    script = ('. "%s/tests/lib/oracle.sh" && oracle_fetch && '
              'echo "$ORACLE_CF" && echo "$ORACLE_SENDMAIL" && echo "$ORACLE_MAKEMAP"'
              % SRCDIR)
    env = dict(os.environ, PETREL_SRCDIR=SRCDIR, PETREL_BUILDDIR=BUILDDIR)
    r = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env)
    lines = r.stdout.split()
    if r.returncode != 0 or len(lines) < 3:
        return None
    return {"cf": lines[0], "sendmail": lines[1], "makemap": lines[2],
            "root": lines[1].rsplit("/usr/", 1)[0]}


def m4_petrel(mc_text, settings_dir, defines=(), cwd=None):
    """Compiles an .mc (text) with Petrel's package: (rc, cf, stderr)."""
    args = ["m4", "-DMAIL_SETTINGS_DIR=%s/" % settings_dir]
    args += ["-D%s" % d for d in defines]
    args += [os.path.join(PT_CF, "m4", "cf.m4"), "-"]
    r = subprocess.run(args, input=mc_text, capture_output=True, text=True, cwd=cwd)
    return r.returncode, r.stdout, r.stderr


def m4_upstream(orc, mc_text, settings_dir, defines=(), pre=(), load_cf=True):
    """Compiles an .mc (text) with upstream's package: (rc, cf, stderr).
    pre: files m4 reads first; load_cf False when the .mc includes cf.m4."""
    args = ["m4", "-D_CF_DIR_=%s/" % orc["cf"], "-DMAIL_SETTINGS_DIR=%s/" % settings_dir]
    args += ["-D%s" % d for d in defines] + list(pre)
    if load_cf:
        args.append(os.path.join(orc["cf"], "m4", "cf.m4"))
    r = subprocess.run(args + ["-"], input=mc_text, capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


# The maps and class files every test configuration reads.  The seed data
# of the issue (virtual users, access entries, local host names) is here.
MAP_SOURCES = {
    "local-host-names": "station25.baidu.com\nbaidu.com\nlocal.example.test\n",
    "relay-domains": "relay.example.test\n10.20\n",
    "trusted-users": "trusted\n",
    "canonify-domains": "canon.example.test\n",
    "access": (
        "From:90trialspammer@aol.com\tREJECT\n"
        "To:nobody@\tERROR:550 bad name\n"
        "Connect:spamRus.net\tREJECT\n"
        "Connect:204.168.23\tREJECT\n"
        "Connect:10.3\tOK\n"
        "From:virtualdomain1.com\tRELAY\n"
        "To:user@dom9.com\tERROR:550 mail discarded\n"
        "Connect:192.168.0\tRELAY\n"
        "From:discard.example.org\tDISCARD\n"
        "From:spammer@some.dom\tREJECT\n"
        "To:friend.domain\tRELAY\n"
        "Connect:friend.domain\tOK\n"
        "Connect:from.domain\tRELAY\n"
        "From:good@another.dom\tOK\n"
        "From:another.dom\tREJECT\n"
        "From:FREE.STEALTH.MAILER@\tERROR:550 Spam not accepted\n"
        "To:badlocaluser@\tERROR:550 Mailbox disabled for badlocaluser\n"
        "To:host.my.TLD\tERROR:550 That host does not accept mail\n"
        "To:user@other.my.TLD\tERROR:5.7.9:550 Mailbox disabled for this recipient\n"
        "Connect:128.32\tRELAY\n"
        "Connect:128.32.2\tSKIP\n"
        "Connect:[127.0.0.3]\tOK\n"
        "From:quarantine.example.org\tQUARANTINE:held for review\n"
        "oldstyle.example.org\tREJECT\n"
        "To:relayto.example.org\tRELAY\n"
        "To:one@fulladdr.example.org\tRELAY\n"
        "Connect:.dotdomain.example.org\tREJECT\n"
        "From:sender+spam@example.net\tREJECT\n"
        "From:sender+*@plus.example.net\tREJECT\n"
        "To:user+*@plus.example.net\tERROR:550 plus rejected\n"
        "Spam:abuse@\tFRIEND\n"
        "Spam:hater@baidu.com\tHATER\n"
        "QGRP:queued.example.org\tslow\n"
        "GreetPause:slow.example.org\t5000\n"
        "ClientRate:10.9.9.9\t2\n"
        "ClientConn:10.9.9.8\t0\n"
        "Compat:a@example.com<@>b@example.com\tDISCARD\n"
        "Srv_Features:feat.example.org\tV\n"
        "TLS_Clt:tls.example.org\tENCR:112\n"
        "TLS_Srv_Features:feat.example.org\tCipherList=HIGH;\n"
        "TLS_Clt_Features:10.2.2.2\tOptions=SSL_OP_NO_TLSv1_2;\n"
        "AuthInfo:smart.example.net\t\"U:user\" \"P:secret\"\n"),
    "virtusertable": (
        "admin@123.com\tshopper\n"
        "admin@xyz.org\tjdj\n"
        "pageme@he.net\tlmiwtc@pg.com\n"
        "@cba.com\tcba@aol.com\n"
        "@dom1.org\t%1@dom2.org\n"
        "joe@bar.com\terror:nouser 550 No such user here\n"
        "jax@bar.com\terror:5.7.0:550 Address invalid\n"
        "info@foo.com\tfoo-info\n"
        "old+*@foo.org\tnew+%2@example.com\n"
        "+*@plus.org\t%1%3@example.com\n"
        "@bar.org\t%1%3\n"),
    "mailertable": (
        ".my.domain\txnet:%1.my.domain\n"
        "uuhost1.my.domain\tsmtp:uuhost1\n"
        "exact.example.org\trelay:[10.1.1.1]\n"
        ".sub.example.org\tesmtp:gw.example.org\n"
        "local.example.org\tlocal:\n"
        "user.example.org\tlocal:postmaster\n"
        "bad.example.org\terror:5.7.1:550 no mail here\n"
        "bad2.example.org\terror:nouser No such domain\n"),
    "genericstable": (
        "joe\tjoe.public@baidu.com\n"
        "root@mx.example.test\tadmin@baidu.com\n"
        "@gen.example.test\tgeneric\n"
        "old+*@gen.example.test\tnew+%1@example.com\n"
        "bob@gen.example.test\trobert@example.org\n"),
    "domaintable": "old.example.org\tnew.example.org\nlegacy.test\tmodern.example.test\n",
    "authinfo": "AuthInfo:smart.example.net\t\"U:user\" \"P:secret\"\n",
}

MAPS = ["access", "virtusertable", "mailertable", "genericstable",
        "domaintable", "authinfo"]


def make_settings(makemap, where):
    """Writes the map sources and class files into folder where and builds
    the hash maps with the given makemap (each engine reads the maps its
    own makemap writes: Berkeley DB for upstream, gdbm for Petrel)."""
    os.makedirs(where, exist_ok=True)
    for name, text in MAP_SOURCES.items():
        with open(os.path.join(where, name), "w") as f:
            f.write(text)
    for name in MAPS:
        src = os.path.join(where, name)
        with open(src) as f:
            r = subprocess.run([makemap, "-C", "/dev/null", "hash", src], stdin=f,
                               capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("makemap %s: %s" % (name, r.stderr))
    for name in ["aliases", "helpfile", "statistics"]:
        open(os.path.join(where, name), "a").close()


def petrel_engine():
    """Petrel's sendmail and makemap from the build tree, if built."""
    sm = os.path.join(BUILDDIR, "sendmail", "sendmail")
    mm = os.path.join(BUILDDIR, "makemap", "makemap")
    if os.access(sm, os.X_OK) and os.access(mm, os.X_OK):
        return {"sendmail": sm, "makemap": mm}
    return None


# -bt reads "$|" as a plain word; this ruleset, appended to every file
# under test, turns the word BAR into the $| operator, so that
# "PtBar,check_relay name BAR address" tests check_relay as sendmail calls it.
TEST_RULES = "\n# address-test helper (added by the test, not by the package)\nSPtBar\nR$* BAR $*\t\t$1 $| $2\n"


def with_test_rules(cf_text):
    """The configuration text with the address-test helper appended."""
    return cf_text + TEST_RULES


# The DNS data of the address tests: a dnsmasq on a loopback address,
# authoritative for these zones (names without a record answer NXDOMAIN,
# names outside them REFUSED, a temporary failure) and forwarding nothing.
DNS_ZONES = ["example.test", "example.com", "example.org", "example.net", "aol.com",
             "baidu.com", "pg.com", "dom2.org", "in-addr.arpa"]
DNS_RECORDS = [
    "--host-record=mx.example.test,127.0.0.1",
    "--mx-host=example.com,mail.example.com,10", "--host-record=mail.example.com,192.0.2.10",
    "--host-record=client.example.com,1.2.3.4", "--cname=alias.example.com,mail.example.com",
    "--host-record=lan.example.com,192.168.0.9",
    "--mx-host=example.org,mail.example.org,10", "--host-record=mail.example.org,192.0.2.11",
    "--host-record=other.example.org,192.0.2.12",
    "--mx-host=mx.example.org,mx.example.test,10",
    "--mx-host=relaymx.example.net,mx.example.test,10",
    "--mx-host=badmx.example.net,lo.example.net,10", "--host-record=lo.example.net,127.0.0.5",
    "--host-record=example.net,192.0.2.13", "--host-record=plus.example.net,192.0.2.14",
    "--mx-host=aol.com,mx.aol.com,10", "--host-record=mx.aol.com,192.0.2.20",
    "--host-record=sub.baidu.com,192.0.2.30", "--host-record=www.baidu.com,192.0.2.31",
    "--mx-host=pg.com,mx.pg.com,10", "--host-record=mx.pg.com,192.0.2.40",
    "--host-record=dom2.org,192.0.2.41",
    "--host-record=4.3.2.1.bl.example.net,127.0.0.2",
    "--host-record=4.3.2.1.bl2.example.net,127.0.0.2",
    "--host-record=4.3.2.1.bl3.example.net,127.0.0.3",
    "--host-record=5.3.2.1.bl3.example.net,127.0.0.9",
    "--host-record=4.3.2.1.bl4.example.net,127.0.0.2",
    "--host-record=4.3.2.1.bl5.example.net,127.0.0.2",
    "--ptr-record=4.3.2.1.in-addr.arpa,client.example.com",
]


class LoopbackDns:
    """dnsmasq on a fresh 127.53.x.y address; .resolv is a resolv.conf
    naming it.  start() returns False (and .why) when it cannot run."""

    def __init__(self, workdir, zones=(), records=()):
        self.workdir = workdir
        self.zones = DNS_ZONES + list(zones)
        self.records = DNS_RECORDS + list(records)
        self.proc = None
        self.why = ""
        self.resolv = None

    def start(self):
        import random
        import time
        if os.getuid() != 0 or not shutil.which("dnsmasq"):
            self.why = "needs root and dnsmasq (dnsmasq-base)"
            return False
        log = os.path.abspath(os.path.join(self.workdir, "dnsmasq.log"))
        for _ in range(5):
            addr = "127.53.%d.%d" % (os.getpid() % 250 + 1, random.randint(2, 251))
            args = ["dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
                    "--no-hosts", "--port=53", "--listen-address=" + addr, "--bind-interfaces",
                    "--pid-file=", "--user=nobody", "--group=nogroup", "--cache-size=0",
                    "--log-facility=" + log]
            args += ["--local=/%s/" % z for z in self.zones] + self.records
            self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.PIPE)
            for _ in range(50):
                if self.proc.poll() is not None:
                    break
                if os.path.exists(log) and "started" in open(log).read():
                    self.resolv = os.path.abspath(os.path.join(self.workdir, "resolv-dns.conf"))
                    with open(self.resolv, "w") as f:
                        f.write("nameserver %s\noptions timeout:2 attempts:1\n" % addr)
                    return True
                time.sleep(0.1)
            self.stop()
        self.why = "dnsmasq would not start"
        return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()
        self.proc = None


def run_bt(engine, cf, script_lines, workdir, settings=None, resolv=None):
    """Runs engine -bt with cf on the lines in a sandbox; returns the output.
    settings: (folder with this engine's maps, the path the cf names),
    bind-mounted so each engine reads maps its makemap built.
    resolv: a resolv.conf naming the test's DNS server (LoopbackDns); without
    it the run has no network at all and every DNS lookup fails."""
    isolate = "-mu" if resolv else "-mun"
    if not resolv:
        resolv = os.path.join(workdir, "resolv.conf")
        if not os.path.exists(resolv):
            with open(resolv, "w") as f:
                f.write("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
    mounts = 'mount --bind "$0" /etc/resolv.conf'
    extra = []
    if settings and settings[0] != settings[1]:
        mounts += ' && mount --bind "$1" "$2" && shift 2'
        extra = [settings[0], settings[1]]
    inner = '%s && hostname %s && exec "$@"' % (mounts, HOSTNAME)
    args = (["unshare", isolate, "sh", "-c", inner, resolv] + extra
            + [engine, "-C" + cf, "-bt"])
    r = subprocess.run(args, input="\n".join(script_lines) + "\n",
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=120)
    return r.stdout


def cf_declarations(text):
    """The declarations of a cf (everything but rulesets and comments),
    normalized so that two files that configure sendmail the same way give
    equal values: options, macros, classes (as sets), maps, mailers (flags
    as sets), headers, precedences, trusted users, filters, queue groups."""
    lines = []
    for raw in text.splitlines():
        if raw.startswith(("\t", " ")) and lines:
            lines[-1] += " " + raw.strip()
        elif raw and not raw.startswith("#"):
            lines.append(raw)
    d = {"O": {}, "D": {}, "C": {}, "K": {}, "M": {}, "H": [], "P": set(), "T": set(),
         "X": set(), "Q": set(), "daemons": []}
    for l in lines:
        kind = l[0]
        if kind == "O":
            name, _, val = l[1:].strip().partition("=")
            if name == "DaemonPortOptions":
                d["daemons"].append(val.strip())
            else:
                if name == "DontBlameSendmail":
                    val = ",".join(v for v in val.split(",") if v)
                d["O"][name] = val.strip()
        elif kind == "D":
            name = l[1] if l[1] != "{" else l[1:l.index("}") + 1]
            if name != "Z":
                d["D"][name] = l[1 + len(name):].strip()
        elif kind in "CF":
            name = l[1] if l[1] != "{" else l[1:l.index("}") + 1]
            short = name if len(name) != 3 else name[1]   # {w} is w
            rest = l[1 + len(name):].strip()
            members = rest.split() if kind == "C" else ["file:" + rest]
            if name != "{Src}":
                d["C"].setdefault(short, set()).update(members)
        elif kind == "K":
            name, _, spec = l[1:].partition(" ")
            d["K"][name] = " ".join(spec.split())
        elif kind == "M":
            name, _, eqs = l[1:].partition(",")
            fields = {}
            for eq in eqs.split(","):
                k, _, v = eq.strip().partition("=")
                if k:
                    fields[k] = v.strip()
            if "A" in fields:   # A= runs to the end of the line
                fields["A"] = " ".join(l.split("A=", 1)[1].split())
            if "F" in fields:
                fields["F"] = "".join(sorted(set(fields["F"])))
            d["M"][name.strip()] = fields
        elif kind == "H":
            d["H"].append(" ".join(l.split()))
        elif kind in "PTXQ":
            d[kind].add(" ".join(l.split()))
    return d


def declaration_diffs(a, b):
    """The differences between two cf_declarations, as text lines."""
    out = []
    for key in ["O", "D", "C", "K", "M"]:
        for name in sorted(set(a[key]) | set(b[key])):
            x, y = a[key].get(name), b[key].get(name)
            if x != y:
                out.append("%s %s: upstream %r, petrel %r" % (key, name, x, y))
    for key in ["H", "P", "T", "X", "Q", "daemons"]:
        if a[key] != b[key]:
            out.append("%s: upstream %r, petrel %r" % (key, a[key], b[key]))
    return out


# what a loader may say that is not a fault of the file: the users a file
# names (smmsp, mailnull, cyrus...) may not exist on the test machine, and
# upstream does not know Petrel's AlwaysBcc option (it ignores it)
HARMLESS = re.compile(r"unknown user |unknown option name AlwaysBcc")


def load_errors(output, cf):
    """The configuration errors (lines naming the file) in an engine's output."""
    return [l for l in output.splitlines() if cf + ":" in l and not HARMLESS.search(l)]


TRACE = re.compile(r"^\S+\s+(input|returns):")
# ruleset numbers are the configuration's own business
# which names were looked up in DNS, and in what order, is a trace too
NS_TIMEOUT = re.compile(r": Name server timeout$")
RULESET_NO = re.compile(r"^(== Ruleset \S+) \(\d+\)")


def bt_blocks(output):
    """The output of each -bt input line: sendmail prints a "> " prompt
    before reading every line, so a line with no output leaves prompts
    next to each other ("> > ")."""
    i = output.find("\n> ")
    if i < 0:
        return []
    text = output[i + 1:]
    blocks = []
    pos = 0
    while text.startswith("> ", pos):
        pos += 2
        if text.startswith("> ", pos) or pos >= len(text):
            blocks.append("")
            continue
        j = text.find("\n> ", pos)
        if j < 0:
            blocks.append(text[pos:])
            break
        blocks.append(text[pos:j + 1])
        pos = j + 1
    return blocks


def bt_results(output, script_lines):
    """The final result of every script line: the value of its last
    "returns:" line and the lines that are not ruleset traces (the /parse
    and /try reports, errors)."""
    blocks = bt_blocks(output)
    results = []
    for i, line in enumerate(script_lines):
        block = blocks[i] if i < len(blocks) else "<no output>"
        last = None
        other = []
        for out in block.splitlines():
            m = TRACE.match(out)
            if m:
                if m.group(1) == "returns":
                    last = out.split("returns:", 1)[1].strip()
            elif out.strip() and not NS_TIMEOUT.search(out):
                other.append(RULESET_NO.sub(r"\1", out.strip()))
        res = " | ".join(other)
        if last is not None:
            res = (res + " | " if res else "") + "=> " + last
        results.append(res)
    return results


def parallel(fn, items, workers=2):
    """Runs fn over items on at most two workers, keeping the order."""
    with ThreadPoolExecutor(max_workers=workers) as ex:
        return list(ex.map(fn, items))


def tempdir():
    """A temporary folder in the build tree, removed at exit by the caller."""
    base = os.path.join(BUILDDIR, "tests", "tmp")
    os.makedirs(base, exist_ok=True)
    work = tempfile.mkdtemp(prefix="cfpkg.", dir=base)
    # readable by the DNS server, which runs as nobody
    os.chmod(work, 0o755)
    return work
