divert(-1)
dnl # FEATURE(`relay_entire_domain'): see cf/README (FEATURES).
_PT_FEATURE_ON_(`relay_entire_domain')
