// SPDX-License-Identifier: GPL-2.0
/*
 * faultline lava status|wait|fetch: jobs on a LAVA server, through its REST API (lava_api.c).
 *
 * A job id is an integer (fl_lava_job_id) on the command line and in every answer; every other
 * string from the server (state, health, device, comments, the definition, the log) is
 * untrusted: compared with known words, printed through fl_text_clean, and never part of a path.
 * fetch writes under --out DIR only names made here from the job id:
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
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "fl_interrupt.h"
#include "fl_json.h"
#include "fl_safe.h"
#include "fl_util.h"
#include "lava.h"

#define MAX_JOBS 256

enum health { H_NONE, H_COMPLETE, H_INCOMPLETE, H_CANCELED };

struct job {
	long long id;
	char state[16], health[16], device[80], devtype[80], comment[200];
	enum health end;		/* set once the state is Finished */
	int ret;			/* 0, or the exit status of what went wrong */
	bool known;			/* the server answered for it at least once */
	char candidate[80], suite[80];	/* its faultline metadata (cleaned) */
};

struct follow {
	struct fl_lava_server srv;
	struct job jobs[MAX_JOBS];
	int n;
	double timeout_s, interval_s;
	const char *out;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A server string as a short printable one (never empty). */
static void clean(char *dst, size_t len, const char *src)
{
	char buf[400];

	if (!src || !*src) {
		snprintf(dst, len, "-");
		return;
	}
	snprintf(dst, len, "%s", fl_text_clean(buf, sizeof(buf), src));
}

/* The last line that is not blank of a server's text (a traceback ends with its error). */
static void last_line(char *dst, size_t len, const char *src)
{
	const char *end = src ? src + strlen(src) : NULL, *start;
	char line[300];
	size_t n;

	while (end && end > src && (unsigned char)end[-1] <= ' ')
		end--;
	if (!end || end == src) {
		clean(dst, len, NULL);
		return;
	}
	for (start = end; start > src && start[-1] != '\n'; start--)
		;
	while ((unsigned char)*start <= ' ' && start < end)
		start++;
	n = (size_t)(end - start) < sizeof(line) - 1 ? (size_t)(end - start) : sizeof(line) - 1;
	memcpy(line, start, n);
	line[n] = '\0';
	clean(dst, len, line);
}

static bool word_in(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (s && !strcmp(s, *words))
			return true;
	return false;
}

/* The job's state from GET jobs/ID/: known words only. */
static int job_parse(struct job *j, json_t *d, char *err, size_t errlen)
{
	static const char *const states[] = { "Submitted", "Scheduling", "Scheduled", "Running",
					      "Canceling", "Finished", NULL };
	static const char *const healths[] = { "Unknown", "Complete", "Incomplete", "Canceled",
					       NULL };
	const char *st = json_string_value(json_object_get(d, "state"));
	const char *h = json_string_value(json_object_get(d, "health"));
	json_t *id = json_object_get(d, "id");

	if (!json_is_integer(id) || json_integer_value(id) != j->id)
		return fl_seterr(err, errlen, "the server's answer for job %lld is not that job",
				 j->id), FL_EXIT_ENV;
	if (!word_in(st, states) || !word_in(h, healths))
		return fl_seterr(err, errlen, "the server says job %lld is in an unknown state or "
				 "health (expected LAVA's Submitted..Finished, Complete|Incomplete|"
				 "Canceled)", j->id), FL_EXIT_ENV;
	snprintf(j->state, sizeof(j->state), "%s", st);
	snprintf(j->health, sizeof(j->health), "%s", h);
	clean(j->device, sizeof(j->device), json_string_value(json_object_get(d, "actual_device")));
	clean(j->devtype, sizeof(j->devtype),
	      json_string_value(json_object_get(d, "requested_device_type")));
	last_line(j->comment, sizeof(j->comment),
		  json_string_value(json_object_get(d, "failure_comment")));
	j->end = strcmp(st, "Finished") ? H_NONE : !strcmp(h, "Complete") ? H_COMPLETE :
		 !strcmp(h, "Canceled") ? H_CANCELED : H_INCOMPLETE;
	j->known = true;
	return 0;
}

/* GET PATH as JSON (an object); NULL with err. */
static json_t *get_json(const struct fl_lava_server *s, const char *path, const char *what,
			int *ret, char *err, size_t errlen)
{
	char *answer = NULL;
	json_t *d = NULL;
	long http;

	*ret = fl_lava_call(s, "GET", path, NULL, NULL, &answer, &http, err, errlen);
	if (!*ret && (http < 200 || http > 299))
		*ret = fl_lava_http_err(s, http, what, answer, err, errlen);
	if (!*ret) {
		d = json_loads(answer, 0, NULL);
		if (!json_is_object(d)) {
			json_decref(d);
			d = NULL;
			*ret = (fl_seterr(err, errlen, "%s answered for %s with something that is not "
					 "a JSON object", s->url, what), FL_EXIT_ENV);
		}
	}
	free(answer);
	return d;
}

/* GET jobs/ID/ into j; the document in *doc when doc is not NULL. */
static int job_get(const struct fl_lava_server *s, struct job *j, json_t **doc, char *err,
		   size_t errlen)
{
	char path[64], what[64];
	json_t *d;
	int ret;

	snprintf(path, sizeof(path), "jobs/%lld/", j->id);
	snprintf(what, sizeof(what), "job %lld", j->id);
	d = get_json(s, path, what, &ret, err, errlen);
	if (d)
		ret = job_parse(j, d, err, errlen);
	if (doc && !ret)
		*doc = d;
	else
		json_decref(d);
	return ret;
}

/* Why a device of the job's type is not running it: its device's or worker's state, cleaned. */
static void device_why(const struct fl_lava_server *s, const struct job *j, char *out,
		       size_t len)
{
	char path[200], err[FL_ERRLEN], dev[80], st[40], h[40], wst[40], wname[80];
	json_t *d, *w = NULL;
	int ret;

	out[0] = '\0';
	if (!fl_name_ok(j->device))
		return;
	snprintf(path, sizeof(path), "devices/%s/", j->device);
	d = get_json(s, path, "the device", &ret, err, sizeof(err));
	if (!d)
		return;
	clean(dev, sizeof(dev), j->device);
	clean(st, sizeof(st), json_string_value(json_object_get(d, "state")));
	clean(h, sizeof(h), json_string_value(json_object_get(d, "health")));
	clean(wname, sizeof(wname), json_string_value(json_object_get(d, "worker_host")));
	if (fl_name_ok(wname)) {
		snprintf(path, sizeof(path), "workers/%s/", wname);
		w = get_json(s, path, "the worker", &ret, err, sizeof(err));
	}
	clean(wst, sizeof(wst), json_string_value(json_object_get(w, "state")));
	snprintf(out, len, "; device %s is %s, health %s, and its worker %s is %s", dev, st, h,
		 wname, w ? wst : "unknown to the server");
	json_decref(w);
	json_decref(d);
}

/* Devices of the job's requested type and why none takes it (a Submitted job). */
static void type_why(const struct fl_lava_server *s, const struct job *j, char *out, size_t len)
{
	char path[200], err[FL_ERRLEN], name[80], h[40], st[40];
	json_t *d, *res, *v;
	size_t i, n = 0;
	int ret;

	out[0] = '\0';
	if (!fl_name_ok(j->devtype))
		return;
	snprintf(path, sizeof(path), "devices/?device_type=%s", j->devtype);
	d = get_json(s, path, "the device list", &ret, err, sizeof(err));
	res = json_object_get(d, "results");
	n = (size_t)snprintf(out, len, "; the %s devices:", j->devtype);
	json_array_foreach(res, i, v) {
		if (i == 8 || n >= len)
			break;
		clean(name, sizeof(name), json_string_value(json_object_get(v, "hostname")));
		clean(h, sizeof(h), json_string_value(json_object_get(v, "health")));
		clean(st, sizeof(st), json_string_value(json_object_get(v, "state")));
		n += (size_t)snprintf(out + n, len - n, "%s %s (health %s)", i ? "," : "", name, h);
	}
	if (!json_array_size(res) && n < len)
		snprintf(out + n, len - n, " none");
	json_decref(d);
}

static void job_line(const struct job *j, double t0)
{
	int s = (int)(now_s() - t0);

	if (!strcmp(j->state, "Finished"))
		printf("job %lld: Finished, %s%s%s (%d s)\n", j->id, j->health,
		       strcmp(j->device, "-") ? " on " : "", strcmp(j->device, "-") ? j->device : "",
		       s);
	else if (strcmp(j->device, "-"))
		printf("job %lld: %s on %s (%d s)\n", j->id, j->state, j->device, s);
	else
		printf("job %lld: %s, waiting for a %s device (%d s)\n", j->id, j->state, j->devtype,
		       s);
	fflush(stdout);
}

/* The one sentence for a job that ended without completing, or did not end in time. */
static int job_verdict(struct follow *f, struct job *j, const char *cmd)
{
	char why[600];

	if (j->ret || j->end == H_COMPLETE)
		return j->ret;
	if (j->end == H_CANCELED)
		fl_err("%s: job %lld was canceled on the server; the cases it finished can be "
		       "fetched, the rest need the job submitted again", cmd, j->id);
	else if (j->end == H_INCOMPLETE)
		fl_err("%s: job %lld ended Incomplete on %s (%s); the cases it finished can be "
		       "fetched, the rest need the job submitted again", cmd, j->id, j->device,
		       j->comment);
	else {
		if (strcmp(j->device, "-"))
			device_why(&f->srv, j, why, sizeof(why));
		else
			type_why(&f->srv, j, why, sizeof(why));
		fl_err("%s: job %lld is still %s after --timeout %g s%s; wait again, or cancel it "
		       "on the server", cmd, j->id, j->state, f->timeout_s, why);
		return j->ret = FL_EXIT_ENV;
	}
	return j->ret = FL_EXIT_ENV;
}

/* Poll every job until each has finished or the time is up; a line when a job changes. */
static void follow_jobs(struct follow *f, bool quiet)
{
	double t0 = now_s(), deadline = t0 + f->timeout_s;
	char err[FL_ERRLEN];

	for (;;) {
		int open = 0;

		for (int i = 0; i < f->n && !fl_interrupted(); i++) {
			struct job *j = &f->jobs[i], old = *j;
			int ret;

			if (j->end || j->ret)
				continue;
			ret = job_get(&f->srv, j, NULL, err, sizeof(err));
			if (ret) {	/* the job is gone, or the server: one sentence, go on */
				fl_err("%s: job %lld: %s", f->srv.cmd, j->id, err);
				j->ret = ret;
				continue;
			}
			if (!quiet && (strcmp(old.state, j->state) || strcmp(old.device, j->device)))
				job_line(j, t0);
			open += !j->end;
		}
		if (!open || fl_interrupted() || now_s() >= deadline)
			return;
		for (double until = fmin(now_s() + f->interval_s, deadline);
		     now_s() < until && !fl_interrupted();)
			usleep(200000);
	}
}

static int parse_jobs(struct follow *f, int argc, char **argv)
{
	if (optind >= argc) {
		fl_err("%s needs at least one JOB_ID (the number lava submit printed)", f->srv.cmd);
		return FL_EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		long long id = fl_lava_job_id(argv[i]);

		if (!id) {
			fl_err("%s: job id %s is not a job number (expected the decimal id lava "
			       "submit printed)", f->srv.cmd, argv[i]);
			return FL_EXIT_USAGE;
		}
		for (int k = 0; k < f->n; k++)
			if (f->jobs[k].id == id) {
				fl_err("%s: job %lld is given twice", f->srv.cmd, id);
				return FL_EXIT_USAGE;
			}
		if (f->n == MAX_JOBS) {
			fl_err("%s: at most %d jobs at a time", f->srv.cmd, MAX_JOBS);
			return FL_EXIT_USAGE;
		}
		f->jobs[f->n++].id = id;
	}
	return 0;
}

/* Options: the server's, and 'T' --timeout, 'i' --interval, 'o' --out as ALLOWED says. */
static int follow_args(struct follow *f, int argc, char **argv, const char *allowed)
{
	static const struct option opts[] = {
		FL_LAVA_SERVER_OPTS, { "timeout", required_argument, NULL, 'T' },
		{ "interval", required_argument, NULL, 'i' }, { "out", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL;
	int c, ret = 0;

	optind = 1;
	while (!ret && (c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == '?' || (strchr("Tio", c) && !strchr(allowed, c))) {
			fl_err("%s: %s is not an option of this command (faultline lava --help)",
			       f->srv.cmd, argv[optind - 1]);
			return FL_EXIT_USAGE;
		}
		if (c == 'T')
			ret = fl_lava_seconds(f->srv.cmd, "--timeout", optarg, &f->timeout_s);
		else if (c == 'i')
			ret = fl_lava_seconds(f->srv.cmd, "--interval", optarg, &f->interval_s);
		else if (c == 'o')
			f->out = optarg;
		else
			ret = fl_lava_server_opt(&f->srv, c, optarg, &file);
	}
	if (!ret)
		ret = parse_jobs(f, argc, argv);
	if (!ret)
		ret = fl_lava_server_ready(&f->srv, file);
	if (!ret) {
		signal(SIGPIPE, SIG_IGN);
		fl_interrupt_install();
	}
	return ret;
}

static struct follow *follow_new(const char *cmd)
{
	struct follow *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->srv.cmd = cmd;
	f->interval_s = 10;
	return f;
}

static int follow_end(struct follow *f, int ret)
{
	if (fl_interrupted()) {
		fl_err("%s: interrupted; nothing is left behind", f->srv.cmd);
		ret = 128 + fl_interrupt_signal();
	}
	fl_lava_server_wipe(&f->srv);
	free(f);
	return ret;
}

/* The worst of the jobs' statuses (an interrupt wins). */
static int worst(int a, int b)
{
	return a > b ? a : b;
}

int fl_lava_status(int argc, char **argv)
{
	struct follow *f = follow_new("lava status");
	char err[FL_ERRLEN];
	double t0 = now_s();
	int ret;

	if (!f)
		return FL_EXIT_ENV;
	ret = follow_args(f, argc, argv, "");
	for (int i = 0; !ret && i < f->n && !fl_interrupted(); i++) {
		struct job *j = &f->jobs[i];

		j->ret = job_get(&f->srv, j, NULL, err, sizeof(err));
		if (j->ret)
			fl_err("lava status: job %lld: %s", j->id, err);
		else
			job_line(j, t0);
	}
	for (int i = 0; !ret && i < f->n; i++)
		ret = worst(ret, f->jobs[i].ret);
	return follow_end(f, ret);
}

int fl_lava_wait(int argc, char **argv)
{
	struct follow *f = follow_new("lava wait");
	int ret, found = 0;

	if (!f)
		return FL_EXIT_ENV;
	f->timeout_s = 3600;
	ret = follow_args(f, argc, argv, "Ti");
	if (!ret)
		follow_jobs(f, false);
	for (int i = 0; !ret && i < f->n && !fl_interrupted(); i++) {
		struct job *j = &f->jobs[i];
		int r = job_verdict(f, j, "lava wait");

		found |= j->end == H_CANCELED || j->end == H_INCOMPLETE;
		ret = worst(ret, r);
	}
	if (!ret && found)
		ret = FL_EXIT_ENV;
	return follow_end(f, ret);
}

/* ----- fetch */

/* DIR/lava/job-ID.SUFFIX */
static int job_file(const struct follow *f, long long id, const char *suffix, char *path,
		    size_t len)
{
	return snprintf(path, len, "%s/lava/job-%lld.%s", f->out, id, suffix) >= (int)len ? -1 : 0;
}

/* GET PATH into DIR/lava/job-ID.SUFFIX (through a .part file: a fetch cut short leaves no
 * half file under the final name). */
static int get_file(struct follow *f, long long id, const char *path, const char *suffix,
		    const char *what, char *err, size_t errlen)
{
	char file[PATH_MAX], part[PATH_MAX + 8];
	long http;
	int ret;

	if (job_file(f, id, suffix, file, sizeof(file)))
		return fl_seterr(err, errlen, "--out %s is too long", f->out), FL_EXIT_USAGE;
	snprintf(part, sizeof(part), "%s.part", file);
	unlink(part);
	ret = fl_lava_call(&f->srv, "GET", path, NULL, part, NULL, &http, err, errlen);
	if (!ret && (http < 200 || http > 299)) {
		char said[2048];

		if (fl_read_file(part, said, sizeof(said)) < 0)
			said[0] = '\0';
		ret = fl_lava_http_err(&f->srv, http, what, said, err, errlen);
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
	clean(out, len, val);
}

/* The definition as submitted (the server's own "definition" is re-dumped YAML). */
static const char *definition(json_t *doc)
{
	const char *d = json_string_value(json_object_get(doc, "original_definition"));

	return d && *d ? d : json_string_value(json_object_get(doc, "definition"));
}

/* What the server said of the job, without its definition and token, and its faultline
 * candidate and suite (from the definition's metadata). */
static int save_job(struct follow *f, struct job *j, json_t *doc, char *err, size_t errlen)
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

static bool have(const struct follow *f, long long id, const char *suffix)
{
	char path[PATH_MAX];
	struct stat st;

	return !job_file(f, id, suffix, path, sizeof(path)) && !lstat(path, &st) &&
	       S_ISREG(st.st_mode);
}

/* The definition as the server holds it: a string field of jobs/ID/, written as is. */
static int save_definition(struct follow *f, struct job *j, json_t *doc, char *err,
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
static int fetch_job(struct follow *f, struct job *j, char *err, size_t errlen)
{
	char p[64], what[64];
	json_t *doc = NULL;
	int ret;

	if (have(f, j->id, "log.yaml") && have(f, j->id, "json")) {
		char path[PATH_MAX];
		json_t *d;

		job_file(f, j->id, "json", path, sizeof(path));
		d = fl_json_load_regular(path);

		ret = d ? job_parse(j, d, err, errlen) : -1;
		clean(j->candidate, sizeof(j->candidate),
		      json_string_value(json_object_get(d, "faultline.candidate")));
		clean(j->suite, sizeof(j->suite),
		      json_string_value(json_object_get(d, "faultline.suite")));
		json_decref(d);
		if (!ret) {
			printf("job %lld: fetched before (%s), kept\n", j->id, j->health);
			return 0;
		}
	}
	ret = job_get(&f->srv, j, &doc, err, errlen);
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
static char **job_files(const struct follow *f, const char *suffix, int *n)
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
static int agree(const struct follow *f, size_t off, const char *what)
{
	const struct job *first = NULL;

	for (int i = 0; i < f->n; i++) {
		const struct job *j = &f->jobs[i];
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

static int same_run(const struct follow *f)
{
	return agree(f, offsetof(struct job, candidate), "candidate") ?:
	       agree(f, offsetof(struct job, suite), "suite");
}

/* The run directory from every log and definition fetched so far. */
static int fetch_collect(struct follow *f)
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
	else
		ret = fl_lava_collect_plans(logs, nl, plans, np, f->out,
					    (const char *const *)names, err, sizeof(err));
	if (ret)
		fl_err("lava fetch: %s", err);
	else
		printf("results: %s\n", f->out);
	fl_lava_names_free(names);
	fl_lava_names_free(logs);
	fl_lava_names_free(plans);
	return ret;
}

static int fetch_dirs(const struct follow *f)
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
static int fetch_verdict(struct follow *f, struct job *j)
{
	if (j->ret || j->end)
		return job_verdict(f, j, "lava fetch");
	fl_err("lava fetch: job %lld is still %s%s%s: its log is not fetched yet; run lava fetch "
	       "again when it has finished (what is fetched is kept)", j->id, j->state,
	       strcmp(j->device, "-") ? " on " : "", strcmp(j->device, "-") ? j->device : "");
	return FL_EXIT_ENV;
}

int fl_lava_fetch(int argc, char **argv)
{
	struct follow *f = follow_new("lava fetch");
	char err[FL_ERRLEN];
	bool tried;
	int ret, r;

	if (!f)
		return FL_EXIT_ENV;
	ret = follow_args(f, argc, argv, "To");
	if (!ret && !f->out) {
		fl_err("lava fetch needs --out DIR (the run directory to build from one kernel's "
		       "jobs)");
		ret = FL_EXIT_USAGE;
	}
	if (!ret)
		ret = fetch_dirs(f);
	if (!ret && f->timeout_s)
		follow_jobs(f, false);
	for (int i = 0; !ret && i < f->n && !fl_interrupted(); i++) {
		struct job *j = &f->jobs[i];

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
		ret = worst(ret, r);
	}
	return follow_end(f, ret);
}
