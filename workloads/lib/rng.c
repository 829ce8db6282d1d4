// SPDX-License-Identifier: GPL-2.0
/* Per-thread PRNG seeding: splitmix64 spreads (seed, stream) over the 64-bit state. */
#include "rng.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

void fl_rng_seed(struct fl_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed;
	uint64_t s;

	splitmix64(&x);
	x ^= stream * 0xD1B54A32D192ED03ull;
	do
		s = splitmix64(&x);
	while (!s);	/* xorshift sticks at 0 forever */
	r->s = s;
}
