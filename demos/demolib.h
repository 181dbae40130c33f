/*
 * demolib: the small helper library every demo links.
 *
 * It gives a demo its command line (typed, bounded `--name value` and
 * `--name=value` parameters, `--help`, `--json`), clocks (monotonic wall time,
 * CPU time from getrusage, memory from /proc/self/status), its output (human
 * text on stdout, or exactly one JSON object on stdout with `--json`), a text
 * timeline (one row per thread, task or process, time bucketed into columns,
 * one character per state), SIGINT/SIGTERM handling (a flag, never a kill),
 * and forking children that cannot outlive the demo.  It deliberately does
 * not know any concept: no threads of its own, no event loop, no GIL.
 *
 * A demo reads like this:
 *
 *	int main(int argc, char **argv)
 *	{
 *		long threads = 4;
 *		int mode = 0;                    // index into modes[]
 *		bool fast = false;
 *		static const char *const modes[] = {"cpu", "io", NULL};
 *		struct demo_param params[] = {
 *			DEMO_ENUM("mode", &mode, modes, "which workload"),
 *			DEMO_INT("threads", &threads, 1, 16, "worker threads"),
 *			DEMO_FLAG("fast", &fast, "skip the slow part"),
 *			DEMO_PARAMS_END
 *		};
 *		struct demo d;
 *		demo_init(&d, "gil", "One line saying what it shows.", params,
 *			  argc, argv);            // exits 0 on --help, 2 on a bad parameter
 *		demo_print(&d, "running %ld threads\n", threads);
 *		double t0 = demo_now();
 *		...
 *		demo_json_num(&d, "speedup.gil", t1 / t2);   // nested: {"speedup": {"gil": ...}}
 *		return demo_finish(&d);          // prints the JSON; 0, or 130/143 when stopped
 *	}
 *
 * Rules the API keeps:
 * - Parameter defaults are the values the pointed-to variables hold when
 *   demo_init() is called; demo_init() overwrites them with what argv says.
 *   An int parameter is a `long`, a float a `double`, an enum an `int` index
 *   into a NULL-terminated array of names, a flag a `bool`.
 * - demo_init() exits the process: 0 after `--help` (usage on stdout), 2 after
 *   a bad, out-of-range or unknown parameter (one line on stderr:
 *   "demo-NAME: error: ...").  The parameters go into the JSON object under
 *   "params" (enum values as their names).
 * - Human output (demo_print, demo_progress, timelines) goes to stdout and is
 *   suppressed with `--json`, so stdout then holds exactly one JSON object.
 * - Strings passed in (names, summaries, labels, paths) are copied where
 *   stored, except the param table and enum arrays, which must outlive the
 *   `struct demo` (declare them in main or static).
 * - SIGINT and SIGTERM set a flag (handlers installed without SA_RESTART, so
 *   a blocking call in the thread that took the signal returns EINTR).  Loops
 *   poll demo_stopping(), clean up, and return demo_finish(), which then
 *   prints no JSON and returns 130 (SIGINT) or 143 (SIGTERM).
 * - Children come from demo_fork(), only from the main thread (the death
 *   signal follows the thread that forked): a child gets SIGKILL when the
 *   demo dies, has SIGINT/SIGTERM back at their default action, must end with
 *   _exit(), and must be reaped with demo_wait() or demo_kill_wait().
 * - The JSON and timeline functions are not thread-safe, except
 *   demo_timeline_add(), which worker threads may call concurrently.
 */
#ifndef DEMOLIB_H
#define DEMOLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

/* ---- memory ---- */

/*
 * Allocation that cannot fail: on out-of-memory these print "demo: out of
 * memory" on stderr and abort(), so callers never check for NULL.  A size of
 * zero allocates one byte.  xreallocarray() also aborts when n * size
 * overflows.  Not async-signal-safe: a forked child of a threaded demo must
 * allocate before fork() or not at all.
 */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);

/*
 * Grows an array p of *cap elements of `size` bytes so that it holds at least
 * `need` elements (doubling, starting at 8), and returns it; *cap is
 * updated.  Overflow aborts like out-of-memory.
 *
 *	v = demo_grow(v, &cap, n + 1, sizeof *v);
 *	v[n++] = x;
 */
void *demo_grow(void *p, size_t *cap, size_t need, size_t size);

/*
 * A growable string: start from {0}; the text is always NUL-terminated once
 * anything was added (s stays NULL until then).  demo_buf_release() frees it
 * and leaves an empty buffer.
 */
struct demo_buf {
	char *s;
	size_t len, cap;
};

void demo_buf_add(struct demo_buf *b, const void *p, size_t n);
void demo_buf_puts(struct demo_buf *b, const char *s);
void demo_buf_printf(struct demo_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void demo_buf_release(struct demo_buf *b);

/* ---- parameters ---- */

enum demo_param_type {
	DEMO_T_INT,     /* long, bounded by min..max */
	DEMO_T_FLOAT,   /* double, bounded by min..max */
	DEMO_T_ENUM,    /* int index into values[] */
	DEMO_T_FLAG,    /* bool; `--name` alone sets it, `--name=true|false` too */
};

struct demo_param {
	const char *name;               /* without the leading "--" */
	enum demo_param_type type;
	void *dest;                     /* long *, double *, int * or bool * */
	double min, max;                /* INT and FLOAT only, inclusive */
	const char *const *values;      /* ENUM only, NULL-terminated */
	const char *help;               /* one line */
};

#define DEMO_INT(name, dest, min, max, help) \
	{ (name), DEMO_T_INT, (long *)(dest), (min), (max), NULL, (help) }
#define DEMO_FLOAT(name, dest, min, max, help) \
	{ (name), DEMO_T_FLOAT, (double *)(dest), (min), (max), NULL, (help) }
#define DEMO_ENUM(name, dest, values, help) \
	{ (name), DEMO_T_ENUM, (int *)(dest), 0, 0, (values), (help) }
#define DEMO_FLAG(name, dest, help) \
	{ (name), DEMO_T_FLAG, (bool *)(dest), 0, 0, NULL, (help) }
#define DEMO_PARAMS_END { NULL, DEMO_T_INT, NULL, 0, 0, NULL, NULL }

struct demo_json_entry;

struct demo {
	const char *name;               /* the demo id; the program is demo-<name> */
	bool json;                      /* --json was given */
	bool tty;                       /* stdout is a terminal (and not --json) */
	/* private */
	struct demo_json_entry *entries;
	size_t nentries, cap;
	bool progress_open;
	int width;                      /* prose wraps to it (0: never, not a terminal) */
	struct demo_buf pending;        /* the line demo_print has not ended yet */
};

/*
 * Parses argv against params (ended by DEMO_PARAMS_END), installs the
 * SIGINT/SIGTERM handlers, records the parameters for the JSON object.
 * Exits 0 after --help, 2 after a bad parameter.  name and summary must be
 * string literals or otherwise outlive d.
 */
void demo_init(struct demo *d, const char *name, const char *summary,
	       const struct demo_param *params, int argc, char **argv);

/*
 * Ends the demo: with --json and not stopped, prints the JSON object on
 * stdout.  Frees what d holds.  Returns the exit status for main: 0, or
 * 130/143 when SIGINT/SIGTERM arrived.
 */
int demo_finish(struct demo *d);

/* ---- output ---- */

/* printf to stdout unless --json.  On a terminal, a line of prose (no run
 * of two spaces after its indent, no '|') longer than the terminal (at most
 * 100 columns) wraps between words under its own indent; tables and
 * timelines stay as they are, and so does everything in a pipe.  A line
 * is shown once it ends (or at the next progress line, timeline or
 * demo_finish). */
void demo_print(struct demo *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * A live progress line (no trailing newline needed): on a terminal it
 * rewrites the current line; otherwise (a pipe, a file) it prints nothing,
 * since a line updated in place means nothing there: the results follow
 * anyway.  Nothing with --json.  demo_print() ends an open progress line
 * first.
 */
void demo_progress(struct demo *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Figures for the JSON object.  path is dotted: "speedup.gil" becomes
 * {"speedup": {"gil": v}}.  Objects keep the order in which their first key
 * was set; setting the same path again replaces the value.  A non-finite
 * number is written as null.  demo_json_raw() stores already-encoded JSON
 * (an array, say) verbatim.  Setting values is allowed with or without
 * --json (it is cheap); only demo_finish() prints.
 */
void demo_json_num(struct demo *d, const char *path, double v);
void demo_json_int(struct demo *d, const char *path, long long v);
void demo_json_bool(struct demo *d, const char *path, bool v);
void demo_json_str(struct demo *d, const char *path, const char *s);
void demo_json_raw(struct demo *d, const char *path, const char *json);
/* An array of numbers, e.g. per-thread figures. */
void demo_json_nums(struct demo *d, const char *path, const double *v, size_t n);

/* ---- clocks and memory ---- */

/* Monotonic wall clock, seconds. */
double demo_now(void);

/*
 * CPU time (user + system) in seconds, from getrusage(who): RUSAGE_SELF (the
 * process), RUSAGE_THREAD (the calling thread), RUSAGE_CHILDREN (reaped
 * children).
 */
double demo_cpu_s(int who);

/* Sleeps ms milliseconds (resumes after EINTR unless demo_stopping()). */
void demo_sleep_ms(double ms);

/* Sleeps ms milliseconds in slices of at most 20 ms, returning early once
 * demo_stopping(): a simulated piece of work that a stop request cuts short. */
void demo_wait_ms(double ms);

/* The CLOCK_REALTIME time ms milliseconds from now, the absolute deadline
 * pthread_cond_timedwait() takes. */
struct timespec demo_deadline_ms(double ms);

/* v with thousands separators ("2,692,537") in buf (n bytes, truncated to
 * fit); returns buf. */
const char *demo_commas(long long v, char *buf, size_t n);

/*
 * A field of /proc/self/status in KiB, e.g. "VmRSS" or "VmHWM"; -1 when
 * missing.
 */
long demo_status_kib(const char *field);

/*
 * Resets this process's peak RSS (VmHWM) to its current RSS by writing "5"
 * to /proc/self/clear_refs.  Returns 0, or -1 when the kernel refuses.
 * (ru_maxrss is not reset by this; prefer VmHWM or a fresh child.)
 */
int demo_reset_hwm(void);

/* Median of v[0..n-1] (sorts v in place); 0 when n is 0. */
double demo_median(double *v, size_t n);

/* ---- signals and children ---- */

/* True once SIGINT or SIGTERM arrived.  Safe from any thread. */
bool demo_stopping(void);

/*
 * fork() for demos, from the main thread only.  In the child: PDEATHSIG is
 * SIGKILL, SIGINT/SIGTERM are back at their defaults, and the child exits at
 * once if the parent already died.  The child must end with _exit().
 * Returns what fork() returns (-1 with errno on failure).
 */
pid_t demo_fork(void);

/*
 * Waits for pid, retrying after EINTR.  While waiting, a stop request
 * (SIGINT/SIGTERM) kills the child with SIGKILL so the wait ends promptly.
 * Returns the wait status, or -1 on error.  cpu_s, when not NULL, receives
 * the child's user + system CPU time from wait4.
 */
int demo_wait(pid_t pid, double *cpu_s);

/* SIGKILL and reap; for cleanup paths.  Ignores pid <= 0. */
void demo_kill_wait(pid_t pid);

/* ---- timeline ---- */

/*
 * A timeline: rows (threads, tasks, processes) and segments [start, end)
 * of wall time (demo_now() seconds) with a state character each.  Drawing
 * buckets [t0, t1] into columns; a cell shows the state that covered most of
 * its bucket, or ' ' when none did.
 */
struct demo_timeline;

/* rows labels are set with demo_timeline_label(); t0 is the time origin. */
struct demo_timeline *demo_timeline_new(int rows, double t0);
void demo_timeline_label(struct demo_timeline *tl, int row, const char *label);

/* Thread-safe. Ignores a bad row or an empty segment. */
void demo_timeline_add(struct demo_timeline *tl, int row, double start,
		       double end, char state);

/*
 * Draws up to t1 (demo_now() seconds) in `width` columns (0: 60), with a
 * header axis and the legend line (e.g. "# holds the GIL, . waits").  On a
 * terminal too narrow for that, in fewer columns (each spanning more time),
 * the legend wrapped.  Nothing with --json.
 */
void demo_timeline_draw(struct demo *d, const struct demo_timeline *tl,
			double t1, int width, const char *legend);

void demo_timeline_free(struct demo_timeline *tl);

#endif
