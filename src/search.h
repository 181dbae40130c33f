/*
 * search: regular-expression search over the catalog's text (lesson titles,
 * summaries, section bodies and code; question prompts, choices, items,
 * code and explanations), line by line, through the regex module and its
 * limits. It reports hits through a callback and never prints.
 */
#ifndef PYDOJO_SEARCH_H
#define PYDOJO_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

struct catalog;
struct regex;

struct search_hit {
	const char *topic;
	const char *where;      /* a section title or a question id */
	const char *line;       /* the matching line (not NUL-terminated) */
	size_t line_len;
	size_t *spans;          /* pairs of byte offsets into line, nspans pairs: the
	                         * non-empty matches (none when only empty ones hit) */
	size_t nspans;
	bool markdown;          /* the line is Markdown prose (not code, not
	                         * inside a fenced block), so it may be rendered */
};

typedef void (*search_fn)(const struct search_hit *hit, void *arg);

/* Calls fn for each matching line. Returns the number of hits, or -1 when a
 * match hit the regex limits (*err set to a static message). */
long search_catalog(const struct catalog *c, struct regex *re, search_fn fn, void *arg, char **err);

#endif
