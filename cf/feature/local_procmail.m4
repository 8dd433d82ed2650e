divert(-1)
dnl # FEATURE(`local_procmail'[, path[, argv[, flags]]]): procmail (or another
dnl # delivery agent) as the local mailer.  Sets the local mailer's flags.
_PT_FEATURE_ON_(`local_procmail')
define(`LOCAL_MAILER_PATH', ifelse(_PT_ARG_(1), `', `PROCMAIL_MAILER_PATH', `_PT_ARG_(1)'))
define(`LOCAL_MAILER_ARGS', ifelse(_PT_ARG_(2), `', ``procmail -a $h -d $u'', `_PT_ARG_(2)'))
define(`LOCAL_MAILER_FLAGS', ifelse(_PT_ARG_(3), `', `SPfhn9', `_PT_ARG_(3)'))
_PT_SET_DEFAULT_(`PROCMAIL_MAILER_PATH', `/usr/local/bin/procmail')
