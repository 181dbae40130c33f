/*
 * decorators: a decorator is a function that takes a function object and
 * returns another one, a closure over the first; shown in C terms.
 *
 * A function object here is what CPython's is, reduced: a code pointer, the
 * closure's cells (env), and the attributes a decorator may lose: __name__,
 * __qualname__, __doc__, __wrapped__.  Module globals are a struct of
 * names; a recursive body looks its own name up there at every call, as
 * LOAD_GLOBAL does, so after `fib = memoize(fib)` the recursive calls reach
 * the wrapper, not the body.
 *
 * The program runs fib(n) with `if n < 2: return n` plain and under a
 * memoizing decorator, with a counting decorator stacked on top, and counts
 * calls of the name fib, runs of the body and cache hits (the counts come
 * from the counters, never from the formulas, which are only compared with
 * them).  Then a decorator with arguments, repeat(times), as a factory that
 * returns a decorator, counting how often each of its three layers runs.
 * Then what functools.wraps copies, printed as Python prints it (the tests
 * run the same lines on python3).  It does not model the dict behind the
 * cache (the keys are 0..n, so an array stands in) nor argument passing
 * beyond one integer.
 */
#include "demolib.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_N 40

/* ---- function objects ---- */

struct pyfunc;
typedef long (*code_fn)(struct pyfunc *self, long n);

struct pyfunc {
	code_fn code;                   /* what calling it runs */
	void *env;                      /* the closure's cells */
	const char *name;               /* __name__ */
	const char *qualname;           /* __qualname__ */
	const char *doc;                /* __doc__ (NULL: None) */
	struct pyfunc *wrapped;         /* __wrapped__ (NULL: no attribute) */
};

static long call(struct pyfunc *f, long n)
{
	return f->code(f, n);
}

static struct pyfunc *pyfunc_new(code_fn code, void *env, const char *name,
				 const char *qualname, const char *doc)
{
	struct pyfunc *f = xcalloc(1, sizeof *f);
	*f = (struct pyfunc){.code = code, .env = env, .name = name,
			     .qualname = qualname, .doc = doc};
	return f;
}

/* functools.update_wrapper(wrapper, wrapped): copies the attributes, sets __wrapped__. */
static void wraps(struct pyfunc *wrapper, struct pyfunc *wrapped)
{
	wrapper->name = wrapped->name;
	wrapper->qualname = wrapped->qualname;
	wrapper->doc = wrapped->doc;
	wrapper->wrapped = wrapped;
}

/* ---- the module: fib's body looks the global name up at every call ---- */

struct module {
	struct pyfunc *fib;             /* the global name fib */
	long body_runs;
	bool stop;                      /* a stop request seen inside the recursion */
};

static const char FIB_DOC[] = "Return the n-th Fibonacci number.";

/*
 * def fib(n):
 *     if n < 2: return n
 *     return fib(n - 1) + fib(n - 2)
 */
static long fib_body(struct pyfunc *self, long n)
{
	struct module *m = self->env;
	if ((++m->body_runs & 0xfffff) == 0 && demo_stopping())
		m->stop = true;
	if (m->stop || n < 2)
		return n;
	struct pyfunc *f = m->fib;      /* LOAD_GLOBAL fib */
	long a = call(f, n - 1);
	return a + call(m->fib, n - 2);
}

/* ---- memoize: a closure over func and a cache ---- */

struct memo_cells {
	struct pyfunc *func;
	bool has[MAX_N + 1];
	long value[MAX_N + 1];
	long hits;
};

/*
 * def wrapper(n):
 *     if n not in cache:
 *         cache[n] = func(n)
 *     return cache[n]
 */
static long memo_wrapper(struct pyfunc *self, long n)
{
	struct memo_cells *c = self->env;
	if (n < 0 || n > MAX_N)
		return call(c->func, n);
	if (c->has[n]) {
		c->hits++;
		return c->value[n];
	}
	long v = call(c->func, n);
	c->has[n] = true;
	c->value[n] = v;
	return v;
}

static struct pyfunc *memoize(struct pyfunc *func, bool use_wraps)
{
	struct memo_cells *c = xcalloc(1, sizeof *c);
	c->func = func;
	struct pyfunc *w = pyfunc_new(memo_wrapper, c, "wrapper",
				      "memoize.<locals>.wrapper", NULL);
	if (use_wraps)
		wraps(w, func);
	return w;
}

/* ---- count_calls: a closure over func and a counter ---- */

struct count_cells {
	struct pyfunc *func;
	long calls;
};

static long count_wrapper(struct pyfunc *self, long n)
{
	struct count_cells *c = self->env;
	c->calls++;
	return call(c->func, n);
}

static struct pyfunc *count_calls(struct pyfunc *func)
{
	struct count_cells *c = xcalloc(1, sizeof *c);
	c->func = func;
	struct pyfunc *w = pyfunc_new(count_wrapper, c, "wrapper",
				      "count_calls.<locals>.wrapper", NULL);
	wraps(w, func);
	return w;
}

static void pyfunc_free(struct pyfunc *f)
{
	if (f) {
		free(f->env);
		free(f);
	}
}

/* ---- repeat(times): a factory returning a decorator ---- */

struct layer_counts {
	long factory, decorator, wrapper, body;
};

struct repeat_cells {                   /* the decorator's cells: times */
	long times;
	struct layer_counts *counts;
};

struct repeat_wrapper_cells {           /* the wrapper's cells: times, func */
	long times;
	struct pyfunc *func;
	struct layer_counts *counts;
};

static long repeat_wrapper(struct pyfunc *self, long n)
{
	struct repeat_wrapper_cells *c = self->env;
	long r = 0;
	c->counts->wrapper++;
	for (long i = 0; i < c->times; i++)
		r = call(c->func, n);
	return r;
}

/* decorator(func): builds the wrapper; runs once per decorated function. */
static struct pyfunc *repeat_decorator(struct pyfunc *deco, struct pyfunc *func,
				       bool use_wraps)
{
	struct repeat_cells *rc = deco->env;
	struct repeat_wrapper_cells *c = xcalloc(1, sizeof *c);
	rc->counts->decorator++;
	*c = (struct repeat_wrapper_cells){.times = rc->times, .func = func,
					   .counts = rc->counts};
	struct pyfunc *w = pyfunc_new(repeat_wrapper, c, "wrapper",
				      "repeat.<locals>.decorator.<locals>.wrapper", NULL);
	if (use_wraps)
		wraps(w, func);
	return w;
}

/* repeat(times): runs once per @repeat(...) line, returns the decorator. */
static struct pyfunc *repeat(long times, struct layer_counts *counts)
{
	struct repeat_cells *c = xcalloc(1, sizeof *c);
	counts->factory++;
	*c = (struct repeat_cells){.times = times, .counts = counts};
	return pyfunc_new(NULL, c, "decorator", "repeat.<locals>.decorator", NULL);
}

static long greet_body(struct pyfunc *self, long n)
{
	struct layer_counts *counts = self->env;
	counts->body++;
	return n + 1;
}

/* ---- output helpers ---- */

struct transcript {
	char lines[16][160];
	int n;
};

static void say(struct transcript *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct transcript *t, const char *fmt, ...)
{
	if (t->n >= 16)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->lines[t->n++], sizeof t->lines[0], fmt, ap);
	va_end(ap);
}

static void json_lines(struct demo *d, const char *path, const struct transcript *t)
{
	struct demo_buf b = {0};
	demo_buf_puts(&b, "[");
	for (int i = 0; i < t->n; i++) {
		demo_buf_puts(&b, i ? ", \"" : "\"");
		for (const char *p = t->lines[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				demo_buf_add(&b, "\\", 1);
			demo_buf_add(&b, p, 1);
		}
		demo_buf_puts(&b, "\"");
	}
	demo_buf_puts(&b, "]");
	demo_json_raw(d, path, b.s);
	demo_buf_release(&b);
}

/* ---- the run ---- */

struct fib_result {
	long value;
	long calls;                     /* calls of the global name fib (count_calls) */
	long body_runs;
	long hits;
	double seconds;                 /* median of the timed runs */
};

struct run {
	struct demo *d;
	long n, times, repeats;
	struct fib_result plain, memo;
	long formula_plain;             /* 2 * F(n + 1) - 1, to compare with */
	struct layer_counts layers, layers_after_def;
	long greet_result;
	struct transcript tr;
};

/*
 * One run of fib(n) in a fresh module: `@count_calls def fib` or
 * `@count_calls @memoize def fib`.  Returns 0, or 1 when stopped.
 */
static int fib_once(long n, bool memo, struct fib_result *r, double *seconds)
{
	struct module m = {0};
	struct pyfunc *body = pyfunc_new(fib_body, &m, "fib", "fib", FIB_DOC);
	struct pyfunc *inner = memo ? memoize(body, true) : body;
	struct pyfunc *counted = count_calls(inner);
	m.fib = counted;                /* fib = count_calls(memoize(fib)) */
	double t0 = demo_now();
	r->value = call(m.fib, n);
	*seconds = demo_now() - t0;
	r->calls = ((struct count_cells *)counted->env)->calls;
	r->body_runs = m.body_runs;
	r->hits = memo ? ((struct memo_cells *)inner->env)->hits : 0;
	pyfunc_free(counted);
	if (memo)
		pyfunc_free(inner);
	free(body);
	return m.stop || demo_stopping();
}

static int step_fib(struct run *r)
{
	struct demo *d = r->d;
	demo_print(d, "1. A decorator is a function from a function object to a new one, a closure over\n"
		   "   the old: here a function object is {code pointer, closure cells, __name__,\n"
		   "   __qualname__, __doc__, __wrapped__}. `@memoize def fib` means fib = memoize(fib):\n"
		   "   the global name fib now points to the wrapper, whose cell holds the body. The body's\n"
		   "   own recursive calls read the global fib, so they go through the wrapper too.\n"
		   "   A counting decorator on top counts the calls of the name fib.\n\n");
	double *t = xcalloc((size_t)r->repeats, sizeof *t);
	for (int memo = 0; memo < 2; memo++) {
		struct fib_result *res = memo ? &r->memo : &r->plain;
		for (long i = 0; i < r->repeats; i++) {
			demo_progress(d, "   fib(%ld) %s, run %ld of %ld ...", r->n,
				      memo ? "memoized" : "plain", i + 1, r->repeats);
			if (fib_once(r->n, memo, res, &t[i])) {
				free(t);
				return 1;
			}
		}
		res->seconds = demo_median(t, (size_t)r->repeats);
	}
	free(t);
	long a = 0, b = 1;              /* F(0), F(1) */
	for (long i = 0; i < r->n + 1; i++) {
		long c = a + b;
		a = b;
		b = c;
	}
	r->formula_plain = 2 * a - 1;   /* a = F(n + 1) */
	return 0;
}

static int step_fib_table(struct run *r)
{
	struct demo *d = r->d;
	char c1[32], c2[32], c3[32];
	demo_print(d, "   %-34s %10s %14s %12s %11s %10s\n", "fib(n)", "result",
		   "calls of fib", "body runs", "cache hits", "time ms");
	const struct fib_result *v[2] = {&r->plain, &r->memo};
	static const char *const label[2] = {"@count_calls (plain recursion)",
					     "@count_calls @memoize"};
	static const char *const key[2] = {"plain", "memo"};
	for (int i = 0; i < 2; i++) {
		char path[64];
		demo_print(d, "   %-34s %10ld %14s %12s %11s %10.3f\n", label[i], v[i]->value,
			   demo_commas(v[i]->calls, c1, sizeof c1),
			   demo_commas(v[i]->body_runs, c2, sizeof c2),
			   demo_commas(v[i]->hits, c3, sizeof c3), v[i]->seconds * 1e3);
		snprintf(path, sizeof path, "fib.%s", key[i]);
		demo_json_int(d, path, v[i]->value);
		snprintf(path, sizeof path, "calls.%s", key[i]);
		demo_json_int(d, path, v[i]->calls);
		snprintf(path, sizeof path, "body_runs.%s", key[i]);
		demo_json_int(d, path, v[i]->body_runs);
		snprintf(path, sizeof path, "cache_hits.%s", key[i]);
		demo_json_int(d, path, v[i]->hits);
		snprintf(path, sizeof path, "time_s.%s", key[i]);
		demo_json_num(d, path, v[i]->seconds);
	}
	demo_json_int(d, "formula.plain_calls", r->formula_plain);
	demo_json_int(d, "formula.memo_body_runs", r->n + 1);
	double speedup = r->memo.seconds > 0 ? r->plain.seconds / r->memo.seconds : 0;
	demo_json_num(d, "speedup", speedup);
	demo_print(d, "   plain: 2*F(%ld)-1 = %s calls expected for `if n < 2: return n`, counted %s (%s);\n"
		   "   memoized: n+1 = %ld body runs expected, counted %ld; the other %ld calls were cache hits.\n"
		   "   Memoized is %.0fx faster here (median of %ld runs each).\n\n",
		   r->n + 1, demo_commas(r->formula_plain, c1, sizeof c1),
		   demo_commas(r->plain.calls, c2, sizeof c2),
		   r->plain.calls == r->formula_plain ? "equal" : "DIFFERENT: a bug",
		   r->n + 1, r->memo.body_runs, r->memo.hits, speedup, r->repeats);
	return 0;
}

/* @repeat(times=k) def greet(n): ...; then greet(1) twice. */
static int step_factory(struct run *r)
{
	struct demo *d = r->d;
	struct layer_counts *lc = &r->layers;
	struct pyfunc *body = pyfunc_new(greet_body, lc, "greet", "greet", "Say hello.");
	struct pyfunc *deco = repeat(r->times, lc);             /* repeat(times=k) */
	struct pyfunc *greet = repeat_decorator(deco, body, true);      /* (greet) */
	r->layers_after_def = *lc;
	for (int i = 0; i < 2; i++)
		r->greet_result = call(greet, 1);
	demo_print(d, "2. A decorator with arguments is a factory: @repeat(times=%ld) calls repeat(%ld),\n"
		   "   which returns a decorator, which is applied to greet and returns the wrapper.\n"
		   "   %-26s %10s %10s %10s %10s\n", r->times, r->times, "layer runs, counted",
		   "repeat()", "decorator", "wrapper", "greet body");
	demo_print(d, "   %-26s %10ld %10ld %10ld %10ld\n", "after the def",
		   r->layers_after_def.factory, r->layers_after_def.decorator,
		   r->layers_after_def.wrapper, r->layers_after_def.body);
	demo_print(d, "   %-26s %10ld %10ld %10ld %10ld\n\n", "after greet(1) twice",
		   lc->factory, lc->decorator, lc->wrapper, lc->body);
	demo_json_int(d, "factory.after_def.factory", r->layers_after_def.factory);
	demo_json_int(d, "factory.after_def.decorator", r->layers_after_def.decorator);
	demo_json_int(d, "factory.after_def.wrapper", r->layers_after_def.wrapper);
	demo_json_int(d, "factory.after_def.body", r->layers_after_def.body);
	demo_json_int(d, "factory.after_calls.factory", lc->factory);
	demo_json_int(d, "factory.after_calls.decorator", lc->decorator);
	demo_json_int(d, "factory.after_calls.wrapper", lc->wrapper);
	demo_json_int(d, "factory.after_calls.body", lc->body);
	demo_json_int(d, "factory.result", r->greet_result);
	pyfunc_free(greet);
	pyfunc_free(deco);
	free(body);
	return demo_stopping();
}

static void describe(struct transcript *t, const struct pyfunc *f)
{
	say(t, "%s %s %s %s", f->name, f->qualname, f->doc ? f->doc : "None",
	    f->wrapped ? "True" : "False");
}

/* What functools.wraps keeps, printed as Python prints it. */
static int step_wraps(struct run *r)
{
	struct demo *d = r->d;
	struct transcript *t = &r->tr;
	struct module m = {0};
	struct layer_counts lc = {0};
	struct pyfunc *body = pyfunc_new(fib_body, &m, "fib", "fib", FIB_DOC);
	struct pyfunc *gbody = pyfunc_new(greet_body, &lc, "greet", "greet", "Say hello.");
	for (int w = 0; w < 2; w++) {
		struct pyfunc *fib = memoize(body, w);
		struct pyfunc *deco = repeat(2, &lc);
		struct pyfunc *greet = repeat_decorator(deco, gbody, w);
		m.fib = fib;
		describe(t, fib);
		describe(t, greet);
		say(t, "%ld %ld", call(fib, 20), call(greet, 41));
		if (fib->wrapped)
			say(t, "%s %s", fib->wrapped->name,
			    fib->wrapped->wrapped ? "True" : "False");
		pyfunc_free(fib);
		pyfunc_free(greet);
		pyfunc_free(deco);
	}
	free(body);
	free(gbody);
	demo_print(d, "3. What is lost without functools.wraps (the model prints what Python prints for\n"
		   "   print(f.__name__, f.__qualname__, f.__doc__, hasattr(f, '__wrapped__'))):\n");
	static const char *const what[] = {
		"fib, @memoize without wraps", "greet, @repeat(2) without wraps", "fib(20), greet(41)",
		"fib, @memoize with wraps", "greet, @repeat(2) with wraps", "fib(20), greet(41)",
		"fib.__wrapped__: its __name__, __wrapped__?",
	};
	for (int i = 0; i < t->n; i++)
		demo_print(d, "   %-42s -> %s\n", i < 7 ? what[i] : "", t->lines[i]);
	json_lines(d, "transcript", t);
	demo_print(d, "\n");
	return 0;
}

static int step_summary(struct run *r)
{
	char c1[32];
	demo_print(r->d, "In Python terms: the decorator ran once, at the def; the wrapper runs at every "
		   "call. Memoizing made fib(%ld) run its body %ld times instead of %s, because the "
		   "recursive calls go through the global name that now holds the wrapper; without "
		   "functools.wraps the wrapper answers to the name 'wrapper' with no docstring and "
		   "no __wrapped__.\n", r->n, r->memo.body_runs,
		   demo_commas(r->plain.body_runs, c1, sizeof c1));
	return 0;
}

int main(int argc, char **argv)
{
	long n = 30, times = 3, repeats = 5;
	struct demo_param params[] = {
		DEMO_INT("n", &n, 2, MAX_N, "fib(n) is computed plain and memoized"),
		DEMO_INT("times", &times, 1, 10, "the argument of the @repeat(times) decorator"),
		DEMO_INT("repeats", &repeats, 1, 21, "timed runs of each fib (the median is shown)"),
		DEMO_PARAMS_END
	};
	struct demo d;
	demo_init(&d, "decorators",
		  "Decorators as closures over function pointers: fib memoized against plain "
		  "recursion with counted calls, a decorator factory, what functools.wraps keeps.",
		  params, argc, argv);
	static int (*const steps[])(struct run *) = {
		step_fib, step_fib_table, step_factory, step_wraps, step_summary,
	};
	struct run *r = xcalloc(1, sizeof *r);
	*r = (struct run){.d = &d, .n = n, .times = times, .repeats = repeats};
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
		if (steps[i](r))
			break;
	free(r);
	return demo_finish(&d);
}
