/*
 * map_db_fmt: gdbm's file format: a new map file collected in memory and
 * written in one pass, and lookups from a read-only mapping of a map file
 * (see map_db_fmt.h for why).
 *
 * Owns the in-memory pairs of a map being built from nothing, the layout of
 * the file written from them, and the reading of that layout; it never
 * opens, syncs or renames a file (lib/map_db.c does, and reads a new file
 * back through gdbm before renaming it into place).  The builder runs in
 * the map writers (makemap, newaliases) as the invoking user, the view in
 * every process that looks keys up; a view only reads, and checks every
 * offset it follows against the size of the file.  Never exits.
 *
 * The file, as gdbm writes it on a system with a 64-bit off_t, native byte
 * order; B is the block size, offsets in bytes:
 *
 * | where            | what                                                     |
 * | ---------------- | -------------------------------------------------------- |
 * | 0                | header: magic @0, B @4, directory offset @8, directory   |
 * |                  | bytes @16, directory bits D @20, bucket bytes @24, slots |
 * |                  | per bucket @28, first unused offset @32; the free-space  |
 * |                  | table @40 (capacity @40, count @44, next table @48)      |
 * | B                | directory: 2^D bucket offsets (8 bytes each); entry i is |
 * |                  | the bucket of the keys whose hash has i as its top D bits |
 * | B + 8 * 2^D      | buckets of B bytes: free-space count @0 and table @8 (6  |
 * |                  | entries of 16), depth d @104 (the bucket serves 2^(D-d)  |
 * |                  | adjacent entries), pair count @108, slots @112 of 24     |
 * |                  | bytes: hash @0 (-1: empty), first 4 key bytes @4, pair   |
 * |                  | offset @8, key length @16, value length @20; a key sits  |
 * |                  | in slot hash mod slots, or the next free one             |
 * | after buckets    | the pairs, each its key bytes then its value bytes; the  |
 * |                  | file is padded to a multiple of B                        |
 *
 * The header block is the one gdbm wrote for the empty database, with the
 * directory and end fields set; its free-space table stays empty.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include "map_db_fmt.h"
#include "pt_alloc.h"

/* Header fields (see the table above). */
#define H_BLOCK 4
#define H_DIR 8
#define H_DIRSIZE 16
#define H_DIRBITS 20
#define H_BUCKETSIZE 24
#define H_ELEMS 28
#define H_NEXT 32
#define H_AVSIZE 40
#define H_AVCOUNT 44
#define H_AVNEXT 48
#define H_AVTABLE 56
/* Bucket fields. */
#define B_BITS 104
#define B_COUNT 108
#define B_SLOTS 112
#define SLOT_SIZE 24
#define SLOT_KEY 4
#define SLOT_PTR 8
#define SLOT_KLEN 16
#define SLOT_VLEN 20
#define KEY_START 4		/* key bytes a slot keeps */
#define AVAIL_ELEM 16		/* a free-space table entry */
#define HASH_BITS 31
/* The deepest directory written (2^26 entries, 512 MB); gdbm takes over beyond. */
#define MAX_DIR_BITS 26
/* Bytes of keys and values collected before gdbm takes over the build. */
#define MAX_DATA ((size_t)1 << 31)

/* One pair: its key and value are data[off..off+klen+vlen). */
struct rec {
	size_t off;
	uint32_t klen, vlen;
	uint32_t hash;
};

struct map_db_bulk {
	unsigned char *hdr;	/* the header block gdbm wrote */
	size_t block;		/* B */
	size_t bucket_size;	/* bytes of a bucket */
	uint32_t elems;		/* slots per bucket */
	int min_bits;		/* the directory bits of the empty file */
	struct rec *rec;	/* the pairs, in the order first stored */
	size_t n, cap;
	char *data;		/* their bytes */
	size_t dlen, dcap;
	uint32_t *tab;		/* index of rec + 1 by hash, open addressing; 0: empty */
	int tab_bits;
};

/* One bucket of the layout: the sorted pairs [lo, hi) whose hashes start with prefix (bits long). */
struct bucket {
	size_t lo, hi;
	uint32_t prefix;
	int bits;
};

/* Reads and writes the native integers of the format. */
static uint32_t
get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

static int64_t
get64(const unsigned char *p)
{
	int64_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

static void
put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, sizeof v);
}

static void
put64(unsigned char *p, int64_t v)
{
	memcpy(p, &v, sizeof v);
}

struct map_db_bulk *
map_db_bulk_new(const unsigned char *hdr, size_t len)
{
	struct map_db_bulk *b;
	uint32_t block, bsize, elems, dsize;

	if (sizeof(off_t) != 8 || len < 64)
		return NULL;
	block = get32(hdr + H_BLOCK);
	bsize = get32(hdr + H_BUCKETSIZE);
	elems = get32(hdr + H_ELEMS);
	dsize = get32(hdr + H_DIRSIZE);
	/* the layout this module writes, checked against what gdbm wrote */
	if (block != len || block < 512 || block > 65536 || (block & (block - 1)) != 0 ||
	    bsize != block ||
	    elems != (bsize - (B_SLOTS + SLOT_SIZE)) / SLOT_SIZE + 1 || get64(hdr + H_DIR) != block ||
	    dsize != block || (uint32_t)8 << get32(hdr + H_DIRBITS) != dsize ||
	    get32(hdr + H_AVSIZE) != (block - (H_AVTABLE - H_AVSIZE) - H_AVSIZE) / AVAIL_ELEM ||
	    get32(hdr + H_AVCOUNT) != 0 || get64(hdr + H_AVNEXT) != 0)
		return NULL;
	b = pt_calloc(1, sizeof *b);
	b->hdr = pt_malloc(len);
	memcpy(b->hdr, hdr, len);
	b->block = block;
	b->bucket_size = bsize;
	b->elems = elems;
	b->min_bits = (int)get32(hdr + H_DIRBITS);
	b->tab_bits = 10;
	b->tab = pt_calloc((size_t)1 << b->tab_bits, sizeof *b->tab);
	/* never NULL, so that b->data + off is defined even for an empty map */
	b->dcap = 4096;
	b->data = pt_malloc(b->dcap);
	return b;
}

void
map_db_bulk_free(struct map_db_bulk *b)
{
	if (b == NULL)
		return;
	free(b->hdr);
	free(b->rec);
	free(b->data);
	free(b->tab);
	free(b);
}

uint32_t
map_db_bulk_hash(const void *key, size_t klen)
{
	/* as gdbm computes it, with the platform's plain char */
	const char *k = key;
	unsigned int v = 0x238F13AFu * (unsigned int)klen;
	size_t i;

	for (i = 0; i < klen; i++)
		v = (v + ((unsigned int)k[i] << ((unsigned int)i * 5 % 24))) & 0x7FFFFFFF;
	return (1103515243u * v + 12345) & 0x7FFFFFFF;
}

/* The table slot to start probing at for a hash. */
static size_t
tab_home(const struct map_db_bulk *b, uint32_t hash)
{
	return (size_t)(((uint64_t)hash * 0x9E3779B97F4A7C15ull) >> (64 - b->tab_bits));
}

/* The table slot holding key, or the empty slot where it would go. */
static size_t
tab_find(const struct map_db_bulk *b, uint32_t hash, const void *key, size_t klen)
{
	size_t mask = ((size_t)1 << b->tab_bits) - 1, i = tab_home(b, hash);
	const struct rec *r;

	for (; b->tab[i] != 0; i = (i + 1) & mask) {
		r = &b->rec[b->tab[i] - 1];
		if (r->hash == hash && r->klen == klen && memcmp(b->data + r->off, key, klen) == 0)
			break;
	}
	return i;
}

/* Doubles the table. */
static void
tab_grow(struct map_db_bulk *b)
{
	size_t i, j, mask;

	free(b->tab);
	b->tab_bits++;
	b->tab = pt_calloc((size_t)1 << b->tab_bits, sizeof *b->tab);
	mask = ((size_t)1 << b->tab_bits) - 1;
	for (i = 0; i < b->n; i++) {
		for (j = tab_home(b, b->rec[i].hash); b->tab[j] != 0; j = (j + 1) & mask)
			;
		b->tab[j] = (uint32_t)(i + 1);
	}
}

int
map_db_bulk_get(const struct map_db_bulk *b, const void *key, size_t klen, const char **val,
    size_t *vlen)
{
	size_t i = tab_find(b, map_db_bulk_hash(key, klen), key, klen);
	const struct rec *r;

	if (b->tab[i] == 0)
		return 0;
	r = &b->rec[b->tab[i] - 1];
	*val = b->data + r->off + r->klen;
	*vlen = r->vlen;
	return 1;
}

/* Appends bytes to data; false when the builder is full. */
static bool
data_add(struct map_db_bulk *b, const void *p, size_t n)
{
	if (n > MAX_DATA - b->dlen)
		return false;
	if (b->dlen + n > b->dcap) {
		b->dcap = b->dcap ? b->dcap * 2 : 65536;
		while (b->dcap < b->dlen + n)
			b->dcap *= 2;
		b->data = pt_reallocarray(b->data, b->dcap, 1);
	}
	if (n > 0)	/* p may be NULL for an empty key or value */
		memcpy(b->data + b->dlen, p, n);
	b->dlen += n;
	return true;
}

int
map_db_bulk_put(struct map_db_bulk *b, const void *key, size_t klen, const void *val,
    size_t vlen, bool replace)
{
	uint32_t hash = map_db_bulk_hash(key, klen);
	size_t i = tab_find(b, hash, key, klen), off = b->dlen;
	struct rec *r;

	if (b->tab[i] != 0 && !replace)
		return 1;
	if (klen > INT32_MAX / 2 || vlen > INT32_MAX / 2 || b->n >= UINT32_MAX / 2 ||
	    !data_add(b, key, klen) || !data_add(b, val, vlen)) {
		b->dlen = off;
		return -1;
	}
	if (b->tab[i] != 0) {
		/* the new bytes replace the old ones, which are left unused */
		r = &b->rec[b->tab[i] - 1];
		r->off = off;
		r->vlen = (uint32_t)vlen;
		return 0;
	}
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 1024;
		b->rec = pt_reallocarray(b->rec, b->cap, sizeof *b->rec);
	}
	b->rec[b->n] = (struct rec){ off, (uint32_t)klen, (uint32_t)vlen, hash };
	b->tab[i] = (uint32_t)++b->n;
	if (b->n * 2 > (size_t)1 << b->tab_bits)
		tab_grow(b);
	return 0;
}

int
map_db_bulk_each(const struct map_db_bulk *b,
    int (*fn)(void *ctx, const char *k, size_t kl, const char *v, size_t vl), void *ctx)
{
	size_t i;
	int rc;

	for (i = 0; i < b->n; i++) {
		const struct rec *r = &b->rec[i];

		rc = fn(ctx, b->data + r->off, r->klen, b->data + r->off + r->klen, r->vlen);
		if (rc != 0)
			return rc;
	}
	return 0;
}

size_t
map_db_bulk_count(const struct map_db_bulk *b)
{
	return b->n;
}

size_t
map_db_bulk_samples(const struct map_db_bulk *b, const char *k[3], size_t kl[3],
    const char *v[3], size_t vl[3])
{
	size_t pick[3] = { 0, b->n / 2, b->n - 1 }, i;

	if (b->n == 0)
		return 0;
	for (i = 0; i < 3; i++) {
		const struct rec *r = &b->rec[pick[i]];

		k[i] = b->data + r->off;
		kl[i] = r->klen;
		v[i] = b->data + r->off + r->klen;
		vl[i] = r->vlen;
	}
	return 3;
}

/* Sorts the pairs by hash: returns their indexes in hash order (radix sort, stable). */
static uint32_t *
sorted_by_hash(const struct map_db_bulk *b)
{
	uint32_t *a = pt_reallocarray(NULL, b->n + 1, sizeof *a);
	uint32_t *t = pt_reallocarray(NULL, b->n + 1, sizeof *t), *swap;
	size_t *count = pt_malloc((65536 + 1) * sizeof *count), i;
	int shift;

	for (i = 0; i < b->n; i++)
		a[i] = (uint32_t)i;
	for (shift = 0; shift < 32; shift += 16) {
		memset(count, 0, (65536 + 1) * sizeof *count);
		for (i = 0; i < b->n; i++)
			count[((b->rec[a[i]].hash >> shift) & 0xffff) + 1]++;
		for (i = 1; i <= 65536; i++)
			count[i] += count[i - 1];
		for (i = 0; i < b->n; i++)
			t[count[(b->rec[a[i]].hash >> shift) & 0xffff]++] = a[i];
		swap = a;
		a = t;
		t = swap;
	}
	free(t);
	free(count);
	return a;
}

/* The layout being planned: the buckets, left to right in directory order. */
struct plan {
	struct bucket *bk;
	size_t n, cap;
	int bits;		/* D */
};

/*
 * Splits the sorted pairs [lo, hi), whose hashes share their top bits bits
 * (prefix), into buckets that hold them, halving the range as gdbm's buckets
 * split.  Returns false when more pairs than a bucket holds share one hash.
 */
static bool
plan_range(const struct map_db_bulk *b, const uint32_t *ord, size_t lo, size_t hi,
    uint32_t prefix, int bits, struct plan *p)
{
	size_t mid, l, h;
	uint32_t cut;

	if (hi - lo <= b->elems || bits >= MAX_DIR_BITS) {
		if (hi - lo > b->elems)
			return false;
		if (p->n == p->cap) {
			p->cap = p->cap ? p->cap * 2 : 256;
			p->bk = pt_reallocarray(p->bk, p->cap, sizeof *p->bk);
		}
		p->bk[p->n++] = (struct bucket){ lo, hi, prefix, bits };
		if (bits > p->bits)
			p->bits = bits;
		return true;
	}
	/* the first pair whose next hash bit is 1 */
	cut = ((prefix << 1) | 1) << (HASH_BITS - bits - 1);
	for (l = lo, h = hi; l < h;) {
		mid = l + (h - l) / 2;
		if (b->rec[ord[mid]].hash < cut)
			l = mid + 1;
		else
			h = mid;
	}
	return plan_range(b, ord, lo, l, prefix << 1, bits + 1, p) &&
	    plan_range(b, ord, l, hi, (prefix << 1) | 1, bits + 1, p);
}

/* Buffered sequential writing of the file. */
struct out {
	int fd;
	int err;
	unsigned char *buf;
	size_t len, cap;
};

/* Writes out what is buffered. */
static void
out_flush(struct out *o)
{
	size_t done = 0;
	ssize_t w;

	while (o->err == 0 && done < o->len) {
		w = write(o->fd, o->buf + done, o->len - done);
		if (w < 0 && errno != EINTR)
			o->err = errno;
		else if (w > 0)
			done += (size_t)w;
	}
	o->len = 0;
}

/* Returns room for n bytes at the end of the buffer (n at most its capacity). */
static unsigned char *
out_room(struct out *o, size_t n)
{
	unsigned char *p;

	if (o->len + n > o->cap)
		out_flush(o);
	p = o->buf + o->len;
	o->len += n;
	return p;
}

/* Appends bytes of any length. */
static void
out_add(struct out *o, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t k;

	while (n > 0) {
		k = n < o->cap ? n : o->cap;
		memcpy(out_room(o, k), s, k);
		s += k;
		n -= k;
	}
}

/* Writes one bucket (pairs ord[bk->lo..hi), their bytes from *pos on). */
static void
write_bucket(const struct map_db_bulk *b, const uint32_t *ord, const struct bucket *bk,
    int64_t *pos, struct out *o)
{
	unsigned char *p = out_room(o, b->bucket_size), *s;
	size_t i, loc;

	memset(p, 0, b->bucket_size);
	put32(p + B_BITS, (uint32_t)bk->bits);
	put32(p + B_COUNT, (uint32_t)(bk->hi - bk->lo));
	for (i = 0; i < b->elems; i++)
		put32(p + B_SLOTS + i * SLOT_SIZE, UINT32_MAX);
	for (i = bk->lo; i < bk->hi; i++) {
		const struct rec *r = &b->rec[ord[i]];

		for (loc = r->hash % b->elems; get32(p + B_SLOTS + loc * SLOT_SIZE) != UINT32_MAX;
		    loc = (loc + 1) % b->elems)
			;
		s = p + B_SLOTS + loc * SLOT_SIZE;
		put32(s, r->hash);
		memcpy(s + SLOT_KEY, b->data + r->off, r->klen < KEY_START ? r->klen : KEY_START);
		put64(s + SLOT_PTR, *pos);
		put32(s + SLOT_KLEN, r->klen);
		put32(s + SLOT_VLEN, r->vlen);
		*pos += (int64_t)r->klen + r->vlen;
	}
}

/* Writes header, directory, buckets and pairs as planned. */
static int
write_file(const struct map_db_bulk *b, const uint32_t *ord, const struct plan *p, int fd)
{
	struct out o = { fd, 0, NULL, 0, (size_t)1 << 20 };
	size_t nd = (size_t)1 << p->bits, i, j, first, span;
	int64_t bucket0 = (int64_t)b->block + (int64_t)(nd * 8), data0, pos, end, total = 0;
	unsigned char *h;

	data0 = bucket0 + (int64_t)(p->n * b->bucket_size);
	for (i = 0; i < b->n; i++)
		total += (int64_t)b->rec[i].klen + b->rec[i].vlen;
	end = data0 + total;
	end = (end + (int64_t)b->block - 1) / (int64_t)b->block * (int64_t)b->block;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return errno;
	o.buf = pt_malloc(o.cap);
	h = out_room(&o, b->block);
	memcpy(h, b->hdr, b->block);
	put64(h + H_DIR, (int64_t)b->block);
	put32(h + H_DIRSIZE, (uint32_t)(nd * 8));
	put32(h + H_DIRBITS, (uint32_t)p->bits);
	put64(h + H_NEXT, end);
	for (i = 0; i < p->n; i++) {
		first = (size_t)p->bk[i].prefix << (p->bits - p->bk[i].bits);
		span = (size_t)1 << (p->bits - p->bk[i].bits);
		for (j = first; j < first + span; j++)
			put64(out_room(&o, 8), bucket0 + (int64_t)(i * b->bucket_size));
	}
	pos = data0;
	for (i = 0; i < p->n; i++)
		write_bucket(b, ord, &p->bk[i], &pos, &o);
	for (i = 0; i < b->n; i++) {
		const struct rec *r = &b->rec[ord[i]];

		out_add(&o, b->data + r->off, (size_t)r->klen + r->vlen);
	}
	memset(out_room(&o, (size_t)(end - pos)), 0, (size_t)(end - pos));
	out_flush(&o);
	free(o.buf);
	if (o.err == 0 && ftruncate(fd, end) < 0)
		o.err = errno;
	return o.err;
}

int
map_db_bulk_write(const struct map_db_bulk *b, int fd)
{
	uint32_t *ord = sorted_by_hash(b);
	struct plan p = { NULL, 0, 0, b->min_bits };
	int rc = -1;

	/* the pairs are written in hash order, after the buckets that point at them */
	if (plan_range(b, ord, 0, b->n, 0, 0, &p))
		rc = write_file(b, ord, &p, fd);
	free(p.bk);
	free(ord);
	return rc;
}

bool
map_db_view_open(struct map_db_view *v, int fd, size_t len)
{
	const unsigned char *h;
	void *p;

	memset(v, 0, sizeof *v);
	if (sizeof(off_t) != 8 || len < 64 || len > (size_t)INT64_MAX)
		return false;
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return false;
	h = p;
	v->p = h;
	v->len = len;
	v->block = get32(h + H_BLOCK);
	v->dir = (uint64_t)get64(h + H_DIR);
	v->dir_bits = get32(h + H_DIRBITS);
	v->bucket_size = get32(h + H_BUCKETSIZE);
	v->elems = get32(h + H_ELEMS);
	if (v->dir_bits > 30 || get32(h + H_DIRSIZE) != (uint32_t)8 << v->dir_bits ||
	    v->dir > len || ((uint64_t)8 << v->dir_bits) > len - v->dir || v->elems == 0 ||
	    v->bucket_size < B_SLOTS + SLOT_SIZE ||
	    v->elems != (v->bucket_size - (B_SLOTS + SLOT_SIZE)) / SLOT_SIZE + 1) {
		map_db_view_close(v);
		return false;
	}
	return true;
}

void
map_db_view_close(struct map_db_view *v)
{
	if (v->p != NULL)
		munmap((void *)v->p, v->len);
	v->p = NULL;
}

int
map_db_view_get(const struct map_db_view *v, const void *key, size_t klen, const char **val,
    size_t *vlen)
{
	uint32_t hash = map_db_bulk_hash(key, klen), i, loc;
	uint64_t bucket = (uint64_t)get64(v->p + v->dir +
	    (uint64_t)(hash >> (HASH_BITS - v->dir_bits)) * 8), ptr, kl, vl;
	const unsigned char *b, *s;

	if (bucket < v->block || bucket > v->len || v->bucket_size > v->len - bucket)
		return -1;
	b = v->p + bucket;
	for (i = 0, loc = hash % v->elems; i < v->elems; i++, loc = (loc + 1) % v->elems) {
		s = b + B_SLOTS + (size_t)loc * SLOT_SIZE;
		if (get32(s) == UINT32_MAX)
			return 0;
		kl = get32(s + SLOT_KLEN);
		if (get32(s) != hash || kl != klen ||
		    memcmp(s + SLOT_KEY, key, klen < KEY_START ? klen : KEY_START) != 0)
			continue;
		ptr = (uint64_t)get64(s + SLOT_PTR);
		vl = get32(s + SLOT_VLEN);
		if (ptr > v->len || kl > v->len - ptr || vl > v->len - ptr - kl || vl > INT32_MAX)
			return -1;
		if (memcmp(v->p + ptr, key, klen) == 0) {
			*val = (const char *)v->p + ptr + kl;
			*vlen = (size_t)vl;
			return 1;
		}
	}
	return 0;
}
