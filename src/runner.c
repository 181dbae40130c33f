/*
 * runner: fork and exec of one demo program, then one poll loop that waits
 * for its end, collects its stdout when asked, enforces the time limit and
 * passes stop requests on to its process group.
 *
 * Signals: while the program runs, SIGCHLD, SIGTERM and SIGHUP (and SIGINT
 * when the program is not in the terminal's foreground) are blocked and read
 * from a signalfd, so no handler races the loop; SIGINT and SIGQUIT are
 * ignored while the program owns the terminal (the terminal sends them to the
 * program's group, not to pydojo). Everything is put back before returning.
 */
#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

void runner_opts_init(struct runner_opts *o)
{
	memset(o, 0, sizeof *o);
	o->timeout_s = RUNNER_DEFAULT_TIMEOUT;
	o->grace_s = 2.0;
}

void runner_result_release(struct runner_result *r)
{
	buf_release(&r->out);
}

/* Whether stdin is a terminal whose foreground group is pydojo's own: only
 * then may the terminal be handed to the program (a pydojo started in the
 * background must not take the terminal from the shell). */
static bool own_terminal(void)
{
	return isatty(0) && tcgetpgrp(0) == getpgrp();
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static void start_child(const char *path, char *const argv[], pid_t parent, bool fg, int outfd, int errfd)
{
	setpgid(0, 0);
	/* SIGTTOU is blocked (inherited), so a background group may do this;
	 * both sides do it, whichever runs first. */
	if (fg)
		tcsetpgrp(0, getpid());
	/* The parent may have died between fork and prctl. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(127);
	/* An ignored signal stays ignored across exec; a handled one falls back
	 * to its default by itself. Reset what pydojo may have changed. */
	static const int sigs[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGPIPE, SIGCHLD, SIGTSTP, SIGTTIN, SIGTTOU};
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &dfl, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Without a terminal, stdin may be the REPL's script: not the demo's
	 * to read. */
	if (!fg) {
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0 && null != 0) {
			dup2(null, 0);
			close(null);
		}
	}
	if (outfd >= 0) {
		if (outfd == 1)
			fcntl(1, F_SETFD, 0);
		else if (dup2(outfd, 1) < 0)
			_exit(127);
	}
	execv(path, argv);
	int e = errno;
	ssize_t n = write(errfd, &e, sizeof e);
	(void)n;
	_exit(127);
}

/* Reads what is available from the capture pipe; returns false at its end. */
static bool read_output(int fd, struct runner_result *r)
{
	char chunk[65536];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		if (n <= 0)
			return false;
		size_t room = RUNNER_MAX_CAPTURE > r->out.len ? RUNNER_MAX_CAPTURE - r->out.len : 0;
		if ((size_t)n > room) {
			r->truncated = true;
			n = (ssize_t)room;
		}
		buf_add(&r->out, chunk, (size_t)n);
	}
}

/* Reads the rest of the capture pipe once every writer is gone, giving up
 * after a while in case something outside the group holds it open. */
static void drain_output(int fd, struct runner_result *r)
{
	double until = now_s() + 2.0;
	for (;;) {
		double left = until - now_s();
		if (left <= 0)
			return;
		struct pollfd pf = {fd, POLLIN, 0};
		int k = poll(&pf, 1, (int)ceil(left * 1000));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0 || !read_output(fd, r))
			return;
	}
}

/* Kills whatever is left of the group and reaps every member that is (or
 * became, as subreaper) pydojo's child. */
static void clear_group(pid_t pgid, struct runner_result *r)
{
	if (kill(-pgid, 0) == 0) {
		r->leftovers = true;
		kill(-pgid, SIGKILL);
	}
	double until = now_s() + 5.0;
	for (;;) {
		pid_t w = waitpid(-pgid, NULL, WNOHANG);
		if (w > 0)
			continue;
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 || now_s() > until)
			return;   /* ECHILD: none left */
		struct timespec ts = {0, 2 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int runner_run(const char *path, char *const argv[], const struct runner_opts *opts,
               struct runner_result *r, char **err)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->out);
	r->exit_code = -1;
	*err = NULL;
	struct runner_opts def;
	if (!opts) {
		runner_opts_init(&def);
		opts = &def;
	}
	double grace = opts->grace_s > 0 ? opts->grace_s : 2.0;
	bool fg = !opts->no_terminal && own_terminal();
	r->foreground = fg;
	struct termios saved_tio;
	bool have_tio = fg && tcgetattr(0, &saved_tio) == 0;

	int rc = -1;
	int deferred = 0;   /* SIGTERM or SIGHUP for pydojo, acted on afterwards */
	int outp[2] = {-1, -1}, errp[2] = {-1, -1};
	int sfd = -1;
	if (pipe2(errp, O_CLOEXEC) < 0 || (opts->capture_stdout && pipe2(outp, O_CLOEXEC) < 0)) {
		*err = xasprintf("cannot make a pipe: %s", strerror(errno));
		close_fd(&errp[0]);
		close_fd(&errp[1]);
		return -1;
	}
	if (outp[0] >= 0)
		fcntl(outp[0], F_SETFL, fcntl(outp[0], F_GETFL) | O_NONBLOCK);

	/* The signals the loop reads; SIGTTOU is only held back so that
	 * tcsetpgrp works from a background group. */
	sigset_t watch, block, oldmask;
	sigemptyset(&watch);
	sigaddset(&watch, SIGCHLD);
	sigaddset(&watch, SIGTERM);
	sigaddset(&watch, SIGHUP);
	if (!fg)
		sigaddset(&watch, SIGINT);
	block = watch;
	sigaddset(&block, SIGTTOU);
	sigprocmask(SIG_BLOCK, &block, &oldmask);

	struct sigaction ign, dfl, old_int, old_quit, old_chld;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	dfl = ign;
	dfl.sa_handler = SIG_DFL;
	/* An ignored SIGCHLD would reap the child before wait4 sees it. */
	sigaction(SIGCHLD, &dfl, &old_chld);
	if (fg) {
		sigaction(SIGINT, &ign, &old_int);
		sigaction(SIGQUIT, &ign, &old_quit);
	}

	int prev_reaper = 0;
	prctl(PR_GET_CHILD_SUBREAPER, &prev_reaper, 0, 0, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

	sfd = signalfd(-1, &watch, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		*err = xasprintf("cannot watch signals: %s", strerror(errno));
		goto restore;
	}

	fflush(stdout);
	fflush(stderr);
	pid_t parent = getpid();
	double t0 = now_s();
	pid_t pid = fork();
	if (pid < 0) {
		*err = xasprintf("cannot start '%s': %s", path, strerror(errno));
		goto restore;
	}
	if (pid == 0)
		start_child(path, argv, parent, fg, outp[1], errp[1]);

	/* Fails with EACCES once the child has exec'd, but then it did it. */
	setpgid(pid, pid);
	if (fg)
		tcsetpgrp(0, pid);
	close_fd(&errp[1]);
	close_fd(&outp[1]);

	int exec_errno = 0;
	ssize_t n;
	do
		n = read(errp[0], &exec_errno, sizeof exec_errno);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof exec_errno) {
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		*err = xasprintf("cannot run '%s': %s", path, strerror(exec_errno));
		goto restore;
	}

	double deadline = opts->timeout_s > 0 ? t0 + opts->timeout_s : INFINITY;
	double kill_at = INFINITY;
	bool stopping = false;
	int st = 0;
	struct rusage ru;
	memset(&ru, 0, sizeof ru);
	for (;;) {
		pid_t w = wait4(pid, &st, WNOHANG | WUNTRACED, &ru);
		if (w == pid && WIFSTOPPED(st)) {
			/* Ctrl-Z: pydojo does no job control, so carry on. */
			kill(-pid, SIGCONT);
			continue;
		}
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			*err = xasprintf("lost track of '%s': %s", path, strerror(errno));
			clear_group(pid, r);
			goto restore;
		}
		double t = now_s();
		if (t >= kill_at) {
			kill(-pid, SIGKILL);
			kill_at = INFINITY;
		}
		if (!stopping && t >= deadline) {
			stopping = true;
			r->timed_out = true;
			kill(-pid, SIGTERM);
			kill_at = t + grace;
		}
		double until = stopping ? kill_at : fmin(deadline, kill_at);
		int ms = -1;
		if (isfinite(until))
			ms = until <= t ? 0 : (int)ceil((until - t) * 1000);
		struct pollfd pf[2] = {{sfd, POLLIN, 0}, {outp[0], POLLIN, 0}};
		int k = poll(pf, outp[0] >= 0 ? 2 : 1, ms);
		if (k < 0 && errno != EINTR) {
			*err = xasprintf("cannot wait for '%s': %s", path, strerror(errno));
			clear_group(pid, r);
			goto restore;
		}
		if (k <= 0)
			continue;
		if (outp[0] >= 0 && (pf[1].revents & (POLLIN | POLLHUP | POLLERR)) && !read_output(outp[0], r))
			close_fd(&outp[0]);
		if (pf[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
				if (si.ssi_signo == SIGCHLD)
					continue;
				if (si.ssi_signo != SIGINT)
					deferred = (int)si.ssi_signo;
				if (!stopping) {
					/* SIGINT, SIGTERM or SIGHUP sent to pydojo: pass
					 * it on, then insist after the grace time. */
					stopping = true;
					r->interrupted = true;
					kill(-pid, si.ssi_signo == SIGINT ? SIGINT : SIGTERM);
					kill_at = now_s() + grace;
				} else {
					/* A second request means now. */
					kill(-pid, SIGKILL);
					kill_at = INFINITY;
				}
			}
		}
	}
	r->wall_s = now_s() - t0;
	r->user_s = tv_s(ru.ru_utime);
	r->sys_s = tv_s(ru.ru_stime);
	r->maxrss_kib = ru.ru_maxrss;
	clear_group(pid, r);
	if (outp[0] >= 0)
		drain_output(outp[0], r);
	if (WIFEXITED(st)) {
		r->exit_code = WEXITSTATUS(st);
		r->status = r->exit_code;
	} else if (WIFSIGNALED(st)) {
		r->signal = WTERMSIG(st);
		r->status = 128 + r->signal;
	}
	/* Ctrl-C typed at the terminal went to the program, which ended by
	 * SIGINT or, cleaning up first, with 130. */
	if (r->signal == SIGINT || r->exit_code == RUNNER_STATUS_INTERRUPTED)
		r->interrupted = true;
	if (r->timed_out)
		r->status = RUNNER_STATUS_TIMEOUT;
	else if (r->interrupted)
		r->status = RUNNER_STATUS_INTERRUPTED;
	rc = 0;

restore:
	if (fg) {
		tcsetpgrp(0, getpgrp());
		if (have_tio)
			tcsetattr(0, TCSADRAIN, &saved_tio);
	}
	prctl(PR_SET_CHILD_SUBREAPER, prev_reaper, 0, 0, 0);
	close_fd(&sfd);
	close_fd(&outp[0]);
	close_fd(&outp[1]);
	close_fd(&errp[0]);
	close_fd(&errp[1]);
	if (fg) {
		sigaction(SIGQUIT, &old_quit, NULL);
		sigaction(SIGINT, &old_int, NULL);
	}
	sigaction(SIGCHLD, &old_chld, NULL);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	/* A SIGTERM or SIGHUP meant for pydojo was held back until the demo
	 * was stopped and reaped; now it takes its course. */
	if (deferred)
		raise(deferred);
	return rc;
}
