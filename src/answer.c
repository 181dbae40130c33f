/*
 * answer: normalisation, sentences, clauses, words and negators, each one
 * pass over the text (a marker's partner is searched for within a bounded
 * window, and a search that failed is not repeated), so preparing any
 * answer costs time linear in its length.
 */
#include "answer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* How far ahead the closing partner of a backtick run or an emphasis marker
 * is looked for. */
#define SPAN_WINDOW 1024
#define EMPHASIS_WINDOW 256

struct spans {
	struct answer_span *v;
	size_t n, cap;
};

static void spans_add(struct spans *s, size_t start, size_t end)
{
	GROW(s->v, s->cap, s->n + 1);
	s->v[s->n++] = (struct answer_span){start, end};
}

/* ---- normalisation ---- */

struct norm {
	const char *raw;
	size_t len;
	struct buf out;
	struct spans breaks;     /* start == end: a sentence ends here */
	struct spans code;       /* code spans and blocks: never split inside */
	struct spans comments;   /* the comments of code blocks */
	size_t plain_until;      /* indented lines up to here hold no code */
	struct spans items;      /* where each list item's text starts */
	unsigned char *drop;     /* raw bytes of emphasis markers to leave out */
	size_t fail_tick[17];    /* a backtick run of this length found no partner before here */
	size_t fail_emph[2][3];  /* likewise for * and ** (and _) */
};

static bool word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

static void put_space(struct norm *n)
{
	if (n->out.len && n->out.data[n->out.len - 1] != ' ')
		buf_addc(&n->out, ' ');
}

static void hard_break(struct norm *n)
{
	spans_add(&n->breaks, n->out.len, n->out.len);
}

/* The end of a paragraph from i: the first blank line, or the end, or
 * limit, whichever comes first. */
static size_t para_end(const char *s, size_t len, size_t i, size_t limit)
{
	if (len > limit)
		len = limit;
	for (; i < len; i++)
		if (s[i] == '\n') {
			size_t j = i + 1;
			while (j < len && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r'))
				j++;
			if (j >= len || s[j] == '\n')
				return i;
		}
	return len;
}

/* Appends raw[from, to) with every run of white space made one space. */
static void put_collapsed(struct norm *n, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		char c = n->raw[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			put_space(n);
		else
			buf_addc(&n->out, c);
	}
}

/* A backtick run of k at i: the start of its partner run, or 0. */
static size_t tick_partner(struct norm *n, size_t i, size_t k)
{
	size_t slot = k < 16 ? k : 16;
	if (i < n->fail_tick[slot])
		return 0;
	size_t end = para_end(n->raw, n->len, i, i + SPAN_WINDOW);
	for (size_t j = i + k; j < end;) {
		if (n->raw[j] != '`') {
			j++;
			continue;
		}
		size_t r = 0;
		while (j + r < n->len && n->raw[j + r] == '`')
			r++;
		if (r == k)
			return j;
		j += r;
	}
	n->fail_tick[slot] = end;
	return 0;
}

/* An emphasis marker run of k (1 or 2) of c at i, at the start of a word:
 * the start of its closing run, or 0. Never *args, **kwargs, a * b, 2**10
 * or __init__. */
static size_t emphasis_partner(struct norm *n, size_t i, size_t k, char c)
{
	const char *s = n->raw;
	size_t len = n->len;
	if ((i > 0 && (word_byte((unsigned char)s[i - 1]) || s[i - 1] == c)) || i + k >= len ||
	    s[i + k] == ' ' || s[i + k] == '\t' || s[i + k] == '\n' || s[i + k] == c)
		return 0;
	size_t *fail = &n->fail_emph[c == '_'][k];
	if (i < *fail)
		return 0;
	size_t end = para_end(s, len, i, i + EMPHASIS_WINDOW);
	for (size_t j = i + k + 1; j + k <= end; j++) {
		if (s[j] != c)
			continue;
		size_t r = 0;
		while (j + r < len && s[j + r] == c)
			r++;
		if (r == k && s[j - 1] != ' ' && s[j - 1] != '\t' && s[j - 1] != '\n' &&
		    (j + k >= len || !word_byte((unsigned char)s[j + k])))
			return j;
		j += r - 1;
	}
	*fail = end;
	return 0;
}

/* A hedge set apart at raw[i]: "(I think)", ", IIRC," in "it is, IIRC,
 * released". It says nothing about the matter, but splits the words it
 * stands between, so a point or a negation would not reach across it.
 * Returns its length (a comma-set one without its closing comma, which
 * then ends nothing: the caller puts a space), or 0. */
static size_t hedge_aside(const struct norm *n, size_t i)
{
	static const char *const hedges[] = {"i think", "i believe", "i guess", "i suppose", "i'd say", "iirc",
	                                     "afaik", "afair", "if i remember correctly", "if i recall correctly",
	                                     "if i remember right", "if i'm not mistaken", "if im not mistaken",
	                                     "i'm fairly sure", "i'm pretty sure", NULL};
	const char *s = n->raw;
	char open = s[i], close = open == '(' ? ')' : ',';
	size_t j = i + 1;
	while (j < n->len && s[j] == ' ')
		j++;
	for (const char *const *h = hedges; *h; h++) {
		size_t k = strlen(*h);
		if (j + k < n->len && strncasecmp(s + j, *h, k) == 0 && s[j + k] == close)
			return j + k + (open == '(' ? 1 : 0) - i;
	}
	return 0;
}

/* A contraction typed without its apostrophe at raw[i], the start of a
 * word ("doesnt", "cant", "theyre"): appends it with the apostrophe and
 * returns its length, or 0. Casual typing drops it; the rubrics' words
 * and the negators have it. Not the words it could also be: its, id,
 * well, were, hell, ill, lets, shed. */
static size_t bare_contraction(struct norm *n, size_t i)
{
	static const char *const words[] = {
		"don't", "doesn't", "didn't", "isn't", "aren't", "wasn't", "weren't", "can't", "won't", "hasn't",
		"haven't", "hadn't", "shouldn't", "couldn't", "wouldn't", "mustn't", "needn't", "that's",
		"there's", "what's", "they're", "you're", "i've", "you've", "we've", "they've", "i'm", "it'll",
		"that'll", "they'll", "you'll", NULL};
	const char *s = n->raw;
	if (i > 0 && (word_byte((unsigned char)s[i - 1]) || s[i - 1] == '\'' || s[i - 1] == '.'))
		return 0;
	size_t k = i;
	while (k < n->len && ((s[k] | 0x20) >= 'a' && (s[k] | 0x20) <= 'z'))
		k++;
	size_t len = k - i;
	bool upper = true;   /* an acronym ("IM") is not one */
	for (size_t j = i; j < k && upper; j++)
		upper = s[j] >= 'A' && s[j] <= 'Z';
	if (upper && len > 1)
		return 0;
	/* not a name: "cant.py", "dont()" */
	if (len < 2 || len > 8 ||
	    (k < n->len && (word_byte((unsigned char)s[k]) || s[k] == '\'' || s[k] == '(' ||
	                    (s[k] == '.' && k + 1 < n->len && word_byte((unsigned char)s[k + 1])))))
		return 0;
	for (const char *const *w = words; *w; w++) {
		if ((*w)[0] != (s[i] | 0x20))
			continue;   /* most words stop here: the list is lower case */
		const char *apos = strchr(*w, '\'');
		size_t head = (size_t)(apos - *w);
		if (strlen(*w) != len + 1 || strncasecmp(s + i, *w, head) != 0 || strncasecmp(s + i + head, apos + 1, len - head) != 0)
			continue;
		buf_add(&n->out, s + i, head);
		buf_addc(&n->out, '\'');
		buf_add(&n->out, s + i + head, len - head);
		return len;
	}
	return 0;
}

/* A typographic character at raw[i]: appends its plain form and returns its
 * length, or 0. An accented Latin letter is its plain one ("naïve",
 * "café"), so that a rubric's words and its ASCII \w match it. */
static size_t typographic(struct norm *n, size_t i)
{
	const unsigned char *s = (const unsigned char *)n->raw + i;
	size_t left = n->len - i;
	if (left >= 2 && s[0] == 0xc2 && s[1] == 0xa0) {
		put_space(n);
		return 2;
	}
	if (left >= 2 && s[0] >= 0xc3 && s[0] <= 0xc5 && (s[1] & 0xc0) == 0x80) {
		char one[2];
		const char *plain = utf8_latin_plain(s[0], s[1], one);
		if (plain) {
			buf_puts(&n->out, plain);
			return 2;
		}
	}
	if (left < 3)
		return 0;
	if (s[0] == 0xe2 && s[1] == 0x80) {
		switch (s[2]) {
		case 0x98: case 0x99: case 0x9a: case 0x9b:
			buf_addc(&n->out, '\'');
			return 3;
		case 0x9c: case 0x9d: case 0x9e: case 0x9f:
			buf_addc(&n->out, '"');
			return 3;
		case 0x90: case 0x91:
			buf_addc(&n->out, '-');
			return 3;
		case 0x92: case 0x93: case 0x94: case 0x95:
			put_space(n);
			buf_puts(&n->out, "- ");
			return 3;
		case 0xa6:
			buf_puts(&n->out, "...");
			return 3;
		case 0xa8: case 0xa9: case 0xaf:
			put_space(n);
			return 3;
		default:
			if (s[2] >= 0x80 && s[2] <= 0x8b) {   /* U+2000..U+200B */
				put_space(n);
				return 3;
			}
			return 0;
		}
	}
	if ((s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f) || (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80)) {
		put_space(n);
		return 3;
	}
	return 0;
}

/* ---- code written without fences ---- */

/* The end of the line at i (its '\n', or len). */
static size_t eol(const char *s, size_t len, size_t i)
{
	while (i < len && s[i] != '\n')
		i++;
	return i;
}

/* Whether the line s[j, e) starts with keyword kw followed by a blank, a
 * colon, a parenthesis or its end. j may lie past e (the word after a
 * keyword that ends the line): then it does not. */
static bool starts_kw(const char *s, size_t j, size_t e, const char *kw)
{
	size_t k = strlen(kw);
	return j <= e && e - j >= k && memcmp(s + j, kw, k) == 0 &&
	       (j + k == e || s[j + k] == ' ' || s[j + k] == ':' || s[j + k] == '(');
}

/* Where the comment of line s[j, e) starts: its '#' outside a quoted
 * string, or e. */
static size_t comment_at(const char *s, size_t j, size_t e)
{
	char quote = 0;
	for (size_t k = j; k < e; k++) {
		if (quote) {
			if (s[k] == '\\')
				k++;
			else if (s[k] == quote)
				quote = 0;
		} else if (s[k] == '\'' || s[k] == '"') {
			quote = s[k];
		} else if (s[k] == '#') {
			return k;
		}
	}
	return e;
}

/* The end of the code of line s[j, e): before its comment and trailing
 * blanks. */
static size_t code_end(const char *s, size_t j, size_t e)
{
	size_t k = comment_at(s, j, e);
	while (k > j && (s[k - 1] == ' ' || s[k - 1] == '\t' || s[k - 1] == '\r'))
		k--;
	return k;
}

/* Whether s[a, c) holds a call, subscript or assignment, or is one token. */
static bool codeish(const char *s, size_t a, size_t c)
{
	while (a < c && s[a] == ' ')
		a++;
	return memchr(s + a, '(', c - a) || memchr(s + a, '[', c - a) || memchr(s + a, '=', c - a) ||
	       !memchr(s + a, ' ', c - a);
}

/* Whether s[a, c) is names joined by ", " or " as " (import x, y as z). */
static bool names_only(const char *s, size_t a, size_t c)
{
	if (a >= c || !word_byte((unsigned char)s[a]))
		return false;
	for (size_t k = a; k < c; k++)
		if (s[k] == ' ' && !(k > a && s[k - 1] == ',') && !(c - k > 4 && memcmp(s + k, " as ", 4) == 0) &&
		    !(k >= a + 3 && memcmp(s + k - 3, " as", 3) == 0))
			return false;
		else if (!word_byte((unsigned char)s[k]) && !strchr(" ,.", s[k]))
			return false;
	return true;
}

/* Whether the line s[j, e) (j its first non-blank) reads as a Python
 * statement rather than prose: a def, class, import or decorator line, a
 * compound statement ending in ':' with code in its head, a simple
 * statement with code after its keyword, an assignment to a name, a line
 * that is one call, or code followed by a comment. */
static bool python_line(const char *s, size_t j, size_t e)
{
	static const char *const simple[] = {"return", "yield", "raise", "await", "del", "assert", "global", "nonlocal"};
	static const char *const compound[] = {"with", "while", "if", "elif", "except"};
	static const char *const alone[] = {"else:", "try:", "finally:", "pass", "break", "continue", "..."};
	size_t c = code_end(s, j, e);
	if (c == j || (s[c - 1] == '.' && !(c - j >= 3 && memcmp(s + c - 3, "...", 3) == 0)) ||
	    memmem(s + j, c - j, ". ", 2))
		return false;   /* a sentence */
	if (c - j >= 4 && (memcmp(s + j, ">>> ", 4) == 0 || memcmp(s + j, "def ", 4) == 0))
		return true;
	if (starts_kw(s, j, c, "async"))
		return starts_kw(s, j + 6, c, "def") || starts_kw(s, j + 6, c, "with") || starts_kw(s, j + 6, c, "for");
	if (starts_kw(s, j, c, "class")) {
		size_t k = j + 6;
		while (k < c && word_byte((unsigned char)s[k]))
			k++;
		return k > j + 6 && k < c && (s[k] == '(' || s[k] == ':');
	}
	if (starts_kw(s, j, c, "import"))
		return names_only(s, j + 7, c);
	if (starts_kw(s, j, c, "from")) {
		const char *imp = memmem(s + j, c - j, " import ", 8);
		return imp && names_only(s, j + 5, (size_t)(imp - s)) && names_only(s, (size_t)(imp - s) + 8, c);
	}
	for (size_t k = 0; k < ARRAY_SIZE(alone); k++)
		if (c - j == strlen(alone[k]) && memcmp(s + j, alone[k], c - j) == 0)
			return true;
	for (size_t k = 0; k < ARRAY_SIZE(simple); k++)
		if (starts_kw(s, j, c, simple[k]))
			return codeish(s, j + strlen(simple[k]), c);
	for (size_t k = 0; k < ARRAY_SIZE(compound); k++)
		if (starts_kw(s, j, c, compound[k]))
			return s[c - 1] == ':' && codeish(s, j + strlen(compound[k]), c - 1);
	if (starts_kw(s, j, c, "for")) {
		const char *in = memmem(s + j, c - j, " in ", 4);
		return s[c - 1] == ':' && in && names_only(s, j + 4, (size_t)(in - s));
	}
	size_t k = j + (s[j] == '@');
	if (k >= c || !word_byte((unsigned char)s[k]) || (s[k] >= '0' && s[k] <= '9'))
		return false;
	while (k < c && (word_byte((unsigned char)s[k]) || s[k] == '.' || s[k] == '[' || s[k] == ']' || s[k] == '\'' ||
	                 s[k] == '"' || s[k] == ',' || (s[k] == ' ' && s[k - 1] == ',')))
		k++;
	if (s[j] == '@')
		return k == c || s[k] == '(';
	size_t m = k;
	while (m < c && s[m] == ' ')
		m++;
	if (m < c && s[m] == '=' && (m + 1 == c || s[m + 1] != '='))
		return true;   /* an assignment */
	if (m + 1 < c && strchr("+-*/|&%:", s[m]) && s[m + 1] == '=')
		return true;
	if (k < c && s[k] == '(' && strchr(")]:", s[c - 1]))
		return true;   /* one call */
	return c < e && codeish(s, j, c);   /* code, then a comment: cm['x']  # 1 */
}

static size_t indent_of(const char *s, size_t i, size_t e, size_t *first)
{
	size_t w = 0, j = i;
	for (; j < e && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r'); j++)
		w += s[j] == '\t' ? 4 : 1;
	*first = j;
	return w;
}

/* Whether the line before the one starting at i is blank (or there is
 * none), or ends with ':'. */
static bool after_break(const char *s, size_t i, bool *colon)
{
	*colon = false;
	if (i == 0)
		return true;
	size_t k = i - 1;   /* s[k] == '\n' */
	while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t' || s[k - 1] == '\r'))
		k--;
	if (k == 0 || s[k - 1] == '\n')
		return true;
	*colon = s[k - 1] == ':';
	return false;
}

/* Appends the code block raw[from, to) collapsed like put_collapsed, as a
 * code span and sentence of its own, and records its comments (comment_at
 * to the end of the line). */
static void put_code(struct norm *n, size_t from, size_t to)
{
	hard_break(n);
	put_space(n);
	size_t start = n->out.len;
	for (size_t i = from; i < to;) {
		size_t e = eol(n->raw, to, i), h = comment_at(n->raw, i, e);
		put_collapsed(n, i, h);
		if (h < e) {
			size_t c = n->out.len;
			put_collapsed(n, h, e);
			spans_add(&n->comments, c, n->out.len);
		}
		if (e < to)
			put_space(n);
		i = e + 1;
	}
	while (n->out.len > start && n->out.data[n->out.len - 1] == ' ')
		n->out.len--;
	n->out.data[n->out.len] = '\0';
	spans_add(&n->code, start, n->out.len);
	hard_break(n);
}

/* Code written without fences, starting at the line at i: a Markdown
 * indented block (four spaces or a tab, after a blank line or at the
 * start) holding a Python line, or Python lines at the margin after a
 * blank line, a line ending in ':' or at the start, with the indented and
 * comment lines that follow. Returns the end of the block (the end of its
 * last line), or 0 when none starts here. */
static size_t bare_code_end(const char *s, size_t len, size_t i, size_t *plain_until)
{
	if (i < *plain_until)
		return 0;
	bool colon, fresh = after_break(s, i, &colon);
	size_t j, e = eol(s, len, i), w = indent_of(s, i, e, &j);
	bool marked = w >= 4 && fresh;
	if (!marked && !(w == 0 && (fresh || colon) &&
	                 (python_line(s, j, e) ||
	                  (s[j] == '#' && e < len && python_line(s, e + 1, eol(s, len, e + 1))))))
		return 0;
	size_t min = marked ? 4 : 0, end = i, lines = 0;
	bool python = false;
	for (size_t at = i; at < len;) {
		size_t f, le = eol(s, len, at), lw = indent_of(s, at, le, &f), next = le < len ? le + 1 : len;
		if (f == le) {   /* blank: the block goes on if the next line does */
			at = next;
			continue;
		}
		bool py = python_line(s, f, le);
		if (lw < min || (lw == 0 && !py && s[f] != '#' && code_end(s, f, le) == le))
			break;
		python |= py;
		lines++;
		end = le;
		at = next;
	}
	if (!python)
		*plain_until = end;   /* each line is scanned once */
	return python && lines ? end : 0;
}

/* A fence at j (after spaces): the code block it opens, up to its closing
 * fence or the end, is copied whole as its own sentence; returns where the
 * text after the closing fence's line starts, or 0 when no fence is there. */
static size_t fence_at(struct norm *n, size_t j)
{
	const char *s = n->raw;
	size_t len = n->len;
	while (j < len && (s[j] == ' ' || s[j] == '\t'))
		j++;
	if (j + 2 < len && (s[j] == '`' || s[j] == '~') && s[j + 1] == s[j] && s[j + 2] == s[j]) {
		char f = s[j];
		size_t body = j;
		while (body < len && s[body] != '\n')
			body++;
		size_t k = body, close = len, after = len;
		while (k < len) {
			size_t ls = k + 1, m = ls;
			while (m < len && (s[m] == ' ' || s[m] == '\t'))
				m++;
			if (m + 2 < len && s[m] == f && s[m + 1] == f && s[m + 2] == f) {
				close = ls;
				after = m;
				while (after < len && s[after] != '\n')
					after++;
				break;
			}
			k = ls;
			while (k < len && s[k] != '\n')
				k++;
		}
		put_code(n, body < close ? body : close, close);
		return after;
	}
	return 0;
}

/* At the start of a line (i just after a newline, or 0): a blank line, a
 * list item, a heading or a quote marker ends the sentence; a fence opens
 * a code block, copied whole as its own sentence. Returns where inline
 * text of the line starts. */
static size_t line_start(struct norm *n, size_t i)
{
	const char *s = n->raw;
	size_t len = n->len;
	size_t j = i;
	while (j < len && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r'))
		j++;
	if (j >= len || s[j] == '\n') {
		hard_break(n);
		return j;
	}
	size_t fenced = fence_at(n, j);
	if (fenced)
		return fenced;
	size_t bare = bare_code_end(s, len, i, &n->plain_until);
	if (bare) {
		put_code(n, j, bare);
		return bare;
	}
	size_t m = j;
	if ((s[j] == '-' || s[j] == '*' || s[j] == '+') && j + 1 < len && s[j + 1] == ' ') {
		hard_break(n);
		spans_add(&n->items, n->out.len, n->out.len);
		fenced = fence_at(n, j + 2);   /* a list item may open with a fence */
		return fenced ? fenced : j + 2;
	}
	while (m < len && s[m] >= '0' && s[m] <= '9' && m - j < 4)
		m++;
	if (m > j && m + 1 < len && (s[m] == '.' || s[m] == ')') && s[m + 1] == ' ') {
		hard_break(n);
		spans_add(&n->items, n->out.len, n->out.len);
		fenced = fence_at(n, m + 2);
		return fenced ? fenced : m + 2;
	}
	m = j;
	while (m < len && s[m] == '#' && m - j < 6)
		m++;
	if (m > j && m < len && s[m] == ' ') {
		hard_break(n);
		return m + 1;
	}
	if (s[j] == '>')
		return j + 1;
	return j;
}

static void normalise(struct norm *n)
{
	const char *s = n->raw;
	size_t len = n->len;
	size_t i = line_start(n, 0);
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		if (n->drop[i]) {
			i++;
			continue;
		}
		if (c == '\n') {
			/* block-\ning: a word hyphenated at a line break joins. */
			size_t o = n->out.len;
			size_t j = i + 1;
			while (j < len && (s[j] == ' ' || s[j] == '\t'))
				j++;
			if (o >= 2 && n->out.data[o - 1] == '-' && word_byte((unsigned char)n->out.data[o - 2]) &&
			    i > 0 && s[i - 1] == '-' && j < len && s[j] >= 'a' && s[j] <= 'z') {
				buf_truncate(&n->out, o - 1);
				i = j;
				continue;
			}
			put_space(n);
			i = line_start(n, i + 1);
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			put_space(n);
			i++;
			continue;
		}
		if (c == '`') {
			size_t k = 0;
			while (i + k < len && s[i + k] == '`')
				k++;
			/* "Like this: ```python" and code on the next lines: a
			 * fence, though not at the start of its line */
			size_t tag = i + k;
			while (k >= 3 && tag < len && (word_byte((unsigned char)s[tag]) || s[tag] == '+' || s[tag] == '-'))
				tag++;
			size_t fenced = k >= 3 && tag < len && s[tag] == '\n' ? fence_at(n, i) : 0;
			if (fenced) {
				i = fenced;
				continue;
			}
			size_t m = tick_partner(n, i, k);
			if (m) {
				size_t start = n->out.len;
				put_collapsed(n, i + k, m);
				spans_add(&n->code, start, n->out.len);
				i = m + k;
			} else {
				i += k;
			}
			continue;
		}
		if (c == '*' || c == '_') {
			size_t k = 0;
			while (i + k < len && s[i + k] == (char)c)
				k++;
			size_t m = k <= (c == '*' ? 2u : 1u) ? emphasis_partner(n, i, k, (char)c) : 0;
			if (m) {
				memset(n->drop + m, 1, k);
				i += k;
			} else {
				buf_add(&n->out, s + i, k);
				i += k;
			}
			continue;
		}
		if (c >= 0x80) {
			size_t k = typographic(n, i);
			if (k) {
				i += k;
				continue;
			}
		}
		if (c == '(' || c == ',') {
			size_t k = hedge_aside(n, i);
			if (k) {
				put_space(n);
				i += k + (c == ',');   /* and the closing comma */
				continue;
			}
		}
		if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') {
			size_t k = bare_contraction(n, i);
			if (k) {
				i += k;
				continue;
			}
		}
		buf_addc(&n->out, (char)c);
		i++;
	}
}

/* ---- sentences and clauses ---- */

static bool inside(const struct spans *code, size_t *ci, size_t pos)
{
	while (*ci < code->n && code->v[*ci].end <= pos)
		(*ci)++;
	return *ci < code->n && code->v[*ci].start <= pos;
}

static bool is_abbreviation(const char *t, size_t dot)
{
	static const char *const abbr[] = {"e.g", "i.e", "eg", "ie", "vs", "etc", "cf", "approx", "mr", "mrs",
	                                   "ms", "dr", "al", "resp", "incl", "esp", "fig", "viz"};
	size_t b = dot;
	while (b > 0 && ((t[b - 1] >= 'a' && t[b - 1] <= 'z') || (t[b - 1] >= 'A' && t[b - 1] <= 'Z') ||
	                 t[b - 1] == '.'))
		b--;
	size_t n = dot - b;
	if (n == 0 || n > 6 || (b > 0 && word_byte((unsigned char)t[b - 1])))
		return false;
	/* "took 50 ms." ends a sentence: after a number, ms is milliseconds. */
	if (n == 2 && strncasecmp(t + b, "ms", 2) == 0 && b >= 2 && t[b - 1] == ' ' && t[b - 2] >= '0' &&
	    t[b - 2] <= '9')
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(abbr); i++)
		if (strlen(abbr[i]) == n && strncasecmp(t + b, abbr[i], n) == 0)
			return true;
	return false;
}

static void add_trimmed(struct spans *out, const char *t, size_t start, size_t end)
{
	while (start < end && t[start] == ' ')
		start++;
	while (end > start && t[end - 1] == ' ')
		end--;
	if (end > start)
		spans_add(out, start, end);
}

static void split_sentences(const char *t, size_t len, const struct spans *breaks, const struct spans *code,
                            struct spans *out)
{
	size_t start = 0, bi = 0, ci = 0;
	for (size_t i = 0; i < len; i++) {
		while (bi < breaks->n && breaks->v[bi].start <= i) {
			add_trimmed(out, t, start, i);
			start = i;
			bi++;
		}
		char c = t[i];
		if ((c != '.' && c != '!' && c != '?') || inside(code, &ci, i))
			continue;
		size_t j = i + 1;
		while (j < len && (t[j] == '.' || t[j] == '!' || t[j] == '?'))
			j++;
		size_t k = j;
		while (k < len && (t[k] == ')' || t[k] == '"' || t[k] == '\''))
			k++;
		if (k < len && t[k] != ' ') {
			i = j - 1;
			continue;
		}
		if (c == '.' && j - i == 1 && is_abbreviation(t, i))
			continue;
		if (j - i >= 2 && t[i] == '.' && k + 1 < len && !(t[k + 1] >= 'A' && t[k + 1] <= 'Z')) {
			i = j - 1;
			continue;   /* an ellipsis inside a sentence */
		}
		add_trimmed(out, t, start, k);
		start = k;
		i = k;
	}
	add_trimmed(out, t, start, len);
}

static const char *const clause_words[] = {"but", "whereas", "while", "whilst", "although",
                                           "though", "however", "unlike", "instead", "yet"};

/* Whether a clause starts with the word at i (t[i..] is a word start). */
static bool clause_word(const char *t, size_t len, size_t i, size_t sstart)
{
	if (i == sstart || t[i - 1] != ' ')
		return false;
	size_t n = 0;
	while (i + n < len && ((t[i + n] >= 'a' && t[i + n] <= 'z') || (t[i + n] >= 'A' && t[i + n] <= 'Z')))
		n++;
	if (n < 3 || (i + n < len && word_byte((unsigned char)t[i + n])))
		return false;
	bool hit = false;
	for (size_t k = 0; k < ARRAY_SIZE(clause_words) && !hit; k++)
		hit = strlen(clause_words[k]) == n && strncasecmp(t + i, clause_words[k], n) == 0;
	if (!hit)
		return false;
	/* "as though", "even though", "not yet", "as yet" stay whole. */
	size_t p = i - 1, e = p;
	while (p > sstart && t[p - 1] != ' ')
		p--;
	size_t pl = e - p;
	if ((pl == 2 && strncasecmp(t + p, "as", 2) == 0) || (pl == 4 && strncasecmp(t + p, "even", 4) == 0) ||
	    (pl == 3 && strncasecmp(t + p, "not", 3) == 0))
		return false;
	return true;
}

static void split_clauses(const char *t, size_t len, const struct spans *sentences, const struct spans *code,
                          struct spans *out, size_t *first)
{
	size_t ci = 0;
	for (size_t s = 0; s < sentences->n; s++) {
		size_t a = sentences->v[s].start, b = sentences->v[s].end, start = a;
		first[s] = out->n;
		for (size_t i = a; i < b; i++) {
			if (inside(code, &ci, i))
				continue;
			char c = t[i];
			if (c == ';' || (c == ':' && i + 1 < b && t[i + 1] == ' ')) {
				add_trimmed(out, t, start, i + 1);
				start = i + 1;
			} else if (c == ' ' && i + 2 < b && t[i + 1] == '-' && t[i + 2] == ' ') {
				add_trimmed(out, t, start, i);
				start = i + 3;
				i += 2;
			} else if (word_byte((unsigned char)c) && (i == a || !word_byte((unsigned char)t[i - 1])) &&
			           clause_word(t, len, i, a)) {
				add_trimmed(out, t, start, i);
				start = i;
			}
		}
		add_trimmed(out, t, start, b);
		if (out->n == first[s])
			spans_add(out, a, b);   /* never a sentence without a clause */
	}
}

/* ---- words and negators ---- */

static void split_words(const char *t, size_t len, struct spans *out)
{
	size_t i = 0;
	while (i < len) {
		if (!word_byte((unsigned char)t[i])) {
			i++;
			continue;
		}
		size_t s = i;
		while (i < len && (word_byte((unsigned char)t[i]) ||
		                   (t[i] == '\'' && i + 1 < len && word_byte((unsigned char)t[i + 1]))))
			i++;
		spans_add(out, s, i);
	}
}

static bool word_is(const char *t, const struct answer_span *w, const char *s)
{
	/* The first letter first: most words of most answers stop there
	 * (the lists are lower-case ASCII). */
	if ((t[w->start] | 0x20) != s[0])
		return false;
	size_t n = w->end - w->start;
	return strlen(s) == n && strncasecmp(t + w->start, s, n) == 0;
}

/* Whether the word w is a negator on its own (not, never, n't, ...). */
static bool negator_word(const char *t, const struct answer_span *w)
{
	static const char *const words[] = {"not", "never", "no", "neither", "nor", "cannot", "without", "unlike",
	                                    "dont", "doesnt", "isnt", "arent", "wont", "cant", "didnt", "wasnt",
	                                    "werent", "shouldnt", "couldnt", "wouldnt", "hasnt", "havent",
	                                    "hadnt", "mustnt", "neednt", "aint"};
	size_t n = w->end - w->start;
	if (n < 2 || n > 10 || !strchr("nNcCdDiIaAwWhHmMsSuU", t[w->start]))
		return false;   /* most words: one look */
	if (n >= 3 && strncasecmp(t + w->end - 3, "n't", 3) == 0)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (word_is(t, w, words[i]))
			return true;
	return false;
}

/* Finds the negators among words: single words, then the phrases none
 * of, rather than, instead of, as opposed to, false that, wrong to say;
 * without not only, not just, no matter, no doubt, not least. "Nothing"
 * and "nobody" deny only a claim they are the subject of
 * (denying_subject). */
static void find_negators(const char *t, const struct spans *w, const struct spans *code,
                          const struct spans *comments, struct spans *out)
{
	size_t ci = 0, mi = 0;
	static const char *const phrases[][3] = {
		{"rather", "than", NULL}, {"instead", "of", NULL}, {"as", "opposed", "to"},
		{"false", "that", NULL},  {"wrong", "to", "say"}, {"none", "of", NULL},
	};
	static const char *const not_neg[][2] = {
		{"not", "only"}, {"not", "just"}, {"no", "matter"}, {"no", "doubt"}, {"not", "least"},
	};
	for (size_t i = 0; i < w->n; i++) {
		size_t span = 0;
		/* Code says nothing about the claim (`if not ready:`); a
		 * comment in a code block denies only what it says itself. */
		if (inside(code, &ci, w->v[i].start) && !inside(comments, &mi, w->v[i].start))
			continue;
		if (negator_word(t, &w->v[i])) {
			span = 1;
			for (size_t k = 0; k < ARRAY_SIZE(not_neg) && span; k++)
				if (i + 1 < w->n && word_is(t, &w->v[i], not_neg[k][0]) && word_is(t, &w->v[i + 1], not_neg[k][1]))
					span = 0;
			if (span && i + 1 < w->n && word_is(t, &w->v[i], "no") && word_is(t, &w->v[i + 1], "longer"))
				span = 2;
		}
		for (size_t k = 0; k < ARRAY_SIZE(phrases) && !span && strchr("rRiIaAfFwWnN", t[w->v[i].start]); k++) {
			size_t m = 0;
			while (m < 3 && phrases[k][m] && i + m < w->n && word_is(t, &w->v[i + m], phrases[k][m]))
				m++;
			if (m == 3 || !phrases[k][m])
				span = m;
		}
		if (span) {
			spans_add(out, w->v[i].start, w->v[i + span - 1].end);
			i += span - 1;
		}
	}
}

bool answer_has_negator(const char *text)
{
	if (strstr(text, "@not"))
		return true;
	struct spans w = {0};
	size_t len = strlen(text);
	split_words(text, len, &w);
	static const char *const stems[] = {"doesn", "don", "isn", "aren", "won", "can", "didn", "wasn", "weren",
	                                    "shouldn", "couldn", "wouldn", "hasn", "haven", "hadn", "instead",
	                                    "rather"};
	bool found = false;
	for (size_t i = 0; i < w.n && !found; i++) {
		found = negator_word(text, &w.v[i]);
		for (size_t k = 0; k < ARRAY_SIZE(stems) && !found; k++)
			/* "doesn't", "doesn.t", "can[’']t": the stem, then the
			 * apostrophe or what stands for it ("can|" is no negator). */
			found = word_is(text, &w.v[i], stems[k]) && w.v[i].end < len &&
			        strchr("'.[\\\xe2", text[w.v[i].end]) != NULL;
	}
	/* The phrase negators (find_negators): a pattern written as
	 * "instead of (\w+ ){0,3}threads" states the negation itself. */
	static const char *const phrases[][3] = {{"rather", "than", NULL}, {"instead", "of", NULL},
	                                         {"as", "opposed", "to"}};
	for (size_t i = 0; i < w.n && !found; i++)
		for (size_t k = 0; k < ARRAY_SIZE(phrases) && !found; k++) {
			size_t m = 0;
			while (m < 3 && phrases[k][m] && i + m < w.n && word_is(text, &w.v[i + m], phrases[k][m]))
				m++;
			found = m == 3 || (m < 3 && !phrases[k][m]);
		}
	free(w.v);
	return found;
}

bool answer_negating_phrase(const char *text)
{
	if (!answer_has_negator(text))
		return false;
	struct spans w = {0};
	split_words(text, strlen(text), &w);
	bool other = false;
	for (size_t i = 0; i < w.n && !other; i++)
		other = !negator_word(text, &w.v[i]) && !word_is(text, &w.v[i], "longer") &&
		        !word_is(text, &w.v[i], "t");   /* "can't" split at a quote */
	free(w.v);
	return other;
}

/* ---- the prepared answer ---- */

/* Whether the sentence [start, end) opens by denying itself. */
static bool denies_itself(const char *t, size_t start, size_t end)
{
	static const char *const openings[] = {
		"it is not true that ", "it's not true that ", "it isn't true that ", "it is false that ",
		"it's false that ", "it is a myth that ", "it's a myth that ", "it is wrong to say that ",
		"it's wrong to say that ", "it is not the case that ", "it's not the case that ",
		"it is untrue that ", "it's untrue that ", "it is not that ", "it's not that ", "it isn't that ",
	};
	/* "..., but it's a myth that ...": a joining word first */
	static const char *const joins[] = {"but ", "and ", "yet ", "so ", "though "};
	for (size_t j = 0; j < ARRAY_SIZE(joins); j++) {
		size_t n = strlen(joins[j]);
		if (end - start > n && strncasecmp(t + start, joins[j], n) == 0) {
			start += n;
			break;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(openings); i++) {
		size_t n = strlen(openings[i]);
		if (end - start > n && strncasecmp(t + start, openings[i], n) == 0)
			return true;
	}
	return false;
}

/* Whether offset i lies inside one of the code spans. */
static bool in_code(const struct spans *code, size_t i)
{
	for (size_t k = 0; k < code->n; k++)
		if (i >= code->v[k].start && i < code->v[k].end)
			return true;
	return false;
}

/* The denied parts of the sentence [start, end): each part between its
 * semicolons and colons (before a space, outside code) that opens by
 * denying itself, to the end of that part. What follows such a part states
 * a correction ("It isn't true that the OS plays no part: the loop waits
 * in epoll") unless it denies itself too. */
static void find_denials(const char *t, size_t start, size_t end, const struct spans *code, struct spans *out)
{
	size_t part = start;
	for (size_t i = start; i <= end; i++) {
		bool mark = i < end && (t[i] == ';' || (t[i] == ':' && i + 1 < end && t[i + 1] == ' ')) && !in_code(code, i);
		if (i < end && !mark)
			continue;
		size_t from = part;
		while (from < i && t[from] == ' ')
			from++;
		if (from < i && denies_itself(t, from, i))
			spans_add(out, from, i);
		part = i + 1;
	}
}

/* The first index of v[0..n) whose field (start or end) is >= pos. */
static size_t lower_bound(const struct answer_span *v, size_t n, size_t pos, bool by_end)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((by_end ? v[mid].end : v[mid].start) < pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- reported and refuted claims ----
 *
 * A claim the learner reports as someone else's belief ("People often
 * assume each thread has its own GIL"), names as a misconception ("A common
 * myth: ...") or refutes right after ("... That's wrong.", "Does each thread
 * get its own GIL? No: ...") is not asserted: it is neither credited nor
 * rejected, like a sentence that denies itself. */

static bool word_in(const char *t, const struct answer_span *w, const char *const *list)
{
	for (; *list; list++)
		if (word_is(t, w, *list))
			return true;
	return false;
}

/* Whether the words from k (before past) say that what came before is
 * wrong: "that's wrong", "which is a myth", "not true", "this isn't the
 * case", "that's a common mistake". At the head of a clause or sentence
 * (head), a bare "Wrong:" heads what follows instead. After a copula
 * (copula: "... is the classic mistake") a mistake or an error is a
 * verdict too; bare ("the error comes from ...") it is not. */
static bool refutes(const char *t, const struct answer_span *w, size_t k, size_t past, bool head, bool copula)
{
	static const char *const lead[] = {"that", "this", "which", "it", NULL};
	static const char *const leads[] = {"that's", "thats", "it's", "its", NULL};
	static const char *const be[] = {"is", "was", NULL};
	static const char *const bad[] = {"wrong", "false", "incorrect", "untrue", "mistaken", "nonsense", "bogus",
	                                  "myth", "misconception", "misunderstanding", "fallacy", "mistake", "error",
	                                  NULL};
	static const char *const fillers[] = {"a", "an", "the", "simply", "just", "plain", "completely", "totally",
	                                      "common", "popular", "classic", "usual", "typical", "big", "old",
	                                      "actually", "also", NULL};
	static const char *const isnt[] = {"isn't", "isnt", "wasn't", "wasnt", NULL};
	static const char *const truth[] = {"true", "correct", "right", "accurate", "so", NULL};
	static const char *const nouns[] = {"mistake", "error", NULL};   /* only as "that's a mistake" */
	static const char *const it[] = {"it", "it's", "its", NULL};
	/* A person's verdict on what they, or someone, believed: "we were
	 * wrong", "he was mistaken", "I'm wrong". */
	static const char *const persons[] = {"we", "i", "he", "she", "they", "you", NULL};
	static const char *const persons_be[] = {"was", "were", "are", "is", "am", NULL};
	static const char *const persons_c[] = {"we're", "i'm", "he's", "she's", "they're", "you're", NULL};
	static const char *const wrong_person[] = {"wrong", "mistaken", "incorrect", NULL};
	size_t i = k;
	if (i < past && word_in(t, &w[i], persons) && i + 1 < past && word_in(t, &w[i + 1], persons_be))
		i += 2;
	else if (i < past && word_in(t, &w[i], persons_c))
		i += 1;
	if (i > k) {
		for (int n = 0; n < 3 && i < past && word_in(t, &w[i], fillers); n++)
			i++;
		return i < past && word_in(t, &w[i], wrong_person);
	}
	/* "It's a myth that X" denies X, which follows, not what came before. */
	bool it_led = i < past && word_in(t, &w[i], it);
	if (i < past && word_in(t, &w[i], lead) && i + 1 < past && word_in(t, &w[i + 1], be))
		i += 2;
	else if (i < past && word_in(t, &w[i], lead) && i + 1 < past && word_in(t, &w[i + 1], isnt))
		i += 1;
	else if (i < past && word_in(t, &w[i], leads))
		i += 1;
	bool led = copula || i > k, neg = false;
	if (i < past && (word_is(t, &w[i], "not") || word_in(t, &w[i], isnt))) {
		neg = true;
		i++;
	}
	for (int n = 0; n < 3 && i < past && word_in(t, &w[i], fillers); n++)
		i++;
	if (i >= past)
		return false;
	bool hit;
	if (!neg && i == k && head && t[w[i].end] == ':')
		hit = false;   /* "Wrong: ..." heads what follows */
	else if (!neg && !(i == k && head) && w[i].end - w[i].start == 5 && strncmp(t + w[i].start, "False", 5) == 0)
		hit = false;   /* "a == b is False": Python's, not a verdict */
	else if (!neg)
		hit = word_in(t, &w[i], bad) && (led || !word_in(t, &w[i], nouns));
	else if (word_is(t, &w[i], "the"))
		hit = ++i < past && word_is(t, &w[i], "case");   /* "not the case" */
	else
		hit = word_in(t, &w[i], truth);
	return hit && !(it_led && i + 1 < past && word_is(t, &w[i + 1], "that"));
}

/* Whether the words from k (before past) endorse what came before: "they
 * are right", "and that's true", "which is correct", "they're not wrong".
 * A belief reported and then endorsed is the learner's claim. */
static bool endorses(const char *t, const struct answer_span *w, size_t k, size_t past)
{
	static const char *const subj[] = {"they", "that", "this", "which", "it", "he", "she", "we", "people", NULL};
	static const char *const be[] = {"is", "are", "was", "were", NULL};
	/* (normalisation gave "thats" and "theyre" their apostrophe) */
	static const char *const subj_be[] = {"they're", "that's", "it's", "he's", "she's", "we're", NULL};
	static const char *const fillers[] = {"absolutely", "quite", "completely", "totally", "actually", "perfectly",
	                                      "entirely", "100%", "dead", "exactly", "also", NULL};
	static const char *const good[] = {"right", "correct", "true", "accurate", NULL};
	size_t i = k;
	if (i < past && word_in(t, &w[i], subj) && i + 1 < past && word_in(t, &w[i + 1], be))
		i += 2;
	else if (i < past && word_in(t, &w[i], subj_be))
		i += 1;
	else
		return false;
	for (int n = 0; n < 3 && i < past && word_in(t, &w[i], fillers); n++)
		i++;
	if (i + 1 < past && word_is(t, &w[i], "not") && word_is(t, &w[i + 1], "wrong"))
		return true;
	/* "that's right about X" is; "which is true only for X" is not */
	return i < past && word_in(t, &w[i], good) &&
	       !(i + 1 < past && word_in(t, &w[i + 1], (const char *const[]){"only", "for", "when", "if", "in", NULL}));
}

/* Whether the belief verb at word k has a reporting subject among the
 * three words before it ("people think", "many developers assume", "you
 * might expect", a story's past "I assumed", "we had thought") that does
 * not state the belief as the learner's own ("Unlike what many think,
 * ..."; "As most people assume, ..."). */
static bool reported_by(const char *t, const struct answer_span *w, size_t first, size_t k)
{
	static const char *const others[] = {"people", "many", "some", "folks", "beginners", "everyone", "newcomers",
	                                     "developers", "devs", "candidates", "juniors", "others", "tutorials",
	                                     "articles", "someone", "novices", "programmers", "lots", "you'd", "they",
	                                     "one'd", "colleague", "colleagues", "coworker", "coworkers", "teammate",
	                                     "teammates", "junior", "manager", "interviewer", NULL};
	static const char *const modal_subj[] = {"you", "one", NULL};
	static const char *const modals[] = {"might", "may", "could", "would", "will", "probably", NULL};
	static const char *const owning[] = {"what", "as", "like", "unlike", "how", NULL};
	/* "I assumed ...", "we thought ...": a belief a story then corrects */
	static const char *const selves[] = {"i", "we", NULL};
	static const char *const past[] = {"thought", "assumed", "believed", "expected", "imagined", "figured", NULL};
	bool past_belief = word_in(t, &w[k], past);
	for (size_t b = k; b > first && k - b < 3; b--) {
		const struct answer_span *s = &w[b - 1];
		bool subj = word_in(t, s, others) || (past_belief && word_in(t, s, selves));
		if (!subj && word_in(t, s, modal_subj))
			for (size_t m = b; m < k && !subj; m++)
				subj = word_in(t, &w[m], modals);
		if (subj)
			return !(b - 1 > first && word_in(t, &w[b - 2], owning));
	}
	return false;
}

/* Whether the participle at word k reports a belief in the passive: "it's
 * often said that ...", "gather is widely assumed to ..."; not "as is
 * sometimes assumed", which takes the belief over. */
static bool reported_passive(const char *t, const struct answer_span *w, size_t first, size_t k)
{
	static const char *const participles[] = {"said", "thought", "assumed", "believed", "claimed", "argued",
	                                          "imagined", "presumed", NULL};
	static const char *const adverbs[] = {"often", "sometimes", "widely", "commonly", "frequently", "generally",
	                                      "usually", "still", "also", "popularly", "wrongly", "mistakenly",
	                                      NULL};
	static const char *const be[] = {"is", "it's", "are", "was", "were", "been", NULL};
	/* "expected" and "supposed" report only with an adverb: "it's
	 * generally expected to crash", not "it's expected to block". */
	bool hedged = word_is(t, &w[k], "expected") || word_is(t, &w[k], "supposed");
	if (!word_in(t, &w[k], participles) && !hedged)
		return false;
	size_t b = k;
	while (b > first && word_in(t, &w[b - 1], adverbs))
		b--;
	if (hedged && b == k)
		return false;
	if (b == first || !word_in(t, &w[b - 1], be))
		return false;
	return !(b - 1 > first && word_is(t, &w[b - 2], "as"));
}

/* Adds the reported parts of the clause [cs, ce) (words w[first..past)). */
static void reported_in_clause(const char *t, const struct answer_span *w, size_t first, size_t past, size_t ce,
                               size_t next_clause_end, struct spans *out)
{
	static const char *const verbs[] = {"think", "thinks", "thought", "believe", "believes", "believed", "assume",
	                                    "assumes", "assumed", "expect", "expects", "imagine", "imagines",
	                                    "suppose", "claim", "claims", "claimed", "say", "says", "presume",
	                                    "presumes", "insist", "insists", "insisted", "argue", "argues", "argued",
	                                    "told", "expected", "imagined", "figured", NULL};
	static const char *const no_complement[] = {"about", "of", "so", "twice", "again", "through", "hard", "back",
	                                            "up", "over", "otherwise", "out", NULL};   /* "we figured out" */
	static const char *const nouns[] = {"misconception", "misconceptions", "myth", "myths", "misunderstanding",
	                                    "fallacy", NULL};
	static const char *const ideas[] = {"idea", "belief", "notion", "claim", "assumption", "view", NULL};
	int idea_seen = 0;
	for (size_t k = first; k < past; k++) {
		if ((reported_passive(t, w, first, k) || (word_in(t, &w[k], verbs) && reported_by(t, w, first, k))) &&
		    k + 1 < past &&
		    t[w[k].end] != ',' && !word_in(t, &w[k + 1], no_complement) &&
		    !(t[w[k + 1].start] >= '0' && t[w[k + 1].start] <= '9')) {   /* "people expect 2 s" */
			spans_add(out, w[k].end, ce);
			return;
		}
		if (word_in(t, &w[k], nouns) && k + 1 < past && word_is(t, &w[k + 1], "is") && k + 2 < past &&
		    !word_in(t, &w[k + 2], (const char *const[]){"not", "that's", NULL})) {
			spans_add(out, w[k + 1].end, ce);
			return;
		}
		/* a heading of a few words; "X is a common myth: Y" says Y is right */
		if (word_in(t, &w[k], nouns) && k + 1 == past && past - first <= 4 && t[ce - 1] == ':' &&
		    next_clause_end > ce) {
			spans_add(out, ce, next_clause_end);   /* "A common myth: ..." */
			return;
		}
		/* Only the first "the idea that" of a clause is followed to its
		 * end, so a clause costs time linear in its words. */
		if (word_in(t, &w[k], ideas) && k + 1 < past && word_is(t, &w[k + 1], "that") && !idea_seen++)
			for (size_t r = k + 2; r < past; r++)
				if (refutes(t, w, r, past, false, false) && r > k + 2 && word_in(t, &w[r - 1], (const char *const[]){
				                                        "is", "was", "are", "seems", NULL})) {
					spans_add(out, w[k + 1].end, w[r - 1].start);
					return;
				}
	}
}


/* Whether the sentence whose words are w[f..p) opens with a bare denial of
 * the one before: "It doesn't, unless ...", "It isn't.", "They don't:". */
static bool denies_before(const char *t, const struct answer_span *w, size_t f, size_t p)
{
	static const char *const subj[] = {"it", "they", "that", "this", NULL};
	static const char *const aux[] = {"doesn't", "isn't", "aren't", "don't", "won't", "can't", "wasn't",
	                                  "didn't", "doesnt", "isnt", "arent", "dont", "wont", "cant", NULL};
	if (p - f < 2 || !word_in(t, &w[f], subj))
		return false;
	size_t k = f + 1;
	if (word_in(t, &w[k], (const char *const[]){"does", "is", "are", "do", "can", "did", "was", NULL}) &&
	    k + 1 < p && word_is(t, &w[k + 1], "not"))
		k++;
	else if (!word_in(t, &w[k], aux))
		return false;
	char c = t[w[k].end];
	return c == ',' || c == '.' || c == ';' || c == ':' || c == '!' || c == '\0';
}

/* The word index range [*first, *past) of the words inside [start, end). */
static void words_of(const struct spans *w, size_t start, size_t end, size_t *first, size_t *past)
{
	*first = lower_bound(w->v, w->n, start, false);
	*past = lower_bound(w->v, w->n, end + 1, true);
	if (*past < *first)
		*past = *first;
}

/* ---- what a reject does not hold against the learner ----
 *
 * Words that name a trap rather than fall into it: "the classic mistake
 * is ...", "a pitfall: ...", "it's tempting to ...", "naively ...", "often
 * mistaken for ...", "unlike X, which ...", a story's "we had a bug where
 * ..."; and a question. They may state a fact ("The trap is that
 * time.sleep blocks the loop" credits the blocking), so they only keep a
 * reject from firing, from the frame to the next comma or the end of its
 * clause (a question: its whole sentence). */

/* 1 when the word at k opens a pitfall frame, 2 when it is a hedged view
 * of what comes before it ("often mistaken for"), else 0. */
static int pitfall_frame(const char *t, const struct answer_span *w, size_t first, size_t k, size_t past)
{
	static const char *const alone[] = {"tempting", "naive", "naively", "intuitive", "intuitively", "trap",
	                                    "traps", "pitfall", "pitfalls", "mistake", "mistakes", "misleading",
	                                    "misled", "misread", "misreads", "gotcha", "mistakenly", "bug", "bugs",
	                                    "buggy", NULL};
	static const char *const hedges[] = {"often", "commonly", "widely", "frequently", "sometimes", "generally",
	                                     "usually", "easily", NULL};
	static const char *const views[] = {"taken", "treated", "mistaken", "confused", "seen", "regarded", "viewed",
	                                    "described", "misread", "misunderstood", "pictured", NULL};
	static const char *const beliefs[] = {"assume", "think", "believe", "imagine", "suppose", "conclude", NULL};
	if (word_in(t, &w[k], alone))
		return 1;
	if (word_in(t, &w[k], views) && k > first && word_in(t, &w[k - 1], hedges))
		return 2;   /* "often mistaken for", "commonly seen as" */
	if (word_is(t, &w[k], "at") && k + 2 < past && word_is(t, &w[k + 1], "first") &&
	    (word_is(t, &w[k + 2], "sight") || word_is(t, &w[k + 2], "glance")))
		return 1;
	return word_is(t, &w[k], "easy") && k + 2 < past && word_is(t, &w[k + 1], "to") && word_in(t, &w[k + 2], beliefs) ? 1 : 0;
}

/* Where a belief refuted in place ends: "'The GIL makes it atomic' is the
 * classic mistake", "threads run in parallel is simply wrong"; the copula
 * before the verdict at word k (words w[from..past)), or 0. Not after a
 * word that turns the verdict on something else ("saying otherwise is
 * wrong", "so the idea is a myth"). */
static size_t refuted_in_place(const char *t, const struct answer_span *w, size_t from, size_t k, size_t past)
{
	static const char *const be[] = {"is", "was", "are", NULL};
	static const char *const blockers[] = {"so", "but", "because", "since", "therefore", "hence", "thus", "yet",
	                                       "which", "otherwise", "opposite", "contrary", "saying", "say",
	                                       "claiming", "thinking", "believing", "assuming", "idea", "claim",
	                                       "belief", "notion", "assumption", "view", NULL};
	if (k <= from || !word_in(t, &w[k], be) || k + 1 >= past || !refutes(t, w, k + 1, past, false, true))
		return 0;
	for (size_t i = from; i < k; i++)
		if (word_in(t, &w[i], blockers))
			return 0;
	return w[k].start;
}

/* Adds to out the parts of each clause and sentence a reject passes over. */
static void find_unasserted(const char *t, const struct spans *s, const struct spans *c, const struct spans *w,
                            struct spans *out)
{
	static const char *const relatives[] = {"which", "who", "where", NULL};
	for (size_t i = 0; i < s->n; i++)
		if (t[s->v[i].end - 1] == '?')
			spans_add(out, s->v[i].start, s->v[i].end);
	for (size_t k = 0; k < c->n; k++) {
		size_t f, p, ce = c->v[k].end;
		words_of(w, c->v[k].start, ce, &f, &p);
		const char *comma = NULL;   /* the next comma after word m, found once per comma */
		size_t part = f;            /* the first word after the last comma */
		for (size_t m = f; m < p; m++) {
			if (m > f && memchr(t + w->v[m - 1].end, ',', w->v[m].start - w->v[m - 1].end))
				part = m;
			size_t upto = refuted_in_place(t, w->v, part, m, p);
			if (upto) {
				spans_add(out, w->v[part].start, upto);
				continue;
			}
			if (!comma || comma < t + w->v[m].end) {
				comma = memchr(t + w->v[m].end, ',', ce - w->v[m].end);
				if (!comma)
					comma = t + ce;   /* none: the clause's end */
			}
			size_t stop = (size_t)(comma - t);
			int frame = pitfall_frame(t, w->v, f, m, p);
			if (frame) {
				/* "X is often mistaken for Y" does not say X is Y */
				spans_add(out, frame == 2 ? c->v[k].start : w->v[m].start, stop);
				break;
			}
			/* "unlike X, which ...": the relative clause speaks of X */
			if (word_is(t, &w->v[m], "unlike") && stop < ce) {
				size_t r = lower_bound(w->v, w->n, stop, false);
				if (r < p && word_in(t, &w->v[r], relatives)) {
					const char *next = memchr(t + w->v[r].end, ',', ce - w->v[r].end);
					spans_add(out, w->v[m].start, next ? (size_t)(next - t) : ce);
					break;
				}
			}
		}
	}
}

/* Whether sentence i is endorsed by a later clause of its own ("..., and
 * they are right") or by the next sentence, a short one ("That's true."). */
static bool endorsed_after(const char *t, const struct spans *s, const struct spans *c, const size_t *first_clause,
                           const struct spans *w, size_t i)
{
	static const char *const joins[] = {"and", "but", NULL};
	size_t c0 = first_clause[i], c1 = i + 1 < s->n ? first_clause[i + 1] : c->n, f, p;
	for (size_t k = c0 + 1; k < c1; k++) {
		words_of(w, c->v[k].start, c->v[k].end, &f, &p);
		if (endorses(t, w->v, f < p && word_in(t, &w->v[f], joins) ? f + 1 : f, p))
			return true;
	}
	/* "..., and they are right" inside one clause (no clause break at "and") */
	words_of(w, s->v[i].start, s->v[i].end, &f, &p);
	for (size_t m = f + 1; m < p; m++)
		if (word_is(t, &w->v[m], "and") && t[w->v[m].start - 2] == ',' && endorses(t, w->v, m + 1, p))
			return true;
	if (i + 1 == s->n)
		return false;
	words_of(w, s->v[i + 1].start, s->v[i + 1].end, &f, &p);
	return p - f <= 8 && endorses(t, w->v, f, p);
}

/* Adds to out the reported and refuted parts of every sentence. */
static void find_reported(const char *t, const struct spans *s, const struct spans *c, const size_t *first_clause,
                          const struct spans *w, struct spans *out)
{
	static const char *const answer_no[] = {"no", "nope", NULL};
	/* "Not quite.", "Not really", "Not at all" */
	static const char *const not_quite[] = {"quite", "really", "exactly", "necessarily", "at", NULL};
	static const char *const joins[] = {"but", "and", NULL};
	for (size_t i = 0; i < s->n; i++) {
		size_t c0 = first_clause[i], c1 = i + 1 < s->n ? first_clause[i + 1] : c->n;
		size_t f, p;
		bool endorsed = endorsed_after(t, s, c, first_clause, w, i);
		for (size_t k = c0; k < c1; k++) {
			words_of(w, c->v[k].start, c->v[k].end, &f, &p);
			if (!endorsed)
				reported_in_clause(t, w->v, f, p, c->v[k].end, k + 1 < c1 ? c->v[k + 1].end : 0, out);
			/* "..., but that's a myth"; "... - which is wrong" */
			size_t r = f < p && word_in(t, &w->v[f], joins) ? f + 1 : f;
			if (k > c0 && refutes(t, w->v, r, p, true, false))
				spans_add(out, s->v[i].start, c->v[k].start);
			/* "..., which is wrong" inside a clause */
			for (size_t m = f + 1; m < p; m++)
				if (word_is(t, &w->v[m], "which") && t[w->v[m].start - 2] == ',' &&
				    refutes(t, w->v, m, p, false, false)) {
					spans_add(out, c->v[k].start, w->v[m].start);
					break;
				}
		}
		if (i + 1 == s->n)
			continue;
		/* The next sentence refutes this one: "That's wrong." "Not
		 * true." Or answers this question no: "... own GIL? No, ..." */
		words_of(w, s->v[i + 1].start, s->v[i + 1].end, &f, &p);
		bool question = t[s->v[i].end - 1] == '?';
		size_t cf, cp;   /* the first clause of the next sentence (every sentence has one) */
		words_of(w, c->v[c1].start, c->v[c1].end, &cf, &cp);
		bool answered_no = f < p && (word_in(t, &w->v[f], answer_no) ||
		                             (word_is(t, &w->v[f], "not") && f + 1 < p && word_in(t, &w->v[f + 1], not_quite)));
		if (f < p && ((refutes(t, w->v, f, p, true, false) && (p - f <= 8 || cp - cf <= 8)) ||
		              (question && answered_no) || denies_before(t, w->v, f, p)))
			spans_add(out, s->v[i].start, s->v[i].end);
	}
}

static int by_start(const void *x, const void *y)
{
	const struct answer_span *a = x, *b = y;
	return a->start < b->start ? -1 : a->start > b->start ? 1 : (a->end > b->end) - (a->end < b->end);
}

/* Sorts the spans and merges those that overlap. */
static void merge_spans(struct spans *d)
{
	if (d->n < 2)
		return;
	qsort(d->v, d->n, sizeof *d->v, by_start);
	size_t n = 1;
	for (size_t i = 1; i < d->n; i++) {
		if (d->v[i].start <= d->v[n - 1].end) {
			if (d->v[i].end > d->v[n - 1].end)
				d->v[n - 1].end = d->v[i].end;
		} else {
			d->v[n++] = d->v[i];
		}
	}
	d->n = n;
}

void answer_prepare(struct answer *a, const char *raw)
{
	memset(a, 0, sizeof *a);
	a->raw = raw;
	struct norm n;
	memset(&n, 0, sizeof n);
	n.raw = raw;
	n.len = strlen(raw);
	n.drop = xcalloc(n.len + 1, 1);
	buf_init(&n.out);
	normalise(&n);
	while (n.out.len && n.out.data[n.out.len - 1] == ' ')
		buf_truncate(&n.out, n.out.len - 1);
	a->len = n.out.len;
	a->text = buf_detach(&n.out);
	struct spans s = {0}, c = {0}, w = {0}, g = {0};
	split_sentences(a->text, a->len, &n.breaks, &n.code, &s);
	a->clause_of_sentence = xcalloc(s.n + 1, sizeof *a->clause_of_sentence);
	split_clauses(a->text, a->len, &s, &n.code, &c, a->clause_of_sentence);
	split_words(a->text, a->len, &w);
	find_negators(a->text, &w, &n.code, &n.comments, &g);
	struct spans d = {0};
	for (size_t i = 0; i < s.n; i++)
		find_denials(a->text, s.v[i].start, s.v[i].end, &n.code, &d);
	/* A later clause, or a later phrase after a comma, that denies
	 * itself: "X, but it's a myth that Y"; "X, and it's a myth that Y". */
	for (size_t i = 0, k = 0; k < c.n; k++) {
		while (i + 1 < s.n && a->clause_of_sentence[i + 1] <= k)
			i++;
		if (k > a->clause_of_sentence[i] && denies_itself(a->text, c.v[k].start, c.v[k].end)) {
			spans_add(&d, c.v[k].start, c.v[k].end);
			continue;
		}
		for (size_t j = c.v[k].start; j + 2 < c.v[k].end; j++)
			if (a->text[j] == ',' && a->text[j + 1] == ' ' && !in_code(&n.code, j) &&
			    denies_itself(a->text, j + 2, c.v[k].end)) {
				spans_add(&d, j + 2, c.v[k].end);
				break;
			}
	}
	find_reported(a->text, &s, &c, a->clause_of_sentence, &w, &d);
	merge_spans(&d);
	a->denials = d.v;
	a->ndenials = d.n;
	struct spans u = {0};
	find_unasserted(a->text, &s, &c, &w, &u);
	merge_spans(&u);
	a->unasserted = u.v;
	a->nunasserted = u.n;
	a->sentences = s.v;
	a->nsentences = s.n;
	a->clauses = c.v;
	a->nclauses = c.n;
	a->words = w.v;
	a->nwords = w.n;
	a->negators = g.v;
	a->nnegators = g.n;
	a->comments = n.comments.v;
	a->ncomments = n.comments.n;
	a->list_item = xcalloc(s.n + 1, sizeof *a->list_item);
	for (size_t i = 0, k = 0; i < s.n; i++) {
		while (k < n.items.n && n.items.v[k].start + 1 < s.v[i].start)
			k++;
		a->list_item[i] = k < n.items.n && n.items.v[k].start <= s.v[i].start;
	}
	free(n.items.v);
	free(n.breaks.v);
	free(n.code.v);
	free(n.drop);
}

void answer_release(struct answer *a)
{
	free(a->text);
	free(a->sentences);
	free(a->clauses);
	free(a->words);
	free(a->negators);
	free(a->clause_of_sentence);
	free(a->denials);
	free(a->unasserted);
	free(a->comments);
	free(a->list_item);
	memset(a, 0, sizeof *a);
}

size_t answer_sentence_at(const struct answer *a, size_t pos)
{
	size_t i = lower_bound(a->sentences, a->nsentences, pos + 1, false);
	return i ? i - 1 : 0;
}

bool answer_unasserted(const struct answer *a, size_t pos)
{
	size_t i = lower_bound(a->unasserted, a->nunasserted, pos + 1, false);
	return i && pos < a->unasserted[i - 1].end;
}

size_t answer_clause_at(const struct answer *a, size_t pos)
{
	size_t i = lower_bound(a->clauses, a->nclauses, pos + 1, false);
	return i ? i - 1 : 0;
}

size_t answer_words_between(const struct answer *a, size_t from, size_t to)
{
	if (to <= from)
		return 0;
	size_t first = lower_bound(a->words, a->nwords, from, false);
	size_t past = lower_bound(a->words, a->nwords, to + 1, true);
	return past > first ? past - first : 0;
}

/* Whether the words in [from, to) include a subject pronoun. */
static bool pronoun_between(const struct answer *a, size_t from, size_t to)
{
	static const char *const pronouns[] = {"it", "they", "this", "these", "those", "we", "you", "he", "she", "one",
	                                       "it's", "they're", "we're", "you're", NULL};
	for (size_t i = lower_bound(a->words, a->nwords, from, false); i < a->nwords && a->words[i].end <= to; i++)
		if (word_in(a->text, &a->words[i], pronouns))
			return true;
	return false;
}

/* Whether the words in [from, to) include and or but. Not or: a negator
 * denies both sides of it ("doesn't search or run the file again"). */
static bool conjunction_between(const struct answer *a, size_t from, size_t to)
{
	for (size_t i = lower_bound(a->words, a->nwords, from, false); i < a->nwords && a->words[i].end <= to; i++) {
		size_t n = a->words[i].end - a->words[i].start;
		const char *w = a->text + a->words[i].start;
		if (n == 3 && (strncasecmp(w, "and", 3) == 0 || strncasecmp(w, "but", 3) == 0))
			return true;
	}
	return false;
}

/* Where a short aside right after a negator ends ("isn't, as is sometimes
 * assumed, something the GIL rules out"): just past its second comma, when
 * the negator is followed by a comma, the aside holds at most 6 words and
 * no third comma stands before the match at start; else 0. */
static size_t aside_end(const struct answer *a, size_t neg_end, size_t start)
{
	const char *t = a->text;
	if (t[neg_end] != ',')
		return 0;
	const char *second = memchr(t + neg_end + 1, ',', start - neg_end - 1);
	if (!second)
		return 0;
	size_t past = (size_t)(second - t) + 1;
	if (memchr(t + past, ',', start - past) || answer_words_between(a, neg_end, past) > 6)
		return 0;
	return past;
}

/* Whether the negator g inside a match opens a "not even" aside that
 * closes before the match's end: "nothing, not even a signal, can
 * interrupt" stresses the claim around it, where ", never the GIL," denies
 * what it names. The aside opens after a comma or a dash, closes at the
 * next one, and holds at most 8 words. */
static bool inner_aside(const struct answer *a, const struct answer_span *g, size_t end)
{
	const char *t = a->text;
	if (g->start < 2 || t[g->start - 1] != ' ' || (t[g->start - 2] != ',' && t[g->start - 2] != '-') ||
	    g->end + 6 > end || strncasecmp(t + g->end, " even ", 6) != 0)
		return false;
	for (size_t i = g->end; i + 1 < end; i++)
		if ((t[i] == ',' || (t[i] == '-' && t[i - 1] == ' ')) && t[i + 1] == ' ')
			return answer_words_between(a, g->start, i) <= 8;
	return false;
}

/* Whether the match at start says "only" or "just" right after a "not":
 * "not only" affirms what follows ("not only does it wait, it releases
 * the GIL"), so it is no negator, but it denies a claim that is itself
 * the "only" ("checks the whole chain, not only direct parents"). */
static bool denied_only(const struct answer *a, size_t start)
{
	const char *t = a->text;
	size_t n = strspn(t + start, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
	if (!((n == 4 && strncasecmp(t + start, "only", 4) == 0) || (n == 4 && strncasecmp(t + start, "just", 4) == 0)))
		return false;
	size_t e = start;
	while (e > 0 && t[e - 1] == ' ')
		e--;
	return e < start && e >= 3 && strncasecmp(t + e - 3, "not", 3) == 0 &&
	       (e == 3 || !word_byte((unsigned char)t[e - 4]));
}

bool answer_negated(const struct answer *a, size_t start, size_t end, bool inner_ok,
                    const struct answer_span *others, size_t n, const struct answer_span *own, size_t nown)
{
	size_t denial = lower_bound(a->denials, a->ndenials, start + 1, false);
	if (denial && start < a->denials[denial - 1].end)
		return true;
	if (denied_only(a, start))
		return true;
	return answer_negated_in_clause(a, start, end, inner_ok, others, n, own, nown);
}

bool answer_negator_in(const struct answer *a, size_t start, size_t end)
{
	size_t i = lower_bound(a->negators, a->nnegators, start, false);
	return i < a->nnegators && a->negators[i].start < end;
}

/* Whether the word right before start, in the clause from from, is
 * "nothing" or "nobody": the claim's subject, which denies it
 * ("Nothing stays in GPU memory after the worker stops"). Anywhere else
 * they deny only their own words ("the second loop got nothing"), so
 * they are not negators. */
static bool denying_subject(const struct answer *a, size_t start, size_t from)
{
	size_t i = lower_bound(a->words, a->nwords, start, false);
	if (i == 0 || a->words[i - 1].start < from)
		return false;
	const struct answer_span *w = &a->words[i - 1];
	for (size_t k = w->end; k < start; k++)
		if (a->text[k] != ' ')
			return false;
	return word_is(a->text, w, "nothing") || word_is(a->text, w, "nobody");
}

bool answer_negated_in_clause(const struct answer *a, size_t start, size_t end, bool inner_ok,
                              const struct answer_span *others, size_t n, const struct answer_span *own, size_t nown)
{
	size_t clause = answer_clause_at(a, start);
	size_t from = a->nclauses ? a->clauses[clause].start : 0;
	if (denying_subject(a, start, from))
		return true;
	for (size_t i = lower_bound(a->negators, a->nnegators, from, false); i < a->nnegators; i++) {
		const struct answer_span *g = &a->negators[i];
		if (g->start >= end)
			break;
		bool owned = false;
		for (size_t k = 0; k < nown && !owned; k++)
			owned = g->start >= own[k].start && g->end <= own[k].end;
		if (owned)
			continue;
		if (g->end > start) {
			if (!inner_ok && !inner_aside(a, g, end))
				return true;
			continue;
		}
		/* A comma, or the end of a parenthesis the negator is in ("yields
		 * values (not futures) in input order"), stops it. */
		if (answer_clause_at(a, g->start) != clause || memchr(a->text + g->end, ')', start - g->end))
			continue;
		size_t m = lower_bound(a->comments, a->ncomments, g->start + 1, false);
		if (m && g->start < a->comments[m - 1].end && start >= a->comments[m - 1].end)
			continue;   /* a comment's negator stops at its line's end */
		size_t from_g = g->end;
		const char *comma = memchr(a->text + g->end, ',', start - g->end);
		if (comma && !(from_g = aside_end(a, g->end, start)))
			continue;
		if (answer_words_between(a, from_g, start) > 4)
			continue;
		/* "no" qualifies a noun: "uses no CPU and releases the GIL"
		 * says nothing against what follows the "and"; nor does "doesn't
		 * crash and no traceback is printed" deny a claim that states its
		 * own negation. */
		if (((g->end - g->start == 2 && strncasecmp(a->text + g->start, "no", 2) == 0) || inner_ok) &&
		    conjunction_between(a, g->end, start))
			continue;
		/* "Unlike threads it yields": unlike governs its object, not the
		 * subject after it and what that subject does. */
		if (g->end - g->start == 6 && strncasecmp(a->text + g->start, "unlike", 6) == 0 &&
		    pronoun_between(a, g->end, start))
			continue;
		bool other = false;
		for (size_t k = 0; k < n && !other; k++)
			other = others[k].start >= g->end && others[k].start < start &&
			        answer_words_between(a, g->end, others[k].start) <= 2;
		if (!other)
			return true;
	}
	return false;
}

/* Whether subject is the object of an "unlike" (at most 4 words after it,
 * no comma between) that a relative clause follows ("Unlike select and
 * poll, which scan every descriptor, epoll ..."), and claim lies in that
 * clause, before its closing comma: the clause says claim of subject. */
bool answer_unlike_relative(const struct answer *a, struct answer_span subject, struct answer_span claim)
{
	static const char *const relatives[] = {"which", "who", "that", NULL};
	const char *t = a->text;
	if (claim.start < subject.end || answer_clause_at(a, subject.start) != answer_clause_at(a, claim.start))
		return false;
	size_t g = lower_bound(a->negators, a->nnegators, subject.start, true);
	if (g == 0)
		return false;
	const struct answer_span *un = &a->negators[g - 1];
	if (un->end - un->start != 6 || strncasecmp(t + un->start, "unlike", 6) != 0 ||
	    answer_clause_at(a, un->start) != answer_clause_at(a, subject.start) ||
	    memchr(t + un->end, ',', subject.start - un->end) || answer_words_between(a, un->end, subject.start) > 4)
		return false;
	const char *comma = memchr(t + subject.end, ',', claim.start - subject.end);
	if (!comma || answer_words_between(a, subject.end, (size_t)(comma - t)) > 4)
		return false;
	size_t r = lower_bound(a->words, a->nwords, (size_t)(comma - t), false);
	return r < a->nwords && word_in(t, &a->words[r], relatives) && a->words[r].end <= claim.start &&
	       !memchr(t + a->words[r].end, ',', claim.end - a->words[r].end);
}

/* ---- partial credit ---- */

size_t answer_longest_run(const size_t *seq, size_t n, bool *in_run)
{
	if (n == 0)
		return 0;
	/* O(n^2): an order question has a handful of items. len[k] is the
	 * longest increasing run ending at k, prev[k] its previous member. */
	size_t *len = xcalloc(n, sizeof *len), *prev = xcalloc(n, sizeof *prev);
	size_t best = 0;
	for (size_t k = 0; k < n; k++) {
		len[k] = 1;
		prev[k] = SIZE_MAX;
		for (size_t j = 0; j < k; j++)
			if (seq[j] < seq[k] && len[j] + 1 > len[k]) {
				len[k] = len[j] + 1;
				prev[k] = j;
			}
		if (len[k] > len[best])
			best = k;
	}
	size_t run = len[best];
	memset(in_run, 0, n * sizeof *in_run);
	for (size_t k = best; k != SIZE_MAX; k = prev[k])
		in_run[k] = true;
	free(len);
	free(prev);
	return run;
}

/* The lines of s as grading sees them: trailing blanks left out of each,
 * trailing blank lines dropped. Returns a new array; *n lines. */
static struct answer_diff_line *split_lines(const char *s, size_t *n)
{
	struct answer_diff_line *v = NULL;
	size_t cap = 0, count = 0, kept = 0;
	for (const char *p = s; *p;) {
		size_t len = strcspn(p, "\n");
		const char *next = p[len] ? p + len + 1 : p + len;
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r'))
			len--;
		GROW(v, cap, count + 1);
		v[count++] = (struct answer_diff_line){' ', p, len};
		if (len)
			kept = count;
		p = next;
	}
	*n = kept;
	return v;
}

static bool same_line(const struct answer_diff_line *a, const struct answer_diff_line *b)
{
	return a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
}

size_t answer_diff_lines(const char *expected, const char *answer, struct answer_diff_line **out)
{
	size_t ne, na;
	struct answer_diff_line *e = split_lines(expected, &ne), *a = split_lines(answer, &na);
	struct answer_diff_line *d = xcalloc(ne + na + 1, sizeof *d);
	size_t nd = 0;
	/* lcs[i][j]: the longest common run of e[i..] and a[j..]. */
	size_t w = na + 1;
	uint32_t *lcs = (ne + 1) * w <= ANSWER_DIFF_MAX ? xcalloc((ne + 1) * w, sizeof *lcs) : NULL;
	for (size_t i = ne; lcs && i-- > 0;)
		for (size_t j = na; j-- > 0;)
			lcs[i * w + j] = same_line(&e[i], &a[j]) ? lcs[(i + 1) * w + j + 1] + 1
			               : lcs[(i + 1) * w + j] >= lcs[i * w + j + 1] ? lcs[(i + 1) * w + j]
			                                                             : lcs[i * w + j + 1];
	size_t i = 0, j = 0;
	while (lcs && i < ne && j < na) {
		if (same_line(&e[i], &a[j])) {
			d[nd++] = a[j];
			i++;
			j++;
		} else if (lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) {
			d[nd] = e[i++];
			d[nd++].op = '-';
		} else {
			d[nd] = a[j++];
			d[nd++].op = '+';
		}
	}
	for (; i < ne; i++) {
		d[nd] = e[i];
		d[nd++].op = '-';
	}
	for (; j < na; j++) {
		d[nd] = a[j];
		d[nd++].op = '+';
	}
	free(lcs);
	free(e);
	free(a);
	*out = d;
	return nd;
}

/* The lines of s as grading compares them, joined by newlines, with
 * whitespace left out (space, tab, newline) when spaces, and every " made '
 * when quotes; a new string. */
static char *loosened(const char *s, bool spaces, bool quotes)
{
	size_t n;
	struct answer_diff_line *v = split_lines(s, &n);
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		if (i && !spaces)
			buf_addc(&b, '\n');
		for (size_t k = 0; k < v[i].len; k++) {
			char c = v[i].text[k];
			if (spaces && (c == ' ' || c == '\t' || c == '\r'))
				continue;
			buf_addc(&b, quotes && c == '"' ? '\'' : c);
		}
	}
	free(v);
	buf_addc(&b, '\0');
	b.len--;
	char *t = buf_detach(&b);
	buf_release(&b);
	return t;
}

static bool equal_loosened(const char *x, const char *y, bool spaces, bool quotes)
{
	char *lx = loosened(x, spaces, quotes), *ly = loosened(y, spaces, quotes);
	bool eq = strcmp(lx, ly) == 0;
	free(lx);
	free(ly);
	return eq;
}

enum answer_near answer_output_near(const char *expected, const char *answer)
{
	if (equal_loosened(expected, answer, false, false))
		return ANSWER_NEAR_NONE;   /* not wrong at all */
	if (equal_loosened(expected, answer, false, true))
		return ANSWER_NEAR_QUOTES;
	if (equal_loosened(expected, answer, true, false))
		return ANSWER_NEAR_SPACE;
	if (equal_loosened(expected, answer, true, true))
		return ANSWER_NEAR_BOTH;
	return ANSWER_NEAR_NONE;
}
