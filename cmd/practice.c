/*
 * practice: the code exercises (`type: code`), one after another, as
 * rustlings walks its exercises. Topics in catalog order (or the topic
 * given), each topic's exercises in quiz order; the first one not solved
 * yet (no review of it is correct) is where it starts, so a new run
 * resumes where the last stopped.
 *
 * The learner's code lives in $XDG_STATE_HOME/pydojo/exercises/ID.py,
 * written from the starter the first time and kept between attempts. At a
 * terminal a key line asks what to do (e edit, r run, h hint, s skip,
 * p paste, q quit); with --paste, or when stdin is not a terminal, the
 * code is pasted at the prompt and ended by a '.' line, and the words
 * edit, run, hint, skip and quit do as those keys do. The editor is
 * $VISUAL, else $EDITOR, else vi, run as git runs it: /bin/sh -c
 * 'EDITOR "$@"' with the file, through the runner (the terminal handed
 * over and taken back).
 *
 * A run (exercise.h) shows each test passed or failed with its message and
 * the line of the learner's code, what the code printed, and the rating
 * suggested. Passing every test, or giving up (a skip after a run), records
 * one review of the exercise's card in a practice session (session.h).
 *
 * Exercises of a --content folder run their tests, arbitrary code, only
 * once the learner said yes for that folder (remembered, one absolute path
 * a line, in $XDG_STATE_HOME/pydojo/trusted); without a terminal to ask,
 * only with --trust.
 *
 * With --watch, nothing is read from stdin (its end does not end the run):
 * the learner's file is watched (watch.h) and each save runs the tests;
 * all passing records the review and goes on to the next exercise. Only
 * Ctrl-C (SIGINT), SIGTERM or the last exercise solved end it.
 *
 * Exit status: 0 when it ran, 130 on Ctrl-C, 143 on SIGTERM while
 * watching, 2 usage or an untrusted folder, 3 no Python or the store
 * failed.
 */
#include "cmd.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "clock.h"
#include "exercise.h"
#include "paths.h"
#include "render.h"
#include "repl.h"
#include "runner.h"
#include "session.h"
#include "settings.h"
#include "store.h"
#include "util.h"
#include "watch.h"

/* The longest learner's file run (and recorded as the answer). */
#define PRACTICE_CODE_MAX (256u << 10)
/* Lines of the code's output shown (all of it is captured up to
 * EXERCISE_OUTPUT_MAX). */
#define PRACTICE_OUTPUT_LINES 40

enum step { STEP_NEXT, STEP_QUIT, STEP_INTR, STEP_FAIL, STEP_REFUSED };

struct practice {
	struct ctx *x;
	struct session_env env;
	struct repl *rp, *own_repl;
	struct session_practice rec;
	bool paste;                  /* pasted code rather than keys */
	bool trust;                  /* --trust */
	bool watch;                  /* --watch: a save runs the tests */
	bool can_ask;                /* a terminal to ask about untrusted content */
	char **trusted;              /* folders said yes to in this run */
	size_t ntrusted, captrusted;
	unsigned long runs_total;    /* for the hash seed of each run */
};

/* One exercise in hand. */
struct attempt {
	const struct question *q;
	char *file;
	int runs, hints;
	double start;
	bool solved;
};

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- reading ---- */

static enum repl_read read_line(struct practice *p, const char *prompt, char **line)
{
	fflush(stdout);
	enum repl_read rr = repl_read(p->rp, prompt, false, line);
	if (rr == REPL_INTR)
		repl_take_interrupt();
	return rr;
}

/* Reads pasted lines up to a '.' line (or the end of input) into code,
 * first (when not NULL) being the first of them. */
static enum repl_read read_paste(struct practice *p, const char *first, struct buf *code)
{
	if (first) {
		buf_puts(code, first);
		buf_addc(code, '\n');
	}
	for (;;) {
		char *line = NULL;
		enum repl_read rr = read_line(p, "... ", &line);
		if (rr == REPL_INTR)
			return rr;
		if (rr == REPL_EOF || strcmp(line, ".") == 0) {
			free(line);
			return REPL_LINE;
		}
		buf_puts(code, line);
		buf_addc(code, '\n');
		free(line);
	}
}

/* ---- the learner's file ---- */

/* Writes text to path whole (through a temporary file and a rename). */
static int write_code(const char *path, const char *text, size_t len)
{
	if (paths_make_parents(path) < 0)
		return -1;
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	int rc = -1;
	if (f) {
		bool ok = fwrite(text, 1, len, f) == len;
		if (fclose(f) == 0 && ok && rename(tmp, path) == 0)
			rc = 0;
	}
	if (rc < 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
	}
	free(tmp);
	return rc;
}

/* The learner's file of q, written from the starter when missing. NULL
 * after a one-line error. */
static char *learner_file(const struct question *q)
{
	char *name = xasprintf("exercises/%s.py", q->id);
	char *path = paths_user_file("STATE", name);
	free(name);
	if (!path) {
		fprintf(stderr, "error: no place for your code: set HOME or XDG_STATE_HOME\n");
		return NULL;
	}
	if (access(path, F_OK) == 0)
		return path;
	const char *starter = q->starter ? q->starter : "";
	if (write_code(path, starter, strlen(starter)) < 0) {
		char *v = str_visible(path);
		fprintf(stderr, "error: cannot write '%s': %s\n", v, strerror(errno));
		free(v);
		free(path);
		return NULL;
	}
	return path;
}

/* The file's text, or NULL after a one-line message. */
static char *read_code(const char *path)
{
	char *text = NULL;
	size_t len = 0;
	if (read_file_limit(path, PRACTICE_CODE_MAX, &text, &len) < 0) {
		char *v = str_visible(path);
		if (errno == EFBIG)
			printf("'%s' is over %u KiB: not run\n", v, PRACTICE_CODE_MAX >> 10);
		else
			printf("cannot read '%s': %s\n", v, strerror(errno));
		free(v);
		return NULL;
	}
	return text;
}

/* $VISUAL, $EDITOR or vi on path, as git runs it (the command may carry
 * arguments). */
static void run_editor(const char *path)
{
	const char *ed = getenv("VISUAL");
	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = "vi";
	char *script = xasprintf("%s \"$@\"", ed);
	char *argv[] = {"sh", "-c", script, "sh", (char *)path, NULL};
	struct runner_opts o;
	runner_opts_init(&o);
	o.timeout_s = 0;
	struct runner_result r;
	char *err = NULL;
	fflush(stdout);
	if (runner_run("/bin/sh", argv, &o, &r, &err) < 0) {
		printf("cannot run the editor: %s\n", err);
		free(err);
	} else if (r.status != 0) {
		char e[ECHO_SIZE];
		printf("the editor ('%s') ended with status %d; the file is as it left it\n", str_echo(e, ed), r.status);
	}
	runner_result_release(&r);
	free(script);
}

/* ---- a job ---- */

struct exercise_test *cmd_exercise_job(const struct question *q, const char *code, unsigned long seed,
		struct exercise_job *job)
{
	struct exercise_test *tests = xcalloc(q->ntests ? q->ntests : 1, sizeof *tests);
	for (size_t i = 0; i < q->ntests; i++)
		tests[i] = (struct exercise_test){.name = q->tests[i].name, .code = q->tests[i].code};
	*job = (struct exercise_job){
		.solution = code,
		.tests = tests,
		.ntests = q->ntests,
		.timeout_s = q->timeout,
		.hash_seed = seed,
		.python_minor = q->python_minor,
	};
	return tests;
}

/* ---- trust ---- */

/* The --content root q comes from (absolute, a new string), or NULL for
 * the shipped content. */
static char *content_root(const struct ctx *x, const struct question *q)
{
	const char *file = q->quiz ? q->quiz->pos.file : q->pos.file;
	for (size_t i = 0; file && i < x->ncontent; i++) {
		const char *r = x->content[i];
		size_t n = strlen(r);
		if (n && strncmp(file, r, n) == 0 && (file[n] == '/' || r[n - 1] == '/')) {
			char *abs = realpath(r, NULL);
			return abs ? abs : xstrdup(r);
		}
	}
	return NULL;
}

static bool trusted_in_file(const char *root)
{
	char *path = paths_user_file("STATE", "trusted");
	FILE *f = path ? fopen(path, "r") : NULL;
	free(path);
	if (!f)
		return false;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool yes = false;
	while (!yes && (n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		yes = strcmp(line, root) == 0;
	}
	free(line);
	fclose(f);
	return yes;
}

static void remember_trust(const char *root)
{
	char *path = paths_user_file("STATE", "trusted");
	FILE *f = path && paths_make_parents(path) == 0 ? fopen(path, "a") : NULL;
	if (!f || fprintf(f, "%s\n", root) < 0 || fclose(f) != 0) {
		char *v = str_visible(path ? path : "trusted");
		printf("could not remember it in '%s': you will be asked again\n", v);
		free(v);
		if (f)
			fclose(f);
	}
	free(path);
}

bool cmd_exercise_trusted(const struct ctx *x, const struct question *q)
{
	char *root = content_root(x, q);
	bool yes = !root || trusted_in_file(root);
	free(root);
	return yes;
}

/* Whether q's tests may run: shipped content always; a --content folder's
 * once the learner said yes (or --trust). STEP_NEXT to go on, else what
 * ends the run. */
static enum step check_trust(struct practice *p, const struct question *q)
{
	char *root = content_root(p->x, q);
	if (!root)
		return STEP_NEXT;
	for (size_t i = 0; i < p->ntrusted; i++)
		if (strcmp(p->trusted[i], root) == 0) {
			free(root);
			return STEP_NEXT;
		}
	enum step st = STEP_NEXT;
	char *v = str_visible(root);
	if (!p->trust && !trusted_in_file(root)) {
		if (!repl_interactive(p->rp)) {
			fprintf(stderr, "error: exercises from %s run their own Python code on your machine; stdin is not "
			                "a terminal to ask: add --trust to run them\n", v);
			st = STEP_REFUSED;
		} else {
			/* The explanation is printed, the prompt kept short: the line
			 * editor wraps a prompt wider than the terminal by itself. */
			printf("Exercises from %s run their own Python code on your machine.\n", v);
			fflush(stdout);
			char *line = NULL;
			enum repl_read rr = read_line(p, "Run them? [y/N] ", &line);
			const char *w = rr == REPL_LINE ? line + strspn(line, " \t") : "";
			bool yes = (w[0] | 0x20) == 'y' && (w[1] == '\0' || strcmp(w + 1, "es") == 0);
			free(line);
			if (rr == REPL_INTR)
				st = STEP_INTR;
			else if (!yes) {
				printf("not run: exercises from %s stay closed\n", v);
				st = STEP_QUIT;
			} else
				remember_trust(root);
		}
	}
	free(v);
	if (st == STEP_NEXT) {
		GROW(p->trusted, p->captrusted, p->ntrusted + 1);
		p->trusted[p->ntrusted++] = root;
	} else
		free(root);
	return st;
}

/* ---- a run ---- */

static const char *rating_name(enum fsrs_rating g)
{
	return g == FSRS_GOOD ? "good" : g == FSRS_HARD ? "hard" : g == FSRS_EASY ? "easy" : "again";
}

/* Appends text (the learner's or the content's; control characters shown
 * as text), each line after indent, at most max lines. */
static void put_lines(struct buf *b, const char *indent, const char *text, size_t len, size_t max)
{
	const char *s = text, *end = text + len;
	size_t shown = 0, total = 0;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		if (shown < max) {
			buf_puts(b, indent);
			buf_add_visible(b, s, n, 200);
			buf_addc(b, '\n');
			shown++;
		}
		total++;
		s += n + (nl != NULL);
	}
	if (total > shown)
		buf_printf(b, "%s(%zu more lines not shown)\n", indent, total - shown);
}

static void put_outcomes(struct buf *b, const struct practice *p, const struct question *q,
		const struct exercise_result *r, size_t *passed)
{
	*passed = 0;
	for (size_t i = 0; i < q->ntests; i++) {
		const struct exercise_outcome *o = i < r->n ? &r->outcomes[i] : NULL;
		buf_puts(b, "  ");
		if (o && o->passed)
			render_styled(b, STYLE_OK, "✓", strlen("✓"), &p->env.ro);
		else if (o && o->ran)
			render_styled(b, STYLE_BAD, "✗", strlen("✗"), &p->env.ro);
		else
			buf_puts(b, "-");
		buf_addc(b, ' ');
		buf_add_visible(b, q->tests[i].name, strlen(q->tests[i].name), 200);
		if (!o || !o->ran) {
			buf_puts(b, " (not run: the run ended first)\n");
			continue;
		}
		buf_addc(b, '\n');
		if (o->passed) {
			(*passed)++;
			continue;
		}
		if (o->message && *o->message)
			put_lines(b, "      ", o->message, strlen(o->message), 10);
		if (o->line > 0)
			buf_printf(b, "      line %d of your code\n", o->line);
	}
}

/* What stopped the run as a whole, if anything, on b. */
static void put_whole_run(struct buf *b, const struct question *q, const struct exercise_result *r)
{
	if (r->error) {
		buf_puts(b, "  your code did not run: ");
		put_lines(b, "", r->error, strlen(r->error), 10);
		if (r->error_line > 0)
			buf_printf(b, "  line %d of your code\n", r->error_line);
	}
	if (r->timed_out)
		buf_printf(b, "  stopped after %g s, the exercise's time limit\n", q->timeout > 0 ? q->timeout : 10.0);
	if (r->interrupted)
		buf_puts(b, "  stopped (Ctrl-C)\n");
	if (r->crashed && !r->error)
		buf_puts(b, "  the tests did not finish\n");
	if (r->output.len) {
		buf_printf(b, "  your code printed%s:\n", r->output_capped ? " (cut at 64 KiB)" : "");
		put_lines(b, "    | ", r->output.data, r->output.len, PRACTICE_OUTPUT_LINES);
	}
}

/* Runs the tests on the learner's file once: STEP_NEXT when it ran (a->solved
 * says whether every test passed), STEP_INTR, or STEP_FAIL (no Python: one
 * line). Too old a Python is one line and no run. */
static enum step run_tests(struct practice *p, struct attempt *a)
{
	const struct question *q = a->q;
	char *code = read_code(a->file);
	if (!code)
		return STEP_NEXT;
	struct exercise_job job;
	struct exercise_test *tests = cmd_exercise_job(q, code, (unsigned long)(p->env.seed + p->runs_total++), &job);
	printf("running %zu test%s...\n", q->ntests, q->ntests == 1 ? "" : "s");
	fflush(stdout);
	struct exercise_result r;
	char *err = NULL;
	enum step st = STEP_NEXT;
	if (exercise_run(&job, &r, &err) < 0) {
		fprintf(stderr, "error: %s\n", err);
		free(err);
		st = STEP_FAIL;
	} else if (r.too_old) {
		printf("this exercise needs Python 3.%d or newer, and the one found is 3.%d: not run "
		       "(set PYDOJO_PYTHON to a newer one)\n", q->python_minor, r.python_minor);
	} else {
		a->runs++;
		struct buf b;
		buf_init(&b);
		size_t passed;
		put_outcomes(&b, p, q, &r, &passed);
		put_whole_run(&b, q, &r);
		a->solved = passed == q->ntests && !r.error && !r.timed_out && !r.interrupted && !r.crashed;
		enum fsrs_rating g = exercise_suggest(a->solved, a->runs, a->hints);
		if (a->solved)
			buf_printf(&b, "all %zu tests passed — suggested rating: %s\n", q->ntests, rating_name(g));
		else
			buf_printf(&b, "%zu of %zu tests passed — suggested rating: %s (run it again, or skip to give up)\n",
			           passed, q->ntests, rating_name(g));
		fwrite(b.data, 1, b.len, stdout);
		buf_release(&b);
		if (r.interrupted) {
			repl_take_interrupt();
			st = STEP_INTR;
		}
	}
	exercise_result_release(&r);
	free(tests);
	free(code);
	return st;
}

/* ---- one exercise ---- */

/* Records a's end: solved (rated as suggested) or given up (again). */
static enum step record(struct practice *p, struct attempt *a)
{
	char *code = read_code(a->file);
	enum fsrs_rating g = exercise_suggest(a->solved, a->runs, a->hints);
	int64_t due = 0;
	int rc = session_record_practice(&p->env, &p->rec, a->q, g, a->solved, mono_now() - a->start, a->runs, a->hints,
	                                 code ? code : "", &due);
	free(code);
	if (rc)
		return STEP_FAIL;
	char w[32];
	session_format_wait(w, sizeof w, due - clock_now());
	printf("recorded as %s%s; next review in %s\n", rating_name(g), a->solved ? "" : " (given up)", w);
	return STEP_NEXT;
}

static void show(struct practice *p, const struct attempt *a, size_t k, size_t n)
{
	const struct question *q = a->q;
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "\n[%zu/%zu] ", k, n);
	buf_add_visible(&b, q->id, strlen(q->id), 80);
	buf_puts(&b, " (");
	buf_add_visible(&b, q->quiz ? q->quiz->topic : "", strlen(q->quiz ? q->quiz->topic : ""), 80);
	buf_puts(&b, ", exercise)\n");
	render_markdown(&b, q->prompt ? q->prompt : "", 2, &p->env.ro);
	buf_puts(&b, "your file: ");
	buf_add_visible(&b, a->file, strlen(a->file), 300);
	buf_addc(&b, '\n');
	/* With --watch, what to do is said once the watch is set (watch_file). */
	if (p->paste && !p->watch)
		buf_puts(&b, "paste your code, ended by a '.' line; or edit, run, hint, skip, quit\n");
	else if (!p->watch)
		buf_puts(&b, "keys: e edit, r run, h hint, s skip, p paste, q quit\n");
	fwrite(b.data, 1, b.len, stdout);
	buf_release(&b);
}

static void show_hint(struct practice *p, struct attempt *a)
{
	const struct strlist *h = &a->q->hints;
	if ((size_t)a->hints >= h->n) {
		printf(h->n ? "no more hints\n" : "this exercise has no hints\n");
		return;
	}
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "hint %d of %zu:\n", a->hints + 1, h->n);
	render_markdown(&b, h->v[a->hints], 2, &p->env.ro);
	fwrite(b.data, 1, b.len, stdout);
	buf_release(&b);
	a->hints++;
}

enum key { K_NONE, K_EDIT, K_RUN, K_HINT, K_SKIP, K_PASTE, K_QUIT };

/* The key a line names: a word, or at the key prompt its first letter. */
static enum key key_of(const char *line, bool paste)
{
	static const struct {
		const char *word;
		enum key k;
	} keys[] = {
		{"edit", K_EDIT}, {"run", K_RUN}, {"hint", K_HINT}, {"skip", K_SKIP}, {"paste", K_PASTE}, {"quit", K_QUIT},
	};
	const char *w = line + strspn(line, " \t");
	size_t len = strcspn(w, " \t");
	if (w[len + strspn(w + len, " \t")] != '\0' || len == 0)
		return K_NONE;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if ((strlen(keys[i].word) == len && strncmp(w, keys[i].word, len) == 0) ||
		    (!paste && len == 1 && w[0] == keys[i].word[0]))
			return keys[i].k;
	return K_NONE;
}

/* Takes pasted code (first its first line, or NULL) into a's file. Returns
 * STEP_NEXT to run it, STEP_INTR, or STEP_QUIT when nothing was pasted. */
static enum step take_paste(struct practice *p, struct attempt *a, const char *first)
{
	struct buf code;
	buf_init(&code);
	enum step st = STEP_NEXT;
	if (!first)
		printf("paste your code, ended by a '.' line\n");
	if (read_paste(p, first, &code) == REPL_INTR)
		st = STEP_INTR;
	else if (code.len == 0) {
		printf("nothing pasted\n");
		st = STEP_QUIT;
	} else if (write_code(a->file, code.data, code.len) < 0) {
		char *v = str_visible(a->file);
		printf("cannot write '%s': %s\n", v, strerror(errno));
		free(v);
		st = STEP_QUIT;
	}
	buf_release(&code);
	return st;
}

/* One line at the prompt: -1 to go on with this exercise, else the step
 * that ends it. */
static int on_line(struct practice *p, struct attempt *a, const char *line)
{
	enum key k = key_of(line, p->paste);
	if (k == K_NONE && !p->paste) {
		if (line[strspn(line, " \t")]) {
			char e[ECHO_SIZE];
			printf("'%s' is no key: e edit, r run, h hint, s skip, p paste, q quit\n", str_echo(e, line));
		}
		return -1;
	}
	if (k == K_NONE && !line[strspn(line, " \t")])
		return -1;
	switch (k) {
	case K_EDIT:
		run_editor(a->file);
		return -1;
	case K_HINT:
		show_hint(p, a);
		return -1;
	case K_QUIT:
		return STEP_QUIT;
	case K_SKIP:
		if (a->runs > 0)
			return record(p, a);
		printf("skipped\n");
		return STEP_NEXT;
	case K_PASTE:
	case K_NONE: {
		enum step st = take_paste(p, a, k == K_NONE ? line : NULL);
		if (st == STEP_INTR)
			return st;
		if (st != STEP_NEXT)
			return -1;
	}
		/* fall through */
	case K_RUN: {
		enum step st = run_tests(p, a);
		if (st != STEP_NEXT)
			return st;
		return a->solved ? (int)record(p, a) : -1;
	}
	}
	return -1;
}

/* ---- watching ---- */

/* SIGTERM while watching: ends the watch as Ctrl-C does (then 143). */
static volatile sig_atomic_t got_term;

static void on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

static bool watch_stop(void)
{
	return repl_interrupt_pending() || got_term;
}

/* Runs the tests at each save of a's file until every test passes (then
 * records it), Ctrl-C or SIGTERM (caught only while watching: elsewhere,
 * at the trust question, it ends pydojo as before). */
static enum step watch_file(struct practice *p, struct attempt *a)
{
	char *err = NULL;
	struct watch *w = watch_open(a->file, &err);
	if (!w) {
		fprintf(stderr, "error: %s\n", err);
		free(err);
		return STEP_FAIL;
	}
	sigset_t wake;
	sigemptyset(&wake);
	sigaddset(&wake, SIGINT);
	sigaddset(&wake, SIGTERM);
	struct sigaction term = {.sa_handler = on_term}, old_term;
	sigemptyset(&term.sa_mask);
	sigaction(SIGTERM, &term, &old_term);
	/* Said only now: a save from here on is seen. */
	printf("watching it: save it to run the tests (Ctrl-C to stop)\n");
	enum step st = STEP_NEXT;
	for (;;) {
		fflush(stdout);
		enum watch_event ev = watch_wait(w, &wake, watch_stop, &err);
		if (ev == WATCH_STOPPED) {
			repl_take_interrupt();
			st = STEP_INTR;
			break;
		}
		if (ev == WATCH_FAILED) {
			fprintf(stderr, "error: %s\n", err);
			free(err);
			st = STEP_FAIL;
			break;
		}
		printf("\nsaved: ");
		st = run_tests(p, a);
		if (st != STEP_NEXT || a->solved)
			break;
		printf("watching: save it again to run the tests (Ctrl-C to stop)\n");
	}
	sigaction(SIGTERM, &old_term, NULL);
	watch_free(w);
	return st == STEP_NEXT && a->solved ? record(p, a) : st;
}

/* Exercise q, number k of n: until solved, skipped, quit or interrupted. */
static enum step practise(struct practice *p, const struct question *q, size_t k, size_t n, bool *solved)
{
	enum step st = check_trust(p, q);
	if (st != STEP_NEXT)
		return st;
	struct attempt a = {.q = q, .start = mono_now()};
	if (!(a.file = learner_file(q)))
		return STEP_FAIL;
	show(p, &a, k, n);
	int r = p->watch ? (int)watch_file(p, &a) : -1;
	while (r < 0) {
		char *line = NULL;
		enum repl_read rr = read_line(p, p->paste ? "code> " : "practice> ", &line);
		if (rr == REPL_INTR)
			r = STEP_INTR;
		else if (rr == REPL_EOF)
			r = STEP_QUIT;
		else
			r = on_line(p, &a, line);
		free(line);
	}
	*solved = a.solved;
	free(a.file);
	return (enum step)r;
}

/* ---- the walk ---- */

static bool has_exercise(const struct lesson *ls)
{
	for (size_t i = 0; ls->quiz && i < ls->quiz->n; i++)
		if (ls->quiz->questions[i].type == Q_CODE)
			return true;
	return false;
}

/* The exercises of topic (NULL: every topic), in catalog then quiz order:
 * a new array of *n borrowed questions. */
static const struct question **exercises(struct catalog *c, const struct lesson *only, size_t *n)
{
	size_t cap = 0;
	const struct question **v = NULL;
	*n = 0;
	for (size_t i = 0; i < catalog_nlessons(c); i++) {
		const struct lesson *ls = catalog_lesson_at(c, i);
		if ((only && ls != only) || !ls->quiz)
			continue;
		for (size_t k = 0; k < ls->quiz->n; k++)
			if (ls->quiz->questions[k].type == Q_CODE) {
				GROW(v, cap, *n + 1);
				v[(*n)++] = &ls->quiz->questions[k];
			}
	}
	return v;
}

static int is_correct(void *ud, const struct store_review_row *row)
{
	if (row->correct)
		*(bool *)ud = true;
	return 0;
}

static int setup(struct practice *p, struct ctx *x)
{
	if (ctx_now(NULL))
		return 2;
	struct settings *set = ctx_settings(x);
	p->x = x;
	p->env.cat = x->cat;
	if (!(p->env.st = ctx_store(x)))
		return 3;
	fsrs_params_init(&p->env.params);
	p->env.params.desired_retention = set->desired_retention;
	p->env.params.enable_fuzz = set->fuzz && !x->no_fuzz;
	p->env.ro = ctx_render_opts(x);
	if (x->seeded)
		p->env.seed = x->seed;
	else {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		p->env.seed = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
	}
	if (!(p->rp = x->repl)) {
		p->rp = p->own_repl = repl_new(NULL, NULL, NULL);
		repl_install_sigint();
	}
	return 0;
}

static void release(struct practice *p)
{
	repl_free(p->own_repl);
	session_practice_release(&p->rec);
	for (size_t i = 0; i < p->ntrusted; i++)
		free(p->trusted[i]);
	free(p->trusted);
}

/* Whether exercise i of v is solved, and if so whether its card is due
 * again (then it is practised again, as review would ask a question).
 * Returns 0, or -1 after an error line. */
static int solved_state(struct practice *p, const struct question *q, int64_t now, bool *solved, bool *due)
{
	char *err = NULL;
	struct store_card c;
	bool found = false;
	if (store_each_review_of(p->env.st, q->id, is_correct, solved, &err) < 0 ||
	    (*solved && store_get_card(p->env.st, q->id, now, &c, &found, &err) < 0)) {
		fprintf(stderr, "error: %s\n", err);
		free(err);
		return -1;
	}
	*due = *solved && found && c.fsrs.due <= now;
	return 0;
}

/* The exit status after a walk stopped at st. */
static int status_of(enum step st)
{
	switch (st) {
	case STEP_NEXT:
	case STEP_QUIT:
		return 0;
	case STEP_INTR:
		printf("\n");
		return 130;
	case STEP_REFUSED:
		return 2;
	case STEP_FAIL:
		break;
	}
	return 3;
}

/* Walks v[0..n) from the first not solved or due again. Returns the exit
 * status. */
static int walk(struct practice *p, const struct question **v, size_t n)
{
	bool *solved = xcalloc(n, sizeof *solved), *due = xcalloc(n, sizeof *due);
	size_t nsolved = 0, ndue = 0;
	int64_t now = clock_now();
	for (size_t i = 0; i < n; i++) {
		if (solved_state(p, v[i], now, &solved[i], &due[i]) < 0) {
			free(solved);
			free(due);
			return 3;
		}
		nsolved += solved[i];
		ndue += due[i];
	}
	enum step st = STEP_NEXT;
	if (nsolved == n && !ndue)
		printf("all %zu exercise%s solved\n", n, n == 1 ? "" : "s");
	else if (ndue)
		printf("%zu of %zu exercises solved, %zu of them due again; going on from the first one not solved or "
		       "due\n", nsolved, n, ndue);
	else if (nsolved)
		printf("%zu of %zu exercises solved; going on from the first one not solved\n", nsolved, n);
	for (size_t i = 0; i < n && st == STEP_NEXT; i++) {
		if (solved[i] && !due[i])
			continue;
		nsolved -= solved[i];
		st = practise(p, v[i], i + 1, n, &solved[i]);
		nsolved += solved[i];
		if (st == STEP_NEXT && i + 1 == n)
			printf("\nend of the exercises: %zu of %zu solved\n", nsolved, n);
	}
	free(solved);
	free(due);
	return status_of(st);
}

/* ---- the exercises due, at the end of a review ---- */

/* The due exercises (cards due by now) that may run here: a new array of
 * *n borrowed questions; *untrusted counts those of a --content folder not
 * trusted yet, which need a terminal to ask. Returns NULL with *n 0 after
 * an error line (*failed set). */
static const struct question **due_exercises(struct practice *p, size_t *n, bool *failed)
{
	size_t all, cap = 0;
	const struct question **v = exercises(p->x->cat, NULL, &all), **due = NULL;
	int64_t now = clock_now();
	*n = 0;
	*failed = false;
	for (size_t i = 0; i < all; i++) {
		struct store_card c;
		bool found = false;
		char *err = NULL;
		if (store_get_card(p->env.st, v[i]->id, now, &c, &found, &err) < 0) {
			fprintf(stderr, "error: %s\n", err);
			free(err);
			*failed = true;
			break;
		}
		if (!found || c.fsrs.due > now || (!p->can_ask && !cmd_exercise_trusted(p->x, v[i])))
			continue;
		GROW(due, cap, *n + 1);
		due[(*n)++] = v[i];
	}
	free(v);
	return due;
}

/* Whether the learner says yes to practising now (Enter is yes; the end
 * of input, Ctrl-C or anything but y/yes is no). */
static bool says_yes(struct practice *p, size_t n)
{
	printf("%zu exercise%s due. Practise %s now? [Y/n] ", n, n == 1 ? "" : "s", n == 1 ? "it" : "them");
	char *line = NULL;
	enum repl_read rr = read_line(p, "", &line);
	bool yes = false;
	if (rr == REPL_LINE) {
		char *w = line + strspn(line, " \t");
		w[strcspn(w, " \t")] = '\0';
		yes = *w == '\0' || strcasecmp(w, "y") == 0 || strcasecmp(w, "yes") == 0;
	} else {
		printf("\n");
	}
	free(line);
	return yes;
}

/* The names of the due exercises' topics, each once, to run later. */
static void say_later(const struct question **v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *topic = v[i]->quiz ? v[i]->quiz->topic : "";
		bool seen = false;
		size_t count = 0;
		for (size_t k = 0; k < n; k++) {
			const char *t = v[k]->quiz ? v[k]->quiz->topic : "";
			seen |= k < i && strcmp(t, topic) == 0;
			count += strcmp(t, topic) == 0;
		}
		if (!seen)
			printf("%zu exercise%s due: run 'practice %s'\n", count, count == 1 ? "" : "s", topic);
	}
}

int cmd_practice_due(struct ctx *x, bool ask)
{
	struct practice p = {.paste = !isatty(0), .can_ask = isatty(0)};
	got_term = 0;
	int rc = setup(&p, x);
	size_t n = 0;
	bool failed = false;
	const struct question **v = rc ? NULL : due_exercises(&p, &n, &failed);
	if (failed)
		rc = 3;
	if (rc == 0 && n > 0) {
		if (!ask || !says_yes(&p, n)) {
			say_later(v, n);
		} else {
			enum step st = STEP_NEXT;
			size_t solved = 0;
			for (size_t i = 0; i < n && st == STEP_NEXT; i++) {
				bool ok = false;
				st = practise(&p, v[i], i + 1, n, &ok);
				solved += ok;
			}
			if (st == STEP_NEXT)
				printf("\nend of the exercises due: %zu of %zu solved\n", solved, n);
			rc = status_of(st);
		}
	}
	free(v);
	release(&p);
	if (got_term && rc == 130)
		rc = 143;
	return rc;
}

static int cmd_practice(struct ctx *x, struct cmd_args *a)
{
	const char *topic = a->argc > 1 ? a->argv[1] : NULL;
	const struct lesson *ls = topic ? catalog_lesson(x->cat, topic) : NULL;
	if (topic && !ls)
		return cmd_unknown_topic(x->cat, topic);
	size_t n;
	const struct question **v = exercises(x->cat, ls, &n);
	if (n == 0) {
		free(v);
		if (ls) {
			fprintf(stderr, "error: topic '%s' has no code exercises\n", ls->id);
			return 2;
		}
		printf("no code exercises yet\n");
		return 0;
	}
	struct practice p = {
		.paste = cmd_flag(a, "--paste") || !isatty(0),
		.trust = cmd_flag(a, "--trust"),
		.watch = cmd_flag(a, "--watch"),
	};
	got_term = 0;
	int rc = setup(&p, x);
	if (rc == 0)
		rc = walk(&p, v, n);
	release(&p);
	if (got_term && rc == 130)
		rc = 143;
	free(v);
	return rc;
}

/* Topics that have code exercises. */
static enum cmd_complete_more complete_practice(const struct cmd_complete *c)
{
	struct catalog *cat = c->npos == 1 ? ctx_catalog(c->x) : NULL;
	for (size_t i = 0; cat && i < catalog_nlessons(cat); i++)
		if (has_exercise(catalog_lesson_at(cat, i)))
			c->add(c->state, catalog_lesson_at(cat, i)->id);
	return COMPLETE_WORDS;
}

const struct command cmd_practice_row = {
	"practice", NULL, "practice [TOPIC] [--paste] [--trust] [--watch]",
	"the code exercises in order, from the first not solved or due again: write the code in $VISUAL or $EDITOR (or paste it), "
	"run the tests, take hints. Keys: e edit, r run, h hint, s skip (after a run: give up, rated again), "
	"p paste (ended by a '.' line), q quit. --paste (and stdin not a terminal): paste the code at the prompt, "
	"and the words edit, run, hint, skip, quit do as the keys. --trust: run the exercises of a --content folder "
	"without asking (their tests are code). --watch: no keys; each save of the file (Ctrl-C to stop) runs the tests, "
	"and all passing records it and goes on to the next exercise",
	cmd_practice, CMD_CATALOG | CMD_SETTINGS | CMD_STORE_RW, 0, 1,
	{
		{"--paste", OPT_FLAG, NULL, 0, 0, false},
		{"--trust", OPT_FLAG, NULL, 0, 0, false},
		{"--watch", OPT_FLAG, NULL, 0, 0, false},
	},
	complete_practice,
};
