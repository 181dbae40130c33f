/*
 * libFuzzer harness: loading content, from the YAML parser (ydoc) through
 * typing, validation and cross-references (catalog), to rendering every
 * lesson of a catalog that loads clean. The input is one or more files, each
 * after a header line as `head` prints it:
 *
 *   ==> lessons/gil.yaml <==
 *   id: gil
 *   ...
 *   ==> quizzes/gil.yaml <==
 *   ...
 *
 * A name is lessons/ID.yaml, quizzes/ID.yaml, demos/demos.yaml or
 * terms.yaml (the rubric vocabulary). Text
 * before the first header is lessons/x.yaml. The files are written to a
 * scratch folder, which is then loaded as a content root.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "catalog.h"
#include "fuzz.h"
#include "render.h"
#include "rubric_check.h"
#include "ydoc.h"

#define MAX_FILES 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const dirs[] = {"lessons", "quizzes", "demos"};

static void remove_dirs(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		char *d = xasprintf("%s/%s", fuzz_scratch(), dirs[i]);
		rmdir(d);
		free(d);
	}
}

static bool good_name(const char *s, size_t n)
{
	if ((n == 16 && memcmp(s, "demos/demos.yaml", 16) == 0) || (n == 10 && memcmp(s, "terms.yaml", 10) == 0))
		return true;
	size_t dir;
	if (n > 8 && memcmp(s, "lessons/", 8) == 0)
		dir = 8;
	else if (n > 8 && memcmp(s, "quizzes/", 8) == 0)
		dir = 8;
	else
		return false;
	if (n < dir + 6 || n > dir + 69 || memcmp(s + n - 5, ".yaml", 5) != 0)
		return false;
	for (size_t i = dir; i < n - 5; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *root = fuzz_scratch();
	static bool made;
	if (!made) {
		for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
			char *d = xasprintf("%s/%s", root, dirs[i]);
			mkdir(d, 0700);
			free(d);
		}
		made = true;
		atexit(remove_dirs);
	}
	char *paths[MAX_FILES];
	size_t nfiles = 0;
	const char *p = (const char *)data, *end = p + size;
	bool ok = true;
	while (p < end && ok) {
		const char *name = "lessons/x.yaml";
		size_t nlen = strlen(name);
		if (end - p >= 4 && memcmp(p, "==> ", 4) == 0) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *close = nl && nl - p >= 8 ? nl - 4 : NULL;
			if (!close || memcmp(close, " <==", 4) != 0 || !good_name(p + 4, (size_t)(close - p - 4))) {
				ok = false;
				break;
			}
			name = p + 4;
			nlen = (size_t)(close - name);
			p = nl + 1;
		} else if (nfiles > 0) {
			ok = false;
			break;
		}
		/* The file runs to the next header line. */
		const char *next = p;
		while (next < end) {
			const char *nl = memchr(next, '\n', (size_t)(end - next));
			if (!nl) {
				next = end;
				break;
			}
			next = nl + 1;
			if (end - next >= 4 && memcmp(next, "==> ", 4) == 0)
				break;
		}
		char *path = xasprintf("%s/%.*s", root, (int)nlen, name);
		for (size_t i = 0; i < nfiles; i++)
			ok &= strcmp(paths[i], path) != 0;
		if (!ok || nfiles == MAX_FILES) {
			free(path);
			ok = false;
			break;
		}
		fuzz_write_file(path, p, (size_t)(next - p));
		paths[nfiles++] = path;
		p = next;
	}
	if (ok) {
		struct diag d;
		diag_init(&d);
		struct catalog *c = catalog_new();
		catalog_add_root(c, root, false, &d);
		catalog_link(c, &d);
		rubric_check(c, NULL, &d, NULL);   /* check's self-check, once part of the link */
		if (d.n == 0) {
			struct render_opts o = {.width = 80, .color = true};
			struct buf out;
			buf_init(&out);
			for (size_t i = 0; i < catalog_nlessons(c); i++)
				render_lesson(&out, catalog_lesson_at(c, i), -1, c, &o);
			buf_release(&out);
		}
		diag_print(&d, fuzz_null());
		catalog_free(c);
		diag_release(&d);
		ydoc_trim();
	}
	for (size_t i = 0; i < nfiles; i++) {
		unlink(paths[i]);
		free(paths[i]);
	}
	return 0;
}
