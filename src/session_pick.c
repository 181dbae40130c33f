/*
 * session_pick: which question comes next. The cards known to the store at
 * the start (a sorted array keyed on question id), the queue of a quiz or
 * review, the learning cards waiting to come back, and the interview's
 * weighted draw over topics.
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

static int add_known(void *ud, const char *id, const char *topic, const struct store_card *card)
{
	(void)topic;
	struct cards *c = ud;
	GROW(c->v, c->cap, c->n + 1);
	c->v[c->n].id = xstrdup(id);
	c->v[c->n].card = *card;
	c->n++;
	return 0;
}

static int cmp_known(const void *a, const void *b)
{
	return strcmp(((const struct known *)a)->id, ((const struct known *)b)->id);
}

int session_cards_load(struct cards *c, struct store *st, char **err)
{
	memset(c, 0, sizeof *c);
	if (store_each_card(st, NULL, add_known, c, err) < 0)
		return -1;
	if (c->n)
		qsort(c->v, c->n, sizeof *c->v, cmp_known);
	return 0;
}

void session_cards_release(struct cards *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].id);
	free(c->v);
	memset(c, 0, sizeof *c);
}

const struct store_card *session_cards_find(const struct cards *c, const char *id)
{
	struct known key;
	memset(&key, 0, sizeof key);
	key.id = (char *)id;
	const struct known *k = c->n ? bsearch(&key, c->v, c->n, sizeof *c->v, cmp_known) : NULL;
	return k ? &k->card : NULL;
}

/* The card in the session's snapshot, to update once it is answered. */
struct store_card *session_cards_find_mut(struct cards *c, const char *id)
{
	return (struct store_card *)session_cards_find(c, id);
}

/* Whether q was revised (`revised: N`) since card c was last answered: the
 * card is then due now, whatever its schedule says. */
bool session_revised_since(const struct question *q, const struct store_card *c)
{
	return c && q->revised > c->revision;
}

/* When card c of q is due: now at the latest once q was revised since. */
int64_t session_due_of(const struct question *q, const struct store_card *c, int64_t now)
{
	return session_revised_since(q, c) && c->fsrs.due > now ? now : c->fsrs.due;
}

const char *session_topic_of(const struct question *q)
{
	return q->quiz && q->quiz->topic ? q->quiz->topic : "";
}

/* Whether a session can ask q: a code exercise needs its code run, which
 * no session does, so it is never drawn, queued or counted as a topic's. */
static bool askable(const struct question *q)
{
	return q->id && q->type != Q_CODE;
}

/* ---- topic statistics ---- */

int session_topics(struct catalog *cat, struct store *st, const struct fsrs_params *p, int64_t now,
		struct session_topic **out, size_t *n, char **err)
{
	struct cards c;
	*out = NULL;
	*n = 0;
	if (session_cards_load(&c, st, err) < 0)
		return -1;
	size_t nl = catalog_nlessons(cat);
	struct session_topic *t = xcalloc(nl ? nl : 1, sizeof *t);
	for (size_t i = 0; i < nl; i++) {
		const struct lesson *ls = catalog_lesson_at(cat, i);
		t[i].topic = ls->id;
		if (!ls->quiz)
			continue;
		double sum = 0;
		for (size_t k = 0; k < ls->quiz->n; k++) {
			const struct question *q = &ls->quiz->questions[k];
			/* Exercises are cards too (practice asks them): the same
			 * figure as stats. */
			if (!q->id)
				continue;
			t[i].questions++;
			const struct store_card *sc = session_cards_find(&c, q->id);
			if (!sc)
				continue;
			t[i].seen++;
			if (session_due_of(q, sc, now) <= now)
				t[i].due++;
			double r = fsrs_retrievability(p, &sc->fsrs, now);
			if (isfinite(r))
				sum += r;
		}
		t[i].mastery = t[i].questions ? sum / (double)t[i].questions : 0;
	}
	/* Due predict cards count in the first topic of their demo. */
	for (size_t k = 0; k < c.n; k++) {
		const struct demo *dm = c.v[k].card.fsrs.due <= now && !catalog_question(cat, c.v[k].id)
		                      ? session_predict_demo(cat, c.v[k].id) : NULL;
		for (size_t i = 0; dm && dm->topics.n && i < nl; i++)
			if (strcmp(t[i].topic, dm->topics.v[0]) == 0)
				t[i].due++;
	}
	session_cards_release(&c);
	*out = t;
	*n = nl;
	return 0;
}

const struct demo *session_predict_demo(const struct catalog *cat, const char *id)
{
	for (size_t i = 0; i < catalog_ndemos(cat); i++) {
		const struct demo *dm = catalog_demo_at(cat, i);
		for (size_t k = 0; k < dm->npredict; k++)
			if (dm->predict[k].id && strcmp(dm->predict[k].id, id) == 0)
				return dm;
	}
	return NULL;
}

int session_predictions_due(struct catalog *cat, struct store *st, int64_t now, struct session_predict_due **out,
		size_t *n, char **err)
{
	struct cards c;
	*out = NULL;
	*n = 0;
	if (session_cards_load(&c, st, err) < 0)
		return -1;
	size_t nd = catalog_ndemos(cat);
	struct session_predict_due *v = xcalloc(nd ? nd : 1, sizeof *v);
	for (size_t i = 0; i < nd; i++) {
		const struct demo *dm = catalog_demo_at(cat, i);
		size_t due = 0;
		for (size_t k = 0; k < dm->npredict; k++) {
			const struct store_card *sc = dm->predict[k].id ? session_cards_find(&c, dm->predict[k].id) : NULL;
			due += sc && sc->fsrs.due <= now && !catalog_question(cat, dm->predict[k].id);
		}
		if (due)
			v[(*n)++] = (struct session_predict_due){dm, due};
	}
	session_cards_release(&c);
	*out = v;
	return 0;
}

int session_next_due(struct catalog *cat, struct store *st, int64_t now, int64_t *next, char **err)
{
	struct cards c;
	*next = STORE_NO_TIME;
	if (session_cards_load(&c, st, err) < 0)
		return -1;
	for (size_t i = 0; i < c.n; i++) {
		const struct question *q = catalog_question(cat, c.v[i].id);
		int64_t due = q ? session_due_of(q, &c.v[i].card, now) : 0;
		if (due > now && (*next == STORE_NO_TIME || due < *next))
			*next = due;
	}
	session_cards_release(&c);
	return 0;
}

void session_queue_push(struct session *s, const struct question *q)
{
	GROW(s->queue, s->qcap, s->qlen + 1);
	s->queue[s->qlen++] = q;
}

void session_queue_push_front(struct session *s, const struct question *q)
{
	if (s->qhead > 0) {
		s->queue[--s->qhead] = q;
		return;
	}
	GROW(s->queue, s->qcap, s->qlen + 1);
	memmove(s->queue + 1, s->queue, s->qlen * sizeof *s->queue);
	s->queue[0] = q;
	s->qlen++;
}

void session_pending_remove(struct session *s, const struct question *q)
{
	for (size_t i = 0; i < s->npend; i++)
		if (s->pend[i].q == q) {
			memmove(s->pend + i, s->pend + i + 1, (s->npend - i - 1) * sizeof *s->pend);
			s->npend--;
			return;
		}
}

/* Fisher-Yates over an array of question pointers. */
static void shuffle(struct fsrs_rng *rng, const struct question **v, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(fsrs_rng_next(rng) % i);
		const struct question *t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* ---- output ---- */

struct keyed {
	const struct question *q;
	double key;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return strcmp(x->q->id, y->q->id);
}

static void push_sorted(struct session *s, struct keyed *v, size_t n)
{
	if (n)
		qsort(v, n, sizeof *v, cmp_keyed);
	for (size_t i = 0; i < n; i++)
		session_queue_push(s, v[i].q);
}

static bool has_tag(const struct question *q, const char *tag)
{
	for (size_t i = 0; i < q->tags.n; i++)
		if (strcmp(q->tags.v[i], tag) == 0)
			return true;
	return false;
}

/* quiz: the topic's due cards (most overdue first), then its new questions
 * (shuffled), then the rest, least retained first; only those carrying
 * the tag when there is one. */
void session_build_quiz(struct session *s, const struct quiz *qz, int64_t now)
{
	struct keyed *due = xcalloc(qz->n + 1, sizeof *due), *rest = xcalloc(qz->n + 1, sizeof *rest);
	const struct question **fresh = xcalloc(qz->n + 1, sizeof *fresh);
	size_t ndue = 0, nrest = 0, nfresh = 0;
	for (size_t i = 0; i < qz->n; i++) {
		const struct question *q = &qz->questions[i];
		if (!askable(q) || (s->o->tag && !has_tag(q, s->o->tag)))
			continue;
		const struct store_card *c = session_cards_find(&s->cards, q->id);
		if (!c)
			fresh[nfresh++] = q;
		else if (session_due_of(q, c, now) <= now)
			due[ndue++] = (struct keyed){q, (double)session_due_of(q, c, now)};
		else
			rest[nrest++] = (struct keyed){q, fsrs_retrievability(&s->env->params, &c->fsrs, now)};
	}
	push_sorted(s, due, ndue);
	shuffle(&s->rng, fresh, nfresh);
	for (size_t i = 0; i < nfresh; i++)
		session_queue_push(s, fresh[i]);
	push_sorted(s, rest, nrest);
	if (s->qlen > s->o->count)
		s->qlen = s->o->count;
	free(due);
	free(rest);
	free(fresh);
}

/* quiz with questions given: those, in their order, up to the count. */
void session_build_list(struct session *s)
{
	for (size_t i = 0; i < s->o->nquestions && i < s->o->count; i++)
		session_queue_push(s, s->o->questions[i]);
}

/* What session_missed knows of one question from its reviews. */
struct missed_state {
	const char *id;             /* borrowed from the catalog */
	bool last_correct;          /* its latest review was right */
	int64_t wrong_session;      /* the session of its latest wrong answer */
	int64_t again_at;           /* its latest rating again */
};

struct missed_walk {
	struct catalog *cat;
	const char *topic;
	const struct question **qs;        /* catalog order; index i is the i-th question */
	struct missed_state *st;
	size_t n;
	int64_t last_session;
};

static int missed_row(void *ud, const struct store_review_row *r)
{
	struct missed_walk *w = ud;
	const struct question *q = catalog_question(w->cat, r->question_id);
	/* Predictions are not drilled: the last session is the last other one. */
	if (r->session_id != STORE_NO_SESSION && (q || !session_predict_demo(w->cat, r->question_id)))
		w->last_session = r->session_id;
	/* An id of the progress database may name an exercise now. */
	if (!q || !askable(q) || (w->topic && strcmp(session_topic_of(q), w->topic) != 0))
		return 0;
	size_t i = 0;
	while (i < w->n && w->qs[i] != q)
		i++;
	if (i == w->n) {
		w->qs[w->n] = q;
		w->st[w->n] = (struct missed_state){q->id, false, STORE_NO_SESSION, STORE_NO_TIME};
		w->n++;
	}
	struct missed_state *m = &w->st[i];
	m->last_correct = r->correct && r->rating != FSRS_AGAIN;
	if (!r->correct)
		m->wrong_session = r->session_id;
	if (r->rating == FSRS_AGAIN)
		m->again_at = r->at;
	return 0;
}

int session_missed(struct catalog *cat, struct store *st, int64_t now, const char *topic,
		const struct question ***out, size_t *n, char **err)
{
	size_t nq = catalog_nquestions(cat);
	struct missed_walk w = {cat, topic, xcalloc(nq + 1, sizeof *w.qs), xcalloc(nq + 1, sizeof *w.st), 0,
	                        STORE_NO_SESSION};
	*out = NULL;
	*n = 0;
	if (store_each_review_of(st, NULL, missed_row, &w, err) < 0) {
		free(w.qs);
		free(w.st);
		return -1;
	}
	const struct question **v = xcalloc(w.n + 1, sizeof *v);
	int64_t since = now - (int64_t)SESSION_MISSED_DAYS * 86400;
	for (size_t i = 0; i < w.n; i++) {
		const struct missed_state *m = &w.st[i];
		bool wrong_last = m->wrong_session != STORE_NO_SESSION && m->wrong_session == w.last_session;
		bool lapsed = m->again_at != STORE_NO_TIME && m->again_at >= since;
		if (!m->last_correct && (wrong_last || lapsed))
			v[(*n)++] = w.qs[i];
	}
	free(w.qs);
	free(w.st);
	/* Catalog order: the position of each among the catalog's questions. */
	size_t k = 0;
	for (size_t i = 0; i < nq && k < *n; i++) {
		const struct question *q = catalog_question_at(cat, i);
		for (size_t j = k; j < *n; j++)
			if (v[j] == q) {
				v[j] = v[k];
				v[k++] = q;
				break;
			}
	}
	*out = v;
	return 0;
}

/* Local midnight at or before now, and the next one. */
static void today(int64_t now, int64_t *start, int64_t *end)
{
	time_t t = (time_t)now;
	struct tm tm;
	localtime_r(&t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	*start = (int64_t)mktime(&tm);
	tm.tm_mday++;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	*end = (int64_t)mktime(&tm);
	if (*start > now || *end <= now) { /* mktime failed or odd zone */
		*start = now - now % 86400;
		*end = *start + 86400;
	}
}

/* review: every due card of the catalog (most overdue first), then new
 * cards in catalog order up to what is left of today's limit. Sets
 * *new_left to that remainder. */
int session_build_review(struct session *s, int64_t now, int64_t *new_left)
{
	struct catalog *cat = s->env->cat;
	size_t nq = catalog_nquestions(cat);
	struct keyed *due = xcalloc(nq + 1, sizeof *due);
	size_t ndue = 0;
	for (size_t i = 0; i < nq; i++) {
		const struct question *q = catalog_question_at(cat, i);
		const struct store_card *c = session_cards_find(&s->cards, q->id);
		if (c && askable(q) && session_due_of(q, c, now) <= now)
			due[ndue++] = (struct keyed){q, (double)session_due_of(q, c, now)};
	}
	push_sorted(s, due, ndue);
	free(due);
	int64_t start, end, got = 0;
	today(now, &start, &end);
	char *err = NULL;
	if (store_count_reviews(s->env->st, start, end, true, &got, &err) < 0) {
		session_store_failed(s, err);
		return -1;
	}
	int64_t left = s->o->new_limit - got;
	*new_left = left < 0 ? 0 : left;
	for (size_t i = 0; i < nq && left > 0; i++) {
		const struct question *q = catalog_question_at(cat, i);
		if (askable(q) && !session_cards_find(&s->cards, q->id)) {
			session_queue_push(s, q);
			left--;
		}
	}
	return 0;
}

struct draw_topic {
	const struct lesson *ls;
	double weight;
};

static bool was_asked(const struct session *s, const struct question *q)
{
	for (size_t i = 0; i < s->nasked; i++)
		if (s->asked[i] == q)
			return true;
	return false;
}

/* The kinds of question an interview draws: explain-it-out-loud (text),
 * the mix beside it (output, choice, multi), or any. */
enum draw_class { DRAW_TEXT, DRAW_MIX, DRAW_ANY };

static bool fits(const struct question *q, enum draw_class c)
{
	if (c == DRAW_TEXT)
		return q->type == Q_TEXT;
	if (c == DRAW_MIX)
		return q->type == Q_OUTPUT || q->type == Q_CHOICE || q->type == Q_MULTI;
	return true;
}

static bool drawable(const struct session *s, const struct question *q, enum draw_class c)
{
	return askable(q) && fits(q, c) && !was_asked(s, q);
}

/* One of quiz qz's questions of class c not asked yet, weighted toward the
 * least retained (never seen counts as forgotten). */
static const struct question *draw_in_topic(struct session *s, const struct quiz *qz, enum draw_class c)
{
	int64_t now = clock_now();
	const struct question *pick = NULL;
	double *qw = xcalloc(qz->n + 1, sizeof *qw), qt = 0;
	for (size_t k = 0; k < qz->n; k++) {
		const struct question *q = &qz->questions[k];
		if (!drawable(s, q, c))
			continue;
		const struct store_card *card = session_cards_find(&s->cards, q->id);
		double r = card ? fsrs_retrievability(&s->env->params, &card->fsrs, now) : 0;
		qw[k] = 1.1 - (isfinite(r) ? r : 0);
		qt += qw[k];
	}
	double v = fsrs_rng_uniform(&s->rng) * qt;
	for (size_t k = 0; k < qz->n && !pick; k++) {
		if (qw[k] <= 0)
			continue;
		if (v < qw[k])
			pick = &qz->questions[k];
		v -= qw[k];
	}
	for (size_t k = qz->n; k > 0 && !pick; k--) /* rounding at the end */
		if (qw[k - 1] > 0)
			pick = &qz->questions[k - 1];
	free(qw);
	return pick;
}

/* interview: a topic drawn with weight (1 - mastery), more for a topic never
 * seen, among those with a question of class c left; then one of its
 * questions of that class. NULL when no topic has one. */
static const struct question *draw_class(struct session *s, enum draw_class c)
{
	double *w = xcalloc(s->ndraw + 1, sizeof *w), total = 0;
	for (size_t i = 0; i < s->ndraw; i++) {
		const struct quiz *qz = s->draw[i].ls->quiz;
		bool left = false;
		for (size_t k = 0; k < qz->n && !left; k++)
			left = drawable(s, &qz->questions[k], c);
		w[i] = left ? s->draw[i].weight : 0;
		total += w[i];
	}
	const struct question *pick = NULL;
	if (total > 0) {
		double u = fsrs_rng_uniform(&s->rng) * total;
		size_t ti = 0;
		while (ti + 1 < s->ndraw && (u >= w[ti] || w[ti] == 0)) {
			u -= w[ti];
			ti++;
		}
		while (w[ti] == 0 && ti > 0)
			ti--;
		pick = draw_in_topic(s, s->draw[ti].ls->quiz, c);
	}
	free(w);
	return pick;
}

void session_mark_asked(struct session *s, const struct question *q)
{
	GROW(s->asked, s->capasked, s->nasked + 1);
	s->asked[s->nasked++] = q;
	s->ntext += q->type == Q_TEXT;
}

/* interview: the next question drawn. Text questions keep to at least half
 * of those asked (a text question whenever fewer would be), the others
 * mix output, choice and multi; when the class wanted has nothing left,
 * any question left (and a text draw that had to take another type is
 * remembered for the report). */
static const struct question *draw(struct session *s)
{
	bool want_text = 2 * s->ntext <= s->nasked;
	const struct question *pick = draw_class(s, want_text ? DRAW_TEXT : DRAW_MIX);
	if (!pick) {
		pick = draw_class(s, DRAW_ANY);
		s->text_short |= pick && want_text;
	}
	if (pick)
		session_mark_asked(s, pick);
	return pick;
}

/* The section a point teaches in, as TOPIC/ID (a new string), or NULL. */
static char *section_ref(const struct question *q, const struct rubric_point *p)
{
	if (!p->section)
		return NULL;
	return strchr(p->section, '/') ? xstrdup(p->section) : xasprintf("%s/%s", session_topic_of(q), p->section);
}

/* interview: a text question not asked yet, from the topics drawn from,
 * with a key point taught in the same section as point of q: what probes
 * a missed point that has no follow_up. NULL when there is none. */
const struct question *session_same_section(struct session *s, const struct question *q, size_t point)
{
	char *want = section_ref(q, &q->rubric[point]);
	const struct question *found = NULL;
	for (size_t i = 0; want && i < s->ndraw && !found; i++) {
		const struct quiz *qz = s->draw[i].ls->quiz;
		for (size_t k = 0; k < qz->n && !found; k++) {
			const struct question *c = &qz->questions[k];
			if (!drawable(s, c, DRAW_TEXT))
				continue;
			for (size_t j = 0; j < c->nrubric && !found; j++) {
				char *ref = section_ref(c, &c->rubric[j]);
				if (ref && strcmp(ref, want) == 0)
					found = c;
				free(ref);
			}
		}
	}
	free(want);
	return found;
}

const struct question *session_next_question(struct session *s)
{
	int64_t now = clock_now();
	size_t first = 0;
	for (size_t i = 1; i < s->npend; i++)
		if (s->pend[i].due < s->pend[first].due)
			first = i;
	const struct question *q = NULL;
	if (s->npend && s->pend[first].due <= now) {
		q = s->pend[first].q;
	} else if (s->qhead < s->qlen) {
		return s->queue[s->qhead++];
	} else if (session_interview(s)) {
		return draw(s);
	} else if (s->npend) {
		/* Nothing else left: learn ahead, as Anki does. */
		q = s->pend[first].q;
	}
	if (q)
		session_pending_remove(s, q);
	return q;
}

/* ---- results ---- */

/* Sets up the interview draw from the topics' mastery. */
int session_build_interview(struct session *s, int64_t now)
{
	struct session_topic *t;
	size_t n;
	char *err = NULL;
	if (session_topics(s->env->cat, s->env->st, &s->env->params, now, &t, &n, &err) < 0) {
		session_store_failed(s, err);
		return -1;
	}
	s->draw = xcalloc(n + 1, sizeof *s->draw);
	for (size_t i = 0; i < n; i++) {
		const struct lesson *ls = catalog_lesson(s->env->cat, t[i].topic);
		if (!ls || !ls->quiz || t[i].questions == 0)
			continue;
		bool wanted = !s->o->topics;
		for (size_t k = 0; k < s->o->ntopics && !wanted; k++)
			wanted = strcmp(s->o->topics[k], ls->id) == 0;
		if (!wanted)
			continue;
		double w = 1.0 - t[i].mastery + 0.05 + (t[i].seen == 0 ? 0.5 : 0.0);
		s->draw[s->ndraw++] = (struct draw_topic){ls, w};
	}
	free(t);
	session_pick_exercise(s);
	return 0;
}

static size_t count_lines(const char *t)
{
	size_t n = 0;
	for (const char *p = t; *p; p++)
		n += *p == '\n' || p[1] == '\0';
	return n;
}

void session_pick_exercise(struct session *s)
{
	const struct session_code *c = s->o->code;
	if (!c)
		return;
	/* Its own stream: the draw of the questions stays as it was. */
	struct fsrs_rng rng;
	fsrs_rng_init(&rng, s->env->seed ^ 0x636f6465u);
	uint64_t seen = 0;
	for (size_t i = 0; i < s->ndraw; i++) {
		const struct quiz *qz = s->draw[i].ls->quiz;
		for (size_t k = 0; k < qz->n; k++) {
			const struct question *q = &qz->questions[k];
			if (q->type != Q_CODE || !q->starter || !q->solution ||
			    count_lines(q->starter) >= SESSION_EXERCISE_LINES ||
			    count_lines(q->solution) >= SESSION_EXERCISE_LINES || !c->allowed(c->arg, q))
				continue;
			/* Each one as likely: the k-th replaces the pick with chance 1/k. */
			if (fsrs_rng_next(&rng) % ++seen == 0)
				s->exercise = q;
		}
	}
}

