/* SPDX-License-Identifier: GPL-2.0 */
/* A lockless page-table walker from user space: vmsplice() of a range into a pipe takes its
 * pages with get_user_pages_fast() (interrupts off, no mmap lock: the walker that THP
 * split/collapse/unmap must wait out), then the pipe is drained into a buffer. */
#ifndef FL_GUP_H
#define FL_GUP_H

#include <stddef.h>
#include <sys/types.h>

struct fl_gup_pipe {
	int rd, wr;
	size_t cap;		/* pipe capacity: the most one call can take */
};

/* A pipe of at least want bytes (F_SETPIPE_SZ). Returns 0, or -1 with err. */
int fl_gup_open(struct fl_gup_pipe *g, size_t want, char *err, size_t errlen);
/* GUP-fast the pages of [addr, addr + len) (len <= cap) and copy what they held into buf.
 * Returns the bytes copied, or -1 with errno (EFAULT: the range is not mapped). */
ssize_t fl_gup_read(struct fl_gup_pipe *g, const void *addr, size_t len, void *buf);
void fl_gup_close(struct fl_gup_pipe *g);

#endif
