/*
 * grade: checks answers against questions. Answer parsers turn what was
 * typed into a choice, a set of choices, a boolean or an order, or give a
 * one-line reason why the text is not an answer at all (the caller asks
 * again instead of grading). Rubric grading of free text goes through the
 * patterns the catalog compiled (regex module, with its limits).
 *
 * Pure: no I/O, no printing, no clock. It does not decide ratings or keep
 * scores; sessions do.
 *
 * Ownership: reasons set through char **err are new strings; the caller
 * frees them. Everything else is borrowed from the caller.
 */
#ifndef PYDOJO_GRADE_H
#define PYDOJO_GRADE_H

#include <stdbool.h>
#include <stddef.h>

struct answer;
struct question;
struct regex;
struct rubric_point;

/* How one rubric point fares against an answer. A regex limit hit is
 * neither found nor missed: the point is not credited, and whoever shows
 * the grade says why. */
enum grade_point {
	GRADE_MISSED,
	GRADE_FOUND,
	GRADE_LIMIT,          /* its pattern hit the regex limits */
	GRADE_REJECT_LIMIT,   /* its pattern matched; its reject pattern hit the limits */
};

/* Grades answer, which must be valid UTF-8, against one rubric point: found
 * when its claim (says or pattern) or its code pattern is found, its
 * reject pattern (if any) does not fire and its wrong claim (if any) is
 * not found. See the RUBRICS section of
 * pydojo(1) for where and how a point of the rubric language is found. */
enum grade_point grade_rubric_point(const struct rubric_point *p, const char *answer);
/* The same on an answer prepared once for every point (answer.h). */
enum grade_point grade_point_in(const struct rubric_point *p, const struct answer *a);
/* Whether p's claim or code is found in a but its reject fires or its
 * wrong claim is found: the point is missed for a wrong claim rather than
 * for a missing one. */
bool grade_point_rejected(const struct rubric_point *p, const struct answer *a);
/* Whether p is a fails_answer point whose reject fires, or whose wrong
 * claim is found, in a: the answer is wrong whatever else it makes. */
bool grade_point_fails_answer(const struct rubric_point *p, const struct answer *a);
/* Grades the answer (valid UTF-8) to a follow-up question on point p: the
 * question only lends its subject, as a sentence before the answer would
 * ("How does a TaskGroup react when one task fails?" "It cancels the
 * others."); nothing in it counts as said, or rejected. */
enum grade_point grade_followup(const struct rubric_point *p, const char *question, const char *answer);

/* Grades free text against a text question's rubric: sets hits[i] for each
 * point found and limited[i] for each point a regex limit left undecided
 * (GRADE_LIMIT or GRADE_REJECT_LIMIT: not found, but not missed either);
 * either array may be NULL, else holds q->nrubric entries. Returns the
 * number of points found. An answer that is not valid UTF-8 finds none. */
size_t grade_rubric(const struct question *q, const char *answer, bool *hits, bool *limited);
/* As grade_rubric, and *fails_by: 1 + the first fails_answer point whose
 * reject fires or wrong claim is found in answer, or 0. */
size_t grade_rubric_fails(const struct question *q, const char *answer, bool *hits, bool *limited, size_t *fails_by);

/* Compiles the patterns of q's rubric now, to machine code too (the
 * first grading does it otherwise, which for the largest rubrics takes
 * over 10 ms): a session calls it while the learner reads the question,
 * so the grade comes as soon as the answer is in. */
void grade_compile_rubric(const struct question *q);

/* Part k of q's rejects (catalog.h), compiled on first use; NULL when it
 * does not compile. q's rejects are split when it is first graded. */
struct regex *grade_reject_part(const struct question *q, size_t k);

/* The letter shown for choice i (0 -> 'a'); choices beyond 'z' have none
 * and are answered by number. */
char grade_letter(size_t i);

/* Parses one choice among n: a letter ("b", "B", "b)") or a 1-based number.
 * Returns 0 and sets *index (0-based), or -1 and sets *err. */
int grade_parse_choice(const char *answer, size_t n, size_t *index, char **err);

/* Parses a set of choices among n: letters or numbers separated by commas
 * and/or spaces ("a,c", "a c", "c, a", "ac"), in any order. Sets
 * selected[0..n) and returns 0, or -1 and sets *err (nothing given, a
 * letter out of range, one given twice). */
int grade_parse_multi(const char *answer, size_t n, bool *selected, char **err);

/* Parses t/f/true/false/y/n/yes/no (any case). Returns 0 and sets *value,
 * or -1 and sets *err. */
int grade_parse_truefalse(const char *answer, bool *value, char **err);

/* Parses an order of n shown items: the 1-based numbers of the items as
 * shown, in the order the answer puts them ("3 1 2", "3,1,2", "312" when
 * n < 10). Sets seq[k] to the 0-based shown position placed k-th and
 * returns 0, or -1 and sets *err (a number missing, repeated or out of
 * range). seq holds n entries. */
int grade_parse_order(const char *answer, size_t n, size_t *seq, char **err);

/* Compares program output line by line, ignoring trailing spaces and tabs
 * (and a carriage return) on each line and trailing blank lines. */
bool grade_output(const char *expected, const char *answer);

/* The result of grading one answer. */
struct grade_result {
	bool correct;
	size_t found;     /* text: key points found; others: 1 when correct */
	size_t total;     /* text: points in the rubric; others: 1 */
	bool *hits;       /* text: q->nrubric flags (a new array); else NULL */
	bool *limited;    /* text: the points a regex limit left undecided, not
	                   * credited (a new array); else NULL */
	size_t fails_by;  /* text: 1 + the fails_answer point whose wrong claim
	                   * the answer makes (then it is wrong), or 0 */
};

/* Grades answer to q. For an order question, shown[i] is the index (in the
 * right order) of the item shown at position i, so a correct answer lists
 * the positions whose shown[] are 0, 1, 2, ...; for a choice or multi
 * question, shown[i] is the index (as written) of the choice shown at
 * position i, so the letters typed name shown positions; NULL: shown as
 * written (always for the other types). Returns 0 and fills *r (release with grade_result_release), or -1
 * and sets *err when the answer is malformed (ask again; not a wrong
 * answer). An output or text answer is never malformed. */
int grade_answer(const struct question *q, const char *answer, const size_t *shown,
		struct grade_result *r, char **err);
void grade_result_release(struct grade_result *r);

/* A choice or multi answer typed against the shown order (shown as for
 * grade_answer; NULL: as written), rewritten with the letters of the
 * choices as written: "c" for a choice, "a,c" (in order) for a multi; a
 * number for a choice beyond 'z'. Returns a new string (caller frees), or
 * NULL when the answer does not parse or q is of another type. */
char *grade_canonical_answer(const struct question *q, const char *answer, const size_t *shown);

/* The score of a result in 0..1: found / total. */
double grade_score(const struct grade_result *r);

#endif
