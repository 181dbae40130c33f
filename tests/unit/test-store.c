/*
 * Unit tests of the progress store: opening and creating, the migration path,
 * refusal of newer, foreign and corrupt databases (left byte for byte as they
 * were), the review log and undo, sessions, walks and counts, and two
 * processes writing one database at once. The files that a real pydojo never
 * writes (a newer schema, another application's database) are made with
 * sqlite3 directly.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "fsrs.h"
#include "store.h"
#include "util.h"

#define DAY FSRS_DAY
/* 2024-01-01T00:00:00Z */
#define T0 INT64_C(1704067200)

/* ---- helpers ---- */

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

struct tmp {
	char dir[64];
};

static int setup_tmp(void **state)
{
	struct tmp *t = xcalloc(1, sizeof *t);
	snprintf(t->dir, sizeof t->dir, "/tmp/test-store-XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	*state = t;
	return 0;
}

static int teardown_tmp(void **state)
{
	struct tmp *t = *state;
	nftw(t->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return 0;
}

static char *tpath(void **state, const char *name)
{
	struct tmp *t = *state;
	return xasprintf("%s/%s", t->dir, name);
}

static char *slurp(const char *path, size_t *len)
{
	char *data = NULL;
	if (read_file_limit(path, 64u << 20, &data, len) < 0)
		return NULL;
	return data;
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static char *query(struct store *st, const char *sql)
{
	char *out = NULL, *err = NULL;
	int rc = store_query_text(st, sql, &out, &err);
	if (rc < 0)
		fail_msg("query '%s': %s", sql, err);
	return out;
}

static void assert_query(struct store *st, const char *sql, const char *expected)
{
	char *out = query(st, sql);
	assert_string_equal(out, expected);
	free(out);
}

/* Runs SQL on the file with sqlite3 itself (files pydojo never writes). */
static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("raw '%s': %s", sql, msg);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* The card fsrs gives after rating g at now, from the stored card. */
static struct fsrs_card review_card(struct store *st, const char *id, enum fsrs_rating g, int64_t now)
{
	struct fsrs_params p;
	fsrs_params_init(&p);
	p.enable_fuzz = false;
	struct store_card c;
	bool found;
	char *err = NULL;
	assert_int_equal(store_get_card(st, id, now, &c, &found, &err), 0);
	struct fsrs_card out;
	assert_int_equal(fsrs_review(&p, &c.fsrs, g, now, NULL, &out), 0);
	return out;
}

static int64_t record(struct store *st, const char *id, const char *topic, enum fsrs_rating g, int64_t now,
                      int64_t session)
{
	struct fsrs_card after = review_card(st, id, g, now);
	struct store_review r = {
		.question_id = id,
		.topic = topic,
		.at = now,
		.rating = g,
		.correct = g != FSRS_AGAIN,
		.score = g == FSRS_AGAIN ? 0.5 : NAN,
		.duration_ms = 1234,
		.answer = "the GIL is released",
		.session_id = session,
	};
	int64_t rid = 0;
	char *err = NULL;
	if (store_record_review(st, &r, &after, &rid, &err) < 0)
		fail_msg("record %s: %s", id, err);
	return rid;
}

static void assert_card_equal(const struct store_card *a, const struct store_card *b)
{
	assert_int_equal(a->fsrs.state, b->fsrs.state);
	assert_int_equal(a->fsrs.step, b->fsrs.step);
	/* Bit for bit: REAL columns keep the whole double. */
	if (isnan(b->fsrs.stability))
		assert_true(isnan(a->fsrs.stability));
	else
		assert_memory_equal(&a->fsrs.stability, &b->fsrs.stability, sizeof(double));
	if (isnan(b->fsrs.difficulty))
		assert_true(isnan(a->fsrs.difficulty));
	else
		assert_memory_equal(&a->fsrs.difficulty, &b->fsrs.difficulty, sizeof(double));
	assert_int_equal(a->fsrs.due, b->fsrs.due);
	assert_int_equal(a->fsrs.last_review, b->fsrs.last_review);
	assert_int_equal(a->reps, b->reps);
	assert_int_equal(a->lapses, b->lapses);
}

static struct store *open_ok(const char *path)
{
	char *err = NULL;
	struct store *st = store_open(path, &err);
	if (!st)
		fail_msg("open %s: %s", path, err);
	return st;
}

/* Opening must fail with a message holding want, and leave the file (and no
 * other file beside it) as it was. */
static void assert_refused(const char *path, const char *want)
{
	size_t len0 = 0, len1 = 0;
	char *before = slurp(path, &len0);
	assert_non_null(before);
	char *wal = xasprintf("%s-wal", path), *shm = xasprintf("%s-shm", path);
	bool had_wal = exists(wal), had_shm = exists(shm);
	char *err = NULL;
	struct store *st = store_open(path, &err);
	assert_null(st);
	assert_non_null(err);
	if (!strstr(err, want))
		fail_msg("error '%s' lacks '%s'", err, want);
	assert_null(strchr(err, '\n'));
	char *after = slurp(path, &len1);
	assert_non_null(after);
	assert_int_equal(len0, len1);
	assert_memory_equal(before, after, len0);
	/* Nothing is left beside it either. */
	if (!had_wal)
		assert_false(exists(wal));
	if (!had_shm)
		assert_false(exists(shm));
	free(err);
	free(before);
	free(after);
	free(wal);
	free(shm);
}

/* ---- opening ---- */

static void test_open_create(void **state)
{
	char *path = tpath(state, "a/b/progress.db");
	struct store *st = open_ok(path);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	char *want = xasprintf("%d|%d\n", STORE_SCHEMA_VERSION, STORE_APPLICATION_ID);
	char *got = query(st, "SELECT user_version, application_id FROM pragma_user_version, pragma_application_id");
	assert_string_equal(got, want);
	free(got);
	free(want);
	/* WAL mode is in the header: file format versions 2 at offsets 18, 19. */
	size_t hlen = 0;
	char *head = slurp(path, &hlen);
	assert_non_null(head);
	assert_true(hlen >= 100);
	assert_int_equal(head[18], 2);
	assert_int_equal(head[19], 2);
	free(head);
	assert_query(st, "PRAGMA synchronous", "1\n");
	assert_query(st, "PRAGMA foreign_keys", "1\n");
	assert_query(st, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
	             "cards\ndisputes\nplaces\nresets\nreview_counts\nreviews\nsessions\n");
	store_close(st);
	/* The folders made are private. */
	char *dir = tpath(state, "a/b");
	struct stat sb;
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	free(dir);
	/* Opening again changes nothing. */
	st = open_ok(path);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	store_close(st);
	free(path);
	store_close(NULL);
}

static void test_open_memory(void **state)
{
	(void)state;
	struct store *st = open_ok(":memory:");
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	record(st, "q1", "gil", FSRS_GOOD, T0, STORE_NO_SESSION);
	assert_query(st, "SELECT count(*) FROM reviews", "1\n");
	store_close(st);
}

static void test_open_bad_folder(void **state)
{
	char *err = NULL;
	/* A file where a folder should be. */
	char *file = tpath(state, "plain");
	int fd = open(file, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	char *under = tpath(state, "plain/progress.db");
	assert_null(store_open(under, &err));
	assert_non_null(strstr(err, "is not a folder"));
	free(err);
	err = NULL;
	char *deeper = tpath(state, "plain/x/progress.db");
	assert_null(store_open(deeper, &err));
	assert_non_null(strstr(err, "cannot make the folder"));
	free(err);
	err = NULL;
	assert_null(store_open("", &err));
	free(err);
	err = NULL;
	assert_null(store_open_version(":memory:", STORE_SCHEMA_VERSION + 1, &err));
	free(err);
	/* A folder that cannot be written. Root writes anywhere (and tests run
	 * as root in CI), so root tries it as the user nobody, in a child. */
	struct tmp *t = *state;
	char *ro = tpath(state, "ro");
	assert_int_equal(mkdir(ro, 0555), 0);
	assert_int_equal(chmod(t->dir, 0755), 0);
	char *p = tpath(state, "ro/progress.db");
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (geteuid() == 0 &&
		    (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)) {
			perror("dropping to uid 65534");
			_exit(3);
		}
		err = NULL;
		struct store *st = store_open(p, &err);
		if (st || !err || !strstr(err, "cannot write")) {
			fprintf(stderr, "store_open in a read-only folder: %s\n", err ? err : "opened");
			_exit(1);
		}
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	chmod(t->dir, 0700);
	chmod(ro, 0700);
	free(p);
	free(ro);
	free(file);
	free(under);
	free(deeper);
}

/* ---- migrations ---- */

static void test_migrate_from_zero(void **state)
{
	char *path = tpath(state, "m.db");
	char *err = NULL;
	struct store *st = store_open_version(path, 0, &err);
	assert_non_null(st);
	assert_int_equal(store_schema_version(st), 0);
	assert_query(st, "SELECT count(*) FROM sqlite_master", "0\n");
	assert_query(st, "PRAGMA user_version", "0\n");
	/* A store below the current version only answers queries. */
	struct store_card c;
	bool found;
	assert_int_equal(store_get_card(st, "q", T0, &c, &found, &err), -1);
	assert_non_null(err);
	free(err);
	err = NULL;
	store_close(st);

	st = store_open_version(path, 1, &err);
	assert_non_null(st);
	assert_int_equal(store_schema_version(st), 1);
	assert_query(st, "PRAGMA user_version", "1\n");
	assert_query(st, "SELECT count(*) FROM sqlite_master WHERE type = 'table'", "3\n");
	store_close(st);
	st = store_open_version(path, 2, &err);
	assert_non_null(st);
	assert_int_equal(store_schema_version(st), 2);
	assert_query(st, "SELECT count(*) FROM sqlite_master WHERE type = 'table'", "4\n");
	store_close(st);
	st = store_open_version(path, 3, &err);
	assert_non_null(st);
	assert_int_equal(store_schema_version(st), 3);
	assert_query(st, "SELECT count(*) FROM sqlite_master WHERE type = 'table'", "5\n");
	store_close(st);
	st = store_open_version(path, 4, &err);
	assert_non_null(st);
	assert_int_equal(store_schema_version(st), 4);
	assert_query(st, "SELECT count(*) FROM sqlite_master WHERE type = 'table'", "7\n");
	store_close(st);
	st = open_ok(path);
	assert_int_equal(store_schema_version(st), 5);
	assert_query(st, "SELECT count(*) FROM sqlite_master WHERE type = 'table'", "7\n");
	assert_query(st, "PRAGMA foreign_keys", "1\n");
	int64_t sid;
	assert_int_equal(store_session_start(st, STORE_PRACTICE, T0, &sid, &err), 0);
	assert_query(st, "SELECT kind FROM sessions", "5\n");
	record(st, "q", "gil", FSRS_GOOD, T0, STORE_NO_SESSION);
	store_close(st);

	/* Migrating twice is a no-op; version 1 kept its data. */
	st = store_open_version(path, 1, &err);
	assert_non_null(st);
	assert_query(st, "SELECT question_id, reps FROM cards", "q|1\n");
	store_close(st);
	free(path);
}

static void test_refuse_newer(void **state)
{
	char *path = tpath(state, "newer.db");
	struct store *st = open_ok(path);
	record(st, "q", "gil", FSRS_GOOD, T0, STORE_NO_SESSION);
	store_close(st);
	char *sql = xasprintf("PRAGMA user_version = %d", STORE_SCHEMA_VERSION + 1);
	raw_exec(path, sql);
	free(sql);
	char *want = xasprintf("has schema version %d, newer than this pydojo (%d)", STORE_SCHEMA_VERSION + 1,
	                       STORE_SCHEMA_VERSION);
	assert_refused(path, want);
	/* Twice: the first refusal left nothing that changes the second. */
	assert_refused(path, want);
	free(want);
	free(path);
}

static void test_refuse_foreign(void **state)
{
	char *path = tpath(state, "other.db");
	raw_exec(path, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes VALUES (1, 'x')");
	assert_refused(path, "is not a pydojo database");
	char *path2 = tpath(state, "other2.db");
	raw_exec(path2, "PRAGMA application_id = 1234; PRAGMA user_version = 1");
	assert_refused(path2, "is not a pydojo database");
	free(path);
	free(path2);
}

static void test_refuse_garbage(void **state)
{
	char *path = tpath(state, "garbage.db");
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	/* Deterministic noise, 8 KiB. */
	uint64_t x = 0x9e3779b97f4a7c15u;
	for (int i = 0; i < 8192; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		fputc((int)(x & 0xff), f);
	}
	fclose(f);
	assert_refused(path, "is corrupt");

	/* A text file. */
	char *txt = tpath(state, "text.db");
	f = fopen(txt, "w");
	fputs("this is not a database\n", f);
	fclose(f);
	assert_refused(txt, "is corrupt");
	free(txt);
	free(path);
}

static void test_refuse_truncated(void **state)
{
	char *path = tpath(state, "trunc.db");
	struct store *st = open_ok(path);
	/* Enough rows for many pages. */
	for (int i = 0; i < 300; i++) {
		char id[32];
		snprintf(id, sizeof id, "question-%03d", i);
		record(st, id, "gil", FSRS_GOOD, T0 + i, STORE_NO_SESSION);
	}
	store_close(st);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_true(sb.st_size > 8 * 4096);
	assert_int_equal(truncate(path, sb.st_size / 2), 0);
	assert_refused(path, "is corrupt");

	/* Damage inside: overwrite a page in the middle with zeros and noise. */
	char *path2 = tpath(state, "damaged.db");
	st = open_ok(path2);
	for (int i = 0; i < 300; i++) {
		char id[32];
		snprintf(id, sizeof id, "question-%03d", i);
		record(st, id, "gil", FSRS_GOOD, T0 + i, STORE_NO_SESSION);
	}
	store_close(st);
	assert_int_equal(stat(path2, &sb), 0);
	int fd = open(path2, O_WRONLY);
	assert_true(fd >= 0);
	char junk[4096];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (char)(i * 7 + 3);
	/* Page 3 onwards holds b-tree pages; damage several. */
	for (off_t pg = 2; pg < 6; pg++)
		assert_int_equal(pwrite(fd, junk, sizeof junk, pg * 4096), (ssize_t)sizeof junk);
	close(fd);
	assert_refused(path2, "is corrupt");
	free(path);
	free(path2);
}

static int count_card(void *ud, const char *id, const char *topic, const struct store_card *c)
{
	(void)id;
	(void)topic;
	(void)c;
	(*(int *)ud)++;
	return 0;
}

static void test_open_readonly(void **state)
{
	char *err = NULL;
	/* A missing file is created and migrated, then only read. */
	char *path = tpath(state, "ro/progress.db");
	struct store *st = store_open_readonly(path, &err);
	assert_non_null(st);
	assert_true(store_is_readonly(st));
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	struct fsrs_card after = review_card(st, "q", FSRS_GOOD, T0);
	struct store_review r = {.question_id = "q", .topic = "gil", .at = T0, .rating = FSRS_GOOD,
	                         .score = NAN, .duration_ms = -1};
	assert_int_equal(store_record_review(st, &r, &after, NULL, &err), -1);
	assert_non_null(strstr(err, "reading only"));
	free(err);
	err = NULL;
	int64_t sid;
	assert_int_equal(store_session_start(st, STORE_QUIZ, T0, &sid, &err), -1);
	free(err);
	err = NULL;
	char *out = NULL;
	assert_int_equal(store_query_text(st, "SELECT count(*) FROM cards", &out, &err), 0);
	assert_string_equal(out, "0\n");
	free(out);
	store_close(st);

	/* An existing database is read without a byte changing. */
	st = open_ok(path);
	for (int i = 0; i < 20; i++) {
		char id[16];
		snprintf(id, sizeof id, "q%d", i);
		record(st, id, "gil", FSRS_GOOD, T0 + i, STORE_NO_SESSION);
	}
	store_close(st);
	size_t n0 = 0, n1 = 0;
	char *before = slurp(path, &n0);
	st = store_open_readonly(path, &err);
	assert_non_null(st);
	assert_true(store_is_readonly(st));
	int n = 0;
	assert_int_equal(store_each_card(st, NULL, count_card, &n, &err), 0);
	assert_int_equal(n, 20);
	store_close(st);
	char *after_bytes = slurp(path, &n1);
	assert_int_equal(n0, n1);
	assert_memory_equal(before, after_bytes, n0);
	free(before);
	free(after_bytes);

	/* Refusals are the same as store_open's. */
	char *sql = xasprintf("PRAGMA user_version = %d", STORE_SCHEMA_VERSION + 1);
	raw_exec(path, sql);
	free(sql);
	assert_null(store_open_readonly(path, &err));
	assert_non_null(strstr(err, "newer than this pydojo"));
	free(err);
	free(path);
}

static void test_readonly_meets_damage(void **state)
{
	char *path = tpath(state, "damaged.db");
	struct store *st = open_ok(path);
	for (int i = 0; i < 300; i++) {
		char id[32];
		snprintf(id, sizeof id, "question-%03d", i);
		record(st, id, "gil", FSRS_GOOD, T0 + i, STORE_NO_SESSION);
	}
	store_close(st);
	int fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	char junk[4096];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (char)(i * 7 + 3);
	for (off_t pg = 1; pg < 40; pg += 2)
		assert_int_equal(pwrite(fd, junk, sizeof junk, pg * 4096), (ssize_t)sizeof junk);
	close(fd);
	size_t n0 = 0, n1 = 0;
	char *before = slurp(path, &n0);
	/* Without the scan, the damage shows when the reads reach it. */
	char *err = NULL;
	st = store_open_readonly(path, &err);
	if (st) {
		int n = 0;
		int64_t c = 0;
		int rc = store_each_card(st, NULL, count_card, &n, &err);
		if (rc == 0)
			rc = store_count_reviews(st, INT64_MIN, INT64_MAX, false, &c, &err);
		if (rc == 0) {
			char *out = NULL;
			rc = store_query_text(st, "SELECT count(*), sum(length(answer)) FROM reviews", &out, &err);
			free(out);
		}
		assert_int_equal(rc, -1);
		store_close(st);
	}
	assert_non_null(err);
	if (!strstr(err, "is corrupt"))
		fail_msg("'%s' does not say corrupt", err);
	free(err);
	char *after = slurp(path, &n1);
	assert_int_equal(n0, n1);
	assert_memory_equal(before, after, n0);
	free(before);
	free(after);
	free(path);
}

/* ---- the cheap header check and the clean-close stamp ---- */

static void fill(struct store *st, int n)
{
	for (int i = 0; i < n; i++) {
		char id[32];
		snprintf(id, sizeof id, "question-%03d", i);
		record(st, id, "gil", FSRS_GOOD, T0 + i, STORE_NO_SESSION);
	}
}

static void test_refuse_one_byte_off(void **state)
{
	char *path = tpath(state, "off.db");
	struct store *st = open_ok(path);
	fill(st, 300);
	store_close(st);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	/* One byte short: SQLite reads the last page padded with a zero and
	 * quick_check passes; the size in the header does not. */
	assert_int_equal(truncate(path, sb.st_size - 1), 0);
	assert_refused(path, "is corrupt");
	char *err = NULL;
	assert_null(store_open_readonly(path, &err));
	assert_non_null(strstr(err, "is corrupt"));
	free(err);
	/* A whole page short. */
	assert_int_equal(truncate(path, sb.st_size - 4096), 0);
	assert_refused(path, "its header says");
	/* A page too many. */
	assert_int_equal(truncate(path, sb.st_size + 4096), 0);
	assert_refused(path, "its header says");

	/* A one-byte file is not an empty database. */
	char *one = tpath(state, "one.db");
	FILE *f = fopen(one, "wb");
	fputc('x', f);
	fclose(f);
	assert_refused(one, "not a SQLite database");
	err = NULL;
	assert_null(store_open_readonly(one, &err));
	assert_non_null(strstr(err, "not a SQLite database"));
	free(err);
	free(one);
	free(path);
}

/* Opens path in a child that records one answer and dies without closing. */
static void crash_writer(const char *path)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *err = NULL;
		struct store *st = store_open(path, &err);
		if (!st)
			_exit(1);
		record(st, "crashed", "gil", FSRS_GOOD, T0, STORE_NO_SESSION);
		_exit(0);
	}
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static bool opened_checked(const char *path)
{
	struct store *st = open_ok(path);
	bool c = store_checked(st);
	store_close(st);
	return c;
}

static void test_clean_close_stamp(void **state)
{
	char *path = tpath(state, "stamp.db");
	char *stamp = tpath(state, "stamp.db.clean");
	struct store *st = open_ok(path);
	assert_true(store_checked(st));    /* a new file: no stamp yet */
	assert_false(exists(stamp));
	fill(st, 50);
	store_close(st);
	assert_true(exists(stamp));
	/* After a clean close the writer does not check; a reader never. */
	assert_false(opened_checked(path));
	char *err = NULL;
	st = store_open_readonly(path, &err);
	assert_non_null(st);
	assert_false(store_checked(st));
	store_close(st);
	assert_false(opened_checked(path));
	/* A writer killed: the next one checks, then closes cleanly. */
	crash_writer(path);
	assert_false(exists(stamp));
	st = open_ok(path);
	assert_true(store_checked(st));
	assert_query(st, "SELECT count(*) FROM reviews WHERE question_id = 'crashed'", "1\n");
	store_close(st);
	assert_false(opened_checked(path));
	/* Another program wrote the file: checked. */
	raw_exec(path, "UPDATE reviews SET answer = 'edited' WHERE id = 1");
	assert_true(opened_checked(path));
	assert_false(opened_checked(path));
	/* The file copied back from an older copy: checked. */
	size_t n = 0;
	char *old = slurp(path, &n);
	st = open_ok(path);
	record(st, "later", "gil", FSRS_GOOD, T0 + 100, STORE_NO_SESSION);
	store_close(st);
	FILE *f = fopen(path, "wb");
	assert_int_equal(fwrite(old, 1, n, f), n);
	fclose(f);
	free(old);
	assert_true(opened_checked(path));
	/* Two writers: the second one in does not check; only the last one
	 * out stamps. */
	struct store *a = open_ok(path);
	assert_false(store_checked(a));
	struct store *b = open_ok(path);
	assert_false(store_checked(b));
	store_close(a);
	assert_false(exists(stamp));
	store_close(b);
	assert_true(exists(stamp));
	assert_false(opened_checked(path));
	/* A stamp that does not match (the size differs) does not count. */
	f = fopen(stamp, "w");
	fputs("pydojo clean close: dev 0 ino 0 size 0 mtime 0.000000000\n", f);
	fclose(f);
	assert_true(opened_checked(path));
	free(stamp);
	free(path);
}

/* ---- review counts ---- */

/* review_counts, summed per bucket, against the log grouped the same way. */
static void assert_counts_match(struct store *st)
{
	char *a = query(st, "SELECT bucket, n, n_new FROM review_counts ORDER BY bucket");
	char *b = query(st, "SELECT at - (at % 900 + 900) % 900 AS k, count(*), sum(was_new != 0) FROM reviews"
	                    " GROUP BY k ORDER BY k");
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void test_review_counts(void **state)
{
	char *path = tpath(state, "counts.db");
	struct store *st = open_ok(path);
	/* Around quarter-hour bounds, and before 1970; in time order. */
	int64_t at[] = {-901, -900, -1, T0 - 1, T0, T0 + 1, T0 + 899, T0 + 900, T0 + 901, T0 + 5 * 3600 + 1800,
	                T0 + 5 * 3600 + 2700, T0 + 86400};
	for (size_t i = 0; i < ARRAY_SIZE(at); i++) {
		char id[16];
		snprintf(id, sizeof id, "q%zu", i % 5);
		struct fsrs_card after = review_card(st, id, FSRS_GOOD, at[i]);
		struct store_review r = {.question_id = id, .topic = "gil", .at = at[i], .rating = FSRS_GOOD,
		                         .correct = true, .score = NAN, .duration_ms = -1};
		char *err = NULL;
		if (store_record_review(st, &r, &after, NULL, &err) < 0)
			fail_msg("record: %s", err);
	}
	assert_counts_match(st);
	/* Any range counts as the log does. */
	int64_t b[] = {INT64_MIN, -901, -900, -1, 0, T0 - 1, T0, T0 + 1, T0 + 450, T0 + 900, T0 + 5 * 3600 + 1800,
	               T0 + 86400, T0 + 86401, INT64_MAX};
	for (size_t i = 0; i < ARRAY_SIZE(b); i++)
		for (size_t j = i; j < ARRAY_SIZE(b); j++)
			for (int nw = 0; nw < 2; nw++) {
				int64_t got = -1, want = 0;
				char *err = NULL;
				assert_int_equal(store_count_reviews(st, b[i], b[j], nw, &got, &err), 0);
				for (size_t k = 0; k < ARRAY_SIZE(at); k++)
					want += at[k] >= b[i] && at[k] < b[j] && (!nw || k < 5);
				if (got != want)
					fail_msg("[%lld, %lld) new %d: %lld, not %lld", (long long)b[i], (long long)b[j], nw,
					         (long long)got, (long long)want);
			}
	/* Undo keeps them equal. */
	char *qid = NULL, *err = NULL;
	assert_int_equal(store_undo_last(st, STORE_NO_SESSION, &qid, &err), 0);
	assert_non_null(qid);
	free(qid);
	assert_counts_match(st);
	store_close(st);
	/* So does any other program that deletes or moves reviews. */
	raw_exec(path, "DELETE FROM reviews WHERE question_id = 'q1'; UPDATE reviews SET at = at + 450, was_new = 1"
	               " WHERE question_id = 'q2'");
	st = open_ok(path);
	assert_counts_match(st);
	store_close(st);
	free(path);
}

static void test_migrate_backfills_counts(void **state)
{
	char *path = tpath(state, "old.db");
	char *err = NULL;
	struct store *st = store_open_version(path, 1, &err);
	assert_non_null(st);
	store_close(st);
	/* Version 1 had no counts: reviews written straight into the log. */
	raw_exec(path, "INSERT INTO reviews (question_id, topic, at, rating, correct, was_new)"
	               " VALUES ('a', 'gil', 1704067200, 3, 1, 1), ('a', 'gil', 1704067201, 3, 1, 0),"
	               " ('b', 'gil', 1704068100, 1, 0, 1), ('c', 'gil', -5, 3, 1, 1)");
	st = open_ok(path);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	assert_counts_match(st);
	assert_query(st, "SELECT count(*) FROM review_counts", "3\n");
	store_close(st);
	/* The backup is the version 1 file. */
	char *bak = tpath(state, "old.db.bak-v1");
	st = store_open_version(bak, 1, &err);
	assert_non_null(st);
	assert_int_equal(store_schema_version(st), 1);
	assert_query(st, "SELECT count(*) FROM reviews", "4\n");
	store_close(st);
	free(bak);
	free(path);
}

/* A version 2 database (the previous release) holds cards and reviews
 * without revisions; migrating it to 3 keeps them, makes the disputes
 * table, and backs the file up first as PATH.bak-v2. */
static void test_migrate_v2_to_v3(void **state)
{
	char *path = tpath(state, "v2.db");
	char *err = NULL;
	struct store *st = store_open_version(path, 2, &err);
	assert_non_null(st);
	store_close(st);
	raw_exec(path, "INSERT INTO cards (question_id, topic, state, step, stability, difficulty, due, last_review,"
	               " reps, lapses) VALUES ('a', 'gil', 2, NULL, 3.5, 5.25, 1704153600, 1704067200, 2, 1);"
	               "INSERT INTO reviews (question_id, topic, at, rating, correct, was_new)"
	               " VALUES ('a', 'gil', 1704067200, 3, 1, 1), ('a', 'gil', 1704067300, 1, 0, 0)");
	st = open_ok(path);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	assert_query(st, "SELECT question_id, state, stability, due, reps, lapses, revision FROM cards",
	             "a|2|3.5|1704153600|2|1|0\n");
	assert_query(st, "SELECT count(*), count(before_revision) FROM reviews", "2|0\n");
	assert_query(st, "SELECT count(*) FROM disputes", "0\n");
	assert_counts_match(st);
	struct store_card c;
	bool found = false;
	assert_int_equal(store_get_card(st, "a", T0, &c, &found, &err), 0);
	assert_true(found);
	assert_int_equal(c.revision, 0);
	assert_int_equal(c.reps, 2);
	store_close(st);
	char *bak = tpath(state, "v2.db.bak-v2");
	st = store_open_version(bak, 2, &err);
	assert_non_null(st);
	assert_int_equal(store_schema_version(st), 2);
	assert_query(st, "SELECT count(*) FROM reviews", "2\n");
	assert_query(st, "SELECT count(*) FROM sqlite_master WHERE name = 'disputes'", "0\n");
	store_close(st);
	free(bak);
	free(path);
}

/* ---- revisions ---- */

static void record_rev(struct store *st, const char *id, int64_t now, int revision)
{
	struct fsrs_card after = review_card(st, id, FSRS_GOOD, now);
	struct store_review r = {
		.question_id = id, .topic = "gil", .at = now, .rating = FSRS_GOOD, .correct = true,
		.score = NAN, .duration_ms = -1, .session_id = STORE_NO_SESSION, .revision = revision,
	};
	char *err = NULL;
	if (store_record_review(st, &r, &after, NULL, &err) < 0)
		fail_msg("record %s: %s", id, err);
}

static int card_revision(struct store *st, const char *id)
{
	struct store_card c;
	bool found = false;
	char *err = NULL;
	assert_int_equal(store_get_card(st, id, T0, &c, &found, &err), 0);
	return found ? c.revision : -1;
}

/* A card stores the revision it was answered at; undo restores the one
 * before, and a negative revision is refused. */
static void test_revision_record_undo(void **state)
{
	(void)state;
	char *err = NULL;
	struct store *st = open_ok(":memory:");
	record_rev(st, "q", T0, 0);
	assert_int_equal(card_revision(st, "q"), 0);
	record_rev(st, "q", T0 + DAY, 2);
	assert_int_equal(card_revision(st, "q"), 2);
	record_rev(st, "q", T0 + 2 * DAY, 3);
	assert_int_equal(card_revision(st, "q"), 3);
	assert_query(st, "SELECT before_revision FROM reviews ORDER BY id", "NULL\n0\n2\n");
	char *qid = NULL;
	assert_int_equal(store_undo_last(st, STORE_NO_SESSION, &qid, &err), 0);
	assert_string_equal(qid, "q");
	free(qid);
	assert_int_equal(card_revision(st, "q"), 2);
	struct fsrs_card after = review_card(st, "q", FSRS_GOOD, T0 + 3 * DAY);
	struct store_review bad = {.question_id = "q", .topic = "gil", .at = T0 + 3 * DAY, .rating = FSRS_GOOD,
	                           .correct = true, .score = NAN, .duration_ms = -1,
	                           .session_id = STORE_NO_SESSION, .revision = -1};
	assert_int_equal(store_record_review(st, &bad, &after, NULL, &err), -1);
	assert_non_null(strstr(err, "bad revision -1"));
	free(err);
	assert_query(st, "SELECT count(*) FROM reviews", "2\n");
	store_close(st);
}

/* ---- places and resets ---- */

/* A place per topic, overwritten by the next; NULL asks for the latest. */
static void test_places(void **state)
{
	(void)state;
	char *err = NULL, *sec = NULL, *topic = NULL;
	bool found = true;
	int64_t at = 0;
	struct store *st = open_ok(":memory:");
	assert_int_equal(store_place_get(st, NULL, &topic, &sec, &at, &found, &err), 0);
	assert_false(found);
	assert_null(sec);
	assert_int_equal(store_place_set(st, "gil", "switching", T0, &err), 0);
	assert_int_equal(store_place_set(st, "threads", "what", T0 + 5, &err), 0);
	assert_int_equal(store_place_set(st, "gil", "release-on-io", T0 + 10, &err), 0);
	assert_query(st, "SELECT topic, section, at FROM places ORDER BY topic",
	             "gil|release-on-io|1704067210\nthreads|what|1704067205\n");
	assert_int_equal(store_place_get(st, NULL, &topic, &sec, &at, &found, &err), 0);
	assert_true(found);
	assert_string_equal(topic, "gil");
	assert_string_equal(sec, "release-on-io");
	assert_int_equal(at, T0 + 10);
	free(topic);
	free(sec);
	assert_int_equal(store_place_get(st, "threads", NULL, &sec, NULL, &found, &err), 0);
	assert_true(found);
	assert_string_equal(sec, "what");
	free(sec);
	assert_int_equal(store_place_get(st, "nope", NULL, &sec, NULL, &found, &err), 0);
	assert_false(found);
	assert_int_equal(store_place_set(st, "gil", "", T0, &err), -1);
	free(err);
	store_close(st);
}

/* forget deletes the topic's cards and only those, keeps the log, records
 * the reset, and undo then refuses to bring a card back. */
static void test_forget_topic(void **state)
{
	(void)state;
	char *err = NULL, *qid = NULL;
	struct store *st = open_ok(":memory:");
	record(st, "g1", "gil", FSRS_GOOD, T0, STORE_NO_SESSION);
	record(st, "g2", "gil", FSRS_AGAIN, T0 + 1, STORE_NO_SESSION);
	record(st, "g1", "gil", FSRS_GOOD, T0 + DAY, STORE_NO_SESSION);
	record(st, "t1", "threads", FSRS_GOOD, T0 + 2, STORE_NO_SESSION);
	int64_t n = -1;
	assert_int_equal(store_count_cards(st, "gil", &n, &err), 0);
	assert_int_equal(n, 2);
	/* The clock went back: the reset still comes after every review. */
	assert_int_equal(store_forget_topic(st, "gil", T0 + 100, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_query(st, "SELECT question_id FROM cards", "t1\n");
	assert_query(st, "SELECT count(*) FROM reviews", "4\n");
	assert_query(st, "SELECT topic, at, cards FROM resets", "gil|1704153600|2\n");
	/* The latest review is of threads, from before the reset: it goes. */
	assert_int_equal(store_undo_last(st, STORE_NO_SESSION, &qid, &err), 0);
	assert_string_equal(qid, "t1");
	free(qid);
	/* Then one of gil, older than the reset: refused, nothing changes. */
	assert_int_equal(store_undo_last(st, STORE_NO_SESSION, &qid, &err), -1);
	assert_null(qid);
	assert_non_null(strstr(err, "were reset"));
	free(err);
	err = NULL;
	assert_query(st, "SELECT count(*) FROM cards", "0\n");
	assert_query(st, "SELECT count(*) FROM reviews", "3\n");
	/* A review after the reset is undone as usual. */
	record(st, "g2", "gil", FSRS_GOOD, T0 + 2 * DAY, STORE_NO_SESSION);
	assert_int_equal(store_undo_last(st, STORE_NO_SESSION, &qid, &err), 0);
	assert_string_equal(qid, "g2");
	free(qid);
	assert_query(st, "SELECT count(*) FROM cards", "0\n");
	/* A topic without cards: nothing removed, nothing recorded. */
	assert_int_equal(store_forget_topic(st, "gil", T0 + 3 * DAY, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_query(st, "SELECT count(*) FROM resets", "1\n");
	store_close(st);
}

/* A store opened for reading refuses both writes. */
static void test_places_readonly(void **state)
{
	char *path = tpath(state, "ro.db");
	char *err = NULL;
	struct store *st = open_ok(path);
	record(st, "g1", "gil", FSRS_GOOD, T0, STORE_NO_SESSION);
	store_close(st);
	st = store_open_readonly(path, &err);
	assert_non_null(st);
	assert_int_equal(store_place_set(st, "gil", "what", T0, &err), -1);
	free(err);
	err = NULL;
	int64_t n = -1;
	assert_int_equal(store_forget_topic(st, "gil", T0, &n, &err), -1);
	free(err);
	assert_int_equal(store_count_cards(st, "gil", &n, &err), 0);
	assert_int_equal(n, 1);
	store_close(st);
	free(path);
}

/* ---- disputes ---- */

struct dispute_list {
	char text[1024];
};

static int add_dispute(void *ud, const struct store_dispute *d)
{
	struct dispute_list *l = ud;
	size_t n = strlen(l->text);
	snprintf(l->text + n, sizeof l->text - n, "%lld %s %s %lld %d [%s] [%s] %lld\n", (long long)d->id,
	         d->question_id, d->topic, (long long)d->at, d->point_index, d->point, d->answer,
	         (long long)d->session_id);
	return 0;
}

static void test_disputes(void **state)
{
	char *path = tpath(state, "d.db");
	struct store *st = open_ok(path);
	char *err = NULL;
	int64_t sid = 0, id = 0;
	assert_int_equal(store_session_start(st, STORE_QUIZ, T0, &sid, &err), 0);
	struct store_dispute d = {.question_id = "zeta-q", .topic = "zeta", .at = T0, .answer = "it \"runs\"\nsecond line",
	                          .point_index = 1, .point = "threads run", .session_id = sid};
	assert_int_equal(store_record_dispute(st, &d, &id, &err), 0);
	assert_int_equal(id, 1);
	d.question_id = "alpha-q";
	d.topic = "alpha";
	d.at = T0 + 60;
	d.answer = "the lock is dropped";
	d.point_index = 0;
	d.point = "a blocking call releases the GIL";
	d.session_id = STORE_NO_SESSION;
	assert_int_equal(store_record_dispute(st, &d, &id, &err), 0);
	d.question_id = "zeta-q";
	d.at = T0 + 120;
	d.answer = "again";
	assert_int_equal(store_record_dispute(st, &d, NULL, &err), 0);

	/* Refused, writing nothing. */
	struct store_dispute bad = d;
	bad.point_index = -1;
	assert_int_equal(store_record_dispute(st, &bad, NULL, &err), -1);
	assert_non_null(strstr(err, "bad point index"));
	free(err);
	err = NULL;
	bad = d;
	bad.answer = NULL;
	assert_int_equal(store_record_dispute(st, &bad, NULL, &err), -1);
	free(err);
	err = NULL;
	bad = d;
	bad.session_id = 99;
	assert_int_equal(store_record_dispute(st, &bad, NULL, &err), -1);
	assert_non_null(strstr(err, "no session 99"));
	free(err);
	err = NULL;
	assert_query(st, "SELECT count(*) FROM disputes", "3\n");

	/* Grouped by question, then oldest first. */
	struct dispute_list l = {""};
	assert_int_equal(store_each_dispute(st, add_dispute, &l, &err), 0);
	char *want = xasprintf("2 alpha-q alpha %lld 0 [a blocking call releases the GIL] [the lock is dropped] 0\n"
	                       "1 zeta-q zeta %lld 1 [threads run] [it \"runs\"\nsecond line] %lld\n"
	                       "3 zeta-q alpha %lld 0 [a blocking call releases the GIL] [again] 0\n",
	                       (long long)(T0 + 60), (long long)T0, (long long)sid, (long long)(T0 + 120));
	assert_string_equal(l.text, want);
	free(want);
	store_close(st);

	/* A reader lists them but cannot add one. */
	st = store_open_readonly(path, &err);
	assert_non_null(st);
	l.text[0] = '\0';
	assert_int_equal(store_each_dispute(st, add_dispute, &l, &err), 0);
	assert_non_null(strstr(l.text, "3 zeta-q"));
	assert_int_equal(store_record_dispute(st, &d, NULL, &err), -1);
	assert_non_null(strstr(err, "reading only"));
	free(err);
	store_close(st);
	free(path);
}

/* ---- reviews and undo ---- */

static void test_record_get_undo(void **state)
{
	char *path = tpath(state, "r.db");
	struct store *st = open_ok(path);
	char *err = NULL;
	struct store_card c0, c1, c2;
	bool found = true;
	assert_int_equal(store_get_card(st, "gil-io", T0, &c0, &found, &err), 0);
	assert_false(found);
	assert_true(fsrs_card_is_new(&c0.fsrs));
	assert_int_equal(c0.fsrs.due, T0);
	assert_int_equal(c0.reps, 0);

	struct fsrs_card a1 = review_card(st, "gil-io", FSRS_GOOD, T0);
	int64_t r1 = record(st, "gil-io", "gil", FSRS_GOOD, T0, STORE_NO_SESSION);
	assert_int_equal(store_get_card(st, "gil-io", T0, &c1, &found, &err), 0);
	assert_true(found);
	struct store_card want1 = {.fsrs = a1, .reps = 1, .lapses = 0};
	assert_card_equal(&c1, &want1);

	/* Graduate, then a lapse from Review counts. */
	int64_t t = c1.fsrs.due;
	record(st, "gil-io", "gil", FSRS_GOOD, t, STORE_NO_SESSION);
	assert_int_equal(store_get_card(st, "gil-io", t, &c2, &found, &err), 0);
	assert_int_equal(c2.fsrs.state, FSRS_REVIEW);
	assert_int_equal(c2.fsrs.step, FSRS_STEP_NONE);
	t = c2.fsrs.due;
	struct fsrs_card a3 = review_card(st, "gil-io", FSRS_AGAIN, t);
	int64_t r3 = record(st, "gil-io", "gil", FSRS_AGAIN, t, STORE_NO_SESSION);
	assert_true(r3 > r1);
	struct store_card c3;
	assert_int_equal(store_get_card(st, "gil-io", t, &c3, &found, &err), 0);
	struct store_card want3 = {.fsrs = a3, .reps = 3, .lapses = 1};
	assert_card_equal(&c3, &want3);
	assert_query(st, "SELECT rating, correct, score, duration_ms, answer, session_id, was_new FROM reviews ORDER BY id",
	             "3|1|NULL|1234|the GIL is released|NULL|1\n"
	             "3|1|NULL|1234|the GIL is released|NULL|0\n"
	             "1|0|0.5|1234|the GIL is released|NULL|0\n");

	/* Undo walks back exactly, then deletes the card it created. */
	char *qid = NULL;
	assert_int_equal(store_undo_last(st, STORE_NO_SESSION, &qid, &err), 0);
	assert_string_equal(qid, "gil-io");
	free(qid);
	struct store_card u;
	assert_int_equal(store_get_card(st, "gil-io", t, &u, &found, &err), 0);
	assert_card_equal(&u, &c2);
	assert_int_equal(store_undo_last(st, STORE_NO_SESSION, &qid, &err), 0);
	free(qid);
	assert_int_equal(store_get_card(st, "gil-io", t, &u, &found, &err), 0);
	assert_card_equal(&u, &c1);
	assert_int_equal(store_undo_last(st, STORE_NO_SESSION, &qid, &err), 0);
	assert_string_equal(qid, "gil-io");
	free(qid);
	assert_int_equal(store_get_card(st, "gil-io", T0 + 5, &u, &found, &err), 0);
	assert_false(found);
	assert_int_equal(u.fsrs.due, T0 + 5);
	assert_int_equal(store_undo_last(st, STORE_NO_SESSION, &qid, &err), 0);
	assert_null(qid);
	assert_query(st, "SELECT count(*) FROM reviews", "0\n");
	assert_query(st, "SELECT count(*) FROM cards", "0\n");

	/* The review log of a question, oldest first. */
	record(st, "q", "gil", FSRS_AGAIN, T0, STORE_NO_SESSION);
	record(st, "q", "gil", FSRS_GOOD, T0 + 60, STORE_NO_SESSION);
	store_close(st);
	st = open_ok(path);
	assert_query(st, "SELECT was_new, before_state, before_step, before_reps FROM reviews ORDER BY id",
	             "1|NULL|NULL|NULL\n0|1|0|1\n");
	store_close(st);
	free(path);
}

struct rows {
	int n;
	int64_t at[8];
	bool was_new[8];
	int before_reps[8];
	char answer[8][32];
};

static int collect_review(void *ud, const struct store_review_row *row)
{
	struct rows *r = ud;
	r->at[r->n] = row->at;
	r->was_new[r->n] = row->was_new;
	r->before_reps[r->n] = row->before.reps;
	snprintf(r->answer[r->n], sizeof r->answer[0], "%s", row->answer ? row->answer : "(null)");
	r->n++;
	return 0;
}

static void test_each_review_of(void **state)
{
	(void)state;
	struct store *st = open_ok(":memory:");
	record(st, "q", "gil", FSRS_AGAIN, T0, STORE_NO_SESSION);
	record(st, "other", "gil", FSRS_GOOD, T0 + 1, STORE_NO_SESSION);
	record(st, "q", "gil", FSRS_GOOD, T0 + 60, STORE_NO_SESSION);
	struct fsrs_card after = review_card(st, "q", FSRS_HARD, T0 + 120);
	struct store_review r = {.question_id = "q", .topic = "gil", .at = T0 + 120, .rating = FSRS_HARD,
	                         .score = NAN, .duration_ms = -1, .answer = NULL};
	char *err = NULL;
	assert_int_equal(store_record_review(st, &r, &after, NULL, &err), 0);
	struct rows rows = {0};
	assert_int_equal(store_each_review_of(st, "q", collect_review, &rows, &err), 0);
	assert_int_equal(rows.n, 3);
	assert_int_equal(rows.at[0], T0);
	assert_true(rows.was_new[0]);
	assert_false(rows.was_new[1]);
	assert_int_equal(rows.before_reps[1], 1);
	assert_int_equal(rows.before_reps[2], 2);
	assert_string_equal(rows.answer[2], "(null)");
	assert_query(st, "SELECT score, duration_ms FROM reviews WHERE at = 1704067320", "NULL|NULL\n");
	store_close(st);
}

static void test_record_refuses(void **state)
{
	(void)state;
	struct store *st = open_ok(":memory:");
	struct fsrs_card good = review_card(st, "q", FSRS_GOOD, T0);
	struct store_review r = {.question_id = "q", .topic = "gil", .at = T0, .rating = FSRS_GOOD,
	                         .score = NAN, .duration_ms = -1};
	char *err = NULL;
	r.rating = 0;
	assert_int_equal(store_record_review(st, &r, &good, NULL, &err), -1);
	assert_non_null(strstr(err, "rating"));
	free(err);
	err = NULL;
	r.rating = 5;
	assert_int_equal(store_record_review(st, &r, &good, NULL, &err), -1);
	free(err);
	err = NULL;
	r.rating = FSRS_GOOD;
	struct fsrs_card bad = good;
	bad.difficulty = 11;
	assert_int_equal(store_record_review(st, &r, &bad, NULL, &err), -1);
	free(err);
	err = NULL;
	bad = good;
	bad.state = 7;
	assert_int_equal(store_record_review(st, &r, &bad, NULL, &err), -1);
	free(err);
	err = NULL;
	r.question_id = "";
	assert_int_equal(store_record_review(st, &r, &good, NULL, &err), -1);
	free(err);
	err = NULL;
	r.question_id = "q";
	r.session_id = 42;
	assert_int_equal(store_record_review(st, &r, &good, NULL, &err), -1);
	assert_non_null(strstr(err, "no session 42"));
	free(err);
	err = NULL;
	assert_query(st, "SELECT (SELECT count(*) FROM reviews) + (SELECT count(*) FROM cards)", "0\n");
	/* query_text reads only. */
	char *out = NULL;
	assert_int_equal(store_query_text(st, "DELETE FROM cards", &out, &err), -1);
	free(err);
	err = NULL;
	assert_int_equal(store_query_text(st, "SELECT 1; DELETE FROM cards", &out, &err), -1);
	free(err);
	err = NULL;
	assert_int_equal(store_query_text(st, "SELEC nonsense", &out, &err), -1);
	free(err);
	store_close(st);
}

/* ---- sessions ---- */

struct seslist {
	int n;
	int64_t id[8];
	char results[8][64];
	double score[8];
	int64_t ended[8];
};

static int collect_session(void *ud, const struct store_session *s)
{
	struct seslist *l = ud;
	l->id[l->n] = s->id;
	snprintf(l->results[l->n], sizeof l->results[0], "%s", s->results ? s->results : "(null)");
	l->score[l->n] = s->score;
	l->ended[l->n] = s->ended;
	l->n++;
	return 0;
}

static void test_sessions(void **state)
{
	(void)state;
	struct store *st = open_ok(":memory:");
	char *err = NULL;
	int64_t a, b, c, q;
	assert_int_equal(store_session_start(st, STORE_INTERVIEW, T0, &a, &err), 0);
	assert_int_equal(store_session_start(st, STORE_QUIZ, T0 + 10, &q, &err), 0);
	assert_int_equal(store_session_start(st, STORE_INTERVIEW, T0 + 100, &b, &err), 0);
	assert_int_equal(store_session_start(st, STORE_INTERVIEW, T0 + 200, &c, &err), 0);
	assert_int_equal(store_session_start(st, 9, T0, &q, &err), -1);
	free(err);
	err = NULL;
	assert_int_equal(store_session_end(st, a, T0 + 50, "{\"asked\": 2}", 0.5, &err), 0);
	assert_int_equal(store_session_end(st, b, T0 + 150, NULL, NAN, &err), 0);
	assert_int_equal(store_session_end(st, b, T0 + 160, "{\"asked\": 3}", 1.0, &err), 0);
	assert_int_equal(store_session_end(st, 999, T0, NULL, NAN, &err), -1);
	assert_non_null(strstr(err, "no session"));
	free(err);
	err = NULL;

	struct seslist l = {0};
	assert_int_equal(store_last_sessions(st, STORE_INTERVIEW, 2, collect_session, &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.id[0], c);
	assert_int_equal(l.ended[0], STORE_NO_TIME);
	assert_string_equal(l.results[0], "(null)");
	assert_true(isnan(l.score[0]));
	assert_int_equal(l.id[1], b);
	assert_string_equal(l.results[1], "{\"asked\": 3}");
	assert_true(l.score[1] == 1.0);
	assert_int_equal(l.ended[1], T0 + 160);
	memset(&l, 0, sizeof l);
	assert_int_equal(store_last_sessions(st, STORE_QUIZ, 10, collect_session, &l, &err), 0);
	assert_int_equal(l.n, 1);

	/* Undo within a session, and the refusal when another session answered
	 * the same question since. */
	record(st, "q1", "gil", FSRS_GOOD, T0 + 101, b);
	record(st, "q2", "gil", FSRS_GOOD, T0 + 102, c);
	record(st, "q1", "gil", FSRS_GOOD, T0 + 103, c);
	char *qid = NULL;
	assert_int_equal(store_undo_last(st, b, &qid, &err), -1);
	assert_null(qid);
	assert_non_null(strstr(err, "answered again"));
	free(err);
	err = NULL;
	assert_query(st, "SELECT count(*) FROM reviews", "3\n");
	assert_int_equal(store_undo_last(st, c, &qid, &err), 0);
	assert_string_equal(qid, "q1");
	free(qid);
	assert_int_equal(store_undo_last(st, b, &qid, &err), 0);
	assert_string_equal(qid, "q1");
	free(qid);
	assert_int_equal(store_undo_last(st, b, &qid, &err), 0);
	assert_null(qid);
	assert_query(st, "SELECT question_id FROM cards", "q2\n");
	assert_string_equal(store_session_kind_name(STORE_QUIZ), "quiz");
	assert_string_equal(store_session_kind_name(STORE_REVIEW), "review");
	assert_string_equal(store_session_kind_name(STORE_INTERVIEW), "interview");
	assert_string_equal(store_session_kind_name(STORE_PREDICT), "predict");
	assert_null(store_session_kind_name(0));
	store_close(st);
}

/* ---- walks and counts ---- */

struct idlist {
	int n, stop_after;
	char id[16][32];
};

static int collect_card(void *ud, const char *id, const char *topic, const struct store_card *c)
{
	(void)topic;
	(void)c;
	struct idlist *l = ud;
	snprintf(l->id[l->n++], sizeof l->id[0], "%s", id);
	return l->stop_after && l->n >= l->stop_after;
}

/* Writes a card with a chosen due time through the public API: a first
 * Easy review graduates it; the due is then moved by the interval. */
static void card_due(struct store *st, const char *id, const char *topic, int64_t due)
{
	struct fsrs_card after = review_card(st, id, FSRS_EASY, T0 - 30 * DAY);
	after.due = due;
	struct store_review r = {.question_id = id, .topic = topic, .at = T0 - 30 * DAY, .rating = FSRS_EASY,
	                         .correct = true, .score = NAN, .duration_ms = -1};
	char *err = NULL;
	if (store_record_review(st, &r, &after, NULL, &err) < 0)
		fail_msg("%s", err);
}

static void test_each_due(void **state)
{
	(void)state;
	struct store *st = open_ok(":memory:");
	card_due(st, "c", "gil", T0 - 10);
	card_due(st, "a", "gil", T0 - 10);
	card_due(st, "b", "threads", T0 - 100);
	card_due(st, "d", "gil", T0);
	card_due(st, "e", "gil", T0 + 1);
	char *err = NULL;
	struct idlist l = {0};
	assert_int_equal(store_each_due(st, T0, NULL, collect_card, &l, &err), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.id[0], "b");
	assert_string_equal(l.id[1], "a");
	assert_string_equal(l.id[2], "c");
	assert_string_equal(l.id[3], "d");
	memset(&l, 0, sizeof l);
	assert_int_equal(store_each_due(st, T0, "gil", collect_card, &l, &err), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.id[0], "a");
	memset(&l, 0, sizeof l);
	l.stop_after = 2;
	assert_int_equal(store_each_due(st, T0 + 10, NULL, collect_card, &l, &err), 0);
	assert_int_equal(l.n, 2);
	memset(&l, 0, sizeof l);
	assert_int_equal(store_each_card(st, NULL, collect_card, &l, &err), 0);
	assert_int_equal(l.n, 5);
	assert_string_equal(l.id[0], "a");
	assert_string_equal(l.id[4], "e");
	memset(&l, 0, sizeof l);
	assert_int_equal(store_each_card(st, "threads", collect_card, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.id[0], "b");
	store_close(st);
}

static void test_reviews_per_day(void **state)
{
	(void)state;
	struct store *st = open_ok(":memory:");
	/* Day 0: 2 reviews (one new), day 1: none, day 2: 3 (two new); one
	 * review before and one after the range. */
	record(st, "x", "gil", FSRS_GOOD, T0 - 1, STORE_NO_SESSION);
	record(st, "a", "gil", FSRS_GOOD, T0, STORE_NO_SESSION);
	record(st, "a", "gil", FSRS_GOOD, T0 + DAY - 1, STORE_NO_SESSION);
	record(st, "b", "gil", FSRS_GOOD, T0 + 2 * DAY, STORE_NO_SESSION);
	record(st, "c", "gil", FSRS_GOOD, T0 + 2 * DAY + 5, STORE_NO_SESSION);
	record(st, "c", "gil", FSRS_GOOD, T0 + 2 * DAY + 700, STORE_NO_SESSION);
	record(st, "y", "gil", FSRS_GOOD, T0 + 3 * DAY, STORE_NO_SESSION);
	/* Uneven days (a DST change) are the caller's bounds. */
	int64_t bounds[4] = {T0, T0 + DAY, T0 + 2 * DAY, T0 + 3 * DAY};
	int64_t counts[3] = {-1, -1, -1};
	char *err = NULL;
	assert_int_equal(store_reviews_per_day(st, bounds, 3, counts, &err), 0);
	assert_int_equal(counts[0], 2);
	assert_int_equal(counts[1], 0);
	assert_int_equal(counts[2], 3);
	int64_t n = 0;
	assert_int_equal(store_count_reviews(st, T0, T0 + 3 * DAY, false, &n, &err), 0);
	assert_int_equal(n, 5);
	assert_int_equal(store_count_reviews(st, T0, T0 + 3 * DAY, true, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(store_count_reviews(st, INT64_MIN, INT64_MAX, false, &n, &err), 0);
	assert_int_equal(n, 7);
	int64_t bad[3] = {T0, T0 - 1, T0};
	assert_int_equal(store_reviews_per_day(st, bad, 2, counts, &err), -1);
	free(err);
	store_close(st);
}

/* ---- two processes ---- */

#define PER_WRITER 200

static void writer(const char *path, int who)
{
	char *err = NULL;
	struct store *st = store_open(path, &err);
	if (!st) {
		fprintf(stderr, "writer %d: %s\n", who, err);
		_exit(1);
	}
	struct fsrs_params p;
	fsrs_params_init(&p);
	p.enable_fuzz = false;
	for (int i = 0; i < PER_WRITER; i++) {
		char id[32];
		/* Every other answer goes to a card both write, so the
		 * read-then-write of the card is contended too. */
		if (i % 2)
			snprintf(id, sizeof id, "shared");
		else
			snprintf(id, sizeof id, "w%d-%d", who, i);
		int64_t now = T0 + i;
		struct store_card c;
		bool found;
		struct fsrs_card after;
		if (store_get_card(st, id, now, &c, &found, &err) < 0 ||
		    fsrs_review(&p, &c.fsrs, FSRS_GOOD, now > c.fsrs.last_review ? now : c.fsrs.last_review, NULL,
		                &after) < 0) {
			fprintf(stderr, "writer %d: %s\n", who, err ? err : "review failed");
			_exit(1);
		}
		struct store_review r = {.question_id = id, .topic = "gil", .at = now, .rating = FSRS_GOOD,
		                         .correct = true, .score = NAN, .duration_ms = i};
		if (store_record_review(st, &r, &after, NULL, &err) < 0) {
			fprintf(stderr, "writer %d: %s\n", who, err);
			_exit(1);
		}
	}
	store_close(st);
	_exit(0);
}

static void test_concurrent_writers(void **state)
{
	char *path = tpath(state, "shared.db");
	store_close(open_ok(path));
	pid_t kids[2];
	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		assert_true(kids[k] >= 0);
		if (kids[k] == 0)
			writer(path, k);
	}
	for (int k = 0; k < 2; k++) {
		int status = 0;
		assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	struct store *st = open_ok(path);
	char *want = xasprintf("%d\n", 2 * PER_WRITER);
	assert_query(st, "SELECT count(*) FROM reviews", want);
	free(want);
	/* No lost update on the card both wrote. */
	want = xasprintf("%d|%d\n", PER_WRITER, PER_WRITER);
	assert_query(st, "SELECT reps, (SELECT count(*) FROM reviews WHERE question_id = 'shared') FROM cards"
	                 " WHERE question_id = 'shared'",
	             want);
	free(want);
	want = xasprintf("%d\n", PER_WRITER + 1);
	assert_query(st, "SELECT count(*) FROM cards", want);
	free(want);
	assert_query(st, "PRAGMA integrity_check", "ok\n");
	store_close(st);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_create, setup_tmp, teardown_tmp),
		cmocka_unit_test(test_open_memory),
		cmocka_unit_test_setup_teardown(test_open_bad_folder, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_migrate_from_zero, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_refuse_newer, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_refuse_foreign, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_refuse_garbage, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_refuse_truncated, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_open_readonly, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_readonly_meets_damage, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_refuse_one_byte_off, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_clean_close_stamp, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_review_counts, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_migrate_backfills_counts, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_migrate_v2_to_v3, setup_tmp, teardown_tmp),
		cmocka_unit_test(test_revision_record_undo),
		cmocka_unit_test(test_places),
		cmocka_unit_test(test_forget_topic),
		cmocka_unit_test_setup_teardown(test_places_readonly, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_disputes, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_record_get_undo, setup_tmp, teardown_tmp),
		cmocka_unit_test(test_each_review_of),
		cmocka_unit_test(test_record_refuses),
		cmocka_unit_test(test_sessions),
		cmocka_unit_test(test_each_due),
		cmocka_unit_test(test_reviews_per_day),
		cmocka_unit_test_setup_teardown(test_concurrent_writers, setup_tmp, teardown_tmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
