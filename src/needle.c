/*
 * needle: see needle.h. The reading is conservative: whatever it does not
 * understand (a quantifier it cannot read, an escape, a class, a
 * lookaround) gives no needle, never a wrong one.
 */
#include "needle.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

enum { NEEDLE_MAX = 32, NEEDLE_MIN = 3 };

/* A requirement: needles, one of which every match holds. */
struct req {
	struct buf b;   /* the needles, each followed by a NUL */
	size_t n;       /* 0: no requirement */
	double cost;    /* the chance that a text holds one, roughly */
};

/* One reading of a pattern: the texts that price needles, and whether it
 * met what it does not read. */
struct reading {
	const struct needle_corpus *corpus;
	bool bad;
};

/* The two cheapest requirements of a sequence: every match holds both. */
struct reqs {
	struct req best, second;
};

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* The chance that a text holds w[0..n), roughly: what share of the
 * corpus does, plus a guess from its length; words nearly every answer
 * holds filter nothing. */
static double word_cost(const struct reading *rd, const char *w, size_t n)
{
	double share = 0;
	if (rd->corpus && rd->corpus->n) {
		size_t holding = rd->corpus->held ? hmap_get(rd->corpus->held, w, n) : HMAP_NONE;
		if (holding == HMAP_NONE) {
			holding = 0;
			for (size_t i = 0; i < rd->corpus->n; i++)
				holding += memmem(rd->corpus->texts[i], rd->corpus->lens[i], w, n) != NULL;
			if (rd->corpus->held)
				hmap_add(rd->corpus->held, w, n, holding);
		}
		share = (double)holding / (double)rd->corpus->n;
	}
	static const char *const common[] = {"the", "and", "for", "are", "that", "with", "this", "not", "you",
	                                     "can", "its", "has", "was", "but", "from", "they", "when", "will",
	                                     "one", "all", "any", "use", "get", "each", "have", "what", "which"};
	for (size_t i = 0; n <= 5 && i < sizeof common / sizeof *common; i++)   /* none is longer than "which" */
		if (strncmp(common[i], w, n) == 0 && common[i][n] == '\0')
			return share + 1.0;
	return share + 1.0 / ((double)n * (double)n * (double)n);
}

static void req_release(struct req *r)
{
	buf_release(&r->b);
	r->n = 0;
}

/* Keeps the cheaper of *best and *cand (releasing the other) in *best. */
static void req_keep(struct req *best, struct req *cand)
{
	if (cand->n && (!best->n || cand->cost < best->cost)) {
		req_release(best);
		*best = *cand;
	} else {
		req_release(cand);
	}
	cand->b = (struct buf){0};
	cand->n = 0;
}

/* Keeps cand in *r when it is cheaper than r's best or second
 * requirement (releasing what it displaces). */
static void reqs_keep(struct reqs *r, struct req *cand)
{
	if (cand->n && (!r->best.n || cand->cost < r->best.cost)) {
		req_release(&r->second);
		r->second = r->best;
		r->best = *cand;
		cand->b = (struct buf){0};
		cand->n = 0;
	} else {
		req_keep(&r->second, cand);
	}
}

/* A run of literal characters ends: it is a requirement when long enough. */
static void run_end(struct buf *run, struct reqs *r, const struct reading *rd)
{
	if (run->len >= NEEDLE_MIN) {
		struct req cand = {.n = 1, .cost = word_cost(rd, run->data, run->len)};
		buf_add(&cand.b, run->data, run->len);
		buf_addc(&cand.b, '\0');
		reqs_keep(r, &cand);
	}
	run->len = 0;
}

/* The length of the quantifier at s[i], or 0; *optional when it may
 * match no repetition. A '{' that does not start {n}, {n,} or {n,m} is
 * taken as one that may (0, *optional): PCRE2 versions differ on which
 * braces are quantifiers, and a needle must hold in all. */
static size_t quantifier(const char *s, size_t i, size_t end, bool *optional)
{
	size_t k = i;
	*optional = false;
	if (k >= end)
		return 0;
	if (s[k] == '?' || s[k] == '*') {
		*optional = true;
		k++;
	} else if (s[k] == '+') {
		k++;
	} else if (s[k] == '{') {
		size_t j = k + 1, min = 0;
		while (j < end && s[j] >= '0' && s[j] <= '9' && min <= 100000)
			min = min * 10 + (size_t)(s[j++] - '0');
		size_t digits = j - k - 1;
		if (j < end && s[j] == ',')
			for (j++; j < end && s[j] >= '0' && s[j] <= '9'; j++)
				;
		if (!digits || j >= end || s[j] != '}') {
			*optional = true;
			return 0;
		}
		*optional = min == 0;
		k = j + 1;
	} else {
		return 0;
	}
	if (k < end && (s[k] == '?' || s[k] == '+'))
		k++;   /* lazy or possessive */
	return k - i;
}

size_t needle_class_end(const char *s, size_t i, size_t end)
{
	i++;
	if (i < end && s[i] == '^')
		i++;
	if (i < end && s[i] == ']')
		i++;   /* a leading ] is a literal */
	for (; i < end && s[i] != ']'; i++)
		if (s[i] == '\\' && i + 1 < end)
			i++;
		else if (s[i] == '[' && i + 1 < end && s[i + 1] == ':') {
			/* [:alpha:] or [:^alpha:]; any other '[' here is a literal
			 * (PCRE2 compiles no other name). */
			size_t j = i + 2;
			if (j < end && s[j] == '^')
				j++;
			while (j < end && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z')))
				j++;
			if (j + 1 < end && s[j] == ':' && s[j + 1] == ']')
				i = j + 1;
		}
	return i < end ? i + 1 : end;
}

/* The index of the ')' that closes the group opening at s[i], or end. */
static size_t group_end(const char *s, size_t i, size_t end)
{
	size_t depth = 0;
	for (; i < end; i++) {
		if (s[i] == '\\' && i + 1 < end)
			i++;
		else if (s[i] == '[')
			i = needle_class_end(s, i, end) - 1;
		else if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			return i;
	}
	return end;
}

/* The end of the top-level alternative of s[i, end) that starts at i. */
static size_t branch_end(const char *s, size_t i, size_t end)
{
	for (; i < end && s[i] != '|'; i++) {
		if (s[i] == '\\' && i + 1 < end)
			i++;
		else if (s[i] == '[')
			i = needle_class_end(s, i, end) - 1;
		else if (s[i] == '(')
			i = group_end(s, i, end);
	}
	return i;
}

static bool alternatives(const char *s, size_t i, size_t end, struct req *out, struct req *second, struct reading *rd);

/* Adds w to the union *r: a text that holds "thread" is all "thread" or
 * "threads" asks, so a needle that holds another is dropped. */
static void add_needle(struct req *r, const char *w, const struct reading *rd)
{
	struct buf kept = {0};
	size_t n = 0;
	double cost = 0;
	for (const char *v = r->b.data; v && v < r->b.data + r->b.len; v += strlen(v) + 1) {
		if (strstr(w, v)) {
			buf_release(&kept);
			return;   /* v is there: w adds nothing */
		}
		if (!strstr(v, w)) {
			buf_add(&kept, v, strlen(v) + 1);
			n++;
			cost += word_cost(rd, v, strlen(v));
		}
	}
	buf_add(&kept, w, strlen(w) + 1);
	buf_release(&r->b);
	r->b = kept;
	r->n = n + 1;
	r->cost = cost + word_cost(rd, w, strlen(w));
}

/* The two cheapest requirements of the sequence s[i, end) into *best;
 * rd->bad when it holds what the reading does not handle. */
static void sequence(const char *s, size_t i, size_t end, struct reqs *best, struct reading *rd)
{
	struct buf run = {0};
	while (i < end && !rd->bad) {
		char c = s[i];
		bool literal = false, opt;
		size_t next;
		if (c == '\\') {
			char d = i + 1 < end ? s[i + 1] : '\0';
			next = i + 2;
			if (d == 'Q' || d == 'E' || d == '\0') {
				rd->bad = true;
				break;
			}
			if (is_alnum(d)) {   /* \b, \w, \d, \x41, \p{L}, \1 ... */
				if (strchr("pPxoNgk", d) && next < end && s[next] == '{') {
					while (next < end && s[next] != '}')
						next++;
					next++;
				} else if (d == 'x') {
					for (int k = 0; k < 2 && next < end && s[next] && strchr("0123456789abcdefABCDEF", s[next]); k++)
						next++;
				} else if (d == 'p' || d == 'P') {
					next++;
				} else if (d >= '0' && d <= '9') {
					while (next < end && s[next] >= '0' && s[next] <= '9')
						next++;
				}
			}
			/* An escaped symbol is a literal, but not a needle's. */
		} else if (c == '[') {
			next = needle_class_end(s, i, end);
		} else if (c == '(') {
			size_t close = group_end(s, i, end), body = i + 1;
			if (close >= end) {
				rd->bad = true;
				break;
			}
			next = close + 1;
			bool consumes = true;
			if (s[body] == '*') {
				rd->bad = true;   /* a verb */
				break;
			}
			if (s[body] == '?') {
				char g = s[body + 1];
				if (g == ':' || g == '>') {
					body += 2;
				} else if (g == '=' || g == '!' || (g == '<' && (s[body + 2] == '=' || s[body + 2] == '!'))) {
					consumes = false;   /* a lookaround */
				} else if (g == '<' || g == '\'') {   /* a named group */
					const char *name_end = memchr(s + body + 2, g == '<' ? '>' : '\'', close - body - 2);
					if (!name_end) {
						rd->bad = true;
						break;
					}
					body = (size_t)(name_end - s) + 1;
				} else {
					/* (?i:...) keeps its reading unless it sets x;
					 * any other (? form is not read. */
					size_t k = body + 1;
					while (k < close && s[k] && strchr("imnsUJ-^", s[k]))
						k++;
					if (k == body + 1 || k >= close || s[k] != ':' || memchr(s + body, 'x', k - body)) {
						rd->bad = true;
						break;
					}
					body = k + 1;
				}
			}
			run_end(&run, best, rd);
			size_t q = quantifier(s, next, end, &opt);
			if (consumes && !opt) {
				struct req group = {.n = 0};
				if (alternatives(s, body, close, &group, NULL, rd))
					reqs_keep(best, &group);
				else
					req_release(&group);
			}
			i = next + q;
			continue;
		} else {
			literal = true;
			next = i + 1;
			if ((unsigned char)c >= 0xc0)   /* one character, all its bytes */
				while (next < end && ((unsigned char)s[next] & 0xc0) == 0x80)
					next++;
		}
		size_t q = quantifier(s, next, end, &opt);
		if (literal && !q && !opt && is_alnum(c))
			buf_addc(&run, lower(c));
		else
			run_end(&run, best, rd);
		i = next + q;
	}
	run_end(&run, best, rd);
	buf_release(&run);
}

/* Whether every alternative of s[i, end) has a requirement: their union
 * into *out, a needle that holds another dropped. With second, the union
 * of each alternative's second requirement into it, which every match
 * holds too (second->n is 0 when an alternative has none). */
static bool alternatives(const char *s, size_t i, size_t end, struct req *out, struct req *second, struct reading *rd)
{
	bool seconds = second != NULL;
	for (;;) {
		size_t e = branch_end(s, i, end);
		struct reqs r = {.best.n = 0, .second.n = 0};
		sequence(s, i, e, &r, rd);
		if (rd->bad || !r.best.n || out->n + r.best.n > NEEDLE_MAX) {
			req_release(&r.best);
			req_release(&r.second);
			return false;
		}
		for (const char *w = r.best.b.data; w < r.best.b.data + r.best.b.len; w += strlen(w) + 1)
			add_needle(out, w, rd);
		if (seconds && (!r.second.n || second->n + r.second.n > NEEDLE_MAX)) {
			seconds = false;
			req_release(second);
		}
		if (seconds)
			for (const char *w = r.second.b.data; w < r.second.b.data + r.second.b.len; w += strlen(w) + 1)
				add_needle(second, w, rd);
		req_release(&r.best);
		req_release(&r.second);
		if (e >= end)
			return true;
		i = e + 1;
	}
}

bool needle_plain_escapes(const char *src, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++)
		if (src[i] == '\\') {
			i++;
			if (strchr("Qcgk", src[i]))
				return false;
		}
	return true;
}

/* Whether src[0..len) (its escapes plain) opens a group this reader does
 * not read: a call, a named group (its name may be referred to), a
 * conditional, a verb, a comment, a branch reset or a callout. */
static bool unread_group(const char *src, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (src[i] == '\\')
			i++;
		else if (src[i] == '[')
			i = needle_class_end(src, i, len) - 1;
		else if (src[i] == '(' && i + 1 < len && src[i + 1] == '*')
			return true;
		else if (src[i] == '(' && i + 2 < len && src[i + 1] == '?' && strchr("P&R(#|C", src[i + 2]))
			return true;
	}
	return false;
}

char *needle_of(const char *src, size_t len, const struct needle_corpus *corpus)
{
	return needle_of_both(src, len, corpus, NULL);
}

char *needle_of_both(const char *src, size_t len, const struct needle_corpus *corpus, char **second)
{
	if (second)
		*second = NULL;
	/* Quoting, calls, back-references by name, conditionals, verbs,
	 * comments, callouts, branch resets and control escapes (\c( is one
	 * character, not a group) are not read. An escaped parenthesis or one
	 * in a class opens nothing: "\(?(the )?" is read. */
	if (!needle_plain_escapes(src, len) || unread_group(src, len))
		return NULL;
	struct req r = {.n = 0}, r2 = {.n = 0};
	struct reading rd = {.corpus = corpus};
	if (!alternatives(src, 0, len, &r, second ? &r2 : NULL, &rd) || rd.bad) {
		req_release(&r);
		req_release(&r2);
		return NULL;
	}
	if (second && r2.n) {
		buf_addc(&r2.b, '\0');
		*second = buf_detach(&r2.b);
	} else {
		req_release(&r2);
	}
	buf_addc(&r.b, '\0');
	return buf_detach(&r.b);
}

char *needle_union(const char *a, const char *b)
{
	if (!a || !b)
		return NULL;
	struct req r = {.n = 0};
	struct reading rd = {.corpus = NULL};
	for (const char *const *set = (const char *const[]){a, b, NULL}; *set; set++)
		for (const char *w = *set; *w; w += strlen(w) + 1) {
			add_needle(&r, w, &rd);
			if (r.n > NEEDLE_MAX) {
				req_release(&r);
				return NULL;
			}
		}
	buf_addc(&r.b, '\0');
	return buf_detach(&r.b);
}

size_t needle_size(const char *needles)
{
	const char *w = needles;
	while (*w)
		w += strlen(w) + 1;
	return (size_t)(w - needles) + 1;
}

bool needle_same(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	size_t n = needle_size(a);
	return n == needle_size(b) && memcmp(a, b, n) == 0;
}

size_t needle_fold(char *out, const char *text, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == 0xe2 && i + 2 < len && (unsigned char)text[i + 1] == 0x84 && (unsigned char)text[i + 2] == 0xaa) {
			out[n++] = 'k';   /* KELVIN SIGN */
			i += 2;
		} else if (c == 0xc5 && i + 1 < len && (unsigned char)text[i + 1] == 0xbf) {
			out[n++] = 's';   /* LATIN SMALL LETTER LONG S */
			i++;
		} else {
			out[n++] = lower((char)c);
		}
	}
	out[n] = '\0';
	return n;
}

static uint32_t gram_hash(const char *p)
{
	uint32_t v = (uint32_t)(unsigned char)p[0] | (uint32_t)(unsigned char)p[1] << 8 |
	             (uint32_t)(unsigned char)p[2] << 16;
	return (v * 0x9e3779b1u) >> (32 - 15);
}

_Static_assert(NEEDLE_GRAM_BITS == 1u << 15, "gram_hash gives 15 bits");

void needle_grams_of(struct needle_grams *g, const char *folded, size_t len)
{
	memset(g->bits, 0, sizeof g->bits);
	for (size_t i = 0; i + 3 <= len; i++) {
		uint32_t h = gram_hash(folded + i);
		g->bits[h / 64] |= (uint64_t)1 << (h % 64);
	}
}

/* Whether every three-byte sequence of the needle w[0..n) has its bit. */
static bool grams_hold(const struct needle_grams *g, const char *w, size_t n)
{
	for (size_t i = 0; i + 3 <= n; i++) {
		uint32_t h = gram_hash(w + i);
		if (!(g->bits[h / 64] >> (h % 64) & 1))
			return false;
	}
	return true;
}

bool needle_any(const char *needles, const char *folded, size_t len, const struct needle_grams *g)
{
	for (const char *w = needles; *w;) {
		size_t n = strlen(w);
		if ((!g || grams_hold(g, w, n)) && memmem(folded, len, w, n))
			return true;
		w += n + 1;
	}
	return false;
}
