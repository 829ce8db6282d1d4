// SPDX-License-Identifier: GPL-2.0
/*
 * Crash classifier: kernel reports on a serial console to syzkaller-style titles. Each rule
 * matches a report's first line; FUNC comes from that line, a later "at: FUNC" (lockdep) or
 * the report's "RIP:"/"pc :" line, as syzkaller's report parser does. Timestamps ("[  1.2]")
 * and "[    T1]"-style caller ids are stripped first.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "console_classify.h"
#include "fl_safe.h"

#define EXCERPT_LINES 24
#define FUNC_SEARCH_LINES 60

struct lines {
	char **v;
	size_t n;
};

/* FUNC_ON_CPU: no function; the title is the line up to " on CPU#" (spinlock_debug.c). */
enum func_from { FUNC_NONE, FUNC_AFTER_IN, FUNC_AT_FILE, FUNC_RIP, FUNC_LOCK_AT, FUNC_ON_CPU };

struct rule {
	const char *match;	/* prefix of the stripped line, or substring when contains */
	bool contains;
	const char *title;	/* printf with %s = FUNC when func != FUNC_NONE */
	const char *title_nofunc;
	enum func_from func;
};

static const struct rule rules[] = {
	{ "BUG: KASAN: ", false, "KASAN: %s", NULL, FUNC_AFTER_IN },
	{ "BUG: unable to handle page fault", false, "BUG: unable to handle page fault in %s",
	  "BUG: unable to handle page fault", FUNC_RIP },
	{ "BUG: kernel NULL pointer dereference", false,
	  "BUG: kernel NULL pointer dereference in %s", "BUG: kernel NULL pointer dereference",
	  FUNC_RIP },
	{ "BUG: soft lockup", true, "BUG: soft lockup in %s", "BUG: soft lockup", FUNC_RIP },
	{ "BUG: Bad page state", false, "BUG: Bad page state", NULL, FUNC_NONE },
	{ "BUG: Bad page map", false, "BUG: Bad page map", NULL, FUNC_NONE },
	{ "BUG: Bad rss-counter", false, "BUG: Bad rss-counter state", NULL, FUNC_NONE },
	{ "BUG: non-zero pgtables_bytes on freeing mm", false,
	  "BUG: non-zero pgtables_bytes on freeing mm", NULL, FUNC_NONE },
	/* DEBUG_SPINLOCK: "BUG: spinlock bad magic on CPU#0, comm/pid" (a freed lock reused) */
	{ "BUG: spinlock ", false, "%s", "BUG: spinlock", FUNC_ON_CPU },
	{ "BUG: rwlock ", false, "%s", "BUG: rwlock", FUNC_ON_CPU },
	{ "BUG: scheduling while atomic", false, "BUG: scheduling while atomic", NULL,
	  FUNC_NONE },
	{ "BUG: sleeping function called from invalid context", false,
	  "BUG: sleeping function called from invalid context in %s",
	  "BUG: sleeping function called from invalid context", FUNC_AT_FILE },
	{ "kernel BUG at ", false, "kernel BUG in %s", "kernel BUG", FUNC_RIP },
	{ "WARNING: possible circular locking dependency detected", false,
	  "possible deadlock in %s", "possible deadlock", FUNC_LOCK_AT },
	{ "WARNING: possible recursive locking detected", false, "possible deadlock in %s",
	  "possible deadlock", FUNC_LOCK_AT },
	{ "WARNING: inconsistent lock state", false, "inconsistent lock state in %s",
	  "inconsistent lock state", FUNC_LOCK_AT },
	{ "WARNING: CPU: ", false, "WARNING in %s", "WARNING", FUNC_AT_FILE },
	{ "WARNING: at ", false, "WARNING in %s", "WARNING", FUNC_AT_FILE },
	{ "Oops: general protection fault", false, "general protection fault in %s",
	  "general protection fault", FUNC_RIP },
	{ "general protection fault", false, "general protection fault in %s",
	  "general protection fault", FUNC_RIP },
	{ "detected stall", true, "INFO: rcu detected stall", NULL, FUNC_NONE },
	{ "detected stalls", true, "INFO: rcu detected stall", NULL, FUNC_NONE },
	{ "self-detected stall", true, "INFO: rcu detected stall", NULL, FUNC_NONE },
	{ "INFO: task ", false, "INFO: task hung", NULL, FUNC_NONE },
	{ "Kernel panic - not syncing", false, "kernel panic", NULL, FUNC_NONE },
};

/* Strip "[   12.345678]" and "[    T1]"/"[  C0]" prefixes. */
static const char *strip(const char *s)
{
	for (int k = 0; k < 2; k++) {
		while (*s == ' ')
			s++;
		if (*s != '[')
			break;
		const char *e = strchr(s, ']');

		if (!e || e - s > 20)
			break;
		s = e + 1;
	}
	while (*s == ' ')
		s++;
	return s;
}

/* A symbol name at s, up to '+', ' ' or end: FUNC of "FUNC+0x12/0x40". */
static bool symbol_at(const char *s, char *out, size_t len)
{
	size_t n = 0;

	while (s[n] && (isalnum((unsigned char)s[n]) || s[n] == '_' || s[n] == '.'))
		n++;
	if (!n || (n > 1 && s[0] == '0' && s[1] == 'x') || s[n] != '+')
		return false;
	snprintf(out, len, "%.*s", (int)n, s);
	return true;
}

static bool func_rip(const struct lines *L, size_t from, char *out, size_t len)
{
	for (size_t i = from; i < L->n && i < from + FUNC_SEARCH_LINES; i++) {
		const char *s = strip(L->v[i]), *p;

		if (!strncmp(s, "RIP: ", 5) && (p = strchr(s + 5, ':')) && symbol_at(p + 1, out, len))
			return true;
		if (!strncmp(s, "pc : ", 5) && symbol_at(s + 5, out, len))
			return true;
		if (!strncmp(s, "NIP [", 5) && (p = strchr(s, ']')) && p[1] == ' ' &&
		    symbol_at(p + 2, out, len))
			return true;
	}
	return false;
}

/* "BUG: KASAN: use-after-free in FUNC+0x..": "use-after-free in FUNC". */
static bool func_after_in(const char *s, const char *match, char *out, size_t len)
{
	const char *kind = s + strlen(match), *in = strstr(kind, " in ");
	char sym[128];

	if (!in || !symbol_at(in + 4, sym, sizeof(sym)))
		return false;
	snprintf(out, len, "%.*s in %s", (int)(in - kind), kind, sym);
	return true;
}

/* "WARNING: CPU: 1 PID: 9 at mm/x.c:12 FUNC+0x..": the symbol after " at FILE:LINE ". */
static bool func_at_file(const struct lines *L, size_t i, char *out, size_t len)
{
	const char *s = strip(L->v[i]), *at = strstr(s, " at "), *sp;

	if (at && (sp = strchr(at + 4, ' ')) && symbol_at(sp + 1, out, len))
		return true;
	return func_rip(L, i, out, len);
}

/* lockdep: "... is trying to acquire lock:" then "ffff.. (&lock){..}, at: FUNC+0x..". */
static bool func_lock_at(const struct lines *L, size_t from, char *out, size_t len)
{
	for (size_t i = from; i < L->n && i < from + FUNC_SEARCH_LINES; i++) {
		const char *p = strstr(L->v[i], ", at: ");

		if (p && symbol_at(p + 6, out, len))
			return true;
		p = strstr(L->v[i], " at: ");
		if (p && symbol_at(p + 5, out, len))
			return true;
	}
	return false;
}

static json_t *excerpt(const struct lines *L, size_t from)
{
	size_t cap = 1, n = 0;
	char *buf;
	json_t *s;

	for (size_t i = from; i < L->n && i < from + EXCERPT_LINES; i++)
		cap += strlen(L->v[i]) + 1;
	buf = malloc(cap);
	if (!buf)
		return json_string("");
	buf[0] = '\0';
	for (size_t i = from; i < L->n && i < from + EXCERPT_LINES; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%s\n", L->v[i]);
	s = json_stringn_nocheck(buf, n);
	free(buf);
	return s;
}

json_t *fl_console_finding(const char *title, const char *text)
{
	return json_pack("{s:s, s:s}", "title", title, "excerpt", text ? text : "");
}

/* A console carries line noise: NUL bytes (which would end the text early) and bytes that
 * are not UTF-8 (which Jansson refuses, losing the finding) become '?'. */
static void clean_console(char *text, size_t len)
{
	unsigned char *s = (unsigned char *)text;

	for (size_t i = 0; i < len; i++) {
		int n;

		if (!s[i] || (s[i] >= 0x80 && fl_utf8_next(s + i, &n) < 0))
			s[i] = '?';
		else if (s[i] >= 0x80)
			i += (size_t)n - 1;	/* a whole character */
	}
}

static bool rule_matches(const struct rule *r, const char *s)
{
	return r->contains ? strstr(s, r->match) != NULL : !strncmp(s, r->match, strlen(r->match));
}

static void classify_line(const struct lines *L, size_t i, json_t *out)
{
	const char *s = strip(L->v[i]);
	char func[192], title[256];

	for (size_t k = 0; k < sizeof(rules) / sizeof(rules[0]); k++) {
		const struct rule *r = &rules[k];
		bool have = false;

		if (!rule_matches(r, s))
			continue;
		switch (r->func) {
		case FUNC_NONE: break;
		case FUNC_AFTER_IN: have = func_after_in(s, r->match, func, sizeof(func)); break;
		case FUNC_AT_FILE: have = func_at_file(L, i, func, sizeof(func)); break;
		case FUNC_RIP: have = func_rip(L, i, func, sizeof(func)); break;
		case FUNC_LOCK_AT: have = func_lock_at(L, i, func, sizeof(func)); break;
		case FUNC_ON_CPU:
			have = strstr(s, " on CPU#") != NULL;
			if (have)
				snprintf(func, sizeof(func), "%.*s", (int)(strstr(s, " on CPU#") - s), s);
			break;
		}
		if (r->func == FUNC_NONE)
			snprintf(title, sizeof(title), "%s", r->title);
		else if (have)
			snprintf(title, sizeof(title), r->title, func);
		else
			snprintf(title, sizeof(title), "%s", r->title_nofunc ? r->title_nofunc : s);
		/* A cut may split a UTF-8 sequence; the title reaches terminals. */
		clean_console(title, strlen(title));
		fl_text_clean(title, sizeof(title), title);
		json_array_append_new(out, json_pack("{s:s, s:i, s:o}", "title", title,
						     "line", (json_int_t)i + 1,
						     "excerpt", excerpt(L, i)));
		return;
	}
}

json_t *fl_console_classify(const char *text, size_t len)
{
	struct lines L = { 0 };
	json_t *out = json_array();
	char *copy = malloc(len + 1), *p, *nl;
	size_t cap = 0;

	if (!copy)
		return out;
	memcpy(copy, text, len);
	copy[len] = '\0';
	clean_console(copy, len);
	for (p = copy; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (nl && nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		if (L.n == cap) {
			char **grown = realloc(L.v, (cap = cap ? 2 * cap : 256) * sizeof(*L.v));

			if (!grown)
				break;
			L.v = grown;
		}
		L.v[L.n++] = p;
	}
	for (size_t i = 0; i < L.n; i++)
		classify_line(&L, i, out);
	free(L.v);
	free(copy);
	return out;
}
