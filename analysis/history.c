// SPDX-License-Identifier: GPL-2.0
/* The nightly history index and its run directories. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "casedoc.h"
#include "fl_json.h"
#include "fl_safe.h"
#include "fl_util.h"
#include "compare.h"
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

/* Copy a regular file (not a link: a run directory from elsewhere could link /etc/shadow
 * into the history) to a new file in a directory faultline made. */
static int copy_file(const char *from, const char *to, char *err, size_t errlen)
{
	int in = open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK), out = -1;
	char buf[65536];
	struct stat st;
	ssize_t n = 0;

	if (in < 0 && errno == ELOOP)
		return fl_seterr(err, errlen, "%s is a symbolic link; a run directory's files are "
				 "copied only when they are regular files", from);
	if (in < 0)
		return fl_seterr(err, errlen, "cannot read %s: %s", from, strerror(errno));
	if (fstat(in, &st) || !S_ISREG(st.st_mode)) {
		close(in);
		return fl_seterr(err, errlen, "%s is not a regular file; a run directory holds "
				 "only regular files", from);
	}
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (out < 0) {
		close(in);
		return fl_seterr(err, errlen, "cannot write %s: %s", to, strerror(errno));
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	close(in);
	if (close(out) || n < 0)
		return fl_seterr(err, errlen, "cannot copy %s to %s: %s", from, to, strerror(errno));
	return 0;
}

/* A directory faultline writes into: made now, or one that is a real directory already
 * (a symbolic link planted in a history would send the copies elsewhere). */
static int mkdir_ok(const char *p, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(p, 0755) && errno != EEXIST)
		return fl_seterr(err, errlen, "cannot create directory %s: %s", p, strerror(errno));
	if (lstat(p, &st) || !S_ISDIR(st.st_mode))
		return fl_seterr(err, errlen, "%s is not a directory (a symbolic link or a file is "
				 "not written through)", p);
	return 0;
}

int fl_history_run_dir(const char *hist, json_t *entry, char *path, size_t len, char *err,
		       size_t errlen)
{
	const char *dir = json_string_value(json_object_get(entry, "dir"));
	char shown[80];

	if (!dir || strncmp(dir, "runs/", 5) || !fl_name_ok(dir + 5))
		return fl_seterr(err, errlen, "%s/index.json: a run's \"dir\" is \"%s\"; expected "
				 "runs/NAME (NAME: letters, digits, '.', '_', '+', '-')", hist,
				 fl_text_clean(shown, sizeof(shown), dir ? dir : "(none)"));
	if (snprintf(path, len, "%s/%s", hist, dir) >= (int)len)
		return fl_seterr(err, errlen, "%s/%s: path too long", hist, dir);
	return fl_path_under(hist, path, err, errlen);
}

int fl_history_import(const char *dir, const char *src, const char *id, char *dst,
		      size_t dstlen, char *err, size_t errlen)
{
	char tmp[1400], from[2400], to[2400];
	struct dirent *e;
	DIR *d;
	int ret = 0;

	if (fl_name_check("the run's id", id, err, errlen))
		return -1;
	if (mkdir(dir, 0755) && errno != EEXIST)
		return fl_seterr(err, errlen, "cannot create directory %s: %s", dir, strerror(errno));
	snprintf(tmp, sizeof(tmp), "%s/runs", dir);
	if (mkdir_ok(tmp, err, errlen))
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

/* Remove the files of a flat directory, then the directory; a symbolic link in its place is
 * refused, not followed (entries are removed relative to the opened directory). */
static int rm_flat(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent *e;
	DIR *d;

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return fl_seterr(err, errlen, "cannot open the directory %s: %s", path,
				 errno == ELOOP || errno == ENOTDIR ? "it is not a directory "
				 "(a symbolic link is not followed)" : strerror(errno));
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return fl_seterr(err, errlen, "cannot open %s: %s", path, strerror(errno));
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(fd, e->d_name, 0) && errno != ENOENT) {
			closedir(d);
			return fl_seterr(err, errlen, "cannot remove %s/%s: %s", path, e->d_name,
					 strerror(errno));
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
	char run[1400], path[1500];
	int pruned = 0;

	for (i = 0; i + keep < n; i++) {
		e = json_array_get(runs, i);
		if (json_is_true(json_object_get(e, "pruned")))
			continue;
		if (fl_history_run_dir(dir, e, run, sizeof(run), err, errlen))
			return -1;
		snprintf(path, sizeof(path), "%s/cases", run);
		if (rm_flat(path, err, errlen))
			return -1;
		snprintf(path, sizeof(path), "%s/logs", run);
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
		const struct fl_run_case *c = &r->cases[i];
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
			const struct fl_run_case *o = &r->cases[j];
			const struct fl_item *it;

			if (strcmp(o->key, c->key) || o->warmup || strcmp(o->status, "ok"))
				continue;
			it = fl_run_case_item(o, m->name);
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

void fl_history_entry_run(json_t *entry, const struct fl_run *r)
{
	json_t *k = json_object_get(r->info, "kernel");
	json_t *st = json_object_get(r->info, "started");

	if (json_is_string(st))
		json_object_set(entry, "started", st);
	if (json_is_object(k))
		json_object_set_new(entry, "kernel", json_pack("{s:O, s:O}", "release",
			json_is_string(json_object_get(k, "release")) ?
			json_object_get(k, "release") : json_null(), "candidate",
			json_is_string(json_object_get(k, "candidate")) ?
			json_object_get(k, "candidate") : json_null()));
}

/* "11-30 12:05" from "2026-11-30T12:05:17Z" (started, added) or a run id's
 * "20261130-120505": the first of them that reads as a time. */
static void entry_date(json_t *e, json_t *info, char *buf, size_t len)
{
	const char *st[] = { json_string_value(json_object_get(e, "started")),
			     json_string_value(json_object_get(info, "started")) };
	const char *id = json_string_value(json_object_get(e, "id")) ?: "", *d;

	for (size_t i = 0; i < 2; i++)
		if (st[i] && strlen(st[i]) >= 16 && st[i][4] == '-' && st[i][10] == 'T') {
			snprintf(buf, len, "%.5s %.5s", st[i] + 5, st[i] + 11);
			return;
		}
	for (d = id; *d; d++)	/* YYYYMMDD-HHMMSS in a run id */
		if (strspn(d, "0123456789") == 8 && d[8] == '-' && strspn(d + 9, "0123456789") >= 4) {
			snprintf(buf, len, "%.2s-%.2s %.2s:%.2s", d + 4, d + 6, d + 9, d + 11);
			return;
		}
	d = json_string_value(json_object_get(e, "added")) ?: "?";
	snprintf(buf, len, "%.5s %.5s", strlen(d) >= 16 ? d + 5 : d, strlen(d) >= 16 ? d + 11 :
		 "");
}

/* The kernel of a run for an x label: its candidate name, else its release, in ASCII; a
 * long one keeps its head and tail ("6.18.0-r..next-spf"). */
static void entry_kernel(json_t *k, char *buf, size_t len)
{
	const char *v = json_string_value(json_object_get(k, "candidate"));
	char tmp[256];
	size_t n;

	if (!v)
		v = json_string_value(json_object_get(k, "release"));
	fl_text_clean(tmp, sizeof(tmp), v ? v : "?");
	for (char *c = tmp; *c; c++)	/* ASCII: the cut below is on bytes */
		if ((unsigned char)*c >= 0x80)
			*c = '?';
	n = strlen(tmp);
	if (n > 18 && snprintf(buf, len, "%.8s..%s", tmp, tmp + n - 8) >= (int)len)
		buf[0] = '\0';
	else if (n <= 18 && snprintf(buf, len, "%s", tmp) >= (int)len)
		buf[0] = '\0';
}

/* The "run" object of an entry's run.json, for entries written before "kernel" was kept. */
static json_t *entry_info(const char *hist, json_t *e)
{
	char dir[1400], path[1500], err[FL_ERRLEN];
	json_t *doc, *info;

	if (!hist || json_object_get(e, "kernel") ||
	    fl_history_run_dir(hist, e, dir, sizeof(dir), err, sizeof(err)))
		return NULL;
	snprintf(path, sizeof(path), "%s/run.json", dir);
	if (access(path, F_OK))
		return NULL;
	doc = fl_rundoc_load(path, err, sizeof(err));
	info = json_incref(json_object_get(doc, "run"));
	json_decref(doc);
	return json_is_object(info) ? info : (json_decref(info), NULL);
}

json_t *fl_history_entry_kernel(const char *hist, json_t *e)
{
	json_t *k = json_object_get(e, "kernel"), *info;

	if (json_is_object(k))
		return json_incref(k);
	info = entry_info(hist, e);
	k = json_incref(json_object_get(info, "kernel"));
	json_decref(info);
	return k;
}

/* Per workload, the parameters whose values differ among its groups in runs [from, n). */
static json_t *varying_params(json_t *runs, size_t from, size_t n)
{
	json_t *first = json_object(), *vary = json_object(), *g;
	size_t i, k;

	for (i = from; i < n; i++)
		json_array_foreach(json_object_get(json_array_get(runs, i), "summary"), k, g) {
			const char *wl = json_string_value(json_object_get(g, "workload")) ?: "?";
			const char *key = json_string_value(json_object_get(g, "key")) ?: "";
			json_t *params = strlen(key) > strlen(wl) ?
				json_loads(key + strlen(wl), 0, NULL) : NULL, *f, *v;
			const char *pk;

			f = json_object_get(first, wl);
			if (!f && json_is_object(params)) {
				json_object_set(first, wl, params);
				json_object_set_new(vary, wl, json_object());
			}
			json_object_foreach(params, pk, v)
				if (f && !json_equal(v, json_object_get(f, pk)))
					json_object_set_new(json_object_get(vary, wl), pk, json_true());
			json_object_foreach(f, pk, v)	/* a parameter a later group lacks */
				if (json_is_object(params) && !json_object_get(params, pk))
					json_object_set_new(json_object_get(vary, wl), pk, json_true());
			json_decref(params);
		}
	json_decref(first);
	return vary;
}

/* "percore-map threads=4 mode=shared-mm: ops_per_s": the workload, the parameters that
 * vary among its groups, the metric; cut to fit a plot's title. */
static void series_title(json_t *g, json_t *vary, char *buf, size_t len)
{
	const char *wl = json_string_value(json_object_get(g, "workload")) ?: "?";
	const char *key = json_string_value(json_object_get(g, "key")) ?: "", *pk;
	json_t *params = strlen(key) > strlen(wl) ? json_loads(key + strlen(wl), 0, NULL) : NULL;
	json_t *v, *keys = json_object_get(vary, wl);
	char t[600], shown[600];
	size_t off;

	off = (size_t)snprintf(t, sizeof(t), "%s", wl);
	json_object_foreach(keys, pk, v) {
		json_t *pv = json_object_get(params, pk);
		char val[64];

		if (json_is_string(pv))
			snprintf(val, sizeof(val), "%s", json_string_value(pv));
		else if (json_is_integer(pv))
			snprintf(val, sizeof(val), "%lld", (long long)json_integer_value(pv));
		else if (json_is_number(pv))
			snprintf(val, sizeof(val), "%g", json_number_value(pv));
		else
			snprintf(val, sizeof(val), "%s", json_is_true(pv) ? "true" : pv ? "false" :
				 "-");
		if (off < sizeof(t))
			off += (size_t)snprintf(t + off, sizeof(t) - off, " %s=%s", pk, val);
	}
	if (off < sizeof(t))
		snprintf(t + off, sizeof(t) - off, ": %s",
			 json_string_value(json_object_get(g, "metric")) ?: "?");
	json_decref(params);
	fl_text_clean(shown, sizeof(shown), t);
	if (strlen(shown) > 100) {
		shown[96] = '\0';
		fl_utf8_cut(shown);
		strcat(shown, "...");
	}
	if (snprintf(buf, len, "%s", shown) >= (int)len)
		fl_utf8_cut(buf);
}

json_t *fl_history_trend(const char *hist, json_t *index, size_t max)
{
	json_t *runs = json_object_get(index, "runs"), *series = json_array(), *byname =
		json_object(), *labels = json_array(), *e, *g, *vary;
	size_t n = json_array_size(runs), from = n > max ? n - max : 0, i, k;

	vary = varying_params(runs, from, n);
	for (i = from; i < n; i++) {
		json_t *info;
		char date[64], kern[64];

		e = json_array_get(runs, i);
		info = entry_info(hist, e);
		entry_date(e, info, date, sizeof(date));
		entry_kernel(json_object_get(e, "kernel") ?: json_object_get(info, "kernel"), kern,
			     sizeof(kern));
		json_decref(info);
		json_array_append_new(labels, json_pack("{s:s, s:s, s:s, s:s}", "id",
			json_string_value(json_object_get(e, "id")) ?: "?", "date", date, "kernel",
			kern, "status", json_string_value(json_object_get(e, "status")) ?: "?"));
		json_array_foreach(json_object_get(e, "summary"), k, g) {
			char name[1200], title[200];
			json_t *se;

			snprintf(name, sizeof(name), "%s: %s", json_string_value(json_object_get(g,
				 "key")) ?: "?", json_string_value(json_object_get(g, "metric")) ?: "?");
			se = json_object_get(byname, name);
			if (!se) {
				series_title(g, vary, title, sizeof(title));
				se = json_pack("{s:s, s:s, s:O, s:O, s:[]}", "name", name, "title",
					       title, "unit", json_object_get(g, "unit"), "better",
					       json_object_get(g, "better"), "points");
				json_object_set_new(byname, name, se);
				json_array_append(series, se);
			}
			json_array_append_new(json_object_get(se, "points"), json_pack("[I, O, O]",
				(json_int_t)(i - from + 1), json_object_get(g, "mean"),
				json_object_get(g, "sd")));
		}
	}
	json_decref(byname);
	json_decref(vary);
	return json_pack("{s:o, s:o}", "runs", labels, "series", series);
}
