"""learn resumes: at the prompt `learn TOPIC` opens a section at a time, so
`next` goes on from it (it used to go back to section 1); every section
shown is saved as the topic's place, `learn TOPIC` reopens there (saying so)
unless it was the start or the end, `learn` alone resumes the latest place
in a new process; a section is named by number, id, title, a unique prefix
or words of its title, with the candidates when ambiguous and the nearest
word when unknown; a database that cannot be written warns once and never
stops the reading."""

import os
import re
import sqlite3
import tempfile

from clitest import expect, private_env, run, run_tests

SECTION = re.compile(r"^Section (\d+) of (\d+)\.", re.M)


def shown(out):
    return [int(n) for n, _ in SECTION.findall(out)]


def env_at(tmp, now):
    return private_env(tmp, PYDOJO_NOW=now)


def db_of(tmp):
    return os.path.join(tmp, "xdg_data_home", "pydojo", "progress.db")


def test_next_after_learn_goes_forward():
    with tempfile.TemporaryDirectory() as tmp:
        rc, out, err = run([], stdin="learn gil\nnext\nnext\nprev\n", env=private_env(tmp))
        expect(rc == 0, f"exit {rc}: {err}")
        expect(shown(out) == [1, 2, 3, 2], f"sections shown: {shown(out)}")
        # The whole lesson is not shown first at the prompt.
        expect(out.count("What the GIL is") == 1, "section 1 shown more than once")


def test_place_is_saved_and_resumed_in_a_new_process():
    with tempfile.TemporaryDirectory() as tmp:
        rc, out, err = run([], stdin="learn gil\nnext\nnext\n", env=env_at(tmp, "2026-03-01T10:00:00Z"))
        expect(rc == 0 and shown(out) == [1, 2, 3], f"{rc} {shown(out)} {err}")
        con = sqlite3.connect(db_of(tmp))
        rows = con.execute("SELECT topic, section FROM places").fetchall()
        con.close()
        expect(rows == [("gil", "release-on-io")], f"places: {rows}")
        env = env_at(tmp, "2026-03-01T11:00:00Z")
        rc, out, err = run(["learn"], env=env)
        expect(rc == 0, f"exit {rc}: {err}")
        expect(out.startswith("resuming gil at 3/9 What releases the GIL ('learn gil 1' starts over)\n"),
               f"no resuming line: {out[:200]!r}")
        expect(shown(out) == [3], f"not section 3: {shown(out)}")
        # learn TOPIC opens where it was left too, and says how to start over.
        rc, out, err = run(["learn", "gil"], env=env)
        expect(rc == 0 and "resuming gil at 3/9" in out and "learn gil 1" in out and shown(out) == [3],
               f"learn gil: {rc} {out[:200]!r}")
        # --all: the whole lesson, wherever it was left.
        rc, out, err = run(["learn", "gil", "--all"], env=env)
        expect(rc == 0 and "resuming" not in out and not shown(out) and "In the interview" in out,
               f"--all: {rc} {out[:200]!r}")
        rc, out, err = run(["learn", "gil", "3", "--all"], env=env)
        expect(rc == 2 and "--all" in err and "usage: learn" in err, f"--all with a section: {rc} {err!r}")
        # From the shell, where 'next' is refused, the section says how to
        # read the next one; the last says nothing of the kind.
        rc, out, err = run(["learn", "gil", "3"], env=env)
        expect(rc == 0 and out.endswith("Section 3 of 9. Next: CPU-bound against I/O-bound\n\n"
                                         "'learn gil 4' reads the next section.\n"), f"{rc} {out[-200:]!r}")
        rc, out, err = run(["learn", "gil", "9"], env=env)
        expect(rc == 0 and "reads the next section" not in out, f"{rc} {out[-200:]!r}")
        run(["learn", "gil", "3"], env=env)
        # A later lesson is the latest place.
        run(["learn", "threads", "2"], env=env_at(tmp, "2026-03-01T12:00:00Z"))
        rc, out, err = run(["learn"], env=env_at(tmp, "2026-03-01T12:00:01Z"))
        expect(rc == 0 and out.startswith("resuming threads at 2/"), f"latest: {out[:120]!r}")
        # At the prompt, `learn` resumes and `next` goes on from there.
        rc, out, err = run([], stdin="learn gil\nnext\n", env=env_at(tmp, "2026-03-01T13:00:00Z"))
        expect(shown(out) == [3, 4], f"resume then next: {shown(out)}")


def test_start_and_end_open_at_the_start():
    with tempfile.TemporaryDirectory() as tmp:
        env = private_env(tmp)
        rc, out, err = run(["learn", "gil", "1"], env=env)
        expect(rc == 0 and shown(out) == [1], f"{rc} {shown(out)}")
        # Left at its start: the whole lesson on the command line.
        rc, out, err = run(["learn", "gil"], env=env)
        expect(rc == 0 and "resuming" not in out and "In the interview" in out and not shown(out),
               f"whole lesson: {out[:200]!r}")
        # Read to its end: learn alone says so and suggests the next one.
        rc, out, err = run(["learn"], env=env)
        expect(rc == 0 and "'gil' was read to its end" in out and "learn gil 1" in out
               and re.search(r"next: 'learn [a-z-]+'", out), f"finished: {rc} {out!r} {err!r}")
        rc, out, err = run(["learn", "gil", "9"], env=env)
        # ...and learn TOPIC starts over, at the prompt a section at a time.
        rc, out, err = run([], stdin="learn gil\n", env=env)
        expect(rc == 0 and shown(out) == [1] and "resuming" not in out, f"restart: {shown(out)} {out[:100]!r}")


def test_nothing_to_resume():
    with tempfile.TemporaryDirectory() as tmp:
        rc, out, err = run(["learn"], env=private_env(tmp))
        expect(rc == 2, f"exit {rc}")
        expect(re.fullmatch(r"error: no lesson to resume \(start one with 'learn [a-z-]+'; 'topics' lists them\)\n",
                            err), f"{err!r}")
        expect(not os.path.exists(db_of(tmp)), "looking made a database")


def section_of(args):
    rc, out, err = run(["learn", "gil"] + args)
    return rc, shown(out), err


def test_sections_by_number_id_prefix_words():
    for arg in ("3", "release-on-io", "release-on", "What releases the GIL", "what rel", "releases", "RELEASES GIL"):
        rc, secs, err = section_of([arg])
        expect(rc == 0 and secs == [3], f"{arg!r}: {rc} {secs} {err!r}")
    rc, secs, err = section_of(["lost"])
    expect(rc == 0 and secs == [6], f"a word: {rc} {secs} {err!r}")


def test_ambiguous_section_lists_candidates():
    rc, secs, err = section_of(["what"])
    expect(rc == 2 and err == "error: 'what' matches several sections of 'gil': what-it-is, release-on-io\n",
           f"prefix: {rc} {err!r}")
    rc, secs, err = section_of(["gil"])
    expect(rc == 2 and "matches several sections" in err and "what-it-is" in err and "not-thread-safe" in err,
           f"word: {rc} {err!r}")


def test_unknown_section_suggests_the_nearest():
    rc, secs, err = section_of(["relase"])
    expect(rc == 2 and "no section 'relase' in 'gil'" in err and "did you mean 'releases'?" in err,
           f"{rc} {err!r}")
    rc, secs, err = section_of(["Relase"])
    expect(rc == 2 and "did you mean 'releases'?" in err, f"{rc} {err!r}")
    rc, secs, err = section_of(["release-on-i0"])
    expect(rc == 2 and "did you mean 'release-on-io'?" in err, f"{rc} {err!r}")
    rc, secs, err = section_of(["0"])
    expect(rc == 2 and "no section '0'" in err and "1 to 9" in err and "did you mean" not in err, f"{rc} {err!r}")
    expect(len(err.splitlines()) == 1, f"not one line: {err!r}")


def test_unwritable_database_warns_once_and_reads_on():
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "missing", "progress.db")
        rc, out, err = run(["--db", db, "learn", "gil", "3"], env=private_env(tmp))
        expect(rc == 0 and shown(out) == [3], f"{rc} {shown(out)} {err!r}")
        expect("warning: your place in the lesson is not saved" in err, f"{err!r}")
        rc, out, err = run(["--db", db], stdin="learn gil 3\nnext\nprev\nlearn\n", env=private_env(tmp))
        expect(rc == 0 and shown(out) == [3, 4, 3, 3], f"{rc} {shown(out)} {err!r}")
        expect(err.count("warning:") == 1 and err.count("error:") <= 1, f"warned more than once: {err!r}")


NOIDS = """\
id: noids
title: No ids
track: extra
level: extra
summary: A lesson whose sections have no ids.
sections:
  - title: First part
    body: One.
  - title: Second part
    body: Two.
  - title: Third part
    body: Three.
"""


def test_sections_without_ids_are_saved_by_number():
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "content")
        os.makedirs(os.path.join(root, "lessons"))
        with open(os.path.join(root, "lessons", "noids.yaml"), "w") as f:
            f.write(NOIDS)
        env = private_env(tmp)
        rc, out, err = run(["--content", root, "learn", "noids", "second"], env=env)
        expect(rc == 0 and shown(out) == [2], f"{rc} {shown(out)} {err!r}")
        con = sqlite3.connect(db_of(tmp))
        rows = con.execute("SELECT topic, section FROM places").fetchall()
        con.close()
        expect(rows == [("noids", "2")], f"places: {rows}")
        rc, out, err = run(["--content", root, "learn", "noids"], env=env)
        expect(rc == 0 and out.startswith("resuming noids at 2/3 Second part") and shown(out) == [2],
               f"{rc} {out[:100]!r} {err!r}")
        rc, out, err = run(["--content", root, "learn", "noids", "part"], env=env)
        expect(rc == 2 and err.endswith("matches several sections of 'noids': 1, 2, 3\n"), f"{rc} {err!r}")


def test_refused_database_is_left_alone_and_reading_goes_on():
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "progress.db")
        con = sqlite3.connect(db)
        con.execute("CREATE TABLE t (x)")
        con.execute("PRAGMA application_id = 1886997098")
        con.execute("PRAGMA user_version = 99")
        con.commit()
        con.close()
        with open(db, "rb") as f:
            before = f.read()
        rc, out, err = run(["--db", db, "learn", "gil", "2"], env=private_env(tmp))
        expect(rc == 0 and shown(out) == [2], f"{rc} {shown(out)} {err!r}")
        expect("newer than this pydojo" in err and err.count("warning:") == 1, f"{err!r}")
        rc, out, err = run(["--db", db, "learn"], env=private_env(tmp))
        expect(rc == 2 and "no lesson to resume" in err, f"resume: {rc} {err!r}")
        with open(db, "rb") as f:
            expect(f.read() == before, "the refused database changed")


if __name__ == "__main__":
    run_tests(globals())
