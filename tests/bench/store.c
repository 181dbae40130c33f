/*
 * store-bench: the answer path in one process. Each simulated answer is
 * graded against a text rubric of the shipped content (the rubric examples
 * and model answers as answers), scheduled by fsrs and recorded by
 * store_record_review (one BEGIN IMMEDIATE transaction) in a temporary
 * database; the program prints answers per second and the median and 90th
 * percentile time per answer, split into grade and schedule+store.
 *
 *     store-bench [ANSWERS]              (default 10000)
 *     store-bench --make-db PATH REVIEWS (a database for timing `stats`)
 *
 * --make-db fills PATH with REVIEWS reviews of the catalog's questions,
 * spread over the 12 weeks before PYDOJO_NOW (or now), for tests/bench/
 * store.py, which times `pydojo stats` over it. Content comes from
 * PYDOJO_DATADIR (default: the source tree).
 */
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "clock.h"
#include "config.h"
#include "fsrs.h"
#include "grade.h"
#include "store.h"
#include "util.h"

static struct catalog *load(void)
{
	const char *dir = getenv("PYDOJO_DATADIR");
	struct diag d;
	diag_init(&d);
	struct catalog *c = catalog_new();
	catalog_add_root(c, dir ? dir : PYDOJO_SOURCE_ROOT, false, &d);
	/* Dangling cross-references do not matter here; the questions do. */
	catalog_link(c, &d);
	diag_release(&d);
	return c;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
	qsort(v, n, sizeof *v, cmp_double);
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i];
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* The text questions with a compiled rubric, and answers to grade. */
struct corpus {
	const struct question **q;
	const char **answer;
	size_t n, cap;
};

static void corpus_add(struct corpus *c, const struct question *q, const char *a)
{
	if (!a)
		return;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 256;
		c->q = xrealloc(c->q, c->cap * sizeof *c->q);
		c->answer = xrealloc(c->answer, c->cap * sizeof *c->answer);
	}
	c->q[c->n] = q;
	c->answer[c->n++] = a;
}

static int answers(long n)
{
	struct catalog *cat = load();
	struct corpus cp = {0};
	size_t ntext = 0;
	for (size_t i = 0; i < catalog_nquestions(cat); i++) {
		const struct question *q = catalog_question_at(cat, i);
		if (q->type != Q_TEXT || !q->nrubric || !q->rubric[0].re)
			continue;
		ntext++;
		corpus_add(&cp, q, q->model_answer);
		for (size_t k = 0; k < q->ex_pass.n; k++)
			corpus_add(&cp, q, q->ex_pass.v[k]);
		for (size_t k = 0; k < q->ex_fail.n; k++)
			corpus_add(&cp, q, q->ex_fail.v[k]);
	}
	if (!cp.n) {
		fprintf(stderr, "store-bench: no text question with a rubric in the content\n");
		return 1;
	}

	char dir[] = "/tmp/store-bench-XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	char *path = xasprintf("%s/progress.db", dir);
	char *err = NULL;
	struct store *st = store_open(path, &err);
	if (!st) {
		fprintf(stderr, "store-bench: %s\n", err);
		return 1;
	}
	struct fsrs_params p;
	fsrs_params_init(&p);
	struct fsrs_rng rng;
	fsrs_rng_init(&rng, 42);

	double *total = xcalloc((size_t)n, sizeof *total);
	double *tgrade = xcalloc((size_t)n, sizeof *tgrade);
	double *tstore = xcalloc((size_t)n, sizeof *tstore);
	bool *hits = xcalloc(64, sizeof *hits);
	int64_t now = INT64_C(1704067200);
	size_t ncorrect = 0;
	double start = clock_mono();
	for (long i = 0; i < n; i++) {
		size_t k = (size_t)i % cp.n;
		const struct question *q = cp.q[k];
		double t0 = clock_mono();
		size_t found = grade_rubric(q, cp.answer[k], q->nrubric <= 64 ? hits : NULL, NULL);
		bool correct = found >= q->pass;
		double t1 = clock_mono();
		/* The answer of a session: one minute after the previous one. */
		now += 60;
		struct store_card card;
		bool seen;
		if (store_get_card(st, q->id, now, &card, &seen, &err) < 0)
			goto fail;
		enum fsrs_rating g = correct ? (found == q->nrubric ? FSRS_GOOD : FSRS_HARD) : FSRS_AGAIN;
		struct fsrs_card after;
		if (fsrs_review(&p, &card.fsrs, g, now, &rng, &after) < 0) {
			err = xstrdup("fsrs_review failed");
			goto fail;
		}
		struct store_review r = {
			.question_id = q->id,
			.topic = q->quiz->topic,
			.at = now,
			.rating = g,
			.correct = correct,
			.score = (double)found / (double)q->nrubric,
			.duration_ms = 5000,
			.answer = cp.answer[k],
			.session_id = STORE_NO_SESSION,
		};
		if (store_record_review(st, &r, &after, NULL, &err) < 0)
			goto fail;
		double t2 = clock_mono();
		tgrade[i] = t1 - t0;
		tstore[i] = t2 - t1;
		total[i] = t2 - t0;
		ncorrect += correct;
	}
	double wall = clock_mono() - start;
	printf("answers: %ld over %zu text questions (%zu answers to grade), %zu graded correct\n", n, ntext,
	       cp.n, ncorrect);
	printf("answers/s: %.0f (%.3f s in all)\n", (double)n / wall, wall);
	printf("per answer: median %.1f us, p90 %.1f us, max %.1f us\n", 1e6 * pct(total, (size_t)n, 0.5),
	       1e6 * pct(total, (size_t)n, 0.9), 1e6 * pct(total, (size_t)n, 1.0));
	printf("  grade:            median %.1f us\n", 1e6 * pct(tgrade, (size_t)n, 0.5));
	printf("  schedule + store: median %.1f us\n", 1e6 * pct(tstore, (size_t)n, 0.5));
	printf("target: median < 1000 us per answer: %s\n", pct(total, (size_t)n, 0.5) < 1e-3 ? "met" : "MISSED");
	store_close(st);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(path);
	free(total);
	free(tgrade);
	free(tstore);
	free(hits);
	free(cp.q);
	free(cp.answer);
	catalog_free(cat);
	return 0;
fail:
	fprintf(stderr, "store-bench: %s\n", err);
	free(err);
	store_close(st);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return 1;
}

static int make_db(const char *path, long n)
{
	struct catalog *cat = load();
	size_t nq = catalog_nquestions(cat);
	if (!nq) {
		fprintf(stderr, "store-bench: no questions in the content\n");
		return 1;
	}
	char *err = NULL;
	if (access(path, F_OK) == 0) {
		fprintf(stderr, "store-bench: '%s' exists; give a new path\n", path);
		return 1;
	}
	struct store *st = store_open(path, &err);
	if (!st) {
		fprintf(stderr, "store-bench: %s\n", err);
		return 1;
	}
	struct fsrs_params p;
	fsrs_params_init(&p);
	struct fsrs_rng rng;
	fsrs_rng_init(&rng, 7);
	int64_t end = clock_now();
	/* 84 days of reviews, in time order, ending an hour before now. */
	int64_t span = 84 * FSRS_DAY, t0 = end - span - 3600;
	for (long i = 0; i < n; i++) {
		const struct question *q = catalog_question_at(cat, (size_t)i % nq);
		int64_t at = t0 + (int64_t)((double)span * (double)i / (double)n);
		struct store_card card;
		bool seen;
		if (store_get_card(st, q->id, at, &card, &seen, &err) < 0)
			goto fail;
		if (card.fsrs.last_review != FSRS_NEVER && at < card.fsrs.last_review)
			at = card.fsrs.last_review;
		enum fsrs_rating g = (enum fsrs_rating)(1 + fsrs_rng_next(&rng) % 4);
		struct fsrs_card after;
		if (fsrs_review(&p, &card.fsrs, g, at, &rng, &after) < 0) {
			err = xstrdup("fsrs_review failed");
			goto fail;
		}
		struct store_review r = {.question_id = q->id, .topic = q->quiz->topic, .at = at, .rating = g,
		                         .correct = g > FSRS_AGAIN, .score = NAN, .duration_ms = 4000,
		                         .answer = "a simulated answer of a few words, as people type them"};
		if (store_record_review(st, &r, &after, NULL, &err) < 0)
			goto fail;
	}
	/* A few interviews for the report. */
	for (int i = 0; i < 5; i++) {
		int64_t id;
		const char *res = "{\"asked\": 10, \"correct\": 6, \"score\": 0.6, \"seconds\": 1200, \"topics\": "
		                  "{\"gil\": {\"asked\": 5, \"correct\": 3, \"score\": 0.6}, \"threads\": {\"asked\": "
		                  "5, \"correct\": 3, \"score\": 0.6}}, \"missed\": []}";
		if (store_session_start(st, STORE_INTERVIEW, end - (i + 1) * FSRS_DAY, &id, &err) < 0 ||
		    store_session_end(st, id, end - (i + 1) * FSRS_DAY + 1200, res, 0.6, &err) < 0)
			goto fail;
	}
	store_close(st);
	printf("made '%s': %ld reviews of %zu questions\n", path, n, nq);
	catalog_free(cat);
	return 0;
fail:
	fprintf(stderr, "store-bench: %s\n", err);
	free(err);
	store_close(st);
	catalog_free(cat);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--make-db") == 0)
		return make_db(argv[2], atol(argv[3]));
	long n = argc > 1 ? atol(argv[1]) : 10000;
	if (n < 1 || argc > 2) {
		fprintf(stderr, "usage: store-bench [ANSWERS] | --make-db PATH REVIEWS\n");
		return 2;
	}
	return answers(n);
}
