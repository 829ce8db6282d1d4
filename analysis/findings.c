// SPDX-License-Identifier: GPL-2.0
/*
 * A hunt's findings (findings.h): run dirs -> one faultline-hunt/1 document: which kernels
 * (runs.json or run.json), each loaded by findings_kernel.c, the titles of failed cases, the
 * columns and the legend. Names from runs.json pass fl_name_ok before they become paths.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "casedoc.h"
#include "findings.h"
#include "findings_kernel.h"
#include "fl_json.h"
#include "fl_safe.h"
#include "fl_util.h"

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
	doc = fl_rundoc_load(path, err, errlen);	/* unusable: load_cases says why */
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
		if (fl_hunt_kernel_load(k, json_string_value(json_object_get(k, "dir")), cols, err,
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
