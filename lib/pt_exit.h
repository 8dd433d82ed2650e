/*
 * pt_exit: the exit codes of <sysexits.h>, which sendmail, its mailers and
 * its callers all speak, and the words upstream reports them with.
 */
#ifndef PT_EXIT_H
#define PT_EXIT_H

#include <sysexits.h>

/*
 * Upstream's reply for a sysexits status (EX_USAGE .. EX_CONFIG): "550 5.1.1
 * User unknown"; NULL for any other status.  pt_exit_words gives the words
 * only ("User unknown"), pt_exit_status the enhanced status with the words
 * ("5.1.1 User unknown"), pt_exit_code the reply code (550; 0 if none).
 */
const char *pt_exit_reply(int st);
const char *pt_exit_status(int st);
const char *pt_exit_words(int st);
int pt_exit_code(int st);

#endif
