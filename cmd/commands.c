/*
 * commands: the command table, and what every command gets from it: lookup,
 * the one option parser, usage errors, the loading of what a row needs, and
 * completion (the REPL's and bash's). The commands themselves are in their
 * own files (cmd.h).
 */
#include "cmd.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- the table ----
 *
 * To add a command, write one function `static int cmd_NAME(struct ctx *,
 * struct cmd_args *)` and one row `const struct command cmd_NAME_row` beside
 * it in cmd/NAME.c (name, alias, usage, help, the function, what it needs,
 * its positional arguments, its options, its completion), declare the row in
 * cmd.h and list it here. Help, lookup, option parsing, usage errors and
 * completion at the prompt and in bash follow from the row; add the command
 * to doc/pydojo.1's COMMANDS (a test compares the two). */
static const struct command *const table[] = {
	&cmd_topics_row,
	&cmd_learn_row,
	&cmd_next_row,
	&cmd_prev_row,
	&cmd_sections_row,
	&cmd_recap_row,
	&cmd_demo_row,
	&cmd_quiz_row,
	&cmd_review_row,
	&cmd_interview_row,
	&cmd_practice_row,
	&cmd_undo_row,
	&cmd_forget_row,
	&cmd_search_row,
	&cmd_stats_row,
	&cmd_report_row,
	&cmd_export_row,
	&cmd_disputes_row,
	&cmd_fsrs_row,
	&cmd_check_row,
	&cmd_help_row,
	&cmd_version_row,
	&cmd_quit_row,
};

const struct cmd_opt commands_global_opts[] = {
	{"--content", OPT_DIR, "a folder", 0, 0, false},
	{"--db", OPT_STRING, "a path", 0, 0, false},
	{"--no-color", OPT_FLAG, NULL, 0, 0, false},
	{"--no-fuzz", OPT_FLAG, NULL, 0, 0, false},
	CMD_OPT_SEED,
	{"--version", OPT_FLAG, NULL, 0, 0, false},
	{"--help", OPT_FLAG, NULL, 0, 0, false},
	{"-h", OPT_FLAG, NULL, 0, 0, false},
};
const size_t commands_nglobal_opts = ARRAY_SIZE(commands_global_opts);

/* What help and the usage line say of each global option, in the order of
 * commands_global_opts (a unit test holds the two together), ended by a
 * NULL name; NULL help: not listed (-h, the short --help). */
const struct cmd_opt_doc commands_global_docs[] = {
	{"--content", "DIR", "add a content root (lessons/, quizzes/); repeatable"},
	{"--db", "PATH", "progress database (default $XDG_DATA_HOME/pydojo/progress.db)"},
	{"--no-color", NULL, "never colour the output (as does NO_COLOR)"},
	{"--no-fuzz", NULL, "schedule reviews without interval fuzz"},
	{"--seed", "N", "fix every random choice"},
	{"--version", NULL, "print the version"},
	{"--help", NULL, "this text"},
	{"-h", NULL, NULL},
	{NULL, NULL, NULL},
};

void commands_global_usage(struct buf *b, bool with_help)
{
	for (const struct cmd_opt_doc *o = commands_global_docs; o->name; o++) {
		if (!o->help)
			continue;
		if (with_help) {
			char head[32];
			snprintf(head, sizeof head, "%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
			buf_printf(b, "  %-15s %s\n", head, o->help);
		} else if (strcmp(o->name, "--version") != 0 && strcmp(o->name, "--help") != 0) {
			buf_printf(b, " [%s%s%s]", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		}
	}
}

size_t commands_count(void)
{
	return ARRAY_SIZE(table);
}

const struct command *commands_at(size_t i)
{
	return i < ARRAY_SIZE(table) ? table[i] : NULL;
}

static bool repl_only(const struct command *c)
{
	return c->flags & CMD_REPL_ONLY;
}

const struct command *commands_find(const char *name, bool in_repl, char **err)
{
	*err = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		const struct command *c = table[i];
		if (strcmp(c->name, name) != 0 && !(c->alias && strcmp(c->alias, name) == 0))
			continue;
		if (repl_only(c) && !in_repl) {
			*err = xasprintf("'%s' works only at the pydojo> prompt", c->name);
			return NULL;
		}
		return c;
	}

	const struct command *hit = NULL;
	struct buf cands;
	buf_init(&cands);
	size_t n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		if (repl_only(table[i]) && !in_repl)
			continue;
		if (*name && str_starts(table[i]->name, name)) {
			hit = table[i];
			buf_printf(&cands, "%s%s", n++ ? ", " : "", table[i]->name);
		}
	}
	if (n == 1) {
		buf_release(&cands);
		return hit;
	}
	if (n > 1) {
		char e[ECHO_SIZE];
		*err = xasprintf("'%s' is ambiguous: %s", str_echo(e, name), cands.data);
		buf_release(&cands);
		return NULL;
	}
	buf_release(&cands);
	const char *best = NULL;
	size_t bestd = 3;
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		if (repl_only(table[i]) && !in_repl)
			continue;   /* suggested only where it works */
		size_t d = edit_distance(name, table[i]->name, 2);
		if (d < bestd) {
			bestd = d;
			best = table[i]->name;
		}
	}
	char e[ECHO_SIZE];
	if (best)
		*err = xasprintf("unknown command '%s' (did you mean '%s'?)", str_echo(e, name), best);
	else
		*err = xasprintf("unknown command '%s' (try 'help')", str_echo(e, name));
	return NULL;
}

/* ---- options ---- */

static size_t nopts(const struct command *c)
{
	size_t n = 0;
	while (n < CMD_MAX_OPTS && c->opts[n].name)
		n++;
	return n;
}

const struct cmd_val *cmd_opt(const struct cmd_args *a, const char *name)
{
	for (size_t i = 0; i < nopts(a->cmd); i++)
		if (strcmp(a->cmd->opts[i].name, name) == 0)
			return &a->opt[i];
	assert(!"an option the row does not declare");
	abort();
}

bool cmd_flag(const struct cmd_args *a, const char *name)
{
	return cmd_opt(a, name)->set;
}

/* Checks and converts v for o; on failure prints why and returns -1. */
static int take_value(const struct cmd_opt *o, const char *v, struct cmd_val *out)
{
	char *end = NULL;
	bool ok = true;
	errno = 0;
	bool bounded = o->min != 0 || o->max != 0;
	switch (o->type) {
	case OPT_FLAG:
		break;
	case OPT_INT:
		out->i = strtoll(v, &end, 10);
		ok = *v && !*end && !errno && (!bounded || (out->i >= o->min && out->i <= o->max));
		break;
	case OPT_UINT:
		/* A digit first: strtoull would take "-1" as a huge number. */
		out->u = strtoull(v, &end, 10);
		ok = *v >= '0' && *v <= '9' && !*end && !errno &&
		     (!bounded || ((double)out->u >= o->min && (double)out->u <= o->max));
		break;
	case OPT_DOUBLE:
		out->d = strtod(v, &end);
		ok = *v && !*end && !errno && isfinite(out->d) &&
		     (!bounded || ((o->min_open ? out->d > o->min : out->d >= o->min) && out->d <= o->max));
		break;
	case OPT_STRING:
		break;
	case OPT_PATH:
	case OPT_DIR:
		if (!*v) {
			fprintf(stderr, "error: %s needs %s, not an empty path\n", o->name, o->what);
			return -1;
		}
		break;
	}
	if (!ok) {
		char e[ECHO_SIZE];
		fprintf(stderr, "error: %s needs %s, not '%s'\n", o->name, o->what, str_echo(e, v));
		return -1;
	}
	out->set = true;
	out->str = v;
	return 0;
}

/* The option argv[*i] names, and its value when attached (--name=VALUE,
 * -nVALUE); NULL when none matches. */
static const struct cmd_opt *match(const struct cmd_opt *spec, size_t n, const char *w, const char **attached)
{
	*attached = NULL;
	for (size_t k = 0; k < n; k++) {
		const char *name = spec[k].name;
		size_t len = strlen(name);
		if (strncmp(w, name, len) != 0)
			continue;
		if (w[len] == '\0')
			return &spec[k];
		if (spec[k].type == OPT_FLAG)
			continue;
		if (w[len] == '=' && name[1] == '-') {
			*attached = w + len + 1;
			return &spec[k];
		}
		if (name[1] != '-' && len == 2) {
			*attached = w + len;
			return &spec[k];
		}
	}
	return NULL;
}

int cmd_parse_one(const struct cmd_opt *spec, size_t n, const char *cmd, int argc, char **argv, int *i,
                  struct cmd_val *vals)
{
	const char *w = argv[*i], *v;
	const struct cmd_opt *o = match(spec, n, w, &v);
	char e[ECHO_SIZE];
	if (!o) {
		if (cmd)
			fprintf(stderr, "error: unknown option '%s' for '%s'\n", str_echo(e, w), cmd);
		else
			fprintf(stderr, "error: unknown option '%s'\n", str_echo(e, w));
		return -2;
	}
	if (o->type != OPT_FLAG && !v) {
		if (*i + 1 >= argc) {
			fprintf(stderr, "error: %s needs a value\n", o->name);
			return -1;
		}
		v = argv[++*i];
	}
	(*i)++;
	return take_value(o, v ? v : "", &vals[o - spec]);
}

int cmd_parse(const struct cmd_opt *spec, size_t n, const char *cmd, int argc, char **argv, struct cmd_val *vals,
              char **pos, int *npos)
{
	memset(vals, 0, n * sizeof *vals);
	bool options = true;
	for (int i = 1; i < argc;) {
		const char *w = argv[i];
		if (options && strcmp(w, "--") == 0) {
			options = false;
			i++;
		} else if (!options || w[0] != '-' || w[1] == '\0') {
			pos[(*npos)++] = argv[i++];
		} else {
			int rc = cmd_parse_one(spec, n, cmd, argc, argv, &i, vals);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* ---- running ---- */

int cmd_usage(const struct cmd_args *a)
{
	fprintf(stderr, "usage: %s\n", a->cmd->usage);
	return 2;
}

/* Parses argv against the row, loads what it needs, runs it. */
static int run_row(struct ctx *x, const struct command *c, int argc, char **argv)
{
	struct cmd_args a = {.cmd = c, .argc = argc, .argv = argv};
	char **pos = NULL;
	int rc = 2;
	if (!(c->flags & CMD_RAW_ARGS)) {
		a.argv = pos = xcalloc((size_t)argc + 1, sizeof *pos);
		a.argv[0] = argv[0];
		a.argc = 1;
		int prc = cmd_parse(c->opts, nopts(c), c->name, argc, argv, a.opt, a.argv, &a.argc);
		if (prc < 0) {
			if (prc == -2)
				cmd_usage(&a);
			goto out;
		}
		int nargs = a.argc - 1;
		if (c->max_args >= 0 && nargs > c->max_args) {
			char e[ECHO_SIZE];
			fprintf(stderr, "error: unexpected argument '%s'\n", str_echo(e, a.argv[c->max_args + 1]));
			rc = cmd_usage(&a);
			goto out;
		}
		if (nargs < c->min_args) {
			rc = cmd_usage(&a);
			goto out;
		}
	}
	if ((c->flags & CMD_CATALOG) && !ctx_catalog(x))
		goto out;
	if ((c->flags & CMD_SETTINGS) && !ctx_settings(x))
		goto out;
	rc = c->fn(x, &a);
out:
	free(pos);
	return rc;
}

int commands_run(struct ctx *x, int argc, char **argv)
{
	char *why = NULL;
	const struct command *c = commands_find(argv[0], x->in_repl, &why);
	if (!c) {
		fprintf(stderr, "error: %s\n", why);
		free(why);
		return 2;
	}
	/* Handlers see their own full name in argv[0] (for usage messages). */
	char *saved = argv[0];
	argv[0] = (char *)c->name;
	const struct command *outer = x->running;
	x->running = c;
	int rc = run_row(x, c, argc, argv);
	x->running = outer;
	argv[0] = saved;
	fflush(stdout);
	return rc;
}

/* ---- completion ---- */

/* The option spec[0..n) that w names and that takes a value, or NULL. */
static const struct cmd_opt *value_opt(const struct cmd_opt *spec, size_t n, const char *w)
{
	for (size_t k = 0; k < n; k++)
		if (spec[k].type != OPT_FLAG && strcmp(spec[k].name, w) == 0)
			return &spec[k];
	return NULL;
}

static enum cmd_complete_more complete_value(const struct cmd_opt *o)
{
	return o->type == OPT_PATH ? COMPLETE_FILES : o->type == OPT_DIR ? COMPLETE_DIRS : COMPLETE_WORDS;
}

static void offer_options(const struct cmd_opt *spec, size_t n, void (*add)(void *, const char *), void *state)
{
	for (size_t k = 0; k < n; k++)
		add(state, spec[k].name);
}

enum cmd_complete_more commands_complete(struct ctx *x, int n, char **before, const char *word, bool globals,
                                         void (*add)(void *state, const char *cand), void *state)
{
	int i = 0;
	if (globals) {
		for (; i < n && before[i][0] == '-'; i++) {
			const struct cmd_opt *o = value_opt(commands_global_opts, commands_nglobal_opts, before[i]);
			if (o && i == n - 1)
				return complete_value(o);
			if (o)
				i++;
		}
	}
	if (i >= n) {
		if (globals && word[0] == '-') {
			offer_options(commands_global_opts, commands_nglobal_opts, add, state);
			return COMPLETE_WORDS;
		}
		for (size_t k = 0; k < ARRAY_SIZE(table); k++)
			if (x->in_repl || !repl_only(table[k]))
				add(state, table[k]->name);
		return COMPLETE_WORDS;
	}
	char *why = NULL;
	const struct command *c = commands_find(before[i], x->in_repl, &why);
	free(why);
	if (!c)
		return COMPLETE_WORDS;
	size_t no = nopts(c);
	char **pos = xcalloc((size_t)(n - i) + 1, sizeof *pos);
	int npos = 0;
	pos[npos++] = (char *)c->name;
	bool options = true;
	enum cmd_complete_more more = COMPLETE_WORDS;
	const struct cmd_opt *pending = NULL;
	for (int k = i + 1; k < n; k++) {
		const char *w = before[k];
		if (c->flags & CMD_RAW_ARGS) {
			pos[npos++] = before[k];
			continue;
		}
		if (options && strcmp(w, "--") == 0) {
			options = false;
		} else if (options && w[0] == '-' && w[1]) {
			const struct cmd_opt *o = value_opt(c->opts, no, w);
			if (o && k + 1 < n)
				k++;
			else if (o)
				pending = o;
		} else {
			pos[npos++] = before[k];
		}
	}
	if (pending && pending->type == OPT_STRING && c->complete) {
		struct cmd_complete cc = {x, pos, npos, pending->name, word, add, state};
		more = c->complete(&cc);
	} else if (pending) {
		more = complete_value(pending);
	} else if (options && word[0] == '-' && !(c->flags & CMD_RAW_ARGS)) {
		offer_options(c->opts, no, add, state);
	} else if (c->complete) {
		struct cmd_complete cc = {x, pos, npos, NULL, word, add, state};
		more = c->complete(&cc);
	}
	free(pos);
	return more;
}

/* ---- REPL lines ---- */

int commands_split(const char *line, char ***out)
{
	char **argv = xcalloc(1, sizeof *argv);
	size_t n = 0, cap = 1;
	const char *p = line;
	struct buf w;
	buf_init(&w);
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			break;
		char quote = 0;
		buf_truncate(&w, 0);
		while (*p && (quote || (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r'))) {
			if (quote && *p == quote) {
				quote = 0;
				p++;
			} else if (!quote && (*p == '\'' || *p == '"')) {
				quote = *p++;
			} else if (*p == '\\' && quote != '\'' && p[1]) {
				buf_addc(&w, p[1]);
				p += 2;
			} else {
				buf_addc(&w, *p++);
			}
		}
		if (quote) {
			buf_release(&w);
			argv[n] = NULL;
			commands_free_argv(argv);
			*out = NULL;
			return -1;
		}
		GROW(argv, cap, n + 2);
		argv[n++] = xstrdup(w.data);
	}
	buf_release(&w);
	argv[n] = NULL;
	*out = argv;
	return (int)n;
}

void commands_free_argv(char **argv)
{
	if (!argv)
		return;
	for (char **p = argv; *p; p++)
		free(*p);
	free(argv);
}
