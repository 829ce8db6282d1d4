// SPDX-License-Identifier: GPL-2.0
/*
 * Is a kernel image for this guest arch? Each machine in kernels/machines.json lists
 * image_magic signatures, "OFFSET:HEX OFFSET:HEX ..." (every pair must match; any signature
 * may): x86 "HdrS" at 0x202, arm64 "ARM\x64" at 0x38, ELF class/endianness/e_machine, the
 * s390 boot header. An image matching none is refused before QEMU starts, named after the
 * entry it does match, if any.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fl_util.h"
#include "kernel.h"

#define HEAD_BYTES 4096

static int hexval(int c)
{
	return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* Does head (n bytes) carry every OFFSET:HEX pair of sig? */
static bool sig_matches(const char *sig, const unsigned char *head, size_t n)
{
	const char *p = sig;

	while (*p) {
		char *end;
		unsigned long off = strtoul(p, &end, 10);

		if (end == p || *end != ':')
			return false;
		for (p = end + 1; isxdigit((unsigned char)p[0]) && isxdigit((unsigned char)p[1]);
		     p += 2, off++)
			if (off >= n || head[off] != (hexval(p[0]) << 4 | hexval(p[1])))
				return false;
		while (*p == ' ')
			p++;
	}
	return true;
}

static bool entry_matches(json_t *magic, const unsigned char *head, size_t n)
{
	size_t i;
	json_t *s;

	json_array_foreach(magic, i, s)
		if (json_is_string(s) && sig_matches(json_string_value(s), head, n))
			return true;
	return false;
}

int fl_image_check(const struct fl_machine *m, const char *image, char *err, size_t errlen)
{
	unsigned char head[HEAD_BYTES];
	const char *key, *other = NULL;
	FILE *f;
	size_t n;
	json_t *e;

	if (!json_array_size(m->image_magic))
		return 0;
	f = fopen(image, "rb");
	if (!f)
		return fl_seterr(err, errlen, "cannot read kernel image %s: %s", image,
				 strerror(errno));
	n = fread(head, 1, sizeof(head), f);
	fclose(f);
	if (entry_matches(m->image_magic, head, n))
		return 0;
	json_object_foreach(m->table, key, e)
		if (!other && json_is_object(e) &&
		    entry_matches(json_object_get(e, "image_magic"), head, n))
			other = key;
	if (other)
		return fl_seterr(err, errlen, "%s is a kernel image for %s, not for --arch %s",
				 image, other, m->arch);
	return fl_seterr(err, errlen, "%s is not a kernel image for %s (no %s signature)", image,
			 m->arch, m->kernel_file);
}
