divert(-1)
dnl # FEATURE(`accept_unqualified_senders'): see cf/README (FEATURES).
_PT_FEATURE_ON_(`accept_unqualified_senders')
