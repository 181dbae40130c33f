/*
 * ydoc: parses one YAML document with libyaml into a small node tree that
 * keeps the file, line and column (1-based) of every node. It enforces the
 * limits content needs (size, depth, UTF-8) and refuses anchors, aliases,
 * duplicate keys and multi-document files. It knows nothing of lessons or
 * quizzes: typing beyond scalar/sequence/mapping is the catalog's job.
 *
 * Ownership: a struct ydoc owns every node and string under it until
 * ydoc_release() (nodes alone until ydoc_drop_tree()); nodes keep a borrowed
 * pointer to the document's file name.
 */
#ifndef PYDOJO_YDOC_H
#define PYDOJO_YDOC_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

#define YAML_MAX_BYTES (4u << 20)
#define YAML_MAX_DEPTH 64

enum ynode_kind { YNODE_SCALAR, YNODE_SEQ, YNODE_MAP };

struct ynode {
	enum ynode_kind kind;
	bool plain;        /* scalar written without quotes (so it may be a number or bool) */
	int line, col;
	const char *file;
	char *str;         /* scalar text, NUL-terminated */
	size_t len;
	/* sequence: items[0..n); mapping: items[2i] is a key, items[2i+1] its value */
	struct ynode **items;
	size_t n;
};

struct ydoc {
	char *file;
	struct ynode *root;   /* NULL for an empty document */
	struct yarena *arena;   /* nodes and their item arrays */
	struct yarena *text;    /* scalar strings */
};

/* Parses len bytes. Returns 0, or -1 after adding every error found to d
 * (a syntax error stops the parse; structure errors such as duplicate keys do
 * not). On -1 the document is released. */
int ydoc_parse(struct ydoc *doc, const char *file, const char *data, size_t len, struct diag *d);
/* Reads and parses a file, refusing one over YAML_MAX_BYTES. */
int ydoc_load_file(struct ydoc *doc, const char *path, struct diag *d);
/* Frees the nodes but keeps every scalar string (and the file name) until
 * ydoc_release: for a reader that borrowed strings and is done with the
 * tree, so the next document can reuse the memory. */
void ydoc_drop_tree(struct ydoc *doc);
void ydoc_release(struct ydoc *doc);
/* The node memory of dropped and released trees is kept for the next parse
 * in the same thread; this frees it (after loading a batch of files). */
void ydoc_trim(void);

/* Lookup helpers. ynode_get returns NULL when map is not a mapping or lacks key. */
const struct ynode *ynode_get(const struct ynode *map, const char *key);
bool ynode_is_null(const struct ynode *n);
/* Typed reads of a plain scalar: 0 on success, -1 when it is not of that type. */
int ynode_long(const struct ynode *n, long *out);
int ynode_double(const struct ynode *n, double *out);
int ynode_bool(const struct ynode *n, bool *out);
const char *ynode_kind_name(const struct ynode *n);

#endif
