divert(-1)
dnl # OSTYPE(`unknown'): the placeholder of prototype .mc files.
_PT_DIE_(`OSTYPE(unknown) is a placeholder: name the real system type, for example OSTYPE(linux) or OSTYPE(debian)')
