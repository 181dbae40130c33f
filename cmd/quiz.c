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
	char *err = NULL;
	if (clock_check(NULL, &err) < 0) {
		fprintf(stderr, "error: %s\n", err);
		free(err);
		return 2;
	}
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

static int cmd_quiz(struct ctx *x, struct cmd_args *a)
{
	const char *topic = a->argv[1];
	const struct cmd_val *n = cmd_opt(a, "-n");
	long count = n->set ? (long)n->i : 10;
	struct catalog *c = x->cat;
	const struct lesson *ls = catalog_lesson(c, topic);
	if (!ls)
		return cmd_unknown_topic(c, topic);
	if (!ls->quiz || ls->quiz->n == 0) {
		fprintf(stderr, "error: topic '%s' has no quiz yet\n", topic);
		return 2;
	}
	struct session_opts o = {.kind = STORE_QUIZ, .topic = ls->id, .count = (size_t)count};
	return run(x, &o, false, 0);
}

static int cmd_review(struct ctx *x, struct cmd_args *a)
{
	const struct cmd_val *limit = cmd_opt(a, "--new-limit");
	struct session_opts o = {.kind = STORE_REVIEW,
	                         .new_limit = limit->set ? (int)limit->i : x->settings->new_cards_per_day};
	return run(x, &o, false, 0);
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
			list[n++] = (char *)ls->id;
		}
		free(copy);
		if (rc == 0 && n == 0) {
			fprintf(stderr, "error: --topics needs at least one topic\n");
			rc = 2;
		}
	}
	if (rc == 0) {
		struct session_opts o = {
			.kind = STORE_INTERVIEW,
			.minutes = minutes > 0 ? minutes : set->interview_minutes,
			.topics = (const char *const *)list,
			.ntopics = n,
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

static enum cmd_complete_more complete_topic(const struct cmd_complete *c)
{
	return c->npos == 1 ? cmd_complete_topics(c) : COMPLETE_WORDS;
}

const struct command cmd_quiz_row = {
	"quiz", NULL, "quiz TOPIC [-n N]", "practise a topic: due questions, then new, then the weakest",
	cmd_quiz, CMD_CATALOG | CMD_SETTINGS | CMD_STORE_RW, 1, 1,
	{{"-n", OPT_INT, "a number of questions from 1 to 10000", 1, 10000, false}},
	complete_topic,
};

const struct command cmd_review_row = {
	"review", NULL, "review [--new-limit N]", "the cards due across all topics, then new ones up to a daily limit",
	cmd_review, CMD_CATALOG | CMD_SETTINGS | CMD_STORE_RW, 0, 0,
	{{"--new-limit", OPT_INT, "a number from 0 to 1000", 0, 1000, false}},
	NULL,
};

const struct command cmd_interview_row = {
	"interview", NULL, "interview [--minutes M] [--topics a,b] [--seed S]", "a timed mock interview ending with a report",
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
