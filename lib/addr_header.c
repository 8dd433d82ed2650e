/*
 * addr_header: cracking header addresses into a template around "$g".
 *
 * Owns no state.  Works on any byte string without reading past its end;
 * quotes, comments and angle brackets that do not balance are taken as far
 * as they go.
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "addr_header.h"
#include "pt_alloc.h"
#include "pt_str.h"

/* Skips a quoted string or comment starting at s[i]; returns the index after it. */
static size_t
skip_group(const char *s, size_t i)
{
	int depth = 0;

	if (s[i] == '"') {
		for (i++; s[i]; i++) {
			if (s[i] == '\\' && s[i + 1] != '\0')
				i++;
			else if (s[i] == '"')
				return i + 1;
		}
		return i;
	}
	for (; s[i]; i++) {
		if (s[i] == '\\' && s[i + 1] != '\0')
			i++;
		else if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			return i + 1;
	}
	return i;
}

/* Finds the first '<' outside quotes and comments; -1 if none. */
static long
find_angle(const char *s)
{
	for (size_t i = 0; s[i];) {
		if (s[i] == '"' || s[i] == '(') {
			i = skip_group(s, i);
			continue;
		}
		if (s[i] == '\\' && s[i + 1] != '\0') {
			i += 2;
			continue;
		}
		if (s[i] == '<')
			return (long)i;
		i++;
	}
	return -1;
}

/* Finds the '>' closing the '<' at open; strlen if none. */
static size_t
find_close(const char *s, size_t open)
{
	int depth = 0;

	for (size_t i = open; s[i];) {
		if (s[i] == '"' || s[i] == '(') {
			i = skip_group(s, i);
			continue;
		}
		if (s[i] == '<')
			depth++;
		else if (s[i] == '>' && --depth == 0)
			return i;
		i++;
	}
	return strlen(s);
}

/* Cracks an address without angle brackets: comments stay, the rest is $g. */
static void
crack_plain(const char *s, struct pt_buf *out)
{
	bool placed = false;
	size_t i = 0, n = strlen(s);

	while (i < n) {
		if (s[i] == '(') {
			size_t e = skip_group(s, i);

			pt_buf_add(out, s + i, e - i);
			i = e;
			continue;
		}
		if (s[i] == ' ' || s[i] == '\t') {
			pt_buf_addc(out, s[i++]);
			continue;
		}
		/* a run of address text up to the next comment */
		while (i < n && s[i] != '(') {
			if (s[i] == '"') {
				i = skip_group(s, i);
				continue;
			}
			if (s[i] == '\\' && s[i + 1] != '\0')
				i++;
			i++;
		}
		/* keep the blanks that preceded the comment */
		size_t k = i;

		while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t'))
			k--;
		if (!placed)
			pt_buf_adds(out, "$g");
		placed = true;
		pt_buf_add(out, s + k, i - k);
	}
}

/* Finds a group "phrase:" colon outside quotes and comments; -1 if none. */
static long
find_group(const char *s)
{
	for (size_t i = 0; s[i];) {
		if (s[i] == '"' || s[i] == '(') {
			i = skip_group(s, i);
			continue;
		}
		if (s[i] == ':' && s[i + 1] != ':' && (i == 0 || s[i - 1] != ':'))
			return strchr(s + i, ';') != NULL ? (long)i : -1;
		if (s[i] == '@' || s[i] == '[')
			return -1;
		i++;
	}
	return -1;
}

/* The colon that ends a source route "@a,@b:" at the start; -1 if none. */
static long
find_route(const char *s)
{
	for (size_t i = 0; s[i]; i++) {
		if (s[i] == '"' || s[i] == '(' || s[i] == ' ')
			return -1;
		if (s[i] == ':')
			return (long)i;
	}
	return -1;
}

void
addr_crack(const char *addr, struct pt_buf *out)
{
	long lt, colon;

	pt_buf_reset(out);
	while (*addr == ' ' || *addr == '\t')
		addr++;
	lt = find_angle(addr);
	if (lt >= 0) {
		size_t gt = find_close(addr, (size_t)lt), i;
		bool empty = true;

		for (i = (size_t)lt + 1; i < gt; i++)
			if (addr[i] != ' ' && addr[i] != '\t')
				empty = false;
		pt_buf_add(out, addr, (size_t)lt + 1);
		if (!empty)
			pt_buf_adds(out, "$g");
		if (addr[gt] == '>')
			pt_buf_adds(out, addr + gt);
		else
			pt_buf_addc(out, '>');
		return;
	}
	if (addr[0] == '@' && (colon = find_route(addr)) > 0) {
		/* a source route without brackets: the route is quoted like a phrase */
		pt_buf_addc(out, '"');
		pt_buf_add(out, addr, (size_t)colon);
		pt_buf_adds(out, "\":$g");
		return;
	}
	colon = find_group(addr);
	if (colon >= 0) {
		const char *semi = strrchr(addr, ';');

		pt_buf_add(out, addr, (size_t)colon + 1);
		pt_buf_adds(out, " $g");
		pt_buf_adds(out, semi);
		return;
	}
	crack_plain(addr, out);
}

void
addr_uncrack(const char *tmpl, const char *addr, struct pt_buf *out)
{
	pt_buf_reset(out);
	for (; *tmpl; tmpl++) {
		if (tmpl[0] == '$' && tmpl[1] == 'g') {
			pt_buf_adds(out, addr);
			tmpl++;
		} else if (tmpl[0] == '$' && tmpl[1] == '$') {
			pt_buf_addc(out, '$');
			tmpl++;
		} else
			pt_buf_addc(out, *tmpl);
	}
}

/* Where the element at s ends: the first comma outside quotes, comments and <>. */
static size_t
element_end(const char *s)
{
	size_t i = 0;
	int angle = 0;

	while (s[i] != '\0') {
		if (s[i] == '"' || s[i] == '(') {
			i = skip_group(s, i);
			continue;
		}
		if (s[i] == '\\' && s[i + 1] != '\0') {
			i += 2;
			continue;
		}
		if (s[i] == '<')
			angle++;
		else if (s[i] == '>' && angle > 0)
			angle--;
		else if (s[i] == ',' && angle == 0)
			break;
		i++;
	}
	return i;
}

bool
addr_list_next(const char **pp, struct pt_buf *out)
{
	const char *s = *pp;

	for (;;) {
		size_t n = element_end(s), from = 0, to = n;

		while (from < to && strchr(" \t\r\n", s[from]) != NULL)
			from++;
		while (to > from && strchr(" \t\r\n", s[to - 1]) != NULL)
			to--;
		if (to > from) {
			pt_buf_reset(out);
			pt_buf_add(out, s + from, to - from);
			*pp = s[n] == ',' ? s + n + 1 : s + n;
			return true;
		}
		if (s[n] == '\0') {
			*pp = s + n;
			return false;
		}
		s += n + 1;
	}
}

void
addr_alias_split(const char *list, void (*fn)(char *elem, void *arg), void *arg)
{
	char *copy = pt_strdup(list), *p = copy, *start = copy;
	bool quoted = false;
	int angle = 0;

	for (;; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == '<')
			angle++;
		else if (!quoted && *p == '>' && angle > 0)
			angle--;
		else if (*p == '\0' || (*p == ',' && !quoted && angle == 0) || *p == '\n') {
			char end = *p, *e;

			*p = '\0';
			e = pt_str_trim(start);
			if (*e != '\0')
				fn(e, arg);
			if (end == '\0')
				break;
			start = p + 1;
		}
	}
	free(copy);
}
