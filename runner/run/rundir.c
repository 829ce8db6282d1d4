// SPDX-License-Identifier: GPL-2.0
/* results/<run-id>/: run.json (the plan and each case's status, rewritten atomically after
 * every case), cases/NNNN-*.json (one per case, atomic), logs/ (the agent's output per case). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "fl_json.h"
#include "fl_safe.h"
#include "fl_schema.h"
#include "fl_util.h"
#include "precision.h"
#include "plan.h"
#include "rundir.h"

static int mkdir_p(const char *path, char *err, size_t errlen)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return fl_seterr(err, errlen, "cannot create directory %s: %s", buf,
					 strerror(errno));
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return fl_seterr(err, errlen, "cannot create directory %s: %s", buf, strerror(errno));
	if (access(buf, W_OK))
		return fl_seterr(err, errlen, "results directory %s is not writable: %s", buf,
				 strerror(errno));
	return 0;
}

/*
 * STAMP-SUITE-RAND, at most FL_NAME_MAX characters (the suite name is cut to fit; run.json
 * keeps it whole). The suite loader checked the name; it is checked again here because the id
 * becomes a directory, a socket name and a remote path.
 */
static int make_id(char *id, size_t len, const char *suite, char *err, size_t errlen)
{
	unsigned short rnd = 0;
	time_t t = time(NULL);
	struct tm tm;
	char stamp[32];

	if (fl_name_check("the suite name", suite, err, errlen))
		return -1;
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = (unsigned short)(getpid() ^ t);
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(id, len, "%s-%.*s-%04x", stamp, FL_NAME_MAX - 21, suite, rnd);
	return fl_name_check("the run id", id, err, errlen);
}

int fl_rundir_check_new(const char *out, char *err, size_t errlen)
{
	char path[1100];
	struct dirent **ents;
	int n, cases = 0;

	if (!out)
		return 0;
	snprintf(path, sizeof(path), "%s/run.json", out);
	if (access(path, F_OK) == 0)
		return fl_seterr(err, errlen, "results directory %s already holds a run (run.json): "
				 "give a new --out, or finish that run with --resume %s", out, out);
	snprintf(path, sizeof(path), "%s/cases", out);
	n = scandir(path, &ents, NULL, NULL);
	for (int i = 0; i < n; i++) {
		cases += ents[i]->d_name[0] != '.';
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	if (cases)
		return fl_seterr(err, errlen, "results directory %s already has %d case file(s) in "
				 "cases/: give a new --out (a run's cases must not mix with "
				 "another's)", out, cases);
	return 0;
}

int fl_rundir_create(struct fl_rundir *rd, const char *out, const char *suite_name,
		     json_t *run_info, char *err, size_t errlen)
{
	char sub[1100];

	memset(rd, 0, sizeof(*rd));
	if (fl_rundir_check_new(out, err, errlen))
		return -1;
	if (make_id(rd->id, sizeof(rd->id), suite_name, err, errlen))
		return -1;
	/* --out is the user's own choice; results/<id> must stay in results/. */
	if (out)
		snprintf(rd->dir, sizeof(rd->dir), "%s", out);
	else if (mkdir_p("results", err, errlen))
		return -1;
	else
		snprintf(rd->dir, sizeof(rd->dir), "results/%s", rd->id);
	if (!out && fl_path_under("results", rd->dir, err, errlen))
		return -1;
	if (mkdir_p(rd->dir, err, errlen))
		return -1;
	snprintf(sub, sizeof(sub), "%s/cases", rd->dir);
	if (mkdir_p(sub, err, errlen))
		return -1;
	snprintf(sub, sizeof(sub), "%s/logs", rd->dir);
	if (mkdir_p(sub, err, errlen))
		return -1;
	rd->run_info = json_incref(run_info);
	json_object_set_new(rd->run_info, "id", json_string(rd->id));
	json_object_set_new(rd->run_info, "suite", json_string(suite_name));
	return 0;
}

int fl_rundir_open(struct fl_rundir *rd, const char *dir, char *err, size_t errlen)
{
	char path[1100];
	json_t *doc, *run;

	memset(rd, 0, sizeof(*rd));
	snprintf(rd->dir, sizeof(rd->dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/run.json", dir);
	doc = fl_json_load(path, err, errlen);
	if (!doc)
		return -1;
	if (fl_schema_validate_run(doc, err, errlen)) {
		char why[FL_ERRLEN];

		snprintf(why, sizeof(why), "%s", err);
		json_decref(doc);
		return fl_seterr(err, errlen, "%s is not a faultline run: %s", path, why);
	}
	run = json_object_get(doc, "run");
	snprintf(path, sizeof(path), "%s/run.json: the run's \"id\"", dir);
	if (fl_name_check(path, json_string_value(json_object_get(run, "id")), err, errlen)) {
		json_decref(doc);
		return -1;
	}
	snprintf(rd->id, sizeof(rd->id), "%s", json_string_value(json_object_get(run, "id")));
	rd->run_info = json_incref(run);
	rd->doc = doc;
	return 0;
}

static json_t *plan_json(const struct fl_plan *plan)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < plan->n; i++) {
		const struct fl_plan_case *pc = &plan->cases[i];
		json_t *o = json_pack("{s:s, s:s, s:O, s:i, s:b, s:s}", "file", pc->file,
				      "workload", pc->workload, "params", pc->params,
				      "iteration", pc->iteration, "warmup", pc->warmup,
				      "status", pc->status);

		if (pc->reason[0])
			json_object_set_new(o, "reason", json_string(pc->reason));
		if (pc->extra)
			json_object_set_new(o, "extra", json_true());
		if (pc->elapsed_s > 0)
			json_object_set_new(o, "elapsed_s", json_real(pc->elapsed_s));
		json_array_append_new(arr, o);
	}
	return arr;
}

int fl_rundir_save(struct fl_rundir *rd, const struct fl_plan *plan, const char *state,
		   char *err, size_t errlen)
{
	char path[1100];
	json_t *doc;
	int ret;

	snprintf(path, sizeof(path), "%s/run.json", rd->dir);
	doc = json_pack("{s:s, s:O, s:s, s:i, s:o, s:o}", "schema", FL_SCHEMA_ID, "run",
			rd->run_info, "state", state, "planned", (int)plan->n, "cases",
			plan_json(plan), "precision", fl_prec_json(plan));
	ret = fl_json_write_atomic(path, doc, err, errlen);
	json_decref(doc);
	return ret;
}

int fl_rundir_write_case(struct fl_rundir *rd, const struct fl_plan_case *pc,
			 const char *status, const char *reason, const char *log_tail,
			 char *err, size_t errlen)
{
	char path[1400];
	json_t *doc, *cs;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", rd->dir, pc->file);
	cs = json_pack("{s:s, s:O, s:i, s:b, s:s, s:s, s:n, s:{}, s:{}}", "workload",
		       pc->workload, "params", pc->params, "iteration", pc->iteration,
		       "warmup", pc->warmup, "status", status, "reason", reason,
		       "measured_s", "metrics", "counters");
	if (log_tail)
		json_object_set_new(cs, "stderr", json_string(log_tail));
	doc = json_pack("{s:s, s:O, s:o}", "schema", FL_SCHEMA_ID, "run", rd->run_info,
			"case", cs);
	ret = fl_json_write_atomic(path, doc, err, errlen);
	json_decref(doc);
	return ret;
}

void fl_rundir_close(struct fl_rundir *rd)
{
	json_decref(rd->run_info);
	json_decref(rd->doc);
	rd->run_info = rd->doc = NULL;
}
