/* SPDX-License-Identifier: GPL-2.0 */
/* Crash classifier over a guest's serial console (the qemu target's after every case, hunt's
 * reports outside every case): one finding per kernel report, with a syzkaller-style title
 * ("WARNING in FUNC", "KASAN: use-after-free in FUNC", ...). */
#ifndef FL_CONSOLE_CLASSIFY_H
#define FL_CONSOLE_CLASSIFY_H

#include <stddef.h>
#include <jansson.h>

/* Findings in text (not NUL-terminated; len bytes): an array of
 * {"title", "line" (1-based within text), "excerpt" (the report's first lines)}. */
json_t *fl_console_classify(const char *text, size_t len);
/* A finding the runner makes itself ("no output from guest", "lost connection"). */
json_t *fl_console_finding(const char *title, const char *excerpt);

#endif
