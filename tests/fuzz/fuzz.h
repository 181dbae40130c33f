/*
 * Helpers shared by the libFuzzer harnesses: a private scratch folder for
 * the harnesses whose code under test reads files, and a FILE that
 * discards what is printed. Each harness is one translation unit, so these
 * are static inline.
 */
#ifndef PYDOJO_FUZZ_H
#define PYDOJO_FUZZ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static char *fuzz_dir;

static inline void fuzz_remove_dir(void)
{
	if (fuzz_dir)
		rmdir(fuzz_dir);
}

/* Makes the scratch folder ($TMPDIR or /tmp) once; it is removed at exit
 * when the harness has emptied it. */
static inline const char *fuzz_scratch(void)
{
	if (!fuzz_dir) {
		const char *tmp = getenv("TMPDIR");
		fuzz_dir = xasprintf("%s/pydojo-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(fuzz_dir)) {
			perror("mkdtemp");
			abort();
		}
		atexit(fuzz_remove_dir);
	}
	return fuzz_dir;
}

/* Writes n bytes to path, replacing it; aborts when it cannot. */
static inline void fuzz_write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		abort();
	}
}

/* A stream for what the code under test prints (diagnostics, rendered
 * text): printing runs, the bytes go nowhere. */
static inline FILE *fuzz_null(void)
{
	static FILE *null;
	if (!null)
		null = fopen("/dev/null", "w");
	return null;
}

#endif
