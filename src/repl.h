/*
 * repl: line input. On a terminal, libedit with persistent history and tab
 * completion; otherwise plain line reading without prompts, so pydojo can be
 * scripted through a pipe. Ctrl-C cancels the line being typed (the caller
 * sees REPL_INTR), Ctrl-D or end of input gives REPL_EOF; neither ends the
 * program by itself. The terminal is always left as it was found.
 *
 * The completion callback and the history path are borrowed for the life of
 * the repl.
 */
#ifndef PYDOJO_REPL_H
#define PYDOJO_REPL_H

#include <stdbool.h>
#include <stddef.h>

enum repl_read { REPL_LINE, REPL_EOF, REPL_INTR };

/* Offers the words that can complete `word`, which is word number `index`
 * (0 = the command) of the line typed so far: calls add(word, state) for each. */
typedef void (*repl_complete_fn)(void *arg, const char *line, int index, const char *word,
                                 void (*add)(void *state, const char *cand), void *state);

struct repl;

/* Sets up input: line editing when stdin is a terminal. history may be NULL. */
struct repl *repl_new(const char *history, repl_complete_fn complete, void *arg);
/* Saves history and restores the terminal. Accepts NULL. */
void repl_free(struct repl *r);
bool repl_interactive(const struct repl *r);
/* Reads one line (without its newline) into *line (a new string; caller
 * frees) when REPL_LINE is returned. Adds non-empty lines to the history
 * when add_history is set. */
enum repl_read repl_read(struct repl *r, const char *prompt, bool add_history, char **line);

/* Installs the SIGINT flag handler (no SA_RESTART, so a blocked read
 * returns). Call before the first repl_read. */
void repl_install_sigint(void);
/* Returns and clears whether SIGINT arrived. */
bool repl_take_interrupt(void);
/* Whether SIGINT arrived, without clearing it (a wait checks it with the
 * signal blocked, then waits with it unblocked). */
bool repl_interrupt_pending(void);

#endif
