/*
 * map_query: a test helper that declares maps from K lines and looks keys
 * up through the map layer, printing what came back, so shell tests can
 * drive any map class (inside dns.sh's namespace, for instance).
 *
 *   map_query [-s switchfile] [-H hostsfile] [-l localhost] [-D dontblame]
 *             -K "name class args" ... [-d] NAME KEY [ARG ...]
 *
 * -l names a host the bestmx map treats as this one; -d asks in deferred
 * mode.  Prints "FOUND value", "NOTFOUND", "TEMPFAIL" or "TEMPFAIL value"
 * and exits 0; 2 on a declaration error (printed).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "map.h"
#include "pt_log.h"
#include "pt_str.h"

/* The -l names. */
static const char *local_names[8];
static int nlocal;

/* True for a -l name (with or without its trailing dot). */
static bool
is_local(void *ctx, const char *name)
{
	size_t n = strlen(name);
	int i;

	(void)ctx;
	for (i = 0; i < nlocal; i++)
		if (pt_strncasecmp(local_names[i], name, n) == 0 &&
		    (local_names[i][n] == '\0' || (local_names[i][n] == '.' && local_names[i][n + 1] == '\0')))
			return true;
	return false;
}

/* Declares one "name class args" K line. */
static bool
declare(struct map_set *set, const char *kline)
{
	char name[128], cls[64];
	struct pt_buf err = PT_BUF_INIT;
	int off = 0;

	if (sscanf(kline, "%127s %63s %n", name, cls, &off) < 2) {
		fprintf(stderr, "map_query: bad K line %s\n", kline);
		return false;
	}
	if (map_declare(set, name, cls, kline + off, &err) == NULL || err.len > 0)
		fprintf(stderr, "map_query: %s\n", pt_buf_str(&err));
	pt_buf_free(&err);
	return map_find(set, name) != NULL;
}

int
main(int argc, char **argv)
{
	struct map_options o = { 0 };
	struct map_env env = { 0 };
	const char *klines[32];
	struct pt_buf out = PT_BUF_INIT;
	struct map_set *set = map_set_new();
	int c, nk = 0, i, st;
	struct map *m;

	pt_log_open("map_query", PT_LOG_STDERR);
	o.uid = getuid();
	o.gid = getgid();
	while ((c = getopt(argc, argv, "s:H:l:D:K:d")) != -1) {
		switch (c) {
		case 's': o.switch_file = optarg; break;
		case 'H': o.hosts_file = optarg; break;
		case 'l': if (nlocal < 8) local_names[nlocal++] = optarg; break;
		case 'D': o.dbs = map_dbs_parse(optarg); break;
		case 'K': if (nk < 32) klines[nk++] = optarg; break;
		case 'd': env.deferred = true; break;
		default: return 64;
		}
	}
	if (argc - optind < 2)
		return 64;
	map_set_configure(set, &o);
	for (i = 0; i < nk; i++)
		if (!declare(set, klines[i]))
			break;
	env.is_local_host = is_local;
	m = i == nk ? map_find(set, argv[optind]) : NULL;
	if (m == NULL) {
		map_set_free(set);
		return 2;
	}
	st = map_lookup(m, argv[optind + 1], (const char *const *)argv + optind + 2,
	    argc - optind - 2, &out, &env);
	printf("%s%s%s\n", st == MAP_FOUND ? "FOUND" : st == MAP_TEMPFAIL ? "TEMPFAIL" : "NOTFOUND",
	    out.len ? " " : "", pt_buf_str(&out));
	pt_buf_free(&out);
	map_set_free(set);
	return 0;
}
