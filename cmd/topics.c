/*
 * topics: the topics grouped by track, with level, summary, mastery and due
 * cards (or as JSON).
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "render.h"
#include "session.h"
#include "util.h"

static int cmd_topics(struct ctx *x, struct cmd_args *a)
{
	bool json = cmd_flag(a, "--json");
	struct catalog *c = x->cat;
	/* Mastery (mean retrievability, unseen questions counting 0) and due
	 * cards per topic, from the progress store when there is one. */
	struct quiz_progress pr;
	int prc = quiz_progress(x, &pr);
	if (prc)
		return prc;
	struct render_opts o = ctx_render_opts(x);
	struct buf b;
	buf_init(&b);
	const char *track = NULL;
	if (json)
		buf_puts(&b, "[");
	for (size_t i = 0; i < catalog_nlessons(c); i++) {
		const struct lesson *ls = catalog_lesson_at(c, i);
		size_t nq = ls->quiz ? ls->quiz->n : 0;
		const struct session_topic *tp = pr.topics && i < pr.n ? &pr.topics[i] : NULL;
		double mastery = tp ? tp->mastery : 0;
		size_t due = tp ? tp->due : 0, seen = tp ? tp->seen : 0;
		if (json) {
			buf_puts(&b, i ? ",\n " : "");
			buf_puts(&b, "{\"id\": ");
			buf_json_str(&b, ls->id);
			buf_puts(&b, ", \"title\": ");
			buf_json_str(&b, ls->title);
			buf_puts(&b, ", \"track\": ");
			buf_json_str(&b, ls->track);
			buf_puts(&b, ", \"level\": ");
			buf_json_str(&b, ls->level);
			buf_puts(&b, ", \"summary\": ");
			buf_json_str(&b, ls->summary);
			buf_printf(&b, ", \"sections\": %zu, \"questions\": %zu, \"seen\": %zu, \"due\": %zu, \"mastery\": %.4f, \"demos\": [",
			           ls->nsections, nq, seen, due, mastery);
			for (size_t k = 0; k < ls->demos.n; k++) {
				buf_puts(&b, k ? ", " : "");
				buf_json_str(&b, ls->demos.v[k]);
			}
			buf_puts(&b, "]}");
			continue;
		}
		if (!track || strcmp(track, ls->track) != 0) {
			track = ls->track;
			if (i)
				buf_addc(&b, '\n');
			render_styled(&b, STYLE_HEAD, track, strlen(track), &o);
			buf_addc(&b, '\n');
		}
		buf_puts(&b, "  ");
		render_styled(&b, STYLE_BOLD, ls->id, strlen(ls->id), &o);
		buf_printf(&b, "%*s %-5s %2zuq %4.0f%% ", 20 - (int)strlen(ls->id), "", ls->level, nq, 100 * mastery);
		if (due)
			buf_printf(&b, "%3zu due  ", due);
		else
			buf_puts(&b, "         ");
		/* The summary wraps under itself, or under the topic when the
		 * terminal is narrow. */
		bool beside = o.width - 48 >= 30;
		struct buf sum;
		buf_init(&sum);
		struct render_opts so = o;
		so.width = beside ? o.width - 48 : o.width - 4;
		render_markdown(&sum, ls->summary, 0, &so);
		if (!beside)
			buf_addc(&b, '\n');
		bool first = true;
		for (char *line = strtok(sum.data, "\n"); line; line = strtok(NULL, "\n")) {
			if (!first || !beside)
				buf_printf(&b, "%*s", beside ? 48 : 4, "");
			buf_printf(&b, "%s\n", line);
			first = false;
		}
		if (first && beside)
			buf_addc(&b, '\n');
		buf_release(&sum);
	}
	if (json)
		buf_puts(&b, "]\n");
	else {
		char *foot = xasprintf("\n%zu topics. Mastery: the mean chance, by the FSRS model, that you recall each of "
		                       "a topic's questions now, one never answered counting 0 (as in 'stats'; "
		                       "see 'help stats'). %s",
		                       catalog_nlessons(c),
		                       pr.due ? "Due: the cards due now, which 'review' asks ('stats' also counts those due "
		                                "later today). Type 'review' for them."
		                              : "Start with 'learn TOPIC', then 'quiz TOPIC'.");
		render_wrap(&b, foot, 0, o.width);
		free(foot);
	}
	fwrite(b.data, 1, b.len, stdout);
	buf_release(&b);
	quiz_progress_release(&pr);
	return 0;
}

const struct command cmd_topics_row = {
	"topics", NULL, "topics [--json]", "topics grouped by track",
	cmd_topics, CMD_CATALOG | CMD_STORE_RO, 0, 0,
	{{"--json", OPT_FLAG, NULL, 0, 0, false}},
	NULL,
};
