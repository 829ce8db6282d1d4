// SPDX-License-Identifier: GPL-2.0
/* The nightly history index and its run directories. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fl_json.h"
#include "fl_util.h"
#include "history.h"
#include "stats.h"

json_t *fl_history_load(const char *dir, char *err, size_t errlen)
{
	char path[1100];
	json_t *idx;

	snprintf(path, sizeof(path), "%s/index.json", dir);
	if (access(path, F_OK))
		return json_pack("{s:s, s:[]}", "schema", FL_HISTORY_SCHEMA, "runs");
	idx = fl_json_load(path, err, errlen);
	if (idx && (!json_is_array(json_object_get(idx, "runs")) ||
		    strcmp(json_string_value(json_object_get(idx, "schema")) ?: "",
			   FL_HISTORY_SCHEMA))) {
		json_decref(idx);
		fl_seterr(err, errlen, "%s is not a faultline history index (expected schema %s "
			  "and a runs array)", path, FL_HISTORY_SCHEMA);
		return NULL;
	}
	return idx;
}

int fl_history_save(const char *dir, json_t *index, char *err, size_t errlen)
{
	char path[1100];

	snprintf(path, sizeof(path), "%s/index.json", dir);
	return fl_json_write_atomic(path, index, err, errlen);
}

static int copy_file(const char *from, const char *to, char *err, size_t errlen)
{
	FILE *in = fopen(from, "rb"), *out;
	char buf[65536];
	size_t n;

	if (!in)
		return fl_seterr(err, errlen, "cannot read %s: %s", from, strerror(errno));
	out = fopen(to, "wb");
	if (!out) {
		fclose(in);
		return fl_seterr(err, errlen, "cannot write %s: %s", to, strerror(errno));
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			break;
	n = (size_t)ferror(in);
	fclose(in);
	if (fclose(out) || n)
		return fl_seterr(err, errlen, "cannot copy %s to %s", from, to);
	return 0;
}

static int mkdir_ok(const char *p, char *err, size_t errlen)
{
	if (mkdir(p, 0755) && errno != EEXIST)
		return fl_seterr(err, errlen, "cannot create directory %s: %s", p, strerror(errno));
	return 0;
}

int fl_history_import(const char *dir, const char *src, const char *id, char *dst,
		      size_t dstlen, char *err, size_t errlen)
{
	char tmp[1400], from[2400], to[2400];
	struct dirent *e;
	DIR *d;
	int ret = 0;

	snprintf(tmp, sizeof(tmp), "%s/runs", dir);
	if (mkdir_ok(dir, err, errlen) || mkdir_ok(tmp, err, errlen))
		return -1;
	snprintf(dst, dstlen, "%s/runs/%s", dir, id);
	if (!access(dst, F_OK))
		return fl_seterr(err, errlen, "%s is already in the history (%s)", id, dst);
	snprintf(tmp, sizeof(tmp), "%s/runs/.import-%s", dir, id);
	snprintf(from, sizeof(from), "%s/cases", tmp);
	if (mkdir_ok(tmp, err, errlen) || mkdir_ok(from, err, errlen))
		return -1;
	snprintf(from, sizeof(from), "%s/run.json", src);
	snprintf(to, sizeof(to), "%s/run.json", tmp);
	if (!access(from, F_OK) && copy_file(from, to, err, errlen))
		return -1;
	snprintf(from, sizeof(from), "%s/cases", src);
	d = opendir(from);
	if (!d)
		return fl_seterr(err, errlen, "%s is not a faultline run directory: no cases/", src);
	while (!ret && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(from, sizeof(from), "%s/cases/%s", src, e->d_name);
		snprintf(to, sizeof(to), "%s/cases/%s", tmp, e->d_name);
		ret = copy_file(from, to, err, errlen);
	}
	closedir(d);
	if (!ret && rename(tmp, dst))
		ret = fl_seterr(err, errlen, "cannot rename %s to %s: %s", tmp, dst,
				strerror(errno));
	return ret;
}

/* Remove the files of a flat directory, then the directory. */
static int rm_flat(const char *path, char *err, size_t errlen)
{
	char f[2400];
	struct dirent *e;
	DIR *d = opendir(path);

	if (!d)
		return errno == ENOENT ? 0 : fl_seterr(err, errlen, "cannot open %s: %s", path,
						       strerror(errno));
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(f, sizeof(f), "%s/%s", path, e->d_name);
		if (unlink(f) && errno != ENOENT) {
			closedir(d);
			return fl_seterr(err, errlen, "cannot remove %s: %s", f, strerror(errno));
		}
	}
	closedir(d);
	if (rmdir(path) && errno != ENOENT)
		return fl_seterr(err, errlen, "cannot remove %s: %s", path, strerror(errno));
	return 0;
}

int fl_history_prune(const char *dir, json_t *index, size_t keep, char *err, size_t errlen)
{
	json_t *runs = json_object_get(index, "runs"), *e;
	size_t n = json_array_size(runs), i;
	char path[1400];
	int pruned = 0;

	for (i = 0; i + keep < n; i++) {
		e = json_array_get(runs, i);
		if (json_is_true(json_object_get(e, "pruned")))
			continue;
		snprintf(path, sizeof(path), "%s/%s/cases", dir,
			 json_string_value(json_object_get(e, "dir")) ?: "");
		if (rm_flat(path, err, errlen))
			return -1;
		snprintf(path, sizeof(path), "%s/%s/logs", dir,
			 json_string_value(json_object_get(e, "dir")) ?: "");
		if (rm_flat(path, err, errlen))
			return -1;
		json_object_set_new(e, "pruned", json_true());
		pruned++;
	}
	return pruned;
}

json_t *fl_history_summary(const struct fl_run *r)
{
	json_t *out = json_array(), *seen = json_object();
	double *x = calloc(r->ncases + 1, sizeof(double));

	for (size_t i = 0; x && i < r->ncases; i++) {
		const struct fl_case *c = &r->cases[i];
		const struct fl_item *m = NULL;
		struct fl_desc d;
		size_t n = 0;

		if (json_object_get(seen, c->key))
			continue;
		json_object_set_new(seen, c->key, json_true());
		for (size_t j = 0; j < r->ncases && !m; j++)
			for (size_t k = 0; k < r->cases[j].nitems && !m; k++) {
				const struct fl_item *it = &r->cases[j].items[k];

				if (!strcmp(r->cases[j].key, c->key) && it->kind == FL_ITEM_METRIC &&
				    it->better != 'n' && it->status == FL_ITEM_OK)
					m = it;
			}
		if (!m)
			continue;
		for (size_t j = 0; j < r->ncases; j++) {
			const struct fl_case *o = &r->cases[j];
			const struct fl_item *it;

			if (strcmp(o->key, c->key) || o->warmup || strcmp(o->status, "ok"))
				continue;
			it = fl_case_item(o, m->name);
			if (it && it->status == FL_ITEM_OK)
				x[n++] = it->value;
		}
		fl_describe(x, n, &d);
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:o}",
			"key", c->key, "workload", c->workload, "metric", m->name,
			"unit", m->unit ? m->unit : "", "better", m->better == 'h' ? "higher" :
			"lower", "n", (json_int_t)n, "mean", isfinite(d.mean) ? json_real(d.mean) :
			json_null(), "sd", isfinite(d.sd) ? json_real(d.sd) : json_null()));
	}
	free(x);
	json_decref(seen);
	return out;
}

json_t *fl_history_trend(json_t *index, size_t max)
{
	json_t *runs = json_object_get(index, "runs"), *series = json_array(), *byname =
		json_object(), *e, *g;
	size_t n = json_array_size(runs), from = n > max ? n - max : 0, i, k;

	for (i = from; i < n; i++) {
		e = json_array_get(runs, i);
		json_array_foreach(json_object_get(e, "summary"), k, g) {
			char name[600];
			json_t *se;
			const char *id = json_string_value(json_object_get(e, "id")) ?: "?";
			size_t l = strlen(id);

			snprintf(name, sizeof(name), "%s: %s", json_string_value(json_object_get(g,
				 "key")) ?: "?", json_string_value(json_object_get(g, "metric")) ?: "?");
			for (char *c = name; *c; c++)	/* readable in a plot title */
				if (strchr("{}\"'_", *c))
					*c = *c == '_' ? '-' : ' ';
			se = json_object_get(byname, name);
			if (!se) {
				se = json_pack("{s:s, s:O, s:[]}", "name", name, "unit",
					       json_object_get(g, "unit"), "points");
				json_object_set_new(byname, name, se);
				json_array_append(series, se);
			}
			/* x label: the run id's last 13 characters (time and suffix) */
			json_array_append_new(json_object_get(se, "points"), json_pack("[s, O, O]",
				l > 13 ? id + l - 13 : id, json_object_get(g, "mean"),
				json_object_get(g, "sd")));
		}
	}
	json_decref(byname);
	return series;
}
