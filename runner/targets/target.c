// SPDX-License-Identifier: GPL-2.0
/* The table of targets and what they share. */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fl_util.h"
#include "target.h"
#include "plan.h"
#include "agent_exec.h"

static const struct fl_target_ops *const fl_targets[] = {
	&fl_target_local_ops,
	&fl_target_qemu_ops,
	&fl_target_ssh_ops,
	NULL,
};

#define HELP_COL 21	/* run --help's column for what an option does */

static const char *spec_of(const struct fl_target_ops *ops)
{
	return ops->spec ? ops->spec : ops->kind;
}

/* The table's entry for a --target value ("ssh:HOST" is kind ssh), or NULL. */
static const struct fl_target_ops *find(const char *kind)
{
	size_t n = strcspn(kind, ":");

	for (int i = 0; fl_targets[i]; i++)
		if (strlen(fl_targets[i]->kind) == n && !strncmp(fl_targets[i]->kind, kind, n))
			return fl_targets[i];
	return NULL;
}

bool fl_target_can(const char *kind, unsigned caps)
{
	const struct fl_target_ops *ops = find(kind);

	return ops && (ops->caps & caps) == caps;
}

const char *fl_target_kind_with(unsigned caps)
{
	for (int i = 0; fl_targets[i]; i++)
		if ((fl_targets[i]->caps & caps) == caps)
			return fl_targets[i]->kind;
	return NULL;
}

const char *fl_target_kinds(unsigned caps, char *buf, size_t len)
{
	buf[0] = '\0';
	for (int i = 0; fl_targets[i]; i++)
		if ((fl_targets[i]->caps & caps) == caps)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? ", " : "",
				 spec_of(fl_targets[i]));
	return buf;
}

void fl_target_help(FILE *out)
{
	for (int i = 0; fl_targets[i]; i++) {
		const char *spec = spec_of(fl_targets[i]), *p;
		int pad = HELP_COL - 4 - (int)strlen(spec);

		fprintf(out, "    %s", spec);
		if (pad < 1)
			fprintf(out, "\n%*s", HELP_COL, "");
		else
			fprintf(out, "%*s", pad, "");
		for (p = fl_targets[i]->summary; *p; p++) {
			fputc(*p, out);
			if (*p == '\n')
				fprintf(out, "%*s", HELP_COL, "");
		}
		fputc('\n', out);
	}
}

int fl_target_init(struct fl_target *t, const struct fl_target_opts *o, char *err, size_t errlen)
{
	char kinds[256];

	memset(t, 0, sizeof(*t));
	t->opts = *o;
	t->ops = find(o->kind);
	if (!t->ops)
		return fl_seterr(err, errlen, "unknown target '%s' (known: %s; LAVA jobs are made "
				 "with faultline lava render)", o->kind,
				 fl_target_kinds(0, kinds, sizeof(kinds)));
	return 0;
}

int fl_target_prepare(struct fl_target *t, char *err, size_t errlen)
{
	return t->ops->prepare ? t->ops->prepare(t, err, errlen) : 0;
}

int fl_target_boot(struct fl_target *t, struct fl_rundir *rd, char *err, size_t errlen)
{
	return t->ops->boot ? t->ops->boot(t, rd, err, errlen) : 0;
}

int fl_target_collect(struct fl_target *t, struct fl_rundir *rd, struct fl_plan_case *pc,
		      struct fl_case_result *res, char *err, size_t errlen)
{
	return t->ops->collect ? t->ops->collect(t, rd, pc, res, err, errlen) : 0;
}

void fl_target_shutdown(struct fl_target *t)
{
	if (t->ops && t->ops->shutdown)
		t->ops->shutdown(t);
}

int fl_case_argv(const struct fl_plan_case *pc, const char *run_id, const char *suite,
		 const char *agent, const char *json_path, const char *kind, char **argv)
{
	int n = fl_agent_argv(agent, pc->workload, pc->params, argv, FL_MAX_ARGS - 12);

	if (json_path)
		n += asprintf(&argv[n], "--json=%s", json_path) > 0;
	n += asprintf(&argv[n], "--iteration=%d", pc->iteration) > 0;
	n += asprintf(&argv[n], "--run-id=%s", run_id) > 0;
	n += asprintf(&argv[n], "--suite=%s", suite) > 0;
	n += asprintf(&argv[n], "--target-kind=%s", kind) > 0;
	argv[n++] = strdup("--quiet");
	if (pc->warmup)
		argv[n++] = strdup("--warmup");
	if (pc->probes)
		n += asprintf(&argv[n], "--probes=%s", pc->probes) > 0;
	if (pc->events)
		n += asprintf(&argv[n], "--events=%s", pc->events) > 0;
	if (pc->nice_set)
		n += asprintf(&argv[n], "--nice=%d", pc->nice) > 0;
	argv[n] = NULL;
	return n;
}

const char *fl_project_root(char *buf, size_t len)
{
	char dir[4096], probe[4200];
	bool env;

	if (fl_env_or_exe_dir("FAULTLINE_ROOT", dir, sizeof(dir), &env))
		return NULL;
	if (env) {
		snprintf(buf, len, "%s", dir);
		return buf;
	}
	/* bin/faultline, build/san/bin/faultline: walk up to the first dir with kernels/ */
	for (int up = 0; up < 5; up++) {
		char up_dir[4096];

		snprintf(probe, sizeof(probe), "%s/kernels/machines.json", dir);
		if (!access(probe, R_OK)) {
			snprintf(buf, len, "%s", dir);
			return buf;
		}
		if (!strcmp(dir, "/"))
			break;
		snprintf(up_dir, sizeof(up_dir), "%s", dir);
		snprintf(dir, sizeof(dir), "%s", dirname(up_dir));
	}
	return NULL;
}
