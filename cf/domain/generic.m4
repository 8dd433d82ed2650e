divert(-1)
dnl # DOMAIN(`generic'): settings that suit most sites: .forward files with
dnl # +detail and per-host variants, header size limit, user@host.REDIRECT
dnl # bounces, local-host-names, and root shown as itself when masquerading.
define(`confFORWARD_PATH', `$z/.forward.$w+$h:$z/.forward+$h:$z/.forward.$w:$z/.forward')
define(`confMAX_HEADERS_LENGTH', `32768')
FEATURE(`redirect')
FEATURE(`use_cw_file')
EXPOSED_USER(`root')
