/*
 * store: the SQLite progress database. One FSRS card per question id, the
 * review log (with the card as it was before each review, so the last answer
 * can be taken back exactly), and the sessions (quiz, review, interview).
 *
 * The file is opened safely: before SQLite reads it, a non-empty file must
 * start with the SQLite header, hold whole pages and, when no WAL or journal
 * beside it holds pages not copied back yet, be exactly as long as the
 * database size in its header (bytes 28-31, valid when bytes 92-95 equal the
 * change counter at 24-27; never PRAGMA page_count, which counts pages still
 * in the WAL). Then user_version and application_id are read, so a damaged
 * file or one from a newer pydojo is refused and left byte for byte as it
 * was. Then WAL, synchronous=NORMAL, a 5 s busy timeout and foreign keys are
 * set and the schema is migrated forward, one transaction per version, after
 * a copy to PATH.bak-vN (N the version left; an existing one is kept). Every
 * write is one BEGIN IMMEDIATE transaction, so two pydojo processes can
 * share a database and a killed process loses at most the answer in hand.
 *
 * Design note, the whole-file check (PRAGMA quick_check, which reads every
 * page: 0.4 s at 1,000,000 reviews). Readers never run it. A writer holds a
 * shared flock(2) on its own descriptor of the file while it is open (flock
 * and SQLite's fcntl locks do not meet). When it opens alone (the flock is
 * its exclusively), it runs the check unless the stamp PATH.clean matches
 * the file: the stamp holds the device, inode, size and modification time
 * (ns) the file had when the last writer closed cleanly, and a leftover WAL
 * or journal with pages also means "not clean". So a crash (the stamp was
 * removed at open and not written again), a copy or restore over the file,
 * or any write by another program (the time changes) brings the check
 * back. A writer that opens beside another skips it: that one checked, or
 * found the stamp, and the file has been in use since. The stamp is removed
 * when a writer opens, and written by the last writer out (it gets the flock
 * exclusively), after a TRUNCATE checkpoint has emptied the WAL into the
 * file and SQLite has closed it.
 *
 * A card keeps the revision of its question (the content's `revised: N`)
 * it was last answered at, so a question revised since is due again; and
 * the disputes table keeps each key point a learner says an answer made
 * although the grader missed it, for the rubric's author.
 *
 * Counts of reviews (stats, the daily new-card limit) come from
 * review_counts, the reviews of each 15-minute UTC bucket, which triggers
 * on the log keep equal to it whatever writes the log; 900 s divides every
 * UTC offset in use (+5:30 and +5:45 included), so a local day is whole
 * buckets, and any other bound is counted exactly from the log.
 *
 * It deliberately does not schedule (fsrs does), read the clock (every time
 * is a `now` or range argument, int64_t seconds since the epoch, UTC), know
 * the catalog (progress is keyed on question ids, so a question that left
 * the content keeps its card), or know where "today" starts on the user's
 * calendar (day boundaries are passed in).
 *
 * Ownership: struct store owns the sqlite handle and its prepared
 * statements; store_close() finalizes them. Strings handed to callbacks are
 * borrowed and valid only during the call. Strings returned through char **
 * are new; the caller frees them. Errors: functions return 0, or -1 and,
 * when err is not NULL, set *err to a one-line reason (a new string).
 * Callbacks return 0 to go on, or non-zero to stop the iteration (the
 * function then returns 0); they may read from the store but must not write
 * to it (collect first, write after).
 */
#ifndef PYDOJO_STORE_H
#define PYDOJO_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fsrs.h"

/* The schema version this code writes (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 5
/* PRAGMA application_id of a pydojo database ("pyDj"). */
#define STORE_APPLICATION_ID 0x70794a6a
/* The busy timeout of every connection, in milliseconds. */
#define STORE_BUSY_TIMEOUT_MS 5000
/* A time that is not set (a session not ended yet). */
#define STORE_NO_TIME INT64_MIN
/* session_id of a review outside any session; as a filter, any session. */
#define STORE_NO_SESSION 0

struct store;

/* A card as stored: the FSRS card plus its counters. */
struct store_card {
	struct fsrs_card fsrs;
	int reps;    /* reviews of this card */
	int lapses;  /* Again ratings given while the card was in Review */
	int revision; /* the question's revision it was last answered at (0: none) */
};

enum store_session_kind {
	STORE_QUIZ = 1,
	STORE_REVIEW = 2,
	STORE_INTERVIEW = 3,
	STORE_PREDICT = 4,   /* a demo's predictions */
	STORE_PRACTICE = 5,  /* code exercises (`practice`) */
};

/* One answered question, as store_record_review takes it. */
struct store_review {
	const char *question_id;   /* required, non-empty */
	const char *topic;         /* required */
	int64_t at;                /* when it was answered */
	enum fsrs_rating rating;   /* 1..4 */
	bool correct;
	double score;              /* 0..1 (key points found / points); NAN: none */
	int64_t duration_ms;       /* time taken to answer; < 0: unknown */
	const char *answer;        /* the answer text; NULL: none (skipped) */
	int64_t session_id;        /* STORE_NO_SESSION or a store_session_start id */
	int revision;              /* the question's revision it was answered at (>= 0) */
};

/* A disputed grade: the learner says answer made the rubric's point
 * point_index (0-based) although the grader missed it. As handed to
 * store_each_dispute callbacks, id is set and the strings are borrowed. */
struct store_dispute {
	int64_t id;                /* set by store_record_dispute */
	const char *question_id;   /* required, non-empty */
	const char *topic;         /* required */
	int64_t at;
	const char *answer;        /* required */
	int point_index;           /* >= 0 */
	const char *point;         /* the point's text when disputed; required */
	int64_t session_id;        /* STORE_NO_SESSION or a store_session_start id */
};

/* A review log row, as handed to store_each_review_of callbacks. */
struct store_review_row {
	int64_t id;
	const char *question_id;
	const char *topic;
	int64_t at;
	enum fsrs_rating rating;
	bool correct;
	double score;              /* NAN when none was recorded */
	int64_t duration_ms;       /* -1 when unknown */
	const char *answer;        /* NULL when none */
	int64_t session_id;        /* STORE_NO_SESSION when none */
	bool was_new;              /* the card did not exist before this review */
	struct store_card before;  /* the card before the review (unset when was_new) */
};

/* A session row, as handed to store_last_sessions callbacks. */
struct store_session {
	int64_t id;
	enum store_session_kind kind;
	int64_t started;
	int64_t ended;             /* STORE_NO_TIME while not ended */
	const char *results;       /* the per-topic results (JSON); NULL: none */
	double score;              /* NAN when none */
};

typedef int (*store_card_fn)(void *ud, const char *question_id, const char *topic,
		const struct store_card *card);
typedef int (*store_review_fn)(void *ud, const struct store_review_row *row);
typedef int (*store_session_fn)(void *ud, const struct store_session *s);
typedef int (*store_dispute_fn)(void *ud, const struct store_dispute *d);

/* Opens (creating when missing) the database at path, creating its missing
 * parent folders with mode 0700, and migrates it to STORE_SCHEMA_VERSION.
 * Returns the store, or NULL with *err set (a new string) when the folder
 * cannot be made or written, the file cannot be opened, is corrupt ("database
 * 'PATH' is corrupt: ..."), is not a pydojo database, or has a schema newer
 * than this code ("database 'PATH' has schema version N, newer than this
 * pydojo (M)"). A refused file is never modified. path ":memory:" opens a
 * private in-memory database (tests). */
struct store *store_open(const char *path, char **err);

/* As store_open, but migrates only up to schema version target
 * (0..STORE_SCHEMA_VERSION). For tests of the migration path: a store at an
 * older version serves store_query_text only. */
struct store *store_open_version(const char *path, int target, char **err);

/* As store_open, for commands that only read (stats, mastery counts): the
 * connection is query_only, so the functions that write fail. An existing
 * file at STORE_SCHEMA_VERSION gets the header check and is never scanned
 * by quick_check; damage met while reading is an error "database 'PATH' is
 * corrupt: ...". It needs only read access: a file this user cannot write
 * is opened read-only (immutable when no WAL or shared-memory file is
 * beside it, as no writer has it open). A missing file, or one at an older
 * schema, is created or migrated as store_open does. */
struct store *store_open_readonly(const char *path, char **err);
/* Whether st came from store_open_readonly. */
bool store_is_readonly(const struct store *st);
/* Whether opening st ran the whole-file check (see the design note). */
bool store_checked(const struct store *st);

/* Finalizes the statements and closes the database; the last writer out
 * writes the clean-close stamp. Accepts NULL. */
void store_close(struct store *st);

/* The schema version of the open database. */
int store_schema_version(const struct store *st);

/* Looks up the card of question_id. Sets *found, and *out: the stored card,
 * or when there is none a new card due at now (fsrs_card_init, reps and
 * lapses 0). */
int store_get_card(struct store *st, const char *question_id, int64_t now,
		struct store_card *out, bool *found, char **err);

/* Records one answered question in one BEGIN IMMEDIATE transaction: reads
 * the card as stored (absent: new), appends the review with that card state
 * to the log, and writes the card: after (the fsrs_review result) with the
 * topic of r, reps + 1, lapses + 1 when r->rating is Again and the card
 * was in Review, and the revision of r. Sets *review_id (may be NULL) to the new log row id.
 * Fails, writing nothing, on a bad rating or card, an unknown session, or a
 * database error (busy longer than the busy timeout included). */
int store_record_review(struct store *st, const struct store_review *r,
		const struct fsrs_card *after, int64_t *review_id, char **err);

/* Takes back the latest review (of session_id, or of any session with
 * STORE_NO_SESSION) in one BEGIN IMMEDIATE transaction: the card goes back
 * to its state before that review, or is deleted when the review created it,
 * and the review leaves the log. Sets *question_id to the question undone (a
 * new string), or to NULL when there is nothing to undo. Fails, changing
 * nothing, when the question was reviewed again after that review, or when
 * its topic was reset (store_forget_topic) at or after it: undo never brings
 * back a card from before a reset. */
int store_undo_last(struct store *st, int64_t session_id, char **question_id, char **err);

/* Starts a session at now; sets *id. */
int store_session_start(struct store *st, enum store_session_kind kind, int64_t now,
		int64_t *id, char **err);
/* Ends session id at now with its per-topic results (a JSON text, stored as
 * given; NULL for none) and score (NAN for none). Fails when there is no such
 * session. Ending it again overwrites. */
int store_session_end(struct store *st, int64_t id, int64_t now, const char *results,
		double score, char **err);

/* Calls fn for every card (of topic, or of all topics when topic is NULL),
 * ordered by question id. */
int store_each_card(struct store *st, const char *topic, store_card_fn fn, void *ud,
		char **err);
/* Calls fn for every card due at now (due <= now) of topic (NULL: all),
 * most overdue first (earliest due; ties by question id). */
int store_each_due(struct store *st, int64_t now, const char *topic, store_card_fn fn,
		void *ud, char **err);
/* Calls fn for every review of question_id (NULL: of every question),
 * oldest first. */
int store_each_review_of(struct store *st, const char *question_id, store_review_fn fn,
		void *ud, char **err);
/* Calls fn for the last n sessions of kind (latest start first). */
int store_last_sessions(struct store *st, enum store_session_kind kind, int n,
		store_session_fn fn, void *ud, char **err);

/* Counts the reviews in each of ndays days: day i is [bounds[i],
 * bounds[i + 1]), so bounds holds ndays + 1 increasing times (the caller's
 * local midnights; a DST day need not be 86400 s). counts has ndays items. */
int store_reviews_per_day(struct store *st, const int64_t *bounds, size_t ndays,
		int64_t *counts, char **err);
/* Counts the reviews with from <= at < to; with new_only, only those that
 * introduced a new card (for the daily new-card limit). */
int store_count_reviews(struct store *st, int64_t from, int64_t to, bool new_only,
		int64_t *count, char **err);

/* Records a disputed grade (d->id is ignored) in one BEGIN IMMEDIATE
 * transaction; sets *id (may be NULL) to its row id. Fails, writing
 * nothing, when a required field is missing, point_index < 0, the session
 * is unknown, or on a database error. */
int store_record_dispute(struct store *st, const struct store_dispute *d, int64_t *id, char **err);
/* Calls fn for every dispute, grouped by question (ordered by question id,
 * then oldest first). */
int store_each_dispute(struct store *st, store_dispute_fn fn, void *ud, char **err);

/* ---- places and resets ----
 *
 * A place is the section of a lesson last shown (its section id), per
 * topic, for `learn` to resume; a reset is a `forget` of a topic's cards. */

/* Stores section (a section id, non-empty) as topic's place at now, in one
 * statement (an upsert; it needs no transaction of its own). */
int store_place_set(struct store *st, const char *topic, const char *section, int64_t now, char **err);
/* The place of topic, or with topic NULL the latest place stored (ties:
 * the greatest topic id). Sets *found; when found, *section (and *topic_out
 * when not NULL) to new strings and *at (may be NULL) to its time. */
int store_place_get(struct store *st, const char *topic, char **topic_out, char **section, int64_t *at,
                    bool *found, char **err);
/* Deletes every card of topic in one BEGIN IMMEDIATE transaction and adds a
 * resets row (at: now, or the latest review of the topic when that is
 * later, so every review before the reset is at or before it); the review
 * log keeps its reviews. Sets *n (may be NULL) to the cards removed.
 * Resetting a topic without cards removes nothing and records nothing. */
int store_forget_topic(struct store *st, const char *topic, int64_t now, int64_t *n, char **err);
/* Counts the cards of topic into *n. */
int store_count_cards(struct store *st, const char *topic, int64_t *n, char **err);

/* "quiz", "review", "interview"; NULL for any other value. */
const char *store_session_kind_name(enum store_session_kind kind);

/* For tests and diagnostics: runs one read-only SQL statement (anything that
 * would write is refused) and sets *out to its rows as a new string: columns
 * joined by '|', each row ended by '\n', NULL as "NULL". */
int store_query_text(struct store *st, const char *sql, char **out, char **err);

#endif
