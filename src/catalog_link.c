/*
 * catalog_link: what is known only once every file is in. Expands the
 * @terms of rubric points and compiles their patterns, lets checked content
 * shadow reference content, sorts lessons, builds the indexes, and checks
 * references: duplicate ids, unknown topics, demos and sections, requires
 * cycles, quizzes without a lesson.
 *
 * It grades nothing: whether model answers and rubric examples grade as
 * declared is rubric_check's question (the `check` command's).
 */
#include "catalog_internal.h"

#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "regex.h"
#include "terms.h"
#include "ycache.h"

static struct diag *sink(struct catalog *c, bool reference, struct diag *d)
{
	return reference ? &c->scratch : d;
}

static int cmp_lesson(const void *a, const void *b)
{
	const struct lesson *x = *(struct lesson *const *)a, *y = *(struct lesson *const *)b;
	int t = strcmp(x->track ? x->track : "", y->track ? y->track : "");
	return t ? t : strcmp(x->id ? x->id : "", y->id ? y->id : "");
}

static void suggest_suffix(char *buf, size_t size, const char *near)
{
	if (near)
		snprintf(buf, size, " (did you mean '%s'?)", near);
	else
		buf[0] = '\0';
}

static void check_refs(struct catalog *c, struct diag *dg, const struct strlist *l, const char *key,
                       bool demos)
{
	for (size_t i = 0; i < l->n; i++) {
		bool ok = demos ? catalog_demo(c, l->v[i]) != NULL : catalog_lesson(c, l->v[i]) != NULL;
		if (ok)
			continue;
		char sug[128];
		suggest_suffix(sug, sizeof sug, demos ? catalog_suggest_demo(c, l->v[i]) : catalog_suggest_topic(c, l->v[i]));
		PERR(dg, l->pos[i], "unknown %s '%s' in '%s'%s", demos ? "demo" : "topic", l->v[i], key, sug);
	}
}

/* Depth-first search over 'requires' with an explicit stack (a chain of
 * thousands of lessons must not overflow the C stack); colour 1 = on the
 * path, 2 = done. The stack is the path, for the message. */
static void find_cycles(struct catalog *c, struct diag *d)
{
	struct frame {
		size_t i, r;    /* a lesson, and the next of its 'requires' to follow */
	} *path = xcalloc(c->nlessons + 1, sizeof *path);
	unsigned char *colour = xcalloc(c->nlessons + 1, 1);
	for (size_t s = 0; s < c->nlessons; s++) {
		if (colour[s])
			continue;
		size_t depth = 1;
		path[0] = (struct frame){s, 0};
		colour[s] = 1;
		while (depth) {
			struct frame *f = &path[depth - 1];
			struct lesson *ls = c->lessons[f->i];
			if (f->r == ls->requires.n) {
				colour[f->i] = 2;
				depth--;
				continue;
			}
			size_t r = f->r++;
			size_t j = catalog_lesson_index(c, ls->requires.v[r]);
			if (j == HMAP_NONE)
				continue;
			if (colour[j] == 1) {
				struct buf b;
				buf_init(&b);
				size_t start = 0;
				while (path[start].i != j)
					start++;
				for (size_t k = start; k < depth; k++)
					buf_printf(&b, "%s -> ", c->lessons[path[k].i]->id);
				buf_puts(&b, c->lessons[j]->id);
				PERR(sink(c, ls->reference, d), ls->requires.pos[r], "'requires' cycle: %s", b.data);
				buf_release(&b);
			} else if (colour[j] == 0) {
				colour[j] = 1;
				path[depth++] = (struct frame){j, 0};
			}
		}
	}
	free(colour);
	free(path);
}

/* The lesson a section reference points into: TOPIC of 'TOPIC/ID', else the
 * quiz's own lesson. Sets *id to the section id. NULL when there is none
 * (an unknown topic, or a quiz without a lesson, reported elsewhere). */
static const struct lesson *ref_lesson(const struct catalog *c, const struct question *q, const char *ref,
                                       const char **id)
{
	const char *slash = strchr(ref, '/');
	if (!slash) {
		*id = ref;
		return q->quiz->lesson;
	}
	*id = slash + 1;
	char *topic = xstrndup(ref, (size_t)(slash - ref));
	const struct lesson *ls = catalog_lesson(c, topic);
	free(topic);
	return ls;
}

/* A section reference (a rubric point's 'section', a code question's
 * 'see') names a section of a lesson: reported at pos when not. */
static void check_section_ref(struct catalog *c, struct diag *dg, const struct question *q, const char *ref,
                              struct pos pos)
{
	const char *id;
	const struct lesson *ls = ref_lesson(c, q, ref, &id);
	if (!ls) {
		if (strchr(ref, '/')) {
			char *topic = xstrndup(ref, (size_t)(id - 1 - ref));
			char sug[128];
			suggest_suffix(sug, sizeof sug, catalog_suggest_topic(c, topic));
			PERR(dg, pos, "unknown topic '%s' in section '%s'%s", topic, ref, sug);
			free(topic);
		}
		return;
	}
	if (catalog_section_index(ls, id) >= 0)
		return;
	const char **ids = xcalloc(ls->nsections + 1, sizeof *ids);
	size_t n = 0;
	for (size_t k = 0; k < ls->nsections; k++)
		if (ls->sections[k].id)
			ids[n++] = ls->sections[k].id;
	char sug[128];
	suggest_suffix(sug, sizeof sug, catalog_suggest(id, ids, n));
	free(ids);
	PERR(dg, pos, "no section '%s' in lesson '%s'%s", id, ls->id, sug);
}

/* Every section a question names: its rubric points', its 'see'. */
static void check_sections(struct catalog *c, struct diag *dg, const struct question *q)
{
	for (size_t i = 0; i < q->nrubric; i++)
		if (q->rubric[i].section)
			check_section_ref(c, dg, q, q->rubric[i].section, q->rubric[i].section_pos);
	if (q->see)
		check_section_ref(c, dg, q, q->see, q->see_pos);
}

/* Reference content that a checked file redefines steps aside: checking an
 * edited copy of a shipped lesson, quiz or manifest checks it in place of
 * the shipped one. For one array of items with a key (id or topic): marks
 * each reference item some checked item shares its key with (found through
 * a hash table of the checked keys), then frees the marked ones and closes
 * the gaps. Marking first matters: freeing while compacting would leave
 * freed pointers in the part still being compared. */
#define DROP_SHADOWED(items, n, key, free_fn, gone)                                          \
	do {                                                                                 \
		struct hmap checked_;                                                        \
		hmap_init(&checked_);                                                        \
		for (size_t i_ = 0; i_ < (n); i_++)                                          \
			if (!(items)[i_]->reference && (items)[i_]->key)                     \
				hmap_add(&checked_, (items)[i_]->key, strlen((items)[i_]->key), i_); \
		for (size_t i_ = 0; i_ < (n); i_++)                                          \
			(gone)[i_] = (items)[i_]->reference && (items)[i_]->key &&           \
			             hmap_get(&checked_, (items)[i_]->key,                   \
			                      strlen((items)[i_]->key)) != HMAP_NONE;        \
		hmap_release(&checked_);                                                     \
		size_t k_ = 0;                                                               \
		for (size_t i_ = 0; i_ < (n); i_++) {                                        \
			if ((gone)[i_])                                                      \
				free_fn((items)[i_]);                                        \
			else                                                                 \
				(items)[k_++] = (items)[i_];                                 \
		}                                                                            \
		(n) = k_;                                                                    \
	} while (0)

static void drop_shadowed(struct catalog *c)
{
	size_t most = c->nlessons > c->ndemos ? c->nlessons : c->ndemos;
	if (c->nquizzes > most)
		most = c->nquizzes;
	bool *gone = xcalloc(most + 1, sizeof *gone);
	DROP_SHADOWED(c->lessons, c->nlessons, id, lesson_free, gone);
	DROP_SHADOWED(c->demos, c->ndemos, id, demo_free, gone);
	DROP_SHADOWED(c->quizzes, c->nquizzes, topic, quiz_free, gone);
	free(gone);
}

/* A lesson and its place in the array sorted by track and id. */
struct lesson_at {
	const struct lesson *ls;
	size_t i;
};

static int cmp_lesson_at(const void *a, const void *b)
{
	const struct lesson_at *x = a, *y = b;
	int o = strcmp(x->ls->id, y->ls->id);
	if (!o)
		o = (x->ls->root > y->ls->root) - (x->ls->root < y->ls->root);
	if (!o)
		o = strcmp(x->ls->pos.file, y->ls->pos.file);
	return o ? o : (x->i > y->i) - (x->i < y->i);
}

/* Duplicate topics: each reported at the later one, against the first.
 * Later means of a root added later (a --content folder's lesson clashing
 * with a shipped one is the user's to rename; the shipped content, added
 * first, is reference content when `check DIR` keeps it), then in file
 * order. Sorting by id finds them in O(n log n). */
static void check_duplicate_topics(struct catalog *c, struct diag *d)
{
	struct lesson_at *v = xcalloc(c->nlessons + 1, sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < c->nlessons; i++)
		if (c->lessons[i]->id)
			v[n++] = (struct lesson_at){c->lessons[i], i};
	if (n > 1)
		qsort(v, n, sizeof *v, cmp_lesson_at);
	for (size_t i = 1, first = 0; i < n; i++) {
		if (strcmp(v[i].ls->id, v[first].ls->id) != 0) {
			first = i;
			continue;
		}
		PERR(sink(c, v[i].ls->reference, d), v[i].ls->pos, "duplicate topic id '%s' (also in %s)",
		     v[i].ls->id, diag_relpath(v[first].ls->pos.file));
	}
	free(v);
}

/* The number of code points in s[0..n), for a column. */
static int codepoints(const char *s, size_t n)
{
	int k = 0;
	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xc0) != 0x80;
	return k;
}

/* The key a role of p is written as: a wrong claim's point names its
 * own. */
static const char *language_key(const struct rubric_point *p, int r)
{
	static const char *const keys[RUBRIC_CODE] = {"says", "reject", "about", "not_about"};
	static const char *const wrong_keys[RUBRIC_CODE] = {"wrong", "reject", "wrong_about", "wrong_not_about"};
	return p->is_wrong ? wrong_keys[r] : keys[r];
}

/* Expands the patterns of p against t, reporting an unknown term at its
 * column (exact[] and plain[] say whether the YAML scalar's text is the
 * pattern as written, so that its columns can be counted). */
static void expand_point(struct rubric_point *p, struct terms *t, const bool *exact, const bool *plain,
                         struct diag *dg)
{
	const char *srcs[RUBRIC_CODE] = {p->says, p->reject, p->about, p->not_about};
	const struct pos poss[RUBRIC_CODE] = {p->says_pos, p->reject_pos, p->about_pos, p->not_about_pos};
	for (int r = 0; r < RUBRIC_CODE; r++) {
		if (!srcs[r] || p->expanded[r])
			continue;
		size_t bad = 0;
		char *x = terms_expand(t, srcs[r], &bad);
		if (!x) {
			size_t len = 0;
			while (srcs[r][bad + 1 + len] && strchr("abcdefghijklmnopqrstuvwxyz0123456789-", srcs[r][bad + 1 + len]))
				len++;
			while (len && srcs[r][bad + len] == '-')
				len--;
			int col = poss[r].col + (exact[r] ? !plain[r] + codepoints(srcs[r], bad) : 0);
			diag_add(dg, poss[r].file, poss[r].line, col, "unknown term '@%.*s' in '%s'", (int)len,
			         srcs[r] + bad + 1, language_key(p, r));
			p->broken = true;
			continue;
		}
		p->expanded[r] = x;
	}
	if (!p->own_negation)
		p->own_negation = terms_expand_kept(t, srcs, RUBRIC_CODE, answer_negating_phrase);
}

void catalog_compile_point(struct rubric_point *p, struct diag *dg)
{
	if (p->terms || p->says) {
		/* Deferred by catalog_defer_compile: expanded now (against no
		 * vocabulary when its content has none). */
		expand_point(p, p->terms, p->term_exact, p->term_plain, dg);
		p->terms = NULL;
		if (p->broken) {
			p->compiled = true;
			return;
		}
	}
	const char *srcs[RUBRIC_CODE] = {p->says, p->reject, p->about, p->not_about};
	const struct pos poss[RUBRIC_CODE] = {p->says_pos, p->reject_pos, p->about_pos, p->not_about_pos};
	for (int r = 0; r < RUBRIC_CODE; r++) {
		const char *x = p->expanded[r];
		if (!x)
			continue;
		char *err = NULL;
		size_t off = 0;
		struct regex **slot = role_slot(p, (enum rubric_role)r);
		*slot = regex_compile(x, REGEX_RUBRIC, &err, &off);
		if (*slot)
			continue;
		free(err);
		err = NULL;
		p->broken = true;
		char *skel = terms_skeleton(srcs[r]);
		struct regex *re = regex_compile(skel, REGEX_RUBRIC, &err, &off);
		if (re) {
			regex_free(re);
			free(err);
			err = NULL;
			regex_compile(x, REGEX_RUBRIC, &err, &off);
			PERR(dg, poss[r], "%s does not compile once its terms are expanded: %s", language_key(p, r), err);
		} else {
			PERR(dg, poss[r], "%s does not compile: %s at offset %zu", language_key(p, r), err, off);
		}
		free(err);
		free(skel);
	}
	/* A file served from the cache left its plain patterns uncompiled
	 * (compile_pattern); they compile here as they would have at load. */
	struct plain_slot {
		struct regex **slot;
		const char *src, *key;
		struct pos pos;
	} plain[] = {
		{&p->re, p->says ? NULL : p->pattern, "pattern", p->pattern_pos},
		{&p->reject_re, p->says ? NULL : p->reject, "reject", p->reject_pos},
		{&p->code_re, p->code, "code", p->code_pos},
	};
	for (size_t i = 0; i < sizeof plain / sizeof *plain; i++) {
		if (!plain[i].src || *plain[i].slot)
			continue;
		char *err = NULL;
		size_t off = 0;
		*plain[i].slot = regex_compile(plain[i].src, REGEX_RUBRIC, &err, &off);
		if (!*plain[i].slot) {
			p->broken = true;
			PERR(dg, plain[i].pos, "%s does not compile: %s at offset %zu", plain[i].key, err, off);
		}
		free(err);
	}
	if (p->own_negation && !p->broken) {
		/* Entries that compiled inside the patterns compile alone. */
		char *err = NULL;
		size_t off;
		p->own_negation_re = regex_compile(p->own_negation, REGEX_RUBRIC, &err, &off);
		free(err);
	}
	p->compiled = true;
}

/* Expands the terms of a pending point and compiles its patterns, unless
 * its file came from the cache (both on first use) or the caller checks
 * its question itself (catalog_defer_compile: both then, and only for the
 * questions checked). */
static void link_point(struct catalog *c, struct diag *dg, const struct pending_point *pp)
{
	struct rubric_point *p = pp->p;
	struct terms *t = pp->terms ? pp->terms : c->base;
	if ((pp->cached && c->vocabs_cached) || (c->defer_compile && !pp->cached)) {
		/* Cached: clean when it was cached, against the same
		 * vocabulary. Deferred: catalog_compile_point reports. */
		p->terms = t;
		memcpy(p->term_exact, pp->exact, sizeof p->term_exact);
		memcpy(p->term_plain, pp->plain, sizeof p->term_plain);
		return;
	}
	expand_point(p, t, pp->exact, pp->plain, dg);
	if (pp->cached)
		return;
	catalog_compile_point(p, dg);
	if (p->broken)
		return;
	/* Expanded and compiled to report what is wrong; a clean point is
	 * expanded and compiled again when first graded, as a cached one is:
	 * most commands grade nothing, and the catalog's compiled patterns
	 * weigh more than its text. */
	for (int r = 0; r < RUBRIC_CODE; r++) {
		free(p->expanded[r]);
		p->expanded[r] = NULL;
	}
	free(p->own_negation);
	p->own_negation = NULL;
	for (int r = 0; r < RUBRIC_NROLES; r++) {
		struct regex **slot = role_slot(p, (enum rubric_role)r);
		regex_free(*slot);
		*slot = NULL;
	}
	p->terms = t;
	memcpy(p->term_exact, pp->exact, sizeof p->term_exact);
	memcpy(p->term_plain, pp->plain, sizeof p->term_plain);
	p->compiled = false;
}

/* Every vocabulary extends the first root's; every pending point gets its
 * terms expanded. Before shadowed content is dropped: the points are
 * still where the pending list says. */
static void link_terms(struct catalog *c, struct diag *d)
{
	c->vocabs_cached = true;
	for (size_t i = 0; i < c->nvocabs; i++) {
		terms_set_base(c->vocabs[i].terms, c->base);
		c->vocabs_cached &= c->vocabs[i].cached;
	}
	/* A vocabulary served from the cache was clean when cached: its sets
	 * are expanded as the patterns that use them are. The base is checked
	 * first, since the others extend it. When a vocabulary was read again
	 * (it changed), every point is expanded now, so a term it lost is
	 * reported in every quiz. */
	for (int base = 1; base >= 0; base--)
		for (size_t i = 0; i < c->nvocabs; i++) {
			const struct vocab *v = &c->vocabs[i];
			if ((v->terms == c->base) == base && !v->cached)
				terms_check(v->terms, sink(c, v->reference, d));
		}
	for (size_t i = 0; i < c->npending; i++)
		link_point(c, sink(c, c->pending[i].reference, d), &c->pending[i]);
	free(c->pending);
	c->pending = NULL;
	c->npending = c->cappending = 0;
}


/* Lessons sorted and indexed by id, demos indexed, their references checked. */
static void link_lessons_and_demos(struct catalog *c, struct diag *d)
{
	if (c->nlessons > 1)
		qsort(c->lessons, c->nlessons, sizeof *c->lessons, cmp_lesson);
	check_duplicate_topics(c, d);
	/* The indexes keep the first of duplicates, as a scan in order would. */
	for (size_t i = 0; i < c->nlessons; i++)
		if (c->lessons[i]->id)
			hmap_add(&c->lesson_ids, c->lessons[i]->id, strlen(c->lessons[i]->id), i);
	for (size_t i = 0; i < c->ndemos; i++) {
		struct demo *dm = c->demos[i];
		size_t j = dm->id ? hmap_add(&c->demo_ids, dm->id, strlen(dm->id), i) : HMAP_NONE;
		if (j != HMAP_NONE)
			PERR(sink(c, dm->reference, d), dm->pos, "duplicate demo id '%s' (first at %s:%d:%d)", dm->id,
			     diag_relpath(c->demos[j]->pos.file), c->demos[j]->pos.line, c->demos[j]->pos.col);
	}

	for (size_t i = 0; i < c->nlessons; i++) {
		struct lesson *ls = c->lessons[i];
		struct diag *dg = sink(c, ls->reference, d);
		check_refs(c, dg, &ls->requires, "requires", false);
		check_refs(c, dg, &ls->see_also, "see_also", false);
		check_refs(c, dg, &ls->demos, "demos", true);
	}
	find_cycles(c, d);

	for (size_t i = 0; i < c->ndemos; i++) {
		struct demo *dm = c->demos[i];
		check_refs(c, sink(c, dm->reference, d), &dm->topics, "topics", false);
	}
}

/* Each quiz joins its lesson; its questions join the index. */
static void link_quizzes(struct catalog *c, struct diag *d)
{
	c->nquestions = 0;
	free(c->qindex);
	c->qindex = NULL;
	c->qslots = 0;
	for (size_t i = 0; i < c->nquizzes; i++) {
		struct quiz *qz = c->quizzes[i];
		struct diag *dg = sink(c, qz->reference, d);
		if (qz->topic) {
			struct lesson *ls = catalog_lesson(c, qz->topic);
			if (!ls) {
				char sug[128];
				suggest_suffix(sug, sizeof sug, catalog_suggest_topic(c, qz->topic));
				PERR(dg, qz->pos, "quiz topic '%s' has no lesson%s", qz->topic, sug);
			} else if (ls->quiz) {
				PERR(dg, qz->pos, "a second quiz for topic '%s' (the first is %s)", qz->topic,
				     diag_relpath(ls->quiz->pos.file));
			} else {
				ls->quiz = qz;
				qz->lesson = ls;
			}
		}
		for (size_t k = 0; k < qz->n; k++) {
			struct question *q = &qz->questions[k];
			check_sections(c, dg, q);
			if (!q->id)
				continue;
			const struct question *prev = catalog_index_question(c, q);
			if (prev)
				PERR(dg, q->pos, "duplicate question id '%s' (first at %s:%d:%d)", q->id,
				     diag_relpath(prev->pos.file), prev->pos.line, prev->pos.col);
			else {
				GROW(c->questions, c->capquestions, c->nquestions + 1);
				c->questions[c->nquestions++] = q;
			}
		}
	}
}

int catalog_link(struct catalog *c, struct diag *d)
{
	ydoc_trim();   /* every file is loaded: the trees' spare memory goes back */
	size_t before = d->n;
	link_terms(c, d);
	if (!c->keep_reference)
		drop_shadowed(c);
	link_lessons_and_demos(c, d);
	link_quizzes(c, d);
	/* Deferred, the rubrics are not checked yet: the caller saves. */
	if (d->n == 0 && !c->defer_compile)
		catalog_save_cache(c);
	return d->n > before ? -1 : 0;
}
