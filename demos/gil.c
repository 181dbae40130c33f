/*
 * gil: a simulated GIL with CPython's semantics, and what it does to threads.
 *
 * The lock follows CPython's ceval_gil.c: one global lock; a thread that
 * wants it waits on a condition variable for the switch interval (5 ms); if
 * the holder has not let go by then, the waiter sets a drop request; the
 * holder checks that request between "bytecodes" (small units of work),
 * drops the lock and waits until another thread has taken it (forced
 * switching).  A thread that blocks on I/O releases the lock first, as
 * CPython's Py_BEGIN_ALLOW_THREADS does.
 *
 * Modes:
 *   cpu    N CPU-bound threads under the GIL, the same with no GIL (the
 *          free-threaded build) and in N processes, each against one
 *          thread's work done N times over;
 *   io     the same for threads that mostly wait (I/O with the lock released);
 *   convoy the latency of an I/O thread alone, and beside CPU-bound threads.
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

struct gil {
	pthread_mutex_t mu;
	pthread_cond_t cond;            /* the lock was released */
	pthread_cond_t switch_cond;     /* the lock changed hands */
	bool locked;
	int holder, last_holder;
	unsigned long switch_number;
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
	pthread_cond_init(&g->switch_cond, &ca);
	pthread_condattr_destroy(&ca);
	g->interval_s = interval_ms / 1000;
	g->last_holder = -1;
}

static void gil_destroy(struct gil *g)
{
	pthread_cond_destroy(&g->switch_cond);
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

/* CPython's take_gil(): wait one interval, then ask the holder to drop. */
static void take_gil(struct gil *g, int id)
{
	pthread_mutex_lock(&g->mu);
	while (g->locked) {
		unsigned long saved = g->switch_number;
		struct timespec dl = deadline_after(g->interval_s);
		int rc = pthread_cond_timedwait(&g->cond, &g->mu, &dl);
		if (rc == ETIMEDOUT && g->locked && g->switch_number == saved &&
		    !atomic_load(&g->drop_request)) {
			atomic_store(&g->drop_request, 1);
			g->drop_requests++;
		}
	}
	g->locked = true;
	if (g->last_holder != id && g->last_holder != -1)
		g->switches++;
	g->holder = g->last_holder = id;
	g->switch_number++;
	pthread_cond_broadcast(&g->switch_cond);
	atomic_store(&g->drop_request, 0);
	pthread_mutex_unlock(&g->mu);
}

/*
 * CPython's drop_gil(): release and wake a waiter; when dropping on request,
 * wait until someone else has taken it, so the requester is not starved.
 */
static void drop_gil(struct gil *g, int id, bool forced)
{
	pthread_mutex_lock(&g->mu);
	g->locked = false;
	pthread_cond_signal(&g->cond);
	if (forced) {
		while (g->last_holder == id && !g->locked)
			pthread_cond_wait(&g->switch_cond, &g->mu);
	}
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
};

enum role { ROLE_CPU, ROLE_IO, ROLE_CPU_UNTIL_IO_DONE };

struct worker {
	pthread_t tid;
	struct run *run;
	int id;
	enum role role;
	double hold_start;
	double lat_sum, lat_max;        /* I/O: wait + getting the GIL back */
	long lat_n;
	double gil_wait_sum;
	long units_done;
	uint64_t sink;
};

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

static void gil_acquire(struct worker *w)
{
	struct run *r = w->run;
	double t = demo_now();
	if (r->gil)
		take_gil(r->gil, w->id);
	w->hold_start = demo_now();
	w->gil_wait_sum += w->hold_start - t;
	if (r->tl && r->gil)
		demo_timeline_add(r->tl, w->id, t, w->hold_start, '.');
}

static void gil_release(struct worker *w)
{
	struct run *r = w->run;
	double t = demo_now();
	if (r->tl)
		demo_timeline_add(r->tl, w->id, w->hold_start, t, '#');
	if (r->gil)
		drop_gil(r->gil, w->id, false);
}

/* The eval loop: n bytecodes, honouring a drop request between them. */
static void eval(struct worker *w, long n)
{
	struct run *r = w->run;
	for (long i = 0; i < n; i++) {
		if (r->gil && atomic_load_explicit(&r->gil->drop_request,
						   memory_order_relaxed)) {
			double t = demo_now();
			if (r->tl)
				demo_timeline_add(r->tl, w->id, w->hold_start, t, '#');
			drop_gil(r->gil, w->id, true);
			take_gil(r->gil, w->id);
			w->hold_start = demo_now();
			w->gil_wait_sum += w->hold_start - t;
			if (r->tl)
				demo_timeline_add(r->tl, w->id, t, w->hold_start, '.');
		}
		w->sink = bytecode(w->sink + (uint64_t)i);
		w->units_done++;
		if ((i & 255) == 0 && demo_stopping())
			return;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->run;
	gil_acquire(w);
	switch (w->role) {
	case ROLE_CPU:
		eval(w, r->units);
		break;
	case ROLE_CPU_UNTIL_IO_DONE:
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
			if (r->tl)
				demo_timeline_add(r->tl, w->id, t, demo_now(), '~');
			gil_acquire(w);
			double lat = demo_now() - t;
			w->lat_sum += lat;
			w->lat_n++;
			if (lat > w->lat_max)
				w->lat_max = lat;
		}
		atomic_store(&r->io_done, 1);
		break;
	}
	gil_release(w);
	return NULL;
}

struct result {
	double wall_s, cpu_s;
	double lat_ms, lat_max_ms, gil_wait_ms;
	long switches, drop_requests;
};

/*
 * Runs nthreads workers (roles[i]) as threads, with or without a GIL.
 * Returns 0, or -1 when a thread could not be started.
 */
static int run_threads(struct run *r, int nthreads, const enum role *roles,
		       struct result *res)
{
	struct worker *w = calloc((size_t)nthreads, sizeof *w);
	if (!w)
		return -1;
	int started = 0, rc = 0;
	double c0 = demo_cpu_s(RUSAGE_SELF), t0 = demo_now();
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
	res->cpu_s = demo_cpu_s(RUSAGE_SELF) - c0;
	double wait = 0;
	res->lat_ms = res->lat_max_ms = 0;
	for (int i = 0; i < started; i++) {
		if (w[i].lat_n) {
			res->lat_ms = w[i].lat_sum / w[i].lat_n * 1000;
			res->lat_max_ms = w[i].lat_max * 1000;
		}
		wait += w[i].gil_wait_sum;
	}
	res->gil_wait_ms = wait * 1000;
	res->switches = r->gil ? r->gil->switches : 0;
	res->drop_requests = r->gil ? r->gil->drop_requests : 0;
	free(w);
	return rc;
}

/* The same workers as processes: each has its own interpreter and GIL. */
static int run_processes(struct run *r, int n, enum role role,
			 struct result *res)
{
	pid_t *pids = calloc((size_t)n, sizeof *pids);
	if (!pids)
		return -1;
	int started = 0, rc = 0;
	double c0 = demo_cpu_s(RUSAGE_CHILDREN), t0 = demo_now();
	for (; started < n; started++) {
		pid_t pid = demo_fork();
		if (pid < 0) {
			rc = -1;
			break;
		}
		if (pid == 0) {
			struct run own = *r;
			struct worker w;
			memset(&w, 0, sizeof w);
			own.gil = NULL;
			own.tl = NULL;
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

/* Bytecodes per millisecond on this machine, measured over ~30 ms. */
static double calibrate(void)
{
	uint64_t x = 1;
	long n = 0;
	double t0 = demo_now(), t;
	do {
		for (int i = 0; i < 100; i++)
			x = bytecode(x + (uint64_t)i);
		n += 100;
		t = demo_now();
	} while (t - t0 < 0.03);
	return (double)n / ((t - t0) * 1000) + (double)(x & 1) * 1e-9;
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

	int n = (int)threads;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct gil gil;
	gil_init(&gil, interval_ms);
	enum role roles[17];
	struct result alone = {0}, with_gil = {0}, nogil = {0}, procs = {0};
	struct demo_timeline *tl = NULL, *tl2 = NULL;
	int status = 0;

	demo_json_int(&d, "cores", ncpu);
	double per_ms = calibrate();
	demo_json_num(&d, "bytecodes_per_ms", per_ms);

	if (mode == MODE_CPU || mode == MODE_IO) {
		struct run r;
		memset(&r, 0, sizeof r);
		enum role role = mode == MODE_CPU ? ROLE_CPU : ROLE_IO;
		if (mode == MODE_CPU) {
			r.units = (long)(per_ms * work_ms);
		} else {
			r.io_ms = io_ms;
			r.ops = (long)(work_ms / (io_ms * 1.1));
			if (r.ops < 1)
				r.ops = 1;
			r.op_units = (long)(per_ms * io_ms / 10);
			if (r.op_units < 1)
				r.op_units = 1;
		}
		demo_print(&d, "%s-bound work: each of %d threads does %s; %ld cores here; "
			   "switch interval %g ms.\n",
			   mode == MODE_CPU ? "CPU" : "I/O", n,
			   mode == MODE_CPU ? "a CPU loop" : "I/O waits (GIL released) with a little CPU between",
			   ncpu, interval_ms);
		demo_print(&d, "Runs: 1 thread alone; %d threads under the GIL; %d threads "
			   "with no GIL; %d processes.\n", n, n, n);

		demo_progress(&d, "1 thread alone ...");
		r.gil = &gil;
		if (run_threads(&r, 1, (enum role[]){role}, &alone) < 0)
			goto fail;
		if (demo_stopping())
			goto out;

		demo_progress(&d, "%d threads under the GIL ...", n);
		gil_destroy(&gil);
		gil_init(&gil, interval_ms);
		double t0 = demo_now();
		tl = demo_timeline_new(n, t0);
		label_rows(tl, n, "thread %d", 1);
		r.tl = tl;
		fill_roles(roles, n, role);
		if (run_threads(&r, n, roles, &with_gil) < 0)
			goto fail;
		if (demo_stopping())
			goto out;

		demo_progress(&d, "%d threads, no GIL ...", n);
		r.gil = NULL;
		tl2 = demo_timeline_new(n, demo_now());
		label_rows(tl2, n, "thread %d", 1);
		r.tl = tl2;
		double t2 = demo_now();
		if (run_threads(&r, n, roles, &nogil) < 0)
			goto fail;
		if (demo_stopping())
			goto out;

		demo_progress(&d, "%d processes ...", n);
		r.tl = NULL;
		if (run_processes(&r, n, role, &procs) < 0)
			goto fail;
		if (demo_stopping())
			goto out;

		double serial = alone.wall_s * n;
		double sp_gil = serial / with_gil.wall_s;
		double sp_nogil = serial / nogil.wall_s;
		double sp_proc = serial / procs.wall_s;
		demo_print(&d, "\n%-24s %9s %9s %9s\n", "run", "wall", "CPU", "speedup");
		demo_print(&d, "%-24s %8.3fs %8.3fs %9s\n", "1 thread alone",
			   alone.wall_s, alone.cpu_s, "");
		demo_print(&d, "%-24s %8.3fs %9s %9s\n", "  x N, done serially", serial, "", "1.00x");
		char label[64];
		snprintf(label, sizeof label, "%d threads, GIL", n);
		demo_print(&d, "%-24s %8.3fs %8.3fs %8.2fx\n", label,
			   with_gil.wall_s, with_gil.cpu_s, sp_gil);
		snprintf(label, sizeof label, "%d threads, no GIL", n);
		demo_print(&d, "%-24s %8.3fs %8.3fs %8.2fx\n", label,
			   nogil.wall_s, nogil.cpu_s, sp_nogil);
		snprintf(label, sizeof label, "%d processes", n);
		demo_print(&d, "%-24s %8.3fs %8.3fs %8.2fx\n", label,
			   procs.wall_s, procs.cpu_s, sp_proc);
		demo_print(&d, "GIL: %ld hand-overs, %ld forced by a drop request, "
			   "%.0f ms spent waiting for it in all.\n",
			   with_gil.switches, with_gil.drop_requests,
			   with_gil.gil_wait_ms);

		double win = mode == MODE_CPU ? 12 * interval_ms / 1000
					      : 4 * io_ms * 1.1 / 1000;
		demo_print(&d, "\nUnder the GIL, the first %.1f ms (who holds the lock):\n", win * 1000);
		demo_timeline_draw(&d, tl, t0 + win, 60,
				   mode == MODE_CPU ? "# holds the GIL, . waits for it"
						    : "# holds the GIL, . waits for it, ~ blocked in I/O (GIL released)");
		demo_print(&d, "\nWith no GIL, the first %.1f ms:\n", win * 1000);
		demo_timeline_draw(&d, tl2, t2 + win, 60,
				   mode == MODE_CPU ? "# runs" : "# runs, ~ blocked in I/O");

		demo_json_num(&d, "speedup.gil", sp_gil);
		demo_json_num(&d, "speedup.nogil", sp_nogil);
		demo_json_num(&d, "speedup.processes", sp_proc);
		demo_json_num(&d, "wall_s.alone", alone.wall_s);
		demo_json_num(&d, "wall_s.serial", serial);
		demo_json_num(&d, "wall_s.gil", with_gil.wall_s);
		demo_json_num(&d, "wall_s.nogil", nogil.wall_s);
		demo_json_num(&d, "wall_s.processes", procs.wall_s);
		demo_json_num(&d, "cpu_s.alone", alone.cpu_s);
		demo_json_num(&d, "cpu_s.gil", with_gil.cpu_s);
		demo_json_num(&d, "cpu_s.nogil", nogil.cpu_s);
		demo_json_num(&d, "cpu_s.processes", procs.cpu_s);
		demo_json_int(&d, "gil.switches", with_gil.switches);
		demo_json_int(&d, "gil.drop_requests", with_gil.drop_requests);
		demo_json_num(&d, "gil.wait_ms", with_gil.gil_wait_ms);
		if (mode == MODE_CPU)
			demo_print(&d, "\nIn Python terms: CPU-bound threads take turns "
				   "holding the GIL (a hand-over every %g ms), so %d threads "
				   "run %.2fx as fast as one doing it all; without the GIL "
				   "(the free-threaded build) or with multiprocessing they use "
				   "the %ld cores (%.2fx, %.2fx).\n",
				   interval_ms, n, sp_gil, ncpu, sp_nogil, sp_proc);
		else
			demo_print(&d, "\nIn Python terms: a thread blocked in I/O has "
				   "released the GIL, so I/O-bound threads overlap their "
				   "waits: %d threads run %.2fx as fast as one doing it all, "
				   "GIL or not (%.2fx without it).\n",
				   n, sp_gil, sp_nogil);
	} else {
		struct run r;
		memset(&r, 0, sizeof r);
		r.io_ms = io_ms;
		r.ops = (long)(work_ms / (io_ms + interval_ms));
		if (r.ops < 5)
			r.ops = 5;
		r.op_units = 1;
		r.gil = &gil;
		demo_print(&d, "Convoy: one I/O thread does %ld waits of %g ms, each "
			   "followed by a little Python code that needs the GIL;\n"
			   "first alone, then beside %d CPU-bound thread%s. Switch "
			   "interval %g ms.\n", r.ops, io_ms, n, n == 1 ? "" : "s",
			   interval_ms);
		demo_progress(&d, "I/O thread alone ...");
		if (run_threads(&r, 1, (enum role[]){ROLE_IO}, &alone) < 0)
			goto fail;
		if (demo_stopping())
			goto out;
		demo_progress(&d, "I/O thread beside %d CPU-bound thread%s ...", n,
			      n == 1 ? "" : "s");
		gil_destroy(&gil);
		gil_init(&gil, interval_ms);
		atomic_store(&r.io_done, 0);
		double t0 = demo_now();
		tl = demo_timeline_new(n + 1, t0);
		demo_timeline_label(tl, 0, "I/O thread");
		for (int i = 1; i <= n; i++) {
			char label[32];
			snprintf(label, sizeof label, "CPU thread %d", i);
			demo_timeline_label(tl, i, label);
		}
		r.tl = tl;
		roles[0] = ROLE_IO;
		fill_roles(roles + 1, n, ROLE_CPU_UNTIL_IO_DONE);
		if (run_threads(&r, n + 1, roles, &with_gil) < 0)
			goto fail;
		if (demo_stopping())
			goto out;
		demo_print(&d, "\n%-28s %14s %14s\n", "I/O thread", "per wait (avg)", "worst");
		demo_print(&d, "%-28s %11.2f ms %11.2f ms\n", "alone",
			   alone.lat_ms, alone.lat_max_ms);
		demo_print(&d, "%-28s %11.2f ms %11.2f ms\n", "beside CPU-bound threads",
			   with_gil.lat_ms, with_gil.lat_max_ms);
		demo_print(&d, "(each: the %g ms wait plus getting the GIL back)\n", io_ms);
		double win = 3 * (io_ms + interval_ms) / 1000;
		demo_print(&d, "\nBeside CPU-bound threads, the first %.1f ms:\n", win * 1000);
		demo_timeline_draw(&d, tl, t0 + win, 60,
				   "# holds the GIL, . waits for it, ~ blocked in I/O");
		demo_json_num(&d, "io_latency_ms.alone", alone.lat_ms);
		demo_json_num(&d, "io_latency_ms.with_cpu_thread", with_gil.lat_ms);
		demo_json_num(&d, "io_latency_max_ms.alone", alone.lat_max_ms);
		demo_json_num(&d, "io_latency_max_ms.with_cpu_thread", with_gil.lat_max_ms);
		demo_json_int(&d, "io_ops", r.ops);
		demo_json_int(&d, "gil.switches", with_gil.switches);
		demo_json_int(&d, "gil.drop_requests", with_gil.drop_requests);
		demo_print(&d, "\nIn Python terms: when its I/O finishes, the thread "
			   "must get the GIL back; a CPU-bound thread never lets go by "
			   "itself, so the I/O thread waits a whole switch interval "
			   "(%g ms) before it may ask, and then may lose the race to "
			   "another waiter: %.2f ms per wait instead of %.2f ms.\n",
			   interval_ms, with_gil.lat_ms, alone.lat_ms);
	}
	goto out;
fail:
	fprintf(stderr, "demo-gil: error: could not start a thread or process: %s\n",
		strerror(errno));
	status = 1;
out:
	demo_timeline_free(tl2);
	demo_timeline_free(tl);
	gil_destroy(&gil);
	int fin = demo_finish(&d);
	return status ? status : fin;
}
