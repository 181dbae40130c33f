/*
 * Unit tests of grade: every answer parser with its edge cases, the output
 * comparison, grade_answer on hand-made questions, and then the shipped
 * content graded whole: every text question's model answer and rubric
 * examples (pass must pass, fail must fail) and, for every other question,
 * its right answer (right) and a wrong one (wrong). A rubric that accepts a
 * wrong answer or rejects a right one fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "answer.h"
#include "catalog.h"
#include "diag.h"
#include "grade.h"
#include "needle.h"
#include "regex.h"
#include "util.h"

/* ---- choice ---- */

static void choice_ok(const char *a, size_t n, size_t want)
{
	size_t got = 99;
	char *why = NULL;
	int rc = grade_parse_choice(a, n, &got, &why);
	if (rc != 0)
		fail_msg("'%s' refused: %s", a, why);
	assert_int_equal(got, want);
	assert_null(why);
}

static void choice_bad(const char *a, size_t n, const char *reason)
{
	size_t got = 99;
	char *why = NULL;
	assert_int_equal(grade_parse_choice(a, n, &got, &why), -1);
	assert_non_null(why);
	if (!strstr(why, reason))
		fail_msg("'%s': reason '%s' lacks '%s'", a, why, reason);
	assert_null(strchr(why, '\n'));
	assert_int_equal(got, 99);
	free(why);
}

static void test_choice(void **state)
{
	(void)state;
	choice_ok("a", 4, 0);
	choice_ok("b", 4, 1);
	choice_ok("D", 4, 3);
	choice_ok("  c  ", 4, 2);
	choice_ok("c)", 4, 2);
	choice_ok("c.", 4, 2);
	choice_ok("1", 4, 0);
	choice_ok("4", 4, 3);
	choice_ok("\tb\r", 4, 1);
	choice_bad("e", 4, "out of range");
	choice_bad("z", 4, "a to d");
	choice_bad("0", 4, "out of range");
	choice_bad("5", 4, "1 to 4");
	choice_bad("", 4, "no answer");
	choice_bad("   ", 4, "no answer");
	choice_bad("a b", 4, "one choice");
	choice_bad("a,b", 4, "one choice");
	choice_bad("ab", 4, "not a choice");
	choice_bad("-1", 4, "not a choice");
	choice_bad("b)x", 4, "not a choice");
	choice_bad("99999999999999999999", 4, "not a choice");
	/* two choices: c is already out of range */
	choice_ok("b", 2, 1);
	choice_bad("c", 2, "a to b");
}

/* ---- multi ---- */

static void multi_ok(const char *a, size_t n, const char *want)
{
	bool sel[26];
	char *why = NULL;
	int rc = grade_parse_multi(a, n, sel, &why);
	if (rc != 0)
		fail_msg("'%s' refused: %s", a, why);
	char got[27] = "";
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (sel[i])
			got[k++] = grade_letter(i);
	got[k] = '\0';
	assert_string_equal(got, want);
}

static void multi_bad(const char *a, size_t n, const char *reason)
{
	bool sel[26];
	char *why = NULL;
	assert_int_equal(grade_parse_multi(a, n, sel, &why), -1);
	assert_non_null(why);
	if (!strstr(why, reason))
		fail_msg("'%s': reason '%s' lacks '%s'", a, why, reason);
	free(why);
}

static void test_multi(void **state)
{
	(void)state;
	multi_ok("a,c", 4, "ac");
	multi_ok("a c", 4, "ac");
	multi_ok("c,a", 4, "ac");
	multi_ok("c a", 4, "ac");
	multi_ok("C, A", 4, "ac");
	multi_ok("ac", 4, "ac");
	multi_ok("ca", 4, "ac");
	multi_ok("1,3", 4, "ac");
	multi_ok("3 1", 4, "ac");
	multi_ok("a, 3", 4, "ac");
	multi_ok(" a ,, c ; ", 4, "ac");
	multi_ok("a) c)", 4, "ac");
	multi_ok("b", 4, "b");
	multi_ok("a b c d", 4, "abcd");
	multi_bad("", 4, "no answer");
	multi_bad(" , ", 4, "no answer");
	multi_bad("a,a", 4, "twice");
	multi_bad("a 1", 4, "twice");
	multi_bad("a,e", 4, "out of range");
	multi_bad("a,0", 4, "out of range");
	multi_bad("a,xy", 4, "not a choice");
	multi_bad("ae", 4, "out of range");
}

/* ---- true/false ---- */

static void test_truefalse(void **state)
{
	(void)state;
	const char *yes[] = {"t", "T", "true", "True", "TRUE", "y", "yes", "Yes", " yes "};
	const char *no[] = {"f", "F", "false", "False", "n", "no", "NO", "\tn\t"};
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		bool v = false;
		char *why = NULL;
		assert_int_equal(grade_parse_truefalse(yes[i], &v, &why), 0);
		assert_true(v);
	}
	for (size_t i = 0; i < ARRAY_SIZE(no); i++) {
		bool v = true;
		char *why = NULL;
		assert_int_equal(grade_parse_truefalse(no[i], &v, &why), 0);
		assert_false(v);
	}
	const char *bad[] = {"", "maybe", "tru", "yess", "1", "0", "t f", "nope"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		bool v;
		char *why = NULL;
		assert_int_equal(grade_parse_truefalse(bad[i], &v, &why), -1);
		assert_non_null(why);
		assert_non_null(strstr(why, "t or f"));
		free(why);
	}
}

/* ---- order ---- */

static void order_ok(const char *a, size_t n, const size_t *want)
{
	size_t seq[16];
	char *why = NULL;
	int rc = grade_parse_order(a, n, seq, &why);
	if (rc != 0)
		fail_msg("'%s' refused: %s", a, why);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(seq[i], want[i]);
}

static void order_bad(const char *a, size_t n, const char *reason)
{
	size_t seq[16];
	char *why = NULL;
	assert_int_equal(grade_parse_order(a, n, seq, &why), -1);
	assert_non_null(why);
	if (!strstr(why, reason))
		fail_msg("'%s': reason '%s' lacks '%s'", a, why, reason);
	assert_null(strchr(why, '\n'));
	free(why);
}

static void test_order(void **state)
{
	(void)state;
	const size_t s312[] = {2, 0, 1};
	order_ok("3 1 2", 3, s312);
	order_ok("3,1,2", 3, s312);
	order_ok("3, 1, 2", 3, s312);
	order_ok("  3  1  2 ", 3, s312);
	order_ok("312", 3, s312);
	const size_t s10[] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
	order_ok("10 9 8 7 6 5 4 3 2 1", 10, s10);
	order_bad("1 2", 3, "missing 3");
	order_bad("2", 3, "missing 1, 3");
	order_bad("1 1 2", 3, "1 is given twice");
	order_bad("1 2 2", 3, "2 is given twice");
	order_bad("4 1 2", 3, "'4' is not an item number");
	order_bad("0 1 2", 3, "'0'");
	order_bad("a b c", 3, "'a'");
	order_bad("", 3, "no answer");
	order_bad("3 1 2 3", 3, "twice");
	order_bad("1 2 3 4", 3, "'4'");
	order_bad("3-1-2", 3, "not an item number");
	/* ten items: digits run together are not split */
	order_bad("12345678910", 10, "not an item number");
}

/* ---- output ---- */

static void test_output(void **state)
{
	(void)state;
	assert_true(grade_output("a\nb\n", "a\nb\n"));
	assert_true(grade_output("a\nb\n", "a\nb"));
	assert_true(grade_output("a\nb", "a\nb\n\n\n"));
	assert_true(grade_output("a\nb\n", "a   \nb\t\n"));
	assert_true(grade_output("a  \nb\n", "a\nb\n"));
	assert_true(grade_output("a\r\nb\r\n", "a\nb\n"));
	assert_true(grade_output("a\n\nb\n", "a\n\nb\n"));       /* a blank line inside counts */
	assert_true(grade_output("a\n   \nb\n", "a\n\nb\n"));    /* blank = only spaces */
	assert_true(grade_output("", "\n\n"));
	assert_true(grade_output("", ""));
	assert_true(grade_output("[1, 2] True\n", "[1, 2] True\n"));
	assert_false(grade_output("a\n\nb\n", "a\nb\n"));
	assert_false(grade_output("a\nb\n", "a\n\nb\n"));
	assert_false(grade_output("a\nb\n", "\na\nb\n"));        /* leading blank lines count */
	assert_false(grade_output("a\nb\n", " a\nb\n"));         /* leading spaces count */
	assert_false(grade_output("a\nb\n", "a\nc\n"));
	assert_false(grade_output("a\nb\n", "a\n"));
	assert_false(grade_output("a\n", "a\nb\n"));
	assert_false(grade_output("A\n", "a\n"));                /* case counts */
	assert_false(grade_output("a\n", ""));
	assert_false(grade_output("", "x"));
}

/* ---- grade_answer on hand-made questions ---- */

static void test_answer_types(void **state)
{
	(void)state;
	const char *choices[] = {"one", "two", "three", "four"};
	struct question q;
	memset(&q, 0, sizeof q);
	q.id = "t";
	q.type = Q_CHOICE;
	q.choices.v = choices;
	q.choices.n = 4;
	q.answer = 2;
	struct grade_result r;
	char *why = NULL;
	assert_int_equal(grade_answer(&q, "c", NULL, &r, &why), 0);
	assert_true(r.correct);
	assert_int_equal(r.found, 1);
	assert_int_equal(r.total, 1);
	assert_true(grade_score(&r) == 1.0);
	grade_result_release(&r);
	assert_int_equal(grade_answer(&q, "3", NULL, &r, &why), 0);
	assert_true(r.correct);
	assert_int_equal(grade_answer(&q, "a", NULL, &r, &why), 0);
	assert_false(r.correct);
	assert_true(grade_score(&r) == 0.0);
	assert_int_equal(grade_answer(&q, "e", NULL, &r, &why), -1);
	free(why);
	why = NULL;

	long answers[] = {0, 3};
	q.type = Q_MULTI;
	q.answers = answers;
	q.nanswers = 2;
	assert_int_equal(grade_answer(&q, "d,a", NULL, &r, &why), 0);
	assert_true(r.correct);
	assert_int_equal(grade_answer(&q, "a", NULL, &r, &why), 0);
	assert_false(r.correct);                       /* one missing */
	assert_int_equal(grade_answer(&q, "a b d", NULL, &r, &why), 0);
	assert_false(r.correct);                       /* one too many */

	q.type = Q_TRUEFALSE;
	q.answer_bool = false;
	assert_int_equal(grade_answer(&q, "no", NULL, &r, &why), 0);
	assert_true(r.correct);
	assert_int_equal(grade_answer(&q, "t", NULL, &r, &why), 0);
	assert_false(r.correct);

	/* Items A B C D in the right order, shown as C A D B: the answer lists
	 * the shown numbers of A, B, C, D: 2 4 1 3. */
	const char *items[] = {"A", "B", "C", "D"};
	size_t shown[] = {2, 0, 3, 1};
	q.type = Q_ORDER;
	q.items.v = items;
	q.items.n = 4;
	assert_int_equal(grade_answer(&q, "2 4 1 3", shown, &r, &why), 0);
	assert_true(r.correct);
	assert_int_equal(grade_answer(&q, "1 2 3 4", shown, &r, &why), 0);
	assert_false(r.correct);
	assert_int_equal(grade_answer(&q, "2 4 1", shown, &r, &why), -1);
	assert_non_null(strstr(why, "missing 3"));
	free(why);
	why = NULL;
	/* without a shuffle, the identity is right */
	assert_int_equal(grade_answer(&q, "1 2 3 4", NULL, &r, &why), 0);
	assert_true(r.correct);

	q.type = Q_OUTPUT;
	q.expected = "0\n1\n\n2\n";
	assert_int_equal(grade_answer(&q, "0\n1\n\n2  \n\n", NULL, &r, &why), 0);
	assert_true(r.correct);
	assert_int_equal(grade_answer(&q, "0\n1\n2\n", NULL, &r, &why), 0);
	assert_false(r.correct);
	assert_int_equal(grade_answer(&q, "", NULL, &r, &why), 0);
	assert_false(r.correct);
}

/* ---- regex limits ---- */

static struct regex *compiled(const char *pattern)
{
	char *err = NULL;
	size_t off = 0;
	struct regex *re = regex_compile(pattern, REGEX_CASELESS | REGEX_ASCII_WORDS, &err, &off);
	if (!re)
		fail_msg("'%s' does not compile: %s", pattern, err);
	return re;
}

/* A text question of n legacy points (pattern and reject), compiled. */
static struct question text_question(struct rubric_point *points, size_t n, size_t pass)
{
	for (size_t i = 0; i < n; i++) {
		points[i].re = compiled(points[i].pattern);
		points[i].reject_re = points[i].reject ? compiled(points[i].reject) : NULL;
		points[i].compiled = true;
	}
	struct question q;
	memset(&q, 0, sizeof q);
	q.id = "t";
	q.type = Q_TEXT;
	q.rubric = points;
	q.nrubric = n;
	q.pass = pass;
	return q;
}

static void text_question_release(struct question *q)
{
	catalog_drop_grading(q);
	for (size_t i = 0; i < q->nrubric; i++) {
		regex_free(q->rubric[i].re);
		regex_free(q->rubric[i].reject_re);
	}
}

/* A pattern that hits the match limit is neither a match nor a non-match:
 * an answer crafted to exhaust a reject pattern does not get the point,
 * and the result says which points a limit left undecided. In the
 * interpreter (check) and the JIT (a session) alike. */
static void test_rubric_limit(void **state)
{
	(void)state;
	struct rubric_point points[3] = {
		{.point = "released", .pattern = "releases? the gil", .reject = "(a|aa)+$|wrong"},
		{.point = "exhausted", .pattern = "(a|aa)+$|fine"},
		{.point = "plain", .pattern = "gil"},
	};
	struct question q = text_question(points, 3, 1);
	char crafted[128];
	snprintf(crafted, sizeof crafted, "It releases the GIL %.60s!",
	         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	for (int jit = 0; jit < 2; jit++) {
		regex_defer_jit(!jit);
		assert_int_equal(regex_match(points[0].reject_re, crafted), REGEX_LIMIT);
		assert_int_equal(regex_match(points[0].reject_re, "wrong"), REGEX_MATCH);
		assert_int_equal(regex_match(points[0].reject_re, "right"), REGEX_NOMATCH);
		assert_int_equal(grade_rubric_point(&points[0], crafted), GRADE_REJECT_LIMIT);
		assert_int_equal(grade_rubric_point(&points[1], crafted), GRADE_LIMIT);
		assert_int_equal(grade_rubric_point(&points[2], crafted), GRADE_FOUND);
		assert_int_equal(grade_rubric_point(&points[0], "it releases the GIL, wrong"), GRADE_MISSED);
		assert_int_equal(grade_rubric_point(&points[0], "it releases the GIL"), GRADE_FOUND);
		/* Why a point is missed: its claim there but its reject fired,
		 * or its claim not there at all. */
		const char *answers[] = {"it releases the GIL, wrong", "it releases the GIL", "it holds the lock, wrong"};
		bool rejected[] = {true, false, false};
		for (size_t k = 0; k < 3; k++) {
			struct answer a;
			answer_prepare(&a, answers[k]);
			assert_int_equal(grade_point_rejected(&points[0], &a), rejected[k]);
			answer_release(&a);
		}
		bool hits[3], limited[3];
		assert_int_equal(grade_rubric(&q, crafted, hits, limited), 1);
		assert_false(hits[0]);
		assert_true(limited[0]);
		assert_false(hits[1]);
		assert_true(limited[1]);
		assert_true(hits[2]);
		assert_false(limited[2]);
		struct grade_result r;
		char *why = NULL;
		q.pass = 2;
		assert_int_equal(grade_answer(&q, crafted, NULL, &r, &why), 0);
		assert_false(r.correct);
		assert_int_equal(r.found, 1);
		assert_true(r.limited[0] && r.limited[1] && !r.limited[2]);
		grade_result_release(&r);
		assert_int_equal(grade_answer(&q, "It releases the GIL, fine", NULL, &r, &why), 0);
		assert_true(r.correct);
		assert_true(!r.limited[0] && !r.limited[1] && !r.limited[2]);
		grade_result_release(&r);
		q.pass = 1;
	}
	regex_defer_jit(false);
	text_question_release(&q);
}

/* Points that share reject alternatives: grading the whole question
 * matches each shared part once per answer, and judges every point as
 * grading it alone does. A reject that sets an option for the
 * alternatives after it keeps the question from being split. */
static void test_shared_rejects(void **state)
{
	(void)state;
	const char *rejects[][3] = {
		{"each thread has its own gil|gil per thread|holds the gil", "each thread has its own gil|gil per thread|never runs",
		 "waits? forever|gil per thread"},
		{"each thread has its own gil|gil per thread", "each thread has its own gil|(?-i)Never runs",
		 "waits? forever"},
		/* A '|' inside a class with a POSIX name splits nothing. */
		{"gil per thread|each[[:digit:]|]thread", "gil per thread", "waits? forever"},
		/* An escaped parenthesis, or one in a class, opens no group:
		 * "\\(?(" is no conditional, "[(*]" no verb. */
		{"gil per thread|\\(?(its )?own gil", "gil per thread", "waits? forever|[(*]own gil"},
		/* Small rejects that share nothing: not split. */
		{"^[^.]*?\\Kholds the gil|gil per thread", "gil per thread", "waits? forever"},
		/* A reject that is not separable is a part of its own, beside
		 * the parts of the others: one whose \K reports a start a search
		 * from there cannot give, one that excludes words from the
		 * alternatives after them. */
		{"^[^.]*?\\Kholds the gil", "gil per thread|holds the gil", "gil per thread|waits? forever"},
		{"its own gil(*SKIP)(*F)|gil|never runs", "gil per thread|never runs", "gil per thread"},
	};
	const char *answers[] = {
		"The thread releases the GIL while it waits; other threads run.",
		"The thread releases the GIL, each thread has its own GIL, other threads run.",
		"The thread releases the GIL and other threads run, with one GIL per thread, and it waits forever.",
		"Other threads run; it holds the GIL.",
		"The thread releases the GIL. Other threads never runs. It waits.",
		"It waits forever while other threads run.",
		"The thread releases the GIL; it waits; other threads Never runs.",
		"The thread releases the GIL and it holds the GIL.",
		"Each thread has its own GIL, other threads run and it waits.",
		"It waits; it holds the GIL, other threads run with a GIL per thread.",
		"aaaa",
	};
	/* Each set as legacy points (a match anywhere) and as points of the
	 * rubric language (matched per clause and sentence). */
	for (size_t vv = 0; vv < 2 * (sizeof rejects / sizeof *rejects); vv++) {
		size_t v = vv / 2;
		struct rubric_point points[3] = {
			{.point = "released", .pattern = "releases? the gil"},
			{.point = "others", .pattern = "other threads run"},
			{.point = "waits", .pattern = "waits?"},
		};
		for (size_t i = 0; i < 3; i++) {
			points[i].reject = rejects[v][i];
			if (vv % 2) {
				points[i].expanded[RUBRIC_CLAIM] = (char *)points[i].pattern;
				points[i].expanded[RUBRIC_REJECT] = (char *)points[i].reject;
			}
		}
		struct question q = text_question(points, 3, 3);
		for (size_t k = 0; k < sizeof answers / sizeof *answers; k++) {
			bool hits[3], limited[3];
			size_t found = grade_rubric(&q, answers[k], hits, limited), alone = 0;
			for (size_t i = 0; i < 3; i++) {
				bool hit = grade_rubric_point(&points[i], answers[k]) == GRADE_FOUND;
				if (hit != hits[i])
					fail_msg("rejects %zu, '%s': point %zu is %s alone, %s in its question", v, answers[k], i,
					         hit ? "found" : "missed", hits[i] ? "found" : "missed");
				alone += hit;
			}
			assert_int_equal(found, alone);
		}
		/* Split into (own|shared by 0 and 1|shared by all|own of 1|own
		 * of 2) parts; never for the second set nor the fifth. In the
		 * last two, point 0's reject is one whole part. */
		if (v < 2 || v == 4)
			assert_int_equal(q.nreject_part, v == 0 ? 5 : 0);
		else
			assert_true(q.nreject_part > 0);
		if (v >= 5) {
			size_t whole = 0;
			for (size_t k = 0; k < q.nreject_part; k++)
				if (q.reject_part[k].whole) {
					whole++;
					assert_int_equal(q.reject_part[k].points, 1);
				}
			assert_int_equal(whole, 1);
		}
		text_question_release(&q);
	}
}

/* ---- the shipped content ---- */

static char *letters(const long *idx, size_t n, const char *sep)
{
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%c", i ? sep : "", grade_letter((size_t)idx[i]));
	return buf_detach(&b);
}

static void expect(const struct question *q, const char *answer, const size_t *shown, bool want,
		const char *what, size_t *bad)
{
	struct grade_result r;
	char *why = NULL;
	if (grade_answer(q, answer, shown, &r, &why) < 0) {
		print_error("%s: %s '%s' refused: %s\n", q->id, what, answer, why);
		free(why);
		(*bad)++;
		return;
	}
	if (r.correct != want) {
		print_error("%s:%d: %s: %s should grade %s but grades %s (%zu/%zu points)\n", q->pos.file, q->pos.line,
		            q->id, what, want ? "right" : "wrong", r.correct ? "right" : "wrong", r.found, r.total);
		(*bad)++;
	}
	grade_result_release(&r);
}

/* Grading skips a claim, a reject or a reject part whose needles an
 * answer does not hold: in every model answer and example of q that a
 * point's claim or reject or a part of its rejects matches, one of its
 * needles must be. */
static void needles_hold(const struct question *q, size_t *bad)
{
	size_t n = q->ex_pass.n + q->ex_fail.n + 1;
	for (size_t i = 0; i < n; i++) {
		const char *text = i < q->ex_pass.n ? q->ex_pass.v[i]
		                   : i < n - 1      ? q->ex_fail.v[i - q->ex_pass.n]
		                                    : q->model_answer;
		if (!text)
			continue;
		struct answer a;
		answer_prepare(&a, text);
		char *folded = xmalloc(a.len + 1);
		size_t len = needle_fold(folded, a.text, a.len);
		struct needle_grams grams;
		needle_grams_of(&grams, folded, len);
		for (size_t k = 0; k < 2 * q->nrubric; k++) {
			const struct rubric_point *p = &q->rubric[k / 2];
			struct regex *re = catalog_rubric_regex(p, k % 2 ? RUBRIC_REJECT : RUBRIC_CLAIM);
			if (p->needles[k % 2] && re && regex_match(re, a.text) == REGEX_MATCH &&
			    (!needle_any(p->needles[k % 2], folded, len, &grams) ||
			     (p->needles2[k % 2] && !needle_any(p->needles2[k % 2], folded, len, &grams)))) {
				print_error("%s: the %s of point %zu matches '%s', which holds none of its needles\n", q->id,
				            k % 2 ? "reject" : "claim", k / 2 + 1, text);
				(*bad)++;
			}
		}
		for (size_t k = 0; k < q->nreject_part; k++) {
			const struct reject_part *part = &q->reject_part[k];
			struct regex *re = grade_reject_part(q, k);
			if (part->needles && re && regex_match(re, a.text) == REGEX_MATCH &&
			    (!needle_any(part->needles, folded, len, &grams) ||
			     (part->needles2 && !needle_any(part->needles2, folded, len, &grams)))) {
				print_error("%s: reject part '%s' matches '%s', which holds none of its needles\n", q->id,
				            regex_source(re), text);
				(*bad)++;
			}
		}
		free(folded);
		answer_release(&a);
	}
}

static void test_shipped_content(void **state)
{
	(void)state;
	const char *dir = getenv("PYDOJO_DATADIR");
	if (!dir)
		skip();
	struct catalog *c = catalog_new();
	struct diag d;
	diag_init(&d);
	/* Link faults elsewhere (a lesson naming a demo not written yet) do not
	 * stop the questions from loading; those are check's business. */
	catalog_add_root(c, dir, false, &d);
	catalog_link(c, &d);
	diag_release(&d);
	size_t n = catalog_nquestions(c), bad = 0, texts = 0, examples = 0;
	size_t by_type[Q_NTYPES] = {0};
	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		const struct question *q = catalog_question_at(c, i);
		by_type[q->type]++;
		switch (q->type) {
		case Q_CHOICE: {
			char right[2] = {grade_letter((size_t)q->answer), 0};
			char wrong[2] = {grade_letter(((size_t)q->answer + 1) % q->choices.n), 0};
			char num[24];
			snprintf(num, sizeof num, "%ld", q->answer + 1);
			expect(q, right, NULL, true, "the right letter", &bad);
			expect(q, num, NULL, true, "the right number", &bad);
			expect(q, wrong, NULL, false, "another letter", &bad);
			break;
		}
		case Q_MULTI: {
			char *right = letters(q->answers, q->nanswers, ",");
			char *spaced = letters(q->answers, q->nanswers, " ");
			expect(q, right, NULL, true, "the right letters", &bad);
			expect(q, spaced, NULL, true, "the right letters spaced", &bad);
			long all[26];
			for (size_t k = 0; k < q->choices.n && k < 26; k++)
				all[k] = (long)k;
			char *every = letters(all, q->choices.n, " ");
			if (q->nanswers < q->choices.n)
				expect(q, every, NULL, false, "every letter", &bad);
			if (q->nanswers > 1) {
				char *fewer = letters(q->answers, q->nanswers - 1, ",");
				expect(q, fewer, NULL, false, "one right letter short", &bad);
				free(fewer);
			}
			free(right);
			free(spaced);
			free(every);
			break;
		}
		case Q_TRUEFALSE:
			expect(q, q->answer_bool ? "true" : "false", NULL, true, "the right value", &bad);
			expect(q, q->answer_bool ? "n" : "y", NULL, false, "the other value", &bad);
			break;
		case Q_ORDER: {
			size_t m = q->items.n;
			size_t *shown = xcalloc(m, sizeof *shown);
			for (size_t k = 0; k < m; k++)
				shown[k] = m - 1 - k; /* shown reversed */
			struct buf right, wrong;
			buf_init(&right);
			buf_init(&wrong);
			for (size_t k = 0; k < m; k++) {
				buf_printf(&right, "%s%zu", k ? " " : "", m - k);
				buf_printf(&wrong, "%s%zu", k ? " " : "", k + 1);
			}
			expect(q, right.data, shown, true, "the right order", &bad);
			expect(q, wrong.data, shown, false, "the shown order", &bad);
			buf_release(&right);
			buf_release(&wrong);
			free(shown);
			break;
		}
		case Q_OUTPUT:
			expect(q, q->expected, NULL, true, "the expected output", &bad);
			expect(q, "", NULL, false, "no output", &bad);
			break;
		case Q_TEXT:
			texts++;
			if (q->model_answer)
				expect(q, q->model_answer, NULL, true, "the model answer", &bad);
			for (size_t k = 0; k < q->ex_pass.n; k++, examples++)
				expect(q, q->ex_pass.v[k], NULL, true, "a pass example", &bad);
			for (size_t k = 0; k < q->ex_fail.n; k++, examples++)
				expect(q, q->ex_fail.v[k], NULL, false, "a fail example", &bad);
			expect(q, "I do not know.", NULL, false, "a blank answer", &bad);
			needles_hold(q, &bad);
			break;
		default:
			break;
		}
	}
	print_message("graded %zu questions (%zu choice, %zu multi, %zu truefalse, %zu order, %zu output, %zu text "
	              "with %zu rubric examples)\n",
	              n, by_type[Q_CHOICE], by_type[Q_MULTI], by_type[Q_TRUEFALSE], by_type[Q_ORDER], by_type[Q_OUTPUT],
	              texts, examples);
	catalog_free(c);
	assert_true(texts > 0);
	assert_int_equal(bad, 0);
}

/* The partial credit answer.c works out for a wrong answer: the longest run
 * in order, the line diff and the whitespace and quote notes. */
static void test_credit(void **state)
{
	(void)state;
	bool in[6];
	size_t seq1[] = {5, 0, 1, 3, 4, 2};
	assert_int_equal(answer_longest_run(seq1, 6, in), 4);
	assert_true(!in[0] && in[1] && in[2] && in[3] && in[4] && !in[5]);
	size_t seq2[] = {3, 2, 1, 0};
	assert_int_equal(answer_longest_run(seq2, 4, in), 1);
	assert_int_equal(answer_longest_run(seq2, 0, in), 0);

	struct answer_diff_line *d;
	size_t n = answer_diff_lines("a\nb\nc\n", "a\nB\nc  \n\n\n", &d);
	assert_int_equal(n, 4);
	assert_true(d[0].op == ' ' && d[1].op == '-' && d[2].op == '+' && d[3].op == ' ');
	assert_true(d[1].len == 1 && d[1].text[0] == 'b' && d[2].text[0] == 'B' && d[3].len == 1);
	free(d);
	n = answer_diff_lines("a\n", "", &d);
	assert_true(n == 1 && d[0].op == '-');
	free(d);

	assert_int_equal(answer_output_near("'x'\n  1\n", "\"x\"\n  1\n"), ANSWER_NEAR_QUOTES);
	assert_int_equal(answer_output_near("'x'\n  1\n", "'x'\n1\n\n"), ANSWER_NEAR_SPACE);
	assert_int_equal(answer_output_near("'x'\n\n  1\n", "'x'\n  1\n"), ANSWER_NEAR_SPACE);
	assert_int_equal(answer_output_near("['a', 'b']\n", "[\"a\",\"b\"]\n"), ANSWER_NEAR_BOTH);
	assert_int_equal(answer_output_near("'x'\n", "'y'\n"), ANSWER_NEAR_NONE);
	/* Trailing blanks alone are no difference: grading ignores them. */
	assert_int_equal(answer_output_near("'x'\n", "'x'   \n\n"), ANSWER_NEAR_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_choice),
		cmocka_unit_test(test_multi),
		cmocka_unit_test(test_truefalse),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_output),
		cmocka_unit_test(test_credit),
		cmocka_unit_test(test_answer_types),
		cmocka_unit_test(test_rubric_limit),
		cmocka_unit_test(test_shared_rejects),
		cmocka_unit_test(test_shipped_content),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
