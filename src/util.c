/*
 * util: aborting allocators, the growable buffer, file reading with a size
 * limit and small string helpers. Nothing here knows about pydojo content.
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

static void oom(void)
{
	fputs("pydojo: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		oom();
	char *p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void *xgrow(void *ptr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return ptr;
	size_t n = *cap ? *cap : 8;
	while (n < need)
		n = n > SIZE_MAX / 2 ? need : n * 2;
	/* A size that does not fit is out of memory too: the allocators
	 * abort rather than hand back a short block. */
	if (elem && n > SIZE_MAX / elem)
		oom();
	ptr = xrealloc(ptr, n * elem);
	*cap = n;
	return ptr;
}

void buf_init(struct buf *b)
{
	b->cap = 64;
	b->len = 0;
	b->data = xmalloc(b->cap);
	b->data[0] = '\0';
}

void buf_release(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void buf_add(struct buf *b, const void *data, size_t n)
{
	if (b->len + n + 1 > b->cap)
		b->data = xgrow(b->data, &b->cap, b->len + n + 1, 1);
	memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	buf_puts(b, s);
	free(s);
}

void buf_truncate(struct buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->data[len] = '\0';
	}
}

char *buf_detach(struct buf *b)
{
	char *s = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

int read_file_limit(const char *path, size_t max, char **out, size_t *len)
{
	/* O_NONBLOCK: opening a FIFO would otherwise wait for a writer, for
	 * ever; it changes nothing for the regular file read below. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		goto fail;
	}
	if ((size_t)st.st_size > max) {
		errno = EFBIG;
		goto fail;
	}
	/* Read straight into a buffer of the file's size, plus the NUL and
	 * one byte to see the end at once; it grows only if the file grew. */
	size_t cap = (size_t)st.st_size + 2, n = 0;
	char *data = xmalloc(cap);
	for (;;) {
		if (cap - n < 2)
			data = xgrow(data, &cap, n + 65536, 1);
		ssize_t got = read(fd, data + n, cap - n - 1);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			free(data);
			goto fail;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > max) {
			free(data);
			errno = EFBIG;
			goto fail;
		}
	}
	data[n] = '\0';
	close(fd);
	*len = n;
	*out = data;
	return 0;
fail:;
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}

int write_all(int fd, const void *data, size_t n)
{
	const char *p = data;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

size_t edit_distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b);
	if ((la > lb ? la - lb : lb - la) > cap)
		return cap + 1;
	/* Three rows: the one before last, for transpositions. */
	size_t *rows = xmalloc(3 * (lb + 1) * sizeof *rows);
	size_t *pp = rows, *prev = rows + (lb + 1), *row = rows + 2 * (lb + 1);
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	size_t prev_best = 0;
	for (size_t i = 1; i <= la; i++) {
		row[0] = i;
		size_t best = row[0];
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t v = prev[j - 1] + cost;
			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			row[j] = v;
			if (v < best)
				best = v;
		}
		/* A row can lower the next one only through a transposition, so
		 * two rows over the cap settle it. */
		if (best > cap && prev_best > cap) {
			free(rows);
			return cap + 1;
		}
		prev_best = best;
		size_t *t = pp;
		pp = prev;
		prev = row;
		row = t;
	}
	size_t d = prev[lb];
	free(rows);
	return d > cap ? cap + 1 : d;
}

bool is_id(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return false;
	return true;
}

/* Decodes one code point of s[0..n) (n >= 1) into *cp and returns its length,
 * or returns 0 when s does not start with valid UTF-8. */
static size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0];
	size_t len;
	unsigned min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		len = 2, min = 0x80, c &= 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3, min = 0x800, c &= 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4, min = 0x10000, c &= 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[k] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* The plain letters of an accented Latin one (U+00C0 to U+017F, as the
 * two bytes c0 c1), in one[] when a single letter, or NULL for a sign (×,
 * ÷) or a letter with none. */
const char *utf8_latin_plain(unsigned char c0, unsigned char c1, char one[2])
{
	/* One byte a code point; '-' has no plain form, and '1' to '5' are
	 * the ligatures below. */
	static const char latin1[] = "AAAAAA1CEEEEIIIIDNOOOOO-OUUUUY-2aaaaaa3ceeeeiiiidnooooo-ouuuuy-y";
	static const char ext_a[] = "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIi--JjKkkLlLlLlLlLl"
	                            "NnNnNnnNnOoOoOo45RrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";
	static const char *const lig[] = {"AE", "ss", "ae", "OE", "oe"};
	unsigned cp = ((c0 & 0x1fu) << 6) | (c1 & 0x3fu);
	char c = cp >= 0xc0 && cp < 0x100 ? latin1[cp - 0xc0] : cp >= 0x100 && cp < 0x180 ? ext_a[cp - 0x100] : '-';
	if (c == '-')
		return NULL;
	if (c >= '1' && c <= '5')
		return lig[c - '1'];
	one[0] = c;
	one[1] = '\0';
	return one;
}

bool utf8_valid(const char *s, size_t n, size_t *bad)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			/* Content is mostly ASCII: skip it 32 bytes at a time, then
			 * eight. */
			uint64_t w[4];
			while (i + 32 <= n && (memcpy(w, p + i, 32), ((w[0] | w[1] | w[2] | w[3]) & 0x8080808080808080u) == 0))
				i += 32;
			while (i + 8 <= n && (memcpy(w, p + i, 8), (w[0] & 0x8080808080808080u) == 0))
				i += 8;
			continue;
		}
		unsigned cp;
		size_t len = utf8_decode(p + i, n - i, &cp);
		if (len == 0) {
			if (bad)
				*bad = i;
			return false;
		}
		i += len;
	}
	return true;
}

size_t utf8_width(const char *s, size_t n)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t w = 0, i = 0;
	while (i < n) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s + i, n - i, &st);
		if (k == (size_t)-1 || k == (size_t)-2) {
			memset(&st, 0, sizeof st);
			i++;
			w++;
			continue;
		}
		if (k == 0)
			k = 1;
		int cw = wcwidth(wc);
		w += cw < 0 ? 1 : (size_t)cw;
		i += k;
	}
	return w;
}

bool str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_ends(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}


/* The visible form of the character at s[i]: sets *out (at most 8 bytes, or
 * s + i itself) and *outlen, *cols (columns, at least 1 unless it is a kept
 * tab or newline) and returns the bytes consumed. */
static size_t visible_piece(const char *s, size_t n, size_t i, bool one_line, char tmp[8],
                            const char **out, size_t *outlen, size_t *cols)
{
	const unsigned char *p = (const unsigned char *)s + i;
	unsigned cp = 0;   /* utf8_decode leaves it unset on a bad sequence */
	size_t len = utf8_decode(p, n - i, &cp);
	bool kept = !one_line && (cp == '\t' || cp == '\n' || (cp == '\r' && i + 1 < n && s[i + 1] == '\n'));
	if (len == 0 || ((cp < 0x20 || cp == 0x7f) && !kept)) {
		snprintf(tmp, 8, "\\x%02x", p[0]);
		*out = tmp;
		*outlen = *cols = 4;
		return 1;
	}
	if (cp >= 0x80 && cp <= 0x9f) {
		snprintf(tmp, 8, "\\u%04x", cp);
		*out = tmp;
		*outlen = *cols = 6;
		return len;
	}
	*out = s + i;
	*outlen = len;
	int w = kept ? 0 : wcwidth((wchar_t)cp);
	*cols = kept ? 0 : w < 1 ? 1 : (size_t)w;
	return len;
}

void buf_add_visible(struct buf *b, const char *s, size_t n, size_t max_cols)
{
	char tmp[8];
	const char *out;
	size_t outlen, cols;
	size_t end = n;
	if (max_cols) {
		/* Where the text must be cut: after the last character that
		 * leaves a column for the ellipsis, when the whole does not fit. */
		size_t w = 0, cut = 0;
		for (size_t i = 0; i < n;) {
			size_t k = visible_piece(s, n, i, true, tmp, &out, &outlen, &cols);
			if (w + cols <= max_cols - 1)
				cut = i + k;
			w += cols;
			if (w > max_cols)
				break;
			i += k;
		}
		if (w > max_cols)
			end = cut;
	}
	for (size_t i = 0; i < end;) {
		/* Printable ASCII (and, in full text, tabs and newlines) goes
		 * through in runs: a search hit on a 4 MiB line is mostly that. */
		size_t run = i;
		/* Eight bytes at a time while none is below 0x20 or above 0x7e. */
		for (uint64_t w; run + 8 <= end; run += 8) {
			memcpy(&w, s + run, 8);
			if (((w - 0x2020202020202020u) | (w + 0x0101010101010101u) | w) & 0x8080808080808080u)
				break;
		}
		while (run < end && ((s[run] >= 0x20 && s[run] < 0x7f) ||
		                     (!max_cols && (s[run] == '\t' || s[run] == '\n'))))
			run++;
		if (run > i) {
			buf_add(b, s + i, run - i);
			i = run;
			continue;
		}
		i += visible_piece(s, n, i, max_cols > 0, tmp, &out, &outlen, &cols);
		buf_add(b, out, outlen);
	}
	if (end < n)
		buf_puts(b, "\u2026");
}

char *str_visible(const char *s)
{
	struct buf b;
	buf_init(&b);
	buf_add_visible(&b, s, strlen(s), 0);
	return buf_detach(&b);
}

const char *str_echo(char *dst, const char *s)
{
	struct buf b;
	buf_init(&b);
	buf_add_visible(&b, s, strlen(s), ECHO_COLS);
	/* Each column takes at most 4 bytes (an escape takes as many bytes
	 * as columns), plus the ellipsis. */
	size_t n = b.len < ECHO_SIZE - 1 ? b.len : ECHO_SIZE - 1;
	memcpy(dst, b.data, n);
	dst[n] = '\0';
	buf_release(&b);
	return dst;
}

void buf_json_str(struct buf *b, const char *s)
{
	if (!s) {
		buf_puts(b, "null");
		return;
	}
	buf_addc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			buf_puts(b, "\\\"");
			break;
		case '\\':
			buf_puts(b, "\\\\");
			break;
		case '\n':
			buf_puts(b, "\\n");
			break;
		case '\t':
			buf_puts(b, "\\t");
			break;
		case '\r':
			buf_puts(b, "\\r");
			break;
		default:
			/* C1 controls too, so no terminal acts on the text. */
			if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
				buf_printf(b, "\\u%04x", *++p);
			else if (*p < 0x20 || *p == 0x7f)
				buf_printf(b, "\\u%04x", *p);
			else
				buf_addc(b, (char)*p);
		}
	}
	buf_addc(b, '"');
}

unsigned long long hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	unsigned long long h = 14695981039346656037ull;   /* FNV-1a 64-bit offset basis */
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ull;
	return h;
}

struct hmap_slot {
	unsigned long long hash;
	size_t off, len;    /* the key, in keys */
	size_t index;       /* HMAP_NONE: the slot is free */
};

void hmap_init(struct hmap *m)
{
	memset(m, 0, sizeof *m);
	buf_init(&m->keys);
}

void hmap_release(struct hmap *m)
{
	free(m->slots);
	buf_release(&m->keys);
	memset(m, 0, sizeof *m);
}

/* The slot holding key, or the free slot where it would go. */
static struct hmap_slot *hmap_find(const struct hmap *m, const void *key, size_t len,
                                   unsigned long long h)
{
	size_t mask = m->cap - 1;
	for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
		struct hmap_slot *s = &m->slots[i];
		if (s->index == HMAP_NONE ||
		    (s->hash == h && s->len == len && memcmp(m->keys.data + s->off, key, len) == 0))
			return s;
	}
}

size_t hmap_get(const struct hmap *m, const void *key, size_t len)
{
	if (!m->cap)
		return HMAP_NONE;
	return hmap_find(m, key, len, hash_bytes(key, len))->index;
}

size_t hmap_add(struct hmap *m, const void *key, size_t len, size_t index)
{
	if (2 * (m->n + 1) > m->cap) {
		struct hmap_slot *old = m->slots;
		size_t nold = m->cap;
		m->cap = m->cap ? 2 * m->cap : 64;
		m->slots = xmalloc(m->cap * sizeof *m->slots);
		for (size_t i = 0; i < m->cap; i++)
			m->slots[i].index = HMAP_NONE;
		for (size_t i = 0; i < nold; i++)
			if (old[i].index != HMAP_NONE)
				*hmap_find(m, m->keys.data + old[i].off, old[i].len, old[i].hash) = old[i];
		free(old);
	}
	unsigned long long h = hash_bytes(key, len);
	struct hmap_slot *s = hmap_find(m, key, len, h);
	if (s->index != HMAP_NONE)
		return s->index;
	*s = (struct hmap_slot){h, m->keys.len, len, index};
	buf_add(&m->keys, key, len);
	m->n++;
	return HMAP_NONE;
}
