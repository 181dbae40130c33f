/*
 * check: validates content, the shipped catalog with the --content roots,
 * or the content folders and single files named.
 */
#include "cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "diag.h"
#include "paths.h"
#include "rubric_check.h"
#include "util.h"

static void print_stats(const struct catalog *c)
{
	printf("%-20s %4s %4s %5s %6s %5s %5s %4s %6s %5s %5s %8s\n", "topic", "sec", "code", "quest",
	       "choice", "multi", "tf", "ord", "output", "text", "", "rubric-ex");
	for (size_t i = 0; i < catalog_nlessons(c); i++) {
		const struct lesson *ls = catalog_lesson_at(c, i);
		if (ls->reference)
			continue;
		struct catalog_counts k;
		catalog_count(c, ls, &k);
		printf("%-20s %4zu %4zu %5zu %6zu %5zu %5zu %4zu %6zu %5zu %5s %8zu\n", ls->id, k.sections,
		       k.examples, k.questions, k.by_type[Q_CHOICE], k.by_type[Q_MULTI], k.by_type[Q_TRUEFALSE],
		       k.by_type[Q_ORDER], k.by_type[Q_OUTPUT], k.by_type[Q_TEXT], "", k.rubric_examples);
	}
	struct catalog_counts t;
	catalog_count(c, NULL, &t);
	printf("%-20s %4zu %4zu %5zu %6zu %5zu %5zu %4zu %6zu %5zu %5s %8zu\n", "total", t.sections, t.examples,
	       t.questions, t.by_type[Q_CHOICE], t.by_type[Q_MULTI], t.by_type[Q_TRUEFALSE], t.by_type[Q_ORDER],
	       t.by_type[Q_OUTPUT], t.by_type[Q_TEXT], "", t.rubric_examples);
}

static int cmd_check(struct ctx *x, struct cmd_args *a)
{
	bool stats = cmd_flag(a, "--stats");
	int argc = a->argc;
	char **argv = a->argv;
	for (int i = 1; i < argc; i++) {
		if (!*argv[i]) {
			fprintf(stderr, "error: cannot check '': an empty path\n");
			return 2;
		}
	}
	struct diag d, warn;
	diag_init(&d);
	diag_init(&warn);
	struct catalog_counts total = {0};
	struct catalog **cats = xcalloc((size_t)argc + 1, sizeof *cats);
	size_t ncats = 0;
	if (argc == 1) {
		struct catalog *c = cats[ncats++] = catalog_new();
		ctx_load_shipped(x, c, false, &d);
		for (size_t i = 0; i < x->ncontent; i++)
			catalog_add_root(c, x->content[i], false, &d);
	} else {
		/* Each folder is a content root checked on its own; single files
		 * are checked together against the shipped catalog. */
		struct catalog *files = NULL;
		for (int i = 1; i < argc; i++) {
			if (access(argv[i], F_OK) < 0) {
				diag_add(&d, argv[i], 1, 1, "cannot read: %s", strerror(errno));
				continue;
			}
			char *probe = xasprintf("%s/.", argv[i]);
			bool dir = access(probe, F_OK) == 0;
			free(probe);
			if (dir) {
				struct catalog *c = cats[ncats++] = catalog_new();
				catalog_add_root(c, argv[i], false, &d);
			} else {
				if (!files)
					files = cats[ncats++] = catalog_new();
				catalog_add_file(files, argv[i], &d);
			}
		}
		/* The shipped catalog after the files, so that a shipped file
		 * named on the command line is checked, not taken as reference. */
		if (files)
			ctx_load_shipped(x, files, true, &d);
	}
	char *verified = paths_user_file("CACHE", "verified");
	for (size_t i = 0; i < ncats; i++) {
		catalog_defer_compile(cats[i], true);
		catalog_link(cats[i], &d);
		struct rubric_check_counts rc_n;
		rubric_check(cats[i], verified, &d, &rc_n);
		catalog_warn_positions(cats[i], &warn);
		struct catalog_counts k;
		catalog_count(cats[i], NULL, &k);
		total.topics += k.topics;
		total.sections += k.sections;
		total.questions += k.questions;
		total.demos += k.demos;
		if (stats) {
			print_stats(cats[i]);
			printf("text questions whose rubric ran on its examples: %zu; unchanged since they last "
			       "passed: %zu\n", rc_n.graded, rc_n.unchanged);
		}
		catalog_free(cats[i]);
	}
	free(cats);
	free(verified);
	int rc = 0;
	/* Warnings leave the exit status alone: the content still works. */
	if (diag_finish(&warn)) {
		diag_print_warnings(&warn, stderr);
		fprintf(stderr, "%zu warning%s\n", warn.n, warn.n == 1 ? "" : "s");
	}
	if (d.n) {
		diag_print(&d, stderr);
		fprintf(stderr, "%zu error%s\n", d.n, d.n == 1 ? "" : "s");
		rc = 2;
	} else {
		printf("ok: %zu topics, %zu sections, %zu questions, %zu demos\n", total.topics, total.sections,
		       total.questions, total.demos);
	}
	diag_release(&warn);
	diag_release(&d);
	return rc;
}

static enum cmd_complete_more complete_paths(const struct cmd_complete *c)
{
	(void)c;
	return COMPLETE_FILES;
}

const struct command cmd_check_row = {
	"check", NULL, "check [--stats] [PATH ...]", "validate content: the catalog, content folders or single files",
	cmd_check, 0, 0, -1,
	{{"--stats", OPT_FLAG, NULL, 0, 0, false}},
	complete_paths,
};
