/* SPDX-License-Identifier: GPL-2.0 */
/* Runs made in memory for the analysis tests (compare, tables, counts): the run and case
 * fields every such test fills alike. Include after "runload.h" (via compare.h or table.h). */
#ifndef FL_TEST_FAKE_RUN_H
#define FL_TEST_FAKE_RUN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

/* A complete run named label (its dir too) with identity info (taken) and n zeroed cases. */
static inline void fake_run_init(struct fl_run *r, const char *label, json_t *info, size_t n)
{
	memset(r, 0, sizeof(*r));
	r->dir = strdup(label);
	snprintf(r->label, sizeof(r->label), "%s", label);
	r->info = info;
	r->state = strdup("complete");
	r->skipped = json_array();
	r->cases = calloc(n, sizeof(*r->cases));
	r->ncases = n;
}

/* Case c: workload with params (taken; the key is the workload and the compact sorted
 * params, as runload makes it), status and reason, ops of ops_unit; items left to the test. */
static inline void fake_case_init(struct fl_run_case *c, const char *workload, json_t *params,
				  const char *status, const char *reason, const char *ops_unit,
				  double ops)
{
	char *p = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS);
	size_t len = strlen(workload) + strlen(p) + 2;

	c->file = strdup("cases/x.json");
	c->workload = strdup(workload);
	c->params = params;
	c->key = malloc(len);
	snprintf(c->key, len, "%s %s", workload, p);
	free(p);
	c->status = strdup(status);
	c->reason = strdup(reason);
	c->ops_unit = strdup(ops_unit);
	c->ops = ops;
}

#endif
