"""The address tests (sendmail -bt lines) run against both compilations of
each .mc.  They cover canonicalization and parsing (3,0 and /parse),
the policy rulesets with $| arguments under several client contexts, and
sender and recipient rewriting of the mailers (/try), which shows
masquerading and the generics table."""

# Addresses for 3,0 and /parse: syntax corner cases, local names, the
# virtual users, mailer table and domain table entries of cfpkg_lib.
ADDRESSES = [
    "user", "user@mx.example.test", "user@mx", "user@localhost",
    "user@localhost.example.test", "user@[127.0.0.1]", "user@example.com",
    "user@Example.COM.", "User@EXAMPLE.com", '"quoted user"@example.com',
    '"user"@mx.example.test', '"user"', "user%host@example.com",
    "user%host@mx.example.test", "a%b%c@example.com", "host!user", "a!b!user",
    "a.b!user", "user@host.UUCP", "<@relay.example.com:user@dest.example.com>",
    "<@mx.example.test:user@dest.example.com>", "@a,@b:user@c.example.com",
    "user@@example.com", "@example.com", "user@", "user@.example.com",
    "user@ex..ample.com", "user@[10.1.2.3]", "user@[10.1.2.3]junk",
    "user@[IPv6:::1]", "user@[IPv6:2001:db8::1]", "Full Name <user@example.com>",
    "user@example.com (Comment)", "<user@example.com> trailing",
    "group: a@x.com, b@y.com;", "undisclosed-recipients:;", "<>", "<<user@example.com>>",
    "user+detail@mx.example.test", "user+detail", "user+@mx.example.test",
    "user@station25.baidu.com", "user@baidu.com", "user@sub.baidu.com",
    "user@local.example.test", "admin@123.com", "admin@xyz.org", "pageme@he.net",
    "anyone@cba.com", "someone@dom1.org", "joe@bar.com", "jax@bar.com",
    "info@foo.com", "old+x@foo.org", "u+d@plus.org", "x+y@bar.org", "nobody@123.com",
    "user@host.my.domain", "user@uuhost1.my.domain", "user@exact.example.org",
    "user@a.sub.example.org", "user@a.b.sub.example.org", "user@local.example.org",
    "user@user.example.org", "user@bad.example.org", "user@bad2.example.org",
    "user@relay.example.test", "user@old.example.org", "user@legacy.test",
    "user@x.REDIRECT", "user@host.REDIRECT", "root", "postmaster", "MAILER-DAEMON",
    "user@node.DECNET", "node::user", "user@host.BITNET", "a@b@c",
    "user@mx.example.test.", "user;", "<user@example.com>;",
    "user@example.com,other@example.com", ":include:/etc/list",
    "user@[127.0.0.1]:other@example.com", "user@[IPv6:::1]junk",
    # names the test's DNS server knows (cfpkg_lib.DNS_RECORDS)
    "user@alias.example.com", "user@mail.example.com", "user@mx.example.org",
    "user@relaymx.example.net", "user@nosuch.example.com", "user@www.baidu.com",
    "user%other@mx.example.org", "user@[192.0.2.10]",
    "comp.mail.USENET", "comp.mail.USENET@mx.example.test",
]

# Client contexts for the policy rulesets: macro lines set before the tests.
CONTEXTS = [
    ("local submission", [".D{client_addr}", ".D{client_name}", ".D{client_resolve}"]),
    ("remote client", [".D{client_addr}1.2.3.4", ".D{client_name}client.example.com",
                       ".D{client_resolve}OK"]),
    ("listed network", [".D{client_addr}192.168.0.9", ".D{client_name}lan.example.com",
                        ".D{client_resolve}OK"]),
    ("rejected network", [".D{client_addr}204.168.23.5", ".D{client_name}bad.example.com",
                          ".D{client_resolve}FAIL"]),
    ("forged name", [".D{client_addr}5.6.7.8", ".D{client_name}spamRus.net",
                     ".D{client_resolve}FORGED"]),
]

SENDERS = [
    "<>", "<user>", "<user@localhost>", "<user@[127.0.0.1]>", "<user@mx.example.test>",
    "<90trialspammer@aol.com>", "<x@virtualdomain1.com>", "<good@another.dom>",
    "<bad@another.dom>", "<spammer@some.dom>", "<FREE.STEALTH.MAILER@foo.com>",
    "<x@discard.example.org>", "<x@quarantine.example.org>", "<sender+spam@example.net>",
    "<sender+foo@plus.example.net>", "<user@baidu.com>", "<user@sub.baidu.com>",
    "<user@host.UUCP>", "<oldstyle@oldstyle.example.org>", "<x@[1.2.3.4]>",
    "<x@example.com>", "<x@nosuch.example.com>", "<x@badmx.example.net>", "<x@alias.example.com>",
    "<x@aol.com>", "<x@outside.invalid>",
]

RECIPIENTS = [
    "<user>", "<user@mx.example.test>", "<user@baidu.com>", "<user@station25.baidu.com>",
    "<nobody@baidu.com>", "<nobody@mx.example.test>", "<user@dom9.com>",
    "<other@dom9.com>", "<user@example.com>", "<user@relay.example.test>",
    "<user@sub.relay.example.test>", "<user@friend.domain>", "<user@relayto.example.org>",
    "<one@fulladdr.example.org>", "<user%example.com@mx.example.test>",
    "<user%relay.example.test@mx.example.test>", "<example.com!user@mx.example.test>",
    "<@mx.example.test:user@example.com>", "<badlocaluser@mx.example.test>",
    "<user@host.my.TLD>", "<user@other.my.TLD>", "<user+x@plus.example.net>",
    "<admin@123.com>", "<abuse@baidu.com>", "<hater@baidu.com>", "<user@[10.20.1.1]>",
    "<postmaster>", "<>", "<user@sub.baidu.com>",
    "<u@relaymx.example.net>", "<u@mx.example.org>", "<u@alias.example.com>",
]

# client name BAR client address (BAR becomes $|, see cfpkg_lib)
RELAY_CLIENTS = [
    "spamRus.net BAR 1.2.3.4", "host.spamRus.net BAR 1.2.3.5", "x.example.com BAR 204.168.23.7",
    "BAR 10.3.1.1", "lan.example.com BAR 192.168.0.5", "friend.domain BAR 5.5.5.5",
    "from.domain BAR 5.5.5.6", "[1.2.3.4] BAR 1.2.3.4", "x.example.com BAR 128.32.2.3",
    "y.example.com BAR 128.32.5.5", "localhost BAR 127.0.0.1", "oldstyle.example.org BAR 9.9.9.9",
    "a.dotdomain.example.org BAR 9.9.9.8", "[127.0.0.3] BAR 127.0.0.3", "ok.example.com BAR 8.8.4.4",
    "slow.example.org BAR 7.7.7.7", "unknown.example.net BAR 10.9.9.9",
]

# (flags, mailer, address): sender and recipient rewriting per mailer
TRIES = [
    ("HS", "esmtp", "user"), ("HS", "esmtp", "user@mx.example.test"), ("HS", "esmtp", "root"),
    ("HS", "esmtp", "root@mx.example.test"), ("HS", "esmtp", "user@station25.baidu.com"),
    ("HS", "esmtp", "user@sub.baidu.com"), ("HS", "esmtp", "user@other.org"),
    ("HS", "esmtp", "joe"), ("HS", "esmtp", "bob@gen.example.test"),
    ("HS", "esmtp", "old+x@gen.example.test"), ("HS", "esmtp", "any@gen.example.test"),
    ("HS", "esmtp", "user@keep.baidu.com"), ("HS", "esmtp", "user@x.sub.baidu.com"),
    ("ES", "esmtp", "user"), ("ES", "esmtp", "user@mx.example.test"), ("ES", "esmtp", "root"),
    ("ES", "esmtp", "user@sub.baidu.com"), ("ES", "esmtp", "user@station25.baidu.com"),
    ("ES", "esmtp", "joe"), ("ES", "esmtp", "user@host.UUCP"),
    ("HR", "esmtp", "user"), ("HR", "esmtp", "user@sub.baidu.com"),
    ("ER", "esmtp", "user"), ("ER", "esmtp", "user@host.UUCP"),
    ("HS", "relay", "user"), ("HR", "relay", "user"), ("ES", "relay", "user@sub.baidu.com"),
    ("HS", "local", "user"), ("HR", "local", "user"), ("ES", "local", "user+d"),
    ("ER", "local", "user+d"), ("ER", "local", "user@mx.example.test"),
    ("HS", "smtp", "user"), ("HS", "prog", "user"),
]


def script(include_try=True):
    """The -bt lines, in order."""
    lines = []
    for a in ADDRESSES:
        lines.append("3,0 " + a)
    for a in ADDRESSES[:40]:
        lines.append("/parse " + a)
    # ruleset 5, for local users that are not aliases (with h as the
    # parse would set it)
    for h, user in [("", "user"), ("", "user+detail"), ("+detail", "user"),
                    ("", "root"), ("", "nosuchuserhere"), ("", "nosuchuser+x"),
                    ("other.example.org", "user"), ("user@host.example.org", "user")]:
        lines.append(".Dh" + h)
        lines.append(".D{Host}")
        lines.append("5 " + user)
    for _, ctx in CONTEXTS:
        lines += ctx
        lines.append(".Dfsender@example.org")
        lines.append(".D{mail_from}<sender@example.org>")
        for s in SENDERS:
            lines.append("check_mail " + s)
        for r in RECIPIENTS:
            lines.append("check_rcpt " + r)
    lines += [".D{client_addr}", ".D{client_name}", ".D{client_resolve}OK"]
    for c in RELAY_CLIENTS:
        lines.append("PtBar,check_relay " + c)
    for c in RELAY_CLIENTS[:8]:
        lines.append("PtBar,greet_pause " + c)
    for pair in ["<a@example.com> BAR <b@example.com>", "<c@example.com> BAR <d@example.com>"]:
        lines.append("PtBar,check_compat " + pair)
    # the TLS, AUTH and session hooks
    for ctx in [[".D{client_name}tls.example.org", ".D{client_addr}10.1.1.1"],
                [".D{client_name}feat.example.org", ".D{client_addr}10.1.1.2"]]:
        lines += ctx
        for verify in ["OK", "NO", "FAIL", "SOFTWARE", "NONE"]:
            lines.append(".D{verify}" + verify)
            lines.append(".D{cipher_bits}128")
            lines.append("PtBar,tls_client %s BAR MAIL" % verify)
            lines.append("tls_server " + verify)
        lines.append("srv_features x")
    lines += [".D{server_name}smart.example.net", ".D{server_addr}10.2.2.2",
              "clt_features x", "try_tls x", "authinfo x", "tls_rcpt <user@example.com>",
              ".D{server_name}other.example.net", "authinfo x", "try_tls x",
              ".D{auth_type}PLAIN", ".D{auth_authen}joe", ".D{auth_author}joe",
              "trust_auth joe", "trust_auth other", ".D{auth_type}", "trust_auth joe",
              "queuegroup <user@queued.example.org>", "queuegroup <user@example.org>",
              "PtBar,check_other MAIL FROM:<a@b> BAR 2", "PtBar,check_other Subject: hi BAR 5",
              "PtBar,check_other NOOP BAR 5",
              "PtBar,tls_srv_features feat.example.org BAR 10.1.1.2",
              "PtBar,tls_clt_features smart.example.net BAR 10.2.2.2"]
    if include_try:
        last = None
        for flags, mailer, addr in TRIES:
            if flags != last:
                lines.append("/tryflags " + flags)
                last = flags
            lines.append("/try %s %s" % (mailer, addr))
    return lines


def counted(lines):
    """The lines that produce a result (not macro settings)."""
    return [l for l in lines if not l.startswith(".") and not l.startswith("/tryflags")]
