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

/* Sleeps ms in short slices so a stop request cuts it short. */
static void wait_ms(double ms)
{
	double end = demo_now() + ms / 1000;
	for (;;) {
		double left = (end - demo_now()) * 1000;
		if (left <= 0 || demo_stopping())
			return;
		demo_sleep_ms(left < 20 ? left : 20);
	}
}

/* The task: wait like I/O, then return task * task or raise ValueError. */
static void run_task(struct future *f)
{
	wait_ms(f->wait_ms);
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
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 20 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
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
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 20 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
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

	int n = (int)tasks, k = (int)workers;
	int nvar = n < 6 ? (n < 2 ? 2 : n) : 6;  /* the tasks of different lengths */
	struct future *fs = xcalloc((size_t)(n + nvar), sizeof *fs);
	int *ord = xcalloc((size_t)(n + nvar) * 3, sizeof *ord);
	struct pool pool;
	int status = 0;
	bool pool_up = false;
	if (pool_init(&pool, k, (size_t)(n + nvar)) < 0) {
		fprintf(stderr, "demo-thread-pool: error: could not start the pool: %s\n",
			strerror(errno));
		status = 1;
		goto out;
	}
	pool_up = true;
	if (pool.nworkers < k)
		fprintf(stderr, "demo-thread-pool: only %d of %d workers started\n",
			pool.nworkers, k);
	k = pool.nworkers;

	/* ---- N equal waits on k workers ---- */
	demo_print(&d, "with ThreadPoolExecutor(max_workers=%d) as ex:\n"
		   "    futures = [ex.submit(task, i) for i in range(%d)]   "
		   "# each waits %ld ms, returns i * i%s\n\n",
		   k, n, ms, fail >= 0 && fail < n ? "" : "; none raises");
	if (fail >= 0 && fail < n)
		demo_print(&d, "    (task %ld raises ValueError instead)\n\n", fail);
	double t0 = demo_now();
	double c0 = demo_cpu_s(RUSAGE_SELF);
	pool.tl = demo_timeline_new(k, t0);
	for (int i = 0; i < k; i++) {
		char label[32];
		snprintf(label, sizeof label, "worker %d", i + 1);
		demo_timeline_label(pool.tl, i, label);
	}
	for (int i = 0; i < n; i++) {
		fs[i].task = i;
		fs[i].wait_ms = (double)ms;
		fs[i].raises = i == fail;
		pool_submit(&pool, &fs[i]);
	}
	/* as_completed(futures) */
	int *completion = ord, *map_order = ord + n, *subm = ord + 2 * n;
	for (int i = 0; i < n; i++) {
		struct future *f = pool_completed(&pool, i);
		if (!f)
			goto out;
		completion[i] = f->task;
		demo_progress(&d, "  as_completed: task %d finished on worker %d after %.0f ms%s",
			      f->task, f->worker + 1, (f->t_end - t0) * 1e3,
			      f->exception[0] ? " (raised)" : "");
	}
	double wall = demo_now() - t0;
	double cpu = demo_cpu_s(RUSAGE_SELF) - c0;
	/* [f.result() for f in futures], in submission order */
	int ok = 0, delivered = 0, raised_task = -1, nmap = 0;
	for (int i = 0; i < n; i++) {
		long res = 0;
		subm[i] = i;
		if (future_result(&pool, &fs[i], &res) == 0) {
			/* which task's result came back: i * i gives i */
			int who = (int)llround(sqrt((double)res));
			map_order[nmap++] = who;
			ok += who == i;
		} else if (fs[i].exception[0]) {
			map_order[nmap++] = i;
			delivered++;
			raised_task = i;
		}
	}
	if (demo_stopping())
		goto out;
	double expected = ceil((double)n / k) * (double)ms / 1000;

	demo_print(&d, "\n  %-30s %10.3f s\n", "wall time, measured", wall);
	demo_print(&d, "  %-30s %10.3f s   (ceil(%d / %d) = %d rounds of %ld ms)\n",
		   "expected", expected, n, k, (int)ceil((double)n / k), ms);
	demo_print(&d, "  %-30s %10.3f s\n", "one after another would take",
		   (double)n * (double)ms / 1000);
	demo_print(&d, "  %-30s %10d\n", "most tasks running at once", pool.max_running);
	demo_print(&d, "  %-30s %10.1f ms\n", "CPU time used", cpu * 1e3);
	demo_print(&d, "\nWho ran what (one letter per task: a = task 0, b = task 1, ...):\n");
	demo_timeline_draw(&d, pool.tl, demo_now(), 60,
			   "a letter is the task a worker runs, ! the one that raised");
	demo_print(&d, "\n");
	print_order(&d, "submission order:", subm, n);
	print_order(&d, "as_completed order:", completion, n);
	print_order(&d, "result() in order:", map_order, nmap);

	demo_json_num(&d, "wall_s", wall);
	demo_json_num(&d, "expected_s", expected);
	demo_json_num(&d, "serial_s", (double)n * (double)ms / 1000);
	demo_json_num(&d, "cpu_s", cpu);
	demo_json_int(&d, "workers_started", k);
	demo_json_int(&d, "max_running", pool.max_running);
	demo_json_int(&d, "results_ok", ok);
	json_ints(&d, "order.submission", subm, n);
	json_ints(&d, "order.completion", completion, n);
	json_ints(&d, "order.map", map_order, nmap);
	{
		int *ran = xcalloc((size_t)k, sizeof *ran);
		for (int i = 0; i < k; i++)
			ran[i] = pool.workers[i].ran;
		json_ints(&d, "tasks_per_worker", ran, k);
		free(ran);
	}

	/* ---- the exception ---- */
	if (raised_task >= 0) {
		struct future *f = &fs[raised_task];
		struct worker *w = &pool.workers[f->worker];
		demo_print(&d, "\nTask %d raised; the exception waited in its future: "
			   "futures[%d].result() raised %s.\n", raised_task, raised_task,
			   f->exception);
		demo_print(&d, "The other %d results were fine; worker %d, which ran "
			   "it, went on to run %d more task%s.\n", ok, f->worker + 1,
			   w->ran_after_exception, w->ran_after_exception == 1 ? "" : "s");
		demo_json_int(&d, "exception.task", raised_task);
		demo_json_str(&d, "exception.message", f->exception);
		demo_json_int(&d, "exception.worker_ran_after", w->ran_after_exception);
	}
	demo_json_int(&d, "exception.delivered", delivered);

	/* ---- tasks of different lengths: completion against submission ---- */
	pool_shutdown(&pool, false);
	demo_timeline_free(pool.tl);
	pool.tl = NULL;
	pool_release(&pool);
	pool_up = false;
	if (pool_init(&pool, nvar, (size_t)nvar) < 0) {
		fprintf(stderr, "demo-thread-pool: error: could not start the pool: %s\n",
			strerror(errno));
		status = 1;
		goto out;
	}
	pool_up = true;
	struct future *vf = fs + n;
	int vcomp[6], vmap[6], nvmap = 0;
	double dur[6], vdone[6], vgot[6];
	demo_print(&d, "\nNow %d tasks of different lengths on %d workers, the longest "
		   "submitted first:", nvar, pool.nworkers);
	double t1 = demo_now();
	for (int i = 0; i < nvar; i++) {
		vf[i].task = i;
		vf[i].wait_ms = (double)ms * (nvar - i) / nvar;
		dur[i] = vf[i].wait_ms;
		demo_print(&d, " %.0f", vf[i].wait_ms);
		pool_submit(&pool, &vf[i]);
	}
	demo_print(&d, " ms\n");
	for (int i = 0; i < nvar; i++) {
		struct future *f = pool_completed(&pool, i);
		if (!f)
			goto out;
		vcomp[i] = f->task;
		vdone[i] = (f->t_end - t1) * 1e3;
	}
	/* ex.map(): results in submission order, each when it is ready */
	for (int i = 0; i < nvar; i++) {
		long res;
		if (future_result(&pool, &vf[i], &res) < 0)
			goto out;
		vmap[nvmap++] = (int)llround(sqrt((double)res));
		vgot[i] = (demo_now() - t1) * 1e3;
	}
	print_order(&d, "as_completed order:", vcomp, nvar);
	print_order(&d, "ex.map order:", vmap, nvmap);
	demo_print(&d, "  %-22s", "finished at ms:");
	for (int i = 0; i < nvar; i++)
		demo_print(&d, " %.0f", vdone[i]);
	demo_print(&d, "  (in completion order)\n");
	json_ints(&d, "varied.order.completion", vcomp, nvar);
	json_ints(&d, "varied.order.map", vmap, nvmap);
	demo_json_nums(&d, "varied.wait_ms", dur, (size_t)nvar);
	demo_json_nums(&d, "varied.finished_ms", vdone, (size_t)nvar);
	demo_json_nums(&d, "varied.map_got_ms", vgot, (size_t)nvar);

	double ts = demo_now();
	pool_shutdown(&pool, false);
	demo_json_num(&d, "shutdown_s", demo_now() - ts);
	demo_print(&d, "  (ex.map gave its first result, task 0's, at %.0f ms, after "
		   "the longest wait, and its last at %.0f ms)\n", vgot[0], vgot[nvar - 1]);
	demo_print(&d, "\nIn Python terms: %d tasks that each wait %ld ms took %.3f s on %d "
		   "workers (ceil(N/k) x %ld ms = %.3f s), because waiting threads "
		   "overlap; as_completed() hands results over as they finish, map() in "
		   "submission order; an exception stays in its future until result() "
		   "raises it, and the worker thread carries on.\n",
		   n, ms, wall, k, ms, expected);
out:
	if (pool_up) {
		pool_shutdown(&pool, true);
		demo_timeline_free(pool.tl);
		pool_release(&pool);
	}
	free(ord);
	free(fs);
	int fin = demo_finish(&d);
	return status ? status : fin;
}
