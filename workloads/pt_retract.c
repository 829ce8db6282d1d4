// SPDX-License-Identifier: GPL-2.0
/*
 * pt-retract (seed 002, page tables freed by RCU): collapse file-backed ranges into huge pages
 * while walker threads read the range locklessly and child processes that map the range exit,
 * so khugepaged's retract_page_tables() (which frees page tables of other mms without their
 * mmap lock) races with GUP-fast and with exit. Each round makes a new file (a memfd on the
 * internal shmem mount, or an unlinked regular file for READ_ONLY_THP_FOR_FS), writes page
 * stamps through the file (small pages), maps it at a PMD-aligned address, faults it in, and
 * collapses it: MADV_COLLAPSE per PMD (each timed), or khugepaged: kept slow (pages_to_scan 8,
 * a long scan sleep) while the round's file is made and its "before" is measured, then told to
 * scan fast (journaled); each PMD's collapse is timed from the huge_memory tracepoints
 * (lib/collapse_trace.h).
 * Walkers: vmsplice of 16 pages (GUP-fast), each page's first word checked. Exiters: fork a
 * child that maps the current file PMD-aligned, checks one word per page and exits; the parent
 * times fork -> waitpid and the child's _exit -> waitpid. Afterwards every page is verified
 * and the kernel log written during the case is scanned for Bad page state, BUG, WARNING, Oops.
 * Parts: pt_retract_file.c (a round's file), pt_retract_threads.c (walkers, exiters),
 * pt_retract_collapse.c (MADV_COLLAPSE or khugepaged), pt_retract.h (the state).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "fl_interrupt.h"
#include "fl_json.h"
#include "lib/collapse_trace.h"
#include "lib/stamp.h"
#include "lib/thp.h"
#include "lib/timing.h"
#include "pt_retract.h"

static const struct fl_param ptr_params[] = {
	{ "size", 's', FL_P_SIZE, "64M", 2 << 20, 1ull << 40, NULL,
	  "bytes of file to collapse (rounded up to the PMD size)" },
	{ "mode", 'm', FL_P_ENUM, "madvise-collapse", 0, 0, "madvise-collapse|khugepaged",
	  "who collapses: MADV_COLLAPSE per PMD, or khugepaged (slow until each round's before "
	  "snapshot, then a fast scan; journaled)" },
	{ "target", 't', FL_P_ENUM, "shmem", 0, 0, "shmem|file",
	  "shmem: a memfd; file: an unlinked regular file in dir (READ_ONLY_THP_FOR_FS)" },
	{ "walkers", 'w', FL_P_INT, "1", 0, 1024, NULL,
	  "GUP-fast reader threads (vmsplice of the range)" },
	{ "exiters", 'e', FL_P_INT, "2", 0, 256, NULL,
	  "threads each forking, one at a time, children that map the range and exit" },
	{ "rounds", 'r', FL_P_INT, "4", 1, 100000, NULL,
	  "collapse cycles: new file written as small pages, mapped, collapsed" },
	{ "timeout", 0, FL_P_DOUBLE, "30", 1, 3600, NULL,
	  "mode khugepaged: seconds to wait for a round's collapse" },
	{ "dir", 'd', FL_P_STRING, "/var/tmp", 0, 0, NULL,
	  "target file: directory of the regular file (not tmpfs)" },
	{ "pin", 0, FL_P_ENUM, "core", 0, 0, "none|core|pu", "bind walker threads with hwloc" },
	{ NULL },
};

static const struct fl_metric ptr_metrics[] = {
	{ "round_ms_p50", "ms", FL_BETTER_LOWER,
	  "time to collapse the whole range, median over rounds" },
	{ "collapses", "collapses", FL_BETTER_HIGHER, "PMD-size collapses done, all rounds" },
	{ "collapse_ms_p50", "ms", FL_BETTER_LOWER, "collapse of one PMD, median: MADV_COLLAPSE "
	  "(with its EAGAIN retries), or khugepaged from its huge_memory tracepoints" },
	{ "collapse_ms_p99", "ms", FL_BETTER_LOWER, "collapse of one PMD, 99th percentile" },
	{ "collapse_ms_max", "ms", FL_BETTER_LOWER, "MADV_COLLAPSE of one PMD, slowest" },
	{ "exit_ms_p50", "ms", FL_BETTER_LOWER, "a mapping child's _exit -> parent's waitpid, median" },
	{ "exit_ms_p99", "ms", FL_BETTER_LOWER, "the same, 99th percentile" },
	{ "child_ms_p50", "ms", FL_BETTER_LOWER, "fork -> waitpid of a mapping child, median" },
	{ "child_ms_p99", "ms", FL_BETTER_LOWER, "the same, 99th percentile" },
	{ "thp_share_after", "%", FL_BETTER_HIGHER,
	  "PMD-mapped share of the range after the last round's collapse" },
	{ "children", "processes", FL_BETTER_NONE, "mapping children that ran and exited" },
	{ NULL },
};

/* ---- setup ---------------------------------------------------------------------- */

static void open_kmsg(struct fl_case *c, struct ptr *t)
{
	char err[256];

	if (fl_kmsg_open(&t->kmsg, NULL, err, sizeof(err))) {
		json_object_set_new(c->extra, "console_scan",
				    fl_json_missing("unsupported", err));
		return;
	}
	t->kmsg_open = true;
	c->console = json_array();
}

static int ptr_params_read(struct fl_case *c, struct ptr *t)
{
	const struct fl_params *p = &c->params;

	t->target = strcmp(fl_param_str(p, "target"), "file") ? TARGET_SHMEM : TARGET_FILE;
	t->khugepaged = !strcmp(fl_param_str(p, "mode"), "khugepaged");
	t->nwalk = (int)fl_param_int(p, "walkers");
	t->nexit = (int)fl_param_int(p, "exiters");
	t->rounds = (int)fl_param_int(p, "rounds");
	t->timeout_s = fl_param_double(p, "timeout");
	t->dir = fl_param_str(p, "dir");
	t->page = (size_t)sysconf(_SC_PAGESIZE);
	t->hpage = fl_thp_pmd_size();
	t->size = ((size_t)fl_param_int(p, "size") + t->hpage - 1) & ~(t->hpage - 1);
	t->npages = t->size / t->page;
	t->npmd = t->size / t->hpage;
	if (t->nwalk && t->npages < WALK_PAGES)
		return fl_case_fail(c, "size is smaller than one walker read (%d pages)",
				    WALK_PAGES);
	json_object_set_new(c->extra, "size_bytes", json_integer((json_int_t)t->size));
	json_object_set_new(c->extra, "pmd_bytes", json_integer((json_int_t)t->hpage));
	json_object_set_new(c->extra, "walker", json_string("vmsplice (GUP-fast) of 16 pages"));
	return 0;
}

static int ptr_setup(struct fl_case *c)
{
	struct ptr *t = calloc(1, sizeof(*t));
	pthread_rwlockattr_t attr;
	int ret;

	if (!t)
		return fl_case_fail(c, "out of memory");
	c->priv = t;
	t->cur.fd = -1;
	fl_hist_init(&t->collapse);
	fl_hist_init(&t->round);
	ret = ptr_params_read(c, t);
	if (ret)
		return ret;
	ret = fl_thp_require_present(c);
	if (ret)
		return ret;
	if (fl_case_check_memory(c, 3ull * t->size, false))
		return FL_WL_FAIL;
	t->buf = malloc(t->hpage);
	if (!t->buf)
		return fl_case_fail(c, "out of memory");
	/* THP settings first: MADV_HUGEPAGE registers the mm with khugepaged only when THP is
	 * not "never" (hugepage_pmd_enabled()); the fast scan waits for each round's before. */
	if (t->khugepaged)
		ret = ptr_khugepaged_knobs(c, t);
	if (!ret && t->khugepaged)
		ret = ptr_khugepaged_register(c, t);
	if (!ret && t->khugepaged)
		t->trace = fl_ctrace_open("pt-retract", FL_CT_FILE, c->knobs, t->trace_why,
					  sizeof(t->trace_why));
	if (!ret)
		ret = ptr_probe_collapse(c, t);
	if (ret)
		return ret;
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&t->lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	t->lock_init = true;
	open_kmsg(c, t);
	return ptr_make_teams(c, t);
}


/* ---- the measured phase ----------------------------------------------------------- */

static int one_round(struct fl_case *c, struct ptr *t, int r, json_t *rounds)
{
	struct ptr_file nf, old;
	uint64_t t0, kb0 = 0, kb = 0, rss = 0, before = t->collapses;
	json_t *at_before;
	char err[256];
	int ret;

	if (t->khugepaged && r && ptr_khugepaged_slow(c))
		return FL_WL_SKIP;
	if (ptr_file_make(t, &nf, 0x7074726574726163ull + (uint64_t)r, err, sizeof(err))) {
		ptr_file_drop(t, &nf);
		return fl_case_fail(c, "round %d: %s", r, err);
	}
	pthread_rwlock_wrlock(&t->lock);
	old = t->cur;
	t->cur = nf;
	pthread_rwlock_unlock(&t->lock);
	ptr_file_drop(t, &old);
	ptr_pmd_mapped(t, &kb0, &rss);
	at_before = t->khugepaged ? fl_thp_khugepaged_now() : NULL;
	if (t->khugepaged && fl_thp_khugepaged_fast(c, 8192, 10, &t->t0)) {
		json_decref(at_before);
		return FL_WL_SKIP;
	}
	t0 = t->khugepaged ? t->t0 : fl_now_ns();
	if (t->trace && r == 0)
		fl_ctrace_mark(t->trace, t0);
	ret = t->khugepaged ? ptr_collapse_khugepaged(c, t) : ptr_collapse_madvise(c, t);
	if (ret) {
		json_decref(at_before);
		return ret;
	}
	fl_hist_record(&t->round, fl_now_ns() - t0);
	ptr_pmd_mapped(t, &kb, &rss);
	json_array_append_new(rounds, json_pack("{s:f, s:I, s:I, s:I, s:o*}", "ms",
				(double)(fl_now_ns() - t0) / 1e6, "collapses",
				(json_int_t)(t->collapses - before), "pmd_kb_before",
				(json_int_t)kb0, "pmd_kb_after", (json_int_t)kb,
				"khugepaged_at_before", at_before));
	if (rss)
		fl_case_metric(c, "thp_share_after", 100.0 * (double)kb / (double)rss);
	return 0;
}

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

static void report(struct fl_case *c, struct ptr *t)
{
	struct fl_hist life, ex;

	fl_hist_init(&life);
	fl_hist_init(&ex);
	for (int i = 0; i < t->nexit; i++) {
		fl_hist_merge(&life, &t->ex[i].life);
		fl_hist_merge(&ex, &t->ex[i].exit);
	}
	c->ops = (double)t->collapses;
	fl_case_metric(c, "collapses", (double)t->collapses);
	if (t->round.count)
		fl_case_metric(c, "round_ms_p50", ms(fl_hist_percentile(&t->round, 50)));
	if (t->collapse.count) {
		fl_case_metric(c, "collapse_ms_p50", ms(fl_hist_percentile(&t->collapse, 50)));
		fl_case_metric(c, "collapse_ms_p99", ms(fl_hist_percentile(&t->collapse, 99)));
		fl_case_metric(c, "collapse_ms_max", ms(t->collapse.max));
		json_object_set_new(c->extra, "collapse_ns", fl_hist_to_json(&t->collapse, "ns"));
	}
	if (ex.count) {
		fl_case_metric(c, "exit_ms_p50", ms(fl_hist_percentile(&ex, 50)));
		fl_case_metric(c, "exit_ms_p99", ms(fl_hist_percentile(&ex, 99)));
		json_object_set_new(c->extra, "exit_ns", fl_hist_to_json(&ex, "ns"));
	}
	if (life.count) {
		fl_case_metric(c, "child_ms_p50", ms(fl_hist_percentile(&life, 50)));
		fl_case_metric(c, "child_ms_p99", ms(fl_hist_percentile(&life, 99)));
		json_object_set_new(c->extra, "child_ns", fl_hist_to_json(&life, "ns"));
	}
	if (t->nexit)
		fl_case_metric(c, "children", (double)life.count);
	json_object_set_new(c->extra, "collapse_failed", json_integer((json_int_t)t->collapse_fail));
	json_object_set_new(c->extra, "collapse_eagain", json_integer((json_int_t)t->eagain));
	json_object_set_new(c->extra, "walker_reads", json_pack("{s:I, s:I, s:I}", "calls",
				(json_int_t)t->walk_calls, "pages", (json_int_t)t->walk_pages,
				"efault", (json_int_t)t->walk_efault));
}

static void stop_team(struct fl_team *team)
{
	if (!team)
		return;
	fl_team_stop(team);
	fl_team_join(team);
}

static int ptr_run(struct fl_case *c)
{
	struct ptr *t = c->priv;
	json_t *rounds = json_array();
	int ret = 0;

	json_object_set_new(c->extra, "rounds", rounds);
	ptr_trace_start(c, t);
	/* Round 0's file exists before the walkers and exiters start. */
	ret = one_round(c, t, 0, rounds);
	if (t->walkers)
		fl_team_start(t->walkers);
	if (t->exiters)
		fl_team_start(t->exiters);
	for (int r = 1; !ret && r < t->rounds && !fl_interrupted(); r++)
		ret = one_round(c, t, r, rounds);
	stop_team(t->walkers);
	stop_team(t->exiters);
	ptr_trace_report(c, t);
	if (ret)
		return ret;
	report(c, t);
	if (!t->collapses)
		return fl_case_fail(c, "no PMD of the %s range was collapsed in %d round(s)%s",
				    t->target == TARGET_FILE ? "file" : "shmem", t->rounds,
				    t->khugepaged ? " (khugepaged did not get to it in time)" : "");
	return 0;
}

/* ---- verify ------------------------------------------------------------------------- */

static int team_errors(struct fl_case *c, struct fl_team *team, const char *who)
{
	struct fl_worker *w = fl_team_failed(team);

	return w ? fl_case_fail(c, "%s %d: %s", who, w->id, w->errmsg) : 0;
}

static int verify_children(struct fl_case *c, struct ptr *t)
{
	uint64_t bad = 0, failed = 0;
	const char *first = NULL;

	for (int i = 0; i < t->nexit; i++) {
		bad += t->ex[i].bad;
		failed += t->ex[i].failed;
		if (!first && (t->ex[i].bad || t->ex[i].failed))
			first = t->ex[i].first_bad;
	}
	json_object_set_new(c->verify, "children", json_pack("{s:I, s:I}", "corrupt",
				(json_int_t)bad, "failed", (json_int_t)failed));
	if (bad || failed)
		return fl_case_fail(c, "%llu child(ren) read a wrong page, %llu failed; first: %s",
				    (unsigned long long)bad, (unsigned long long)failed, first);
	return 0;
}

/* The test hook writes a wrong word through the file (a regular file is reopened). */
static void inject(struct fl_case *c, struct ptr *t)
{
	uint64_t junk = 0x5a5a5a5a5a5a5a5aull;
	char path[64];
	int fd;

	if (c->test.corrupt_page < 0 || (size_t)c->test.corrupt_page >= t->npages)
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", t->cur.fd);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (pwrite(fd, &junk, sizeof(junk), (off_t)c->test.corrupt_page * (off_t)t->page + 8) < 0)
		perror("faultline-agent: test corruption");
	close(fd);
}

static int verify_console(struct fl_case *c, struct ptr *t)
{
	char err[256];
	json_t *f;

	if (!t->kmsg_open)
		return 0;
	if (fl_kmsg_scan(&t->kmsg, c->console, err, sizeof(err)) < 0)
		json_object_set_new(c->extra, "console_scan",
				    fl_json_missing("unsupported", err));
	f = json_array_get(c->console, 0);
	if (f)
		return fl_case_fail(c, "the kernel log reported %zu problem(s) during the case; "
				    "first: %s", json_array_size(c->console),
				    json_string_value(json_object_get(f, "title")));
	return 0;
}

static int ptr_verify(struct fl_case *c)
{
	struct ptr *t = c->priv;
	struct fl_stamp_report r;
	uint64_t bad;
	json_t *rep;
	int ret;

	ret = verify_console(c, t);
	if (!ret)
		ret = team_errors(c, t->walkers, "walker");
	if (!ret)
		ret = team_errors(c, t->exiters, "exiter");
	bad = fl_badlog_count(&t->walk_bad);
	json_object_set_new(c->verify, "walker_corrupt", json_integer((json_int_t)bad));
	if (!ret && bad)
		ret = fl_case_fail(c, "%llu page(s) read by walkers were wrong; first: %s",
				   (unsigned long long)bad, t->walk_bad.first);
	if (!ret)
		ret = verify_children(c, t);
	inject(c, t);
	fl_stamp_report_init(&r);
	fl_stamp_verify(t->cur.map, t->npages, t->page, t->cur.seed, 0, &r);
	rep = fl_stamp_report_json(&r, t->cur.seed);
	json_object_update(c->verify, rep);
	json_decref(rep);
	if (!ret && r.corrupt)
		ret = fl_case_fail(c, "%llu corrupt page(s) in the collapsed file; first: page %llu "
				   "word %llu", (unsigned long long)r.corrupt,
				   (unsigned long long)r.bad_page[0],
				   (unsigned long long)r.bad_word[0]);
	return ret;
}

static void ptr_teardown(struct fl_case *c)
{
	struct ptr *t = c->priv;

	if (!t)
		return;
	if (t->walkers)
		fl_team_destroy(t->walkers);
	if (t->exiters)
		fl_team_destroy(t->exiters);
	fl_ctrace_close(t->trace);
	ptr_file_drop(t, &t->cur);
	if (t->anchor)
		munmap(t->anchor, 2 * t->hpage);
	if (t->slots)
		munmap(t->slots, (size_t)t->nexit * sizeof(*t->slots));
	if (t->kmsg_open)
		fl_kmsg_close(&t->kmsg);
	if (t->lock_init)
		pthread_rwlock_destroy(&t->lock);
	free(t->ex);
	free(t->buf);
	free(t);
	c->priv = NULL;
}

const struct fl_workload fl_wl_pt_retract = {
	.name = "pt-retract",
	.summary = "collapse shmem/file ranges (MADV_COLLAPSE or khugepaged) under GUP-fast "
		   "walkers and exiting mappers; verify pages, scan the kernel log (seed 002)",
	.params = ptr_params,
	.metrics = ptr_metrics,
	.op_unit = "collapse",
	.events = "huge_memory:*,tlb:tlb_flush,ipi:*",
	.setup = ptr_setup,
	.run = ptr_run,
	.verify = ptr_verify,
	.teardown = ptr_teardown,
};
