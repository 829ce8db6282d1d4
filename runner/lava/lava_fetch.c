// SPDX-License-Identifier: GPL-2.0
/*
 * faultline lava fetch: a LAVA server's jobs (followed as lava_follow.c does) into a run
 * directory. Nothing from the server becomes part of a path: fetch writes under --out DIR
 * only names made here from the job id:
 *   DIR/lava/job-ID.json             what the server said of the job (state, health, device,
 *                                    times, its faultline metadata)
 *   DIR/lava/job-ID.definition.yaml  the job as the server holds it (every planned case)
 *   DIR/lava/job-ID.log.yaml         the job's log, once the job has finished
 *   DIR/lava/job-ID.junit.xml        LAVA's test results of the job (JUnit)
 * and then the run directory from them, as lava collect does (lava_collect.c's scanner: the
 * definitions for the plan, the logs for the case documents). A job whose log is there is not
 * fetched again, so fetch can be run again until every job has finished.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fl_interrupt.h"
#include "fl_json.h"
#include "fl_safe.h"
#include "fl_util.h"
#include "lava.h"
#include "lava_follow.h"

/* DIR/lava/job-ID.SUFFIX */
static int job_file(const struct fl_follow *f, long long id, const char *suffix, char *path,
		    size_t len)
{
	return snprintf(path, len, "%s/lava/job-%lld.%s", f->out, id, suffix) >= (int)len ? -1 : 0;
}

/* GET PATH into DIR/lava/job-ID.SUFFIX (through a .part file: a fetch cut short leaves no
 * half file under the final name). */
static int get_file(struct fl_follow *f, long long id, const char *path, const char *suffix,
		    const char *what, char *err, size_t errlen)
{
	char file[PATH_MAX], part[PATH_MAX + 8];
	long http;
	int ret;

	if (job_file(f, id, suffix, file, sizeof(file)))
		return fl_seterr(err, errlen, "--out %s is too long", f->out), FL_EXIT_USAGE;
	snprintf(part, sizeof(part), "%s.part", file);
	unlink(part);
	ret = fl_lava_call(&f->srv, "GET", path, NULL, part, NULL, &http, err, errlen) ?
	      fl_lava_failed() : 0;
	if (!ret && (http < 200 || http > 299)) {
		char said[2048];

		if (fl_read_file(part, said, sizeof(said)) < 0)
			said[0] = '\0';
		fl_lava_http_err(&f->srv, http, what, said, err, errlen);
		ret = FL_EXIT_ENV;
	}
	if (!ret && rename(part, file))
		ret = (fl_seterr(err, errlen, "cannot write %s: %s", file, strerror(errno)),
		      FL_EXIT_ENV);
	if (ret)
		unlink(part);
	return ret;
}

/* The value of our own "  KEY: "..."" line in a job we rendered (yq-escaped: no raw quote in
 * it), cleaned; "-" when there is none. */
static void def_field(const char *def, const char *key, char *out, size_t len)
{
	char pat[64], val[200];
	const char *p, *q;
	size_t n;

	snprintf(pat, sizeof(pat), "\n  %s: \"", key);
	p = def ? strstr(def, pat) : NULL;
	q = p ? strchr(p + strlen(pat), '"') : NULL;
	if (!q) {
		snprintf(out, len, "-");
		return;
	}
	p += strlen(pat);
	n = (size_t)(q - p) < sizeof(val) - 1 ? (size_t)(q - p) : sizeof(val) - 1;
	memcpy(val, p, n);
	val[n] = '\0';
	fl_follow_clean(out, len, val);
}

/* The definition as submitted (the server's own "definition" is re-dumped YAML). */
static const char *definition(json_t *doc)
{
	const char *d = json_string_value(json_object_get(doc, "original_definition"));

	return d && *d ? d : json_string_value(json_object_get(doc, "definition"));
}

/* What the server said of the job, without its definition and token, and its faultline
 * candidate and suite (from the definition's metadata). */
static int save_job(struct fl_follow *f, struct fl_follow_job *j, json_t *doc, char *err,
		    size_t errlen)
{
	static const char *const keep[] = { "id", "state", "health", "actual_device",
					    "requested_device_type", "submit_time", "start_time",
					    "end_time", "failure_comment", NULL };
	char path[PATH_MAX];
	json_t *out = json_object();
	int ret = 0;

	for (int i = 0; keep[i]; i++)
		if (json_object_get(doc, keep[i]))
			json_object_set(out, keep[i], json_object_get(doc, keep[i]));
	def_field(definition(doc), "faultline.candidate", j->candidate, sizeof(j->candidate));
	def_field(definition(doc), "faultline.suite", j->suite, sizeof(j->suite));
	json_object_set_new(out, "faultline.candidate", json_string(j->candidate));
	json_object_set_new(out, "faultline.suite", json_string(j->suite));
	if (job_file(f, j->id, "json", path, sizeof(path)))
		ret = (fl_seterr(err, errlen, "--out %s is too long", f->out), FL_EXIT_USAGE);
	if (!ret && fl_json_write_atomic(path, out, err, errlen))
		ret = FL_EXIT_ENV;
	json_decref(out);
	return ret;
}

static bool have(const struct fl_follow *f, long long id, const char *suffix)
{
	char path[PATH_MAX];
	struct stat st;

	return !job_file(f, id, suffix, path, sizeof(path)) && !lstat(path, &st) &&
	       S_ISREG(st.st_mode);
}

/* The definition as the server holds it: a string field of jobs/ID/, written as is. */
static int save_definition(struct fl_follow *f, struct fl_follow_job *j, json_t *doc, char *err,
			   size_t errlen)
{
	const char *def = definition(doc);
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	FILE *o;
	int fd;

	if (!def)
		return fl_seterr(err, errlen, "the server holds no definition for job %lld", j->id),
		       FL_EXIT_ENV;
	job_file(f, j->id, "definition.yaml", path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.part", path);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	o = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!o || fputs(def, o) < 0 || fclose(o) || rename(tmp, path)) {
		if (!o && fd >= 0)
			close(fd);
		unlink(tmp);
		return fl_seterr(err, errlen, "cannot write %s: %s", path, strerror(errno)),
		       FL_EXIT_ENV;
	}
	return 0;
}

/* One job: its state, definition and metadata; its log and results once it has finished. */
static int fetch_job(struct fl_follow *f, struct fl_follow_job *j, char *err, size_t errlen)
{
	char p[64], what[64];
	json_t *doc = NULL;
	int ret;

	if (have(f, j->id, "log.yaml") && have(f, j->id, "json")) {
		char path[PATH_MAX];
		json_t *d;

		job_file(f, j->id, "json", path, sizeof(path));
		d = fl_json_load_regular(path);

		ret = d ? fl_follow_job_parse(j, d, err, errlen) : -1;
		fl_follow_clean(j->candidate, sizeof(j->candidate),
		      json_string_value(json_object_get(d, "faultline.candidate")));
		fl_follow_clean(j->suite, sizeof(j->suite),
		      json_string_value(json_object_get(d, "faultline.suite")));
		json_decref(d);
		if (!ret) {
			printf("job %lld: fetched before (%s), kept\n", j->id, j->health);
			return 0;
		}
	}
	ret = fl_follow_job_get(&f->srv, j, &doc, err, errlen) ? fl_lava_failed() : 0;
	if (!ret)
		ret = save_definition(f, j, doc, err, errlen);
	if (!ret)
		ret = save_job(f, j, doc, err, errlen);
	json_decref(doc);
	if (ret || !j->end)
		return ret;
	snprintf(p, sizeof(p), "jobs/%lld/junit/", j->id);
	snprintf(what, sizeof(what), "job %lld's results", j->id);
	ret = get_file(f, j->id, p, "junit.xml", what, err, errlen);
	snprintf(p, sizeof(p), "jobs/%lld/logs/", j->id);
	snprintf(what, sizeof(what), "job %lld's log", j->id);
	if (!ret)
		ret = get_file(f, j->id, p, "log.yaml", what, err, errlen);
	if (!ret)
		printf("job %lld: fetched (%s)\n", j->id, j->health);
	return ret;
}

/* The files of the jobs that have one: DIR/lava/job-ID.SUFFIX; malloc'ed paths, count in *n. */
static char **job_files(const struct fl_follow *f, const char *suffix, int *n)
{
	char **v = calloc((size_t)f->n + 1, sizeof(*v)), path[PATH_MAX];

	*n = 0;
	for (int i = 0; v && i < f->n; i++)
		if (have(f, f->jobs[i].id, suffix) &&
		    !job_file(f, f->jobs[i].id, suffix, path, sizeof(path)))
			v[(*n)++] = strdup(path);
	return v;
}

/* Jobs of one kernel and one suite per run directory: the first job that has KEY's value,
 * and a job that has another, say which (0 when they agree). */
static int agree(const struct fl_follow *f, size_t off, const char *what)
{
	const struct fl_follow_job *first = NULL;

	for (int i = 0; i < f->n; i++) {
		const struct fl_follow_job *j = &f->jobs[i];
		const char *v = (const char *)j + off;

		if (!*v || !strcmp(v, "-"))
			continue;
		if (first && strcmp((const char *)first + off, v)) {
			fl_err("lava fetch: job %lld ran %s %s and job %lld %s %s: give one kernel's "
			       "jobs of one suite per --out DIR (a run directory is one kernel's run "
			       "of one suite)", first->id, what, (const char *)first + off, j->id,
			       what, v);
			return FL_EXIT_USAGE;
		}
		if (!first)
			first = j;
	}
	return 0;
}

static int same_run(const struct fl_follow *f)
{
	return agree(f, offsetof(struct fl_follow_job, candidate), "candidate") ?:
	       agree(f, offsetof(struct fl_follow_job, suite), "suite");
}

/* The run directory from every log and definition fetched so far. */
static int fetch_collect(struct fl_follow *f)
{
	char err[FL_ERRLEN], **names, **logs, **plans;
	int nl = 0, np = 0, ret;

	names = fl_lava_workload_names(err, sizeof(err));
	if (!names) {
		fl_err("lava fetch: the workload names are needed to check the logs: %s", err);
		return FL_EXIT_ENV;
	}
	logs = job_files(f, "log.yaml", &nl);
	plans = job_files(f, "definition.yaml", &np);
	if (!logs || !plans)
		ret = (fl_seterr(err, sizeof(err), "out of memory"), FL_EXIT_ENV);
	else if (!nl)
		ret = (fl_seterr(err, sizeof(err), "no job has finished yet, so there is no log to "
				"build %s from", f->out), FL_EXIT_ENV);
	else if ((ret = fl_lava_collect_plans(logs, nl, plans, np, f->out,
					      (const char *const *)names, err, sizeof(err))))
		ret = ret == FL_LAVA_LOGS_BAD ? FL_EXIT_USAGE : FL_EXIT_ENV;
	if (ret)
		fl_err("lava fetch: %s", err);
	else
		printf("results: %s\n", f->out);
	fl_lava_names_free(names);
	fl_lava_names_free(logs);
	fl_lava_names_free(plans);
	return ret;
}

static int fetch_dirs(const struct fl_follow *f)
{
	char path[PATH_MAX], err[FL_ERRLEN];

	if (snprintf(path, sizeof(path), "%s/lava", f->out) >= (int)sizeof(path)) {
		fl_err("lava fetch: --out %s is too long", f->out);
		return FL_EXIT_USAGE;
	}
	if (fl_mkdir_parents(path, 0755, err, sizeof(err)) || (mkdir(f->out, 0755) &&
	    errno != EEXIST) || (mkdir(path, 0755) && errno != EEXIST)) {
		fl_err("lava fetch: cannot create %s: %s", path, strerror(errno));
		return FL_EXIT_ENV;
	}
	return 0;
}

/* A job fetch could not finish: one sentence each, the others went on. */
static int fetch_verdict(struct fl_follow *f, struct fl_follow_job *j)
{
	if (j->ret || j->end)
		return fl_follow_job_verdict(f, j, "lava fetch");
	fl_err("lava fetch: job %lld is still %s%s%s: its log is not fetched yet; run lava fetch "
	       "again when it has finished (what is fetched is kept)", j->id, j->state,
	       strcmp(j->device, "-") ? " on " : "", strcmp(j->device, "-") ? j->device : "");
	return FL_EXIT_ENV;
}

int fl_lava_fetch(int argc, char **argv)
{
	struct fl_follow *f = fl_follow_new("lava fetch");
	char err[FL_ERRLEN];
	bool tried;
	int ret, r;

	if (!f)
		return FL_EXIT_ENV;
	ret = fl_follow_args(f, argc, argv, "To") ? FL_EXIT_USAGE : 0;
	if (!ret && !f->out) {
		fl_err("lava fetch needs --out DIR (the run directory to build from one kernel's "
		       "jobs)");
		ret = FL_EXIT_USAGE;
	}
	if (!ret)
		ret = fetch_dirs(f);
	if (!ret && f->timeout_s)
		fl_follow_poll(f, false);
	for (int i = 0; !ret && i < f->n && !fl_interrupted(); i++) {
		struct fl_follow_job *j = &f->jobs[i];

		j->ret = fetch_job(f, j, err, sizeof(err));
		if (j->ret)
			fl_err("lava fetch: job %lld: %s", j->id, err);
	}
	tried = !ret;
	if (!ret && !fl_interrupted())
		ret = same_run(f);
	if (!ret && !fl_interrupted())
		ret = fetch_collect(f);
	for (int i = 0; tried && ret != FL_EXIT_USAGE && i < f->n && !fl_interrupted(); i++) {
		r = fetch_verdict(f, &f->jobs[i]);
		ret = fl_follow_worst(ret, r);
	}
	return fl_follow_end(f, ret);
}
