/*
 * peak-rss: runs a command and prints its peak resident set size in KiB
 * (ru_maxrss from wait4) on stderr, then exits with the command's status.
 * A child's high-water mark starts from its parent's size at fork, so a
 * large parent (a Python benchmark script) would measure itself; this small
 * launcher forks from a few hundred KiB instead.
 *   peak-rss COMMAND [ARGS...]
 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: peak-rss COMMAND [ARGS...]\n");
		return 2;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 3;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("wait4");
		return 3;
	}
	fprintf(stderr, "peak-rss: %ld KiB\n", ru.ru_maxrss);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
