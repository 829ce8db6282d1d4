// SPDX-License-Identifier: GPL-2.0
/* JSON files (fl_json.h): atomic writes, loads that say where a file is broken, the small
 * builders every document uses. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fl_json.h"
#include "fl_util.h"

static int write_all(int fd, const char *p, size_t n)
{
	ssize_t r;

	while (n) {
		r = write(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int fl_json_write_atomic(const char *path, json_t *doc, char *err, size_t errlen)
{
	char tmp[4096];
	char *text;
	int fd, ret = -1;

	text = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	if (!text)
		return fl_seterr(err, errlen, "cannot serialize JSON for %s", path);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp)) {
		fl_seterr(err, errlen, "path too long: %s", path);
		goto out_free;
	}
	/* The directory may be someone else's (a history, a run dir): never write through a
	 * link or into a file another process planted; a stale temp file of ours goes first. */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		fl_seterr(err, errlen, "cannot write %s: %s", path, strerror(errno));
		goto out_free;
	}
	if (write_all(fd, text, strlen(text)) || write_all(fd, "\n", 1) || fsync(fd)) {
		fl_seterr(err, errlen, "cannot write %s: %s", path, strerror(errno));
		close(fd);
		goto out_unlink;
	}
	if (close(fd)) {
		fl_seterr(err, errlen, "cannot write %s: %s", path, strerror(errno));
		goto out_unlink;
	}
	if (rename(tmp, path)) {
		fl_seterr(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
		goto out_unlink;
	}
	ret = 0;
	goto out_free;
out_unlink:
	unlink(tmp);
out_free:
	free(text);
	return ret;
}

json_t *fl_json_load_regular(const char *path)
{
	size_t len;
	char *text = fl_read_all(path, 0, FL_READ_REGULAR | FL_READ_NOFOLLOW, &len, NULL, 0);
	json_t *doc;

	if (!text)
		return NULL;
	doc = json_loadb(text, len, 0, NULL);
	free(text);
	return doc;
}

json_t *fl_json_load(const char *path, char *err, size_t errlen)
{
	json_error_t je;
	json_t *doc;

	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (doc)
		return doc;
	if (je.line <= 0)
		fl_seterr(err, errlen, "%s: %s", path, je.text);
	else
		fl_seterr(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
	return NULL;
}

void fl_json_set_num(json_t *obj, const char *key, double v)
{
	json_object_set_new(obj, key, fl_json_number(v));
}

void fl_json_set_str(json_t *obj, const char *key, const char *s)
{
	json_object_set_new(obj, key, s ? json_string(s) : json_null());
}

/* Whole numbers (counts) are written as JSON integers, others as reals. */
json_t *fl_json_number(double v)
{
	if (v == floor(v) && fabs(v) < 9e15)
		return json_integer((json_int_t)v);
	return json_real(v);
}

json_t *fl_json_value(double v, const char *unit)
{
	return json_pack("{s:o, s:s}", "value", fl_json_number(v), "unit", unit);
}

json_t *fl_json_missing(const char *status, const char *reason)
{
	return json_pack("{s:s, s:s}", "status", status, "reason", reason);
}

int fl_json_check_fields(json_t *obj, const char *const *known, const char *where,
			 const char *path, char *err, size_t errlen)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		char list[256] = "";
		bool ok = false;

		for (int i = 0; known[i]; i++)
			ok |= strcmp(known[i], key) == 0;
		if (ok)
			continue;
		for (int i = 0; known[i]; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 i ? ", " : "", known[i]);
		return fl_seterr(err, errlen, "%s: unknown field '%s' in %s (expected one of: %s)",
				 path, key, where, list);
	}
	return 0;
}

void fl_params_label(json_t *params, json_t *resolved, char *buf, size_t len)
{
	const char *key;
	json_t *v;
	size_t off = 0;

	buf[0] = '\0';
	json_object_foreach(params, key, v) {
		char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(10));
		const char *rv = json_string_value(json_object_get(resolved, key));

		if (s && s[0] == '"') {	/* strings without quotes */
			s[strlen(s) - 1] = '\0';
			memmove(s, s + 1, strlen(s));
		}
		off += (size_t)snprintf(off < len ? buf + off : NULL, off < len ? len - off : 0,
					"%s%s=%s%s%s%s", off ? " " : "", key, s ? s : "?",
					rv ? "(" : "", rv ? rv : "", rv ? ")" : "");
		free(s);
	}
}
