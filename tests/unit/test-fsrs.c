/*
 * Unit tests of the FSRS-6 scheduler against ../shared/fsrs.md: every worked
 * value of §3-§6 and §12, then the state machine, fuzz, parameter validation
 * and the time helpers. The clock is always fixed.
 *
 * Tolerances (fsrs.md §7):
 *  - TOL_PY, relative: values py-fsrs computes in plain double (S0, D0,
 *    intervals, f64 values of a memory state).
 *  - TOL_TS, absolute: ts-fsrs test values, printed to 8 decimals (its f64
 *    results differ from ours by at most ~1e-8; the spec allows ~1e-4).
 *  - TOL_RS, absolute: fsrs-rs test values, computed in f32 (§7 and the
 *    upstream tests use 1e-4).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fsrs.h"

#define TOL_PY 1e-9
#define TOL_TS 1e-6
#define TOL_RS 1e-4

#define MIN 60
#define DAY FSRS_DAY
/* 2022-11-29T12:30:00Z, the start of the py-fsrs tests */
#define T0 INT64_C(1669725000)

static void check_near(double actual, double expected, double tol, int relative,
		const char *expr, const char *file, int line)
{
	double limit = relative ? tol * fabs(expected) : tol;

	if (!(fabs(actual - expected) <= limit)) {
		print_error("%s = %.17g, expected %.17g (%s tolerance %g)\n", expr, actual,
			expected, relative ? "relative" : "absolute", tol);
		_fail(file, line);
	}
}

#define assert_near(a, e, tol) check_near((a), (e), (tol), 0, #a, __FILE__, __LINE__)
#define assert_rel(a, e, tol) check_near((a), (e), (tol), 1, #a, __FILE__, __LINE__)

static struct fsrs_params no_fuzz(void)
{
	struct fsrs_params p;

	fsrs_params_init(&p);
	p.enable_fuzz = false;
	return p;
}

/* A new card created at `at` and reviewed once. */
static struct fsrs_card first_review(const struct fsrs_params *p, enum fsrs_rating g, int64_t at)
{
	struct fsrs_card c;

	fsrs_card_init(&c, at);
	assert_int_equal(fsrs_review(p, &c, g, at, NULL, &c), 0);
	return c;
}

/* Reviews a new card created at `start` with ratings[i] at start plus the sum
 * of gaps[0..i] days (delta_t of fsrs-rs, the offsets of py-fsrs). */
static struct fsrs_card replay_days(const struct fsrs_params *p, const int *ratings,
		const int *gaps, size_t n, int64_t start)
{
	struct fsrs_card c;
	int64_t now = start;

	fsrs_card_init(&c, start);
	for (size_t i = 0; i < n; i++) {
		now += (int64_t)gaps[i] * DAY;
		assert_int_equal(fsrs_review(p, &c, (enum fsrs_rating)ratings[i], now, NULL, &c), 0);
	}
	return c;
}

/* ---- §2 parameters ---- */

static void test_defaults(void **state)
{
	struct fsrs_params p;
	char *cause = NULL;

	(void)state;
	fsrs_params_init(&p);
	assert_memory_equal(p.w, fsrs_default_weights, sizeof(p.w));
	assert_true(p.w[0] == 0.212 && p.w[16] == 1.8729 && p.w[20] == 0.1542);
	assert_true(p.desired_retention == 0.9);
	assert_int_equal(p.n_learning_steps, 2);
	assert_int_equal(p.learning_steps[0], 60);
	assert_int_equal(p.learning_steps[1], 600);
	assert_int_equal(p.n_relearning_steps, 1);
	assert_int_equal(p.relearning_steps[0], 600);
	assert_int_equal(p.maximum_interval, 36500);
	assert_true(p.enable_fuzz);
	assert_int_equal(fsrs_params_validate(&p, &cause), 0);
	assert_null(cause);
}

static void test_weights_length(void **state)
{
	struct fsrs_params p;
	double w[22] = { 0 };
	char *cause = NULL;

	(void)state;
	fsrs_params_init(&p);
	memcpy(w, fsrs_default_weights, sizeof(fsrs_default_weights));
	for (size_t n = 0; n <= 22; n++) {
		if (n == 17 || n == 19 || n == 21)
			continue;
		assert_int_equal(fsrs_params_set_weights(&p, w, n, &cause), -1);
		assert_non_null(cause);
		assert_non_null(strstr(cause, "expected 21 weights"));
		free(cause);
		cause = NULL;
	}
	assert_memory_equal(p.w, fsrs_default_weights, sizeof(p.w));
	/* cause is optional */
	assert_int_equal(fsrs_params_set_weights(&p, w, 20, NULL), -1);
	assert_int_equal(fsrs_params_set_weights(&p, w, 21, &cause), 0);
	assert_null(cause);
}

static void test_weights_bounds(void **state)
{
	static const double lower[FSRS_NWEIGHTS] = {
		0.001, 0.001, 0.001, 0.001, 1.0, 0.001, 0.001, 0.001, 0.0, 0.0, 0.001,
		0.001, 0.001, 0.001, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.1,
	};
	static const double upper[FSRS_NWEIGHTS] = {
		100, 100, 100, 100, 10.0, 4.0, 4.0, 0.75, 4.5, 0.8, 3.5,
		5.0, 0.25, 0.9, 4.0, 1.0, 6.0, 2.0, 2.0, 0.8, 0.8,
	};
	struct fsrs_params p;
	double w[FSRS_NWEIGHTS];
	char *cause = NULL;

	(void)state;
	fsrs_params_init(&p);
	/* the bounds themselves are accepted */
	assert_int_equal(fsrs_params_set_weights(&p, lower, FSRS_NWEIGHTS, NULL), 0);
	assert_int_equal(fsrs_params_set_weights(&p, upper, FSRS_NWEIGHTS, NULL), 0);
	assert_memory_equal(p.w, upper, sizeof(upper));
	/* each weight just outside either bound is rejected, p unchanged */
	for (size_t i = 0; i < FSRS_NWEIGHTS; i++) {
		char want[32];

		snprintf(want, sizeof(want), "w[%zu]", i);
		memcpy(w, lower, sizeof(w));
		w[i] = lower[i] - 1e-9;
		assert_int_equal(fsrs_params_set_weights(&p, w, FSRS_NWEIGHTS, &cause), -1);
		assert_non_null(strstr(cause, want));
		free(cause);
		memcpy(w, upper, sizeof(w));
		w[i] = upper[i] * (1 + 1e-9);
		assert_int_equal(fsrs_params_set_weights(&p, w, FSRS_NWEIGHTS, &cause), -1);
		assert_non_null(strstr(cause, want));
		free(cause);
		cause = NULL;
	}
	assert_memory_equal(p.w, upper, sizeof(upper));
	/* non-finite values, and every bad weight is named */
	memcpy(w, fsrs_default_weights, sizeof(w));
	w[3] = NAN;
	w[9] = INFINITY;
	w[20] = 0.9;
	assert_int_equal(fsrs_params_set_weights(&p, w, FSRS_NWEIGHTS, &cause), -1);
	assert_non_null(strstr(cause, "w[3] = nan"));
	assert_non_null(strstr(cause, "w[9] = inf"));
	assert_non_null(strstr(cause, "w[20] = 0.9 is out of bounds [0.1, 0.8]"));
	free(cause);
	/* validate sees weights set directly */
	fsrs_params_init(&p);
	p.w[7] = 0.8;
	assert_int_equal(fsrs_params_validate(&p, &cause), -1);
	assert_non_null(strstr(cause, "w[7]"));
	free(cause);
}

static void test_weights_19(void **state)
{
	/* fsrs-rs src/inference.rs PARAMETERS (FSRS-5, 19 values) */
	static const double w19[19] = {
		0.6845422, 1.6790825, 4.7349424, 10.042885, 7.4410233, 0.64219797,
		1.071918, 0.0025195254, 1.432437, 0.1544, 0.8692766, 2.0696752, 0.0953,
		0.2975, 2.4691248, 0.19542035, 3.201072, 0.18046261, 0.121442534,
	};
	struct fsrs_params p;

	(void)state;
	fsrs_params_init(&p);
	assert_int_equal(fsrs_params_set_weights(&p, w19, 19, NULL), 0);
	assert_memory_equal(p.w, w19, sizeof(w19));
	assert_true(p.w[19] == 0.0);
	assert_true(p.w[20] == 0.5);
}

static void test_weights_17(void **state)
{
	/* the FSRS-4.5 default weights */
	static const double w17[17] = {
		0.4872, 1.4003, 3.7145, 13.8206, 5.1618, 1.2298, 0.8975, 0.031, 1.6474,
		0.1367, 1.0461, 2.1072, 0.0793, 0.3246, 1.587, 0.2272, 2.8755,
	};
	struct fsrs_params p;

	(void)state;
	fsrs_params_init(&p);
	assert_int_equal(fsrs_params_set_weights(&p, w17, 17, NULL), 0);
	assert_memory_equal(p.w, w17, 4 * sizeof(double));
	assert_rel(p.w[4], 5.1618 + 2 * 1.2298, 1e-15);
	assert_rel(p.w[5], log(1 + 3 * 1.2298) / 3, 1e-15);
	assert_rel(p.w[6], 0.8975 + 0.5, 1e-15);
	assert_memory_equal(p.w + 7, w17 + 7, 10 * sizeof(double));
	assert_true(p.w[17] == 0.0 && p.w[18] == 0.0 && p.w[19] == 0.0);
	assert_true(p.w[20] == 0.5);
	/* the conversion is checked against the bounds too: w4 + 2 w5 > 10 */
	double bad[17];
	char *cause = NULL;

	memcpy(bad, w17, sizeof(bad));
	bad[4] = 9.0;
	assert_int_equal(fsrs_params_set_weights(&p, bad, 17, &cause), -1);
	assert_non_null(strstr(cause, "w[4]"));
	free(cause);
}

static void test_params_validate(void **state)
{
	struct fsrs_params p;
	char *cause = NULL;

	(void)state;
	p = no_fuzz();
	p.desired_retention = 1.0;
	assert_int_equal(fsrs_params_validate(&p, NULL), 0);
	p.desired_retention = 0.0;
	assert_int_equal(fsrs_params_validate(&p, &cause), -1);
	assert_non_null(strstr(cause, "desired retention"));
	free(cause);
	p.desired_retention = 1.01;
	assert_int_equal(fsrs_params_validate(&p, NULL), -1);
	p.desired_retention = NAN;
	assert_int_equal(fsrs_params_validate(&p, NULL), -1);

	p = no_fuzz();
	p.n_learning_steps = 0;
	p.n_relearning_steps = 0;
	assert_int_equal(fsrs_params_validate(&p, NULL), 0);
	p.n_learning_steps = FSRS_MAX_STEPS + 1;
	assert_int_equal(fsrs_params_validate(&p, &cause), -1);
	assert_non_null(strstr(cause, "too many learning steps"));
	free(cause);
	p = no_fuzz();
	p.relearning_steps[0] = 0;
	assert_int_equal(fsrs_params_validate(&p, &cause), -1);
	assert_non_null(strstr(cause, "relearning steps[0]"));
	free(cause);

	p = no_fuzz();
	p.maximum_interval = 0;
	assert_int_equal(fsrs_params_validate(&p, NULL), -1);
	p.maximum_interval = FSRS_MAX_INTERVAL_LIMIT + 1;
	assert_int_equal(fsrs_params_validate(&p, NULL), -1);
	p.maximum_interval = 1;
	assert_int_equal(fsrs_params_validate(&p, NULL), 0);

	/* several problems in one message */
	p.maximum_interval = -5;
	p.desired_retention = 2;
	p.w[0] = 0;
	assert_int_equal(fsrs_params_validate(&p, &cause), -1);
	assert_non_null(strstr(cause, "w[0]"));
	assert_non_null(strstr(cause, "desired retention 2"));
	assert_non_null(strstr(cause, "maximum interval -5"));
	free(cause);
}

/* ---- §3 forgetting curve and interval ---- */

static void test_forgetting_curve(void **state)
{
	struct fsrs_params p = no_fuzz();
	/* ts-fsrs algorithm.test.ts, default decay, S = 1 */
	static const double ts[4] = { 1.0, 0.9, 0.84588465, 0.8093881 };

	(void)state;
	for (int t = 0; t < 4; t++)
		assert_near(fsrs_forgetting_curve(&p, t, 1.0), ts[t], TOL_TS);
	/* R(S, S) = 0.9 by construction */
	assert_rel(fsrs_forgetting_curve(&p, 8.2956, 8.2956), 0.9, 1e-12);
	assert_rel(fsrs_forgetting_curve(&p, 365, 365), 0.9, 1e-12);
	assert_true(fsrs_forgetting_curve(&p, 0, 3) == 1.0);

	/* fsrs-rs test_current_retrievability: decay 0.2, S = 1 */
	static const double rs[4] = { 1.0, 0.9, 0.84028935, 0.7985001 };
	static const double f64[4] = { 1.0, 0.9, 0.84028938, 0.79850017 };

	p.w[20] = 0.2;
	for (int t = 0; t < 4; t++) {
		assert_near(fsrs_forgetting_curve(&p, t, 1.0), rs[t], TOL_RS);
		assert_near(fsrs_forgetting_curve(&p, t, 1.0), f64[t], 1e-8);
	}
}

static void test_next_interval(void **state)
{
	struct fsrs_params p = no_fuzz();

	(void)state;
	/* DR 0.9: raw == S up to rounding error */
	assert_int_equal(fsrs_next_interval(&p, 8.2956), 8);
	assert_int_equal(fsrs_next_interval(&p, 10.4), 10);
	assert_int_equal(fsrs_next_interval(&p, 10.6), 11);
	assert_int_equal(fsrs_next_interval(&p, 365.0), 365);
	/* ties round half to even, as Python round() (raw is exactly k + 0.5
	 * for these S) */
	assert_int_equal(fsrs_next_interval(&p, 1.5), 2);
	assert_int_equal(fsrs_next_interval(&p, 2.5), 2);
	assert_int_equal(fsrs_next_interval(&p, 3.5), 4);
	assert_int_equal(fsrs_next_interval(&p, 4.5), 4);
	assert_int_equal(fsrs_next_interval(&p, 10.5), 10);
	/* at least one day */
	assert_int_equal(fsrs_next_interval(&p, FSRS_S_MIN), 1);
	assert_int_equal(fsrs_next_interval(&p, 0.212), 1);
	/* at most maximum_interval */
	assert_int_equal(fsrs_next_interval(&p, 1e6), 36500);
	assert_int_equal(fsrs_next_interval(&p, 36500.4), 36500);
	p.maximum_interval = 100;
	assert_int_equal(fsrs_next_interval(&p, 99.0), 99);
	assert_int_equal(fsrs_next_interval(&p, 150.0), 100);

	/* §3: DR 0.8 -> 3.316 S, 0.85 -> 1.906 S, 0.95 -> 0.4026 S */
	p = no_fuzz();
	p.desired_retention = 0.8;
	assert_int_equal(fsrs_next_interval(&p, 1000), 3316);
	p.desired_retention = 0.85;
	assert_int_equal(fsrs_next_interval(&p, 1000), 1906);
	p.desired_retention = 0.95;
	assert_int_equal(fsrs_next_interval(&p, 1000), 403);
	assert_int_equal(fsrs_next_interval(&p, 10000), 4026);
}

static void test_next_interval_fsrs_rs(void **state)
{
	/* fsrs-rs test_next_interval: S = 1, DR = 0.1 .. 1.0. fsrs-rs (f32)
	 * gets 3116766 for the first; double arithmetic (ts-fsrs) 3116769 */
	static const int64_t want[10] = { 3116769, 34793, 2508, 387, 90, 27, 9, 3, 1, 1 };
	struct fsrs_params p = no_fuzz();

	(void)state;
	p.maximum_interval = FSRS_MAX_INTERVAL_LIMIT;
	for (int i = 0; i < 10; i++) {
		p.desired_retention = (i + 1) / 10.0;
		assert_int_equal(fsrs_next_interval(&p, 1.0), want[i]);
	}
}

/* ---- §4 memory-state formulas ---- */

static void test_initial_state(void **state)
{
	struct fsrs_params p = no_fuzz();
	static const double s0[4] = { 0.212, 1.2931, 2.3065, 8.2956 };
	static const double d0[4] = { 6.4133, 5.112170705601055, 2.118103970459015,
		-4.771630703161737 };

	(void)state;
	for (int g = 1; g <= 4; g++) {
		assert_true(fsrs_init_stability(&p, g) == s0[g - 1]);
		assert_rel(fsrs_init_difficulty(&p, g), d0[g - 1], TOL_PY);
	}
	/* S0 floor */
	p.w[0] = 0.0001;
	assert_true(fsrs_init_stability(&p, FSRS_AGAIN) == FSRS_S_MIN);
}

static void test_next_difficulty(void **state)
{
	struct fsrs_params p = no_fuzz();
	/* ts-fsrs algorithm.test.ts next_difficulty(5.0, G); plain f64 gives
	 * 6.66599537 for Hard */
	static const double ts[4] = { 8.34176237, 6.66599536, 4.99022837, 3.31446137 };

	(void)state;
	for (int g = 1; g <= 4; g++)
		assert_near(fsrs_next_difficulty(&p, 5.0, g), ts[g - 1], TOL_TS);
	/* the mean-reversion target is the unclamped D0(4) = -4.77...:
	 * Good moves D down slightly, by w7 * (D - D0(4)) */
	assert_rel(fsrs_next_difficulty(&p, 5.0, FSRS_GOOD),
		0.001 * -4.771630703161737 + 0.999 * 5.0, TOL_PY);
	/* clamped to [1, 10] */
	assert_true(fsrs_next_difficulty(&p, 1.0, FSRS_EASY) == 1.0);
	assert_true(fsrs_next_difficulty(&p, 10.0, FSRS_AGAIN) <= 10.0);
	p.w[7] = 0.0;
	assert_true(fsrs_next_difficulty(&p, 10.0, FSRS_AGAIN) == 10.0);
}

static void test_stability_formulas(void **state)
{
	struct fsrs_params p = no_fuzz();
	/* ts-fsrs algorithm.test.ts: S = 5, D = [1,2,3,4], R = [.9,.8,.7,.6],
	 * G = 1..4, element-wise */
	static const double d[4] = { 1, 2, 3, 4 };
	static const double r[4] = { 0.9, 0.8, 0.7, 0.6 };
	static const double recall[4] = { 25.60252118, 28.22657096, 58.65599107, 127.2266925 };
	static const double lapse[4] = { 1.05253961, 1.18943295, 1.36808387, 1.58498896 };
	static const double short_term[4] = { 1.596818, 5, 5, 8.12960956 };

	(void)state;
	for (int i = 0; i < 4; i++) {
		/* the recall formula itself, whatever the rating's meaning */
		assert_near(fsrs_recall_stability(&p, d[i], 5.0, r[i], i + 1), recall[i], TOL_TS);
		/* the long-term lapse term: here below S / exp(w17 w18) = 4.758,
		 * so it is the minimum */
		assert_near(fsrs_forget_stability(&p, d[i], 5.0, r[i]), lapse[i], TOL_TS);
		assert_near(fsrs_short_term_stability(&p, 5.0, i + 1), short_term[i], TOL_TS);
	}
	/* Hard: exactly 5, because of the floor */
	assert_true(fsrs_short_term_stability(&p, 5.0, FSRS_HARD) == 5.0);
	/* the short-term lapse term caps the lapse: S never grows on a lapse */
	assert_rel(fsrs_forget_stability(&p, 1.0, 0.5, 0.1), 0.5 / exp(0.5425 * 0.0912), TOL_PY);
	for (double s = 0.001; s < 40000; s *= 3)
		for (double dd = 1; dd <= 10; dd += 3)
			for (double rr = 0; rr <= 1; rr += 0.25)
				assert_true(fsrs_forget_stability(&p, dd, s, rr) < s);
}

/* §4.6: SInc(Hard) = 0.6108 S^-0.0658 < 1 for every S >= 0.001, so a
 * same-day Hard leaves S unchanged; same-day Again multiplies S by
 * 0.355 S^-0.0658. */
static void test_short_term_floor(void **state)
{
	struct fsrs_params p = no_fuzz();
	static const double ss[] = { 0.001, 0.01, 0.212, 1, 2.3065, 100, 36500, 1e6 };

	(void)state;
	for (size_t i = 0; i < sizeof(ss) / sizeof(ss[0]); i++) {
		double s = ss[i];

		assert_true(fsrs_short_term_stability(&p, s, FSRS_HARD) == s);
		assert_true(fsrs_short_term_stability(&p, s, FSRS_GOOD) >= s);
		assert_true(fsrs_short_term_stability(&p, s, FSRS_EASY) >= s);
		assert_rel(fsrs_short_term_stability(&p, s, FSRS_AGAIN), s * 0.355 * pow(s, -0.0658),
			1e-3);
		assert_true(fsrs_short_term_stability(&p, s, FSRS_AGAIN) < s);
		/* without the floor Hard would have shrunk S */
		assert_true(exp(0.5425 * (-1 + 0.0912)) * pow(s, -0.0658) < 1.0);
	}
}

/* ---- §5 and §6: the scheduler ---- */

static void test_first_reviews(void **state)
{
	/* §6 table; ts-fsrs FSRS-6.test.ts "first repeat" */
	static const enum fsrs_state st[4] = { FSRS_LEARNING, FSRS_LEARNING, FSRS_LEARNING,
		FSRS_REVIEW };
	static const int step[4] = { 0, 0, 1, FSRS_STEP_NONE };
	static const double s[4] = { 0.212, 1.2931, 2.3065, 8.2956 };
	static const double d[4] = { 6.4133, 5.112170705601055, 2.118103970459015, 1.0 };
	static const double ts_d[4] = { 6.4133, 5.11217071, 2.11810397, 1 };
	static const int64_t due[4] = { 1 * MIN, 5 * MIN + 30, 10 * MIN, 8 * DAY };
	static const int64_t scheduled_days[4] = { 0, 0, 0, 8 };
	struct fsrs_params p = no_fuzz();

	(void)state;
	for (int g = 1; g <= 4; g++) {
		struct fsrs_card c = first_review(&p, g, T0);

		assert_int_equal(c.state, st[g - 1]);
		assert_int_equal(c.step, step[g - 1]);
		assert_true(c.stability == s[g - 1]);
		assert_rel(c.difficulty, d[g - 1], TOL_PY);
		assert_near(c.difficulty, ts_d[g - 1], TOL_TS);
		assert_int_equal(c.due - T0, due[g - 1]);
		assert_int_equal((c.due - c.last_review) / DAY, scheduled_days[g - 1]);
		assert_int_equal(c.last_review, T0);
		assert_false(fsrs_card_is_new(&c));
	}
	/* Easy's D0 is -4.77 before clamping */
	assert_true(first_review(&p, FSRS_EASY, T0).difficulty == 1.0);
}

/* py-fsrs test_good/again/hard/easy_learning_steps: the seconds to the due
 * time, as the upstream tests round them */
static void test_learning_step_timings(void **state)
{
	struct fsrs_params p = no_fuzz();
	struct fsrs_card c;

	(void)state;
	c = first_review(&p, FSRS_GOOD, T0);
	assert_int_equal(llround((double)(c.due - T0) / 100), 6);
	c = first_review(&p, FSRS_AGAIN, T0);
	assert_int_equal(llround((double)(c.due - T0) / 10), 6);
	c = first_review(&p, FSRS_HARD, T0);
	assert_int_equal(llround((double)(c.due - T0) / 10), 33);
	c = first_review(&p, FSRS_EASY, T0);
	assert_true(c.due - T0 >= DAY);
	/* Again from Review: Relearning, due in 10 minutes */
	c = first_review(&p, FSRS_EASY, T0);
	assert_int_equal(fsrs_review(&p, &c, FSRS_AGAIN, c.due, NULL, &c), 0);
	assert_int_equal(c.state, FSRS_RELEARNING);
	assert_int_equal(c.step, 0);
	assert_int_equal(c.due - c.last_review, 10 * MIN);
}

/* §6/§12: py-fsrs test_review_card, ts-fsrs ivl_history */
static void check_interval_history(int64_t start)
{
	static const int ratings[13] = { 3, 3, 3, 3, 3, 3, 1, 1, 3, 3, 3, 3, 3 };
	static const int64_t want[13] = { 0, 2, 11, 46, 163, 498, 0, 0, 2, 4, 7, 12, 21 };
	static const enum fsrs_state st[13] = {
		FSRS_LEARNING, FSRS_REVIEW, FSRS_REVIEW, FSRS_REVIEW, FSRS_REVIEW, FSRS_REVIEW,
		FSRS_RELEARNING, FSRS_RELEARNING, FSRS_REVIEW, FSRS_REVIEW, FSRS_REVIEW,
		FSRS_REVIEW, FSRS_REVIEW,
	};
	struct fsrs_params p = no_fuzz();
	struct fsrs_card c;
	int64_t now = start;
	char buf[FSRS_TIME_SIZE], last[FSRS_TIME_SIZE];

	fsrs_card_init(&c, start);
	for (int i = 0; i < 13; i++) {
		assert_int_equal(fsrs_review(&p, &c, ratings[i], now, NULL, &c), 0);
		/* (due - last_review).days */
		assert_int_equal(fsrs_elapsed_days(c.last_review, c.due), want[i]);
		assert_int_equal(c.state, st[i]);
		if (c.state == FSRS_REVIEW) {
			/* a whole number of days: the due time keeps the review's
			 * time of day */
			assert_int_equal((c.due - c.last_review) % DAY, 0);
			assert_int_equal(fsrs_time_format(c.due, buf), 0);
			assert_int_equal(fsrs_time_format(c.last_review, last), 0);
			assert_string_equal(buf + 10, last + 10);
		}
		now = c.due;
	}
}

static void test_interval_history(void **state)
{
	struct fsrs_params p = no_fuzz();
	struct fsrs_card c;
	char buf[FSRS_TIME_SIZE];
	int64_t t;

	(void)state;
	assert_int_equal(fsrs_time_format(T0, buf), 0);
	assert_string_equal(buf, "2022-11-29T12:30:00Z");
	check_interval_history(T0);
	check_interval_history(T0 + 7 * 3600 + 1234);
	/* §5.3: a review at 09:10 with interval 11 is due at 09:10 eleven
	 * days later (new at 09:00, Good at 09:00 and 09:10, then Good on
	 * time at 09:10 two days later) */
	assert_int_equal(fsrs_time_parse("2024-01-01T09:00:00Z", &t), 0);
	c = first_review(&p, FSRS_GOOD, t);
	assert_int_equal(fsrs_review(&p, &c, FSRS_GOOD, c.due, NULL, &c), 0);
	assert_int_equal(fsrs_review(&p, &c, FSRS_GOOD, c.due, NULL, &c), 0);
	assert_int_equal(fsrs_time_format(c.last_review, buf), 0);
	assert_string_equal(buf, "2024-01-03T09:10:00Z");
	assert_int_equal(fsrs_time_format(c.due, buf), 0);
	assert_string_equal(buf, "2024-01-14T09:10:00Z");
}

/* py-fsrs test_memo_state, fsrs-rs test_memory_state, ts-fsrs memory state */
static void test_memo_state(void **state)
{
	static const int ratings[6] = { 1, 3, 3, 3, 3, 3 };
	static const int gaps[6] = { 0, 0, 1, 3, 8, 21 };
	struct fsrs_params p = no_fuzz();
	struct fsrs_card c;

	(void)state;
	c = replay_days(&p, ratings, gaps, 6, T0);
	assert_near(c.stability, 53.62691, TOL_RS);
	assert_near(c.difficulty, 6.3574867, TOL_RS);
	/* the same in double, as an independent transcription of the spec
	 * and another implementation's f64 oracle (53.626902917141365) agree */
	assert_rel(c.stability, 53.626902917141386, TOL_PY);
	assert_rel(c.difficulty, 6.357487083997829, TOL_PY);
	/* the state does not matter to the memory state: the same with no
	 * learning steps (graduating at once) */
	p.n_learning_steps = 0;
	c = replay_days(&p, ratings, gaps, 6, T0);
	assert_rel(c.stability, 53.626902917141386, TOL_PY);
	/* nor does the time of day */
	p = no_fuzz();
	c = replay_days(&p, ratings, gaps, 6, T0 + 11 * 3600 + 29 * MIN + 59);
	assert_rel(c.stability, 53.626902917141386, TOL_PY);
}

/* fsrs-rs test_memory_state with w17 = w18 = w19 = 0 */
static void test_memo_state_frozen_short_term(void **state)
{
	static const int ratings[6] = { 1, 3, 3, 3, 3, 3 };
	static const int gaps[6] = { 0, 0, 1, 3, 8, 21 };
	struct fsrs_params p = no_fuzz();
	struct fsrs_card c;

	(void)state;
	p.w[17] = p.w[18] = p.w[19] = 0.0;
	assert_int_equal(fsrs_params_validate(&p, NULL), 0);
	c = replay_days(&p, ratings, gaps, 6, T0);
	assert_near(c.stability, 53.335106, TOL_RS);
	assert_near(c.difficulty, 6.3574867, TOL_RS);
}

/* fsrs-rs test_memo_state / test_next_states, 19-value vector padded */
static void test_fsrs_rs_19_params(void **state)
{
	static const double w19[19] = {
		0.6845422, 1.6790825, 4.7349424, 10.042885, 7.4410233, 0.64219797,
		1.071918, 0.0025195254, 1.432437, 0.1544, 0.8692766, 2.0696752, 0.0953,
		0.2975, 2.4691248, 0.19542035, 3.201072, 0.18046261, 0.121442534,
	};
	static const int ratings[5] = { 1, 3, 3, 3, 3 };
	static const int gaps[5] = { 0, 1, 3, 8, 21 };
	static const double next_s[4] = { 2.9691455, 17.091452, 31.722992, 71.7502 };
	static const double next_d[4] = { 8.000659, 7.6913934, 7.382128, 7.0728626 };
	struct fsrs_params p = no_fuzz();
	struct fsrs_card c, before;

	(void)state;
	assert_int_equal(fsrs_params_set_weights(&p, w19, 19, NULL), 0);
	c = replay_days(&p, ratings, gaps, 5, T0);
	assert_near(c.stability, 31.722992, TOL_RS);
	assert_near(c.difficulty, 7.382128, TOL_RS);

	before = replay_days(&p, ratings, gaps, 4, T0);
	for (int g = 1; g <= 4; g++) {
		assert_int_equal(fsrs_review(&p, &before, g, before.last_review + 21 * DAY, NULL, &c),
			0);
		assert_near(c.stability, next_s[g - 1], TOL_RS);
		assert_near(c.difficulty, next_d[g - 1], TOL_RS);
	}
}

/* py-fsrs test_repeated_correct_reviews: ten Easy answers moments apart */
static void test_repeated_easy(void **state)
{
	struct fsrs_params p = no_fuzz();
	struct fsrs_card c;

	(void)state;
	fsrs_card_init(&c, T0);
	for (int i = 0; i < 10; i++)
		assert_int_equal(fsrs_review(&p, &c, FSRS_EASY, T0 + i, NULL, &c), 0);
	assert_true(c.difficulty == 1.0);
	fsrs_card_init(&c, T0);
	for (int i = 0; i < 10; i++)
		assert_int_equal(fsrs_review(&p, &c, FSRS_EASY, T0, NULL, &c), 0);
	assert_true(c.difficulty == 1.0);
	assert_int_equal(c.state, FSRS_REVIEW);
}

/* §5.2 table of (re)learning intervals with the default steps */
static void test_step_table(void **state)
{
	struct fsrs_params p = no_fuzz();
	struct fsrs_card c, o;

	(void)state;
	/* Learning, Again: 1 min (from step 0 and from step 1) */
	c = first_review(&p, FSRS_GOOD, T0);
	assert_int_equal(c.step, 1);
	assert_int_equal(fsrs_review(&p, &c, FSRS_AGAIN, c.due, NULL, &o), 0);
	assert_int_equal(o.state, FSRS_LEARNING);
	assert_int_equal(o.step, 0);
	assert_int_equal(o.due - o.last_review, 1 * MIN);
	/* step 0, Hard: 5 min 30 s, step unchanged */
	c = first_review(&p, FSRS_AGAIN, T0);
	assert_int_equal(fsrs_review(&p, &c, FSRS_HARD, c.due, NULL, &o), 0);
	assert_int_equal(o.step, 0);
	assert_int_equal(o.due - o.last_review, 5 * MIN + 30);
	/* step 0, Good: 10 min, step 1 */
	assert_int_equal(fsrs_review(&p, &c, FSRS_GOOD, c.due, NULL, &o), 0);
	assert_int_equal(o.state, FSRS_LEARNING);
	assert_int_equal(o.step, 1);
	assert_int_equal(o.due - o.last_review, 10 * MIN);
	/* step 1, Hard: 10 min */
	c = o;
	assert_int_equal(fsrs_review(&p, &c, FSRS_HARD, c.due, NULL, &o), 0);
	assert_int_equal(o.state, FSRS_LEARNING);
	assert_int_equal(o.step, 1);
	assert_int_equal(o.due - o.last_review, 10 * MIN);
	/* step 1, Good: graduate */
	assert_int_equal(fsrs_review(&p, &c, FSRS_GOOD, c.due, NULL, &o), 0);
	assert_int_equal(o.state, FSRS_REVIEW);
	assert_int_equal(o.step, FSRS_STEP_NONE);
	assert_int_equal(o.due - o.last_review, fsrs_next_interval(&p, o.stability) * DAY);
	/* step 0, Easy: graduate, skipping the steps */
	c = first_review(&p, FSRS_AGAIN, T0);
	assert_int_equal(fsrs_review(&p, &c, FSRS_EASY, c.due, NULL, &o), 0);
	assert_int_equal(o.state, FSRS_REVIEW);
	assert_int_equal(o.step, FSRS_STEP_NONE);

	/* Relearning */
	c = first_review(&p, FSRS_EASY, T0);
	assert_int_equal(fsrs_review(&p, &c, FSRS_AGAIN, c.due, NULL, &c), 0);
	assert_int_equal(c.state, FSRS_RELEARNING);
	assert_int_equal(fsrs_review(&p, &c, FSRS_AGAIN, c.due, NULL, &o), 0);
	assert_int_equal(o.state, FSRS_RELEARNING);
	assert_int_equal(o.step, 0);
	assert_int_equal(o.due - o.last_review, 10 * MIN);
	assert_int_equal(fsrs_review(&p, &c, FSRS_HARD, c.due, NULL, &o), 0);
	assert_int_equal(o.state, FSRS_RELEARNING);
	assert_int_equal(o.step, 0);
	assert_int_equal(o.due - o.last_review, 15 * MIN);
	assert_int_equal(fsrs_review(&p, &c, FSRS_GOOD, c.due, NULL, &o), 0);
	assert_int_equal(o.state, FSRS_REVIEW);
	assert_int_equal(o.step, FSRS_STEP_NONE);
	assert_int_equal(fsrs_review(&p, &c, FSRS_EASY, c.due, NULL, &o), 0);
	assert_int_equal(o.state, FSRS_REVIEW);

	/* Review, Hard/Good/Easy: stays in Review, intervals independent per
	 * rating (no Hard <= Good < Easy forcing) */
	c = first_review(&p, FSRS_EASY, T0);
	for (int g = 2; g <= 4; g++) {
		assert_int_equal(fsrs_review(&p, &c, g, c.due, NULL, &o), 0);
		assert_int_equal(o.state, FSRS_REVIEW);
		assert_int_equal(o.due - o.last_review, fsrs_next_interval(&p, o.stability) * DAY);
	}
}

static void test_step_variants(void **state)
{
	struct fsrs_params p = no_fuzz();
	struct fsrs_card c, o;

	(void)state;
	/* one learning step: Hard at step 0 is 1.5 x the step */
	p.learning_steps[0] = 120;
	p.n_learning_steps = 1;
	c = first_review(&p, FSRS_HARD, T0);
	assert_int_equal(c.due - T0, 180);
	/* Good on the only step graduates at once */
	c = first_review(&p, FSRS_GOOD, T0);
	assert_int_equal(c.state, FSRS_REVIEW);
	assert_int_equal(c.due - T0, 2 * DAY);
	/* fractional seconds round half to even */
	p.learning_steps[0] = 61;
	c = first_review(&p, FSRS_HARD, T0);
	assert_int_equal(c.due - T0, 92); /* 91.5 */
	p.learning_steps[0] = 60;
	p.learning_steps[1] = 61;
	p.n_learning_steps = 2;
	c = first_review(&p, FSRS_HARD, T0);
	assert_int_equal(c.due - T0, 60); /* 60.5 */

	/* three steps: Hard at a later step repeats that step */
	p = no_fuzz();
	p.learning_steps[0] = 60;
	p.learning_steps[1] = 600;
	p.learning_steps[2] = 3600;
	p.n_learning_steps = 3;
	c = first_review(&p, FSRS_GOOD, T0);
	assert_int_equal(fsrs_review(&p, &c, FSRS_GOOD, c.due, NULL, &c), 0);
	assert_int_equal(c.step, 2);
	assert_int_equal(c.due - c.last_review, 3600);
	assert_int_equal(fsrs_review(&p, &c, FSRS_HARD, c.due, NULL, &o), 0);
	assert_int_equal(o.step, 2);
	assert_int_equal(o.due - o.last_review, 3600);
	/* the list shrinks to two steps under a card at step 2: a pass
	 * graduates, Again restarts */
	p.n_learning_steps = 2;
	for (int g = 2; g <= 4; g++) {
		assert_int_equal(fsrs_review(&p, &c, g, c.due, NULL, &o), 0);
		assert_int_equal(o.state, FSRS_REVIEW);
		assert_int_equal(o.step, FSRS_STEP_NONE);
	}
	assert_int_equal(fsrs_review(&p, &c, FSRS_AGAIN, c.due, NULL, &o), 0);
	assert_int_equal(o.state, FSRS_LEARNING);
	assert_int_equal(o.step, 0);
	assert_int_equal(o.due - o.last_review, 60);

	/* no learning steps: the first review graduates, whatever the rating */
	p = no_fuzz();
	p.n_learning_steps = 0;
	c = first_review(&p, FSRS_AGAIN, T0);
	assert_int_equal(c.state, FSRS_REVIEW);
	assert_int_equal(c.due - T0, 1 * DAY);
	c = first_review(&p, FSRS_GOOD, T0);
	assert_int_equal(c.state, FSRS_REVIEW);
	assert_int_equal(c.due - T0, 2 * DAY);

	/* no relearning steps: Again in Review stays in Review */
	p = no_fuzz();
	p.n_relearning_steps = 0;
	c = first_review(&p, FSRS_EASY, T0);
	assert_int_equal(fsrs_review(&p, &c, FSRS_AGAIN, c.due, NULL, &o), 0);
	assert_int_equal(o.state, FSRS_REVIEW);
	assert_int_equal(o.step, FSRS_STEP_NONE);
	assert_true(o.stability < c.stability);
	assert_int_equal(o.due - o.last_review, fsrs_next_interval(&p, o.stability) * DAY);
	/* a Relearning card when the relearning steps are now empty */
	p = no_fuzz();
	c = first_review(&p, FSRS_EASY, T0);
	assert_int_equal(fsrs_review(&p, &c, FSRS_AGAIN, c.due, NULL, &c), 0);
	p.n_relearning_steps = 0;
	assert_int_equal(fsrs_review(&p, &c, FSRS_AGAIN, c.due, NULL, &o), 0);
	assert_int_equal(o.state, FSRS_REVIEW);
}

/* §5: elapsed_days is whole 24-hour periods, not calendar days */
static void test_elapsed_days(void **state)
{
	int64_t midnight;

	(void)state;
	assert_int_equal(fsrs_elapsed_days(T0, T0), 0);
	assert_int_equal(fsrs_elapsed_days(T0, T0 + 23 * 3600 + 59 * MIN), 0);
	assert_int_equal(fsrs_elapsed_days(T0, T0 + DAY - 1), 0);
	assert_int_equal(fsrs_elapsed_days(T0, T0 + DAY), 1);
	assert_int_equal(fsrs_elapsed_days(T0, T0 + DAY + 23 * 3600 + 59 * MIN), 1);
	assert_int_equal(fsrs_elapsed_days(T0, T0 - 1), -1);
	assert_int_equal(fsrs_elapsed_days(T0, T0 - DAY), -1);
	assert_int_equal(fsrs_elapsed_days(T0, T0 - DAY - 1), -2);
	assert_int_equal(fsrs_time_parse("2024-03-01T00:00:00Z", &midnight), 0);
	assert_int_equal(fsrs_elapsed_days(midnight - 15 * MIN, midnight + 15 * MIN), 0);
}

static void test_same_day_reviews(void **state)
{
	struct fsrs_params p = no_fuzz();
	struct fsrs_card c, o;
	int64_t midnight;

	(void)state;
	/* same-day Hard: S unchanged, D still updated */
	c = first_review(&p, FSRS_GOOD, T0);
	assert_int_equal(fsrs_review(&p, &c, FSRS_HARD, T0 + 10 * MIN, NULL, &o), 0);
	assert_true(o.stability == c.stability);
	assert_rel(o.difficulty, fsrs_next_difficulty(&p, c.difficulty, FSRS_HARD), TOL_PY);
	assert_true(o.difficulty > c.difficulty);
	/* same-day Again shrinks S */
	assert_int_equal(fsrs_review(&p, &c, FSRS_AGAIN, T0 + 10 * MIN, NULL, &o), 0);
	assert_rel(o.stability, c.stability * exp(0.5425 * (-2 + 0.0912)) * pow(c.stability, -0.0658),
		TOL_PY);
	/* same-day Good: SInc = 1.0507 S^-0.0658 is 0.9945 at S = 2.3065,
	 * floored to 1; Easy grows S */
	assert_int_equal(fsrs_review(&p, &c, FSRS_GOOD, T0 + 10 * MIN, NULL, &o), 0);
	assert_true(o.stability == c.stability);
	assert_int_equal(fsrs_review(&p, &c, FSRS_EASY, T0 + 10 * MIN, NULL, &o), 0);
	assert_rel(o.stability, fsrs_short_term_stability(&p, c.stability, FSRS_EASY), TOL_PY);
	assert_true(o.stability > c.stability);

	/* 23 h 59 min later is still the same day (short-term formula) */
	assert_int_equal(fsrs_review(&p, &c, FSRS_GOOD, T0 + 23 * 3600 + 59 * MIN, NULL, &o), 0);
	assert_rel(o.stability, fsrs_short_term_stability(&p, c.stability, FSRS_GOOD), TOL_PY);
	/* 1 d 23 h 59 min later: long-term with elapsed_days = 1 */
	assert_int_equal(fsrs_review(&p, &c, FSRS_GOOD, T0 + DAY + 23 * 3600 + 59 * MIN, NULL, &o),
		0);
	assert_rel(o.stability, fsrs_recall_stability(&p, c.difficulty, c.stability,
		fsrs_forgetting_curve(&p, 1, c.stability), FSRS_GOOD), TOL_PY);
	/* long-term reviews happen in Learning too; a lapse uses the lapse
	 * formula with R at the whole elapsed days */
	assert_int_equal(fsrs_review(&p, &c, FSRS_AGAIN, T0 + 3 * DAY + 5, NULL, &o), 0);
	assert_rel(o.stability, fsrs_forget_stability(&p, c.difficulty, c.stability,
		fsrs_forgetting_curve(&p, 3, c.stability)), TOL_PY);
	assert_int_equal(o.state, FSRS_LEARNING);
	/* 30 minutes across midnight is the same day */
	assert_int_equal(fsrs_time_parse("2024-03-01T23:45:00Z", &midnight), 0);
	c = first_review(&p, FSRS_GOOD, midnight);
	assert_int_equal(fsrs_review(&p, &c, FSRS_HARD, midnight + 30 * MIN, NULL, &o), 0);
	assert_true(o.stability == c.stability);

	/* same-day reviews of a Review card update D as well */
	c = first_review(&p, FSRS_EASY, T0);
	c.difficulty = 5.0;
	assert_int_equal(fsrs_review(&p, &c, FSRS_HARD, T0 + 60, NULL, &o), 0);
	assert_rel(o.difficulty, fsrs_next_difficulty(&p, 5.0, FSRS_HARD), TOL_PY);
	assert_true(o.stability == c.stability);
	assert_int_equal(o.state, FSRS_REVIEW);
}

static void test_max_interval(void **state)
{
	struct fsrs_params p = no_fuzz();
	struct fsrs_card c;

	(void)state;
	p.maximum_interval = 5;
	c = first_review(&p, FSRS_EASY, T0);
	assert_true(c.stability == 8.2956); /* S is not capped, only the interval */
	assert_int_equal(c.due - T0, 5 * DAY);
	/* a card with a huge S: the default cap of 36500 days */
	p = no_fuzz();
	c = first_review(&p, FSRS_EASY, T0);
	c.stability = 1e6;
	assert_int_equal(fsrs_review(&p, &c, FSRS_GOOD, T0 + 1000 * DAY, NULL, &c), 0);
	assert_true(c.stability > 1e6); /* no upper clamp on S (py-fsrs) */
	assert_int_equal(c.due - c.last_review, (int64_t)36500 * DAY);
	/* the cap holds with fuzz on */
	struct fsrs_rng rng;

	p.enable_fuzz = true;
	fsrs_rng_init(&rng, 7);
	for (int i = 0; i < 200; i++) {
		struct fsrs_card o;

		assert_int_equal(fsrs_review(&p, &c, FSRS_GOOD, c.due, &rng, &o), 0);
		assert_true(o.due - o.last_review <= (int64_t)36500 * DAY);
		assert_true(o.due - o.last_review >= (int64_t)34673 * DAY);
	}
}

static void test_stability_floor(void **state)
{
	struct fsrs_params p = no_fuzz();
	struct fsrs_card c;
	int64_t now = T0;

	(void)state;
	fsrs_card_init(&c, now);
	for (int i = 0; i < 300; i++) {
		assert_int_equal(fsrs_review(&p, &c, FSRS_AGAIN, now, NULL, &c), 0);
		assert_true(c.stability >= FSRS_S_MIN);
		assert_true(c.difficulty >= 1.0 && c.difficulty <= 10.0);
		now += i % 2 ? DAY : 60;
	}
	assert_true(c.stability == FSRS_S_MIN);
}

/* ---- §8 fuzz ---- */

static void test_rng(void **state)
{
	struct fsrs_rng a, b;

	(void)state;
	/* the reference splitmix64 sequence for seed 0 */
	fsrs_rng_init(&a, 0);
	assert_true(fsrs_rng_next(&a) == UINT64_C(0xe220a8397b1dcdaf));
	assert_true(fsrs_rng_next(&a) == UINT64_C(0x6e789e6aa1b965f4));
	assert_true(fsrs_rng_next(&a) == UINT64_C(0x06c45d188009454f));
	fsrs_rng_init(&a, 42);
	fsrs_rng_init(&b, 42);
	for (int i = 0; i < 1000; i++) {
		double u = fsrs_rng_uniform(&a);

		assert_true(u == fsrs_rng_uniform(&b));
		assert_true(u >= 0.0 && u < 1.0);
	}
}

static void test_fuzz_range(void **state)
{
	static const int64_t ivl[] = { 3, 4, 5, 6, 7, 8, 10, 20, 21, 50, 100, 1000, 36500 };
	static const int64_t lo[] = { 2, 3, 4, 4, 5, 6, 8, 17, 18, 46, 93, 948, 34673 };
	static const int64_t hi[] = { 4, 5, 6, 8, 9, 10, 12, 23, 24, 54, 107, 1052, 36500 };
	struct fsrs_params p = no_fuzz();
	int64_t a, b;

	(void)state;
	for (size_t i = 0; i < sizeof(ivl) / sizeof(ivl[0]); i++) {
		fsrs_fuzz_range(&p, ivl[i], &a, &b);
		assert_int_equal(a, lo[i]);
		assert_int_equal(b, hi[i]);
	}
	/* the top is capped by the maximum interval, the bottom follows */
	p.maximum_interval = 4;
	fsrs_fuzz_range(&p, 5, &a, &b);
	assert_int_equal(a, 4);
	assert_int_equal(b, 4);
	p.maximum_interval = 3;
	fsrs_fuzz_range(&p, 100, &a, &b);
	assert_int_equal(a, 3);
	assert_int_equal(b, 3);
}

static void test_fuzz_interval(void **state)
{
	struct fsrs_params p;
	struct fsrs_rng rng;
	int seen[16] = { 0 };

	(void)state;
	fsrs_params_init(&p);
	fsrs_rng_init(&rng, 12345);
	/* under 2.5 days: untouched, and no draw */
	for (int64_t ivl = 0; ivl <= 2; ivl++) {
		struct fsrs_rng before = rng;

		assert_int_equal(fsrs_fuzz_interval(&p, ivl, &rng), ivl);
		assert_true(rng.state == before.state);
	}
	/* every value of [93, 107] comes out, nothing else */
	for (int i = 0; i < 3000; i++) {
		int64_t f = fsrs_fuzz_interval(&p, 100, &rng);

		assert_true(f >= 93 && f <= 107);
		seen[f - 93]++;
	}
	for (int i = 0; i <= 107 - 93; i++)
		assert_true(seen[i] > 0);
	/* small intervals: 3 -> [2, 4] */
	for (int i = 0; i < 500; i++) {
		int64_t f = fsrs_fuzz_interval(&p, 3, &rng);

		assert_true(f >= 2 && f <= 4);
	}
}

static void test_fuzz_review(void **state)
{
	struct fsrs_params p, q = no_fuzz();
	struct fsrs_rng r1, r2;
	struct fsrs_card c, a, b, plain;
	bool differs = false;

	(void)state;
	fsrs_params_init(&p);
	assert_true(p.enable_fuzz);
	/* learning steps are never fuzzed; the rng is not touched */
	fsrs_rng_init(&r1, 1);
	fsrs_card_init(&c, T0);
	assert_int_equal(fsrs_review(&p, &c, FSRS_AGAIN, T0, &r1, &a), 0);
	assert_int_equal(a.due - T0, 60);
	assert_true(r1.state == 1);
	/* a Review card: the same seed gives the same card; fuzz changes only
	 * due, within the fuzz range of the unfuzzed interval */
	c = first_review(&q, FSRS_EASY, T0);
	assert_int_equal(fsrs_review(&q, &c, FSRS_GOOD, c.due, NULL, &plain), 0);
	int64_t ivl = (plain.due - plain.last_review) / DAY, lo, hi;

	fsrs_fuzz_range(&p, ivl, &lo, &hi);
	assert_true(ivl >= 3);
	for (uint64_t seed = 0; seed < 200; seed++) {
		fsrs_rng_init(&r1, seed);
		fsrs_rng_init(&r2, seed);
		assert_int_equal(fsrs_review(&p, &c, FSRS_GOOD, c.due, &r1, &a), 0);
		assert_int_equal(fsrs_review(&p, &c, FSRS_GOOD, c.due, &r2, &b), 0);
		assert_memory_equal(&a, &b, sizeof(a));
		assert_true(a.stability == plain.stability);
		assert_true(a.difficulty == plain.difficulty);
		assert_int_equal(a.state, FSRS_REVIEW);
		assert_int_equal((a.due - a.last_review) % DAY, 0);
		assert_true(a.due - a.last_review >= lo * DAY && a.due - a.last_review <= hi * DAY);
		differs |= a.due != plain.due;
	}
	assert_true(differs);
	/* a fixed seed gives a fixed schedule (portable: splitmix64, no libc
	 * rand): 13 Good answers each on time */
	struct fsrs_card x, y;
	int64_t now = T0;

	fsrs_rng_init(&r1, 2024);
	fsrs_rng_init(&r2, 2024);
	fsrs_card_init(&x, T0);
	y = x;
	for (int i = 0; i < 13; i++) {
		assert_int_equal(fsrs_review(&p, &x, FSRS_GOOD, now, &r1, &x), 0);
		assert_int_equal(fsrs_review(&p, &y, FSRS_GOOD, now, &r2, &y), 0);
		assert_memory_equal(&x, &y, sizeof(x));
		now = x.due;
	}
}

/* ---- errors, retrievability, names, time ---- */

static void test_review_errors(void **state)
{
	struct fsrs_params p = no_fuzz();
	struct fsrs_card c, o, bad, fresh;

	(void)state;
	fsrs_card_init(&fresh, T0);
	c = first_review(&p, FSRS_GOOD, T0);
	memset(&o, 0xa5, sizeof(o));
	struct fsrs_card untouched = o;

	assert_int_equal(fsrs_review(&p, &c, 0, T0, NULL, &o), -1);
	assert_int_equal(fsrs_review(&p, &c, 5, T0, NULL, &o), -1);
	/* time going backwards */
	assert_int_equal(fsrs_review(&p, &c, FSRS_GOOD, T0 - 1, NULL, &o), -1);
	assert_int_equal(fsrs_review(&p, &c, FSRS_GOOD, T0, NULL, &o), 0);
	o = untouched;
	/* out-of-range times */
	assert_int_equal(fsrs_review(&p, &fresh, FSRS_GOOD, FSRS_TIME_MAX + 1, NULL, &o), -1);
	assert_int_equal(fsrs_review(&p, &fresh, FSRS_GOOD, FSRS_TIME_MIN - 1, NULL, &o), -1);
	assert_int_equal(fsrs_review(&p, &fresh, FSRS_GOOD, FSRS_NEVER, NULL, &o), -1);
	/* invalid cards */
	bad = c;
	bad.state = 0;
	assert_int_equal(fsrs_review(&p, &bad, FSRS_GOOD, T0, NULL, &o), -1);
	bad = c;
	bad.state = 4;
	assert_int_equal(fsrs_review(&p, &bad, FSRS_GOOD, T0, NULL, &o), -1);
	bad = c;
	bad.step = -1;
	assert_int_equal(fsrs_review(&p, &bad, FSRS_GOOD, T0, NULL, &o), -1);
	bad = c;
	bad.state = FSRS_REVIEW;
	assert_int_equal(fsrs_review(&p, &bad, FSRS_GOOD, T0, NULL, &o), -1);
	bad.step = FSRS_STEP_NONE;
	assert_int_equal(fsrs_review(&p, &bad, FSRS_GOOD, T0, NULL, &o), 0);
	o = untouched;
	bad = fresh;
	bad.state = FSRS_REVIEW;
	bad.step = FSRS_STEP_NONE;
	assert_int_equal(fsrs_review(&p, &bad, FSRS_GOOD, T0, NULL, &o), -1);
	bad = c;
	bad.stability = 0;
	assert_int_equal(fsrs_review(&p, &bad, FSRS_GOOD, T0, NULL, &o), -1);
	bad.stability = NAN;
	assert_int_equal(fsrs_review(&p, &bad, FSRS_GOOD, T0, NULL, &o), -1);
	bad.stability = INFINITY;
	assert_int_equal(fsrs_review(&p, &bad, FSRS_GOOD, T0, NULL, &o), -1);
	bad = c;
	bad.difficulty = 10.5;
	assert_int_equal(fsrs_review(&p, &bad, FSRS_GOOD, T0, NULL, &o), -1);
	bad.difficulty = NAN;
	assert_int_equal(fsrs_review(&p, &bad, FSRS_GOOD, T0, NULL, &o), -1);
	assert_memory_equal(&o, &untouched, sizeof(o));
	/* in place */
	o = c;
	assert_int_equal(fsrs_review(&p, &o, FSRS_GOOD, T0 + 600, NULL, &o), 0);
	assert_int_equal(o.state, FSRS_REVIEW);
}

static void test_card_init(void **state)
{
	struct fsrs_card c;

	(void)state;
	fsrs_card_init(&c, T0);
	assert_int_equal(c.state, FSRS_LEARNING);
	assert_int_equal(c.step, 0);
	assert_true(isnan(c.stability) && isnan(c.difficulty));
	assert_int_equal(c.due, T0);
	assert_true(c.last_review == FSRS_NEVER);
	assert_true(fsrs_card_is_new(&c));
}

static void test_retrievability(void **state)
{
	struct fsrs_params p = no_fuzz();
	struct fsrs_card c;

	(void)state;
	fsrs_card_init(&c, T0);
	assert_true(fsrs_retrievability(&p, &c, T0 + 5 * DAY) == 0.0);
	c = first_review(&p, FSRS_EASY, T0);
	assert_true(fsrs_retrievability(&p, &c, T0) == 1.0);
	assert_true(fsrs_retrievability(&p, &c, T0 + DAY - 1) == 1.0);
	assert_true(fsrs_retrievability(&p, &c, T0 - 3 * DAY) == 1.0);
	assert_rel(fsrs_retrievability(&p, &c, T0 + 8 * DAY + 3600),
		fsrs_forgetting_curve(&p, 8, 8.2956), TOL_PY);
	assert_true(fsrs_retrievability(&p, &c, T0 + 8 * DAY) > 0.9);
	assert_true(fsrs_retrievability(&p, &c, T0 + 9 * DAY) < 0.9);
	assert_true(fsrs_retrievability(&p, &c, T0 + 100000 * (int64_t)DAY) > 0.0);
}

static void test_state_names(void **state)
{
	enum fsrs_state s;

	(void)state;
	assert_string_equal(fsrs_state_name(FSRS_LEARNING), "Learning");
	assert_string_equal(fsrs_state_name(FSRS_REVIEW), "Review");
	assert_string_equal(fsrs_state_name(FSRS_RELEARNING), "Relearning");
	assert_null(fsrs_state_name(0));
	assert_null(fsrs_state_name(4));
	assert_int_equal(FSRS_LEARNING, 1);
	assert_int_equal(FSRS_REVIEW, 2);
	assert_int_equal(FSRS_RELEARNING, 3);
	assert_int_equal(fsrs_state_parse("Relearning", &s), 0);
	assert_int_equal(s, FSRS_RELEARNING);
	assert_int_equal(fsrs_state_parse("Review", &s), 0);
	assert_int_equal(s, FSRS_REVIEW);
	assert_int_equal(fsrs_state_parse("Learning", &s), 0);
	assert_int_equal(s, FSRS_LEARNING);
	assert_int_equal(fsrs_state_parse("review", &s), -1);
	assert_int_equal(fsrs_state_parse("New", &s), -1);
	assert_int_equal(fsrs_state_parse("", &s), -1);
}

static void test_time_format(void **state)
{
	char buf[FSRS_TIME_SIZE];

	(void)state;
	assert_int_equal(fsrs_time_format(0, buf), 0);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	assert_int_equal(fsrs_time_format(-1, buf), 0);
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
	assert_int_equal(fsrs_time_format(1704099600, buf), 0);
	assert_string_equal(buf, "2024-01-01T09:00:00Z");
	assert_int_equal(fsrs_time_format(951782400, buf), 0);
	assert_string_equal(buf, "2000-02-29T00:00:00Z");
	assert_int_equal(fsrs_time_format(FSRS_TIME_MIN, buf), 0);
	assert_string_equal(buf, "0000-01-01T00:00:00Z");
	assert_int_equal(fsrs_time_format(FSRS_TIME_MAX, buf), 0);
	assert_string_equal(buf, "9999-12-31T23:59:59Z");
	assert_int_equal(fsrs_time_format(FSRS_TIME_MAX + 1, buf), -1);
	assert_string_equal(buf, "");
	assert_int_equal(fsrs_time_format(FSRS_TIME_MIN - 1, buf), -1);
	assert_int_equal(fsrs_time_format(FSRS_NEVER, buf), -1);
	assert_int_equal(fsrs_time_format(INT64_MAX, buf), -1);
}

static void test_time_parse(void **state)
{
	static const char *const bad[] = {
		"", "2024-01-01", "2024-01-01T09:00:00", "2024-01-01T09:00:00z",
		"2024-01-01t09:00:00Z", "2024-01-01 09:00:00Z", "2024-01-01T09:00:00Z ",
		" 2024-01-01T09:00:00Z", "2024-01-01T09:00:00.5Z", "2024-01-01T09:00:00+00:00",
		"2024-1-01T09:00:00Z", "24-01-01T09:00:00Z", "+2024-01-01T09:00:00Z",
		"2024-00-01T09:00:00Z", "2024-13-01T09:00:00Z", "2024-01-00T09:00:00Z",
		"2024-01-32T09:00:00Z", "2024-04-31T09:00:00Z", "2023-02-29T09:00:00Z",
		"1900-02-29T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T09:60:00Z",
		"2024-01-01T09:00:60Z", "2024-01-01T-9:00:00Z", "2024-01-01T09:0a:00Z",
		"2024/01/01T09:00:00Z", "2024-01-01T09-00-00Z",
	};
	int64_t t = 42;
	char buf[FSRS_TIME_SIZE];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (fsrs_time_parse(bad[i], &t) != -1)
			fail_msg("accepted '%s'", bad[i]);
		assert_int_equal(t, 42);
	}
	assert_int_equal(fsrs_time_parse("2024-01-01T09:00:00Z", &t), 0);
	assert_int_equal(t, 1704099600);
	assert_int_equal(fsrs_time_parse("2022-11-29T12:30:00Z", &t), 0);
	assert_int_equal(t, T0);
	assert_int_equal(fsrs_time_parse("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(fsrs_time_parse("1969-12-31T23:59:59Z", &t), 0);
	assert_int_equal(t, -1);
	assert_int_equal(fsrs_time_parse("2024-02-29T23:59:59Z", &t), 0);
	assert_int_equal(fsrs_time_parse("2000-02-29T00:00:00Z", &t), 0);
	assert_int_equal(t, 951782400);
	assert_int_equal(fsrs_time_parse("0000-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, FSRS_TIME_MIN);
	assert_int_equal(fsrs_time_parse("9999-12-31T23:59:59Z", &t), 0);
	assert_int_equal(t, FSRS_TIME_MAX);
	/* round trips across the whole range, leap days included */
	for (int64_t x = FSRS_TIME_MIN; x <= FSRS_TIME_MAX; x += 86400 * 97 + 3607) {
		int64_t y;

		assert_int_equal(fsrs_time_format(x, buf), 0);
		assert_int_equal(fsrs_time_parse(buf, &y), 0);
		assert_int_equal(x, y);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_weights_length),
		cmocka_unit_test(test_weights_bounds),
		cmocka_unit_test(test_weights_19),
		cmocka_unit_test(test_weights_17),
		cmocka_unit_test(test_params_validate),
		cmocka_unit_test(test_forgetting_curve),
		cmocka_unit_test(test_next_interval),
		cmocka_unit_test(test_next_interval_fsrs_rs),
		cmocka_unit_test(test_initial_state),
		cmocka_unit_test(test_next_difficulty),
		cmocka_unit_test(test_stability_formulas),
		cmocka_unit_test(test_short_term_floor),
		cmocka_unit_test(test_first_reviews),
		cmocka_unit_test(test_learning_step_timings),
		cmocka_unit_test(test_interval_history),
		cmocka_unit_test(test_memo_state),
		cmocka_unit_test(test_memo_state_frozen_short_term),
		cmocka_unit_test(test_fsrs_rs_19_params),
		cmocka_unit_test(test_repeated_easy),
		cmocka_unit_test(test_step_table),
		cmocka_unit_test(test_step_variants),
		cmocka_unit_test(test_elapsed_days),
		cmocka_unit_test(test_same_day_reviews),
		cmocka_unit_test(test_max_interval),
		cmocka_unit_test(test_stability_floor),
		cmocka_unit_test(test_rng),
		cmocka_unit_test(test_fuzz_range),
		cmocka_unit_test(test_fuzz_interval),
		cmocka_unit_test(test_fuzz_review),
		cmocka_unit_test(test_review_errors),
		cmocka_unit_test(test_card_init),
		cmocka_unit_test(test_retrievability),
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_time_format),
		cmocka_unit_test(test_time_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
