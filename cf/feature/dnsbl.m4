divert(-1)
dnl #
dnl # FEATURE(`dnsbl', `list.domain'[, action[, temp]]): check_relay refuses
dnl # clients whose address is listed in the DNS list.
dnl #   action: empty (550 Rejected: ADDR listed at DOMAIN), discard,
dnl #           quarantine, or a reply of the site's own ("550 ...").
dnl #   temp:   empty (a failed lookup lets the client in), t (451 Temporary
dnl #           lookup failure of ADDR at DOMAIN), or a reply of the site's own.
dnl # DNSBL_MAP (default "dns -R A") and DNSBL_MAP_OPT change the map.
dnl #
ifelse(_PT_ARG_(1), `', `_PT_DIE_(`FEATURE(dnsbl) needs the domain of the DNS list, for example FEATURE(dnsbl, bl.example.org)')')
_PT_FEATURE_ON_(`dnsbl')
ifdef(`_PT_DNSBL_MAP_DONE_', `', `define(`_PT_DNSBL_MAP_DONE_', `1')dnl
_PT_MAP_(`dnsbl', ifdef(`DNSBL_MAP', `DNSBL_MAP', `dns -R A')`'ifdef(`DNSBL_MAP_OPT', ` DNSBL_MAP_OPT')` -T<TMP>')')
pushdef(`_PT_BL_', _PT_ARG_(1))
_PT_APPEND_(`_PT_DNSBL_RULES_', `# DNS list '_PT_BL_`
R$*			$: $&{client_addr}
R$-.$-.$-.$-		$: <?> $(dnsbl $4.$3.$2.$1.'_PT_BL_`. $: OK $)
R<?>OK			$: OKSOFAR
R<?>$+<TMP>		'ifelse(_PT_ARG_(3), `', ``$: TMPOK'',
	_PT_ARG_(3), `t', ``$#error $@ 4.4.3 $: "451 Temporary lookup failure of " $&{client_addr} " at '_PT_BL_`"'',
	``$#error $@ 4.4.3 $: '_PT_ARG_(3)`'')`
R<?>$+		'ifelse(_PT_ARG_(2), `', ``$#error $@ 5.7.1 $: "550 Rejected: " $&{client_addr} " listed at '_PT_BL_`"'',
	_PT_ARG_(2), `discard', ``$#discard $: '_PT_BL_`'',
	_PT_ARG_(2), `quarantine', ``$#error $@ quarantine $: '_PT_BL_`'',
	``$#error $@ 5.7.1 $: '_PT_ARG_(2)`''))
popdef(`_PT_BL_')
