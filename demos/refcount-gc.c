/*
 * refcount-gc: reference counting, and CPython's cycle collector on top of
 * it, as a small heap of container objects.
 *
 * An object here has a reference count, a list of the objects it refers to
 * (its tp_traverse), and the two links that put it in a generation's list,
 * as CPython's PyGC_Head does.  Dropping the last reference frees an object
 * at once and drops its own references, which may free more.  A reference
 * cycle keeps every count above zero, so it survives `del`.  The collector
 * does what CPython's gc_collect_main() does: merge the younger generations
 * into the one collected; copy each count into gc_refs; subtract every
 * reference that comes from inside the set; what keeps gc_refs > 0 is
 * referenced from outside, and everything reachable from it survives (the
 * same single pass with a move-back as move_unreachable()); the rest is
 * unreachable: each object's references are cleared (tp_clear) and the
 * counts free them.  Survivors move one generation up.  A collection is
 * triggered as in 3.11-3.13: when allocations minus deallocations of
 * container objects exceed threshold 0 (700; 2,000 in 3.13), the oldest
 * generation whose count exceeds its threshold is collected (10 collections
 * of the younger one), and a full collection also waits until the objects
 * that survived since the last one are a quarter of the long-lived ones.
 *
 * It does not model finalizers, weak references, untracked objects (atomic
 * containers such as a tuple of ints), the free-threaded build, nor 3.12's
 * running of the collection at the next eval-breaker check instead of inside
 * the allocation.
 */
#include "demolib.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The list heads: four sentinel slots at the start of the object array. */
enum { GEN0, GEN1, GEN2, UNREACH, NHEADS };
#define NGEN 3
#define FREE_SLOT (-1)

struct obj {
	int prev, next;         /* the list it is in (PyGC_Head) */
	int list;               /* which list: GEN0..UNREACH, or FREE_SLOT */
	int nrefs, cap;
	int *refs;              /* what it refers to (tp_traverse visits these) */
	long refcnt;
	long gc_refs;
	const char *name;
};

struct gc_stats {
	long collections[NGEN];
	long examined[NGEN];            /* objects in the collected sets */
	double pause_s[NGEN], max_pause_s[NGEN];
	long freed_by_gc, freed_by_refcount;
};

/* A row of the step-by-step trace of one collection. */
struct trace_row {
	const char *name;
	long refcnt, gc_refs;
	bool reachable;
};

struct heap {
	struct obj *o;
	size_t n, cap;
	int *free_slots;
	size_t nfree, free_cap;
	long count[NGEN];               /* generations[i].count */
	long threshold[NGEN];
	long long_lived_total, long_lived_pending;
	bool enabled, collecting;
	struct gc_stats st;
	int *stack;                     /* for freeing chains without recursion */
	size_t sp, stack_cap;
	struct trace_row *trace;        /* when set, the next collection fills it */
	int ntrace, trace_cap;
};

/* ---- lists (PyGC_Head) ---- */

static void list_init(struct heap *h, int head)
{
	h->o[head].prev = h->o[head].next = head;
	h->o[head].list = head;
}

static void list_remove(struct heap *h, int i)
{
	struct obj *o = h->o;
	o[o[i].prev].next = o[i].next;
	o[o[i].next].prev = o[i].prev;
}

static void list_append(struct heap *h, int head, int i)
{
	struct obj *o = h->o;
	o[i].prev = o[head].prev;
	o[i].next = head;
	o[o[head].prev].next = i;
	o[head].prev = i;
	o[i].list = head;
}

static void list_move(struct heap *h, int head, int i)
{
	list_remove(h, i);
	list_append(h, head, i);
}

/* Moves every object of from to the end of to. */
static void list_merge(struct heap *h, int from, int to)
{
	struct obj *o = h->o;
	for (int i = o[from].next; i != from; i = o[i].next)
		o[i].list = to;
	if (o[from].next == from)
		return;
	int first = o[from].next, last = o[from].prev;
	o[first].prev = o[to].prev;
	o[o[to].prev].next = first;
	o[last].next = to;
	o[to].prev = last;
	list_init(h, from);
}

static long list_len(const struct heap *h, int head)
{
	long n = 0;
	for (int i = h->o[head].next; i != head; i = h->o[i].next)
		n++;
	return n;
}

/* ---- the heap ---- */

static void heap_init(struct heap *h, long threshold0)
{
	memset(h, 0, sizeof *h);
	h->o = demo_grow(NULL, &h->cap, NHEADS, sizeof *h->o);
	memset(h->o, 0, h->cap * sizeof *h->o);
	h->n = NHEADS;
	for (int i = 0; i < NHEADS; i++)
		list_init(h, i);
	h->threshold[0] = threshold0;
	h->threshold[1] = h->threshold[2] = 10;
	h->enabled = true;
}

static void heap_release(struct heap *h)
{
	for (size_t i = NHEADS; i < h->n; i++)
		free(h->o[i].refs);
	free(h->o);
	free(h->free_slots);
	free(h->stack);
	free(h->trace);
	memset(h, 0, sizeof *h);
}

static void collect_generations(struct heap *h);

/* A new container object with one reference (its creator's); may collect first. */
static int obj_new(struct heap *h, const char *name)
{
	int i;
	if (h->nfree) {
		i = h->free_slots[--h->nfree];
	} else {
		h->o = demo_grow(h->o, &h->cap, h->n + 1, sizeof *h->o);
		i = (int)h->n++;
	}
	h->o[i] = (struct obj){.refcnt = 1, .name = name};
	list_append(h, GEN0, i);
	h->count[0]++;                  /* _PyObject_GC_Link */
	if (h->count[0] > h->threshold[0] && h->enabled && !h->collecting) {
		h->collecting = true;
		collect_generations(h);
		h->collecting = false;
	}
	return i;
}

static void incref(struct heap *h, int i)
{
	h->o[i].refcnt++;
}

/* Frees i: untracks it, then drops its references (iteratively, as a trashcan). */
static void dealloc_chain(struct heap *h, int i)
{
	h->stack = demo_grow(h->stack, &h->stack_cap, h->sp + 1, sizeof *h->stack);
	h->stack[h->sp++] = i;
	while (h->sp) {
		int k = h->stack[--h->sp];
		struct obj *o = &h->o[k];
		list_remove(h, k);
		o->list = FREE_SLOT;
		if (h->count[0] > 0)
			h->count[0]--;          /* PyObject_GC_Del */
		h->st.freed_by_refcount++;
		for (int r = 0; r < o->nrefs; r++) {
			int c = o->refs[r];
			if (--h->o[c].refcnt == 0) {
				h->stack = demo_grow(h->stack, &h->stack_cap, h->sp + 1,
						     sizeof *h->stack);
				h->stack[h->sp++] = c;
			}
		}
		free(o->refs);
		o = &h->o[k];
		o->refs = NULL;
		o->nrefs = o->cap = 0;
		h->free_slots = demo_grow(h->free_slots, &h->free_cap, h->nfree + 1,
					  sizeof *h->free_slots);
		h->free_slots[h->nfree++] = k;
	}
}

static void decref(struct heap *h, int i)
{
	if (--h->o[i].refcnt == 0)
		dealloc_chain(h, i);
}

/* a.attr = b: a now refers to b. */
static void set_ref(struct heap *h, int a, int b)
{
	struct obj *o = &h->o[a];
	if (o->nrefs == o->cap) {
		size_t cap = (size_t)o->cap;
		o->refs = demo_grow(o->refs, &cap, (size_t)o->nrefs + 1, sizeof *o->refs);
		o->cap = (int)cap;
	}
	o->refs[o->nrefs++] = b;
	incref(h, b);
}

/* ---- the collector (gc_collect_main) ---- */

/* update_refs and subtract_refs: what is left counts references from outside. */
static void subtract_internal(struct heap *h, int young)
{
	struct obj *o = h->o;
	for (int i = o[young].next; i != young; i = o[i].next)
		o[i].gc_refs = o[i].refcnt;
	for (int i = o[young].next; i != young; i = o[i].next)
		for (int r = 0; r < o[i].nrefs; r++)
			if (o[o[i].refs[r]].list == young)
				o[o[i].refs[r]].gc_refs--;
}

/*
 * move_unreachable: one pass over young; an object with gc_refs > 0 is
 * reachable and makes what it refers to reachable (moving it back from the
 * unreachable list if it was already put there); one with 0 goes to the
 * unreachable list for now.
 */
static void move_unreachable(struct heap *h, int young)
{
	struct obj *o = h->o;
	int i = o[young].next;
	while (i != young) {
		if (o[i].gc_refs > 0) {
			for (int r = 0; r < o[i].nrefs; r++) {
				int c = o[i].refs[r];
				if (o[c].list == UNREACH) {
					list_move(h, young, c);
					o[c].gc_refs = 1;
				} else if (o[c].list == young && o[c].gc_refs == 0) {
					o[c].gc_refs = 1;
				}
			}
			i = o[i].next;
		} else {
			int next = o[i].next;
			list_move(h, UNREACH, i);
			i = next;
		}
	}
}

static void trace_collect(struct heap *h, int young)
{
	if (!h->trace)
		return;
	h->ntrace = 0;
	for (int i = h->o[young].next; i != young && h->ntrace < h->trace_cap;
	     i = h->o[i].next)
		h->trace[h->ntrace++] = (struct trace_row){.name = h->o[i].name,
			.refcnt = h->o[i].refcnt, .gc_refs = h->o[i].gc_refs};
}

/* delete_garbage: clear each unreachable object's references; the counts free them. */
static long delete_garbage(struct heap *h, int old)
{
	long freed0 = h->st.freed_by_refcount;
	while (h->o[UNREACH].next != UNREACH) {
		int i = h->o[UNREACH].next;
		incref(h, i);
		struct obj *o = &h->o[i];
		int n = o->nrefs, *refs = o->refs;
		o->refs = NULL;
		o->nrefs = o->cap = 0;
		for (int r = 0; r < n; r++)
			decref(h, refs[r]);
		free(refs);
		if (h->o[i].list == UNREACH && h->o[i].refcnt > 1)
			list_move(h, old, i);   /* kept alive by something: survives */
		decref(h, i);
	}
	long freed = h->st.freed_by_refcount - freed0;
	h->st.freed_by_refcount = freed0;
	return freed;
}

static void collect(struct heap *h, int gen)
{
	double t0 = demo_now();
	for (int g = 0; g < gen; g++)
		list_merge(h, g, gen);
	int young = gen, old = gen < NGEN - 1 ? gen + 1 : gen;
	long examined = list_len(h, young);
	subtract_internal(h, young);
	trace_collect(h, young);
	move_unreachable(h, young);
	for (int k = 0; h->trace && k < h->ntrace; k++)
		for (int i = h->o[young].next; i != young; i = h->o[i].next)
			if (h->o[i].name == h->trace[k].name)
				h->trace[k].reachable = true;
	long survivors = examined - list_len(h, UNREACH);
	if (gen == NGEN - 2)
		h->long_lived_pending += survivors;
	if (young != old)
		list_merge(h, young, old);
	h->st.freed_by_gc += delete_garbage(h, old);
	if (gen == NGEN - 1) {
		h->long_lived_pending = 0;
		h->long_lived_total = list_len(h, GEN2);
	}
	if (gen + 1 < NGEN)
		h->count[gen + 1]++;
	for (int g = 0; g <= gen; g++)
		h->count[g] = 0;
	double dt = demo_now() - t0;
	h->st.collections[gen]++;
	h->st.examined[gen] += examined;
	h->st.pause_s[gen] += dt;
	if (dt > h->st.max_pause_s[gen])
		h->st.max_pause_s[gen] = dt;
}

/* gc_collect_generations: the oldest generation over its threshold. */
static void collect_generations(struct heap *h)
{
	for (int g = NGEN - 1; g >= 0; g--) {
		if (h->count[g] > h->threshold[g]) {
			if (g == NGEN - 1 && h->long_lived_pending < h->long_lived_total / 4)
				continue;
			collect(h, g);
			break;
		}
	}
}

/* gc.collect(): a full collection; returns the objects it freed. */
static long gc_collect(struct heap *h)
{
	long before = h->st.freed_by_gc;
	h->collecting = true;
	collect(h, NGEN - 1);
	h->collecting = false;
	return h->st.freed_by_gc - before;
}

static bool alive(const struct heap *h, int i, const char *name)
{
	return h->o[i].list != FREE_SLOT && h->o[i].name == name;
}

/* ---- output helpers ---- */

/* ---- the run ---- */

enum { MAX_FULL = 32 };

struct full_event {
	long heap;                      /* objects in the collected set */
	double ms;
};

struct run {
	struct demo *d;
	long objects, threshold;
	struct heap h;                  /* the small heap of parts 1-3 */
	int p;                          /* the variable p of part 2 */
	struct gc_stats build;
	double build_s, build_nogc_s;
	double full_ms, young_ms;
	long full_examined, young_examined;
	struct full_event full[MAX_FULL];
	int nfull;
};

static const char N_A[] = "a", N_B[] = "b", N_X[] = "x", N_Y[] = "y", N_P[] = "p",
	N_Q[] = "q", N_DATA[] = "data";

/* Part 1: the count reaches zero, the object goes at once, and what it held. */
static int step_refcount(struct run *r)
{
	struct demo *d = r->d;
	struct heap *h = &r->h;
	heap_init(h, r->threshold);
	demo_print(d, "1. Reference counting: every object counts the references to it; the last one\n"
		   "   dropped frees it at once, and its own references are dropped in turn.\n");
	int a = obj_new(h, N_A), b = obj_new(h, N_B);
	set_ref(h, a, b);
	long a1 = h->o[a].refcnt, b1 = h->o[b].refcnt;
	demo_print(d, "   a = Node(); b = Node(); a.child = b   refcounts: a %ld, b %ld\n", a1, b1);
	long f0 = h->st.freed_by_refcount;
	decref(h, b);
	long b2 = h->o[b].refcnt, freed_b = h->st.freed_by_refcount - f0;
	demo_print(d, "   del b                                  b %ld, objects freed: %ld (a.child still holds it)\n",
		   b2, freed_b);
	f0 = h->st.freed_by_refcount;
	decref(h, a);
	long freed_a = h->st.freed_by_refcount - f0;
	bool gone = !alive(h, a, N_A) && !alive(h, b, N_B);
	demo_print(d, "   del a                                  a 0: freed, then b 0: freed; objects freed: %ld\n\n",
		   freed_a);
	demo_json_int(d, "refcount.a_after_set", a1);
	demo_json_int(d, "refcount.b_after_set", b1);
	demo_json_int(d, "refcount.b_after_del_b", b2);
	demo_json_int(d, "refcount.freed_by_del_b", freed_b);
	demo_json_int(d, "refcount.freed_by_del_a", freed_a);
	demo_json_bool(d, "refcount.both_gone", gone);
	return 0;
}

/* Part 2: a cycle survives del; a cycle a variable still reaches. */
static int step_cycle(struct run *r)
{
	struct demo *d = r->d;
	struct heap *h = &r->h;
	demo_print(d, "2. A reference cycle: each object holds the other, so neither count reaches zero.\n");
	int x = obj_new(h, N_X), y = obj_new(h, N_Y);
	set_ref(h, x, y);
	set_ref(h, y, x);
	long f0 = h->st.freed_by_refcount;
	demo_print(d, "   x = Node(); y = Node(); x.other = y; y.other = x   x %ld, y %ld\n",
		   h->o[x].refcnt, h->o[y].refcnt);
	decref(h, x);
	decref(h, y);
	long freed = h->st.freed_by_refcount - f0;
	int live = alive(h, x, N_X) + alive(h, y, N_Y);
	demo_print(d, "   del x, y                                           x %ld, y %ld; objects freed: %ld, "
		   "still alive: %d, unreachable from the program\n", h->o[x].refcnt, h->o[y].refcnt,
		   freed, live);
	int p = obj_new(h, N_P), q = obj_new(h, N_Q);
	set_ref(h, p, q);
	set_ref(h, q, p);
	decref(h, q);
	r->p = p;
	demo_print(d, "   p = Node(); q = Node(); p.other = q; q.other = p; del q   "
		   "p %ld (the variable and q), q %ld\n\n", h->o[p].refcnt, h->o[q].refcnt);
	demo_json_int(d, "cycle.refcnt_after_del.x", h->o[x].refcnt);
	demo_json_int(d, "cycle.refcnt_after_del.y", h->o[y].refcnt);
	demo_json_int(d, "cycle.freed_by_del", freed);
	demo_json_int(d, "cycle.alive_after_del", live);
	return 0;
}

/* Part 3: gc.collect() on that heap, step by step. */
static int step_collect(struct run *r)
{
	struct demo *d = r->d;
	struct heap *h = &r->h;
	struct trace_row rows[8];
	h->trace = rows;
	h->trace_cap = 8;
	long freed = gc_collect(h);
	h->trace = NULL;
	demo_print(d, "3. gc.collect(), as CPython does it: copy each count into gc_refs, subtract the\n"
		   "   references that come from inside the set; gc_refs > 0 means referenced from\n"
		   "   outside; that and all it reaches survive, the rest is cleared and freed.\n"
		   "   %-8s %8s %18s %10s  %s\n", "object", "refcnt", "refs from inside",
		   "gc_refs", "verdict");
	struct demo_buf js = {0};
	demo_buf_puts(&js, "[");
	long kept = 0;
	for (int k = 0; k < h->ntrace; k++) {
		const struct trace_row *t = &rows[k];
		kept += t->reachable;
		demo_print(d, "   %-8s %8ld %18ld %10ld  %s\n", t->name, t->refcnt,
			   t->refcnt - t->gc_refs, t->gc_refs,
			   t->reachable ? (t->gc_refs > 0 ? "referenced from outside: kept"
				       : "reached from a kept object: kept")
			   : "unreachable: freed");
		demo_buf_printf(&js, "%s{\"name\": \"%s\", \"refcnt\": %ld, \"gc_refs\": %ld, "
				"\"reachable\": %s}", k ? ", " : "", t->name, t->refcnt,
				t->gc_refs, t->reachable ? "true" : "false");
	}
	demo_buf_puts(&js, "]");
	demo_json_raw(d, "collect.rows", js.s);
	demo_buf_release(&js);
	long cycle_alive = 0;
	for (size_t i = NHEADS; i < h->n; i++)
		cycle_alive += h->o[i].list != FREE_SLOT &&
			(h->o[i].name == N_X || h->o[i].name == N_Y);
	demo_print(d, "   freed by the collector: %ld; x and y still alive: %ld; p and q kept: %ld\n\n",
		   freed, cycle_alive, kept);
	demo_json_int(d, "collect.freed", freed);
	demo_json_int(d, "collect.cycle_alive_after", cycle_alive);
	demo_json_int(d, "collect.kept", kept);
	demo_json_int(d, "collect.examined", h->st.examined[NGEN - 1]);
	heap_release(h);
	return 0;
}

/*
 * data = [[] for _ in range(n)] on a fresh heap, the collector on or off.
 * Returns 0, or 1 when stopped.  Records the full collections when enabled.
 */
static int build(struct run *r, bool enabled, struct heap *h, double *seconds)
{
	heap_init(h, r->threshold);
	h->enabled = enabled;
	double t0 = demo_now();
	int data = obj_new(h, N_DATA);
	h->o[data].refs = xmalloc((size_t)r->objects * sizeof *h->o[data].refs);
	h->o[data].cap = (int)r->objects;
	struct gc_stats prev = h->st;
	for (long i = 0; i < r->objects; i++) {
		int e = obj_new(h, NULL);
		set_ref(h, data, e);
		decref(h, e);           /* the temporary: only the list holds it now */
		if (h->st.collections[NGEN - 1] != prev.collections[NGEN - 1]) {
			if (enabled && r->nfull < MAX_FULL)
				r->full[r->nfull++] = (struct full_event){
					.heap = h->st.examined[NGEN - 1] - prev.examined[NGEN - 1],
					.ms = (h->st.pause_s[NGEN - 1] - prev.pause_s[NGEN - 1]) * 1e3};
			prev = h->st;
		}
		if ((i & 0xffff) == 0) {
			if (demo_stopping())
				return 1;
			demo_progress(r->d, "   building with the collector %s: %ld of %ld ...",
				      enabled ? "on" : "off", i, r->objects);
		}
	}
	*seconds = demo_now() - t0;
	return 0;
}

/* The pauses on the built heap: a full collection and a young one. */
static void pauses(struct run *r, struct heap *h)
{
	struct gc_stats before = h->st;
	gc_collect(h);
	r->full_ms = (h->st.pause_s[2] - before.pause_s[2]) * 1e3;
	r->full_examined = h->st.examined[2] - before.examined[2];
	int data = NHEADS;              /* the first object made */
	h->enabled = false;
	for (long i = 0; i < h->threshold[0]; i++) {
		int e = obj_new(h, NULL);
		set_ref(h, data, e);
		decref(h, e);
	}
	before = h->st;
	collect(h, 0);
	r->young_ms = (h->st.pause_s[0] - before.pause_s[0]) * 1e3;
	r->young_examined = h->st.examined[0] - before.examined[0];
}

static int step_build(struct run *r)
{
	struct demo *d = r->d;
	struct heap h;
	char c1[32];
	demo_print(d, "4. Generations: data = [[] for _ in range(%s)] with the collector on, thresholds "
		   "(%ld, 10, 10) as gc.get_threshold() gives; then with gc.disable().\n",
		   demo_commas(r->objects, c1, sizeof c1), r->threshold);
	int stopped = build(r, true, &h, &r->build_s);
	r->build = h.st;
	if (!stopped)
		pauses(r, &h);
	heap_release(&h);
	if (stopped)
		return 1;
	stopped = build(r, false, &h, &r->build_nogc_s);
	if (!stopped && h.st.collections[0] + h.st.collections[1] + h.st.collections[2])
		demo_print(d, "   the disabled collector ran: a bug\n");
	heap_release(&h);
	return stopped;
}

static int step_build_table(struct run *r)
{
	struct demo *d = r->d;
	const struct gc_stats *s = &r->build;
	char c1[32], c2[32], path[64];
	demo_print(d, "   %-12s %12s %18s %12s %14s\n", "generation", "collections",
		   "objects examined", "total ms", "longest ms");
	double total = 0;
	for (int g = 0; g < NGEN; g++) {
		total += s->pause_s[g];
		demo_print(d, "   %-12d %12ld %18s %12.2f %14.3f\n", g, s->collections[g],
			   demo_commas(s->examined[g], c1, sizeof c1), s->pause_s[g] * 1e3,
			   s->max_pause_s[g] * 1e3);
		snprintf(path, sizeof path, "build.collections.gen%d", g);
		demo_json_int(d, path, s->collections[g]);
		snprintf(path, sizeof path, "build.examined.gen%d", g);
		demo_json_int(d, path, s->examined[g]);
		snprintf(path, sizeof path, "build.pause_ms.gen%d", g);
		demo_json_num(d, path, s->pause_s[g] * 1e3);
		snprintf(path, sizeof path, "build.max_pause_ms.gen%d", g);
		demo_json_num(d, path, s->max_pause_s[g] * 1e3);
	}
	demo_json_int(d, "build.freed_by_gc", s->freed_by_gc);
	demo_json_num(d, "build.time_s.gc", r->build_s);
	demo_json_num(d, "build.time_s.no_gc", r->build_nogc_s);
	demo_json_num(d, "build.gc_ms", total * 1e3);
	demo_print(d, "   building took %.1f ms with the collector, %.1f ms without; %.1f ms of it in "
		   "%ld collections that freed %ld objects (nothing here is garbage).\n",
		   r->build_s * 1e3, r->build_nogc_s * 1e3, total * 1e3,
		   s->collections[0] + s->collections[1] + s->collections[2], s->freed_by_gc);
	struct demo_buf js = {0};
	demo_buf_puts(&js, "[");
	demo_print(d, "   the full collections during the build, as the heap grew:");
	for (int i = 0; i < r->nfull; i++) {
		demo_print(d, "%s %s objects %.2f ms", i ? "," : "",
			   demo_commas(r->full[i].heap, c1, sizeof c1), r->full[i].ms);
		demo_buf_printf(&js, "%s{\"objects\": %ld, \"ms\": %.4f}", i ? ", " : "",
				r->full[i].heap, r->full[i].ms);
	}
	demo_print(d, "%s\n", r->nfull ? "" : " none");
	demo_buf_puts(&js, "]");
	demo_json_raw(d, "build.full_collections", js.s);
	demo_buf_release(&js);
	demo_print(d, "   the pause on the built heap: gc.collect() examined %s objects in %.2f ms; "
		   "a young collection (%s objects) took %.3f ms.\n\n",
		   demo_commas(r->full_examined, c1, sizeof c1), r->full_ms,
		   demo_commas(r->young_examined, c2, sizeof c2), r->young_ms);
	demo_json_int(d, "pause.full_objects", r->full_examined);
	demo_json_num(d, "pause.full_ms", r->full_ms);
	demo_json_int(d, "pause.young_objects", r->young_examined);
	demo_json_num(d, "pause.young_ms", r->young_ms);
	return 0;
}

static int step_summary(struct run *r)
{
	const struct gc_stats *s = &r->build;
	char c1[32], c2[32];
	demo_print(r->d, "In Python terms: del frees an object when it drops the last reference; a "
		   "cycle survives del until the collector finds that no reference from outside the "
		   "set reaches it. The collector ran %ld times while building %s containers, mostly "
		   "on the young generation; a full collection walks every container (%.2f ms for "
		   "%s here), which is why gc.freeze() and gc.disable() exist for large heaps.\n",
		   s->collections[0] + s->collections[1] + s->collections[2],
		   demo_commas(r->objects, c1, sizeof c1), r->full_ms,
		   demo_commas(r->full_examined, c2, sizeof c2));
	return 0;
}

int main(int argc, char **argv)
{
	long objects = 1000000, threshold = 700;
	struct demo_param params[] = {
		DEMO_INT("objects", &objects, 1000, 5000000,
			 "containers built in part 4: data = [[] for _ in range(objects)]"),
		DEMO_INT("threshold", &threshold, 1, 100000,
			 "threshold 0, as gc.set_threshold() (700 in 3.11 and 3.12, 2000 in 3.13)"),
		DEMO_PARAMS_END
	};
	struct demo d;
	demo_init(&d, "refcount-gc",
		  "Reference counting frees at zero, a cycle survives del, and CPython's cycle "
		  "collector (gc_refs, generations, thresholds) finds it; the pause on a large heap.",
		  params, argc, argv);
	static int (*const steps[])(struct run *) = {
		step_refcount, step_cycle, step_collect, step_build, step_build_table,
		step_summary,
	};
	struct run *r = xcalloc(1, sizeof *r);
	r->d = &d;
	r->objects = objects;
	r->threshold = threshold;
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
		if (steps[i](r))
			break;
	free(r);
	return demo_finish(&d);
}
