divert(-1)
dnl # FEATURE(`always_add_domain'[, domain]): qualify local names too.
_PT_FEATURE_ON_(`always_add_domain')define(`_PT_ADD_DOMAIN_', _PT_ARG_(1))
