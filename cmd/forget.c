/*
 * forget: resets a topic's cards, so its questions are new again. The
 * review log keeps their reviews (history, the heatmap), the store records
 * the reset, and undo never brings back a card from before it. It asks
 * first on a terminal; anywhere else it wants --yes.
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "catalog.h"
#include "repl.h"
#include "store.h"
#include "util.h"

/* Asks "Reset N cards of TOPIC? [y/N]"; only y or yes says yes, and
 * Ctrl-C or end of input says no. */
static bool ask_yes(struct ctx *x, const char *topic, int64_t n)
{
	struct repl *rp = x->repl;
	bool own = !rp;
	if (own) {
		rp = repl_new(NULL, NULL, NULL);
		repl_install_sigint();
	}
	char *prompt = xasprintf("Reset %lld card%s of %s? [y/N] ", (long long)n, n == 1 ? "" : "s", topic);
	char *line = NULL;
	bool yes = false;
	enum repl_read rr = repl_read(rp, prompt, false, &line);
	if (rr == REPL_LINE) {
		char *s = line + strspn(line, " \t");
		size_t len = strcspn(s, " \t");
		yes = (len == 1 && (s[0] | 0x20) == 'y') || (len == 3 && strncasecmp(s, "yes", 3) == 0);
	} else {
		repl_take_interrupt();
		putchar('\n');
	}
	free(line);
	free(prompt);
	if (own)
		repl_free(rp);
	return yes;
}

static int cmd_forget(struct ctx *x, struct cmd_args *a)
{
	const char *topic = a->argv[1];
	const struct lesson *ls = catalog_lesson(x->cat, topic);
	if (!ls)
		return cmd_unknown_topic(x->cat, topic);
	int64_t now;
	int rc = ctx_now(&now);
	if (rc)
		return rc;
	struct store *st = ctx_store(x);
	if (!st)
		return 3;
	int64_t n = 0;
	char *err = NULL;
	if (store_count_cards(st, ls->id, &n, &err) < 0)
		goto fail;
	if (n == 0) {
		printf("'%s' has no cards to reset: its questions are all new\n", ls->id);
		return 0;
	}
	if (!cmd_flag(a, "--yes")) {
		if (!isatty(0)) {
			fprintf(stderr, "error: forget asks before it resets, and stdin is not a terminal: add --yes to"
			                " reset the %lld card%s of '%s'\n", (long long)n, n == 1 ? "" : "s", ls->id);
			return 2;
		}
		if (!ask_yes(x, ls->id, n)) {
			printf("nothing reset\n");
			return 0;
		}
	}
	if (store_forget_topic(st, ls->id, now, &n, &err) < 0)
		goto fail;
	printf("reset %lld card%s of '%s': its questions are new again (their reviews stay in the log)\n",
	       (long long)n, n == 1 ? "" : "s", ls->id);
	return 0;
fail:
	fprintf(stderr, "error: %s\n", err);
	free(err);
	return 3;
}

static enum cmd_complete_more complete_forget(const struct cmd_complete *c)
{
	return c->npos == 1 ? cmd_complete_topics(c) : COMPLETE_WORDS;
}

const struct command cmd_forget_row = {
	"forget", NULL, "forget TOPIC [--yes]", "reset a topic's cards to new, after asking (reviews stay in the log)",
	cmd_forget, CMD_CATALOG | CMD_STORE_RW, 1, 1, {{"--yes", OPT_FLAG, NULL, 0, 0, false}}, complete_forget,
};
