// SPDX-License-Identifier: GPL-2.0
/* Run directories for analysis (runload.h): run.json and every cases/ file, read by the one
 * document reader (casedoc.h) on several threads, reduced to numbers (runload_case.h). */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "casedoc.h"
#include "fl_util.h"
#include "runload.h"
#include "runload_case.h"

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

/* One case file into c: 0, or -1 with the reason in why and *refuse set when it refuses the
 * whole run (another schema major), not only this file. runinfo NULL: the run object is not
 * wanted (another case file gives it). */
static int load_case(struct fl_run *r, const char *name, struct fl_run_case *c, json_t **runinfo,
		     bool *refuse, char *why, size_t whylen)
{
	char path[2048];
	size_t len = 0, cap = 0;
	char *buf;
	struct fl_casedoc d;
	json_t *cs, *ops;
	char *pkey;

	memset(c, 0, sizeof(*c));
	snprintf(path, sizeof(path), "%s/cases/%s", r->dir, name);
	buf = fl_doc_read(path, &len, why, whylen);
	if (!buf)
		return -1;
	fl_runload_take_vmstat(c, &cap, buf, &len, !!runinfo);
	if (fl_casedoc_parse(&d, buf, len, path, why, whylen)) {
		free(buf);
		fl_runload_case_free(c);
		*refuse = d.foreign;
		return -1;
	}
	free(buf);
	cs = d.cs;
	if (runinfo && !*runinfo && json_is_object(json_object_get(d.doc, "run")))
		*runinfo = json_incref(json_object_get(d.doc, "run"));
	c->file = shown_file(name);
	c->workload = fl_runload_strdup(d.workload);
	c->params = json_incref(json_object_get(cs, "params"));
	if (json_is_object(json_object_get(cs, "resolved")))
		c->resolved = json_incref(json_object_get(cs, "resolved"));
	pkey = json_dumps(c->params, JSON_SORT_KEYS | JSON_COMPACT);
	c->key = malloc(strlen(d.workload) + strlen(pkey ? pkey : "") + 2);
	if (c->key)
		sprintf(c->key, "%s %s", d.workload, pkey ? pkey : "");
	free(pkey);
	c->iteration = (long)json_integer_value(json_object_get(cs, "iteration"));
	c->warmup = json_is_true(json_object_get(cs, "warmup"));
	c->status = fl_runload_strdup(d.status);
	c->reason = fl_runload_strdup(json_string_value(json_object_get(cs, "reason")));
	ops = json_object_get(cs, "ops");
	c->ops = json_number_value(json_object_get(ops, "count"));
	c->ops_unit = fl_runload_strdup(json_string_value(json_object_get(ops, "unit")) ?: "op");
	if (fl_runload_take_items(c, &cap, cs) || !c->file || !c->key) {
		fl_casedoc_free(&d);
		fl_runload_case_free(c);
		return fl_seterr(why, whylen, "out of memory");
	}
	fl_runload_case_cdfs(c, cs);
	fl_casedoc_free(&d);
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
	int got;		/* 0 loaded, -1 not (why) */
	bool refuse;		/* not, and the run is refused (another schema major) */
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
				   &s->refuse, s->why, sizeof(s->why));
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
			fl_runload_case_free(&s->c);
		else if (s && !s->refuse)
			skipped_add(r, l.ents[i]->d_name, s->why);
		else if (s && !ret)
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
		doc = fl_rundoc_load(path, lerr, sizeof(lerr));
		if (!doc)
			return fl_seterr(err, errlen, "%s", lerr);
		r->state = fl_runload_strdup(json_string_value(json_object_get(doc, "state")) ?: "unknown");
		if (json_is_object(json_object_get(doc, "run")))
			runinfo = json_incref(json_object_get(doc, "run"));
		if (json_is_object(json_object_get(doc, "precision")))
			r->precision = json_incref(json_object_get(doc, "precision"));
		json_decref(doc);
	} else {
		struct stat st;

		if (stat(dir, &st) || !S_ISDIR(st.st_mode))
			return fl_seterr(err, errlen, "%s is not a directory (give a run directory "
					 "such as results/<run-id>)", dir);
		r->state = fl_runload_strdup("unknown");
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
	json_decref(dst->precision);
	dst->precision = NULL;
	return 0;
}

void fl_run_free(struct fl_run *r)
{
	for (size_t i = 0; i < r->ncases; i++)
		fl_runload_case_free(&r->cases[i]);
	free(r->cases);
	free(r->dir);
	free(r->state);
	json_decref(r->info);
	json_decref(r->precision);
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
