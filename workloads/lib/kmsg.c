// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel log scan. /dev/kmsg gives one record per read(); opened non-blocking and positioned
 * at the end, a later scan returns exactly the records written in between (EPIPE means the
 * ring overwrote some: reading goes on). A finding's excerpt is its record and the records
 * that follow it (a stack trace), up to a few lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kmsg.h"

#define EXCERPT_LINES 12
#define EXCERPT_MAX 1500

static const struct {
	const char *needle, *title;
} problems[] = {
	{ "Bad page state", "Bad page state" },
	{ "Bad page map", "Bad page map" },
	{ "Bad rss-counter", "Bad rss-counter" },
	{ "BUG:", "BUG" },
	{ "kernel BUG at", "BUG" },
	{ "WARNING:", "WARNING" },
	{ "Oops", "Oops" },
	{ "general protection fault", "general protection fault" },
	{ "Unable to handle kernel", "Oops" },
	{ "Kernel panic", "panic" },
};

const char *fl_kmsg_problem(const char *msg)
{
	for (size_t i = 0; i < sizeof(problems) / sizeof(problems[0]); i++)
		if (strstr(msg, problems[i].needle))
			return problems[i].title;
	return NULL;
}

void fl_kmsg_text(const char *record, char *out, size_t len)
{
	const char *semi = strchr(record, ';');
	const char *p = semi ? semi + 1 : record;
	size_t n = strcspn(p, "\n");

	if (!len)
		return;
	if (n >= len)
		n = len - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

int fl_kmsg_open(struct fl_kmsg *k, const char *path, char *err, size_t errlen)
{
	const char *test = getenv("FAULTLINE_KMSG");
	bool is_test = !path && test && *test;

	if (!path)
		path = is_test ? test : "/dev/kmsg";
	k->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k->fd < 0) {
		snprintf(err, errlen, "cannot read the kernel log %s: %s", path, strerror(errno));
		return -1;
	}
	if (!is_test && lseek(k->fd, 0, SEEK_END) < 0) {
		snprintf(err, errlen, "cannot seek to the end of the kernel log %s: %s", path,
			 strerror(errno));
		close(k->fd);
		k->fd = -1;
		return -1;
	}
	return 0;
}

/* Next record: one read() on /dev/kmsg, one line of a plain file. 1, 0 at the end, -1. */
static int next_record(struct fl_kmsg *k, char *buf, size_t len)
{
	for (;;) {
		ssize_t n = read(k->fd, buf, len - 1);

		if (n > 0) {
			char *nl = memchr(buf, '\n', (size_t)n);

			/* A plain test file: keep one line, step back to the next one. */
			if (nl && nl + 1 < buf + n)
				lseek(k->fd, (off_t)(nl + 1 - (buf + n)), SEEK_CUR);
			buf[nl ? (size_t)(nl - buf) : (size_t)n] = '\0';
			return 1;
		}
		if (n == 0 || errno == EAGAIN)
			return 0;
		if (errno != EPIPE && errno != EINTR)
			return -1;
	}
}

int fl_kmsg_scan(struct fl_kmsg *k, json_t *findings, char *err, size_t errlen)
{
	char rec[8192], text[1024], excerpt[EXCERPT_MAX + 1];
	json_t *open_f = NULL;
	int lines = 0, added = 0, r;

	excerpt[0] = '\0';
	while ((r = next_record(k, rec, sizeof(rec))) > 0) {
		const char *title;

		fl_kmsg_text(rec, text, sizeof(text));
		title = fl_kmsg_problem(text);
		if (title) {
			if (open_f)
				json_object_set_new(open_f, "excerpt", json_string(excerpt));
			open_f = json_object();
			json_object_set_new(open_f, "title", strstr(text, title) ?
					    json_sprintf("%.160s", text) :
					    json_sprintf("%s: %.160s", title, text));
			json_array_append_new(findings, open_f);
			snprintf(excerpt, sizeof(excerpt), "%s", text);
			lines = 1;
			added++;
		} else if (open_f && lines < EXCERPT_LINES) {
			size_t used = strlen(excerpt);

			snprintf(excerpt + used, sizeof(excerpt) - used, "\n%s", text);
			lines++;
		}
	}
	if (open_f)
		json_object_set_new(open_f, "excerpt", json_string(excerpt));
	if (r < 0) {
		snprintf(err, errlen, "cannot read the kernel log: %s", strerror(errno));
		return -1;
	}
	return added;
}

void fl_kmsg_close(struct fl_kmsg *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}
