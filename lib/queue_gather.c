/*
 * queue_gather: the gather phase of listings and queue runs.
 *
 * Reads every control file of a queue directory once (qf, hf or Qf files,
 * by the kind asked for), keeps what sorting, selecting and listing need
 * (priority, times, the lock state, the df's size, and the S R M C B q
 * records in file order), drops what the selectors reject, sorts by
 * QueueSortOrder and cuts to MaxQueueRunSize.  It reads files the way
 * upstream's mailq does (loosely: numbers as atol reads them, any record
 * order), because the listing must show whatever upstream would show; the
 * strict reader for delivery is queue_qf_read.c.  Large folders are read by
 * a few threads, each over a slice of the names, joined in folder order (the
 * system calls per file dominate).  Lock states come from one
 * read of /proc/locks when possible, so listing does not disturb runners
 * that try to lock.  Nothing is written.  Runs in mailq and queue runners.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "pt_alloc.h"
#include "pt_str.h"
#include "queue.h"
#include "queue_int.h"

#define OVERLAYFS_MAGIC 0x794c7630

#define MAX_READERS 4		/* threads reading control files */
#define PER_READER 1000		/* files that make another reader worth it */

/* A name the folder listed. */
struct entry {
	const char *name;
	unsigned long long ino;	/* 0 when readdir's cannot be trusted */
};

/* What every reader of one gather run shares (read-only while they run). */
struct shared {
	struct queue_dir *qd;
	const struct queue_gather_opts *o;
	struct queue_locktab locks;
	bool test_locks;
	bool trust_dino;	/* readdir's inode numbers are the files' (not overlayfs) */
	char prefix;		/* first letter of the file names: q, h or Q */
	struct entry *ents;
	size_t nents;
};

/* One reader: a slice of the entries and what it found. */
struct gather {
	const struct shared *sh;
	const struct queue_gather_opts *o;
	struct queue_dir *qd;
	size_t lo, hi;		/* its slice of sh->ents */
	struct queue_item *items;
	size_t n, cap;
	struct pt_arena arena;
	struct pt_buf data;	/* the file being read */
	struct pt_buf ev;	/* its records */
};

bool
queue_event_next(const struct queue_item *it, size_t *pos, struct queue_event *ev)
{
	const char *p = it->events + *pos, *colon;

	if (it->events == NULL || *p == '\0')
		return false;
	ev->type = *p;
	ev->text = p + 1;
	ev->addr = NULL;
	if (ev->type == 'R') {
		colon = it->version >= 1 ? strchr(ev->text, ':') : NULL;
		ev->addr = it->version >= 1 ? (colon != NULL ? colon + 1 : NULL) : ev->text;
	}
	*pos += strlen(ev->text) + 2;
	return true;
}

/* The end of the record at p: the LF before a line that does not start blank. */
static const char *
record_end(const char *p, const char *end)
{
	const char *nl;

	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			return end;
		if (nl + 1 >= end || (nl[1] != ' ' && nl[1] != '\t'))
			return nl;
		p = nl + 1;
	}
}

/* Keeps the host of the first recipient, reversed by labels, for QSORT_HOST. */
static void
note_host(struct gather *g, struct queue_item *it, const char *rec, size_t n)
{
	const char *at = memchr(rec, '@', n), *e;
	struct pt_buf h = PT_BUF_INIT;

	if (it->host[0] != '\0' || at == NULL)
		return;
	for (e = at + 1; e < rec + n && *e != '>' && *e != '\n'; e++)
		;
	while (e > at + 1) {
		const char *dot = e - 1;

		while (dot > at + 1 && dot[-1] != '.')
			dot--;
		if (h.len > 0)
			pt_buf_addc(&h, '.');
		pt_buf_add(&h, dot, (size_t)(e - dot));
		e = dot > at + 1 ? dot - 1 : dot;
	}
	if (h.s != NULL)
		pt_str_lower(h.s);
	it->host = pt_arena_strdup(&g->arena, pt_buf_str(&h));
	pt_buf_free(&h);
}

/* Handles one record of a control file. */
static void
scan_record(struct gather *g, struct queue_item *it, const char *rec, size_t n)
{
	const char *nul;

	switch (rec[0]) {
	case 'V':
		it->version = (int)strtol(rec + 1, NULL, 10);
		return;
	case 'P':
		it->priority = strtol(rec + 1, NULL, 10);
		return;
	case 'T':
		it->ctime = strtoll(rec + 1, NULL, 10);
		return;
	case 'K':
		it->last_attempt = strtoll(rec + 1, NULL, 10);
		return;
	case 'F':
		if (memchr(rec, 'w', n) != NULL)
			it->warned = true;
		return;
	case 'R':
		if (g->o->sort == QSORT_HOST)
			note_host(g, it, rec, n);
		break;
	case 'S': case 'M': case 'C': case 'B': case 'q':
		break;
	default:
		return;
	}
	nul = memchr(rec, '\0', n);
	pt_buf_add(&g->ev, rec, nul != NULL ? (size_t)(nul - rec) : n);
	pt_buf_addc(&g->ev, '\0');
}

/* Reads the records of the file in g->data into it. */
static void
scan_file(struct gather *g, struct queue_item *it)
{
	const char *p = g->data.s, *end = p + g->data.len, *e;

	it->priority = LONG_MAX;
	it->host = "";
	pt_buf_reset(&g->ev);
	while (p != NULL && p < end) {
		e = record_end(p, end);
		if (e > p)
			scan_record(g, it, p, (size_t)(e - p));
		p = e + 1;
	}
	pt_buf_addc(&g->ev, '\0');
	it->events = pt_arena_memdup0(&g->arena, g->ev.s, g->ev.len);
}

/* The listing character of an unlocked item. */
static char
status_of(const struct gather *g, const struct queue_item *it)
{
	const struct queue_gather_opts *o = g->o;

	if (it->locked)
		return '*';
	/* too young wins over a load too high, as in upstream's listing */
	if (o->min_queue_age > 0 && it->last_attempt > 0 && o->now - it->last_attempt < o->min_queue_age)
		return '-';
	if (o->queue_la > 0 && o->load_avg >= o->queue_la &&
	    it->priority > o->queue_factor / (o->load_avg - o->queue_la + 1))
		return 'X';
	return ' ';
}

/* Reads all of fd into g->data; a short read of a regular file is its end. */
static void
read_all(struct gather *g, int fd)
{
	ssize_t n;

	pt_buf_reset(&g->data);
	for (;;) {
		pt_buf_grow(&g->data, 16384);
		n = read(fd, g->data.s + g->data.len, g->data.cap - g->data.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || g->data.len + (size_t)n > (size_t)QUEUE_QF_MAXSIZE)
			break;
		g->data.len += (size_t)n;
		g->data.s[g->data.len] = '\0';
		if (g->data.len < g->data.cap - 1)
			break;
	}
}

/*
 * Reads the control file fd (inode ino, 0 if unknown) into *it and tests its
 * lock.  False to skip it (not a regular file).
 */
static bool
read_one(struct gather *g, int fd, unsigned long long ino, struct queue_item *it)
{
	struct stat st;

	if (ino == 0 || g->o->sort == QSORT_MODIFICATION) {
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
			return false;
		it->mtime = st.st_mtime;
		ino = (unsigned long long)st.st_ino;
	}
	if (g->sh->test_locks)
		it->locked = g->sh->locks.valid ? queue_locktab_has(&g->sh->locks, ino) : queue_lock_held(fd);
	read_all(g, fd);
	scan_file(g, it);
	return true;
}

/* Stats the df of it for the listing's size column. */
static void
df_size(struct gather *g, struct queue_item *it)
{
	char name[QUEUE_NAME_MAX];
	struct stat st;

	queue_file_name(QFT_DF, it->id, name);
	if (fstatat(g->qd->df_fd, name, &st, 0) == 0) {
		it->size = st.st_size;
		it->df_errno = 0;
	} else {
		it->size = -1;
		it->df_errno = errno;
	}
}

/*
 * Gathers the file called name (inode ino when the folder's entry can be
 * trusted for it, else 0); appends it to the work list when it is kept.
 */
static void
gather_one(struct gather *g, const char *name, unsigned long long ino, size_t order)
{
	struct queue_item *it;
	int fd;

	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 256;
		g->items = pt_reallocarray(g->items, g->cap, sizeof *g->items);
	}
	it = &g->items[g->n];
	memset(it, 0, sizeof *it);
	memcpy(it->id, name + 2, strlen(name + 2) + 1);
	it->order = order;
	fd = openat(g->qd->qf_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0) {
		if (errno != EACCES)
			return;
		it->open_errno = errno;
		it->priority = LONG_MAX;
		it->events = "";
	} else {
		bool keep = read_one(g, fd, ino, it);

		close(fd);
		if (!keep)
			return;
	}
	if (!queue_select_match(g->o->select, it))
		return;
	it->status = status_of(g, it);
	if (g->o->need_size)
		df_size(g, it);
	g->n++;
}

/* A reader thread: gathers its slice of the entries. */
static void *
reader(void *arg)
{
	struct gather *g = arg;
	size_t i;

	for (i = g->lo; i < g->hi; i++)
		gather_one(g, g->sh->ents[i].name, g->sh->ents[i].ino, i);
	pt_buf_free(&g->data);
	pt_buf_free(&g->ev);
	return NULL;
}

/* Compares two items by the sort order; ties keep folder order. */
static int
cmp_items(const void *pa, const void *pb, void *arg)
{
	const struct queue_item *a = pa, *b = pb;
	int sort = *(const int *)arg, c = 0;

	switch (sort) {
	case QSORT_PRIORITY:
		c = (a->priority > b->priority) - (a->priority < b->priority);
		break;
	case QSORT_TIME:
		c = (a->ctime > b->ctime) - (a->ctime < b->ctime);
		break;
	case QSORT_FILENAME:
		c = strcmp(a->id, b->id);
		break;
	case QSORT_MODIFICATION:
		c = (a->mtime > b->mtime) - (a->mtime < b->mtime);
		break;
	case QSORT_HOST:
		c = strcmp(a->host, b->host);
		if (c == 0)
			c = (a->priority > b->priority) - (a->priority < b->priority);
		break;
	default:
		break;
	}
	if (c == 0)
		c = (a->order > b->order) - (a->order < b->order);
	return c;
}

/* Puts the items in random order (QSORT_RANDOM), with a generator of its own. */
static void
shuffle(struct queue_work *w, unsigned long seed)
{
	size_t i, j;
	struct queue_item t;

	for (i = w->n; i > 1; i--) {
		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		j = (size_t)((seed >> 33) % i);
		t = w->items[i - 1];
		w->items[i - 1] = w->items[j];
		w->items[j] = t;
	}
}

/* Lists the names of the wanted kind into sh->ents (strings in names). */
static int
list_folder(struct shared *sh, struct pt_arena *names, struct pt_buf *err)
{
	struct dirent *d;
	DIR *dir;
	size_t cap = 0;
	int fd = openat(sh->qd->qf_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || (dir = fdopendir(fd)) == NULL) {
		pt_buf_printf(err, "%s: cannot read: %s", sh->qd->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return QUEUE_TEMPFAIL;
	}
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] != sh->prefix || d->d_name[1] != 'f' || d->d_name[2] == '\0' ||
		    strlen(d->d_name + 2) >= QUEUE_ID_MAX || d->d_type == DT_DIR)
			continue;
		if (sh->nents == cap) {
			cap = cap ? cap * 2 : 1024;
			sh->ents = pt_reallocarray(sh->ents, cap, sizeof *sh->ents);
		}
		sh->ents[sh->nents].name = pt_arena_strdup(names, d->d_name);
		sh->ents[sh->nents].ino =
		    d->d_type == DT_REG && sh->trust_dino ? (unsigned long long)d->d_ino : 0;
		sh->nents++;
	}
	closedir(dir);
	return QUEUE_OK;
}

/* How many readers to run over n files. */
static size_t
readers_for(const struct queue_gather_opts *o, size_t n)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t k = o->threads > 0 ? (size_t)o->threads : n / PER_READER + 1;

	if (o->threads <= 0 && cpus > 0 && k > (size_t)cpus)
		k = (size_t)cpus;
	if (k > MAX_READERS)
		k = MAX_READERS;
	return k > n ? (n > 0 ? n : 1) : k;
}

/* Runs k readers over the entries and joins their items into w, in folder order. */
static void
run_readers(const struct shared *sh, size_t k, struct queue_work *w)
{
	struct gather g[MAX_READERS];
	pthread_t tid[MAX_READERS];
	bool started[MAX_READERS];
	size_t i, total = 0;

	memset(g, 0, sizeof g);
	for (i = 0; i < k; i++) {
		g[i].sh = sh;
		g[i].o = sh->o;
		g[i].qd = sh->qd;
		g[i].lo = sh->nents * i / k;
		g[i].hi = sh->nents * (i + 1) / k;
		started[i] = i > 0 && pthread_create(&tid[i], NULL, reader, &g[i]) == 0;
	}
	reader(&g[0]);
	for (i = 1; i < k; i++) {
		if (started[i])
			pthread_join(tid[i], NULL);
		else
			reader(&g[i]);
		total += g[i].n;
	}
	total += g[0].n;
	w->items = pt_reallocarray(NULL, total ? total : 1, sizeof *w->items);
	w->arenas = pt_calloc(k, sizeof *w->arenas);
	w->narenas = k;
	for (i = 0; i < k; i++) {
		if (g[i].n > 0)
			memcpy(w->items + w->n, g[i].items, g[i].n * sizeof *w->items);
		w->n += g[i].n;
		free(g[i].items);
		w->arenas[i] = g[i].arena;
	}
}

int
queue_gather(struct queue_dir *qd, const struct queue_gather_opts *o, struct queue_work *w,
    struct pt_buf *err)
{
	static const char prefixes[] = { [QKIND_NORMAL] = 'q', [QKIND_QUARANTINE] = 'h', [QKIND_LOST] = 'Q' };
	struct shared sh;
	struct statfs sfs;
	int rc, sort = o->sort;

	memset(&sh, 0, sizeof sh);
	sh.qd = qd;
	sh.o = o;
	sh.prefix = prefixes[o->kind >= 0 && o->kind <= QKIND_LOST ? o->kind : 0];
	sh.test_locks = o->need_lock || !queue_select_empty(o->select) || sort == QSORT_PRIORITY ||
	    sort == QSORT_HOST || sort == QSORT_TIME;
	sh.trust_dino = fstatfs(qd->qf_fd, &sfs) == 0 && sfs.f_type != OVERLAYFS_MAGIC;
	rc = list_folder(&sh, &w->arena, err);
	if (rc == QUEUE_OK) {
		if (sh.test_locks)
			queue_locktab_load(&sh.locks, qd->dev);
		run_readers(&sh, readers_for(o, sh.nents), w);
	}
	queue_locktab_free(&sh.locks);
	free(sh.ents);
	if (rc != QUEUE_OK)
		return rc;
	if (sort == QSORT_RANDOM)
		shuffle(w, (unsigned long)o->now ^ ((unsigned long)getpid() << 16));
	else if (w->n > 1)
		qsort_r(w->items, w->n, sizeof *w->items, cmp_items, &sort);
	w->total = w->n;
	if (o->max_items > 0 && w->n > (size_t)o->max_items)
		w->n = (size_t)o->max_items;
	return QUEUE_OK;
}

void
queue_work_free(struct queue_work *w)
{
	size_t i;

	free(w->items);
	pt_arena_free(&w->arena);
	for (i = 0; i < w->narenas; i++)
		pt_arena_free(&w->arenas[i]);
	free(w->arenas);
	memset(w, 0, sizeof *w);
}

int
queue_sort_parse(const char *s)
{
	static const struct {
		char c;
		int sort;
	} orders[] = {
		{ 'p', QSORT_PRIORITY }, { 'h', QSORT_HOST }, { 'f', QSORT_FILENAME },
		{ 't', QSORT_TIME }, { 'r', QSORT_RANDOM }, { 'm', QSORT_MODIFICATION },
		{ 'n', QSORT_NONE },
	};
	size_t i;

	if (s == NULL || *s == '\0')
		return QSORT_PRIORITY;
	for (i = 0; i < sizeof orders / sizeof orders[0]; i++)
		if (pt_tolower((unsigned char)*s) == orders[i].c)
			return orders[i].sort;
	return -1;
}
