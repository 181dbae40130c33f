/*
 * rubric_check: the rubric self-check of `check`. Every text question's
 * model answer must pass its own rubric, and its rubric examples must grade
 * as declared ('pass' ones pass, 'fail' ones fail); a pattern that hits the
 * regex match limits on any of them is reported, since a learner's answer
 * like it could not be graded either. It sits above the catalog and the
 * grader, so that neither needs the other's header.
 *
 * A verified set (ycache.h) remembers the questions that passed: one whose
 * every input (its patterns with their terms expanded, its model answer and
 * examples, the binary) is unchanged is not graded again.
 *
 * Errors go to a struct diag, at the model answer, the example or the
 * pattern; nothing is printed.
 */
#ifndef PYDOJO_RUBRIC_CHECK_H
#define PYDOJO_RUBRIC_CHECK_H

struct catalog;
struct diag;

/* Checks the text questions of every non-reference quiz of c, linked by
 * catalog_link (which may have left their patterns to compile here:
 * catalog_defer_compile). With verified_path (a file, see ycache.h; NULL:
 * none), questions recorded there as passed are skipped and those that pass
 * are recorded. Returns 0 when d gained no error, else -1. */
int rubric_check(struct catalog *c, const char *verified_path, struct diag *d);

#endif
