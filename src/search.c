/*
 * search: one pass over every text field; each line is searched on its own so
 * hits can be shown as 'topic › where: line'. Lines before the next byte the
 * pattern needs are skipped without calling the matcher (regex_skip), which
 * would say "no match" there without trying.
 */
#include "search.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "regex.h"
#include "util.h"

struct ctx {
	struct regex *re;
	search_fn fn;
	void *arg;
	long hits;
	char *err;
	size_t *spans;
	size_t cap;
	/* The fences counted so far in the text being searched, up to at. */
	const char *fence_text, *fence_at;
	bool fenced;
};

/* Whether a line opens or closes a fenced code block (``` or ~~~ after at
 * most three spaces). */
static bool is_fence(const char *p, size_t n)
{
	size_t i = 0;
	while (i < n && i < 3 && p[i] == ' ')
		i++;
	return n - i >= 3 && (memcmp(p + i, "```", 3) == 0 || memcmp(p + i, "~~~", 3) == 0);
}

/* Whether line (inside Markdown text) is prose: not a fence line, not
 * inside a fenced block. The fences are counted from where the last count
 * stopped in the same text (lines are skipped, hits come in order). */
static bool in_prose(struct ctx *x, const char *text, const char *line, size_t n)
{
	if (x->fence_text != text || x->fence_at > line) {
		x->fence_text = x->fence_at = text;
		x->fenced = false;
	}
	for (const char *p = x->fence_at; p < line;) {
		const char *nl = memchr(p, '\n', (size_t)(line - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(line - p);
		x->fenced ^= is_fence(p, len);
		p += len + 1;
	}
	x->fence_at = line;
	return !x->fenced && !is_fence(line, n);
}

static void search_text(struct ctx *x, const char *topic, const char *where, const char *text, bool md)
{
	if (!text || x->err)
		return;
	const char *p = text, *end = text + strlen(text);
	struct regex_skip k = {0};
	while (p < end) {
		/* Lines before the first byte a match needs cannot match: jump
		 * to the line holding it. */
		const char *at = regex_skip(x->re, p, end, &k);
		if (at == end)
			break;
		if (at > p) {
			const char *nl = memrchr(p, '\n', (size_t)(at - p));
			if (nl)
				p = nl + 1;
		}
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		/* The loader refused any file that is not UTF-8. */
		struct regex_scan scan = {.checked = true};
		size_t nspans = 0, s, e;
		bool hit = false;
		enum regex_result rc;
		while ((rc = regex_next(x->re, p, n, &scan, &s, &e, &x->err)) == REGEX_MATCH) {
			hit = true;
			/* The line is a hit; only what can be highlighted is
			 * left to find. */
			scan.nonempty = true;
			if (s == e)
				continue;
			GROW(x->spans, x->cap, 2 * nspans + 2);
			x->spans[2 * nspans] = s;
			x->spans[2 * nspans + 1] = e;
			nspans++;
		}
		if (rc == REGEX_LIMIT)
			return;
		if (hit) {
			struct search_hit h = {topic, where, p, n, x->spans, nspans, md && in_prose(x, text, p, n)};
			x->fn(&h, x->arg);
			x->hits++;
		}
		p += n + (nl ? 1 : 0);
	}
}

static void search_strlist(struct ctx *x, const char *topic, const char *where, const struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		search_text(x, topic, where, l->v[i], true);
}

long search_catalog(const struct catalog *c, struct regex *re, search_fn fn, void *arg, char **err)
{
	struct ctx x = {.re = re, .fn = fn, .arg = arg};
	for (size_t i = 0; i < catalog_nlessons(c); i++) {
		const struct lesson *ls = catalog_lesson_at(c, i);
		search_text(&x, ls->id, "title", ls->title, false);
		search_text(&x, ls->id, "summary", ls->summary, true);
		for (size_t s = 0; s < ls->nsections; s++) {
			const struct section *sec = &ls->sections[s];
			search_text(&x, ls->id, sec->title, sec->title, false);
			search_text(&x, ls->id, sec->title, sec->body, true);
			if (sec->code) {
				search_text(&x, ls->id, sec->title, sec->code->source, false);
				search_text(&x, ls->id, sec->title, sec->code->output, false);
			}
		}
		if (!ls->quiz)
			continue;
		for (size_t k = 0; k < ls->quiz->n; k++) {
			const struct question *q = &ls->quiz->questions[k];
			if (!q->id)
				continue;
			search_text(&x, ls->id, q->id, q->prompt, true);
			search_text(&x, ls->id, q->id, q->code, false);
			search_strlist(&x, ls->id, q->id, &q->choices);
			search_strlist(&x, ls->id, q->id, &q->items);
			search_text(&x, ls->id, q->id, q->explain, true);
		}
	}
	free(x.spans);
	if (x.err) {
		if (err)
			*err = x.err;
		else
			free(x.err);
		return -1;
	}
	return x.hits;
}
