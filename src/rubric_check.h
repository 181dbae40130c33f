/*
 * rubric_check: the rubric self-check of `check`. Every text question's
 * model answer must pass its own rubric, and its rubric examples must grade
 * as declared ('pass' ones pass, 'fail' ones fail); a pattern that hits the
 * regex match limits on any of them is reported, since a learner's answer
 * like it could not be graded either. It sits above the catalog and the
 * grader, so that neither needs the other's header.
 *
 * A verified set (ycache.h) remembers the questions that passed: one whose
 * every input (its patterns, the vocabulary they expand against, its model
 * answer and examples, the binary) is unchanged is not graded again. Its
 * patterns are compiled to machine code on first use, as when grading.
 *
 * Errors go to a struct diag, at the model answer, the example or the
 * pattern; nothing is printed.
 */
#ifndef PYDOJO_RUBRIC_CHECK_H
#define PYDOJO_RUBRIC_CHECK_H

#include <stddef.h>

struct catalog;
struct diag;

struct rubric_check_counts {
	size_t graded;      /* questions whose rubric ran on their examples */
	size_t unchanged;   /* skipped: unchanged since they last passed */
};

/* Checks the text questions of every non-reference quiz of c, linked by
 * catalog_link (which may have left their patterns to compile here:
 * catalog_defer_compile). With verified_path (a file, see ycache.h; NULL:
 * none), questions recorded there as passed are skipped and those that pass
 * are recorded. Sets *n when n is not NULL. Returns 0 when d gained no
 * error, else -1. */
int rubric_check(struct catalog *c, const char *verified_path, struct diag *d, struct rubric_check_counts *n);

#endif
