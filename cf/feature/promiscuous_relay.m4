divert(-1)
dnl # FEATURE(`promiscuous_relay'): relay for anyone.  Do not use on a
dnl # machine that the Internet can reach.
_PT_FEATURE_ON_(`promiscuous_relay')
_PT_WARN_(`FEATURE(promiscuous_relay) makes this host an open relay')
