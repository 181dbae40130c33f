/*
 * terms: the vocabulary of rubric patterns (a content root's terms.yaml)
 * and the expansion of a pattern's @name and ' .. ' into PCRE2 source.
 *
 * A term set is a name ([a-z0-9-]+) and entries. An entry is a literal
 * phrase, matched without case: a space or hyphen in it matches any run of
 * spaces and hyphens or none ("event loop" = "event-loop" = "eventloop"),
 * a '/' between letters may be left out ("I/O" = "IO"), every other
 * character is literal. A word ending in '+' stands for its English forms:
 * base, -s/-es, -d/-ed, -ing, with e-drop, y to -ies/-ied and a doubled
 * final consonant after consonant-vowel-consonant ("run+" -> running, both
 * spellings kept, since over-generating is harmless). In any form,
 * ise/isation/yse also match ize/ization/yze and back. An entry "@name"
 * includes another set. A set matches as whole words, longest alternatives
 * first: (?<!\w)(?:...)(?!\w).
 *
 * A vocabulary may extend a base one (a --content root's over the shipped
 * root's): its sets are the base's plus its own, and a name both define has
 * both sets' entries, in that vocabulary only.
 *
 * It builds PCRE2 source text but never compiles it (regex does). Errors
 * (an unknown name, a cycle of includes) go to a struct diag at the entry.
 *
 * Ownership: entry texts and file names are borrowed and must outlive the
 * vocabulary; expansions returned by terms_expand are new strings the caller
 * frees.
 */
#ifndef PYDOJO_TERMS_H
#define PYDOJO_TERMS_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

struct terms;

struct terms *terms_new(void);
void terms_free(struct terms *t);
/* Sets the vocabulary t extends (before the first expansion), or NULL. */
void terms_set_base(struct terms *t, struct terms *base);
/* Adds an entry to set name (created when new), found at file:line:col. */
void terms_add(struct terms *t, const char *name, const char *entry, const char *file, int line, int col);
/* Checks every set t itself defines, reporting each invalid or unknown
 * include and each cycle once, at its entry, to d, without expanding any
 * (expansion happens when a pattern uses the set). Returns 0 when it
 * reported none. */
int terms_check(struct terms *t, struct diag *d);
/* A hash of every set and entry in t's scope (its base's and its own), the
 * same for the same vocabulary text: what an expansion depends on. */
unsigned long long terms_fingerprint(struct terms *t);

/* Expands pattern: each @name not preceded by a backslash nor inside a
 * character class becomes the set's whole-word alternation, and " .. "
 * becomes a bounded "then, later" gap (.{0,160}?); an accented Latin
 * letter not escaped becomes its plain one, as answers are folded (a
 * ligature's two letters only outside a class, and never a range's end).
 * t may be NULL (no
 * sets). Returns a new string, or NULL with *bad set to the byte offset of
 * the unknown @name (or of a name in a cycle). */
char *terms_expand(struct terms *t, const char *pattern, size_t *bad);
/* The whole-word alternation (as a set expands) of every literal entry
 * keep() accepts among the sets that the n patterns' @names use and the
 * sets those include; NULL when there is none (or t is NULL). Patterns may
 * be NULL. New string. */
char *terms_expand_kept(const struct terms *t, const char *const *patterns, size_t n, bool (*keep)(const char *entry));
/* The pattern with each @name replaced by as many 'x' and nothing else:
 * the same offsets as the source, for locating a syntax error. */
char *terms_skeleton(const char *pattern);

/* The regex source of one phrase (as a set entry), for tests. New string.
 * As in terms_expand, an accented Latin letter is its plain one, as
 * answers are folded (util.h). */
char *terms_phrase(const char *entry);

#endif
