/*
 * cmd: what the commands share. Each file of cmd/ but pydojo.c defines one
 * command (or a small family) as a row, `struct command`, and includes this
 * header and the core's (src/), never another command's file. The table
 * (commands.c) lists the rows; it serves both the command line
 * (`pydojo learn gil`) and the REPL (`pydojo> learn gil`): lookup by name,
 * alias or unique prefix, one option parser for every command and the
 * global options, help, usage errors, and completion at the prompt and in
 * bash (`pydojo __complete`).
 *
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
struct command;
struct diag;
struct exercise_job;
struct exercise_test;
struct lesson;
struct question;
struct repl;
struct session_topic;
struct settings;
struct store;

/* What every command runs against. Strings are owned by whoever set them
 * (pydojo.c); the catalog is loaded on first use and freed by ctx_release(). */
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
	const struct command *running; /* the command being run, for its CMD_* needs */
	struct catalog *cat;
	bool cat_failed;
	struct store *store;         /* opened by ctx_store(), closed by ctx_release() */
	bool store_failed;
	/* The lesson `next`, `prev` and `sections` walk in the REPL. */
	const struct lesson *cur;
	int cur_section;             /* -1: the whole lesson was shown */
	struct repl *repl;           /* the REPL's line input while it runs, else NULL */
	struct settings *settings;   /* loaded by ctx_settings(), freed by ctx_release() */
};

/* ---- options ---- */

/* The type of an option's value; the parser checks it before the command
 * runs. OPT_PATH and OPT_DIR refuse an empty value and complete file or
 * folder names. */
enum opt_type { OPT_FLAG, OPT_INT, OPT_UINT, OPT_DOUBLE, OPT_STRING, OPT_PATH, OPT_DIR };

/* One option: "--name" (also --name=VALUE) or "-n" (also -nVALUE). A bad
 * value is refused as "error: NAME needs WHAT, not 'VALUE'"; a missing one
 * as "error: NAME needs a value". Numbers must lie in [min, max] (above
 * min when min_open); min = max = 0 means unbounded. */
struct cmd_opt {
	const char *name;
	enum opt_type type;
	const char *what;    /* e.g. "a number from 0 to 1000"; NULL for a flag */
	double min, max;
	bool min_open;
};

/* The same --seed for the global options and `interview`. */
#define CMD_OPT_SEED {"--seed", OPT_UINT, "a non-negative integer", 0, 0, false}

#define CMD_MAX_OPTS 8

/* An option's value after parsing: set when given; str the text, and the
 * number in i (OPT_INT), u (OPT_UINT) or d (OPT_DOUBLE). */
struct cmd_val {
	bool set;
	const char *str;
	long long i;
	unsigned long long u;
	double d;
};

/* What a command is given: its positional arguments (argv[0] the command's
 * full name; strings borrowed from the caller) and its options, in the order
 * of its row's spec. */
struct cmd_args {
	const struct command *cmd;
	int argc;
	char **argv;
	struct cmd_val opt[CMD_MAX_OPTS];
};

/* The value of the row's option name (which must be in the row's spec). */
const struct cmd_val *cmd_opt(const struct cmd_args *a, const char *name);
bool cmd_flag(const struct cmd_args *a, const char *name);

/* Takes the option at argv[*i] (and its value: the next word, or attached
 * as --name=VALUE or -nVALUE), checked against spec (n options), into
 * vals; moves *i past it. cmd names the command in messages (NULL: the
 * global options). Returns 0, or after printing the one-line error -1 (a
 * missing or bad value) or -2 (an unknown option: the caller adds the
 * usage). Either is a usage error: exit 2. */
int cmd_parse_one(const struct cmd_opt *spec, size_t n, const char *cmd, int argc, char **argv, int *i,
                  struct cmd_val *vals);
/* Parses argv[1..argc) against spec: options anywhere, "--" ends them.
 * Clears and fills vals (n of them); collects the other words in pos
 * (*npos of them). Returns 0, or cmd_parse_one's -1 or -2. */
int cmd_parse(const struct cmd_opt *spec, size_t n, const char *cmd, int argc, char **argv, struct cmd_val *vals,
              char **pos, int *npos);

/* ---- the row ---- */

/* What a command needs before it runs, as git's RUN_SETUP. The catalog and
 * the settings are loaded by the runner (a catalog that fails exits 2;
 * faulty settings are warnings); the store is
 * opened by the command when it first writes or reads (so a refused command
 * creates no database), and ctx_store()/ctx_store_read() check that the
 * row asked for it. */
enum {
	CMD_CATALOG = 1 << 0,
	CMD_SETTINGS = 1 << 1,
	CMD_STORE_RO = 1 << 2,
	CMD_STORE_RW = 1 << 3,
	CMD_REPL_ONLY = 1 << 4,   /* only at the pydojo> prompt */
	CMD_RAW_ARGS = 1 << 5,    /* the command parses its own arguments (demo: the manifest's) */
};

/* Completion of a command's arguments: offer() each candidate for word
 * number npos + 1 (the positional words before it are pos[0..npos), pos[0]
 * the command). word is the text typed so far. */
struct cmd_complete {
	struct ctx *x;
	char **pos;
	int npos;
	const char *option;   /* the OPT_STRING option whose value is completed; NULL: a positional word */
	const char *word;
	void (*add)(void *state, const char *cand);
	void *state;
};

/* What completion offers beside the words: file or folder names. */
enum cmd_complete_more { COMPLETE_WORDS, COMPLETE_FILES, COMPLETE_DIRS };

struct command {
	const char *name, *alias, *usage, *help;
	int (*fn)(struct ctx *x, struct cmd_args *a);
	unsigned flags;                  /* CMD_* */
	int min_args, max_args;          /* positional arguments; max -1: any number */
	struct cmd_opt opts[CMD_MAX_OPTS]; /* ended by a NULL name */
	enum cmd_complete_more (*complete)(const struct cmd_complete *c);
};

/* The rows, one per command, each in its command's file. */
extern const struct command cmd_check_row, cmd_demo_row, cmd_disputes_row, cmd_export_row,
	cmd_forget_row, cmd_fsrs_row, cmd_help_row, cmd_interview_row, cmd_learn_row, cmd_next_row, cmd_practice_row, cmd_prev_row,
	cmd_quit_row, cmd_quiz_row, cmd_recap_row, cmd_report_row, cmd_review_row, cmd_search_row, cmd_sections_row,
	cmd_stats_row,
	cmd_topics_row, cmd_undo_row, cmd_version_row;

size_t commands_count(void);
const struct command *commands_at(size_t i);
/* Finds a command by exact name, alias or unique prefix. On failure returns
 * NULL and sets *err to a new message (ambiguous prefix with its candidates,
 * or unknown with the closest name); caller frees. */
const struct command *commands_find(const char *name, bool in_repl, char **err);
/* Runs argv[0] with its arguments: parses them against the row, loads what
 * it needs, runs it; prints errors itself. argv is not changed. */
int commands_run(struct ctx *x, int argc, char **argv);
/* Prints "usage: USAGE" of the running command; returns 2. */
int cmd_usage(const struct cmd_args *a);

/* The global options (pydojo.c parses them with cmd_parse). */
extern const struct cmd_opt commands_global_opts[];
extern const size_t commands_nglobal_opts;
/* What help says of a global option: its name, its value's name (NULL for
 * a flag), one line of help (NULL: not listed). */
struct cmd_opt_doc {
	const char *name, *arg, *help;
};
extern const struct cmd_opt_doc commands_global_docs[];
/* Appends the global options to b: one "  --db PATH   ..." line each
 * (with_help), or " [--db PATH]" each for a usage line. */
void commands_global_usage(struct buf *b, bool with_help);

/* Offers the completions of word after the words before[0..n): the
 * command and its arguments, or, with globals, the global options and
 * their values first (the command line). */
enum cmd_complete_more commands_complete(struct ctx *x, int n, char **before, const char *word, bool globals,
                                         void (*add)(void *state, const char *cand), void *state);

/* Splits a REPL line into words: whitespace-separated, with '...' and "..."
 * quoting and backslash escapes. Returns the number of words, -1 on an
 * unterminated quote. *argv is a new NULL-terminated array; free it with
 * commands_free_argv(). */
int commands_split(const char *line, char ***argv);
void commands_free_argv(char **argv);

/* ---- the context (context.c) ---- */

void ctx_release(struct ctx *x);
/* The catalog (shipped content plus --content roots), loaded and checked on
 * first use. A broken file of a --content root is left out, with one line
 * on stderr ("pydojo: skipped FILE:LINE:COL: FAULT; run 'pydojo check
 * ROOT'"), and so is a file that leans on one left out. A fault anywhere
 * else (the shipped content, a root that is no content folder) prints
 * every fault and returns NULL, as does a catalog left with no topic. */
struct catalog *ctx_catalog(struct ctx *x);
/* Adds the shipped content to c (as reference content: not checked). */
int ctx_load_shipped(struct ctx *x, struct catalog *c, bool reference, struct diag *d);
/* Serves c's unchanged files from the parsed-content cache
 * ($XDG_CACHE_HOME/pydojo/catalog), when there is a cache folder. */
void ctx_use_cache(struct catalog *c);
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
 * loaded on first use. Each fault is printed once, as "pydojo: warning:
 * FILE:LINE:COL: FAULT", and the values at fault keep their defaults (all
 * of them when the file does not parse). Never NULL. */
struct settings *ctx_settings(struct ctx *x);
/* The time a command runs at (clock_now), into *now when not NULL: 0, or
 * 2 (a usage error) after printing why PYDOJO_NOW is not a time. */
int ctx_now(int64_t *now);

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

/* ---- helpers the commands share (context.c) ---- */

/* Whether long output goes through the pager: only to and from a terminal. */
bool cmd_paged(void);
/* Shows b, through the pager when cmd_paged(). */
void cmd_page(struct buf *b);
/* Prints "unknown topic" with the nearest id as a suggestion; returns 2. */
int cmd_unknown_topic(struct catalog *c, const char *id);
/* Completion helpers: every topic id; every demo id. */
enum cmd_complete_more cmd_complete_topics(const struct cmd_complete *c);
enum cmd_complete_more cmd_complete_demos(const struct cmd_complete *c);
/* Appends a double as JSON: 17 significant digits, null when not finite. */
void cmd_json_double(struct buf *b, double v);
/* Appends a time as a JSON string (UTC), null when out of range. */
void cmd_json_time(struct buf *b, int64_t t);
/* Formats t as local time with strftime's fmt. */
void cmd_fmt_local(int64_t t, char *out, size_t n, const char *fmt);
/* What the progress figures of `stats` and `topics` mean (mastery, right,
 * due), for those commands and `help stats`. */
extern const char cmd_stats_figures[];
/* Writes b to file ("-": standard output). Returns 0, or 3 after a
 * one-line error. shown is the file name as it may be shown. */
int cmd_write_out(const char *file, const char *shown, const struct buf *b);

/* ---- code exercises (practice.c) ---- */

/* Fills *job to run q's tests on code (borrowed) with hash seed seed, as
 * practice and interview run them; returns the tests' array the job points
 * at, which the caller frees after the run. */
struct exercise_test *cmd_exercise_job(const struct question *q, const char *code, unsigned long seed,
		struct exercise_job *job);
/* Whether q's tests may run without asking: shipped content, or a
 * --content folder the learner trusted (the trusted file). */
bool cmd_exercise_trusted(const struct ctx *x, const struct question *q);
/* The end of a review: when code exercises are due and ask, offers to
 * practise them now (as `practice` does, each in turn); a no, the end of
 * input, or !ask names them by topic instead. Returns the exit status as
 * practice's. */
int cmd_practice_due(struct ctx *x, bool ask);

#endif
