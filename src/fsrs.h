/*
 * fsrs: the FSRS-6 spaced-repetition scheduler of ../shared/fsrs.md, whose
 * normative behaviour is py-fsrs Scheduler.review_card with the same-day Hard
 * stability floor. Pure functions: no I/O, no clock reads (the time is always
 * an argument), no globals, no allocation except the error strings of the
 * validation functions.
 *
 * It deliberately does not store cards, pick which card to ask, or know what
 * a "day" is on the user's calendar: a day is exactly 86400 seconds and due
 * times keep the time of day of the review (fsrs.md §5).
 *
 * Time: every time is an int64_t count of seconds since the Unix epoch, UTC,
 * and must lie in the years 0000..9999 (FSRS_TIME_MIN..FSRS_TIME_MAX).
 * Learning steps are whole seconds; the Hard interval of a first step
 * (1.5 x step, or the mean of the first two steps) is rounded to a whole
 * second, half to even. With the default steps every interval is exact.
 *
 * Ownership: the structs here hold no heap memory (fixed-size arrays), so
 * they need no _release. Error strings set through char **err are new
 * strings; the caller frees them.
 */
#ifndef PYDOJO_FSRS_H
#define PYDOJO_FSRS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FSRS_NWEIGHTS 21
#define FSRS_MAX_STEPS 16          /* learning or relearning steps */
#define FSRS_S_MIN 0.001
#define FSRS_D_MIN 1.0
#define FSRS_D_MAX 10.0
#define FSRS_DAY 86400             /* seconds in a scheduling day */
/* Largest accepted maximum_interval: 10000 years, so a due time never
 * overflows. The default is 36500. */
#define FSRS_MAX_INTERVAL_LIMIT 3650000
#define FSRS_STEP_NONE (-1)        /* step of a card in Review (py-fsrs None) */
#define FSRS_NEVER INT64_MIN       /* last_review of a card never reviewed */
#define FSRS_TIME_MIN INT64_C(-62167219200)  /* 0000-01-01T00:00:00Z */
#define FSRS_TIME_MAX INT64_C(253402300799)  /* 9999-12-31T23:59:59Z */
#define FSRS_TIME_SIZE 21          /* "YYYY-MM-DDTHH:MM:SSZ" and its NUL */

enum fsrs_rating {
	FSRS_AGAIN = 1,
	FSRS_HARD = 2,
	FSRS_GOOD = 3,
	FSRS_EASY = 4,
};

/* py-fsrs numbering. There is no New state: a new card is Learning, step 0,
 * never reviewed (fsrs_card_is_new). */
enum fsrs_state {
	FSRS_LEARNING = 1,
	FSRS_REVIEW = 2,
	FSRS_RELEARNING = 3,
};

/* The FSRS-6 default weights w[0..20] (fsrs.md §2). */
extern const double fsrs_default_weights[FSRS_NWEIGHTS];

struct fsrs_params {
	double w[FSRS_NWEIGHTS];
	double desired_retention;                  /* in (0, 1] */
	int64_t learning_steps[FSRS_MAX_STEPS];    /* seconds, each > 0 */
	size_t n_learning_steps;
	int64_t relearning_steps[FSRS_MAX_STEPS];
	size_t n_relearning_steps;
	int64_t maximum_interval;                  /* days, 1..FSRS_MAX_INTERVAL_LIMIT */
	bool enable_fuzz;
};

/* Sets the defaults: default weights, desired retention 0.9, learning steps
 * 1 min and 10 min, relearning step 10 min, maximum interval 36500 days, fuzz
 * on (as py-fsrs; tests and `fsrs replay` turn it off). */
void fsrs_params_init(struct fsrs_params *p);

/* Replaces p->w with the n weights in w after checking them. n is 21, or 19
 * (FSRS-5: w19 = 0 and w20 = 0.5 are appended) or 17 (FSRS-4.5: converted
 * and padded as fsrs-rs check_and_fill_parameters does, fsrs.md §9). Every
 * resulting weight must be finite and within the py-fsrs bounds (§2).
 * Returns 0, or -1 with p unchanged and, when err is not NULL, *err set to
 * a message naming every bad weight. */
int fsrs_params_set_weights(struct fsrs_params *p, const double *w, size_t n, char **err);

/* Checks a whole parameter set: weight bounds, desired retention in (0, 1],
 * step counts <= FSRS_MAX_STEPS and each step in 1 s..36500 days,
 * maximum_interval in 1..FSRS_MAX_INTERVAL_LIMIT. Returns 0, or -1 and (when
 * err is not NULL) *err naming every problem. The other functions expect
 * parameters that pass this check. */
int fsrs_params_validate(const struct fsrs_params *p, char **err);

struct fsrs_card {
	enum fsrs_state state;
	int step;             /* index into the (re)learning steps; FSRS_STEP_NONE in Review */
	double stability;     /* S in days; NAN while the card is new */
	double difficulty;    /* D in [1, 10]; NAN while the card is new */
	int64_t due;
	int64_t last_review;  /* FSRS_NEVER while the card is new */
};

/* A new card (Learning, step 0, no memory state) due at created. */
void fsrs_card_init(struct fsrs_card *c, int64_t created);
/* Whether the card has never been reviewed. */
bool fsrs_card_is_new(const struct fsrs_card *c);
/* Whether c is a card the scheduler accepts: a state with a step that fits
 * it, and for a reviewed card a review time in range, a finite positive
 * stability and a difficulty within FSRS_D_MIN..FSRS_D_MAX. */
bool fsrs_card_valid(const struct fsrs_card *c);

/* A small seedable generator (splitmix64) for fuzz. The caller owns and seeds
 * it; the same seed gives the same sequence on every platform. */
struct fsrs_rng {
	uint64_t state;
};

void fsrs_rng_init(struct fsrs_rng *r, uint64_t seed);
uint64_t fsrs_rng_next(struct fsrs_rng *r);
/* A double uniform in [0, 1), from the top 53 bits of fsrs_rng_next. */
double fsrs_rng_uniform(struct fsrs_rng *r);

/* Reviews card c with rating g at time now and writes the new card to *out
 * (out may equal c). Implements fsrs.md §5: memory state first, then state,
 * step and interval, then fuzz when p->enable_fuzz and the card ends in
 * Review; due = now + interval, last_review = now.
 * rng is used only for fuzz and may be NULL when p->enable_fuzz is false.
 * Returns 0, or -1 leaving *out untouched when g is not 1..4, now is outside
 * FSRS_TIME_MIN..FSRS_TIME_MAX or before c->last_review, or c is not a valid
 * card (bad state or step, a Review or Relearning card without a memory
 * state, S not positive and finite, D outside [1, 10]). */
int fsrs_review(const struct fsrs_params *p, const struct fsrs_card *c, enum fsrs_rating g,
		int64_t now, struct fsrs_rng *rng, struct fsrs_card *out);

/* Probability of recall of card c at time now: R(elapsed_days, S) with
 * elapsed_days the whole 24-hour periods since the last review (0 when now is
 * earlier). 0 for a new card, as py-fsrs reports. */
double fsrs_retrievability(const struct fsrs_params *p, const struct fsrs_card *c, int64_t now);

/* Whole 24-hour periods from last_review to now, floored (Python
 * timedelta.days). */
int64_t fsrs_elapsed_days(int64_t last_review, int64_t now);

/*
 * The model formulas of fsrs.md §3-4, for tests, statistics and simulations.
 * D and S are the values before the review; results are not clamped unless
 * said (fsrs_review clamps S to >= FSRS_S_MIN afterwards).
 */
/* R(t, S) = (1 + FACTOR * t / S)^DECAY, with DECAY = -w[20]. */
double fsrs_forgetting_curve(const struct fsrs_params *p, double t_days, double s);
/* The next Review interval in whole days for stability s: rounded half to
 * even, then at least 1 and at most p->maximum_interval. */
int64_t fsrs_next_interval(const struct fsrs_params *p, double s);
/* S0(g) = max(w[g-1], S_MIN). */
double fsrs_init_stability(const struct fsrs_params *p, enum fsrs_rating g);
/* D0(g) = w[4] - exp(w[5] * (g - 1)) + 1, NOT clamped (a new card stores it
 * clamped to [1, 10]; next_difficulty reverts toward the unclamped D0(4)). */
double fsrs_init_difficulty(const struct fsrs_params *p, enum fsrs_rating g);
/* Linear damping and mean reversion, clamped to [1, 10]. */
double fsrs_next_difficulty(const struct fsrs_params *p, double d, enum fsrs_rating g);
/* Stability after a pass (g = Hard, Good or Easy) at retrievability r. */
double fsrs_recall_stability(const struct fsrs_params *p, double d, double s, double r,
		enum fsrs_rating g);
/* Stability after a lapse at retrievability r: min(long-term, S / exp(w17 w18)). */
double fsrs_forget_stability(const struct fsrs_params *p, double d, double s, double r);
/* Same-day stability: S * SInc, SInc floored at 1 for Hard, Good and Easy. */
double fsrs_short_term_stability(const struct fsrs_params *p, double s, enum fsrs_rating g);

/* The fuzz range of a Review interval of ivl days (fsrs.md §8, py-fsrs
 * ranges): [*lo, *hi], with *lo >= 2 (unless the maximum interval is
 * smaller) and *hi <= p->maximum_interval. Only meaningful for ivl >= 3. */
void fsrs_fuzz_range(const struct fsrs_params *p, int64_t ivl, int64_t *lo, int64_t *hi);
/* ivl unchanged when it is under 2.5 days; otherwise a value drawn uniformly
 * from fsrs_fuzz_range (floor form). Uses one draw of rng when it fuzzes. */
int64_t fsrs_fuzz_interval(const struct fsrs_params *p, int64_t ivl, struct fsrs_rng *rng);

/* "Learning", "Review", "Relearning"; NULL for any other value. */
const char *fsrs_state_name(enum fsrs_state s);
/* The inverse of fsrs_state_name (exact, case-sensitive): 0 or -1. */
int fsrs_state_parse(const char *name, enum fsrs_state *out);

/* Writes t as "YYYY-MM-DDTHH:MM:SSZ" into buf. Returns 0, or -1 (buf set to
 * "") when t is outside FSRS_TIME_MIN..FSRS_TIME_MAX. */
int fsrs_time_format(int64_t t, char buf[FSRS_TIME_SIZE]);
/* Parses exactly "YYYY-MM-DDTHH:MM:SSZ" (ISO-8601 UTC, nothing before or
 * after, a real calendar date, seconds 00..59). Returns 0 and sets *out, or
 * -1 leaving *out untouched. */
int fsrs_time_parse(const char *s, int64_t *out);

#endif
