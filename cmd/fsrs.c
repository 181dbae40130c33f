/*
 * fsrs replay: review lines ('TIMESTAMP RATING') from standard input through
 * the scheduler, each state printed as a JSON line. Blank lines separate
 * cards.
 */
#include "cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsrs.h"
#include "util.h"

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* Parses one "TIMESTAMP RATING" line. Returns NULL, or the reason it is bad. */
static const char *replay_parse(char *line, int64_t *at, enum fsrs_rating *g, char **tok)
{
	char *sp = line + strcspn(line, " \t");
	if (!*sp)
		return "expected 'TIMESTAMP RATING'";
	*sp++ = '\0';
	sp += strspn(sp, " \t");
	*tok = line;
	if (fsrs_time_parse(line, at) < 0)
		return "bad time";
	*tok = sp;
	if (!(sp[0] >= '1' && sp[0] <= '4' && sp[1] == '\0'))
		return "bad rating";
	*g = (enum fsrs_rating)(sp[0] - '0');
	return NULL;
}

static int fsrs_replay(const struct cmd_args *a)
{
	struct fsrs_params p;
	fsrs_params_init(&p);
	p.enable_fuzz = false;
	const struct cmd_val *r = cmd_opt(a, "--retention");
	if (r->set)
		p.desired_retention = r->d;

	struct fsrs_card card;
	bool fresh = true;
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0;
	int rc = 0;
	struct buf out;
	buf_init(&out);
	while (getline(&line, &cap, stdin) >= 0) {
		lineno++;
		char *s = trim(line);
		if (!*s) {
			fresh = true;
			continue;
		}
		int64_t at;
		enum fsrs_rating g;
		char *tok = s;
		const char *why = replay_parse(s, &at, &g, &tok);
		char e[ECHO_SIZE];
		if (why) {
			fprintf(stderr, "%ld: error: %s '%s' (expected a time like 2024-01-01T09:00:00Z and a rating 1-4)\n",
			        lineno, why, str_echo(e, tok));
			rc = 2;
			break;
		}
		if (fresh)
			fsrs_card_init(&card, at);
		if (!fresh && at < card.last_review) {
			char prev[FSRS_TIME_SIZE];
			fsrs_time_format(card.last_review, prev);
			fprintf(stderr, "%ld: error: time '%s' is before the previous review (%s)\n", lineno, str_echo(e, s),
			        prev);
			rc = 2;
			break;
		}
		struct fsrs_card next;
		char due[FSRS_TIME_SIZE];
		if (fsrs_review(&p, &card, g, at, NULL, &next) < 0 || fsrs_time_format(next.due, due) < 0) {
			fprintf(stderr, "%ld: error: cannot schedule a review at '%s' (the due time is out of range)\n",
			        lineno, str_echo(e, s));
			rc = 2;
			break;
		}
		card = next;
		fresh = false;
		buf_truncate(&out, 0);
		buf_puts(&out, "{\"at\": ");
		cmd_json_time(&out, at);
		buf_printf(&out, ", \"rating\": %d, \"state\": \"%s\", \"step\": ", (int)g, fsrs_state_name(card.state));
		if (card.state == FSRS_REVIEW)
			buf_puts(&out, "null");
		else
			buf_printf(&out, "%d", card.step);
		buf_puts(&out, ", \"stability\": ");
		cmd_json_double(&out, card.stability);
		buf_puts(&out, ", \"difficulty\": ");
		cmd_json_double(&out, card.difficulty);
		buf_printf(&out, ", \"due\": \"%s\", \"interval_days\": ", due);
		cmd_json_double(&out, (double)(card.due - at) / FSRS_DAY);
		buf_puts(&out, "}\n");
		fwrite(out.data, 1, out.len, stdout);
	}
	free(line);
	buf_release(&out);
	if (rc == 0 && ferror(stdin)) {
		fprintf(stderr, "error: cannot read the standard input: %s\n", strerror(errno));
		rc = 3;
	}
	return rc;
}

static int cmd_fsrs(struct ctx *x, struct cmd_args *a)
{
	(void)x;
	if (strcmp(a->argv[1], "replay") != 0) {
		char e[ECHO_SIZE];
		fprintf(stderr, "error: unknown subcommand '%s' for 'fsrs'\n", str_echo(e, a->argv[1]));
		return cmd_usage(a);
	}
	return fsrs_replay(a);
}

static enum cmd_complete_more complete_fsrs(const struct cmd_complete *c)
{
	if (c->npos == 1)
		c->add(c->state, "replay");
	return COMPLETE_WORDS;
}

const struct command cmd_fsrs_row = {
	"fsrs", NULL, "fsrs replay [--retention R]", "replay 'TIME RATING' lines through the scheduler (JSON lines)",
	cmd_fsrs, 0, 1, 1,
	{{"--retention", OPT_DOUBLE, "a number in (0, 1]", 0, 1, true}},
	complete_fsrs,
};
