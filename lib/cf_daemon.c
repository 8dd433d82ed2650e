/*
 * cf_daemon: parsing the key=value lists of DaemonPortOptions and
 * ClientPortOptions.
 *
 * Owns the struct cf_daemon values it fills.  Keys are matched by their
 * first letters, case-insensitively, as upstream does ("M" is Modifier,
 * "A" is Addr); an unknown key is an error that names it.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cf_daemon.h"
#include "pt_alloc.h"
#include "pt_str.h"

bool
cf_daemon_has(const struct cf_daemon *d, int c)
{
	return d->modifiers != NULL && strchr(d->modifiers, c) != NULL;
}

/* Builds ${daemon_flags} from the modifiers: flags apart, upper case doubled. */
static char *
make_flags(const char *mods)
{
	struct pt_buf b = PT_BUF_INIT;

	for (; mods && *mods; mods++) {
		if (isspace((unsigned char)*mods) || *mods == ',')
			continue;
		if (b.len)
			pt_buf_addc(&b, ' ');
		pt_buf_addc(&b, *mods);
		if (isupper((unsigned char)*mods))
			pt_buf_addc(&b, *mods);
	}
	return pt_buf_steal(&b);
}

/* Sets a string field. */
static void
set(char **field, const char *v)
{
	free(*field);
	*field = pt_strdup(v);
}

/* Applies one key=value. */
static int
apply(struct cf_daemon *d, const char *key, const char *v, struct pt_buf *err)
{
	if (pt_strcasecmp(key, "Name") == 0 || pt_strcasecmp(key, "N") == 0)
		set(&d->name, v);
	else if (pt_strcasecmp(key, "Port") == 0 || pt_strcasecmp(key, "P") == 0)
		set(&d->port, v);
	else if (pt_strcasecmp(key, "Addr") == 0 || pt_strcasecmp(key, "A") == 0)
		set(&d->addr, v);
	else if (pt_strcasecmp(key, "Family") == 0 || pt_strcasecmp(key, "F") == 0) {
		if (pt_strcasecmp(v, "inet") == 0)
			d->family = AF_INET;
		else if (pt_strcasecmp(v, "inet6") == 0)
			d->family = AF_INET6;
		else if (pt_strcasecmp(v, "local") == 0 || pt_strcasecmp(v, "unix") == 0)
			d->family = AF_UNIX;
		else {
			pt_buf_printf(err, "unknown address family %s in Family=%s", v, v);
			return -1;
		}
	} else if (pt_str_iprefix(key, "M"))
		set(&d->modifiers, v);
	else if (pt_strcasecmp(key, "Listen") == 0 || pt_strcasecmp(key, "L") == 0)
		d->listen = atoi(v);
	else if (pt_strcasecmp(key, "InputMailFilters") == 0 || pt_strcasecmp(key, "I") == 0)
		set(&d->input_filters, v);
	else if (pt_str_iprefix(key, "Snd") || pt_strcasecmp(key, "S") == 0)
		d->sndbuf = atol(v);
	else if (pt_str_iprefix(key, "Rcv") || pt_strcasecmp(key, "R") == 0)
		d->rcvbuf = atol(v);
	else if (pt_str_iprefix(key, "children") || pt_strcasecmp(key, "c") == 0)
		d->children = atoi(v);
	else if (pt_str_iprefix(key, "DeliveryMode") || pt_strcasecmp(key, "D") == 0)
		d->delivery_mode = (unsigned char)*v;
	else if (pt_str_iprefix(key, "refuseLA") || pt_str_iprefix(key, "delayLA") ||
	    pt_str_iprefix(key, "queueLA"))
		;	/* load-average limits per daemon: the global ones apply */
	else {
		pt_buf_printf(err, "DaemonPortOptions: unknown key %s", key);
		return -1;
	}
	return 0;
}

int
cf_daemon_parse(const char *spec, int n, struct cf_daemon *d, struct pt_buf *err)
{
	char *copy = pt_strdup(spec), *p = copy, *item;
	int rc = 0;

	memset(d, 0, sizeof *d);
	d->family = AF_INET;
	while (rc == 0 && (item = strsep(&p, ",")) != NULL) {
		char *eq = strchr(item, '=');

		item = pt_str_trim(item);
		if (*item == '\0')
			continue;
		if (eq == NULL) {
			pt_buf_printf(err, "DaemonPortOptions: %s: key=value expected", item);
			rc = -1;
			break;
		}
		*eq = '\0';
		rc = apply(d, pt_str_trim(item), pt_str_trim(eq + 1), err);
	}
	free(copy);
	if (d->name == NULL) {
		struct pt_buf b = PT_BUF_INIT;

		pt_buf_printf(&b, "Daemon%d", n);
		d->name = pt_buf_steal(&b);
	}
	if (d->port == NULL)
		d->port = pt_strdup("smtp");
	d->flags = make_flags(d->modifiers);
	if (rc < 0)
		cf_daemon_free(d);
	return rc;
}

void
cf_daemon_free(struct cf_daemon *d)
{
	free(d->name);
	free(d->addr);
	free(d->port);
	free(d->modifiers);
	free(d->flags);
	free(d->input_filters);
	memset(d, 0, sizeof *d);
}

int
cf_daemons(const struct cf_config *cfg, struct cf_daemon **out, int *count, struct pt_buf *err)
{
	const struct cf_strlist *l = &cfg->opt.daemon_port_options;
	int n = l->n > 0 ? l->n : 1;
	struct cf_daemon *d = pt_calloc((size_t)n, sizeof *d);

	for (int i = 0; i < n; i++) {
		if (cf_daemon_parse(l->n > 0 ? l->v[i] : "Name=MTA", i, &d[i], err) < 0) {
			for (int k = 0; k < i; k++)
				cf_daemon_free(&d[k]);
			free(d);
			return -1;
		}
	}
	*out = d;
	*count = n;
	return 0;
}
