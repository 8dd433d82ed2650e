divert(-1)
dnl # FEATURE(`access_db'[, map spec[, skip, lookupdotdomain, relaytofulladdress]]):
dnl # the access map of the policy checks (Connect:, From:, To: entries).
_PT_FEATURE_ON_(`access_db')
_PT_MAP_(`access', _PT_MAP_SPEC_(_PT_ARG_(1), `-T<TMPF>', `access'))
ifelse(_PT_HAS_ARG_(`skip'), `1', `define(`_PT_ACCESS_SKIP_', `1')')
ifelse(_PT_HAS_ARG_(`lookupdotdomain'), `1', `define(`_PT_LOOKUPDOTDOMAIN_', `1')')
ifelse(_PT_HAS_ARG_(`relaytofulladdress'), `1', `define(`_PT_ACCESS_FULLADDR_', `1')')
