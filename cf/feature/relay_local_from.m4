divert(-1)
dnl # FEATURE(`relay_local_from'): senders in our domains may relay.
_PT_FEATURE_ON_(`relay_local_from')
_PT_WARN_(`FEATURE(relay_local_from) lets anyone who forges a local sender relay; prefer SMTP AUTH or STARTTLS')
