divert(-1)
dnl # FEATURE(`domaintable'[, map spec]): rename domains.
_PT_FEATURE_ON_(`domaintable')
_PT_MAP_(`domaintable', _PT_MAP_SPEC_(_PT_ARG_(1), `', `domaintable'))
