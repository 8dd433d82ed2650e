divert(-1)
dnl # FEATURE(`authinfo'[, map spec]): client AUTH data in its own map.
_PT_FEATURE_ON_(`authinfo')
_PT_MAP_(`authinfo', _PT_MAP_SPEC_(_PT_ARG_(1), `', `authinfo'))
