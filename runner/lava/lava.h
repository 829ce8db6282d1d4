/* SPDX-License-Identifier: GPL-2.0 */
/* LAVA: job definitions from a suite, job logs back into a run directory. */
#ifndef FL_LAVA_H
#define FL_LAVA_H

#include <stdbool.h>
#include <stdio.h>
#include "plan.h"
#include "execute.h"

struct fl_lava_job {
	const char *name, *run_id, *candidate;
	const char *qemu_arch;			/* LAVA's context arch: amd64, arm64, ... */
	const char *kernel_url, *ramdisk_url;
	const char *const *extra;		/* QEMU extra_options, NULL-terminated */
	int job_minutes;
	bool per_round;				/* only the plan's cases of round (fl_plan_round), */
	int round;				/* keeping their plan indices in the markers */
	const char *device_type;		/* the lab's name for its QEMU type (NULL: qemu) */
};

/* Write the job YAML for plan to f. 0, or -1 with a sentence in err (a plan without cases,
 * a step that does not fit, a string that is not UTF-8). */
int fl_lava_render(FILE *f, const struct fl_lava_job *j, const struct fl_plan *plan,
		   char *err, size_t errlen);

/*
 * The log scanner on its own (for collect and for the fuzz target): scan LEN bytes of BUF
 * (any bytes: NULs, no final newline, lines of any length; it may be called once per line
 * or once for a whole log) for FAULTLINE-PLAN / FAULTLINE-CASE markers, keeping the plan
 * entries that are well formed and the case documents whose sha256 matches and that
 * validate against faultline/1.
 */
struct fl_lava_log;
struct fl_lava_log *fl_lava_log_new(void);
void fl_lava_log_scan(struct fl_lava_log *lg, const char *buf, size_t len);
void fl_lava_log_free(struct fl_lava_log *lg);

/* Read LAVA job logs (lava-dispatcher's YAML log or the plain console) and write the run
 * directory out: run.json and cases/ from the markers; a case file's name is made from the
 * index and the plan entry's workload, which must be one of workloads (NULL-terminated; NULL:
 * any safe name), iteration and warm-up flag, and stays under out. 0; FL_LAVA_LOGS_BAD when
 * the logs hold no usable run (no marker, a log that cannot be read, a plan entry for another
 * workload, a run that fails its schema); -1 when out cannot be written; each with err. */
enum { FL_LAVA_LOGS_BAD = 1 };
int fl_lava_collect(char *const *logs, int nlogs, const char *out,
		    const char *const *workloads, char *err, size_t errlen);
/* The same, and PLANS: files in which only FAULTLINE-PLAN markers are read (the job
 * definitions a server holds: every planned case, also of a job that never ran). */
int fl_lava_collect_plans(char *const *logs, int nlogs, char *const *plans, int nplans,
			  const char *out, const char *const *workloads, char *err, size_t errlen);
/* Scan for FAULTLINE-PLAN markers only (a job definition, where the case marker's command is). */
void fl_lava_log_plans_only(struct fl_lava_log *lg, bool on);

/*
 * A LAVA server's REST API (lava_api.c) through the curl binary. The token comes from
 * --token-file (a file only its owner can read) or $FAULTLINE_LAVA_TOKEN, reaches curl as a
 * header line of a config on curl's stdin, and is in no argv, no environment of curl and no
 * file. Every answer is untrusted: bounded in time and size, and nothing from it becomes a
 * path, an option or unescaped terminal text.
 */
#define FL_LAVA_TOKEN_MAX 1024
#define FL_LAVA_ANSWER_MAX (8 << 20)

struct fl_lava_server {
	const char *cmd;			/* "lava wait": the start of every message */
	const char *url;			/* http(s)://HOST[:PORT][/PREFIX] */
	char token[FL_LAVA_TOKEN_MAX];
	double connect_s, max_s;
};

/* The options every server command takes (getopt_long entries, vals 'u' 'f' 'c' 'm' 't'). */
#define FL_LAVA_SERVER_OPTS \
	{ "url", required_argument, NULL, 'u' }, { "token", required_argument, NULL, 't' }, \
	{ "token-file", required_argument, NULL, 'f' }, \
	{ "connect-timeout", required_argument, NULL, 'c' }, \
	{ "max-time", required_argument, NULL, 'm' }

/* One of those options (c, arg) into s; *file keeps --token-file. 0, or -1 (said). */
int fl_lava_server_opt(struct fl_lava_server *s, int c, const char *arg, const char **file);
/* After the options: the URL checked, the token read. 0, or -1 (said). */
int fl_lava_server_ready(struct fl_lava_server *s, const char *file);
void fl_lava_server_wipe(struct fl_lava_server *s);
/* Seconds: more than 0 and at most 86400; else -1, said naming the option. */
int fl_lava_seconds(const char *cmd, const char *name, const char *arg, double *out);
/* A job id on the command line or from a server: decimal digits, 1..2^53. 0 when not one. */
long long fl_lava_job_id(const char *s);

/*
 * METHOD URL/api/v0.2/PATH (PATH made by us from checked parts). BODY (JSON) is posted when
 * not NULL. The answer goes to the new file OUTPATH (it must not exist; no link is followed)
 * when not NULL, else into *answer (malloc'ed, NUL-terminated, at most FL_LAVA_ANSWER_MAX
 * bytes). *http is the HTTP status. 0, or -1 with one sentence in err (the server not
 * reachable or too slow, or interrupted: fl_lava_failed says which exit status that is). An
 * HTTP error status is not an error here: the caller says what it means (fl_lava_http_err).
 */
int fl_lava_call(const struct fl_lava_server *s, const char *method, const char *path,
		 const char *body, const char *outpath, char **answer, long *http,
		 char *err, size_t errlen);
/* A sentence in err for an HTTP status that is not 2xx, about WHAT ("job 12"). */
void fl_lava_http_err(const struct fl_lava_server *s, long http, const char *what,
		      const char *answer, char *err, size_t errlen);
/* The exit status of a command whose call failed: 128 + the signal when it was interrupted,
 * else FL_EXIT_ENV. */
int fl_lava_failed(void);

/* The workloads this faultline has (the agent's --describe), NULL-terminated; NULL with err
 * when the agent cannot say. */
char **fl_lava_workload_names(char *err, size_t errlen);
void fl_lava_names_free(char **names);

/* faultline lava wait|status (lava_follow.c), fetch (lava_fetch.c) */
int fl_lava_wait(int argc, char **argv);
int fl_lava_status(int argc, char **argv);
int fl_lava_fetch(int argc, char **argv);

#endif
