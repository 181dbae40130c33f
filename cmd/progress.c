/*
 * cmd_progress: `stats`, `export --anki`, `fsrs replay` and `disputes`, and
 * ctx_store(), the one place a command opens the progress database.
 *
 * stats reads the store and the catalog and prints; it never writes. Cards
 * of questions that left the content stay in the database but are neither
 * counted nor shown. Calendar days (due today, the heatmap) are local days.
 *
 * The Anki export renders Markdown to HTML with md4c-html here (the terminal
 * renderer is render.c's); it reads only the catalog, so two exports of the
 * same content are byte-identical.
 */

#include <errno.h>
#include <math.h>
#include <md4c-html.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "clock.h"
#include "cmd.h"
#include "fsrs.h"
#include "paths.h"
#include "store.h"
#include "util.h"
#include "ydoc.h"

/* ---- the store ---- */

static struct store *open_ctx_store(struct ctx *x, bool readonly)
{
	char *path = x->db_path ? xstrdup(x->db_path) : paths_user_file("DATA", "progress.db");
	char *err = NULL;
	if (!path) {
		fprintf(stderr, "error: no place for the progress database: neither XDG_DATA_HOME nor HOME is set to an absolute path"
		                " (use --db PATH)\n");
		goto fail;
	}
	if (x->db_path && strcmp(path, ":memory:") != 0) {
		/* An explicit path names an existing folder: a typo must not make
		 * a new tree of folders. */
		const char *slash = strrchr(path, '/');
		char *dir = slash ? (slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path)))
		                  : xstrdup(".");
		struct stat sb;
		int e = stat(dir, &sb) < 0 ? errno : S_ISDIR(sb.st_mode) ? 0 : ENOTDIR;
		if (e) {
			char *sp = str_visible(path), *sd = str_visible(dir);
			fprintf(stderr, "error: cannot open database '%s': folder '%s': %s\n", sp, sd, strerror(e));
			free(sp);
			free(sd);
			free(dir);
			goto fail;
		}
		free(dir);
	}
	x->store = readonly ? store_open_readonly(path, &err) : store_open(path, &err);
	if (!x->store) {
		fprintf(stderr, "error: %s\n", err);
		free(err);
		goto fail;
	}
	free(path);
	return x->store;
fail:
	free(path);
	x->store_failed = true;
	return NULL;
}

struct store *ctx_store(struct ctx *x)
{
	if (x->store && store_is_readonly(x->store)) {
		/* A reader opened it; a writer checks the whole file first. */
		store_close(x->store);
		x->store = NULL;
	}
	if (x->store || x->store_failed)
		return x->store;
	return open_ctx_store(x, false);
}

struct store *ctx_store_read(struct ctx *x)
{
	if (x->store || x->store_failed)
		return x->store;
	return open_ctx_store(x, true);
}

/* ---- small helpers ---- */

/* Takes `--name VALUE` or `--name=VALUE` out of argv. Returns 1 when found
 * (*val set), 0 when absent, -1 when the value is missing. */
static int take_value(int *argc, char **argv, const char *name, const char **val)
{
	size_t n = strlen(name);
	for (int i = 1; i < *argc; i++) {
		if (strncmp(argv[i], name, n) != 0 || (argv[i][n] != '\0' && argv[i][n] != '='))
			continue;
		int take = 1;
		if (argv[i][n] == '=') {
			*val = argv[i] + n + 1;
		} else {
			if (i + 1 >= *argc)
				return -1;
			*val = argv[i + 1];
			take = 2;
		}
		memmove(&argv[i], &argv[i + take], (size_t)(*argc - i - take + 1) * sizeof *argv);
		*argc -= take;
		return 1;
	}
	return 0;
}


static bool no_options_left(int argc, char **argv, const char *cmd)
{
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-' && argv[i][1] != '\0') {
			char e[ECHO_SIZE];
			fprintf(stderr, "error: unknown option '%s' for '%s'\n", str_echo(e, argv[i]), cmd);
			return false;
		}
	return true;
}

/* Appends a double as JSON: 17 significant digits, null when not finite. */
static void json_double(struct buf *b, double v)
{
	if (isfinite(v))
		buf_printf(b, "%.17g", v);
	else
		buf_puts(b, "null");
}

static void json_time(struct buf *b, int64_t t)
{
	char s[FSRS_TIME_SIZE];
	if (fsrs_time_format(t, s) < 0)
		buf_puts(b, "null");
	else
		buf_printf(b, "\"%s\"", s);
}

/* ---- fsrs replay ---- */

static const char replay_usage[] = "usage: fsrs replay [--retention R] < LINES";

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

static int fsrs_replay(int argc, char **argv)
{
	struct fsrs_params p;
	fsrs_params_init(&p);
	p.enable_fuzz = false;
	const char *rv = NULL;
	int t = take_value(&argc, argv, "--retention", &rv);
	if (t < 0) {
		fprintf(stderr, "error: --retention needs a value\n%s\n", replay_usage);
		return 2;
	}
	if (t > 0) {
		char *end;
		errno = 0;
		double r = strtod(rv, &end);
		if (!*rv || *end || errno || !(r > 0 && r <= 1)) {
			char e[ECHO_SIZE];
			fprintf(stderr, "error: --retention needs a number in (0, 1], not '%s'\n", str_echo(e, rv));
			return 2;
		}
		p.desired_retention = r;
	}
	if (!no_options_left(argc, argv, "fsrs replay"))
		return 2;
	if (argc > 2) {
		char e[ECHO_SIZE];
		fprintf(stderr, "error: unexpected argument '%s'\n%s\n", str_echo(e, argv[2]), replay_usage);
		return 2;
	}

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
		json_time(&out, at);
		buf_printf(&out, ", \"rating\": %d, \"state\": \"%s\", \"step\": ", (int)g, fsrs_state_name(card.state));
		if (card.state == FSRS_REVIEW)
			buf_puts(&out, "null");
		else
			buf_printf(&out, "%d", card.step);
		buf_puts(&out, ", \"stability\": ");
		json_double(&out, card.stability);
		buf_puts(&out, ", \"difficulty\": ");
		json_double(&out, card.difficulty);
		buf_printf(&out, ", \"due\": \"%s\", \"interval_days\": ", due);
		json_double(&out, (double)(card.due - at) / FSRS_DAY);
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

int cmd_fsrs(struct ctx *x, int argc, char **argv)
{
	(void)x;
	if (argc < 2 || strcmp(argv[1], "replay") != 0) {
		char e[ECHO_SIZE];
		if (argc >= 2)
			fprintf(stderr, "error: unknown subcommand '%s' for 'fsrs'\n", str_echo(e, argv[1]));
		fprintf(stderr, "%s\n", replay_usage);
		return 2;
	}
	return fsrs_replay(argc, argv);
}

/* ---- stats ---- */

#define HEAT_WEEKS 12
#define HEAT_DAYS (HEAT_WEEKS * 7)
#define LAST_INTERVIEWS 5

struct topic_stat {
	const struct lesson *ls;
	long seen, total, due_today, due_week;
	double rsum;
};

struct stats_walk {
	const struct catalog *cat;
	struct topic_stat *t;
	size_t nt;
	struct fsrs_params p;
	int64_t now, end_today, end_week;
};

/* Local midnight of the day of t, moved by days. */
static int64_t local_midnight(int64_t t, int days)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday += days;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

static int stats_card(void *ud, const char *id, const char *topic, const struct store_card *card)
{
	(void)topic;
	struct stats_walk *w = ud;
	const struct question *q = catalog_question(w->cat, id);
	if (!q || !q->quiz || q->quiz->reference || !q->quiz->lesson)
		return 0;
	for (size_t i = 0; i < w->nt; i++) {
		if (w->t[i].ls != q->quiz->lesson)
			continue;
		struct topic_stat *ts = &w->t[i];
		if (fsrs_card_is_new(&card->fsrs))
			return 0;
		ts->seen++;
		ts->rsum += fsrs_retrievability(&w->p, &card->fsrs, w->now);
		/* A question revised since the card was answered is due now. */
		if (card->fsrs.due < w->end_today || q->revised > card->revision)
			ts->due_today++;
		else if (card->fsrs.due < w->end_week)
			ts->due_week++;
		return 0;
	}
	return 0;
}

struct interview {
	int64_t started, ended;
	double score;
	long asked, correct;
	bool has_counts;
	char *results;     /* the raw JSON (for the per-topic part) */
};

struct interviews {
	struct interview v[LAST_INTERVIEWS];
	size_t n;
};

/* Disputes per question, in question id order. */
struct dispute_count {
	char *id;
	long n;
};

struct dispute_counts {
	struct dispute_count *v;
	size_t len, cap;
	long total;
};

static int count_dispute(void *ud, const struct store_dispute *d)
{
	struct dispute_counts *c = ud;
	c->total++;
	if (c->len && strcmp(c->v[c->len - 1].id, d->question_id) == 0) {
		c->v[c->len - 1].n++;
		return 0;
	}
	GROW(c->v, c->cap, c->len + 1);
	c->v[c->len++] = (struct dispute_count){xstrdup(d->question_id), 1};
	return 0;
}

static void dispute_counts_release(struct dispute_counts *c)
{
	for (size_t i = 0; i < c->len; i++)
		free(c->v[i].id);
	free(c->v);
}

static int stats_session(void *ud, const struct store_session *s)
{
	struct interviews *iv = ud;
	if (iv->n >= LAST_INTERVIEWS)
		return 1;
	struct interview *i = &iv->v[iv->n++];
	memset(i, 0, sizeof *i);
	i->started = s->started;
	i->ended = s->ended;
	i->score = s->score;
	i->results = s->results ? xstrdup(s->results) : NULL;
	return 0;
}

static bool node_long(const struct ynode *n, long *out)
{
	double d;
	if (!n || ynode_double(n, &d) < 0 || !isfinite(d) || d < 0 || d > 1e9)
		return false;
	*out = (long)d;
	return true;
}

static bool node_double(const struct ynode *n, double *out)
{
	return n && ynode_double(n, out) == 0 && isfinite(*out);
}

/* One topic's figures of a results object: asked, correct, score. */
struct result_topic {
	const char *topic;
	long asked, correct;
	double score;
};

/* Parses a session's results JSON (a JSON object is valid YAML). Fills the
 * interview's totals and up to max topics; returns the topic count, or -1
 * when the text is not a results object (the caller then shows the score
 * column alone). The document stays alive in doc for the topic names. */
static int parse_results(struct ydoc *doc, struct interview *iv, struct result_topic **topics)
{
	*topics = NULL;
	if (!iv->results)
		return -1;
	struct diag d;
	diag_init(&d);
	int rc = ydoc_parse(doc, "results", iv->results, strlen(iv->results), &d);
	diag_release(&d);
	if (rc < 0)
		return -1;
	const struct ynode *root = doc->root;
	if (!root || root->kind != YNODE_MAP) {
		ydoc_release(doc);
		return -1;
	}
	double sc;
	if (!isfinite(iv->score) && node_double(ynode_get(root, "score"), &sc))
		iv->score = sc;
	iv->has_counts = node_long(ynode_get(root, "asked"), &iv->asked) &&
	                 node_long(ynode_get(root, "correct"), &iv->correct);
	const struct ynode *tm = ynode_get(root, "topics");
	if (!tm || tm->kind != YNODE_MAP)
		return 0;
	size_t n = tm->n / 2, k = 0;
	struct result_topic *t = xcalloc(n ? n : 1, sizeof *t);
	for (size_t i = 0; i < n; i++) {
		const struct ynode *key = tm->items[2 * i], *val = tm->items[2 * i + 1];
		if (key->kind != YNODE_SCALAR || val->kind != YNODE_MAP)
			continue;
		struct result_topic *r = &t[k];
		r->topic = key->str;
		r->score = NAN;
		if (!node_long(ynode_get(val, "asked"), &r->asked) || !node_long(ynode_get(val, "correct"), &r->correct))
			continue;
		if (!node_double(ynode_get(val, "score"), &r->score))
			r->score = r->asked ? (double)r->correct / (double)r->asked : NAN;
		k++;
	}
	*topics = t;
	return (int)k;
}

static void fmt_local(int64_t t, char *out, size_t n, const char *fmt)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(out, n, fmt, &tm);
}

static const char *const heat_glyph[5] = {"\xc2\xb7", "\xe2\x96\x91", "\xe2\x96\x92", "\xe2\x96\x93",
                                          "\xe2\x96\x88"}; /* · ░ ▒ ▓ █ */

static int heat_level(int64_t c, int64_t max)
{
	if (c <= 0 || max <= 0)
		return 0;
	int64_t l = 1 + (c - 1) * 4 / max;
	return l > 4 ? 4 : (int)l;
}

static void stats_text(struct buf *b, const struct stats_walk *w, const struct topic_stat *tot,
                       const int64_t *bounds, const int64_t *counts, int today, const struct interviews *iv,
                       const struct dispute_counts *dc)
{
	buf_printf(b, "%-20s %9s %7s %10s %11s\n", "topic", "seen", "recall", "due today", "next 7 days");
	for (size_t i = 0; i <= w->nt; i++) {
		const struct topic_stat *t = i < w->nt ? &w->t[i] : tot;
		if (i == w->nt)
			buf_puts(b, "\n");
		char seen[32], recall[16];
		snprintf(seen, sizeof seen, "%ld/%ld", t->seen, t->total);
		if (t->seen)
			snprintf(recall, sizeof recall, "%.0f%%", 100.0 * t->rsum / (double)t->seen);
		else
			snprintf(recall, sizeof recall, "-");
		buf_printf(b, "%-20s %9s %7s %10ld %11ld\n", i < w->nt ? t->ls->id : "total", seen, recall,
		           t->due_today, t->due_week);
	}

	int64_t max = 0, sum = 0;
	for (int i = 0; i <= today; i++) {
		sum += counts[i];
		if (counts[i] > max)
			max = counts[i];
	}
	char from[16], to[16];
	fmt_local(bounds[0], from, sizeof from, "%Y-%m-%d");
	fmt_local(bounds[today], to, sizeof to, "%Y-%m-%d");
	buf_printf(b, "\nReviews, last %d weeks (%s to %s): %lld\n", HEAT_WEEKS, from, to, (long long)sum);
	static const char *const wd[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
	for (int r = 0; r < 7; r++) {
		buf_printf(b, "  %s ", wd[r]);
		for (int c = 0; c < HEAT_WEEKS; c++) {
			int d = c * 7 + r;
			buf_puts(b, d > today ? " " : heat_glyph[heat_level(counts[d], max)]);
		}
		buf_addc(b, '\n');
	}
	buf_printf(b, "  %s none", heat_glyph[0]);
	if (max == 0)
		buf_puts(b, " (no reviews yet)");
	/* Each glyph's range of daily counts, from heat_level. */
	int64_t lo = 1;
	for (int l = 1; l <= 4 && lo <= max; l++) {
		int64_t hi = lo;
		while (hi + 1 <= max && heat_level(hi + 1, max) == l)
			hi++;
		if (hi == lo)
			buf_printf(b, "  %s %lld", heat_glyph[l], (long long)lo);
		else
			buf_printf(b, "  %s %lld-%lld", heat_glyph[l], (long long)lo, (long long)hi);
		lo = hi + 1;
	}
	buf_puts(b, max ? " reviews a day; a column is a week, the oldest first\n" : "\n");

	buf_puts(b, "\nLast interviews:");
	if (!iv->n)
		buf_puts(b, " none yet (try 'interview')\n");
	else
		buf_addc(b, '\n');
	for (size_t i = 0; i < iv->n; i++) {
		struct interview it = iv->v[i];
		struct ydoc doc;
		memset(&doc, 0, sizeof doc);
		struct result_topic *rt = NULL;
		int nt = parse_results(&doc, &it, &rt);
		char when[32];
		fmt_local(it.started, when, sizeof when, "%Y-%m-%d %H:%M");
		buf_printf(b, "  %s  ", when);
		if (isfinite(it.score))
			buf_printf(b, "score %.0f%%", 100.0 * it.score);
		else
			buf_puts(b, "no score");
		if (it.has_counts)
			buf_printf(b, " (%ld/%ld)", it.correct, it.asked);
		if (it.ended == STORE_NO_TIME)
			buf_puts(b, ", not finished");
		for (int k = 0; k < nt; k++)
			buf_printf(b, "%s %s %ld/%ld", k ? "," : " ", rt[k].topic, rt[k].correct, rt[k].asked);
		buf_addc(b, '\n');
		free(rt);
		if (nt >= 0)
			ydoc_release(&doc);
	}
	if (dc->total)
		buf_printf(b, "\nDisputed grades: %ld on %zu question%s (see 'disputes')\n", dc->total, dc->len,
		           dc->len == 1 ? "" : "s");
}

static void stats_json_topic(struct buf *b, const struct topic_stat *t)
{
	buf_printf(b, "\"seen\": %ld, \"total\": %ld, \"new\": %ld, \"retrievability\": ", t->seen, t->total,
	           t->total - t->seen);
	json_double(b, t->seen ? t->rsum / (double)t->seen : NAN);
	buf_printf(b, ", \"due_today\": %ld, \"due_next_7_days\": %ld}", t->due_today, t->due_week);
}

static void stats_json(struct buf *b, const struct stats_walk *w, const struct topic_stat *tot,
                       const int64_t *bounds, const int64_t *counts, int today, int64_t nreviews,
                       const struct interviews *iv, const struct dispute_counts *dc)
{
	buf_puts(b, "{\"now\": ");
	json_time(b, w->now);
	buf_puts(b, ",\n \"topics\": [");
	for (size_t i = 0; i < w->nt; i++) {
		buf_puts(b, i ? ",\n  " : "\n  ");
		buf_puts(b, "{\"topic\": ");
		buf_json_str(b, w->t[i].ls->id);
		buf_puts(b, ", ");
		stats_json_topic(b, &w->t[i]);
	}
	buf_puts(b, "],\n \"total\": {");
	stats_json_topic(b, tot);
	buf_printf(b, ",\n \"reviews\": %lld", (long long)nreviews);
	char start[16];
	fmt_local(bounds[0], start, sizeof start, "%Y-%m-%d");
	buf_printf(b, ",\n \"heatmap\": {\"start\": \"%s\", \"today\": %d, \"days\": [", start, today);
	for (int i = 0; i < HEAT_DAYS; i++)
		buf_printf(b, "%s%lld", i ? ", " : "", (long long)counts[i]);
	buf_puts(b, "]},\n \"interviews\": [");
	for (size_t i = 0; i < iv->n; i++) {
		struct interview it = iv->v[i];
		struct ydoc doc;
		memset(&doc, 0, sizeof doc);
		struct result_topic *rt = NULL;
		int nt = parse_results(&doc, &it, &rt);
		buf_puts(b, i ? ",\n  {\"started\": " : "\n  {\"started\": ");
		json_time(b, it.started);
		buf_puts(b, ", \"ended\": ");
		if (it.ended == STORE_NO_TIME)
			buf_puts(b, "null");
		else
			json_time(b, it.ended);
		buf_puts(b, ", \"score\": ");
		json_double(b, it.score);
		if (it.has_counts)
			buf_printf(b, ", \"asked\": %ld, \"correct\": %ld", it.asked, it.correct);
		else
			buf_puts(b, ", \"asked\": null, \"correct\": null");
		buf_puts(b, ", \"topics\": {");
		for (int k = 0; k < nt; k++) {
			buf_puts(b, k ? ", " : "");
			buf_json_str(b, rt[k].topic);
			buf_printf(b, ": {\"asked\": %ld, \"correct\": %ld, \"score\": ", rt[k].asked, rt[k].correct);
			json_double(b, rt[k].score);
			buf_puts(b, "}");
		}
		buf_puts(b, "}}");
		free(rt);
		if (nt >= 0)
			ydoc_release(&doc);
	}
	buf_puts(b, "],\n \"disputes\": {");
	for (size_t i = 0; i < dc->len; i++) {
		buf_puts(b, i ? ", " : "");
		buf_json_str(b, dc->v[i].id);
		buf_printf(b, ": %ld", dc->v[i].n);
	}
	buf_puts(b, "}}\n");
}

int cmd_stats(struct ctx *x, int argc, char **argv)
{
	bool json = cmd_take_flag(&argc, argv, "--json");
	if (!no_options_left(argc, argv, argv[0]))
		return 2;
	if (argc > 1) {
		fprintf(stderr, "usage: stats [--json]\n");
		return 2;
	}
	int64_t now;
	char *err = NULL;
	if (clock_check(&now, &err) < 0) {
		fprintf(stderr, "error: %s\n", err);
		free(err);
		return 2;
	}
	struct catalog *cat = ctx_catalog(x);
	if (!cat)
		return 2;
	struct store *st = ctx_store_read(x);
	if (!st)
		return 3;

	struct stats_walk w = {.cat = cat, .now = now};
	fsrs_params_init(&w.p);
	w.end_today = local_midnight(now, 1);
	w.end_week = local_midnight(now, 8);
	w.t = xcalloc(catalog_nlessons(cat) + 1, sizeof *w.t);
	for (size_t i = 0; i < catalog_nlessons(cat); i++) {
		const struct lesson *ls = catalog_lesson_at(cat, i);
		if (ls->reference || !ls->quiz || !ls->quiz->n)
			continue;
		w.t[w.nt].ls = ls;
		w.t[w.nt].total = (long)ls->quiz->n;
		w.nt++;
	}

	/* Twelve weeks of local days, Monday first, the current week last. */
	int64_t bounds[HEAT_DAYS + 1], counts[HEAT_DAYS];
	time_t tt = (time_t)now;
	struct tm tm;
	localtime_r(&tt, &tm);
	int monday_back = (tm.tm_wday + 6) % 7;
	int first = -(monday_back + 7 * (HEAT_WEEKS - 1));
	for (int i = 0; i <= HEAT_DAYS; i++)
		bounds[i] = local_midnight(now, first + i);
	int today = -first;

	struct interviews iv = {.n = 0};
	struct dispute_counts dc = {.len = 0};
	int64_t nreviews = 0;
	int rc = 0;
	if (store_each_card(st, NULL, stats_card, &w, &err) < 0 ||
	    store_each_dispute(st, count_dispute, &dc, &err) < 0 ||
	    store_reviews_per_day(st, bounds, HEAT_DAYS, counts, &err) < 0 ||
	    store_count_reviews(st, INT64_MIN, INT64_MAX, false, &nreviews, &err) < 0 ||
	    store_last_sessions(st, STORE_INTERVIEW, LAST_INTERVIEWS, stats_session, &iv, &err) < 0) {
		fprintf(stderr, "error: %s\n", err);
		free(err);
		rc = 3;
		goto out;
	}
	struct topic_stat tot = {.ls = NULL};
	for (size_t i = 0; i < w.nt; i++) {
		tot.seen += w.t[i].seen;
		tot.total += w.t[i].total;
		tot.due_today += w.t[i].due_today;
		tot.due_week += w.t[i].due_week;
		tot.rsum += w.t[i].rsum;
	}
	struct buf b;
	buf_init(&b);
	if (json)
		stats_json(&b, &w, &tot, bounds, counts, today, nreviews, &iv, &dc);
	else
		stats_text(&b, &w, &tot, bounds, counts, today, &iv, &dc);
	fwrite(b.data, 1, b.len, stdout);
	buf_release(&b);
out:
	for (size_t i = 0; i < iv.n; i++)
		free(iv.v[i].results);
	dispute_counts_release(&dc);
	free(w.t);
	return rc;
}

/* ---- export --anki ---- */

static void html_out(const MD_CHAR *text, MD_SIZE size, void *ud)
{
	buf_add(ud, text, size);
}

/* Whether a link or image address may stay in a card: http:, https: or an
 * in-page anchor. Anything else (javascript:, data:, file:, a relative
 * path) could run or load something when Anki shows the card. */
static bool safe_url(const char *u, size_t n)
{
	return (n > 0 && u[0] == '#') || (n >= 5 && strncasecmp(u, "http:", 5) == 0) ||
	       (n >= 6 && strncasecmp(u, "https:", 6) == 0);
}

/* Drops from b[start..] every link and image whose address is not safe_url,
 * keeping a link's text and an image's alt text. Raw HTML is off, so every
 * <a href="..."> and <img src="..."> there is md4c's own, its attribute
 * values escaped (no quote or '>' inside them), and links do not nest. */
static void drop_unsafe_links(struct buf *b, size_t start)
{
	struct buf out;
	buf_init(&out);
	const char *p = b->data + start;
	int open_links = 0;
	while (*p) {
		bool a = str_starts(p, "<a href=\""), img = str_starts(p, "<img src=\"");
		if (a || img) {
			const char *u = p + (a ? 9 : 10);
			const char *q = strchr(u, '"');
			const char *gt = q ? strchr(q, '>') : NULL;
			if (gt && !safe_url(u, (size_t)(q - u))) {
				const char *alt = img ? strstr(q, " alt=\"") : NULL;
				if (alt && alt < gt)
					buf_add(&out, alt + 6, strcspn(alt + 6, "\""));
				open_links += a;
				p = gt + 1;
				continue;
			}
		}
		if (open_links && str_starts(p, "</a>")) {
			open_links--;
			p += 4;
			continue;
		}
		buf_addc(&out, *p++);
	}
	buf_truncate(b, start);
	buf_add(b, out.data, out.len);
	buf_release(&out);
}

/* Appends Markdown md as HTML, without md4c's final newline. */
static void md_to_html(struct buf *b, const char *md)
{
	if (!md)
		return;
	size_t start = b->len;
	if (md_html(md, (MD_SIZE)strlen(md), html_out, b, MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_NOHTML,
	            0) != 0) {
		/* md4c fails only on out-of-memory; fall back to escaped text. */
		buf_puts(b, "<p>");
		for (const char *p = md; *p; p++) {
			if (*p == '<')
				buf_puts(b, "&lt;");
			else if (*p == '>')
				buf_puts(b, "&gt;");
			else if (*p == '&')
				buf_puts(b, "&amp;");
			else if (*p == '"')
				buf_puts(b, "&quot;");
			else
				buf_addc(b, *p);
		}
		buf_puts(b, "</p>");
	}
	drop_unsafe_links(b, start);
	while (b->len > start && b->data[b->len - 1] == '\n')
		buf_truncate(b, b->len - 1);
}

/* As md_to_html, but a text that is one paragraph loses its <p> (a choice
 * or an item inside <li>). */
static void md_to_html_inline(struct buf *b, const char *md)
{
	size_t start = b->len;
	md_to_html(b, md);
	char *h = b->data + start;
	size_t n = b->len - start;
	if (n >= 7 && strncmp(h, "<p>", 3) == 0 && strcmp(h + n - 4, "</p>") == 0 && !strstr(h + 3, "<p>")) {
		memmove(h, h + 3, n - 7);
		buf_truncate(b, start + n - 7);
	}
}

static void html_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '&': buf_puts(b, "&amp;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		default: buf_addc(b, *s);
		}
	}
}

/* A code block as HTML, the text kept verbatim. */
static void html_pre(struct buf *b, const char *code, const char *lang)
{
	if (lang)
		buf_printf(b, "<pre><code class=\"language-%s\">", lang);
	else
		buf_puts(b, "<pre><code>");
	html_escape(b, code);
	buf_puts(b, "</code></pre>");
}

/* Appends one field: tabs and newlines become character references, which
 * HTML reads back as the same characters (a newline inside <pre> stays a
 * line break), so no field holds a separator or a line end; other control
 * characters are shown as text, as at the terminal. */
static void put_field(struct buf *line, const char *text, size_t len)
{
	struct buf v;
	buf_init(&v);
	buf_add_visible(&v, text, len, 0);
	const char *s = v.data;
	size_t n = v.len;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\t')
			buf_puts(line, "&#9;");
		else if (s[i] == '\n')
			buf_puts(line, "&#10;");
		else if (s[i] == '\r')
			buf_puts(line, "&#13;");
		else
			buf_addc(line, s[i]);
	}
	buf_release(&v);
}

/* A tag: Anki splits tags on spaces. */
static void put_tag(struct buf *line, const char *tag)
{
	char *v = str_visible(tag);
	for (const char *t = v; *t; t++)
		buf_addc(line, (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r' || *t == '"') ? '_' : *t);
	free(v);
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3u;
	}
	return h;
}

static void front_and_back(const struct question *q, struct buf *front, struct buf *back)
{
	md_to_html(front, q->prompt);
	switch (q->type) {
	case Q_CHOICE:
	case Q_MULTI:
		buf_puts(front, "<ol type=\"a\">");
		for (size_t i = 0; i < q->choices.n; i++) {
			buf_puts(front, "<li>");
			md_to_html_inline(front, q->choices.v[i]);
			buf_puts(front, "</li>");
		}
		buf_puts(front, "</ol>");
		if (q->type == Q_MULTI)
			buf_puts(front, "<p><em>Pick every right answer.</em></p>");
		buf_puts(back, "<p><b>Answer:</b></p><ul>");
		for (size_t i = 0; i < q->choices.n; i++) {
			bool right = q->type == Q_CHOICE ? (long)i == q->answer : false;
			for (size_t k = 0; q->type == Q_MULTI && k < q->nanswers; k++)
				right = right || q->answers[k] == (long)i;
			if (!right)
				continue;
			buf_printf(back, "<li>%c) ", 'a' + (int)(i % 26));
			md_to_html_inline(back, q->choices.v[i]);
			buf_puts(back, "</li>");
		}
		buf_puts(back, "</ul>");
		break;
	case Q_TRUEFALSE:
		buf_puts(front, "<p><em>True or false?</em></p>");
		buf_printf(back, "<p><b>Answer:</b> %s</p>", q->answer_bool ? "true" : "false");
		break;
	case Q_ORDER: {
		/* Shuffled the same way on every export: seeded by the id. */
		size_t n = q->items.n;
		size_t *perm = xcalloc(n ? n : 1, sizeof *perm);
		for (size_t i = 0; i < n; i++)
			perm[i] = i;
		struct fsrs_rng rng;
		fsrs_rng_init(&rng, fnv1a(q->id));
		for (size_t i = n; i > 1; i--) {
			size_t j = (size_t)(fsrs_rng_next(&rng) % i);
			size_t t = perm[i - 1];
			perm[i - 1] = perm[j];
			perm[j] = t;
		}
		buf_puts(front, "<ol>");
		for (size_t i = 0; i < n; i++) {
			buf_puts(front, "<li>");
			md_to_html_inline(front, q->items.v[perm[i]]);
			buf_puts(front, "</li>");
		}
		buf_puts(front, "</ol><p><em>Put these in order.</em></p>");
		buf_puts(back, "<p><b>Answer</b> (in order):</p><ol>");
		for (size_t i = 0; i < n; i++) {
			/* The position each item had on the front. */
			size_t shown = 0;
			for (size_t k = 0; k < n; k++)
				if (perm[k] == i)
					shown = k + 1;
			buf_printf(back, "<li value=\"%zu\">(%zu) ", i + 1, shown);
			md_to_html_inline(back, q->items.v[i]);
			buf_puts(back, "</li>");
		}
		buf_puts(back, "</ol>");
		free(perm);
		break;
	}
	case Q_OUTPUT:
		html_pre(front, q->code ? q->code : "", "python");
		buf_puts(back, "<p><b>Output:</b></p>");
		html_pre(back, q->expected ? q->expected : "", NULL);
		break;
	case Q_TEXT:
		buf_puts(back, "<p><b>Model answer:</b></p>");
		md_to_html(back, q->model_answer);
		if (q->nrubric) {
			buf_puts(back, "<p><b>Key points:</b></p><ul>");
			for (size_t i = 0; i < q->nrubric; i++) {
				buf_puts(back, "<li>");
				html_escape(back, q->rubric[i].point);
				buf_puts(back, "</li>");
			}
			buf_puts(back, "</ul>");
		}
		break;
	default:
		break;
	}
	if (q->explain) {
		buf_puts(back, "<hr>");
		md_to_html(back, q->explain);
	}
}

static const char anki_usage[] = "usage: export --anki FILE";

/* Writes b to file ("-": standard output). Returns 0, or 3 after a
 * one-line error. shown is the file name as it may be shown. */
static int write_out(const char *file, const char *shown, const struct buf *b)
{
	bool to_stdout = strcmp(file, "-") == 0;
	FILE *f = to_stdout ? stdout : fopen(file, "w");
	bool ok = f != NULL;
	if (f) {
		ok = fwrite(b->data, 1, b->len, f) == b->len;
		ok = (to_stdout ? fflush(f) == 0 : fclose(f) == 0) && ok;
	}
	if (!ok) {
		fprintf(stderr, "error: cannot write '%s': %s\n", shown, strerror(errno));
		return 3;
	}
	return 0;
}

int cmd_export(struct ctx *x, int argc, char **argv)
{
	const char *file = NULL;
	int t = take_value(&argc, argv, "--anki", &file);
	if (t < 0) {
		fprintf(stderr, "error: --anki needs a file name\n%s\n", anki_usage);
		return 2;
	}
	if (!no_options_left(argc, argv, argv[0]))
		return 2;
	if (t == 0 || argc > 1 || !*file) {
		char e[ECHO_SIZE];
		if (argc > 1)
			fprintf(stderr, "error: unexpected argument '%s'\n", str_echo(e, argv[1]));
		fprintf(stderr, "%s\n", anki_usage);
		return 2;
	}
	struct catalog *cat = ctx_catalog(x);
	if (!cat)
		return 2;

	struct buf out, front, back;
	buf_init(&out);
	buf_init(&front);
	buf_init(&back);
	buf_puts(&out, "#separator:tab\n#html:true\n#notetype:Basic\n#guid column:1\n#deck column:2\n"
	               "#tags column:5\n");
	size_t n = catalog_nquestions(cat);
	for (size_t i = 0; i < n; i++) {
		const struct question *q = catalog_question_at(cat, i);
		const char *topic = q->quiz ? q->quiz->topic : "misc";
		buf_truncate(&front, 0);
		buf_truncate(&back, 0);
		front_and_back(q, &front, &back);
		/* The guid: the question id, which is stable forever, so a
		 * re-import updates the note and keeps its scheduling. */
		buf_puts(&out, "pydojo:");
		put_field(&out, q->id, strlen(q->id));
		buf_puts(&out, "\tpydojo::");
		put_field(&out, topic, strlen(topic));
		buf_addc(&out, '\t');
		put_field(&out, front.data, front.len);
		buf_addc(&out, '\t');
		put_field(&out, back.data, back.len);
		buf_addc(&out, '\t');
		put_tag(&out, topic);
		for (size_t k = 0; k < q->tags.n; k++) {
			buf_addc(&out, ' ');
			put_tag(&out, q->tags.v[k]);
		}
		buf_addc(&out, '\n');
	}
	buf_release(&front);
	buf_release(&back);

	char *shown = str_visible(file);
	int rc = write_out(file, shown, &out);
	if (rc == 0 && strcmp(file, "-") != 0)
		printf("exported %zu notes to '%s'\n", n, shown);
	free(shown);
	buf_release(&out);
	return rc;
}

/* ---- disputes ---- */

/* Every dispute, copied out of the store. */
struct dispute_list {
	struct store_dispute *v;
	size_t n, cap;
};

static int keep_dispute(void *ud, const struct store_dispute *d)
{
	struct dispute_list *l = ud;
	GROW(l->v, l->cap, l->n + 1);
	struct store_dispute *c = &l->v[l->n++];
	*c = *d;
	c->question_id = xstrdup(d->question_id);
	c->topic = xstrdup(d->topic);
	c->answer = xstrdup(d->answer);
	c->point = xstrdup(d->point);
	return 0;
}

static void dispute_list_release(struct dispute_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free((char *)l->v[i].question_id);
		free((char *)l->v[i].topic);
		free((char *)l->v[i].answer);
		free((char *)l->v[i].point);
	}
	free(l->v);
}

/* Appends s[0..n) as a YAML double-quoted scalar that pydojo's loader
 * takes as content: escapes for '"', '\\', newline and tab; other control
 * characters (a CR, a terminal escape) dropped, as content may hold none;
 * bytes that are not UTF-8 replaced by U+FFFD. */
static void yaml_quoted(struct buf *b, const char *s, size_t n)
{
	buf_addc(b, '"');
	size_t i = 0;
	while (i < n) {
		size_t bad = n - i;
		bool ok = utf8_valid(s + i, n - i, &bad);
		size_t end = ok ? n : i + bad;
		for (; i < end; i++) {
			unsigned char c = (unsigned char)s[i];
			if (c == '"' || c == '\\') {
				buf_addc(b, '\\');
				buf_addc(b, (char)c);
			} else if (c == '\n') {
				buf_puts(b, "\\n");
			} else if (c == '\t') {
				buf_puts(b, "\\t");
			} else if (c == 0xc2 && i + 1 < end && (unsigned char)s[i + 1] >= 0x80 &&
			           (unsigned char)s[i + 1] <= 0x9f) {
				i++;   /* a C1 control */
			} else if (c >= 0x20 && c != 0x7f) {
				buf_addc(b, (char)c);
			}
		}
		if (i < n) {
			buf_puts(b, "\xef\xbf\xbd");
			i++;
		}
	}
	buf_addc(b, '"');
}

/* Appends s on one line, for a comment: line breaks and other controls
 * become spaces. */
static void one_line(struct buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		buf_addc(b, *p < 0x20 || *p == 0x7f ? ' ' : (char)*p);
}

/* Appends disputes v[0..n), as store_each_dispute hands them (grouped by
 * question), as YAML: a mapping of question ids, each with an `examples:`
 * block of `pass:` answers, each after a comment naming its key point;
 * ready to paste into the quiz. Every string is double-quoted so that
 * both YAML and pydojo's loader read it back as the answer was typed
 * (less the line break that ends it, and any control character but tab
 * and newline, which content may not hold). */
static void disputes_yaml(struct buf *b, const struct store_dispute *v, size_t n)
{
	buf_puts(b, "# Disputed grades exported by pydojo: answers that learners say make a key\n"
	            "# point the grader missed. Check each one; paste those that are right into the\n"
	            "# question's examples and make its rubric accept them.\n");
	for (size_t i = 0; i < n; i++) {
		const struct store_dispute *d = &v[i];
		if (i == 0 || strcmp(d->question_id, v[i - 1].question_id) != 0) {
			buf_puts(b, "\n# topic ");
			one_line(b, d->topic);
			buf_addc(b, '\n');
			if (is_id(d->question_id))
				buf_puts(b, d->question_id);
			else
				yaml_quoted(b, d->question_id, strlen(d->question_id));
			buf_puts(b, ":\n  examples:\n    pass:\n");
		}
		buf_printf(b, "      # key point %d (rubric index %d): ", d->point_index + 1, d->point_index);
		one_line(b, d->point);
		buf_puts(b, "\n      - ");
		/* The answer as typed, without the line break that ends it. */
		size_t len = strlen(d->answer);
		while (len && strchr(" \t\r\n", d->answer[len - 1]))
			len--;
		yaml_quoted(b, d->answer, len);
		buf_addc(b, '\n');
	}
}

static const char disputes_usage[] = "usage: disputes [--json] [--export FILE]";

int cmd_disputes(struct ctx *x, int argc, char **argv)
{
	bool json = cmd_take_flag(&argc, argv, "--json");
	const char *file = NULL;
	int t = take_value(&argc, argv, "--export", &file);
	if (t < 0) {
		fprintf(stderr, "error: --export needs a file name\n%s\n", disputes_usage);
		return 2;
	}
	if (!no_options_left(argc, argv, argv[0]))
		return 2;
	if (argc > 1 || (t > 0 && !*file) || (t > 0 && json)) {
		char e[ECHO_SIZE];
		if (argc > 1)
			fprintf(stderr, "error: unexpected argument '%s'\n", str_echo(e, argv[1]));
		else if (json)
			fprintf(stderr, "error: --json and --export do not go together\n");
		fprintf(stderr, "%s\n", disputes_usage);
		return 2;
	}
	struct store *st = ctx_store_read(x);
	if (!st)
		return 3;
	struct dispute_list l = {.n = 0};
	char *err = NULL;
	if (store_each_dispute(st, keep_dispute, &l, &err) < 0) {
		fprintf(stderr, "error: %s\n", err);
		free(err);
		dispute_list_release(&l);
		return 3;
	}
	int rc = 0;
	struct buf b;
	buf_init(&b);
	size_t nq = 0;
	for (size_t i = 0; i < l.n; i++)
		nq += i == 0 || strcmp(l.v[i].question_id, l.v[i - 1].question_id) != 0;
	if (file) {
		disputes_yaml(&b, l.v, l.n);
		char *shown = str_visible(file);
		rc = write_out(file, shown, &b);
		if (rc == 0 && strcmp(file, "-") != 0)
			printf("exported %zu dispute%s on %zu question%s to '%s'\n", l.n, l.n == 1 ? "" : "s", nq,
			       nq == 1 ? "" : "s", shown);
		free(shown);
	} else if (json) {
		buf_puts(&b, "{\"disputes\": [");
		for (size_t i = 0; i < l.n; i++) {
			const struct store_dispute *d = &l.v[i];
			buf_printf(&b, "%s{\"id\": %lld, \"question\": ", i ? ",\n  " : "\n  ", (long long)d->id);
			buf_json_str(&b, d->question_id);
			buf_puts(&b, ", \"topic\": ");
			buf_json_str(&b, d->topic);
			buf_puts(&b, ", \"at\": ");
			json_time(&b, d->at);
			buf_printf(&b, ", \"point_index\": %d, \"point\": ", d->point_index);
			buf_json_str(&b, d->point);
			buf_puts(&b, ", \"answer\": ");
			buf_json_str(&b, d->answer);
			buf_puts(&b, "}");
		}
		buf_printf(&b, "],\n \"questions\": %zu}\n", nq);
	} else if (l.n == 0) {
		buf_puts(&b, "no disputed grades yet (after a text answer, 'c N' at the rating prompt contests "
		             "missed key point N)\n");
	} else {
		for (size_t i = 0; i < l.n; i++) {
			const struct store_dispute *d = &l.v[i];
			if (i == 0 || strcmp(d->question_id, l.v[i - 1].question_id) != 0) {
				buf_puts(&b, i ? "\n" : "");
				buf_add_visible(&b, d->question_id, strlen(d->question_id), 0);
				buf_puts(&b, " (");
				buf_add_visible(&b, d->topic, strlen(d->topic), 0);
				buf_puts(&b, ")\n");
			}
			char when[32];
			fmt_local(d->at, when, sizeof when, "%Y-%m-%d %H:%M");
			buf_printf(&b, "  %s  key point %d: ", when, d->point_index + 1);
			buf_add_visible(&b, d->point, strlen(d->point), 0);
			buf_addc(&b, '\n');
			for (const char *p = d->answer; *p;) {
				size_t k = strcspn(p, "\n");
				if (k || p[k]) {
					buf_puts(&b, "    > ");
					buf_add_visible(&b, p, k, 0);
					buf_addc(&b, '\n');
				}
				p += k + (p[k] == '\n');
			}
		}
		buf_printf(&b, "\n%zu dispute%s on %zu question%s; 'disputes --export FILE' writes them as rubric examples\n",
		           l.n, l.n == 1 ? "" : "s", nq, nq == 1 ? "" : "s");
	}
	if (!file)
		fwrite(b.data, 1, b.len, stdout);
	buf_release(&b);
	dispute_list_release(&l);
	return rc;
}
