/* SPDX-License-Identifier: GPL-2.0 */
/* A run directory (rundir.c): run.json, the case files, written atomically. */
#ifndef FL_RUNDIR_H
#define FL_RUNDIR_H

#include <stddef.h>
#include <jansson.h>
#include "plan.h"

struct fl_rundir {
	char dir[1024];
	char id[128];
	json_t *run_info;	/* the "run" object (ids, tool, target, kernel, host) */
	json_t *doc;		/* run.json */
};
/* 0 if OUT (NULL: a fresh results/<id>) can take a new run: no run.json, no case files. */
int fl_rundir_check_new(const char *out, char *err, size_t errlen);
int fl_rundir_create(struct fl_rundir *rd, const char *out, const char *suite_name,
		     json_t *run_info, char *err, size_t errlen);
int fl_rundir_open(struct fl_rundir *rd, const char *dir, char *err, size_t errlen);
/* Write run.json atomically with the plan's statuses and the given state. */
int fl_rundir_save(struct fl_rundir *rd, const struct fl_plan *plan, const char *state,
		   char *err, size_t errlen);
/* A case document written by the runner when the agent could not write one. */
int fl_rundir_write_case(struct fl_rundir *rd, const struct fl_plan_case *pc,
			 const char *status, const char *reason, const char *log_tail,
			 char *err, size_t errlen);
void fl_rundir_close(struct fl_rundir *rd);

#endif
