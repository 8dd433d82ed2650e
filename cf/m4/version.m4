divert(-1)
dnl # The version of Petrel's cf package; it becomes the $Z macro of every cf.
define(`_PT_CF_VERSION_', `Petrel-0.1.0')
