/* SPDX-License-Identifier: GPL-2.0 */
/* One case document -> struct fl_run_case (runload.h), in three steps shared by runload.c's
 * loader: the text scanner before Jansson (runload_scan.c), then the items and latency
 * distributions of the parsed case object (runload_items.c). */
#ifndef FL_RUNLOAD_CASE_H
#define FL_RUNLOAD_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "runload.h"

/* strdup of s, "" for NULL; NULL when out of memory. */
char *fl_runload_strdup(const char *s);
/* Append *it to c's items (*cap: their room); 0, or -1 when out of memory. */
int fl_runload_add_item(struct fl_run_case *c, size_t *cap, const struct fl_item *it);
/* Take the vmstat event counters out of the text buf (*len bytes and a NUL) into c, and blank
 * vmstat, "raw" and, unless keep_run, the "run" object before Jansson; *len shrinks. */
void fl_runload_take_vmstat(struct fl_run_case *c, size_t *cap, char *buf, size_t *len,
			    bool keep_run);
/* The metrics, missing metrics, counters and IPI classes of the case object cs; 0, or -1 when
 * out of memory. */
int fl_runload_take_items(struct fl_run_case *c, size_t *cap, json_t *cs);
/* The latency distributions of cs (at most FL_CASE_CDFS); a malformed one is left out. */
void fl_runload_case_cdfs(struct fl_run_case *c, json_t *cs);
/* Free everything c holds and zero it. */
void fl_runload_case_free(struct fl_run_case *c);

#endif
