divert(-1)
dnl # FEATURE(`use_cw_file'): see cf/README (FEATURES).
_PT_FEATURE_ON_(`use_cw_file')
