/*
 * clock: the one place pydojo reads the time. clock_now() is the wall clock
 * in whole seconds since the Unix epoch (UTC), unless PYDOJO_NOW holds an
 * ISO-8601 UTC time "YYYY-MM-DDTHH:MM:SSZ", which then stands for "now"
 * (tests and transcripts are reproducible with it). clock_mono() is a
 * monotonic clock for durations (answer times, interview clocks).
 *
 * It deliberately does not know about days, time zones or scheduling: the
 * callers turn seconds into calendar days (localtime) and fsrs schedules.
 */
#ifndef PYDOJO_CLOCK_H
#define PYDOJO_CLOCK_H

#include <stdint.h>

/* The name of the variable that overrides the wall clock. */
#define CLOCK_ENV "PYDOJO_NOW"

/* Checks PYDOJO_NOW: returns 0 when it is unset, empty or valid (and then
 * sets *now, when not NULL, to what clock_now() returns), or -1 and, when
 * err is not NULL, sets *err to a one-line reason (a new string). Commands
 * call it first to report a bad value as a usage error (exit 2). */
int clock_check(int64_t *now, char **err);

/* Seconds since the epoch, UTC: PYDOJO_NOW when set and valid, else the
 * wall clock. Never fails: a command that reads the time calls clock_check
 * first and refuses an invalid PYDOJO_NOW as a usage error (exit 2), so
 * that no command goes on with a made-up time. */
int64_t clock_now(void);

/* Monotonic seconds (CLOCK_MONOTONIC) from an arbitrary origin. */
double clock_mono(void);

#endif
