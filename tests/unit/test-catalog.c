/* Unit tests of the catalog: typed content, cross-references and that one
 * run reports every fault. Content is written to a temporary root. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "catalog.h"
#include "diag.h"
#include "grade.h"
#include "util.h"

static char root[64];

static void put(const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", root, rel);
	char *slash = strrchr(path, '/');
	*slash = '\0';
	mkdir(path, 0700);
	*slash = '/';
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof root, "/tmp/pydojo-cat-XXXXXX");
	assert_non_null(mkdtemp(root));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

#define LESSON(id, extra) \
	"id: " id "\ntitle: T " id "\ntrack: concurrency\nlevel: core\nsummary: S.\n" extra \
	"sections:\n  - title: One\n    body: Some *text*.\n  - title: Two\n    code:\n      source: print(1)\n      output: |\n        1\n"

static struct catalog *load(struct diag *d)
{
	diag_init(d);
	struct catalog *c = catalog_new();
	catalog_add_root(c, root, false, d);
	catalog_link(c, d);
	return c;
}

static bool has(const struct diag *d, const char *file_suffix, int line, const char *needle)
{
	for (size_t i = 0; i < d->n; i++)
		if (str_ends(d->items[i].file, file_suffix) && d->items[i].line == line && strstr(d->items[i].msg, needle))
			return true;
	return false;
}

static void test_good_catalog(void **state)
{
	(void)state;
	put("lessons/alpha.yaml", LESSON("alpha", "see_also: [beta]\ndemos: [spin]\n"));
	put("lessons/beta.yaml", LESSON("beta", "requires: [alpha]\n"));
	put("quizzes/alpha.yaml",
	    "topic: alpha\nquestions:\n"
	    "  - id: alpha-pick\n    type: choice\n    prompt: Which?\n    choices: [a, b, c]\n    answer: 2\n    hint: [first, second]\n"
	    "  - id: alpha-many\n    type: multi\n    prompt: Which?\n    choices: [a, b, c]\n    answer: [2, 0]\n"
	    "  - id: alpha-why\n    type: text\n    prompt: Why?\n    rubric:\n"
	    "      - point: releases\n        pattern: 'releases?\\W+(\\w+\\W+){0,2}GIL'\n        reject: '\\bnot\\b'\n"
	    "    model_answer: It releases the GIL.\n    examples:\n      pass: [The call releases the GIL.]\n      fail: [It does not release the GIL.]\n"
	    "  - id: alpha-two\n    type: text\n    prompt: Name two.\n    pass: 2\n    rubric:\n"
	    "      - {point: red, pattern: red, reject: 'not red'}\n      - {point: green, pattern: green}\n"
	    "      - {point: blue, pattern: blue}\n    model_answer: red and blue\n");
	put("demos/demos.yaml",
	    "- id: spin\n  title: Spin\n  summary: S.\n  topics: [alpha]\n  binary: demo-spin\n"
	    "  params:\n    - {name: threads, type: int, min: 1, max: 8, default: 2}\n"
	    "    - {name: mode, type: enum, values: [cpu, io], default: cpu}\n");
	struct diag d;
	struct catalog *c = load(&d);
	diag_print(&d, stderr);
	assert_int_equal(d.n, 0);
	assert_int_equal(catalog_nlessons(c), 2);
	const struct lesson *a = catalog_lesson(c, "alpha");
	assert_non_null(a);
	assert_int_equal(a->nsections, 2);
	assert_string_equal(a->sections[1].code->output, "1\n");
	assert_string_equal(a->sections[1].code->lang, "python");
	assert_non_null(a->quiz);
	const struct question *m = catalog_question(c, "alpha-many");
	assert_int_equal(m->nanswers, 2);
	assert_int_equal(m->answers[0], 0); /* sorted */
	const struct question *pick = catalog_question(c, "alpha-pick");
	assert_int_equal(pick->hints.n, 2);
	const struct question *why = catalog_question(c, "alpha-why");
	assert_int_equal(grade_rubric(why, "the read releases the GIL", NULL, NULL), 1);
	assert_int_equal(grade_rubric(why, "it does NOT release the gil", NULL, NULL), 0);
	/* Points and reject patterns on every mix. */
	const struct question *two = catalog_question(c, "alpha-two");
	static const struct {
		const char *answer;
		size_t found;
	} mixes[] = {{"", 0}, {"red", 1}, {"green", 1}, {"blue", 1}, {"red green", 2}, {"red blue", 2},
	             {"green blue", 2}, {"red green blue", 3}, {"not red, green", 1},
	             {"not red, green, blue", 2}, {"not red", 0}};
	for (size_t i = 0; i < ARRAY_SIZE(mixes); i++)
		assert_int_equal(grade_rubric(two, mixes[i].answer, NULL, NULL), mixes[i].found);
	/* An answer that is not UTF-8 scores nothing (PCRE2 is told the
	 * subject is valid only after the grader has checked it). */
	assert_int_equal(grade_rubric(two, "red green \xff blue", NULL, NULL), 0);
	assert_int_equal(grade_rubric(two, "red green \xc3 blue", NULL, NULL), 0);
	assert_int_equal(catalog_demo(c, "spin")->nparams, 2);
	assert_string_equal(catalog_suggest_topic(c, "alpah"), "alpha");
	catalog_free(c);
	diag_release(&d);
}

static void test_all_errors_in_one_run(void **state)
{
	(void)state;
	put("lessons/alpha.yaml", LESSON("alpha", "requires: [beta]\ntitel: x\n"));
	put("lessons/beta.yaml", LESSON("beta", "requires: [alpha]\nsee_also: [gama]\n"));
	put("lessons/gamma.yaml", LESSON("gamma", ""));
	put("quizzes/alpha.yaml",
	    "topic: alpha\nquestions:\n"
	    "  - id: q-one\n    type: choice\n    prompt: Which?\n    choices: [a, b]\n    answer: 5\n"
	    "  - id: q-one\n    type: order\n    prompt: Order\n    items: [x]\n");
	put("quizzes/delta.yaml", "topic: delta\nquestions:\n  - id: d-one\n    type: truefalse\n    prompt: T?\n    answer: true\n");
	struct diag d;
	struct catalog *c = load(&d);
	/* Every fault of every file, each at its own node. */
	assert_true(has(&d, "lessons/alpha.yaml", 7, "unknown key 'titel' in a lesson (did you mean 'title'?)"));
	assert_true(has(&d, "lessons/beta.yaml", 6, "'requires' cycle: alpha -> beta -> alpha"));
	assert_true(has(&d, "lessons/beta.yaml", 7, "unknown topic 'gama' in 'see_also' (did you mean 'gamma'?)"));
	assert_true(has(&d, "quizzes/alpha.yaml", 7, "answer index 5 is out of range"));
	assert_true(has(&d, "quizzes/alpha.yaml", 8, "duplicate question id 'q-one'"));
	assert_true(has(&d, "quizzes/alpha.yaml", 11, "an order question needs at least 2 items"));
	assert_true(has(&d, "quizzes/delta.yaml", 1, "quiz topic 'delta' has no lesson"));
	assert_int_equal(d.n, 7);
	catalog_free(c);
	diag_release(&d);
}

static void test_unreadable_dir(void **state)
{
	(void)state;
	/* 'lessons' is a file, so it cannot be read as a folder (this holds for
	 * root too, for whom permission bits do not). */
	put("lessons", "not a folder\n");
	struct diag d;
	struct catalog *c = load(&d);
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(d.items[0].msg, "cannot read directory"));
	catalog_free(c);
	diag_release(&d);
}

static void test_shadowing_reference(void **state)
{
	(void)state;
	/* A checked copy of a lesson replaces the reference one, without a
	 * duplicate-topic error. */
	put("lessons/alpha.yaml", LESSON("alpha", ""));
	char *copy = xasprintf("%s/alpha.yaml", root);
	FILE *f = fopen(copy, "w");
	fputs(LESSON("alpha", "titel: typo\n"), f);
	fclose(f);
	struct diag d;
	diag_init(&d);
	struct catalog *c = catalog_new();
	catalog_add_root(c, root, true, &d);
	catalog_add_file(c, copy, &d);
	catalog_link(c, &d);
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(d.items[0].msg, "unknown key 'titel'"));
	assert_int_equal(catalog_nlessons(c), 1);
	catalog_free(c);
	diag_release(&d);
	free(copy);
}

/* Makes ROOT/sub/lessons/NAME.yaml holding text; returns ROOT/sub (new). */
static char *put_in(const char *sub, const char *name, const char *text)
{
	char *dir = xasprintf("%s/%s", root, sub);
	mkdir(dir, 0700);
	char *rel = xasprintf("%s/lessons/%s.yaml", sub, name);
	put(rel, text);
	free(rel);
	return dir;
}

static void test_keep_reference(void **state)
{
	(void)state;
	/* Reference content that is kept clashes with checked content of the
	 * same id, reported at the checked file (of the root added later) even
	 * when its path sorts first; the checked content's references resolve
	 * in it. */
	char *ref = put_in("zref", "alpha", LESSON("alpha", ""));
	char *mine = put_in("amine", "alpha", LESSON("alpha", ""));
	free(put_in("amine", "beta", LESSON("beta", "requires: [alpha, gamma]\n")));
	free(put_in("zref", "gamma", LESSON("gamma", "")));
	struct diag d;
	diag_init(&d);
	struct catalog *c = catalog_new();
	catalog_keep_reference(c);
	catalog_add_root(c, ref, true, &d);
	catalog_add_root(c, mine, false, &d);
	catalog_link(c, &d);
	assert_int_equal(d.n, 1);
	assert_true(has(&d, "amine/lessons/alpha.yaml", 1, "duplicate topic id 'alpha'"));
	catalog_free(c);
	diag_release(&d);
	free(ref);
	free(mine);
}

static void test_later_root_blamed(void **state)
{
	(void)state;
	/* Of two checked roots, the one added later holds the duplicate (a
	 * --content folder against the shipped content), whatever the paths. */
	char *first = put_in("zfirst", "alpha", LESSON("alpha", ""));
	char *later = put_in("alater", "alpha", LESSON("alpha", ""));
	struct diag d;
	diag_init(&d);
	struct catalog *c = catalog_new();
	catalog_add_root(c, first, false, &d);
	catalog_add_root(c, later, false, &d);
	catalog_link(c, &d);
	assert_int_equal(d.n, 1);
	assert_true(has(&d, "alater/lessons/alpha.yaml", 1, "duplicate topic id 'alpha'"));
	catalog_free(c);
	diag_release(&d);
	free(first);
	free(later);
}

static void test_skip_file(void **state)
{
	(void)state;
	/* A file skipped is not loaded, whatever the spelling of its path. */
	put("lessons/alpha.yaml", LESSON("alpha", ""));
	put("lessons/broken.yaml", "id: broken\ntitle: [\n");
	struct diag d;
	diag_init(&d);
	struct catalog *c = catalog_new();
	char *spelt = xasprintf("%s/./lessons//broken.yaml", root);
	catalog_skip_file(c, spelt);
	catalog_skip_file(c, "/nonexistent/pydojo.yaml");
	catalog_add_root(c, root, false, &d);
	catalog_link(c, &d);
	assert_int_equal(d.n, 0);
	assert_int_equal(catalog_nlessons(c), 1);
	assert_non_null(catalog_lesson(c, "alpha"));
	catalog_free(c);
	diag_release(&d);
	free(spelt);
}

/* A code exercise: its tests with their names, the reference, the wrong
 * solutions with the test each fails resolved to its index, python,
 * timeout (10 when not given) and the section it practises. */
/* needs: on a lesson's example and on an output question, read in order
 * and released with the catalog (the sanitizer build reports a leak). */
static void test_needs(void **state)
{
	(void)state;
	put("lessons/alpha.yaml",
	    "id: alpha\ntitle: T\ntrack: backend\nlevel: core\nsummary: S.\n"
	    "sections:\n  - title: One\n    code:\n      needs: [mongomock, mongoengine]\n"
	    "      source: print(1)\n      output: |\n        1\n");
	put("quizzes/alpha.yaml",
	    "topic: alpha\nquestions:\n"
	    "  - id: alpha-env\n    type: output\n    needs: [dotenv]\n    code: print(2)\n    answer: |\n      2\n");
	struct diag d;
	struct catalog *c = load(&d);
	diag_print(&d, stderr);
	assert_int_equal(d.n, 0);
	const struct code_example *ce = catalog_lesson(c, "alpha")->sections[0].code;
	assert_int_equal(ce->needs.n, 2);
	assert_string_equal(ce->needs.v[0], "mongomock");
	assert_string_equal(ce->needs.v[1], "mongoengine");
	const struct question *q = catalog_question(c, "alpha-env");
	assert_int_equal(q->needs.n, 1);
	assert_string_equal(q->needs.v[0], "dotenv");
	catalog_free(c);
	diag_release(&d);
}

static void test_code_question(void **state)
{
	(void)state;
	put("lessons/alpha.yaml",
	    "id: alpha\ntitle: T\ntrack: language\nlevel: core\nsummary: S.\n"
	    "sections:\n  - id: slicing\n    title: One\n    body: Some text.\n");
	put("lessons/beta.yaml", LESSON("beta", ""));
	put("quizzes/alpha.yaml",
	    "topic: alpha\nquestions:\n"
	    "  - id: alpha-bump\n    type: code\n    prompt: Make `bump` add one.\n"
	    "    starter: |\n      def bump(n): ...\n"
	    "    tests:\n"
	    "      - name: adds one\n        code: |\n          from solution import bump\n          assert bump(1) == 2\n"
	    "      - name: keeps the type\n        code: |\n          from solution import bump\n"
	    "          assert type(bump(1)) is int\n"
	    "    solution: |\n      def bump(n):\n          return n + 1\n"
	    "    wrong:\n"
	    "      - code: |\n          def bump(n):\n              return n + 1.0\n"
	    "        fails: keeps the type\n        why: A float is not an int.\n"
	    "      - code: |\n          def bump(n):\n              return n\n        fails: adds one\n"
	    "    hint: [Add one.]\n    python: \"3.12\"\n    timeout: 2.5\n    see: slicing\n    explain: One more.\n"
	    "  - id: alpha-plain\n    type: code\n    prompt: Again.\n    starter: x = 0\n"
	    "    tests:\n      - {name: one, code: 'from solution import x; assert x == 1'}\n"
	    "    solution: x = 1\n    see: alpha/slicing\n"
	    "  - id: alpha-out\n    type: output\n    code: print(1)\n    answer: |\n      1\n    python: '>=3.12'\n");
	struct diag d;
	struct catalog *c = load(&d);
	diag_print(&d, stderr);
	assert_int_equal(d.n, 0);
	const struct question *q = catalog_question(c, "alpha-bump");
	assert_non_null(q);
	assert_int_equal(q->type, Q_CODE);
	assert_string_equal(qtype_names[q->type], "code");
	assert_string_equal(q->prompt, "Make `bump` add one.");
	assert_string_equal(q->starter, "def bump(n): ...\n");
	assert_string_equal(q->solution, "def bump(n):\n    return n + 1\n");
	assert_int_equal(q->ntests, 2);
	assert_string_equal(q->tests[0].name, "adds one");
	assert_string_equal(q->tests[0].code, "from solution import bump\nassert bump(1) == 2\n");
	assert_string_equal(q->tests[1].name, "keeps the type");
	assert_int_equal(q->tests[1].name_pos.line, 13);
	assert_int_equal(q->nwrong, 2);
	assert_int_equal(q->wrong[0].test, 1);
	assert_string_equal(q->wrong[0].fails, "keeps the type");
	assert_string_equal(q->wrong[0].why, "A float is not an int.");
	assert_string_equal(q->wrong[0].code, "def bump(n):\n    return n + 1.0\n");
	assert_int_equal(q->wrong[1].test, 0);
	assert_null(q->wrong[1].why);
	assert_int_equal(q->hints.n, 1);
	assert_int_equal(q->python_minor, 12);
	assert_null(q->python);
	assert_true(q->timeout == 2.5);
	assert_string_equal(q->see, "slicing");
	assert_int_equal(q->see_pos.line, 33);
	assert_string_equal(q->explain, "One more.");
	const struct question *plain = catalog_question(c, "alpha-plain");
	assert_true(plain->timeout == 10);
	assert_int_equal(plain->python_minor, 0);
	assert_int_equal(plain->nwrong, 0);
	assert_null(plain->wrong);
	assert_string_equal(plain->see, "alpha/slicing");
	/* An output question's python is still a requirement. */
	const struct question *out = catalog_question(c, "alpha-out");
	assert_string_equal(out->python, ">=3.12");
	assert_int_equal(out->python_minor, 0);
	struct catalog_counts k;
	catalog_count(c, NULL, &k);
	assert_int_equal(k.by_type[Q_CODE], 2);
	assert_int_equal(k.by_type[Q_OUTPUT], 1);
	assert_int_equal(k.questions, 3);
	catalog_free(c);
	diag_release(&d);
}

/* Every fault of code questions in one run, each at its node. */
static void test_code_question_faults(void **state)
{
	(void)state;
	put("lessons/alpha.yaml",
	    "id: alpha\ntitle: T\ntrack: language\nlevel: core\nsummary: S.\n"
	    "sections:\n  - id: slicing\n    title: One\n    body: Some text.\n");
	put("quizzes/alpha.yaml",
	    "topic: alpha\nquestions:\n"
	    "  - id: alpha-bump\n    type: code\n    prompt: P.\n    starter: x = 0\n"
	    "    tests:\n"
	    "      - {name: adds one, code: 'assert True'}\n"          /* 8 */
	    "      - {name: adds one, code: 'assert 1'}\n"             /* 9 */
	    "      - {code: 'assert 2'}\n"                             /* 10 */
	    "      - {name: no code}\n"                                /* 11 */
	    "    solution: x = 1\n"
	    "    wrong:\n"
	    "      - {code: x = 2, fails: add one}\n"                  /* 14 */
	    "      - {code: x = 3}\n"                                  /* 15 */
	    "    python: '3'\n"                                        /* 16 */
	    "    timeout: 0\n"                                         /* 17 */
	    "    see: slicng\n"                                        /* 18 */
	    "    choices: [a, b]\n"                                    /* 19 */
	    "  - id: alpha-empty\n    type: code\n    prompt: P.\n    tests: []\n"   /* 20, 23 */
	    "  - id: alpha-lines\n    type: code\n    prompt: P.\n    starter: x = 0\n    solution: x = 1\n"
	    "    tests:\n      - {name: \"two\\nlines\", code: 'assert 3'}\n");   /* 30 */
	struct diag d;
	struct catalog *c = load(&d);
	assert_true(has(&d, "quizzes/alpha.yaml", 9, "duplicate test name 'adds one' (first at line 8)"));
	assert_true(has(&d, "quizzes/alpha.yaml", 10, "missing required key 'name' in a test"));
	assert_true(has(&d, "quizzes/alpha.yaml", 11, "missing required key 'code' in a test"));
	assert_true(has(&d, "quizzes/alpha.yaml", 14, "no test 'add one' in this question (did you mean 'adds one'?)"));
	assert_true(has(&d, "quizzes/alpha.yaml", 15, "missing required key 'fails' in a wrong solution"));
	assert_true(has(&d, "quizzes/alpha.yaml", 16, "invalid python version '3'"));
	assert_true(has(&d, "quizzes/alpha.yaml", 17, "'timeout' must be a number of seconds above 0"));
	assert_true(has(&d, "quizzes/alpha.yaml", 18, "no section 'slicng' in lesson 'alpha' (did you mean 'slicing'?)"));
	assert_true(has(&d, "quizzes/alpha.yaml", 19, "unknown key 'choices' in a code question"));
	assert_true(has(&d, "quizzes/alpha.yaml", 20, "missing required key 'starter' in a code question"));
	assert_true(has(&d, "quizzes/alpha.yaml", 20, "missing required key 'solution' in a code question"));
	assert_true(has(&d, "quizzes/alpha.yaml", 23, "a code question needs at least one test"));
	assert_true(has(&d, "quizzes/alpha.yaml", 30, "a test name must be one line"));
	assert_int_equal(d.n, 13);
	catalog_free(c);
	diag_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_catalog, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_errors_in_one_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shadowing_reference, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keep_reference, setup, teardown),
		cmocka_unit_test_setup_teardown(test_later_root_blamed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skip_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_needs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_code_question, setup, teardown),
		cmocka_unit_test_setup_teardown(test_code_question_faults, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
