divert(-1)
dnl # FEATURE(`badmx'[, regex]): refuse senders whose domain's MX hosts are
dnl # bad: unqualified, or with addresses matching regex (default private ones).
_PT_FEATURE_ON_(`badmx')
_PT_MAP_(`mxlist', `bestmx -z: -T<TEMP>')
_PT_MAP_(`badmx', `regex -a<BADMX> ^(([0-9]{1,3}\.){3}[0-9]){0,1}\.$')
_PT_MAP_(`dnsA', `dns -R A -a. -T<TEMP>')
_PT_MAP_(`BadMXIP', `regex -a<BADMXIP> 'ifelse(_PT_ARG_(1), `', ``^(127\.|10\.|0\.0\.0\.0)'', `_PT_ARG_(1)'))
