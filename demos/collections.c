/*
 * collections: what the collections module's types do, built in C the way
 * CPython builds them, and measured.
 *
 *   deque        a doubly linked list of 64-slot blocks (CPython's BLOCKLEN)
 *                against a list (a dynamic array with CPython's growth rule):
 *                push and pop at the front, cost against N;
 *   Counter      word counts in an insertion-ordered hash table, and
 *                most_common(k) with a heap of k, as heapq.nlargest does
 *                (ties keep first-seen order);
 *   defaultdict  grouping words by first letter, the factory called once
 *                per new key, and the trap: reading a missing key inserts it;
 *   ChainMap     lookups through a list of maps, probes counted, writes
 *                landing in the first map, the classic example;
 *   LRU cache    an ordered dict's move_to_end and popitem(last=False) over
 *                the same word stream, hits and misses counted.
 * The words come from a small generator that a Python program can repeat
 * exactly (the tests do, and compare every result with CPython's).
 *
 * It does not model Python objects: keys are interned C strings with their
 * hash cached, as CPython's str objects cache theirs.
 */
#include "demolib.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the words ---- */

#define VOCAB 2000

static const char *const syllables[16] = {
	"ka", "lo", "mi", "nu", "pe", "ra", "si", "to",
	"va", "ze", "bo", "da", "fi", "gu", "ho", "ju",
};

struct word {
	char s[16];
	uint64_t hash;                  /* cached, as a str object caches it */
};

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

/* word(r): the base-16 digits of r + 1, one syllable each. */
static void make_vocab(struct word *v)
{
	for (int r = 0; r < VOCAB; r++) {
		char digits[8];
		int n = 0;
		for (int x = r + 1; x; x /= 16)
			digits[n++] = (char)(x % 16);
		v[r].s[0] = '\0';
		while (n--)
			strcat(v[r].s, syllables[(int)digits[n]]);
		v[r].hash = str_hash(v[r].s);
	}
}

/* A skewed stream of ranks: rank = VOCAB * u^3 with u from a 31-bit LCG. */
static uint16_t *make_stream(long n, long seed)
{
	uint16_t *out = xcalloc((size_t)n, sizeof *out);
	uint64_t x = (uint64_t)seed & 0x7fffffff;
	for (long i = 0; i < n; i++) {
		x = (x * 1103515245u + 12345u) & 0x7fffffff;
		uint64_t a = x >> 15;
		out[i] = (uint16_t)((a * a * a * VOCAB) >> 48);
	}
	return out;
}

/* ---- an insertion-ordered hash table (dict; OrderedDict's links) ---- */

enum { EMPTY, USED, DELETED };

struct slot {
	const char *key;                /* borrowed, interned */
	uint64_t hash;
	intptr_t value;
	long prev, next;                /* insertion order; -1 at the ends */
	int state;
};

struct table {
	struct slot *slots;
	size_t cap, used, filled;       /* filled counts DELETED slots too */
	long first, last;
};

static void table_init(struct table *t)
{
	memset(t, 0, sizeof *t);
	t->cap = 8;
	t->slots = xcalloc(t->cap, sizeof *t->slots);
	t->first = t->last = -1;
}

static void table_release(struct table *t)
{
	free(t->slots);
	t->slots = NULL;
}

/* The slot holding key, or -1.  Keys are interned: compare pointers first. */
static long table_find(const struct table *t, const char *key, uint64_t h)
{
	size_t mask = t->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		const struct slot *s = &t->slots[i];
		if (s->state == EMPTY)
			return -1;
		if (s->state == USED && s->hash == h &&
		    (s->key == key || strcmp(s->key, key) == 0))
			return (long)i;
	}
}

static void link_last(struct table *t, long i)
{
	t->slots[i].prev = t->last;
	t->slots[i].next = -1;
	if (t->last >= 0)
		t->slots[t->last].next = i;
	else
		t->first = i;
	t->last = i;
}

static void unlink_slot(struct table *t, long i)
{
	struct slot *s = &t->slots[i];
	if (s->prev >= 0)
		t->slots[s->prev].next = s->next;
	else
		t->first = s->next;
	if (s->next >= 0)
		t->slots[s->next].prev = s->prev;
	else
		t->last = s->prev;
}

static long place(struct table *t, const char *key, uint64_t h, intptr_t value)
{
	size_t mask = t->cap - 1, i = h & mask;
	while (t->slots[i].state == USED)
		i = (i + 1) & mask;
	if (t->slots[i].state == EMPTY)
		t->filled++;
	t->slots[i] = (struct slot){key, h, value, -1, -1, USED};
	t->used++;
	link_last(t, (long)i);
	return (long)i;
}

/* Grows (or cleans out deleted slots), keeping the order. */
static void table_resize(struct table *t)
{
	struct table old = *t;
	size_t cap = 8;
	while (cap < old.used * 4)
		cap *= 2;
	t->cap = cap;
	t->slots = xcalloc(cap, sizeof *t->slots);
	t->used = t->filled = 0;
	t->first = t->last = -1;
	for (long i = old.first; i >= 0; i = old.slots[i].next)
		place(t, old.slots[i].key, old.slots[i].hash, old.slots[i].value);
	free(old.slots);
}

/* d[key] = value for a new key (the caller checked); returns its slot. */
static long table_insert(struct table *t, const char *key, uint64_t h, intptr_t value)
{
	if ((t->filled + 1) * 3 >= t->cap * 2)
		table_resize(t);
	return place(t, key, h, value);
}

/* OrderedDict.move_to_end(key) */
static void table_move_to_end(struct table *t, long i)
{
	if (t->last == i)
		return;
	unlink_slot(t, i);
	link_last(t, i);
}

/* OrderedDict.popitem(last=False) */
static void table_pop_first(struct table *t)
{
	long i = t->first;
	if (i < 0)
		return;
	unlink_slot(t, i);
	t->slots[i].state = DELETED;
	t->used--;
}

/* ---- deque: CPython's blocks of 64 ---- */

#define BLOCKLEN 64

struct block {
	struct block *left, *right;
	long data[BLOCKLEN];
};

struct deque {
	struct block *leftblock, *rightblock;
	int leftindex, rightindex;      /* inclusive, as in CPython */
	long size;
	long blocks;                    /* blocks allocated now */
};

static struct block *new_block(struct deque *d)
{
	d->blocks++;
	return xcalloc(1, sizeof(struct block));
}

static void deque_init(struct deque *d)
{
	memset(d, 0, sizeof *d);
	d->leftblock = d->rightblock = new_block(d);
	/* an empty deque starts centred, so both ends have room */
	d->leftindex = (BLOCKLEN - 1) / 2 + 1;
	d->rightindex = (BLOCKLEN - 1) / 2;
}

static void deque_append(struct deque *d, long x)
{
	if (d->rightindex == BLOCKLEN - 1) {
		struct block *b = new_block(d);
		b->left = d->rightblock;
		d->rightblock->right = b;
		d->rightblock = b;
		d->rightindex = -1;
	}
	d->rightblock->data[++d->rightindex] = x;
	d->size++;
}

__attribute__((noinline))
static void deque_appendleft(struct deque *d, long x)
{
	if (d->leftindex == 0) {
		struct block *b = new_block(d);
		b->right = d->leftblock;
		d->leftblock->left = b;
		d->leftblock = b;
		d->leftindex = BLOCKLEN;
	}
	d->leftblock->data[--d->leftindex] = x;
	d->size++;
}

__attribute__((noinline))
static long deque_popleft(struct deque *d)
{
	long x = d->leftblock->data[d->leftindex++];
	d->size--;
	if (d->leftindex == BLOCKLEN) {
		if (d->size == 0) {
			d->leftindex = (BLOCKLEN - 1) / 2 + 1;
			d->rightindex = (BLOCKLEN - 1) / 2;
		} else {
			struct block *b = d->leftblock->right;
			free(d->leftblock);
			d->blocks--;
			b->left = NULL;
			d->leftblock = b;
			d->leftindex = 0;
		}
	}
	return x;
}

/* Whether the deque holds exactly v[0..n-1], walking its blocks once. */
static bool deque_equals(const struct deque *d, const long *v, long n)
{
	if (d->size != n)
		return false;
	const struct block *b = d->leftblock;
	int k = d->leftindex;
	for (long i = 0; i < n; i++) {
		if (k == BLOCKLEN) {
			b = b->right;
			k = 0;
		}
		if (b->data[k++] != v[i])
			return false;
	}
	return true;
}

static void deque_release(struct deque *d)
{
	for (struct block *b = d->leftblock, *n; b; b = n) {
		n = b->right;
		free(b);
	}
}

/* ---- list: a dynamic array with CPython's over-allocation ---- */

struct list {
	long *items;
	long size, allocated;
};

static void list_resize(struct list *l, long newsize)
{
	if (l->allocated >= newsize && newsize >= (l->allocated >> 1)) {
		l->size = newsize;
		return;
	}
	/* Objects/listobject.c: size + size / 8 + 6, rounded down to 4 */
	long alloc = (newsize + (newsize >> 3) + 6) & ~(long)3;
	if (newsize == 0)
		alloc = 0;
	l->items = xrealloc(l->items, (size_t)alloc * sizeof *l->items);
	l->allocated = alloc;
	l->size = newsize;
}

static void list_append(struct list *l, long x)
{
	list_resize(l, l->size + 1);
	l->items[l->size - 1] = x;
}

/* list.insert(0, x): every item moves up one. */
__attribute__((noinline))
static void list_insert0(struct list *l, long x)
{
	list_resize(l, l->size + 1);
	memmove(l->items + 1, l->items, (size_t)(l->size - 1) * sizeof *l->items);
	l->items[0] = x;
}

/* list.pop(0): every item moves down one. */
__attribute__((noinline))
static long list_pop0(struct list *l)
{
	long x = l->items[0];
	memmove(l->items, l->items + 1, (size_t)(l->size - 1) * sizeof *l->items);
	list_resize(l, l->size - 1);
	return x;
}

/* ---- front operations, timed ---- */

struct front {
	long n;
	double ns_deque, ns_list;       /* per operation (a push or a pop) */
	long ops_deque, ops_list;       /* operations timed */
	bool same;                      /* both hold the same items after */
};

#define MIN_TIME_S 0.01

static int measure_front(long n, long ops, struct front *f)
{
	struct deque dq;
	struct list ls = {0};
	deque_init(&dq);
	for (long i = 0; i < n; i++) {
		deque_append(&dq, i);
		list_append(&ls, i);
	}
	f->n = n;
	long bad = 0, pairs;
	/* the deque: batches of ops push+pop pairs until 10 ms have passed */
	double t0 = demo_now(), t;
	pairs = 0;
	do {
		for (long k = 0; k < ops; k++) {
			deque_appendleft(&dq, -k);
			bad += deque_popleft(&dq) != -k;
		}
		pairs += ops;
		t = demo_now();
	} while (t - t0 < MIN_TIME_S && !demo_stopping());
	f->ops_deque = 2 * pairs;
	f->ns_deque = (t - t0) * 1e9 / (double)f->ops_deque;
	/* the list: every operation moves n items, so fewer of them */
	long lops = ops;
	if (lops > 100000000 / n)
		lops = 100000000 / n;
	if (lops < 10)
		lops = 10;
	t0 = demo_now();
	pairs = 0;
	do {
		for (long k = 0; k < lops; k++) {
			list_insert0(&ls, -k);
			bad += list_pop0(&ls) != -k;
		}
		pairs += lops;
		t = demo_now();
	} while (t - t0 < MIN_TIME_S && !demo_stopping());
	f->ops_list = 2 * pairs;
	f->ns_list = (t - t0) * 1e9 / (double)f->ops_list;
	f->same = deque_equals(&dq, ls.items, ls.size);
	/* and every pop returned what the push before it pushed */
	f->same = f->same && bad == 0;
	deque_release(&dq);
	free(ls.items);
	return demo_stopping() ? -1 : 0;
}

/* ---- Counter ---- */

struct top {
	long slot;
	intptr_t count;
	long order;                     /* first-seen position */
};

/* a before b in most_common: more counts, or as many and seen earlier */
static bool top_before(const struct top *a, const struct top *b)
{
	return a->count > b->count || (a->count == b->count && a->order < b->order);
}

/* heapq.nlargest(k, counts.items()): a min-heap of the k best so far. */
static long most_common(const struct table *t, long k, struct top *out)
{
	long n = 0, order = 0;
	for (long i = t->first; i >= 0; i = t->slots[i].next, order++) {
		struct top c = {i, t->slots[i].value, order};
		if (n < k) {
			long j = n++;
			out[j] = c;
			while (j > 0 && top_before(&out[(j - 1) / 2], &out[j])) {
				struct top tmp = out[j];
				out[j] = out[(j - 1) / 2];
				out[(j - 1) / 2] = tmp;
				j = (j - 1) / 2;
			}
		} else if (top_before(&c, &out[0])) {
			out[0] = c;
			for (long j = 0;;) {
				long l = 2 * j + 1, r = l + 1, w = j;
				if (l < n && top_before(&out[w], &out[l]))
					w = l;
				if (r < n && top_before(&out[w], &out[r]))
					w = r;
				if (w == j)
					break;
				struct top tmp = out[j];
				out[j] = out[w];
				out[w] = tmp;
				j = w;
			}
		}
	}
	/* the heap's root is the worst: sort best first */
	for (long a = 1; a < n; a++) {
		struct top c = out[a];
		long b = a;
		while (b > 0 && top_before(&c, &out[b - 1])) {
			out[b] = out[b - 1];
			b--;
		}
		out[b] = c;
	}
	return n;
}

/* ---- ChainMap ---- */

struct chainmap {
	struct table *maps;
	int n;
	long probes;                    /* maps consulted, all lookups */
};

/* cm[key]: the first map that has it wins.  Returns the slot's value or -1. */
__attribute__((noinline))
static intptr_t chainmap_get(struct chainmap *cm, const char *key, uint64_t h)
{
	for (int m = 0; m < cm->n; m++) {
		cm->probes++;
		long i = table_find(&cm->maps[m], key, h);
		if (i >= 0)
			return cm->maps[m].slots[i].value;
	}
	return -1;
}

/* cm[key] = value: always into maps[0]. */
static void chainmap_set(struct chainmap *cm, const char *key, intptr_t value)
{
	uint64_t h = str_hash(key);
	long i = table_find(&cm->maps[0], key, h);
	if (i >= 0)
		cm->maps[0].slots[i].value = value;
	else
		table_insert(&cm->maps[0], key, h, value);
}

__attribute__((noinline))
static intptr_t dict_get(const struct table *t, const char *key, uint64_t h)
{
	long i = table_find(t, key, h);
	return i >= 0 ? t->slots[i].value : -1;
}

/* ---- output helpers ---- */

static int bar_len(double ns)
{
	/* one # per doubling above a quarter of a nanosecond */
	int n = ns > 0.25 ? (int)lround(log2(ns / 0.25)) : 1;
	return n < 1 ? 1 : n > 40 ? 40 : n;
}

static const char *const bars = "########################################";

/* The run: parameters, the word stream, and the figures the summary quotes. */
struct coll {
	struct demo *d;
	long max_n, ops, words, seed, topk, cache, layers;
	struct word *vocab;
	uint16_t *stream;
	struct front fr[8];
	int nsizes;
	double chain_ns[4];             /* first, last, missing, merged */
	long lru_hits;
};

/* ---- 1. deque against list ---- */

/* Times the sizes from 100 up, times 10, to max_n; false when it failed. */
static bool time_front(struct coll *c)
{
	long sizes[8];
	int nsizes = 0;
	for (long n = 100; n <= c->max_n && nsizes < 7; n *= 10)
		sizes[nsizes++] = n;
	if (nsizes == 0 || sizes[nsizes - 1] != c->max_n)
		sizes[nsizes++] = c->max_n;
	demo_print(c->d, "1. Push and pop at the front: deque.appendleft/popleft against "
		   "list.insert(0, x)/pop(0),\n   at N = %ld .. %ld items (a deque is "
		   "blocks of %d slots; a list one array).\n", sizes[0], c->max_n, BLOCKLEN);
	for (int i = 0; i < nsizes; i++) {
		demo_progress(c->d, "   N = %ld ...", sizes[i]);
		if (measure_front(sizes[i], c->ops, &c->fr[i]) < 0)
			return false;
	}
	c->nsizes = nsizes;
	return true;
}

static void report_front(struct coll *c)
{
	struct demo *d = c->d;
	const struct front *fr = c->fr;
	demo_print(d, "\n   %9s %14s %14s %12s %8s\n", "N", "deque ns/op", "list ns/op",
		   "list/deque", "same");
	bool all_same = true;
	for (int s = 0; s < c->nsizes; s++) {
		char path[64];
		demo_print(d, "   %9ld %14.1f %14.1f %11.1fx %8s\n", fr[s].n,
			   fr[s].ns_deque, fr[s].ns_list, fr[s].ns_list / fr[s].ns_deque,
			   fr[s].same ? "yes" : "NO");
		snprintf(path, sizeof path, "front_ns.deque.%ld", fr[s].n);
		demo_json_num(d, path, fr[s].ns_deque);
		snprintf(path, sizeof path, "front_ns.list.%ld", fr[s].n);
		demo_json_num(d, path, fr[s].ns_list);
		snprintf(path, sizeof path, "front_ops.deque.%ld", fr[s].n);
		demo_json_int(d, path, fr[s].ops_deque);
		snprintf(path, sizeof path, "front_ops.list.%ld", fr[s].n);
		demo_json_int(d, path, fr[s].ops_list);
		all_same = all_same && fr[s].same;
	}
	const struct front *lo = &fr[0], *hi = &fr[c->nsizes - 1];
	demo_json_bool(d, "front_same_contents", all_same);
	demo_json_num(d, "growth.deque", hi->ns_deque / lo->ns_deque);
	demo_json_num(d, "growth.list", hi->ns_list / lo->ns_list);
	demo_json_num(d, "front_ratio_at_max", hi->ns_list / hi->ns_deque);
	demo_print(d, "\n   cost per operation against N (log scale: one # per doubling)\n");
	for (int s = 0; s < c->nsizes; s++) {
		int a = bar_len(fr[s].ns_deque), b = bar_len(fr[s].ns_list);
		demo_print(d, "   %9ld deque |%.*s %.1f ns\n", fr[s].n, a, bars, fr[s].ns_deque);
		demo_print(d, "   %9s list  |%.*s %.1f ns\n", "", b, bars, fr[s].ns_list);
	}
	demo_print(d, "   From N = %ld to %ld the list's cost grew %.0fx, the deque's %.1fx.\n",
		   lo->n, hi->n, hi->ns_list / lo->ns_list, hi->ns_deque / lo->ns_deque);
}

/* ---- 2. Counter ---- */

static void step_counter(struct coll *c)
{
	struct demo *d = c->d;
	demo_print(d, "\n2. Counter(words).most_common(%ld) over %ld words (%d-word vocabulary, skewed, seed %ld)\n",
		   c->topk, c->words, VOCAB, c->seed);
	struct table counts;
	table_init(&counts);
	double t0 = demo_now();
	for (long i = 0; i < c->words; i++) {
		const struct word *w = &c->vocab[c->stream[i]];
		long s = table_find(&counts, w->s, w->hash);
		if (s >= 0)
			counts.slots[s].value++;
		else
			table_insert(&counts, w->s, w->hash, 1);
	}
	double t_count = demo_now() - t0;
	struct top best[50];
	t0 = demo_now();
	long nbest = most_common(&counts, c->topk, best);
	double t_top = demo_now() - t0;
	struct demo_buf js = {0};
	demo_print(d, "   %-10s %8s\n", "word", "count");
	demo_buf_printf(&js, "[");
	for (long i = 0; i < nbest; i++) {
		const struct slot *s = &counts.slots[best[i].slot];
		demo_print(d, "   %-10s %8ld\n", s->key, (long)s->value);
		demo_buf_printf(&js, "%s[\"%s\", %ld]", i ? ", " : "", s->key, (long)s->value);
	}
	demo_buf_printf(&js, "]");
	demo_json_raw(d, "counter.most_common", js.s);
	demo_buf_release(&js);
	demo_json_int(d, "counter.distinct", (long long)counts.used);
	demo_json_num(d, "counter.ns_per_word", t_count * 1e9 / (double)c->words);
	demo_json_num(d, "counter.most_common_us", t_top * 1e6);
	demo_print(d, "   %zu distinct words; counting took %.1f ns a word, most_common(%ld) "
		   "%.1f us (a heap of %ld over %zu counts)\n",
		   counts.used, t_count * 1e9 / (double)c->words, c->topk, t_top * 1e6,
		   c->topk, counts.used);
	table_release(&counts);
}

/* ---- 3. defaultdict(list) ---- */

struct glist {
	const char **items;
	long n, cap;
};

struct grouping {
	struct table groups;
	struct glist *lists;            /* by first letter */
	long factory_calls, keys_before, keys_after;
	double seconds;
};

/* groups[word[0]].append(word) for every word, then the read of groups['k']. */
static void group_words(struct coll *c, struct grouping *g)
{
	static char letters[256][2];
	table_init(&g->groups);
	g->lists = xcalloc(256, sizeof *g->lists);
	double t0 = demo_now();
	for (long i = 0; i < c->words; i++) {
		const struct word *w = &c->vocab[c->stream[i]];
		unsigned char ch = (unsigned char)w->s[0];
		letters[ch][0] = (char)ch;
		uint64_t h = (uint64_t)ch * 0x9e3779b97f4a7c15ull;
		long s = table_find(&g->groups, letters[ch], h);
		if (s < 0) {
			g->factory_calls++;     /* list() for the missing key */
			s = table_insert(&g->groups, letters[ch], h, ch);
		}
		struct glist *l = &g->lists[g->groups.slots[s].value];
		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 16;
			l->items = xrealloc(l->items, (size_t)l->cap * sizeof *l->items);
		}
		l->items[l->n++] = w->s;
	}
	g->seconds = demo_now() - t0;
	g->keys_before = (long)g->groups.used;
	/* the trap: only reading groups['k'] (no word starts with k) inserts it */
	letters['k'][0] = 'k';
	uint64_t hk = (uint64_t)'k' * 0x9e3779b97f4a7c15ull;
	if (table_find(&g->groups, letters['k'], hk) < 0) {
		g->factory_calls++;
		table_insert(&g->groups, letters['k'], hk, 'k');
	}
	g->keys_after = (long)g->groups.used;
}

static void step_defaultdict(struct coll *c)
{
	struct demo *d = c->d;
	struct grouping g = {0};
	demo_print(d, "\n3. groups = defaultdict(list); groups[word[0]].append(word)\n");
	group_words(c, &g);
	struct demo_buf js = {0};
	demo_buf_printf(&js, "{");
	int col = 0;
	for (long i = g.groups.first; i >= 0; i = g.groups.slots[i].next) {
		const struct glist *l = &g.lists[g.groups.slots[i].value];
		demo_print(d, "%s%s: %ld", col % 8 ? "  " : col ? "\n   " : "   ",
			   g.groups.slots[i].key, l->n);
		col++;
		demo_buf_printf(&js, "%s\"%s\": %ld", js.len > 1 ? ", " : "",
				g.groups.slots[i].key, l->n);
	}
	demo_buf_printf(&js, "}");
	demo_json_raw(d, "defaultdict.groups", js.s);
	demo_buf_release(&js);
	demo_json_int(d, "defaultdict.factory_calls", g.factory_calls);
	demo_json_int(d, "defaultdict.keys_before_read", g.keys_before);
	demo_json_int(d, "defaultdict.keys_after_missing_read", g.keys_after);
	demo_json_num(d, "defaultdict.ns_per_word", g.seconds * 1e9 / (double)c->words);
	demo_print(d, "\n   the factory ran %ld times (once per new key); reading groups['k'] "
		   "took the key count from %ld to %ld: a read inserted an empty list\n",
		   g.factory_calls, g.keys_before, g.keys_after);
	for (int i = 0; i < 256; i++)
		free(g.lists[i].items);
	free(g.lists);
	table_release(&g.groups);
}

/* ---- 4. ChainMap ---- */

static char keynames[64 * 64][16];

/* Each map has its own 64 keys; every map also has 'user'. */
static void chainmap_fill(struct chainmap *cm, struct table *merged)
{
	for (int m = 0; m < cm->n; m++)
		table_init(&cm->maps[m]);
	for (int m = 0; m < cm->n; m++) {
		for (int k = 0; k < 64; k++) {
			char *kn = keynames[m * 64 + k];
			snprintf(kn, sizeof keynames[0], "m%dk%d", m, k);
			table_insert(&cm->maps[m], kn, str_hash(kn), m * 1000 + k);
		}
		table_insert(&cm->maps[m], "user", str_hash("user"), m);
	}
	table_init(merged);
	for (int m = cm->n - 1; m >= 0; m--) {
		for (long i = cm->maps[m].first; i >= 0; i = cm->maps[m].slots[i].next) {
			const struct slot *s = &cm->maps[m].slots[i];
			long j = table_find(merged, s->key, s->hash);
			if (j >= 0)
				merged->slots[j].value = s->value;
			else
				table_insert(merged, s->key, s->hash, s->value);
		}
	}
}

enum { LOOKUPS = 400000 };

/* Times a key in the first map, in the last, a missing one, and the merged dict. */
static void chainmap_time(struct coll *c, struct chainmap *cm,
			  const struct table *merged)
{
	const char *kfirst = keynames[5], *klast = keynames[(c->layers - 1) * 64 + 5];
	uint64_t hfirst = str_hash(kfirst), hlast = str_hash(klast);
	const char *kmiss = "nowhere";
	uint64_t hmiss = str_hash(kmiss);
	double *ns = c->chain_ns;
	long probes[4];
	for (int kk = 0; kk < 4; kk++) {
		const char *key = kk == 0 ? kfirst : kk == 2 ? kmiss : klast;
		uint64_t h = kk == 0 ? hfirst : kk == 2 ? hmiss : hlast;
		cm->probes = 0;
		double t0 = demo_now();
		for (long i = 0; i < LOOKUPS; i++) {
			intptr_t v = kk == 3 ? dict_get(merged, key, h)
					     : chainmap_get(cm, key, h);
			/* keep every lookup: its result is used, memory may change */
			__asm__ volatile("" : : "r"(v) : "memory");
		}
		ns[kk] = (demo_now() - t0) * 1e9 / LOOKUPS;
		probes[kk] = kk == 3 ? LOOKUPS : cm->probes;
	}
	static const char *const kind[4] = {"first", "last", "missing", "merged"};
	static const char *const what[4] = {"key in maps[0]", "key only in the last map",
					    "missing key (KeyError)", "same key, one merged dict"};
	demo_print(c->d, "   %-34s %10s %14s\n", "lookup", "ns", "maps probed");
	for (int kk = 0; kk < 4; kk++) {
		char path[64];
		demo_print(c->d, "   %-34s %10.1f %14.1f\n", what[kk], ns[kk],
			   (double)probes[kk] / LOOKUPS);
		snprintf(path, sizeof path, "chainmap.lookup_ns.%s", kind[kk]);
		demo_json_num(c->d, path, ns[kk]);
		snprintf(path, sizeof path, "chainmap.probes.%s", kind[kk]);
		demo_json_num(c->d, path, (double)probes[kk] / LOOKUPS);
	}
}

/* A write: settings['user'] = ... lands in maps[0] only. */
static void chainmap_write(struct coll *c, struct chainmap *cm, intptr_t user)
{
	long layers = c->layers;
	intptr_t before_last = dict_get(&cm->maps[layers - 1], "user", str_hash("user"));
	size_t sizes_before[64];
	for (int m = 0; m < layers; m++)
		sizes_before[m] = cm->maps[m].used;
	chainmap_set(cm, "color", 4242);
	chainmap_set(cm, "user", 777);
	int landed = -1;
	bool others_unchanged = true;
	for (int m = 0; m < layers; m++) {
		if (dict_get(&cm->maps[m], "color", str_hash("color")) == 4242 && landed < 0)
			landed = m;
		if (m > 0 && cm->maps[m].used != sizes_before[m])
			others_unchanged = false;
	}
	others_unchanged = others_unchanged &&
		dict_get(&cm->maps[layers - 1], "user", str_hash("user")) == before_last;
	demo_print(c->d, "   'user' found in maps[%ld] of %ld maps that have it; a write of "
		   "'color' landed in maps[%d]; the other maps %s\n",
		   (long)user, layers, landed, others_unchanged ? "are unchanged" : "CHANGED");
	demo_json_int(c->d, "chainmap.user_from", (long long)user);
	demo_json_int(c->d, "chainmap.write_landed_in", landed);
	demo_json_bool(c->d, "chainmap.others_unchanged", others_unchanged);
	demo_json_num(c->d, "chainmap.last_over_merged", c->chain_ns[1] / c->chain_ns[3]);
}

/* The classic example: list(ChainMap(adjustments, baseline)). */
static void chainmap_classic(struct demo *d)
{
	struct table base, adj, it;
	table_init(&base);
	table_init(&adj);
	table_init(&it);
	table_insert(&base, "music", str_hash("music"), (intptr_t)"bach");
	table_insert(&base, "art", str_hash("art"), (intptr_t)"rembrandt");
	table_insert(&adj, "art", str_hash("art"), (intptr_t)"van gogh");
	table_insert(&adj, "opera", str_hash("opera"), (intptr_t)"carmen");
	struct table seedmaps[2] = {adj, base};
	struct chainmap seed_cm = {seedmaps, 2, 0};
	/* iteration: a dict built from the last map to the first */
	for (int m = 1; m >= 0; m--)
		for (long i = seedmaps[m].first; i >= 0; i = seedmaps[m].slots[i].next)
			if (table_find(&it, seedmaps[m].slots[i].key,
				       seedmaps[m].slots[i].hash) < 0)
				table_insert(&it, seedmaps[m].slots[i].key,
					     seedmaps[m].slots[i].hash, 0);
	struct demo_buf js = {0};
	demo_buf_printf(&js, "[");
	demo_print(d, "   the classic example: list(ChainMap(adjustments, baseline)) == [");
	for (long i = it.first; i >= 0; i = it.slots[i].next) {
		demo_print(d, "%s'%s'", i == it.first ? "" : ", ", it.slots[i].key);
		demo_buf_printf(&js, "%s\"%s\"", js.len > 1 ? ", " : "", it.slots[i].key);
	}
	demo_buf_printf(&js, "]");
	const char *art = (const char *)chainmap_get(&seed_cm, "art", str_hash("art"));
	demo_print(d, "], and ['art'] is '%s'\n", art);
	demo_json_raw(d, "chainmap.seed_keys", js.s);
	demo_buf_release(&js);
	demo_json_str(d, "chainmap.seed_art", art);
	table_release(&it);
	table_release(&adj);
	table_release(&base);
}

static void step_chainmap(struct coll *c)
{
	demo_print(c->d, "\n4. ChainMap with %ld maps: maps[0] first (cli), maps[%ld] last (defaults)\n",
		   c->layers, c->layers - 1);
	struct chainmap cm = {xcalloc((size_t)c->layers, sizeof(struct table)),
			      (int)c->layers, 0};
	struct table merged;
	chainmap_fill(&cm, &merged);
	chainmap_time(c, &cm, &merged);
	intptr_t user = chainmap_get(&cm, "user", str_hash("user"));
	chainmap_write(c, &cm, user);
	for (int m = 0; m < c->layers; m++)
		table_release(&cm.maps[m]);
	free(cm.maps);
	table_release(&merged);
	chainmap_classic(c->d);
}

/* ---- 5. LRU cache ---- */

static void step_lru(struct coll *c)
{
	struct demo *d = c->d;
	demo_print(d, "\n5. An LRU cache of %ld entries on an ordered dict, over the same %ld words\n",
		   c->cache, c->words);
	struct table lru;
	table_init(&lru);
	long hits = 0, misses = 0, evictions = 0;
	double t0 = demo_now();
	for (long i = 0; i < c->words; i++) {
		const struct word *w = &c->vocab[c->stream[i]];
		long s = table_find(&lru, w->s, w->hash);
		if (s >= 0) {
			hits++;
			table_move_to_end(&lru, s);     /* now the most recently used */
		} else {
			misses++;
			table_insert(&lru, w->s, w->hash, (intptr_t)strlen(w->s));
			if ((long)lru.used > c->cache) {
				table_pop_first(&lru);  /* evict the least recently used */
				evictions++;
			}
		}
	}
	double t_lru = demo_now() - t0;
	struct demo_buf js = {0};
	demo_buf_printf(&js, "[");
	long skip = (long)lru.used - 5;
	long k = 0;
	for (long i = lru.first; i >= 0; i = lru.slots[i].next, k++)
		if (k >= skip)
			demo_buf_printf(&js, "%s\"%s\"", js.len > 1 ? ", " : "", lru.slots[i].key);
	demo_buf_printf(&js, "]");
	double words = (double)c->words;
	demo_json_int(d, "lru.hits", hits);
	demo_json_int(d, "lru.misses", misses);
	demo_json_int(d, "lru.evictions", evictions);
	demo_json_int(d, "lru.size", (long long)lru.used);
	demo_json_raw(d, "lru.most_recent", js.s);
	demo_json_num(d, "lru.hit_rate", (double)hits / words);
	demo_json_num(d, "lru.ns_per_access", t_lru * 1e9 / words);
	demo_print(d, "   %ld hits, %ld misses (%.1f%% hit rate), %ld evictions, %.1f ns an access; "
		   "most recent last: %s\n", hits, misses, 100.0 * (double)hits / words,
		   evictions, t_lru * 1e9 / words, js.s);
	demo_buf_release(&js);
	table_release(&lru);
	c->lru_hits = hits;
}

static void summary(struct coll *c)
{
	const struct front *lo = &c->fr[0], *hi = &c->fr[c->nsizes - 1];
	demo_print(c->d, "\nIn Python terms: list.insert(0, x) and list.pop(0) move every item "
		   "(%.0f ns at N = %ld, %.0fx what they cost at N = %ld), while deque's "
		   "appendleft/popleft touch one block (%.1f ns, flat): use a deque for a queue. "
		   "Counter.most_common(k) keeps a heap of k; a defaultdict read of a missing key "
		   "inserts it; a ChainMap lookup falls through the maps (%.1fx a merged dict's "
		   "for a key in the last of %ld) and writes go to the first; an OrderedDict's "
		   "move_to_end makes an LRU cache in a few lines (%.0f%% hits here).\n",
		   hi->ns_list, hi->n, hi->ns_list / lo->ns_list, lo->n, hi->ns_deque,
		   c->chain_ns[1] / c->chain_ns[3], c->layers,
		   100.0 * (double)c->lru_hits / (double)c->words);
}

static void run(struct coll *c)
{
	if (!time_front(c))
		return;
	report_front(c);
	if (demo_stopping())
		return;
	step_counter(c);
	if (demo_stopping())
		return;
	step_defaultdict(c);
	if (demo_stopping())
		return;
	step_chainmap(c);
	if (demo_stopping())
		return;
	step_lru(c);
	summary(c);
}

int main(int argc, char **argv)
{
	long max_n = 100000, ops = 2000, words = 200000, seed = 1, topk = 5;
	long cache = 100, layers = 3;
	struct demo_param params[] = {
		DEMO_INT("max-n", &max_n, 100, 1000000,
			 "largest size for the front push/pop test (from 100, times 10)"),
		DEMO_INT("ops", &ops, 10, 100000,
			 "front push+pop pairs per timed batch"),
		DEMO_INT("words", &words, 1, 1000000,
			 "words in the stream counted, grouped and cached"),
		DEMO_INT("seed", &seed, 0, 2147483647, "seed of the word stream"),
		DEMO_INT("top", &topk, 1, 50, "k of Counter.most_common(k)"),
		DEMO_INT("cache", &cache, 1, 10000, "capacity of the LRU cache"),
		DEMO_INT("layers", &layers, 2, 64, "maps in the ChainMap"),
		DEMO_PARAMS_END
	};
	struct demo d;
	demo_init(&d, "collections",
		  "deque against list at the front, Counter.most_common, defaultdict "
		  "grouping, ChainMap lookups and writes, an LRU cache on move_to_end.",
		  params, argc, argv);

	struct coll c = {
		.d = &d, .max_n = max_n, .ops = ops, .words = words, .seed = seed,
		.topk = topk, .cache = cache, .layers = layers,
	};
	c.vocab = xcalloc(VOCAB, sizeof *c.vocab);
	make_vocab(c.vocab);
	c.stream = make_stream(words, seed);
	run(&c);
	free(c.stream);
	free(c.vocab);
	return demo_finish(&d);
}
