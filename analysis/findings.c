// SPDX-License-Identifier: GPL-2.0
/*
 * A hunt's findings (findings.h): run dirs -> one faultline-hunt/1 document. Every string
 * read here comes from documents and a console a guest wrote (untrusted): paths are built
 * only from names that pass fl_name_ok, files are opened as regular files only, and case
 * documents are schema-checked before use.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "compare.h"
#include "console_classify.h"
#include "findings.h"
#include "fl_json.h"
#include "fl_safe.h"
#include "fl_schema.h"
#include "fl_util.h"

#define CONSOLE_MAX (64L << 20)	/* a console.log beyond this is read from its last 64 MiB */
#define PANIC_TITLE "kernel panic"
#define PANIC_AFTER_LINES 200	/* a panic this close after a report is its consequence */
#define TITLE_REASON_MAX 120

/* One kernel's entry while it is built. */
struct kern {
	json_t *obj;		/* its object in the document */
	json_t *findings;	/* [finding], first seen first */
	json_t *index;		/* title -> its finding */
	json_t *cells;		/* column -> [{title, time_to_first_s}] */
	json_t *in_cases;	/* title -> console reports counted in case documents */
	json_t *not_run;
	json_t *ran;		/* workload -> cases run */
	double t;		/* case time so far */
};

/* ---- titles of failed cases ---- */

static bool verify_says_corrupt(json_t *verify)
{
	const char *k, *k2;
	json_t *v, *v2;

	json_object_foreach(verify, k, v) {
		if (strstr(k, "corrupt") && json_is_number(v) && json_number_value(v) > 0)
			return true;
		json_object_foreach(v, k2, v2)
			if (strstr(k2, "corrupt") && json_is_number(v2) && json_number_value(v2) > 0)
				return true;
	}
	return false;
}

static bool reason_says_corrupt(const char *reason)
{
	static const char *const words[] = { "corrupt", "wrong", "lost", "stamp", "generation",
					     "mismatch" };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(reason, words[i]))
			return true;
	return false;
}

/* reason up to its first ';', numbers (decimal, 0x hex) as N, at most TITLE_REASON_MAX. */
static void reason_key(const char *reason, char *out, size_t len)
{
	size_t n = 0, cap = len < TITLE_REASON_MAX ? len : TITLE_REASON_MAX;
	const char *p = reason;

	while (*p && *p != ';' && n + 1 < cap) {
		if (isdigit((unsigned char)*p)) {
			if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
				p += 2;
			while (isxdigit((unsigned char)*p) || *p == '.')
				p++;
			out[n++] = 'N';
			continue;
		}
		out[n++] = *p++;
	}
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	fl_utf8_cut(out);	/* a title is JSON: never half a character */
}

void fl_hunt_failure_title(const char *workload, const char *reason, json_t *verify,
			   char *buf, size_t len, const char **kind)
{
	char key[TITLE_REASON_MAX + 8];

	reason = reason && *reason ? reason : "no reason given";
	/* the signal number is the finding itself */
	if (!strncmp(reason, "the agent died of signal", 24))
		snprintf(key, sizeof(key), "%s", reason);
	else
		reason_key(reason, key, sizeof(key));
	if (verify_says_corrupt(verify) || reason_says_corrupt(reason)) {
		*kind = "verification";
		snprintf(buf, len, "verification failed in %s: %s", workload, key);
	} else {
		*kind = "failure";
		snprintf(buf, len, "%s failed: %s", workload, key);
	}
	fl_utf8_cut(buf);
	fl_text_clean(buf, len, buf);
}

/* ---- one kernel ---- */

static json_t *num_or_null(double v)
{
	return isfinite(v) && v >= 0 ? json_real(v) : json_null();
}

/* One report of title in a case (file NULL: outside every case). */
static void add_title(struct kern *k, const char *title, const char *kind, const char *col,
		      const char *file, const char *label, double t, const char *excerpt,
		      bool first_in_case)
{
	json_t *f = json_object_get(k->index, title), *cell, *c;
	size_t i;

	if (!f) {
		f = json_pack("{s:s, s:s, s:i, s:i, s:s, s:o, s:o, s:o, s:s}", "title", title,
			      "kind", kind, "count", 0, "cases", 0, "first_workload", col,
			      "first_case", file ? json_string(file) : json_null(),
			      "first_label", label ? json_string(label) : json_null(),
			      "time_to_first_s", num_or_null(file ? t : -1), "excerpt",
			      excerpt ? excerpt : "");
		json_array_append_new(k->findings, f);
		json_object_set(k->index, title, f);
	}
	json_object_set_new(f, "count", json_integer(json_integer_value(json_object_get(f,
									"count")) + 1));
	if (first_in_case && file)
		json_object_set_new(f, "cases", json_integer(json_integer_value(
					json_object_get(f, "cases")) + 1));
	cell = json_object_get(k->cells, col);
	if (!cell) {
		cell = json_array();
		json_object_set_new(k->cells, col, cell);
	}
	json_array_foreach(cell, i, c)
		if (!strcmp(json_string_value(json_object_get(c, "title")), title))
			return;
	json_array_append_new(cell, json_pack("{s:s, s:o}", "title", title, "time_to_first_s",
					      num_or_null(file ? t : -1)));
}

/* A panic right after another report (oops=panic, panic_on_warn) is not a finding of its own. */
static bool panic_follows(json_t *list, size_t i)
{
	json_t *f = json_array_get(list, i);
	long line = (long)json_integer_value(json_object_get(f, "line"));

	if (strcmp(json_string_value(json_object_get(f, "title")) ?: "", PANIC_TITLE))
		return false;
	for (size_t j = i; j-- > 0;) {
		json_t *g = json_array_get(list, j);
		long gl = (long)json_integer_value(json_object_get(g, "line"));

		if (strcmp(json_string_value(json_object_get(g, "title")) ?: "", PANIC_TITLE) &&
		    (!line || !gl || line - gl <= PANIC_AFTER_LINES))
			return true;
	}
	return false;
}

static void count_in_cases(struct kern *k, const char *title)
{
	json_object_set_new(k->in_cases, title, json_integer(json_integer_value(
				json_object_get(k->in_cases, title)) + 1));
}

/* Add title for the case file; seen: the titles this case already counted. */
static void case_title(struct kern *k, json_t *seen, const char *title, const char *kind,
		       const char *wl, const char *file, const char *label, const char *excerpt)
{
	bool first = !json_object_get(seen, title);

	json_object_set_new(seen, title, json_true());
	add_title(k, title, kind, wl, file, label, k->t, excerpt, first);
}

/* The findings of one case document that ran. */
static void case_findings(struct kern *k, json_t *cs, const char *wl, const char *file,
			  const char *label)
{
	json_t *list = json_object_get(json_object_get(cs, "console"), "findings"), *f;
	const char *st = json_string_value(json_object_get(cs, "status")) ?: "";
	const char *reason = json_string_value(json_object_get(cs, "reason"));
	json_t *seen = json_object();
	char title[512];
	size_t i;

	json_array_foreach(list, i, f) {
		const char *t = json_string_value(json_object_get(f, "title"));

		if (!t || !*t || panic_follows(list, i))
			continue;
		fl_text_clean(title, sizeof(title), t);
		case_title(k, seen, title, "console", wl, file, label,
			   json_string_value(json_object_get(f, "excerpt")));
		count_in_cases(k, title);
	}
	if (!strcmp(st, "failed")) {
		const char *kind;

		fl_hunt_failure_title(wl, reason, json_object_get(cs, "verify"), title,
				      sizeof(title), &kind);
		case_title(k, seen, title, kind, wl, file, label, reason);
	} else if (!json_object_size(seen) && (!strcmp(st, "crashed") || !strcmp(st, "timeout"))) {
		char key[TITLE_REASON_MAX + 8];

		reason_key(reason ?: "no reason given", key, sizeof(key));
		snprintf(title, sizeof(title), "%s %s: %s", wl, st, key);
		fl_utf8_cut(title);
		fl_text_clean(title, sizeof(title), title);
		case_title(k, seen, title, "console", wl, file, label, reason);
	}
	json_decref(seen);
}

static void not_run(struct kern *k, const char *file, const char *wl, const char *label,
		    const char *status, const char *reason)
{
	json_array_append_new(k->not_run, json_pack("{s:s, s:s, s:s, s:s, s:s}", "case", file,
		"workload", wl, "label", label, "status", status, "reason", reason));
}

/* "cases/NNNN-x.json": under cases/, one safe name. */
static bool case_file_ok(const char *file)
{
	return file && !strncmp(file, "cases/", 6) && fl_name_ok(file + 6) &&
	       !strchr(file + 6, '/');
}

/* Play order: round by round (warm-ups and iteration 0 are round 0, iteration k round k,
 * adaptive iterations after the planned ones), each round in plan order. */
static long case_round(json_t *c, size_t idx)
{
	if (json_is_true(json_object_get(c, "extra")))
		return 1000000L + (long)idx;
	if (json_is_true(json_object_get(c, "warmup")))
		return 0;
	return (long)json_integer_value(json_object_get(c, "iteration"));
}

struct order {
	long round;
	size_t idx;
};

static int order_cmp(const void *a, const void *b)
{
	const struct order *x = a, *y = b;

	if (x->round != y->round)
		return x->round < y->round ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* One case of run.json, in play order. */
static void one_case(struct kern *k, const char *dir, json_t *c, json_t *cols)
{
	const char *file = json_string_value(json_object_get(c, "file"));
	const char *wl = json_string_value(json_object_get(c, "workload"));
	const char *st = json_string_value(json_object_get(c, "status")) ?: "pending";
	const char *rs = json_string_value(json_object_get(c, "reason")) ?: "";
	json_t *el = json_object_get(c, "elapsed_s"), *doc;
	char label[600], path[2200], err[FL_ERRLEN];
	size_t i;
	json_t *col;
	bool have = false;

	if (!wl || !fl_name_ok(wl) || !case_file_ok(file))
		return;
	json_array_foreach(cols, i, col)
		have |= !strcmp(json_string_value(col), wl);
	if (!have)
		json_array_append_new(cols, json_string(wl));
	fl_params_label(json_object_get(c, "params"), NULL, label, sizeof(label));
	snprintf(label + strlen(label), sizeof(label) - strlen(label), " (iteration %d)",
		 (int)json_integer_value(json_object_get(c, "iteration")));
	fl_utf8_cut(label);
	fl_text_clean(label, sizeof(label), label);
	if (!strcmp(st, "pending") || !strcmp(st, "interrupted") || !strcmp(st, "skipped")) {
		not_run(k, file, wl, label, st, *rs ? rs : "the hunt stopped before it ran");
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	doc = fl_json_load_regular(path);
	if (!doc || fl_schema_validate_case(doc, err, sizeof(err))) {
		not_run(k, file, wl, label, st, doc ? "its case document is not valid" :
			"its case document cannot be read");
		json_decref(doc);
		return;
	}
	if (json_is_number(el))
		k->t += json_number_value(el);
	else if (json_is_number(json_object_get(json_object_get(doc, "case"), "measured_s")))
		k->t += json_number_value(json_object_get(json_object_get(doc, "case"),
							  "measured_s"));
	json_object_set_new(k->obj, "cases_run", json_integer(json_integer_value(
				json_object_get(k->obj, "cases_run")) + 1));
	json_object_set_new(k->ran, wl, json_integer(json_integer_value(json_object_get(k->ran,
									wl)) + 1));
	case_findings(k, json_object_get(doc, "case"), wl, file, label);
	json_decref(doc);
}

static int load_cases(struct kern *k, const char *dir, json_t *cols, char *err, size_t errlen)
{
	char path[1200], why[FL_ERRLEN];
	json_t *run, *cases;
	struct order *ord;
	size_t n;

	snprintf(path, sizeof(path), "%s/run.json", dir);
	run = fl_json_load_regular(path);
	if (!run)
		return fl_seterr(err, errlen, "%s is not a faultline run: its run.json cannot be "
				 "read as JSON", dir);
	if (fl_schema_validate_run(run, why, sizeof(why))) {
		json_decref(run);
		return fl_seterr(err, errlen, "%s is not a faultline run: %s", path, why);
	}
	cases = json_object_get(run, "cases");
	n = json_array_size(cases);
	ord = calloc(n + 1, sizeof(*ord));
	if (!ord) {
		json_decref(run);
		return fl_seterr(err, errlen, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		ord[i] = (struct order){ case_round(json_array_get(cases, i), i), i };
	qsort(ord, n, sizeof(*ord), order_cmp);
	json_object_set_new(k->obj, "cases", json_integer((json_int_t)n));
	json_object_set(k->obj, "state", json_object_get(run, "state"));
	if (!json_object_get(k->obj, "suite") && json_is_string(json_object_get(json_object_get(
			run, "run"), "suite")))
		json_object_set(k->obj, "suite", json_object_get(json_object_get(run, "run"),
								 "suite"));
	for (size_t i = 0; i < n; i++)
		one_case(k, dir, json_array_get(cases, ord[i].idx), cols);
	free(ord);
	json_decref(run);
	return 0;
}

/* The last CONSOLE_MAX bytes of dir/console.log (a regular file), or NULL. */
static char *read_console(const char *dir, size_t *len)
{
	char path[1200], *buf = NULL;
	int fd;
	struct stat st;
	off_t off;
	ssize_t r;

	snprintf(path, sizeof(path), "%s/console.log", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0)
		goto out;
	off = st.st_size > CONSOLE_MAX ? st.st_size - CONSOLE_MAX : 0;
	*len = (size_t)(st.st_size - off);
	buf = malloc(*len + 1);
	if (!buf)
		goto out;
	r = pread(fd, buf, *len, off);
	if (r <= 0) {
		free(buf);
		buf = NULL;
		goto out;
	}
	*len = (size_t)r;
out:
	close(fd);
	return buf;
}

/* Reports on the console beyond those the case documents hold: at boot, between cases, or in
 * a boot that never reached its agent. */
static void console_extra(struct kern *k, const char *dir)
{
	size_t len = 0, i;
	char *text = read_console(dir, &len), title[512];
	json_t *list, *f, *seen = json_object();

	if (!text) {
		json_decref(seen);
		return;
	}
	list = fl_console_classify(text, len);
	free(text);
	json_array_foreach(list, i, f) {
		const char *t = json_string_value(json_object_get(f, "title"));
		json_int_t s;

		if (!t || panic_follows(list, i))
			continue;
		fl_text_clean(title, sizeof(title), t);
		s = json_integer_value(json_object_get(seen, title)) + 1;
		json_object_set_new(seen, title, json_integer(s));
		if (s > json_integer_value(json_object_get(k->in_cases, title)))
			add_title(k, title, "console", FL_HUNT_BOOT, NULL, NULL, -1,
				  json_string_value(json_object_get(f, "excerpt")), false);
	}
	json_decref(list);
	json_decref(seen);
}

static int load_kernel(json_t *obj, const char *dir, json_t *cols, char *err, size_t errlen)
{
	struct kern k = { .obj = obj, .findings = json_array(), .index = json_object(),
			  .cells = json_object(), .in_cases = json_object(),
			  .not_run = json_array(), .ran = json_object() };
	char path[1200];
	int ret = 0;

	json_object_set_new(obj, "cases", json_integer(0));
	json_object_set_new(obj, "cases_run", json_integer(0));
	snprintf(path, sizeof(path), "%s/run.json", dir);
	/* a kernel of a hunt that never got a run dir (no build, no boot) has only its reason */
	if (access(path, F_OK) == 0 ||
	    strcmp(json_string_value(json_object_get(obj, "status")) ?: "", "failed"))
		ret = load_cases(&k, dir, cols, err, errlen);
	if (!ret)
		console_extra(&k, dir);
	json_object_set_new(obj, "case_time_s", json_real(k.t));
	json_object_set_new(obj, "findings", k.findings);
	json_object_set_new(obj, "cells", k.cells);
	json_object_set_new(obj, "not_run", k.not_run);
	json_object_set_new(obj, "ran", k.ran);
	json_decref(k.index);
	json_decref(k.in_cases);
	return ret;
}

/* ---- which kernels ---- */

static const char *base_name(const char *dir, char *buf, size_t len)
{
	size_t n;

	snprintf(buf, len, "%s", dir);
	n = strlen(buf);
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	return strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf;
}

static json_t *kernel_entry(const char *name, const char *dir, const char *spec,
			    const char *status, const char *reason)
{
	char clean[256];

	fl_text_clean(clean, sizeof(clean), name);
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", clean, "dir", dir, "kernel", spec,
			 "status", status, "reason", reason);
}

/* A hunt's (or multi-kernel run's) out dir: its kernels from runs.json, in order. */
static int expand_multi(const char *dir, json_t *index, json_t *out, char *err, size_t errlen)
{
	json_t *ks = json_object_get(index, "kernels"), *k;
	char sub[1200];
	size_t i;

	if (strcmp(json_string_value(json_object_get(index, "schema")) ?: "", "faultline-multi/1") ||
	    !json_array_size(ks))
		return fl_seterr(err, errlen, "%s/runs.json is not the index of a hunt (schema "
				 "faultline-multi/1 with its kernels)", dir);
	json_array_foreach(ks, i, k) {
		const char *d = json_string_value(json_object_get(k, "dir"));
		const char *st = json_string_value(json_object_get(k, "status")) ?: "ok";
		const char *rs = json_string_value(json_object_get(k, "reason")) ?: "";
		const char *spec = json_string_value(json_object_get(k, "kernel")) ?: "";

		if (!d || !fl_name_ok(d))
			return fl_seterr(err, errlen, "%s/runs.json: kernel %zu's \"dir\" is not a "
					 "safe name", dir, i + 1);
		snprintf(sub, sizeof(sub), "%s/%s", dir, d);
		if (json_array_append_new(out, kernel_entry(d, sub, spec, strcmp(st, "failed") ?
							    "ok" : "failed", rs)))
			return fl_seterr(err, errlen, "%s/runs.json: kernel %zu is not UTF-8 text",
					 dir, i + 1);
	}
	return 0;
}

static int expand(const char *dir, json_t *out, char *err, size_t errlen)
{
	char path[1200], base[1024];
	json_t *doc, *kernel;
	const char *cand;
	struct stat st;
	int ret;

	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return fl_seterr(err, errlen, "%s is not a directory (give a hunt's --out "
				 "directory or run directories)", dir);
	snprintf(path, sizeof(path), "%s/runs.json", dir);
	if (access(path, F_OK) == 0) {
		doc = fl_json_load_regular(path);
		if (!doc)
			return fl_seterr(err, errlen, "%s cannot be read as JSON", path);
		ret = expand_multi(dir, doc, out, err, errlen);
		json_decref(doc);
		return ret;
	}
	snprintf(path, sizeof(path), "%s/run.json", dir);
	if (access(path, F_OK))
		return fl_seterr(err, errlen, "%s is not a run: it has neither runs.json (a hunt) "
				 "nor run.json (a run directory)", dir);
	doc = fl_json_load_regular(path);
	kernel = json_object_get(json_object_get(doc, "run"), "kernel");
	cand = json_string_value(json_object_get(kernel, "candidate"));
	if (!cand || !fl_name_ok(cand))
		cand = base_name(dir, base, sizeof(base));
	ret = json_array_append_new(out, kernel_entry(cand, dir, cand, "ok", ""));
	json_decref(doc);
	if (ret)
		return fl_seterr(err, errlen, "%s: the directory's name is not UTF-8 text", dir);
	return 0;
}

static bool has_boot_column(json_t *kernels)
{
	size_t i;
	json_t *k;

	json_array_foreach(kernels, i, k)
		if (json_object_get(json_object_get(k, "cells"), FL_HUNT_BOOT))
			return true;
	return false;
}

/* Every title once, in the order first seen (clean kernel first): the legend. */
static json_t *all_titles(json_t *kernels)
{
	json_t *titles = json_array(), *seen = json_object(), *k, *f;
	size_t i, j;

	json_array_foreach(kernels, i, k)
		json_array_foreach(json_object_get(k, "findings"), j, f) {
			const char *t = json_string_value(json_object_get(f, "title"));

			if (json_object_get(seen, t))
				continue;
			json_object_set_new(seen, t, json_true());
			json_array_append_new(titles, json_string(t));
		}
	json_decref(seen);
	return titles;
}

static json_t *build(json_t *kernels, char *err, size_t errlen)
{
	json_t *cols = json_array(), *k, *clean;
	const char *suite = NULL;
	size_t i;

	json_array_foreach(kernels, i, k) {
		json_object_set_new(k, "clean", json_boolean(i == 0));
		if (load_kernel(k, json_string_value(json_object_get(k, "dir")), cols, err,
				errlen)) {
			json_decref(cols);
			return NULL;
		}
		if (!suite)
			suite = json_string_value(json_object_get(k, "suite"));
	}
	if (has_boot_column(kernels))
		json_array_append_new(cols, json_string(FL_HUNT_BOOT));
	clean = json_array_get(kernels, 0);
	return json_pack("{s:s, s:s?, s:s, s:o, s:o, s:O, s:b}", "schema", FL_HUNT_SCHEMA,
			 "suite", suite, "time_to_first",
			 "the wall time of the kernel's cases in the order they ran (round by "
			 "round, each in suite order), summed to the end of the case that first "
			 "showed the title; boots and other kernels' turns not counted",
			 "columns", cols, "titles", all_titles(kernels), "kernels", kernels,
			 "false_alarm", json_array_size(json_object_get(clean, "findings")) > 0);
}

json_t *fl_hunt_load(const char *const *dirs, size_t ndirs, char *err, size_t errlen)
{
	json_t *kernels = json_array(), *doc;

	for (size_t i = 0; i < ndirs; i++) {
		if (expand(dirs[i], kernels, err, errlen)) {
			json_decref(kernels);
			return NULL;
		}
	}
	if (!json_array_size(kernels)) {
		json_decref(kernels);
		fl_seterr(err, errlen, "no kernels to report on");
		return NULL;
	}
	doc = build(kernels, err, errlen);
	json_decref(kernels);
	return doc;
}

bool fl_hunt_false_alarm(json_t *doc)
{
	return json_is_true(json_object_get(doc, "false_alarm"));
}

bool fl_hunt_clean_missing(json_t *doc)
{
	json_t *clean = json_array_get(json_object_get(doc, "kernels"), 0);

	return json_integer_value(json_object_get(clean, "cases_run")) == 0 &&
	       !json_array_size(json_object_get(clean, "findings"));
}
