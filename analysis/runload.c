// SPDX-License-Identifier: GPL-2.0
/* Run directories for analysis. Case documents are ~27 KB, two thirds of it /proc/vmstat;
 * the vmstat object is read by a small scanner (event counters only, zeros dropped) and
 * blanked before Jansson parses the rest, which makes loading about four times faster. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fl_json.h"
#include "fl_safe.h"
#include "fl_schema.h"
#include "fl_util.h"
#include "runload.h"

static char *xstrdup(const char *s)
{
	return strdup(s ? s : "");
}

/* An unescaped '"' in [from, end), where from is inside a string: a quote preceded by an odd
 * number of backslashes is part of the string ("a\\" ends at its second quote). */
static const char *string_end(const char *from, const char *end)
{
	const char *q;

	for (const char *p = from; p < end; p = q + 1) {
		const char *b;

		q = memchr(p, '"', (size_t)(end - p));
		if (!q)
			return NULL;
		for (b = q; b > from && b[-1] == '\\'; b--)
			;
		if (!((q - b) & 1))
			return q;
	}
	return NULL;
}

/* Past the JSON value starting at p (strings, nesting); end if it does not end. */
static const char *skip_value(const char *p, const char *end)
{
	int depth = 0;

	for (; p < end; p++) {
		if (*p == '"') {
			p = string_end(p + 1, end);
			if (!p)
				return end;
			if (!depth)
				return p + 1;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			if (--depth <= 0)
				return p + 1;
		} else if (!depth && (*p == ',' || *p == '\n')) {
			return p;
		}
	}
	return end;
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
		p++;
	return p;
}

static int add_item(struct fl_run_case *c, size_t *cap, const struct fl_item *it)
{
	if (c->nitems == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		struct fl_item *n = realloc(c->items, ncap * sizeof(*n));

		if (!n)
			return -1;
		c->items = n;
		*cap = ncap;
	}
	c->items[c->nitems++] = *it;
	return 0;
}

/* The vmstat object in [p, end): event counters (no "kind": "gauge") with a value != 0, and
 * absent/unsupported items. Tolerates any whitespace; keys without escapes. */
static void scan_vmstat(struct fl_run_case *c, size_t *cap, const char *p, const char *end)
{
	p = skip_ws(p, end);
	if (p >= end || *p != '{')
		return;
	c->has_vmstat = true;
	for (p++;;) {
		const char *k, *ke, *v, *ve, *f;
		struct fl_item it = { .kind = FL_ITEM_VMSTAT, .better = 'n' };
		char name[160];

		p = skip_ws(p, end);
		if (p < end && *p == ',')
			p = skip_ws(p + 1, end);
		if (p >= end || *p != '"')
			return;
		k = p + 1;
		ke = memchr(k, '"', (size_t)(end - k));
		if (!ke)
			return;
		p = skip_ws(ke + 1, end);
		if (p >= end || *p != ':')
			return;
		v = skip_ws(p + 1, end);
		ve = skip_value(v, end);
		p = ve;
		if (v >= end || *v != '{' || ke - k > 100)
			continue;
		if (memmem(v, (size_t)(ve - v), "\"gauge\"", 7))
			continue;
		snprintf(name, sizeof(name), "vmstat.%.*s", (int)(ke - k), k);
		f = memmem(v, (size_t)(ve - v), "\"value\"", 7);
		if (f) {
			f = skip_ws(f + 7, ve);
			if (f >= ve || *f != ':')
				continue;
			it.value = strtod(f + 1, NULL);
			if (it.value == 0)
				continue;
			it.unit = xstrdup("count");
		} else if (memmem(v, (size_t)(ve - v), "\"unsupported\"", 13)) {
			it.status = FL_ITEM_UNSUPPORTED;
		} else if (memmem(v, (size_t)(ve - v), "\"absent\"", 8)) {
			it.status = FL_ITEM_ABSENT;
		} else {
			continue;
		}
		if (it.status != FL_ITEM_OK)
			it.reason = xstrdup("missing in /proc/vmstat");
		it.name = xstrdup(name);
		if (add_item(c, cap, &it))
			return;
	}
}

/* The object value of the first "key": in buf, in [*v, *ve); 0, or -1 if there is none. */
static int find_object(char *buf, size_t len, const char *key, char **v, char **ve)
{
	char *end = buf + len, *p = buf;
	size_t kl = strlen(key);

	while ((p = memmem(p, (size_t)(end - p), key, kl))) {
		*v = (char *)skip_ws(p + kl, end);
		if (*v < end && **v == ':')
			break;
		p += kl;
	}
	if (!p)
		return -1;
	*v = (char *)skip_ws(*v + 1, end);
	if (*v >= end || **v != '{')
		return -1;
	*ve = (char *)skip_value(*v, end);
	return 0;
}

/*
 * Replace [v, ve) by null and close the gap (Jansson reads whitespace a byte at a time).
 * buf holds *len bytes and a NUL. A value shorter than "null" ("{}", "{ }", an unterminated
 * "{" at the end) is left as it is: writing "null" there would grow the text past the buffer.
 */
static void blank(char *buf, size_t *len, char *v, char *ve)
{
	size_t n = (size_t)(ve - v);

	if (v < buf || ve > buf + *len || v > ve || n < 4)
		return;
	memcpy(v, "null", 4);
	memmove(v + 4, ve, (size_t)(buf + *len - ve) + 1);
	*len -= n - 4;
}

/* Read "vmstat" with scan_vmstat and blank it, the bulky parts analysis does not read
 * ("raw" /proc/interrupts rows) and, unless keep_run, the "run" object, before Jansson. */
static void take_vmstat(struct fl_run_case *c, size_t *cap, char *buf, size_t *len, bool keep_run)
{
	char *v, *ve;

	if (!find_object(buf, *len, "\"vmstat\"", &v, &ve)) {
		scan_vmstat(c, cap, v, ve);
		blank(buf, len, v, ve);
	}
	if (!find_object(buf, *len, "\"raw\"", &v, &ve))
		blank(buf, len, v, ve);
	if (!keep_run && !find_object(buf, *len, "\"run\"", &v, &ve))
		blank(buf, len, v, ve);
}

static char better_of(json_t *m)
{
	const char *b = json_string_value(json_object_get(m, "better"));

	return b && !strcmp(b, "higher") ? 'h' : b && !strcmp(b, "lower") ? 'l' : 'n';
}

static void missing_item(struct fl_item *it, json_t *v)
{
	const char *st = json_string_value(json_object_get(v, "status"));

	it->status = st && !strcmp(st, "absent") ? FL_ITEM_ABSENT : FL_ITEM_UNSUPPORTED;
	it->reason = xstrdup(json_string_value(json_object_get(v, "reason")));
}

static int take_metrics(struct fl_run_case *c, size_t *cap, json_t *metrics)
{
	const char *name;
	json_t *m;

	json_object_foreach(metrics, name, m) {
		struct fl_item it = { .kind = FL_ITEM_METRIC, .better = better_of(m) };
		json_t *v = json_object_get(m, "value");
		char sub[200];

		it.unit = xstrdup(json_string_value(json_object_get(m, "unit")));
		if (json_is_number(v)) {
			it.name = xstrdup(name);
			it.value = json_number_value(v);
			if (add_item(c, cap, &it))
				return -1;
			continue;
		}
		if (!json_is_number(json_object_get(m, "p99"))) {	/* samples: not a case value */
			free(it.unit);
			continue;
		}
		/* a latency histogram: its mean and p99, lower is better */
		for (int i = 0; i < 2; i++) {
			struct fl_item h = it;

			snprintf(sub, sizeof(sub), "%s.%s", name, i ? "p99" : "mean");
			h.name = xstrdup(sub);
			h.unit = i ? xstrdup(it.unit) : it.unit;
			h.better = 'l';
			h.value = json_number_value(json_object_get(m, i ? "p99" : "mean"));
			if (add_item(c, cap, &h))
				return -1;
		}
	}
	return 0;
}

/* Metrics a workload could not count, named in its detail (never a 0 in metrics):
 * thp-munmap's metrics_missing {name: {status, reason}}, percore-map's metrics_absent and
 * fault-scale's mechanism_metrics_absent {name: reason}. A name also in metrics is skipped. */
static int take_missing(struct fl_run_case *c, size_t *cap, json_t *detail)
{
	static const char *const keys[] = { "metrics_missing", "metrics_absent",
					    "mechanism_metrics_absent" };
	const char *name;
	json_t *v;

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		json_object_foreach(json_object_get(detail, keys[k]), name, v) {
			struct fl_item it = { .kind = FL_ITEM_METRIC, .better = 'n' };
			const char *r = json_string_value(v);

			if (fl_run_case_item(c, name))
				continue;
			if (json_is_object(v))
				missing_item(&it, v);
			else if (r) {
				it.status = strstr(r, "unsupported") ? FL_ITEM_UNSUPPORTED :
								       FL_ITEM_ABSENT;
				it.reason = xstrdup(r);
			} else {
				continue;
			}
			it.name = xstrdup(name);
			if (add_item(c, cap, &it))
				return -1;
		}
	return 0;
}

static int take_counters(struct fl_run_case *c, size_t *cap, json_t *counters)
{
	const char *name;
	json_t *v;

	json_object_foreach(counters, name, v) {
		struct fl_item it = { .kind = FL_ITEM_COUNTER, .better = 'n' };

		it.name = xstrdup(name);
		if (json_is_number(json_object_get(v, "value"))) {
			it.value = json_number_value(json_object_get(v, "value"));
			it.unit = xstrdup(json_string_value(json_object_get(v, "unit")));
		} else {
			missing_item(&it, v);
		}
		if (add_item(c, cap, &it))
			return -1;
	}
	return 0;
}

static int take_ipi(struct fl_run_case *c, size_t *cap, json_t *ipi)
{
	static const char *const classes[] = { "function_call", "tlb_shootdown", "reschedule",
					       "other" };
	bool all_missing = json_is_string(json_object_get(ipi, "status"));

	if (!ipi)
		return 0;
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		json_t *cl = all_missing ? ipi : json_object_get(ipi, classes[i]), *pc;
		struct fl_item it = { .kind = FL_ITEM_IPI, .better = 'n' };
		char name[64];
		size_t k;

		if (!cl)
			continue;
		snprintf(name, sizeof(name), "ipi.%s", classes[i]);
		it.name = xstrdup(name);
		if (json_is_number(json_object_get(cl, "total"))) {
			it.value = json_number_value(json_object_get(cl, "total"));
			it.unit = xstrdup("count");
			pc = json_object_get(cl, "per_cpu");
			it.ncpu = json_array_size(pc);
			it.per_cpu = it.ncpu ? calloc(it.ncpu, sizeof(double)) : NULL;
			for (k = 0; it.per_cpu && k < it.ncpu; k++)
				it.per_cpu[k] = json_number_value(json_array_get(pc, k));
		} else {
			missing_item(&it, cl);
		}
		if (add_item(c, cap, &it))
			return -1;
	}
	return 0;
}

/* h's "cdf" as c's next latency distribution called name: pairs of finite numbers, both
 * ascending, at most FL_CDF_POINTS; anything else is not a distribution and is left out. */
static void take_cdf(struct fl_run_case *c, const char *name, json_t *h)
{
	json_t *cdf = json_object_get(h, "cdf"), *pt;
	size_t n = json_array_size(cdf), i;
	struct fl_cdf d = { 0 };

	if (!n || n > FL_CDF_POINTS || c->ncdfs >= FL_CASE_CDFS)
		return;
	d.x = malloc(n * sizeof(double));
	d.cum = malloc(n * sizeof(double));
	if (!d.x || !d.cum)
		goto bad;
	json_array_foreach(cdf, i, pt) {
		json_t *x = json_array_get(pt, 0), *y = json_array_get(pt, 1);

		if (json_array_size(pt) != 2 || !json_is_number(x) || !json_is_number(y))
			goto bad;
		d.x[i] = json_number_value(x);
		d.cum[i] = json_number_value(y);
		if (!isfinite(d.x[i]) || !isfinite(d.cum[i]) || d.cum[i] < 0 ||
		    (i && (d.x[i] < d.x[i - 1] || d.cum[i] < d.cum[i - 1])))
			goto bad;
	}
	d.n = n;
	d.name = xstrdup(name);
	d.unit = xstrdup(json_string_value(json_object_get(h, "unit")) ?: "ns");
	if (!d.name || !d.unit) {
		free(d.name);
		free(d.unit);
		goto bad;
	}
	c->cdfs[c->ncdfs++] = d;
	return;
bad:
	free(d.x);
	free(d.cum);
}

/* The histograms with a "cdf" in o and its objects, depth levels down; names are the paths
 * of keys under prefix ("collapse_trace.swapin.until_swapped_in_ns"). */
static void take_cdfs(struct fl_run_case *c, const char *prefix, json_t *o, int depth)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		char name[200];

		if (!json_is_object(v) || snprintf(name, sizeof(name), "%s%s%s", prefix,
						    *prefix ? "." : "", k) >= (int)sizeof(name))
			continue;	/* a path this long is not a histogram's name */
		if (json_is_array(json_object_get(v, "cdf")))
			take_cdf(c, name, v);
		else if (depth > 1)
			take_cdfs(c, name, v, depth - 1);
	}
}

static void case_cdfs(struct fl_run_case *c, json_t *cs)
{
	c->cdfs = calloc(FL_CASE_CDFS, sizeof(*c->cdfs));
	if (!c->cdfs)
		return;
	take_cdfs(c, "", json_object_get(cs, "metrics"), 1);
	take_cdfs(c, "", json_object_get(cs, "detail"), 3);
	take_cdfs(c, "mmap_lock", json_object_get(cs, "mmap_lock"), 3);
	if (!c->ncdfs) {
		free(c->cdfs);
		c->cdfs = NULL;
	}
}

static void case_free(struct fl_run_case *c)
{
	for (size_t i = 0; i < c->nitems; i++) {
		free(c->items[i].name);
		free(c->items[i].unit);
		free(c->items[i].reason);
		free(c->items[i].per_cpu);
	}
	free(c->items);
	for (size_t i = 0; i < c->ncdfs; i++) {
		free(c->cdfs[i].name);
		free(c->cdfs[i].unit);
		free(c->cdfs[i].x);
		free(c->cdfs[i].cum);
	}
	free(c->cdfs);
	free(c->file);
	free(c->workload);
	free(c->key);
	free(c->status);
	free(c->reason);
	free(c->ops_unit);
	json_decref(c->params);
	json_decref(c->resolved);
	memset(c, 0, sizeof(*c));
}

/* A case document is ~27 KB; one of more than this is not read (nor a link, FIFO, device). */
#define CASE_MAX_BYTES (64L << 20)

/* The whole regular file path, NUL-terminated; NULL with the reason in why. */
static char *read_all(const char *path, size_t *len, char *why, size_t whylen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat st;
	char *buf = NULL;
	ssize_t got = 0;

	if (fd < 0 && errno == ELOOP)
		fl_seterr(why, whylen, "it is a symbolic link (not followed in a run directory)");
	else if (fd < 0)
		fl_seterr(why, whylen, "cannot read it: %s", strerror(errno));
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		fl_seterr(why, whylen, "it is not a regular file");
		goto out;
	}
	if (st.st_size > CASE_MAX_BYTES) {
		fl_seterr(why, whylen, "it has %lld bytes; a case document has at most %ld",
			  (long long)st.st_size, CASE_MAX_BYTES);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		fl_seterr(why, whylen, "out of memory reading it");
		goto out;
	}
	while (got < st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)(st.st_size - got));

		if (r <= 0)
			break;
		got += r;
	}
	buf[got] = '\0';
	*len = (size_t)got;
out:
	close(fd);
	return buf;
}

static char ascii_shown(char c)
{
	unsigned char u = (unsigned char)c;

	return !u || (u >= 0x20 && u < 0x7f) ? c : '?';
}

/* "cases/NAME" for messages and documents: a byte of NAME that is not printable ASCII is
 * shown as '?' (a file name is any bytes; the documents are UTF-8, terminals read them). */
static char *shown_file(const char *name)
{
	size_t n = strlen(name);
	char *s = malloc(n + 7);

	if (!s)
		return NULL;
	memcpy(s, "cases/", 6);
	for (size_t i = 0; i <= n; i++)
		s[6 + i] = ascii_shown(name[i]);
	return s;
}

/* One case file; 0 ok, 1 skipped (reason in why), -1 fatal (schema major; err). */
/* runinfo NULL: the run object is not wanted (another case file gives it). */
static int load_case(struct fl_run *r, const char *name, struct fl_run_case *c, json_t **runinfo,
		     char *why, size_t whylen)
{
	char path[2048];
	size_t len = 0, cap = 0;
	char *buf;
	json_t *doc, *cs, *ops;
	json_error_t jerr;
	const char *wl, *st;
	char *pkey;

	memset(c, 0, sizeof(*c));
	snprintf(path, sizeof(path), "%s/cases/%s", r->dir, name);
	buf = read_all(path, &len, why, whylen);
	if (!buf)
		return 1;
	take_vmstat(c, &cap, buf, &len, !!runinfo);
	doc = json_loadb(buf, len, 0, &jerr);
	free(buf);
	if (!doc) {
		case_free(c);
		snprintf(why, whylen, "not valid JSON at line %d column %d: %s", jerr.line,
			 jerr.column, jerr.text);
		return 1;
	}
	if (fl_schema_check_major_file(doc, path, why, whylen)) {
		json_decref(doc);
		case_free(c);
		return -1;
	}
	cs = json_object_get(doc, "case");
	wl = json_string_value(json_object_get(cs, "workload"));
	st = json_string_value(json_object_get(cs, "status"));
	if (!wl || !st || !json_is_object(json_object_get(cs, "params"))) {
		json_decref(doc);
		case_free(c);
		snprintf(why, whylen, "not a faultline case document (case.workload, case.status "
			 "or case.params missing)");
		return 1;
	}
	if (runinfo && !*runinfo && json_is_object(json_object_get(doc, "run")))
		*runinfo = json_incref(json_object_get(doc, "run"));
	c->file = shown_file(name);
	c->workload = xstrdup(wl);
	c->params = json_incref(json_object_get(cs, "params"));
	if (json_is_object(json_object_get(cs, "resolved")))
		c->resolved = json_incref(json_object_get(cs, "resolved"));
	pkey = json_dumps(c->params, JSON_SORT_KEYS | JSON_COMPACT);
	c->key = malloc(strlen(wl) + strlen(pkey ? pkey : "") + 2);
	if (c->key)
		sprintf(c->key, "%s %s", wl, pkey ? pkey : "");
	free(pkey);
	c->iteration = (long)json_integer_value(json_object_get(cs, "iteration"));
	c->warmup = json_is_true(json_object_get(cs, "warmup"));
	c->status = xstrdup(st);
	c->reason = xstrdup(json_string_value(json_object_get(cs, "reason")));
	ops = json_object_get(cs, "ops");
	c->ops = json_number_value(json_object_get(ops, "count"));
	c->ops_unit = xstrdup(json_string_value(json_object_get(ops, "unit")) ?: "op");
	if (take_metrics(c, &cap, json_object_get(cs, "metrics")) ||
	    take_missing(c, &cap, json_object_get(cs, "detail")) ||
	    take_counters(c, &cap, json_object_get(cs, "counters")) ||
	    take_ipi(c, &cap, json_object_get(cs, "ipi")) || !c->file || !c->key) {
		json_decref(doc);
		case_free(c);
		snprintf(why, whylen, "out of memory");
		return 1;
	}
	case_cdfs(c, cs);
	json_decref(doc);
	return 0;
}

static int is_json(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 5 && !strcmp(d->d_name + n - 5, ".json");
}

/* Case files are loaded by one thread per online CPU (at most 8), each taking every
 * nthreads-th file into its own slot; the slots are then gathered in file order. */
struct slot {
	struct fl_run_case c;
	json_t *runinfo;
	int got;		/* 0 loaded, 1 skipped (why), -1 fatal (why) */
	char why[FL_ERRLEN];
};

struct loader {
	struct fl_run *r;
	struct dirent **ents;
	struct slot *slots;
	int n, nthreads, first;
};

static void *load_some(void *arg)
{
	struct loader *l = ((struct loader **)arg)[0];
	int me = (int)(intptr_t)((void **)arg)[1];

	for (int i = me; i < l->n; i += l->nthreads) {
		struct slot *s = &l->slots[i];

		s->got = load_case(l->r, l->ents[i]->d_name, &s->c, i < 8 ? &s->runinfo : NULL,
				   s->why, sizeof(s->why));
	}
	return NULL;
}

static void load_parallel(struct loader *l)
{
	pthread_t th[8];
	void *args[8][2];
	bool started[8] = { false };

	l->nthreads = fl_online_cpus();
	if (l->nthreads < 1 || l->n < 64)
		l->nthreads = 1;
	if (l->nthreads > 8)
		l->nthreads = 8;
	for (int t = 0; t < l->nthreads; t++) {
		args[t][0] = l;
		args[t][1] = (void *)(intptr_t)t;
		if (t)
			started[t] = !pthread_create(&th[t], NULL, load_some, args[t]);
	}
	for (int t = 0; t < l->nthreads; t++)	/* this thread's share, and any not started */
		if (!started[t])
			load_some(args[t]);
	for (int t = 1; t < l->nthreads; t++)
		if (started[t])
			pthread_join(th[t], NULL);
}

static void skipped_add(struct fl_run *r, const char *name, const char *why)
{
	char *file = shown_file(name), reason[FL_ERRLEN];

	for (size_t i = 0; i < sizeof(reason); i++)	/* Jansson quotes the bad token */
		if (!(reason[i] = ascii_shown(why[i])))
			break;
	reason[sizeof(reason) - 1] = '\0';
	json_array_append_new(r->skipped, json_pack("{s:s, s:s}", "file", file ? file : "cases/?",
						    "reason", reason));
	free(file);
}

static int load_cases(struct fl_run *r, json_t **runinfo, char *err, size_t errlen)
{
	char path[1100];
	struct loader l = { .r = r };
	int ret = 0;

	snprintf(path, sizeof(path), "%s/cases", r->dir);
	l.n = scandir(path, &l.ents, is_json, alphasort);
	if (l.n < 0)
		return fl_seterr(err, errlen, "%s is not a faultline run directory: no cases/ "
				 "(%s)", r->dir, strerror(errno));
	r->cases = calloc((size_t)l.n + 1, sizeof(*r->cases));
	l.slots = calloc((size_t)l.n + 1, sizeof(*l.slots));
	if (r->cases && l.slots)
		load_parallel(&l);
	for (int i = 0; i < l.n; i++) {
		struct slot *s = l.slots ? &l.slots[i] : NULL;

		if (s && s->got == 0 && !ret && r->cases)
			r->cases[r->ncases++] = s->c;
		else if (s && s->got == 0)
			case_free(&s->c);
		else if (s && s->got == 1)
			skipped_add(r, l.ents[i]->d_name, s->why);
		else if (s && s->got < 0 && !ret)
			ret = fl_seterr(err, errlen, "%s", s->why);
		if (s && s->runinfo && !*runinfo)
			*runinfo = s->runinfo;
		else if (s)
			json_decref(s->runinfo);
		free(l.ents[i]);
	}
	free(l.ents);
	free(l.slots);
	if (!ret && (!r->cases || (l.n && !l.slots)))
		ret = fl_seterr(err, errlen, "out of memory loading %s", r->dir);
	if (!ret && !r->ncases)
		ret = fl_seterr(err, errlen, "run %s has no usable case documents%s: nothing to "
				"compare", r->dir, json_array_size(r->skipped) ?
				" (every file in cases/ was skipped)" : " (cases/ is empty)");
	return ret;
}

int fl_run_load(struct fl_run *r, const char *dir, char *err, size_t errlen)
{
	char path[1100], lerr[FL_ERRLEN];
	json_t *doc = NULL, *runinfo = NULL;

	memset(r, 0, sizeof(*r));
	r->dir = strdup(dir);
	r->skipped = json_array();
	snprintf(path, sizeof(path), "%s/run.json", dir);
	if (!access(path, F_OK)) {
		doc = fl_json_load(path, lerr, sizeof(lerr));
		if (!doc)
			return fl_seterr(err, errlen, "%s", lerr);
		if (fl_schema_check_major_file(doc, path, err, errlen)) {
			json_decref(doc);
			return -1;
		}
		r->state = xstrdup(json_string_value(json_object_get(doc, "state")) ?: "unknown");
		if (json_is_object(json_object_get(doc, "run")))
			runinfo = json_incref(json_object_get(doc, "run"));
		json_decref(doc);
	} else {
		struct stat st;

		if (stat(dir, &st) || !S_ISDIR(st.st_mode))
			return fl_seterr(err, errlen, "%s is not a directory (give a run directory "
					 "such as results/<run-id>)", dir);
		r->state = xstrdup("unknown");
	}
	if (load_cases(r, &runinfo, err, errlen)) {
		json_decref(runinfo);
		return -1;
	}
	r->info = runinfo ? runinfo : json_object();
	return 0;
}

int fl_run_absorb(struct fl_run *dst, struct fl_run *src)
{
	struct fl_run_case *n = realloc(dst->cases, (dst->ncases + src->ncases + 1) * sizeof(*n));

	if (!n)
		return -1;
	dst->cases = n;
	memcpy(dst->cases + dst->ncases, src->cases, src->ncases * sizeof(*n));
	dst->ncases += src->ncases;
	src->ncases = 0;
	json_array_extend(dst->skipped, src->skipped);
	return 0;
}

void fl_run_free(struct fl_run *r)
{
	for (size_t i = 0; i < r->ncases; i++)
		case_free(&r->cases[i]);
	free(r->cases);
	free(r->dir);
	free(r->state);
	json_decref(r->info);
	json_decref(r->skipped);
	memset(r, 0, sizeof(*r));
}

const struct fl_item *fl_run_case_item(const struct fl_run_case *c, const char *name)
{
	for (size_t i = 0; i < c->nitems; i++)
		if (!strcmp(c->items[i].name, name))
			return &c->items[i];
	return NULL;
}
