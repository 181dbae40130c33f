/*
 * bytecode-vm: a small stack machine running CPython's bytecode for one
 * short function, as dis lists it for 3.11, 3.12 or 3.13:
 *
 *	def total(n, k):
 *	    s = 0
 *	    for i in range(n):
 *	        s += i * k
 *	    return s
 *
 * The listings carry each version's real instructions and offsets (3.11
 * has PRECALL before CALL; 3.12 drops it and adds END_FOR; 3.13 fuses two
 * loads into LOAD_FAST_LOAD_FAST and ends the loop with END_FOR, POP_TOP);
 * the VM executes them on an evaluation stack and a frame of four locals,
 * printing the stack after each instruction for a small call.
 *
 * Then the eval breaker: CPython checks one flag word at a few
 * instructions only (RESUME, CALL, JUMP_BACKWARD: function entry, calls
 * and the back edge of every loop), and that is where a pending GIL drop
 * request is honoured.  A second thread wants the GIL as CPython's
 * take_gil() does: it waits one switch interval, then sets the drop
 * request; the VM thread sees it at its next check, drops the GIL, waits
 * until the other thread took it (FORCE_SWITCHING) and takes it back.
 * Counted: requests, drops, the instructions run between a request and the
 * drop, and the instruction that honoured it.  It does not model
 * specialisation (the adaptive interpreter rewrites BINARY_OP and
 * FOR_ITER in place), the inline caches, or exceptions.
 */
#include "demolib.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the instruction set used by total() ---- */

enum op {
	RESUME, LOAD_CONST, STORE_FAST, LOAD_GLOBAL, LOAD_FAST, LOAD_FAST_LOAD_FAST,
	PRECALL, CALL, GET_ITER, FOR_ITER, BINARY_OP, JUMP_BACKWARD, END_FOR,
	POP_TOP, RETURN_VALUE, NOPS
};

static const char *const opname[NOPS] = {
	"RESUME", "LOAD_CONST", "STORE_FAST", "LOAD_GLOBAL", "LOAD_FAST",
	"LOAD_FAST_LOAD_FAST", "PRECALL", "CALL", "GET_ITER", "FOR_ITER",
	"BINARY_OP", "JUMP_BACKWARD", "END_FOR", "POP_TOP", "RETURN_VALUE",
};

struct instr {
	int offset;
	enum op op;
	int arg;                /* -1: none */
	int target;             /* the jump's target offset (argval); -1 */
	const char *argrepr;
};

struct listing {
	const char *version;
	const struct instr *code;
	int n;
	bool null_after;        /* LOAD_GLOBAL pushes NULL after the callable (3.13) */
	int skip_on_exhaust;    /* instructions FOR_ITER skips past its target when done */
};

#define I(off, o, a, t, r) {.offset = (off), .op = (o), .arg = (a), .target = (t), .argrepr = (r)}

static const struct instr code311[] = {
	I(0, RESUME, 0, -1, ""), I(2, LOAD_CONST, 1, -1, "0"), I(4, STORE_FAST, 2, -1, "s"),
	I(6, LOAD_GLOBAL, 1, -1, "NULL + range"), I(18, LOAD_FAST, 0, -1, "n"),
	I(20, PRECALL, 1, -1, ""), I(24, CALL, 1, -1, ""), I(34, GET_ITER, -1, -1, ""),
	I(36, FOR_ITER, 10, 58, "to 58"), I(38, STORE_FAST, 3, -1, "i"),
	I(40, LOAD_FAST, 2, -1, "s"), I(42, LOAD_FAST, 3, -1, "i"), I(44, LOAD_FAST, 1, -1, "k"),
	I(46, BINARY_OP, 5, -1, "*"), I(50, BINARY_OP, 13, -1, "+="),
	I(54, STORE_FAST, 2, -1, "s"), I(56, JUMP_BACKWARD, 11, 36, "to 36"),
	I(58, LOAD_FAST, 2, -1, "s"), I(60, RETURN_VALUE, -1, -1, ""),
};

static const struct instr code312[] = {
	I(0, RESUME, 0, -1, ""), I(2, LOAD_CONST, 1, -1, "0"), I(4, STORE_FAST, 2, -1, "s"),
	I(6, LOAD_GLOBAL, 1, -1, "NULL + range"), I(16, LOAD_FAST, 0, -1, "n"),
	I(18, CALL, 1, -1, ""), I(26, GET_ITER, -1, -1, ""),
	I(28, FOR_ITER, 10, 52, "to 52"), I(32, STORE_FAST, 3, -1, "i"),
	I(34, LOAD_FAST, 2, -1, "s"), I(36, LOAD_FAST, 3, -1, "i"), I(38, LOAD_FAST, 1, -1, "k"),
	I(40, BINARY_OP, 5, -1, "*"), I(44, BINARY_OP, 13, -1, "+="),
	I(48, STORE_FAST, 2, -1, "s"), I(50, JUMP_BACKWARD, 12, 28, "to 28"),
	I(52, END_FOR, -1, -1, ""), I(54, LOAD_FAST, 2, -1, "s"), I(56, RETURN_VALUE, -1, -1, ""),
};

static const struct instr code313[] = {
	I(0, RESUME, 0, -1, ""), I(2, LOAD_CONST, 1, -1, "0"), I(4, STORE_FAST, 2, -1, "s"),
	I(6, LOAD_GLOBAL, 1, -1, "range + NULL"), I(16, LOAD_FAST, 0, -1, "n"),
	I(18, CALL, 1, -1, ""), I(26, GET_ITER, -1, -1, ""),
	I(28, FOR_ITER, 10, 52, "to L2"), I(32, STORE_FAST, 3, -1, "i"),
	I(34, LOAD_FAST_LOAD_FAST, 35, -1, "s, i"), I(36, LOAD_FAST, 1, -1, "k"),
	I(38, BINARY_OP, 5, -1, "*"), I(42, BINARY_OP, 13, -1, "+="),
	I(46, STORE_FAST, 2, -1, "s"), I(48, JUMP_BACKWARD, 12, 28, "to L1"),
	I(52, END_FOR, -1, -1, ""), I(54, POP_TOP, -1, -1, ""),
	I(56, LOAD_FAST, 2, -1, "s"), I(58, RETURN_VALUE, -1, -1, ""),
};

#define NINSTR(a) ((int)(sizeof a / sizeof *a))

static const struct listing listings[] = {
	{"3.11", code311, NINSTR(code311), false, 0},
	{"3.12", code312, NINSTR(code312), false, 1},
	{"3.13", code313, NINSTR(code313), true, 2},
};

/* Where CPython checks the eval breaker (RESUME only with oparg < 2). */
static bool breaker_site(const struct instr *in)
{
	return (in->op == RESUME && in->arg < 2) || in->op == CALL || in->op == JUMP_BACKWARD;
}

/* ---- values, the frame ---- */

enum vkind { V_NULL, V_INT, V_RANGE_FN, V_RANGE, V_RANGE_ITER };

struct value {
	enum vkind k;
	long i;                 /* the int; a range's or an iterator's next value */
	long stop;
};

enum { NLOCALS = 4, STACK_MAX = 8 };

struct frame {
	struct value locals[NLOCALS];   /* n, k, s, i */
	struct value stack[STACK_MAX];
	int sp;
	int pc;                         /* index into the listing */
	int max_depth;
};

static void value_str(const struct value *v, char *buf, size_t n)
{
	switch (v->k) {
	case V_NULL:
		snprintf(buf, n, "NULL");
		break;
	case V_INT:
		snprintf(buf, n, "%ld", v->i);
		break;
	case V_RANGE_FN:
		snprintf(buf, n, "<built-in range>");
		break;
	case V_RANGE:
		snprintf(buf, n, "range(0, %ld)", v->stop);
		break;
	case V_RANGE_ITER:
		snprintf(buf, n, "<range_iterator next=%ld>", v->i);
		break;
	}
}

static int index_of(const struct listing *l, int offset)
{
	for (int i = 0; i < l->n; i++)
		if (l->code[i].offset == offset)
			return i;
	return -1;
}

static void push(struct frame *f, struct value v)
{
	if (f->sp < STACK_MAX)
		f->stack[f->sp++] = v;
	if (f->sp > f->max_depth)
		f->max_depth = f->sp;
}

static struct value pop(struct frame *f)
{
	return f->sp > 0 ? f->stack[--f->sp] : (struct value){.k = V_NULL};
}

static struct value int_value(long i)
{
	return (struct value){.k = V_INT, .i = i};
}

enum step { STEP_NEXT, STEP_RETURN, STEP_ERROR };

/* CALL argc: below the args, the callable and NULL (in either order). */
static enum step do_call(struct frame *f, int argc)
{
	struct value args[4];
	for (int a = argc - 1; a >= 0; a--)
		args[a < 4 ? a : 3] = pop(f);
	struct value x = pop(f), y = pop(f);
	struct value fn = x.k == V_NULL ? y : x;
	if (fn.k != V_RANGE_FN || argc != 1 || args[0].k != V_INT)
		return STEP_ERROR;
	push(f, (struct value){.k = V_RANGE, .i = 0, .stop = args[0].i});
	return STEP_NEXT;
}

/* Executes the instruction at f->pc; returns STEP_RETURN with *result set at the end. */
static enum step step(struct frame *f, const struct listing *l, long *result)
{
	const struct instr *in = &l->code[f->pc];
	f->pc++;
	switch (in->op) {
	case RESUME:
	case PRECALL:           /* 3.11: prepares the call; nothing to do for range() */
		return STEP_NEXT;
	case LOAD_CONST:
		push(f, int_value(0));  /* co_consts[1] is 0 */
		return STEP_NEXT;
	case STORE_FAST:
		f->locals[in->arg] = pop(f);
		return STEP_NEXT;
	case LOAD_FAST:
		push(f, f->locals[in->arg]);
		return STEP_NEXT;
	case LOAD_FAST_LOAD_FAST:
		push(f, f->locals[in->arg >> 4]);
		push(f, f->locals[in->arg & 15]);
		return STEP_NEXT;
	case LOAD_GLOBAL: {     /* arg >> 1 is the name (range); arg & 1 pushes NULL too */
		struct value fn = {.k = V_RANGE_FN};
		if ((in->arg & 1) && !l->null_after)
			push(f, (struct value){.k = V_NULL});
		push(f, fn);
		if ((in->arg & 1) && l->null_after)
			push(f, (struct value){.k = V_NULL});
		return STEP_NEXT;
	}
	case CALL:
		return do_call(f, in->arg);
	case GET_ITER: {
		struct value r = pop(f);
		push(f, (struct value){.k = V_RANGE_ITER, .i = r.i, .stop = r.stop});
		return STEP_NEXT;
	}
	case FOR_ITER: {
		if (f->sp < 1 || f->stack[f->sp - 1].k != V_RANGE_ITER)
			return STEP_ERROR;
		struct value *it = &f->stack[f->sp - 1];
		if (it->i < it->stop) {
			push(f, int_value(it->i++));
			return STEP_NEXT;
		}
		pop(f);         /* exhausted: the iterator goes, the jump skips END_FOR (3.12+) */
		f->pc = index_of(l, in->target) + l->skip_on_exhaust;
		return f->pc >= 0 ? STEP_NEXT : STEP_ERROR;
	}
	case BINARY_OP: {
		struct value b = pop(f), a = pop(f);
		if (a.k != V_INT || b.k != V_INT)
			return STEP_ERROR;
		push(f, int_value(in->arg == 5 ? a.i * b.i : a.i + b.i));     /* * or += */
		return STEP_NEXT;
	}
	case JUMP_BACKWARD:
		f->pc = index_of(l, in->target);
		return f->pc >= 0 ? STEP_NEXT : STEP_ERROR;
	case END_FOR:
	case POP_TOP:
		pop(f);
		return STEP_NEXT;
	case RETURN_VALUE:
		*result = pop(f).i;
		return STEP_RETURN;
	case NOPS:
		break;
	}
	return STEP_ERROR;
}

static void frame_init(struct frame *f, long n, long k)
{
	memset(f, 0, sizeof *f);
	f->locals[0] = int_value(n);
	f->locals[1] = int_value(k);
	f->locals[2] = f->locals[3] = (struct value){.k = V_NULL};   /* unbound */
}

static void stack_str(const struct frame *f, char *buf, size_t n)
{
	size_t len = (size_t)snprintf(buf, n, "[");
	for (int i = 0; i < f->sp && len < n; i++) {
		char v[48];
		value_str(&f->stack[i], v, sizeof v);
		len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? ", " : "", v);
	}
	if (len < n)
		snprintf(buf + len, n - len, "]");
}

/* ---- the GIL, as CPython's take_gil()/drop_gil() with the eval breaker ---- */

struct gil {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	bool locked;
	unsigned long switches;         /* switch_number */
	atomic_int drop_request;        /* the eval breaker's GIL bit */
	atomic_long executed;           /* instructions the VM has run */
	long request_at;                /* executed, read just after setting the request */
	double interval_s, io_s;
	bool vm_done;
	/* counted */
	long requests, drops, checks;
	long latency_max, latency_sum;
	long honoured_by[NOPS];
	double wait_max_s, wait_sum_s;
	long waits;
};

static void gil_take(struct gil *g, bool waiter)
{
	pthread_mutex_lock(&g->mu);
	while (g->locked) {
		if (!waiter) {
			pthread_cond_wait(&g->cond, &g->mu);
			continue;
		}
		unsigned long saved = g->switches;
		struct timespec ts = demo_deadline_ms(g->interval_s * 1000);
		int rc = pthread_cond_timedwait(&g->cond, &g->mu, &ts);
		if (rc == ETIMEDOUT && g->locked && g->switches == saved &&
		    !atomic_load(&g->drop_request)) {
			atomic_store(&g->drop_request, 1);      /* SET_GIL_DROP_REQUEST */
			g->request_at = atomic_load(&g->executed);
			g->requests++;
		}
	}
	g->locked = true;
	g->switches++;
	atomic_store(&g->drop_request, 0);
	pthread_cond_broadcast(&g->cond);       /* FORCE_SWITCHING: the dropper waits for this */
	pthread_mutex_unlock(&g->mu);
}

static void gil_drop(struct gil *g)
{
	pthread_mutex_lock(&g->mu);
	g->locked = false;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->mu);
}

/* At an eval-breaker check, with a drop request pending: let the other thread run. */
static void honour_drop(struct gil *g, const struct instr *in)
{
	long now = atomic_load_explicit(&g->executed, memory_order_relaxed);
	pthread_mutex_lock(&g->mu);
	long lat = now - g->request_at;
	g->drops++;
	g->latency_sum += lat;
	if (lat > g->latency_max)
		g->latency_max = lat;
	g->honoured_by[in->op]++;
	unsigned long saved = g->switches;
	g->locked = false;
	pthread_cond_broadcast(&g->cond);
	while (g->switches == saved)            /* until the other thread has it */
		pthread_cond_wait(&g->cond, &g->mu);
	pthread_mutex_unlock(&g->mu);
	gil_take(g, false);
}

/* The other thread: blocks in I/O (without the GIL), then needs the GIL briefly. */
static void *waiter_main(void *arg)
{
	struct gil *g = arg;
	for (;;) {
		demo_sleep_ms(g->io_s * 1e3);
		double t0 = demo_now();
		gil_take(g, true);
		double w = demo_now() - t0;
		pthread_mutex_lock(&g->mu);
		bool done = g->vm_done;
		if (!done) {
			g->waits++;
			g->wait_sum_s += w;
			if (w > g->wait_max_s)
				g->wait_max_s = w;
		}
		pthread_mutex_unlock(&g->mu);
		gil_drop(g);
		if (done)
			return NULL;
	}
}

/*
 * total(n, k) on the VM holding the GIL, a waiter thread beside it.
 * Returns 0, 1 when stopped, -1 on an error.
 */
static int run_contended(const struct listing *l, long n, long k, struct gil *g,
			 long *result, long *executed)
{
	struct frame f;
	frame_init(&f, n, k);
	pthread_t tid;
	gil_take(g, false);
	if (pthread_create(&tid, NULL, waiter_main, g) != 0) {
		gil_drop(g);
		return -1;
	}
	enum step s = STEP_NEXT;
	long count = 0;
	bool stopped = false;
	while (s == STEP_NEXT) {
		const struct instr *in = &l->code[f.pc];
		if (breaker_site(in)) {
			g->checks++;
			/*
			 * The fence orders the counter's last store before the
			 * flag's load; with the waiter's seq_cst store and load,
			 * a check that sees no request means the waiter reads a
			 * count at least this one, so its figure is a true bound.
			 */
			atomic_thread_fence(memory_order_seq_cst);
			if (atomic_load_explicit(&g->drop_request, memory_order_relaxed))
				honour_drop(g, in);
			if ((g->checks & 0xffff) == 0 && demo_stopping()) {
				stopped = true;
				break;
			}
		}
		s = step(&f, l, result);
		atomic_store_explicit(&g->executed, ++count, memory_order_relaxed);
	}
	pthread_mutex_lock(&g->mu);
	g->vm_done = true;
	pthread_mutex_unlock(&g->mu);
	gil_drop(g);
	pthread_join(tid, NULL);
	*executed = count;
	return stopped ? 1 : s == STEP_RETURN ? 0 : -1;
}

/* ---- the run ---- */

struct run {
	struct demo *d;
	const struct listing *l;
	long show_n, n;
	double interval_ms, io_ms;
	struct gil g;
	long result, executed;
	double seconds;
};

static void json_strings(struct demo *d, const char *path, const char *const *s, int n)
{
	struct demo_buf b = {0};
	demo_buf_puts(&b, "[");
	for (int i = 0; i < n; i++)
		demo_buf_printf(&b, "%s\"%s\"", i ? ", " : "", s[i]);
	demo_buf_puts(&b, "]");
	demo_json_raw(d, path, b.s);
	demo_buf_release(&b);
}

/* Instructions from FOR_ITER to JUMP_BACKWARD: one turn of the loop. */
static int loop_length(const struct listing *l)
{
	int a = -1, b = -1;
	for (int i = 0; i < l->n; i++) {
		if (l->code[i].op == FOR_ITER && a < 0)
			a = i;
		if (l->code[i].op == JUMP_BACKWARD)
			b = i;
	}
	return a >= 0 && b >= a ? b - a + 1 : 0;
}

static int step_listing(struct run *r)
{
	struct demo *d = r->d;
	const struct listing *l = r->l;
	demo_print(d, "def total(n, k):\n    s = 0\n    for i in range(n):\n        s += i * k\n"
		   "    return s\n\n1. dis.dis(total) on CPython %s (* = the eval breaker is checked here):\n",
		   l->version);
	const char *names[32];
	struct demo_buf offs = {0}, jumps = {0};
	demo_buf_puts(&offs, "[");
	demo_buf_puts(&jumps, "{");
	int nj = 0;
	for (int i = 0; i < l->n; i++) {
		const struct instr *in = &l->code[i];
		char arg[16] = "";
		if (in->arg >= 0)
			snprintf(arg, sizeof arg, "%d", in->arg);
		demo_print(d, "   %c %4d %-20s %4s %s%s%s\n", breaker_site(in) ? '*' : ' ',
			   in->offset, opname[in->op], arg, *in->argrepr ? "(" : "",
			   in->argrepr, *in->argrepr ? ")" : "");
		names[i] = opname[in->op];
		demo_buf_printf(&offs, "%s%d", i ? ", " : "", in->offset);
		if (in->target >= 0)
			demo_buf_printf(&jumps, "%s\"%d\": %d", nj++ ? ", " : "", in->offset,
					in->target);
	}
	demo_buf_puts(&offs, "]");
	demo_buf_puts(&jumps, "}");
	demo_json_str(d, "version", l->version);
	json_strings(d, "listing.opnames", names, l->n);
	demo_json_raw(d, "listing.offsets", offs.s);
	demo_json_raw(d, "listing.jumps", jumps.s);
	demo_json_int(d, "listing.loop_length", loop_length(l));
	demo_buf_release(&offs);
	demo_buf_release(&jumps);
	return 0;
}

/* total(show_n, 3), one instruction at a time, with the stack after each. */
static int step_trace(struct run *r)
{
	struct demo *d = r->d;
	const struct listing *l = r->l;
	struct frame f;
	enum { MAXSTEPS = 128 };
	const char *executed[MAXSTEPS];
	int nsteps = 0;
	long result = 0;
	frame_init(&f, r->show_n, 3);
	demo_print(d, "\n2. total(%ld, 3) on the stack machine, the stack after each instruction:\n"
		   "   %4s %-20s %-40s %s\n", r->show_n, "at", "instruction", "stack", "s, i");
	enum step s = STEP_NEXT;
	while (s == STEP_NEXT && nsteps < MAXSTEPS) {
		const struct instr *in = &l->code[f.pc];
		executed[nsteps++] = opname[in->op];
		s = step(&f, l, &result);
		char st[160], sv[24] = "-", iv[24] = "-";
		stack_str(&f, st, sizeof st);
		if (f.locals[2].k == V_INT)
			snprintf(sv, sizeof sv, "%ld", f.locals[2].i);
		if (f.locals[3].k == V_INT)
			snprintf(iv, sizeof iv, "%ld", f.locals[3].i);
		demo_print(d, "   %4d %-20s %-40s %s, %s\n", in->offset, opname[in->op], st, sv, iv);
	}
	demo_print(d, "   returned %ld after %d instructions; the stack was at most %d deep.\n",
		   result, nsteps, f.max_depth);
	json_strings(d, "trace.executed", executed, nsteps);
	demo_json_int(d, "trace.result", result);
	demo_json_int(d, "trace.max_depth", f.max_depth);
	demo_json_bool(d, "trace.ok", s == STEP_RETURN);
	if (s != STEP_RETURN) {
		fprintf(stderr, "demo-bytecode-vm: the VM failed on the %s listing\n", l->version);
		return -1;
	}
	return 0;
}

static int step_contended(struct run *r)
{
	struct demo *d = r->d;
	struct gil *g = &r->g;
	memset(g, 0, sizeof *g);
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cond, NULL);
	g->interval_s = r->interval_ms / 1e3;
	g->io_s = r->io_ms / 1e3;
	demo_print(d, "\n3. total(%ld, 3) again, holding a GIL, while a second thread blocks %.1f ms in I/O "
		   "and then needs the GIL. It waits one switch interval (%.1f ms), then sets the drop "
		   "request; the VM honours it at its next eval-breaker check.\n",
		   r->n, r->io_ms, r->interval_ms);
	demo_progress(d, "   running ...");
	double t0 = demo_now();
	int rc = run_contended(r->l, r->n, 3, g, &r->result, &r->executed);
	r->seconds = demo_now() - t0;
	pthread_mutex_destroy(&g->mu);
	pthread_cond_destroy(&g->cond);
	if (rc < 0)
		fprintf(stderr, "demo-bytecode-vm: the contended run failed\n");
	return rc;
}

static int step_table(struct run *r)
{
	struct demo *d = r->d;
	const struct gil *g = &r->g;
	double mean = g->drops ? (double)g->latency_sum / (double)g->drops : 0;
	demo_print(d, "   %-44s %s\n", "figure", "value");
	demo_print(d, "   %-44s %ld\n", "result", r->result);
	demo_print(d, "   %-44s %ld in %.1f ms (%.1f ns each)\n", "instructions executed", r->executed,
		   r->seconds * 1e3, r->executed ? r->seconds * 1e9 / (double)r->executed : 0);
	demo_print(d, "   %-44s %ld\n", "eval-breaker checks", g->checks);
	demo_print(d, "   %-44s %ld\n", "drop requests set by the waiting thread", g->requests);
	demo_print(d, "   %-44s %ld\n", "GIL drops by the VM thread", g->drops);
	demo_print(d, "   %-44s %ld (mean %.1f; one loop turn is %d)\n",
		   "instructions from a request to its drop, max", g->latency_max, mean,
		   loop_length(r->l));
	demo_print(d, "   %-44s", "drops honoured at");
	for (int o = 0; o < NOPS; o++)
		if (g->honoured_by[o])
			demo_print(d, " %s %ld", opname[o], g->honoured_by[o]);
	demo_print(d, "%s\n", g->drops ? "" : " (none)");
	demo_print(d, "   %-44s %.2f ms mean, %.2f ms max (%ld waits)\n",
		   "the other thread's wait for the GIL", g->waits ? g->wait_sum_s * 1e3 / (double)g->waits : 0,
		   g->wait_max_s * 1e3, g->waits);
	demo_json_int(d, "run.result", r->result);
	demo_json_int(d, "run.instructions", r->executed);
	demo_json_num(d, "run.seconds", r->seconds);
	demo_json_int(d, "run.checks", g->checks);
	demo_json_int(d, "run.requests", g->requests);
	demo_json_int(d, "run.drops", g->drops);
	demo_json_int(d, "run.latency_max", g->latency_max);
	demo_json_num(d, "run.latency_mean", mean);
	for (int o = 0; o < NOPS; o++) {
		char path[64];
		snprintf(path, sizeof path, "run.honoured_by.%s", opname[o]);
		if (g->honoured_by[o])
			demo_json_int(d, path, g->honoured_by[o]);
	}
	demo_json_int(d, "run.waits", g->waits);
	demo_json_num(d, "run.wait_ms_mean", g->waits ? g->wait_sum_s * 1e3 / (double)g->waits : 0);
	demo_json_num(d, "run.wait_ms_max", g->wait_max_s * 1e3);
	return 0;
}

static int step_summary(struct run *r)
{
	demo_print(r->d, "\nIn Python terms: CPython %s runs this loop as %d instructions a turn and "
		   "checks for a GIL drop request only at RESUME, CALL and JUMP_BACKWARD; the request "
		   "set after a switch interval was honoured within %ld instructions, at the loop's "
		   "back edge, which is why a thread running bytecode gives up the GIL every "
		   "sys.getswitchinterval() but never in the middle of an instruction.\n",
		   r->l->version, loop_length(r->l), r->g.latency_max);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const versions[] = {"3.11", "3.12", "3.13", NULL};
	int version = 0;
	long show_n = 2, n = 2000000;
	double interval_ms = 5, io_ms = 1;
	struct demo_param params[] = {
		DEMO_ENUM("version", &version, versions, "whose bytecode: CPython 3.11, 3.12 or 3.13"),
		DEMO_INT("show-n", &show_n, 0, 5, "n of the call shown step by step: total(n, 3)"),
		DEMO_INT("n", &n, 1000, 50000000, "n of the long call run against a waiting thread"),
		DEMO_FLOAT("interval-ms", &interval_ms, 0.5, 50,
			   "the switch interval, as sys.setswitchinterval()"),
		DEMO_FLOAT("io-ms", &io_ms, 0, 50,
			   "how long the other thread blocks without the GIL before it needs it again"),
		DEMO_PARAMS_END
	};
	struct demo d;
	demo_init(&d, "bytecode-vm",
		  "A stack machine running the dis listing of a short function (3.11, 3.12 or "
		  "3.13) with the stack at each step, and the eval breaker where a GIL drop "
		  "request is honoured.", params, argc, argv);
	static int (*const steps[])(struct run *) = {
		step_listing, step_trace, step_contended, step_table, step_summary,
	};
	struct run *r = xcalloc(1, sizeof *r);
	*r = (struct run){.d = &d, .l = &listings[version], .show_n = show_n, .n = n,
			  .interval_ms = interval_ms, .io_ms = io_ms};
	int status = 0;
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		int rc = steps[i](r);
		if (rc < 0)
			status = 1;
		if (rc)
			break;
	}
	free(r);
	int fin = demo_finish(&d);
	return status ? status : fin;
}
