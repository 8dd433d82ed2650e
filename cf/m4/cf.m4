divert(-1)
dnl #
dnl # Petrel's m4 configuration package: the entry point.
dnl #
dnl #   m4 <cfdir>/m4/cf.m4 site.mc > site.cf
dnl # or, at the top of site.mc:
dnl #   include(`<cfdir>/m4/cf.m4')
dnl #
dnl # The package implements the macro interface that sendmail's cf/README
dnl # documents (OSTYPE, DOMAIN, FEATURE, MAILER, define(`confX'), the class and
dnl # section macros).  Everything it prints is collected while the .mc is read
dnl # and written out, in order, when the input ends (see m4/emit.m4).
dnl #
dnl # _CF_DIR_ is the package root with a trailing slash.  It may be given on the
dnl # command line (-D_CF_DIR_=/path/); otherwise it is derived from the name this
dnl # file was read under.
dnl #
ifdef(`_PT_LOADED_', `', `
define(`_PT_LOADED_', `1')
changecom()
ifdef(`_CF_DIR_', `',
	`ifelse(index(__file__, `/'), `-1',
		`define(`_CF_DIR_', `../')',
		`define(`_CF_DIR_', substr(__file__, 0, eval(len(__file__) - 8)))')')
define(`_PT_INCLUDE_', defn(`include'))
dnl # An .mc compiled as m4 (this package)/m4/cf.m4 site.mc may include
dnl # another copy of cf.m4 itself (the files of Debian and RHEL name theirs):
dnl # such an include of any m4/cf.m4 is skipped once this package is loaded.
define(`include', `ifelse(`$#', `0', ``include'',
	regexp(`$1', `\(^\|/\)m4/cf\.m4$'), `-1', `_PT_INCLUDE_(`$1')', `_PT_NOTE_()')')
_PT_INCLUDE_(_CF_DIR_`m4/version.m4')
_PT_INCLUDE_(_CF_DIR_`m4/util.m4')
_PT_INCLUDE_(_CF_DIR_`m4/macros.m4')
_PT_INCLUDE_(_CF_DIR_`m4/options.m4')
_PT_INCLUDE_(_CF_DIR_`m4/emit.m4')
m4wrap(`_PT_FINISH_')
')
divert(0)dnl
