/*
 * map_socket: the socket class: the socketmap protocol over a UNIX socket
 * ("unix:/path", "local:/path") or TCP ("inet:port@host",
 * "inet6:port@host").
 *
 * A request is the netstring "NAME KEY" (NAME the map's name), a reply the
 * netstring "STATUS RESULT" with STATUS one of OK, NOTFOUND, TEMP, TIMEOUT,
 * PERM.  Each map keeps one connection per process, opened lazily and
 * opened again after an error; -d sets the timeout of each exchange in
 * seconds.  Owns that connection; replies are parsed with hard limits
 * (SOCKET_REPLY_MAX) by map_socket_parse_reply, which the fuzz target
 * exercises.  Runs in any process that rewrites addresses.
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
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "map.h"
#include "map_impl.h"
#include "pt_alloc.h"
#include "pt_log.h"
#include "pt_str.h"

/* The timeout of one exchange when -d does not set one, in seconds. */
#define SOCKET_TIMEOUT 10

/* The declaration: the timeout. */
struct socket_decl {
	long timeout;
};

/* -d: the timeout. */
static int
socket_flag(struct map *m, int flag, const char *value, struct pt_buf *err)
{
	struct socket_decl *d;

	if (flag != 'd')
		return 1;
	if (m->cdata == NULL)
		m->cdata = pt_calloc(1, sizeof(struct socket_decl));
	d = m->cdata;
	if (!pt_str_to_long(value, &d->timeout) || d->timeout < 0 || d->timeout > 3600) {
		pt_buf_printf(err, "socket map %s: -d needs a number of seconds", m->name);
		return -1;
	}
	return 0;
}

/* The map's timeout in milliseconds. */
static int
timeout_ms(const struct map *m)
{
	const struct socket_decl *d = m->cdata;

	return (int)((d != NULL && d->timeout > 0 ? d->timeout : SOCKET_TIMEOUT) * 1000);
}

/* Fills addr from the map's spec; returns its length, 0 if the spec is bad. */
static socklen_t
parse_spec(const char *spec, struct sockaddr_storage *ss)
{
	const char *p = strchr(spec, ':'), *at;
	struct addrinfo hints = { 0 }, *ai = NULL;
	char port[16];
	socklen_t len = 0;

	if (p == NULL)
		return 0;
	memset(ss, 0, sizeof *ss);
	if (pt_str_iprefix(spec, "unix:") || pt_str_iprefix(spec, "local:")) {
		struct sockaddr_un *un = (struct sockaddr_un *)ss;

		if (strlen(p + 1) >= sizeof un->sun_path)
			return 0;
		un->sun_family = AF_UNIX;
		pt_strlcpy(un->sun_path, p + 1, sizeof un->sun_path);
		return sizeof *un;
	}
	if (!pt_str_iprefix(spec, "inet:") && !pt_str_iprefix(spec, "inet6:"))
		return 0;
	at = strchr(p + 1, '@');
	if (at == NULL || (size_t)(at - p - 1) >= sizeof port)
		return 0;
	memcpy(port, p + 1, (size_t)(at - p - 1));
	port[at - p - 1] = '\0';
	hints.ai_family = pt_str_iprefix(spec, "inet6:") ? AF_INET6 : AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST;
	if (getaddrinfo(at + 1, port, &hints, &ai) == 0 && ai->ai_addrlen <= sizeof *ss) {
		memcpy(ss, ai->ai_addr, ai->ai_addrlen);
		len = ai->ai_addrlen;
	}
	if (ai != NULL)
		freeaddrinfo(ai);
	return len;
}

/* Checks the endpoint when the map is declared. */
static int
socket_check(struct map *m, struct pt_buf *err)
{
	struct sockaddr_storage ss;

	if (m->file == NULL || parse_spec(m->file, &ss) == 0) {
		pt_buf_printf(err, "socket map \"%s\": bad socket specification %s", m->name,
		    m->file != NULL ? m->file : "");
		return -1;
	}
	return 0;
}

/* Waits for fd to be ready for events; false on a timeout or error. */
static bool
wait_fd(int fd, short events, int ms)
{
	struct pollfd p = { fd, events, 0 };
	int r;

	do
		r = poll(&p, 1, ms);
	while (r < 0 && errno == EINTR);
	return r > 0 && !(p.revents & POLLNVAL);
}

/* Connects to the endpoint within the timeout. */
static int
socket_open(struct map *m, struct pt_buf *err)
{
	struct sockaddr_storage ss;
	socklen_t len = parse_spec(m->file, &ss);
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), e = 0;
	socklen_t el = sizeof e;

	if (fd < 0 || (connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS))
		e = errno;
	else if (!wait_fd(fd, POLLOUT, timeout_ms(m)))
		e = ETIMEDOUT;
	else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
		e = errno;
	if (e != 0) {
		pt_buf_printf(err, "socket map \"%s\": cannot connect to %s: %s", m->name, m->file,
		    strerror(e));
		if (fd >= 0)
			close(fd);
		return MAP_TEMPFAIL;
	}
	map_set_handle(m, (void *)(long)(fd + 1));
	return MAP_FOUND;
}

/* The connection's descriptor. */
static int
conn_fd(const struct map *m)
{
	return (int)(long)map_handle(m) - 1;
}

/* Closes the connection. */
static void
socket_close(struct map *m)
{
	if (map_handle(m) != NULL)
		close(conn_fd(m));
}

/* Sends all of buf within the deadline. */
static bool
send_all(int fd, const char *buf, size_t len, int ms)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (!wait_fd(fd, POLLOUT, ms))
				return false;
			continue;
		}
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

/* Reads one whole netstring reply (at most SOCKET_REPLY_MAX) within the deadline. */
static bool
read_reply(int fd, struct pt_buf *reply, int ms)
{
	char buf[4096];
	size_t want = 0;

	for (;;) {
		if (want == 0) {
			const char *colon = reply->len ? memchr(reply->s, ':', reply->len) : NULL;

			if (colon != NULL) {
				long n = strtol(reply->s, NULL, 10);

				if (n < 0 || n > SOCKET_REPLY_MAX)
					return false;
				want = (size_t)(colon - reply->s) + 1 + (size_t)n + 1;
			} else if (reply->len > 10) {
				return false;
			}
		}
		if (want != 0 && reply->len >= want)
			return true;
		ssize_t n = recv(fd, buf, want ? (want - reply->len < sizeof buf ?
		    want - reply->len : sizeof buf) : 1, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (!wait_fd(fd, POLLIN, ms))
				return false;
			continue;
		}
		if (n <= 0)
			return false;
		pt_buf_add(reply, buf, (size_t)n);
	}
}

int
map_socket_parse_reply(const char *buf, size_t len, struct pt_buf *value)
{
	static const struct {
		const char *word;
		int status;
	} words[] = {
		{ "OK", MAP_FOUND }, { "NOTFOUND", MAP_NOTFOUND }, { "TEMP", MAP_TEMPFAIL },
		{ "TIMEOUT", MAP_TEMPFAIL }, { "PERM", MAP_UNAVAIL },
	};
	size_t i = 0, n = 0, wl;
	const char *data, *sp;

	while (i < len && i < 10 && buf[i] >= '0' && buf[i] <= '9')
		n = n * 10 + (size_t)(buf[i++] - '0');
	if (i == 0 || i >= len || buf[i] != ':' || n > SOCKET_REPLY_MAX || len - i - 1 != n + 1 ||
	    buf[i + 1 + n] != ',')
		return -1;
	data = buf + i + 1;
	sp = memchr(data, ' ', n);
	wl = sp != NULL ? (size_t)(sp - data) : n;
	for (i = 0; i < sizeof words / sizeof words[0]; i++) {
		if (strlen(words[i].word) == wl && memcmp(data, words[i].word, wl) == 0) {
			if (words[i].status == MAP_FOUND && sp != NULL)
				pt_buf_add(value, sp + 1, n - wl - 1);
			return words[i].status;
		}
	}
	return -1;
}

/* One exchange on the open connection; -1 on an I/O or protocol error. */
static int
exchange(struct map *m, const char *key, size_t keylen, struct pt_buf *value)
{
	struct pt_buf req = PT_BUF_INIT, reply = PT_BUF_INIT;
	int fd = conn_fd(m), ms = timeout_ms(m), st = -1;

	pt_buf_printf(&req, "%zu:%s ", strlen(m->name) + 1 + keylen, m->name);
	pt_buf_add(&req, key, keylen);
	pt_buf_addc(&req, ',');
	if (send_all(fd, req.s, req.len, ms) && read_reply(fd, &reply, ms))
		st = map_socket_parse_reply(reply.s, reply.len, value);
	pt_buf_free(&req);
	pt_buf_free(&reply);
	return st;
}

/* Asks the server; after an error the connection is made again once. */
static int
socket_lookup(struct map *m, const char *key, size_t keylen, const char *const *av, int ac,
    struct pt_buf *value, const struct map_env *env)
{
	struct pt_buf err = PT_BUF_INIT;
	int st;

	(void)av;
	(void)ac;
	(void)env;
	st = exchange(m, key, keylen, value);
	if (st < 0) {
		socket_close(m);
		map_set_handle(m, NULL);
		pt_buf_reset(value);
		if (socket_open(m, &err) == MAP_FOUND)
			st = exchange(m, key, keylen, value);
	}
	if (st < 0) {
		pt_log(LOG_ERR, "socket map \"%s\": lookup of %s failed%s%s", m->name, key,
		    err.len ? ": " : "", pt_buf_str(&err));
		pt_buf_reset(value);
		st = MAP_TEMPFAIL;
	}
	pt_buf_free(&err);
	return st;
}

/* Frees the declaration. */
static void
socket_free(struct map *m)
{
	free(m->cdata);
	m->cdata = NULL;
}

const struct map_class map_class_socket = {
	.name = "socket",
	.cflags = MAPC_FOLD | MAPC_REWRITE | MAPC_FILE,
	.parse_flag = socket_flag,
	.check = socket_check,
	.open = socket_open,
	.lookup = socket_lookup,
	.close = socket_close,
	.free = socket_free,
};
