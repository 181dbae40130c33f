/*
 * regex: the one wrapper of PCRE2. Patterns are always UTF; caseless on
 * request. Each match runs with match and depth limits, so no pattern can hang
 * the program on any input. JIT compilation happens lazily on the first match
 * (compiling every rubric pattern with JIT at load would cost ten times more
 * than compiling it plain).
 *
 * Ownership: a struct regex owns its compiled code; free it with
 * regex_free(). Compiling a pattern already compiled with the same options
 * returns the same struct regex, counted: each regex_compile() needs its
 * own regex_free(). Every pattern matches through one match block shared by the
 * module, so it is not thread-safe: all matching happens on one thread.
 */
#ifndef PYDOJO_REGEX_H
#define PYDOJO_REGEX_H

#include <stdbool.h>
#include <stddef.h>

struct regex;

enum {
	REGEX_CASELESS = 1,
	REGEX_VALID_UTF8 = 2,   /* the pattern is known to be valid UTF-8: skip PCRE2's check */
	/* \w, \d, \s and \b know ASCII only, not every Unicode letter: for
	 * rubric patterns, run on answers whose accented Latin letters are
	 * folded to plain ones first (answer.h); a quarter fewer instructions
	 * than Unicode properties at every gap. */
	REGEX_ASCII_WORDS = 4,
	REGEX_RUBRIC = REGEX_CASELESS | REGEX_VALID_UTF8 | REGEX_ASCII_WORDS,   /* how every rubric pattern is compiled */
};

/* Compiles pattern. On failure returns NULL, sets *err to a new string
 * (caller frees) and *offset to the code-point offset in the pattern where
 * PCRE2 found the error. */
struct regex *regex_compile(const char *pattern, unsigned flags, char **err, size_t *offset);
void regex_free(struct regex *re);

/* The outcome of a match. A limit hit is neither a match nor a non-match:
 * callers say so rather than count it as either. */
enum regex_result {
	REGEX_NOMATCH = 0,
	REGEX_MATCH = 1,
	REGEX_LIMIT = -1,   /* a match, depth or memory limit was hit, or the match failed */
};

/* A scan over every match of one subject. Zero it before the first
 * regex_next(), and set checked when the subject is known to be valid UTF-8
 * (an invalid one is then undefined behaviour). */
struct regex_scan {
	size_t from;        /* where the next search starts */
	bool empty;         /* the previous match was empty and ended at from */
	bool checked;       /* the subject's UTF-8 has been validated */
	bool nonempty;      /* the caller wants only non-empty matches from now on */
};

/* Finds the next match in subject[0..len) after the previous one, as PCRE2's
 * pcre2demo does: after an empty match the next one may not be empty at the
 * same place, and the search moves on by whole characters, never into one.
 * The first call validates the subject's UTF-8 unless scan->checked; later
 * calls skip that check, so a scan costs time linear in len, not once more
 * per match. Returns REGEX_MATCH (setting *start and *end, byte offsets),
 * REGEX_NOMATCH when no match is left, or REGEX_LIMIT (also for invalid
 * UTF-8), setting *err to a new message when err is not NULL (caller frees).
 * With scan->nonempty set, empty matches are skipped inside PCRE2: one call
 * reaches the next non-empty match (the same one the character-by-character
 * walk would reach), where a pattern like 'x?' would otherwise stop at every
 * character. */
enum regex_result regex_next(struct regex *re, const char *subject, size_t len, struct regex_scan *scan,
                             size_t *start, size_t *end, char **err);

/* Where a scan over lines can skip to. For a text ending at end, searched
 * line by line from s, returns the first byte at or after s that some match
 * needs, so that every line wholly before it has no match (regex_next
 * would return REGEX_NOMATCH there without trying any, so no limit could be
 * hit either); end when no line from s on can match; s itself when the
 * pattern gives nothing to skip by. Zero k for each text; s never moves
 * back. */
struct regex_skip {
	const char *at[2];
};
const char *regex_skip(const struct regex *re, const char *s, const char *end, struct regex_skip *k);

/* While defer is true, matches run in PCRE2's interpreter and the JIT
 * compilation of each pattern waits for its first match after the deferral
 * ends, or for its 17th match during it (a pattern shared by many questions
 * is matched often enough to repay its JIT). Validation matches every rubric pattern against a handful of
 * examples once: compiling each to machine code there costs more than it
 * saves (and keeps executable pages for patterns a run may never use). */
void regex_defer_jit(bool defer);
/* Compiles re to machine code now, if that was not tried yet (a match
 * does it otherwise): for a caller with time to spare before matching.
 * NULL is ignored. */
void regex_jit(struct regex *re);

/* Whether the pattern matches anywhere in subject, which the caller has
 * checked is valid UTF-8 (an invalid one here is undefined behaviour): PCRE2
 * skips its own check, which would otherwise run again for every pattern
 * tried on the same text. REGEX_LIMIT when a limit was hit. */
enum regex_result regex_match(struct regex *re, const char *subject);

/* The pattern re was compiled from. */
const char *regex_source(const struct regex *re);

/* The PCRE2 library's version, for cache keys: another library may judge
 * a pattern differently. */
const char *regex_version(void);

#endif
