/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by knobs.c (journal) and knobs_restore.c (undo); not part of the API. */
#ifndef FL_KNOBS_INTERNAL_H
#define FL_KNOBS_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>
#include "knobs.h"

#define FL_KNOB_VALUE_MAX 256

/* Read a small text file, trailing whitespace removed. 0 or -1 with errno. */
int fl_read_value(const char *file, char *buf, size_t len);
/* write(2) value to file in one call (sysfs reports errors on write). 0 or -1 with errno. */
int fl_knobs_write_value(const char *file, const char *value);
/* Undo every entry of journal text (modified in place) in reverse order, logging each step;
 * an entry naming what an agent does not change is refused (fl_knobs_allowed). 0, or -1 if
 * something could not be undone or was refused. */
int fl_knobs_undo_text(char *text, const char *path, const char *sysroot, FILE *log);
/* May a journal entry of kind (sysfs, swap, zram, cgroup) name path? Only what an agent
 * changes: THP/khugepaged files, its swap files (faultline-swap.PID) and /dev/zramN, its
 * cgroups (faultline-PID under /sys/fs/cgroup). sysroot (NULL: "") stands for / in tests.
 * remove: a swap entry whose file is removed. 0, or -1 with err one sentence. */
int fl_knobs_allowed(const char *sysroot, const char *kind, const char *path, bool remove,
		     char *err, size_t errlen);
/* The pid in the journal's header line, 0 if none. */
long fl_knobs_journal_pid(const char *text);
/* Entries other than the header. */
int fl_knobs_entries(const char *text);

#endif
