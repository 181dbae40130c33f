/*
 * session: quiz, review and interview flows. One struct session per run:
 * the cards known at the start (a sorted array keyed on question id), a
 * queue of questions, the learning cards waiting to come back (review), and
 * one record per answered question for the score, undo and the report.
 * This file runs a session; choosing the questions is session_pick.c,
 * asking one session_ask.c, the end of the run session_report.c.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "catalog.h"
#include "clock.h"
#include "grade.h"
#include "session_int.h"
#include "util.h"

bool session_interview(const struct session *s)
{
	return s->o->kind == STORE_INTERVIEW;
}

/* ---- the session ---- */

static void session_release(struct session *s)
{
	session_cards_release(&s->cards);
	for (size_t i = 0; i < s->ndone; i++) {
		free(s->done[i].hits);
		free(s->done[i].answer);
		free(s->done[i].shown);
		free(s->done[i].failed);
		free(s->done[i].contested);
	}
	free(s->done);
	free(s->queue);
	free(s->pend);
	free(s->draw);
	free(s->asked);
}

static void say_nothing_due(struct session *s, int64_t now, int64_t new_left)
{
	int64_t next;
	char *err = NULL;
	if (session_next_due(s->env->cat, s->env->st, now, &next, &err) < 0) {
		session_store_failed(s, err);
		return;
	}
	printf("nothing due");
	if (next != STORE_NO_TIME) {
		char w[32];
		session_format_wait(w, sizeof w, next - now);
		printf(" — next card due in %s", w);
	}
	if (new_left == 0 && s->o->new_limit > 0)
		printf("; today's %d new cards are done", s->o->new_limit);
	else if (next == STORE_NO_TIME)
		printf(" — no cards yet; start with 'quiz TOPIC' (see 'topics')");
	printf("\n");
}

/* The close of a review: the predict cards due, which review cannot ask
 * (they are asked by the demo, after predicting, then measuring). Nothing
 * once the store failed. */
static void say_predictions_due(struct session *s, int64_t now)
{
	if (s->failed)
		return;
	struct session_predict_due *v;
	size_t n;
	char *err = NULL;
	if (session_predictions_due(s->env->cat, s->env->st, now, &v, &n, &err) < 0) {
		session_store_failed(s, err);
		return;
	}
	for (size_t i = 0; i < n; i++)
		printf("%zu prediction%s due: run 'demo %s --predict'\n", v[i].due, v[i].due == 1 ? "" : "s", v[i].dm->id);
	free(v);
}

/* The end of a review: what comes next, once every card is done, and the
 * predictions due. */
static void close_review(struct session *s)
{
	if (s->qhead >= s->qlen && s->npend == 0 && !s->ended)
		say_nothing_due(s, clock_now(), -1);
	say_predictions_due(s, clock_now());
}

/* The results JSON of a predict session, as a quiz's holds them. */
static char *predictions_json(const struct session_prediction *v, size_t n, size_t recorded, double seconds)
{
	struct buf b;
	buf_init(&b);
	size_t correct = 0;
	for (size_t i = 0; i < recorded; i++)
		correct += v[i].correct;
	buf_printf(&b, "{\"asked\": %zu, \"correct\": %zu, \"score\": %.4f, \"seconds\": %.1f, \"topics\": {", recorded,
	           correct, recorded ? (double)correct / (double)recorded : 0.0, seconds);
	if (recorded) {
		buf_json_str(&b, v[0].topic);
		buf_printf(&b, ": {\"asked\": %zu, \"correct\": %zu, \"score\": %.4f}", recorded, correct,
		           (double)correct / (double)recorded);
	}
	buf_puts(&b, "}, \"missed\": [], \"questions\": [");
	for (size_t i = 0; i < recorded; i++) {
		buf_puts(&b, i ? ", {\"question\": " : "{\"question\": ");
		buf_json_str(&b, v[i].id);
		buf_puts(&b, ", \"topic\": ");
		buf_json_str(&b, v[i].topic);
		buf_printf(&b, ", \"correct\": %s, \"skipped\": false, \"seconds\": %.1f}", v[i].correct ? "true" : "false",
		           v[i].seconds);
	}
	buf_printf(&b, "], \"skipped\": 0, \"ended\": \"%s\"}", recorded == n ? "done" : "quit");
	return buf_detach(&b);
}

int session_record_predictions(const struct session_env *env, struct session_prediction *v, size_t n)
{
	if (n == 0)
		return 0;
	struct session_opts o = {.kind = STORE_PREDICT};
	struct session s;
	memset(&s, 0, sizeof s);
	s.env = env;
	s.o = &o;
	fsrs_rng_init(&s.rng, env->seed);
	char *err = NULL;
	int64_t start = clock_now();
	if (store_session_start(env->st, STORE_PREDICT, start, &s.id, &err) < 0) {
		session_store_failed(&s, err);
		return 3;
	}
	s.saved = true;
	size_t done = 0;
	double seconds = 0;
	for (; done < n; done++) {
		struct fsrs_card after;
		if (session_record_card(&s, v[done].id, v[done].topic, 0, v[done].correct ? FSRS_GOOD : FSRS_AGAIN,
		                        v[done].correct, NAN, v[done].seconds, v[done].answer, &after) < 0)
			break;
		v[done].due = after.due;
		seconds += v[done].seconds;
	}
	char *json = predictions_json(v, n, done, seconds);
	size_t correct = 0;
	for (size_t i = 0; i < done; i++)
		correct += v[i].correct;
	double score = done ? (double)correct / (double)done : NAN;
	if (store_session_end(env->st, s.id, clock_now(), json, score, &err) < 0 && !s.failed)
		session_store_failed(&s, err);
	else
		free(err);
	free(json);
	return s.failed ? 3 : 0;
}

/* The results JSON of a practice session so far. */
static char *practice_json(const struct session_practice *p)
{
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "{\"asked\": %zu, \"correct\": %zu, \"score\": %.4f, \"seconds\": %.1f, \"questions\": [",
	           p->recorded, p->solved, p->recorded ? (double)p->solved / (double)p->recorded : 0.0, p->seconds);
	buf_add(&b, p->questions.data ? p->questions.data : "", p->questions.len);
	buf_printf(&b, "], \"skipped\": %zu}", p->recorded - p->solved);
	return buf_detach(&b);
}

int session_record_practice(const struct session_env *env, struct session_practice *p, const struct question *q,
		enum fsrs_rating g, bool solved, double seconds, int runs, int hints, const char *code, int64_t *due)
{
	struct session_opts o = {.kind = STORE_PRACTICE};
	struct session s;
	memset(&s, 0, sizeof s);
	s.env = env;
	s.o = &o;
	fsrs_rng_init(&s.rng, env->seed ^ (uint64_t)p->recorded);
	if (!p->id)
		p->started = clock_now();
	s.id = p->id;
	s.saved = p->id != 0;
	s.started_at = p->started;
	struct fsrs_card after;
	if (session_record_card(&s, q->id, session_topic_of(q), q->revised, g, solved, NAN, seconds, code, &after) < 0) {
		p->id = s.id;
		return 3;
	}
	p->id = s.id;
	*due = after.due;
	p->recorded++;
	p->solved += solved;
	p->seconds += seconds;
	buf_puts(&p->questions, p->recorded > 1 ? ", {\"question\": " : "{\"question\": ");
	buf_json_str(&p->questions, q->id);
	buf_puts(&p->questions, ", \"topic\": ");
	buf_json_str(&p->questions, session_topic_of(q));
	buf_printf(&p->questions, ", \"correct\": %s, \"runs\": %d, \"hints\": %d, \"seconds\": %.1f}",
	           solved ? "true" : "false", runs, hints, seconds);
	char *json = practice_json(p), *err = NULL;
	int rc = 0;
	if (store_session_end(env->st, p->id, clock_now(), json, (double)p->solved / (double)p->recorded, &err) < 0) {
		session_store_failed(&s, err);
		rc = 3;
	}
	free(json);
	return rc;
}

void session_practice_release(struct session_practice *p)
{
	buf_release(&p->questions);
}

/* interview: the question asked in place of a follow-up, waiting to be
 * answered, and the point of the answer it probes. */
struct probe {
	const struct question *q, *of;
	size_t point;
};

/* interview, after an answer: a question asked in place of a follow-up
 * takes note of what it probes; a text answer that missed a key point is
 * followed up on the first missed point that has a follow_up (asked at
 * once, graded on that point alone), else on the first missed point
 * taught in a section another text question not asked yet comes from
 * (that question is asked next, as an ordinary one). One follow-up per
 * answer, so at most one per point, and none of a follow-up. */
static void follow_up(struct session *s, struct probe *pr)
{
	struct done *d = &s->done[s->ndone - 1];
	bool probe = pr->q && d->q == pr->q;
	if (probe) {
		d->probe_of = pr->of;
		d->probe_point = pr->point;
	}
	pr->q = NULL;   /* a probe abandoned (Ctrl-C) probes nothing */
	if (probe)
		return;
	const struct question *q = d->q;
	if (q->type != Q_TEXT || d->skipped || !d->hits || s->ended || session_time_is_up())
		return;
	for (size_t k = 0; k < q->nrubric; k++)
		if (!d->hits[k] && q->rubric[k].follow_up) {
			session_ask_follow_up(s, s->ndone - 1, k);
			return;
		}
	for (size_t k = 0; k < q->nrubric && !pr->q; k++) {
		const struct question *n = d->hits[k] ? NULL : session_same_section(s, q, k);
		if (!n)
			continue;
		session_mark_asked(s, n);
		session_queue_push_front(s, n);
		*pr = (struct probe){n, q, k};
	}
}

/* Ends the session's row, when it has one, with its results and score
 * (right among those answered). */
static void end_session(struct session *s, double seconds)
{
	if (s->o->ended)
		*s->o->ended = s->ended;
	if (!s->saved)
		return;
	char *err = NULL, *json = session_results_json(s, seconds);
	size_t answered = session_count_answered(s);
	double score = answered ? (double)session_count_correct(s) / (double)answered : NAN;
	/* After a failed answer, its error is the one to show. */
	if (store_session_end(s->env->st, s->id, clock_now(), json, score, &err) < 0 && !s->failed)
		session_store_failed(s, err);
	else
		free(err);
	free(json);
}

int session_run(const struct session_env *env, const struct session_opts *o)
{
	struct session s;
	memset(&s, 0, sizeof s);
	s.env = env;
	s.o = o;
	fsrs_rng_init(&s.rng, env->seed);
	char *err = NULL;
	int64_t now = clock_now();
	if (session_cards_load(&s.cards, env->st, &err) < 0) {
		session_store_failed(&s, err);
		session_release(&s);
		return 3;
	}
	int64_t new_left = 0;
	if (o->kind == STORE_QUIZ && o->questions) {
		session_build_list(&s);
	} else if (o->kind == STORE_QUIZ) {
		const struct lesson *ls = catalog_lesson(env->cat, o->topic);
		if (ls && ls->quiz)
			session_build_quiz(&s, ls->quiz, now);
	} else if (o->kind == STORE_REVIEW) {
		session_build_review(&s, now, &new_left);
	} else {
		session_build_interview(&s, now);
	}
	if (s.failed) {
		session_release(&s);
		return 3;
	}
	if (o->kind == STORE_REVIEW && s.qlen == 0) {
		say_nothing_due(&s, now, new_left);
		say_predictions_due(&s, now);
		session_release(&s);
		return s.failed ? 3 : 0;
	}
	if ((o->kind == STORE_QUIZ && s.qlen == 0) || (o->kind == STORE_INTERVIEW && s.ndraw == 0)) {
		printf("no questions to ask\n");
		session_release(&s);
		return 0;
	}
	s.started_at = now;
	if (o->kind != STORE_INTERVIEW && session_save(&s) < 0) {
		session_release(&s);
		return 3;
	}
	s.mono_start = clock_mono();
	struct sigaction old_alarm;
	if (o->kind == STORE_INTERVIEW) {
		s.deadline = s.mono_start + o->minutes * 60;
		char t[32];
		session_format_clock(t, sizeof t, o->minutes * 60);
		printf("Mock interview: %s on the clock, questions from %zu topic%s. No hints and no ratings: "
		       "your answers rate themselves. 'quit' ends it early.\n",
		       t, s.ndraw, s.ndraw == 1 ? "" : "s");
		session_clock_arm(o->minutes * 60, &old_alarm);
	} else if (o->kind == STORE_REVIEW) {
		printf("Review: %zu card%s to go. Rate each answer; Enter takes the suggestion.\n", s.qlen,
		       s.qlen == 1 ? "" : "s");
	}
	struct probe pr = {0};
	while (!s.ended) {
		if (o->kind == STORE_INTERVIEW && session_time_is_up()) {
			s.timed_out = true;
			break;
		}
		const struct question *q = session_next_question(&s);
		if (!q)
			break;
		const struct question *undone = NULL;
		size_t before = s.ndone;
		if (session_ask(&s, q, &undone) == ASK_UNDONE) {
			session_queue_push_front(&s, q);
			session_queue_push_front(&s, undone);
			s.shown = s.shown >= 2 ? s.shown - 2 : 0;
		}
		if (o->kind == STORE_INTERVIEW && s.ndone > before)
			follow_up(&s, &pr);
		if (o->kind == STORE_INTERVIEW && !pr.q)
			session_ask_exercise(&s);
	}
	if (o->kind == STORE_INTERVIEW) {
		if (session_time_is_up())
			s.timed_out = true;
		session_clock_disarm(&old_alarm);
	}
	double seconds = clock_mono() - s.mono_start;
	end_session(&s, seconds);
	if (o->kind == STORE_INTERVIEW) {
		session_print_report(&s, seconds);
		session_contest_interview(&s);
	} else
		session_print_summary(&s);
	if (o->kind == STORE_REVIEW && !s.failed)
		close_review(&s);
	fflush(stdout);
	int rc = s.failed ? 3 : 0;
	session_release(&s);
	return rc;
}

