dnl rules_masq.m4: the generics table and masquerading (MasqHdr, MasqEnv),
dnl which the mailers' sender (and with allmasquerade, recipient) rulesets
dnl call.  Input is a focused address; *LOCAL* stands for this host.
######################################################################
# MasqHdr: header addresses as the world should see them
######################################################################
SMasqHdr
ifdef(`_PT_F_genericstable', `# the generics table: user@domain (and user+*@domain, user@domain
# without +detail), then @domain, then user, then user+* and user
ifdef(`_PT_F_generics_entire_domain',
`R$+ < @ $* $=G . >	$: < $1@$2$3 > $1 < @ $2$3 . > @
', `R$+ < @ $=G . >	$: < $1@$2 > $1 < @ $2 . > @
')dnl
R$+ < @ *LOCAL* >	$: < $1@$j > $1 < @ *LOCAL* > @
R< $+ > $+ < $* > @	$: < $(generics $1 $: @ $1 $) > $2 < $3 >
R<@$+ + $* @ $+> $+ < @ $+ >
		$: < $(generics $1+*@$3 $@ $2 $:@$1 + $2@$3 $) >  $4 < @ $5 >
R<@$+ + $* @ $+> $+ < @ $+ >
		$: < $(generics $1@$3 $: $) > $4 < @ $5 >
R<@$+ > $+ < @ $+ >	$: < > $2 < @ $3 >
R< > $+ < @ $+ . >	$: < $(generics @$2 $@ $1 $: $) > $1 < @ $2 . >
R< > $+ < @ $+ >	$: < $(generics $1 $: $) > $1 < @ $2 >
R< > $+ + $* < @ $+ >	$: < $(generics $1+* $@ $2 $: $) > $1 + $2 < @ $3 >
R< > $+ + $* < @ $+ >	$: < $(generics $1 $: $) > $1 + $2 < @ $3 >
R< $* @ $* > $* < $* >	$@ $>canonify $1 @ $2		found, with a domain
R< $+ > $* < $* >	$: $>canonify $1 @ *LOCAL*	found, a bare user
R< > $*			$: $1				not found
')dnl
# hosts and domains excepted from masquerading (class N)
R$* < @ $* $=N . >	$@ $1 < @ $2 $3 . >
ifdef(`_PT_MASQ_ON_', `dnl
# exposed users (class E) keep the host name
R$=E < @ *LOCAL* >	$@ $1 < @ $j . >
ifdef(`_PT_F_masquerade_entire_domain', `R$=E < @ $* $=M . >	$@ $1 < @ $2 $3 . >
', `R$=E < @ $=M . >	$@ $1 < @ $2 . >
')dnl
ifdef(`_PT_F_limited_masquerade', `', `R$=E < @ $=w . >	$@ $1 < @ $2 . >
')dnl
# the domains in class M, and (unless limited) this host, become $M
ifdef(`_PT_F_masquerade_entire_domain', `R$* < @ $* $=M . > $*	$: $1 < @ $2 $3 . @ $M > $4
', `R$* < @ $=M . > $*	$: $1 < @ $2 . @ $M > $3
')dnl
ifdef(`_PT_F_limited_masquerade', `', `R$* < @ $=w . > $*	$: $1 < @ $2 . @ $M > $3
')dnl
R$* < @ *LOCAL* > $*	$: $1 < @ $j . @ $M > $2
R$* < @ $+ @ > $*	$: $1 < @ $2 > $3		no $M: keep the host
R$* < @ $+ @ $+ > $*	$: $1 < @ $3 . > $4		$M
', `R$* < @ *LOCAL* >	$@ $1 < @ $j . >
')dnl

######################################################################
# MasqEnv: envelope addresses (masqueraded only with masquerade_envelope)
######################################################################
SMasqEnv
ifdef(`_PT_F_masquerade_envelope', `R$+			$@ $>MasqHdr $1
', `R$* < @ *LOCAL* > $*	$: $1 < @ $j . > $2
')dnl

