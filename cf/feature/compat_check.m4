divert(-1)
dnl # FEATURE(`compat_check'): Compat:sender<@>recipient entries.
_PT_IF_(`access_db', `', `_PT_DIE_(`FEATURE(compat_check) needs FEATURE(access_db) before it')')
_PT_FEATURE_ON_(`compat_check')
