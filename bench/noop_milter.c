/*
 * noop_milter: the filter of bench/milter.sh, built on Debian's libmilter.
 * It asks for every stage of every message (connect, HELO, MAIL, RCPT,
 * headers, end of headers, body, end of message) and lets everything
 * through unchanged, so that what it costs an MTA is the milter protocol
 * itself: a round trip per stage and the message copied over the socket.
 *
 *   noop_milter unix:/path/to/socket
 *
 * bench/milter.sh compiles it with `cc ... -lmilter`; it is not part of the
 * build or of the test suite.
 */
#include <stdio.h>
#include <stdlib.h>

#include <libmilter/mfapi.h>

/* Every callback: let the message go on. */
static sfsistat
go_on(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

/* Connect: go on. */
static sfsistat
on_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *addr)
{
	(void)host;
	(void)addr;
	return go_on(ctx);
}

/* HELO: go on. */
static sfsistat
on_helo(SMFICTX *ctx, char *name)
{
	(void)name;
	return go_on(ctx);
}

/* MAIL and RCPT: go on. */
static sfsistat
on_addr(SMFICTX *ctx, char **argv)
{
	(void)argv;
	return go_on(ctx);
}

/* A header: go on. */
static sfsistat
on_header(SMFICTX *ctx, char *name, char *value)
{
	(void)name;
	(void)value;
	return go_on(ctx);
}

/* A body chunk: go on. */
static sfsistat
on_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	(void)chunk;
	(void)len;
	return go_on(ctx);
}

int
main(int argc, char **argv)
{
	struct smfiDesc desc = { 0 };

	if (argc != 2) {
		fprintf(stderr, "usage: noop_milter unix:/path/to/socket\n");
		return 2;
	}
	desc.xxfi_name = "noop";
	desc.xxfi_version = SMFI_VERSION;
	desc.xxfi_flags = 0;
	desc.xxfi_connect = on_connect;
	desc.xxfi_helo = on_helo;
	desc.xxfi_envfrom = on_addr;
	desc.xxfi_envrcpt = on_addr;
	desc.xxfi_header = on_header;
	desc.xxfi_eoh = go_on;
	desc.xxfi_body = on_body;
	desc.xxfi_eom = go_on;
	desc.xxfi_abort = go_on;
	desc.xxfi_close = go_on;
	if (smfi_setconn(argv[1]) != MI_SUCCESS || smfi_register(desc) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS) {
		fprintf(stderr, "noop_milter: cannot listen on %s\n", argv[1]);
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
