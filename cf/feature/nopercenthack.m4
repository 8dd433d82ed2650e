divert(-1)
dnl # FEATURE(`nopercenthack', reject or nospecial): "%" does not route mail;
dnl # with reject, recipients containing one are refused unless the client may relay.
ifelse(_PT_ARG_(1), `reject', `define(`_PT_PERCENT_REJECT_', `1')', _PT_ARG_(1), `nospecial', `',
	`_PT_DIE_(`FEATURE(nopercenthack) needs an argument: reject or nospecial (see cf/README)')')
_PT_FEATURE_ON_(`nopercenthack')define(`_PT_NO_PERCENT_', `1')
