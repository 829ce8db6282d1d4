// SPDX-License-Identifier: GPL-2.0
/* Unit tests of common/fl_util: the one whole-file reader (fl_read_all: links, FIFOs, size
 * limits, files of unknown size, EINTR), its fixed-buffer form fl_read_file, and
 * fl_json_load_regular on top of it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "fl_json.h"
#include "fl_util.h"

struct dir {
	char path[64];
	char file[96];
	char link[96];
	char fifo[96];
};

static void dir_make(struct dir *d, const char *text)
{
	FILE *f;

	snprintf(d->path, sizeof(d->path), "/tmp/fl-test-util.XXXXXX");
	assert_non_null(mkdtemp(d->path));
	snprintf(d->file, sizeof(d->file), "%s/file", d->path);
	snprintf(d->link, sizeof(d->link), "%s/link", d->path);
	snprintf(d->fifo, sizeof(d->fifo), "%s/fifo", d->path);
	f = fopen(d->file, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(symlink(d->file, d->link), 0);
	assert_int_equal(mkfifo(d->fifo, 0600), 0);
}

static void dir_remove(struct dir *d)
{
	unlink(d->file);
	unlink(d->link);
	unlink(d->fifo);
	rmdir(d->path);
}

/* fl_read_all(path, max, flags) fails with errno e and the reason why. */
static void expect_refused(const char *path, size_t max, unsigned int flags, int e,
			   const char *why)
{
	char err[256];

	errno = 0;
	assert_null(fl_read_all(path, max, flags, NULL, err, sizeof(err)));
	assert_int_equal(errno, e);
	assert_string_equal(err, why);
}

static void test_regular(void **state)
{
	struct dir d;
	size_t len = 0;
	char *s;

	dir_make(&d, "hello\n");
	s = fl_read_all(d.file, 0, FL_READ_REGULAR | FL_READ_NOFOLLOW, &len, NULL, 0);
	assert_non_null(s);
	assert_string_equal(s, "hello\n");
	assert_int_equal(len, 6);
	free(s);
	s = fl_read_all(d.link, 0, 0, NULL, NULL, 0);	/* a link is followed unless asked */
	assert_non_null(s);
	assert_string_equal(s, "hello\n");
	free(s);
	dir_remove(&d);
}

static void test_refused(void **state)
{
	struct dir d;

	dir_make(&d, "x");
	expect_refused(d.link, 0, FL_READ_NOFOLLOW, ELOOP, "it is a symbolic link (not followed)");
	/* The FIFO has no writer: without O_NONBLOCK this open would wait for ever. */
	expect_refused(d.fifo, 0, FL_READ_REGULAR, EINVAL, "it is not a regular file");
	expect_refused(d.path, 0, FL_READ_REGULAR, EINVAL, "it is not a regular file");
	expect_refused("/dev/null", 0, FL_READ_REGULAR, EINVAL, "it is not a regular file");
	expect_refused("/nonexistent/fl-test", 0, 0, ENOENT,
		       "cannot read it: No such file or directory");
	dir_remove(&d);
}

static void test_size_limit(void **state)
{
	struct dir d;
	size_t len = 0;
	char err[256], *s;

	dir_make(&d, "0123456789");
	s = fl_read_all(d.file, 10, FL_READ_REGULAR, &len, err, sizeof(err));
	assert_non_null(s);	/* exactly max is accepted */
	assert_int_equal(len, 10);
	free(s);
	expect_refused(d.file, 9, FL_READ_REGULAR, EFBIG, "it has 10 bytes; at most 9 are read");
	dir_remove(&d);
}

/* procfs reports a size of 0: the file is read to its end, growing the buffer. */
static void test_procfs_unknown_size(void **state)
{
	struct stat st;
	size_t len = 0;
	char err[256], *s;

	assert_int_equal(stat("/proc/self/maps", &st), 0);
	assert_int_equal(st.st_size, 0);
	s = fl_read_all("/proc/self/maps", 0, 0, &len, err, sizeof(err));
	assert_non_null(s);
	assert_true(len > 0);
	assert_int_equal(strlen(s), len);
	assert_non_null(strstr(s, "[stack]"));
	free(s);
	/* Its size is found by reading: over max is refused all the same. */
	expect_refused("/proc/self/maps", 16, 0, EFBIG,
		       "it has more than 16 bytes; at most 16 are read");
}

/* A child that opens fifo for writing after delay_us, hands it to fill, exits 0 if all went
 * well. */
static pid_t fifo_writer(const char *fifo, useconds_t delay_us, void (*fill)(FILE *f))
{
	pid_t pid = fork();
	FILE *f;

	assert_true(pid >= 0);
	if (pid)
		return pid;
	usleep(delay_us);
	f = fopen(fifo, "w");
	if (!f)
		_exit(1);
	fill(f);
	_exit(fclose(f) ? 1 : 0);
}

#define GROWS_BYTES 200000

static void fill_big(FILE *f)
{
	for (size_t i = 0; i < GROWS_BYTES; i++)
		fputc('a' + (int)(i % 26), f);
}

/* Two writes 30 ms apart, unbuffered, so the reader waits in read() too. */
static void fill_slow(FILE *f)
{
	setvbuf(f, NULL, _IONBF, 0);
	fputs("hello", f);
	usleep(30000);
	fputs(" world", f);
}

/* More than the first buffer (64 KiB) of unknown size: a pipe of GROWS_BYTES bytes. */
static void test_grows(void **state)
{
	struct dir d;
	size_t len = 0, n = GROWS_BYTES;
	pid_t pid;
	char *s;
	int st;

	dir_make(&d, "");
	pid = fifo_writer(d.fifo, 0, fill_big);
	s = fl_read_all(d.fifo, 0, 0, &len, NULL, 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_non_null(s);
	assert_int_equal(len, n);
	assert_int_equal(s[n - 1], 'a' + (int)((n - 1) % 26));
	assert_int_equal(s[n], '\0');
	free(s);
	dir_remove(&d);
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	alarms++;
}

/* A signal without SA_RESTART interrupts the FIFO's open (its writer comes 30 ms late) and
 * reads: the reader goes on. */
static void test_eintr(void **state)
{
	struct itimerval tick = { { 0, 2000 }, { 0, 2000 } }, off = { { 0, 0 }, { 0, 0 } };
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct dir d;
	size_t len = 0;
	pid_t pid;
	char *s;
	int st;

	dir_make(&d, "");
	pid = fifo_writer(d.fifo, 30000, fill_slow);
	alarms = 0;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
	assert_int_equal(setitimer(ITIMER_REAL, &tick, NULL), 0);
	s = fl_read_all(d.fifo, 0, 0, &len, NULL, 0);
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_true(alarms > 5);
	assert_non_null(s);
	assert_string_equal(s, "hello world");
	assert_int_equal(len, 11);
	free(s);
	dir_remove(&d);
}

static void test_read_file(void **state)
{
	struct dir d;
	char buf[8];

	dir_make(&d, "0123456789");
	assert_int_equal(fl_read_file(d.file, buf, sizeof(buf)), 7);	/* the first len-1 */
	assert_string_equal(buf, "0123456");
	assert_int_equal(fl_read_file("/proc/self/comm", buf, sizeof(buf)) > 0, 1);
	errno = 0;
	assert_int_equal(fl_read_file("/nonexistent/fl-test", buf, sizeof(buf)), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(fl_read_file(d.file, buf, 0), -1);
	/* A directory opens but cannot be read: -1, not an empty value. */
	errno = 0;
	assert_int_equal(fl_read_file(d.path, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EISDIR);
	assert_string_equal(buf, "");
	dir_remove(&d);
}

/* A document from outside: a regular file only; a link or a FIFO (no writer: no wait) is not. */
static void test_json_load_regular(void **state)
{
	struct dir d;
	json_t *doc;

	dir_make(&d, "{\"a\": 1}");
	doc = fl_json_load_regular(d.file);
	assert_non_null(doc);
	assert_int_equal(json_integer_value(json_object_get(doc, "a")), 1);
	json_decref(doc);
	assert_null(fl_json_load_regular(d.link));
	assert_null(fl_json_load_regular(d.fifo));
	assert_null(fl_json_load_regular("/nonexistent/fl-test.json"));
	dir_remove(&d);
	dir_make(&d, "{\"a\": ");
	assert_null(fl_json_load_regular(d.file));
	dir_remove(&d);
}

static void test_parse_size(void **state)
{
	unsigned long long v;

	assert_int_equal(fl_parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(fl_parse_size("2MiB", &v), 0);
	assert_int_equal(v, 2ull << 20);
	assert_int_equal(fl_parse_size("1g", &v), 0);
	assert_int_equal(v, 1ull << 30);
	assert_int_equal(fl_parse_size("-1", &v), -1);
	assert_int_equal(fl_parse_size("4X", &v), -1);
	assert_int_equal(fl_parse_size("99999999999T", &v), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regular),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_procfs_unknown_size),
		cmocka_unit_test(test_grows),
		cmocka_unit_test(test_eintr),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_json_load_regular),
		cmocka_unit_test(test_parse_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
