/*
 * diag: a list of content errors, each with a file, a 1-based line and column
 * (in characters) and a message. Modules append to it; the caller prints it.
 * Printing sorts by file, then position, and removes exact duplicates, so
 * that n then counts the errors shown.
 *
 * Strings added are copied; the list owns them until diag_release().
 */
#ifndef PYDOJO_DIAG_H
#define PYDOJO_DIAG_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>

struct diag_item {
	char *file;
	int line, col;
	char *msg;
};

struct diag {
	struct diag_item *items;
	size_t n, cap;
};

void diag_init(struct diag *d);
void diag_release(struct diag *d);
void diag_add(struct diag *d, const char *file, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* path relative to the working directory when it lies under it, else path
 * itself (borrowed). */
const char *diag_relpath(const char *path);
/* Sorts the items by file, line, column and message and drops exact
 * duplicates; returns d->n, the number left. */
size_t diag_finish(struct diag *d);
/* diag_finish, then prints every item as 'FILE:LINE:COL: error: MESSAGE'
 * (control characters made visible). With source, each line is followed by
 * the source line it points into, read from FILE now, and a caret under the
 * column, as jq shows them: tabs expanded, wide characters counted as two
 * columns, control characters made visible, a long line cut around the
 * caret; nothing when the file cannot be read or is shorter. Returns d->n. */
size_t diag_write(struct diag *d, FILE *out, bool source);
/* diag_write with the source lines when out is a terminal, so that scripts
 * reading a pipe or a file get the plain lines. */
size_t diag_print(struct diag *d, FILE *out);
/* diag_print for a list of warnings: 'FILE:LINE:COL: warning: MESSAGE'. */
size_t diag_print_warnings(struct diag *d, FILE *out);

#endif
