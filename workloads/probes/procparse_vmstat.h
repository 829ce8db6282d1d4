/* SPDX-License-Identifier: GPL-2.0 */
/* /proc/vmstat parsed (procparse_vmstat.c): the items, their units and the delta of two
 * snapshots. Pure: tests feed captures from tests/fixtures/. */
#ifndef FL_PROCPARSE_VMSTAT_H
#define FL_PROCPARSE_VMSTAT_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#define FL_VMSTAT_NAME_MAX 64

struct fl_vmstat_entry {
	char name[FL_VMSTAT_NAME_MAX];
	unsigned long long value;
};

struct fl_vmstat {
	size_t n;
	size_t skipped;			/* lines that were not "name value" */
	struct fl_vmstat_entry *v;	/* in file order */
};

/* Parse "name value\n" lines. Returns 0, or -1 (ENOMEM). Free with fl_vmstat_free(). */
int fl_vmstat_parse(const char *text, struct fl_vmstat *vs);
void fl_vmstat_free(struct fl_vmstat *vs);
const struct fl_vmstat_entry *fl_vmstat_find(const struct fl_vmstat *vs, const char *name);
/* Unit of a vmstat item ("count", "pages", "KiB", "hugepages", ...) and whether it is a
 * gauge (a level, so a delta is a change of level) rather than an event counter. */
const char *fl_vmstat_unit(const char *name, bool *gauge);
/* {name: {"value": stop - start, "unit": u[, "kind": "gauge"]}} for every item of stop;
 * items missing from start are skipped (they did not exist at the start). */
json_t *fl_vmstat_delta_json(const struct fl_vmstat *start, const struct fl_vmstat *stop);

#endif
