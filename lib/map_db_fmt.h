/*
 * map_db_fmt: gdbm's file format, for lib/map_db.c only: a new map file
 * collected in memory and written in one pass (map_db_bulk_*), and lookups
 * straight from a read-only mapping of a map file (map_db_view_*).
 *
 * gdbm_store() rewrites a pair's whole bucket (one block) in the file for
 * every pair it stores, so a build through it writes a block per pair.  A map
 * built from nothing is instead collected here (keys, values, gdbm's hash of
 * each key) and written at commit as gdbm lays a file out; the result is an
 * ordinary gdbm file that gdbm reads, walks and updates.
 *
 * A lookup through gdbm_fetch copies the key's whole bucket into gdbm's
 * cache and the value into a new allocation; a view finds the pair in the
 * mapped file (every offset checked against the file's size) and copies
 * nothing.
 */
#ifndef MAP_DB_FMT_H
#define MAP_DB_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct map_db_bulk;

/*
 * Starts a builder from the first block of an empty database that gdbm has
 * just created (hdr[0..len)).  Returns NULL when that header is not laid out
 * as this module knows (another gdbm format or word size): the caller then
 * builds through gdbm.
 */
struct map_db_bulk *map_db_bulk_new(const unsigned char *hdr, size_t len);
/* Frees a builder. */
void map_db_bulk_free(struct map_db_bulk *b);

/* gdbm's hash of a key (31 bits), which places it in the file. */
uint32_t map_db_bulk_hash(const void *key, size_t klen);

/*
 * Looks a key up.  Returns 1 with *val and *vlen set (borrowed until the
 * next put), or 0 if absent.
 */
int map_db_bulk_get(const struct map_db_bulk *b, const void *key, size_t klen,
    const char **val, size_t *vlen);

/*
 * Stores a pair; an existing key keeps its value unless replace.  Returns 0
 * stored, 1 not stored (present, !replace), -1 when the builder is full (the
 * caller hands its pairs over to gdbm and stores through gdbm from then on).
 */
int map_db_bulk_put(struct map_db_bulk *b, const void *key, size_t klen, const void *val,
    size_t vlen, bool replace);

/* Calls fn for each pair, in the order first stored; stops when fn returns non-zero (returned). */
int map_db_bulk_each(const struct map_db_bulk *b,
    int (*fn)(void *ctx, const char *k, size_t kl, const char *v, size_t vl), void *ctx);

/*
 * Writes the whole database file into fd (from offset 0, setting its size).
 * Returns 0, an errno from writing, or -1 when the keys cannot be laid out:
 * more of them than a bucket holds share their hash value (or its top 26
 * bits, beyond which the directory would pass 512 MB).
 */
int map_db_bulk_write(const struct map_db_bulk *b, int fd);

/* The number of pairs. */
size_t map_db_bulk_count(const struct map_db_bulk *b);

/* Up to three keys to read back from the written file: first, middle and last stored. */
size_t map_db_bulk_samples(const struct map_db_bulk *b, const char *k[3], size_t kl[3],
    const char *v[3], size_t vl[3]);

/* A map file mapped for lookups. */
struct map_db_view {
	const unsigned char *p;	/* the mapping, or NULL */
	size_t len;		/* its size (the file's when mapped) */
	uint64_t dir;		/* offset of the directory */
	uint32_t dir_bits, bucket_size, elems, block;
};

/*
 * Maps the len bytes of the gdbm file open on fd (which may be closed
 * afterwards) and reads its header.  Returns false, leaving v->p NULL, when
 * it cannot be mapped or its header is not laid out as map_db_bulk_write
 * and gdbm write it (lookups then go through gdbm).
 */
bool map_db_view_open(struct map_db_view *v, int fd, size_t len);
/* Unmaps the view (if mapped). */
void map_db_view_close(struct map_db_view *v);
/*
 * Looks key up.  Returns 1 with *val and *vlen pointing into the mapping
 * (valid until map_db_view_close), 0 if absent, -1 if the file is damaged
 * where the key would be.
 */
int map_db_view_get(const struct map_db_view *v, const void *key, size_t klen,
    const char **val, size_t *vlen);

#endif
