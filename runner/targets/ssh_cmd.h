/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Commands on a lab machine through OpenSSH's own client binaries (ssh, scp): user, port,
 * keys, known hosts, jump hosts and agents all come from ssh's configuration (~/.ssh/config,
 * or the file named by $FAULTLINE_SSH_CONFIG), exactly as the user's own ssh would use them.
 */
#ifndef FL_SSH_CMD_H
#define FL_SSH_CMD_H

#include "fl_safe.h"
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include "agent_exec.h"

/* ssh exits with 255 when the connection failed or dropped (anything else: the command's). */
#define FL_SSH_LOST 255

struct fl_ssh {
	char user[64], host[256], port[8];
	char dest[340];		/* for messages: [USER@]HOST[:PORT] */
	char ssh[256], scp[256];
	char config[1024];	/* $FAULTLINE_SSH_CONFIG or empty */
	char ctl[64];		/* the master connection's socket (ControlPath) or empty */
	double reconnect_s;	/* how long to wait for a host that went away */
};

/* Parse "[USER@]HOST[:PORT]" (HOST may be [IPv6]); find ssh and scp. 0, or an exit status
 * with a sentence in err. */
int fl_ssh_init(struct fl_ssh *s, const char *spec, char *err, size_t errlen);

/* One master connection that every later ssh and scp shares (ControlMaster): a case costs
 * milliseconds of connection set-up instead of a key exchange each. Without it (it failed,
 * or it died with the connection) each command connects on its own. */
int fl_ssh_master_start(struct fl_ssh *s);
void fl_ssh_master_stop(struct fl_ssh *s);

/* Run the shell command cmd on the host; its output goes to log (appended; NULL: ours).
 * res->code is FL_SSH_LOST when the connection failed or dropped. */
int fl_ssh_run(const struct fl_ssh *s, const char *cmd, const char *log, double timeout_s,
	       volatile sig_atomic_t *interrupt, struct fl_child_result *res, char *err, size_t errlen);
/* Run cmd and capture its standard output (at most len-1 bytes, trailing newline cut).
 * Returns the exit status (FL_SSH_LOST: no connection), or -1 with err set. */
int fl_ssh_output(const struct fl_ssh *s, const char *cmd, char *out, size_t len,
		  char *err, size_t errlen);
/* scp: local files to the remote directory rdir/, or the remote file rpath to local. */
int fl_ssh_put(const struct fl_ssh *s, const char *const *files, const char *rdir,
	       char *err, size_t errlen);
int fl_ssh_get(const struct fl_ssh *s, const char *rpath, const char *local,
	       char *err, size_t errlen);
/* Wait for the host to answer again, retrying with backoff (1, 2, 4 ... 30 s) for at most
 * s->reconnect_s; 0 when it is back, -1 when not (or when *interrupt is set). */
int fl_ssh_wait_host(const struct fl_ssh *s, volatile sig_atomic_t *interrupt);

#endif
