/*
 * generators: a materialised list against a generator against an iterator,
 * in memory and time, and what a generator saves when the loop breaks early.
 *
 * The work is Python's sum of squares of range(n), three ways:
 *   list       [x * x for x in range(n)], then sum(): every value stored first;
 *   generator  sum(x * x for x in range(n)): a resumable frame (its locals
 *              and a resume point, as CPython's generator frame with its
 *              instruction offset) produces one value per next();
 *   iterator   a class with __next__: an explicit state struct and a next()
 *              function, no resume point.
 * Each runs in a fresh child forked before anything is allocated, so each
 * peak of memory (VmHWM growth) is that variant's own.  Then the classic
 * early exit: `for square in big_numbers(): if square > 100: break`, counting
 * how many squares each variant computed before the break.
 *
 * It does not model CPython's object sizes (a list holds pointers to int
 * objects); C values are 8 bytes, so the ratio, not the bytes, carries over.
 */
#include "demolib.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* ---- the generator: a frame with a resume point ---- */

struct squares_gen {
	int pc;                 /* resume point: 0 before the first next() */
	long long i, n;         /* the frame's locals */
	long long computed;     /* squares made so far (for the early exit) */
};

/*
 * next(gen): resumes the frame where its last yield left it.  Returns 1
 * with *out set, or 0 when the generator is exhausted (StopIteration).
 */
__attribute__((noinline))
static int squares_gen_next(struct squares_gen *g, long long *out)
{
	switch (g->pc) {
	case 0:
		for (g->i = 0; g->i < g->n; g->i++) {
			g->computed++;
			*out = g->i * g->i;
			g->pc = 1;
			return 1;               /* yield i * i */
	case 1:;
		}
		g->pc = 2;
		return 0;
	default:
		return 0;
	}
}

/* ---- the iterator: explicit state, __next__ ---- */

struct squares_iter {
	long long i, n;
	long long computed;
};

__attribute__((noinline))
static int squares_iter_next(struct squares_iter *it, long long *out)
{
	if (it->i >= it->n)
		return 0;               /* raise StopIteration */
	it->computed++;
	*out = it->i * it->i;
	it->i++;
	return 1;
}

/* ---- the list: every value first ---- */

__attribute__((noinline))
static long long *squares_list(long long n, long long *computed)
{
	long long *v = xmalloc((size_t)n * sizeof *v);
	for (long long i = 0; i < n; i++) {
		v[i] = i * i;
		++*computed;
	}
	return v;
}

/* ---- one variant in a fresh child ---- */

enum { V_LIST, V_GEN, V_ITER, NVARIANTS };

static const char *const vname[] = {"list", "generator", "iterator"};

struct result {
	int ok;
	unsigned long long sum_lo, sum_hi;      /* the exact sum, 128 bits */
	long long computed;                     /* values produced */
	double seconds, cpu_s;
	long rss0_kib, hwm_kib;
	int hwm_reset;
	/* the early exit */
	long long computed_on_break;
	int printed;                            /* squares the loop printed */
	long long printed_values[64];
};

/* Sums all n squares; returns 0, or -1 when out of memory. */
static int full_sum(int v, long long n, unsigned __int128 *sum, long long *computed)
{
	long long x;
	*sum = 0;
	switch (v) {
	case V_LIST: {
		long long *list = squares_list(n, computed);
		for (long long i = 0; i < n; i++)
			*sum += (unsigned long long)list[i];
		free(list);
		return 0;
	}
	case V_GEN: {
		struct squares_gen g = {.n = n};
		while (squares_gen_next(&g, &x))
			*sum += (unsigned long long)x;
		*computed = g.computed;
		return 0;
	}
	default: {
		struct squares_iter it = {.n = n};
		while (squares_iter_next(&it, &x))
			*sum += (unsigned long long)x;
		*computed = it.computed;
		return 0;
	}
	}
}

/* `for square in source: if square > over: break; print(square)` */
static void early_exit(int v, long long n, long long over, struct result *r)
{
	long long x = 0;
	r->printed = 0;
	if (v == V_LIST) {
		long long computed = 0;
		long long *list = squares_list(n, &computed);
		for (long long i = 0; i < n; i++) {
			if (list[i] > over)
				break;
			if (r->printed < 64)
				r->printed_values[r->printed] = list[i];
			r->printed++;
		}
		free(list);
		r->computed_on_break = computed;
	} else if (v == V_GEN) {
		struct squares_gen g = {.n = n};
		while (squares_gen_next(&g, &x)) {
			if (x > over)
				break;
			if (r->printed < 64)
				r->printed_values[r->printed] = x;
			r->printed++;
		}
		r->computed_on_break = g.computed;
	} else {
		struct squares_iter it = {.n = n};
		while (squares_iter_next(&it, &x)) {
			if (x > over)
				break;
			if (r->printed < 64)
				r->printed_values[r->printed] = x;
			r->printed++;
		}
		r->computed_on_break = it.computed;
	}
}

static void child_run(int v, long long n, long long over, int fd)
{
	struct result r;
	memset(&r, 0, sizeof r);
	/*
	 * Warm up: a forked child maps the program's and libc's code lazily,
	 * so run the same paths once, small, before the baseline.
	 */
	unsigned __int128 sum;
	long long warm = 0;
	full_sum(v, 1000, &sum, &warm);
	early_exit(v, 1000, over, &r);
	demo_reset_hwm();
	(void)demo_status_kib("VmHWM");
	(void)demo_cpu_s(RUSAGE_SELF);
	(void)demo_now();
	memset(&r, 0, sizeof r);
	r.rss0_kib = demo_status_kib("VmRSS");
	r.hwm_reset = demo_reset_hwm() == 0;
	double c0 = demo_cpu_s(RUSAGE_SELF);
	double t0 = demo_now();
	if (full_sum(v, n, &sum, &r.computed) == 0) {
		r.seconds = demo_now() - t0;
		r.cpu_s = demo_cpu_s(RUSAGE_SELF) - c0;
		r.hwm_kib = demo_status_kib("VmHWM");
		r.sum_lo = (unsigned long long)sum;
		r.sum_hi = (unsigned long long)(sum >> 64);
		early_exit(v, n, over, &r);
		r.ok = 1;
	}
	ssize_t w = write(fd, &r, sizeof r);
	_exit(w == (ssize_t)sizeof r ? 0 : 1);
}

/* Runs variant v in a fresh child; returns 0, or -1 (stopped or failed). */
static int run_variant(int v, long long n, long long over, struct result *r)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		perror("demo-generators: pipe");
		return -1;
	}
	fflush(stdout);
	pid_t pid = demo_fork();
	if (pid < 0) {
		perror("demo-generators: fork");
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		child_run(v, n, over, p[1]);
	}
	close(p[1]);
	size_t got = 0;
	while (got < sizeof *r) {
		ssize_t k = read(p[0], (char *)r + got, sizeof *r - got);
		if (k < 0 && errno == EINTR && !demo_stopping())
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(p[0]);
	int status = demo_wait(pid, NULL);
	if (demo_stopping())
		return -1;
	if (got != sizeof *r || status != 0 || !r->ok) {
		fprintf(stderr, "demo-generators: the %s child failed%s\n", vname[v],
			got == sizeof *r && !r->ok ? " (out of memory)" : "");
		return -1;
	}
	return 0;
}

static void u128_str(unsigned long long hi, unsigned long long lo, char *out,
		     size_t n)
{
	unsigned __int128 x = ((unsigned __int128)hi << 64) | lo;
	char tmp[48];
	size_t k = 0;
	do {
		tmp[k++] = (char)('0' + (int)(x % 10));
		x /= 10;
	} while (x && k < sizeof tmp);
	size_t j = 0;
	while (k && j + 1 < n)
		out[j++] = tmp[--k];
	out[j] = '\0';
}

/* Who runs at each step of the early-exit loop: producer or consumer. */
static void draw_steps(struct demo *d, const char *label, long long produced,
		       int consumed, bool all_first)
{
	enum { W = 48 };
	char prod[W + 1], cons[W + 1];
	int col = 0;
	memset(prod, ' ', W);
	memset(cons, ' ', W);
	if (all_first) {
		/* every value is made before the loop sees the first */
		long long shown = produced < W / 2 ? produced : W / 2;
		for (long long i = 0; i < shown; i++, col++)
			prod[col] = '#';
		if (produced > shown && col < W)
			prod[col++] = '~';
		for (int i = 0; i <= consumed && col < W; i++, col++)
			cons[col] = '#';
	} else {
		for (long long i = 0; i < produced && col + 1 < W; i++) {
			prod[col++] = '#';
			cons[col++] = '#';
		}
	}
	prod[W] = cons[W] = '\0';
	demo_print(d, "  %-10s producer |%s|\n", label, prod);
	demo_print(d, "  %-10s for loop |%s|\n", "", cons);
}

/* The run: the three variants' results and their sums as text. */
struct run {
	struct demo *d;
	long n, over;
	struct result r[NVARIANTS];
	char sums[NVARIANTS][48];
	bool agree;                     /* the three sums are equal */
};

/* Each variant in a fresh child process (so each peak of memory is its own). */
static int step_run(struct run *r)
{
	demo_print(r->d, "Sum of squares of range(%ld), three ways, each in a fresh child process "
		   "(so each peak of memory is its own):\n"
		   "  list       sum([x * x for x in range(n)])   every value stored first\n"
		   "  generator  sum(x * x for x in range(n))     a paused frame, one value per next()\n"
		   "  iterator   sum(Squares(n))                  a class with __next__\n\n", r->n);
	for (int v = 0; v < NVARIANTS; v++) {
		demo_progress(r->d, "  running %s ...", vname[v]);
		if (run_variant(v, r->n, r->over, &r->r[v]) < 0)
			return demo_stopping() ? 1 : -1;
	}
	return 0;
}

static int step_table(struct run *r)
{
	struct demo *d = r->d;
	r->agree = true;
	for (int v = 0; v < NVARIANTS; v++) {
		u128_str(r->r[v].sum_hi, r->r[v].sum_lo, r->sums[v], sizeof r->sums[v]);
		r->agree = r->agree && !strcmp(r->sums[v], r->sums[0]);
	}
	demo_print(d, "  %-10s %12s %12s %14s %10s  %s\n", "variant", "time ms",
		   "peak KiB", "values made", "ns/value", "sum");
	for (int v = 0; v < NVARIANTS; v++) {
		const struct result *x = &r->r[v];
		char path[64];
		long peak = x->hwm_kib - x->rss0_kib;
		if (peak < 0)
			peak = 0;
		snprintf(path, sizeof path, "peak_kib.%s", vname[v]);
		demo_json_int(d, path, peak);
		snprintf(path, sizeof path, "time_s.%s", vname[v]);
		demo_json_num(d, path, x->seconds);
		snprintf(path, sizeof path, "cpu_s.%s", vname[v]);
		demo_json_num(d, path, x->cpu_s);
		snprintf(path, sizeof path, "computed.%s", vname[v]);
		demo_json_int(d, path, x->computed);
		snprintf(path, sizeof path, "early_exit.computed.%s", vname[v]);
		demo_json_int(d, path, x->computed_on_break);
		demo_print(d, "  %-10s %12.2f %12ld %14lld %10.2f  %s\n", vname[v],
			   x->seconds * 1e3, peak, x->computed,
			   x->seconds * 1e9 / (double)r->n, r->sums[v]);
	}
	return 0;
}

/* The sums, the peaks' reliability, the frames' sizes; the values printed before the break. */
static int step_checks(struct run *r)
{
	struct demo *d = r->d;
	const struct result *g = &r->r[V_GEN];
	bool reset = r->r[0].hwm_reset && r->r[1].hwm_reset && r->r[2].hwm_reset;
	demo_json_str(d, "sum", r->sums[0]);
	demo_json_bool(d, "sums_agree", r->agree);
	demo_json_bool(d, "peak_reset", reset);
	demo_json_int(d, "frame_bytes.generator", (long long)sizeof(struct squares_gen));
	demo_json_int(d, "frame_bytes.iterator", (long long)sizeof(struct squares_iter));
	demo_json_int(d, "computed_on_break", g->computed_on_break);
	demo_json_int(d, "early_exit.printed", g->printed);
	char buf[64 * 24] = "[";
	size_t len = 1;
	int k = g->printed < 64 ? g->printed : 64;
	for (int i = 0; i < k && len < sizeof buf - 24; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%lld",
					i ? "," : "", g->printed_values[i]);
	snprintf(buf + len, sizeof buf - len, "]");
	demo_json_raw(d, "early_exit.values", buf);
	if (!r->agree)
		demo_print(d, "  the three sums differ: a bug\n");
	if (!reset)
		demo_print(d, "  (the kernel refused to reset the peak RSS; peaks may read low)\n");
	demo_print(d, "  a generator's frame here is %zu bytes, an iterator's state %zu bytes, "
		   "the list %ld values of %zu bytes\n",
		   sizeof(struct squares_gen), sizeof(struct squares_iter), r->n,
		   sizeof(long long));
	return 0;
}

static int step_early_exit(struct run *r)
{
	struct demo *d = r->d;
	const struct result *res = r->r, *g = &r->r[V_GEN];
	demo_print(d, "\nThe classic early exit: for square in big_numbers(): "
		   "if square > %ld: break; print(square)\n  printed:", r->over);
	for (int i = 0; i < g->printed && i < 64; i++)
		demo_print(d, " %lld", g->printed_values[i]);
	if (g->printed > 64)
		demo_print(d, " ... (%d values)", g->printed);
	demo_print(d, "\n  squares computed before the break: list %lld, generator %lld, iterator %lld\n\n",
		   res[V_LIST].computed_on_break, g->computed_on_break,
		   res[V_ITER].computed_on_break);
	demo_print(d, "  Who runs, step by step (# = running; ~ = and so on):\n");
	draw_steps(d, "list", res[V_LIST].computed_on_break, res[V_LIST].printed, true);
	draw_steps(d, "generator", g->computed_on_break, g->printed, false);
	return 0;
}

static int step_summary(struct run *r)
{
	const struct result *res = r->r;
	long peak_list = res[V_LIST].hwm_kib - res[V_LIST].rss0_kib;
	long peak_gen = res[V_GEN].hwm_kib - res[V_GEN].rss0_kib;
	demo_print(r->d, "\nIn Python terms: the list comprehension stored all %ld squares before sum() "
		   "saw the first (peak %ld KiB here), the generator expression kept one paused frame "
		   "(peak %ld KiB) and handed sum() one value per next(); on an early break the "
		   "generator had computed %lld squares, the list all %lld.\n",
		   r->n, peak_list, peak_gen < 0 ? 0 : peak_gen, res[V_GEN].computed_on_break,
		   res[V_LIST].computed_on_break);
	return 0;
}

int main(int argc, char **argv)
{
	long n = 5000000, over = 100;
	struct demo_param params[] = {
		DEMO_INT("n", &n, 1, 20000000, "how many squares: range(n)"),
		DEMO_INT("over", &over, 0, 1000000000,
			 "the early exit breaks at the first square over this"),
		DEMO_PARAMS_END
	};
	struct demo d;
	demo_init(&d, "generators",
		  "A list against a generator against an iterator: peak memory, time, "
		  "and how much a generator computes before an early break.",
		  params, argc, argv);

	static int (*const steps[])(struct run *) = {
		step_run, step_table, step_checks, step_early_exit, step_summary,
	};
	struct run r = {.d = &d, .n = n, .over = over};
	int status = 0;
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		int rc = steps[i](&r);
		if (rc < 0)
			status = 1;             /* run_variant said why */
		if (rc)
			break;
	}
	int fin = demo_finish(&d);
	return status ? status : fin;
}
