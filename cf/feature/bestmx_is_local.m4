divert(-1)
dnl # FEATURE(`bestmx_is_local'[, domains]): hosts whose best MX is us are local.
_PT_FEATURE_ON_(`bestmx_is_local')_PT_MAP_(`bestmx', `bestmx')
ifelse(_PT_ARG_(1), `', `define(`_PT_BESTMX_LIMITED_', `0')',
	`define(`_PT_BESTMX_LIMITED_', `1')_PT_CLASS_(`B', _PT_ARG_(1))')
