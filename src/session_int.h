/*
 * session_int: what the session's files share (session.c runs a session,
 * session_pick.c chooses the questions, session_ask.c asks one and records
 * it, session_code.c asks an interview's code exercise, session_report.c
 * reports the run). Not for use outside them.
 */
#ifndef PYDOJO_SESSION_INT_H
#define PYDOJO_SESSION_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fsrs.h"
#include "session.h"
#include "store.h"
#include "util.h"

struct question;
struct quiz;
struct grade_result;

/* A learning card that comes due within this many seconds is asked again in
 * the same review session once nothing else is left (Anki's learn-ahead
 * limit). */
#define LEARN_AHEAD (20 * 60)

/* ---- the cards known to the store ---- */

struct known {
	char *id;
	struct store_card card;
};

struct cards {
	struct known *v;
	size_t n, cap;
};

/* One answered (or, in an interview, skipped) question. */
struct done {
	const struct question *q;
	bool correct, skipped;
	bool revealed;       /* `reveal`: shown the answer, recorded again */
	double seconds;
	size_t found, total;
	size_t fails_by;        /* text: grade_result's fails_by */
	bool *hits;          /* text: the points found (a new array) */
	char *answer;        /* the answer as recorded (a new string), or NULL */
	size_t *shown;       /* choice or order: the order shown (a new array), or NULL */
	bool recorded;
	int old_revision;    /* the card's revision before this answer (undo) */
	/* interview: the follow-up asked on key point fu_point of this answer
	 * (not a card: never recorded as a review), or FU_NONE */
	enum follow_up { FU_NONE, FU_MADE, FU_MISSED, FU_SKIPPED } fu;
	size_t fu_point;
	double fu_seconds;
	/* interview: a question asked in place of a follow-up, on point
	 * probe_point of the answer to probe_of (NULL: an ordinary draw) */
	const struct question *probe_of;
	size_t probe_point;
	char *failed;        /* a code exercise: its failing tests, or NULL */
	bool *contested;     /* interview text: the points contested after the report (a new array), or NULL */
};

struct draw_topic;

struct pending {
	const struct question *q;
	int64_t due;
};

struct session {
	const struct session_env *env;
	const struct session_opts *o;
	struct fsrs_rng rng;
	struct cards cards;
	int64_t id;
	double mono_start, deadline;
	const struct question **queue;
	size_t qhead, qlen, qcap;
	struct pending *pend;
	size_t npend, cappend;
	struct done *done;
	size_t ndone, capdone;
	size_t skipped, abandoned, shown;
	bool ended;          /* quit, Ctrl-D or end of input */
	bool failed;         /* the store failed */
	bool timed_out;
	struct draw_topic *draw;         /* interview: the topics and their weights */
	size_t ndraw;
	const struct question **asked;   /* interview: questions drawn so far */
	size_t nasked, capasked;
	size_t ntext;                    /* interview: text questions among them */
	bool text_short;                 /* interview: a draw wanted text and the pool had none left */
	int64_t started_at;              /* the session's start (clock_now) */
	bool saved;                      /* the session row exists (an interview starts it at its first answer) */
	const struct question *exercise; /* interview: the code exercise still to ask, or NULL */
};

enum ask_result { ASKED, ASK_SKIPPED, ASK_ABANDONED, ASK_UNDONE, ASK_END };

/* session.c */
bool session_interview(const struct session *s);

/* session_pick.c: the cards, the queue and the choice of the next question */
int session_cards_load(struct cards *c, struct store *st, char **err);
void session_cards_release(struct cards *c);
const struct store_card *session_cards_find(const struct cards *c, const char *id);
struct store_card *session_cards_find_mut(struct cards *c, const char *id);
bool session_revised_since(const struct question *q, const struct store_card *c);
int64_t session_due_of(const struct question *q, const struct store_card *c, int64_t now);
const char *session_topic_of(const struct question *q);
void session_queue_push(struct session *s, const struct question *q);
void session_queue_push_front(struct session *s, const struct question *q);
void session_pending_remove(struct session *s, const struct question *q);
void session_build_quiz(struct session *s, const struct quiz *qz, int64_t now);
void session_build_list(struct session *s);
int session_build_review(struct session *s, int64_t now, int64_t *new_left);
int session_build_interview(struct session *s, int64_t now);
/* Picks the interview's code exercise (s->exercise) among the drawn
 * topics' short ones that may run, when the caller runs code. */
void session_pick_exercise(struct session *s);
/* session_code.c: asks s->exercise (and clears it) once enough questions
 * are done; nothing before. */
void session_ask_exercise(struct session *s);
const struct question *session_next_question(struct session *s);
void session_mark_asked(struct session *s, const struct question *q);
const struct question *session_same_section(struct session *s, const struct question *q, size_t point);

/* session_ask.c: the interview clock, asking one question, recording it */
void session_clock_arm(double seconds, struct sigaction *old);
void session_clock_disarm(const struct sigaction *old);
bool session_time_is_up(void);
void session_store_failed(struct session *s, char *err);
int session_record_card(struct session *s, const char *id, const char *topic, int revision, enum fsrs_rating g,
		bool correct, double score, double seconds, const char *answer, struct fsrs_card *after);
int session_save(struct session *s);
enum ask_result session_ask(struct session *s, const struct question *q, const struct question **undone);
enum ask_result session_ask_follow_up(struct session *s, size_t parent, size_t point);
/* After an interview's report: `c Q N` contests missed key point N of the
 * text answer to question Q (as numbered in the report), until Enter, q,
 * Ctrl-C or the end of input. Each contest is kept as a dispute; the
 * interview's score and reviews stay as graded. */
void session_contest_interview(struct session *s);

/* session_report.c: the end of a run */
char *session_results_json(const struct session *s, double seconds);
void session_print_summary(const struct session *s);
size_t session_count_correct(const struct session *s);
size_t session_count_answered(const struct session *s);
void session_print_report(const struct session *s, double seconds);

/* shared output helpers (session_report.c) */
void session_flush_buf(struct buf *b);
void session_put_styled(struct buf *b, const struct session *s, enum render_style st, const char *text);
void session_put_item(struct buf *b, const struct session *s, const char *label, const char *md);
void session_put_md(struct buf *b, const struct session *s, const char *md, int indent);
void session_format_clock(char *buf, size_t size, double seconds);
void session_format_taken(char *buf, size_t size, double seconds);
void session_put_answer(struct buf *b, const struct session *s, const struct question *q, const size_t *shown);
void session_choice_label(char *label, size_t size, const struct question *q, size_t i);
size_t session_shown_at(const struct question *q, const size_t *shown, size_t i);
/* session_credit.c: what was right in a wrong answer (answer as recorded;
 * shown as for session_put_answer; every line starts with indent) */
void session_put_credit(struct buf *b, const struct session *s, const struct question *q, const char *answer,
		const size_t *shown, const char *indent);
void session_put_read(struct buf *b, const struct question *q, const struct rubric_point *p, const char *indent);
/* Appends lead (already styled) then point (control characters shown as
 * text), wrapped to the terminal with the next lines indented by hang. */
void session_put_point(struct buf *b, const struct session *s, const char *lead, const char *point, int hang);

#endif
