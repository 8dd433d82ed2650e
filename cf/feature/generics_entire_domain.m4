divert(-1)
dnl # FEATURE(`generics_entire_domain'): see cf/README (FEATURES).
_PT_FEATURE_ON_(`generics_entire_domain')
