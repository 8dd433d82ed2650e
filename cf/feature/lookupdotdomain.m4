divert(-1)
dnl # FEATURE(`lookupdotdomain'): access lookups also try .domain keys.
_PT_IF_(`access_db', `', `_PT_DIE_(`FEATURE(lookupdotdomain) needs FEATURE(access_db) before it')')
_PT_FEATURE_ON_(`lookupdotdomain')define(`_PT_LOOKUPDOTDOMAIN_', `1')
