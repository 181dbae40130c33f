/*
 * paths: where pydojo finds its content and demo binaries, and where it keeps
 * per-user files (XDG). The build-tree binary uses the source tree; an
 * installed one the install paths; PYDOJO_DATADIR and PYDOJO_DEMODIR override
 * both.
 *
 * Every function returns a new string; the caller frees.
 */
#ifndef PYDOJO_PATHS_H
#define PYDOJO_PATHS_H

/* The shipped content root (holding lessons/, quizzes/, demos/demos.yaml). */
char *paths_datadir(void);
/* The folder holding the demo-* binaries. */
char *paths_demodir(void);
/* $XDG_<kind>_HOME/pydojo/<name>, falling back to ~/<fallback>/pydojo/<name>;
 * kind is "DATA", "STATE", "CONFIG" or "CACHE". A variable that is not an
 * absolute path counts as unset; NULL when neither HOME nor the XDG variable
 * is set. */
char *paths_user_file(const char *kind, const char *name);
/* Creates every missing folder above path (mode 0700). Returns 0 or -1 with
 * errno set. */
int paths_make_parents(const char *path);

#endif
