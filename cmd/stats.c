/*
 * stats: progress per topic, due cards, a review heatmap, the last
 * interviews and the disputed grades (or as JSON).
 *
 * It reads the store and the catalog and prints; it never writes. Cards of
 * questions that left the content stay in the database but are neither
 * counted nor shown. Calendar days (due today, the heatmap) are local days.
 */
#include "cmd.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "clock.h"
#include "progress.h"
#include "render.h"
#include "store.h"
#include "util.h"

#define HEAT_WEEKS PROGRESS_HEAT_WEEKS
#define HEAT_DAYS PROGRESS_HEAT_DAYS

static const char *const heat_glyph[5] = {"\xc2\xb7", "\xe2\x96\x91", "\xe2\x96\x92", "\xe2\x96\x93",
                                          "\xe2\x96\x88"}; /* · ░ ▒ ▓ █ */

/* What the columns mean, said under the table and by `help stats`. */
const char cmd_stats_figures[] =
	"mastery: the mean chance, by the FSRS model, that you recall each of a topic's questions now; "
	"a question never answered counts 0, so mastery grows with both coverage and memory "
	"(the same figure in 'stats' and 'topics').\n"
	"right: the share of your answers of the last 30 days that were right.\n"
	"due: the cards due today; 7 days: those due in the six days after.";

/* The code exercises solved, in all and per topic (counted in the table
 * as cards too); solved once answered right. */
static void stats_exercises(struct buf *b, const struct progress *p, int width)
{
	if (!p->total.exercises)
		return;
	struct buf line;
	buf_init(&line);
	buf_printf(&line, "Code exercises solved: %ld/%ld (", p->total.solved, p->total.exercises);
	const char *sep = "";
	for (size_t i = 0; i < p->ntopics; i++) {
		const struct progress_topic *t = &p->topics[i];
		if (!t->exercises)
			continue;
		buf_printf(&line, "%s%s %ld/%ld", sep, t->ls->id, t->solved, t->exercises);
		sep = ", ";
	}
	buf_puts(&line, "); run 'practice'");
	render_wrap(b, line.data, 2, width);
	buf_release(&line);
}

static void stats_text(struct buf *b, const struct progress *p, int width)
{
	const int64_t *bounds = p->bounds, *counts = p->counts;
	int today = p->today;
	buf_printf(b, "%-20s %7s %7s %6s %5s %6s\n", "topic", "seen", "mastery", "right", "due", "7 days");
	for (size_t i = 0; i <= p->ntopics; i++) {
		const struct progress_topic *t = i < p->ntopics ? &p->topics[i] : &p->total;
		if (i == p->ntopics)
			buf_puts(b, "\n");
		char seen[32], mastery[16], right[16];
		snprintf(seen, sizeof seen, "%ld/%ld", t->seen, t->total);
		snprintf(mastery, sizeof mastery, "%.0f%%", 100.0 * progress_mastery(t));
		double r = progress_right(t);
		if (isfinite(r))
			snprintf(right, sizeof right, "%.0f%%", 100.0 * r);
		else
			snprintf(right, sizeof right, "-");
		buf_printf(b, "%-20s %7s %7s %6s %5ld %6ld\n", i < p->ntopics ? t->ls->id : "total", seen, mastery, right,
		           t->due_today, t->due_week);
	}
	stats_exercises(b, p, width);
	/* Counted above in their topics; asked by the demo, not by review. */
	for (size_t i = 0; i < p->npredictions; i++)
		buf_printf(b, "%ld prediction%s due today: run 'demo %s --predict'\n", p->predictions[i].due_today,
		           p->predictions[i].due_today == 1 ? "" : "s", p->predictions[i].dm->id);
	buf_addc(b, '\n');
	render_wrap(b, cmd_stats_figures, 2, width);

	int64_t sum, max = progress_heat_max(counts, today, &sum);
	char from[16], to[16];
	cmd_fmt_local(bounds[0], from, sizeof from, "%Y-%m-%d");
	cmd_fmt_local(bounds[today], to, sizeof to, "%Y-%m-%d");
	buf_printf(b, "\nReviews, last %d weeks (%s to %s): %lld\n", HEAT_WEEKS, from, to, (long long)sum);
	static const char *const wd[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
	for (int r = 0; r < 7; r++) {
		buf_printf(b, "  %s ", wd[r]);
		for (int c = 0; c < HEAT_WEEKS; c++) {
			int d = c * 7 + r;
			buf_puts(b, d > today ? " " : heat_glyph[progress_heat_level(counts[d], max)]);
		}
		buf_addc(b, '\n');
	}
	struct buf legend;
	buf_init(&legend);
	buf_printf(&legend, "  %s none", heat_glyph[0]);
	if (max == 0)
		buf_puts(&legend, " (no reviews yet)");
	/* Each glyph's range of daily counts. */
	for (int l = 1; l <= 4; l++) {
		int64_t lo, hi;
		if (!progress_heat_range(l, max, &lo, &hi))
			continue;
		if (hi == lo)
			buf_printf(&legend, "  %s\xc2\xa0%lld", heat_glyph[l], (long long)lo);
		else
			buf_printf(&legend, "  %s\xc2\xa0%lld-%lld", heat_glyph[l], (long long)lo, (long long)hi);
	}
	if (max)
		buf_printf(&legend, " review%s a day; a column is a week, the oldest first", max == 1 ? "" : "s");
	render_wrap(b, legend.data, 4, width);
	buf_release(&legend);

	buf_puts(b, "\nLast interviews:");
	if (!p->ninterviews)
		buf_puts(b, " none yet (try 'interview')\n");
	else
		buf_addc(b, '\n');
	for (size_t i = 0; i < p->ninterviews; i++) {
		const struct progress_interview *it = &p->interviews[i];
		char when[32];
		struct buf line;
		buf_init(&line);
		cmd_fmt_local(it->started, when, sizeof when, "%Y-%m-%d %H:%M");
		buf_printf(&line, "  %s  ", when);
		if (isfinite(it->score))
			buf_printf(&line, "score %.0f%%", 100.0 * it->score);
		else
			buf_puts(&line, "no score");
		/* Right of answered, as the interview's report scored it. */
		if (it->has_counts && it->answered < it->asked)
			buf_printf(&line, " (%ld/%ld, %ld skipped)", it->correct, it->answered, it->asked - it->answered);
		else if (it->has_counts)
			buf_printf(&line, " (%ld/%ld)", it->correct, it->answered);
		if (it->ended == STORE_NO_TIME)
			buf_puts(&line, ", not finished");
		for (size_t k = 0; k < it->ntopics; k++)
			buf_printf(&line, "%s %s %ld/%ld", k ? "," : " ", it->topics[k].topic, it->topics[k].correct,
			           it->topics[k].answered);
		render_wrap(b, line.data, 20, width);
		buf_release(&line);
	}
	if (p->disputes_total)
		buf_printf(b, "\nDisputed grades: %ld on %zu question%s (see 'disputes')\n", p->disputes_total,
		           p->ndisputes, p->ndisputes == 1 ? "" : "s");
}

static void stats_json_topic(struct buf *b, const struct progress_topic *t)
{
	buf_printf(b, "\"seen\": %ld, \"total\": %ld, \"new\": %ld, \"retrievability\": ", t->seen, t->total,
	           t->total - t->seen);
	cmd_json_double(b, t->seen ? t->rsum / (double)t->seen : NAN);
	buf_printf(b, ", \"due_today\": %ld, \"due_next_7_days\": %ld, \"mastery\": %.4f", t->due_today, t->due_week,
	           progress_mastery(t));
	buf_printf(b, ", \"reviews_30_days\": %ld, \"right_30_days\": %ld, \"right\": ", t->recent, t->recent_right);
	cmd_json_double(b, progress_right(t));
	buf_printf(b, ", \"exercises\": {\"total\": %ld, \"solved\": %ld}}", t->exercises, t->solved);
}

static void stats_json(struct buf *b, const struct progress *p)
{
	const int64_t *bounds = p->bounds, *counts = p->counts;
	int today = p->today;
	buf_puts(b, "{\"now\": ");
	cmd_json_time(b, p->now);
	buf_puts(b, ",\n \"topics\": [");
	for (size_t i = 0; i < p->ntopics; i++) {
		buf_puts(b, i ? ",\n  " : "\n  ");
		buf_puts(b, "{\"topic\": ");
		buf_json_str(b, p->topics[i].ls->id);
		buf_puts(b, ", ");
		stats_json_topic(b, &p->topics[i]);
	}
	buf_puts(b, "],\n \"total\": {");
	stats_json_topic(b, &p->total);
	buf_printf(b, ",\n \"reviews\": %lld", (long long)p->reviews);
	buf_puts(b, ",\n \"predictions_due_today\": {");
	for (size_t i = 0; i < p->npredictions; i++) {
		buf_puts(b, i ? ", " : "");
		buf_json_str(b, p->predictions[i].dm->id);
		buf_printf(b, ": %ld", p->predictions[i].due_today);
	}
	buf_puts(b, "}");
	char start[16];
	cmd_fmt_local(bounds[0], start, sizeof start, "%Y-%m-%d");
	buf_printf(b, ",\n \"heatmap\": {\"start\": \"%s\", \"today\": %d, \"days\": [", start, today);
	for (int i = 0; i < HEAT_DAYS; i++)
		buf_printf(b, "%s%lld", i ? ", " : "", (long long)counts[i]);
	buf_puts(b, "]},\n \"interviews\": [");
	for (size_t i = 0; i < p->ninterviews; i++) {
		const struct progress_interview *it = &p->interviews[i];
		buf_puts(b, i ? ",\n  {\"started\": " : "\n  {\"started\": ");
		cmd_json_time(b, it->started);
		buf_puts(b, ", \"ended\": ");
		if (it->ended == STORE_NO_TIME)
			buf_puts(b, "null");
		else
			cmd_json_time(b, it->ended);
		buf_puts(b, ", \"score\": ");
		cmd_json_double(b, it->score);
		if (it->has_counts)
			buf_printf(b, ", \"asked\": %ld, \"correct\": %ld, \"answered\": %ld", it->asked, it->correct,
			           it->answered);
		else
			buf_puts(b, ", \"asked\": null, \"correct\": null, \"answered\": null");
		buf_puts(b, ", \"topics\": {");
		for (size_t k = 0; k < it->ntopics; k++) {
			const struct progress_result_topic *rt = &it->topics[k];
			buf_puts(b, k ? ", " : "");
			buf_json_str(b, rt->topic);
			buf_printf(b, ": {\"asked\": %ld, \"correct\": %ld, \"answered\": %ld, \"score\": ", rt->asked,
			           rt->correct, rt->answered);
			cmd_json_double(b, rt->score);
			buf_puts(b, "}");
		}
		buf_puts(b, "}}");
	}
	buf_puts(b, "],\n \"disputes\": {");
	for (size_t i = 0; i < p->ndisputes; i++) {
		buf_puts(b, i ? ", " : "");
		buf_json_str(b, p->disputes[i].question_id);
		buf_printf(b, ": %ld", p->disputes[i].n);
	}
	buf_puts(b, "}}\n");
}

static int cmd_stats(struct ctx *x, struct cmd_args *a)
{
	bool json = cmd_flag(a, "--json");
	int64_t now;
	if (ctx_now(&now))
		return 2;
	char *err = NULL;
	struct store *st = ctx_store_read(x);
	if (!st)
		return 3;
	struct progress p;
	int rc = 0;
	if (progress_read(x->cat, st, now, &p, &err) < 0) {
		fprintf(stderr, "error: %s\n", err);
		free(err);
		rc = 3;
	} else {
		struct buf b;
		buf_init(&b);
		if (json)
			stats_json(&b, &p);
		else
			stats_text(&b, &p, ctx_render_opts(x).width);
		fwrite(b.data, 1, b.len, stdout);
		buf_release(&b);
	}
	progress_release(&p);
	return rc;
}

const struct command cmd_stats_row = {
	"stats", NULL, "stats [--json]", "progress per topic, due cards, review heatmap, last interviews",
	cmd_stats, CMD_CATALOG | CMD_STORE_RO, 0, 0,
	{{"--json", OPT_FLAG, NULL, 0, 0, false}},
	NULL,
};
