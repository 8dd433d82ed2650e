/*
 * milter_spec: the equates of an X line (S=, F=, T=), opening a filter's
 * socket within its connect timeout, and the packet framing over smtp_io.
 *
 * Owns the socket it opens until the struct milter is freed.  Never exits;
 * failures are returned with upstream's wording for the caller to log.
 * Runs in the SMTP server process of one connection (and in the daemon when
 * it checks its filters).  Host names in inet: sockets are looked up with
 * getaddrinfo (numeric addresses and /etc/hosts names need no DNS).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "milter_int.h"
#include "pt_alloc.h"
#include "pt_str.h"

/* Upstream's defaults for T=. */
#define MILTER_T_CONNECT (5 * 60 * 1000L)
#define MILTER_T_SEND (10 * 1000L)
#define MILTER_T_READ (10 * 1000L)
#define MILTER_T_EOM (5 * 60 * 1000L)

/* Parses a time ("10", "10s", "5m", "1h", "1d") into milliseconds; -1 if bad. */
static long
parse_time(const char *s, size_t n)
{
	long v = 0, unit = 1000;
	size_t i = 0;

	if (n == 0)
		return -1;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (s[i] - '0');
	if (i < n) {
		switch (s[i]) {
		case 's': unit = 1000; break;
		case 'm': unit = 60 * 1000L; break;
		case 'h': unit = 3600 * 1000L; break;
		case 'd': unit = 86400 * 1000L; break;
		default: return -1;
		}
		if (i + 1 != n)
			return -1;
	}
	return v * unit;
}

/* Applies "C:10s;S:1s;R:1s;E:5m" to t. */
static bool
parse_timeouts(const char *s, size_t n, struct milter_timeouts *t, struct pt_buf *err)
{
	const char *end = s + n, *semi;
	long v;

	while (s < end) {
		semi = memchr(s, ';', (size_t)(end - s));
		if (semi == NULL)
			semi = end;
		if (semi - s < 3 || s[1] != ':' ||
		    (v = parse_time(s + 2, (size_t)(semi - s - 2))) < 0) {
			pt_buf_printf(err, "bad timeout %.*s", (int)(semi - s), s);
			return false;
		}
		switch (pt_toupper((unsigned char)s[0])) {
		case 'C': t->connect = v; break;
		case 'S': t->send = v; break;
		case 'R': t->read = v; break;
		case 'E': t->eom = v; break;
		default:
			pt_buf_printf(err, "unknown timeout %c", s[0]);
			return false;
		}
		s = semi < end ? semi + 1 : end;
	}
	return true;
}

/* Applies one "K=value" equate to spec. */
static bool
parse_equate(const char *p, size_t n, struct milter_spec *spec, struct pt_buf *err)
{
	const char *eq = memchr(p, '=', n), *v;
	size_t vn, i;

	if (eq == NULL) {
		pt_buf_printf(err, "Milter (%s): missing '=' in %.*s", spec->name, (int)n, p);
		return false;
	}
	v = eq + 1;
	vn = n - (size_t)(v - p);
	while (vn > 0 && (*v == ' ' || *v == '\t'))
		v++, vn--;
	switch (pt_toupper((unsigned char)p[0])) {
	case 'S':
		free(spec->socket);
		spec->socket = pt_strndup(v, vn);
		return true;
	case 'F':
		for (i = 0; i < vn; i++) {
			if (pt_toupper((unsigned char)v[i]) == 'R')
				spec->fail = MILTER_FAIL_REJECT;
			else if (pt_toupper((unsigned char)v[i]) == 'T')
				spec->fail = MILTER_FAIL_TEMPFAIL;
		}
		return true;
	case 'T':
		return parse_timeouts(v, vn, &spec->t, err);
	default:
		pt_buf_printf(err, "Milter (%s): unknown filter equate %.*s", spec->name,
		    (int)(eq - p), p);
		return false;
	}
}

bool
milter_spec_parse(const char *name, const char *equates, struct milter_spec *spec,
    struct pt_buf *err)
{
	const char *p = equates, *comma;
	size_t n;

	memset(spec, 0, sizeof *spec);
	spec->name = pt_strdup(name);
	spec->t.connect = MILTER_T_CONNECT;
	spec->t.send = MILTER_T_SEND;
	spec->t.read = MILTER_T_READ;
	spec->t.eom = MILTER_T_EOM;
	while (*p) {
		p += strspn(p, " \t,");
		if (*p == '\0')
			break;
		comma = strchr(p, ',');
		n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (!parse_equate(p, n, spec, err))
			return false;
		p += n;
	}
	return true;
}

void
milter_spec_free(struct milter_spec *spec)
{
	free(spec->name);
	free(spec->socket);
	memset(spec, 0, sizeof *spec);
}

/* Connects fd to addr within ms; 0 or an errno. */
static int
connect_within(int fd, const struct sockaddr *addr, socklen_t len, long ms)
{
	struct pollfd pfd = { fd, POLLOUT, 0 };
	int fl = fcntl(fd, F_GETFL), e = 0;
	socklen_t elen = sizeof e;

	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	if (connect(fd, addr, len) != 0) {
		if (errno != EINPROGRESS)
			return errno;
		if (poll(&pfd, 1, ms > 0 && ms < 0x7fffffff ? (int)ms : -1) <= 0)
			return ETIMEDOUT;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) != 0)
			e = errno;
		if (e != 0)
			return e;
	}
	return 0;
}

/*
 * Connects fd to a local socket within ms; 0 or an errno.  A non-blocking
 * connect would fail at once with EAGAIN while the filter's listen queue is
 * full; a blocking one with a send timeout waits for room, as upstream's does.
 */
static int
connect_local_within(int fd, const struct sockaddr_un *sun, long ms)
{
	struct timeval tv = { 0, 0 };

	if (ms > 0 && ms < 0x7fffffff) {
		tv.tv_sec = ms / 1000;
		tv.tv_usec = (ms % 1000) * 1000;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) != 0)
		return errno;
	while (connect(fd, (const struct sockaddr *)sun, sizeof *sun) != 0)
		if (errno != EINTR)	/* a signal while waiting: wait on */
			return errno == EAGAIN || errno == EINPROGRESS ? ETIMEDOUT : errno;
	tv.tv_sec = tv.tv_usec = 0;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);	/* as connect_within leaves it */
	return 0;
}

/* Opens a unix: or local: socket. */
static int
open_local(const struct milter_spec *spec, const char *path, struct pt_buf *err)
{
	struct sockaddr_un sun;
	int fd, e;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		pt_buf_printf(err, "Milter (%s): local socket name %s too long", spec->name, path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || (e = connect_local_within(fd, &sun, spec->t.connect))) {
		pt_buf_printf(err, "Milter (%s): error connecting to filter: %s", spec->name,
		    strerror(fd < 0 ? errno : e));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Opens an inet: or inet6: socket ("port@host"). */
static int
open_inet(const struct milter_spec *spec, const char *where, int family, struct pt_buf *err)
{
	const char *at = strchr(where, '@');
	struct addrinfo hints, *res = NULL, *ai;
	char *port;
	int fd = -1, e = 0, rc;

	if (at == NULL || at == where || at[1] == '\0') {
		pt_buf_printf(err, "Milter (%s): bad address %s (expected port@host)", spec->name, where);
		return -1;
	}
	port = pt_strndup(where, (size_t)(at - where));
	memset(&hints, 0, sizeof hints);
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST;
	rc = getaddrinfo(at + 1, port, &hints, &res);
	if (rc == EAI_NONAME) {
		hints.ai_flags = 0;
		rc = getaddrinfo(at + 1, port, &hints, &res);
	}
	if (rc != 0) {
		pt_buf_printf(err, "Milter (%s): Unknown host name %s", spec->name, at + 1);
		free(port);
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && (e = connect_within(fd, ai->ai_addr, ai->ai_addrlen, spec->t.connect)) == 0)
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	if (fd < 0)
		pt_buf_printf(err, "Milter (%s): error connecting to filter: %s", spec->name,
		    strerror(e ? e : errno));
	freeaddrinfo(res);
	free(port);
	return fd;
}

struct milter *
milter_open(const struct milter_spec *spec, struct pt_buf *err)
{
	const char *s = spec->socket, *colon;
	int fd;

	if (s == NULL || *s == '\0') {
		pt_buf_printf(err, "Milter (%s): empty or missing socket information", spec->name);
		return NULL;
	}
	colon = strchr(s, ':');
	if (colon == NULL || pt_strncasecmp(s, "unix:", 5) == 0 || pt_strncasecmp(s, "local:", 6) == 0)
		fd = open_local(spec, colon != NULL ? colon + 1 : s, err);
	else if (pt_strncasecmp(s, "inet:", 5) == 0)
		fd = open_inet(spec, colon + 1, AF_INET, err);
	else if (pt_strncasecmp(s, "inet6:", 6) == 0)
		fd = open_inet(spec, colon + 1, AF_INET6, err);
	else {
		pt_buf_printf(err, "Milter (%s): unknown socket type %.*s", spec->name,
		    (int)(colon - s), s);
		return NULL;
	}
	return fd < 0 ? NULL : milter_attach(spec, fd);
}

struct milter *
milter_attach(const struct milter_spec *spec, int fd)
{
	struct milter *m = pt_calloc(1, sizeof *m);

	m->name = pt_strdup(spec->name != NULL ? spec->name : "");
	m->fail = spec->fail;
	m->t = spec->t;
	m->fd = fd;
	m->io = smtp_io_new(fd, fd);
	m->state = MS_NEW;
	return m;
}

void
milter_put32(struct pt_buf *b, uint32_t v)
{
	unsigned char c[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
		(unsigned char)(v >> 8), (unsigned char)v };

	pt_buf_add(b, c, 4);
}

uint32_t
milter_get32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

int
milter_strings(const char *data, size_t len, const char **out, int max)
{
	const char *p = data, *end = data + len, *nul;
	int n = 0;

	while (p < end && n < max) {
		nul = memchr(p, '\0', (size_t)(end - p));
		if (nul == NULL)
			return -1;
		out[n++] = p;
		p = nul + 1;
	}
	return n;
}

bool
milter_write_packet(struct milter *m, char cmd, const void *data, size_t len, struct pt_buf *err)
{
	struct pt_buf b = PT_BUF_INIT;
	enum smtp_io_status st;

	milter_put32(&b, (uint32_t)len + 1);
	pt_buf_addc(&b, cmd);
	smtp_io_write(m->io, b.s, b.len);
	if (len > 0)
		smtp_io_write(m->io, data, len);
	pt_buf_free(&b);
	smtp_io_set_timeout(m->io, m->t.send);
	st = smtp_io_flush(m->io);
	if (st != SMTP_IO_OK) {
		pt_buf_printf(err, "Milter (%s): write(%c) failed: %s", m->name, cmd,
		    smtp_io_error(m->io));
		return false;
	}
	return true;
}

/* Reads exactly n bytes into out (appending). */
static enum smtp_io_status
read_exact(struct smtp_io *io, size_t n, struct pt_buf *out)
{
	enum smtp_io_status st;
	const char *p;
	size_t avail;

	while (n > 0) {
		st = smtp_io_fill(io);
		if (st != SMTP_IO_OK)
			return st;
		avail = smtp_io_peek(io, &p);
		if (avail > n)
			avail = n;
		pt_buf_add(out, p, avail);
		smtp_io_consume(io, avail);
		n -= avail;
	}
	return SMTP_IO_OK;
}

bool
milter_read_packet(struct milter *m, char *cmd, struct pt_buf *data, struct pt_buf *err)
{
	struct pt_buf hdr = PT_BUF_INIT;
	enum smtp_io_status st;
	uint32_t len;

	pt_buf_reset(data);
	smtp_io_set_timeout(m->io, m->t.read);
	st = read_exact(m->io, 5, &hdr);
	if (st == SMTP_IO_OK) {
		len = milter_get32(hdr.s);
		*cmd = hdr.s[4];
		if (len < 1 || len > MILTER_MAX_PACKET) {
			pt_buf_printf(err, "Milter (%s): reply length %lu out of range", m->name,
			    (unsigned long)len);
			pt_buf_free(&hdr);
			return false;
		}
		st = read_exact(m->io, len - 1, data);
	}
	pt_buf_free(&hdr);
	if (st != SMTP_IO_OK) {
		pt_buf_printf(err, "Milter (%s): %s", m->name, st == SMTP_IO_TIMEOUT ?
		    "timeout before data read" : st == SMTP_IO_EOF ? "socket closed" :
		    smtp_io_error(m->io));
		return false;
	}
	return true;
}
