// SPDX-License-Identifier: GPL-2.0
/* The "run" object of a case document written by the agent. The runner passes the run id and
 * suite; a standalone agent invents an id from the time and the workload. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "agent.h"
#include "fl_util.h"
#include "probes/probe.h"

static json_t *utc_now(char *compact, size_t len)
{
	char buf[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	strftime(compact, len, "%Y%m%d-%H%M%S", &tm);
	return json_string(buf);
}

static json_t *mem_mib(void)
{
	char buf[4096];
	unsigned long kb;
	char *p;

	if (fl_read_file("/proc/meminfo", buf, sizeof(buf)) < 0)
		return json_null();
	p = strstr(buf, "MemTotal:");
	if (!p || sscanf(p, "MemTotal: %lu", &kb) != 1)
		return json_null();
	return json_integer((json_int_t)(kb / 1024));
}

static json_t *target_info(const struct fl_agent_opts *o)
{
	struct utsname u;

	uname(&u);
	return json_pack("{s:s, s:s, s:i, s:o, s:n}", "kind", o->target_kind, "arch", u.machine,
			 "cpus", fl_online_cpus(), "mem_mib", mem_mib(), "accel");
}

static json_t *host_info(void)
{
	char name[256] = "unknown";

	gethostname(name, sizeof(name) - 1);
	return json_pack("{s:s, s:i}", "hostname", name, "cpus", fl_online_cpus());
}

json_t *fl_agent_run_info(const struct fl_agent_opts *o)
{
	char compact[32], id[128];
	json_t *started = utc_now(compact, sizeof(compact));
	json_t *kernel = fl_kernel_identity("/proc");

	if (!o->run_id)
		snprintf(id, sizeof(id), "%s-%s-%d", compact, o->wl->name, (int)getpid());
	json_object_set_new(kernel, "candidate", json_null());
	json_object_set_new(kernel, "base", json_null());
	json_object_set_new(kernel, "patchset", json_null());
	return json_pack("{s:s, s:o, s:o, s:{s:s, s:s}, s:o, s:o, s:o}",
			 "id", o->run_id ? o->run_id : id,
			 "suite", o->suite ? json_string(o->suite) : json_null(),
			 "started", started,
			 "tool", "version", FL_VERSION, "commit", FL_COMMIT,
			 "target", target_info(o), "kernel", kernel, "host", host_info());
}
