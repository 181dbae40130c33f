/*
 * gil: a simulated GIL with CPython's semantics, and what it does to threads.
 *
 * The lock follows CPython's ceval_gil.c: one global lock; a thread that
 * wants it waits on a condition variable for the switch interval (5 ms); if
 * no hand-over happened in that time, the waiter sets a drop request; the
 * holder checks that request between "bytecodes" (small units of work) and
 * drops the lock.  Waiters are served in FIFO order (a ticket lock), so a
 * holder that dropped on request queues behind them and cannot take the lock
 * straight back (CPython gets the same effect with forced switching).  A
 * thread that blocks on I/O releases the lock first, as CPython's
 * Py_BEGIN_ALLOW_THREADS does.  An atomic counter of the threads running
 * bytecodes at once checks that the lock serialises them.
 *
 * Modes:
 *   cpu    N CPU-bound threads under the GIL, the same with no GIL (the
 *          free-threaded build) and in N processes, each against one
 *          thread's work done N times over;
 *   io     the same for threads that mostly wait (I/O with the lock released);
 *   convoy the latency of an I/O thread alone, and beside CPU-bound threads.
 * One thread's work is calibrated in CPU time, and the serial reference is
 * the CPU time (plus, in io mode, the time blocked in I/O) of one thread
 * alone, best of three: wall time would count every moment other load on
 * the machine took the core away, and inflate every speedup.
 * It does not model the interpreter itself: a "bytecode" is a few hundred
 * rounds of integer arithmetic.
 */
#include "demolib.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum mode { MODE_CPU, MODE_IO, MODE_CONVOY };

/* Runs of one thread alone; the best is the serial reference. */
#define REFERENCE_RUNS 3

struct gil {
	pthread_mutex_t mu;
	pthread_cond_t cond;            /* the lock was released */
	unsigned long next_ticket;      /* the ticket the next arrival draws */
	unsigned long serving;          /* the ticket whose thread may hold it */
	int last_holder;
	unsigned long switch_number;    /* times the lock was taken */
	atomic_int drop_request;
	double interval_s;
	long switches, drop_requests;
};

static void gil_init(struct gil *g, double interval_ms)
{
	pthread_condattr_t ca;
	memset(g, 0, sizeof *g);
	pthread_mutex_init(&g->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->cond, &ca);
	pthread_condattr_destroy(&ca);
	g->interval_s = interval_ms / 1000;
	g->last_holder = -1;
}

static void gil_destroy(struct gil *g)
{
	pthread_cond_destroy(&g->cond);
	pthread_mutex_destroy(&g->mu);
}

static struct timespec deadline_after(double s)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	long ns = ts.tv_nsec + (long)(s * 1e9);
	ts.tv_sec += ns / 1000000000L;
	ts.tv_nsec = ns % 1000000000L;
	return ts;
}

/*
 * CPython's take_gil(): wait one interval; if the lock has not changed hands
 * meanwhile, ask the holder to drop it, and keep waiting.  The lock goes to
 * the waiters in the order they arrived.
 */
static void take_gil(struct gil *g, int id)
{
	pthread_mutex_lock(&g->mu);
	unsigned long me = g->next_ticket++;
	unsigned long saved = g->switch_number;
	struct timespec dl = deadline_after(g->interval_s);
	while (g->serving != me) {
		int rc = pthread_cond_timedwait(&g->cond, &g->mu, &dl);
		if (rc != ETIMEDOUT || g->serving == me)
			continue;
		if (g->switch_number == saved && !atomic_load(&g->drop_request)) {
			atomic_store(&g->drop_request, 1);
			g->drop_requests++;
		}
		saved = g->switch_number;
		dl = deadline_after(g->interval_s);
	}
	if (g->last_holder != id && g->last_holder != -1)
		g->switches++;
	g->last_holder = id;
	g->switch_number++;
	atomic_store(&g->drop_request, 0);
	pthread_mutex_unlock(&g->mu);
}

/* CPython's drop_gil(): release it to the next waiter in line. */
static void drop_gil(struct gil *g)
{
	pthread_mutex_lock(&g->mu);
	g->serving++;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->mu);
}

struct run {
	struct gil *gil;                /* NULL: no GIL */
	struct demo_timeline *tl;       /* NULL: not recorded */
	long units;                     /* CPU work of a CPU-bound thread */
	long ops;                       /* I/O operations of an I/O thread */
	long op_units;                  /* CPU work around each I/O operation */
	double io_ms;
	atomic_int io_done;             /* convoy: the I/O thread has finished */
	int cpu_threads;                /* convoy: CPU-bound threads beside it */
	atomic_int cpu_ready;           /* convoy: those that have held the GIL */
	atomic_int running;             /* threads running bytecodes now */
	atomic_int max_running;         /* the most that ever did at once */
};

enum role { ROLE_CPU, ROLE_IO, ROLE_CPU_UNTIL_IO_DONE };

struct worker {
	pthread_t tid;
	struct run *run;
	int id;
	enum role role;
	double hold_start, hold_cpu_start;
	double held_s, held_cpu_s;      /* wall and CPU time holding the GIL */
	double cpu_s;                   /* this thread's CPU time in all */
	double io_s;                    /* time blocked in I/O */
	double lat_sum, lat_max;        /* I/O: wait + getting the GIL back */
	double io_gil_wait_sum;         /* I/O: getting the GIL back */
	long lat_n;
	double gil_wait_sum;
	long forced_drops;
	uint64_t sink;
};

/* CPU time of the calling thread, seconds. */
static double thread_cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One "bytecode": a little integer work whose result is kept. */
static uint64_t bytecode(uint64_t x)
{
	for (int i = 0; i < 200; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
	}
	return x;
}

/* Takes the GIL (if any) and starts running bytecodes. */
static void gil_acquire(struct worker *w)
{
	struct run *r = w->run;
	double t = demo_now();
	if (r->gil)
		take_gil(r->gil, w->id);
	int now = atomic_fetch_add(&r->running, 1) + 1;
	int max = atomic_load(&r->max_running);
	while (now > max && !atomic_compare_exchange_weak(&r->max_running, &max, now))
		;
	w->hold_start = demo_now();
	w->hold_cpu_start = thread_cpu_s();
	w->gil_wait_sum += w->hold_start - t;
	if (r->tl && r->gil)
		demo_timeline_add(r->tl, w->id, t, w->hold_start, '.');
}

/* Stops running bytecodes and releases the GIL (if any). */
static void gil_release(struct worker *w)
{
	struct run *r = w->run;
	double c = thread_cpu_s(), t = demo_now();
	w->held_s += t - w->hold_start;
	w->held_cpu_s += c - w->hold_cpu_start;
	if (r->tl)
		demo_timeline_add(r->tl, w->id, w->hold_start, t, '#');
	atomic_fetch_sub(&r->running, 1);
	if (r->gil)
		drop_gil(r->gil);
}

/* The eval loop: n bytecodes, honouring a drop request between them. */
static void eval(struct worker *w, long n)
{
	struct run *r = w->run;
	for (long i = 0; i < n; i++) {
		if (r->gil && atomic_load_explicit(&r->gil->drop_request,
						   memory_order_relaxed)) {
			w->forced_drops++;
			gil_release(w);
			gil_acquire(w);
		}
		w->sink = bytecode(w->sink + (uint64_t)i);
		if ((i & 255) == 0 && demo_stopping())
			return;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->run;
	double c0 = thread_cpu_s();
	/*
	 * Convoy: the I/O thread starts once the CPU-bound threads are
	 * running, so that it meets them from its first wait on.
	 */
	if (w->role == ROLE_IO)
		while (atomic_load(&r->cpu_ready) < r->cpu_threads &&
		       !atomic_load(&r->io_done) && !demo_stopping())
			demo_sleep_ms(0.2);
	gil_acquire(w);
	switch (w->role) {
	case ROLE_CPU:
		eval(w, r->units);
		break;
	case ROLE_CPU_UNTIL_IO_DONE:
		atomic_fetch_add(&r->cpu_ready, 1);
		while (!atomic_load(&r->io_done) && !demo_stopping())
			eval(w, 64);
		break;
	case ROLE_IO:
		for (long i = 0; i < r->ops && !demo_stopping(); i++) {
			eval(w, r->op_units);
			/* a blocking call: release the GIL around it */
			gil_release(w);
			double t = demo_now();
			demo_sleep_ms(r->io_ms);
			double t1 = demo_now();
			w->io_s += t1 - t;
			if (r->tl)
				demo_timeline_add(r->tl, w->id, t, t1, '~');
			gil_acquire(w);
			double lat = w->hold_start - t;
			w->io_gil_wait_sum += w->hold_start - t1;
			w->lat_sum += lat;
			w->lat_n++;
			if (lat > w->lat_max)
				w->lat_max = lat;
		}
		atomic_store(&r->io_done, 1);
		break;
	}
	gil_release(w);
	w->cpu_s = thread_cpu_s() - c0;
	return NULL;
}

struct result {
	double wall_s;
	double cpu_s;                   /* the workers' CPU time, summed */
	double held_s, held_cpu_s;      /* summed over the workers */
	double io_s;                    /* time blocked in I/O, summed */
	double lat_ms, lat_max_ms, io_gil_wait_ms, gil_wait_ms;
	long switches, drop_requests, forced_drops;
	int max_running;
};

/*
 * Runs nthreads workers (roles[i]) as threads, with or without a GIL (a
 * fresh one each run).  Returns 0, or -1 when a thread could not be started.
 */
static int run_threads(struct run *r, int nthreads, const enum role *roles,
		       struct result *res)
{
	struct worker *w = xcalloc((size_t)nthreads, sizeof *w);
	memset(res, 0, sizeof *res);
	if (r->gil) {
		double interval_ms = r->gil->interval_s * 1000;
		gil_destroy(r->gil);
		gil_init(r->gil, interval_ms);
	}
	atomic_store(&r->io_done, 0);
	atomic_store(&r->cpu_ready, 0);
	atomic_store(&r->running, 0);
	atomic_store(&r->max_running, 0);
	int started = 0, rc = 0;
	double t0 = demo_now();
	for (; started < nthreads; started++) {
		w[started].run = r;
		w[started].id = started;
		w[started].role = roles[started];
		w[started].sink = (uint64_t)started * 2654435761u + 1;
		if (pthread_create(&w[started].tid, NULL, worker_main, &w[started])) {
			rc = -1;
			atomic_store(&r->io_done, 1);
			break;
		}
	}
	for (int i = 0; i < started; i++)
		pthread_join(w[i].tid, NULL);
	res->wall_s = demo_now() - t0;
	double wait = 0;
	for (int i = 0; i < started; i++) {
		if (w[i].lat_n) {
			res->lat_ms = w[i].lat_sum / w[i].lat_n * 1000;
			res->lat_max_ms = w[i].lat_max * 1000;
			res->io_gil_wait_ms = w[i].io_gil_wait_sum / w[i].lat_n * 1000;
		}
		res->cpu_s += w[i].cpu_s;
		res->held_s += w[i].held_s;
		res->held_cpu_s += w[i].held_cpu_s;
		res->io_s += w[i].io_s;
		res->forced_drops += w[i].forced_drops;
		wait += w[i].gil_wait_sum;
	}
	res->gil_wait_ms = wait * 1000;
	res->switches = r->gil ? r->gil->switches : 0;
	res->drop_requests = r->gil ? r->gil->drop_requests : 0;
	res->max_running = atomic_load(&r->max_running);
	free(w);
	return rc;
}

/* The same workers as processes: each has its own interpreter and GIL. */
static int run_processes(struct run *r, int n, enum role role,
			 struct result *res)
{
	pid_t *pids = xcalloc((size_t)n, sizeof *pids);
	memset(res, 0, sizeof *res);
	int started = 0, rc = 0;
	double c0 = demo_cpu_s(RUSAGE_CHILDREN), t0 = demo_now();
	for (; started < n; started++) {
		pid_t pid = demo_fork();
		if (pid < 0) {
			rc = -1;
			break;
		}
		if (pid == 0) {
			struct run own;
			struct worker w;
			memset(&own, 0, sizeof own);
			memset(&w, 0, sizeof w);
			own.units = r->units;
			own.ops = r->ops;
			own.op_units = r->op_units;
			own.io_ms = r->io_ms;
			w.run = &own;
			w.role = role;
			w.sink = (uint64_t)started + 7;
			worker_main(&w);
			_exit(w.sink == 0 ? 3 : 0);
		}
		pids[started] = pid;
	}
	for (int i = 0; i < started; i++) {
		int st = demo_wait(pids[i], NULL);
		if (rc == 0 && !demo_stopping() &&
		    !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
			rc = -1;
	}
	res->wall_s = demo_now() - t0;
	res->cpu_s = demo_cpu_s(RUSAGE_CHILDREN) - c0;
	free(pids);
	return rc;
}

/*
 * Bytecodes per millisecond of CPU time on this machine, measured over
 * about 30 ms of CPU (CPU time, so that other load does not shrink the work).
 */
static double calibrate(void)
{
	uint64_t x = 1;
	long n = 0;
	double c0 = thread_cpu_s(), c;
	do {
		for (int i = 0; i < 100; i++)
			x = bytecode(x + (uint64_t)i);
		n += 100;
		c = thread_cpu_s();
	} while (c - c0 < 0.03 && !demo_stopping());
	return (double)n / ((c - c0) * 1000) + (double)(x & 1) * 1e-9;
}

static void fill_roles(enum role *roles, int n, enum role role)
{
	for (int i = 0; i < n; i++)
		roles[i] = role;
}

static void label_rows(struct demo_timeline *tl, int n, const char *fmt,
		       int first)
{
	for (int i = 0; i < n; i++) {
		char label[32];
		snprintf(label, sizeof label, fmt, i + first);
		demo_timeline_label(tl, i, label);
	}
}

/* The run: parameters, the simulated GIL, and the results of each run. */
struct gilrun {
	struct demo *d;
	int mode, n;
	long ncpu, work_ms;
	double interval_ms, io_ms, per_ms;
	struct gil gil;
	struct run r;
	enum role roles[17];
	struct result alone, with_gil, nogil, procs;
	struct demo_timeline *tl, *tl2;
	double t0, t2;                  /* when the two timelines start */
	double one, one_wall;           /* one thread alone, best of a few */
};

/*
 * Each step returns 0 to go on, 1 when a stop was requested, or -1 when a
 * thread or process could not be started (errno set).
 */
static int started(int rc)
{
	return rc < 0 ? -1 : demo_stopping();
}

/* ---- cpu and io modes ---- */

static void size_work(struct gilrun *g)
{
	struct run *r = &g->r;
	memset(r, 0, sizeof *r);
	if (g->mode == MODE_CPU) {
		r->units = (long)(g->per_ms * (double)g->work_ms);
		if (r->units < 1)
			r->units = 1;
	} else {
		r->io_ms = g->io_ms;
		r->ops = (long)((double)g->work_ms / (g->io_ms * 1.1));
		if (r->ops < 1)
			r->ops = 1;
		r->op_units = (long)(g->per_ms * g->io_ms / 10);
		if (r->op_units < 1)
			r->op_units = 1;
	}
	demo_print(g->d, "%s-bound work: each of %d threads does %s; %ld cores here; "
		   "switch interval %g ms.\n",
		   g->mode == MODE_CPU ? "CPU" : "I/O", g->n,
		   g->mode == MODE_CPU ? "a CPU loop" : "I/O waits (GIL released) with a little CPU between",
		   g->ncpu, g->interval_ms);
	demo_print(g->d, "Runs: 1 thread alone (%d times, the best is the "
		   "reference); %d threads under the GIL; %d threads with "
		   "no GIL; %d processes.\n", REFERENCE_RUNS, g->n, g->n, g->n);
}

/*
 * One thread's work: its CPU time (and in io mode its time blocked in I/O),
 * best of a few runs.  Its wall time would count any time other load on the
 * machine took the core away.
 */
static int time_alone(struct gilrun *g, enum role role)
{
	g->r.gil = &g->gil;
	g->one = -1;
	g->one_wall = -1;
	for (int rep = 0; rep < REFERENCE_RUNS; rep++) {
		struct result res;
		demo_progress(g->d, "1 thread alone (%d of %d) ...", rep + 1,
			      REFERENCE_RUNS);
		int rc = started(run_threads(&g->r, 1, (enum role[]){role}, &res));
		if (rc)
			return rc;
		double busy = res.cpu_s + res.io_s;
		if (g->one < 0 || busy < g->one) {
			g->one = busy;
			g->alone = res;
		}
		if (g->one_wall < 0 || res.wall_s < g->one_wall)
			g->one_wall = res.wall_s;
	}
	return 0;
}

/* n threads under the GIL, n with no GIL, n processes. */
static int time_parallel(struct gilrun *g, enum role role)
{
	struct run *r = &g->r;
	int n = g->n, rc;
	demo_progress(g->d, "%d threads under the GIL ...", n);
	g->t0 = demo_now();
	g->tl = demo_timeline_new(n, g->t0);
	label_rows(g->tl, n, "thread %d", 1);
	r->tl = g->tl;
	fill_roles(g->roles, n, role);
	if ((rc = started(run_threads(r, n, g->roles, &g->with_gil))))
		return rc;

	demo_progress(g->d, "%d threads, no GIL ...", n);
	r->gil = NULL;
	g->tl2 = demo_timeline_new(n, demo_now());
	label_rows(g->tl2, n, "thread %d", 1);
	r->tl = g->tl2;
	g->t2 = demo_now();
	if ((rc = started(run_threads(r, n, g->roles, &g->nogil))))
		return rc;

	demo_progress(g->d, "%d processes ...", n);
	r->tl = NULL;
	return started(run_processes(r, n, role, &g->procs));
}

static void print_table(struct gilrun *g)
{
	struct demo *d = g->d;
	const struct result *wg = &g->with_gil, *ng = &g->nogil, *pr = &g->procs;
	int n = g->n;
	double serial = g->one * n;
	char label[64];
	demo_print(d, "\n%-26s %9s %9s %9s %9s\n", "run", "wall", "CPU",
		   "speedup", "cores");
	demo_print(d, "%-26s %8.3fs %8.3fs\n", "1 thread alone (best)",
		   g->one_wall, g->alone.cpu_s);
	snprintf(label, sizeof label, "  x %d, done serially", n);
	demo_print(d, "%-26s %8.3fs %9s %8.2fx   (%s time of 1 thread, x %d)\n",
		   label, serial, "", 1.0, g->mode == MODE_CPU ? "CPU" : "CPU + I/O", n);
	snprintf(label, sizeof label, "%d threads, GIL", n);
	demo_print(d, "%-26s %8.3fs %8.3fs %8.2fx %9.2f\n", label,
		   wg->wall_s, wg->cpu_s, serial / wg->wall_s, wg->cpu_s / wg->wall_s);
	snprintf(label, sizeof label, "%d threads, no GIL", n);
	demo_print(d, "%-26s %8.3fs %8.3fs %8.2fx %9.2f\n", label,
		   ng->wall_s, ng->cpu_s, serial / ng->wall_s, ng->cpu_s / ng->wall_s);
	snprintf(label, sizeof label, "%d processes", n);
	demo_print(d, "%-26s %8.3fs %8.3fs %8.2fx %9.2f\n", label,
		   pr->wall_s, pr->cpu_s, serial / pr->wall_s, pr->cpu_s / pr->wall_s);
	demo_print(d, "(speedup: the serial time over the run's wall time; "
		   "cores: its CPU time over its wall time)\n");
	demo_print(d, "GIL: held %.3f s in all (%.3f s of it on a CPU), by "
		   "at most %d thread%s at a time; %ld hand-overs, %ld drop "
		   "requests; %.0f ms spent waiting for it in all.\n",
		   wg->held_s, wg->held_cpu_s,
		   wg->max_running, wg->max_running == 1 ? "" : "s",
		   wg->switches, wg->drop_requests, wg->gil_wait_ms);
}

static void draw_timelines(struct gilrun *g)
{
	struct demo *d = g->d;
	bool cpu = g->mode == MODE_CPU;
	double win = cpu ? 12 * g->interval_ms / 1000 : 4 * g->io_ms * 1.1 / 1000;
	demo_print(d, "\nUnder the GIL, the first %.1f ms (who holds the lock):\n", win * 1000);
	demo_timeline_draw(d, g->tl, g->t0 + win, 60,
			   cpu ? "# holds the GIL, . waits for it"
			       : "# holds the GIL, . waits for it, ~ blocked in I/O (GIL released)");
	demo_print(d, "\nWith no GIL, the first %.1f ms:\n", win * 1000);
	demo_timeline_draw(d, g->tl2, g->t2 + win, 60,
			   cpu ? "# runs" : "# runs, ~ blocked in I/O");
}

static void json_parallel(struct gilrun *g)
{
	struct demo *d = g->d;
	const struct result *wg = &g->with_gil, *ng = &g->nogil, *pr = &g->procs;
	bool io = g->mode == MODE_IO;
	double serial = g->one * g->n;
	demo_json_int(d, "work_units", io ? g->r.ops * g->r.op_units : g->r.units);
	if (io)
		demo_json_int(d, "io_ops", g->r.ops);
	demo_json_num(d, "speedup.gil", serial / wg->wall_s);
	demo_json_num(d, "speedup.nogil", serial / ng->wall_s);
	demo_json_num(d, "speedup.processes", serial / pr->wall_s);
	demo_json_num(d, "reference_s.one", g->one);
	demo_json_num(d, "reference_s.serial", serial);
	demo_json_num(d, "wall_s.alone", g->one_wall);
	demo_json_num(d, "wall_s.gil", wg->wall_s);
	demo_json_num(d, "wall_s.nogil", ng->wall_s);
	demo_json_num(d, "wall_s.processes", pr->wall_s);
	demo_json_num(d, "cpu_s.alone", g->alone.cpu_s);
	demo_json_num(d, "cpu_s.gil", wg->cpu_s);
	demo_json_num(d, "cpu_s.nogil", ng->cpu_s);
	demo_json_num(d, "cpu_s.processes", pr->cpu_s);
	if (io) {
		demo_json_num(d, "io_s.alone", g->alone.io_s);
		demo_json_num(d, "io_s.gil", wg->io_s);
		demo_json_num(d, "io_s.nogil", ng->io_s);
	}
	demo_json_num(d, "cores_busy.gil", wg->cpu_s / wg->wall_s);
	demo_json_num(d, "cores_busy.nogil", ng->cpu_s / ng->wall_s);
	demo_json_num(d, "cores_busy.processes", pr->cpu_s / pr->wall_s);
	demo_json_int(d, "gil.max_concurrent_holders", wg->max_running);
	demo_json_num(d, "gil.held_s", wg->held_s);
	demo_json_num(d, "gil.held_cpu_s", wg->held_cpu_s);
	demo_json_int(d, "gil.switches", wg->switches);
	demo_json_int(d, "gil.drop_requests", wg->drop_requests);
	demo_json_int(d, "gil.forced_drops", wg->forced_drops);
	demo_json_num(d, "gil.wait_ms", wg->gil_wait_ms);
	demo_json_int(d, "nogil.max_concurrent", ng->max_running);
}

static void summary_parallel(struct gilrun *g)
{
	struct demo *d = g->d;
	int n = g->n;
	double serial = g->one * n;
	double sp_gil = serial / g->with_gil.wall_s, sp_nogil = serial / g->nogil.wall_s;
	if (g->mode != MODE_CPU) {
		demo_print(d, "\nIn Python terms: a thread blocked in I/O has "
			   "released the GIL, so I/O-bound threads overlap their "
			   "waits: %d threads run %.2fx as fast as one doing it all, "
			   "GIL or not (%.2fx without it).\n",
			   n, sp_gil, sp_nogil);
		return;
	}
	double sp_proc = serial / g->procs.wall_s;
	double busy_nogil = g->nogil.cpu_s / g->nogil.wall_s;
	double busy_proc = g->procs.cpu_s / g->procs.wall_s;
	int want = n < g->ncpu ? n : (int)g->ncpu;
	bool loaded = busy_nogil < 0.8 * want || busy_proc < 0.8 * want;
	demo_print(d, "\nIn Python terms: CPU-bound threads take turns "
		   "holding the GIL (a hand-over every %g ms), so %d threads "
		   "run %.2fx as fast as one doing it all; without the GIL "
		   "(the free-threaded build) or with multiprocessing they use "
		   "the %ld cores (%.2fx, %.2fx)%s",
		   g->interval_ms, n, sp_gil, g->ncpu, sp_nogil, sp_proc,
		   loaded ? "" : ".\n");
	if (loaded)
		demo_print(d, ", as far as they could get them: they "
			   "kept %.1f and %.1f of the %d cores they "
			   "could use busy, the rest went to other "
			   "load on this machine.\n",
			   busy_nogil, busy_proc, want);
}

static int run_parallel(struct gilrun *g)
{
	enum role role = g->mode == MODE_CPU ? ROLE_CPU : ROLE_IO;
	size_work(g);
	int rc = time_alone(g, role);
	if (rc || (rc = time_parallel(g, role)))
		return rc;
	print_table(g);
	draw_timelines(g);
	json_parallel(g);
	summary_parallel(g);
	return 0;
}

/* ---- convoy mode ---- */

static int time_convoy(struct gilrun *g)
{
	struct run *r = &g->r;
	int n = g->n, rc;
	memset(r, 0, sizeof *r);
	r->io_ms = g->io_ms;
	r->ops = (long)((double)g->work_ms / (g->io_ms + g->interval_ms));
	if (r->ops < 5)
		r->ops = 5;
	r->op_units = 1;
	r->gil = &g->gil;
	demo_print(g->d, "Convoy: one I/O thread does %ld waits of %g ms, each "
		   "followed by a little Python code that needs the GIL;\n"
		   "first alone, then beside %d CPU-bound thread%s. Switch "
		   "interval %g ms.\n", r->ops, g->io_ms, n, n == 1 ? "" : "s",
		   g->interval_ms);
	demo_progress(g->d, "I/O thread alone ...");
	if ((rc = started(run_threads(r, 1, (enum role[]){ROLE_IO}, &g->alone))))
		return rc;
	demo_progress(g->d, "I/O thread beside %d CPU-bound thread%s ...", n,
		      n == 1 ? "" : "s");
	g->t0 = demo_now();
	g->tl = demo_timeline_new(n + 1, g->t0);
	demo_timeline_label(g->tl, 0, "I/O thread");
	for (int i = 1; i <= n; i++) {
		char label[32];
		snprintf(label, sizeof label, "CPU thread %d", i);
		demo_timeline_label(g->tl, i, label);
	}
	r->tl = g->tl;
	r->cpu_threads = n;
	g->roles[0] = ROLE_IO;
	fill_roles(g->roles + 1, n, ROLE_CPU_UNTIL_IO_DONE);
	return started(run_threads(r, n + 1, g->roles, &g->with_gil));
}

static void report_convoy(struct gilrun *g)
{
	struct demo *d = g->d;
	const struct result *alone = &g->alone, *wg = &g->with_gil;
	demo_print(d, "\n%-28s %14s %14s %14s\n", "I/O thread", "per wait (avg)",
		   "of it for GIL", "worst");
	demo_print(d, "%-28s %11.2f ms %11.2f ms %11.2f ms\n", "alone",
		   alone->lat_ms, alone->io_gil_wait_ms, alone->lat_max_ms);
	demo_print(d, "%-28s %11.2f ms %11.2f ms %11.2f ms\n",
		   "beside CPU-bound threads", wg->lat_ms,
		   wg->io_gil_wait_ms, wg->lat_max_ms);
	demo_print(d, "(each: the %g ms wait plus getting the GIL back; "
		   "the GIL was held by at most %d thread%s at a time)\n",
		   g->io_ms, wg->max_running, wg->max_running == 1 ? "" : "s");
	double win = 3 * (g->io_ms + g->interval_ms) / 1000;
	demo_print(d, "\nBeside CPU-bound threads, the first %.1f ms:\n", win * 1000);
	demo_timeline_draw(d, g->tl, g->t0 + win, 60,
			   "# holds the GIL, . waits for it, ~ blocked in I/O");
	demo_json_num(d, "io_latency_ms.alone", alone->lat_ms);
	demo_json_num(d, "io_latency_ms.with_cpu_thread", wg->lat_ms);
	demo_json_num(d, "io_latency_max_ms.alone", alone->lat_max_ms);
	demo_json_num(d, "io_latency_max_ms.with_cpu_thread", wg->lat_max_ms);
	demo_json_num(d, "io_gil_wait_ms.alone", alone->io_gil_wait_ms);
	demo_json_num(d, "io_gil_wait_ms.with_cpu_thread", wg->io_gil_wait_ms);
	demo_json_int(d, "io_ops", g->r.ops);
	demo_json_num(d, "cpu_s.alone", alone->cpu_s);
	demo_json_num(d, "cpu_s.with_cpu_thread", wg->cpu_s);
	demo_json_int(d, "gil.max_concurrent_holders", wg->max_running);
	demo_json_num(d, "gil.held_s", wg->held_s);
	demo_json_int(d, "gil.switches", wg->switches);
	demo_json_int(d, "gil.drop_requests", wg->drop_requests);
	demo_print(d, "\nIn Python terms: when its I/O finishes, the thread "
		   "must get the GIL back; a CPU-bound thread never lets go by "
		   "itself, so the I/O thread waits a whole switch interval "
		   "(%g ms) before it may ask, and queues behind any other "
		   "waiter: %.2f ms per wait instead of %.2f ms.\n",
		   g->interval_ms, wg->lat_ms, alone->lat_ms);
}

static int run_convoy(struct gilrun *g)
{
	int rc = time_convoy(g);
	if (rc == 0)
		report_convoy(g);
	return rc;
}

int main(int argc, char **argv)
{
	static const char *const modes[] = {"cpu", "io", "convoy", NULL};
	int mode = MODE_CPU;
	long threads = 4, work_ms = 200;
	double interval_ms = 5, io_ms = 2;
	struct demo_param params[] = {
		DEMO_ENUM("mode", &mode, modes,
			  "cpu-bound threads, I/O-bound threads, or the convoy effect"),
		DEMO_INT("threads", &threads, 1, 16,
			 "threads (cpu, io) or CPU-bound threads beside the I/O thread (convoy)"),
		DEMO_INT("work-ms", &work_ms, 20, 2000,
			 "how long one thread's work takes alone, in ms"),
		DEMO_FLOAT("interval-ms", &interval_ms, 0.5, 50,
			   "the switch interval, as sys.setswitchinterval()"),
		DEMO_FLOAT("io-ms", &io_ms, 0.5, 50,
			   "how long one I/O wait blocks, in ms (io, convoy)"),
		DEMO_PARAMS_END
	};
	struct demo d;
	demo_init(&d, "gil",
		  "A simulated GIL with CPython's semantics: CPU-bound threads, "
		  "I/O-bound threads, the convoy effect.",
		  params, argc, argv);

	struct gilrun g = {
		.d = &d, .mode = mode, .n = (int)threads, .work_ms = work_ms,
		.interval_ms = interval_ms, .io_ms = io_ms,
		.ncpu = sysconf(_SC_NPROCESSORS_ONLN),
	};
	gil_init(&g.gil, interval_ms);
	int status = 0;
	demo_json_int(&d, "cores", g.ncpu);
	g.per_ms = calibrate();
	if (!demo_stopping()) {
		demo_json_num(&d, "bytecodes_per_ms", g.per_ms);
		int rc = mode == MODE_CONVOY ? run_convoy(&g) : run_parallel(&g);
		if (rc < 0) {
			fprintf(stderr, "demo-gil: error: could not start a thread or process: %s\n",
				strerror(errno));
			status = 1;
		}
	}
	demo_timeline_free(g.tl2);
	demo_timeline_free(g.tl);
	gil_destroy(&g.gil);
	int fin = demo_finish(&d);
	return status ? status : fin;
}
