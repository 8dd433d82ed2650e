divert(-1)
dnl # FEATURE(`loose_relay_check'): see cf/README (FEATURES).
_PT_FEATURE_ON_(`loose_relay_check')
