divert(-1)
dnl # FEATURE(`masquerade_envelope'): see cf/README (FEATURES).
_PT_FEATURE_ON_(`masquerade_envelope')
