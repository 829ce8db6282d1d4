/* SPDX-License-Identifier: GPL-2.0 */
/* SHA-256 (FIPS 180-4) for result-frame checks and content-hash caches; no crypto library. */
#ifndef FL_SHA256_H
#define FL_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct fl_sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char buf[64];
	size_t used;
};

void fl_sha256_init(struct fl_sha256 *s);
void fl_sha256_update(struct fl_sha256 *s, const void *data, size_t n);
/* Finish into 65 bytes of lower-case hex. */
void fl_sha256_hex(struct fl_sha256 *s, char hex[65]);
/* Hash of data in one go, as hex. */
void fl_sha256_buf(const void *data, size_t n, char hex[65]);
/* Add a file's bytes to s; -1 with errno when it cannot be read. */
int fl_sha256_file(struct fl_sha256 *s, const char *path);

#endif
