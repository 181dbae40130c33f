/*
 * diag: collects errors so that one run reports all of them, not the first.
 */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

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

void diag_print(struct diag *d, FILE *out)
{
	if (d->n > 1)
		qsort(d->items, d->n, sizeof *d->items, cmp_item);
	for (size_t i = 0; i < d->n; i++) {
		const struct diag_item *it = &d->items[i];
		if (i > 0 && cmp_item(it, &d->items[i - 1]) == 0)
			continue;
		/* File names and messages echo content and the command line:
		 * their control characters are shown, never sent. */
		char *f = str_visible(diag_relpath(it->file)), *msg = str_visible(it->msg);
		fprintf(out, "%s:%d:%d: error: %s\n", f, it->line, it->col, msg);
		free(f);
		free(msg);
	}
}
