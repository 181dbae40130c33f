/*
 * settings: config.yaml read through ydoc, each key checked against its
 * range.
 */
#include "settings.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "ydoc.h"

void settings_init(struct settings *s)
{
	s->desired_retention = 0.9;
	s->new_cards_per_day = 10;
	s->interview_minutes = 20;
	s->fuzz = true;
}

static const char *shown(const struct ynode *v)
{
	return v->kind == YNODE_SCALAR ? v->str : ynode_kind_name(v);
}

/* A number may be written quoted ("0.9") as well as plain: both mean the
 * same to whoever edits the file. Returns v, or a plain copy in *tmp (not
 * for " 0.9", which the number parsers would take though "0.9 " is refused). */
static const struct ynode *unquoted(const struct ynode *v, struct ynode *tmp)
{
	if (v->kind != YNODE_SCALAR || v->plain || isspace((unsigned char)v->str[0]))
		return v;
	*tmp = *v;
	tmp->plain = true;
	return tmp;
}

static void set_key(struct settings *s, const struct ynode *k, const struct ynode *v, struct diag *d)
{
	double x;
	long n;
	bool b;
	struct ynode tmp;
	const struct ynode *num = unquoted(v, &tmp);
	if (strcmp(k->str, "desired_retention") == 0) {
		if (ynode_double(num, &x) < 0 || !(x >= 0.7 && x <= 0.99))
			diag_add(d, v->file, v->line, v->col,
			         "'desired_retention' must be a number from 0.7 to 0.99, not '%s'", shown(v));
		else
			s->desired_retention = x;
	} else if (strcmp(k->str, "new_cards_per_day") == 0) {
		if (ynode_long(num, &n) < 0 || n < 0 || n > 1000)
			diag_add(d, v->file, v->line, v->col,
			         "'new_cards_per_day' must be a whole number from 0 to 1000, not '%s'", shown(v));
		else
			s->new_cards_per_day = (int)n;
	} else if (strcmp(k->str, "interview_minutes") == 0) {
		if (ynode_double(num, &x) < 0 || !(x > 0 && x <= 600))
			diag_add(d, v->file, v->line, v->col,
			         "'interview_minutes' must be a number above 0 and at most 600, not '%s'", shown(v));
		else
			s->interview_minutes = x;
	} else if (strcmp(k->str, "fuzz") == 0) {
		if (ynode_bool(v, &b) < 0)
			diag_add(d, v->file, v->line, v->col, "'fuzz' must be true or false, not '%s'", shown(v));
		else
			s->fuzz = b;
	} else {
		diag_add(d, k->file, k->line, k->col,
		         "unknown key '%s' (known: desired_retention, new_cards_per_day, interview_minutes, fuzz)",
		         k->str);
	}
}

int settings_load(struct settings *s, const char *path, struct diag *d)
{
	size_t before = d->n;
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	struct ydoc doc;
	if (ydoc_load_file(&doc, path, d) < 0)
		return -1;
	const struct ynode *root = doc.root;
	if (root && !ynode_is_null(root)) {
		if (root->kind != YNODE_MAP) {
			diag_add(d, root->file, root->line, root->col, "settings must be a mapping of keys to values, not %s",
			         ynode_kind_name(root));
		} else {
			for (size_t i = 0; i + 1 < root->n; i += 2) {
				const struct ynode *k = root->items[i], *v = root->items[i + 1];
				if (k->kind != YNODE_SCALAR)
					diag_add(d, k->file, k->line, k->col, "a key must be a plain name");
				else
					set_key(s, k, v, d);
			}
		}
	}
	ydoc_release(&doc);
	return d->n > before ? -1 : 0;
}
