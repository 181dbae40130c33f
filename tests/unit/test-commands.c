/* Unit tests of the command table: lookup and line splitting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "commands.h"

static const struct command *find(const char *name, bool repl, char **why)
{
	*why = NULL;
	return commands_find(name, repl, why);
}

static void test_lookup(void **state)
{
	(void)state;
	char *why;
	assert_string_equal(find("learn", true, &why)->name, "learn");
	assert_string_equal(find("q", true, &why)->name, "quit");       /* alias */
	assert_string_equal(find("le", true, &why)->name, "learn");     /* unique prefix */
	assert_string_equal(find("?", false, &why)->name, "help");
	assert_null(find("se", true, &why));                           /* search, sections */
	assert_non_null(strstr(why, "ambiguous"));
	assert_non_null(strstr(why, "search"));
	assert_non_null(strstr(why, "sections"));
	free(why);
	assert_null(find("lern", true, &why));
	assert_string_equal(why, "unknown command 'lern' (did you mean 'learn'?)");
	free(why);
	assert_null(find("xyzzy", true, &why));
	assert_non_null(strstr(why, "try 'help'"));
	free(why);
	/* REPL-only commands are refused on the command line. */
	assert_null(find("next", false, &why));
	assert_non_null(strstr(why, "only at the pydojo> prompt"));
	free(why);
}

static void test_table_is_complete(void **state)
{
	(void)state;
	for (size_t i = 0; i < commands_count(); i++) {
		const struct command *c = commands_at(i);
		assert_non_null(c->fn);
		assert_true(strncmp(c->usage, c->name, strlen(c->name)) == 0);
		assert_true(strlen(c->help) > 0);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(commands_at(j)->name, c->name);
	}
}

static void test_split(void **state)
{
	(void)state;
	char **argv;
	assert_int_equal(commands_split("  search  'GIL is (released|dropped)'  ", &argv), 2);
	assert_string_equal(argv[0], "search");
	assert_string_equal(argv[1], "GIL is (released|dropped)");
	commands_free_argv(argv);
	assert_int_equal(commands_split("a \"b c\" d\\ e", &argv), 3);
	assert_string_equal(argv[1], "b c");
	assert_string_equal(argv[2], "d e");
	commands_free_argv(argv);
	assert_int_equal(commands_split("learn 'gil", &argv), -1);
	assert_int_equal(commands_split("   ", &argv), 0);
	commands_free_argv(argv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_table_is_complete),
		cmocka_unit_test(test_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
