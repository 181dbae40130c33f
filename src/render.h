/*
 * render: Markdown (through md4c) to terminal text, wrapped to a width, with
 * ANSI styling only when asked (the caller decides from isatty, NO_COLOR and
 * --no-color), code blocks with light Python highlighting, and the layout of
 * a whole lesson; Markdown to HTML (md4c-html) for the Anki export. Also
 * the pager. It never decides colour or width itself.
 *
 * Output goes into a caller-owned struct buf.
 */
#ifndef PYDOJO_RENDER_H
#define PYDOJO_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct lesson;
struct catalog;

struct render_opts {
	int width;     /* columns to wrap to; at least 20 is used */
	bool color;
};

/* Renders Markdown text, each line starting with indent spaces. Returns 0, or
 * -1 when md4c failed (the raw text is appended instead). */
int render_markdown(struct buf *out, const char *md, int indent, const struct render_opts *o);
/* A code block: each line indented, Python highlighted when colour is on. */
void render_code(struct buf *out, const char *src, const char *lang, int indent,
                 const struct render_opts *o);
/* A lesson: its header, then every section (section < 0) or one (0-based),
 * then its demos and see-also. */
void render_lesson(struct buf *out, const struct lesson *ls, int section, const struct catalog *c,
                   const struct render_opts *o);
/* One section of a lesson (0-based), as render_lesson shows it: its
 * numbered title, body and example. */
void render_section(struct buf *out, const struct lesson *ls, size_t i, const struct render_opts *o);

/* Appends Markdown md as HTML (md4c-html; raw HTML off), without a final
 * newline. Links and images keep only http:, https: and #anchor addresses:
 * any other is dropped, its text (or alt text) kept. NULL appends nothing. */
void render_html(struct buf *out, const char *md);
/* As render_html, but a text that is one paragraph loses its <p> (a choice
 * or an item inside <li>). */
void render_html_inline(struct buf *out, const char *md);

/* Style helpers: append s wrapped in an ANSI style when colour is on. */
enum render_style { STYLE_BOLD, STYLE_DIM, STYLE_CODE, STYLE_HEAD, STYLE_MATCH, STYLE_OK, STYLE_BAD };
void render_styled(struct buf *out, enum render_style st, const char *s, size_t n, const struct render_opts *o);

/* The terminal's width when fd is a terminal, else 80. */
int render_term_width(int fd);
/* The width prose is wrapped to on a terminal of cols columns: at most
 * RENDER_PROSE_MAX (long lines are hard to read), else cols. */
#define RENDER_PROSE_MAX 100
int render_prose_width(int cols);

/* Appends plain text (no Markdown) wrapped at spaces to width columns: the
 * first line as it starts (its leading spaces kept), the next ones indented
 * by hang spaces; a newline in text starts a new first line.
 * Spaces between words stay as written, except where a line breaks. A
 * word never breaks: one wider than the room overflows on a line of its
 * own. Style escapes take no columns. Ends with a newline. */
void render_wrap(struct buf *out, const char *text, int hang, int width);
/* The columns s takes on a terminal, its style escapes excluded. */
size_t render_width(const char *s, size_t n);

/* Shows text through $PAGER (default "less -R", with LESS=FRX so short text is
 * printed directly) when use_pager is set; otherwise, or when the pager cannot
 * start, writes it to stdout. */
void render_page(const char *text, size_t len, bool use_pager);

#endif
