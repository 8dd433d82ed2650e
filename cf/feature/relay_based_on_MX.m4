divert(-1)
dnl # FEATURE(`relay_based_on_MX'): relay to hosts whose MX is us.
_PT_FEATURE_ON_(`relay_based_on_MX')_PT_MAP_(`mxserved', `bestmx -z: -T<TEMP>')
