// SPDX-License-Identifier: GPL-2.0
/*
 * LAVA job logs back into a run directory. lava-dispatcher's log is YAML, one entry a line
 * (- {"dt": ..., "lvl": "target", "msg": "..."}); the markers the job prints are plain ASCII
 * (digits, hex, base64) inside msg, so they are found by scanning each line, and the same code
 * reads a plain console log. A case document counts only when its sha256 matches its marker and
 * it validates against faultline/1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fl_json.h"
#include "fl_schema.h"
#include "fl_sha256.h"
#include "fl_util.h"
#include "lava.h"

#define MAX_CASES 4096

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

/* Decode base64 from s (stops at the first other byte); malloc'ed, NUL-terminated. */
static char *b64dec(const char *s, size_t *len)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");
	char *out = malloc(n / 4 * 3 + 4);
	unsigned int acc = 0;
	int bits = 0;
	size_t o = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n && s[i] != '='; i++) {
		acc = (acc << 6) | (unsigned int)b64val(s[i]);
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

struct collected {
	json_t *plan[MAX_CASES], *doc[MAX_CASES];
	size_t bad;		/* documents whose sha256 or schema did not match */
};

static void scan_line(const char *line, struct collected *c)
{
	const char *p;
	size_t idx, len;
	char hex[65], *body;

	if ((p = strstr(line, "FAULTLINE-PLAN ")) && sscanf(p + 15, "%zu", &idx) == 1 &&
	    idx < MAX_CASES) {
		p = strchr(p + 15, ' ');
		body = p ? b64dec(p + 1, &len) : NULL;
		if (body && len) {
			json_decref(c->plan[idx]);
			c->plan[idx] = json_loads(body, 0, NULL);
		}
		free(body);
	}
	if ((p = strstr(line, "FAULTLINE-CASE ")) && sscanf(p + 15, "%zu %64s", &idx, hex) == 2 &&
	    idx < MAX_CASES && strlen(hex) == 64) {
		char got[65], msg[FL_ERRLEN];
		json_t *doc;

		p = strchr(strchr(p + 15, ' ') + 1, ' ');
		body = p ? b64dec(p + 1, &len) : NULL;
		if (!body)
			return;
		fl_sha256_buf(body, len, got);
		doc = strcmp(got, hex) ? NULL : json_loads(body, 0, NULL);
		free(body);
		if (!doc || fl_schema_validate_case(doc, msg, sizeof(msg))) {
			c->bad++;
			json_decref(doc);
			return;
		}
		json_decref(c->doc[idx]);
		c->doc[idx] = doc;
	}
}

static int scan_file(const char *path, struct collected *c, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		return fl_seterr(err, errlen, "cannot read %s: %s", path, strerror(errno));
	while (getline(&line, &cap, f) > 0)
		scan_line(line, c);
	free(line);
	fclose(f);
	return 0;
}

static int write_run(const char *out, struct collected *c, json_t *run, size_t n, char *err,
		     size_t errlen)
{
	json_t *cases = json_array(), *doc;
	char path[1400];
	bool missing = false;
	int ret;

	for (size_t i = 0; i < n; i++) {
		json_t *e = json_deep_copy(c->plan[i]);
		const char *file = json_string_value(json_object_get(e, "file"));

		if (!e || !file) {
			json_decref(e);
			json_decref(cases);
			return fl_seterr(err, errlen, "the logs have no plan entry for case %zu", i);
		}
		if (c->doc[i]) {
			json_t *cs = json_object_get(c->doc[i], "case");

			json_object_set_new(c->doc[i], "run", json_deep_copy(run));
			snprintf(path, sizeof(path), "%s/%s", out, file);
			if (fl_json_write_atomic(path, c->doc[i], err, errlen)) {
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
		return -1;
	}
	snprintf(path, sizeof(path), "%s/run.json", out);
	ret = fl_json_write_atomic(path, doc, err, errlen);
	json_decref(doc);
	return ret;
}

int fl_lava_collect(char *const *logs, int nlogs, const char *out, char *err, size_t errlen)
{
	struct collected *c = calloc(1, sizeof(*c));
	json_t *run = NULL;
	char path[1400];
	size_t n = 0;
	int ret = FL_EXIT_USAGE;

	if (!c)
		return fl_seterr(err, errlen, "out of memory"), FL_EXIT_ENV;
	for (int i = 0; i < nlogs; i++)
		if (scan_file(logs[i], c, err, errlen))
			goto out;
	for (size_t i = 0; i < MAX_CASES; i++) {
		if (c->plan[i])
			n = i + 1;
		if (c->doc[i] && !run)
			run = json_deep_copy(json_object_get(c->doc[i], "run"));
	}
	if (!n || !run) {
		fl_seterr(err, errlen, "no faultline case in %s%s (expected FAULTLINE-PLAN and "
			  "FAULTLINE-CASE lines from a job made by faultline lava render%s)", logs[0],
			  nlogs > 1 ? " and the other logs" : "", c->bad ?
			  "; some case documents failed their sha256 or schema check" : "");
		goto out;
	}
	json_object_set_new(json_object_get(run, "target"), "kind", json_string("lava"));
	snprintf(path, sizeof(path), "%s/cases", out);
	if ((mkdir(out, 0755) && errno != EEXIST) || (mkdir(path, 0755) && errno != EEXIST)) {
		fl_seterr(err, errlen, "cannot create %s: %s", path, strerror(errno));
		ret = FL_EXIT_ENV;
		goto out;
	}
	ret = write_run(out, c, run, n, err, errlen) ? FL_EXIT_ENV : 0;
	if (!ret && c->bad)
		fl_err("warning: %zu case document(s) in the logs failed their sha256 or schema "
		       "check and were not used", c->bad);
out:
	for (size_t i = 0; i < MAX_CASES; i++) {
		json_decref(c->plan[i]);
		json_decref(c->doc[i]);
	}
	json_decref(run);
	free(c);
	return ret;
}
