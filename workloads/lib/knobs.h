/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel state a workload changes (THP sysfs, khugepaged, sysctls, swap it added, cgroups it
 * made) goes through a journal on disk: each original value is appended and fsynced BEFORE the
 * change, so whatever kills the agent, the next `faultline run` (or `faultline-agent
 * --restore`) can put everything back. A case restores its journal at teardown, on failure and
 * on SIGINT/SIGTERM, then removes the file.
 */
#ifndef FL_KNOBS_H
#define FL_KNOBS_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>

/* Default journal: $FAULTLINE_JOURNAL, else /run/faultline/knobs.journal (/run is cleared by a
 * reboot, which also resets every knob). */
const char *fl_knobs_default_path(void);

struct fl_knobs;

/*
 * What a journal may hold, and so what is ever restored: THP/khugepaged files under
 * /sys/kernel/mm/transparent_hugepage/, the agent's swap files (<dir>/faultline-swap.PID) and
 * zram devices (/dev/zramN), its cgroups (faultline-PID under /sys/fs/cgroup/), its tracefs
 * instances (instances/faultline-TAG-PID under /sys/kernel/tracing/ or
 * /sys/kernel/debug/tracing/). The writers
 * below refuse anything else, and a restore refuses any other entry of a crafted journal,
 * entry by entry, touching nothing. The journal file itself must be a regular file owned by
 * this user, writable by no one else, with one link, and (when not empty) start with the
 * journal's header line: anything else is not ours and is never replayed, truncated or
 * removed. sysroot (NULL on a machine) stands for / in unit tests.
 */

/* Open the journal for a case. If a journal is already there (an earlier agent died), it is
 * restored first and log says so. NULL with err on failure. */
struct fl_knobs *fl_knobs_open(const char *path, const char *sysroot, FILE *log, char *err,
			       size_t errlen);
/* Write value to a THP/khugepaged sysfs file after journaling its current value (for files
 * that print "a [b] c", the selected word). A file already journaled keeps its first
 * original. */
int fl_knob_set(struct fl_knobs *k, const char *file, const char *value, char *err, size_t errlen);
/* Read a knob's current value (selected word for "[x]" files) into buf. */
int fl_knob_get(const char *file, char *buf, size_t len);
/* Journal things to undo: a swap area this case enabled (swapoff, and unlink when
 * remove_file), a zram device it set up (reset), a cgroup directory it made (rmdir). */
int fl_knob_swap_added(struct fl_knobs *k, const char *swap_path, bool remove_file,
		       char *err, size_t errlen);
int fl_knob_zram_added(struct fl_knobs *k, const char *dev_path, char *err, size_t errlen);
int fl_knob_cgroup_added(struct fl_knobs *k, const char *cg_dir, char *err, size_t errlen);
/* A tracefs instance directory it is about to make (rmdir): journaled before the mkdir, so
 * an agent killed in between leaves nothing that a restore does not find. */
int fl_knob_trace_instance_added(struct fl_knobs *k, const char *dir, char *err,
				 size_t errlen);
/* Undo everything in reverse order and remove the journal; log lists what was restored.
 * Returns 0, or -1 if something could not be restored (log says what). k is freed. */
int fl_knobs_close(struct fl_knobs *k, FILE *log);
/* Restore a journal left behind by a dead agent; 0 if none or all restored, 1 if something
 * was restored (log says what), -1 on failure or refusal (log says what; the file stays). */
int fl_knobs_restore_file(const char *path, const char *sysroot, FILE *log);

#endif
