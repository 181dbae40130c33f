/*
 * watch: waits for a file to be saved. It watches the file's folder with
 * inotify, not the file: an editor that saves by writing a new file and
 * renaming it over the old one would leave a watch on the file itself on a
 * file no longer there. A save is IN_CLOSE_WRITE (written in place) or
 * IN_MOVED_TO (renamed over it) naming the file; a burst of them (an editor
 * writing twice, a backup then the file) counts once, after WATCH_SETTLE_MS
 * with no more of them.
 *
 * Signals: while it waits, the signals of the caller's set are unblocked
 * only inside ppoll, and the caller's stop() is checked with them blocked,
 * so a signal landing just before the wait ends it at once. It installs no
 * handler: the caller's handler sets the flag stop() reads.
 *
 * It does not read the file, run anything or print.
 *
 * Ownership: watch_open returns a new watch, freed by watch_free (which
 * accepts NULL); the path is copied.
 */
#ifndef PYDOJO_WATCH_H
#define PYDOJO_WATCH_H

#include <signal.h>
#include <stdbool.h>

#define WATCH_SETTLE_MS 100

struct watch;

enum watch_event {
	WATCH_SAVED,    /* the file was saved, then WATCH_SETTLE_MS of quiet */
	WATCH_STOPPED,  /* stop() said so (a signal came) */
	WATCH_FAILED,   /* reading the events failed: *err says why */
};

/* Watches path's folder for saves of path. NULL on failure, with *err a
 * new one-line message; caller frees. */
struct watch *watch_open(const char *path, char **err);

/* Waits for the next save, or until stop() returns true; the signals of
 * wake are unblocked only while waiting. *err (WATCH_FAILED) is a new
 * message; caller frees. */
enum watch_event watch_wait(struct watch *w, const sigset_t *wake, bool (*stop)(void), char **err);

void watch_free(struct watch *w);

#endif
