/*
 * store: the SQLite progress database (see store.h for the contract).
 *
 * Opening is careful about what it touches: the busy timeout is set, then
 * user_version, application_id, the table list and quick_check are read;
 * only a database that passes all of them gets the pragmas that write (WAL
 * changes the header) and the migrations. A refused database is closed with
 * checkpoint-on-close turned off, so not even a leftover WAL is folded in.
 *
 * Times are INTEGER seconds since the epoch; NULL stands for "none" (a new
 * card's memory state, a review without score or duration). Doubles are
 * stored as REAL, which keeps the full precision of the C double.
 */
#include "store.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"
#include "util.h"

/* The cached statements of the hot paths. Iterations prepare their own, so
 * a callback may call the getters while a walk is running. */
enum stmt_id {
	S_GET_CARD,
	S_INSERT_REVIEW,
	S_UPSERT_CARD,
	S_SESSION_EXISTS,
	S_COUNT_RANGE,
	S_COUNT_RANGE_NEW,
	S_SUM_BUCKETS,
	S_SUM_BUCKETS_NEW,
	S_PLACE_SET,
	S_NSTMTS,
};

static const char *const stmt_sql[S_NSTMTS] = {
	[S_GET_CARD] = "SELECT state, step, stability, difficulty, due, last_review, reps, lapses, revision"
	               " FROM cards WHERE question_id = ?1",
	[S_INSERT_REVIEW] =
		"INSERT INTO reviews (question_id, topic, at, rating, correct, score, duration_ms, answer,"
		" session_id, was_new, before_state, before_step, before_stability, before_difficulty,"
		" before_due, before_last_review, before_reps, before_lapses, before_revision)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
	[S_UPSERT_CARD] =
		"INSERT INTO cards (question_id, topic, state, step, stability, difficulty, due,"
		" last_review, reps, lapses, revision) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
		" ON CONFLICT (question_id) DO UPDATE SET topic = excluded.topic, state = excluded.state,"
		" step = excluded.step, stability = excluded.stability, difficulty = excluded.difficulty,"
		" due = excluded.due, last_review = excluded.last_review, reps = excluded.reps,"
		" lapses = excluded.lapses, revision = excluded.revision",
	[S_SESSION_EXISTS] = "SELECT 1 FROM sessions WHERE id = ?1",
	[S_COUNT_RANGE] = "SELECT count(*) FROM reviews WHERE at >= ?1 AND at < ?2",
	[S_COUNT_RANGE_NEW] = "SELECT count(*) FROM reviews WHERE at >= ?1 AND at < ?2 AND was_new",
	[S_SUM_BUCKETS] = "SELECT coalesce(sum(n), 0) FROM review_counts WHERE bucket >= ?1 AND bucket < ?2",
	[S_SUM_BUCKETS_NEW] = "SELECT coalesce(sum(n_new), 0) FROM review_counts WHERE bucket >= ?1 AND bucket < ?2",
	[S_PLACE_SET] = "INSERT INTO places (topic, section, at) VALUES (?1, ?2, ?3)"
	                " ON CONFLICT (topic) DO UPDATE SET section = excluded.section, at = excluded.at",
};

struct store {
	sqlite3 *db;
	char *path;
	int version;
	bool readonly;               /* store_open_readonly: query_only is on */
	bool checked;                /* this open ran quick_check */
	int fd;                      /* a writer's own descriptor of the file (flock), or -1 */
	bool no_stamp;               /* the open failed half-way: closing is not clean */
	sqlite3_stmt *stmt[S_NSTMTS];
};

/* Reviews outside [-BUCKET_LIMIT, BUCKET_LIMIT] have no bucket (the bucket
 * arithmetic would overflow); counts find them in the log itself. */
#define BUCKET_LIMIT (INT64_C(1) << 62)
#define BUCKET_OF(x) "(" x " - (" x " % 900 + 900) % 900)"
#define IN_BUCKETS(x) x " BETWEEN -4611686018427387904 AND 4611686018427387904"

/* The sessions table rebuilt with the kinds its CHECK allows (SQLite cannot
 * change a CHECK), same columns and rows, as its documented procedure says;
 * migrations run with foreign keys off. */
#define SESSIONS_WITH_KINDS(kinds) \
	"CREATE TABLE sessions_new (" \
	" id INTEGER PRIMARY KEY," \
	" kind INTEGER NOT NULL CHECK (kind IN (" kinds "))," \
	" started INTEGER NOT NULL," \
	" ended INTEGER," \
	" results TEXT," \
	" score REAL" \
	");" \
	"INSERT INTO sessions_new (id, kind, started, ended, results, score)" \
	" SELECT id, kind, started, ended, results, score FROM sessions;" \
	"DROP TABLE sessions;" \
	"ALTER TABLE sessions_new RENAME TO sessions;" \
	"CREATE INDEX sessions_kind ON sessions (kind, started);"

/* The forward migrations: migrations[v - 1] takes a database from version
 * v - 1 to v. Each runs in its own BEGIN IMMEDIATE transaction together with
 * the user_version update. */
static const char *const migrations[STORE_SCHEMA_VERSION] = {
	/* 1: cards, sessions, the review log with the card before each review. */
	"CREATE TABLE cards ("
	" question_id TEXT PRIMARY KEY NOT NULL,"
	" topic TEXT NOT NULL,"
	" state INTEGER NOT NULL CHECK (state IN (1, 2, 3)),"
	" step INTEGER,"                 /* NULL in Review */
	" stability REAL,"               /* NULL while new */
	" difficulty REAL,"
	" due INTEGER NOT NULL,"
	" last_review INTEGER,"          /* NULL while new */
	" reps INTEGER NOT NULL DEFAULT 0,"
	" lapses INTEGER NOT NULL DEFAULT 0"
	") WITHOUT ROWID;"
	"CREATE INDEX cards_due ON cards (due, question_id);"
	"CREATE INDEX cards_topic ON cards (topic, question_id);"
	"CREATE TABLE sessions ("
	" id INTEGER PRIMARY KEY,"
	" kind INTEGER NOT NULL CHECK (kind IN (1, 2, 3)),"
	" started INTEGER NOT NULL,"
	" ended INTEGER,"
	" results TEXT,"
	" score REAL"
	");"
	"CREATE INDEX sessions_kind ON sessions (kind, started);"
	"CREATE TABLE reviews ("
	" id INTEGER PRIMARY KEY,"
	" question_id TEXT NOT NULL,"
	" topic TEXT NOT NULL,"
	" at INTEGER NOT NULL,"
	" rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),"
	" correct INTEGER NOT NULL,"
	" score REAL,"
	" duration_ms INTEGER,"
	" answer TEXT,"
	" session_id INTEGER REFERENCES sessions (id),"
	" was_new INTEGER NOT NULL,"
	" before_state INTEGER,"
	" before_step INTEGER,"
	" before_stability REAL,"
	" before_difficulty REAL,"
	" before_due INTEGER,"
	" before_last_review INTEGER,"
	" before_reps INTEGER,"
	" before_lapses INTEGER"
	");"
	"CREATE INDEX reviews_at ON reviews (at);"
	"CREATE INDEX reviews_question ON reviews (question_id, id);"
	"CREATE INDEX reviews_session ON reviews (session_id, id);",
	/* 2: the review counts of each 15-minute UTC bucket (900 s divides every
	 * UTC offset in use, so local days are whole buckets), kept equal to the
	 * log by triggers on whatever writes it, and filled from the log. */
	"CREATE TABLE review_counts ("
	" bucket INTEGER PRIMARY KEY,"   /* its start, a multiple of 900 */
	" n INTEGER NOT NULL,"
	" n_new INTEGER NOT NULL"
	");"
	"CREATE TRIGGER review_counts_insert AFTER INSERT ON reviews WHEN " IN_BUCKETS("new.at") " BEGIN"
	" INSERT INTO review_counts (bucket, n, n_new) VALUES (" BUCKET_OF("new.at") ", 1, new.was_new != 0)"
	" ON CONFLICT (bucket) DO UPDATE SET n = n + 1, n_new = n_new + excluded.n_new;"
	" END;"
	"CREATE TRIGGER review_counts_delete AFTER DELETE ON reviews WHEN " IN_BUCKETS("old.at") " BEGIN"
	" UPDATE review_counts SET n = n - 1, n_new = n_new - (old.was_new != 0)"
	" WHERE bucket = " BUCKET_OF("old.at") ";"
	" DELETE FROM review_counts WHERE bucket = " BUCKET_OF("old.at") " AND n <= 0;"
	" END;"
	"CREATE TRIGGER review_counts_update AFTER UPDATE OF at, was_new ON reviews BEGIN"
	" UPDATE review_counts SET n = n - 1, n_new = n_new - (old.was_new != 0)"
	" WHERE bucket = " BUCKET_OF("old.at") " AND " IN_BUCKETS("old.at") ";"
	" DELETE FROM review_counts WHERE bucket = " BUCKET_OF("old.at") " AND n <= 0;"
	" INSERT INTO review_counts (bucket, n, n_new) SELECT " BUCKET_OF("new.at") ", 1, new.was_new != 0"
	" WHERE " IN_BUCKETS("new.at") " ON CONFLICT (bucket) DO UPDATE SET n = n + 1,"
	" n_new = n_new + excluded.n_new;"
	" END;"
	"INSERT INTO review_counts (bucket, n, n_new) SELECT " BUCKET_OF("at") ", count(*), sum(was_new != 0)"
	" FROM reviews WHERE " IN_BUCKETS("at") " GROUP BY 1;",
	/* 3: the revision of its question each card was last answered at (0:
	 * before any revision; with the revision before each review, so undo
	 * restores it), and the disputed grades: a key point the learner says
	 * an answer made although the grader missed it. */
	"ALTER TABLE cards ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE reviews ADD COLUMN before_revision INTEGER;"
	"CREATE TABLE disputes ("
	" id INTEGER PRIMARY KEY,"
	" question_id TEXT NOT NULL,"
	" topic TEXT NOT NULL,"
	" at INTEGER NOT NULL,"
	" answer TEXT NOT NULL,"
	" point_index INTEGER NOT NULL CHECK (point_index >= 0),"   /* 0-based, in the rubric */
	" point TEXT NOT NULL,"
	" session_id INTEGER REFERENCES sessions (id)"
	");"
	"CREATE INDEX disputes_question ON disputes (question_id, id);",
	/* 4: a fourth session kind, predict (a demo's predictions, recorded as
	 * reviews of its predict questions): SQLite cannot change a CHECK, so
	 * sessions is rebuilt as its documented procedure says, with the same
	 * columns and rows (foreign keys are off while migrating). The place
	 * each lesson was last read at, for `learn` to resume; and the topics
	 * whose cards `forget` reset (their reviews stay in the log, but undo
	 * stops at a reset). */
	SESSIONS_WITH_KINDS("1, 2, 3, 4")
	"CREATE TABLE places ("
	" topic TEXT PRIMARY KEY NOT NULL,"
	" section TEXT NOT NULL,"        /* the section's id */
	" at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX places_at ON places (at);"
	"CREATE TABLE resets ("
	" id INTEGER PRIMARY KEY,"
	" topic TEXT NOT NULL,"
	" at INTEGER NOT NULL,"
	" cards INTEGER NOT NULL CHECK (cards >= 0)"   /* how many cards it removed */
	");"
	"CREATE INDEX resets_topic ON resets (topic, at);",
	/* 5: a fifth session kind, practice (code exercises run against their
	 * tests, recorded as reviews of their cards): sessions rebuilt as in
	 * migration 4, with the same columns and rows. */
	SESSIONS_WITH_KINDS("1, 2, 3, 4, 5"),
};

static void set_err(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_err(char **err, const char *fmt, ...)
{
	if (!err)
		return;
	va_list ap;
	va_start(ap, fmt);
	*err = xvasprintf(fmt, ap);
	va_end(ap);
}

static int db_fail(struct store *st, char **err, const char *what)
{
	int code = sqlite3_errcode(st->db);
	if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
		set_err(err, "database '%s' is corrupt: %s", st->path, sqlite3_errmsg(st->db));
	else if (st->readonly && code == SQLITE_READONLY)
		set_err(err, "database '%s' was opened for reading only: %s", st->path, what);
	else
		set_err(err, "database '%s': %s: %s", st->path, what, sqlite3_errmsg(st->db));
	return -1;
}

static int exec(struct store *st, const char *sql, char **err)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		set_err(err, "database '%s': %s", st->path, msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static void rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

static int begin(struct store *st, char **err)
{
	return exec(st, "BEGIN IMMEDIATE", err);
}

static int commit(struct store *st, char **err)
{
	if (exec(st, "COMMIT", err) < 0) {
		rollback(st);
		return -1;
	}
	return 0;
}

static sqlite3_stmt *prep(struct store *st, const char *sql, char **err)
{
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		db_fail(st, err, "cannot prepare a statement");
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

/* A cached statement, reset and with its bindings cleared. */
static sqlite3_stmt *cached(struct store *st, enum stmt_id id, char **err)
{
	if (!st->stmt[id]) {
		st->stmt[id] = prep(st, stmt_sql[id], err);
		if (!st->stmt[id])
			return NULL;
	}
	sqlite3_reset(st->stmt[id]);
	sqlite3_clear_bindings(st->stmt[id]);
	return st->stmt[id];
}

/* Reads one integer from a query with no parameters (a pragma). */
static int query_int(sqlite3 *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(s, 0);
			rc = SQLITE_OK;
		} else if (rc == SQLITE_DONE) {
			*out = 0;
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(s);
	return rc;
}

/* ---- binding and reading cards ---- */

static void bind_opt_double(sqlite3_stmt *s, int i, double v)
{
	if (isfinite(v))
		sqlite3_bind_double(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

static void bind_opt_time(sqlite3_stmt *s, int i, int64_t v, int64_t none)
{
	if (v == none)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int64(s, i, v);
}

static double col_opt_double(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}

static int64_t col_opt_int(sqlite3_stmt *s, int i, int64_t none)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? none : sqlite3_column_int64(s, i);
}

/* Reads a card from 9 columns from i: state, step, stability, difficulty,
 * due, last_review, reps, lapses, revision (NULL: 0). */
static void col_card(sqlite3_stmt *s, int i, struct store_card *c)
{
	memset(c, 0, sizeof *c);
	c->fsrs.state = (enum fsrs_state)sqlite3_column_int(s, i);
	c->fsrs.step = (int)col_opt_int(s, i + 1, FSRS_STEP_NONE);
	c->fsrs.stability = col_opt_double(s, i + 2);
	c->fsrs.difficulty = col_opt_double(s, i + 3);
	c->fsrs.due = sqlite3_column_int64(s, i + 4);
	c->fsrs.last_review = col_opt_int(s, i + 5, FSRS_NEVER);
	c->reps = sqlite3_column_int(s, i + 6);
	c->lapses = sqlite3_column_int(s, i + 7);
	c->revision = sqlite3_column_int(s, i + 8);
}

/* Binds a card to 9 parameters from i, in the order of col_card. */
static void bind_card(sqlite3_stmt *s, int i, const struct store_card *c)
{
	sqlite3_bind_int(s, i, (int)c->fsrs.state);
	bind_opt_time(s, i + 1, c->fsrs.step, FSRS_STEP_NONE);
	bind_opt_double(s, i + 2, c->fsrs.stability);
	bind_opt_double(s, i + 3, c->fsrs.difficulty);
	sqlite3_bind_int64(s, i + 4, c->fsrs.due);
	bind_opt_time(s, i + 5, c->fsrs.last_review, FSRS_NEVER);
	sqlite3_bind_int(s, i + 6, c->reps);
	sqlite3_bind_int(s, i + 7, c->lapses);
	sqlite3_bind_int(s, i + 8, c->revision);
}

/* A card as the scheduler accepts it, with its due time in range too. */
static bool card_valid(const struct fsrs_card *c)
{
	if (!fsrs_card_valid(c))
		return false;
	return c->last_review == FSRS_NEVER ||
	       (isfinite(c->difficulty) && c->due >= FSRS_TIME_MIN && c->due <= FSRS_TIME_MAX);
}

/* ---- opening ---- */

/* Closes a refused database. Reading a WAL database makes an empty -wal
 * file; closing checkpoints it (nothing to copy, so the database file is
 * not written) and removes it. A -wal that was there before the open holds
 * someone's frames: it stays as it is, not folded into the file. */
static void close_refused(sqlite3 *db, bool had_wal)
{
	if (!db)
		return;
	if (had_wal)
		sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	sqlite3_close_v2(db);
}

/* Makes the folder of path and checks that it can be written. */
static int check_folder(const char *path, char **err)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? (slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path))) : xstrdup(".");
	int rc = -1;
	struct stat sb;
	if (stat(dir, &sb) < 0) {
		if (errno != ENOENT || paths_make_parents(path) < 0) {
			set_err(err, "cannot make the folder of database '%s': %s", path, strerror(errno));
			goto out;
		}
	} else if (!S_ISDIR(sb.st_mode)) {
		set_err(err, "cannot open database '%s': '%s' is not a folder", path, dir);
		goto out;
	}
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		set_err(err, "cannot open database '%s': it is a folder", path);
		goto out;
	}
	if (access(dir, W_OK | X_OK) < 0) {
		set_err(err, "cannot write to the folder of database '%s': %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(dir);
	return rc;
}

/* Reads what decides whether the file may be used, writing nothing: the
 * header fields and the table list. Returns 0 with *version set, or -1 with
 * *err set. */
static int inspect(struct store *st, int *version, char **err)
{
	int64_t uv = 0, appid = 0, ntables = 0;
	/* One read transaction: another process creating the schema commits
	 * the tables and user_version together, and must not be seen half. */
	int rc = sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = query_int(st->db, "PRAGMA user_version", &uv);
	if (rc == SQLITE_OK)
		rc = query_int(st->db, "PRAGMA application_id", &appid);
	if (rc == SQLITE_OK)
		rc = query_int(st->db, "SELECT count(*) FROM sqlite_master", &ntables);
	rollback(st);
	if (rc != SQLITE_OK) {
		if (rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT)
			set_err(err, "database '%s' is corrupt: %s", st->path, sqlite3_errmsg(st->db));
		else
			set_err(err, "cannot read database '%s': %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	if (appid != 0 && appid != STORE_APPLICATION_ID) {
		set_err(err, "database '%s' is not a pydojo database (application_id %lld)", st->path,
		        (long long)appid);
		return -1;
	}
	if (uv > STORE_SCHEMA_VERSION) {
		set_err(err, "database '%s' has schema version %lld, newer than this pydojo (%d)", st->path,
		        (long long)uv, STORE_SCHEMA_VERSION);
		return -1;
	}
	if (uv < 0 || (uv == 0 && ntables > 0) || (uv > 0 && appid != STORE_APPLICATION_ID)) {
		set_err(err, "database '%s' is not a pydojo database", st->path);
		return -1;
	}

	*version = (int)uv;
	return 0;
}

/* PRAGMA quick_check: every b-tree page is read, so it costs time in
 * proportion to the file (about 0.2 s for 100,000 reviews). */
static int quick_check(struct store *st, char **err)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, "PRAGMA quick_check", -1, &s, NULL);
	struct buf why;
	buf_init(&why);
	if (rc == SQLITE_OK) {
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			const char *t = (const char *)sqlite3_column_text(s, 0);
			if (t && strcmp(t, "ok") != 0 && why.len == 0)
				buf_puts(&why, t);
		}
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_OK || why.len) {
		if (!why.len)
			buf_puts(&why, sqlite3_errmsg(st->db));
		/* One line: quick_check may report a multi-line list. */
		for (size_t i = 0; i < why.len; i++)
			if (why.data[i] == '\n')
				why.data[i] = ' ';
		if (rc != SQLITE_OK && rc != SQLITE_CORRUPT && rc != SQLITE_NOTADB && !why.len)
			set_err(err, "cannot read database '%s': %s", st->path, why.data);
		else
			set_err(err, "database '%s' is corrupt: %s", st->path, why.data);
		buf_release(&why);
		return -1;
	}
	buf_release(&why);
	return 0;
}

/* Copies the database, as SQLite sees it (the WAL included), to
 * PATH.bak-vN before a migration from version N; an existing backup of that
 * version is kept as it is. */
static int backup(struct store *st, char **err)
{
	char *to = xasprintf("%s.bak-v%d", st->path, st->version);
	int rc = 0;
	if (access(to, F_OK) == 0)
		goto out;
	sqlite3_stmt *s = prep(st, "VACUUM INTO ?1", err);
	if (!s) {
		rc = -1;
		goto out;
	}
	sqlite3_bind_text(s, 1, to, -1, SQLITE_STATIC);
	/* Another process upgrading the same file may have made it since. */
	if (sqlite3_step(s) != SQLITE_DONE && access(to, F_OK) < 0) {
		set_err(err, "cannot back up database '%s' to '%s' before upgrading it: %s", st->path, to,
		        sqlite3_errmsg(st->db));
		rc = -1;
	}
	sqlite3_finalize(s);
out:
	free(to);
	return rc;
}

static int migrate(struct store *st, int target, char **err)
{
	if (st->version > 0 && st->version < target && strcmp(st->path, ":memory:") != 0 &&
	    backup(st, err) < 0)
		return -1;
	for (int v = st->version + 1; v <= target; v++) {
		if (begin(st, err) < 0)
			return -1;
		/* Another process may have migrated while this one waited. */
		int64_t now_v = 0;
		if (query_int(st->db, "PRAGMA user_version", &now_v) != SQLITE_OK) {
			db_fail(st, err, "cannot read the schema version");
			rollback(st);
			return -1;
		}
		if (now_v >= v) {
			if (commit(st, err) < 0)
				return -1;
			st->version = (int)now_v;
			v = (int)now_v;
			continue;
		}
		char *sql = xasprintf("%s PRAGMA application_id = %d; PRAGMA user_version = %d;", migrations[v - 1],
		                      STORE_APPLICATION_ID, v);
		int rc = exec(st, sql, err);
		free(sql);
		if (rc < 0) {
			rollback(st);
			return -1;
		}
		if (commit(st, err) < 0)
			return -1;
		st->version = v;
	}
	return 0;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The size of PATH-suffix, or -1 when there is none. */
static off_t side_size(const char *path, const char *suffix)
{
	char *p = xasprintf("%s%s", path, suffix);
	struct stat sb;
	off_t n = stat(p, &sb) == 0 ? sb.st_size : -1;
	free(p);
	return n;
}

/* Whether the WAL or a rollback journal beside path may hold pages that the
 * file itself does not have yet (a WAL of its 32-byte header alone has no
 * frames). */
static bool has_pending(const char *path)
{
	return side_size(path, "-wal") > 32 || side_size(path, "-journal") > 0;
}

/* The cheap check of an existing file, before SQLite reads it: a non-empty
 * file starts with the SQLite header, holds whole pages, and, unless a WAL
 * or journal holds pages not copied back yet (a checkpoint or a crash in
 * the middle of one), is exactly as long as its header says (bytes 28-31,
 * valid when bytes 92-95 equal the change counter at 24-27). */
static int check_header(const char *path, int fd, char **err)
{
	struct stat sb;
	if (fstat(fd, &sb) < 0) {
		set_err(err, "cannot read database '%s': %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		set_err(err, "cannot open database '%s': not a regular file", path);
		return -1;
	}
	if (sb.st_size == 0)
		return 0;
	unsigned char h[100];
	ssize_t got = pread(fd, h, sizeof h, 0);
	if (got < 0) {
		set_err(err, "cannot read database '%s': %s", path, strerror(errno));
		return -1;
	}
	if (got < (ssize_t)sizeof h || memcmp(h, "SQLite format 3", 16) != 0) {
		set_err(err, "database '%s' is corrupt: not a SQLite database (%lld bytes without its header)", path,
		        (long long)sb.st_size);
		return -1;
	}
	unsigned page = (unsigned)h[16] << 8 | h[17];
	if (page == 1)
		page = 65536;
	if (page < 512 || (page & (page - 1)) != 0) {
		set_err(err, "database '%s' is corrupt: bad page size %u in its header", path, page);
		return -1;
	}
	if (sb.st_size % page != 0) {
		set_err(err, "database '%s' is corrupt: %lld bytes is not a whole number of %u-byte pages (truncated?)",
		        path, (long long)sb.st_size, page);
		return -1;
	}
	uint32_t npages = be32(h + 28);
	if (npages && be32(h + 92) == be32(h + 24) && !has_pending(path) &&
	    (int64_t)npages * page != (int64_t)sb.st_size) {
		set_err(err, "database '%s' is corrupt: its header says %lld bytes, the file has %lld (truncated?)", path,
		        (long long)npages * page, (long long)sb.st_size);
		return -1;
	}
	return 0;
}

/* ---- the clean-close stamp ---- */

static char *stamp_path(const char *path)
{
	return xasprintf("%s.clean", path);
}

static void stamp_text(char *out, size_t n, const struct stat *sb)
{
	snprintf(out, n, "pydojo clean close: dev %llu ino %llu size %lld mtime %lld.%09ld\n",
	         (unsigned long long)sb->st_dev, (unsigned long long)sb->st_ino, (long long)sb->st_size,
	         (long long)sb->st_mtim.tv_sec, (long)sb->st_mtim.tv_nsec);
}

/* Whether the stamp of the last clean close describes the file as it is
 * now (and no WAL or journal holds pages beside it). */
static bool stamp_matches(struct store *st)
{
	struct stat sb;
	if (fstat(st->fd, &sb) < 0 || has_pending(st->path))
		return false;
	char want[160], got[160] = "";
	stamp_text(want, sizeof want, &sb);
	char *sp = stamp_path(st->path);
	FILE *f = fopen(sp, "re");
	free(sp);
	if (!f)
		return false;
	bool ok = fgets(got, sizeof got, f) && strcmp(got, want) == 0;
	fclose(f);
	return ok;
}

/* Writes the stamp of the file as it is now: to a temporary file, renamed
 * over the stamp, so a reader sees the old stamp or the new one. */
static void stamp_write(const char *path, int fd)
{
	struct stat sb;
	if (fstat(fd, &sb) < 0)
		return;
	char text[160];
	stamp_text(text, sizeof text, &sb);
	char *sp = stamp_path(path), *tmp = xasprintf("%s.tmp", sp);
	int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out >= 0) {
		size_t n = strlen(text);
		bool ok = write(out, text, n) == (ssize_t)n;
		if (close(out) < 0 || !ok || rename(tmp, sp) < 0)
			unlink(tmp);
	}
	free(tmp);
	free(sp);
}

/* A writer's decision about the whole-file check. Every writer holds a
 * shared flock on its own descriptor of the file while it is open; the one
 * that gets it exclusively is alone. Alone, it runs quick_check unless the
 * stamp of the last clean close matches the file; next to another writer
 * it does not (that one checked or found the stamp when it opened, and the
 * file has been in use since). The stamp then goes: only a clean close
 * writes a new one. */
static int writer_check(struct store *st, char **err)
{
	if (st->fd < 0 && (st->fd = open(st->path, O_RDONLY | O_CLOEXEC)) < 0) {
		set_err(err, "cannot open database '%s': %s", st->path, strerror(errno));
		return -1;
	}
	bool alone = flock(st->fd, LOCK_EX | LOCK_NB) == 0;
	if (!alone && flock(st->fd, LOCK_SH) < 0) {
		set_err(err, "cannot lock database '%s': %s", st->path, strerror(errno));
		return -1;
	}
	if (alone && !stamp_matches(st)) {
		st->checked = true;
		if (quick_check(st, err) < 0)
			return -1;
	}
	if (alone)
		flock(st->fd, LOCK_SH);
	char *sp = stamp_path(st->path);
	unlink(sp);
	free(sp);
	return 0;
}

/* A file: URI for path (every byte outside the unreserved set escaped). */
static char *file_uri(const char *path, const char *query)
{
	struct buf b;
	buf_init(&b);
	buf_puts(&b, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("/-._~", *p))
			buf_addc(&b, (char)*p);
		else
			buf_printf(&b, "%%%02X", *p);
	}
	buf_puts(&b, query);
	return buf_detach(&b);
}

/* Opens an existing file for reading only. Sets *use_writer when it must
 * go through the writing path instead (it needs a migration). Returns the
 * store, or NULL (with *err set, unless *use_writer). */
static struct store *open_reader(const char *path, int target, bool *use_writer, char **err)
{
	*use_writer = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		set_err(err, "cannot open database '%s': %s", path, strerror(errno));
		return NULL;
	}
	int rc = check_header(path, fd, err);
	close(fd);
	if (rc < 0)
		return NULL;
	bool had_wal = side_size(path, "-wal") >= 0;
	struct store *st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	st->fd = -1;
	/* Reading needs no write access: a file this user cannot write is
	 * opened read-only; with no WAL or shared-memory file beside it (no
	 * writer has it open) as immutable, which needs neither. */
	char *uri = NULL;
	int flags = SQLITE_OPEN_READWRITE;
	if (access(path, W_OK) < 0) {
		uri = file_uri(path, had_wal || side_size(path, "-shm") >= 0 ? "?mode=ro" : "?immutable=1");
		flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
	}
	rc = sqlite3_open_v2(uri ? uri : path, &st->db, flags, NULL);
	free(uri);
	if (rc != SQLITE_OK) {
		set_err(err, "cannot open database '%s': %s", path, st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 0);
	sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
	if (inspect(st, &st->version, err) < 0)
		goto fail;
	if (st->version < target) {
		*use_writer = true;
		goto fail;
	}
	if (exec(st, "PRAGMA query_only = ON", err) < 0)
		goto fail;
	st->readonly = true;
	return st;
fail:
	close_refused(st->db, had_wal);
	st->db = NULL;
	store_close(st);
	return NULL;
}

static struct store *open_store(const char *path, int target, bool readonly, char **err)
{
	if (target < 0 || target > STORE_SCHEMA_VERSION) {
		set_err(err, "no schema version %d (this pydojo knows 0..%d)", target, STORE_SCHEMA_VERSION);
		return NULL;
	}
	if (!path || !*path) {
		set_err(err, "no database path");
		return NULL;
	}
	bool memory = strcmp(path, ":memory:") == 0;
	struct stat sb;
	if (readonly && !memory && stat(path, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
		bool use_writer = false;
		struct store *st = open_reader(path, target, &use_writer, err);
		if (st || !use_writer)
			return st;
	}
	if (!memory && check_folder(path, err) < 0)
		return NULL;

	bool had_wal = false;
	struct store *st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	st->fd = -1;
	if (!memory) {
		had_wal = side_size(path, "-wal") >= 0;
		st->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (st->fd < 0 && errno != ENOENT) {
			set_err(err, "cannot open database '%s': %s", path, strerror(errno));
			goto fail;
		}
		if (st->fd >= 0 && check_header(path, st->fd, err) < 0)
			goto fail;
	}
	int rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		set_err(err, "cannot open database '%s': %s", path,
		        st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 0);
	sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
	if (inspect(st, &st->version, err) < 0)
		goto fail;
	if (sqlite3_db_readonly(st->db, "main") == 1) {
		set_err(err, "database '%s' is read-only", path);
		goto fail;
	}
	if (memory) {
		if (quick_check(st, err) < 0)
			goto fail;
	} else if (writer_check(st, err) < 0) {
		goto fail;
	}
	/* The file passed: from here on writing is allowed. */
	if (!memory) {
		sqlite3_stmt *s = prep(st, "PRAGMA journal_mode = WAL", err);
		if (!s)
			goto fail_open;
		rc = sqlite3_step(s);
		const char *mode = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
		bool wal = mode && strcmp(mode, "wal") == 0;
		sqlite3_finalize(s);
		if (!wal) {
			set_err(err, "database '%s': cannot use WAL mode: %s", path, sqlite3_errmsg(st->db));
			goto fail_open;
		}
	}
	/* Foreign keys are enforced once migrated: a migration that rebuilds a
	 * table drops it while other tables still refer to it. */
	if (exec(st, "PRAGMA synchronous = NORMAL;", err) < 0 || migrate(st, target, err) < 0 ||
	    exec(st, "PRAGMA foreign_keys = ON;", err) < 0)
		goto fail_open;
	if (readonly) {
		if (exec(st, "PRAGMA query_only = ON", err) < 0)
			goto fail_open;
		st->readonly = true;
	}
	return st;

fail:
	close_refused(st->db, had_wal);
	st->db = NULL;
	if (st->fd >= 0)
		close(st->fd);
	st->fd = -1;
	store_close(st);
	return NULL;
fail_open:
	/* Not a session that ends cleanly: no stamp. */
	st->no_stamp = true;
	store_close(st);
	return NULL;
}

struct store *store_open_version(const char *path, int target, char **err)
{
	return open_store(path, target, false, err);
}

struct store *store_open(const char *path, char **err)
{
	return open_store(path, STORE_SCHEMA_VERSION, false, err);
}

struct store *store_open_readonly(const char *path, char **err)
{
	return open_store(path, STORE_SCHEMA_VERSION, true, err);
}

bool store_is_readonly(const struct store *st)
{
	return st->readonly;
}

bool store_checked(const struct store *st)
{
	return st->checked;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < S_NSTMTS; i++)
		sqlite3_finalize(st->stmt[i]);
	/* The last writer out, with everything copied back into the file
	 * (TRUNCATE empties the WAL; busy means another connection holds an
	 * older snapshot), stamps the file as cleanly closed. The stamp is
	 * taken after SQLite closed the file, holding the exclusive flock, so
	 * no pydojo writer can come in between. */
	bool stamp = false;
	int64_t busy = 1;
	if (st->db && st->fd >= 0 && !st->readonly && !st->no_stamp && st->version > 0 && flock(st->fd, LOCK_EX | LOCK_NB) == 0 &&
	    sqlite3_get_autocommit(st->db) && query_int(st->db, "PRAGMA wal_checkpoint(TRUNCATE)", &busy) == SQLITE_OK &&
	    busy == 0)
		stamp = true;
	if (st->db && sqlite3_close_v2(st->db) != SQLITE_OK)
		stamp = false;
	if (stamp)
		stamp_write(st->path, st->fd);
	if (st->fd >= 0)
		close(st->fd);
	free(st->path);
	free(st);
}

int store_schema_version(const struct store *st)
{
	return st->version;
}

/* ---- cards and reviews ---- */

static int need_writable(struct store *st, char **err)
{
	if (!st->readonly)
		return 0;
	set_err(err, "database '%s' was opened for reading only", st->path);
	return -1;
}

static int need_version(struct store *st, char **err)
{
	if (st->version == STORE_SCHEMA_VERSION)
		return 0;
	set_err(err, "database '%s' is at schema version %d, not %d", st->path, st->version, STORE_SCHEMA_VERSION);
	return -1;
}

/* Reads the stored card of id into *out; *found false leaves *out unset. */
static int read_card(struct store *st, const char *id, struct store_card *out, bool *found, char **err)
{
	sqlite3_stmt *s = cached(st, S_GET_CARD, err);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	*found = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW)
		col_card(s, 0, out);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(st, err, "cannot read a card");
	return 0;
}

int store_get_card(struct store *st, const char *question_id, int64_t now, struct store_card *out,
                   bool *found, char **err)
{
	if (need_version(st, err) < 0)
		return -1;
	if (read_card(st, question_id, out, found, err) < 0)
		return -1;
	if (!*found) {
		memset(out, 0, sizeof *out);
		fsrs_card_init(&out->fsrs, now);
	}
	return 0;
}

static int session_exists(struct store *st, int64_t id, bool *exists, char **err)
{
	sqlite3_stmt *s = cached(st, S_SESSION_EXISTS, err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(st, err, "cannot read the sessions");
	*exists = rc == SQLITE_ROW;
	return 0;
}

int store_record_review(struct store *st, const struct store_review *r, const struct fsrs_card *after,
                        int64_t *review_id, char **err)
{
	if (need_version(st, err) < 0 || need_writable(st, err) < 0)
		return -1;
	if (!r->question_id || !*r->question_id || !r->topic) {
		set_err(err, "a review needs a question id and a topic");
		return -1;
	}
	if (r->rating < FSRS_AGAIN || r->rating > FSRS_EASY) {
		set_err(err, "bad rating %d (1..4)", (int)r->rating);
		return -1;
	}
	if (r->revision < 0) {
		set_err(err, "bad revision %d of '%s'", r->revision, r->question_id);
		return -1;
	}
	if (!card_valid(after) || after->last_review == FSRS_NEVER) {
		set_err(err, "bad card state after reviewing '%s'", r->question_id);
		return -1;
	}
	if (begin(st, err) < 0)
		return -1;
	if (r->session_id != STORE_NO_SESSION) {
		bool ok = false;
		if (session_exists(st, r->session_id, &ok, err) < 0)
			goto fail;
		if (!ok) {
			set_err(err, "no session %lld", (long long)r->session_id);
			goto fail;
		}
	}
	struct store_card before;
	bool found = false;
	if (read_card(st, r->question_id, &before, &found, err) < 0)
		goto fail;

	sqlite3_stmt *s = cached(st, S_INSERT_REVIEW, err);
	if (!s)
		goto fail;
	sqlite3_bind_text(s, 1, r->question_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, r->topic, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, r->at);
	sqlite3_bind_int(s, 4, (int)r->rating);
	sqlite3_bind_int(s, 5, r->correct);
	bind_opt_double(s, 6, r->score);
	if (r->duration_ms >= 0)
		sqlite3_bind_int64(s, 7, r->duration_ms);
	if (r->answer)
		sqlite3_bind_text(s, 8, r->answer, -1, SQLITE_STATIC);
	if (r->session_id != STORE_NO_SESSION)
		sqlite3_bind_int64(s, 9, r->session_id);
	sqlite3_bind_int(s, 10, !found);
	if (found)
		bind_card(s, 11, &before);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		db_fail(st, err, "cannot record the review");
		goto fail;
	}
	int64_t id = sqlite3_last_insert_rowid(st->db);

	struct store_card card = {.fsrs = *after, .reps = found ? before.reps + 1 : 1,
	                          .lapses = found ? before.lapses : 0, .revision = r->revision};
	if (found && r->rating == FSRS_AGAIN && before.fsrs.state == FSRS_REVIEW)
		card.lapses++;
	s = cached(st, S_UPSERT_CARD, err);
	if (!s)
		goto fail;
	sqlite3_bind_text(s, 1, r->question_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, r->topic, -1, SQLITE_STATIC);
	bind_card(s, 3, &card);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		db_fail(st, err, "cannot write the card");
		goto fail;
	}
	if (commit(st, err) < 0)
		return -1;
	if (review_id)
		*review_id = id;
	return 0;
fail:
	rollback(st);
	return -1;
}

/* Whether topic was reset at or after at (so a review at `at` is older than
 * the reset). */
static int reset_since(struct store *st, const char *topic, int64_t at, bool *reset, char **err)
{
	sqlite3_stmt *s = prep(st, "SELECT 1 FROM resets WHERE topic = ?1 AND at >= ?2 LIMIT 1", err);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, topic, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, at);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(st, err, "cannot read the resets");
	*reset = rc == SQLITE_ROW;
	return 0;
}

/* Whether the review rid (of qid, in topic, at at) may be undone: 0, or -1
 * with *err saying why not (answered again since, or its topic was reset
 * at or after it). */
static int undo_allowed(struct store *st, int64_t rid, const char *qid, const char *topic, int64_t at, char **err)
{
	bool reset = false;
	if (reset_since(st, topic, at, &reset, err) < 0)
		return -1;
	if (reset) {
		set_err(err, "cannot undo the answer to '%s': the cards of '%s' were reset ('forget') since", qid, topic);
		return -1;
	}
	sqlite3_stmt *s = prep(st, "SELECT count(*) FROM reviews WHERE question_id = ?1 AND id > ?2", err);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, qid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, rid);
	int rc = sqlite3_step(s);
	int64_t later = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return db_fail(st, err, "cannot read the review log");
	if (later > 0) {
		set_err(err, "cannot undo the answer to '%s': it was answered again since", qid);
		return -1;
	}
	return 0;
}

int store_undo_last(struct store *st, int64_t session_id, char **question_id, char **err)
{
	*question_id = NULL;
	if (need_version(st, err) < 0 || need_writable(st, err) < 0)
		return -1;
	if (begin(st, err) < 0)
		return -1;
	sqlite3_stmt *s = prep(st,
	                       session_id == STORE_NO_SESSION
	                               ? "SELECT id, question_id, was_new, before_state, before_step,"
	                                 " before_stability, before_difficulty, before_due, before_last_review,"
	                                 " before_reps, before_lapses, before_revision, topic, at FROM reviews ORDER BY id DESC LIMIT 1"
	                               : "SELECT id, question_id, was_new, before_state, before_step,"
	                                 " before_stability, before_difficulty, before_due, before_last_review,"
	                                 " before_reps, before_lapses, before_revision, topic, at FROM reviews WHERE session_id = ?1"
	                                 " ORDER BY id DESC LIMIT 1",
	                       err);
	char *qid = NULL;
	if (!s)
		goto fail;
	if (session_id != STORE_NO_SESSION)
		sqlite3_bind_int64(s, 1, session_id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_finalize(s);
		return commit(st, err);
	}
	if (rc != SQLITE_ROW) {
		db_fail(st, err, "cannot read the review log");
		goto fail;
	}
	int64_t rid = sqlite3_column_int64(s, 0);
	qid = xstrdup((const char *)sqlite3_column_text(s, 1));
	bool was_new = sqlite3_column_int(s, 2) != 0;
	struct store_card before;
	col_card(s, 3, &before);
	char *topic = xstrdup((const char *)sqlite3_column_text(s, 12));
	int64_t at = sqlite3_column_int64(s, 13);
	sqlite3_finalize(s);
	s = NULL;
	rc = undo_allowed(st, rid, qid, topic, at, err);
	free(topic);
	if (rc < 0)
		goto fail;

	if (was_new) {
		s = prep(st, "DELETE FROM cards WHERE question_id = ?1", err);
		if (!s)
			goto fail;
		sqlite3_bind_text(s, 1, qid, -1, SQLITE_STATIC);
	} else {
		s = prep(st, "UPDATE cards SET state = ?1, step = ?2, stability = ?3, difficulty = ?4, due = ?5,"
		             " last_review = ?6, reps = ?7, lapses = ?8, revision = ?9 WHERE question_id = ?10", err);
		if (!s)
			goto fail;
		bind_card(s, 1, &before);
		sqlite3_bind_text(s, 10, qid, -1, SQLITE_STATIC);
	}
	if (sqlite3_step(s) != SQLITE_DONE) {
		db_fail(st, err, "cannot restore the card");
		goto fail;
	}
	sqlite3_finalize(s);
	s = prep(st, "DELETE FROM reviews WHERE id = ?1", err);
	if (!s)
		goto fail;
	sqlite3_bind_int64(s, 1, rid);
	if (sqlite3_step(s) != SQLITE_DONE) {
		db_fail(st, err, "cannot remove the review");
		goto fail;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (commit(st, err) < 0) {
		free(qid);
		return -1;
	}
	*question_id = qid;
	return 0;
fail:
	sqlite3_finalize(s);
	free(qid);
	rollback(st);
	return -1;
}

/* ---- places and resets ---- */

int store_place_set(struct store *st, const char *topic, const char *section, int64_t now, char **err)
{
	if (need_version(st, err) < 0 || need_writable(st, err) < 0)
		return -1;
	if (!topic || !*topic || !section || !*section) {
		set_err(err, "a place needs a topic and a section");
		return -1;
	}
	sqlite3_stmt *s = cached(st, S_PLACE_SET, err);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, topic, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, section, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, now);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return db_fail(st, err, "cannot store the place in the lesson");
	return 0;
}

int store_place_get(struct store *st, const char *topic, char **topic_out, char **section, int64_t *at,
                    bool *found, char **err)
{
	*found = false;
	*section = NULL;
	if (topic_out)
		*topic_out = NULL;
	if (need_version(st, err) < 0)
		return -1;
	sqlite3_stmt *s = prep(st, topic ? "SELECT topic, section, at FROM places WHERE topic = ?1"
	                                 : "SELECT topic, section, at FROM places ORDER BY at DESC, topic DESC LIMIT 1",
	                       err);
	if (!s)
		return -1;
	if (topic)
		sqlite3_bind_text(s, 1, topic, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*found = true;
		if (topic_out)
			*topic_out = xstrdup((const char *)sqlite3_column_text(s, 0));
		*section = xstrdup((const char *)sqlite3_column_text(s, 1));
		if (at)
			*at = sqlite3_column_int64(s, 2);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_fail(st, err, "cannot read the places in the lessons");
	return 0;
}

int store_count_cards(struct store *st, const char *topic, int64_t *n, char **err)
{
	*n = 0;
	if (need_version(st, err) < 0)
		return -1;
	sqlite3_stmt *s = prep(st, "SELECT count(*) FROM cards WHERE topic = ?1", err);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, topic, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return db_fail(st, err, "cannot count the cards");
	return 0;
}

/* Runs sql (binding topic as ?1, and a and b as ?2 and ?3 when it has
 * them) to its end inside the open transaction; *changes (may be NULL)
 * gets the rows it changed. */
static int step_topic(struct store *st, const char *sql, const char *topic, int64_t a, int64_t b,
                      int64_t *changes, char **err)
{
	sqlite3_stmt *s = prep(st, sql, err);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, topic, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(s) >= 3) {
		sqlite3_bind_int64(s, 2, a);
		sqlite3_bind_int64(s, 3, b);
	}
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_fail(st, err, "cannot reset the cards");
	if (changes)
		*changes = sqlite3_changes(st->db);
	return 0;
}

int store_forget_topic(struct store *st, const char *topic, int64_t now, int64_t *n, char **err)
{
	if (n)
		*n = 0;
	if (need_version(st, err) < 0 || need_writable(st, err) < 0)
		return -1;
	if (!topic || !*topic) {
		set_err(err, "forget needs a topic");
		return -1;
	}
	if (begin(st, err) < 0)
		return -1;
	int64_t removed = 0, latest = now;
	sqlite3_stmt *s = prep(st, "SELECT max(at) FROM reviews WHERE topic = ?1", err);
	if (!s)
		goto fail;
	sqlite3_bind_text(s, 1, topic, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL && sqlite3_column_int64(s, 0) > latest)
		latest = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW) {
		db_fail(st, err, "cannot read the review log");
		goto fail;
	}
	if (step_topic(st, "DELETE FROM cards WHERE topic = ?1", topic, 0, 0, &removed, err) < 0)
		goto fail;
	/* Nothing removed, nothing to record: undo has no card to bring back. */
	if (removed && step_topic(st, "INSERT INTO resets (topic, at, cards) VALUES (?1, ?2, ?3)", topic, latest,
	                          removed, NULL, err) < 0)
		goto fail;
	if (commit(st, err) < 0)
		return -1;
	if (n)
		*n = removed;
	return 0;
fail:
	rollback(st);
	return -1;
}

/* ---- disputes ---- */

int store_record_dispute(struct store *st, const struct store_dispute *d, int64_t *id, char **err)
{
	if (need_version(st, err) < 0 || need_writable(st, err) < 0)
		return -1;
	if (!d->question_id || !*d->question_id || !d->topic || !d->answer || !d->point) {
		set_err(err, "a dispute needs a question id, a topic, an answer and a point");
		return -1;
	}
	if (d->point_index < 0) {
		set_err(err, "bad point index %d", d->point_index);
		return -1;
	}
	if (begin(st, err) < 0)
		return -1;
	sqlite3_stmt *s = NULL;
	if (d->session_id != STORE_NO_SESSION) {
		bool ok = false;
		if (session_exists(st, d->session_id, &ok, err) < 0)
			goto fail;
		if (!ok) {
			set_err(err, "no session %lld", (long long)d->session_id);
			goto fail;
		}
	}
	s = prep(st, "INSERT INTO disputes (question_id, topic, at, answer, point_index, point, session_id)"
	             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", err);
	if (!s)
		goto fail;
	sqlite3_bind_text(s, 1, d->question_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, d->topic, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, d->at);
	sqlite3_bind_text(s, 4, d->answer, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 5, d->point_index);
	sqlite3_bind_text(s, 6, d->point, -1, SQLITE_STATIC);
	if (d->session_id != STORE_NO_SESSION)
		sqlite3_bind_int64(s, 7, d->session_id);
	if (sqlite3_step(s) != SQLITE_DONE) {
		db_fail(st, err, "cannot record the dispute");
		goto fail;
	}
	sqlite3_finalize(s);
	int64_t rid = sqlite3_last_insert_rowid(st->db);
	if (commit(st, err) < 0)
		return -1;
	if (id)
		*id = rid;
	return 0;
fail:
	sqlite3_finalize(s);
	rollback(st);
	return -1;
}

int store_each_dispute(struct store *st, store_dispute_fn fn, void *ud, char **err)
{
	if (need_version(st, err) < 0)
		return -1;
	sqlite3_stmt *s = prep(st,
	                       "SELECT id, question_id, topic, at, answer, point_index, point, session_id"
	                       " FROM disputes ORDER BY question_id, id",
	                       err);
	if (!s)
		return -1;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_dispute d = {
			.id = sqlite3_column_int64(s, 0),
			.question_id = (const char *)sqlite3_column_text(s, 1),
			.topic = (const char *)sqlite3_column_text(s, 2),
			.at = sqlite3_column_int64(s, 3),
			.answer = (const char *)sqlite3_column_text(s, 4),
			.point_index = sqlite3_column_int(s, 5),
			.point = (const char *)sqlite3_column_text(s, 6),
			.session_id = col_opt_int(s, 7, STORE_NO_SESSION),
		};
		if (fn(ud, &d)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_fail(st, err, "cannot read the disputes");
	return 0;
}

/* ---- sessions ---- */

const char *store_session_kind_name(enum store_session_kind kind)
{
	switch (kind) {
	case STORE_QUIZ:
		return "quiz";
	case STORE_REVIEW:
		return "review";
	case STORE_INTERVIEW:
		return "interview";
	case STORE_PREDICT:
		return "predict";
	case STORE_PRACTICE:
		return "practice";
	}
	return NULL;
}

int store_session_start(struct store *st, enum store_session_kind kind, int64_t now, int64_t *id, char **err)
{
	if (need_version(st, err) < 0 || need_writable(st, err) < 0)
		return -1;
	if (!store_session_kind_name(kind)) {
		set_err(err, "bad session kind %d", (int)kind);
		return -1;
	}
	if (begin(st, err) < 0)
		return -1;
	sqlite3_stmt *s = prep(st, "INSERT INTO sessions (kind, started) VALUES (?1, ?2)", err);
	if (!s)
		goto fail;
	sqlite3_bind_int(s, 1, (int)kind);
	sqlite3_bind_int64(s, 2, now);
	if (sqlite3_step(s) != SQLITE_DONE) {
		db_fail(st, err, "cannot start a session");
		goto fail;
	}
	sqlite3_finalize(s);
	int64_t rid = sqlite3_last_insert_rowid(st->db);
	if (commit(st, err) < 0)
		return -1;
	*id = rid;
	return 0;
fail:
	sqlite3_finalize(s);
	rollback(st);
	return -1;
}

int store_session_end(struct store *st, int64_t id, int64_t now, const char *results, double score, char **err)
{
	if (need_version(st, err) < 0 || need_writable(st, err) < 0)
		return -1;
	if (begin(st, err) < 0)
		return -1;
	sqlite3_stmt *s = prep(st, "UPDATE sessions SET ended = ?1, results = ?2, score = ?3 WHERE id = ?4", err);
	if (!s)
		goto fail;
	sqlite3_bind_int64(s, 1, now);
	if (results)
		sqlite3_bind_text(s, 2, results, -1, SQLITE_STATIC);
	bind_opt_double(s, 3, score);
	sqlite3_bind_int64(s, 4, id);
	if (sqlite3_step(s) != SQLITE_DONE) {
		db_fail(st, err, "cannot end the session");
		goto fail;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (sqlite3_changes(st->db) == 0) {
		set_err(err, "no session %lld", (long long)id);
		goto fail;
	}
	return commit(st, err);
fail:
	sqlite3_finalize(s);
	rollback(st);
	return -1;
}

/* ---- walks ---- */

/* Runs a card query (question_id, topic, then the 9 card columns) and calls
 * fn per row. s is finalized. */
static int walk_cards(struct store *st, sqlite3_stmt *s, store_card_fn fn, void *ud, char **err)
{
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_card c;
		col_card(s, 2, &c);
		if (fn(ud, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1), &c)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE) {
		db_fail(st, err, "cannot read the cards");
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

#define CARD_COLS "question_id, topic, state, step, stability, difficulty, due, last_review, reps, lapses, revision"

int store_each_card(struct store *st, const char *topic, store_card_fn fn, void *ud, char **err)
{
	if (need_version(st, err) < 0)
		return -1;
	sqlite3_stmt *s = prep(st,
	                       topic ? "SELECT " CARD_COLS " FROM cards WHERE topic = ?1 ORDER BY question_id"
	                             : "SELECT " CARD_COLS " FROM cards ORDER BY question_id",
	                       err);
	if (!s)
		return -1;
	if (topic)
		sqlite3_bind_text(s, 1, topic, -1, SQLITE_STATIC);
	return walk_cards(st, s, fn, ud, err);
}

int store_each_due(struct store *st, int64_t now, const char *topic, store_card_fn fn, void *ud, char **err)
{
	if (need_version(st, err) < 0)
		return -1;
	sqlite3_stmt *s = prep(st,
	                       topic ? "SELECT " CARD_COLS " FROM cards WHERE due <= ?1 AND topic = ?2"
	                               " ORDER BY due, question_id"
	                             : "SELECT " CARD_COLS " FROM cards WHERE due <= ?1 ORDER BY due, question_id",
	                       err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	if (topic)
		sqlite3_bind_text(s, 2, topic, -1, SQLITE_STATIC);
	return walk_cards(st, s, fn, ud, err);
}

int store_each_review_of(struct store *st, const char *question_id, store_review_fn fn, void *ud, char **err)
{
	if (need_version(st, err) < 0)
		return -1;
#define REVIEW_COLUMNS                                                                                   \
	"SELECT id, question_id, topic, at, rating, correct, score, duration_ms, answer,"                    \
	" session_id, was_new, before_state, before_step, before_stability,"                                 \
	" before_difficulty, before_due, before_last_review, before_reps, before_lapses,"                    \
	" before_revision FROM reviews "
	sqlite3_stmt *s = prep(st,
	                       question_id ? REVIEW_COLUMNS "WHERE question_id = ?1 ORDER BY at, id"
	                                   : REVIEW_COLUMNS "ORDER BY at, id",
	                       err);
#undef REVIEW_COLUMNS
	if (!s)
		return -1;
	if (question_id)
		sqlite3_bind_text(s, 1, question_id, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_review_row row;
		memset(&row, 0, sizeof row);
		row.id = sqlite3_column_int64(s, 0);
		row.question_id = (const char *)sqlite3_column_text(s, 1);
		row.topic = (const char *)sqlite3_column_text(s, 2);
		row.at = sqlite3_column_int64(s, 3);
		row.rating = (enum fsrs_rating)sqlite3_column_int(s, 4);
		row.correct = sqlite3_column_int(s, 5) != 0;
		row.score = col_opt_double(s, 6);
		row.duration_ms = col_opt_int(s, 7, -1);
		row.answer = (const char *)sqlite3_column_text(s, 8);
		row.session_id = col_opt_int(s, 9, STORE_NO_SESSION);
		row.was_new = sqlite3_column_int(s, 10) != 0;
		if (!row.was_new)
			col_card(s, 11, &row.before);
		if (fn(ud, &row)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_fail(st, err, "cannot read the review log");
	return 0;
}

int store_last_sessions(struct store *st, enum store_session_kind kind, int n, store_session_fn fn, void *ud,
                        char **err)
{
	if (need_version(st, err) < 0)
		return -1;
	sqlite3_stmt *s = prep(st,
	                       "SELECT id, kind, started, ended, results, score FROM sessions WHERE kind = ?1"
	                       " ORDER BY started DESC, id DESC LIMIT ?2",
	                       err);
	if (!s)
		return -1;
	sqlite3_bind_int(s, 1, (int)kind);
	sqlite3_bind_int(s, 2, n < 0 ? 0 : n);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_session se = {
			.id = sqlite3_column_int64(s, 0),
			.kind = (enum store_session_kind)sqlite3_column_int(s, 1),
			.started = sqlite3_column_int64(s, 2),
			.ended = col_opt_int(s, 3, STORE_NO_TIME),
			.results = (const char *)sqlite3_column_text(s, 4),
			.score = col_opt_double(s, 5),
		};
		if (fn(ud, &se)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_fail(st, err, "cannot read the sessions");
	return 0;
}

/* ---- counts ---- */

/* Runs a cached one-number query over [a, b) into *out. */
static int count_query(struct store *st, enum stmt_id stmt, int64_t a, int64_t b, int64_t *out, char **err)
{
	sqlite3_stmt *s = cached(st, stmt, err);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, a);
	sqlite3_bind_int64(s, 2, b);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return db_fail(st, err, "cannot count the reviews");
	return 0;
}

static int count_exact(struct store *st, int64_t from, int64_t to, bool new_only, int64_t *count, char **err)
{
	*count = 0;
	if (from >= to)
		return 0;
	return count_query(st, new_only ? S_COUNT_RANGE_NEW : S_COUNT_RANGE, from, to, count, err);
}

/* Counts the reviews with from <= at < to: the whole 15-minute buckets in
 * the range from review_counts, the parts at either end (a day bound that
 * is not on a quarter hour, times beyond the buckets) from the log. */
static int count_range(struct store *st, int64_t from, int64_t to, bool new_only, int64_t *count, char **err)
{
	*count = 0;
	if (from >= to)
		return 0;
	int64_t lo = from < -BUCKET_LIMIT ? -BUCKET_LIMIT : from > BUCKET_LIMIT ? BUCKET_LIMIT : from;
	int64_t hi = to < -BUCKET_LIMIT ? -BUCKET_LIMIT : to > BUCKET_LIMIT ? BUCKET_LIMIT : to;
	int64_t r = ((lo % 900) + 900) % 900;
	if (r)
		lo += 900 - r;       /* the first bucket that starts at or after from */
	hi -= ((hi % 900) + 900) % 900; /* the first bucket that does not end before to */
	if (lo >= hi)
		return count_exact(st, from, to, new_only, count, err);
	int64_t below = 0, above = 0;
	if (count_exact(st, from, lo, new_only, &below, err) < 0 ||
	    count_exact(st, hi, to, new_only, &above, err) < 0)
		return -1;
	int64_t whole = 0;
	if (count_query(st, new_only ? S_SUM_BUCKETS_NEW : S_SUM_BUCKETS, lo, hi, &whole, err) < 0)
		return -1;
	*count = below + whole + above;
	return 0;
}

int store_reviews_per_day(struct store *st, const int64_t *bounds, size_t ndays, int64_t *counts, char **err)
{
	if (need_version(st, err) < 0)
		return -1;
	for (size_t i = 0; i < ndays; i++)
		if (bounds[i + 1] < bounds[i]) {
			set_err(err, "day bounds are not increasing");
			return -1;
		}
	/* One read transaction, so the days add up to a consistent total. */
	if (exec(st, "BEGIN", err) < 0)
		return -1;
	for (size_t i = 0; i < ndays; i++)
		if (count_range(st, bounds[i], bounds[i + 1], false, &counts[i], err) < 0) {
			rollback(st);
			return -1;
		}
	return commit(st, err);
}

int store_count_reviews(struct store *st, int64_t from, int64_t to, bool new_only, int64_t *count, char **err)
{
	if (need_version(st, err) < 0)
		return -1;
	return count_range(st, from, to, new_only, count, err);
}

/* ---- diagnostics ---- */

int store_query_text(struct store *st, const char *sql, char **out, char **err)
{
	*out = NULL;
	sqlite3_stmt *s = NULL;
	const char *tail = NULL;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, &tail) != SQLITE_OK)
		return db_fail(st, err, "bad query");
	if (!s) {
		set_err(err, "empty query");
		return -1;
	}
	while (tail && (*tail == ' ' || *tail == '\t' || *tail == '\n' || *tail == ';'))
		tail++;
	if (!sqlite3_stmt_readonly(s) || (tail && *tail)) {
		sqlite3_finalize(s);
		set_err(err, "only one read-only statement is allowed");
		return -1;
	}
	struct buf b;
	buf_init(&b);
	int rc;
	int ncol = sqlite3_column_count(s);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		for (int i = 0; i < ncol; i++) {
			if (i)
				buf_addc(&b, '|');
			const char *t = (const char *)sqlite3_column_text(s, i);
			buf_puts(&b, t ? t : "NULL");
		}
		buf_addc(&b, '\n');
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		buf_release(&b);
		return db_fail(st, err, "query failed");
	}
	*out = buf_detach(&b);
	return 0;
}
