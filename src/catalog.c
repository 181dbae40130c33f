/*
 * catalog: the content's lifecycle, its indexes and the queries on them,
 * suggestions for misspelt ids, and rubric patterns compiled on first use.
 * Loading is catalog_load.c's, cross-checking catalog_link.c's.
 */
#include "catalog_internal.h"

#include <assert.h>

#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "regex.h"
#include "terms.h"
#include "ycache.h"

const char *const qtype_names[Q_NTYPES] = {"choice", "multi", "truefalse", "order", "output", "text", "code"};

const char *catalog_closest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t bestd = strlen(word) <= 3 ? 1 : 2;
	bestd++;
	for (size_t i = 0; i < n; i++) {
		size_t dist = edit_distance(word, cands[i], bestd - 1);
		if (dist < bestd) {
			bestd = dist;
			best = cands[i];
		}
	}
	return best;
}

struct catalog *catalog_new(void)
{
	struct catalog *c = xcalloc(1, sizeof *c);
	hmap_init(&c->files);
	hmap_init(&c->lesson_ids);
	hmap_init(&c->demo_ids);
	hmap_init(&c->term_files);
	diag_init(&c->scratch);
	return c;
}

void catalog_defer_compile(struct catalog *c, bool defer)
{
	c->defer_compile = defer;
}

void catalog_keep_reference(struct catalog *c)
{
	c->keep_reference = true;
}

void catalog_use_cache(struct catalog *c, const char *path)
{
	ycache_free(c->cache);
	c->cache = path ? ycache_open(path) : NULL;
}

void catalog_save_cache(struct catalog *c)
{
	if (c->cache)
		ycache_save(c->cache);
}

void catalog_free(struct catalog *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nlessons; i++)
		lesson_free(c->lessons[i]);
	for (size_t i = 0; i < c->nquizzes; i++)
		quiz_free(c->quizzes[i]);
	for (size_t i = 0; i < c->ndemos; i++)
		demo_free(c->demos[i]);
	for (size_t i = 0; i < c->ndocs; i++)
		ydoc_release(&c->docs[i]);
	hmap_release(&c->files);
	hmap_release(&c->lesson_ids);
	hmap_release(&c->demo_ids);
	for (size_t i = 0; i < c->nvocabs; i++)
		terms_free(c->vocabs[i].terms);
	free(c->vocabs);
	hmap_release(&c->term_files);
	free(c->pending);
	free(c->docs);
	ycache_free(c->cache);   /* after the docs: it holds cached trees' strings */
	free(c->lessons);
	free(c->quizzes);
	free(c->demos);
	free(c->questions);
	free(c->qindex);
	diag_release(&c->scratch);
	free(c);
}

/* The source a role compiles from: the expanded pattern of the rubric
 * language, else the plain one; NULL when the point has none. */
static const char *role_source(const struct rubric_point *p, enum rubric_role r)
{
	switch (r) {
	case RUBRIC_CLAIM:
		return p->expanded[r] ? p->expanded[r] : p->pattern;
	case RUBRIC_REJECT:
		return p->expanded[r] ? p->expanded[r] : p->says ? NULL : p->reject;
	case RUBRIC_ABOUT:
	case RUBRIC_NOT_ABOUT:
		return p->expanded[r];
	case RUBRIC_CODE:
		return p->code;
	case RUBRIC_OWN_NEGATION:
		return p->own_negation;
	default:
		return NULL;
	}
}

struct regex *catalog_rubric_regex(const struct rubric_point *p, enum rubric_role role)
{
	if (!p->compiled) {
		/* The catalog owns its rubric points; compiling one on first use
		 * changes no content. The file loaded cleanly when it was cached,
		 * so the patterns compile. */
		struct rubric_point *m = (struct rubric_point *)p;
		/* A point of the rubric language is expanded against its
		 * vocabulary, or against none when its content has none (a
		 * --content root without terms.yaml, checked or served alone). */
		if (m->terms || m->says) {
			const char *srcs[RUBRIC_CODE] = {m->says, m->reject, m->about, m->not_about};
			for (int r = 0; r < RUBRIC_CODE; r++) {
				size_t bad;
				if (srcs[r] && !m->expanded[r])
					m->expanded[r] = terms_expand(m->terms, srcs[r], &bad);
			}
			if (!m->own_negation)
				m->own_negation = terms_expand_kept(m->terms, srcs, RUBRIC_CODE, answer_negating_phrase);
			m->terms = NULL;
		}
		for (int r = 0; r < RUBRIC_NROLES; r++) {
			const char *src = role_source(p, (enum rubric_role)r);
			struct regex **slot = role_slot(m, (enum rubric_role)r);
			if (!src || *slot)
				continue;
			char *err = NULL;
			size_t off;
			*slot = regex_compile(src, REGEX_RUBRIC, &err, &off);
			free(err);
		}
		m->compiled = true;
	}
	return *role_slot((struct rubric_point *)p, role);
}

bool catalog_rubric_negative(const struct rubric_point *p, enum rubric_role role)
{
	if (!p->negative_known) {
		struct rubric_point *m = (struct rubric_point *)p;   /* found once, changes no content */
		const char *srcs[RUBRIC_CODE] = {m->says, m->reject, m->about, m->not_about};
		for (int r = 0; r < RUBRIC_CODE; r++)
			m->negative[r] = srcs[r] && answer_has_negator(srcs[r]);
		m->negative_known = true;
	}
	return role < RUBRIC_CODE && p->negative[role];
}

/* Drops what grading read of p's patterns (its needles). */
static void drop_needles(struct rubric_point *p)
{
	free(p->needles[0]);
	free(p->needles[1]);
	free(p->needles2[0]);
	free(p->needles2[1]);
	p->needles[0] = p->needles[1] = p->needles2[0] = p->needles2[1] = NULL;
	p->needles_known[0] = p->needles_known[1] = false;
}

void catalog_drop_grading(struct question *q)
{
	for (size_t i = 0; i < q->nrubric; i++) {
		drop_needles(&q->rubric[i]);
		if (q->rubric[i].wrong)
			drop_needles(q->rubric[i].wrong);
	}
	for (size_t k = 0; k < q->nreject_part; k++) {
		regex_free(q->reject_part[k].re);
		free(q->reject_part[k].src);
		free(q->reject_part[k].needles);
		free(q->reject_part[k].needles2);
	}
	free(q->reject_part);
	q->reject_part = NULL;
	q->nreject_part = 0;
	q->rejects_split = false;
}

static size_t hash_id(const char *s)
{
	size_t h = 1469598103934665603u;   /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static const struct question **qindex_slot(const struct catalog *c, const char *id)
{
	size_t mask = c->qslots - 1;
	for (size_t i = hash_id(id) & mask;; i = (i + 1) & mask)
		if (!c->qindex[i] || strcmp(c->qindex[i]->id, id) == 0)
			return &c->qindex[i];
}

const struct question *catalog_index_question(struct catalog *c, const struct question *q)
{
	if (2 * (c->nquestions + 1) > c->qslots) {
		const struct question **old = c->qindex;
		size_t nold = c->qslots;
		c->qslots = c->qslots ? 2 * c->qslots : 256;
		c->qindex = xcalloc(c->qslots, sizeof *c->qindex);
		for (size_t i = 0; i < nold; i++)
			if (old[i])
				*qindex_slot(c, old[i]->id) = old[i];
		free(old);
	}
	const struct question **slot = qindex_slot(c, q->id);
	if (*slot)
		return *slot;
	*slot = q;
	return NULL;
}

size_t catalog_lesson_index(const struct catalog *c, const char *id)
{
	return hmap_get(&c->lesson_ids, id, strlen(id));
}

/* ---- queries ---- */

int catalog_section_index(const struct lesson *ls, const char *id)
{
	for (size_t i = 0; i < ls->nsections; i++)
		if (ls->sections[i].id && strcmp(ls->sections[i].id, id) == 0)
			return (int)i;
	return -1;
}

char *catalog_point_section(const struct question *q, const struct rubric_point *p)
{
	if (!p->section)
		return NULL;
	const char *slash = strchr(p->section, '/');
	if (slash)
		return xasprintf("%.*s %s", (int)(slash - p->section), p->section, slash + 1);
	return q->quiz->topic ? xasprintf("%s %s", q->quiz->topic, p->section) : NULL;
}

size_t catalog_nlessons(const struct catalog *c)
{
	return c->nlessons;
}

struct lesson *catalog_lesson_at(const struct catalog *c, size_t i)
{
	return i < c->nlessons ? c->lessons[i] : NULL;
}

struct lesson *catalog_lesson(const struct catalog *c, const char *id)
{
	size_t i = catalog_lesson_index(c, id);
	return i == HMAP_NONE ? NULL : c->lessons[i];
}

size_t catalog_ndemos(const struct catalog *c)
{
	return c->ndemos;
}

struct demo *catalog_demo_at(const struct catalog *c, size_t i)
{
	return i < c->ndemos ? c->demos[i] : NULL;
}

struct demo *catalog_demo(const struct catalog *c, const char *id)
{
	size_t i = hmap_get(&c->demo_ids, id, strlen(id));
	return i == HMAP_NONE ? NULL : c->demos[i];
}

const struct question *catalog_question(const struct catalog *c, const char *id)
{
	return c->qslots && id ? *qindex_slot(c, id) : NULL;
}

size_t catalog_nquestions(const struct catalog *c)
{
	return c->nquestions;
}

const struct question *catalog_question_at(const struct catalog *c, size_t i)
{
	return i < c->nquestions ? c->questions[i] : NULL;
}

size_t catalog_nquizzes(const struct catalog *c)
{
	return c->nquizzes;
}

struct quiz *catalog_quiz_at(const struct catalog *c, size_t i)
{
	return i < c->nquizzes ? c->quizzes[i] : NULL;
}

const char *catalog_suggest(const char *id, const char **cands, size_t n)
{
	const char *best = catalog_closest(id, cands, n);
	if (best)
		return best;
	/* A unique prefix is a good guess too ('gen' for 'generators'). */
	for (size_t i = 0; i < n; i++)
		if (str_starts(cands[i], id) && strlen(id) >= 2) {
			if (best)
				return NULL;
			best = cands[i];
		}
	return best;
}

const char *catalog_suggest_topic(const struct catalog *c, const char *id)
{
	const char **ids = xcalloc(c->nlessons + 1, sizeof *ids);
	size_t n = 0;
	for (size_t i = 0; i < c->nlessons; i++)
		if (c->lessons[i]->id)
			ids[n++] = c->lessons[i]->id;
	const char *s = catalog_suggest(id, ids, n);
	free(ids);
	return s;
}

const char *catalog_suggest_question(const struct catalog *c, const char *id)
{
	size_t nq = catalog_nquestions(c);
	const char **ids = xcalloc(nq + 1, sizeof *ids);
	for (size_t i = 0; i < nq; i++)
		ids[i] = catalog_question_at(c, i)->id;
	const char *s = catalog_suggest(id, ids, nq);
	free(ids);
	return s;
}

const char *catalog_suggest_demo(const struct catalog *c, const char *id)
{
	const char **ids = xcalloc(c->ndemos + 1, sizeof *ids);
	size_t n = 0;
	for (size_t i = 0; i < c->ndemos; i++)
		if (c->demos[i]->id)
			ids[n++] = c->demos[i]->id;
	const char *s = catalog_suggest(id, ids, n);
	free(ids);
	return s;
}

void catalog_count(const struct catalog *c, const struct lesson *only, struct catalog_counts *out)
{
	memset(out, 0, sizeof *out);
	for (size_t i = 0; i < c->nlessons; i++) {
		const struct lesson *ls = c->lessons[i];
		if (ls->reference || (only && ls != only))
			continue;
		out->topics++;
		out->sections += ls->nsections;
		for (size_t s = 0; s < ls->nsections; s++)
			out->examples += ls->sections[s].code != NULL;
	}
	for (size_t i = 0; i < c->nquizzes; i++) {
		const struct quiz *qz = c->quizzes[i];
		if (qz->reference || (only && qz->lesson != only))
			continue;
		for (size_t k = 0; k < qz->n; k++) {
			out->questions++;
			out->by_type[qz->questions[k].type]++;
			out->rubric_examples += qz->questions[k].ex_pass.n + qz->questions[k].ex_fail.n;
		}
	}
	if (!only)
		for (size_t i = 0; i < c->ndemos; i++)
			out->demos += !c->demos[i]->reference;
}

/* A choice named by its place: "the last choice", "the first one", "the
 * first four", "option b", "answers (b) and (c)", a lone "(c)". An 'a' after "answer" is taken
 * for the article unless nothing follows it ("answer a." is a position,
 * "answer a question" is not). */
static const char position_pattern[] =
	"\\bthe\\s+(?:first|second|third|fourth|fifth|sixth|last|final|penultimate|top|bottom|middle)"
	"\\s+(?:two\\s+|three\\s+)?(?:choices?|options?|answers?|ones?)\\b"
	"|\\bthe\\s+(?:first|last)\\s+(?:two|three|four|five)\\b"
	"|\\b(?:options?|choices?|answers?)\\s+(?:\\([a-h]\\)|[b-h](?![\\w'-])|a(?=\\s*(?:[.,;:!?)]|$)))"
	"|(?<![\\w(])\\([a-h]\\)(?=[\\s.,;:]|$)";

/* A choice that speaks of the others by their place. */
static const char above_pattern[] = "\\b(?:of|from)\\s+the\\s+(?:above|others\\s+above)\\b|\\babove\\s+(?:choices|options|answers)\\b";

static void warn_match(struct regex *re, const char *text, struct pos at, struct diag *w, const char *fmt)
{
	struct regex_scan scan = {0};
	size_t start, end;
	if (regex_next(re, text, strlen(text), &scan, &start, &end, NULL) != REGEX_MATCH)
		return;
	char *phrase = xstrndup(text + start, end - start);
	for (char *p = phrase; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	diag_add(w, at.file, at.line, at.col, fmt, phrase);
	free(phrase);
}

void catalog_warn_positions(const struct catalog *c, struct diag *w)
{
	char *err = NULL;
	size_t off;
	struct regex *pos_re = regex_compile(position_pattern, REGEX_CASELESS, &err, &off);
	assert(pos_re);
	struct regex *above_re = regex_compile(above_pattern, REGEX_CASELESS, &err, &off);
	assert(above_re);
	for (size_t i = 0; i < c->nquizzes; i++) {
		const struct quiz *qz = c->quizzes[i];
		if (qz->reference)
			continue;
		for (size_t k = 0; k < qz->n; k++) {
			const struct question *q = &qz->questions[k];
			if (q->type != Q_CHOICE && q->type != Q_MULTI)
				continue;
			if (q->explain)
				warn_match(pos_re, q->explain, q->explain_pos, w,
				           "the explanation names a choice by its place ('%s'), but choices are shown "
				           "shuffled: name it by what it says");
			for (size_t j = 0; j < q->choices.n; j++)
				if (!q->pinned || !q->pinned[j])
					warn_match(above_re, q->choices.v[j], q->choices.pos[j], w,
					           "a choice says '%s', but choices are shown shuffled: pin it in place "
					           "({text: ..., pin: true})");
		}
	}
	free(err);
	regex_free(pos_re);
	regex_free(above_re);
}
