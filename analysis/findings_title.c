// SPDX-License-Identifier: GPL-2.0
/* The titles of a hunt's failed, crashed and timed-out cases (findings.h): the same failure on
 * other pages or addresses is one title. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "compare.h"
#include "findings.h"
#include "fl_safe.h"

#define TITLE_REASON_MAX 120

static bool verify_says_corrupt(json_t *verify)
{
	const char *k, *k2;
	json_t *v, *v2;

	json_object_foreach(verify, k, v) {
		if (strstr(k, "corrupt") && json_is_number(v) && json_number_value(v) > 0)
			return true;
		json_object_foreach(v, k2, v2)
			if (strstr(k2, "corrupt") && json_is_number(v2) && json_number_value(v2) > 0)
				return true;
	}
	return false;
}

static bool reason_says_corrupt(const char *reason)
{
	static const char *const words[] = { "corrupt", "wrong", "lost", "stamp", "generation",
					     "mismatch" };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(reason, words[i]))
			return true;
	return false;
}

/* reason up to its first ';', numbers (decimal, 0x hex) as N, at most TITLE_REASON_MAX. */
static void reason_key(const char *reason, char *out, size_t len)
{
	size_t n = 0, cap = len < TITLE_REASON_MAX ? len : TITLE_REASON_MAX;
	const char *p = reason;

	while (*p && *p != ';' && n + 1 < cap) {
		if (isdigit((unsigned char)*p)) {
			if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
				p += 2;
			while (isxdigit((unsigned char)*p) || *p == '.')
				p++;
			out[n++] = 'N';
			continue;
		}
		out[n++] = *p++;
	}
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	fl_utf8_cut(out);	/* a title is JSON: never half a character */
}

void fl_hunt_failure_title(const char *workload, const char *reason, json_t *verify,
			   char *buf, size_t len, const char **kind)
{
	char key[TITLE_REASON_MAX + 8];

	reason = reason && *reason ? reason : "no reason given";
	/* the signal number is the finding itself */
	if (!strncmp(reason, "the agent died of signal", 24))
		snprintf(key, sizeof(key), "%s", reason);
	else
		reason_key(reason, key, sizeof(key));
	if (verify_says_corrupt(verify) || reason_says_corrupt(reason)) {
		*kind = "verification";
		snprintf(buf, len, "verification failed in %s: %s", workload, key);
	} else {
		*kind = "failure";
		snprintf(buf, len, "%s failed: %s", workload, key);
	}
	fl_utf8_cut(buf);
	fl_text_clean(buf, len, buf);
}

void fl_hunt_end_title(const char *workload, const char *status, const char *reason, char *buf,
		       size_t len)
{
	char key[TITLE_REASON_MAX + 8];

	reason_key(reason ?: "no reason given", key, sizeof(key));
	snprintf(buf, len, "%s %s: %s", workload, status, key);
	fl_utf8_cut(buf);
	fl_text_clean(buf, len, buf);
}
