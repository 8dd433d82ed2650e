divert(-1)
dnl # FEATURE(`redirect'): see cf/README (FEATURES).
_PT_FEATURE_ON_(`redirect')
