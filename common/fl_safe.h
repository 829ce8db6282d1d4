/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where strings from outside (suites, candidates, case documents, logs) are
 * checked before they become a path component, an id, a shell word or terminal text
 * (SECURITY.md). Every caller goes through these; none rolls its own.
 */
#ifndef FL_SAFE_H
#define FL_SAFE_H

#include <stdbool.h>
#include <stddef.h>

#define FL_NAME_MAX 64

/*
 * A name that becomes a path component or part of an id (suite, candidate, run id, case
 * file, workload): 1..FL_NAME_MAX characters of [A-Za-z0-9._+-], not starting with '-' or
 * '.'. On failure writes one sentence naming WHAT (e.g. "the suite's \"name\" in FILE")
 * and returns -1.
 */
int fl_name_check(const char *what, const char *s, char *err, size_t errlen);
/* The same test without a message. */
bool fl_name_ok(const char *s);

/*
 * PATH (which may not exist yet: its deepest existing ancestor is resolved) stays under
 * PARENT once symlinks and ".." are resolved. 0 yes, -1 no (err says so).
 */
int fl_path_under(const char *parent, const char *path, char *err, size_t errlen);

/*
 * Append ARG to the shell command in BUF as one single-quoted word ('\'' for a quote).
 * Returns -1 and leaves BUF unchanged when the quoted word does not fit: a truncated
 * command is never produced.
 */
int fl_sh_quote(char *buf, size_t len, const char *arg);
/* Append " ARG" (a space unless BUF is empty or ends in one, then ARG single-quoted): -1 and
 * BUF unchanged when it does not fit. */
int fl_sh_word(char *buf, size_t len, const char *arg);
/* Append literal TEXT (ours, never an outside string) to BUF: -1 and BUF unchanged when it
 * does not fit. */
int fl_str_append(char *buf, size_t len, const char *text);

/*
 * The code point of the UTF-8 sequence at S (NUL-terminated; *N its length in bytes), or -1
 * when it is not valid UTF-8 as Jansson checks it (truncated, overlong, a surrogate, beyond
 * U+10FFFF; *N untouched).
 */
long fl_utf8_next(const unsigned char *s, int *n);

/*
 * Copy SRC into DST for a terminal or a table: control characters (C0, DEL, and the
 * C1 range as UTF-8 U+0080..U+009F) become '?', so a string from a document cannot move
 * the cursor or change the terminal. Always NUL-terminates; returns DST.
 */
char *fl_text_clean(char *dst, size_t len, const char *src);

/* ERR (a sentence that may quote a document) said on stderr with fl_err, its control
 * characters shown as '?' (fl_text_clean). */
void fl_err_shown(const char *err);

#endif
