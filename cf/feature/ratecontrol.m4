divert(-1)
dnl # FEATURE(`ratecontrol'[, nodelay[, terminate]]): ClientRate: entries in the access map
dnl # limit clients.  nodelay checks at connection time even with delay_checks;
dnl # terminate answers 421, ending the session, instead of 452.
_PT_IF_(`access_db', `', `_PT_DIE_(`FEATURE(ratecontrol) needs FEATURE(access_db) before it')')
_PT_FEATURE_ON_(`ratecontrol')
ifelse(_PT_ARG_(1), `nodelay', `_PT_IF_(`delay_checks', `define(`_PT_RATE_EARLY_', `1')',
	`_PT_DIE_(`FEATURE(ratecontrol, nodelay) needs FEATURE(delay_checks) before it; without delay_checks the check already runs at connection time')')')
ifelse(_PT_ARG_(2), `terminate', `define(`_PT_RATE_421_', `1')')
