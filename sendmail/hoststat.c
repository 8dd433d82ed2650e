/*
 * hoststat: the persistent host status files of HostStatusDirectory (the
 * layout and record are in hoststat.h): their paths, opening and locking,
 * reading and writing one record.
 *
 * Runs in delivery processes (as whoever delivers: root, or RunAsUser) and
 * in hoststat/purgestat (mode_bh.c).  It never creates HostStatusDirectory
 * itself, as upstream: without that folder no status is kept.  Nothing it
 * reads is trusted beyond the record's numbers and one line of text.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hoststat.h"
#include "pt_alloc.h"
#include "pt_str.h"

/* The longest reply text a record keeps (upstream keeps 100 characters). */
#define HS_REPLY_MAX 100
/* The longest record read back. */
#define HS_RECORD_MAX 1024

char *
hs_dir(const struct cf_config *cfg)
{
	const char *d = cfg->opt.host_status_directory, *q = cfg->opt.queue_directory;
	struct pt_buf b = PT_BUF_INIT;
	size_t n;

	if (d == NULL || *d == '\0')
		return NULL;
	if (*d == '/')
		return pt_strdup(d);
	if (q == NULL)
		q = LOCALSTATEDIR "/spool/mqueue";
	n = strlen(q);
	if (strchr(q, '*') != NULL && strrchr(q, '/') != NULL)	/* queue groups: their parent */
		n = (size_t)(strrchr(q, '/') - q);
	pt_buf_add(&b, q, n);
	pt_buf_printf(&b, "/%s", d);
	return pt_buf_steal(&b);
}

int
hs_path(const char *dir, const char *host, struct pt_buf *out)
{
	size_t n = strlen(host);
	char *name, *p;
	int rc = 0;

	if (n >= 2 && host[0] == '[' && host[n - 1] == ']')
		host++, n -= 2;
	while (n > 0 && host[n - 1] == '.')
		n--;
	if (n == 0 || n > 255)
		return -1;
	name = pt_strndup(host, n);
	pt_str_lower(name);
	pt_buf_reset(out);
	pt_buf_adds(out, dir);
	/* the last label first, each but the host's own with a dot after it */
	while (rc == 0) {
		const char *label;

		p = strrchr(name, '.');
		label = p ? p + 1 : name;
		if (*label == '\0' || strcmp(label, "..") == 0 || strchr(label, '/') != NULL)
			rc = -1;
		else
			pt_buf_printf(out, "/%s%s", label, p ? "." : "");
		if (p == NULL)
			break;
		*p = '\0';
	}
	free(name);
	return rc;
}

/* Creates the folders above path below dir (which must exist); 0 or -1. */
static int
make_folders(const char *dir, const char *path)
{
	char *copy = pt_strdup(path), *p = copy + strlen(dir) + 1;
	int rc = 0;

	while ((p = strchr(p, '/')) != NULL && rc == 0) {
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST)
			rc = -1;
		*p++ = '/';
	}
	free(copy);
	return rc;
}

int
hs_open(const struct cf_config *cfg, const char *dir, const char *host)
{
	struct pt_buf path = PT_BUF_INIT;
	struct stat st;
	mode_t mode = cfg->opt.temp_file_mode > 0 ? (mode_t)cfg->opt.temp_file_mode & 0666 : 0600;
	int fd = -1;

	if (dir == NULL || stat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || access(dir, W_OK) < 0 ||
	    hs_path(dir, host, &path) < 0 || make_folders(dir, path.s) < 0)
		goto out;
	fd = open(path.s, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
	}
out:
	pt_buf_free(&path);
	return fd;
}

bool
hs_read_fd(int fd, struct hs_entry *e)
{
	char buf[HS_RECORD_MAX + 1], *line, *p;
	ssize_t n = pread(fd, buf, HS_RECORD_MAX, 0);
	bool version = false, end = false;

	memset(e, 0, sizeof *e);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (p = buf; !end && (line = strsep(&p, "\n")) != NULL && p != NULL;) {
		long v = 0;
		bool num = pt_str_to_long(line + (*line ? 1 : 0), &v);

		switch (line[0]) {
		case 'V': version = num && v == 0; break;
		case 'E': e->err = num ? (int)v : 0; break;
		case 'H': e->herr = num ? (int)v : 0; break;
		case 'S': e->exitst = num ? (int)v : 0; break;
		case 'D': pt_strlcpy(e->dsn, line + 1, sizeof e->dsn); break;
		case 'R': free(e->reply); e->reply = pt_strdup(line + 1); break;
		case 'U': e->last = num ? v : 0; break;
		case '.': end = true; break;
		default: break;
		}
	}
	if (!version || !end) {
		hs_entry_free(e);
		return false;
	}
	return true;
}

void
hs_write_fd(int fd, const struct hs_entry *e, time_t now)
{
	struct pt_buf b = PT_BUF_INIT;

	pt_buf_printf(&b, "V0\nE%d\nH%d\nS%d\n", e->err, e->herr, e->exitst);
	if (e->dsn[0])
		pt_buf_printf(&b, "D%s\n", e->dsn);
	if (e->reply != NULL) {
		pt_buf_adds(&b, "R");
		for (size_t i = 0; e->reply[i] && i < HS_REPLY_MAX; i++)	/* one line */
			pt_buf_addc(&b, e->reply[i] == '\n' || e->reply[i] == '\r' ? ' ' : e->reply[i]);
		pt_buf_adds(&b, "\n");
	}
	pt_buf_printf(&b, "U%lld\n.\n", (long long)now);
	if (ftruncate(fd, 0) == 0 && pwrite(fd, b.s, b.len, 0) != (ssize_t)b.len)
		(void)ftruncate(fd, 0);	/* a partial record reads as none */
	pt_buf_free(&b);
}

void
hs_close(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}

bool
hs_failed(const struct cf_config *cfg, const struct hs_entry *e, time_t now)
{
	long timeout = cfg->opt.timeout.hoststatus;

	return e->exitst != 0 && timeout > 0 && e->last + timeout > (long long)now;
}

void
hs_reason(const struct hs_entry *e, const char *shown, struct pt_buf *out)
{
	pt_buf_reset(out);
	if (e->herr == TRY_AGAIN)
		pt_buf_printf(out, "Name server: %s: host name lookup failure", shown);
	else if (e->herr == HOST_NOT_FOUND || e->herr == NO_DATA)
		pt_buf_printf(out, "Host unknown (Name server: %s: %s)", shown,
		    e->herr == NO_DATA ? "no data known" : "host not found");
	else if (e->err == ECONNREFUSED)
		pt_buf_printf(out, "Connection refused by %s", shown);
	else if (e->err == ETIMEDOUT || e->err == ECONNRESET)
		pt_buf_printf(out, "%s with %s", strerror(e->err), shown);
	else if (e->err != 0)
		pt_buf_adds(out, strerror(e->err));
	else if (e->reply != NULL)
		pt_buf_adds(out, e->reply);
}

void
hs_entry_free(struct hs_entry *e)
{
	free(e->reply);
	e->reply = NULL;
}

#define HS_MEM_HOSTS 512
#define HS_MEM_NAME 256

/* One host's record in the shared table. */
struct hs_mem_slot {
	char host[HS_MEM_NAME];	/* lowered, "" for a free slot */
	int err, herr, exitst;
	char dsn[16];
	bool has_reply;
	char reply[HS_REPLY_MAX + 1];
	long long last;
};

struct hs_mem {
	pthread_mutex_t lock;	/* process-shared and robust */
	struct hs_mem_slot slot[HS_MEM_HOSTS];
};

struct hs_mem *
hs_mem_new(void)
{
	struct hs_mem *m = mmap(NULL, sizeof *m, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	pthread_mutexattr_t a;

	if (m == MAP_FAILED)
		return NULL;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	if (pthread_mutex_init(&m->lock, &a) != 0) {
		pthread_mutexattr_destroy(&a);
		munmap(m, sizeof *m);
		return NULL;
	}
	pthread_mutexattr_destroy(&a);
	return m;
}

void
hs_mem_free(struct hs_mem *m)
{
	if (m != NULL)
		munmap(m, sizeof *m);
}

/* Takes the table's lock, also from a process that died holding it. */
static void
mem_lock(struct hs_mem *m)
{
	if (pthread_mutex_lock(&m->lock) == EOWNERDEAD)
		pthread_mutex_consistent(&m->lock);	/* a record half written reads as another */
}

/* The key of host: lowered, without brackets and a trailing dot; false if too long. */
static bool
mem_key(const char *host, char out[HS_MEM_NAME])
{
	size_t n = strlen(host);

	if (n >= 2 && host[0] == '[' && host[n - 1] == ']')
		host++, n -= 2;
	if (n > 1 && host[n - 1] == '.')
		n--;
	if (n == 0 || n >= HS_MEM_NAME)
		return false;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)(host[i] >= 'A' && host[i] <= 'Z' ? host[i] - 'A' + 'a' : host[i]);
	out[n] = '\0';
	return true;
}

bool
hs_mem_get(struct hs_mem *m, const char *host, struct hs_entry *e)
{
	char key[HS_MEM_NAME];
	bool found = false;

	memset(e, 0, sizeof *e);
	if (m == NULL || !mem_key(host, key))
		return false;
	mem_lock(m);
	for (int i = 0; i < HS_MEM_HOSTS && !found; i++) {
		const struct hs_mem_slot *s = &m->slot[i];

		if (strcmp(s->host, key) != 0)
			continue;
		e->err = s->err;
		e->herr = s->herr;
		e->exitst = s->exitst;
		pt_strlcpy(e->dsn, s->dsn, sizeof e->dsn);
		e->reply = s->has_reply ? pt_strdup(s->reply) : NULL;
		e->last = s->last;
		found = true;
	}
	pthread_mutex_unlock(&m->lock);
	return found;
}

void
hs_mem_put(struct hs_mem *m, const char *host, const struct hs_entry *e, time_t now)
{
	char key[HS_MEM_NAME];
	struct hs_mem_slot *s = NULL;

	if (m == NULL || !mem_key(host, key))
		return;
	mem_lock(m);
	for (int i = 0; i < HS_MEM_HOSTS && s == NULL; i++)
		if (strcmp(m->slot[i].host, key) == 0)
			s = &m->slot[i];
	for (int i = 0; i < HS_MEM_HOSTS && s == NULL; i++)
		if (m->slot[i].host[0] == '\0')
			s = &m->slot[i];
	if (s == NULL) {	/* full: the oldest record goes */
		s = &m->slot[0];
		for (int i = 1; i < HS_MEM_HOSTS; i++)
			if (m->slot[i].last < s->last)
				s = &m->slot[i];
	}
	memcpy(s->host, key, strlen(key) + 1);
	s->err = e->err;
	s->herr = e->herr;
	s->exitst = e->exitst;
	pt_strlcpy(s->dsn, e->dsn, sizeof s->dsn);
	s->has_reply = e->reply != NULL;
	pt_strlcpy(s->reply, e->reply ? e->reply : "", sizeof s->reply);
	s->last = (long long)now;
	pthread_mutex_unlock(&m->lock);
}
