// SPDX-License-Identifier: GPL-2.0
/*
 * Validation of faultline result documents against schema/faultline-1.schema.json.
 *
 * Why this is hand-written: Debian packages no C library that validates JSON Schema, and
 * faultline-agent must stay small (it goes into guest initramfs images and depends only on
 * Jansson, hwloc, libperf and libpfm4). The schema file needs only a small subset of JSON
 * Schema draft 2020-12, which is implemented here over Jansson:
 *
 *   assertions   type (a name or an array of names), const, enum, required, properties,
 *                additionalProperties (boolean or schema), items (one schema for every
 *                element), minItems, minimum, maximum, minLength, pattern (POSIX ERE via
 *                regex.h; write patterns in the common subset of ERE and ECMA-262),
 *                allOf, anyOf, oneOf, not, if/then/else, $ref ("#/..." pointers only),
 *                boolean schemas true/false
 *   annotations  $schema (must be draft 2020-12), $id, $comment, title, description, $defs,
 *                x-expected (faultline's own: the phrase used in an error message when a
 *                value fails at this level, e.g. a oneOf whose branches all fail)
 *
 * Any other keyword makes fl_schema_load() fail with a sentence naming it and where it is,
 * so the schema file cannot silently rely on something this validator ignores.
 * tests/integration/schema_crosscheck.py checks that python3-jsonschema, a complete
 * implementation, gives the same verdict on every fixture the C tests use.
 *
 * Errors: validation stops at the first failing keyword and reports "PATH: expected ...",
 * PATH being a dotted path ("case.counters.cycles", "case.ipi.tlb_shootdown.per_cpu[1]").
 * For oneOf/anyOf the branch that got deepest into the value explains the failure; when
 * several got equally far and disagree, the schema's x-expected phrase (or a generic one)
 * describes the accepted forms at the oneOf's own path.
 *
 * No state outside struct fl_schema: fl_schema_validate_case() and _run() parse the embedded
 * schema on every call (about 20 KB of JSON: cheap next to running a workload).
 */
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fl_schema.h"
#include "fl_util.h"

#define FL_SCHEMA_DRAFT "https://json-schema.org/draft/2020-12/schema"
#define PATH_MAX_LEN 384
#define MSG_MAX_LEN 320
#define LOC_MAX_LEN 384
#define MAX_NEST 128

struct fl_re {
	const json_t *node;	/* the "pattern" string in the schema tree */
	regex_t re;
};

struct fl_schema {
	json_t *root;
	struct fl_re *res;
	size_t nres, capres;
};

/* ---------------------------------------------------------------- loading */

enum kw_kind {
	KW_ANNOTATION,		/* string, ignored when validating */
	KW_DRAFT,		/* $schema */
	KW_ANY,			/* const */
	KW_TYPE,
	KW_ENUM,
	KW_STRINGS,		/* required */
	KW_SCHEMA,		/* additionalProperties, items, not, if, then, else */
	KW_SCHEMA_MAP,		/* properties, $defs */
	KW_SCHEMA_LIST,		/* allOf, anyOf, oneOf */
	KW_COUNT,		/* minItems, minLength */
	KW_NUMBER,		/* minimum, maximum */
	KW_REF,
	KW_PATTERN,
};

static const struct {
	const char *name;
	enum kw_kind kind;
} keywords[] = {
	{ "$schema", KW_DRAFT },
	{ "$id", KW_ANNOTATION },
	{ "$comment", KW_ANNOTATION },
	{ "title", KW_ANNOTATION },
	{ "description", KW_ANNOTATION },
	{ "x-expected", KW_ANNOTATION },
	{ "$defs", KW_SCHEMA_MAP },
	{ "type", KW_TYPE },
	{ "const", KW_ANY },
	{ "enum", KW_ENUM },
	{ "required", KW_STRINGS },
	{ "properties", KW_SCHEMA_MAP },
	{ "additionalProperties", KW_SCHEMA },
	{ "items", KW_SCHEMA },
	{ "minItems", KW_COUNT },
	{ "minLength", KW_COUNT },
	{ "minimum", KW_NUMBER },
	{ "maximum", KW_NUMBER },
	{ "pattern", KW_PATTERN },
	{ "allOf", KW_SCHEMA_LIST },
	{ "anyOf", KW_SCHEMA_LIST },
	{ "oneOf", KW_SCHEMA_LIST },
	{ "not", KW_SCHEMA },
	{ "if", KW_SCHEMA },
	{ "then", KW_SCHEMA },
	{ "else", KW_SCHEMA },
	{ "$ref", KW_REF },
};

static const char *const type_names[] = {
	"null", "boolean", "object", "array", "number", "integer", "string",
};

static bool known_type(const json_t *t)
{
	size_t i;

	if (!json_is_string(t))
		return false;
	for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (!strcmp(json_string_value(t), type_names[i]))
			return true;
	return false;
}

/* Append "/token" (JSON-pointer escaped) to a schema location; truncates quietly. */
static size_t loc_push(char *loc, const char *tok)
{
	size_t len = strlen(loc), n = len;

	if (n + 1 < LOC_MAX_LEN)
		loc[n++] = '/';
	for (; *tok && n + 2 < LOC_MAX_LEN; tok++) {
		if (*tok == '~' || *tok == '/') {
			loc[n++] = '~';
			loc[n++] = *tok == '~' ? '0' : '1';
		} else {
			loc[n++] = *tok;
		}
	}
	loc[n] = '\0';
	return len;
}

/* Resolve a local reference "#", "#/a/b~1c/0" against root; NULL if it does not resolve. */
static json_t *resolve_ref(json_t *root, const char *ref)
{
	json_t *node = root;
	char tok[256];

	if (ref[0] != '#')
		return NULL;
	ref++;
	while (*ref) {
		size_t n = 0;

		if (*ref != '/')
			return NULL;
		ref++;
		while (*ref && *ref != '/') {
			char ch = *ref++;

			if (ch == '~') {
				if (*ref != '0' && *ref != '1')
					return NULL;
				ch = *ref++ == '0' ? '~' : '/';
			}
			if (n + 1 >= sizeof(tok))
				return NULL;
			tok[n++] = ch;
		}
		tok[n] = '\0';
		if (json_is_object(node)) {
			node = json_object_get(node, tok);
		} else if (json_is_array(node)) {
			char *end;
			unsigned long i = strtoul(tok, &end, 10);

			node = (*tok && !*end) ? json_array_get(node, i) : NULL;
		} else {
			node = NULL;
		}
		if (!node)
			return NULL;
	}
	return node;
}

static bool is_schema(const json_t *j)
{
	return json_is_object(j) || json_is_boolean(j);
}

static int add_pattern(struct fl_schema *s, const json_t *node, const char *loc,
		       char *err, size_t errlen)
{
	char buf[128];
	int rc;

	if (s->nres == s->capres) {
		size_t cap = s->capres ? 2 * s->capres : 8;
		struct fl_re *r = realloc(s->res, cap * sizeof(*r));

		if (!r)
			return fl_seterr(err, errlen, "schema: out of memory");
		s->res = r;
		s->capres = cap;
	}
	rc = regcomp(&s->res[s->nres].re, json_string_value(node), REG_EXTENDED | REG_NOSUB);
	if (rc) {
		regerror(rc, &s->res[s->nres].re, buf, sizeof(buf));
		return fl_seterr(err, errlen, "schema %s: pattern does not compile as POSIX ERE: %s",
				 loc, buf);
	}
	s->res[s->nres++].node = node;
	return 0;
}

static int compile(struct fl_schema *s, json_t *node, char *loc, char *err, size_t errlen);

static int compile_keyword(struct fl_schema *s, enum kw_kind kind, json_t *val, char *loc,
			   char *err, size_t errlen)
{
	const char *sub;
	json_t *el;
	size_t i;

	switch (kind) {
	case KW_ANNOTATION:
		if (!json_is_string(val))
			return fl_seterr(err, errlen, "schema %s: expected a string", loc);
		return 0;
	case KW_DRAFT:
		if (!json_is_string(val) || strcmp(json_string_value(val), FL_SCHEMA_DRAFT))
			return fl_seterr(err, errlen, "schema %s: expected \"%s\" (the only draft common/fl_schema.c implements)",
					 loc, FL_SCHEMA_DRAFT);
		return 0;
	case KW_ANY:
		return 0;
	case KW_TYPE:
		if (known_type(val))
			return 0;
		if (json_is_array(val) && json_array_size(val)) {
			json_array_foreach(val, i, el)
				if (!known_type(el))
					break;
			if (i == json_array_size(val))
				return 0;
		}
		return fl_seterr(err, errlen, "schema %s: expected a JSON type name or a non-empty array of them", loc);
	case KW_ENUM:
		if (!json_is_array(val) || !json_array_size(val))
			return fl_seterr(err, errlen, "schema %s: expected a non-empty array", loc);
		return 0;
	case KW_STRINGS:
		if (!json_is_array(val))
			return fl_seterr(err, errlen, "schema %s: expected an array of strings", loc);
		json_array_foreach(val, i, el)
			if (!json_is_string(el))
				return fl_seterr(err, errlen, "schema %s: expected an array of strings", loc);
		return 0;
	case KW_SCHEMA:
		return compile(s, val, loc, err, errlen);
	case KW_SCHEMA_MAP:
		if (!json_is_object(val))
			return fl_seterr(err, errlen, "schema %s: expected an object of schemas", loc);
		json_object_foreach(val, sub, el) {
			size_t len = loc_push(loc, sub);

			if (compile(s, el, loc, err, errlen))
				return -1;
			loc[len] = '\0';
		}
		return 0;
	case KW_SCHEMA_LIST:
		if (!json_is_array(val) || !json_array_size(val))
			return fl_seterr(err, errlen, "schema %s: expected a non-empty array of schemas", loc);
		json_array_foreach(val, i, el) {
			char idx[24];
			size_t len;

			snprintf(idx, sizeof(idx), "%zu", i);
			len = loc_push(loc, idx);
			if (compile(s, el, loc, err, errlen))
				return -1;
			loc[len] = '\0';
		}
		return 0;
	case KW_COUNT:
		if (!json_is_integer(val) || json_integer_value(val) < 0)
			return fl_seterr(err, errlen, "schema %s: expected an integer >= 0", loc);
		return 0;
	case KW_NUMBER:
		if (!json_is_number(val))
			return fl_seterr(err, errlen, "schema %s: expected a number", loc);
		return 0;
	case KW_REF:
		if (!json_is_string(val))
			return fl_seterr(err, errlen, "schema %s: expected a string", loc);
		if (!is_schema(resolve_ref(s->root, json_string_value(val))))
			return fl_seterr(err, errlen, "schema %s: \"%s\" does not resolve to a schema in this file (only local \"#/...\" references are implemented)",
					 loc, json_string_value(val));
		return 0;
	case KW_PATTERN:
		if (!json_is_string(val))
			return fl_seterr(err, errlen, "schema %s: expected a string", loc);
		return add_pattern(s, val, loc, err, errlen);
	}
	return 0;
}

/* Check every keyword of the schema node at loc (and below) is one we implement. */
static int compile(struct fl_schema *s, json_t *node, char *loc, char *err, size_t errlen)
{
	const char *key;
	json_t *val;

	if (json_is_boolean(node))
		return 0;
	if (!json_is_object(node))
		return fl_seterr(err, errlen, "schema %s: expected a schema (an object or true/false)", loc);
	json_object_foreach(node, key, val) {
		size_t i, len;

		for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
			if (!strcmp(key, keywords[i].name))
				break;
		len = loc_push(loc, key);
		if (i == sizeof(keywords) / sizeof(keywords[0]))
			return fl_seterr(err, errlen, "schema %s: keyword \"%s\" is not implemented by common/fl_schema.c; use only the keywords listed in schema/README.md",
					 loc, key);
		if (compile_keyword(s, keywords[i].kind, val, loc, err, errlen))
			return -1;
		loc[len] = '\0';
	}
	return 0;
}

void fl_schema_free(struct fl_schema *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nres; i++)
		regfree(&s->res[i].re);
	free(s->res);
	json_decref(s->root);
	free(s);
}

struct fl_schema *fl_schema_load(const char *text, char *err, size_t errlen)
{
	struct fl_schema *s = calloc(1, sizeof(*s));
	char loc[LOC_MAX_LEN] = "#";
	json_error_t jerr;

	if (!s) {
		fl_seterr(err, errlen, "schema: out of memory");
		return NULL;
	}
	s->root = json_loads(text, JSON_DECODE_ANY, &jerr);
	if (!s->root) {
		fl_seterr(err, errlen, "schema: line %d column %d: %s", jerr.line, jerr.column,
			  jerr.text);
		goto fail;
	}
	if (compile(s, s->root, loc, err, errlen))
		goto fail;
	return s;
fail:
	fl_schema_free(s);
	return NULL;
}

/* ---------------------------------------------------------------- validating */

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

static bool is_integral(const json_t *j)
{
	double d;

	if (json_is_integer(j))
		return true;
	if (!json_is_real(j))
		return false;
	d = json_real_value(j);
	return isfinite(d) && floor(d) == d;
}

static bool has_type(const json_t *j, const char *t)
{
	if (!strcmp(t, "null"))
		return json_is_null(j);
	if (!strcmp(t, "boolean"))
		return json_is_boolean(j);
	if (!strcmp(t, "object"))
		return json_is_object(j);
	if (!strcmp(t, "array"))
		return json_is_array(j);
	if (!strcmp(t, "number"))
		return json_is_number(j);
	if (!strcmp(t, "integer"))
		return is_integral(j);
	if (!strcmp(t, "string"))
		return json_is_string(j);
	return false;
}

static const char *type_phrase(const char *t)
{
	if (!strcmp(t, "null"))
		return "null";
	if (!strcmp(t, "boolean"))
		return "true or false";
	if (!strcmp(t, "object"))
		return "an object";
	if (!strcmp(t, "array"))
		return "an array";
	if (!strcmp(t, "number"))
		return "a number";
	if (!strcmp(t, "integer"))
		return "an integer";
	return "a string";
}

/* What the instance is, for "got ..." in messages. */
static const char *inst_phrase(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT:	return "an object";
	case JSON_ARRAY:	return "an array";
	case JSON_STRING:	return "a string";
	case JSON_INTEGER:	return "an integer";
	case JSON_REAL:		return "a number";
	case JSON_TRUE:		return "true";
	case JSON_FALSE:	return "false";
	default:		return "null";
	}
}

/* JSON equality where 1 equals 1.0, as JSON Schema's const and enum want it. */
static bool json_eq(const json_t *a, const json_t *b)
{
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	if (json_is_array(a) && json_is_array(b)) {
		size_t i, n = json_array_size(a);

		if (n != json_array_size(b))
			return false;
		for (i = 0; i < n; i++)
			if (!json_eq(json_array_get(a, i), json_array_get(b, i)))
				return false;
		return true;
	}
	if (json_is_object(a) && json_is_object(b)) {
		const char *k;
		json_t *v;

		if (json_object_size(a) != json_object_size(b))
			return false;
		json_object_foreach((json_t *)a, k, v) {
			json_t *w = json_object_get(b, k);

			if (!w || !json_eq(v, w))
				return false;
		}
		return true;
	}
	return json_equal((json_t *)a, (json_t *)b);
}

/* Compact text of a value for messages; strings bare when bare is set. */
static void show(char *buf, size_t len, const json_t *j, bool bare)
{
	char *s;

	if (bare && json_is_string(j)) {
		snprintf(buf, len, "%s", json_string_value(j));
		return;
	}
	s = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
	snprintf(buf, len, "%s", s ? s : "?");
	if (s && strlen(s) >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
	free(s);
}

static size_t utf8_len(const char *s, size_t bytes)
{
	size_t i, n = 0;

	for (i = 0; i < bytes; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
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
		if (has_type(inst, json_string_value(t)))
			return 0;
		return fail(c, e, depth, "expected %s, got %s",
			    type_phrase(json_string_value(t)), inst_phrase(inst));
	}
	json_array_foreach(t, i, el)
		if (has_type(inst, json_string_value(el)))
			return 0;
	n = json_array_size(t);
	json_array_foreach(t, i, el) {
		size_t l = strlen(want);

		const char *t = json_string_value(el);

		snprintf(want + l, sizeof(want) - l, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ",
			 strcmp(t, "boolean") ? type_phrase(t) : "a boolean");
	}
	return fail(c, e, depth, "expected %s, got %s", want, inst_phrase(inst));
}

static int v_enum(struct vctx *c, json_t *en, json_t *inst, int depth, struct verr *e)
{
	char want[200] = "", got[80];
	size_t i, n = json_array_size(en);
	json_t *el;

	json_array_foreach(en, i, el)
		if (json_eq(el, inst))
			return 0;
	json_array_foreach(en, i, el) {
		size_t l = strlen(want);
		char one[64];

		show(one, sizeof(one), el, true);
		snprintf(want + l, sizeof(want) - l, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ",
			 one);
	}
	show(got, sizeof(got), inst, false);
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

		if (!child)
			continue;
		old = path_key(c, key);
		if (v(c, sub, child, depth + 1, e)) {
			path_pop(c, old);
			return -1;
		}
		path_pop(c, old);
	}
	if (!addl)
		return 0;
	json_object_foreach(inst, key, el) {
		if (json_object_get(props, key))
			continue;
		old = path_key(c, key);
		if (v(c, addl, el, depth + 1, e)) {
			path_pop(c, old);
			return -1;
		}
		path_pop(c, old);
	}
	return 0;
}

static int v_keywords(struct vctx *c, json_t *sch, json_t *inst, int depth, struct verr *e)
{
	json_t *k, *el;
	size_t i;

	k = json_object_get(sch, "$ref");
	if (k && v(c, resolve_ref(c->s->root, json_string_value(k)), inst, depth, e))
		return -1;
	k = json_object_get(sch, "type");
	if (k && v_type(c, k, inst, depth, e))
		return -1;
	k = json_object_get(sch, "const");
	if (k && !json_eq(k, inst)) {
		char want[80], got[80];

		show(want, sizeof(want), k, false);
		show(got, sizeof(got), inst, false);
		return fail(c, e, depth, "expected %s, got %s", want, got);
	}
	k = json_object_get(sch, "enum");
	if (k && v_enum(c, k, inst, depth, e))
		return -1;

	if (json_is_string(inst)) {
		const char *s = json_string_value(inst);
		const regex_t *re;

		k = json_object_get(sch, "minLength");
		if (k && utf8_len(s, json_string_length(inst)) < (size_t)json_integer_value(k)) {
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
		if (!is_schema(sch))
			return fl_seterr(err, errlen, "schema has no definition \"%s\"", def);
	}
	if (!doc)
		return fl_seterr(err, errlen, "document: expected a JSON document, got nothing");
	if (v(&c, sch, doc, 0, &e) == 0)
		return 0;
	return fl_seterr(err, errlen, "%s: %s", e.path, e.msg);
}

static int validate_embedded(const char *def, json_t *doc, char *err, size_t errlen)
{
	struct fl_schema *s;
	char lerr[FL_ERRLEN];
	int r;

	s = fl_schema_load(fl_schema_text, lerr, sizeof(lerr));
	if (!s)
		return fl_seterr(err, errlen, "built-in %s", lerr);
	r = fl_schema_validate(s, def, doc, err, errlen);
	fl_schema_free(s);
	return r;
}

int fl_schema_validate_case(json_t *doc, char *err, size_t errlen)
{
	return validate_embedded("case_document", doc, err, errlen);
}

int fl_schema_validate_run(json_t *doc, char *err, size_t errlen)
{
	return validate_embedded("run_document", doc, err, errlen);
}

/* ---------------------------------------------------------------- version */

int fl_schema_check_major_file(json_t *doc, const char *file, char *err, size_t errlen)
{
	static const char prefix[] = "faultline/";
	const char *id, *p;
	unsigned long major;
	char *end;

	if (!file)
		file = "this document";
	if (!json_is_object(doc))
		return fl_seterr(err, errlen, "%s is not a JSON object; expected a %s result document",
				 file, FL_SCHEMA_ID);
	id = json_string_value(json_object_get(doc, "schema"));
	if (!id)
		return fl_seterr(err, errlen, "%s has no \"schema\" string; expected \"%s\"",
				 file, FL_SCHEMA_ID);
	if (strncmp(id, prefix, sizeof(prefix) - 1) ||
	    id[sizeof(prefix) - 1] < '0' || id[sizeof(prefix) - 1] > '9')
		goto foreign;
	p = id + sizeof(prefix) - 1;
	major = strtoul(p, &end, 10);
	if (*end == '.') {
		/* a minor revision: faultline/1.2 adds fields a faultline/1 reader may ignore */
		p = end + 1;
		if (*p < '0' || *p > '9')
			goto foreign;
		strtoul(p, &end, 10);
	}
	if (*end)
		goto foreign;
	if (major != FL_SCHEMA_MAJOR)
		return fl_seterr(err, errlen, "%s has schema %s; this faultline reads %s",
				 file, id, FL_SCHEMA_ID);
	return 0;
foreign:
	return fl_seterr(err, errlen, "%s has schema \"%s\", which is not a faultline result schema; expected \"%s\"",
			 file, id, FL_SCHEMA_ID);
}

int fl_schema_check_major(json_t *doc, char *err, size_t errlen)
{
	return fl_schema_check_major_file(doc, NULL, err, errlen);
}
