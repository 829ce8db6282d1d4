// SPDX-License-Identifier: GPL-2.0
/* Typed workload parameters: parse, range-check, describe. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fl_util.h"
#include "params.h"

static const char *const type_names[] = {
	[FL_P_BOOL] = "bool", [FL_P_INT] = "int", [FL_P_SIZE] = "size",
	[FL_P_DOUBLE] = "number", [FL_P_ENUM] = "enum", [FL_P_STRING] = "string",
};

static bool same_name(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char ca = *a == '-' ? '_' : *a, cb = *b == '-' ? '_' : *b;

		if (ca != cb)
			return false;
	}
	return *a == *b;
}

int fl_params_find(const struct fl_params *p, const char *name)
{
	for (int i = 0; i < p->n; i++)
		if (same_name(p->desc[i].name, name))
			return i;
	return -1;
}

/* "2*cpus", "cpus", "4" -> number. */
static int eval_default(const char *text, double *out)
{
	double mul = 1;
	char *end;

	if (strcmp(text, "cpus") == 0) {
		*out = fl_online_cpus();
		return 0;
	}
	mul = strtod(text, &end);
	if (end != text && strcmp(end, "*cpus") == 0) {
		*out = mul * fl_online_cpus();
		return 0;
	}
	return -1;
}

static bool in_enum(const char *choices, const char *s)
{
	size_t n = strlen(s);
	const char *c = choices;

	while (c && *c) {
		const char *bar = strchr(c, '|');
		size_t len = bar ? (size_t)(bar - c) : strlen(c);

		if (len == n && strncmp(c, s, n) == 0)
			return true;
		c = bar ? bar + 1 : NULL;
	}
	return false;
}

static int range_err(const struct fl_param *d, const char *text, char *err, size_t errlen)
{
	if (d->type == FL_P_SIZE)
		return fl_seterr(err, errlen,
				 "parameter '%s': %s is out of range (expected %.0f to %.0f bytes)",
				 d->name, text, d->min, d->max);
	return fl_seterr(err, errlen, "parameter '%s': %s is out of range (expected %g to %g)",
			 d->name, text, d->min, d->max);
}

static int set_number(struct fl_params *p, int i, const char *text, char *err, size_t errlen)
{
	const struct fl_param *d = &p->desc[i];
	unsigned long long sz;
	double v;
	char *end;

	if (eval_default(text, &v) == 0) {
		/* computed default */
	} else if (d->type == FL_P_SIZE) {
		if (fl_parse_size(text, &sz))
			return fl_seterr(err, errlen,
					 "parameter '%s': '%s' is not a size (expected bytes, e.g. 4096, 512K, 2M, 1G)",
					 d->name, text);
		v = (double)sz;
	} else {
		errno = 0;
		v = strtod(text, &end);
		if (errno || end == text || *end || !isfinite(v))
			return fl_seterr(err, errlen, "parameter '%s': '%s' is not a number",
					 d->name, text);
		if (d->type == FL_P_INT && v != floor(v))
			return fl_seterr(err, errlen,
					 "parameter '%s': '%s' is not a whole number", d->name, text);
	}
	if (d->min <= d->max && (v < d->min || v > d->max))
		return range_err(d, text, err, errlen);
	if (d->type == FL_P_DOUBLE)
		p->v[i].d = v;
	else
		p->v[i].i = (long long)v;
	return 0;
}

static int set_bool(struct fl_params *p, int i, const char *text, char *err, size_t errlen)
{
	static const char *const yes[] = { "1", "true", "yes", "on", NULL };
	static const char *const no[] = { "0", "false", "no", "off", NULL };

	for (int k = 0; yes[k]; k++) {
		if (strcmp(text, yes[k]) == 0) {
			p->v[i].b = true;
			return 0;
		}
		if (strcmp(text, no[k]) == 0) {
			p->v[i].b = false;
			return 0;
		}
	}
	return fl_seterr(err, errlen, "parameter '%s': '%s' is not a boolean (expected true or false)",
			 p->desc[i].name, text);
}

static int set_text(struct fl_params *p, int i, const char *text, char *err, size_t errlen)
{
	const struct fl_param *d = &p->desc[i];

	if (d->type == FL_P_ENUM && !in_enum(d->choices, text))
		return fl_seterr(err, errlen, "parameter '%s': '%s' is not one of %s",
				 d->name, text, d->choices);
	if (strlen(text) >= sizeof(p->sbuf[i]))
		return fl_seterr(err, errlen, "parameter '%s': value too long (at most %zu characters)",
				 d->name, sizeof(p->sbuf[i]) - 1);
	strcpy(p->sbuf[i], text);
	p->v[i].s = p->sbuf[i];
	return 0;
}

static int set_index(struct fl_params *p, int i, const char *text, char *err, size_t errlen)
{
	switch (p->desc[i].type) {
	case FL_P_BOOL:
		return set_bool(p, i, text, err, errlen);
	case FL_P_INT:
	case FL_P_SIZE:
	case FL_P_DOUBLE:
		return set_number(p, i, text, err, errlen);
	case FL_P_ENUM:
	case FL_P_STRING:
		return set_text(p, i, text, err, errlen);
	}
	return fl_seterr(err, errlen, "parameter '%s': unknown type", p->desc[i].name);
}

int fl_params_init(struct fl_params *p, const struct fl_param *desc, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	p->desc = desc;
	while (desc[p->n].name) {
		if (p->n >= FL_MAX_PARAMS)
			return fl_seterr(err, errlen, "too many parameters (max %d)", FL_MAX_PARAMS);
		p->n++;
	}
	for (int i = 0; i < p->n; i++) {
		const char *def = desc[i].def;

		if (!def)
			def = desc[i].type == FL_P_BOOL ? "false" : "";
		if (set_index(p, i, def, err, errlen))
			return -1;
	}
	return 0;
}

int fl_params_set(struct fl_params *p, const char *name, const char *text, char *err, size_t errlen)
{
	int i = fl_params_find(p, name);

	if (i < 0)
		return fl_seterr(err, errlen, "unknown parameter '%s'", name);
	return set_index(p, i, text, err, errlen);
}

int fl_params_set_json(struct fl_params *p, const char *name, json_t *val, char *err, size_t errlen)
{
	char buf[128];

	switch (json_typeof(val)) {
	case JSON_TRUE:
	case JSON_FALSE:
		snprintf(buf, sizeof(buf), "%s", json_is_true(val) ? "true" : "false");
		break;
	case JSON_INTEGER:
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(val));
		break;
	case JSON_REAL:
		snprintf(buf, sizeof(buf), "%.17g", json_real_value(val));
		break;
	case JSON_STRING:
		return fl_params_set(p, name, json_string_value(val), err, errlen);
	default:
		return fl_seterr(err, errlen,
				 "parameter '%s': expected a number, boolean or string", name);
	}
	return fl_params_set(p, name, buf, err, errlen);
}

static int lookup(const struct fl_params *p, const char *name)
{
	int i = fl_params_find(p, name);

	if (i < 0) {
		fprintf(stderr, "faultline: internal error: no parameter '%s'\n", name);
		abort();
	}
	return i;
}

long long fl_param_int(const struct fl_params *p, const char *name)
{
	return p->v[lookup(p, name)].i;
}

double fl_param_double(const struct fl_params *p, const char *name)
{
	return p->v[lookup(p, name)].d;
}

bool fl_param_bool(const struct fl_params *p, const char *name)
{
	return p->v[lookup(p, name)].b;
}

const char *fl_param_str(const struct fl_params *p, const char *name)
{
	return p->v[lookup(p, name)].s;
}

static json_t *value_json(const struct fl_param *d, const union fl_pval *v)
{
	switch (d->type) {
	case FL_P_BOOL:
		return json_boolean(v->b);
	case FL_P_INT:
	case FL_P_SIZE:
		return json_integer(v->i);
	case FL_P_DOUBLE:
		return json_real(v->d);
	default:
		return json_string(v->s);
	}
}

json_t *fl_params_to_json(const struct fl_params *p)
{
	json_t *o = json_object();

	for (int i = 0; i < p->n; i++)
		json_object_set_new(o, p->desc[i].name, value_json(&p->desc[i], &p->v[i]));
	return o;
}

json_t *fl_params_describe(const struct fl_param *desc)
{
	json_t *arr = json_array();

	for (; desc->name; desc++) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "name", desc->name,
				      "type", type_names[desc->type],
				      "default", desc->def ? desc->def : "",
				      "help", desc->help);

		if (desc->short_opt)
			json_object_set_new(o, "short", json_sprintf("-%c", desc->short_opt));
		if (desc->min <= desc->max && desc->type != FL_P_BOOL && desc->type != FL_P_ENUM &&
		    desc->type != FL_P_STRING) {
			json_object_set_new(o, "min", json_real(desc->min));
			json_object_set_new(o, "max", json_real(desc->max));
		}
		if (desc->choices)
			json_object_set_new(o, "choices", json_string(desc->choices));
		json_array_append_new(arr, o);
	}
	return arr;
}

static void usage_line(const struct fl_param *d, FILE *out)
{
	char opt[64], range[64] = "";

	if (d->type == FL_P_BOOL)
		snprintf(opt, sizeof(opt), "--%s", d->name);
	else
		snprintf(opt, sizeof(opt), "--%s=%s", d->name,
			 d->type == FL_P_ENUM ? d->choices : type_names[d->type]);
	if (d->min <= d->max && (d->type == FL_P_INT || d->type == FL_P_DOUBLE))
		snprintf(range, sizeof(range), ", %g..%g", d->min, d->max);
	fprintf(out, "  %s%c%c %-28s %s", d->short_opt ? "-" : "  ",
		d->short_opt ? d->short_opt : ' ', d->short_opt ? ',' : ' ', opt, d->help);
	if (d->def && d->type != FL_P_BOOL)
		fprintf(out, " (default %s%s)", d->def, range);
	else if (range[0])
		fprintf(out, " (%s)", range + 2);
	fputc('\n', out);
}

void fl_params_usage(const struct fl_param *desc, FILE *out)
{
	for (; desc->name; desc++)
		usage_line(desc, out);
}
