/*
 * methods: instance, class and static methods in C terms, and what each
 * call costs.
 *
 * A tiny object model in CPython's shape: a class is a struct with a name,
 * a base class and a __dict__ of function objects; an object points to its
 * class.  Looking a name up walks the classes from type(obj) through its
 * bases (the MRO), one __dict__ each.  What the lookup returns depends on
 * the kind of function found, as the descriptor protocol decides:
 *   a plain function   read on an instance, it becomes a bound method, a
 *                      new {__func__, __self__} pair; read on the class, it
 *                      stays the plain function;
 *   a classmethod      becomes a bound method holding the class (the class
 *                      it was read on, or the instance's class);
 *   a staticmethod     stays the plain function, read on anything.
 * `obj.method(x)` is compiled so that no bound method is built (LOAD_METHOD
 * in 3.11): the lookup's function and obj are pushed and called as
 * method(obj, x); `m = obj.method` alone builds one.  A call-site cache
 * keyed on the class's version tag skips the lookup, as the specialising
 * interpreter does; patching a class bumps the tag.
 *
 * The program first runs the lesson's examples through this model and
 * prints what Python prints for them (the tests compare with CPython), then
 * times each way of calling, counting dicts probed and objects allocated.
 * It does not model reference counting beyond freeing a bound method when
 * its one reference goes, nor method resolution with multiple bases.
 */
#include "demolib.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 16

/* Interned attribute names: one copy each, compared by pointer. */
static const char N_BUMP[] = "bump";
static const char N_SCALED[] = "scaled";
static const char N_CLAMP[] = "clamp";
static const char N_FROM_F[] = "from_fahrenheit";
static const char N_C_TO_F[] = "c_to_f";

struct type;
struct object;

enum kind { K_FUNCTION, K_CLASSMETHOD, K_STATICMETHOD };

/* A function object in a class __dict__; exactly one pointer is set. */
struct func {
	const char *name;
	enum kind kind;
	long (*inst)(struct object *self, long arg);
	long (*cls_long)(const struct type *cls, long arg);
	struct object *(*cls_new)(const struct type *cls, double arg);
	long (*stat_long)(long arg);
	double (*stat_double)(double arg);
};

struct type {
	const char *name;
	const struct type *base;
	const struct func *dict[6];     /* this class's own __dict__ */
	int ndict;
	long step;                      /* a class attribute */
	unsigned version;               /* bumped when the __dict__ changes */
};

struct object {
	const struct type *type;
	long n;
	double celsius;
};

/* What reading an attribute gives: a plain function or a bound method. */
struct bound_method {
	const struct func *func;        /* __func__ */
	struct object *self;            /* __self__ for a function ... */
	const struct type *cls;         /* ... or the class for a classmethod */
};

struct attr {
	bool bound;
	const struct func *func;        /* when not bound */
	struct bound_method *method;    /* when bound: a new object, caller frees */
};

/* The interpreter's counters. */
struct interp {
	long probes;                    /* class __dict__s consulted */
	long allocations;               /* bound methods and instances made */
	long cache_hits, cache_misses;
};

/* ---- lookup and binding ---- */

/* _PyType_Lookup: the MRO, one __dict__ at a time. */
static const struct func *type_lookup(struct interp *in, const struct type *t,
				      const char *name)
{
	for (; t; t = t->base) {
		in->probes++;
		for (int i = 0; i < t->ndict; i++)
			if (t->dict[i]->name == name)
				return t->dict[i];
	}
	return NULL;
}

static struct bound_method *new_bound(struct interp *in, const struct func *f,
				      struct object *self, const struct type *cls)
{
	struct bound_method *m = xmalloc(sizeof *m);
	in->allocations++;
	m->func = f;
	m->self = self;
	m->cls = cls;
	return m;
}

/* obj.name, as a value: the descriptor's __get__(obj, type(obj)). */
static struct attr getattr_instance(struct interp *in, struct object *obj,
				    const char *name)
{
	const struct func *f = type_lookup(in, obj->type, name);
	struct attr a = {false, f, NULL};
	if (!f || f->kind == K_STATICMETHOD)
		return a;
	a.bound = true;
	a.method = f->kind == K_FUNCTION ? new_bound(in, f, obj, NULL)
					 : new_bound(in, f, NULL, obj->type);
	return a;
}

/* Cls.name: __get__(None, Cls). */
static struct attr getattr_class(struct interp *in, const struct type *cls,
				 const char *name)
{
	const struct func *f = type_lookup(in, cls, name);
	struct attr a = {false, f, NULL};
	if (f && f->kind == K_CLASSMETHOD) {
		a.bound = true;
		a.method = new_bound(in, f, NULL, cls);
	}
	return a;
}

/* Calling a bound method: the function with __self__ (or the class) first. */
static long call_bound_long(const struct bound_method *m, long arg)
{
	return m->func->kind == K_FUNCTION ? m->func->inst(m->self, arg)
					   : m->func->cls_long(m->cls, arg);
}

/* Patching Cls.name = f: the __dict__ changes, so does the version tag. */
static void type_set(struct type *t, const struct func *f)
{
	for (int i = 0; i < t->ndict; i++) {
		if (t->dict[i]->name == f->name) {
			t->dict[i] = f;
			t->version++;
			return;
		}
	}
	t->dict[t->ndict++] = f;
	t->version++;
}

/* ---- the classes of the lesson ---- */

static long counter_bump(struct object *self, long by)
{
	self->n += by;
	return self->n;
}

static long step_counter_bump(struct object *self, long by)
{
	self->n += by * self->type->step;
	return self->n;
}

static long counter_scaled(const struct type *cls, long by)
{
	return cls->step * by;
}

static long counter_clamp(long x)
{
	return x > 0 ? x : 0;
}

static long patched_bump(struct object *self, long by)
{
	(void)self;
	return -by;
}

static struct object *temperature_new(const struct type *cls, double celsius)
{
	struct object *o = xcalloc(1, sizeof *o);
	o->type = cls;
	o->celsius = celsius;
	return o;
}

/* cls(round((f - 32) * 5 / 9, 1)): an instance of the class it was called on */
static struct object *temperature_from_fahrenheit(const struct type *cls, double f)
{
	return temperature_new(cls, round((f - 32) * 5 / 9 * 10) / 10);
}

static double temperature_c_to_f(double c)
{
	return c * 9 / 5 + 32;
}

static const struct func f_bump = {.name = N_BUMP, .kind = K_FUNCTION, .inst = counter_bump};
static const struct func f_step_bump = {.name = N_BUMP, .kind = K_FUNCTION,
					.inst = step_counter_bump};
static const struct func f_patched = {.name = N_BUMP, .kind = K_FUNCTION, .inst = patched_bump};
static const struct func f_scaled = {.name = N_SCALED, .kind = K_CLASSMETHOD,
				     .cls_long = counter_scaled};
static const struct func f_clamp = {.name = N_CLAMP, .kind = K_STATICMETHOD,
				    .stat_long = counter_clamp};
static const struct func f_from_f = {.name = N_FROM_F, .kind = K_CLASSMETHOD,
				     .cls_new = temperature_from_fahrenheit};
static const struct func f_c_to_f = {.name = N_C_TO_F, .kind = K_STATICMETHOD,
				     .stat_double = temperature_c_to_f};

/* ---- the call forms, one per way Python code spells a call ---- */

/* c.bump(x): LOAD_METHOD finds a plain function and calls it with c, unbound. */
__attribute__((noinline))
static long call_method(struct interp *in, struct object *obj, const char *name, long x)
{
	const struct func *f = type_lookup(in, obj->type, name);
	if (f->kind == K_FUNCTION)
		return f->inst(obj, x);
	struct attr a = getattr_instance(in, obj, name);
	long r = a.bound ? call_bound_long(a.method, x) : a.func->stat_long(x);
	free(a.method);
	return r;
}

/* The same call site, specialised: class and version tag checked, no lookup. */
struct call_cache {
	const struct type *type;
	unsigned version;
	const struct func *func;
};

__attribute__((noinline))
static long call_method_cached(struct interp *in, struct call_cache *cc,
			       struct object *obj, const char *name, long x)
{
	if (cc->type == obj->type && cc->version == obj->type->version) {
		in->cache_hits++;
		return cc->func->inst(obj, x);
	}
	in->cache_misses++;
	cc->func = type_lookup(in, obj->type, name);
	cc->type = obj->type;
	cc->version = obj->type->version;
	return cc->func->inst(obj, x);
}

/* m = c.bump; m(x): a bound method made, called, dropped. */
__attribute__((noinline))
static long call_bound_value(struct interp *in, struct object *obj, const char *name, long x)
{
	struct attr a = getattr_instance(in, obj, name);
	long r = call_bound_long(a.method, x);
	free(a.method);
	return r;
}

/* m(x) with m made once, outside the loop. */
__attribute__((noinline))
static long call_hoisted(const struct bound_method *m, long x)
{
	return call_bound_long(m, x);
}

/* Counter.scaled(x): the class method bound to the class, then called. */
__attribute__((noinline))
static long call_classmethod(struct interp *in, const struct type *cls, const char *name, long x)
{
	struct attr a = getattr_class(in, cls, name);
	long r = call_bound_long(a.method, x);
	free(a.method);
	return r;
}

/* Counter.clamp(x): the static method is the plain function. */
__attribute__((noinline))
static long call_staticmethod(struct interp *in, const struct type *cls, const char *name, long x)
{
	struct attr a = getattr_class(in, cls, name);
	return a.func->stat_long(x);
}

/* counter_bump(c, x): the C function itself, the floor. */
__attribute__((noinline))
static long call_direct(struct object *obj, long x)
{
	return counter_bump(obj, x);
}

/* ---- printing what Python prints ---- */

/*
 * repr(float): the shortest digits that read back the same, written out in
 * full between 1e-4 and 1e16 (as Python does), with ".0" when integral.
 */
static void py_float(double x, char *out, size_t n)
{
	char e[40];
	int p = 1;
	for (; p < 17; p++) {
		snprintf(e, sizeof e, "%.*e", p - 1, x);
		if (strtod(e, NULL) == x)
			break;
	}
	int exp = atoi(strchr(e, 'e') + 1);
	if (exp < -4 || exp >= 16) {
		snprintf(out, n, "%s", e);
		return;
	}
	int decimals = p - 1 - exp;
	snprintf(out, n, "%.*f", decimals > 0 ? decimals : 0, x);
	if (!strchr(out, '.'))
		strncat(out, ".0", n - strlen(out) - 1);
}

static const char *py_bool(bool b)
{
	return b ? "True" : "False";
}

static void repr_object(const struct object *o, char *out, size_t n)
{
	char num[40];
	py_float(o->celsius, num, sizeof num);
	snprintf(out, n, "%s(%s)", o->type->name, num);
}

struct transcript {
	char lines[24][128];
	int n;
};

static void say(struct transcript *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct transcript *t, const char *fmt, ...)
{
	if (t->n >= 24)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->lines[t->n++], sizeof t->lines[0], fmt, ap);
	va_end(ap);
}

/* ---- timing ---- */

enum form {
	F_DIRECT, F_METHOD, F_CACHED, F_BOUND_VALUE, F_HOISTED,
	F_CLASSMETHOD, F_STATICMETHOD, F_INHERITED, NFORMS
};

static const char *const form_key[NFORMS] = {
	"direct", "method", "method_cached", "bound_value", "hoisted",
	"classmethod", "staticmethod", "inherited",
};

struct timing {
	double ns;                      /* median per call */
	double probes, allocations;     /* per call */
};

struct bench {
	struct interp *in;
	struct object *c, *deep;
	struct type *counter;
	struct bound_method *hoisted;
	struct call_cache cache;
};

/* One timed loop of calls of form f; returns the seconds taken. */
static double run_form(struct bench *b, enum form f, long calls, bool *ok)
{
	struct interp *in = b->in;
	long sum = 0;
	b->c->n = b->deep->n = 0;

	/* one loop per form, so the loop itself costs the same in each */
#define LOOP(expr)							\
	for (long i = 0; i < calls; i++) {				\
		if ((i & 0xffff) == 0 && demo_stopping())		\
			break;						\
		sum += (expr);						\
		__asm__ volatile("" : : "r"(sum) : "memory");		\
	}
	double t0 = demo_now();
	switch (f) {
	case F_DIRECT:
		LOOP(call_direct(b->c, 1));
		break;
	case F_METHOD:
		LOOP(call_method(in, b->c, N_BUMP, 1));
		break;
	case F_CACHED:
		LOOP(call_method_cached(in, &b->cache, b->c, N_BUMP, 1));
		break;
	case F_BOUND_VALUE:
		LOOP(call_bound_value(in, b->c, N_BUMP, 1));
		break;
	case F_HOISTED:
		LOOP(call_hoisted(b->hoisted, 1));
		break;
	case F_CLASSMETHOD:
		LOOP(call_classmethod(in, b->counter, N_SCALED, 1));
		break;
	case F_STATICMETHOD:
		LOOP(call_staticmethod(in, b->counter, N_CLAMP, 1));
		break;
	default:
		LOOP(call_method(in, b->deep, N_BUMP, 1));
		break;
	}
#undef LOOP
	double t = demo_now() - t0;
	/* bump returns the running count; scaled and clamp return 1 */
	long tri = calls % 2 ? calls * ((calls + 1) / 2) : (calls / 2) * (calls + 1);
	switch (f) {
	case F_CLASSMETHOD:
	case F_STATICMETHOD:
		*ok = sum == calls;
		break;
	case F_INHERITED:
		*ok = sum == tri && b->deep->n == calls;
		break;
	default:
		*ok = sum == tri && b->c->n == calls;
		break;
	}
	return t;
}

static int bar_len(double ns, double max_ns)
{
	int n = max_ns > 0 ? (int)lround(40 * ns / max_ns) : 0;
	return n < 1 ? 1 : n > 40 ? 40 : n;
}

/* The run: the model's classes and objects, and the figures the summary quotes. */
struct meth {
	struct demo *d;
	long calls, depth, repeats;
	struct interp in;
	struct type counter, step_counter, temperature, lab;
	struct type chain[MAX_DEPTH];   /* Sub1 .. SubN below Counter */
	char chain_names[MAX_DEPTH][16];
	struct object c, s, deep;       /* a Counter, a StepCounter, a SubN */
	struct transcript tr;
	bool patch_missed;
	struct timing tm[NFORMS];
	bool all_ok;
};

/* The classes of the lesson; m must not move afterwards (they point at each other). */
static void meth_setup(struct meth *m)
{
	m->counter = (struct type){.name = "Counter",
				   .dict = {&f_bump, &f_scaled, &f_clamp},
				   .ndict = 3, .step = 1};
	m->step_counter = (struct type){.name = "StepCounter", .base = &m->counter,
					.dict = {&f_step_bump}, .ndict = 1, .step = 10};
	m->temperature = (struct type){.name = "Temperature",
				       .dict = {&f_from_f, &f_c_to_f}, .ndict = 2};
	m->lab = (struct type){.name = "LabTemperature", .base = &m->temperature};
	for (int i = 0; i < m->depth; i++) {
		snprintf(m->chain_names[i], sizeof m->chain_names[i], "Sub%d", i + 1);
		m->chain[i] = (struct type){.name = m->chain_names[i],
					    .base = i ? &m->chain[i - 1] : &m->counter,
					    .step = 1};
	}
	m->c = (struct object){.type = &m->counter};
	m->s = (struct object){.type = &m->step_counter};
}

/* ---- 1. the lesson's examples, run on this model ---- */

/* Instance methods: bound methods, overriding, what the class attribute is. */
static void transcript_methods(struct meth *mt)
{
	struct interp *in = &mt->in;
	struct transcript *tr = &mt->tr;
	struct object *c = &mt->c, *s = &mt->s;
	struct attr m = getattr_instance(in, c, N_BUMP);
	say(tr, "%s", m.bound ? "method" : "function");
	const struct func *counter_bump_attr = getattr_class(in, &mt->counter, N_BUMP).func;
	say(tr, "%s %s", py_bool(m.method->self == c),
	    py_bool(m.method->func == counter_bump_attr));
	long r1 = call_bound_long(m.method, 5);
	long r2 = counter_bump_attr->inst(c, 5);                /* Counter.bump(c, 5) */
	say(tr, "%ld %ld", r1, r2);
	struct attr m1 = getattr_instance(in, c, N_BUMP), m2 = getattr_instance(in, c, N_BUMP);
	say(tr, "%s %s", py_bool(m1.method == m2.method),
	    py_bool(m1.method->func == m2.method->func && m1.method->self == m2.method->self));
	free(m1.method);
	free(m2.method);
	free(m.method);
	long r3 = call_method(in, s, N_BUMP, 1);
	long r4 = getattr_class(in, &mt->counter, N_BUMP).func->inst(s, 1);
	say(tr, "%ld %ld", r3, r4);
}

/* Class and static methods, on the class, a subclass and an instance. */
static void transcript_class_static(struct meth *mt)
{
	struct interp *in = &mt->in;
	struct transcript *tr = &mt->tr;
	struct attr ab = getattr_class(in, &mt->counter, N_BUMP);
	struct attr as = getattr_class(in, &mt->counter, N_SCALED);
	struct attr ac = getattr_class(in, &mt->counter, N_CLAMP);
	say(tr, "%s %s %s", ab.bound ? "method" : "function", as.bound ? "method" : "function",
	    ac.bound ? "method" : "function");
	free(as.method);
	struct attr si = getattr_instance(in, &mt->s, N_SCALED);
	say(tr, "%ld %ld %ld", call_classmethod(in, &mt->counter, N_SCALED, 3),
	    call_classmethod(in, &mt->step_counter, N_SCALED, 3), call_bound_long(si.method, 3));
	free(si.method);
	struct attr ci = getattr_instance(in, &mt->c, N_CLAMP);
	say(tr, "%ld %ld", call_staticmethod(in, &mt->counter, N_CLAMP, -4),
	    ci.func->stat_long(7));
}

/* Temperature: a classmethod constructor builds the class it is called on. */
static void transcript_temperature(struct meth *mt)
{
	struct interp *in = &mt->in;
	struct transcript *tr = &mt->tr;
	char a[96], b2[96];
	struct object *t1, *t2, *t3;
	struct attr cm = getattr_class(in, &mt->temperature, N_FROM_F);
	t1 = cm.method->func->cls_new(cm.method->cls, 212);
	free(cm.method);
	cm = getattr_class(in, &mt->lab, N_FROM_F);
	t2 = cm.method->func->cls_new(cm.method->cls, 98.6);
	free(cm.method);
	struct object *five = temperature_new(&mt->temperature, 5);
	cm = getattr_instance(in, five, N_FROM_F);
	t3 = cm.method->func->cls_new(cm.method->cls, 32);
	free(cm.method);
	repr_object(t1, a, sizeof a);
	say(tr, "%s", a);
	repr_object(t2, a, sizeof a);
	say(tr, "%s", a);
	repr_object(t3, a, sizeof a);
	say(tr, "%s", a);
	struct object *one = temperature_new(&mt->temperature, 1);
	struct attr sf = getattr_class(in, &mt->temperature, N_C_TO_F);
	struct attr sf2 = getattr_instance(in, one, N_C_TO_F);
	py_float(sf.func->stat_double(100), a, sizeof a);
	py_float(sf2.func->stat_double(-40), b2, sizeof b2);
	say(tr, "%s %s", a, b2);
	free(t1);
	free(t2);
	free(t3);
	free(five);
	free(one);
}

/* Counter.bump = lambda self, by=1: -by, seen through a warm cache */
static void transcript_patch(struct meth *mt)
{
	struct interp *in = &mt->in;
	struct call_cache site = {0};
	call_method_cached(in, &site, &mt->c, N_BUMP, 0);
	long misses0 = in->cache_misses;
	type_set(&mt->counter, &f_patched);
	long r5 = call_method_cached(in, &site, &mt->c, N_BUMP, 3);
	long r6 = call_method(in, &mt->s, N_BUMP, 3);
	say(&mt->tr, "%ld %ld", r5, r6);
	mt->patch_missed = in->cache_misses == misses0 + 1;
	type_set(&mt->counter, &f_bump);
}

static int step_transcript(struct meth *m)
{
	struct demo *d = m->d;
	transcript_methods(m);
	transcript_class_static(m);
	transcript_temperature(m);
	transcript_patch(m);
	demo_print(d, "1. The lesson's classes, run on a C model of CPython's objects "
		   "(Python prints the same lines):\n");
	static const char *const code[] = {
		"type(m).__name__  with m = c.bump",
		"m.__self__ is c, m.__func__ is Counter.bump",
		"m(5), Counter.bump(c, 5)",
		"c.bump is c.bump, c.bump == c.bump",
		"s.bump(1), Counter.bump(s, 1)  (StepCounter overrides)",
		"type of Counter.bump, .scaled, .clamp",
		"Counter.scaled(3), StepCounter.scaled(3), s.scaled(3)",
		"Counter.clamp(-4), c.clamp(7)",
		"Temperature.from_fahrenheit(212)",
		"LabTemperature.from_fahrenheit(98.6)",
		"Temperature(5).from_fahrenheit(32)",
		"Temperature.c_to_f(100), Temperature(1).c_to_f(-40)",
		"after Counter.bump = lambda self, by=1: -by: c.bump(3), s.bump(3)",
	};
	struct sbuf_json {
		char s[24 * 140];
		size_t len;
	} js = {"[", 1};
	const struct transcript *tr = &m->tr;
	for (int i = 0; i < tr->n; i++) {
		demo_print(d, "   %-66s -> %s\n", i < 13 ? code[i] : "", tr->lines[i]);
		js.len += (size_t)snprintf(js.s + js.len, sizeof js.s - js.len, "%s\"%s\"",
					   i ? ", " : "", tr->lines[i]);
	}
	snprintf(js.s + js.len, sizeof js.s - js.len, "]");
	demo_json_raw(d, "transcript", js.s);
	demo_json_bool(d, "cache.patch_invalidated", m->patch_missed);
	return 0;
}

/* ---- 2. what obj.method(x) turns into ---- */

static int step_lookup(struct meth *m)
{
	struct demo *d = m->d;
	struct interp *in = &m->in;
	m->deep = (struct object){.type = &m->chain[m->depth - 1]};
	long p0 = in->probes, al0 = in->allocations;
	long r7 = call_method(in, &m->c, N_BUMP, 5);
	long p1 = in->probes, al1 = in->allocations;
	long r8 = call_bound_value(in, &m->c, N_BUMP, 5);
	long p2 = in->probes, al2 = in->allocations;
	call_method(in, &m->deep, N_BUMP, 5);
	long p3 = in->probes;
	demo_print(d, "\n2. What c.bump(5) turns into:\n"
		   "   a. look 'bump' up along type(c).__mro__: found in Counter.__dict__, "
		   "%ld dict probed\n"
		   "   b. a plain function: the call pushes (bump, c) and makes no bound method "
		   "(%ld allocations)\n"
		   "   c. call bump(c, 5) -> %ld\n"
		   "   m = c.bump; m(5) instead makes a bound method {__func__: bump, __self__: c} "
		   "(%ld allocation, %ld dict probed) and calls bump(c, 5) through it -> %ld\n"
		   "   on an instance of Sub%ld (%ld classes below Counter) the lookup probes "
		   "%ld dicts before it finds bump\n",
		   p1 - p0, al1 - al0, r7, al2 - al1, p2 - p1, r8, m->depth, m->depth, p3 - p2);
	demo_json_int(d, "lookup.probes_direct_class", p1 - p0);
	demo_json_int(d, "lookup.probes_inherited", p3 - p2);
	demo_json_int(d, "lookup.allocations_method_call", al1 - al0);
	demo_json_int(d, "lookup.allocations_bound_value", al2 - al1);
	return 0;
}

/* ---- 3. the cost of each call ---- */

/*
 * Times every form `repeats` times, the runs interleaved so a busy moment on
 * the machine hits every form; fills m->tm and m->all_ok.
 */
static void time_forms(struct meth *m, struct bench *bench)
{
	struct interp *in = &m->in;
	long calls = m->calls, repeats = m->repeats;
	double *runs = xcalloc((size_t)repeats * NFORMS, sizeof *runs);
	long pr[NFORMS] = {0}, al[NFORMS] = {0};
	m->all_ok = true;
	for (long k = 0; k < repeats && !demo_stopping(); k++) {
		demo_progress(m->d, "   run %ld of %ld ...", k + 1, repeats);
		for (int f = 0; f < NFORMS && !demo_stopping(); f++) {
			bool ok;
			long probes0 = in->probes, allocs0 = in->allocations;
			runs[f * repeats + k] = run_form(bench, (enum form)f, calls, &ok);
			pr[f] += in->probes - probes0;
			al[f] += in->allocations - allocs0;
			m->all_ok = m->all_ok && ok;
		}
	}
	for (int f = 0; f < NFORMS && !demo_stopping(); f++) {
		m->tm[f].ns = demo_median(runs + f * repeats, (size_t)repeats) * 1e9 /
			      (double)calls;
		m->tm[f].probes = (double)pr[f] / ((double)calls * (double)repeats);
		m->tm[f].allocations = (double)al[f] / ((double)calls * (double)repeats);
	}
	free(runs);
}

static void report_forms(struct meth *m)
{
	struct demo *d = m->d;
	const struct timing *tm = m->tm;
	static const char *const label[NFORMS] = {
		"counter_bump(c, 1): the C function",
		"c.bump(1)",
		"c.bump(1), call site cached",
		"m = c.bump; m(1)  each time",
		"m(1), m made once outside the loop",
		"Counter.scaled(1)  classmethod",
		"Counter.clamp(1)   staticmethod",
		"d.bump(1), inherited",
	};
	double max_ns = 0;
	for (int f = 0; f < NFORMS; f++)
		if (tm[f].ns > max_ns)
			max_ns = tm[f].ns;
	demo_print(d, "   %-38s %8s %8s %8s\n", "call", "ns/call", "probes", "allocs");
	for (int f = 0; f < NFORMS; f++) {
		char path[64];
		demo_print(d, "   %-38s %8.2f %8.2f %8.2f  |%.*s\n", label[f], tm[f].ns,
			   tm[f].probes, tm[f].allocations, bar_len(tm[f].ns, max_ns),
			   "########################################");
		snprintf(path, sizeof path, "call_ns.%s", form_key[f]);
		demo_json_num(d, path, tm[f].ns);
		snprintf(path, sizeof path, "probes_per_call.%s", form_key[f]);
		demo_json_num(d, path, tm[f].probes);
		snprintf(path, sizeof path, "allocations_per_call.%s", form_key[f]);
		demo_json_num(d, path, tm[f].allocations);
	}
}

static int step_cost(struct meth *m)
{
	struct demo *d = m->d;
	struct interp *in = &m->in;
	demo_print(d, "\n3. %ld calls of each kind, median of %ld runs:\n",
		   m->calls, m->repeats);
	struct bench bench = {in, &m->c, &m->deep, &m->counter, NULL, {0}};
	struct attr hoisted = getattr_instance(in, &m->c, N_BUMP);
	bench.hoisted = hoisted.method;
	long hits0 = in->cache_hits, misses0 = in->cache_misses;
	time_forms(m, &bench);
	free(hoisted.method);
	if (demo_stopping())
		return 1;
	if (!m->all_ok) {
		fprintf(stderr, "demo-methods: error: a call computed a wrong result\n");
		return -1;
	}
	report_forms(m);
	long hits = in->cache_hits - hits0, misses = in->cache_misses - misses0;
	demo_json_int(d, "cache.hits", hits);
	demo_json_int(d, "cache.misses", misses);
	demo_json_bool(d, "results_ok", m->all_ok);
	demo_print(d, "   (the cached call site hit %ld times and missed %ld: its first call; "
		   "in part 1 a warm cache missed once more after Counter.bump was patched)\n",
		   hits, misses);
	return 0;
}

static int step_summary(struct meth *m)
{
	const struct timing *tm = m->tm;
	demo_print(m->d, "\nIn Python terms: obj.method(x) is type(obj).method(obj, x); a method "
		   "call found by lookup costs %.1f ns here against %.1f ns for the bare "
		   "function, and %.1f ns when the call site is cached; reading obj.method as a "
		   "value builds a bound method each time (%.1f ns with the allocation); a "
		   "classmethod binds the class it is called on, so it builds subclasses; a "
		   "staticmethod is the plain function (%.1f ns); each class between an instance "
		   "and its method's class adds a dict probe (%.1f ns at depth %ld).\n",
		   tm[F_METHOD].ns, tm[F_DIRECT].ns, tm[F_CACHED].ns, tm[F_BOUND_VALUE].ns,
		   tm[F_STATICMETHOD].ns, tm[F_INHERITED].ns, m->depth);
	return 0;
}

int main(int argc, char **argv)
{
	long calls = 1000000, depth = 3, repeats = 5;
	struct demo_param params[] = {
		DEMO_INT("calls", &calls, 1000, 50000000, "calls timed per way of calling"),
		DEMO_INT("depth", &depth, 1, MAX_DEPTH,
			 "classes between an instance and the class defining its method"),
		DEMO_INT("repeats", &repeats, 1, 21, "timed runs per way (the median is shown)"),
		DEMO_PARAMS_END
	};
	struct demo d;
	demo_init(&d, "methods",
		  "Instance, class and static methods in C terms: bound methods as "
		  "{function, self} pairs, class methods that build the class they are "
		  "called on, static methods as plain functions, and the cost of each call.",
		  params, argc, argv);

	static int (*const steps[])(struct meth *) = {
		step_transcript, step_lookup, step_cost, step_summary,
	};
	struct meth m = {.d = &d, .calls = calls, .depth = depth, .repeats = repeats};
	meth_setup(&m);
	int status = 0;
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		/* stopped or a wrong result (reported by the step): exit 1 unless demo_finish has a status */
		if (steps[i](&m)) {
			status = 1;
			break;
		}
	}
	int fin = demo_finish(&d);
	return fin ? fin : status;
}
