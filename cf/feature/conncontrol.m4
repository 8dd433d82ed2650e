divert(-1)
dnl # FEATURE(`conncontrol'[, nodelay[, terminate]]): ClientConn: entries in the access map
dnl # limit clients.  nodelay checks at connection time even with delay_checks;
dnl # terminate answers 421, ending the session, instead of 452.
_PT_IF_(`access_db', `', `_PT_DIE_(`FEATURE(conncontrol) needs FEATURE(access_db) before it')')
_PT_FEATURE_ON_(`conncontrol')
ifelse(_PT_ARG_(1), `nodelay', `_PT_IF_(`delay_checks', `define(`_PT_CONN_EARLY_', `1')',
	`_PT_DIE_(`FEATURE(conncontrol, nodelay) needs FEATURE(delay_checks) before it; without delay_checks the check already runs at connection time')')')
ifelse(_PT_ARG_(2), `terminate', `define(`_PT_CONN_421_', `1')')
