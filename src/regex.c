/*
 * regex: the one place that includes pcre2.h.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "regex.h"

#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Generous for any real answer or lesson, tiny against catastrophic
 * backtracking: a pathological pattern gives up in milliseconds. */
#define MATCH_LIMIT 1000000u
#define DEPTH_LIMIT 10000u

#define HEAP_LIMIT_KIB 65536u

/* While JIT is deferred, a pattern is compiled to machine code after this
 * many matches anyway: by then JIT pays for itself. */
#define JIT_AFTER_USES 16u

struct regex {
	pcre2_code *code;
	bool jit_tried;
	/* Compiled patterns are shared: a rubric's vocabulary makes the same
	 * expanded pattern (a subject such as '@create-task', a common reject)
	 * recur across questions, and compiling a term set's alternation is
	 * the costly part of loading. Each distinct (pattern, options) is
	 * compiled once and counted. */
	unsigned refs;
	unsigned uses;        /* matches run while JIT was deferred */
	uint32_t opts;
	size_t hash;
	char *src;
	struct regex *next;   /* in its bucket */
	/* regex_skip's byte (both cases of a letter), or none when nskip is 0;
	 * maxlen bounds the text it may judge (SIZE_MAX: any). */
	unsigned char skip[2];
	int nskip;
	size_t maxlen;
};

#define INTERN_BUCKETS 1024u
static struct regex *interned[INTERN_BUCKETS];

static size_t intern_hash(const char *s, uint32_t opts)
{
	size_t h = 1469598103934665603u ^ opts;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* One match context (the limits) and one match block shared by every
 * pattern: the interpreter keeps its backtracking frames in the match block,
 * so one block per pattern would hold tens of KiB for each of hundreds of
 * rubric patterns. Only the whole match's offsets are ever read, so a small
 * ovector serves every pattern (a match that captures more still counts). */
static pcre2_match_context *shared_mctx;
static pcre2_match_data *shared_md;

static void shared_init(void)
{
	if (shared_md)
		return;
	shared_mctx = pcre2_match_context_create(NULL);
	shared_md = pcre2_match_data_create(16, NULL);
	if (!shared_mctx || !shared_md)
		abort();
	pcre2_set_match_limit(shared_mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(shared_mctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(shared_mctx, HEAP_LIMIT_KIB);
}

/* While set, matches run in the interpreter and leave JIT for later. */
static bool jit_deferred;

void regex_defer_jit(bool defer)
{
	jit_deferred = defer;
}

/* The longest remaining subject for which PCRE2 looks for a pattern's last
 * literal code unit before trying any match: its interpreter does so for up
 * to 5,000 bytes (REQ_CU_MAX) from an anchored pattern and 5,000,000 from an
 * unanchored one, its JIT for up to 100 * REQ_CU_MAX = 500,000. Beyond that
 * a subject lacking the byte is tried, and a try can hit a limit. */
#define REQ_SCAN_ANCHORED 5000u
#define REQ_SCAN_ANY 500000u

/* Picks the byte regex_skip looks for: the one PCRE2's own start-up checks
 * use to say "no match" before trying any, so that skipping text without it
 * gives exactly the outcome of matching there, limits included. A first code
 * unit of an unanchored pattern: PCRE2 searches the whole subject for it
 * (either case when caseless) and, not finding it, tries nothing. Otherwise
 * the last literal code unit: looked for from the start only within the
 * lengths above. PCRE2 sets neither for a pattern that can match the empty
 * string, nor for a caseless character with more than one other case (the k
 * of the Kelvin sign). A caseless unit is always an ASCII byte whose other
 * case comes from the ASCII table; whether it is caseless PCRE2 does not say,
 * so a letter is looked for in both cases (a superset). */
static void skip_init(struct regex *re)
{
	uint32_t opts = 0, type = 0, unit = 0;
	pcre2_pattern_info(re->code, PCRE2_INFO_ALLOPTIONS, &opts);
	if (opts & PCRE2_NO_START_OPTIMIZE)
		return;   /* (*NO_START_OPT): PCRE2 tries every start */
	bool anchored = opts & PCRE2_ANCHORED;
	if (!anchored && pcre2_pattern_info(re->code, PCRE2_INFO_FIRSTCODETYPE, &type) == 0 && type == 1) {
		pcre2_pattern_info(re->code, PCRE2_INFO_FIRSTCODEUNIT, &unit);
		re->maxlen = SIZE_MAX;
	} else if (pcre2_pattern_info(re->code, PCRE2_INFO_LASTCODETYPE, &type) == 0 && type == 1) {
		pcre2_pattern_info(re->code, PCRE2_INFO_LASTCODEUNIT, &unit);
		re->maxlen = (anchored ? REQ_SCAN_ANCHORED : REQ_SCAN_ANY) - 1;
	} else {
		return;
	}
	if (unit > 0xff)
		return;
	re->skip[0] = (unsigned char)unit;
	re->nskip = 1;
	if ((unit | 0x20) >= 'a' && (unit | 0x20) <= 'z')
		re->skip[re->nskip++] = (unsigned char)(unit ^ 0x20);
}

struct regex *regex_compile(const char *pattern, unsigned flags, char **err, size_t *offset)
{
	uint32_t opts = PCRE2_UTF;
	if (!(flags & REGEX_ASCII_WORDS))
		opts |= PCRE2_UCP;
	if (flags & REGEX_CASELESS)
		opts |= PCRE2_CASELESS;
	if (flags & REGEX_VALID_UTF8)
		opts |= PCRE2_NO_UTF_CHECK;
	size_t h = intern_hash(pattern, opts);
	for (struct regex *r = interned[h % INTERN_BUCKETS]; r; r = r->next)
		if (r->hash == h && r->opts == opts && strcmp(r->src, pattern) == 0) {
			r->refs++;
			return r;
		}
	int code;
	PCRE2_SIZE off;
	pcre2_code *c = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &code, &off, NULL);
	if (!c) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(code, msg, sizeof msg);
		if (err)
			*err = xstrdup((const char *)msg);
		if (offset) {
			/* PCRE2 gives a byte offset; report code points, as an editor would. */
			size_t cp = 0;
			for (size_t i = 0; i < off && pattern[i]; i++)
				if (((unsigned char)pattern[i] & 0xc0) != 0x80)
					cp++;
			*offset = cp;
		}
		return NULL;
	}
	struct regex *re = xcalloc(1, sizeof *re);
	re->code = c;
	re->refs = 1;
	re->opts = opts;
	re->hash = h;
	re->src = xstrdup(pattern);
	re->next = interned[h % INTERN_BUCKETS];
	interned[h % INTERN_BUCKETS] = re;
	skip_init(re);
	shared_init();
	return re;
}

void regex_free(struct regex *re)
{
	if (!re || --re->refs > 0)
		return;
	struct regex **p = &interned[re->hash % INTERN_BUCKETS];
	while (*p != re)
		p = &(*p)->next;
	*p = re->next;
	pcre2_code_free(re->code);
	free(re->src);
	free(re);
}

void regex_jit(struct regex *re)
{
	/* JIT is an optimisation: when it is unavailable the interpreter runs. */
	if (re && !re->jit_tried) {
		pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE);
		re->jit_tried = true;
	}
}

static enum regex_result search(struct regex *re, const char *subject, size_t len, size_t from,
                                uint32_t opts, size_t *start, size_t *end, char **err)
{
	/* A pattern that validation keeps using (shared by many questions)
	 * earns its machine code even while JIT is deferred. */
	if (!re->jit_tried && (!jit_deferred || ++re->uses > JIT_AFTER_USES))
		regex_jit(re);
	int rc = pcre2_match(re->code, (PCRE2_SPTR)subject, len, from, opts, shared_md, shared_mctx);
	if (rc >= 0) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(shared_md);
		*start = ov[0];
		*end = ov[1];
		return REGEX_MATCH;
	}
	if (rc == PCRE2_ERROR_NOMATCH)
		return REGEX_NOMATCH;
	if (err) {
		const char *why;
		switch (rc) {
		case PCRE2_ERROR_MATCHLIMIT:
			why = "regex match limit exceeded";
			break;
		case PCRE2_ERROR_HEAPLIMIT:
			why = "regex memory limit exceeded";
			break;
		case PCRE2_ERROR_DEPTHLIMIT:
			why = "regex depth limit exceeded";
			break;
		default:
			why = rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21 ? "invalid UTF-8" : "regex match failed";
			break;
		}
		*err = xstrdup(why);
	}
	return REGEX_LIMIT;
}

enum regex_result regex_next(struct regex *re, const char *subject, size_t len, struct regex_scan *scan,
                             size_t *start, size_t *end, char **err)
{
	if (scan->from > len)
		return REGEX_NOMATCH;
	/* PCRE2 validates from the start offset to the end of the subject at
	 * every call: once is enough. */
	uint32_t opts = scan->checked ? PCRE2_NO_UTF_CHECK : 0;
	/* After an empty match, the next may not be empty at the same place.
	 * One unanchored search does what pcre2demo does in two (a non-empty
	 * match tried anchored there, then a search one character on), since
	 * the search itself moves on by whole characters; and the JIT cannot
	 * run an anchored retry, which would go to the interpreter. */
	if (scan->nonempty)
		opts |= PCRE2_NOTEMPTY;
	else if (scan->empty)
		opts |= PCRE2_NOTEMPTY_ATSTART;
	enum regex_result r = search(re, subject, len, scan->from, opts, start, end, err);
	if (r == REGEX_LIMIT)
		return r;   /* the subject may not be valid: never skip the check after this */
	scan->checked = true;
	if (r == REGEX_MATCH) {
		scan->from = *end;
		scan->empty = *start == *end;
	} else {
		scan->from = SIZE_MAX;   /* the scan is over */
	}
	return r;
}

const char *regex_skip(const struct regex *re, const char *s, const char *end, struct regex_skip *k)
{
	if (!re->nskip || (size_t)(end - s) > re->maxlen)
		return s;
	/* As PCRE2 does: remember where each case was found, so a byte that
	 * is frequent in one case and absent in the other is not searched for
	 * again to the end of the text at every call. */
	const char *best = end;
	for (int i = 0; i < re->nskip; i++) {
		if (!k->at[i] || k->at[i] < s) {
			const char *f = memchr(s, re->skip[i], (size_t)(end - s));
			k->at[i] = f ? f : end;
		}
		if (k->at[i] < best)
			best = k->at[i];
	}
	return best;
}

enum regex_result regex_match(struct regex *re, const char *subject)
{
	size_t s, e;
	return search(re, subject, strlen(subject), 0, PCRE2_NO_UTF_CHECK, &s, &e, NULL);
}

const char *regex_source(const struct regex *re)
{
	return re->src;
}

const char *regex_version(void)
{
	static char v[64];
	if (!v[0] && pcre2_config(PCRE2_CONFIG_VERSION, v) < 0)
		strcpy(v, "?");
	return v;
}
