/*
 * util: allocation that cannot fail (x* wrappers abort on out-of-memory, so
 * callers never check them), a growable byte buffer, and small string
 * helpers. Error handling in the rest of the core is for input and I/O only.
 */
#ifndef PYDOJO_UTIL_H
#define PYDOJO_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a new string; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* Grows *ptr (an array of elem-sized items) so it holds at least need items. */
void *xgrow(void *ptr, size_t *cap, size_t need, size_t elem);
#define GROW(ptr, cap, need) ((ptr) = xgrow((ptr), &(cap), (need), sizeof(*(ptr))))

/* A growable NUL-terminated buffer. data is never NULL after buf_init. */
struct buf {
	char *data;
	size_t len, cap;
};

void buf_init(struct buf *b);
void buf_release(struct buf *b);
void buf_add(struct buf *b, const void *data, size_t n);
void buf_addc(struct buf *b, char c);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_truncate(struct buf *b, size_t len);
/* Returns the contents as a new string and leaves the buffer released (as
 * buf_release does; buf_init it to use it again); caller frees. */
char *buf_detach(struct buf *b);

/* Reads a whole regular file into a new NUL-terminated buffer, failing (-1,
 * errno set) when it is larger than max bytes (errno EFBIG), a folder
 * (EISDIR) or anything else that is not a regular file, such as a FIFO or a
 * device (EINVAL). It never waits for a FIFO's writer. */
int read_file_limit(const char *path, size_t max, char **out, size_t *len);

/* Writes all n bytes to fd, going on after EINTR and short writes. Returns
 * 0, or -1 with errno set (EIO when write wrote nothing). */
int write_all(int fd, const void *data, size_t n);

/* The optimal-string-alignment distance (Levenshtein with a transposition of
 * two adjacent characters counted as one edit: 'gli' is 1 from 'gil'),
 * capped: returns cap+1 when the distance exceeds cap. */
size_t edit_distance(const char *a, const char *b, size_t cap);

/* Whether s matches [a-z0-9-]+ */
bool is_id(const char *s);

/* Whether the n bytes are valid UTF-8; on failure *bad is the offset of the first
 * bad byte. */
bool utf8_valid(const char *s, size_t n, size_t *bad);

/* The plain letters of an accented Latin one (U+00C0 to U+017F, as the
 * two bytes c0 c1): in one[] when a single letter ("é" -> "e"), a
 * ligature's two ("æ" -> "ae", "ß" -> "ss"), or NULL for a sign (×, ÷).
 * Answers are folded so before matching, and rubric patterns likewise. */
const char *utf8_latin_plain(unsigned char c0, unsigned char c1, char one[2]);

/* Number of terminal columns the UTF-8 string takes (1 per code point, 0 for
 * combining marks, 2 for wide East Asian characters). */
size_t utf8_width(const char *s, size_t n);

bool str_starts(const char *s, const char *prefix);
bool str_ends(const char *s, const char *suffix);

/* Appends n bytes of s with every control character made visible, so that
 * text from content or from the user cannot drive the terminal (the one
 * function every printer of such text goes through): C0 controls, DEL and
 * bytes that are not UTF-8 become \xHH, C1 controls (U+0080 to U+009F)
 * \u00HH. Tab, newline and the CR of a CRLF are kept when max_cols is 0.
 * With max_cols > 0 the text stays on one line (tab, newline and CR escaped
 * too) and is cut to at most max_cols columns, the escaped form counted,
 * ending in an ellipsis when cut; every code point counts at least one
 * column there, so the result is also short in bytes. */
void buf_add_visible(struct buf *b, const char *s, size_t n, size_t max_cols);
/* buf_add_visible of the whole string, as a new string; caller frees. */
char *str_visible(const char *s);

/* Echoes of input (a bad id, answer or value in a message) stay on one line
 * of a terminal: at most ECHO_COLS columns. */
#define ECHO_COLS 60
#define ECHO_SIZE (4 * ECHO_COLS + 8)
/* Writes s made visible (as buf_add_visible with ECHO_COLS) into dst, which
 * holds ECHO_SIZE bytes, and returns dst: for a message's '%s'. */
const char *str_echo(char *dst, const char *s);

/* Appends s as a JSON string literal (quoted, escaped); NULL appends null. */
void buf_json_str(struct buf *b, const char *s);
/* 64-bit FNV-1a of n bytes: for hash tables, not for security. */
unsigned long long hash_bytes(const void *p, size_t n);

/* A hash table from byte strings to indexes (into the caller's array):
 * open addressing with linear probing, at most half full, so a look-up or
 * an insertion costs O(1) and loading stays linear in the number of files.
 * Keys are copied in; the table owns them until hmap_release(). */
#define HMAP_NONE ((size_t)-1)
struct hmap {
	struct hmap_slot *slots;   /* cap slots, a power of two (or none) */
	size_t n, cap;
	struct buf keys;           /* every key's bytes, back to back */
};
void hmap_init(struct hmap *m);
void hmap_release(struct hmap *m);
/* The index stored under key, or HMAP_NONE. */
size_t hmap_get(const struct hmap *m, const void *key, size_t len);
/* Stores index (not HMAP_NONE) under key unless key is there already;
 * returns the index already stored, or HMAP_NONE when it stored this one. */
size_t hmap_add(struct hmap *m, const void *key, size_t len, size_t index);

#endif
