/*
 * diag: collects errors so that one run reports all of them, not the first.
 * On a terminal each error shows its source line with a caret under the
 * column, as jq does; the line is read from the file when it is printed, so
 * the loaders keep no copy of the text. Anywhere else the output is the
 * plain 'FILE:LINE:COL: error: MESSAGE' lines that scripts parse.
 */
#include "diag.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* A source line longer than this is shown up to here only. */
#define SRC_MAX_BYTES 65536
/* On a terminal, the shown part of a long line: the caret at most this far
 * right, and the whole at most this wide. */
#define SRC_CARET_COLS 60
#define SRC_MAX_COLS 120
#define TAB_COLS 8

void diag_init(struct diag *d)
{
	memset(d, 0, sizeof *d);
}

void diag_release(struct diag *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->items[i].file);
		free(d->items[i].msg);
	}
	free(d->items);
	memset(d, 0, sizeof *d);
}

void diag_add(struct diag *d, const char *file, int line, int col, const char *fmt, ...)
{
	GROW(d->items, d->cap, d->n + 1);
	struct diag_item *it = &d->items[d->n++];
	it->file = xstrdup(file ? file : "<input>");
	it->line = line > 0 ? line : 1;
	it->col = col > 0 ? col : 1;
	va_list ap;
	va_start(ap, fmt);
	it->msg = xvasprintf(fmt, ap);
	va_end(ap);
}

static int cmp_item(const void *pa, const void *pb)
{
	const struct diag_item *a = pa, *b = pb;
	int c = strcmp(a->file, b->file);
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return strcmp(a->msg, b->msg);
}

const char *diag_relpath(const char *f)
{
	/* Files under the working directory are shown relative to it, as a
	 * compiler shows them. */
	char cwd[4096];
	if (!getcwd(cwd, sizeof cwd))
		return f;
	size_t clen = strlen(cwd);
	if (clen > 1 && strncmp(f, cwd, clen) == 0 && f[clen] == '/')
		return f + clen + 1;
	return f;
}

size_t diag_finish(struct diag *d)
{
	if (d->n > 1)
		qsort(d->items, d->n, sizeof *d->items, cmp_item);
	size_t kept = 0;
	for (size_t i = 0; i < d->n; i++) {
		if (kept > 0 && cmp_item(&d->items[i], &d->items[kept - 1]) == 0) {
			free(d->items[i].file);
			free(d->items[i].msg);
			continue;
		}
		d->items[kept++] = d->items[i];
	}
	d->n = kept;
	return kept;
}

/* Reads the source lines that the (sorted) items point at, moving forward
 * through one file at a time. */
struct src_reader {
	const char *file;   /* borrowed from the item; NULL before the first */
	FILE *f;            /* NULL when the file cannot be read as text */
	int lineno;         /* the number of the line in text, 0 for none */
	struct buf text;
};

static void src_close(struct src_reader *r)
{
	if (r->f)
		fclose(r->f);
	r->f = NULL;
	r->lineno = 0;
}

static void src_open(struct src_reader *r, const char *file)
{
	src_close(r);
	r->file = file;
	/* Only a regular file: opening a FIFO named in an error would wait for
	 * its writer (O_NONBLOCK), and a device is no source. */
	int fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !(r->f = fdopen(fd, "r"))) {
		close(fd);
		return;
	}
	/* Columns count from after a byte-order mark, as the loader counts. */
	if (getc(r->f) != 0xef || getc(r->f) != 0xbb || getc(r->f) != 0xbf)
		rewind(r->f);
}

/* The text of line lineno (without its end of line) in r->text, or NULL
 * when the file cannot be read or is shorter. */
static const char *src_line(struct src_reader *r, const char *file, int lineno)
{
	if (!r->file || strcmp(r->file, file) != 0 || lineno < r->lineno)
		src_open(r, file);
	while (r->f && r->lineno < lineno) {
		buf_truncate(&r->text, 0);
		int c;
		while ((c = getc(r->f)) != EOF && c != '\n')
			if (r->text.len < SRC_MAX_BYTES)
				buf_addc(&r->text, (char)c);
		if (c == EOF && (ferror(r->f) || r->text.len == 0)) {
			src_close(r);
			return NULL;
		}
		r->lineno++;
		if (r->text.len && r->text.data[r->text.len - 1] == '\r')
			buf_truncate(&r->text, r->text.len - 1);
		if (c == EOF)   /* a last line without a newline: nothing after it */
			break;
	}
	if (!r->f || r->lineno != lineno)
		return NULL;
	return r->text.data;
}

/* The length of the character at s[0..n): a whole UTF-8 sequence, or one
 * byte of anything else (shown escaped). */
static size_t char_len(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	size_t k = c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (k > n || !utf8_valid(s, k, NULL))
		k = 1;
	return k;
}

/* One character of a source line as shown: its visible text and width. */
struct shown_char {
	size_t off, len;    /* into the shown text */
	size_t col;         /* the column it starts at */
};

static void print_source(FILE *out, const char *line, size_t len, int col)
{
	/* The line as shown: controls made visible (content never drives the
	 * terminal), tabs expanded to the next stop, so that the caret line
	 * needs only spaces. */
	struct buf shown, piece;
	buf_init(&shown);
	buf_init(&piece);
	struct shown_char *ch = NULL;
	size_t nch = 0, cap = 0, w = 0;
	for (size_t i = 0; i < len;) {
		size_t k = char_len(line + i, len - i);
		GROW(ch, cap, nch + 1);
		ch[nch] = (struct shown_char){.off = shown.len, .col = w};
		if (line[i] == '\t') {
			size_t n = TAB_COLS - w % TAB_COLS;
			for (size_t j = 0; j < n; j++)
				buf_addc(&shown, ' ');
			w += n;
		} else {
			buf_truncate(&piece, 0);
			buf_add_visible(&piece, line + i, k, 0);
			buf_add(&shown, piece.data, piece.len);
			w += utf8_width(piece.data, piece.len);
		}
		ch[nch].len = shown.len - ch[nch].off;
		nch++;
		i += k;
	}
	/* The caret's column: under character col, or past the end. */
	size_t at = (size_t)(col > 0 ? col - 1 : 0);
	size_t caret = at < nch ? ch[at].col : w;
	/* A long line is shown from a little before the caret, and cut, each
	 * cut marked with an ellipsis (one column). */
	size_t first = 0, last = nch, lead = 0;
	if (caret >= SRC_MAX_COLS) {
		while (first < nch && ch[first].col + SRC_CARET_COLS < caret)
			first++;
		lead = 1;
	}
	size_t start_col = first < nch ? ch[first].col : w;
	size_t limit = start_col + SRC_MAX_COLS - lead;
	if (w > limit) {
		limit--;
		while (last > first && (last < nch ? ch[last].col : w) > limit)
			last--;
	}
	fputs("    ", out);
	if (lead)
		fputs("\u2026", out);
	if (last > first)
		fwrite(shown.data + ch[first].off, 1, ch[last - 1].off + ch[last - 1].len - ch[first].off, out);
	if (last < nch)
		fputs("\u2026", out);
	fputs("\n    ", out);
	for (size_t j = 0; j < lead + caret - start_col; j++)
		fputc(' ', out);
	fputs("^\n", out);
	free(ch);
	buf_release(&piece);
	buf_release(&shown);
}

static size_t write_as(struct diag *d, FILE *out, bool source, const char *kind)
{
	diag_finish(d);
	struct src_reader r = {0};
	buf_init(&r.text);
	for (size_t i = 0; i < d->n; i++) {
		const struct diag_item *it = &d->items[i];
		/* File names and messages echo content and the command line:
		 * their control characters are shown, never sent. */
		char *f = str_visible(diag_relpath(it->file)), *msg = str_visible(it->msg);
		fprintf(out, "%s:%d:%d: %s: %s\n", f, it->line, it->col, kind, msg);
		free(f);
		free(msg);
		const char *text = source ? src_line(&r, it->file, it->line) : NULL;
		if (text)
			print_source(out, text, r.text.len, it->col);
	}
	src_close(&r);
	buf_release(&r.text);
	return d->n;
}

size_t diag_write(struct diag *d, FILE *out, bool source)
{
	return write_as(d, out, source, "error");
}

size_t diag_print(struct diag *d, FILE *out)
{
	int fd = fileno(out);
	return diag_write(d, out, fd >= 0 && isatty(fd));
}

size_t diag_print_warnings(struct diag *d, FILE *out)
{
	int fd = fileno(out);
	return write_as(d, out, fd >= 0 && isatty(fd), "warning");
}
