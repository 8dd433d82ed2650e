/*
 * map_switch: reads the service switch for the switch map class and the
 * host map.
 *
 * Owns the syntax of service.switch and of nsswitch.conf lines.  Reads the
 * file at each call (maps call it when they open, once per process); never
 * writes.  Unknown action words ("[NOTFOUND=return]") are skipped.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map_switch.h"
#include "pt_alloc.h"
#include "pt_file.h"
#include "pt_str.h"

/* Upstream's defaults when no file names the service. */
static int
defaults(const char *service, char *methods[MAP_SWITCH_MAX])
{
	if (pt_strcasecmp(service, "hosts") == 0) {
		methods[0] = pt_strdup("dns");
		methods[1] = pt_strdup("files");
		return 2;
	}
	if (pt_strcasecmp(service, "aliases") == 0 || pt_strcasecmp(service, "passwd") == 0) {
		methods[0] = pt_strdup("files");
		return 1;
	}
	return 0;
}

/* Parses the methods of one line if it is the service's; returns the count or -1. */
static int
parse_line(char *line, const char *service, char *methods[MAP_SWITCH_MAX])
{
	char *save = NULL, *w = strtok_r(line, " \t\r", &save);
	size_t n;
	int c = 0;

	if (w == NULL || w[0] == '#')
		return -1;
	n = strlen(w);
	if (n > 0 && w[n - 1] == ':')
		w[--n] = '\0';
	if (pt_strcasecmp(w, service) != 0)
		return -1;
	while ((w = strtok_r(NULL, " \t\r", &save)) != NULL && c < MAP_SWITCH_MAX) {
		if (w[0] == '#')
			break;
		if (w[0] == '[' || w[0] == ':')
			continue;
		methods[c++] = pt_strdup(w);
	}
	return c;
}

/* Reads path for the service; -1 if the file does not exist, else the count. */
static int
from_file(const char *path, const char *service, char *methods[MAP_SWITCH_MAX])
{
	struct pt_buf line = PT_BUF_INIT;
	FILE *fp = fopen(path, "re");
	int c = 0, r;

	if (fp == NULL)
		return -1;
	while (pt_file_getline(fp, &line)) {
		char *h = strchr(pt_buf_str(&line), '#');

		if (h != NULL)
			*h = '\0';
		r = parse_line(line.s != NULL ? line.s : (char *)"", service, methods);
		if (r >= 0) {
			c = r;
			break;
		}
	}
	fclose(fp);
	pt_buf_free(&line);
	return c;
}

int
map_switch_methods(const struct map_options *o, const char *service,
    char *methods[MAP_SWITCH_MAX])
{
	const char *path = o->switch_file != NULL ? o->switch_file : MAP_SWITCH_FILE;
	int c = from_file(path, service, methods);

	if (c < 0)
		c = from_file(MAP_NSSWITCH_FILE, service, methods);
	if (c <= 0)
		c = defaults(service, methods);
	return c;
}

void
map_switch_free(char *methods[MAP_SWITCH_MAX], int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(methods[i]);
}
