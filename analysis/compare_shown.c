// SPDX-License-Identifier: GPL-2.0
/* compare: reading the document as the renderers do (numbers, marks, sweeps) and
 * the copies of it they show (control characters cleaned, Markdown escaped), with the number
 * and string formats they share. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "compare.h"
#include "fl_safe.h"

double fl_cmp_num(json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : NAN;
}

const char *fl_cmp_str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "-";
}

bool fl_cmp_no_value(json_t *st, char *buf, size_t len)
{
	const char *status = fl_cmp_str(st, "status");

	if (!strcmp(status, "ok"))
		return false;
	if (!strcmp(status, "absent"))
		snprintf(buf, len, "-");
	else if (!strcmp(status, "unsupported"))
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "(%s)", status);
	return true;
}

void fl_cmp_mean_sd(json_t *st, char *mean, char *sd, size_t len)
{
	fl_fmt_num(mean, len, fl_cmp_num(json_object_get(st, "mean")));
	fl_fmt_num(sd, len, fl_cmp_num(json_object_get(st, "sd")));
}

const char *fl_cmp_word(json_t *c)
{
	const char *v = fl_cmp_str(c, "verdict"), *d = fl_cmp_str(c, "direction");

	if (!strcmp(v, "too few samples"))
		return !strcmp(d, "same") ? "same" : "n<3";
	return strcmp(d, "-") ? d : v;
}

json_t *fl_cmp_find(json_t *array, const char *key, const char *value)
{
	json_t *o;
	size_t i;

	json_array_foreach(array, i, o)
		if (!strcmp(fl_cmp_str(o, key), value))
			return o;
	return NULL;
}

const char *fl_cmp_run_name(json_t *cmp, size_t r)
{
	json_t *run = json_array_get(json_object_get(cmp, "runs"), r);
	const char *n = json_string_value(json_object_get(run, "name"));

	return n ? n : fl_cmp_str(run, "label");
}

const char *fl_cmp_fit(const char *n, size_t w, char *buf, size_t len)
{
	const char *tail = strrchr(n, ' ');
	size_t tl = tail ? strlen(tail) : 0;

	if (strlen(n) <= w || w < 4 || len <= w)
		snprintf(buf, len, "%s", n);
	else if (tail && tl + 3 <= w)
		snprintf(buf, len, "%.*s~%s", (int)(w - tl - 1), n, tail);
	else
		snprintf(buf, len, "%.*s~", (int)(w - 1), n);
	return buf;
}

void fl_cmp_list(FILE *out, json_t *list, const char *none, const char *head,
		 void (*item)(FILE *out, const char *line))
{
	json_t *l;
	size_t i;

	if (!json_array_size(list)) {
		if (none)
			fputs(none, out);
		return;
	}
	fputs(head, out);
	json_array_foreach(list, i, l)
		item(out, json_string_value(l));
}

char fl_cmp_outlier_mark(json_t *st)
{
	json_t *o = json_object_get(st, "outliers");

	if (json_integer_value(json_object_get(o, "low_severe")) +
	    json_integer_value(json_object_get(o, "high_severe")))
		return 'O';
	if (json_integer_value(json_object_get(o, "low_mild")) +
	    json_integer_value(json_object_get(o, "high_mild")))
		return 'o';
	return ' ';
}

const char *fl_cmp_ci_of(json_t *cmp)
{
	const char *ci = json_string_value(json_object_get(cmp, "ci")) ?: "";

	if (!strcmp(ci, "Hodges-Lehmann"))
		return "the Hodges-Lehmann shift (median of the pairwise differences)";
	if (!strcmp(ci, "bootstrap percentile"))
		return "the difference of means (percentile bootstrap, 10,000 resamples)";
	if (!strcmp(ci, "per comparison"))
		return "the difference of means, by each comparison's own test (Welch-Satterthwaite; "
		       "percentile bootstrap where a sample is skewed or heavy-tailed)";
	return "the difference of means (Welch-Satterthwaite df)";
}

json_t *fl_cmp_sweep_metric(json_t *group, const char *family, const char *name)
{
	json_t *sw = json_object_get(group, "sweep"), *m, *found = NULL;
	const char *fam = json_string_value(json_object_get(sw, "family")) ?: "-";
	size_t i;

	if (!sw || strcmp(fam, family))
		return NULL;
	json_array_foreach(json_object_get(group, "metrics"), i, m)
		if (!strcmp(json_string_value(json_object_get(m, "name")) ?: "-", name))
			found = m;
	return found;
}

void fl_fmt_num(char *buf, size_t len, double v)
{
	double a = fabs(v);

	if (isnan(v))
		snprintf(buf, len, "-");
	else if (a >= 1e6 || (a < 1e-3 && a != 0))
		snprintf(buf, len, "%.2e", v);
	else if (a >= 1000)
		snprintf(buf, len, "%.0f", v);
	else if (a >= 10)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.3f", v);
}

/* Cut a string that snprintf truncated back to whole UTF-8 characters (Jansson takes only
 * valid UTF-8: a half character would lose the whole row). */
void fl_utf8_cut(char *buf)
{
	size_t n = strlen(buf), i = n, need;
	unsigned char lead;

	while (i > 0 && ((unsigned char)buf[i - 1] & 0xc0) == 0x80 && n - i < 3)
		i--;
	if (!i)
		return;
	lead = (unsigned char)buf[i - 1];
	if (lead < 0xc0)
		return;
	need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
	if (n - (i - 1) < need)
		buf[i - 1] = '\0';
}

/* A copy of text for a terminal or a Markdown table: control characters '?' (fl_text_clean);
 * in Markdown also '|' escaped, '<' and '>' as entities and '`' as '\''. */
char *fl_text_shown(const char *text, bool md)
{
	size_t n = strlen(text);
	char *c = malloc(n + 1), *o = malloc(4 * n + 1), *p = o;

	if (!c || !o) {
		free(c);
		free(o);
		return NULL;
	}
	fl_text_clean(c, n + 1, text);
	for (const char *q = c; *q; q++) {
		if (md && *q == '|')
			p += sprintf(p, "\\|");
		else if (md && (*q == '<' || *q == '>'))
			p += sprintf(p, "%s", *q == '<' ? "&lt;" : "&gt;");
		else
			*p++ = md && *q == '`' ? '\'' : *q;
	}
	*p = '\0';
	free(c);
	return o;
}

/* A string value as shown (fl_text_shown), a new reference; "?" when out of memory. */
static json_t *shown_string(json_t *str, bool md)
{
	char *t = fl_text_shown(json_string_value(str), md);
	json_t *s = json_string(t ? t : "?");

	free(t);
	return s;
}

static void shown_walk(json_t *v, bool md)
{
	const char *k;
	json_t *m;
	size_t i;

	json_object_foreach(v, k, m) {
		if (json_is_string(m))
			json_object_set_new(v, k, shown_string(m, md));
		else
			shown_walk(m, md);
	}
	json_array_foreach(v, i, m) {
		if (json_is_string(m))
			json_array_set_new(v, i, shown_string(m, md));
		else
			shown_walk(m, md);
	}
}

json_t *fl_cmp_shown(json_t *cmp, bool md)
{
	json_t *c = json_deep_copy(cmp);

	shown_walk(c, md);
	return c;
}

void fl_cmp_value_str(json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%g", json_real_value(v));
	else
		snprintf(buf, len, "%s", json_is_true(v) ? "true" : json_is_false(v) ? "false" :
			 "null");
	fl_utf8_cut(buf);
}

bool fl_cmp_group_measured(json_t *g)
{
	json_t *n;
	size_t i;

	json_array_foreach(json_object_get(g, "n"), i, n)
		if (json_integer_value(n) > 0)
			return true;
	return false;
}
