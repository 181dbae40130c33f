/*
 * daemon-threads: what a daemon thread loses when the program ends, against
 * a non-daemon thread that the exit waits for.
 *
 * Each variant runs in a fresh child process, which plays the interpreter:
 * its main thread starts a worker thread that does N iterations (a wait,
 * then one log line into its own buffer, written out every F lines as a
 * buffered file does), runs for a while itself, and then ends the program
 * the way CPython does: threading's shutdown joins every non-daemon thread,
 * then the process exits and any daemon thread stops wherever it is, its
 * buffer unwritten and its `finally` block never run.  The log lines go
 * through a pipe to the demo, which counts and checks every line that
 * arrived; the iterations done, the lines made and whether cleanup ran are
 * counted by the worker in memory shared with the demo, so they survive it.
 * It does not model the interpreter's finalization steps (atexit, module
 * teardown), only their effect on the two kinds of thread.
 */
#include "demolib.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the worker and the child's main thread record; shared with the demo. */
struct shared {
	atomic_long done;               /* iterations finished */
	atomic_long produced;           /* lines put in the buffer */
	atomic_long flushed;            /* lines written out to the pipe */
	atomic_int in_iteration;        /* inside an iteration right now */
	atomic_int cleanup_ran;         /* the finally block ran */
	double t_start, t_main_end, t_last_iter, t_exit;
};

struct job {
	bool daemon;
	long iterations, flush_every;
	double step_ms, main_ms;
	int fd;                         /* the log: the write end of a pipe */
	struct shared *sh;
};

/* Sleeps ms in short slices so the child stops promptly (it has no handler). */
static void wait_ms(double ms)
{
	double end = demo_now() + ms / 1000;
	for (;;) {
		double left = (end - demo_now()) * 1000;
		if (left <= 0)
			return;
		demo_sleep_ms(left < 20 ? left : 20);
	}
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The worker: `try: for i in range(n): work(); log.write(line) finally: log.flush()` */
static void *worker_main(void *arg)
{
	struct job *j = arg;
	struct shared *sh = j->sh;
	char buf[64 * 1024];
	size_t len = 0;
	long pending = 0;
	for (long i = 0; i < j->iterations; i++) {
		atomic_store(&sh->in_iteration, 1);
		wait_ms(j->step_ms);
		char line[64];
		int k = snprintf(line, sizeof line, "line %06ld from the %s thread\n",
				 i, j->daemon ? "daemon" : "worker");
		if (len + (size_t)k > sizeof buf) {
			if (write_all(j->fd, buf, len) < 0)
				break;
			atomic_fetch_add(&sh->flushed, pending);
			len = 0;
			pending = 0;
		}
		memcpy(buf + len, line, (size_t)k);
		len += (size_t)k;
		pending++;
		atomic_fetch_add(&sh->produced, 1);
		if (pending >= j->flush_every) {
			if (write_all(j->fd, buf, len) < 0)
				break;
			atomic_fetch_add(&sh->flushed, pending);
			len = 0;
			pending = 0;
		}
		atomic_fetch_add(&sh->done, 1);
		sh->t_last_iter = demo_now();
		atomic_store(&sh->in_iteration, 0);
	}
	/* finally: flush what is left, mark the cleanup */
	if (len && write_all(j->fd, buf, len) == 0)
		atomic_fetch_add(&sh->flushed, pending);
	atomic_store(&sh->cleanup_ran, 1);
	return NULL;
}

/* The child: the program, from start to the end of the interpreter. */
static void child_main(struct job *j)
{
	pthread_t tid;
	j->sh->t_start = demo_now();
	if (pthread_create(&tid, NULL, worker_main, j))
		_exit(3);
	if (j->daemon)
		pthread_detach(tid);
	wait_ms(j->main_ms);            /* the main thread's own work */
	j->sh->t_main_end = demo_now();
	/* threading._shutdown(): join the non-daemon threads, and only those */
	if (!j->daemon)
		pthread_join(tid, NULL);
	j->sh->t_exit = demo_now();
	/* the interpreter is gone: a daemon thread stops wherever it is */
	_exit(0);
}

struct outcome {
	long done, produced, flushed, received, intact;
	bool cleanup_ran, cut_in_iteration;
	double t_start, t_main_end, t_last_iter, t_exit, t_reaped;
};

/*
 * Reads the log as it arrives until the child's end closes it; checks each
 * line is the next one, whole.
 */
static void read_log(struct demo *d, int fd, const char *who, struct outcome *o)
{
	char buf[4096], line[128];
	size_t llen = 0;
	long received = 0, intact = 0;
	for (;;) {
		ssize_t k = read(fd, buf, sizeof buf);
		if (k < 0 && errno == EINTR) {
			if (demo_stopping())
				break;
			continue;
		}
		if (k <= 0)
			break;
		for (ssize_t i = 0; i < k; i++) {
			if (buf[i] != '\n') {
				if (llen < sizeof line - 1)
					line[llen++] = buf[i];
				continue;
			}
			line[llen] = '\0';
			char want[64];
			snprintf(want, sizeof want, "line %06ld from the %s thread", received, who);
			intact += strcmp(line, want) == 0;
			received++;
			llen = 0;
		}
		demo_progress(d, "  %s thread: %ld lines written so far", who, received);
	}
	o->received = received;
	o->intact = intact;
}

/* What the worker counted in the shared memory, which outlives the child. */
static void take_counts(const struct shared *sh, struct outcome *o)
{
	o->done = atomic_load(&sh->done);
	o->produced = atomic_load(&sh->produced);
	o->flushed = atomic_load(&sh->flushed);
	o->cleanup_ran = atomic_load(&sh->cleanup_ran);
	o->cut_in_iteration = atomic_load(&sh->in_iteration);
	o->t_start = sh->t_start;
	o->t_main_end = sh->t_main_end;
	o->t_last_iter = sh->t_last_iter;
	o->t_exit = sh->t_exit;
}

/*
 * Runs one variant in a fresh child and checks the lines that arrived.
 * Returns 0, or -1 when stopped or on failure.
 */
static int run_variant(struct demo *d, struct job *j, struct outcome *o)
{
	struct shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("demo-daemon-threads: mmap");
		return -1;
	}
	memset(sh, 0, sizeof *sh);
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		perror("demo-daemon-threads: pipe");
		munmap(sh, sizeof *sh);
		return -1;
	}
	j->sh = sh;
	fflush(stdout);
	pid_t pid = demo_fork();
	if (pid < 0) {
		perror("demo-daemon-threads: fork");
		close(p[0]);
		close(p[1]);
		munmap(sh, sizeof *sh);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		j->fd = p[1];
		child_main(j);
	}
	close(p[1]);
	const char *who = j->daemon ? "daemon" : "worker";
	read_log(d, p[0], who, o);
	close(p[0]);
	int st = demo_wait(pid, NULL);
	o->t_reaped = demo_now();
	int rc = 0;
	if (demo_stopping()) {
		rc = -1;
	} else if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
		fprintf(stderr, "demo-daemon-threads: the %s child failed\n", who);
		rc = -1;
	}
	take_counts(sh, o);
	munmap(sh, sizeof *sh);
	return rc;
}

static void report(struct demo *d, const char *key, const struct job *j,
		   const struct outcome *o)
{
	char path[64];
#define FIG(name, v) do { \
	snprintf(path, sizeof path, "%s.%s", key, name); \
	demo_json_int(d, path, v); \
} while (0)
	FIG("planned", j->iterations);
	FIG("done", o->done);
	FIG("lines_made", o->produced);
	FIG("lines_written", o->received);
	FIG("lines_intact", o->intact);
	FIG("lines_lost", o->produced - o->received);
	FIG("never_done", j->iterations - o->done);
#undef FIG
	snprintf(path, sizeof path, "%s.cleanup_ran", key);
	demo_json_bool(d, path, o->cleanup_ran);
	snprintf(path, sizeof path, "%s.cut_in_iteration", key);
	demo_json_bool(d, path, o->cut_in_iteration);
	snprintf(path, sizeof path, "%s.main_ended_ms", key);
	demo_json_num(d, path, (o->t_main_end - o->t_start) * 1e3);
	snprintf(path, sizeof path, "%s.exit_ms", key);
	demo_json_num(d, path, (o->t_exit - o->t_start) * 1e3);
	snprintf(path, sizeof path, "%s.exit_after_main_ms", key);
	demo_json_num(d, path, (o->t_exit - o->t_main_end) * 1e3);
}

/* The run: the two jobs (daemon, joined) and what each child left behind. */
struct run {
	struct demo *d;
	long iterations, main_ms, flush_every;
	double step_ms;
	struct job jd, jj;
	struct outcome od, oj;
};

static int step_intro(struct run *r)
{
	demo_print(r->d, "A worker thread plans %ld iterations of %g ms (about %.0f ms), "
		   "each logging one line, written out every %ld lines;\n"
		   "the main thread ends after %ld ms. Each run is a fresh process:\n"
		   "  1. threading.Thread(target=work, daemon=True)   the exit does not wait\n"
		   "  2. threading.Thread(target=work)                the exit joins it\n\n",
		   r->iterations, r->step_ms, (double)r->iterations * r->step_ms,
		   r->flush_every, r->main_ms);
	return 0;
}

/* Both variants, each in a fresh child process; run_variant says why one failed. */
static int step_runs(struct run *r)
{
	if (run_variant(r->d, &r->jd, &r->od) < 0 || run_variant(r->d, &r->jj, &r->oj) < 0)
		return demo_stopping() ? 1 : -1;
	return 0;
}

static int step_table(struct run *r)
{
	struct demo *d = r->d;
	const struct outcome *od = &r->od, *oj = &r->oj;
	demo_print(d, "  %-24s %12s %12s\n", "", "daemon", "non-daemon");
	demo_print(d, "  %-24s %12ld %12ld\n", "iterations planned", r->iterations,
		   r->iterations);
	demo_print(d, "  %-24s %12ld %12ld\n", "iterations done", od->done, oj->done);
	demo_print(d, "  %-24s %12ld %12ld\n", "log lines made", od->produced, oj->produced);
	demo_print(d, "  %-24s %12ld %12ld\n", "log lines written", od->received, oj->received);
	demo_print(d, "  %-24s %12ld %12ld\n", "lines lost in the buffer",
		   od->produced - od->received, oj->produced - oj->received);
	demo_print(d, "  %-24s %12s %12s\n", "finally block ran",
		   od->cleanup_ran ? "yes" : "no", oj->cleanup_ran ? "yes" : "no");
	demo_print(d, "  %-24s %9.0f ms %9.0f ms\n", "main thread ended at",
		   (od->t_main_end - od->t_start) * 1e3, (oj->t_main_end - oj->t_start) * 1e3);
	demo_print(d, "  %-24s %9.0f ms %9.0f ms\n", "process exited at",
		   (od->t_exit - od->t_start) * 1e3, (oj->t_exit - oj->t_start) * 1e3);
	return 0;
}

/* Both runs on one time axis, each from its own start. */
static int step_timeline(struct run *r)
{
	double span = r->oj.t_exit - r->oj.t_start;
	if (r->od.t_exit - r->od.t_start > span)
		span = r->od.t_exit - r->od.t_start;
	span *= 1.05;
	struct demo_timeline *tl = demo_timeline_new(4, 0);
	demo_timeline_label(tl, 0, "1. main");
	demo_timeline_label(tl, 1, "1. daemon thread");
	demo_timeline_label(tl, 2, "2. main");
	demo_timeline_label(tl, 3, "2. worker thread");
	const struct outcome *runs[2] = {&r->od, &r->oj};
	double col = span / 60;
	for (int k = 0; k < 2; k++) {
		const struct outcome *o = runs[k];
		double main_end = o->t_main_end - o->t_start, end = o->t_exit - o->t_start;
		demo_timeline_add(tl, 2 * k, 0, main_end, '#');
		demo_timeline_add(tl, 2 * k, main_end, end, '=');
		if (o->done < r->iterations) {
			demo_timeline_add(tl, 2 * k + 1, 0, end, '#');
			demo_timeline_add(tl, 2 * k + 1, end, end + col, 'X');
		} else {
			demo_timeline_add(tl, 2 * k + 1, 0, o->t_last_iter - o->t_start, '#');
		}
	}
	demo_print(r->d, "\n");
	demo_timeline_draw(r->d, tl, span, 60,
			   "# runs, = main waits in threading's shutdown (join), "
			   "X the process exits under a running thread");
	demo_timeline_free(tl);
	return 0;
}

static int step_summary(struct run *r)
{
	report(r->d, "daemon", &r->jd, &r->od);
	report(r->d, "joined", &r->jj, &r->oj);
	demo_print(r->d, "\nIn Python terms: when the main thread ended, the interpreter "
		   "waited for the non-daemon thread (all %ld iterations, every line "
		   "written, its finally block run) but not for the daemon thread: it "
		   "was stopped after %ld of %ld iterations, mid-way, and %ld lines it had "
		   "made never reached the log, nor did its finally block run. Use "
		   "daemon=True only for work that may be abandoned.\n",
		   r->oj.done, r->od.done, r->iterations, r->od.produced - r->od.received);
	return 0;
}

int main(int argc, char **argv)
{
	long iterations = 100, main_ms = 250, flush_every = 10;
	double step_ms = 10;
	struct demo_param params[] = {
		DEMO_INT("iterations", &iterations, 1, 100000,
			 "iterations the worker thread plans to do"),
		DEMO_FLOAT("step-ms", &step_ms, 0.1, 100,
			   "how long one iteration waits, in ms"),
		DEMO_INT("main-ms", &main_ms, 0, 10000,
			 "how long the main thread runs before it ends, in ms"),
		DEMO_INT("flush-every", &flush_every, 1, 1000,
			 "log lines buffered before they are written out"),
		DEMO_PARAMS_END
	};
	struct demo d;
	demo_init(&d, "daemon-threads",
		  "A daemon thread cut off when the program ends, against a "
		  "non-daemon thread the exit waits for: iterations and log lines.",
		  params, argc, argv);

	static int (*const steps[])(struct run *) = {
		step_intro, step_runs, step_table, step_timeline, step_summary,
	};
	struct run r = {
		.d = &d, .iterations = iterations, .main_ms = main_ms,
		.flush_every = flush_every, .step_ms = step_ms,
		.jd = {true, iterations, flush_every, step_ms, (double)main_ms, -1, NULL},
	};
	r.jj = r.jd;
	r.jj.daemon = false;
	int status = 0;
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		int rc = steps[i](&r);
		if (rc < 0)
			status = 1;
		if (rc)
			break;
	}
	int fin = demo_finish(&d);
	return status ? status : fin;
}
