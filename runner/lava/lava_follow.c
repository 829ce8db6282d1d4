// SPDX-License-Identifier: GPL-2.0
/*
 * faultline lava status|wait, and the jobs they and fetch (lava_fetch.c) follow on a LAVA
 * server, through its REST API (lava_api.c).
 *
 * A job id is an integer (fl_lava_job_id) on the command line and in every answer; every other
 * string from the server (state, health, device, comments) is untrusted: compared with known
 * words, printed through fl_text_clean, and never part of a path.
 */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "clock.h"
#include "fl_interrupt.h"
#include "fl_safe.h"
#include "fl_util.h"
#include "lava.h"
#include "lava_follow.h"

/* A server string as a short printable one (never empty). */
void fl_follow_clean(char *dst, size_t len, const char *src)
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
		fl_follow_clean(dst, len, NULL);
		return;
	}
	for (start = end; start > src && start[-1] != '\n'; start--)
		;
	while ((unsigned char)*start <= ' ' && start < end)
		start++;
	n = (size_t)(end - start) < sizeof(line) - 1 ? (size_t)(end - start) : sizeof(line) - 1;
	memcpy(line, start, n);
	line[n] = '\0';
	fl_follow_clean(dst, len, line);
}

static bool word_in(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (s && !strcmp(s, *words))
			return true;
	return false;
}

/* The job's state from GET jobs/ID/: known words only. */
int fl_follow_job_parse(struct fl_follow_job *j, json_t *d, char *err, size_t errlen)
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
				 j->id);
	if (!word_in(st, states) || !word_in(h, healths))
		return fl_seterr(err, errlen, "the server says job %lld is in an unknown state or "
				 "health (expected LAVA's Submitted..Finished, Complete|Incomplete|"
				 "Canceled)", j->id);
	snprintf(j->state, sizeof(j->state), "%s", st);
	snprintf(j->health, sizeof(j->health), "%s", h);
	fl_follow_clean(j->device, sizeof(j->device),
			json_string_value(json_object_get(d, "actual_device")));
	fl_follow_clean(j->devtype, sizeof(j->devtype),
			json_string_value(json_object_get(d, "requested_device_type")));
	last_line(j->comment, sizeof(j->comment),
		  json_string_value(json_object_get(d, "failure_comment")));
	j->end = strcmp(st, "Finished") ? FL_FOLLOW_NONE :
		 !strcmp(h, "Complete") ? FL_FOLLOW_COMPLETE :
		 !strcmp(h, "Canceled") ? FL_FOLLOW_CANCELED : FL_FOLLOW_INCOMPLETE;
	j->known = true;
	return 0;
}

/* GET PATH as JSON (an object); NULL with err. */
static json_t *get_json(const struct fl_lava_server *s, const char *path, const char *what,
			char *err, size_t errlen)
{
	char *answer = NULL;
	json_t *d = NULL;
	long http;

	if (fl_lava_call(s, "GET", path, NULL, NULL, &answer, &http, err, errlen))
		return NULL;
	if (http < 200 || http > 299) {
		fl_lava_http_err(s, http, what, answer, err, errlen);
	} else {
		d = json_loads(answer, 0, NULL);
		if (!json_is_object(d)) {
			json_decref(d);
			d = NULL;
			fl_seterr(err, errlen, "%s answered for %s with something that is not a "
				  "JSON object", s->url, what);
		}
	}
	free(answer);
	return d;
}

/* GET jobs/ID/ into j; the document in *doc when doc is not NULL. */
int fl_follow_job_get(const struct fl_lava_server *s, struct fl_follow_job *j, json_t **doc,
		      char *err, size_t errlen)
{
	char path[64], what[64];
	json_t *d;
	int ret = -1;

	snprintf(path, sizeof(path), "jobs/%lld/", j->id);
	snprintf(what, sizeof(what), "job %lld", j->id);
	d = get_json(s, path, what, err, errlen);
	if (d)
		ret = fl_follow_job_parse(j, d, err, errlen);
	if (doc && !ret)
		*doc = d;
	else
		json_decref(d);
	return ret;
}

/* Why a device of the job's type is not running it: its device's or worker's state, cleaned. */
static void device_why(const struct fl_lava_server *s, const struct fl_follow_job *j, char *out,
		       size_t len)
{
	char path[200], err[FL_ERRLEN], dev[80], st[40], h[40], wst[40], wname[80];
	json_t *d, *w = NULL;

	out[0] = '\0';
	if (!fl_name_ok(j->device))
		return;
	snprintf(path, sizeof(path), "devices/%s/", j->device);
	d = get_json(s, path, "the device", err, sizeof(err));
	if (!d)
		return;
	fl_follow_clean(dev, sizeof(dev), j->device);
	fl_follow_clean(st, sizeof(st), json_string_value(json_object_get(d, "state")));
	fl_follow_clean(h, sizeof(h), json_string_value(json_object_get(d, "health")));
	fl_follow_clean(wname, sizeof(wname), json_string_value(json_object_get(d, "worker_host")));
	if (fl_name_ok(wname)) {
		snprintf(path, sizeof(path), "workers/%s/", wname);
		w = get_json(s, path, "the worker", err, sizeof(err));
	}
	fl_follow_clean(wst, sizeof(wst), json_string_value(json_object_get(w, "state")));
	snprintf(out, len, "; device %s is %s, health %s, and its worker %s is %s", dev, st, h,
		 wname, w ? wst : "unknown to the server");
	json_decref(w);
	json_decref(d);
}

/* Devices of the job's requested type and why none takes it (a Submitted job). */
static void type_why(const struct fl_lava_server *s, const struct fl_follow_job *j, char *out,
		     size_t len)
{
	char path[200], err[FL_ERRLEN], name[80], h[40], st[40];
	json_t *d, *res, *v;
	size_t i, n = 0;

	out[0] = '\0';
	if (!fl_name_ok(j->devtype))
		return;
	snprintf(path, sizeof(path), "devices/?device_type=%s", j->devtype);
	d = get_json(s, path, "the device list", err, sizeof(err));
	res = json_object_get(d, "results");
	n = (size_t)snprintf(out, len, "; the %s devices:", j->devtype);
	json_array_foreach(res, i, v) {
		if (i == 8 || n >= len)
			break;
		fl_follow_clean(name, sizeof(name),
				json_string_value(json_object_get(v, "hostname")));
		fl_follow_clean(h, sizeof(h), json_string_value(json_object_get(v, "health")));
		fl_follow_clean(st, sizeof(st), json_string_value(json_object_get(v, "state")));
		n += (size_t)snprintf(out + n, len - n, "%s %s (health %s)", i ? "," : "", name, h);
	}
	if (!json_array_size(res) && n < len)
		snprintf(out + n, len - n, " none");
	json_decref(d);
}

static void job_line(const struct fl_follow_job *j, double t0)
{
	int s = (int)(fl_now_s() - t0);

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
int fl_follow_job_verdict(struct fl_follow *f, struct fl_follow_job *j, const char *cmd)
{
	char why[600];

	if (j->ret || j->end == FL_FOLLOW_COMPLETE)
		return j->ret;
	if (j->end == FL_FOLLOW_CANCELED)
		fl_err("%s: job %lld was canceled on the server; the cases it finished can be "
		       "fetched, the rest need the job submitted again", cmd, j->id);
	else if (j->end == FL_FOLLOW_INCOMPLETE)
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
void fl_follow_poll(struct fl_follow *f, bool quiet)
{
	double t0 = fl_now_s(), deadline = t0 + f->timeout_s;
	char err[FL_ERRLEN];

	for (;;) {
		int open = 0;

		for (int i = 0; i < f->n && !fl_interrupted(); i++) {
			struct fl_follow_job *j = &f->jobs[i], old = *j;

			if (j->end || j->ret)
				continue;
			if (fl_follow_job_get(&f->srv, j, NULL, err, sizeof(err))) {
				/* the job is gone, or the server: one sentence, go on */
				fl_err("%s: job %lld: %s", f->srv.cmd, j->id, err);
				j->ret = fl_lava_failed();
				continue;
			}
			if (!quiet && (strcmp(old.state, j->state) || strcmp(old.device, j->device)))
				job_line(j, t0);
			open += !j->end;
		}
		if (!open || fl_interrupted() || fl_now_s() >= deadline)
			return;
		for (double until = fmin(fl_now_s() + f->interval_s, deadline);
		     fl_now_s() < until && !fl_interrupted();)
			usleep(200000);
	}
}

/* The job ids after the options. 0, or -1 (said). */
static int parse_jobs(struct fl_follow *f, int argc, char **argv)
{
	if (optind >= argc) {
		fl_err("%s needs at least one JOB_ID (the number lava submit printed)", f->srv.cmd);
		return -1;
	}
	for (int i = optind; i < argc; i++) {
		long long id = fl_lava_job_id(argv[i]);

		if (!id) {
			fl_err("%s: job id %s is not a job number (expected the decimal id lava "
			       "submit printed)", f->srv.cmd, argv[i]);
			return -1;
		}
		for (int k = 0; k < f->n; k++)
			if (f->jobs[k].id == id) {
				fl_err("%s: job %lld is given twice", f->srv.cmd, id);
				return -1;
			}
		if (f->n == FL_FOLLOW_MAX_JOBS) {
			fl_err("%s: at most %d jobs at a time", f->srv.cmd, FL_FOLLOW_MAX_JOBS);
			return -1;
		}
		f->jobs[f->n++].id = id;
	}
	return 0;
}

/* Options: the server's, and 'T' --timeout, 'i' --interval, 'o' --out as ALLOWED says;
 * then the job ids. 0, or -1 (said). */
int fl_follow_args(struct fl_follow *f, int argc, char **argv, const char *allowed)
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
			return -1;
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

struct fl_follow *fl_follow_new(const char *cmd)
{
	struct fl_follow *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->srv.cmd = cmd;
	f->interval_s = 10;
	return f;
}

int fl_follow_end(struct fl_follow *f, int ret)
{
	if (fl_interrupted()) {
		fl_err("%s: interrupted; nothing is left behind", f->srv.cmd);
		ret = 128 + fl_interrupt_signal();
	}
	fl_lava_server_wipe(&f->srv);
	free(f);
	return ret;
}

int fl_lava_status(int argc, char **argv)
{
	struct fl_follow *f = fl_follow_new("lava status");
	char err[FL_ERRLEN];
	double t0 = fl_now_s();
	int ret;

	if (!f)
		return FL_EXIT_ENV;
	ret = fl_follow_args(f, argc, argv, "") ? FL_EXIT_USAGE : 0;
	for (int i = 0; !ret && i < f->n && !fl_interrupted(); i++) {
		struct fl_follow_job *j = &f->jobs[i];

		j->ret = fl_follow_job_get(&f->srv, j, NULL, err, sizeof(err)) ?
			 fl_lava_failed() : 0;
		if (j->ret)
			fl_err("lava status: job %lld: %s", j->id, err);
		else
			job_line(j, t0);
	}
	for (int i = 0; !ret && i < f->n; i++)
		ret = fl_follow_worst(ret, f->jobs[i].ret);
	return fl_follow_end(f, ret);
}

int fl_lava_wait(int argc, char **argv)
{
	struct fl_follow *f = fl_follow_new("lava wait");
	int ret, found = 0;

	if (!f)
		return FL_EXIT_ENV;
	f->timeout_s = 3600;
	ret = fl_follow_args(f, argc, argv, "Ti") ? FL_EXIT_USAGE : 0;
	if (!ret)
		fl_follow_poll(f, false);
	for (int i = 0; !ret && i < f->n && !fl_interrupted(); i++) {
		struct fl_follow_job *j = &f->jobs[i];
		int r = fl_follow_job_verdict(f, j, "lava wait");

		found |= j->end == FL_FOLLOW_CANCELED || j->end == FL_FOLLOW_INCOMPLETE;
		ret = fl_follow_worst(ret, r);
	}
	if (!ret && found)
		ret = FL_EXIT_ENV;
	return fl_follow_end(f, ret);
}
