/* SPDX-License-Identifier: GPL-2.0 */
/* The corruption log of a workload: how many bad pages (records, reads) its threads found and
 * the first one described, once, for the case's reason line. Safe from any thread and, in
 * MAP_SHARED memory, from forked children (the count and the flag are lock-free atomics). */
#ifndef FL_BADLOG_H
#define FL_BADLOG_H

#include <stdatomic.h>
#include <stdint.h>

struct fl_badlog {
	_Atomic uint64_t count;
	atomic_int first_set;		/* the first caller claims first[] */
	char first[200];		/* "" until a bad one is noted */
};

/* Count one bad page; the first caller also writes its description (printf format). */
void fl_badlog_note(struct fl_badlog *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline uint64_t fl_badlog_count(struct fl_badlog *b)
{
	return atomic_load(&b->count);
}

#endif
