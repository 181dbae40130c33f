"""`practice` over a pipe, on a copy of the example content folder
(tests/data/exercise, with the harness) as the shipped content: a wrong
paste shows the failing test, its message and the line of the code, a right
one passes and is recorded as a review rated hard (two runs) in a practice
session, the code kept under XDG_STATE_HOME; a later run resumes at the
first exercise not solved, and a skip after a run gives up (rated again);
the editor ($EDITOR with arguments, as git runs it) writes the file;
`review` ends by offering the exercises due (a yes practises them, the end
of input or a no names them); Ctrl-C
during a run stops it, exit 130; a missing Python is one line (exit 3);
exercises of a --content folder are refused over a pipe (exit 2) unless
--trust is given or the folder is in the trusted file. At a terminal (a
pseudo-terminal) the keys drive it, the folder is trusted once asked, and
the terminal's modes are restored after the editor and the run."""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

from clitest import BIN, SRC, expect, private_env, run, run_tests
from ptyrun import Pty

EXAMPLE = os.path.join(SRC, "tests", "data", "exercise")
ID = "batches-chunks"
# A Python the exercise's user (uid 65534 when run as root) can run: the
# system's, rather than one under root's home.
PYTHON = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable

WRONG = """\
def chunks(iterable, n):
    for i in range(0, len(iterable), n):
        yield list(iterable[i:i + n])
.
"""

RIGHT = """\
from itertools import islice


def chunks(iterable, n):
    it = iter(iterable)
    while batch := list(islice(it, n)):
        yield batch
"""

# A second exercise, appended to the copy's quiz, for the walk.
PAIRS = """\
  - id: batches-pairs
    type: code
    prompt: Write `pairs(xs)`, the list of adjacent pairs of `xs`.
    starter: |
      def pairs(xs):
          ...
    tests:
      - name: adjacent pairs
        code: |
          from solution import pairs
          assert pairs([1, 2, 3]) == [(1, 2), (2, 3)], "pairs of [1, 2, 3]"
    solution: |
      def pairs(xs):
          return list(zip(xs, xs[1:]))
"""


def content(tmp, second=False):
    root = os.path.join(tmp, "content")
    shutil.copytree(EXAMPLE, root)
    os.makedirs(os.path.join(root, "share"))
    shutil.copy(os.path.join(SRC, "share", "harness.py"), os.path.join(root, "share"))
    if second:
        with open(os.path.join(root, "quizzes", "batches.yaml"), "a", encoding="utf-8") as f:
            f.write(PAIRS)
    return root


def env_for(tmp, root, **extra):
    return private_env(tmp, PYDOJO_DATADIR=root, PYDOJO_PYTHON=PYTHON, **extra)


def reviews(db):
    con = sqlite3.connect(db)
    rows = con.execute("SELECT r.question_id, r.rating, r.correct, r.answer, s.kind FROM reviews r "
                       "JOIN sessions s ON s.id = r.session_id ORDER BY r.id").fetchall()
    con.close()
    return rows


def test_wrong_then_right_paste():
    with tempfile.TemporaryDirectory() as tmp:
        env = env_for(tmp, content(tmp))
        db = os.path.join(tmp, "p.db")
        status, out, err = run(["--db", db, "practice"], stdin=WRONG + RIGHT + ".\n", env=env)
        expect(status == 0 and err == "", f"exit {status}: {err!r}")
        expect("✓ splits a list into lists of n" in out and "✗ works on an endless iterator" in out,
               f"each test passed or failed: {out}")
        expect("has no len()" in out and "line 2 of your code" in out, f"the message and the line: {out}")
        expect("1 of 2 tests passed — suggested rating: again" in out, out)
        expect("all 2 tests passed — suggested rating: hard" in out, f"two runs: hard: {out}")
        got = reviews(db)
        expect(got == [(ID, 2, 1, RIGHT, 5)], f"one review, hard, right, the code, a practice session: {got}")
        path = os.path.join(tmp, "xdg_state_home", "pydojo", "exercises", ID + ".py")
        with open(path, encoding="utf-8") as f:
            expect(f.read() == RIGHT, "the last code is kept")
        expect(path in out, f"the file is shown: {out}")


def test_resume_and_give_up():
    with tempfile.TemporaryDirectory() as tmp:
        env = env_for(tmp, content(tmp, second=True))
        db = os.path.join(tmp, "p.db")
        wrong_pairs = "def pairs(xs):\n    return []\n.\n"
        status, out, err = run(["--db", db, "practice"], stdin=RIGHT + ".\n" + wrong_pairs + "skip\n", env=env)
        expect(status == 0 and "[1/2]" in out and "[2/2]" in out, f"exit {status}: {out} {err}")
        expect("pairs of [1, 2, 3]" in out and "recorded as again (given up)" in out, out)
        got = [(r[0], r[1], r[2]) for r in reviews(db)]
        expect(got == [(ID, 3, 1), ("batches-pairs", 1, 0)], f"good, then again: {got}")
        status, out, err = run(["--db", db, "practice", "batches"], stdin="quit\n", env=env)
        expect(status == 0 and "1 of 2 exercises solved" in out and "[1/2]" not in out and "[2/2]" in out,
               f"resumes at the first not solved: {out} {err}")
        # A year on, the solved exercise's card is due: it is practised again.
        later = dict(env, PYDOJO_NOW="2040-01-01T00:00:00Z")
        status, out, err = run(["--db", db, "practice", "batches"], stdin="quit\n", env=later)
        expect(status == 0 and "1 of 2 exercises solved, 1 of them due again" in out and "[1/2]" in out,
               f"a solved exercise due again is practised: {out} {err}")
        # review ends with the exercises due, after its one other card: a
        # review ended by the end of input names them and where; one gone
        # through asks, and a no names them, a yes practises them in turn.
        status, out, err = run(["--db", db, "review"], stdin="", env=later)
        expect(status == 0 and "2 exercises due: run 'practice batches'" in out and "Practise" not in out,
               f"review: {out} {err}")
        status, out, err = run(["--db", db, "review"], stdin="skip\nn\n", env=later)
        expect(status == 0 and "2 exercises due. Practise them now? [Y/n]" in out
               and "2 exercises due: run 'practice batches'" in out and "[1/2]" not in out,
               f"review, no: {out} {err}")
        right_pairs = "def pairs(xs):\n    return list(zip(xs, xs[1:]))\n.\n"
        status, out, err = run(["--db", db, "review"], stdin="skip\ny\n" + RIGHT + ".\n" + right_pairs, env=later)
        expect(status == 0 and "[1/2]" in out and "[2/2]" in out and "end of the exercises due: 2 of 2 solved" in out
               and "run 'practice batches'" not in out, f"review, yes: {out} {err}")
        got = [(r[0], r[1], r[2], r[4]) for r in reviews(db)][-2:]
        expect(got == [(ID, 3, 1, 5), ("batches-pairs", 3, 1, 5)], f"two more reviews, good, practice: {got}")
        status, out, err = run(["--db", db, "review"], stdin="skip\n", env=later)
        expect(status == 0 and "exercise" not in out, f"nothing due once practised: {out} {err}")


def test_stats_counts_exercises():
    """stats counts exercises in their topic like other cards, and says how
    many are solved (a right review, ever): in the text and, as an added
    key, per topic and in the total of --json."""
    import json
    with tempfile.TemporaryDirectory() as tmp:
        env = env_for(tmp, content(tmp, second=True))
        db = os.path.join(tmp, "p.db")
        status, out, err = run(["--db", db, "stats", "--json"], env=env)
        got = json.loads(out)
        expect(status == 0 and got["topics"][0]["exercises"] == {"total": 2, "solved": 0}, out)
        wrong_pairs = "def pairs(xs):\n    return []\n.\n"
        status, out, err = run(["--db", db, "practice"], stdin=RIGHT + ".\n" + wrong_pairs + "skip\n", env=env)
        expect(status == 0, f"practice: exit {status}: {err}")
        status, out, err = run(["--db", db, "stats"], env=env)
        expect(status == 0 and "Code exercises solved: 1/2 (batches 1/2); run 'practice'" in out, out)
        row = [l.split() for l in out.splitlines() if l.startswith("batches ")]
        expect(row and row[0][1] == "2/3", f"both exercises seen, of 3 cards: {out}")
        status, out, err = run(["--db", db, "stats", "--json"], env=env)
        got = json.loads(out)
        t = got["topics"][0]
        expect(t["topic"] == "batches" and t["seen"] == 2 and t["total"] == 3, t)
        expect(t["exercises"] == {"total": 2, "solved": 1}, t)
        expect(got["total"]["exercises"] == {"total": 2, "solved": 1}, got["total"])


def test_editor_with_arguments():
    with tempfile.TemporaryDirectory() as tmp:
        sol = os.path.join(tmp, "right.py")
        with open(sol, "w", encoding="utf-8") as f:
            f.write(RIGHT)
        env = env_for(tmp, content(tmp), EDITOR=f"cp {sol}", VISUAL=None)
        db = os.path.join(tmp, "p.db")
        status, out, err = run(["--db", db, "practice"], stdin="edit\nrun\n", env=env)
        expect(status == 0 and "suggested rating: good" in out, f"exit {status}: {out} {err}")
        expect([r[:3] for r in reviews(db)] == [(ID, 3, 1)], "recorded good")


def test_ctrl_c_during_a_run():
    with tempfile.TemporaryDirectory() as tmp:
        env = env_for(tmp, content(tmp))
        p = subprocess.Popen([BIN, "--db", os.path.join(tmp, "p.db"), "practice"], cwd=SRC, env=env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        p.stdin.write(b"import time\ntime.sleep(60)\n.\n")
        p.stdin.flush()
        seen = b""
        while b"running 2 tests" not in seen:
            chunk = p.stdout.read1(4096)
            expect(chunk, f"no run started: {seen!r}")
            seen += chunk
        time.sleep(0.5)
        sent = time.monotonic()
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
        took = time.monotonic() - sent
        out = (seen + out).decode()
        expect(p.returncode == 130, f"exit {p.returncode}: {out} {err}")
        expect("stopped (Ctrl-C)" in out and "time limit" not in out and took < 3,
               f"stopped by Ctrl-C in {took:.1f}s: {out}")


def test_missing_python():
    with tempfile.TemporaryDirectory() as tmp:
        env = env_for(tmp, content(tmp))
        env["PYDOJO_PYTHON"] = "/nonexistent"
        status, out, err = run(["--db", os.path.join(tmp, "p.db"), "practice"], stdin=RIGHT + ".\n", env=env)
        expect(status == 3 and err.count("\n") == 1 and err.startswith("error: cannot run Python '/nonexistent'"),
               f"exit {status}: {err!r}")


def test_content_folder_needs_trust():
    with tempfile.TemporaryDirectory() as tmp:
        env = private_env(tmp, PYDOJO_PYTHON=PYTHON)
        db = os.path.join(tmp, "p.db")
        args = ["--db", db, "--content", EXAMPLE, "practice", "batches"]
        status, out, err = run(args, stdin=RIGHT + ".\n", env=env)
        want = (f"error: exercises from {os.path.realpath(EXAMPLE)} run their own Python code on your machine; "
                "stdin is not a terminal to ask: add --trust to run them\n")
        expect(status == 2 and err == want and "running" not in out, f"exit {status}: {out!r} {err!r}")
        status, out, err = run(args + ["--trust"], stdin=RIGHT + ".\n", env=env)
        expect(status == 0 and "all 2 tests passed" in out, f"--trust: exit {status}: {out} {err}")
        # A folder in the trusted file runs without --trust.
        trusted = os.path.join(tmp, "xdg_state_home", "pydojo", "trusted")
        with open(trusted, "w", encoding="utf-8") as f:
            f.write("/elsewhere\n" + os.path.realpath(EXAMPLE) + "\n")
        args[1] = os.path.join(tmp, "q.db")
        status, out, err = run(args, stdin=RIGHT + ".\n", env=env)
        expect(status == 0 and "all 2 tests passed" in out, f"trusted: exit {status}: {out} {err}")


def test_terminal_keys_and_trust():
    with tempfile.TemporaryDirectory() as tmp:
        sol = os.path.join(tmp, "right.py")
        with open(sol, "w", encoding="utf-8") as f:
            f.write(RIGHT)
        env = private_env(tmp, PYDOJO_PYTHON=PYTHON, EDITOR=f"cp {sol}", VISUAL=None, TERM="xterm")
        p = Pty([BIN, "--db", os.path.join(tmp, "p.db"), "--content", EXAMPLE, "practice", "batches"], env)
        try:
            p.read_until(r"\[y/N\] ")
            p.type("y\r")
            p.read_until(r"practice> ")
            p.type("x\r")
            expect("is no key" in p.read_until(r"practice> "), "an unknown key says the keys")
            p.type("h\r")
            expect("hint 1 of 2" in p.read_until(r"practice> "), "h shows the first hint")
            p.type("e\r")
            p.read_until(r"practice> ")
            p.type("r\r")
            seen = p.read_until(r"end of the exercises.*\n")
            expect("suggested rating: hard" in seen, f"a hint makes it hard: {seen}")
            expect(p.wait() == 0 and p.modes_restored(), "exit 0, the terminal as it was")
        finally:
            p.close()
        with open(os.path.join(tmp, "xdg_state_home", "pydojo", "trusted"), encoding="utf-8") as f:
            expect(f.read() == os.path.realpath(EXAMPLE) + "\n", "the folder is remembered")


if __name__ == "__main__":
    run_tests(globals())
