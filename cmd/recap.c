/*
 * recap: a lesson on one screen before an interview: the key points its
 * quiz grades answers on (the rubric points), grouped by the section that
 * teaches each, then its "In the interview" section. It reads only the
 * catalog.
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog.h"
#include "render.h"
#include "util.h"

/* Whether point text was already listed among the first n of seen. */
static bool listed(const char **seen, size_t n, const char *text)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(seen[i], text) == 0)
			return true;
	return false;
}

/* Appends, as a Markdown list, the points of ls's quiz taught by section
 * id sec (NULL: by no section of ls), each once. Returns how many. */
static size_t points_of(const struct lesson *ls, const char *sec, const char ***seen, size_t *nseen, size_t *cap,
                        struct buf *md)
{
	size_t n = 0;
	for (size_t q = 0; ls->quiz && q < ls->quiz->n; q++) {
		const struct question *qu = &ls->quiz->questions[q];
		for (size_t k = 0; k < qu->nrubric; k++) {
			const struct rubric_point *p = &qu->rubric[k];
			bool ours = sec ? p->section && strcmp(p->section, sec) == 0
			                : !p->section || catalog_section_index(ls, p->section) < 0;
			if (!ours || !p->point || listed(*seen, *nseen, p->point))
				continue;
			GROW(*seen, *cap, *nseen + 1);
			(*seen)[(*nseen)++] = p->point;
			buf_puts(md, "- ");
			buf_puts(md, p->point);
			buf_addc(md, '\n');
			n++;
		}
	}
	return n;
}

static void recap_points(struct buf *b, const struct lesson *ls, const struct render_opts *o)
{
	const char **seen = NULL;
	size_t nseen = 0, cap = 0;
	struct buf md;
	buf_init(&md);
	render_styled(b, STYLE_HEAD, "Key points", 10, o);
	buf_puts(b, "\n\n");
	for (size_t i = 0; i <= ls->nsections; i++) {
		const struct section *s = i < ls->nsections ? &ls->sections[i] : NULL;
		if (s && !s->id)
			continue;
		buf_truncate(&md, 0);
		if (!points_of(ls, s ? s->id : NULL, &seen, &nseen, &cap, &md))
			continue;
		char *head = s ? xasprintf("%s (learn %s %s)", s->title, ls->id, s->id) : xstrdup("Other points");
		render_styled(b, STYLE_BOLD, head, strlen(head), o);
		free(head);
		buf_addc(b, '\n');
		render_markdown(b, md.data, 0, o);
		buf_addc(b, '\n');
	}
	if (!nseen)
		buf_puts(b, ls->quiz ? "No key points: the quiz has no text questions.\n\n"
		                     : "No key points: the topic has no quiz.\n\n");
	buf_release(&md);
	free(seen);
}

/* The lesson's "In the interview" section: id `interview`, or that title. */
static int interview_section(const struct lesson *ls)
{
	int i = catalog_section_index(ls, "interview");
	for (size_t k = 0; i < 0 && k < ls->nsections; k++)
		if (strcasecmp(ls->sections[k].title, "In the interview") == 0)
			i = (int)k;
	return i;
}

static int cmd_recap(struct ctx *x, struct cmd_args *a)
{
	const struct lesson *ls = catalog_lesson(x->cat, a->argv[1]);
	if (!ls)
		return cmd_unknown_topic(x->cat, a->argv[1]);
	struct render_opts o = ctx_render_opts(x);
	struct buf b;
	buf_init(&b);
	char *title = xasprintf("%s: recap", ls->title);
	render_styled(&b, STYLE_BOLD, title, strlen(title), &o);
	free(title);
	buf_puts(&b, "\n\n");
	recap_points(&b, ls, &o);
	int iv = interview_section(ls);
	if (iv >= 0)
		render_section(&b, ls, (size_t)iv, &o);
	else
		buf_printf(&b, "The lesson has no 'In the interview' section; read it all with 'learn %s'.\n", ls->id);
	cmd_page(&b);
	buf_release(&b);
	return 0;
}

static enum cmd_complete_more complete_recap(const struct cmd_complete *c)
{
	return c->npos == 1 ? cmd_complete_topics(c) : COMPLETE_WORDS;
}

const struct command cmd_recap_row = {
	"recap", NULL, "recap TOPIC", "a lesson's key points and its 'In the interview' section, on one screen",
	cmd_recap, CMD_CATALOG, 1, 1, {{0}}, complete_recap,
};
