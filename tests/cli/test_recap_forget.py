"""recap TOPIC: the key points of the topic's quiz grouped by the section
that teaches them, then the lesson's "In the interview" section, wrapped and
plain. forget TOPIC: refuses on a pipe without --yes (exit 2, nothing
deleted); with --yes deletes the topic's cards and only those, keeps the
review log, records the reset, and undo then brings nothing back; on a
terminal it asks, and n, Ctrl-C or Ctrl-D say no."""

import os
import re
import sqlite3
import tempfile

from clitest import BIN, SRC, expect, run, run_tests
from progress_helpers import content_env
from ptyrun import Pty


def quiz_points(topic):
    """The rubric points of a shipped quiz that name a section, as written."""
    with open(os.path.join(SRC, "quizzes", topic + ".yaml")) as f:
        text = f.read()
    return re.findall(r"^\s+- point: (.+)\n\s+(?:\w+: .*\n\s+)*?section: ([a-z0-9-]+)", text, re.M)


def flat(s):
    return " ".join(s.split())


def test_recap_shows_key_points_and_the_interview_section():
    rc, out, err = run(["recap", "gil"])
    expect(rc == 0, f"exit {rc}: {err}")
    expect(out.startswith("The Global Interpreter Lock: recap\n"), f"{out[:80]!r}")
    points = [p for p, _ in quiz_points("gil") if "`" not in p and "'" not in p]
    expect(len(points) >= 5, f"the test found too few points: {points}")
    text = flat(out)
    for p in points:
        expect(flat(p.strip('"')) in text, f"key point missing: {p!r}")
    # Grouped under the section that teaches them, with the way to read it.
    expect(re.search(r"^What releases the GIL \(learn gil release-on-io\)\n• the GIL is released during", out, re.M),
           f"no section group: {out[:600]!r}")
    expect("9. In the interview" in out and "Questions you will hear" in out and "Common wrong answers" in out,
           "no interview section")
    expect(out.index("Key points") < out.index("9. In the interview"), "the key points come first")
    expect("Section " not in out and "When the GIL changes hands\n\n" not in out, "other sections shown")
    long_lines = [l for l in out.splitlines() if len(l) > 80]
    expect(not long_lines and "**" not in out and "\x1b" not in out, f"not wrapped or plain: {long_lines[:2]}")


def test_recap_unknown_topic():
    rc, out, err = run(["recap", "gli"])
    expect(rc == 2 and err == "error: unknown topic 'gli' (did you mean 'gil'?)\n" and not out, f"{rc} {err!r}")
    rc, out, err = run(["recap"])
    expect(rc == 2 and "usage: recap TOPIC" in err, f"{rc} {err!r}")


NOW = "2026-01-05T10:00:00Z"


def answered(tmp):
    """A private database with 3 cards of beta, then 3 of alpha (the latest
    answer); returns the environment."""
    env = content_env(tmp, now=NOW)
    for topic in ("beta", "alpha"):
        rc, out, err = run(["--seed", "1", "--no-fuzz", "quiz", topic, "-n", "3"], stdin="reveal\n\n" * 4, env=env)
        expect(rc == 0, f"quiz {topic}: {rc} {err}")
    return env


def rows(tmp, sql):
    con = sqlite3.connect(os.path.join(tmp, "xdg_data_home", "pydojo", "progress.db"))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def cards(tmp):
    return rows(tmp, "SELECT topic, count(*) FROM cards GROUP BY topic ORDER BY topic")


def test_forget_on_a_pipe_needs_yes():
    with tempfile.TemporaryDirectory() as tmp:
        env = answered(tmp)
        expect(cards(tmp) == [("alpha", 3), ("beta", 3)], f"cards: {cards(tmp)}")
        rc, out, err = run(["forget", "alpha"], stdin="y\n", env=env)
        expect(rc == 2 and len(err.splitlines()) == 1 and "--yes" in err and not out, f"{rc} {out!r} {err!r}")
        rc, out, err = run([], stdin="forget alpha\n", env=env)
        expect(rc == 2 and "--yes" in err, f"in the piped REPL: {rc} {err!r}")
        expect(cards(tmp) == [("alpha", 3), ("beta", 3)], f"deleted without --yes: {cards(tmp)}")
        expect(rows(tmp, "SELECT count(*) FROM resets") == [(0,)], "a reset recorded")


def test_forget_yes_resets_and_undo_does_not_resurrect():
    with tempfile.TemporaryDirectory() as tmp:
        env = answered(tmp)
        reviews = rows(tmp, "SELECT id, question_id FROM reviews ORDER BY id")
        expect(len(reviews) == 6, f"reviews: {reviews}")
        rc, out, err = run(["forget", "alpha", "--yes"], env=env)
        expect(rc == 0 and out == "reset 3 cards of 'alpha': its questions are new again"
               " (their reviews stay in the log)\n", f"{rc} {out!r} {err!r}")
        expect(cards(tmp) == [("beta", 3)], f"cards: {cards(tmp)}")
        expect(rows(tmp, "SELECT id, question_id FROM reviews ORDER BY id") == reviews, "the log changed")
        expect(rows(tmp, "SELECT topic, cards FROM resets") == [("alpha", 3)], "no resets row")
        # The latest answer is of alpha, before the reset: undo refuses.
        rc, out, err = run(["undo"], env=env)
        expect(rc == 3 and "reset" in err and "forget" in err, f"undo: {rc} {out!r} {err!r}")
        expect(cards(tmp) == [("beta", 3)], f"undo brought a card back: {cards(tmp)}")
        expect(len(rows(tmp, "SELECT id FROM reviews")) == 6, "undo removed a review")
        # topics and stats show alpha as new.
        rc, out, err = run(["topics", "--json"], env=env)
        expect(rc == 0 and re.search(r'"id": "alpha"[^}]*"seen": 0,', out), f"topics: {out!r}")
        rc, out, err = run(["stats", "--json"], env=env)
        expect(rc == 0 and re.search(r'"topic": "alpha", "seen": 0, "total": 3, "new": 3', out), f"stats: {out!r}")
        # Nothing left to reset.
        rc, out, err = run(["forget", "alpha"], env=env)
        expect(rc == 0 and "no cards to reset" in out, f"again: {rc} {out!r} {err!r}")


def forget_on_pty(env, keys):
    p = Pty([BIN, "forget", "alpha"], env)
    try:
        p.prompt(r"Reset 3 cards of alpha\? \[y/N\] $")
        p.type(keys)
        rc = p.wait()
        return rc, p.screen
    finally:
        p.close()


def test_forget_asks_on_a_terminal():
    with tempfile.TemporaryDirectory() as tmp:
        env = answered(tmp)
        env.update(TERM="xterm")
        for keys in ("n\r", "\x03", "\x04", "\r", "maybe\r"):
            rc, screen = forget_on_pty(env, keys)
            expect(rc == 0 and "nothing reset" in screen, f"{keys!r}: {rc} {screen!r}")
            expect(cards(tmp) == [("alpha", 3), ("beta", 3)], f"{keys!r} reset: {cards(tmp)}")
        rc, screen = forget_on_pty(env, "y\r")
        expect(rc == 0 and "reset 3 cards of 'alpha'" in screen, f"y: {rc} {screen!r}")
        expect(cards(tmp) == [("beta", 3)], f"y did not reset: {cards(tmp)}")


def test_forget_asks_at_the_prompt():
    with tempfile.TemporaryDirectory() as tmp:
        env = answered(tmp)
        env.update(TERM="xterm", PAGER="cat")
        p = Pty([BIN], env)
        try:
            p.prompt(r"pydojo> $")
            p.type("forget alpha\r")
            p.prompt(r"Reset 3 cards of alpha\? \[y/N\] $")
            p.type("\x03")
            out = p.prompt(r"pydojo> $")
            expect("nothing reset" in out, f"Ctrl-C: {out!r}")
            expect(cards(tmp) == [("alpha", 3), ("beta", 3)], f"Ctrl-C reset: {cards(tmp)}")
            p.type("forget alpha\r")
            p.prompt(r"Reset 3 cards of alpha\? \[y/N\] $")
            p.type("yes\r")
            out = p.prompt(r"pydojo> $")
            expect("reset 3 cards of 'alpha'" in out, f"yes: {out!r}")
            p.type("quit\r")
            expect(p.wait() == 0, "the prompt did not end well")
        finally:
            p.close()
        expect(cards(tmp) == [("beta", 3)], f"yes did not reset: {cards(tmp)}")


def test_completion_of_topics_and_yes():
    for cmd in ("recap", "forget"):
        rc, out, err = run(["__complete", cmd, "gi"])
        expect(rc == 0 and "gil" in out.split(), f"{cmd}: {out!r} {err!r}")
    rc, out, err = run(["__complete", "forget", "gil", "--"])
    expect(rc == 0 and "--yes" in out.split(), f"forget options: {out!r}")
    rc, out, err = run(["__complete", "recap", "gil", ""])
    expect(rc == 0 and not out.split(), f"recap takes one topic: {out!r}")


if __name__ == "__main__":
    run_tests(globals())
