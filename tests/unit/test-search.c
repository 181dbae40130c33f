/* Unit tests of search and of the regex scan under it: every match of a
 * line, empty ones included, over text with multi-byte characters (the scan
 * moves on by whole characters, as Python's re.finditer does), and a
 * pattern that hits the regex limits stopping the search with a reason, and
 * the skip over lines that cannot match giving exactly the hits (and limit
 * errors) of trying every line. Content is written to a temporary root. */
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
	char *err = NULL;
	assert_int_equal(regex_next(re, bad, strlen(bad), &scan, &s, &e, &err), REGEX_LIMIT);
	assert_string_equal(err, "invalid UTF-8");
	free(err);
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
	char *err = NULL;
	long n = search_catalog(c, re, collect, &b, &err);
	if (n != nhits || strcmp(b.data, want) != 0)
		fail_msg("search '%s': %ld hits (want %ld), error %s:\n%s", pattern, n, nhits, err ? err : "none",
		         b.data);
	free(err);
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

/* Every text field is searched, each hit named by its topic and where it
 * is (a section's title, a question's id), in the catalog's order; fields
 * that are not text (ids, answers, tags) are not. */
static void test_search_every_field(void **state)
{
	(void)state;
	put("lessons/zfields.yaml",
	    "id: zfields\ntitle: Kiwi title\ntrack: language\nlevel: core\nsummary: Kiwi summary.\n"
	    "sections:\n  - title: Kiwi section\n    body: |\n      kiwi body\n      no fruit\n"
	    "    code:\n      source: |\n        print('kiwi source')\n      output: |\n        kiwi source\n");
	put("quizzes/zfields.yaml",
	    "topic: zfields\nquestions:\n"
	    "  - id: zfields-kiwi-choice\n    type: choice\n    prompt: Kiwi prompt?\n"
	    "    choices: [kiwi one, plum]\n    answer: 0\n    explain: Kiwi explained.\n"
	    "    tags: [kiwi-tag]\n"
	    "  - id: zfields-order\n    type: order\n    prompt: Order them.\n"
	    "    items: [first kiwi, then plum]\n"
	    "  - id: zfields-output\n    type: output\n    code: |\n      print('kiwi code')\n"
	    "    answer: |\n      kiwi code\n");
	struct catalog *c = load();
	expect_search(c, "kiwi", 11,
	              "zfields|title|Kiwi title|0-4\n"
	              "zfields|summary|Kiwi summary.|0-4\n"
	              "zfields|Kiwi section|Kiwi section|0-4\n"
	              "zfields|Kiwi section|kiwi body|0-4\n"
	              "zfields|Kiwi section|print('kiwi source')|7-11\n"
	              "zfields|Kiwi section|kiwi source|0-4\n"
	              "zfields|zfields-kiwi-choice|Kiwi prompt?|0-4\n"
	              "zfields|zfields-kiwi-choice|kiwi one|0-4\n"
	              "zfields|zfields-kiwi-choice|Kiwi explained.|0-4\n"
	              "zfields|zfields-order|first kiwi|6-10\n"
	              "zfields|zfields-output|print('kiwi code')|7-11\n");
	/* No hit: zero, not an error. */
	expect_search(c, "mango", 0, "");
	catalog_free(c);
	char *l = xasprintf("%s/lessons/zfields.yaml", root), *q = xasprintf("%s/quizzes/zfields.yaml", root);
	unlink(l);
	unlink(q);
	free(l);
	free(q);
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
	char *err = NULL;
	assert_int_equal(search_catalog(c, re, collect, &b, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, "limit"));
	free(err);
	buf_release(&b);
	regex_free(re);
	catalog_free(c);
}

/* ---- the skip over lines that cannot match ---- */

/* Every line of every text field tried, as search did before it skipped
 * lines: the reference the skip must agree with. */
struct ref {
	struct regex *re;
	struct buf *out;
	long hits;
	char *err;
};

static void ref_text(struct ref *r, const char *topic, const char *where, const char *text)
{
	if (!text || r->err)
		return;
	for (const char *p = text; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		struct regex_scan scan = {.checked = true};
		size_t s, e;
		struct buf spans;
		buf_init(&spans);
		buf_puts(&spans, "");
		bool hit = false;
		enum regex_result rc;
		while ((rc = regex_next(r->re, p, n, &scan, &s, &e, &r->err)) == REGEX_MATCH) {
			hit = true;
			scan.nonempty = true;
			if (s != e)
				buf_printf(&spans, "%s%zu-%zu", spans.len ? " " : "", s, e);
		}
		if (rc == REGEX_LIMIT) {
			buf_release(&spans);
			return;
		}
		if (hit) {
			buf_printf(r->out, "%s|%s|%.*s|%s\n", topic, where, (int)n, p, spans.data);
			r->hits++;
		}
		buf_release(&spans);
		p += n + (nl ? 1 : 0);
	}
}

static long ref_search(const struct catalog *c, struct regex *re, struct buf *out)
{
	struct ref r = {re, out, 0, NULL};
	for (size_t i = 0; i < catalog_nlessons(c); i++) {
		const struct lesson *ls = catalog_lesson_at(c, i);
		ref_text(&r, ls->id, "title", ls->title);
		ref_text(&r, ls->id, "summary", ls->summary);
		for (size_t s = 0; s < ls->nsections; s++) {
			const struct section *sec = &ls->sections[s];
			ref_text(&r, ls->id, sec->title, sec->title);
			ref_text(&r, ls->id, sec->title, sec->body);
			if (sec->code) {
				ref_text(&r, ls->id, sec->title, sec->code->source);
				ref_text(&r, ls->id, sec->title, sec->code->output);
			}
		}
		if (!ls->quiz)
			continue;
		for (size_t k = 0; k < ls->quiz->n; k++) {
			const struct question *q = &ls->quiz->questions[k];
			if (!q->id)
				continue;
			ref_text(&r, ls->id, q->id, q->prompt);
			ref_text(&r, ls->id, q->id, q->code);
			for (size_t j = 0; j < q->choices.n; j++)
				ref_text(&r, ls->id, q->id, q->choices.v[j]);
			for (size_t j = 0; j < q->items.n; j++)
				ref_text(&r, ls->id, q->id, q->items.v[j]);
			ref_text(&r, ls->id, q->id, q->explain);
		}
	}
	long n = r.err ? -1 : r.hits;
	free(r.err);
	return n;
}

/* Over the shipped content and lines built to trip a skip (both cases of a
 * letter, characters whose other cases are not ASCII, a needed byte only
 * before or after the match's anchor, lines longer than PCRE2's look-ahead
 * for a needed byte), search gives the same hits, spans and limit errors as
 * trying every line, for patterns of every kind: anchors, look-behind at a
 * line's start, \s, \K, verbs, empty matches. */
static void test_search_skip_same_as_every_line(void **state)
{
	(void)state;
	struct buf big;
	buf_init(&big);
	buf_puts(&big, "id: skip\ntitle: Skip\ntrack: language\nlevel: core\nsummary: S.\nsections:\n"
	               "  - title: Cases\n    body: |\n"
	               "      ZZ-NOWHERE in capitals, zz-nowhere in small, Zz-NoWhErE mixed\n"
	               "      the \xe2\x84\xaa elvin sign \xe2\x84\xaa, the long \xc5\xbf, Stra\xc3\x9f" "e\n"
	               "      naïve café ÉCOLE école\n\n      \tindented gil\n      GIL at the end gil\n"
	               "      a line with no needed byte\n      xaab ab aab\n      b then a: ba\n"
	               "  - title: Long\n    body: |\n      ");
	for (int i = 0; i < 700; i++)
		buf_puts(&big, "aaaaaaaa");   /* 5,600 bytes, no z */
	buf_puts(&big, "!\n      ");
	for (int i = 0; i < 700; i++)
		buf_puts(&big, "aaaaaaaa");
	buf_puts(&big, "z\n      short line with a z\n");
	put("lessons/skip.yaml", big.data);
	buf_release(&big);

	struct diag d;
	diag_init(&d);
	struct catalog *c = catalog_new();
	catalog_add_root(c, root, false, &d);
	const char *shipped = getenv("PYDOJO_DATADIR");
	assert_non_null(shipped);
	catalog_add_root(c, shipped, false, &d);
	catalog_link(c, &d);
	diag_print(&d, stderr);
	assert_int_equal(d.n, 0);
	diag_release(&d);

	static const char *const patterns[] = {
		"zz-nowhere", "ZZ-NOWHERE", "(?-i)zz-nowhere", "(?-i)ZZ", "interpreter", "\\bthreads?\\b",
		"\\bgil\\b", "gil", "GIL", "(?-i)GIL", "switch interval", "k", "K", "\\x{212a}", "(?-i)k",
		"s", "\\x{17f}", "stra\\x{df}e", "strasse", "ß", "é", "É", "école", "(?-i)É", "café",
		"^gil", "gil$", "^\\s*gil", "\\Agil", "gil\\z", "gil\\Z", "^$", "^", "$", "\\A", "\\z",
		"(?<=a)b", "(?<!a)b", "(?<=^)a", "(?<=^a)a", "(?<![a-z])ab", "a\\Kb", "ab(?=\\s)", "\\sgil",
		"gil\\s", "\\s", "\\n", "\\R", "[\\n]z", "b\\s*a", "(?s).z", "(?s)a.*z", "^a+z", "^(a|aa)+$",
		"^(a|aa)+z", "(a|aa)+z", "^(?:a+)+!", "x?", "x*", "\\b", "gil|", "(?=z)", "(?=.*z)", "z(?!z)",
		"(*COMMIT)z", "(*COMMIT)gil", "a(*COMMIT)b", "(*NO_START_OPT)zz", "(*ACCEPT)z", "a(*ACCEPT)z",
		"z(*SKIP)x|z", "(*PRUNE)gil", "(?:gil){0}z", "z{0}", "z?nowhere", "[zq]z", "[Zz]{2}", "(gil|guido)",
		"\\d+", "\\w+ing", "[[:upper:]]{3}", "\\p{Lu}", "\\x{2014}", "—", "(?i:É)cole", "(?m)^gil",
		"(?m)gil$", "(?x) g i l", "\\Qgil\\E", "g(?#comment)il", "(?|(a)|(b))z", "(a)\\1",
	};
	for (size_t i = 0; i < ARRAY_SIZE(patterns); i++) {
		struct regex *re = compiled(patterns[i]);
		struct buf want, got;
		buf_init(&want);
		buf_init(&got);
		buf_puts(&want, "");
		buf_puts(&got, "");
		long nwant = ref_search(c, re, &want);
		char *err = NULL;
		long ngot = search_catalog(c, re, collect, &got, &err);
		free(err);
		if (ngot != nwant || (ngot >= 0 && strcmp(got.data, want.data) != 0))
			fail_msg("'%s': %ld hits with the skip, %ld trying every line", patterns[i], ngot, nwant);
		buf_release(&got);
		buf_release(&want);
		regex_free(re);
	}
	catalog_free(c);

	/* A line without the needed byte that PCRE2 still tries because it is
	 * too long to look ahead in (600,000 bytes, where its JIT looks ahead
	 * 500,000) keeps its limit error; a shorter one it would not try. */
	for (int len = 400000; len <= 600000; len += 200000) {
		struct buf huge;
		buf_init(&huge);
		buf_puts(&huge, "id: skip\ntitle: Skip\ntrack: language\nlevel: core\nsummary: S.\nsections:\n"
		                "  - title: Huge\n    body: |\n      ");
		for (int i = 0; i < len; i++)
			buf_addc(&huge, 'a');
		buf_puts(&huge, "!\n");
		put("lessons/skip.yaml", huge.data);
		buf_release(&huge);
		c = load();
		struct regex *re = compiled("[ab](a|aa)+!z");
		struct buf want, got;
		buf_init(&want);
		buf_init(&got);
		char *err = NULL;
		long nwant = ref_search(c, re, &want), ngot = search_catalog(c, re, collect, &got, &err);
		free(err);
		assert_int_equal(nwant, len > 500000 ? -1 : 0);
		assert_int_equal(ngot, nwant);
		buf_release(&got);
		buf_release(&want);
		regex_free(re);
		catalog_free(c);
	}
	/* The cases above go through the skip. */
	static const char *const skipping[] = {"zz-nowhere", "(?-i)ZZ", "^a+z", "(a|aa)+z"};
	const char *text = "no needed byte here\nnor here\n";
	for (size_t i = 0; i < ARRAY_SIZE(skipping); i++) {
		struct regex *re = compiled(skipping[i]);
		struct regex_skip k = {0};
		assert_ptr_equal(regex_skip(re, text, text + strlen(text), &k), text + strlen(text));
		regex_free(re);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_empty_matches),
		cmocka_unit_test(test_scan_checks_utf8_once),
		cmocka_unit_test(test_search_empty_matches),
		cmocka_unit_test(test_search_every_field),
		cmocka_unit_test(test_search_limit),
		cmocka_unit_test(test_search_skip_same_as_every_line),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
