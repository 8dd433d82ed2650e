divert(-1)
dnl # FEATURE(`queuegroup'[, default group]): QGRP: entries pick a queue group.
_PT_IF_(`access_db', `', `_PT_DIE_(`FEATURE(queuegroup) needs FEATURE(access_db) before it')')
_PT_FEATURE_ON_(`queuegroup')define(`_PT_QGRP_DEFAULT_', _PT_ARG_(1))
