// SPDX-License-Identifier: GPL-2.0
/* Command-line options of faultline-agent: the workload's parameter table plus common ones. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent.h"
#include "lib/knobs.h"
#include "fl_hostlock.h"
#include "fl_safe.h"
#include "fl_util.h"
#include "probes/probe.h"

enum {
	OPT_JSON = 0x1000, OPT_PROBES, OPT_EVENTS, OPT_ITER, OPT_WARMUP, OPT_RUN_ID, OPT_SUITE,
	OPT_TARGET, OPT_PERF_CTL, OPT_HELP, OPT_QUIET, OPT_CHECK, OPT_T_CORRUPT, OPT_T_DELAY,
	OPT_T_DROP, OPT_FORCE, OPT_JOURNAL, OPT_PARAM_KV, OPT_NO_WAIT, OPT_NICE,
	OPT_PARAM = 0x2000,	/* + 2 * param index (+1 for the dashed spelling) */
};

static const struct option common_opts[] = {
	{ "json", required_argument, NULL, OPT_JSON },
	{ "probes", required_argument, NULL, OPT_PROBES },
	{ "events", required_argument, NULL, OPT_EVENTS },
	{ "iteration", required_argument, NULL, OPT_ITER },
	{ "warmup", no_argument, NULL, OPT_WARMUP },
	{ "run-id", required_argument, NULL, OPT_RUN_ID },
	{ "suite", required_argument, NULL, OPT_SUITE },
	{ "target-kind", required_argument, NULL, OPT_TARGET },
	{ "perf-ctl", required_argument, NULL, OPT_PERF_CTL },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "test-corrupt-page", required_argument, NULL, OPT_T_CORRUPT },
	{ "test-delay-us", required_argument, NULL, OPT_T_DELAY },
	{ "test-drop-rewrite", required_argument, NULL, OPT_T_DROP },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "journal", required_argument, NULL, OPT_JOURNAL },
	{ "param", required_argument, NULL, OPT_PARAM_KV },
	{ "no-wait", no_argument, NULL, OPT_NO_WAIT },
	{ "nice", required_argument, NULL, OPT_NICE },
};
#define N_COMMON (sizeof(common_opts) / sizeof(common_opts[0]))
#define FL_MAX_NAME_SHOWN 80

void fl_agent_workload_help(const struct fl_workload *wl, FILE *out)
{
	fprintf(out, "usage: faultline-agent %s [options]\n%s\n\nworkload options:\n",
		wl->name, wl->summary);
	fl_params_usage(wl->params, out);
	fputs("\ncommon options:\n"
	      "  --param=NAME=VALUE   set the workload parameter NAME (as --NAME=VALUE; the\n"
	      "                       runner passes suite params only this way, so a param can\n"
	      "                       never be read as one of the options below)\n"
	      "  --json=FILE          write the case document to FILE (default: stdout)\n", out);
	fl_probes_usage(out);
	fprintf(out, "  --events=GLOBS       tracepoints to count, comma separated sys:event globs\n"
		"                       (default %s)\n", wl->events ? wl->events : FL_DEFAULT_EVENTS);
	fputs(
	      "  --iteration=N        iteration number recorded in the document\n"
	      "  --warmup             mark the case as a warm-up iteration\n"
	      "  --run-id=ID, --suite=NAME, --target-kind=KIND   recorded in the document (runner use)\n"
	      "  --perf-ctl=CTL,ACK   drive 'perf stat --control fifo:CTL,ACK -D -1' around the\n"
	      "                       measured phase\n"
	      "  --nice=N             run the case at nice N (-20 to 19; setpriority before\n"
	      "                       setup, so the workload's threads and children inherit\n"
	      "                       it; below the current value needs CAP_SYS_NICE, else the\n"
	      "                       case fails); the document records the value read back\n"
	      "  --force              run a size that does not fit in MemAvailable (+ free swap)\n"
	      "  --journal=PATH       journal of kernel settings changed, restored at the end and\n"
	      "                       after a crash (default $FAULTLINE_JOURNAL or\n"
	      "                       /run/faultline/knobs.journal)\n"
	      "  --no-wait            exit 3 instead of waiting when another faultline holds the\n"
	      "                       host lock (" FL_HOSTLOCK_PATH ")\n"
	      "  --quiet              no summary line on stderr\n"
	      "  --check              only check the options, run nothing\n\nmetrics:\n", out);
	for (const struct fl_metric *m = wl->metrics; m->name; m++)
		fprintf(out, "  %-26s %-14s %-7s %s\n", m->name, m->unit,
			fl_better_name(m->better), m->help);
}

static char *dashed(const char *name)
{
	char *s = strdup(name);

	for (char *p = s; p && *p; p++)
		if (*p == '_')
			*p = '-';
	return s;
}

static void free_longopts(struct option *lo)
{
	for (struct option *o = lo; o->name; o++)
		if (o->val >= OPT_PARAM && (o->val - OPT_PARAM) % 2)
			free((char *)o->name);
	free(lo);
}

/* getopt tables from the parameter table: --name and --dashed-name, short letters. */
static struct option *build_longopts(const struct fl_workload *wl, int n, char *shortopts)
{
	struct option *lo = calloc(N_COMMON + 2 * (size_t)n + 1, sizeof(*lo));
	size_t k = 0, s = 0;

	if (!lo)
		return NULL;
	shortopts[s++] = ':';
	for (int i = 0; i < n; i++) {
		const struct fl_param *d = &wl->params[i];
		int arg = d->type == FL_P_BOOL ? optional_argument : required_argument;

		lo[k++] = (struct option){ d->name, arg, NULL, OPT_PARAM + 2 * i };
		if (strchr(d->name, '_'))
			lo[k++] = (struct option){ dashed(d->name), arg, NULL, OPT_PARAM + 2 * i + 1 };
		if (d->short_opt) {
			shortopts[s++] = (char)d->short_opt;
			if (d->type != FL_P_BOOL)
				shortopts[s++] = ':';
		}
	}
	shortopts[s] = '\0';
	memcpy(lo + k, common_opts, sizeof(common_opts));
	for (size_t i = 0; i < k; i++)
		for (size_t j = 0; j < N_COMMON; j++)
			if (!strcmp(lo[i].name, common_opts[j].name)) {
				fl_err("internal error: %s parameter '%s' hides the common option --%s",
				       wl->name, lo[i].name, common_opts[j].name);
				free_longopts(lo);
				return NULL;
			}
	return lo;
}


static int param_by_short(const struct fl_workload *wl, int c)
{
	for (int i = 0; wl->params[i].name; i++)
		if (wl->params[i].short_opt == c)
			return i;
	return -1;
}

static int set_param(struct fl_agent_opts *o, int i, const char *arg)
{
	char err[FL_ERRLEN], shown[FL_ERRLEN];
	const struct fl_param *d = &o->wl->params[i];

	if (!arg)
		arg = d->type == FL_P_BOOL ? "true" : "";
	if (fl_params_set(&o->params, d->name, arg, err, sizeof(err))) {
		fl_err("%s %s", o->wl->name, fl_text_clean(shown, sizeof(shown), err));
		return -1;
	}
	return 0;
}

/* "threads, seconds, mmap" for messages. */
static void param_names(const struct fl_workload *wl, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; wl->params[i].name && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? ", " : "", wl->params[i].name);
}

/* --param=NAME=VALUE: only a parameter the workload declares, never an agent option. */
static int set_param_kv(struct fl_agent_opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char name[FL_MAX_NAME_SHOWN], names[512];
	int i;

	if (!eq || eq == arg) {
		fl_err("%s: option --param wants NAME=VALUE, not '%s'", o->wl->name,
		       fl_text_clean(names, sizeof(names), arg));
		return -1;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(eq - arg), arg);
	i = eq - arg < (long)sizeof(name) ? fl_params_find(&o->params, name) : -1;
	if (i < 0) {
		char shown[FL_MAX_NAME_SHOWN];

		param_names(o->wl, names, sizeof(names));
		fl_err("%s has no parameter \"%s\" (its parameters: %s; agent options such as "
		       "--journal or --json cannot be set as parameters)", o->wl->name,
		       fl_text_clean(shown, sizeof(shown), name), names[0] ? names : "none");
		return -1;
	}
	return set_param(o, i, eq + 1);
}

static int parse_long(const char *opt, const char *arg, long *out)
{
	char *end;

	*out = strtol(arg, &end, 10);
	if (*arg && !*end && *out >= 0)
		return 0;
	fl_err("option --%s: '%s' is not a whole number >= 0", opt, arg);
	return -1;
}

/* --nice=N: a whole number from FL_NICE_MIN to FL_NICE_MAX (setpriority's range). */
static int parse_nice(struct fl_agent_opts *o, const char *arg)
{
	char shown[FL_MAX_NAME_SHOWN], *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (*arg && !isspace((unsigned char)*arg) && !*end && !errno && v >= FL_NICE_MIN &&
	    v <= FL_NICE_MAX) {
		o->nice = (int)v;
		o->nice_set = true;
		return 0;
	}
	fl_err("option --nice: wants a whole number from %d to %d, not '%s'", FL_NICE_MIN,
	       FL_NICE_MAX, fl_text_clean(shown, sizeof(shown), arg));
	return -1;
}

static int common_opt(struct fl_agent_opts *o, int c, const char *arg)
{
	switch (c) {
	case OPT_JSON: o->json_path = arg; return 0;
	case OPT_PROBES: o->probes = arg; return 0;
	case OPT_EVENTS:
		if (strlen(arg) >= sizeof(o->events)) {
			fl_err("option --events: list too long");
			return -1;
		}
		strcpy(o->events, arg);
		return 0;
	case OPT_ITER: return parse_long("iteration", arg, &o->iteration);
	case OPT_WARMUP: o->warmup = true; return 0;
	case OPT_RUN_ID: o->run_id = arg; return 0;
	case OPT_SUITE: o->suite = arg; return 0;
	case OPT_TARGET: o->target_kind = arg; return 0;
	case OPT_PERF_CTL: o->perf_ctl = arg; return 0;
	case OPT_QUIET: o->quiet = true; return 0;
	case OPT_CHECK: o->check_only = true; return 0;
	case OPT_T_CORRUPT: return parse_long("test-corrupt-page", arg, &o->test.corrupt_page);
	case OPT_T_DELAY: return parse_long("test-delay-us", arg, &o->test.delay_us);
	case OPT_T_DROP: return parse_long("test-drop-rewrite", arg, &o->test.drop_rewrite);
	case OPT_FORCE: o->force = true; return 0;
	case OPT_NO_WAIT: o->no_wait = true; return 0;
	case OPT_NICE: return parse_nice(o, arg);
	case OPT_PARAM_KV: return set_param_kv(o, arg);
	case OPT_JOURNAL:
		if (!*arg) {
			fl_err("option --journal: the path is empty");
			return -1;
		}
		o->journal = arg;
		return 0;
	}
	return -1;
}

static int one_opt(struct fl_agent_opts *o, int c, char **argv)
{
	int i;

	if (c == OPT_HELP) {
		fl_agent_workload_help(o->wl, stdout);
		return 1;
	}
	if (c >= OPT_PARAM)
		return set_param(o, (c - OPT_PARAM) / 2, optarg);
	if (c >= OPT_JSON)
		return common_opt(o, c, optarg);
	if (c == ':') {
		fl_err("%s: option %s needs a value (see faultline-agent %s --help)",
		       o->wl->name, argv[optind - 1], o->wl->name);
		return -1;
	}
	i = param_by_short(o->wl, c);
	if (c == '?' || i < 0) {
		fl_err("%s: unknown option %s (see faultline-agent %s --help)", o->wl->name,
		       argv[optind - 1], o->wl->name);
		return -1;
	}
	return set_param(o, i, optarg);
}

int fl_agent_parse(struct fl_agent_opts *o, const struct fl_workload *wl, int argc, char **argv)
{
	char shortopts[2 * FL_MAX_PARAMS + 2], err[FL_ERRLEN];
	struct option *lo;
	int c, ret = 0;

	memset(o, 0, sizeof(*o));
	o->wl = wl;
	o->probes = "all";
	o->target_kind = "local";
	o->test.corrupt_page = -1;
	o->test.drop_rewrite = -1;
	o->journal = fl_knobs_default_path();
	snprintf(o->events, sizeof(o->events), "%s", wl->events ? wl->events : FL_DEFAULT_EVENTS);
	if (fl_params_init(&o->params, wl->params, err, sizeof(err))) {
		fl_err("%s: %s", wl->name, err);
		return -1;
	}
	lo = build_longopts(wl, o->params.n, shortopts);
	if (!lo)
		return -1;
	optind = 1;
	opterr = 0;
	while (ret == 0 && (c = getopt_long(argc, argv, shortopts, lo, NULL)) != -1)
		ret = one_opt(o, c, argv);
	if (ret == 0 && optind < argc) {
		fl_err("%s: unexpected argument '%s' (see faultline-agent %s --help)",
		       wl->name, argv[optind], wl->name);
		ret = -1;
	}
	free_longopts(lo);
	return ret;
}
