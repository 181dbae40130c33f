/*
 * quiz, review, interview, undo: the session commands, and the setting up of
 * a session's environment (catalog, store, settings, scheduler parameters,
 * seed, line input). The flows are in session.c.
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "clock.h"
#include "exercise.h"
#include "repl.h"
#include "session.h"
#include "settings.h"
#include "store.h"
#include "util.h"

/* What a session needs beyond its options; the line input is the REPL's or
 * one made for this command. */
struct setup {
	struct session_env env;
	struct repl *own_repl;
};

/* A session's line input: the REPL's line editor, without history (answers
 * are not commands). */
static enum session_read read_from_repl(void *arg, const char *prompt, char **line)
{
	switch (repl_read(arg, prompt, false, line)) {
	case REPL_LINE:
		return SESSION_LINE;
	case REPL_INTR:
		return SESSION_INTR;
	case REPL_EOF:
		break;
	}
	return SESSION_EOF;
}

static int setup_env(struct ctx *x, struct setup *su, bool have_seed, unsigned long long seed)
{
	memset(su, 0, sizeof *su);
	if (ctx_now(NULL))
		return 2;
	struct settings *set = ctx_settings(x);
	if (!set)
		return 2;
	if (!(su->env.cat = ctx_catalog(x)))
		return 2;
	if (!(su->env.st = ctx_store(x)))
		return 3;
	fsrs_params_init(&su->env.params);
	su->env.params.desired_retention = set->desired_retention;
	su->env.params.enable_fuzz = set->fuzz && !x->no_fuzz;
	su->env.ro = ctx_render_opts(x);
	if (have_seed)
		su->env.seed = seed;
	else if (x->seeded)
		su->env.seed = x->seed;
	else {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		su->env.seed = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
	}
	if (x->repl) {
		su->env.read_arg = x->repl;
	} else {
		su->own_repl = repl_new(NULL, NULL, NULL);
		su->env.read_arg = su->own_repl;
		repl_install_sigint();
	}
	su->env.read = read_from_repl;
	return 0;
}

static void setup_release(struct setup *su)
{
	repl_free(su->own_repl);
}

static int run(struct ctx *x, const struct session_opts *o, bool have_seed, unsigned long long seed)
{
	struct setup su;
	int rc = setup_env(x, &su, have_seed, seed);
	if (rc == 0)
		rc = session_run(&su.env, o);
	setup_release(&su);
	return rc;
}

static bool topic_has_tag(const struct quiz *qz, const char *tag)
{
	for (size_t i = 0; i < qz->n; i++)
		for (size_t k = 0; k < qz->questions[i].tags.n; k++)
			if (strcmp(qz->questions[i].tags.v[k], tag) == 0)
				return true;
	return false;
}

/* The tags of a topic's questions, each once, in order of first use (a
 * new array of *n borrowed strings; caller frees). */
static const char **topic_tags(const struct quiz *qz, size_t *n)
{
	size_t cap = 1;
	for (size_t i = 0; i < qz->n; i++)
		cap += qz->questions[i].tags.n;
	const char **v = xcalloc(cap, sizeof *v);
	*n = 0;
	for (size_t i = 0; i < qz->n; i++)
		for (size_t k = 0; k < qz->questions[i].tags.n; k++) {
			const char *t = qz->questions[i].tags.v[k];
			size_t j = 0;
			while (j < *n && strcmp(v[j], t) != 0)
				j++;
			if (j == *n)
				v[(*n)++] = t;
		}
	return v;
}

static int unknown_tag(const struct lesson *ls, const char *tag)
{
	size_t n;
	const char **v = topic_tags(ls->quiz, &n);
	char e[ECHO_SIZE];
	fprintf(stderr, "error: no question of '%s' is tagged '%s'", ls->id, str_echo(e, tag));
	if (n == 0)
		fprintf(stderr, " (its questions have no tags)\n");
	else {
		fprintf(stderr, "; its tags:");
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "%s %s", i ? "," : "", v[i]);
		fprintf(stderr, "\n");
	}
	free(v);
	return 2;
}

/* Neither a topic nor a question: the nearest of either. */
static int unknown_subject(struct catalog *c, const char *id)
{
	const char *near = catalog_suggest_topic(c, id);
	if (!near)
		near = catalog_suggest_question(c, id);
	char e[ECHO_SIZE];
	if (near)
		fprintf(stderr, "error: unknown topic or question '%s' (did you mean '%s'?)\n", str_echo(e, id), near);
	else
		fprintf(stderr, "error: unknown topic or question '%s' (see 'topics')\n", str_echo(e, id));
	return 2;
}

/* quiz --missed [TOPIC]: the questions to drill, or a line saying there
 * are none. */
static int quiz_missed(struct ctx *x, const struct lesson *ls, size_t count)
{
	struct setup su;
	int rc = setup_env(x, &su, false, 0);
	if (rc != 0) {
		setup_release(&su);
		return rc;
	}
	const struct question **qs = NULL;
	size_t n = 0;
	char *err = NULL;
	if (session_missed(su.env.cat, su.env.st, clock_now(), ls ? ls->id : NULL, &qs, &n, &err) < 0) {
		fprintf(stderr, "error: %s\n", err);
		free(err);
		rc = 3;
	} else if (n == 0) {
		printf("nothing missed%s: no card answered wrong in the last session or rated again in the last %d days\n",
		       ls ? " in this topic" : "", SESSION_MISSED_DAYS);
	} else {
		struct session_opts o = {.kind = STORE_QUIZ, .questions = qs, .nquestions = n, .count = count};
		rc = session_run(&su.env, &o);
	}
	free(qs);
	setup_release(&su);
	return rc;
}

/* Whether every question of qz is a code exercise, which a quiz never asks
 * (practice does; an interview at most one). */
static bool only_exercises(const struct quiz *qz)
{
	for (size_t i = 0; i < qz->n; i++)
		if (qz->questions[i].type != Q_CODE)
			return false;
	return true;
}

static int cmd_quiz(struct ctx *x, struct cmd_args *a)
{
	const char *subject = a->argc > 1 ? a->argv[1] : NULL;
	const struct cmd_val *n = cmd_opt(a, "-n");
	const char *tag = cmd_opt(a, "--tag")->str;
	bool missed = cmd_flag(a, "--missed");
	size_t count = n->set ? (size_t)n->i : missed ? 10000 : 10;
	struct catalog *c = x->cat;
	if (!subject && !missed)
		return cmd_usage(a);
	const struct lesson *ls = subject ? catalog_lesson(c, subject) : NULL;
	const struct question *one = subject && !ls ? catalog_question(c, subject) : NULL;
	if (subject && !ls && !one)
		return unknown_subject(c, subject);
	if (one && (tag || missed)) {
		fprintf(stderr, "error: %s goes with a topic, not a question id\n", tag ? "--tag" : "--missed");
		return 2;
	}
	if (one && one->type == Q_CODE) {
		fprintf(stderr, "error: '%s' is a code exercise: practise it with 'practice %s'\n", one->id,
		        one->quiz ? one->quiz->topic : "");
		return 2;
	}
	if (one) {
		const struct question *list[1] = {one};
		struct session_opts o = {.kind = STORE_QUIZ, .questions = list, .nquestions = 1, .count = 1};
		return run(x, &o, false, 0);
	}
	if (tag && missed) {
		fprintf(stderr, "error: --tag and --missed do not go together\n");
		return 2;
	}
	if (ls && (!ls->quiz || ls->quiz->n == 0)) {
		fprintf(stderr, "error: topic '%s' has no quiz yet\n", ls->id);
		return 2;
	}
	if (ls && only_exercises(ls->quiz)) {
		fprintf(stderr, "error: topic '%s' has only code exercises, which a quiz does not ask: "
		                "practise them with 'practice %s'\n", ls->id, ls->id);
		return 2;
	}
	if (tag && !ls) {
		fprintf(stderr, "error: --tag needs a topic\n");
		return 2;
	}
	if (missed)
		return quiz_missed(x, ls, count);
	if (tag && !topic_has_tag(ls->quiz, tag))
		return unknown_tag(ls, tag);
	struct session_opts o = {.kind = STORE_QUIZ, .topic = ls->id, .tag = tag, .count = count};
	return run(x, &o, false, 0);
}

static int cmd_review(struct ctx *x, struct cmd_args *a)
{
	const struct cmd_val *limit = cmd_opt(a, "--new-limit");
	bool ended = false;
	struct session_opts o = {.kind = STORE_REVIEW,
	                         .new_limit = limit->set ? (int)limit->i : x->settings->new_cards_per_day,
	                         .ended = &ended};
	int rc = run(x, &o, false, 0);
	/* Code exercises due come after the other cards, run as practice runs
	 * them (a session asks no code); after a quit they are only named. */
	return rc == 0 ? cmd_practice_due(x, !ended) : rc;
}

/* ---- the interview's code exercise, run as practice runs one ---- */

static bool code_allowed(void *arg, const struct question *q)
{
	return cmd_exercise_trusted(arg, q);
}

/* The failing tests' names, or what stopped the whole run (a new string). */
static char *failing(const struct question *q, const struct exercise_result *r, bool *passed)
{
	struct buf b;
	buf_init(&b);
	if (r->timed_out)
		buf_printf(&b, "timed out after %g s", q->timeout);
	else if (r->error)
		buf_printf(&b, "%s", r->error);
	for (size_t i = 0; i < r->n && i < q->ntests; i++)
		if (!r->outcomes[i].passed)
			buf_printf(&b, "%s%s", b.len ? "; " : "", q->tests[i].name);
	*passed = b.len == 0 && r->n == q->ntests && !r->interrupted && !r->crashed;
	if (!*passed && b.len == 0)
		buf_puts(&b, "the run did not finish");
	return buf_detach(&b);
}

static int code_run(void *arg, const struct question *q, const char *code, bool *passed, char **failed)
{
	(void)arg;
	struct exercise_job job;
	struct exercise_test *tests = cmd_exercise_job(q, code, (unsigned long)clock_now(), &job);
	struct exercise_result r;
	char *err = NULL;
	int rc = 0;
	*passed = false;
	*failed = NULL;
	if (exercise_run(&job, &r, &err) < 0) {
		fprintf(stderr, "error: %s\n", err);
		free(err);
		rc = -1;
	} else if (r.interrupted) {
		repl_take_interrupt();
		rc = 1;
	} else if (r.too_old) {
		printf("this exercise needs Python 3.%d or newer, and the one found is 3.%d: not run "
		       "(set PYDOJO_PYTHON to a newer one)\n", q->python_minor, r.python_minor);
		rc = -1;
	} else {
		*failed = failing(q, &r, passed);
	}
	exercise_result_release(&r);
	free(tests);
	return rc;
}

static int cmd_interview(struct ctx *x, struct cmd_args *a)
{
	const struct cmd_val *m = cmd_opt(a, "--minutes"), *seed = cmd_opt(a, "--seed");
	double minutes = m->set ? m->d : -1;
	const char *topics = cmd_opt(a, "--topics")->str;
	struct catalog *c = x->cat;
	struct settings *set = x->settings;
	char **list = NULL;
	size_t n = 0;
	int rc = 0;
	if (topics) {
		char *copy = xstrdup(topics);
		list = xcalloc(strlen(topics) + 1, sizeof *list);
		for (char *save, *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
			const struct lesson *ls = catalog_lesson(c, t);
			if (!ls) {
				rc = cmd_unknown_topic(c, t);
				break;
			}
			if (!ls->quiz) {
				fprintf(stderr, "error: topic '%s' has no quiz yet\n", t);
				rc = 2;
				break;
			}
			if (only_exercises(ls->quiz)) {
				fprintf(stderr, "error: topic '%s' has only code exercises, and an interview asks at "
				                "most one: practise them with 'practice %s'\n", t, t);
				rc = 2;
				break;
			}
			list[n++] = (char *)ls->id;
		}
		free(copy);
		if (rc == 0 && n == 0) {
			fprintf(stderr, "error: --topics needs at least one topic\n");
			rc = 2;
		}
	}
	if (rc == 0) {
		struct session_code code = {.allowed = code_allowed, .run = code_run, .arg = x};
		struct session_opts o = {
			.kind = STORE_INTERVIEW,
			.minutes = minutes > 0 ? minutes : set->interview_minutes,
			.topics = (const char *const *)list,
			.ntopics = n,
			.code = &code,
		};
		rc = run(x, &o, seed->set, seed->u);
	}
	free(list);
	return rc;
}

static int cmd_undo(struct ctx *x, struct cmd_args *a)
{
	(void)a;
	struct store *st = ctx_store(x);
	if (!st)
		return 3;
	char *qid = NULL, *err = NULL;
	if (store_undo_last(st, STORE_NO_SESSION, &qid, &err) < 0) {
		fprintf(stderr, "error: cannot undo: %s\n", err);
		free(err);
		return 3;
	}
	if (!qid) {
		printf("nothing to undo\n");
		return 0;
	}
	printf("took back the last answer, to '%s' (its card is as it was before)\n", qid);
	free(qid);
	return 0;
}

/* quiz: a topic (question ids are not offered: too many); after --tag,
 * the tags of the topic named. */
static enum cmd_complete_more complete_quiz(const struct cmd_complete *c)
{
	if (c->option && strcmp(c->option, "--tag") == 0) {
		struct catalog *cat = ctx_catalog(c->x);
		const struct lesson *ls = cat && c->npos > 1 ? catalog_lesson(cat, c->pos[1]) : NULL;
		if (ls && ls->quiz) {
			size_t n;
			const char **v = topic_tags(ls->quiz, &n);
			for (size_t i = 0; i < n; i++)
				c->add(c->state, v[i]);
			free(v);
		}
		return COMPLETE_WORDS;
	}
	return c->npos == 1 ? cmd_complete_topics(c) : COMPLETE_WORDS;
}

const struct command cmd_quiz_row = {
	"quiz", NULL, "quiz TOPIC|QUESTION-ID [--tag TAG] [--missed] [-n N]",
	"practise a topic (due questions, then new, then the weakest), one question, or what you missed",
	cmd_quiz, CMD_CATALOG | CMD_SETTINGS | CMD_STORE_RW, 0, 1,
	{
		{"-n", OPT_INT, "a number of questions from 1 to 10000", 1, 10000, false},
		{"--tag", OPT_STRING, "a tag", 0, 0, false},
		{"--missed", OPT_FLAG, NULL, 0, 0, false},
	},
	complete_quiz,
};

const struct command cmd_review_row = {
	"review", NULL, "review [--new-limit N]",
	"the cards due across all topics, then new ones up to a daily limit; then the demos whose predictions are due, and the code exercises due, practised then if you say yes (as practice runs them)",
	cmd_review, CMD_CATALOG | CMD_SETTINGS | CMD_STORE_RW, 0, 0,
	{{"--new-limit", OPT_INT, "a number from 0 to 1000", 0, 1000, false}},
	NULL,
};

const struct command cmd_interview_row = {
	"interview", NULL, "interview [--minutes M] [--topics a,b] [--seed S]", "a timed mock interview, half of it explain-it questions followed up on missed points, at most one short code exercise, ending with a report and a study plan, after which 'c Q N' contests missed key point N of question Q (a skip is not scored; nothing answered, nothing saved)",
	cmd_interview, CMD_CATALOG | CMD_SETTINGS | CMD_STORE_RW, 0, 0,
	{
		{"--minutes", OPT_DOUBLE, "a number above 0 and at most 600", 0, 600, true},
		{"--topics", OPT_STRING, "topic ids", 0, 0, false},
		CMD_OPT_SEED,
	},
	NULL,
};

const struct command cmd_undo_row = {
	"undo", NULL, "undo", "take back the last answer recorded",
	cmd_undo, CMD_STORE_RW, 0, 0, {{0}}, NULL,
};
