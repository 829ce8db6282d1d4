/* SPDX-License-Identifier: GPL-2.0 */
/* Enough free swap for a case: the active swap if it has room, else a zram device or a swap
 * file the case sets up itself, each journaled (lib/knobs.h) before it is touched so that
 * closing the journal (or restoring it after a crash) takes it away again. */
#ifndef FL_SWAPDEV_H
#define FL_SWAPDEV_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "knobs.h"

struct fl_swapdev {
	char path[PATH_MAX];		/* the swap area used ("" for the active swap) */
	const char *kind;		/* "active", "zram" or "file" */
	unsigned long long bytes;	/* size of the area this case added */
	bool synchronous;		/* zram: swap-out frees the page at once, swap-in reads */
};

/* Free swap in bytes (/proc/meminfo SwapFree), 0 if none. */
unsigned long long fl_swap_free_bytes(void);

/* how: "auto" (active swap if it has need bytes free, else zram, else a file in dir),
 * "zram" or "file". Returns 0; 1 when this machine cannot (err says why: the case is
 * skipped); -1 on an error (err says what). */
int fl_swap_ensure(struct fl_knobs *k, const char *how, const char *dir,
		   unsigned long long need, struct fl_swapdev *sd, char *err, size_t errlen);

/* What the case swaps to: {"kind", "path", "added_bytes", "synchronous", "readahead"}, and
 * for a file the filesystem and block device under it ("device", "fstype"), for the active
 * swap the areas of /proc/swaps ("areas"). */
json_t *fl_swap_describe(const struct fl_swapdev *sd);

#endif
