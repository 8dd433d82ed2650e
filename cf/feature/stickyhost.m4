divert(-1)
dnl # FEATURE(`stickyhost'): see cf/README (FEATURES).
_PT_FEATURE_ON_(`stickyhost')
