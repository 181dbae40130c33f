"""The progress database as the binary meets it: a corrupt file (noise, a
truncated real database), one from a newer pydojo and another program's
SQLite file each give exit 3, one error line, and leave the file byte for
byte as it was; --db in a folder that does not exist, or under a file, is a
clear error; the default path is made under XDG_DATA_HOME."""

import os
import sqlite3
import stat
import tempfile

from clitest import expect, run, run_tests
from progress_helpers import content_env

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
    if os.geteuid() == 0:
        print("skip: running as root, where folder permissions do not block"
              " writing (the path-under-a-file case covers the error path)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        env = content_env(tmp, NOW)
        ro = os.path.join(tmp, "ro")
        os.mkdir(ro, 0o500)
        try:
            rc, out, err = stats(env, os.path.join(ro, "progress.db"))
            expect(rc == 3 and "cannot write" in err, f"{rc} {err!r}")
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
        expect(uv == 1 and jm == "wal", f"user_version {uv}, journal {jm}")
        # Without HOME or XDG_DATA_HOME there is no default.
        del env["XDG_DATA_HOME"]
        del env["HOME"]
        rc, out, err = run(["stats"], env=env)
        expect(rc == 3 and "--db" in err and len(err.splitlines()) == 1,
               f"{rc} {err!r}")


if __name__ == "__main__":
    run_tests(globals())
