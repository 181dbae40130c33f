/*
 * session_code: the code exercise an interview may ask. Once
 * SESSION_EXERCISE_AFTER questions are done, the exercise picked at the
 * start (session_pick_exercise) is shown with its starter and a time
 * budget; the learner pastes the code (lines until one holding only '.',
 * or `skip`), the caller runs the tests (struct session_code), and the
 * answer is graded passed or failed, recorded as a review rated good or
 * again like any interview answer, and reported with its failing tests.
 * Ctrl-C abandons it (nothing recorded); the end of input ends the
 * interview.
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "clock.h"
#include "session_int.h"
#include "util.h"

enum paste { PASTE_DONE, PASTE_SKIP, PASTE_INTR, PASTE_END };

/* Reads the pasted code into code, up to the line '.'. */
static enum paste read_paste(struct session *s, struct buf *code)
{
	for (bool first = true;; first = false) {
		char *line = NULL;
		fflush(stdout);
		enum session_read rr = s->env->read(s->env->read_arg, first ? "code> " : "...> ", &line);
		if (session_time_is_up()) {
			free(line);
			s->timed_out = true;
			return PASTE_END;
		}
		if (rr != SESSION_LINE) {
			free(line);
			return rr == SESSION_INTR ? PASTE_INTR : PASTE_END;
		}
		const char *w = line + strspn(line, " \t");
		bool dot = strcmp(line, ".") == 0;
		bool skip = first && strncmp(w, "skip", 4) == 0 && w[4 + strspn(w + 4, " \t")] == '\0';
		if (!dot && !skip) {
			buf_puts(code, line);
			buf_addc(code, '\n');
		}
		free(line);
		if (dot)
			return PASTE_DONE;
		if (skip)
			return PASTE_SKIP;
	}
}

static void show_exercise(struct session *s, const struct question *q)
{
	struct buf b;
	buf_init(&b);
	s->shown++;
	char head[96], left[32];
	session_format_clock(left, sizeof left, s->deadline - clock_mono());
	snprintf(head, sizeof head, "[%zu · %s left · code exercise, budget %d:00]", s->shown, left,
	         SESSION_EXERCISE_MINUTES);
	buf_addc(&b, '\n');
	session_put_styled(&b, s, STYLE_BOLD, head);
	buf_printf(&b, " %s (%s, %s)\n", q->id, session_topic_of(q), qtype_names[q->type]);
	session_put_md(&b, s, q->prompt ? q->prompt : "", 2);
	if (q->starter) {
		buf_puts(&b, "  starter:\n");
		render_code(&b, q->starter, "python", 4, &s->env->ro);
		if (b.len && b.data[b.len - 1] != '\n')
			buf_addc(&b, '\n');
	}
	buf_puts(&b, "  Paste your code, then a line with only '.' ('skip' gives it up).\n");
	session_flush_buf(&b);
	buf_release(&b);
}

/* Records the run's verdict as the interview's answer to q. */
static void record_run(struct session *s, const struct question *q, bool passed, char *failed, const char *code,
                       double secs)
{
	struct fsrs_card after;
	if (session_record_card(s, q->id, session_topic_of(q), q->revised, passed ? FSRS_GOOD : FSRS_AGAIN, passed, NAN,
	                        secs, code, &after) < 0) {
		free(failed);
		return;
	}
	struct store_card *known = session_cards_find_mut(&s->cards, q->id);
	if (known)
		known->revision = q->revised;
	GROW(s->done, s->capdone, s->ndone + 1);
	struct done *d = &s->done[s->ndone++];
	memset(d, 0, sizeof *d);
	*d = (struct done){.q = q, .correct = passed, .seconds = secs, .found = passed, .total = 1,
	                   .answer = xstrdup(code), .recorded = true, .failed = failed};
	char t[32];
	session_format_taken(t, sizeof t, secs);
	printf("  answered in %s%s\n", t,
	       secs > SESSION_EXERCISE_MINUTES * 60.0 ? " (over the budget)" : "");
}

void session_ask_exercise(struct session *s)
{
	const struct question *q = s->exercise;
	if (!q || s->ended || s->failed || session_time_is_up() || s->ndone < SESSION_EXERCISE_AFTER)
		return;
	s->exercise = NULL;
	/* Asked as a drawn question is: the draw keeps text at half of them. */
	session_mark_asked(s, q);
	show_exercise(s, q);
	double t0 = clock_mono();
	struct buf code;
	buf_init(&code);
	enum paste got = read_paste(s, &code);
	double secs = clock_mono() - t0;
	if (got == PASTE_END) {
		s->ended = true;
	} else if (got == PASTE_INTR) {
		printf("  abandoned (nothing recorded)\n");
		s->abandoned++;
	} else if (got == PASTE_SKIP) {
		s->skipped++;
		GROW(s->done, s->capdone, s->ndone + 1);
		s->done[s->ndone++] = (struct done){.q = q, .skipped = true, .seconds = secs, .total = 1};
		printf("  skipped\n");
	} else {
		bool passed = false;
		char *failed = NULL;
		printf("running %zu test%s...\n", q->ntests, q->ntests == 1 ? "" : "s");
		fflush(stdout);
		int rc = s->o->code->run(s->o->code->arg, q, code.data ? code.data : "", &passed, &failed);
		if (rc == 0) {
			record_run(s, q, passed, failed, code.data ? code.data : "", secs);
		} else {
			free(failed);
			printf("  not run (nothing recorded)\n");
			if (rc > 0)
				s->abandoned++;
		}
	}
	buf_release(&code);
}
