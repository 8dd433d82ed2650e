divert(-1)
dnl # FEATURE(`mailertable'[, map spec]): routing by domain.
_PT_FEATURE_ON_(`mailertable')
_PT_MAP_(`mailertable', _PT_MAP_SPEC_(_PT_ARG_(1), `', `mailertable'))
