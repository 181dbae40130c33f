/*
 * help, version, quit.
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>

#include "config.h"

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
		printf("usage: %s\n%s\n", c->usage, c->help);
		if (c->alias)
			printf("alias: %s\n", c->alias);
		return 0;
	}
	if (!x->in_repl)
		printf("usage: pydojo [OPTIONS] [COMMAND [ARGS...]]\n\nWith no command, pydojo opens its prompt.\n\n");
	printf("Commands:\n");
	for (size_t i = 0; i < commands_count(); i++) {
		const struct command *c = commands_at(i);
		if ((c->flags & CMD_REPL_ONLY) && !x->in_repl)
			continue;
		printf("  %-34s %s\n", c->usage, c->help);
	}
	if (!x->in_repl) {
		struct buf b;
		buf_init(&b);
		commands_global_usage(&b, true);
		printf("\nOptions:\n%s", b.data);
		buf_release(&b);
		printf("\nExit status: 0 ok, 1 an answer or search failed, 2 bad usage or content,\n"
		       "3 environment (database, demo binary, output that could not be written).\n");
	} else
		printf("\nUnique prefixes work ('le gil'). Tab completes commands, topics, section ids and demos.\n");
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
