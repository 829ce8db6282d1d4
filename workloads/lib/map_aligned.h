/* SPDX-License-Identifier: GPL-2.0 */
/* Mappings at an aligned address (a PMD or PUD boundary), so THP, collapse, retract and the
 * page-table frees of munmap apply to the whole range: reserve len + align bytes of address
 * space without memory, keep the aligned part, unmap the rest. */
#ifndef FL_MAP_ALIGNED_H
#define FL_MAP_ALIGNED_H

#include <stddef.h>

/* Reserve [a, a + len) PROT_NONE with no memory behind it, where a - offset is a multiple of
 * align (a power of two; offset < align). Returns a, or NULL with errno. */
void *fl_map_reserve(size_t len, size_t align, size_t offset);
/* mmap(2) of len bytes of fd (-1 for anonymous memory) at an address that is a multiple of
 * align: prot and flags as mmap's (MAP_FIXED is added). Returns it, or NULL with errno. */
void *fl_map_aligned(size_t len, size_t align, int prot, int flags, int fd);

#endif
