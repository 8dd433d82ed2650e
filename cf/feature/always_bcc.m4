divert(-1)
dnl # FEATURE(`always_bcc', `address'): Petrel's own: a copy of every message
dnl # goes to address (like Postfix's always_bcc).  Upstream sendmail does not
dnl # know the AlwaysBcc option and ignores it with a warning.
ifelse(_PT_ARG_(1), `', `_PT_DIE_(`FEATURE(always_bcc) needs the address to copy to, for example FEATURE(always_bcc, archive@example.com)')')
_PT_FEATURE_ON_(`always_bcc')define(`_PT_ALWAYS_BCC_', _PT_ARG_(1))
