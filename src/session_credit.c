/*
 * session_credit: the partial credit shown under a wrong answer, after the
 * verdict and in the list of missed questions: for a multi answer which
 * choices were right and chosen, chosen but wrong, or missed; for an order
 * answer its longest run in the right order; for an output answer a line
 * diff against the expected output, with a note when only whitespace or
 * quote style differ. Grading is left as it is: this only explains it.
 * Everything from content or from the answer is printed made visible.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "catalog.h"
#include "grade.h"
#include "session_int.h"
#include "util.h"

/* Lines of a diff kept around each change, and the most lines shown. */
#define DIFF_CONTEXT 2
#define DIFF_SHOWN 40

/* The label of the choice at shown position i, without its ") ". */
static void choice_name(struct buf *b, const struct question *q, size_t i)
{
	if (q->choices.n <= 26)
		buf_addc(b, grade_letter(i));
	else
		buf_printf(b, "%zu", i + 1);
}

static bool is_answer(const struct question *q, size_t c)
{
	for (size_t k = 0; k < q->nanswers; k++)
		if (q->answers[k] == (long)c)
			return true;
	return false;
}

/* answer holds the choices as written (the canonical answer); they are
 * named by the positions they were shown at. */
static void put_multi(struct buf *b, const struct session *s, const struct question *q, const char *answer,
                      const size_t *shown, const char *indent)
{
	size_t n = q->choices.n;
	bool *chosen = xcalloc(n ? n : 1, sizeof *chosen);
	char *err = NULL;
	if (grade_parse_multi(answer, n, chosen, &err) < 0) {
		free(err);
		free(chosen);
		return;
	}
	static const char *const group[] = {"right and chosen: ", "chosen but wrong: ", "missed (right, not chosen): "};
	for (int g = 0; g < 3; g++) {
		struct buf line;
		buf_init(&line);
		for (size_t i = 0; i < n; i++) {
			size_t c = shown ? shown[i] : i;
			bool right = is_answer(q, c), took = chosen[c];
			if ((g == 0 && right && took) || (g == 1 && !right && took) || (g == 2 && right && !took)) {
				if (line.len)
					buf_puts(&line, ", ");
				choice_name(&line, q, i);
			}
		}
		if (line.len) {
			buf_puts(b, indent);
			session_put_styled(b, s, g ? STYLE_BAD : STYLE_OK, g ? "✗ " : "✓ ");
			buf_puts(b, group[g]);
			buf_add(b, line.data, line.len);
			buf_addc(b, '\n');
		}
		buf_release(&line);
	}
	free(chosen);
}

/* answer holds the shown positions in the learner's order. */
static void put_order(struct buf *b, const struct question *q, const char *answer, const size_t *shown,
                      const char *indent)
{
	size_t n = q->items.n;
	size_t *seq = xcalloc(n ? n : 1, sizeof *seq), *right = xcalloc(n ? n : 1, sizeof *right);
	bool *in_run = xcalloc(n ? n : 1, sizeof *in_run);
	char *err = NULL;
	if (grade_parse_order(answer, n, seq, &err) == 0) {
		for (size_t k = 0; k < n; k++)
			right[k] = shown ? shown[seq[k]] : seq[k];
		size_t run = answer_longest_run(right, n, in_run);
		buf_printf(b, "%s%zu of %zu in the right order:", indent, run, n);
		for (size_t k = 0; k < n; k++)
			if (in_run[k])
				buf_printf(b, " %zu", seq[k] + 1);
		buf_puts(b, " (your longest run in the right relative order)\n");
	}
	free(err);
	free(in_run);
	free(right);
	free(seq);
}

static void put_diff_line(struct buf *b, const struct session *s, const struct answer_diff_line *l,
                          const char *indent)
{
	buf_puts(b, indent);
	buf_puts(b, "  ");
	if (l->op == ' ')
		buf_puts(b, "  ");
	else
		session_put_styled(b, s, l->op == '-' ? STYLE_BAD : STYLE_OK, l->op == '-' ? "- " : "+ ");
	buf_add_visible(b, l->text, l->len, 0);
	buf_addc(b, '\n');
}

static void put_output(struct buf *b, const struct session *s, const struct question *q, const char *answer,
                       const char *indent)
{
	if (!q->expected)
		return;
	struct answer_diff_line *d;
	size_t nd = answer_diff_lines(q->expected, answer, &d);
	buf_printf(b, "%syour output against the expected (- expected, + yours):\n", indent);
	size_t shown = 0, skipped = 0;
	for (size_t i = 0; i < nd; i++) {
		bool near = false;
		for (size_t k = i >= DIFF_CONTEXT ? i - DIFF_CONTEXT : 0; k < nd && k <= i + DIFF_CONTEXT && !near; k++)
			near = d[k].op != ' ';
		if (!near || shown >= DIFF_SHOWN) {
			skipped++;
			continue;
		}
		if (skipped && shown)
			buf_printf(b, "%s    ...\n", indent);
		skipped = 0;
		put_diff_line(b, s, &d[i], indent);
		shown++;
	}
	if (shown >= DIFF_SHOWN && skipped)
		buf_printf(b, "%s    ... (%zu more line%s)\n", indent, skipped, skipped == 1 ? "" : "s");
	free(d);
	static const char *const why[] = {
		[ANSWER_NEAR_SPACE] = "only whitespace differs (indentation, blank lines or spaces)",
		[ANSWER_NEAR_QUOTES] = "only the quote style differs ('x' against \"x\")",
		[ANSWER_NEAR_BOTH] = "only whitespace and quote style differ",
	};
	enum answer_near near = answer_output_near(q->expected, answer);
	if (near != ANSWER_NEAR_NONE)
		buf_printf(b, "%snote: %s; still wrong, since output must match exactly\n", indent, why[near]);
}

void session_put_credit(struct buf *b, const struct session *s, const struct question *q, const char *answer,
                        const size_t *shown, const char *indent)
{
	if (!answer)
		return;
	if (q->type == Q_MULTI)
		put_multi(b, s, q, answer, shown, indent);
	else if (q->type == Q_ORDER)
		put_order(b, q, answer, shown, indent);
	else if (q->type == Q_OUTPUT)
		put_output(b, s, q, answer, indent);
}
