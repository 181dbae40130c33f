/* Unit tests of regex: compile errors with their code-point offset, caseless
 * and Unicode matching, shared compiled patterns, the limits that stop a
 * catastrophic pattern (with JIT and without), invalid UTF-8 refused, and
 * regex_skip's byte. The scan over every match is tested in test-search. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "regex.h"
#include "util.h"

static struct regex *compiled(const char *pattern, unsigned flags)
{
	char *err = NULL;
	size_t off = 0;
	struct regex *re = regex_compile(pattern, flags, &err, &off);
	if (!re)
		fail_msg("'%s' does not compile: %s", pattern, err);
	return re;
}

static void test_compile_errors(void **state)
{
	(void)state;
	static const struct {
		const char *pattern;
		size_t offset;
	} bad[] = {
		{"a(b", 3},
		{"é(", 2},          /* code points, not bytes (é is two) */
		{"日本[", 3},
		{"x{2,1}", 5},
		{"(?<n>a)(?<n>b)", 12},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *err = NULL;
		size_t off = 99;
		assert_null(regex_compile(bad[i].pattern, 0, &err, &off));
		assert_non_null(err);
		assert_true(strlen(err) > 0);
		if (off != bad[i].offset)
			fail_msg("'%s': offset %zu, want %zu (%s)", bad[i].pattern, off, bad[i].offset, err);
		free(err);
	}
	/* err and offset are optional. */
	assert_null(regex_compile("(", 0, NULL, NULL));
	/* A pattern that is not UTF-8. */
	char *err = NULL;
	size_t off;
	assert_null(regex_compile("a\xff", 0, &err, &off));
	free(err);
}

static void test_matching(void **state)
{
	(void)state;
	struct regex *exact = compiled("GIL", 0), *caseless = compiled("GIL", REGEX_CASELESS);
	assert_int_equal(regex_match(exact, "the gil"), REGEX_NOMATCH);
	assert_int_equal(regex_match(caseless, "the gil"), REGEX_MATCH);
	assert_int_equal(regex_match(exact, "the GIL"), REGEX_MATCH);
	regex_free(exact);
	regex_free(caseless);
	/* Unicode: \w and \b know é; caseless folds beyond ASCII. */
	struct regex *word = compiled("\\bcafé\\b", REGEX_CASELESS);
	assert_int_equal(regex_match(word, "un CAFÉ noir"), REGEX_MATCH);
	assert_int_equal(regex_match(word, "cafés"), REGEX_NOMATCH);
	regex_free(word);
	struct regex *dot = compiled("^.$", 0);
	assert_int_equal(regex_match(dot, "日"), REGEX_MATCH);   /* one character, three bytes */
	regex_free(dot);
}

static void test_shared(void **state)
{
	(void)state;
	struct regex *a = compiled("lock(s)?", REGEX_CASELESS);
	struct regex *b = compiled("lock(s)?", REGEX_CASELESS);
	struct regex *c = compiled("lock(s)?", 0);
	assert_ptr_equal(a, b);       /* the same pattern and options: one */
	assert_ptr_not_equal(a, c);   /* other options: another */
	regex_free(a);
	/* b still works after a's free: the pattern is counted. */
	assert_int_equal(regex_match(b, "LOCKS"), REGEX_MATCH);
	regex_free(b);
	regex_free(c);
	regex_free(NULL);
}

static void test_limits(void **state)
{
	(void)state;
	/* Catastrophic backtracking stops at a limit, neither match nor
	 * non-match, in the interpreter and with JIT. */
	char subject[64];
	memset(subject, 'a', 40);
	strcpy(subject + 40, "!");
	for (int jit = 0; jit < 2; jit++) {
		regex_defer_jit(!jit);
		struct regex *re = compiled(jit ? "^(a+)+$" : "^(a|a)+$", 0);
		assert_int_equal(regex_match(re, subject), REGEX_LIMIT);
		assert_int_equal(regex_match(re, "aaaa"), REGEX_MATCH);
		struct regex_scan scan = {0};
		size_t s, e;
		char *err = NULL;
		assert_int_equal(regex_next(re, subject, strlen(subject), &scan, &s, &e, &err), REGEX_LIMIT);
		assert_non_null(err);
		assert_non_null(strstr(err, "limit exceeded"));
		free(err);
		regex_free(re);
	}
	regex_defer_jit(false);
}

static void test_invalid_subject(void **state)
{
	(void)state;
	struct regex *re = compiled("b", 0);
	struct regex_scan scan = {0};
	size_t s, e;
	char *err = NULL;
	const char *bad = "a\xff b";
	assert_int_equal(regex_next(re, bad, strlen(bad), &scan, &s, &e, &err), REGEX_LIMIT);
	assert_string_equal(err, "invalid UTF-8");
	free(err);
	/* It stays refused: the check is not skipped after a failure. */
	assert_false(scan.checked);
	assert_int_equal(regex_next(re, bad, strlen(bad), &scan, &s, &e, NULL), REGEX_LIMIT);
	regex_free(re);
}

static void test_skip(void **state)
{
	(void)state;
	const char *text = "no match here\nnor here\nthe Gil is here\n";
	const char *end = text + strlen(text);
	/* A first literal: both cases of the letter are looked for. */
	struct regex *re = compiled("gil", REGEX_CASELESS);
	struct regex_skip k = {0};
	const char *at = regex_skip(re, text, end, &k);
	assert_ptr_equal(at, strchr(text, 'G'));
	/* Asked again from further on, it does not move back. */
	assert_ptr_equal(regex_skip(re, at, end, &k), at);
	regex_free(re);
	/* Nothing to skip by: a pattern that matches the empty string. */
	re = compiled("x?", 0);
	struct regex_skip k2 = {0};
	assert_ptr_equal(regex_skip(re, text, end, &k2), text);
	regex_free(re);
	/* A byte that is not there: all of the text is skipped. */
	re = compiled("zebra", 0);
	struct regex_skip k3 = {0};
	assert_ptr_equal(regex_skip(re, text, end, &k3), end);
	regex_free(re);
}

static void test_version(void **state)
{
	(void)state;
	const char *v = regex_version();
	assert_true(v[0] >= '1' && v[0] <= '9');
	assert_non_null(strchr(v, '.'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_matching),
		cmocka_unit_test(test_shared),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_invalid_subject),
		cmocka_unit_test(test_skip),
		cmocka_unit_test(test_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
