/*
 * terms: term sets and pattern expansion. Each vocabulary caches the
 * expansion of every name it resolved (its own sets and its base's, as seen
 * from it), so a set costs one expansion per vocabulary however many
 * patterns use it.
 */
#include "terms.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct term_entry {
	const char *text, *file;
	int line, col;
	bool reported;    /* its fault was reported (once, whichever scope met it) */
};

struct term_set {
	const char *name;
	struct term_entry *e;
	size_t n, cap;
};

enum { X_BUSY = 1, X_DONE };

/* A name's expansion as seen from one vocabulary. */
struct expansion {
	char **alts;
	size_t n, cap;
	char *joined;
	int state;
};

struct terms {
	struct terms *base;
	unsigned long long print;   /* terms_fingerprint, once computed (0: not yet) */
	struct term_set *sets;
	size_t nsets, capsets;
	struct hmap index;       /* name -> sets[] */
	struct expansion *x;
	size_t nx, capx;
	struct hmap xindex;      /* name -> x[] */
};

struct terms *terms_new(void)
{
	struct terms *t = xcalloc(1, sizeof *t);
	hmap_init(&t->index);
	hmap_init(&t->xindex);
	return t;
}

void terms_free(struct terms *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nsets; i++)
		free(t->sets[i].e);
	free(t->sets);
	for (size_t i = 0; i < t->nx; i++) {
		for (size_t k = 0; k < t->x[i].n; k++)
			free(t->x[i].alts[k]);
		free(t->x[i].alts);
		free(t->x[i].joined);
	}
	free(t->x);
	hmap_release(&t->index);
	hmap_release(&t->xindex);
	free(t);
}

void terms_set_base(struct terms *t, struct terms *base)
{
	t->base = base == t ? NULL : base;
	t->print = 0;
}

void terms_add(struct terms *t, const char *name, const char *entry, const char *file, int line, int col)
{
	size_t i = hmap_get(&t->index, name, strlen(name));
	if (i == HMAP_NONE) {
		GROW(t->sets, t->capsets, t->nsets + 1);
		i = t->nsets++;
		memset(&t->sets[i], 0, sizeof t->sets[i]);
		t->sets[i].name = name;
		hmap_add(&t->index, name, strlen(name), i);
	}
	t->print = 0;   /* the fingerprint changes with it */
	struct term_set *s = &t->sets[i];
	GROW(s->e, s->cap, s->n + 1);
	s->e[s->n++] = (struct term_entry){entry, file, line, col, false};
}

static struct term_set *own_set(const struct terms *t, const char *name, size_t len)
{
	size_t i = t ? hmap_get(&t->index, name, len) : HMAP_NONE;
	return i == HMAP_NONE ? NULL : &t->sets[i];
}

/* ---- one phrase ---- */

static bool is_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'A' || c == 'E' || c == 'I' ||
	       c == 'O' || c == 'U';
}

static bool is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

static bool is_letter(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Whether form[k] is the s or z of ise/ize, isation/ization, yse/yze (and
 * their inflections: -ised, -ising, -ises). */
static bool british_sz(const char *form, size_t len, size_t k)
{
	char c = lower(form[k]);
	if ((c != 's' && c != 'z') || k < 3)
		return false;
	char p = lower(form[k - 1]);
	if (p != 'i' && p != 'y')
		return false;
	const char *rest = form + k + 1;
	size_t n = len - k - 1;
	return (n >= 1 && lower(rest[0]) == 'e') || (n >= 5 && strncasecmp(rest, "ation", 5) == 0) ||
	       (n >= 3 && strncasecmp(rest, "ing", 3) == 0);
}

/* Appends one word form as regex source. */
static void add_form(struct buf *b, const char *form, size_t len)
{
	for (size_t k = 0; k < len; k++) {
		unsigned char c = (unsigned char)form[k];
		if (british_sz(form, len, k))
			buf_puts(b, "[sz]");
		else if (c == '/' && k > 0 && k + 1 < len && is_letter((unsigned char)form[k - 1]) &&
		         is_letter((unsigned char)form[k + 1]))
			buf_puts(b, "/?");
		else if (is_alnum(c) || c == '_')
			buf_addc(b, (char)c);
		else {
			buf_addc(b, '\\');
			buf_addc(b, (char)c);
		}
	}
}

static int cmp_longest(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t lx = strlen(x), ly = strlen(y);
	return lx != ly ? (lx < ly ? 1 : -1) : strcmp(x, y);
}

/* The forms of word w (len bytes, without its '+'), each a new string. */
static size_t word_forms(const char *w, size_t len, char **out)
{
	size_t n = 0;
	out[n++] = xstrndup(w, len);
	if (len == 0)
		return n;
	char last = lower(w[len - 1]);
	bool ends_e = last == 'e';
	bool cons_y = last == 'y' && len >= 2 && !is_vowel(w[len - 2]);
	bool sib = last == 's' || last == 'x' || last == 'z' || last == 'o' ||
	           (len >= 2 && (lower(w[len - 2]) == 'c' || lower(w[len - 2]) == 's') && last == 'h');
	int stem = (int)len - 1;
	if (cons_y) {
		out[n++] = xasprintf("%.*sies", stem, w);
		out[n++] = xasprintf("%.*sied", stem, w);
	} else {
		out[n++] = xasprintf("%.*s%s", (int)len, w, sib ? "es" : "s");
		out[n++] = xasprintf("%.*s%s", (int)len, w, ends_e ? "d" : "ed");
	}
	if (ends_e && len >= 2 && lower(w[len - 2]) == 'i')
		out[n++] = xasprintf("%.*sying", (int)len - 2, w);
	else if (ends_e && len >= 3 && !strchr("eyo", lower(w[len - 2])))
		out[n++] = xasprintf("%.*sing", stem, w);
	else
		out[n++] = xasprintf("%.*sing", (int)len, w);
	bool cvc = len >= 3 && !is_vowel(w[len - 1]) && !strchr("wxy", last) && is_vowel(w[len - 2]) &&
	           !is_vowel(w[len - 3]) && is_letter((unsigned char)w[len - 1]);
	if (cvc) {
		out[n++] = xasprintf("%.*s%ced", (int)len, w, w[len - 1]);
		out[n++] = xasprintf("%.*s%cing", (int)len, w, w[len - 1]);
	}
	return n;
}

/* s with its accented Latin letters folded to plain ones, as answers are
 * (a new string). */
static char *latin_folded(const char *s)
{
	struct buf b;
	buf_init(&b);
	for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
		char one[2];
		const char *plain = u[0] >= 0xc3 && u[0] <= 0xc5 && (u[1] & 0xc0) == 0x80 ? utf8_latin_plain(u[0], u[1], one)
		                                                                        : NULL;
		if (plain) {
			buf_puts(&b, plain);
			u++;
		} else {
			buf_addc(&b, (char)*u);
		}
	}
	return buf_detach(&b);
}

char *terms_phrase(const char *entry)
{
	struct buf b;
	buf_init(&b);
	char *phrase = latin_folded(entry);
	const char *p = phrase;
	while (*p == ' ' || *p == '-')
		p++;
	bool first = true;
	while (*p) {
		size_t len = strcspn(p, " -");
		if (!first)
			buf_puts(&b, "[\\s-]*");
		first = false;
		if (len > 1 && p[len - 1] == '+') {
			char *forms[8];
			size_t n = word_forms(p, len - 1, forms);
			qsort(forms, n, sizeof *forms, cmp_longest);
			buf_puts(&b, "(?:");
			for (size_t i = 0; i < n; i++) {
				if (i && strcmp(forms[i], forms[i - 1]) == 0)
					continue;
				if (i)
					buf_addc(&b, '|');
				add_form(&b, forms[i], strlen(forms[i]));
			}
			for (size_t i = 0; i < n; i++)
				free(forms[i]);
			buf_addc(&b, ')');
		} else {
			add_form(&b, p, len);
		}
		p += len;
		while (*p == ' ' || *p == '-')
			p++;
	}
	free(phrase);
	return buf_detach(&b);
}

/* ---- sets ---- */

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* The length of the term name at s (after its '@'): [a-z0-9-]+ without
 * trailing hyphens. */
static size_t name_len(const char *s)
{
	size_t n = 0;
	while (is_name_char(s[n]))
		n++;
	while (n && s[n - 1] == '-')
		n--;
	return n;
}

static void add_alt(struct expansion *x, char *alt)
{
	for (size_t i = 0; i < x->n; i++)
		if (strcmp(x->alts[i], alt) == 0) {
			free(alt);
			return;
		}
	GROW(x->alts, x->cap, x->n + 1);
	x->alts[x->n++] = alt;
}

static void entry_fault(struct diag *d, struct term_entry *e, const char *fmt, const char *name, size_t len)
{
	if (!d || e->reported)
		return;
	e->reported = true;
	char *msg = xasprintf(fmt, (int)len, name);
	diag_add(d, e->file, e->line, e->col, "%s", msg);
	free(msg);
}


/* ---- factoring an alternation ----
 *
 * A term set expands to dozens of alternatives (every phrase in every word
 * form). Written as a flat alternation, PCRE2 tries each in turn wherever
 * one could start. The alternatives are split into atoms (a character, an
 * escape, a class, a group, each with its quantifier; a word's group of
 * forms is first spread into one alternative per form), merged into a trie,
 * and written back with shared prefixes factored out:
 * releas(?:ing|e(?:d|s)?) instead of release|releases|released|releasing.
 * The language matched is the same. */

struct trie {
	char *atom;               /* the atom leading here; NULL at the root */
	struct trie **kids;
	size_t n, cap;
	bool end;                 /* an alternative ends here */
};

static size_t atom_len(const char *p)
{
	size_t n;
	if (p[0] == '\\')
		n = p[1] ? 2 : 1;
	else if (p[0] == '[') {
		n = 1;
		while (p[n] && p[n] != ']')
			n += p[n] == '\\' && p[n + 1] ? 2 : 1;
		if (p[n])
			n++;
	} else if (p[0] == '(') {
		int depth = 0;
		n = 0;
		do {
			if (p[n] == '\\' && p[n + 1])
				n++;
			else if (p[n] == '(')
				depth++;
			else if (p[n] == ')')
				depth--;
			n++;
		} while (p[n] && depth > 0);
	} else {
		n = 1;
		while (((unsigned char)p[n] & 0xc0) == 0x80)
			n++;
	}
	if (p[n] == '?' || p[n] == '*' || p[n] == '+')
		n++;
	return n;
}

/* Whether the atom is a plain group "(?:a|b|...)" of simple branches. */
static bool spreadable(const char *a, size_t n)
{
	if (n < 5 || strncmp(a, "(?:", 3) != 0 || a[n - 1] != ')')
		return false;
	for (size_t i = 3; i < n - 1; i++)
		if (a[i] == '(' || a[i] == ')' || a[i] == '\\' || a[i] == '[')
			return false;
	return true;
}

static struct trie *trie_kid(struct trie *t, const char *atom, size_t n)
{
	char *key = xstrndup(atom, n);
	/* Caseless matching: a letter is the same atom in either case. */
	if (n == 1 && key[0] >= 'A' && key[0] <= 'Z')
		key[0] = (char)(key[0] - 'A' + 'a');
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->kids[i]->atom, key) == 0) {
			free(key);
			return t->kids[i];
		}
	struct trie *k = xcalloc(1, sizeof *k);
	k->atom = key;
	GROW(t->kids, t->cap, t->n + 1);
	t->kids[t->n++] = k;
	return k;
}

/* Adds the alternative p (a regex source) below t, spreading a group of
 * word forms into one path per form. */
static void trie_add(struct trie *t, const char *p)
{
	while (*p) {
		size_t n = atom_len(p);
		if (spreadable(p, n)) {
			const char *b = p + 3, *stop = p + n - 1;
			while (b <= stop) {
				const char *bar = b;
				while (bar < stop && *bar != '|')
					bar++;
				char *alt = xasprintf("%.*s%s", (int)(bar - b), b, p + n);
				trie_add(t, alt);
				free(alt);
				b = bar + 1;
			}
			return;
		}
		if (n == 1 && (*p == '|' || *p == ')' || *p == '('))
			n = strlen(p);   /* not an atom list after all: the rest whole */
		t = trie_kid(t, p, n);
		p += n;
	}
	t->end = true;
}

static void trie_write(const struct trie *t, struct buf *b)
{
	if (t->n == 0)
		return;
	bool group = t->n > 1 || t->end;
	if (group)
		buf_puts(b, "(?:");
	for (size_t i = 0; i < t->n; i++) {
		if (i)
			buf_addc(b, '|');
		buf_puts(b, t->kids[i]->atom);
		trie_write(t->kids[i], b);
	}
	if (group)
		buf_puts(b, t->end ? ")?" : ")");
}

static void trie_free(struct trie *t)
{
	for (size_t i = 0; i < t->n; i++)
		trie_free(t->kids[i]);
	free(t->kids);
	free(t->atom);
	free(t);
}

/* The expansion of name in t's scope, or NULL when no set has that name.
 * One still X_BUSY is a cycle. Faults of entries are terms_check's to
 * report. */
static char *joined(struct expansion *x);

static struct expansion *expand(struct terms *t, const char *name, size_t len)
{
	size_t xi = hmap_get(&t->xindex, name, len);
	if (xi != HMAP_NONE)
		return &t->x[xi];
	struct term_set *sets[2] = {own_set(t->base, name, len), own_set(t, name, len)};
	if (!sets[0] && !sets[1])
		return NULL;
	GROW(t->x, t->capx, t->nx + 1);
	xi = t->nx++;
	memset(&t->x[xi], 0, sizeof t->x[xi]);
	t->x[xi].state = X_BUSY;
	hmap_add(&t->xindex, name, len, xi);
	for (int s = 0; s < 2; s++) {
		for (size_t i = 0; sets[s] && i < sets[s]->n; i++) {
			struct term_entry *e = &sets[s]->e[i];
			if (e->text[0] != '@') {
				/* "\@x" is the literal @x (a decorator), not an include. */
				bool lit = e->text[0] == '\\' && e->text[1] == '@';
				add_alt(&t->x[xi], terms_phrase(e->text + lit));
				continue;
			}
			/* An include that is invalid, unknown or in a cycle adds
			 * nothing: terms_check reports it. */
			const char *sub = e->text + 1;
			size_t sl = name_len(sub);
			if (sl == 0 || sub[sl])
				continue;
			struct expansion *inc = expand(t, sub, sl);   /* may move t->x */
			if (!inc || inc->state == X_BUSY)
				continue;
			size_t ni = (size_t)(inc - t->x);
			for (size_t k = 0; k < t->x[ni].n; k++)
				add_alt(&t->x[xi], xstrdup(t->x[ni].alts[k]));
		}
	}
	struct expansion *x = &t->x[xi];
	x->joined = joined(x);
	x->state = X_DONE;
	return x;
}

/* The whole-word alternation of x's alternatives, longest first. */
static char *joined(struct expansion *x)
{
	if (x->n > 1)   /* a set whose every entry failed has no array at all */
		qsort(x->alts, x->n, sizeof *x->alts, cmp_longest);
	struct buf b;
	buf_init(&b);
	buf_puts(&b, "(?<!\\w)(?:");
	struct trie *root = xcalloc(1, sizeof *root);
	for (size_t i = 0; i < x->n; i++)
		trie_add(root, x->alts[i]);
	if (x->n == 0)
		buf_puts(&b, "(*FAIL)");
	else
		trie_write(root, &b);
	trie_free(root);
	buf_puts(&b, ")(?!\\w)");
	return buf_detach(&b);
}

/* Checks the includes of name in t's scope without expanding anything:
 * reports an invalid or unknown include and a cycle at its entry, as
 * expand() would. Returns -1 when no set has the name, 1 when it is on the
 * path being checked (a cycle), else 0. */
struct walk {
	struct hmap seen;        /* name -> state[] */
	unsigned char *state;    /* X_BUSY or X_DONE */
	size_t n, cap;
};

static int check_name(struct terms *t, const char *name, size_t len, struct walk *w, struct diag *d)
{
	size_t i = hmap_get(&w->seen, name, len);
	if (i != HMAP_NONE)
		return w->state[i] == X_BUSY ? 1 : 0;
	struct term_set *sets[2] = {own_set(t->base, name, len), own_set(t, name, len)};
	if (!sets[0] && !sets[1])
		return -1;
	GROW(w->state, w->cap, w->n + 1);
	i = w->n++;
	w->state[i] = X_BUSY;
	hmap_add(&w->seen, name, len, i);
	for (int s = 0; s < 2; s++)
		for (size_t k = 0; sets[s] && k < sets[s]->n; k++) {
			struct term_entry *e = &sets[s]->e[k];
			if (e->text[0] != '@')
				continue;
			const char *sub = e->text + 1;
			size_t sl = name_len(sub);
			if (sl == 0 || sub[sl]) {
				entry_fault(d, e, "invalid term include '@%.*s': use @ and a name of a-z, 0-9 and '-'",
				            sub, strlen(sub));
				continue;
			}
			int r = check_name(t, sub, sl, w, d);
			if (r < 0)
				entry_fault(d, e, "unknown term '@%.*s'", sub, sl);
			else if (r > 0)
				entry_fault(d, e, "term cycle: '@%.*s' includes itself", sub, sl);
		}
	w->state[i] = X_DONE;
	return 0;
}

int terms_check(struct terms *t, struct diag *d)
{
	size_t before = d->n;
	struct walk w = {.n = 0};
	hmap_init(&w.seen);
	for (size_t i = 0; i < t->nsets; i++)
		check_name(t, t->sets[i].name, strlen(t->sets[i].name), &w, d);
	hmap_release(&w.seen);
	free(w.state);
	return d->n > before ? -1 : 0;
}

unsigned long long terms_fingerprint(struct terms *t)
{
	if (!t)
		return 0;
	if (t->print)
		return t->print;
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "%llx|", terms_fingerprint(t->base));
	for (size_t i = 0; i < t->nsets; i++) {
		buf_puts(&b, t->sets[i].name);
		buf_addc(&b, '\0');
		for (size_t k = 0; k < t->sets[i].n; k++) {
			buf_puts(&b, t->sets[i].e[k].text);
			buf_addc(&b, '\0');
		}
		buf_addc(&b, '\1');
	}
	t->print = hash_bytes(b.data, b.len) | 1;   /* never 0, the "not yet" */
	buf_release(&b);
	return t->print;
}

/* ---- patterns ---- */

/* Whether p[i] starts a term reference: an @name not escaped (the caller
 * steps over escapes) and not inside a character class. */
static bool term_at(const char *p, size_t i, bool in_class)
{
	return p[i] == '@' && !in_class && name_len(p + i + 1) > 0;
}

/* Steps over the pattern character at i (an escape is two), tracking
 * character classes; returns the next index. */
static size_t step(const char *p, size_t i, bool *in_class)
{
	if (p[i] == '\\' && p[i + 1])
		return i + 2;
	if (!*in_class && p[i] == '[') {
		*in_class = true;
		size_t j = i + 1;
		if (p[j] == '^')
			j++;
		if (p[j] == ']')
			j++;   /* a ']' first in a class is literal */
		return j;
	}
	if (*in_class && p[i] == ']')
		*in_class = false;
	return i + 1;
}

char *terms_expand(struct terms *t, const char *pattern, size_t *bad)
{
	struct buf b;
	buf_init(&b);
	bool in_class = false;
	size_t i = 0;
	while (pattern[i]) {
		if (term_at(pattern, i, in_class)) {
			size_t len = name_len(pattern + i + 1);
			struct expansion *x = t ? expand(t, pattern + i + 1, len) : NULL;
			if (!x || x->state != X_DONE) {
				*bad = i;
				buf_release(&b);
				return NULL;
			}
			buf_puts(&b, x->joined);
			i += 1 + len;
			continue;
		}
		if (!in_class && strncmp(pattern + i, " .. ", 4) == 0) {
			buf_puts(&b, "[^;]{0,160}?");
			i += 4;
			continue;
		}
		/* An accented letter is its plain one, as in answers: a
		 * ligature's two letters as one atom outside a class ("Æ?"), and
		 * inside one only a single letter not at the end of a range. */
		unsigned char c0 = (unsigned char)pattern[i], c1 = (unsigned char)pattern[i + 1];
		char one[2];
		const char *plain = c0 >= 0xc3 && c0 <= 0xc5 && (c1 & 0xc0) == 0x80 ? utf8_latin_plain(c0, c1, one) : NULL;
		/* (pattern[i + 2] exists: it or a later byte is the NUL.) */
		bool ranged = plain && in_class && ((i > 0 && pattern[i - 1] == '-') || pattern[i + 2] == '-');
		if (plain && !in_class) {
			buf_printf(&b, plain[1] ? "(?:%s)" : "%s", plain);
			i += 2;
			continue;
		}
		if (plain && !plain[1] && !ranged) {
			buf_puts(&b, plain);
			i += 2;
			continue;
		}
		size_t next = step(pattern, i, &in_class);
		buf_add(&b, pattern + i, next - i);
		i = next;
	}
	return buf_detach(&b);
}

char *terms_skeleton(const char *pattern)
{
	char *s = xstrdup(pattern);
	bool in_class = false;
	size_t i = 0;
	while (s[i]) {
		if (term_at(s, i, in_class)) {
			size_t len = name_len(s + i + 1);
			memset(s + i, 'x', len + 1);
			i += len + 1;
			continue;
		}
		i = step(s, i, &in_class);
	}
	return s;
}

/* Adds to out every entry keep() accepts in the set name of t's scope and
 * in the sets it includes (a cycle stops at depth 16: terms_check reports
 * it). */
static void kept_of(const struct terms *t, const char *name, size_t len, bool (*keep)(const char *), struct expansion *out,
                    int depth)
{
	const struct term_set *sets[2] = {own_set(t->base, name, len), own_set(t, name, len)};
	for (int s = 0; s < 2 && depth < 16; s++)
		for (size_t i = 0; sets[s] && i < sets[s]->n; i++) {
			const char *e = sets[s]->e[i].text;
			if (e[0] != '@') {
				bool lit = e[0] == '\\' && e[1] == '@';
				if (keep(e + lit))
					add_alt(out, terms_phrase(e + lit));
				continue;
			}
			size_t sl = name_len(e + 1);
			if (sl && !e[1 + sl])
				kept_of(t, e + 1, sl, keep, out, depth + 1);
		}
}

char *terms_expand_kept(const struct terms *t, const char *const *patterns, size_t n, bool (*keep)(const char *entry))
{
	struct expansion x = {0};
	for (size_t k = 0; k < n && t; k++) {
		const char *p = patterns[k];
		bool in_class = false;
		for (size_t i = 0; p && p[i];) {
			if (term_at(p, i, in_class)) {
				size_t len = name_len(p + i + 1);
				kept_of(t, p + i + 1, len, keep, &x, 0);
				i += 1 + len;
			} else {
				i = step(p, i, &in_class);
			}
		}
	}
	char *out = x.n ? joined(&x) : NULL;
	for (size_t i = 0; i < x.n; i++)
		free(x.alts[i]);
	free(x.alts);
	return out;
}
