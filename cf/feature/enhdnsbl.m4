divert(-1)
dnl #
dnl # FEATURE(`enhdnsbl', `list.domain'[, action[, temp[, value...]]]): like
dnl # dnsbl, but only the listed answers (up to five, patterns as in a rule's
dnl # left-hand side, e.g. 127.0.0.2.) refuse the client; without values any
dnl # answer does.  EDNSBL_TO sets the DNS retry count (default 5).
dnl #
ifelse(_PT_ARG_(1), `', `_PT_DIE_(`FEATURE(enhdnsbl) needs the domain of the DNS list, for example FEATURE(enhdnsbl, bl.example.org)')')
_PT_FEATURE_ON_(`enhdnsbl')
ifdef(`_PT_EDNSBL_MAP_DONE_', `', `define(`_PT_EDNSBL_MAP_DONE_', `1')dnl
_PT_MAP_(`ednsbl', ifdef(`DNSBL_MAP', `DNSBL_MAP', `dns -R A')` -a.'ifdef(`DNSBL_MAP_OPT', ` DNSBL_MAP_OPT')` -T<TMP> -r'ifdef(`EDNSBL_TO', `EDNSBL_TO', `5'))')
pushdef(`_PT_BL_', _PT_ARG_(1))
pushdef(`_PT_BL_HIT_', ifelse(_PT_ARG_(2), `', ``$#error $@ 5.7.1 $: "550 Rejected: " $&{client_addr} " listed at '_PT_BL_`"'',
	_PT_ARG_(2), `discard', ``$#discard $: '_PT_BL_`'',
	_PT_ARG_(2), `quarantine', ``$#error $@ quarantine $: '_PT_BL_`'',
	``$#error $@ 5.7.1 $: '_PT_ARG_(2)`''))
_PT_APPEND_(`_PT_DNSBL_RULES_', `# DNS list '_PT_BL_`
R$*			$: $&{client_addr}
R$-.$-.$-.$-		$: <?> $(ednsbl $4.$3.$2.$1.'_PT_BL_`. $: OK $)
R<?>OK			$: OKSOFAR
R<?>$+<TMP>		'ifelse(_PT_ARG_(3), `', ``$: TMPOK'',
	_PT_ARG_(3), `t', ``$#error $@ 4.4.3 $: "451 Temporary lookup failure of " $&{client_addr} " at '_PT_BL_`"'',
	``$#error $@ 4.4.3 $: '_PT_ARG_(3)`'')`'dnl
ifelse(_PT_ARG_(4)_PT_ARG_(5)_PT_ARG_(6)_PT_ARG_(7)_PT_ARG_(8), `', ``
R<?>$+		'defn(`_PT_BL_HIT_')`'',
	`ifelse(_PT_ARG_(4), `', `', ``
R<?>'_PT_ARG_(4)`		'defn(`_PT_BL_HIT_')`'')dnl
ifelse(_PT_ARG_(5), `', `', ``
R<?>'_PT_ARG_(5)`		'defn(`_PT_BL_HIT_')`'')dnl
ifelse(_PT_ARG_(6), `', `', ``
R<?>'_PT_ARG_(6)`		'defn(`_PT_BL_HIT_')`'')dnl
ifelse(_PT_ARG_(7), `', `', ``
R<?>'_PT_ARG_(7)`		'defn(`_PT_BL_HIT_')`'')dnl
ifelse(_PT_ARG_(8), `', `', ``
R<?>'_PT_ARG_(8)`		'defn(`_PT_BL_HIT_')`'')'))
popdef(`_PT_BL_HIT_')popdef(`_PT_BL_')
