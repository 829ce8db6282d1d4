// SPDX-License-Identifier: GPL-2.0
/*
 * "tracepoints" probe: count tracepoints given as "system:event" globs, system-wide and per
 * CPU, so that events raised on other CPUs (an IPI received elsewhere, a TLB flush done by a
 * kthread) are seen too.
 *
 * Globs are expanded against the tracefs events directory by reading the id files directly
 * (opendir + fnmatch). A tracefs library (libtracefs) would do this for us, but the agent goes
 * into guest initramfs images and may depend only on Jansson, hwloc, libperf and libpfm4.
 *
 * Overhead per event is kept small: counting mode only (sample_period 0, no ring buffer, no
 * PERF_SAMPLE_RAW), one fd per event and online CPU (tp_percpu.h), and a cap on the number of
 * events.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <perf/core.h>

#include "probes/probe.h"
#include "probes/tp_percpu.h"
#include "probes/tracefs.h"
#include "fl_json.h"
#include "fl_util.h"

#define TP_MAX_EVENTS	256
#define TP_REASON_LEN	224

#define TP_PERM_REASON	"needs root (CAP_PERFMON) or perf_event_paranoid <= 0 to count " \
			"tracepoints system-wide"

/* One output entry: a counted tracepoint, or a glob/event that has no value and why. */
struct tp_entry {
	char *key;			/* "sys:event", or the glob for a missing entry */
	const char *status;		/* NULL if counted, else "absent" or "unsupported" */
	char reason[TP_REASON_LEN];
	unsigned long long id;
	int n;				/* its counter in tp_state.tpc, -1: not open */
	int have_value;
};

struct tp_state {
	struct fl_tpc *tpc;		/* the counters, one fd per event and online CPU */
	struct tp_entry *e;
	size_t nr, alloc;
	size_t nr_events;		/* entries with an id, bounded by TP_MAX_EVENTS */
	int started;
};

static int tp_silent(enum libperf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static struct tp_entry *tp_add(struct tp_state *st, const char *key)
{
	struct tp_entry *e;

	if (st->nr == st->alloc) {
		size_t n = st->alloc ? 2 * st->alloc : 16;

		e = realloc(st->e, n * sizeof(*e));
		if (!e)
			return NULL;
		st->e = e;
		st->alloc = n;
	}
	e = &st->e[st->nr];
	memset(e, 0, sizeof(*e));
	e->n = -1;
	e->key = strdup(key);
	if (!e->key)
		return NULL;
	st->nr++;
	return e;
}

static int tp_add_missing(struct tp_state *st, const char *key, const char *status,
			  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int tp_add_missing(struct tp_state *st, const char *key, const char *status,
			  const char *fmt, ...)
{
	struct tp_entry *e = tp_add(st, key);
	va_list ap;

	if (!e)
		return -1;
	e->status = status;
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
	return 0;
}

static int tp_have_id(const struct tp_state *st, unsigned long long id)
{
	size_t i;

	for (i = 0; i < st->nr; i++)
		if (!st->e[i].status && st->e[i].id == id)
			return 1;
	return 0;
}

static int tp_skip_dot(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

struct tp_glob {
	const char *glob;
	char sys[128];
	const char *ev;
	size_t matched, over;
	int err;		/* first errno that hid events (EACCES...) */
};

static int tp_add_event(struct tp_state *st, struct tp_glob *g, const char *sys,
			const char *ev, unsigned long long id)
{
	char key[PATH_MAX];
	struct tp_entry *e;

	g->matched++;
	if (tp_have_id(st, id))
		return 0;
	if (st->nr_events >= TP_MAX_EVENTS) {
		g->over++;
		return 0;
	}
	snprintf(key, sizeof(key), "%s:%s", sys, ev);
	e = tp_add(st, key);
	if (!e)
		return -1;
	e->id = id;
	st->nr_events++;
	return 0;
}

static int tp_scan_system(struct tp_state *st, struct tp_glob *g, const char *dir,
			  const char *sys)
{
	char path[PATH_MAX];
	struct dirent **ev;
	unsigned long long id;
	int n, i, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, sys);
	n = scandir(path, &ev, tp_skip_dot, alphasort);
	if (n < 0) {
		if (errno != ENOTDIR && !g->err)
			g->err = errno;
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (ret || fnmatch(g->ev, ev[i]->d_name, 0))
			goto next;
		if (fl_tracefs_event_id(dir, sys, ev[i]->d_name, &id)) {
			if (errno != ENOENT && errno != ENOTDIR && !g->err)
				g->err = errno;
			goto next;
		}
		ret = tp_add_event(st, g, sys, ev[i]->d_name, id);
next:
		free(ev[i]);
	}
	free(ev);
	return ret;
}

static int tp_glob_result(struct tp_state *st, const struct tp_glob *g)
{
	if (g->over)
		return tp_add_missing(st, g->glob, "unsupported",
				      "%zu tracepoints matching %s were not counted: at most %d "
				      "tracepoints are counted per case", g->over, g->glob,
				      TP_MAX_EVENTS);
	if (g->matched)
		return 0;
	if (g->err == EACCES || g->err == EPERM)
		return tp_add_missing(st, g->glob, "unsupported", "needs root: tracefs is not "
				      "readable by this user (%s)", strerror(g->err));
	if (g->err)
		return tp_add_missing(st, g->glob, "unsupported",
				      "cannot read tracefs to expand %s: %s", g->glob,
				      strerror(g->err));
	return tp_add_missing(st, g->glob, "absent", "no tracepoint matches %s in this kernel",
			      g->glob);
}

static int tp_expand(struct tp_state *st, const char *dir, const char *glob)
{
	struct tp_glob g = { .glob = glob };
	const char *colon = strchr(glob, ':');
	struct dirent **sys;
	int n, i, ret = 0;

	if (!colon || colon == glob || !colon[1] || (size_t)(colon - glob) >= sizeof(g.sys))
		return tp_add_missing(st, glob, "absent",
				      "'%s' is not a tracepoint glob of the form system:event", glob);
	memcpy(g.sys, glob, colon - glob);
	g.ev = colon + 1;
	n = scandir(dir, &sys, tp_skip_dot, alphasort);
	if (n < 0) {
		g.err = errno;
		return tp_glob_result(st, &g);
	}
	for (i = 0; i < n; i++) {
		if (!ret && !fnmatch(g.sys, sys[i]->d_name, 0))
			ret = tp_scan_system(st, &g, dir, sys[i]->d_name);
		free(sys[i]);
	}
	free(sys);
	return ret ? ret : tp_glob_result(st, &g);
}

static void tp_close(void *state)
{
	struct tp_state *st = state;
	size_t i;

	if (!st)
		return;
	/*
	 * Closing the last perf event of a tracepoint waits for RCU grace periods under the
	 * kernel's event_mutex (~40 ms each on a 2-vCPU x86 VM), so closing N events takes
	 * N times that: the cost is after the measured phase, but keep the globs narrow.
	 */
	fl_tpc_free(st->tpc);
	for (i = 0; i < st->nr; i++)
		free(st->e[i].key);
	free(st->e);
	free(st);
}

/* One fd per event and CPU: raise the soft fd limit to the hard one if that is needed. */
static void tp_fd_budget(const struct tp_state *st)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)st->nr_events * fl_tpc_ncpus(st->tpc) + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= need)
		return;
	rl.rlim_cur = rl.rlim_max < need ? rl.rlim_max : need;
	setrlimit(RLIMIT_NOFILE, &rl);
}

static void tp_open_reason(struct tp_entry *e, int err)
{
	e->status = "unsupported";
	if (err == EACCES || err == EPERM)
		snprintf(e->reason, sizeof(e->reason), "%s (perf_event_open: %s)",
			 TP_PERM_REASON, strerror(err));
	else if (err == EMFILE || err == ENFILE)
		snprintf(e->reason, sizeof(e->reason),
			 "out of file descriptors: one per tracepoint and CPU (perf_event_open: %s)",
			 strerror(err));
	else
		snprintf(e->reason, sizeof(e->reason), "perf cannot count this tracepoint "
			 "(perf_event_open: %s)", strerror(err));
}

static void tp_open_one(struct tp_state *st, struct tp_entry *e)
{
	char why[TP_REASON_LEN];

	e->n = fl_tpc_add(st->tpc, e->id, NULL, e->key, why, sizeof(why));
	if (e->n < 0)
		tp_open_reason(e, errno);
}

static int tp_open_all(struct tp_state *st, const struct fl_probe_ctx *ctx)
{
	char why[TP_REASON_LEN];
	const char *dir;
	size_t i;

	if (!ctx->tracepoints)
		return 0;
	dir = fl_tracefs_events_dir(why, sizeof(why));
	for (i = 0; ctx->tracepoints[i]; i++) {
		int ret;

		if (dir)
			ret = tp_expand(st, dir, ctx->tracepoints[i]);
		else
			ret = tp_add_missing(st, ctx->tracepoints[i], "unsupported", "%s", why);
		if (ret)
			return -1;
	}
	tp_fd_budget(st);
	for (i = 0; i < st->nr; i++)
		if (!st->e[i].status)
			tp_open_one(st, &st->e[i]);
	return 0;
}

static int tp_open(void **state, const struct fl_probe_ctx *ctx)
{
	struct tp_state *st;

	libperf_init(tp_silent);
	st = calloc(1, sizeof(*st));
	if (!st)
		return -1;
	st->tpc = fl_tpc_new();
	if (!st->tpc)
		goto err;
	if (tp_open_all(st, ctx))
		goto err;
	*state = st;
	return 0;
err:
	tp_close(st);
	return -1;
}

/* Every counted entry is unsupported, with why. */
static void tp_fail_all(struct tp_state *st, const char *why)
{
	size_t i;

	for (i = 0; i < st->nr; i++) {
		if (st->e[i].n < 0 || st->e[i].status)
			continue;
		st->e[i].status = "unsupported";
		snprintf(st->e[i].reason, sizeof(st->e[i].reason), "%s", why);
	}
}

static int tp_start(void *state)
{
	struct tp_state *st = state;
	char why[TP_REASON_LEN];
	int ret = 0;

	if (fl_tpc_enable(st->tpc, why, sizeof(why))) {
		tp_fail_all(st, why);
		ret = -1;
	}
	st->started = 1;
	return ret;
}

static int tp_stop(void *state)
{
	struct tp_state *st = state;
	char why[TP_REASON_LEN];
	struct tp_entry *e;
	size_t i;

	if (fl_tpc_disable(st->tpc, why, sizeof(why)))
		tp_fail_all(st, why);
	if (!st->started)
		return 0;
	for (i = 0; i < st->nr; i++) {
		e = &st->e[i];
		if (e->n < 0 || e->status)
			continue;
		if (fl_tpc_read(st->tpc, e->n, e->reason, sizeof(e->reason)))
			e->status = "unsupported";
		else
			e->have_value = 1;
	}
	return 0;
}

/* per_cpu is indexed by CPU number; a CPU that was offline at open is null. */
static json_t *tp_value(const struct tp_state *st, const struct tp_entry *e)
{
	int nr = fl_tpc_ncpus(st->tpc), max = -1;
	json_t *per_cpu = json_array();
	unsigned long long total = 0, n;
	int idx, cpu;

	for (idx = 0; idx < nr; idx++)
		if (fl_tpc_cpu(st->tpc, idx) > max)
			max = fl_tpc_cpu(st->tpc, idx);
	for (cpu = 0; per_cpu && cpu <= max; cpu++)
		json_array_append_new(per_cpu, json_null());
	for (idx = 0; per_cpu && idx < nr; idx++) {
		cpu = fl_tpc_cpu(st->tpc, idx);
		n = fl_tpc_count(st->tpc, e->n, idx);
		if (cpu >= 0)
			json_array_set_new(per_cpu, cpu, json_integer((json_int_t)n));
		total += n;
	}
	return json_pack("{s:I, s:s, s:s, s:s, s:o*}", "value", (json_int_t)total, "unit", "count",
			 "source", "tracepoint", "scope", "system", "per_cpu", per_cpu);
}

static void tp_emit(void *state, json_t *case_obj)
{
	struct tp_state *st = state;
	json_t *counters = fl_probe_section(case_obj, "counters");
	size_t i;

	if (!counters)
		return;
	for (i = 0; i < st->nr; i++) {
		const struct tp_entry *e = &st->e[i];
		json_t *v;

		if (e->have_value)
			v = tp_value(st, e);
		else
			v = fl_json_missing(e->status ? e->status : "unsupported",
					    e->status ? e->reason :
					    "the counter was not read (probe not started)");
		json_object_set_new(counters, e->key, v);
	}
}

const struct fl_probe_ops fl_probe_tracepoints = {
	.name = "tracepoints",
	.help = "tracepoints given by system:event globs, counted system-wide per CPU",
	.open = tp_open,
	.start = tp_start,
	.stop = tp_stop,
	.emit = tp_emit,
	.close = tp_close,
};
