divert(-1)
dnl # FEATURE(`check_other'[, regex]): end the session (421) on an SMTP
dnl # command that matches regex, by default one that looks like a header
dnl # line (a client speaking DATA without having said DATA).
_PT_FEATURE_ON_(`check_other')
_PT_MAP_(`badcmd', `regex -m -a<BADCMD> 'ifelse(_PT_ARG_(1), `', ``^[[:print:]]+ *:'', `_PT_ARG_(1)'))
