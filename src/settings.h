/*
 * settings: the user's settings file, $XDG_CONFIG_HOME/pydojo/config.yaml
 * (falling back to ~/.config). Every key is optional:
 *
 *   desired_retention: 0.9      # 0.7 .. 0.99, the FSRS target recall
 *   new_cards_per_day: 10       # 0 .. 1000, new cards `review` introduces a day
 *   interview_minutes: 20       # more than 0, at most 600 (fractions allowed)
 *   fuzz: true                  # spread review intervals a little (FSRS fuzz)
 *
 * A number may be quoted ("0.9"). An unknown key or a bad value is a fault
 * at its line and column, and leaves the value it names at its default
 * (the commands warn of it and go on; `check` reports it as an error). (The module is not called config.h: that name is
 * the build's generated header of paths and version.)
 *
 * It reads the file only; it does not write it or know the command line
 * (--no-fuzz is applied by the caller).
 *
 * Ownership: struct settings holds no heap memory.
 */
#ifndef PYDOJO_SETTINGS_H
#define PYDOJO_SETTINGS_H

#include <stdbool.h>

#include "diag.h"

#define SETTINGS_FILE "config.yaml"

struct settings {
	double desired_retention;
	int new_cards_per_day;
	double interview_minutes;
	bool fuzz;
};

/* The defaults: retention 0.9, 10 new cards a day, 20 interview minutes,
 * fuzz on. */
void settings_init(struct settings *s);

/* Loads path over the values in *s (call settings_init first). A missing
 * file is not an error. Returns 0, or -1 after adding every fault to d
 * ("FILE:LINE:COL: ..."); *s then holds the values that were good, and
 * keeps the others (all of them when the file does not parse). */
int settings_load(struct settings *s, const char *path, struct diag *d);

#endif
