divert(-1)
dnl # FEATURE(`no_default_msa'): see cf/README (FEATURES).
_PT_FEATURE_ON_(`no_default_msa')
