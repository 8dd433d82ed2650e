/*
 * pt_file: file I/O that is safe by construction: whole-file reads, line
 * reading with counting, durable atomic replacement, and the ownership and
 * mode checks sendmail applies before it trusts a file ("safefile").
 */
#ifndef PT_FILE_H
#define PT_FILE_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "pt_buf.h"

/* Reads the whole file at path into out (appending).  Returns 0 or an errno. */
int pt_file_read(const char *path, struct pt_buf *out);

/*
 * Reads one line from fp into line (replacing its contents), without the
 * trailing LF (a CR before it is kept: callers decide).  Returns false at end
 * of file with nothing read.  Lines of any length are read whole.
 */
bool pt_file_getline(FILE *fp, struct pt_buf *line);

/*
 * True when two stats name the same version of a file: same device, inode,
 * modification time and size.  A file replaced (renamed over) or rewritten
 * since *was is told apart by one stat(2).
 */
bool pt_file_same(const struct stat *now, const struct stat *was);

/* True when path is gone or no longer the file *was describes (pt_file_same). */
bool pt_file_changed(const char *path, const struct stat *was);

/* fsyncs the folder that holds path (or the folder path itself if is_dir). */
int pt_file_fsync_dir(const char *path, bool is_dir);

/*
 * Replaces path with data atomically: writes a temporary file in the same
 * folder, fsyncs it, renames it over path and fsyncs the folder.  A reader
 * sees either the old or the new file, never a partial one.  Returns 0 or an
 * errno (the temporary file is removed on failure).
 */
int pt_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

/* Flags for pt_safefile, after sendmail's SFF_* and DontBlameSendmail. */
enum pt_sff {
	PT_SFF_ANYFILE = 0x0001,	/* no checks at all */
	PT_SFF_MUSTOWN = 0x0002,	/* file must be owned by uid */
	PT_SFF_NOSLINK = 0x0004,	/* refuse a symbolic link as the last component */
	PT_SFF_NOHLINK = 0x0008,	/* refuse a file with more than one hard link */
	PT_SFF_NOGWFILES = 0x0010,	/* refuse a group-writable file */
	PT_SFF_NOWWFILES = 0x0020,	/* refuse a world-writable file */
	PT_SFF_SAFEDIRPATH = 0x0040,	/* no folder on the path may be group or world writable */
	PT_SFF_ROOTOK = 0x0080,		/* a file owned by root is acceptable too */
	PT_SFF_CREAT = 0x0100,		/* the file may not exist yet */
	PT_SFF_NOGRFILES = 0x0200,	/* refuse a group-readable file */
	PT_SFF_NOWRFILES = 0x0400,	/* refuse a world-readable file */
	PT_SFF_NOWLINK = 0x0800,	/* refuse a link (symbolic or hard) in a writable folder */
	PT_SFF_NOSTICKY = 0x1000,	/* a sticky folder on the path is no safer than another
					 * (upstream's default; TrustStickyBit clears it) */
	PT_SFF_GWDIRSAFE = 0x2000,	/* group-writable folders on the path are acceptable */
	PT_SFF_NOEXEC = 0x4000,		/* refuse a file with an execute bit */
};

/*
 * Checks that path may be trusted by a process acting as uid: the checks
 * selected by flags.  Returns 0, or an errno (EPERM for an ownership or mode
 * problem, ELOOP for a forbidden link, the errno of a failed stat) with the
 * reason in why, in upstream's words ("World writable directory", "Group
 * writable file", "Symbolic links not allowed", "No such file or directory",
 * ...; borrowed static text).  st receives the file's status when it exists.
 */
int pt_safefile(const char *path, uid_t uid, int flags, struct stat *st, const char **why);

#endif
