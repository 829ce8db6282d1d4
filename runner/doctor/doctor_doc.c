// SPDX-License-Identifier: GPL-2.0
/* The doctor's document (doctor.h): findings added by the checks, their summary, and the
 * findings as 80-column text. The command itself is cmd_doctor.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/utsname.h>
#include "doctor.h"
#include "fl_hostlock.h"
#include "fl_json.h"
#include "fl_util.h"

#define NAME_COL 6		/* "warn  " */
#define TEXT_COL 23		/* after the name column */
#define WIDTH 80

/* Findings of the moment: two runs are compared on their level only. */
static const char *const volatile_ids[] = { "load", "busy", "steal", "runs", "journal", NULL };

int fl_doctor_read(const char *path, char *buf, size_t len)
{
	long n = fl_read_file(path, buf, len);

	if (n < 0)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	n = (long)strlen(buf);
	while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = '\0';
	return 0;
}

const char *fl_doctor_cmdline_arg(const char *cmdline, const char *name, char *buf, size_t len)
{
	size_t n = strlen(name);
	const char *p = cmdline;

	while (p && *p) {
		p += strspn(p, " \n");
		if (!strncmp(p, "--", 2) && (p[2] == ' ' || p[2] == '\n' || !p[2]))
			break;	/* the rest is init's */
		if (!strncmp(p, name, n) && (p[n] == '=' || p[n] == ' ' || p[n] == '\n' || !p[n])) {
			snprintf(buf, len, "%.*s", p[n] == '=' ? (int)strcspn(p + n + 1, " \n") : 0,
				 p[n] == '=' ? p + n + 1 : "");
			return buf;
		}
		p += strcspn(p, " \n");
	}
	return NULL;
}

json_t *fl_doctor_add(json_t *doc, const char *id, const char *name, const char *level,
		      const char *fix, const char *fmt, ...)
{
	json_t *f = json_pack("{s:s, s:s, s:s}", "id", id, "name", name, "level", level);
	char state[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(state, sizeof(state), fmt, ap);
	va_end(ap);
	json_object_set_new(f, "state", json_string(state));
	json_object_set_new(f, "fix", json_string(fix));
	for (int i = 0; volatile_ids[i]; i++)
		if (!strcmp(id, volatile_ids[i]))
			json_object_set_new(f, "volatile", json_true());
	json_array_append_new(json_object_get(doc, "findings"), f);
	return f;
}

static json_t *doc_new(double sample_s)
{
	char when[32], host[256] = "?";
	time_t t = time(NULL);
	struct utsname u;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	gethostname(host, sizeof(host) - 1);
	if (uname(&u))
		memset(&u, 0, sizeof(u));
	return json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:i}, s:f, s:[]}", "schema",
			 FL_DOCTOR_SCHEMA, "time", when, "host", "hostname", host, "release",
			 u.release, "machine", u.machine, "cpus", fl_online_cpus(), "sampled_s",
			 sample_s, "findings");
}

void fl_doctor_summarize(json_t *doc)
{
	int n[3] = { 0 };
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(doc, "findings"), i, f) {
		const char *l = json_string_value(json_object_get(f, "level"));

		n[!strcmp(l, "warn") ? 1 : !strcmp(l, "info") ? 2 : 0]++;
	}
	json_object_set_new(doc, "summary", json_pack("{s:i, s:i, s:i}", "ok", n[0], "warn",
						      n[1], "info", n[2]));
}

json_t *fl_doctor_collect(const struct fl_doctor_opts *o)
{
	json_t *doc = doc_new(o->sample_s);

	fl_doctor_check_load(doc, o);
	fl_doctor_check_settings(doc);
	fl_doctor_check_cmdline(doc);
	fl_doctor_check_memory(doc);
	fl_doctor_summarize(doc);
	return doc;
}

json_t *fl_doctor_conditions(bool self_holds_lock)
{
	struct fl_doctor_opts o = { .sample_s = 0, .self_holds_lock = self_holds_lock,
				    .lock_path = FL_HOSTLOCK_PATH };

	return fl_doctor_collect(&o);
}

bool fl_doctor_warns(json_t *doc)
{
	json_t *s = json_object_get(doc, "summary");

	return json_integer_value(json_object_get(s, "warn")) != 0;
}

void fl_doctor_wrap(FILE *out, const char *text, int col)
{
	int x = col;

	while (*text) {
		int w = (int)strcspn(text, " ");

		if (x > col && x + 1 + w > WIDTH) {
			fprintf(out, "\n%*s", col, "");
			x = col;
		} else if (x > col) {
			fputc(' ', out);
			x++;
		}
		if (w > WIDTH - col)
			w = WIDTH - col;
		fprintf(out, "%.*s", w, text);
		x += w;
		text += w;
		while (*text == ' ')
			text++;
	}
	fputc('\n', out);
}

void fl_doctor_print(json_t *doc, FILE *out)
{
	json_t *h = json_object_get(doc, "host"), *s = json_object_get(doc, "summary"), *f;
	double secs = json_real_value(json_object_get(doc, "sampled_s"));
	char head[256], fix[600];
	size_t i;

	snprintf(head, sizeof(head), "faultline doctor: %s, kernel %s, %lld CPUs, %s",
		 json_string_value(json_object_get(h, "hostname")),
		 json_string_value(json_object_get(h, "release")),
		 json_integer_value(json_object_get(h, "cpus")),
		 secs > 0 ? "load sampled" : "load not sampled");
	fprintf(out, "%s", head);
	if (secs > 0)
		fprintf(out, " over %.1f s", secs);
	fputs("\n\n", out);
	json_array_foreach(json_object_get(doc, "findings"), i, f) {
		const char *lvl = json_string_value(json_object_get(f, "level"));

		fprintf(out, "%-*s%-*s", NAME_COL, lvl, TEXT_COL - NAME_COL - 1,
			json_string_value(json_object_get(f, "name")));
		fputc(' ', out);
		fl_doctor_wrap(out, json_string_value(json_object_get(f, "state")), TEXT_COL);
		if (strcmp(lvl, "ok")) {
			snprintf(fix, sizeof(fix), "fix: %s",
				 json_string_value(json_object_get(f, "fix")));
			fprintf(out, "%*s", TEXT_COL, "");
			fl_doctor_wrap(out, fix, TEXT_COL);
		}
	}
	fprintf(out, "\n%lld warn, %lld ok, %lld info: %s\n",
		json_integer_value(json_object_get(s, "warn")),
		json_integer_value(json_object_get(s, "ok")),
		json_integer_value(json_object_get(s, "info")),
		fl_doctor_warns(doc) ? "numbers measured now may be noisy or wrong (exit 1)" :
		"nothing warns (exit 0)");
}
