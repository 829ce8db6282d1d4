// SPDX-License-Identifier: GPL-2.0
/* /proc/vmstat: "name value" lines parsed, each item's unit, and the delta of two snapshots
 * as the case's "vmstat" section (procparse_vmstat.h). Pure: the text is passed in. */
#include "probes/procparse_vmstat.h"
#include "probes/procparse_line.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

static int vmstat_add(struct fl_vmstat *vs, size_t *cap, const char *name, size_t nlen,
		      unsigned long long value)
{
	struct fl_vmstat_entry *nv;

	if (vs->n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		nv = realloc(vs->v, *cap * sizeof(*nv));
		if (!nv)
			return -1;
		vs->v = nv;
	}
	memcpy(vs->v[vs->n].name, name, nlen);
	vs->v[vs->n].name[nlen] = '\0';
	vs->v[vs->n].value = value;
	vs->n++;
	return 0;
}

/* "name value" -> 0, or -1 if the line is something else. */
static int vmstat_line(const char *p, const char *end, size_t *nlen, unsigned long long *value)
{
	const char *q = p;
	char *e;

	while (q < end && (isalnum((unsigned char)*q) || *q == '_'))
		q++;
	*nlen = (size_t)(q - p);
	if (*nlen == 0 || *nlen >= FL_VMSTAT_NAME_MAX || q == end || !isblank((unsigned char)*q))
		return -1;
	while (q < end && isblank((unsigned char)*q))
		q++;
	if (q == end || !isdigit((unsigned char)*q))
		return -1;
	errno = 0;
	*value = strtoull(q, &e, 10);
	if (errno || e > end)
		return -1;
	while (e < end && isspace((unsigned char)*e))
		e++;
	return e == end ? 0 : -1;
}

int fl_vmstat_parse(const char *text, struct fl_vmstat *vs)
{
	const char *p = text, *end, *next;
	unsigned long long value;
	size_t cap = 0, nlen;

	memset(vs, 0, sizeof(*vs));
	while (*p) {
		next = fl_line_next(p, &end);
		if (end == p) {
			p = next;
			continue;
		}
		if (vmstat_line(p, end, &nlen, &value))
			vs->skipped++;
		else if (vmstat_add(vs, &cap, p, nlen, value))
			goto nomem;
		p = next;
	}
	return 0;
nomem:
	fl_vmstat_free(vs);
	errno = ENOMEM;
	return -1;
}

void fl_vmstat_free(struct fl_vmstat *vs)
{
	free(vs->v);
	memset(vs, 0, sizeof(*vs));
}

const struct fl_vmstat_entry *fl_vmstat_find(const struct fl_vmstat *vs, const char *name)
{
	size_t i;

	for (i = 0; i < vs->n; i++)
		if (!strcmp(vs->v[i].name, name))
			return &vs->v[i];
	return NULL;
}

/*
 * Units of vmstat items, first match wins. Most nr_* items are levels in pages
 * (node/zone stat items), but some nr_* are cumulative event counters, a few are
 * printed in KiB, and the THP levels are printed in huge pages (vmstat_item_print_in_thp).
 */
static const struct vmstat_unit_rule {
	const char *glob;
	const char *unit;
	bool gauge;
} vmstat_units[] = {
	{ "nr_tlb_*",			"count",	false },	/* DEBUG_TLBFLUSH events */
	{ "nr_dirtied",			"pages",	false },
	{ "nr_written",			"pages",	false },
	{ "nr_vmscan_write",		"pages",	false },
	{ "nr_vmscan_immediate_reclaim", "pages",	false },
	{ "nr_throttled_written",	"pages",	false },
	{ "nr_foll_pin_acquired",	"pages",	false },
	{ "nr_foll_pin_released",	"pages",	false },
	{ "nr_kernel_stack",		"KiB",		true },
	{ "nr_shadow_call_stack",	"KiB",		true },
	{ "nr_anon_transparent_hugepages", "hugepages",	true },
	{ "nr_file_hugepages",		"hugepages",	true },
	{ "nr_shmem_hugepages",		"hugepages",	true },
	{ "nr_*_pmdmapped",		"hugepages",	true },
	{ "nr_zspages",			"zspages",	true },
	{ "nr_*",			"pages",	true },
	{ "workingset_nodes",		"count",	true },
	{ "*",				"count",	false },
};

const char *fl_vmstat_unit(const char *name, bool *gauge)
{
	size_t i;

	for (i = 0; i < sizeof(vmstat_units) / sizeof(vmstat_units[0]); i++) {
		if (fnmatch(vmstat_units[i].glob, name, 0) == 0) {
			*gauge = vmstat_units[i].gauge;
			return vmstat_units[i].unit;
		}
	}
	*gauge = false;
	return "count";
}

json_t *fl_vmstat_delta_json(const struct fl_vmstat *start, const struct fl_vmstat *stop)
{
	const struct fl_vmstat_entry *s;
	json_t *obj = json_object(), *v;
	const char *unit;
	bool gauge;
	size_t i;

	if (!obj)
		return NULL;
	for (i = 0; i < stop->n; i++) {
		s = fl_vmstat_find(start, stop->v[i].name);
		if (!s)
			continue;
		unit = fl_vmstat_unit(s->name, &gauge);
		v = json_pack("{s:I,s:s}", "value",
			      (json_int_t)(long long)(stop->v[i].value - s->value), "unit", unit);
		if (gauge)
			json_object_set_new(v, "kind", json_string("gauge"));
		json_object_set_new(obj, s->name, v);
	}
	return obj;
}
