/*
 * Unit tests of session and settings: a quiz, a review and an interview run
 * against an in-memory store and a small content root written here, with
 * stdin and stdout redirected to files (plain line input, as over a pipe);
 * the store is then read back. Also the settings file and the small
 * formatting helpers. The clock is fixed with PYDOJO_NOW.
 */
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "catalog.h"
#include "fsrs.h"
#include "session.h"
#include "settings.h"
#include "store.h"
#include "util.h"

static char tmpdir[] = "/tmp/pydojo-test-session-XXXXXX";

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
	"id: alpha\n"
	"title: Alpha\n"
	"track: test\n"
	"level: core\n"
	"summary: A topic for tests.\n"
	"sections:\n"
	"  - title: One\n"
	"    body: Text.\n";

static const char quiz[] =
	"topic: alpha\n"
	"questions:\n"
	"  - id: alpha-choice\n"
	"    type: choice\n"
	"    prompt: Pick b.\n"
	/* Pinned, so that the letters these tests type name the choices as
	 * written (choices are otherwise shown shuffled). */
	"    choices: [{text: one, pin: true}, {text: two, pin: true}, {text: three, pin: true}]\n"
	"    answer: 1\n"
	"    hint: It is the second.\n"
	"  - id: alpha-tf\n"
	"    type: truefalse\n"
	"    prompt: True?\n"
	"    answer: true\n"
	"  - id: alpha-text\n"
	"    type: text\n"
	"    prompt: Why?\n"
	"    rubric:\n"
	"      - point: says because\n"
	"        pattern: '\\bbecause\\b'\n"
	"        reject: '\\bnot because\\b'\n"
	"      - point: names the cause\n"
	"        pattern: '\\bcause\\b'\n"
	"    model_answer: It happens because of the cause.\n";

static const char lesson_beta[] =
	"id: beta\n"
	"title: Beta\n"
	"track: test\n"
	"level: core\n"
	"summary: Another topic for tests.\n"
	"sections:\n"
	"  - title: One\n"
	"    body: Text.\n";

static const char quiz_beta[] =
	"topic: beta\n"
	"questions:\n"
	"  - id: beta-one\n"
	"    type: truefalse\n"
	"    prompt: One?\n"
	"    answer: true\n"
	"  - id: beta-two\n"
	"    type: truefalse\n"
	"    prompt: Two?\n"
	"    answer: false\n"
	/* An interview asks explain-it questions first: one per topic lets
	 * the topic weights decide the first draw. */
	"  - id: beta-text\n"
	"    type: text\n"
	"    prompt: Why beta?\n"
	"    rubric:\n"
	"      - point: names beta\n"
	"        pattern: '\\bbeta\\b'\n"
	"    model_answer: Because of beta.\n";

static struct catalog *cat;
static uint64_t seed = 1;

static int setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(tmpdir));
	char *d = xasprintf("%s/lessons", tmpdir);
	mkdir(d, 0700);
	free(d);
	d = xasprintf("%s/quizzes", tmpdir);
	mkdir(d, 0700);
	free(d);
	write_file("lessons/alpha.yaml", lesson);
	write_file("quizzes/alpha.yaml", quiz);
	write_file("lessons/beta.yaml", lesson_beta);
	write_file("quizzes/beta.yaml", quiz_beta);
	cat = catalog_new();
	struct diag dg;
	diag_init(&dg);
	catalog_add_root(cat, tmpdir, false, &dg);
	catalog_link(cat, &dg);
	if (dg.n)
		diag_print(&dg, stderr);
	assert_int_equal(dg.n, 0);
	diag_release(&dg);
	setenv("PYDOJO_NOW", "2025-03-03T09:00:00Z", 1);
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

/* The session's line input: plain lines from stdin, no line editor (a
 * session needs no REPL). */
static enum session_read read_stdin(void *arg, const char *prompt, char **line)
{
	(void)arg;
	fputs(prompt, stdout);
	char *l = NULL;
	size_t cap = 0;
	ssize_t n = getline(&l, &cap, stdin);
	if (n < 0) {
		free(l);
		*line = NULL;
		return SESSION_EOF;
	}
	if (n > 0 && l[n - 1] == '\n')
		l[n - 1] = '\0';
	*line = l;
	return SESSION_LINE;
}

/* Runs a session with input as stdin; returns its stdout (a new string). */
static char *run_session(struct store *st, const struct session_opts *o, const char *input, int *rc)
{
	write_file("in.txt", input);
	char *in = xasprintf("%s/in.txt", tmpdir), *outp = xasprintf("%s/out.txt", tmpdir);
	fflush(stdout);
	int saved_in = dup(0), saved_out = dup(1);
	int fi = open(in, O_RDONLY), fo = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fi, 0);
	dup2(fo, 1);
	close(fi);
	close(fo);
	__fpurge(stdin); /* nothing read ahead from an earlier input */
	clearerr(stdin);
	struct session_env env;
	memset(&env, 0, sizeof env);
	env.cat = cat;
	env.st = st;
	env.read = read_stdin;
	env.ro = (struct render_opts){80, false};
	fsrs_params_init(&env.params);
	env.params.enable_fuzz = false;
	env.seed = seed;
	*rc = session_run(&env, o);
	fflush(stdout);
	dup2(saved_in, 0);
	dup2(saved_out, 1);
	close(saved_in);
	close(saved_out);
	__fpurge(stdin);
	clearerr(stdin);
	char *text;
	size_t len;
	assert_int_equal(read_file_limit(outp, 1 << 20, &text, &len), 0);
	free(in);
	free(outp);
	return text;
}

static char *query(struct store *st, const char *sql)
{
	char *out = NULL, *err = NULL;
	if (store_query_text(st, sql, &out, &err) < 0)
		fail_msg("%s: %s", sql, err);
	return out;
}

/* Runs a quiz of one question with the given input; returns the output. */
static char *quiz_one(struct store *st, const char *input, int *rc)
{
	struct session_opts o = {.kind = STORE_QUIZ, .topic = "alpha", .count = 1};
	return run_session(st, &o, input, rc);
}

/* The first question of a fresh quiz with seed 1. */
static const char *first_id(void)
{
	struct store *st = store_open(":memory:", NULL);
	int rc;
	char *out = quiz_one(st, "", &rc);
	static char id[64];
	const char *p = strstr(out, "[1/1] ");
	assert_non_null(p);
	sscanf(p + 6, "%63s", id);
	free(out);
	store_close(st);
	return id;
}

static const char *right_for(const char *id)
{
	if (strcmp(id, "alpha-choice") == 0)
		return "b\n";
	if (strcmp(id, "alpha-tf") == 0)
		return "yes\n";
	return "Because of the cause.\n.\n";
}

static void test_malformed_then_right(void **state)
{
	(void)state;
	const char *id = first_id();
	struct store *st = store_open(":memory:", NULL);
	struct buf in;
	buf_init(&in);
	if (strcmp(id, "alpha-choice") == 0)
		buf_puts(&in, "z\n");
	else if (strcmp(id, "alpha-tf") == 0)
		buf_puts(&in, "perhaps\n");
	else
		buf_puts(&in, ".\n");
	buf_puts(&in, "?\n");
	buf_puts(&in, right_for(id));
	buf_puts(&in, "\n");
	int rc;
	char *out = quiz_one(st, in.data, &rc);
	assert_int_equal(rc, 0);
	assert_true(strstr(out, "is out of range") || strstr(out, "is not true or false") || strstr(out, "no answer"));
	assert_non_null(strstr(out, "Ctrl-C  abandon"));
	assert_non_null(strstr(out, "✓ right"));
	assert_non_null(strstr(out, "score: 1/1 right (100%)"));
	char *rows = query(st, "select question_id, rating, correct from reviews");
	char *want = xasprintf("%s|3|1\n", id);
	assert_string_equal(rows, want);
	free(want);
	free(rows);
	char *res = query(st, "select kind, results from sessions");
	assert_non_null(strstr(res, "\"asked\": 1, \"correct\": 1, \"score\": 1.0000"));
	assert_true(res[0] == '1');
	free(res);
	free(out);
	buf_release(&in);
	store_close(st);
}

static void test_hint_rates_hard_and_wrong_rates_again(void **state)
{
	(void)state;
	const char *id = first_id();
	struct store *st = store_open(":memory:", NULL);
	struct buf in;
	buf_init(&in);
	buf_puts(&in, "hint\n");
	buf_puts(&in, right_for(id));
	buf_puts(&in, "\n");
	int rc;
	char *out = quiz_one(st, in.data, &rc);
	if (strcmp(id, "alpha-choice") == 0) {
		assert_non_null(strstr(out, "It is the second."));
		assert_non_null(strstr(out, "(Enter: 2 hard)"));
	} else {
		assert_non_null(strstr(out, "this question has no hint"));
	}
	free(out);
	buf_release(&in);
	store_close(st);

	st = store_open(":memory:", NULL);
	out = quiz_one(st, strcmp(id, "alpha-text") == 0 ? "Not because.\n.\n\n" : "a\n\n", &rc);
	if (strcmp(id, "alpha-tf") == 0) {
		free(out);
		out = quiz_one(st, "f\n\n", &rc);
	}
	assert_non_null(strstr(out, "✗ wrong"));
	assert_non_null(strstr(out, "(Enter: 1 again)"));
	char *rows = query(st, "select rating, correct from reviews");
	assert_string_equal(rows, "1|0\n");
	free(rows);
	free(out);
	store_close(st);
}

static void test_text_feedback(void **state)
{
	(void)state;
	struct store *st = store_open(":memory:", NULL);
	struct session_opts o = {.kind = STORE_QUIZ, .topic = "alpha", .count = 3};
	/* skip what is not the text question */
	const char *input = "skip\nskip\nNot because, but the cause.\n.\n\nskip\nskip\n";
	int rc;
	char *out = run_session(st, &o, input, &rc);
	const char *t = strstr(out, "alpha-text (alpha, text)");
	assert_non_null(t);
	assert_non_null(strstr(t, "1/2 key points (2 needed)"));
	assert_non_null(strstr(t, "✗ missed says because"));
	assert_non_null(strstr(t, "✓ found  names the cause"));
	assert_non_null(strstr(t, "model answer:"));
	char *rows = query(st, "select question_id, correct, score from reviews");
	assert_string_equal(rows, "alpha-text|0|0.5\n");
	free(rows);
	assert_non_null(strstr(out, "2 skipped"));
	free(out);
	store_close(st);
}

static void test_undo_and_quit(void **state)
{
	(void)state;
	struct store *st = store_open(":memory:", NULL);
	struct session_opts o = {.kind = STORE_QUIZ, .topic = "alpha", .count = 3};
	/* first: skip-proof answer "skip"? No: answer by the first id. */
	const char *id = first_id();
	struct buf in;
	buf_init(&in);
	buf_puts(&in, right_for(id));
	buf_puts(&in, "4\n");       /* easy */
	buf_puts(&in, "undo\n");    /* at the second question */
	buf_puts(&in, "quit\n");    /* the first is asked again: quit */
	int rc;
	char *out = run_session(st, &o, in.data, &rc);
	assert_int_equal(rc, 0);
	char *took = xasprintf("took back your answer to %s", id);
	if (!strstr(out, took))
		fail_msg("no '%s' in:\n%s", took, out);
	free(took);
	assert_non_null(strstr(out, "no answers recorded"));
	char *rows = query(st, "select count(*) from reviews");
	assert_string_equal(rows, "0\n");
	free(rows);
	rows = query(st, "select count(*) from cards");
	assert_string_equal(rows, "0\n");
	free(rows);
	free(out);
	buf_release(&in);
	store_close(st);
}

/* A database that refuses the answer and then the session's end, as a full
 * disk does: the session stops at the first error with status 3, and the
 * second error is freed, not leaked (the sanitizer build's leak check sees
 * it). The faults are triggers added with sqlite3 itself. */
static void test_store_full_at_answer_and_end(void **state)
{
	(void)state;
	const char *id = first_id();
	char *path = xasprintf("%s/full.db", tmpdir);
	struct store *st = store_open(path, NULL);
	assert_non_null(st);
	store_close(st);
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
		"CREATE TRIGGER full_answer BEFORE INSERT ON reviews"
		" BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;"
		"CREATE TRIGGER full_end BEFORE UPDATE ON sessions"
		" BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	st = store_open(path, NULL);
	assert_non_null(st);
	char *in = xasprintf("%s\n", right_for(id));
	int rc;
	char *out = quiz_one(st, in, &rc);
	assert_int_equal(rc, 3);
	assert_null(strstr(out, "score:"));
	char *rows = query(st, "select count(*), count(ended) from sessions");
	assert_string_equal(rows, "1|0\n");
	free(rows);
	rows = query(st, "select count(*) from reviews");
	assert_string_equal(rows, "0\n");
	free(rows);
	free(out);
	free(in);
	store_close(st);
	free(path);
}

static void test_review_learning_steps(void **state)
{
	(void)state;
	struct store *st = store_open(":memory:", NULL);
	struct session_opts o = {.kind = STORE_REVIEW, .new_limit = 1};
	/* catalog order: alpha-choice is the first new card */
	int rc;
	char *out = run_session(st, &o, "a\n\nb\n\nb\n\nb\n\n", &rc);
	assert_int_equal(rc, 0);
	/* again (1 m), good (10 m), good: graduated */
	char *rows = query(st, "select rating from reviews order by id");
	assert_string_equal(rows, "1\n3\n3\n");
	free(rows);
	rows = query(st, "select state, reps from cards");
	assert_string_equal(rows, "2|3\n");
	free(rows);
	/* The card comes back at once (nothing else is left), and says so. */
	assert_non_null(strstr(out, "again: asked again soon in this review (its step is 1m"));
	assert_non_null(strstr(out, "good: asked again soon in this review (its step is 10m"));
	assert_non_null(strstr(out, "[question 2 · 0 more]"));
	assert_non_null(strstr(out, "nothing due — next card due in"));
	free(out);
	out = run_session(st, &o, "", &rc);
	assert_non_null(strstr(out, "today's 1 new cards are done"));
	free(out);
	struct session_topic *t;
	size_t n;
	struct fsrs_params p;
	fsrs_params_init(&p);
	char *err = NULL;
	assert_int_equal(session_topics(cat, st, &p, INT64_C(1740992400) + 86400, &t, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(t[0].topic, "alpha");
	assert_string_equal(t[1].topic, "beta");
	assert_int_equal(t[1].seen, 0);
	assert_true(t[1].mastery == 0);
	assert_int_equal(t[0].questions, 3);
	assert_int_equal(t[0].seen, 1);
	assert_true(t[0].mastery > 0 && t[0].mastery < 1.0 / 3 + 1e-9);
	free(t);
	store_close(st);
}

static void test_interview_report(void **state)
{
	(void)state;
	struct store *st = store_open(":memory:", NULL);
	const char *only[] = {"alpha"};
	struct session_opts o = {.kind = STORE_INTERVIEW, .minutes = 5, .topics = only, .ntopics = 1};
	int rc;
	/* Explain-it first (alpha-text), then choice, then the rest. */
	char *out = run_session(st, &o, "hint\nnot sure\n.\nskip\nskip\n", &rc);
	assert_int_equal(rc, 0);
	if (!strstr(out, "no hints in an interview"))
		fail_msg("no 'no hints' in:\n%s", out);
	assert_non_null(strstr(out, "[1 · 5:00 left] alpha-text"));
	assert_non_null(strstr(out, "Every question asked"));
	assert_non_null(strstr(out, "1 question answered, 2 skipped."));
	assert_non_null(strstr(out, "score: 0/1 (0%), skipped questions not counted"));
	assert_non_null(strstr(out, "learn alpha"));
	assert_non_null(strstr(out, "due now: 0 cards"));
	char *rows = query(st, "select question_id, rating from reviews");
	assert_string_equal(rows, "alpha-text|1\n");
	free(rows);
	rows = query(st, "select kind, score from sessions");
	assert_string_equal(rows, "3|0.0\n");
	free(rows);
	rows = query(st, "select results from sessions");
	assert_non_null(strstr(rows, "\"asked\": 3, \"correct\": 0"));
	assert_non_null(strstr(rows, "\"points\": [\"says because\", \"names the cause\"]"));
	assert_non_null(strstr(rows, "\"ended\": \"done\", \"answered\": 1"));
	free(rows);
	free(out);
	store_close(st);
}

/* Nothing answered: every question skipped, or the input ended before the
 * first answer. Nothing is saved, and the report says so. */
static void test_interview_not_saved(void **state)
{
	(void)state;
	struct store *st = store_open(":memory:", NULL);
	struct session_opts o = {.kind = STORE_INTERVIEW, .minutes = 5};
	const char *inputs[] = {"skip\nskip\nskip\nskip\nskip\n", "", "skip\nquit\n"};
	for (size_t i = 0; i < ARRAY_SIZE(inputs); i++) {
		int rc;
		char *out = run_session(st, &o, inputs[i], &rc);
		assert_int_equal(rc, 0);
		if (!strstr(out, "so the interview is not saved"))
			fail_msg("input %zu: no 'not saved' in:\n%s", i, out);
		free(out);
		char *rows = query(st, "select (select count(*) from sessions), (select count(*) from reviews)");
		assert_string_equal(rows, "0|0\n");
		free(rows);
	}
	store_close(st);
}

/* A topic whose cards are all well known is drawn far less often than one
 * never seen. */
static void test_interview_weighting(void **state)
{
	(void)state;
	struct store *st = store_open(":memory:", NULL);
	struct fsrs_params p;
	fsrs_params_init(&p);
	p.enable_fuzz = false;
	int64_t t = INT64_C(1740992400) - 40 * 86400; /* 40 days before PYDOJO_NOW */
	const char *ids[] = {"alpha-choice", "alpha-tf", "alpha-text"};
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		struct fsrs_card c;
		fsrs_card_init(&c, t);
		for (int k = 0; k < 4; k++) {
			struct fsrs_card after;
			int64_t at = k == 0 ? t : c.due;
			assert_int_equal(fsrs_review(&p, &c, FSRS_EASY, at, NULL, &after), 0);
			struct store_review r = {ids[i], "alpha", at, FSRS_EASY, true, NAN, 1000, "x", STORE_NO_SESSION, 0};
			char *err = NULL;
			if (store_record_review(st, &r, &after, NULL, &err) < 0)
				fail_msg("%s", err);
			c = after;
		}
	}
	struct session_opts o = {.kind = STORE_INTERVIEW, .minutes = 5};
	int alpha = 0, beta = 0;
	for (seed = 1; seed <= 20; seed++) {
		int rc;
		char *out = run_session(st, &o, "quit\n", &rc);
		if (strstr(out, "[1 · 5:00 left] alpha-"))
			alpha++;
		else if (strstr(out, "[1 · 5:00 left] beta-"))
			beta++;
		free(out);
	}
	seed = 1;
	print_message("first draws: alpha (well known) %d, beta (never seen) %d\n", alpha, beta);
	assert_int_equal(alpha + beta, 20);
	assert_true(beta >= 16);
	store_close(st);
}

static void test_settings_file(void **state)
{
	(void)state;
	struct settings s;
	struct diag d;
	settings_init(&s);
	assert_true(s.desired_retention == 0.9 && s.new_cards_per_day == 10 && s.interview_minutes == 20 && s.fuzz);
	diag_init(&d);
	char *missing = xasprintf("%s/nope.yaml", tmpdir);
	assert_int_equal(settings_load(&s, missing, &d), 0);
	free(missing);
	write_file("c.yaml", "desired_retention: 0.8\nnew_cards_per_day: 0\ninterview_minutes: 0.5\nfuzz: false\n");
	char *path = xasprintf("%s/c.yaml", tmpdir);
	assert_int_equal(settings_load(&s, path, &d), 0);
	assert_true(s.desired_retention == 0.8 && s.new_cards_per_day == 0 && s.interview_minutes == 0.5 && !s.fuzz);
	write_file("c.yaml", "desired_retention: 1\nnew_cards_per_day: -1\ninterview_minutes: 601\nfuzz: maybe\ncolour: no\n");
	assert_int_equal(settings_load(&s, path, &d), -1);
	assert_int_equal(d.n, 5);
	assert_int_equal(d.items[0].line, 1);
	assert_int_equal(d.items[0].col, 20);
	assert_int_equal(d.items[4].line, 5);
	assert_int_equal(d.items[4].col, 1);
	assert_non_null(strstr(d.items[4].msg, "unknown key 'colour'"));
	diag_release(&d);
	diag_init(&d);
	/* A quoted number is the number; a quoted word still is not. */
	settings_init(&s);
	write_file("c.yaml", "desired_retention: \"0.8\"\nnew_cards_per_day: '7'\ninterview_minutes: \"2.5\"\n");
	assert_int_equal(settings_load(&s, path, &d), 0);
	assert_true(s.desired_retention == 0.8 && s.new_cards_per_day == 7 && s.interview_minutes == 2.5);
	write_file("c.yaml", "desired_retention: \"high\"\nnew_cards_per_day: \" 7\"\n");
	assert_int_equal(settings_load(&s, path, &d), -1);
	assert_int_equal(d.n, 2);
	assert_non_null(strstr(d.items[0].msg, "not 'high'"));
	diag_release(&d);
	diag_init(&d);
	/* A byte-order mark, as some editors write. */
	settings_init(&s);
	write_file("c.yaml", "\xef\xbb\xbf" "desired_retention: 0.75\nfuzz: false\n");
	assert_int_equal(settings_load(&s, path, &d), 0);
	assert_true(s.desired_retention == 0.75 && !s.fuzz);
	write_file("c.yaml", "\xef\xbb\xbf" "fuzz: maybe\nnew_cards_per_day: 1\n");
	assert_int_equal(settings_load(&s, path, &d), -1);
	assert_int_equal(d.items[0].line, 1);
	assert_int_equal(d.items[0].col, 7);
	diag_release(&d);
	diag_init(&d);
	write_file("c.yaml", "");
	assert_int_equal(settings_load(&s, path, &d), 0);
	write_file("c.yaml", "# only a comment\n");
	assert_int_equal(settings_load(&s, path, &d), 0);
	diag_release(&d);
	free(path);
}

static void test_format_wait(void **state)
{
	(void)state;
	char b[32];
	session_format_wait(b, sizeof b, 0);
	assert_string_equal(b, "0s");
	session_format_wait(b, sizeof b, 59);
	assert_string_equal(b, "59s");
	session_format_wait(b, sizeof b, 600);
	assert_string_equal(b, "10m");
	session_format_wait(b, sizeof b, 3 * 3600 + 60);
	assert_string_equal(b, "3h");
	session_format_wait(b, sizeof b, 2 * 86400 + 3600);
	assert_string_equal(b, "2d");
	session_format_wait(b, sizeof b, -5);
	assert_string_equal(b, "0s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_malformed_then_right),
		cmocka_unit_test(test_hint_rates_hard_and_wrong_rates_again),
		cmocka_unit_test(test_text_feedback),
		cmocka_unit_test(test_undo_and_quit),
		cmocka_unit_test(test_store_full_at_answer_and_end),
		cmocka_unit_test(test_review_learning_steps),
		cmocka_unit_test(test_interview_report),
		cmocka_unit_test(test_interview_not_saved),
		cmocka_unit_test(test_interview_weighting),
		cmocka_unit_test(test_settings_file),
		cmocka_unit_test(test_format_wait),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
