divert(-1)
dnl # FEATURE(`notsticky'): the old default behaviour, kept for old .mc files;
dnl # it changes nothing.
_PT_FEATURE_ON_(`notsticky')
