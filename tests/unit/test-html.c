/* Unit tests of html: the five characters of markup become entities, the
 * controls a page should not carry are dropped (C0 but tab and newline,
 * DEL, C1), valid UTF-8 is kept whole and anything else becomes U+FFFD. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "html.h"
#include "util.h"

static void check(const char *in, const char *want)
{
	struct buf b;
	buf_init(&b);
	html_text(&b, in);
	assert_string_equal(b.data, want);
	buf_release(&b);
}

static void test_markup(void **state)
{
	(void)state;
	check("a < b && c > \"d\" 'e'", "a &lt; b &amp;&amp; c &gt; &quot;d&quot; &#39;e&#39;");
	check("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
	check("&amp;", "&amp;amp;");
	check("", "");
	struct buf b;
	buf_init(&b);
	html_text(&b, NULL);
	assert_int_equal(b.len, 0);
	buf_release(&b);
}

static void test_controls(void **state)
{
	(void)state;
	check("a\tb\nc", "a\tb\nc");
	check("x\x01\x1b[31my\x7fz\r", "x[31myz");
	check("c1:\xc2\x85:\xc2\x9f:\xc2\xa0:", "c1:::\xc2\xa0:");
}

static void test_utf8(void **state)
{
	(void)state;
	check("caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x90\x8d", "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x90\x8d");
	check("\xff", "\xef\xbf\xbd");
	check("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd");          /* overlong '/' */
	check("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* a surrogate */
	check("\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* past U+10FFFF */
	check("\xe2\x86", "\xef\xbf\xbd\xef\xbf\xbd");          /* cut short */
	check("\xe2<", "\xef\xbf\xbd&lt;");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_markup),
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
