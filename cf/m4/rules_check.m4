dnl rules_check.m4: the SMTP policy rulesets check_relay, check_mail and
dnl check_rcpt, with the access map, relay control and delay_checks.
dnl _PT_TMPF_ is the reply for a temporary access map failure; relaying is
dnl refused with a word on authentication once TRUST_AUTH_MECH was used.
define(`_PT_TMPF_', `"451 Temporary system failure. Please try again later."')dnl
define(`_PT_REJECT_RHS_', `ifdef(`confREJECT_MSG', `$'`#error $: confREJECT_MSG', `$'`#error $'`@ 5.7.1 $: "550 Access denied"')')dnl
define(`_PT_RELAY_MSG_', `ifdef(`confRELAY_MSG', `confRELAY_MSG', `ifdef(`_PT_USE_AUTH_', `"550 Relaying denied. Proper authentication required."', `"550 Relaying denied"')')')dnl
######################################################################
# AddrCanon: an address in canonical form for the checks
######################################################################
SAddrCanon
R$*			$: $>Parse0 $>canonify $1

######################################################################
# RcptStrip: the recipient without the hosts we relay for in front of
# a %-hack or route (user%there@relayhost is checked as user@there)
######################################################################
SRcptStrip
R$*				$: <?> $>AddrCanon $1
R<?> $* < @ $* . >		<?> $1 < @ $2 >
R<?> $- < @ $* >		$: <?> $(dequote $1 $) < @ $2 >
R<?> $* $=O $* < @ $* >		$: <Via> $1 $2 $3 < @ $4>
R<?> $*				$@ $1
ifdef(`_PT_F_relay_entire_domain', `R<Via> $* < @ $* $=m >		$: <Strip> $1 < @ $2 $3 >
')dnl
ifdef(`_PT_F_relay_hosts_only', `R<Via> $* < @ $=R >		$: <Strip> $1 < @ $2 >
ifdef(`_PT_F_access_db', `R<Via> $* < @ $+ >		$: <$(access To:$2 $: Via $)> $1 < @ $2 >
R<Via> $* < @ $+ >		$: <$(access $2 $: Via $)> $1 < @ $2 >
')', `R<Via> $* < @ $* $=R >		$: <Strip> $1 < @ $2 $3 >
ifdef(`_PT_F_access_db', `R<Via> $* < @ $+ >		$: $>AccDomain <$2> <Via> <+ To> <$1 < @ $2 >>
R<$+> <$+>			$: <$1> $2
')')dnl
ifdef(`_PT_F_relay_based_on_MX', `R<Via> $* < @ $+ >		$: <MX> < : $(mxserved $2 $) : > < $1 < @$2 > >
R<MX> < : $* <TEMP> : > $*	$#TEMP $@ 4.4.0 $: "450 Can not check MX records for recipient host " $1
R<MX> < $* : $=w. : $* > < $+ >	$: <Strip> $4
R<MX> < : $* : > < $+ >		$: <Via> $2
')dnl
R<Strip> $* < @ $* >		$@ $>RcptStrip $1
R<RELAY> $* < @ $* >		$@ $>RcptStrip $1
R<$+> $*			$@ $2

######################################################################
# check_relay: the client, when it connects (name $| address)
######################################################################
ifdef(`_PT_F_delay_checks', `dnl
ifdef(`_PT_RATE_EARLY_', `define(`_PT_EARLY_')')ifdef(`_PT_CONN_EARLY_', `define(`_PT_EARLY_')')dnl
ifdef(`_PT_EARLY_', `Scheck_relay
')dnl
ifdef(`_PT_RATE_EARLY_', `R$*		$: $>RateControl dummy
')dnl
ifdef(`_PT_CONN_EARLY_', `R$*		$: $>ConnControl dummy
')dnl
SLocal_check_relay
Scheckrelay
', `dnl
SLocal_check_relay
Scheck_relay
ifdef(`_PT_RATE_EARLY_', `R$*		$: $>RateControl dummy
')dnl
ifdef(`_PT_CONN_EARLY_', `R$*		$: $>ConnControl dummy
')dnl
')dnl
R$*			$: $1 $| $>Local_check_relay $1
R$* $| $* $| $#$*	$#$3
R$* $| $* $| $*		$@ $>PolicyRelay $1 $| $2

SPolicyRelay
R$*			$: < $&{deliveryMode} > $1
R< d > $*		$@ deferred			deferred delivery: no checks
R< $* > $*		$: $2
ifdef(`_PT_F_use_client_ptr', `R$* $| $*		$: $&{client_ptr} $| $2
')dnl
ifdef(`_PT_F_access_db', `# Connect: entries for the client name, then its address
R$+ $| $+		$: $>AccDomain < $1 > <?> <+ Connect> < $2 >
R   $| $+		$: $>AccAddr < $1 > <?> <+ Connect> <>
R<?> <$+>		$: $>AccAddr < $1 > <?> <+ Connect> <>
R<?> <$*>		$: OK
R<$={Accept}> <$*>	$@ $1
R<REJECT> <$*>		_PT_REJECT_RHS_
R<DISCARD> <$*>		$#discard $: discard
R<QUARANTINE:$+> <$*>	$#error $@ quarantine $: $1
R<ERROR:$-.$-.$-:$+> <$*>	$#error $@ $1.$2.$3 $: $4
R<ERROR:$+> <$*>		$#error $: $1
R<$* <TMPF>> <$*>		$#error $@ 4.3.0 $: _PT_TMPF_
R<$+> <$*>		$#error $: $1
')dnl
_PT_EMIT_(`_PT_DNSBL_RULES_')dnl
ifdef(`_PT_F_require_rdns', `# clients without a working reverse DNS name
R$*			$: $&{client_addr} $| $&{client_resolve}
R$=R $*			$@ RELAY
R$* $| OK		$@ OK
R$* $| FAIL		$#error $@ 5.7.1 $: 550 Fix reverse DNS for $1
R$* $| TEMP		$#error $@ 4.1.8 $: 451 Client IP address $1 does not resolve
R$* $| FORGED		$#error $@ 4.1.8 $: 451 Possibly forged hostname for $1
')dnl
ifdef(`_PT_F_ratecontrol', `ifdef(`_PT_RATE_EARLY_', `', `R$*		$: $>RateControl dummy
')')dnl
ifdef(`_PT_F_conncontrol', `ifdef(`_PT_CONN_EARLY_', `', `R$*		$: $>ConnControl dummy
')')dnl

######################################################################
# check_mail: the envelope sender (MAIL FROM)
######################################################################
SLocal_check_mail
ifdef(`_PT_F_delay_checks', `Scheckmail', `Scheck_mail')
R$*			$: $1 $| $>Local_check_mail $1
R$* $| $#$*		$#$2
R$* $| $*		$@ $>PolicyMail $1

SPolicyMail
R$*			$: < $&{deliveryMode} > $1
R< d > $*		$@ deferred
R< $* > $*		$: $2
# a client certificate may decide (tls_client with MAIL)
R$*			$: $1 $| $>tls_client $&{verify} $| MAIL
R$* $| $#$+		$#$2
R$* $| $*		$: $1
R<>			$@ <OK>				the null sender is always fine
ifdef(`_PT_F_accept_unqualified_senders', `', `# user@localhost is only believed from a local client
R$+			$: <?> $1
R<?><$+>		$: <@> <$1>
R<?>$+			$: <@> <$1>
R$*			$: $&{daemon_flags} $| $1
R$* f $* $| <@> < $* @ $- >	$: < ? $&{client_name} > < $3 @ $4 >
R$* u $* $| <@> < $* >	$: <?> < $3 >
R$* $| $*		$: $2
R<@> < $* @ localhost >	$: < ? $&{client_name} > < $1 @ localhost >
R<@> < $* @ [127.0.0.1] >
			$: < ? $&{client_name} > < $1 @ [127.0.0.1] >
R<@> < $* @ [IPv6:0:0:0:0:0:0:0:1] >
			$: < ? $&{client_name} > < $1 @ [IPv6:0:0:0:0:0:0:0:1] >
R<@> < $* @ [IPv6:::1] >
			$: < ? $&{client_name} > < $1 @ [IPv6:::1] >
R<@> < $* @ localhost.$m >
			$: < ? $&{client_name} > < $1 @ localhost.$m >
ifdef(`_PT_NO_UUCP_', `', `R<@> < $* @ localhost.UUCP >
			$: < ? $&{client_name} > < $1 @ localhost.UUCP >
')dnl
R<@> $*			$: $1
R<? $=w> $*		$: $2
R<? $+> <$+>		$#error $@ 5.5.4 $: "553 Real domain name required for sender address"
R<?> $*			$: $1
')dnl
R$*			$: <?> $>AddrCanon $1
R<?> $* < @ $+ . >	<?> $1 < @ $2 >
# hosts in pseudo domains and this host need no DNS
R<?> $* < @ $* $=P >	$: <OKR> $1 < @ $2 $3 >
R<?> $* < @ $j >	$: <OKR> $1 < @ $j >
ifdef(`_PT_F_accept_unresolvable_domains',
`R<?> $* < @ $+ >	$: <OKR> $1 < @ $2 >
', `R<?> $* < @ $+ >	$: <? $(resolve $2 $: $2 <PERM> $) > $1 < @ $2 >
R<? $* <$->> $* < @ $+ >
			$: <$2> $3 < @ $4 >
')dnl
ifdef(`_PT_F_access_db', `# From: entries: the address, the user@, the domain
R<$+> $+ < @ $* >	$: @<$1> <$2 < @ $3 >> $| <F:$2@$3> <U:$2@> <D:$3>
R<$+> $+		$: @<$1> <$2> $| <U:$2@>
R@ <$+> <$*> $| <$+>	$: <@> <$1> <$2> $| $>AccList <+ From> $| <$3> <>
R<@> <$+> <$*> $| <$*>	$: <$3> <$1> <$2>
R<?> <$+> <$*>		$: <$1> $2
R<$+> <$+> <$*>		$: <$1> $3
')dnl
ifdef(`_PT_F_accept_unqualified_senders', `', `# an unqualified sender is only fine from a local client
R<?> $*			$: $&{daemon_flags} $| <?> $1
R$* u $* $| <?> $*	$: <OKR> $3
R$* $| $*		$: $2
R<?> $*			$: < ? $&{client_addr} > $1
R<?> $*			$@ <OKR>
R<? $+> $*		$#error $@ 5.5.4 $: "553 Domain name required for sender address " $&f
')dnl
R<?> $*			$: @ $1
R<$={ResOk}> $*		$: @ $2
R<TEMP> $*		$#error $@ 4.1.8 $: "451 Domain of sender address " $&f " does not resolve"
R<PERM> $*		$#error $@ 5.1.8 $: "553 Domain of sender address " $&f " does not exist"
ifdef(`_PT_F_access_db', `R<$={Accept}> $*	$# $1
R<DISCARD> $*		$#discard $: discard
R<QUARANTINE:$+> $*	$#error $@ quarantine $: $1
R<REJECT> $*		_PT_REJECT_RHS_
R<ERROR:$-.$-.$-:$+> $*		$#error $@ $1.$2.$3 $: $4
R<ERROR:$+> $*		$#error $: $1
R<<TMPF>> $*		$#error $@ 4.3.0 $: _PT_TMPF_
R<$+> $*		$#error $: $1
')dnl
ifdef(`_PT_F_badmx', `# senders whose domain has a bad MX
R@ $*<@$+>$*		$: $1<@$2>$3 $| $>BadMX $2
R$* $| $#$*		$#$2
')dnl

######################################################################
# check_rcpt: the envelope recipient (RCPT TO)
######################################################################
SLocal_check_rcpt
ifdef(`_PT_F_delay_checks', `Scheckrcpt', `Scheck_rcpt')
R$*			$: $1 $| $>Local_check_rcpt $1
R$* $| $#$*		$#$2
R$* $| $*		$@ $>PolicyRcpt $1

SPolicyRcpt
R<>			$#error $@ nouser $: "553 User address required"
R$@			$#error $@ nouser $: "553 User address required"
R$*			$: < $&{deliveryMode} > $1
R< d > $*		$@ deferred
R< $* > $*		$: $2
# fine if the recipient is ours or we relay for it, else if the client is
R$*			$: $1 $| @ $>RcptOk $1
R$* $| @ $#TEMP $+	$: $1 $| T $2
R$* $| @ $#$*		$#$2
ifdef(`_PT_F_promiscuous_relay', `', `dnl
R$* $| @ RELAY		$@ RELAY
R$* $| @ $*		$: O $| $>RelayOk $1
R$* $| T $+		$: T $2 $| $>RelayOk $1
R$* $| $#TEMP $+	$#error $2
R$* $| $#$*		$#$2
R$* $| RELAY		$@ RELAY
R T $+ $| $*		$#error $1
R$*			$#error $@ 5.7.1 $: _PT_RELAY_MSG_
')dnl

######################################################################
# RcptOk: is the recipient one we take mail for?
######################################################################
SRcptOk
ifdef(`_PT_F_loose_relay_check', `R$*			$: $>AddrCanon $1
R$* < @ $* . >		$1 < @ $2 >
', `R$*			$: $>RcptStrip $1
')dnl
ifdef(`_PT_F_blocklist_recipients', `ifdef(`_PT_F_access_db', `# To: entries can refuse our own users and hosts
R$*			$: <?> $1
R<?> $+ < @ $=w >	$: <> <$1 < @ $2 >> $| <F:$1@$2> <U:$1@> <D:$2>
R<?> $+ < @ $* >	$: <> <$1 < @ $2 >> $| <F:$1@$2> <D:$2>
R<?> $+			$: <> <$1> $| <U:$1@>
R<> <$*> $| <$+>	$: <@> <$1> $| $>AccList <+ To> $| <$2> <>
R<@> <$*> $| <$*>	$: <$2> <$1>
R<?> <$*>		$: @ $1
R<$={Accept}> <$*>	$: @ $2
ifdef(`_PT_F_delay_checks', `R<$={SpamTag}> <$*>	$: @ $2
')dnl
R<REJECT> $*		$#error $@ 5.2.1 $: "550 Mailbox disabled for this recipient"
R<DISCARD> $*		$#discard $: discard
R<QUARANTINE:$+> $*	$#error $@ quarantine $: $1
R<ERROR:$-.$-.$-:$+> $*		$#error $@ $1.$2.$3 $: $4
R<ERROR:$+> $*		$#error $: $1
R<<TMPF>> $*		$#error $@ 4.3.0 $: _PT_TMPF_
R<$+> $*		$#error $: $1
R@ $*			$1
')')dnl
ifdef(`_PT_F_promiscuous_relay', `', `dnl
# a client certificate the access map trusts may relay
R$*			$: $1 $| $>RelayTLS
R$* $| $# $+		$# $2
R$* $| $*		$: $1
# so may a client that authenticated with a trusted mechanism
R$*			$: $1 $| $>Local_Relay_Auth $&{auth_type}
R$* $| $# $*		$# $2
R$* $| NO		$: $1
R$* $| $*		$: $1 $| $&{auth_type}
R$* $| 			$: $1
R$* $| $={TrustAuthMech}	$# RELAY
R$* $| $*		$: $1
ifdef(`_PT_F_relay_entire_domain', `R$+ < @ $* $=m >	$@ RELAY
')dnl
ifdef(`_PT_UUCP_REJECT_', `# a ! or % left in the local part means routing through us
R$* ! $* < @ $* >	$: <REMOTE> $2 < @ BANG_PATH >
R$* ! $*		$: <REMOTE> $2 < @ BANG_PATH >
')dnl
ifdef(`_PT_PERCENT_REJECT_', `R$* % $* < @ $* >	$: <REMOTE> $1 < @ PERCENT_HACK >
R$* % $*		$: <REMOTE> $1 < @ PERCENT_HACK >
')dnl
R$+ < @ $=w >		$@ RELAY			ours
ifdef(`_PT_F_relay_hosts_only', `R$+ < @ $=R >		$@ RELAY
ifdef(`_PT_F_access_db', `R$+ < @ $+ >		$: <$(access To:$2 $: ? $)> <$1 < @ $2 >>
R<?> <$+ < @ $+ >>	$: <$(access $2 $: ? $)> <$1 < @ $2 >>
R<RELAY> $*		$@ RELAY
R<$* <TMPF>> $*		$#TEMP $@ 4.3.0 $: _PT_TMPF_
R<$*> <$*>		$: $2
')', `R$+ < @ $* $=R >	$@ RELAY			we relay for it
ifdef(`_PT_F_access_db', `ifdef(`_PT_ACCESS_FULLADDR_',
`R$+ < @ $+ >		$: $1 < @ $2 > $| $>AccList <+ To> $| <F:$1@$2> <D:$2> <F:$1@> <>
R$+ < @ $+ > $| <$*>	$: <$3> <$1 <@ $2>>
R$+ < @ $+ > $| $*	$: <$3> <$1 <@ $2>>
', `R$+ < @ $+ >		$: $>AccDomain <$2> <?> <+ To> <$1 < @ $2 >>
')dnl
R<RELAY> $*		$@ RELAY
R<$* <TMPF>> $*		$#TEMP $@ 4.3.0 $: _PT_TMPF_
R<$*> <$*>		$: $2
')')dnl
ifdef(`_PT_F_relay_based_on_MX', `R$+ < @ $+ >		$: < : $(mxserved $2 $) : > $1 < @ $2 >
R< : $* <TEMP> : > $*	$#TEMP $@ 4.4.0 $: "450 Can not check MX records for recipient host " $1
R<$* : $=w . : $*> $*	$@ RELAY
R< : $* : > $*		$: $2
')dnl
ifdef(`_PT_F_bestmx_is_local', `ifelse(_PT_BESTMX_LIMITED_, `1',
`R$* < @ $* $=B > $*		$: $1 < @ $2 $3 @@ $(bestmx $2 $3 $) > $4',
`R$* < @ $* > $*			$: $1 < @ $2 @@ $(bestmx $2 $) > $3')
R$* $=O $* < @ $* @@ $=w . > $*	$@ $>RcptOk $1 $2 $3
R$* < @ $* @@ $=w . > $*	$: $1 < @ $3 > $4
R$* < @ $* @@ $* > $*		$: $1 < @ $2 > $4
')dnl
# an unqualified address is a local user
R$*			$: <?> $1
R<?> $* < @ $+ >	$: <REMOTE> $1 < @ $2 >
R<?> $+			$@ RELAY
R<$+> $*		$: $2
')dnl

######################################################################
# RelayOk: may the client relay?
######################################################################
ifdef(`_PT_F_promiscuous_relay', `divert(-1)')
SRelayOk
R$*			$: $&{client_addr}
R$@			$@ RELAY			no client: local submission
R0			$@ RELAY
R127.0.0.1		$@ RELAY
RIPv6:0:0:0:0:0:0:0:1	$@ RELAY
RIPv6:::1		$@ RELAY
R$=R $*			$@ RELAY			an address we relay for
ifdef(`_PT_F_access_db', `R$*			$: $>AccAddr <$1> <?> <+ Connect> <$1>
R<RELAY> $*		$@ RELAY
R<<TMPF>> $*		$#TEMP $@ 4.3.0 $: _PT_TMPF_
R<$*> <$*>		$: $2
')dnl
R$*			$: [ $1 ]
R$=w			$@ RELAY			one of our own addresses
ifdef(`_PT_F_relay_local_from', `define(`_PT_FROM_RELAY_')')dnl
ifdef(`_PT_F_relay_mail_from', `ifdef(`_PT_F_access_db', `define(`_PT_FROM_RELAY_')')')dnl
ifdef(`_PT_FROM_RELAY_', `# the sender may decide (relay_local_from, relay_mail_from)
R$*			$: <?> $>AddrCanon $&f
R<?> $+ < @ $+ . >	<?> $1 < @ $2 >
ifdef(`_PT_F_relay_local_from', `R<?> $+ < @ $=w >	$@ RELAY
')dnl
ifdef(`_PT_F_relay_mail_from', `ifdef(`_PT_F_access_db', `R<?> $+ < @ $+ >	$: <@> $>AccList <! From> $| <F:$1@$2> ifelse(_PT_RELAY_MAIL_DOMAIN_, `1', `<D:$2> ')<>
R<@> <RELAY>		$@ RELAY
R<@> <<TMPF>>		$#TEMP $@ 4.3.0 $: _PT_TMPF_
')')')dnl
# the client name, once it is known to be right
R$*			$: < $&{client_resolve} >
R<TEMP>			$#TEMP $@ 4.4.0 $: "450 Relaying temporarily denied. Cannot resolve PTR record for " $&{client_addr}
R<FORGED>		$#error $@ 5.7.1 $: "550 Relaying denied. IP name possibly forged " $&{client_name}
R<FAIL>			$#error $@ 5.7.1 $: "550 Relaying denied. IP name lookup failed " $&{client_name}
R$*			$: <@> $&{client_name}
R<@> $* $=P		$:<?>  $1 $2
R<@> $+			$:<?>  $[ $1 $]
R$* .			$1
ifdef(`_PT_F_relay_entire_domain', `R<?> $* $=m		$@ RELAY
')dnl
R<?> $=w		$@ RELAY
ifdef(`_PT_F_relay_hosts_only', `R<?> $=R		$@ RELAY
ifdef(`_PT_F_access_db', `R<?> $*			$: <$(access Connect:$1 $: ? $)> <$1>
R<?> <$*>		$: <$(access $1 $: ? $)> <$1>
')', `R<?> $* $=R		$@ RELAY
ifdef(`_PT_F_access_db', `R<?> $*			$: $>AccDomain <$1> <?> <+ Connect> <$1>
')')dnl
ifdef(`_PT_F_access_db', `R<RELAY> $*		$@ RELAY
R<$* <TMPF>> $*		$#TEMP $@ 4.3.0 $: _PT_TMPF_
R<$*> <$*>		$: $2
')dnl

ifdef(`_PT_F_promiscuous_relay', `divert(0)')dnl
ifdef(`_PT_F_delay_checks', `dnl
######################################################################
# delay_checks: check_rcpt runs the recipient checks, then the sender
# and client checks that were held back
######################################################################
SAddrFull
R$* <@ $+ . >		$1 <@ $2 >
R$* <@ $* >		$@ $1 <@ $2 >
R$+			$@ $1 <@ $j >

SDelayTls
R$*			$: $1 $| $>tls_client $&{verify} $| MAIL
R$* $| $#$+		$#$2
R$* $| $*		$# $1
R$*			$# $1

SDelayTls2
R$*			$: $1 $| $>tls_client $&{verify} $| MAIL
R$* $| $#$+		$#$2
R$* $| $*		$@ $1
R$*			$@ $1

Scheck_rcpt
R$+			$: $1 $| $>checkrcpt $1
R$+ $| $#error $*	$#error $2
R$+ $| $#discard $*	$#discard $2
R$+ $| $#$*		$@ $>DelayTls $2
R$+ $| $*		$: <?> $>AddrFull $>AddrCanon $1
ifelse(_PT_DELAY_SPAM_, `', `', `# Spam: entries: the recipient says whether it wants the checks
R<?> $+ < @ $=w >	$: <> $1 < @ $2 > $| <F: $1@$2 > <D: $2 > <U: $1@>
R<?> $+ < @ $* >	$: <> $1 < @ $2 > $| <F: $1@$2 > <D: $2 >
R<> $* $| <$+>		$: <@> $1 $| $>AccList <! Spam> $| <$2> <>
R<@> $* $| $*		$: $2 $1
ifelse(_PT_DELAY_SPAM_, `friend', `R<FRIEND> $+		$@ $>DelayTls2 SPAMFRIEND
R<$*> $+		$: $2
', `R<HATER> $+		$: $1
R<$*> $+		$@ $>DelayTls2 NOSPAMHATER
')')dnl
R$*			$: $1 $| $>checkmail ifdef(`_FFR_MAIL_MACRO', `$&{mail_from}', `<$&f>')
R$* $| $#$*		$#$2
R$* $| $*		$: $1 $| $>checkrelay $&{client_name} $| $&{client_addr}
R$* $| $#$*		$#$2
R$* $| $*		$: $1
ifdef(`_PT_F_block_bad_helo', `# HELO names that are ours or unqualified
R$*			$: $1 $| <$&{auth_authen}>
R$* $| <$+>		$: $1
R$* $| <$*>		$: $1 $| <$&{client_addr}> [$&s]
R$* $| <$=R $*> [$*]	$: $1
R$* $| <0> [$*]		$: $1
R$* $| <$*> $=w		$#error $@ 5.7.1 $:"550 bogus HELO name used: " $&s
R$* $| <$*> [$=w]	$#error $@ 5.7.1 $:"550 bogus HELO name used: " $&s
R$* $| <$*> [$+.$+]	$: $1
R$* $| <$*> [IPv6:$+]	$: $1
R$* $| <$*> [$*]	$#error $@ 5.7.1 $:"550 bogus HELO name used: " $&s
R$* $| $*		$: $1
')dnl
')dnl

