/*
 * cmd_progress: the commands over the progress store and the scheduler:
 * `stats`, `export --anki`, `fsrs replay` and `disputes`. ctx_store()
 * (commands.h) opens the store they and the sessions share.
 */
#ifndef PYDOJO_CMD_PROGRESS_H
#define PYDOJO_CMD_PROGRESS_H

#include <stddef.h>

struct buf;
struct ctx;
struct store_dispute;

int cmd_stats(struct ctx *x, int argc, char **argv);
int cmd_export(struct ctx *x, int argc, char **argv);
int cmd_fsrs(struct ctx *x, int argc, char **argv);
int cmd_disputes(struct ctx *x, int argc, char **argv);

/* Appends disputes v[0..n), as store_each_dispute hands them (grouped by
 * question), as YAML: a mapping of question ids, each with an `examples:`
 * block of `pass:` answers, each after a comment naming its key point;
 * ready to paste into the quiz. Every string is double-quoted so that
 * both YAML and pydojo's loader read it back as the answer was typed
 * (less the line break that ends it, and any control character but tab
 * and newline, which content may not hold). */
void cmd_disputes_yaml(struct buf *b, const struct store_dispute *v, size_t n);

#endif
