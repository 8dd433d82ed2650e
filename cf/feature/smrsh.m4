divert(-1)
dnl # FEATURE(`smrsh'[, path]): run programs through the restricted shell.
_PT_FEATURE_ON_(`smrsh')
define(`LOCAL_SHELL_PATH', ifelse(_PT_ARG_(1), `', confEBINDIR`/smrsh', _PT_ARG_(1)))
define(`LOCAL_SHELL_ARGS', `smrsh -c $u')
