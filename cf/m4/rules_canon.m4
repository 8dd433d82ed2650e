dnl rules_canon.m4: canonicalization (ruleset 3 and its tail), the final
dnl rewrite (ruleset 4), rulesets 1 and 2, and the re-parse helper.
dnl Addresses leave ruleset 3 as  local-part < @ host . >  with the host
dnl focused in angle brackets and a trailing dot once it is known canonical.
######################################################################
# canonify (3): bring an address to the focused form
######################################################################
Scanonify=3
R$@			$@ <@>				nothing: the null address
# group syntax "phrase: list;" outside angle brackets keeps its list
R$*			$: <Grp> $1			may be a group
R<Grp> $* < $* > $*	$: $1 < $2 > $3			has <>: not a group
R<Grp> @ $*		$: @ $1				route address
R<Grp> $* [ IPv6 : $+ ]	$: $1 [ IPv6 : $2 ]		IPv6 literal
R<Grp> $* : : $*	$: $1 : : $2			DECnet node::user
R<Grp> : include : $*	$: : include : $1		:include: file
R$* : $* [ $* ]		$: <Grp> $1 : $2 [ $3 ]		phrase before a literal
R<Grp> $* : $*		$: $2				drop the phrase
R<Grp> $*		$: $1				no group after all
R$* ;			$1				trailing semicolons
R$* < $+ : ; > $*	$@ $2 : ; <@>			<list:;>
R$* < $* ; >		$1 < $2 >			semicolon inside <>
R$@			$@ : ; <@>			empty list
R< @ >			$@ : ; <@>			<@> alone is an empty list too
# keep the innermost <...>, then take the brackets off
R$*			$: < $1 >
R$+ < $* >		< $2 >				text before <
R< $* > $+		< $1 >				text after >
R<>			$@ < @ >			<> (MAIL FROM:<>)
R< $+ >			$: $1
# source routes: <@a,@b:user@c> is user@c
R@ $+ , $+		$2
R@ [ $* ] : $+		$2
R@ $+ : $+		$2
# list syntax inside brackets
R $+ : $* ; @ $+	$@ $>CanonTail $1 : $2 ; < @ $3 >
R $+ : $* ;		$@ $1 : $2;
# focus on the rightmost @
R$+ @ $+		$: $1 < @ $2 >
R$+ < $+ @ $+ >		$1 $2 < @ $3 >
R$+ < @ $+ >		$@ $>CanonTail $1 < @ $2 >
ifdef(`_USE_DECNET_SYNTAX_', `# DECnet: node::user
R$+ : : $+		$@ $>CanonTail $2 < @ $1 .DECNET >
')dnl
ifdef(`_PT_NO_UUCP_', `', `# bang paths: host!user, domain.host!user
R$- ! $+		$@ $>CanonTail $2 < @ $1 .UUCP >
R$+ . $- ! $+		$@ $>CanonTail $3 < @ $1 . $2 >
R$+ ! $+		$@ $>CanonTail $2 < @ $1 .UUCP >
')dnl
ifdef(`_PT_NO_PERCENT_', `', `# the percent hack: the rightmost % routes
R$* % $*		$1 @ $2
R$* @ $* @ $*		$1 % $2 @ $3
')dnl
R$* @ $*		$@ $>CanonTail $1 < @ $2 >
R$*			$@ $>CanonTail $1		local name

######################################################################
# CanonTail: make the focused host canonical
######################################################################
SCanonTail
# localhost is this host
R$* < @ localhost > $*		$: $1 < @ $j . > $2
R$* < @ localhost . $m > $*	$: $1 < @ $j . > $2
ifdef(`_PT_NO_UUCP_', `', `R$* < @ localhost . UUCP > $*	$: $1 < @ $j . > $2
')dnl
# address literals: our own is this host, others stay as they are
R$* < @ [ $+ ] > $*		$: $1 < @ <Lit> [ $2 ] > $3
R$* < @ <Lit> $=w > $*		$: $1 < @ $j . > $3
R$* < @ <Lit> $+ > $*		$@ $1 < @ $2 > $3
ifdef(`_PT_F_domaintable', `# rename domains through the domain table
R$* < @ $+ > $*		$: $1 < @ $(domaintable $2 $) > $3
')dnl
undivert(11)dnl
ifdef(`_PT_NO_UUCP_', `', `ifdef(`_PT_F_nocanonify', `', `# a .UUCP host may be one of ours
R$* < @ $+ . UUCP > $*		$: $1 < @ $[ $2 $] . UUCP . > $3
R$* < @ $+ . . UUCP . > $*	$@ $1 < @ $2 . > $3
')')dnl
# hosts ending in a pseudo domain (class P) are canonical as they are
R$* < @ $* $=P > $*		$: $1 < @ $2 $3 . > $4
ifdef(`_PT_F_nocanonify', `dnl
R$* < @ $* $~P > $*		$: $&{daemon_flags} $| $1 < @ $2 $3 > $4
R$* $| $* < @ $* $={Canonify} > $*	$: $2 < @ $[ $3 $4 $] > $5
R$* c $* $| $* < @ $* > $*	$: $3 < @ $[ $4 $] > $5
R$* $| $* < @ $+ . > $*		$: $2 < @ $3 . > $4
R$* $| $* < @ $+ . $+ > $*	$: $2 < @ $3 . $4 . > $5
ifelse(_PT_NOCANON_HOSTS_, `1', `R$* $| $* < @ $* > $*		$: $2 < @ $[ $3 $] > $4
')dnl
R$* $| $*			$: $2
', `dnl
R$* < @ $* $~P > $*		$: $&{daemon_flags} $| $1 < @ $2 $3 > $4
R$* CC $* $| $* < @ $+ . $+ > $*	$: $3 < @ $4 . $5 . > $6
R$* CC $* $| $*			$: $3
R$* $| $* < @ $* > $*		$: $2 < @ $[ $3 $] > $4
R$* $| $*			$: $2
')dnl
# names of this host and the domains we answer for are canonical
R$* < @ $=w > $*		$: $1 < @ $2 . > $3
ifdef(`_PT_F_masquerade_entire_domain',
`R$* < @ $* $=M > $*		$: $1 < @ $2 $3 . > $4
', `R$* < @ $=M > $*		$: $1 < @ $2 . > $3
')dnl
ifdef(`_PT_F_virtusertable', `ifdef(`_PT_F_virtuser_entire_domain',
`R$* < @ $* $={VirtHost} > $*	$: $1 < @ $2 $3 . > $4
', `R$* < @ $={VirtHost} > $*	$: $1 < @ $2 . > $3
')')dnl
ifdef(`_PT_F_genericstable', `ifdef(`_PT_F_generics_entire_domain',
`R$* < @ $* $=G > $*		$: $1 < @ $2 $3 . > $4
', `R$* < @ $=G > $*		$: $1 < @ $2 . > $3
')')dnl
R$* < @ $* . . > $*		$1 < @ $2 . > $3		one trailing dot

######################################################################
# final (4): back from the focused form to a plain address
######################################################################
Sfinal=4
R$+ : ; <@>		$@ $1 :				list:;
R$* <@>			$@				the null address
R$* < @ $+ . > $*	$1 < @ $2 > $3			no trailing dot
R$* < @ *LOCAL* > $*	$1 < @ $j > $2
R$* < $+ > $*		$1 $2 $3			unfocus
R@ $+ : @ $+ : $+	@ $1 , @ $2 : $3		route: commas between hops
R@ $*			$@ @ $1
ifdef(`_PT_NO_UUCP_', `', `R$+ @ $- . UUCP		$2!$1				h.UUCP addresses as h!u
')dnl
R$+ % $=w @ $=w		$1 @ $2				u%here@here is u@here

######################################################################
# Reparse: canonicalize again and parse (local: and route helpers)
######################################################################
SReparse
R$*			$: $>canonify $1
R$*			$@ $>parse $1

######################################################################
# rulesets 1 and 2: every sender and every recipient
######################################################################
Ssender=1
undivert(14)dnl

Srecipient=2
undivert(15)dnl

