/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The result channel between the runner and a guest's init (a virtio-serial port on a unix
 * socket): lines, and frames "FRAME KIND LENGTH SHA256\n" + LENGTH bytes whose checksum is
 * verified, so a truncated or damaged document is reported, never parsed.
 */
#ifndef FL_QEMU_CHAN_H
#define FL_QEMU_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include "clock.h"

struct fl_chan {
	int fd;
	char buf[8192];
	size_t len;
	/* Called about every 100 ms while waiting; nonzero ends the wait with FL_CHAN_GONE. */
	int (*gone)(void *ctx);
	void *ctx;
};

enum { FL_CHAN_OK = 0, FL_CHAN_EOF = -1, FL_CHAN_TIMEOUT = -2, FL_CHAN_GONE = -3 };

/* One line without its newline; deadline is fl_now_s() based. */
int fl_chan_line(struct fl_chan *c, char *line, size_t len, double deadline);
/* Exactly n bytes. */
int fl_chan_read(struct fl_chan *c, char *out, size_t n, double deadline);
int fl_chan_write(struct fl_chan *c, const char *s, size_t n);

/* Parse a frame header line; false when it is not one. */
bool fl_frame_header(const char *line, char *kind, size_t klen, size_t *n, char sha[65]);
/* After the header: read the body (malloc'ed, NUL-terminated) and check it. Returns a
 * FL_CHAN_* code, or 1 with err set when the body does not match its checksum. */
int fl_chan_frame(struct fl_chan *c, size_t n, const char *sha, double deadline, char **body,
		  char *err, size_t errlen);

#endif
