/*
 * grade: answer checking.
 */
#include "grade.h"

#include "catalog.h"
#include "regex.h"

size_t grade_rubric(const struct question *q, const char *answer, bool *hits)
{
	size_t found = 0;
	for (size_t i = 0; i < q->nrubric; i++) {
		const struct rubric_point *p = &q->rubric[i];
		bool hit = p->re && regex_matches(p->re, answer) &&
		           !(p->reject_re && regex_matches(p->reject_re, answer));
		if (hits)
			hits[i] = hit;
		found += hit;
	}
	return found;
}
