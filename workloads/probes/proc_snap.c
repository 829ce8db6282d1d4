// SPDX-License-Identifier: GPL-2.0
/* A /proc file's text at the start and the stop of the measured phase (proc_snap.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fl_util.h"
#include "probes/proc_snap.h"

/* Read the file into *text; on failure leave a reason. */
static void fl_proc_snap_read(struct fl_proc_snap *s, char **text)
{
	free(*text);
	*text = fl_read_all(s->path, 0, 0, NULL, NULL, 0);
	if (!*text)
		snprintf(s->reason, sizeof(s->reason), "cannot read %s: %s", s->path,
			 strerror(errno));
}

void fl_proc_snap_open(struct fl_proc_snap *s, const char *root, const char *name)
{
	char *probe = NULL;

	snprintf(s->path, sizeof(s->path), "%s/%s", root, name);
	fl_proc_snap_read(s, &probe);
	free(probe);
}

int fl_proc_snap_start(void *state)
{
	struct fl_proc_snap *s = state;

	if (!s->reason[0])
		fl_proc_snap_read(s, &s->start);
	return 0;
}

int fl_proc_snap_stop(void *state)
{
	struct fl_proc_snap *s = state;

	if (!s->reason[0] && s->start)
		fl_proc_snap_read(s, &s->stop);
	return 0;
}

void fl_proc_snap_close(void *state)
{
	struct fl_proc_snap *s = state;

	if (!s)
		return;
	free(s->start);
	free(s->stop);
	free(s);
}
