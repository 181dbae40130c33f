/*
 * threads-vs-processes: what a thread shares and a process copies, and what
 * each costs.
 *
 * Four measurements:
 *   1. a global counter incremented by N threads (one variable, shared) and
 *      by N forked children (each increments its own copy-on-write copy; the
 *      parent's stays as it was);
 *   2. creation cost: create + join a thread against fork + exit + wait a
 *      process, the median of many;
 *   3. memory: resident and virtual memory added per parked thread, and the
 *      private memory of a parked forked child (what it does not share with
 *      the parent), from /proc;
 *   4. CPU-bound speedup: the same fixed work in N threads that must hold one
 *      interpreter lock to run (handed round in turns of 5 ms, as under the
 *      GIL), in N threads with no lock (the free-threaded build) and in N
 *      processes, each against one worker's work done N times over.
 * It does not model Python's start methods: a Python "spawn" child also
 * starts a new interpreter, which costs far more than the fork measured here.
 */
#include "demolib.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORKERS 16
#define MAX_PARKED 32

/*
 * The module-level global of the lesson ("counter = 0"): deliberately a
 * global, since sharing it or copying it is the whole point.
 */
static long counter;

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;

struct count_job {
	pthread_t tid;
	long increments;
};

static void *count_thread(void *arg)
{
	struct count_job *job = arg;
	for (long i = 0; i < job->increments; i++) {
		if ((i & 4095) == 0 && demo_stopping())
			break;
		pthread_mutex_lock(&counter_lock);
		counter++;
		pthread_mutex_unlock(&counter_lock);
	}
	return NULL;
}

static void *noop_thread(void *arg)
{
	return arg;
}

/* ---- CPU-bound work under one interpreter lock ---- */

/*
 * The interpreter lock, handed round in FIFO order: a thread takes a
 * ticket and runs when its number comes up, for one slice, then queues
 * again.  CPython's forced switching has the same effect: a thread that
 * dropped the GIL on request cannot take it straight back.
 */
struct interp {
	pthread_mutex_t mu;
	pthread_cond_t turn;
	unsigned long next_ticket, serving;
	double slice_s;
	long handovers;
	double held_s;                  /* total time the lock was held */
	struct demo_timeline *tl;
};

struct cpu_job {
	pthread_t tid;
	struct interp *in;              /* NULL: no lock */
	int row;
	long units;                     /* work to do, in crunch() calls */
	double cpu_s;                   /* this thread's CPU time for it */
	uint64_t sink;
};

/* CPU time of the calling thread, seconds. */
static double thread_cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One unit of CPU work: a few microseconds of integer arithmetic. */
static uint64_t crunch(uint64_t x)
{
	for (int i = 0; i < 2000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	return x;
}

static void *cpu_thread(void *arg)
{
	struct cpu_job *job = arg;
	struct interp *in = job->in;
	long done = 0;
	double c0 = thread_cpu_s();
	double tw = demo_now();         /* since when it has wanted the lock */
	while (done < job->units && !demo_stopping()) {
		if (in) {
			pthread_mutex_lock(&in->mu);
			unsigned long me = in->next_ticket++;
			while (in->serving != me)
				pthread_cond_wait(&in->turn, &in->mu);
			pthread_mutex_unlock(&in->mu);
		}
		double th = demo_now();
		/* Run until the slice is over (checked between "bytecodes"). */
		do {
			job->sink = crunch(job->sink + 1);
			done++;
		} while (done < job->units && demo_now() - th < 0.005);
		double tr = demo_now();
		if (in) {
			pthread_mutex_lock(&in->mu);
			in->serving++;
			in->handovers++;
			in->held_s += tr - th;
			pthread_cond_broadcast(&in->turn);
			pthread_mutex_unlock(&in->mu);
			if (in->tl) {
				demo_timeline_add(in->tl, job->row, tw, th, '.');
				demo_timeline_add(in->tl, job->row, th, tr, '#');
			}
		}
		tw = tr;
	}
	job->cpu_s = thread_cpu_s() - c0;
	return NULL;
}

/*
 * Runs n workers of `units` each as threads (with the lock in, or none);
 * returns the wall time, or -1 when a thread could not be created.
 */
static double run_threads(struct cpu_job *jobs, int n, struct interp *in,
			  long units)
{
	double t0 = demo_now();
	int started = 0;
	for (; started < n; started++) {
		jobs[started] = (struct cpu_job){.in = in, .row = started,
			.units = units, .sink = (uint64_t)started + 1};
		if (pthread_create(&jobs[started].tid, NULL, cpu_thread,
				   &jobs[started]))
			break;
	}
	for (int i = 0; i < started; i++)
		pthread_join(jobs[i].tid, NULL);
	return started < n ? -1 : demo_now() - t0;
}

/* Private (unshared) memory and RSS of a process, KiB, from smaps_rollup. */
static long private_kib(pid_t pid, long *rss)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	long priv = 0;
	*rss = -1;
	while (fgets(line, sizeof line, f)) {
		long v;
		if (sscanf(line, "Private_Clean: %ld", &v) == 1 ||
		    sscanf(line, "Private_Dirty: %ld", &v) == 1)
			priv += v;
		else if (sscanf(line, "Rss: %ld", &v) == 1)
			*rss = v;
	}
	fclose(f);
	return priv;
}

static void *parked_thread(void *arg)
{
	pthread_barrier_t *b = arg;
	pthread_barrier_wait(b);        /* everyone is up */
	pthread_barrier_wait(b);        /* measured; go */
	return NULL;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Reads exactly n bytes unless EOF or an error comes first; returns bytes read. */
static size_t read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);
		if (r < 0 && errno == EINTR && !demo_stopping())
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

struct child_report {
	long index, counter;
};

/* The run: parameters, what needs cleaning up, and the figures so far. */
struct tvp {
	struct demo *d;
	int n;
	long increments, spawn, work_ms, ncpu;
	pid_t pids[MAX_WORKERS];
	int pfd[2], ready[2];
	struct cpu_job jobs[MAX_WORKERS];
	double *samples;
	struct demo_timeline *tl;
	struct interp in;
	bool in_init;
	long after_threads, after_procs;
	double thread_us, proc_us;
	long units;
	double one, one_wall, tt0, wall_gil, wall_nogil, wall_procs, cpu_procs;
};

/*
 * Each step returns 0 to go on, 1 when a stop was requested (nothing more
 * is printed), or -1 on a failure with errno set.
 */

static void wait_children(struct tvp *t)
{
	for (int i = 0; i < t->n; i++) {
		demo_wait(t->pids[i], NULL);
		t->pids[i] = 0;
	}
}

/* 1. the global counter, as threads */
static int count_in_threads(struct tvp *t)
{
	demo_print(t->d, "1. A global counter = 0; %d workers each add 1 to it "
		   "%ld times, first as threads, then as forked processes.\n",
		   t->n, t->increments);
	counter = 0;
	struct count_job cjobs[MAX_WORKERS];
	int started = 0;
	for (; started < t->n; started++) {
		cjobs[started].increments = t->increments;
		if (pthread_create(&cjobs[started].tid, NULL, count_thread,
				   &cjobs[started]))
			break;
	}
	for (int i = 0; i < started; i++)
		pthread_join(cjobs[i].tid, NULL);
	if (started < t->n)
		return -1;
	t->after_threads = counter;
	return demo_stopping();
}

/* ... and as processes: each child reports its own counter through one pipe, then exits. */
static int count_in_processes(struct tvp *t, long child_seen[])
{
	counter = 0;
	for (int i = 0; i < t->n; i++)
		child_seen[i] = -1;
	if (pipe(t->pfd) < 0)
		return -1;
	for (int i = 0; i < t->n; i++) {
		t->pids[i] = demo_fork();
		if (t->pids[i] < 0)
			return -1;
		if (t->pids[i] == 0) {
			close(t->pfd[0]);
			for (long k = 0; k < t->increments; k++)
				counter++;
			struct child_report r = {i, counter};
			ssize_t w = write(t->pfd[1], &r, sizeof r);
			_exit(w == (ssize_t)sizeof r ? 0 : 1);
		}
	}
	close_fd(&t->pfd[1]);
	for (;;) {
		struct child_report r;
		if (read_full(t->pfd[0], &r, sizeof r) != sizeof r)
			break;  /* EOF: every child has exited */
		if (r.index >= 0 && r.index < t->n)
			child_seen[r.index] = r.counter;
	}
	close_fd(&t->pfd[0]);
	wait_children(t);
	t->after_procs = counter;
	return demo_stopping();
}

static int step_counter(struct tvp *t)
{
	long child_seen[MAX_WORKERS];
	int rc = count_in_threads(t);
	if (rc || (rc = count_in_processes(t, child_seen)))
		return rc;
	struct demo *d = t->d;
	demo_print(d, "   threads:   counter is now %ld (one variable, shared)\n",
		   t->after_threads);
	demo_print(d, "   processes: counter is now %ld in the parent; each "
		   "child ended with", t->after_procs);
	for (int i = 0; i < t->n; i++)
		demo_print(d, " %ld", child_seen[i]);
	demo_print(d, " (its own copy)\n");
	demo_json_int(d, "counter_after.threads", t->after_threads);
	demo_json_int(d, "counter_after.processes", t->after_procs);
	double seen[MAX_WORKERS];
	for (int i = 0; i < t->n; i++)
		seen[i] = (double)child_seen[i];
	demo_json_nums(d, "counter_in_children", seen, (size_t)t->n);
	return 0;
}

/* 2. creation cost: median microseconds to create and join a thread */
static int time_thread_creation(struct tvp *t)
{
	for (long i = 0; i < t->spawn; i++) {
		if (demo_stopping())
			return 1;
		pthread_t tid;
		double t0 = demo_now();
		if (pthread_create(&tid, NULL, noop_thread, NULL))
			return -1;
		pthread_join(tid, NULL);
		t->samples[i] = (demo_now() - t0) * 1e6;
		if (i % 50 == 0)
			demo_progress(t->d, "   threads %ld/%ld", i, t->spawn);
	}
	t->thread_us = demo_median(t->samples, (size_t)t->spawn);
	return 0;
}

/* ... and to fork, exit and reap a process */
static int time_process_creation(struct tvp *t)
{
	for (long i = 0; i < t->spawn; i++) {
		if (demo_stopping())
			return 1;
		double t0 = demo_now();
		pid_t pid = demo_fork();
		if (pid < 0)
			return -1;
		if (pid == 0)
			_exit(0);
		demo_wait(pid, NULL);
		t->samples[i] = (demo_now() - t0) * 1e6;
		if (i % 50 == 0)
			demo_progress(t->d, "   processes %ld/%ld", i, t->spawn);
	}
	t->proc_us = demo_median(t->samples, (size_t)t->spawn);
	return 0;
}

static int step_creation(struct tvp *t)
{
	struct demo *d = t->d;
	demo_print(d, "\n2. Creation cost, median of %ld each:\n", t->spawn);
	t->samples = xcalloc((size_t)t->spawn, sizeof *t->samples);
	int rc = time_thread_creation(t);
	if (rc || (rc = time_process_creation(t)))
		return rc;
	demo_print(d, "   %-34s %9.1f us\n", "thread: create + join", t->thread_us);
	demo_print(d, "   %-34s %9.1f us  (%.1fx a thread)\n",
		   "process: fork + exit + wait", t->proc_us,
		   t->proc_us / t->thread_us);
	demo_json_num(d, "create_us.thread", t->thread_us);
	demo_json_num(d, "create_us.process", t->proc_us);
	demo_json_int(d, "create_samples", t->spawn);
	return 0;
}

/* 3. memory: park threads on a barrier and read this process's RSS and size */
static void measure_thread_memory(struct tvp *t, int park)
{
	pthread_barrier_t bar;
	pthread_t tids[MAX_PARKED];
	pthread_barrier_init(&bar, NULL, (unsigned)park + 1);
	long rss0 = demo_status_kib("VmRSS"), vm0 = demo_status_kib("VmSize");
	int up = 0;
	for (; up < park; up++)
		if (pthread_create(&tids[up], NULL, parked_thread, &bar))
			break;
	if (up < park) {
		/* Nobody could finish the barrier: a hard failure. */
		fprintf(stderr, "demo-threads-vs-processes: error: "
			"pthread_create failed\n");
		abort();
	}
	pthread_barrier_wait(&bar);
	long rss1 = demo_status_kib("VmRSS"), vm1 = demo_status_kib("VmSize");
	pthread_barrier_wait(&bar);
	for (int i = 0; i < up; i++)
		pthread_join(tids[i], NULL);
	pthread_barrier_destroy(&bar);
	double per_thread = (double)(rss1 - rss0) / park;
	double virt_thread = (double)(vm1 - vm0) / park;
	demo_print(t->d, "   %-34s %9.1f KiB\n", "resident memory per thread",
		   per_thread);
	demo_print(t->d, "   %-34s %9.1f KiB (mostly its stack, reserved "
		   "and untouched)\n", "address space per thread", virt_thread);
	demo_json_num(t->d, "memory_kib.thread", per_thread);
	demo_json_num(t->d, "memory_kib.thread_virtual", virt_thread);
}

/*
 * Children park on one pipe until the parent closes its end; each says it
 * is ready on another pipe, then closes that end, so a child that dies
 * early cannot hang the parent.
 */
static int park_processes(struct tvp *t)
{
	if (pipe(t->pfd) < 0 || pipe(t->ready) < 0)
		return -1;
	for (int i = 0; i < t->n; i++) {
		t->pids[i] = demo_fork();
		if (t->pids[i] < 0)
			return -1;
		if (t->pids[i] == 0) {
			char c = 'r';
			close(t->pfd[1]);
			close(t->ready[0]);
			if (write(t->ready[1], &c, 1) != 1)
				_exit(1);
			close(t->ready[1]);
			while (read(t->pfd[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
	}
	close_fd(&t->pfd[0]);
	close_fd(&t->ready[1]);
	return 0;
}

static int measure_process_memory(struct tvp *t)
{
	if (park_processes(t) < 0)
		return -1;
	char buf[MAX_WORKERS];
	size_t nready = read_full(t->ready[0], buf, (size_t)t->n);
	close_fd(&t->ready[0]);
	long priv_sum = 0, rss_sum = 0;
	int ok = 0;
	for (int i = 0; i < t->n && nready == (size_t)t->n; i++) {
		long rss;
		long priv = private_kib(t->pids[i], &rss);
		if (priv >= 0 && rss >= 0) {
			priv_sum += priv;
			rss_sum += rss;
			ok++;
		}
	}
	close_fd(&t->pfd[1]);
	wait_children(t);
	if (demo_stopping())
		return 1;
	struct demo *d = t->d;
	if (ok) {
		double priv = (double)priv_sum / ok, rss = (double)rss_sum / ok;
		demo_print(d, "   %-34s %9.1f KiB\n", "private memory per process", priv);
		demo_print(d, "   %-34s %9.1f KiB (mostly shared with the "
			   "parent, copy-on-write)\n",
			   "resident memory per process", rss);
		demo_json_num(d, "memory_kib.process_private", priv);
		demo_json_num(d, "memory_kib.process_rss", rss);
	} else {
		demo_print(d, "   (no /proc/PID/smaps_rollup here: process "
			   "memory not measured)\n");
	}
	return 0;
}

static int step_memory(struct tvp *t)
{
	int park = t->spawn < MAX_PARKED ? (int)t->spawn : MAX_PARKED;
	demo_print(t->d, "\n3. Memory: %d parked threads, then %d parked processes.\n",
		   park, t->n);
	measure_thread_memory(t, park);
	return measure_process_memory(t);
}

/*
 * 4. CPU-bound speedup.  Calibrate: how many units make work_ms of CPU time
 * on this machine (CPU time, not wall time, so that other load on the
 * machine does not shrink the work).
 */
static int calibrate(struct tvp *t)
{
	pthread_mutex_init(&t->in.mu, NULL);
	pthread_cond_init(&t->in.turn, NULL);
	t->in.next_ticket = t->in.serving = 0;
	t->in.slice_s = 0.005;
	t->in.handovers = 0;
	t->in.held_s = 0;
	t->in.tl = NULL;
	t->in_init = true;
	long units = 0;
	uint64_t s = 1;
	double t0 = thread_cpu_s();
	while (thread_cpu_s() - t0 < t->work_ms / 1000.0 && !demo_stopping()) {
		for (int k = 0; k < 16; k++)
			s = crunch(s + 1);
		units += 16;
	}
	if (s == 0)
		units++;
	t->units = units;
	return demo_stopping();
}

/*
 * One worker's time: the CPU time of one worker alone, best of three.  Its
 * wall time would count any time other load on the machine took the core
 * away, and make every speedup look better than it is.
 */
static int time_one_worker(struct tvp *t)
{
	t->one = -1;
	t->one_wall = -1;
	for (int rep = 0; rep < 3 && !demo_stopping(); rep++) {
		double w = run_threads(t->jobs, 1, &t->in, t->units);
		if (w < 0)
			return -1;
		if (t->one < 0 || t->jobs[0].cpu_s < t->one)
			t->one = t->jobs[0].cpu_s;
		if (t->one_wall < 0 || w < t->one_wall)
			t->one_wall = w;
	}
	return demo_stopping();
}

static int time_threads(struct tvp *t)
{
	demo_progress(t->d, "   threads holding the lock ...");
	t->tt0 = demo_now();
	t->tl = demo_timeline_new(t->n, t->tt0);
	for (int i = 0; i < t->n; i++) {
		char label[32];
		snprintf(label, sizeof label, "thread %d", i + 1);
		demo_timeline_label(t->tl, i, label);
	}
	t->in.tl = t->tl;
	t->in.handovers = 0;
	t->in.held_s = 0;
	t->wall_gil = run_threads(t->jobs, t->n, &t->in, t->units);
	t->in.tl = NULL;
	if (t->wall_gil < 0)
		return -1;
	if (demo_stopping())
		return 1;

	demo_progress(t->d, "   threads with no lock ...");
	t->wall_nogil = run_threads(t->jobs, t->n, NULL, t->units);
	if (t->wall_nogil < 0)
		return -1;
	return demo_stopping();
}

static int time_processes(struct tvp *t)
{
	demo_progress(t->d, "   processes ...");
	double c0 = demo_cpu_s(RUSAGE_CHILDREN);
	double tp0 = demo_now();
	for (int i = 0; i < t->n; i++) {
		t->pids[i] = demo_fork();
		if (t->pids[i] < 0)
			return -1;
		if (t->pids[i] == 0) {
			struct cpu_job job = {.in = NULL, .units = t->units,
					      .sink = (uint64_t)i + 1};
			cpu_thread(&job);
			_exit(job.sink == 0 ? 3 : 0);
		}
	}
	wait_children(t);
	t->wall_procs = demo_now() - tp0;
	t->cpu_procs = demo_cpu_s(RUSAGE_CHILDREN) - c0;
	return demo_stopping();
}

static void report_speedup(struct tvp *t)
{
	struct demo *d = t->d;
	double sp_gil = t->one * t->n / t->wall_gil;
	double sp_nogil = t->one * t->n / t->wall_nogil;
	double sp_procs = t->one * t->n / t->wall_procs;
	double busy = t->cpu_procs / t->wall_procs;
	demo_print(d, "   %-34s %8.3f s  (%.3f s of CPU)\n", "1 thread",
		   t->one_wall, t->one);
	demo_print(d, "   %-34s %8.3f s  speedup %.2fx (%ld hand-overs)\n",
		   "threads, one lock (GIL)", t->wall_gil, sp_gil, t->in.handovers);
	demo_print(d, "   %-34s %8.3f s  speedup %.2fx\n",
		   "threads, no lock (free-threaded)", t->wall_nogil, sp_nogil);
	demo_print(d, "   %-34s %8.3f s  speedup %.2fx (%.2f s of CPU: "
		   "%.1f cores busy)\n", "processes", t->wall_procs, sp_procs,
		   t->cpu_procs, busy);
	demo_print(d, "\n   The threads under the lock, first 60 ms (who holds "
		   "it when):\n");
	demo_timeline_draw(d, t->tl, t->tt0 + 0.06, 60,
			   "# holds the lock, . waits for it");
	demo_json_num(d, "wall_s.one", t->one_wall);
	demo_json_num(d, "cpu_s.one", t->one);
	demo_json_num(d, "wall_s.threads_gil", t->wall_gil);
	demo_json_num(d, "wall_s.threads_nogil", t->wall_nogil);
	demo_json_num(d, "wall_s.processes", t->wall_procs);
	demo_json_num(d, "cpu_s.processes", t->cpu_procs);
	demo_json_num(d, "cores_busy.processes", busy);
	demo_json_int(d, "handovers", t->in.handovers);
	demo_json_num(d, "lock_held_s", t->in.held_s);
	demo_json_num(d, "speedup.threads_gil", sp_gil);
	demo_json_num(d, "speedup.threads_nogil", sp_nogil);
	demo_json_num(d, "speedup.processes", sp_procs);

	demo_print(d, "\nIn Python terms: threads share the module's globals "
		   "(counter = %ld), processes get copies (the parent still has "
		   "%ld); a process costs %.0fx a thread to start (before any "
		   "interpreter start-up) and CPU-bound work scales only with "
		   "processes (%.2fx against %.2fx under the GIL; the processes "
		   "kept %.1f of the %ld cores busy%s).\n",
		   t->after_threads, t->after_procs, t->proc_us / t->thread_us,
		   sp_procs, sp_gil, busy, t->ncpu,
		   busy < 0.8 * (t->n < t->ncpu ? t->n : t->ncpu) ?
		   ", the rest went to other load on this machine" : "");
}

static int step_speedup(struct tvp *t)
{
	demo_print(t->d, "\n4. CPU-bound work, about %ld ms per worker: 1 thread; "
		   "%d threads holding an interpreter lock (5 ms turns); %d "
		   "threads with no lock; %d processes.\n", t->work_ms, t->n,
		   t->n, t->n);
	int rc = calibrate(t);
	if (rc)
		return rc;
	demo_json_int(t->d, "work_units", t->units);
	if ((rc = time_one_worker(t)) || (rc = time_threads(t)) ||
	    (rc = time_processes(t)))
		return rc;
	report_speedup(t);
	return 0;
}

static void tvp_release(struct tvp *t)
{
	close_fd(&t->pfd[0]);
	close_fd(&t->pfd[1]);
	close_fd(&t->ready[0]);
	close_fd(&t->ready[1]);
	for (int i = 0; i < MAX_WORKERS; i++)
		demo_kill_wait(t->pids[i]);
	if (t->in_init) {
		pthread_cond_destroy(&t->in.turn);
		pthread_mutex_destroy(&t->in.mu);
	}
	demo_timeline_free(t->tl);
	free(t->samples);
}

int main(int argc, char **argv)
{
	long workers = 4, increments = 100000, spawn = 200, work_ms = 150;
	struct demo_param params[] = {
		DEMO_INT("workers", &workers, 1, MAX_WORKERS,
			 "threads and processes per run"),
		DEMO_INT("increments", &increments, 1, 10000000,
			 "increments of the global counter per worker"),
		DEMO_INT("spawn", &spawn, 10, 5000,
			 "threads and processes created to time creation (median)"),
		DEMO_INT("work-ms", &work_ms, 20, 2000,
			 "CPU work per worker in the speedup run, in ms"),
		DEMO_PARAMS_END
	};
	struct demo d;
	demo_init(&d, "threads-vs-processes",
		  "A global counter shared by threads and copied by processes; "
		  "creation cost, memory cost and CPU-bound speedup of each.",
		  params, argc, argv);

	static int (*const steps[])(struct tvp *) = {
		step_counter, step_creation, step_memory, step_speedup,
	};
	struct tvp t = {
		.d = &d, .n = (int)workers, .increments = increments,
		.spawn = spawn, .work_ms = work_ms,
		.ncpu = sysconf(_SC_NPROCESSORS_ONLN),
		.pfd = {-1, -1}, .ready = {-1, -1},
	};
	int status = 0;
	demo_json_int(&d, "cores", t.ncpu);
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		int rc = steps[i](&t);
		if (rc < 0) {
			fprintf(stderr, "demo-threads-vs-processes: error: %s\n",
				strerror(errno));
			status = 1;
		}
		if (rc)
			break;
	}
	tvp_release(&t);
	int fin = demo_finish(&d);
	return status ? status : fin;
}
