/*
 * grade-bench: the time to grade one answer on the shipped content. Every
 * text question's model answer and rubric examples are graded ROUNDS times
 * (the answer prepared once, then every point) after its rubric is
 * compiled (timed apart, with the first grading); it prints the median and
 * the 99th percentile per answer, the same of each answer's fastest round
 * (steady on a shared machine, where load slows whole rounds), then the
 * slowest question for a large answer at the cap (SESSION_ANSWER_MAX, 16
 * KiB, of prose with markup, lists, code spans and negations), graded
 * against every text question (the best of three runs each).
 *   grade-bench [ROUNDS]
 * Content comes from PYDOJO_DATADIR (default: the source tree).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "answer.h"
#include "catalog.h"
#include "config.h"
#include "grade.h"
#include "session.h"
#include "util.h"

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 20;
	if (rounds < 1)
		rounds = 1;   /* "0" or a word: one round, never an empty median */
	const char *dir = getenv("PYDOJO_DATADIR");
	struct diag d;
	diag_init(&d);
	struct catalog *c = catalog_new();
	catalog_add_root(c, dir ? dir : PYDOJO_SOURCE_ROOT, false, &d);
	catalog_link(c, &d);
	diag_release(&d);
	double *t = NULL;
	size_t n = 0, cap = 0;
	bool hits[256];
	/* A question's rubric is expanded and compiled on first use: a
	 * session does it while the question is shown (grade_compile_rubric),
	 * so it is timed apart, as load time, then that first grading. */
	double compile_max = 0, first_max = 0;
	const char *compile_id = "", *first_id = "";
	for (size_t i = 0; i < catalog_nquestions(c); i++) {
		const struct question *q = catalog_question_at(c, i);
		if (q->type != Q_TEXT || q->nrubric > 256)
			continue;
		double t0 = now_us();
		grade_compile_rubric(q);
		double t1 = now_us();
		grade_rubric(q, q->model_answer, hits, NULL);
		double t2 = now_us();
		if (t1 - t0 > compile_max) {
			compile_max = t1 - t0;
			compile_id = q->id;
		}
		if (t2 - t1 > first_max) {
			first_max = t2 - t1;
			first_id = q->id;
		}
	}
	printf("compiling a question's rubric (while it is shown): slowest %s, %.2f ms; "
	       "its first grading then: slowest %s, %.2f ms\n", compile_id, compile_max / 1000, first_id,
	       first_max / 1000);
	/* Each answer's fastest grading over the rounds: a load spike on a
	 * shared machine slows some rounds, never the answer's own work. */
	double *best = NULL;
	size_t nbest = 0, capbest = 0;
	for (int r = 0; r < rounds; r++) {
		size_t j = 0;
		for (size_t i = 0; i < catalog_nquestions(c); i++) {
			const struct question *q = catalog_question_at(c, i);
			if (q->type != Q_TEXT || q->nrubric > 256)
				continue;
			const char *answers[64];
			size_t na = 0;
			answers[na++] = q->model_answer;
			for (size_t k = 0; k < q->ex_pass.n && na < 64; k++)
				answers[na++] = q->ex_pass.v[k];
			for (size_t k = 0; k < q->ex_fail.n && na < 64; k++)
				answers[na++] = q->ex_fail.v[k];
			for (size_t k = 0; k < na; k++) {
				double t0 = now_us();
				grade_rubric(q, answers[k], hits, NULL);
				GROW(t, cap, n + 1);
				t[n++] = now_us() - t0;
				if (r == 0) {
					GROW(best, capbest, nbest + 1);
					best[nbest++] = t[n - 1];
				} else if (t[n - 1] < best[j]) {
					best[j] = t[n - 1];
				}
				j++;
			}
		}
	}
	qsort(t, n, sizeof *t, cmp_double);
	qsort(best, nbest, sizeof *best, cmp_double);
	printf("answers graded: %zu (%d rounds)\n", n, rounds);
	printf("median per answer: %.1f us, p99: %.1f us, max: %.1f us\n", t[n / 2], t[n * 99 / 100], t[n - 1]);
	printf("each answer's fastest of the %d rounds: median %.1f us, p99: %.1f us\n", rounds, best[nbest / 2],
	       best[nbest * 99 / 100]);
	free(best);

	static const char *const parts[] = {
		"The thread releases the GIL while it waits on the socket, but a CPU-bound thread does not. ",
		"**Each** thread has its *own* stack; e.g. `asyncio.create_task(work())` schedules it, i.e. later. ",
		"- create_task, not await, schedules the coroutine to run concurrently\n",
		"Unlike what many think, each thread has its own GIL: wrong; up to 1024 bytes, not exactly 1024. ",
		"```\ndef retry(times):\n    return wrapper\n```\n",
		"f(*args, **kwargs) runs 2**10 times in Python 3.12... and then stops! ",
	};
	struct buf big;
	buf_init(&big);
	for (size_t k = 0; big.len < SESSION_ANSWER_MAX - 200; k++)
		buf_puts(&big, parts[k % ARRAY_SIZE(parts)]);
	double p0 = now_us();
	struct answer a;
	answer_prepare(&a, big.data);
	double prep = now_us() - p0;
	printf("a %zu-byte answer: prepared in %.2f ms (%zu sentences, %zu clauses)\n", big.len, prep / 1000,
	       a.nsentences, a.nclauses);
	answer_release(&a);
	double worst = 0;
	const char *worst_id = "";
	for (size_t i = 0; i < catalog_nquestions(c); i++) {
		const struct question *q = catalog_question_at(c, i);
		if (q->type != Q_TEXT || q->nrubric > 256)
			continue;
		/* The best of three: one slow run on a shared machine is noise,
		 * a slow question is slow every time. */
		double dt = 0;
		for (int r = 0; r < 3; r++) {
			double t0 = now_us();
			grade_rubric(q, big.data, hits, NULL);
			double run = now_us() - t0;
			dt = r == 0 || run < dt ? run : dt;
		}
		if (dt > worst) {
			worst = dt;
			worst_id = q->id;
		}
	}
	printf("a %zu-byte answer: slowest question %s, %.2f ms\n", big.len, worst_id, worst / 1000);

	/* The same answer against a question of every kind of point of the
	 * rubric language (says, about, not_about, reject, a wrong claim), over
	 * the shipped vocabulary. */
	char tmpl[] = "/tmp/grade-bench-XXXXXX";
	if (mkdtemp(tmpl)) {
		char *path = xasprintf("%s/lessons", tmpl);
		mkdir(path, 0700);
		free(path);
		path = xasprintf("%s/quizzes", tmpl);
		mkdir(path, 0700);
		free(path);
		/* The link's target must not be relative: PYDOJO_DATADIR=. would
		 * point it at the temporary folder itself. */
		char *given = xasprintf("%s/terms.yaml", dir ? dir : PYDOJO_SOURCE_ROOT);
		char *terms = realpath(given, NULL);
		char *link = xasprintf("%s/terms.yaml", tmpl);
		if (!terms || symlink(terms, link) < 0)
			perror(terms ? link : given);
		free(given);
		static const char lesson[] = "id: b\ntitle: B\ntrack: t\nlevel: core\nsummary: B.\n"
		                             "sections:\n  - title: S\n    body: B.\n";
		static const char quiz[] =
			"topic: b\nquestions:\n  - id: b-one\n    type: text\n    prompt: Why?\n    rubric:\n"
			"      - point: p1\n        says: '@release .. @gil'\n        about: '@thread'\n"
			"        not_about: '@process'\n        reject: 'each @thread .. @own|@gil per @thread'\n"
			"      - point: p2\n        says: '@create-task .. @schedule .. @concurrent'\n"
			"        about: '@create-task'\n        not_about: '@await'\n"
			"        wrong: '@concurrent'\n        wrong_about: '@await'\n        wrong_not_about: '@create-task'\n"
			"      - point: p3\n        says: '@not @block .. @event-loop'\n"
			"      - point: p4\n        says: '@lazy .. @value|@generator .. @memory'\n"
			"        reject: '@list .. @lazy'\n"
			"    pass: 1\n    model_answer: The thread releases the GIL.\n";
		char *lp = xasprintf("%s/lessons/b.yaml", tmpl), *qp = xasprintf("%s/quizzes/b.yaml", tmpl);
		FILE *f = fopen(lp, "w");
		if (f) {
			fputs(lesson, f);
			fclose(f);
		}
		f = fopen(qp, "w");
		if (f) {
			fputs(quiz, f);
			fclose(f);
		}
		struct catalog *c2 = catalog_new();
		diag_init(&d);
		catalog_add_root(c2, tmpl, false, &d);
		catalog_link(c2, &d);
		diag_print(&d, stderr);
		diag_release(&d);
		const struct question *q = catalog_question(c2, "b-one");
		if (q) {
			grade_rubric(q, "warm up", hits, NULL);
			double b0 = now_us();
			grade_rubric(q, big.data, hits, NULL);
			printf("a %zu-byte answer against four points of the rubric language: %.2f ms\n", big.len,
			       (now_us() - b0) / 1000);
		}
		catalog_free(c2);
		unlink(lp);
		unlink(qp);
		unlink(link);
		path = xasprintf("%s/lessons", tmpl);
		rmdir(path);
		free(path);
		path = xasprintf("%s/quizzes", tmpl);
		rmdir(path);
		free(path);
		rmdir(tmpl);
		free(lp);
		free(qp);
		free(terms);
		free(link);
	}
	buf_release(&big);
	free(t);
	catalog_free(c);
	return 0;
}
