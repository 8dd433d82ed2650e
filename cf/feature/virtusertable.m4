divert(-1)
dnl # FEATURE(`virtusertable'[, map spec]): virtual users and domains.
_PT_FEATURE_ON_(`virtusertable')
_PT_MAP_(`virtuser', _PT_MAP_SPEC_(_PT_ARG_(1), `', `virtusertable'))
