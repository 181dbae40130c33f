/*
 * clock: the wall clock with the PYDOJO_NOW override, and a monotonic clock.
 */
#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fsrs.h"
#include "util.h"

int clock_check(int64_t *now, char **err)
{
	const char *v = getenv(CLOCK_ENV);
	int64_t t;
	if (v && *v) {
		if (fsrs_time_parse(v, &t) < 0) {
			if (err)
				*err = xasprintf("%s='%s' is not a UTC time like 2024-01-01T09:00:00Z", CLOCK_ENV, v);
			return -1;
		}
	} else {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		t = (int64_t)ts.tv_sec;
	}
	if (now)
		*now = t;
	return 0;
}

int64_t clock_now(void)
{
	int64_t t;
	if (clock_check(&t, NULL) == 0)
		return t;
	/* An invalid PYDOJO_NOW: the commands that read the time refuse it
	 * first (clock_check); the core goes on with the wall clock. */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

double clock_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
