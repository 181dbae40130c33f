/*
 * report --html FILE: one self-contained HTML page of the learner's
 * progress: the last interviews (each question asked, its verdict and the
 * key points missed), mastery per topic, a 12-month review heatmap, the
 * recall forecast of the next 30 days and a study plan. The charts are
 * inline SVG drawn here; the page loads nothing (no script, no network, no
 * external asset) and says so in its Content-Security-Policy. Every text
 * goes through html_text().
 *
 * The figures come from progress (the same as `stats`); this file only
 * lays them out. It reads the store and the catalog and writes the one
 * file, atomically (a temporary file beside it, then rename).
 */
#include "cmd.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "html.h"
#include "plan.h"
#include "progress.h"
#include "store.h"
#include "util.h"

/* 53 weeks: every day of the last 12 months, the current week last. */
#define REPORT_HEAT_WEEKS 53
#define REPORT_HEAT_DAYS (REPORT_HEAT_WEEKS * 7)
#define REPORT_PLAN_LEARN 5
#define REPORT_PLAN_DEMOS 3
/* Topics the plan ranks (more are not looked at). */
#define REPORT_MAX_TOPICS 512

static const char report_style[] =
	"body{font-family:system-ui,sans-serif;max-width:60rem;margin:1.5rem auto;padding:0 1rem;"
	"color:#1f2328;background:#fff;line-height:1.45}"
	"h1{font-size:1.6rem}h2{font-size:1.25rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem;"
	"margin-top:2rem}h3{font-size:1rem}"
	"code,pre{font-family:ui-monospace,monospace;font-size:.9em;background:#f6f8fa}"
	"pre{padding:.5rem;overflow-x:auto}"
	".prompt{white-space:pre-wrap}.empty{color:#57606a;font-style:italic}"
	".verdict{font-weight:bold;margin-right:.4rem}.ok .verdict{color:#1a7f37}"
	".missed .verdict{color:#cf222e}.skipped .verdict{color:#9a6700}"
	".points{color:#57606a}.topic{color:#57606a}"
	"figcaption{color:#57606a;font-size:.9rem;max-width:45rem}"
	"table{border-collapse:collapse}td,th{padding:.15rem .6rem;text-align:right}"
	"td:first-child,th:first-child{text-align:left}"
	"svg{display:block;max-width:100%;height:auto}svg text{font:11px sans-serif;fill:#57606a}"
	".h0{fill:#ebedf0}.h1{fill:#9be9a8}.h2{fill:#40c463}.h3{fill:#30a14e}.h4{fill:#216e39}"
	".bar{fill:#2f81f7}.seen{fill:#d8e6fd}.axis{stroke:#57606a}.grid{stroke:#d0d7de}"
	".line{fill:none;stroke:#2f81f7;stroke-width:2}.dot{fill:#2f81f7}";

/* ---- the page's frame ---- */

static void page_head(struct buf *b, int64_t now)
{
	char when[32];
	cmd_fmt_local(now, when, sizeof when, "%Y-%m-%d %H:%M");
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	            "style-src 'unsafe-inline'; img-src data:\">\n"
	            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	            "<title>pydojo progress report</title>\n<style>");
	buf_puts(b, report_style);
	buf_puts(b, "</style>\n</head>\n<body>\n<h1>pydojo progress report</h1>\n<p>Made ");
	html_text(b, when);
	buf_puts(b, ".</p>\n");
}

/* ---- the last interviews ---- */

static void interview_question(struct buf *b, const struct catalog *cat, const struct progress_asked *a)
{
	const char *cls = a->skipped ? "skipped" : a->correct ? "ok" : "missed";
	buf_printf(b, "<li class=\"%s\"><span class=\"verdict\">%s</span>", cls,
	           a->skipped ? "skipped" : a->correct ? "right" : "missed");
	const struct question *q = catalog_question(cat, a->question_id);
	const char *topic = a->topic ? a->topic : q && q->quiz ? q->quiz->topic : NULL;
	if (topic) {
		buf_puts(b, "<span class=\"topic\">");
		html_text(b, topic);
		buf_puts(b, "</span>");
	}
	if (q) {
		buf_puts(b, "<div class=\"prompt\">");
		html_text(b, q->prompt);
		buf_puts(b, "</div>");
		if (q->code) {
			buf_puts(b, "<pre>");
			html_text(b, q->code);
			buf_puts(b, "</pre>");
		}
	} else {
		buf_puts(b, "<div class=\"prompt empty\">question '");
		html_text(b, a->question_id);
		buf_puts(b, "' is no longer in the content</div>");
	}
	if (a->npoints) {
		buf_puts(b, "<ul class=\"points\">");
		for (size_t k = 0; k < a->npoints; k++) {
			bool made = a->made && a->made[k];
			buf_puts(b, made ? "<li>made in the follow-up: " : "<li>missed: ");
			html_text(b, a->points[k]);
			const char *ref = made ? NULL : a->sections[k], *slash = ref ? strchr(ref, '/') : NULL;
			if (slash) {
				/* TOPIC/ID as the command that opens it. */
				buf_puts(b, " <span class=\"sec\">(<code>learn ");
				char *t = xstrndup(ref, (size_t)(slash - ref));
				html_text(b, t);
				free(t);
				buf_addc(b, ' ');
				html_text(b, slash + 1);
				buf_puts(b, "</code>)</span>");
			}
			buf_puts(b, "</li>");
		}
		buf_puts(b, "</ul>");
	}
	buf_puts(b, "</li>\n");
}

static void section_interviews(struct buf *b, const struct catalog *cat, const struct progress *p)
{
	buf_puts(b, "<section id=\"interviews\">\n<h2>Last interviews</h2>\n");
	if (!p->ninterviews)
		buf_puts(b, "<p class=\"empty\">No interviews yet (try <code>pydojo interview</code>).</p>\n");
	for (size_t i = 0; i < p->ninterviews; i++) {
		const struct progress_interview *it = &p->interviews[i];
		char when[32];
		cmd_fmt_local(it->started, when, sizeof when, "%Y-%m-%d %H:%M");
		buf_puts(b, "<article class=\"interview\">\n<h3>");
		html_text(b, when);
		if (isfinite(it->score))
			buf_printf(b, ": score %.0f%%", 100.0 * it->score);
		else
			buf_puts(b, ": no score");
		if (it->has_counts && it->answered < it->asked)
			buf_printf(b, " (%ld of %ld answered right, %ld skipped)", it->correct, it->answered,
			           it->asked - it->answered);
		else if (it->has_counts)
			buf_printf(b, " (%ld of %ld right)", it->correct, it->answered);
		if (it->ended == STORE_NO_TIME)
			buf_puts(b, ", not finished");
		buf_puts(b, "</h3>\n");
		if (it->ntopics) {
			buf_puts(b, "<p>By topic:");
			for (size_t k = 0; k < it->ntopics; k++) {
				buf_puts(b, k ? ", " : " ");
				html_text(b, it->topics[k].topic);
				buf_printf(b, " %ld/%ld", it->topics[k].correct, it->topics[k].answered);
			}
			buf_puts(b, "</p>\n");
		}
		if (!it->nquestions)
			buf_puts(b, "<p class=\"empty\">No questions recorded.</p>\n");
		else
			buf_puts(b, "<ol>\n");
		for (size_t k = 0; k < it->nquestions; k++)
			interview_question(b, cat, &it->questions[k]);
		buf_puts(b, it->nquestions ? "</ol>\n</article>\n" : "</article>\n");
	}
	buf_puts(b, "</section>\n");
}

/* ---- mastery per topic ---- */

static void mastery_chart(struct buf *b, const struct progress *p)
{
	const int row = 22, top = 8, left = 170, width = 360;
	int h = top * 2 + row * (int)(p->ntopics ? p->ntopics : 1);
	buf_printf(b, "<svg role=\"img\" aria-label=\"mastery per topic\" width=\"640\" height=\"%d\" "
	              "viewBox=\"0 0 640 %d\">\n", h, h);
	if (!p->ntopics)
		buf_printf(b, "<text x=\"%d\" y=\"%d\">no topics with questions</text>\n", left, top + 15);
	for (size_t i = 0; i < p->ntopics; i++) {
		const struct progress_topic *t = &p->topics[i];
		double m = t->total ? t->rsum / (double)t->total : 0, seen = t->total ? (double)t->seen / (double)t->total : 0;
		int y = top + row * (int)i;
		buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 8, y + 15);
		html_text(b, t->ls->id);
		buf_printf(b, "</text>\n<rect class=\"h0\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"16\"/>", left, y + 3, width);
		buf_printf(b, "<rect class=\"seen\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"16\"/>", left, y + 3,
		           seen * width);
		buf_printf(b, "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"16\"><title>", left, y + 3,
		           m * width);
		html_text(b, t->ls->id);
		buf_printf(b, ": mastery %.0f%%, %ld of %ld questions seen</title></rect>\n", 100 * m, t->seen, t->total);
		buf_printf(b, "<text x=\"%d\" y=\"%d\">%.0f%% (%ld/%ld seen)</text>\n", left + width + 8, y + 15, 100 * m,
		           t->seen, t->total);
	}
	buf_puts(b, "</svg>\n");
}

static void section_mastery(struct buf *b, const struct progress *p)
{
	buf_puts(b, "<section id=\"mastery\">\n<h2>Mastery per topic</h2>\n<figure>\n");
	mastery_chart(b, p);
	buf_puts(b, "<figcaption>Mastery is the share of a topic's questions you can expect to recall now: the "
	            "FSRS retrievability of each question you have answered, a question never answered counting "
	            "as not recalled (dark bar). The light bar is the share of the topic's questions seen.");
	if (!p->total.seen)
		buf_puts(b, " No reviews yet: every bar is empty.");
	buf_puts(b, "</figcaption>\n</figure>\n<table>\n<tr><th>topic</th><th>seen</th><th>recall of seen</th>"
	            "<th>due today</th><th>next 7 days</th></tr>\n");
	for (size_t i = 0; i <= p->ntopics; i++) {
		const struct progress_topic *t = i < p->ntopics ? &p->topics[i] : &p->total;
		buf_puts(b, "<tr><td>");
		html_text(b, i < p->ntopics ? t->ls->id : "total");
		buf_printf(b, "</td><td>%ld/%ld</td><td>", t->seen, t->total);
		if (t->seen)
			buf_printf(b, "%.0f%%", 100.0 * t->rsum / (double)t->seen);
		else
			buf_puts(b, "-");
		buf_printf(b, "</td><td>%ld</td><td>%ld</td></tr>\n", t->due_today, t->due_week);
	}
	buf_puts(b, "</table>\n</section>\n");
}

/* ---- the review heatmap ---- */

static const char *const month_name[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static int month_of(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	return tm.tm_mon;
}

static void heatmap_chart(struct buf *b, const int64_t *bounds, const int64_t *counts, int today, int64_t max)
{
	const int cell = 11, step = 13, left = 32, top = 18;
	int w = left + REPORT_HEAT_WEEKS * step + 4, h = top + 7 * step + 4;
	buf_printf(b, "<svg role=\"img\" aria-label=\"reviews per day\" width=\"%d\" height=\"%d\" "
	              "viewBox=\"0 0 %d %d\">\n", w, h, w, h);
	static const char *const wd[7] = {"Mon", "", "Wed", "", "Fri", "", ""};
	for (int r = 0; r < 7; r++)
		if (*wd[r])
			buf_printf(b, "<text x=\"0\" y=\"%d\">%s</text>\n", top + r * step + 9, wd[r]);
	int last_month = -1;
	for (int c = 0; c < REPORT_HEAT_WEEKS; c++) {
		/* A month is named above the first week that starts in it. */
		int m = month_of(bounds[c * 7]);
		if (m != last_month && c < REPORT_HEAT_WEEKS - 2)
			buf_printf(b, "<text x=\"%d\" y=\"11\">%s</text>\n", left + c * step, c ? month_name[m] : "");
		last_month = m;
		for (int r = 0; r < 7; r++) {
			int d = c * 7 + r;
			if (d > today)
				break;
			char day[16];
			cmd_fmt_local(bounds[d], day, sizeof day, "%Y-%m-%d");
			buf_printf(b, "<rect class=\"h%d\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"><title>%s: %lld review%s"
			              "</title></rect>\n",
			           progress_heat_level(counts[d], max), left + c * step, top + r * step, cell, cell, day,
			           (long long)counts[d], counts[d] == 1 ? "" : "s");
		}
	}
	buf_puts(b, "</svg>\n");
}

static void section_heatmap(struct buf *b, const int64_t *bounds, const int64_t *counts, int today)
{
	int64_t sum, max = progress_heat_max(counts, today, &sum);
	char from[16], to[16];
	cmd_fmt_local(bounds[0], from, sizeof from, "%Y-%m-%d");
	cmd_fmt_local(bounds[today], to, sizeof to, "%Y-%m-%d");
	buf_puts(b, "<section id=\"heatmap\">\n<h2>Reviews, last 12 months</h2>\n<figure>\n");
	heatmap_chart(b, bounds, counts, today, max);
	buf_puts(b, "<figcaption>");
	if (!max)
		buf_puts(b, "No reviews yet. ");
	buf_printf(b, "%lld review%s from %s to %s. A square is a day (hover for its count), a column a week "
	              "from Monday, the oldest on the left; the darker, the more reviews",
	           (long long)sum, sum == 1 ? "" : "s", from, to);
	bool first = true;
	for (int l = 1; l <= 4; l++) {
		int64_t lo, hi;
		if (!progress_heat_range(l, max, &lo, &hi))
			continue;
		buf_printf(b, "%sshade %d: %lld", first ? " (" : ", ", l, (long long)lo);
		if (hi > lo)
			buf_printf(b, "-%lld", (long long)hi);
		first = false;
	}
	buf_puts(b, max ? " a day).</figcaption>\n</figure>\n</section>\n" : ".</figcaption>\n</figure>\n</section>\n");
}

/* ---- the recall forecast ---- */

static void forecast_chart(struct buf *b, const struct progress *p)
{
	const int x0 = 56, x1 = 616, y0 = 220, y1 = 16;
	buf_puts(b, "<svg role=\"img\" aria-label=\"recall forecast\" width=\"640\" height=\"264\" "
	            "viewBox=\"0 0 640 264\">\n");
	for (int pc = 0; pc <= 100; pc += 25) {
		double y = y0 - (y0 - y1) * pc / 100.0;
		buf_printf(b, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
		              "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d%%</text>\n",
		           x0, y, x1, y, x0 - 6, y + 4, pc);
	}
	for (int d = 0; d <= PROGRESS_FORECAST_DAYS; d += 5) {
		double x = x0 + (x1 - x0) * d / (double)PROGRESS_FORECAST_DAYS;
		buf_printf(b, "<line class=\"axis\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
		              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>\n",
		           x, y0, x, y0 + 5, x, y0 + 18, d);
	}
	buf_printf(b, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", x0, y0, x1, y0);
	buf_printf(b, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", x0, y0, x0, y1);
	buf_printf(b, "<text x=\"%d\" y=\"258\" text-anchor=\"middle\">days from now</text>\n", (x0 + x1) / 2);
	buf_printf(b, "<text x=\"12\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 12 %d)\">"
	              "expected recall of seen cards</text>\n", (y0 + y1) / 2, (y0 + y1) / 2);
	if (!isfinite(p->forecast[0])) {
		buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">no reviews yet: nothing to forecast</text>\n",
		           (x0 + x1) / 2, (y0 + y1) / 2);
		buf_puts(b, "</svg>\n");
		return;
	}
	buf_puts(b, "<polyline class=\"line\" points=\"");
	for (int d = 0; d <= PROGRESS_FORECAST_DAYS; d++)
		buf_printf(b, "%s%.1f,%.1f", d ? " " : "", x0 + (x1 - x0) * d / (double)PROGRESS_FORECAST_DAYS,
		           y0 - (y0 - y1) * p->forecast[d]);
	buf_puts(b, "\"/>\n");
	for (int d = 0; d <= PROGRESS_FORECAST_DAYS; d++)
		buf_printf(b, "<circle class=\"dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"><title>day %d: %.1f%%</title>"
		              "</circle>\n",
		           x0 + (x1 - x0) * d / (double)PROGRESS_FORECAST_DAYS, y0 - (y0 - y1) * p->forecast[d], d,
		           100 * p->forecast[d]);
	buf_puts(b, "</svg>\n");
}

static void section_forecast(struct buf *b, const struct progress *p)
{
	buf_puts(b, "<section id=\"forecast\">\n<h2>Retention forecast, next 30 days</h2>\n<figure>\n");
	forecast_chart(b, p);
	if (isfinite(p->forecast[0]))
		buf_printf(b, "<figcaption>The share of the %ld cards you have seen that you can expect to recall on "
		              "each of the next 30 days if you review none of them: their mean FSRS retrievability, "
		              "R = (1 + F t / S)^C with t the days since a card's last review and S its stability. "
		              "Now %.0f%%, in 30 days %.0f%%; each review of a due card lifts it back.</figcaption>\n",
		           p->total.seen, 100 * p->forecast[0], 100 * p->forecast[PROGRESS_FORECAST_DAYS]);
	else
		buf_puts(b, "<figcaption>No reviews yet: once you have answered questions, this shows the share of "
		            "them you can expect to recall on each of the next 30 days.</figcaption>\n");
	buf_puts(b, "</figure>\n</section>\n");
}

/* ---- the study plan ---- */

/* A section to read: `learn topic section` (section NULL: the whole
 * lesson), and its title. Strings borrowed. */
struct report_learn {
	const char *topic, *section, *title;
};

/* A demo to run, and its title. Strings borrowed. */
struct report_demo {
	const char *id, *title;
};

/* The plan's section of the page, from its parts, whoever computed them. */
static void html_plan(struct buf *b, const struct report_learn *learn, size_t nlearn, const struct report_demo *demos,
                      size_t ndemos, long due)
{
	buf_puts(b, "<section id=\"plan\">\n<h2>Study plan</h2>\n<ol>\n");
	if (nlearn) {
		buf_puts(b, "<li>Read:<ul>\n");
		for (size_t i = 0; i < nlearn; i++) {
			buf_puts(b, "<li><code>learn ");
			html_text(b, learn[i].topic);
			if (learn[i].section) {
				buf_addc(b, ' ');
				html_text(b, learn[i].section);
			}
			buf_puts(b, "</code> ");
			html_text(b, learn[i].title);
			buf_puts(b, "</li>\n");
		}
		buf_puts(b, "</ul></li>\n");
	}
	if (ndemos) {
		buf_puts(b, "<li>Run:<ul>\n");
		for (size_t i = 0; i < ndemos; i++) {
			buf_puts(b, "<li><code>demo ");
			html_text(b, demos[i].id);
			buf_puts(b, "</code> ");
			html_text(b, demos[i].title);
			buf_puts(b, "</li>\n");
		}
		buf_puts(b, "</ul></li>\n");
	}
	if (due)
		buf_printf(b, "<li>Review the %ld card%s due today: <code>review</code></li>\n", due, due == 1 ? "" : "s");
	else
		buf_puts(b, "<li>No cards due today.</li>\n");
	buf_puts(b, "</ol>\n");
	if (!nlearn && !ndemos)
		buf_puts(b, "<p class=\"empty\">Nothing to read yet: answer some questions (<code>quiz</code>, "
		            "<code>interview</code>) and the plan follows what you miss.</p>\n");
	buf_puts(b, "</section>\n");
}

static void plan_add(struct report_learn *learn, size_t *n, const struct lesson *ls, int sec)
{
	const char *id = sec >= 0 ? ls->sections[sec].id : NULL;
	for (size_t i = 0; i < *n; i++)
		if (strcmp(learn[i].topic, ls->id) == 0 && (learn[i].section == id || (id && learn[i].section &&
		                                                                        strcmp(learn[i].section, id) == 0)))
			return;
	if (*n < REPORT_PLAN_LEARN)
		learn[(*n)++] = (struct report_learn){ls->id, id, sec >= 0 ? ls->sections[sec].title : ls->title};
}

/* The weakest topics' lessons: the last interview's worst scores, else
 * the lowest mastery among the topics seen. */
static size_t plan_weak_topics(const struct catalog *cat, const struct progress *p, struct report_learn *learn)
{
	size_t n = 0;
	const struct progress_interview *it = p->ninterviews && p->interviews[0].ntopics ? &p->interviews[0] : NULL;
	bool used[REPORT_MAX_TOPICS] = {0};
	size_t nt = it ? it->ntopics : p->ntopics;
	if (nt > ARRAY_SIZE(used))
		nt = ARRAY_SIZE(used);
	for (size_t round = 0; round < 3; round++) {
		size_t best = nt;
		double bs = 1;
		for (size_t i = 0; i < nt; i++) {
			double s = it ? it->topics[i].score
			              : p->topics[i].seen ? p->topics[i].rsum / (double)p->topics[i].total : NAN;
			if (!used[i] && isfinite(s) && s < bs) {
				bs = s;
				best = i;
			}
		}
		if (best == nt)
			break;
		used[best] = true;
		const struct lesson *ls = it ? catalog_lesson(cat, it->topics[best].topic) : p->topics[best].ls;
		if (ls)
			plan_add(learn, &n, ls, -1);
	}
	return n;
}

/* The plan: the last interview's, as its report worked it out (plan.h),
 * else the weakest topics' lessons; the demos the plan ranks, else those
 * of the lessons to read; the cards due today. */
static void section_plan(struct buf *b, const struct catalog *cat, const struct progress *p, struct store *st,
                         int64_t now)
{
	struct report_learn learn[REPORT_PLAN_LEARN];
	struct report_demo demos[REPORT_PLAN_DEMOS];
	size_t nlearn = 0, ndemos = 0;
	struct plan pl;
	char *err = NULL;
	const char *results = p->ninterviews ? p->interviews[0].results : NULL;
	bool have = results && plan_from_results(cat, results, now, st, &pl, &err) == 0;
	free(err);
	for (size_t i = 0; have && i < pl.nread; i++) {
		const struct lesson *ls = catalog_lesson(cat, pl.read[i].topic);
		int sec = ls && pl.read[i].section ? catalog_section_index(ls, pl.read[i].section) : -1;
		if (ls)
			plan_add(learn, &nlearn, ls, sec);
	}
	for (size_t i = 0; have && i < pl.ndemos && ndemos < REPORT_PLAN_DEMOS; i++) {
		const struct demo *d = catalog_demo(cat, pl.demos[i].id);
		if (d)
			demos[ndemos++] = (struct report_demo){d->id, d->title};
	}
	if (have)
		plan_release(&pl);
	if (!nlearn)
		nlearn = plan_weak_topics(cat, p, learn);
	bool ranked = ndemos > 0;
	for (size_t i = 0; !ranked && i < nlearn && ndemos < REPORT_PLAN_DEMOS; i++) {
		const struct lesson *ls = catalog_lesson(cat, learn[i].topic);
		for (size_t k = 0; ls && k < ls->demos.n && ndemos < REPORT_PLAN_DEMOS; k++) {
			const struct demo *d = catalog_demo(cat, ls->demos.v[k]);
			bool dup = false;
			for (size_t j = 0; j < ndemos; j++)
				dup = dup || strcmp(demos[j].id, ls->demos.v[k]) == 0;
			if (d && !dup)
				demos[ndemos++] = (struct report_demo){d->id, d->title};
		}
	}
	html_plan(b, learn, nlearn, demos, ndemos, p->total.due_today);
}

/* ---- writing ---- */

/* Writes b to path through a temporary file beside it and rename(2), so
 * the file is either the old one or the whole new page. Returns 0, or 3
 * after a one-line error. */
static int write_atomic(const char *path, const struct buf *b)
{
	char e[ECHO_SIZE];
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "error: cannot write '%s': it is a folder\n", str_echo(e, path));
		return 3;
	}
	char *tmp = xasprintf("%s.tmp-XXXXXX", path);
	int fd = mkstemp(tmp);
	int rc = 0;
	if (fd < 0) {
		fprintf(stderr, "error: cannot write '%s': %s\n", str_echo(e, path), strerror(errno));
		free(tmp);
		return 3;
	}
	/* mkstemp makes the file 0600; a page is as readable as any new file. */
	mode_t mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) < 0 || write_all(fd, b->data, b->len) < 0 || fsync(fd) < 0)
		rc = 3;
	if (close(fd) < 0)
		rc = 3;
	if (!rc && rename(tmp, path) < 0)
		rc = 3;
	if (rc) {
		fprintf(stderr, "error: cannot write '%s': %s\n", str_echo(e, path), strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

static int cmd_report(struct ctx *x, struct cmd_args *a)
{
	const struct cmd_val *html = cmd_opt(a, "--html");
	if (!html->set) {
		fprintf(stderr, "error: report needs --html FILE\n");
		return cmd_usage(a);
	}
	int64_t now;
	if (ctx_now(&now))
		return 2;
	struct store *st = ctx_store_read(x);
	if (!st)
		return 3;
	struct progress p;
	int64_t bounds[REPORT_HEAT_DAYS + 1], counts[REPORT_HEAT_DAYS];
	int today, rc = 0;
	char *err = NULL;
	if (progress_read(x->cat, st, now, &p, &err) < 0 ||
	    progress_heatmap(st, now, REPORT_HEAT_WEEKS, bounds, counts, &today, &err) < 0) {
		fprintf(stderr, "error: %s\n", err);
		free(err);
		progress_release(&p);
		return 3;
	}
	struct buf b;
	buf_init(&b);
	page_head(&b, now);
	section_interviews(&b, x->cat, &p);
	section_mastery(&b, &p);
	section_heatmap(&b, bounds, counts, today);
	section_forecast(&b, &p);
	section_plan(&b, x->cat, &p, st, now);
	buf_puts(&b, "</body>\n</html>\n");
	if (strcmp(html->str, "-") == 0)
		rc = cmd_write_out("-", "-", &b);
	else
		rc = write_atomic(html->str, &b);
	buf_release(&b);
	progress_release(&p);
	return rc;
}

const struct command cmd_report_row = {
	"report", NULL, "report --html FILE",
	"write a self-contained HTML progress report (charts, last interviews, plan)",
	cmd_report, CMD_CATALOG | CMD_STORE_RO, 0, 0,
	{{"--html", OPT_PATH, "a file name", 0, 0, false}},
	NULL,
};
