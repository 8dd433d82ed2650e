divert(-1)
dnl # FEATURE(`blocklist_recipients'): To: entries in the access map can
dnl # refuse mail to local users and hosts.
_PT_FEATURE_ON_(`blocklist_recipients')
