/*
 * progress: the figures of `stats`, gathered from the store in one pass
 * over the cards, the disputes, the review log and the sessions.
 */
#include "progress.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "fsrs.h"
#include "store.h"
#include "util.h"

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
	size_t dispute_cap;
};

static int add_card(void *ud, const char *id, const char *topic, const struct store_card *card)
{
	(void)topic;
	struct walk *w = ud;
	const struct question *q = catalog_question(w->cat, id);
	if (!q || !q->quiz || q->quiz->reference || !q->quiz->lesson)
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

static int add_review(void *ud, const struct store_review_row *r)
{
	struct walk *w = ud;
	if (r->at < w->recent_from || r->at > w->p->now)
		return 0;
	struct progress_topic *ts = topic_of(w, r->question_id);
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

static int add_interview(void *ud, const struct store_session *s)
{
	struct progress *p = ud;
	if (p->ninterviews >= PROGRESS_INTERVIEWS)
		return 1;
	p->interviews[p->ninterviews++] =
		(struct progress_interview){s->started, s->ended, s->score, s->results ? xstrdup(s->results) : NULL};
	return 0;
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
		p->topics[p->ntopics++] = (struct progress_topic){.ls = ls, .total = (long)ls->quiz->n};
	}
	/* Twelve weeks of local days, Monday first, the current week last. */
	time_t tt = (time_t)now;
	struct tm tm;
	localtime_r(&tt, &tm);
	int monday_back = (tm.tm_wday + 6) % 7;
	int first = -(monday_back + 7 * (PROGRESS_HEAT_WEEKS - 1));
	for (int i = 0; i <= PROGRESS_HEAT_DAYS; i++)
		p->bounds[i] = local_midnight(now, first + i);
	p->today = -first;
	if (store_each_card(st, NULL, add_card, &w, err) < 0 || store_each_dispute(st, add_dispute, &w, err) < 0 ||
	    store_reviews_per_day(st, p->bounds, PROGRESS_HEAT_DAYS, p->counts, err) < 0 ||
	    store_count_reviews(st, INT64_MIN, INT64_MAX, false, &p->reviews, err) < 0 ||
	    store_each_review_of(st, NULL, add_review, &w, err) < 0 ||
	    store_last_sessions(st, STORE_INTERVIEW, PROGRESS_INTERVIEWS, add_interview, p, err) < 0)
		return -1;
	for (size_t i = 0; i < p->ntopics; i++) {
		p->total.seen += p->topics[i].seen;
		p->total.total += p->topics[i].total;
		p->total.due_today += p->topics[i].due_today;
		p->total.due_week += p->topics[i].due_week;
		p->total.rsum += p->topics[i].rsum;
		p->total.recent += p->topics[i].recent;
		p->total.recent_right += p->topics[i].recent_right;
	}
	return 0;
}

void progress_release(struct progress *p)
{
	for (size_t i = 0; i < p->ninterviews; i++)
		free(p->interviews[i].results);
	for (size_t i = 0; i < p->ndisputes; i++)
		free(p->disputes[i].question_id);
	free(p->disputes);
	free(p->topics);
	memset(p, 0, sizeof *p);
}
