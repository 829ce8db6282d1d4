/* SPDX-License-Identifier: GPL-2.0 */
/* The agent as a child process (agent_exec.c): its argv, its path, running it with a timeout. */
#ifndef FL_AGENT_EXEC_H
#define FL_AGENT_EXEC_H

#include <signal.h>
#include <stdbool.h>
#include <jansson.h>

#define FL_MAX_ARGS 64
/* argv for "AGENT WORKLOAD --name=value ..." (strdup'ed, NULL-terminated); returns argc. */
int fl_agent_argv(const char *agent, const char *wl, json_t *params, char **argv, int max);
void fl_argv_free(char **argv);
/* $NAME when it is set and not empty (*from_env true), else the directory of this executable,
 * into buf; 0, or -1 when /proc/self/exe cannot be read. */
int fl_env_or_exe_dir(const char *name, char *buf, size_t len, bool *from_env);
/* Path of bin/faultline-agent next to this executable, or $FAULTLINE_AGENT. */
const char *fl_agent_path(char *buf, size_t len);
struct fl_child_result {
	int exited, code, signaled, sig, timed_out;
	double elapsed_s;
};
/* Run argv with stdout/stderr to log_path (appended), killing it after timeout_s
 * (SIGTERM, then SIGKILL after 5 s). A set *interrupt makes it forward SIGINT. */
int fl_child_run(char *const argv[], const char *log_path, double timeout_s,
		 volatile sig_atomic_t *interrupt, struct fl_child_result *res, char *err, size_t errlen);
/* Run argv and capture its stdout as JSON (agent --describe, --run-info). */
json_t *fl_child_json(char *const argv[], char *err, size_t errlen);

#endif
