/*
 * catalog_internal: what the catalog's files share, and nothing outside
 * them includes. catalog_load.c turns YAML files into typed structs
 * through one key table per mapping kind; catalog_link.c expands terms,
 * compiles rubric patterns and cross-checks everything loaded; catalog.c
 * holds the lifecycle, the indexes, the queries and the suggestions.
 */
#ifndef PYDOJO_CATALOG_INTERNAL_H
#define PYDOJO_CATALOG_INTERNAL_H

#include "catalog.h"
#include "util.h"
#include "ydoc.h"

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
	bool defer_compile;      /* link leaves rubric patterns to catalog_compile_point */
	bool keep_reference;     /* reference content is not shadowed: duplicates clash */
	unsigned nroots;         /* roots added so far (lessons record theirs) */
	struct ycache *cache;    /* parsed files, or NULL */
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

static inline struct pos pos_of(const struct ynode *n)
{
	return (struct pos){n->file, n->line, n->col};
}

#define PERR(dg, p, ...) diag_add((dg), (p).file, (p).line, (p).col, __VA_ARGS__)

/* The compiled pattern of a role: where catalog_rubric_regex keeps it. */
static inline struct regex **role_slot(struct rubric_point *p, enum rubric_role r)
{
	struct regex **slots[RUBRIC_NROLES] = {&p->re, &p->reject_re, &p->about_re, &p->not_about_re, &p->code_re,
	                                         &p->own_negation_re};
	return slots[r];
}

/* catalog_load.c */
void lesson_free(struct lesson *ls);
void quiz_free(struct quiz *qz);
void demo_free(struct demo *dm);

/* catalog.c: the closest of n candidates to a misspelt word (edit
 * distance), or NULL; suggest() also takes a unique prefix. */
const char *catalog_closest(const char *word, const char *const *cands, size_t n);
const char *catalog_suggest(const char *id, const char **cands, size_t n);
size_t catalog_lesson_index(const struct catalog *c, const char *id);
/* Adds q to the question index; returns the question already there with its
 * id, or NULL. */
const struct question *catalog_index_question(struct catalog *c, const struct question *q);

#endif
