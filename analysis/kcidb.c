// SPDX-License-Identifier: GPL-2.0
/*
 * A run directory as KernelCI KCIDB I/O data, schema v4.5 (kcidb-io's kcidb_io/schema/
 * v04_05.py): one checkout (the kernel source the candidate names), one build (release + config
 * sha256 + arch), and tests: per measured case one "faultline.WORKLOAD" test with the case's
 * status and duration, and per metric with a value one "faultline.WORKLOAD.METRIC" test with
 * status DONE and the value in "number" {value, unit}. Warm-ups are left out. Every id is
 * "ORIGIN:...", no property is null (KCIDB forbids null), parameters go to misc.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "casedoc.h"
#include "fl_json.h"
#include "fl_safe.h"
#include "fl_sha256.h"
#include "fl_util.h"
#include "compare.h"
#include "kcidb.h"

/* faultline case status -> KCIDB test status. A kernel crash is the tested code's fault. */
static const char *kcidb_status(const char *st)
{
	static const char *const map[][2] = {
		{ "ok", "PASS" }, { "failed", "FAIL" }, { "crashed", "FAIL" },
		{ "timeout", "ERROR" }, { "skipped", "SKIP" }, { "interrupted", "MISS" },
		{ "pending", "MISS" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(st, map[i][0]))
			return map[i][1];
	return "ERROR";
}

/* A KCIDB test path element: [a-zA-Z0-9_-] only. */
static void path_part(char *dst, size_t len, const char *s)
{
	size_t n = 0;

	for (; *s && n + 1 < len; s++)
		dst[n++] = isalnum((unsigned char)*s) || *s == '-' ? *s : '_';
	dst[n] = '\0';
}

bool fl_kcidb_origin_ok(const char *origin)
{
	if (!*origin)
		return false;
	for (; *origin; origin++)
		if (!islower((unsigned char)*origin) && !isdigit((unsigned char)*origin) &&
		    *origin != '_')
			return false;
	return true;
}

static void set_str(json_t *o, const char *key, const char *v)
{
	if (v && *v)
		json_object_set_new(o, key, json_string(v));
}

static json_t *checkout_of(json_t *run, const char *origin, char *id, size_t idlen)
{
	json_t *k = json_object_get(run, "kernel"), *ps = json_object_get(k, "patchset");
	const char *cand = json_string_value(json_object_get(k, "candidate"));
	const char *base = json_string_value(json_object_get(k, "base"));
	const char *rel = json_string_value(json_object_get(k, "release")) ?: "unknown";
	const char *psha = json_string_value(json_object_get(ps, "sha256"));
	char key[600], hex[65], comment[512];
	json_t *c, *misc = json_object();

	snprintf(key, sizeof(key), "%s|%s|%s|%s", base ?: "", cand ?: "", rel, psha ?: "");
	fl_sha256_buf(key, strlen(key), hex);
	snprintf(id, idlen, "%s:checkout-%.16s", origin, hex);
	snprintf(comment, sizeof(comment), "%s%s%s (%s)", cand ? "candidate " : "kernel ",
		 cand ?: rel, cand ? "" : "", base ?: "running kernel, source not recorded");
	fl_utf8_cut(comment);
	c = json_pack("{s:s, s:s, s:s, s:b}", "id", id, "origin", origin, "comment", comment,
		      "valid", 1);
	set_str(c, "tree_name", base);
	if (psha && strlen(psha) == 64)
		json_object_set_new(c, "patchset_hash", json_string(psha));
	else if (ps && json_is_null(ps))
		json_object_set_new(c, "patchset_hash", json_string(""));
	set_str(c, "start_time", json_string_value(json_object_get(run, "started")));
	set_str(misc, "candidate", cand);
	set_str(misc, "release", rel);
	if (json_is_object(ps))
		json_object_set(misc, "patchset", ps);
	json_object_set_new(c, "misc", misc);
	return c;
}

static json_t *build_of(json_t *run, const char *origin, const char *checkout_id, char *id,
			size_t idlen)
{
	json_t *k = json_object_get(run, "kernel"), *t = json_object_get(run, "target");
	const char *rel = json_string_value(json_object_get(k, "release")) ?: "unknown";
	const char *cfg = json_string_value(json_object_get(json_object_get(k, "config"),
							    "sha256"));
	const char *arch = json_string_value(json_object_get(t, "arch")) ?: "";
	const char *cand = json_string_value(json_object_get(k, "candidate"));
	char key[400], hex[65], archp[64];
	json_t *b, *misc = json_object();

	snprintf(key, sizeof(key), "%s|%s|%s", rel, cfg ?: "", arch);
	fl_sha256_buf(key, strlen(key), hex);
	snprintf(id, idlen, "%s:build-%.16s", origin, hex);
	for (size_t i = 0; arch[i] && i + 1 < sizeof(archp); i++)	/* ^[a-z0-9_]*$ */
		archp[i] = isalnum((unsigned char)arch[i]) ? (char)tolower(arch[i]) : '_',
		archp[i + 1] = '\0';
	if (!*arch)
		archp[0] = '\0';
	b = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "id", id, "origin", origin,
		      "checkout_id", checkout_id, "config_name", cand ?: rel, "comment", rel,
		      "valid", 1);
	set_str(b, "architecture", archp);
	set_str(misc, "release", rel);
	set_str(misc, "config_sha256", cfg);
	if (json_is_object(json_object_get(k, "mechanisms")))
		json_object_set(misc, "mechanisms", json_object_get(k, "mechanisms"));
	json_object_set_new(b, "misc", misc);
	return b;
}

static json_t *environment_of(json_t *run)
{
	json_t *t = json_object_get(run, "target"), *h = json_object_get(run, "host");
	char comment[400];

	snprintf(comment, sizeof(comment), "faultline target %s on %s",
		 json_string_value(json_object_get(t, "kind")) ?: "?",
		 json_string_value(json_object_get(h, "hostname")) ?: "?");
	fl_utf8_cut(comment);
	return json_pack("{s:s, s:{s:O, s:O}}", "comment", comment, "misc", "target",
			 t ?: json_null(), "host", h ?: json_null());
}

/* The case's own test and one test per metric value. */
static void case_tests(json_t *tests, json_t *run, json_t *doc, const char *origin,
		       const char *build_id, const char *file)
{
	json_t *cs = json_object_get(doc, "case"), *m, *t, *env = environment_of(run);
	const char *wl = json_string_value(json_object_get(cs, "workload")) ?: "unknown";
	const char *st = json_string_value(json_object_get(cs, "status")) ?: "failed";
	const char *rid = json_string_value(json_object_get(run, "id")) ?: "run";
	const char *reason = json_string_value(json_object_get(cs, "reason"));
	const char *key, *slash = strrchr(file, '/');
	char wlp[128], mp[128], path[300], id[600], base[400];
	json_t *misc = json_pack("{s:O?, s:O?, s:s}", "params", json_object_get(cs, "params"),
				 "iteration", json_object_get(cs, "iteration"), "file", file);

	path_part(wlp, sizeof(wlp), wl);
	snprintf(base, sizeof(base), "%s:%s/%s", origin, rid, slash ? slash + 1 : file);
	fl_utf8_cut(base);
	snprintf(path, sizeof(path), "faultline.%s", wlp);
	t = json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:o}", "id", base, "origin", origin,
		      "build_id", build_id, "path", path, "status", kcidb_status(st),
		      "environment", env, "misc", misc);
	set_str(t, "start_time", json_string_value(json_object_get(run, "started")));
	set_str(t, "comment", reason);
	if (json_is_number(json_object_get(cs, "measured_s")))
		json_object_set(t, "duration", json_object_get(cs, "measured_s"));
	json_array_append_new(tests, t);
	json_object_foreach(json_object_get(cs, "metrics"), key, m) {
		json_t *v = json_object_get(m, "value"), *num;

		if (strcmp(st, "ok") || !json_is_number(v))
			continue;
		path_part(mp, sizeof(mp), key);
		snprintf(path, sizeof(path), "faultline.%s.%s", wlp, mp);
		snprintf(id, sizeof(id), "%s.%s", base, mp);
		fl_utf8_cut(id);
		num = json_pack("{s:O}", "value", v);
		set_str(num, "unit", json_string_value(json_object_get(m, "unit")));
		t = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:O, s:{s:O?, s:O?, s:s}}", "id", id,
			      "origin", origin, "build_id", build_id, "path", path, "status",
			      "DONE", "number", num, "environment", env, "misc", "params",
			      json_object_get(cs, "params"), "iteration",
			      json_object_get(cs, "iteration"), "better",
			      json_string_value(json_object_get(m, "better")) ?: "none");
		json_array_append_new(tests, t);
	}
	json_decref(env);
}

/* KCIDB allows no null anywhere: drop null members (the kernel's unknown mechanisms). */
static void drop_nulls(json_t *v)
{
	const char *key;
	json_t *m;
	void *tmp;
	size_t i;

	if (json_is_array(v))
		json_array_foreach(v, i, m)
			drop_nulls(m);
	json_object_foreach_safe(v, tmp, key, m) {
		if (json_is_null(m))
			json_object_del(v, key);
		else
			drop_nulls(m);
	}
}

/*
 * The case document of run.json's entry c in *doc: only cases/NAME, a regular file (run.json
 * may come from elsewhere); one never written (pending) or unusable is the plan's entry, whose
 * status says so. -1 (err) for another schema major, which refuses the export.
 */
static int case_doc(const char *path, const char *file, json_t *c, json_t **doc, char *err,
		    size_t errlen)
{
	struct fl_casedoc d = { 0 };

	if (!strncmp(file, "cases/", 6) && fl_name_ok(file + 6) &&
	    !fl_casedoc_load(&d, path, err, errlen)) {
		*doc = json_incref(d.doc);
		fl_casedoc_free(&d);
		return 0;
	}
	if (d.foreign)
		return -1;
	*doc = json_pack("{s:{s:O, s:O, s:O, s:O}}", "case", "workload",
			 json_object_get(c, "workload"), "params", json_object_get(c, "params"),
			 "iteration", json_object_get(c, "iteration"), "status",
			 json_object_get(c, "status"));
	return 0;
}

json_t *fl_kcidb_export(const char *dir, const char *origin, char *err, size_t errlen)
{
	char path[1400], checkout_id[128], build_id[128];
	json_t *runjson, *run, *tests = json_array(), *c, *out;
	size_t i;

	snprintf(path, sizeof(path), "%s/run.json", dir);
	runjson = fl_rundoc_load(path, err, errlen);
	if (!runjson) {
		json_decref(tests);
		return NULL;
	}
	run = json_object_get(runjson, "run");
	if (!json_is_object(run) || !json_is_array(json_object_get(runjson, "cases"))) {
		json_decref(runjson);
		json_decref(tests);
		return fl_seterr(err, errlen, "%s is not a faultline run.json (no run or cases)",
				 path), NULL;
	}
	out = json_pack("{s:{s:i, s:i}, s:[o], s:[], s:o}", "version", "major", 4, "minor", 5,
			"checkouts", checkout_of(run, origin, checkout_id, sizeof(checkout_id)),
			"builds", "tests", tests);
	if (!out) {	/* Jansson took tests with it */
		json_decref(runjson);
		return fl_seterr(err, errlen, "%s: cannot make a KCIDB checkout of its kernel "
				 "identity", path), NULL;
	}
	json_array_append_new(json_object_get(out, "builds"),
			      build_of(run, origin, checkout_id, build_id, sizeof(build_id)));
	json_array_foreach(json_object_get(runjson, "cases"), i, c) {
		const char *file = json_string_value(json_object_get(c, "file"));
		json_t *doc;

		if (!file || json_is_true(json_object_get(c, "warmup")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		if (case_doc(path, file, c, &doc, err, errlen)) {
			json_decref(runjson);
			json_decref(out);
			return NULL;
		}
		case_tests(tests, run, doc, origin, build_id, file);
		json_decref(doc);
	}
	json_decref(runjson);
	drop_nulls(out);
	return out;
}
