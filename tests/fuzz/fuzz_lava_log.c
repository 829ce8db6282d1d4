// SPDX-License-Identifier: GPL-2.0
/* LAVA log scanner (runner/lava/lava_collect.c fl_lava_collect): a job log, any bytes, collected
 * into a run directory.
 *
 * A case marker is "FAULTLINE-CASE IDX SHA256 BASE64"; a fuzzer cannot forge a sha256, so a
 * marker whose SHA256 is 64 zeros gets the real digest of its decoded body before the scan
 * (the same decoding as the scanner's), which lets the fuzzer reach the schema check and
 * write_run(). Writes go through fl_json_write_atomic, replaced here (-Wl,--wrap) by a check
 * that the file is inside the output directory: nothing is written, and a path that would
 * leave it (or does not resolve to a case file or run.json) aborts, as a crash to report. */
#include <jansson.h>
#include "fuzz_util.h"
#include "fl_sha256.h"
#include "lava.h"

static char out_dir[300];

int __wrap_fl_json_write_atomic(const char *path, json_t *doc, char *err, size_t errlen);

int __wrap_fl_json_write_atomic(const char *path, json_t *doc, char *err, size_t errlen)
{
	size_t n = strlen(out_dir);
	char *s;

	if (strncmp(path, out_dir, n) || path[n] != '/' || strstr(path + n, "/../") ||
	    (strcmp(path + n, "/run.json") && (strncmp(path + n, "/cases/", 7) ||
	     strchr(path + n + 7, '/') || !strcmp(path + n + 7, "..")))) {
		fprintf(stderr, "fuzz_lava_log: collect would write outside %s/cases: %s\n",
			out_dir, path);
		abort();
	}
	s = json_dumps(doc, JSON_INDENT(2));
	free(s);
	return 0;
}

static const char b64chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";

/* As lava_collect.c's b64dec: up to the first byte outside the alphabet or '='. */
static size_t b64dec(const char *s, char *out)
{
	size_t n = strspn(s, b64chars), o = 0;
	unsigned int acc = 0;
	int bits = 0;

	for (size_t i = 0; i < n && s[i] != '='; i++) {
		const char *p = strchr(b64chars, s[i]);

		acc = (acc << 6) | (unsigned int)(p - b64chars);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	return o;
}

/* Put the real sha256 where a case marker has 64 zeros. text is NUL-terminated. */
static void fix_digests(char *text)
{
	static const char zeros[] =
		"0000000000000000000000000000000000000000000000000000000000000000";
	char *p = text;

	while ((p = strstr(p, "FAULTLINE-CASE "))) {
		char *sha = p + 15, *body, *dec, hex[65];
		size_t len;

		sha += strspn(sha, "0123456789");
		p += 15;
		if (sha == p || *sha != ' ' || strncmp(sha + 1, zeros, 64) || sha[65] != ' ')
			continue;
		body = sha + 66;
		dec = malloc(strlen(body) + 1);
		if (!dec)
			abort();
		len = b64dec(body, dec);
		fl_sha256_buf(dec, len, hex);
		memcpy(sha + 1, hex, 64);
		free(dec);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char log[300];
	char *const logs[] = { log, NULL };
	char err[1024], *text = fuzz_cstr(data, size);

	if (!log[0]) {
		snprintf(log, sizeof(log), "%s/job.log", fuzz_scratch());
		snprintf(out_dir, sizeof(out_dir), "%s/out", fuzz_scratch());
	}
	fix_digests(text);
	fuzz_write(log, (const uint8_t *)text, size);
	free(text);
	fl_lava_collect(logs, 1, out_dir, NULL, err, sizeof(err));
	return 0;
}
