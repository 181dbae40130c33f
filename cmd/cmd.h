/*
 * commands: the one table of commands that serves both the command line
 * (`pydojo learn gil`) and the REPL (`pydojo> learn gil`), with lookup by
 * name, alias or unique prefix, and the state a command runs against.
 * Commands are the user interface: they print their results to stdout and
 * their errors to stderr, and return an exit status (0 ok, 1 the user's work
 * failed, 2 bad usage or content, 3 environment).
 */
#ifndef PYDOJO_CMD_H
#define PYDOJO_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include <stdint.h>

#include "render.h"

struct catalog;
struct lesson;
struct repl;
struct session_topic;
struct settings;
struct store;

/* What every command runs against. Strings are owned by whoever set them
 * (cmd/); the catalog is loaded on first use and freed by ctx_release(). */
struct ctx {
	char *datadir, *demodir;
	const char **content;        /* --content roots */
	size_t ncontent;
	const char *db_path;         /* --db, or NULL for the XDG default */
	bool no_color;
	bool seeded;
	unsigned long long seed;
	bool no_fuzz;
	bool in_repl;
	bool quit;                   /* set by `quit` */
	struct catalog *cat;
	bool cat_failed;
	struct store *store;         /* opened by ctx_store(), closed by ctx_release() */
	bool store_failed;
	/* The lesson `next`, `prev` and `sections` walk in the REPL. */
	const struct lesson *cur;
	int cur_section;             /* -1: the whole lesson was shown */
	struct repl *repl;           /* the REPL's line input while it runs, else NULL */
	struct settings *settings;   /* loaded by ctx_settings(), freed by ctx_release() */
	bool settings_failed;
};

struct command {
	const char *name, *alias, *usage, *help;
	int (*fn)(struct ctx *x, int argc, char **argv);
	bool repl_only;
};

void ctx_release(struct ctx *x);
/* The catalog (shipped content plus --content roots), loaded and checked on
 * first use; on faults prints them and returns NULL. */
struct catalog *ctx_catalog(struct ctx *x);
/* Render options for stdout (colour on a tty unless NO_COLOR or --no-color). */
struct render_opts ctx_render_opts(const struct ctx *x);
/* The progress store (--db, or $XDG_DATA_HOME/pydojo/progress.db), opened on
 * first use; on failure prints the one-line error and returns NULL (the
 * command then exits 3). Closed by ctx_release(). */
struct store *ctx_store(struct ctx *x);
/* The same store for commands that only read (stats, mastery, the banner):
 * opened with store_open_readonly, which skips the whole-file quick_check
 * of a database that needs no migration. A later ctx_store() closes it and
 * opens the store for writing, so do not keep the pointer across a call to
 * ctx_store(). */
struct store *ctx_store_read(struct ctx *x);
/* The settings ($XDG_CONFIG_HOME/pydojo/config.yaml, see settings.h),
 * loaded on first use; on a bad file prints every fault and returns NULL
 * (the command then exits 2). */
struct settings *ctx_settings(struct ctx *x);

size_t commands_count(void);
const struct command *commands_at(size_t i);
/* Finds a command by exact name, alias or unique prefix. On failure returns
 * NULL and sets *why to a new message (ambiguous prefix with its candidates,
 * or unknown with the closest name); caller frees. */
const struct command *commands_find(const char *name, bool in_repl, char **why);
/* Runs argv[0] with its arguments; prints errors itself. */
int commands_run(struct ctx *x, int argc, char **argv);

/* Splits a REPL line into words: whitespace-separated, with '...' and "..."
 * quoting and backslash escapes. Returns the number of words, -1 on an
 * unterminated quote. *argv is a new NULL-terminated array; free it with
 * commands_free_argv(). */
int commands_split(const char *line, char ***argv);
void commands_free_argv(char **argv);

/* Commands implemented in their own files. */
int cmd_demo(struct ctx *x, int argc, char **argv);

/* Progress per topic, for `topics` and the REPL banner. */
struct quiz_progress {
	struct session_topic *topics;  /* one per lesson in catalog order; NULL: no database yet */
	size_t n;
	size_t due, seen;              /* over every topic */
	int64_t now, next_due;         /* next_due: STORE_NO_TIME when nothing waits */
};

/* Fills *p from the store, without creating a database that does not exist
 * yet (every count is then 0). Returns 0, or an exit status (2 bad
 * PYDOJO_NOW, 3 store failure) after printing the error. */
int quiz_progress(struct ctx *x, struct quiz_progress *p);
void quiz_progress_release(struct quiz_progress *p);

/* One line for the REPL banner: how many cards are due and what to do next
 * ('review', or a topic to start). A new string; NULL when the catalog or
 * the store failed (the error was printed). */
char *quiz_next_step(struct ctx *x);

int cmd_quiz(struct ctx *x, int argc, char **argv);
int cmd_review(struct ctx *x, int argc, char **argv);
int cmd_interview(struct ctx *x, int argc, char **argv);
int cmd_undo(struct ctx *x, int argc, char **argv);


int cmd_stats(struct ctx *x, int argc, char **argv);
int cmd_export(struct ctx *x, int argc, char **argv);
int cmd_fsrs(struct ctx *x, int argc, char **argv);
int cmd_disputes(struct ctx *x, int argc, char **argv);


/* Helpers the command handlers share. */
/* Takes the value of NAME VALUE or NAME=VALUE at argv[*i] (moving *i past
 * it); NULL when argv[*i] is another option. Sets *missing when NAME is
 * there without a value. */
const char *cmd_opt_value(int argc, char **argv, int *i, const char *name, bool *missing);
/* Removes a --flag from argv; returns whether it was there. */
bool cmd_take_flag(int *argc, char **argv, const char *flag);
/* Prints "unknown topic" with the nearest id as a suggestion; returns 2. */
int cmd_unknown_topic(struct catalog *c, const char *id);

#endif
