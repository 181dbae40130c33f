/*
 * libFuzzer harness: needles (needle.h). The input is PATTERN \0 TEXT. A
 * pattern that compiles (caseless, as rubric patterns are) and has needles
 * must never match a text that holds none of them: that would let grading
 * skip a pattern that matches. It aborts when one does. The text also
 * prices the needles, so they are the ones it lacks where there is a
 * choice.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz.h"
#include "needle.h"
#include "regex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *z = memchr(data, '\0', size);
	if (!z)
		return 0;
	char *pattern = xstrndup((const char *)data, (size_t)(z - data));
	char *text = xstrndup((const char *)z + 1, size - (size_t)(z - data) - 1);
	size_t bad;
	char *err = NULL;
	struct regex *re = utf8_valid(pattern, strlen(pattern), &bad) && utf8_valid(text, strlen(text), &bad)
	                           ? regex_compile(pattern, REGEX_RUBRIC, &err, NULL)
	                           : NULL;
	free(err);
	/* Priced by the text itself, the needles chosen are those it does not
	 * hold, wherever the pattern allows a choice. */
	char *folded = xmalloc(strlen(text) + 1);
	size_t n = needle_fold(folded, text, strlen(text));
	const char *texts[] = {folded};
	struct needle_corpus corpus = {texts, &n, 1, NULL};
	char *needles = re ? needle_of(pattern, strlen(pattern), &corpus) : NULL;
	/* The grams never stop a needle the text holds. */
	struct needle_grams grams;
	needle_grams_of(&grams, folded, n);
	if (needles && needle_any(needles, folded, n, NULL) != needle_any(needles, folded, n, &grams)) {
		fprintf(stderr, "the grams of '%s' stop a needle it holds\n", text);
		abort();
	}
	if (needles && regex_match(re, text) == REGEX_MATCH) {
		if (!needle_any(needles, folded, n, &grams)) {
			fprintf(stderr, "pattern '%s' matches '%s', which holds none of its needles\n", pattern, text);
			abort();
		}
	}
	free(folded);
	free(needles);
	regex_free(re);
	free(pattern);
	free(text);
	return 0;
}
