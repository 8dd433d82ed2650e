divert(-1)
dnl #
dnl # FEATURE(`msp'[, host[, MSA]]): the configuration of the mail submission
dnl # program (submit.cf): every message goes over SMTP to host ([localhost] by
dnl # default; in brackets, no MX lookup), on port 587 if the second argument
dnl # is MSA.  The program itself listens nowhere and runs as smmsp.
dnl #
_PT_FEATURE_ON_(`msp')
define(`_PT_MSP_HOST_', ifelse(_PT_ARG_(1), `', `[localhost]', `_PT_ARG_(1)'))
ifelse(_PT_ARG_(2), `MSA', `define(`RELAY_MAILER_ARGS', `TCP $h 587')')
define(`_PT_F_no_default_msa', `1')
define(`_PT_DAEMONS_', `O DaemonPortOptions=Name=NoMTA, Addr=127.0.0.1, M=E
')
define(`DAEMON_OPTIONS', `_PT_WARN_(`DAEMON_OPTIONS($1) ignored: the submission program does not listen')')
define(`confDELIVERY_MODE', `i')
define(`confUSE_MSP', `True')
define(`confPRIVACY_FLAGS', `goaway,noetrn,restrictqrun')
define(`confDONT_PROBE_INTERFACES', `True')
define(`confFORWARD_PATH', `')
_PT_SET_DEFAULT_(`confQUEUE_FILE_MODE', `0660')
_PT_SET_DEFAULT_(`confRUN_AS_USER', `smmsp')
_PT_SET_DEFAULT_(`confTRUSTED_USER', `smmsp')
_PT_SET_DEFAULT_(`SMTP_MAILER_FLAGS', `k5')
_PT_SET_DEFAULT_(`RELAY_MAILER_FLAGS', `k')
