/*
 * celery-chain: Celery's canvas on a broker queue and a pool of k worker
 * threads, in C.
 *
 * The broker is one FIFO queue of task messages; the result backend is the
 * table of every task sent, with its state (queued, running, waiting,
 * success, failure) and result; a worker thread takes the next message,
 * runs the task and stores its result.  Every task but a parent waits
 * --task-ms (as I/O does) and computes a number.  In order:
 *   chain   add.s(1, 1) | mul.s(2) | add.s(1) | ...: each task's result is
 *           sent on as the next one's first argument, so they run one after
 *           another, whatever k;
 *   group   N add tasks at once: ceil(N/k) rounds, results in order;
 *   refuse  parents that send children and call .get() on their results
 *           inside the task: Celery's default (disable_sync_subtasks=True)
 *           raises RuntimeError at once;
 *   starve  the same with disable_sync_subtasks=False: each parent holds
 *           its worker while it waits; with as many parents as workers the
 *           children stay queued behind them and nothing finishes.  The
 *           stall is detected by a timeout (no task started or finished in
 *           --timeout-ms while every worker waits and messages are queued),
 *           explained (which worker holds which parent, waiting for which
 *           queued child), then the waits are cut as get(timeout=...) would
 *           (TimeoutError) and the children run;
 *   chord   chord(group(children), total.s()): each parent sends its
 *           children with a callback and returns; the last child to finish
 *           sends the callback, so no worker waits and everything completes.
 * It does not model prefetching, acknowledgements, retries or the GIL.
 */
#include "demolib.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum kind { K_ADD, K_MUL, K_CHILD, K_PARENT_GET, K_PARENT_CHORD, K_TOTAL };
enum tstate { T_QUEUED, T_RUNNING, T_WAITING, T_SUCCESS, T_FAILURE };

static const char *const kind_name[] = {
	"add", "mul", "child", "parent", "parent", "total"};

struct task {
	enum kind kind;
	long a, b;                      /* arguments; a of a chord callback sums */
	long result;
	char error[80];                 /* FAILURE: "RuntimeError: ..." */
	enum tstate state;
	int worker;
	int owner, index;               /* parent i, child j: for labels */
	double t_start, t_end;
	struct task *link;              /* chain: sent with our result as a */
	struct task *callback;          /* chord: the callback of our header */
	int chord_left;                 /* on a callback: children to finish */
	struct task **children;         /* on a parent */
	int nchildren;
	struct task *waits_for;         /* on a waiting parent */
	bool cut;                       /* its wait was cut: TimeoutError */
};

struct app;

/* What a worker thread is started with. */
struct worker_ref {
	struct app *app;
	int id;
};

struct app {
	pthread_mutex_t mu;
	pthread_cond_t work;            /* a message was queued, or shutdown */
	pthread_cond_t done;            /* a task finished or started */
	struct task **queue;            /* the broker: FIFO of messages */
	size_t head, tail;
	struct task *tasks;             /* the backend: every task sent */
	int ntasks, cap;
	int nfinal;                     /* tasks in SUCCESS or FAILURE */
	bool shutdown, cut_waits, sync_subtasks;
	pthread_t *tids;
	struct worker_ref *refs;
	int k, nstarted;
	struct task **current;          /* per worker: the task it runs */
	int busy, max_busy, waiting, max_waiting;
	double last_progress;
	long task_ms, fanout;
	struct demo_timeline *tl;
};

/* A new task in the backend (not yet sent).  Called with mu held. */
static struct task *task_new(struct app *p, enum kind kind, long a, long b)
{
	if (p->ntasks >= p->cap)
		abort();                /* the caller sized the table */
	struct task *t = &p->tasks[p->ntasks++];
	memset(t, 0, sizeof *t);
	t->kind = kind;
	t->a = a;
	t->b = b;
	t->worker = -1;
	return t;
}

/* task.apply_async(): onto the broker queue.  Called with mu held. */
static void task_send(struct app *p, struct task *t)
{
	t->state = T_QUEUED;
	p->queue[p->tail++] = t;
	pthread_cond_signal(&p->work);
}

static char state_char(const struct task *t)
{
	switch (t->kind) {
	case K_ADD: case K_MUL: return 'a' + (char)(t->index % 26);
	case K_CHILD: return '#';
	case K_TOTAL: return '*';
	default: return t->state == T_FAILURE ? 'x' : 'p';
	}
}

/*
 * result.get() inside a task, on the child c: refused unless sync subtasks
 * are allowed; otherwise the parent waits (holding its worker) until c is
 * final or the waits are cut.  Called with mu held; 0 or -1 (t->error set).
 */
static int task_get(struct app *p, struct task *t, struct task *c)
{
	if (!p->sync_subtasks) {
		snprintf(t->error, sizeof t->error,
			 "RuntimeError: Never call result.get() within a task!");
		return -1;
	}
	t->state = T_WAITING;
	t->waits_for = c;
	if (++p->waiting > p->max_waiting)
		p->max_waiting = p->waiting;
	while (c->state != T_SUCCESS && c->state != T_FAILURE && !p->cut_waits
	       && !t->cut && !demo_stopping()) {
		struct timespec ts = demo_deadline_ms(20);
		pthread_cond_timedwait(&p->done, &p->mu, &ts);
	}
	p->waiting--;
	t->waits_for = NULL;
	t->state = T_RUNNING;
	if (c->state == T_SUCCESS) {
		t->result += c->result;
		return 0;
	}
	snprintf(t->error, sizeof t->error, "%s",
		 c->state == T_FAILURE ? "child failed"
				       : "TimeoutError: The operation timed out.");
	return -1;
}

/* A parent: sends its children (and, for a chord, their callback). */
static int run_parent(struct app *p, struct task *t)
{
	int n = (int)p->fanout, i = (int)t->a;
	t->children = xcalloc((size_t)n, sizeof *t->children);
	pthread_mutex_lock(&p->mu);
	struct task *cb = NULL;
	if (t->kind == K_PARENT_CHORD) {
		cb = task_new(p, K_TOTAL, 0, 0);
		cb->owner = i;
		cb->chord_left = n;
	}
	for (int j = 0; j < n; j++) {
		struct task *c = task_new(p, K_CHILD, i, j);
		c->owner = i;
		c->index = j;
		c->callback = cb;
		t->children[t->nchildren++] = c;
		task_send(p, c);
	}
	int rc = 0;
	if (t->kind == K_PARENT_GET) {
		double tw = demo_now();
		demo_timeline_add(p->tl, t->worker, t->t_start, tw, 'p');
		for (int j = 0; j < n && rc == 0; j++)
			rc = task_get(p, t, t->children[j]);
		demo_timeline_add(p->tl, t->worker, tw, demo_now(),
				  p->sync_subtasks ? '=' : 'x');
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

/* Runs t outside the lock (a parent takes it itself). */
static int run_task(struct app *p, struct task *t)
{
	switch (t->kind) {
	case K_PARENT_GET:
	case K_PARENT_CHORD:
		return run_parent(p, t);
	default:
		break;
	}
	demo_wait_ms((double)p->task_ms);
	if (demo_stopping()) {
		snprintf(t->error, sizeof t->error, "stopped");
		return -1;
	}
	if (t->kind == K_ADD || t->kind == K_TOTAL)
		t->result = t->a + t->b;
	else if (t->kind == K_MUL)
		t->result = t->a * t->b;
	else
		t->result = (t->a + 1) * (t->b + 1);
	return 0;
}

/* After t ran: its state, its chain link, its chord.  With mu held. */
static void task_finished(struct app *p, struct task *t, int rc)
{
	t->t_end = demo_now();
	t->state = rc == 0 ? T_SUCCESS : T_FAILURE;
	p->nfinal++;
	p->last_progress = t->t_end;
	if (t->kind != K_PARENT_GET)
		demo_timeline_add(p->tl, t->worker, t->t_start, t->t_end,
				  state_char(t));
	if (rc == 0 && t->link) {
		t->link->a = t->result;
		task_send(p, t->link);
	}
	if (rc == 0 && t->callback) {
		t->callback->a += t->result;
		if (--t->callback->chord_left == 0)
			task_send(p, t->callback);
	}
	pthread_cond_broadcast(&p->done);
}

static void *worker_main(void *arg)
{
	struct worker_ref *ref = arg;
	struct app *p = ref->app;
	int id = ref->id;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->head == p->tail && !p->shutdown)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->head == p->tail || (p->shutdown && demo_stopping()))
			break;
		struct task *t = p->queue[p->head++];
		t->state = T_RUNNING;
		t->worker = id;
		t->t_start = demo_now();
		p->current[id] = t;
		p->last_progress = t->t_start;
		if (++p->busy > p->max_busy)
			p->max_busy = p->busy;
		pthread_cond_broadcast(&p->done);
		pthread_mutex_unlock(&p->mu);
		int rc = run_task(p, t);
		pthread_mutex_lock(&p->mu);
		p->busy--;
		p->current[id] = NULL;
		task_finished(p, t, rc);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* A fresh broker, backend (room for cap tasks) and pool of k workers. */
static int app_init(struct app *p, int k, int cap, long task_ms, long fanout)
{
	memset(p, 0, sizeof *p);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	p->cap = cap;
	p->tasks = xcalloc((size_t)cap, sizeof *p->tasks);
	p->queue = xcalloc((size_t)cap, sizeof *p->queue);
	p->current = xcalloc((size_t)k, sizeof *p->current);
	p->tids = xcalloc((size_t)k, sizeof *p->tids);
	p->refs = xcalloc((size_t)k, sizeof *p->refs);
	p->task_ms = task_ms;
	p->fanout = fanout;
	p->k = k;
	p->last_progress = demo_now();
	p->tl = demo_timeline_new(k, demo_now());
	for (int i = 0; i < k; i++) {
		char label[32];
		snprintf(label, sizeof label, "worker %d", i + 1);
		demo_timeline_label(p->tl, i, label);
		p->refs[i] = (struct worker_ref){.app = p, .id = i};
		int err = pthread_create(&p->tids[i], NULL, worker_main, &p->refs[i]);
		if (err) {
			errno = err;
			break;
		}
		p->nstarted++;
	}
	return p->nstarted == k ? 0 : -1;
}

/* Stops the pool (the queue is drained first unless stopping) and frees. */
static void app_release(struct app *p)
{
	pthread_mutex_lock(&p->mu);
	p->shutdown = true;
	p->cut_waits = true;
	pthread_cond_broadcast(&p->work);
	pthread_cond_broadcast(&p->done);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->nstarted; i++)
		pthread_join(p->tids[i], NULL);
	for (int i = 0; i < p->ntasks; i++)
		free(p->tasks[i].children);
	demo_timeline_free(p->tl);
	free(p->refs);
	free(p->tids);
	free(p->current);
	free(p->queue);
	free(p->tasks);
	pthread_cond_destroy(&p->done);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->mu);
}

/* ---- the run ---- */

struct run {
	struct demo *d;
	int k, parents, fanout, chain, group;
	long task_ms, timeout_ms;
	struct app app;
	bool app_up;
	double t0;
	/* the stall, when one was detected */
	bool starved, stall_seen;
	int stalls;
	double detected_s;
	int held, queued_at, done_at, started_children_at, parents_done_at;
	/* figures for the table */
	double wall[5];
	int ntasks[5], nok[5], nfailed[5];
};

static int queue_pos(const struct app *p, const struct task *t)
{
	for (size_t i = p->head; i < p->tail; i++)
		if (p->queue[i] == t)
			return (int)(i - p->head) + 1;
	return 0;
}

/* The explanation of a stall: who holds which worker, waiting for whom. */
static void explain_stall(struct run *r)
{
	struct app *p = &r->app;
	struct demo *d = r->d;
	demo_print(d, "   nothing started or finished for %ld ms: starved.\n",
		   r->timeout_ms);
	for (int w = 0; w < p->k; w++) {
		struct task *t = p->current[w];
		if (!t)
			continue;
		struct task *c = t->waits_for;
		if (!c)
			demo_print(d, "     worker %d runs %s %d\n", w + 1,
				   kind_name[t->kind], t->owner);
		else
			demo_print(d, "     worker %d is held by parent %d, which waits "
				   "for child %d.%d: queued, %d in line\n", w + 1,
				   t->owner, c->owner, c->index, queue_pos(p, c));
	}
	demo_print(d, "   %d messages queued, %d of %d workers waiting, none free: "
		   "each parent waits for a child that only a free worker could "
		   "run, and every worker is a waiting parent.\n",
		   r->queued_at, r->held, p->k);
}

/* A stall: the timeout passed with no task started or finished, every
 * worker is a waiting parent and messages are queued.  With mu held. */
static bool stalled(struct run *r)
{
	struct app *p = &r->app;
	return demo_now() - p->last_progress >= (double)r->timeout_ms / 1000
	       && p->waiting > 0 && p->waiting == p->k && p->head < p->tail;
}

/*
 * A stall: the first is recorded and explained; every one is ended by
 * cutting the waits in progress, as get(timeout=...) raising TimeoutError
 * would.  With mu held.
 */
static void on_stall(struct run *r)
{
	struct app *p = &r->app;
	r->stalls++;
	if (!r->starved) {
		r->starved = true;
		r->detected_s = demo_now() - r->t0;
		r->held = p->waiting;
		r->queued_at = (int)(p->tail - p->head);
		r->done_at = p->nfinal;
		r->started_children_at = 0;
		r->parents_done_at = 0;
		for (int i = 0; i < p->ntasks; i++) {
			const struct task *t = &p->tasks[i];
			if (t->kind == K_CHILD && t->state != T_QUEUED)
				r->started_children_at++;
			if (t->kind == K_PARENT_GET && t->state == T_SUCCESS)
				r->parents_done_at++;
		}
		explain_stall(r);
	}
	for (int w = 0; w < p->k; w++)
		if (p->current[w] && p->current[w]->waits_for)
			p->current[w]->cut = true;
	p->last_progress = demo_now();
	pthread_cond_broadcast(&p->done);
}

/*
 * Waits until `total` tasks are final.  On a stall, records it, explains
 * it and cuts the waits (get(timeout=...) raising TimeoutError).
 * Returns 1 when stopped.
 */
static int wait_all(struct run *r, int total, const char *what)
{
	struct app *p = &r->app;
	pthread_mutex_lock(&p->mu);
	while (p->nfinal < total && !demo_stopping()) {
		struct timespec ts = demo_deadline_ms(20);
		pthread_cond_timedwait(&p->done, &p->mu, &ts);
		demo_progress(r->d, "  %s: %d of %d tasks done, %d running, %d waiting, %zu queued",
			      what, p->nfinal, total, p->busy, p->waiting,
			      p->tail - p->head);
		if (!p->cut_waits && stalled(r))
			on_stall(r);
	}
	pthread_mutex_unlock(&p->mu);
	return demo_stopping() ? 1 : 0;
}

static int start_app(struct run *r, int cap)
{
	if (r->app_up) {
		app_release(&r->app);
		r->app_up = false;
	}
	if (app_init(&r->app, r->k, cap, r->task_ms, r->fanout) < 0) {
		int err = errno;
		app_release(&r->app);
		fprintf(stderr, "demo-celery-chain: error: could not start %d "
			"worker threads: %s\n", r->k, strerror(err));
		return -1;
	}
	r->app_up = true;
	r->starved = false;
	r->stalls = 0;
	r->t0 = demo_now();
	return 0;
}

/* Tallies the section's tasks into the table's row s. */
static void tally(struct run *r, int s)
{
	struct app *p = &r->app;
	r->wall[s] = demo_now() - r->t0;
	r->ntasks[s] = p->ntasks;
	for (int i = 0; i < p->ntasks; i++) {
		r->nok[s] += p->tasks[i].state == T_SUCCESS;
		r->nfailed[s] += p->tasks[i].state == T_FAILURE;
	}
}

static long chain_expected(int n)
{
	long v = 2;
	for (int i = 1; i < n; i++)
		v = i % 2 ? v * 2 : v + 1;
	return v;
}

static int step_chain(struct run *r)
{
	struct demo *d = r->d;
	int n = r->chain;
	demo_print(d, "Celery on a broker queue and a pool of %d worker threads; "
		   "every task but a parent waits %ld ms.\n\n", r->k, r->task_ms);
	demo_print(d, "1. chain(add.s(1, 1)%s): each result is sent on as the "
		   "next task's first argument\n",
		   n > 2 ? ", mul.s(2), add.s(1), ..." : n > 1 ? ", mul.s(2)" : "");
	if (start_app(r, n) < 0)
		return -1;
	struct app *p = &r->app;
	pthread_mutex_lock(&p->mu);
	struct task *prev = NULL, *first = NULL;
	for (int i = 0; i < n; i++) {
		struct task *t = i == 0 ? task_new(p, K_ADD, 1, 1)
			       : task_new(p, i % 2 ? K_MUL : K_ADD, 0, i % 2 ? 2 : 1);
		t->index = i;
		if (prev)
			prev->link = t;
		else
			first = t;
		prev = t;
	}
	task_send(p, first);
	pthread_mutex_unlock(&p->mu);
	if (wait_all(r, n, "chain"))
		return 1;
	tally(r, 0);
	double *st = xcalloc((size_t)n * 2, sizeof *st), *en = st + n;
	int overlaps = 0;
	for (int i = 0; i < n; i++) {
		st[i] = (p->tasks[i].t_start - r->t0) * 1e3;
		en[i] = (p->tasks[i].t_end - r->t0) * 1e3;
		overlaps += i > 0 && st[i] < en[i - 1];
	}
	long got = p->tasks[n - 1].result;
	demo_print(d, "   result %ld (computed directly: %ld) after %.3f s: %d tasks "
		   "one after another (%d x %ld ms = %.3f s), whatever the pool size\n",
		   got, chain_expected(n), r->wall[0], n, n, r->task_ms,
		   (double)n * (double)r->task_ms / 1000);
	demo_json_int(d, "chain.result", got);
	demo_json_int(d, "chain.expected", chain_expected(n));
	demo_json_num(d, "chain.wall_s", r->wall[0]);
	demo_json_num(d, "chain.serial_s", (double)n * (double)r->task_ms / 1000);
	demo_json_nums(d, "chain.start_ms", st, (size_t)n);
	demo_json_nums(d, "chain.end_ms", en, (size_t)n);
	demo_json_int(d, "chain.overlaps", overlaps);
	free(st);
	return 0;
}

static int step_group(struct run *r)
{
	struct demo *d = r->d;
	int n = r->group;
	demo_print(d, "\n2. group(add.s(i, i) for i in range(%d)): all sent at once\n", n);
	if (start_app(r, n) < 0)
		return -1;
	struct app *p = &r->app;
	pthread_mutex_lock(&p->mu);
	for (int i = 0; i < n; i++) {
		struct task *t = task_new(p, K_ADD, i, i);
		t->index = i;
		task_send(p, t);
	}
	pthread_mutex_unlock(&p->mu);
	if (wait_all(r, n, "group"))
		return 1;
	tally(r, 1);
	double *res = xcalloc((size_t)n, sizeof *res);
	demo_print(d, "   results in order:");
	for (int i = 0; i < n; i++) {
		res[i] = (double)p->tasks[i].result;
		if (i < 12)
			demo_print(d, " %ld", p->tasks[i].result);
	}
	int rounds = (n + r->k - 1) / r->k;
	demo_print(d, "%s\n   after %.3f s: ceil(%d / %d) = %d rounds of %ld ms; at "
		   "most %d ran at once\n", n > 12 ? " ..." : "", r->wall[1], n,
		   r->k, rounds, r->task_ms, p->max_busy);
	demo_json_nums(d, "group.results", res, (size_t)n);
	demo_json_num(d, "group.wall_s", r->wall[1]);
	demo_json_num(d, "group.expected_s", rounds * (double)r->task_ms / 1000);
	demo_json_int(d, "group.rounds", rounds);
	demo_json_int(d, "group.max_running", p->max_busy);
	free(res);
	return 0;
}

/* Sends the parents of steps 3 to 5. */
static void send_parents(struct run *r, enum kind kind)
{
	struct app *p = &r->app;
	pthread_mutex_lock(&p->mu);
	for (int i = 0; i < r->parents; i++) {
		struct task *t = task_new(p, kind, i, 0);
		t->owner = i;
		task_send(p, t);
	}
	pthread_mutex_unlock(&p->mu);
}

/* Counts parents whose error starts with prefix, and children done. */
static void count_parents(const struct app *p, const char *prefix,
			  int *failed, int *ok, int *children)
{
	*failed = *ok = *children = 0;
	for (int i = 0; i < p->ntasks; i++) {
		const struct task *t = &p->tasks[i];
		if (t->kind == K_PARENT_GET && t->state == T_FAILURE
		    && !strncmp(t->error, prefix, strlen(prefix)))
			(*failed)++;
		if (t->kind == K_PARENT_GET && t->state == T_SUCCESS)
			(*ok)++;
		if (t->kind == K_CHILD && t->state == T_SUCCESS)
			(*children)++;
	}
}

static int step_refuse(struct run *r)
{
	struct demo *d = r->d;
	int total = r->parents * (1 + r->fanout);
	demo_print(d, "\n3. %d parents each send %d children and call .get() on "
		   "their results inside the task (the default)\n",
		   r->parents, r->fanout);
	if (start_app(r, total) < 0)
		return -1;
	send_parents(r, K_PARENT_GET);
	if (wait_all(r, total, "refuse"))
		return 1;
	tally(r, 2);
	int failed, ok, children;
	count_parents(&r->app, "RuntimeError", &failed, &ok, &children);
	const char *msg = "";
	for (int i = 0; i < r->app.ntasks && !msg[0]; i++)
		if (r->app.tasks[i].kind == K_PARENT_GET)
			msg = r->app.tasks[i].error;
	demo_print(d, "   %d of %d parents failed at once with %s; their %d "
		   "children ran anyway\n", failed, r->parents, msg, children);
	demo_json_int(d, "refusal.raised", failed);
	demo_json_int(d, "refusal.parents_ok", ok);
	demo_json_int(d, "refusal.children_done", children);
	demo_json_str(d, "refusal.message", msg);
	return 0;
}

static int step_starve(struct run *r)
{
	struct demo *d = r->d;
	int total = r->parents * (1 + r->fanout);
	demo_print(d, "\n4. the same with .get(disable_sync_subtasks=False): each "
		   "parent holds its worker while it waits\n");
	if (start_app(r, total) < 0)
		return -1;
	r->app.sync_subtasks = true;
	send_parents(r, K_PARENT_GET);
	if (wait_all(r, total, "starve"))
		return 1;
	tally(r, 3);
	int timeouts, ok, children;
	count_parents(&r->app, "TimeoutError", &timeouts, &ok, &children);
	if (!r->starved)
		r->parents_done_at = ok;
	r->stall_seen = r->starved;
	if (r->starved)
		demo_print(d, "   the waits were cut (get(timeout=...) raised "
			   "TimeoutError in %d parents, %d stall%s): the %d children "
			   "ran, %d parents finished, %.3f s in all\n", timeouts,
			   r->stalls, r->stalls == 1 ? "" : "s", children, ok, r->wall[3]);
	else
		demo_print(d, "   no stall: %d of %d parents finished in %.3f s, "
			   "their children ran on the %d worker(s) no parent held\n",
			   ok, r->parents, r->wall[3], r->k - r->app.max_waiting);
	demo_timeline_draw(d, r->app.tl, demo_now(), 60,
			   "p a parent sends its children, = it waits holding the "
			   "worker, # a child runs");
	demo_json_bool(d, "starve.starved", r->starved);
	demo_json_num(d, "starve.detected_after_s", r->starved ? r->detected_s : NAN);
	demo_json_int(d, "starve.completed_before_timeout", r->parents_done_at);
	demo_json_int(d, "starve.children_started_before_timeout",
		      r->starved ? r->started_children_at : children);
	demo_json_int(d, "starve.workers_held", r->starved ? r->held : r->app.max_waiting);
	demo_json_int(d, "starve.queued_at_detection", r->starved ? r->queued_at : 0);
	demo_json_int(d, "starve.timeouts", timeouts);
	demo_json_int(d, "starve.stalls", r->stalls);
	demo_json_int(d, "starve.parents_ok", ok);
	demo_json_int(d, "starve.children_done", children);
	demo_json_num(d, "starve.wall_s", r->wall[3]);
	return 0;
}

static int step_chord(struct run *r)
{
	struct demo *d = r->d;
	int total = r->parents * (2 + r->fanout), n = r->parents;
	demo_print(d, "\n5. chord(group(child.s(i, j) for j in range(%d)), total.s()) "
		   "from each parent, which returns at once\n", r->fanout);
	if (start_app(r, total) < 0)
		return -1;
	send_parents(r, K_PARENT_CHORD);
	if (wait_all(r, total, "chord"))
		return 1;
	tally(r, 4);
	struct app *p = &r->app;
	double *res = xcalloc((size_t)n * 2, sizeof *res), *want = res + n;
	int done = 0;
	for (int i = 0; i < p->ntasks; i++) {
		const struct task *t = &p->tasks[i];
		if (t->kind == K_TOTAL && t->state == T_SUCCESS) {
			res[t->owner] = (double)t->result;
			done++;
		}
	}
	demo_print(d, "   %d of %d callbacks ran after %.3f s, results", done, n,
		   r->wall[4]);
	for (int i = 0; i < n; i++) {
		long f = r->fanout;
		want[i] = (double)((i + 1) * f * (f + 1) / 2);
		if (i < 8)
			demo_print(d, " %.0f", res[i]);
	}
	demo_print(d, "%s; workers ever held by a waiting parent: %d\n",
		   n > 8 ? " ..." : "", p->max_waiting);
	demo_timeline_draw(d, p->tl, demo_now(), 60,
			   "p a parent sends its chord, # a child runs, * the callback");
	demo_json_int(d, "chord.completed", done);
	demo_json_nums(d, "chord.results", res, (size_t)n);
	demo_json_nums(d, "chord.expected", want, (size_t)n);
	demo_json_int(d, "chord.max_waiting", p->max_waiting);
	demo_json_int(d, "chord.max_running", p->max_busy);
	demo_json_num(d, "chord.wall_s", r->wall[4]);
	free(res);
	return 0;
}

static int step_table(struct run *r)
{
	static const char *const rows[] = {
		"chain", "group", ".get() refused", ".get() allowed", "chord"};
	struct demo *d = r->d;
	demo_print(d, "\n  %-16s %6s %8s %7s %9s\n", "", "tasks", "success",
		   "failed", "wall s");
	for (int s = 0; s < 5; s++)
		demo_print(d, "  %-16s %6d %8d %7d %9.3f\n", rows[s], r->ntasks[s],
			   r->nok[s], r->nfailed[s], r->wall[s]);
	demo_print(d, "\nIn Python terms: a chain runs its %d tasks one after another "
		   "(%.3f s), a group of %d spreads over the %d workers (%.3f s); a task "
		   "that waits on its subtasks' results holds a worker, so %d such "
		   "parents in a pool of %d %s, while a chord hands the wait to its "
		   "callback and finished in %.3f s.\n", r->chain, r->wall[0],
		   r->group, r->k, r->wall[1], r->parents, r->k,
		   r->stall_seen ? "starved it until their waits timed out"
			      : "left workers free for the children this time",
		   r->wall[4]);
	return 0;
}

int main(int argc, char **argv)
{
	long workers = 4, parents = 4, fanout = 3, chain = 3, group = 8;
	long task_ms = 50, timeout_ms = 1000;
	struct demo_param params[] = {
		DEMO_INT("workers", &workers, 1, 16, "worker threads in the pool (--concurrency)"),
		DEMO_INT("parents", &parents, 1, 32, "parent tasks that each send children"),
		DEMO_INT("fanout", &fanout, 1, 16, "children each parent sends"),
		DEMO_INT("chain", &chain, 1, 32, "tasks in the chain"),
		DEMO_INT("group", &group, 1, 256, "tasks in the group"),
		DEMO_INT("task-ms", &task_ms, 1, 1000, "how long each task waits, in ms"),
		DEMO_INT("timeout-ms", &timeout_ms, 50, 10000,
			 "no progress for this long while every worker waits is a stall, in ms"),
		DEMO_PARAMS_END
	};
	struct demo d;
	demo_init(&d, "celery-chain",
		  "Celery's chain, group and chord on a broker queue and k worker "
		  "threads; a parent waiting on its children starves the pool.",
		  params, argc, argv);
	static int (*const steps[])(struct run *) = {
		step_chain, step_group, step_refuse, step_starve, step_chord,
		step_table,
	};
	struct run r = {
		.d = &d, .k = (int)workers, .parents = (int)parents,
		.fanout = (int)fanout, .chain = (int)chain, .group = (int)group,
		.task_ms = task_ms, .timeout_ms = timeout_ms,
	};
	int status = 0;
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		int rc = steps[i](&r);
		if (rc < 0)
			status = 1;     /* the step said why */
		if (rc)
			break;
	}
	if (r.app_up)
		app_release(&r.app);
	int fin = demo_finish(&d);
	return status ? status : fin;
}
