/*
 * grade: checks answers against questions. Rubric grading of free text goes
 * through the patterns the catalog compiled (regex module, with its limits).
 * Pure: no I/O, no printing.
 */
#ifndef PYDOJO_GRADE_H
#define PYDOJO_GRADE_H

#include <stdbool.h>
#include <stddef.h>

struct question;

/* Grades free text against a text question's rubric: sets hits[i] for each
 * point found (hits may be NULL, else holds q->nrubric entries) and returns
 * the number found. A point is found when its pattern matches and its reject
 * pattern does not. */
size_t grade_rubric(const struct question *q, const char *answer, bool *hits);

#endif
