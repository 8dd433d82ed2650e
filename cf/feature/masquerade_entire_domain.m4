divert(-1)
dnl # FEATURE(`masquerade_entire_domain'): see cf/README (FEATURES).
_PT_FEATURE_ON_(`masquerade_entire_domain')
