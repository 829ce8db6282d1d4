// SPDX-License-Identifier: GPL-2.0
/*
 * The ssh target's agent cache on the host, /tmp/faultline-agent-HASH/ (target_ssh.h): the
 * local files it must hold with their sha256, checking it, making it again and copying what
 * differs; and the pieces of the remote commands that check it and run the agent from it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fl_sha256.h"
#include "fl_util.h"
#include "target_ssh.h"

/* Append the quoted path rdir/rel. */
int fl_sshx_rpath(const struct fl_sshx *x, char *cmd, size_t len, const char *rel)
{
	char p[512];

	if (snprintf(p, sizeof(p), "%s%s%s", x->rdir, rel[0] ? "/" : "", rel) >= (int)sizeof(p))
		return -1;
	return fl_sh_word(cmd, len, p);
}

int fl_sshx_too_long(struct fl_sshx *x, const char *what, char *err, size_t errlen)
{
	x->bad_input = true;
	return fl_seterr(err, errlen, "the remote command to %s on %s does not fit in %d bytes; "
			 "not running a shortened one", what, x->s.dest, CMD_MAX);
}

/*
 * Shell text that checks the cache dir (a real directory of the login user, mode 0700)
 * and every cached file's sha256, and exits CACHE_BAD when anything differs.
 */
int fl_sshx_add_verify(const struct fl_sshx *x, char *cmd, size_t len)
{
	char line[800];

	if (fl_str_append(cmd, len, "[ \"$(stat -c '%u %a %F' --") ||
	    fl_sshx_rpath(x, cmd, len, "") ||
	    fl_str_append(cmd, len, " 2>/dev/null)\" = \"$(id -u) 700 directory\" ] && printf "
		     "'%s\\n'"))
		return -1;
	for (int i = 0; i < x->nfiles; i++) {
		if (snprintf(line, sizeof(line), "%s  %s/%s", x->files[i].hex, x->rdir,
			     x->files[i].rel) >= (int)sizeof(line) || fl_sh_word(cmd, len, line))
			return -1;
	}
	return fl_str_append(cmd, len, " | sha256sum -c --status - 2>/dev/null || { echo 'faultline: "
			"the agent cache on this host changed since it was checked; not running it' "
			">&2; exit 86; }; ");
}

/* Append "env LD_LIBRARY_PATH=RDIR/lib RDIR/faultline-agent". */
int fl_sshx_add_agent(const struct fl_sshx *x, char *cmd, size_t len)
{
	char env[256];

	snprintf(env, sizeof(env), "LD_LIBRARY_PATH=%s/lib", x->rdir);
	return fl_str_append(cmd, len, "env") || fl_sh_word(cmd, len, env) ||
	       fl_sh_word(cmd, len, x->ragent);
}

/* Add one local file to the cache list with its sha256; -1 when it cannot be read. */
static int cache_add(struct fl_sshx *x, const char *local, const char *rel)
{
	struct cached *c = &x->files[x->nfiles];
	struct fl_sha256 h;

	if (x->nfiles > MAX_LIBS)
		return -1;
	fl_sha256_init(&h);
	if (snprintf(c->local, sizeof(c->local), "%s", local) >= (int)sizeof(c->local) ||
	    snprintf(c->rel, sizeof(c->rel), "%s", rel) >= (int)sizeof(c->rel) ||
	    fl_sha256_file(&h, local))
		return -1;
	fl_sha256_hex(&h, c->hex);
	x->nfiles++;
	return 0;
}

/* Libraries of a same-arch agent, except glibc's own (the host's must match its ld.so). */
static int agent_libs(struct fl_sshx *x, char *err, size_t errlen)
{
	static const char *const skip[] = { "libc.so", "libm.so", "libpthread.so", "libdl.so",
					    "librt.so", "ld-linux", NULL };
	char cmd[4400] = "ldd ", line[1024], lib[512], rel[160];
	FILE *p;

	if (fl_sh_quote(cmd, sizeof(cmd), x->agent))
		return fl_seterr(err, errlen, "the agent's path %s is too long for ldd", x->agent);
	p = popen(cmd, "r");
	if (!p)
		return 0;
	while (fgets(line, sizeof(line), p)) {
		char *arrow = strstr(line, "=> /"), *name = line + strspn(line, " \t"), *end;
		const char *base;
		bool glibc = false;

		if (!arrow)
			continue;
		for (int i = 0; skip[i]; i++)
			glibc |= !strncmp(name, skip[i], strlen(skip[i]));
		end = strchr(arrow + 3, ' ');
		if (glibc || !end)
			continue;
		snprintf(lib, sizeof(lib), "%.*s", (int)(end - arrow - 3), arrow + 3);
		base = strrchr(lib, '/') + 1;
		snprintf(rel, sizeof(rel), "lib/%s", base);
		if (!fl_name_ok(base) || cache_add(x, lib, rel)) {
			pclose(p);
			return fl_seterr(err, errlen, "cannot take the agent's library %s to the host "
					 "(unreadable, an odd name, or more than %d libraries)", lib,
					 MAX_LIBS);
		}
	}
	pclose(p);
	return 0;
}

int fl_sshx_lost(struct fl_sshx *x, const char *what, const char *msg, char *err, size_t errlen)
{
	return fl_seterr(err, errlen, "cannot %s %s over ssh (%s)", what, x->s.dest,
			 msg[0] ? msg : "connection failed");
}

/*
 * Ask the host, in one command, for its uid, the cache dir's owner, mode and type, and (only
 * when those are right) the sha256 of every cached file. *dir_ok says whether the dir is
 * right; bad[i] whether files[i] is missing or differs. 0, or -1 with err set.
 */
static int cache_probe(struct fl_sshx *x, bool *dir_ok, bool *bad, char *out, char *err,
		       size_t errlen)
{
	char *cmd = malloc(CMD_MAX), msg[FL_ERRLEN], *line, *save, want[200];
	int ret, n = 0;

	if (!cmd)
		return fl_seterr(err, errlen, "out of memory");
	cmd[0] = '\0';
	if (fl_str_append(cmd, CMD_MAX, "id -u; s=$(stat -c '%u %a %F' --") ||
	    fl_sshx_rpath(x, cmd, CMD_MAX, "") ||
	    fl_str_append(cmd, CMD_MAX, " 2>/dev/null); echo \"${s:-missing}\"; [ \"$s\" = "
		     "\"$(id -u) 700 directory\" ] || exit 0; sha256sum --"))
		goto long_cmd;
	for (int i = 0; i < x->nfiles; i++)
		if (fl_sshx_rpath(x, cmd, CMD_MAX, x->files[i].rel))
			goto long_cmd;
	if (fl_str_append(cmd, CMD_MAX, " 2>/dev/null; exit 0"))
		goto long_cmd;
	ret = fl_ssh_output(&x->s, cmd, out, CMD_MAX, msg, sizeof(msg));
	free(cmd);
	if (ret == FL_SSH_LOST)
		return fl_sshx_lost(x, "reach", msg, err, errlen);
	if (ret)
		return fl_seterr(err, errlen, "cannot check the agent cache %s on %s (%s)", x->rdir,
				 x->s.dest, msg);
	for (int i = 0; i < x->nfiles; i++)
		bad[i] = true;
	*dir_ok = false;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
		if (n == 0) {
			snprintf(want, sizeof(want), "%.20s 700 directory", line);
			continue;
		}
		if (n == 1) {
			*dir_ok = !strcmp(line, want);
			if (!*dir_ok && strcmp(line, "missing"))
				fl_err("warning: the agent cache %s on %s is \"%.60s\", not a directory "
				       "of the login user with mode 0700 (%s): making it again", x->rdir,
				       x->s.dest, line, want);
			continue;
		}
		for (int i = 0; i < x->nfiles; i++) {
			char p[512];

			snprintf(p, sizeof(p), "%s/%s", x->rdir, x->files[i].rel);
			if (strlen(line) > 66 && !strcmp(line + 66, p))
				bad[i] = strncmp(line, x->files[i].hex, 64) != 0;
		}
	}
	return 0;
long_cmd:
	free(cmd);
	return fl_sshx_too_long(x, "check the agent cache", err, errlen);
}

/* Remove the cache dir and make it again: the login user's, mode 0700 (mkdir without -p
 * fails if someone else made it in between). */
static int cache_remake(struct fl_sshx *x, char *out, char *err, size_t errlen)
{
	char cmd[1024] = "rm -rf --", msg[FL_ERRLEN];

	if (fl_sshx_rpath(x, cmd, sizeof(cmd), "") ||
	    fl_str_append(cmd, sizeof(cmd), " && mkdir -m 700 --") ||
	    fl_sshx_rpath(x, cmd, sizeof(cmd), "") || fl_sshx_rpath(x, cmd, sizeof(cmd), "lib") ||
	    fl_sshx_rpath(x, cmd, sizeof(cmd), "out"))
		return fl_sshx_too_long(x, "make the agent cache", err, errlen);
	if (fl_ssh_output(&x->s, cmd, out, CMD_MAX, msg, sizeof(msg)))
		return fl_seterr(err, errlen, "cannot create %s on %s (%s)", x->rdir, x->s.dest,
				 msg);
	return 0;
}

/* Copy the files marked bad: the agent into the dir, libraries into lib/. */
static int cache_upload(struct fl_sshx *x, const bool *bad, char *err, size_t errlen)
{
	const char *files[MAX_LIBS + 2];
	char rlib[200];
	int n = 0;

	if (bad[0]) {
		files[0] = x->files[0].local;
		files[1] = NULL;
		if (fl_ssh_put(&x->s, files, x->rdir, err, errlen))
			return -1;
	}
	for (int i = 1; i < x->nfiles; i++)
		if (bad[i])
			files[n++] = x->files[i].local;
	files[n] = NULL;
	snprintf(rlib, sizeof(rlib), "%s/lib", x->rdir);
	if (n && fl_ssh_put(&x->s, files, rlib, err, errlen))
		return -1;
	return 0;
}

/*
 * Make the host's agent cache hold exactly our agent and libraries: nothing there is trusted
 * (no marker file): a dir with the wrong owner, mode or type is made again, every file whose
 * sha256 differs from the local one is copied again, and the result is checked once more.
 */
int fl_sshx_install(struct fl_sshx *x, char *err, size_t errlen)
{
	bool dir_ok, bad[MAX_LIBS + 1];
	char *out = malloc(CMD_MAX);
	int ret, nbad = 0;

	if (!out)
		return fl_seterr(err, errlen, "out of memory");
	ret = cache_probe(x, &dir_ok, bad, out, err, errlen);
	if (!ret && !dir_ok) {
		ret = cache_remake(x, out, err, errlen);
		for (int i = 0; i < x->nfiles; i++)
			bad[i] = true;
	} else if (!ret) {
		for (int i = 0; i < x->nfiles; i++)
			if (bad[i])
				fl_err("warning: %s/%s on %s is missing or does not match the sha256 "
				       "of %s: copying it again", x->rdir, x->files[i].rel,
				       x->s.dest, x->files[i].local);
	}
	if (!ret)
		ret = cache_upload(x, bad, err, errlen);
	if (!ret)
		ret = cache_probe(x, &dir_ok, bad, out, err, errlen);
	for (int i = 0; !ret && i < x->nfiles; i++)
		nbad += bad[i];
	if (!ret && (!dir_ok || nbad)) {
		fl_seterr(err, errlen, "the agent cache %s on %s does not match this machine's "
			  "agent even after copying it (%d file(s) differ%s)", x->rdir, x->s.dest,
			  nbad, dir_ok ? "" : "; the directory's owner or mode is wrong");
		ret = -1;
	}
	free(out);
	return ret;
}

/* The local files the cache must hold: the agent, and for a same-arch host its libraries. */
int fl_sshx_cache_list(struct fl_sshx *x, char *err, size_t errlen)
{
	x->nfiles = 0;
	if (cache_add(x, x->agent, "faultline-agent"))
		return fl_seterr(err, errlen, "cannot read the agent %s", x->agent);
	snprintf(x->rdir, sizeof(x->rdir), "/tmp/faultline-agent-%.16s", x->files[0].hex);
	snprintf(x->ragent, sizeof(x->ragent), "%s/faultline-agent", x->rdir);
	if (x->native && agent_libs(x, err, errlen))
		return -1;
	return 0;
}
