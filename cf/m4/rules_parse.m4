dnl rules_parse.m4: ruleset 0 (parse) and what it calls, and ruleset 5.
dnl parse returns a triple: $# mailer $@ host $: user.
######################################################################
# parse (0)
######################################################################
Sparse=0
R$*			$: $>Parse0 $1			syntax checks, local names
R<@>			$#_PT_LOCAL_MAILER_ $: <@>		the null address (errors)
R$*			$: $>ParseLocal $1		rules of the site
R$*			$: $>Parse1 $1			routing

######################################################################
# Parse0: reject bad syntax; strip our own names from routed addresses.
# It returns the address, or an error triple, never another mailer.
######################################################################
SParse0
R<@>			$@ <@>
R$* : $* ; <@>		$#error $@ 5.1.3 $: "553 List:; syntax illegal for recipient addresses"
R@ <@ $* >		< @ $1 >			@@host
R<@ $+>			$#error $@ 5.1.3 $: "553 User address required"
R$+ <@>			$#error $@ 5.1.3 $: "553 Hostname required"
# address literals: routes through them are fine, junk after them is not
R$*			$: <Lit?> $1
R<Lit?> $* < @ [ $* ] : $+ > $*	$: $1 < @ [ $2 ] : $3 > $4
R<Lit?> $* < @ [ $* ] , $+ > $*	$: $1 < @ [ $2 ] , $3 > $4
R<Lit?> $* < @ [ $* ] $+ > $*	$#error $@ 5.1.2 $: "553 Invalid address"
R<Lit?> $* < @ [ $+ ] > $*	$: $1 < @ [ $2 ] > $3
R<Lit?> $* < $* : $* > $*	$#error $@ 5.1.3 $: "553 Colon illegal in host name part"
R<Lit?> $*		$: $1
R$* < @ . $* > $*	$#error $@ 5.1.2 $: "553 Invalid host name"
R$* < @ $* . . $* > $*	$#error $@ 5.1.2 $: "553 Invalid host name"
R$* < @ $* @ > $*	$#error $@ 5.1.2 $: "553 Invalid route address"
R$* @ $* < @ $* > $*	$#error $@ 5.1.3 $: "553 Invalid route address"
R$* , $~O $*		$#error $@ 5.1.3 $: "553 Invalid route address"
# our own names in front of a route or a %-hack come off
R$* < @ > $*		$@ $>Parse0 $>canonify $1		user@
R< @ $=w . > : $*	$@ $>Parse0 $>canonify $2		@here:route
R$- < @ $=w . >		$: $(dequote $1 $) < @ $2 . >		"user"@here
R< @ $+ >		$#error $@ 5.1.3 $: "553 User address required"
R$* $=O $* < @ $=w . >	$@ $>Parse0 $>canonify $1 $2 $3	route%host@here
R$-			$: $(dequote $1 $) < @ *LOCAL* >	"user"
R< @ *LOCAL* >		$#error $@ 5.1.3 $: "553 User address required"
R$* $=O $* < @ *LOCAL* >	$@ $>Parse0 $>canonify $1 $2 $3	route%host
R$* < @ *LOCAL* >	$: $1

######################################################################
# Parse1: pick the mailer
######################################################################
SParse1
# address literals: site rules first, then the smart host, if any
R$* < @ [ $+ ] > $*	$: $>ParseLocal $1 < @ [ $2 ] > $3
ifdef(`_PT_SMTP_DEFINED_', `R$* < @ [ $+ ] > $*	$: $1 < @ [ $2 ] : $S > $3
R$* < @ [ $+ ] : > $*		$#_PT_SMTP_MAILER_ $@ [$2] $: $1 < @ [$2] > $3
R$* < @ [ $+ ] : $- : $*> $*	$#$3 $@ $4 $: $1 < @ [$2] > $5
R$* < @ [ $+ ] : $+ > $*	$#_PT_SMTP_MAILER_ $@ $3 $: $1 < @ [$2] > $4
')dnl
ifdef(`_PT_F_virtusertable', `_PT_RULES_(`rules_virtuser')')dnl
ifdef(`_PT_F_stickyhost', `# stickyhost: user@here goes to the hub with its envelope unchanged
R$+ < @ $=w . >		$: < $H > $1 < @ $2 . >
R< $+ > $+ < $+ >	$@ $>HostToTriple < $1 > $2 < $3 >
R< > $+ + $* < $+ >	$#_PT_LOCAL_MAILER_ $: $1 + $2
R< > $+ < $+ >		$#_PT_LOCAL_MAILER_ $: @ $1
', `ifdef(`_PT_USENET_', `R$+ . USENET < @ $=w . >	$#usenet $@ usenet $: $1		news
')dnl
# local names; class L skips ruleset 5 (the "@")
R$=L < @ $=w . >	$#_PT_LOCAL_MAILER_ $: @ $1
R$+ < @ $=w . >		$#_PT_LOCAL_MAILER_ $: $1
')dnl
ifdef(`_PT_F_mailertable', `# the mailer table: host, then its parent domains, then "."
R$* < @ $+ > $*		$: < $2 > $1 < @ $2 > $3
R< $+ . > $*		$: < $1 > $2
R< $+ > $*		$: < $(mailertable $1 $) > $2
R< $~[ : $* > $*	$@ $>HostToTriple < $1 : $2 > $3
R< $+ > $*		$: $>MTDomains <$1> $2
')dnl
ifdef(`BITNET_RELAY', `R$* < @ $+ .BITNET. > $*	$: $>HostToTriple < $B > $1 < @ $2 .BITNET. > $3
')dnl
ifdef(`DECNET_RELAY', `R$* < @ $+ .DECNET. > $*	$: $>HostToTriple < $C > $1 < @ $2 .DECNET. > $3
')dnl
ifdef(`FAX_RELAY', `R$* < @ $+ .FAX. > $*		$: $>HostToTriple < $F > $1 < @ $2 .FAX. > $3
')dnl
ifdef(`UUCP_RELAY', `R$* < @ $+ .UUCP. > $*	$: $>HostToTriple < $Y > $1 < @ $2 .UUCP. > $3
')dnl
ifdef(`_PT_F_bestmx_is_local', `# hosts that name us as their best MX are local
ifelse(_PT_BESTMX_LIMITED_, `1',
`R$* < @ $* $=B . > $*		$: $1 < @ $2 $3 . @@ $(bestmx $2 $3 . $) > $4',
`R$* < @ $* > $*			$: $1 < @ $2 @@ $(bestmx $2 $) > $3')
R$* $=O $* < @ $* @@ $=w . > $*	$@ $>Reparse $1 $2 $3
R< @ $* @@ $=w . > : $*		$@ $>Reparse $3
R$* < @ $* @@ $=w . > $*	$@ $>LocalTriple < $1 >
R$* < @ $* @@ $* > $*		$: $1 < @ $2 > $4
')dnl
ifdef(`_PT_USENET_', `R$+ . USENET		$#usenet $@ usenet $: $1
')dnl
undivert(13)dnl
# anything else with a host: the smart host, or SMTP to the host itself
R$* < @ $* > $*		$: $>HostToTriple < $S > $1 < @ $2 > $3
ifdef(`_PT_SMTP_DEFINED_', `R$* < @$* > $*		$#_PT_SMTP_MAILER_ $@ $2 $: $1 < @ $2 > $3
', `R$* < @$* > $*		$#error $@ 5.1.2 $: "553 Unrecognized host name " $2
')dnl
R$=L			$#_PT_LOCAL_MAILER_ $: @ $1
R$+			$#_PT_LOCAL_MAILER_ $: $1

######################################################################
# localaddr (5): a local user that is not an alias
######################################################################
SLocal_localaddr
Slocaladdr=5
R$+			$: $1 $| $>Local_localaddr $1
R$+ $| $#ok		$@ $1				site rules: keep as is
R$+ $| $#$*		$#$2				site rules: decided
R$+ $| $*		$: $1
ifdef(`_PT_F_preserve_luser_host', `# remember in {Host} the host part the address came with
R$+			$: $1 $| $&h $| $&{Host}
R$+ $| $|		$: $(macro {Host} $@ $) $1
R$+ $| $| $+		$: $1
R$+ $| +$* $| $*	$: $1
R$+ $| $* @ $+ $| $*	$: $(macro {Host} $@ @$3 $) $1
R$+ $| $+ $| $*		$: $(macro {Host} $@ @$2 $) $1
')dnl
ifdef(`_PT_F_preserve_local_plus_detail', `', `# user+detail: aliases see user+detail, user+* and user
R$+ + *			$#_PT_LOCAL_MAILER_ $@ $&h $: $1
R$+ + $*		$#_PT_LOCAL_MAILER_ $@ + $2 $: $1 + *
')dnl
R$+			$: <> $1			no forward host yet
ifdef(`LUSER_RELAY', `# users without an account go to the luser relay
ifdef(`_PT_F_preserve_local_plus_detail', `R< > $+ + $*		$: < ? $L > <+ $2> $(user $1 $)
R< > $+			$: < ? $L > < > $(user $1 $)
R< ? $* > < $* > $+ <>	$: < > $3 $2
R< ? $* > < $* > $+	$: < $1 > $3 $2
', `R< > $+			$: < $L > $(user $1 $)
R< $* > $+ <>		$: < > $2
')dnl
ifdef(`_PT_F_preserve_luser_host', `R< $+ > $+		$: < $1 > $2 $&{Host}
')dnl
')dnl
ifdef(`MAIL_HUB', `R< > $+			$: < $H > $1			the hub
')dnl
ifdef(`LOCAL_RELAY', `R< > $+			$: < $R > $1			the local relay
')dnl
ifdef(`_PT_F_preserve_local_plus_detail', `R< > $+			$@ $1
', `# put a +detail back and deliver locally
R< > $+			$: < > < $1 <> $&h >
ifdef(`_PT_F_preserve_luser_host', `R< > < $+ @ $+ <> + $* >	$: < > < $1 + $3 @ $2 >
')dnl
R< > < $+ <> + $* >	$: < > < $1 + $2 >
R< > < $+ <> $* >	$: < > < $1 >
R< > < $+ + $* > $*	   < > < $1 > + $2 $3
R< > < $+ > + $*	$#_PT_LOCAL_MAILER_ $@ $2 $: @ $1
R< > < $+ >		$@ $1
R$+			$: $1 <> $&h
ifdef(`_PT_F_preserve_luser_host', `R$+ @ $+ <> + $*	$: $1 + $3 @ $2
')dnl
R$+ <> + $*		$: $1 + $2
R$+ <> $*		$: $1
')dnl
# a forward host was chosen
R< local : $* > $*	$: $>HostToTriple < local : $1 > $2
R< error : $* > $*	$: $>HostToTriple < error : $1 > $2
ifdef(`_PT_F_preserve_luser_host', `R< $~[ : $+ > $+ @ $+	$: $>HostToTriple < $1 : $2 > $3 < @ $4 >
')dnl
R< $~[ : $+ > $+	$: $>HostToTriple < $1 : $2 > $3 < @ $2 >
ifdef(`_PT_F_preserve_luser_host', `R< $+ > $+ @ $+		$@ $>HostToTriple < $1 > $2 < @ $3 >
')dnl
R< $+ > $+		$@ $>HostToTriple < $1 > $2 < @ $1 >

ifdef(`_PT_F_mailertable', `######################################################################
# MTDomains: the parent domains of a host in the mailer table;
# %1 in a value is the part of the host name that was stripped
######################################################################
SMTDomains
R$* <$- . $+ > $*	$: $1$2 < $(mailertable .$3 $@ $1$2 $@ $2 $) > $4
R$* <$~[ : $* > $*	$@ $>HostToTriple < $2 : $3 > $4
R$* < . $+ > $*		$@ $>MTDomains $1 . <$2> $3
R$* < $* > $*		$: < $(mailertable . $@ $1$2 $) > $3
R< $~[ : $* > $*	$@ $>HostToTriple < $1 : $2 > $3
R< $* > $*		$@ $2

')dnl
######################################################################
# HostToTriple: < mailer:host > address  to a triple
######################################################################
SHostToTriple
R< > $*				$@ $1			no relay host
R< error : $-.$-.$- : $+ > $*	$#error $@ $1.$2.$3 $: $4
R< error : $- : $+ > $*		$#error $@ $(dequote $1 $) $: $2
R< error : $+ > $*		$#error $: $1
R< local : $* > $*		$@ $>LocalTriple < $1 > $2
R< $~[ : $+ @ $+ > $*<$*>$*	$# $1 $@ $3 $: $2<@$3>	mailer:user@host
R< $~[ : $+ > $*		$# $1 $@ $2 $: $3	mailer:host
R< $=w > $*			$@ $2			ourselves: no relay
R< $+ > $*			$#_PT_RELAY_MAILER_ $@ $1 $: $2	host alone

######################################################################
# LocalTriple: local:[user] as a triple
######################################################################
SLocalTriple
R< $* > < @ $+ > : $+		$@ $>Reparse $3
R< $* > $+ $=O $+ < @ $+ >	$@ $>Reparse $2 $3 $4
R< $* > $* < @ $* . >		$: < $1 > $2 < @ $3 >
R< > $* < @ $* > $*		$#_PT_LOCAL_MAILER_ $@ $1@$2 $: $1
R< > $+				$#_PT_LOCAL_MAILER_ $@ $1 $: $1
R< $+ @ $+ > $* < @ $* >	$: < $1 > $3 < @ $4 >
R< $+ > $* <@ $* > $*		$#_PT_LOCAL_MAILER_ $@ $2@$3 $: $1
R< $+ > $*			$#_PT_LOCAL_MAILER_ $@ $2 $: $1

######################################################################
# ParseLocal (98): the site rules of ruleset 0
######################################################################
SParseLocal=98
ifdef(`_PT_F_redirect', `# user@host.REDIRECT: 551, except when only verifying aliases
R$* < @ $+ .REDIRECT. >		$: $1 < @ $2 . REDIRECT . > < ${opMode} >
R$* < @ $+ .REDIRECT. > <i>	$: $1 < @ $2 . REDIRECT. >
R$* < @ $+ .REDIRECT. > < $- >	$#error $@ 5.1.1 $: "551 User has moved; please try " <$1@$2>
')dnl
undivert(12)dnl

