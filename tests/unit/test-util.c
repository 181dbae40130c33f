/* Unit tests of util: the growable buffer, reading a file under a limit
 * (regular, too big, a folder, a FIFO, missing), writing everything, the edit
 * distance and its cap, ids, UTF-8 validity and width, the visible form that
 * keeps content's control characters off the terminal (and its cut to a
 * width), JSON strings, the FNV-1a hash and the hash table. */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "util.h"

static void test_buf(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	for (int i = 0; i < 1000; i++)
		buf_addc(&b, (char)('a' + i % 26));
	assert_int_equal(b.len, 1000);
	assert_int_equal(b.data[1000], '\0');
	buf_truncate(&b, 3);
	assert_string_equal(b.data, "abc");
	buf_printf(&b, "-%d-%s", 42, "x");
	buf_puts(&b, "!");
	buf_add(&b, "zz\0y", 4);   /* bytes, a NUL among them */
	assert_int_equal(b.len, 3 + 5 + 1 + 4);
	assert_memory_equal(b.data, "abc-42-x!zz\0y", 14);   /* and the final NUL */
	char *s = buf_detach(&b);
	assert_int_equal(b.len, 0);
	assert_null(b.data);
	assert_string_equal(s, "abc-42-x!zz");
	free(s);
	buf_init(&b);
	char *big = xmalloc(100000);
	memset(big, 'q', 100000);
	buf_add(&b, big, 100000);
	assert_int_equal(b.len, 100000);
	assert_true(b.cap > b.len);
	free(big);
	buf_release(&b);
}

static void test_grow(void **state)
{
	(void)state;
	int *v = NULL;
	size_t cap = 0;
	for (size_t i = 0; i < 1000; i++) {
		GROW(v, cap, i + 1);
		v[i] = (int)i;
	}
	assert_true(cap >= 1000);
	assert_int_equal(v[999], 999);
	size_t before = cap;
	GROW(v, cap, 10);   /* enough room: unchanged */
	assert_int_equal(cap, before);
	free(v);
	char *s = xasprintf("%s-%05d", "id", 7);
	assert_string_equal(s, "id-00007");
	free(s);
	s = xstrndup("abcdef", 3);
	assert_string_equal(s, "abc");
	free(s);
}

/* A size that cannot be represented is out of memory: the process aborts
 * rather than getting a short block (a count times an element size that
 * wraps, or a doubling past SIZE_MAX). Run in a child each. */
static void test_grow_overflow(void **state)
{
	(void)state;
	static const size_t needs[][2] = {{SIZE_MAX / 8 + 2, 16}, {SIZE_MAX / 2 + 3, 2}, {SIZE_MAX, 1}};
	for (size_t k = 0; k < sizeof needs / sizeof *needs; k++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			/* Quiet: the abort is the expected outcome. */
			int null = open("/dev/null", O_WRONLY);
			dup2(null, 2);
			size_t cap = 0;
			void *p = xgrow(NULL, &cap, needs[k][0], needs[k][1]);
			_exit(p ? 0 : 1);
		}
		int st;
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
	}
}

static void test_read_file_limit(void **state)
{
	(void)state;
	char dir[] = "/tmp/pydojo-util-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *path = xasprintf("%s/f", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("hello\nworld", f);
	fclose(f);
	char *data;
	size_t len;
	assert_int_equal(read_file_limit(path, 100, &data, &len), 0);
	assert_int_equal(len, 11);
	assert_string_equal(data, "hello\nworld");
	free(data);
	/* Exactly the limit is fine; one byte over is not. */
	assert_int_equal(read_file_limit(path, 11, &data, &len), 0);
	free(data);
	errno = 0;
	assert_int_equal(read_file_limit(path, 10, &data, &len), -1);
	assert_int_equal(errno, EFBIG);
	/* A folder, a FIFO (not waited on), a missing file. */
	assert_int_equal(read_file_limit(dir, 100, &data, &len), -1);
	assert_int_equal(errno, EISDIR);
	char *fifo = xasprintf("%s/p", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(read_file_limit(fifo, 100, &data, &len), -1);
	assert_int_equal(errno, EINVAL);
	char *missing = xasprintf("%s/none", dir);
	assert_int_equal(read_file_limit(missing, 100, &data, &len), -1);
	assert_int_equal(errno, ENOENT);
	/* An empty file: an empty string, not NULL. */
	f = fopen(path, "w");
	fclose(f);
	assert_int_equal(read_file_limit(path, 100, &data, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(data, "");
	free(data);
	unlink(path);
	unlink(fifo);
	rmdir(dir);
	free(path);
	free(fifo);
	free(missing);
}

static void test_write_all(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write_all(p[1], "abcdef", 6), 0);
	char got[8] = {0};
	assert_int_equal(read(p[0], got, sizeof got), 6);
	assert_string_equal(got, "abcdef");
	close(p[0]);
	close(p[1]);
	errno = 0;
	assert_int_equal(write_all(p[1], "x", 1), -1);
	assert_int_equal(errno, EBADF);
	/* Writing into /dev/full: ENOSPC, not a silent loss. */
	int full = open("/dev/full", O_WRONLY);
	if (full >= 0) {
		assert_int_equal(write_all(full, "x", 1), -1);
		assert_int_equal(errno, ENOSPC);
		close(full);
	}
}

static void test_edit_distance(void **state)
{
	(void)state;
	assert_int_equal(edit_distance("", "", 5), 0);
	assert_int_equal(edit_distance("gil", "gil", 5), 0);
	/* A transposition of adjacent characters is one edit. */
	assert_int_equal(edit_distance("anwser", "answer", 5), 1);
	assert_int_equal(edit_distance("gli", "gil", 5), 1);
	assert_int_equal(edit_distance("ab", "ba", 1), 1);
	assert_int_equal(edit_distance("abcd", "badc", 5), 2);
	/* Optimal string alignment: no substring is edited twice. */
	assert_int_equal(edit_distance("ca", "abc", 5), 3);
	assert_int_equal(edit_distance("kitten", "sitting", 5), 3);
	assert_int_equal(edit_distance("", "abc", 5), 3);
	/* Over the cap: cap + 1, whatever the real distance. */
	assert_int_equal(edit_distance("kitten", "sitting", 2), 3);
	assert_int_equal(edit_distance("a", "abcdefghij", 3), 4);
	assert_int_equal(edit_distance("abcdefgh", "zyxwvuts", 3), 4);
}

static void test_ids_and_strings(void **state)
{
	(void)state;
	assert_true(is_id("threads-vs-processes"));
	assert_true(is_id("a1"));
	assert_false(is_id(""));
	assert_false(is_id("Gil"));
	assert_false(is_id("a_b"));
	assert_false(is_id("a b"));
	assert_false(is_id("é"));
	assert_true(str_starts("lessons/x.yaml", "lessons/"));
	assert_true(str_starts("x", ""));
	assert_false(str_starts("le", "lessons"));
	assert_true(str_ends("x.yaml", ".yaml"));
	assert_true(str_ends("x", ""));
	assert_false(str_ends("yaml", ".yaml"));
}

static void test_utf8(void **state)
{
	(void)state;
	size_t bad = 99;
	assert_true(utf8_valid("", 0, &bad));
	assert_true(utf8_valid("plain ascii, long enough for the fast path", 43, &bad));
	assert_true(utf8_valid("é 日本 😀", strlen("é 日本 😀"), &bad));
	static const struct {
		const char *s;
		size_t n, bad;
	} cases[] = {
		{"ab\xff", 3, 2},                 /* not a lead byte */
		{"abcdefghij\x80", 11, 10},       /* a stray continuation, after the fast path */
		/* after the 32-byte step, inside the next 32 and in the 8-byte tail */
		{"0123456789abcdefghijklmnopqrstuv0123456789\xff" "abcdefghijklmnopqrstu", 64, 42},
		{"0123456789abcdefghijklmnopqrstuv0123456789abcdefghijklmnopqrstuv01234\x80", 70, 69},
		{"a\xc3", 2, 1},                  /* cut short */
		{"a\xc3(", 3, 1},                 /* a bad continuation */
		{"\xc0\xaf", 2, 0},               /* overlong '/' */
		{"\xe0\x80\xaf", 3, 0},           /* overlong, three bytes */
		{"x\xed\xa0\x80", 4, 1},          /* a surrogate */
		{"\xf4\x90\x80\x80", 4, 0},       /* above U+10FFFF */
		{"\xf8\x88\x80\x80\x80", 5, 0},   /* five bytes */
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		bad = 99;
		assert_false(utf8_valid(cases[i].s, cases[i].n, &bad));
		assert_int_equal(bad, cases[i].bad);
	}
	assert_false(utf8_valid("\xff", 1, NULL));   /* bad may be NULL */
	assert_int_equal(utf8_width("abc", 3), 3);
	assert_int_equal(utf8_width("日本", strlen("日本")), 4);
	assert_int_equal(utf8_width("e\xcc\x81", 3), 1);   /* e + combining acute */
	assert_int_equal(utf8_width("a\xff", 2), 2);       /* a bad byte counts one */
}

static char *visible(const char *s, size_t n, size_t max)
{
	struct buf b;
	buf_init(&b);
	buf_add_visible(&b, s, n, max);
	return buf_detach(&b);
}

#define assert_visible(s, max, want) do { \
		char *v_ = visible((s), sizeof(s) - 1, (max)); \
		assert_string_equal(v_, (want)); \
		free(v_); \
	} while (0)

static void test_visible(void **state)
{
	(void)state;
	assert_visible("plain text", 0, "plain text");
	/* C0 controls, DEL, a bad byte, a C1 control; é and 日 go through. */
	assert_visible("a\x1b[31mb\x7f\xff\xc2\x9bé日", 0, "a\\x1b[31mb\\x7f\\xff\\u009bé日");
	assert_visible("nul\0here", 0, "nul\\x00here");
	/* Full text keeps tabs, newlines and the CR of a CRLF; a lone CR is
	 * escaped (it would overwrite the line). */
	assert_visible("a\tb\nc\r\nd\re", 0, "a\tb\nc\r\nd\\x0de");
	/* One line: all of them escaped. */
	assert_visible("a\tb\nc", 20, "a\\x09b\\x0ac");
	/* Cut to a width, the ellipsis counted; a fitting text is whole. */
	assert_visible("abcdefghij", 10, "abcdefghij");
	assert_visible("abcdefghijk", 10, "abcdefghi\u2026");
	assert_visible("日本語です", 6, "日本\u2026");
	assert_visible("ab\x1b" "cdef", 6, "ab\u2026");   /* the escape takes 4 columns */
	char *s = str_visible("x\x07y");
	assert_string_equal(s, "x\\x07y");
	free(s);
	/* str_echo: one line of at most ECHO_COLS columns. */
	char dst[ECHO_SIZE];
	char long_id[200];
	memset(long_id, 'x', sizeof long_id - 1);
	long_id[sizeof long_id - 1] = '\0';
	str_echo(dst, long_id);
	assert_int_equal(utf8_width(dst, strlen(dst)), ECHO_COLS);
	assert_true(str_ends(dst, "\u2026"));
	assert_string_equal(str_echo(dst, "a\nb"), "a\\x0ab");
	/* Every byte escaped (4 columns, 4 bytes each) still fits dst. */
	char ctl[200];
	memset(ctl, 0x1b, sizeof ctl - 1);
	ctl[sizeof ctl - 1] = '\0';
	str_echo(dst, ctl);
	assert_true(strlen(dst) < ECHO_SIZE);
	assert_true(str_ends(dst, "\u2026"));
}

static void test_json_str(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b);
	buf_json_str(&b, "a\"b\\c\nd\te\rf\x01g\x7f" "h\xc2\x85i é");
	buf_addc(&b, ' ');
	buf_json_str(&b, NULL);
	buf_addc(&b, ' ');
	buf_json_str(&b, "");
	assert_string_equal(b.data, "\"a\\\"b\\\\c\\nd\\te\\rf\\u0001g\\u007fh\\u0085i é\" null \"\"");
	buf_release(&b);
}

static void test_hash_and_hmap(void **state)
{
	(void)state;
	/* FNV-1a's published 64-bit values. */
	assert_true(hash_bytes("", 0) == 0xcbf29ce484222325ull);
	assert_true(hash_bytes("a", 1) == 0xaf63dc4c8601ec8cull);
	assert_true(hash_bytes("foobar", 6) == 0x85944171f73967e8ull);
	struct hmap m;
	hmap_init(&m);
	assert_int_equal(hmap_get(&m, "x", 1), HMAP_NONE);
	char key[32];
	for (size_t i = 0; i < 5000; i++) {
		int n = snprintf(key, sizeof key, "key-%zu", i);
		assert_int_equal(hmap_add(&m, key, (size_t)n, i), HMAP_NONE);
	}
	assert_int_equal(m.n, 5000);
	assert_true(m.cap >= 2 * m.n);   /* at most half full */
	for (size_t i = 0; i < 5000; i++) {
		int n = snprintf(key, sizeof key, "key-%zu", i);
		assert_int_equal(hmap_get(&m, key, (size_t)n), i);
	}
	/* A key already there keeps its index. */
	assert_int_equal(hmap_add(&m, "key-7", 5, 99), 7);
	assert_int_equal(hmap_get(&m, "key-7", 5), 7);
	/* Keys are bytes: a prefix, a NUL inside, the empty key. */
	assert_int_equal(hmap_get(&m, "key-", 4), HMAP_NONE);
	assert_int_equal(hmap_add(&m, "a\0b", 3, 1), HMAP_NONE);
	assert_int_equal(hmap_get(&m, "a\0c", 3), HMAP_NONE);
	assert_int_equal(hmap_get(&m, "a\0b", 3), 1);
	assert_int_equal(hmap_add(&m, "", 0, 2), HMAP_NONE);
	assert_int_equal(hmap_get(&m, "", 0), 2);
	hmap_release(&m);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_grow_overflow),
		cmocka_unit_test(test_read_file_limit),
		cmocka_unit_test(test_write_all),
		cmocka_unit_test(test_edit_distance),
		cmocka_unit_test(test_ids_and_strings),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_visible),
		cmocka_unit_test(test_json_str),
		cmocka_unit_test(test_hash_and_hmap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
