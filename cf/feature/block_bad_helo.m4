divert(-1)
dnl # FEATURE(`block_bad_helo'): refuse HELO names that are ours or unqualified
dnl # (checked with the recipient; needs delay_checks).
_PT_IF_(`delay_checks', `', `_PT_DIE_(`FEATURE(block_bad_helo) needs FEATURE(delay_checks) before it')')
_PT_FEATURE_ON_(`block_bad_helo')
_PT_CLASS_(`R', `127.0.0.1')_PT_CLASS_(`R', `IPv6:0:0:0:0:0:0:0:1 IPv6:::1')
_PT_CLASS_(`w', `[127.0.0.1]')_PT_CLASS_(`w', `[IPv6:0:0:0:0:0:0:0:1] [IPv6:::1]')
