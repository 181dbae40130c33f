/* Unit tests of paths: the environment overrides, the XDG user files (an
 * absolute variable, a relative one ignored, the HOME fallbacks, nothing at
 * all), and making the folders above a path. */
#include <errno.h>
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

#include "paths.h"
#include "util.h"

#define assert_path(got, want) do { \
		char *got_ = (got); \
		assert_non_null(got_); \
		assert_string_equal(got_, (want)); \
		free(got_); \
	} while (0)

static void test_overrides(void **state)
{
	(void)state;
	setenv("PYDOJO_DATADIR", "/some/data", 1);
	setenv("PYDOJO_DEMODIR", "/some/demos", 1);
	assert_path(paths_datadir(), "/some/data");
	assert_path(paths_demodir(), "/some/demos");
	/* Empty counts as unset: this test binary lies in the build tree, so
	 * the source tree's content and the build tree's demos. */
	setenv("PYDOJO_DATADIR", "", 1);
	unsetenv("PYDOJO_DEMODIR");
	char *d = paths_datadir(), *m = paths_demodir();
	struct stat st;
	char *lessons = xasprintf("%s/lessons", d);
	assert_int_equal(stat(lessons, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_true(str_ends(m, "/demos"));
	free(lessons);
	free(d);
	free(m);
}

static void test_user_files(void **state)
{
	(void)state;
	setenv("HOME", "/home/u", 1);
	setenv("XDG_STATE_HOME", "/x/state", 1);
	assert_path(paths_user_file("STATE", "progress.db"), "/x/state/pydojo/progress.db");
	/* A relative variable is ignored (the XDG spec), so HOME's fallback. */
	setenv("XDG_STATE_HOME", "rel/state", 1);
	assert_path(paths_user_file("STATE", "progress.db"), "/home/u/.local/state/pydojo/progress.db");
	unsetenv("XDG_STATE_HOME");
	unsetenv("XDG_DATA_HOME");
	unsetenv("XDG_CACHE_HOME");
	unsetenv("XDG_CONFIG_HOME");
	assert_path(paths_user_file("STATE", "a"), "/home/u/.local/state/pydojo/a");
	assert_path(paths_user_file("DATA", "a"), "/home/u/.local/share/pydojo/a");
	assert_path(paths_user_file("CACHE", "a"), "/home/u/.cache/pydojo/a");
	assert_path(paths_user_file("CONFIG", "a"), "/home/u/.config/pydojo/a");
	/* No usable HOME and no variable: nowhere. */
	setenv("HOME", "relative", 1);
	assert_null(paths_user_file("CONFIG", "a"));
	unsetenv("HOME");
	assert_null(paths_user_file("CONFIG", "a"));
	setenv("XDG_CONFIG_HOME", "/c", 1);
	assert_path(paths_user_file("CONFIG", "a"), "/c/pydojo/a");
}

static void test_make_parents(void **state)
{
	(void)state;
	char dir[] = "/tmp/pydojo-paths-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *deep = xasprintf("%s/a/b/c/file.db", dir);
	assert_int_equal(paths_make_parents(deep), 0);
	char *c = xasprintf("%s/a/b/c", dir);
	struct stat st;
	assert_int_equal(stat(c, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	/* Again: the folders are there, nothing to do. */
	assert_int_equal(paths_make_parents(deep), 0);
	/* The file itself is not made. */
	assert_int_equal(stat(deep, &st), -1);
	/* A file where a folder should be. */
	char *file = xasprintf("%s/a/f", dir);
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	char *under = xasprintf("%s/a/f/g/x.db", dir);
	assert_int_equal(paths_make_parents(under), -1);
	assert_int_equal(errno, ENOTDIR);
	unlink(file);
	char *b = xasprintf("%s/a/b", dir), *a = xasprintf("%s/a", dir);
	assert_int_equal(rmdir(c), 0);
	assert_int_equal(rmdir(b), 0);
	assert_int_equal(rmdir(a), 0);
	assert_int_equal(rmdir(dir), 0);
	free(a);
	free(b);
	free(c);
	free(deep);
	free(file);
	free(under);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_user_files),
		cmocka_unit_test(test_make_parents),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
