/*
 * grade: answer parsers and graders. Parsers are strict about what they
 * accept and say why they refuse, so a typo re-prompts instead of counting
 * as a wrong answer.
 */
#include "grade.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "regex.h"
#include "util.h"

enum grade_point grade_rubric_point(const struct rubric_point *p, const char *answer)
{
	struct regex *re = catalog_rubric_regex(p, false), *reject = catalog_rubric_regex(p, true);
	if (!re)
		return GRADE_MISSED;
	switch (regex_match(re, answer)) {
	case REGEX_NOMATCH:
		return GRADE_MISSED;
	case REGEX_LIMIT:
		return GRADE_LIMIT;
	case REGEX_MATCH:
		break;
	}
	if (!reject)
		return GRADE_FOUND;
	switch (regex_match(reject, answer)) {
	case REGEX_NOMATCH:
		return GRADE_FOUND;
	case REGEX_LIMIT:
		return GRADE_REJECT_LIMIT;
	case REGEX_MATCH:
		break;
	}
	return GRADE_MISSED;
}

size_t grade_rubric(const struct question *q, const char *answer, bool *hits, bool *limited)
{
	size_t found = 0, bad;
	bool valid = utf8_valid(answer, strlen(answer), &bad);   /* once, not per pattern */
	for (size_t i = 0; i < q->nrubric; i++) {
		enum grade_point g = valid ? grade_rubric_point(&q->rubric[i], answer) : GRADE_MISSED;
		if (hits)
			hits[i] = g == GRADE_FOUND;
		if (limited)
			limited[i] = g == GRADE_LIMIT || g == GRADE_REJECT_LIMIT;
		found += g == GRADE_FOUND;
	}
	return found;
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
 * *index set, or -1 with *why set. */
static int parse_token(const char *t, size_t len, size_t n, size_t *index, char **why)
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
		*why = xasprintf("'%s' is not a choice: answer %s", str_echo(e, tok), r);
		free(r);
		free(tok);
		return -1;
	}
	char *tok = xstrndup(t, len);
	char *r = range_text(n);
	char e[ECHO_SIZE];
	*why = xasprintf("'%s' is out of range: answer %s", str_echo(e, tok), r);
	free(r);
	free(tok);
	return -1;
}

int grade_parse_choice(const char *answer, size_t n, size_t *index, char **why)
{
	char *a = trimmed(answer);
	size_t len = strlen(a);
	/* "b)" and "b." as the choices are shown. */
	if (len == 2 && (a[1] == ')' || a[1] == '.'))
		len = 1;
	int rc;
	if (len == 0) {
		char *r = range_text(n);
		*why = xasprintf("no answer: type one choice, %s", r);
		free(r);
		rc = -1;
	} else if (strcspn(a, ", \t;") < len) {
		*why = xstrdup("one choice only: type a single letter or number");
		rc = -1;
	} else {
		rc = parse_token(a, len, n, index, why);
	}
	free(a);
	return rc;
}

int grade_parse_multi(const char *answer, size_t n, bool *selected, char **why)
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
		if (parse_token(p, tlen, n, &i, why) < 0) {
			rc = -1;
			break;
		}
		if (selected[i]) {
			*why = xasprintf("'%.*s' is given twice", (int)tlen, p);
			rc = -1;
			break;
		}
		selected[i] = true;
		count++;
		p += len;
	}
	if (rc == 0 && count == 0) {
		*why = xstrdup("no answer: type every right letter, such as 'a,c' or 'a c'");
		rc = -1;
	}
	free(a);
	return rc;
}

int grade_parse_truefalse(const char *answer, bool *value, char **why)
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
		*why = *a ? xasprintf("'%s' is not true or false: answer t or f", str_echo(e, a))
		          : xstrdup("no answer: answer t or f");
	free(a);
	return rc;
}

int grade_parse_order(const char *answer, size_t n, size_t *seq, char **why)
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
			*why = xasprintf("'%s' is not an item number: use the numbers 1 to %zu, each once", str_echo(e, tok), n);
			free(tok);
			rc = -1;
		} else if (seen[v - 1]) {
			*why = xasprintf("%zu is given twice: use the numbers 1 to %zu, each once", v, n);
			rc = -1;
		} else if (k >= n) {
			*why = xasprintf("too many numbers: use 1 to %zu, each once", n);
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
		*why = k == 0 ? xasprintf("no answer: give the numbers 1 to %zu in the right order, such as '%s'", n,
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
		struct grade_result *r, char **why)
{
	memset(r, 0, sizeof *r);
	r->total = 1;
	switch (q->type) {
	case Q_CHOICE: {
		size_t i;
		if (grade_parse_choice(answer, q->choices.n, &i, why) < 0)
			return -1;
		r->correct = (long)i == q->answer;
		break;
	}
	case Q_MULTI: {
		bool *sel = xcalloc(q->choices.n, sizeof *sel);
		if (grade_parse_multi(answer, q->choices.n, sel, why) < 0) {
			free(sel);
			return -1;
		}
		bool ok = true;
		for (size_t i = 0; i < q->choices.n; i++) {
			bool want = false;
			for (size_t k = 0; k < q->nanswers; k++)
				want |= q->answers[k] == (long)i;
			ok &= sel[i] == want;
		}
		free(sel);
		r->correct = ok;
		break;
	}
	case Q_TRUEFALSE: {
		bool v;
		if (grade_parse_truefalse(answer, &v, why) < 0)
			return -1;
		r->correct = v == q->answer_bool;
		break;
	}
	case Q_ORDER: {
		size_t n = q->items.n;
		size_t *seq = xcalloc(n, sizeof *seq);
		if (grade_parse_order(answer, n, seq, why) < 0) {
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
		r->found = grade_rubric(q, answer, r->hits, r->limited);
		r->correct = r->found >= q->pass;
		return 0;
	default:
		*why = xstrdup("this question type cannot be graded");
		return -1;
	}
	r->found = r->correct;
	return 0;
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
