/*
 * session: quiz, review and interview flows. One struct session per run:
 * the cards known at the start (a sorted array keyed on question id), a
 * queue of questions, the learning cards waiting to come back (review), and
 * one record per answered question for the score, undo and the report.
 */
#include "session.h"

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
#include "repl.h"
#include "util.h"

/* A learning card that comes due within this many seconds is asked again in
 * the same review session once nothing else is left (Anki's learn-ahead
 * limit). */
#define LEARN_AHEAD (20 * 60)

/* ---- the cards known to the store ---- */

struct known {
	char *id;
	struct store_card card;
};

struct cards {
	struct known *v;
	size_t n, cap;
};

static int add_known(void *ud, const char *id, const char *topic, const struct store_card *card)
{
	(void)topic;
	struct cards *c = ud;
	GROW(c->v, c->cap, c->n + 1);
	c->v[c->n].id = xstrdup(id);
	c->v[c->n].card = *card;
	c->n++;
	return 0;
}

static int cmp_known(const void *a, const void *b)
{
	return strcmp(((const struct known *)a)->id, ((const struct known *)b)->id);
}

static int cards_load(struct cards *c, struct store *st, char **err)
{
	memset(c, 0, sizeof *c);
	if (store_each_card(st, NULL, add_known, c, err) < 0)
		return -1;
	if (c->n)
		qsort(c->v, c->n, sizeof *c->v, cmp_known);
	return 0;
}

static void cards_release(struct cards *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].id);
	free(c->v);
	memset(c, 0, sizeof *c);
}

static const struct store_card *cards_find(const struct cards *c, const char *id)
{
	struct known key;
	memset(&key, 0, sizeof key);
	key.id = (char *)id;
	const struct known *k = c->n ? bsearch(&key, c->v, c->n, sizeof *c->v, cmp_known) : NULL;
	return k ? &k->card : NULL;
}

/* The card in the session's snapshot, to update once it is answered. */
static struct store_card *cards_find_mut(struct cards *c, const char *id)
{
	return (struct store_card *)cards_find(c, id);
}

/* Whether q was revised (`revised: N`) since card c was last answered: the
 * card is then due now, whatever its schedule says. */
static bool revised_since(const struct question *q, const struct store_card *c)
{
	return c && q->revised > c->revision;
}

/* When card c of q is due: now at the latest once q was revised since. */
static int64_t due_of(const struct question *q, const struct store_card *c, int64_t now)
{
	return revised_since(q, c) && c->fsrs.due > now ? now : c->fsrs.due;
}

static const char *topic_of(const struct question *q)
{
	return q->quiz && q->quiz->topic ? q->quiz->topic : "";
}

/* ---- topic statistics ---- */

int session_topics(struct catalog *cat, struct store *st, const struct fsrs_params *p, int64_t now,
		struct session_topic **out, size_t *n, char **err)
{
	struct cards c;
	*out = NULL;
	*n = 0;
	if (cards_load(&c, st, err) < 0)
		return -1;
	size_t nl = catalog_nlessons(cat);
	struct session_topic *t = xcalloc(nl ? nl : 1, sizeof *t);
	for (size_t i = 0; i < nl; i++) {
		const struct lesson *ls = catalog_lesson_at(cat, i);
		t[i].topic = ls->id;
		if (!ls->quiz)
			continue;
		double sum = 0;
		for (size_t k = 0; k < ls->quiz->n; k++) {
			const struct question *q = &ls->quiz->questions[k];
			if (!q->id)
				continue;
			t[i].questions++;
			const struct store_card *sc = cards_find(&c, q->id);
			if (!sc)
				continue;
			t[i].seen++;
			if (due_of(q, sc, now) <= now)
				t[i].due++;
			double r = fsrs_retrievability(p, &sc->fsrs, now);
			if (isfinite(r))
				sum += r;
		}
		t[i].mastery = t[i].questions ? sum / (double)t[i].questions : 0;
	}
	cards_release(&c);
	*out = t;
	*n = nl;
	return 0;
}

int session_next_due(struct catalog *cat, struct store *st, int64_t now, int64_t *next, char **err)
{
	struct cards c;
	*next = STORE_NO_TIME;
	if (cards_load(&c, st, err) < 0)
		return -1;
	for (size_t i = 0; i < c.n; i++) {
		const struct question *q = catalog_question(cat, c.v[i].id);
		int64_t due = q ? due_of(q, &c.v[i].card, now) : 0;
		if (due > now && (*next == STORE_NO_TIME || due < *next))
			*next = due;
	}
	cards_release(&c);
	return 0;
}

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

/* ---- the interview clock ---- */

static volatile sig_atomic_t time_up;

static void on_alarm(int sig)
{
	(void)sig;
	time_up = 1;
}

/* Arms a timer that rings after seconds (no SA_RESTART: a read in progress
 * returns, so the interview ends on time even while waiting for input). */
static void alarm_arm(double seconds, struct sigaction *old)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, old);
	time_up = 0;
	struct itimerval it;
	memset(&it, 0, sizeof it);
	if (seconds < 0.001)
		seconds = 0.001;
	it.it_value.tv_sec = (time_t)seconds;
	it.it_value.tv_usec = (suseconds_t)((seconds - (double)(time_t)seconds) * 1e6);
	if (it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0)
		it.it_value.tv_usec = 1000;
	/* Ring again every quarter second after the deadline: a read that
	 * started just after the first ring is still cut short. */
	it.it_interval.tv_usec = 250000;
	setitimer(ITIMER_REAL, &it, NULL);
}

static void alarm_disarm(const struct sigaction *old)
{
	struct itimerval it;
	memset(&it, 0, sizeof it);
	setitimer(ITIMER_REAL, &it, NULL);
	sigaction(SIGALRM, old, NULL);
}

/* ---- the session ---- */

/* One answered (or, in an interview, skipped) question. */
struct done {
	const struct question *q;
	bool correct, skipped;
	double seconds;
	size_t found, total;
	bool *hits;          /* text: the points found (a new array) */
	bool recorded;
	int old_revision;    /* the card's revision before this answer (undo) */
};

struct draw_topic;

struct pending {
	const struct question *q;
	int64_t due;
};

struct session {
	const struct session_env *env;
	const struct session_opts *o;
	struct fsrs_rng rng;
	struct cards cards;
	int64_t id;
	double mono_start, deadline;
	const struct question **queue;
	size_t qhead, qlen, qcap;
	struct pending *pend;
	size_t npend, cappend;
	struct done *done;
	size_t ndone, capdone;
	size_t skipped, abandoned, shown;
	bool ended;          /* quit, Ctrl-D or end of input */
	bool failed;         /* the store failed */
	bool timed_out;
	struct draw_topic *draw;         /* interview: the topics and their weights */
	size_t ndraw;
	const struct question **asked;   /* interview: questions drawn so far */
	size_t nasked, capasked;
};

static bool interview(const struct session *s)
{
	return s->o->kind == STORE_INTERVIEW;
}

static void queue_push(struct session *s, const struct question *q)
{
	GROW(s->queue, s->qcap, s->qlen + 1);
	s->queue[s->qlen++] = q;
}

static void queue_push_front(struct session *s, const struct question *q)
{
	if (s->qhead > 0) {
		s->queue[--s->qhead] = q;
		return;
	}
	GROW(s->queue, s->qcap, s->qlen + 1);
	memmove(s->queue + 1, s->queue, s->qlen * sizeof *s->queue);
	s->queue[0] = q;
	s->qlen++;
}

static void pending_remove(struct session *s, const struct question *q)
{
	for (size_t i = 0; i < s->npend; i++)
		if (s->pend[i].q == q) {
			memmove(s->pend + i, s->pend + i + 1, (s->npend - i - 1) * sizeof *s->pend);
			s->npend--;
			return;
		}
}

/* Fisher-Yates over an array of question pointers. */
static void shuffle(struct fsrs_rng *rng, const struct question **v, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)(fsrs_rng_next(rng) % i);
		const struct question *t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* ---- output ---- */

static void flush_buf(struct buf *b)
{
	fwrite(b->data, 1, b->len, stdout);
	fflush(stdout);
	buf_truncate(b, 0);
}

static void put_styled(struct buf *b, const struct session *s, enum render_style st, const char *text)
{
	render_styled(b, st, text, strlen(text), &s->env->ro);
}

/* A labelled item ("a) ", "3. ") whose Markdown text wraps under itself. */
static void put_item(struct buf *b, const struct session *s, const char *label, const char *md)
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

static void put_md(struct buf *b, const struct session *s, const char *md, int indent)
{
	render_markdown(b, md, indent, &s->env->ro);
	if (b->len && b->data[b->len - 1] != '\n')
		buf_addc(b, '\n');
}

/* A countdown as m:ss, rounded up (0:01 until it is really over). */
static void format_clock(char *buf, size_t size, double seconds)
{
	if (seconds < 0)
		seconds = 0;
	long t = (long)ceil(seconds);
	snprintf(buf, size, "%ld:%02ld", t / 60, t % 60);
}

/* A time taken as m:ss, rounded to the nearest second. */
static void format_taken(char *buf, size_t size, double seconds)
{
	if (seconds < 0)
		seconds = 0;
	long t = lround(seconds);
	snprintf(buf, size, "%ld:%02ld", t / 60, t % 60);
}

static const char *const type_hint[Q_NTYPES] = {
	[Q_CHOICE] = "answer with a letter",
	[Q_MULTI] = "answer with every right letter, such as 'a,c' or 'a c'",
	[Q_TRUEFALSE] = "answer t or f",
	[Q_ORDER] = "answer with the numbers in the right order, such as '3 1 2'",
	[Q_OUTPUT] = "type the exact output, then a line holding only '.' (or Ctrl-D)",
	[Q_TEXT] = "answer in a few sentences, then a line holding only '.' (or Ctrl-D)",
};

/* Shows question q; for an order question fills shown[] (the item index in
 * the right order of each shown position). */
static void show_question(struct session *s, const struct question *q, size_t *shown)
{
	struct buf b;
	buf_init(&b);
	s->shown++;
	char head[160];
	if (s->o->kind == STORE_QUIZ)
		snprintf(head, sizeof head, "[%zu/%zu]", s->shown, s->shown + (s->qlen - s->qhead));
	else if (interview(s)) {
		char left[32];
		format_clock(left, sizeof left, s->deadline - clock_mono());
		snprintf(head, sizeof head, "[%zu · %s left]", s->shown, left);
	} else
		snprintf(head, sizeof head, "[%zu · %zu left]", s->shown, s->qlen - s->qhead + s->npend);
	buf_addc(&b, '\n');
	put_styled(&b, s, STYLE_BOLD, head);
	buf_printf(&b, " %s (%s, %s)\n", q->id, topic_of(q), qtype_names[q->type]);
	const struct store_card *known = cards_find(&s->cards, q->id);
	if (revised_since(q, known)) {
		/* One line: the learner may remember the old answer. */
		const char *note = q->revised_note;
		if (note)
			buf_printf(&b, "  revised since you last answered it: %.*s\n", (int)strcspn(note, "\n"), note);
		else
			buf_printf(&b, "  revised since you last answered it (now revision %d)\n", q->revised);
	}
	put_md(&b, s, q->prompt ? q->prompt : "", 2);
	if (q->code) {
		buf_addc(&b, '\n');
		render_code(&b, q->code, "python", 4, &s->env->ro);
		if (b.data[b.len - 1] != '\n')
			buf_addc(&b, '\n');
	}
	if (q->type == Q_CHOICE || q->type == Q_MULTI) {
		for (size_t i = 0; i < q->choices.n; i++) {
			char label[32];
			if (q->choices.n <= 26)
				snprintf(label, sizeof label, "%c) ", grade_letter(i));
			else
				snprintf(label, sizeof label, "%zu) ", i + 1);
			put_item(&b, s, label, q->choices.v[i]);
		}
	} else if (q->type == Q_ORDER) {
		for (size_t i = 0; i < q->items.n; i++)
			shown[i] = i;
		/* Shuffle until the shown order is not already the answer. */
		for (int tries = 0; tries < 8; tries++) {
			for (size_t i = q->items.n; i > 1; i--) {
				size_t j = (size_t)(fsrs_rng_next(&s->rng) % i);
				size_t t = shown[i - 1];
				shown[i - 1] = shown[j];
				shown[j] = t;
			}
			bool sorted = true;
			for (size_t i = 0; i < q->items.n; i++)
				sorted &= shown[i] == i;
			if (!sorted)
				break;
		}
		for (size_t i = 0; i < q->items.n; i++) {
			char label[32];
			snprintf(label, sizeof label, "%zu. ", i + 1);
			put_item(&b, s, label, q->items.v[shown[i]]);
		}
	}
	put_styled(&b, s, STYLE_DIM, type_hint[q->type]);
	put_styled(&b, s, STYLE_DIM, interview(s) ? "; skip, quit, ? for keys\n" : "; hint, skip, quit, ? for keys\n");
	flush_buf(&b);
	buf_release(&b);
}

static void show_keys(const struct session *s)
{
	printf("  hint    show a hint (a right answer then rates 'hard')%s\n"
	       "  skip    move on without answering%s\n"
	       "  undo    take back the last rating and ask that question again%s\n"
	       "  quit    end the session; answers already given are kept\n"
	       "  Ctrl-C  abandon this question (nothing is recorded)\n"
	       "  Ctrl-D  end the session\n",
	       interview(s) ? " (not in an interview)" : "", interview(s) ? " (counts as missed)" : "",
	       interview(s) ? " (not in an interview)" : "");
	fflush(stdout);
}

/* ---- reading answers ---- */

enum answer_kind { ANS_TEXT, ANS_HINT, ANS_SKIP, ANS_HELP, ANS_QUIT, ANS_UNDO, ANS_INTR, ANS_EOF };

static bool is_multiline(const struct question *q)
{
	return q->type == Q_OUTPUT || q->type == Q_TEXT;
}

/* Reads a line; turns an interrupted or ended read into ANS_INTR/ANS_EOF
 * (and notices the interview clock). */
static enum answer_kind read_line(struct session *s, const char *prompt, char **line)
{
	fflush(stdout);
	*line = NULL;
	if (time_up && interview(s)) {
		s->timed_out = true;
		return ANS_EOF;
	}
	enum repl_read rr = repl_read(s->env->repl, prompt, false, line);
	if (time_up && interview(s)) {
		free(*line);
		*line = NULL;
		s->timed_out = true;
		return ANS_EOF;
	}
	if (rr == REPL_INTR)
		return ANS_INTR;
	if (rr == REPL_EOF)
		return ANS_EOF;
	return ANS_TEXT;
}

static enum answer_kind command_word(const char *line)
{
	char w[8];
	size_t i = 0;
	while (*line == ' ' || *line == '\t')
		line++;
	while (line[i] && i < sizeof w - 1 && line[i] != ' ' && line[i] != '\t') {
		w[i] = line[i];
		i++;
	}
	w[i] = '\0';
	const char *rest = line + i;
	while (*rest == ' ' || *rest == '\t')
		rest++;
	if (*rest || (line[i] && i == sizeof w - 1))
		return ANS_TEXT;
	if (strcmp(w, "hint") == 0)
		return ANS_HINT;
	if (strcmp(w, "skip") == 0)
		return ANS_SKIP;
	if (strcmp(w, "?") == 0 || strcmp(w, "help") == 0)
		return ANS_HELP;
	if (strcmp(w, "quit") == 0 || strcmp(w, "q") == 0)
		return ANS_QUIT;
	if (strcmp(w, "undo") == 0)
		return ANS_UNDO;
	return ANS_TEXT;
}

/* Reads one answer: a key word, or the answer text (several lines for
 * output and text questions). *text is a new string for ANS_TEXT. */
static enum answer_kind read_answer(struct session *s, const struct question *q, char **text)
{
	*text = NULL;
	char prompt[64];
	if (interview(s)) {
		char left[32];
		format_clock(left, sizeof left, s->deadline - clock_mono());
		snprintf(prompt, sizeof prompt, "[%s left] answer> ", left);
	} else {
		snprintf(prompt, sizeof prompt, "answer> ");
	}
	char *line;
	enum answer_kind k = read_line(s, prompt, &line);
	if (k != ANS_TEXT)
		return k;
	k = command_word(line);
	if (k != ANS_TEXT || !is_multiline(q)) {
		if (k == ANS_TEXT)
			*text = line;
		else
			free(line);
		return k;
	}
	/* Several lines; a blank line is part of the answer (program output
	 * can hold one). */
	struct buf b;
	buf_init(&b);
	while (strcmp(line, ".") != 0) {
		buf_puts(&b, line);
		buf_addc(&b, '\n');
		free(line);
		k = read_line(s, "     ... ", &line);
		if (k == ANS_INTR || (k == ANS_EOF && s->timed_out)) {
			buf_release(&b);
			return k;
		}
		if (k == ANS_EOF) {
			line = NULL;
			break;
		}
	}
	free(line);
	*text = buf_detach(&b);
	buf_release(&b);
	return ANS_TEXT;
}

/* ---- after grading ---- */

/* The right answer of a non-text question, as shown after a wrong one. */
static void put_right_answer(struct buf *b, struct session *s, const struct question *q, const size_t *shown)
{
	switch (q->type) {
	case Q_CHOICE: {
		char label[32];
		snprintf(label, sizeof label, "%c) ", grade_letter((size_t)q->answer));
		buf_puts(b, "  the answer is\n");
		put_item(b, s, label, q->choices.v[q->answer]);
		break;
	}
	case Q_MULTI:
		buf_puts(b, "  the right choices are\n");
		for (size_t k = 0; k < q->nanswers; k++) {
			char label[32];
			snprintf(label, sizeof label, "%c) ", grade_letter((size_t)q->answers[k]));
			put_item(b, s, label, q->choices.v[q->answers[k]]);
		}
		break;
	case Q_TRUEFALSE:
		buf_printf(b, "  the answer is %s\n", q->answer_bool ? "true" : "false");
		break;
	case Q_ORDER: {
		buf_puts(b, "  the right order is");
		for (size_t k = 0; k < q->items.n; k++)
			for (size_t i = 0; i < q->items.n; i++)
				if (shown[i] == k)
					buf_printf(b, " %zu", i + 1);
		buf_puts(b, ":\n");
		for (size_t k = 0; k < q->items.n; k++) {
			char label[32];
			snprintf(label, sizeof label, "%zu. ", k + 1);
			put_item(b, s, label, q->items.v[k]);
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

/* Where to read about a point the answer missed: one line, when the point
 * names the section that teaches it. */
static void put_read(struct buf *b, const struct question *q, const struct rubric_point *p, const char *indent)
{
	char *learn = catalog_point_section(q, p);
	if (learn)
		buf_printf(b, "%sread: learn %s\n", indent, learn);
	free(learn);
}

static void show_feedback(struct session *s, const struct question *q, const size_t *shown,
		const struct grade_result *r)
{
	struct buf b;
	buf_init(&b);
	if (r->correct)
		put_styled(&b, s, STYLE_OK, "✓ right");
	else
		put_styled(&b, s, STYLE_BAD, "✗ wrong");
	if (q->type == Q_TEXT)
		buf_printf(&b, " — %zu/%zu key points (%zu needed)", r->found, r->total, q->pass);
	buf_addc(&b, '\n');
	if (q->type == Q_TEXT) {
		for (size_t i = 0; i < q->nrubric; i++) {
			buf_printf(&b, "%2zu", i + 1);   /* the number `c N` contests */
			if (r->limited[i]) {
				put_styled(&b, s, STYLE_BAD, "  ✗ not graded  ");
				buf_add_visible(&b, q->rubric[i].point, strlen(q->rubric[i].point), 0);
				buf_puts(&b, ": checking it hit the regex match limits on your answer, "
				         "so it is not credited\n");
			} else {
				put_styled(&b, s, r->hits[i] ? STYLE_OK : STYLE_BAD, r->hits[i] ? "  ✓ found  " : "  ✗ missed ");
				buf_add_visible(&b, q->rubric[i].point, strlen(q->rubric[i].point), 0);
				buf_addc(&b, '\n');
			}
			if (!r->hits[i])
				put_read(&b, q, &q->rubric[i], "             ");   /* under the point */
		}
		buf_puts(&b, "  model answer:\n");
		put_md(&b, s, q->model_answer ? q->model_answer : "", 4);
	} else if (!r->correct) {
		put_right_answer(&b, s, q, shown);
	}
	if (q->explain) {
		buf_addc(&b, '\n');
		put_md(&b, s, q->explain, 2);
	}
	flush_buf(&b);
	buf_release(&b);
}

static const char *const rating_names[] = {"", "again", "hard", "good", "easy"};

/* Seconds after which a right answer counts as slow (rated hard). */
static double slow_after(const struct question *q)
{
	return q->type == Q_TEXT ? 180 : q->type == Q_OUTPUT ? 120 : 45;
}

/* The rating suggested for a result: again when wrong; hard when right
 * but slow, after a hint (hard), or with key points missed; else good. */
static enum fsrs_rating suggest(const struct question *q, const struct grade_result *gr, bool hard)
{
	bool partial = q->type == Q_TEXT && gr->found < gr->total;
	return !gr->correct ? FSRS_AGAIN : hard || partial ? FSRS_HARD : FSRS_GOOD;
}

static void rating_line(const struct question *q, const struct grade_result *gr, int suggested)
{
	printf("  1 again  2 hard  3 good  4 easy   (Enter: %d %s)", suggested, rating_names[suggested]);
	if (q->type == Q_TEXT && gr->found < gr->total)
		printf("   c N: you made missed point N");
	printf("\n");
}

/* Parses `c N` or `contest N`: 0 when line is not a contest; 1 with *n
 * set; -1 when the number is missing or not one. */
static int parse_contest(const char *p, long *n)
{
	size_t w = strcspn(p, " \t");
	if (!((w == 1 && p[0] == 'c') || (w == 7 && strncmp(p, "contest", 7) == 0)))
		return 0;
	p += w;
	p += strspn(p, " \t");
	char *end;
	errno = 0;
	long v = strtol(p, &end, 10);
	if (end == p || *end || errno || *p == '-' || *p == '+')
		return -1;
	*n = v;
	return 1;
}

/* The learner says the answer made key point n (1-based), which the grader
 * missed: shows it and counts it (hits, found, pass or fail), marking
 * contested[n - 1]. Prints one line why not and returns -1 when n is not a
 * missed point of a text question. */
static int contest(const struct question *q, struct grade_result *gr, bool *contested, int parsed, long n)
{
	if (q->type != Q_TEXT) {
		printf("  only the key points of a text answer can be contested\n");
		return -1;
	}
	if (parsed < 0 || n < 1 || (size_t)n > q->nrubric) {
		struct buf b;
		buf_init(&b);
		for (size_t i = 0; i < q->nrubric; i++)
			if (!gr->hits[i])
				buf_printf(&b, "%s%zu", b.len ? ", " : "", i + 1);
		if (parsed < 0)
			printf("  contest which point? type 'c N', N a missed point (%s)\n", b.len ? b.data : "none missed");
		else
			printf("  no key point %ld: the rubric has %zu (missed: %s)\n", n, q->nrubric,
			       b.len ? b.data : "none");
		buf_release(&b);
		return -1;
	}
	size_t i = (size_t)n - 1;
	if (gr->hits[i]) {
		printf("  key point %ld was %s already; only a missed point can be contested\n", n,
		       contested[i] ? "counted" : "found");
		return -1;
	}
	gr->hits[i] = true;
	gr->limited[i] = false;
	gr->found++;
	gr->correct = gr->found >= q->pass;
	contested[i] = true;
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "  contested %ld. ", n);
	buf_add_visible(&b, q->rubric[i].point, strlen(q->rubric[i].point), 0);
	buf_printf(&b, "\n  counted: %zu/%zu key points (%zu needed), %s; kept with your answer for the rubric's author\n",
	           gr->found, gr->total, q->pass, gr->correct ? "right" : "still wrong");
	fwrite(b.data, 1, b.len, stdout);
	buf_release(&b);
	return 0;
}

/* Asks for a rating. Returns 1..4, 0 when the question is abandoned
 * (Ctrl-C); sets *end on quit or end of input (the default is then taken).
 * `c N` contests a missed key point of a text answer (see contest()) and
 * suggests again; hard says the answer was slow or took a hint. */
static int ask_rating(struct session *s, const struct question *q, struct grade_result *gr, bool *contested,
		bool hard, bool *end)
{
	*end = false;
	int suggested = (int)suggest(q, gr, hard);
	rating_line(q, gr, suggested);
	for (;;) {
		char *line;
		enum answer_kind k = read_line(s, "rating> ", &line);
		if (k == ANS_INTR)
			return 0;
		if (k == ANS_EOF) {
			*end = true;
			return suggested;
		}
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		size_t n = strlen(p);
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			p[--n] = '\0';
		int g = -1;
		long point = 0;
		int c = parse_contest(p, &point);
		if (c != 0) {
			free(line);
			if (contest(q, gr, contested, c, point) == 0) {
				suggested = (int)suggest(q, gr, hard);
				rating_line(q, gr, suggested);
			}
			continue;
		}
		if (n == 0)
			g = suggested;
		else if (n == 1 && p[0] >= '1' && p[0] <= '4')
			g = p[0] - '0';
		else if (strcmp(p, "quit") == 0 || strcmp(p, "q") == 0) {
			*end = true;
			g = suggested;
		} else
			for (int i = 1; i <= 4; i++)
				if (strncasecmp(p, rating_names[i], n) == 0)
					g = i;
		free(line);
		if (g > 0)
			return g;
		printf("  type 1, 2, 3 or 4 (Enter takes %d %s)%s\n", suggested, rating_names[suggested],
		       q->type == Q_TEXT && gr->found < gr->total ? ", or c N to contest missed point N" : "");
	}
}

static void store_failed(struct session *s, char *err)
{
	fprintf(stderr, "error: %s\n", err ? err : "the progress database failed");
	free(err);
	s->failed = true;
	s->ended = true;
}

/* Schedules and records one answer. Returns 0, or -1 after store_failed. */
static int record(struct session *s, const struct question *q, enum fsrs_rating g, bool correct, double score,
		double seconds, const char *answer, struct fsrs_card *after)
{
	struct store *st = s->env->st;
	int64_t now = clock_now();
	struct store_card card;
	bool found;
	char *err = NULL;
	if (store_get_card(st, q->id, now, &card, &found, &err) < 0) {
		store_failed(s, err);
		return -1;
	}
	/* A card reviewed later by another process, or a clock set back: review
	 * at its last review time rather than refusing the answer. */
	int64_t at = card.fsrs.last_review != FSRS_NEVER && card.fsrs.last_review > now ? card.fsrs.last_review : now;
	if (fsrs_review(&s->env->params, &card.fsrs, g, at, &s->rng, after) < 0) {
		store_failed(s, xasprintf("cannot schedule the card of '%s' (its stored state is invalid)", q->id));
		return -1;
	}
	struct store_review r = {
		.question_id = q->id,
		.topic = topic_of(q),
		.at = at,
		.rating = g,
		.correct = correct,
		.score = score,
		.duration_ms = (int64_t)(seconds * 1000),
		.answer = answer,
		.session_id = s->id,
		.revision = q->revised,
	};
	if (store_record_review(st, &r, after, NULL, &err) < 0) {
		store_failed(s, err);
		return -1;
	}
	struct store_card *known = cards_find_mut(&s->cards, q->id);
	if (known)
		known->revision = q->revised;
	return 0;
}

/* Keeps each point contested for answer to q (after its review is
 * recorded: an abandoned question keeps nothing). Returns 0, or -1 after
 * store_failed. */
static int record_disputes(struct session *s, const struct question *q, const char *answer, const bool *contested)
{
	for (size_t i = 0; i < q->nrubric; i++) {
		if (!contested[i])
			continue;
		struct store_dispute d = {
			.question_id = q->id,
			.topic = topic_of(q),
			.at = clock_now(),
			.answer = answer,
			.point_index = (int)i,
			.point = q->rubric[i].point,
			.session_id = s->id,
		};
		char *err = NULL;
		if (store_record_dispute(s->env->st, &d, NULL, &err) < 0) {
			store_failed(s, err);
			return -1;
		}
	}
	return 0;
}

static struct done *add_done(struct session *s, const struct question *q)
{
	GROW(s->done, s->capdone, s->ndone + 1);
	struct done *d = &s->done[s->ndone++];
	memset(d, 0, sizeof *d);
	d->q = q;
	return d;
}

/* Takes back the last recorded answer of this session; the caller asks it
 * again. Returns the question, or NULL (with a message printed). */
static const struct question *undo_last(struct session *s)
{
	if (interview(s) || s->ndone == 0 || !s->done[s->ndone - 1].recorded) {
		printf("  nothing to undo%s\n", interview(s) ? " in an interview" : " yet");
		return NULL;
	}
	char *qid = NULL, *err = NULL;
	if (store_undo_last(s->env->st, s->id, &qid, &err) < 0) {
		printf("  cannot undo: %s\n", err);
		free(err);
		return NULL;
	}
	struct done *d = &s->done[s->ndone - 1];
	const struct question *q = d->q;
	if (!qid || strcmp(qid, q->id) != 0) {
		printf("  nothing to undo\n");
		free(qid);
		return NULL;
	}
	free(qid);
	struct store_card *known = cards_find_mut(&s->cards, q->id);
	if (known)
		known->revision = d->old_revision;
	free(d->hits);
	s->ndone--;
	pending_remove(s, q);
	printf("  took back your answer to %s; here it is again\n", q->id);
	return q;
}

/* ---- asking one question ---- */

enum ask_result { ASKED, ASK_SKIPPED, ASK_ABANDONED, ASK_UNDONE, ASK_END };

static bool blank(const char *t)
{
	return t[strspn(t, " \t\r\n")] == '\0';
}

static enum ask_result ask(struct session *s, const struct question *q, const struct question **undone)
{
	size_t *shown = q->type == Q_ORDER ? xcalloc(q->items.n, sizeof *shown) : NULL;
	show_question(s, q, shown);
	double t0 = clock_mono();
	size_t hints = 0;
	enum ask_result res = ASK_END;
	char *text = NULL;
	struct grade_result gr;
	memset(&gr, 0, sizeof gr);
	bool *contested = NULL;
	const struct store_card *known = cards_find(&s->cards, q->id);
	int old_revision = known ? known->revision : 0;
	for (;;) {
		enum answer_kind k = read_answer(s, q, &text);
		if (k == ANS_HELP) {
			show_keys(s);
			continue;
		}
		if (k == ANS_HINT) {
			if (interview(s))
				printf("  no hints in an interview\n");
			else if (q->hints.n == 0)
				printf("  this question has no hint\n");
			else if (hints >= q->hints.n)
				printf("  no more hints\n");
			else {
				struct buf b;
				buf_init(&b);
				buf_printf(&b, "  hint%s:\n", q->hints.n > 1 ? (hints + 1 < q->hints.n ? " (more: type hint again)" : " (the last)") : "");
				put_md(&b, s, q->hints.v[hints++], 4);
				flush_buf(&b);
				buf_release(&b);
			}
			continue;
		}
		if (k == ANS_UNDO) {
			const struct question *u = undo_last(s);
			if (!u)
				continue;
			*undone = u;
			res = ASK_UNDONE;
			goto out;
		}
		if (k == ANS_SKIP) {
			if (!interview(s)) {
				printf("  skipped\n");
				s->skipped++;
				res = ASK_SKIPPED;
				goto out;
			}
			/* In an interview a skipped question is a missed one. */
			double secs = clock_mono() - t0;
			struct fsrs_card after;
			if (record(s, q, FSRS_AGAIN, false, q->type == Q_TEXT ? 0.0 : NAN, secs, NULL, &after) < 0)
				goto out;
			struct done *d = add_done(s, q);
			d->old_revision = old_revision;
			d->skipped = true;
			d->seconds = secs;
			d->total = q->type == Q_TEXT ? q->nrubric : 1;
			d->hits = q->type == Q_TEXT ? xcalloc(q->nrubric ? q->nrubric : 1, sizeof *d->hits) : NULL;
			d->recorded = true;
			printf("  skipped\n");
			res = ASK_SKIPPED;
			goto out;
		}
		if (k == ANS_INTR) {
			printf("  abandoned (nothing recorded)\n");
			s->abandoned++;
			res = ASK_ABANDONED;
			goto out;
		}
		if (k == ANS_QUIT || k == ANS_EOF) {
			s->ended = true;
			res = ASK_END;
			goto out;
		}
		char *why = NULL;
		if (is_multiline(q) && strlen(text) > SESSION_ANSWER_MAX)
			why = xasprintf("an answer is at most %d KiB (this one is %zu KiB): shorten it",
			                SESSION_ANSWER_MAX / 1024, (strlen(text) + 1023) / 1024);
		else if (is_multiline(q) && blank(text))
			why = xstrdup(q->type == Q_OUTPUT ? "no answer: type the output, then a line holding only '.'"
			                                  : "no answer: type a few sentences, then a line holding only '.'");
		else if (grade_answer(q, text, shown, &gr, &why) == 0)
			break;
		printf("  %s\n", why);
		free(why);
		free(text);
		text = NULL;
	}

	double secs = clock_mono() - t0;
	enum fsrs_rating g = suggest(q, &gr, hints || secs > slow_after(q));
	bool end = false;
	if (interview(s)) {
		char t[32];
		format_taken(t, sizeof t, secs);
		printf("  answered in %s\n", t);
	} else {
		show_feedback(s, q, shown, &gr);
		if (q->type == Q_TEXT)
			contested = xcalloc(q->nrubric ? q->nrubric : 1, sizeof *contested);
		int got = ask_rating(s, q, &gr, contested, hints || secs > slow_after(q), &end);
		if (got == 0) {
			printf("  abandoned (nothing recorded)\n");
			s->abandoned++;
			res = ASK_ABANDONED;
			goto out;
		}
		g = (enum fsrs_rating)got;
	}
	struct fsrs_card after;
	double score = q->type == Q_TEXT ? grade_score(&gr) : NAN;
	if (record(s, q, g, gr.correct, score, secs, text, &after) < 0)
		goto out;
	if (contested && record_disputes(s, q, text, contested) < 0)
		goto out;
	struct done *d = add_done(s, q);
	d->old_revision = old_revision;
	d->correct = gr.correct;
	d->seconds = secs;
	d->found = gr.found;
	d->total = gr.total;
	d->hits = gr.hits;
	gr.hits = NULL;
	d->recorded = true;
	if (!interview(s)) {
		int64_t now = clock_now();
		char wait[32];
		session_format_wait(wait, sizeof wait, after.due - now);
		printf("  %s: next review in %s (undo takes it back)\n", rating_names[g], wait);
		if (s->o->kind == STORE_REVIEW && after.state != FSRS_REVIEW && after.due - now <= LEARN_AHEAD) {
			GROW(s->pend, s->cappend, s->npend + 1);
			s->pend[s->npend++] = (struct pending){q, after.due};
		}
	}
	if (end)
		s->ended = true;
	res = ASKED;
out:
	fflush(stdout);
	grade_result_release(&gr);
	free(contested);
	free(text);
	free(shown);
	return res;
}

/* ---- picking ---- */

struct keyed {
	const struct question *q;
	double key;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return strcmp(x->q->id, y->q->id);
}

static void push_sorted(struct session *s, struct keyed *v, size_t n)
{
	if (n)
		qsort(v, n, sizeof *v, cmp_keyed);
	for (size_t i = 0; i < n; i++)
		queue_push(s, v[i].q);
}

/* quiz: the topic's due cards (most overdue first), then its new questions
 * (shuffled), then the rest, least retained first. */
static void build_quiz(struct session *s, const struct quiz *qz, int64_t now)
{
	struct keyed *due = xcalloc(qz->n + 1, sizeof *due), *rest = xcalloc(qz->n + 1, sizeof *rest);
	const struct question **fresh = xcalloc(qz->n + 1, sizeof *fresh);
	size_t ndue = 0, nrest = 0, nfresh = 0;
	for (size_t i = 0; i < qz->n; i++) {
		const struct question *q = &qz->questions[i];
		if (!q->id)
			continue;
		const struct store_card *c = cards_find(&s->cards, q->id);
		if (!c)
			fresh[nfresh++] = q;
		else if (due_of(q, c, now) <= now)
			due[ndue++] = (struct keyed){q, (double)due_of(q, c, now)};
		else
			rest[nrest++] = (struct keyed){q, fsrs_retrievability(&s->env->params, &c->fsrs, now)};
	}
	push_sorted(s, due, ndue);
	shuffle(&s->rng, fresh, nfresh);
	for (size_t i = 0; i < nfresh; i++)
		queue_push(s, fresh[i]);
	push_sorted(s, rest, nrest);
	if (s->qlen > s->o->count)
		s->qlen = s->o->count;
	free(due);
	free(rest);
	free(fresh);
}

/* Local midnight at or before now, and the next one. */
static void today(int64_t now, int64_t *start, int64_t *end)
{
	time_t t = (time_t)now;
	struct tm tm;
	localtime_r(&t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	*start = (int64_t)mktime(&tm);
	tm.tm_mday++;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	*end = (int64_t)mktime(&tm);
	if (*start > now || *end <= now) { /* mktime failed or odd zone */
		*start = now - now % 86400;
		*end = *start + 86400;
	}
}

/* review: every due card of the catalog (most overdue first), then new
 * cards in catalog order up to what is left of today's limit. Sets
 * *new_left to that remainder. */
static int build_review(struct session *s, int64_t now, int64_t *new_left)
{
	struct catalog *cat = s->env->cat;
	size_t nq = catalog_nquestions(cat);
	struct keyed *due = xcalloc(nq + 1, sizeof *due);
	size_t ndue = 0;
	for (size_t i = 0; i < nq; i++) {
		const struct question *q = catalog_question_at(cat, i);
		const struct store_card *c = cards_find(&s->cards, q->id);
		if (c && due_of(q, c, now) <= now)
			due[ndue++] = (struct keyed){q, (double)due_of(q, c, now)};
	}
	push_sorted(s, due, ndue);
	free(due);
	int64_t start, end, got = 0;
	today(now, &start, &end);
	char *err = NULL;
	if (store_count_reviews(s->env->st, start, end, true, &got, &err) < 0) {
		store_failed(s, err);
		return -1;
	}
	int64_t left = s->o->new_limit - got;
	*new_left = left < 0 ? 0 : left;
	for (size_t i = 0; i < nq && left > 0; i++) {
		const struct question *q = catalog_question_at(cat, i);
		if (!cards_find(&s->cards, q->id)) {
			queue_push(s, q);
			left--;
		}
	}
	return 0;
}

struct draw_topic {
	const struct lesson *ls;
	double weight;
};

static bool was_asked(const struct session *s, const struct question *q)
{
	for (size_t i = 0; i < s->nasked; i++)
		if (s->asked[i] == q)
			return true;
	return false;
}

/* interview: a topic drawn with weight (1 - mastery), more for a topic never
 * seen, then one of its questions not asked yet, weighted toward the least
 * retained (never seen counts as forgotten). */
static const struct question *draw(struct session *s)
{
	int64_t now = clock_now();
	double *w = xcalloc(s->ndraw + 1, sizeof *w), total = 0;
	for (size_t i = 0; i < s->ndraw; i++) {
		const struct quiz *qz = s->draw[i].ls->quiz;
		bool left = false;
		for (size_t k = 0; k < qz->n && !left; k++)
			left = qz->questions[k].id && !was_asked(s, &qz->questions[k]);
		w[i] = left ? s->draw[i].weight : 0;
		total += w[i];
	}
	const struct question *pick = NULL;
	if (total > 0) {
		double u = fsrs_rng_uniform(&s->rng) * total;
		size_t ti = 0;
		while (ti + 1 < s->ndraw && (u >= w[ti] || w[ti] == 0)) {
			u -= w[ti];
			ti++;
		}
		while (w[ti] == 0 && ti > 0)
			ti--;
		const struct quiz *qz = s->draw[ti].ls->quiz;
		double *qw = xcalloc(qz->n + 1, sizeof *qw), qt = 0;
		for (size_t k = 0; k < qz->n; k++) {
			const struct question *q = &qz->questions[k];
			if (!q->id || was_asked(s, q))
				continue;
			const struct store_card *c = cards_find(&s->cards, q->id);
			double r = c ? fsrs_retrievability(&s->env->params, &c->fsrs, now) : 0;
			qw[k] = 1.1 - (isfinite(r) ? r : 0);
			qt += qw[k];
		}
		double v = fsrs_rng_uniform(&s->rng) * qt;
		for (size_t k = 0; k < qz->n && !pick; k++) {
			if (qw[k] <= 0)
				continue;
			if (v < qw[k])
				pick = &qz->questions[k];
			v -= qw[k];
		}
		for (size_t k = qz->n; k > 0 && !pick; k--) /* rounding at the end */
			if (qw[k - 1] > 0)
				pick = &qz->questions[k - 1];
		free(qw);
	}
	free(w);
	if (pick) {
		GROW(s->asked, s->capasked, s->nasked + 1);
		s->asked[s->nasked++] = pick;
	}
	return pick;
}

static const struct question *next_question(struct session *s)
{
	int64_t now = clock_now();
	size_t first = 0;
	for (size_t i = 1; i < s->npend; i++)
		if (s->pend[i].due < s->pend[first].due)
			first = i;
	const struct question *q = NULL;
	if (s->npend && s->pend[first].due <= now) {
		q = s->pend[first].q;
	} else if (s->qhead < s->qlen) {
		return s->queue[s->qhead++];
	} else if (interview(s)) {
		return draw(s);
	} else if (s->npend) {
		/* Nothing else left: learn ahead, as Anki does. */
		q = s->pend[first].q;
	}
	if (q)
		pending_remove(s, q);
	return q;
}

/* ---- results ---- */

struct tally {
	const char *topic;
	size_t asked, correct;
};

/* Per-topic tallies of the answered questions, in first-answered order. */
static struct tally *tally_topics(const struct session *s, size_t *n)
{
	struct tally *t = xcalloc(s->ndone + 1, sizeof *t);
	*n = 0;
	for (size_t i = 0; i < s->ndone; i++) {
		const char *topic = topic_of(s->done[i].q);
		size_t k = 0;
		while (k < *n && strcmp(t[k].topic, topic) != 0)
			k++;
		if (k == *n)
			t[(*n)++].topic = topic;
		t[k].asked++;
		t[k].correct += s->done[i].correct;
	}
	return t;
}

static size_t count_correct(const struct session *s)
{
	size_t c = 0;
	for (size_t i = 0; i < s->ndone; i++)
		c += s->done[i].correct;
	return c;
}

static const char *end_reason(const struct session *s)
{
	return s->timed_out ? "time" : s->ended ? "quit" : "done";
}

/* The results JSON of the session (the store keeps it; stats reads it). */
static char *results_json(const struct session *s, double seconds)
{
	struct buf b;
	buf_init(&b);
	size_t correct = count_correct(s);
	buf_printf(&b, "{\"asked\": %zu, \"correct\": %zu, \"score\": %.4f, \"seconds\": %.1f, \"topics\": {", s->ndone,
	           correct, s->ndone ? (double)correct / (double)s->ndone : 0.0, seconds);
	size_t nt;
	struct tally *t = tally_topics(s, &nt);
	for (size_t i = 0; i < nt; i++) {
		buf_puts(&b, i ? ", " : "");
		buf_json_str(&b, t[i].topic);
		buf_printf(&b, ": {\"asked\": %zu, \"correct\": %zu, \"score\": %.4f}", t[i].asked, t[i].correct,
		           (double)t[i].correct / (double)t[i].asked);
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
				                                    : xasprintf("%s/%s", topic_of(d->q), p->section);
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
		buf_json_str(&b, topic_of(d->q));
		buf_printf(&b, ", \"correct\": %s, \"skipped\": %s, \"seconds\": %.1f}", d->correct ? "true" : "false",
		           d->skipped ? "true" : "false", d->seconds);
	}
	buf_printf(&b, "], \"skipped\": %zu, \"ended\": \"%s\"}", s->skipped, end_reason(s));
	return buf_detach(&b);
}

static void print_summary(const struct session *s)
{
	size_t correct = count_correct(s);
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
}

static int cmp_tally(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;
	double sx = (double)x->correct / (double)x->asked, sy = (double)y->correct / (double)y->asked;
	if (sx != sy)
		return sx < sy ? -1 : 1;
	return strcmp(x->topic, y->topic);
}

static void print_report(const struct session *s, double seconds)
{
	struct buf b;
	buf_init(&b);
	const struct render_opts *o = &s->env->ro;
	size_t correct = count_correct(s);
	char t[32];
	format_taken(t, sizeof t, seconds);
	buf_addc(&b, '\n');
	put_styled(&b, s, STYLE_HEAD, "Interview report");
	buf_printf(&b, "\n%s after %s: %zu question%s answered.\n",
	           s->timed_out ? "Time's up" : s->ended ? "Ended" : "Every question asked", t, s->ndone,
	           s->ndone == 1 ? "" : "s");
	if (s->ndone == 0) {
		buf_puts(&b, "Nothing to report: no question was answered.\n");
		flush_buf(&b);
		buf_release(&b);
		return;
	}
	buf_printf(&b, "score: %zu/%zu (%.0f%%)\n\n", correct, s->ndone, 100.0 * (double)correct / (double)s->ndone);
	put_styled(&b, s, STYLE_BOLD, "By topic");
	buf_addc(&b, '\n');
	size_t nt;
	struct tally *tl = tally_topics(s, &nt);
	for (size_t i = 0; i < nt; i++)
		buf_printf(&b, "  %-20s %zu/%zu  %3.0f%%\n", tl[i].topic, tl[i].correct, tl[i].asked,
		           100.0 * (double)tl[i].correct / (double)tl[i].asked);
	buf_addc(&b, '\n');
	put_styled(&b, s, STYLE_BOLD, "Questions");
	buf_addc(&b, '\n');
	for (size_t i = 0; i < s->ndone; i++) {
		const struct done *d = &s->done[i];
		format_taken(t, sizeof t, d->seconds);
		buf_printf(&b, "  %2zu. %-36s ", i + 1, d->q->id);
		const char *v = d->skipped ? "skipped" : d->correct ? "right" : "wrong";
		render_styled(&b, d->correct ? STYLE_OK : STYLE_BAD, v, strlen(v), o);
		buf_printf(&b, "%*s %s\n", 8 - (int)strlen(v), "", t);
	}
	bool any = false;
	for (size_t i = 0; i < s->ndone; i++) {
		const struct done *d = &s->done[i];
		if (!d->hits || d->found >= d->total)
			continue;
		if (!any) {
			buf_addc(&b, '\n');
			put_styled(&b, s, STYLE_BOLD, "Key points missed");
			buf_addc(&b, '\n');
			any = true;
		}
		buf_printf(&b, "  %s:\n", d->q->id);
		for (size_t k = 0; k < d->q->nrubric; k++)
			if (!d->hits[k]) {
				buf_puts(&b, "    - ");
				buf_add_visible(&b, d->q->rubric[k].point, strlen(d->q->rubric[k].point), 0);
				buf_addc(&b, '\n');
				put_read(&b, d->q, &d->q->rubric[k], "      ");
			}
	}
	qsort(tl, nt, sizeof *tl, cmp_tally);
	any = false;
	for (size_t i = 0; i < nt; i++) {
		if (tl[i].correct == tl[i].asked)
			continue;
		if (!any) {
			buf_addc(&b, '\n');
			put_styled(&b, s, STYLE_BOLD, "Study next");
			buf_addc(&b, '\n');
			any = true;
		}
		buf_printf(&b, "  learn %-20s (%zu/%zu right)\n", tl[i].topic, tl[i].correct, tl[i].asked);
		const struct lesson *ls = catalog_lesson(s->env->cat, tl[i].topic);
		if (ls && ls->demos.n) {
			buf_puts(&b, "    then run:");
			for (size_t k = 0; k < ls->demos.n; k++)
				buf_printf(&b, "%s demo %s", k ? "," : "", ls->demos.v[k]);
			buf_addc(&b, '\n');
		}
	}
	if (!any)
		buf_puts(&b, "\nEvery answer was right. Try a longer interview or other topics.\n");
	free(tl);
	flush_buf(&b);
	buf_release(&b);
}

/* ---- the session ---- */

static void session_release(struct session *s)
{
	cards_release(&s->cards);
	for (size_t i = 0; i < s->ndone; i++)
		free(s->done[i].hits);
	free(s->done);
	free(s->queue);
	free(s->pend);
	free(s->draw);
	free(s->asked);
}

/* Sets up the interview draw from the topics' mastery. */
static int build_interview(struct session *s, int64_t now)
{
	struct session_topic *t;
	size_t n;
	char *err = NULL;
	if (session_topics(s->env->cat, s->env->st, &s->env->params, now, &t, &n, &err) < 0) {
		store_failed(s, err);
		return -1;
	}
	s->draw = xcalloc(n + 1, sizeof *s->draw);
	for (size_t i = 0; i < n; i++) {
		const struct lesson *ls = catalog_lesson(s->env->cat, t[i].topic);
		if (!ls || !ls->quiz || t[i].questions == 0)
			continue;
		bool wanted = !s->o->topics;
		for (size_t k = 0; k < s->o->ntopics && !wanted; k++)
			wanted = strcmp(s->o->topics[k], ls->id) == 0;
		if (!wanted)
			continue;
		double w = 1.0 - t[i].mastery + 0.05 + (t[i].seen == 0 ? 0.5 : 0.0);
		s->draw[s->ndraw++] = (struct draw_topic){ls, w};
	}
	free(t);
	return 0;
}

static void say_nothing_due(struct session *s, int64_t now, int64_t new_left)
{
	int64_t next;
	char *err = NULL;
	if (session_next_due(s->env->cat, s->env->st, now, &next, &err) < 0) {
		store_failed(s, err);
		return;
	}
	printf("nothing due");
	if (next != STORE_NO_TIME) {
		char w[32];
		session_format_wait(w, sizeof w, next - now);
		printf(" — next card due in %s", w);
	}
	if (new_left == 0 && s->o->new_limit > 0)
		printf("; today's %d new cards are done", s->o->new_limit);
	else if (next == STORE_NO_TIME)
		printf(" — no cards yet; start with 'quiz TOPIC' (see 'topics')");
	printf("\n");
}

int session_run(const struct session_env *env, const struct session_opts *o)
{
	struct session s;
	memset(&s, 0, sizeof s);
	s.env = env;
	s.o = o;
	fsrs_rng_init(&s.rng, env->seed);
	char *err = NULL;
	int64_t now = clock_now();
	if (cards_load(&s.cards, env->st, &err) < 0) {
		store_failed(&s, err);
		session_release(&s);
		return 3;
	}
	int64_t new_left = 0;
	if (o->kind == STORE_QUIZ) {
		const struct lesson *ls = catalog_lesson(env->cat, o->topic);
		if (ls && ls->quiz)
			build_quiz(&s, ls->quiz, now);
	} else if (o->kind == STORE_REVIEW) {
		build_review(&s, now, &new_left);
	} else {
		build_interview(&s, now);
	}
	if (s.failed) {
		session_release(&s);
		return 3;
	}
	if (o->kind == STORE_REVIEW && s.qlen == 0) {
		say_nothing_due(&s, now, new_left);
		session_release(&s);
		return s.failed ? 3 : 0;
	}
	if ((o->kind == STORE_QUIZ && s.qlen == 0) || (o->kind == STORE_INTERVIEW && s.ndraw == 0)) {
		printf("no questions to ask\n");
		session_release(&s);
		return 0;
	}
	if (store_session_start(env->st, o->kind, now, &s.id, &err) < 0) {
		store_failed(&s, err);
		session_release(&s);
		return 3;
	}
	s.mono_start = clock_mono();
	struct sigaction old_alarm;
	if (o->kind == STORE_INTERVIEW) {
		s.deadline = s.mono_start + o->minutes * 60;
		char t[32];
		format_clock(t, sizeof t, o->minutes * 60);
		printf("Mock interview: %s on the clock, questions from %zu topic%s. No hints and no ratings: "
		       "your answers rate themselves. 'quit' ends it early.\n",
		       t, s.ndraw, s.ndraw == 1 ? "" : "s");
		alarm_arm(o->minutes * 60, &old_alarm);
	} else if (o->kind == STORE_REVIEW) {
		printf("Review: %zu card%s to go. Rate each answer; Enter takes the suggestion.\n", s.qlen,
		       s.qlen == 1 ? "" : "s");
	}
	while (!s.ended) {
		if (o->kind == STORE_INTERVIEW && time_up) {
			s.timed_out = true;
			break;
		}
		const struct question *q = next_question(&s);
		if (!q)
			break;
		const struct question *undone = NULL;
		if (ask(&s, q, &undone) == ASK_UNDONE) {
			queue_push_front(&s, q);
			queue_push_front(&s, undone);
			s.shown = s.shown >= 2 ? s.shown - 2 : 0;
		}
	}
	if (o->kind == STORE_INTERVIEW) {
		if (time_up)
			s.timed_out = true;
		alarm_disarm(&old_alarm);
	}
	double seconds = clock_mono() - s.mono_start;
	char *json = results_json(&s, seconds);
	double score = s.ndone ? (double)count_correct(&s) / (double)s.ndone : NAN;
	/* After a failed answer, its error is the one to show. */
	if (store_session_end(env->st, s.id, clock_now(), json, score, &err) < 0 && !s.failed)
		store_failed(&s, err);
	else
		free(err);
	free(json);
	if (o->kind == STORE_INTERVIEW)
		print_report(&s, seconds);
	else
		print_summary(&s);
	if (o->kind == STORE_REVIEW && !s.failed && s.qhead >= s.qlen && s.npend == 0 && !s.ended)
		say_nothing_due(&s, clock_now(), -1);
	fflush(stdout);
	int rc = s.failed ? 3 : 0;
	session_release(&s);
	return rc;
}
