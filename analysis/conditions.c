// SPDX-License-Identifier: GPL-2.0
/* Two runs' conditions compared (conditions.h). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "compare.h"
#include "conditions.h"

#define SENTENCE_MAX 1024

static bool is_doc(json_t *c)
{
	return json_is_object(c) && json_is_array(json_object_get(c, "findings"));
}

json_t *fl_run_conditions(json_t *doc)
{
	json_t *run = json_object_get(doc, "run");
	json_t *c = json_object_get(run ? run : doc, "conditions");

	return is_doc(c) ? c : NULL;
}

static json_t *find(json_t *doc, const char *id)
{
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(doc, "findings"), i, f)
		if (json_is_string(json_object_get(f, "id")) &&
		    !strcmp(json_string_value(json_object_get(f, "id")), id))
			return f;
	return NULL;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "?";
}

static void value_text(json_t *v, char *buf, size_t len)
{
	if (!v)
		snprintf(buf, len, "not recorded");
	else if (json_is_string(v) && !json_string_value(v)[0])
		snprintf(buf, len, "empty");
	else
		fl_cmp_value_str(v, buf, len);
}

static void add_setting(char *s, size_t len, const char *key, json_t *va, json_t *vb,
			const char *la, const char *lb)
{
	char ta[256], tb[256];
	size_t n = strlen(s);

	value_text(va, ta, sizeof(ta));
	value_text(vb, tb, sizeof(tb));
	snprintf(s + n, len - n, "%s%s is %s in %s, %s in %s", n ? "; " : "", key, ta, la, tb, lb);
}

/* Every setting of fa or fb whose value differs, in one sentence; "" when none does. */
static void settings_diff(json_t *fa, json_t *fb, char *s, size_t len, const char *la,
			  const char *lb)
{
	json_t *sa = json_object_get(fa, "settings"), *sb = json_object_get(fb, "settings"), *v;
	const char *key;

	s[0] = '\0';
	json_object_foreach(sa, key, v)
		if (!json_equal(v, json_object_get(sb, key)))
			add_setting(s, len, key, v, json_object_get(sb, key), la, lb);
	json_object_foreach(sb, key, v)
		if (!json_object_get(sa, key))
			add_setting(s, len, key, NULL, v, la, lb);
}

static void append(json_t *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(json_t *out, const char *fmt, ...)
{
	char s[SENTENCE_MAX * 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s, sizeof(s), fmt, ap);
	va_end(ap);
	json_array_append_new(out, json_string(s));
}

static void finding_diff(json_t *out, json_t *fa, json_t *fb, const char *la, const char *lb)
{
	const char *name = str(fa, "name"), *lva = str(fa, "level"), *lvb = str(fb, "level");
	char s[SENTENCE_MAX];

	if (!json_is_true(json_object_get(fa, "volatile")) &&
	    (json_object_get(fa, "settings") || json_object_get(fb, "settings"))) {
		settings_diff(fa, fb, s, sizeof(s), la, lb);
		if (s[0])
			append(out, "%s: %s", name, s);
		return;
	}
	if (strcmp(lva, lvb))
		append(out, "%s: %s in %s (%s), %s in %s (%s)", name, lva, la, str(fa, "state"),
		       lvb, lb, str(fb, "state"));
}

json_t *fl_conditions_diff_named(json_t *a, json_t *b, const char *la, const char *lb)
{
	json_t *out = json_array(), *f;
	size_t i;

	if (!out || (!is_doc(a) && !is_doc(b)))
		return out;
	if (!is_doc(a) || !is_doc(b)) {
		append(out, "run %s has no recorded conditions (run.json without run.conditions: "
		       "made before faultline doctor, or not on --target local); run %s's are "
		       "not compared", is_doc(a) ? lb : la, is_doc(a) ? la : lb);
		return out;
	}
	json_array_foreach(json_object_get(a, "findings"), i, f) {
		json_t *g = find(b, str(f, "id"));

		if (g)
			finding_diff(out, f, g, la, lb);
		else
			append(out, "%s: recorded in %s only", str(f, "name"), la);
	}
	json_array_foreach(json_object_get(b, "findings"), i, f)
		if (!find(a, str(f, "id")))
			append(out, "%s: recorded in %s only", str(f, "name"), lb);
	return out;
}

json_t *fl_conditions_diff(json_t *a, json_t *b)
{
	return fl_conditions_diff_named(a, b, "A", "B");
}
