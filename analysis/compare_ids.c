// SPDX-License-Identifier: GPL-2.0
/* compare: each run's identity (kernel, target), the names its columns are headed
 * by, how the identities differ, and how the runs' host conditions differ. */
#include <stdio.h>
#include <string.h>
#include "compare_int.h"
#include "conditions.h"

static json_t *str_or_null(json_t *v)
{
	return json_is_string(v) ? json_incref(v) : json_null();
}

json_t *fl_cmp_identity_of(struct fl_run *r)
{
	json_t *k = json_object_get(r->info, "kernel"), *t = json_object_get(r->info, "target");
	json_t *cfg = json_object_get(json_object_get(k, "config"), "sha256");
	json_t *ps = json_object_get(k, "patchset");

	if (!json_is_string(cfg))
		cfg = json_object_get(k, "config_sha256");
	return json_pack("{s:s, s:s, s:o, s:s, s:I, s:I, s:{s:o, s:o, s:o, s:O, s:o, s:o, s:O}, "
			 "s:{s:o, s:o, s:O, s:o}}",
		"label", r->label, "dir", r->dir, "id", str_or_null(json_object_get(r->info, "id")),
		"state", r->state, "cases", (json_int_t)r->ncases,
		"skipped", (json_int_t)json_array_size(r->skipped),
		"kernel", "release", str_or_null(json_object_get(k, "release")),
		"candidate", str_or_null(json_object_get(k, "candidate")),
		"base", str_or_null(json_object_get(k, "base")),
		"patchset", json_is_object(ps) ? ps : json_null(),
		"config_sha256", str_or_null(cfg),
		"cmdline", str_or_null(json_object_get(k, "cmdline")),
		"mechanisms", json_is_object(json_object_get(k, "mechanisms")) ?
			json_object_get(k, "mechanisms") : json_null(),
		"target", "kind", str_or_null(json_object_get(t, "kind")),
		"arch", str_or_null(json_object_get(t, "arch")),
		"cpus", json_is_integer(json_object_get(t, "cpus")) ? json_object_get(t, "cpus") :
			json_null(),
		"accel", str_or_null(json_object_get(t, "accel")));
}

/* The kernel's name of a run: its candidate, else its release, else its directory's name. */
static void base_name(json_t *r, char *buf, size_t len)
{
	json_t *k = json_object_get(r, "kernel");
	const char *n = json_string_value(json_object_get(k, "candidate"));
	const char *dir = json_string_value(json_object_get(r, "dir")), *slash;

	if (!n || !*n)
		n = json_string_value(json_object_get(k, "release"));
	if ((!n || !*n) && dir) {
		size_t dl = strlen(dir);

		while (dl > 1 && dir[dl - 1] == '/')
			dl--;
		for (slash = dir + dl; slash > dir && slash[-1] != '/'; slash--)
			;
		snprintf(buf, len, "%.*s", (int)(dir + dl - slash), slash);
		fl_utf8_cut(buf);
		return;
	}
	snprintf(buf, len, "%s", n && *n ? n : json_string_value(json_object_get(r, "label")));
	fl_utf8_cut(buf);
}

static size_t same_name(json_t *ids, size_t i, const char *field)
{
	const char *n = json_string_value(json_object_get(json_array_get(ids, i), field));
	size_t same = 0, j;
	json_t *r;

	json_array_foreach(ids, j, r)
		same += j != i && !strcmp(n, json_string_value(json_object_get(r, field)) ?: "");
	return same;
}

/* Each run's "name" for column heads: the kernel's name; runs sharing it are told apart by
 * their start time (HH:MM of the run id), then by their label. */
void fl_cmp_name_runs(json_t *ids)
{
	char name[96], n2[112];
	json_t *r;
	size_t i;

	json_array_foreach(ids, i, r) {
		base_name(r, name, 41);
		json_object_set_new(r, "name", json_string(name));
	}
	json_array_foreach(ids, i, r) {
		const char *id = json_string_value(json_object_get(r, "id"));

		snprintf(name, sizeof(name), "%s", json_string_value(json_object_get(r, "name")));
		if (!same_name(ids, i, "name"))
			continue;
		if (id && strlen(id) >= 13 && id[8] == '-' && strspn(id, "0123456789") == 8 &&
		    strspn(id + 9, "0123456789") >= 4)
			snprintf(n2, sizeof(n2), "%s %.2s:%.2s", name, id + 9, id + 11);
		else
			snprintf(n2, sizeof(n2), "%s", name);
		json_object_set_new(r, "name2", json_string(n2));
	}
	json_array_foreach(ids, i, r) {
		json_t *n2j = json_object_get(r, "name2");

		if (!n2j)
			continue;
		snprintf(name, sizeof(name), "%s", json_string_value(n2j));
		if (same_name(ids, i, "name2"))	/* same start: the label alone */
			snprintf(n2, sizeof(n2), "%s %s", json_string_value(json_object_get(r,
				 "name")), json_string_value(json_object_get(r, "label")));
		else
			snprintf(n2, sizeof(n2), "%s", name);
		json_object_set_new(r, "shown_name", json_string(n2));
	}
	json_array_foreach(ids, i, r) {
		json_t *sn = json_object_get(r, "shown_name");

		if (sn)
			json_object_set(r, "name", sn);
		json_object_del(r, "name2");
		json_object_del(r, "shown_name");
	}
}

static void diff_field(json_t *diffs, json_t *runs, const char *what, const char *sect,
		       const char *field, bool long_value)
{
	json_t *first = json_object_get(json_object_get(json_array_get(runs, 0), sect), field);
	char line[1024], val[128];
	size_t i, off;
	json_t *r;
	bool differ = false;

	json_array_foreach(runs, i, r)
		differ |= !json_equal(first, json_object_get(json_object_get(r, sect), field));
	if (!differ)
		return;
	if (long_value) {
		json_array_append_new(diffs, json_pack("s+", what, " differs between the runs"));
		return;
	}
	off = (size_t)snprintf(line, sizeof(line), "%s:", what);
	json_array_foreach(runs, i, r) {
		json_t *v = json_object_get(json_object_get(r, sect), field);

		if (json_is_object(v))
			snprintf(val, sizeof(val), "%s v%lld", json_string_value(json_object_get(v,
				 "name")) ?: "?", (long long)json_integer_value(json_object_get(v,
				 "version")));
		else
			fl_cmp_value_str(v ? v : json_null(), val, sizeof(val));
		if (!strcmp(field, "config_sha256") && strlen(val) > 12)
			val[12] = '\0';
		fl_utf8_cut(val);
		if (off < sizeof(line))
			off += (size_t)snprintf(line + off, sizeof(line) - off, " %s %s",
				json_string_value(json_object_get(r, "label")), val);
	}
	fl_utf8_cut(line);
	json_array_append_new(diffs, json_string(line));
}

json_t *fl_cmp_differences_of(json_t *ids)
{
	json_t *d = json_array(), *mech = json_object(), *r, *v;
	const char *k;
	size_t i;

	diff_field(d, ids, "release", "kernel", "release", false);
	diff_field(d, ids, "candidate", "kernel", "candidate", false);
	diff_field(d, ids, "base", "kernel", "base", false);
	diff_field(d, ids, "patchset", "kernel", "patchset", false);
	diff_field(d, ids, "config sha256", "kernel", "config_sha256", false);
	diff_field(d, ids, "cmdline", "kernel", "cmdline", true);
	diff_field(d, ids, "target", "target", "kind", false);
	diff_field(d, ids, "arch", "target", "arch", false);
	diff_field(d, ids, "cpus", "target", "cpus", false);
	diff_field(d, ids, "accel", "target", "accel", false);
	json_array_foreach(ids, i, r)
		json_object_foreach(json_object_get(json_object_get(r, "kernel"), "mechanisms"), k, v)
			json_object_set_new(mech, k, json_true());
	json_object_foreach(mech, k, v) {
		char what[160];
		json_t *tmp = json_array();

		json_array_foreach(ids, i, r) {
			json_t *m = json_object_get(json_object_get(json_object_get(r, "kernel"),
						    "mechanisms"), k);

			json_array_append_new(tmp, json_pack("{s:s, s:{s:O}}", "label",
					      json_string_value(json_object_get(r, "label")), "k",
					      "v", m ? m : json_null()));
		}
		snprintf(what, sizeof(what), "CONFIG_%s", k);
		fl_utf8_cut(what);
		diff_field(d, tmp, what, "k", "v", false);
		json_decref(tmp);
	}
	json_decref(mech);
	return d;
}

/* How each run's recorded host conditions (run.json run.conditions: faultline doctor) differ
 * from the first run's, as sentences: a difference in numbers may be the machine's. */
json_t *fl_cmp_conditions_of(struct fl_run *runs, size_t nruns)
{
	json_t *out = json_array();

	for (size_t r = 1; r < nruns; r++) {
		json_t *d = fl_conditions_diff_named(fl_run_conditions(runs[0].info),
						     fl_run_conditions(runs[r].info),
						     runs[0].label, runs[r].label);

		json_array_extend(out, d);
		json_decref(d);
	}
	return out;
}
