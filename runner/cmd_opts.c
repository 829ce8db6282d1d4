// SPDX-License-Identifier: GPL-2.0
/* Option values every command parses, and the one sentence for a bad one (cmd_opts.h). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cmd_opts.h"
#include "fl_safe.h"
#include "fl_util.h"
#include "precision.h"

int fl_opt_bad(const char *cmd, const char *opt, const char *want, const char *arg)
{
	char shown[256];

	fl_err("%s: %s wants %s, not '%s'", cmd, opt, want,
	       fl_text_clean(shown, sizeof(shown), arg));
	return -1;
}

bool fl_opt_num_in(const char *arg, double lo, double hi, double *out)
{
	char *end;
	double v;

	if (!*arg || isspace((unsigned char)*arg))
		return false;
	v = strtod(arg, &end);
	if (*end || !(v >= lo && v <= hi))	/* NaN is neither */
		return false;
	*out = v;
	return true;
}

int fl_opt_double(const char *cmd, const char *opt, const char *arg, double lo, double hi,
		  const char *want, double *out)
{
	return fl_opt_num_in(arg, lo, hi, out) ? 0 : fl_opt_bad(cmd, opt, want, arg);
}

int fl_opt_whole(const char *cmd, const char *opt, const char *arg, long long lo, long long hi,
		 const char *want, long long *out)
{
	char *end;
	long long v;

	if (!*arg || isspace((unsigned char)*arg))
		return fl_opt_bad(cmd, opt, want, arg);
	errno = 0;
	v = strtoll(arg, &end, 10);
	if (*end || errno || v < lo || v > hi)
		return fl_opt_bad(cmd, opt, want, arg);
	*out = v;
	return 0;
}

int fl_opt_word(const char *cmd, const char *opt, const char *arg, const char *const *words,
		const char *want)
{
	for (int i = 0; words[i]; i++)
		if (!strcmp(arg, words[i]))
			return i;
	return fl_opt_bad(cmd, opt, want, arg);
}

int fl_opt_duration(const char *cmd, const char *opt, const char *arg, double *out)
{
	if (!fl_parse_duration(arg, out))
		return 0;
	return fl_opt_bad(cmd, opt, "a duration above 0 and at most 7 days, like 600, 90s, 10m "
			  "or 1h30m", arg);
}

void fl_opt_refused(const char *cmd, int c, char **argv)
{
	if (c == ':')
		fl_err("%s: option %s needs a value", cmd, argv[optind - 1]);
	else
		fl_err("%s: unknown option %s (see faultline %s --help)", cmd, argv[optind - 1],
		       cmd);
}

static const char *const tests[] = { "welch", "mwu", "bootstrap", "auto", NULL };
static const enum fl_cmp_test test_of[] = { FL_TEST_WELCH, FL_TEST_MWU, FL_TEST_BOOTSTRAP,
					    FL_TEST_AUTO };
static const char *const corrections[] = { "holm", "bh", "none", NULL };
static const enum fl_correction correction_of[] = { FL_CORR_HOLM, FL_CORR_BH, FL_CORR_NONE };

int fl_stats_opt(const char *cmd, int c, const char *arg, struct fl_cmp_opts *o,
		 struct fl_cmp_floors *fl)
{
	int i;

	switch (c) {
	case FL_SOPT_TEST:
		i = fl_opt_word(cmd, "--test", arg, tests, "auto, welch, mwu or bootstrap");
		if (i >= 0)
			o->test = test_of[i];
		return i < 0 ? -1 : 0;
	case FL_SOPT_CORRECTION:
		i = fl_opt_word(cmd, "--correction", arg, corrections, "holm, bh or none");
		if (i >= 0)
			o->correction = correction_of[i];
		return i < 0 ? -1 : 0;
	case FL_SOPT_ALPHA:	/* open at both ends */
		return fl_opt_double(cmd, "--alpha", arg, nextafter(0, 1), nextafter(1, 0),
				     "a number between 0 and 1", &o->alpha);
	default:
		return fl_opt_double(cmd, "--min-effect", arg, 0, 1000, "a percentage from 0 to "
				     "1000 (the smallest difference called better or worse)",
				     &fl->min_effect_pct);
	}
}
