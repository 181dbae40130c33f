/*
 * event-loop: a small asyncio in C, to show what `async`/`await` are made of.
 *
 * A coroutine is a heap-allocated frame (its locals) plus a resume point,
 * stepped by a plain function: no thread and no private stack, as CPython's
 * coroutines are.  A task drives a chain of frames (the coroutine and the
 * coroutines it awaits directly) and is itself a future.  The loop is
 * CPython's BaseEventLoop._run_once: a FIFO ready queue of callbacks
 * (call_soon), a timer heap ordered by deadline only (the same sift
 * algorithm as heapq, so equal deadlines leave in the order CPython's leave),
 * and epoll_wait as the one place the thread sleeps.  On top: create_task,
 * sleep (sleep(0) is one bare yield), gather (arguments wrapped in tasks in
 * argument order, results in argument order).
 *
 * Built-in scenarios print the same lines in the same order as their twin
 * Python programs (tests/demos/event_loop_twins/) under CPython's asyncio;
 * then N sleeping tasks are gathered to measure the loop's overhead and the
 * memory of one task.  It deliberately has no sockets, no cancellation and
 * no exceptions: just enough to explain the scheduling order.
 */
#include "demolib.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

struct loop;
struct task;
struct coro;

/* ---- counted allocation (the figures of memory per task) ---- */

static void *loop_alloc(struct loop *L, size_t n);
static void *loop_grow(struct loop *L, void *p, size_t old, size_t n);
static void loop_free(struct loop *L, void *p, size_t n);

/* ---- the loop: ready queue, timer heap, epoll ---- */

/* A callback, as asyncio's Handle: fn(arg, fut). */
typedef void (*loop_cb)(struct loop *L, void *arg, void *fut);

struct handle {
	loop_cb fn;
	void *arg;
	void *fut;
};

/* A TimerHandle: compared by deadline only, as in asyncio. */
struct timer {
	int64_t when;           /* CLOCK_MONOTONIC nanoseconds */
	struct handle h;
};

enum task_state { TS_READY, TS_RUNNING, TS_SLEEPING, TS_AWAITING, TS_DONE };

/* Per-iteration timeline of a scenario: one row per task. */
#define ITL_ROWS 24
#define ITL_COLS 100

struct loop {
	struct demo *d;
	int epfd;
	struct handle *ready;           /* ring buffer */
	size_t rhead, rlen, rcap;
	struct timer *heap;
	size_t ntimers, hcap;
	int64_t unit_ns;                /* the scenarios' time unit */
	bool stopping;                  /* run_until_complete's stop() */
	bool trace;
	bool trace_detail;              /* a line per callback and per task event */
	struct task *tasks;             /* every task, newest first */
	struct gather *gathers;         /* every gather, newest first */
	/* scenario output, for the JSON "lines" array */
	char **lines;
	size_t nlines, lcap;
	/* figures */
	long long iterations, handles_run, timers_fired, epoll_waits;
	long long tasks_created, tasks_done;
	size_t max_ready;
	size_t alloc_now, alloc_peak;
	int64_t t_start;
	/* timelines */
	bool record;
	char itl[ITL_ROWS][ITL_COLS];
	int itl_rows;
	long long itl_cols;
	bool wall;                      /* record wall-time segments */
	struct seg { double a, b; int row; char st; } *segs;
	size_t nsegs, scap;
	struct demo_timeline *loop_tl;  /* the crowd run: loop busy or in epoll */
	double last_progress;
	/* the crowd run: how late tasks resumed past their deadlines */
	double late_max_ms, late_sum_ms;
	long long woke;
	/* names made at run time (spawn's task names), freed at close */
	char **names;
	size_t nnames, ncap;
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *loop_alloc(struct loop *L, size_t n)
{
	void *p = xcalloc(1, n);
	L->alloc_now += n;
	if (L->alloc_now > L->alloc_peak)
		L->alloc_peak = L->alloc_now;
	return p;
}

static void *loop_grow(struct loop *L, void *p, size_t old, size_t n)
{
	p = xrealloc(p, n);
	L->alloc_now += n - old;
	if (L->alloc_now > L->alloc_peak)
		L->alloc_peak = L->alloc_now;
	return p;
}

static void loop_free(struct loop *L, void *p, size_t n)
{
	if (!p)
		return;
	L->alloc_now -= n;
	free(p);
}

static void trace(struct loop *L, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void trace(struct loop *L, const char *fmt, ...)
{
	if (!L->trace)
		return;
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	demo_print(L->d, "      loop %+9.3f ms  %s\n",
		   (double)(now_ns() - L->t_start) / 1e6, buf);
}

/* A trace line about one task or callback: the scenarios only. */
#define dtrace(L, ...) do { if ((L)->trace_detail) trace((L), __VA_ARGS__); } while (0)

/* loop.call_soon(): append to the FIFO ready queue. */
static void call_soon(struct loop *L, loop_cb fn, void *arg, void *fut);

/* loop.call_at(): push a timer on the heap. */
static void call_at(struct loop *L, int64_t when, loop_cb fn, void *arg,
		    void *fut);

static void ready_push(struct loop *L, struct handle h)
{
	if (L->rlen == L->rcap) {
		size_t ncap = L->rcap ? L->rcap * 2 : 64;
		L->ready = loop_grow(L, L->ready, L->rcap * sizeof *L->ready,
				 ncap * sizeof *L->ready);
		/* unwrap: the part before rhead moves after the old end */
		if (L->rhead + L->rlen > L->rcap) {
			size_t wrapped = L->rhead + L->rlen - L->rcap;
			memcpy(L->ready + L->rcap, L->ready,
			       wrapped * sizeof *L->ready);
		}
		L->rcap = ncap;
	}
	L->ready[(L->rhead + L->rlen) & (L->rcap - 1)] = h;
	L->rlen++;
	if (L->rlen > L->max_ready)
		L->max_ready = L->rlen;
}

static struct handle ready_pop(struct loop *L)
{
	struct handle h = L->ready[L->rhead];
	L->rhead = (L->rhead + 1) & (L->rcap - 1);
	L->rlen--;
	return h;
}

/* heapq._siftdown, comparing deadlines only (TimerHandle.__lt__). */
static void heap_siftdown(struct timer *h, size_t startpos, size_t pos)
{
	struct timer newitem = h[pos];
	while (pos > startpos) {
		size_t parentpos = (pos - 1) >> 1;
		if (!(newitem.when < h[parentpos].when))
			break;
		h[pos] = h[parentpos];
		pos = parentpos;
	}
	h[pos] = newitem;
}

/* heapq._siftup: move the smaller child up to a leaf, then sift down. */
static void heap_siftup(struct timer *h, size_t endpos, size_t pos)
{
	size_t startpos = pos;
	struct timer newitem = h[pos];
	size_t childpos = 2 * pos + 1;
	while (childpos < endpos) {
		size_t rightpos = childpos + 1;
		if (rightpos < endpos && !(h[childpos].when < h[rightpos].when))
			childpos = rightpos;
		h[pos] = h[childpos];
		pos = childpos;
		childpos = 2 * pos + 1;
	}
	h[pos] = newitem;
	heap_siftdown(h, startpos, pos);
}

static void call_at(struct loop *L, int64_t when, loop_cb fn, void *arg,
		    void *fut)
{
	if (L->ntimers == L->hcap) {
		size_t ncap = L->hcap ? L->hcap * 2 : 64;
		L->heap = loop_grow(L, L->heap, L->hcap * sizeof *L->heap,
				ncap * sizeof *L->heap);
		L->hcap = ncap;
	}
	L->heap[L->ntimers] = (struct timer){when, {fn, arg, fut}};
	heap_siftdown(L->heap, 0, L->ntimers);
	L->ntimers++;
}

static struct timer heap_pop(struct loop *L)
{
	struct timer last = L->heap[--L->ntimers];
	if (!L->ntimers)
		return last;
	struct timer top = L->heap[0];
	L->heap[0] = last;
	heap_siftup(L->heap, L->ntimers, 0);
	return top;
}

/* ---- futures ---- */

struct callback {
	loop_cb fn;
	void *arg;
};

enum { FK_PLAIN, FK_TASK, FK_SLEEP, FK_GATHER };

struct future {
	bool done;
	unsigned char kind;             /* FK_*, for the trace */
	unsigned short nmore, capmore;
	void *result;
	struct callback first;          /* most futures have one waiter */
	struct callback *more;
};

/* Future.set_result: every done-callback goes to call_soon, in order. */
static void future_set_result(struct loop *L, struct future *f, void *v)
{
	f->done = true;
	f->result = v;
	if (f->first.fn)
		call_soon(L, f->first.fn, f->first.arg, f);
	for (unsigned i = 0; i < f->nmore; i++)
		call_soon(L, f->more[i].fn, f->more[i].arg, f);
	f->first.fn = NULL;
	loop_free(L, f->more, f->capmore * sizeof *f->more);
	f->more = NULL;
	f->nmore = f->capmore = 0;
}

/* Future.add_done_callback: a done future schedules it at once. */
static void future_add_done_callback(struct loop *L, struct future *f,
				     loop_cb fn, void *arg)
{
	if (f->done) {
		call_soon(L, fn, arg, f);
		return;
	}
	if (!f->first.fn) {
		f->first = (struct callback){fn, arg};
		return;
	}
	if (f->nmore == f->capmore) {
		unsigned ncap = f->capmore ? f->capmore * 2u : 2u;
		f->more = loop_grow(L, f->more, f->capmore * sizeof *f->more,
				ncap * sizeof *f->more);
		f->capmore = (unsigned short)ncap;
	}
	f->more[f->nmore++] = (struct callback){fn, arg};
}

/* ---- coroutines: frames with a resume point ---- */

enum { CO_DONE, CO_YIELD, CO_BLOCK, CO_CALL };

/* Steps a frame from its resume point to its next suspension or its end. */
typedef int (*coro_fn)(struct loop *L, struct task *t, struct coro *c);

struct coro {
	coro_fn fn;
	struct coro *caller;    /* the frame that awaits this one, same task */
	int pc;                 /* resume point: 0 at the start */
	unsigned size;          /* of the whole frame, for xfree */
};

/*
 * The coroutine statements.  A coroutine function is
 *   static int name(struct loop *L, struct task *t, struct coro *c)
 * whose locals that live across an await sit in its frame struct (which
 * starts with struct coro).  CO_BEGIN jumps to the resume point; each
 * suspension point records its line as the next resume point and returns to
 * the task, which later calls the function again.
 */
#define CO_BEGIN switch (c->pc) { case 0:;
#define CO_END } return co_return(t, NULL)
#define CO_RETURN(v) return co_return(t, (v))
/* await fut: no suspension at all when the future is already done. */
#define CO_AWAIT(fut) do { c->pc = __LINE__; \
	if (co_await(L, t, (fut))) return CO_BLOCK; \
	__attribute__((fallthrough)); case __LINE__:; } while (0)
/* await asyncio.sleep(ns / 1e9); sleep(0) is one bare yield. */
#define CO_SLEEP(ns) do { c->pc = __LINE__; return co_sleep(L, t, (ns)); \
	case __LINE__:; } while (0)
/* await sleep_until(when): loop.call_at(when, fut.set_result) + await fut. */
#define CO_SLEEP_UNTIL(when) do { c->pc = __LINE__; \
	return co_sleep_until(L, t, (when)); case __LINE__:; } while (0)
/* await coro(): the child frame runs in this task at once, no loop turn. */
#define CO_AWAIT_CORO(child) do { c->pc = __LINE__; co_push(t, (child)); \
	return CO_CALL; case __LINE__:; } while (0)
/* What the last await produced. */
#define CO_VALUE (t->value)

#define INT_VAL(x) ((void *)(intptr_t)(x))
#define VAL_INT(p) ((long)(intptr_t)(p))

struct task {
	struct future fut;      /* a Task is a Future */
	struct coro *frame;     /* innermost frame being run */
	struct future *waiting; /* the future it is blocked on */
	void *value;            /* sent into the frame when it resumes */
	struct future sleep;    /* the future of its current sleep() */
	struct task *next;      /* the loop's list of tasks */
	const char *name;
	int row;                /* timeline row, -1 when none */
	unsigned char state;    /* enum task_state */
	double since;           /* wall time of the last state change */
};

static struct coro *coro_new(struct loop *L, coro_fn fn, size_t size)
{
	struct coro *c = loop_alloc(L, size);
	c->fn = fn;
	c->size = (unsigned)size;
	return c;
}

static void coro_free(struct loop *L, struct coro *c)
{
	loop_free(L, c, c->size);
}

static int co_return(struct task *t, void *v)
{
	t->value = v;
	return CO_DONE;
}

static void what_future(const struct future *f, char *out, size_t n);

static int co_await(struct loop *L, struct task *t, struct future *f)
{
	if (L->trace_detail) {
		char what[96];
		what_future(f, what, sizeof what);
		trace(L, "%s awaits %s: %s", t->name, what,
		      f->done ? "already done, no suspension"
			      : "pending, so add_done_callback(wakeup) and suspend");
	}
	if (f->done) {
		t->value = f->result;
		return 0;
	}
	t->waiting = f;
	return 1;
}

static void co_push(struct task *t, struct coro *child)
{
	child->caller = t->frame;
	t->frame = child;
}

static void timer_set_result(struct loop *L, void *arg, void *fut);

static int co_sleep_until(struct loop *L, struct task *t, int64_t when)
{
	memset(&t->sleep, 0, sizeof t->sleep);
	t->sleep.kind = FK_SLEEP;
	dtrace(L, "%s sleeps: call_at(+%.1f ms, set_result), awaits that future",
	      t->name, (double)(when - now_ns()) / 1e6);
	call_at(L, when, timer_set_result, NULL, &t->sleep);
	t->waiting = &t->sleep;
	return CO_BLOCK;
}

static int co_sleep(struct loop *L, struct task *t, int64_t ns)
{
	if (ns <= 0)
		return CO_YIELD;
	return co_sleep_until(L, t, now_ns() + ns);
}

/* ---- tasks ---- */

static const char state_char[] = {'r', '#', 'z', '.', ' '};

static void task_set_state(struct loop *L, struct task *t, int st)
{
	if (L->wall && t->row >= 0) {
		double now = demo_now();
		if (L->nsegs == L->scap) {
			L->scap = L->scap ? L->scap * 2 : 64;
			L->segs = xreallocarray(L->segs, L->scap, sizeof *L->segs);
		}
		L->segs[L->nsegs++] = (struct seg){t->since, now, t->row,
						   state_char[t->state]};
		t->since = now;
	}
	if (st == TS_RUNNING && L->record && t->row >= 0 &&
	    L->itl_cols < ITL_COLS)
		L->itl[t->row][L->itl_cols] = '#';
	t->state = (unsigned char)st;
}

static void task_step(struct loop *L, void *arg, void *fut);
static void task_wakeup(struct loop *L, void *arg, void *fut);

static void call_soon(struct loop *L, loop_cb fn, void *arg, void *fut)
{
	if (fn == task_step || fn == task_wakeup)
		task_set_state(L, arg, TS_READY);
	ready_push(L, (struct handle){fn, arg, fut});
}

/* Task.__step: run the innermost frame until the task suspends or ends. */
static void task_step(struct loop *L, void *arg, void *fut)
{
	struct task *t = arg;
	(void)fut;
	task_set_state(L, t, TS_RUNNING);
	for (;;) {
		struct coro *c = t->frame;
		int r = c->fn(L, t, c);
		if (r == CO_CALL)
			continue;
		if (r == CO_DONE) {
			t->frame = c->caller;
			coro_free(L, c);
			if (t->frame)
				continue;       /* the awaiting frame resumes */
			task_set_state(L, t, TS_DONE);
			L->tasks_done++;
			dtrace(L, "%s returned: its future is done, its waiters go to call_soon",
			      t->name);
			future_set_result(L, &t->fut, t->value);
			return;
		}
		if (r == CO_YIELD) {
			dtrace(L, "%s yielded (sleep(0)): call_soon(step %s)",
			      t->name, t->name);
			call_soon(L, task_step, t, NULL);
			return;
		}
		/* CO_BLOCK: wake up when the future is done */
		task_set_state(L, t, t->waiting == &t->sleep ? TS_SLEEPING
							      : TS_AWAITING);
		future_add_done_callback(L, t->waiting, task_wakeup, t);
		return;
	}
}

/* Task.__wakeup: the awaited future is done; step with its result. */
static void task_wakeup(struct loop *L, void *arg, void *fut)
{
	struct task *t = arg;
	struct future *f = fut;
	t->value = f->result;
	t->waiting = NULL;
	task_step(L, t, NULL);
}

/* The timer of a sleep: futures._set_result_unless_cancelled. */
static void timer_set_result(struct loop *L, void *arg, void *fut)
{
	(void)arg;
	future_set_result(L, fut, NULL);
}

/* asyncio.create_task: schedules the first step, runs nothing now. */
static struct task *create_task(struct loop *L, struct coro *c,
				const char *name)
{
	struct task *t = loop_alloc(L, sizeof *t);
	t->fut.kind = FK_TASK;
	t->frame = c;
	t->name = name;
	t->row = -1;
	t->next = L->tasks;
	L->tasks = t;
	L->tasks_created++;
	if (L->record && L->itl_rows < ITL_ROWS) {
		t->row = L->itl_rows++;
		t->since = demo_now();
		memset(L->itl[t->row], ' ', ITL_COLS);
	}
	dtrace(L, "create_task(%s): call_soon(step %s)", name, name);
	call_soon(L, task_step, t, NULL);
	return t;
}

/* ---- gather ---- */

struct gather {
	struct future outer;    /* _GatheringFuture */
	size_t n, nfinished;
	struct task **children;
	void **results;         /* in argument order */
	struct gather *next;
};

static void gather_child_done(struct loop *L, void *arg, void *fut)
{
	struct gather *g = arg;
	(void)fut;
	if (++g->nfinished < g->n)
		return;
	for (size_t i = 0; i < g->n; i++)
		g->results[i] = g->children[i]->fut.result;
	dtrace(L, "gather: all %zu children done, outer future done", g->n);
	future_set_result(L, &g->outer, g->results);
}

/*
 * asyncio.gather(*coros): each coroutine becomes a task, in argument order,
 * each with a done-callback counting it; the outer future is done when the
 * last child is.  The result (CO_VALUE after awaiting ->outer) is an array
 * of the children's results in argument order.
 */
static struct gather *gather(struct loop *L, size_t n, struct coro **coros,
			     const char *const *names)
{
	struct gather *g = loop_alloc(L, sizeof *g);
	g->outer.kind = FK_GATHER;
	g->n = n;
	g->children = loop_alloc(L, (n ? n : 1) * sizeof *g->children);
	g->results = loop_alloc(L, (n ? n : 1) * sizeof *g->results);
	g->next = L->gathers;
	L->gathers = g;
	bool quiet = L->trace && n > 8;
	bool was = L->trace;
	if (quiet)
		L->trace = false;
	for (size_t i = 0; i < n; i++) {
		g->children[i] = create_task(L, coros[i], names ? names[i] : "sleeper");
		future_add_done_callback(L, &g->children[i]->fut,
					 gather_child_done, g);
	}
	L->trace = was;
	if (quiet)
		trace(L, "gather: %zu tasks created, %zu steps queued", n, n);
	if (n == 0)
		future_set_result(L, &g->outer, g->results);
	return g;
}

/* ---- running ---- */

static void what_future(const struct future *f, char *out, size_t n)
{
	if (f->kind == FK_TASK)
		snprintf(out, n, "task %s", ((const struct task *)(const void *)f)->name);
	else if (f->kind == FK_GATHER)
		snprintf(out, n, "gather of %zu", ((const struct gather *)(const void *)f)->n);
	else
		snprintf(out, n, "a future");
}

static void describe(const struct loop *L, const struct handle *h, char *out,
		     size_t n)
{
	(void)L;
	if (h->fn == task_step) {
		snprintf(out, n, "step %s", ((struct task *)h->arg)->name);
	} else if (h->fn == task_wakeup) {
		snprintf(out, n, "wakeup %s", ((struct task *)h->arg)->name);
	} else if (h->fn == timer_set_result) {
		const struct task *t = (const void *)((const char *)h->fut -
						      offsetof(struct task, sleep));
		snprintf(out, n, "timer: set_result(sleep future of %s)", t->name);
	} else if (h->fn == gather_child_done) {
		const struct gather *g = h->arg;
		snprintf(out, n, "gather callback (%zu of %zu children done before it)",
			 g->nfinished, g->n);
	} else {
		snprintf(out, n, "run_until_complete: main is done, stop()");
	}
}

/* BaseEventLoop._run_once. */
static void run_once(struct loop *L)
{
	int timeout_ms = -1;
	int64_t t0 = now_ns();
	if (L->rlen || L->stopping) {
		timeout_ms = 0;
	} else if (L->ntimers) {
		int64_t wait = L->heap[0].when - t0;
		/* selectors.EpollSelector rounds up to the millisecond */
		timeout_ms = wait <= 0 ? 0 : (int)((wait + 999999) / 1000000);
	}
	if (timeout_ms != 0)
		trace(L, "ready queue empty; next deadline in %d ms: epoll_wait(timeout=%d ms)",
		      timeout_ms, timeout_ms);
	struct epoll_event ev[8];
	double w0 = demo_now();
	int nev = epoll_wait(L->epfd, ev, 8, timeout_ms);
	double w1 = demo_now();
	L->epoll_waits++;
	if (L->loop_tl)
		demo_timeline_add(L->loop_tl, 0, w0, w1, '.');
	if (nev < 0 && errno != EINTR)
		nev = 0;
	if (timeout_ms != 0)
		trace(L, "epoll_wait returned after %.1f ms", (w1 - w0) * 1e3);
	int64_t end_time = now_ns() + 1;        /* + clock resolution */
	size_t due = 0;
	while (L->ntimers && L->heap[0].when < end_time) {
		struct timer tm = heap_pop(L);
		ready_push(L, tm.h);
		L->timers_fired++;
		due++;
	}
	size_t ntodo = L->rlen;
	if (L->trace && !L->trace_detail)
		trace(L, "iteration %lld: %zu timers due, running %zu callbacks",
		      L->iterations + 1, due, ntodo);
	else if (due)
		trace(L, "%zu timer(s) due: moved to the ready queue", due);
	for (size_t i = 0; i < ntodo; i++) {
		struct handle h = ready_pop(L);
		if (L->trace && L->trace_detail) {
			char what[128];
			describe(L, &h, what, sizeof what);
			trace(L, "iteration %lld: run %s", L->iterations + 1, what);
		}
		h.fn(L, h.arg, h.fut);
		L->handles_run++;
	}
	if (L->loop_tl)
		demo_timeline_add(L->loop_tl, 0, w1, demo_now(), '#');
	if (L->record && L->itl_cols < ITL_COLS) {
		for (struct task *t = L->tasks; t; t = t->next)
			if (t->row >= 0 && L->itl[t->row][L->itl_cols] == ' ')
				L->itl[t->row][L->itl_cols] = state_char[t->state];
	}
	L->itl_cols++;
	L->iterations++;
}

static void stop_cb(struct loop *L, void *arg, void *fut)
{
	(void)arg;
	(void)fut;
	L->stopping = true;
}

/*
 * asyncio.run(main): main becomes a task; the loop runs until its future is
 * done.  Returns 0, or -1 when stopped by a signal or when nothing is left
 * that could ever finish main.
 */
static int run_until_complete(struct loop *L, struct task *main_task,
			      void (*progress)(struct loop *))
{
	future_add_done_callback(L, &main_task->fut, stop_cb, NULL);
	L->stopping = false;
	while (!L->stopping) {
		if (demo_stopping())
			return -1;
		if (!L->rlen && !L->ntimers)
			return -1;      /* deadlock: no callback, no timer */
		run_once(L);
		if (progress)
			progress(L);
	}
	return demo_stopping() ? -1 : 0;
}

static void loop_init(struct loop *L, struct demo *d)
{
	memset(L, 0, sizeof *L);
	L->d = d;
	L->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (L->epfd < 0) {
		perror("demo-event-loop: epoll_create1");
		exit(1);
	}
	L->t_start = now_ns();
}

static void loop_release(struct loop *L)
{
	while (L->tasks) {
		struct task *t = L->tasks;
		L->tasks = t->next;
		while (t->frame) {
			struct coro *c = t->frame;
			t->frame = c->caller;
			coro_free(L, c);
		}
		loop_free(L, t->fut.more, t->fut.capmore * sizeof *t->fut.more);
		loop_free(L, t, sizeof *t);
	}
	while (L->gathers) {
		struct gather *g = L->gathers;
		L->gathers = g->next;
		size_t n = g->n ? g->n : 1;
		loop_free(L, g->outer.more, g->outer.capmore * sizeof *g->outer.more);
		loop_free(L, g->children, n * sizeof *g->children);
		loop_free(L, g->results, n * sizeof *g->results);
		loop_free(L, g, sizeof *g);
	}
	loop_free(L, L->ready, L->rcap * sizeof *L->ready);
	loop_free(L, L->heap, L->hcap * sizeof *L->heap);
	for (size_t i = 0; i < L->nlines; i++)
		free(L->lines[i]);
	free(L->lines);
	free(L->segs);
	for (size_t i = 0; i < L->nnames; i++)
		free(L->names[i]);
	free(L->names);
	if (L->epfd >= 0)
		close(L->epfd);
	L->epfd = -1;
}

/* print(): the scenario's output, kept for the JSON "lines" array. */
static void say(struct loop *L, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct loop *L, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (L->nlines == L->lcap) {
		L->lcap = L->lcap ? L->lcap * 2 : 16;
		L->lines = xreallocarray(L->lines, L->lcap, sizeof *L->lines);
	}
	L->lines[L->nlines] = xstrdup(buf);
	L->nlines++;
	demo_print(L->d, "  | %s\n", buf);
}

/* Python's repr of a list of str, e.g. ['a', 'b']. */
static void pylist(char *out, size_t n, void *const *items, size_t k)
{
	size_t len = (size_t)snprintf(out, n, "[");
	for (size_t i = 0; i < k && len < n; i++)
		len += (size_t)snprintf(out + len, n - len, "%s'%s'",
					i ? ", " : "", (const char *)items[i]);
	if (len < n)
		snprintf(out + len, n - len, "]");
}

/* ---- scenario seed: the classic Task A / Task B example ---- */

struct seed_io_frame {
	struct coro c;
	const char *who;
	int units;
};

static int seed_io(struct loop *L, struct task *t, struct coro *c)
{
	struct seed_io_frame *f = (void *)c;
	CO_BEGIN;
	say(L, "Task %s: starting I/O operation", f->who);
	CO_SLEEP(f->units * L->unit_ns);
	say(L, "Task %s: I/O complete", f->who);
	CO_END;
}

static struct coro *seed_io_new(struct loop *L, const char *who, int units)
{
	struct seed_io_frame *f = (void *)coro_new(L, seed_io, sizeof *f);
	f->who = who;
	f->units = units;
	return &f->c;
}

struct seed_main_frame {
	struct coro c;
	struct task *t1, *t2;
};

static int seed_main(struct loop *L, struct task *t, struct coro *c)
{
	struct seed_main_frame *f = (void *)c;
	CO_BEGIN;
	f->t1 = create_task(L, seed_io_new(L, "A", 1), "task_a");
	f->t2 = create_task(L, seed_io_new(L, "B", 2), "task_b");
	CO_AWAIT(&f->t1->fut);
	CO_AWAIT(&f->t2->fut);
	say(L, "All tasks done.");
	CO_END;
}

/* ---- scenario sleep0 ---- */

struct one_step_frame {
	struct coro c;
	const char *name;
	int i;
	bool yields;
};

static int one_step(struct loop *L, struct task *t, struct coro *c)
{
	struct one_step_frame *f = (void *)c;
	CO_BEGIN;
	say(L, "%s: step %d", f->name, f->i);
	if (f->yields)
		CO_SLEEP(0);    /* suspends the whole task, through worker */
	CO_END;
}

struct worker_frame {
	struct coro c;
	const char *name;
	int steps, i;
	bool yields;
};

static int worker(struct loop *L, struct task *t, struct coro *c)
{
	struct worker_frame *f = (void *)c;
	CO_BEGIN;
	for (f->i = 0; f->i < f->steps; f->i++) {
		struct one_step_frame *s =
			(void *)coro_new(L, one_step, sizeof *s);
		s->name = f->name;
		s->i = f->i;
		s->yields = f->yields;
		CO_AWAIT_CORO(&s->c);
	}
	say(L, "%s: done", f->name);
	CO_RETURN(INT_VAL(f->steps));
	CO_END;
}

static struct coro *worker_new(struct loop *L, const char *name, int steps,
			       bool yields)
{
	struct worker_frame *f = (void *)coro_new(L, worker, sizeof *f);
	f->name = name;
	f->steps = steps;
	f->yields = yields;
	return &f->c;
}

struct sleep0_main_frame {
	struct coro c;
	struct task *a, *b, *cc;
	long total;
};

static int sleep0_main(struct loop *L, struct task *t, struct coro *c)
{
	struct sleep0_main_frame *f = (void *)c;
	CO_BEGIN;
	say(L, "main: create A and B (sleep(0) after each step), C (never awaits)");
	f->a = create_task(L, worker_new(L, "A", 3, true), "A");
	f->b = create_task(L, worker_new(L, "B", 3, true), "B");
	f->cc = create_task(L, worker_new(L, "C", 3, false), "C");
	say(L, "main: created, none has run yet");
	CO_SLEEP(0);
	say(L, "main: back after one sleep(0)");
	CO_AWAIT(&f->a->fut);
	f->total = VAL_INT(CO_VALUE);
	CO_AWAIT(&f->b->fut);
	f->total += VAL_INT(CO_VALUE);
	CO_AWAIT(&f->cc->fut);
	f->total += VAL_INT(CO_VALUE);
	say(L, "main: all done, %ld steps", f->total);
	CO_END;
}

/* ---- scenario same-deadline ---- */

struct sleeper_frame {
	struct coro c;
	const char *name;
	int64_t when;
	bool yield_first;
};

static int sleeper(struct loop *L, struct task *t, struct coro *c)
{
	struct sleeper_frame *f = (void *)c;
	CO_BEGIN;
	if (f->yield_first) {
		say(L, "%s: sleep(0) first", f->name);
		CO_SLEEP(0);
	}
	say(L, "%s: timer set", f->name);
	CO_SLEEP_UNTIL(f->when);
	say(L, "%s: woke", f->name);
	CO_RETURN((void *)f->name);
	CO_END;
}

static struct coro *sleeper_new(struct loop *L, const char *name,
				int64_t when, bool yield_first)
{
	struct sleeper_frame *f = (void *)coro_new(L, sleeper, sizeof *f);
	f->name = name;
	f->when = when;
	f->yield_first = yield_first;
	return &f->c;
}

struct deadline_main_frame {
	struct coro c;
	struct gather *g;
};

static int deadline_main(struct loop *L, struct task *t, struct coro *c)
{
	struct deadline_main_frame *f = (void *)c;
	static const char *const names[] = {"A", "B", "C"};
	char buf[128];
	CO_BEGIN;
	{
		int64_t when = now_ns() + L->unit_ns;
		say(L, "main: one deadline for A, B and C");
		struct coro *coros[3] = {
			sleeper_new(L, "A", when, true),
			sleeper_new(L, "B", when, false),
			sleeper_new(L, "C", when, false),
		};
		f->g = gather(L, 3, coros, names);
	}
	CO_AWAIT(&f->g->outer);
	pylist(buf, sizeof buf, CO_VALUE, f->g->n);
	say(L, "main: gather returned %s", buf);
	CO_END;
}

/* ---- scenario spawn ---- */

/* A copy of s that lives until the loop closes (names made at run time). */
static const char *loop_name(struct loop *L, const char *s)
{
	if (L->nnames == L->ncap) {
		L->ncap = L->ncap ? L->ncap * 2 : 16;
		L->names = xreallocarray(L->names, L->ncap, sizeof *L->names);
	}
	L->names[L->nnames] = xstrdup(s);
	return L->names[L->nnames++];
}

struct node_frame {
	struct coro c;
	const char *name;
	int depth;
	long total;
	struct task *left, *right;
};

static struct coro *node_new(struct loop *L, const char *name, int depth);

static int node(struct loop *L, struct task *t, struct coro *c)
{
	struct node_frame *f = (void *)c;
	CO_BEGIN;
	say(L, "%s: start", f->name);
	f->total = 1;
	if (f->depth > 0) {
		char n[64];
		snprintf(n, sizeof n, "%s.1", f->name);
		const char *n1 = loop_name(L, n);
		snprintf(n, sizeof n, "%s.2", f->name);
		const char *n2 = loop_name(L, n);
		f->left = create_task(L, node_new(L, n1, f->depth - 1), n1);
		f->right = create_task(L, node_new(L, n2, f->depth - 1), n2);
		say(L, "%s: created %s and %s", f->name, n1, n2);
		CO_AWAIT(&f->left->fut);
		f->total += VAL_INT(CO_VALUE);
		CO_AWAIT(&f->right->fut);
		f->total += VAL_INT(CO_VALUE);
	} else {
		CO_SLEEP(0);
	}
	say(L, "%s: done, %ld task(s) in subtree", f->name, f->total);
	CO_RETURN(INT_VAL(f->total));
	CO_END;
}

static struct coro *node_new(struct loop *L, const char *name, int depth)
{
	struct node_frame *f = (void *)coro_new(L, node, sizeof *f);
	f->name = name;
	f->depth = depth;
	return &f->c;
}

struct spawn_main_frame {
	struct coro c;
	struct task *root;
};

static int spawn_main(struct loop *L, struct task *t, struct coro *c)
{
	struct spawn_main_frame *f = (void *)c;
	CO_BEGIN;
	say(L, "main: create root");
	f->root = create_task(L, node_new(L, "root", 2), "root");
	say(L, "main: root created, not started yet");
	CO_AWAIT(&f->root->fut);
	say(L, "main: %ld tasks ran", VAL_INT(CO_VALUE));
	CO_END;
}

/* ---- scenario nested-gather ---- */

struct leaf_frame {
	struct coro c;
	const char *name;
	int units;
};

static int leaf(struct loop *L, struct task *t, struct coro *c)
{
	struct leaf_frame *f = (void *)c;
	CO_BEGIN;
	say(L, "%s: start, sleep(%d)", f->name, f->units);
	CO_SLEEP(f->units * L->unit_ns);
	say(L, "%s: end", f->name);
	CO_RETURN((void *)f->name);
	CO_END;
}

static struct coro *leaf_new(struct loop *L, const char *name, int units)
{
	struct leaf_frame *f = (void *)coro_new(L, leaf, sizeof *f);
	f->name = name;
	f->units = units;
	return &f->c;
}

struct group_frame {
	struct coro c;
	const char *name;
	size_t n;
	const char *leaves[2];
	int units[2];
	struct gather *g;
};

static int group(struct loop *L, struct task *t, struct coro *c)
{
	struct group_frame *f = (void *)c;
	char buf[128];
	CO_BEGIN;
	say(L, "%s: gather %zu", f->name, f->n);
	{
		struct coro *coros[2];
		for (size_t i = 0; i < f->n; i++)
			coros[i] = leaf_new(L, f->leaves[i], f->units[i]);
		f->g = gather(L, f->n, coros, f->leaves);
	}
	CO_AWAIT(&f->g->outer);
	pylist(buf, sizeof buf, CO_VALUE, f->g->n);
	say(L, "%s: got %s", f->name, buf);
	CO_RETURN((void *)f->name);
	CO_END;
}

static struct coro *group_new(struct loop *L, const char *name, size_t n,
			      const char *l0, int u0, const char *l1, int u1)
{
	struct group_frame *f = (void *)coro_new(L, group, sizeof *f);
	f->name = name;
	f->n = n;
	f->leaves[0] = l0;
	f->units[0] = u0;
	f->leaves[1] = l1;
	f->units[1] = u1;
	return &f->c;
}

struct nested_main_frame {
	struct coro c;
	struct gather *g;
};

static int nested_main(struct loop *L, struct task *t, struct coro *c)
{
	struct nested_main_frame *f = (void *)c;
	static const char *const names[] = {"G1", "G2", "d"};
	char buf[128];
	CO_BEGIN;
	say(L, "main: gather G1, G2, d");
	{
		struct coro *coros[3] = {
			group_new(L, "G1", 2, "a", 3, "b", 1),
			group_new(L, "G2", 1, "c", 2, NULL, 0),
			leaf_new(L, "d", 0),
		};
		f->g = gather(L, 3, coros, names);
	}
	CO_AWAIT(&f->g->outer);
	pylist(buf, sizeof buf, CO_VALUE, f->g->n);
	say(L, "main: got %s", buf);
	CO_END;
}

/* ---- the crowd: N tasks sleeping D ms, gathered ---- */

struct nap_frame {
	struct coro c;
	int64_t ns, deadline;
};

static int nap(struct loop *L, struct task *t, struct coro *c)
{
	struct nap_frame *f = (void *)c;
	CO_BEGIN;
	f->deadline = now_ns() + f->ns;         /* loop.call_later(ns) */
	CO_SLEEP_UNTIL(f->deadline);
	{
		/* how late the loop resumed this task past its deadline */
		double late = (double)(now_ns() - f->deadline) / 1e6;
		if (late > L->late_max_ms)
			L->late_max_ms = late;
		L->late_sum_ms += late;
		L->woke++;
	}
	CO_END;
}

struct crowd_main_frame {
	struct coro c;
	long n;
	int64_t ns;
	struct gather *g;
};

static int crowd_main(struct loop *L, struct task *t, struct coro *c)
{
	struct crowd_main_frame *f = (void *)c;
	CO_BEGIN;
	{
		size_t n = (size_t)f->n;
		struct coro **coros = loop_alloc(L, n * sizeof *coros);
		for (size_t i = 0; i < n; i++) {
			struct nap_frame *s = (void *)coro_new(L, nap, sizeof *s);
			s->ns = f->ns;
			coros[i] = &s->c;
		}
		f->g = gather(L, n, coros, NULL);
		loop_free(L, coros, n * sizeof *coros);
	}
	CO_AWAIT(&f->g->outer);
	CO_END;
}

static void crowd_progress(struct loop *L)
{
	double now = demo_now();
	if (now - L->last_progress < 0.1)
		return;
	L->last_progress = now;
	demo_progress(L->d, "  %lld of %lld tasks finished, %zu timers pending, iteration %lld",
		      L->tasks_done,
		      L->tasks_created - 1, L->ntimers, L->iterations);
}

/* ---- output helpers ---- */

static char *json_lines(char *const *lines, size_t n)
{
	size_t cap = 16;
	for (size_t i = 0; i < n; i++)
		cap += 2 * strlen(lines[i]) + 8;
	char *out = xmalloc(cap);
	size_t len = 0;
	out[len++] = '[';
	for (size_t i = 0; i < n; i++) {
		if (i)
			out[len++] = ',';
		out[len++] = '"';
		for (const char *p = lines[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				out[len++] = '\\';
			out[len++] = *p;
		}
		out[len++] = '"';
	}
	out[len++] = ']';
	out[len] = '\0';
	return out;
}

/* The per-iteration timeline: which task did what in each loop turn. */
static void draw_iterations(struct loop *L)
{
	struct demo *d = L->d;
	long long cols = L->itl_cols < ITL_COLS ? L->itl_cols : ITL_COLS;
	char label[ITL_ROWS][32];
	const char *names[ITL_ROWS] = {0};
	for (struct task *t = L->tasks; t; t = t->next)
		if (t->row >= 0)
			names[t->row] = t->name;
	int lw = 9;
	for (int r = 0; r < L->itl_rows; r++) {
		snprintf(label[r], sizeof label[r], "%s", names[r] ? names[r] : "?");
		if ((int)strlen(label[r]) > lw)
			lw = (int)strlen(label[r]);
	}
	demo_print(d, "\n  Loop iterations (one column per _run_once; read down a column for its order):\n");
	char axis[ITL_COLS + 1];
	for (long long i = 0; i < cols; i++)
		axis[i] = (char)('0' + (i + 1) % 10);
	axis[cols] = '\0';
	demo_print(d, "  %*s  %s\n", lw, "iteration", axis);
	for (int r = 0; r < L->itl_rows; r++)
		demo_print(d, "  %*s |%.*s|\n", lw, label[r], (int)cols, L->itl[r]);
	demo_print(d, "  %*s  # ran a step, r ready in the queue, z sleeping on a timer,\n"
		   "  %*s  . awaiting a task or gather, blank: not created yet or finished\n",
		   lw, "", lw, "");
	if (L->itl_cols > ITL_COLS)
		demo_print(d, "  (first %d of %lld iterations shown)\n", ITL_COLS,
			   L->itl_cols);
}

/* ---- main ---- */

enum { SC_SEED, SC_SLEEP0, SC_DEADLINE, SC_SPAWN, SC_NESTED };

static const char *const scenarios[] = {
	"seed", "sleep0", "same-deadline", "spawn", "nested-gather", NULL,
};

static const char *const scenario_about[] = {
	"the classic Task A / Task B example: main creates Task A (sleeps 1 unit) and Task B (sleeps 2 units), then awaits both",
	"sleep(0) yields to the loop exactly once; a task that never awaits runs to its end in one go",
	"A, B and C sleep until one deadline; A yields once first, so its timer is scheduled last",
	"tasks that create tasks: create_task only queues the first step",
	"gather inside gather: children become tasks in argument order, results come back in argument order",
};

/* The scenario's times: start and end on the wall clock, CPU used. */
struct scenario_times {
	double t0, t1, cpu;
};

/* Tasks not done at the end; closes every shown task's last segment. */
static long long close_tasks(struct loop *L)
{
	long long pending = 0;
	for (struct task *t = L->tasks; t; t = t->next) {
		if (t->state != TS_DONE)
			pending++;
		if (t->row >= 0)
			task_set_state(L, t, t->state);         /* close the segment */
	}
	return pending;
}

static void scenario_json(struct demo *d, const struct loop *L, int sc,
			  const struct scenario_times *tm, long long pending)
{
	char *arr = json_lines(L->lines, L->nlines);
	demo_json_str(d, "scenario.name", scenarios[sc]);
	demo_json_raw(d, "scenario.lines", arr);
	demo_json_int(d, "scenario.line_count", (long long)L->nlines);
	demo_json_int(d, "scenario.tasks", L->tasks_created);
	demo_json_int(d, "scenario.tasks_pending_at_end", pending);
	demo_json_int(d, "scenario.iterations", L->iterations);
	demo_json_int(d, "scenario.callbacks_run", L->handles_run);
	demo_json_int(d, "scenario.timers_fired", L->timers_fired);
	demo_json_int(d, "scenario.epoll_waits", L->epoll_waits);
	demo_json_int(d, "scenario.max_ready", (long long)L->max_ready);
	demo_json_num(d, "scenario.wall_s", tm->t1 - tm->t0);
	demo_json_num(d, "scenario.cpu_s", tm->cpu);
	free(arr);
}

static void scenario_table(struct demo *d, const struct loop *L,
			   const struct scenario_times *tm)
{
	demo_print(d, "\n  %-34s %12s\n", "scenario figure", "measured");
	demo_print(d, "  %-34s %12zu\n", "lines printed", L->nlines);
	demo_print(d, "  %-34s %12lld\n", "tasks (main included)", L->tasks_created);
	demo_print(d, "  %-34s %12lld\n", "loop iterations (_run_once)", L->iterations);
	demo_print(d, "  %-34s %12lld\n", "callbacks run from the ready queue", L->handles_run);
	demo_print(d, "  %-34s %12lld\n", "timers fired", L->timers_fired);
	demo_print(d, "  %-34s %12lld\n", "epoll_wait calls", L->epoll_waits);
	demo_print(d, "  %-34s %12zu\n", "longest ready queue", L->max_ready);
	demo_print(d, "  %-34s %12.1f\n", "wall time, ms", (tm->t1 - tm->t0) * 1e3);
	demo_print(d, "  %-34s %12.3f\n", "CPU time, ms", tm->cpu * 1e3);
}

/* The tasks' sleeps and waits on the wall clock (scenarios with timers). */
static void scenario_wall(struct demo *d, const struct loop *L,
			  const struct scenario_times *tm)
{
	struct demo_timeline *tl = demo_timeline_new(L->itl_rows, tm->t0);
	for (struct task *t = L->tasks; t; t = t->next)
		if (t->row >= 0)
			demo_timeline_label(tl, t->row, t->name);
	for (size_t i = 0; i < L->nsegs; i++)
		demo_timeline_add(tl, L->segs[i].row, L->segs[i].a,
				  L->segs[i].b, L->segs[i].st);
	demo_print(d, "\n  Wall time (the sleeps overlap: one thread, no thread per task):\n");
	demo_timeline_draw(d, tl, tm->t1, 60,
			   "z sleeping on a timer, . awaiting a task or gather, # running");
	demo_timeline_free(tl);
}

static int run_scenario(struct demo *d, int sc, long unit_ms, bool tracing)
{
	struct loop L;
	loop_init(&L, d);
	L.unit_ns = unit_ms * 1000000;
	L.record = true;
	L.trace = tracing;
	L.trace_detail = true;
	bool timers = sc == SC_SEED || sc == SC_DEADLINE || sc == SC_NESTED;
	struct scenario_times tm = {.t0 = demo_now()};
	L.wall = timers;

	demo_print(d, "Scenario %s: %s.\n", scenarios[sc], scenario_about[sc]);
	demo_print(d, "Its output (the same lines, in the same order, as its twin under CPython's asyncio):\n\n");

	coro_fn fns[] = {seed_main, sleep0_main, deadline_main, spawn_main,
			 nested_main};
	size_t sizes[] = {
		sizeof(struct seed_main_frame), sizeof(struct sleep0_main_frame),
		sizeof(struct deadline_main_frame), sizeof(struct spawn_main_frame),
		sizeof(struct nested_main_frame),
	};
	double cpu0 = demo_cpu_s(RUSAGE_SELF);
	L.t_start = now_ns();
	struct task *main_task = create_task(&L, coro_new(&L, fns[sc], sizes[sc]),
					     "main");
	int rc = run_until_complete(&L, main_task, NULL);
	tm.t1 = demo_now();
	tm.cpu = demo_cpu_s(RUSAGE_SELF) - cpu0;
	if (rc < 0) {
		if (!demo_stopping())
			fprintf(stderr, "demo-event-loop: the loop ran out of work before main finished\n");
		loop_release(&L);
		return demo_stopping() ? 0 : -1;
	}
	long long pending = close_tasks(&L);
	scenario_json(d, &L, sc, &tm, pending);
	scenario_table(d, &L, &tm);
	draw_iterations(&L);
	if (L.wall)
		scenario_wall(d, &L, &tm);
	loop_release(&L);
	return 0;
}

static int run_crowd(struct demo *d, long n, long ms, bool tracing)
{
	struct loop L;
	loop_init(&L, d);
	L.trace = tracing;
	demo_print(d, "\nThe crowd: %ld tasks, each `await asyncio.sleep(%g)`, all gathered by main, on one thread.\n",
		   n, (double)ms / 1e3);
	long rss0 = demo_status_kib("VmRSS");
	bool hwm_reset = demo_reset_hwm() == 0;
	double cpu0 = demo_cpu_s(RUSAGE_SELF);
	double t0 = demo_now();
	L.loop_tl = demo_timeline_new(1, t0);
	demo_timeline_label(L.loop_tl, 0, "the loop");
	L.t_start = now_ns();
	L.last_progress = t0;
	struct crowd_main_frame *f = (void *)coro_new(&L, crowd_main, sizeof *f);
	f->n = n;
	f->ns = (int64_t)ms * 1000000;
	struct task *main_task = create_task(&L, &f->c, "main");
	int rc = run_until_complete(&L, main_task, crowd_progress);
	double t1 = demo_now();
	double cpu = demo_cpu_s(RUSAGE_SELF) - cpu0;
	long hwm = demo_status_kib("VmHWM");
	if (rc < 0) {
		demo_timeline_free(L.loop_tl);
		loop_release(&L);
		return demo_stopping() ? 0 : -1;
	}
	double wall = t1 - t0, ideal = (double)ms / 1e3;
	double per_task = hwm > rss0 ? (double)(hwm - rss0) * 1024.0 / (double)n : 0;
	double alloc_per_task = (double)L.alloc_peak / (double)n;
	long long done = L.tasks_done - 1;      /* main is not one of the crowd */

	demo_json_num(d, "wall_s", wall);
	demo_json_num(d, "ideal_s", ideal);
	demo_json_num(d, "overhead_s", wall - ideal);
	demo_json_num(d, "cpu_s", cpu);
	demo_json_int(d, "peak_rss_kib", hwm);
	demo_json_int(d, "rss_before_kib", rss0);
	demo_json_bool(d, "peak_reset", hwm_reset);
	demo_json_num(d, "bytes_per_task", per_task);
	demo_json_num(d, "alloc_bytes_per_task", alloc_per_task);
	demo_json_int(d, "tasks_completed", done);
	demo_json_int(d, "crowd.iterations", L.iterations);
	demo_json_int(d, "crowd.callbacks_run", L.handles_run);
	demo_json_int(d, "crowd.timers_fired", L.timers_fired);
	demo_json_int(d, "crowd.epoll_waits", L.epoll_waits);
	demo_json_int(d, "crowd.max_ready", (long long)L.max_ready);
	demo_json_num(d, "crowd.max_lateness_ms", L.late_max_ms);
	demo_json_num(d, "crowd.mean_lateness_ms",
		      L.woke ? L.late_sum_ms / (double)L.woke : 0);

	demo_print(d, "\n  %-40s %14s\n", "crowd figure", "measured");
	demo_print(d, "  %-40s %14lld\n", "tasks completed", done);
	demo_print(d, "  %-40s %14.3f\n", "wall time, s", wall);
	demo_print(d, "  %-40s %14.3f\n", "one task's sleep (the ideal), s", ideal);
	demo_print(d, "  %-40s %14.1f\n", "loop overhead (wall - ideal), ms", (wall - ideal) * 1e3);
	demo_print(d, "  %-40s %14.1f\n", "CPU time, ms", cpu * 1e3);
	demo_print(d, "  %-40s %14lld\n", "loop iterations", L.iterations);
	demo_print(d, "  %-40s %14lld\n", "callbacks run", L.handles_run);
	demo_print(d, "  %-40s %14zu\n", "longest ready queue", L.max_ready);
	demo_print(d, "  %-40s %14.2f\n", "latest wake-up past its deadline, ms", L.late_max_ms);
	demo_print(d, "  %-40s %14ld\n", "RSS before, KiB", rss0);
	demo_print(d, "  %-40s %14ld\n", "peak RSS (VmHWM), KiB", hwm);
	demo_print(d, "  %-40s %14.0f\n", "peak RSS growth per task, bytes", per_task);
	demo_print(d, "  %-40s %14.0f\n", "loop's own allocations per task, bytes", alloc_per_task);
	if (!hwm_reset)
		demo_print(d, "  (the kernel refused to reset the peak RSS: the growth per task may be low)\n");
	demo_print(d, "\n");
	demo_timeline_draw(d, L.loop_tl, t1, 60, "# running callbacks, . in epoll_wait (the thread sleeps)");
	demo_print(d, "\nIn Python terms: %ld coroutines sleeping %g s each finished in %.3f s on one thread "
		   "(%.0f%% over one sleep), because a sleeping task is a frame plus a timer, not a thread: "
		   "about %.0f bytes each here.  asyncio.gather(*(asyncio.sleep(%g) for _ in range(%ld))) "
		   "does the same with bigger objects; await never blocks the thread, only the coroutine.\n",
		   n, ideal, wall, ideal > 0 ? (wall / ideal - 1) * 100 : 0, per_task,
		   ideal, n);
	demo_timeline_free(L.loop_tl);
	loop_release(&L);
	return 0;
}

int main(int argc, char **argv)
{
	int scenario = SC_SEED;
	long unit_ms = 100, tasks = 10000, ms = 200;
	bool tracing = false;
	struct demo_param params[] = {
		DEMO_ENUM("scenario", &scenario, scenarios,
			  "which built-in program to run, against its CPython twin"),
		DEMO_INT("unit-ms", &unit_ms, 1, 1000,
			 "the scenarios' time unit in ms (the classic example uses 1000)"),
		DEMO_INT("tasks", &tasks, 0, 100000,
			 "sleeping tasks gathered after the scenario (0: skip)"),
		DEMO_INT("ms", &ms, 1, 10000, "how long each of those tasks sleeps, ms"),
		DEMO_FLAG("trace", &tracing, "print each decision of the loop"),
		DEMO_PARAMS_END
	};
	struct demo d;
	demo_init(&d, "event-loop",
		  "A small asyncio in C: stackless coroutines, a ready queue, a timer heap, epoll; "
		  "create_task, sleep, gather, and the order CPython runs them in.",
		  params, argc, argv);
	demo_print(&d, "A small asyncio in C: each coroutine is a heap frame with a resume point "
		   "(no thread, no stack of its own); one thread runs a ready queue (call_soon, FIFO), "
		   "a timer heap (call_at) and epoll_wait.\n\n");
	if (run_scenario(&d, scenario, unit_ms, tracing) < 0) {
		demo_finish(&d);
		return 1;
	}
	if (tasks > 0 && !demo_stopping() && run_crowd(&d, tasks, ms, tracing) < 0) {
		demo_finish(&d);
		return 1;
	}
	if (tasks == 0)
		demo_print(&d, "\nIn Python terms: the order above is asyncio's: create_task queues a first step, "
			   "await of a pending future or sleep() gives the thread back to the loop, and whatever "
			   "is ready runs in FIFO order, one callback at a time.\n");
	return demo_finish(&d);
}
