divert(-1)
dnl # FEATURE(`genericstable'[, map spec]): rewrite outgoing sender addresses.
_PT_FEATURE_ON_(`genericstable')
_PT_MAP_(`generics', _PT_MAP_SPEC_(_PT_ARG_(1), `', `genericstable'))
