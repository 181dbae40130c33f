/*
 * help, version, quit.
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "render.h"

/* A command's row, wrapped: its usage in a column, its help beside it, or
 * under it when the terminal is too narrow for both. */
static void help_row(struct buf *b, const char *usage, const char *help, int width)
{
	char *line;
	bool beside = width - 37 >= 30;
	int hang = beside ? 37 : 6;
	if (beside && strlen(usage) <= 34) {
		line = xasprintf("  %-34s %s", usage, help);
	} else {
		/* A long usage takes its own line; the help starts in its column. */
		char *u = xasprintf("  %s", usage);
		render_wrap(b, u, 4, width);
		free(u);
		line = xasprintf("%*s%s", hang, "", help);
	}
	render_wrap(b, line, hang, width);
	free(line);
}

/* Lines of "  NAME  text", each wrapped under its text's column. */
static void wrap_columns(struct buf *b, const char *text, int width)
{
	while (*text) {
		size_t n = strcspn(text, "\n");
		char *line = xstrndup(text, n);
		char *gap = strstr(line + strspn(line, " "), "  ");
		int hang = gap ? (int)(gap - line + strspn(gap, " ")) : 4;
		render_wrap(b, line, hang < width / 2 ? hang : 4, width);
		free(line);
		text += n + (text[n] == '\n');
	}
}

static int cmd_help(struct ctx *x, struct cmd_args *a)
{
	if (a->argc == 2) {
		char *why = NULL;
		const struct command *c = commands_find(a->argv[1], x->in_repl, &why);
		if (!c) {
			fprintf(stderr, "error: %s\n", why);
			free(why);
			return 2;
		}
		int width = ctx_render_opts(x).width;
		struct buf b;
		buf_init(&b);
		buf_printf(&b, "usage: %s\n", c->usage);
		render_wrap(&b, c->help, 0, width);
		if (c->alias)
			buf_printf(&b, "alias: %s\n", c->alias);
		/* The figures of stats and topics, defined once. */
		if (strcmp(c->name, "stats") == 0 || strcmp(c->name, "topics") == 0) {
			buf_addc(&b, '\n');
			render_wrap(&b, cmd_stats_figures, 2, width);
			if (strcmp(c->name, "stats") == 0)
				render_wrap(&b, "retrievability ('stats --json'): the mean recall chance now of the "
				                "answered cards alone, near 100% just after an answer, right or wrong.",
				            2, width);
		}
		fwrite(b.data, 1, b.len, stdout);
		buf_release(&b);
		return 0;
	}
	if (!x->in_repl)
		printf("usage: pydojo [OPTIONS] [COMMAND [ARGS...]]\n\nWith no command, pydojo opens its prompt.\n\n");
	printf("Commands:\n");
	int width = ctx_render_opts(x).width;
	struct buf rows;
	buf_init(&rows);
	for (size_t i = 0; i < commands_count(); i++) {
		const struct command *c = commands_at(i);
		if ((c->flags & CMD_REPL_ONLY) && !x->in_repl)
			continue;
		help_row(&rows, c->usage, c->help, width);
	}
	fwrite(rows.data, 1, rows.len, stdout);
	buf_release(&rows);
	if (!x->in_repl) {
		struct buf b;
		buf_init(&b);
		commands_global_usage(&b, true);
		struct buf w;
		buf_init(&w);
		wrap_columns(&w, b.data, width);
		printf("\nOptions:\n%s", w.data);
		buf_release(&b);
		buf_truncate(&w, 0);
		render_wrap(&w, "\nExit status: 0 ok, 1 an answer or search failed, 2 bad usage or content, "
		                "3 environment (database, demo binary, output that could not be written).", 0, width);
		fputs(w.data, stdout);
		buf_release(&w);
	} else {
		struct buf w;
		buf_init(&w);
		render_wrap(&w, "\nUnique prefixes work ('le gil'). Tab completes commands, topics, section ids and demos.",
		            0, width);
		fputs(w.data, stdout);
		buf_release(&w);
	}
	return 0;
}

static int cmd_version(struct ctx *x, struct cmd_args *a)
{
	(void)x;
	(void)a;
	printf("pydojo %s\n", PYDOJO_VERSION);
	return 0;
}

static int cmd_quit(struct ctx *x, struct cmd_args *a)
{
	(void)a;
	x->quit = true;
	return 0;
}

static enum cmd_complete_more complete_commands(const struct cmd_complete *c)
{
	for (size_t i = 0; c->npos == 1 && i < commands_count(); i++) {
		const struct command *k = commands_at(i);
		if (c->x->in_repl || !(k->flags & CMD_REPL_ONLY))
			c->add(c->state, k->name);
	}
	return COMPLETE_WORDS;
}

const struct command cmd_help_row = {
	"help", "?", "help [COMMAND]", "list the commands, or describe one",
	cmd_help, 0, 0, 1, {{0}}, complete_commands,
};

const struct command cmd_version_row = {
	"version", NULL, "version", "print the version",
	cmd_version, 0, 0, 0, {{0}}, NULL,
};

const struct command cmd_quit_row = {
	"quit", "q", "quit", "leave pydojo (Ctrl-D works too)",
	cmd_quit, CMD_REPL_ONLY, 0, 0, {{0}}, NULL,
};
