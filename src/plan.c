/*
 * plan: an interview's study plan from its results JSON (a JSON object is
 * valid YAML: ydoc reads it). See plan.h.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "diag.h"
#include "plan.h"
#include "store.h"
#include "util.h"
#include "ydoc.h"

/* The missed points counted per topic, for ranking the demos. */
struct topic_count {
	char *topic;
	size_t n;
};

struct work {
	struct plan *p;
	size_t capread;
	struct topic_count *tc;
	size_t ntc, captc;
};

static const char *str_of(const struct ynode *n)
{
	return n && n->kind == YNODE_SCALAR && !ynode_is_null(n) ? n->str : NULL;
}

static void count_topic(struct work *w, const char *topic)
{
	for (size_t i = 0; i < w->ntc; i++)
		if (strcmp(w->tc[i].topic, topic) == 0) {
			w->tc[i].n++;
			return;
		}
	GROW(w->tc, w->captc, w->ntc + 1);
	w->tc[w->ntc++] = (struct topic_count){xstrdup(topic), 1};
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* One missed point (or question) of topic, taught in section (NULL: the
 * whole lesson). */
static void add_read(struct work *w, const char *topic, const char *section, size_t len)
{
	char *t = xstrndup(topic, len ? len : strlen(topic));
	char *sec = section ? xstrdup(section) : NULL;
	count_topic(w, t);
	struct plan *p = w->p;
	for (size_t i = 0; i < p->nread; i++)
		if (strcmp(p->read[i].topic, t) == 0 && same(p->read[i].section, sec)) {
			p->read[i].points++;
			free(t);
			free(sec);
			return;
		}
	GROW(p->read, w->capread, p->nread + 1);
	p->read[p->nread++] = (struct plan_read){t, sec, 1};
}

bool plan_made_later(const struct ynode *fus, const char *question, const char *point)
{
	for (size_t i = 0; fus && fus->kind == YNODE_SEQ && i < fus->n; i++) {
		const struct ynode *f = fus->items[i];
		bool made = false;
		if (f->kind == YNODE_MAP && same(str_of(ynode_get(f, "question")), question) &&
		    same(str_of(ynode_get(f, "point")), point) && ynode_bool(ynode_get(f, "made"), &made) == 0 && made)
			return true;
	}
	return false;
}

/* One entry of "missed": each of its points not made later, in the
 * section beside it ("sections", TOPIC/ID or null), else the question's
 * lesson; a question without points counts once for its lesson. */
static void add_missed(struct work *w, const struct catalog *cat, const struct ynode *m, const struct ynode *fus)
{
	const char *qid = str_of(ynode_get(m, "question"));
	const struct question *q = qid ? catalog_question(cat, qid) : NULL;
	const char *topic = q && q->quiz ? q->quiz->topic : NULL;
	const struct ynode *pts = ynode_get(m, "points"), *secs = ynode_get(m, "sections");
	size_t np = pts && pts->kind == YNODE_SEQ ? pts->n : 0;
	for (size_t i = 0; i < np; i++) {
		if (plan_made_later(fus, qid, str_of(pts->items[i])))
			continue;
		const char *ref = secs && secs->kind == YNODE_SEQ && i < secs->n ? str_of(secs->items[i]) : NULL;
		const char *slash = ref ? strchr(ref, '/') : NULL;
		if (slash && slash > ref && slash[1])
			add_read(w, ref, slash + 1, (size_t)(slash - ref));
		else if (topic)
			add_read(w, topic, NULL, 0);
	}
	if (np == 0 && topic)
		add_read(w, topic, NULL, 0);
}

static int cmp_read(const void *a, const void *b)
{
	const struct plan_read *x = a, *y = b;
	return x->points != y->points ? (x->points > y->points ? -1 : 1) : 0;
}

/* The demos covering the most missed points' topics, ties in manifest
 * order; only those covering any. */
static void rank_demos(struct work *w, const struct catalog *cat)
{
	struct plan *p = w->p;
	for (size_t i = 0; i < catalog_ndemos(cat); i++) {
		const struct demo *d = catalog_demo_at(cat, i);
		size_t covers = 0;
		for (size_t t = 0; t < d->topics.n; t++)
			for (size_t k = 0; k < w->ntc; k++)
				if (strcmp(d->topics.v[t], w->tc[k].topic) == 0)
					covers += w->tc[k].n;
		if (covers == 0 || d->reference)
			continue;
		size_t at = p->ndemos;
		while (at > 0 && p->demos[at - 1].covers < covers)
			at--;
		if (at >= PLAN_DEMOS)
			continue;
		size_t last = p->ndemos < PLAN_DEMOS ? p->ndemos : PLAN_DEMOS - 1;
		memmove(p->demos + at + 1, p->demos + at, (last - at) * sizeof *p->demos);
		p->demos[at] = (struct plan_demo){d->id, covers};
		if (p->ndemos < PLAN_DEMOS)
			p->ndemos++;
	}
}

struct due_walk {
	const struct catalog *cat;
	int64_t now, n;
};

static int count_due(void *ud, const char *id, const char *topic, const struct store_card *c)
{
	(void)topic;
	struct due_walk *w = ud;
	const struct question *q = catalog_question(w->cat, id);
	if (q && (c->fsrs.due <= w->now || q->revised > c->revision))
		w->n++;
	return 0;
}

int plan_from_results(const struct catalog *cat, const char *results, int64_t now, struct store *st,
		struct plan *out, char **err)
{
	memset(out, 0, sizeof *out);
	struct ydoc doc;
	struct diag d;
	diag_init(&d);
	int rc = results ? ydoc_parse(&doc, "results", results, strlen(results), &d) : -1;
	diag_release(&d);
	if (rc < 0 || !doc.root || doc.root->kind != YNODE_MAP) {
		if (rc == 0)
			ydoc_release(&doc);
		*err = xstrdup("the interview's results are not a results object");
		return -1;
	}
	struct work w = {.p = out};
	const struct ynode *missed = ynode_get(doc.root, "missed"), *fus = ynode_get(doc.root, "follow_ups");
	for (size_t i = 0; missed && missed->kind == YNODE_SEQ && i < missed->n; i++)
		if (missed->items[i]->kind == YNODE_MAP)
			add_missed(&w, cat, missed->items[i], fus);
	/* Stable: most points first, ties in the order missed. */
	for (size_t i = 1; i < out->nread; i++)
		for (size_t k = i; k > 0 && cmp_read(&out->read[k - 1], &out->read[k]) > 0; k--) {
			struct plan_read t = out->read[k];
			out->read[k] = out->read[k - 1];
			out->read[k - 1] = t;
		}
	rank_demos(&w, cat);
	for (size_t i = 0; i < w.ntc; i++)
		free(w.tc[i].topic);
	free(w.tc);
	ydoc_release(&doc);
	struct due_walk dw = {cat, now, 0};
	if (store_each_card(st, NULL, count_due, &dw, err) < 0) {
		plan_release(out);
		return -1;
	}
	out->due = dw.n;
	return 0;
}

void plan_release(struct plan *p)
{
	for (size_t i = 0; p && i < p->nread; i++) {
		free(p->read[i].topic);
		free(p->read[i].section);
	}
	if (p)
		free(p->read);
	if (p)
		memset(p, 0, sizeof *p);
}
