/*
 * commands: the command table and the commands themselves. To add a command,
 * write one function `static int cmd_NAME(struct ctx *, int, char **)` and add
 * one row to the table below; help, lookup and tab completion follow.
 */
#include "commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "cmd_progress.h"
#include "cmd_quiz.h"
#include "config.h"
#include "diag.h"
#include "paths.h"
#include "regex.h"
#include "render.h"
#include "rubric_check.h"
#include "search.h"
#include "session.h"
#include "store.h"
#include "util.h"

/* ---- context ---- */

void ctx_release(struct ctx *x)
{
	catalog_free(x->cat);
	x->cat = NULL;
	store_close(x->store);
	x->store = NULL;
	free(x->settings);
	x->settings = NULL;
}

static int load_shipped(struct ctx *x, struct catalog *c, bool reference, struct diag *d)
{
	return catalog_add_root(c, x->datadir, reference, d);
}

struct catalog *ctx_catalog(struct ctx *x)
{
	if (x->cat || x->cat_failed)
		return x->cat;
	struct diag d;
	diag_init(&d);
	struct catalog *c = catalog_new();
	char *cache = paths_user_file("CACHE", "catalog");
	if (cache)
		catalog_use_cache(c, cache);
	free(cache);
	load_shipped(x, c, false, &d);
	for (size_t i = 0; i < x->ncontent; i++)
		catalog_add_root(c, x->content[i], false, &d);
	catalog_link(c, &d);
	if (d.n) {
		diag_print(&d, stderr);
		fprintf(stderr, "pydojo: the catalog has %zu error%s; run 'pydojo check' for details\n", d.n,
		        d.n == 1 ? "" : "s");
		catalog_free(c);
		c = NULL;
		x->cat_failed = true;
	}
	diag_release(&d);
	x->cat = c;
	return c;
}

struct render_opts ctx_render_opts(const struct ctx *x)
{
	const char *nc = getenv("NO_COLOR");
	bool color = isatty(1) && !x->no_color && !(nc && *nc);
	return (struct render_opts){render_term_width(1), color};
}

/* Whether long output goes through the pager: only to and from a terminal. */
static bool paged(void)
{
	return isatty(1) && isatty(0);
}

static void out_page(struct ctx *x, struct buf *b)
{
	(void)x;
	render_page(b->data, b->len, paged());
}

const char *cmd_opt_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
	size_t n = strlen(name);
	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

bool cmd_take_flag(int *argc, char **argv, const char *flag)
{
	for (int i = 1; i < *argc; i++)
		if (strcmp(argv[i], flag) == 0) {
			memmove(&argv[i], &argv[i + 1], (size_t)(*argc - i) * sizeof *argv);
			(*argc)--;
			return true;
		}
	return false;
}

/* Refuses any option left after a command took its own. */
static bool no_options_left(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1] == '-') {
			char e[ECHO_SIZE];
			fprintf(stderr, "error: unknown option '%s' for '%s'\n", str_echo(e, argv[i]), argv[0]);
			return false;
		}
	return true;
}

static int usage_error(const char *name)
{
	char *why = NULL;
	const struct command *c = commands_find(name, true, &why);
	free(why);
	if (c)
		fprintf(stderr, "usage: %s\n", c->usage);
	return 2;
}

/* ---- check ---- */

static void print_stats(const struct catalog *c)
{
	printf("%-20s %4s %4s %5s %6s %5s %5s %4s %6s %5s %5s %8s\n", "topic", "sec", "code", "quest",
	       "choice", "multi", "tf", "ord", "output", "text", "", "rubric-ex");
	for (size_t i = 0; i < catalog_nlessons(c); i++) {
		const struct lesson *ls = catalog_lesson_at(c, i);
		if (ls->reference)
			continue;
		struct catalog_counts k;
		catalog_count(c, ls, &k);
		printf("%-20s %4zu %4zu %5zu %6zu %5zu %5zu %4zu %6zu %5zu %5s %8zu\n", ls->id, k.sections,
		       k.examples, k.questions, k.by_type[Q_CHOICE], k.by_type[Q_MULTI], k.by_type[Q_TRUEFALSE],
		       k.by_type[Q_ORDER], k.by_type[Q_OUTPUT], k.by_type[Q_TEXT], "", k.rubric_examples);
	}
	struct catalog_counts t;
	catalog_count(c, NULL, &t);
	printf("%-20s %4zu %4zu %5zu %6zu %5zu %5zu %4zu %6zu %5zu %5s %8zu\n", "total", t.sections, t.examples,
	       t.questions, t.by_type[Q_CHOICE], t.by_type[Q_MULTI], t.by_type[Q_TRUEFALSE], t.by_type[Q_ORDER],
	       t.by_type[Q_OUTPUT], t.by_type[Q_TEXT], "", t.rubric_examples);
}

static int cmd_check(struct ctx *x, int argc, char **argv)
{
	bool stats = cmd_take_flag(&argc, argv, "--stats");
	if (!no_options_left(argc, argv))
		return 2;
	for (int i = 1; i < argc; i++) {
		if (!*argv[i]) {
			fprintf(stderr, "error: cannot check '': an empty path\n");
			return 2;
		}
	}
	struct diag d;
	diag_init(&d);
	struct catalog_counts total = {0};
	struct catalog **cats = xcalloc((size_t)argc + 1, sizeof *cats);
	size_t ncats = 0;
	if (argc == 1) {
		struct catalog *c = cats[ncats++] = catalog_new();
		load_shipped(x, c, false, &d);
		for (size_t i = 0; i < x->ncontent; i++)
			catalog_add_root(c, x->content[i], false, &d);
	} else {
		/* Each folder is a content root checked on its own; single files
		 * are checked together against the shipped catalog. */
		struct catalog *files = NULL;
		for (int i = 1; i < argc; i++) {
			if (access(argv[i], F_OK) < 0) {
				diag_add(&d, argv[i], 1, 1, "cannot read: %s", strerror(errno));
				continue;
			}
			char *probe = xasprintf("%s/.", argv[i]);
			bool dir = access(probe, F_OK) == 0;
			free(probe);
			if (dir) {
				struct catalog *c = cats[ncats++] = catalog_new();
				catalog_add_root(c, argv[i], false, &d);
			} else {
				if (!files)
					files = cats[ncats++] = catalog_new();
				catalog_add_file(files, argv[i], &d);
			}
		}
		/* The shipped catalog after the files, so that a shipped file
		 * named on the command line is checked, not taken as reference. */
		if (files)
			load_shipped(x, files, true, &d);
	}
	char *verified = paths_user_file("CACHE", "verified");
	for (size_t i = 0; i < ncats; i++) {
		catalog_defer_compile(cats[i], true);
		catalog_link(cats[i], &d);
		rubric_check(cats[i], verified, &d);
		struct catalog_counts k;
		catalog_count(cats[i], NULL, &k);
		total.topics += k.topics;
		total.sections += k.sections;
		total.questions += k.questions;
		total.demos += k.demos;
		if (stats)
			print_stats(cats[i]);
		catalog_free(cats[i]);
	}
	free(cats);
	free(verified);
	int rc = 0;
	if (d.n) {
		diag_print(&d, stderr);
		fprintf(stderr, "%zu error%s\n", d.n, d.n == 1 ? "" : "s");
		rc = 2;
	} else {
		printf("ok: %zu topics, %zu sections, %zu questions, %zu demos\n", total.topics, total.sections,
		       total.questions, total.demos);
	}
	diag_release(&d);
	return rc;
}

/* ---- topics ---- */

static int cmd_topics(struct ctx *x, int argc, char **argv)
{
	bool json = cmd_take_flag(&argc, argv, "--json");
	if (!no_options_left(argc, argv))
		return 2;
	if (argc > 1)
		return usage_error(argv[0]);
	struct catalog *c = ctx_catalog(x);
	if (!c)
		return 2;
	/* Mastery (mean retrievability, unseen questions counting 0) and due
	 * cards per topic, from the progress store when there is one. */
	struct quiz_progress pr;
	int prc = quiz_progress(x, &pr);
	if (prc)
		return prc;
	struct render_opts o = ctx_render_opts(x);
	struct buf b;
	buf_init(&b);
	const char *track = NULL;
	if (json)
		buf_puts(&b, "[");
	for (size_t i = 0; i < catalog_nlessons(c); i++) {
		const struct lesson *ls = catalog_lesson_at(c, i);
		size_t nq = ls->quiz ? ls->quiz->n : 0;
		const struct session_topic *tp = pr.topics && i < pr.n ? &pr.topics[i] : NULL;
		double mastery = tp ? tp->mastery : 0;
		size_t due = tp ? tp->due : 0, seen = tp ? tp->seen : 0;
		if (json) {
			buf_puts(&b, i ? ",\n " : "");
			buf_puts(&b, "{\"id\": ");
			buf_json_str(&b, ls->id);
			buf_puts(&b, ", \"title\": ");
			buf_json_str(&b, ls->title);
			buf_puts(&b, ", \"track\": ");
			buf_json_str(&b, ls->track);
			buf_puts(&b, ", \"level\": ");
			buf_json_str(&b, ls->level);
			buf_puts(&b, ", \"summary\": ");
			buf_json_str(&b, ls->summary);
			buf_printf(&b, ", \"sections\": %zu, \"questions\": %zu, \"seen\": %zu, \"due\": %zu, \"mastery\": %.4f, \"demos\": [",
			           ls->nsections, nq, seen, due, mastery);
			for (size_t k = 0; k < ls->demos.n; k++) {
				buf_puts(&b, k ? ", " : "");
				buf_json_str(&b, ls->demos.v[k]);
			}
			buf_puts(&b, "]}");
			continue;
		}
		if (!track || strcmp(track, ls->track) != 0) {
			track = ls->track;
			if (i)
				buf_addc(&b, '\n');
			render_styled(&b, STYLE_HEAD, track, strlen(track), &o);
			buf_addc(&b, '\n');
		}
		buf_puts(&b, "  ");
		render_styled(&b, STYLE_BOLD, ls->id, strlen(ls->id), &o);
		buf_printf(&b, "%*s %-5s %2zuq %4.0f%% ", 20 - (int)strlen(ls->id), "", ls->level, nq, 100 * mastery);
		if (due)
			buf_printf(&b, "%3zu due  ", due);
		else
			buf_puts(&b, "         ");
		/* The summary wraps under itself. */
		struct buf sum;
		buf_init(&sum);
		struct render_opts so = o;
		so.width = o.width - 48 > 30 ? o.width - 48 : 30;
		render_markdown(&sum, ls->summary, 0, &so);
		bool first = true;
		for (char *line = strtok(sum.data, "\n"); line; line = strtok(NULL, "\n")) {
			if (!first)
				buf_printf(&b, "%48s", "");
			buf_printf(&b, "%s\n", line);
			first = false;
		}
		if (first)
			buf_addc(&b, '\n');
		buf_release(&sum);
	}
	if (json)
		buf_puts(&b, "]\n");
	else
		buf_printf(&b, "\n%zu topics; mastery is the mean recall probability of a topic's questions. %s\n",
		           catalog_nlessons(c), pr.due ? "Type 'review' for the due cards." : "Start with 'learn TOPIC', then 'quiz TOPIC'.");
	fwrite(b.data, 1, b.len, stdout);
	buf_release(&b);
	quiz_progress_release(&pr);
	return 0;
}

/* ---- learn, next, prev, sections ---- */

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
	out_page(x, &b);
	buf_release(&b);
	x->cur = ls;
	x->cur_section = section;
	return 0;
}

int cmd_unknown_topic(struct catalog *c, const char *id)
{
	const char *near = catalog_suggest_topic(c, id);
	char e[ECHO_SIZE];
	if (near)
		fprintf(stderr, "error: unknown topic '%s' (did you mean '%s'?)\n", str_echo(e, id), near);
	else
		fprintf(stderr, "error: unknown topic '%s' (see 'topics')\n", str_echo(e, id));
	return 2;
}

static int cmd_learn(struct ctx *x, int argc, char **argv)
{
	if (!no_options_left(argc, argv))
		return 2;
	if (argc < 2 || argc > 3)
		return usage_error(argv[0]);
	struct catalog *c = ctx_catalog(x);
	if (!c)
		return 2;
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

static int step_section(struct ctx *x, int argc, char **argv, int delta)
{
	if (argc > 1)
		return usage_error(argv[0]);
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

static int cmd_next(struct ctx *x, int argc, char **argv)
{
	return step_section(x, argc, argv, 1);
}

static int cmd_prev(struct ctx *x, int argc, char **argv)
{
	return step_section(x, argc, argv, -1);
}

static int cmd_sections(struct ctx *x, int argc, char **argv)
{
	if (argc > 2)
		return usage_error(argv[0]);
	const struct lesson *ls = x->cur;
	if (argc == 2) {
		struct catalog *c = ctx_catalog(x);
		if (!c)
			return 2;
		if (!(ls = catalog_lesson(c, argv[1])))
			return cmd_unknown_topic(c, argv[1]);
	}
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

/* ---- search ---- */

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

static int cmd_search(struct ctx *x, int argc, char **argv)
{
	if (argc != 2)
		return usage_error(argv[0]);
	struct catalog *c = ctx_catalog(x);
	if (!c)
		return 2;
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
	so.stream = !paged();
	const char *why = NULL;
	long hits = search_catalog(c, re, on_hit, &so, &why);
	regex_free(re);
	int rc = 0;
	if (hits < 0) {
		fprintf(stderr, "error: search stopped: %s (simplify the pattern)\n", why);
		rc = 2;
	} else if (hits == 0) {
		printf("no matches for '%s'\n", str_echo(e, argv[1]));
		rc = 1;
	} else {
		buf_printf(&so.b, "%ld matching line%s\n", hits, hits == 1 ? "" : "s");
		out_page(x, &so.b);
	}
	buf_release(&so.b);
	return rc;
}

/* ---- help, version, quit ---- */

static int cmd_help(struct ctx *x, int argc, char **argv)
{
	if (argc > 2)
		return usage_error(argv[0]);
	if (argc == 2) {
		char *why = NULL;
		const struct command *c = commands_find(argv[1], x->in_repl, &why);
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
		if (c->repl_only && !x->in_repl)
			continue;
		printf("  %-34s %s\n", c->usage, c->help);
	}
	if (!x->in_repl)
		printf("\nOptions:\n"
		       "  --content DIR   add a content root (lessons/, quizzes/); repeatable\n"
		       "  --db PATH       progress database (default $XDG_DATA_HOME/pydojo/progress.db)\n"
		       "  --no-color      never colour the output (as does NO_COLOR)\n"
		       "  --no-fuzz       schedule reviews without interval fuzz\n"
		       "  --seed N        fix every random choice\n"
		       "  --version       print the version\n"
		       "  --help          this text\n"
		       "\nExit status: 0 ok, 1 an answer or search failed, 2 bad usage or content,\n"
		       "3 environment (database, demo binary, output that could not be written).\n");
	else
		printf("\nUnique prefixes work ('le gil'). Tab completes commands, topics, section ids and demos.\n");
	return 0;
}

static int cmd_version(struct ctx *x, int argc, char **argv)
{
	(void)x;
	(void)argv;
	if (argc > 1)
		return usage_error(argv[0]);
	printf("pydojo %s\n", PYDOJO_VERSION);
	return 0;
}

static int cmd_quit(struct ctx *x, int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return usage_error(argv[0]);
	x->quit = true;
	return 0;
}

/* ---- the table ---- */

static const struct command table[] = {
	{"topics", NULL, "topics [--json]", "topics grouped by track", cmd_topics, false},
	{"learn", NULL, "learn TOPIC [SECTION]", "read a lesson, or one section (number, id or title)", cmd_learn, false},
	{"next", NULL, "next", "the next section of the open lesson", cmd_next, true},
	{"prev", NULL, "prev", "the previous section of the open lesson", cmd_prev, true},
	{"sections", NULL, "sections [TOPIC]", "the sections of a lesson, with their ids", cmd_sections, false},
	{"demo", NULL, "demo [list | ID [--PARAM VALUE ...] [--json | --predict | --help]]", "run a live concept demo, or predict its result first", cmd_demo, false},
	{"quiz", NULL, "quiz TOPIC [-n N]", "practise a topic: due questions, then new, then the weakest", cmd_quiz, false},
	{"review", NULL, "review [--new-limit N]", "the cards due across all topics, then new ones up to a daily limit", cmd_review, false},
	{"interview", NULL, "interview [--minutes M] [--topics a,b] [--seed S]", "a timed mock interview ending with a report", cmd_interview, false},
	{"undo", NULL, "undo", "take back the last answer recorded", cmd_undo, false},
	{"search", NULL, "search REGEX", "search lessons and questions (PCRE2, case-insensitive)", cmd_search, false},
	{"stats", NULL, "stats [--json]", "progress per topic, due cards, review heatmap, last interviews", cmd_stats, false},
	{"export", NULL, "export --anki FILE", "write the questions as an Anki import file", cmd_export, false},
	{"disputes", NULL, "disputes [--json] [--export FILE]", "the grades you contested ('c N' after a text answer), or write them as rubric examples", cmd_disputes, false},
	{"fsrs", NULL, "fsrs replay [--retention R]", "replay 'TIME RATING' lines through the scheduler (JSON lines)", cmd_fsrs, false},
	{"check", NULL, "check [--stats] [PATH ...]", "validate content: the catalog, content folders or single files", cmd_check, false},
	{"help", "?", "help [COMMAND]", "list the commands, or describe one", cmd_help, false},
	{"version", NULL, "version", "print the version", cmd_version, false},
	{"quit", "q", "quit", "leave pydojo (Ctrl-D works too)", cmd_quit, true},
};

size_t commands_count(void)
{
	return ARRAY_SIZE(table);
}

const struct command *commands_at(size_t i)
{
	return i < ARRAY_SIZE(table) ? &table[i] : NULL;
}

const struct command *commands_find(const char *name, bool in_repl, char **why)
{
	*why = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		if (strcmp(table[i].name, name) != 0 && !(table[i].alias && strcmp(table[i].alias, name) == 0))
			continue;
		if (table[i].repl_only && !in_repl) {
			*why = xasprintf("'%s' works only at the pydojo> prompt", table[i].name);
			return NULL;
		}
		return &table[i];
	}

	const struct command *hit = NULL;
	struct buf cands;
	buf_init(&cands);
	size_t n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		if (table[i].repl_only && !in_repl)
			continue;
		if (*name && str_starts(table[i].name, name)) {
			hit = &table[i];
			buf_printf(&cands, "%s%s", n++ ? ", " : "", table[i].name);
		}
	}
	if (n == 1) {
		buf_release(&cands);
		return hit;
	}
	if (n > 1) {
		char e[ECHO_SIZE];
		*why = xasprintf("'%s' is ambiguous: %s", str_echo(e, name), cands.data);
		buf_release(&cands);
		return NULL;
	}
	buf_release(&cands);
	const char *best = NULL;
	size_t bestd = 3;
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		size_t d = edit_distance(name, table[i].name, 2);
		if (d < bestd) {
			bestd = d;
			best = table[i].name;
		}
	}
	char e[ECHO_SIZE];
	if (best)
		*why = xasprintf("unknown command '%s' (did you mean '%s'?)", str_echo(e, name), best);
	else
		*why = xasprintf("unknown command '%s' (try 'help')", str_echo(e, name));
	return NULL;
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
	int rc = c->fn(x, argc, argv);
	argv[0] = saved;
	fflush(stdout);
	return rc;
}

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
