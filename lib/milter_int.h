/*
 * milter_int: what the files of the milter module share and nothing else
 * sees: the connection's layout and the framing functions.
 */
#ifndef MILTER_INT_H
#define MILTER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "milter.h"
#include "pt_buf.h"
#include "smtp_io.h"

/* The largest packet a filter may send (libmilter's largest buffer, 1 MB). */
#define MILTER_MAX_PACKET (1024 * 1024)

/* Where a filter's connection is. */
enum milter_state {
	MS_NEW = 0,	/* connected, not negotiated */
	MS_READY,	/* negotiated, in use */
	MS_MSG_DONE,	/* accepted or discarded the current message: silent until it ends */
	MS_CONN_DONE,	/* finished with the whole connection (accept, reject, failure at connect) */
	MS_DEAD,	/* broke: never used again */
	MS_QUIT,	/* quit sent */
};

struct milter {
	char *name;
	enum milter_fail fail;
	struct milter_timeouts t;
	int fd;
	struct smtp_io *io;
	enum milter_state state;
	bool in_msg;		/* MAIL was sent and the message has not ended */
	bool skip_body;		/* the filter answered SKIP to a body chunk */
	uint32_t version, actions, protocol;
	char *symlist[MILTER_STAGE_COUNT];
};

/* Writes one packet within the send timeout; false with err on failure. */
bool milter_write_packet(struct milter *m, char cmd, const void *data, size_t len,
    struct pt_buf *err);
/* Reads one packet within the read timeout (and the stream's deadline); false with err. */
bool milter_read_packet(struct milter *m, char *cmd, struct pt_buf *data, struct pt_buf *err);

/* Appends a 32-bit number in network order. */
void milter_put32(struct pt_buf *b, uint32_t v);
/* Reads a 32-bit number in network order at p. */
uint32_t milter_get32(const char *p);
/*
 * Splits data[0..len) into NUL-terminated strings: fills at most max
 * pointers into data and returns how many, or -1 when the last is not
 * terminated.
 */
int milter_strings(const char *data, size_t len, const char **out, int max);

#endif
