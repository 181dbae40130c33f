/*
 * blocking: N tasks that each wait D ms, four ways, and what a blocking call
 * inside an event loop does to everyone else.
 *
 *   hard     the tasks one after the other on one thread, each a blocking
 *            sleep (time.sleep, requests.get): about N x D;
 *   soft     the tasks as coroutines on a single-threaded event loop: each
 *            "await asyncio.sleep(D)" puts a timer on the loop's heap and
 *            yields; the loop sleeps in epoll_wait until the earliest timer
 *            is due (as asyncio's loop does when every task waits): about D;
 *   threads  one thread per task, each blocking in its own sleep: about D,
 *            at the price of N threads (their memory is measured);
 *   blocker  the soft run again, plus one task that awaits D/2 and then
 *            calls a blocking sleep of B ms inside the loop (time.sleep in a
 *            coroutine): the loop cannot run anything else until it returns,
 *            so every other task's timer fires late, and each task's
 *            lateness is measured.
 * Lateness is when a task finished against when it would have finished with
 * nothing in its way: run start + D.  It does not model real I/O: every wait
 * is a timer, which is what a wait looks like to the thread that waits.
 */
#include "demolib.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define SHOWN_ROWS 10   /* timeline rows: the first tasks (and the blocker) */

/*
 * A blocking sleep until an absolute monotonic time.  It wakes every 50 ms
 * only to notice a stop request; to the thread it is one long blocking call.
 */
static void block_until(double deadline)
{
	for (;;) {
		double left = deadline - demo_now();
		if (left <= 0 || demo_stopping())
			return;
		double until = left > 0.05 ? demo_now() + 0.05 : deadline;
		struct timespec ts;
		ts.tv_sec = (time_t)until;
		ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
		if (ts.tv_nsec >= 1000000000L)
			ts.tv_nsec = 999999999L;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
}

struct task {
	int id;
	bool blocker;           /* awaits D/2, then blocks the loop */
	int step;               /* the coroutine's resume point */
	double deadline;        /* its timer, while it awaits one */
	double started, woke, finished;
};

/* ---- a single-threaded event loop: ready queue, timer heap, epoll ---- */

struct timer {
	double when;
	unsigned long seq;      /* FIFO among equal deadlines, as heapq's tuples */
	int task;
};

struct loop {
	int epfd;
	int *ready;             /* ring buffer of task indices */
	size_t rhead, rlen, rcap;
	struct timer *heap;
	size_t nheap;
	unsigned long seq;
	long wakeups;           /* epoll_wait calls */
	double ms, block_ms;
	struct task *tasks;
	struct demo_timeline *tl;
};

static void ready_push(struct loop *l, int t)
{
	l->ready[(l->rhead + l->rlen++) % l->rcap] = t;
}

static int ready_pop(struct loop *l)
{
	int t = l->ready[l->rhead];
	l->rhead = (l->rhead + 1) % l->rcap;
	l->rlen--;
	return t;
}

static bool timer_less(const struct timer *a, const struct timer *b)
{
	return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void heap_push(struct loop *l, double when, int task)
{
	size_t i = l->nheap++;
	l->heap[i] = (struct timer){when, l->seq++, task};
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!timer_less(&l->heap[i], &l->heap[p]))
			break;
		struct timer t = l->heap[i];
		l->heap[i] = l->heap[p];
		l->heap[p] = t;
		i = p;
	}
}

static struct timer heap_pop(struct loop *l)
{
	struct timer top = l->heap[0];
	l->heap[0] = l->heap[--l->nheap];
	size_t i = 0;
	for (;;) {
		size_t a = 2 * i + 1, b = a + 1, m = i;
		if (a < l->nheap && timer_less(&l->heap[a], &l->heap[m]))
			m = a;
		if (b < l->nheap && timer_less(&l->heap[b], &l->heap[m]))
			m = b;
		if (m == i)
			break;
		struct timer t = l->heap[i];
		l->heap[i] = l->heap[m];
		l->heap[m] = t;
		i = m;
	}
	return top;
}

/*
 * One step of a task's coroutine: runs until its next await.  Returns true
 * when the task has finished.
 *
 *	async def task():                  async def blocker():
 *	    await asyncio.sleep(D)             await asyncio.sleep(D / 2)
 *	                                       time.sleep(B)   # the mistake
 */
static bool task_step(struct loop *l, struct task *t)
{
	double now = demo_now();
	switch (t->step) {
	case 0:
		t->started = now;
		t->deadline = now + (t->blocker ? l->ms / 2 : l->ms) / 1000;
		heap_push(l, t->deadline, t->id);
		t->step = 1;
		return false;
	case 1:
		t->woke = now;
		if (t->blocker) {
			block_until(now + l->block_ms / 1000);
			if (l->tl)
				demo_timeline_add(l->tl, SHOWN_ROWS, now, demo_now(), 'X');
		}
		t->finished = demo_now();
		return true;
	}
	return true;
}

/*
 * Runs every task to completion, as asyncio's run_once(): run what is
 * ready now (not what becomes ready meanwhile), then wait in epoll_wait for
 * the earliest timer, then move the timers that are due to the ready queue.
 */
static int loop_run(struct loop *l, int ntasks)
{
	int left = ntasks;
	struct epoll_event ev[8];
	for (int i = 0; i < ntasks; i++)
		ready_push(l, i);
	while (left > 0 && !demo_stopping()) {
		size_t n = l->rlen;
		while (n--) {
			int i = ready_pop(l);
			if (task_step(l, &l->tasks[i]))
				left--;
		}
		if (left == 0)
			break;
		int timeout = -1;
		if (l->rlen)
			timeout = 0;
		else if (l->nheap) {
			/* milliseconds, rounded up, as asyncio's epoll selector */
			double wait = l->heap[0].when - demo_now();
			timeout = wait <= 0 ? 0 : (int)ceil(wait * 1000);
		}
		/*
		 * A stop request interrupts epoll_wait (EINTR) in this, the
		 * only thread; the cap is only a guard.
		 */
		if (timeout < 0 || timeout > 1000)
			timeout = 1000;
		l->wakeups++;
		if (epoll_wait(l->epfd, ev, 8, timeout) < 0 && errno != EINTR)
			return -1;
		double now = demo_now();
		while (l->nheap && l->heap[0].when <= now)
			ready_push(l, heap_pop(l).task);
	}
	return 0;
}

/* ---- one thread per task ---- */

struct sleeper {
	pthread_t tid;
	struct task *t;
	double ms;
	atomic_int *up;
};

static void *sleeper_main(void *arg)
{
	struct sleeper *s = arg;
	s->t->started = demo_now();
	atomic_fetch_add(s->up, 1);
	block_until(s->t->started + s->ms / 1000);
	s->t->finished = s->t->woke = demo_now();
	return NULL;
}

/* ---- results ---- */

struct result {
	double wall_s, cpu_s;
	double max_late_ms, mean_late_ms;
	long late;              /* tasks later than the threshold */
	int done;
};

/* Lateness of the non-blocker tasks against t0 + D. */
static void summarise(struct result *r, const struct task *tasks, int n,
		      double t0, double ms, double threshold_ms)
{
	double sum = 0;
	int cnt = 0;
	r->max_late_ms = 0;
	r->late = 0;
	r->done = 0;
	for (int i = 0; i < n; i++) {
		if (tasks[i].finished > 0)
			r->done++;
		if (tasks[i].blocker || !(tasks[i].finished > 0))
			continue;
		double late = (tasks[i].finished - (t0 + ms / 1000)) * 1000;
		if (late < 0)
			late = 0;
		if (late > r->max_late_ms)
			r->max_late_ms = late;
		if (late > threshold_ms)
			r->late++;
		sum += late;
		cnt++;
	}
	r->mean_late_ms = cnt ? sum / cnt : 0;
}

static struct demo_timeline *new_timeline(int rows, double t0, bool blocker_row)
{
	struct demo_timeline *tl = demo_timeline_new(rows + (blocker_row ? 1 : 0), t0);
	for (int i = 0; i < rows; i++) {
		char label[32];
		snprintf(label, sizeof label, "task %d", i + 1);
		demo_timeline_label(tl, i, label);
	}
	if (blocker_row)
		demo_timeline_label(tl, rows, "blocker");
	return tl;
}

/* Rows for the soft runs: z awaiting its timer, ! due but the loop is busy. */
static void soft_rows(struct demo_timeline *tl, const struct task *tasks, int n,
		      int shown)
{
	for (int i = 0, row = 0; i < n; i++) {
		const struct task *t = &tasks[i];
		int r = t->blocker ? SHOWN_ROWS : row++;
		if (!t->blocker && row > shown)
			continue;
		if (!(t->finished > 0))
			continue;
		demo_timeline_add(tl, r, t->started, t->deadline, 'z');
		demo_timeline_add(tl, r, t->deadline, t->woke, '!');
	}
}

static void table_row(struct demo *d, const char *name, const struct result *r)
{
	demo_print(d, "  %-30s %8.3f s %10.1f ms %10.1f ms %8.3f s\n", name,
		   r->wall_s, r->max_late_ms, r->mean_late_ms, r->cpu_s);
}

/* The run: the tasks, the loop, and the four results the table compares. */
struct run {
	struct demo *d;
	int n, shown;
	long ms, block_ms;
	struct task *tasks;             /* n, and the blocker */
	struct sleeper *sl;
	struct loop l;
	struct demo_timeline *tl;
	struct result hard, soft, thr, blk;
	long soft_wakeups;
	long rss0, vm0, rss1, vm1;      /* before the threads, and while they all exist */
	double late_ms;                 /* the threshold of "late" beside the blocker */
};

static int step_intro(struct run *r)
{
	demo_print(r->d, "%d tasks, each waiting %ld ms, four ways: in sequence with "
		   "a blocking sleep; as coroutines on one event loop; one thread "
		   "each; and on the loop again beside one task that calls a "
		   "blocking sleep of %ld ms inside it.\n\n", r->n, r->ms, r->block_ms);
	return 0;
}

/* 1. hard blocking, one after the other */
static int step_hard(struct run *r)
{
	struct demo *d = r->d;
	struct task *tasks = r->tasks;
	double c0 = demo_cpu_s(RUSAGE_SELF);
	double t0 = demo_now();
	r->tl = new_timeline(r->shown, t0, false);
	for (int i = 0; i < r->n && !demo_stopping(); i++) {
		demo_progress(d, "hard: task %d/%d blocks in sleep(%g) ...", i + 1,
			      r->n, r->ms / 1000.0);
		tasks[i] = (struct task){.id = i};
		tasks[i].started = demo_now();
		block_until(tasks[i].started + r->ms / 1000.0);
		tasks[i].finished = tasks[i].woke = demo_now();
		if (i < r->shown) {
			demo_timeline_add(r->tl, i, t0, tasks[i].started, '.');
			demo_timeline_add(r->tl, i, tasks[i].started, tasks[i].finished, 'z');
		}
	}
	r->hard.wall_s = demo_now() - t0;
	r->hard.cpu_s = demo_cpu_s(RUSAGE_SELF) - c0;
	summarise(&r->hard, tasks, r->n, t0, (double)r->ms, r->ms / 2.0);
	if (demo_stopping())
		return 1;
	demo_print(d, "hard blocking, in sequence (first %d tasks):\n", r->shown);
	demo_timeline_draw(d, r->tl, t0 + r->hard.wall_s, 60,
			   "z blocked in its sleep, . waiting its turn");
	demo_timeline_free(r->tl);
	r->tl = NULL;
	return 0;
}

/* 2. soft blocking on the event loop */
static int step_soft(struct run *r)
{
	struct loop *l = &r->l;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		return -1;
	l->ms = (double)r->ms;
	l->block_ms = (double)r->block_ms;
	l->tasks = r->tasks;
	for (int i = 0; i < r->n; i++)
		r->tasks[i] = (struct task){.id = i};
	demo_progress(r->d, "soft: %d coroutines await sleep(%g) on one loop ...", r->n,
		      r->ms / 1000.0);
	double c0 = demo_cpu_s(RUSAGE_SELF);
	double t0 = demo_now();
	if (loop_run(l, r->n) < 0)
		return -1;
	r->soft.wall_s = demo_now() - t0;
	r->soft.cpu_s = demo_cpu_s(RUSAGE_SELF) - c0;
	summarise(&r->soft, r->tasks, r->n, t0, (double)r->ms, r->block_ms / 4.0);
	r->soft_wakeups = l->wakeups;
	return demo_stopping();
}

/* 3. one thread per task */
static int step_threads(struct run *r)
{
	int n = r->n;
	struct task *tasks = r->tasks;
	demo_progress(r->d, "threads: %d threads each block in sleep(%g) ...", n,
		      r->ms / 1000.0);
	atomic_int up = 0;
	r->rss0 = demo_status_kib("VmRSS");
	r->vm0 = demo_status_kib("VmSize");
	double c0 = demo_cpu_s(RUSAGE_SELF);
	double t0 = demo_now();
	int started = 0;
	for (; started < n; started++) {
		tasks[started] = (struct task){.id = started};
		r->sl[started] = (struct sleeper){.t = &tasks[started], .ms = (double)r->ms,
						  .up = &up};
		if (pthread_create(&r->sl[started].tid, NULL, sleeper_main, &r->sl[started]))
			break;
	}
	/* Memory while they all exist (each has its stack until joined). */
	while (atomic_load(&up) < started && demo_now() - t0 < r->ms / 1000.0)
		demo_sleep_ms(0.2);
	r->rss1 = demo_status_kib("VmRSS");
	r->vm1 = demo_status_kib("VmSize");
	for (int i = 0; i < started; i++)
		pthread_join(r->sl[i].tid, NULL);
	r->thr.wall_s = demo_now() - t0;
	r->thr.cpu_s = demo_cpu_s(RUSAGE_SELF) - c0;
	if (started < n) {
		errno = EAGAIN;
		return -1;
	}
	summarise(&r->thr, tasks, n, t0, (double)r->ms, r->block_ms / 4.0);
	return demo_stopping();
}

/* 4. the soft run with one hard-blocking task inside the loop */
static int step_blocker(struct run *r)
{
	struct demo *d = r->d;
	struct loop *l = &r->l;
	int n = r->n;
	demo_progress(d, "blocker: the same loop, one task calls sleep(%g) "
		      "inside it ...", r->block_ms / 1000.0);
	for (int i = 0; i <= n; i++)
		r->tasks[i] = (struct task){.id = i, .blocker = i == n};
	l->rhead = l->rlen = l->nheap = 0;
	l->wakeups = 0;
	double c0 = demo_cpu_s(RUSAGE_SELF);
	double t0 = demo_now();
	r->tl = new_timeline(r->shown, t0, true);
	l->tl = r->tl;
	if (loop_run(l, n + 1) < 0)
		return -1;
	r->blk.wall_s = demo_now() - t0;
	r->blk.cpu_s = demo_cpu_s(RUSAGE_SELF) - c0;
	/* Late: more than half of what the blocking call can cost the others. */
	double expect_late = r->block_ms - r->ms / 2.0;
	r->late_ms = expect_late > 0 ? expect_late / 2 : r->ms / 2.0;
	summarise(&r->blk, r->tasks, n + 1, t0, (double)r->ms, r->late_ms);
	if (demo_stopping())
		return 1;
	soft_rows(r->tl, r->tasks, n + 1, r->shown);

	demo_print(d, "\nthe loop with one blocking call in it (first %d tasks "
		   "and the blocker):\n", r->shown);
	demo_timeline_draw(d, r->tl, t0 + r->blk.wall_s, 60,
			   "z awaits its timer, ! due but the loop is blocked, "
			   "X blocks the loop");
	return 0;
}

static int step_table(struct run *r)
{
	struct demo *d = r->d;
	int n = r->n;
	demo_print(d, "\n  %-30s %10s %13s %13s %10s\n", "", "wall",
		   "max late", "mean late", "CPU");
	table_row(d, "hard, in sequence", &r->hard);
	table_row(d, "soft, one event loop", &r->soft);
	table_row(d, "one thread per task", &r->thr);
	table_row(d, "soft + one blocking call", &r->blk);
	double rss = (double)(r->rss1 - r->rss0), vm = (double)(r->vm1 - r->vm0);
	demo_print(d, "  %d threads held %.0f KiB of resident memory and %.1f MiB "
		   "of address space (%.1f KiB and %.0f KiB each); the loop "
		   "woke %ld times for %d tasks.\n", n, rss, vm / 1024.0,
		   rss / n, vm / n, r->soft_wakeups, n);
	demo_print(d, "  With the blocking call, %ld of the %d other tasks "
		   "finished more than %.0f ms late.\n", r->blk.late, n, r->late_ms);
	return 0;
}

static int step_json(struct run *r)
{
	struct demo *d = r->d;
	const struct result *hard = &r->hard, *soft = &r->soft, *thr = &r->thr,
			    *blk = &r->blk;
	demo_json_num(d, "wall_s.hard", hard->wall_s);
	demo_json_num(d, "wall_s.soft", soft->wall_s);
	demo_json_num(d, "wall_s.threads", thr->wall_s);
	demo_json_num(d, "wall_s.soft_with_blocker", blk->wall_s);
	demo_json_num(d, "max_lateness_ms.hard", hard->max_late_ms);
	demo_json_num(d, "max_lateness_ms.soft", soft->max_late_ms);
	demo_json_num(d, "max_lateness_ms.threads", thr->max_late_ms);
	demo_json_num(d, "max_lateness_ms.soft_with_blocker", blk->max_late_ms);
	demo_json_num(d, "mean_lateness_ms.hard", hard->mean_late_ms);
	demo_json_num(d, "mean_lateness_ms.soft", soft->mean_late_ms);
	demo_json_num(d, "mean_lateness_ms.threads", thr->mean_late_ms);
	demo_json_num(d, "mean_lateness_ms.soft_with_blocker", blk->mean_late_ms);
	demo_json_int(d, "late_tasks.soft_with_blocker", blk->late);
	demo_json_num(d, "cpu_s.hard", hard->cpu_s);
	demo_json_num(d, "cpu_s.soft", soft->cpu_s);
	demo_json_num(d, "cpu_s.threads", thr->cpu_s);
	demo_json_num(d, "cpu_s.soft_with_blocker", blk->cpu_s);
	demo_json_int(d, "tasks_done.hard", hard->done);
	demo_json_int(d, "tasks_done.soft", soft->done);
	demo_json_int(d, "tasks_done.threads", thr->done);
	demo_json_int(d, "tasks_done.soft_with_blocker", blk->done);
	demo_json_int(d, "loop_wakeups.soft", r->soft_wakeups);
	demo_json_int(d, "loop_wakeups.soft_with_blocker", r->l.wakeups);
	demo_json_num(d, "threads_memory_kib.rss", (double)(r->rss1 - r->rss0));
	demo_json_num(d, "threads_memory_kib.virtual", (double)(r->vm1 - r->vm0));
	return 0;
}

static int step_summary(struct run *r)
{
	int n = r->n;
	double s = r->ms / 1000.0;
	demo_print(r->d, "\nIn Python terms: %d time.sleep(%g) calls in a row take "
		   "%.2f s (they add up); %d coroutines awaiting asyncio.sleep(%g) "
		   "on one loop take %.2f s with no thread each; %d threads take "
		   "%.2f s but cost a thread each; and one time.sleep(%g) inside a "
		   "coroutine froze the loop, so the other tasks finished up to "
		   "%.0f ms late: use await asyncio.sleep, or asyncio.to_thread "
		   "for a call that must block.\n",
		   n, s, r->hard.wall_s, n, s, r->soft.wall_s, n,
		   r->thr.wall_s, r->block_ms / 1000.0, r->blk.max_late_ms);
	return 0;
}

static void run_release(struct run *r)
{
	if (r->l.epfd >= 0)
		close(r->l.epfd);
	demo_timeline_free(r->tl);
	free(r->l.heap);
	free(r->l.ready);
	free(r->sl);
	free(r->tasks);
}

int main(int argc, char **argv)
{
	long ntasks = 10, ms = 200, block_ms = 300;
	struct demo_param params[] = {
		DEMO_INT("tasks", &ntasks, 1, 1000, "tasks, each waiting --ms"),
		DEMO_INT("ms", &ms, 1, 5000, "how long each task waits, in ms"),
		DEMO_INT("block-ms", &block_ms, 1, 5000,
			 "the blocker's blocking sleep inside the loop, in ms "
			 "(after it awaits ms/2)"),
		DEMO_PARAMS_END
	};
	struct demo d;
	demo_init(&d, "blocking",
		  "N tasks waiting D ms: hard-blocking in sequence, soft-blocking "
		  "on an event loop, one thread each, and one blocking call "
		  "inside the loop.",
		  params, argc, argv);

	static int (*const steps[])(struct run *) = {
		step_intro, step_hard, step_soft, step_threads, step_blocker,
		step_table, step_json, step_summary,
	};
	int n = (int)ntasks, status = 0;
	struct run r = {
		.d = &d, .n = n, .shown = n < SHOWN_ROWS ? n : SHOWN_ROWS,
		.ms = ms, .block_ms = block_ms,
		.l = {.epfd = -1, .rcap = (size_t)n + 1},
	};
	r.tasks = xcalloc((size_t)n + 1, sizeof *r.tasks);
	r.sl = xcalloc((size_t)n, sizeof *r.sl);
	r.l.ready = xcalloc(r.l.rcap, sizeof *r.l.ready);
	r.l.heap = xcalloc((size_t)n + 1, sizeof *r.l.heap);
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		int rc = steps[i](&r);
		if (rc < 0) {
			fprintf(stderr, "demo-blocking: error: %s\n", strerror(errno));
			status = 1;
		}
		if (rc)
			break;
	}
	run_release(&r);
	int fin = demo_finish(&d);
	return status ? status : fin;
}
