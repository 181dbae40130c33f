/*
 * progress: what the store says of a learner's progress, read against the
 * catalog, for `stats` and `report`: each topic's questions seen, its
 * mastery, the share of its recent reviews answered right, the mean recall
 * of its seen cards and cards due (today, in the next seven days), the mean
 * recall of the seen cards over the next days, the reviews of each local day
 * over the last weeks, the total of reviews, the last interviews (their
 * results parsed) and the grades contested per question. It only reads; it
 * never prints.
 *
 * Cards of questions that left the content are neither counted nor shown.
 * The cards of a demo's predict questions (`demo ID --predict`) count in
 * the due cards of the demo's first topic (not in its questions seen or
 * recall), and per demo.
 * Calendar days (due today, the heatmap) are local days. A question revised
 * since its card was answered counts as due today.
 *
 * Ownership: a struct progress owns its arrays and strings until
 * progress_release(); lessons are borrowed from the catalog.
 */
#ifndef PYDOJO_PROGRESS_H
#define PYDOJO_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct catalog;
struct demo;
struct lesson;
struct store;

#define PROGRESS_HEAT_WEEKS 12
#define PROGRESS_HEAT_DAYS (PROGRESS_HEAT_WEEKS * 7)
#define PROGRESS_INTERVIEWS 5
/* Days of the recall forecast after today: forecast[0] is now. */
#define PROGRESS_FORECAST_DAYS 30

struct progress_topic {
	const struct lesson *ls;     /* NULL for the total */
	long seen, total, due_today, due_week;
	double rsum;                 /* the sum of the seen cards' recall now */
	/* The reviews of the last PROGRESS_RIGHT_DAYS days and how many of
	 * them were answered right. */
	long recent, recent_right;
	/* Its code exercises (counted in total and seen too) and how many of
	 * them have a review answered right. */
	long exercises, solved;
};

/* The window of the "right" figure, in days before now. */
#define PROGRESS_RIGHT_DAYS 30

/* Mastery: the mean FSRS recall probability now over every question of the
 * topic, a question never answered counting 0 (as `topics` shows it). */
double progress_mastery(const struct progress_topic *t);
/* Right: the share of the recent reviews answered right; NaN when none. */
double progress_right(const struct progress_topic *t);

/* One topic of an interview's results. */
struct progress_result_topic {
	char *topic;
	long asked, correct;
	long answered;               /* asked less skipped (results without it: asked) */
	double score;                /* NaN when none */
};

/* A question an interview asked, and what its answer missed. */
struct progress_asked {
	char *question_id, *topic;
	bool correct, skipped;
	char **points;               /* the key points missed */
	char **sections;             /* beside points: the section teaching each
	                              * one as TOPIC/ID, or NULL */
	bool *made;                  /* beside points: made in the follow-up after all */
	size_t npoints;
};

struct progress_interview {
	int64_t started, ended;      /* ended: STORE_NO_TIME when it never finished */
	double score;                /* the session's, else the results'; NaN when none */
	char *results;               /* the session's results JSON, or NULL */
	/* What the results JSON holds; parsed false (and nothing below set)
	 * when it is not a results object. */
	bool parsed, has_counts;
	long asked, correct;
	long answered;               /* asked less skipped, the score's denominator
	                              * (results without it: asked) */
	struct progress_result_topic *topics;
	size_t ntopics;
	struct progress_asked *questions;   /* in the order asked; missed
	                                     * questions the list lacks are added */
	size_t nquestions;
};

/* A demo with predict cards due today. */
struct progress_predict {
	const struct demo *dm;       /* borrowed from the catalog */
	long due_today;
};

struct progress_dispute {
	char *question_id;
	long n;
};

struct progress {
	int64_t now;
	struct progress_topic *topics;   /* the lessons with a quiz, in catalog order */
	size_t ntopics;
	struct progress_topic total;
	/* Local midnights: the first is a Monday, twelve weeks back; the
	 * current week last. counts[d] is the reviews of [bounds[d],
	 * bounds[d + 1]); today is today's index. */
	int64_t bounds[PROGRESS_HEAT_DAYS + 1], counts[PROGRESS_HEAT_DAYS];
	int today;
	/* The mean retrievability of the seen cards at now + d days, d in
	 * [0, PROGRESS_FORECAST_DAYS], were none reviewed; NaN when none is seen. */
	double forecast[PROGRESS_FORECAST_DAYS + 1];
	int64_t reviews;                 /* every review recorded */
	struct progress_interview interviews[PROGRESS_INTERVIEWS];   /* the last, newest first */
	size_t ninterviews;
	struct progress_predict *predictions;   /* the demos with predict cards due today */
	size_t npredictions;
	struct progress_dispute *disputes;   /* in question id order */
	size_t ndisputes;
	long disputes_total;
};

/* Reads the progress at now. Returns 0, or -1 with *err set (a new string;
 * the store failed); p is always initialised and must be released. */
int progress_read(const struct catalog *cat, struct store *st, int64_t now, struct progress *p, char **err);
void progress_release(struct progress *p);

/* The reviews of each local day of the last weeks weeks: bounds (weeks * 7
 * + 1 items) gets local midnights from a Monday, the current week last, and
 * counts (weeks * 7 items) the reviews of [bounds[d], bounds[d + 1]); sets
 * *today to today's index. Returns 0, or -1 with *err set. */
int progress_heatmap(struct store *st, int64_t now, int weeks, int64_t *bounds, int64_t *counts, int *today,
                     char **err);
/* The shade of a day of c reviews on a heatmap whose busiest day has max:
 * 0 (none) to 4, the range 1..max cut in four. */
int progress_heat_level(int64_t c, int64_t max);
/* The daily counts [*lo, *hi] that shade level (1 to 4) stands for; false
 * when no count has that shade. */
bool progress_heat_range(int level, int64_t max, int64_t *lo, int64_t *hi);
/* The busiest day of counts[0..today]; *sum gets their total. */
int64_t progress_heat_max(const int64_t *counts, int today, int64_t *sum);

#endif
