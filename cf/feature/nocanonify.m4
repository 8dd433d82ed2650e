divert(-1)
dnl # FEATURE(`nocanonify'[, canonify_hosts]): host names are not looked up,
dnl # except those in class {Canonify} (CANONIFY_DOMAIN) and, with canonify_hosts,
dnl # unqualified ones.
_PT_FEATURE_ON_(`nocanonify')
define(`_PT_NOCANON_HOSTS_', ifelse(_PT_ARG_(1), `canonify_hosts', `1', `0'))
