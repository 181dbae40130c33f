/* Unit tests of the command table: lookup and line splitting; and the
 * printers of every command fed hostile content (terminal controls in every
 * text field), which the loader refuses, so here they are put into a loaded
 * catalog behind its back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "catalog.h"
#include "cmd.h"
#include "render.h"
#include "util.h"

static const struct command *find(const char *name, bool repl, char **why)
{
	*why = NULL;
	return commands_find(name, repl, why);
}

static void test_lookup(void **state)
{
	(void)state;
	char *why;
	assert_string_equal(find("learn", true, &why)->name, "learn");
	assert_string_equal(find("q", true, &why)->name, "quit");       /* alias */
	assert_string_equal(find("le", true, &why)->name, "learn");     /* unique prefix */
	assert_string_equal(find("?", false, &why)->name, "help");
	assert_null(find("se", true, &why));                           /* search, sections */
	assert_non_null(strstr(why, "ambiguous"));
	assert_non_null(strstr(why, "search"));
	assert_non_null(strstr(why, "sections"));
	free(why);
	assert_null(find("lern", true, &why));
	assert_string_equal(why, "unknown command 'lern' (did you mean 'learn'?)");
	free(why);
	assert_null(find("xyzzy", true, &why));
	assert_non_null(strstr(why, "try 'help'"));
	free(why);
	/* REPL-only commands are refused on the command line. */
	assert_null(find("next", false, &why));
	assert_non_null(strstr(why, "only at the pydojo> prompt"));
	free(why);
}

static void test_table_is_complete(void **state)
{
	(void)state;
	for (size_t i = 0; i < commands_count(); i++) {
		const struct command *c = commands_at(i);
		assert_non_null(c->fn);
		assert_true(strncmp(c->usage, c->name, strlen(c->name)) == 0);
		assert_true(strlen(c->help) > 0);
		assert_true(c->max_args < 0 || c->max_args >= c->min_args);
		/* Every option that takes a value says what, for its messages. */
		for (size_t k = 0; k < CMD_MAX_OPTS && c->opts[k].name; k++)
			assert_true(c->opts[k].type == OPT_FLAG || c->opts[k].what);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(commands_at(j)->name, c->name);
	}
}

/* Help and the usage line describe exactly the global options the parser
 * knows, in its order, with a value name where one takes a value. */
static void test_global_options_documented(void **state)
{
	(void)state;
	for (size_t i = 0; i < commands_nglobal_opts; i++) {
		const struct cmd_opt *o = &commands_global_opts[i];
		const struct cmd_opt_doc *d = &commands_global_docs[i];
		assert_non_null(d->name);
		assert_string_equal(d->name, o->name);
		assert_int_equal(d->arg != NULL, o->type != OPT_FLAG);
	}
	assert_null(commands_global_docs[commands_nglobal_opts].name);
}

static void test_split(void **state)
{
	(void)state;
	char **argv;
	assert_int_equal(commands_split("  search  'GIL is (released|dropped)'  ", &argv), 2);
	assert_string_equal(argv[0], "search");
	assert_string_equal(argv[1], "GIL is (released|dropped)");
	commands_free_argv(argv);
	assert_int_equal(commands_split("a \"b c\" d\\ e", &argv), 3);
	assert_string_equal(argv[1], "b c");
	assert_string_equal(argv[2], "d e");
	commands_free_argv(argv);
	assert_int_equal(commands_split("learn 'gil", &argv), -1);
	assert_int_equal(commands_split("   ", &argv), 0);
	commands_free_argv(argv);
}

/* OSC 0 (window title), CSI 6n (the terminal types a reply into our
 * input), OSC 52 (clipboard), OSC 8 (a hidden link) and C1 CSI as UTF-8. */
static const char hostile[] = "pwned \033]0;title\007 \033[6n \033]52;c;cHduZWQ=\007 "
                              "\033]8;;http://x.example\033\\link\033]8;;\033\\ \xc2\x9b" "6n \x7f end";

/* Whether out holds a control character other than tab, newline and, when
 * sgr_ok, the escape of an SGR colour sequence (ESC [ digits; m). */
static const char *raw_control(const char *out, size_t n, bool sgr_ok)
{
	const unsigned char *p = (const unsigned char *)out;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == 0x1b && sgr_ok && i + 1 < n && p[i + 1] == '[') {
			size_t j = i + 2;
			while (j < n && ((p[j] >= '0' && p[j] <= '9') || p[j] == ';'))
				j++;
			if (j < n && p[j] == 'm') {
				i = j;
				continue;
			}
		}
		if ((p[i] < 0x20 && p[i] != '\n' && p[i] != '\t') || p[i] == 0x7f || (p[i] >= 0x80 && p[i] < 0xc0) ||
		    (p[i] == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f))
			return out + i;
		/* Past the continuation bytes of a UTF-8 sequence; a raw C1
		 * byte is not one and is caught above. */
		if (p[i] >= 0xc0)
			while (i + 1 < n && (p[i + 1] & 0xc0) == 0x80)
				i++;
	}
	return NULL;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

static void test_hostile_content_is_shown_not_sent(void **state)
{
	(void)state;
	char root[] = "/tmp/pydojo-hostile-XXXXXX";
	assert_non_null(mkdtemp(root));
	char *sub[] = {"lessons", "quizzes", "demos"};
	for (size_t i = 0; i < 3; i++) {
		char *d = xasprintf("%s/%s", root, sub[i]);
		mkdir(d, 0700);
		free(d);
	}
	write_file(root, "lessons/evil.yaml",
	           "id: evil\ntitle: T\ntrack: evil\nlevel: core\nsummary: S\ndemos: [evil-demo]\n"
	           "sections:\n  - title: A\n    body: B\n  - title: C\n    code: {source: 'print(1)', output: '1'}\n");
	write_file(root, "quizzes/evil.yaml",
	           "topic: evil\nquestions:\n"
	           "  - {id: evil-choice, type: choice, prompt: P, choices: [x, y], answer: 0, hint: H, explain: E}\n"
	           "  - id: evil-text\n    type: text\n    prompt: P\n    model_answer: pwned\n"
	           "    rubric: [{point: K, pattern: pwned}]\n");
	write_file(root, "demos/demos.yaml",
	           "- id: evil-demo\n  title: D\n  summary: S\n  topics: [evil]\n  binary: demo-evil\n  watch: W\n"
	           "  params:\n    - {name: n, type: int, min: 1, max: 3, default: 1, help: H}\n");
	char *db = xasprintf("%s/progress.db", root);
	struct ctx x;
	memset(&x, 0, sizeof x);
	x.datadir = root;
	x.demodir = root;
	x.db_path = db;
	x.cur_section = -1;
	x.seeded = true;
	x.no_fuzz = true;
	struct catalog *c = ctx_catalog(&x);
	assert_non_null(c);

	/* Every text field the printers show. */
	struct lesson *ls = (struct lesson *)catalog_lesson(c, "evil");
	assert_non_null(ls);
	ls->title = ls->summary = hostile;
	for (size_t i = 0; i < ls->nsections; i++) {
		ls->sections[i].title = hostile;
		if (ls->sections[i].body)
			ls->sections[i].body = hostile;
		if (ls->sections[i].code)
			ls->sections[i].code->source = ls->sections[i].code->output = hostile;
	}
	for (size_t i = 0; i < ls->quiz->n; i++) {
		struct question *q = &ls->quiz->questions[i];
		q->prompt = hostile;
		q->explain = hostile;
		for (size_t k = 0; k < q->choices.n; k++)
			q->choices.v[k] = hostile;
		for (size_t k = 0; k < q->hints.n; k++)
			q->hints.v[k] = hostile;
		for (size_t k = 0; k < q->nrubric; k++)
			q->rubric[k].point = hostile;
		if (q->model_answer)
			q->model_answer = hostile;
	}
	struct demo *dm = (struct demo *)catalog_demo(c, "evil-demo");
	assert_non_null(dm);
	dm->title = dm->summary = dm->watch = hostile;
	dm->params[0].help = hostile;

	char *out = xasprintf("%s/out", root), *in = xasprintf("%s/in", root);
	/* quiz: a hint, a refused answer echoing controls, an answer, a
	 * rating; the text question answered, rated; then the end. */
	write_file(root, "in", "hint\nzz\033[6n\xc2\x9b" "bad\na\n3\nx pwned\n.\n3\n");
	fflush(stdout);
	fflush(stderr);
	int saved[3] = {dup(0), dup(1), dup(2)};
	int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600), fi = open(in, O_RDONLY);
	assert_true(fo >= 0 && fi >= 0);
	dup2(fo, 1);
	dup2(fo, 2);
	dup2(fi, 0);
	const char *lines[] = {
		"learn evil", "learn evil 2", "sections evil", "topics", "topics --json", "search pwned",
		"quiz evil", "review", "interview --minutes 1", "demo list", "demo evil-demo --help",
		"demo list --json", "export --anki -", "learn \033]0;t\007", "search \033[6n(",
		"quiz \xc2\x9b", "demo evil-demo --n \033[6n", "nosuch\033[6n",
	};
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
		char **argv;
		int argc = commands_split(lines[i], &argv);
		assert_true(argc > 0);
		/* The parser leaves argv as it was. */
		commands_run(&x, argc, argv);
		commands_free_argv(argv);
		fflush(stdout);
		fflush(stderr);
	}
	dup2(saved[0], 0);
	dup2(saved[1], 1);
	dup2(saved[2], 2);
	for (size_t i = 0; i < 3; i++)
		close(saved[i]);
	close(fo);
	close(fi);
	clearerr(stdin);

	char *text;
	size_t len;
	assert_int_equal(read_file_limit(out, 1 << 24, &text, &len), 0);
	/* The commands ran and showed the text. */
	assert_non_null(strstr(text, "pwned \\x1b]0;title\\x07 \\x1b[6n"));
	assert_non_null(strstr(text, "\\u009b6n"));
	assert_non_null(strstr(text, "'zz\\x1b[6n\\u009bbad' is not a choice"));
	const char *bad = raw_control(text, len, false);
	if (bad)
		fail_msg("a raw control character at offset %zu: ...%.80s", (size_t)(bad - text),
		         bad - text > 80 ? bad - 80 : text);

	/* With colour on, pydojo's own SGR sequences are the only escapes. */
	struct render_opts o = {72, true};
	struct buf b;
	buf_init(&b);
	render_lesson(&b, ls, -1, c, &o);
	render_lesson(&b, ls, 0, c, &o);
	assert_non_null(strstr(b.data, "\033[1m"));
	assert_null(raw_control(b.data, b.len, true));
	buf_release(&b);

	free(text);
	ctx_release(&x);
	char *cmd = xasprintf("rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(out);
	free(in);
	free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_table_is_complete),
		cmocka_unit_test(test_global_options_documented),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_hostile_content_is_shown_not_sent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
