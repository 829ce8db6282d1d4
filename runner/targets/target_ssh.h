/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ssh target's state and what its files share (target_ssh.c says what the target does):
 * ssh_cache.c keeps the agent cache on the host and builds the remote commands that check it
 * and run the agent; ssh_host.c picks the agent, checks the host's kernel, cleans up after a
 * lost agent, reconnects, and holds prepare; target_ssh.c runs and collects the cases.
 */
#ifndef FL_TARGET_SSH_H
#define FL_TARGET_SSH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "kernel.h"
#include "ssh_cmd.h"
#include "target.h"

#define MAX_LIBS 32
#define CMD_MAX 16384
#define CACHE_BAD 86		/* exit status of a remote command that found the cache changed */

struct cached {
	char local[512];	/* this machine's file */
	char rel[160];		/* its path under the cache dir: faultline-agent, lib/NAME */
	char hex[65];		/* its sha256 */
};

struct fl_sshx {
	struct fl_ssh s;
	char arch[64], agent[4200], rdir[128], ragent[192];
	char release[128], config_sha[65];	/* what the host ran at prepare */
	json_t *info;				/* the host's --run-info */
	struct fl_kernel k;
	bool have_kernel, native;		/* native: the host's arch is ours */
	size_t idx;				/* the plan index of the last case run */
	struct cached files[MAX_LIBS + 1];	/* [0] the agent, then its libraries */
	int nfiles;
	bool bad_input;		/* a helper's -1 was the user's input (exit 2), not the host (3) */
};

/* ssh_cache.c */
/* Append the quoted path rdir/rel (rel "": the dir); -1 when it does not fit. */
int fl_sshx_rpath(const struct fl_sshx *x, char *cmd, size_t len, const char *rel);
/* Append shell text that checks the cache dir and every cached file's sha256 and exits
 * CACHE_BAD when anything differs; -1 when it does not fit. */
int fl_sshx_add_verify(const struct fl_sshx *x, char *cmd, size_t len);
/* Append "env LD_LIBRARY_PATH=RDIR/lib RDIR/faultline-agent"; -1 when it does not fit. */
int fl_sshx_add_agent(const struct fl_sshx *x, char *cmd, size_t len);
/* The sentence for a remote command that does not fit CMD_MAX (x->bad_input set); -1. */
int fl_sshx_too_long(struct fl_sshx *x, const char *what, char *err, size_t errlen);
/* The sentence for a connection that failed ("cannot WHAT HOST over ssh (MSG)"); -1. */
int fl_sshx_lost(struct fl_sshx *x, const char *what, const char *msg, char *err, size_t errlen);
/* The local files the cache must hold (x->files) and the cache dir's name; 0, or -1 with err
 * set. */
int fl_sshx_cache_list(struct fl_sshx *x, char *err, size_t errlen);
/* Make the host's cache hold exactly those files; 0, or -1 with err set. */
int fl_sshx_install(struct fl_sshx *x, char *err, size_t errlen);

/* ssh_host.c */
/* target.h's prepare: 0 or an exit status (2 when x->bad_input, else 3). */
int fl_sshx_prepare(struct fl_target *t, char *err, size_t errlen);
/* The host's --run-info into x->info, its kernel checked against the candidate and against
 * what it ran at prepare; 0, or -1 with err set. */
int fl_sshx_host_info(struct fl_target *t, struct fl_sshx *x, char *err, size_t errlen);
/* Stop an agent left running on the host with signal sig (INT, TERM), restore its knobs. */
void fl_sshx_cleanup(struct fl_sshx *x, const char *sig);
/* Wait for a host that went away, then clean up and check it again; 0 when it is back. */
int fl_sshx_reconnect(struct fl_target *t, struct fl_sshx *x, volatile sig_atomic_t *interrupted,
		      char *err, size_t errlen);

#endif
