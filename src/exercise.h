/*
 * exercise: runs a learner's Python solution against an exercise's tests,
 * through the runner's safety (its own process group, made the terminal's
 * foreground; a time limit; Ctrl-C stops it and nothing is left running) and
 * limits of its own:
 *   - a fresh temporary folder (mode 0700) as working folder and HOME,
 *     holding solution.py, the tests and the harness; removed afterwards;
 *   - RLIMIT_FSIZE (EXERCISE_FSIZE_MAX), RLIMIT_DATA (EXERCISE_DATA_MAX:
 *     RLIMIT_AS would count glibc's per-thread arenas and stop a correct
 *     many-thread solution), no core files;
 *   - processes: in a new user and PID namespace where the kernel allows it
 *     (the harness's init is the namespace's init: when it ends, every
 *     descendant does, a start_new_session one too); as root, always as uid
 *     and gid 65534 (RLIMIT_NPROC is not enforced for root); and
 *     RLIMIT_NPROC at that user's current count of tasks plus
 *     EXERCISE_NPROC_HEADROOM;
 *   - a minimal environment: PATH, LANG=C.UTF-8, PYTHONHASHSEED,
 *     PYTHONDONTWRITEBYTECODE=1, HOME.
 * Python runs as `PYTHON -s -P harness.py` (share/harness.py of the data
 * folder; without -P on Python 3.10 and older, which lack it). The harness reports on a results file, never on stdout: what the
 * code prints (stdout and stderr together) is the learner's, kept up to
 * EXERCISE_OUTPUT_MAX bytes.
 *
 * It does not know the catalog, the store or the terminal's printing: it
 * takes plain strings and prints nothing.
 *
 * Ownership: the result's strings and outcomes are heap memory, freed by
 * exercise_result_release(); the job's strings are borrowed for the call.
 */
#ifndef PYDOJO_EXERCISE_H
#define PYDOJO_EXERCISE_H

#include <stdbool.h>
#include <stddef.h>

#include "fsrs.h"
#include "util.h"

#define EXERCISE_OUTPUT_MAX (64u << 10)
#define EXERCISE_DATA_MAX (2ul << 30)
#define EXERCISE_FSIZE_MAX (64ul << 20)
/* Threads count as tasks for RLIMIT_NPROC: room for a 200-thread solution. */
#define EXERCISE_NPROC_HEADROOM 256
#define EXERCISE_NOBODY 65534

/* How the run's processes were held in. AUTO (a job's default) picks
 * NAMESPACE where the kernel allows it, else NOBODY as root, else NPROC;
 * the others force one (tests). */
enum exercise_mode {
	EXERCISE_MODE_AUTO = 0,
	EXERCISE_MODE_NAMESPACE,   /* user and PID namespace (as uid 65534 when root) */
	EXERCISE_MODE_NOBODY,      /* root: uid and gid 65534 */
	EXERCISE_MODE_NPROC,       /* not root: RLIMIT_NPROC only */
};

struct exercise_test {
	const char *name, *code;
};

struct exercise_job {
	const char *python;        /* NULL: PYDOJO_PYTHON, else "python3" on PATH */
	const char *solution;      /* the learner's source text */
	const struct exercise_test *tests;
	size_t ntests;
	double timeout_s;          /* the whole run; 0 or less: 10 s */
	unsigned long hash_seed;   /* PYTHONHASHSEED (taken modulo 2^32) */
	int python_minor;          /* the oldest Python 3.N accepted, 0 any: older -> result.too_old */
	enum exercise_mode mode;   /* 0: automatic */
	const char *harness;       /* NULL: share/harness.py of the data folder */
	bool no_terminal;          /* never hand the terminal over (tests) */
};

struct exercise_outcome {
	bool passed;
	bool ran;                  /* false: the run ended before this test reported */
	char *message;             /* "" when passed */
	int line;                  /* in solution.py, 0 unknown */
};

struct exercise_result {
	struct exercise_outcome *outcomes;  /* one per test, in order */
	size_t n;
	struct buf output;         /* stdout and stderr, at most EXERCISE_OUTPUT_MAX bytes */
	bool timed_out, interrupted, output_capped, too_old;
	bool crashed;              /* the harness did not finish: error says why */
	char *error;               /* a whole-run problem (a SyntaxError in the solution, ...) or NULL */
	int error_line;            /* its line in solution.py, 0 unknown */
	int python_minor;          /* the Python that ran: 3.N, 0 unknown */
	enum exercise_mode mode;   /* the one used */
	double wall_s;
};

/*
 * Runs the job. Returns 0 when it ran, whatever the tests did (see out), or
 * -1 when it could not run at all (no Python, no harness, no temporary
 * folder), with *err one line; caller frees. out is always initialized and
 * must be released.
 */
int exercise_run(const struct exercise_job *job, struct exercise_result *out, char **err);
void exercise_result_release(struct exercise_result *r);

/* The rating to suggest: every test passed at the first attempt without a
 * hint: Good; passed after retries or hints: Hard; otherwise Again. */
enum fsrs_rating exercise_suggest(bool all_passed, int attempts, int hints_used);

/* "namespace", "nobody", "nproc" (or "auto"). */
const char *exercise_mode_name(enum exercise_mode m);

#endif
