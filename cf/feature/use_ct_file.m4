divert(-1)
dnl # FEATURE(`use_ct_file'): see cf/README (FEATURES).
_PT_FEATURE_ON_(`use_ct_file')
