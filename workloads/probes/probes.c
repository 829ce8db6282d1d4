// SPDX-License-Identifier: GPL-2.0
/*
 * The probe set: which probes a case runs (--probes), from the one list in probe_list.h (its
 * order is the bracketing order, explained there).
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
#include "fl_json.h"
#include "fl_util.h"

struct fl_probe_entry {
	const struct fl_probe_ops *ops;
	int when;		/* FL_PROBE_DEFAULT or FL_PROBE_NAMED */
};

#define FL_PROBE(name, when) { &fl_probe_##name, when },
static const struct fl_probe_entry fl_probe_table[] = {
#include "probes/probe_list.h"
};

/* ",sw,rusage,...": the names joined at compile time; fl_probes_all_names() skips the ','. */
#define FL_PROBE(name, when) "," #name
static const char fl_probe_names[] =
#include "probes/probe_list.h"
	;

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
	return fl_probe_names + 1;
}

/* The probes left out of "all", each after prefix, the last after conj: "sw and mmap_lock",
 * "all,sw or all,mmap_lock". */
static void fl_probes_named_only(char *buf, size_t len, const char *prefix, const char *conj)
{
	size_t i, n = 0, left = 0, at = 0;

	for (i = 0; i < FL_NR_PROBES; i++)
		left += fl_probe_table[i].when == FL_PROBE_NAMED;
	buf[0] = '\0';
	for (i = 0; i < FL_NR_PROBES && at < len; i++) {
		if (fl_probe_table[i].when != FL_PROBE_NAMED)
			continue;
		n++;
		at += (size_t)snprintf(buf + at, len - at, "%s%s%s", n == 1 ? "" :
				       n == left ? conj : ", ", prefix, fl_probe_table[i].ops->name);
	}
}

#define FL_USAGE_COL	23	/* where an option's description starts in a usage text */
#define FL_USAGE_WIDTH	79

/* text from column col on (a space first unless col is indent), word by word, each new line
 * indented to indent; ends the line. */
static void fl_usage_wrap(FILE *out, const char *text, int col, int indent)
{
	const char *p = text;
	int n;

	while (*p) {
		p += strspn(p, " ");
		n = (int)strcspn(p, " ");
		if (!n)
			break;
		if (col > indent && col + 1 + n > FL_USAGE_WIDTH) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', out);
			col++;
		}
		fprintf(out, "%.*s", n, p);
		col += n;
		p += n;
	}
	fputc('\n', out);
}

void fl_probes_usage(FILE *out)
{
	char named[128], how[160], text[512];
	size_t i;

	fl_probes_named_only(named, sizeof(named), "", " and ");
	fl_probes_named_only(how, sizeof(how), "all,", " or ");
	snprintf(text, sizeof(text), "all, none, or a comma list of the probes below (default "
		 "all: every one but %s, which are off unless named: %s):", named, how);
	fprintf(out, "  %-*s", FL_USAGE_COL - 2, "--probes=LIST");
	fl_usage_wrap(out, text, FL_USAGE_COL, FL_USAGE_COL);
	for (i = 0; i < FL_NR_PROBES; i++) {
		const struct fl_probe_ops *ops = fl_probe_table[i].ops;

		fprintf(out, "%*s%-13s", FL_USAGE_COL + 2, "", ops->name);
		fl_usage_wrap(out, ops->help, FL_USAGE_COL + 15, FL_USAGE_COL + 15);
	}
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
		if (strlen(fl_probe_table[i].ops->name) == len &&
		    !strncmp(fl_probe_table[i].ops->name, name, len))
			return (int)i;
	return -1;
}

/* Parse list into want[]; 0, or -1 with the sentence in err. */
static int fl_probes_parse(const char *list, int *want, char *err, size_t errlen)
{
	const char *p = list, *end;
	char named[128];
	size_t len, i;
	int idx;

	if (!strcmp(list, "none"))
		return 0;
	do {
		end = strchr(p, ',');
		len = end ? (size_t)(end - p) : strlen(p);
		if (len == 3 && !strncmp(p, "all", 3)) {	/* "all", "all,sw,mmap_lock" */
			for (i = 0; i < FL_NR_PROBES; i++)
				want[i] |= fl_probe_table[i].when == FL_PROBE_DEFAULT;
			p = end + 1;
			continue;
		}
		idx = fl_probe_index(p, len);
		if (idx < 0) {
			fl_probes_named_only(named, sizeof(named), "", " and ");
			return fl_seterr(err, errlen, "unknown probe '%.*s' in --probes (expected all, "
					 "none or a comma list of: %s; all is every one but %s)",
					 (int)len, p, fl_probes_all_names(), named);
		}
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
		pi->ops = fl_probe_table[i].ops;
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
