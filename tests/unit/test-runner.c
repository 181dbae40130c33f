/*
 * Unit tests of the runner with /bin/sh programs: exit codes and signals,
 * captured output, a program that cannot start, the time limit (also when
 * SIGTERM is ignored), a forwarded SIGINT, processes left in the group, CPU
 * time from wait4, and the signal state put back afterwards.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <cmocka.h>

#include "runner.h"

static int run_sh(const char *script, double timeout, bool capture, struct runner_result *r)
{
	char *argv[] = {"sh", "-c", (char *)script, NULL};
	struct runner_opts o;
	runner_opts_init(&o);
	o.timeout_s = timeout;
	o.grace_s = 0.3;
	o.capture_stdout = capture;
	o.no_terminal = true;
	char *cause = NULL;
	int rc = runner_run("/bin/sh", argv, &o, r, &cause);
	free(cause);
	return rc;
}

/* Whether a process (or, with a negative id, a group) still exists. */
static bool alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno != ESRCH;
}

static void test_exit_code(void **state)
{
	(void)state;
	struct runner_result r;
	assert_int_equal(run_sh("exit 3", 10, false, &r), 0);
	assert_int_equal(r.status, 3);
	assert_int_equal(r.exit_code, 3);
	assert_int_equal(r.signal, 0);
	assert_false(r.timed_out);
	assert_false(r.interrupted);
	assert_false(r.leftovers);
	runner_result_release(&r);
	assert_int_equal(run_sh("true", 10, false, &r), 0);
	assert_int_equal(r.status, 0);
	runner_result_release(&r);
}

static void test_killed_by_signal(void **state)
{
	(void)state;
	struct runner_result r;
	assert_int_equal(run_sh("kill -SEGV $$", 10, false, &r), 0);
	assert_int_equal(r.signal, SIGSEGV);
	assert_int_equal(r.exit_code, -1);
	assert_int_equal(r.status, 128 + SIGSEGV);
	runner_result_release(&r);
}

static void test_capture(void **state)
{
	(void)state;
	struct runner_result r;
	assert_int_equal(run_sh("echo hello; echo not-captured >&2; printf world", 10, true, &r), 0);
	assert_string_equal(r.out.data, "hello\nworld");
	runner_result_release(&r);
	/* More than a pipe holds: read while the program runs. */
	assert_int_equal(run_sh("i=0; while [ $i -lt 3000 ]; do echo 0123456789012345678901234567890123456789; "
	                        "i=$((i+1)); done",
	                        60, true, &r),
	                 0);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.out.len, 3000 * 41);
	runner_result_release(&r);
}

static void test_cannot_start(void **state)
{
	(void)state;
	char *argv[] = {"demo-none", NULL};
	struct runner_result r;
	char *cause = NULL;
	assert_int_equal(runner_run("/nonexistent/demo-none", argv, NULL, &r, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "No such file"));
	free(cause);
	runner_result_release(&r);
}

static pid_t first_pid(const struct runner_result *r)
{
	return (pid_t)strtol(r->out.data, NULL, 10);
}

static void test_time_limit_kills_the_group(void **state)
{
	(void)state;
	struct runner_result r;
	assert_int_equal(run_sh("echo $$; sleep 30 & sleep 30", 0.3, true, &r), 0);
	assert_true(r.timed_out);
	assert_int_equal(r.status, RUNNER_STATUS_TIMEOUT);
	assert_true(r.wall_s < 10);
	pid_t pgid = first_pid(&r);
	assert_true(pgid > 1);
	assert_false(alive(-pgid));
	runner_result_release(&r);
}

static void test_time_limit_when_sigterm_is_ignored(void **state)
{
	(void)state;
	struct runner_result r;
	assert_int_equal(run_sh("trap '' TERM; echo $$; sleep 30", 0.2, true, &r), 0);
	assert_true(r.timed_out);
	assert_int_equal(r.status, RUNNER_STATUS_TIMEOUT);
	assert_int_equal(r.signal, SIGKILL);
	assert_false(alive(-first_pid(&r)));
	runner_result_release(&r);
}

static void test_sigint_is_forwarded(void **state)
{
	(void)state;
	struct runner_result r;
	/* The program signals the runner, as a user's Ctrl-C on pydojo would. */
	assert_int_equal(run_sh("echo $$; kill -INT $PPID; sleep 30", 20, true, &r), 0);
	assert_true(r.interrupted);
	assert_false(r.timed_out);
	assert_int_equal(r.status, RUNNER_STATUS_INTERRUPTED);
	assert_true(r.wall_s < 10);
	assert_false(alive(-first_pid(&r)));
	runner_result_release(&r);
}

static void test_leftovers_are_killed_and_reaped(void **state)
{
	(void)state;
	struct runner_result r;
	assert_int_equal(run_sh("sleep 30 & echo $!", 10, true, &r), 0);
	assert_int_equal(r.status, 0);
	assert_true(r.leftovers);
	pid_t sleeper = first_pid(&r);
	assert_true(sleeper > 1);
	/* Gone, not a zombie: the runner reaped it as subreaper. */
	assert_false(alive(sleeper));
	runner_result_release(&r);
}

static int refuse(void *arg)
{
	return *(const int *)arg;
}

/* A caller's set-up in the child, the program's environment and a smaller
 * capture cap. */
static void test_child_setup_env_and_cap(void **state)
{
	(void)state;
	char *argv[] = {"sh", "-c", "echo \"$PYDOJO_X\"; echo x >&2", NULL};
	char *env[] = {"PYDOJO_X=from the caller", NULL};
	int ok = 0, denied = EACCES;
	struct runner_opts o;
	runner_opts_init(&o);
	o.capture_stdout = true;
	o.no_terminal = true;
	o.envp = env;
	o.max_capture = 8;
	o.child_setup = refuse;
	o.child_arg = &ok;
	struct runner_result r;
	char *cause = NULL;
	assert_int_equal(runner_run("/bin/sh", argv, &o, &r, &cause), 0);
	assert_string_equal(r.out.data, "from the");
	assert_true(r.truncated);
	runner_result_release(&r);
	o.child_arg = &denied;
	assert_int_equal(runner_run("/bin/sh", argv, &o, &r, &cause), -1);
	assert_non_null(strstr(cause, "Permission denied"));
	free(cause);
	runner_result_release(&r);
}

static void test_cpu_time(void **state)
{
	(void)state;
	struct runner_result r;
	assert_int_equal(run_sh("i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done", 120, false, &r), 0);
	assert_int_equal(r.status, 0);
	double cpu = r.user_s + r.sys_s;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	assert_true(cpu > 0.01);
	assert_true(cpu <= r.wall_s * (double)(cores > 0 ? cores : 1) + 0.01);
	runner_result_release(&r);
}

static void test_signal_state_restored(void **state)
{
	(void)state;
	sigset_t before, after;
	sigprocmask(SIG_SETMASK, NULL, &before);
	struct sigaction sa_before, sa_after;
	sigaction(SIGCHLD, NULL, &sa_before);
	struct runner_result r;
	assert_int_equal(run_sh("exit 0", 10, true, &r), 0);
	runner_result_release(&r);
	sigprocmask(SIG_SETMASK, NULL, &after);
	sigaction(SIGCHLD, NULL, &sa_after);
	for (int s = 1; s < 32; s++)
		assert_int_equal(sigismember(&before, s), sigismember(&after, s));
	assert_ptr_equal(sa_before.sa_handler, sa_after.sa_handler);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_code),
		cmocka_unit_test(test_killed_by_signal),
		cmocka_unit_test(test_capture),
		cmocka_unit_test(test_cannot_start),
		cmocka_unit_test(test_time_limit_kills_the_group),
		cmocka_unit_test(test_time_limit_when_sigterm_is_ignored),
		cmocka_unit_test(test_sigint_is_forwarded),
		cmocka_unit_test(test_leftovers_are_killed_and_reaped),
		cmocka_unit_test(test_child_setup_env_and_cap),
		cmocka_unit_test(test_cpu_time),
		cmocka_unit_test(test_signal_state_restored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
