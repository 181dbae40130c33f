/*
 * context: what the commands run against (the catalog, the store, the
 * settings, the render options), opened on first use and released at the
 * end; the progress figures of `topics` and the REPL banner; and small
 * helpers the commands share.
 */
#include "cmd.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
#include "clock.h"
#include "diag.h"
#include "fsrs.h"
#include "paths.h"
#include "session.h"
#include "settings.h"
#include "store.h"
#include "util.h"

/* ---- the context ---- */

void ctx_release(struct ctx *x)
{
	catalog_free(x->cat);
	x->cat = NULL;
	store_close(x->store);
	x->store = NULL;
	free(x->settings);
	x->settings = NULL;
}

int ctx_load_shipped(struct ctx *x, struct catalog *c, bool reference, struct diag *d)
{
	return catalog_add_root(c, x->datadir, reference, d);
}

/* A file of a --content folder left out of the catalog, and why. */
struct skipped {
	char *file, *msg, *root;
	int line, col;
};

struct skip_list {
	struct skipped *v;
	size_t n, cap;
};

/* The --content root that file lies in, or NULL; never a folder itself
 * (a root that is no content folder, or a lessons/ that cannot be read,
 * is not a broken file: it refuses the catalog as before). */
static const char *user_root(const struct ctx *x, const char *file)
{
	struct stat st;
	if (stat(file, &st) < 0 || S_ISDIR(st.st_mode))
		return NULL;
	for (size_t i = 0; i < x->ncontent; i++) {
		size_t n = strlen(x->content[i]);
		if (n && strncmp(file, x->content[i], n) == 0 && (file[n] == '/' || x->content[i][n - 1] == '/'))
			return x->content[i];
	}
	return NULL;
}

/* Adds the files of the --content folders that d's faults are in to sk,
 * each with its first fault. Returns false when a fault lies elsewhere
 * (the shipped content, or a folder rather than a file): the catalog is
 * then refused, as the shipped content is never skipped. */
static bool skip_broken(const struct ctx *x, struct diag *d, struct skip_list *sk)
{
	diag_finish(d);
	for (size_t i = 0; i < d->n; i++)
		if (!user_root(x, d->items[i].file))
			return false;
	size_t before = sk->n;
	for (size_t i = 0; i < d->n; i++) {
		const struct diag_item *it = &d->items[i];
		if (sk->n > before && strcmp(sk->v[sk->n - 1].file, it->file) == 0)
			continue;
		GROW(sk->v, sk->cap, sk->n + 1);
		sk->v[sk->n++] = (struct skipped){xstrdup(it->file), xstrdup(it->msg), xstrdup(user_root(x, it->file)),
		                                  it->line, it->col};
	}
	return sk->n > before;
}

static void skip_list_print(struct skip_list *sk)
{
	for (size_t i = 0; i < sk->n; i++) {
		const struct skipped *s = &sk->v[i];
		char *f = str_visible(diag_relpath(s->file)), *m = str_visible(s->msg), *r = str_visible(s->root);
		fprintf(stderr, "pydojo: skipped %s:%d:%d: %s; run 'pydojo check %s'\n", f, s->line, s->col, m, r);
		free(f);
		free(m);
		free(r);
	}
}

static void skip_list_release(struct skip_list *sk)
{
	for (size_t i = 0; i < sk->n; i++) {
		free(sk->v[i].file);
		free(sk->v[i].msg);
		free(sk->v[i].root);
	}
	free(sk->v);
}

void ctx_use_cache(struct catalog *c)
{
	char *cache = paths_user_file("CACHE", "catalog");
	if (cache)
		catalog_use_cache(c, cache);
	free(cache);
}

static struct catalog *load_catalog(struct ctx *x, const struct skip_list *sk, struct diag *d)
{
	struct catalog *c = catalog_new();
	ctx_use_cache(c);
	for (size_t i = 0; i < sk->n; i++)
		catalog_skip_file(c, sk->v[i].file);
	ctx_load_shipped(x, c, false, d);
	for (size_t i = 0; i < x->ncontent; i++)
		catalog_add_root(c, x->content[i], false, d);
	catalog_link(c, d);
	return c;
}

struct catalog *ctx_catalog(struct ctx *x)
{
	if (x->cat || x->cat_failed)
		return x->cat;
	struct diag d;
	struct skip_list sk = {0};
	struct catalog *c;
	/* A broken file of a --content folder is left out and the rest loaded
	 * again, until nothing is broken: a file that leant on one left out
	 * (its lesson, a topic it requires) goes the same way, with its own
	 * line. Each round leaves out at least one more file. */
	for (;;) {
		diag_init(&d);
		c = load_catalog(x, &sk, &d);
		if (!d.n || !skip_broken(x, &d, &sk))
			break;
		catalog_free(c);
		diag_release(&d);
	}
	/* Refused, the catalog's faults are all there is to say: what was
	 * left out on the way is not. */
	bool empty = sk.n && catalog_nlessons(c) == 0;
	if (d.n) {
		diag_print(&d, stderr);
		fprintf(stderr, "pydojo: the catalog has %zu error%s; run 'pydojo check' for details\n", d.n,
		        d.n == 1 ? "" : "s");
	} else {
		skip_list_print(&sk);
		if (empty)
			fprintf(stderr, "pydojo: no topic left to use\n");
	}
	if (d.n || empty) {
		catalog_free(c);
		c = NULL;
		x->cat_failed = true;
	}
	skip_list_release(&sk);
	diag_release(&d);
	x->cat = c;
	return c;
}

struct render_opts ctx_render_opts(const struct ctx *x)
{
	const char *nc = getenv("NO_COLOR");
	bool color = isatty(1) && !x->no_color && !(nc && *nc);
	return (struct render_opts){render_prose_width(render_term_width(1)), color};
}

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
	assert(!x->running || (x->running->flags & CMD_STORE_RW));
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
	assert(!x->running || (x->running->flags & (CMD_STORE_RO | CMD_STORE_RW)));
	if (x->store || x->store_failed)
		return x->store;
	return open_ctx_store(x, true);
}

struct settings *ctx_settings(struct ctx *x)
{
	if (x->settings)
		return x->settings;
	struct settings *s = xmalloc(sizeof *s);
	settings_init(s);
	char *path = paths_user_file("CONFIG", SETTINGS_FILE);
	if (path) {
		/* A fault in the settings is no reason to refuse a session: the
		 * values at fault keep their defaults, and each fault is told
		 * once (the REPL keeps the settings loaded). */
		struct diag d;
		diag_init(&d);
		if (settings_load(s, path, &d) < 0) {
			diag_finish(&d);
			for (size_t i = 0; i < d.n; i++) {
				const struct diag_item *it = &d.items[i];
				char *f = str_visible(diag_relpath(it->file)), *m = str_visible(it->msg);
				fprintf(stderr, "pydojo: warning: %s:%d:%d: %s\n", f, it->line, it->col, m);
				free(f);
				free(m);
			}
		}
		diag_release(&d);
		free(path);
	}
	x->settings = s;
	return s;
}

/* ---- progress, for topics and the banner ---- */

int quiz_progress(struct ctx *x, struct quiz_progress *p)
{
	memset(p, 0, sizeof *p);
	p->next_due = STORE_NO_TIME;
	int rc = ctx_now(&p->now);
	if (rc)
		return rc;
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
	char *err = NULL;
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

/* ---- helpers ---- */

bool cmd_paged(void)
{
	return isatty(1) && isatty(0);
}

void cmd_page(struct buf *b)
{
	render_page(b->data, b->len, cmd_paged());
}

int cmd_unknown_topic(struct catalog *c, const char *id)
{
	const char *near = catalog_suggest_topic(c, id);
	char e[ECHO_SIZE];
	if (near)
		fprintf(stderr, "error: unknown topic '%s' (did you mean '%s'?)\n", str_echo(e, id), near);
	else
		fprintf(stderr, "error: unknown topic '%s' (see 'topics')\n", str_echo(e, id));
	return 2;
}

enum cmd_complete_more cmd_complete_topics(const struct cmd_complete *c)
{
	struct catalog *cat = ctx_catalog(c->x);
	for (size_t i = 0; cat && i < catalog_nlessons(cat); i++)
		c->add(c->state, catalog_lesson_at(cat, i)->id);
	return COMPLETE_WORDS;
}

enum cmd_complete_more cmd_complete_demos(const struct cmd_complete *c)
{
	struct catalog *cat = ctx_catalog(c->x);
	for (size_t i = 0; cat && i < catalog_ndemos(cat); i++)
		c->add(c->state, catalog_demo_at(cat, i)->id);
	return COMPLETE_WORDS;
}

/* Appends a double as JSON: 17 significant digits, null when not finite. */
void cmd_json_double(struct buf *b, double v)
{
	if (isfinite(v))
		buf_printf(b, "%.17g", v);
	else
		buf_puts(b, "null");
}

void cmd_json_time(struct buf *b, int64_t t)
{
	char s[FSRS_TIME_SIZE];
	if (fsrs_time_format(t, s) < 0)
		buf_puts(b, "null");
	else
		buf_printf(b, "\"%s\"", s);
}

void cmd_fmt_local(int64_t t, char *out, size_t n, const char *fmt)
{
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(out, n, fmt, &tm);
}

/* Writes b to file ("-": standard output). Returns 0, or 3 after a
 * one-line error. shown is the file name as it may be shown. */
int cmd_write_out(const char *file, const char *shown, const struct buf *b)
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

int ctx_now(int64_t *now)
{
	char *err = NULL;
	if (clock_check(now, &err) == 0)
		return 0;
	fprintf(stderr, "error: %s\n", err);
	free(err);
	return 2;
}
