divert(-1)
dnl # FEATURE(`allmasquerade'): see cf/README (FEATURES).
_PT_FEATURE_ON_(`allmasquerade')
