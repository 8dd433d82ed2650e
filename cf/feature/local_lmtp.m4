divert(-1)
dnl # FEATURE(`local_lmtp'[, path[, argv]]): an LMTP delivery agent (by default
dnl # mail.local in confEBINDIR) as the local mailer.  Sets its flags.
_PT_FEATURE_ON_(`local_lmtp')define(`_PT_LOCAL_LMTP_', `1')
define(`LOCAL_MAILER_PATH', ifelse(_PT_ARG_(1), `', confEBINDIR`/mail.local', `_PT_ARG_(1)'))
define(`LOCAL_MAILER_ARGS', ifelse(_PT_ARG_(2), `', `mail.local -l', `_PT_ARG_(2)'))
define(`LOCAL_MAILER_FLAGS', `PSXmnz9')
