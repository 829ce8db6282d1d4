/* SPDX-License-Identifier: GPL-2.0 */
/* Per-thread PRNG (xorshift64*): cheap, never stuck at 0, different per thread. */
#ifndef FL_RNG_H
#define FL_RNG_H

#include <stdint.h>

struct fl_rng {
	uint64_t s;
};

/* Seed from (seed, stream): distinct streams give distinct sequences. */
void fl_rng_seed(struct fl_rng *r, uint64_t seed, uint64_t stream);

static inline uint64_t fl_rng_next(struct fl_rng *r)
{
	uint64_t x = r->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

/* Uniform in [0, n). */
static inline uint64_t fl_rng_below(struct fl_rng *r, uint64_t n)
{
	return n ? (uint64_t)(((unsigned __int128)fl_rng_next(r) * n) >> 64) : 0;
}

#endif
