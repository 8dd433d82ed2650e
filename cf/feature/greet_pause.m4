divert(-1)
dnl # FEATURE(`greet_pause'[, milliseconds]): wait before the greeting
dnl # (GreetPause: entries in the access map decide per client).
_PT_FEATURE_ON_(`greet_pause')define(`_PT_GREET_PAUSE_', _PT_ARG_(1))
