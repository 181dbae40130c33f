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
};

static void search_text(struct ctx *x, const char *topic, const char *where, const char *text)
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
			struct search_hit h = {topic, where, p, n, x->spans, nspans};
			x->fn(&h, x->arg);
			x->hits++;
		}
		p += n + (nl ? 1 : 0);
	}
}

static void search_strlist(struct ctx *x, const char *topic, const char *where, const struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		search_text(x, topic, where, l->v[i]);
}

long search_catalog(const struct catalog *c, struct regex *re, search_fn fn, void *arg, char **err)
{
	struct ctx x = {re, fn, arg, 0, NULL, NULL, 0};
	for (size_t i = 0; i < catalog_nlessons(c); i++) {
		const struct lesson *ls = catalog_lesson_at(c, i);
		search_text(&x, ls->id, "title", ls->title);
		search_text(&x, ls->id, "summary", ls->summary);
		for (size_t s = 0; s < ls->nsections; s++) {
			const struct section *sec = &ls->sections[s];
			search_text(&x, ls->id, sec->title, sec->title);
			search_text(&x, ls->id, sec->title, sec->body);
			if (sec->code) {
				search_text(&x, ls->id, sec->title, sec->code->source);
				search_text(&x, ls->id, sec->title, sec->code->output);
			}
		}
		if (!ls->quiz)
			continue;
		for (size_t k = 0; k < ls->quiz->n; k++) {
			const struct question *q = &ls->quiz->questions[k];
			if (!q->id)
				continue;
			search_text(&x, ls->id, q->id, q->prompt);
			search_text(&x, ls->id, q->id, q->code);
			search_strlist(&x, ls->id, q->id, &q->choices);
			search_strlist(&x, ls->id, q->id, &q->items);
			search_text(&x, ls->id, q->id, q->explain);
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
