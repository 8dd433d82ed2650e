/*
 * test_map_gdbm: the hash, btree and dbm classes and their files: names,
 * Berkeley DB files left by upstream, empty, truncated and corrupt files
 * (a clear error, never a crash), duplicate values (makemap -d), sorted
 * walks, and the writers' lock.
 */
#include "config.h"

#include <fcntl.h>
#include <sys/file.h>

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
	test_lock();
	mt_cleanup();
	return tap_done();
}
