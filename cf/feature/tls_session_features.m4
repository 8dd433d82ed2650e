divert(-1)
dnl # FEATURE(`tls_session_features'): TLS_Srv_Features: and TLS_Clt_Features:
dnl # entries of the access map give per-peer TLS settings.
_PT_IF_(`access_db', `', `_PT_DIE_(`FEATURE(tls_session_features) needs FEATURE(access_db) before it')')
_PT_FEATURE_ON_(`tls_session_features')
