/*
 * answer: a free-text answer prepared for rubric matching, once per answer:
 * the normalised text (typographic quotes and dashes made plain, Unicode
 * spaces and line breaks made single spaces, Markdown backticks, fences and
 * emphasis pairs removed, a word hyphenated at a line break joined), its
 * sentences and clauses, its words, and the negators in it. The raw text is
 * kept for `code` patterns.
 *
 * Sentences end at '.', '!' or '?' before a space or the end, at a blank
 * line, a Markdown list item or heading, and around a code block (its own
 * sentence): fenced, indented four spaces after a blank line, or Python
 * lines at the margin (def, class, import, a decorator, an assignment, a
 * call, a compound statement ending in ':') after a blank line, a line
 * ending in ':' or at the start, with the indented and comment lines that
 * follow; not after an abbreviation (e.g., i.e., vs., etc.,
 * cf., approx., Mr., Dr.), inside an ellipsis followed by a lower-case word,
 * or inside a code span or block. Decimals (3.12) and dotted names
 * (asyncio.create_task) never end one: their dot is not before a space.
 * Clauses split a sentence at ';', at ':' before a space, at " - ", and
 * before but, whereas, while, whilst, although, though, however, unlike,
 * instead and yet; never at a plain comma or at 'and'.
 * A sentence that opens by denying itself ("It is not true that ...",
 * "It's a myth that ...", "It is false that ...", "It is wrong to say
 * that ...", "It is not the case that ...") is denied up to its first
 * semicolon or colon, or as a whole when it has none: every match there,
 * in any clause, is negated. What follows a semicolon or colon states the
 * correction, unless it opens with a denial of its own.
 *
 * It also compares a typed answer with the right one, for the partial credit
 * shown after a wrong answer: the longest run of an order answer in the
 * right relative order, a line diff of program output, and whether two
 * outputs differ only in whitespace or quote style.
 *
 * Pure C: no regex, no I/O. Ownership: a struct answer owns its arrays and
 * the normalised text until answer_release(); raw is borrowed.
 */
#ifndef PYDOJO_ANSWER_H
#define PYDOJO_ANSWER_H

#include <stdbool.h>
#include <stddef.h>

/* A byte range [start, end) of the normalised text. */
struct answer_span {
	size_t start, end;
};

struct answer {
	const char *raw;                    /* borrowed */
	char *text;                         /* normalised, NUL-terminated */
	size_t len;
	struct answer_span *sentences, *clauses, *words, *negators;
	size_t nsentences, nclauses, nwords, nnegators;
	size_t *clause_of_sentence;        /* the index of each sentence's first clause */
	bool *list_item;                   /* whether each sentence opens a list item */
	struct answer_span *denials;       /* the parts of sentences that deny themselves */
	size_t ndenials;
	/* The parts a reject passes over: a pitfall named ("the classic
	 * mistake is ..."), "unlike X, which ...", a question. */
	struct answer_span *unasserted;
	size_t nunasserted;
	/* The comments of code blocks ('#' to the end of its line): a negator
	 * there denies what the same comment says, and nothing else. */
	struct answer_span *comments;
	size_t ncomments;
	/* Where the learner's own words start in text: 0, or after the question
	 * they answer (a follow-up), which only lends its subject (grade.h). */
	size_t given;
	const char *given_raw;             /* the learner's raw words, or NULL: raw */
};

/* Prepares raw, which must be valid UTF-8. */
void answer_prepare(struct answer *a, const char *raw);
void answer_release(struct answer *a);

/* The index of the clause holding byte offset pos (the last one whose start
 * is at or before pos). */
size_t answer_clause_at(const struct answer *a, size_t pos);
/* The index of the sentence holding byte offset pos. */
size_t answer_sentence_at(const struct answer *a, size_t pos);
/* Whether byte offset pos lies where a reject does not fire: after words
 * that name a pitfall ("it's tempting to", "the trap is", "often mistaken
 * for") up to the next comma or the end of the clause, in "unlike X,
 * which ...", or in a question. */
bool answer_unasserted(const struct answer *a, size_t pos);
/* The number of words wholly inside [from, to). */
size_t answer_words_between(const struct answer *a, size_t from, size_t to);

/* Whether the match [start, end) is negated (see the RUBRICS section of
 * pydojo(1)): in a denied sentence, or a negator inside it (unless inner_ok, for a pattern whose own
 * text says the negation), or one before it in the same clause, with no
 * comma between and at most 4 words between, that is not followed within 2
 * words by one of the n other matches others[] that lies before the match
 * (a negator followed by another subject negates that subject). A negator
 * inside one of the nown spans own[] is not counted: it belongs to a claim
 * whose pattern states the negation itself ("@not @wait"), and says nothing
 * of the subject after it. */
bool answer_negated(const struct answer *a, size_t start, size_t end, bool inner_ok,
                    const struct answer_span *others, size_t n, const struct answer_span *own, size_t nown);

/* The same, but by the negators of its clause only: a match in a denied
 * sentence ("It's a myth that list.pop(0) is cheap") still names what the
 * learner talks about. */
/* Whether a negator starts in [start, end). */
bool answer_negator_in(const struct answer *a, size_t start, size_t end);

bool answer_negated_in_clause(const struct answer *a, size_t start, size_t end, bool inner_ok,
                              const struct answer_span *others, size_t n, const struct answer_span *own, size_t nown);
/* Whether subject is the object of an "unlike" followed by a relative
 * clause that holds claim: "Unlike select, which scans every descriptor,
 * epoll ..." says the scan of select, which the "unlike" does not deny. */
bool answer_unlike_relative(const struct answer *a, struct answer_span subject, struct answer_span claim);

/* Whether the text (a pattern's source) holds a negator word. */
bool answer_has_negator(const char *text);
/* Whether the text (a term's entry) states a negation with more than its
 * negators: "no longer reachable", "never freed"; not "not", "no longer". */
bool answer_negating_phrase(const char *text);

/* ---- partial credit ---- */

/* The longest run of seq[0..n) in the right relative order: the longest
 * strictly increasing subsequence of its values (the first such one found
 * when there are several). Sets in_run[k] for each member (in_run holds n
 * entries) and returns its length. */
size_t answer_longest_run(const size_t *seq, size_t n, bool *in_run);

/* One line of a line diff: kept (' '), only in the expected text ('-') or
 * only in the answer ('+'); text and len point into the compared strings
 * (borrowed), without the newline or trailing blanks. */
struct answer_diff_line {
	char op;
	const char *text;
	size_t len;
};

/* A minimal line diff of answer against expected (the longest common
 * subsequence of their lines), lines compared as grading compares output:
 * trailing spaces, tabs and CR left out, trailing blank lines ignored.
 * Sets *out to a new array of lines (caller frees) and returns how many.
 * Beyond ANSWER_DIFF_MAX line pairs the diff is every expected line
 * removed, then every answer line added. */
#define ANSWER_DIFF_MAX (1024u * 1024)   /* a 4 MiB table at most */
size_t answer_diff_lines(const char *expected, const char *answer, struct answer_diff_line **out);

/* How a wrong output answer is near the expected one. */
enum answer_near {
	ANSWER_NEAR_NONE,
	ANSWER_NEAR_SPACE,        /* equal once whitespace is ignored: indentation,
	                           * blank lines, runs of spaces */
	ANSWER_NEAR_QUOTES,       /* equal once ' and " are taken as one */
	ANSWER_NEAR_BOTH,         /* equal only ignoring both */
};
enum answer_near answer_output_near(const char *expected, const char *answer);

#endif
