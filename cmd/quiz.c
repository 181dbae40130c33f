/*
 * cmd_quiz: argument parsing for the session commands, and the setting up
 * of a session's environment (catalog, store, settings, scheduler
 * parameters, seed, line input). The flows are in session.c.
 */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "clock.h"
#include "cmd.h"
#include "paths.h"
#include "repl.h"
#include "session.h"
#include "settings.h"
#include "store.h"
#include "util.h"

struct settings *ctx_settings(struct ctx *x)
{
	if (x->settings || x->settings_failed)
		return x->settings;
	struct settings *s = xmalloc(sizeof *s);
	settings_init(s);
	char *path = paths_user_file("CONFIG", SETTINGS_FILE);
	if (path) {
		struct diag d;
		diag_init(&d);
		if (settings_load(s, path, &d) < 0) {
			diag_print(&d, stderr);
			free(s);
			s = NULL;
			x->settings_failed = true;
		}
		diag_release(&d);
		free(path);
	}
	x->settings = s;
	return s;
}


static int parse_count(const char *v, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < lo || n > hi)
		return -1;
	*out = n;
	return 0;
}

static int usage(const char *u)
{
	fprintf(stderr, "usage: %s\n", u);
	return 2;
}

/* What a session needs beyond its options; the line input is the REPL's or
 * one made for this command. */
struct setup {
	struct session_env env;
	struct repl *own_repl;
};

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
		su->env.repl = x->repl;
	} else {
		su->own_repl = repl_new(NULL, NULL, NULL);
		su->env.repl = su->own_repl;
		repl_install_sigint();
	}
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


#define QUIZ_USAGE "quiz TOPIC [-n N]"

int cmd_quiz(struct ctx *x, int argc, char **argv)
{
	const char *topic = NULL;
	long count = 10;
	for (int i = 1; i < argc; i++) {
		bool missing = false;
		const char *v = cmd_opt_value(argc, argv, &i, "-n", &missing);
		if (!v && strncmp(argv[i], "-n", 2) == 0 && argv[i][2] >= '0' && argv[i][2] <= '9')
			v = argv[i] + 2; /* -n5 */
		if (missing) {
			fprintf(stderr, "error: -n needs a number of questions\n");
			return 2;
		}
		if (v) {
			if (parse_count(v, 1, 10000, &count) < 0) {
				char e[ECHO_SIZE];
				fprintf(stderr, "error: -n needs a number of questions from 1 to 10000, not '%s'\n", str_echo(e, v));
				return 2;
			}
		} else if (argv[i][0] == '-') {
			char e[ECHO_SIZE];
			fprintf(stderr, "error: unknown option '%s' for 'quiz'\n", str_echo(e, argv[i]));
			return usage(QUIZ_USAGE);
		} else if (topic) {
			return usage(QUIZ_USAGE);
		} else {
			topic = argv[i];
		}
	}
	if (!topic)
		return usage(QUIZ_USAGE);
	struct catalog *c = ctx_catalog(x);
	if (!c)
		return 2;
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

#define REVIEW_USAGE "review [--new-limit N]"

int cmd_review(struct ctx *x, int argc, char **argv)
{
	long limit = -1;
	for (int i = 1; i < argc; i++) {
		bool missing = false;
		const char *v = cmd_opt_value(argc, argv, &i, "--new-limit", &missing);
		char e[ECHO_SIZE];
		if (missing || (v && parse_count(v, 0, 1000, &limit) < 0)) {
			fprintf(stderr, "error: --new-limit needs a number from 0 to 1000%s%s%s\n", v ? ", not '" : "",
			        v ? str_echo(e, v) : "", v ? "'" : "");
			return 2;
		}
		if (!v) {
			if (argv[i][0] == '-')
				fprintf(stderr, "error: unknown option '%s' for 'review'\n", str_echo(e, argv[i]));
			return usage(REVIEW_USAGE);
		}
	}
	struct settings *set = ctx_settings(x);
	if (!set)
		return 2;
	struct session_opts o = {.kind = STORE_REVIEW, .new_limit = limit >= 0 ? (int)limit : set->new_cards_per_day};
	return run(x, &o, false, 0);
}

#define INTERVIEW_USAGE "interview [--minutes M] [--topics a,b] [--seed S]"

int cmd_interview(struct ctx *x, int argc, char **argv)
{
	double minutes = -1;
	const char *topics = NULL;
	bool have_seed = false;
	unsigned long long seed = 0;
	for (int i = 1; i < argc; i++) {
		bool missing = false;
		const char *v;
		char e[ECHO_SIZE];
		if ((v = cmd_opt_value(argc, argv, &i, "--minutes", &missing))) {
			char *end;
			errno = 0;
			minutes = strtod(v, &end);
			if (!*v || *end || errno || !(minutes > 0 && minutes <= 600)) {
				fprintf(stderr, "error: --minutes needs a number above 0 and at most 600, not '%s'\n",
				        str_echo(e, v));
				return 2;
			}
		} else if ((v = cmd_opt_value(argc, argv, &i, "--topics", &missing))) {
			topics = v;
		} else if ((v = cmd_opt_value(argc, argv, &i, "--seed", &missing))) {
			char *end;
			errno = 0;
			seed = strtoull(v, &end, 10);
			if (!*v || *end || errno || *v == '-') {
				fprintf(stderr, "error: --seed needs a non-negative integer, not '%s'\n", str_echo(e, v));
				return 2;
			}
			have_seed = true;
		} else if (missing) {
			fprintf(stderr, "error: %s needs a value\n", argv[i]);
			return 2;
		} else {
			if (argv[i][0] == '-')
				fprintf(stderr, "error: unknown option '%s' for 'interview'\n", str_echo(e, argv[i]));
			return usage(INTERVIEW_USAGE);
		}
	}
	struct catalog *c = ctx_catalog(x);
	if (!c)
		return 2;
	struct settings *set = ctx_settings(x);
	if (!set)
		return 2;
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
		rc = run(x, &o, have_seed, seed);
	}
	free(list);
	return rc;
}

int cmd_undo(struct ctx *x, int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return usage("undo");
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

int quiz_progress(struct ctx *x, struct quiz_progress *p)
{
	memset(p, 0, sizeof *p);
	p->next_due = STORE_NO_TIME;
	char *err = NULL;
	if (clock_check(&p->now, &err) < 0) {
		fprintf(stderr, "error: %s\n", err);
		free(err);
		return 2;
	}
	struct catalog *c = ctx_catalog(x);
	if (!c)
		return 2;
	if (!x->store) {
		char *path = x->db_path ? xstrdup(x->db_path) : paths_user_file("DATA", "progress.db");
		bool exists = path && access(path, F_OK) == 0;
		free(path);
		if (!exists)
			return 0;
	}
	struct store *st = ctx_store_read(x);
	if (!st)
		return 3;
	struct fsrs_params params;
	fsrs_params_init(&params);
	if (session_topics(c, st, &params, p->now, &p->topics, &p->n, &err) < 0 ||
	    session_next_due(c, st, p->now, &p->next_due, &err) < 0) {
		fprintf(stderr, "error: %s\n", err);
		free(err);
		quiz_progress_release(p);
		return 3;
	}
	for (size_t i = 0; i < p->n; i++) {
		p->due += p->topics[i].due;
		p->seen += p->topics[i].seen;
	}
	return 0;
}

void quiz_progress_release(struct quiz_progress *p)
{
	free(p->topics);
	p->topics = NULL;
	p->n = 0;
}

char *quiz_next_step(struct ctx *x)
{
	struct quiz_progress p;
	if (quiz_progress(x, &p) != 0)
		return NULL;
	struct catalog *c = x->cat;
	char *line = NULL;
	if (p.due) {
		line = xasprintf("%zu card%s due: type 'review'.", p.due, p.due == 1 ? " is" : "s are");
	} else {
		/* Go on with the weakest topic started, else the first not started. */
		const char *topic = NULL;
		double best = 2;
		for (size_t i = 0; i < p.n; i++)
			if (p.topics[i].seen && p.topics[i].seen < p.topics[i].questions && p.topics[i].mastery < best) {
				best = p.topics[i].mastery;
				topic = p.topics[i].topic;
			}
		for (size_t i = 0; i < catalog_nlessons(c) && !topic; i++) {
			const struct lesson *ls = catalog_lesson_at(c, i);
			bool seen = p.topics && i < p.n && p.topics[i].seen;
			if (ls->quiz && ls->quiz->n && !seen)
				topic = ls->id;
		}
		char wait[64] = "";
		if (p.next_due != STORE_NO_TIME) {
			char w[24];
			session_format_wait(w, sizeof w, p.next_due - p.now);
			snprintf(wait, sizeof wait, " (next card in %s)", w);
		}
		if (p.seen == 0)
			line = xasprintf("No cards yet: 'learn %s', then 'quiz %s'.", topic ? topic : "TOPIC", topic ? topic : "TOPIC");
		else if (topic)
			line = xasprintf("Nothing due%s: try 'quiz %s'.", wait, topic);
		else
			line = xasprintf("Nothing due%s: every question has been seen; try 'interview'.", wait);
	}
	quiz_progress_release(&p);
	return line;
}
