dnl rules_hooks.m4: the other rulesets sendmail calls by name: AUTH and
dnl STARTTLS decisions, session features, client authentication data,
dnl connection limits, greet_pause, queue groups, check_compat, and the
dnl site's LOCAL_RULESETS.
######################################################################
# trust_auth: may the authenticated user give this AUTH= parameter?
######################################################################
SLocal_trust_auth
Strust_auth
R$*			$: $&{auth_type} $| $1
R$@ $| $*		$#error $@ 5.7.1 $: "550 not authenticated"
R$* $| $&{auth_authen}		$@ identical
R$* $| <$&{auth_authen}>	$@ identical
R$* $| $*		$: $1 $| $>Local_trust_auth $2
R$* $| $#$*		$#$2
R$*			$#error $@ 5.7.1 $: "550 " $&{auth_authen} " not allowed to act as " $&{auth_author}

SLocal_Relay_Auth

######################################################################
# srv_features, clt_features, try_tls: per-peer session settings from
# the access map (Srv_Features:, Clt_Features:, Try_TLS:)
######################################################################
ifdef(`_PT_LOCAL_srv_features_', `SLocal_srv_features
undivert(18)dnl
')dnl
Ssrv_features
ifdef(`_PT_LOCAL_srv_features_', `R$*			$: $1 $| $>Local_srv_features $1
R$* $| $#$*		$#$2
R$* $| $*		$: $1
')dnl
ifdef(`_PT_F_access_db', `R$*		$: $>AccDomain <$&{client_name}> <?> <! Srv_Features> <>
R<?>$*		$: $>AccAddr <$&{client_addr}> <?> <! Srv_Features> <>
R<?>$*		$: <$(access Srv_Features: $: ? $)>
R<?>$*		$@ OK
R<$* <TMPF>>$*	$#temp
R<$+>$*		$# $1
')dnl

ifdef(`_PT_LOCAL_clt_features_', `SLocal_clt_features
undivert(19)dnl
')dnl
Sclt_features
ifdef(`_PT_LOCAL_clt_features_', `R$*			$: $1 $| $>Local_clt_features $1
R$* $| $#$*		$#$2
R$* $| $*		$: $1
')dnl
ifdef(`_PT_F_access_db', `R$*		$: $>AccDomain <$&{server_name}> <?> <! Clt_Features> <>
R<?>$*		$: $>AccAddr <$&{server_addr}> <?> <! Clt_Features> <>
R<?>$*		$: <$(access Clt_Features: $: ? $)>
R<?>$*		$@ OK
R<$* <TMPF>>$*	$#temp
R<$+>$*		$# $1
')dnl

ifdef(`_PT_LOCAL_try_tls_', `SLocal_try_tls
undivert(20)dnl
')dnl
Stry_tls
ifdef(`_PT_LOCAL_try_tls_', `R$*			$: $1 $| $>Local_try_tls $1
R$* $| $#$*		$#$2
R$* $| $*		$: $1
')dnl
ifdef(`_PT_F_access_db', `R$*		$: $>AccDomain <$&{server_name}> <?> <! Try_TLS> <>
R<?>$*		$: $>AccAddr <$&{server_addr}> <?> <! Try_TLS> <>
R<?>$*		$: <$(access Try_TLS: $: ? $)>
R<?>$*		$@ OK
R<$* <TMPF>>$*	$#error $@ 4.3.0 $: _PT_TMPF_
R<NO>$*		$#error $@ 5.7.1 $: "550 do not try TLS with " $&{server_name} " ["$&{server_addr}"]"
')dnl

######################################################################
# tls_rcpt, tls_client, tls_server: is the TLS session good enough for
# this recipient, client or server?  (TLS_Rcpt:, TLS_Clt:, TLS_Srv:)
######################################################################
ifdef(`_PT_LOCAL_tls_rcpt_', `SLocal_tls_rcpt
undivert(21)dnl
')dnl
Stls_rcpt
ifdef(`_PT_LOCAL_tls_rcpt_', `R$*			$: $1 <?> $>Local_tls_rcpt $1
R$* <?> $#$*		$#$2
R$* <?> $*		$: $1
')dnl
ifdef(`_PT_F_access_db', `R$*			$: $(macro {TLS_Name} $@ $&{server_name} $) $1
R$+			$: <?> $>AddrCanon $1
R<?> $+ < @ $+ . >	<?> $1 <@ $2 >
R<?> $+ < @ $+ >	$: $1 <@ $2 > $| <F:$1@$2> <U:$1@> <D:$2> <E:>
R<?> $+			$: $1 $| <U:$1@> <E:>
R$* $| $+	$: $1 $| $>AccList <! TLS_Rcpt> $| $2 <>
R$* $| <?>	$@ OK
R$* $| <$* <TMPF>>	$#error $@ 4.3.0 $: _PT_TMPF_
R$* $| <$+>	$@ $>TLS_connection $&{verify} $| <$2>
')dnl

ifdef(`_PT_LOCAL_tls_client_', `SLocal_tls_client
undivert(22)dnl
')dnl
Stls_client
ifdef(`_PT_LOCAL_tls_client_', `R$*			$: $1 <?> $>Local_tls_client $1
R$* <?> $#$*		$#$2
R$* <?> $*		$: $1
')dnl
ifdef(`_PT_F_access_db', `R$*		$: $(macro {TLS_Name} $@ $&{client_name} $) $1
R$* $| $*	$: $1 $| $>AccDomain <$&{client_name}> <?> <! TLS_Clt> <>
R$* $| <?>$*	$: $1 $| $>AccAddr <$&{client_addr}> <?> <! TLS_Clt> <>
R$* $| <?>$*	$: $1 $| <$(access TLS_Clt: $: ? $)>
R$* $| <$* <TMPF>>	$#error $@ 4.3.0 $: _PT_TMPF_
R$*		$@ $>TLS_connection $1
', `R$* $| $*	$@ $>TLS_connection $1
')dnl

ifdef(`_PT_LOCAL_tls_server_', `SLocal_tls_server
undivert(23)dnl
')dnl
Stls_server
ifdef(`_PT_LOCAL_tls_server_', `R$*			$: $1 <?> $>Local_tls_server $1
R$* <?> $#$*		$#$2
R$* <?> $*		$: $1
')dnl
ifdef(`_PT_F_access_db', `R$*		$: $(macro {TLS_Name} $@ $&{server_name} $) $1
R$*		$: $1 $| $>AccDomain <$&{server_name}> <?> <! TLS_Srv> <>
R$* $| <?>$*	$: $1 $| $>AccAddr <$&{server_addr}> <?> <! TLS_Srv> <>
R$* $| <?>$*	$: $1 $| <$(access TLS_Srv: $: ? $)>
R$* $| <$* <TMPF>>	$#error $@ 4.3.0 $: _PT_TMPF_
')dnl
R$*		$@ $>TLS_connection $1

######################################################################
# TLS_connection:  ${verify} $| <requirement>
# requirements: VERIFY, VERIFY:bits, ENCR:bits, with an optional TEMP+
# or PERM+ in front and +CN, +CN:name, +CS:subject, +CI:issuer,
# +CITag:tag extensions after
######################################################################
STLS_connection
ifdef(`_PT_F_access_db', `R$* $| <$*>$*			$: $1 $| <$2>
R$* $| <PERM + $={Tls} $*>	$: $1 $| <503:5.7.0> <$2 $3>
R$* $| <TEMP + $={Tls} $*>	$: $1 $| <403:4.7.0> <$2 $3>
R$* $| <$={Tls} $*>		$: $1 $| <454:4.7.0> <$2 $3>
RSOFTWARE $| <$-:$+> $*		$#error $@ $2 $: $1 " TLS handshake failed."
RSOFTWARE $| $*		$#error $@ 4.7.0 $: "454 TLS handshake failed."
RPROTOCOL $| <$-:$+> $*		$#error $@ $2 $: $1 " STARTTLS failed."
RPROTOCOL $| $*		$#error $@ 4.7.0 $: "454 STARTTLS failed."
RDANE_FAIL $| <$-:$+> $*		$#error $@ $2 $: $1 " DANE check failed."
RDANE_FAIL $| $*		$#error $@ 4.7.0 $: "454 DANE check failed."
RCONFIG $| <$-:$+> $*		$#error $@ $2 $: $1 " STARTTLS temporarily not possible."
RCONFIG $| $*		$#error $@ 4.7.0 $: "454 STARTTLS temporarily not possible."
R$* $| <$*> <VERIFY>		$: <$2> <VERIFY> <> $1
R$* $| <$*> <VERIFY + $+>	$: <$2> <VERIFY> <$3> $1
R$* $| <$*> <$={Tls}:$->$*	$: <$2> <$3:$4> <> $1
R$* $| <$*> <$={Tls}:$- + $+>$*	$: <$2> <$3:$4> <$5> $1
R$* $| $*			$@ OK				no requirement
R<$*><VERIFY> <> $={TlsVerified}	$@ OK
R<$*><VERIFY> <$+> $={TlsVerified}	$: <$1> <REQ:0> <$2>
R<$*><VERIFY:$-> <$*> $={TlsVerified}	$: <$1> <REQ:$2> <$3>
R<$*><ENCR:$-> <$*> $*		$: <$1> <REQ:$2> <$3>
R<$-:$+><VERIFY $*> <$*>	$#error $@ $2 $: $1 " authentication required"
R<$-:$+><VERIFY $*> <$*> FAIL	$#error $@ $2 $: $1 " authentication failed"
R<$-:$+><VERIFY $*> <$*> NO	$#error $@ $2 $: $1 " not authenticated"
R<$-:$+><VERIFY $*> <$*> NOT	$#error $@ $2 $: $1 " no authentication requested"
R<$-:$+><VERIFY $*> <$*> NONE	$#error $@ $2 $: $1 " other side does not support STARTTLS"
R<$-:$+><VERIFY $*> <$*> CLEAR	$#error $@ $2 $: $1 " STARTTLS disabled locally"
R<$-:$+><VERIFY $*> <$*> $+	$#error $@ $2 $: $1 " authentication failure " $4
R<$*><REQ:$-> <$*>		$: <$1> <REQ:$2> <$3> $>TlsMaxBits $&{cipher_bits} : $&{auth_ssf}
R<$*><REQ:$-> <$*> $-		$: <$1> <$2:$4> <$3> $(arith l $@ $4 $@ $2 $)
R<$-:$+><$-:$-> <$*> TRUE	$#error $@ $2 $: $1 " encryption too weak " $4 " less than " $3
R<$-:$+><$-:$-> <$*> $*		$: <$1:$2 ++ $5>
R<$-:$+ ++ >			$@ OK
R<$-:$+ ++ $+ >			$: <$1:$2> <$3>
R<$-:$+> < $+ ++ $+ >		<$1:$2> <$3> <$4>
R<$-:$+> $+			$@ $>TLS_req $3 $| <$1:$2>

# TLS_req: the extensions ([<req> ...] $| <reply:status>)
STLS_req
R $| $+		$@ OK
R<CN> $* $| <$+>		$: <CN:$&{TLS_Name}> $1 $| <$2>
R<CN:$&{cn_subject}> $* $| <$+>		$@ $>TLS_req $1 $| <$2>
ifdef(`_PT_F_check_cert_altnames', `R<CN:$={cert_altnames}> $* $| <$+>	$@ $>TLS_req $2 $| <$3>
R<CN:$-.$+> $* $| <$+>			$: <CN:*.$2> $3 $| <$4>
R<CN:$={cert_altnames}> $* $| <$+>	$@ $>TLS_req $3 $| <$3>
R<CN:$*> $* $| <$+>			$: <CN:$&{TLS_Name}> $2 $| <$3>
')dnl
R<CN:$+> $* $| <$-:$+>	$#error $@ $4 $: $3 " CN " $&{cn_subject} " does not match " $1
R<CS:$&{cert_subject}> $* $| <$+>	$@ $>TLS_req $1 $| <$2>
R<CS:$+> $* $| <$-:$+>	$#error $@ $4 $: $3 " Cert Subject " $&{cert_subject} " does not match " $1
R<CI:$&{cert_issuer}> $* $| <$+>	$@ $>TLS_req $1 $| <$2>
R<CI:$+> $* $| <$-:$+>	$#error $@ $4 $: $3 " Cert Issuer " $&{cert_issuer} " does not match " $1
R<CITag:$-> $* $| <$+>	$: <$(access $1:$&{cert_issuer} $: ? $)> $2 $| <$3>
R<?> $* $| <$-:$+>	$#error $@ $3 $: $2 " Cert Issuer " $&{cert_issuer} " not acceptable"
R<OK> $* $| <$+>	$@ $>TLS_req $1 $| <$2>
ROK			$@ OK

# TlsMaxBits: the larger of two numbers a:b
STlsMaxBits
R:		$: 0
R:$-		$: $1
R$-:		$: $1
R$-:$-		$: $(arith l $@ $1 $@ $2 $) : $1 : $2
RTRUE:$-:$-	$: $2
R$-:$-:$-	$: $2
', `RSOFTWARE	$#error $@ 4.7.0 $: "454 TLS handshake failed."
RDANE_FAIL	$#error $@ 4.7.0 $: "454 DANE check failed."
RPROTOCOL	$#error $@ 4.7.0 $: "454 STARTTLS failed."
RCONFIG		$#error $@ 4.7.0 $: "454 STARTTLS temporarily not possible."
')dnl

######################################################################
# RelayTLS: a verified client certificate whose issuer (or subject) the
# access map marks RELAY may relay
######################################################################
SRelayTLS
ifdef(`_PT_F_access_db', `R$*			$: <?> $&{verify}
R<?> $={TlsVerified}	$: OK
R<?> $*			$@ NO
R$*			$: $&{cert_issuer}
R$+			$: $(access CERTISSUER:$1 $)
RRELAY			$# RELAY
RSUBJECT		$: <@> $&{cert_subject}
R<@> $+			$: <@> $(access CERTSUBJECT:$1 $)
R<@> RELAY		$# RELAY
R$*			$: NO
')dnl

######################################################################
# authinfo: credentials for authenticating as a client (AuthInfo:)
######################################################################
Sauthinfo
ifdef(`_PT_F_authinfo', `R$*		$: <$(authinfo AuthInfo:$&{server_name} $: ? $)>
R<?>		$: <$(authinfo AuthInfo:$&{server_addr} $: ? $)>
R<?>		$: <$(authinfo AuthInfo: $: ? $)>
R<?>		$@ no
R<$*>		$# $1
', `ifdef(`_PT_F_access_db', `R$*		$: $1 $| $>AccDomain <$&{server_name}> <?> <! AuthInfo> <>
R$* $| <?>$*	$: $1 $| $>AccAddr <$&{server_addr}> <?> <! AuthInfo> <>
R$* $| <?>$*	$: $1 $| <$(access AuthInfo: $: ? $)> <>
R$* $| <?>$*	$@ no
R$* $| <$*> <>	$# $2
')')dnl

ifdef(`_PT_F_ratecontrol', `######################################################################
# RateControl and ConnControl: ClientRate: and ClientConn: limits
######################################################################
SRateControl
R$*		$: <A:$&{client_addr}> <E:>
R$+		$: $>AccList <! ClientRate> $| $1 <>
R<?>		$@ OK
R<$* <TMPF>>	$#error $@ 4.3.0 $: _PT_TMPF_
R<0>		$@ OK
R<$+>		$: <$1> $| $(arith l $@ $1 $@ $&{client_rate} $)
R<$+> $| TRUE	$#error $@ 4.3.2 $: ifdef(`_PT_RATE_421_', `421', `452') Connection rate limit exceeded.

')dnl
ifdef(`_PT_F_conncontrol', `SConnControl
R$*		$: <A:$&{client_addr}> <E:>
R$+		$: $>AccList <! ClientConn> $| $1 <>
R<?>		$@ OK
R<$* <TMPF>>	$#error $@ 4.3.0 $: _PT_TMPF_
R<0>		$@ OK
R<$+>		$: <$1> $| $(arith l $@ $1 $@ $&{client_connections} $)
R<$+> $| TRUE	$#error $@ 4.3.2 $: ifdef(`_PT_CONN_421_', `421', `452') Too many open connections.

')dnl
ifdef(`_PT_F_greet_pause', `######################################################################
# greet_pause: how long to wait before the greeting (GreetPause:)
######################################################################
SLocal_greet_pause
Sgreet_pause
R$*			$: <$1><?> $| $>Local_greet_pause $1
R<$*><?> $| $#$*	$#$2
R<$*><?> $| $*		$: $1
ifdef(`_PT_F_access_db', `R$+ $| $+		$: $>AccDomain < $1 > <?> <! GreetPause> < $2 >
R   $| $+		$: $>AccAddr < $1 > <?> <! GreetPause> <>
R<?> <$+>		$: $>AccAddr < $1 > <?> <! GreetPause> <>
R<?> <$*>		ifelse(_PT_GREET_PAUSE_, `', `$@', `$# _PT_GREET_PAUSE_')
R<$* <TMPF>> <$*>	$@
R<$+> <$*>		$# $1
', `ifelse(_PT_GREET_PAUSE_, `', `', `R$*		$# _PT_GREET_PAUSE_
')')dnl

')dnl
ifdef(`_PT_F_queuegroup', `######################################################################
# queuegroup: the queue group of a recipient (QGRP:)
######################################################################
Squeuegroup
R< $+ >		$1
R $+ @ $+	$: $>AccList <! qgrp> $| <F:$1@$2> <D:$2> <>
R<?>		ifelse(_PT_QGRP_DEFAULT_, `', `$@', `$# _PT_QGRP_DEFAULT_')
R<$+>		$# $1

')dnl
ifdef(`_PT_F_check_other', `######################################################################
# check_other: a command that looks like a header line ends the session
######################################################################
Scheck_other
R$* $| 2	$@ ok
R$+ $| 5	$: $(badcmd $1 $)
R$*<BADCMD>	$#error $@ 4.7.0 $: 421 bad command

')dnl
ifdef(`_PT_F_tls_session_features', `######################################################################
# tls_srv_features, tls_clt_features: TLS settings per peer
# (TLS_Srv_Features:, TLS_Clt_Features: with the name, then the address)
######################################################################
Stls_srv_features
R$* $| $*		$: $>AccDomain <$1> <?> <! TLS_Srv_Features> <$2>
R<?> <$*>		$: $>AccAddr <$1> <?> <! TLS_Srv_Features> <$1>
R<?> <$*>		$@ ""
R<$+> <$*>		$@ $1

STlsCltFeatures
R$* $| $*		$: $>AccDomain <$1> <?> <! TLS_Clt_Features> <$2>
R<?> <$*>		$: $>AccAddr <$1> <?> <! TLS_Clt_Features> <$1>
R<?> <$*>		$@ ""
R<$+> <$*>		$@ $1

Stls_clt_features
R$*			$: $1 $| <>
R$* $| <>		$: $1 $| $>TlsCltFeatures $1
R$* $| $* $| $*		$: $1 $| $2 $| <$3>
R$* $| $* $| <"">	$@ ""
R$* $| $* $| <$+>	$@ $3
R$*			$@ ""

')dnl
ifdef(`_PT_F_compat_check', `######################################################################
# check_compat: sender and recipient pairs (Compat:sender<@>recipient)
######################################################################
Scheck_compat
R< $+ > $| $+		$: $1 $| $2
R$+ $| < $+ >		$: $1 $| $2
R$+ $| $+		$: <$(access Compat:$1<@>$2 $:OK $)>
R$* $| $*		$@ ok
R< DISCARD:$* >	$#discard $: $1 " - discarded by check_compat"
R< DISCARD $* >	$#discard $: $1 " - discarded by check_compat"
R< TEMP:$* >	$#error $@ TEMPFAIL $: $1 " error from check_compat. Try again later"
R< ERROR:$* >	$#error $@ UNAVAILABLE $: $1 " error from check_compat"

')dnl
ifdef(`_PT_F_badmx', `######################################################################
# BadMX: a sender domain whose MX hosts are invalid or private
######################################################################
SBadMX
R$+				$:<MX><$1><:$(mxlist $1$):><:>
R<MX><$+><:$*<TEMP>:><$*>	$#error $@ 4.1.2 $: "450 MX lookup failure for "$1
R<MX><$*><:$+:$*><:$*>		<MX><$1><:$3><: $4 $(badmx $2 $):>
R<MX><$*><$*><$*<BADMX>:$*>	$#error $@ 5.1.2 $:"550 Illegal MX record for host "$1
R<MX><$*><$*><$*>		$:<MX><$1><$3><$2>
R<MX><$*><:$+:$*><:$*>		<MX><$1><:$3><:$4 $(dnsA $2 $) :>
R<MX><$*><$*><$*>		$:<MX><$1><$3><$2>
R<MX><$*><:$+:$*><:$*>		<MX><$1><:$3><:$4 $(BadMXIP $2 $) :>
R<MX><$*><$*><$*<BADMXIP>:$*>	$#error $@ 5.1.2 $:"550 Invalid MX record for host "$1

')dnl
ifdef(`_PT_F_msp', `######################################################################
# the submission program hands every local address to the MTA
######################################################################
SLocal_localaddr
R$+			$: $>RcptStrip $1
R$* < @ $+ > $*		$#_PT_RELAY_MAILER_ $@ ${MTAHost} $: $1 < @ $2 > $3
ifdef(`_USE_DECNET_SYNTAX_', `R$+ :: $+		$#_PT_RELAY_MAILER_ $@ ${MTAHost} $: $1 :: $2
')dnl
R$*			$#_PT_RELAY_MAILER_ $@ ${MTAHost} $: $1 < @ $j >

')dnl
######################################################################
# the rulesets of the site
######################################################################
undivert(16)dnl

