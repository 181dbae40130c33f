/* Unit tests of the YAML node tree: positions, limits and refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "diag.h"
#include "ycache.h"
#include "ydoc.h"
#include "util.h"

static int parse(const char *text, struct ydoc *doc, struct diag *d)
{
	diag_init(d);
	return ydoc_parse(doc, "t.yaml", text, strlen(text), d);
}

static void test_positions(void **state)
{
	(void)state;
	struct ydoc doc;
	struct diag d;
	assert_int_equal(parse("id: gil\nsections:\n  - title: One\n    body: |\n      text\n", &doc, &d), 0);
	assert_int_equal(d.n, 0);
	const struct ynode *root = doc.root;
	assert_int_equal(root->kind, YNODE_MAP);
	const struct ynode *id = ynode_get(root, "id");
	assert_string_equal(id->str, "gil");
	assert_int_equal(id->line, 1);
	assert_int_equal(id->col, 5);
	const struct ynode *secs = ynode_get(root, "sections");
	assert_int_equal(secs->kind, YNODE_SEQ);
	assert_int_equal(secs->n, 1);
	const struct ynode *title = ynode_get(secs->items[0], "title");
	assert_int_equal(title->line, 3);
	assert_int_equal(title->col, 12);
	assert_string_equal(ynode_get(secs->items[0], "body")->str, "text\n");
	assert_string_equal(title->file, "t.yaml");
	ydoc_release(&doc);
	diag_release(&d);
}

static void test_typed_scalars(void **state)
{
	(void)state;
	struct ydoc doc;
	struct diag d;
	assert_int_equal(parse("a: 12\nb: '12'\nc: true\nd: 2.5\ne: ~\nf: yes\n", &doc, &d), 0);
	long l;
	bool b;
	double x;
	assert_int_equal(ynode_long(ynode_get(doc.root, "a"), &l), 0);
	assert_int_equal(l, 12);
	/* A quoted number is a string, not an integer. */
	assert_int_equal(ynode_long(ynode_get(doc.root, "b"), &l), -1);
	assert_int_equal(ynode_bool(ynode_get(doc.root, "c"), &b), 0);
	assert_true(b);
	assert_int_equal(ynode_double(ynode_get(doc.root, "d"), &x), 0);
	assert_true(x == 2.5);
	assert_true(ynode_is_null(ynode_get(doc.root, "e")));
	/* YAML 1.1's yes is not a boolean here: it is too easy to write by accident. */
	assert_int_equal(ynode_bool(ynode_get(doc.root, "f"), &b), -1);
	ydoc_release(&doc);
	diag_release(&d);
}

static void expect_error(const char *text, int line, int col, const char *needle)
{
	struct ydoc doc;
	struct diag d;
	parse(text, &doc, &d);
	assert_true(d.n >= 1);
	if (!strstr(d.items[0].msg, needle))
		fail_msg("message '%s' lacks '%s'", d.items[0].msg, needle);
	assert_int_equal(d.items[0].line, line);
	assert_int_equal(d.items[0].col, col);
	ydoc_release(&doc);
	diag_release(&d);
}

static void test_refusals(void **state)
{
	(void)state;
	expect_error("a: 1\nb: 2\na: 3\n", 3, 1, "duplicate key 'a'");
	expect_error("a: &x [1]\n", 1, 4, "anchors are not allowed");
	expect_error("a: *x\n", 1, 4, "aliases are not allowed");
	expect_error("a: 1\n---\nb: 2\n", 2, 1, "more than one YAML document");
	expect_error("a: [1\n", 2, 1, "yaml:");
	/* Invalid UTF-8: libyaml would say 1:1; the position comes from the offset. */
	expect_error("a: ok\nb: caf\xe9\n", 2, 7, "invalid UTF-8");
	expect_error("a: \xed\xa0\x80\n", 1, 4, "invalid UTF-8"); /* a surrogate */
}

static void test_depth_limit(void **state)
{
	(void)state;
	struct buf b;
	buf_init(&b);
	for (int i = 0; i < YAML_MAX_DEPTH; i++)
		buf_addc(&b, '[');
	for (int i = 0; i < YAML_MAX_DEPTH; i++)
		buf_addc(&b, ']');
	struct ydoc doc;
	struct diag d;
	assert_int_equal(parse(b.data, &doc, &d), 0); /* exactly the limit is fine */
	ydoc_release(&doc);
	diag_release(&d);
	buf_truncate(&b, 0);
	for (int i = 0; i < 100000; i++)
		buf_addc(&b, '[');
	/* Far deeper than the limit: an error, not a stack overflow. */
	expect_error(b.data, 1, YAML_MAX_DEPTH + 1, "nesting deeper than 64");
	buf_release(&b);
}

static void test_size_limit(void **state)
{
	(void)state;
	size_t n = YAML_MAX_BYTES + 1;
	char *big = xmalloc(n + 1);
	memset(big, '#', n);
	big[n] = '\0';
	struct ydoc doc;
	struct diag d;
	diag_init(&d);
	assert_int_equal(ydoc_parse(&doc, "big.yaml", big, n, &d), -1);
	assert_non_null(strstr(d.items[0].msg, "larger than the limit"));
	free(big);
	diag_release(&d);
}

static void test_empty(void **state)
{
	(void)state;
	struct ydoc doc;
	struct diag d;
	assert_int_equal(parse("# only a comment\n", &doc, &d), 0);
	assert_null(doc.root);
	ydoc_release(&doc);
	diag_release(&d);
}

/* Nested collections close in any order and keep their own children (the
 * parse gathers every open collection's children on one stack); dropping
 * the tree keeps every string readable (the sanitizer build checks it). */
static void test_nesting_and_drop_tree(void **state)
{
	(void)state;
	struct ydoc doc;
	struct diag d;
	assert_int_equal(parse("a: [1, [2, 3], {k: v}, 4]\nb: {x: [y, z]}\nc: last\n", &doc, &d), 0);
	const struct ynode *a = ynode_get(doc.root, "a");
	assert_int_equal(a->n, 4);
	assert_string_equal(a->items[0]->str, "1");
	assert_int_equal(a->items[1]->n, 2);
	assert_string_equal(a->items[1]->items[1]->str, "3");
	assert_string_equal(ynode_get(a->items[2], "k")->str, "v");
	assert_string_equal(a->items[3]->str, "4");
	const struct ynode *x = ynode_get(ynode_get(doc.root, "b"), "x");
	assert_int_equal(x->n, 2);
	assert_int_equal(doc.root->n, 6);
	const char *z = x->items[1]->str, *last = ynode_get(doc.root, "c")->str;
	ydoc_drop_tree(&doc);
	assert_null(doc.root);
	assert_string_equal(z, "z");
	assert_string_equal(last, "last");
	ydoc_release(&doc);
	diag_release(&d);
}

/* read_file_limit reads a regular file, past its first 64 KiB chunk too,
 * and refuses more than the limit; it refuses a folder, a pipe, a device and
 * a FIFO without waiting for the FIFO's writer. */
static void test_read_file_limit(void **state)
{
	(void)state;
	char path[] = "/tmp/pydojo-read-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "id: gil\n", 8), 8);
	close(fd);
	char *data;
	size_t len;
	assert_int_equal(read_file_limit(path, 100, &data, &len), 0);
	assert_int_equal(len, 8);
	assert_string_equal(data, "id: gil\n");
	free(data);
	errno = 0;
	assert_int_equal(read_file_limit(path, 7, &data, &len), -1);
	assert_int_equal(errno, EFBIG);

	static char big[200000];
	memset(big, 'x', sizeof big);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, big, sizeof big), (ssize_t)sizeof big);
	close(fd);
	assert_int_equal(read_file_limit(path, 1 << 20, &data, &len), 0);
	assert_int_equal(len, sizeof big);
	assert_int_equal(data[len], '\0');
	assert_memory_equal(data, big, sizeof big);
	free(data);
	unlink(path);

	errno = 0;
	assert_int_equal(read_file_limit("/tmp", 1000, &data, &len), -1);
	assert_int_equal(errno, EISDIR);
	errno = 0;
	assert_int_equal(read_file_limit("/dev/zero", 1000, &data, &len), -1);
	assert_int_equal(errno, EINVAL);

	int p[2];
	char name[64];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "id: gil\n", 8), 8);
	snprintf(name, sizeof name, "/proc/self/fd/%d", p[0]);
	errno = 0;
	assert_int_equal(read_file_limit(name, 1000, &data, &len), -1);
	assert_int_equal(errno, EINVAL);
	close(p[0]);
	close(p[1]);

	/* Opened without O_NONBLOCK, a FIFO with no writer blocks for ever:
	 * the alarm turns that into a failure instead of a hang. */
	char fifo[] = "/tmp/pydojo-fifo-XXXXXX";
	assert_non_null(mkdtemp(fifo));
	char *f = xasprintf("%s/x.yaml", fifo);
	assert_int_equal(mkfifo(f, 0600), 0);
	alarm(10);
	errno = 0;
	assert_int_equal(read_file_limit(f, 1000, &data, &len), -1);
	assert_int_equal(errno, EINVAL);
	alarm(0);
	unlink(f);
	rmdir(fifo);
	free(f);
}

/* A UTF-8 byte-order mark at the start is skipped; positions count from
 * after it, as an editor shows the text. CRLF line ends stay accepted. */
static void test_byte_order_mark(void **state)
{
	(void)state;
	struct ydoc doc;
	struct diag d;
	assert_int_equal(parse("\xef\xbb\xbfid: gil\ntitle: GIL\n", &doc, &d), 0);
	assert_int_equal(d.n, 0);
	const struct ynode *id = ynode_get(doc.root, "id");
	assert_string_equal(id->str, "gil");
	assert_int_equal(id->line, 1);
	assert_int_equal(id->col, 5);
	assert_int_equal(doc.root->items[0]->col, 1);
	assert_int_equal(ynode_get(doc.root, "title")->line, 2);
	ydoc_release(&doc);
	diag_release(&d);
	assert_int_equal(parse("\xef\xbb\xbfid: gil\r\ntitle: GIL\r\n", &doc, &d), 0);
	assert_string_equal(ynode_get(doc.root, "title")->str, "GIL");
	ydoc_release(&doc);
	diag_release(&d);
	expect_error("\xef\xbb\xbf" "a: &x [1]\nb: 2\n", 1, 4, "anchors are not allowed");
	expect_error("\xef\xbb\xbf" "a: caf\xe9\nb: 2\n", 1, 7, "at offset 9)");
}

/* The verified set's key of a text changes with any one bit of it, in
 * the eight-byte steps and in the tail, and with where texts split. */
static void test_check_key_sees_every_byte(void **state)
{
	(void)state;
	char text[41];
	memset(text, 'x', sizeof text - 1);
	text[40] = '\0';
	struct ycheck_key base = {{0, 0}};
	ycheck_key_str(&base, text);
	for (size_t i = 0; i < 40; i++)
		for (int bit = 0; bit < 8; bit++) {
			char t[41];
			memcpy(t, text, sizeof t);
			t[i] = (char)(t[i] ^ (1 << bit));
			struct ycheck_key k = {{0, 0}};
			ycheck_key_str(&k, t);
			assert_true(k.h[0] != base.h[0] && k.h[1] != base.h[1]);
		}
	struct ycheck_key ab = {{0, 0}}, bc = {{0, 0}};
	ycheck_key_str(&ab, "abcdefghij");
	ycheck_key_str(&ab, "k");
	ycheck_key_str(&bc, "abcdefghi");
	ycheck_key_str(&bc, "jk");
	assert_true(ab.h[0] != bc.h[0] || ab.h[1] != bc.h[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positions),   cmocka_unit_test(test_typed_scalars),
		cmocka_unit_test(test_refusals),    cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_size_limit),  cmocka_unit_test(test_empty),
		cmocka_unit_test(test_nesting_and_drop_tree), cmocka_unit_test(test_read_file_limit),
		cmocka_unit_test(test_byte_order_mark),     cmocka_unit_test(test_check_key_sees_every_byte),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
