/* SPDX-License-Identifier: GPL-2.0 */
/* Jobs followed on a LAVA server (lava_follow.c): their state as the server gives it, polled
 * until they finish, and the one sentence for a job that did not complete; lava status, wait
 * (lava_follow.c) and fetch (lava_fetch.c) share them. */
#ifndef FL_LAVA_FOLLOW_H
#define FL_LAVA_FOLLOW_H

#include <stdbool.h>
#include <jansson.h>
#include "lava.h"

#define FL_FOLLOW_MAX_JOBS 256

enum fl_follow_health {
	FL_FOLLOW_NONE, FL_FOLLOW_COMPLETE, FL_FOLLOW_INCOMPLETE, FL_FOLLOW_CANCELED
};

struct fl_follow_job {
	long long id;
	char state[16], health[16], device[80], devtype[80], comment[200];
	enum fl_follow_health end;	/* set once the state is Finished */
	int ret;			/* 0, or the exit status of what went wrong */
	bool known;			/* the server answered for it at least once */
	char candidate[80], suite[80];	/* its faultline metadata (cleaned) */
};

struct fl_follow {
	struct fl_lava_server srv;
	struct fl_follow_job jobs[FL_FOLLOW_MAX_JOBS];
	int n;
	double timeout_s, interval_s;
	const char *out;
};

/* For the command CMD ("lava fetch"); NULL when out of memory. */
struct fl_follow *fl_follow_new(const char *cmd);
/* The options: the server's, and 'T' --timeout, 'i' --interval, 'o' --out as ALLOWED says;
 * then the job ids. 0, or -1 (said). */
int fl_follow_args(struct fl_follow *f, int argc, char **argv, const char *allowed);
/* f freed, the token wiped; ret, or 128 + the signal that interrupted the command. */
int fl_follow_end(struct fl_follow *f, int ret);

/* A server string as a short printable one (never empty: "-"). */
void fl_follow_clean(char *dst, size_t len, const char *src);
/* The job's state from a GET jobs/ID/ document d: known words only. 0, or -1 with err. */
int fl_follow_job_parse(struct fl_follow_job *j, json_t *d, char *err, size_t errlen);
/* GET jobs/ID/ into j; the document in *doc when doc is not NULL. 0, or -1 with err
 * (fl_lava_failed: the exit status that makes). */
int fl_follow_job_get(const struct fl_lava_server *s, struct fl_follow_job *j, json_t **doc,
		      char *err, size_t errlen);
/* Poll every job until each has finished or --timeout is up; a line when a job changes. */
void fl_follow_poll(struct fl_follow *f, bool quiet);
/* The one sentence for a job that ended without completing, or did not end in time (CMD
 * starts it); the job's exit status. */
int fl_follow_job_verdict(struct fl_follow *f, struct fl_follow_job *j, const char *cmd);

/* The worst of two exit statuses (an interrupt wins). */
static inline int fl_follow_worst(int a, int b)
{
	return a > b ? a : b;
}

#endif
