/*
 * cmd_progress: the commands over the progress store and the scheduler:
 * `stats`, `export --anki`, `fsrs replay` and `disputes`. ctx_store()
 * (commands.h) opens the store they and the sessions share.
 */
#ifndef PYDOJO_CMD_PROGRESS_H
#define PYDOJO_CMD_PROGRESS_H

struct ctx;

int cmd_stats(struct ctx *x, int argc, char **argv);
int cmd_export(struct ctx *x, int argc, char **argv);
int cmd_fsrs(struct ctx *x, int argc, char **argv);
int cmd_disputes(struct ctx *x, int argc, char **argv);

#endif
