/*
 * catalog: lessons, quizzes and the demo manifest as typed structs, built from
 * the YAML node tree, validated and cross-referenced. Every fault found is
 * added to a struct diag at the offending node, and loading goes on, so one
 * run reports every error of the whole catalog.
 *
 * It does not render, grade answers or run demos; it only knows the format.
 *
 * Ownership: the catalog owns every struct and string reachable from it
 * (strings point into the parsed YAML documents it keeps). Everything
 * returned by catalog_* is borrowed and lives until catalog_free().
 */
#ifndef PYDOJO_CATALOG_H
#define PYDOJO_CATALOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "diag.h"

struct ynode;
struct regex;

/* A position in content: the node's file, line and column. */
struct pos {
	const char *file;
	int line, col;
};

struct strlist {
	const char **v;
	struct pos *pos;
	size_t n;
};

/* What an example may declare it needs (`needs:`), a closed list, sorted:
 * a framework or library of the system's Python, or a service the content
 * tests start for it (redis). */
extern const char *const catalog_needs[];
extern const size_t catalog_nneeds;

struct code_example {
	const char *lang;     /* "python" when not given */
	const char *source;
	const char *output;   /* NULL when not given */
	const char *python;   /* version requirement such as ">=3.12", or NULL */
	struct strlist needs; /* what it runs against (catalog_needs), or empty */
	struct pos pos, output_pos;
};

struct section {
	const char *id;       /* [a-z0-9-]+, unique in its lesson; NULL when not given */
	const char *title;
	const char *body;     /* Markdown, or NULL */
	struct code_example *code; /* or NULL */
	struct pos pos, id_pos;
};

struct lesson {
	const char *id, *title, *track, *level, *summary;
	struct section *sections;
	size_t nsections;
	struct strlist requires, see_also, demos;
	struct quiz *quiz;    /* NULL when the topic has no quiz */
	struct pos pos;
	bool reference;       /* loaded only to resolve references, not checked */
	unsigned root;        /* which root it came from, in the order added (0: the first) */
};

/* Q_CODE, a code exercise, is checked and loaded but never asked by a
 * quiz, a review or an interview: they cannot run code. */
enum qtype { Q_CHOICE, Q_MULTI, Q_TRUEFALSE, Q_ORDER, Q_OUTPUT, Q_TEXT, Q_CODE, Q_NTYPES };
extern const char *const qtype_names[Q_NTYPES];

/* The patterns of a rubric point, for catalog_rubric_regex. */
enum rubric_role {
	RUBRIC_CLAIM,        /* says (or the legacy pattern) */
	RUBRIC_REJECT,
	RUBRIC_ABOUT,
	RUBRIC_NOT_ABOUT,
	RUBRIC_CODE,
	/* The entries of its terms that state a negation themselves ("no
	 * longer reachable"): a negator inside one belongs to the entry, and
	 * negates nothing. */
	RUBRIC_OWN_NEGATION,
	RUBRIC_NROLES,
};

/* A key point. A legacy point has a plain regex 'pattern' (and 'reject')
 * matched on the whole normalised answer; a point in the rubric language
 * has 'says' (and 'about', 'not_about', 'reject', with @terms and " .. ",
 * matched per clause and sentence, negation-aware); either may add 'code',
 * a plain regex on the raw answer, and a point may have only 'code'. */
/* A part of a text question's rejects (grade.c): the top-level
 * alternatives of its points' rejects that the same points say and that
 * hold the same needles (needle.h). */
struct reject_part {
	struct regex *re;  /* compiled from src when first run (grade_reject_part) */
	char *src;         /* its pattern, until compiled */
	char *needles;     /* NULL: it runs on every answer */
	char *needles2;    /* a second set the answer must hold one of too, or NULL */
	uint32_t points;   /* bit i: the reject of rubric point i holds it */
	bool whole;        /* the whole reject of its one point, which is not separable */
};

struct rubric_point {
	const char *point, *pattern, *reject;
	const char *says, *about, *not_about, *code;   /* NULL when absent */
	const char *section;          /* the lesson section that teaches it, or NULL */
	const char *follow_up;        /* the interviewer's question when an answer misses it, or NULL */
	/* says, reject, about and not_about with their terms expanded (new
	 * strings, set by catalog_link; NULL for a legacy point). */
	char *expanded[RUBRIC_CODE];
	/* The pattern's own text holds a negator: use catalog_rubric_negative(). */
	bool negative[RUBRIC_CODE], negative_known;
	char *own_negation;           /* RUBRIC_OWN_NEGATION's source, or NULL (set with expanded) */
	/* A point of a file served from the cache, or one whose compiling
	 * `check` defers (catalog_defer_compile), keeps its vocabulary here
	 * until it is expanded and compiled. */
	struct terms *terms;
	bool term_exact[RUBRIC_CODE], term_plain[RUBRIC_CODE];   /* for an unknown term's column */
	/* Use catalog_rubric_regex(): a catalog served from the cache compiles
	 * a point's patterns when it is first graded. */
	struct regex *re, *reject_re;   /* NULL when not compiled (yet), or it does not compile */
	struct regex *about_re, *not_about_re, *code_re, *own_negation_re;
	/* needle.h: of its claim and its reject pattern, each read when
	 * grading first asks (needles_known); NULL: none. needles2: the
	 * second set a text must hold one of too, or NULL. */
	char *needles[2], *needles2[2];
	bool needles_known[2];
	bool compiled;
	bool broken;                  /* a pattern of it does not expand or compile (reported) */
	struct pos pos, pattern_pos, reject_pos, says_pos, about_pos, not_about_pos, code_pos, section_pos;
	/* A wrong claim bound to a subject (wrong, wrong_about and
	 * wrong_not_about): a point of its own, owned by this one, whose
	 * says, about and not_about they are; when it is found, this point
	 * is not. NULL when the point has none. */
	struct rubric_point *wrong;
	/* This point is another's wrong claim: its keys are named wrong,
	 * wrong_about and wrong_not_about, and an answer that names neither
	 * of its subjects anywhere does not say it. */
	bool is_wrong;
	/* fails_answer: when its reject fires or its wrong claim is found
	 * anywhere in an answer, the answer is wrong however many points it
	 * makes (this point's claim found or not). */
	bool fails_answer;
};

/* A test of a code question: Python that imports the learner's module
 * (`solution`) and checks it with asserts or unittest. */
struct code_test {
	const char *name;            /* unique in its question, shown to the learner */
	const char *code;
	struct pos pos, name_pos, code_pos;
};

/* A plausible flawed solution of a code question, and the test it fails. */
struct code_wrong {
	const char *code;
	const char *fails;           /* the name of that test, as written */
	size_t test;                 /* its index in the question's tests; valid
	                              * only when fails names one (else SIZE_MAX) */
	const char *why;             /* or NULL */
	struct pos pos, code_pos, fails_pos;
};

struct question {
	const char *id;
	enum qtype type;
	const char *prompt;          /* output: "What does this print?" when absent */
	const char *explain;         /* or NULL */
	struct strlist hints, tags;
	struct strlist choices;      /* choice, multi, in the order written */
	bool *pinned;                /* choice, multi: pinned[i] keeps choice i in its
	                              * place when the choices are shown shuffled
	                              * (`pin: true`); NULL when none is pinned */
	struct strlist items;        /* order, in the right order */
	long answer;                 /* choice: index */
	bool answer_bool;            /* truefalse */
	long *answers;               /* multi: sorted indexes */
	size_t nanswers;
	const char *code;            /* output */
	const char *expected;        /* output: the exact stdout */
	const char *python;          /* output: version requirement or NULL */
	struct strlist needs;        /* output: what it runs against (catalog_needs) */
	const char *starter;         /* code: the learner's file as it starts */
	const char *solution;        /* code: the reference, passes every test */
	struct code_test *tests;     /* code: at least one */
	size_t ntests;
	struct code_wrong *wrong;    /* code: or NULL */
	size_t nwrong;
	int python_minor;            /* code: the N of `python: "3.N"`, or 0 */
	double timeout;              /* code: seconds, 10 when not given */
	const char *see;             /* code: the section it practises (ID or TOPIC/ID), or NULL */
	struct rubric_point *rubric; /* text */
	size_t nrubric;
	size_t pass;                 /* text: points needed */
	/* text: its points' rejects split into parts (grade.c splits them
	 * when first graded; none when a reject is not separable). */
	struct reject_part *reject_part;
	size_t nreject_part;
	bool rejects_split;
	const char *model_answer;
	struct strlist ex_pass, ex_fail;
	int revised;                 /* `revised: N` (>= 1) when its right answer changed; 0: never */
	const char *revised_note;    /* what changed, or NULL */
	const struct quiz *quiz;
	struct pos pos, code_pos, model_pos, explain_pos, starter_pos, solution_pos, see_pos;
};

struct quiz {
	const char *topic;
	struct question *questions;
	size_t n;
	struct lesson *lesson;
	struct pos pos;
	bool reference;
};

enum param_type { PARAM_INT, PARAM_FLOAT, PARAM_ENUM, PARAM_FLAG };

struct demo_param {
	const char *name, *help;
	enum param_type type;
	bool has_min, has_max;
	double min, max;
	struct strlist values;       /* enum */
	const char *def;             /* default as text, or NULL */
	struct pos pos;
};

struct predict_choice {
	const char *text;
	bool has_min, has_max;
	double min, max;
};

struct demo_predict {
	const char *id, *prompt, *figure;
	const char **run_keys, **run_values;
	size_t nrun;
	struct predict_choice *choices;
	size_t nchoices;
	struct pos pos;
};

struct demo {
	const char *id, *title, *summary, *binary, *watch;
	struct strlist topics;
	struct demo_param *params;
	size_t nparams;
	struct demo_predict *predict;
	size_t npredict;
	struct pos pos;
	bool reference;
};

struct catalog;

struct catalog *catalog_new(void);
void catalog_free(struct catalog *c);

/* Loads a content root: DIR/terms.yaml, DIR/lessons/ *.yaml,
 * DIR/quizzes/ *.yaml and, when present, DIR/demos/demos.yaml. The terms of
 * the first root added are the shared vocabulary; a later root's terms.yaml
 * extends it for that root's own questions only (see terms.h). A missing lessons/ or quizzes/ folder is
 * fine, but not both; one that cannot be read is an error. When reference is set, the
 * content only resolves references and its own faults are not reported. */
int catalog_add_root(struct catalog *c, const char *dir, bool reference, struct diag *d);
/* Loads one file: a lesson, a quiz, a demo manifest or a terms file, told
 * apart by its folder (lessons/, quizzes/, demos/), its name (terms.yaml)
 * or else by its shape. A file already loaded (same real path) is skipped.
 * A quiz's @terms resolve in the terms.yaml beside its quizzes/ folder,
 * when there is one, over the shared vocabulary. */
int catalog_add_file(struct catalog *c, const char *path, struct diag *d);
/* Call before the first add: the file at path is not loaded, as if it
 * were not there (a broken file of the user's own content left out so
 * that the rest loads). Files are told apart by identity, so any spelling
 * of the path will do. A path that cannot be read is ignored. */
void catalog_skip_file(struct catalog *c, const char *path);
/* By default checked content shadows reference content with the same id:
 * an edited copy of a shipped file is checked in place of the shipped one
 * (`check FILE`). After this call the two clash instead, as a --content
 * folder's content clashes with the shipped content: a duplicate id is
 * reported at the checked item (`check DIR`). */
void catalog_keep_reference(struct catalog *c);
/* Cross-references everything loaded: duplicate ids, dangling references,
 * requires cycles, unknown @terms and term cycles, quizzes without a lesson,
 * rubric patterns that do not compile. Call once, after the last add; the
 * look-ups below answer only after it. It grades nothing: whether model
 * answers and rubric examples grade as declared is rubric_check's question.
 * Returns 0 when d gained no error. With a cache (catalog_use_cache) and no
 * error in d at all, it saves the cache, unless compiling is deferred (the
 * rubrics are then checked after the link: the caller saves it). */
int catalog_link(struct catalog *c, struct diag *d);
/* Makes catalog_link expand the rubric language's patterns but compile
 * none: a caller that checks a question compiles its points
 * (catalog_compile_point), and one that skips a question (rubric_check,
 * for a question verified before) never pays for them. */
void catalog_defer_compile(struct catalog *c, bool defer);
/* Compiles the expanded patterns of a point that catalog_link left
 * uncompiled, reporting each that does not compile at its key. */
void catalog_compile_point(struct rubric_point *p, struct diag *d);
/* Call before the first add: files that have not changed since a clean
 * load are served from the cache file at path (see ycache.h) instead of
 * being parsed again, and their rubric patterns compile on first use.
 * Every error is still found and reported: only files that loaded without
 * one are cached, and everything else (typing, cross-references) runs on
 * every load. */
void catalog_use_cache(struct catalog *c, const char *path);
/* Writes the cache, when there is one and anything in it changed: for a
 * caller that deferred compiling, once the rubrics passed too. */
void catalog_save_cache(struct catalog *c);
/* The compiled pattern of a rubric point in a role (RUBRIC_REJECT: its
 * reject pattern), compiling the point's patterns on first use; NULL when
 * there is none or it does not compile. */
struct regex *catalog_rubric_regex(const struct rubric_point *p, enum rubric_role role);

/* Whether the pattern of a role (says, reject, about or not_about) holds
 * a negator in its own text, found on first use: only grading asks. */
bool catalog_rubric_negative(const struct rubric_point *p, enum rubric_role role);

/* Frees what grading built and keeps in q (its reject parts, its points'
 * needles: grade.c): the catalog does when it frees q, and so does whoever
 * builds a question of their own to grade. */
void catalog_drop_grading(struct question *q);

/* The index of the section of ls with the given id, or -1. */
int catalog_section_index(const struct lesson *ls, const char *id);
/* The arguments of the `learn` command that opens the section teaching
 * rubric point p of question q ("gil release-on-io"): a new string the
 * caller frees, or NULL when the point names no section. */
char *catalog_point_section(const struct question *q, const struct rubric_point *p);

size_t catalog_nlessons(const struct catalog *c);
struct lesson *catalog_lesson_at(const struct catalog *c, size_t i);  /* sorted by track, then id */
struct lesson *catalog_lesson(const struct catalog *c, const char *id);
size_t catalog_ndemos(const struct catalog *c);
struct demo *catalog_demo_at(const struct catalog *c, size_t i);
struct demo *catalog_demo(const struct catalog *c, const char *id);
const struct question *catalog_question(const struct catalog *c, const char *id);
/* Every question of every non-reference quiz, in catalog order. */
size_t catalog_nquestions(const struct catalog *c);
const struct question *catalog_question_at(const struct catalog *c, size_t i);
/* Every quiz, reference content's included, in load order. */
size_t catalog_nquizzes(const struct catalog *c);
struct quiz *catalog_quiz_at(const struct catalog *c, size_t i);

/* The closest id among topics (demos, questions) to a misspelt one, or
 * NULL; a transposition of two characters counts as one edit. */
const char *catalog_suggest_topic(const struct catalog *c, const char *id);
const char *catalog_suggest_question(const struct catalog *c, const char *id);
const char *catalog_suggest_demo(const struct catalog *c, const char *id);

struct catalog_counts {
	size_t topics, sections, examples, questions, demos;
	size_t by_type[Q_NTYPES];
	size_t rubric_examples;
};
void catalog_count(const struct catalog *c, const struct lesson *only, struct catalog_counts *out);

/* Adds to w a warning for each choice or multi question (of the content
 * checked, not the reference) that leans on the order its choices are
 * written in, which the learner never sees (they are shown shuffled): an
 * explanation naming a position ("the last choice", "option b", "answer
 * (c)", "the first one"), at the explanation; and a choice speaking of the
 * others' place ("all of the above") that is not pinned, at the choice.
 * These are warnings, not faults: nothing stops such content loading. */
void catalog_warn_positions(const struct catalog *c, struct diag *w);

#endif
