/*
 * ycache: a cache of parsed content files, so that the commands that do not
 * validate content (all but `check`) skip libyaml for files that have not
 * changed. One file ($XDG_CACHE_HOME/pydojo/catalog) holds the node trees of
 * the content files a load read, each under the identity of the file it was
 * parsed from: device, inode, size, and modification and change times with
 * nanoseconds. A tree is served only when all of these still match and both
 * times are more than 2 s older than the cache file itself (git's racy-index
 * rule: a change within the same clock tick as the read that filled the
 * cache would leave them equal); otherwise the file is read again. The cache
 * names the binary that wrote it (its version and the identity of the
 * executable) and carries a checksum: a cache from another binary, or a
 * truncated or damaged one, is ignored and rewritten. It is written whole,
 * to a temporary file renamed over the old one.
 *
 * It knows nothing of lessons: the catalog decides what goes in (only trees
 * of files that loaded without an error) and when to save.
 *
 * Ownership: a tree that ycache_get puts in a struct ydoc (its nodes and
 * strings) lives until ycache_free(); ydoc_release() frees only the copy of
 * the file name.
 */
#ifndef PYDOJO_YCACHE_H
#define PYDOJO_YCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

struct ydoc;
struct ycache;

/* Reads the cache at path (which need not exist: a missing, unreadable or
 * damaged cache is an empty one). NULL when the running binary cannot be
 * identified, and then nothing is cached. */
struct ycache *ycache_open(const char *path);
void ycache_free(struct ycache *yc);
/* Fills doc with the cached tree of the file at path, which st (taken
 * before reading it) describes, when the cache holds a tree for exactly
 * that file and it is not racy. Returns whether it did. */
bool ycache_get(struct ycache *yc, const char *path, const struct stat *st, struct ydoc *doc);
/* Frees the tree of doc, which ycache_get filled, once it has been read:
 * its strings stay (they are the cache's), its nodes go, and doc holds no
 * tree. */
void ycache_drop_tree(struct ycache *yc, struct ydoc *doc);
/* Records the tree of doc, just parsed from the file st (taken before
 * reading it) describes, for ycache_save. */
void ycache_put(struct ycache *yc, const struct stat *st, const struct ydoc *doc);
/* Writes the trees served and recorded since ycache_open, when that is not
 * what the file holds already. Failing to write is not an error (the next
 * load reads the YAML again). */
void ycache_save(struct ycache *yc);

/*
 * The verified set: $XDG_CACHE_HOME/pydojo/verified holds the keys of
 * checks that passed, so that `check` runs a check whose every input is
 * unchanged only once. A key is a 128-bit hash of all that decides the
 * outcome (for a text question: its patterns with their terms expanded,
 * its model answer and examples); the file names the binary and the regex
 * library that wrote it, as the cache does, so a new build or library
 * verifies everything again. A missing, foreign or damaged file is an
 * empty set.
 */
struct ycheck_key {
	unsigned long long h[2];
};
struct yverified;

/* Feeds n bytes, or a string (NULL allowed), to a key that starts zeroed. */
void ycheck_key_add(struct ycheck_key *k, const void *data, size_t n);
void ycheck_key_str(struct ycheck_key *k, const char *s);
/* NULL when the running binary cannot be identified (nothing is kept). */
struct yverified *yverified_open(const char *path);
/* Both accept NULL. */
bool yverified_has(const struct yverified *vs, const struct ycheck_key *k);
void yverified_add(struct yverified *vs, const struct ycheck_key *k);
/* Writes the set when keys were added; failing to write is not an error. */
void yverified_save(struct yverified *vs);
void yverified_free(struct yverified *vs);

#endif
