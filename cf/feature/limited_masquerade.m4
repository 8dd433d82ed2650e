divert(-1)
dnl # FEATURE(`limited_masquerade'): see cf/README (FEATURES).
_PT_FEATURE_ON_(`limited_masquerade')
