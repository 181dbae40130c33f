/*
 * disputes: the grades the learner contested, as text or JSON, or written
 * as YAML rubric examples for the content's author.
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "util.h"


/* Every dispute, copied out of the store. */
struct dispute_list {
	struct store_dispute *v;
	size_t n, cap;
};

static int keep_dispute(void *ud, const struct store_dispute *d)
{
	struct dispute_list *l = ud;
	GROW(l->v, l->cap, l->n + 1);
	struct store_dispute *c = &l->v[l->n++];
	*c = *d;
	c->question_id = xstrdup(d->question_id);
	c->topic = xstrdup(d->topic);
	c->answer = xstrdup(d->answer);
	c->point = xstrdup(d->point);
	return 0;
}

static void dispute_list_release(struct dispute_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free((char *)l->v[i].question_id);
		free((char *)l->v[i].topic);
		free((char *)l->v[i].answer);
		free((char *)l->v[i].point);
	}
	free(l->v);
}

/* Appends s[0..n) as a YAML double-quoted scalar that pydojo's loader
 * takes as content: escapes for '"', '\\', newline and tab; other control
 * characters (a CR, a terminal escape) dropped, as content may hold none;
 * bytes that are not UTF-8 replaced by U+FFFD. */
static void yaml_quoted(struct buf *b, const char *s, size_t n)
{
	buf_addc(b, '"');
	size_t i = 0;
	while (i < n) {
		size_t bad = n - i;
		bool ok = utf8_valid(s + i, n - i, &bad);
		size_t end = ok ? n : i + bad;
		for (; i < end; i++) {
			unsigned char c = (unsigned char)s[i];
			if (c == '"' || c == '\\') {
				buf_addc(b, '\\');
				buf_addc(b, (char)c);
			} else if (c == '\n') {
				buf_puts(b, "\\n");
			} else if (c == '\t') {
				buf_puts(b, "\\t");
			} else if (c == 0xc2 && i + 1 < end && (unsigned char)s[i + 1] >= 0x80 &&
			           (unsigned char)s[i + 1] <= 0x9f) {
				i++;   /* a C1 control */
			} else if (c >= 0x20 && c != 0x7f) {
				buf_addc(b, (char)c);
			}
		}
		if (i < n) {
			buf_puts(b, "\xef\xbf\xbd");
			i++;
		}
	}
	buf_addc(b, '"');
}

/* Appends s on one line, for a comment: line breaks and other controls
 * become spaces. */
static void one_line(struct buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		buf_addc(b, *p < 0x20 || *p == 0x7f ? ' ' : (char)*p);
}

/* Appends disputes v[0..n), as store_each_dispute hands them (grouped by
 * question), as YAML: a mapping of question ids, each with an `examples:`
 * block of `pass:` answers, each after a comment naming its key point;
 * ready to paste into the quiz. Every string is double-quoted so that
 * both YAML and pydojo's loader read it back as the answer was typed
 * (less the line break that ends it, and any control character but tab
 * and newline, which content may not hold). */
static void disputes_yaml(struct buf *b, const struct store_dispute *v, size_t n)
{
	buf_puts(b, "# Disputed grades exported by pydojo: answers that learners say make a key\n"
	            "# point the grader missed. Check each one; paste those that are right into the\n"
	            "# question's examples and make its rubric accept them.\n");
	for (size_t i = 0; i < n; i++) {
		const struct store_dispute *d = &v[i];
		if (i == 0 || strcmp(d->question_id, v[i - 1].question_id) != 0) {
			buf_puts(b, "\n# topic ");
			one_line(b, d->topic);
			buf_addc(b, '\n');
			if (is_id(d->question_id))
				buf_puts(b, d->question_id);
			else
				yaml_quoted(b, d->question_id, strlen(d->question_id));
			buf_puts(b, ":\n  examples:\n    pass:\n");
		}
		buf_printf(b, "      # key point %d (rubric index %d): ", d->point_index + 1, d->point_index);
		one_line(b, d->point);
		buf_puts(b, "\n      - ");
		/* The answer as typed, without the line break that ends it. */
		size_t len = strlen(d->answer);
		while (len && strchr(" \t\r\n", d->answer[len - 1]))
			len--;
		yaml_quoted(b, d->answer, len);
		buf_addc(b, '\n');
	}
}

static int cmd_disputes(struct ctx *x, struct cmd_args *a)
{
	bool json = cmd_flag(a, "--json");
	const char *file = cmd_opt(a, "--export")->str;
	if (file && json) {
		fprintf(stderr, "error: --json and --export do not go together\n");
		return cmd_usage(a);
	}
	struct store *st = ctx_store_read(x);
	if (!st)
		return 3;
	struct dispute_list l = {.n = 0};
	char *err = NULL;
	if (store_each_dispute(st, keep_dispute, &l, &err) < 0) {
		fprintf(stderr, "error: %s\n", err);
		free(err);
		dispute_list_release(&l);
		return 3;
	}
	int rc = 0;
	struct buf b;
	buf_init(&b);
	size_t nq = 0;
	for (size_t i = 0; i < l.n; i++)
		nq += i == 0 || strcmp(l.v[i].question_id, l.v[i - 1].question_id) != 0;
	if (file) {
		disputes_yaml(&b, l.v, l.n);
		char *shown = str_visible(file);
		rc = cmd_write_out(file, shown, &b);
		if (rc == 0 && strcmp(file, "-") != 0)
			printf("exported %zu dispute%s on %zu question%s to '%s'\n", l.n, l.n == 1 ? "" : "s", nq,
			       nq == 1 ? "" : "s", shown);
		free(shown);
	} else if (json) {
		buf_puts(&b, "{\"disputes\": [");
		for (size_t i = 0; i < l.n; i++) {
			const struct store_dispute *d = &l.v[i];
			buf_printf(&b, "%s{\"id\": %lld, \"question\": ", i ? ",\n  " : "\n  ", (long long)d->id);
			buf_json_str(&b, d->question_id);
			buf_puts(&b, ", \"topic\": ");
			buf_json_str(&b, d->topic);
			buf_puts(&b, ", \"at\": ");
			cmd_json_time(&b, d->at);
			buf_printf(&b, ", \"point_index\": %d, \"point\": ", d->point_index);
			buf_json_str(&b, d->point);
			buf_puts(&b, ", \"answer\": ");
			buf_json_str(&b, d->answer);
			buf_puts(&b, "}");
		}
		buf_printf(&b, "],\n \"questions\": %zu}\n", nq);
	} else if (l.n == 0) {
		buf_puts(&b, "no disputed grades yet (after a text answer, 'c N' at the rating prompt contests "
		             "missed key point N; after an interview's report, 'c Q N' that of question Q)\n");
	} else {
		for (size_t i = 0; i < l.n; i++) {
			const struct store_dispute *d = &l.v[i];
			if (i == 0 || strcmp(d->question_id, l.v[i - 1].question_id) != 0) {
				buf_puts(&b, i ? "\n" : "");
				buf_add_visible(&b, d->question_id, strlen(d->question_id), 0);
				buf_puts(&b, " (");
				buf_add_visible(&b, d->topic, strlen(d->topic), 0);
				buf_puts(&b, ")\n");
			}
			char when[32];
			cmd_fmt_local(d->at, when, sizeof when, "%Y-%m-%d %H:%M");
			buf_printf(&b, "  %s  key point %d: ", when, d->point_index + 1);
			buf_add_visible(&b, d->point, strlen(d->point), 0);
			buf_addc(&b, '\n');
			for (const char *p = d->answer; *p;) {
				size_t k = strcspn(p, "\n");
				if (k || p[k]) {
					buf_puts(&b, "    > ");
					buf_add_visible(&b, p, k, 0);
					buf_addc(&b, '\n');
				}
				p += k + (p[k] == '\n');
			}
		}
		buf_printf(&b, "\n%zu dispute%s on %zu question%s; 'disputes --export FILE' writes them as rubric examples\n",
		           l.n, l.n == 1 ? "" : "s", nq, nq == 1 ? "" : "s");
	}
	if (!file)
		fwrite(b.data, 1, b.len, stdout);
	buf_release(&b);
	dispute_list_release(&l);
	return rc;
}

const struct command cmd_disputes_row = {
	"disputes", NULL, "disputes [--json] [--export FILE]",
	"the grades you contested ('c N' after a text answer), or write them as rubric examples",
	cmd_disputes, CMD_STORE_RO, 0, 0,
	{
		{"--json", OPT_FLAG, NULL, 0, 0, false},
		{"--export", OPT_PATH, "a file name", 0, 0, false},
	},
	NULL,
};
