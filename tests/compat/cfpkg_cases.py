"""The .mc files the cf package tests use: upstream's examples and Debian's
files (read from the oracle's packages at test time, never committed),
the RHEL-style and feature files of tests/compat/mc/, and the list of
those compared line by line with upstream's package."""
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
MC_DIR = os.path.join(HERE, "mc")

# upstream's cf/cf examples that are not for obsolete systems; the
# prototypes that say OSTYPE(unknown) get linux, as their comments ask
UPSTREAM_EXAMPLES = ["generic-linux", "generic-bsd4.4", "generic-solaris",
                     "submit", "tcpproto", "clientproto", "knecht"]


def upstream_mc(name):
    """An upstream example, read from the oracle when the test runs; its
    files under /etc/mail/ go to the test's settings folder."""
    def get(orc, work):
        with open(os.path.join(orc["cf"], "cf", name + ".mc"), encoding="latin-1") as f:
            text = f.read()
        text = text.replace("/etc/mail/", os.path.join(work, "etc") + "/")
        return re.sub(r"OSTYPE\(`?unknown'?\)", "OSTYPE(`linux')", text)
    return get


def own_mc(name):
    """One of the package's test .mc files (tests/compat/mc)."""
    with open(os.path.join(MC_DIR, name + ".mc")) as f:
        return f.read()


def shipped_mc(name):
    """One of the .mc files the package ships (cf/cf)."""
    with open(os.path.join(HERE, "..", "..", "cf", "cf", name + ".mc")) as f:
        return f.read()


def shipped_names():
    """The shipped .mc files that compile without command-line defines."""
    d = os.path.join(HERE, "..", "..", "cf", "cf")
    return sorted(f[:-3] for f in os.listdir(d) if f.endswith(".mc") and f != "sandbox.mc")


# files that use what only Petrel's package has (FEATURE(always_bcc))
PETREL_ONLY = ["feat-always-bcc"]


def own_names():
    return sorted(f[:-3] for f in os.listdir(MC_DIR) if f.endswith(".mc"))


def debian_mc(name):
    """Debian's shipped sendmail.mc or submit.mc, from the oracle's
    sendmail-cf package.  They include /usr/share/sendmail/cf/m4/cf.m4 and
    Debian's generated /etc/mail/m4/*.m4 files: the latter are pointed at
    empty files of the test; Petrel's package compiles the file otherwise
    unchanged (it skips the include of another cf.m4), upstream's gets
    its own path and Debian's autoconf.m4 read first."""
    def get(orc, work):
        with open(os.path.join(orc["cf"], "debian", name + ".mc")) as f:
            text = f.read()
        m4dir = os.path.join(work, "etc-mail-m4")
        os.makedirs(m4dir, exist_ok=True)
        for n in ("dialup.m4", "provider.m4"):
            open(os.path.join(m4dir, n), "a").close()
        text = text.replace("/etc/mail/m4/", m4dir + "/")
        up = text.replace("/usr/share/sendmail/cf/", orc["cf"] + "/")
        return {"pt_mc": text, "up_mc": up, "up_defines": ["VERSIONID="],
                "up_pre": [os.path.join(orc["cf"], "debian", "autoconf.m4")],
                "up_load_cf": False}
    return get


def sources(case, orc, work):
    """The texts and m4 options for the two compilations of a case."""
    mc = case["mc"]
    if callable(mc):
        try:
            got = mc(orc, work)
        except TypeError:
            got = mc(orc)
        if isinstance(got, dict):
            return got
        mc = got
    inc = re.search(r"include\(`?(/[^')]*)/m4/cf\.m4'?\)", mc)
    if inc:
        # the file names its cf package itself (RHEL: /usr/share/sendmail-cf);
        # Petrel's package compiles it unchanged, upstream's gets its path.
        # Site paths under /etc/mail/ go to the test's settings folder.
        settings = os.path.join(work, "etc")
        pt = mc.replace("/etc/mail/", settings + "/")
        up = pt.replace(inc.group(1) + "/", orc["cf"] + "/")
        return {"pt_mc": pt, "up_mc": up, "up_defines": [], "up_pre": (),
                "up_load_cf": False}
    pre, defines = (), list(case.get("defines", ()))
    if re.search(r"OSTYPE\(`?debian|DOMAIN\(`?debian", mc):
        # Debian's own files read their autoconf.m4 from /usr/share
        pre = (os.path.join(orc["cf"], "debian", "autoconf.m4"),)
        defines.append("VERSIONID=")
    return {"pt_mc": mc, "up_mc": mc, "up_defines": defines,
            "up_pre": pre, "up_load_cf": True}


COMPARE_CASES = (
    [{"name": "upstream-" + n, "mc": upstream_mc(n)} for n in UPSTREAM_EXAMPLES]
    + [{"name": "debian-sendmail", "mc": debian_mc("sendmail")},
       {"name": "debian-submit", "mc": debian_mc("submit")}]
    + [{"name": n, "mc": own_mc(n)} for n in own_names() if n not in PETREL_ONLY]
    + [{"name": "shipped-" + n, "mc": shipped_mc(n)} for n in shipped_names()]
)
