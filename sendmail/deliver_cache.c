/*
 * deliver_cache: the connections a delivery process keeps open between
 * messages (ConnectionCacheSize, ConnectionCacheTimeout), as upstream's
 * connection cache does: SMTP sessions to a host and sessions with mailer
 * programs that speak SMTP or LMTP on a pipe (mail.local -l), each left
 * ready for its next MAIL command.  The cache holds at most
 * ConnectionCacheSize connections; putting one more closes the one unused
 * longest, and a connection unused for ConnectionCacheTimeout is closed
 * (QUIT, then the TLS close and the socket or the program's pipes).
 *
 * Runs in long-lived delivery processes (deliver_pool.c).  Owns nothing
 * but the connections it holds; never decides what may be cached (the SMTP
 * client does).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deliver.h"
#include "pt_alloc.h"
#include "smtp_io.h"
#include "smtp_reply.h"

void
dlv_cache_init(struct dlv_cache *c, const struct cf_config *cfg)
{
	memset(c, 0, sizeof *c);
	c->max = cfg->opt.connection_cache_size > 0 ? (int)cfg->opt.connection_cache_size : 0;
	c->timeout = cfg->opt.connection_cache_timeout > 0 ? cfg->opt.connection_cache_timeout : 300;
	c->quit_timeout = cfg->opt.timeout.quit > 0 ? cfg->opt.timeout.quit : 120;
	if (c->max > 0)
		c->v = pt_calloc((size_t)c->max, sizeof *c->v);
}

struct dlv_conn *
dlv_conn_new(const char *key)
{
	struct dlv_conn *k = pt_calloc(1, sizeof *k);

	k->key = pt_strdup(key);
	k->rfd = k->wfd = -1;
	k->pid = -1;
	return k;
}

void
dlv_conn_close(struct dlv_conn *k, long quit_timeout)
{
	struct smtp_reply r = SMTP_REPLY_INIT;
	struct pt_buf err = PT_BUF_INIT;

	if (k == NULL)
		return;
	if (k->io != NULL) {
		smtp_io_puts(k->io, "QUIT\r\n");
		if (smtp_io_flush(k->io) == SMTP_IO_OK) {
			smtp_io_set_timeout(k->io, quit_timeout * 1000);
			(void)smtp_reply_read(k->io, &r, &err);
		}
		dlv_tls_end(&k->tls, k->io);
		smtp_io_free(k->io);
	}
	if (k->rfd >= 0)
		close(k->rfd);
	if (k->wfd >= 0 && k->wfd != k->rfd)
		close(k->wfd);
	if (k->pid > 0)
		(void)dlv_reap(k->pid);
	smtp_ehlo_free(&k->ehlo);
	smtp_reply_free(&r);
	pt_buf_free(&err);
	dlv_conn_free(k);
}

/* Removes entry i from the cache (the caller owns it). */
static struct dlv_conn *
unlink_at(struct dlv_cache *c, int i)
{
	struct dlv_conn *k = c->v[i];

	memmove(c->v + i, c->v + i + 1, (size_t)(c->n - i - 1) * sizeof *c->v);
	c->n--;
	return k;
}

void
dlv_cache_expire(struct dlv_cache *c, time_t now)
{
	for (int i = 0; i < c->n;) {
		if (now - c->v[i]->last >= c->timeout)
			dlv_conn_close(unlink_at(c, i), c->quit_timeout);
		else
			i++;
	}
}

struct dlv_conn *
dlv_cache_take(struct dlv_cache *c, const char *key, time_t now)
{
	if (c == NULL)
		return NULL;
	dlv_cache_expire(c, now);
	for (int i = 0; i < c->n; i++)
		if (strcmp(c->v[i]->key, key) == 0)
			return unlink_at(c, i);
	return NULL;
}

void
dlv_cache_put(struct dlv_cache *c, struct dlv_conn *k, time_t now)
{
	if (c == NULL || c->max <= 0) {
		dlv_conn_close(k, c != NULL ? c->quit_timeout : 120);
		return;
	}
	k->last = now;
	if (c->n == c->max)	/* the oldest goes: entries are kept in order of use */
		dlv_conn_close(unlink_at(c, 0), c->quit_timeout);
	c->v[c->n++] = k;
}

long
dlv_cache_wait(const struct dlv_cache *c, time_t now)
{
	long wait = -1;

	for (int i = 0; i < c->n; i++) {
		long left = (long)(c->v[i]->last + c->timeout - now);

		if (left < 0)
			left = 0;
		if (wait < 0 || left < wait)
			wait = left;
	}
	return wait;
}

void
dlv_cache_close(struct dlv_cache *c)
{
	while (c->n > 0)
		dlv_conn_close(unlink_at(c, c->n - 1), c->quit_timeout);
	free(c->v);
	c->v = NULL;
}

void
dlv_conn_free(struct dlv_conn *k)
{
	if (k == NULL)
		return;
	free(k->key);
	free(k->addr);
	free(k->server_addr);
	free(k->verify);
	free(k);
}
