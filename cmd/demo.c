/*
 * cmd_demo: the `demo` command. `demo` and `demo list` show the manifest;
 * `demo ID [--param value ...] [--json]` checks every parameter against the
 * manifest (type, bounds, listed values) before anything starts, then runs
 * the demo program through the runner and reports how it ended, its wall and
 * CPU time; `demo ID --predict` asks the manifest's predict questions, runs
 * the demo with each question's parameters and --json, reads the measured
 * figure from the JSON (through ydoc: a JSON object is YAML) and grades the
 * predictions against it. Graded predictions are recorded as reviews of
 * their cards (session), so they are scheduled like any answer; when the
 * measurement stops short, nothing is recorded.
 *
 * It does not start processes itself (runner does) nor know what a demo
 * measures beyond the manifest's dotted figure names.
 */
#include "cmd.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "clock.h"
#include "diag.h"
#include "fsrs.h"
#include "grade.h"
#include "render.h"
#include "repl.h"
#include "runner.h"
#include "session.h"
#include "settings.h"
#include "store.h"
#include "util.h"
#include "ydoc.h"

/* A parameter given on the command line, checked against the manifest. */
struct given {
	const struct demo_param *p;
	const char *value;     /* borrowed from argv or the manifest */
};

static char *binary_path(const struct ctx *x, const struct demo *dm)
{
	return xasprintf("%s/%s", x->demodir ? x->demodir : ".", dm->binary);
}

static bool binary_exists(const struct ctx *x, const struct demo *dm)
{
	char *path = binary_path(x, dm);
	bool ok = access(path, X_OK) == 0;
	free(path);
	return ok;
}

/* Appends "1 to 16", "at least 0.5", "at most 50" (nothing when unbounded). */
static void add_bounds(struct buf *b, const struct demo_param *p)
{
	if (p->has_min && p->has_max)
		buf_printf(b, "%g to %g", p->min, p->max);
	else if (p->has_min)
		buf_printf(b, "at least %g", p->min);
	else if (p->has_max)
		buf_printf(b, "at most %g", p->max);
}

static void add_values(struct buf *b, const struct demo_param *p, const char *sep)
{
	for (size_t i = 0; i < p->values.n; i++)
		buf_printf(b, "%s%s", i ? sep : "", p->values.v[i]);
}

/* Checks one value against its parameter; on failure prints a one-line
 * error and returns false. */
static bool check_value(const struct demo *dm, const struct demo_param *p, const char *v)
{
	struct buf why;
	buf_init(&why);
	char *end = NULL;
	double d = 0;
	switch (p->type) {
	case PARAM_INT:
	case PARAM_FLOAT:
		errno = 0;
		if (p->type == PARAM_INT) {
			long l = strtol(v, &end, 10);
			d = (double)l;
		} else {
			d = strtod(v, &end);
		}
		if (end == v || *end || (p->type == PARAM_FLOAT && !isfinite(d))) {
			buf_printf(&why, "is not %s", p->type == PARAM_INT ? "an integer" : "a number");
		} else if (errno == ERANGE || (p->has_min && d < p->min) || (p->has_max && d > p->max)) {
			buf_puts(&why, "is out of range");
		} else {
			buf_release(&why);
			return true;
		}
		if (p->has_min || p->has_max) {
			buf_puts(&why, " (");
			add_bounds(&why, p);
			buf_puts(&why, ")");
		}
		break;
	case PARAM_ENUM:
		for (size_t i = 0; i < p->values.n; i++)
			if (strcmp(p->values.v[i], v) == 0) {
				buf_release(&why);
				return true;
			}
		buf_puts(&why, "is not one of ");
		add_values(&why, p, ", ");
		break;
	case PARAM_FLAG:
		if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
			buf_release(&why);
			return true;
		}
		buf_puts(&why, "is not true or false (a flag takes no value)");
		break;
	}
	char e[ECHO_SIZE];
	fprintf(stderr, "error: demo '%s': value '%s' of '--%s' %s\n", dm->id, str_echo(e, v), p->name, why.data);
	buf_release(&why);
	return false;
}

static const struct demo_param *find_param(const struct demo *dm, const char *name, size_t len)
{
	for (size_t i = 0; i < dm->nparams; i++)
		if (strlen(dm->params[i].name) == len && strncmp(dm->params[i].name, name, len) == 0)
			return &dm->params[i];
	return NULL;
}

static void unknown_param(const struct demo *dm, const char *given)
{
	char name[ECHO_SIZE];
	str_echo(name, given);
	const char *best = NULL;
	size_t bestd = 3;
	for (size_t i = 0; i < dm->nparams; i++) {
		size_t d = edit_distance(given, dm->params[i].name, 2);
		if (d < bestd) {
			bestd = d;
			best = dm->params[i].name;
		}
	}
	if (best) {
		fprintf(stderr, "error: demo '%s' has no parameter '--%s' (did you mean '--%s'?)\n", dm->id, name,
		        best);
		return;
	}
	struct buf all;
	buf_init(&all);
	for (size_t i = 0; i < dm->nparams; i++)
		buf_printf(&all, "%s--%s", i ? ", " : "", dm->params[i].name);
	fprintf(stderr, "error: demo '%s' has no parameter '--%s' (%s%s)\n", dm->id, name,
	        dm->nparams ? "it takes " : "it takes none", all.data);
	buf_release(&all);
}

/* Adds a checked parameter, refusing one given twice. */
static bool add_given(const struct demo *dm, struct given *g, size_t *n, const struct demo_param *p,
                      const char *value)
{
	for (size_t i = 0; i < *n; i++)
		if (g[i].p == p) {
			fprintf(stderr, "error: demo '%s': '--%s' given twice\n", dm->id, p->name);
			return false;
		}
	if (!check_value(dm, p, value))
		return false;
	g[*n].p = p;
	g[(*n)++].value = value;
	return true;
}

/* The demo's argument vector: argv[0] the program's name, then each
 * parameter as --name=value (a flag as --name, or nothing when false), then
 * --json when asked. A new NULL-terminated array of new strings. */
static char **build_argv(const struct demo *dm, const struct given *g, size_t n, bool json)
{
	char **v = xcalloc(n + 3, sizeof *v);
	size_t k = 0;
	v[k++] = xstrdup(dm->binary);
	for (size_t i = 0; i < n; i++) {
		if (g[i].p->type == PARAM_FLAG) {
			if (strcmp(g[i].value, "true") == 0)
				v[k++] = xasprintf("--%s", g[i].p->name);
		} else {
			v[k++] = xasprintf("--%s=%s", g[i].p->name, g[i].value);
		}
	}
	if (json)
		v[k++] = xstrdup("--json");
	v[k] = NULL;
	return v;
}

/* "demo gil --mode=cpu --threads=2 --json", for showing a run. */
static char *show_command(const struct demo *dm, char **argv)
{
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "demo %s", dm->id);
	for (size_t i = 1; argv[i]; i++) {
		buf_addc(&b, ' ');
		buf_add_visible(&b, argv[i], strlen(argv[i]), 0);
	}
	return buf_detach(&b);
}

/* The longest time limit PYDOJO_DEMO_TIMEOUT may set: a day. */
#define DEMO_TIMEOUT_MAX 86400.0

/* The time limit: PYDOJO_DEMO_TIMEOUT seconds (fractions allowed, 0 for
 * none, at most a day), else the runner's default. */
static int time_limit(double *out)
{
	*out = RUNNER_DEFAULT_TIMEOUT;
	const char *env = getenv("PYDOJO_DEMO_TIMEOUT");
	if (!env || !*env)
		return 0;
	char *end;
	errno = 0;
	double t = strtod(env, &end);
	if (errno || end == env || *end || !isfinite(t) || t < 0 || t > DEMO_TIMEOUT_MAX) {
		char e[ECHO_SIZE];
		fprintf(stderr,
		        "error: PYDOJO_DEMO_TIMEOUT must be a number of seconds from 0 (no limit) to %g, not '%s'\n",
		        DEMO_TIMEOUT_MAX, str_echo(e, env));
		return -1;
	}
	*out = t;
	return 0;
}

/* "exit 0", "killed by SIGSEGV, status 139", "interrupted, status 130",
 * "stopped by the 60 s time limit, status 124". */
static void describe_end(struct buf *b, const struct runner_result *r, double limit)
{
	if (r->timed_out)
		buf_printf(b, "stopped by the %g s time limit, status %d", limit, r->status);
	else if (r->interrupted)
		buf_printf(b, "interrupted, status %d", r->status);
	else if (r->signal) {
		const char *name = sigabbrev_np(r->signal);
		if (name)
			buf_printf(b, "killed by SIG%s, status %d", name, r->status);
		else
			buf_printf(b, "killed by signal %d, status %d", r->signal, r->status);
	} else
		buf_printf(b, "exit %d", r->exit_code);
}

/* Lessons whose `demos:` list names this demo, as "learn a, learn b". */
static void add_lessons(struct buf *b, const struct catalog *c, const struct demo *dm, const char *prefix)
{
	size_t n = 0;
	for (size_t i = 0; i < catalog_nlessons(c); i++) {
		const struct lesson *ls = catalog_lesson_at(c, i);
		for (size_t k = 0; k < ls->demos.n; k++)
			if (strcmp(ls->demos.v[k], dm->id) == 0) {
				buf_printf(b, "%s%s%s", n++ ? ", " : "", prefix, ls->id);
				break;
			}
	}
}

/* ---- demo list ---- */

static void list_json(struct ctx *x, const struct catalog *c)
{
	struct buf b;
	buf_init(&b);
	buf_puts(&b, "[");
	for (size_t i = 0; i < catalog_ndemos(c); i++) {
		const struct demo *dm = catalog_demo_at(c, i);
		buf_puts(&b, i ? ",\n " : "");
		buf_puts(&b, "{\"id\": ");
		buf_json_str(&b, dm->id);
		buf_puts(&b, ", \"title\": ");
		buf_json_str(&b, dm->title);
		buf_puts(&b, ", \"summary\": ");
		buf_json_str(&b, dm->summary);
		buf_puts(&b, ", \"topics\": [");
		for (size_t k = 0; k < dm->topics.n; k++) {
			buf_puts(&b, k ? ", " : "");
			buf_json_str(&b, dm->topics.v[k]);
		}
		buf_puts(&b, "], \"lessons\": [");
		struct buf ls;
		buf_init(&ls);
		add_lessons(&ls, c, dm, "");
		size_t k = 0;
		for (char *tok = strtok(ls.data, ", "); tok; tok = strtok(NULL, ", ")) {
			buf_puts(&b, k++ ? ", " : "");
			buf_json_str(&b, tok);
		}
		buf_release(&ls);
		buf_puts(&b, "], \"params\": [");
		for (size_t p = 0; p < dm->nparams; p++) {
			const struct demo_param *pm = &dm->params[p];
			static const char *const types[] = {"int", "float", "enum", "flag"};
			buf_puts(&b, p ? ", " : "");
			buf_puts(&b, "{\"name\": ");
			buf_json_str(&b, pm->name);
			buf_printf(&b, ", \"type\": \"%s\"", types[pm->type]);
			if (pm->has_min)
				buf_printf(&b, ", \"min\": %.17g", pm->min);
			if (pm->has_max)
				buf_printf(&b, ", \"max\": %.17g", pm->max);
			if (pm->type == PARAM_ENUM) {
				buf_puts(&b, ", \"values\": [");
				for (size_t v = 0; v < pm->values.n; v++) {
					buf_puts(&b, v ? ", " : "");
					buf_json_str(&b, pm->values.v[v]);
				}
				buf_puts(&b, "]");
			}
			buf_puts(&b, ", \"default\": ");
			buf_json_str(&b, pm->def);
			buf_puts(&b, "}");
		}
		buf_printf(&b, "], \"predict\": %zu, \"built\": %s}", dm->npredict,
		           binary_exists(x, dm) ? "true" : "false");
	}
	buf_puts(&b, "]\n");
	fwrite(b.data, 1, b.len, stdout);
	buf_release(&b);
}

static int demo_list(struct ctx *x, const struct cmd_args *a)
{
	int argc = a->argc;
	char **argv = a->argv;
	bool json = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "list") != 0 || i != 1) {
			char e[ECHO_SIZE];
			fprintf(stderr, "error: unexpected '%s' after 'demo list'\n", str_echo(e, argv[i]));
			return cmd_usage(a);
		}
	}
	struct catalog *c = ctx_catalog(x);
	if (!c)
		return 2;
	if (json) {
		list_json(x, c);
		return 0;
	}
	struct render_opts o = ctx_render_opts(x);
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < catalog_ndemos(c); i++) {
		const struct demo *dm = catalog_demo_at(c, i);
		struct buf head;
		buf_init(&head);
		buf_puts(&b, i ? "\n" : "");
		buf_puts(&head, "  ");
		render_styled(&head, STYLE_BOLD, dm->id, strlen(dm->id), &o);
		buf_printf(&head, "%*s ", 20 - (int)strlen(dm->id), "");
		buf_add_visible(&head, dm->title, strlen(dm->title), 0);
		if (!binary_exists(x, dm))
			buf_puts(&head, " (not built)");
		render_wrap(&b, head.data, 23, o.width);
		buf_release(&head);
		render_markdown(&b, dm->summary, 4, &o);
		struct buf tl;
		buf_init(&tl);
		buf_puts(&tl, "    topics: ");
		for (size_t k = 0; k < dm->topics.n; k++)
			buf_printf(&tl, "%s%s", k ? ", " : "", dm->topics.v[k]);
		if (dm->npredict)
			buf_printf(&tl, "; %zu prediction%s to make", dm->npredict, dm->npredict == 1 ? "" : "s");
		render_wrap(&b, tl.data, 12, o.width);
		buf_release(&tl);
	}
	char *foot = xasprintf("\n%zu demos. Run one with 'demo ID', see its parameters with 'demo ID --help', "
	                       "predict its result first with 'demo ID --predict'.",
	                       catalog_ndemos(c));
	render_wrap(&b, foot, 0, o.width);
	free(foot);
	fwrite(b.data, 1, b.len, stdout);
	buf_release(&b);
	return 0;
}

/* ---- demo ID --help ---- */

static int demo_help(struct ctx *x, const struct catalog *c, const struct demo *dm)
{
	struct render_opts o = ctx_render_opts(x);
	struct buf b;
	buf_init(&b);
	buf_puts(&b, "demo ");
	render_styled(&b, STYLE_BOLD, dm->id, strlen(dm->id), &o);
	buf_puts(&b, ": ");
	buf_add_visible(&b, dm->title, strlen(dm->title), 0);
	buf_addc(&b, '\n');
	render_markdown(&b, dm->summary, 2, &o);
	buf_puts(&b, "\nParameters:\n");
	for (size_t i = 0; i < dm->nparams; i++) {
		const struct demo_param *p = &dm->params[i];
		struct buf head, tail;
		buf_init(&head);
		buf_init(&tail);
		buf_printf(&head, "--%s", p->name);
		if (p->type == PARAM_ENUM) {
			buf_addc(&head, ' ');
			add_values(&head, p, "|");
		} else if (p->type != PARAM_FLAG) {
			buf_puts(&head, p->type == PARAM_INT ? " N" : " X");
		}
		add_bounds(&tail, p);
		if (p->def)
			buf_printf(&tail, "%sdefault %s", tail.len ? ", " : "", p->def);
		/* The line is all manifest text: shown, never sent. */
		char *line = xasprintf("  %-28s %s%s%s%s", head.data, p->help ? p->help : "", tail.len ? " (" : "",
		                       tail.data, tail.len ? ")" : "");
		char *vis = str_visible(line);
		render_wrap(&b, vis, o.width - 31 >= 25 ? 31 : 6, o.width);
		free(vis);
		free(line);
		buf_release(&head);
		buf_release(&tail);
	}
	char *own = xasprintf("  %-28s %s", "--json", "print only the demo's JSON object of measured figures");
	render_wrap(&b, own, o.width - 31 >= 25 ? 31 : 6, o.width);
	free(own);
	if (dm->npredict) {
		own = xasprintf("  %-28s predict %zu result%s first, then run and grade them (recorded as reviews)", "--predict", dm->npredict,
		                dm->npredict == 1 ? "" : "s");
		render_wrap(&b, own, o.width - 31 >= 25 ? 31 : 6, o.width);
		free(own);
	}
	if (dm->watch) {
		buf_puts(&b, "\nWhat to look at:\n");
		render_markdown(&b, dm->watch, 2, &o);
	}
	struct buf ls;
	buf_init(&ls);
	add_lessons(&ls, c, dm, "learn ");
	if (ls.len) {
		char *ex = xasprintf("\nExplained in: %s", ls.data);
		render_wrap(&b, ex, 2, o.width);
		free(ex);
	}
	buf_release(&ls);
	if (!binary_exists(x, dm))
		buf_printf(&b, "\nNot built: %s/%s is missing.\n", x->demodir ? x->demodir : ".", dm->binary);
	fwrite(b.data, 1, b.len, stdout);
	buf_release(&b);
	return 0;
}

/* ---- running ---- */

static int missing_binary(const struct ctx *x, const struct demo *dm)
{
	char *path = binary_path(x, dm);
	int e = access(path, X_OK) < 0 ? errno : ENOENT;
	fprintf(stderr, "error: the program of demo '%s' is missing: '%s' (%s; is it built?)\n", dm->id, path,
	        strerror(e));
	free(path);
	return 3;
}

static int demo_run(struct ctx *x, const struct catalog *c, const struct demo *dm, const struct given *g,
                    size_t n, bool json)
{
	double limit;
	if (time_limit(&limit) < 0)
		return 2;
	char *path = binary_path(x, dm);
	char **argv = build_argv(dm, g, n, json);
	/* With --json stdout holds only the demo's JSON; the rest goes to stderr. */
	FILE *info = json ? stderr : stdout;
	struct buf ls;
	buf_init(&ls);
	add_lessons(&ls, c, dm, "learn ");
	if (ls.len)
		fprintf(info, "Explained in: %s\n", ls.data);
	else
		fprintf(info, "No lesson links to demo '%s' yet.\n", dm->id);
	buf_release(&ls);
	if (!json) {
		char *cmd = show_command(dm, argv);
		fprintf(info, "$ %s\n\n", cmd);
		free(cmd);
	}
	fflush(info);

	struct runner_opts o;
	runner_opts_init(&o);
	o.timeout_s = limit;
	struct runner_result r;
	char *cause = NULL;
	int rc;
	if (runner_run(path, argv, &o, &r, &cause) < 0) {
		fprintf(stderr, "error: demo '%s': %s\n", dm->id, cause);
		free(cause);
		rc = 3;
		goto out;
	}
	struct buf how;
	buf_init(&how);
	describe_end(&how, &r, limit);
	if (!json)
		fputc('\n', info);
	fprintf(info, "demo %s: %s, %.2f s wall, %.2f s CPU\n", dm->id, how.data, r.wall_s, r.user_s + r.sys_s);
	buf_release(&how);
	if (r.leftovers)
		fprintf(stderr, "warning: demo '%s' left processes behind; they were killed\n", dm->id);
	rc = r.status;
	runner_result_release(&r);
out:
	commands_free_argv(argv);
	free(path);
	return rc;
}

/* ---- predict-then-run ---- */

/* Reads the number at a dotted path ("speedup.gil") of a parsed JSON object
 * into *out. Returns NULL, or what is wrong with the path (a phrase for a
 * message). */
static const char *figure_at(const struct ynode *root, const char *path, double *out)
{
	const struct ynode *n = root;
	char *copy = xstrdup(path);
	for (char *save = NULL, *key = strtok_r(copy, ".", &save); key; key = strtok_r(NULL, ".", &save)) {
		if (!n || n->kind != YNODE_MAP) {
			free(copy);
			return "is not in the demo's JSON";
		}
		n = ynode_get(n, key);
	}
	free(copy);
	if (!n)
		return "is not in the demo's JSON";
	if (ynode_double(n, out) < 0 || !isfinite(*out))
		return "is not a number in the demo's JSON";
	return NULL;
}

/* Whether two predict questions run the demo with the same parameters. */
static bool same_run(const struct demo_predict *a, const struct demo_predict *b)
{
	if (a->nrun != b->nrun)
		return false;
	for (size_t i = 0; i < a->nrun; i++)
		if (strcmp(a->run_keys[i], b->run_keys[i]) != 0 || strcmp(a->run_values[i], b->run_values[i]) != 0)
			return false;
	return true;
}

/* A measured figure for people: whole numbers in full, others to about
 * four significant digits, without exponents in the usual ranges. */
static void fmt_figure(char *out, size_t n, double v)
{
	double a = fabs(v);
	if (a < 1e15 && v == floor(v))
		snprintf(out, n, "%.0f", v);
	else if (a >= 1000 && a < 1e15)
		snprintf(out, n, "%.1f", v);
	else if (a >= 1e-3 || a == 0)
		snprintf(out, n, "%.4g", v);
	else
		snprintf(out, n, "%.3e", v);
}

static bool choice_holds(const struct predict_choice *ch, double v)
{
	return (!ch->has_min || v >= ch->min) && (!ch->has_max || v < ch->max);
}

/* Reads one choice a..(a+n-1), as a letter or a 1-based number (as a quiz
 * takes it); returns its index, -1 on EOF, -2 on Ctrl-C. */
static int ask_letter(struct repl *rp, size_t n)
{
	char *prompt = xasprintf("your prediction (a-%c): ", (int)('a' + n - 1));
	int got = -1;
	for (;;) {
		char *line = NULL;
		enum repl_read rr = repl_read(rp, prompt, false, &line);
		if (rr == REPL_EOF)
			break;
		if (rr == REPL_INTR) {
			got = -2;
			break;
		}
		size_t index;
		char *err = NULL;
		int prc = grade_parse_choice(line, n, &index, &err);
		free(line);
		if (prc == 0) {
			got = (int)index;
			break;
		}
		fprintf(stderr, "%s\n", err);
		free(err);
	}
	free(prompt);
	return got;
}

struct measured {
	bool ok;
	double value;
};

/* Runs the demo with a question's parameters and --json; returns its stdout
 * (a new string), or NULL with *rc set after printing why. */
static char *measure(const struct demo *dm, const char *path, const struct demo_predict *q, double limit,
                     int *rc)
{
	struct given *g = xcalloc(q->nrun + 1, sizeof *g);
	size_t ng = 0;
	for (size_t k = 0; k < q->nrun; k++) {
		const struct demo_param *pm = find_param(dm, q->run_keys[k], strlen(q->run_keys[k]));
		if (pm) {
			g[ng].p = pm;
			g[ng++].value = q->run_values[k];
		}
	}
	char **argv = build_argv(dm, g, ng, true);
	free(g);
	char *cmd = show_command(dm, argv);
	printf("$ %s\n", cmd);
	fflush(stdout);
	free(cmd);

	struct runner_opts ro;
	runner_opts_init(&ro);
	ro.timeout_s = limit;
	ro.capture_stdout = true;
	struct runner_result r;
	char *cause = NULL;
	char *text = NULL;
	if (runner_run(path, argv, &ro, &r, &cause) < 0) {
		fprintf(stderr, "error: demo '%s': %s\n", dm->id, cause);
		free(cause);
		*rc = 3;
	} else {
		struct buf how;
		buf_init(&how);
		describe_end(&how, &r, limit);
		if (r.timed_out || r.interrupted) {
			printf("demo %s: %s; predictions abandoned.\n", dm->id, how.data);
			*rc = r.status;
		} else if (r.status != 0) {
			fprintf(stderr, "error: demo '%s' failed (%s), so question '%s' cannot be graded\n", dm->id,
			        how.data, q->id);
			*rc = 3;
		} else {
			printf("  %.2f s wall, %.2f s CPU\n", r.wall_s, r.user_s + r.sys_s);
			text = buf_detach(&r.out);
		}
		buf_release(&how);
	}
	runner_result_release(&r);
	commands_free_argv(argv);
	return text;
}

/* Reads a question's figure from a run's JSON. Returns 0, or 3 after
 * printing why. */
static int grade_figure(const struct demo *dm, const struct demo_predict *q, const char *json,
                        struct measured *m)
{
	struct diag d;
	diag_init(&d);
	struct ydoc doc;
	memset(&doc, 0, sizeof doc);
	char *label = xasprintf("%s --json", dm->binary);
	int rc = 0;
	const char *why = NULL;
	if (ydoc_parse(&doc, label, json, strlen(json), &d) < 0) {
		fprintf(stderr, "error: demo '%s' printed no valid JSON%s%s\n", dm->id, d.n ? ": " : "",
		        d.n ? d.items[0].msg : "");
		rc = 3;
	} else {
		if (!doc.root || doc.root->kind != YNODE_MAP) {
			fprintf(stderr, "error: demo '%s' printed no JSON object\n", dm->id);
			rc = 3;
		} else if ((why = figure_at(doc.root, q->figure, &m->value)) != NULL) {
			fprintf(stderr, "error: figure '%s' of question '%s' %s\n", q->figure, q->id, why);
			rc = 3;
		} else {
			m->ok = true;
		}
		ydoc_release(&doc);
	}
	free(label);
	diag_release(&d);
	return rc;
}

/* Shows prediction question i and reads the learner's letter: its index,
 * or -1 at the end of input, -2 on Ctrl-C. */
static int ask_prediction(struct repl *rp, const struct demo_predict *q, size_t i, const struct render_opts *o)
{
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "\n%zu. ", i + 1);
	struct buf p;
	buf_init(&p);
	render_markdown(&p, q->prompt, 3, o);
	/* The first line's indent is taken by the number. */
	buf_puts(&b, p.data + (p.len >= 3 ? 3 : 0));
	buf_release(&p);
	for (size_t k = 0; k < q->nchoices; k++) {
		buf_printf(&b, "   %c) ", (int)('a' + k));
		buf_add_visible(&b, q->choices[k].text, strlen(q->choices[k].text), 0);
		buf_addc(&b, '\n');
	}
	fwrite(b.data, 1, b.len, stdout);
	fflush(stdout);
	buf_release(&b);
	return ask_letter(rp, q->nchoices);
}

/* Runs the demo once for each distinct run the questions ask for and
 * reads each question's figure from it. Returns 0, or the status to stop
 * with. */
static int measure_all(const struct demo *dm, const char *path, double limit, char **outs, struct measured *m)
{
	int rc = 0;
	printf("\nNow the measurement.\n");
	for (size_t i = 0; i < dm->npredict && !rc; i++) {
		const struct demo_predict *q = &dm->predict[i];
		size_t same = i;
		for (size_t k = 0; k < i; k++)
			if (same_run(q, &dm->predict[k])) {
				same = k;
				break;
			}
		if (same != i) {
			printf("question %zu: the same run as question %zu\n", i + 1, same + 1);
		} else {
			outs[i] = measure(dm, path, q, limit, &rc);
			if (rc)
				break;
		}
		rc = grade_figure(dm, q, outs[same], &m[i]);
	}
	return rc;
}

/* One question's result: the figure measured, the choice that holds, the
 * learner's. Returns whether the learner was right. */
static bool show_result(const struct demo_predict *q, size_t i, const struct measured *m, int answer,
                        const struct render_opts *o)
{
	int truth = -1;
	for (size_t k = 0; k < q->nchoices; k++)
		if (choice_holds(&q->choices[k], m->value)) {
			truth = (int)k;
			break;
		}
	bool ok = truth == answer;
	char fig[64];
	fmt_figure(fig, sizeof fig, m->value);
	char *figure = str_visible(q->figure);
	printf("%zu. %s = %s\n", i + 1, figure, fig);
	free(figure);
	if (truth >= 0) {
		char *t = str_visible(q->choices[truth].text);
		printf("   measured: %c) %s\n", 'a' + truth, t);
		free(t);
	} else {
		printf("   measured: none of the choices holds %s\n", fig);
	}
	struct buf verdict;
	buf_init(&verdict);
	render_styled(&verdict, ok ? STYLE_OK : STYLE_BAD, ok ? "right" : "wrong", 5, o);
	char *said = str_visible(q->choices[answer].text);
	printf("   you said %c) %s: %s\n", 'a' + answer, said, verdict.data);
	free(said);
	buf_release(&verdict);
	return ok;
}

/* Records the graded predictions as reviews of their cards, and says when
 * they come back. Returns 0, or 2 or 3 after printing why. */
static int record_predictions(struct ctx *x, const struct demo *dm, const int *answers, const bool *right,
                              const double *seconds)
{
	struct settings *set = ctx_settings(x);
	if (!set)
		return 2;
	struct session_env env;
	memset(&env, 0, sizeof env);
	env.cat = ctx_catalog(x);
	if (!(env.st = ctx_store(x)))
		return 3;
	fsrs_params_init(&env.params);
	env.params.desired_retention = set->desired_retention;
	env.params.enable_fuzz = set->fuzz && !x->no_fuzz;
	env.ro = ctx_render_opts(x);
	env.seed = x->seeded ? x->seed : (uint64_t)clock_now() ^ ((uint64_t)getpid() << 32);
	struct session_prediction *v = xcalloc(dm->npredict, sizeof *v);
	char (*letters)[2] = xcalloc(dm->npredict, sizeof *letters);
	for (size_t i = 0; i < dm->npredict; i++) {
		letters[i][0] = (char)('a' + answers[i]);
		v[i] = (struct session_prediction){
			.id = dm->predict[i].id,
			.topic = dm->topics.n ? dm->topics.v[0] : "",
			.answer = letters[i],
			.correct = right[i],
			.seconds = seconds[i],
		};
	}
	int rc = session_record_predictions(&env, v, dm->npredict);
	if (rc == 0) {
		int64_t first = v[0].due;
		for (size_t i = 1; i < dm->npredict; i++)
			first = v[i].due < first ? v[i].due : first;
		char wait[32];
		session_format_wait(wait, sizeof wait, first - clock_now());
		printf("Recorded as reviews: the first comes back in %s, when 'review' names this demo; "
		       "'undo' takes back the last.\n", wait);
	}
	free(letters);
	free(v);
	return rc;
}

static int demo_predict(struct ctx *x, const struct demo *dm)
{
	if (!dm->npredict) {
		fprintf(stderr, "error: demo '%s' has no predictions to make (try 'demo %s')\n", dm->id, dm->id);
		return 2;
	}
	double limit;
	if (time_limit(&limit) < 0 || ctx_now(NULL))
		return 2;
	struct render_opts o = ctx_render_opts(x);
	struct repl *rp = x->repl;
	bool own_repl = !rp;
	if (own_repl) {
		rp = repl_new(NULL, NULL, NULL);
		repl_install_sigint();
	}
	int *answers = xcalloc(dm->npredict, sizeof *answers);
	double *seconds = xcalloc(dm->npredict, sizeof *seconds);
	bool *right = xcalloc(dm->npredict, sizeof *right);
	struct measured *m = xcalloc(dm->npredict, sizeof *m);
	char **outs = xcalloc(dm->npredict, sizeof *outs);
	char *path = binary_path(x, dm);
	int rc = 0;

	char *title = str_visible(dm->title);
	printf("Predict, then run: %zu question%s on demo %s (%s).\n", dm->npredict, dm->npredict == 1 ? "" : "s",
	       dm->id, title);
	free(title);
	for (size_t i = 0; i < dm->npredict; i++) {
		double t0 = clock_mono();
		answers[i] = ask_prediction(rp, &dm->predict[i], i, &o);
		seconds[i] = clock_mono() - t0;
		if (answers[i] < 0) {
			printf("\nPredictions abandoned%s; nothing was run.\n",
			       answers[i] == -2 ? " (Ctrl-C)" : " (end of input)");
			rc = answers[i] == -2 ? RUNNER_STATUS_INTERRUPTED : 1;
			goto out;
		}
	}
	if ((rc = measure_all(dm, path, limit, outs, m)) != 0)
		goto out;
	size_t nright = 0;
	printf("\nResults:\n");
	for (size_t i = 0; i < dm->npredict; i++)
		nright += right[i] = show_result(&dm->predict[i], i, &m[i], answers[i], &o);
	printf("\n%zu of %zu prediction%s right.\n", nright, dm->npredict, dm->npredict == 1 ? "" : "s");
	fflush(stdout);
	if ((rc = record_predictions(x, dm, answers, right, seconds)) != 0)
		goto out;
	if (dm->watch) {
		struct buf b;
		buf_init(&b);
		buf_puts(&b, "To see why, run 'demo ");
		buf_puts(&b, dm->id);
		buf_puts(&b, "' and look at this:\n");
		render_markdown(&b, dm->watch, 2, &o);
		fwrite(b.data, 1, b.len, stdout);
		buf_release(&b);
	}
	rc = nright == dm->npredict ? 0 : 1;
out:
	fflush(stdout);
	free(path);
	for (size_t i = 0; i < dm->npredict; i++)
		free(outs[i]);
	free(outs);
	free(m);
	free(right);
	free(seconds);
	free(answers);
	if (own_repl)
		repl_free(rp);
	return rc;
}

/* ---- the command ---- */

static int cmd_demo(struct ctx *x, struct cmd_args *args)
{
	int argc = args->argc;
	char **argv = args->argv;
	if (argc == 1 || strcmp(argv[1], "list") == 0 || (strcmp(argv[1], "--json") == 0 && argc == 2))
		return demo_list(x, args);
	char e[ECHO_SIZE];
	if (argv[1][0] == '-') {
		fprintf(stderr, "error: expected a demo id before '%s'\n", str_echo(e, argv[1]));
		return cmd_usage(args);
	}
	struct catalog *c = ctx_catalog(x);
	if (!c)
		return 2;
	const struct demo *dm = catalog_demo(c, argv[1]);
	if (!dm) {
		const char *near = catalog_suggest_demo(c, argv[1]);
		if (near)
			fprintf(stderr, "error: unknown demo '%s' (did you mean '%s'?)\n", str_echo(e, argv[1]), near);
		else
			fprintf(stderr, "error: unknown demo '%s' (see 'demo list')\n", str_echo(e, argv[1]));
		return 2;
	}

	bool json = false, predict = false, help = false;
	struct given *g = xcalloc((size_t)argc + 1, sizeof *g);
	size_t ng = 0;
	int rc = 2;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--json") == 0) {
			json = true;
			continue;
		}
		if (strcmp(a, "--predict") == 0) {
			predict = true;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			help = true;
			continue;
		}
		if (a[0] != '-' || a[1] != '-' || !a[2]) {
			fprintf(stderr, "error: unexpected '%s' (parameters are --name value or --name=value)\n",
			        str_echo(e, a));
			goto out;
		}
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const struct demo_param *p = find_param(dm, name, len);
		if (!p) {
			char *nm = xstrndup(name, len);
			unknown_param(dm, nm);
			free(nm);
			goto out;
		}
		const char *value = eq ? eq + 1 : NULL;
		if (!value && p->type == PARAM_FLAG)
			value = "true";
		if (!value) {
			if (i + 1 >= argc) {
				fprintf(stderr, "error: demo '%s': '--%s' needs a value\n", dm->id, p->name);
				goto out;
			}
			value = argv[++i];
		}
		if (!add_given(dm, g, &ng, p, value))
			goto out;
	}
	if (help) {
		rc = demo_help(x, c, dm);
		goto out;
	}
	if (predict && (json || ng)) {
		fprintf(stderr, "error: --predict runs each question's own parameters; give it no others\n");
		goto out;
	}
	if (!binary_exists(x, dm)) {
		rc = missing_binary(x, dm);
		goto out;
	}
	rc = predict ? demo_predict(x, dm) : demo_run(x, c, dm, g, ng, json);
out:
	free(g);
	return rc;
}

/* demo ID: exactly the demo ids; after the id, its options and parameters. */
static enum cmd_complete_more complete_demo(const struct cmd_complete *c)
{
	if (c->npos == 1 && c->word[0] != '-')
		return cmd_complete_demos(c);
	struct catalog *cat = c->npos >= 2 ? ctx_catalog(c->x) : NULL;
	const struct demo *dm = cat ? catalog_demo(cat, c->pos[1]) : NULL;
	if (!dm || c->word[0] != '-')
		return COMPLETE_WORDS;
	static const char *const own[] = {"--json", "--predict", "--help"};
	for (size_t i = 0; i < ARRAY_SIZE(own); i++)
		c->add(c->state, own[i]);
	for (size_t i = 0; i < dm->nparams; i++) {
		char *p = xasprintf("--%s", dm->params[i].name);
		c->add(c->state, p);
		free(p);
	}
	return COMPLETE_WORDS;
}

/* The parameters of a demo come from its manifest, so demo parses its own
 * arguments. */
const struct command cmd_demo_row = {
	"demo", NULL, "demo [list | ID [--PARAM VALUE ...] [--json | --predict | --help]]",
	"run a live concept demo, or predict its result first (each prediction is recorded as a review)",
	cmd_demo, CMD_CATALOG | CMD_STORE_RW | CMD_RAW_ARGS, 0, -1, {{0}}, complete_demo,
};
