divert(-1)
dnl # FEATURE(`accept_unresolvable_domains'): see cf/README (FEATURES).
_PT_FEATURE_ON_(`accept_unresolvable_domains')
