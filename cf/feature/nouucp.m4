divert(-1)
dnl # FEATURE(`nouucp', reject or nospecial): "!" does not route mail;
dnl # with reject, recipients containing one are refused unless the client may relay.
ifelse(_PT_ARG_(1), `reject', `define(`_PT_UUCP_REJECT_', `1')', _PT_ARG_(1), `nospecial', `',
	`_PT_DIE_(`FEATURE(nouucp) needs an argument: reject or nospecial (see cf/README)')')
_PT_FEATURE_ON_(`nouucp')define(`_PT_NO_UUCP_', `1')
