divert(-1)
dnl # FEATURE(`preserve_luser_host'): see cf/README (FEATURES).
_PT_FEATURE_ON_(`preserve_luser_host')
ifdef(`_PT_MACRO_MAP_', `', `define(`_PT_MACRO_MAP_', `1')')
