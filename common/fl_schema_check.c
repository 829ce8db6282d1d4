// SPDX-License-Identifier: GPL-2.0
/*
 * Validating a document against a loaded schema (fl_schema_validate): each keyword of
 * common/fl_schema.c's subset in turn, stopping at the first failure with "PATH: expected ...".
 */
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fl_schema.h"
#include "fl_schema_impl.h"
#include "fl_util.h"

#define PATH_MAX_LEN 384
#define MSG_MAX_LEN 320
#define MAX_NEST 128

struct verr {
	char path[PATH_MAX_LEN];
	char msg[MSG_MAX_LEN];
	int depth;		/* instance depth at which the failing keyword applied */
	bool final;		/* message already says it best: no x-expected override */
};

struct vctx {
	const struct fl_schema *s;
	char path[PATH_MAX_LEN];
	size_t plen;
	int nest;
};

static size_t path_key(struct vctx *c, const char *key)
{
	size_t old = c->plen;
	int n = snprintf(c->path + old, sizeof(c->path) - old, "%s%s", old ? "." : "", key);

	c->plen = n < 0 ? old : old + (size_t)n;
	if (c->plen >= sizeof(c->path))
		c->plen = sizeof(c->path) - 1;
	return old;
}

static size_t path_index(struct vctx *c, size_t i)
{
	size_t old = c->plen;
	int n = snprintf(c->path + old, sizeof(c->path) - old, "[%zu]", i);

	c->plen = n < 0 ? old : old + (size_t)n;
	if (c->plen >= sizeof(c->path))
		c->plen = sizeof(c->path) - 1;
	return old;
}

static void path_pop(struct vctx *c, size_t old)
{
	c->plen = old;
	c->path[old] = '\0';
}

__attribute__((format(printf, 4, 5)))
static int fail(struct vctx *c, struct verr *e, int depth, const char *fmt, ...)
{
	va_list ap;

	snprintf(e->path, sizeof(e->path), "%s", c->plen ? c->path : "document");
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->depth = depth;
	e->final = false;
	return -1;
}

static const regex_t *find_re(const struct fl_schema *s, const json_t *node)
{
	size_t i;

	for (i = 0; i < s->nres; i++)
		if (s->res[i].node == node)
			return &s->res[i].re;
	return NULL;
}

static int v(struct vctx *c, json_t *sch, json_t *inst, int depth, struct verr *e);

static int v_type(struct vctx *c, json_t *t, json_t *inst, int depth, struct verr *e)
{
	char want[160] = "";
	size_t i, n;
	json_t *el;

	if (json_is_string(t)) {
		if (fl_schema_has_type(inst, json_string_value(t)))
			return 0;
		return fail(c, e, depth, "expected %s, got %s",
			    fl_schema_type_phrase(json_string_value(t)), fl_schema_inst_phrase(inst));
	}
	json_array_foreach(t, i, el)
		if (fl_schema_has_type(inst, json_string_value(el)))
			return 0;
	n = json_array_size(t);
	json_array_foreach(t, i, el) {
		size_t l = strlen(want);

		const char *t = json_string_value(el);

		snprintf(want + l, sizeof(want) - l, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ",
			 strcmp(t, "boolean") ? fl_schema_type_phrase(t) : "a boolean");
	}
	return fail(c, e, depth, "expected %s, got %s", want, fl_schema_inst_phrase(inst));
}

static int v_enum(struct vctx *c, json_t *en, json_t *inst, int depth, struct verr *e)
{
	char want[200] = "", got[80];
	size_t i, n = json_array_size(en);
	json_t *el;

	json_array_foreach(en, i, el)
		if (fl_schema_json_eq(el, inst))
			return 0;
	json_array_foreach(en, i, el) {
		size_t l = strlen(want);
		char one[64];

		fl_schema_show(one, sizeof(one), el, true);
		snprintf(want + l, sizeof(want) - l, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ",
			 one);
	}
	fl_schema_show(got, sizeof(got), inst, false);
	return fail(c, e, depth, "expected %s%s, got %s", n > 1 ? "one of " : "", want, got);
}

/*
 * oneOf/anyOf: nothing matched. The branch whose failure is deepest explains it; if several
 * are equally deep and say the same, that is the message; otherwise describe the choice.
 */
static int v_choice(struct vctx *c, json_t *list, json_t *inst, int depth, bool one,
		    struct verr *e)
{
	struct verr best = { .depth = 0 }, tmp;
	size_t i, matched = 0, ties = 0;
	bool agree = true;
	json_t *br;

	json_array_foreach(list, i, br) {
		if (v(c, br, inst, depth, &tmp) == 0) {
			matched++;
			if (!one)
				return 0;
			continue;
		}
		if (!ties || tmp.depth > best.depth) {
			best = tmp;
			ties = 1;
			agree = true;
		} else if (tmp.depth == best.depth) {
			ties++;
			if (strcmp(tmp.path, best.path) || strcmp(tmp.msg, best.msg))
				agree = false;
		}
	}
	if (matched == 1)
		return 0;
	if (matched > 1)
		return fail(c, e, depth, "matches more than one of the %zu allowed forms",
			    json_array_size(list));
	if (best.depth > depth || agree) {
		*e = best;
		e->final = e->final || ties > 1;
		return -1;
	}
	return fail(c, e, depth, "matches none of the %zu allowed forms", json_array_size(list));
}

/* inst's member key against sch, the path naming it meanwhile. */
static int v_member(struct vctx *c, json_t *sch, const char *key, json_t *child, int depth,
		    struct verr *e)
{
	size_t old = path_key(c, key);
	int r = v(c, sch, child, depth + 1, e);

	path_pop(c, old);
	return r;
}

static int v_object(struct vctx *c, json_t *sch, json_t *inst, int depth, struct verr *e)
{
	json_t *props = json_object_get(sch, "properties");
	json_t *addl = json_object_get(sch, "additionalProperties");
	json_t *req = json_object_get(sch, "required");
	const char *key;
	json_t *el, *sub;
	size_t i, old;

	json_array_foreach(req, i, el) {
		if (json_object_get(inst, json_string_value(el)))
			continue;
		old = path_key(c, json_string_value(el));
		fail(c, e, depth, "required key is missing");
		path_pop(c, old);
		return -1;
	}
	json_object_foreach(props, key, sub) {
		json_t *child = json_object_get(inst, key);

		if (child && v_member(c, sub, key, child, depth, e))
			return -1;
	}
	if (!addl)
		return 0;
	json_object_foreach(inst, key, el)
		if (!json_object_get(props, key) && v_member(c, addl, key, el, depth, e))
			return -1;
	return 0;
}

static int v_keywords(struct vctx *c, json_t *sch, json_t *inst, int depth, struct verr *e)
{
	json_t *k, *el;
	size_t i;

	k = json_object_get(sch, "$ref");
	if (k && v(c, fl_schema_resolve_ref(c->s->root, json_string_value(k)), inst, depth, e))
		return -1;
	k = json_object_get(sch, "type");
	if (k && v_type(c, k, inst, depth, e))
		return -1;
	k = json_object_get(sch, "const");
	if (k && !fl_schema_json_eq(k, inst)) {
		char want[80], got[80];

		fl_schema_show(want, sizeof(want), k, false);
		fl_schema_show(got, sizeof(got), inst, false);
		return fail(c, e, depth, "expected %s, got %s", want, got);
	}
	k = json_object_get(sch, "enum");
	if (k && v_enum(c, k, inst, depth, e))
		return -1;

	if (json_is_string(inst)) {
		const char *s = json_string_value(inst);
		const regex_t *re;

		k = json_object_get(sch, "minLength");
		if (k && fl_schema_utf8_len(s, json_string_length(inst)) < (size_t)json_integer_value(k)) {
			if (json_integer_value(k) == 1)
				return fail(c, e, depth, "expected a non-empty string");
			return fail(c, e, depth, "expected at least %lld characters",
				    (long long)json_integer_value(k));
		}
		k = json_object_get(sch, "pattern");
		if (k) {
			re = find_re(c->s, k);
			if (!re || regexec(re, s, 0, NULL, 0))
				return fail(c, e, depth, "expected a string matching %s",
					    json_string_value(k));
		}
	}
	if (json_is_number(inst)) {
		double d = json_number_value(inst);

		k = json_object_get(sch, "minimum");
		if (k && d < json_number_value(k))
			return fail(c, e, depth, "expected a value >= %g, got %g",
				    json_number_value(k), d);
		k = json_object_get(sch, "maximum");
		if (k && d > json_number_value(k))
			return fail(c, e, depth, "expected a value <= %g, got %g",
				    json_number_value(k), d);
	}
	if (json_is_object(inst) && v_object(c, sch, inst, depth, e))
		return -1;
	if (json_is_array(inst)) {
		k = json_object_get(sch, "minItems");
		if (k && json_array_size(inst) < (size_t)json_integer_value(k))
			return fail(c, e, depth, "expected at least %lld items, got %zu",
				    (long long)json_integer_value(k), json_array_size(inst));
		k = json_object_get(sch, "items");
		if (k) {
			json_array_foreach(inst, i, el) {
				size_t old = path_index(c, i);
				int r = v(c, k, el, depth + 1, e);

				path_pop(c, old);
				if (r)
					return -1;
			}
		}
	}

	k = json_object_get(sch, "allOf");
	json_array_foreach(k, i, el)
		if (v(c, el, inst, depth, e))
			return -1;
	k = json_object_get(sch, "anyOf");
	if (k && v_choice(c, k, inst, depth, false, e))
		return -1;
	k = json_object_get(sch, "oneOf");
	if (k && v_choice(c, k, inst, depth, true, e))
		return -1;
	k = json_object_get(sch, "not");
	if (k) {
		struct verr tmp;

		if (v(c, k, inst, depth, &tmp) == 0)
			return fail(c, e, depth, "matches a form that is not allowed here");
	}
	k = json_object_get(sch, "if");
	if (k) {
		struct verr tmp;

		el = json_object_get(sch, v(c, k, inst, depth, &tmp) == 0 ? "then" : "else");
		if (el && v(c, el, inst, depth, e))
			return -1;
	}
	return 0;
}

static int v(struct vctx *c, json_t *sch, json_t *inst, int depth, struct verr *e)
{
	json_t *x;
	int r;

	if (json_is_true(sch))
		return 0;
	/* false rejects a key: count it at the object's level, not as a deeper match */
	if (json_is_false(sch))
		return fail(c, e, depth - 1, "not allowed here");
	if (c->nest >= MAX_NEST)
		return fail(c, e, depth, "schema nesting is too deep (a $ref loop in the schema?)");
	c->nest++;
	r = v_keywords(c, sch, inst, depth, e);
	c->nest--;
	if (r && !e->final && e->depth == depth) {
		x = json_object_get(sch, "x-expected");
		if (x) {
			snprintf(e->msg, sizeof(e->msg), "expected %s", json_string_value(x));
			e->final = true;
		}
	}
	return r;
}

int fl_schema_validate(const struct fl_schema *s, const char *def, json_t *doc,
		       char *err, size_t errlen)
{
	struct vctx c = { .s = s };
	json_t *sch = s->root;
	struct verr e;

	if (def) {
		sch = json_object_get(json_object_get(s->root, "$defs"), def);
		if (!fl_schema_is_schema(sch))
			return fl_seterr(err, errlen, "schema has no definition \"%s\"", def);
	}
	if (!doc)
		return fl_seterr(err, errlen, "document: expected a JSON document, got nothing");
	if (v(&c, sch, doc, 0, &e) == 0)
		return 0;
	return fl_seterr(err, errlen, "%s: %s", e.path, e.msg);
}
