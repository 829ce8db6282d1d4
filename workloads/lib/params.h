/* SPDX-License-Identifier: GPL-2.0 */
/* Typed workload parameters: one table drives option parsing, --help, JSON and suite sweeps. */
#ifndef FL_PARAMS_H
#define FL_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

enum fl_ptype {
	FL_P_BOOL,	/* a flag: present = true */
	FL_P_INT,	/* integer in [min, max] */
	FL_P_SIZE,	/* bytes, with K/M/G suffixes, in [min, max] */
	FL_P_DOUBLE,	/* real number in [min, max] */
	FL_P_ENUM,	/* one of choices, "a|b|c" */
	FL_P_STRING,	/* free text (a path) */
};

struct fl_param {
	const char *name;	/* --name and the JSON key; '-' not '_' is accepted on the command line */
	int short_opt;		/* single-letter option, 0 for none */
	enum fl_ptype type;
	const char *def;	/* default as text; numbers may use "cpus": "2*cpus" */
	double min, max;	/* range for numbers */
	const char *choices;	/* FL_P_ENUM: "a|b|c" */
	const char *help;
};

union fl_pval {
	long long i;
	double d;
	bool b;
	const char *s;
};

#define FL_MAX_PARAMS 32

struct fl_params {
	const struct fl_param *desc;	/* terminated by a NULL name */
	int n;
	union fl_pval v[FL_MAX_PARAMS];
	char sbuf[FL_MAX_PARAMS][128];	/* storage for string/enum values */
};

/* Fill p with the defaults of desc. Returns 0, or -1 with err (a table bug). */
int fl_params_init(struct fl_params *p, const struct fl_param *desc, char *err, size_t errlen);
/* Set one parameter from text, as given on the command line or in a suite.
 * Returns 0, or -1 with err naming the parameter and the expected value. */
int fl_params_set(struct fl_params *p, const char *name, const char *text, char *err, size_t errlen);
/* Set one parameter from a JSON value (suite files). */
int fl_params_set_json(struct fl_params *p, const char *name, json_t *val, char *err, size_t errlen);
/* Index of name, or -1. '-' and '_' are the same. */
int fl_params_find(const struct fl_params *p, const char *name);

long long fl_param_int(const struct fl_params *p, const char *name);	/* INT, SIZE */
double fl_param_double(const struct fl_params *p, const char *name);
bool fl_param_bool(const struct fl_params *p, const char *name);
const char *fl_param_str(const struct fl_params *p, const char *name);	/* ENUM, STRING */

/* {"name": value, ...} with typed JSON values. */
json_t *fl_params_to_json(const struct fl_params *p);
/* Describe the table (for --describe and faultline list). */
json_t *fl_params_describe(const struct fl_param *desc);
/* Print option help lines for the table. */
void fl_params_usage(const struct fl_param *desc, FILE *out);

#endif
