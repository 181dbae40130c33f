/*
 * learn, next, prev, sections: reading a lesson, whole or a section at a
 * time, and walking the open one at the prompt.
 */
#include "cmd.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "catalog.h"
#include "clock.h"
#include "paths.h"
#include "render.h"
#include "store.h"
#include "util.h"

/* ---- naming a section ---- */

/* Whether word (up to its end or a space) starts a word of title. */
static bool starts_word_of(const char *title, const char *word, size_t n)
{
	for (const char *t = title; *t; t++) {
		bool at_start = t == title || !isalnum((unsigned char)t[-1]);
		if (at_start && isalnum((unsigned char)*t) && strncasecmp(t, word, n) == 0)
			return true;
	}
	return false;
}

/* Whether every word of arg starts a word of title. */
static bool words_in(const char *title, const char *arg)
{
	bool any = false;
	for (const char *w = arg; *w;) {
		while (*w == ' ')
			w++;
		size_t n = strcspn(w, " ");
		if (!n)
			break;
		if (!starts_word_of(title, w, n))
			return false;
		any = true;
		w += n;
	}
	return any;
}

/* The ways of naming a section, tried in this order. */
enum how { BY_EXACT, BY_PREFIX, BY_WORD };

/* The sections of ls that arg names in one way, into hits; returns how many. */
static size_t match_sections(const struct lesson *ls, const char *arg, enum how how, int *hits)
{
	size_t n = 0, len = strlen(arg);
	for (size_t i = 0; i < ls->nsections; i++) {
		const struct section *s = &ls->sections[i];
		bool hit = false;
		if (how == BY_EXACT)
			hit = strcasecmp(s->title, arg) == 0;
		else if (how == BY_PREFIX)
			hit = (s->id && strncmp(s->id, arg, len) == 0) || strncasecmp(s->title, arg, len) == 0;
		else
			hit = words_in(s->title, arg);
		if (hit)
			hits[n++] = (int)i;
	}
	return n;
}

/* Offers cand as the nearest to arg when it is closer than *bestd. */
static void nearer(const char *arg, const char *cand, size_t n, const char **best, size_t *bestd, char *out,
                   size_t outsz)
{
	char w[64];
	if (!n || n >= sizeof w)
		return;
	for (size_t i = 0; i < n; i++)
		w[i] = (char)tolower((unsigned char)cand[i]);
	w[n] = '\0';
	size_t d = edit_distance(arg, w, 2);
	if (d < *bestd) {
		*bestd = d;
		snprintf(out, outsz, "%s", w);
		*best = out;
	}
}

/* The nearest id or title word to arg within two edits, into out (outsz
 * bytes), or NULL. */
static const char *nearest_section(const struct lesson *ls, const char *typed, char *out, size_t outsz)
{
	const char *best = NULL;
	size_t bestd = 3;
	char *arg = xstrdup(typed);
	for (char *p = arg; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (size_t i = 0; i < ls->nsections; i++) {
		const struct section *s = &ls->sections[i];
		if (s->id)
			nearer(arg, s->id, strlen(s->id), &best, &bestd, out, outsz);
		for (const char *t = s->title; *t;) {
			size_t n = 0;
			while (t[n] && isalnum((unsigned char)t[n]))
				n++;
			nearer(arg, t, n, &best, &bestd, out, outsz);
			t += n ? n : 1;
		}
	}
	free(arg);
	return best;
}

/* The section that arg names in ls: a number from 1, an id, a title, a
 * unique prefix of an id or title, or words of one title. Returns its
 * index, or -1 after printing why none (ambiguous: the candidates;
 * unknown: the nearest id). */
static int find_section(const struct lesson *ls, const char *arg)
{
	char e[ECHO_SIZE];
	char *end;
	long num = strtol(arg, &end, 10);
	bool number = *arg && !*end;
	if (number && num >= 1 && (size_t)num <= ls->nsections)
		return (int)num - 1;
	/* An id names one section for good: numbers shift when one is inserted. */
	int found = number ? -1 : catalog_section_index(ls, arg);
	if (found >= 0)
		return found;
	int *hits = xcalloc(ls->nsections + 1, sizeof *hits);
	size_t n = 0;
	for (enum how how = BY_EXACT; !number && *arg && how <= BY_WORD && !n; how++)
		n = match_sections(ls, arg, how, hits);
	if (n == 1)
		found = hits[0];
	if (n > 1) {
		struct buf b;
		buf_init(&b);
		for (size_t i = 0; i < n; i++) {
			const struct section *s = &ls->sections[hits[i]];
			if (s->id)
				buf_printf(&b, "%s%s", i ? ", " : "", s->id);
			else
				buf_printf(&b, "%s%d", i ? ", " : "", hits[i] + 1);
		}
		fprintf(stderr, "error: '%s' matches several sections of '%s': %s\n", str_echo(e, arg), ls->id, b.data);
		buf_release(&b);
	} else if (n == 0) {
		char word[64];
		const char *near = number ? NULL : nearest_section(ls, arg, word, sizeof word);
		fprintf(stderr, "error: no section '%s' in '%s' (", str_echo(e, arg), ls->id);
		if (near)
			fprintf(stderr, "did you mean '%s'? ", near);
		fprintf(stderr, "a number from 1 to %zu, an id or words of a title; see 'sections %s')\n", ls->nsections,
		        ls->id);
	}
	free(hits);
	return found;
}

/* ---- the place in a lesson ---- */

/* What a section is stored as: its id, or its number when it has none
 * (content without ids). out holds at least 24 bytes. */
static const char *place_name(const struct lesson *ls, int section, char *out, size_t n)
{
	const char *id = ls->sections[section].id;
	if (id)
		return id;
	snprintf(out, n, "%d", section + 1);
	return out;
}

/* The index of a stored place in ls, or -1 when it names no section now. */
static int place_index(const struct lesson *ls, const char *place)
{
	int i = catalog_section_index(ls, place);
	char *end;
	long num = strtol(place, &end, 10);
	if (i < 0 && *place && !*end && num >= 1 && (size_t)num <= ls->nsections && !ls->sections[num - 1].id)
		i = (int)num - 1;
	return i;
}

/* Saving the place must never stop the reading: one warning per process. */
static bool place_warned;

static void place_warn(const char *why)
{
	if (!place_warned)
		fprintf(stderr, "warning: your place in the lesson is not saved%s%s\n", why ? ": " : "", why ? why : "");
	place_warned = true;
}

static void place_save(struct ctx *x, const struct lesson *ls, int section)
{
	if (place_warned)
		return;
	char *err = NULL;
	int64_t now;
	if (clock_check(&now, &err) < 0) {
		place_warn(err);
		free(err);
		return;
	}
	bool failed_before = x->store_failed;
	struct store *st = ctx_store(x);
	if (!st) {
		place_warn(failed_before ? "no progress database" : NULL);
		return;
	}
	char num[24];
	if (store_place_set(st, ls->id, place_name(ls, section, num, sizeof num), now, &err) < 0) {
		place_warn(err);
		free(err);
	}
}

/* The stored place of topic (NULL: the latest of any): its lesson and
 * section index, or NULL when none (or the store cannot be read). */
static const struct lesson *place_load(struct ctx *x, const char *topic, int *section)
{
	if (x->store_failed || place_warned)
		return NULL;
	if (!x->store) {
		/* Nothing stored yet: looking makes no database. */
		char *path = x->db_path ? xstrdup(x->db_path) : paths_user_file("DATA", "progress.db");
		bool exists = path && access(path, F_OK) == 0;
		free(path);
		if (!exists)
			return NULL;
	}
	struct store *st = ctx_store(x);
	if (!st) {
		place_warn(NULL);
		return NULL;
	}
	char *tid = NULL, *place = NULL, *err = NULL;
	bool found = false;
	const struct lesson *ls = NULL;
	if (store_place_get(st, topic, &tid, &place, NULL, &found, &err) < 0) {
		place_warn(err);
		free(err);
	} else if (found && (ls = catalog_lesson(x->cat, tid)) && (*section = place_index(ls, place)) < 0) {
		ls = NULL;
	}
	free(tid);
	free(place);
	return ls;
}

/* A lesson to start: the first, in catalog order, never opened whose
 * required lessons all were; else the first never opened; NULL when every
 * lesson was. */
static const struct lesson *suggest_lesson(struct ctx *x)
{
	const struct lesson *first = NULL;
	size_t n = catalog_nlessons(x->cat);
	for (size_t i = 0; i < n; i++) {
		const struct lesson *ls = catalog_lesson_at(x->cat, i);
		int sec;
		if (ls->reference || place_load(x, ls->id, &sec))
			continue;
		if (!first)
			first = ls;
		bool ready = true;
		for (size_t r = 0; r < ls->requires.n && ready; r++) {
			const struct lesson *req = catalog_lesson(x->cat, ls->requires.v[r]);
			ready = !req || place_load(x, req->id, &sec);
		}
		if (ready && strcmp(ls->level, "core") == 0)
			return ls;
	}
	return first;
}

/* ---- showing ---- */

static int show_lesson(struct ctx *x, const struct lesson *ls, int section, const char *note)
{
	struct render_opts o = ctx_render_opts(x);
	struct buf b;
	buf_init(&b);
	if (note)
		buf_puts(&b, note);
	render_lesson(&b, ls, section, x->cat, &o);
	if (x->in_repl && section >= 0 && (size_t)section + 1 < ls->nsections)
		buf_puts(&b, "Type 'next' for the next section, 'sections' for the list.\n");
	else if (section >= 0 && (size_t)section + 1 < ls->nsections)
		/* From the shell, 'next' is refused and 'learn' shows this one again. */
		buf_printf(&b, "'learn %s %d' reads the next section.\n", ls->id, section + 2);
	cmd_page(&b);
	buf_release(&b);
	x->cur = ls;
	x->cur_section = section;
	/* The whole lesson was read to its end. */
	place_save(x, ls, section >= 0 ? section : (int)ls->nsections - 1);
	return 0;
}

/* "resuming gil at 3/8 What releases the GIL ('learn gil 1' starts over)". */
static char *resume_note(const struct lesson *ls, int section)
{
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "resuming %s at %d/%zu ", ls->id, section + 1, ls->nsections);
	const char *t = ls->sections[section].title;
	buf_add_visible(&b, t, strlen(t), 0);
	buf_printf(&b, " ('learn %s 1' starts over)\n\n", ls->id);
	return buf_detach(&b);
}

/* learn with no topic: the lesson open at the prompt, else the latest
 * place stored. */
static int learn_resume(struct ctx *x)
{
	int section = x->cur_section;
	const struct lesson *ls = x->cur;
	if (!ls || section < 0)
		ls = place_load(x, NULL, &section);
	if (!ls) {
		const struct lesson *s = suggest_lesson(x);
		fprintf(stderr, "error: no lesson to resume (start one with 'learn %s'; 'topics' lists them)\n",
		        s ? s->id : "TOPIC");
		return 2;
	}
	if ((size_t)section + 1 == ls->nsections) {
		const struct lesson *s = suggest_lesson(x);
		printf("'%s' was read to its end ('learn %s 1' reads it again)", ls->id, ls->id);
		if (s)
			printf("; next: 'learn %s'", s->id);
		printf("\n");
		return 0;
	}
	char *note = resume_note(ls, section);
	int rc = show_lesson(x, ls, section, note);
	free(note);
	return rc;
}

static int cmd_learn(struct ctx *x, struct cmd_args *a)
{
	bool all = cmd_flag(a, "--all");
	if (all && a->argc != 2) {
		fprintf(stderr, "error: --all shows a whole lesson: give a TOPIC and no SECTION\n");
		return cmd_usage(a);
	}
	if (a->argc == 1)
		return learn_resume(x);
	struct catalog *c = x->cat;
	const struct lesson *ls = catalog_lesson(c, a->argv[1]);
	if (!ls)
		return cmd_unknown_topic(c, a->argv[1]);
	if (all)
		return show_lesson(x, ls, -1, NULL);
	if (a->argc == 3) {
		int section = find_section(ls, a->argv[2]);
		return section < 0 ? 2 : show_lesson(x, ls, section, NULL);
	}
	/* Where it was left, unless that was its start or its end: then from
	 * the start, a section at a time at the prompt, whole on the command
	 * line. */
	int section = -1;
	if (place_load(x, ls->id, &section) && section > 0 && (size_t)section + 1 < ls->nsections) {
		char *note = resume_note(ls, section);
		int rc = show_lesson(x, ls, section, note);
		free(note);
		return rc;
	}
	return show_lesson(x, ls, x->in_repl ? 0 : -1, NULL);
}

static int step_section(struct ctx *x, int delta)
{
	if (!x->cur) {
		fprintf(stderr, "error: no lesson open (start one with 'learn TOPIC')\n");
		return 2;
	}
	int s = x->cur_section + delta;
	if (x->cur_section < 0)
		s = delta > 0 ? 0 : (int)x->cur->nsections - 1;
	if (s < 0 || (size_t)s >= x->cur->nsections) {
		fprintf(stderr, "error: %s section of '%s'\n", delta > 0 ? "that was the last" : "this is the first",
		        x->cur->id);
		return 2;
	}
	return show_lesson(x, x->cur, s, NULL);
}

static int cmd_next(struct ctx *x, struct cmd_args *a)
{
	(void)a;
	return step_section(x, 1);
}

static int cmd_prev(struct ctx *x, struct cmd_args *a)
{
	(void)a;
	return step_section(x, -1);
}

static int cmd_sections(struct ctx *x, struct cmd_args *a)
{
	const struct lesson *ls = x->cur;
	if (a->argc == 2 && !(ls = catalog_lesson(x->cat, a->argv[1])))
		return cmd_unknown_topic(x->cat, a->argv[1]);
	if (!ls) {
		fprintf(stderr, "error: no lesson open (start one with 'learn TOPIC')\n");
		return 2;
	}
	struct buf b;
	buf_init(&b);
	buf_add_visible(&b, ls->title, strlen(ls->title), 0);
	buf_addc(&b, '\n');
	for (size_t i = 0; i < ls->nsections; i++) {
		const char *t = ls->sections[i].title;
		buf_printf(&b, "%s %2zu. ", ls == x->cur && (int)i == x->cur_section ? ">" : " ", i + 1);
		buf_add_visible(&b, t, strlen(t), 0);
		buf_puts(&b, ls->sections[i].code ? "  (example)" : "");
		if (ls->sections[i].id)
			buf_printf(&b, "  [%s]", ls->sections[i].id);
		buf_addc(&b, '\n');
	}
	fwrite(b.data, 1, b.len, stdout);
	buf_release(&b);
	return 0;
}

/* learn TOPIC SECTION: the topic ids, then the topic's section ids. */
static enum cmd_complete_more complete_learn(const struct cmd_complete *c)
{
	if (c->npos == 1)
		return cmd_complete_topics(c);
	struct catalog *cat = ctx_catalog(c->x);
	const struct lesson *ls = c->npos == 2 && cat ? catalog_lesson(cat, c->pos[1]) : NULL;
	for (size_t i = 0; ls && i < ls->nsections; i++)
		if (ls->sections[i].id)
			c->add(c->state, ls->sections[i].id);
	return COMPLETE_WORDS;
}

static enum cmd_complete_more complete_topic(const struct cmd_complete *c)
{
	return c->npos == 1 ? cmd_complete_topics(c) : COMPLETE_WORDS;
}

const struct command cmd_learn_row = {
	"learn", NULL, "learn [TOPIC [SECTION] [--all]]",
	"read a lesson from where you left it, or one section, or all of it; no TOPIC: resume",
	cmd_learn, CMD_CATALOG | CMD_STORE_RW, 0, 2, {{"--all", OPT_FLAG, NULL, 0, 0, false}}, complete_learn,
};

const struct command cmd_next_row = {
	"next", NULL, "next", "the next section of the open lesson",
	cmd_next, CMD_REPL_ONLY | CMD_STORE_RW, 0, 0, {{0}}, NULL,
};

const struct command cmd_prev_row = {
	"prev", NULL, "prev", "the previous section of the open lesson",
	cmd_prev, CMD_REPL_ONLY | CMD_STORE_RW, 0, 0, {{0}}, NULL,
};

const struct command cmd_sections_row = {
	"sections", NULL, "sections [TOPIC]", "the sections of a lesson, with their ids",
	cmd_sections, CMD_CATALOG, 0, 1, {{0}}, complete_topic,
};
