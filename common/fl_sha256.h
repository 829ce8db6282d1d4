/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SHA-256 (FIPS 180-4) for result-frame checks and content-hash caches, from Debian's Nettle
 * (nettle-dev). faultline links it as a shared library; faultline-agent links libnettle.a, so
 * the agent copied into a guest's initramfs or to an ssh host needs no libnettle there.
 */
#ifndef FL_SHA256_H
#define FL_SHA256_H

#include <stddef.h>
#include <nettle/sha2.h>

struct fl_sha256 {
	struct sha256_ctx ctx;
};

void fl_sha256_init(struct fl_sha256 *s);
void fl_sha256_update(struct fl_sha256 *s, const void *data, size_t n);
/* Finish into 65 bytes of lower-case hex; s is then fresh as after fl_sha256_init. */
void fl_sha256_hex(struct fl_sha256 *s, char hex[65]);
/* Hash of data in one go, as hex. */
void fl_sha256_buf(const void *data, size_t n, char hex[65]);
/* Add a file's bytes to s; -1 with errno when it cannot be read. */
int fl_sha256_file(struct fl_sha256 *s, const char *path);

#endif
