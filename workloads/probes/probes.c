// SPDX-License-Identifier: GPL-2.0
/*
 * The probe set: which probes a case runs (--probes), and the order they bracket the measured
 * phase in. The table is in the order names are listed; start() walks it backwards and stop()
 * forwards, so the /proc snapshots (vmstat, interrupts) are taken first and last and the perf
 * counters are enabled last and disabled first, as close to the measured phase as possible.
 *
 * The default set ("all") is cheap: rusage counts page faults, context switches and CPU time
 * from getrusage and /proc at start and stop. The per-task perf software events (sw) cost 3-5%
 * of a fault-bound workload (every fault and context switch of the workload's tasks goes through
 * perf): named to run (--probes all,sw), and then their values take the shared names.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probes/probe.h"
#include "probes/mmap_lock.h"
#include "probes/rusage.h"
#include "fl_json.h"
#include "fl_util.h"

static const struct fl_probe_ops *const fl_probe_table[] = {
	/* Not in "all" (--probes all,sw). Before rusage: rusage emits only the names sw did
	 * not count. */
	&fl_probe_sw,
	&fl_probe_rusage,
	&fl_probe_tracepoints,
	&fl_probe_hw,
	&fl_probe_vmstat,
	&fl_probe_interrupts,
	/* Not in "all" (--probes all,mmap_lock). Last: its stop drains the ring buffers, after
	 * the /proc snapshots. */
	&fl_probe_mmap_lock,
};

#define FL_NR_PROBES (sizeof(fl_probe_table) / sizeof(fl_probe_table[0]))

struct fl_probe_inst {
	const struct fl_probe_ops *ops;
	void *state;
	char reason[160];	/* set when open() failed: emit says why */
};

struct fl_probe_set {
	size_t nr;
	struct fl_probe_inst p[FL_NR_PROBES];
};

const char *fl_probes_all_names(void)
{
	return "sw,rusage,tracepoints,hw,vmstat,interrupts,mmap_lock";
}

/* Probes left out of "all" (their overhead is not negligible): named to run. */
static int fl_probe_optional(const struct fl_probe_ops *ops)
{
	return ops == &fl_probe_mmap_lock || ops == &fl_probe_sw;
}

json_t *fl_probe_section(json_t *case_obj, const char *section)
{
	json_t *s = json_object_get(case_obj, section);

	if (s)
		return json_is_object(s) ? s : NULL;
	s = json_object();
	if (!s || json_object_set_new(case_obj, section, s))
		return NULL;
	return s;
}

static int fl_probe_index(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < FL_NR_PROBES; i++)
		if (strlen(fl_probe_table[i]->name) == len &&
		    !strncmp(fl_probe_table[i]->name, name, len))
			return (int)i;
	return -1;
}

/* Parse list into want[]; 0, or -1 with the sentence in err. */
static int fl_probes_parse(const char *list, int *want, char *err, size_t errlen)
{
	const char *p = list, *end;
	size_t len, i;
	int idx;

	if (!strcmp(list, "none"))
		return 0;
	do {
		end = strchr(p, ',');
		len = end ? (size_t)(end - p) : strlen(p);
		if (len == 3 && !strncmp(p, "all", 3)) {	/* "all", "all,sw,mmap_lock" */
			for (i = 0; i < FL_NR_PROBES; i++)
				want[i] |= !fl_probe_optional(fl_probe_table[i]);
			p = end + 1;
			continue;
		}
		idx = fl_probe_index(p, len);
		if (idx < 0)
			return fl_seterr(err, errlen, "unknown probe '%.*s' in --probes (expected all, "
					 "none or a comma list of: %s; all is every one but "
					 "mmap_lock and sw)", (int)len, p,
					 fl_probes_all_names());
		want[idx] = 1;
		p = end + 1;
	} while (end);
	return 0;
}

static void fl_probe_inst_open(struct fl_probe_inst *pi, const struct fl_probe_ctx *ctx)
{
	int ret;

	errno = 0;
	ret = pi->ops->open(&pi->state, ctx);
	if (ret == 0)
		return;
	pi->state = NULL;
	if (errno)
		snprintf(pi->reason, sizeof(pi->reason), "the %s probe could not be opened: %s",
			 pi->ops->name, strerror(errno));
	else
		snprintf(pi->reason, sizeof(pi->reason), "the %s probe could not be opened",
			 pi->ops->name);
}

struct fl_probe_set *fl_probes_open(const char *list, const struct fl_probe_ctx *ctx,
				    char *err, size_t errlen)
{
	int want[FL_NR_PROBES] = { 0 };
	struct fl_probe_set *set;
	size_t i;

	if (!list)
		list = "all";
	if (fl_probes_parse(list, want, err, errlen))
		return NULL;
	set = calloc(1, sizeof(*set));
	if (!set) {
		fl_seterr(err, errlen, "out of memory opening the probes");
		return NULL;
	}
	for (i = 0; i < FL_NR_PROBES; i++) {
		struct fl_probe_inst *pi;

		if (!want[i])
			continue;
		pi = &set->p[set->nr++];
		pi->ops = fl_probe_table[i];
		fl_probe_inst_open(pi, ctx);
	}
	return set;
}

int fl_probes_start(struct fl_probe_set *set)
{
	size_t i;
	int ret = 0;

	for (i = set->nr; i-- > 0;)
		if (set->p[i].state && set->p[i].ops->start(set->p[i].state))
			ret = -1;
	return ret;
}

int fl_probes_stop(struct fl_probe_set *set)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < set->nr; i++)
		if (set->p[i].state && set->p[i].ops->stop(set->p[i].state))
			ret = -1;
	return ret;
}

/* Probes that could not open are listed in case_obj["probe_errors"] with the reason. */
void fl_probes_emit(struct fl_probe_set *set, json_t *case_obj)
{
	json_t *probes;
	size_t i;

	for (i = 0; i < set->nr; i++) {
		struct fl_probe_inst *pi = &set->p[i];

		if (pi->state) {
			pi->ops->emit(pi->state, case_obj);
			continue;
		}
		probes = fl_probe_section(case_obj, "probe_errors");
		if (probes)
			json_object_set_new(probes, pi->ops->name,
					    fl_json_missing("unsupported", pi->reason));
	}
}

void fl_probes_close(struct fl_probe_set *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < set->nr; i++)
		if (set->p[i].state)
			set->p[i].ops->close(set->p[i].state);
	free(set);
}
