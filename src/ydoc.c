/*
 * ydoc: the one place that includes <yaml.h>. Builds the node tree from
 * libyaml's event stream with an explicit stack (no recursion, so depth is a
 * counted limit and not a stack overflow).
 */
#include "ydoc.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util.h"

/* Nodes and strings of one document come from two chunked arenas: one free
 * for each, and far fewer malloc calls than one per node. They are separate
 * so the tree can be dropped once it has been read (ydoc_drop_tree) while
 * the strings stay for whoever borrowed them. */
struct yarena {
	struct yarena *next;
	size_t used, cap;
	_Alignas(max_align_t) unsigned char mem[];
};

#define CHUNK 60000

/* Node chunks of dropped trees, kept for the next document this thread
 * parses. Handing them back to malloc would not do: between two files the
 * catalog's own small allocations split the freed chunks, so every file's
 * tree would land on fresh pages and pay a page fault for each. */
static _Thread_local struct yarena *spare;
static _Thread_local size_t nspare;
#define MAX_SPARE 32   /* about 2 MiB */

/* n bytes aligned to align (a power of two). A new chunk holds at least
 * size bytes; only node arenas (reuse) take spare chunks, since strings
 * stay with their document. */
static void *arena_alloc(struct yarena **a, size_t n, size_t align, size_t size, bool reuse)
{
	if (*a)
		(*a)->used = ((*a)->used + align - 1) & ~(align - 1);
	if (!*a || (*a)->used + n > (*a)->cap) {
		struct yarena *c;
		if (reuse && spare && n <= spare->cap) {
			c = spare;
			spare = c->next;
			nspare--;
		} else {
			size_t cap = n > size ? n : size;
			c = xmalloc(sizeof *c + cap);
			c->cap = cap;
		}
		c->next = *a;
		c->used = 0;
		*a = c;
	}
	void *p = (*a)->mem + (*a)->used;
	(*a)->used += n;
	return p;
}

static void *node_alloc(struct ydoc *doc, size_t n)
{
	return arena_alloc(&doc->arena, n, _Alignof(struct ynode), CHUNK, true);
}

/* The strings of a file rarely add up to more than its length (indentation,
 * quotes and keys' syntax fall away), so the first chunk is sized to it. */
static char *text_alloc(struct ydoc *doc, size_t n, size_t file_len)
{
	return arena_alloc(&doc->text, n, 1, doc->text ? CHUNK : file_len + 1, false);
}

static void arena_free(struct yarena *a)
{
	while (a) {
		struct yarena *next = a->next;
		free(a);
		a = next;
	}
}

/* Frees a node arena, keeping standard-size chunks as spares. */
static void arena_recycle(struct yarena *a)
{
	while (a) {
		struct yarena *next = a->next;
		if (a->cap == CHUNK && nspare < MAX_SPARE) {
			a->next = spare;
			spare = a;
			nspare++;
		} else {
			free(a);
		}
		a = next;
	}
}

void ydoc_trim(void)
{
	arena_free(spare);
	spare = NULL;
	nspare = 0;
}

/* An open collection. Its children so far are kids[first..nkids) of the
 * parse's one child stack, copied into the arena when it closes. */
struct frame {
	struct ynode *node;
	size_t first;
};

/* Translates a byte offset into a 1-based line and column (in code points). */
static void offset_pos(const char *data, size_t len, size_t off, int *line, int *col)
{
	int l = 1, c = 1;
	if (off > len)
		off = len;
	for (size_t i = 0; i < off; i++) {
		unsigned char ch = (unsigned char)data[i];
		if (ch == '\n') {
			l++;
			c = 1;
		} else if ((ch & 0xc0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

static struct ynode *new_node(struct ydoc *doc, enum ynode_kind kind, const yaml_mark_t *m)
{
	struct ynode *n = node_alloc(doc, sizeof *n);
	memset(n, 0, sizeof *n);
	n->kind = kind;
	n->line = (int)m->line + 1;
	n->col = (int)m->column + 1;
	n->file = doc->file;
	return n;
}

static void check_duplicates(const struct ynode *map, struct diag *d)
{
	/* Maps in content are small; a quadratic scan beats hashing here. */
	for (size_t i = 1; i < map->n / 2; i++) {
		const struct ynode *k = map->items[2 * i];
		if (k->kind != YNODE_SCALAR)
			continue;
		for (size_t j = 0; j < i; j++) {
			const struct ynode *p = map->items[2 * j];
			if (p->kind == YNODE_SCALAR && p->len == k->len &&
			    memcmp(p->str, k->str, k->len) == 0) {
				diag_add(d, k->file, k->line, k->col,
				         "duplicate key '%s' (first at line %d)", k->str, p->line);
				break;
			}
		}
	}
}

/* The first control character of a scalar's text that content may not hold
 * (C0 but tab, newline and the CR of a CRLF; DEL; C1): its code point and byte
 * offset, or -1. A NUL has its own error. */
static long first_control(const char *s, size_t n, unsigned *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n; i++) {
		unsigned c = p[i];
		if (c == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f)
			c = p[i + 1];
		else if (c == 0 || c == '\t' || c == '\n' || (c == '\r' && i + 1 < n && p[i + 1] == '\n') ||
		         (c > 0x1f && c != 0x7f))
			continue;
		*cp = c;
		return (long)i;
	}
	return -1;
}

/* The offset of the escape in a double-quoted scalar's source src[0..n) that
 * stands for code point cp after skip earlier ones, or -1. libyaml refuses raw control characters
 * (but tab, line breaks and NEL, which it reads as a line break), so in
 * content they can only come from escapes. */
static long find_escape(const char *src, size_t n, unsigned cp, size_t skip)
{
	static const char single[] = "0\0a\ab\bt\tn\nv\vf\fr\re\033";
	for (size_t i = 0; i + 1 < n; i++) {
		if (src[i] != '\\')
			continue;
		char c = src[i + 1];
		unsigned v = 0x100000;
		size_t digits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
		if (digits && i + 2 + digits <= n) {
			char hex[9];
			memcpy(hex, src + i + 2, digits);
			hex[digits] = '\0';
			v = (unsigned)strtoul(hex, NULL, 16);
		} else if (c == 'N') {
			v = 0x85;
		} else {
			for (size_t k = 0; single[k]; k += 2)
				if (single[k] == c)
					v = (unsigned char)single[k + 1];
		}
		if (v == cp && skip-- == 0)
			return (long)i;
		i++;   /* past the escaped character: "\\" is one backslash */
	}
	return -1;
}

/* Content is data: a control character in text could drive the terminal it
 * is shown on (set its title, write the clipboard, type a reply into
 * pydojo's input). Reported at the escape that wrote it. */
static void check_controls(struct ydoc *doc, const struct ynode *node, const yaml_event_t *ev,
                           const char *data, size_t len, struct diag *d)
{
	unsigned cp;
	long at = first_control(node->str, node->len, &cp);
	if (at < 0)
		return;
	int line = node->line, col = node->col;
	size_t start = ev->start_mark.index, end = ev->end_mark.index;
	if (ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE && start < end && end <= len) {
		/* Earlier ones were allowed (the CR of a CRLF). */
		size_t skip = 0;
		for (long i = 0; i < at; i++)
			skip += (unsigned char)node->str[i] == (cp >= 0x80 ? 0xc2 : cp) &&
			        (cp < 0x80 || (unsigned char)node->str[i + 1] == cp);
		long esc = find_escape(data + start, end - start, cp, skip);
		if (esc >= 0)
			offset_pos(data, len, start + (size_t)esc, &line, &col);
	}
	char ch[3] = {(char)cp, 0, 0};
	if (cp >= 0x80)
		ch[0] = (char)0xc2, ch[1] = (char)cp;
	char *shown = str_visible(ch);
	diag_add(d, doc->file, line, col, "a control character (%s) in a string (content may hold no terminal controls)",
	         shown);
	free(shown);
}

static void syntax_error(struct ydoc *doc, yaml_parser_t *p, const char *data, size_t len,
                         struct diag *d)
{
	int line = (int)p->problem_mark.line + 1, col = (int)p->problem_mark.column + 1;
	const char *problem = p->problem ? p->problem : "syntax error";
	if (p->error == YAML_READER_ERROR) {
		offset_pos(data, len, p->problem_offset, &line, &col);
		diag_add(d, doc->file, line, col, "yaml: %s", problem);
	} else if (p->context) {
		diag_add(d, doc->file, line, col, "yaml: %s %s (at line %d, column %d)", problem,
		         p->context, (int)p->context_mark.line + 1, (int)p->context_mark.column + 1);
	} else {
		diag_add(d, doc->file, line, col, "yaml: %s", problem);
	}
}

/* The size limit, a byte-order mark (skipped: some editors write one, and
 * with the encoding set libyaml would take it for a character of line 1,
 * whose keys then sit one column right of the next line's; positions count
 * from after it, as the editor shows the text) and valid UTF-8. */
static int check_input(const char *file, const char **data, size_t *len, struct diag *d)
{
	if (*len > YAML_MAX_BYTES) {
		diag_add(d, file, 1, 1, "file is larger than the limit of %u MiB", YAML_MAX_BYTES >> 20);
		return -1;
	}
	size_t bom = *len >= 3 && memcmp(*data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	*data += bom;
	*len -= bom;
	size_t bad;
	if (!utf8_valid(*data, *len, &bad)) {
		int line, col;
		offset_pos(*data, *len, bad, &line, &col);
		diag_add(d, file, line, col, "invalid UTF-8 (byte 0x%02x at offset %zu)", (unsigned char)(*data)[bad],
		         bom + bad);
		return -1;
	}
	return 0;
}

/* The tree being built from libyaml's events. */
struct builder {
	struct ydoc *doc;
	const char *file, *data;
	size_t len;
	struct diag *d;
	struct frame stack[YAML_MAX_DEPTH + 1];
	size_t depth;
	struct ynode **kids;   /* the children of every open collection */
	size_t nkids, capkids;
	int docs;
	bool done, failed;
};

static void stop_at(struct builder *b, const yaml_event_t *ev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Reports an error at the event and ends the parse. */
static void stop_at(struct builder *b, const yaml_event_t *ev, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	diag_add(b->d, b->file, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1, "%s", msg);
	free(msg);
	b->failed = b->done = true;
}

static struct ynode *scalar_node(struct builder *b, yaml_event_t *ev)
{
	struct ynode *node = new_node(b->doc, YNODE_SCALAR, &ev->start_mark);
	node->len = ev->data.scalar.length;
	node->str = text_alloc(b->doc, node->len + 1, b->len);
	memcpy(node->str, ev->data.scalar.value, node->len);
	node->str[node->len] = '\0';
	node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	/* A "\0" escape: every reader of the tree takes strings as C strings,
	 * so one NUL would silently cut the text short. Only a double-quoted
	 * scalar can hold one: libyaml refuses a NUL byte in the input. */
	if (ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE && memchr(node->str, '\0', node->len))
		diag_add(b->d, b->file, node->line, node->col, "a NUL character (\\0) in a string");
	check_controls(b->doc, node, ev, b->data, b->len, b->d);
	return node;
}

static struct ynode *close_collection(struct builder *b)
{
	struct frame *f = &b->stack[--b->depth];
	struct ynode *node = f->node;
	node->n = b->nkids - f->first;
	node->items = node_alloc(b->doc, (node->n ? node->n : 1) * sizeof *node->items);
	if (node->n)
		memcpy(node->items, b->kids + f->first, node->n * sizeof *node->items);
	b->nkids = f->first;
	if (node->kind == YNODE_MAP)
		check_duplicates(node, b->d);
	return node;
}

/* Takes one event; returns the node it completes, if any. */
static struct ynode *on_event(struct builder *b, yaml_event_t *ev)
{
	const char *anchor = NULL;
	struct ynode *node = NULL;
	switch (ev->type) {
	case YAML_STREAM_END_EVENT:
		b->done = true;
		break;
	case YAML_DOCUMENT_START_EVENT:
		if (++b->docs > 1)
			stop_at(b, ev, "more than one YAML document in a file");
		break;
	case YAML_ALIAS_EVENT:
		stop_at(b, ev, "YAML aliases are not allowed ('*%s')", (const char *)ev->data.alias.anchor);
		break;
	case YAML_SCALAR_EVENT:
		anchor = (const char *)ev->data.scalar.anchor;
		node = scalar_node(b, ev);
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		anchor = ev->type == YAML_SEQUENCE_START_EVENT ? (const char *)ev->data.sequence_start.anchor
		                                               : (const char *)ev->data.mapping_start.anchor;
		if (anchor)
			break;
		if (b->depth == YAML_MAX_DEPTH) {
			stop_at(b, ev, "nesting deeper than %d levels", YAML_MAX_DEPTH);
			break;
		}
		b->stack[b->depth].node =
			new_node(b->doc, ev->type == YAML_SEQUENCE_START_EVENT ? YNODE_SEQ : YNODE_MAP, &ev->start_mark);
		b->stack[b->depth].first = b->nkids;
		b->depth++;
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		node = close_collection(b);
		break;
	default:
		break;
	}
	if (anchor) {
		stop_at(b, ev, "YAML anchors are not allowed ('&%s')", anchor);
		node = NULL;
	}
	return node;
}

int ydoc_parse(struct ydoc *doc, const char *file, const char *data, size_t len, struct diag *d)
{
	memset(doc, 0, sizeof *doc);
	doc->file = xstrdup(file);
	if (check_input(file, &data, &len, d) < 0) {
		ydoc_release(doc);
		return -1;
	}
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser))
		abort();
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	struct builder *b = xcalloc(1, sizeof *b);
	*b = (struct builder){.doc = doc, .file = file, .data = data, .len = len, .d = d};
	while (!b->done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			syntax_error(doc, &parser, data, len, d);
			b->failed = true;
			break;
		}
		struct ynode *node = on_event(b, &ev);
		yaml_event_delete(&ev);
		if (!node)
			continue;
		if (b->depth == 0) {
			doc->root = node;
		} else {
			GROW(b->kids, b->capkids, b->nkids + 1);
			b->kids[b->nkids++] = node;
		}
	}
	bool failed = b->failed;
	free(b->kids);
	free(b);
	yaml_parser_delete(&parser);
	/* Duplicate keys are reported but keep the tree, so the catalog can
	 * still report the file's other faults in the same run. */
	if (failed) {
		ydoc_release(doc);
		return -1;
	}
	return 0;
}

int ydoc_load_file(struct ydoc *doc, const char *path, struct diag *d)
{
	char *data;
	size_t len;
	memset(doc, 0, sizeof *doc);
	if (read_file_limit(path, YAML_MAX_BYTES, &data, &len) < 0) {
		if (errno == EFBIG)
			diag_add(d, path, 1, 1, "file is larger than the limit of %u MiB",
			         YAML_MAX_BYTES >> 20);
		else
			diag_add(d, path, 1, 1, "cannot read file: %s",
			         errno == EINVAL ? "not a regular file" : strerror(errno));
		return -1;
	}
	int r = ydoc_parse(doc, path, data, len, d);
	free(data);
	return r;
}

void ydoc_drop_tree(struct ydoc *doc)
{
	arena_recycle(doc->arena);
	doc->arena = NULL;
	doc->root = NULL;
}

void ydoc_release(struct ydoc *doc)
{
	arena_recycle(doc->arena);
	arena_free(doc->text);
	free(doc->file);
	memset(doc, 0, sizeof *doc);
}

const struct ynode *ynode_get(const struct ynode *map, const char *key)
{
	if (!map || map->kind != YNODE_MAP)
		return NULL;
	size_t len = strlen(key);
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *k = map->items[i];
		if (k->kind == YNODE_SCALAR && k->len == len && memcmp(k->str, key, len) == 0)
			return map->items[i + 1];
	}
	return NULL;
}

bool ynode_is_null(const struct ynode *n)
{
	return n && n->kind == YNODE_SCALAR && n->plain &&
	       (n->len == 0 || strcmp(n->str, "~") == 0 || strcmp(n->str, "null") == 0 ||
	        strcmp(n->str, "Null") == 0 || strcmp(n->str, "NULL") == 0);
}

int ynode_long(const struct ynode *n, long *out)
{
	if (!n || n->kind != YNODE_SCALAR || !n->plain || n->len == 0)
		return -1;
	char *end;
	errno = 0;
	long v = strtol(n->str, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int ynode_double(const struct ynode *n, double *out)
{
	if (!n || n->kind != YNODE_SCALAR || !n->plain || n->len == 0)
		return -1;
	char *end;
	errno = 0;
	double v = strtod(n->str, &end);
	if (errno || *end || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int ynode_bool(const struct ynode *n, bool *out)
{
	if (!n || n->kind != YNODE_SCALAR || !n->plain)
		return -1;
	static const char *const t[] = {"true", "True", "TRUE"}, *const f[] = {"false", "False", "FALSE"};
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		if (strcmp(n->str, t[i]) == 0)
			return *out = true, 0;
		if (strcmp(n->str, f[i]) == 0)
			return *out = false, 0;
	}
	return -1;
}

const char *ynode_kind_name(const struct ynode *n)
{
	if (!n)
		return "nothing";
	switch (n->kind) {
	case YNODE_SCALAR:
		return "a scalar";
	case YNODE_SEQ:
		return "a list";
	case YNODE_MAP:
		return "a mapping";
	}
	return "?";
}
