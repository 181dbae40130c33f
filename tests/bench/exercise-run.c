/*
 * exercise-run: runs one exercise through exercise_run, as a submit does,
 * and prints a JSON line per run: the time from the call to the result
 * (folder, limits, Python, results read back, folder removed), the mode and
 * the tests' outcomes. For tests/bench/exercise.py.
 *
 *   exercise-run [-n RUNS] [-m auto|namespace|nobody|nproc] SOLUTION TEST.py...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "exercise.h"
#include "util.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static char *slurp(const char *path)
{
	char *text = NULL;
	size_t len;
	if (read_file_limit(path, 1u << 20, &text, &len) < 0) {
		perror(path);
		exit(2);
	}
	return text;
}

static enum exercise_mode parse_mode(const char *s)
{
	static const char *names[] = {"auto", "namespace", "nobody", "nproc"};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(s, names[i]) == 0)
			return (enum exercise_mode)i;
	fprintf(stderr, "exercise-run: unknown mode '%s'\n", s);
	exit(2);
}

int main(int argc, char **argv)
{
	int runs = 1, opt;
	enum exercise_mode mode = EXERCISE_MODE_AUTO;
	while ((opt = getopt(argc, argv, "n:m:")) != -1) {
		if (opt == 'n')
			runs = atoi(optarg);
		else if (opt == 'm')
			mode = parse_mode(optarg);
		else
			return 2;
	}
	if (argc - optind < 1) {
		fprintf(stderr, "usage: exercise-run [-n RUNS] [-m MODE] SOLUTION TEST.py...\n");
		return 2;
	}
	char *solution = slurp(argv[optind]);
	size_t n = (size_t)(argc - optind - 1);
	struct exercise_test *tests = xcalloc(n ? n : 1, sizeof *tests);
	for (size_t i = 0; i < n; i++) {
		tests[i].name = argv[optind + 1 + i];
		tests[i].code = slurp(argv[optind + 1 + i]);
	}
	struct exercise_job job = {
		.solution = solution, .tests = tests, .ntests = n, .timeout_s = 30, .hash_seed = 0, .mode = mode,
		.no_terminal = true,
	};
	int status = 0;
	for (int k = 0; k < runs; k++) {
		struct exercise_result r;
		char *err = NULL;
		double t0 = now_ms();
		int rc = exercise_run(&job, &r, &err);
		double ms = now_ms() - t0;
		if (rc < 0) {
			fprintf(stderr, "exercise-run: %s\n", err);
			free(err);
			exercise_result_release(&r);
			return 1;
		}
		size_t passed = 0;
		for (size_t i = 0; i < r.n; i++)
			passed += r.outcomes[i].passed;
		printf("{\"submit_ms\": %.3f, \"mode\": \"%s\", \"tests\": %zu, \"passed\": %zu, \"crashed\": %s}\n", ms,
		       exercise_mode_name(r.mode), r.n, passed, r.crashed ? "true" : "false");
		fflush(stdout);
		status |= r.crashed || passed != r.n;
		exercise_result_release(&r);
	}
	for (size_t i = 0; i < n; i++)
		free((char *)tests[i].code);
	free(tests);
	free(solution);
	return status;
}
