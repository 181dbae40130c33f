"""The progress database as the binary meets it: a corrupt file (noise, a
truncated real database, one byte short, a one-byte file), one from a newer
pydojo and another program's SQLite file each give exit 3, one error line,
and leave the file byte for byte as it was; --db in a folder that does not
exist, or under a file, is a clear error; the default path is made under
XDG_DATA_HOME. A database this user cannot write still serves stats and
topics. The previous releases' databases (tests/data/progress-v1.db and
progress-v2.db, progress-v3.db, progress-v4.db) are migrated with a backup, keeping every card, review,
session and count bucket, with review counts equal to the log. Sessions killed with SIGKILL at random points lose no
acknowledged answer and leave a sound database (PYDOJO_KILL_LOOP sets the
number of kills, 30 by default), and several sessions answering into one
database at once all succeed."""

import datetime
import os
import random
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
import zoneinfo

from clitest import BIN, expect, run, run_tests
from progress_helpers import content_env

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sessionlib import HEADER, Driver, Env, right_answer, wrong_answer  # noqa: E402

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "progress-v1.db")
FIXTURE_V2 = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "progress-v2.db")
FIXTURE_V3 = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "progress-v3.db")
FIXTURE_V4 = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "progress-v4.db")

NOW = "2024-03-13T15:00:00Z"


def stats(env, db):
    return run(["--db", db, "stats", "--json"], env=env)


def make_real(env, db, rows=400):
    """A real pydojo database with enough rows for many pages."""
    rc, out, err = stats(env, db)
    expect(rc == 0, f"stats on a new database: {rc} {err}")
    con = sqlite3.connect(db)
    for i in range(rows):
        con.execute("INSERT INTO reviews (question_id, topic, at, rating, correct,"
                    " answer, was_new) VALUES (?, 'alpha', ?, 3, 1, ?, 1)",
                    (f"q-{i}", 1700000000 + i, "an answer " * 20))
    con.commit()
    con.close()
    for suffix in ("-wal", "-shm"):
        expect(not os.path.exists(db + suffix), f"{suffix} left after close")


def beside(db):
    """The files beside db, but for the private XDG folders (the catalog
    cache is made before the database is opened)."""
    return sorted(n for n in os.listdir(os.path.dirname(db)) if not n.startswith("xdg_"))


def refused(env, db, want):
    with open(db, "rb") as f:
        before = f.read()
    listing = beside(db)
    rc, out, err = stats(env, db)
    expect(rc == 3, f"exit {rc}, wanted 3: {err!r}")
    expect(out == "", f"output on refusal: {out!r}")
    lines = err.splitlines()
    expect(len(lines) == 1, f"not one line: {err!r}")
    expect(want in lines[0] and db in lines[0], f"{lines[0]!r} lacks {want!r}")
    with open(db, "rb") as f:
        expect(f.read() == before, "the refused database was modified")
    expect(beside(db) == listing,
           "files appeared beside the refused database")


def test_garbage():
    with tempfile.TemporaryDirectory() as tmp:
        env = content_env(tmp, NOW)
        db = os.path.join(tmp, "noise.db")
        with open(db, "wb") as f:
            f.write(bytes((i * 131 + 7) % 256 for i in range(16384)))
        refused(env, db, "is corrupt")
        with open(db, "w") as f:
            f.write("SQLite format 3\0 but then nothing sensible\n" * 50)
        refused(env, db, "is corrupt")


def test_truncated():
    with tempfile.TemporaryDirectory() as tmp:
        env = content_env(tmp, NOW)
        db = os.path.join(tmp, "progress.db")
        make_real(env, db)
        size = os.path.getsize(db)
        expect(size > 16 * 4096, f"only {size} bytes")
        os.truncate(db, size // 2)
        refused(env, db, "is corrupt")


def test_one_byte_off():
    with tempfile.TemporaryDirectory() as tmp:
        env = content_env(tmp, NOW)
        db = os.path.join(tmp, "progress.db")
        make_real(env, db)
        rc, out, err = run(["--db", db, "undo"], env=env)   # a writer: stamps it
        expect(rc == 0, f"undo: {rc} {err}")
        size = os.path.getsize(db)
        os.truncate(db, size - 1)
        refused(env, db, "is corrupt")
        # The writing path refuses it too, and writes nothing.
        with open(db, "rb") as f:
            before = f.read()
        rc, out, err = run(["--db", db, "undo"], env=env)
        expect(rc == 3 and "is corrupt" in err, f"undo: {rc} {err!r}")
        with open(db, "rb") as f:
            expect(f.read() == before, "undo modified the refused database")


def test_not_sqlite():
    with tempfile.TemporaryDirectory() as tmp:
        env = content_env(tmp, NOW)
        db = os.path.join(tmp, "progress.db")
        for data in (b"x", b"\n", b"SQLite format 3\0"):
            with open(db, "wb") as f:
                f.write(data)
            refused(env, db, "not a SQLite database")
            rc, out, err = run(["--db", db, "undo"], env=env)
            expect(rc == 3 and "not a SQLite database" in err, f"undo: {rc} {err!r}")
            with open(db, "rb") as f:
                expect(f.read() == data, "a short file was replaced")


def as_nobody(args, env):
    p = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", BIN, *args],
                       env=env, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def test_read_only_database():
    """Mode 0444, read by a user who cannot write it (tests run as root,
    who can: so as uid 65534), in a folder that user cannot write either:
    stats and topics read it and leave nothing behind."""
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        env = content_env(tmp, NOW)
        db = os.path.join(tmp, "progress.db")
        make_real(env, db, rows=50)
        rc, want, err = stats(env, db)
        expect(rc == 0, err)
        os.chmod(db, 0o444)
        listing = sorted(os.listdir(tmp))
        for args in (["stats", "--json"], ["stats"], ["topics"], ["topics", "--json"]):
            rc, out, err = as_nobody(["--db", db, *args], env)
            expect(rc == 0 and err == "", f"{args}: exit {rc}: {err!r}")
            if args == ["stats", "--json"]:
                expect(out == want, "stats as another user differs")
        expect(sorted(os.listdir(tmp)) == listing, "files appeared beside the database")
        # The folder writable, a writer's files beside it: still read.
        os.chmod(tmp, 0o777)
        con = sqlite3.connect(db)   # root: holds -wal and -shm open
        con.execute("SELECT count(*) FROM reviews").fetchall()
        rc, out, err = as_nobody(["--db", db, "stats", "--json"], env)
        con.close()
        expect(rc == 0 and out == want, f"beside a reader: exit {rc}: {err!r}")
        # Writing is what needs write access.
        rc, out, err = as_nobody(["--db", db, "undo"], env)
        expect(rc == 3 and "read-only" in err, f"undo: {rc} {err!r}")


def log_buckets(db):
    con = sqlite3.connect(db)
    try:
        counts = con.execute("SELECT bucket, n, n_new FROM review_counts ORDER BY bucket").fetchall()
        log = con.execute("SELECT at - (at % 900 + 900) % 900 AS k, count(*), sum(was_new != 0)"
                          " FROM reviews GROUP BY k ORDER BY k").fetchall()
    finally:
        con.close()
    return counts, log


SCHEMA = 5


def migrate_fixture(fixture, version, nreviews, ncards, ndisputes=0):
    """Migrates a copy of a previous release's database with stats and
    checks that every card, review, session and count bucket is kept, the
    new schema is there, and the backup is the file as it was."""
    import json
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "progress.db")
        shutil.copy(fixture, db)
        con = sqlite3.connect(db)
        cols = {t: [r[1] for r in con.execute(f"PRAGMA table_info({t})")] for t in ("cards", "reviews", "sessions")}

        def rows(c, t):
            return c.execute(f"SELECT {', '.join(cols[t])} FROM {t} ORDER BY 1").fetchall()
        old = {t: rows(con, t) for t in cols}
        buckets = con.execute("SELECT * FROM review_counts ORDER BY bucket").fetchall() if version >= 2 else None
        uv, = con.execute("PRAGMA user_version").fetchone()
        con.close()
        reviews = old["reviews"]
        expect(uv == version and len(reviews) == nreviews and len(old["cards"]) == ncards,
               f"fixture: {uv} {len(reviews)} {len(old['cards'])}")
        env = content_env(tmp, "2025-03-04T12:00:00Z")
        rc, out, err = run(["--db", db, "stats", "--json"], env=env)
        expect(rc == 0, f"stats: {rc} {err}")
        j = json.loads(out)
        expect(j["reviews"] == nreviews, f"reviews {j['reviews']}")
        expect(sum(j["disputes"].values()) == ndisputes, f"disputes {j['disputes']}")
        days = j["heatmap"]["days"]
        start = datetime.date.fromisoformat(j["heatmap"]["start"])
        per_day = {}
        for r in reviews:
            d = datetime.datetime.fromtimestamp(r[3], datetime.timezone.utc).date()
            per_day[d] = per_day.get(d, 0) + 1
        want = [per_day.get(start + datetime.timedelta(days=i), 0) for i in range(len(days))]
        expect(days == want, f"heatmap {days} != {want}")
        con = sqlite3.connect(db)
        uv, = con.execute("PRAGMA user_version").fetchone()
        expect(uv == SCHEMA, f"migrated to {uv}")
        for t in cols:
            expect(rows(con, t) == old[t], f"{t} changed")
        if version < 3:
            expect(con.execute("SELECT count(*) FROM cards WHERE revision != 0").fetchone() == (0,),
                   "cards got a revision")
        expect(con.execute("SELECT count(*) FROM disputes").fetchone() == (ndisputes,), "disputes changed")
        expect(con.execute("PRAGMA foreign_key_check").fetchall() == [], "foreign keys broken")
        expect(con.execute("PRAGMA integrity_check").fetchone() == ("ok",), "integrity")
        for t in ("places", "resets"):
            expect(con.execute(f"SELECT count(*) FROM {t}").fetchone() == (0,), f"{t} not empty")
        # Version 4 allows the predict session kind, version 5 practice (a
        # rebuilt CHECK each time).
        sql, = con.execute("SELECT sql FROM sqlite_master WHERE name = 'sessions'").fetchone()
        expect("(1, 2, 3, 4, 5)" in sql, sql)
        if buckets is not None:
            expect(con.execute("SELECT * FROM review_counts ORDER BY bucket").fetchall() == buckets,
                   "count buckets changed")
        con.close()
        counts, log = log_buckets(db)
        expect(counts == log and sum(c[1] for c in counts) == nreviews, f"{counts} != {log}")
        # The backup is the file as it was.
        bak = db + f".bak-v{version}"
        con = sqlite3.connect(bak)
        expect(con.execute("PRAGMA user_version").fetchone() == (version,), "backup version")
        expect(rows(con, "reviews") == reviews, "backup reviews")
        expect(rows(con, "cards") == old["cards"], "backup cards")
        con.close()
        # The migrated file serves a session: a quiz answer is recorded.
        rc, out, err = run(["--db", db, "--seed", "1", "--no-fuzz", "quiz", "alpha", "-n", "1"], env=env,
                           stdin="skip\n")
        expect(rc == 0, f"quiz on the migrated file: {rc} {err}")


def test_migrate_previous_release():
    """Version 1 to the current one in one open (the backup is .bak-v1)."""
    migrate_fixture(FIXTURE, 1, 16, 10)


def test_migrate_release_v2():
    """Version 2 (four sessions of quiz and review, one answer undone)."""
    migrate_fixture(FIXTURE_V2, 2, 20, 12)


def test_migrate_release_v3():
    """Version 3 (quiz, review and interview sessions, one answer undone, one
    disputed grade) to 4: the sessions table is rebuilt with every row."""
    migrate_fixture(FIXTURE_V3, 3, 8, 6, ndisputes=1)


def test_migrate_release_v4():
    """Version 4 (quiz, review, interview and predict sessions; a quiz with
    no answer) to 5: the sessions table is rebuilt with every row."""
    migrate_fixture(FIXTURE_V4, 4, 6, 5)


def test_counts_in_half_hour_zones():
    """Local days of +5:30 and +5:45 start on quarter hours: the heatmap
    from the buckets equals the log counted by local day."""
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "progress.db")
        env = content_env(tmp, NOW)
        rc, out, err = stats(env, db)
        expect(rc == 0, err)
        base = int(datetime.datetime(2024, 3, 10, tzinfo=datetime.timezone.utc).timestamp())
        ats = []
        for day in range(3):
            for m in (18 * 60 + 14, 18 * 60 + 15, 18 * 60 + 29, 18 * 60 + 30, 18 * 60 + 44, 18 * 60 + 45):
                for sec in (0, 59):
                    ats.append(base + day * 86400 + m * 60 + sec)
        con = sqlite3.connect(db)
        for i, at in enumerate(ats):
            con.execute("INSERT INTO reviews (question_id, topic, at, rating, correct, was_new)"
                        " VALUES (?, 'alpha', ?, 3, 1, 0)", (f"q{i % 7}", at))
        con.commit()
        con.close()
        import json
        for tz in ("Asia/Kolkata", "Asia/Kathmandu", "America/St_Johns", "UTC"):
            zenv = dict(env, TZ=tz)
            rc, out, err = run(["--db", db, "stats", "--json"], env=zenv)
            expect(rc == 0, err)
            j = json.loads(out)
            start = datetime.date.fromisoformat(j["heatmap"]["start"])
            z = zoneinfo.ZoneInfo(tz)
            per_day = {}
            for at in ats:
                d = datetime.datetime.fromtimestamp(at, z).date()
                per_day[d] = per_day.get(d, 0) + 1
            want = [per_day.get(start + datetime.timedelta(days=i), 0)
                    for i in range(len(j["heatmap"]["days"]))]
            expect(j["heatmap"]["days"] == want, f"{tz}: {j['heatmap']['days']} != {want}")
            expect(j["reviews"] == len(ats), f"{tz}: total")


ASK_END = r"for keys$|^score: |^no answers recorded"


def next_question(d):
    lines, last = d.read_until(ASK_END)
    if last is None or not last.endswith("for keys"):
        return None, "\n".join(lines)
    start = max(i for i, line in enumerate(lines) if HEADER.match(line))
    return HEADER.match(lines[start]).group(4), "\n".join(lines[start:])


def sound(e, acked, what):
    """integrity_check, every acknowledged answer in the log, the counts
    equal to the log, and the next session opens."""
    rows = e.sql("PRAGMA integrity_check")
    expect(rows == [("ok",)], f"{what}: integrity_check {rows}")
    have = {}
    for qid, n in e.sql("SELECT question_id, count(*) FROM reviews GROUP BY question_id"):
        have[qid] = n
    for qid, n in acked.items():
        expect(have.get(qid, 0) >= n, f"{what}: {qid} answered {n} times, {have.get(qid, 0)} in the log")
    counts, log = log_buckets(e.db)
    expect(counts == log, f"{what}: counts differ from the log")


def test_kill9_loop():
    kills = int(os.environ.get("PYDOJO_KILL_LOOP", "30"))
    e = Env()
    rng = random.Random(20240313)
    acked = {}
    for i in range(kills):
        p = e.popen("quiz", "gil", "-n", "4", seed=i)
        d = Driver(p)
        answers = rng.randrange(0, 5)      # 4: the session ends, killed while closing
        for k in range(answers):
            qid, block = next_question(d)
            if qid is None:
                break
            if k:
                acked[prev] = acked.get(prev, 0) + 1   # its next question came: recorded
            q = e.questions[qid]
            d.send(*(right_answer(q, block) if rng.random() < 0.6 else wrong_answer(q, block)))
            d.send("")
            prev = qid
        # Somewhere in recording the last answer, ending or closing.
        time.sleep(rng.uniform(0, 0.03))
        p.kill()
        p.wait(timeout=30)
        p.stdout.close()
        p.stdin.close()
        p.stderr.close()
        if i % 10 == 9:
            sound(e, acked, f"after {i + 1} kills")
    sound(e, acked, f"after {kills} kills")
    expect(sum(acked.values()) >= kills, f"only {sum(acked.values())} answers acknowledged")
    r = e.run("stats", "--json")
    expect(r.returncode == 0, f"stats after the kills: {r.stderr}")
    e.tmpobj.cleanup()


def test_concurrent_writers():
    e = Env()
    n, per = 6, 6
    procs = [e.popen("quiz", "gil", "-n", str(per), seed=100 + k) for k in range(n)]
    drivers = [Driver(p) for p in procs]
    for step in range(per):
        shown = [next_question(d) for d in drivers]
        for d, (qid, block) in zip(drivers, shown):
            expect(qid is not None, f"step {step}: no question")
            d.send(*right_answer(e.questions[qid], block))
            d.send("")
    for d in drivers:
        d.p.stdin.close()
    for p in procs:
        out = p.stdout.read()
        err = p.stderr.read()
        rc = p.wait(timeout=60)
        expect(rc == 0 and "locked" not in err and "error" not in err, f"exit {rc}: {err!r}")
        expect("score: " in out or "score" in out, "no end of session")
        p.stdout.close()
        p.stderr.close()
    got = e.sql("SELECT count(*) FROM reviews")[0][0]
    expect(got == n * per, f"{got} reviews, wanted {n * per}")
    expect(e.sql("PRAGMA integrity_check") == [("ok",)], "integrity_check")
    counts, log = log_buckets(e.db)
    expect(counts == log, "counts differ from the log")
    expect(os.path.exists(e.db + ".clean"), "the last one out did not stamp the database")
    e.tmpobj.cleanup()


def test_newer_schema():
    with tempfile.TemporaryDirectory() as tmp:
        env = content_env(tmp, NOW)
        db = os.path.join(tmp, "progress.db")
        make_real(env, db, rows=10)
        con = sqlite3.connect(db)
        con.execute("PRAGMA user_version = 99")
        con.commit()
        con.close()
        refused(env, db, "has schema version 99, newer than this pydojo")
        # Still refused, still the same, the second time.
        refused(env, db, "newer than this pydojo")


def test_foreign_database():
    with tempfile.TemporaryDirectory() as tmp:
        env = content_env(tmp, NOW)
        db = os.path.join(tmp, "notes.db")
        con = sqlite3.connect(db)
        con.execute("CREATE TABLE notes (body TEXT)")
        con.execute("INSERT INTO notes VALUES ('mine')")
        con.commit()
        con.close()
        refused(env, db, "is not a pydojo database")


def test_missing_folder():
    with tempfile.TemporaryDirectory() as tmp:
        env = content_env(tmp, NOW)
        db = os.path.join(tmp, "no", "such", "progress.db")
        rc, out, err = stats(env, db)
        expect(rc == 3 and out == "", f"{rc} {out!r}")
        expect(len(err.splitlines()) == 1 and "No such file or directory" in err
               and os.path.join(tmp, "no", "such") in err, err)
        expect(not os.path.exists(os.path.join(tmp, "no")),
               "an explicit --db made folders")


def test_under_a_file():
    with tempfile.TemporaryDirectory() as tmp:
        env = content_env(tmp, NOW)
        for db in ("/etc/passwd/x.db", os.path.join(tmp, "content", "lessons",
                                                    "alpha.yaml", "x.db")):
            rc, out, err = stats(env, db)
            expect(rc == 3 and out == "", f"{db}: {rc}")
            expect(len(err.splitlines()) == 1 and "Not a directory" in err, err)


def test_folder_as_database():
    with tempfile.TemporaryDirectory() as tmp:
        env = content_env(tmp, NOW)
        rc, out, err = stats(env, tmp)
        expect(rc == 3 and "is a folder" in err and len(err.splitlines()) == 1,
               f"{rc} {err!r}")


def test_read_only_folder():
    """A folder its user cannot write (as uid 65534 when the tests run as
    root, for whom folder permissions do not block writing)."""
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        env = content_env(tmp, NOW)
        ro = os.path.join(tmp, "ro")
        os.mkdir(ro, 0o555)
        try:
            db = os.path.join(ro, "progress.db")
            args = ["--db", db, "stats"]
            rc, out, err = as_nobody(args, env) if os.geteuid() == 0 else stats(env, db)
            expect(rc == 3 and "cannot write" in err and len(err.splitlines()) == 1,
                   f"{rc} {err!r}")
            expect(not os.path.exists(db), "a database appeared in a read-only folder")
        finally:
            os.chmod(ro, 0o700)


def test_default_path():
    with tempfile.TemporaryDirectory() as tmp:
        env = content_env(tmp, NOW)
        env["XDG_DATA_HOME"] = os.path.join(tmp, "deep", "data")
        rc, out, err = run(["stats", "--json"], env=env)
        expect(rc == 0, f"{rc} {err}")
        db = os.path.join(tmp, "deep", "data", "pydojo", "progress.db")
        expect(os.path.isfile(db), "no database at the XDG path")
        mode = stat.S_IMODE(os.stat(os.path.dirname(db)).st_mode)
        expect(mode == 0o700, f"folder mode {oct(mode)}")
        con = sqlite3.connect(db)
        uv, = con.execute("PRAGMA user_version").fetchone()
        jm, = con.execute("PRAGMA journal_mode").fetchone()
        con.close()
        expect(uv == SCHEMA and jm == "wal", f"user_version {uv}, journal {jm}")
        # Without HOME or XDG_DATA_HOME there is no default.
        del env["XDG_DATA_HOME"]
        del env["HOME"]
        rc, out, err = run(["stats"], env=env)
        expect(rc == 3 and "--db" in err and len(err.splitlines()) == 1,
               f"{rc} {err!r}")


if __name__ == "__main__":
    run_tests(globals())
