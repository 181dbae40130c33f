/*
 * selectors: what one wait call costs with N idle descriptors and one ready
 * one, for select, poll and epoll, as N grows.
 *
 * Each idle source is its own eventfd that nobody writes (never readable);
 * the ready one is an eventfd holding a count (always readable, level-
 * triggered).  Every call must report exactly that one descriptor.  A call
 * is timed with all the work a program does around it:
 *   select  copy the fd_set template (select overwrites it), select(), then
 *           walk every descriptor with FD_ISSET (as select.select builds its
 *           result lists);
 *   poll    poll() over the array of N + 1 entries, then walk every entry's
 *           revents (as select.poll().poll() does);
 *   epoll   epoll_wait() on an instance where the N + 1 descriptors were
 *           registered once beforehand (the registration is timed apart).
 * Per call, the median over batches of calls is reported, so a burst of
 * load from elsewhere on the machine moves it little.
 *
 * The open-file limit bounds N: the soft limit is raised to the hard one and
 * N is clamped to what fits, and select() takes only descriptors below
 * FD_SETSIZE (1024), so it is skipped for an N that needs more.  It does not
 * model sockets: an eventfd's poll callback is about the cheapest there is,
 * so a real socket makes select and poll slower still.
 */
#include "demolib.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <unistd.h>

#define MAX_SIZES 16
#define BATCH 8         /* calls per timed batch */
#define FD_MARGIN 8     /* descriptors kept free: the ready one, epoll, stdio */

enum method { M_SELECT, M_POLL, M_EPOLL, M_COUNT };
static const char *const method_names[M_COUNT] = {"select", "poll", "epoll"};

struct bench {
	int ready;              /* the readable eventfd */
	int *idle;              /* idle eventfds */
	int n;                  /* how many of idle[] this size uses */
	struct pollfd *pfd;
	fd_set tmpl;
	int maxfd;
	int epfd;
};

/* One wait call plus the caller's scan; returns the ready count found. */
static int wait_once(struct bench *b, enum method m)
{
	int found = 0;
	switch (m) {
	case M_SELECT: {
		fd_set rd;
		struct timeval tv = {1, 0};
		memcpy(&rd, &b->tmpl, sizeof rd);
		if (select(b->maxfd + 1, &rd, NULL, NULL, &tv) < 0)
			return -1;
		if (FD_ISSET(b->ready, &rd))
			found++;
		for (int i = 0; i < b->n; i++)
			if (FD_ISSET(b->idle[i], &rd))
				found++;
		break;
	}
	case M_POLL:
		if (poll(b->pfd, (nfds_t)b->n + 1, 1000) < 0)
			return -1;
		for (int i = 0; i <= b->n; i++)
			if (b->pfd[i].revents)
				found++;
		break;
	case M_EPOLL: {
		struct epoll_event ev[16];
		int r = epoll_wait(b->epfd, ev, 16, 1000);
		if (r < 0)
			return -1;
		found = r;
		break;
	}
	case M_COUNT:
		break;
	}
	return found;
}

struct cell {
	bool done;
	double per_call_us;     /* median over batches */
	long calls;
	double setup_us;        /* epoll: registering the N + 1 descriptors */
};

/*
 * Times method m at the current size: batches of BATCH calls until
 * max_calls or budget_s is reached (at least 4 batches).  Returns 0, or -1
 * when a call failed or did not report exactly the one ready descriptor.
 */
static int measure(struct bench *b, enum method m, long max_calls,
		   double budget_s, struct cell *c)
{
	long nb = max_calls / BATCH;
	if (nb < 4)
		nb = 4;
	double *bt = xcalloc((size_t)nb, sizeof *bt);
	for (int i = 0; i < 4; i++)     /* warm up caches */
		if (wait_once(b, m) != 1) {
			free(bt);
			errno = EPROTO;
			return -1;
		}
	long k = 0;
	double start = demo_now();
	while (k < nb && !demo_stopping()) {
		double t0 = demo_now();
		int bad = 0;
		for (int i = 0; i < BATCH; i++)
			bad |= wait_once(b, m) != 1;
		double t1 = demo_now();
		if (bad) {
			free(bt);
			errno = EPROTO;
			return -1;
		}
		bt[k++] = (t1 - t0) / BATCH * 1e6;
		if (k >= 4 && t1 - start > budget_s)
			break;
	}
	c->calls = k * BATCH;
	c->per_call_us = demo_median(bt, (size_t)k);
	c->done = k > 0;
	free(bt);
	return 0;
}

/* A bar of `width` columns on a log scale from lo to hi. */
static int bar_len(double v, double lo, double hi, int width)
{
	if (!(v > 0) || !(hi > lo))
		return 1;
	double f = (log10(v) - log10(lo)) / (log10(hi) - log10(lo));
	int len = 1 + (int)lround(f * (width - 1));
	return len < 1 ? 1 : len > width ? width : len;
}

static void json_key(char *out, size_t size, const char *what, enum method m,
		     long n)
{
	snprintf(out, size, "%s.%s.%ld", what, method_names[m], n);
}
/* The run: parameters, the descriptors, and the cells of the table. */
struct sel {
	struct demo *d;
	long max_n, calls, ms_per_point;
	long soft0, hard, soft, open_now, n_used;
	bool clamped;
	long sizes[MAX_SIZES];
	int nsizes;
	long select_skipped[MAX_SIZES];
	int nskipped;
	struct bench b;
	int nidle;                      /* idle eventfds opened so far */
	struct cell cells[MAX_SIZES][M_COUNT];
	double lo, hi;                  /* the chart's scale */
	int status;                     /* exit status a step chose, or 0 */
};

/* Descriptors open at start (inherited ones count against the limit too). */
static long count_open_fds(void)
{
	long open_now = 0;
	DIR *dir = opendir("/proc/self/fd");
	if (dir) {
		struct dirent *e;
		while ((e = readdir(dir)))
			open_now += e->d_name[0] != '.';
		closedir(dir);
	}
	return open_now;
}

/* The open-file limit: raise soft to hard, clamp N to what fits; the sizes. */
static int step_limits(struct sel *s)
{
	struct demo *d = s->d;
	struct rlimit rl;
	s->soft0 = s->hard = s->soft = -1;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		s->soft0 = rl.rlim_cur == RLIM_INFINITY ? -1 : (long)rl.rlim_cur;
		s->hard = rl.rlim_max == RLIM_INFINITY ? -1 : (long)rl.rlim_max;
		if (rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
			s->soft = (long)rl.rlim_cur;
	}
	s->open_now = count_open_fds();
	demo_json_int(d, "fd_open_at_start", s->open_now);
	long fit = s->soft > 0 ? s->soft - s->open_now - FD_MARGIN : s->max_n;
	s->n_used = s->max_n < fit ? s->max_n : fit;
	s->clamped = s->n_used < s->max_n;
	demo_json_int(d, "fd_limit.soft_before", s->soft0);
	demo_json_int(d, "fd_limit.soft", s->soft);
	demo_json_int(d, "fd_limit.hard", s->hard);
	demo_json_int(d, "max_n_used", s->n_used);
	demo_json_bool(d, "clamped", s->clamped);
	demo_json_int(d, "fd_setsize", FD_SETSIZE);
	if (s->n_used < 1) {
		fprintf(stderr, "demo-selectors: error: the open-file limit (%ld) "
			"leaves no room for idle descriptors\n", s->soft);
		s->status = 3;
		return -1;
	}
	for (long n = 10; n <= s->n_used && s->nsizes < MAX_SIZES; n *= 10)
		s->sizes[s->nsizes++] = n;
	if ((s->nsizes == 0 || s->sizes[s->nsizes - 1] != s->n_used) &&
	    s->nsizes < MAX_SIZES)
		s->sizes[s->nsizes++] = s->n_used;
	return 0;
}

static int step_plan(struct sel *s)
{
	struct demo *d = s->d;
	demo_print(d, "One thread waits on N idle descriptors (eventfds nobody "
		   "writes) and one ready one; every call must report exactly "
		   "that one.\nN = ");
	for (int i = 0; i < s->nsizes; i++)
		demo_print(d, "%s%ld", i ? ", " : "", s->sizes[i]);
	demo_print(d, "; up to %ld calls or %ld ms per method and N; median "
		   "per call over batches of %d.\n", s->calls, s->ms_per_point, BATCH);
	demo_print(d, "Open-file limit: soft %ld raised to %ld (hard %ld).\n",
		   s->soft0, s->soft, s->hard);
	if (s->clamped)
		demo_print(d, "N clamped from %ld to %ld: the limit allows %ld "
			   "open files, %ld are open already and %d are kept "
			   "for the rest (the hard limit cannot be raised "
			   "without privilege).\n", s->max_n, s->n_used, s->soft,
			   s->open_now, FD_MARGIN);
	return 0;
}

/* The ready eventfd and the largest size's idle ones. */
static int step_open(struct sel *s)
{
	struct bench *b = &s->b;
	b->ready = eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK);
	b->idle = xcalloc((size_t)s->n_used, sizeof *b->idle);
	b->pfd = xcalloc((size_t)s->n_used + 1, sizeof *b->pfd);
	if (b->ready < 0)
		return -1;
	for (; s->nidle < s->n_used; s->nidle++) {
		if (demo_stopping())
			return 1;
		b->idle[s->nidle] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (b->idle[s->nidle] < 0)
			return -1;
	}
	return 0;
}

/* Points the bench at the first n idle descriptors; false when select can't. */
static bool use_size(struct bench *b, int n)
{
	b->n = n;
	FD_ZERO(&b->tmpl);
	b->maxfd = b->ready;
	b->pfd[0] = (struct pollfd){.fd = b->ready, .events = POLLIN};
	for (int i = 0; i < b->n; i++) {
		b->pfd[i + 1] = (struct pollfd){.fd = b->idle[i], .events = POLLIN};
		if (b->idle[i] > b->maxfd)
			b->maxfd = b->idle[i];
	}
	if (b->maxfd >= FD_SETSIZE)
		return false;
	FD_SET(b->ready, &b->tmpl);
	for (int i = 0; i < b->n; i++)
		FD_SET(b->idle[i], &b->tmpl);
	return true;
}

/* A fresh epoll instance with the current size registered; the time it took. */
static int register_epoll(struct bench *b, double *setup_us)
{
	double t0 = demo_now();
	b->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (b->epfd < 0)
		return -1;
	for (int i = 0; i <= b->n; i++) {
		struct epoll_event ev = {.events = EPOLLIN};
		ev.data.fd = b->pfd[i].fd;
		if (epoll_ctl(b->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0)
			return -1;
	}
	*setup_us = (demo_now() - t0) * 1e6;
	return 0;
}

static int step_measure(struct sel *s)
{
	struct bench *b = &s->b;
	for (int si = 0; si < s->nsizes && !demo_stopping(); si++) {
		bool select_ok = use_size(b, (int)s->sizes[si]);
		if (!select_ok)
			s->select_skipped[s->nskipped++] = s->sizes[si];
		if (register_epoll(b, &s->cells[si][M_EPOLL].setup_us) < 0)
			return -1;
		for (int m = 0; m < M_COUNT && !demo_stopping(); m++) {
			if (m == M_SELECT && !select_ok)
				continue;
			demo_progress(s->d, "N = %ld: timing %s ...", s->sizes[si],
				      method_names[m]);
			if (measure(b, (enum method)m, s->calls, s->ms_per_point / 1000.0,
				    &s->cells[si][m]) < 0)
				return -1;
		}
		close(b->epfd);
		b->epfd = -1;
	}
	return demo_stopping();
}

/* One row of the table: the cells of size si, and their JSON. */
static void table_row(struct sel *s, int si)
{
	struct demo *d = s->d;
	demo_print(d, "%8ld", s->sizes[si]);
	for (int m = 0; m < M_COUNT; m++) {
		const struct cell *c = &s->cells[si][m];
		if (!c->done) {
			demo_print(d, " %12s", "-");
			continue;
		}
		demo_print(d, " %12.2f", c->per_call_us);
		if (c->per_call_us < s->lo)
			s->lo = c->per_call_us;
		if (c->per_call_us > s->hi)
			s->hi = c->per_call_us;
		char key[96];
		json_key(key, sizeof key, "per_call_us", (enum method)m, s->sizes[si]);
		demo_json_num(d, key, c->per_call_us);
		json_key(key, sizeof key, "calls", (enum method)m, s->sizes[si]);
		demo_json_int(d, key, c->calls);
	}
	demo_print(d, "   epoll_ctl: %.0f us for %ld\n",
		   s->cells[si][M_EPOLL].setup_us, s->sizes[si] + 1);
	char key[96];
	snprintf(key, sizeof key, "epoll_register_us.%ld", s->sizes[si]);
	demo_json_num(d, key, s->cells[si][M_EPOLL].setup_us);
}

static int step_table(struct sel *s)
{
	struct demo *d = s->d;
	demo_print(d, "\n%8s %12s %12s %12s   %s\n", "N", "select", "poll",
		   "epoll", "(us per wait call, median)");
	s->lo = INFINITY;
	s->hi = 0;
	for (int si = 0; si < s->nsizes; si++)
		table_row(s, si);
	if (s->nskipped) {
		double sk[MAX_SIZES];
		for (int i = 0; i < s->nskipped; i++)
			sk[i] = (double)s->select_skipped[i];
		demo_json_nums(d, "select_skipped", sk, (size_t)s->nskipped);
		demo_print(d, "select is not run at N = %ld and above: its fd_set "
			   "is a fixed bitmap of FD_SETSIZE = %d bits, so a "
			   "descriptor numbered %d or more cannot be passed at all "
			   "(Python: ValueError: filedescriptor out of range in "
			   "select()).\n", s->select_skipped[0], FD_SETSIZE, FD_SETSIZE);
	} else {
		demo_json_raw(d, "select_skipped", "[]");
	}
	return 0;
}

/* Growth from the smallest N to the largest each method reached. */
static int step_growth(struct sel *s)
{
	for (int m = 0; m < M_COUNT; m++) {
		int first = -1, last = -1;
		for (int si = 0; si < s->nsizes; si++)
			if (s->cells[si][m].done) {
				if (first < 0)
					first = si;
				last = si;
			}
		if (first >= 0 && last > first) {
			char key[64];
			snprintf(key, sizeof key, "growth.%s", method_names[m]);
			demo_json_num(s->d, key, s->cells[last][m].per_call_us /
				      s->cells[first][m].per_call_us);
		}
	}
	return 0;
}

static int step_chart(struct sel *s)
{
	struct demo *d = s->d;
	demo_print(d, "\nCost per call against N (log scale, %.2f to %.0f us):\n",
		   s->lo, s->hi);
	for (int si = 0; si < s->nsizes; si++) {
		for (int m = 0; m < M_COUNT; m++) {
			const struct cell *c = &s->cells[si][m];
			char label[32];
			if (m == 0)
				snprintf(label, sizeof label, "N=%ld", s->sizes[si]);
			else
				label[0] = '\0';
			demo_print(d, "%-8s %-6s |", label, method_names[m]);
			if (!c->done) {
				demo_print(d, " (not possible: descriptors >= %d)\n",
					   FD_SETSIZE);
				continue;
			}
			int len = bar_len(c->per_call_us, s->lo, s->hi, 50);
			for (int k = 0; k < len; k++)
				demo_print(d, "#");
			demo_print(d, " %.2f us\n", c->per_call_us);
		}
	}
	return 0;
}

static int step_summary(struct sel *s)
{
	int last = s->nsizes - 1;
	demo_print(s->d, "\nIn Python terms: select.select and select.poll hand the "
		   "kernel the whole list on every call, so with %ld idle "
		   "connections each loop iteration pays %.1f us with poll against "
		   "%.2f us with epoll, which keeps the interest list in the "
		   "kernel and returns only what is ready; select cannot take a "
		   "descriptor >= %d at all.  selectors.DefaultSelector (and so "
		   "asyncio) picks epoll on Linux.\n",
		   s->sizes[last], s->cells[last][M_POLL].per_call_us,
		   s->cells[last][M_EPOLL].per_call_us, FD_SETSIZE);
	return 0;
}

static void sel_release(struct sel *s)
{
	struct bench *b = &s->b;
	if (b->epfd >= 0)
		close(b->epfd);
	for (int i = 0; i < s->nidle; i++)
		close(b->idle[i]);
	if (b->ready >= 0)
		close(b->ready);
	free(b->pfd);
	free(b->idle);
}

int main(int argc, char **argv)
{
	long max_n = 10000, calls = 4000, ms_per_point = 150;
	struct demo_param params[] = {
		DEMO_INT("max-n", &max_n, 10, 1000000,
			 "idle descriptors go 10, 100, 1000, ... up to this "
			 "(clamped to the open-file limit)"),
		DEMO_INT("calls", &calls, 32, 1000000,
			 "wait calls timed per method and N, at most"),
		DEMO_INT("ms-per-point", &ms_per_point, 10, 5000,
			 "time spent timing one method at one N, at most, in ms"),
		DEMO_PARAMS_END
	};
	struct demo d;
	demo_init(&d, "selectors",
		  "Time per wait call with N idle descriptors and one ready one, "
		  "for select, poll and epoll.",
		  params, argc, argv);

	static int (*const steps[])(struct sel *) = {
		step_limits, step_plan, step_open, step_measure,
		step_table, step_growth, step_chart, step_summary,
	};
	struct sel s = {
		.d = &d, .max_n = max_n, .calls = calls, .ms_per_point = ms_per_point,
		.b = {.ready = -1, .epfd = -1},
	};
	int status = 0;
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		int rc = steps[i](&s);
		if (rc < 0 && s.status) {
			status = s.status;
		} else if (rc < 0) {
			status = errno == EMFILE || errno == ENFILE ? 3 : 1;
			fprintf(stderr, "demo-selectors: error: %s\n",
				errno == EPROTO ? "a wait call did not report exactly "
				"the one ready descriptor" : strerror(errno));
		}
		if (rc)
			break;
	}
	sel_release(&s);
	int fin = demo_finish(&d);
	return status ? status : fin;
}
