divert(-1)
dnl # FEATURE(`use_client_ptr'): see cf/README (FEATURES).
_PT_FEATURE_ON_(`use_client_ptr')
