// SPDX-License-Identifier: GPL-2.0
/* SHA-256 over Nettle's sha256_ctx (fl_sha256.h), digests as lower-case hex. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "fl_sha256.h"

void fl_sha256_init(struct fl_sha256 *s)
{
	sha256_init(&s->ctx);
}

void fl_sha256_update(struct fl_sha256 *s, const void *data, size_t n)
{
	sha256_update(&s->ctx, n, data);
}

void fl_sha256_hex(struct fl_sha256 *s, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	uint8_t d[SHA256_DIGEST_SIZE];
	int i;

	sha256_digest(&s->ctx, sizeof(d), d);
	for (i = 0; i < SHA256_DIGEST_SIZE; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * SHA256_DIGEST_SIZE] = '\0';
}

void fl_sha256_buf(const void *data, size_t n, char hex[65])
{
	struct fl_sha256 s;

	fl_sha256_init(&s);
	fl_sha256_update(&s, data, n);
	fl_sha256_hex(&s, hex);
}

int fl_sha256_file(struct fl_sha256 *s, const char *path)
{
	unsigned char buf[65536];
	int fd, e;
	ssize_t n;

	do
		fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		fl_sha256_update(s, buf, (size_t)n);
	}
	close(fd);
	return 0;
}
