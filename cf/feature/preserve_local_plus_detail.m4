divert(-1)
dnl # FEATURE(`preserve_local_plus_detail'): see cf/README (FEATURES).
_PT_FEATURE_ON_(`preserve_local_plus_detail')
