/*
 * serverless: an endpoint whose workers scale from zero, in C threads.
 *
 * Requests arrive on an endpoint's queue at seeded times: a Poisson stream
 * at --rate during bursts of --burst-ms, nothing in the gaps of --gap-ms
 * between them.  A request that finds no idle worker makes the platform
 * start one (a thread), up to --max-workers; a new worker first pays a cold
 * start (--cold-ms: loading the code, importing modules) and then takes
 * requests from the queue, each taking --service-ms; a worker idle for
 * --idle-ms is stopped (scale to zero).  The same arrivals go at the same
 * moments to five endpoints that differ only in their limits: one worker,
 * no idle time, the given settings, kept warm (never stopped during the
 * run) and twice the workers.  Measured per endpoint: each request's
 * latency (arrival to response) and its p50 and p95, cold starts, and
 * worker-seconds (from a worker's start to its stop, what the platform
 * bills, up to the end of the run); a timeline of the given endpoint shows
 * which worker was cold, serving or idle when.
 * It does not model a load balancer's choice of worker, concurrency within
 * a worker, or a real container: the cold start is a wait.
 */
#include "demolib.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum wstate { W_OFF, W_COLD, W_IDLE, W_BUSY };

struct endpoint;

struct slot {
	struct endpoint *ep;
	int id;
	pthread_t tid;
	bool joinable;
	enum wstate state;
};

struct endpoint {
	const char *key, *label;
	long max_workers, idle_ms;
	pthread_mutex_t mu;
	pthread_cond_t cond;            /* a request was queued, or shutdown */
	int *queue;                     /* request indexes, FIFO */
	int head, tail;
	double *arrived, *latency;      /* per request; latency < 0: not served */
	double *wait;                   /* queued before a worker took it */
	int served;
	struct slot *slots;
	int alive, starting, idle, max_alive;
	int cold_starts, scale_to_zero;
	double worker_s, busy_s;
	bool shutdown;
	double t_end;                   /* the run's end: billing stops */
	long cold_ms, service_ms;
	double q_since;                 /* when the queue last became non-empty */
	struct demo_timeline *tl;       /* NULL: not drawn */
	int queue_row;
	/* results */
	double p50, p95, pmax, mean_wait;
	int waited;                     /* requests queued over 1 ms */
};

#define NEP 5
/* Arrivals spread over longer than this are refused. */
#define MAX_SPAN_S 120

/* ---- arrivals ---- */

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * n arrival times in seconds from the start: exponential gaps at rate per
 * second on a clock that runs only during bursts, each burst followed by a
 * gap.  Returns the number of bursts used.
 */
static int make_arrivals(double *at, int n, uint64_t seed, double rate,
			 double burst_s, double gap_s)
{
	uint64_t s = seed;
	double t = 0;
	int bursts = 0;
	for (int i = 0; i < n; i++) {
		double u = ((double)(splitmix(&s) >> 11) + 0.5) / 9007199254740992.0;
		t += -log(u) / rate;
		double k = floor(t / burst_s);
		at[i] = k * (burst_s + gap_s) + (t - k * burst_s);
		bursts = (int)k + 1;
	}
	return bursts;
}

/* ---- the endpoint ---- */

static void *worker_main(void *arg);

/* Starts a worker in a free slot.  With mu held. */
static void spawn(struct endpoint *ep)
{
	for (int i = 0; i < ep->max_workers; i++) {
		struct slot *s = &ep->slots[i];
		if (s->state != W_OFF)
			continue;
		if (s->joinable)        /* it set W_OFF and let go of mu: ending */
			pthread_join(s->tid, NULL);
		s->joinable = false;
		s->state = W_COLD;
		int err = pthread_create(&s->tid, NULL, worker_main, s);
		if (err) {
			s->state = W_OFF;
			return;         /* the queued request waits for a worker */
		}
		s->joinable = true;
		ep->alive++;
		ep->starting++;
		ep->cold_starts++;
		if (ep->alive > ep->max_alive)
			ep->max_alive = ep->alive;
		return;
	}
}

/* A request arrives.  With mu held. */
static void endpoint_put(struct endpoint *ep, int req, double now)
{
	ep->arrived[req] = now;
	if (ep->head == ep->tail)
		ep->q_since = now;
	ep->queue[ep->tail++] = req;
	if (ep->idle > 0)
		pthread_cond_signal(&ep->cond);
	/* More queued than the idle and starting workers will take: one more. */
	if (ep->tail - ep->head > ep->idle + ep->starting
	    && ep->alive < ep->max_workers)
		spawn(ep);
}

/* Takes the next request.  With mu held; the queue is not empty. */
static int endpoint_take(struct endpoint *ep, double now)
{
	int req = ep->queue[ep->head++];
	if (ep->head == ep->tail && ep->tl)
		demo_timeline_add(ep->tl, ep->queue_row, ep->q_since, now, '.');
	ep->wait[req] = now - ep->arrived[req];
	return req;
}

/*
 * Waits idle for a request, at most idle_ms.  With mu held.  Returns false
 * when the worker should stop: timed out with nothing queued, or shutdown.
 */
static bool wait_for_work(struct endpoint *ep, struct slot *s)
{
	double start = demo_now(), until = start + (double)ep->idle_ms / 1000;
	s->state = W_IDLE;
	ep->idle++;
	while (ep->head == ep->tail && !ep->shutdown && !demo_stopping()) {
		double left = until - demo_now();
		if (left <= 0)
			break;
		struct timespec ts = demo_deadline_ms(1000 * (left < 0.02 ? left : 0.02));
		pthread_cond_timedwait(&ep->cond, &ep->mu, &ts);
	}
	ep->idle--;
	if (ep->tl)
		demo_timeline_add(ep->tl, s->id, start, demo_now(), '-');
	return ep->head != ep->tail && !demo_stopping();
}

static void *worker_main(void *arg)
{
	struct slot *s = arg;
	struct endpoint *ep = s->ep;
	double born = demo_now();
	demo_wait_ms((double)ep->cold_ms);           /* the cold start */
	pthread_mutex_lock(&ep->mu);
	double ready = demo_now();
	ep->starting--;
	if (ep->tl)
		demo_timeline_add(ep->tl, s->id, born, ready, 'c');
	bool first = true;
	while ((first && ep->head != ep->tail) || wait_for_work(ep, s)) {
		first = false;
		double t0 = demo_now();
		int req = endpoint_take(ep, t0);
		s->state = W_BUSY;
		pthread_mutex_unlock(&ep->mu);
		demo_wait_ms((double)ep->service_ms);
		pthread_mutex_lock(&ep->mu);
		double t1 = demo_now();
		ep->latency[req] = demo_stopping() ? -1 : t1 - ep->arrived[req];
		ep->served += !demo_stopping();
		ep->busy_s += t1 - t0;
		if (ep->tl)
			demo_timeline_add(ep->tl, s->id, t0, t1, '#');
	}
	double end = demo_now();
	if (ep->t_end > 0 && end > ep->t_end)
		end = ep->t_end;
	ep->worker_s += end - born;
	s->state = W_OFF;
	if (--ep->alive == 0 && !ep->shutdown)
		ep->scale_to_zero++;
	pthread_cond_broadcast(&ep->cond);
	pthread_mutex_unlock(&ep->mu);
	return NULL;
}

static void endpoint_init(struct endpoint *ep, int n, long cold_ms,
			  long service_ms)
{
	pthread_mutex_init(&ep->mu, NULL);
	pthread_cond_init(&ep->cond, NULL);
	ep->queue = xcalloc((size_t)n, sizeof *ep->queue);
	ep->arrived = xcalloc((size_t)n * 3, sizeof *ep->arrived);
	ep->latency = ep->arrived + n;
	ep->wait = ep->arrived + 2 * n;
	for (int i = 0; i < n; i++)
		ep->latency[i] = -1;
	ep->slots = xcalloc((size_t)ep->max_workers, sizeof *ep->slots);
	for (int i = 0; i < ep->max_workers; i++) {
		ep->slots[i].ep = ep;
		ep->slots[i].id = i;
	}
	ep->cold_ms = cold_ms;
	ep->service_ms = service_ms;
}

/* Stops every worker (billing up to t_end) and joins them. */
static void endpoint_stop(struct endpoint *ep, double t_end)
{
	pthread_mutex_lock(&ep->mu);
	ep->t_end = t_end;
	ep->shutdown = true;
	pthread_cond_broadcast(&ep->cond);
	pthread_mutex_unlock(&ep->mu);
	for (int i = 0; i < ep->max_workers; i++)
		if (ep->slots[i].joinable)
			pthread_join(ep->slots[i].tid, NULL);
}

static void endpoint_release(struct endpoint *ep)
{
	free(ep->slots);
	free(ep->arrived);
	free(ep->queue);
	pthread_cond_destroy(&ep->cond);
	pthread_mutex_destroy(&ep->mu);
}

/* ---- the run ---- */

struct run {
	struct demo *d;
	int n;
	long max_workers, idle_ms, cold_ms, service_ms, burst_ms, gap_ms, seed;
	double rate;
	double *at;
	int bursts;
	struct endpoint ep[NEP];
	int nep;
	double t0, t_end;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted v[0..n-1]. */
static double pct(const double *v, int n, double p)
{
	if (n == 0)
		return NAN;
	int k = (int)ceil(p * n) - 1;
	return v[k < 0 ? 0 : k];
}

static void endpoint_stats(struct endpoint *ep, int n)
{
	double *v = xcalloc((size_t)n, sizeof *v);
	int m = 0;
	double wsum = 0;
	for (int i = 0; i < n; i++) {
		if (ep->latency[i] < 0)
			continue;
		v[m++] = ep->latency[i] * 1e3;
		wsum += ep->wait[i] * 1e3;
		ep->waited += ep->wait[i] > 1e-3;
	}
	qsort(v, (size_t)m, sizeof *v, cmp_double);
	ep->p50 = pct(v, m, 0.50);
	ep->p95 = pct(v, m, 0.95);
	ep->pmax = m ? v[m - 1] : NAN;
	ep->mean_wait = m ? wsum / m : NAN;
	free(v);
}

static int step_setup(struct run *r)
{
	struct demo *d = r->d;
	r->at = xcalloc((size_t)r->n, sizeof *r->at);
	r->bursts = make_arrivals(r->at, r->n, (uint64_t)r->seed, r->rate,
				  (double)r->burst_ms / 1000, (double)r->gap_ms / 1000);
	if (r->at[r->n - 1] > MAX_SPAN_S) {
		fprintf(stderr, "demo-serverless: error: %d requests at %g/s in "
			"bursts of %ld ms every %ld ms would arrive over %.0f s; at "
			"most %d s: fewer requests, a higher rate or shorter gaps\n",
			r->n, r->rate, r->burst_ms, r->burst_ms + r->gap_ms,
			r->at[r->n - 1], MAX_SPAN_S);
		return -1;
	}
	long m = r->max_workers;
	const struct { const char *key, *label; long max, idle; } cfg[NEP] = {
		{"one_worker", "one worker", 1, r->idle_ms},
		{"no_idle", "stopped when idle", m, 0},
		{"given", "as given", m, r->idle_ms},
		{"warm", "kept warm", m, 600000},
		{"double", "twice the workers", m * 2, r->idle_ms},
	};
	r->nep = NEP;
	for (int i = 0; i < NEP; i++) {
		struct endpoint *ep = &r->ep[i];
		ep->key = cfg[i].key;
		ep->label = cfg[i].label;
		ep->max_workers = cfg[i].max;
		ep->idle_ms = cfg[i].idle;
		endpoint_init(ep, r->n, r->cold_ms, r->service_ms);
	}
	demo_print(d, "An endpoint whose workers scale from zero: a new worker pays a "
		   "%ld ms cold start, then serves requests of %ld ms each from the "
		   "queue, and stops after %ld ms idle; at most %ld workers.\n",
		   r->cold_ms, r->service_ms, r->idle_ms, r->max_workers);
	demo_print(d, "%d requests arrive (seed %ld): Poisson at %.0f/s in %d "
		   "burst%s of %ld ms, %ld ms apart; the same arrivals go at the same "
		   "moments to five endpoints that differ only in their limits.\n\n",
		   r->n, r->seed, r->rate, r->bursts, r->bursts == 1 ? "" : "s",
		   r->burst_ms, r->gap_ms);
	return 0;
}

/* Sends each request to every endpoint at its time; waits for the end. */
static int step_feed(struct run *r)
{
	struct endpoint *given = &r->ep[2];
	r->t0 = demo_now();
	given->tl = demo_timeline_new((int)given->max_workers + 1, r->t0);
	for (int i = 0; i < given->max_workers; i++) {
		char label[32];
		snprintf(label, sizeof label, "worker %d", i + 1);
		demo_timeline_label(given->tl, i, label);
	}
	given->queue_row = (int)given->max_workers;
	demo_timeline_label(given->tl, given->queue_row, "queue");
	for (int i = 0; i < r->n && !demo_stopping(); i++) {
		double due = r->t0 + r->at[i];
		while (demo_now() < due && !demo_stopping())
			demo_sleep_ms((due - demo_now()) * 1e3 < 20 ? (due - demo_now()) * 1e3 : 20);
		double now = demo_now();
		for (int e = 0; e < r->nep; e++) {
			pthread_mutex_lock(&r->ep[e].mu);
			endpoint_put(&r->ep[e], i, now);
			pthread_mutex_unlock(&r->ep[e].mu);
		}
		pthread_mutex_lock(&given->mu);
		demo_progress(r->d, "  %.2f s: request %d of %d; as given: %d workers "
			      "alive, %d queued, %d served", now - r->t0, i + 1, r->n,
			      given->alive, given->tail - given->head, given->served);
		pthread_mutex_unlock(&given->mu);
	}
	for (;;) {
		int left = 0;
		for (int e = 0; e < r->nep; e++) {
			pthread_mutex_lock(&r->ep[e].mu);
			left += r->n - r->ep[e].served;
			pthread_mutex_unlock(&r->ep[e].mu);
		}
		if (!left || demo_stopping())
			break;
		demo_progress(r->d, "  %.2f s: all arrived; %d responses to go",
			      demo_now() - r->t0, left);
		demo_sleep_ms(10);
	}
	r->t_end = demo_now();
	for (int e = 0; e < r->nep; e++)
		endpoint_stop(&r->ep[e], r->t_end);
	if (demo_stopping())
		return 1;
	for (int e = 0; e < r->nep; e++)
		endpoint_stats(&r->ep[e], r->n);
	return 0;
}

static int step_report(struct run *r)
{
	struct demo *d = r->d;
	struct endpoint *g = &r->ep[2];
	demo_timeline_draw(d, g->tl, r->t_end, 60,
			   "c cold start, # serving, - idle (warm), . requests queued");
	demo_print(d, "\n  %-18s %4s %7s %7s %7s %7s %6s %9s %6s\n", "endpoint",
		   "max", "idle", "p50 ms", "p95 ms", "max ms", "cold", "worker-s",
		   "busy");
	for (int e = 0; e < r->nep; e++) {
		struct endpoint *ep = &r->ep[e];
		char idle[32];
		if (ep->idle_ms >= 600000)
			snprintf(idle, sizeof idle, "%s", "never");
		else
			snprintf(idle, sizeof idle, "%ldms", ep->idle_ms);
		demo_print(d, "  %-18s %4ld %7s %7.0f %7.0f %7.0f %6d %9.2f %5.0f%%\n",
			   ep->label, ep->max_workers, idle, ep->p50, ep->p95, ep->pmax,
			   ep->cold_starts, ep->worker_s,
			   ep->worker_s > 0 ? 100 * ep->busy_s / ep->worker_s : 0);
	}
	demo_print(d, "\n  (p50/p95 from arrival to response; the function alone takes "
		   "%ld ms; worker-s from each worker's start to its stop, up to the end "
		   "of the run, %.2f s; busy: the share of those spent serving)\n",
		   r->service_ms, r->t_end - r->t0);
	struct endpoint *w = &r->ep[3];
	demo_print(d, "\nWhat the numbers mean: as given, %d cold starts (%d times "
		   "back to zero workers) put p95 at %.0f ms against the %ld ms of the "
		   "work; kept warm, only %d cold starts and a p50 of %.0f ms instead "
		   "of %.0f, for %.2f worker-seconds instead of %.2f; twice the workers, "
		   "%d cold starts and a p95 of %.0f ms; one worker queues the bursts "
		   "(p95 %.0f ms).\n",
		   g->cold_starts, g->scale_to_zero, g->p95, r->service_ms,
		   w->cold_starts, w->p50, g->p50, w->worker_s, g->worker_s,
		   r->ep[4].cold_starts, r->ep[4].p95, r->ep[0].p95);
	return 0;
}

static int step_json(struct run *r)
{
	struct demo *d = r->d;
	struct endpoint *g = &r->ep[2];
	demo_json_int(d, "arrivals.count", r->n);
	demo_json_int(d, "arrivals.bursts", r->bursts);
	demo_json_num(d, "arrivals.span_s", r->n ? r->at[r->n - 1] : 0);
	demo_json_nums(d, "arrivals.at_s", r->at, (size_t)r->n);
	demo_json_num(d, "run_s", r->t_end - r->t0);
	demo_json_num(d, "p50_ms", g->p50);
	demo_json_num(d, "p95_ms", g->p95);
	demo_json_int(d, "cold_starts", g->cold_starts);
	demo_json_num(d, "worker_s", g->worker_s);
	for (int e = 0; e < r->nep; e++) {
		struct endpoint *ep = &r->ep[e];
		char path[80];
#define EPJ(field, fn, v) \
	(snprintf(path, sizeof path, "endpoints.%s." field, ep->key), fn(d, path, v))
		EPJ("max_workers", demo_json_int, ep->max_workers);
		EPJ("idle_ms", demo_json_int, ep->idle_ms);
		EPJ("served", demo_json_int, ep->served);
		EPJ("p50_ms", demo_json_num, ep->p50);
		EPJ("p95_ms", demo_json_num, ep->p95);
		EPJ("max_ms", demo_json_num, ep->pmax);
		EPJ("mean_wait_ms", demo_json_num, ep->mean_wait);
		EPJ("waited", demo_json_int, ep->waited);
		EPJ("cold_starts", demo_json_int, ep->cold_starts);
		EPJ("scale_to_zero", demo_json_int, ep->scale_to_zero);
		EPJ("max_alive", demo_json_int, ep->max_alive);
		EPJ("worker_s", demo_json_num, ep->worker_s);
		EPJ("busy_s", demo_json_num, ep->busy_s);
#undef EPJ
		double *lat = xcalloc((size_t)r->n, sizeof *lat);
		for (int i = 0; i < r->n; i++)
			lat[i] = ep->latency[i] * 1e3;
		snprintf(path, sizeof path, "endpoints.%s.latency_ms", ep->key);
		demo_json_nums(d, path, lat, (size_t)r->n);
		free(lat);
	}
	return 0;
}

int main(int argc, char **argv)
{
	long requests = 40, max_workers = 4, idle_ms = 250, cold_ms = 200;
	long service_ms = 40, burst_ms = 300, gap_ms = 700, seed = 10;
	double rate = 50;
	struct demo_param params[] = {
		DEMO_INT("requests", &requests, 1, 2000, "requests sent to the endpoint"),
		DEMO_FLOAT("rate", &rate, 0.1, 1000, "arrivals per second during a burst (Poisson)"),
		DEMO_INT("burst-ms", &burst_ms, 10, 10000, "how long a burst of arrivals lasts, in ms"),
		DEMO_INT("gap-ms", &gap_ms, 0, 10000, "the quiet time between bursts, in ms"),
		DEMO_INT("max-workers", &max_workers, 1, 32, "most workers the endpoint may run at once"),
		DEMO_INT("idle-ms", &idle_ms, 0, 60000, "a worker idle this long is stopped, in ms"),
		DEMO_INT("cold-ms", &cold_ms, 0, 5000, "a new worker's cold start, in ms"),
		DEMO_INT("service-ms", &service_ms, 1, 5000, "how long one request takes a warm worker, in ms"),
		DEMO_INT("seed", &seed, 0, 1000000000, "seed of the arrival times"),
		DEMO_PARAMS_END
	};
	struct demo d;
	demo_init(&d, "serverless",
		  "Workers that scale from zero: cold starts, an idle timeout, p50/p95 "
		  "latency and worker-seconds against the limits.",
		  params, argc, argv);
	struct run r = {
		.d = &d, .n = (int)requests, .max_workers = max_workers,
		.idle_ms = idle_ms, .cold_ms = cold_ms, .service_ms = service_ms,
		.burst_ms = burst_ms, .gap_ms = gap_ms, .seed = seed, .rate = rate,
	};
	static int (*const steps[])(struct run *) = {
		step_setup, step_feed, step_report, step_json,
	};
	int status = 0;
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		int rc = steps[i](&r);
		if (rc < 0)
			status = 2;     /* the step said why: a bad combination */
		if (rc)
			break;
	}
	for (int e = 0; e < r.nep; e++) {
		demo_timeline_free(r.ep[e].tl);
		endpoint_release(&r.ep[e]);
	}
	free(r.at);
	int fin = demo_finish(&d);
	return status ? status : fin;
}
