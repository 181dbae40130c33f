/*
 * Unit tests of plan: the study plan worked out from an interview's results
 * JSON against a small content root written here (three lessons with
 * section ids, two quizzes, a demo manifest) and an in-memory store.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "catalog.h"
#include "diag.h"
#include "fsrs.h"
#include "plan.h"
#include "store.h"
#include "util.h"

static char tmpdir[] = "/tmp/pydojo-test-plan-XXXXXX";
static struct catalog *cat;

#define NOW INT64_C(1740992400)

static void write_file(const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", tmpdir, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

static const char lesson[] =
	"id: %s\n"
	"title: Topic\n"
	"track: test\n"
	"level: core\n"
	"summary: A topic for tests.\n"
	"sections:\n"
	"  - title: First\n"
	"    id: first\n"
	"    body: Text.\n"
	"  - title: Second\n"
	"    id: second\n"
	"    body: Text.\n";

static const char quiz_alpha[] =
	"topic: alpha\n"
	"questions:\n"
	"  - id: alpha-why\n"
	"    type: text\n"
	"    prompt: Why?\n"
	"    rubric:\n"
	"      - {point: one, pattern: one, section: first}\n"
	"      - {point: two, pattern: two}\n"
	"      - {point: three, pattern: three, section: beta/second}\n"
	"    model_answer: one two three\n"
	"  - id: alpha-pick\n"
	"    type: choice\n"
	"    prompt: Pick.\n"
	"    choices: [a, b]\n"
	"    answer: 0\n";

static const char quiz_beta[] =
	"topic: beta\n"
	"questions:\n"
	"  - id: beta-why\n"
	"    type: text\n"
	"    prompt: Why?\n"
	"    rubric:\n"
	"      - {point: four, pattern: four, section: second}\n"
	"    model_answer: four\n";

static const char demos[] =
	"- {id: d-gamma, title: G, summary: G., topics: [gamma], binary: demo-g}\n"
	"- {id: d-alpha, title: A, summary: A., topics: [alpha], binary: demo-a}\n"
	"- {id: d-beta, title: B, summary: B., topics: [beta], binary: demo-b}\n"
	"- {id: d-both, title: AB, summary: AB., topics: [alpha, beta], binary: demo-ab}\n"
	"- {id: d-alpha2, title: A2, summary: A2., topics: [alpha], binary: demo-a2}\n";

static int setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(tmpdir));
	const char *dirs[] = {"lessons", "quizzes", "demos"};
	for (size_t i = 0; i < 3; i++) {
		char *d = xasprintf("%s/%s", tmpdir, dirs[i]);
		mkdir(d, 0700);
		free(d);
	}
	const char *topics[] = {"alpha", "beta", "gamma"};
	for (size_t i = 0; i < 3; i++) {
		char *rel = xasprintf("lessons/%s.yaml", topics[i]), *text = xasprintf(lesson, topics[i]);
		write_file(rel, text);
		free(rel);
		free(text);
	}
	write_file("quizzes/alpha.yaml", quiz_alpha);
	write_file("quizzes/beta.yaml", quiz_beta);
	write_file("demos/demos.yaml", demos);
	cat = catalog_new();
	struct diag dg;
	diag_init(&dg);
	catalog_add_root(cat, tmpdir, false, &dg);
	catalog_link(cat, &dg);
	if (dg.n)
		diag_print(&dg, stderr);
	assert_int_equal(dg.n, 0);
	diag_release(&dg);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	catalog_free(cat);
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

static void assert_read(const struct plan *p, size_t i, const char *topic, const char *section, size_t points)
{
	assert_true(i < p->nread);
	assert_string_equal(p->read[i].topic, topic);
	if (section)
		assert_string_equal(p->read[i].section, section);
	else
		assert_null(p->read[i].section);
	assert_int_equal(p->read[i].points, points);
}

/* Sections from the points' sections (TOPIC/ID, or the question's lesson
 * when null), most points first (ties in the order missed); a question without points counts for its
 * lesson; a point a follow-up made is left out; demos ranked by the missed
 * points of their topics, at most three, none that covers nothing. */
static void test_plan_of_results(void **state)
{
	(void)state;
	struct store *st = store_open(":memory:", NULL);
	const char *res =
		"{\"asked\": 4, \"correct\": 0, \"missed\": ["
		"{\"question\": \"alpha-why\", \"points\": [\"one\", \"two\", \"three\"],"
		" \"sections\": [\"alpha/first\", null, \"beta/second\"]},"
		"{\"question\": \"beta-why\", \"points\": [\"four\"], \"sections\": [\"beta/second\"]},"
		"{\"question\": \"alpha-pick\", \"points\": [], \"sections\": []},"
		"{\"question\": \"beta-why\", \"points\": [\"four\"], \"sections\": [\"beta/second\"]},"
		"{\"question\": \"left-the-catalog\", \"points\": [], \"sections\": []}],"
		" \"follow_ups\": [{\"question\": \"alpha-why\", \"point\": \"one\", \"made\": true},"
		" {\"question\": \"beta-why\", \"point\": \"four\", \"made\": false}]}";
	struct plan p;
	char *err = NULL;
	if (plan_from_results(cat, res, NOW, st, &p, &err) < 0)
		fail_msg("%s", err);
	assert_int_equal(p.nread, 2);
	assert_read(&p, 0, "beta", "second", 3);
	assert_read(&p, 1, "alpha", NULL, 2);
	/* alpha 2 (two, the choice), beta 3 (three, four twice) */
	assert_int_equal(p.ndemos, 3);
	assert_string_equal(p.demos[0].id, "d-both");
	assert_int_equal(p.demos[0].covers, 5);
	assert_string_equal(p.demos[1].id, "d-beta");
	assert_string_equal(p.demos[2].id, "d-alpha");   /* before d-alpha2, its tie, in manifest order */
	assert_int_equal(p.due, 0);
	plan_release(&p);
	store_close(st);
}

static void record(struct store *st, const char *id, const char *topic, int64_t due)
{
	struct fsrs_params fp;
	fsrs_params_init(&fp);
	fp.enable_fuzz = false;
	struct fsrs_card c, after;
	fsrs_card_init(&c, NOW - 86400);
	assert_int_equal(fsrs_review(&fp, &c, FSRS_GOOD, NOW - 86400, NULL, &after), 0);
	after.due = due;
	struct store_review r = {id, topic, NOW - 86400, FSRS_GOOD, true, NAN, 1000, "x", STORE_NO_SESSION, 0};
	char *err = NULL;
	if (store_record_review(st, &r, &after, NULL, &err) < 0)
		fail_msg("%s", err);
}

/* The cards due at now, of questions still in the catalog. */
static void test_plan_due(void **state)
{
	(void)state;
	struct store *st = store_open(":memory:", NULL);
	record(st, "alpha-why", "alpha", NOW - 60);
	record(st, "alpha-pick", "alpha", NOW);
	record(st, "beta-why", "beta", NOW + 60);
	record(st, "left-the-catalog", "alpha", NOW - 60);
	struct plan p;
	char *err = NULL;
	if (plan_from_results(cat, "{\"missed\": []}", NOW, st, &p, &err) < 0)
		fail_msg("%s", err);
	assert_int_equal(p.due, 2);
	assert_int_equal(p.nread, 0);
	assert_int_equal(p.ndemos, 0);
	plan_release(&p);
	store_close(st);
}

static void test_plan_bad_results(void **state)
{
	(void)state;
	struct store *st = store_open(":memory:", NULL);
	const char *bad[] = {NULL, "", "[1, 2]", "{\"missed\": [", "just words"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct plan p;
		char *err = NULL;
		assert_int_equal(plan_from_results(cat, bad[i], NOW, st, &p, &err), -1);
		assert_non_null(err);
		free(err);
		assert_int_equal(p.nread, 0);
	}
	/* Entries of the wrong shape are passed over. */
	struct plan p;
	char *err = NULL;
	assert_int_equal(plan_from_results(cat, "{\"missed\": [1, {\"question\": 2, \"points\": 3}, []],"
	                                        " \"follow_ups\": 5}", NOW, st, &p, &err), 0);
	assert_int_equal(p.nread, 0);
	plan_release(&p);
	store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_of_results),
		cmocka_unit_test(test_plan_due),
		cmocka_unit_test(test_plan_bad_results),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
