divert(-1)
dnl # FEATURE(`relay_hosts_only'): see cf/README (FEATURES).
_PT_FEATURE_ON_(`relay_hosts_only')
