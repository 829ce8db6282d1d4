// SPDX-License-Identifier: GPL-2.0
/* Counts: which units are counts, their family, and the rule that decides a difference. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "counts.h"

static const char *const event_nouns[] = {
	"count", "event", "ipi", "interrupt", "fault", "flush", "collapse", "page", "table",
	"call", "fallback", "retry", "retrie", "abort", "miss", "split", "shootdown", "swapin",
	NULL,
};

static const char *const time_units[] = {
	"s", "sec", "second", "ms", "us", "µs", "ns", "min", "minute", "h", "hour", NULL,
};

/* word[0..n) lowercased, surrounding blanks dropped, into buf. */
static void word_of(const char *word, size_t n, char *buf, size_t len)
{
	size_t o = 0;

	while (n && isspace((unsigned char)*word))
		word++, n--;
	while (n && isspace((unsigned char)word[n - 1]))
		n--;
	for (size_t i = 0; i < n && o + 1 < len; i++)
		buf[o++] = (char)tolower((unsigned char)word[i]);
	buf[o] = '\0';
}

static bool in_list(const char *w, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (!strcmp(w, list[i]))
			return true;
	return false;
}

/* w, or w without a plural "s" / "es", is in list. */
static bool noun_in(const char *w, const char *const *list)
{
	char sing[64];
	size_t n = strlen(w);

	if (in_list(w, list))
		return true;
	if (n > 1 && n < sizeof(sing) && w[n - 1] == 's') {
		snprintf(sing, sizeof(sing), "%.*s", (int)(n - 1), w);
		if (in_list(sing, list))
			return true;
		if (n > 2 && w[n - 2] == 'e') {
			sing[n - 2] = '\0';
			return in_list(sing, list);
		}
	}
	return false;
}

bool fl_unit_is_count(const char *unit)
{
	char num[64], den[64];
	const char *slash;

	if (!unit || !*unit)
		return false;
	slash = strchr(unit, '/');
	word_of(unit, slash ? (size_t)(slash - unit) : strlen(unit), num, sizeof(num));
	word_of(slash ? slash + 1 : "", slash ? strlen(slash + 1) : 0, den, sizeof(den));
	if (den[0] && noun_in(den, time_units))
		return false;
	if (!strncmp(num, "per ", 4) && !slash)
		return !noun_in(num + 4, time_units);
	return noun_in(num, event_nouns);
}

const char *fl_family_name(enum fl_family f)
{
	switch (f) {
	case FL_FAM_METRICS:
		return "metrics";
	case FL_FAM_COUNTS:
		return "counts";
	default:
		return "counters";
	}
}

enum fl_family fl_family_of(bool workload_metric, const char *unit)
{
	if (!workload_metric)
		return FL_FAM_COUNTERS;
	return fl_unit_is_count(unit) ? FL_FAM_COUNTS : FL_FAM_METRICS;
}

void fl_floor_of(bool count, double base_mean, double min_effect_pct, double noise_pct,
		 double spread, struct fl_floor *f)
{
	double base = fabs(base_mean);
	double noise = isfinite(noise_pct) ? noise_pct * base / 100 : NAN;

	if (count) {
		f->abs = FL_COUNT_MIN_DELTA;
		f->source = "count";
		if (FL_COUNT_MIN_REL_PCT * base / 100 > f->abs)
			f->abs = FL_COUNT_MIN_REL_PCT * base / 100;
		if (isfinite(spread) && spread >= f->abs) {
			f->abs = spread;
			f->source = "spread";
		}
	} else {
		f->abs = isfinite(min_effect_pct) ? min_effect_pct * base / 100 : 0;
		f->source = "min effect";
		if (isfinite(noise) && noise >= f->abs) {
			f->abs = noise;
			f->source = "noise";
		}
	}
	f->pct = base > 0 ? 100 * f->abs / base : NAN;
}

const char *fl_decide(bool significant, double delta, char better, const struct fl_floor *f,
		      bool *beyond)
{
	double d = fabs(delta);

	*beyond = !strcmp(f->source, "noise") || !strcmp(f->source, "spread") ? d > f->abs :
		  d >= f->abs;
	if (!isfinite(delta))
		*beyond = false;
	if (!significant || !*beyond)
		return "no change";
	if (better == 'n')
		return "changed";
	return (delta > 0) == (better == 'h') ? "better" : "worse";
}
