/*
 * libFuzzer harness: grading. The first byte picks the question type and
 * the second the number of choices or items (2 to 33) and the right answer;
 * the rest is split at NUL bytes into fields:
 *   text:    PATTERN \0 REJECT \0 ANSWER   (an empty REJECT is none)
 *            or, when the second byte has bit 0x20 set, a point that binds
 *            its claim to a subject:
 *            SAYS \0 REJECT \0 ABOUT \0 NOT_ABOUT \0 ANSWER
 *            and with bit 0x40 set too, REJECT is also a wrong claim, bound
 *            to NOT_ABOUT against ABOUT (wrong, wrong_about, wrong_not_about);
 *            with bit 0x80 set, a REJECT (or wrong claim) fails the answer
 *            (fails_answer)
 *   output:  EXPECTED \0 ANSWER
 *   others:  ANSWER [\0 BYTES that shuffle the order shown]
 * A text or output answer may span lines, as the learner writes it; any
 * other answer ends at its first newline, as a line read from the learner.
 * A text question's rubric is compiled as the catalog compiles it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "answer.h"
#include "catalog.h"
#include "fuzz.h"
#include "grade.h"
#include "regex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next NUL-terminated field of [*p, end); "" past the end. */
static char *field(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *s = *p;
	const uint8_t *z = memchr(s, '\0', (size_t)(end - s));
	size_t n = z ? (size_t)(z - s) : (size_t)(end - s);
	*p = z ? z + 1 : end;
	return xstrndup((const char *)s, n);
}

static struct regex *compile(const char *pattern)
{
	if (!*pattern)
		return NULL;
	char *err = NULL;
	size_t off = 0;
	size_t bad;
	unsigned flags = REGEX_CASELESS | REGEX_ASCII_WORDS | (utf8_valid(pattern, strlen(pattern), &bad) ? REGEX_VALID_UTF8 : 0);
	struct regex *re = regex_compile(pattern, flags, &err, &off);
	if (!re && !err)
		abort(); /* a failure without a reason */
	free(err);
	return re;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	const uint8_t *p = data + 2, *end = data + size;
	size_t n = 2 + (data[1] & 31);
	struct question q;
	memset(&q, 0, sizeof q);
	q.type = (enum qtype)(data[0] % Q_NTYPES);
	const char **labels = xcalloc(n, sizeof *labels);
	for (size_t i = 0; i < n; i++)
		labels[i] = "x";
	q.choices.v = q.items.v = labels;
	q.choices.n = q.items.n = n;
	q.answer = (long)(data[0] >> 3) % (long)n;
	q.answer_bool = data[0] & 0x80;
	long answers[2] = {0, q.answer};
	q.answers = answers;
	q.nanswers = q.answer ? 2 : 1;
	struct rubric_point point, wrong;
	memset(&point, 0, sizeof point);
	memset(&wrong, 0, sizeof wrong);
	char *f1 = NULL, *f2 = NULL, *f3 = NULL, *f4 = NULL, *answer = NULL;
	size_t *shown = NULL;
	if (q.type == Q_TEXT) {
		f1 = field(&p, end);
		f2 = field(&p, end);
		point.pattern = f1;
		point.re = compile(f1);
		point.reject = *f2 ? f2 : NULL;
		point.reject_re = compile(f2);
		if (data[1] & 0x20) {
			/* The compiled pattern stands for its expansion: the
			 * grader reads the negator flags from the sources. */
			f3 = field(&p, end);
			f4 = field(&p, end);
			point.says = f1;
			point.expanded[RUBRIC_CLAIM] = f1;
			point.expanded[RUBRIC_REJECT] = *f2 ? f2 : NULL;
			point.expanded[RUBRIC_ABOUT] = *f3 ? f3 : NULL;
			point.expanded[RUBRIC_NOT_ABOUT] = *f4 ? f4 : NULL;
			point.about = *f3 ? f3 : NULL;
			point.about_re = compile(f3);
			point.not_about = *f4 ? f4 : NULL;
			point.not_about_re = compile(f4);
			point.negative[RUBRIC_CLAIM] = answer_has_negator(f1);
			point.negative[RUBRIC_REJECT] = answer_has_negator(f2);
			point.negative[RUBRIC_ABOUT] = answer_has_negator(f3);
			point.negative[RUBRIC_NOT_ABOUT] = answer_has_negator(f4);
			point.negative_known = true;
			if ((data[1] & 0x40) && *f2 && *f4) {
				wrong.is_wrong = true;
				wrong.says = wrong.expanded[RUBRIC_CLAIM] = f2;
				wrong.re = compile(f2);
				wrong.about = wrong.expanded[RUBRIC_ABOUT] = f4;
				wrong.about_re = compile(f4);
				wrong.not_about = *f3 ? f3 : NULL;
				wrong.expanded[RUBRIC_NOT_ABOUT] = *f3 ? f3 : NULL;
				wrong.not_about_re = compile(f3);
				wrong.negative[RUBRIC_CLAIM] = point.negative[RUBRIC_REJECT];
				wrong.negative[RUBRIC_ABOUT] = point.negative[RUBRIC_NOT_ABOUT];
				wrong.negative[RUBRIC_NOT_ABOUT] = point.negative[RUBRIC_ABOUT];
				wrong.negative_known = wrong.compiled = true;
				point.wrong = &wrong;
			}
		}
		point.fails_answer = (data[1] & 0x80) && point.reject;
		point.compiled = true;
		q.rubric = &point;
		q.nrubric = 1;
		q.pass = 1;
	} else if (q.type == Q_OUTPUT) {
		f1 = field(&p, end);
		q.expected = f1;
	}
	answer = field(&p, end);
	if (q.type != Q_TEXT && q.type != Q_OUTPUT)
		answer[strcspn(answer, "\n")] = '\0'; /* one line of input */
	if (q.type == Q_ORDER) {
		shown = xcalloc(n, sizeof *shown);
		for (size_t i = 0; i < n; i++)
			shown[i] = i;
		for (size_t i = n - 1; i > 0 && p < end; i--, p++) {
			size_t j = *p % (i + 1), t = shown[i];
			shown[i] = shown[j];
			shown[j] = t;
		}
	}
	struct grade_result r;
	char *why = NULL;
	if (grade_answer(&q, answer, shown, &r, &why) == 0) {
		if (why || r.found > r.total || (r.correct && r.found < (q.type == Q_TEXT ? q.pass : 1)))
			abort(); /* an inconsistent result */
		if (q.type == Q_TEXT && (grade_rubric(&q, answer, NULL, NULL) >= q.pass) != r.correct)
			abort(); /* the count disagrees with the verdict */
		grade_result_release(&r);
	} else if (!why || strchr(why, '\n')) {
		abort(); /* a malformed answer needs a one-line reason */
	}
	free(why);
	catalog_drop_grading(&q);
	regex_free(point.re);
	regex_free(point.reject_re);
	regex_free(point.about_re);
	regex_free(point.not_about_re);
	regex_free(wrong.re);
	regex_free(wrong.about_re);
	regex_free(wrong.not_about_re);
	free(f4);
	free(f3);
	free(shown);
	free(answer);
	free(f2);
	free(f1);
	free(labels);
	return 0;
}
