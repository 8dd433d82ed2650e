/*
 * queue_qf_read: the strict qf parser.
 *
 * Turns the bytes of a control file into an envelope, or refuses the file
 * with "FILE: line N: what": an unknown record, a bad number, a record that
 * may appear once appearing twice, a missing end line, data after it, a NUL
 * byte.  The input is outside data (a file anyone with queue access could
 * have written, or a crash could have cut): the parser reads only within the
 * given length, allocates only from the envelope's arena, and is fuzzed
 * (tests/fuzz/fuzz_qf.c).  Records are dispatched through a table indexed by
 * their letter.  Runs in the delivery processes and queue runners.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pt_alloc.h"
#include "queue.h"
#include "queue_int.h"

/* Records that may appear once, as bits of struct parser.seen. */
enum once {
	ONCE_V = 1u << 0, ONCE_T = 1u << 1, ONCE_K = 1u << 2, ONCE_N = 1u << 3,
	ONCE_P = 1u << 4, ONCE_I = 1u << 5, ONCE_D = 1u << 6, ONCE_B = 1u << 7,
	ONCE_Q = 1u << 8, ONCE_S = 1u << 9, ONCE_Z = 1u << 10, ONCE_A = 1u << 11,
	ONCE_BY = 1u << 12,
};

struct parser {
	struct queue_env *e;
	struct pt_buf *err;
	const char *fname;
	long line;			/* line number of the current record */
	unsigned seen;			/* enum once */
	int ctl;			/* the C record in force, or -1 */
	long pend_line;			/* where the pending M/Q/r started */
	const char *pend_msg, *pend_orcpt, *pend_final;
};

typedef int (*rec_fn)(struct parser *ps, const char *v, size_t n);

/* Records an error at the current line; returns QUEUE_BAD. */
static int
bad(struct parser *ps, const char *what)
{
	pt_buf_printf(ps->err, "%s: line %ld: %s", ps->fname, ps->line, what);
	return QUEUE_BAD;
}

/* Marks a record that may appear once; an error the second time. */
static int
once(struct parser *ps, unsigned bit, char letter)
{
	char msg[64];

	if (ps->seen & bit) {
		snprintf(msg, sizeof msg, "more than one %c record", letter);
		return bad(ps, msg);
	}
	ps->seen |= bit;
	return QUEUE_OK;
}

bool
queue_parse_ll(const char *s, size_t n, long long *out)
{
	size_t i = 0;
	bool neg = false;
	unsigned long long v = 0;

	if (n > 0 && s[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == n)
		return false;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (ULLONG_MAX - 9) / 10)
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > (unsigned long long)LLONG_MAX)
		return false;
	*out = neg ? -(long long)v : (long long)v;
	return true;
}

/* Parses a number record into *out within [min, max]. */
static int
number(struct parser *ps, const char *v, size_t n, long long min, long long max, long long *out)
{
	if (!queue_parse_ll(v, n, out) || *out < min || *out > max)
		return bad(ps, "bad number");
	return QUEUE_OK;
}

/* V: the version; only on the first line. */
static int
rec_version(struct parser *ps, const char *v, size_t n)
{
	long long x;

	if (ps->line != 1)
		return bad(ps, "the V record must be the first line");
	if (once(ps, ONCE_V, 'V') || number(ps, v, n, 0, INT_MAX, &x))
		return QUEUE_BAD;
	if (x > QUEUE_QF_VERSION)
		return bad(ps, "queue file version newer than 8");
	ps->e->version = (int)x;
	return QUEUE_OK;
}

/* T: the creation time. */
static int
rec_ctime(struct parser *ps, const char *v, size_t n)
{
	if (once(ps, ONCE_T, 'T'))
		return QUEUE_BAD;
	return number(ps, v, n, LLONG_MIN / 2, LLONG_MAX / 2, &ps->e->ctime);
}

/* K: the last attempt. */
static int
rec_last(struct parser *ps, const char *v, size_t n)
{
	if (once(ps, ONCE_K, 'K'))
		return QUEUE_BAD;
	return number(ps, v, n, LLONG_MIN / 2, LLONG_MAX / 2, &ps->e->last_attempt);
}

/* N: the number of attempts. */
static int
rec_attempts(struct parser *ps, const char *v, size_t n)
{
	long long x;

	if (once(ps, ONCE_N, 'N') || number(ps, v, n, 0, LONG_MAX, &x))
		return QUEUE_BAD;
	ps->e->attempts = (long)x;
	return QUEUE_OK;
}

/* P: the priority. */
static int
rec_priority(struct parser *ps, const char *v, size_t n)
{
	long long x;

	if (once(ps, ONCE_P, 'P') || number(ps, v, n, LONG_MIN, LONG_MAX, &x))
		return QUEUE_BAD;
	ps->e->priority = (long)x;
	return QUEUE_OK;
}

/* I: major/minor/inode of the df. */
static int
rec_inode(struct parser *ps, const char *v, size_t n)
{
	const char *s1 = memchr(v, '/', n), *s2;
	long long maj, min, ino;

	if (once(ps, ONCE_I, 'I'))
		return QUEUE_BAD;
	s2 = s1 != NULL ? memchr(s1 + 1, '/', n - (size_t)(s1 + 1 - v)) : NULL;
	if (s2 == NULL || !queue_parse_ll(v, (size_t)(s1 - v), &maj) ||
	    !queue_parse_ll(s1 + 1, (size_t)(s2 - s1 - 1), &min) ||
	    !queue_parse_ll(s2 + 1, n - (size_t)(s2 + 1 - v), &ino) || maj < 0 || min < 0 || ino < 0)
		return bad(ps, "bad I record (major/minor/inode)");
	ps->e->has_dfino = true;
	ps->e->df_major = (unsigned long)maj;
	ps->e->df_minor = (unsigned long)min;
	ps->e->df_ino = (unsigned long long)ino;
	return QUEUE_OK;
}

/* A string record that may appear once. */
static int
once_str(struct parser *ps, unsigned bit, char letter, const char *v, size_t n, const char **dst)
{
	if (once(ps, bit, letter))
		return QUEUE_BAD;
	*dst = queue_env_strn(ps->e, v, n);
	return QUEUE_OK;
}

/* d: the df's folder. */
static int
rec_dfdir(struct parser *ps, const char *v, size_t n)
{
	if (n == 0)
		return bad(ps, "empty d record");
	return once_str(ps, ONCE_D, 'd', v, n, &ps->e->dfdir);
}

/* B: the body type. */
static int
rec_body(struct parser *ps, const char *v, size_t n)
{
	return once_str(ps, ONCE_B, 'B', v, n, &ps->e->bodytype);
}

/* q: the quarantine reason. */
static int
rec_quarantine(struct parser *ps, const char *v, size_t n)
{
	return once_str(ps, ONCE_Q, 'q', v, n, &ps->e->quarantine);
}

/* S: the sender. */
static int
rec_sender(struct parser *ps, const char *v, size_t n)
{
	return once_str(ps, ONCE_S, 'S', v, n, &ps->e->sender);
}

/* Z: the envelope id. */
static int
rec_envid(struct parser *ps, const char *v, size_t n)
{
	return once_str(ps, ONCE_Z, 'Z', v, n, &ps->e->envid);
}

/* A: the AUTH= parameter. */
static int
rec_auth(struct parser *ps, const char *v, size_t n)
{
	return once_str(ps, ONCE_A, 'A', v, n, &ps->e->auth);
}

/* M: before S the envelope's status, after it the next recipient's. */
static int
rec_message(struct parser *ps, const char *v, size_t n)
{
	const char *s = queue_env_strn(ps->e, v, n);

	if (!(ps->seen & ONCE_S)) {
		ps->e->message = s;
		return QUEUE_OK;
	}
	if (ps->pend_msg != NULL)
		return bad(ps, "two M records for one recipient");
	ps->pend_msg = s;
	ps->pend_line = ps->line;
	return QUEUE_OK;
}

/* F: flag letters; several F records add up. */
static int
rec_flags(struct parser *ps, const char *v, size_t n)
{
	struct pt_buf other = PT_BUF_INIT;
	size_t i;

	pt_buf_adds(&other, ps->e->flags_other);
	for (i = 0; i < n; i++) {
		unsigned bit = queue_env_flag_bit((unsigned char)v[i]);

		if (bit != 0)
			ps->e->flags |= bit;
		else if (v[i] != ' ' && v[i] != '\t' && v[i] != '\n' && !strchr(other.s ? other.s : "", v[i]))
			pt_buf_addc(&other, v[i]);
	}
	ps->e->flags_other = queue_env_strn(ps->e, pt_buf_str(&other), other.len);
	pt_buf_free(&other);
	return QUEUE_OK;
}

/* $: a saved macro, "$xvalue" or "${name}value". */
static int
rec_macro(struct parser *ps, const char *v, size_t n)
{
	const char *close;
	size_t namelen;
	char name[QUEUE_MACRO_NAME_MAX + 3];

	if (n == 0)
		return bad(ps, "$ record without a macro name");
	if (v[0] == '{') {
		close = memchr(v, '}', n);
		if (close == NULL || close == v + 1)
			return bad(ps, "$ record with a bad macro name");
		namelen = (size_t)(close - v) + 1;
	} else
		namelen = 1;
	if (namelen > QUEUE_MACRO_NAME_MAX + 2 || memchr(v, '\n', namelen) != NULL)
		return bad(ps, "$ record with a bad macro name");
	memcpy(name, v, namelen);
	name[namelen] = '\0';
	queue_env_set_macro(ps->e, name, queue_env_strn(ps->e, v + namelen, n - namelen));
	return QUEUE_OK;
}

/* !: deliver-by, "!" flag byte " " seconds. */
static int
rec_deliverby(struct parser *ps, const char *v, size_t n)
{
	long long x;

	if (once(ps, ONCE_BY, '!'))
		return QUEUE_BAD;
	if (n < 3 || v[1] != ' ' || !queue_parse_ll(v + 2, n - 2, &x) || x < LONG_MIN || x > LONG_MAX)
		return bad(ps, "bad ! (deliver-by) record");
	ps->e->has_deliverby = true;
	ps->e->deliverby_flags = v[0] == ' ' ? 0 : (unsigned char)v[0];
	ps->e->deliverby = (long)x;
	return QUEUE_OK;
}

/* C: the controlling address for the R records that follow. */
static int
rec_ctl(struct parser *ps, const char *v, size_t n)
{
	struct queue_ctl c;

	if (queue_ctl_parse(ps->e, v, n, &c) < 0)
		return bad(ps, "bad C record (user:uid:gid:alias)");
	if (c.user == NULL && c.alias == NULL)
		ps->ctl = -1;
	else
		ps->ctl = queue_env_add_ctl(ps->e, c.user, c.uid, c.gid, c.alias);
	return QUEUE_OK;
}

/* Q: the ORCPT of the next recipient. */
static int
rec_orcpt(struct parser *ps, const char *v, size_t n)
{
	if (ps->pend_orcpt != NULL)
		return bad(ps, "two Q records for one recipient");
	ps->pend_orcpt = queue_env_strn(ps->e, v, n);
	ps->pend_line = ps->line;
	return QUEUE_OK;
}

/* r: the final recipient of the next recipient. */
static int
rec_final(struct parser *ps, const char *v, size_t n)
{
	if (ps->pend_final != NULL)
		return bad(ps, "two r records for one recipient");
	ps->pend_final = queue_env_strn(ps->e, v, n);
	ps->pend_line = ps->line;
	return QUEUE_OK;
}

/* R: a recipient, "flags:address" from version 1 on. */
static int
rec_rcpt(struct parser *ps, const char *v, size_t n)
{
	const char *colon = n > 0 ? memchr(v, ':', n) : NULL;
	struct pt_buf other = PT_BUF_INIT;
	struct queue_rcpt *r;
	unsigned flags = 0;
	size_t i, flen = 0;

	if (ps->e->version >= 1) {
		if (colon == NULL)
			return bad(ps, "R record without the flags' colon");
		flen = (size_t)(colon - v);
		for (i = 0; i < flen; i++) {
			unsigned bit = queue_rcpt_flag_bit((unsigned char)v[i]);

			if (bit != 0)
				flags |= bit;
			else
				pt_buf_addc(&other, v[i]);
		}
		flen++;
	}
	if (flen == n) {
		pt_buf_free(&other);
		return bad(ps, "R record with an empty address");
	}
	r = queue_env_add_rcpt(ps->e, NULL);
	r->addr = queue_env_strn(ps->e, v + flen, n - flen);
	r->flags = flags;
	r->flags_other = queue_env_strn(ps->e, pt_buf_str(&other), other.len);
	pt_buf_free(&other);
	r->ctl = ps->ctl;
	r->message = ps->pend_msg;
	r->orcpt = ps->pend_orcpt;
	r->final_rcpt = ps->pend_final;
	r->state = r->message != NULL ? QRS_DEFERRED : QRS_PENDING;
	ps->pend_msg = ps->pend_orcpt = ps->pend_final = NULL;
	return QUEUE_OK;
}

/* H: a header, "?cond?Name: value" with its folds. */
static int
rec_header(struct parser *ps, const char *v, size_t n)
{
	const char *cond = NULL, *colon, *q;
	size_t condlen = 0;
	struct queue_header *h;

	if (n > 0 && v[0] == '?') {
		q = memchr(v + 1, '?', n - 1);
		if (q == NULL)
			return bad(ps, "H record with an unterminated ?condition?");
		cond = v + 1;
		condlen = (size_t)(q - cond);
		n -= (size_t)(q + 1 - v);
		v = q + 1;
	}
	colon = n > 0 ? memchr(v, ':', n) : NULL;
	if (colon == NULL || colon == v || memchr(v, '\n', (size_t)(colon - v)) != NULL)
		return bad(ps, "H record without a field name and colon");
	h = queue_env_add_header(ps->e, NULL, NULL, NULL);
	h->cond = cond != NULL ? queue_env_strn(ps->e, cond, condlen) : NULL;
	h->name = queue_env_strn(ps->e, v, (size_t)(colon - v));
	h->value = queue_env_strn(ps->e, colon + 1, n - (size_t)(colon + 1 - v));
	return QUEUE_OK;
}

/* The record handlers, by letter. */
static const rec_fn handlers[256] = {
	['V'] = rec_version, ['T'] = rec_ctime, ['K'] = rec_last, ['N'] = rec_attempts,
	['P'] = rec_priority, ['I'] = rec_inode, ['d'] = rec_dfdir, ['B'] = rec_body,
	['M'] = rec_message, ['F'] = rec_flags, ['$'] = rec_macro, ['q'] = rec_quarantine,
	['S'] = rec_sender, ['Z'] = rec_envid, ['A'] = rec_auth, ['!'] = rec_deliverby,
	['C'] = rec_ctl, ['Q'] = rec_orcpt, ['r'] = rec_final, ['R'] = rec_rcpt,
	['H'] = rec_header,
};

/*
 * Reads the record at *pp (a line and its continuation lines) into rec;
 * returns the number of lines it spans, 0 at a missing final LF.
 */
static long
next_record(const char **pp, const char *end, struct pt_buf *rec)
{
	const char *p = *pp, *nl;
	long lines = 0;

	pt_buf_reset(rec);
	do {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			return 0;
		if (lines > 0)
			pt_buf_addc(rec, '\n');
		pt_buf_add(rec, p, (size_t)(nl - p));
		p = nl + 1;
		lines++;
	} while (p < end && (*p == ' ' || *p == '\t'));
	*pp = p;
	return lines;
}

/* Checks what follows the records: the end line, nothing pending. */
static int
finish(struct parser *ps, bool ended, const char *p, const char *end)
{
	if (!ended)
		return bad(ps, "incomplete queue file: no final \".\" line");
	if (p != end)
		return bad(ps, "data after the final \".\" line");
	if (ps->pend_msg != NULL || ps->pend_orcpt != NULL || ps->pend_final != NULL) {
		ps->line = ps->pend_line;
		return bad(ps, "M, Q or r record not followed by an R record");
	}
	if (!(ps->seen & ONCE_S))
		return bad(ps, "no S (sender) record");
	return QUEUE_OK;
}

/* Dispatches one record to its handler; *ended is set by the "." line. */
static int
record(struct parser *ps, const char *v, size_t n, bool *ended)
{
	rec_fn fn;

	if (n == 0)
		return bad(ps, "empty line");
	if (memchr(v, '\0', n) != NULL && !(v[0] == '!' && n > 1 && memchr(v + 2, '\0', n - 2) == NULL))
		return bad(ps, "NUL byte in a record");
	if (v[0] == '.') {
		if (n != 1)
			return bad(ps, "unknown record type '.'");
		*ended = true;
		return QUEUE_OK;
	}
	fn = handlers[(unsigned char)v[0]];
	if (fn == NULL) {
		char msg[64];

		if (v[0] >= 0x21 && v[0] < 0x7f)
			snprintf(msg, sizeof msg, "unknown record type '%c'", v[0]);
		else
			snprintf(msg, sizeof msg, "unknown record type \\%03o", (unsigned char)v[0]);
		return bad(ps, msg);
	}
	return fn(ps, v + 1, n - 1);
}

/* Parses every record of data into ps->e. */
static int
parse_records(struct parser *ps, const char *data, size_t len)
{
	const char *p = data, *end = data + len;
	struct pt_buf rec = PT_BUF_INIT;
	long next_line = 1, lines;
	bool ended = false;
	int rc = QUEUE_OK;

	while (rc == QUEUE_OK && p < end && !ended) {
		ps->line = next_line;
		if (*p == ' ' || *p == '\t') {
			rc = bad(ps, "continuation line without a record");
			break;
		}
		lines = next_record(&p, end, &rec);
		if (lines == 0) {
			rc = bad(ps, "incomplete last line");
			break;
		}
		next_line += lines;
		rc = record(ps, rec.s, rec.len, &ended);
	}
	if (rc == QUEUE_OK)
		rc = finish(ps, ended, p, end);
	pt_buf_free(&rec);
	return rc;
}

/* Copies the id out of a file name "xxID" (last component) when it looks like one. */
static void
id_from_name(const char *fname, char id[QUEUE_ID_MAX])
{
	const char *base = strrchr(fname, '/');

	base = base != NULL ? base + 1 : fname;
	id[0] = '\0';
	if (strlen(base) > 2 && strlen(base + 2) < QUEUE_ID_MAX && base[1] == 'f')
		memcpy(id, base + 2, strlen(base + 2) + 1);
}

int
queue_qf_parse(const char *data, size_t len, const char *fname, struct queue_env **out,
    struct pt_buf *err)
{
	struct parser ps;
	int rc;

	memset(&ps, 0, sizeof ps);
	ps.e = queue_env_new();
	ps.e->version = 0;
	ps.err = err;
	ps.fname = fname;
	ps.ctl = -1;
	rc = parse_records(&ps, data, len);
	if (rc != QUEUE_OK) {
		queue_env_free(ps.e);
		*out = NULL;
		return rc;
	}
	id_from_name(fname, ps.e->id);
	*out = ps.e;
	return QUEUE_OK;
}

int
queue_qf_load(int dirfd, const char *path, struct queue_env **out, struct pt_buf *err)
{
	struct pt_buf data = PT_BUF_INIT;
	int fd, rc;

	*out = NULL;
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return QUEUE_GONE;
		pt_buf_printf(err, "%s: cannot open: %s", path, strerror(errno));
		return QUEUE_TEMPFAIL;
	}
	rc = queue_read_fd(fd, path, &data, err);
	close(fd);
	if (rc == QUEUE_OK)
		rc = queue_qf_parse(data.s ? data.s : "", data.len, path, out, err);
	pt_buf_free(&data);
	return rc;
}

int
queue_read_fd(int fd, const char *name, struct pt_buf *out, struct pt_buf *err)
{
	ssize_t n;

	for (;;) {
		if (out->len >= (size_t)QUEUE_QF_MAXSIZE) {
			pt_buf_printf(err, "%s: larger than %ld bytes", name, (long)QUEUE_QF_MAXSIZE);
			return QUEUE_BAD;
		}
		pt_buf_grow(out, 8192);
		n = read(fd, out->s + out->len, out->cap - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			pt_buf_printf(err, "%s: read error: %s", name, strerror(errno));
			return QUEUE_TEMPFAIL;
		}
		if (n == 0)
			return QUEUE_OK;
		out->len += (size_t)n;
		out->s[out->len] = '\0';
	}
}
