/*
 * queue_select: the -q[!]I/R/S/Q selectors of queue runs and listings.
 *
 * A selector is a letter and a substring, possibly negated: I looks in the
 * queue id (case matters), R in the recipients, S in the sender, Q in the
 * quarantine reason (case does not matter for those).  Selectors of one
 * letter are alternatives; selectors of different letters must all hold.
 * A negated R selector holds when some recipient does not contain the
 * string, as upstream's does.  Matching works over a gathered item (the
 * records the gather phase kept), so a queue run and mailq choose the same
 * messages.  Owns only the selector list; runs anywhere.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pt_alloc.h"
#include "pt_str.h"
#include "queue.h"
#include "queue_int.h"

/* One selector. */
struct sel {
	char type;		/* I, R, S or Q */
	bool neg;
	char *pat;
};

struct queue_select {
	struct sel *v;
	size_t n;
};

struct queue_select *
queue_select_new(void)
{
	return pt_calloc(1, sizeof(struct queue_select));
}

void
queue_select_free(struct queue_select *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		free(s->v[i].pat);
	free(s->v);
	free(s);
}

bool
queue_select_empty(const struct queue_select *s)
{
	return s == NULL || s->n == 0;
}

int
queue_select_add(struct queue_select *s, const char *arg, int *kind, struct pt_buf *err)
{
	const char *p = arg;
	bool neg = false;
	char type;

	if (*p == '!') {
		neg = true;
		p++;
	}
	type = *p;
	if (type == 'L' && !neg && p[1] == '\0') {
		*kind = QKIND_LOST;
		return 0;
	}
	if (type != 'I' && type != 'R' && type != 'S' && type != 'Q') {
		pt_buf_printf(err, "-q%s: unknown selector (I, R, S or Q)", arg);
		return -1;
	}
	if (type == 'Q')
		*kind = QKIND_QUARANTINE;
	if (type == 'Q' && !neg && p[1] == '\0')
		return 0;	/* -qQ alone: every quarantined item */
	s->v = pt_reallocarray(s->v, s->n + 1, sizeof *s->v);
	s->v[s->n].type = type;
	s->v[s->n].neg = neg;
	s->v[s->n].pat = pt_strdup(p + 1);
	s->n++;
	return 0;
}

/* True if hay contains needle (ASCII case ignored when fold). */
static bool
contains(const char *hay, const char *needle, bool fold)
{
	size_t n = strlen(needle);

	if (n == 0)
		return true;
	for (; *hay != '\0'; hay++)
		if (fold ? pt_strncasecmp(hay, needle, n) == 0 : strncmp(hay, needle, n) == 0)
			return true;
	return false;
}

/* True if selector x holds for item it. */
static bool
sel_holds(const struct sel *x, const struct queue_item *it)
{
	struct queue_event ev;
	size_t pos = 0;

	if (x->type == 'I')
		return contains(it->id, x->pat, false) != x->neg;
	while (queue_event_next(it, &pos, &ev)) {
		bool want = (x->type == 'R' && ev.type == 'R') || (x->type == 'S' && ev.type == 'S') ||
		    (x->type == 'Q' && ev.type == 'q');

		if (!want)
			continue;
		if (x->type == 'R' && ev.addr == NULL)
			continue;
		if (contains(x->type == 'R' ? ev.addr : ev.text, x->pat, true) != x->neg)
			return true;
	}
	return false;
}

bool
queue_select_match(const struct queue_select *s, const struct queue_item *it)
{
	static const char types[] = "IRSQ";
	size_t i, t;

	if (s == NULL)
		return true;
	for (t = 0; types[t] != '\0'; t++) {
		bool any = false, held = false;

		for (i = 0; i < s->n && !held; i++) {
			if (s->v[i].type != types[t])
				continue;
			any = true;
			held = sel_holds(&s->v[i], it);
		}
		if (any && !held)
			return false;
	}
	return true;
}
