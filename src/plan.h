/*
 * plan: the study plan that ends an interview, worked out from the
 * interview's results (the JSON a session stores in sessions.results, so
 * that a report of an interview saved earlier can show it too): the
 * sections to read, from the sections of the key points missed; the demos
 * to run, at most PLAN_DEMOS, those covering the most missed points' topics
 * first (the demo manifest's topics); and how many cards are due now.
 *
 * It does not print. Strings in a plan are new (plan_release frees them)
 * except the demo ids, borrowed from the catalog.
 */
#ifndef PYDOJO_PLAN_H
#define PYDOJO_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct catalog;
struct store;

#define PLAN_DEMOS 3

/* A section to read: `learn TOPIC SECTION`, or the whole lesson when
 * section is NULL (a missed point that names no section, or a question
 * missed that has no key points). */
struct plan_read {
	char *topic, *section;
	size_t points;            /* missed points (or questions) it teaches */
};

struct plan_demo {
	const char *id;           /* borrowed from the catalog */
	size_t covers;            /* missed points (or questions) of its topics */
};

struct plan {
	struct plan_read *read;   /* most points first, then in the order missed */
	size_t nread;
	struct plan_demo demos[PLAN_DEMOS];
	size_t ndemos;
	int64_t due;              /* cards of the catalog due at now */
};

/* Works out the plan of results (a results JSON object; the points of its
 * "missed" list, less those a follow-up then made, per its "follow_ups"),
 * counting the due cards of st at now. Returns 0 and fills *out, or -1 with
 * *err set (a new string) when results is not a results object or the
 * store fails. */
int plan_from_results(const struct catalog *cat, const char *results, int64_t now, struct store *st,
		struct plan *out, char **err);
void plan_release(struct plan *p);

struct ynode;
/* Whether, by the "follow_ups" list fus of a results object (or NULL), a
 * follow-up on point of question made it after all. */
bool plan_made_later(const struct ynode *fus, const char *question, const char *point);

#endif
