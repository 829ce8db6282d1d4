/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the libFuzzer harnesses: a private scratch directory (removed at exit) for
 * parsers that only take a path, and writing the fuzz input there. */
#ifndef FL_FUZZ_UTIL_H
#define FL_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_dir[256];

static inline void fuzz_dir_remove(void)
{
	char cmd[300];

	if (fuzz_dir[0] && snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fuzz_dir) < (int)sizeof(cmd))
		(void)!system(cmd);
}

/* The scratch directory, made on first use: $TMPDIR/fl-fuzz-XXXXXX. */
static inline const char *fuzz_scratch(void)
{
	const char *tmp = getenv("TMPDIR");

	if (fuzz_dir[0])
		return fuzz_dir;
	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/fl-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(fuzz_dir)) {
		perror("fuzz: mkdtemp");
		abort();
	}
	atexit(fuzz_dir_remove);
	return fuzz_dir;
}

/* Write size bytes to path (replacing it); aborts on an I/O error (not the parser's fault). */
static inline void fuzz_write(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "w");

	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f)) {
		perror(path);
		abort();
	}
}

/* A run directory in the scratch dir, made on first use: DIR gets SCRATCH/run (with an empty
 * cases/), CASE the path of its one case file cases/0000-fuzz-i0.json. */
static inline void fuzz_run_dir(char *dir, size_t dlen, char *case_path, size_t clen)
{
	snprintf(dir, dlen, "%s/run", fuzz_scratch());
	snprintf(case_path, clen, "%s/cases", dir);
	if (mkdir(dir, 0700) || mkdir(case_path, 0700))
		abort();
	snprintf(case_path, clen, "%s/cases/0000-fuzz-i0.json", dir);
}

/* data as a NUL-terminated string (malloc'ed; the parsers take C strings). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
