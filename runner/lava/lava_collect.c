// SPDX-License-Identifier: GPL-2.0
/*
 * LAVA job logs back into a run directory. lava-dispatcher's log is YAML, one entry a line
 * (- {"dt": ..., "lvl": "target", "msg": "..."}); the markers the job prints are plain ASCII
 * (digits, hex, base64) inside msg, so they are found by scanning each line, and the same code
 * reads a plain console log. A case document counts only when its sha256 matches its marker and
 * it validates against faultline/1.
 *
 * A log is written by a machine we do not control: the scanner takes any bytes (NULs, no
 * newline, lines of any length), reads each field with an explicit length, and takes nothing
 * from it that becomes a path: a case file's name is made here from the index and the plan
 * entry's workload (a safe name this faultline knows), iteration and warm-up flag, and is
 * checked to stay under --out.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fl_json.h"
#include "fl_safe.h"
#include "fl_schema.h"
#include "fl_sha256.h"
#include "fl_util.h"
#include "lava.h"

#define MAX_CASES 4096
#define MAX_ITERATION 1000000

struct fl_lava_log {
	json_t *plan[MAX_CASES], *doc[MAX_CASES];
	size_t bad;		/* markers or documents that were malformed or did not check */
	bool plans_only;	/* a job definition: the case marker there is the command */
};

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Decode the base64 at the start of s[0..n) (it ends at '=' or any other byte); malloc'ed,
 * NUL-terminated, *len its length; NULL when there is none. */
static char *b64dec(const char *s, size_t n, size_t *len)
{
	unsigned int acc = 0;
	size_t o = 0, i;
	int bits = 0;
	char *out;

	for (i = 0; i < n && b64val((unsigned char)s[i]) >= 0; i++)
		;
	if (!i)
		return NULL;
	out = malloc(i / 4 * 3 + 4);
	if (!out)
		return NULL;
	for (size_t k = 0; k < i; k++) {
		acc = (acc << 6) | (unsigned int)b64val((unsigned char)s[k]);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	*len = o;
	return out;
}

/* A field cursor over one line: p[0..n). */
struct cur {
	const char *p;
	size_t n;
};

static void skip_blanks(struct cur *c)
{
	while (c->n && (*c->p == ' ' || *c->p == '\t')) {
		c->p++;
		c->n--;
	}
}

/* At least one blank, then a decimal index < MAX_CASES followed by a blank. */
static int take_index(struct cur *c, size_t *idx)
{
	size_t v = 0, digits = 0;

	if (!c->n || (*c->p != ' ' && *c->p != '\t'))
		return -1;
	skip_blanks(c);
	while (c->n && *c->p >= '0' && *c->p <= '9') {
		v = v * 10 + (size_t)(*c->p - '0');
		if (++digits > 6)
			return -1;
		c->p++;
		c->n--;
	}
	if (!digits || v >= MAX_CASES || !c->n || (*c->p != ' ' && *c->p != '\t'))
		return -1;
	skip_blanks(c);
	*idx = v;
	return 0;
}

/* 64 lower- or upper-case hex digits followed by a blank, as lower case into hex. */
static int take_sha(struct cur *c, char hex[65])
{
	if (c->n < 65)
		return -1;
	for (int i = 0; i < 64; i++) {
		char ch = c->p[i];

		if (ch >= 'A' && ch <= 'F')
			ch = (char)(ch - 'A' + 'a');
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
			return -1;
		hex[i] = ch;
	}
	hex[64] = '\0';
	if (c->p[64] != ' ' && c->p[64] != '\t')
		return -1;
	c->p += 64;
	c->n -= 64;
	skip_blanks(c);
	return 0;
}

/* A plan entry from a log: an object whose workload is a safe name, iteration a small
 * non-negative integer, warmup a boolean and params an object. */
static bool plan_ok(json_t *e)
{
	json_t *it = json_object_get(e, "iteration");

	return json_is_object(e) && fl_name_ok(json_string_value(json_object_get(e, "workload"))) &&
	       json_is_integer(it) && json_integer_value(it) >= 0 &&
	       json_integer_value(it) < MAX_ITERATION &&
	       json_is_boolean(json_object_get(e, "warmup")) &&
	       json_is_object(json_object_get(e, "params"));
}

static void scan_plan(struct fl_lava_log *lg, struct cur c)
{
	size_t idx, len;
	char *body;
	json_t *e;

	if (take_index(&c, &idx))
		goto bad;
	body = b64dec(c.p, c.n, &len);
	e = body ? json_loadb(body, len, 0, NULL) : NULL;
	free(body);
	if (!plan_ok(e)) {
		json_decref(e);
		goto bad;
	}
	json_decref(lg->plan[idx]);
	lg->plan[idx] = e;
	return;
bad:
	lg->bad++;
}

static void scan_case(struct fl_lava_log *lg, struct cur c)
{
	char hex[65], got[65], msg[FL_ERRLEN];
	size_t idx, len;
	json_t *doc = NULL;
	char *body;

	if (take_index(&c, &idx))
		goto bad;
	if (c.n && *c.p == '$')
		return;	/* the step's own text ($(sha256sum ...)): the job echoed back, no marker */
	if (take_sha(&c, hex))
		goto bad;
	body = b64dec(c.p, c.n, &len);
	if (!body)
		goto bad;
	fl_sha256_buf(body, len, got);
	doc = strcmp(got, hex) ? NULL : json_loadb(body, len, 0, NULL);
	free(body);
	if (!json_is_object(doc) || fl_schema_validate_case(doc, msg, sizeof(msg)))
		goto bad;
	json_decref(lg->doc[idx]);
	lg->doc[idx] = doc;
	return;
bad:
	json_decref(doc);
	lg->bad++;
}

static const char *find(const char *p, size_t n, const char *s)
{
	return memmem(p, n, s, strlen(s));
}

/* One line (no newline in it): every marker on it. */
static void scan_line(struct fl_lava_log *lg, const char *line, size_t n)
{
	static const char plan[] = "FAULTLINE-PLAN", cas[] = "FAULTLINE-CASE";
	const char *p;

	p = find(line, n, plan);
	if (p) {
		struct cur c = { p + strlen(plan), n - (size_t)(p - line) - strlen(plan) };

		scan_plan(lg, c);
	}
	p = lg->plans_only ? NULL : find(line, n, cas);
	if (p) {
		struct cur c = { p + strlen(cas), n - (size_t)(p - line) - strlen(cas) };

		scan_case(lg, c);
	}
}

struct fl_lava_log *fl_lava_log_new(void)
{
	return calloc(1, sizeof(struct fl_lava_log));
}

void fl_lava_log_plans_only(struct fl_lava_log *lg, bool on)
{
	lg->plans_only = on;
}

void fl_lava_log_scan(struct fl_lava_log *lg, const char *buf, size_t len)
{
	while (len) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) : len;

		scan_line(lg, buf, n);
		if (!nl)
			break;
		buf += n + 1;
		len -= n + 1;
	}
}

void fl_lava_log_free(struct fl_lava_log *lg)
{
	if (!lg)
		return;
	for (size_t i = 0; i < MAX_CASES; i++) {
		json_decref(lg->plan[i]);
		json_decref(lg->doc[i]);
	}
	free(lg);
}

static int scan_file(const char *path, struct fl_lava_log *lg, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return fl_seterr(err, errlen, "cannot read %s: %s", path, strerror(errno));
	while ((n = getline(&line, &cap, f)) > 0)
		fl_lava_log_scan(lg, line, (size_t)n);
	free(line);
	fclose(f);
	return 0;
}

static bool known(const char *const *workloads, const char *wl)
{
	if (!workloads)
		return true;
	for (; *workloads; workloads++)
		if (!strcmp(*workloads, wl))
			return true;
	return false;
}

/* The run.json entry for case idx, its file name made from checked parts only. */
static json_t *plan_entry(json_t *pe, size_t idx, const char *const *workloads, char *err,
			  size_t errlen)
{
	const char *wl = json_string_value(json_object_get(pe, "workload"));
	json_int_t it = json_integer_value(json_object_get(pe, "iteration"));
	bool warmup = json_is_true(json_object_get(pe, "warmup"));
	char file[FL_NAME_MAX + 32];

	if (!pe)
		return fl_seterr(err, errlen, "the logs have no plan entry for case %zu", idx), NULL;
	if (!known(workloads, wl))
		return fl_seterr(err, errlen, "the plan entry for case %zu in the logs names "
				 "workload \"%s\", which this faultline does not have", idx, wl),
		       NULL;
	snprintf(file, sizeof(file), "cases/%04zu-%s-%s%d.json", idx, wl, warmup ? "w" : "i",
		 (int)it);
	return json_pack("{s:s, s:s, s:O, s:I, s:b}", "file", file, "workload", wl, "params",
			 json_object_get(pe, "params"), "iteration", it, "warmup", warmup);
}

/* Write case idx's document to OUT/FILE, FILE made by plan_entry, checked to stay in OUT. */
static int write_case(const char *out, json_t *e, json_t *doc, json_t *run, char *err,
		      size_t errlen)
{
	const char *file = json_string_value(json_object_get(e, "file"));
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s", out, file) >= (int)sizeof(path))
		return fl_seterr(err, errlen, "the path %s/%s is too long", out, file);
	if (fl_path_under(out, path, err, errlen))
		return -1;
	json_object_set_new(doc, "run", json_deep_copy(run));
	return fl_json_write_atomic(path, doc, err, errlen);
}

/* run.json and the case files in OUT: 0, FL_LAVA_LOGS_BAD or -1 (fl_lava_collect). */
static int write_run(const char *out, struct fl_lava_log *lg, json_t *run, size_t n,
		     const char *const *workloads, char *err, size_t errlen)
{
	json_t *cases = json_array(), *doc;
	char path[PATH_MAX];
	bool missing = false;
	int ret;

	for (size_t i = 0; i < n; i++) {
		json_t *e = plan_entry(lg->plan[i], i, workloads, err, errlen), *cs;
		const char *dwl;

		if (!e) {
			json_decref(cases);
			return FL_LAVA_LOGS_BAD;
		}
		cs = json_object_get(lg->doc[i], "case");
		dwl = json_string_value(json_object_get(cs, "workload"));
		if (lg->doc[i] && (!dwl || strcmp(dwl, json_string_value(json_object_get(e,
							"workload"))))) {
			lg->bad++;	/* a document for another workload than planned */
			json_decref(lg->doc[i]);
			lg->doc[i] = NULL;
		}
		if (lg->doc[i]) {
			if (write_case(out, e, lg->doc[i], run, err, errlen)) {
				json_decref(e);
				json_decref(cases);
				return -1;
			}
			json_object_set(e, "status", json_object_get(cs, "status"));
			if (json_object_get(cs, "reason"))
				json_object_set(e, "reason", json_object_get(cs, "reason"));
		} else {
			missing = true;
			json_object_set_new(e, "status", json_string("failed"));
			json_object_set_new(e, "reason", json_string("no case document in the LAVA "
				"log (the job ended early or the agent wrote none)"));
		}
		json_array_append_new(cases, e);
	}
	doc = json_pack("{s:s, s:O, s:s, s:I, s:o}", "schema", "faultline/1", "run", run, "state",
			missing ? "interrupted" : "complete", "planned", (json_int_t)n, "cases",
			cases);
	if (fl_schema_validate_run(doc, err, errlen)) {
		json_decref(doc);
		return FL_LAVA_LOGS_BAD;
	}
	snprintf(path, sizeof(path), "%s/run.json", out);
	ret = fl_json_write_atomic(path, doc, err, errlen) ? -1 : 0;
	json_decref(doc);
	return ret;
}

int fl_lava_collect(char *const *logs, int nlogs, const char *out,
		    const char *const *workloads, char *err, size_t errlen)
{
	return fl_lava_collect_plans(logs, nlogs, NULL, 0, out, workloads, err, errlen);
}

int fl_lava_collect_plans(char *const *logs, int nlogs, char *const *plans, int nplans,
			  const char *out, const char *const *workloads, char *err, size_t errlen)
{
	struct fl_lava_log *lg = fl_lava_log_new();
	json_t *run = NULL;
	char path[PATH_MAX];
	size_t n = 0;
	int ret = FL_LAVA_LOGS_BAD;

	if (!lg)
		return fl_seterr(err, errlen, "out of memory");
	fl_lava_log_plans_only(lg, true);
	for (int i = 0; i < nplans; i++)
		if (scan_file(plans[i], lg, err, errlen))
			goto out;
	fl_lava_log_plans_only(lg, false);
	for (int i = 0; i < nlogs; i++)
		if (scan_file(logs[i], lg, err, errlen))
			goto out;
	for (size_t i = 0; i < MAX_CASES; i++) {
		if (lg->plan[i])
			n = i + 1;
		if (lg->doc[i] && !run)
			run = json_deep_copy(json_object_get(lg->doc[i], "run"));
	}
	if (!n || !run) {
		fl_seterr(err, errlen, "no faultline case in %s%s (expected FAULTLINE-PLAN and "
			  "FAULTLINE-CASE lines from a job made by faultline lava render%s)",
			  nlogs ? logs[0] : nplans ? plans[0] : "the logs",
			  nlogs + nplans > 1 ? " and the other logs" : "", lg->bad ?
			  "; some markers or case documents were malformed or failed their sha256 "
			  "or schema check" : "");
		goto out;
	}
	json_object_set_new(json_object_get(run, "target"), "kind", json_string("lava"));
	if (snprintf(path, sizeof(path), "%s/cases", out) >= (int)sizeof(path)) {
		fl_seterr(err, errlen, "--out %s is too long", out);
		goto out;
	}
	if ((mkdir(out, 0755) && errno != EEXIST) || (mkdir(path, 0755) && errno != EEXIST)) {
		ret = fl_seterr(err, errlen, "cannot create %s: %s", path, strerror(errno));
		goto out;
	}
	ret = write_run(out, lg, run, n, workloads, err, errlen);
	if (!ret && lg->bad)
		fl_err("warning: %zu marker(s) or case document(s) in the logs were malformed or "
		       "failed their sha256 or schema check and were not used", lg->bad);
out:
	fl_lava_log_free(lg);
	json_decref(run);
	return ret;
}
