"""The parsed-content cache ($XDG_CACHE_HOME/pydojo/catalog) never serves
stale content: an edit shows at once (also one of the same size with the
modification time put back), a file changed within 2 s of the cache's
writing is read again, a truncated, garbled or bit-flipped cache and one
written by another binary are ignored and rewritten, and a broken catalog
is refused by every command with the same errors as before. A cache file's
identity (inode, time) tells whether a run served it or wrote a new one."""

import os
import shutil
import stat
import subprocess
import tempfile
import time

from clitest import BIN, SRC, expect, private_env, run, run_tests

LESSON = """\
id: alpha
title: Topic alpha
track: one
level: core
summary: The alpha topic of the cache tests.
sections:
  - title: Only section
    body: |
      The word of the day is Apricot.
"""

QUIZ = """\
topic: alpha
questions:
  - id: alpha-text
    type: text
    prompt: Why is the sum six?
    rubric:
      - point: adds 0 to 3
        pattern: '\\b(0|zero)\\b.*\\b(3|three)\\b'
        reject: '\\bnot\\b'
    model_answer: It adds 0, 1, 2 and 3.
"""


class Setup:
    def __init__(self, tmp):
        self.tmp = tmp
        self.root = os.path.join(tmp, "content")
        os.makedirs(os.path.join(self.root, "lessons"))
        os.makedirs(os.path.join(self.root, "quizzes"))
        self.lesson = os.path.join(self.root, "lessons", "alpha.yaml")
        self.quiz = os.path.join(self.root, "quizzes", "alpha.yaml")
        write(self.lesson, LESSON)
        write(self.quiz, QUIZ)
        self.env = private_env(tmp, PYDOJO_DATADIR=self.root)
        self.cache = os.path.join(tmp, "xdg_cache_home", "pydojo", "catalog")

    def learn(self, binary=BIN):
        p = subprocess.run([binary, "learn", "alpha"], cwd=SRC, env=self.env,
                           capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
        expect(p.returncode == 0, f"learn: {p.returncode} {p.stderr}")
        return p.stdout

    def identity(self):
        st = os.stat(self.cache)
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def settle(self):
        """Dates the cache 10 s ahead, so that no content file is within
        2 s of its writing and it is served (as it would be once the
        content has not changed for 2 s)."""
        at = time.time_ns() + 10 * 10**9
        os.utime(self.cache, ns=(at, at))
        return self.identity()


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def test_served_when_nothing_changed():
    with tempfile.TemporaryDirectory() as tmp:
        s = Setup(tmp)
        expect("Apricot" in s.learn(), "the lesson")
        expect(os.path.isfile(s.cache), "no cache written")
        before = s.settle()
        expect("Apricot" in s.learn(), "the lesson from the cache")
        expect(s.identity() == before, "a valid cache was rewritten instead of served")
        rc, out, err = run(["topics"], env=s.env)
        expect(rc == 0 and "alpha" in out, f"topics from the cache: {rc} {err}")
        expect(s.identity() == before, "topics rewrote a valid cache")


def test_edit_shows_new_text():
    with tempfile.TemporaryDirectory() as tmp:
        s = Setup(tmp)
        s.learn()
        write(s.lesson, LESSON.replace("Apricot", "Plum and fig"))
        out = s.learn()
        expect("Plum and fig" in out and "Apricot" not in out, out)


def test_same_size_edit_with_mtime_put_back():
    with tempfile.TemporaryDirectory() as tmp:
        s = Setup(tmp)
        s.learn()
        before = s.settle()
        st = os.stat(s.lesson)
        write(s.lesson, LESSON.replace("Apricot", "Aprikot"))
        os.utime(s.lesson, ns=(st.st_atime_ns, st.st_mtime_ns))
        expect(os.stat(s.lesson).st_size == st.st_size, "not the same size")
        out = s.learn()
        expect("Aprikot" in out and "Apricot" not in out, f"stale text served: {out}")
        expect(s.identity() != before, "the cache was not rewritten")


def test_file_changed_within_two_seconds_is_read_again():
    with tempfile.TemporaryDirectory() as tmp:
        s = Setup(tmp)
        s.learn()
        newest = max(max(os.stat(p).st_mtime_ns, os.stat(p).st_ctime_ns) for p in (s.lesson, s.quiz))
        # Written 1 s after the content changed: racy, so read again.
        os.utime(s.cache, ns=(newest + 10**9, newest + 10**9))
        before = s.identity()
        expect("Apricot" in s.learn(), "the lesson")
        expect(s.identity() != before, "a racy cache entry was served")
        # Written 3 s after: served.
        os.utime(s.cache, ns=(newest + 3 * 10**9, newest + 3 * 10**9))
        before = s.identity()
        expect("Apricot" in s.learn(), "the lesson")
        expect(s.identity() == before, "a settled cache was not served")


def test_damaged_cache_is_ignored_and_rewritten():
    with tempfile.TemporaryDirectory() as tmp:
        s = Setup(tmp)
        s.learn()
        with open(s.cache, "rb") as f:
            good = f.read()
        expect(good.count(b"Apricot") == 1, "the lesson's text is in the cache")
        damages = {
            "truncated": good[:len(good) // 2],
            "truncated by one word": good[:-8],
            "garbage": bytes((i * 131 + 7) % 256 for i in range(len(good))),
            "one byte changed": good.replace(b"Apricot", b"Apricox"),
            "empty": b"",
        }
        for what, data in damages.items():
            with open(s.cache, "wb") as f:
                f.write(data)
            before = s.settle()
            out = s.learn()
            expect("Apricot" in out and "Apricox" not in out, f"{what}: {out}")
            expect(s.identity() != before, f"{what}: the damaged cache was not rewritten")
            before = s.settle()
            s.learn()
            expect(s.identity() == before, f"{what}: the rewritten cache is not served")


def test_fifo_or_folder_in_place_of_the_cache():
    with tempfile.TemporaryDirectory() as tmp:
        s = Setup(tmp)
        os.makedirs(os.path.dirname(s.cache))
        os.mkfifo(s.cache)
        expect("Apricot" in s.learn(), "the lesson with a FIFO as cache")
        expect(stat.S_ISREG(os.stat(s.cache).st_mode), "the FIFO was not replaced by a cache")
        os.unlink(s.cache)
        os.mkdir(s.cache)
        expect("Apricot" in s.learn(), "the lesson with a folder as cache")


def test_cache_that_cannot_be_written():
    with tempfile.TemporaryDirectory() as tmp:
        s = Setup(tmp)
        s.env["XDG_CACHE_HOME"] = os.path.join(s.lesson, "below-a-file")
        expect("Apricot" in s.learn(), "the lesson without a cache")


def test_other_binary_rewrites_the_cache():
    with tempfile.TemporaryDirectory() as tmp:
        s = Setup(tmp)
        other = os.path.join(tmp, "pydojo-copy")
        shutil.copy2(BIN, other)
        s.learn()
        before = s.settle()
        expect("Apricot" in s.learn(other), "the lesson from another binary")
        expect(s.identity() != before, "another binary's cache was served")
        before = s.settle()
        s.learn(other)
        expect(s.identity() == before, "its own cache was not served")
        s.learn()
        expect(s.identity() != before, "the first binary served the copy's cache")


def test_broken_content_refused_as_before():
    with tempfile.TemporaryDirectory() as tmp:
        s = Setup(tmp)
        s.learn()
        s.settle()
        breaks = [
            (s.lesson, LESSON.replace("level: core", "level: core\nlevle: extra"),
             "lessons/alpha.yaml:5:1: error: unknown key 'levle' in a lesson (did you mean 'level'?)"),
            (s.lesson, LESSON.replace("level: core", "level: core\nrequires: [omega]"),
             "lessons/alpha.yaml:5:12: error: unknown topic 'omega' in 'requires'"),
            (s.quiz, QUIZ.replace("(3|three)\\b'", "(3|three\\b'"),
             "quizzes/alpha.yaml:8:18: error: pattern does not compile: missing closing parenthesis"),
            (s.lesson, LESSON.replace("sections:", "sections: ["),
             "lessons/alpha.yaml:"),
        ]
        for path, text, want in breaks:
            write(path, text)
            rc, out, err = run(["check", s.root], env=s.env)
            expect(rc == 2 and want in err, f"check: {rc} {err}")
            errors = [l for l in err.splitlines() if ": error: " in l]
            for argv in (["learn", "alpha"], ["topics"], ["quiz", "alpha"]):
                for attempt in range(2):
                    if attempt and os.path.exists(s.cache):
                        s.settle()
                    rc, out2, err2 = run(argv, env=s.env, stdin="quit\n")
                    expect(rc == 2, f"{argv} on broken content: {rc} {err2}")
                    expect([l for l in err2.splitlines() if ": error: " in l] == errors,
                           f"{argv}: {err2!r} against check's {err!r}")
            write(path, LESSON if path == s.lesson else QUIZ)
            expect("Apricot" in s.learn(), "the repaired lesson")


def test_rubric_graded_from_the_cache():
    with tempfile.TemporaryDirectory() as tmp:
        s = Setup(tmp)
        s.learn()
        before = s.settle()
        rc, out, err = run(["quiz", "alpha"], env=s.env, stdin="It adds zero up to three.\n.\n3\n")
        expect(rc == 0 and "✓ found  adds 0 to 3" in out, f"{rc} {out} {err}")
        rc, out, err = run(["quiz", "alpha"], env=s.env, stdin="It does not add zero to three.\n.\n3\n")
        expect("✓ found" not in out and "adds 0 to 3" in out, f"the reject pattern: {out}")
        expect(s.identity() == before, "the quiz did not run from the cache")


TERMS = """\
terms:
  zero: [zero, nought, "0", no value at all]
  three: [three, "3"]
  add: [add+, sum+]
"""

LANG_QUIZ = """\
topic: alpha
questions:
  - id: alpha-text
    type: text
    prompt: Why is the sum six?
    rubric:
      - point: adds 0 to 3
        says: '@add .. @zero .. @three'
    model_answer: It adds 0, 1, 2 and 3.
"""


def test_rubric_language_from_the_cache():
    """A point in the rubric language from a cached quiz is expanded on
    first use, negation-aware; when terms.yaml changes and loses a set the
    cached quiz uses, every command reports the unknown term."""
    with tempfile.TemporaryDirectory() as tmp:
        s = Setup(tmp)
        write(os.path.join(s.root, "terms.yaml"), TERMS)
        write(s.quiz, LANG_QUIZ)
        s.learn()
        before = s.settle()
        rc, out, err = run(["quiz", "alpha"], env=s.env, stdin="It sums nought up to three.\n.\n3\n")
        expect(rc == 0 and "✓ found  adds 0 to 3" in out, f"{rc} {out} {err}")
        rc, out, err = run(["quiz", "alpha"], env=s.env, stdin="It does not sum nought up to three.\n.\n3\n")
        expect("✓ found" not in out and "adds 0 to 3" in out, f"the negated claim: {out}")
        # An entry that states a negation owns its negator, from the cache too.
        rc, out, err = run(["quiz", "alpha"], env=s.env, stdin="It sums no value at all up to three.\n.\n3\n")
        expect(rc == 0 and "✓ found  adds 0 to 3" in out, f"the entry's own negator: {out}")
        expect(s.identity() == before, "the quiz did not run from the cache")
        write(os.path.join(s.root, "terms.yaml"), TERMS.replace("  zero: [zero, nought, \"0\", no value at all]\n", ""))
        for argv in (["topics"], ["quiz", "alpha"], ["check", s.root]):
            rc, out, err = run(argv, env=s.env, stdin="quit\n")
            expect(rc == 2 and "unknown term '@zero'" in err, f"{argv}: {rc} {err!r}")


def test_rubric_language_without_a_cache():
    """Loaded fresh on every run (no cache can be written), a point in the
    rubric language is expanded and compiled to be checked, released, and
    built again when graded: it grades as from the cache, negation-aware."""
    with tempfile.TemporaryDirectory() as tmp:
        s = Setup(tmp)
        write(os.path.join(s.root, "terms.yaml"), TERMS)
        write(s.quiz, LANG_QUIZ)
        s.env["XDG_CACHE_HOME"] = os.path.join(s.lesson, "below-a-file")
        for answer, found in (("It sums nought up to three.", True), ("It does not sum nought up to three.", False),
                              ("It sums no value at all up to three.", True)):
            rc, out, err = run(["quiz", "alpha"], env=s.env, stdin=answer + "\n.\n3\n")
            expect(rc == 0 and ("✓ found  adds 0 to 3" in out) == found and "adds 0 to 3" in out,
                   f"{answer!r}: {rc} {out} {err}")
        expect(not os.path.exists(s.cache), "no cache was written")


WRONG_QUIZ = """\
topic: alpha
questions:
  - id: alpha-text
    type: text
    prompt: Who sums to three?
    rubric:
      - point: the loop sums to three
        says: '@add .. @three'
        about: loop
        not_about: printer
        wrong: '@add .. @three'
        wrong_about: printer
        wrong_not_about: loop
    model_answer: The loop adds 0, 1, 2 and 3.
"""


def test_wrong_claim_from_the_cache_and_without():
    """A point's wrong claim, bound to its own subject, misses the point
    where the answer says it of that subject, and not where it is denied,
    both from the cache and loaded fresh."""
    answers = (("The loop adds zero up to three.", True),
               ("The loop adds zero up to three, and then the printer sums them up to three as well.", False),
               ("The loop adds zero up to three; the printer never sums anything up to three.", True))
    with tempfile.TemporaryDirectory() as tmp:
        s = Setup(tmp)
        write(os.path.join(s.root, "terms.yaml"), TERMS)
        write(s.quiz, WRONG_QUIZ)
        s.learn()
        before = s.settle()
        for cached in (True, False):
            if not cached:
                s.env["XDG_CACHE_HOME"] = os.path.join(s.lesson, "below-a-file")
            for answer, found in answers:
                rc, out, err = run(["quiz", "alpha"], env=s.env, stdin=answer + "\n.\n3\n")
                expect(rc == 0 and ("✓ found  the loop sums to three" in out) == found,
                       f"{answer!r} (cached: {cached}): {rc} {out} {err}")
            if cached:
                expect(s.identity() == before, "the quiz did not run from the cache")


def test_content_option_and_check():
    with tempfile.TemporaryDirectory() as tmp:
        s = Setup(tmp)
        extra = os.path.join(tmp, "extra")
        os.makedirs(os.path.join(extra, "lessons"))
        write(os.path.join(extra, "lessons", "beta.yaml"),
              LESSON.replace("alpha", "beta").replace("Apricot", "Banana"))
        s.learn()
        s.settle()
        rc, out, err = run(["--content", extra, "learn", "beta"], env=s.env)
        expect(rc == 0 and "Banana" in out, f"--content: {rc} {err}")
        rc, out, err = run(["learn", "beta"], env=s.env)
        expect(rc == 2 and "unknown topic 'beta'" in err, f"without --content: {rc} {err}")
        # check writes the cache once everything passed, then is served
        # from it; its rubrics run on the cached trees when the verified
        # set is gone (the legacy pattern and reject compile then).
        os.unlink(s.cache)
        rc, out, err = run(["check"], env=s.env)
        expect(rc == 0, f"check: {rc} {err}")
        expect(os.path.exists(s.cache), "a clean check wrote no cache")
        before = s.settle()
        os.unlink(os.path.join(os.path.dirname(s.cache), "verified"))
        rc, out, err = run(["check", "--stats"], env=s.env)
        expect(rc == 0 and "ran on its examples: 1;" in out, f"check from the cache: {rc} {out} {err}")
        expect(s.identity() == before, "check did not run from the cache")
        # A check that fails writes nothing, and a served file that
        # changed is read again.
        os.unlink(s.cache)
        write(s.quiz, QUIZ.replace("It adds 0, 1, 2 and 3.", "It adds 1 and 2."))
        rc, out, err = run(["check"], env=s.env)
        expect(rc == 2 and "model answer fails its own rubric" in err, f"check: {rc} {err}")
        expect(not os.path.exists(s.cache), "a failing check wrote the cache")
        write(s.quiz, QUIZ)
        rc, out, err = run(["check"], env=s.env)
        expect(rc == 0 and os.path.exists(s.cache), f"check: {rc} {err}")
        s.settle()
        write(s.quiz, QUIZ.replace("(3|three)\\b'", "(3|three\\b'"))
        rc, out, err = run(["check"], env=s.env)
        expect(rc == 2 and "quizzes/alpha.yaml:8:18: error: pattern does not compile" in err, f"check: {rc} {err}")


CODE_QUESTION = """\
  - id: alpha-code
    type: code
    prompt: Make `bump` add one.
    starter: |
      def bump(n): ...
    tests:
      - name: adds one
        code: |
          from solution import bump
          assert bump(1) == 2
    solution: |
      def bump(n):
          return n + 1
    wrong:
      - code: |
          def bump(n):
              return n
        fails: adds one
    python: "3.11"
    timeout: 3
"""


def test_code_exercise_from_the_cache():
    """A quiz with a code exercise is served from the cache as parsed: the
    exercise is still one (quiz refuses its id, a quiz of the topic leaves
    it out), and an edit that breaks it is refused with check's error."""
    with tempfile.TemporaryDirectory() as tmp:
        s = Setup(tmp)
        write(s.quiz, QUIZ + CODE_QUESTION)
        s.learn()
        before = s.settle()
        rc, out, err = run(["quiz", "alpha-code"], env=s.env)
        expect(rc == 2 and "'alpha-code' is a code exercise" in err, f"quiz alpha-code: {rc} {err!r}")
        rc, out, err = run(["quiz", "alpha"], env=s.env, stdin="It adds zero up to three.\n.\n3\n")
        expect(rc == 0 and "alpha-text" in out and "alpha-code" not in out, f"quiz alpha: {rc} {out} {err}")
        expect(s.identity() == before, "the quiz did not run from the cache")
        write(s.quiz, QUIZ + CODE_QUESTION.replace("fails: adds one", "fails: add one"))
        rc, out, err = run(["check", s.root], env=s.env)
        want = "quizzes/alpha.yaml:28:16: error: no test 'add one' in this question (did you mean 'adds one'?)"
        expect(rc == 2 and want in err, f"check: {rc} {err!r}")
        for argv in (["topics"], ["quiz", "alpha"]):
            rc, out, err2 = run(argv, env=s.env, stdin="quit\n")
            expect(rc == 2 and want in err2, f"{argv}: {rc} {err2!r}")


if __name__ == "__main__":
    run_tests(globals())
