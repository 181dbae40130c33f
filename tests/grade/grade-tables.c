/*
 * grade-tables: runs the grading tables, tests/grade/ *.t (text records
 * read by this one runner, as jq.test: no C per case). Each line is one of
 *
 *   # a comment
 *   term NAME: ENTRY | ENTRY ...   a term set, for the rest of the file
 *   normal TEXT                    then "= TEXT": the normalised answer
 *   sentences TEXT                 then "= A | B ...": its sentences
 *   clauses TEXT                   then "= A | B ...": its clauses
 *   phrase ENTRY                   then "~ TEXT" (matches) or "! TEXT" (does not)
 *   point                          a rubric point, then its keys:
 *   says|about|not_about|reject|pattern|code PATTERN
 *   wrong|wrong_about|wrong_not_about PATTERN   its wrong claim
 *   + ANSWER / - ANSWER            the point is found / not found in it
 *
 * In TEXT and ANSWER, \n is a line break. Every failure is printed with its
 * file and line; the exit status is 1 when any case failed.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "catalog.h"
#include "grade.h"
#include "regex.h"
#include "terms.h"
#include "util.h"

static int failures, cases;

static char *unescape(const char *s)
{
	struct buf b;
	buf_init(&b);
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			buf_addc(&b, '\n');
			s++;
		} else {
			buf_addc(&b, *s);
		}
	}
	return buf_detach(&b);
}

static void fail(const char *file, int line, const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "%s:%d: ", file, line);
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	failures++;
}

static char *joined(const struct answer *a, const struct answer_span *v, size_t n)
{
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%.*s", i ? " | " : "", (int)(v[i].end - v[i].start), a->text + v[i].start);
	return buf_detach(&b);
}

struct point {
	struct rubric_point p;
	struct rubric_point wrong;   /* p.wrong, when it has a wrong claim */
	char *asked;   /* the follow-up question its cases answer, or NULL */
	bool open;
};

static void rubric_point_release(struct rubric_point *p)
{
	for (int r = 0; r < RUBRIC_NROLES; r++) {
		struct regex *re = catalog_rubric_regex(p, (enum rubric_role)r);
		regex_free(re);
	}
	for (int r = 0; r < RUBRIC_CODE; r++)
		free(p->expanded[r]);
	free(p->own_negation);
	free((char *)p->says);
	free((char *)p->about);
	free((char *)p->not_about);
	free((char *)p->reject);
	free((char *)p->pattern);
	free((char *)p->code);
}

static void point_release(struct point *pt)
{
	rubric_point_release(&pt->p);
	if (pt->p.wrong)
		rubric_point_release(&pt->wrong);
	free(pt->asked);
	memset(pt, 0, sizeof *pt);
}

/* Expands the terms of p's rubric-language patterns, as catalog_link. */
static void expand(struct rubric_point *p, struct terms *t, const char *path, int ln)
{
	const char *srcs[RUBRIC_CODE] = {p->says, p->reject, p->about, p->not_about};
	for (int r = 0; r < RUBRIC_CODE; r++) {
		size_t bad;
		if (!srcs[r])
			continue;
		p->expanded[r] = terms_expand(t, srcs[r], &bad);
		if (!p->expanded[r])
			fail(path, ln, "'%s': unknown term at '%s'", srcs[r], srcs[r] + bad);
	}
	p->own_negation = terms_expand_kept(t, srcs, RUBRIC_CODE, answer_negating_phrase);
}

static void run_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "%s: cannot read\n", path);
		failures++;
		return;
	}
	struct terms *t = terms_new();
	struct point pt;
	memset(&pt, 0, sizeof pt);
	char *pending_kind = NULL, *pending_text = NULL;
	char *names = NULL;   /* term lines kept alive: the vocabulary borrows them */
	char **kept = NULL;
	size_t nkept = 0, capkept = 0;
	char line[8192];
	int ln = 0;
	while (fgets(line, sizeof line, f)) {
		ln++;
		line[strcspn(line, "\n")] = '\0';
		if (!line[0] || line[0] == '#')
			continue;
		char *sp = strchr(line, ' ');
		char *arg = sp ? sp + 1 : line + strlen(line);
		size_t kw = sp ? (size_t)(sp - line) : strlen(line);
		if (strncmp(line, "term", kw) == 0 && kw == 4) {
			char *copy = xstrdup(arg);
			GROW(kept, capkept, nkept + 1);
			kept[nkept++] = copy;
			char *colon = strchr(copy, ':');
			if (!colon) {
				fail(path, ln, "a term line needs NAME: ENTRIES%s%s", "", "");
				continue;
			}
			*colon = '\0';
			for (char *e = strtok(colon + 1, "|"); e; e = strtok(NULL, "|")) {
				while (*e == ' ')
					e++;
				size_t n = strlen(e);
				while (n && e[n - 1] == ' ')
					e[--n] = '\0';
				terms_add(t, copy, e, path, ln, 1);
			}
			continue;
		}
		if ((line[0] == '=' || line[0] == '~' || line[0] == '!') && line[1] == ' ' && pending_kind) {
			cases++;
			char *want = unescape(line + 2);
			if (strcmp(pending_kind, "phrase") == 0) {
				char *src = terms_phrase(pending_text);
				char *full = xasprintf("(?<!\\w)(?:%s)(?!\\w)", src);
				char *err = NULL;
				size_t off;
				struct regex *re = regex_compile(full, REGEX_CASELESS | REGEX_ASCII_WORDS, &err, &off);
				bool hit = re && regex_match(re, want) == REGEX_MATCH;
				if (!re)
					fail(path, ln, "'%s' does not compile: %s", full, err);
				else if (hit != (line[0] == '~'))
					fail(path, ln, "'%s' %s", want, line[0] == '~' ? "does not match" : "matches");
				regex_free(re);
				free(err);
				free(full);
				free(src);
			} else {
				/* An exact-size copy, so that AddressSanitizer sees a
				 * read past the answer's end. */
				char *raw = xstrdup(pending_text);
				struct answer a;
				answer_prepare(&a, raw);
				char *got = strcmp(pending_kind, "normal") == 0 ? xstrdup(a.text)
				            : strcmp(pending_kind, "sentences") == 0 ? joined(&a, a.sentences, a.nsentences)
				                                                     : joined(&a, a.clauses, a.nclauses);
				if (strcmp(got, want) != 0)
					fail(path, ln, "got '%s', want '%s'", got, want);
				free(got);
				answer_release(&a);
				free(raw);
			}
			free(want);
			continue;
		}
		if (strcmp(line, "point") == 0) {
			if (pt.open)
				point_release(&pt);
			pt.open = true;
			free(pending_kind);
			pending_kind = NULL;
			continue;
		}
		static const char *const keys[] = {"says", "reject", "about", "not_about", "pattern", "code",
		                                   "wrong", "wrong_about", "wrong_not_about"};
		bool key = false;
		for (size_t k = 0; k < ARRAY_SIZE(keys) && !key; k++) {
			if (strlen(keys[k]) != kw || strncmp(line, keys[k], kw) != 0)
				continue;
			key = true;
			char *v = xstrdup(arg);
			const char **slot[] = {&pt.p.says, &pt.p.reject, &pt.p.about, &pt.p.not_about, &pt.p.pattern,
			                       &pt.p.code, &pt.wrong.says, &pt.wrong.about, &pt.wrong.not_about};
			*slot[k] = v;
			if (k >= 6) {
				pt.p.wrong = &pt.wrong;
				pt.wrong.is_wrong = true;
			}
		}
		if (key)
			continue;
		if (kw == 5 && strncmp(line, "asked", 5) == 0 && pt.open) {
			free(pt.asked);
			pt.asked = unescape(arg);
			continue;
		}
		if ((line[0] == '+' || line[0] == '-') && line[1] == ' ' && pt.open) {
			cases++;
			if (!pt.p.compiled && !pt.p.expanded[0] && pt.p.says) {
				expand(&pt.p, t, path, ln);
				if (pt.p.wrong)
					expand(&pt.wrong, t, path, ln);
			}
			char *ans = unescape(line + 2);
			enum grade_point g = pt.asked ? grade_followup(&pt.p, pt.asked, ans) : grade_rubric_point(&pt.p, ans);
			bool want = line[0] == '+';
			if ((g == GRADE_FOUND) != want)
				fail(path, ln, "'%s' should be %s", ans, want ? "found" : "missed");
			free(ans);
			continue;
		}
		free(pending_kind);
		free(pending_text);
		pending_kind = xstrndup(line, kw);
		pending_text = unescape(arg);
		if (strcmp(pending_kind, "normal") && strcmp(pending_kind, "sentences") &&
		    strcmp(pending_kind, "clauses") && strcmp(pending_kind, "phrase"))
			fail(path, ln, "unknown record '%s'%s", pending_kind, "");
	}
	if (pt.open)
		point_release(&pt);
	free(pending_kind);
	free(pending_text);
	free(names);
	terms_free(t);
	for (size_t i = 0; i < nkept; i++)
		free(kept[i]);
	free(kept);
	fclose(f);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: grade-tables DIR\n");
		return 2;
	}
	DIR *dp = opendir(argv[1]);
	if (!dp) {
		fprintf(stderr, "%s: cannot read\n", argv[1]);
		return 2;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(dp)))
		if (str_ends(de->d_name, ".t")) {
			GROW(names, cap, n + 1);
			names[n++] = xasprintf("%s/%s", argv[1], de->d_name);
		}
	closedir(dp);
	qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++) {
		run_file(names[i]);
		free(names[i]);
	}
	free(names);
	printf("%d cases in %zu files, %d failed\n", cases, n, failures);
	return failures || cases == 0 ? 1 : 0;
}
