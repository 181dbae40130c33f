/*
 * catalog_load: content files into typed structs. Every mapping kind
 * (lesson, section, code example, quiz, question, rubric point, examples,
 * demo, parameter, predict question, predict choice, terms file) has one
 * sorted table of its keys: the key's spelling, how its value is read,
 * the field it fills (offsetof), whether it is required and, for a
 * question, which types allow and need it. The table alone decides which
 * keys are known; a key outside it is reported with the closest known one.
 * Checks that span keys (a choice index against the choices, min against
 * max) stay in code, which names keys by their table index.
 *
 * It does not expand @terms or cross-check references: catalog_link does.
 */
#include "catalog_internal.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "answer.h"
#include "regex.h"
#include "terms.h"
#include "ycache.h"

#define ERR(L, node, ...) diag_add((L)->d, (node)->file, (node)->line, (node)->col, __VA_ARGS__)
#define ERR_AT(L, p, ...) diag_add((L)->d, (p).file, (p).line, (p).col, __VA_ARGS__)

/* ---- key tables ---- */

/* How a key's value is read, and what the field it fills holds. */
enum key_type {
	KEY_STR,      /* any scalar: const char * */
	KEY_TEXT,     /* a scalar that says something (not blank): const char * */
	KEY_ID,       /* [a-z0-9-]+: const char * */
	KEY_PYTHON,   /* a version requirement such as '>=3.12': const char * */
	KEY_IDS,      /* a list of ids: struct strlist */
	KEY_LIST,     /* a list of non-blank strings: struct strlist */
	KEY_LIST1,    /* the same, or one string: struct strlist */
	KEY_SEQ,      /* a list the loader walks: no field */
	KEY_MAP,      /* a mapping the loader reads: no field */
	KEY_NODE,     /* any value, judged by the loader: no field */
};

#define NO_FIELD ((size_t)-1)
#define FIELD(type, member) offsetof(type, member)
#define ALL_VARIANTS (~0u)
/* A key table entry: name, type, field, position field, then any of
 * .only, .need and .later (every member named, so none is left implicit). */
#define KEY(name_, type_, off_, pos_, ...) \
	{.name = (name_), .type = (type_), .off = (off_), .pos = (pos_), __VA_ARGS__}
#define VARIANT(t) (1u << (t))
#define KEYS_MAX 32

struct key {
	const char *name;
	enum key_type type;
	size_t off;          /* the field the value fills, or NO_FIELD */
	size_t pos;          /* the struct pos that gets its position, or NO_FIELD */
	unsigned only;       /* the variants (question types) that allow it; 0: all */
	unsigned need;       /* the variants that require it */
	bool later;          /* read by the loader (key_read) when it decides,
	                      * not by keys_read; KEY_SEQ, KEY_MAP and KEY_NODE
	                      * always are */
};

/* One mapping being read against its table. */
struct keymap {
	const struct key *keys;
	size_t n;
	const struct ynode *map;
	const char *what;          /* "a lesson": for messages */
	unsigned variant;          /* VARIANT(question type), or VARIANT(0) */
	void *obj;                 /* the struct the fields belong to */
	const struct ynode *v[KEYS_MAX];   /* each key's value, or NULL */
};

#ifndef NDEBUG
/* key_find's binary search needs it; every debug build's tests check it. */
static bool keys_sorted(const struct key *keys, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (strcmp(keys[i - 1].name, keys[i].name) >= 0)
			return false;
	return n <= KEYS_MAX;
}
#endif

static const struct key *key_find(const struct key *keys, size_t n, const char *name)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		/* Most steps are decided by the first byte: no call for them. */
		int o = (unsigned char)name[0] - (unsigned char)keys[mid].name[0];
		if (!o)
			o = strcmp(name, keys[mid].name);
		if (!o)
			return &keys[mid];
		if (o < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static bool key_allowed(const struct keymap *m, const struct key *k)
{
	return !k->only || (k->only & m->variant);
}

/* Starts reading map against a table: finds each key's value. */
static void keys_begin(struct keymap *m, const struct key *keys, size_t n, const struct ynode *map,
                       const char *what, unsigned variant, void *obj)
{
	assert(keys_sorted(keys, n));
	m->keys = keys;
	m->n = n;
	m->map = map;
	m->what = what;
	m->variant = variant;
	m->obj = obj;
	memset(m->v, 0, sizeof m->v);
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *k = map->items[i];
		const struct key *e = k->kind == YNODE_SCALAR ? key_find(keys, n, k->str) : NULL;
		if (e && !m->v[e - keys])
			m->v[e - keys] = map->items[i + 1];
	}
}

/* Reports every key of the map its table does not allow: the closest
 * allowed key is suggested, looking at the keys every variant allows
 * before those of the variant's own. */
static void keys_check(struct loader *L, const struct keymap *m)
{
	/* Each value found belongs to a distinct key of the map: when the map
	 * has no more keys than allowed ones were found, every key is known. */
	size_t known = 0;
	for (size_t i = 0; i < m->n; i++)
		known += m->v[i] && key_allowed(m, &m->keys[i]);
	if (2 * known == m->map->n)
		return;
	for (size_t i = 0; i + 1 < m->map->n; i += 2) {
		const struct ynode *k = m->map->items[i];
		if (k->kind != YNODE_SCALAR) {
			ERR(L, k, "a key must be a plain string, not %s", ynode_kind_name(k));
			continue;
		}
		const struct key *e = key_find(m->keys, m->n, k->str);
		if (e && key_allowed(m, e))
			continue;
		const char *allowed[KEYS_MAX];
		size_t na = 0;
		for (int own = 0; own < 2; own++)
			for (size_t j = 0; j < m->n; j++)
				if (!m->keys[j].only == !own && key_allowed(m, &m->keys[j]))
					allowed[na++] = m->keys[j].name;
		const char *near = catalog_closest(k->str, allowed, na);
		if (near)
			ERR(L, k, "unknown key '%s' in %s (did you mean '%s'?)", k->str, m->what, near);
		else
			ERR(L, k, "unknown key '%s' in %s", k->str, m->what);
	}
}

static bool blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
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

/* A scalar value of key k (types KEY_STR to KEY_PYTHON), or NULL after
 * reporting why not. */
static const char *read_scalar(struct loader *L, const struct key *k, const struct ynode *v, const char *what)
{
	if (v->kind != YNODE_SCALAR) {
		ERR(L, v, "'%s' must be a string, not %s", k->name, ynode_kind_name(v));
		return NULL;
	}
	const char *s = v->str;
	switch (k->type) {
	case KEY_TEXT:
		if (blank(s)) {
			ERR(L, v, "empty '%s' in %s", k->name, what);
			return NULL;
		}
		break;
	case KEY_ID:
		if (!is_id(s)) {
			ERR(L, v, "invalid id '%s': use only a-z, 0-9 and '-'", s);
			return NULL;
		}
		break;
	case KEY_PYTHON:
		if (!valid_python_req(s)) {
			ERR(L, v, "invalid python version requirement '%s' (expected like '>=3.12')", s);
			return NULL;
		}
		break;
	default:
		break;
	}
	return s;
}

/* A list of strings (types KEY_IDS to KEY_LIST1): null is an empty list. */
static void read_list(struct loader *L, const struct key *k, const struct ynode *v, struct strlist *out)
{
	bool ids = k->type == KEY_IDS;
	memset(out, 0, sizeof *out);
	if (ynode_is_null(v))
		return;
	if (v->kind == YNODE_SCALAR && k->type == KEY_LIST1) {
		if (blank(v->str)) {
			ERR(L, v, "empty '%s'", k->name);
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
		ERR(L, v, "'%s' must be a list, not %s", k->name, ynode_kind_name(v));
		return;
	}
	out->v = xmalloc((v->n ? v->n : 1) * sizeof *out->v);
	out->pos = xmalloc((v->n ? v->n : 1) * sizeof *out->pos);
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *it = v->items[i];
		if (it->kind != YNODE_SCALAR) {
			ERR(L, it, "items of '%s' must be strings, not %s", k->name, ynode_kind_name(it));
			continue;
		}
		if (ids && !is_id(it->str)) {
			ERR(L, it, "invalid id '%s' in '%s': use only a-z, 0-9 and '-'", it->str, k->name);
			continue;
		}
		if (!ids && blank(it->str)) {
			ERR(L, it, "empty item in '%s'", k->name);
			continue;
		}
		out->pos[out->n] = pos_of(it);
		out->v[out->n++] = it->str;
	}
}

/* Reads key i of m: reports it missing when its variant needs it, else
 * judges its value by its type and fills its field and position. Returns
 * the value's node when it is valid, else NULL. */
static const struct ynode *key_read(struct loader *L, struct keymap *m, size_t i)
{
	const struct key *k = &m->keys[i];
	const struct ynode *v = m->v[i];
	if (!v) {
		if (k->need & m->variant)
			ERR(L, m->map, "missing required key '%s' in %s", k->name, m->what);
		return NULL;
	}
	char *field = k->off == NO_FIELD ? NULL : (char *)m->obj + k->off;
	switch (k->type) {
	case KEY_STR:
	case KEY_TEXT:
	case KEY_ID:
	case KEY_PYTHON: {
		const char *s = read_scalar(L, k, v, m->what);
		if (field)
			*(const char **)field = s;
		if (!s)
			return NULL;
		break;
	}
	case KEY_IDS:
	case KEY_LIST:
	case KEY_LIST1:
		read_list(L, k, v, (struct strlist *)field);
		break;
	case KEY_SEQ:
		if (v->kind != YNODE_SEQ) {
			ERR(L, v, "'%s' must be a list, not %s", k->name, ynode_kind_name(v));
			return NULL;
		}
		break;
	case KEY_MAP:
		if (v->kind != YNODE_MAP) {
			ERR(L, v, "'%s' must be a mapping, not %s", k->name, ynode_kind_name(v));
			return NULL;
		}
		break;
	case KEY_NODE:
		break;
	}
	if (k->pos != NO_FIELD)
		*(struct pos *)((char *)m->obj + k->pos) = pos_of(v);
	return v;
}

/* Reads every allowed key that fills a field and is not left to the loader. */
static void keys_read(struct loader *L, struct keymap *m)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->keys[i].off != NO_FIELD && !m->keys[i].later && key_allowed(m, &m->keys[i]))
			key_read(L, m, i);
}

/* The usual reading of a mapping: its unknown keys, then its fields. */
static void keys_load(struct loader *L, struct keymap *m, const struct key *keys, size_t n,
                      const struct ynode *map, const char *what, void *obj)
{
	keys_begin(m, keys, n, map, what, VARIANT(0), obj);
	keys_check(L, m);
	keys_read(L, m);
}

#define KEYS_LOAD(L, m, table, map, what, obj) keys_load((L), (m), (table), ARRAY_SIZE(table), (map), (what), (obj))

static bool want_map(struct loader *L, const struct ynode *n, const char *what)
{
	if (n && n->kind == YNODE_MAP)
		return true;
	if (n)
		ERR(L, n, "%s must be a mapping, not %s", what, ynode_kind_name(n));
	return false;
}

static void strlist_release(struct strlist *l)
{
	free(l->v);
	free(l->pos);
}

/* ---- lessons ---- */

enum { LK_DEMOS, LK_ID, LK_LEVEL, LK_REQUIRES, LK_SECTIONS, LK_SEE_ALSO, LK_SUMMARY, LK_TITLE, LK_TRACK };
static const struct key lesson_keys[] = {
	[LK_DEMOS] = KEY("demos", KEY_IDS, FIELD(struct lesson, demos), NO_FIELD),
	[LK_ID] = KEY("id", KEY_ID, FIELD(struct lesson, id), NO_FIELD, .need = ALL_VARIANTS),
	[LK_LEVEL] = KEY("level", KEY_STR, FIELD(struct lesson, level), NO_FIELD, .need = ALL_VARIANTS),
	[LK_REQUIRES] = KEY("requires", KEY_IDS, FIELD(struct lesson, requires), NO_FIELD),
	[LK_SECTIONS] = KEY("sections", KEY_SEQ, NO_FIELD, NO_FIELD, .need = ALL_VARIANTS),
	[LK_SEE_ALSO] = KEY("see_also", KEY_IDS, FIELD(struct lesson, see_also), NO_FIELD),
	[LK_SUMMARY] = KEY("summary", KEY_TEXT, FIELD(struct lesson, summary), NO_FIELD, .need = ALL_VARIANTS),
	[LK_TITLE] = KEY("title", KEY_TEXT, FIELD(struct lesson, title), NO_FIELD, .need = ALL_VARIANTS),
	[LK_TRACK] = KEY("track", KEY_ID, FIELD(struct lesson, track), NO_FIELD, .need = ALL_VARIANTS),
};

enum { SK_BODY, SK_CODE, SK_ID, SK_TITLE };
static const struct key section_keys[] = {
	[SK_BODY] = KEY("body", KEY_TEXT, FIELD(struct section, body), NO_FIELD),
	[SK_CODE] = KEY("code", KEY_MAP, NO_FIELD, NO_FIELD),
	/* Optional, so content written before ids existed still loads; the
	 * shipped lessons give every section one (a content test). */
	[SK_ID] = KEY("id", KEY_ID, FIELD(struct section, id), FIELD(struct section, id_pos)),
	[SK_TITLE] = KEY("title", KEY_TEXT, FIELD(struct section, title), NO_FIELD, .need = ALL_VARIANTS),
};

const char *const catalog_needs[] = {
	"authlib", "boto3", "celery", "django", "dotenv", "drf", "fastapi", "httpx",
	"jwt", "mongoengine", "mongomock", "oauthlib", "pydantic", "redis",
};
const size_t catalog_nneeds = sizeof catalog_needs / sizeof catalog_needs[0];

/* Each name of needs is one of catalog_needs, once. */
static void check_needs(struct loader *L, const struct strlist *needs)
{
	for (size_t i = 0; i < needs->n; i++) {
		const char *name = needs->v[i];
		bool known = false;
		for (size_t k = 0; k < catalog_nneeds && !known; k++)
			known = strcmp(name, catalog_needs[k]) == 0;
		const char *near = known ? NULL : catalog_closest(name, catalog_needs, catalog_nneeds);
		if (!known && near)
			ERR_AT(L, needs->pos[i], "unknown need '%s' (did you mean '%s'?)", name, near);
		else if (!known)
			ERR_AT(L, needs->pos[i], "unknown need '%s' (one of: authlib, boto3, celery, django, dotenv, drf, "
			       "fastapi, httpx, jwt, mongoengine, mongomock, oauthlib, pydantic, redis)", name);
		for (size_t k = 0; k < i; k++)
			if (strcmp(needs->v[k], name) == 0) {
				ERR_AT(L, needs->pos[i], "need '%s' is listed twice", name);
				break;
			}
	}
}

enum { CK_LANG, CK_NEEDS, CK_OUTPUT, CK_PYTHON, CK_SOURCE };
static const struct key code_keys[] = {
	[CK_LANG] = KEY("lang", KEY_TEXT, FIELD(struct code_example, lang), NO_FIELD),
	[CK_NEEDS] = KEY("needs", KEY_LIST, FIELD(struct code_example, needs), NO_FIELD),
	[CK_OUTPUT] = KEY("output", KEY_STR, FIELD(struct code_example, output), FIELD(struct code_example, output_pos)),
	[CK_PYTHON] = KEY("python", KEY_PYTHON, FIELD(struct code_example, python), NO_FIELD),
	[CK_SOURCE] = KEY("source", KEY_TEXT, FIELD(struct code_example, source), NO_FIELD, .need = ALL_VARIANTS),
};

static struct code_example *load_code(struct loader *L, const struct ynode *n)
{
	struct code_example *ce = xcalloc(1, sizeof *ce);
	struct keymap m;
	KEYS_LOAD(L, &m, code_keys, n, "a code example", ce);
	ce->pos = pos_of(n);
	if (!ce->lang)
		ce->lang = "python";
	if (ce->output && strcmp(ce->lang, "python") != 0)
		ERR(L, m.v[CK_OUTPUT], "'output' is only checked for python code, not '%s'", ce->lang);
	if (ce->needs.n && strcmp(ce->lang, "python") != 0)
		ERR(L, m.v[CK_NEEDS], "'needs' is only for python code, not '%s'", ce->lang);
	check_needs(L, &ce->needs);
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

static void load_section(struct loader *L, struct lesson *ls, const struct ynode *s)
{
	if (!want_map(L, s, "a section"))
		return;
	struct section *sec = &ls->sections[ls->nsections++];
	struct keymap m;
	KEYS_LOAD(L, &m, section_keys, s, "a section", sec);
	sec->pos = pos_of(s);
	if (sec->id)
		for (size_t j = 0; j + 1 < ls->nsections; j++)
			if (ls->sections[j].id && strcmp(ls->sections[j].id, sec->id) == 0) {
				ERR(L, m.v[SK_ID], "duplicate section id '%s' (first at line %d)", sec->id,
				    ls->sections[j].id_pos.line);
				break;
			}
	const struct ynode *code = key_read(L, &m, SK_CODE);
	if (code)
		sec->code = load_code(L, code);
	if (!m.v[SK_BODY] && !m.v[SK_CODE])
		ERR(L, s, "a section needs 'body' or 'code'");
}

static void load_lesson(struct loader *L, const struct ynode *root, const char *path, bool reference)
{
	if (!want_map(L, root, "a lesson"))
		return;
	struct lesson *ls = xcalloc(1, sizeof *ls);
	struct keymap m;
	KEYS_LOAD(L, &m, lesson_keys, root, "a lesson", ls);
	ls->reference = reference;
	ls->root = L->c->nroots ? L->c->nroots - 1 : 0;
	ls->pos = pos_of(root);
	char stem[256];
	file_stem(path, stem, sizeof stem);
	if (ls->id && strcmp(ls->id, stem) != 0)
		ERR(L, m.v[LK_ID], "lesson id '%s' does not match its file name '%s.yaml'", ls->id, stem);
	if (ls->level && strcmp(ls->level, "core") != 0 && strcmp(ls->level, "extra") != 0) {
		ERR(L, m.v[LK_LEVEL], "level must be 'core' or 'extra', not '%s'", ls->level);
		ls->level = NULL;
	}
	const struct ynode *secs = key_read(L, &m, LK_SECTIONS);
	if (secs && secs->n == 0)
		ERR(L, secs, "a lesson needs at least one section");
	if (secs && secs->n) {
		ls->sections = xcalloc(secs->n, sizeof *ls->sections);
		for (size_t i = 0; i < secs->n; i++)
			load_section(L, ls, secs->items[i]);
	}
	GROW(L->c->lessons, L->c->caplessons, L->c->nlessons + 1);
	L->c->lessons[L->c->nlessons++] = ls;
}

void lesson_free(struct lesson *ls)
{
	for (size_t i = 0; i < ls->nsections; i++) {
		if (ls->sections[i].code)
			strlist_release(&ls->sections[i].code->needs);
		free(ls->sections[i].code);
	}
	free(ls->sections);
	strlist_release(&ls->requires);
	strlist_release(&ls->see_also);
	strlist_release(&ls->demos);
	free(ls);
}

/* ---- quizzes ---- */

enum { ZK_QUESTIONS, ZK_TOPIC };
static const struct key quiz_keys[] = {
	[ZK_QUESTIONS] = KEY("questions", KEY_SEQ, NO_FIELD, NO_FIELD, .need = ALL_VARIANTS),
	[ZK_TOPIC] = KEY("topic", KEY_ID, FIELD(struct quiz, topic), NO_FIELD, .need = ALL_VARIANTS),
};

/* A question's keys: the ones every type allows (no .only), then each
 * type's own. 'type' and 'id' are read first, since without a known type
 * the other keys cannot be judged. */
#define CHOOSE (VARIANT(Q_CHOICE) | VARIANT(Q_MULTI))
#define ANSWERED (CHOOSE | VARIANT(Q_TRUEFALSE) | VARIANT(Q_OUTPUT))
#define PROMPTED (CHOOSE | VARIANT(Q_TRUEFALSE) | VARIANT(Q_ORDER) | VARIANT(Q_OUTPUT) | VARIANT(Q_TEXT) | VARIANT(Q_CODE))
#define ONLY(t) VARIANT(Q_##t)
enum {
	QK_ANSWER, QK_CHOICES, QK_CODE, QK_CONTRAST, QK_EXAMPLES, QK_EXPLAIN, QK_HINT, QK_ID, QK_ITEMS,
	QK_MODEL_ANSWER, QK_NEEDS, QK_PASS, QK_PROMPT, QK_PYTHON, QK_REVISED, QK_REVISED_NOTE, QK_RUBRIC, QK_SEE, QK_SOLUTION,
	QK_STARTER, QK_TAGS, QK_TESTS, QK_TIMEOUT, QK_TYPE, QK_WRONG,
};
static const struct key question_keys[] = {
	[QK_ANSWER] = KEY("answer", KEY_NODE, NO_FIELD, NO_FIELD, .only = ANSWERED, .need = ANSWERED),
	[QK_CHOICES] = KEY("choices", KEY_SEQ, NO_FIELD, NO_FIELD, .only = CHOOSE, .need = CHOOSE),
	[QK_CODE] = KEY("code", KEY_TEXT, FIELD(struct question, code), FIELD(struct question, code_pos),
	             .only = ONLY(OUTPUT), .need = ONLY(OUTPUT)),
	[QK_CONTRAST] = KEY("contrast", KEY_SEQ, NO_FIELD, NO_FIELD, .only = ONLY(TEXT)),
	[QK_EXAMPLES] = KEY("examples", KEY_MAP, NO_FIELD, NO_FIELD, .only = ONLY(TEXT)),
	[QK_EXPLAIN] = KEY("explain", KEY_TEXT, FIELD(struct question, explain), FIELD(struct question, explain_pos)),
	[QK_HINT] = KEY("hint", KEY_LIST1, FIELD(struct question, hints), NO_FIELD),
	[QK_ID] = KEY("id", KEY_ID, FIELD(struct question, id), NO_FIELD, .need = ALL_VARIANTS, .later = true),
	[QK_ITEMS] = KEY("items", KEY_LIST, FIELD(struct question, items), NO_FIELD, .only = ONLY(ORDER), .need = ONLY(ORDER)),
	[QK_MODEL_ANSWER] = KEY("model_answer", KEY_TEXT, FIELD(struct question, model_answer),
	                     FIELD(struct question, model_pos), .only = ONLY(TEXT), .need = ONLY(TEXT)),
	[QK_NEEDS] = KEY("needs", KEY_LIST, FIELD(struct question, needs), NO_FIELD, .only = ONLY(OUTPUT)),
	[QK_PASS] = KEY("pass", KEY_NODE, NO_FIELD, NO_FIELD, .only = ONLY(TEXT)),
	[QK_PROMPT] = KEY("prompt", KEY_TEXT, FIELD(struct question, prompt), NO_FIELD, .only = PROMPTED,
	               .need = PROMPTED & ~ONLY(OUTPUT)),
	/* An output question's is a requirement ('>=3.12'), read as such; a
	 * code question's a minimum version ('3.12'), read by the loader. */
	[QK_PYTHON] = KEY("python", KEY_PYTHON, FIELD(struct question, python), NO_FIELD,
	               .only = ONLY(OUTPUT) | ONLY(CODE), .later = true),
	[QK_REVISED] = KEY("revised", KEY_NODE, NO_FIELD, NO_FIELD),
	[QK_REVISED_NOTE] = KEY("revised_note", KEY_TEXT, FIELD(struct question, revised_note), NO_FIELD, .later = true),
	[QK_RUBRIC] = KEY("rubric", KEY_SEQ, NO_FIELD, NO_FIELD, .only = ONLY(TEXT), .need = ONLY(TEXT)),
	[QK_SEE] = KEY("see", KEY_STR, FIELD(struct question, see), FIELD(struct question, see_pos), .only = ONLY(CODE)),
	[QK_SOLUTION] = KEY("solution", KEY_TEXT, FIELD(struct question, solution), FIELD(struct question, solution_pos),
	                 .only = ONLY(CODE), .need = ONLY(CODE)),
	[QK_STARTER] = KEY("starter", KEY_TEXT, FIELD(struct question, starter), FIELD(struct question, starter_pos),
	                .only = ONLY(CODE), .need = ONLY(CODE)),
	[QK_TAGS] = KEY("tags", KEY_LIST, FIELD(struct question, tags), NO_FIELD),
	[QK_TESTS] = KEY("tests", KEY_SEQ, NO_FIELD, NO_FIELD, .only = ONLY(CODE), .need = ONLY(CODE)),
	[QK_TIMEOUT] = KEY("timeout", KEY_NODE, NO_FIELD, NO_FIELD, .only = ONLY(CODE)),
	[QK_TYPE] = KEY("type", KEY_STR, NO_FIELD, NO_FIELD, .need = ALL_VARIANTS, .later = true),
	[QK_WRONG] = KEY("wrong", KEY_SEQ, NO_FIELD, NO_FIELD, .only = ONLY(CODE)),
};

/* A test of a code question, and a flawed solution with the test it fails. */
enum { TS_CODE, TS_NAME };
static const struct key test_keys[] = {
	[TS_CODE] = KEY("code", KEY_TEXT, FIELD(struct code_test, code), FIELD(struct code_test, code_pos),
	             .need = ALL_VARIANTS),
	[TS_NAME] = KEY("name", KEY_TEXT, FIELD(struct code_test, name), FIELD(struct code_test, name_pos),
	             .need = ALL_VARIANTS),
};
enum { WK_CODE, WK_FAILS, WK_WHY };
static const struct key wrong_keys[] = {
	[WK_CODE] = KEY("code", KEY_TEXT, FIELD(struct code_wrong, code), FIELD(struct code_wrong, code_pos),
	             .need = ALL_VARIANTS),
	[WK_FAILS] = KEY("fails", KEY_TEXT, FIELD(struct code_wrong, fails), FIELD(struct code_wrong, fails_pos),
	              .need = ALL_VARIANTS),
	[WK_WHY] = KEY("why", KEY_TEXT, FIELD(struct code_wrong, why), NO_FIELD),
};

/* A choice written as a mapping rather than a plain string: its text, and
 * whether it keeps its place when the choices are shown shuffled. */
struct choice_in {
	const char *text;
};
enum { CHK_PIN, CHK_TEXT };
static const struct key choice_keys[] = {
	[CHK_PIN] = KEY("pin", KEY_NODE, NO_FIELD, NO_FIELD),
	[CHK_TEXT] = KEY("text", KEY_TEXT, FIELD(struct choice_in, text), NO_FIELD, .need = ALL_VARIANTS),
};

/* A rubric point: says, reject, about and not_about wait for catalog_link,
 * which knows the terms; a legacy point's pattern and reject, and code,
 * compile now. Which keys a point reads depends on which it has. */
enum {
	RK_ABOUT, RK_CODE, RK_FAILS_ANSWER, RK_FOLLOW_UP, RK_NOT_ABOUT, RK_PATTERN, RK_POINT, RK_REJECT, RK_SAYS,
	RK_SECTION, RK_WRONG, RK_WRONG_ABOUT, RK_WRONG_NOT_ABOUT,
};
static const struct key rubric_keys[] = {
	[RK_ABOUT] = KEY("about", KEY_TEXT, FIELD(struct rubric_point, about), FIELD(struct rubric_point, about_pos), .later = true),
	[RK_CODE] = KEY("code", KEY_TEXT, FIELD(struct rubric_point, code), FIELD(struct rubric_point, code_pos), .later = true),
	[RK_FAILS_ANSWER] = KEY("fails_answer", KEY_NODE, NO_FIELD, NO_FIELD),
	[RK_FOLLOW_UP] = KEY("follow_up", KEY_TEXT, FIELD(struct rubric_point, follow_up), NO_FIELD),
	[RK_NOT_ABOUT] = KEY("not_about", KEY_TEXT, FIELD(struct rubric_point, not_about),
	                  FIELD(struct rubric_point, not_about_pos), .later = true),
	[RK_PATTERN] = KEY("pattern", KEY_TEXT, FIELD(struct rubric_point, pattern), FIELD(struct rubric_point, pattern_pos),
	                .later = true),
	[RK_POINT] = KEY("point", KEY_TEXT, FIELD(struct rubric_point, point), NO_FIELD, .need = ALL_VARIANTS),
	[RK_REJECT] = KEY("reject", KEY_TEXT, FIELD(struct rubric_point, reject), FIELD(struct rubric_point, reject_pos),
	               .later = true),
	[RK_SAYS] = KEY("says", KEY_TEXT, FIELD(struct rubric_point, says), FIELD(struct rubric_point, says_pos), .later = true),
	[RK_SECTION] = KEY("section", KEY_STR, FIELD(struct rubric_point, section), FIELD(struct rubric_point, section_pos)),
	/* A point of its own (rubric_point.wrong), read by load_wrong_claim. */
	[RK_WRONG] = KEY("wrong", KEY_TEXT, NO_FIELD, NO_FIELD, .later = true),
	[RK_WRONG_ABOUT] = KEY("wrong_about", KEY_TEXT, NO_FIELD, NO_FIELD, .later = true),
	[RK_WRONG_NOT_ABOUT] = KEY("wrong_not_about", KEY_TEXT, NO_FIELD, NO_FIELD, .later = true),
};

enum { EK_FAIL, EK_PASS };
static const struct key example_keys[] = {
	[EK_FAIL] = KEY("fail", KEY_LIST, FIELD(struct question, ex_fail), NO_FIELD),
	[EK_PASS] = KEY("pass", KEY_LIST, FIELD(struct question, ex_pass), NO_FIELD),
};

/* Reads a plain regex key of a rubric point and compiles it, unless the
 * file came from the cache (then it compiles on first use). */
static struct regex *compile_pattern(struct loader *L, struct keymap *m, size_t key)
{
	const struct ynode *v = key_read(L, m, key);
	if (!v || L->cached)
		return NULL;   /* compiled on first use (catalog_rubric_regex) */
	char *err = NULL;
	size_t off = 0;
	struct regex *re = regex_compile(v->str, REGEX_RUBRIC, &err, &off);   /* ydoc checked it */
	if (!re) {
		ERR(L, v, "%s does not compile: %s at offset %zu", m->keys[key].name, err, off);
		free(err);
	}
	return re;
}

/* Whether the YAML scalar v's text is the pattern as written, so that
 * an unknown term's column can be counted, for a pending point. */
static void pending_role(struct pending_point *pp, enum rubric_role r, const struct ynode *v)
{
	pp->plain[r] = v->plain;
	pp->exact[r] = !strchr(v->str, '\n') && (v->plain || !strpbrk(v->str, "'\"\\"));
}

/* Reads a point's wrong claim (wrong, wrong_about, wrong_not_about) into
 * a point of its own, whose says, about and not_about they are; it waits
 * for catalog_link as its owner does. */
static void load_wrong_claim(struct loader *L, struct keymap *m, struct rubric_point *rp)
{
	static const size_t keys[3] = {RK_WRONG, RK_WRONG_ABOUT, RK_WRONG_NOT_ABOUT};
	static const enum rubric_role roles[3] = {RUBRIC_CLAIM, RUBRIC_ABOUT, RUBRIC_NOT_ABOUT};
	const struct ynode *v[3];
	for (int k = 0; k < 3; k++)
		v[k] = key_read(L, m, keys[k]);
	if (!v[0] && !v[1] && !v[2])
		return;
	if (!v[0] || !v[1]) {
		const struct ynode *at = v[0] ? v[0] : v[1] ? v[1] : v[2];
		ERR(L, at, "'%s' needs '%s' in a rubric point", v[0] ? "wrong" : v[1] ? "wrong_about" : "wrong_not_about",
		    v[0] ? "wrong_about" : "wrong");
		return;
	}
	struct rubric_point *w = xcalloc(1, sizeof *w);
	w->point = rp->point;
	w->is_wrong = true;
	w->pos = rp->pos;
	const char **fields[3] = {&w->says, &w->about, &w->not_about};
	struct pos *poss[3] = {&w->says_pos, &w->about_pos, &w->not_about_pos};
	struct pending_point pp = {w, L->terms, L->cached, L->reference, {0}, {0}};
	for (int k = 0; k < 3; k++) {
		if (!v[k])
			continue;
		*fields[k] = v[k]->str;
		*poss[k] = pos_of(v[k]);
		pending_role(&pp, roles[k], v[k]);
	}
	rp->wrong = w;
	GROW(L->c->pending, L->c->cappending, L->c->npending + 1);
	L->c->pending[L->c->npending++] = pp;
}

/* Reads the rubric language's keys of a point (says, about, not_about,
 * reject and a wrong claim wait for catalog_link, which knows the terms). */
static void load_point_language(struct loader *L, struct keymap *m, struct rubric_point *rp)
{
	static const size_t keys[RUBRIC_CODE] = {RK_SAYS, RK_REJECT, RK_ABOUT, RK_NOT_ABOUT};
	struct pending_point pp = {rp, L->terms, L->cached, L->reference, {0}, {0}};
	for (int r = 0; r < RUBRIC_CODE; r++) {
		const struct ynode *v = key_read(L, m, keys[r]);
		if (v)
			pending_role(&pp, (enum rubric_role)r, v);
	}
	if (rp->about && !rp->says)
		ERR(L, m->v[RK_ABOUT], "'about' needs 'says' in a rubric point");
	if (rp->not_about && !rp->about)
		ERR(L, m->v[RK_NOT_ABOUT], "'not_about' needs 'about' in a rubric point");
	GROW(L->c->pending, L->c->cappending, L->c->npending + 1);
	L->c->pending[L->c->npending++] = pp;
	load_wrong_claim(L, m, rp);
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

static void load_point(struct loader *L, struct question *q, const struct ynode *p)
{
	if (!want_map(L, p, "a rubric point"))
		return;
	struct rubric_point *rp = &q->rubric[q->nrubric++];
	struct keymap m;
	KEYS_LOAD(L, &m, rubric_keys, p, "a rubric point", rp);
	rp->pos = pos_of(p);
	const struct ynode *says = m.v[RK_SAYS], *pat = m.v[RK_PATTERN];
	if (says && pat)
		ERR(L, says, "a rubric point has 'pattern' or 'says', not both");
	else if (!says && !pat && !m.v[RK_CODE])
		ERR(L, p, "missing required key 'says' (or 'pattern' or 'code') in a rubric point");
	if (!says) {
		/* A legacy point: plain regexes, compiled now. */
		rp->re = compile_pattern(L, &m, RK_PATTERN);
		rp->reject_re = compile_pattern(L, &m, RK_REJECT);
		if (m.v[RK_ABOUT])
			ERR(L, m.v[RK_ABOUT], "'about' needs 'says' in a rubric point");
		else if (m.v[RK_NOT_ABOUT])
			ERR(L, m.v[RK_NOT_ABOUT], "'not_about' needs 'about' in a rubric point");
		for (size_t k = RK_WRONG; k <= RK_WRONG_NOT_ABOUT; k++)
			if (m.v[k]) {
				ERR(L, m.v[k], "'%s' needs 'says' in a rubric point", rubric_keys[k].name);
				break;
			}
	} else {
		load_point_language(L, &m, rp);
	}
	rp->code_re = compile_pattern(L, &m, RK_CODE);
	const struct ynode *fa = key_read(L, &m, RK_FAILS_ANSWER);
	if (fa) {
		if (fa->kind != YNODE_SCALAR || (strcmp(fa->str, "true") != 0 && strcmp(fa->str, "false") != 0))
			ERR(L, fa, "'fails_answer' must be true or false");
		else if ((rp->fails_answer = strcmp(fa->str, "true") == 0) && !rp->reject && !rp->wrong)
			ERR(L, fa, "'fails_answer' needs 'reject' or 'wrong' in a rubric point");
	}
	rp->broken = (rp->pattern && !rp->re && !L->cached) || (rp->reject && !rp->says && !rp->reject_re && !L->cached) ||
	             (rp->code && !rp->code_re && !L->cached) || (!rp->pattern && !rp->says && !rp->code);
	rp->compiled = !L->cached && !rp->says;
	if (rp->section && !valid_section_ref(rp->section)) {
		ERR(L, m.v[RK_SECTION], "invalid section '%s': use a section id, or TOPIC/ID (only a-z, 0-9 and '-')",
		    rp->section);
		rp->section = NULL;
	}
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
static void load_revised(struct loader *L, struct keymap *m, struct question *q)
{
	const struct ynode *v = m->v[QK_REVISED];
	long r;
	if (v && (ynode_long(v, &r) < 0 || r < 1 || r > INT_MAX))
		ERR(L, v, "'revised' must be an integer of at least 1, not '%s'",
		    v->kind == YNODE_SCALAR ? v->str : ynode_kind_name(v));
	else if (v)
		q->revised = (int)r;
	key_read(L, m, QK_REVISED_NOTE);
	const struct ynode *note = m->v[QK_REVISED_NOTE];
	const char *nl = q->revised_note ? strchr(q->revised_note, '\n') : NULL;
	if (nl && nl[1]) {
		ERR(L, note, "'revised_note' must be one line");
		q->revised_note = NULL;
	} else if (q->revised_note && !v) {
		ERR(L, note, "'revised_note' without 'revised' (say which revision it describes)");
	}
}

/* One choice: a non-blank string, or a mapping {text: ..., pin: true}. */
static void load_choice(struct loader *L, struct question *q, const struct ynode *it, size_t nitems)
{
	const char *text = NULL;
	bool pin = false;
	if (it->kind == YNODE_SCALAR) {
		if (blank(it->str)) {
			ERR(L, it, "empty item in 'choices'");
			return;
		}
		text = it->str;
	} else if (it->kind == YNODE_MAP) {
		struct choice_in ci = {0};
		struct keymap m;
		KEYS_LOAD(L, &m, choice_keys, it, "a choice", &ci);
		const struct ynode *p = m.v[CHK_PIN];
		if (p && ynode_bool(p, &pin) < 0)
			ERR(L, p, "'pin' must be true or false, not '%s'", p->kind == YNODE_SCALAR ? p->str : ynode_kind_name(p));
		text = ci.text;
		if (!text)
			return;
	} else {
		ERR(L, it, "a choice must be a string or a mapping such as {text: ..., pin: true}, not %s",
		    ynode_kind_name(it));
		return;
	}
	if (pin && !q->pinned)
		q->pinned = xcalloc(nitems, sizeof *q->pinned);
	if (q->pinned)
		q->pinned[q->choices.n] = pin;
	q->choices.pos[q->choices.n] = pos_of(it);
	q->choices.v[q->choices.n++] = text;
}

/* The choices of a choice or multi question, in the order written. */
static void load_choices(struct loader *L, struct keymap *m, struct question *q)
{
	const struct ynode *v = key_read(L, m, QK_CHOICES);
	if (!v)
		return;
	q->choices.v = xmalloc((v->n ? v->n : 1) * sizeof *q->choices.v);
	q->choices.pos = xmalloc((v->n ? v->n : 1) * sizeof *q->choices.pos);
	for (size_t i = 0; i < v->n; i++)
		load_choice(L, q, v->items[i], v->n);
}

/* The answer of a choice or multi question: indexes into its choices. */
static void load_choice_answer(struct loader *L, struct keymap *m, struct question *q)
{
	load_choices(L, m, q);
	if (!m->v[QK_CHOICES])
		return;   /* reported missing */
	if (q->choices.n < 2) {
		ERR(L, m->v[QK_CHOICES], "a %s question needs at least 2 choices", qtype_names[q->type]);
		return;
	}
	const struct ynode *ans = m->v[QK_ANSWER];
	if (!ans)
		return;
	if (q->type == Q_CHOICE) {
		get_index(L, ans, q->choices.n, &q->answer);
		return;
	}
	if (ans->kind != YNODE_SEQ) {
		ERR(L, ans, "answer of a multi question must be a list of choice indexes, not %s", ynode_kind_name(ans));
		return;
	}
	if (ans->n == 0) {
		ERR(L, ans, "answer of a multi question needs at least one index");
		return;
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
}

static void load_order(struct loader *L, struct keymap *m, struct question *q)
{
	if (!m->v[QK_ITEMS])
		return;   /* reported missing */
	if (q->items.n < 2)
		ERR(L, m->v[QK_ITEMS], "an order question needs at least 2 items");
	for (size_t i = 1; i < q->items.n; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(q->items.v[i], q->items.v[j]) == 0) {
				PERR(L->d, q->items.pos[i], "item '%s' is listed twice", q->items.v[i]);
				break;
			}
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

static void load_text(struct loader *L, struct keymap *m, struct question *q)
{
	const struct ynode *rub = key_read(L, m, QK_RUBRIC);
	if (rub && rub->n == 0)
		ERR(L, rub, "a rubric needs at least one point");
	if (rub && rub->n) {
		q->rubric = xcalloc(rub->n, sizeof *q->rubric);
		for (size_t i = 0; i < rub->n; i++)
			load_point(L, q, rub->items[i]);
	}
	q->pass = q->nrubric;
	const struct ynode *pass = m->v[QK_PASS];
	if (pass) {
		long v;
		if (ynode_long(pass, &v) < 0)
			ERR(L, pass, "'pass' must be an integer, not '%s'", pass->kind == YNODE_SCALAR ? pass->str : ynode_kind_name(pass));
		else if (v < 1 || (size_t)v > q->nrubric)
			ERR(L, pass, "'pass' is %ld but the rubric has %zu point%s", v, q->nrubric, q->nrubric == 1 ? "" : "s");
		else
			q->pass = (size_t)v;
	}
	const struct ynode *ex = key_read(L, m, QK_EXAMPLES);
	if (ex) {
		struct keymap em;
		KEYS_LOAD(L, &em, example_keys, ex, "'examples'", q);
	}
	check_contrast(L, key_read(L, m, QK_CONTRAST));
}

/* ---- code questions ---- */

static void load_test(struct loader *L, struct question *q, const struct ynode *n)
{
	if (!want_map(L, n, "a test"))
		return;
	struct code_test *t = &q->tests[q->ntests];
	memset(t, 0, sizeof *t);   /* the slot of a test left out before */
	struct keymap m;
	KEYS_LOAD(L, &m, test_keys, n, "a test", t);
	t->pos = pos_of(n);
	if (!t->name)
		return;   /* reported; a test without a name cannot be failed */
	const char *nl = strchr(t->name, '\n');
	if (nl && nl[1]) {
		ERR(L, m.v[TS_NAME], "a test name must be one line");
		return;
	}
	for (size_t j = 0; j < q->ntests; j++)
		if (strcmp(q->tests[j].name, t->name) == 0) {
			ERR(L, m.v[TS_NAME], "duplicate test name '%s' (first at line %d)", t->name, q->tests[j].name_pos.line);
			return;
		}
	q->ntests++;
}

/* A flawed solution: 'fails' names a test of the question, resolved to its
 * index (unless the tests did not load: then the fault is theirs). */
static void load_wrong(struct loader *L, struct question *q, const struct ynode *n, bool tests_loaded)
{
	if (!want_map(L, n, "a wrong solution"))
		return;
	struct code_wrong *w = &q->wrong[q->nwrong++];
	struct keymap m;
	KEYS_LOAD(L, &m, wrong_keys, n, "a wrong solution", w);
	w->pos = pos_of(n);
	w->test = SIZE_MAX;
	if (!w->fails || !tests_loaded)
		return;
	for (size_t j = 0; j < q->ntests; j++)
		if (strcmp(q->tests[j].name, w->fails) == 0) {
			w->test = j;
			return;
		}
	const char **names = xcalloc(q->ntests + 1, sizeof *names);
	for (size_t j = 0; j < q->ntests; j++)
		names[j] = q->tests[j].name;
	const char *near = catalog_closest(w->fails, names, q->ntests);
	if (near)
		ERR(L, m.v[WK_FAILS], "no test '%s' in this question (did you mean '%s'?)", w->fails, near);
	else
		ERR(L, m.v[WK_FAILS], "no test '%s' in this question", w->fails);
	free(names);
}

/* `python: "3.N"`, the minimum CPython version, and `timeout`, seconds in
 * (0, 120], 10 when not given. */
static void load_code_limits(struct loader *L, struct keymap *m, struct question *q)
{
	const struct ynode *v = m->v[QK_PYTHON];
	if (v && v->kind != YNODE_SCALAR) {
		ERR(L, v, "'python' must be a string, not %s", ynode_kind_name(v));
	} else if (v) {
		size_t len = str_starts(v->str, "3.") ? strlen(v->str + 2) : 0;
		if (len < 1 || len > 2 || strspn(v->str + 2, "0123456789") != len)
			ERR(L, v, "invalid python version '%s' (expected a minimum version like '3.12')", v->str);
		else
			q->python_minor = atoi(v->str + 2);
	}
	q->timeout = 10;
	v = m->v[QK_TIMEOUT];
	double t;
	if (v && (ynode_double(v, &t) < 0 || !(t > 0 && t <= 120)))
		ERR(L, v, "'timeout' must be a number of seconds above 0 and at most 120, not '%s'",
		    v->kind == YNODE_SCALAR ? v->str : ynode_kind_name(v));
	else if (v)
		q->timeout = t;
}

static void load_code_question(struct loader *L, struct keymap *m, struct question *q)
{
	const struct ynode *ts = key_read(L, m, QK_TESTS);
	if (ts && ts->n == 0)
		ERR(L, ts, "a code question needs at least one test");
	if (ts && ts->n) {
		q->tests = xcalloc(ts->n, sizeof *q->tests);
		for (size_t i = 0; i < ts->n; i++)
			load_test(L, q, ts->items[i]);
	}
	const struct ynode *ws = key_read(L, m, QK_WRONG);
	if (ws && ws->n) {
		q->wrong = xcalloc(ws->n, sizeof *q->wrong);
		for (size_t i = 0; i < ws->n; i++)
			load_wrong(L, q, ws->items[i], ts && ts->n);
	}
	load_code_limits(L, m, q);
	if (q->see && !valid_section_ref(q->see)) {
		ERR(L, m->v[QK_SEE], "invalid section '%s' in 'see': use a section id, or TOPIC/ID (only a-z, 0-9 and '-')",
		    q->see);
		q->see = NULL;
	}
}

/* The question's type, or -1 after reporting an unknown one. */
static int question_type(struct loader *L, struct keymap *m)
{
	const struct ynode *v = key_read(L, m, QK_TYPE);
	if (!v)
		return -1;
	for (int i = 0; i < Q_NTYPES; i++)
		if (strcmp(v->str, qtype_names[i]) == 0)
			return i;
	const char *near = catalog_closest(v->str, qtype_names, Q_NTYPES);
	if (near)
		ERR(L, v, "unknown question type '%s' (did you mean '%s'?)", v->str, near);
	else
		ERR(L, v, "unknown question type '%s' (one of choice, multi, truefalse, order, output, text, code)", v->str);
	return -1;
}

static void load_question(struct loader *L, struct quiz *qz, const struct ynode *n)
{
	if (!want_map(L, n, "a question"))
		return;
	struct question *q = &qz->questions[qz->n];
	memset(q, 0, sizeof *q);
	q->pos = pos_of(n);
	q->quiz = qz;
	struct keymap m;
	keys_begin(&m, question_keys, ARRAY_SIZE(question_keys), n, "a question", VARIANT(0), q);
	int t = question_type(L, &m);
	key_read(L, &m, QK_ID);
	if (t < 0)
		return;   /* without a type the other keys cannot be judged */
	q->type = (enum qtype)t;
	m.variant = VARIANT(t);
	load_revised(L, &m, q);
	char what[32];
	snprintf(what, sizeof what, "%s %s question", t == Q_OUTPUT ? "an" : "a", qtype_names[t]);
	m.what = what;
	keys_check(L, &m);
	keys_read(L, &m);
	switch (q->type) {
	case Q_CHOICE:
	case Q_MULTI:
		load_choice_answer(L, &m, q);
		break;
	case Q_TRUEFALSE:
		if (m.v[QK_ANSWER] && ynode_bool(m.v[QK_ANSWER], &q->answer_bool) < 0)
			ERR(L, m.v[QK_ANSWER], "answer of a truefalse question must be true or false, not '%s'",
			    m.v[QK_ANSWER]->kind == YNODE_SCALAR ? m.v[QK_ANSWER]->str : ynode_kind_name(m.v[QK_ANSWER]));
		break;
	case Q_ORDER:
		load_order(L, &m, q);
		break;
	case Q_OUTPUT:
		key_read(L, &m, QK_PYTHON);
		check_needs(L, &q->needs);
		if (m.v[QK_ANSWER])
			q->expected = read_scalar(L, &question_keys[QK_ANSWER], m.v[QK_ANSWER], what);
		if (!q->prompt)
			q->prompt = "What does this print?";
		break;
	case Q_TEXT:
		load_text(L, &m, q);
		break;
	case Q_CODE:
		load_code_question(L, &m, q);
		break;
	default:
		break;
	}
	/* Its required keys, those read by the loader included. */
	if (!m.v[QK_ANSWER] && (m.variant & ANSWERED))
		key_read(L, &m, QK_ANSWER);
	qz->n++;
}

static void load_quiz(struct loader *L, const struct ynode *root, bool reference)
{
	if (!want_map(L, root, "a quiz"))
		return;
	struct quiz *qz = xcalloc(1, sizeof *qz);
	struct keymap m;
	KEYS_LOAD(L, &m, quiz_keys, root, "a quiz", qz);
	qz->pos = pos_of(root);
	const struct ynode *qs = key_read(L, &m, ZK_QUESTIONS);
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

/* What a rubric point holds of its own (not the point itself). */
static void point_release(struct rubric_point *rp)
{
	for (int r = 0; r < RUBRIC_NROLES; r++)
		regex_free(*role_slot(rp, (enum rubric_role)r));
	for (int r = 0; r < RUBRIC_CODE; r++)
		free(rp->expanded[r]);
	free(rp->own_negation);
}

void quiz_free(struct quiz *qz)
{
	for (size_t i = 0; i < qz->n; i++) {
		struct question *q = &qz->questions[i];
		strlist_release(&q->hints);
		strlist_release(&q->tags);
		strlist_release(&q->choices);
		free(q->pinned);
		strlist_release(&q->items);
		strlist_release(&q->ex_pass);
		strlist_release(&q->ex_fail);
		strlist_release(&q->needs);
		free(q->answers);
		catalog_drop_grading(q);   /* before the points it reads */
		for (size_t j = 0; j < q->nrubric; j++) {
			struct rubric_point *rp = &q->rubric[j];
			point_release(rp);
			if (rp->wrong) {
				point_release(rp->wrong);
				free(rp->wrong);
			}
		}
		free(q->rubric);
		free(q->tests);
		free(q->wrong);
	}
	free(qz->questions);
	free(qz);
}

/* ---- demo manifest ---- */

enum { DK_BINARY, DK_ID, DK_PARAMS, DK_PREDICT, DK_SUMMARY, DK_TITLE, DK_TOPICS, DK_WATCH };
static const struct key demo_keys[] = {
	[DK_BINARY] = KEY("binary", KEY_TEXT, FIELD(struct demo, binary), NO_FIELD, .need = ALL_VARIANTS),
	[DK_ID] = KEY("id", KEY_ID, FIELD(struct demo, id), NO_FIELD, .need = ALL_VARIANTS),
	[DK_PARAMS] = KEY("params", KEY_SEQ, NO_FIELD, NO_FIELD),
	[DK_PREDICT] = KEY("predict", KEY_SEQ, NO_FIELD, NO_FIELD),
	[DK_SUMMARY] = KEY("summary", KEY_TEXT, FIELD(struct demo, summary), NO_FIELD, .need = ALL_VARIANTS),
	[DK_TITLE] = KEY("title", KEY_TEXT, FIELD(struct demo, title), NO_FIELD, .need = ALL_VARIANTS),
	[DK_TOPICS] = KEY("topics", KEY_IDS, FIELD(struct demo, topics), NO_FIELD),
	[DK_WATCH] = KEY("watch", KEY_TEXT, FIELD(struct demo, watch), NO_FIELD),
};

/* A parameter's name, help and type come first: without a valid name and
 * type the rest is not judged. */
enum { PK_DEFAULT, PK_HELP, PK_MAX, PK_MIN, PK_NAME, PK_TYPE, PK_VALUES };
static const struct key param_keys[] = {
	[PK_DEFAULT] = KEY("default", KEY_STR, FIELD(struct demo_param, def), NO_FIELD, .later = true),
	[PK_HELP] = KEY("help", KEY_TEXT, FIELD(struct demo_param, help), NO_FIELD),
	[PK_MAX] = KEY("max", KEY_NODE, NO_FIELD, NO_FIELD),
	[PK_MIN] = KEY("min", KEY_NODE, NO_FIELD, NO_FIELD),
	[PK_NAME] = KEY("name", KEY_ID, FIELD(struct demo_param, name), NO_FIELD, .need = ALL_VARIANTS),
	[PK_TYPE] = KEY("type", KEY_STR, NO_FIELD, NO_FIELD, .need = ALL_VARIANTS),
	[PK_VALUES] = KEY("values", KEY_LIST, FIELD(struct demo_param, values), NO_FIELD, .later = true),
};

enum { RQ_CHOICES, RQ_FIGURE, RQ_ID, RQ_PROMPT, RQ_RUN };
static const struct key predict_keys[] = {
	[RQ_CHOICES] = KEY("choices", KEY_SEQ, NO_FIELD, NO_FIELD, .need = ALL_VARIANTS),
	[RQ_FIGURE] = KEY("figure", KEY_TEXT, FIELD(struct demo_predict, figure), NO_FIELD, .need = ALL_VARIANTS),
	[RQ_ID] = KEY("id", KEY_ID, FIELD(struct demo_predict, id), NO_FIELD, .need = ALL_VARIANTS),
	[RQ_PROMPT] = KEY("prompt", KEY_TEXT, FIELD(struct demo_predict, prompt), NO_FIELD, .need = ALL_VARIANTS),
	[RQ_RUN] = KEY("run", KEY_MAP, NO_FIELD, NO_FIELD),
};

enum { PC_MAX, PC_MIN, PC_TEXT };
static const struct key pchoice_keys[] = {
	[PC_MAX] = KEY("max", KEY_NODE, NO_FIELD, NO_FIELD),
	[PC_MIN] = KEY("min", KEY_NODE, NO_FIELD, NO_FIELD),
	[PC_TEXT] = KEY("text", KEY_TEXT, FIELD(struct predict_choice, text), NO_FIELD, .need = ALL_VARIANTS),
};

static const char *const param_types[] = {"int", "float", "enum", "flag"};

/* A number key of m (min or max): sets *out and returns true, or reports
 * a value that is not one. */
static bool get_number(struct loader *L, const struct keymap *m, size_t key, bool integer, double *out)
{
	const struct ynode *v = m->v[key];
	if (!v)
		return false;
	long l;
	if (integer ? ynode_long(v, &l) == 0 : ynode_double(v, out) == 0) {
		if (integer)
			*out = (double)l;
		return true;
	}
	ERR(L, v, "'%s' must be %s, not '%s'", m->keys[key].name, integer ? "an integer" : "a number",
	    v->kind == YNODE_SCALAR ? v->str : ynode_kind_name(v));
	return false;
}

/* What is wrong with text as a value of the parameter (a phrase for a
 * message), or NULL when it is valid. */
static const char *param_fault(const struct demo_param *p, const char *text)
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
		if (errno || end == text || *end)
			return p->type == PARAM_INT ? "not an integer" : "not a number";
		if ((p->has_min && v < p->min) || (p->has_max && v > p->max))
			return "out of range";
		return NULL;
	case PARAM_ENUM:
		for (size_t i = 0; i < p->values.n; i++)
			if (strcmp(p->values.v[i], text) == 0)
				return NULL;
		return "not one of the values";
	case PARAM_FLAG:
		if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0)
			return NULL;
		return "a flag is true or false";
	}
	return "not valid";
}

/* min and max of a number parameter, values of an enum one. */
static void load_param_range(struct loader *L, struct keymap *m, struct demo_param *p)
{
	if (p->type == PARAM_INT || p->type == PARAM_FLOAT) {
		bool integer = p->type == PARAM_INT;
		p->has_min = get_number(L, m, PK_MIN, integer, &p->min);
		p->has_max = get_number(L, m, PK_MAX, integer, &p->max);
		if (p->has_min && p->has_max && p->min > p->max)
			ERR(L, m->v[PK_MIN], "min is greater than max");
	} else {
		if (m->v[PK_MIN])
			ERR(L, m->v[PK_MIN], "'min' applies only to int and float parameters");
		if (m->v[PK_MAX])
			ERR(L, m->v[PK_MAX], "'max' applies only to int and float parameters");
	}
	if (p->type == PARAM_ENUM) {
		key_read(L, m, PK_VALUES);
		if (p->values.n == 0)
			ERR(L, m->map, "an enum parameter needs 'values'");
	} else if (m->v[PK_VALUES]) {
		ERR(L, m->v[PK_VALUES], "'values' applies only to enum parameters");
	}
}

static void load_param(struct loader *L, struct demo *dm, const struct ynode *n)
{
	if (!want_map(L, n, "a demo parameter"))
		return;
	struct demo_param *p = &dm->params[dm->nparams];
	memset(p, 0, sizeof *p);
	struct keymap m;
	KEYS_LOAD(L, &m, param_keys, n, "a demo parameter", p);
	p->pos = pos_of(n);
	const struct ynode *type = key_read(L, &m, PK_TYPE);
	if (!p->name || !type)
		return;
	int t = -1;
	for (int i = 0; i < (int)ARRAY_SIZE(param_types); i++)
		if (strcmp(type->str, param_types[i]) == 0)
			t = i;
	if (t < 0) {
		ERR(L, type, "unknown parameter type '%s' (one of int, float, enum, flag)", type->str);
		return;
	}
	p->type = (enum param_type)t;
	if (strcmp(p->name, "json") == 0 || strcmp(p->name, "help") == 0) {
		ERR(L, m.v[PK_NAME], "parameter name '%s' is reserved", p->name);
		return;
	}
	load_param_range(L, &m, p);
	key_read(L, &m, PK_DEFAULT);
	const char *fault = p->def && !(p->type == PARAM_ENUM && p->values.n == 0) ? param_fault(p, p->def) : NULL;
	if (fault)
		ERR(L, m.v[PK_DEFAULT], "default '%s' of '%s' is %s", p->def, p->name, fault);
	dm->nparams++;
}

/* 'run': parameter names of the demo and values they accept. */
static void load_run(struct loader *L, struct demo *dm, struct demo_predict *pr, const struct ynode *run)
{
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
		const char *fault = p ? param_fault(p, v->str) : NULL;
		if (!p)
			ERR(L, k, "unknown parameter '%s' of demo '%s'", k->str, dm->id ? dm->id : "?");
		else if (fault)
			ERR(L, v, "value '%s' of '%s' is %s", v->str, k->str, fault);
		pr->run_keys[pr->nrun] = k->str;
		pr->run_values[pr->nrun++] = v->str;
	}
}

static void load_predict_choice(struct loader *L, struct demo_predict *pr, const struct ynode *c)
{
	if (!want_map(L, c, "a predict choice"))
		return;
	struct predict_choice *pc = &pr->choices[pr->nchoices++];
	struct keymap m;
	KEYS_LOAD(L, &m, pchoice_keys, c, "a predict choice", pc);
	pc->has_min = get_number(L, &m, PC_MIN, false, &pc->min);
	pc->has_max = get_number(L, &m, PC_MAX, false, &pc->max);
	if (!pc->has_min && !pc->has_max)
		ERR(L, c, "a predict choice needs 'min' or 'max'");
	else if (pc->has_min && pc->has_max && pc->min > pc->max)
		ERR(L, c, "min is greater than max");
}

static void load_predict(struct loader *L, struct demo *dm, const struct ynode *n)
{
	if (!want_map(L, n, "a predict question"))
		return;
	struct demo_predict *pr = &dm->predict[dm->npredict++];
	memset(pr, 0, sizeof *pr);
	struct keymap m;
	KEYS_LOAD(L, &m, predict_keys, n, "a predict question", pr);
	pr->pos = pos_of(n);
	const struct ynode *run = key_read(L, &m, RQ_RUN);
	if (run)
		load_run(L, dm, pr, run);
	const struct ynode *ch = key_read(L, &m, RQ_CHOICES);
	if (ch && ch->n < 2)
		ERR(L, ch, "a predict question needs at least 2 choices");
	if (ch && ch->n) {
		pr->choices = xcalloc(ch->n, sizeof *pr->choices);
		for (size_t i = 0; i < ch->n; i++)
			load_predict_choice(L, pr, ch->items[i]);
	}
}

static void load_demo(struct loader *L, const struct ynode *n, bool reference)
{
	if (!want_map(L, n, "a demo"))
		return;
	struct demo *dm = xcalloc(1, sizeof *dm);
	struct keymap m;
	KEYS_LOAD(L, &m, demo_keys, n, "a demo", dm);
	dm->reference = reference;
	dm->pos = pos_of(n);
	if (dm->binary && strchr(dm->binary, '/')) {
		ERR(L, m.v[DK_BINARY], "binary '%s' must be a file name, not a path", dm->binary);
		dm->binary = NULL;
	}
	const struct ynode *ps = key_read(L, &m, DK_PARAMS);
	if (ps && ps->n) {
		dm->params = xcalloc(ps->n, sizeof *dm->params);
		for (size_t j = 0; j < ps->n; j++)
			load_param(L, dm, ps->items[j]);
		for (size_t j = 1; j < dm->nparams; j++)
			for (size_t k = 0; k < j; k++)
				if (dm->params[j].name && dm->params[k].name &&
				    strcmp(dm->params[j].name, dm->params[k].name) == 0)
					PERR(L->d, dm->params[j].pos, "duplicate parameter '%s'", dm->params[j].name);
	}
	const struct ynode *pr = key_read(L, &m, DK_PREDICT);
	if (pr && pr->n) {
		dm->predict = xcalloc(pr->n, sizeof *dm->predict);
		for (size_t j = 0; j < pr->n; j++)
			load_predict(L, dm, pr->items[j]);
	}
	GROW(L->c->demos, L->c->capdemos, L->c->ndemos + 1);
	L->c->demos[L->c->ndemos++] = dm;
}

static void load_demos(struct loader *L, const struct ynode *root, bool reference)
{
	if (!root)
		return;
	if (root->kind != YNODE_SEQ) {
		ERR(L, root, "a demo manifest must be a list of demos, not %s", ynode_kind_name(root));
		return;
	}
	for (size_t i = 0; i < root->n; i++)
		load_demo(L, root->items[i], reference);
}

void demo_free(struct demo *dm)
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

enum { TK_TERMS };
static const struct key terms_keys[] = {
	[TK_TERMS] = KEY("terms", KEY_MAP, NO_FIELD, NO_FIELD, .need = ALL_VARIANTS),
};

static size_t file_key(const struct stat *st, unsigned long long id[2])
{
	id[0] = st->st_dev;
	id[1] = st->st_ino;
	return 2 * sizeof *id;
}

/* A terms file: one key, terms, mapping names to lists of entries. */
/* Whether the flow-list entries e and next are a number such as 1,000
 * that an unquoted comma split: e is one to three digits, next starts
 * with three and a non-digit, with only the comma between them. */
static bool comma_split(const struct ynode *e, const struct ynode *next)
{
	if (e->kind != YNODE_SCALAR || next->kind != YNODE_SCALAR || !e->plain || !next->plain ||
	    e->line != next->line || e->len < 1 || e->len > 3 || next->col != e->col + (int)e->len + 1)
		return false;
	for (size_t i = 0; i < e->len; i++)
		if (e->str[i] < '0' || e->str[i] > '9')
			return false;
	for (size_t i = 0; i < 3; i++)
		if (next->str[i] < '0' || next->str[i] > '9')
			return false;
	return next->str[3] < '0' || next->str[3] > '9';
}

static void load_terms(struct loader *L, const struct ynode *root, const struct stat *st)
{
	if (!want_map(L, root, "a terms file"))
		return;
	struct keymap m;
	KEYS_LOAD(L, &m, terms_keys, root, "a terms file", NULL);
	struct terms *t = terms_new();
	GROW(L->c->vocabs, L->c->capvocabs, L->c->nvocabs + 1);
	L->c->vocabs[L->c->nvocabs] = (struct vocab){t, L->reference, L->cached};
	unsigned long long id[2];
	hmap_add(&L->c->term_files, id, file_key(st, id), L->c->nvocabs++);
	const struct ynode *map = key_read(L, &m, TK_TERMS);
	if (!map)
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
			if (j + 1 < v->n && comma_split(e, v->items[j + 1]))
				ERR(L, e, "term '%s': '%s,%s' is read as two entries, '%s' and '%s': quote an entry that "
				    "holds a comma", k->str, e->str, v->items[j + 1]->str, e->str, v->items[j + 1]->str);
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
	if (ynode_get(root, quiz_keys[ZK_TOPIC].name) || ynode_get(root, quiz_keys[ZK_QUESTIONS].name))
		return KIND_QUIZ;
	if (ynode_get(root, terms_keys[TK_TERMS].name))
		return KIND_TERMS;
	if (ynode_get(root, lesson_keys[LK_SECTIONS].name) || ynode_get(root, lesson_keys[LK_ID].name))
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

void catalog_skip_file(struct catalog *c, const char *path)
{
	struct stat st;
	seen_path(c, path, &st);
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
	if (L.cached)
		ycache_drop_tree(c->cache, doc);
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
	c->nroots++;
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

