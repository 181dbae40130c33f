/*
 * render: the one place that includes md4c.h and md4c-html.h (the Anki
 * export's HTML, render_html). A small streaming renderer for the terminal:
 * md4c calls back with blocks, spans and text; words are laid out into lines
 * no wider than the width, with hanging indents for list items. Style escapes
 * take no columns.
 */
#include "render.h"

#include <errno.h>
#include <fcntl.h>
#include <md4c-html.h>
#include <md4c.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "catalog.h"

static const char *const style_on[] = {
	[STYLE_BOLD] = "\033[1m", [STYLE_DIM] = "\033[2m", [STYLE_CODE] = "\033[36m",
	[STYLE_HEAD] = "\033[1;4m", [STYLE_MATCH] = "\033[1;33m", [STYLE_OK] = "\033[32m",
	[STYLE_BAD] = "\033[31m",
};

void render_styled(struct buf *out, enum render_style st, const char *s, size_t n, const struct render_opts *o)
{
	if (o->color)
		buf_puts(out, style_on[st]);
	buf_add_visible(out, s, n, 0);
	if (o->color)
		buf_puts(out, "\033[0m");
}

int render_term_width(int fd)
{
	struct winsize ws;
	if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

int render_prose_width(int cols)
{
	return cols > RENDER_PROSE_MAX ? RENDER_PROSE_MAX : cols;
}

size_t render_width(const char *s, size_t n)
{
	size_t w = 0, at = 0;
	for (size_t i = 0; i < n;) {
		if (s[i] == '\033' && i + 1 < n && s[i + 1] == '[') {
			w += utf8_width(s + at, i - at);
			i += 2;
			while (i < n && !((unsigned char)s[i] >= 0x40 && (unsigned char)s[i] <= 0x7e))
				i++;
			at = i = i < n ? i + 1 : n;
			continue;
		}
		i++;
	}
	return w + utf8_width(s + at, n - at);
}

void render_wrap(struct buf *out, const char *text, int hang, int width)
{
	size_t col = 0;
	bool words = false;
	const char *s = text;
	/* The first line's own indent. */
	while (*s == ' ') {
		buf_addc(out, ' ');
		col++;
		s++;
	}
	while (*s) {
		if (*s == '\n') {
			/* A new first line, its own indent kept. */
			buf_addc(out, '\n');
			col = 0;
			words = false;
			for (s++; *s == ' '; s++, col++)
				buf_addc(out, ' ');
			continue;
		}
		/* Spaces between words are kept as written (a column layout),
		 * dropped where the line breaks. */
		size_t gap = strspn(s, " ");
		s += gap;
		if (!*s || *s == '\n')
			continue;
		size_t n = strcspn(s, " \n");
		size_t w = render_width(s, n);
		if (words && col + gap + w > (size_t)width) {
			buf_printf(out, "\n%*s", hang, "");
			col = (size_t)hang;
		} else if (words) {
			buf_printf(out, "%*s", (int)gap, "");
			col += gap;
		}
		buf_add(out, s, n);
		col += w;
		words = true;
		s += n;
	}
	buf_addc(out, '\n');
}

/* ---- Python highlighting ---- */

static const char *const py_keywords[] = {
	"False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
	"continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global",
	"if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
	"return", "try", "while", "with", "yield",
};

static bool is_word_char(char ch)
{
	return ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (unsigned char)ch >= 0x80;
}

/* Highlights one line; *triple holds an open triple-quote (0, '\'' or '"')
 * carried over from the previous line. */
static void highlight_line(struct buf *out, const char *s, size_t n, char *triple, const struct render_opts *o)
{
	size_t i = 0;
	while (i < n) {
		if (*triple) {
			size_t j = i;
			while (j < n && !(j + 2 < n + 0 && s[j] == *triple && s[j + 1] == *triple && s[j + 2] == *triple))
				j++;
			if (j < n) {
				j += 3;
				*triple = 0;
			}
			render_styled(out, STYLE_OK, s + i, j - i, o);
			i = j;
		} else if (s[i] == '#') {
			render_styled(out, STYLE_DIM, s + i, n - i, o);
			i = n;
		} else if (s[i] == '\'' || s[i] == '"') {
			char q = s[i];
			if (i + 2 < n && s[i + 1] == q && s[i + 2] == q) {
				*triple = q;
				render_styled(out, STYLE_OK, s + i, 3, o);
				i += 3;
				continue;
			}
			size_t j = i + 1;
			while (j < n && s[j] != q) {
				if (s[j] == '\\' && j + 1 < n)
					j++;
				j++;
			}
			if (j < n)
				j++;
			render_styled(out, STYLE_OK, s + i, j - i, o);
			i = j;
		} else if (s[i] == '@' && (i == 0 || s[i - 1] == ' ')) {
			size_t j = i + 1;
			while (j < n && (is_word_char(s[j]) || s[j] == '.'))
				j++;
			render_styled(out, STYLE_CODE, s + i, j - i, o);
			i = j;
		} else if (is_word_char(s[i])) {
			size_t j = i;
			while (j < n && is_word_char(s[j]))
				j++;
			bool kw = false;
			for (size_t k = 0; k < ARRAY_SIZE(py_keywords) && !kw; k++)
				kw = strlen(py_keywords[k]) == j - i && memcmp(py_keywords[k], s + i, j - i) == 0;
			if (kw)
				render_styled(out, STYLE_BOLD, s + i, j - i, o);
			else if (s[i] >= '0' && s[i] <= '9')
				render_styled(out, STYLE_CODE, s + i, j - i, o);
			else
				buf_add(out, s + i, j - i);
			i = j;
		} else {
			buf_addc(out, s[i++]);
		}
	}
}

void render_code(struct buf *out, const char *src, const char *lang, int indent, const struct render_opts *o)
{
	bool py = o->color && (!lang || strcmp(lang, "python") == 0 || strcmp(lang, "py") == 0);
	char triple = 0;
	const char *p = src;
	struct buf line;
	buf_init(&line);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n > 0)
			buf_printf(out, "%*s", indent, "");
		/* Control characters shown as text before the highlighter adds
		 * its own escapes. */
		buf_truncate(&line, 0);
		buf_add_visible(&line, p, n, 0);
		if (py)
			highlight_line(out, line.data, line.len, &triple, o);
		else
			buf_add(out, line.data, line.len);
		buf_addc(out, '\n');
		p += n + (nl ? 1 : 0);
	}
	buf_release(&line);
}

/* ---- Markdown ---- */

struct list {
	bool ordered;
	unsigned next;
	int saved_hang;       /* the text column to return to after an item */
};

/* A table, gathered cell by cell, laid out when it ends. A cell's words
 * are separated by CELL_SEP (inline code may hold spaces). */
#define CELL_SEP '\x1f'
struct cell {
	struct buf text;
	bool head;
	MD_ALIGN align;
};
struct table {
	struct cell *cells;
	size_t ncells, cap;
	size_t *row_start;    /* the first cell of each row */
	size_t nrows, rowcap;
	struct cell *cur;     /* the cell being filled */
};

struct md {
	struct buf *out;
	const struct render_opts *o;
	int width;
	int hang;             /* the column where text lines start */
	struct buf line;      /* the line being filled */
	size_t line_w;        /* its width in columns, escapes excluded */
	bool line_has_words;
	bool space;           /* a space is due before the next word */
	struct buf word;      /* the word being gathered */
	size_t word_w;
	struct list lists[16];
	int nlists;
	int styles;           /* nesting of bold/emphasis/code spans */
	bool in_code_block, in_heading;
	struct buf code;      /* the code block being gathered */
	const char *code_lang;
	size_t code_lang_len;
	bool need_blank;      /* a blank line before the next block */
	bool first_block;
	char marker[16];      /* pending list marker for the next line */
	struct table *table;  /* the table being gathered, or NULL */
};

static void md_flush_line(struct md *m)
{
	if (m->line.len || m->marker[0]) {
		buf_add(m->out, m->line.data, m->line.len);
		buf_addc(m->out, '\n');
	}
	buf_truncate(&m->line, 0);
	m->line_w = 0;
	m->line_has_words = false;
	m->space = false;
}

static void md_start_line(struct md *m)
{
	if (m->marker[0]) {
		int pad = m->hang - (int)utf8_width(m->marker, strlen(m->marker));
		buf_printf(&m->line, "%*s%s", pad > 0 ? pad : 0, "", m->marker);
		m->line_w = (size_t)(pad > 0 ? pad : 0) + utf8_width(m->marker, strlen(m->marker));
		m->marker[0] = '\0';
	} else {
		buf_printf(&m->line, "%*s", m->hang, "");
		m->line_w = (size_t)m->hang;
	}
}

static void md_put_word(struct md *m)
{
	if (!m->word.len)
		return;
	if (m->table) {
		if (m->table->cur) {
			struct buf *t = &m->table->cur->text;
			if (t->len)
				buf_addc(t, CELL_SEP);
			buf_add(t, m->word.data, m->word.len);
		}
		buf_truncate(&m->word, 0);
		m->word_w = 0;
		m->space = false;
		return;
	}
	if (!m->line_has_words && !m->line.len)
		md_start_line(m);
	else if (m->line_has_words && m->line_w + (m->space ? 1 : 0) + m->word_w > (size_t)m->width) {
		md_flush_line(m);
		md_start_line(m);
	} else if (m->space && m->line_has_words) {
		buf_addc(&m->line, ' ');
		m->line_w++;
	}
	buf_add(&m->line, m->word.data, m->word.len);
	m->line_w += m->word_w;
	m->line_has_words = true;
	m->space = false;
	buf_truncate(&m->word, 0);
	m->word_w = 0;
}

/* Adds text to the current word, its control characters made visible. */
static void md_word_add(struct md *m, const char *s, size_t n)
{
	size_t at = m->word.len;
	buf_add_visible(&m->word, s, n, 0);
	m->word_w += utf8_width(m->word.data + at, m->word.len - at);
}

/* Adds styled bytes to the current word (escapes take no columns). */
static void md_word_raw(struct md *m, const char *s)
{
	if (m->o->color)
		buf_puts(&m->word, s);
}

static void md_text(struct md *m, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		if (s[i] == ' ' || s[i] == '\n' || s[i] == '\t') {
			md_put_word(m);
			m->space = true;
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && s[j] != ' ' && s[j] != '\n' && s[j] != '\t')
			j++;
		md_word_add(m, s + i, j - i);
		i = j;
	}
}

/* Ends the current line and leaves a blank line when the previous block asked
 * for one. */
static void md_block_gap(struct md *m)
{
	md_put_word(m);
	md_flush_line(m);
	if (m->need_blank && !m->first_block)
		buf_addc(m->out, '\n');
	m->need_blank = false;
	m->first_block = false;
}

/* ---- tables ---- */

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->ncells; i++)
		buf_release(&t->cells[i].text);
	free(t->cells);
	free(t->row_start);
	free(t);
}

/* The columns of the widest word of a cell, and of the whole cell on one
 * line. */
static void cell_widths(const struct cell *c, size_t *word, size_t *all)
{
	*word = *all = 0;
	const char *s = c->text.data ? c->text.data : "";
	size_t n = c->text.len, words = 0;
	for (size_t i = 0; i <= n;) {
		size_t k = i;
		while (k < n && s[k] != CELL_SEP)
			k++;
		size_t w = render_width(s + i, k - i);
		*word = w > *word ? w : *word;
		*all += w;
		words++;
		i = k + 1;
	}
	*all += words ? words - 1 : 0;
}

/* Cell c wrapped into lines of at most w columns (a longer word stays
 * whole): line i of it, into out; returns false past its last line. */
static bool cell_line(const struct cell *c, size_t w, size_t line, struct buf *out)
{
	const char *s = c->text.data ? c->text.data : "";
	size_t n = c->text.len, col = 0, cur = 0;
	bool any = false;
	for (size_t i = 0; i < n;) {
		size_t k = i;
		while (k < n && s[k] != CELL_SEP)
			k++;
		size_t ww = render_width(s + i, k - i);
		if (any && col + 1 + ww > w) {
			cur++;
			col = 0;
			any = false;
		}
		if (cur == line) {
			if (any)
				buf_addc(out, ' ');
			buf_add(out, s + i, k - i);
		} else if (cur > line)
			return true;
		col += (any ? 1 : 0) + ww;
		any = true;
		i = k + 1;
	}
	return cur >= line && (line == 0 || n > 0);
}

/* One row of cells, each column w[c] wide, cells wrapped within it. */
static void table_row(struct md *m, const struct cell *cells, size_t n, const size_t *w, size_t ncols)
{
	struct buf line, piece;
	buf_init(&line);
	buf_init(&piece);
	for (size_t l = 0;; l++) {
		bool more = false;
		buf_truncate(&line, 0);
		buf_printf(&line, "%*s", m->hang, "");
		for (size_t c = 0; c < ncols; c++) {
			buf_truncate(&piece, 0);
			if (c < n && cell_line(&cells[c], w[c], l, &piece))
				more = more || piece.len;
			size_t pw = render_width(piece.data ? piece.data : "", piece.len);
			size_t pad = w[c] > pw ? w[c] - pw : 0;
			size_t left = c < n && cells[c].align == MD_ALIGN_RIGHT ? pad
			              : c < n && cells[c].align == MD_ALIGN_CENTER ? pad / 2 : 0;
			if (c)
				buf_puts(&line, " │ ");
			buf_printf(&line, "%*s", (int)left, "");
			if (c < n && cells[c].head && piece.len)
				render_styled(&line, STYLE_BOLD, piece.data, piece.len, m->o);
			else
				buf_add(&line, piece.data ? piece.data : "", piece.len);
			buf_printf(&line, "%*s", (int)(pad - left), "");
		}
		if (!more && l > 0)
			break;
		while (line.len && line.data[line.len - 1] == ' ')
			line.data[--line.len] = '\0';
		buf_add(m->out, line.data, line.len);
		buf_addc(m->out, '\n');
	}
	buf_release(&line);
	buf_release(&piece);
}

/* The column widths: each column's natural width when all fit; else each
 * at least its widest word, the room left shared out to the columns that
 * want more. Returns false when even the widest words do not fit. */
static bool table_widths(const struct table *t, size_t ncols, size_t room, size_t *w)
{
	size_t *nat = xcalloc(ncols, sizeof *nat), sum = 0, min = 0;
	for (size_t i = 0; i < t->ncells; i++) {
		size_t r = 0;
		while (r + 1 < t->nrows && t->row_start[r + 1] <= i)
			r++;
		size_t c = i - t->row_start[r], word, all;
		cell_widths(&t->cells[i], &word, &all);
		nat[c] = all > nat[c] ? all : nat[c];
		w[c] = word > w[c] ? word : w[c];
	}
	for (size_t c = 0; c < ncols; c++) {
		sum += nat[c];
		min += w[c];
	}
	bool ok = min <= room;
	if (sum <= room)
		memcpy(w, nat, ncols * sizeof *w);
	else
		for (size_t left = ok ? room - min : 0; left > 0; left--) {
			size_t best = 0;
			for (size_t c = 1; c < ncols; c++)
				if (nat[c] - w[c] > nat[best] - w[best])
					best = c;
			if (nat[best] == w[best])
				break;
			w[best]++;
		}
	free(nat);
	return ok;
}

/* A table too wide for the terminal: each body row as a block of
 * "header: value" lines. */
static void table_blocks(struct md *m, const struct table *t)
{
	size_t nhead = t->nrows > 1 ? t->row_start[1] : t->ncells;
	for (size_t r = 1; r < t->nrows; r++) {
		size_t from = t->row_start[r], to = r + 1 < t->nrows ? t->row_start[r + 1] : t->ncells;
		if (r > 1)
			buf_addc(m->out, '\n');
		for (size_t i = from; i < to; i++) {
			struct buf line;
			buf_init(&line);
			buf_printf(&line, "%*s", m->hang, "");
			if (i - from < nhead) {
				const struct buf *h = &t->cells[i - from].text;
				for (size_t k = 0; k < h->len; k++)
					buf_addc(&line, h->data[k] == CELL_SEP ? ' ' : h->data[k]);
				buf_puts(&line, ": ");
			}
			const struct buf *v = &t->cells[i].text;
			for (size_t k = 0; k < v->len; k++)
				buf_addc(&line, v->data[k] == CELL_SEP ? ' ' : v->data[k]);
			render_wrap(m->out, line.data, m->hang + 2, m->width);
			buf_release(&line);
		}
	}
}

/* Lays out the gathered table: aligned columns between │ separators, a rule
 * under the header, cells wrapped within their columns when the table is
 * wider than the terminal, one block per row when even that cannot fit. */
static void table_render(struct md *m)
{
	struct table *t = m->table;
	m->table = NULL;
	if (!t)
		return;
	size_t ncols = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		size_t to = r + 1 < t->nrows ? t->row_start[r + 1] : t->ncells;
		if (to - t->row_start[r] > ncols)
			ncols = to - t->row_start[r];
	}
	size_t *w = xcalloc(ncols ? ncols : 1, sizeof *w);
	int room = m->width - m->hang - 3 * (int)(ncols ? ncols - 1 : 0);
	if (ncols && (room <= 0 || !table_widths(t, ncols, (size_t)room, w))) {
		table_blocks(m, t);
	} else {
		for (size_t r = 0; r < t->nrows; r++) {
			size_t to = r + 1 < t->nrows ? t->row_start[r + 1] : t->ncells;
			table_row(m, t->cells + t->row_start[r], to - t->row_start[r], w, ncols);
			if (r == 0) {
				buf_printf(m->out, "%*s", m->hang, "");
				for (size_t c = 0; c < ncols; c++) {
					buf_puts(m->out, c ? "─┼─" : "");
					for (size_t k = 0; k < w[c]; k++)
						buf_puts(m->out, "─");
				}
				buf_addc(m->out, '\n');
			}
		}
	}
	free(w);
	table_free(t);
}

static int md_enter_block(MD_BLOCKTYPE type, void *detail, void *u)
{
	struct md *m = u;
	switch (type) {
	case MD_BLOCK_DOC:
		break;
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
		if (m->nlists == 0)
			md_block_gap(m);
		else {
			md_put_word(m);
			md_flush_line(m);
		}
		if (m->nlists < (int)ARRAY_SIZE(m->lists)) {
			struct list *l = &m->lists[m->nlists];
			l->ordered = type == MD_BLOCK_OL;
			l->next = l->ordered ? ((MD_BLOCK_OL_DETAIL *)detail)->start : 0;
		}
		m->nlists++;
		break;
	case MD_BLOCK_LI: {
		md_put_word(m);
		md_flush_line(m);
		int lvl = m->nlists - 1;
		if (lvl >= (int)ARRAY_SIZE(m->lists))
			lvl = ARRAY_SIZE(m->lists) - 1;
		struct list *l = &m->lists[lvl];
		if (l->ordered)
			snprintf(m->marker, sizeof m->marker, "%u. ", l->next++);
		else
			snprintf(m->marker, sizeof m->marker, "%s", "• ");
		l->saved_hang = m->hang;
		m->hang += (int)utf8_width(m->marker, strlen(m->marker));
		break;
	}
	case MD_BLOCK_H:
		md_block_gap(m);
		m->in_heading = true;
		md_word_raw(m, "\033[1;4m");
		break;
	case MD_BLOCK_P:
		if (m->marker[0] == '\0')
			md_block_gap(m);
		break;
	case MD_BLOCK_QUOTE:
		md_block_gap(m);
		m->hang += 2;
		break;
	case MD_BLOCK_CODE: {
		md_block_gap(m);
		m->in_code_block = true;
		buf_truncate(&m->code, 0);
		MD_BLOCK_CODE_DETAIL *cd = detail;
		m->code_lang = cd->lang.text;
		m->code_lang_len = cd->lang.size;
		break;
	}
	case MD_BLOCK_HR:
		md_block_gap(m);
		for (int i = m->hang; i < m->width && i < m->hang + 40; i++)
			buf_puts(&m->line, "─");
		md_flush_line(m);
		break;
	case MD_BLOCK_TABLE:
		md_block_gap(m);
		m->table = xcalloc(1, sizeof *m->table);
		break;
	case MD_BLOCK_TR:
		md_put_word(m);
		if (m->table) {
			struct table *t = m->table;
			GROW(t->row_start, t->rowcap, t->nrows + 1);
			t->row_start[t->nrows++] = t->ncells;
		}
		break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD:
		md_put_word(m);
		if (m->table && m->table->nrows) {
			struct table *t = m->table;
			GROW(t->cells, t->cap, t->ncells + 1);
			t->cur = &t->cells[t->ncells++];
			memset(t->cur, 0, sizeof *t->cur);
			buf_init(&t->cur->text);
			t->cur->head = type == MD_BLOCK_TH;
			t->cur->align = ((MD_BLOCK_TD_DETAIL *)detail)->align;
		}
		break;
	default:
		break;
	}
	return 0;
}

/* Ends a block of text: its last word and line out, a blank line before
 * whatever comes next. */
static void md_end_block(struct md *m)
{
	md_put_word(m);
	md_flush_line(m);
	m->need_blank = true;
}

static int md_leave_block(MD_BLOCKTYPE type, void *detail, void *u)
{
	struct md *m = u;
	(void)detail;
	switch (type) {
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
		m->nlists--;
		if (m->nlists == 0)
			m->need_blank = true;
		break;
	case MD_BLOCK_LI: {
		md_put_word(m);
		md_flush_line(m);
		int lvl = m->nlists - 1;
		if (lvl >= (int)ARRAY_SIZE(m->lists))
			lvl = ARRAY_SIZE(m->lists) - 1;
		m->hang = m->lists[lvl].saved_hang;
		break;
	}
	case MD_BLOCK_H:
		md_word_raw(m, "\033[0m");
		md_end_block(m);
		m->in_heading = false;
		break;
	case MD_BLOCK_P:
		md_end_block(m);
		break;
	case MD_BLOCK_TABLE:
		md_put_word(m);
		table_render(m);
		m->need_blank = true;
		break;
	case MD_BLOCK_QUOTE:
		md_end_block(m);
		m->hang -= 2;
		break;
	case MD_BLOCK_CODE: {
		char *lang = m->code_lang_len ? xstrndup(m->code_lang, m->code_lang_len) : NULL;
		render_code(m->out, m->code.data, lang ? lang : "python", m->hang + 4, m->o);
		free(lang);
		m->in_code_block = false;
		m->need_blank = true;
		break;
	}
	case MD_BLOCK_TH:
	case MD_BLOCK_TD:
		md_put_word(m);
		if (m->table)
			m->table->cur = NULL;
		break;
	default:
		break;
	}
	return 0;
}

static int md_enter_span(MD_SPANTYPE type, void *detail, void *u)
{
	struct md *m = u;
	(void)detail;
	switch (type) {
	case MD_SPAN_STRONG:
		md_word_raw(m, "\033[1m");
		break;
	case MD_SPAN_EM:
		md_word_raw(m, "\033[3m");
		break;
	case MD_SPAN_CODE:
		if (m->o->color)
			md_word_raw(m, "\033[36m");
		else {
			buf_addc(&m->word, '`');
			m->word_w++;
		}
		break;
	default:
		break;
	}
	m->styles++;
	return 0;
}

static int md_leave_span(MD_SPANTYPE type, void *detail, void *u)
{
	struct md *m = u;
	(void)detail;
	m->styles--;
	switch (type) {
	case MD_SPAN_STRONG:
	case MD_SPAN_EM:
		md_word_raw(m, m->in_heading ? "\033[0m\033[1;4m" : "\033[0m");
		break;
	case MD_SPAN_CODE:
		if (m->o->color)
			md_word_raw(m, m->in_heading ? "\033[0m\033[1;4m" : "\033[0m");
		else {
			buf_addc(&m->word, '`');
			m->word_w++;
		}
		break;
	default:
		break;
	}
	return 0;
}

static int md_on_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *u)
{
	struct md *m = u;
	if (m->in_code_block) {
		buf_add(&m->code, text, size);
		return 0;
	}
	switch (type) {
	case MD_TEXT_SOFTBR:
		md_put_word(m);
		m->space = true;
		break;
	case MD_TEXT_BR:
		md_put_word(m);
		md_flush_line(m);
		break;
	case MD_TEXT_CODE:
		/* Inline code never breaks inside: spaces stay in the word. */
		md_word_add(m, text, size);
		break;
	case MD_TEXT_ENTITY:
		if (size == 5 && memcmp(text, "&amp;", 5) == 0)
			md_text(m, "&", 1);
		else if (size == 4 && memcmp(text, "&lt;", 4) == 0)
			md_text(m, "<", 1);
		else if (size == 4 && memcmp(text, "&gt;", 4) == 0)
			md_text(m, ">", 1);
		else if (size == 6 && memcmp(text, "&quot;", 6) == 0)
			md_text(m, "\"", 1);
		else
			md_text(m, text, size);
		break;
	case MD_TEXT_NULLCHAR:
		break;
	default:
		md_text(m, text, size);
		break;
	}
	return 0;
}

int render_markdown(struct buf *out, const char *md, int indent, const struct render_opts *o)
{
	struct md m;
	memset(&m, 0, sizeof m);
	m.out = out;
	m.o = o;
	m.width = o->width < 20 ? 20 : o->width;
	m.hang = indent;
	m.first_block = true;
	buf_init(&m.line);
	buf_init(&m.word);
	buf_init(&m.code);
	MD_PARSER parser = {
		.abi_version = 0,
		.flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_NOHTML,
		.enter_block = md_enter_block,
		.leave_block = md_leave_block,
		.enter_span = md_enter_span,
		.leave_span = md_leave_span,
		.text = md_on_text,
	};
	int rc = md_parse(md, (MD_SIZE)strlen(md), &parser, &m);
	md_put_word(&m);
	md_flush_line(&m);
	if (m.table)
		table_free(m.table);
	buf_release(&m.line);
	buf_release(&m.word);
	buf_release(&m.code);
	if (rc != 0) {
		buf_puts(out, md);
		return -1;
	}
	return 0;
}

/* ---- lessons ---- */

void render_section(struct buf *out, const struct lesson *ls, size_t i, const struct render_opts *o)
{
	const struct section *s = &ls->sections[i];
	char *head = xasprintf("%zu. %s", i + 1, s->title);
	render_styled(out, STYLE_HEAD, head, strlen(head), o);
	free(head);
	buf_puts(out, "\n\n");
	if (s->body) {
		render_markdown(out, s->body, 0, o);
		buf_addc(out, '\n');
	}
	if (s->code) {
		render_code(out, s->code->source, s->code->lang, 4, o);
		buf_addc(out, '\n');
		if (s->code->output) {
			render_styled(out, STYLE_DIM, "  Output:", 9, o);
			buf_addc(out, '\n');
			render_code(out, s->code->output, "text", 4, o);
			buf_addc(out, '\n');
		}
	}
}

/* Adds s cut to at most `cols` columns, ending in an ellipsis when cut. */
static void add_fitted(struct buf *out, const char *text, int cols)
{
	char *s = str_visible(text);
	size_t n = strlen(s);
	if (cols < 8 || (int)utf8_width(s, n) <= cols) {
		buf_puts(out, s);
		free(s);
		return;
	}
	size_t cut = 0;
	while (cut < n) {
		size_t next = cut + 1;
		while (next < n && ((unsigned char)s[next] & 0xC0) == 0x80)
			next++;
		if ((int)utf8_width(s, next) > cols - 1)
			break;
		cut = next;
	}
	while (cut > 0 && s[cut - 1] == ' ')
		cut--;
	buf_add(out, s, cut);
	buf_puts(out, "\u2026");
	free(s);
}

static void render_list_line(struct buf *out, const char *label, const struct strlist *l,
                             const struct catalog *c, bool demos, const struct render_opts *o)
{
	if (!l->n)
		return;
	render_styled(out, STYLE_BOLD, label, strlen(label), o);
	buf_addc(out, '\n');
	for (size_t i = 0; i < l->n; i++) {
		const char *title = NULL;
		if (demos) {
			const struct demo *d = catalog_demo(c, l->v[i]);
			title = d ? d->title : NULL;
		} else {
			const struct lesson *x = catalog_lesson(c, l->v[i]);
			title = x ? x->title : NULL;
		}
		char *head = xasprintf("  %s %-22s ", demos ? "demo" : "learn", l->v[i]);
		buf_puts(out, head);
		add_fitted(out, title ? title : "", (int)o->width - (int)utf8_width(head, strlen(head)));
		buf_addc(out, '\n');
		free(head);
	}
	buf_addc(out, '\n');
}

void render_lesson(struct buf *out, const struct lesson *ls, int section, const struct catalog *c,
                   const struct render_opts *o)
{
	render_styled(out, STYLE_BOLD, ls->title, strlen(ls->title), o);
	buf_printf(out, "  [%s · %s]\n", ls->track, ls->level);
	render_markdown(out, ls->summary, 0, o);
	if (ls->requires.n) {
		buf_puts(out, "Read first:");
		for (size_t i = 0; i < ls->requires.n; i++)
			buf_printf(out, " %s", ls->requires.v[i]);
		buf_addc(out, '\n');
	}
	buf_addc(out, '\n');
	if (section >= 0) {
		render_section(out, ls, (size_t)section, o);
		buf_printf(out, "Section %d of %zu.", section + 1, ls->nsections);
		if ((size_t)section + 1 < ls->nsections) {
			const char *t = ls->sections[section + 1].title;
			buf_puts(out, " Next: ");
			buf_add_visible(out, t, strlen(t), 0);
		}
		buf_puts(out, "\n\n");
	} else {
		for (size_t i = 0; i < ls->nsections; i++)
			render_section(out, ls, i, o);
	}
	if (section < 0 || (size_t)section + 1 == ls->nsections) {
		render_list_line(out, "See it live:", &ls->demos, c, true, o);
		render_list_line(out, "See also:", &ls->see_also, c, false, o);
		if (ls->quiz)
			buf_printf(out, "Test yourself: quiz %s (%zu questions)\n", ls->id, ls->quiz->n);
	}
}

/* ---- pager ---- */

/* Runs argv with text on its standard input and waits for it. Returns 0, or
 * the errno of its start when it could not start (nothing was shown), so the
 * caller prints instead.
 * The exec failure comes back through a close-on-exec pipe, as in runner, so
 * a pager that ran and exited 127 is not taken for one that never started. */
static int run_pager(char *const argv[], const char *text, size_t len)
{
	int fds[2], errp[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return errno;
	if (pipe2(errp, O_CLOEXEC) < 0) {
		int e = errno;
		close(fds[0]);
		close(fds[1]);
		return e;
	}
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[0], 0);
		setenv("LESS", "FRX", 0);
		execvp(argv[0], argv);
		int e = errno;
		ssize_t w = write(errp[1], &e, sizeof e);
		(void)w;
		_exit(127);
	}
	close(fds[0]);
	close(errp[1]);
	if (pid < 0) {
		int e = errno;
		close(fds[1]);
		close(errp[0]);
		return e;
	}
	int err = 0;
	ssize_t n;
	do
		n = read(errp[0], &err, sizeof err);
	while (n < 0 && errno == EINTR);
	close(errp[0]);
	bool started = n != (ssize_t)sizeof err;
	if (started)
		err = 0;
	/* A pager that quits early (q in less) closes the pipe: that is not
	 * an error, and must not kill pydojo. */
	struct sigaction ign, old;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	if (started)
		(void)write_all(fds[1], text, len);   /* a pager that quit early took what it wanted */
	close(fds[1]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	sigaction(SIGPIPE, &old, NULL);
	return err;
}

void render_page(const char *text, size_t len, bool use_pager)
{
	fflush(stdout);
	const char *pager = getenv("PAGER");
	if (!pager || !*pager)
		pager = "less -R";
	if (use_pager && strcmp(pager, "cat") != 0) {
		/* Split "less -R" into words; no shell. */
		char *copy = xstrdup(pager);
		char *argv[16];
		int argc = 0;
		for (char *tok = strtok(copy, " \t"); tok && argc < 15; tok = strtok(NULL, " \t"))
			argv[argc++] = tok;
		argv[argc] = NULL;
		int err = argc > 0 ? run_pager(argv, text, len) : ENOENT;
		free(copy);
		if (!err)
			return;
		char pe[ECHO_SIZE];
		fprintf(stderr, "pydojo: cannot start the pager '%s': %s; printing directly\n", str_echo(pe, pager),
		        strerror(err));
	}
	fwrite(text, 1, len, stdout);
	fflush(stdout);
}

/* ---- HTML (the Anki export) ---- */

static void html_out(const MD_CHAR *text, MD_SIZE size, void *ud)
{
	buf_add(ud, text, size);
}

/* Whether a link or image address may stay in a card: http:, https: or an
 * in-page anchor. Anything else (javascript:, data:, file:, a relative
 * path) could run or load something when Anki shows the card. */
static bool safe_url(const char *u, size_t n)
{
	return (n > 0 && u[0] == '#') || (n >= 5 && strncasecmp(u, "http:", 5) == 0) ||
	       (n >= 6 && strncasecmp(u, "https:", 6) == 0);
}

/* Drops from b[start..] every link and image whose address is not safe_url,
 * keeping a link's text and an image's alt text. Raw HTML is off, so every
 * <a href="..."> and <img src="..."> there is md4c's own, its attribute
 * values escaped (no quote or '>' inside them), and links do not nest. */
static void drop_unsafe_links(struct buf *b, size_t start)
{
	struct buf out;
	buf_init(&out);
	const char *p = b->data + start;
	int open_links = 0;
	while (*p) {
		bool a = str_starts(p, "<a href=\""), img = str_starts(p, "<img src=\"");
		if (a || img) {
			const char *u = p + (a ? 9 : 10);
			const char *q = strchr(u, '"');
			const char *gt = q ? strchr(q, '>') : NULL;
			if (gt && !safe_url(u, (size_t)(q - u))) {
				const char *alt = img ? strstr(q, " alt=\"") : NULL;
				if (alt && alt < gt)
					buf_add(&out, alt + 6, strcspn(alt + 6, "\""));
				open_links += a;
				p = gt + 1;
				continue;
			}
		}
		if (open_links && str_starts(p, "</a>")) {
			open_links--;
			p += 4;
			continue;
		}
		buf_addc(&out, *p++);
	}
	buf_truncate(b, start);
	buf_add(b, out.data, out.len);
	buf_release(&out);
}

/* Appends Markdown md as HTML, without md4c's final newline. */
void render_html(struct buf *b, const char *md)
{
	if (!md)
		return;
	size_t start = b->len;
	if (md_html(md, (MD_SIZE)strlen(md), html_out, b, MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_NOHTML,
	            0) != 0) {
		/* md4c fails only on out-of-memory; fall back to escaped text. */
		buf_puts(b, "<p>");
		for (const char *p = md; *p; p++) {
			if (*p == '<')
				buf_puts(b, "&lt;");
			else if (*p == '>')
				buf_puts(b, "&gt;");
			else if (*p == '&')
				buf_puts(b, "&amp;");
			else if (*p == '"')
				buf_puts(b, "&quot;");
			else
				buf_addc(b, *p);
		}
		buf_puts(b, "</p>");
	}
	drop_unsafe_links(b, start);
	while (b->len > start && b->data[b->len - 1] == '\n')
		buf_truncate(b, b->len - 1);
}

/* As render_html, but a text that is one paragraph loses its <p> (a choice
 * or an item inside <li>). */
void render_html_inline(struct buf *b, const char *md)
{
	size_t start = b->len;
	render_html(b, md);
	char *h = b->data + start;
	size_t n = b->len - start;
	if (n >= 7 && strncmp(h, "<p>", 3) == 0 && strcmp(h + n - 4, "</p>") == 0 && !strstr(h + 3, "<p>")) {
		memmove(h, h + 3, n - 7);
		buf_truncate(b, start + n - 7);
	}
}
