// SPDX-License-Identifier: GPL-2.0
/*
 * One kernel of a hunt (findings_kernel.h): its run dir's cases in play order and its console
 * outside them -> its findings, cells and cases not run. Every string this file reads comes from
 * documents and a console a guest wrote (untrusted): paths are built only from names that pass
 * fl_name_ok, documents are read by the one reader (casedoc.h: regular files, schema major) and
 * case documents are schema-checked before use.
 */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "casedoc.h"
#include "compare.h"
#include "console_classify.h"
#include "findings.h"
#include "findings_kernel.h"
#include "fl_json.h"
#include "fl_safe.h"
#include "fl_schema.h"
#include "fl_util.h"

#define CONSOLE_MAX (64L << 20)	/* a console.log beyond this is read from its last 64 MiB */
#define PANIC_TITLE "kernel panic"
#define PANIC_AFTER_LINES 200	/* a panic this close after a report is its consequence */

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
		fl_hunt_end_title(wl, st, reason, title, sizeof(title));
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
	char label[600], path[2200], err[FL_ERRLEN], why[FL_ERRLEN + 64];
	struct fl_casedoc d;
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
	if (fl_casedoc_load(&d, path, err, sizeof(err))) {
		snprintf(why, sizeof(why), "its case document cannot be used: %s", err);
		not_run(k, file, wl, label, st, fl_text_clean(why, sizeof(why), why));
		return;
	}
	doc = json_incref(d.doc);
	fl_casedoc_free(&d);
	if (fl_schema_validate_case(doc, err, sizeof(err))) {
		not_run(k, file, wl, label, st, "its case document is not valid");
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
	run = fl_rundoc_load(path, why, sizeof(why));
	if (!run)
		return fl_seterr(err, errlen, "%s is not a faultline run: %s", dir, why);
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

int fl_hunt_kernel_load(json_t *obj, const char *dir, json_t *cols, char *err, size_t errlen)
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
