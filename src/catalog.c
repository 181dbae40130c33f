/*
 * catalog: builds typed content from YAML nodes. Each object type has a list
 * of allowed keys; a key outside it is reported with the closest allowed key.
 * Strings are borrowed from the node trees, which the catalog keeps.
 */
#include "catalog.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grade.h"
#include "answer.h"
#include "regex.h"
#include "terms.h"
#include "util.h"
#include "ycache.h"
#include "ydoc.h"

const char *const qtype_names[Q_NTYPES] = {"choice", "multi", "truefalse", "order", "output", "text"};

struct catalog {
	struct ydoc *docs;
	size_t ndocs, capdocs;
	struct hmap files;       /* loaded files, by identity (a link or a second spelling is the same file) */
	struct lesson **lessons;
	size_t nlessons, caplessons;
	struct quiz **quizzes;
	size_t nquizzes, capquizzes;
	struct demo **demos;
	size_t ndemos, capdemos;
	const struct question **questions;
	size_t nquestions, capquestions;
	/* Open-addressing index of questions by id (a power of two slots, at
	 * most half full), so lookups and the duplicate check stay O(1). */
	const struct question **qindex;
	size_t qslots;
	/* Lessons and demos by id (indexes into lessons and demos), built by
	 * catalog_link: look-ups and reference checks cost O(1). */
	struct hmap lesson_ids, demo_ids;
	/* Vocabularies (terms.yaml files) and the rubric points whose @terms
	 * catalog_link expands: terms are known only once every root is in. */
	struct vocab {
		struct terms *terms;
		bool reference;      /* reference content */
		bool cached;         /* from the cache: clean when cached */
	} *vocabs;
	bool vocabs_cached;      /* every vocabulary came from the cache */
	size_t nvocabs, capvocabs;
	struct hmap term_files;  /* a terms file's identity -> vocabs[] */
	struct terms *base;      /* the first root's vocabulary, or NULL */
	bool base_set;           /* a root was added: base is decided */
	struct pending_point *pending;
	size_t npending, cappending;
	struct diag scratch;     /* receives the faults of reference content */
	bool skip_grading;       /* link grades no model answer or example */
	struct ycache *cache;    /* parsed files, or NULL */
	char *verified_path;     /* checks that passed (ycache.h), or NULL */
};

/* One load: where errors go. */
struct loader {
	struct catalog *c;
	struct diag *d;
	bool cached;             /* the tree came from the cache: the file loaded
	                          * cleanly before, so its patterns compile */
	bool reference;
	struct terms *terms;     /* the vocabulary of the file's root; NULL: the base */
};

/* A rubric point of the rubric language, waiting for catalog_link to expand
 * its terms; exact[r] says the pattern sits on one line in a plain or
 * quoted scalar without escapes, so a column inside it can be named. */
struct pending_point {
	struct rubric_point *p;
	struct terms *terms;
	bool cached, reference;
	bool exact[RUBRIC_CODE], plain[RUBRIC_CODE];
};

static struct pos pos_of(const struct ynode *n)
{
	return (struct pos){n->file, n->line, n->col};
}

#define ERR(L, node, ...) diag_add((L)->d, (node)->file, (node)->line, (node)->col, __VA_ARGS__)

/* ---- generic key handling ---- */

static const char *closest(const char *word, const char *const *cands, size_t n)
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

/* Reports every key of map that is not in allowed. */
static void check_keys(struct loader *L, const struct ynode *map, const char *const *allowed,
                       size_t nallowed, const char *what)
{
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *k = map->items[i];
		if (k->kind != YNODE_SCALAR) {
			ERR(L, k, "a key must be a plain string, not %s", ynode_kind_name(k));
			continue;
		}
		bool ok = false;
		for (size_t j = 0; j < nallowed && !ok; j++)
			ok = k->str[0] == allowed[j][0] && strcmp(k->str, allowed[j]) == 0;
		if (ok)
			continue;
		const char *near = closest(k->str, allowed, nallowed);
		if (near)
			ERR(L, k, "unknown key '%s' in %s (did you mean '%s'?)", k->str, what, near);
		else
			ERR(L, k, "unknown key '%s' in %s", k->str, what);
	}
}

static bool want_map(struct loader *L, const struct ynode *n, const char *what)
{
	if (n && n->kind == YNODE_MAP)
		return true;
	if (n)
		ERR(L, n, "%s must be a mapping, not %s", what, ynode_kind_name(n));
	return false;
}

/* A string value: any scalar. Reports a missing required key at the map. */
static const char *get_str(struct loader *L, const struct ynode *map, const char *key,
                           bool required, const char *what)
{
	const struct ynode *v = ynode_get(map, key);
	if (!v) {
		if (required)
			ERR(L, map, "missing required key '%s' in %s", key, what);
		return NULL;
	}
	if (v->kind != YNODE_SCALAR) {
		ERR(L, v, "'%s' must be a string, not %s", key, ynode_kind_name(v));
		return NULL;
	}
	return v->str;
}

static bool blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

/* A string that must say something: prompts, titles, summaries. */
static const char *get_text(struct loader *L, const struct ynode *map, const char *key,
                            bool required, const char *what)
{
	const char *s = get_str(L, map, key, required, what);
	if (s && blank(s)) {
		ERR(L, ynode_get(map, key), "empty '%s' in %s", key, what);
		return NULL;
	}
	return s;
}

static const char *get_id(struct loader *L, const struct ynode *map, const char *key,
                          bool required, const char *what)
{
	const char *s = get_str(L, map, key, required, what);
	if (s && !is_id(s)) {
		ERR(L, ynode_get(map, key), "invalid id '%s': use only a-z, 0-9 and '-'", s);
		return NULL;
	}
	return s;
}

/* A list of strings. A single string is accepted where single_ok (hints). */
static void get_list(struct loader *L, const struct ynode *map, const char *key, bool ids,
                     bool single_ok, struct strlist *out)
{
	memset(out, 0, sizeof *out);
	const struct ynode *v = ynode_get(map, key);
	if (!v || ynode_is_null(v))
		return;
	if (v->kind == YNODE_SCALAR && single_ok) {
		if (blank(v->str)) {
			ERR(L, v, "empty '%s'", key);
			return;
		}
		out->v = xmalloc(sizeof *out->v);
		out->pos = xmalloc(sizeof *out->pos);
		out->v[0] = v->str;
		out->pos[0] = pos_of(v);
		out->n = 1;
		return;
	}
	if (v->kind != YNODE_SEQ) {
		ERR(L, v, "'%s' must be a list, not %s", key, ynode_kind_name(v));
		return;
	}
	out->v = xmalloc((v->n ? v->n : 1) * sizeof *out->v);
	out->pos = xmalloc((v->n ? v->n : 1) * sizeof *out->pos);
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *it = v->items[i];
		if (it->kind != YNODE_SCALAR) {
			ERR(L, it, "items of '%s' must be strings, not %s", key, ynode_kind_name(it));
			continue;
		}
		if (ids && !is_id(it->str)) {
			ERR(L, it, "invalid id '%s' in '%s': use only a-z, 0-9 and '-'", it->str, key);
			continue;
		}
		if (!ids && blank(it->str)) {
			ERR(L, it, "empty item in '%s'", key);
			continue;
		}
		out->pos[out->n] = pos_of(it);
		out->v[out->n++] = it->str;
	}
}

static void strlist_release(struct strlist *l)
{
	free(l->v);
	free(l->pos);
}

static const struct ynode *get_seq(struct loader *L, const struct ynode *map, const char *key,
                                   bool required, const char *what)
{
	const struct ynode *v = ynode_get(map, key);
	if (!v) {
		if (required)
			ERR(L, map, "missing required key '%s' in %s", key, what);
		return NULL;
	}
	if (v->kind != YNODE_SEQ) {
		ERR(L, v, "'%s' must be a list, not %s", key, ynode_kind_name(v));
		return NULL;
	}
	return v;
}

/* 'contrast': pairs of the two things a text question contrasts, which the
 * content tests swap in the model answer (nothing else reads them). */
static void check_contrast(struct loader *L, const struct ynode *c)
{
	if (!c)
		return;
	if (c->n == 0)
		ERR(L, c, "'contrast' needs at least one pair");
	for (size_t i = 0; i < c->n; i++) {
		const struct ynode *p = c->items[i];
		if (p->kind != YNODE_SEQ || p->n != 2) {
			ERR(L, p, "a 'contrast' entry is a pair of two words or phrases: [a, b]");
			continue;
		}
		for (size_t k = 0; k < 2; k++)
			if (p->items[k]->kind != YNODE_SCALAR || !*p->items[k]->str)
				ERR(L, p->items[k], "a 'contrast' term must be a non-empty string");
		if (p->items[0]->kind == YNODE_SCALAR && p->items[1]->kind == YNODE_SCALAR &&
		    strcasecmp(p->items[0]->str, p->items[1]->str) == 0)
			ERR(L, p->items[1], "a 'contrast' pair names '%s' twice", p->items[0]->str);
	}
}

static bool valid_python_req(const char *s)
{
	/* ">=3.N" or ">=3.N.M" */
	if (!str_starts(s, ">=3."))
		return false;
	s += 4;
	int parts = 0;
	while (*s) {
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
		parts++;
		if (*s == '.')
			s++;
		else if (*s)
			return false;
	}
	return parts >= 1 && parts <= 2;
}

static const char *get_python(struct loader *L, const struct ynode *map)
{
	const char *p = get_str(L, map, "python", false, "");
	if (p && !valid_python_req(p)) {
		ERR(L, ynode_get(map, "python"), "invalid python version requirement '%s' (expected like '>=3.12')", p);
		return NULL;
	}
	return p;
}

/* ---- lessons ---- */

static const char *const lesson_keys[] = {"demos", "id", "level", "requires", "sections", "see_also", "summary", "title", "track"};
static const char *const section_keys[] = {"body", "code", "id", "title"};
static const char *const code_keys[] = {"lang", "output", "python", "source"};

static struct code_example *load_code(struct loader *L, const struct ynode *n)
{
	if (!want_map(L, n, "'code'"))
		return NULL;
	check_keys(L, n, code_keys, ARRAY_SIZE(code_keys), "a code example");
	struct code_example *ce = xcalloc(1, sizeof *ce);
	ce->pos = pos_of(n);
	ce->source = get_text(L, n, "source", true, "a code example");
	ce->lang = get_text(L, n, "lang", false, "a code example");
	if (!ce->lang)
		ce->lang = "python";
	ce->output = get_str(L, n, "output", false, "a code example");
	if (ce->output)
		ce->output_pos = pos_of(ynode_get(n, "output"));
	ce->python = get_python(L, n);
	if (ce->output && strcmp(ce->lang, "python") != 0)
		ERR(L, ynode_get(n, "output"), "'output' is only checked for python code, not '%s'", ce->lang);
	return ce;
}

static const char *file_stem(const char *path, char *buf, size_t size)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	snprintf(buf, size, "%s", base);
	char *dot = strrchr(buf, '.');
	if (dot)
		*dot = '\0';
	return buf;
}

static void load_lesson(struct loader *L, const struct ynode *root, const char *path, bool reference)
{
	if (!want_map(L, root, "a lesson"))
		return;
	check_keys(L, root, lesson_keys, ARRAY_SIZE(lesson_keys), "a lesson");
	struct lesson *ls = xcalloc(1, sizeof *ls);
	ls->reference = reference;
	ls->pos = pos_of(root);
	ls->id = get_id(L, root, "id", true, "a lesson");
	char stem[256];
	file_stem(path, stem, sizeof stem);
	if (ls->id && strcmp(ls->id, stem) != 0)
		ERR(L, ynode_get(root, "id"), "lesson id '%s' does not match its file name '%s.yaml'", ls->id, stem);
	ls->title = get_text(L, root, "title", true, "a lesson");
	ls->track = get_id(L, root, "track", true, "a lesson");
	ls->level = get_str(L, root, "level", true, "a lesson");
	if (ls->level && strcmp(ls->level, "core") != 0 && strcmp(ls->level, "extra") != 0) {
		ERR(L, ynode_get(root, "level"), "level must be 'core' or 'extra', not '%s'", ls->level);
		ls->level = NULL;
	}
	ls->summary = get_text(L, root, "summary", true, "a lesson");
	get_list(L, root, "requires", true, false, &ls->requires);
	get_list(L, root, "see_also", true, false, &ls->see_also);
	get_list(L, root, "demos", true, false, &ls->demos);
	const struct ynode *secs = get_seq(L, root, "sections", true, "a lesson");
	if (secs && secs->n == 0)
		ERR(L, secs, "a lesson needs at least one section");
	if (secs && secs->n) {
		ls->sections = xcalloc(secs->n, sizeof *ls->sections);
		for (size_t i = 0; i < secs->n; i++) {
			const struct ynode *s = secs->items[i];
			if (!want_map(L, s, "a section"))
				continue;
			check_keys(L, s, section_keys, ARRAY_SIZE(section_keys), "a section");
			struct section *sec = &ls->sections[ls->nsections++];
			sec->pos = pos_of(s);
			sec->title = get_text(L, s, "title", true, "a section");
			/* Optional, so content written before ids existed still loads;
			 * the shipped lessons give every section one (a content test). */
			sec->id = get_id(L, s, "id", false, "a section");
			if (sec->id) {
				sec->id_pos = pos_of(ynode_get(s, "id"));
				for (size_t j = 0; j + 1 < ls->nsections; j++)
					if (ls->sections[j].id && strcmp(ls->sections[j].id, sec->id) == 0) {
						ERR(L, ynode_get(s, "id"), "duplicate section id '%s' (first at line %d)", sec->id,
						    ls->sections[j].id_pos.line);
						break;
					}
			}
			sec->body = get_text(L, s, "body", false, "a section");
			const struct ynode *code = ynode_get(s, "code");
			if (code)
				sec->code = load_code(L, code);
			if (!ynode_get(s, "body") && !code)
				ERR(L, s, "a section needs 'body' or 'code'");
		}
	}
	GROW(L->c->lessons, L->c->caplessons, L->c->nlessons + 1);
	L->c->lessons[L->c->nlessons++] = ls;
}

static void lesson_free(struct lesson *ls)
{
	for (size_t i = 0; i < ls->nsections; i++)
		free(ls->sections[i].code);
	free(ls->sections);
	strlist_release(&ls->requires);
	strlist_release(&ls->see_also);
	strlist_release(&ls->demos);
	free(ls);
}

/* ---- quizzes ---- */

static const char *const quiz_keys[] = {"questions", "topic"};

/* Allowed keys per question type: the common ones, then the type's own. */
static const char *const q_common[] = {"explain", "hint", "id", "revised", "revised_note", "tags", "type"};
static const char *const q_own[Q_NTYPES][7] = {
	[Q_CHOICE] = {"answer", "choices", "prompt"},
	[Q_MULTI] = {"answer", "choices", "prompt"},
	[Q_TRUEFALSE] = {"answer", "prompt"},
	[Q_ORDER] = {"items", "prompt"},
	[Q_OUTPUT] = {"answer", "code", "prompt", "python"},
	[Q_TEXT] = {"contrast", "examples", "model_answer", "pass", "prompt", "rubric"},
};
static const char *const rubric_keys[] = {"about", "code", "not_about", "pattern", "point", "reject", "says", "section"};
static const char *const example_keys[] = {"fail", "pass"};

static struct regex *compile_pattern(struct loader *L, const struct ynode *map, const char *key,
                                     const char **text)
{
	*text = get_text(L, map, key, false, "a rubric point");
	if (!*text || L->cached)
		return NULL;   /* compiled on first use (catalog_rubric_regex) */
	char *err = NULL;
	size_t off = 0;
	struct regex *re = regex_compile(*text, REGEX_CASELESS | REGEX_VALID_UTF8, &err, &off);   /* ydoc checked it */
	if (!re) {
		ERR(L, ynode_get(map, key), "%s does not compile: %s at offset %zu", key, err, off);
		free(err);
	}
	return re;
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
	default:
		return NULL;
	}
}

static struct regex **role_slot(struct rubric_point *p, enum rubric_role r)
{
	struct regex **slots[RUBRIC_NROLES] = {&p->re, &p->reject_re, &p->about_re, &p->not_about_re, &p->code_re};
	return slots[r];
}

struct regex *catalog_rubric_regex(const struct rubric_point *p, enum rubric_role role)
{
	if (!p->compiled) {
		/* The catalog owns its rubric points; compiling one on first use
		 * changes no content. The file loaded cleanly when it was cached,
		 * so the patterns compile. */
		struct rubric_point *m = (struct rubric_point *)p;
		if (m->terms) {
			const char *srcs[RUBRIC_CODE] = {m->says, m->reject, m->about, m->not_about};
			for (int r = 0; r < RUBRIC_CODE; r++) {
				size_t bad;
				if (srcs[r] && !m->expanded[r]) {
					m->expanded[r] = terms_expand(m->terms, srcs[r], &bad);
					m->negative[r] = answer_has_negator(srcs[r]);
				}
			}
			m->terms = NULL;
		}
		for (int r = 0; r < RUBRIC_NROLES; r++) {
			const char *src = role_source(p, (enum rubric_role)r);
			struct regex **slot = role_slot(m, (enum rubric_role)r);
			if (!src || *slot)
				continue;
			char *err = NULL;
			size_t off;
			*slot = regex_compile(src, REGEX_CASELESS | REGEX_VALID_UTF8, &err, &off);
			free(err);
		}
		m->compiled = true;
	}
	return *role_slot((struct rubric_point *)p, role);
}

/* Reads the rubric language's keys of a point (says, about, not_about and
 * reject wait for catalog_link, which knows the terms). */
static void load_point_language(struct loader *L, const struct ynode *n, struct rubric_point *rp)
{
	static const char *const keys[RUBRIC_CODE] = {"says", "reject", "about", "not_about"};
	const char **fields[RUBRIC_CODE] = {&rp->says, &rp->reject, &rp->about, &rp->not_about};
	struct pos *poss[RUBRIC_CODE] = {&rp->says_pos, &rp->reject_pos, &rp->about_pos, &rp->not_about_pos};
	struct pending_point pp = {rp, L->terms, L->cached, L->reference, {0}, {0}};
	for (int r = 0; r < RUBRIC_CODE; r++) {
		const struct ynode *v = ynode_get(n, keys[r]);
		*fields[r] = get_text(L, n, keys[r], false, "a rubric point");
		if (!*fields[r])
			continue;
		*poss[r] = pos_of(v);
		pp.plain[r] = v->plain;
		pp.exact[r] = !strchr(v->str, '\n') && (v->plain || !strpbrk(v->str, "'\"\\"));
		if (!L->cached)
			rp->negative[r] = answer_has_negator(v->str);
	}
	if (rp->about && !rp->says)
		ERR(L, ynode_get(n, "about"), "'about' needs 'says' in a rubric point");
	if (rp->not_about && !rp->about)
		ERR(L, ynode_get(n, "not_about"), "'not_about' needs 'about' in a rubric point");
	GROW(L->c->pending, L->c->cappending, L->c->npending + 1);
	L->c->pending[L->c->npending++] = pp;
}

/* ID or TOPIC/ID, each part [a-z0-9-]+. */
static bool valid_section_ref(const char *s)
{
	const char *slash = strchr(s, '/');
	if (!slash)
		return is_id(s);
	if (slash == s || !is_id(slash + 1))
		return false;
	for (const char *t = s; t < slash; t++)
		if (!((*t >= 'a' && *t <= 'z') || (*t >= '0' && *t <= '9') || *t == '-'))
			return false;
	return true;
}

static bool get_index(struct loader *L, const struct ynode *v, size_t nchoices, long *out)
{
	long i;
	if (ynode_long(v, &i) < 0) {
		ERR(L, v, "answer must be a choice index (an integer), not '%s'",
		    v->kind == YNODE_SCALAR ? v->str : ynode_kind_name(v));
		return false;
	}
	if (i < 0 || (size_t)i >= nchoices) {
		ERR(L, v, "answer index %ld is out of range (%zu choices, indexes 0 to %zu)", i, nchoices,
		    nchoices ? nchoices - 1 : 0);
		return false;
	}
	*out = i;
	return true;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return x < y ? -1 : x > y;
}

/* `revised: N` (an integer >= 1) and `revised_note:` (what changed, one
 * line; only with `revised`). */
static void get_revised(struct loader *L, const struct ynode *n, struct question *q)
{
	const struct ynode *v = ynode_get(n, "revised");
	long r;
	if (v && (ynode_long(v, &r) < 0 || r < 1 || r > INT_MAX))
		ERR(L, v, "'revised' must be an integer of at least 1, not '%s'",
		    v->kind == YNODE_SCALAR ? v->str : ynode_kind_name(v));
	else if (v)
		q->revised = (int)r;
	q->revised_note = get_text(L, n, "revised_note", false, "a question");
	const struct ynode *note = ynode_get(n, "revised_note");
	const char *nl = q->revised_note ? strchr(q->revised_note, '\n') : NULL;
	if (nl && nl[1]) {
		ERR(L, note, "'revised_note' must be one line");
		q->revised_note = NULL;
	} else if (q->revised_note && !v) {
		ERR(L, note, "'revised_note' without 'revised' (say which revision it describes)");
	}
}

static void load_question(struct loader *L, struct quiz *qz, const struct ynode *n)
{
	if (!want_map(L, n, "a question"))
		return;
	struct question *q = &qz->questions[qz->n];
	memset(q, 0, sizeof *q);
	q->pos = pos_of(n);
	q->quiz = qz;
	const char *type = get_str(L, n, "type", true, "a question");
	int t = -1;
	for (int i = 0; type && i < Q_NTYPES; i++)
		if (strcmp(type, qtype_names[i]) == 0)
			t = i;
	if (type && t < 0) {
		const char *near = closest(type, qtype_names, Q_NTYPES);
		if (near)
			ERR(L, ynode_get(n, "type"), "unknown question type '%s' (did you mean '%s'?)", type, near);
		else
			ERR(L, ynode_get(n, "type"), "unknown question type '%s' (one of choice, multi, truefalse, order, output, text)", type);
	}
	q->id = get_id(L, n, "id", true, "a question");
	if (t < 0) {
		/* Without a type the other keys cannot be judged. */
		return;
	}
	q->type = (enum qtype)t;
	char what[32];
	snprintf(what, sizeof what, "%s %s question", t == Q_OUTPUT ? "an" : "a", qtype_names[t]);
	const char *allowed[ARRAY_SIZE(q_common) + 7];
	size_t na = 0;
	for (size_t i = 0; i < ARRAY_SIZE(q_common); i++)
		allowed[na++] = q_common[i];
	for (size_t i = 0; i < 7 && q_own[t][i]; i++)
		allowed[na++] = q_own[t][i];
	check_keys(L, n, allowed, na, what);

	q->explain = get_text(L, n, "explain", false, what);
	get_list(L, n, "hint", false, true, &q->hints);
	get_list(L, n, "tags", false, false, &q->tags);
	get_revised(L, n, q);
	q->prompt = get_text(L, n, "prompt", q->type != Q_OUTPUT, what);
	const struct ynode *ans = ynode_get(n, "answer");
	if (!ans && (q->type == Q_CHOICE || q->type == Q_MULTI || q->type == Q_TRUEFALSE || q->type == Q_OUTPUT))
		ERR(L, n, "missing required key 'answer' in %s", what);

	switch (q->type) {
	case Q_CHOICE:
	case Q_MULTI:
		if (!ynode_get(n, "choices")) {
			ERR(L, n, "missing required key 'choices' in %s", what);
			break;
		}
		get_list(L, n, "choices", false, false, &q->choices);
		if (q->choices.n < 2) {
			ERR(L, ynode_get(n, "choices"), "a %s question needs at least 2 choices", qtype_names[t]);
			break;
		}
		if (!ans)
			break;
		if (q->type == Q_CHOICE) {
			get_index(L, ans, q->choices.n, &q->answer);
			break;
		}
		if (ans->kind != YNODE_SEQ) {
			ERR(L, ans, "answer of a multi question must be a list of choice indexes, not %s", ynode_kind_name(ans));
			break;
		}
		if (ans->n == 0) {
			ERR(L, ans, "answer of a multi question needs at least one index");
			break;
		}
		q->answers = xcalloc(ans->n, sizeof *q->answers);
		for (size_t i = 0; i < ans->n; i++) {
			long v;
			if (!get_index(L, ans->items[i], q->choices.n, &v))
				continue;
			bool dup = false;
			for (size_t j = 0; j < q->nanswers; j++)
				dup |= q->answers[j] == v;
			if (dup)
				ERR(L, ans->items[i], "answer index %ld is listed twice", v);
			else
				q->answers[q->nanswers++] = v;
		}
		if (q->nanswers > 1)
			qsort(q->answers, q->nanswers, sizeof *q->answers, cmp_long);
		break;
	case Q_TRUEFALSE:
		if (ans && ynode_bool(ans, &q->answer_bool) < 0)
			ERR(L, ans, "answer of a truefalse question must be true or false, not '%s'",
			    ans->kind == YNODE_SCALAR ? ans->str : ynode_kind_name(ans));
		break;
	case Q_ORDER:
		if (!ynode_get(n, "items")) {
			ERR(L, n, "missing required key 'items' in %s", what);
			break;
		}
		get_list(L, n, "items", false, false, &q->items);
		if (q->items.n < 2)
			ERR(L, ynode_get(n, "items"), "an order question needs at least 2 items");
		for (size_t i = 1; i < q->items.n; i++)
			for (size_t j = 0; j < i; j++)
				if (strcmp(q->items.v[i], q->items.v[j]) == 0) {
					diag_add(L->d, q->items.pos[i].file, q->items.pos[i].line, q->items.pos[i].col,
					         "item '%s' is listed twice", q->items.v[i]);
					break;
				}
		break;
	case Q_OUTPUT:
		q->code = get_text(L, n, "code", true, what);
		if (q->code)
			q->code_pos = pos_of(ynode_get(n, "code"));
		q->expected = get_str(L, n, "answer", false, what);
		q->python = get_python(L, n);
		if (!q->prompt)
			q->prompt = "What does this print?";
		break;
	case Q_TEXT: {
		q->model_answer = get_text(L, n, "model_answer", true, what);
		if (q->model_answer)
			q->model_pos = pos_of(ynode_get(n, "model_answer"));
		const struct ynode *rub = get_seq(L, n, "rubric", true, what);
		if (rub && rub->n == 0)
			ERR(L, rub, "a rubric needs at least one point");
		if (rub && rub->n) {
			q->rubric = xcalloc(rub->n, sizeof *q->rubric);
			for (size_t i = 0; i < rub->n; i++) {
				const struct ynode *p = rub->items[i];
				if (!want_map(L, p, "a rubric point"))
					continue;
				check_keys(L, p, rubric_keys, ARRAY_SIZE(rubric_keys), "a rubric point");
				struct rubric_point *rp = &q->rubric[q->nrubric++];
				rp->pos = pos_of(p);
				rp->point = get_text(L, p, "point", true, "a rubric point");
				const struct ynode *says = ynode_get(p, "says"), *pat = ynode_get(p, "pattern");
				if (says && pat)
					ERR(L, says, "a rubric point has 'pattern' or 'says', not both");
				else if (!says && !pat && !ynode_get(p, "code"))
					ERR(L, p, "missing required key 'says' (or 'pattern' or 'code') in a rubric point");
				if (!says) {
					/* A legacy point: plain regexes, compiled now. */
					rp->re = compile_pattern(L, p, "pattern", &rp->pattern);
					if (rp->pattern)
						rp->pattern_pos = pos_of(pat);
					if (ynode_get(p, "reject")) {
						rp->reject_re = compile_pattern(L, p, "reject", &rp->reject);
						rp->reject_pos = pos_of(ynode_get(p, "reject"));
					}
					if (ynode_get(p, "about"))
						ERR(L, ynode_get(p, "about"), "'about' needs 'says' in a rubric point");
					else if (ynode_get(p, "not_about"))
						ERR(L, ynode_get(p, "not_about"), "'not_about' needs 'about' in a rubric point");
				} else {
					load_point_language(L, p, rp);
				}
				rp->code_re = compile_pattern(L, p, "code", &rp->code);
				if (rp->code)
					rp->code_pos = pos_of(ynode_get(p, "code"));
				rp->broken = (rp->pattern && !rp->re && !L->cached) || (rp->reject && !rp->says && !rp->reject_re && !L->cached) ||
				             (rp->code && !rp->code_re && !L->cached) || (!rp->pattern && !rp->says && !rp->code);
				rp->compiled = !L->cached && !rp->says;
				rp->section = get_str(L, p, "section", false, "a rubric point");
				if (rp->section) {
					rp->section_pos = pos_of(ynode_get(p, "section"));
					if (!valid_section_ref(rp->section)) {
						ERR(L, ynode_get(p, "section"),
						    "invalid section '%s': use a section id, or TOPIC/ID (only a-z, 0-9 and '-')", rp->section);
						rp->section = NULL;
					}
				}
			}
		}
		q->pass = q->nrubric;
		const struct ynode *pass = ynode_get(n, "pass");
		if (pass) {
			long v;
			if (ynode_long(pass, &v) < 0)
				ERR(L, pass, "'pass' must be an integer, not '%s'", pass->kind == YNODE_SCALAR ? pass->str : ynode_kind_name(pass));
			else if (v < 1 || (size_t)v > q->nrubric)
				ERR(L, pass, "'pass' is %ld but the rubric has %zu point%s", v, q->nrubric, q->nrubric == 1 ? "" : "s");
			else
				q->pass = (size_t)v;
		}
		const struct ynode *ex = ynode_get(n, "examples");
		if (ex && want_map(L, ex, "'examples'")) {
			check_keys(L, ex, example_keys, ARRAY_SIZE(example_keys), "'examples'");
			get_list(L, ex, "pass", false, false, &q->ex_pass);
			get_list(L, ex, "fail", false, false, &q->ex_fail);
		}
		check_contrast(L, get_seq(L, n, "contrast", false, what));
		break;
	}
	default:
		break;
	}
	qz->n++;
}

static void load_quiz(struct loader *L, const struct ynode *root, bool reference)
{
	if (!want_map(L, root, "a quiz"))
		return;
	check_keys(L, root, quiz_keys, ARRAY_SIZE(quiz_keys), "a quiz");
	struct quiz *qz = xcalloc(1, sizeof *qz);
	qz->pos = pos_of(root);
	qz->topic = get_id(L, root, "topic", true, "a quiz");
	const struct ynode *qs = get_seq(L, root, "questions", true, "a quiz");
	if (qs && qs->n == 0)
		ERR(L, qs, "a quiz needs at least one question");
	if (qs && qs->n) {
		qz->questions = xcalloc(qs->n, sizeof *qz->questions);
		for (size_t i = 0; i < qs->n; i++)
			load_question(L, qz, qs->items[i]);
	}
	qz->reference = reference;
	GROW(L->c->quizzes, L->c->capquizzes, L->c->nquizzes + 1);
	L->c->quizzes[L->c->nquizzes++] = qz;
}

static void quiz_free(struct quiz *qz)
{
	for (size_t i = 0; i < qz->n; i++) {
		struct question *q = &qz->questions[i];
		strlist_release(&q->hints);
		strlist_release(&q->tags);
		strlist_release(&q->choices);
		strlist_release(&q->items);
		strlist_release(&q->ex_pass);
		strlist_release(&q->ex_fail);
		free(q->answers);
		for (size_t j = 0; j < q->nrubric; j++) {
			struct rubric_point *rp = &q->rubric[j];
			for (int r = 0; r < RUBRIC_NROLES; r++)
				regex_free(*role_slot(rp, (enum rubric_role)r));
			for (int r = 0; r < RUBRIC_CODE; r++)
				free(rp->expanded[r]);
		}
		free(q->rubric);
	}
	free(qz->questions);
	free(qz);
}

/* ---- demo manifest ---- */

static const char *const demo_keys[] = {"binary", "id", "params", "predict", "summary", "title", "topics", "watch"};
static const char *const param_keys[] = {"default", "help", "max", "min", "name", "type", "values"};
static const char *const predict_keys[] = {"choices", "figure", "id", "prompt", "run"};
static const char *const pchoice_keys[] = {"max", "min", "text"};
static const char *const param_types[] = {"int", "float", "enum", "flag"};

static bool get_number(struct loader *L, const struct ynode *map, const char *key, bool integer,
                       double *out)
{
	const struct ynode *v = ynode_get(map, key);
	if (!v)
		return false;
	long l;
	if (integer ? ynode_long(v, &l) == 0 : ynode_double(v, out) == 0) {
		if (integer)
			*out = (double)l;
		return true;
	}
	ERR(L, v, "'%s' must be %s, not '%s'", key, integer ? "an integer" : "a number",
	    v->kind == YNODE_SCALAR ? v->str : ynode_kind_name(v));
	return false;
}

/* Whether text is a valid value of the parameter; sets *why when not. */
static bool param_accepts(const struct demo_param *p, const char *text, const char **why)
{
	char *end;
	double v;
	switch (p->type) {
	case PARAM_INT:
	case PARAM_FLOAT:
		errno = 0;
		if (p->type == PARAM_INT) {
			long l = strtol(text, &end, 10);
			v = (double)l;
		} else {
			v = strtod(text, &end);
		}
		if (errno || end == text || *end) {
			*why = p->type == PARAM_INT ? "not an integer" : "not a number";
			return false;
		}
		if ((p->has_min && v < p->min) || (p->has_max && v > p->max)) {
			*why = "out of range";
			return false;
		}
		return true;
	case PARAM_ENUM:
		for (size_t i = 0; i < p->values.n; i++)
			if (strcmp(p->values.v[i], text) == 0)
				return true;
		*why = "not one of the values";
		return false;
	case PARAM_FLAG:
		if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0)
			return true;
		*why = "a flag is true or false";
		return false;
	}
	return false;
}

static void load_param(struct loader *L, struct demo *dm, const struct ynode *n)
{
	if (!want_map(L, n, "a demo parameter"))
		return;
	check_keys(L, n, param_keys, ARRAY_SIZE(param_keys), "a demo parameter");
	struct demo_param *p = &dm->params[dm->nparams];
	memset(p, 0, sizeof *p);
	p->pos = pos_of(n);
	p->name = get_id(L, n, "name", true, "a demo parameter");
	p->help = get_text(L, n, "help", false, "a demo parameter");
	const char *type = get_str(L, n, "type", true, "a demo parameter");
	if (!p->name || !type)
		return;
	int t = -1;
	for (int i = 0; i < 4; i++)
		if (strcmp(type, param_types[i]) == 0)
			t = i;
	if (t < 0) {
		ERR(L, ynode_get(n, "type"), "unknown parameter type '%s' (one of int, float, enum, flag)", type);
		return;
	}
	p->type = (enum param_type)t;
	if (strcmp(p->name, "json") == 0 || strcmp(p->name, "help") == 0) {
		ERR(L, ynode_get(n, "name"), "parameter name '%s' is reserved", p->name);
		return;
	}
	if (p->type == PARAM_INT || p->type == PARAM_FLOAT) {
		bool integer = p->type == PARAM_INT;
		p->has_min = get_number(L, n, "min", integer, &p->min);
		p->has_max = get_number(L, n, "max", integer, &p->max);
		if (p->has_min && p->has_max && p->min > p->max)
			ERR(L, ynode_get(n, "min"), "min is greater than max");
	} else {
		if (ynode_get(n, "min"))
			ERR(L, ynode_get(n, "min"), "'min' applies only to int and float parameters");
		if (ynode_get(n, "max"))
			ERR(L, ynode_get(n, "max"), "'max' applies only to int and float parameters");
	}
	if (p->type == PARAM_ENUM) {
		get_list(L, n, "values", false, false, &p->values);
		if (p->values.n == 0)
			ERR(L, n, "an enum parameter needs 'values'");
	} else if (ynode_get(n, "values")) {
		ERR(L, ynode_get(n, "values"), "'values' applies only to enum parameters");
	}
	p->def = get_str(L, n, "default", false, "a demo parameter");
	const char *why;
	if (p->def && !(p->type == PARAM_ENUM && p->values.n == 0) && !param_accepts(p, p->def, &why))
		ERR(L, ynode_get(n, "default"), "default '%s' of '%s' is %s", p->def, p->name, why);
	dm->nparams++;
}

static void load_predict(struct loader *L, struct demo *dm, const struct ynode *n)
{
	if (!want_map(L, n, "a predict question"))
		return;
	check_keys(L, n, predict_keys, ARRAY_SIZE(predict_keys), "a predict question");
	struct demo_predict *pr = &dm->predict[dm->npredict++];
	memset(pr, 0, sizeof *pr);
	pr->pos = pos_of(n);
	pr->id = get_id(L, n, "id", true, "a predict question");
	pr->prompt = get_text(L, n, "prompt", true, "a predict question");
	pr->figure = get_text(L, n, "figure", true, "a predict question");
	const struct ynode *run = ynode_get(n, "run");
	if (run && want_map(L, run, "'run'")) {
		pr->run_keys = xcalloc(run->n / 2 + 1, sizeof *pr->run_keys);
		pr->run_values = xcalloc(run->n / 2 + 1, sizeof *pr->run_values);
		for (size_t i = 0; i + 1 < run->n; i += 2) {
			const struct ynode *k = run->items[i], *v = run->items[i + 1];
			if (k->kind != YNODE_SCALAR || v->kind != YNODE_SCALAR) {
				ERR(L, v, "'run' holds parameter names and scalar values");
				continue;
			}
			const struct demo_param *p = NULL;
			for (size_t j = 0; j < dm->nparams; j++)
				if (dm->params[j].name && strcmp(dm->params[j].name, k->str) == 0)
					p = &dm->params[j];
			const char *why;
			if (!p)
				ERR(L, k, "unknown parameter '%s' of demo '%s'", k->str, dm->id ? dm->id : "?");
			else if (!param_accepts(p, v->str, &why))
				ERR(L, v, "value '%s' of '%s' is %s", v->str, k->str, why);
			pr->run_keys[pr->nrun] = k->str;
			pr->run_values[pr->nrun++] = v->str;
		}
	}
	const struct ynode *ch = get_seq(L, n, "choices", true, "a predict question");
	if (ch && ch->n < 2)
		ERR(L, ch, "a predict question needs at least 2 choices");
	if (ch && ch->n) {
		pr->choices = xcalloc(ch->n, sizeof *pr->choices);
		for (size_t i = 0; i < ch->n; i++) {
			const struct ynode *c = ch->items[i];
			if (!want_map(L, c, "a predict choice"))
				continue;
			check_keys(L, c, pchoice_keys, ARRAY_SIZE(pchoice_keys), "a predict choice");
			struct predict_choice *pc = &pr->choices[pr->nchoices++];
			pc->text = get_text(L, c, "text", true, "a predict choice");
			pc->has_min = get_number(L, c, "min", false, &pc->min);
			pc->has_max = get_number(L, c, "max", false, &pc->max);
			if (!pc->has_min && !pc->has_max)
				ERR(L, c, "a predict choice needs 'min' or 'max'");
			else if (pc->has_min && pc->has_max && pc->min > pc->max)
				ERR(L, c, "min is greater than max");
		}
	}
}

static void load_demos(struct loader *L, const struct ynode *root, bool reference)
{
	if (!root)
		return;
	if (root->kind != YNODE_SEQ) {
		ERR(L, root, "a demo manifest must be a list of demos, not %s", ynode_kind_name(root));
		return;
	}
	for (size_t i = 0; i < root->n; i++) {
		const struct ynode *n = root->items[i];
		if (!want_map(L, n, "a demo"))
			continue;
		check_keys(L, n, demo_keys, ARRAY_SIZE(demo_keys), "a demo");
		struct demo *dm = xcalloc(1, sizeof *dm);
		dm->reference = reference;
		dm->pos = pos_of(n);
		dm->id = get_id(L, n, "id", true, "a demo");
		dm->title = get_text(L, n, "title", true, "a demo");
		dm->summary = get_text(L, n, "summary", true, "a demo");
		dm->binary = get_text(L, n, "binary", true, "a demo");
		if (dm->binary && strchr(dm->binary, '/')) {
			ERR(L, ynode_get(n, "binary"), "binary '%s' must be a file name, not a path", dm->binary);
			dm->binary = NULL;
		}
		dm->watch = get_text(L, n, "watch", false, "a demo");
		get_list(L, n, "topics", true, false, &dm->topics);
		const struct ynode *ps = get_seq(L, n, "params", false, "a demo");
		if (ps && ps->n) {
			dm->params = xcalloc(ps->n, sizeof *dm->params);
			for (size_t j = 0; j < ps->n; j++)
				load_param(L, dm, ps->items[j]);
			for (size_t j = 1; j < dm->nparams; j++)
				for (size_t k = 0; k < j; k++)
					if (dm->params[j].name && dm->params[k].name &&
					    strcmp(dm->params[j].name, dm->params[k].name) == 0)
						diag_add(L->d, dm->params[j].pos.file, dm->params[j].pos.line,
						         dm->params[j].pos.col, "duplicate parameter '%s'", dm->params[j].name);
		}
		const struct ynode *pr = get_seq(L, n, "predict", false, "a demo");
		if (pr && pr->n) {
			dm->predict = xcalloc(pr->n, sizeof *dm->predict);
			for (size_t j = 0; j < pr->n; j++)
				load_predict(L, dm, pr->items[j]);
		}
		GROW(L->c->demos, L->c->capdemos, L->c->ndemos + 1);
		L->c->demos[L->c->ndemos++] = dm;
	}
}

static void demo_free(struct demo *dm)
{
	for (size_t i = 0; i < dm->nparams; i++)
		strlist_release(&dm->params[i].values);
	free(dm->params);
	for (size_t i = 0; i < dm->npredict; i++) {
		free(dm->predict[i].run_keys);
		free(dm->predict[i].run_values);
		free(dm->predict[i].choices);
	}
	free(dm->predict);
	strlist_release(&dm->topics);
	free(dm);
}

/* ---- terms ---- */

enum kind { KIND_LESSON, KIND_QUIZ, KIND_DEMOS, KIND_TERMS, KIND_UNKNOWN };

static const char *const terms_keys[] = {"terms"};

static size_t file_key(const struct stat *st, unsigned long long id[2])
{
	id[0] = st->st_dev;
	id[1] = st->st_ino;
	return 2 * sizeof *id;
}

/* A terms file: one key, terms, mapping names to lists of entries. */
static void load_terms(struct loader *L, const struct ynode *root, const struct stat *st)
{
	if (!want_map(L, root, "a terms file"))
		return;
	check_keys(L, root, terms_keys, ARRAY_SIZE(terms_keys), "a terms file");
	struct terms *t = terms_new();
	GROW(L->c->vocabs, L->c->capvocabs, L->c->nvocabs + 1);
	L->c->vocabs[L->c->nvocabs] = (struct vocab){t, L->reference, L->cached};
	unsigned long long id[2];
	hmap_add(&L->c->term_files, id, file_key(st, id), L->c->nvocabs++);
	const struct ynode *map = ynode_get(root, "terms");
	if (!map) {
		ERR(L, root, "missing required key 'terms' in a terms file");
		return;
	}
	if (!want_map(L, map, "'terms'"))
		return;
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *k = map->items[i], *v = map->items[i + 1];
		if (k->kind != YNODE_SCALAR || !is_id(k->str)) {
			ERR(L, k, "invalid term name '%s': use only a-z, 0-9 and '-'", k->kind == YNODE_SCALAR ? k->str : "");
			continue;
		}
		if (v->kind != YNODE_SEQ || v->n == 0) {
			ERR(L, v, "term '%s' must be a list of phrases, not %s", k->str,
			    v->kind == YNODE_SEQ ? "an empty list" : ynode_kind_name(v));
			continue;
		}
		for (size_t j = 0; j < v->n; j++) {
			const struct ynode *e = v->items[j];
			if (e->kind != YNODE_SCALAR || blank(e->str)) {
				ERR(L, e, "entries of term '%s' must be phrases, not %s", k->str,
				    e->kind == YNODE_SCALAR ? "an empty string" : ynode_kind_name(e));
				continue;
			}
			terms_add(t, k->str, e->str, e->file, e->line, e->col);
		}
	}
}

static int load_file(struct catalog *c, const char *path, int want, bool reference, struct terms *terms,
                     struct diag *d);

/* The vocabulary of the terms file at path, loading it once; NULL when
 * there is none (or it does not load). */
static struct terms *root_terms(struct catalog *c, const char *path, bool reference, struct diag *d)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return NULL;
	unsigned long long id[2];
	size_t i = hmap_get(&c->term_files, id, file_key(&st, id));
	if (i != HMAP_NONE)
		return c->vocabs[i].terms;
	size_t before = c->nvocabs;
	load_file(c, path, KIND_TERMS, reference, NULL, d);
	return c->nvocabs > before ? c->vocabs[before].terms : NULL;
}

/* ---- files and roots ---- */

static enum kind kind_of(const char *path, const struct ynode *root)
{
	char buf[PATH_MAX];
	snprintf(buf, sizeof buf, "%s", path);
	char *slash = strrchr(buf, '/');
	if (strcmp(slash ? slash + 1 : buf, "terms.yaml") == 0)
		return KIND_TERMS;
	if (slash) {
		*slash = '\0';
		const char *dir = strrchr(buf, '/');
		dir = dir ? dir + 1 : buf;
		if (strcmp(dir, "lessons") == 0)
			return KIND_LESSON;
		if (strcmp(dir, "quizzes") == 0)
			return KIND_QUIZ;
		if (strcmp(dir, "demos") == 0)
			return KIND_DEMOS;
	}
	if (!root)
		return KIND_UNKNOWN;
	if (root->kind == YNODE_SEQ)
		return KIND_DEMOS;
	if (ynode_get(root, "topic") || ynode_get(root, "questions"))
		return KIND_QUIZ;
	if (ynode_get(root, "terms"))
		return KIND_TERMS;
	if (ynode_get(root, "sections") || ynode_get(root, "id"))
		return KIND_LESSON;
	return KIND_UNKNOWN;
}

/* Whether the file at path was loaded already; st receives its status
 * (st_mode 0 when stat fails). */
static bool seen_path(struct catalog *c, const char *path, struct stat *st)
{
	if (stat(path, st) < 0) {
		st->st_mode = 0;
		return false;   /* loading it reports why */
	}
	unsigned long long id[2] = {st->st_dev, st->st_ino};
	return hmap_add(&c->files, id, sizeof id, 0) != HMAP_NONE;
}

static int load_file(struct catalog *c, const char *path, int want, bool reference, struct terms *terms,
                     struct diag *d)
{
	struct stat st;
	if (seen_path(c, path, &st))
		return 0;
	struct loader L = {c, reference ? &c->scratch : d, false, reference, terms};
	size_t before = L.d->n;
	GROW(c->docs, c->capdocs, c->ndocs + 1);
	struct ydoc *doc = &c->docs[c->ndocs];
	bool cache = c->cache && !reference && S_ISREG(st.st_mode);
	L.cached = cache && ycache_get(c->cache, path, &st, doc);
	if (!L.cached && ydoc_load_file(doc, path, L.d) < 0)
		return -1;
	c->ndocs++;
	const struct ynode *root = doc->root;
	enum kind k = want >= 0 ? (enum kind)want : kind_of(path, root);
	if (!root) {
		if (k != KIND_DEMOS)
			diag_add(L.d, doc->file, 1, 1, "empty file");
		return L.d->n > before ? -1 : 0;
	}
	switch (k) {
	case KIND_LESSON:
		load_lesson(&L, root, doc->file, reference);
		break;
	case KIND_QUIZ:
		load_quiz(&L, root, reference);
		break;
	case KIND_DEMOS:
		load_demos(&L, root, reference);
		break;
	case KIND_TERMS:
		load_terms(&L, root, &st);
		break;
	case KIND_UNKNOWN:
		diag_add(L.d, doc->file, 1, 1, "not a lesson, quiz or demo manifest (put it under lessons/, quizzes/ or demos/)");
		break;
	}
	/* Only a tree that loaded cleanly is cached (see L.cached). */
	if (cache && !L.cached && L.d->n == before)
		ycache_put(c->cache, &st, doc);
	/* The typed catalog borrows strings and positions, never nodes: the
	 * tree's memory goes back for the next file. */
	ydoc_drop_tree(doc);
	return L.d->n > before ? -1 : 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_dir(struct catalog *c, const char *root, const char *sub, enum kind k,
                    bool reference, struct terms *terms, struct diag *d)
{
	char *dir = xasprintf("%s/%s", root, sub);
	DIR *dp = opendir(dir);
	int rc = 0;
	if (!dp) {
		if (errno != ENOENT) {
			diag_add(reference ? &c->scratch : d, dir, 1, 1, "cannot read directory: %s", strerror(errno));
			rc = -1;
		}
		free(dir);
		return rc;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(dp))) {
		if (de->d_name[0] == '.' || !str_ends(de->d_name, ".yaml"))
			continue;
		GROW(names, cap, n + 1);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(dp);
	/* Sorted, so errors and listings do not depend on directory order. */
	if (n > 1)
		qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		if (load_file(c, path, (int)k, reference, terms, d) < 0)
			rc = -1;
		free(path);
		free(names[i]);
	}
	free(names);
	free(dir);
	return rc;
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

void catalog_skip_grading(struct catalog *c, bool skip)
{
	c->skip_grading = skip;
}

void catalog_use_verified(struct catalog *c, const char *path)
{
	free(c->verified_path);
	c->verified_path = path ? xstrdup(path) : NULL;
}

void catalog_use_cache(struct catalog *c, const char *path)
{
	ycache_free(c->cache);
	c->cache = path ? ycache_open(path) : NULL;
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
	free(c->verified_path);
	ycache_free(c->cache);   /* after the docs: it holds cached trees' strings */
	free(c->lessons);
	free(c->quizzes);
	free(c->demos);
	free(c->questions);
	free(c->qindex);
	diag_release(&c->scratch);
	free(c);
}

int catalog_add_root(struct catalog *c, const char *dir, bool reference, struct diag *d)
{
	struct stat st;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		diag_add(d, dir, 1, 1, "not a content directory: %s", stat(dir, &st) < 0 ? strerror(errno) : "not a directory");
		return -1;
	}
	/* A folder with neither is a wrong path (check /etc), not empty content. */
	char *lessons = xasprintf("%s/lessons", dir), *quizzes = xasprintf("%s/quizzes", dir);
	bool none = stat(lessons, &st) < 0 && errno == ENOENT && stat(quizzes, &st) < 0 && errno == ENOENT;
	free(lessons);
	free(quizzes);
	if (none) {
		diag_add(d, dir, 1, 1, "not a content directory: no lessons/ or quizzes/ folder in it");
		return -1;
	}
	int rc = 0;
	char *tpath = xasprintf("%s/terms.yaml", dir);
	size_t errors = (reference ? &c->scratch : d)->n;
	struct terms *terms = access(tpath, F_OK) == 0 ? root_terms(c, tpath, reference, d) : NULL;
	free(tpath);
	if ((reference ? &c->scratch : d)->n > errors)
		rc = -1;
	if (!c->base_set) {
		c->base = terms;   /* the shared vocabulary */
		c->base_set = true;
	}
	rc |= load_dir(c, dir, "lessons", KIND_LESSON, reference, terms, d);
	rc |= load_dir(c, dir, "quizzes", KIND_QUIZ, reference, terms, d);
	char *manifest = xasprintf("%s/demos/demos.yaml", dir);
	if (access(manifest, F_OK) == 0)
		rc |= load_file(c, manifest, KIND_DEMOS, reference, NULL, d);
	free(manifest);
	return rc;
}

int catalog_add_file(struct catalog *c, const char *path, struct diag *d)
{
	/* A quiz's root is the folder above its quizzes/ folder. */
	struct terms *terms = NULL;
	char buf[PATH_MAX];
	snprintf(buf, sizeof buf, "%s", path);
	char *slash = strrchr(buf, '/');
	if (slash) {
		*slash = '\0';
		char *up = strrchr(buf, '/');
		if (strcmp(up ? up + 1 : buf, "quizzes") == 0) {
			if (up)
				snprintf(up + 1, sizeof buf - (size_t)(up + 1 - buf), "terms.yaml");
			else
				snprintf(buf, sizeof buf, "terms.yaml");
			if (access(buf, F_OK) == 0)
				terms = root_terms(c, buf, false, d);
		}
	}
	return load_file(c, path, -1, false, terms, d);
}

/* ---- cross-references ---- */

static const char *suggest(const char *id, const char **cands, size_t n);

static struct diag *sink(struct catalog *c, bool reference, struct diag *d)
{
	return reference ? &c->scratch : d;
}

#define PERR(dg, p, ...) diag_add((dg), (p).file, (p).line, (p).col, __VA_ARGS__)

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

static size_t lesson_index(const struct catalog *c, const char *id)
{
	return hmap_get(&c->lesson_ids, id, strlen(id));
}

/* Grades text (the model answer or an example, named by what) for check:
 * sets hits[] and *found, and returns false when a pattern hit the regex
 * limits on it, which a learner's answer like it would too. That is
 * reported at the pattern, once per pattern (reported[] holds a flag for
 * each point's pattern and one for its reject pattern). */
static bool check_grade(struct diag *dg, const struct question *q, const char *text, const char *what,
                        bool *hits, bool *reported, size_t *found)
{
	bool limit = false;
	*found = 0;
	struct answer a;
	answer_prepare(&a, text);   /* content is valid UTF-8 */
	for (size_t i = 0; i < q->nrubric; i++) {
		const struct rubric_point *p = &q->rubric[i];
		enum grade_point g = grade_point_in(p, &a);
		hits[i] = g == GRADE_FOUND;
		*found += hits[i];
		if (g != GRADE_LIMIT && g != GRADE_REJECT_LIMIT)
			continue;
		limit = true;
		bool reject = g == GRADE_REJECT_LIMIT;
		if (reported[2 * i + reject])
			continue;
		reported[2 * i + reject] = true;
		PERR(dg, reject ? p->reject_pos : p->says ? p->says_pos : p->pattern ? p->pattern_pos : p->code_pos,
		     "%s hits the regex match limits on %s: an answer like it cannot be graded (simplify the pattern)",
		     reject ? "reject" : p->says ? "says" : p->pattern ? "pattern" : "code", what);
	}
	answer_release(&a);
	return !limit;
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
			size_t j = lesson_index(c, ls->requires.v[r]);
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

static void check_text_question(struct diag *dg, const struct question *q)
{
	if (q->nrubric == 0)
		return;
	for (size_t i = 0; i < q->nrubric; i++)
		if (q->rubric[i].broken)
			return; /* already reported: a pattern that does not compile */
	bool *hits = xcalloc(q->nrubric, sizeof *hits);
	bool *reported = xcalloc(2 * q->nrubric, sizeof *reported);
	size_t got;
	if (q->model_answer && check_grade(dg, q, q->model_answer, "the model answer", hits, reported, &got) &&
	    got < q->pass) {
		struct buf missed;
		buf_init(&missed);
		for (size_t i = 0; i < q->nrubric; i++)
			if (!hits[i])
				buf_printf(&missed, "%s'%s'", missed.len ? ", " : "", q->rubric[i].point);
		PERR(dg, q->model_pos, "model answer fails its own rubric (%zu/%zu points, %zu needed; missed %s)",
		     got, q->nrubric, q->pass, missed.data);
		buf_release(&missed);
	}
	for (int want = 1; want >= 0; want--) {
		const struct strlist *l = want ? &q->ex_pass : &q->ex_fail;
		for (size_t i = 0; i < l->n; i++) {
			char what[64];
			snprintf(what, sizeof what, "the '%s' example at line %d", want ? "pass" : "fail", l->pos[i].line);
			if (!check_grade(dg, q, l->v[i], what, hits, reported, &got) || (got >= q->pass) == (bool)want)
				continue;
			PERR(dg, l->pos[i], "rubric example should %s but %s (%zu/%zu points, %zu needed)",
			     want ? "pass" : "fail", want ? "fails" : "passes", got, q->nrubric, q->pass);
		}
	}
	free(reported);
	free(hits);
}

static void compile_point(struct diag *dg, struct rubric_point *p);

/* The key of all that decides check_text_question's outcome. */
static struct ycheck_key text_check_key(const struct question *q)
{
	struct ycheck_key k = {{0, 0}};
	ycheck_key_add(&k, &q->pass, sizeof q->pass);
	ycheck_key_add(&k, &q->nrubric, sizeof q->nrubric);
	for (size_t i = 0; i < q->nrubric; i++) {
		const struct rubric_point *p = &q->rubric[i];
		const char *raw[] = {p->point, p->pattern, p->reject, p->says, p->about, p->not_about, p->code};
		for (size_t r = 0; r < sizeof raw / sizeof *raw; r++)
			ycheck_key_str(&k, raw[r]);
		for (int r = 0; r < RUBRIC_CODE; r++) {
			ycheck_key_str(&k, p->expanded[r]);
			ycheck_key_add(&k, &p->negative[r], sizeof p->negative[r]);
		}
	}
	ycheck_key_str(&k, q->model_answer);
	const struct strlist *ls[2] = {&q->ex_pass, &q->ex_fail};
	for (int l = 0; l < 2; l++) {
		ycheck_key_add(&k, &ls[l]->n, sizeof ls[l]->n);
		for (size_t i = 0; i < ls[l]->n; i++)
			ycheck_key_str(&k, ls[l]->v[i]);
	}
	return k;
}

/* check_text_question, skipped when the verified set says that exactly
 * this question passed it before; the patterns of a verified set's catalog
 * are compiled here, only for the questions checked. */
static void check_text_question_once(struct yverified *verified, struct diag *dg, struct question *q)
{
	if (!verified) {
		check_text_question(dg, q);
		return;
	}
	struct ycheck_key k = text_check_key(q);
	if (yverified_has(verified, &k))
		return;
	size_t before = dg->n;
	bool broken = false;
	for (size_t i = 0; i < q->nrubric; i++) {
		struct rubric_point *p = &q->rubric[i];
		if (!p->compiled && !p->broken)
			compile_point(dg, p);
		broken |= p->broken;
	}
	check_text_question(dg, q);
	if (dg->n == before && !broken)
		yverified_add(verified, &k);
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

/* Every 'section' of a rubric point names a section of a lesson. */
static void check_point_sections(struct catalog *c, struct diag *dg, const struct question *q)
{
	for (size_t i = 0; i < q->nrubric; i++) {
		const struct rubric_point *p = &q->rubric[i];
		if (!p->section)
			continue;
		const char *id;
		const struct lesson *ls = ref_lesson(c, q, p->section, &id);
		if (!ls) {
			if (strchr(p->section, '/')) {
				char *topic = xstrndup(p->section, (size_t)(id - 1 - p->section));
				char sug[128];
				suggest_suffix(sug, sizeof sug, catalog_suggest_topic(c, topic));
				PERR(dg, p->section_pos, "unknown topic '%s' in section '%s'%s", topic, p->section, sug);
				free(topic);
			}
			continue;
		}
		if (catalog_section_index(ls, id) >= 0)
			continue;
		const char **ids = xcalloc(ls->nsections + 1, sizeof *ids);
		size_t n = 0;
		for (size_t k = 0; k < ls->nsections; k++)
			if (ls->sections[k].id)
				ids[n++] = ls->sections[k].id;
		char sug[128];
		suggest_suffix(sug, sizeof sug, suggest(id, ids, n));
		free(ids);
		PERR(dg, p->section_pos, "no section '%s' in lesson '%s'%s", id, ls->id, sug);
	}
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
		o = strcmp(x->ls->pos.file, y->ls->pos.file);
	return o ? o : (x->i > y->i) - (x->i < y->i);
}

/* Duplicate topics: each reported at the later one in file order, against
 * the first. Sorting by id finds them in O(n log n). */
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

/* Adds q to the index; returns the question already there with its id, or
 * NULL. */
static const struct question *qindex_add(struct catalog *c, const struct question *q)
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

/* The number of code points in s[0..n), for a column. */
static int codepoints(const char *s, size_t n)
{
	int k = 0;
	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xc0) != 0x80;
	return k;
}

static const char *const language_keys[RUBRIC_CODE] = {"says", "reject", "about", "not_about"};

/* Compiles the expanded patterns of a point, reporting each that does not
 * compile at its key. */
static void compile_point(struct diag *dg, struct rubric_point *p)
{
	const char *srcs[RUBRIC_CODE] = {p->says, p->reject, p->about, p->not_about};
	const struct pos poss[RUBRIC_CODE] = {p->says_pos, p->reject_pos, p->about_pos, p->not_about_pos};
	for (int r = 0; r < RUBRIC_CODE; r++) {
		const char *x = p->expanded[r];
		if (!x)
			continue;
		char *err = NULL;
		size_t off = 0;
		struct regex **slot = role_slot(p, (enum rubric_role)r);
		*slot = regex_compile(x, REGEX_CASELESS | REGEX_VALID_UTF8, &err, &off);
		if (*slot)
			continue;
		free(err);
		err = NULL;
		p->broken = true;
		char *skel = terms_skeleton(srcs[r]);
		struct regex *re = regex_compile(skel, REGEX_CASELESS | REGEX_VALID_UTF8, &err, &off);
		if (re) {
			regex_free(re);
			free(err);
			err = NULL;
			regex_compile(x, REGEX_CASELESS | REGEX_VALID_UTF8, &err, &off);
			PERR(dg, poss[r], "%s does not compile once its terms are expanded: %s", language_keys[r], err);
		} else {
			PERR(dg, poss[r], "%s does not compile: %s at offset %zu", language_keys[r], err, off);
		}
		free(err);
		free(skel);
	}
	p->compiled = true;
}

/* Expands the terms of a pending point and, unless its file came from the
 * cache or `check` compiles it only when its question is checked (a
 * verified set), compiles its patterns. */
static void link_point(struct catalog *c, struct diag *dg, const struct pending_point *pp)
{
	struct rubric_point *p = pp->p;
	const char *srcs[RUBRIC_CODE] = {p->says, p->reject, p->about, p->not_about};
	const struct pos poss[RUBRIC_CODE] = {p->says_pos, p->reject_pos, p->about_pos, p->not_about_pos};
	struct terms *t = pp->terms ? pp->terms : c->base;
	if (pp->cached && c->vocabs_cached) {
		/* Clean when it was cached, against the same vocabulary:
		 * expanded on first use. */
		p->terms = t;
		return;
	}
	for (int r = 0; r < RUBRIC_CODE; r++) {
		if (!srcs[r])
			continue;
		size_t bad = 0;
		char *x = terms_expand(t, srcs[r], &bad);
		if (!x) {
			size_t len = 0;
			while (srcs[r][bad + 1 + len] && strchr("abcdefghijklmnopqrstuvwxyz0123456789-", srcs[r][bad + 1 + len]))
				len++;
			while (len && srcs[r][bad + len] == '-')
				len--;
			int col = poss[r].col + (pp->exact[r] ? !pp->plain[r] + codepoints(srcs[r], bad) : 0);
			diag_add(dg, poss[r].file, poss[r].line, col, "unknown term '@%.*s' in '%s'", (int)len,
			         srcs[r] + bad + 1, language_keys[r]);
			p->broken = true;
			continue;
		}
		p->expanded[r] = x;
	}
	if (!pp->cached && !(c->verified_path && !c->skip_grading))
		compile_point(dg, p);
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

int catalog_link(struct catalog *c, struct diag *d)
{
	ydoc_trim();   /* every file is loaded: the trees' spare memory goes back */
	size_t before = d->n;
	link_terms(c, d);
	drop_shadowed(c);
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

	c->nquestions = 0;
	free(c->qindex);
	c->qindex = NULL;
	c->qslots = 0;
	/* Each rubric pattern is matched here only against its own examples. */
	regex_defer_jit(true);
	struct yverified *verified = c->verified_path && !c->skip_grading ? yverified_open(c->verified_path) : NULL;
	for (size_t i = 0; i < c->nquizzes; i++) {
		struct quiz *qz = c->quizzes[i];
		bool reference = qz->reference;
		if (qz->topic) {
			struct lesson *ls = catalog_lesson(c, qz->topic);
			if (!ls) {
				char sug[128];
				suggest_suffix(sug, sizeof sug, catalog_suggest_topic(c, qz->topic));
				PERR(sink(c, reference, d), qz->pos, "quiz topic '%s' has no lesson%s", qz->topic, sug);
			} else if (ls->quiz) {
				PERR(sink(c, reference, d), qz->pos, "a second quiz for topic '%s' (the first is %s)", qz->topic, diag_relpath(ls->quiz->pos.file));
			} else {
				ls->quiz = qz;
				qz->lesson = ls;
			}
		}
		struct diag *dg = sink(c, reference, d);
		for (size_t k = 0; k < qz->n; k++) {
			struct question *q = &qz->questions[k];
			if (q->type == Q_TEXT && !c->skip_grading)
				check_text_question_once(verified, dg, q);
			if (q->type == Q_TEXT)
				check_point_sections(c, dg, q);
			if (!q->id)
				continue;
			const struct question *prev = qindex_add(c, q);
			if (prev)
				PERR(dg, q->pos, "duplicate question id '%s' (first at %s:%d:%d)", q->id,
				     diag_relpath(prev->pos.file), prev->pos.line, prev->pos.col);
			else {
				GROW(c->questions, c->capquestions, c->nquestions + 1);
				c->questions[c->nquestions++] = q;
			}
		}
	}
	regex_defer_jit(false);
	yverified_save(verified);
	yverified_free(verified);
	if (c->cache && d->n == 0)
		ycache_save(c->cache);
	return d->n > before ? -1 : 0;
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
	size_t i = lesson_index(c, id);
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

static const char *suggest(const char *id, const char **cands, size_t n)
{
	const char *best = closest(id, cands, n);
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
	const char *s = suggest(id, ids, n);
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
	const char *s = suggest(id, ids, n);
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
