// SPDX-License-Identifier: GPL-2.0
/* The run object of a qemu target (target_qemu.h): what the host knows before the boot, then
 * the guest agent's own view of its kernel. */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "fl_util.h"
#include "target_qemu.h"

static json_t *host_info(void)
{
	char name[256] = "unknown";

	gethostname(name, sizeof(name) - 1);
	return json_pack("{s:s, s:i}", "hostname", name, "cpus", fl_online_cpus());
}

static json_t *utc_now(void)
{
	char buf[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

static json_t *target_json(const struct fl_qemu *q, int cpus, json_t *mem)
{
	json_t *t = json_pack("{s:s, s:s, s:i, s:o, s:s}", "kind", "qemu", "arch", q->arch,
			      "cpus", cpus, "mem_mib", mem, "accel", q->accel);

	if (fl_qemu_tcg_thread(q))
		json_object_set_new(t, "tcg_thread", json_string(fl_qemu_tcg_thread(q)));
	return t;
}

static void set_candidate(const struct fl_qemu *q, json_t *kernel)
{
	json_object_set_new(kernel, "candidate", q->k.is_candidate ? json_string(q->k.name)
								   : json_null());
	json_object_set_new(kernel, "base", json_string(q->k.base));
	if (q->k.patchset_name[0])
		json_object_set_new(kernel, "patchset", json_pack("{s:s, s:i, s:s}", "name",
			q->k.patchset_name, "version", q->k.patchset_version, "sha256",
			q->k.patchset_sha256));
	else if (!json_object_get(kernel, "patchset"))
		json_object_set_new(kernel, "patchset", json_null());
	if (q->k.build_hash[0])
		json_object_set_new(kernel, "build", json_string(q->k.build_hash));
}

/* Before the guest is up: what the host knows; boot replaces it with the guest's view. */
json_t *fl_qemu_describe(struct fl_target *t, char *err, size_t errlen)
{
	struct fl_qemu *q = t->priv;
	json_t *kernel = json_pack("{s:s}", "release", q->k.release[0] ? q->k.release : q->k.name);

	set_candidate(q, kernel);
	return json_pack("{s:s, s:n, s:o, s:{s:s, s:s}, s:o, s:o, s:o}", "id", "pending",
			 "suite", "started", utc_now(), "tool", "version", FL_VERSION,
			 "commit", FL_COMMIT, "target",
			 target_json(q, q->cpus, json_integer(q->mem_mib)),
			 "kernel", kernel, "host", host_info());
}

/* Ask the guest's agent for the run object (its kernel identity) and make it ours. */
int fl_qemu_guest_info(struct fl_qemu *q, struct fl_rundir *rd, char *err, size_t errlen)
{
	char line[256], kind[16], sha[65], *body = NULL;
	double deadline = fl_now_s() + 60;
	json_t *info, *kernel, *target;
	size_t n;
	int ret;

	if (fl_chan_write(&q->ch, "INFO\n", 5) || fl_chan_line(&q->ch, line, sizeof(line), deadline) ||
	    !fl_frame_header(line, kind, sizeof(kind), &n, sha) ||
	    (ret = fl_chan_frame(&q->ch, n, sha, deadline, &body, err, errlen)) != 0)
		return fl_seterr(err, errlen, "the guest's agent did not describe its kernel "
				 "(faultline-agent --run-info)"), -1;
	info = json_loads(body, 0, NULL);
	free(body);
	kernel = json_object_get(info, "kernel");
	target = json_object_get(info, "target");
	if (!kernel || !target) {
		json_decref(info);
		return fl_seterr(err, errlen, "the guest's agent printed no kernel identity"), -1;
	}
	set_candidate(q, kernel);
	json_object_set(rd->run_info, "kernel", kernel);
	json_object_set_new(rd->run_info, "target",
			    target_json(q, (int)json_integer_value(json_object_get(target, "cpus")),
					json_incref(json_object_get(target, "mem_mib"))));
	json_decref(info);
	return 0;
}
