/*
 * race: N threads each add 1 to a shared counter M times, four ways.
 *
 *   unlocked            load; yield; store: Python's `counter += 1` is a load,
 *                       an add and a store, and a thread switch may fall
 *                       between them (the GIL guards bytecodes, not
 *                       statements); the yield makes that switch happen often,
 *                       so lost updates are reliable on any machine;
 *   unlocked, no yield  load; store, back to back: the window is a few
 *                       nanoseconds, updates are lost only when two cores race
 *                       (the free-threaded build's situation);
 *   mutex               lock; load; store; unlock (`with lock: counter += 1`);
 *   atomic              one atomic fetch-and-add instruction.
 * It counts the final values exactly and measures the cost of each
 * increment, and it logs the first increments of the unlocked run to show
 * one lost update as it happened.  It does not model the GIL itself: the
 * threads here run truly in parallel, and the yield stands for the switch.
 */
#include "demolib.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

enum variant { V_UNLOCKED, V_NOYIELD, V_MUTEX, V_ATOMIC, NVARIANTS };

static const char *const vkey[] = {"unlocked", "unlocked_no_yield", "mutex", "atomic"};
static const char *const vlabel[] = {
	"unlocked (load, yield, store)", "unlocked (load, store)",
	"mutex", "atomic fetch-and-add",
};

/* The first increments of each thread in the unlocked run, as they happened. */
enum { LOG_N = 256 };

struct event {
	double t_load, t_store;
	long loaded;            /* the value read; the thread stores loaded + 1 */
};

struct shared {
	atomic_long counter;
	pthread_mutex_t mu;
	pthread_mutex_t gate_mu;        /* the start gate: all threads begin together */
	pthread_cond_t gate_cond;
	bool open;
	enum variant v;
	long increments;
};

struct worker {
	pthread_t tid;
	struct shared *s;
	int id;
	long done;
	struct event log[LOG_N];
	int nlog;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct shared *s = w->s;
	pthread_mutex_lock(&s->gate_mu);
	while (!s->open)
		pthread_cond_wait(&s->gate_cond, &s->gate_mu);
	pthread_mutex_unlock(&s->gate_mu);
	long m = s->increments;
	switch (s->v) {
	case V_UNLOCKED:
		for (long i = 0; i < m; i++) {
			if ((i & 1023) == 0 && demo_stopping())
				break;
			bool logging = w->nlog < LOG_N;
			double t = logging ? demo_now() : 0;
			/* each access is indivisible, as one bytecode is; the pair is not */
			long x = atomic_load_explicit(&s->counter, memory_order_relaxed);
			sched_yield();  /* a thread switch between LOAD and STORE */
			atomic_store_explicit(&s->counter, x + 1, memory_order_relaxed);
			if (logging)
				w->log[w->nlog++] = (struct event){t, demo_now(), x};
			w->done++;
		}
		break;
	case V_NOYIELD:
		for (long i = 0; i < m; i++) {
			if ((i & 4095) == 0 && demo_stopping())
				break;
			long x = atomic_load_explicit(&s->counter, memory_order_relaxed);
			atomic_store_explicit(&s->counter, x + 1, memory_order_relaxed);
			w->done++;
		}
		break;
	case V_MUTEX:
		for (long i = 0; i < m; i++) {
			if ((i & 4095) == 0 && demo_stopping())
				break;
			pthread_mutex_lock(&s->mu);
			long x = atomic_load_explicit(&s->counter, memory_order_relaxed);
			atomic_store_explicit(&s->counter, x + 1, memory_order_relaxed);
			pthread_mutex_unlock(&s->mu);
			w->done++;
		}
		break;
	default:
		for (long i = 0; i < m; i++) {
			if ((i & 4095) == 0 && demo_stopping())
				break;
			atomic_fetch_add_explicit(&s->counter, 1, memory_order_relaxed);
			w->done++;
		}
		break;
	}
	return NULL;
}

struct result {
	long final, done;
	double wall_s, cpu_s;
};

/* Runs one variant; returns 0, or -1 when a thread could not start. */
static int run_variant(enum variant v, int nthreads, long increments,
		       struct worker *w, struct result *r)
{
	struct shared s;
	memset(&s, 0, sizeof s);
	atomic_init(&s.counter, 0);
	pthread_mutex_init(&s.mu, NULL);
	s.v = v;
	s.increments = increments;
	pthread_mutex_init(&s.gate_mu, NULL);
	pthread_cond_init(&s.gate_cond, NULL);
	int started = 0, rc = 0;
	for (; started < nthreads; started++) {
		memset(&w[started], 0, sizeof w[started]);
		w[started].s = &s;
		w[started].id = started;
		int err = pthread_create(&w[started].tid, NULL, worker_main, &w[started]);
		if (err) {
			errno = err;
			rc = -1;
			s.increments = 0;       /* let the started ones end at once */
			break;
		}
	}
	double c0 = demo_cpu_s(RUSAGE_SELF);
	double t0 = demo_now();
	pthread_mutex_lock(&s.gate_mu);
	s.open = true;
	pthread_cond_broadcast(&s.gate_cond);
	pthread_mutex_unlock(&s.gate_mu);
	for (int i = 0; i < started; i++)
		pthread_join(w[i].tid, NULL);
	r->wall_s = demo_now() - t0;
	r->cpu_s = demo_cpu_s(RUSAGE_SELF) - c0;
	r->final = atomic_load(&s.counter);
	r->done = 0;
	for (int i = 0; i < started; i++)
		r->done += w[i].done;
	pthread_cond_destroy(&s.gate_cond);
	pthread_mutex_destroy(&s.gate_mu);
	pthread_mutex_destroy(&s.mu);
	return rc;
}

struct logged {
	double t;
	int thread;
	bool store;
	long value;     /* load: the value read; store: the value written */
};

static int cmp_logged(const void *a, const void *b)
{
	const struct logged *x = a, *y = b;
	return (x->t > y->t) - (x->t < y->t);
}

struct loaded {
	long value;
	double t;
	int thread, index;
};

static int cmp_loaded(const void *a, const void *b)
{
	const struct loaded *x = a, *y = b;
	if (x->value != y->value)
		return (x->value > y->value) - (x->value < y->value);
	return (x->t > y->t) - (x->t < y->t);
}

/*
 * Finds, in the logged increments, lost updates: two threads that loaded
 * the same value, so both stored the same result.  Returns how many logged
 * loads repeated a value another logged load had read, and the earliest
 * colliding pair (*ea, *eb as thread and log index; thread -1 when none).
 */
static long find_lost(const struct worker *w, int n, int ea[2], int eb[2])
{
	size_t total = 0, k = 0;
	for (int i = 0; i < n; i++)
		total += (size_t)w[i].nlog;
	ea[0] = eb[0] = -1;
	if (!total)
		return 0;
	struct loaded *all = xcalloc(total, sizeof *all);
	for (int i = 0; i < n; i++)
		for (int j = 0; j < w[i].nlog; j++)
			all[k++] = (struct loaded){w[i].log[j].loaded, w[i].log[j].t_load, i, j};
	qsort(all, total, sizeof *all, cmp_loaded);
	long dup = 0;
	double best = 0;
	for (size_t i = 1; i < total; i++) {
		if (all[i].value != all[i - 1].value || all[i].thread == all[i - 1].thread)
			continue;
		dup++;
		if (ea[0] < 0 || all[i - 1].t < best) {
			best = all[i - 1].t;
			ea[0] = all[i - 1].thread;
			ea[1] = all[i - 1].index;
			eb[0] = all[i].thread;
			eb[1] = all[i].index;
		}
	}
	free(all);
	return dup;
}

/* The run: the workers, the unlocked run's log, and the four results. */
struct run {
	struct demo *d;
	int n;
	long increments, expected;
	struct worker *w;
	struct worker *logw;            /* the workers of the unlocked run, with their logs */
	struct result r[NVARIANTS];
};

static int step_variants(struct run *r)
{
	struct demo *d = r->d;
	demo_print(d, "%d threads each do `counter += 1` %ld times: the counter "
		   "should end at %ld.\n", r->n, r->increments, r->expected);
	demo_print(d, "Four ways: no lock with a thread switch between the load "
		   "and the store, no lock back to back, a mutex, an atomic add.\n\n");
	demo_json_int(d, "expected", r->expected);
	for (int v = 0; v < NVARIANTS; v++) {
		demo_progress(d, "  %s ...", vlabel[v]);
		if (run_variant((enum variant)v, r->n, r->increments, r->w, &r->r[v]) < 0) {
			fprintf(stderr, "demo-race: error: could not start a thread: %s\n",
				strerror(errno));
			return -1;
		}
		if (demo_stopping())
			return 1;
		if (v == V_UNLOCKED)
			memcpy(r->logw, r->w, (size_t)r->n * sizeof *r->w);
	}
	return 0;
}

static int step_table(struct run *r)
{
	struct demo *d = r->d;
	double expected = (double)r->expected;
	demo_print(d, "  %-32s %12s %10s %10s %12s %12s\n", "variant", "final",
		   "lost", "wall ms", "ns/incr", "CPU ns/incr");
	for (int v = 0; v < NVARIANTS; v++) {
		const struct result *x = &r->r[v];
		char path[64];
		long lost = r->expected - x->final;
		double per = x->wall_s * 1e9 / expected;
		double cpu_per = x->cpu_s * 1e9 / expected;
		demo_print(d, "  %-32s %12ld %10ld %10.1f %12.1f %12.1f\n", vlabel[v],
			   x->final, lost, x->wall_s * 1e3, per, cpu_per);
		snprintf(path, sizeof path, "final.%s", vkey[v]);
		demo_json_int(d, path, x->final);
		snprintf(path, sizeof path, "lost.%s", vkey[v]);
		demo_json_int(d, path, lost);
		snprintf(path, sizeof path, "increments_done.%s", vkey[v]);
		demo_json_int(d, path, x->done);
		snprintf(path, sizeof path, "wall_s.%s", vkey[v]);
		demo_json_num(d, path, x->wall_s);
		snprintf(path, sizeof path, "cpu_s.%s", vkey[v]);
		demo_json_num(d, path, x->cpu_s);
		snprintf(path, sizeof path, "ns_per_increment.%s", vkey[v]);
		demo_json_num(d, path, per);
	}
	return 0;
}

/* The window around a lost update: who held a loaded value, not yet stored. */
static void draw_window(struct run *r, const struct logged ev[4], long value)
{
	double span = ev[3].t - ev[0].t;
	double t0 = ev[0].t - span / 2, t1 = ev[3].t + span / 2;
	struct demo_timeline *tl = demo_timeline_new(r->n, t0);
	for (int i = 0; i < r->n; i++) {
		const struct worker *w = &r->logw[i];
		char label[32];
		snprintf(label, sizeof label, "thread %d", i + 1);
		demo_timeline_label(tl, i, label);
		for (int j = 0; j < w->nlog; j++)
			demo_timeline_add(tl, i, w->log[j].t_load, w->log[j].t_store,
					  w->log[j].loaded == value ? '!' : 'r');
	}
	demo_print(r->d, "\nAround it:\n");
	demo_timeline_draw(r->d, tl, t1, 60,
			   "r holds a loaded value not yet stored, ! the two that collide");
	demo_timeline_free(tl);
}

/* One lost update as it happened, from the unlocked run's log. */
static int step_lost_update(struct run *r)
{
	struct demo *d = r->d;
	const struct worker *logw = r->logw;
	int ea[2], eb[2];
	long dup = find_lost(logw, r->n, ea, eb);
	int logged = 0;
	for (int i = 0; i < r->n; i++)
		logged += logw[i].nlog;
	demo_json_int(d, "log.increments", logged);
	demo_json_int(d, "log.same_value_loaded", dup);
	if (ea[0] < 0) {
		demo_print(d, "\nNo two logged increments loaded the same value%s.\n",
			   r->n == 1 ? " (one thread cannot race with itself)" : "");
		return 0;
	}
	const struct event *x = &logw[ea[0]].log[ea[1]];
	const struct event *y = &logw[eb[0]].log[eb[1]];
	long value = x->loaded;
	struct logged ev[4] = {
		{x->t_load, ea[0], false, value}, {x->t_store, ea[0], true, value + 1},
		{y->t_load, eb[0], false, value}, {y->t_store, eb[0], true, value + 1},
	};
	qsort(ev, 4, sizeof *ev, cmp_logged);
	demo_print(d, "\nOne lost update from the unlocked run, as it happened "
		   "(%ld of the %d logged increments loaded a value another "
		   "thread had loaded too):\n", dup, logged);
	for (int i = 0; i < 4; i++)
		demo_print(d, "  %+9.1f us  thread %d %s %ld%s\n",
			   (ev[i].t - ev[0].t) * 1e6, ev[i].thread + 1,
			   ev[i].store ? "stores" : "loads ", ev[i].value,
			   i == 3 ? "   <- the same value again: one increment is lost" : "");
	demo_json_int(d, "log.example_value", value);
	draw_window(r, ev, value);
	return 0;
}

static int step_summary(struct run *r)
{
	double expected = (double)r->expected;
	long lost = r->expected - r->r[V_UNLOCKED].final;
	demo_print(r->d, "\nIn Python terms: `counter += 1` is a load, an add and a store; "
		   "the GIL keeps each bytecode whole, but a switch between them lets "
		   "another thread store in between, so %ld of %ld increments (%.1f%%) were "
		   "lost; `with lock:` lost none at %.0f ns per increment, and an atomic "
		   "add (not available to Python code) none at %.0f ns.\n",
		   lost, r->expected, 100.0 * (double)lost / expected,
		   r->r[V_MUTEX].wall_s * 1e9 / expected,
		   r->r[V_ATOMIC].wall_s * 1e9 / expected);
	return 0;
}

int main(int argc, char **argv)
{
	long threads = 4, increments = 100000;
	struct demo_param params[] = {
		DEMO_INT("threads", &threads, 1, 64, "threads incrementing the counter"),
		DEMO_INT("increments", &increments, 1, 10000000,
			 "increments per thread"),
		DEMO_PARAMS_END
	};
	struct demo d;
	demo_init(&d, "race",
		  "N threads add 1 to a shared counter: without a lock (lost "
		  "updates), with a mutex, with an atomic; exact results and cost.",
		  params, argc, argv);

	static int (*const steps[])(struct run *) = {
		step_variants, step_table, step_lost_update, step_summary,
	};
	int n = (int)threads;
	struct run r = {
		.d = &d, .n = n, .increments = increments, .expected = threads * increments,
	};
	r.w = xcalloc((size_t)n, sizeof *r.w);
	r.logw = xcalloc((size_t)n, sizeof *r.logw);
	int status = 0;
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		int rc = steps[i](&r);
		if (rc < 0)
			status = 1;             /* the step said why */
		if (rc)
			break;
	}
	free(r.logw);
	free(r.w);
	int fin = demo_finish(&d);
	return status ? status : fin;
}
