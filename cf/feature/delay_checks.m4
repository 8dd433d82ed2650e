divert(-1)
dnl # FEATURE(`delay_checks'[, friend or hater[, n]]): check_rcpt runs the
dnl # sender and client checks too, so a recipient (Spam: FRIEND/HATER) can
dnl # decide whether they apply.
_PT_FEATURE_ON_(`delay_checks')
define(`_PT_DELAY_SPAM_', ifelse(_PT_ARG_(1), `friend', `friend', _PT_ARG_(1), `hater', `hater', `'))
