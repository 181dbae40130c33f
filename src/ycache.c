/*
 * ycache: the cache file is a header, the key of the binary that wrote it,
 * then one record per content file. Records are copied as they are from the
 * old file to the new one, so a load that changes one file serializes only
 * that file's tree. Everything is in the writer's byte order and padded to 8
 * bytes: the key includes the executable's identity, so no other binary
 * ever reads it.
 */
#include "ycache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "paths.h"
#include "regex.h"
#include "util.h"
#include "ydoc.h"

#define MAGIC "pydojoY1"
#define MAX_CACHE ((size_t)256 << 20)
#define RACY_NS 2000000000LL   /* git's racy-index window, generously */

struct header {
	char magic[8];
	uint64_t keylen;      /* bytes of the key that follows, padded to 8 */
	uint64_t nrecords;
	uint64_t size;        /* of the whole file */
	uint64_t sum;         /* checksum of all that follows the header */
};

/* One file's tree: this record, then its nodes, its items (node numbers,
 * each greater than its parent's, so no tree read back can hold a cycle)
 * and its strings, each NUL-terminated. */
struct record {
	uint64_t size;        /* of the record with all that follows it */
	int64_t dev, ino, fsize, mtime_s, mtime_ns, ctime_s, ctime_ns;
	uint64_t nnodes, nitems, textlen;
};

struct snode {
	uint8_t kind, plain;
	uint16_t pad;
	int32_t line, col;
	uint32_t n;           /* collection: number of items */
	uint64_t off;         /* scalar: its string in the text; collection: its first item */
	uint64_t len;         /* scalar: length of the string */
};

struct ycache {
	char *path;
	char *key;            /* the binary's identity */
	size_t keylen;
	char *data;           /* the cache file as read, or NULL */
	size_t size;
	long long written;    /* its modification time, in ns */
	struct hmap index;    /* (dev, ino) -> offset of its record in data */
	size_t nold;          /* records in data */
	size_t *used;         /* offsets of the records served */
	size_t nused, capused;
	struct buf fresh;     /* records put since open */
	size_t nfresh;
	int writable;         /* whether the file can be written; -1: not known yet */
	struct ynode **trees; /* node arrays handed out */
	size_t ntrees, captrees;
};

static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static const char zeros[8];   /* padding */

static long long ns_of(struct timespec t)
{
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static uint64_t rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

/* A checksum of n bytes (a multiple of 8), in four lanes so that it runs at
 * memory speed: each step is a bijection of the lane, so any one changed
 * word changes the sum. Fed in pieces (sum_add, each a multiple of 8
 * bytes), it sums their concatenation, so a file is summed as it is
 * written. */
struct sum {
	uint64_t h[4];
	char pend[32];        /* the start of a block split between pieces */
	size_t npend, n;
};

static const uint64_t sum_k = 0x9e3779b97f4a7c15u;

static void sum_init(struct sum *c)
{
	*c = (struct sum){{0x243f6a8885a308d3u, 0x13198a2e03707344u, 0xa4093822299f31d0u, 0x082efa98ec4e6c89u}, {0}, 0, 0};
}

static void sum_block(struct sum *c, const char *p)
{
	for (int l = 0; l < 4; l++) {
		uint64_t w;
		memcpy(&w, p + 8 * l, 8);
		c->h[l] = (rotl(c->h[l], 29) ^ w) * sum_k;
	}
}

static void sum_add(struct sum *c, const char *p, size_t n)
{
	c->n += n;
	if (c->npend) {
		size_t take = n < 32 - c->npend ? n : 32 - c->npend;
		memcpy(c->pend + c->npend, p, take);
		c->npend += take;
		p += take;
		n -= take;
		if (c->npend < 32)
			return;
		sum_block(c, c->pend);
		c->npend = 0;
	}
	for (; n >= 32; p += 32, n -= 32)
		sum_block(c, p);
	memcpy(c->pend, p, n);
	c->npend = n;
}

static uint64_t sum_end(struct sum *c)
{
	for (size_t i = 0; i + 8 <= c->npend; i += 8) {
		uint64_t w;
		memcpy(&w, c->pend + i, 8);
		c->h[0] = (rotl(c->h[0], 29) ^ w) * sum_k;
	}
	return c->h[0] ^ rotl(c->h[1], 16) ^ rotl(c->h[2], 32) ^ rotl(c->h[3], 48) ^ c->n;
}

static uint64_t checksum(const char *p, size_t n)
{
	struct sum c;
	sum_init(&c);
	sum_add(&c, p, n);
	return sum_end(&c);
}

/* The size a record claims to have, or 0 when its counts cannot fit in
 * limit bytes. */
static size_t record_size(const struct record *r, size_t limit)
{
	if (r->nnodes > limit || r->nitems > limit || r->textlen > limit)
		return 0;
	return sizeof *r + r->nnodes * sizeof(struct snode) + pad8(r->nitems * 4) + pad8(r->textlen);
}

/* A buffer for the whole file. A large one is aligned to 2 MiB and marked
 * for transparent huge pages: a cache of a few MiB then costs a handful of
 * page faults instead of one per 4 KiB page (a quarter of the load time of
 * a 4 MiB catalog went to faulting fresh pages in). */
static char *big_alloc(size_t size)
{
	enum { HUGE = 2u << 20 };
	if (size < HUGE)
		return xmalloc(size);
	void *p = NULL;
	if (posix_memalign(&p, HUGE, size) != 0)
		abort();
	madvise(p, (size + HUGE - 1) & ~(size_t)(HUGE - 1), MADV_HUGEPAGE);
	return p;
}

/* Room for n more bytes of fresh records. The buffer doubles as big_alloc
 * blocks, for the same reason: a first load writes a record of every file,
 * as large as the cache (a small catalog's stay plain malloc blocks). */
static void fresh_reserve(struct ycache *yc, size_t n)
{
	struct buf *f = &yc->fresh;
	if (f->cap - f->len >= n)
		return;
	size_t cap = f->cap * 2;
	if (cap < f->len + n)
		cap = f->len + n;
	char *p = big_alloc(cap);
	memcpy(p, f->data, f->len);
	p[f->len] = '\0';
	free(f->data);
	f->data = p;
	f->cap = cap;
}

/* Reads and checks the whole file; -1 leaves the cache empty. */
static int read_cache(struct ycache *yc)
{
	int fd = open(yc->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(struct header) ||
	    (uint64_t)st.st_size > MAX_CACHE || st.st_size % 8) {
		close(fd);
		return -1;
	}
	yc->size = (size_t)st.st_size;
	yc->written = ns_of(st.st_mtim);
	yc->data = big_alloc(yc->size);
	size_t got = 0;
	while (got < yc->size) {
		ssize_t n = read(fd, yc->data + got, yc->size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	struct header h;
	memcpy(&h, yc->data, sizeof h);
	size_t off = sizeof h + pad8(yc->keylen);
	if (got != yc->size || memcmp(h.magic, MAGIC, 8) != 0 || h.size != yc->size ||
	    h.keylen != yc->keylen || off > yc->size || memcmp(yc->data + sizeof h, yc->key, yc->keylen) != 0 ||
	    checksum(yc->data + sizeof h, yc->size - sizeof h) != h.sum)
		return -1;
	for (uint64_t i = 0; i < h.nrecords; i++) {
		struct record r;
		if (yc->size - off < sizeof r)
			return -1;
		memcpy(&r, yc->data + off, sizeof r);
		size_t size = record_size(&r, yc->size);
		if (!size || r.size != size || size > yc->size - off)
			return -1;
		int64_t id[2] = {r.dev, r.ino};
		hmap_add(&yc->index, id, sizeof id, off);
		off += size;
	}
	if (off != yc->size)
		return -1;
	yc->nold = h.nrecords;
	return 0;
}

/* The identity of the running binary (and of the regex library, whose
 * behaviour a verdict depends on), or NULL when it cannot be known. */
static char *binary_key(void)
{
	struct stat exe;
	if (stat("/proc/self/exe", &exe) < 0)
		return NULL;
	return xasprintf("pydojo %s %llu:%llu:%lld:%lld.%09ld %s", PYDOJO_VERSION, (unsigned long long)exe.st_dev,
	                 (unsigned long long)exe.st_ino, (long long)exe.st_size, (long long)exe.st_mtim.tv_sec,
	                 exe.st_mtim.tv_nsec, regex_version());
}

struct ycache *ycache_open(const char *path)
{
	char *key = binary_key();
	if (!key)
		return NULL;
	struct ycache *yc = xcalloc(1, sizeof *yc);
	yc->path = xstrdup(path);
	yc->key = key;
	yc->keylen = strlen(yc->key);
	hmap_init(&yc->index);
	buf_init(&yc->fresh);
	yc->writable = -1;
	if (read_cache(yc) < 0) {
		free(yc->data);
		yc->data = NULL;
		hmap_release(&yc->index);
		hmap_init(&yc->index);
		yc->nold = 0;
	}
	return yc;
}

void ycache_free(struct ycache *yc)
{
	if (!yc)
		return;
	for (size_t i = 0; i < yc->ntrees; i++)
		free(yc->trees[i]);
	free(yc->trees);
	buf_release(&yc->fresh);
	free(yc->used);
	hmap_release(&yc->index);
	free(yc->data);
	free(yc->key);
	free(yc->path);
	free(yc);
}

/* Builds the tree of the record at off, checking every count and offset
 * (the checksum makes damage unlikely; this makes it harmless). */
static struct ynode *decode(struct ycache *yc, size_t off, const struct record *r, const char *file)
{
	const char *nodes_at = yc->data + off + sizeof *r;
	const char *items_at = nodes_at + r->nnodes * sizeof(struct snode);
	const char *text = items_at + pad8(r->nitems * 4);
	struct ynode *nodes = xmalloc(r->nnodes * sizeof *nodes + r->nitems * sizeof(struct ynode *));
	struct ynode **kids = (struct ynode **)(nodes + r->nnodes);
	for (size_t i = 0; i < r->nnodes; i++) {
		struct snode s;
		memcpy(&s, nodes_at + i * sizeof s, sizeof s);
		struct ynode *n = &nodes[i];
		memset(n, 0, sizeof *n);
		n->kind = (enum ynode_kind)s.kind;
		n->plain = s.plain;
		n->line = s.line;
		n->col = s.col;
		n->file = file;
		if (s.kind == YNODE_SCALAR) {
			if (s.off >= r->textlen || s.len >= r->textlen - s.off || text[s.off + s.len] != '\0')
				goto bad;
			n->str = (char *)text + s.off;
			n->len = s.len;
			continue;
		}
		if ((s.kind != YNODE_SEQ && s.kind != YNODE_MAP) || s.off > r->nitems ||
		    s.n > r->nitems - s.off || (s.kind == YNODE_MAP && s.n % 2))
			goto bad;
		n->items = kids + s.off;
		n->n = s.n;
		for (size_t k = 0; k < s.n; k++) {
			uint32_t j;
			memcpy(&j, items_at + (s.off + k) * 4, 4);
			if (j <= i || j >= r->nnodes)
				goto bad;
			n->items[k] = &nodes[j];
		}
	}
	GROW(yc->trees, yc->captrees, yc->ntrees + 1);
	yc->trees[yc->ntrees++] = nodes;
	return nodes;
bad:
	free(nodes);
	return NULL;
}

bool ycache_get(struct ycache *yc, const char *path, const struct stat *st, struct ydoc *doc)
{
	int64_t id[2] = {(int64_t)st->st_dev, (int64_t)st->st_ino};
	size_t off = hmap_get(&yc->index, id, sizeof id);
	if (off == HMAP_NONE)
		return false;
	struct record r;
	memcpy(&r, yc->data + off, sizeof r);
	if (r.fsize != (int64_t)st->st_size || r.mtime_s != (int64_t)st->st_mtim.tv_sec ||
	    r.mtime_ns != (int64_t)st->st_mtim.tv_nsec || r.ctime_s != (int64_t)st->st_ctim.tv_sec ||
	    r.ctime_ns != (int64_t)st->st_ctim.tv_nsec)
		return false;
	if (ns_of(st->st_mtim) > yc->written - RACY_NS || ns_of(st->st_ctim) > yc->written - RACY_NS)
		return false;
	memset(doc, 0, sizeof *doc);
	doc->file = xstrdup(path);
	if (r.nnodes && !(doc->root = decode(yc, off, &r, doc->file))) {
		ydoc_release(doc);
		return false;
	}
	GROW(yc->used, yc->capused, yc->nused + 1);
	yc->used[yc->nused++] = off;
	return true;
}

void ycache_drop_tree(struct ycache *yc, struct ydoc *doc)
{
	/* Trees are read in the order they were handed out: the one sought
	 * is nearly always the last. */
	for (size_t i = yc->ntrees; doc->root && i-- > 0;)
		if (yc->trees[i] == doc->root) {
			free(yc->trees[i]);
			memmove(yc->trees + i, yc->trees + i + 1, (yc->ntrees - i - 1) * sizeof *yc->trees);
			yc->ntrees--;
			break;
		}
	doc->root = NULL;
}

/* Whether the cache file can be written (its folder made and writable):
 * when it cannot, nothing is kept to write. */
static bool writable(struct ycache *yc)
{
	if (yc->writable < 0) {
		char *dir = xstrdup(yc->path);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		yc->writable = paths_make_parents(yc->path) == 0 && access(slash ? dir : ".", W_OK) == 0;
		free(dir);
	}
	return yc->writable;
}

void ycache_put(struct ycache *yc, const struct stat *st, const struct ydoc *doc)
{
	if (!writable(yc))
		return;
	/* Breadth first: the children of each collection get consecutive
	 * numbers, all greater than their parent's. */
	const struct ynode **order = NULL;
	size_t n = 0, cap = 0, nitems = 0;
	if (doc->root) {
		GROW(order, cap, 1);
		order[n++] = doc->root;
	}
	for (size_t i = 0; i < n; i++) {
		const struct ynode *nd = order[i];
		if (nd->kind == YNODE_SCALAR)
			continue;
		GROW(order, cap, n + nd->n);
		for (size_t k = 0; k < nd->n; k++)
			order[n++] = nd->items[k];
		nitems += nd->n;
	}
	struct buf nodes, items, text;
	buf_init(&nodes);
	buf_init(&items);
	buf_init(&text);
	size_t item = 0;
	for (size_t i = 0; i < n; i++) {
		const struct ynode *nd = order[i];
		struct snode s = {(uint8_t)nd->kind, nd->plain, 0, nd->line, nd->col, 0, 0, 0};
		if (nd->kind == YNODE_SCALAR) {
			s.off = text.len;
			s.len = nd->len;
			buf_add(&text, nd->str, nd->len);
			buf_addc(&text, '\0');
		} else {
			s.off = item;
			s.n = (uint32_t)nd->n;
			for (size_t k = 0; k < nd->n; k++, item++) {
				uint32_t j = (uint32_t)(item + 1);   /* breadth-first number of that child */
				buf_add(&items, &j, 4);
			}
		}
		buf_add(&nodes, &s, sizeof s);
	}
	struct record r = {0, (int64_t)st->st_dev, (int64_t)st->st_ino, (int64_t)st->st_size,
	                   (int64_t)st->st_mtim.tv_sec, (int64_t)st->st_mtim.tv_nsec,
	                   (int64_t)st->st_ctim.tv_sec, (int64_t)st->st_ctim.tv_nsec, n, nitems, text.len};
	r.size = record_size(&r, SIZE_MAX);
	fresh_reserve(yc, r.size + 1);
	buf_add(&yc->fresh, &r, sizeof r);
	buf_add(&yc->fresh, nodes.data, nodes.len);
	buf_add(&yc->fresh, items.data, items.len);
	buf_add(&yc->fresh, zeros, pad8(items.len) - items.len);
	buf_add(&yc->fresh, text.data, text.len);
	buf_add(&yc->fresh, zeros, pad8(text.len) - text.len);
	yc->nfresh++;
	buf_release(&text);
	buf_release(&items);
	buf_release(&nodes);
	free(order);
}

/* A part of a file to write, where it lies. */
struct piece {
	const void *data;
	size_t len;
};

/* Writes the header h, then the n pieces, to path whole, through a
 * temporary file renamed over the old one, straight from where each piece
 * lies; sets h's size and the sum of all that follows it. Failing to write
 * is not an error: a cache is only ever an optimisation. */
static void write_file(const char *path, struct header *h, const struct piece *v, size_t n)
{
	struct sum c;
	sum_init(&c);
	h->size = sizeof *h;
	for (size_t i = 0; i < n; i++) {
		sum_add(&c, v[i].data, v[i].len);
		h->size += v[i].len;
	}
	h->sum = sum_end(&c);
	if (h->size > MAX_CACHE || paths_make_parents(path) < 0)
		return;
	char *tmp = xasprintf("%s.XXXXXX", path);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd >= 0) {
		int failed = write_all(fd, h, sizeof *h);
		for (size_t i = 0; i < n && !failed; i++)
			failed |= write_all(fd, v[i].data, v[i].len);
		failed |= close(fd);
		if (failed || rename(tmp, path) < 0)
			unlink(tmp);
	}
	free(tmp);
}

void ycache_save(struct ycache *yc)
{
	if (!yc->nfresh && yc->nused == yc->nold)
		return;   /* the file holds exactly this already */
	if (!writable(yc))
		return;
	struct header h = {.keylen = yc->keylen, .nrecords = yc->nused + yc->nfresh};
	memcpy(h.magic, MAGIC, 8);
	struct piece *v = xcalloc(yc->nused + 3, sizeof *v);
	size_t n = 0;
	v[n++] = (struct piece){yc->key, yc->keylen};
	v[n++] = (struct piece){zeros, pad8(yc->keylen) - yc->keylen};
	for (size_t i = 0; i < yc->nused; i++) {
		struct record r;
		memcpy(&r, yc->data + yc->used[i], sizeof r);
		v[n++] = (struct piece){yc->data + yc->used[i], r.size};
	}
	v[n++] = (struct piece){yc->fresh.data, yc->fresh.len};
	write_file(yc->path, &h, v, n);
	free(v);
}

/* ---- the verified set ---- */

#define VMAGIC "pydojoV1"
#define MAX_VERIFIED 100000u

struct yverified {
	char *path;
	char *key;
	size_t keylen;
	struct ycheck_key *v;   /* sorted and unique up to nold, then added */
	size_t nold, n, cap;
};

static int cmp_key(const void *a, const void *b)
{
	const struct ycheck_key *x = a, *y = b;
	for (int i = 0; i < 2; i++)
		if (x->h[i] != y->h[i])
			return x->h[i] < y->h[i] ? -1 : 1;
	return 0;
}

void ycheck_key_add(struct ycheck_key *k, const void *data, size_t n)
{
	/* Two 64-bit multiplicative hashes with different multipliers, each
	 * fed the length first, so that ("ab", "c") and ("a", "bc") differ. */
	const unsigned char *p = data;
	uint64_t a = k->h[0] ^ n, b = k->h[1] ^ rotl(n, 32);
	a *= 0x100000001b3u;
	b *= 0x9e3779b97f4a7c15u;
	/* Eight bytes a step (a warm check hashes every rubric's text), then
	 * the rest byte by byte; the rotations carry the high bits down. */
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		a = rotl((a ^ w) * 0x100000001b3u, 29);
		b = (rotl(b, 23) ^ w) * 0x9e3779b97f4a7c15u;
	}
	for (; i < n; i++) {
		a = (a ^ p[i]) * 0x100000001b3u;
		b = (rotl(b, 23) ^ p[i]) * 0x9e3779b97f4a7c15u;
	}
	k->h[0] = a;
	k->h[1] = b;
}

void ycheck_key_str(struct ycheck_key *k, const char *s)
{
	if (s)
		ycheck_key_add(k, s, strlen(s) + 1);   /* "" and NULL differ */
	else
		ycheck_key_add(k, "", 0);
}

struct yverified *yverified_open(const char *path)
{
	char *key = binary_key();
	if (!key)
		return NULL;
	struct yverified *vs = xcalloc(1, sizeof *vs);
	vs->path = xstrdup(path);
	vs->key = key;
	vs->keylen = strlen(key);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	if (fd < 0)
		return vs;
	char *data = NULL;
	size_t size = 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= (off_t)sizeof(struct header) &&
	    (uint64_t)st.st_size <= MAX_CACHE && st.st_size % 8 == 0) {
		size = (size_t)st.st_size;
		data = xmalloc(size);
		size_t got = 0;
		while (got < size) {
			ssize_t r = read(fd, data + got, size - got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		if (got != size)
			size = 0;
	}
	close(fd);
	struct header h;
	size_t off = sizeof h + pad8(vs->keylen);
	if (size) {
		memcpy(&h, data, sizeof h);
		if (memcmp(h.magic, VMAGIC, 8) == 0 && h.size == size && h.keylen == vs->keylen && off <= size &&
		    memcmp(data + sizeof h, vs->key, vs->keylen) == 0 && h.nrecords <= MAX_VERIFIED &&
		    (size - off) == h.nrecords * sizeof(struct ycheck_key) &&
		    checksum(data + sizeof h, size - sizeof h) == h.sum) {
			vs->n = vs->nold = vs->cap = h.nrecords;
			vs->v = xmalloc((vs->cap ? vs->cap : 1) * sizeof *vs->v);
			memcpy(vs->v, data + off, vs->n * sizeof *vs->v);
			/* Sorted when written; a file that is not is one we did not write. */
			for (size_t i = 1; i < vs->n; i++)
				if (cmp_key(&vs->v[i - 1], &vs->v[i]) >= 0)
					vs->n = vs->nold = 0;
		}
	}
	free(data);
	return vs;
}

bool yverified_has(const struct yverified *vs, const struct ycheck_key *k)
{
	return vs && vs->nold && bsearch(k, vs->v, vs->nold, sizeof *vs->v, cmp_key);
}

void yverified_add(struct yverified *vs, const struct ycheck_key *k)
{
	if (!vs || yverified_has(vs, k))
		return;
	GROW(vs->v, vs->cap, vs->n + 1);
	vs->v[vs->n++] = *k;
}

void yverified_save(struct yverified *vs)
{
	if (!vs || vs->n == vs->nold)
		return;
	qsort(vs->v, vs->n, sizeof *vs->v, cmp_key);
	size_t n = 0;
	for (size_t i = 0; i < vs->n; i++)
		if (!n || cmp_key(&vs->v[n - 1], &vs->v[i]) != 0)
			vs->v[n++] = vs->v[i];
	/* Bounded: beyond the cap the oldest are not known, so keep any. */
	struct ycheck_key *from = vs->v;
	if (n > MAX_VERIFIED) {
		from += n - MAX_VERIFIED;
		n = MAX_VERIFIED;
	}
	struct header h = {.keylen = vs->keylen, .nrecords = n};
	memcpy(h.magic, VMAGIC, 8);
	const struct piece v[] = {{vs->key, vs->keylen}, {zeros, pad8(vs->keylen) - vs->keylen}, {from, n * sizeof *from}};
	write_file(vs->path, &h, v, 3);
	vs->nold = vs->n = 0;   /* saved: nothing more to add */
}

void yverified_free(struct yverified *vs)
{
	if (!vs)
		return;
	free(vs->v);
	free(vs->key);
	free(vs->path);
	free(vs);
}
