"""`pydojo check` on broken content: every file of tests/data/bad/ holds one
fault, and tests/data/bad/expected.txt holds the exact `FILE:LINE:COL: error:
MESSAGE` lines check must print for it. Also the limits that cannot be kept
as files in the tree: a file over 4 MiB, a content root whose lessons folder
cannot be read, and a whole bad root reported in one run."""

import os
import shutil
import tempfile

from clitest import BIN, SRC, expect, private_env, run, run_tests
from ptyrun import Pty

BAD = os.path.join(SRC, "tests", "data", "bad")


def expected_lines():
    by_file = {}
    with open(os.path.join(BAD, "expected.txt"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                by_file.setdefault(line.split(":", 1)[0], []).append(line)
    return by_file


def test_corpus_is_big_enough():
    files = [n for n in os.listdir(BAD) if n.endswith(".yaml")]
    expect(len(files) >= 30, f"only {len(files)} bad files")
    listed = expected_lines()
    for n in files:
        expect("tests/data/bad/" + n in listed, f"{n} has no expected line")


def test_each_bad_file_exact_message():
    problems = []
    for rel, want in sorted(expected_lines().items()):
        status, out, err = run(["check", rel])
        got = [l for l in err.splitlines() if ": error: " in l]
        if status != 2:
            problems.append(f"{rel}: exit {status}, want 2")
        if got != want:
            problems.append(f"{rel}: got {got!r}, want {want!r}")
        if "error" not in err.splitlines()[-1]:
            problems.append(f"{rel}: no closing error count: {err!r}")
    expect(not problems, "\n  " + "\n  ".join(problems))


def test_file_over_4mib():
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "huge.yaml")
        with open(path, "w") as f:
            f.write("id: huge\n")
            line = "# " + "x" * 1000 + "\n"
            f.write(line * 4400)  # 4.4 MB, over the 4 MiB limit
        status, out, err = run(["check", path])
        expect(status == 2, f"exit {status}")
        expect(f"{path}:1:1: error: " in err and "4 MiB" in err,
               f"no size error at 1:1: {err!r}")


def test_unreadable_lessons_folder():
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "mine")
        os.makedirs(os.path.join(root, "quizzes"))
        with open(os.path.join(root, "lessons"), "w") as f:
            f.write("not a folder\n")
        status, out, err = run(["check", root])
        expect(status == 2, f"exit {status}: {err!r}")
        expect("lessons" in err and "error" in err, f"no error for lessons: {err!r}")
        expect(len(err.strip().splitlines()) <= 3, f"too chatty: {err!r}")


def test_whole_root_all_errors_in_one_run():
    """A content root holding several broken files: every fault reported at
    once, sorted by file and position."""
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "mine")
        os.makedirs(os.path.join(root, "lessons"))
        os.makedirs(os.path.join(root, "quizzes"))
        picks = ["lesson-unknown-key", "lesson-bad-level", "lesson-empty-title"]
        for n in picks:
            src = os.path.join(BAD, n + ".yaml")
            # A lesson's id must match its file name: keep each file's id.
            with open(src, encoding="utf-8") as f:
                text = f.read()
            lid = [l.split(":", 1)[1].strip() for l in text.splitlines()
                   if l.startswith("id:")][0]
            shutil.copy(src, os.path.join(root, "lessons", lid + ".yaml"))
        status, out, err = run(["check", root])
        errors = [l for l in err.splitlines() if ": error: " in l]
        expect(status == 2, f"exit {status}")
        expect(len(errors) >= len(picks), f"not every fault reported: {err!r}")
        expect(errors == sorted(errors, key=lambda l: (l.split(":")[0],
                                                       int(l.split(":")[1]),
                                                       int(l.split(":")[2]))),
               f"errors not sorted: {errors!r}")


def test_missing_path():
    status, out, err = run(["check", "/nonexistent/pydojo/content"])
    expect(status == 2, f"exit {status}")
    expect("/nonexistent/pydojo/content" in err, f"path not named: {err!r}")


def test_terminal_shows_source_and_caret():
    """On a terminal each error is followed by its source line and a caret
    under the column, as jq shows them: a tab expanded, wide characters two
    columns, a control character from the content shown escaped, never sent.
    Through a pipe the same errors are the plain lines alone."""
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "wide.yaml"), "w", encoding="utf-8") as f:
            f.write('id: w\ntitle: [a,\t"日本" x]\n')
        with open(os.path.join(tmp, "ctl.yaml"), "w", encoding="utf-8") as f:
            f.write('id: z\ntitle: "a\x1b[2Jb"\n')
        plain = ("ctl.yaml:2:10: error: yaml: control characters are not allowed\n"
                 "wide.yaml:2:17: error: yaml: did not find expected ',' or ']' while parsing"
                 " a flow sequence (at line 2, column 8)\n")
        status, out, err = run(["check", "wide.yaml", "ctl.yaml"], cwd=tmp, env=private_env(tmp))
        expect(status == 2 and err == plain + "2 errors\n", f"through a pipe: {status} {err!r}")
        here = os.getcwd()
        os.chdir(tmp)
        try:
            p = Pty([os.path.join(here, BIN), "check", "wide.yaml", "ctl.yaml"], private_env(tmp))
        finally:
            os.chdir(here)
        try:
            status = p.wait()
        finally:
            p.close()
        screen = p.screen.replace("\r\n", "\n")
        expect("\x1b" not in screen, f"a control character reached the terminal: {screen!r}")
        want = (plain.splitlines()[0] + "\n"
                "    title: \"a\\x1b[2Jb\"\n"
                "             ^\n"
                + plain.splitlines()[1] + "\n"
                "    title: [a,      \"日本\" x]\n"
                "                           ^\n"
                "2 errors\n")
        expect(status == 2 and screen == want, f"on a terminal: {status}\n{screen}")


GOOD_LESSON = """\
id: {id}
title: A topic of mine
track: mine
level: core
summary: One of mine.
requires: [{requires}]
sections:
  - title: Only section
    body: Some text.
"""

GOOD_QUIZ = """\
topic: {id}
questions:
  - id: {id}-q
    type: truefalse
    prompt: Is it so?
    answer: true
"""


def mixed_root(tmp):
    """A content folder of good files and broken ones: a file that does not
    parse, a lesson with an unknown key, a lesson requiring the broken one,
    and the quiz of a topic whose lesson is broken."""
    root = os.path.join(tmp, "mine")
    os.makedirs(os.path.join(root, "lessons"))
    os.makedirs(os.path.join(root, "quizzes"))
    files = {
        "lessons/good.yaml": GOOD_LESSON.format(id="good", requires="gil"),
        "quizzes/good.yaml": GOOD_QUIZ.format(id="good"),
        "lessons/unparsed.yaml": "id: unparsed\ntitle: [\n",
        "lessons/typo.yaml": GOOD_LESSON.format(id="typo", requires="") + "sumary: x\n",
        "quizzes/typo.yaml": GOOD_QUIZ.format(id="typo"),
        "lessons/leaning.yaml": GOOD_LESSON.format(id="leaning", requires="good, unparsed"),
    }
    for rel, text in files.items():
        with open(os.path.join(root, rel), "w") as f:
            f.write(text)
    return root


def skipped_lines(root):
    """The lines a command prints for mixed_root: one per broken file, each
    at its first fault."""
    hint = f"; run 'pydojo check {root}'"
    return [
        f"pydojo: skipped {root}/lessons/leaning.yaml:6:18: unknown topic 'unparsed' in 'requires'" + hint,
        f"pydojo: skipped {root}/lessons/typo.yaml:10:1: unknown key 'sumary' in a lesson"
        " (did you mean 'summary'?)" + hint,
        f"pydojo: skipped {root}/lessons/unparsed.yaml:3:1: yaml: did not find expected node content"
        " while parsing a flow node (at line 3, column 1)" + hint,
        f"pydojo: skipped {root}/quizzes/typo.yaml:1:1: quiz topic 'typo' has no lesson" + hint,
    ]


def test_broken_file_among_good_ones():
    """A broken file of a --content folder no longer refuses the catalog:
    it is left out with one line naming its first fault and the check to
    run, a file leaning on it (a topic it requires, its lesson) goes with
    a line of its own, and the rest loads; check still exits 2."""
    with tempfile.TemporaryDirectory() as tmp:
        root = mixed_root(tmp)
        env = private_env(tmp)
        want = skipped_lines(root)
        status, out, err = run(["--content", root, "topics"], env=env)
        expect(status == 0, f"topics: exit {status}: {err!r}")
        expect(err.splitlines() == want, "topics: stderr\n" + err + "want:\n" + "\n".join(want))
        listed = {l.split()[0] for l in out.splitlines() if l.startswith("  ")}
        expect("good" in listed and "gil" in listed, f"good topics not listed: {out!r}")
        expect(not {"typo", "unparsed", "leaning"} & listed, f"a broken topic listed: {out!r}")
        status, out, err = run(["--content", root, "--db", os.path.join(tmp, "p.db"), "quiz", "good"],
                               stdin="t\nquit\n", env=env)
        expect(status == 0 and "right" in out.lower() and err.splitlines() == want,
               f"quiz good: exit {status}: {out[-200:]!r} {err!r}")
        status, out, err = run(["--content", root, "learn", "typo"], env=env)
        expect(status == 2 and "unknown topic 'typo'" in err, f"learn typo: exit {status}: {err!r}")
        # At the prompt the lines come once, at the start, not per command.
        status, out, err = run(["--content", root], stdin="topics\nlearn good\ntopics\n", env=env)
        expect(status == 0 and err.splitlines() == want, f"REPL: exit {status}: {err!r}")
        status, out, err = run(["check", root], env=env)
        expect(status == 2 and err.splitlines()[-1].endswith(" errors"), f"check: exit {status}: {err!r}")
        # check loads every file, so it reports the faults of the files
        # left out at first; the quiz left out with its lesson then has one.
        for line in want[:3]:
            at = line.split()[2].rstrip(":")
            expect(any(l.startswith(at + ": error: ") for l in err.splitlines()),
                   f"check does not report {at}: {err!r}")


def test_broken_shipped_file_still_refuses():
    """The shipped content is never left out: a broken shipped file refuses
    the catalog as before, whatever --content adds; a folder that is no
    content folder refuses it too; and so does a catalog with no topic
    left."""
    with tempfile.TemporaryDirectory() as tmp:
        shipped = os.path.join(tmp, "shipped")
        os.makedirs(os.path.join(shipped, "lessons"))
        os.makedirs(os.path.join(shipped, "quizzes"))
        with open(os.path.join(shipped, "lessons", "alpha.yaml"), "w") as f:
            f.write(GOOD_LESSON.format(id="alpha", requires="") + "sumary: x\n")
        env = private_env(tmp, PYDOJO_DATADIR=shipped)
        mine = os.path.join(tmp, "mine")
        os.makedirs(os.path.join(mine, "lessons"))
        with open(os.path.join(mine, "lessons", "beta.yaml"), "w") as f:
            f.write(GOOD_LESSON.format(id="beta", requires=""))
        with open(os.path.join(mine, "lessons", "zeta.yaml"), "w") as f:
            f.write("id: zeta\ntitle: [\n")
        # Refused, every fault is told, the folder's too, and nothing is
        # said to be left out.
        for args, n in ((["topics"], "1 error"), (["--content", mine, "topics"], "2 errors")):
            status, out, err = run(args, env=env)
            expect(status == 2 and out == "" and "skipped" not in err
                   and f"{shipped}/lessons/alpha.yaml:10:1: error: unknown key 'sumary'" in err
                   and f"pydojo: the catalog has {n}; run 'pydojo check' for details" in err,
                   f"{args}: exit {status}: {err!r}")
        status, out, err = run(["--content", tmp, "topics"])
        expect(status == 2 and "not a content directory" in err and "skipped" not in err,
               f"a folder that is no content folder: exit {status}: {err!r}")
        # Shipped content of no lesson, and a folder whose only lesson is broken.
        os.remove(os.path.join(shipped, "lessons", "alpha.yaml"))
        with open(os.path.join(mine, "lessons", "beta.yaml"), "a") as f:
            f.write("sumary: x\n")
        status, out, err = run(["--content", mine, "topics"], env=env)
        expect(status == 2 and err.splitlines()[0].startswith(f"pydojo: skipped {mine}/lessons/beta.yaml:10:1: ")
               and err.splitlines()[-1] == "pydojo: no topic left to use", f"nothing left: exit {status}: {err!r}")


def test_folder_clashing_with_shipped_id():
    """A --content lesson with a shipped topic's id is the folder's fault:
    it is left out, never the shipped lesson."""
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "mine")
        os.makedirs(os.path.join(root, "lessons"))
        with open(os.path.join(root, "lessons", "gil.yaml"), "w") as f:
            f.write(GOOD_LESSON.format(id="gil", requires=""))
        status, out, err = run(["--content", root, "learn", "gil"])
        expect(status == 0 and "The Global Interpreter Lock" in out, f"exit {status}: {out[:100]!r}")
        expect(len(err.splitlines()) == 1 and err.startswith(
            f"pydojo: skipped {root}/lessons/gil.yaml:1:1: duplicate topic id 'gil' (also in "),
            f"not the folder's file: {err!r}")


run_tests(globals())
