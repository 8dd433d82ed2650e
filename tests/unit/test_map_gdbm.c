/*
 * test_map_gdbm: the hash, btree and dbm classes and their files: names,
 * Berkeley DB files left by upstream, empty, truncated and corrupt files
 * (a clear error, never a crash), duplicate values (makemap -d), sorted
 * walks, and the writers' lock.
 */
#include "config.h"

#include <fcntl.h>
#include <gdbm.h>
#include <stdint.h>
#include <sys/file.h>

#include "map_db_fmt.h"
#include "map_impl.h"
#include "maptest.h"
#include "pt_file.h"

/* Collects a walk of a map into one string "k=v;" (keys up to their NUL). */
static int
collect(void *ctx, const char *k, size_t kl, const char *v, size_t vl)
{
	struct pt_buf *b = ctx;

	pt_buf_add(b, k, strnlen(k, kl));
	pt_buf_addc(b, '=');
	pt_buf_add(b, v, strnlen(v, vl));
	pt_buf_addc(b, ';');
	return 0;
}

/* File names and the three class names. */
static void
test_names(void)
{
	struct map_set *set = mt_set(MAP_DBS_MAPINUNSAFEDIRPATH, NULL, NULL);
	char *p;
	char args[600];

	p = map_db_path("/etc/mail/access");
	is_str(p, "/etc/mail/access.db", "a map file is the map name plus .db");
	free(p);
	p = map_db_path("/etc/mail/access.db");
	is_str(p, "/etc/mail/access.db", "a name that ends in .db is used as it is");
	free(p);
	mt_build(mt_path("names"), 0, "k", "v", NULL);
	is_str(mt_lookup(mt_declare(set, "b", "btree", mt_path("names")), "k"), "v", "btree reads the same file");
	is_str(mt_lookup(mt_declare(set, "d", "dbm", mt_path("names")), "k"), "v", "dbm reads the same file");
	snprintf(args, sizeof args, "%s.db", mt_path("names"));
	is_str(mt_lookup(mt_declare(set, "h", "hash", args), "K"), "v", "a K line may name the .db file");
	map_set_free(set);
}

/* Files that are not gdbm maps: clear errors, no crash. */
static void
test_bad_files(void)
{
	struct map_set *set = mt_set(MAP_DBS_MAPINUNSAFEDIRPATH, NULL, NULL);
	unsigned char bdb[4096] = { 0 };
	char want[900];
	struct map *m;
	FILE *fp;
	int i;

	bdb[12] = 0x61; bdb[13] = 0x15; bdb[14] = 0x06; bdb[15] = 0x00;
	fp = fopen(mt_path("berkeley.db"), "w");
	fwrite(bdb, 1, sizeof bdb, fp);
	fclose(fp);
	is_int(map_db_kind(mt_path("berkeley.db")), MAP_DB_BERKELEY, "a Berkeley DB hash file is recognised");
	m = mt_declare(set, "access", "hash", mt_path("berkeley"));
	mt_log_text();
	is_str(mt_lookup(m, "k"), "<tempfail>", "a Berkeley DB map is not read");
	snprintf(want, sizeof want, "hash map \"access\": %s.db is a Berkeley DB file (made by another "
	    "makemap); rebuild it with: makemap hash %s < %s\n", mt_path("berkeley"),
	    mt_path("berkeley"), mt_path("berkeley"));
	is_str(mt_log_text(), want, "and the log says which command rebuilds it");
	mt_write("empty.db", "", 0644);
	m = mt_declare(set, "empty", "hash", mt_path("empty"));
	is_str(mt_lookup(m, "k"), "<tempfail>", "an empty .db file is an error");
	ok(strstr(mt_log_text(), "is empty; rebuild it with: makemap hash") != NULL, "which says it is empty");
	mt_write("junk.db", "this is not a map at all, just some text\n", 0644);
	m = mt_declare(set, "junk", "hash", mt_path("junk"));
	is_str(mt_lookup(m, "k"), "<tempfail>", "a text file in place of a map is an error");
	ok(strstr(mt_log_text(), "is not a map file") != NULL, "which says so");
	/* a real map, cut short at several places, then with bytes overwritten */
	mt_build(mt_path("big"), 0, "k1", "v1", "k2", "v2", "k3", "v3", NULL);
	for (i = 0; i < 6; i++) {
		static const long cuts[] = { 16, 100, 1000, 4096, 8000, 12000 };
		char name[64];
		struct pt_buf all = PT_BUF_INIT;

		pt_file_read(mt_path("big.db"), &all);
		snprintf(name, sizeof name, "cut%d.db", i);
		fp = fopen(mt_path(name), "w");
		fwrite(all.s, 1, (size_t)cuts[i] < all.len ? (size_t)cuts[i] : all.len / 2, fp);
		fclose(fp);
		snprintf(name, sizeof name, "cut%d", i);
		m = mt_declare(set, name, "hash", mt_path(name));
		const char *r = mt_lookup(m, "k1");
		ok(strcmp(r, "<tempfail>") == 0 || strcmp(r, "v1") == 0 || strcmp(r, "<notfound>") == 0,
		    "a map truncated to %ld bytes gives an answer or an error, not a crash (%s)", cuts[i], r);
		pt_buf_free(&all);
	}
	mt_log_text();
	for (i = 0; i < 8; i++) {
		struct pt_buf all = PT_BUF_INIT;
		char name[64];
		size_t j;

		pt_file_read(mt_path("big.db"), &all);
		srand((unsigned)i);
		for (j = (size_t)i * 37; j < all.len; j += 97 + (size_t)i)
			all.s[j] = (char)rand();
		snprintf(name, sizeof name, "junk%d.db", i);
		fp = fopen(mt_path(name), "w");
		fwrite(all.s, 1, all.len, fp);
		fclose(fp);
		snprintf(name, sizeof name, "junk%d", i);
		m = mt_declare(set, name, "hash", mt_path(name));
		const char *r = mt_lookup(m, "k2");
		ok(strcmp(r, "<tempfail>") == 0 || strcmp(r, "v2") == 0 || strcmp(r, "<notfound>") == 0,
		    "a map with overwritten bytes (pattern %d) gives an answer or an error (%s)", i, r);
		pt_buf_free(&all);
	}
	mt_log_text();
	map_set_free(set);
}

/* Duplicate values, sorted walks, deletes. */
static void
test_store(void)
{
	struct map_set *set = mt_set(MAP_DBS_MAPINUNSAFEDIRPATH, NULL, NULL);
	struct pt_buf err = PT_BUF_INIT, all = PT_BUF_INIT;
	struct map_db *db;
	char *path = map_db_path(mt_path("dups"));

	ok(map_db_create(path, 0640, 0, 0, &db, &err) == 0, "a map file is created");
	map_db_put_dup(db, "b", 1, "3", 1, &err);
	map_db_put_dup(db, "a", 1, "1", 1, &err);
	map_db_put_dup(db, "a", 1, "2", 1, &err);
	is_int(map_db_put(db, "b", 1, "x", 1, MAP_DB_INSERT, &err), 1, "inserting a present key reports a duplicate");
	is_int(map_db_delete(db, "zz", 2, &err), 1, "deleting an absent key says so");
	ok(map_db_commit(db, (uid_t)-1, (gid_t)-1, &err) == 0, "the map is committed");
	ok(map_db_open(path, &db, &err) == 0, "and opened again");
	map_db_each(db, true, collect, &all, &err);
	is_str(all.s, "a=1;a=2;b=3;", "a sorted walk lists every value of a repeated key, in order");
	map_db_close(db);
	struct map *m = mt_declare(set, "dups", "btree", mt_path("dups"));
	is_str(mt_lookup(m, "a"), "1", "a lookup finds the first value of a repeated key");
	struct stat st;
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640, "a new map file has mode 0640");
	free(path);
	pt_buf_free(&err);
	pt_buf_free(&all);
	map_set_free(set);
}

/* The key and value of pair i of the bulk test: short, long, 8-bit and NUL-holding ones. */
static void
bulk_pair(int i, struct pt_buf *k, struct pt_buf *v)
{
	pt_buf_reset(k);
	pt_buf_reset(v);
	if (i % 7 == 0)
		pt_buf_printf(k, "%c", 'A' + i % 26);
	if (i % 11 == 0)
		pt_buf_adds(k, "\xe9t\xe9\xff");
	pt_buf_printf(k, "key%d", i);
	if (i % 13 == 0)
		for (int j = 0; j < 30; j++)
			pt_buf_adds(k, "-long-key");
	if (i % 17 == 0)
		pt_buf_add(k, "\0", 1);
	if (i % 5 != 0)
		pt_buf_printf(v, "value %d", i * 3);
	if (i % 9 == 0)
		pt_buf_add(v, "\0tail", 5);
}

/* Checks pairs [0, n) of the bulk test through db (values of keys below replaced from "new "). */
static int
bulk_check(struct map_db *db, int n, int replaced)
{
	struct pt_buf k = PT_BUF_INIT, v = PT_BUF_INIT, got = PT_BUF_INIT, err = PT_BUF_INIT;
	int bad = 0;

	for (int i = 0; i < n; i++) {
		bulk_pair(i, &k, &v);
		pt_buf_reset(&got);
		if (map_db_get(db, k.s, k.len, &got, &err) != 1 ||
		    got.len != v.len + (i < replaced ? 4 : 0) ||
		    memcmp(got.s + (i < replaced ? 4 : 0), v.s, v.len) != 0)
			bad++;
	}
	pt_buf_free(&k);
	pt_buf_free(&v);
	pt_buf_free(&got);
	pt_buf_free(&err);
	return bad;
}

/* Counts the pairs of a walk. */
static int
count_pair(void *ctx, const char *k, size_t kl, const char *v, size_t vl)
{
	(void)k;
	(void)kl;
	(void)v;
	(void)vl;
	++*(long *)ctx;
	return 0;
}

/* A new map is written in one pass in gdbm's format: gdbm reads, walks and updates it. */
static void
test_bulk(void)
{
	struct pt_buf k = PT_BUF_INIT, v = PT_BUF_INIT, err = PT_BUF_INIT, got = PT_BUF_INIT;
	char *path = map_db_path(mt_path("bulk"));
	struct map_db *db;
	unsigned char hdr[16];
	int64_t dir;
	int32_t block;
	long n = 0;
	gdbm_count_t count = 0;
	GDBM_FILE dbf;
	FILE *fp;
	int i, bad = 0;

	ok(map_db_create(path, 0640, 0, 0, &db, &err) == 0, "a new map is started");
	for (i = 0; i < 20000; i++) {
		bulk_pair(i, &k, &v);
		if (map_db_put(db, k.s, k.len, "old", 3, MAP_DB_INSERT, &err) != 0 ||
		    map_db_put(db, k.s, k.len, v.s, v.len, MAP_DB_REPLACE, &err) != 0)
			bad++;
	}
	is_int(bad, 0, "20000 pairs are stored, each replacing a first value of another length");
	bulk_pair(42, &k, &v);
	is_int(map_db_put(db, k.s, k.len, "x", 1, MAP_DB_INSERT, &err), 1, "a present key is not inserted again");
	is_int(bulk_check(db, 20000, 0), 0, "every pair is found while the map is being built");
	ok(map_db_commit(db, (uid_t)-1, (gid_t)-1, &err) == 0, "the map is committed");
	fp = fopen(path, "r");
	ok(fp != NULL && fread(hdr, 1, sizeof hdr, fp) == sizeof hdr, "its header is read");
	if (fp != NULL)
		fclose(fp);
	memcpy(&block, hdr + 4, sizeof block);
	memcpy(&dir, hdr + 8, sizeof dir);
	ok(dir == block, "the file was laid out in one pass (directory right after the header)");
	dbf = gdbm_open(path, 0, GDBM_READER | GDBM_NOLOCK | GDBM_XVERIFY, 0, NULL);
	ok(dbf != NULL && gdbm_count(dbf, &count) == 0 && count == 20000, "gdbm verifies it and counts 20000 pairs");
	if (dbf != NULL)
		gdbm_close(dbf);
	ok(map_db_open(path, &db, &err) == 0, "it is opened for reading");
	is_int(bulk_check(db, 20000, 0), 0, "gdbm finds every pair (8-bit, short, long and NUL-holding keys)");
	map_db_each(db, false, count_pair, &n, &err);
	is_int((int)n, 20000, "a walk meets every pair once");
	map_db_close(db);

	/* an update in place (editmap, makemap -o) through gdbm: buckets split, pairs go */
	ok(map_db_create(path, 0640, MAP_DB_COPY, 0, &db, &err) == 0, "the map is opened for an update");
	for (i = 0; i < 30000; i++) {
		bulk_pair(i, &k, &v);
		pt_buf_reset(&got);
		pt_buf_adds(&got, "new ");
		pt_buf_add(&got, v.s, v.len);
		if (i < 1000 || i >= 20000)
			map_db_put(db, k.s, k.len, got.s, got.len, MAP_DB_REPLACE, &err);
	}
	bulk_pair(20000, &k, &v);
	is_int(map_db_delete(db, k.s, k.len, &err), 0, "a pair is deleted");
	ok(map_db_commit(db, (uid_t)-1, (gid_t)-1, &err) == 0, "and the update committed");
	ok(map_db_open(path, &db, &err) == 0, "the updated map is opened");
	is_int(bulk_check(db, 1000, 1000), 0, "replaced values are read");
	pt_buf_reset(&got);
	is_int(map_db_get(db, k.s, k.len, &got, &err), 0, "the deleted pair is gone");
	n = 0;
	map_db_each(db, false, count_pair, &n, &err);
	is_int((int)n, 29999, "the others are all there");
	map_db_close(db);
	free(path);
	pt_buf_free(&k);
	pt_buf_free(&v);
	pt_buf_free(&err);
	pt_buf_free(&got);
}

/* More keys with one hash value than a bucket holds: a clear error, not a huge file. */
static void
test_bulk_collisions(void)
{
	struct pt_buf err = PT_BUF_INIT;
	char *path = map_db_path(mt_path("collide"));
	struct map_db *db;
	char key[49];
	uint32_t h0 = 0;
	int i, same = 0;

	ok(map_db_create(path, 0640, 0, 0, &db, &err) == 0, "a new map is started");
	for (i = 0; i < 300; i++) {
		/* bytes 0 and 24 (and 1 and 25) weigh the same in gdbm's hash */
		memset(key, 'm', 48);
		key[48] = '\0';
		key[0] = (char)('a' + i % 20);
		key[24] = (char)('z' - i % 20);
		key[1] = (char)('a' + i / 20);
		key[25] = (char)('z' - i / 20);
		if (i == 0)
			h0 = map_db_bulk_hash(key, 48);
		same += map_db_bulk_hash(key, 48) == h0;
		map_db_put(db, key, 48, "v", 1, MAP_DB_INSERT, &err);
	}
	is_int(same, 300, "300 keys share one hash value");
	ok(map_db_commit(db, (uid_t)-1, (gid_t)-1, &err) != 0, "their map is not written");
	ok(strstr(err.s, "too many keys with the same hash value") != NULL, "the error says why (%s)", err.s);
	ok(access(path, F_OK) != 0, "and no map file is left");
	free(path);
	pt_buf_free(&err);
}

/* A writer in another process holds the lock; a second writer waits for it. */
static void
test_lock(void)
{
	int fd = map_db_lock(mt_path("big.db")), fd2;

	ok(fd >= 0, "the writers' lock of an existing map is taken");
	fd2 = open(mt_path("big.db"), O_RDONLY);
	ok(flock(fd2, LOCK_EX | LOCK_NB) != 0, "a second writer cannot take it meanwhile");
	map_db_unlock(fd);
	ok(flock(fd2, LOCK_EX | LOCK_NB) == 0, "and can once it is released");
	close(fd2);
	ok(map_db_lock(mt_path("absent.db")) < 0, "there is no lock to take on a map not built yet");
}

int
main(void)
{
	mt_capture_log();
	test_names();
	test_bad_files();
	test_store();
	test_bulk();
	test_bulk_collisions();
	test_lock();
	mt_cleanup();
	return tap_done();
}
