/* SPDX-License-Identifier: GPL-2.0 */
/* faultline hunt: the detection matrix of a hunt document (analysis/findings.h) as text, md or
 * json (hunt_render.c); the command itself is cmd_hunt.c. */
#ifndef FL_HUNT_H
#define FL_HUNT_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

#define FL_HUNT_WIDTH 80	/* text: at most this many columns */

/* Print doc as text, md or json; -1 for another format. */
int fl_hunt_print(json_t *doc, const char *format, FILE *out);
/* "A".."Z", then "A1".."Z1", "A2".. : the legend letter of title i. */
void fl_hunt_letter(size_t i, char *buf, size_t len);
/* "45s", "2m10s", "1h02m"; "?" for a negative or non-finite time. */
char *fl_hunt_dur(char *buf, size_t len, double s);

#endif
