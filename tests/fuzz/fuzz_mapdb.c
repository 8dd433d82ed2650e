/*
 * fuzz_mapdb: libFuzzer target for the map files of the hash, btree and dbm
 * classes as lib/map_db_fmt.c writes and reads them.  The input after its
 * first byte is cut into "key<TAB>value" lines, which are written as a map
 * file in one pass; every key must then be found with its value (the last one
 * given) through a view of the file.  The first byte then says how many of
 * the file's bytes to overwrite (at offsets and with values taken from the
 * input's end), and every key is looked up again in the damaged file: an
 * answer or an error, never a read outside the file.
 */
#include "config.h"

#include <gdbm.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "map_db_fmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A new builder from the header gdbm writes for an empty file. */
static struct map_db_bulk *
new_builder(void)
{
	int fd = memfd_create("hdr", 0), bs = 0;
	GDBM_FILE dbf = fd < 0 ? NULL : gdbm_fd_open(fd, "hdr", 0,
	    GDBM_NEWDB | GDBM_NOLOCK | GDBM_NOMMAP | GDBM_CLOERROR, NULL);
	unsigned char h[65536];
	struct map_db_bulk *b = NULL;

	if (dbf == NULL)
		abort();
	if (gdbm_setopt(dbf, GDBM_GETBLOCKSIZE, &bs, sizeof bs) == 0 && bs > 0 &&
	    bs <= (int)sizeof h && pread(gdbm_fdesc(dbf), h, (size_t)bs, 0) == bs)
		b = map_db_bulk_new(h, (size_t)bs);
	gdbm_close(dbf);
	if (b == NULL)
		abort();
	return b;
}

/* The value the input gives key last, or NULL. */
static const uint8_t *
last_value(const uint8_t *data, size_t size, const uint8_t *key, size_t kl, size_t *vl)
{
	const uint8_t *found = NULL, *line = data, *end = data + size, *nl, *tab;

	for (; line < end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (nl == NULL)
			nl = end;
		tab = memchr(line, '\t', (size_t)(nl - line));
		if (tab != NULL && (size_t)(tab - line) == kl && memcmp(line, key, kl) == 0) {
			found = tab + 1;
			*vl = (size_t)(nl - tab - 1);
		}
	}
	return found;
}

/* Looks every key of the input up; with check, each must give its last value. */
static void
lookups(const struct map_db_view *v, const uint8_t *data, size_t size, bool check)
{
	const uint8_t *line = data, *end = data + size, *nl, *tab, *want;
	const char *val;
	size_t vl, wl = 0;
	int r;

	for (; line < end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (nl == NULL)
			nl = end;
		tab = memchr(line, '\t', (size_t)(nl - line));
		if (tab == NULL)
			continue;
		r = map_db_view_get(v, line, (size_t)(tab - line), &val, &vl);
		if (r == 1 && ((const unsigned char *)val < v->p ||
		    (const unsigned char *)val + vl > v->p + v->len))
			abort();
		if (!check)
			continue;
		want = last_value(data, size, line, (size_t)(tab - line), &wl);
		if (r != 1 || vl != wl || memcmp(val, want, wl) != 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct map_db_bulk *b;
	struct map_db_view v;
	const uint8_t *line, *end, *nl, *tab;
	struct stat st;
	size_t i, damage;
	int fd;

	if (size < 1)
		return 0;
	damage = data[0] % 16;
	data++;
	size--;
	b = new_builder();
	end = data + size;
	for (line = data; line < end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (nl == NULL)
			nl = end;
		tab = memchr(line, '\t', (size_t)(nl - line));
		if (tab != NULL)
			map_db_bulk_put(b, line, (size_t)(tab - line), tab + 1, (size_t)(nl - tab - 1),
			    true);
	}
	fd = memfd_create("map", 0);
	if (fd < 0)
		abort();
	if (map_db_bulk_write(b, fd) == 0 && fstat(fd, &st) == 0) {
		if (!map_db_view_open(&v, fd, (size_t)st.st_size))
			abort();
		lookups(&v, data, size, true);
		map_db_view_close(&v);
		for (i = 0; i < damage && size >= 5 * (i + 1); i++) {
			const uint8_t *d = end - 5 * (i + 1);
			uint32_t off = ((uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 |
			    (uint32_t)d[2] << 8 | d[3]) % (uint32_t)st.st_size;

			if (pwrite(fd, d + 4, 1, off) != 1)
				abort();
		}
		if (map_db_view_open(&v, fd, (size_t)st.st_size)) {
			lookups(&v, data, size, false);
			map_db_view_close(&v);
		}
	}
	close(fd);
	map_db_bulk_free(b);
	return 0;
}
