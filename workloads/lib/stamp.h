/* SPDX-License-Identifier: GPL-2.0 */
/* Page stamps: every 64-bit word of every page gets a value derived from (seed, page, word),
 * so verification finds lost, swapped, zeroed or stale pages and says where. */
#ifndef FL_STAMP_H
#define FL_STAMP_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define FL_STAMP_MAX_BAD 8

struct fl_stamp_report {
	uint64_t pages_checked;
	uint64_t corrupt;			/* pages with at least one wrong word */
	uint64_t bad_page[FL_STAMP_MAX_BAD];	/* page indexes of the first corrupt pages */
	uint64_t bad_word[FL_STAMP_MAX_BAD];	/* first wrong word in that page */
	uint64_t bad_found[FL_STAMP_MAX_BAD];	/* the value found there */
};

/* Expected value of word w of page pg. */
uint64_t fl_stamp_word(uint64_t seed, uint64_t pg, uint64_t w);
void fl_stamp_fill_page(void *page, size_t pagesz, uint64_t seed, uint64_t pg);
/* Fill npages pages at base, page indexes first_pg.. */
void fl_stamp_fill(void *base, size_t npages, size_t pagesz, uint64_t seed, uint64_t first_pg);
/* Verify; accumulates into r (call fl_stamp_report_init first). Returns corrupt pages found. */
uint64_t fl_stamp_verify(const void *base, size_t npages, size_t pagesz, uint64_t seed,
			 uint64_t first_pg, struct fl_stamp_report *r);
void fl_stamp_report_init(struct fl_stamp_report *r);
/* {"pages_checked", "corrupt", "first_corrupt": [{"page", "word", "found", "expected"}]} */
json_t *fl_stamp_report_json(const struct fl_stamp_report *r, uint64_t seed);

#endif
