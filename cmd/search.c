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
};

static void on_hit(const struct search_hit *h, void *arg)
{
	struct search_out *so = arg;
	struct buf *b = &so->b;
	render_styled(b, STYLE_BOLD, h->topic, strlen(h->topic), &so->o);
	buf_puts(b, " › ");
	buf_add_visible(b, h->where, strlen(h->where), 0);
	buf_puts(b, ": ");
	/* Trim the line's indentation; shift the spans with it. */
	size_t skip = 0;
	while (skip < h->line_len && (h->line[skip] == ' ' || h->line[skip] == '\t'))
		skip++;
	size_t at = skip;
	for (size_t i = 0; i < h->nspans; i++) {
		size_t s = h->spans[2 * i] < skip ? skip : h->spans[2 * i], e = h->spans[2 * i + 1];
		if (e < s)
			continue;
		buf_add_visible(b, h->line + at, s - at, 0);
		render_styled(b, STYLE_MATCH, h->line + s, e - s, &so->o);
		at = e;
	}
	buf_add_visible(b, h->line + at, h->line_len - at, 0);
	buf_addc(b, '\n');
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
	struct search_out so;
	buf_init(&so.b);
	so.o = ctx_render_opts(x);
	so.stream = !cmd_paged();
	char *why = NULL;
	long hits = search_catalog(c, re, on_hit, &so, &why);
	regex_free(re);
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
