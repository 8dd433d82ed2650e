/*
 * pt_exit: the exit codes of <sysexits.h>, which sendmail, its mailers and
 * its callers all speak, plus Petrel's names for the results of a lookup.
 */
#ifndef PT_EXIT_H
#define PT_EXIT_H

#include <sysexits.h>

#endif
