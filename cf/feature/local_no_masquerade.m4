divert(-1)
dnl # FEATURE(`local_no_masquerade'): see cf/README (FEATURES).
_PT_FEATURE_ON_(`local_no_masquerade')
