// SPDX-License-Identifier: GPL-2.0
/* Option values the commands share: numbers in a range, words from a list, and the
 * statistics options of compare and nightly (cmd_opts.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "fl_util.h"
#include "cmd_opts.h"

int fl_opt_double(const char *opt, const char *arg, double lo, double hi, const char *expect,
		  double *out)
{
	char *end;
	double v = strtod(arg, &end);

	if (!*arg || *end || !(v >= lo && v <= hi)) {	/* NaN is neither */
		fl_err("%s %s: expected %s", opt, arg, expect);
		return -1;
	}
	*out = v;
	return 0;
}

int fl_opt_long(const char *opt, const char *arg, long lo, long hi, const char *expect,
		long *out)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (!*arg || *end || v < lo || v > hi) {
		fl_err("%s %s: expected %s", opt, arg, expect);
		return -1;
	}
	*out = v;
	return 0;
}

int fl_opt_word(const char *opt, const char *arg, const char *const *words, const char *expect)
{
	for (int i = 0; words[i]; i++)
		if (!strcmp(arg, words[i]))
			return i;
	fl_err("%s %s: expected %s", opt, arg, expect);
	return -1;
}

static const char *const tests[] = { "welch", "mwu", "bootstrap", "auto", NULL };
static const enum fl_cmp_test test_of[] = { FL_TEST_WELCH, FL_TEST_MWU, FL_TEST_BOOTSTRAP,
					    FL_TEST_AUTO };
static const char *const corrections[] = { "holm", "bh", "none", NULL };
static const enum fl_correction correction_of[] = { FL_CORR_HOLM, FL_CORR_BH, FL_CORR_NONE };

int fl_stats_opt(int c, const char *arg, struct fl_cmp_opts *o, struct fl_cmp_floors *fl)
{
	int i;

	switch (c) {
	case FL_SOPT_TEST:
		i = fl_opt_word("--test", arg, tests, "auto, welch, mwu or bootstrap");
		if (i >= 0)
			o->test = test_of[i];
		return i < 0 ? -1 : 0;
	case FL_SOPT_CORRECTION:
		i = fl_opt_word("--correction", arg, corrections, "holm, bh or none");
		if (i >= 0)
			o->correction = correction_of[i];
		return i < 0 ? -1 : 0;
	case FL_SOPT_ALPHA:	/* open at both ends */
		return fl_opt_double("--alpha", arg, nextafter(0, 1), nextafter(1, 0),
				     "a number between 0 and 1", &o->alpha);
	default:
		return fl_opt_double("--min-effect", arg, 0, 1000, "a percentage from 0 to 1000 "
				     "(the smallest difference called better or worse)",
				     &fl->min_effect_pct);
	}
}
