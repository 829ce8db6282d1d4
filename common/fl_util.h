/* SPDX-License-Identifier: GPL-2.0 */
/* Exit statuses and one-sentence error reporting shared by faultline and faultline-agent. */
#ifndef FL_UTIL_H
#define FL_UTIL_H

#include <stdarg.h>
#include <stddef.h>

/* Exit statuses (DESIGN.md). */
enum fl_exit {
	FL_EXIT_OK = 0,		/* all went well */
	FL_EXIT_FOUND = 1,	/* a regression or verification failure was measured */
	FL_EXIT_USAGE = 2,	/* usage or input error */
	FL_EXIT_ENV = 3,	/* environment: privilege, missing kernel feature */
};

#define FL_ERRLEN 512

/* A workload's priority (run --nice, a suite's "nice", the agent's --nice=N): setpriority's
 * range. */
#define FL_NICE_MIN (-20)
#define FL_NICE_MAX 19

/* Print "PROG: message\n" to stderr. */
void fl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Set the program name used by fl_err (default "faultline"). */
void fl_set_progname(const char *name);
/* snprintf into an error buffer; returns -1 so callers can "return fl_seterr(...)". */
int fl_seterr(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Parse "512K", "4M", "1G", "4096" into bytes; -1 on a malformed value. */
int fl_parse_size(const char *s, unsigned long long *out);
/* Online CPUs as the scheduler sees them. */
int fl_online_cpus(void);
/* mkdir -p of PATH's directory (not PATH itself), each new level with MODE; -1 with a
 * sentence in err and errno kept when one cannot be made. */
int fl_mkdir_parents(const char *path, unsigned int mode, char *err, size_t errlen);

/* fl_read_all's flags. */
#define FL_READ_REGULAR  (1u << 0)	/* refuse a FIFO, device, socket or directory (never
					 * blocks opening one) */
#define FL_READ_NOFOLLOW (1u << 1)	/* refuse a symbolic link as the last component */

/*
 * The one whole-file reader. Returns the file at path, NUL-terminated, in a buffer the caller
 * frees, and its length (without the NUL) in *len when len is not NULL. max is the most bytes
 * accepted (0: no limit): a longer file is refused, whether its size is known beforehand (a
 * regular file) or only found by reading (procfs, sysfs, a pipe). Reads are retried on EINTR.
 * NULL on failure with errno set (ELOOP: a link under FL_READ_NOFOLLOW; EINVAL: not a regular
 * file under FL_READ_REGULAR; EFBIG: over max; else open's, read's or malloc's) and, when err
 * is not NULL, the reason as a clause about the file ("it is not a regular file") that the
 * caller puts after the file's name as it shows it.
 */
char *fl_read_all(const char *path, size_t max, unsigned int flags, size_t *len, char *err,
		  size_t errlen);
/* The fixed-buffer form for small procfs/sysfs values read often (no allocation): the first
 * len-1 bytes of path into buf, NUL-terminated; returns their count, or -1 with errno (buf
 * then holds what was read before the error). */
long fl_read_file(const char *path, char *buf, size_t len);

#endif
