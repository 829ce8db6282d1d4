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

const char *fl_target_kinds(void)
{
	return "local, qemu, ssh:[USER@]HOST[:PORT]";
}

int fl_target_init(struct fl_target *t, const struct fl_target_opts *o, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	t->opts = *o;
	for (int i = 0; fl_targets[i]; i++)	/* "ssh:HOST" is kind ssh */
		if (strlen(fl_targets[i]->kind) == strcspn(o->kind, ":") &&
		    !strncmp(fl_targets[i]->kind, o->kind, strcspn(o->kind, ":")))
			t->ops = fl_targets[i];
	if (!t->ops)
		return fl_seterr(err, errlen, "unknown target '%s' (known: %s; LAVA jobs are made "
				 "with faultline lava render)", o->kind, fl_target_kinds());
	return 0;
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
	argv[n] = NULL;
	return n;
}

const char *fl_project_root(char *buf, size_t len)
{
	const char *env = getenv("FAULTLINE_ROOT");
	char dir[4096], probe[4200];
	ssize_t n;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return buf;
	}
	n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	if (n < 0)
		return NULL;
	dir[n] = '\0';
	/* bin/faultline, build/san/bin/faultline: walk up to the first dir with kernels/ */
	for (int up = 0; up < 5 && strcmp(dir, "/"); up++) {
		char up_dir[4096];

		snprintf(up_dir, sizeof(up_dir), "%s", dir);
		snprintf(dir, sizeof(dir), "%s", dirname(up_dir));
		snprintf(probe, sizeof(probe), "%s/kernels/machines.json", dir);
		if (!access(probe, R_OK)) {
			snprintf(buf, len, "%s", dir);
			return buf;
		}
	}
	return NULL;
}
