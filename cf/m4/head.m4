######################################################################
#
#  sendmail.cf written by Petrel's cf package (_PT_CF_VERSION_)
ifdef(`_PT_MC_FILE_', `#  from _PT_MC_FILE_
')dnl
#
#  Generated file: edit the .mc and rebuild it (make -C /etc/mail);
#  changes made here are lost at the next build.
#
######################################################################

V10/Berkeley

ifdef(`confDONT_BLAME_SENDMAIL', `O DontBlameSendmail=confDONT_BLAME_SENDMAIL
')dnl
ifdef(`confLDAP_DEFAULT_SPEC', `O LDAPDefaultSpec=confLDAP_DEFAULT_SPEC
')dnl
ifdef(`confLDAP_CLUSTER', `D{sendmailMTACluster}confLDAP_CLUSTER
')dnl

##### this host
Cwlocalhost
ifdef(`_PT_F_use_cw_file', `Fw`'confCW_FILE
')dnl
ifdef(`confDOMAIN_NAME', `Dj`'confDOMAIN_NAME
')dnl
CP.
DS`'ifdef(`SMART_HOST', `SMART_HOST')
ifdef(`MAIL_HUB', `DH`'MAIL_HUB
')dnl
ifdef(`LOCAL_RELAY', `DR`'LOCAL_RELAY
')dnl
ifdef(`LUSER_RELAY', `Kuser user -m -a<>
DL`'LUSER_RELAY
')dnl
ifdef(`BITNET_RELAY', `DB`'BITNET_RELAY
CPBITNET
')dnl
ifdef(`DECNET_RELAY', `DC`'DECNET_RELAY
CPDECNET
')dnl
ifdef(`FAX_RELAY', `DF`'FAX_RELAY
CPFAX
')dnl
ifdef(`UUCP_RELAY', `DY`'UUCP_RELAY
')dnl
# characters that route mail and so may not appear in local names
CO @ ifdef(`_PT_NO_PERCENT_', `', `%') ifdef(`_PT_NO_UUCP_', `', `!')
C..
C[[
ifdef(`_PT_F_access_db', `C{Accept}OK RELAY
')dnl
ifdef(`_PT_F_delay_checks', `ifdef(`_PT_F_blocklist_recipients', `C{SpamTag}SPAMFRIEND SPAMHATER
')')dnl
ifdef(`_PT_F_accept_unresolvable_domains', `', `Kresolve host -a<OKR> -T<TEMP>
')dnl
C{ResOk}OKR
FR`'confCR_FILE
Karith arith
ifdef(`_PT_F_access_db', `define(`_PT_MACRO_MAP_', `1')')dnl
ifdef(`_PT_MACRO_MAP_', `Kmacro macro
')dnl
ifdef(`_PT_F_access_db', `C{Tls}VERIFY ENCR
C{TlsVerified}OK TRUSTED
')dnl
Kdequote dequote`'ifdef(`confDEQUOTE_OPTS', ` confDEQUOTE_OPTS')
ifdef(`_PT_CLASSES_', `_PT_CLASSES_()')dnl
ifdef(`_PT_VIRTHOST_', `CR$={VirtHost}
')dnl
ifdef(`_PT_MASQ_AS_', `DM`'_PT_MASQ_AS_
')dnl
ifdef(`_PT_F_msp', `D{MTAHost}_PT_MSP_HOST_
')dnl
Dn`'confMAILER_NAME
ifdef(`_PT_F_redirect', `CPREDIRECT
')dnl
ifdef(`_PT_MAPS_', `_PT_MAPS_()')dnl
undivert(10)dnl
DZ`'_PT_CF_VERSION_`'ifdef(`confCF_VERSION', `/confCF_VERSION')

##### options
_PT_OPTION_TABLE_(`_PT_OPTION_LINE_')dnl
ifdef(`_PT_QGROUPS_', `
##### queue groups
_PT_EMIT_(`_PT_QGROUPS_')')dnl

##### precedences
Pfirst-class=0
Pspecial-delivery=100
Plist=-30
Pbulk=-60
Pjunk=-100

##### trusted users
ifdef(`_PT_F_use_ct_file', `Ft`'confCT_FILE
')dnl
Troot
Tdaemon
ifdef(`_PT_NO_UUCP_', `', `Tuucp
')dnl
ifelse(defn(`confTRUSTED_USERS'), `', `', `T`'confTRUSTED_USERS
')dnl

##### headers
H?P?Return-Path: <$g>
HReceived: confRECEIVED_HEADER
H?D?Resent-Date: $a
H?D?Date: $a
H?F?Resent-From: confFROM_HEADER
H?F?From: confFROM_HEADER
H?x?Full-Name: $x
H?M?Resent-Message-Id: confMESSAGEID_HEADER
H?M?Message-Id: confMESSAGEID_HEADER

