/*
 * export --anki: every question as an Anki plain-text import file. The
 * Markdown becomes HTML through render_html(); the export reads only the
 * catalog, so two exports of the same content are byte-identical. A code
 * exercise becomes a note too: its prompt, and the reference solution.
 */
#include "cmd.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "fsrs.h"
#include "render.h"
#include "util.h"

static void html_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '&': buf_puts(b, "&amp;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		default: buf_addc(b, *s);
		}
	}
}

/* A code block as HTML, the text kept verbatim. */
static void html_pre(struct buf *b, const char *code, const char *lang)
{
	if (lang)
		buf_printf(b, "<pre><code class=\"language-%s\">", lang);
	else
		buf_puts(b, "<pre><code>");
	html_escape(b, code);
	buf_puts(b, "</code></pre>");
}

/* Appends one field: tabs and newlines become character references, which
 * HTML reads back as the same characters (a newline inside <pre> stays a
 * line break), so no field holds a separator or a line end; other control
 * characters are shown as text, as at the terminal. */
static void put_field(struct buf *line, const char *text, size_t len)
{
	struct buf v;
	buf_init(&v);
	buf_add_visible(&v, text, len, 0);
	const char *s = v.data;
	size_t n = v.len;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\t')
			buf_puts(line, "&#9;");
		else if (s[i] == '\n')
			buf_puts(line, "&#10;");
		else if (s[i] == '\r')
			buf_puts(line, "&#13;");
		else
			buf_addc(line, s[i]);
	}
	buf_release(&v);
}

/* A tag: Anki splits tags on spaces. */
static void put_tag(struct buf *line, const char *tag)
{
	char *v = str_visible(tag);
	for (const char *t = v; *t; t++)
		buf_addc(line, (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r' || *t == '"') ? '_' : *t);
	free(v);
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3u;
	}
	return h;
}

static void front_and_back(const struct question *q, struct buf *front, struct buf *back)
{
	render_html(front, q->prompt);
	switch (q->type) {
	case Q_CHOICE:
	case Q_MULTI:
		buf_puts(front, "<ol type=\"a\">");
		for (size_t i = 0; i < q->choices.n; i++) {
			buf_puts(front, "<li>");
			render_html_inline(front, q->choices.v[i]);
			buf_puts(front, "</li>");
		}
		buf_puts(front, "</ol>");
		if (q->type == Q_MULTI)
			buf_puts(front, "<p><em>Pick every right answer.</em></p>");
		buf_puts(back, "<p><b>Answer:</b></p><ul>");
		for (size_t i = 0; i < q->choices.n; i++) {
			bool right = q->type == Q_CHOICE ? (long)i == q->answer : false;
			for (size_t k = 0; q->type == Q_MULTI && k < q->nanswers; k++)
				right = right || q->answers[k] == (long)i;
			if (!right)
				continue;
			buf_printf(back, "<li>%c) ", 'a' + (int)(i % 26));
			render_html_inline(back, q->choices.v[i]);
			buf_puts(back, "</li>");
		}
		buf_puts(back, "</ul>");
		break;
	case Q_TRUEFALSE:
		buf_puts(front, "<p><em>True or false?</em></p>");
		buf_printf(back, "<p><b>Answer:</b> %s</p>", q->answer_bool ? "true" : "false");
		break;
	case Q_ORDER: {
		/* Shuffled the same way on every export: seeded by the id. */
		size_t n = q->items.n;
		size_t *perm = xcalloc(n ? n : 1, sizeof *perm);
		for (size_t i = 0; i < n; i++)
			perm[i] = i;
		struct fsrs_rng rng;
		fsrs_rng_init(&rng, fnv1a(q->id));
		for (size_t i = n; i > 1; i--) {
			size_t j = (size_t)(fsrs_rng_next(&rng) % i);
			size_t t = perm[i - 1];
			perm[i - 1] = perm[j];
			perm[j] = t;
		}
		buf_puts(front, "<ol>");
		for (size_t i = 0; i < n; i++) {
			buf_puts(front, "<li>");
			render_html_inline(front, q->items.v[perm[i]]);
			buf_puts(front, "</li>");
		}
		buf_puts(front, "</ol><p><em>Put these in order.</em></p>");
		buf_puts(back, "<p><b>Answer</b> (in order):</p><ol>");
		for (size_t i = 0; i < n; i++) {
			/* The position each item had on the front. */
			size_t shown = 0;
			for (size_t k = 0; k < n; k++)
				if (perm[k] == i)
					shown = k + 1;
			buf_printf(back, "<li value=\"%zu\">(%zu) ", i + 1, shown);
			render_html_inline(back, q->items.v[i]);
			buf_puts(back, "</li>");
		}
		buf_puts(back, "</ol>");
		free(perm);
		break;
	}
	case Q_OUTPUT:
		html_pre(front, q->code ? q->code : "", "python");
		buf_puts(back, "<p><b>Output:</b></p>");
		html_pre(back, q->expected ? q->expected : "", NULL);
		break;
	case Q_TEXT:
		buf_puts(back, "<p><b>Model answer:</b></p>");
		render_html(back, q->model_answer);
		if (q->nrubric) {
			buf_puts(back, "<p><b>Key points:</b></p><ul>");
			for (size_t i = 0; i < q->nrubric; i++) {
				/* A key point is Markdown too (`code`). */
				buf_puts(back, "<li>");
				render_html_inline(back, q->rubric[i].point);
				buf_puts(back, "</li>");
			}
			buf_puts(back, "</ul>");
		}
		break;
	case Q_CODE:
		/* The prompt on the front, the reference solution on the back. */
		buf_puts(back, "<p><b>Solution:</b></p>");
		html_pre(back, q->solution ? q->solution : "", "python");
		break;
	default:
		break;
	}
	if (q->explain) {
		buf_puts(back, "<hr>");
		render_html(back, q->explain);
	}
}

static int cmd_export(struct ctx *x, struct cmd_args *a)
{
	const char *file = cmd_opt(a, "--anki")->str;
	if (!file)
		return cmd_usage(a);
	struct catalog *cat = x->cat;

	struct buf out, front, back;
	buf_init(&out);
	buf_init(&front);
	buf_init(&back);
	buf_puts(&out, "#separator:tab\n#html:true\n#notetype:Basic\n#guid column:1\n#deck column:2\n"
	               "#tags column:5\n");
	size_t n = 0;
	for (size_t i = 0; i < catalog_nquestions(cat); i++) {
		const struct question *q = catalog_question_at(cat, i);
		n++;
		const char *topic = q->quiz ? q->quiz->topic : "misc";
		buf_truncate(&front, 0);
		buf_truncate(&back, 0);
		front_and_back(q, &front, &back);
		/* The guid: the question id, which is stable forever, so a
		 * re-import updates the note and keeps its scheduling. */
		buf_puts(&out, "pydojo:");
		put_field(&out, q->id, strlen(q->id));
		buf_puts(&out, "\tpydojo::");
		put_field(&out, topic, strlen(topic));
		buf_addc(&out, '\t');
		put_field(&out, front.data, front.len);
		buf_addc(&out, '\t');
		put_field(&out, back.data, back.len);
		buf_addc(&out, '\t');
		put_tag(&out, topic);
		for (size_t k = 0; k < q->tags.n; k++) {
			buf_addc(&out, ' ');
			put_tag(&out, q->tags.v[k]);
		}
		buf_addc(&out, '\n');
	}
	buf_release(&front);
	buf_release(&back);

	char *shown = str_visible(file);
	int rc = cmd_write_out(file, shown, &out);
	if (rc == 0 && strcmp(file, "-") != 0)
		printf("exported %zu notes to '%s'\n", n, shown);
	free(shown);
	buf_release(&out);
	return rc;
}

const struct command cmd_export_row = {
	"export", NULL, "export --anki FILE", "write the questions as an Anki import file",
	cmd_export, CMD_CATALOG, 0, 0,
	{{"--anki", OPT_PATH, "a file name", 0, 0, false}},
	NULL,
};
