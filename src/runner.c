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
static void start_child(const char *path, char *const argv[], pid_t parent, bool fg, int outfd, int errfd,
                        const struct runner_opts *o)
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
	int e = o->child_setup ? o->child_setup(o->child_arg) : 0;
	if (e == 0) {
		if (o->envp)
			execve(path, argv, o->envp);
		else
			execv(path, argv);
		e = errno;
	}
	ssize_t n = write(errfd, &e, sizeof e);
	(void)n;
	_exit(127);
}

/* Reads what is available from the capture pipe; returns false at its end. */
static bool read_output(int fd, size_t cap, struct runner_result *r)
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
		size_t room = cap > r->out.len ? cap - r->out.len : 0;
		if ((size_t)n > room) {
			r->truncated = true;
			n = (ssize_t)room;
		}
		buf_add(&r->out, chunk, (size_t)n);
	}
}

/* Reads the rest of the capture pipe once every writer is gone, giving up
 * after a while in case something outside the group holds it open. */
static void drain_output(int fd, size_t cap, double wait_s, struct runner_result *r)
{
	double until = now_s() + wait_s;
	for (;;) {
		double left = until - now_s();
		if (left <= 0)
			return;
		struct pollfd pf = {fd, POLLIN, 0};
		int k = poll(&pf, 1, (int)ceil(left * 1000));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0 || !read_output(fd, cap, r))
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

/* What one run holds while it supervises its child. */
struct run {
	const char *path;
	struct runner_result *r;
	char **err;
	bool fg, have_tio;
	struct termios saved_tio;
	int outp[2], errp[2], sfd;
	int deferred;        /* SIGTERM or SIGHUP for pydojo, acted on afterwards */
	sigset_t watch, oldmask;
	struct sigaction old_int, old_quit, old_chld;
	int prev_reaper;
	pid_t pid;
	size_t cap;          /* captured bytes kept */
	double drain;        /* how long to wait for the capture's last writers */
	double grace, deadline, kill_at;
	bool stopping;
};

/* The signals the loop reads (SIGTTOU is only held back, so that tcsetpgrp
 * works from a background group), the dispositions a foreground run needs,
 * and pydojo as the subreaper of the demo's descendants. */
static int take_signals(struct run *x)
{
	sigemptyset(&x->watch);
	sigaddset(&x->watch, SIGCHLD);
	sigaddset(&x->watch, SIGTERM);
	sigaddset(&x->watch, SIGHUP);
	if (!x->fg)
		sigaddset(&x->watch, SIGINT);
	sigset_t block = x->watch;
	sigaddset(&block, SIGTTOU);
	sigprocmask(SIG_BLOCK, &block, &x->oldmask);

	struct sigaction ign, dfl;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	dfl = ign;
	dfl.sa_handler = SIG_DFL;
	/* An ignored SIGCHLD would reap the child before wait4 sees it. */
	sigaction(SIGCHLD, &dfl, &x->old_chld);
	if (x->fg) {
		sigaction(SIGINT, &ign, &x->old_int);
		sigaction(SIGQUIT, &ign, &x->old_quit);
	}
	prctl(PR_GET_CHILD_SUBREAPER, &x->prev_reaper, 0, 0, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	x->sfd = signalfd(-1, &x->watch, SFD_CLOEXEC | SFD_NONBLOCK);
	if (x->sfd < 0) {
		*x->err = xasprintf("cannot watch signals: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Undoes take_signals and the terminal hand-over, closes what is open, and
 * lets a deferred SIGTERM or SIGHUP take its course. */
static void give_back(struct run *x)
{
	if (x->fg) {
		tcsetpgrp(0, getpgrp());
		if (x->have_tio)
			tcsetattr(0, TCSADRAIN, &x->saved_tio);
	}
	prctl(PR_SET_CHILD_SUBREAPER, x->prev_reaper, 0, 0, 0);
	close_fd(&x->sfd);
	close_fd(&x->outp[0]);
	close_fd(&x->outp[1]);
	close_fd(&x->errp[0]);
	close_fd(&x->errp[1]);
	if (x->fg) {
		sigaction(SIGQUIT, &x->old_quit, NULL);
		sigaction(SIGINT, &x->old_int, NULL);
	}
	sigaction(SIGCHLD, &x->old_chld, NULL);
	sigprocmask(SIG_SETMASK, &x->oldmask, NULL);
	/* A SIGTERM or SIGHUP meant for pydojo was held back until the demo
	 * was stopped and reaped; now it takes its course. */
	if (x->deferred)
		raise(x->deferred);
}

/* Whether the child reported that exec failed (its errno on the pipe);
 * then it is reaped and *err says why. */
static bool exec_failed(struct run *x)
{
	int exec_errno = 0;
	ssize_t n;
	do
		n = read(x->errp[0], &exec_errno, sizeof exec_errno);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof exec_errno)
		return false;
	int st;
	while (waitpid(x->pid, &st, 0) < 0 && errno == EINTR)
		;
	*x->err = xasprintf("cannot run '%s': %s", x->path, strerror(exec_errno));
	return true;
}

/* The signals read from the signalfd: SIGINT, SIGTERM or SIGHUP sent to
 * pydojo are passed on, then insisted on after the grace time; a second
 * request means now. */
static void on_signals(struct run *x)
{
	struct signalfd_siginfo si;
	while (read(x->sfd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGCHLD)
			continue;
		if (si.ssi_signo != SIGINT)
			x->deferred = (int)si.ssi_signo;
		if (!x->stopping) {
			x->stopping = true;
			x->r->interrupted = true;
			kill(-x->pid, si.ssi_signo == SIGINT ? SIGINT : SIGTERM);
			x->kill_at = now_s() + x->grace;
		} else {
			kill(-x->pid, SIGKILL);
			x->kill_at = INFINITY;
		}
	}
}

/* Waits for the child to end, reading its output, passing signals on and
 * enforcing the time limit. Returns 0 with its status and usage, or -1
 * with *err set (its group cleared). */
static int supervise(struct run *x, int *st, struct rusage *ru)
{
	memset(ru, 0, sizeof *ru);
	for (;;) {
		pid_t w = wait4(x->pid, st, WNOHANG | WUNTRACED, ru);
		if (w == x->pid && WIFSTOPPED(*st)) {
			/* Ctrl-Z: pydojo does no job control, so carry on. */
			kill(-x->pid, SIGCONT);
			continue;
		}
		if (w == x->pid)
			return 0;
		if (w < 0 && errno != EINTR) {
			*x->err = xasprintf("lost track of '%s': %s", x->path, strerror(errno));
			clear_group(x->pid, x->r);
			return -1;
		}
		double t = now_s();
		if (t >= x->kill_at) {
			kill(-x->pid, SIGKILL);
			x->kill_at = INFINITY;
		}
		if (!x->stopping && t >= x->deadline) {
			x->stopping = true;
			x->r->timed_out = true;
			kill(-x->pid, SIGTERM);
			x->kill_at = t + x->grace;
		}
		double until = x->stopping ? x->kill_at : fmin(x->deadline, x->kill_at);
		int ms = -1;
		if (isfinite(until))
			ms = until <= t ? 0 : (int)ceil((until - t) * 1000);
		struct pollfd pf[2] = {{x->sfd, POLLIN, 0}, {x->outp[0], POLLIN, 0}};
		int k = poll(pf, x->outp[0] >= 0 ? 2 : 1, ms);
		if (k < 0 && errno != EINTR) {
			*x->err = xasprintf("cannot wait for '%s': %s", x->path, strerror(errno));
			clear_group(x->pid, x->r);
			return -1;
		}
		if (k <= 0)
			continue;
		if (x->outp[0] >= 0 && (pf[1].revents & (POLLIN | POLLHUP | POLLERR)) && !read_output(x->outp[0], x->cap, x->r))
			close_fd(&x->outp[0]);
		if (pf[0].revents & POLLIN)
			on_signals(x);
	}
}

/* Fills the result from the ended child's status and usage. */
static void finish(struct run *x, int st, const struct rusage *ru, double t0)
{
	struct runner_result *r = x->r;
	r->wall_s = now_s() - t0;
	r->user_s = tv_s(ru->ru_utime);
	r->sys_s = tv_s(ru->ru_stime);
	r->maxrss_kib = ru->ru_maxrss;
	clear_group(x->pid, r);
	if (x->outp[0] >= 0)
		drain_output(x->outp[0], x->cap, x->drain, r);
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
	struct run x = {.path = path, .r = r, .err = err, .outp = {-1, -1}, .errp = {-1, -1}, .sfd = -1,
	                .kill_at = INFINITY};
	x.grace = opts->grace_s > 0 ? opts->grace_s : 2.0;
	x.cap = opts->max_capture ? opts->max_capture : RUNNER_MAX_CAPTURE;
	x.drain = opts->drain_s > 0 ? opts->drain_s : 2.0;
	x.fg = !opts->no_terminal && own_terminal();
	r->foreground = x.fg;
	x.have_tio = x.fg && tcgetattr(0, &x.saved_tio) == 0;
	if (pipe2(x.errp, O_CLOEXEC) < 0 || (opts->capture_stdout && pipe2(x.outp, O_CLOEXEC) < 0)) {
		*err = xasprintf("cannot make a pipe: %s", strerror(errno));
		close_fd(&x.errp[0]);
		close_fd(&x.errp[1]);
		return -1;
	}
	if (x.outp[0] >= 0)
		fcntl(x.outp[0], F_SETFL, fcntl(x.outp[0], F_GETFL) | O_NONBLOCK);

	int rc = -1;
	if (take_signals(&x) < 0)
		goto out;
	fflush(stdout);
	fflush(stderr);
	pid_t parent = getpid();
	double t0 = now_s();
	x.pid = fork();
	if (x.pid < 0) {
		*err = xasprintf("cannot start '%s': %s", path, strerror(errno));
		goto out;
	}
	if (x.pid == 0)
		start_child(path, argv, parent, x.fg, x.outp[1], x.errp[1], opts);

	/* Fails with EACCES once the child has exec'd, but then it did it. */
	setpgid(x.pid, x.pid);
	if (x.fg)
		tcsetpgrp(0, x.pid);
	close_fd(&x.errp[1]);
	close_fd(&x.outp[1]);
	if (exec_failed(&x))
		goto out;
	x.deadline = opts->timeout_s > 0 ? t0 + opts->timeout_s : INFINITY;
	int st = 0;
	struct rusage ru;
	if (supervise(&x, &st, &ru) < 0)
		goto out;
	finish(&x, st, &ru, t0);
	rc = 0;
out:
	give_back(&x);
	return rc;
}
