/*
 * grade-eval: grades answers read from standard input against the text
 * questions of the catalog, for tests/bench/grade_eval.py. Each record is
 * three NUL-terminated fields: question id, a label (echoed back), the
 * answer. For each record it prints one line: label, "pass" or "fail",
 * found/total key points, and one character a point: '1' found, '0' not,
 * 'L' left undecided by a regex limit (or "unknown" when no text question
 * has the id). The content tests use it too.
 * Content comes from PYDOJO_DATADIR (default: the source tree).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "catalog.h"
#include "config.h"
#include "grade.h"
#include "util.h"

static char *field(FILE *f)
{
	struct buf b;
	int ch;
	buf_init(&b);
	while ((ch = getc(f)) != EOF && ch != '\0')
		buf_addc(&b, (char)ch);
	if (ch == EOF && b.len == 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

int main(void)
{
	const char *dir = getenv("PYDOJO_DATADIR");
	struct diag d;
	diag_init(&d);
	struct catalog *c = catalog_new();
	catalog_add_root(c, dir ? dir : PYDOJO_SOURCE_ROOT, false, &d);
	catalog_link(c, &d);
	/* A pattern that does not compile (a reject grown past PCRE2's size
	 * limit) would only show as answers graded differently: say so. */
	for (size_t i = 0; i < d.n && i < 5; i++)
		fprintf(stderr, "grade-eval: %s:%d:%d: %s\n", d.items[i].file, d.items[i].line, d.items[i].col,
		        d.items[i].msg);
	if (d.n > 5)
		fprintf(stderr, "grade-eval: %zu more faults in the content (pydojo check lists them)\n", d.n - 5);
	diag_release(&d);

	char *id, *label, *answer;
	while ((id = field(stdin))) {
		label = field(stdin);
		answer = field(stdin);
		if (!label || !answer) {
			fprintf(stderr, "grade-eval: a record without its label or answer\n");
			return 2;
		}
		const struct question *q = catalog_question(c, id);
		if (!q || q->type != Q_TEXT) {
			printf("%s unknown\n", label);
		} else {
			struct grade_result r;
			char *why = NULL;
			if (grade_answer(q, answer, NULL, &r, &why) < 0) {
				printf("%s malformed\n", label);
				free(why);
			} else {
				printf("%s %s %zu/%zu ", label, r.correct ? "pass" : "fail", r.found, r.total);
				/* R: the point's claim is there, its reject fired. */
				struct answer a;
				answer_prepare(&a, answer);
				for (size_t i = 0; i < q->nrubric; i++)
					putchar(r.limited[i] ? 'L' : r.hits[i] ? '1'
					        : grade_point_rejected(&q->rubric[i], &a) ? 'R' : '0');
				answer_release(&a);
				putchar('\n');
				grade_result_release(&r);
			}
		}
		free(id);
		free(label);
		free(answer);
	}
	catalog_free(c);
	return 0;
}
