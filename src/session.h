/*
 * session: the quiz, review and interview flows. A session picks questions
 * (due cards, new cards, weak cards), asks each one through its line input,
 * grades it (grade), shows the verdict, explanation and key points, takes a
 * rating (suggesting one from the result), schedules the card (fsrs) and
 * records it (store), one transaction per answered question. It prints to
 * stdout as commands do; reasons for refused answers go to stdout too, since
 * they are part of the conversation.
 *
 * Keys during a question: an answer, `hint`, `skip` (defer: nothing is
 * recorded, but an interview counts it missed), `reveal` (the answer shown,
 * recorded as again; not in an interview), `?`, `quit`, and `undo` right
 * after a rating. The end of a run lists every question missed with its
 * right answer and explanation. Ctrl-C abandons the question in hand (nothing
 * is recorded for it); Ctrl-D, or the end of input, ends the session.
 *
 * It does not parse the command line, open the store, load settings or own
 * the line input (a callback): the caller hands them in (struct session_env, borrowed
 * for the call). Questions whose card exists but which left the catalog are
 * never asked; questions without a card are new.
 *
 * A demo's predictions (`demo ID --predict`) are cards too: the demo asks
 * and grades them, and session_record_predictions() records them through
 * the same scheduling and store path as an answer here.
 */
#ifndef PYDOJO_SESSION_H
#define PYDOJO_SESSION_H

/* The longest answer graded (a longer one is refused and asked again): far
 * beyond any real answer, and small enough that grading one stays within
 * milliseconds. */
#define SESSION_ANSWER_MAX (16 * 1024)

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fsrs.h"
#include "render.h"
#include "store.h"
#include "util.h"

struct catalog;
struct demo;
struct question;

/* How a session reads a line of input: SESSION_LINE with *line a new
 * string (caller frees), SESSION_EOF at the end of input, SESSION_INTR when
 * Ctrl-C interrupted the read (both with *line NULL). */
enum session_read { SESSION_LINE, SESSION_EOF, SESSION_INTR };
typedef enum session_read (*session_read_fn)(void *arg, const char *prompt, char **line);

/* What a session runs against, all borrowed. */
struct session_env {
	struct catalog *cat;
	struct store *st;
	session_read_fn read;        /* its line input, called with read_arg */
	void *read_arg;
	struct render_opts ro;
	struct fsrs_params params;   /* retention and fuzz already set */
	uint64_t seed;               /* every random choice: order, shuffles, fuzz */
};

/* interview: the one code exercise it may ask, run by the caller (the
 * session does not run code). An exercise is short when its starter and its
 * solution have under SESSION_EXERCISE_LINES lines each; it is asked once
 * SESSION_EXERCISE_AFTER questions are done, with a budget of
 * SESSION_EXERCISE_MINUTES shown. */
#define SESSION_EXERCISE_LINES 15
#define SESSION_EXERCISE_AFTER 3
#define SESSION_EXERCISE_MINUTES 5
struct session_code {
	/* Whether q's tests may run here (its content is trusted). */
	bool (*allowed)(void *arg, const struct question *q);
	/* Runs q's tests on code. Returns 0 with *passed, and *failed a new
	 * string: the failing tests' names, or what stopped the run, "" when
	 * passed; 1 when Ctrl-C stopped it; -1 when it could not run (the error
	 * printed). */
	int (*run)(void *arg, const struct question *q, const char *code, bool *passed, char **failed);
	void *arg;
};

struct session_opts {
	enum store_session_kind kind;
	const char *topic;           /* quiz: the topic */
	const char *tag;             /* quiz: only the topic's questions carrying it; NULL: all */
	const struct question *const *questions; /* quiz: these, in this order, instead of a topic's */
	size_t nquestions;
	size_t count;                /* quiz: questions to ask (-n) */
	int new_limit;               /* review: new cards a day */
	double minutes;              /* interview: length */
	const char *const *topics;   /* interview: topics to draw from; NULL: all */
	size_t ntopics;
	const struct session_code *code; /* interview: NULL asks no exercise */
	bool *ended;                     /* set when quit or the end of input ended it */
};

/* Runs one session. Returns 0 when it ran (whatever the score), 3 when the
 * store failed (after printing the error). */
int session_run(const struct session_env *env, const struct session_opts *o);

/* One prediction of `demo ID --predict`: a review of the card of the
 * demo's predict question id, under the demo's first topic. */
struct session_prediction {
	const char *id;              /* the predict question's id */
	const char *topic;
	const char *answer;          /* the choice predicted, as its letter */
	bool correct;                /* the measurement held the prediction */
	double seconds;              /* taken to answer */
	int64_t due;                 /* set when recorded: the card's next review */
};

/* Records n predictions as one session of kind STORE_PREDICT, each a
 * review rated good when right and again when wrong, scheduled and stored
 * as a quiz answer is (env's line input is not used). Returns 0, or 3 when
 * the store failed (after printing the error; the predictions recorded
 * before it are kept). */
int session_record_predictions(const struct session_env *env, struct session_prediction *v, size_t n);

/* A run of `practice`: its code exercises solved or given up, recorded as
 * reviews in one session of kind STORE_PRACTICE. */
struct session_practice {
	int64_t id;                  /* the session's row; 0 until the first record */
	int64_t started;
	size_t recorded, solved;
	double seconds;
	struct buf questions;        /* the results' "questions" entries so far */
};

/* Records the end of exercise q in p: a review of its card rated g (the
 * suggested rating), correct when solved, with the learner's code as the
 * answer, taken seconds over runs runs and hints hints; *due gets the
 * card's next review. The session row is made at the first record and
 * ended again after each, so whatever stops the run leaves it whole.
 * Returns 0, or 3 after printing the store's error. */
int session_record_practice(const struct session_env *env, struct session_practice *p, const struct question *q,
		enum fsrs_rating g, bool solved, double seconds, int runs, int hints, const char *code, int64_t *due);
void session_practice_release(struct session_practice *p);

/* The demo whose predict questions include id, or NULL. A predict card is
 * never asked by quiz or review (it is asked by `demo ID --predict`), but
 * it is due as any card: it counts in its topic's due cards and review
 * names it at its end. */
const struct demo *session_predict_demo(const struct catalog *cat, const char *id);

/* The due predict cards of one demo. */
struct session_predict_due {
	const struct demo *dm;       /* borrowed from the catalog */
	size_t due;
};

/* Fills *out with the demos that have predict cards due at now, in
 * catalog order (a new array of *n entries; caller frees). Returns 0, or
 * -1 with *err set (a new string). */
int session_predictions_due(struct catalog *cat, struct store *st, int64_t now, struct session_predict_due **out,
		size_t *n, char **err);

/* Per-topic progress, for `topics`, the banner and the interview draw. */
struct session_topic {
	const char *topic;           /* borrowed from the catalog */
	size_t questions;            /* in the catalog */
	size_t seen;                 /* questions with a card */
	size_t due;                  /* cards due at now, the topic's due predict cards included */
	double mastery;              /* mean retrievability over every question (unseen: 0) */
};

/* Fills *out with one entry per lesson, in catalog order (a new array of
 * *n entries; caller frees). Cards of questions that left the catalog are
 * ignored. Returns 0, or -1 with *err set (a new string). */
int session_topics(struct catalog *cat, struct store *st, const struct fsrs_params *p, int64_t now,
		struct session_topic **out, size_t *n, char **err);

/* The earliest due time after now among the catalog's cards, or
 * STORE_NO_TIME when no card is waiting. */
int session_next_due(struct catalog *cat, struct store *st, int64_t now, int64_t *next, char **err);

/* How far back a lapse counts as missed (quiz --missed). */
#define SESSION_MISSED_DAYS 7

/* The questions to drill (quiz --missed): the cards answered wrong in the
 * last session (the session of the latest review), or rated again in the
 * last SESSION_MISSED_DAYS days, unless answered right since; of topic
 * (NULL: every topic), in catalog order. Sets *out to a new array of *n
 * borrowed questions (caller frees). Returns 0, or -1 with *err set. */
int session_missed(struct catalog *cat, struct store *st, int64_t now, const char *topic,
		const struct question ***out, size_t *n, char **err);

/* Writes a duration of seconds as "45s", "12m", "3h", "2d" (rounded). */
void session_format_wait(char *buf, size_t size, int64_t seconds);

#endif
