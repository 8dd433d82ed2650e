divert(-1)
dnl # FEATURE(`blacklist_recipients'): the old name of blocklist_recipients.
_PT_FEATURE_ON_(`blocklist_recipients')
