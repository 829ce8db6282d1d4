/* SPDX-License-Identifier: GPL-2.0 */
/* One nightly at a time per history directory (nightly_lock.c). */
#ifndef FL_NIGHTLY_LOCK_H
#define FL_NIGHTLY_LOCK_H

#include <stddef.h>

/* Take DIR/.nightly.lock, waiting up to wait_s seconds for another nightly to finish; the
 * lock's fd (keep it open until done), or -1 with a sentence naming the holder's pid and
 * start time. */
int fl_nightly_lock(const char *dir, double wait_s, char *err, size_t errlen);

#endif
