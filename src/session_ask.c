/*
 * session_ask: one question asked, graded, rated and recorded, with hint,
 * skip, undo and contest; and the interview clock that cuts a read short.
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
#include "session_int.h"
#include "util.h"

/* ---- the interview clock ---- */

static volatile sig_atomic_t time_up;

static void on_alarm(int sig)
{
	(void)sig;
	time_up = 1;
}

/* Arms a timer that rings after seconds (no SA_RESTART: a read in progress
 * returns, so the interview ends on time even while waiting for input). */
void session_clock_arm(double seconds, struct sigaction *old)
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

void session_clock_disarm(const struct sigaction *old)
{
	struct itimerval it;
	memset(&it, 0, sizeof it);
	setitimer(ITIMER_REAL, &it, NULL);
	sigaction(SIGALRM, old, NULL);
}

/* ---- the session ---- */

static const char *const type_hint[Q_NTYPES] = {
	[Q_CHOICE] = "answer with a letter",
	[Q_MULTI] = "answer with every right letter, such as 'a,c' or 'a c'",
	[Q_TRUEFALSE] = "answer t or f",
	[Q_ORDER] = "answer with the numbers in the right order, such as '3 1 2'",
	[Q_OUTPUT] = "type the exact output, then a line holding only '.' (or Ctrl-D)",
	[Q_TEXT] = "answer in a few sentences, then a line holding only '.' (or Ctrl-D)",
};

/* FNV-1a: a question id as a number, the same on every platform. */
static uint64_t id_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	return h;
}

/* The order the choices of q are shown in: shown[i] is the choice (as
 * written) shown at position i; pinned choices keep their place. Seeded by
 * the session's seed, the question and how often it was answered in this
 * session, so that --seed reproduces it, an answer taken back (undo) is
 * asked again in the same order, and a card asked again later in the
 * session comes in a new one. Its own generator: the session's draws (the
 * questions picked, the fuzz) do not depend on it. */
static void shuffle_choices(const struct session *s, const struct question *q, size_t *shown)
{
	size_t n = q->choices.n, times = 0, nfree = 0;
	for (size_t i = 0; i < s->ndone; i++)
		times += s->done[i].q == q;
	struct fsrs_rng rng;
	fsrs_rng_init(&rng, s->env->seed ^ id_hash(q->id) ^ (uint64_t)times * 0x9e3779b97f4a7c15u);
	size_t *free_at = xcalloc(n ? n : 1, sizeof *free_at);
	for (size_t i = 0; i < n; i++) {
		shown[i] = i;
		if (!q->pinned || !q->pinned[i])
			free_at[nfree++] = i;
	}
	for (size_t k = nfree; k > 1; k--) {
		size_t j = (size_t)(fsrs_rng_next(&rng) % k);
		size_t t = shown[free_at[k - 1]];
		shown[free_at[k - 1]] = shown[free_at[j]];
		shown[free_at[j]] = t;
	}
	free(free_at);
}

/* Shows question q and fills shown[]: for an order question the item index
 * in the right order of each shown position, for a choice or multi
 * question the choice (as written) at each shown position. */
static void show_question(struct session *s, const struct question *q, size_t *shown)
{
	struct buf b;
	buf_init(&b);
	s->shown++;
	char head[160];
	if (s->o->kind == STORE_QUIZ)
		snprintf(head, sizeof head, "[%zu/%zu]", s->shown, s->shown + (s->qlen - s->qhead));
	else if (session_interview(s)) {
		char left[32];
		session_format_clock(left, sizeof left, s->deadline - clock_mono());
		snprintf(head, sizeof head, "[%zu · %s left]", s->shown, left);
	} else if (s->npend)
		snprintf(head, sizeof head, "[question %zu · %zu more, %zu to ask again]", s->shown, s->qlen - s->qhead,
		         s->npend);
	else
		snprintf(head, sizeof head, "[question %zu · %zu more]", s->shown, s->qlen - s->qhead);
	buf_addc(&b, '\n');
	session_put_styled(&b, s, STYLE_BOLD, head);
	buf_printf(&b, " %s (%s, %s)\n", q->id, session_topic_of(q), qtype_names[q->type]);
	const struct store_card *known = session_cards_find(&s->cards, q->id);
	if (session_revised_since(q, known)) {
		/* One line: the learner may remember the old answer. */
		const char *note = q->revised_note;
		if (note)
			buf_printf(&b, "  revised since you last answered it: %.*s\n", (int)strcspn(note, "\n"), note);
		else
			buf_printf(&b, "  revised since you last answered it (now revision %d)\n", q->revised);
	}
	session_put_md(&b, s, q->prompt ? q->prompt : "", 2);
	if (q->code) {
		buf_addc(&b, '\n');
		render_code(&b, q->code, "python", 4, &s->env->ro);
		if (b.data[b.len - 1] != '\n')
			buf_addc(&b, '\n');
	}
	if (q->type == Q_CHOICE || q->type == Q_MULTI) {
		shuffle_choices(s, q, shown);
		for (size_t i = 0; i < q->choices.n; i++) {
			char label[32];
			session_choice_label(label, sizeof label, q, i);
			session_put_item(&b, s, label, q->choices.v[shown[i]]);
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
			session_put_item(&b, s, label, q->items.v[shown[i]]);
		}
	}
	/* The keys go on a line of their own when both do not fit. */
	const char *keys = session_interview(s) ? "skip, quit, ? for keys\n" : "hint, skip, reveal, quit, ? for keys\n";
	bool apart = strlen(type_hint[q->type]) + 2 + strlen(keys) - 1 > (size_t)s->env->ro.width;
	session_put_styled(&b, s, STYLE_DIM, type_hint[q->type]);
	buf_puts(&b, apart ? "\n" : "; ");
	session_put_styled(&b, s, STYLE_DIM, keys);
	session_flush_buf(&b);
	buf_release(&b);
}

static void show_keys(const struct session *s)
{
	bool iv = session_interview(s);
	printf("  hint    show a hint (a right answer then rates 'hard')%s\n"
	       "  skip    move on without answering (nothing is recorded)%s\n"
	       "  reveal  show the answer; the card is recorded as 'again', as a wrong answer is%s\n"
	       "  undo    take back the last rating and ask that question again%s\n"
	       "  quit    end the session; answers already given are kept\n"
	       "  Ctrl-C  abandon this question (nothing is recorded)\n"
	       "  Ctrl-D  end the session\n",
	       iv ? " (not in an interview)" : "", iv ? "; the report lists it as skipped, outside the score" : "",
	       iv ? " (not in an interview)" : "", iv ? " (not in an interview)" : "");
	fflush(stdout);
}

/* ---- reading answers ---- */

enum answer_kind { ANS_TEXT, ANS_HINT, ANS_SKIP, ANS_REVEAL, ANS_HELP, ANS_QUIT, ANS_UNDO, ANS_INTR, ANS_EOF };

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
	if (time_up && session_interview(s)) {
		s->timed_out = true;
		return ANS_EOF;
	}
	enum session_read rr = s->env->read(s->env->read_arg, prompt, line);
	if (time_up && session_interview(s)) {
		free(*line);
		*line = NULL;
		s->timed_out = true;
		return ANS_EOF;
	}
	if (rr == SESSION_INTR)
		return ANS_INTR;
	if (rr == SESSION_EOF)
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
	if (strcmp(w, "reveal") == 0)
		return ANS_REVEAL;
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
	if (session_interview(s)) {
		char left[32];
		session_format_clock(left, sizeof left, s->deadline - clock_mono());
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

/* The verdict, what was right in a wrong answer (answer as recorded) and
 * the right answer; revealed (r then holds no hit): the right answer alone,
 * after `reveal`. */
static void show_feedback(struct session *s, const struct question *q, const size_t *shown,
		const struct grade_result *r, const char *answer, bool revealed)
{
	struct buf b;
	buf_init(&b);
	if (revealed)
		session_put_styled(&b, s, STYLE_BAD, "revealed (recorded as a wrong answer)");
	else if (r->correct)
		session_put_styled(&b, s, STYLE_OK, "✓ right");
	else
		session_put_styled(&b, s, STYLE_BAD, "✗ wrong");
	if (q->type == Q_TEXT && !revealed)
		buf_printf(&b, " — %zu/%zu key points (%zu needed)", r->found, r->total, q->pass);
	buf_addc(&b, '\n');
	if (q->type == Q_TEXT) {
		if (revealed)
			buf_printf(&b, "  the key points (%zu needed):\n", q->pass);
		for (size_t i = 0; i < q->nrubric; i++) {
			struct buf lead;
			buf_init(&lead);
			buf_printf(&lead, "%2zu", i + 1);   /* the number `c N` contests */
			if (revealed) {
				buf_puts(&lead, "  - ");
				session_put_point(&b, s, lead.data, q->rubric[i].point, 6);
				buf_release(&lead);
				session_put_read(&b, q, &q->rubric[i], "      ");
				continue;
			}
			if (r->limited[i]) {
				buf_puts(&b, lead.data);
				session_put_styled(&b, s, STYLE_BAD, "  ✗ not graded  ");
				buf_add_visible(&b, q->rubric[i].point, strlen(q->rubric[i].point), 0);
				buf_puts(&b, ": checking it hit the regex match limits on your answer, "
				         "so it is not credited\n");
			} else if (r->fails_by == i + 1) {
				/* The wrong claim that failed the answer: the point it
				 * contradicts, and what it did. */
				session_put_styled(&lead, s, STYLE_BAD, "  ✗ wrong  ");
				session_put_point(&b, s, lead.data, q->rubric[i].point, 13);
				buf_puts(&b, "             your answer contradicts it, which fails the whole answer\n");
			} else {
				/* Wrapped under the point, where its read line goes. */
				session_put_styled(&lead, s, r->hits[i] ? STYLE_OK : STYLE_BAD, r->hits[i] ? "  ✓ found  " : "  ✗ missed ");
				session_put_point(&b, s, lead.data, q->rubric[i].point, 13);
			}
			buf_release(&lead);
			if (!r->hits[i])
				session_put_read(&b, q, &q->rubric[i], "             ");   /* under the point */
		}
		/* A right verdict vouches for the key points, not for every
		 * claim beside them: say so where the learner can check. */
		if (r->correct && !revealed)
			session_put_md(&b, s,
			               "(checked: these key points and the wrong claims the rubric knows; "
			               "compare anything else you said with the model answer)",
			               2);
		buf_puts(&b, "  model answer:\n");
		session_put_md(&b, s, q->model_answer ? q->model_answer : "", 4);
	} else if (!r->correct || revealed) {
		if (!revealed)
			session_put_credit(&b, s, q, answer, shown, "  ");
		session_put_answer(&b, s, q, shown);
	}
	if (q->explain) {
		buf_addc(&b, '\n');
		session_put_md(&b, s, q->explain, 2);
	}
	session_flush_buf(&b);
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

static void rating_line(const struct session *s, const struct question *q, const struct grade_result *gr,
                        int suggested)
{
	int n = printf("  1 again  2 hard  3 good  4 easy   (Enter: %d %s)", suggested, rating_names[suggested]);
	static const char contest[] = "c N: you made missed point N";
	/* Beside the ratings when it fits, else under them. */
	if (q->type == Q_TEXT && gr->found < gr->total)
		printf(n + 3 + (int)sizeof contest - 1 <= s->env->ro.width ? "   %s" : "\n  %s", contest);
	printf("\n");
}

/* Parses `c N` or `contest N` (want 1), or `c Q N` (want 2): 0 when line
 * is not a contest; 1 with v[0..want-1] set; -1 when a number is missing,
 * not one, or one too many. */
static int parse_contest(const char *p, long *v, int want)
{
	size_t w = strcspn(p, " \t");
	if (!((w == 1 && p[0] == 'c') || (w == 7 && strncmp(p, "contest", 7) == 0)))
		return 0;
	p += w;
	for (int i = 0; i < want; i++) {
		p += strspn(p, " \t");
		char *end;
		errno = 0;
		long n = strtol(p, &end, 10);
		if (end == p || errno || *p == '-' || *p == '+' || (*end && *end != ' ' && *end != '\t'))
			return -1;
		v[i] = n;
		p = end;
	}
	return p[strspn(p, " \t")] ? -1 : 1;
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
	if (gr->fails_by == i + 1)
		gr->fails_by = 0;   /* the learner says the point's claim is what they made */
	gr->correct = gr->found >= q->pass && !gr->fails_by;
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
	rating_line(s, q, gr, suggested);
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
		int c = parse_contest(p, &point, 1);
		if (c != 0) {
			free(line);
			if (contest(q, gr, contested, c, point) == 0) {
				suggested = (int)suggest(q, gr, hard);
				rating_line(s, q, gr, suggested);
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

void session_store_failed(struct session *s, char *err)
{
	fprintf(stderr, "error: %s\n", err ? err : "the progress database failed");
	free(err);
	s->failed = true;
	s->ended = true;
}

/* Makes the session's row, once: a quiz or review at its start, an
 * interview at its first answer (one where nothing was answered is not
 * kept). Returns 0, or -1 after store_failed. */
int session_save(struct session *s)
{
	if (s->saved)
		return 0;
	char *err = NULL;
	if (store_session_start(s->env->st, s->o->kind, s->started_at, &s->id, &err) < 0) {
		session_store_failed(s, err);
		return -1;
	}
	s->saved = true;
	return 0;
}

/* Schedules and records one answer to the card id of topic, answered at
 * revision. Returns 0, or -1 after store_failed. */
int session_record_card(struct session *s, const char *id, const char *topic, int revision, enum fsrs_rating g,
		bool correct, double score, double seconds, const char *answer, struct fsrs_card *after)
{
	struct store *st = s->env->st;
	if (session_save(s) < 0)
		return -1;
	int64_t now = clock_now();
	struct store_card card;
	bool found;
	char *err = NULL;
	if (store_get_card(st, id, now, &card, &found, &err) < 0) {
		session_store_failed(s, err);
		return -1;
	}
	/* A card reviewed later by another process, or a clock set back: review
	 * at its last review time rather than refusing the answer. */
	int64_t at = card.fsrs.last_review != FSRS_NEVER && card.fsrs.last_review > now ? card.fsrs.last_review : now;
	if (fsrs_review(&s->env->params, &card.fsrs, g, at, &s->rng, after) < 0) {
		session_store_failed(s, xasprintf("cannot schedule the card of '%s' (its stored state is invalid)", id));
		return -1;
	}
	struct store_review r = {
		.question_id = id,
		.topic = topic,
		.at = at,
		.rating = g,
		.correct = correct,
		.score = score,
		.duration_ms = (int64_t)(seconds * 1000),
		.answer = answer,
		.session_id = s->id,
		.revision = revision,
	};
	if (store_record_review(st, &r, after, NULL, &err) < 0) {
		session_store_failed(s, err);
		return -1;
	}
	return 0;
}

/* Schedules and records one answer to q. Returns 0, or -1 after
 * store_failed. */
static int record(struct session *s, const struct question *q, enum fsrs_rating g, bool correct, double score,
		double seconds, const char *answer, struct fsrs_card *after)
{
	if (session_record_card(s, q->id, session_topic_of(q), q->revised, g, correct, score, seconds, answer, after) < 0)
		return -1;
	struct store_card *known = session_cards_find_mut(&s->cards, q->id);
	if (known)
		known->revision = q->revised;
	return 0;
}

/* Keeps the learner's word that answer to q made key point k. Returns 0,
 * or -1 after store_failed. */
static int record_dispute(struct session *s, const struct question *q, const char *answer, size_t k)
{
	struct store_dispute d = {
		.question_id = q->id,
		.topic = session_topic_of(q),
		.at = clock_now(),
		.answer = answer,
		.point_index = (int)k,
		.point = q->rubric[k].point,
		.session_id = s->id,
	};
	char *err = NULL;
	if (store_record_dispute(s->env->st, &d, NULL, &err) < 0) {
		session_store_failed(s, err);
		return -1;
	}
	return 0;
}

/* Keeps each point contested for answer to q (after its review is
 * recorded: an abandoned question keeps nothing). Returns 0, or -1 after
 * store_failed. */
static int record_disputes(struct session *s, const struct question *q, const char *answer, const bool *contested)
{
	for (size_t i = 0; i < q->nrubric; i++)
		if (contested[i] && record_dispute(s, q, answer, i) < 0)
			return -1;
	return 0;
}

/* The order a choice, multi or order question was shown in, kept for the
 * list of missed questions (a new array), or NULL. */
static size_t *copy_shown(const struct question *q, const size_t *shown)
{
	size_t n = q->type == Q_ORDER ? q->items.n : q->type == Q_CHOICE || q->type == Q_MULTI ? q->choices.n : 0;
	if (!shown || !n)
		return NULL;
	size_t *v = xcalloc(n, sizeof *v);
	memcpy(v, shown, n * sizeof *v);
	return v;
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
	if (session_interview(s) || s->ndone == 0 || !s->done[s->ndone - 1].recorded) {
		printf("  nothing to undo%s\n", session_interview(s) ? " in an interview" : " yet");
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
	struct store_card *known = session_cards_find_mut(&s->cards, q->id);
	if (known)
		known->revision = d->old_revision;
	free(d->hits);
	free(d->answer);
	free(d->shown);
	free(d->contested);
	s->ndone--;
	session_pending_remove(s, q);
	printf("  took back your answer to %s; here it is again\n", q->id);
	return q;
}

/* ---- asking one question ---- */

static bool blank(const char *t)
{
	return t[strspn(t, " \t\r\n")] == '\0';
}

static void show_hint(struct session *s, const struct question *q, size_t *hints)
{
	if (session_interview(s)) {
		printf("  no hints in an interview\n");
	} else if (q->hints.n == 0) {
		printf("  this question has no hint\n");
	} else if (*hints >= q->hints.n) {
		printf("  no more hints\n");
	} else {
		struct buf b;
		buf_init(&b);
		buf_printf(&b, "  hint%s:\n", q->hints.n > 1 ? (*hints + 1 < q->hints.n ? " (more: type hint again)" : " (the last)") : "");
		session_put_md(&b, s, q->hints.v[(*hints)++], 4);
		session_flush_buf(&b);
		buf_release(&b);
	}
}

/* `skip`: deferred, nothing recorded. An interview lists it in its report
 * as skipped, with its right answer, outside the score. */
static enum ask_result skip(struct session *s, const struct question *q, double t0, int old_revision)
{
	s->skipped++;
	if (session_interview(s)) {
		struct done *d = add_done(s, q);
		d->old_revision = old_revision;
		d->skipped = true;
		d->seconds = clock_mono() - t0;
		d->total = q->type == Q_TEXT ? q->nrubric : 1;
		d->hits = q->type == Q_TEXT ? xcalloc(q->nrubric ? q->nrubric : 1, sizeof *d->hits) : NULL;
	}
	printf("  skipped\n");
	return ASK_SKIPPED;
}

/* After a recorded rating in a quiz or review: when the card comes back,
 * and in a review a learning card due soon waits to be asked again. */
static void after_record(struct session *s, const struct question *q, enum fsrs_rating g,
                         const struct fsrs_card *after)
{
	int64_t now = clock_now();
	char wait[32];
	session_format_wait(wait, sizeof wait, after->due - now);
	if (s->o->kind == STORE_REVIEW && after->state != FSRS_REVIEW && after->due - now <= LEARN_AHEAD) {
		/* It comes back in this review: at once when nothing else is
		 * left (learnt ahead of its step, as Anki does), else after the
		 * others. Saying "next review in 1m" and asking it at once
		 * would not be honest. */
		GROW(s->pend, s->cappend, s->npend + 1);
		s->pend[s->npend++] = (struct pending){q, after->due};
		printf("  %s: asked again %s in this review (its step is %s; undo takes it back)\n", rating_names[g],
		       s->qhead >= s->qlen ? "soon" : "later", wait);
	} else
		printf("  %s: next review in %s (undo takes it back)\n", rating_names[g], wait);
}

/* `reveal`: the answer without an attempt. Shown as after a wrong answer
 * and recorded as one (again, no rating asked); listed as missed at the
 * end. Not in an interview, whose answers wait for the report. */
static enum ask_result reveal(struct session *s, const struct question *q, const size_t *shown, double t0,
                              int old_revision)
{
	struct grade_result gr;
	memset(&gr, 0, sizeof gr);
	gr.total = q->type == Q_TEXT ? q->nrubric : 1;
	gr.hits = xcalloc(q->nrubric ? q->nrubric : 1, sizeof *gr.hits);
	gr.limited = xcalloc(q->nrubric ? q->nrubric : 1, sizeof *gr.limited);
	show_feedback(s, q, shown, &gr, NULL, true);
	double secs = clock_mono() - t0;
	struct fsrs_card after;
	enum ask_result res = ASK_END;
	if (record(s, q, FSRS_AGAIN, false, q->type == Q_TEXT ? 0.0 : NAN, secs, NULL, &after) < 0)
		goto out;
	struct done *d = add_done(s, q);
	d->old_revision = old_revision;
	d->revealed = true;
	d->shown = copy_shown(q, shown);
	d->seconds = secs;
	d->total = gr.total;
	if (q->type == Q_TEXT) {
		d->hits = gr.hits;
		gr.hits = NULL;
	}
	d->recorded = true;
	after_record(s, q, FSRS_AGAIN, &after);
	res = ASKED;
out:
	grade_result_release(&gr);
	return res;
}

/* After a graded answer: the feedback and rating (not in an interview),
 * then the record, the disputes and the next review. */
static enum ask_result answered(struct session *s, const struct question *q, const size_t *shown,
                                struct grade_result *gr, const char *text, bool helped, double secs,
                                int old_revision)
{
	enum fsrs_rating g = suggest(q, gr, helped);
	bool end = false;
	bool *contested = NULL;
	enum ask_result res = ASK_END;
	if (session_interview(s)) {
		char t[32];
		session_format_taken(t, sizeof t, secs);
		printf("  answered in %s\n", t);
	} else {
		show_feedback(s, q, shown, gr, text, false);
		if (q->type == Q_TEXT)
			contested = xcalloc(q->nrubric ? q->nrubric : 1, sizeof *contested);
		int got = ask_rating(s, q, gr, contested, helped, &end);
		if (got == 0) {
			printf("  abandoned (nothing recorded)\n");
			s->abandoned++;
			res = ASK_ABANDONED;
			goto out;
		}
		g = (enum fsrs_rating)got;
	}
	struct fsrs_card after;
	double score = q->type == Q_TEXT ? grade_score(gr) : NAN;
	if (record(s, q, g, gr->correct, score, secs, text, &after) < 0)
		goto out;
	if (contested && record_disputes(s, q, text, contested) < 0)
		goto out;
	struct done *d = add_done(s, q);
	d->old_revision = old_revision;
	d->correct = gr->correct;
	d->seconds = secs;
	d->found = gr->found;
	d->fails_by = gr->fails_by;
	d->total = gr->total;
	d->hits = gr->hits;
	gr->hits = NULL;
	d->answer = text ? xstrdup(text) : NULL;
	d->shown = copy_shown(q, shown);
	d->recorded = true;
	if (!session_interview(s))
		after_record(s, q, g, &after);
	if (end)
		s->ended = true;
	res = ASKED;
out:
	free(contested);
	return res;
}

enum ask_result session_ask(struct session *s, const struct question *q, const struct question **undone)
{
	size_t nshown = q->type == Q_ORDER ? q->items.n : q->type == Q_CHOICE || q->type == Q_MULTI ? q->choices.n : 0;
	size_t *shown = nshown ? xcalloc(nshown, sizeof *shown) : NULL;
	show_question(s, q, shown);
	if (q->type == Q_TEXT)
		grade_compile_rubric(q);
	double t0 = clock_mono();
	size_t hints = 0;
	enum ask_result res = ASK_END;
	char *text = NULL;
	struct grade_result gr;
	memset(&gr, 0, sizeof gr);
	const struct store_card *known = session_cards_find(&s->cards, q->id);
	int old_revision = known ? known->revision : 0;
	for (;;) {
		enum answer_kind k = read_answer(s, q, &text);
		if (k == ANS_HELP) {
			show_keys(s);
			continue;
		}
		if (k == ANS_HINT) {
			show_hint(s, q, &hints);
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
			res = skip(s, q, t0, old_revision);
			goto out;
		}
		if (k == ANS_REVEAL) {
			if (session_interview(s)) {
				printf("  no reveal in an interview: the report shows every answer (skip moves on)\n");
				continue;
			}
			res = reveal(s, q, shown, t0, old_revision);
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
		else if (grade_answer(q, text, shown, &gr, &why) == 0) {
			/* Kept as written, whatever order it was shown in. */
			char *canon = grade_canonical_answer(q, text, shown);
			if (canon) {
				free(text);
				text = canon;
			}
			break;
		}
		printf("  %s\n", why);
		free(why);
		free(text);
		text = NULL;
	}
	double secs = clock_mono() - t0;
	res = answered(s, q, shown, &gr, text, hints || secs > slow_after(q), secs, old_revision);
out:
	fflush(stdout);
	grade_result_release(&gr);
	free(text);
	free(shown);
	return res;
}

bool session_time_is_up(void)
{
	return time_up;
}

/* ---- the interviewer's follow-up ---- */

static void show_follow_up(struct session *s, const struct question *q, const struct rubric_point *p)
{
	struct buf b;
	buf_init(&b);
	char head[64], left[32];
	session_format_clock(left, sizeof left, s->deadline - clock_mono());
	snprintf(head, sizeof head, "[follow-up · %s left]", left);
	buf_addc(&b, '\n');
	session_put_styled(&b, s, STYLE_BOLD, head);
	buf_printf(&b, " on %s (%s, text)\n", q->id, session_topic_of(q));
	session_put_md(&b, s, p->follow_up, 2);
	session_put_styled(&b, s, STYLE_DIM, type_hint[Q_TEXT]);
	session_put_styled(&b, s, STYLE_DIM, "; skip, quit, ? for keys\n");
	session_flush_buf(&b);
	buf_release(&b);
}

/* Reads the answer to a follow-up until it is one, or the learner moves
 * on. Returns ANS_TEXT with *text a new string, or the key that ended it
 * (ANS_SKIP, ANS_INTR, ANS_QUIT, ANS_EOF). */
static enum answer_kind read_follow_up(struct session *s, const struct question *q, char **text)
{
	for (;;) {
		enum answer_kind k = read_answer(s, q, text);
		if (k == ANS_HELP)
			show_keys(s);
		else if (k == ANS_HINT)
			printf("  no hints in an interview\n");
		else if (k == ANS_REVEAL)
			printf("  no reveal in an interview: the report shows every answer (skip moves on)\n");
		else if (k == ANS_UNDO)
			printf("  nothing to undo in an interview\n");
		else if (k != ANS_TEXT)
			return k;
		else if (strlen(*text) > SESSION_ANSWER_MAX || blank(*text))
			printf("  %s\n", blank(*text) ? "no answer: type a few sentences, then a line holding only '.'"
			                              : "an answer is at most 16 KiB: shorten it");
		else
			return k;
		free(*text);
		*text = NULL;
	}
}

/* Asks the follow-up written on key point `point` of the answer
 * s->done[parent] missed, graded against that point alone (the follow-up
 * lends its subject: grade_followup). Not a card: nothing is recorded in
 * the store; the outcome stays with the parent's record for the report. */
enum ask_result session_ask_follow_up(struct session *s, size_t parent, size_t point)
{
	const struct question *q = s->done[parent].q;
	const struct rubric_point *p = &q->rubric[point];
	show_follow_up(s, q, p);
	double t0 = clock_mono();
	char *text = NULL;
	enum answer_kind k = read_follow_up(s, q, &text);
	struct done *d = &s->done[parent];
	d->fu_point = point;
	d->fu_seconds = clock_mono() - t0;
	enum ask_result res = ASKED;
	if (k == ANS_TEXT) {
		d->fu = grade_followup(p, p->follow_up, text) == GRADE_FOUND ? FU_MADE : FU_MISSED;
		char t[32];
		session_format_taken(t, sizeof t, d->fu_seconds);
		printf("  answered in %s\n", t);
	} else if (k == ANS_SKIP) {
		d->fu = FU_SKIPPED;
		printf("  skipped\n");
		res = ASK_SKIPPED;
	} else if (k == ANS_INTR) {
		d->fu = FU_SKIPPED;
		printf("  abandoned\n");
		res = ASK_ABANDONED;
	} else {
		s->ended = true;
		res = ASK_END;
	}
	free(text);
	fflush(stdout);
	return res;
}

/* ---- contesting an interview's grades, after its report ---- */

/* Whether key point k of the answer d can still be contested: a missed
 * point of an answered text question, not made in its follow-up. */
static bool contestable(const struct done *d, size_t k)
{
	return d->q->type == Q_TEXT && !d->skipped && d->hits && d->answer && k < d->q->nrubric && !d->hits[k] &&
	       !(d->fu == FU_MADE && d->fu_point == k) && !(d->contested && d->contested[k]);
}

/* The points of d still contestable, as "1, 3", into b. */
static void put_contestable(struct buf *b, const struct done *d)
{
	for (size_t k = 0; k < d->q->nrubric; k++)
		if (contestable(d, k))
			buf_printf(b, "%s%zu", b->len ? ", " : "", k + 1);
}

/* Contests point n of the answer to question qn (both 1-based, as the
 * report numbers them). Prints the point and the recount, or one line why
 * not. Returns 0, 1 when refused, -1 after store_failed. */
static int contest_done(struct session *s, long qn, long n)
{
	if (qn < 1 || (size_t)qn > s->ndone) {
		printf("  no question %ld: the report numbers them 1 to %zu\n", qn, s->ndone);
		return 1;
	}
	struct done *d = &s->done[qn - 1];
	const struct question *q = d->q;
	struct buf b;
	buf_init(&b);
	put_contestable(&b, d);
	int rc = 1;
	if (q->type != Q_TEXT)
		printf("  question %ld is not a text question: only the key points of a text answer can be contested\n", qn);
	else if (d->skipped)
		printf("  question %ld was skipped: there is no answer to contest\n", qn);
	else if (n < 1 || (size_t)n > q->nrubric)
		printf("  no key point %ld: question %ld has %zu (contestable: %s)\n", n, qn, q->nrubric,
		       b.len ? b.data : "none");
	else if (!contestable(d, (size_t)n - 1))
		printf("  key point %ld of question %ld was %s; only a missed point can be contested (contestable: %s)\n",
		       n, qn, d->hits && d->hits[n - 1] ? "found" : d->contested && d->contested[n - 1] ? "contested already" :
		       "made in its follow-up", b.len ? b.data : "none");
	else
		rc = 0;
	buf_release(&b);
	if (rc)
		return rc;
	size_t k = (size_t)n - 1;
	if (record_dispute(s, q, d->answer, k) < 0)
		return -1;
	if (!d->contested)
		d->contested = xcalloc(q->nrubric, sizeof *d->contested);
	d->contested[k] = true;
	size_t found = d->found;
	for (size_t i = 0; i < q->nrubric; i++)
		found += d->contested[i];
	bool failed = d->fails_by && !d->contested[d->fails_by - 1];
	buf_init(&b);
	buf_printf(&b, "  contested %ld.%ld (%s): ", qn, n, q->id);
	buf_add_visible(&b, q->rubric[k].point, strlen(q->rubric[k].point), 0);
	buf_printf(&b, "\n  counted: %zu/%zu key points (%zu needed), %s; kept with your answer for the rubric's "
	           "author ('disputes' lists it); the interview's score stays as graded\n",
	           found, q->nrubric, q->pass, found >= q->pass && !failed ? "right" : "still wrong");
	fwrite(b.data, 1, b.len, stdout);
	buf_release(&b);
	return 0;
}

void session_contest_interview(struct session *s)
{
	bool any = false;
	for (size_t i = 0; i < s->ndone && !any; i++)
		for (size_t k = 0; k < s->done[i].q->nrubric && !any; k++)
			any = contestable(&s->done[i], k);
	if (!any || s->failed || !s->saved)
		return;
	printf("\nMade a key point the grader missed? 'c Q N' contests point N of your answer to question Q "
	       "(as numbered above); Enter ends.\n");
	for (;;) {
		fflush(stdout);
		char *line = NULL;
		if (s->env->read(s->env->read_arg, "contest> ", &line) != SESSION_LINE) {
			free(line);
			break;
		}
		char *p = line + strspn(line, " \t");
		size_t n = strlen(p);
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			p[--n] = '\0';
		long v[2];
		int c = n == 0 || strcmp(p, "q") == 0 || strcmp(p, "quit") == 0 ? 2 : parse_contest(p, v, 2);
		free(line);
		if (c == 2)
			break;
		if (c <= 0) {
			printf("  type 'c Q N' (question Q, its missed key point N), or Enter to end\n");
			continue;
		}
		if (contest_done(s, v[0], v[1]) < 0)
			break;
	}
	fflush(stdout);
}
