/* Unit tests of diag: printing sorts the errors and drops exact duplicates
 * (so that the count is of errors shown), the plain lines scripts parse, and
 * the source line with a caret shown on a terminal: tabs, wide characters,
 * control characters, a byte-order mark, CRLF, long lines, and files that
 * cannot be shown (missing, shorter, a FIFO). Files go to a temporary dir. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "diag.h"
#include "util.h"

static char dir[] = "/tmp/pydojo-diag-XXXXXX";

static char *path_of(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static char *write_tmp(const char *name, const char *text)
{
	char *p = path_of(name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	return p;
}

/* diag_write's output as a new string; caller frees. */
static char *written(struct diag *d, bool source, size_t *n)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	*n = diag_write(d, f, source);
	assert_int_equal(fclose(f), 0);
	return out;
}

static void test_sorted_and_deduplicated(void **state)
{
	(void)state;
	struct diag d;
	diag_init(&d);
	/* Added out of order (as loaders and cross-checks add them), with
	 * exact duplicates, and near ones that differ in one field only. */
	diag_add(&d, "b.yaml", 2, 1, "second in b");
	diag_add(&d, "a.yaml", 10, 3, "late in a");
	diag_add(&d, "b.yaml", 1, 5, "first in b");
	diag_add(&d, "a.yaml", 2, 7, "early in a");
	diag_add(&d, "b.yaml", 2, 1, "second in b");
	diag_add(&d, "a.yaml", 10, 3, "late in a");
	diag_add(&d, "a.yaml", 10, 3, "late in a, another");
	diag_add(&d, "a.yaml", 2, 1, "early in a");
	diag_add(&d, "b.yaml", 2, 1, "second in b");
	diag_add(&d, "a.yaml", 9, 30, "before");
	assert_int_equal(d.n, 10);
	size_t n;
	char *out = written(&d, false, &n);
	assert_string_equal(out,
		"a.yaml:2:1: error: early in a\n"
		"a.yaml:2:7: error: early in a\n"
		"a.yaml:9:30: error: before\n"
		"a.yaml:10:3: error: late in a\n"
		"a.yaml:10:3: error: late in a, another\n"
		"b.yaml:1:5: error: first in b\n"
		"b.yaml:2:1: error: second in b\n");
	/* The count is of errors shown: `check`'s "N errors". */
	assert_int_equal(n, 7);
	assert_int_equal(d.n, 7);
	free(out);
	/* Printing again prints the same. */
	out = written(&d, false, &n);
	assert_int_equal(n, 7);
	assert_non_null(strstr(out, "b.yaml:2:1: error: second in b\n"));
	free(out);
	diag_release(&d);
	assert_int_equal(d.n, 0);
}

static void test_plain_lines(void **state)
{
	(void)state;
	char *p = write_tmp("plain.yaml", "id: x\nanwser: 1\n");
	struct diag d;
	diag_init(&d);
	diag_add(&d, p, 2, 1, "unknown key 'anwser'");
	/* Positions below 1 become 1; no file is "<input>"; controls in the
	 * message and the file name are made visible. */
	diag_add(&d, NULL, 0, -4, "bad \x1b[31m input");
	size_t n;
	char *out = written(&d, false, &n);
	char *want = xasprintf("%s:2:1: error: unknown key 'anwser'\n"
	                       "<input>:1:1: error: bad \\x1b[31m input\n", p);
	/* <input> sorts after "/tmp/..." */
	assert_string_equal(out, want);
	free(want);
	free(out);
	/* diag_print on a stream that is not a terminal: the plain lines,
	 * no source even though the file is there. */
	diag_add(&d, p, 2, 1, "unknown key 'anwser'");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(diag_print(&d, f), 2);
	fclose(f);
	assert_null(strstr(buf, "anwser: 1"));
	assert_null(strchr(buf, '^'));
	free(buf);
	diag_release(&d);
	unlink(p);
	free(p);
}

/* The source part of one error at (line, col) of a file holding text. */
static char *source_of(const char *text, int line, int col)
{
	char *p = write_tmp("src.yaml", text);
	struct diag d;
	diag_init(&d);
	diag_add(&d, p, line, col, "m");
	size_t n;
	char *out = written(&d, true, &n);
	char *head = xasprintf("%s:%d:%d: error: m\n", p, line, col);
	assert_true(str_starts(out, head));
	char *rest = xstrdup(out + strlen(head));
	free(head);
	free(out);
	diag_release(&d);
	unlink(p);
	free(p);
	return rest;
}

#define assert_source(text, line, col, want) do { \
		char *got_ = source_of((text), (line), (col)); \
		assert_string_equal(got_, (want)); \
		free(got_); \
	} while (0)

static void test_caret(void **state)
{
	(void)state;
	assert_source("id: x\nanwser: 1\n", 2, 1,
	              "    anwser: 1\n"
	              "    ^\n");
	assert_source("id: x\nkey: [1, 2\n", 2, 9,
	              "    key: [1, 2\n"
	              "            ^\n");
	/* The last line without a newline; a CRLF file. */
	assert_source("a\nb: c", 2, 4, "    b: c\n       ^\n");
	assert_source("a\r\nb: c\r\n", 2, 4, "    b: c\n       ^\n");
	/* A column past the end: the caret just after the text. */
	assert_source("ab\n", 1, 40, "    ab\n      ^\n");
	/* An empty line. */
	assert_source("a\n\nb\n", 2, 1, "    \n    ^\n");
}

static void test_caret_tabs(void **state)
{
	(void)state;
	/* Tabs expand to the next multiple of 8, in the line and under it. */
	assert_source("\tkey: 1\n", 1, 2,
	              "            key: 1\n"
	              "            ^\n");
	assert_source("ab\tc\td\n", 1, 6,
	              "    ab      c       d\n"
	              "                    ^\n");
	/* The caret under the tab itself. */
	assert_source("ab\tc\n", 1, 3,
	              "    ab      c\n"
	              "      ^\n");
}

static void test_caret_wide_and_controls(void **state)
{
	(void)state;
	/* Columns count characters; 日本 take two terminal columns each, é one. */
	assert_source("t: 日本 x: 1\n", 1, 9,
	              "    t: 日本 x: 1\n"
	              "              ^\n");
	assert_source("t: é x\n", 1, 6,
	              "    t: é x\n"
	              "         ^\n");
	/* A control character never reaches the terminal: it is shown escaped,
	 * and the caret counts the escape's width. */
	assert_source("a\x1b[2Jb c\n", 1, 6,
	              "    a\\x1b[2Jb c\n"
	              "            ^\n");
	/* So is a byte that is not UTF-8, and a C1 control. */
	assert_source("a\xff z\n", 1, 4,
	              "    a\\xff z\n"
	              "          ^\n");
	assert_source("a\xc2\x9b z\n", 1, 4,
	              "    a\\u009b z\n"
	              "            ^\n");
	/* A byte-order mark is not a column (the loader counts after it). */
	assert_source("\xef\xbb\xbfid: x\n", 1, 5,
	              "    id: x\n"
	              "        ^\n");
}

static void test_caret_long_lines(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b);
	for (int i = 0; i < 600; i++)
		buf_addc(&b, (char)('a' + i % 26));
	buf_addc(&b, '\n');
	/* The caret near the start: the line cut at 120 columns, the cut
	 * marked. */
	char *got = source_of(b.data, 1, 3);
	char *want = xasprintf("    %.119s\u2026\n      ^\n", b.data);
	assert_string_equal(got, want);
	free(got);
	free(want);
	/* Far right: shown from 60 columns before the caret, cut at both
	 * ends. */
	got = source_of(b.data, 1, 251);
	want = xasprintf("    \u2026%.118s\u2026\n%*s^\n", b.data + 190, 4 + 1 + 60, "");
	assert_string_equal(got, want);
	free(got);
	free(want);
	/* Far right near the end: no cut at the end. */
	got = source_of(b.data, 1, 600);
	want = xasprintf("    \u2026%s%*s^\n", b.data + 539, 4 + 1 + 60, "");
	assert_string_equal(got, want);
	free(got);
	free(want);
	buf_release(&b);
}

static void test_no_source(void **state)
{
	(void)state;
	/* A missing file, a line past the end, a folder and a FIFO (which must
	 * not be waited on): the error line alone. */
	char *fifo = path_of("fifo");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	char *p = write_tmp("short.yaml", "one\ntwo\n");
	char *missing = path_of("missing.yaml");
	struct diag d;
	diag_init(&d);
	diag_add(&d, missing, 1, 1, "gone");
	diag_add(&d, p, 3, 1, "past the end");
	diag_add(&d, p, 2, 2, "on two");
	diag_add(&d, p, 1, 1, "on one");
	diag_add(&d, fifo, 1, 1, "a fifo");
	diag_add(&d, dir, 1, 1, "a folder");
	size_t n;
	char *out = written(&d, true, &n);
	char *want = xasprintf("%s:1:1: error: a folder\n"
	                       "%s:1:1: error: a fifo\n"
	                       "%s:1:1: error: gone\n"
	                       "%s:1:1: error: on one\n"
	                       "    one\n"
	                       "    ^\n"
	                       "%s:2:2: error: on two\n"
	                       "    two\n"
	                       "     ^\n"
	                       "%s:3:1: error: past the end\n",
	                       dir, fifo, missing, p, p, p);
	assert_string_equal(out, want);
	assert_int_equal(n, 6);
	free(want);
	free(out);
	diag_release(&d);
	unlink(fifo);
	unlink(p);
	free(fifo);
	free(p);
	free(missing);
}

static void test_same_line_twice(void **state)
{
	(void)state;
	/* Two errors on one line, and a later file then an earlier line of
	 * the first: each shows its own line. */
	char *p = write_tmp("two.yaml", "a: 1\nb: 2\n");
	char *q = write_tmp("zz.yaml", "c: 3\n");
	struct diag d;
	diag_init(&d);
	diag_add(&d, p, 2, 4, "y");
	diag_add(&d, p, 2, 1, "x");
	diag_add(&d, q, 1, 1, "z");
	size_t n;
	char *out = written(&d, true, &n);
	char *want = xasprintf("%s:2:1: error: x\n    b: 2\n    ^\n"
	                       "%s:2:4: error: y\n    b: 2\n       ^\n"
	                       "%s:1:1: error: z\n    c: 3\n    ^\n", p, p, q);
	assert_string_equal(out, want);
	free(want);
	free(out);
	diag_release(&d);
	unlink(p);
	unlink(q);
	free(p);
	free(q);
}

static void test_relpath(void **state)
{
	(void)state;
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof cwd));
	char *under = xasprintf("%s/lessons/x.yaml", cwd);
	assert_string_equal(diag_relpath(under), "lessons/x.yaml");
	free(under);
	char *beside = xasprintf("%sx/y.yaml", cwd);   /* a sibling sharing the prefix */
	assert_string_equal(diag_relpath(beside), beside);
	free(beside);
	assert_string_equal(diag_relpath("rel/a.yaml"), "rel/a.yaml");
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmdir(dir);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorted_and_deduplicated),
		cmocka_unit_test(test_plain_lines),
		cmocka_unit_test(test_caret),
		cmocka_unit_test(test_caret_tabs),
		cmocka_unit_test(test_caret_wide_and_controls),
		cmocka_unit_test(test_caret_long_lines),
		cmocka_unit_test(test_no_source),
		cmocka_unit_test(test_same_line_twice),
		cmocka_unit_test(test_relpath),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
