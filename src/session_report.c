/*
 * session_report: the end of a run, as a summary, an interview report or
 * JSON, and the output helpers the asking shares.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "catalog.h"
#include "clock.h"
#include "grade.h"
#include "plan.h"
#include "session_int.h"
#include "util.h"

void session_format_wait(char *buf, size_t size, int64_t s)
{
	if (s < 60)
		snprintf(buf, size, "%llds", (long long)(s < 0 ? 0 : s));
	else if (s < 3600)
		snprintf(buf, size, "%lldm", (long long)((s + 30) / 60));
	else if (s < 86400)
		snprintf(buf, size, "%lldh", (long long)((s + 1800) / 3600));
	else
		snprintf(buf, size, "%lldd", (long long)((s + 43200) / 86400));
}

void session_flush_buf(struct buf *b)
{
	fwrite(b->data, 1, b->len, stdout);
	fflush(stdout);
	buf_truncate(b, 0);
}

void session_put_styled(struct buf *b, const struct session *s, enum render_style st, const char *text)
{
	render_styled(b, st, text, strlen(text), &s->env->ro);
}

/* A labelled item ("a) ", "3. ") whose Markdown text wraps under itself. */
void session_put_item(struct buf *b, const struct session *s, const char *label, const char *md)
{
	struct render_opts o = s->env->ro;
	int indent = 4 + (int)strlen(label);
	o.width = o.width - indent > 30 ? o.width - indent : 30;
	struct buf t;
	buf_init(&t);
	render_markdown(&t, md, 0, &o);
	while (t.len && t.data[t.len - 1] == '\n')
		t.data[--t.len] = '\0';
	buf_printf(b, "    %s", label);
	for (const char *p = t.data; *p;) {
		size_t n = strcspn(p, "\n");
		buf_add(b, p, n);
		buf_addc(b, '\n');
		p += n;
		while (*p == '\n')
			p++;
		if (*p)
			buf_printf(b, "%*s", indent, "");
	}
	if (!t.len)
		buf_addc(b, '\n');
	buf_release(&t);
}

void session_put_md(struct buf *b, const struct session *s, const char *md, int indent)
{
	render_markdown(b, md, indent, &s->env->ro);
	if (b->len && b->data[b->len - 1] != '\n')
		buf_addc(b, '\n');
}

/* A countdown as m:ss, rounded up (0:01 until it is really over). */
void session_format_clock(char *buf, size_t size, double seconds)
{
	if (seconds < 0)
		seconds = 0;
	long t = (long)ceil(seconds);
	snprintf(buf, size, "%ld:%02ld", t / 60, t % 60);
}

/* A time taken as m:ss, rounded to the nearest second. */
void session_format_taken(char *buf, size_t size, double seconds)
{
	if (seconds < 0)
		seconds = 0;
	long t = lround(seconds);
	snprintf(buf, size, "%ld:%02ld", t / 60, t % 60);
}


/* Where to read about a point the answer missed: one line, when the point
 * names the section that teaches it. */
void session_put_read(struct buf *b, const struct question *q, const struct rubric_point *p, const char *indent)
{
	char *learn = catalog_point_section(q, p);
	if (learn)
		buf_printf(b, "%sread: learn %s\n", indent, learn);
	free(learn);
}

void session_put_point(struct buf *b, const struct session *s, const char *lead, const char *point, int hang)
{
	struct buf line;
	buf_init(&line);
	buf_puts(&line, lead);
	buf_add_visible(&line, point, strlen(point), 0);
	render_wrap(b, line.data, hang, s->env->ro.width);
	buf_release(&line);
}

/* The label of the choice shown at position i: its letter, or its number
 * beyond 'z'. */
void session_choice_label(char *label, size_t size, const struct question *q, size_t i)
{
	if (q->choices.n <= 26)
		snprintf(label, size, "%c) ", grade_letter(i));
	else
		snprintf(label, size, "%zu) ", i + 1);
}

/* The position choice i (as written) is shown at. */
size_t session_shown_at(const struct question *q, const size_t *shown, size_t i)
{
	for (size_t p = 0; shown && p < q->choices.n; p++)
		if (shown[p] == i)
			return p;
	return i;
}

/* The right answer of a non-text question, as shown after a wrong one;
 * shown is the order question's shown order (NULL: the items as written,
 * for the end of the session). */
void session_put_answer(struct buf *b, const struct session *s, const struct question *q, const size_t *shown)
{
	switch (q->type) {
	case Q_CHOICE: {
		/* Labelled as shown (shown[], when the learner saw an order),
		 * else as written. */
		char label[32];
		session_choice_label(label, sizeof label, q, session_shown_at(q, shown, (size_t)q->answer));
		buf_puts(b, "  the answer is\n");
		session_put_item(b, s, label, q->choices.v[q->answer]);
		break;
	}
	case Q_MULTI:
		buf_puts(b, "  the right choices are\n");
		for (size_t i = 0; i < q->choices.n; i++) {
			size_t c = shown ? shown[i] : i;
			bool right = false;
			for (size_t k = 0; k < q->nanswers; k++)
				right |= q->answers[k] == (long)c;
			if (!right)
				continue;
			char label[32];
			session_choice_label(label, sizeof label, q, i);
			session_put_item(b, s, label, q->choices.v[c]);
		}
		break;
	case Q_TRUEFALSE:
		buf_printf(b, "  the answer is %s\n", q->answer_bool ? "true" : "false");
		break;
	case Q_ORDER: {
		buf_puts(b, "  the right order is");
		for (size_t k = 0; shown && k < q->items.n; k++)
			for (size_t i = 0; i < q->items.n; i++)
				if (shown[i] == k)
					buf_printf(b, " %zu", i + 1);
		buf_puts(b, ":\n");
		/* Each item numbered as it was shown, so the list reads as the
		 * sequence above. */
		for (size_t k = 0; k < q->items.n; k++) {
			size_t at = k;
			for (size_t i = 0; shown && i < q->items.n; i++)
				if (shown[i] == k)
					at = i;
			char label[32];
			snprintf(label, sizeof label, "%zu. ", at + 1);
			session_put_item(b, s, label, q->items.v[k]);
		}
		break;
	}
	case Q_OUTPUT:
		buf_puts(b, "  the program prints\n");
		render_code(b, q->expected ? q->expected : "", "text", 4, &s->env->ro);
		if (b->len && b->data[b->len - 1] != '\n')
			buf_addc(b, '\n');
		break;
	default:
		break;
	}
}

/* Whether d goes in the list of missed questions: a wrong, skipped or
 * revealed answer; in an interview also a right text answer that missed key
 * points (the report has always listed those). */
static bool is_missed(const struct session *s, const struct done *d)
{
	return !d->correct || (session_interview(s) && d->hits && d->found < d->total);
}

/* Appends t with two more spaces before each line that holds anything. */
static void add_indented(struct buf *b, const struct buf *t)
{
	for (const char *p = t->data; p && *p;) {
		size_t n = strcspn(p, "\n");
		if (n)
			buf_puts(b, "  ");
		buf_add(b, p, n);
		p += n;
		if (*p == '\n') {
			buf_addc(b, '\n');
			p++;
		}
	}
}

/* One missed question: its id and verdict, the question, the right answer
 * (a text question's missed key points, where to read about them, and the
 * model answer) and the explanation. */
static void put_missed(struct buf *b, const struct session *s, const struct done *d)
{
	const struct question *q = d->q;
	const char *v = d->revealed ? "revealed" : d->skipped ? "skipped" : q->type == Q_CODE ? "failed" :
	                d->correct ? "right" : "wrong";
	buf_addc(b, '\n');
	buf_printf(b, "  %s (%s, %s): ", q->id, session_topic_of(q), qtype_names[q->type]);
	render_styled(b, d->correct ? STYLE_OK : STYLE_BAD, v, strlen(v), &s->env->ro);
	buf_addc(b, '\n');
	const char *prompt = q->prompt ? q->prompt : q->type == Q_OUTPUT ? "What does this print?" : "";
	session_put_md(b, s, prompt, 4);
	if (q->code) {
		buf_addc(b, '\n');
		render_code(b, q->code, "python", 6, &s->env->ro);
		if (b->len && b->data[b->len - 1] != '\n')
			buf_addc(b, '\n');
	}
	if (q->type == Q_CODE) {
		if (d->failed && *d->failed) {
			buf_puts(b, "    failing: ");
			buf_add_visible(b, d->failed, strlen(d->failed), 0);
			buf_addc(b, '\n');
		}
		buf_puts(b, "    a solution:\n");
		render_code(b, q->solution ? q->solution : "", "python", 6, &s->env->ro);
		if (b->len && b->data[b->len - 1] != '\n')
			buf_addc(b, '\n');
	} else if (q->type == Q_TEXT) {
		bool head = false;
		for (size_t k = 0; d->hits && k < q->nrubric; k++) {
			if (d->hits[k])
				continue;
			if (!head)
				buf_puts(b, d->revealed ? "    key points:\n" : "    key points missed:\n");
			head = true;
			/* A point its follow-up made is not in the plan: nothing to read. */
			bool made = d->fu == FU_MADE && d->fu_point == k;
			char *pt = made ? xasprintf("%s (made in the follow-up)", q->rubric[k].point)
			         : d->fails_by == k + 1 ? xasprintf("%s (your answer contradicts it, which fails the whole answer)",
			                                           q->rubric[k].point)
			                                : NULL;
			/* Numbered as the rubric numbers them: `c N` at the
			 * rating prompt, `c Q N` after an interview's report. */
			char lead[32];
			int hang = snprintf(lead, sizeof lead, "    %zu. ", k + 1);
			session_put_point(b, s, lead, pt ? pt : q->rubric[k].point, hang);
			free(pt);
			if (!made)
				session_put_read(b, q, &q->rubric[k], "      ");
		}
		buf_puts(b, "    model answer:\n");
		session_put_md(b, s, q->model_answer ? q->model_answer : "", 6);
	} else {
		struct buf t;
		buf_init(&t);
		if (!d->correct && !d->skipped && !d->revealed)
			session_put_credit(&t, s, q, d->answer, d->shown, "  ");
		session_put_answer(&t, s, q, d->shown);
		add_indented(b, &t);
		buf_release(&t);
	}
	if (q->explain) {
		buf_addc(b, '\n');
		session_put_md(b, s, q->explain, 4);
	}
}

/* The questions missed, each once (a review can ask one again), with
 * their right answers: what to drill next. Returns whether there were any. */
static bool put_missed_list(struct buf *b, const struct session *s)
{
	bool any = false;
	for (size_t i = 0; i < s->ndone; i++) {
		const struct done *d = &s->done[i];
		if (!is_missed(s, d))
			continue;
		bool again = false;
		for (size_t k = 0; k < i && !again; k++)
			again = s->done[k].q == d->q && is_missed(s, &s->done[k]);
		if (again)
			continue;
		if (!any) {
			buf_addc(b, '\n');
			session_put_styled(b, s, STYLE_BOLD, "Missed");
			buf_addc(b, '\n');
			any = true;
		}
		put_missed(b, s, d);
	}
	return any;
}

struct tally {
	const char *topic;
	size_t asked, correct, skipped;
};

/* A tally's score: right among those answered (skipped ones are not). */
static double tally_score(const struct tally *t)
{
	size_t answered = t->asked - t->skipped;
	return answered ? (double)t->correct / (double)answered : 0.0;
}

/* Per-topic tallies of the answered questions, in first-answered order. */
static struct tally *tally_topics(const struct session *s, size_t *n)
{
	struct tally *t = xcalloc(s->ndone + 1, sizeof *t);
	*n = 0;
	for (size_t i = 0; i < s->ndone; i++) {
		const char *topic = session_topic_of(s->done[i].q);
		size_t k = 0;
		while (k < *n && strcmp(t[k].topic, topic) != 0)
			k++;
		if (k == *n)
			t[(*n)++].topic = topic;
		t[k].asked++;
		t[k].correct += s->done[i].correct;
		t[k].skipped += s->done[i].skipped;
	}
	return t;
}

size_t session_count_correct(const struct session *s)
{
	size_t c = 0;
	for (size_t i = 0; i < s->ndone; i++)
		c += s->done[i].correct;
	return c;
}

/* The questions answered: those asked less those skipped. */
size_t session_count_answered(const struct session *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->ndone; i++)
		n += !s->done[i].skipped;
	return n;
}

static const char *end_reason(const struct session *s)
{
	return s->timed_out ? "time" : s->ended ? "quit" : "done";
}

/* The results JSON of the session (the store keeps it; stats reads it). */
char *session_results_json(const struct session *s, double seconds)
{
	struct buf b;
	buf_init(&b);
	size_t correct = session_count_correct(s), answered = session_count_answered(s);
	/* New keys go after the old ones: readers may look for them in order. */
	buf_printf(&b, "{\"asked\": %zu, \"correct\": %zu, \"score\": %.4f, \"seconds\": %.1f, \"topics\": {", s->ndone,
	           correct, answered ? (double)correct / (double)answered : 0.0, seconds);
	size_t nt;
	struct tally *t = tally_topics(s, &nt);
	for (size_t i = 0; i < nt; i++) {
		buf_puts(&b, i ? ", " : "");
		buf_json_str(&b, t[i].topic);
		buf_printf(&b, ": {\"asked\": %zu, \"correct\": %zu, \"score\": %.4f", t[i].asked, t[i].correct,
		           tally_score(&t[i]));
		if (session_interview(s))   /* only an interview keeps skipped questions */
			buf_printf(&b, ", \"answered\": %zu, \"skipped\": %zu", t[i].asked - t[i].skipped, t[i].skipped);
		buf_addc(&b, '}');
	}
	free(t);
	buf_puts(&b, "}, \"missed\": [");
	bool first = true;
	for (size_t i = 0; i < s->ndone; i++) {
		const struct done *d = &s->done[i];
		bool missed_points = d->hits && d->found < d->total;
		if (d->correct && !missed_points)
			continue;
		buf_puts(&b, first ? "" : ", ");
		first = false;
		buf_puts(&b, "{\"question\": ");
		buf_json_str(&b, d->q->id);
		buf_puts(&b, ", \"points\": [");
		bool pf = true;
		for (size_t k = 0; d->hits && k < d->q->nrubric; k++)
			if (!d->hits[k]) {
				buf_puts(&b, pf ? "" : ", ");
				pf = false;
				buf_json_str(&b, d->q->rubric[k].point);
			}
		/* Beside points, in the same order: each one's section as
		 * TOPIC/ID, or null. */
		buf_puts(&b, "], \"sections\": [");
		pf = true;
		for (size_t k = 0; d->hits && k < d->q->nrubric; k++)
			if (!d->hits[k]) {
				const struct rubric_point *p = &d->q->rubric[k];
				buf_puts(&b, pf ? "" : ", ");
				pf = false;
				char *ref = !p->section ? NULL
				          : strchr(p->section, '/') ? xstrdup(p->section)
				                                    : xasprintf("%s/%s", session_topic_of(d->q), p->section);
				if (ref)
					buf_json_str(&b, ref);
				else
					buf_puts(&b, "null");
				free(ref);
			}
		buf_puts(&b, "]}");
	}
	buf_puts(&b, "], \"questions\": [");
	for (size_t i = 0; i < s->ndone; i++) {
		const struct done *d = &s->done[i];
		buf_puts(&b, i ? ", " : "");
		buf_puts(&b, "{\"question\": ");
		buf_json_str(&b, d->q->id);
		buf_puts(&b, ", \"topic\": ");
		buf_json_str(&b, session_topic_of(d->q));
		buf_printf(&b, ", \"correct\": %s, \"skipped\": %s, \"seconds\": %.1f, \"type\": \"%s\"",
		           d->correct ? "true" : "false", d->skipped ? "true" : "false", d->seconds, qtype_names[d->q->type]);
		if (d->probe_of) {
			buf_puts(&b, ", \"probes\": {\"question\": ");
			buf_json_str(&b, d->probe_of->id);
			buf_puts(&b, ", \"point\": ");
			buf_json_str(&b, d->probe_of->rubric[d->probe_point].point);
			buf_addc(&b, '}');
		}
		buf_addc(&b, '}');
	}
	buf_puts(&b, "], \"follow_ups\": [");
	bool ff = true;
	for (size_t i = 0; i < s->ndone; i++) {
		const struct done *d = &s->done[i];
		if (d->fu == FU_NONE)
			continue;
		buf_puts(&b, ff ? "{\"question\": " : ", {\"question\": ");
		ff = false;
		buf_json_str(&b, d->q->id);
		buf_puts(&b, ", \"point\": ");
		buf_json_str(&b, d->q->rubric[d->fu_point].point);
		buf_printf(&b, ", \"made\": %s, \"skipped\": %s, \"seconds\": %.1f}", d->fu == FU_MADE ? "true" : "false",
		           d->fu == FU_SKIPPED ? "true" : "false", d->fu_seconds);
	}
	buf_printf(&b, "], \"skipped\": %zu, \"ended\": \"%s\", \"answered\": %zu, \"text_short\": %s}", s->skipped,
	           end_reason(s), answered, s->text_short ? "true" : "false");
	return buf_detach(&b);
}

void session_print_summary(const struct session *s)
{
	size_t correct = session_count_correct(s);
	printf("\n");
	if (s->ndone == 0)
		printf("no answers recorded");
	else
		printf("score: %zu/%zu right (%.0f%%)", correct, s->ndone, 100.0 * (double)correct / (double)s->ndone);
	if (s->skipped)
		printf(", %zu skipped", s->skipped);
	if (s->abandoned)
		printf(", %zu abandoned", s->abandoned);
	printf("\n");
	struct buf b;
	buf_init(&b);
	if (put_missed_list(&b, s))
		buf_puts(&b, "\n'quiz --missed' asks these again.\n");
	session_flush_buf(&b);
	buf_release(&b);
}

/* One row of the questions: its verdict and time; under it what it
 * probes (a question asked in place of a follow-up) and its follow-up. */
static void put_question_row(struct buf *b, const struct session *s, size_t i)
{
	const struct render_opts *o = &s->env->ro;
	const struct done *d = &s->done[i];
	char t[32];
	session_format_taken(t, sizeof t, d->seconds);
	buf_printf(b, "  %2zu. %-36s ", i + 1, d->q->id);
	const char *v = d->skipped ? "skipped" : d->q->type == Q_CODE ? (d->correct ? "passed" : "failed")
	                : d->correct ? "right" : "wrong";
	render_styled(b, d->correct ? STYLE_OK : STYLE_BAD, v, strlen(v), o);
	buf_printf(b, "%*s %s\n", 8 - (int)strlen(v), "", t);
	if (d->failed && *d->failed) {
		buf_puts(b, "      failing: ");
		buf_add_visible(b, d->failed, strlen(d->failed), 0);
		buf_addc(b, '\n');
	}
	if (d->probe_of) {
		buf_printf(b, "      probes %s: ", d->probe_of->id);
		const char *pt = d->probe_of->rubric[d->probe_point].point;
		buf_add_visible(b, pt, strlen(pt), 0);
		buf_addc(b, '\n');
	}
	if (d->fu == FU_NONE)
		return;
	buf_puts(b, "      follow-up on: ");
	const char *pt = d->q->rubric[d->fu_point].point;
	buf_add_visible(b, pt, strlen(pt), 0);
	buf_puts(b, " — ");
	const char *fv = d->fu == FU_MADE ? "made" : d->fu == FU_MISSED ? "missed" : "skipped";
	render_styled(b, d->fu == FU_MADE ? STYLE_OK : STYLE_BAD, fv, strlen(fv), o);
	session_format_taken(t, sizeof t, d->fu_seconds);
	buf_printf(b, " %s\n", t);
}

/* The study plan of this interview (plan.h), from its results. */
static void put_plan(struct buf *b, const struct session *s, double seconds)
{
	char *json = session_results_json(s, seconds), *err = NULL;
	struct plan p;
	if (plan_from_results(s->env->cat, json, clock_now(), s->env->st, &p, &err) < 0) {
		fprintf(stderr, "error: no study plan: %s\n", err);
		free(err);
		free(json);
		return;
	}
	free(json);
	buf_addc(b, '\n');
	session_put_styled(b, s, STYLE_BOLD, "Study plan");
	buf_addc(b, '\n');
	if (p.nread)
		buf_puts(b, "  read:\n");
	for (size_t i = 0; i < p.nread; i++) {
		buf_printf(b, "    learn %s%s%s", p.read[i].topic, p.read[i].section ? " " : "",
		           p.read[i].section ? p.read[i].section : "");
		buf_printf(b, "   (%zu missed)\n", p.read[i].points);
	}
	if (p.ndemos)
		buf_puts(b, "  run:\n");
	for (size_t i = 0; i < p.ndemos; i++)
		buf_printf(b, "    demo %s\n", p.demos[i].id);
	/* Nothing to read also when a wrong answer's missed points were all
	 * made in their follow-ups: that answer still counts wrong. */
	if (!p.nread && session_count_correct(s) < session_count_answered(s))
		buf_puts(b, "  nothing to read: the follow-ups made every key point the answers missed\n");
	else if (!p.nread)
		buf_puts(b, "  every answer was right: try a longer interview or other topics\n");
	buf_printf(b, "  due now: %lld card%s%s\n", (long long)p.due, p.due == 1 ? "" : "s",
	           p.due ? " ('review' asks them)" : "");
	plan_release(&p);
}

void session_print_report(const struct session *s, double seconds)
{
	struct buf b;
	buf_init(&b);
	size_t correct = session_count_correct(s), answered = session_count_answered(s);
	size_t skipped = s->ndone - answered;
	char t[32];
	session_format_taken(t, sizeof t, seconds);
	buf_addc(&b, '\n');
	session_put_styled(&b, s, STYLE_HEAD, "Interview report");
	buf_printf(&b, "\n%s after %s: %zu question%s answered", s->timed_out ? "Time's up" : s->ended ? "Ended" : "Every question asked",
	           t, answered, answered == 1 ? "" : "s");
	if (skipped)
		buf_printf(&b, ", %zu skipped", skipped);
	buf_puts(&b, ".\n");
	if (answered == 0) {
		buf_puts(&b, "Nothing to report: no question was answered, so the interview is not saved.\n");
		session_flush_buf(&b);
		buf_release(&b);
		return;
	}
	buf_printf(&b, "score: %zu/%zu (%.0f%%)%s\n", correct, answered, 100.0 * (double)correct / (double)answered,
	           skipped ? ", skipped questions not counted" : "");
	if (s->text_short)
		buf_puts(&b, "(these topics had too few explain-it questions left for half of the questions to be one)\n");
	buf_addc(&b, '\n');
	session_put_styled(&b, s, STYLE_BOLD, "By topic");
	buf_addc(&b, '\n');
	size_t nt;
	struct tally *tl = tally_topics(s, &nt);
	for (size_t i = 0; i < nt; i++) {
		buf_printf(&b, "  %-20s %zu/%zu  %3.0f%%", tl[i].topic, tl[i].correct, tl[i].asked - tl[i].skipped,
		           100.0 * tally_score(&tl[i]));
		if (tl[i].skipped)
			buf_printf(&b, "  (%zu skipped)", tl[i].skipped);
		buf_addc(&b, '\n');
	}
	free(tl);
	buf_addc(&b, '\n');
	session_put_styled(&b, s, STYLE_BOLD, "Questions");
	buf_addc(&b, '\n');
	for (size_t i = 0; i < s->ndone; i++)
		put_question_row(&b, s, i);
	put_missed_list(&b, s);
	put_plan(&b, s, seconds);
	session_flush_buf(&b);
	buf_release(&b);
}

/* ---- the session ---- */

