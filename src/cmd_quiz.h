/*
 * cmd_quiz: the session commands `quiz`, `review`, `interview` and `undo`,
 * and ctx_settings() (commands.h). The flows themselves live in session.
 */
#ifndef PYDOJO_CMD_QUIZ_H
#define PYDOJO_CMD_QUIZ_H

#include <stddef.h>
#include <stdint.h>

struct ctx;
struct session_topic;

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

#endif
