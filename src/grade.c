/*
 * grade: answer parsers and graders. Parsers are strict about what they
 * accept and say why they refuse, so a typo re-prompts instead of counting
 * as a wrong answer. A rubric grades an answer prepared once (answer.h):
 * each point of the rubric language is looked for per clause, then per
 * sentence (a claim not negated, bound to its subject), a legacy point on
 * the whole normalised text, a code pattern on the raw text.
 */
#include "grade.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "answer.h"
#include "catalog.h"
#include "needle.h"
#include "regex.h"
#include "util.h"

/* How many list items a subject is carried past, from the list's lead-in. */
#define MAX_ITEMS_BACK 8

/* The bytes of a question's rejects from which they are split into parts
 * even when no alternative is shared. */
#define SPLIT_MIN 1024

/* The matches of one pattern in a unit, at most MAX_HITS. */
#define MAX_HITS 32

struct hits {
	struct answer_span v[MAX_HITS];
	size_t n;
};

/* What a question's reject parts found in one answer, each found once. */
struct part_state {
	enum regex_result r;
	size_t first;   /* where its first match starts, when it matched */
	bool known;
	bool absent;    /* the answer lacks its needles: it matches nowhere */
	/* The start of its first match at or after next_from in the whole
	 * text (SIZE_MAX: none), when next_known: over_units asks again and
	 * again, mostly for places a found start is still the answer for. */
	bool next_known;
	size_t next_from, next;
};

struct parts_memo {
	const struct question *q;
	struct part_state *part;
	char *folded;   /* the answer after the question it answers, for needles */
	size_t nfolded;
	struct needle_grams *grams;   /* folded's */
};

static bool is_word_byte(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (unsigned char)c >= 0x80;
}

/* Makes the match m the shorter one the pattern finds from m's start
 * before the first negator inside m, when there is one: "nothing printed:
 * the body hasn't started" states "nothing printed" whatever the rest
 * denies, and a longer match through the negator (the first alternative
 * that fits) must not hide it. */
static void shorten(struct regex *re, const struct answer *a, struct answer_span *m)
{
	size_t lo = 0, hi = a->nnegators;
	while (lo < hi) {   /* the first negator starting after m's start */
		size_t mid = (lo + hi) / 2;
		if (a->negators[mid].start <= m->start)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == a->nnegators || a->negators[lo].start >= m->end)
		return;
	size_t cut = a->negators[lo].start;
	while (cut > m->start && a->text[cut - 1] == ' ')
		cut--;
	struct regex_scan scan = {.from = m->start, .checked = true};
	size_t s, e;
	if (cut > m->start && regex_next(re, a->text, cut, &scan, &s, &e, NULL) == REGEX_MATCH && s == m->start)
		m->end = e;
}

/* Where the search after a match starting at s goes on: at the next word,
 * not after the match, since a match that starts at a negated word ("isn't
 * thread-safe .. threads take turns") must not hide one that starts later
 * inside it. */
static size_t next_word(const struct answer *a, size_t s, size_t end)
{
	size_t next = s + 1;
	while (next < end && ((unsigned char)a->text[next] & 0xc0) == 0x80)
		next++;
	while (next < end && is_word_byte(a->text[next - 1]) && is_word_byte(a->text[next]))
		next++;
	return next;
}

/* Collects the matches of re in [start, end) of the text, one for each
 * word where a match starts. Returns false on
 * a regex limit. */
static bool collect(struct regex *re, const struct answer *a, size_t start, size_t end, struct hits *h)
{
	h->n = 0;
	if (!re)
		return true;
	struct regex_scan scan = {.from = start, .checked = true};
	size_t s, e;
	enum regex_result r = REGEX_NOMATCH;
	while (h->n < MAX_HITS && (r = regex_next(re, a->text, end, &scan, &s, &e, NULL)) == REGEX_MATCH) {
		h->v[h->n++] = (struct answer_span){s, e};
		shorten(re, a, &h->v[h->n - 1]);
		scan.from = next_word(a, s, end);
		scan.empty = false;
	}
	return h->n == MAX_HITS || r != REGEX_LIMIT;
}

/* Whether the negators inside the match m of a role's pattern belong to
 * it: the pattern states a negation ("does ?n.t block") and this match
 * needs its negator. With every negator inside m made a plain word, the
 * pattern no longer matches m's span exactly; a match whose negator a gap
 * took ("runs (\w+ ){0,3}concurrently" over "runs not concurrently")
 * still does, and owns none, though another alternative of its pattern
 * says "never". A match with no negator inside is judged by the pattern
 * (answer_negated's inner_ok). */
static bool owns_negators(const struct rubric_point *p, enum rubric_role role, const struct answer *a,
                          struct answer_span m, size_t end)
{
	if (!catalog_rubric_negative(p, role))
		return false;
	bool inside = false;
	for (size_t i = 0; i < a->nnegators; i++) {
		const struct answer_span *g = &a->negators[i];
		if (g->start < m.start && g->end > m.start) {
			/* m starts inside a negator: "like" in "unlike" is
			 * negated by it; "n't" in "doesn't" is the negator,
			 * spelled by the pattern or taken by it. */
			if (m.start + 3 > a->len || strncasecmp(a->text + m.start, "n't", 3) != 0)
				return false;
			inside = true;
		}
		inside |= g->start >= m.start && g->start < m.end;
	}
	if (!inside)
		return true;
	char small[2048];   /* most answers: no allocation */
	char *t = end < sizeof small ? small : xmalloc(end + 1);
	memcpy(t, a->text, end);
	t[end] = '\0';
	for (size_t i = 0; i < a->nnegators; i++) {
		const struct answer_span *g = &a->negators[i];
		if (g->start < m.end && g->end > m.start)
			for (size_t k = g->start; k < g->end && k < end; k++)
				if (t[k] != ' ')
					t[k] = 'q';
	}
	struct regex_scan scan = {.from = m.start, .checked = true};
	size_t s, e;
	enum regex_result r = regex_next(catalog_rubric_regex(p, role), t, end, &scan, &s, &e, NULL);
	if (t != small)
		free(t);
	return !(r == REGEX_MATCH && s == m.start && e == m.end);
}

/* The matches of the other roles, for the negation of a match of one: a
 * negator followed by one of them negates it, not the match. */
static size_t others_of(struct answer_span *out, const struct hits *x, const struct hits *y, const struct hits *z)
{
	size_t n = 0;
	const struct hits *all[3] = {x, y, z};
	for (int k = 0; k < 3; k++)
		for (size_t i = 0; all[k] && i < all[k]->n; i++)
			out[n++] = all[k]->v[i];
	return n;
}

/* The gap between two matches in bytes, 0 when they overlap. */
static size_t gap(struct answer_span x, struct answer_span y)
{
	return x.end <= y.start ? y.start - x.end : y.end <= x.start ? x.start - y.end : 0;
}

/* How far apart two matches stand: 2 across a semicolon or a colon, 1
 * across a comma, 0 in one phrase; punctuation counts where a space
 * follows it, as in prose. */
static int separation(const struct answer *a, struct answer_span x, struct answer_span y)
{
	size_t from = x.end <= y.start ? x.end : y.end, to = x.end <= y.start ? y.start : x.start;
	if (to <= from)
		return 0;
	int level = 0;
	for (size_t i = from; i < to && level < 2; i++) {
		char c = a->text[i];
		if (c != ';' && c != ':' && c != ',')
			continue;
		/* Punctuation inside a token ("10:00:00", "https://", "f(a,b)")
		 * separates nothing. */
		if (i + 1 < a->len && a->text[i + 1] != ' ')
			continue;
		level = c == ',' ? 1 : 2;
	}
	return level;
}

/* Whether an about match A binds to the claim S against every not_about
 * match: a subject in the claim's own phrase wins over one beyond a comma
 * ("await is sequential, create_task is concurrent"), and one beyond a comma
 * over one beyond a semicolon or colon; then the nearer wins, and on a tie
 * the one before the claim. */
static bool binds(struct answer_span s, struct answer_span about, const struct answer *a, const struct hits *no,
                  const bool *no_neg)
{
	size_t da = gap(about, s);
	bool a_before = about.end <= s.start;
	int a_sep = separation(a, about, s);
	for (size_t i = 0; i < no->n; i++) {
		if (no_neg[i])
			continue;
		int n_sep = separation(a, no->v[i], s);
		if (a_sep != n_sep) {
			if (a_sep > n_sep)
				return false;
			continue;
		}
		size_t d = gap(no->v[i], s);
		if (d < da || (d == da && da > 0 && no->v[i].end <= s.start && !a_before))
			return false;
	}
	return true;
}

enum unit_result { UNIT_NONE, UNIT_FOUND, UNIT_LIMIT };

/* What a search for a point's claim learns once per answer: whether the
 * answer names the point's subject or a contrasted one anywhere (-1 until
 * looked for). */
struct claim_ctx {
	int named;
};

/* Whether the answer, and the question a follow-up answers, name neither
 * p's subject nor a contrasted one anywhere (a regex limit counts as
 * naming one). */
static bool unnamed(const struct rubric_point *p, const struct answer *a, struct claim_ctx *ctx)
{
	if (ctx->named < 0) {
		struct regex *about = catalog_rubric_regex(p, RUBRIC_ABOUT),
		             *not_about = catalog_rubric_regex(p, RUBRIC_NOT_ABOUT);
		ctx->named = regex_match(about, a->text) != REGEX_NOMATCH ||
		             (not_about && regex_match(not_about, a->text) != REGEX_NOMATCH);
	}
	return !ctx->named;
}

/* Whether a match spans more than one word: a phrase that states a
 * property, not a lone word that needs its subject to mean it. */
static bool phrase(const struct answer *a, struct answer_span m)
{
	return memchr(a->text + m.start, ' ', m.end - m.start) != NULL;
}

/* Whether a unit whose sentence names neither subject is about the
 * point's subject by carrying on from the sentences before: the nearest of
 * the two before it that names a subject names the point's first (an about
 * match, not negated), not the contrasted one. "Call create_task. It
 * schedules the coroutine."; "gather raises at once. A and C keep running."
 * In a list, the items before are passed over up to the lead-in line. */
static bool carried_subject(const struct rubric_point *p, const struct answer *a, size_t start)
{
	size_t si = answer_sentence_at(a, start);
	if (si == 0)
		return false;
	struct regex *about = catalog_rubric_regex(p, RUBRIC_ABOUT), *not_about = catalog_rubric_regex(p, RUBRIC_NOT_ABOUT);
	struct hits ha, hn;
	const struct answer_span *cur = &a->sentences[si];
	if (!collect(about, a, cur->start, cur->end, &ha) || !collect(not_about, a, cur->start, cur->end, &hn) ||
	    ha.n || hn.n)
		return false;
	/* A list item carries on from its list's lead-in line ("Threads:"),
	 * past the items before it (at most MAX_ITEMS_BACK of them). */
	size_t limit = 2;
	for (size_t back = 1; back <= limit && back <= si; back++) {
		const struct answer_span *prev = &a->sentences[si - back];
		if (!collect(about, a, prev->start, prev->end, &ha) || !collect(not_about, a, prev->start, prev->end, &hn))
			return false;
		if (!ha.n && !hn.n) {
			if (a->list_item[si] && a->list_item[si - back] && limit < 1 + MAX_ITEMS_BACK)
				limit++;
			continue;
		}
		if (!ha.n || (hn.n && hn.v[0].start <= ha.v[0].start))
			return false;
		/* A denied sentence still names the subject: "It's a myth that
		 * list.pop(0) is cheap. In reality it shifts every element." */
		return !answer_negated_in_clause(a, ha.v[0].start, ha.v[0].end,
		                                 owns_negators(p, RUBRIC_ABOUT, a, ha.v[0], prev->end), hn.v, hn.n, NULL,
		                                 0);
	}
	return false;
}

/* "Unlike X, which P, Y ...": the relative clause says P of X, whatever
 * the distances, and the unlike does not deny it. 1 when X is a subject of
 * the point (ha), -1 when it is the contrasted one (hn), else 0. */
static int unlike_antecedent(const struct answer *a, struct answer_span claim, const struct hits *ha,
                             const struct hits *hn)
{
	for (size_t k = 0; k < ha->n; k++)
		if (answer_unlike_relative(a, ha->v[k], claim))
			return 1;
	for (size_t k = 0; k < hn->n; k++)
		if (answer_unlike_relative(a, hn->v[k], claim))
			return -1;
	return 0;
}

/* Whether the claim of p holds in the unit [start, end): a match of says
 * not negated, bound to a match of about when there is one. */
static enum unit_result claim_in(const struct rubric_point *p, const struct answer *a, size_t start, size_t end,
                                 void *vctx)
{
	struct claim_ctx *ctx = vctx;
	struct regex *says = catalog_rubric_regex(p, RUBRIC_CLAIM), *about = catalog_rubric_regex(p, RUBRIC_ABOUT),
	             *not_about = catalog_rubric_regex(p, RUBRIC_NOT_ABOUT);
	struct hits hs, ha, hn, ho;
	if (!collect(says, a, start, end, &hs) || !collect(about, a, start, end, &ha) ||
	    !collect(not_about, a, start, end, &hn))
		return UNIT_LIMIT;
	/* A wrong claim, like a reject, is passed over where the answer
	 * reports it or names it a pitfall ("It's tempting to say ..."). */
	if (p->is_wrong) {
		size_t k = 0;
		for (size_t i = 0; i < hs.n; i++)
			if (!answer_unasserted(a, hs.v[i].start))
				hs.v[k++] = hs.v[i];
		hs.n = k;
	}
	if (hs.n == 0)
		return UNIT_NONE;
	/* A negator inside an entry that states a negation ("no longer
	 * reachable") belongs to it. */
	if (!collect(catalog_rubric_regex(p, RUBRIC_OWN_NEGATION), a, start, end, &ho))
		ho.n = 0;
	if (about && ha.n == 0) {
		if (hn.n)
			return UNIT_NONE;
		/* The claim is said of the subject the sentence before named or,
		 * in an answer that names neither subject anywhere, of the one in
		 * question, in the answer's own words ("The protected save keeps
		 * running"), when it says a phrase, not a lone "switches" that
		 * needs a subject to give it its sense. */
		bool carried = carried_subject(p, a, start);
		if (!carried && (p->is_wrong || !unnamed(p, a, ctx)))
			return UNIT_NONE;
		struct answer_span others[MAX_HITS];
		size_t no = others_of(others, &hn, NULL, NULL);
		for (size_t i = 0; i < hs.n; i++)
			if ((carried || phrase(a, hs.v[i])) &&
			    !answer_negated(a, hs.v[i].start, hs.v[i].end, owns_negators(p, RUBRIC_CLAIM, a, hs.v[i], end),
			                    others, no, ho.v, ho.n))
				return UNIT_FOUND;
		return UNIT_NONE;
	}
	struct answer_span others[3 * MAX_HITS];
	bool a_neg[MAX_HITS], n_neg[MAX_HITS];
	size_t no = others_of(others, &hs, &hn, NULL);
	/* A claim that states its own negation ('@not @wait') owns its
	 * negators: they do not negate the subjects around it. */
	struct answer_span own[2 * MAX_HITS];
	bool s_own[MAX_HITS];
	size_t nown = 0;
	for (size_t i = 0; i < hs.n; i++)
		if ((s_own[i] = owns_negators(p, RUBRIC_CLAIM, a, hs.v[i], end)))
			own[nown++] = hs.v[i];
	for (size_t i = 0; i < ho.n; i++)
		own[nown++] = ho.v[i];
	for (size_t i = 0; i < ha.n; i++)
		a_neg[i] = answer_negated(a, ha.v[i].start, ha.v[i].end, owns_negators(p, RUBRIC_ABOUT, a, ha.v[i], end),
		                          others, no, own, nown);
	no = others_of(others, &hs, &ha, NULL);
	for (size_t i = 0; i < hn.n; i++)
		n_neg[i] = answer_negated(a, hn.v[i].start, hn.v[i].end,
		                          owns_negators(p, RUBRIC_NOT_ABOUT, a, hn.v[i], end), others, no, own, nown);
	no = others_of(others, &ha, &hn, NULL);
	for (size_t i = 0; i < hs.n; i++) {
		if (answer_negated(a, hs.v[i].start, hs.v[i].end, s_own[i], others, no, ho.v, ho.n))
			continue;
		if (!about)
			return UNIT_FOUND;
		switch (unlike_antecedent(a, hs.v[i], &ha, &hn)) {
		case 1:
			return UNIT_FOUND;
		case -1:
			continue;
		}
		for (size_t k = 0; k < ha.n; k++)
			if (!a_neg[k] && binds(hs.v[i], ha.v[k], a, &hn, n_neg))
				return UNIT_FOUND;
	}
	return UNIT_NONE;
}

/* Where the matches of a pattern start: those of re, or, with memo, those
 * of the parts of memo's question whose points hold bit (a point's reject
 * matches at a place exactly when one of its parts does). */
struct starts {
	struct regex *re;
	struct parts_memo *memo;
	uint32_t bit;
};

/* As collect for re, the whole reject of st's point, when st has its
 * parts: a match of the whole starts exactly where one of its parts
 * matches (in the same text), so the parts the answer may hold (small, and
 * mostly ruled out by their needles) find where, and the whole is run only
 * from there, for the match it gives (its first alternative that matches
 * there). Scanning a unit with the whole reject, every alternative at
 * every place, was most of a reject's time. */
static bool collect_split(struct regex *re, const struct answer *a, size_t start, size_t end,
                          const struct starts *st, struct hits *h)
{
	const struct question *q = st->memo->q;
	/* Where each part next matches in the unit: on the stack for most
	 * questions, whose tuned rejects hold up to a hundred parts or so. */
	struct {
		size_t at, end;
		bool known;
	} small[128], *next = q->nreject_part <= 128 ? small : xmalloc(q->nreject_part * sizeof *next);
	for (size_t k = 0; k < q->nreject_part; k++)
		next[k].known = false;
	h->n = 0;
	bool ok = true;
	for (size_t from = start; h->n < MAX_HITS;) {
		size_t best = SIZE_MAX, kbest = 0, s, e;
		for (size_t k = 0; k < q->nreject_part; k++) {
			const struct part_state *ps = &st->memo->part[k];
			if (!(q->reject_part[k].points & st->bit) || ps->absent)
				continue;
			if (!next[k].known || next[k].at < from) {
				struct regex *part = grade_reject_part(q, k);
				struct regex_scan scan = {.from = from, .checked = true};
				enum regex_result r = part ? regex_next(part, a->text, end, &scan, &s, &e, NULL) : REGEX_LIMIT;
				if (r == REGEX_LIMIT) {
					ok = false;   /* as part_in: a part that does not compile is a limit hit */
					break;
				}
				next[k].at = r == REGEX_MATCH ? s : SIZE_MAX;
				next[k].end = r == REGEX_MATCH ? e : SIZE_MAX;
				next[k].known = true;
			}
			if (next[k].at < best) {
				best = next[k].at;
				kbest = k;
			}
		}
		if (!ok || best == SIZE_MAX)
			break;
		if (q->reject_part[kbest].whole) {
			/* The part is the point's whole reject: its match is the
			 * one (a \K in it moves the start the search gave). */
			s = best;
			e = next[kbest].end;
		} else {
			struct regex_scan scan = {.from = best, .checked = true};
			enum regex_result r = regex_next(re, a->text, end, &scan, &s, &e, NULL);
			if (r == REGEX_LIMIT) {
				ok = false;
				break;
			}
			if (r == REGEX_NOMATCH)
				break;   /* never: the whole matches where its part did (separable) */
		}
		h->v[h->n++] = (struct answer_span){s, e};
		shorten(re, a, &h->v[h->n - 1]);
		from = next_word(a, s, end);
	}
	if (next != small)
		free(next);
	return ok;
}

/* Whether the reject pattern of p fires in the unit: a match not negated. */
static enum unit_result reject_in(const struct rubric_point *p, const struct answer *a, size_t start, size_t end,
                                  void *ctx)
{
	const struct starts *st = ctx;
	struct regex *reject = catalog_rubric_regex(p, RUBRIC_REJECT);
	struct hits hr, hs, ha, hn, ho;
	if (!(st && st->memo ? collect_split(reject, a, start, end, st, &hr) : collect(reject, a, start, end, &hr)))
		return UNIT_LIMIT;
	if (hr.n == 0)
		return UNIT_NONE;
	/* The other roles' matches and the point's own negations only judge
	 * a negator, which a unit mostly lacks: the clause a match starts in
	 * lies inside the unit. */
	ho.n = hs.n = ha.n = hn.n = 0;
	if (answer_negator_in(a, start, end)) {
		if (!collect(catalog_rubric_regex(p, RUBRIC_OWN_NEGATION), a, start, end, &ho))
			ho.n = 0;
		if (!collect(catalog_rubric_regex(p, RUBRIC_CLAIM), a, start, end, &hs) ||
		    !collect(catalog_rubric_regex(p, RUBRIC_ABOUT), a, start, end, &ha) ||
		    !collect(catalog_rubric_regex(p, RUBRIC_NOT_ABOUT), a, start, end, &hn))
			hs.n = ha.n = hn.n = 0;   /* judged without the exception */
	}
	struct answer_span others[3 * MAX_HITS];
	size_t no = others_of(others, &hs, &ha, &hn);
	for (size_t i = 0; i < hr.n; i++)
		if (!answer_unasserted(a, hr.v[i].start) &&
		    !answer_negated(a, hr.v[i].start, hr.v[i].end, owns_negators(p, RUBRIC_REJECT, a, hr.v[i], end), others,
		                    no, ho.v, ho.n))
			return UNIT_FOUND;
	return UNIT_NONE;
}

/* The start of the first match at or after from in a's whole text. */
static enum regex_result next_start(const struct starts *st, const struct answer *a, size_t from, size_t *start)
{
	size_t e;
	if (!st->memo) {
		struct regex_scan scan = {.checked = true, .from = from};
		return regex_next(st->re, a->text, a->len, &scan, start, &e, NULL);
	}
	size_t best = SIZE_MAX;
	for (size_t k = 0; k < st->memo->q->nreject_part; k++) {
		struct part_state *ps = &st->memo->part[k];
		if (!(st->memo->q->reject_part[k].points & st->bit) || !ps->known || ps->r != REGEX_MATCH)
			continue;   /* part_in found it nowhere, or was not asked */
		if (!ps->next_known || from < ps->next_from || from > ps->next) {
			struct regex_scan scan = {.checked = true, .from = from};
			size_t s;
			enum regex_result r = regex_next(st->memo->q->reject_part[k].re, a->text, a->len, &scan, &s, &e, NULL);
			if (r == REGEX_LIMIT)
				return r;
			ps->next_known = true;
			ps->next_from = from;
			ps->next = r == REGEX_MATCH ? s : SIZE_MAX;
		}
		if (ps->next < best)
			best = ps->next;
	}
	*start = best;
	return best == SIZE_MAX ? REGEX_NOMATCH : REGEX_MATCH;
}

/* Runs fn over every clause, then every sentence, until one finds: only
 * over the units where a match starts in the whole text, from the unit
 * holding first (at or before the first match). One search per unit
 * finds them: after a match the search goes on at the next unit, so a
 * match crossing units hides no start (a match inside a unit is a match
 * of the whole text, starting no earlier). The sentences are searched
 * from the clauses' first match; when the clauses' first search finds
 * none, neither can they. */
static enum unit_result over_units(const struct rubric_point *p, const struct answer *a, const struct starts *starts,
                                   enum unit_result (*fn)(const struct rubric_point *, const struct answer *,
                                                          size_t, size_t, void *),
                                   void *ctx, size_t first)
{
	bool limit = false;
	for (int level = 0; level < 2; level++) {
		const struct answer_span *u = level ? a->sentences : a->clauses;
		size_t n = level ? a->nsentences : a->nclauses, i = 0;
		/* The question a follow-up answers is context, never credit. */
		while (i < n && (u[i].start < a->given || u[i].end <= first))
			i++;
		for (bool searched = false; i < n; searched = true) {
			size_t s;
			enum regex_result r = next_start(starts, a, u[i].start, &s);
			if (r != REGEX_MATCH) {
				limit |= r == REGEX_LIMIT;
				if (!searched && !level && r == REGEX_NOMATCH)
					return limit ? UNIT_LIMIT : UNIT_NONE;
				break;
			}
			if (!searched && !level)
				first = s;
			while (i < n && u[i].end <= s)
				i++;
			if (i == n)
				break;
			/* A sentence of one clause was tried as that clause. */
			bool tried = level && a->clause_of_sentence[i] + 1 >= (i + 1 < n ? a->clause_of_sentence[i + 1] : a->nclauses);
			if (!tried) {
				enum unit_result ur = fn(p, a, u[i].start, u[i].end, ctx);
				if (ur == UNIT_FOUND)
					return ur;
				limit |= ur == UNIT_LIMIT;
			}
			i++;
		}
	}
	return limit ? UNIT_LIMIT : UNIT_NONE;
}

/* Whether re matches in a's text after the question a follow-up
 * answers, as regex_match, and where its first match starts in the text. */
static enum regex_result first_match(struct regex *re, const struct answer *a, size_t *first)
{
	struct regex_scan scan = {.checked = true};
	size_t s = 0, e;
	enum regex_result r = regex_next(re, a->text + a->given, a->len - a->given, &scan, &s, &e, NULL);
	*first = a->given + s;
	return r;
}

/* Whether a's text after the question it answers holds one of needles;
 * the text is folded once per answer. */
static bool needles_in(const char *needles, struct parts_memo *memo, const struct answer *a)
{
	if (!memo->folded) {
		memo->folded = xmalloc(a->len - a->given + 1);
		memo->nfolded = needle_fold(memo->folded, a->text + a->given, a->len - a->given);
		memo->grams = xmalloc(sizeof *memo->grams);
		needle_grams_of(memo->grams, memo->folded, memo->nfolded);
	}
	return needle_any(needles, memo->folded, memo->nfolded, memo->grams);
}

/* Whether p's pattern of role (the claim or the reject) may match in a:
 * not when a holds none of its needles (read when first asked). */
static bool may_match(const struct rubric_point *p, enum rubric_role role, const struct answer *a,
                      struct parts_memo *memo)
{
	if (!memo)
		return true;   /* a point graded alone: no text is kept to fold */
	int k = role == RUBRIC_REJECT;
	if (!p->needles_known[k]) {
		/* Read when first asked: a split reject never asks. */
		struct rubric_point *m = (struct rubric_point *)p;   /* read once, changes no content */
		struct regex *x = catalog_rubric_regex(p, role);
		const char *src = x ? regex_source(x) : NULL;
		m->needles[k] = src ? needle_of_both(src, strlen(src), NULL, &m->needles2[k]) : NULL;
		m->needles_known[k] = true;
	}
	return !p->needles[k] ||
	       (needles_in(p->needles[k], memo, a) && (!p->needles2[k] || needles_in(p->needles2[k], memo, a)));
}

/* The claim or code of p alone, its reject not consulted; with memo, a
 * claim whose needles a lacks is not looked for. */
static enum grade_point claim_only(const struct rubric_point *p, const struct answer *a, struct parts_memo *memo)
{
	struct regex *claim = catalog_rubric_regex(p, RUBRIC_CLAIM), *code = catalog_rubric_regex(p, RUBRIC_CODE);
	bool found = false, limit = false;
	if (claim && may_match(p, RUBRIC_CLAIM, a, memo)) {
		if (!p->expanded[RUBRIC_CLAIM]) {
			/* A legacy pattern: the whole answer. */
			size_t first;
			enum regex_result r = first_match(claim, a, &first);
			found = r == REGEX_MATCH;
			limit = r == REGEX_LIMIT;
		} else {
			/* The clauses' first search is the look at the whole text:
			 * most points of most answers stop there. */
			enum unit_result u = over_units(p, a, &(struct starts){.re = claim}, claim_in,
			                                &(struct claim_ctx){.named = -1}, a->given);
			found = u == UNIT_FOUND;
			limit = u == UNIT_LIMIT;
		}
	}
	if (!found && code) {
		enum regex_result r = regex_match(code, a->given_raw ? a->given_raw : a->raw);
		found = r == REGEX_MATCH;
		limit |= r == REGEX_LIMIT;
	}
	if (!found)
		return limit ? GRADE_LIMIT : GRADE_MISSED;
	return GRADE_FOUND;
}

/* The end of the top-level alternative of the pattern src (len bytes)
 * that starts at i: the index of its '|' or of the terminating NUL. */
static size_t alternative_end(const char *src, size_t len, size_t i)
{
	size_t depth = 0;
	for (;; i++) {
		char c = src[i];
		if (c == '\\' && src[i + 1]) {
			i++;
		} else if (c == '[') {
			i = needle_class_end(src, i, len);
			if (i == len)
				return i;
			i--;
		} else if (c == '(') {
			depth++;
		} else if (c == ')' && depth) {
			depth--;
		} else if ((c == '|' && depth == 0) || c == '\0') {
			return i;
		}
	}
}

/* Whether the top-level alternatives of src keep their meaning in another
 * pattern: none refers to a group by number or name, none sets an option
 * for the alternatives after it ("a|(?i)b|c"), none uses a backtracking
 * verb, a branch reset, a comment, \Q..\E quoting or a control escape
 * (\c| is one character, not a bar), and none moves where a match starts
 * (\K) or ties it to where the search began (\G), so that the whole
 * matches wherever one of its parts does. An escaped parenthesis, or one in a
 * class, opens nothing ("\(?(the )?" is no conditional). */
static bool separable(const char *src, size_t len)
{
	if (!needle_plain_escapes(src, len))
		return false;
	for (size_t i = 0; i < len; i++) {
		const char *t = src + i;
		if (t[0] == '\\') {
			if ((t[1] >= '1' && t[1] <= '9') || t[1] == 'K' || t[1] == 'G')
				return false;   /* a back-reference; \K and \G, whose start a part's search would not give */
			i++;
		} else if (t[0] == '[') {
			i = needle_class_end(src, i, len) - 1;
		} else if (t[0] == '(' && t[1] == '*') {
			return false;   /* a verb */
		} else if (t[0] == '(' && t[1] == '?') {
			if (strchr("|&R(#", t[2]) || (t[2] == 'P' && (t[3] == '=' || t[3] == '>')))
				return false;   /* a branch reset, call, conditional or comment */
			if (t[2] == '-' || t[2] == '^' || (t[2] >= '0' && t[2] <= '9') ||
			    ((t[2] | 0x20) >= 'a' && (t[2] | 0x20) <= 'z')) {
				size_t n = strspn(t + 2, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ^-0123456789");
				if (t[2 + n] != ':')
					return false;   /* (?i), (?1): an option setting or a call */
			}
		}
	}
	return true;
}

/* A top-level alternative of a question's rejects, with the points whose
 * reject holds it (split_rejects); or a whole reject that is not
 * separable, a part of its own. */
struct alt {
	const char *s;
	size_t n;
	uint32_t points;
	char *needles, *needles2;
	size_t part;
	bool whole;
};

/* Reads the needles of alternatives alts[0..n) of q's rejects, chosen
 * among the words the question's right answers hold least (as written:
 * pricing needs no normalising). */
static void price_needles(const struct question *q, struct alt *alts, size_t n)
{
	size_t ntexts = q->ex_pass.n + (q->model_answer != NULL);
	char **texts = xcalloc(ntexts + 1, sizeof *texts);
	size_t *lens = xcalloc(ntexts + 1, sizeof *lens);
	for (size_t i = 0; i < ntexts; i++) {
		const char *s = i < q->ex_pass.n ? q->ex_pass.v[i] : q->model_answer;
		texts[i] = xmalloc(strlen(s) + 1);
		lens[i] = needle_fold(texts[i], s, strlen(s));
	}
	struct hmap held;
	hmap_init(&held);
	struct needle_corpus corpus = {(const char *const *)texts, lens, ntexts, &held};
	for (size_t j = 0; j < n; j++)
		alts[j].needles = needle_of_both(alts[j].s, alts[j].n, &corpus, &alts[j].needles2);
	hmap_release(&held);
	for (size_t i = 0; i < ntexts; i++)
		free(texts[i]);
	free(texts);
	free(lens);
}

/* Part k of a question's rejects, from its alternatives (taking their
 * needles): their pattern joined, and a second set of needles, the union
 * of theirs (none as soon as one has none). */
static void build_part(struct reject_part *part, struct alt *alts, size_t nalts, size_t k)
{
	struct buf b;
	buf_init(&b);
	bool first = true;
	for (size_t j = 0; j < nalts; j++) {
		if (alts[j].part != k)
			continue;
		if (b.len)
			buf_addc(&b, '|');
		buf_add(&b, alts[j].s, alts[j].n);
		part->points = alts[j].points;
		part->whole = alts[j].whole;
		if (!part->needles) {
			part->needles = alts[j].needles;   /* the same in each */
			alts[j].needles = NULL;
		}
		if (first) {
			part->needles2 = alts[j].needles2;   /* taken, as needles are */
			alts[j].needles2 = NULL;
			first = false;
		} else {
			char *u = needle_union(part->needles2, alts[j].needles2);
			free(part->needles2);
			part->needles2 = u;
		}
	}
	part->src = buf_detach(&b);   /* compiled when first run */
}

/* Tuned rubrics repeat a question's central misconceptions on every point
 * a wrong answer could earn, so the points' rejects share many of their
 * top-level alternatives, and most alternatives spell a word an answer
 * that matches must hold (needle.h). Each alternative is put in one part,
 * with the others said by exactly the same points and holding the same
 * needles, and a point's reject is the parts it is in: a reject matches
 * somewhere in the text exactly when one of its alternatives does. Each
 * part's answer is found once per answer (parts_memo), not once per
 * point, and not at all when the answer holds none of its needles.
 * A reject that is not separable is a part of its own; nothing is split
 * when the rejects are small and share nothing. */
static void split_rejects(const struct question *q)
{
	struct question *m = (struct question *)q;   /* built once, changes no content */
	if (m->rejects_split)
		return;
	m->rejects_split = true;
	if (q->nrubric > 32)
		return;
	struct alt *alts = NULL;
	size_t nalts = 0, cap = 0;
	struct hmap seen;
	hmap_init(&seen);
	bool ok = true;
	for (size_t i = 0; ok && i < q->nrubric; i++) {
		struct regex *re = catalog_rubric_regex(&q->rubric[i], RUBRIC_REJECT);
		if (!re)
			continue;
		const char *src = regex_source(re);
		size_t len = strlen(src);
		/* A reject that is not separable (an author's "X(*SKIP)(*F)|"
		 * excludes X from every alternative after it) is one part. */
		bool sep = separable(src, len);
		for (size_t at = 0;;) {
			size_t end = sep ? alternative_end(src, len, at) : len;
			size_t j = hmap_add(&seen, src + at, end - at, nalts);
			if (j == HMAP_NONE) {
				alts = xgrow(alts, &cap, nalts + 1, sizeof *alts);
				alts[j = nalts++] = (struct alt){.s = src + at, .n = end - at};
			}
			alts[j].points |= 1u << i;
			alts[j].whole |= !sep;
			if (!src[end])
				break;
			at = end + 1;
		}
	}
	/* Small rejects that share nothing are left whole: compiling their
	 * parts would cost more than it saves (their needles still spare
	 * running them, may_match). */
	size_t bytes = 0;
	bool shared = false;
	for (size_t j = 0; j < nalts; j++) {
		bytes += alts[j].n;
		shared |= (alts[j].points & (alts[j].points - 1)) != 0;
	}
	ok &= shared || bytes >= SPLIT_MIN;
	if (ok)
		price_needles(q, alts, nalts);
	/* One part for each set of points and needles, its alternatives in
	 * order. */
	size_t nparts = 0;
	for (size_t j = 0; ok && j < nalts; j++) {
		size_t k = 0;
		while (k < j && !(alts[k].points == alts[j].points && !alts[k].whole && !alts[j].whole &&
		                  needle_same(alts[k].needles, alts[j].needles)))
			k++;
		alts[j].part = k < j ? alts[k].part : nparts++;
	}
	if (ok && nparts) {
		m->reject_part = xcalloc(nparts, sizeof *m->reject_part);
		for (size_t k = 0; k < nparts; k++)
			build_part(&m->reject_part[k], alts, nalts, k);
		m->nreject_part = nparts;
	}
	for (size_t j = 0; j < nalts; j++) {
		free(alts[j].needles);
		free(alts[j].needles2);
	}
	hmap_release(&seen);
	free(alts);
}

struct regex *grade_reject_part(const struct question *q, size_t k)
{
	struct reject_part *part = &q->reject_part[k];
	if (!part->re && part->src) {
		/* Its alternatives compiled in their reject, and keep their
		 * meaning here (separable), so this compiles too. */
		char *err = NULL;
		part->re = regex_compile(part->src, REGEX_RUBRIC, &err, NULL);
		free(err);
		free(part->src);
		part->src = NULL;
	}
	return part->re;
}

/* Whether part k of memo's question matches in a, as first_match, found
 * once per answer; a part that does not compile is a limit hit. */
static struct part_state *part_in(struct parts_memo *memo, size_t k, const struct answer *a)
{
	struct part_state *st = &memo->part[k];
	if (st->known)
		return st;
	st->known = true;
	const struct reject_part *part = &memo->q->reject_part[k];
	if (part->needles) {
		if (!needles_in(part->needles, memo, a) || (part->needles2 && !needles_in(part->needles2, memo, a))) {
			st->r = REGEX_NOMATCH;
			st->absent = true;
			return st;
		}
	}
	struct regex *re = grade_reject_part(memo->q, k);
	st->r = re ? first_match(re, a, &st->first) : REGEX_LIMIT;
	return st;
}

/* Whether p's reject fires in a (REGEX_NOMATCH without one); with memo,
 * it is found through its question's parts. */
static enum regex_result reject_fires(const struct rubric_point *p, const struct answer *a, struct parts_memo *memo)
{
	struct regex *reject = catalog_rubric_regex(p, RUBRIC_REJECT);
	if (!reject)
		return REGEX_NOMATCH;
	enum regex_result r = REGEX_NOMATCH;
	size_t first = SIZE_MAX;
	struct starts starts = {.re = reject};
	if (memo && memo->q->nreject_part) {
		/* Every part of the point, for the earliest start of any. */
		uint32_t bit = 1u << (p - memo->q->rubric);
		starts = (struct starts){.re = reject, .memo = memo, .bit = bit};
		for (size_t k = 0; k < memo->q->nreject_part; k++) {
			if (!(memo->q->reject_part[k].points & bit))
				continue;
			const struct part_state *st = part_in(memo, k, a);
			if (st->r == REGEX_MATCH && st->first < first)
				first = st->first;
			else if (st->r == REGEX_LIMIT)
				first = 0;   /* it may match anywhere */
			if (st->r != REGEX_NOMATCH && r != REGEX_MATCH)
				r = st->r;
		}
	} else if (may_match(p, RUBRIC_REJECT, a, memo)) {
		r = first_match(reject, a, &first);
	}
	if (r == REGEX_MATCH && p->expanded[RUBRIC_REJECT]) {
		enum unit_result u = over_units(p, a, &starts, reject_in, &starts, first);
		r = u == UNIT_FOUND ? REGEX_MATCH : u == UNIT_LIMIT ? REGEX_LIMIT : REGEX_NOMATCH;
	}
	return r;
}

/* Whether p's reject fires in a, or its wrong claim is found there (a
 * claim of its own, bound to its own subject). */
static enum regex_result refuted(const struct rubric_point *p, const struct answer *a, struct parts_memo *memo)
{
	enum regex_result r = reject_fires(p, a, memo);
	if (r == REGEX_MATCH || !p->wrong)
		return r;
	switch (claim_only(p->wrong, a, memo)) {
	case GRADE_FOUND:
		return REGEX_MATCH;
	case GRADE_LIMIT:
		return REGEX_LIMIT;
	default:
		return r;
	}
}

bool grade_point_rejected(const struct rubric_point *p, const struct answer *a)
{
	return claim_only(p, a, NULL) == GRADE_FOUND && refuted(p, a, NULL) == REGEX_MATCH;
}

bool grade_point_fails_answer(const struct rubric_point *p, const struct answer *a)
{
	return p->fails_answer && refuted(p, a, NULL) == REGEX_MATCH;
}

static enum grade_point point_in(const struct rubric_point *p, const struct answer *a, struct parts_memo *memo)
{
	enum grade_point g = claim_only(p, a, memo);
	if (g != GRADE_FOUND)
		return g;
	switch (refuted(p, a, memo)) {
	case REGEX_NOMATCH:
		return GRADE_FOUND;
	case REGEX_LIMIT:
		return GRADE_REJECT_LIMIT;
	case REGEX_MATCH:
		break;
	}
	return GRADE_MISSED;
}

enum grade_point grade_point_in(const struct rubric_point *p, const struct answer *a)
{
	return point_in(p, a, NULL);
}

enum grade_point grade_rubric_point(const struct rubric_point *p, const char *answer)
{
	struct answer a;
	answer_prepare(&a, answer);
	enum grade_point g = grade_point_in(p, &a);
	answer_release(&a);
	return g;
}

enum grade_point grade_followup(const struct rubric_point *p, const char *question, const char *answer)
{
	struct answer qa, a;
	answer_prepare(&qa, question);
	char *both = xasprintf("%s\n\n%s", question, answer);
	answer_prepare(&a, both);
	/* Normalising is local, so the question's text is a prefix of the
	 * whole; if it ever were not, the answer is graded alone. */
	bool prefix = qa.len < a.len && memcmp(a.text, qa.text, qa.len) == 0 && qa.nsentences > 0;
	enum grade_point g;
	if (prefix) {
		a.given = qa.len;
		while (a.given < a.len && a.text[a.given] == ' ')
			a.given++;
		a.given_raw = answer;
		g = grade_point_in(p, &a);
	} else {
		g = grade_rubric_point(p, answer);
	}
	answer_release(&a);
	answer_release(&qa);
	free(both);
	return g;
}

size_t grade_rubric(const struct question *q, const char *answer, bool *hits, bool *limited)
{
	return grade_rubric_fails(q, answer, hits, limited, NULL);
}

size_t grade_rubric_fails(const struct question *q, const char *answer, bool *hits, bool *limited, size_t *fails_by)
{
	size_t found = 0, bad;
	if (fails_by)
		*fails_by = 0;
	bool valid = utf8_valid(answer, strlen(answer), &bad);   /* once, not per pattern */
	struct answer a;
	answer_prepare(&a, valid ? answer : "");
	split_rejects(q);
	struct parts_memo memo = {.q = q, .part = q->nreject_part ? xcalloc(q->nreject_part, sizeof *memo.part) : NULL};
	for (size_t i = 0; i < q->nrubric; i++) {
		enum grade_point g = valid ? point_in(&q->rubric[i], &a, &memo) : GRADE_MISSED;
		if (hits)
			hits[i] = g == GRADE_FOUND;
		if (limited)
			limited[i] = g == GRADE_LIMIT || g == GRADE_REJECT_LIMIT;
		found += g == GRADE_FOUND;
		/* A wrong claim that fails the answer counts wherever it is
		 * said, whether or not the point's own claim is. */
		if (valid && fails_by && !*fails_by && q->rubric[i].fails_answer &&
		    (g == GRADE_MISSED || g == GRADE_REJECT_LIMIT) && refuted(&q->rubric[i], &a, &memo) == REGEX_MATCH)
			*fails_by = i + 1;
	}
	free(memo.part);
	free(memo.folded);
	free(memo.grams);
	answer_release(&a);
	return found;
}

void grade_compile_rubric(const struct question *q)
{
	for (size_t i = 0; i < q->nrubric; i++)
		for (int r = 0; r < RUBRIC_NROLES; r++) {
			regex_jit(catalog_rubric_regex(&q->rubric[i], (enum rubric_role)r));
			if (q->rubric[i].wrong)
				regex_jit(catalog_rubric_regex(q->rubric[i].wrong, (enum rubric_role)r));
		}
	split_rejects(q);
	for (size_t k = 0; k < q->nreject_part; k++)
		regex_jit(grade_reject_part(q, k));
}

char grade_letter(size_t i)
{
	return i < 26 ? (char)('a' + i) : '?';
}

static bool is_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t' || c == ';';
}

/* A copy of s without leading and trailing white space; caller frees. */
static char *trimmed(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* The range of valid answers, for reasons: "a to d" or "1 to 30". */
static char *range_text(size_t n)
{
	if (n <= 26)
		return xasprintf("a to %c (or 1 to %zu)", grade_letter(n - 1), n);
	return xasprintf("1 to %zu", n);
}

/* Parses one token (a letter or a number) of length len. Returns 0 with
 * *index set, or -1 with *err set. */
static int parse_token(const char *t, size_t len, size_t n, size_t *index, char **err)
{
	if (len == 1 && isalpha((unsigned char)t[0])) {
		size_t i = (size_t)(tolower((unsigned char)t[0]) - 'a');
		if (i < n && n <= 26) {
			*index = i;
			return 0;
		}
	} else if (len > 0 && len < 10 && strspn(t, "0123456789") >= len) {
		size_t v = 0;
		for (size_t i = 0; i < len; i++)
			v = v * 10 + (size_t)(t[i] - '0');
		if (v >= 1 && v <= n) {
			*index = v - 1;
			return 0;
		}
	} else {
		char *tok = xstrndup(t, len);
		char *r = range_text(n);
		char e[ECHO_SIZE];
		*err = xasprintf("'%s' is not a choice: answer %s", str_echo(e, tok), r);
		free(r);
		free(tok);
		return -1;
	}
	char *tok = xstrndup(t, len);
	char *r = range_text(n);
	char e[ECHO_SIZE];
	*err = xasprintf("'%s' is out of range: answer %s", str_echo(e, tok), r);
	free(r);
	free(tok);
	return -1;
}

int grade_parse_choice(const char *answer, size_t n, size_t *index, char **err)
{
	char *a = trimmed(answer);
	size_t len = strlen(a);
	/* "b)" and "b." as the choices are shown. */
	if (len == 2 && (a[1] == ')' || a[1] == '.'))
		len = 1;
	int rc;
	if (len == 0) {
		char *r = range_text(n);
		*err = xasprintf("no answer: type one choice, %s", r);
		free(r);
		rc = -1;
	} else if (strcspn(a, ", \t;") < len) {
		*err = xstrdup("one choice only: type a single letter or number");
		rc = -1;
	} else {
		rc = parse_token(a, len, n, index, err);
	}
	free(a);
	return rc;
}

int grade_parse_multi(const char *answer, size_t n, bool *selected, char **err)
{
	memset(selected, 0, n * sizeof *selected);
	char *a = trimmed(answer);
	int rc = 0;
	size_t count = 0;
	/* "ac": letters run together. */
	bool run = *a && n <= 26;
	for (const char *p = a; *p && run; p++)
		run = isalpha((unsigned char)*p);
	const char *p = a;
	while (*p && rc == 0) {
		while (is_sep(*p))
			p++;
		if (!*p)
			break;
		size_t len = run ? 1 : strcspn(p, ", \t;");
		/* "a)" as the choices are shown. */
		size_t tlen = len == 2 && (p[1] == ')' || p[1] == '.') ? 1 : len;
		size_t i;
		if (parse_token(p, tlen, n, &i, err) < 0) {
			rc = -1;
			break;
		}
		if (selected[i]) {
			*err = xasprintf("'%.*s' is given twice", (int)tlen, p);
			rc = -1;
			break;
		}
		selected[i] = true;
		count++;
		p += len;
	}
	if (rc == 0 && count == 0) {
		*err = xstrdup("no answer: type every right letter, such as 'a,c' or 'a c'");
		rc = -1;
	}
	free(a);
	return rc;
}

int grade_parse_truefalse(const char *answer, bool *value, char **err)
{
	static const char *const yes[] = {"t", "true", "y", "yes"};
	static const char *const no[] = {"f", "false", "n", "no"};
	char *a = trimmed(answer);
	int rc = -1;
	for (size_t i = 0; i < ARRAY_SIZE(yes) && rc < 0; i++) {
		if (strcasecmp(a, yes[i]) == 0) {
			*value = true;
			rc = 0;
		} else if (strcasecmp(a, no[i]) == 0) {
			*value = false;
			rc = 0;
		}
	}
	char e[ECHO_SIZE];
	if (rc < 0)
		*err = *a ? xasprintf("'%s' is not true or false: answer t or f", str_echo(e, a))
		          : xstrdup("no answer: answer t or f");
	free(a);
	return rc;
}

int grade_parse_order(const char *answer, size_t n, size_t *seq, char **err)
{
	char *a = trimmed(answer);
	bool *seen = xcalloc(n ? n : 1, sizeof *seen);
	size_t k = 0;
	int rc = 0;
	/* "312": digits run together, when every number is one digit. */
	bool run = n < 10 && *a && strspn(a, "0123456789") == strlen(a) && strlen(a) > 1;
	const char *p = a;
	while (rc == 0) {
		while (is_sep(*p))
			p++;
		if (!*p)
			break;
		size_t len = run ? 1 : strcspn(p, ", \t;");
		size_t v = 0;
		bool num = len < 10 && strspn(p, "0123456789") >= len;
		for (size_t i = 0; num && i < len; i++)
			v = v * 10 + (size_t)(p[i] - '0');
		if (!num || v < 1 || v > n) {
			char *tok = xstrndup(p, len);
			char e[ECHO_SIZE];
			*err = xasprintf("'%s' is not an item number: use the numbers 1 to %zu, each once", str_echo(e, tok), n);
			free(tok);
			rc = -1;
		} else if (seen[v - 1]) {
			*err = xasprintf("%zu is given twice: use the numbers 1 to %zu, each once", v, n);
			rc = -1;
		} else if (k >= n) {
			*err = xasprintf("too many numbers: use 1 to %zu, each once", n);
			rc = -1;
		} else {
			seen[v - 1] = true;
			seq[k++] = v - 1;
		}
		p += len;
	}
	if (rc == 0 && k < n) {
		struct buf miss;
		buf_init(&miss);
		for (size_t i = 0; i < n; i++)
			if (!seen[i])
				buf_printf(&miss, "%s%zu", miss.len ? ", " : "", i + 1);
		*err = k == 0 ? xasprintf("no answer: give the numbers 1 to %zu in the right order, such as '%s'", n,
		                          n == 2 ? "2 1" : "3 1 2")
		              : xasprintf("missing %s: use the numbers 1 to %zu, each once", miss.data, n);
		buf_release(&miss);
		rc = -1;
	}
	free(seen);
	free(a);
	return rc;
}

/* The end of the line starting at s, without trailing blanks; *next is the
 * start of the following line, or NULL at the end. */
static size_t line_end(const char *s, const char **next)
{
	size_t n = strcspn(s, "\n");
	*next = s[n] ? s + n + 1 : NULL;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return n;
}

/* The length of s without its trailing blank lines (and trailing blanks). */
static size_t content_len(const char *s)
{
	size_t end = 0;
	const char *p = s;
	while (p) {
		const char *next;
		size_t n = line_end(p, &next);
		if (n)
			end = (size_t)(p - s) + n;
		p = next;
	}
	return end;
}

bool grade_output(const char *expected, const char *answer)
{
	size_t ne = content_len(expected), na = content_len(answer);
	const char *e = expected, *a = answer;
	for (;;) {
		bool e_done = (size_t)(e - expected) >= ne, a_done = (size_t)(a - answer) >= na;
		if (e_done || a_done)
			return e_done && a_done;
		const char *en, *an;
		size_t le = line_end(e, &en), la = line_end(a, &an);
		if (le != la || memcmp(e, a, le) != 0)
			return false;
		if (!en || !an)
			return (!en || (size_t)(en - expected) >= ne) && (!an || (size_t)(an - answer) >= na);
		e = en;
		a = an;
	}
}

int grade_answer(const struct question *q, const char *answer, const size_t *shown,
		struct grade_result *r, char **err)
{
	memset(r, 0, sizeof *r);
	r->total = 1;
	switch (q->type) {
	case Q_CHOICE: {
		size_t i;
		if (grade_parse_choice(answer, q->choices.n, &i, err) < 0)
			return -1;
		r->correct = (long)(shown ? shown[i] : i) == q->answer;
		break;
	}
	case Q_MULTI: {
		bool *sel = xcalloc(q->choices.n, sizeof *sel);
		if (grade_parse_multi(answer, q->choices.n, sel, err) < 0) {
			free(sel);
			return -1;
		}
		bool ok = true;
		for (size_t i = 0; i < q->choices.n; i++) {
			bool want = false;
			for (size_t k = 0; k < q->nanswers; k++)
				want |= q->answers[k] == (long)(shown ? shown[i] : i);
			ok &= sel[i] == want;
		}
		free(sel);
		r->correct = ok;
		break;
	}
	case Q_TRUEFALSE: {
		bool v;
		if (grade_parse_truefalse(answer, &v, err) < 0)
			return -1;
		r->correct = v == q->answer_bool;
		break;
	}
	case Q_ORDER: {
		size_t n = q->items.n;
		size_t *seq = xcalloc(n, sizeof *seq);
		if (grade_parse_order(answer, n, seq, err) < 0) {
			free(seq);
			return -1;
		}
		bool ok = true;
		for (size_t k = 0; k < n; k++)
			ok &= (shown ? shown[seq[k]] : seq[k]) == k;
		free(seq);
		r->correct = ok;
		break;
	}
	case Q_OUTPUT:
		r->correct = q->expected && grade_output(q->expected, answer);
		break;
	case Q_TEXT:
		r->total = q->nrubric;
		r->hits = xcalloc(q->nrubric ? q->nrubric : 1, sizeof *r->hits);
		r->limited = xcalloc(q->nrubric ? q->nrubric : 1, sizeof *r->limited);
		r->found = grade_rubric_fails(q, answer, r->hits, r->limited, &r->fails_by);
		r->correct = r->found >= q->pass && !r->fails_by;
		return 0;
	default:
		*err = xstrdup("this question type cannot be graded");
		return -1;
	}
	r->found = r->correct;
	return 0;
}

/* Choice i as written: its letter, or its 1-based number beyond 'z'. */
static void put_choice(struct buf *b, size_t i, size_t n)
{
	if (n <= 26)
		buf_addc(b, grade_letter(i));
	else
		buf_printf(b, "%zu", i + 1);
}

char *grade_canonical_answer(const struct question *q, const char *answer, const size_t *shown)
{
	size_t n = q->choices.n;
	char *err = NULL;
	struct buf b;
	buf_init(&b);
	if (q->type == Q_CHOICE) {
		size_t i;
		if (grade_parse_choice(answer, n, &i, &err) == 0)
			put_choice(&b, shown ? shown[i] : i, n);
	} else if (q->type == Q_MULTI) {
		bool *sel = xcalloc(n ? n : 1, sizeof *sel), *written = xcalloc(n ? n : 1, sizeof *written);
		if (grade_parse_multi(answer, n, sel, &err) == 0) {
			for (size_t i = 0; i < n; i++)
				if (sel[i])
					written[shown ? shown[i] : i] = true;
			for (size_t i = 0; i < n; i++)
				if (written[i]) {
					if (b.len)
						buf_addc(&b, ',');
					put_choice(&b, i, n);
				}
		}
		free(sel);
		free(written);
	}
	free(err);
	if (!b.len) {
		buf_release(&b);
		return NULL;
	}
	char *s = buf_detach(&b);
	buf_release(&b);
	return s;
}

void grade_result_release(struct grade_result *r)
{
	free(r->hits);
	free(r->limited);
	r->hits = NULL;
	r->limited = NULL;
}

double grade_score(const struct grade_result *r)
{
	return r->total ? (double)r->found / (double)r->total : 0.0;
}
