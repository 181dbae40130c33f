/*
 * learn, next, prev, sections: reading a lesson, whole or a section at a
 * time, and walking the open one at the prompt.
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog.h"
#include "render.h"
#include "util.h"

static int find_section(const struct lesson *ls, const char *arg)
{
	char *end;
	long n = strtol(arg, &end, 10);
	if (*arg && !*end)
		return n >= 1 && (size_t)n <= ls->nsections ? (int)n - 1 : -1;
	/* An id names one section for good: numbers shift when one is inserted. */
	int found = catalog_section_index(ls, arg);
	if (found >= 0)
		return found;
	for (size_t i = 0; i < ls->nsections; i++)
		if (strncasecmp(ls->sections[i].title, arg, strlen(arg)) == 0) {
			if (found >= 0)
				return -2;
			found = (int)i;
		}
	return found;
}

static int show_lesson(struct ctx *x, const struct lesson *ls, int section)
{
	struct render_opts o = ctx_render_opts(x);
	struct buf b;
	buf_init(&b);
	render_lesson(&b, ls, section, x->cat, &o);
	if (x->in_repl && section >= 0 && (size_t)section + 1 < ls->nsections)
		buf_puts(&b, "Type 'next' for the next section, 'sections' for the list.\n");
	cmd_page(&b);
	buf_release(&b);
	x->cur = ls;
	x->cur_section = section;
	return 0;
}

static int cmd_learn(struct ctx *x, struct cmd_args *a)
{
	int argc = a->argc;
	char **argv = a->argv;
	struct catalog *c = x->cat;
	const struct lesson *ls = catalog_lesson(c, argv[1]);
	if (!ls)
		return cmd_unknown_topic(c, argv[1]);
	int section = -1;
	if (argc == 3) {
		section = find_section(ls, argv[2]);
		char e[ECHO_SIZE];
		if (section == -2) {
			fprintf(stderr, "error: '%s' matches several sections of '%s' (see 'sections')\n", str_echo(e, argv[2]),
			        ls->id);
			return 2;
		}
		if (section < 0) {
			fprintf(stderr, "error: no section '%s' in '%s' (1 to %zu, an id or a title; see 'sections %s')\n",
			        str_echo(e, argv[2]), ls->id, ls->nsections, ls->id);
			return 2;
		}
	}
	return show_lesson(x, ls, section);
}

static int step_section(struct ctx *x, int delta)
{
	if (!x->cur) {
		fprintf(stderr, "error: no lesson open (start one with 'learn TOPIC')\n");
		return 2;
	}
	int s = x->cur_section + delta;
	if (x->cur_section < 0)
		s = delta > 0 ? 0 : (int)x->cur->nsections - 1;
	if (s < 0 || (size_t)s >= x->cur->nsections) {
		fprintf(stderr, "error: %s section of '%s'\n", delta > 0 ? "that was the last" : "this is the first",
		        x->cur->id);
		return 2;
	}
	return show_lesson(x, x->cur, s);
}

static int cmd_next(struct ctx *x, struct cmd_args *a)
{
	(void)a;
	return step_section(x, 1);
}

static int cmd_prev(struct ctx *x, struct cmd_args *a)
{
	(void)a;
	return step_section(x, -1);
}

static int cmd_sections(struct ctx *x, struct cmd_args *a)
{
	const struct lesson *ls = x->cur;
	if (a->argc == 2 && !(ls = catalog_lesson(x->cat, a->argv[1])))
		return cmd_unknown_topic(x->cat, a->argv[1]);
	if (!ls) {
		fprintf(stderr, "error: no lesson open (start one with 'learn TOPIC')\n");
		return 2;
	}
	struct buf b;
	buf_init(&b);
	buf_add_visible(&b, ls->title, strlen(ls->title), 0);
	buf_addc(&b, '\n');
	for (size_t i = 0; i < ls->nsections; i++) {
		const char *t = ls->sections[i].title;
		buf_printf(&b, "%s %2zu. ", ls == x->cur && (int)i == x->cur_section ? ">" : " ", i + 1);
		buf_add_visible(&b, t, strlen(t), 0);
		buf_puts(&b, ls->sections[i].code ? "  (example)" : "");
		if (ls->sections[i].id)
			buf_printf(&b, "  [%s]", ls->sections[i].id);
		buf_addc(&b, '\n');
	}
	fwrite(b.data, 1, b.len, stdout);
	buf_release(&b);
	return 0;
}

/* learn TOPIC SECTION: the topic ids, then the topic's section ids. */
static enum cmd_complete_more complete_learn(const struct cmd_complete *c)
{
	if (c->npos == 1)
		return cmd_complete_topics(c);
	struct catalog *cat = ctx_catalog(c->x);
	const struct lesson *ls = c->npos == 2 && cat ? catalog_lesson(cat, c->pos[1]) : NULL;
	for (size_t i = 0; ls && i < ls->nsections; i++)
		if (ls->sections[i].id)
			c->add(c->state, ls->sections[i].id);
	return COMPLETE_WORDS;
}

static enum cmd_complete_more complete_topic(const struct cmd_complete *c)
{
	return c->npos == 1 ? cmd_complete_topics(c) : COMPLETE_WORDS;
}

const struct command cmd_learn_row = {
	"learn", NULL, "learn TOPIC [SECTION]", "read a lesson, or one section (number, id or title)",
	cmd_learn, CMD_CATALOG, 1, 2, {{0}}, complete_learn,
};

const struct command cmd_next_row = {
	"next", NULL, "next", "the next section of the open lesson",
	cmd_next, CMD_REPL_ONLY, 0, 0, {{0}}, NULL,
};

const struct command cmd_prev_row = {
	"prev", NULL, "prev", "the previous section of the open lesson",
	cmd_prev, CMD_REPL_ONLY, 0, 0, {{0}}, NULL,
};

const struct command cmd_sections_row = {
	"sections", NULL, "sections [TOPIC]", "the sections of a lesson, with their ids",
	cmd_sections, CMD_CATALOG, 0, 1, {{0}}, complete_topic,
};
