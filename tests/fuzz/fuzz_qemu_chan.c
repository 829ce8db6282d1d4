// SPDX-License-Identifier: GPL-2.0
/* QEMU channel frames (runner/targets/qemu_chan.c): what a guest sends on the result channel, any
 * bytes, read as target_qemu.c's receive() reads it: lines, "DONE N", and frames
 * "FRAME KIND LENGTH SHA256\n" + LENGTH bytes, whose bodies are parsed as JSON and a CASE
 * body validated as a case document.
 *
 * A fuzzer cannot forge a sha256, so a header whose SHA256 is 64 zeros gets the real digest
 * of the LENGTH bytes after it before the bytes go to the channel (a memfd). */
#include <jansson.h>
#include <sys/mman.h>
#include "fuzz_util.h"
#include "fl_schema.h"
#include "fl_sha256.h"
#include "qemu_chan.h"

static void fix_digests(char *buf, size_t size)
{
	static const char zeros[] =
		"0000000000000000000000000000000000000000000000000000000000000000";
	size_t pos = 0;

	while (pos < size) {
		char *nl = memchr(buf + pos, '\n', size - pos), line[512], kind[16], sha[65];
		size_t n, ll;
		int off = 0;

		if (!nl)
			return;
		ll = (size_t)(nl - (buf + pos));
		snprintf(line, sizeof(line), "%.*s", (int)ll, buf + pos);
		pos += ll + 1;
		if (!fl_frame_header(line, kind, sizeof(kind), &n, sha))
			continue;
		if (!strcmp(sha, zeros) && n <= size - pos &&
		    sscanf(line, "FRAME %*31s %*llu %n", &off) >= 0 && off > 0 &&
		    (size_t)off + 64 <= ll && !strncmp(nl - ll + off, zeros, 64)) {
			char hex[65];

			fl_sha256_buf(buf + pos, n, hex);
			memcpy(nl - ll + off, hex, 64);
		}
		if (n <= size - pos)
			pos += n;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fl_chan *c = calloc(1, sizeof(*c));
	char line[512], kind[16], sha[65], err[512], *body, *copy;
	double deadline = fl_now_s() + 5;
	size_t n;

	if (!c)
		return 0;
	c->fd = memfd_create("fl-fuzz-chan", MFD_CLOEXEC);
	copy = malloc(size ? size : 1);
	if (c->fd < 0 || !copy)
		abort();
	memcpy(copy, data, size);
	fix_digests(copy, size);
	if (size && write(c->fd, copy, size) != (ssize_t)size)
		abort();
	free(copy);
	lseek(c->fd, 0, SEEK_SET);
	while (fl_chan_line(c, line, sizeof(line), deadline) == FL_CHAN_OK) {
		if (!strncmp(line, "DONE ", 5)) {
			(void)atoi(line + 5);
			continue;
		}
		if (!fl_frame_header(line, kind, sizeof(kind), &n, sha))
			continue;
		if (fl_chan_frame(c, n, sha, deadline, &body, err, sizeof(err)))
			break;
		if (body) {
			json_t *doc = json_loads(body, 0, NULL);

			if (doc && !strcmp(kind, "CASE"))
				fl_schema_validate_case(doc, err, sizeof(err));
			json_decref(doc);
			free(body);
		}
	}
	close(c->fd);
	free(c);
	return 0;
}
