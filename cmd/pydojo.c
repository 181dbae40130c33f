/*
 * pydojo: argument parsing and dispatch. Global options, then either one
 * command (`pydojo learn gil`) or the REPL. Everything else lives in src/.
 */
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "cmd.h"
#include "config.h"
#include "paths.h"
#include "repl.h"
#include "util.h"

/* The REPL's completion: the table's (commands_complete). */
static void complete(void *arg, const char *line, int index, const char *word,
                     void (*add)(void *state, const char *cand), void *state)
{
	char **argv = NULL;
	int argc = commands_split(line, &argv);
	if (argc >= 0)
		commands_complete(arg, index < argc ? index : argc, argv, word, false, add, state);
	commands_free_argv(argv);
}

/* `pydojo __complete WORD... CURRENT`, for the bash completion: prints the
 * words that complete CURRENT after the words before it (global options,
 * the command, its arguments), one a line, then ":files" or ":dirs" when
 * file or folder names complete it too. Internal: its output may change. */
static void print_cand(void *state, const char *cand)
{
	const char *word = state;
	if (str_starts(cand, word))
		printf("%s\n", cand);
}

static int complete_words(struct ctx *x, int argc, char **argv)
{
	const char *word = argc ? argv[argc - 1] : "";
	enum cmd_complete_more more = commands_complete(x, argc ? argc - 1 : 0, argv, word, true, print_cand,
	                                                (void *)word);
	if (more == COMPLETE_FILES)
		printf(":files\n");
	else if (more == COMPLETE_DIRS)
		printf(":dirs\n");
	return 0;
}

static int run_repl(struct ctx *x)
{
	x->in_repl = true;
	struct catalog *cat = ctx_catalog(x);
	if (!cat)
		return 2;
	char *history = paths_user_file("STATE", "history");
	struct repl *r = repl_new(history, complete, x);
	free(history);
	x->repl = r;
	repl_install_sigint();
	if (repl_interactive(r)) {
		struct catalog_counts k;
		catalog_count(cat, NULL, &k);
		printf("pydojo %s: %zu topics, %zu questions, %zu demos.\n"
		       "Type 'topics' to see them, 'learn gil' to start, 'help' for every command.\n",
		       PYDOJO_VERSION, k.topics, k.questions, k.demos);
		char *next = quiz_next_step(x);
		if (next)
			printf("%s\n", next);
		free(next);
	}
	int last_fail = 0;
	while (!x->quit) {
		char *line;
		enum repl_read rr = repl_read(r, "pydojo> ", true, &line);
		if (rr == REPL_EOF)
			break;
		if (rr == REPL_INTR)
			continue;
		char **argv;
		int argc = commands_split(line, &argv);
		free(line);
		if (argc < 0) {
			fprintf(stderr, "error: unterminated quote\n");
			last_fail = 2;
			continue;
		}
		if (argc > 0 && argv[0][0] != '#') {
			int rc = commands_run(x, argc, argv);
			if (rc)
				last_fail = rc;
		}
		commands_free_argv(argv);
		/* Output is lost from here on: the session ends, and the exit
		 * reports the write error. */
		if (fflush(stdout) != 0 || ferror(stdout))
			break;
	}
	/* At a terminal, leaving is not a failure; a script reports its last
	 * failing command. */
	int rc = repl_interactive(r) ? 0 : last_fail;
	x->repl = NULL;
	repl_free(r);
	return rc;
}

/* A closed standard descriptor would be taken by the next file opened, and
 * what pydojo prints would land in that file. Each closed one is held by
 * /dev/null opened the other way round, so a write to a closed stdout still
 * fails (EBADF) and is reported at exit, and a read of a closed stdin ends. */
static void hold_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		int h = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
		if (h > fd) {
			dup2(h, fd);
			close(h);
		}
	}
}

/* Why a write to stdout failed. glibc forgets the cause once a failed flush
 * has dropped its buffer, and stdout is flushed at many points, so when it
 * is not a terminal it is replaced by a stream (glibc's stdout is an
 * ordinary variable) whose writes keep the cause for close_stdout. A
 * terminal keeps the real one: libedit needs its descriptor. */
static int stdout_errno;

static ssize_t stdout_write(void *cookie, const char *data, size_t n)
{
	(void)cookie;
	if (write_all(1, data, n) < 0) {
		stdout_errno = errno;
		return -1;
	}
	return (ssize_t)n;
}

static int stdout_close(void *cookie)
{
	(void)cookie;
	if (close(1) == 0)
		return 0;
	stdout_errno = errno;
	return -1;
}

static void track_stdout(void)
{
	if (isatty(1))
		return;
	cookie_io_functions_t io = {.write = stdout_write, .close = stdout_close};
	FILE *f = fopencookie(NULL, "w", io);
	if (f)
		stdout = f;
}

/* Closes stdout and returns the exit status: rc, or 3 when anything written
 * to it was lost (an earlier write error or one at the final flush), as
 * coreutils' close_stdout. A broken pipe is no error: the reader took what
 * it wanted (SIGPIPE, left at its default, normally ends pydojo first). */
static int close_stdout(int rc)
{
	bool failed = ferror(stdout) != 0;
	errno = 0;
	if (fclose(stdout) != 0) {
		failed = true;
		if (!stdout_errno)
			stdout_errno = errno;
	}
	if (!failed || stdout_errno == EPIPE)
		return rc;
	if (stdout_errno)
		fprintf(stderr, "error: write error: %s\n", strerror(stdout_errno));
	else
		fputs("error: write error\n", stderr);
	return 3;
}

static int usage(void)
{
	struct buf b;
	buf_init(&b);
	commands_global_usage(&b, false);
	fprintf(stderr, "usage: pydojo%s [COMMAND [ARGS...]]\n       pydojo --help | --version\n", b.data);
	buf_release(&b);
	return 2;
}

/* The global options' values, in the order of commands_global_opts. */
enum { G_CONTENT, G_DB, G_NO_COLOR, G_NO_FUZZ, G_SEED, G_VERSION, G_HELP, G_H, G_N };

int main(int argc, char **argv)
{
	/* Only the character type follows the environment: libedit drops
	 * non-ASCII input unless the codeset is UTF-8. Numbers stay in the C
	 * locale, so YAML and config values parse and JSON prints the same
	 * under a locale with a decimal comma; and the other categories' files
	 * are not loaded at each start. */
	setlocale(LC_CTYPE, "");
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		setlocale(LC_CTYPE, "C.UTF-8");
	hold_std_fds();
	track_stdout();
	/* A closed pipe ends pydojo quietly, as it does under a shell, even
	 * when the parent ignored SIGPIPE. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);

	struct ctx x;
	memset(&x, 0, sizeof x);
	x.cur_section = -1;
	const char **content = xcalloc((size_t)argc + 1, sizeof *content);
	x.content = content;
	int i = 1;
	if (argc > 1 && strcmp(argv[1], "__complete") == 0) {
		x.datadir = paths_datadir();
		int rc = complete_words(&x, argc - 2, argv + 2);
		ctx_release(&x);
		free(x.datadir);
		free(content);
		return close_stdout(rc);
	}
	/* The global options, each in turn, through the commands' parser. */
	struct cmd_val v[G_N];
	memset(v, 0, sizeof v);
	for (; i < argc && argv[i][0] == '-'; memset(v, 0, sizeof v)) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		int prc = cmd_parse_one(commands_global_opts, commands_nglobal_opts, NULL, argc, argv, &i, v);
		if (prc < 0) {
			free(content);
			return prc == -2 ? usage() : 2;
		}
		if (v[G_HELP].set || v[G_H].set) {
			char *args[] = {"help", NULL};
			x.datadir = paths_datadir();
			int rc = commands_run(&x, 1, args);
			free(x.datadir);
			free(content);
			return close_stdout(rc);
		}
		if (v[G_VERSION].set) {
			printf("pydojo %s\n", PYDOJO_VERSION);
			free(content);
			return close_stdout(0);
		}
		x.no_color |= v[G_NO_COLOR].set;
		x.no_fuzz |= v[G_NO_FUZZ].set;
		if (v[G_CONTENT].set)
			content[x.ncontent++] = v[G_CONTENT].str;
		if (v[G_DB].set)
			x.db_path = v[G_DB].str;
		if (v[G_SEED].set) {
			x.seed = v[G_SEED].u;
			x.seeded = true;
		}
	}
	x.datadir = paths_datadir();
	x.demodir = paths_demodir();
	int rc = i < argc ? commands_run(&x, argc - i, argv + i) : run_repl(&x);
	ctx_release(&x);
	free(x.datadir);
	free(x.demodir);
	free(content);
	return close_stdout(rc);
}
