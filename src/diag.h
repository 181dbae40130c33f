/*
 * diag: a list of content errors, each with a file, a 1-based line and column
 * and a message. Modules append to it; the caller prints it. Printing sorts by
 * file, then position, and removes exact duplicates.
 *
 * Strings added are copied; the list owns them until diag_release().
 */
#ifndef PYDOJO_DIAG_H
#define PYDOJO_DIAG_H

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
/* Sorts and prints every item as 'FILE:LINE:COL: error: MESSAGE'. */
void diag_print(struct diag *d, FILE *out);

#endif
