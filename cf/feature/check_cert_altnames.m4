divert(-1)
dnl # FEATURE(`check_cert_altnames'): certificate subjectAltNames count as CN.
_PT_FEATURE_ON_(`check_cert_altnames')_PT_APPEND_(`_PT_MAPS_', `O SetCertAltnames=true')
