/*
 * runner: starts one demo program and waits for it. The program is started
 * by path with an argument vector (never through a shell), in a process group
 * of its own that becomes the terminal's foreground group while it runs (so
 * Ctrl-C typed there reaches the demo, not pydojo), with PR_SET_PDEATHSIG so
 * it cannot outlive pydojo. A time limit ends a runaway. When stdin is not
 * the controlling terminal, a SIGINT sent to pydojo is forwarded to the group
 * and the program's stdin is /dev/null (it must not read a script meant for
 * the REPL). A SIGTERM or SIGHUP sent to pydojo stops the group first and is
 * raised again for pydojo once the group is gone. Afterwards nothing of the
 * group is left: the group is killed after its leader exits and every member
 * is reaped (pydojo is the child subreaper while the program runs, so orphans
 * come back to it). The terminal's settings and foreground group are
 * restored.
 *
 * It does not know demos, manifests or parameters, and prints nothing.
 *
 * A caller may add its own set-up in the child (limits, credentials, a
 * working directory, namespaces) and give the program's environment.
 *
 * Ownership: the result's captured output is heap memory the caller frees
 * with runner_result_release().
 */
#ifndef PYDOJO_RUNNER_H
#define PYDOJO_RUNNER_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

#define RUNNER_DEFAULT_TIMEOUT 60.0
/* Captured stdout beyond this is dropped (and result.truncated set). */
#define RUNNER_MAX_CAPTURE (16u << 20)

/* The status the runner gives a run stopped by its time limit, and one
 * stopped by Ctrl-C (as timeout(1) and shells do). */
#define RUNNER_STATUS_TIMEOUT 124
#define RUNNER_STATUS_INTERRUPTED 130

struct runner_opts {
	double timeout_s;       /* 0 or less: no limit */
	double grace_s;         /* after a stop request, how long before SIGKILL (default 2 s when 0) */
	bool capture_stdout;    /* collect the program's stdout in result.out */
	bool no_terminal;       /* never hand the terminal over (tests) */
	size_t max_capture;     /* captured bytes kept (0: RUNNER_MAX_CAPTURE); the rest is read and dropped */
	double drain_s;         /* once the group is gone, how long the capture waits for writers
	                           outside it (0: 2 s) */
	char *const *envp;      /* the program's environment (NULL: pydojo's) */
	/* Called in the child after its group, terminal, signal and stdout
	 * set-up, just before exec: async-signal-safe calls only. Returns 0 to
	 * go on to exec, or an errno value: the run then fails as an exec
	 * failure would ("cannot run 'path': ..."). It may fork; a process it
	 * keeps that does not exec must close its copy of every descriptor
	 * above 2, or the runner waits for it before supervising. */
	int (*child_setup)(void *arg);
	void *child_arg;
};

/* The defaults: a 60 s limit, 2 s grace, no capture. */
void runner_opts_init(struct runner_opts *o);

struct runner_result {
	int status;             /* 0..255 as a shell reports it: the exit code, 128+signal,
	                           RUNNER_STATUS_TIMEOUT or RUNNER_STATUS_INTERRUPTED */
	int exit_code;          /* the program's exit code, or -1 when a signal ended it */
	int signal;             /* the signal that ended it, or 0 */
	bool timed_out;         /* the time limit stopped it */
	bool interrupted;       /* Ctrl-C (or a forwarded SIGINT/SIGTERM) stopped it */
	bool foreground;        /* it ran as the terminal's foreground group */
	double wall_s;          /* from fork to reaping the leader */
	double user_s, sys_s;   /* from wait4: the leader and the children it reaped */
	long maxrss_kib;        /* from wait4 */
	bool leftovers;         /* members of the group outlived the leader (then killed) */
	struct buf out;         /* captured stdout (capture_stdout), NUL-terminated */
	bool truncated;         /* capture exceeded max_capture */
};

/*
 * Runs path with argv (argv[0] included, NULL-terminated) and waits for it.
 * Returns 0 when the program ran, whatever its status (see r), or -1 when it
 * could not be started (not found, not executable, out of processes), with
 * *err a new message; caller frees. r is always initialized and must be
 * released with runner_result_release().
 */
int runner_run(const char *path, char *const argv[], const struct runner_opts *o,
               struct runner_result *r, char **err);
void runner_result_release(struct runner_result *r);

#endif
