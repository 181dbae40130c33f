/*
 * rubric_check: grades each text question's model answer and rubric
 * examples against its own rubric, for `check` (see rubric_check.h).
 */
#include "rubric_check.h"

#include <stdio.h>
#include <stdlib.h>

#include "answer.h"
#include "catalog.h"
#include "diag.h"
#include "grade.h"
#include "regex.h"
#include "terms.h"
#include "util.h"
#include "ycache.h"

#define PERR(dg, p, ...) diag_add((dg), (p).file, (p).line, (p).col, __VA_ARGS__)

/* Grades text (the model answer or an example, named by what) for check:
 * sets hits[] and *found, and returns false when a pattern hit the regex
 * limits on it, which a learner's answer like it would too. That is
 * reported at the pattern, once per pattern (reported[] holds three flags
 * a point: its pattern, its reject and its wrong claim). */
static bool check_grade(struct diag *dg, const struct question *q, const char *text, const char *what,
                        bool *hits, bool *reported, size_t *found, size_t *fails_by)
{
	bool limit = false;
	*found = 0;
	*fails_by = 0;
	struct answer a;
	answer_prepare(&a, text);   /* content is valid UTF-8 */
	for (size_t i = 0; i < q->nrubric; i++) {
		const struct rubric_point *p = &q->rubric[i];
		enum grade_point g = grade_point_in(p, &a);
		hits[i] = g == GRADE_FOUND;
		*found += hits[i];
		if (!*fails_by && g == GRADE_MISSED && grade_point_fails_answer(p, &a))
			*fails_by = i + 1;
		if (g != GRADE_LIMIT && g != GRADE_REJECT_LIMIT)
			continue;
		limit = true;
		/* 0: the claim's; 1: the reject's; 2: the wrong claim's (when the
		 * point without it grades without a limit). */
		int which = g == GRADE_REJECT_LIMIT;
		if (which && p->wrong) {
			struct rubric_point alone = *p;
			alone.wrong = NULL;
			if (grade_point_in(&alone, &a) != GRADE_REJECT_LIMIT)
				which = 2;
		}
		if (reported[3 * i + which])
			continue;
		reported[3 * i + which] = true;
		static const char *const names[] = {"says", "reject", "wrong"};
		PERR(dg, which == 2 ? p->wrong->says_pos : which ? p->reject_pos : p->says ? p->says_pos : p->pattern ? p->pattern_pos : p->code_pos,
		     "%s hits the regex match limits on %s: an answer like it cannot be graded (simplify the pattern)",
		     which || p->says ? names[which] : p->pattern ? "pattern" : "code", what);
	}
	answer_release(&a);
	return !limit;
}

static void check_text_question(struct diag *dg, const struct question *q)
{
	if (q->nrubric == 0)
		return;
	for (size_t i = 0; i < q->nrubric; i++)
		if (q->rubric[i].broken || (q->rubric[i].wrong && q->rubric[i].wrong->broken))
			return; /* already reported: a pattern that does not compile */
	bool *hits = xcalloc(q->nrubric, sizeof *hits);
	bool *reported = xcalloc(3 * q->nrubric, sizeof *reported);
	size_t got, fails_by;
	bool graded = q->model_answer && check_grade(dg, q, q->model_answer, "the model answer", hits, reported, &got,
	                                             &fails_by);
	if (graded && fails_by) {
		PERR(dg, q->model_pos, "model answer makes the wrong claim that fails an answer at point %zu ('%s')",
		     fails_by, q->rubric[fails_by - 1].point);
	} else if (graded && got < q->pass) {
		struct buf missed;
		buf_init(&missed);
		for (size_t i = 0; i < q->nrubric; i++)
			if (!hits[i])
				buf_printf(&missed, "%s'%s'", missed.len ? ", " : "", q->rubric[i].point);
		PERR(dg, q->model_pos, "model answer fails its own rubric (%zu/%zu points, %zu needed; missed %s)",
		     got, q->nrubric, q->pass, missed.data);
		buf_release(&missed);
	}
	for (int want = 1; want >= 0; want--) {
		const struct strlist *l = want ? &q->ex_pass : &q->ex_fail;
		for (size_t i = 0; i < l->n; i++) {
			char what[64];
			snprintf(what, sizeof what, "the '%s' example at line %d", want ? "pass" : "fail", l->pos[i].line);
			if (!check_grade(dg, q, l->v[i], what, hits, reported, &got, &fails_by) ||
			    (got >= q->pass && !fails_by) == (bool)want)
				continue;
			if (fails_by)
				PERR(dg, l->pos[i], "rubric example should pass but fails: it makes the wrong claim that fails "
				     "an answer at point %zu", fails_by);
			else
				PERR(dg, l->pos[i], "rubric example should %s but %s (%zu/%zu points, %zu needed)",
				     want ? "pass" : "fail", want ? "fails" : "passes", got, q->nrubric, q->pass);
		}
	}
	free(reported);
	free(hits);
}

/* The key of all that decides check_text_question's outcome. */
static struct ycheck_key text_check_key(const struct question *q)
{
	struct ycheck_key k = {{0, 0}};
	ycheck_key_add(&k, &q->pass, sizeof q->pass);
	ycheck_key_add(&k, &q->nrubric, sizeof q->nrubric);
	for (size_t i = 0; i < q->nrubric; i++)
		for (const struct rubric_point *p = &q->rubric[i]; p; p = p->is_wrong ? NULL : p->wrong) {
			const char *raw[] = {p->point, p->pattern, p->reject, p->says, p->about, p->not_about, p->code};
			for (size_t r = 0; r < sizeof raw / sizeof *raw; r++)
				ycheck_key_str(&k, raw[r]);
			/* What its terms expand to: the vocabulary it is expanded
			 * against (deferred), or the expansions themselves. */
			unsigned long long vocab = terms_fingerprint(p->terms);
			ycheck_key_add(&k, &vocab, sizeof vocab);
			for (int r = 0; r < RUBRIC_CODE; r++)
				ycheck_key_str(&k, p->terms ? NULL : p->expanded[r]);
			/* Whether it has a wrong claim, whether this is one, and
			 * whether its wrong claims fail the answer. */
			ycheck_key_add(&k, &p->is_wrong, sizeof p->is_wrong);
			ycheck_key_add(&k, &p->fails_answer, sizeof p->fails_answer);
		}
	ycheck_key_str(&k, q->model_answer);
	const struct strlist *ls[2] = {&q->ex_pass, &q->ex_fail};
	for (int l = 0; l < 2; l++) {
		ycheck_key_add(&k, &ls[l]->n, sizeof ls[l]->n);
		for (size_t i = 0; i < ls[l]->n; i++)
			ycheck_key_str(&k, ls[l]->v[i]);
	}
	return k;
}

/* check_text_question, skipped when the verified set says that exactly
 * this question passed it before; returns whether it ran. Patterns that catalog_link left
 * uncompiled (catalog_defer_compile) are compiled here, only for the
 * questions checked. */
static bool check_text_question_once(struct yverified *verified, struct diag *dg, struct question *q)
{
	struct ycheck_key k = {{0, 0}};
	if (verified) {
		k = text_check_key(q);
		if (yverified_has(verified, &k))
			return false;
	}
	size_t before = dg->n;
	bool broken = false;
	for (size_t i = 0; i < q->nrubric; i++)
		for (struct rubric_point *p = &q->rubric[i]; p; p = p->is_wrong ? NULL : p->wrong) {
			if (!p->compiled && !p->broken)
				catalog_compile_point(p, dg);
			broken |= p->broken;
		}
	check_text_question(dg, q);
	if (verified && dg->n == before && !broken)
		yverified_add(verified, &k);
	return true;
}

int rubric_check(struct catalog *c, const char *verified_path, struct diag *d, struct rubric_check_counts *n)
{
	size_t before = d->n;
	struct rubric_check_counts counts = {0, 0};
	struct yverified *verified = verified_path ? yverified_open(verified_path) : NULL;
	for (size_t i = 0; i < catalog_nquizzes(c); i++) {
		struct quiz *qz = catalog_quiz_at(c, i);
		if (qz->reference)
			continue;   /* its faults are not reported */
		for (size_t k = 0; k < qz->n; k++)
			if (qz->questions[k].type == Q_TEXT) {
				if (check_text_question_once(verified, d, &qz->questions[k]))
					counts.graded++;
				else
					counts.unchanged++;
			}
	}
	if (n)
		*n = counts;
	yverified_save(verified);
	yverified_free(verified);
	return d->n > before ? -1 : 0;
}
