/*
 * repl: the one place that includes libedit. libedit's readline emulation
 * keeps its state in globals, so the completion callback reaches its context
 * through the one struct repl that may be open at a time.
 */
#include "repl.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include <editline/readline.h>

#include "paths.h"
#include "util.h"

static volatile sig_atomic_t got_sigint;

static void on_sigint(int sig)
{
	(void)sig;
	got_sigint = 1;
}

void repl_install_sigint(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: a read in progress returns */
	sigaction(SIGINT, &sa, NULL);
}

bool repl_take_interrupt(void)
{
	bool was = got_sigint;
	got_sigint = 0;
	return was;
}

bool repl_interrupt_pending(void)
{
	return got_sigint;
}

struct repl {
	bool tty;
	char *history;
	repl_complete_fn complete;
	void *arg;
};

/* libedit's completion API has no user pointer. */
static struct repl *active;

struct cands {
	char **v;
	size_t n, cap, next;
};

static void add_cand(void *state, const char *cand)
{
	struct cands *c = state;
	GROW(c->v, c->cap, c->n + 1);
	c->v[c->n++] = xstrdup(cand);
}

static struct cands current;

static char *generator(const char *text, int state)
{
	(void)text;
	if (state == 0)
		current.next = 0;
	if (current.next < current.n)
		return xstrdup(current.v[current.next++]); /* libedit frees it */
	return NULL;
}

static char **attempt(const char *text, int start, int end)
{
	(void)end;
	for (size_t i = 0; i < current.n; i++)
		free(current.v[i]);
	current.n = 0;
	if (!active || !active->complete)
		return NULL;
	/* Which word of the line is being completed? */
	int index = 0;
	bool in_word = false;
	for (int i = 0; i < start && rl_line_buffer[i]; i++) {
		bool space = rl_line_buffer[i] == ' ' || rl_line_buffer[i] == '\t';
		if (!space && !in_word)
			index++;
		in_word = !space;
	}
	size_t len = strlen(text);
	struct cands all = {0};
	active->complete(active->arg, rl_line_buffer, index, text, add_cand, &all);
	for (size_t i = 0; i < all.n; i++) {
		if (strncmp(all.v[i], text, len) == 0)
			add_cand(&current, all.v[i]);
		free(all.v[i]);
	}
	free(all.v);
	if (current.n == 0)
		return NULL;
	return rl_completion_matches(text, generator);
}

/* Reads one byte from fd. SIGINT is blocked except inside the wait itself,
 * so a Ctrl-C that lands just before the wait (while the line editor sets
 * up or redraws) ends the read at once instead of after the next key: the
 * flag is checked with the signal blocked, then ppoll waits with it
 * unblocked. Returns the byte, or EOF (end of input, an error, Ctrl-C). */
static int read_byte(int fd)
{
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	int c = EOF;
	for (;;) {
		if (got_sigint) {
			errno = EINTR;
			break;
		}
		struct pollfd pf = {fd, POLLIN, 0};
		if (ppoll(&pf, 1, NULL, &old) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		unsigned char b;
		ssize_t n = read(fd, &b, 1);
		if (n == 1) {
			c = b;
			break;
		}
		if (n == 0 || errno != EINTR)
			break;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return c;
}

/* Reads one character for the line editor, which takes what this returns
 * as a wide character: the bytes of a multibyte one are decoded in the
 * current locale, as libedit's own reader does. */
/* Bytes read past an invalid sequence, to be decoded afresh. */
static unsigned char again[MB_LEN_MAX];
static size_t nagain;

static int next_byte(int fd)
{
	if (nagain) {
		int b = again[0];
		memmove(again, again + 1, --nagain);
		return b;
	}
	return read_byte(fd);
}

static int read_key(FILE *in)
{
	int fd = fileno(in);
	mbstate_t st;
	memset(&st, 0, sizeof st);
	unsigned char seen[MB_LEN_MAX];
	for (size_t k = 0; k < sizeof seen; k++) {
		int b = next_byte(fd);
		if (b == EOF)
			return EOF;
		seen[k] = (unsigned char)b;
		char ch = (char)b;
		wchar_t wc;
		size_t r = mbrtowc(&wc, &ch, 1, &st);
		if (r == (size_t)-2)
			continue;   /* more bytes to come */
		if (r == (size_t)-1) {
			/* Not valid here: the first byte as it is, the ones after
			 * it decoded afresh (one may start a valid character). */
			memmove(again + k, again, nagain);
			memcpy(again, seen + 1, k);
			nagain += k;
			return seen[0];
		}
		return (int)wc;
	}
	return seen[0];
}

struct repl *repl_new(const char *history, repl_complete_fn complete, void *arg)
{
	struct repl *r = xcalloc(1, sizeof *r);
	r->tty = isatty(0) && isatty(1);
	r->complete = complete;
	r->arg = arg;
	if (!r->tty)
		return r;
	active = r;
	rl_readline_name = "pydojo";
	rl_getc_function = read_key;
	rl_attempted_completion_function = attempt;
	rl_basic_word_break_characters = " \t";
	using_history();
	stifle_history(1000);
	if (history) {
		r->history = xstrdup(history);
		read_history(history);
	}
	return r;
}

void repl_free(struct repl *r)
{
	if (!r)
		return;
	if (r->tty && r->history && paths_make_parents(r->history) == 0 && write_history(r->history) != 0)
		fprintf(stderr, "pydojo: cannot save history to '%s': %s\n", r->history, strerror(errno));
	if (active == r)
		active = NULL;
	for (size_t i = 0; i < current.n; i++)
		free(current.v[i]);
	free(current.v);
	memset(&current, 0, sizeof current);
	free(r->history);
	free(r);
}

bool repl_interactive(const struct repl *r)
{
	return r->tty;
}

static enum repl_read read_plain(char **line)
{
	char *buf = NULL;
	size_t cap = 0;
	errno = 0;
	ssize_t n = getline(&buf, &cap, stdin);
	if (n < 0) {
		free(buf);
		clearerr(stdin);
		if (repl_take_interrupt())
			return REPL_INTR;
		return REPL_EOF;
	}
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	*line = buf;
	return REPL_LINE;
}

enum repl_read repl_read(struct repl *r, const char *prompt, bool add, char **line)
{
	*line = NULL;
	if (!r->tty)
		return read_plain(line);
	repl_take_interrupt();
	char *s = readline(prompt);
	if (!s) {
		if (repl_take_interrupt()) {
			/* The cancelled line stays on screen; start afresh below it. */
			fputs("^C\n", stdout);
			fflush(stdout);
			return REPL_INTR;
		}
		fputc('\n', stdout);
		return REPL_EOF;
	}
	if (add && *s)
		add_history(s);
	*line = s;
	return REPL_LINE;
}
