/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel log findings during a case: records of /dev/kmsg written after fl_kmsg_open() that
 * report a kernel problem ("Bad page state", "BUG:", "WARNING:", "Oops", ...), each as a
 * {"title", "excerpt"} object for the case's "console": {"findings": [...]}. */
#ifndef FL_KMSG_H
#define FL_KMSG_H

#include <stddef.h>
#include <jansson.h>

struct fl_kmsg {
	int fd;
};

/* Open the kernel log and skip what is already there. path NULL: $FAULTLINE_KMSG (a test
 * file, read from its start), else /dev/kmsg. Returns 0, or -1 with err. */
int fl_kmsg_open(struct fl_kmsg *k, const char *path, char *err, size_t errlen);
/* Append a finding for each problem record written since the open (or the last scan).
 * Returns the number of findings added, or -1 with err. */
int fl_kmsg_scan(struct fl_kmsg *k, json_t *findings, char *err, size_t errlen);
void fl_kmsg_close(struct fl_kmsg *k);

/* The problem a log message reports ("Bad page state", "BUG", "WARNING", "Oops", ...), or
 * NULL. msg is the message text (no /dev/kmsg "pri,seq,ts,flags;" prefix). */
const char *fl_kmsg_problem(const char *msg);
/* The message text of one /dev/kmsg record (after the first ';'), up to the newline, in out. */
void fl_kmsg_text(const char *record, char *out, size_t len);

#endif
