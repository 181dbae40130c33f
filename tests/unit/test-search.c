/* Unit tests of search and of the regex scan under it: every match of a
 * line, empty ones included, over text with multi-byte characters (the scan
 * moves on by whole characters, as Python's re.finditer does), and a
 * pattern that hits the regex limits stopping the search with a reason.
 * Content is written to a temporary root. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "catalog.h"
#include "diag.h"
#include "regex.h"
#include "search.h"
#include "util.h"

static struct regex *compiled(const char *pattern)
{
	char *err = NULL;
	size_t off = 0;
	struct regex *re = regex_compile(pattern, REGEX_CASELESS, &err, &off);
	if (!re)
		fail_msg("'%s' does not compile: %s", pattern, err);
	return re;
}

/* The matches of pattern in subject as "start-end" byte offsets joined by
 * spaces; caller frees. */
static char *scan_all(const char *pattern, const char *subject, bool checked)
{
	struct regex *re = compiled(pattern);
	struct regex_scan scan = {.checked = checked};
	struct buf b;
	buf_init(&b);
	buf_puts(&b, "");
	size_t s, e, n = 0;
	enum regex_result r;
	while ((r = regex_next(re, subject, strlen(subject), &scan, &s, &e, NULL)) == REGEX_MATCH) {
		buf_printf(&b, "%s%zu-%zu", b.len ? " " : "", s, e);
		assert_true(++n < 100);
	}
	assert_int_equal(r, REGEX_NOMATCH);
	/* A finished scan stays finished. */
	assert_int_equal(regex_next(re, subject, strlen(subject), &scan, &s, &e, NULL), REGEX_NOMATCH);
	regex_free(re);
	return buf_detach(&b);
}

static void test_scan_empty_matches(void **state)
{
	(void)state;
	/* "é gil é": é is bytes 0-1 and 7-8, "gil" 3-6; expected lists are
	 * Python's re.finditer over the same text, in bytes. */
	static const struct {
		const char *pattern, *subject, *want;
	} cases[] = {
		{"gil|", "é gil é", "0-0 2-2 3-6 6-6 7-7 9-9"},
		{"x*", "éxé", "0-0 2-3 3-3 5-5"},
		{"x?", "ééé", "0-0 2-2 4-4 6-6"},
		{"\\b", "é gil é", "0-0 2-2 3-3 6-6 7-7 9-9"},
		{"(?=é)", "aéé", "1-1 3-3"},
		{"", "", "0-0"},
		{"é+", "ééxé", "0-4 5-7"},
		{"gil", "GIL gil", "0-3 4-7"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		for (int checked = 0; checked < 2; checked++) {
			char *got = scan_all(cases[i].pattern, cases[i].subject, checked);
			if (strcmp(got, cases[i].want) != 0)
				fail_msg("'%s' on '%s': got '%s', want '%s'", cases[i].pattern, cases[i].subject, got,
				         cases[i].want);
			free(got);
		}
	}
}

static void test_scan_checks_utf8_once(void **state)
{
	(void)state;
	/* The first call checks the whole subject, not only up to the match. */
	struct regex *re = compiled("gil");
	const char *bad = "gil gil \xff";
	struct regex_scan scan = {0};
	size_t s, e;
	const char *err = NULL;
	assert_int_equal(regex_next(re, bad, strlen(bad), &scan, &s, &e, &err), REGEX_LIMIT);
	assert_string_equal(err, "invalid UTF-8");
	regex_free(re);
}

/* ---- search over a catalog ---- */

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
	snprintf(root, sizeof root, "/tmp/pydojo-search-XXXXXX");
	assert_non_null(mkdtemp(root));
	put("lessons/uni.yaml",
	    "id: uni\ntitle: Ünïcode\ntrack: language\nlevel: core\nsummary: Naïve café.\nsections:\n"
	    "  - title: Only\n    body: |\n      é gil é\n      ééé\n      — the GIL —\n");
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

static struct catalog *load(void)
{
	struct diag d;
	diag_init(&d);
	struct catalog *c = catalog_new();
	catalog_add_root(c, root, false, &d);
	catalog_link(c, &d);
	diag_print(&d, stderr);
	assert_int_equal(d.n, 0);
	diag_release(&d);
	return c;
}

/* Each hit as "topic|where|line|spans", one a line. */
static void collect(const struct search_hit *h, void *arg)
{
	struct buf *b = arg;
	buf_printf(b, "%s|%s|%.*s|", h->topic, h->where, (int)h->line_len, h->line);
	for (size_t i = 0; i < h->nspans; i++)
		buf_printf(b, "%s%zu-%zu", i ? " " : "", h->spans[2 * i], h->spans[2 * i + 1]);
	buf_addc(b, '\n');
}

static void expect_search(const struct catalog *c, const char *pattern, long nhits, const char *want)
{
	struct regex *re = compiled(pattern);
	struct buf b;
	buf_init(&b);
	buf_puts(&b, "");
	const char *err = NULL;
	long n = search_catalog(c, re, collect, &b, &err);
	if (n != nhits || strcmp(b.data, want) != 0)
		fail_msg("search '%s': %ld hits (want %ld), error %s:\n%s", pattern, n, nhits, err ? err : "none",
		         b.data);
	buf_release(&b);
	regex_free(re);
}

/* Patterns that can match the empty string hit every line they match on,
 * highlight only what they match non-empty, and never stop on a
 * multi-byte character. */
static void test_search_empty_matches(void **state)
{
	(void)state;
	struct catalog *c = load();
	static const char every[] = "uni|title|Ünïcode|\nuni|summary|Naïve café.|\nuni|Only|Only|\n"
	                            "uni|Only|é gil é|\nuni|Only|ééé|\nuni|Only|— the GIL —|\n";
	expect_search(c, "x?", 6, every);
	expect_search(c, "x*", 6, every);
	expect_search(c, "\\b", 6, every);
	expect_search(c, "(?=é)", 3, "uni|summary|Naïve café.|\nuni|Only|é gil é|\nuni|Only|ééé|\n");
	expect_search(c, "gil|", 6,
	              "uni|title|Ünïcode|\nuni|summary|Naïve café.|\nuni|Only|Only|\nuni|Only|é gil é|3-6\n"
	              "uni|Only|ééé|\nuni|Only|— the GIL —|8-11\n");
	expect_search(c, "é", 3,
	              "uni|summary|Naïve café.|10-12\nuni|Only|é gil é|0-2 7-9\nuni|Only|ééé|0-2 2-4 4-6\n");
	catalog_free(c);
}

/* A pattern that hits the regex limits stops the search with the reason. */
static void test_search_limit(void **state)
{
	(void)state;
	put("lessons/patho.yaml",
	    "id: patho\ntitle: P\ntrack: language\nlevel: core\nsummary: S.\nsections:\n"
	    "  - title: Only\n    body: |\n      aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\n");
	struct catalog *c = load();
	struct regex *re = compiled("^(a|aa)+$");
	struct buf b;
	buf_init(&b);
	const char *err = NULL;
	assert_int_equal(search_catalog(c, re, collect, &b, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, "limit"));
	buf_release(&b);
	regex_free(re);
	catalog_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_empty_matches),
		cmocka_unit_test(test_scan_checks_utf8_once),
		cmocka_unit_test(test_search_empty_matches),
		cmocka_unit_test(test_search_limit),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
