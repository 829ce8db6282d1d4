// SPDX-License-Identifier: GPL-2.0
/* run.json's "precision": its stopped words, their texts, the printed block (precision_doc.h). */
#include <math.h>
#include <string.h>
#include "compare.h"
#include "fl_json.h"
#include "fl_safe.h"
#include "precision_doc.h"
#include "summary.h"

static const struct {
	const char *word, *text, *brief;
} states[FL_PREC_NSTATES] = {
	[FL_PREC_RUNNING] = { "running", "wants more iterations", "unfinished" },
	[FL_PREC_PRECISION] = { "precision", "stopped: precision reached", "reached" },
	[FL_PREC_TIME] = { "time", "stopped: time budget spent", "time spent" },
	[FL_PREC_ITERATIONS] = { "iterations", "stopped: iteration cap", "iteration cap" },
	[FL_PREC_FAILED] = { "failed", "stopped: an iteration failed", "an iteration failed" },
	[FL_PREC_NO_METRIC] = { "no_metric", "stopped: no metric with a direction", "no metric" },
	[FL_PREC_PLANNED] = { "planned", "planned iterations", "planned" },
};

const char *fl_prec_word(enum fl_prec_state s)
{
	return (unsigned)s < FL_PREC_NSTATES ? states[s].word : "?";
}

int fl_prec_state_of(const char *word)
{
	for (int s = 0; word && s < FL_PREC_NSTATES; s++)
		if (!strcmp(word, states[s].word))
			return s;
	return -1;
}

const char *fl_prec_state_text(enum fl_prec_state s)
{
	return (unsigned)s < FL_PREC_NSTATES ? states[s].text : "?";
}

const char *fl_prec_state_brief(enum fl_prec_state s)
{
	return (unsigned)s < FL_PREC_NSTATES ? states[s].brief : "?";
}

/* A number of the document, NAN when it is not one. */
static double num(json_t *o, const char *key)
{
	return fl_cmp_num(json_object_get(o, key));
}

static bool has_target(json_t *g)
{
	return num(g, "target_pct") > 0;
}

static int state_of(json_t *g)
{
	return fl_prec_state_of(json_string_value(json_object_get(g, "stopped")));
}

/* "  ebizzy threads=1: records_per_s ±2.31% (n=7), target ±1%; wants more iterations" */
static void group_line(json_t *g, FILE *out)
{
	char wl[128], params[512], label[512], metric[128];
	const char *m = json_string_value(json_object_get(g, "metric"));
	json_t *n = json_object_get(g, "n");
	double h = num(g, "halfwidth_pct"), t = num(g, "target_pct");
	long long nn = json_is_integer(n) ? (long long)json_integer_value(n) : -1;
	int s = state_of(g);

	fl_params_label(json_object_get(g, "params"), NULL, params, sizeof(params));
	fprintf(out, "  %s %s: ", fl_text_clean(wl, sizeof(wl),
		json_string_value(json_object_get(g, "workload")) ?: "?"),
		fl_text_clean(label, sizeof(label), params));
	if (!m)
		fprintf(out, "no metric yet");
	else if (isfinite(h))
		fprintf(out, "%s ±%.2f%% (n=%lld)", fl_text_clean(metric, sizeof(metric), m), h, nn);
	else
		fprintf(out, "%s ±? (n=%lld)", fl_text_clean(metric, sizeof(metric), m), nn);
	fprintf(out, ", target ±%g%%; ", t);
	if (s == FL_PREC_RUNNING && nn < FL_PREC_MIN_N && h <= t)
		fprintf(out, "within it; wants n=%d before it stops\n", FL_PREC_MIN_N);
	else
		fprintf(out, "%s\n", s < 0 ? "?" : fl_prec_state_text(s));
}

void fl_prec_doc_print(json_t *prec, const char *who, bool final, FILE *out)
{
	json_t *groups = json_object_get(prec, "groups"), *g;
	size_t i, want = 0, adaptive = 0;
	double max_s = num(prec, "max_time_s"), level = num(prec, "level");
	char a[48], b[48], w[128] = "", wc[120];

	json_array_foreach(groups, i, g) {
		adaptive += has_target(g);
		want += has_target(g) && state_of(g) == FL_PREC_RUNNING;
	}
	if (!adaptive)
		return;
	if (who)
		snprintf(w, sizeof(w), " of %s", fl_text_clean(wc, sizeof(wc), who));
	fl_fmt_duration(a, sizeof(a), num(prec, "spent_s"));
	fl_fmt_duration(b, sizeof(b), max_s);
	if (final)
		fprintf(out, "precision%s (%g%% CI half-width of the mean; %s spent):\n", w,
			isfinite(level) ? 100 * level : 95, a);
	else
		fprintf(out, "== precision%s: %zu of %zu cases want more iterations (%s spent%s%s)\n",
			w, want, adaptive, a, max_s > 0 ? " of " : "", max_s > 0 ? b : "");
	json_array_foreach(groups, i, g)
		if (has_target(g) && (final || state_of(g) == FL_PREC_RUNNING))
			group_line(g, out);
	fflush(out);
}
