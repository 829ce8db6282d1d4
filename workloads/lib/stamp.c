// SPDX-License-Identifier: GPL-2.0
/* Page stamps: a distinct, non-zero 64-bit value in every word of every page. */
#include <inttypes.h>
#include <stdio.h>
#include "stamp.h"

uint64_t fl_stamp_word(uint64_t seed, uint64_t pg, uint64_t w)
{
	uint64_t z = seed ^ (pg * 0x9E3779B97F4A7C15ull) ^ (w * 0xC2B2AE3D27D4EB4Full);

	z += 0x9E3779B97F4A7C15ull;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	z ^= z >> 31;
	/* A zeroed page must never verify. */
	return z ? z : 0x5A5A5A5A5A5A5A5Aull;
}

void fl_stamp_fill_page(void *page, size_t pagesz, uint64_t seed, uint64_t pg)
{
	uint64_t *p = page;
	size_t w, nw = pagesz / sizeof(uint64_t);

	for (w = 0; w < nw; w++)
		p[w] = fl_stamp_word(seed, pg, w);
}

void fl_stamp_fill(void *base, size_t npages, size_t pagesz, uint64_t seed, uint64_t first_pg)
{
	char *p = base;
	size_t i;

	for (i = 0; i < npages; i++)
		fl_stamp_fill_page(p + i * pagesz, pagesz, seed, first_pg + i);
}

void fl_stamp_report_init(struct fl_stamp_report *r)
{
	*r = (struct fl_stamp_report){ 0 };
}

/* Index of the first wrong word of the page, or -1 if it is intact. */
static long stamp_check_page(const uint64_t *p, size_t nw, uint64_t seed, uint64_t pg)
{
	size_t w;

	for (w = 0; w < nw; w++)
		if (p[w] != fl_stamp_word(seed, pg, w))
			return (long)w;
	return -1;
}

uint64_t fl_stamp_verify(const void *base, size_t npages, size_t pagesz, uint64_t seed,
			 uint64_t first_pg, struct fl_stamp_report *r)
{
	const char *p = base;
	size_t i, nw = pagesz / sizeof(uint64_t);
	uint64_t found = 0;

	for (i = 0; i < npages; i++) {
		const uint64_t *page = (const uint64_t *)(p + i * pagesz);
		uint64_t pg = first_pg + i;
		long w = stamp_check_page(page, nw, seed, pg);

		if (w < 0)
			continue;
		if (r->corrupt < FL_STAMP_MAX_BAD) {
			r->bad_page[r->corrupt] = pg;
			r->bad_word[r->corrupt] = (uint64_t)w;
			r->bad_found[r->corrupt] = page[w];
		}
		r->corrupt++;
		found++;
	}
	r->pages_checked += npages;
	return found;
}

static json_t *stamp_hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%016" PRIx64, v);
	return json_string(buf);
}

/* Stamps are full 64-bit values: "found" and "expected" are hex strings to stay exact. */
static json_t *stamp_bad_json(const struct fl_stamp_report *r, unsigned int i, uint64_t seed)
{
	uint64_t expected = fl_stamp_word(seed, r->bad_page[i], r->bad_word[i]);

	return json_pack("{s:I, s:I, s:o, s:o}",
			 "page", (json_int_t)r->bad_page[i],
			 "word", (json_int_t)r->bad_word[i],
			 "found", stamp_hex(r->bad_found[i]),
			 "expected", stamp_hex(expected));
}

json_t *fl_stamp_report_json(const struct fl_stamp_report *r, uint64_t seed)
{
	json_t *o, *bad;
	uint64_t i, n = r->corrupt < FL_STAMP_MAX_BAD ? r->corrupt : FL_STAMP_MAX_BAD;

	bad = json_array();
	if (!bad)
		return NULL;
	for (i = 0; i < n; i++) {
		if (json_array_append_new(bad, stamp_bad_json(r, (unsigned int)i, seed)))
			goto err_bad;
	}
	o = json_pack("{s:I, s:I, s:o}",
		      "pages_checked", (json_int_t)r->pages_checked,
		      "corrupt", (json_int_t)r->corrupt,
		      "first_corrupt", bad);
	return o;	/* json_pack's "o" consumed bad, even on failure */

err_bad:
	json_decref(bad);
	return NULL;
}
