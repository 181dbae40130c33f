/*
 * fsrs: the FSRS-6 scheduler (see fsrs.h and ../shared/fsrs.md). Everything
 * is computed in double, in the order py-fsrs computes it (exp(x) where it
 * writes math.e ** x; they differ by an ulp at most), and S and D are never
 * rounded. DECAY and FACTOR are derived from w[20] on each call, so a caller
 * that edits p->w can never see stale constants.
 */
#include "fsrs.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

const double fsrs_default_weights[FSRS_NWEIGHTS] = {
	0.212, 1.2931, 2.3065, 8.2956,
	6.4133, 0.8334,
	3.0194, 0.001,
	1.8722, 0.1666, 0.796,
	1.4835, 0.0614, 0.2629, 1.6483,
	0.6014, 1.8729,
	0.5425, 0.0912, 0.0658,
	0.1542,
};

/* py-fsrs LOWER_BOUNDS_PARAMETERS / UPPER_BOUNDS_PARAMETERS */
static const double weight_lower[FSRS_NWEIGHTS] = {
	0.001, 0.001, 0.001, 0.001, 1.0, 0.001, 0.001, 0.001, 0.0, 0.0, 0.001,
	0.001, 0.001, 0.001, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.1,
};
static const double weight_upper[FSRS_NWEIGHTS] = {
	100.0, 100.0, 100.0, 100.0, 10.0, 4.0, 4.0, 0.75, 4.5, 0.8, 3.5,
	5.0, 0.25, 0.9, 4.0, 1.0, 6.0, 2.0, 2.0, 0.8, 0.8,
};

#define FSRS5_DECAY 0.5
#define MAX_STEP_SECONDS ((int64_t)36500 * FSRS_DAY)

/* times run from year 0000 to 9999 through timegm and gmtime_r */
_Static_assert(sizeof(time_t) >= 8, "fsrs times need a 64-bit time_t");

void fsrs_params_init(struct fsrs_params *p)
{
	memset(p, 0, sizeof(*p));
	memcpy(p->w, fsrs_default_weights, sizeof(p->w));
	p->desired_retention = 0.9;
	p->learning_steps[0] = 60;
	p->learning_steps[1] = 600;
	p->n_learning_steps = 2;
	p->relearning_steps[0] = 600;
	p->n_relearning_steps = 1;
	p->maximum_interval = 36500;
	p->enable_fuzz = true;
}

static void add_problem(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_problem(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (b->len)
		buf_puts(b, "; ");
	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	buf_puts(b, s);
	free(s);
}

/* Appends a message for every weight out of bounds (NaN included). */
static void check_weights(const double *w, struct buf *b)
{
	for (size_t i = 0; i < FSRS_NWEIGHTS; i++)
		if (!(w[i] >= weight_lower[i] && w[i] <= weight_upper[i]))
			add_problem(b, "weight w[%zu] = %g is out of bounds [%g, %g]",
				i, w[i], weight_lower[i], weight_upper[i]);
}

static int finish_check(struct buf *b, char **err)
{
	if (!b->len) {
		buf_release(b);
		return 0;
	}
	if (err)
		*err = buf_detach(b);
	buf_release(b);
	return -1;
}

int fsrs_params_set_weights(struct fsrs_params *p, const double *w, size_t n, char **err)
{
	double full[FSRS_NWEIGHTS];
	struct buf b;

	buf_init(&b);
	switch (n) {
	case 21:
		memcpy(full, w, sizeof(full));
		break;
	case 19:
		memcpy(full, w, 19 * sizeof(*w));
		full[19] = 0.0;
		full[20] = FSRS5_DECAY;
		break;
	case 17:
		/* FSRS-4.5 -> FSRS-5 as fsrs-rs check_and_fill_parameters does
		 * (including its fused multiply-adds) */
		memcpy(full, w, 17 * sizeof(*w));
		full[4] = fma(w[5], 2.0, w[4]);
		full[5] = log(fma(w[5], 3.0, 1.0)) / 3.0;
		full[6] = w[6] + 0.5;
		full[17] = 0.0;
		full[18] = 0.0;
		full[19] = 0.0;
		full[20] = FSRS5_DECAY;
		break;
	default:
		add_problem(&b, "expected 21 weights (or 19 or 17), got %zu", n);
		return finish_check(&b, err);
	}
	check_weights(full, &b);
	if (finish_check(&b, err) < 0)
		return -1;
	memcpy(p->w, full, sizeof(full));
	return 0;
}

static void check_steps(const char *name, const int64_t *steps, size_t n, struct buf *b)
{
	if (n > FSRS_MAX_STEPS) {
		add_problem(b, "too many %s: %zu (at most %d)", name, n, FSRS_MAX_STEPS);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (steps[i] < 1 || steps[i] > MAX_STEP_SECONDS)
			add_problem(b, "%s[%zu] = %lld s is out of bounds [1 s, 36500 days]",
				name, i, (long long)steps[i]);
}

int fsrs_params_validate(const struct fsrs_params *p, char **err)
{
	struct buf b;

	buf_init(&b);
	check_weights(p->w, &b);
	if (!(p->desired_retention > 0.0 && p->desired_retention <= 1.0))
		add_problem(&b, "desired retention %g is out of bounds (0, 1]",
			p->desired_retention);
	check_steps("learning steps", p->learning_steps, p->n_learning_steps, &b);
	check_steps("relearning steps", p->relearning_steps, p->n_relearning_steps, &b);
	if (p->maximum_interval < 1 || p->maximum_interval > FSRS_MAX_INTERVAL_LIMIT)
		add_problem(&b, "maximum interval %lld days is out of bounds [1, %d]",
			(long long)p->maximum_interval, FSRS_MAX_INTERVAL_LIMIT);
	return finish_check(&b, err);
}

void fsrs_card_init(struct fsrs_card *c, int64_t created)
{
	c->state = FSRS_LEARNING;
	c->step = 0;
	c->stability = NAN;
	c->difficulty = NAN;
	c->due = created;
	c->last_review = FSRS_NEVER;
}

bool fsrs_card_is_new(const struct fsrs_card *c)
{
	return c->last_review == FSRS_NEVER;
}

void fsrs_rng_init(struct fsrs_rng *r, uint64_t seed)
{
	r->state = seed;
}

uint64_t fsrs_rng_next(struct fsrs_rng *r)
{
	uint64_t z = (r->state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

double fsrs_rng_uniform(struct fsrs_rng *r)
{
	return (double)(fsrs_rng_next(r) >> 11) * 0x1.0p-53;
}

static double decay_of(const struct fsrs_params *p)
{
	return -p->w[20];
}

static double factor_of(double decay)
{
	return pow(0.9, 1.0 / decay) - 1.0;
}

static double clamp_difficulty(double d)
{
	return fmin(fmax(d, FSRS_D_MIN), FSRS_D_MAX);
}

double fsrs_forgetting_curve(const struct fsrs_params *p, double t_days, double s)
{
	double decay = decay_of(p);

	return pow(1.0 + factor_of(decay) * t_days / s, decay);
}

int64_t fsrs_next_interval(const struct fsrs_params *p, double s)
{
	double decay = decay_of(p);
	double raw = s / factor_of(decay) * (pow(p->desired_retention, 1.0 / decay) - 1.0);
	/* Python round(): half to even, which nearbyint gives in the default
	 * rounding mode (C round() would round half away from zero) */
	double ivl = nearbyint(raw);

	if (!(ivl >= 1.0))
		ivl = 1.0;
	if (ivl > (double)p->maximum_interval)
		ivl = (double)p->maximum_interval;
	return (int64_t)ivl;
}

double fsrs_init_stability(const struct fsrs_params *p, enum fsrs_rating g)
{
	return fmax(p->w[g - 1], FSRS_S_MIN);
}

double fsrs_init_difficulty(const struct fsrs_params *p, enum fsrs_rating g)
{
	return p->w[4] - exp(p->w[5] * (double)(g - 1)) + 1.0;
}

double fsrs_next_difficulty(const struct fsrs_params *p, double d, enum fsrs_rating g)
{
	double delta = -(p->w[6] * (double)((int)g - 3));
	double damped = d + (10.0 - d) * delta / 9.0;
	/* the target is the unclamped D0(Easy), as in all three references */
	double reverted = p->w[7] * fsrs_init_difficulty(p, FSRS_EASY) + (1.0 - p->w[7]) * damped;

	return clamp_difficulty(reverted);
}

double fsrs_recall_stability(const struct fsrs_params *p, double d, double s, double r,
		enum fsrs_rating g)
{
	const double *w = p->w;
	double hard_penalty = g == FSRS_HARD ? w[15] : 1.0;
	double easy_bonus = g == FSRS_EASY ? w[16] : 1.0;

	return s * (1.0 + exp(w[8]) * (11.0 - d) * pow(s, -w[9])
		* (exp((1.0 - r) * w[10]) - 1.0) * hard_penalty * easy_bonus);
}

double fsrs_forget_stability(const struct fsrs_params *p, double d, double s, double r)
{
	const double *w = p->w;
	double long_term = w[11] * pow(d, -w[12]) * (pow(s + 1.0, w[13]) - 1.0)
		* exp((1.0 - r) * w[14]);
	double short_term = s / exp(w[17] * w[18]);

	return fmin(long_term, short_term);
}

double fsrs_short_term_stability(const struct fsrs_params *p, double s, enum fsrs_rating g)
{
	const double *w = p->w;
	double sinc = exp(w[17] * ((double)((int)g - 3) + w[18])) * pow(s, -w[19]);

	/* Hard included (py-fsrs 6.3.2, fsrs-rs, ts-fsrs): a same-day pass
	 * never shrinks S */
	if (g >= FSRS_HARD)
		sinc = fmax(sinc, 1.0);
	return s * sinc;
}

int64_t fsrs_elapsed_days(int64_t last_review, int64_t now)
{
	int64_t d = now - last_review;
	int64_t q = d / FSRS_DAY;

	if (d % FSRS_DAY < 0)
		q--;
	return q;
}

double fsrs_retrievability(const struct fsrs_params *p, const struct fsrs_card *c, int64_t now)
{
	int64_t elapsed;

	if (fsrs_card_is_new(c))
		return 0.0;
	elapsed = fsrs_elapsed_days(c->last_review, now);
	if (elapsed < 0)
		elapsed = 0;
	return fsrs_forgetting_curve(p, (double)elapsed, c->stability);
}

void fsrs_fuzz_range(const struct fsrs_params *p, int64_t ivl, int64_t *lo, int64_t *hi)
{
	double d = (double)ivl;
	double delta = 1.0;
	double min_ivl, max_ivl;

	/* py-fsrs FUZZ_RANGES: 15 % of the part in [2.5, 7], 10 % of the part
	 * in [7, 20], 5 % of the part above 20, summed in that order */
	delta += 0.15 * fmax(fmin(d, 7.0) - 2.5, 0.0);
	delta += 0.10 * fmax(fmin(d, 20.0) - 7.0, 0.0);
	delta += 0.05 * fmax(d - 20.0, 0.0);
	min_ivl = fmax(2.0, nearbyint(d - delta));
	max_ivl = fmin(nearbyint(d + delta), (double)p->maximum_interval);
	min_ivl = fmin(min_ivl, max_ivl);
	*lo = (int64_t)min_ivl;
	*hi = (int64_t)max_ivl;
}

int64_t fsrs_fuzz_interval(const struct fsrs_params *p, int64_t ivl, struct fsrs_rng *rng)
{
	int64_t lo, hi, fuzzed;

	if ((double)ivl < 2.5)
		return ivl;
	fsrs_fuzz_range(p, ivl, &lo, &hi);
	/* floor form (fsrs.md §8): uniform over [lo, hi], never hi + 1 */
	fuzzed = (int64_t)floor(fsrs_rng_uniform(rng) * (double)(hi - lo + 1) + (double)lo);
	if (fuzzed > p->maximum_interval)
		fuzzed = p->maximum_interval;
	return fuzzed;
}

static bool time_ok(int64_t t)
{
	return t >= FSRS_TIME_MIN && t <= FSRS_TIME_MAX;
}

bool fsrs_card_valid(const struct fsrs_card *c)
{
	switch (c->state) {
	case FSRS_LEARNING:
	case FSRS_RELEARNING:
		if (c->step < 0)
			return false;
		break;
	case FSRS_REVIEW:
		if (c->step != FSRS_STEP_NONE)
			return false;
		break;
	default:
		return false;
	}
	if (fsrs_card_is_new(c))
		return c->state == FSRS_LEARNING;
	return time_ok(c->last_review) && isfinite(c->stability) && c->stability > 0.0
		&& c->difficulty >= FSRS_D_MIN && c->difficulty <= FSRS_D_MAX;
}

int fsrs_review(const struct fsrs_params *p, const struct fsrs_card *c, enum fsrs_rating g,
		int64_t now, struct fsrs_rng *rng, struct fsrs_card *out)
{
	struct fsrs_card n;
	const int64_t *steps = NULL;
	size_t nsteps = 0;
	int64_t interval = 0;   /* seconds, for a (re)learning step */
	int64_t days = -1;      /* whole days, when the card ends in Review */
	double s, d;

	assert(p->n_learning_steps <= FSRS_MAX_STEPS && p->n_relearning_steps <= FSRS_MAX_STEPS);
	if (g < FSRS_AGAIN || g > FSRS_EASY || !time_ok(now) || !fsrs_card_valid(c))
		return -1;
	if (!fsrs_card_is_new(c) && now < c->last_review)
		return -1;
	n = *c;

	/* 1. memory state, the same in every state; S uses the old D */
	if (fsrs_card_is_new(c)) {
		s = fsrs_init_stability(p, g);
		d = clamp_difficulty(fsrs_init_difficulty(p, g));
	} else if (fsrs_elapsed_days(c->last_review, now) < 1) {
		s = fsrs_short_term_stability(p, c->stability, g);
		d = fsrs_next_difficulty(p, c->difficulty, g);
	} else {
		double r = fsrs_forgetting_curve(p,
			(double)fsrs_elapsed_days(c->last_review, now), c->stability);

		s = g == FSRS_AGAIN ? fsrs_forget_stability(p, c->difficulty, c->stability, r)
			: fsrs_recall_stability(p, c->difficulty, c->stability, r, g);
		d = fsrs_next_difficulty(p, c->difficulty, g);
	}
	n.stability = fmax(s, FSRS_S_MIN);
	n.difficulty = d;

	/* 2. state, step and interval */
	if (c->state == FSRS_REVIEW) {
		if (g == FSRS_AGAIN && p->n_relearning_steps > 0) {
			n.state = FSRS_RELEARNING;
			n.step = 0;
			interval = p->relearning_steps[0];
		} else {
			days = fsrs_next_interval(p, n.stability);
		}
	} else {
		size_t step = (size_t)c->step;

		if (c->state == FSRS_LEARNING) {
			steps = p->learning_steps;
			nsteps = p->n_learning_steps;
		} else {
			steps = p->relearning_steps;
			nsteps = p->n_relearning_steps;
		}
		/* step >= nsteps: the step list was shortened after the card
		 * entered it */
		if (nsteps == 0 || (step >= nsteps && g >= FSRS_HARD)) {
			days = fsrs_next_interval(p, n.stability);
		} else if (g == FSRS_AGAIN) {
			n.step = 0;
			interval = steps[0];
		} else if (g == FSRS_HARD) {
			if (step == 0 && nsteps == 1)
				interval = (int64_t)nearbyint((double)steps[0] * 1.5);
			else if (step == 0)
				interval = (int64_t)nearbyint((double)(steps[0] + steps[1]) / 2.0);
			else
				interval = steps[step];
		} else if (g == FSRS_GOOD && step + 1 < nsteps) {
			n.step = (int)(step + 1);
			interval = steps[step + 1];
		} else {
			/* Good on the last step, or Easy: graduate */
			days = fsrs_next_interval(p, n.stability);
		}
	}
	if (days >= 0) {
		n.state = FSRS_REVIEW;
		n.step = FSRS_STEP_NONE;
		if (p->enable_fuzz) {
			assert(rng);
			days = fsrs_fuzz_interval(p, days, rng);
		}
		interval = days * FSRS_DAY;
	}

	/* 3. commit: due counts from the review, not from the old due date */
	n.due = now + interval;
	n.last_review = now;
	*out = n;
	return 0;
}

const char *fsrs_state_name(enum fsrs_state s)
{
	switch (s) {
	case FSRS_LEARNING:
		return "Learning";
	case FSRS_REVIEW:
		return "Review";
	case FSRS_RELEARNING:
		return "Relearning";
	}
	return NULL;
}

int fsrs_state_parse(const char *name, enum fsrs_state *out)
{
	static const enum fsrs_state all[] = { FSRS_LEARNING, FSRS_REVIEW, FSRS_RELEARNING };

	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		if (strcmp(name, fsrs_state_name(all[i])) == 0) {
			*out = all[i];
			return 0;
		}
	return -1;
}

/* Writes v (0 <= v < 10^n) as exactly n decimal digits, without a NUL. */
static void put_digits(char *s, int v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		s[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

int fsrs_time_format(int64_t t, char buf[FSRS_TIME_SIZE])
{
	time_t tt = (time_t)t;
	struct tm tm;

	buf[0] = '\0';
	if (!time_ok(t) || (int64_t)tt != t || !gmtime_r(&tt, &tm))
		return -1;
	put_digits(buf, tm.tm_year + 1900, 4);
	buf[4] = '-';
	put_digits(buf + 5, tm.tm_mon + 1, 2);
	buf[7] = '-';
	put_digits(buf + 8, tm.tm_mday, 2);
	buf[10] = 'T';
	put_digits(buf + 11, tm.tm_hour, 2);
	buf[13] = ':';
	put_digits(buf + 14, tm.tm_min, 2);
	buf[16] = ':';
	put_digits(buf + 17, tm.tm_sec, 2);
	buf[19] = 'Z';
	buf[20] = '\0';
	return 0;
}

/* Reads n decimal digits at s; -1 if any is not a digit. */
static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int days_in_month(int year, int month)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : mdays[month - 1];
}

int fsrs_time_parse(const char *s, int64_t *out)
{
	/* "YYYY-MM-DDTHH:MM:SSZ": the separator expected at each offset */
	static const char layout[] = "0000-00-00T00:00:00Z";
	struct tm tm;
	int year, mon, mday, hour, min, sec;
	time_t t;

	if (strlen(s) != sizeof(layout) - 1)
		return -1;
	for (size_t i = 0; i < sizeof(layout) - 1; i++)
		if (layout[i] != '0' && s[i] != layout[i])
			return -1;
	year = digits(s, 4);
	mon = digits(s + 5, 2);
	mday = digits(s + 8, 2);
	hour = digits(s + 11, 2);
	min = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	if (year < 0 || mon < 1 || mon > 12 || mday < 1 || mday > days_in_month(year, mon)
			|| hour < 0 || hour > 23 || min < 0 || min > 59 || sec < 0 || sec > 59)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = mday;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	/* the fields are checked above, so any result (-1 included, which is
	 * 1969-12-31T23:59:59Z) is the real instant */
	t = timegm(&tm);
	*out = (int64_t)t;
	return 0;
}
