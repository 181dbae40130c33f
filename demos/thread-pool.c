/*
 * thread-pool: concurrent.futures.ThreadPoolExecutor's semantics in C.
 *
 * A pool of k worker threads takes callables from one FIFO work queue;
 * submit() returns a future (pending, running, finished; a result or an
 * exception); result() blocks until the future is finished and returns the
 * result or re-raises the exception; as_completed() yields futures in the
 * order they finish, map() in the order they were submitted; shutdown(wait)
 * joins the workers.  The tasks wait (sleep, as I/O does), so N tasks on k
 * workers take about ceil(N/k) waits.  It shows, measured: that wall time;
 * completion order against submission order for tasks of different lengths;
 * an exception raised in one task, kept in its future, raised again by
 * result(), while the worker that ran it carries on.
 * It does not model the GIL: waiting tasks release it anyway.
 */
#include "demolib.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

enum fstate { F_PENDING, F_RUNNING, F_FINISHED, F_CANCELLED };

struct future {
	int task;                       /* index in submission order */
	double wait_ms;                 /* what the task does: wait this long */
	bool raises;                    /* ... then raise instead of returning */
	enum fstate state;
	long result;
	char exception[80];             /* empty: none */
	int worker;
	double t_submit, t_start, t_end;
	int completion;                 /* 0-based rank in completion order */
};

struct pool;

struct worker {
	pthread_t tid;
	struct pool *pool;
	int id;
	int ran;                        /* tasks this worker ran */
	int ran_after_exception;        /* of those, after one that raised */
	bool saw_exception;
};

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t work;            /* the queue got an item, or shutdown */
	pthread_cond_t done;            /* a future finished */
	struct future **queue;
	size_t head, tail, cap;
	bool shutdown;
	int nworkers;
	struct worker *workers;                       /* tasks run per worker */
	int running, max_running;
	int ncompleted;
	struct future **completed;      /* in completion order */
	size_t ncap;
	struct demo_timeline *tl;
};

/* The task: wait like I/O, then return task * task or raise ValueError. */
static void run_task(struct future *f)
{
	demo_wait_ms(f->wait_ms);
	if (f->raises)
		snprintf(f->exception, sizeof f->exception,
			 "ValueError('task %d failed')", f->task);
	else
		f->result = (long)f->task * f->task;
}

static char task_char(const struct future *f)
{
	static const char sym[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	if (f->raises)
		return '!';
	return sym[f->task % (int)(sizeof sym - 1)];
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pool *p = w->pool;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->head == p->tail && !p->shutdown)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->head == p->tail)
			break;                  /* shut down and nothing queued */
		struct future *f = p->queue[p->head++];
		if (f->state == F_CANCELLED)
			continue;
		f->state = F_RUNNING;
		f->worker = w->id;
		f->t_start = demo_now();
		if (++p->running > p->max_running)
			p->max_running = p->running;
		pthread_mutex_unlock(&p->mu);

		run_task(f);            /* outside the lock: workers run at once */

		pthread_mutex_lock(&p->mu);
		f->t_end = demo_now();
		p->running--;
		w->ran++;
		if (w->saw_exception)
			w->ran_after_exception++;
		if (f->exception[0])
			w->saw_exception = true;
		if (p->tl)
			demo_timeline_add(p->tl, w->id, f->t_start, f->t_end, task_char(f));
		f->state = F_FINISHED;
		f->completion = p->ncompleted;
		p->completed[p->ncompleted++] = f;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static void pool_release(struct pool *p)
{
	free(p->workers);
	free(p->completed);
	free(p->queue);
	pthread_cond_destroy(&p->done);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->mu);
}

/*
 * ThreadPoolExecutor(max_workers=k); returns -1 (errno set, nothing left
 * to release) when no thread started.
 */
static int pool_init(struct pool *p, int k, size_t max_tasks)
{
	memset(p, 0, sizeof *p);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	p->cap = max_tasks;
	p->queue = xcalloc(max_tasks, sizeof *p->queue);
	p->completed = xcalloc(max_tasks, sizeof *p->completed);
	p->workers = xcalloc((size_t)k, sizeof *p->workers);
	for (int i = 0; i < k; i++) {
		p->workers[i].pool = p;
		p->workers[i].id = i;
		int err = pthread_create(&p->workers[i].tid, NULL, worker_main, &p->workers[i]);
		if (err) {
			errno = err;
			break;
		}
		p->nworkers++;
	}
	if (!p->nworkers) {
		pool_release(p);
		return -1;
	}
	return 0;
}

/* executor.submit(fn): queues the future's task. */
static void pool_submit(struct pool *p, struct future *f)
{
	pthread_mutex_lock(&p->mu);
	f->state = F_PENDING;
	f->t_submit = demo_now();
	p->queue[p->tail++] = f;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
}

/*
 * future.result(): waits until f is finished.  Returns 0 with *result set,
 * or -1 when the task raised (the exception is in f->exception) or the wait
 * was cut short by a stop request.
 */
static int future_result(struct pool *p, struct future *f, long *result)
{
	pthread_mutex_lock(&p->mu);
	while (f->state != F_FINISHED && f->state != F_CANCELLED && !demo_stopping()) {
		struct timespec ts = demo_deadline_ms(20);
		pthread_cond_timedwait(&p->done, &p->mu, &ts);
	}
	bool ok = f->state == F_FINISHED && !f->exception[0];
	if (ok)
		*result = f->result;
	pthread_mutex_unlock(&p->mu);
	return ok ? 0 : -1;
}

/*
 * as_completed(): the n-th future to finish (0-based), waiting for it;
 * NULL when stopped.
 */
static struct future *pool_completed(struct pool *p, int n)
{
	struct future *f = NULL;
	pthread_mutex_lock(&p->mu);
	while (p->ncompleted <= n && !demo_stopping()) {
		struct timespec ts = demo_deadline_ms(20);
		pthread_cond_timedwait(&p->done, &p->mu, &ts);
	}
	if (p->ncompleted > n)
		f = p->completed[n];
	pthread_mutex_unlock(&p->mu);
	return f;
}

/*
 * executor.shutdown(wait=True, cancel_futures=cancel): no more work; the
 * workers finish the queue (or drop it when cancel) and are joined.
 */
static void pool_shutdown(struct pool *p, bool cancel)
{
	pthread_mutex_lock(&p->mu);
	p->shutdown = true;
	if (cancel)
		for (size_t i = p->head; i < p->tail; i++)
			if (p->queue[i]->state == F_PENDING)
				p->queue[i]->state = F_CANCELLED;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->nworkers; i++)
		pthread_join(p->workers[i].tid, NULL);
	p->nworkers = 0;
}

/* A JSON array of ints. */
static void json_ints(struct demo *d, const char *path, const int *v, int n)
{
	struct demo_buf s = {0};
	demo_buf_puts(&s, "[");
	for (int i = 0; i < n; i++)
		demo_buf_printf(&s, "%s%d", i ? ", " : "", v[i]);
	demo_buf_puts(&s, "]");
	demo_json_raw(d, path, s.s);
	demo_buf_release(&s);
}

static void print_order(struct demo *d, const char *label, const int *v, int n)
{
	demo_print(d, "  %-22s", label);
	for (int i = 0; i < n && i < 24; i++)
		demo_print(d, " %d", v[i]);
	demo_print(d, "%s\n", n > 24 ? " ..." : "");
}

/* The run: the pool, the futures, and the orders the report compares. */
struct run {
	struct demo *d;
	int n, k, nvar;                 /* tasks, workers, tasks of different lengths */
	long ms, fail;
	struct future *fs;              /* n equal tasks, then nvar varied ones */
	int *completion, *map_order, *subm;
	struct pool pool;
	bool pool_up;
	double t0, c0, wall, cpu, expected;
	int ok, delivered, raised_task, nmap;
	/* the varied tasks */
	double t1;
	int vcomp[6], vmap[6], nvmap;
	double dur[6], vdone[6], vgot[6];
};

static int start_pool(struct run *r, int k, size_t max_tasks)
{
	if (pool_init(&r->pool, k, max_tasks) < 0) {
		fprintf(stderr, "demo-thread-pool: error: could not start the pool: %s\n",
			strerror(errno));
		return -1;
	}
	r->pool_up = true;
	return 0;
}

static int step_start(struct run *r)
{
	if (start_pool(r, r->k, (size_t)(r->n + r->nvar)) < 0)
		return -1;
	if (r->pool.nworkers < r->k)
		fprintf(stderr, "demo-thread-pool: only %d of %d workers started\n",
			r->pool.nworkers, r->k);
	r->k = r->pool.nworkers;
	return 0;
}

/* ---- N equal waits on k workers ---- */

static int step_submit(struct run *r)
{
	struct demo *d = r->d;
	int n = r->n, k = r->k;
	bool fails = r->fail >= 0 && r->fail < n;
	demo_print(d, "with ThreadPoolExecutor(max_workers=%d) as ex:\n"
		   "    futures = [ex.submit(task, i) for i in range(%d)]   "
		   "# each waits %ld ms, returns i * i%s\n\n",
		   k, n, r->ms, fails ? "" : "; none raises");
	if (fails)
		demo_print(d, "    (task %ld raises ValueError instead)\n\n", r->fail);
	r->t0 = demo_now();
	r->c0 = demo_cpu_s(RUSAGE_SELF);
	r->pool.tl = demo_timeline_new(k, r->t0);
	for (int i = 0; i < k; i++) {
		char label[32];
		snprintf(label, sizeof label, "worker %d", i + 1);
		demo_timeline_label(r->pool.tl, i, label);
	}
	for (int i = 0; i < n; i++) {
		r->fs[i].task = i;
		r->fs[i].wait_ms = (double)r->ms;
		r->fs[i].raises = i == r->fail;
		pool_submit(&r->pool, &r->fs[i]);
	}
	return 0;
}

/* as_completed(futures), then [f.result() for f in futures] */
static int step_collect(struct run *r)
{
	int n = r->n;
	for (int i = 0; i < n; i++) {
		struct future *f = pool_completed(&r->pool, i);
		if (!f)
			return 1;
		r->completion[i] = f->task;
		demo_progress(r->d, "  as_completed: task %d finished on worker %d after %.0f ms%s",
			      f->task, f->worker + 1, (f->t_end - r->t0) * 1e3,
			      f->exception[0] ? " (raised)" : "");
	}
	r->wall = demo_now() - r->t0;
	r->cpu = demo_cpu_s(RUSAGE_SELF) - r->c0;
	r->raised_task = -1;
	for (int i = 0; i < n; i++) {
		long res = 0;
		r->subm[i] = i;
		if (future_result(&r->pool, &r->fs[i], &res) == 0) {
			/* which task's result came back: i * i gives i */
			int who = (int)llround(sqrt((double)res));
			r->map_order[r->nmap++] = who;
			r->ok += who == i;
		} else if (r->fs[i].exception[0]) {
			r->map_order[r->nmap++] = i;
			r->delivered++;
			r->raised_task = i;
		}
	}
	if (demo_stopping())
		return 1;
	r->expected = ceil((double)n / r->k) * (double)r->ms / 1000;
	return 0;
}

static int step_report(struct run *r)
{
	struct demo *d = r->d;
	int n = r->n, k = r->k;
	demo_print(d, "\n  %-30s %10.3f s\n", "wall time, measured", r->wall);
	demo_print(d, "  %-30s %10.3f s   (ceil(%d / %d) = %d rounds of %ld ms)\n",
		   "expected", r->expected, n, k, (int)ceil((double)n / k), r->ms);
	demo_print(d, "  %-30s %10.3f s\n", "one after another would take",
		   (double)n * (double)r->ms / 1000);
	demo_print(d, "  %-30s %10d\n", "most tasks running at once", r->pool.max_running);
	demo_print(d, "  %-30s %10.1f ms\n", "CPU time used", r->cpu * 1e3);
	demo_print(d, "\nWho ran what (one letter per task: a = task 0, b = task 1, ...):\n");
	demo_timeline_draw(d, r->pool.tl, demo_now(), 60,
			   "a letter is the task a worker runs, ! the one that raised");
	demo_print(d, "\n");
	print_order(d, "submission order:", r->subm, n);
	print_order(d, "as_completed order:", r->completion, n);
	print_order(d, "result() in order:", r->map_order, r->nmap);
	return 0;
}

static int step_json(struct run *r)
{
	struct demo *d = r->d;
	int n = r->n, k = r->k;
	demo_json_num(d, "wall_s", r->wall);
	demo_json_num(d, "expected_s", r->expected);
	demo_json_num(d, "serial_s", (double)n * (double)r->ms / 1000);
	demo_json_num(d, "cpu_s", r->cpu);
	demo_json_int(d, "workers_started", k);
	demo_json_int(d, "max_running", r->pool.max_running);
	demo_json_int(d, "results_ok", r->ok);
	json_ints(d, "order.submission", r->subm, n);
	json_ints(d, "order.completion", r->completion, n);
	json_ints(d, "order.map", r->map_order, r->nmap);
	int *ran = xcalloc((size_t)k, sizeof *ran);
	for (int i = 0; i < k; i++)
		ran[i] = r->pool.workers[i].ran;
	json_ints(d, "tasks_per_worker", ran, k);
	free(ran);
	return 0;
}

/* ---- the exception ---- */

static int step_exception(struct run *r)
{
	struct demo *d = r->d;
	if (r->raised_task >= 0) {
		int t = r->raised_task;
		struct future *f = &r->fs[t];
		struct worker *w = &r->pool.workers[f->worker];
		demo_print(d, "\nTask %d raised; the exception waited in its future: "
			   "futures[%d].result() raised %s.\n", t, t, f->exception);
		demo_print(d, "The other %d results were fine; worker %d, which ran "
			   "it, went on to run %d more task%s.\n", r->ok, f->worker + 1,
			   w->ran_after_exception, w->ran_after_exception == 1 ? "" : "s");
		demo_json_int(d, "exception.task", t);
		demo_json_str(d, "exception.message", f->exception);
		demo_json_int(d, "exception.worker_ran_after", w->ran_after_exception);
	}
	demo_json_int(d, "exception.delivered", r->delivered);
	return 0;
}

/* ---- tasks of different lengths: completion against submission ---- */

/* A fresh pool of nvar workers; the longest task submitted first. */
static int step_varied_submit(struct run *r)
{
	pool_shutdown(&r->pool, false);
	demo_timeline_free(r->pool.tl);
	r->pool.tl = NULL;
	pool_release(&r->pool);
	r->pool_up = false;
	if (start_pool(r, r->nvar, (size_t)r->nvar) < 0)
		return -1;
	struct future *vf = r->fs + r->n;
	demo_print(r->d, "\nNow %d tasks of different lengths on %d workers, the longest "
		   "submitted first:", r->nvar, r->pool.nworkers);
	r->t1 = demo_now();
	for (int i = 0; i < r->nvar; i++) {
		vf[i].task = i;
		vf[i].wait_ms = (double)r->ms * (r->nvar - i) / r->nvar;
		r->dur[i] = vf[i].wait_ms;
		demo_print(r->d, " %.0f", vf[i].wait_ms);
		pool_submit(&r->pool, &vf[i]);
	}
	demo_print(r->d, " ms\n");
	return 0;
}

static int step_varied_collect(struct run *r)
{
	struct demo *d = r->d;
	struct future *vf = r->fs + r->n;
	int nvar = r->nvar;
	for (int i = 0; i < nvar; i++) {
		struct future *f = pool_completed(&r->pool, i);
		if (!f)
			return 1;
		r->vcomp[i] = f->task;
		r->vdone[i] = (f->t_end - r->t1) * 1e3;
	}
	/* ex.map(): results in submission order, each when it is ready */
	for (int i = 0; i < nvar; i++) {
		long res;
		if (future_result(&r->pool, &vf[i], &res) < 0)
			return 1;
		r->vmap[r->nvmap++] = (int)llround(sqrt((double)res));
		r->vgot[i] = (demo_now() - r->t1) * 1e3;
	}
	print_order(d, "as_completed order:", r->vcomp, nvar);
	print_order(d, "ex.map order:", r->vmap, r->nvmap);
	demo_print(d, "  %-22s", "finished at ms:");
	for (int i = 0; i < nvar; i++)
		demo_print(d, " %.0f", r->vdone[i]);
	demo_print(d, "  (in completion order)\n");
	json_ints(d, "varied.order.completion", r->vcomp, nvar);
	json_ints(d, "varied.order.map", r->vmap, r->nvmap);
	demo_json_nums(d, "varied.wait_ms", r->dur, (size_t)nvar);
	demo_json_nums(d, "varied.finished_ms", r->vdone, (size_t)nvar);
	demo_json_nums(d, "varied.map_got_ms", r->vgot, (size_t)nvar);
	return 0;
}

static int step_shutdown(struct run *r)
{
	struct demo *d = r->d;
	double ts = demo_now();
	pool_shutdown(&r->pool, false);
	demo_json_num(d, "shutdown_s", demo_now() - ts);
	demo_print(d, "  (ex.map gave its first result, task 0's, at %.0f ms, after "
		   "the longest wait, and its last at %.0f ms)\n", r->vgot[0],
		   r->vgot[r->nvar - 1]);
	demo_print(d, "\nIn Python terms: %d tasks that each wait %ld ms took %.3f s on %d "
		   "workers (ceil(N/k) x %ld ms = %.3f s), because waiting threads "
		   "overlap; as_completed() hands results over as they finish, map() in "
		   "submission order; an exception stays in its future until result() "
		   "raises it, and the worker thread carries on.\n",
		   r->n, r->ms, r->wall, r->k, r->ms, r->expected);
	return 0;
}

int main(int argc, char **argv)
{
	long tasks = 10, workers = 4, ms = 100, fail = 3;
	struct demo_param params[] = {
		DEMO_INT("tasks", &tasks, 1, 1000, "tasks submitted"),
		DEMO_INT("workers", &workers, 1, 64, "worker threads: max_workers"),
		DEMO_INT("ms", &ms, 1, 2000, "how long each task waits, in ms"),
		DEMO_INT("fail", &fail, -1, 999,
			 "the task that raises an exception (-1: none)"),
		DEMO_PARAMS_END
	};
	struct demo d;
	demo_init(&d, "thread-pool",
		  "ThreadPoolExecutor semantics: N waiting tasks on k workers, results "
		  "in completion against submission order, an exception in a future.",
		  params, argc, argv);

	static int (*const steps[])(struct run *) = {
		step_start, step_submit, step_collect, step_report, step_json,
		step_exception, step_varied_submit, step_varied_collect, step_shutdown,
	};
	int n = (int)tasks;
	struct run r = {
		.d = &d, .n = n, .k = (int)workers, .ms = ms, .fail = fail,
		.nvar = n < 6 ? (n < 2 ? 2 : n) : 6,
	};
	r.fs = xcalloc((size_t)(n + r.nvar), sizeof *r.fs);
	int *ord = xcalloc((size_t)(n + r.nvar) * 3, sizeof *ord);
	r.completion = ord;
	r.map_order = ord + n;
	r.subm = ord + 2 * n;
	int status = 0;
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		int rc = steps[i](&r);
		if (rc < 0)
			status = 1;             /* the step said why */
		if (rc)
			break;
	}
	if (r.pool_up) {
		pool_shutdown(&r.pool, true);
		demo_timeline_free(r.pool.tl);
		pool_release(&r.pool);
	}
	free(ord);
	free(r.fs);
	int fin = demo_finish(&d);
	return status ? status : fin;
}
