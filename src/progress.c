/*
 * progress: the figures of `stats` and `report`, gathered from the store in
 * one pass over the cards, the disputes, the review log and the sessions,
 * and the interviews' results JSON read with ydoc (a JSON object is valid
 * YAML).
 */
#include "progress.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "diag.h"
#include "fsrs.h"
#include "plan.h"
#include "store.h"
#include "util.h"
#include "ydoc.h"

/* Local midnight of the day of t, moved by days. */
static int64_t local_midnight(int64_t t, int days)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday += days;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

struct walk {
	const struct catalog *cat;
	struct progress *p;
	struct fsrs_params params;
	int64_t end_today, end_week, recent_from;
	size_t dispute_cap, predict_cap;
	/* The code exercises with a right review so far, each once. */
	const struct question **solved;
	size_t nsolved, solved_cap;
};

/* The card of a demo's predict question: due in the demo's first topic. */
static void add_predict_card(struct walk *w, const char *id, const struct store_card *card)
{
	const struct demo *dm = NULL;
	for (size_t i = 0; i < catalog_ndemos(w->cat) && !dm; i++) {
		const struct demo *d = catalog_demo_at(w->cat, i);
		for (size_t k = 0; k < d->npredict && !dm; k++)
			if (d->predict[k].id && strcmp(d->predict[k].id, id) == 0)
				dm = d;
	}
	if (!dm || !dm->topics.n || fsrs_card_is_new(&card->fsrs) || card->fsrs.due >= w->end_week)
		return;
	bool today = card->fsrs.due < w->end_today;
	for (size_t i = 0; i < w->p->ntopics; i++) {
		struct progress_topic *ts = &w->p->topics[i];
		if (strcmp(ts->ls->id, dm->topics.v[0]) == 0) {
			ts->due_today += today;
			ts->due_week += !today;
		}
	}
	if (!today)
		return;
	struct progress *p = w->p;
	size_t k = 0;
	while (k < p->npredictions && p->predictions[k].dm != dm)
		k++;
	if (k == p->npredictions) {
		GROW(p->predictions, w->predict_cap, p->npredictions + 1);
		p->predictions[p->npredictions++] = (struct progress_predict){dm, 0};
	}
	p->predictions[k].due_today++;
}

static int add_card(void *ud, const char *id, const char *topic, const struct store_card *card)
{
	(void)topic;
	struct walk *w = ud;
	const struct question *q = catalog_question(w->cat, id);
	if (!q) {
		add_predict_card(w, id, card);
		return 0;
	}
	if (!q->quiz || q->quiz->reference || !q->quiz->lesson)
		return 0;
	for (size_t i = 0; i < w->p->ntopics; i++) {
		struct progress_topic *ts = &w->p->topics[i];
		if (ts->ls != q->quiz->lesson)
			continue;
		if (fsrs_card_is_new(&card->fsrs))
			return 0;
		ts->seen++;
		double r = fsrs_retrievability(&w->params, &card->fsrs, w->p->now);
		if (isfinite(r))
			ts->rsum += r;
		for (int d = 0; d <= PROGRESS_FORECAST_DAYS; d++)
			w->p->forecast[d] += fsrs_retrievability(&w->params, &card->fsrs, w->p->now + (int64_t)d * 86400);
		/* A question revised since the card was answered is due now. */
		if (card->fsrs.due < w->end_today || q->revised > card->revision)
			ts->due_today++;
		else if (card->fsrs.due < w->end_week)
			ts->due_week++;
		return 0;
	}
	return 0;
}

/* The topic of a question still in the content, or NULL. */
static struct progress_topic *topic_of(struct walk *w, const char *id)
{
	const struct question *q = catalog_question(w->cat, id);
	if (!q || !q->quiz || q->quiz->reference || !q->quiz->lesson)
		return NULL;
	for (size_t i = 0; i < w->p->ntopics; i++)
		if (w->p->topics[i].ls == q->quiz->lesson)
			return &w->p->topics[i];
	return NULL;
}

/* An exercise answered right: solved, whenever that was. */
static void add_solved(struct walk *w, struct progress_topic *ts, const char *id)
{
	const struct question *q = catalog_question(w->cat, id);
	if (!q || q->type != Q_CODE)
		return;
	for (size_t i = 0; i < w->nsolved; i++)
		if (w->solved[i] == q)
			return;
	GROW(w->solved, w->solved_cap, w->nsolved + 1);
	w->solved[w->nsolved++] = q;
	ts->solved++;
}

static int add_review(void *ud, const struct store_review_row *r)
{
	struct walk *w = ud;
	struct progress_topic *ts = topic_of(w, r->question_id);
	if (ts && r->correct)
		add_solved(w, ts, r->question_id);
	if (r->at < w->recent_from || r->at > w->p->now)
		return 0;
	if (ts) {
		ts->recent++;
		ts->recent_right += r->correct;
	}
	return 0;
}

double progress_mastery(const struct progress_topic *t)
{
	return t->total ? t->rsum / (double)t->total : 0;
}

double progress_right(const struct progress_topic *t)
{
	return t->recent ? (double)t->recent_right / (double)t->recent : NAN;
}

static int add_dispute(void *ud, const struct store_dispute *d)
{
	struct walk *w = ud;
	struct progress *p = w->p;
	p->disputes_total++;
	if (p->ndisputes && strcmp(p->disputes[p->ndisputes - 1].question_id, d->question_id) == 0) {
		p->disputes[p->ndisputes - 1].n++;
		return 0;
	}
	GROW(p->disputes, w->dispute_cap, p->ndisputes + 1);
	p->disputes[p->ndisputes++] = (struct progress_dispute){xstrdup(d->question_id), 1};
	return 0;
}

static bool node_long(const struct ynode *n, long *out)
{
	double d;
	if (!n || ynode_double(n, &d) < 0 || !isfinite(d) || d < 0 || d > 1e9)
		return false;
	*out = (long)d;
	return true;
}

static bool node_double(const struct ynode *n, double *out)
{
	return n && ynode_double(n, out) == 0 && isfinite(*out);
}

static char *node_str(const struct ynode *n)
{
	return n && n->kind == YNODE_SCALAR && !ynode_is_null(n) ? xstrdup(n->str) : NULL;
}

static bool node_true(const struct ynode *n)
{
	bool v = false;
	return n && ynode_bool(n, &v) == 0 && v;
}

/* The per-topic figures of a results object. */
static void parse_topics(struct progress_interview *iv, const struct ynode *tm)
{
	if (!tm || tm->kind != YNODE_MAP)
		return;
	size_t n = tm->n / 2;
	iv->topics = xcalloc(n ? n : 1, sizeof *iv->topics);
	for (size_t i = 0; i < n; i++) {
		const struct ynode *key = tm->items[2 * i], *val = tm->items[2 * i + 1];
		if (key->kind != YNODE_SCALAR || val->kind != YNODE_MAP)
			continue;
		struct progress_result_topic r = {.score = NAN};
		if (!node_long(ynode_get(val, "asked"), &r.asked) || !node_long(ynode_get(val, "correct"), &r.correct))
			continue;
		/* A skip is asked but not scored. */
		if (!node_long(ynode_get(val, "answered"), &r.answered))
			r.answered = r.asked;
		if (!node_double(ynode_get(val, "score"), &r.score))
			r.score = r.answered ? (double)r.correct / (double)r.answered : NAN;
		r.topic = xstrdup(key->str);
		iv->topics[iv->ntopics++] = r;
	}
}

/* The question asked as id, added (not correct) when the list lacks it. */
static struct progress_asked *asked_of(struct progress_interview *iv, const char *id, size_t *cap)
{
	for (size_t i = 0; i < iv->nquestions; i++)
		if (strcmp(iv->questions[i].question_id, id) == 0)
			return &iv->questions[i];
	GROW(iv->questions, *cap, iv->nquestions + 1);
	struct progress_asked *a = &iv->questions[iv->nquestions++];
	*a = (struct progress_asked){.question_id = xstrdup(id)};
	return a;
}

/* The questions asked, then the points each missed. */
static void parse_questions(struct progress_interview *iv, const struct ynode *qs, const struct ynode *ms,
                            const struct ynode *fus)
{
	size_t cap = 0;
	for (size_t i = 0; qs && qs->kind == YNODE_SEQ && i < qs->n; i++) {
		const struct ynode *q = qs->items[i], *id = q->kind == YNODE_MAP ? ynode_get(q, "question") : NULL;
		if (!id || id->kind != YNODE_SCALAR)
			continue;
		struct progress_asked *a = asked_of(iv, id->str, &cap);
		if (!a->topic)
			a->topic = node_str(ynode_get(q, "topic"));
		a->correct = node_true(ynode_get(q, "correct"));
		a->skipped = node_true(ynode_get(q, "skipped"));
	}
	for (size_t i = 0; ms && ms->kind == YNODE_SEQ && i < ms->n; i++) {
		const struct ynode *m = ms->items[i], *id = m->kind == YNODE_MAP ? ynode_get(m, "question") : NULL;
		if (!id || id->kind != YNODE_SCALAR)
			continue;
		struct progress_asked *a = asked_of(iv, id->str, &cap);
		const struct ynode *pts = ynode_get(m, "points"), *secs = ynode_get(m, "sections");
		if (!pts || pts->kind != YNODE_SEQ || a->points)
			continue;
		a->points = xcalloc(pts->n + 1, sizeof *a->points);
		a->sections = xcalloc(pts->n + 1, sizeof *a->sections);
		a->made = xcalloc(pts->n + 1, sizeof *a->made);
		for (size_t k = 0; k < pts->n; k++) {
			char *point = node_str(pts->items[k]);
			if (!point)
				continue;
			a->points[a->npoints] = point;
			a->made[a->npoints] = plan_made_later(fus, id->str, point);
			if (secs && secs->kind == YNODE_SEQ && k < secs->n)
				a->sections[a->npoints] = node_str(secs->items[k]);
			a->npoints++;
		}
	}
}

/* Reads iv->results (a results object, else nothing is set). */
static void parse_results(struct progress_interview *iv)
{
	if (!iv->results)
		return;
	struct ydoc doc;
	memset(&doc, 0, sizeof doc);
	struct diag d;
	diag_init(&d);
	int rc = ydoc_parse(&doc, "results", iv->results, strlen(iv->results), &d);
	diag_release(&d);
	if (rc < 0)
		return;
	const struct ynode *root = doc.root;
	if (root && root->kind == YNODE_MAP) {
		iv->parsed = true;
		double sc;
		if (!isfinite(iv->score) && node_double(ynode_get(root, "score"), &sc))
			iv->score = sc;
		iv->has_counts = node_long(ynode_get(root, "asked"), &iv->asked) &&
		                 node_long(ynode_get(root, "correct"), &iv->correct);
		if (iv->has_counts && !node_long(ynode_get(root, "answered"), &iv->answered))
			iv->answered = iv->asked;
		parse_topics(iv, ynode_get(root, "topics"));
		parse_questions(iv, ynode_get(root, "questions"), ynode_get(root, "missed"), ynode_get(root, "follow_ups"));
	}
	ydoc_release(&doc);
}

static int add_interview(void *ud, const struct store_session *s)
{
	struct progress *p = ud;
	if (p->ninterviews >= PROGRESS_INTERVIEWS)
		return 1;
	struct progress_interview *iv = &p->interviews[p->ninterviews++];
	*iv = (struct progress_interview){.started = s->started, .ended = s->ended, .score = s->score,
	                                  .results = s->results ? xstrdup(s->results) : NULL};
	parse_results(iv);
	return 0;
}

int progress_heat_level(int64_t c, int64_t max)
{
	if (c <= 0 || max <= 0)
		return 0;
	int64_t l = 1 + (c - 1) * 4 / max;
	return l > 4 ? 4 : (int)l;
}

bool progress_heat_range(int level, int64_t max, int64_t *lo, int64_t *hi)
{
	/* level l holds c when (l - 1) max <= 4 (c - 1) < l max. */
	*lo = 1 + ((level - 1) * max + 3) / 4;
	*hi = level == 4 ? max : (level * max + 3) / 4;
	return level >= 1 && level <= 4 && *lo <= *hi;
}

int64_t progress_heat_max(const int64_t *counts, int today, int64_t *sum)
{
	int64_t max = 0;
	*sum = 0;
	for (int i = 0; i <= today; i++) {
		*sum += counts[i];
		if (counts[i] > max)
			max = counts[i];
	}
	return max;
}

int progress_heatmap(struct store *st, int64_t now, int weeks, int64_t *bounds, int64_t *counts, int *today,
                     char **err)
{
	time_t tt = (time_t)now;
	struct tm tm;
	localtime_r(&tt, &tm);
	int monday_back = (tm.tm_wday + 6) % 7;
	int first = -(monday_back + 7 * (weeks - 1));
	for (int i = 0; i <= weeks * 7; i++)
		bounds[i] = local_midnight(now, first + i);
	*today = -first;
	return store_reviews_per_day(st, bounds, (size_t)weeks * 7, counts, err);
}

int progress_read(const struct catalog *cat, struct store *st, int64_t now, struct progress *p, char **err)
{
	memset(p, 0, sizeof *p);
	p->now = now;
	struct walk w = {.cat = cat, .p = p, .end_today = local_midnight(now, 1), .end_week = local_midnight(now, 8),
	                 .recent_from = now - (int64_t)PROGRESS_RIGHT_DAYS * 86400};
	fsrs_params_init(&w.params);
	p->topics = xcalloc(catalog_nlessons(cat) + 1, sizeof *p->topics);
	for (size_t i = 0; i < catalog_nlessons(cat); i++) {
		const struct lesson *ls = catalog_lesson_at(cat, i);
		if (ls->reference || !ls->quiz || !ls->quiz->n)
			continue;
		struct progress_topic t = {.ls = ls, .total = (long)ls->quiz->n};
		for (size_t k = 0; k < ls->quiz->n; k++)
			t.exercises += ls->quiz->questions[k].type == Q_CODE;
		p->topics[p->ntopics++] = t;
	}
	if (store_each_card(st, NULL, add_card, &w, err) < 0 || store_each_dispute(st, add_dispute, &w, err) < 0 ||
	    progress_heatmap(st, now, PROGRESS_HEAT_WEEKS, p->bounds, p->counts, &p->today, err) < 0 ||
	    store_count_reviews(st, INT64_MIN, INT64_MAX, false, &p->reviews, err) < 0 ||
	    store_each_review_of(st, NULL, add_review, &w, err) < 0 ||
	    store_last_sessions(st, STORE_INTERVIEW, PROGRESS_INTERVIEWS, add_interview, p, err) < 0) {
		free(w.solved);
		return -1;
	}
	free(w.solved);
	for (size_t i = 0; i < p->ntopics; i++) {
		p->total.seen += p->topics[i].seen;
		p->total.total += p->topics[i].total;
		p->total.due_today += p->topics[i].due_today;
		p->total.due_week += p->topics[i].due_week;
		p->total.rsum += p->topics[i].rsum;
		p->total.recent += p->topics[i].recent;
		p->total.recent_right += p->topics[i].recent_right;
		p->total.exercises += p->topics[i].exercises;
		p->total.solved += p->topics[i].solved;
	}
	for (int d = 0; d <= PROGRESS_FORECAST_DAYS; d++)
		p->forecast[d] = p->total.seen ? p->forecast[d] / (double)p->total.seen : NAN;
	return 0;
}

void progress_release(struct progress *p)
{
	for (size_t i = 0; i < p->ninterviews; i++) {
		struct progress_interview *iv = &p->interviews[i];
		free(iv->results);
		for (size_t k = 0; k < iv->ntopics; k++)
			free(iv->topics[k].topic);
		free(iv->topics);
		for (size_t k = 0; k < iv->nquestions; k++) {
			struct progress_asked *a = &iv->questions[k];
			for (size_t j = 0; j < a->npoints; j++) {
				free(a->points[j]);
				free(a->sections[j]);
			}
			free(a->points);
			free(a->sections);
			free(a->made);
			free(a->question_id);
			free(a->topic);
		}
		free(iv->questions);
	}
	for (size_t i = 0; i < p->ndisputes; i++)
		free(p->disputes[i].question_id);
	free(p->disputes);
	free(p->predictions);
	free(p->topics);
	memset(p, 0, sizeof *p);
}
