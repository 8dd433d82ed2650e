divert(-1)
dnl # FEATURE(`require_rdns'): see cf/README (FEATURES).
_PT_FEATURE_ON_(`require_rdns')
