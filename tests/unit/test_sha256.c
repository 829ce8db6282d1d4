// SPDX-License-Identifier: GPL-2.0
/* Unit tests of common/fl_sha256 (over Nettle): the FIPS 180 known answers, updates split at
 * every size, a context fresh after its digest, files (several read buffers, errors). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "fl_sha256.h"

static const char abc_hex[] =
	"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char million_a_hex[] =
	"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

/* FIPS 180-2 appendix B (and the empty message). */
static void test_known_answers(void **state)
{
	static const struct {
		const char *msg, *hex;
	} kat[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", abc_hex },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
		  "klmnopqrlmnopqrsmnopqrstnopqrstu",
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	};
	char hex[65];

	for (size_t i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		fl_sha256_buf(kat[i].msg, strlen(kat[i].msg), hex);
		assert_string_equal(hex, kat[i].hex);
	}
}

/* One million 'a' in updates of 1000 bytes; then the context starts afresh. */
static void test_million_a(void **state)
{
	struct fl_sha256 s;
	char block[1000], hex[65];

	memset(block, 'a', sizeof(block));
	fl_sha256_init(&s);
	for (int i = 0; i < 1000; i++)
		fl_sha256_update(&s, block, sizeof(block));
	fl_sha256_hex(&s, hex);
	assert_string_equal(hex, million_a_hex);
	fl_sha256_update(&s, "abc", 3);
	fl_sha256_hex(&s, hex);
	assert_string_equal(hex, abc_hex);
}

/* Split anywhere, a message hashes the same (block edges at 55, 56, 63, 64 bytes). */
static void test_split_updates(void **state)
{
	char msg[300], one[65], two[65];
	struct fl_sha256 s;

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (char)(i * 7 + 3);
	for (size_t n = 0; n <= sizeof(msg); n += 1 + n / 8) {
		fl_sha256_buf(msg, n, one);
		for (size_t cut = 0; cut <= n; cut += 1 + cut / 4) {
			fl_sha256_init(&s);
			fl_sha256_update(&s, msg, cut);
			fl_sha256_update(&s, msg + cut, n - cut);
			fl_sha256_hex(&s, two);
			assert_string_equal(one, two);
		}
	}
}

static void test_file(void **state)
{
	char path[] = "/tmp/fl-test-sha256.XXXXXX", hex[65];
	struct fl_sha256 s;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	for (int i = 0; i < 1000000; i++)	/* 15 read buffers of 64 KiB and a part */
		fputc('a', f);
	assert_int_equal(fclose(f), 0);
	fl_sha256_init(&s);
	assert_int_equal(fl_sha256_file(&s, path), 0);
	fl_sha256_hex(&s, hex);
	assert_string_equal(hex, million_a_hex);
	unlink(path);
	errno = 0;
	assert_int_equal(fl_sha256_file(&s, path), -1);
	assert_int_equal(errno, ENOENT);
	/* A directory opens but does not read: an error, not the hash of nothing. */
	errno = 0;
	assert_int_equal(fl_sha256_file(&s, "/tmp"), -1);
	assert_int_equal(errno, EISDIR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answers),
		cmocka_unit_test(test_million_a),
		cmocka_unit_test(test_split_updates),
		cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
