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

static void complete(void *arg, const char *line, int index, const char *word,
                     void (*add)(void *state, const char *cand), void *state)
{
	struct ctx *x = arg;
	(void)word;
	if (index == 0) {
		for (size_t i = 0; i < commands_count(); i++)
			add(state, commands_at(i)->name);
		return;
	}
	char **argv = NULL;
	if (commands_split(line, &argv) < 1) {
		commands_free_argv(argv);
		return;
	}
	char *why = NULL;
	const struct command *c = commands_find(argv[0], true, &why);
	free(why);
	struct catalog *cat = x->cat;
	if (c && index == 2 && cat && strcmp(c->name, "learn") == 0 && argv[1]) {
		/* learn TOPIC SECTION: the section ids */
		const struct lesson *ls = catalog_lesson(cat, argv[1]);
		for (size_t i = 0; ls && i < ls->nsections; i++)
			if (ls->sections[i].id)
				add(state, ls->sections[i].id);
	}
	commands_free_argv(argv);
	if (!c || index != 1)
		return;
	if (strcmp(c->name, "help") == 0) {
		for (size_t i = 0; i < commands_count(); i++)
			add(state, commands_at(i)->name);
	} else if (strcmp(c->name, "demo") == 0 && cat) {
		for (size_t i = 0; i < catalog_ndemos(cat); i++)
			add(state, catalog_demo_at(cat, i)->id);
	} else if (cat && (strcmp(c->name, "learn") == 0 || strcmp(c->name, "sections") == 0 ||
	                   strcmp(c->name, "quiz") == 0)) {
		for (size_t i = 0; i < catalog_nlessons(cat); i++)
			add(state, catalog_lesson_at(cat, i)->id);
	}
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
	fputs("usage: pydojo [--content DIR] [--db PATH] [--no-color] [--no-fuzz] [--seed N] [COMMAND [ARGS...]]\n"
	      "       pydojo --help | --version\n",
	      stderr);
	return 2;
}

/* Takes the value of --name VALUE or --name=VALUE; a missing value is a
 * usage error. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	bool missing = false;
	const char *v = cmd_opt_value(argc, argv, i, name, &missing);
	if (missing) {
		fprintf(stderr, "error: %s needs a value\n", name);
		exit(2);
	}
	return v;
}

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
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *v;
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			char *args[] = {"help", NULL};
			x.datadir = paths_datadir();
			int rc = commands_run(&x, 1, args);
			free(x.datadir);
			free(content);
			return close_stdout(rc);
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("pydojo %s\n", PYDOJO_VERSION);
			free(content);
			return close_stdout(0);
		} else if (strcmp(argv[i], "--no-color") == 0) {
			x.no_color = true;
		} else if (strcmp(argv[i], "--no-fuzz") == 0) {
			x.no_fuzz = true;
		} else if ((v = opt_value(argc, argv, &i, "--content"))) {
			if (!*v) {
				fprintf(stderr, "error: --content needs a folder, not an empty path\n");
				free(content);
				return 2;
			}
			content[x.ncontent++] = v;
		} else if ((v = opt_value(argc, argv, &i, "--db"))) {
			x.db_path = v;
		} else if ((v = opt_value(argc, argv, &i, "--seed"))) {
			char *end;
			x.seed = strtoull(v, &end, 10);
			if (!*v || *end) {
				char e[ECHO_SIZE];
				fprintf(stderr, "error: --seed needs a non-negative integer, not '%s'\n", str_echo(e, v));
				free(content);
				return 2;
			}
			x.seeded = true;
		} else {
			char e[ECHO_SIZE];
			fprintf(stderr, "error: unknown option '%s'\n", str_echo(e, argv[i]));
			free(content);
			return usage();
		}
	}
	x.content = content;
	x.datadir = paths_datadir();
	x.demodir = paths_demodir();
	int rc = i < argc ? commands_run(&x, argc - i, argv + i) : run_repl(&x);
	ctx_release(&x);
	free(x.datadir);
	free(x.demodir);
	free(content);
	return close_stdout(rc);
}
