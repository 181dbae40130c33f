/*
 * check: validates content, the shipped catalog with the --content roots
 * and the settings file, or the content folders and single files named (a
 * folder against the shipped catalog, as --content adds it, unless
 * --standalone).
 */
#include "cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "diag.h"
#include "paths.h"
#include "rubric_check.h"
#include "settings.h"
#include "util.h"

static void print_stats(const struct catalog *c)
{
	printf("%-20s %4s %4s %5s %6s %5s %5s %4s %6s %5s %5s %8s\n", "topic", "sec", "code", "quest",
	       "choice", "multi", "tf", "ord", "output", "text", "exer", "rubric-ex");
	for (size_t i = 0; i < catalog_nlessons(c); i++) {
		const struct lesson *ls = catalog_lesson_at(c, i);
		if (ls->reference)
			continue;
		struct catalog_counts k;
		catalog_count(c, ls, &k);
		printf("%-20s %4zu %4zu %5zu %6zu %5zu %5zu %4zu %6zu %5zu %5zu %8zu\n", ls->id, k.sections,
		       k.examples, k.questions, k.by_type[Q_CHOICE], k.by_type[Q_MULTI], k.by_type[Q_TRUEFALSE],
		       k.by_type[Q_ORDER], k.by_type[Q_OUTPUT], k.by_type[Q_TEXT], k.by_type[Q_CODE], k.rubric_examples);
	}
	struct catalog_counts t;
	catalog_count(c, NULL, &t);
	printf("%-20s %4zu %4zu %5zu %6zu %5zu %5zu %4zu %6zu %5zu %5zu %8zu\n", "total", t.sections, t.examples,
	       t.questions, t.by_type[Q_CHOICE], t.by_type[Q_MULTI], t.by_type[Q_TRUEFALSE], t.by_type[Q_ORDER],
	       t.by_type[Q_OUTPUT], t.by_type[Q_TEXT], t.by_type[Q_CODE], t.rubric_examples);
}

/* What one run of check adds up. */
struct check_run {
	struct diag d, warn;
	struct catalog_counts total;
	bool stats;
	char *verified;
};

/* Links c, runs its rubrics, adds its faults, warnings and counts to r,
 * and frees it. */
static void check_catalog(struct check_run *r, struct catalog *c)
{
	catalog_defer_compile(c, true);
	catalog_link(c, &r->d);
	struct rubric_check_counts rc_n;
	rubric_check(c, r->verified, &r->d, &rc_n);
	if (r->d.n == 0)
		catalog_save_cache(c);   /* only content with no error at all is cached */
	catalog_warn_positions(c, &r->warn);
	struct catalog_counts k;
	catalog_count(c, NULL, &k);
	r->total.topics += k.topics;
	r->total.sections += k.sections;
	r->total.questions += k.questions;
	r->total.demos += k.demos;
	if (r->stats) {
		print_stats(c);
		printf("text questions whose rubric ran on its examples: %zu; unchanged since they last "
		       "passed: %zu\n", rc_n.graded, rc_n.unchanged);
	}
	catalog_free(c);
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return a && b && stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The settings file's faults, at their lines, as errors. */
static void check_settings(const char *path, struct diag *d)
{
	struct settings s;
	settings_init(&s);
	settings_load(&s, path, d);
}

/* A content folder: checked against the shipped catalog, as --content adds
 * it (a topic, question or demo id of the shipped content is then taken),
 * unless standalone or the folder is the shipped content itself. */
static struct catalog *check_folder(struct ctx *x, const char *dir, bool standalone, struct diag *d)
{
	struct catalog *c = catalog_new();
	if (!standalone && !same_file(dir, x->datadir)) {
		catalog_keep_reference(c);
		ctx_load_shipped(x, c, true, d);
	}
	catalog_add_root(c, dir, false, d);
	return c;
}

/* Loads what the paths name into cats (each folder a catalog of its own,
 * the single files one together); the settings file named is checked as
 * settings. */
static void check_paths(struct ctx *x, int argc, char **argv, bool standalone, struct catalog **cats,
                        size_t *ncats, struct diag *d)
{
	char *settings = paths_user_file("CONFIG", SETTINGS_FILE);
	struct catalog *files = NULL;
	for (int i = 1; i < argc; i++) {
		if (access(argv[i], F_OK) < 0) {
			diag_add(d, argv[i], 1, 1, "cannot read: %s", strerror(errno));
			continue;
		}
		char *probe = xasprintf("%s/.", argv[i]);
		bool dir = access(probe, F_OK) == 0;
		free(probe);
		if (dir) {
			cats[(*ncats)++] = check_folder(x, argv[i], standalone, d);
		} else if (same_file(argv[i], settings)) {
			check_settings(argv[i], d);
		} else {
			if (!files)
				files = cats[(*ncats)++] = catalog_new();
			catalog_add_file(files, argv[i], d);
		}
	}
	/* The shipped catalog after the files, so that a shipped file named
	 * on the command line is checked, not taken as reference. */
	if (files && !standalone)
		ctx_load_shipped(x, files, true, d);
	free(settings);
}

static int cmd_check(struct ctx *x, struct cmd_args *a)
{
	bool standalone = cmd_flag(a, "--standalone");
	int argc = a->argc;
	char **argv = a->argv;
	for (int i = 1; i < argc; i++) {
		if (!*argv[i]) {
			fprintf(stderr, "error: cannot check '': an empty path\n");
			return 2;
		}
	}
	if (standalone && argc == 1) {
		fprintf(stderr, "error: --standalone needs a PATH: the shipped content is checked whole\n");
		return cmd_usage(a);
	}
	struct check_run r = {.stats = cmd_flag(a, "--stats")};
	diag_init(&r.d);
	diag_init(&r.warn);
	struct catalog **cats = xcalloc((size_t)argc + 1, sizeof *cats);
	size_t ncats = 0;
	if (argc == 1) {
		struct catalog *c = cats[ncats++] = catalog_new();
		/* Files unchanged since a clean load come from the parsed-content
		 * cache, as for every other command: only they are in it. */
		ctx_use_cache(c);
		ctx_load_shipped(x, c, false, &r.d);
		for (size_t i = 0; i < x->ncontent; i++)
			catalog_add_root(c, x->content[i], false, &r.d);
		char *settings = paths_user_file("CONFIG", SETTINGS_FILE);
		if (settings)
			check_settings(settings, &r.d);
		free(settings);
	} else {
		check_paths(x, argc, argv, standalone, cats, &ncats, &r.d);
	}
	r.verified = paths_user_file("CACHE", "verified");
	for (size_t i = 0; i < ncats; i++)
		check_catalog(&r, cats[i]);
	free(cats);
	free(r.verified);
	int rc = 0;
	/* Warnings leave the exit status alone: the content still works. */
	if (diag_finish(&r.warn)) {
		diag_print_warnings(&r.warn, stderr);
		fprintf(stderr, "%zu warning%s\n", r.warn.n, r.warn.n == 1 ? "" : "s");
	}
	if (r.d.n) {
		diag_print(&r.d, stderr);
		fprintf(stderr, "%zu error%s\n", r.d.n, r.d.n == 1 ? "" : "s");
		rc = 2;
	} else {
		printf("ok: %zu topics, %zu sections, %zu questions, %zu demos\n", r.total.topics,
		       r.total.sections, r.total.questions, r.total.demos);
	}
	diag_release(&r.warn);
	diag_release(&r.d);
	return rc;
}

static enum cmd_complete_more complete_paths(const struct cmd_complete *c)
{
	(void)c;
	return COMPLETE_FILES;
}

const struct command cmd_check_row = {
	"check", NULL, "check [--stats] [--standalone] [PATH ...]",
	"validate content: the catalog and config.yaml, or the folders and files named (against the shipped content unless --standalone)",
	cmd_check, 0, 0, -1,
	{{"--stats", OPT_FLAG, NULL, 0, 0, false}, {"--standalone", OPT_FLAG, NULL, 0, 0, false}},
	complete_paths,
};
