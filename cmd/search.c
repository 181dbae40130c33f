/*
 * search: lessons and questions, line by line, with a PCRE2 pattern
 * (case-insensitive).
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "regex.h"
#include "render.h"
#include "search.h"
#include "util.h"

struct search_out {
	struct buf b;
	struct render_opts o;
	bool stream;   /* not for a pager: written out as it grows */
	struct regex *re;
	size_t *spans, cap;
};

/* A line as shown: its text and the matches in it. */
struct shown {
	const char *s;
	size_t n;
	const size_t *spans;
	size_t nspans;
};

/* Markdown prose rendered to plain text (no '*' or '**' markup; inline code
 * keeps its backticks, as rendered without colour), the matches found again
 * in it. Returns false (nothing to show) when the match was in the markup
 * only, or when the render failed. */
static bool rendered(struct search_out *so, const struct search_hit *h, struct buf *r, struct shown *out)
{
	char *md = xstrndup(h->line, h->line_len);
	struct render_opts plain = {.width = 1 << 20, .color = false};
	int rc = render_markdown(r, md, 0, &plain);
	free(md);
	if (rc < 0)
		return false;
	/* One line: a list item or a quote may have become several. */
	while (r->len && r->data[r->len - 1] == '\n')
		r->data[--r->len] = '\0';
	for (size_t i = 0; i < r->len; i++)
		if (r->data[i] == '\n')
			r->data[i] = ' ';
	struct regex_scan scan = {.checked = true};
	size_t n = 0, s, e;
	bool hit = false;
	char *err = NULL;
	enum regex_result res;
	while ((res = regex_next(so->re, r->data ? r->data : "", r->len, &scan, &s, &e, &err)) == REGEX_MATCH) {
		hit = true;
		scan.nonempty = true;
		if (s == e)
			continue;
		GROW(so->spans, so->cap, 2 * n + 2);
		so->spans[2 * n] = s;
		so->spans[2 * n + 1] = e;
		n++;
	}
	free(err);
	if (!hit || res == REGEX_LIMIT || (h->nspans && !n))
		return false;
	*out = (struct shown){r->data, r->len, so->spans, n};
	return true;
}

/* The window of whole words around the first match (or from skip, the
 * line's indentation, when only empty ones hit) that fits cols columns:
 * [*from, *to). The match itself is kept whole even when wider. */
static void window(const struct shown *t, size_t skip, size_t cols, size_t *from, size_t *to)
{
	size_t a = t->nspans && t->spans[0] > skip ? t->spans[0] : skip;
	size_t b = t->nspans && t->spans[1] > a ? t->spans[1] : a;
	while (a > skip && t->s[a - 1] != ' ')
		a--;
	while (b < t->n && t->s[b] != ' ')
		b++;
	for (bool grew = true; grew;) {
		grew = false;
		if (b < t->n) {
			size_t nb = b + 1;
			while (nb < t->n && t->s[nb] != ' ')
				nb++;
			if (utf8_width(t->s + a, nb - a) + 4 <= cols) {
				b = nb;
				grew = true;
			}
		}
		if (a > skip) {
			size_t na = a - 1;
			while (na > skip && t->s[na - 1] != ' ')
				na--;
			if (utf8_width(t->s + na, b - na) + 4 <= cols) {
				a = na;
				grew = true;
			}
		}
	}
	*from = a;
	*to = b;
}

static void on_hit(const struct search_hit *h, void *arg)
{
	struct search_out *so = arg;
	struct buf *b = &so->b;
	size_t mark = b->len;
	render_styled(b, STYLE_BOLD, h->topic, strlen(h->topic), &so->o);
	buf_puts(b, " › ");
	buf_add_visible(b, h->where, strlen(h->where), 0);
	buf_puts(b, ": ");
	size_t used = render_width(b->data + mark, b->len - mark);
	struct buf r;
	buf_init(&r);
	struct shown t = {h->line, h->line_len, h->spans, h->nspans};
	if (!h->markdown || !rendered(so, h, &r, &t))
		t = (struct shown){h->line, h->line_len, h->spans, h->nspans};
	/* Trim the line's indentation. */
	size_t skip = 0;
	while (skip < t.n && (t.s[skip] == ' ' || t.s[skip] == '\t'))
		skip++;
	/* A line too long for the terminal: whole words around the match. */
	size_t from = skip, to = t.n;
	size_t cols = (size_t)so->o.width > used + 40 ? (size_t)so->o.width - used : 40;
	if (utf8_width(t.s + skip, t.n - skip) > cols) {
		window(&t, skip, cols, &from, &to);
	}
	if (from > skip)
		buf_puts(b, "… ");
	size_t at = from;
	for (size_t i = 0; i < t.nspans; i++) {
		size_t s = t.spans[2 * i] < at ? at : t.spans[2 * i], e = t.spans[2 * i + 1] > to ? to : t.spans[2 * i + 1];
		if (e <= s)
			continue;
		buf_add_visible(b, t.s + at, s - at, 0);
		render_styled(b, STYLE_MATCH, t.s + s, e - s, &so->o);
		at = e;
	}
	buf_add_visible(b, t.s + at, to - at, 0);
	if (to < t.n)
		buf_puts(b, " …");
	buf_addc(b, '\n');
	buf_release(&r);
	/* Thousands of hits need not sit in one growing buffer when no pager
	 * will take them. */
	if (so->stream && b->len >= 64 * 1024) {
		fwrite(b->data, 1, b->len, stdout);
		buf_truncate(b, 0);
	}
}

static int cmd_search(struct ctx *x, struct cmd_args *a)
{
	char **argv = a->argv;
	struct catalog *c = x->cat;
	char *err = NULL;
	size_t off = 0;
	struct regex *re = regex_compile(argv[1], REGEX_CASELESS, &err, &off);
	char e[ECHO_SIZE];
	if (!re) {
		fprintf(stderr, "error: invalid pattern '%s': %s at offset %zu\n", str_echo(e, argv[1]), err, off);
		free(err);
		return 2;
	}
	struct search_out so = {.re = re};
	buf_init(&so.b);
	so.o = ctx_render_opts(x);
	so.stream = !cmd_paged();
	char *why = NULL;
	long hits = search_catalog(c, re, on_hit, &so, &why);
	regex_free(re);
	free(so.spans);
	int rc = 0;
	if (hits < 0) {
		fprintf(stderr, "error: search stopped: %s (simplify the pattern)\n", why);
		free(why);
		rc = 2;
	} else if (hits == 0) {
		printf("no matches for '%s'\n", str_echo(e, argv[1]));
		rc = 1;
	} else {
		buf_printf(&so.b, "%ld matching line%s\n", hits, hits == 1 ? "" : "s");
		cmd_page(&so.b);
	}
	buf_release(&so.b);
	return rc;
}

const struct command cmd_search_row = {
	"search", NULL, "search REGEX", "search lessons and questions (PCRE2, case-insensitive)",
	cmd_search, CMD_CATALOG, 1, 1, {{0}}, NULL,
};
