// SPDX-License-Identifier: GPL-2.0
/* Checks outside strings pass before they become a path, id, shell word or terminal text
 * (fl_safe.h, SECURITY.md). */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fl_safe.h"
#include "fl_util.h"

static bool name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '+' || c == '-';
}

bool fl_name_ok(const char *s)
{
	size_t n;

	if (!s || !*s || s[0] == '-' || s[0] == '.')
		return false;
	for (n = 0; s[n]; n++)
		if (n >= FL_NAME_MAX || !name_char((unsigned char)s[n]))
			return false;
	return true;
}

int fl_name_check(const char *what, const char *s, char *err, size_t errlen)
{
	char shown[FL_NAME_MAX + 4];

	if (fl_name_ok(s))
		return 0;
	if (!s || !*s)
		return fl_seterr(err, errlen, "%s is empty; expected a name of letters, digits, "
				 "'.', '_', '+', '-'", what);
	fl_text_clean(shown, sizeof(shown), s);
	if (strlen(s) > FL_NAME_MAX)
		strcpy(shown + FL_NAME_MAX, "...");
	return fl_seterr(err, errlen, "%s \"%s\" is not a safe name: expected 1-%d letters, "
			 "digits, '.', '_', '+' or '-', not starting with '-' or '.'",
			 what, shown, FL_NAME_MAX);
}

/* realpath of PATH's deepest existing ancestor, with the rest appended; -1 on "..". */
static int resolve_loose(const char *path, char *out)
{
	char buf[PATH_MAX], rest[PATH_MAX] = "", *slash;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -1;
	while (!realpath(buf, out)) {
		if (errno != ENOENT && errno != ENOTDIR)
			return -1;
		slash = strrchr(buf, '/');
		if (!slash || slash == buf)
			return -1;
		if (!strcmp(slash + 1, "..") || !strcmp(slash + 1, "."))
			return -1;
		if (strlen(slash) + strlen(rest) >= sizeof(rest))
			return -1;
		memmove(rest + strlen(slash), rest, strlen(rest) + 1);
		memcpy(rest, slash, strlen(slash));
		*slash = '\0';
	}
	if (strlen(out) + strlen(rest) >= PATH_MAX)
		return -1;
	strcat(out, rest);
	return 0;
}

int fl_path_under(const char *parent, const char *path, char *err, size_t errlen)
{
	char p[PATH_MAX], q[PATH_MAX];
	size_t n;

	if (!realpath(parent, p))
		return fl_seterr(err, errlen, "%s: %s", parent, strerror(errno));
	if (resolve_loose(path, q) < 0)
		goto out;
	n = strlen(p);
	if (n == 1 || (!strncmp(p, q, n) && (q[n] == '/' || q[n] == '\0')))
		return 0;
out:
	return fl_seterr(err, errlen, "%s is not inside %s", path, parent);
}

int fl_sh_quote(char *buf, size_t len, const char *arg)
{
	size_t off = strlen(buf), need = 2;
	const char *a;

	for (a = arg; *a; a++)
		need += *a == '\'' ? 4 : 1;
	if (off + need + 1 > len)
		return -1;
	buf[off++] = '\'';
	for (a = arg; *a; a++) {
		if (*a == '\'') {
			memcpy(buf + off, "'\\''", 4);
			off += 4;
		} else {
			buf[off++] = *a;
		}
	}
	buf[off++] = '\'';
	buf[off] = '\0';
	return 0;
}

int fl_sh_word(char *buf, size_t len, const char *arg)
{
	size_t n = strlen(buf);

	if (n && buf[n - 1] != ' ' && fl_str_append(buf, len, " "))
		return -1;
	if (fl_sh_quote(buf, len, arg)) {
		buf[n] = '\0';
		return -1;
	}
	return 0;
}

int fl_str_append(char *buf, size_t len, const char *text)
{
	size_t n = strlen(buf), t = strlen(text);

	if (n + t + 1 > len)
		return -1;
	memcpy(buf + n, text, t + 1);
	return 0;
}

long fl_utf8_next(const unsigned char *s, int *n)
{
	long cp;
	int len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;

	if (!len || s[0] > 0xf4)
		return -1;
	cp = s[0] & (0x7f >> len);
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*n = len;
	return cp;
}

char *fl_text_clean(char *dst, size_t len, const char *src)
{
	const unsigned char *s = (const unsigned char *)(src ? src : "");
	size_t o = 0;

	if (!len)
		return dst;
	for (; *s && o + 1 < len; s++) {
		if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f) {
			dst[o++] = '?';
			s++;
		} else if (*s < 0x20 || *s == 0x7f) {
			dst[o++] = '?';
		} else {
			dst[o++] = (char)*s;
		}
	}
	dst[o] = '\0';
	return dst;
}

void fl_err_shown(const char *err)
{
	char shown[FL_ERRLEN];

	fl_err("%s", fl_text_clean(shown, sizeof(shown), err));
}
