"""`check` runs a text question's rubric against its model answer and
examples only when something that decides the outcome changed since it last
passed ($XDG_CACHE_HOME/pydojo/verified): an edited example, an edited
pattern, a changed term set, another binary. A question that fails is never
recorded, so it fails on every run; a damaged, foreign or unwritable set is
an empty one. Whether a run checked anything shows in the set's file: a run
that verified nothing new leaves it untouched."""

import os
import re
import shutil
import subprocess
import tempfile

from clitest import BIN, SRC, expect, private_env, run_tests

LESSON = """\
id: alpha
title: Topic alpha
track: one
level: core
summary: The alpha topic of the verified-set tests.
sections:
  - id: only
    title: Only section
    body: |
      Blocking I/O releases the GIL.
"""

TERMS = """\
terms:
  gil: [GIL, global interpreter lock]
  release: [release+, drop+, free+]
"""

QUIZ = """\
topic: alpha
questions:
  - id: alpha-text
    type: text
    prompt: What does blocking I/O do to the GIL?
    rubric:
      - point: blocking I/O releases the GIL
        says: '@release .. @gil'
    model_answer: Blocking I/O releases the GIL.
    examples:
      pass:
        - It drops the global interpreter lock while it waits.
      fail:
        - It holds on to the lock.
"""


class Setup:
    def __init__(self, tmp):
        self.root = os.path.join(tmp, "content")
        for d in ("lessons", "quizzes"):
            os.makedirs(os.path.join(self.root, d))
        write(os.path.join(self.root, "lessons", "alpha.yaml"), LESSON)
        self.quiz = os.path.join(self.root, "quizzes", "alpha.yaml")
        self.terms = os.path.join(self.root, "terms.yaml")
        write(self.quiz, QUIZ)
        write(self.terms, TERMS)
        self.env = private_env(tmp, PYDOJO_DATADIR=self.root)
        self.set = os.path.join(tmp, "xdg_cache_home", "pydojo", "verified")

    def check(self, binary=BIN, ok=True):
        p = subprocess.run([binary, "check"], cwd=SRC, env=self.env, capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, timeout=60)
        expect((p.returncode == 0) == ok, f"check: {p.returncode} {p.stdout} {p.stderr}")
        return p.stderr

    def graded(self):
        """How many questions check --stats says it graded and skipped."""
        p = subprocess.run([BIN, "check", "--stats"], cwd=SRC, env=self.env, capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, timeout=60)
        m = re.search(r"ran on its examples: (\d+); unchanged since they last passed: (\d+)", p.stdout)
        expect(m is not None, f"check --stats: {p.stdout}")
        return int(m.group(1)), int(m.group(2))

    def identity(self):
        try:
            st = os.stat(self.set)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def edit(path, old, new):
    with open(path) as f:
        text = f.read()
    expect(old in text, f"{old!r} not in {path}")
    write(path, text.replace(old, new))


def test_recorded_once_then_reused():
    with tempfile.TemporaryDirectory() as tmp:
        s = Setup(tmp)
        expect(s.graded() == (1, 0), "a first check grades the question")
        first = s.identity()
        expect(first is not None, "a passing check recorded nothing")
        expect(s.graded() == (0, 1), "an unchanged question was graded again")
        expect(s.identity() == first, "an unchanged catalog rewrote the set")


def test_edited_example_is_checked_again():
    with tempfile.TemporaryDirectory() as tmp:
        s = Setup(tmp)
        s.check()
        edit(s.quiz, "- It holds on to the lock.", "- It releases the GIL, of course.")
        err = s.check(ok=False)
        expect("rubric example should fail but passes" in err, err)
        # Recorded only once it passes again; a failing one on every run.
        err = s.check(ok=False)
        expect("rubric example should fail but passes" in err, "a failing question was remembered as passed")


def test_edited_model_answer_and_pattern_are_checked_again():
    with tempfile.TemporaryDirectory() as tmp:
        s = Setup(tmp)
        s.check()
        edit(s.quiz, "model_answer: Blocking I/O releases the GIL.", "model_answer: Blocking I/O waits.")
        err = s.check(ok=False)
        expect("model answer fails its own rubric" in err, err)
        write(s.quiz, QUIZ)
        s.check()
        edit(s.quiz, "says: '@release .. @gil'", "says: '@gil .. @release'")
        err = s.check(ok=False)
        expect("should pass but fails" in err or "model answer fails" in err, err)


def test_added_wrong_claim_is_checked_again():
    """A wrong claim added to a point decides the outcome too."""
    with tempfile.TemporaryDirectory() as tmp:
        s = Setup(tmp)
        s.check()
        edit(s.quiz, "says: '@release .. @gil'\n",
             "says: '@release .. @gil'\n        wrong: '@release'\n        wrong_about: '@gil'\n")
        err = s.check(ok=False)
        expect("model answer fails its own rubric" in err, err)


def test_changed_term_set_is_checked_again():
    with tempfile.TemporaryDirectory() as tmp:
        s = Setup(tmp)
        s.check()
        # The rubric is unchanged; its expansion is not.
        edit(s.terms, "release: [release+, drop+, free+]", "release: [release+, free+]")
        err = s.check(ok=False)
        expect("rubric example should pass but fails" in err, err)


def test_other_binary_checks_again():
    with tempfile.TemporaryDirectory() as tmp:
        s = Setup(tmp)
        s.check()
        before = s.identity()
        other = os.path.join(tmp, "pydojo-copy")
        shutil.copy2(BIN, other)
        s.check(binary=other)
        expect(s.identity() != before, "another binary trusted this one's verdicts")


def test_damaged_or_unwritable_set_is_empty():
    with tempfile.TemporaryDirectory() as tmp:
        s = Setup(tmp)
        s.check()
        good = open(s.set, "rb").read()
        # A damaged or truncated set is an empty one: the question is graded
        # again (and passes), and the set is written anew.
        damaged = bytearray(good)
        damaged[-3] ^= 0x40
        for bad in (bytes(damaged), good[:0], good[:7], good[:40], good[:-8]):
            with open(s.set, "wb") as f:
                f.write(bad)
            expect(s.graded() == (1, 0), f"a damaged set ({len(bad)} bytes) was trusted")
            expect(open(s.set, "rb").read() == good, "the set was not written anew")
        # One edited to fail is never trusted either.
        edit(s.quiz, "- It holds on to the lock.", "- It releases the GIL, of course.")
        s.check(ok=False)
        write(s.quiz, QUIZ)
        os.unlink(s.set)
        os.makedirs(s.set)   # a folder where the file goes: checked, nothing kept
        expect(s.graded() == (1, 0), "a folder in place of the set")
        expect(s.graded() == (1, 0), "a folder in place of the set kept something")
        os.rmdir(s.set)


if __name__ == "__main__":
    run_tests(globals())
