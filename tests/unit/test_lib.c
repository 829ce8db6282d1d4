// SPDX-License-Identifier: GPL-2.0
/* Unit tests of workloads/lib: histogram, page stamps, PRNG, timing, team and sampler, the
 * corruption log, aligned mappings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <pthread.h>
#include <cmocka.h>
#include "lib/badlog.h"
#include "lib/hist.h"
#include "lib/map_aligned.h"
#include "lib/rng.h"
#include "lib/samples.h"
#include "lib/stamp.h"
#include "lib/team.h"
#include "lib/thp.h"
#include "lib/timing.h"

static void assert_within(uint64_t got, uint64_t want, double rel)
{
	double d = (double)got - (double)want;

	if (d < 0)
		d = -d;
	if (d > rel * (double)want)
		fail_msg("got %llu, want %llu within %.4f", (unsigned long long)got,
			 (unsigned long long)want, rel);
}

static struct fl_hist *hist_new(void)
{
	struct fl_hist *h = malloc(sizeof(*h));

	assert_non_null(h);
	fl_hist_init(h);
	return h;
}

static void test_hist_uniform(void **state)
{
	struct fl_hist *h = hist_new();
	uint64_t v;

	for (v = 1; v <= 1000; v++)
		fl_hist_record(h, v);
	assert_int_equal(h->count, 1000);
	assert_within(fl_hist_percentile(h, 50), 500, 1.0 / 32);
	assert_within(fl_hist_percentile(h, 90), 900, 1.0 / 32);
	assert_within(fl_hist_percentile(h, 99), 990, 1.0 / 32);
	assert_true(fl_hist_percentile(h, 50) >= 500);	/* upper bound of the bucket */
	assert_int_equal(fl_hist_percentile(h, 100), 1000);
	assert_int_equal(fl_hist_percentile(h, 99.99), 1000);
	assert_int_equal(fl_hist_percentile(h, 0.01), 1);
	assert_true(fl_hist_mean(h) > 500.49 && fl_hist_mean(h) < 500.51);
	free(h);
}

static void test_hist_small_exact(void **state)
{
	struct fl_hist *h = hist_new();
	uint64_t v;

	for (v = 0; v < FL_HIST_SUB; v++)
		fl_hist_record(h, v);
	assert_int_equal(fl_hist_percentile(h, 50), FL_HIST_SUB / 2 - 1);
	assert_int_equal(h->min, 0);
	free(h);
}

static void test_hist_extremes(void **state)
{
	struct fl_hist *h = hist_new();

	fl_hist_record(h, UINT64_MAX);
	fl_hist_record(h, 1ull << 63);
	fl_hist_record(h, (1ull << 40) + 12345);
	assert_int_equal(fl_hist_percentile(h, 100), UINT64_MAX);
	assert_within(fl_hist_percentile(h, 1), (1ull << 40) + 12345, 1.0 / 32);
	free(h);
}

static void test_hist_single(void **state)
{
	struct fl_hist *h = hist_new();
	json_t *j;

	fl_hist_record(h, 123456);
	assert_int_equal(fl_hist_percentile(h, 50), 123456);
	assert_int_equal(fl_hist_percentile(h, 99.9), 123456);
	assert_int_equal(h->min, 123456);
	assert_int_equal(h->max, 123456);
	j = fl_hist_to_json(h, "ns");
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "unit")), "ns");
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "p50")), 123456);
	assert_int_equal(json_integer_value(json_object_get(j, "p99.9")), 123456);
	assert_int_equal(json_integer_value(json_object_get(j, "min")), 123456);
	assert_int_equal(json_integer_value(json_object_get(j, "max")), 123456);
	assert_true(json_real_value(json_object_get(j, "mean")) == 123456.0);
	json_decref(j);
	free(h);
}

static void test_hist_empty(void **state)
{
	struct fl_hist *h = hist_new();
	json_t *j;

	assert_int_equal(fl_hist_percentile(h, 50), 0);
	assert_true(fl_hist_mean(h) == 0.0);
	j = fl_hist_to_json(h, "ns");
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "count")), 0);
	assert_null(json_object_get(j, "p50"));	/* absent, not 0 */
	assert_null(json_object_get(j, "min"));
	assert_null(json_object_get(j, "cdf"));
	json_decref(j);
	free(h);
}

/* The CDF points are exact at their bounds: count of recorded values <= bound. */
static void check_cdf(json_t *cdf, const uint64_t *vals, size_t n, uint64_t max)
{
	json_t *pt, *prev = NULL;
	size_t i;

	assert_true(json_array_size(cdf) >= 1 && json_array_size(cdf) <= FL_HIST_CDF_MAX);
	json_array_foreach(cdf, i, pt) {
		uint64_t ub = (uint64_t)json_integer_value(json_array_get(pt, 0)), le = 0;

		for (size_t k = 0; k < n; k++)
			le += vals[k] <= ub;
		assert_int_equal(json_integer_value(json_array_get(pt, 1)), le);
		if (prev) {
			assert_true(ub > (uint64_t)json_integer_value(json_array_get(prev, 0)));
			assert_true(json_integer_value(json_array_get(pt, 1)) >
				    json_integer_value(json_array_get(prev, 1)));
		}
		prev = pt;
	}
	assert_int_equal(json_integer_value(json_array_get(prev, 0)), max);
	assert_int_equal(json_integer_value(json_array_get(prev, 1)), n);
}

static void test_hist_cdf(void **state)
{
	static uint64_t v[4000];
	struct fl_hist *h = hist_new();
	json_t *j;
	size_t n;

	for (n = 0; n < 40; n++)	/* 1000..1039: buckets 992-1007, 1008-1023, 1024-1055 */
		fl_hist_record(h, v[n] = 1000 + n);
	j = fl_hist_to_json(h, "ns");
	check_cdf(json_object_get(j, "cdf"), v, n, 1039);
	assert_int_equal(json_array_size(json_object_get(j, "cdf")), 3);
	json_decref(j);
	fl_hist_init(h);	/* 1 ns to 2^40 ns, dense: merged down to 64 points or fewer */
	for (n = 0; n < 4000; n++)
		fl_hist_record(h, v[n] = 1 + (uint64_t)((double)n * n * n * n / 2.3e2));
	j = fl_hist_to_json(h, "ns");
	check_cdf(json_object_get(j, "cdf"), v, n, h->max);
	assert_true(json_array_size(json_object_get(j, "cdf")) > 32);	/* not one per octave */
	assert_int_equal(json_integer_value(json_object_get(j, "p50")),
			 fl_hist_percentile(h, 50));	/* the old fields stay */
	json_decref(j);
	free(h);
}

static void test_hist_merge(void **state)
{
	struct fl_hist *a = hist_new(), *b = hist_new(), *all = hist_new();
	uint64_t v;

	for (v = 1; v <= 1000; v++) {
		fl_hist_record(v % 2 ? a : b, v * 1000);
		fl_hist_record(all, v * 1000);
	}
	fl_hist_merge(a, b);
	assert_int_equal(a->count, 1000);
	assert_int_equal(a->min, 1000);
	assert_int_equal(a->max, 1000000);
	assert_int_equal(a->sum, all->sum);
	assert_memory_equal(a->b, all->b, sizeof(a->b));
	assert_int_equal(fl_hist_percentile(a, 50), fl_hist_percentile(all, 50));
	fl_hist_init(b);
	fl_hist_merge(a, b);	/* merging an empty one changes nothing */
	assert_int_equal(a->min, 1000);
	fl_hist_merge(b, a);
	assert_int_equal(b->min, 1000);
	free(a);
	free(b);
	free(all);
}

#define PGSZ 4096
#define NPG 64

static void test_stamp_corruption(void **state)
{
	unsigned char *buf = malloc(NPG * PGSZ);
	struct fl_stamp_report r;
	uint64_t found;
	json_t *j, *bad;
	char want[24];

	assert_non_null(buf);
	fl_stamp_fill(buf, NPG, PGSZ, 42, 0);
	fl_stamp_report_init(&r);
	assert_int_equal(fl_stamp_verify(buf, NPG, PGSZ, 42, 0, &r), 0);
	assert_int_equal(r.pages_checked, NPG);

	buf[37 * PGSZ + 5 * 8 + 3] ^= 0x10;
	memcpy(&found, buf + 37 * PGSZ + 5 * 8, 8);
	fl_stamp_report_init(&r);
	assert_int_equal(fl_stamp_verify(buf, NPG, PGSZ, 42, 0, &r), 1);
	assert_int_equal(r.corrupt, 1);
	assert_int_equal(r.bad_page[0], 37);
	assert_int_equal(r.bad_word[0], 5);
	assert_int_equal(r.bad_found[0], found);

	j = fl_stamp_report_json(&r, 42);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "pages_checked")), NPG);
	assert_int_equal(json_integer_value(json_object_get(j, "corrupt")), 1);
	bad = json_array_get(json_object_get(j, "first_corrupt"), 0);
	assert_int_equal(json_integer_value(json_object_get(bad, "page")), 37);
	assert_int_equal(json_integer_value(json_object_get(bad, "word")), 5);
	snprintf(want, sizeof(want), "0x%016llx", (unsigned long long)fl_stamp_word(42, 37, 5));
	assert_string_equal(json_string_value(json_object_get(bad, "expected")), want);
	json_decref(j);
	free(buf);
}

static void test_stamp_zero_and_wrong_seed(void **state)
{
	unsigned char *buf = malloc(NPG * PGSZ);
	struct fl_stamp_report r;
	int i;

	assert_non_null(buf);
	fl_stamp_fill(buf, NPG, PGSZ, 7, 100);
	memset(buf + 10 * PGSZ, 0, PGSZ);
	fl_stamp_report_init(&r);
	assert_int_equal(fl_stamp_verify(buf, NPG, PGSZ, 7, 100, &r), 1);
	assert_int_equal(r.bad_page[0], 110);
	assert_int_equal(r.bad_word[0], 0);
	assert_int_equal(r.bad_found[0], 0);

	/* swapped pages (page index is part of the stamp) */
	fl_stamp_fill(buf, NPG, PGSZ, 7, 100);
	memcpy(buf + 3 * PGSZ, buf + 4 * PGSZ, PGSZ);
	fl_stamp_report_init(&r);
	assert_int_equal(fl_stamp_verify(buf, NPG, PGSZ, 7, 100, &r), 1);

	/* every page wrong: accumulate, keep only the first FL_STAMP_MAX_BAD */
	fl_stamp_report_init(&r);
	assert_int_equal(fl_stamp_verify(buf, NPG, PGSZ, 8, 100, &r), NPG);
	assert_int_equal(fl_stamp_verify(buf, NPG, PGSZ, 8, 100, &r), NPG);
	assert_int_equal(r.corrupt, 2 * NPG);
	assert_int_equal(r.pages_checked, 2 * NPG);
	for (i = 0; i < FL_STAMP_MAX_BAD; i++)
		assert_int_equal(r.bad_page[i], 100 + i);
	for (i = 0; i < 1000; i++)
		assert_true(fl_stamp_word(0, 0, (uint64_t)i) != 0);
	free(buf);
}

static void test_rng(void **state)
{
	struct fl_rng a, b, c, z;
	int i, same = 0;
	uint64_t hit[10] = { 0 };

	fl_rng_seed(&a, 1, 0);
	fl_rng_seed(&b, 1, 1);
	fl_rng_seed(&c, 1, 0);
	for (i = 0; i < 1000; i++) {
		uint64_t x = fl_rng_next(&a), y = fl_rng_next(&b);

		same += x == y;
		assert_int_equal(x, fl_rng_next(&c));
	}
	assert_int_equal(same, 0);
	fl_rng_seed(&z, 0, 0);
	for (i = 0; i < 100000; i++) {
		assert_true(z.s != 0);
		hit[fl_rng_below(&z, 10)]++;
	}
	for (i = 0; i < 10; i++)
		assert_true(hit[i] > 9000 && hit[i] < 11000);
	assert_int_equal(fl_rng_below(&z, 0), 0);
}

static void test_sleep_until(void **state)
{
	uint64_t t0 = fl_now_ns();

	fl_sleep_until_ns(t0 + 20000000ull);
	assert_true(fl_now_ns() >= t0 + 20000000ull);
	fl_sleep_until_ns(t0);	/* in the past: returns at once */
}

/* Per-thread counters next to the atomic ops, to check each worker really ran. */
struct count_state {
	uint64_t per[8];
	int fail_id;
};

static void count_worker(struct fl_worker *w)
{
	struct count_state *s = w->arg;

	if (w->id == s->fail_id) {
		w->err = 1;
		snprintf(w->errmsg, sizeof(w->errmsg), "worker %d failed on purpose", w->id);
		return;
	}
	while (!fl_team_stopping(w)) {
		s->per[w->id]++;
		fl_rng_next(&w->rng);
		if (w->hist)
			fl_hist_record(w->hist, s->per[w->id] & 1023);
		atomic_fetch_add_explicit(&w->ops, 1, memory_order_relaxed);
	}
}

static void team_run(enum fl_pin pin, bool hist)
{
	struct count_state s = { .fail_id = -1 };
	char err[256] = "";
	struct fl_team *t;
	json_t *samples;
	double elapsed;
	int i;

	t = fl_team_create(2, pin, hist, 1234, count_worker, &s, err, sizeof(err));
	assert_non_null(t);
	assert_int_equal(fl_team_size(t), 2);
	assert_int_equal(fl_team_running(t), 2);
	for (i = 0; i < 2; i++) {
		struct fl_worker *w = fl_team_worker(t, i);

		assert_int_equal(w->id, i);
		assert_true(pin == FL_PIN_NONE ? w->cpu == -1 : w->cpu >= -1);
		assert_true(hist ? w->hist != NULL : w->hist == NULL);
	}
	assert_null(fl_team_worker(t, 2));
	samples = fl_run_team_sampled(t, 0.5, &elapsed);
	assert_non_null(samples);
	assert_int_equal(json_array_size(samples), 1);
	assert_true(json_real_value(json_array_get(samples, 0)) > 0);
	assert_true(elapsed >= 0.5 && elapsed < 2.0);
	assert_true(fl_team_ops(t) > 0);
	assert_int_equal(fl_team_ops(t), s.per[0] + s.per[1]);
	assert_int_equal(fl_team_running(t), 0);
	for (i = 0; i < 2; i++) {
		struct fl_worker *w = fl_team_worker(t, i);

		assert_true(s.per[i] > 0);
		assert_int_equal(atomic_load(&w->ops), s.per[i]);
		assert_true(w->user_s + w->sys_s > 0);
		assert_true(w->user_s >= 0 && w->sys_s >= 0);
		if (hist)
			assert_int_equal(w->hist->count, s.per[i]);
	}
	json_decref(samples);
	fl_team_destroy(t);
}

static void test_team_none(void **state)
{
	team_run(FL_PIN_NONE, false);
}

static void test_team_core(void **state)
{
	team_run(FL_PIN_CORE, true);
}

static void test_team_pu(void **state)
{
	team_run(FL_PIN_PU, false);
}

/* More workers than CPUs: pinning wraps round, nothing fails. */
static void test_team_oversubscribed(void **state)
{
	struct count_state s = { .fail_id = -1 };
	char err[256] = "";
	struct fl_team *t;
	double elapsed;
	json_t *samples;

	t = fl_team_create(8, FL_PIN_PU, false, 1, count_worker, &s, err, sizeof(err));
	assert_non_null(t);
	samples = fl_run_team_sampled(t, 0.3, &elapsed);
	assert_non_null(samples);
	assert_true(fl_team_ops(t) > 0);
	assert_null(fl_team_failed(t));
	assert_null(fl_team_failed(NULL));
	json_decref(samples);
	fl_team_destroy(t);
}

/* All workers quit early: the sampler notices instead of waiting out the time. */
static void test_team_early_exit(void **state)
{
	struct count_state s = { .fail_id = 0 };
	char err[256] = "";
	struct fl_team *t;
	json_t *samples;
	double elapsed;

	t = fl_team_create(1, FL_PIN_NONE, false, 1, count_worker, &s, err, sizeof(err));
	assert_non_null(t);
	samples = fl_run_team_sampled(t, 5.0, &elapsed);
	assert_non_null(samples);
	assert_true(elapsed < 1.0);
	assert_int_equal(json_array_size(samples), 0);
	assert_int_equal(fl_team_worker(t, 0)->err, 1);
	assert_ptr_equal(fl_team_failed(t), fl_team_worker(t, 0));
	assert_string_equal(fl_team_failed(t)->errmsg, "worker 0 failed on purpose");
	json_decref(samples);
	fl_team_destroy(t);
}

/* Destroyed without ever starting: workers are released, nothing hangs or leaks. */
static void test_team_never_started(void **state)
{
	struct count_state s = { .fail_id = -1 };
	char err[256] = "";
	struct fl_team *t;

	t = fl_team_create(2, FL_PIN_CORE, true, 1, count_worker, &s, err, sizeof(err));
	assert_non_null(t);
	fl_team_destroy(t);
	assert_int_equal(s.per[0] + s.per[1], 0);
}

static void test_team_bad_args(void **state)
{
	char err[256] = "";

	assert_null(fl_team_create(0, FL_PIN_NONE, false, 1, count_worker, NULL, err, sizeof(err)));
	assert_true(err[0] != '\0');
}

/* fl_thp_collapse: an empty range is done at once; an answer other than EAGAIN (an unaligned
 * start: EINVAL) ends the tries at the first, counted nowhere. */
static void test_thp_collapse_tries(void **state)
{
	size_t len = 4u << 20;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t eagain = 0;

	(void)state;
	assert_true(p != MAP_FAILED);
	assert_int_equal(fl_thp_collapse(p, 0, 10, &eagain), madvise(p, 0, MADV_COLLAPSE));
	assert_int_equal(eagain, 0);
	assert_int_equal(fl_thp_collapse(p + 1, len - 4096, 10, &eagain), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(eagain, 0);
	assert_int_equal(fl_thp_collapse(p + 1, len - 4096, 1, NULL), -1);
	munmap(p, len);
}

#define BADLOG_THREADS 4
#define BADLOG_NOTES 1000

static void *badlog_thread(void *arg)
{
	static atomic_int next;
	int id = atomic_fetch_add(&next, 1);

	for (int i = 0; i < BADLOG_NOTES; i++)
		fl_badlog_note(arg, "thread %d note %d: %s", id, i,
			       "a description long enough to be torn if two wrote it at once");
	return NULL;
}

/* fl_badlog: every note counted, from threads and from a forked child writing to shared
 * memory; exactly one description, whole, the first caller's; "" and 0 until then. */
static void test_badlog(void **state)
{
	struct fl_badlog *b = mmap(NULL, sizeof(*b), PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_t th[BADLOG_THREADS];
	int status, id, n;
	pid_t pid;

	assert_true(b != MAP_FAILED);
	assert_int_equal(fl_badlog_count(b), 0);
	assert_string_equal(b->first, "");
	for (int i = 0; i < BADLOG_THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, badlog_thread, b), 0);
	for (int i = 0; i < BADLOG_THREADS; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(fl_badlog_count(b), BADLOG_THREADS * BADLOG_NOTES);
	assert_int_equal(sscanf(b->first, "thread %d note %d: ", &id, &n), 2);
	assert_true(id >= 0 && id < BADLOG_THREADS && n == 0);
	assert_non_null(strstr(b->first, "torn if two wrote it at once"));
	pid = fork();
	if (pid == 0) {
		fl_badlog_note(b, "the child");
		_exit(0);
	}
	assert_true(pid > 0);
	waitpid(pid, &status, 0);
	assert_int_equal(fl_badlog_count(b), BADLOG_THREADS * BADLOG_NOTES + 1);
	assert_null(strstr(b->first, "the child"));
	munmap(b, sizeof(*b));
}

static long long vm_size_kb(void)
{
	char line[256];
	long long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmSize: %lld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/* fl_map_reserve / fl_map_aligned: the address is at the alignment (plus the offset), and only
 * len bytes stay mapped: the slack of the reservation is given back. */
static void test_map_aligned(void **state)
{
	size_t align = 2u << 20, len = 3 * align + 4096, page = (size_t)sysconf(_SC_PAGESIZE);
	long long kb0 = vm_size_kb();
	unsigned char vec[1];
	char *p, *r;
	int fd;

	p = fl_map_aligned(len, align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % align, 0);
	assert_int_equal(vm_size_kb() - kb0, (long long)(len >> 10));
	p[0] = 1;
	p[len - 1] = 2;
	munmap(p, len);
	r = fl_map_reserve(len, align, align - page);
	assert_non_null(r);
	assert_int_equal((uintptr_t)r % align, align - page);
	assert_int_equal(vm_size_kb() - kb0, (long long)(len >> 10));
	assert_int_equal(mincore(r, page, vec), 0);	/* reserved: mapped, PROT_NONE */
	munmap(r, len);
	fd = memfd_create("test-map-aligned", 0);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)len), 0);
	p = fl_map_aligned(len, align, PROT_READ, MAP_SHARED, fd);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % align, 0);
	assert_int_equal(p[len - 1], 0);
	munmap(p, len);
	assert_null(fl_map_aligned(len, align, PROT_READ, MAP_SHARED, -1));	/* EBADF */
	assert_int_equal(errno, EBADF);
	assert_int_equal(vm_size_kb(), kb0);
	close(fd);
}

static void test_pin_parse(void **state)
{
	enum fl_pin p;

	assert_int_equal(fl_pin_parse("none", &p), 0);
	assert_int_equal(p, FL_PIN_NONE);
	assert_int_equal(fl_pin_parse("core", &p), 0);
	assert_int_equal(p, FL_PIN_CORE);
	assert_int_equal(fl_pin_parse("pu", &p), 0);
	assert_int_equal(p, FL_PIN_PU);
	assert_int_equal(fl_pin_parse("bogus", &p), -1);
	assert_int_equal(fl_pin_parse("", &p), -1);
	assert_int_equal(fl_pin_parse(NULL, &p), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hist_uniform),
		cmocka_unit_test(test_thp_collapse_tries),
		cmocka_unit_test(test_hist_small_exact),
		cmocka_unit_test(test_hist_extremes),
		cmocka_unit_test(test_hist_single),
		cmocka_unit_test(test_hist_empty),
		cmocka_unit_test(test_hist_merge),
		cmocka_unit_test(test_hist_cdf),
		cmocka_unit_test(test_stamp_corruption),
		cmocka_unit_test(test_stamp_zero_and_wrong_seed),
		cmocka_unit_test(test_rng),
		cmocka_unit_test(test_sleep_until),
		cmocka_unit_test(test_team_none),
		cmocka_unit_test(test_team_core),
		cmocka_unit_test(test_team_pu),
		cmocka_unit_test(test_team_oversubscribed),
		cmocka_unit_test(test_team_early_exit),
		cmocka_unit_test(test_team_never_started),
		cmocka_unit_test(test_team_bad_args),
		cmocka_unit_test(test_pin_parse),
		cmocka_unit_test(test_badlog),
		cmocka_unit_test(test_map_aligned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
