// SPDX-License-Identifier: GPL-2.0
/* Mappings at an aligned address (map_aligned.h). */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include "map_aligned.h"

void *fl_map_reserve(size_t len, size_t align, size_t offset)
{
	size_t slack = len + align;
	char *raw = mmap(NULL, slack, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			 -1, 0);
	uintptr_t r0, a;

	if (raw == MAP_FAILED)
		return NULL;
	r0 = (uintptr_t)raw;
	a = (r0 & ~(uintptr_t)(align - 1)) + offset;	/* the first such a >= r0: a < r0 + align */
	if (a < r0)
		a += align;
	if (a > r0)
		munmap(raw, a - r0);
	if (r0 + slack > a + len)
		munmap((char *)(a + len), r0 + slack - (a + len));
	return (void *)a;
}

void *fl_map_aligned(size_t len, size_t align, int prot, int flags, int fd)
{
	char *a = fl_map_reserve(len, align, 0), *p;
	int e;

	if (!a)
		return NULL;
	p = mmap(a, len, prot, flags | MAP_FIXED, fd, 0);
	if (p != MAP_FAILED)
		return p;
	e = errno;
	munmap(a, len);
	errno = e;
	return NULL;
}
