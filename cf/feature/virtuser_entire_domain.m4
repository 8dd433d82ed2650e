divert(-1)
dnl # FEATURE(`virtuser_entire_domain'): see cf/README (FEATURES).
_PT_FEATURE_ON_(`virtuser_entire_domain')
