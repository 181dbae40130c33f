/* Unit tests of the terminal renderer: wrapping, lists, code, colour. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "render.h"
#include "util.h"

static char *render(const char *md, int width, bool color)
{
	struct render_opts o = {width, color};
	struct buf b;
	buf_init(&b);
	render_markdown(&b, md, 0, &o);
	return buf_detach(&b);
}

static void test_wraps_to_width(void **state)
{
	(void)state;
	const char *md = "The global interpreter lock lets one thread run Python bytecode at a time, "
	                 "and a waiting thread asks the holder to drop it after the switch interval.";
	for (int width = 20; width <= 80; width += 7) {
		char *out = render(md, width, false);
		size_t lines = 0;
		for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
			assert_true(utf8_width(line, strlen(line)) <= (size_t)width);
			lines++;
		}
		assert_true(lines >= 2);
		free(out);
	}
}

static void test_no_color_has_no_escapes(void **state)
{
	(void)state;
	const char *md = "# Head\n\nSome **bold**, *em* and `code`.\n\n```python\ndef f():\n    return 1  # one\n```\n";
	char *plain = render(md, 60, false);
	assert_null(strchr(plain, '\033'));
	assert_non_null(strstr(plain, "`code`")); /* inline code stays visible without colour */
	assert_non_null(strstr(plain, "    def f():\n        return 1  # one\n"));
	free(plain);
	char *color = render(md, 60, true);
	assert_non_null(strchr(color, '\033'));
	assert_non_null(strstr(color, "\033[1mdef\033[0m")); /* a keyword */
	assert_non_null(strstr(color, "\033[2m# one\033[0m")); /* a comment */
	free(color);
}

static void test_lists_hang(void **state)
{
	(void)state;
	char *out = render("- first item that is long enough to wrap around the narrow width\n- second\n\n1. one\n2. two\n", 30, false);
	assert_true(str_starts(out, "• first item"));
	/* Continuation lines start under the text, not under the bullet. */
	assert_non_null(strstr(out, "\n  "));
	assert_non_null(strstr(out, "• second\n"));
	assert_non_null(strstr(out, "1. one\n2. two\n"));
	free(out);
}

static void test_paragraphs_and_breaks(void **state)
{
	(void)state;
	char *out = render("one\ntwo\n\nthree\n", 80, false);
	assert_string_equal(out, "one two\n\nthree\n");
	free(out);
}

static void test_code_highlight_strings(void **state)
{
	(void)state;
	struct render_opts o = {80, true};
	struct buf b;
	buf_init(&b);
	render_code(&b, "x = 'a # not a comment'\n", "python", 0, &o);
	assert_non_null(strstr(b.data, "\033[32m'a # not a comment'\033[0m"));
	buf_release(&b);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wraps_to_width),        cmocka_unit_test(test_no_color_has_no_escapes),
		cmocka_unit_test(test_lists_hang),            cmocka_unit_test(test_paragraphs_and_breaks),
		cmocka_unit_test(test_code_highlight_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
