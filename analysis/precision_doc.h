/* SPDX-License-Identifier: GPL-2.0 */
/*
 * run.json's "precision" (written by `faultline run --precision`): why a case group stopped,
 * as the word the document holds and as the texts people read, and the block that prints it,
 * from the document, for `faultline run` as it goes and at its end, and for `faultline report`.
 * One table, so run.json, the run's own output, report and compare say the same thing.
 */
#ifndef FL_PRECISION_DOC_H
#define FL_PRECISION_DOC_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

/*
 * A precision is not called reached before this many measured iterations (nor before the
 * suite's iterations). Stopping at the first n whose half-width fits picks samples whose spread
 * happened to come out low; at a small n that is often, and compare, which tests the same
 * samples, then flags an A/A pair too often: bench/stopping-sim.py simulates it (at a 1.5% CoV
 * and a 1% target, A/A pairs flagged 9% of the time stopping from n=5, 6% from n=10).
 */
#define FL_PREC_MIN_N 10

/* Why a group stopped (run.json's "stopped"). */
enum fl_prec_state {
	FL_PREC_RUNNING,	/* its planned iterations are not done, or it wants more */
	FL_PREC_PRECISION,	/* the half-width reached the target */
	FL_PREC_TIME,		/* the run's or the group's time budget has no room for one more */
	FL_PREC_ITERATIONS,	/* FL_ITERATIONS_MAX, or the plan is at FL_PLAN_MAX */
	FL_PREC_FAILED,		/* a measured iteration did not end ok */
	FL_PREC_NO_METRIC,	/* no metric with a direction and a value */
	FL_PREC_PLANNED,	/* no precision asked: its planned iterations */
	FL_PREC_NSTATES
};

/* The word run.json holds: "precision", "time", ... */
const char *fl_prec_word(enum fl_prec_state s);
/* The state a word names; -1 for a word the schema does not know (or NULL). */
int fl_prec_state_of(const char *word);
/* What the run's output says: "stopped: time budget spent", "wants more iterations". */
const char *fl_prec_state_text(enum fl_prec_state s);
/* What compare says in its one line per group: "time spent", "reached". */
const char *fl_prec_state_brief(enum fl_prec_state s);

/*
 * The block of a "precision" object (run.json's, or one the runner builds as it goes). final:
 * "precision (95% CI half-width of the mean; 4m14s spent):" and one line per group with a
 * target; else "== precision: 1 of 2 cases want more iterations (...)" and the lines of the
 * groups that want more. who (may be NULL) names the run, e.g. a kernel of a multi-kernel run.
 * Nothing when no group has a target. The object may come from outside (report): fields of
 * the wrong type print as "?", text is cleaned of control characters.
 */
void fl_prec_doc_print(json_t *prec, const char *who, bool final, FILE *out);

#endif
