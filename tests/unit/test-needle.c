/* Unit tests of needle: the needles read from patterns (runs, optional
 * parts, groups, lookarounds, escapes, what is not read), the folded text
 * and the search; every pattern here with needles is also matched against
 * texts it matches, which must hold one of them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "needle.h"
#include "regex.h"
#include "util.h"

/* The needles of pattern, space-separated, or "-" for none. */
static char *needles_of(const char *pattern)
{
	char *n = needle_of(pattern, strlen(pattern), NULL);
	if (!n)
		return xstrdup("-");
	struct buf b;
	buf_init(&b);
	for (const char *w = n; *w; w += strlen(w) + 1)
		buf_printf(&b, "%s%s", b.len ? " " : "", w);
	free(n);
	return buf_detach(&b);
}

static void test_needles(void **state)
{
	(void)state;
	static const struct {
		const char *pattern, *want;
		const char *matches[2];   /* texts it matches */
	} cases[] = {
		{"each thread has its own gil", "thread", {"Each THREAD has its own GIL"}},
		{"threads?", "thread", {"a thread"}},
		{"gil(?:s)? (\\w+ ){0,3}released", "released", {"the GIL is soon released"}},
		{"(?:thread|process)es", "thread process", {"processes"}},
		{"(?:threads|thread pool)", "thread", {"a thread pool", "threads"}},
		{"abc(?:def)?ghi", "abc", {"abcghi"}},
		{"\\bwait\\w*", "wait", {"waiting"}},
		{"[abc]def", "def", {"adef"}},
		{"\\x41bcd|\\x{42}cde|\\p{L}xyz|\\pLxyz", "bcd cde xyz", {"Abcd", "qxyz"}},
		{"(abc)+def", "abc", {"abcabcdef"}},
		{"(abc){0}xyz|(?:abc){2}", "xyz abc", {"xyz", "abcabc"}},
		{"(?=foo)bar|(?!no)thing|(?<=q)rst", "bar thing rst", {"thing", "qrst"}},
		{"(?i:Thread)|(?<name>proc)ess|(?'x'pqr)", "thread proc pqr", {"THREAD", "pqr"}},
		{"caf\xc3\xa9?s", "caf", {"cafs"}},
		{"the cat", "cat", {"the cat"}},
		{"\\bthe and", "the", {"the and"}},
		/* A brace that is not a quantifier in one PCRE2 may be in
		 * another: what it follows is never a needle's. */
		{"a{,3}bcd", "bcd", {"a{,3}bcd"}},
		{"x{ 1 }yz", "-", {NULL}},
		{"pqr{2}stu", "stu", {"pqrrstu"}},
		{"abc|de", "-", {NULL}},
		{"(?x: a b c)", "-", {NULL}},
		{"(?i)thread", "-", {NULL}},
		{"\\Qthread\\E", "-", {NULL}},
		{"(*SKIP)thread", "-", {NULL}},
		{"(abc)\\g1", "-", {NULL}},
		{"(?|abc|def)", "-", {NULL}},
		{"(?#note)abc", "-", {NULL}},
		{"from\\c(:zzz||abc", "-", {NULL}},
		/* An escaped parenthesis or one in a class opens no group. */
		{"\\(?(the )?broker|[(*]+queue", "broker queue", {"(the broker", "*queue"}},
		{"[\\c]]thread", "-", {NULL}},
		/* '[' in a class is a literal unless it opens [:name:]. */
		{"[[:alpha:]]xyz|[;[:]abc", "xyz abc", {"axyz", ":abc"}},
		{"abc[[:]|x|[:]", "-", {"x"}},   /* \c( is a character: an empty alternative */
		{"w01|w02|w03|w04|w05|w06|w07|w08|w09|w10|w11|w12|w13|w14|w15|w16|w17|w18|w19|w20|w21|w22|w23|w24|w25|"
		 "w26|w27|w28|w29|w30|w31|w32",
		 NULL, {"w32"}},
		{"w01|w02|w03|w04|w05|w06|w07|w08|w09|w10|w11|w12|w13|w14|w15|w16|w17|w18|w19|w20|w21|w22|w23|w24|w25|"
		 "w26|w27|w28|w29|w30|w31|w32|w33",
		 "-", {NULL}},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *got = needles_of(cases[i].pattern);
		if (cases[i].want && strcmp(got, cases[i].want) != 0)
			fail_msg("'%s': needles '%s', want '%s'", cases[i].pattern, got, cases[i].want);
		if (!cases[i].want && strcmp(got, "-") == 0)
			fail_msg("'%s': no needles", cases[i].pattern);
		free(got);
		char *err = NULL;
		struct regex *re = regex_compile(cases[i].pattern, REGEX_CASELESS | REGEX_ASCII_WORDS, &err, NULL);
		if (!re)
			fail_msg("'%s' does not compile: %s", cases[i].pattern, err);
		char *n = needle_of(cases[i].pattern, strlen(cases[i].pattern), NULL);
		for (size_t k = 0; k < 2 && cases[i].matches[k]; k++) {
			const char *text = cases[i].matches[k];
			if (regex_match(re, text) != REGEX_MATCH)
				fail_msg("'%s' does not match '%s'", cases[i].pattern, text);
			char *folded = xmalloc(strlen(text) + 1);
			size_t len = needle_fold(folded, text, strlen(text));
			struct needle_grams grams;
			needle_grams_of(&grams, folded, len);
			if (n && (!needle_any(n, folded, len, NULL) || !needle_any(n, folded, len, &grams)))
				fail_msg("'%s' matches '%s', which holds none of its needles", cases[i].pattern, text);
			free(folded);
		}
		free(n);
		regex_free(re);
	}
}

/* The grams of a text pass every needle it holds, at its start, its end
 * and across its lines, and stop nearly all it lacks without a scan. */
static void test_grams(void **state)
{
	(void)state;
	const char *text = "threads wait\nin recv(); the gil is released";
	size_t len = strlen(text);
	struct needle_grams g;
	needle_grams_of(&g, text, len);
	const char *held[] = {"thr", "threads", "wait\nin", "recv", "released", "sed", "the"};
	for (size_t i = 0; i < sizeof held / sizeof *held; i++) {
		char needles[32];
		size_t n = strlen(held[i]);
		memcpy(needles, held[i], n);
		needles[n] = needles[n + 1] = '\0';
		if (!needle_any(needles, text, len, &g))
			fail_msg("'%s' is in the text but the grams stop it", held[i]);
	}
	/* Lacking: none is found, and most are stopped by the grams alone,
	 * which shows as a word held by the scanned text but not by the one
	 * the grams were made from. */
	const char *other = "process asyncio mutex coroutine daemon fork pickle select epoll kernel lock "
	                    "queue socket signal timeout yield";
	const char *lacked[] = {"process", "asyncio", "mutex", "coroutine", "daemon", "fork", "pickle", "select",
	                        "epoll", "kernel", "lock", "queue", "socket", "signal", "timeout", "yield"};
	size_t stopped = 0;
	for (size_t i = 0; i < sizeof lacked / sizeof *lacked; i++) {
		char needles[32];
		size_t n = strlen(lacked[i]);
		memcpy(needles, lacked[i], n);
		needles[n] = needles[n + 1] = '\0';
		assert_false(needle_any(needles, text, len, &g));
		assert_true(needle_any(needles, other, strlen(other), NULL));
		stopped += !needle_any(needles, other, strlen(other), &g);
	}
	assert_true(stopped >= 14);
	/* Too short to hold a sequence: nothing is ruled out. */
	needle_grams_of(&g, "ab", 2);
	assert_false(needle_any("abc\0", "ab", 2, &g));
}

/* The two non-ASCII letters that PCRE2 matches caselessly with ASCII ones
 * are folded to them, everything else is lowered byte by byte. */
static void test_fold(void **state)
{
	(void)state;
	const char *text = "The BAC\xe2\x84\xaa" "END and the ba\xc5\xbf" "e, na\xc3\xafve \xe2\x84";
	char out[64];
	size_t n = needle_fold(out, text, strlen(text));
	assert_string_equal(out, "the backend and the base, na\xc3\xafve \xe2\x84");
	assert_int_equal(n, strlen(out));
	struct regex *re = regex_compile("backend|base", REGEX_RUBRIC, &(char *){NULL}, NULL);
	assert_int_equal(regex_match(re, "BAC\xe2\x84\xaa" "END"), REGEX_MATCH);
	assert_int_equal(regex_match(re, "ba\xc5\xbf" "e"), REGEX_MATCH);
	regex_free(re);
	char *needles = needle_of("backend|base", 12, NULL);
	assert_true(needle_any(needles, out, n, NULL));
	assert_true(needle_any(needles, "base", 4, NULL));
	assert_false(needle_any(needles, "bas", 3, NULL));
	assert_false(needle_any(needles, "", 0, NULL));
	assert_int_equal(needle_size(needles), strlen("backend") + strlen("base") + 3);
	assert_true(needle_same(needles, needles));
	assert_false(needle_same(needles, NULL));
	assert_true(needle_same(NULL, NULL));
	/* A union: a needle that holds another goes; none with none. */
	char *u = needle_union(needles, "based\0gil\0");
	assert_true(needle_same(u, "backend\0base\0gil\0"));
	free(u);
	assert_null(needle_union(needles, NULL));
	assert_null(needle_union(NULL, needles));
	free(needles);
}

/* The second needles: another requirement of each alternative, their
 * union, none when an alternative has only one; every match holds one of
 * each set. */
static void test_second_needles(void **state)
{
	(void)state;
	static const struct {
		const char *pattern, *first, *second;
		const char *matches[2];
	} cases[] = {
		{"each thread has its own gil", "thread", "own", {"Each THREAD has its own GIL"}},
		{"(releases?|drops?) (\\w+ ){0,3}the gil", "release drop", "gil", {"it drops the GIL"}},
		{"sleep\\w* (\\w+ ){0,2}blocks?|thread (\\w+ )?waits", "sleep thread", "block waits",
		 {"sleeping here blocks", "the thread waits"}},
		/* One alternative without a second requirement: no second set. */
		{"sleep\\w* (\\w+ ){0,2}blocks?|threads", "sleep threads", "-", {"threads"}},
		/* An optional part is no requirement. */
		{"threads?( always)? block", "thread", "block", {"threads block"}},
		{"gil", "gil", "-", {"the GIL"}},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *second = (char *)"unset";
		char *first = needle_of_both(cases[i].pattern, strlen(cases[i].pattern), NULL, &second);
		char *want_first = needles_of(cases[i].pattern);
		assert_string_equal(want_first, cases[i].first);
		free(want_first);
		struct buf b;
		buf_init(&b);
		for (const char *w = second; w && *w; w += strlen(w) + 1)
			buf_printf(&b, "%s%s", b.len ? " " : "", w);
		if (!second)
			buf_puts(&b, "-");
		if (strcmp(b.data, cases[i].second) != 0)
			fail_msg("'%s': second needles '%s', want '%s'", cases[i].pattern, b.data, cases[i].second);
		struct regex *re = regex_compile(cases[i].pattern, REGEX_RUBRIC, &(char *){NULL}, NULL);
		for (size_t k = 0; k < 2 && cases[i].matches[k]; k++) {
			const char *text = cases[i].matches[k];
			char folded[128];
			size_t n = needle_fold(folded, text, strlen(text));
			assert_int_equal(regex_match(re, text), REGEX_MATCH);
			assert_true(needle_any(first, folded, n, NULL));
			assert_true(!second || needle_any(second, folded, n, NULL));
		}
		regex_free(re);
		buf_release(&b);
		free(first);
		free(second);
	}
}

/* The needles of pattern priced by texts, space-separated. */
static char *priced(const char *pattern, const char *const *texts, size_t n, struct hmap *held)
{
	size_t lens[4];
	for (size_t i = 0; i < n; i++)
		lens[i] = strlen(texts[i]);
	struct needle_corpus corpus = {texts, lens, n, held};
	char *needles = needle_of(pattern, strlen(pattern), &corpus);
	struct buf b;
	buf_init(&b);
	for (const char *w = needles; w && *w; w += strlen(w) + 1)
		buf_printf(&b, "%s%s", b.len ? " " : "", w);
	free(needles);
	return buf_detach(&b);
}

/* A pattern that needs two words of one length takes the one fewer texts
 * hold; a count kept in held (priced once) chooses as a fresh count does. */
static void test_priced(void **state)
{
	(void)state;
	static const char pattern[] = "thread (\\w+ ){0,3}daemon";
	static const char *const threads[] = {"a thread here", "the thread there"};
	static const char *const daemons[] = {"a daemon here", "the daemon there"};
	struct hmap held;
	for (int k = 0; k < 2; k++) {
		const char *const *texts = k ? daemons : threads;
		const char *want = k ? "thread" : "daemon";
		hmap_init(&held);
		char *fresh = priced(pattern, texts, 2, NULL), *first = priced(pattern, texts, 2, &held);
		assert_int_equal(hmap_get(&held, want, strlen(want)), 0);
		assert_int_equal(hmap_get(&held, k ? "daemon" : "thread", 6), 2);
		char *again = priced(pattern, texts, 2, &held);   /* from the counts kept */
		assert_string_equal(fresh, want);
		assert_string_equal(first, want);
		assert_string_equal(again, want);
		free(fresh);
		free(first);
		free(again);
		hmap_release(&held);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_needles),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_grams),
		cmocka_unit_test(test_second_needles),
		cmocka_unit_test(test_priced),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
