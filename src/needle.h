/*
 * needle: the literal words that every match of a pattern must hold, so a
 * pattern need not run over a text that holds none of them.
 *
 * A pattern's needles are read from its source: a run of at least three
 * letters, digits or underscores that every match spells (no quantifier
 * lets it go, no alternative avoids it), or, for a group every match goes
 * through, the needles of each of its alternatives. Of the runs and groups
 * a pattern goes through, the one least likely to be in a text is chosen.
 * Needles are lower case; they are meant for a pattern compiled caseless,
 * matched against needle_fold()'s copy of the subject, where the two
 * non-ASCII letters PCRE2 matches caselessly with ASCII ones (KELVIN SIGN
 * with k, LONG S with s) are folded too. A pattern that uses an inline
 * option, a backtracking verb or \Q quoting has no needles.
 *
 * Needles are kept as one string: each needle ends with a NUL, the last
 * one with two.
 */
#ifndef PYDOJO_NEEDLE_H
#define PYDOJO_NEEDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hmap;

/* Texts like those the pattern will be matched against, folded: a word
 * most of them hold is a poor needle. */
struct needle_corpus {
	const char *const *texts;
	const size_t *lens;
	size_t n;
	/* How many texts hold each word priced so far (or NULL): a
	 * question's alternatives price the same words again and again. */
	struct hmap *held;
};

/* The needles of the pattern src[0..len), new (caller frees), or NULL when
 * some match need hold none of at most 32 needles of three bytes or more.
 * corpus (or NULL) prices the choice, never what a needle is. */
char *needle_of(const char *src, size_t len, const struct needle_corpus *corpus);

/* As needle_of, and into *second (new, or NULL) needles from another
 * place in the pattern, one of which every match holds as well: each
 * alternative's second cheapest requirement. A text must hold one of
 * each set. */
char *needle_of_both(const char *src, size_t len, const struct needle_corpus *corpus, char **second);

/* The index after the character class that opens at s[i] ('['), or end:
 * a leading ']' and [:name:] are its own, escapes are skipped. */
size_t needle_class_end(const char *s, size_t i, size_t end);

/* Whether none of the escapes in the pattern src[0..len) is \Q (quoting),
 * \c (a control character: "\c(" is one character) or \g or \k (a
 * reference to a group), which a reader that takes the pattern's text
 * piece by piece would misread. */
bool needle_plain_escapes(const char *src, size_t len);

/* The needles a text holds when it holds one of a or one of b (new), a
 * needle that holds another dropped; NULL when either is NULL or the
 * union passes 32. */
char *needle_union(const char *a, const char *b);

/* The bytes of needles, its last NUL included. */
size_t needle_size(const char *needles);

/* Whether two sets of needles (each NULL or not) are the same. */
bool needle_same(const char *a, const char *b);

/* Writes text[0..len) lowered and folded as needles are into out (len + 1
 * bytes; it never grows), NUL-terminated; returns its length. */
size_t needle_fold(char *out, const char *text, size_t len);

/* The three-byte sequences of a folded text, hashed into a bitmap: a
 * needle one of whose sequences has no bit set is not in the text, known
 * without scanning it. A set bit proves nothing (two sequences may share
 * it), so a needle that passes is still looked for. */
#define NEEDLE_GRAM_BITS 32768
struct needle_grams {
	uint64_t bits[NEEDLE_GRAM_BITS / 64];
};

/* Fills g from the folded text[0..len). */
void needle_grams_of(struct needle_grams *g, const char *folded, size_t len);

/* Whether the folded text holds one of needles; g (or NULL) is the text's
 * needle_grams_of, which spares the scan for most needles it lacks. */
bool needle_any(const char *needles, const char *folded, size_t len, const struct needle_grams *g);

#endif
