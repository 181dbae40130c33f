/*
 * Unit tests of the exercise runner on a real Python (PYDOJO_PYTHON, set by
 * tests/meson.build): passing and failing tests with their messages and
 * lines, a SyntaxError, a missing Python, the limits (time, fork bomb,
 * memory beside 200 threads, output, a start_new_session grandchild), Ctrl-C,
 * PYTHONHASHSEED, the modes outside namespaces (as root) and the suggested
 * rating. Afterwards no process of the run and no temporary folder is left.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "exercise.h"

static char tmpdir[] = "/tmp/pydojo-test-exercise-XXXXXX";

static int setup(void **state)
{
	(void)state;
	/* Searchable by uid 65534, as /tmp is. */
	if (!mkdtemp(tmpdir) || chmod(tmpdir, 0711) < 0)
		return -1;
	setenv("TMPDIR", tmpdir, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rmdir(tmpdir);
	return 0;
}

/* Entries in the private TMPDIR: the runs' folders must all be gone. */
static int tmp_entries(void)
{
	DIR *d = opendir(tmpdir);
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* Whether process PID works in this test's folder: other tests running at
 * the same time also start code as uid 65534, and must not be counted. */
static bool in_tmpdir(const char *pid)
{
	char path[300], cwd[4096];
	snprintf(path, sizeof path, "/proc/%s/cwd", pid);
	ssize_t len = readlink(path, cwd, sizeof cwd - 1);
	if (len < 0)
		return false;
	cwd[len] = '\0';
	return strncmp(cwd, tmpdir, strlen(tmpdir)) == 0;
}

/* Processes whose command line contains marker, or (marker NULL) whose
 * real uid is 65534 and that work in this test's folder. */
static int count_procs(const char *marker)
{
	DIR *d = opendir("/proc");
	int n = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		char path[300], text[4096];
		snprintf(path, sizeof path, "/proc/%s/%s", e->d_name, marker ? "cmdline" : "status");
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		ssize_t len = read(fd, text, sizeof text - 1);
		close(fd);
		if (len <= 0)
			continue;
		for (ssize_t i = 0; i < len; i++)
			if (text[i] == '\0')
				text[i] = ' ';
		text[len] = '\0';
		if (marker ? strstr(text, marker) != NULL : strstr(text, "\nUid:\t65534\t") != NULL && in_tmpdir(e->d_name))
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

static int run(const char *solution, const struct exercise_test *tests, size_t n, double timeout,
               enum exercise_mode mode, struct exercise_result *r)
{
	struct exercise_job job = {
		.solution = solution,
		.tests = tests,
		.ntests = n,
		.timeout_s = timeout,
		.hash_seed = 1,
		.mode = mode,
		.no_terminal = true,
	};
	char *err = NULL;
	int rc = exercise_run(&job, r, &err);
	if (rc < 0)
		fprintf(stderr, "exercise_run: %s\n", err);
	free(err);
	assert_int_equal(tmp_entries(), 0);
	return rc;
}

static const char solution_ok[] =
	"def double(x):\n"
	"    print('doubling', x)\n"
	"    return x * 2\n"
	"\n"
	"def ratio(a, b):\n"
	"    return a / b\n";

static void check_pass_and_fail(enum exercise_mode mode)
{
	const struct exercise_test tests[] = {
		{"doubles", "from solution import double\nassert double(2) == 4\n"},
		{"message", "from solution import double\nassert double(3) == 7, 'double(3) should be 7'\n"},
		{"bare", "from solution import double\n\nassert double(1) == 3\n"},
		{"raises", "from solution import ratio\ndef test_zero():\n    ratio(1, 0)\n"},
		{"unittest", "import unittest\nfrom solution import double\n"
		             "class T(unittest.TestCase):\n"
		             "    def test_ok(self):\n        self.assertEqual(double(1), 2)\n"
		             "    def test_bad(self):\n        self.assertEqual(double(2), 5)\n"},
	};
	struct exercise_result r;
	assert_int_equal(run(solution_ok, tests, 5, 20, mode, &r), 0);
	if (mode != EXERCISE_MODE_AUTO)
		assert_int_equal(r.mode, mode);
	else if (geteuid() == 0)
		assert_int_equal(r.mode, EXERCISE_MODE_NAMESPACE);
	assert_null(r.error);
	assert_false(r.crashed || r.timed_out || r.interrupted || r.too_old || r.output_capped);
	assert_int_equal(r.n, 5);
	assert_true(r.outcomes[0].ran && r.outcomes[0].passed);
	assert_false(r.outcomes[1].passed);
	assert_string_equal(r.outcomes[1].message, "double(3) should be 7");
	assert_false(r.outcomes[2].passed);
	assert_string_equal(r.outcomes[2].message, "assertion failed: assert double(1) == 3");
	assert_false(r.outcomes[3].passed);
	assert_string_equal(r.outcomes[3].message, "ZeroDivisionError: division by zero");
	assert_int_equal(r.outcomes[3].line, 6);
	assert_false(r.outcomes[4].passed);
	assert_string_equal(r.outcomes[4].message, "4 != 5");
	assert_non_null(strstr(r.output.data, "doubling 2\n"));
	assert_true(r.python_minor >= 11);
	exercise_result_release(&r);
}

static void test_pass_and_fail(void **state)
{
	(void)state;
	check_pass_and_fail(EXERCISE_MODE_AUTO);
}

/* As root the modes outside namespaces work too (as uid 65534, and as root
 * with RLIMIT_NPROC only). */
static void test_other_modes(void **state)
{
	(void)state;
	if (geteuid() == 0)
		check_pass_and_fail(EXERCISE_MODE_NOBODY);
	check_pass_and_fail(EXERCISE_MODE_NPROC);
}

static void test_syntax_error(void **state)
{
	(void)state;
	const struct exercise_test tests[] = {{"any", "import solution\n"}};
	struct exercise_result r;
	assert_int_equal(run("x = 1\ndef f(:\n    pass\n", tests, 1, 20, 0, &r), 0);
	assert_true(r.crashed);
	assert_non_null(r.error);
	assert_non_null(strstr(r.error, "SyntaxError"));
	assert_int_equal(r.error_line, 2);
	assert_false(r.outcomes[0].ran);
	exercise_result_release(&r);
}

static void test_missing_python(void **state)
{
	(void)state;
	char *saved = getenv("PYDOJO_PYTHON") ? strdup(getenv("PYDOJO_PYTHON")) : NULL;
	setenv("PYDOJO_PYTHON", "/nonexistent", 1);
	struct exercise_job job = {.solution = "x = 1\n", .no_terminal = true};
	struct exercise_result r;
	char *err = NULL;
	assert_int_equal(exercise_run(&job, &r, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, "'/nonexistent'"));
	assert_null(strchr(err, '\n'));
	free(err);
	exercise_result_release(&r);
	if (saved)
		setenv("PYDOJO_PYTHON", saved, 1);
	else
		unsetenv("PYDOJO_PYTHON");
	free(saved);
}

/* As root, a Python only root can reach (pyenv's shims in /root...) is
 * one line that says why. */
static void test_python_out_of_reach(void **state)
{
	(void)state;
	if (geteuid() != 0)
		return;
	char dir[128], py[160];
	snprintf(dir, sizeof dir, "%s/private", tmpdir);
	snprintf(py, sizeof py, "%s/python3", dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(symlink("/usr/bin/python3", py), 0);
	struct exercise_job job = {.python = py, .solution = "", .timeout_s = 20, .no_terminal = true};
	struct exercise_result r;
	char *err = NULL;
	int rc = exercise_run(&job, &r, &err);
	unlink(py);
	rmdir(dir);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "Permission denied"));
	assert_non_null(strstr(err, "uid 65534"));
	assert_null(strchr(err, '\n'));
	free(err);
	exercise_result_release(&r);
}

static void test_time_limit(void **state)
{
	(void)state;
	const struct exercise_test tests[] = {
		{"spins", "from solution import spin\nspin()\n"},
		{"after", "assert True\n"},
	};
	struct exercise_result r;
	assert_int_equal(run("def spin():\n    while True:\n        pass\n", tests, 2, 1.5, 0, &r), 0);
	assert_true(r.timed_out);
	assert_false(r.crashed);
	assert_true(r.wall_s >= 1.4 && r.wall_s < 4);
	assert_false(r.outcomes[0].ran || r.outcomes[1].ran);
	assert_non_null(strstr(r.outcomes[1].message, "time limit"));
	exercise_result_release(&r);
}

/* Forks until refused, the children sleeping: far fewer than 2000 get
 * through, and none is left afterwards. */
static const char fork_bomb[] =
	"import os, time\n"
	"def bomb():\n"
	"    n = 0\n"
	"    try:\n"
	"        while n < 2000:\n"
	"            if os.fork() == 0:\n"
	"                time.sleep(60)\n"
	"                os._exit(0)\n"
	"            n += 1\n"
	"    except OSError:\n"
	"        pass\n"
	"    print('forked', n)\n"
	"    return n\n";

static void check_fork_bomb(enum exercise_mode mode)
{
	const struct exercise_test tests[] = {{"bomb", "from solution import bomb\nassert bomb() < 1000\n"}};
	int before = count_procs(NULL);
	struct exercise_result r;
	assert_int_equal(run(fork_bomb, tests, 1, 30, mode, &r), 0);
	if (!r.outcomes[0].passed)
		fprintf(stderr, "%s: %s\n", r.outcomes[0].message, r.output.data);
	assert_true(r.outcomes[0].passed);
	assert_false(r.timed_out);
	assert_int_equal(count_procs(NULL), before);
	exercise_result_release(&r);
}

static void test_fork_bomb(void **state)
{
	(void)state;
	check_fork_bomb(0);
	if (geteuid() == 0)
		check_fork_bomb(EXERCISE_MODE_NOBODY);
}

/* 200 threads alive at once, each with its own stack and malloc arena,
 * and beside them 2 GB refused. */
static void check_threads_and_memory(enum exercise_mode mode)
{
	const char *solution =
		"import threading\n"
		"def crowd(n):\n"
		"    barrier = threading.Barrier(n + 1)\n"
		"    out = [0] * n\n"
		"    def work(i):\n"
		"        out[i] = len(bytearray(100000)) + i\n"
		"        barrier.wait()\n"
		"    ts = [threading.Thread(target=work, args=(i,)) for i in range(n)]\n"
		"    for t in ts:\n"
		"        t.start()\n"
		"    try:\n"
		"        big = bytearray(2 * 1000 ** 3)\n"
		"        refused = False\n"
		"    except MemoryError:\n"
		"        refused = True\n"
		"    barrier.wait()\n"
		"    for t in ts:\n"
		"        t.join()\n"
		"    return sum(out), refused\n";
	const struct exercise_test tests[] = {
		{"crowd", "from solution import crowd\n"
		          "total, refused = crowd(200)\n"
		          "assert total == 200 * 100000 + 199 * 100, total\n"
		          "assert refused, '2 GB allowed'\n"},
	};
	struct exercise_result r;
	assert_int_equal(run(solution, tests, 1, 30, mode, &r), 0);
	if (!r.outcomes[0].passed)
		fprintf(stderr, "%s\n%s\n", r.outcomes[0].message, r.output.data);
	assert_true(r.outcomes[0].passed);
	exercise_result_release(&r);
}

static void test_threads_and_memory(void **state)
{
	(void)state;
	check_threads_and_memory(0);
	if (geteuid() == 0)
		check_threads_and_memory(EXERCISE_MODE_NOBODY);
}

static void test_output_capped(void **state)
{
	(void)state;
	const struct exercise_test tests[] = {
		{"loud", "import sys\nfor _ in range(100):\n    sys.stdout.write('x' * 1000000)\n"},
		{"after", "assert True\n"},
	};
	struct exercise_result r;
	assert_int_equal(run("", tests, 2, 20, 0, &r), 0);
	assert_true(r.output_capped);
	assert_int_equal(r.output.len, EXERCISE_OUTPUT_MAX);
	assert_true(r.outcomes[0].passed && r.outcomes[1].passed);
	exercise_result_release(&r);
}

static void check_new_session(enum exercise_mode mode)
{
	/* A marker of this run's own, whatever earlier runs left. */
	char marker[64], code[512];
	snprintf(marker, sizeof marker, "pydojo-escapee-%ld-%d", (long)getpid(), (int)mode);
	snprintf(code, sizeof code,
	         "import subprocess, sys\n"
	         "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', '%s'],"
	         " start_new_session=True)\n",
	         marker);
	const struct exercise_test tests[] = {{"escape", code}};
	struct exercise_result r;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(run("", tests, 1, 20, mode, &r), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(r.outcomes[0].passed);
	assert_int_equal(count_procs(marker), 0);
	/* The escapee held the capture open: not waited for long. */
	assert_true((double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9 < 1.5);
	exercise_result_release(&r);
}

static void test_new_session_grandchild_gone(void **state)
{
	(void)state;
	check_new_session(0);
	if (geteuid() == 0)
		check_new_session(EXERCISE_MODE_NOBODY);
}

/* SIGINT to the process running the exercise, as Ctrl-C at pydojo's
 * prompt without a terminal: the run stops at once, nothing left. */
static void test_interrupted(void **state)
{
	(void)state;
	const struct exercise_test tests[] = {
		{"sleeps", "import time\nwhile True:\n    time.sleep(0.05)\n"},
	};
	int before = count_procs(NULL);
	pid_t self = getpid();
	pid_t helper = fork();
	assert_true(helper >= 0);
	if (helper == 0) {
		usleep(700 * 1000);
		kill(self, SIGINT);
		_exit(0);
	}
	struct exercise_result r;
	assert_int_equal(run("", tests, 1, 30, 0, &r), 0);
	waitpid(helper, NULL, 0);
	assert_true(r.interrupted);
	assert_false(r.timed_out);
	assert_true(r.wall_s < 5);
	assert_false(r.outcomes[0].ran);
	assert_int_equal(count_procs(NULL), before);
	exercise_result_release(&r);
}

/* In a child on a pseudo-terminal: the run as the terminal's foreground
 * group; "I F W" (interrupted, pydojo in the foreground again, wall) on
 * out. */
static _Noreturn void ctrl_c_child(int out)
{
	const struct exercise_test tests[] = {
		/* Standard input is not the terminal: input() meets its end. */
		{"waits", "import os, time\n"
		          "try:\n    input()\nexcept EOFError:\n    pass\n"
		          "os.write(os.open('/dev/tty', os.O_WRONLY), b'ready\\n')\n"
		          "while True:\n    time.sleep(0.05)\n"},
	};
	struct exercise_job job = {.solution = "", .tests = tests, .ntests = 1, .timeout_s = 30};
	struct exercise_result r;
	char *err = NULL;
	int rc = exercise_run(&job, &r, &err);
	char line[128];
	int n = snprintf(line, sizeof line, "%d %d %d %.3f\n", rc, r.interrupted, tcgetpgrp(0) == getpgrp(),
	                 r.wall_s);
	ssize_t w = write(out, line, (size_t)n);
	(void)w;
	_exit(0);
}

/* Ctrl-C typed at the terminal while the code runs: it reaches the run's
 * group (not pydojo), the run stops, pydojo gets its terminal back and
 * nothing of the run is left. */
static void test_ctrl_c_at_the_terminal(void **state)
{
	(void)state;
	int before = count_procs(NULL);
	int pfd[2];
	assert_int_equal(pipe(pfd), 0);
	int master;
	pid_t pid = forkpty(&master, NULL, NULL, NULL);
	assert_true(pid >= 0);
	if (pid == 0) {
		close(pfd[0]);
		ctrl_c_child(pfd[1]);
	}
	close(pfd[1]);
	/* Wait for the code to say it runs, then type Ctrl-C. */
	char seen[4096] = "";
	size_t len = 0;
	while (!strstr(seen, "ready") && len < sizeof seen - 1) {
		struct pollfd pf = {master, POLLIN, 0};
		assert_true(poll(&pf, 1, 20000) == 1);
		ssize_t k = read(master, seen + len, sizeof seen - 1 - len);
		assert_true(k > 0);
		len += (size_t)k;
		seen[len] = '\0';
	}
	assert_int_equal(write(master, "\x03", 1), 1);
	char res[128] = "";
	ssize_t k = read(pfd[0], res, sizeof res - 1);
	assert_true(k > 0);
	res[k] = '\0';
	int rc = -2, interrupted = 0, fg = 0;
	double wall = 99;
	assert_int_equal(sscanf(res, "%d %d %d %lf", &rc, &interrupted, &fg, &wall), 4);
	waitpid(pid, NULL, 0);
	close(pfd[0]);
	close(master);
	assert_int_equal(rc, 0);
	assert_true(interrupted);
	assert_true(fg);
	assert_true(wall < 10);
	assert_int_equal(count_procs(NULL), before);
}

/* pydojo killed (SIGKILL, no clean-up) while the code runs: the code dies
 * with it (the parent-death signal survives the change of uid). */
static void check_parent_killed(enum exercise_mode mode)
{
	int before = count_procs(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		const struct exercise_test tests[] = {{"sleeps", "import time\ntime.sleep(60)\n"}};
		struct exercise_result r;
		run("", tests, 1, 60, mode, &r);
		_exit(0);
	}
	int k = 0;
	while (count_procs(NULL) == before && k++ < 400)
		usleep(10 * 1000);
	assert_true(count_procs(NULL) > before);
	usleep(300 * 1000);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	for (k = 0; count_procs(NULL) != before && k < 300; k++)
		usleep(10 * 1000);
	assert_int_equal(count_procs(NULL), before);
	/* Its folder stays behind: nothing was left to remove it. */
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s/pydojo-exercise-*", tmpdir);
	assert_int_equal(system(cmd), 0);
}

static void test_parent_killed(void **state)
{
	(void)state;
	if (geteuid() != 0)
		return;   /* counted by uid 65534's processes */
	check_parent_killed(0);
	check_parent_killed(EXERCISE_MODE_NOBODY);
}

static char *hash_of_a(unsigned long seed)
{
	const struct exercise_test tests[] = {{"hash", "print(hash('a'))\n"}};
	struct exercise_job job = {
		.solution = "", .tests = tests, .ntests = 1, .timeout_s = 20, .hash_seed = seed, .no_terminal = true,
	};
	struct exercise_result r;
	char *err = NULL;
	assert_int_equal(exercise_run(&job, &r, &err), 0);
	char *out = strdup(r.output.data);
	exercise_result_release(&r);
	return out;
}

static void test_hash_seed(void **state)
{
	(void)state;
	char *a = hash_of_a(1), *b = hash_of_a(2), *c = hash_of_a(1);
	assert_true(strlen(a) > 1);
	assert_string_not_equal(a, b);
	assert_string_equal(a, c);
	free(a);
	free(b);
	free(c);
}

static void test_too_old(void **state)
{
	(void)state;
	const struct exercise_test tests[] = {{"t", "assert True\n"}};
	struct exercise_job job = {
		.solution = "", .tests = tests, .ntests = 1, .timeout_s = 20, .python_minor = 99, .no_terminal = true,
	};
	struct exercise_result r;
	char *err = NULL;
	assert_int_equal(exercise_run(&job, &r, &err), 0);
	assert_true(r.too_old);
	assert_false(r.crashed);
	assert_non_null(strstr(r.error, "3.99"));
	exercise_result_release(&r);
}

/* Python 3.10 and older have no -P: run without it (a stand-in that
 * refuses -P and is otherwise this Python). Its version still counts. */
static void check_without_dash_p(int minor, bool too_old)
{
	char fake[128];
	snprintf(fake, sizeof fake, "%s/python3.10", tmpdir);
	FILE *f = fopen(fake, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n"
	           "case \" $* \" in *\" -P \"*) echo 'Unknown option: -P' >&2; exit 2;; esac\n"
	           "exec %s \"$@\"\n",
	        getenv("PYDOJO_PYTHON"));
	fclose(f);
	assert_int_equal(chmod(fake, 0755), 0);
	const struct exercise_test tests[] = {{"t", "import sys\nassert '-P' not in sys.orig_argv\n"}};
	struct exercise_job job = {
		.python = fake, .solution = "", .tests = tests, .ntests = 1, .timeout_s = 20, .python_minor = minor,
		.no_terminal = true,
	};
	struct exercise_result r;
	char *err = NULL;
	assert_int_equal(exercise_run(&job, &r, &err), 0);
	unlink(fake);
	assert_false(r.crashed);
	assert_int_equal(r.too_old, too_old);
	assert_true(r.outcomes[0].passed);
	assert_null(strstr(r.output.data, "-P"));
	exercise_result_release(&r);
}

static void test_python_without_dash_p(void **state)
{
	(void)state;
	check_without_dash_p(8, false);
	check_without_dash_p(99, true);
}

static void test_suggest(void **state)
{
	(void)state;
	assert_int_equal(exercise_suggest(true, 1, 0), FSRS_GOOD);
	assert_int_equal(exercise_suggest(true, 2, 0), FSRS_HARD);
	assert_int_equal(exercise_suggest(true, 1, 1), FSRS_HARD);
	assert_int_equal(exercise_suggest(false, 1, 0), FSRS_AGAIN);
	assert_int_equal(exercise_suggest(false, 3, 2), FSRS_AGAIN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pass_and_fail),
		cmocka_unit_test(test_other_modes),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_missing_python),
		cmocka_unit_test(test_python_out_of_reach),
		cmocka_unit_test(test_time_limit),
		cmocka_unit_test(test_fork_bomb),
		cmocka_unit_test(test_threads_and_memory),
		cmocka_unit_test(test_output_capped),
		cmocka_unit_test(test_new_session_grandchild_gone),
		cmocka_unit_test(test_interrupted),
		cmocka_unit_test(test_ctrl_c_at_the_terminal),
		cmocka_unit_test(test_parent_killed),
		cmocka_unit_test(test_hash_seed),
		cmocka_unit_test(test_too_old),
		cmocka_unit_test(test_python_without_dash_p),
		cmocka_unit_test(test_suggest),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
