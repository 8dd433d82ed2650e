divert(-1)
dnl #
dnl # util.m4: small helpers the rest of the package is built from.
dnl #
dnl # Names that start with _PT_ belong to this package; an .mc never needs them.
dnl #

dnl # m4's format() would swallow text such as "format(...)" in rule comments.
undefine(`format')

dnl # _PT_NOTE_: remember where in the .mc (or a site file outside the
dnl # package) the macro being expanded was called, for messages.
define(`_PT_NOTE_',
	`ifelse(index(__file__, _CF_DIR_), `0', `',
		`define(`_PT_MC_FILE_', __file__)define(`_PT_WHERE_', __file__:__line__)')')

dnl # _PT_HERE_: the place to name in a message: the current line, or the
dnl # .mc line that led here when the current file is one of the package.
define(`_PT_HERE_', `ifelse(index(__file__, _CF_DIR_), `0',
	`ifdef(`_PT_WHERE_', `_PT_WHERE_', __file__:__line__)', __file__:__line__)')

dnl # _PT_DIE_(text): stop m4 with a message that names the input file and line.
define(`_PT_DIE_', `errprint(_PT_HERE_`: error: '`$1'`
')m4exit(`1')')

dnl # _PT_DIE_AT_END_(text): the same, for checks made once the input has ended.
define(`_PT_DIE_AT_END_', `errprint(ifdef(`_PT_MC_FILE_', `_PT_MC_FILE_', `stdin')`: error: '`$1'`
')m4exit(`1')')

dnl # _PT_WARN_(text): a warning on stderr; the build goes on.
define(`_PT_WARN_', `errprint(_PT_HERE_`: warning: '`$1'`
')')

dnl # _PT_READABLE_(path, then, else): whether a file can be read.
define(`_PT_READABLE_', `syscmd(`test -r $1')ifelse(sysval, `0', `$2', `$3')')

dnl # _PT_APPEND_(name, text): appends text and a newline to macro name.
define(`_PT_APPEND_', `ifdef(`$1',
	`define(`$1', defn(`$1')`$2
')',
	`define(`$1', `$2
')')')

dnl # _PT_EMIT_(name): the text collected in macro name, if any.
define(`_PT_EMIT_', `ifdef(`$1', `defn(`$1')')')

dnl # _PT_SET_DEFAULT_(name, value): defines name unless the .mc already did.
define(`_PT_SET_DEFAULT_', `ifdef(`$1', `', `define(`$1', `$2')')')

dnl # _PT_LOWER_(text) and _PT_UPPER_(text): ASCII case mapping.
define(`_PT_LOWER_', `translit(`$1', `ABCDEFGHIJKLMNOPQRSTUVWXYZ', `abcdefghijklmnopqrstuvwxyz')')
define(`_PT_UPPER_', `translit(`$1', `abcdefghijklmnopqrstuvwxyz', `ABCDEFGHIJKLMNOPQRSTUVWXYZ')')

dnl # lower() and strcasecmp() are helpers older .mc and hack files call.
define(`lower', `_PT_LOWER_(`$1')')
define(`strcasecmp', `ifelse(_PT_LOWER_(`$1'), _PT_LOWER_(`$2'), `1', `0')')

dnl # _PT_CLASS_NAME_(name): the cf spelling of a class or macro name:
dnl # one character stays bare, longer names go in braces.
define(`_PT_CLASS_NAME_', `ifelse(len(`$1'), `1', `$1', `{$1}')')

dnl # _PT_FLAGS_ADD_(flags, more) and _PT_FLAGS_DEL_(flags, less): mailer flag
dnl # strings as sets of characters, order kept.
define(`_PT_FLAGS_ADD_', `ifelse(`$2', `', `$1',
	`_PT_FLAGS_ADD_(ifelse(index(`$1', substr(`$2', 0, 1)), `-1',
		`$1'substr(`$2', 0, 1), `$1'), substr(`$2', 1))')')
define(`_PT_FLAGS_DEL_', `ifelse(`$2', `', `$1',
	`_PT_FLAGS_DEL_(translit(`$1', substr(`$2', 0, 1)), substr(`$2', 1))')')

dnl # _PT_PUSH_DIVERT_(n) / _PT_POP_DIVERT_: switch output and come back.
define(`_PT_PUSH_DIVERT_', `pushdef(`_PT_DIVNUM_', divnum)divert($1)')
define(`_PT_POP_DIVERT_', `divert(_PT_DIVNUM_)popdef(`_PT_DIVNUM_')')
dnl # the names older hack files use for the same thing
define(`PUSHDIVERT', `_PT_PUSH_DIVERT_($1)')
define(`POPDIVERT', `_PT_POP_DIVERT_')
