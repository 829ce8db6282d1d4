// SPDX-License-Identifier: GPL-2.0
/*
 * thp-munmap's data checks (thp_munmap.h): a munmap keeps nothing to verify, so its stamps
 * are checked before the operation and the range must be gone after; MADV_DONTNEED leaves
 * zero pages; mprotect and split keep every stamp. The test hook's corruption goes in where
 * each check would see it.
 */
#include <sys/mman.h>
#include "thp_munmap.h"

/* munmap keeps nothing to verify afterwards: check the stamps before (the test hook's
 * corruption goes in here for that op). */
int thpm_precheck(struct fl_case *c, struct thpm *t)
{
	if (c->test.corrupt_page >= 0 && (size_t)c->test.corrupt_page < t->npages)
		t->base[(size_t)c->test.corrupt_page * t->page + 8] ^= 0x5a;
	fl_stamp_report_init(&t->pre);
	fl_stamp_verify(t->base, t->npages, t->page, t->seed, 0, &t->pre);
	json_object_set_new(c->verify, "before_op", fl_stamp_report_json(&t->pre, t->seed));
	if (t->pre.corrupt)
		return fl_case_fail(c, "%llu page(s) lost their stamp before munmap; first: page %llu",
				    (unsigned long long)t->pre.corrupt,
				    (unsigned long long)t->pre.bad_page[0]);
	return 0;
}

/* After MADV_DONTNEED every page reads back zero. */
int thpm_verify_zero(struct fl_case *c, struct thpm *t)
{
	uint64_t bad = 0, first = 0;

	if (c->test.corrupt_page >= 0 && (size_t)c->test.corrupt_page < t->npages)
		t->base[(size_t)c->test.corrupt_page * t->page + 8] = 0x5a;
	for (size_t pg = 0; pg < t->npages; pg++) {
		const uint64_t *w = (const uint64_t *)(t->base + pg * t->page);

		for (size_t i = 0; i < t->page / sizeof(*w); i++) {
			if (!w[i])
				continue;
			if (!bad++)
				first = pg;
			break;
		}
	}
	json_object_set_new(c->verify, "pages_checked", json_integer((json_int_t)t->npages));
	json_object_set_new(c->verify, "corrupt", json_integer((json_int_t)bad));
	if (bad)
		return fl_case_fail(c, "%llu page(s) not zero after MADV_DONTNEED; first: page %llu",
				    (unsigned long long)bad, (unsigned long long)first);
	return 0;
}

int thpm_verify_stamps(struct fl_case *c, struct thpm *t)
{
	struct fl_stamp_report r;
	json_t *rep;

	if (c->test.corrupt_page >= 0 && (size_t)c->test.corrupt_page < t->npages) {
		mprotect(t->base, t->size, PROT_READ | PROT_WRITE);
		t->base[(size_t)c->test.corrupt_page * t->page + 8] ^= 0x5a;
	}
	fl_stamp_report_init(&r);
	fl_stamp_verify(t->base, t->npages, t->page, t->seed, 0, &r);
	rep = fl_stamp_report_json(&r, t->seed);
	json_object_update(c->verify, rep);
	json_decref(rep);
	if (r.corrupt)
		return fl_case_fail(c, "%llu corrupt page(s) after %s; first: page %llu word %llu",
				    (unsigned long long)r.corrupt, thpm_op_names[t->op],
				    (unsigned long long)r.bad_page[0],
				    (unsigned long long)r.bad_word[0]);
	return 0;
}

/* munmap: the range must be gone (mincore says ENOMEM for an unmapped range). */
int thpm_verify_unmapped(struct fl_case *c, struct thpm *t)
{
	unsigned char vec[1];

	json_object_set_new(c->verify, "pages_checked", json_integer((json_int_t)t->pre.pages_checked));
	json_object_set_new(c->verify, "corrupt", json_integer((json_int_t)t->pre.corrupt));
	if (mincore(t->base, t->page, vec) == 0)
		return fl_case_fail(c, "the range is still mapped after munmap");
	return 0;
}
