"""`practice --watch` on a copy of the example content folder: each save of
the learner's file runs the tests, whether the editor renamed a new file
over it (IN_MOVED_TO) or wrote it in place (IN_CLOSE_WRITE); all passing
records the review and goes on to the next exercise, the last one ends the
run (exit 0). Ctrl-C while waiting, or during a run (nothing left
running), ends it with 130 and the terminal as it was; SIGTERM with 143.
A burst of quick saves is one run. Over a pipe it works too, and the end
of stdin does not end it."""

import os
import signal
import subprocess
import tempfile
import time

from clitest import BIN, SRC, expect, run_tests
from ptyrun import Pty
from test_practice import ID, RIGHT, WRONG, content, env_for, reviews

WRONG_CODE = WRONG[:-2]  # without the '.' line ending the paste
RIGHT_PAIRS = "def pairs(xs):\n    return list(zip(xs, xs[1:]))\n"
WAITING = r"save it (again )?to run the tests \(Ctrl-C to stop\)"


def learner(tmp, qid):
    return os.path.join(tmp, "xdg_state_home", "pydojo", "exercises", qid + ".py")


def save_by_rename(path, text):
    tmp = path + ".new"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def save_in_place(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def start_pty(tmp, db, second=False):
    env = env_for(tmp, content(tmp, second=second))
    return Pty([BIN, "--db", db, "practice", "--trust", "--watch"], env)


def test_saves_run_the_tests():
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "p.db")
        t = start_pty(tmp, db, second=True)
        try:
            path = learner(tmp, ID)
            out = t.read_until(WAITING)
            expect("[1/2]" in out and path in out, f"the exercise and its file: {out}")
            save_by_rename(path, WRONG_CODE)
            out = t.read_until(r"1 of 2 tests passed.*\n")
            expect("✗ works on an endless iterator" in out, f"a save by rename runs the tests: {out}")
            t.read_until(WAITING)
            expect(reviews(db) == [], "nothing recorded yet")
            save_in_place(path, RIGHT)
            out = t.read_until(r"recorded as hard.*\n")
            expect("all 2 tests passed" in out, f"a save in place runs the tests: {out}")
            got = reviews(db)
            expect(got == [(ID, 2, 1, RIGHT, 5)], f"one review, hard, the code, a practice session: {got}")
            out = t.read_until(WAITING)
            expect("[2/2]" in out, f"on to the next exercise: {out}")
            save_by_rename(learner(tmp, "batches-pairs"), RIGHT_PAIRS)
            out = t.read_until(r"end of the exercises: 2 of 2 solved")
            status = t.wait()
            expect(status == 0, f"the last one solved ends it: exit {status}: {t.screen}")
            expect(t.modes_restored(), "the terminal's modes are restored")
        finally:
            t.close()


def test_ctrl_c_while_waiting():
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "p.db")
        t = start_pty(tmp, db)
        try:
            t.read_until(WAITING)
            time.sleep(0.2)
            sent = time.monotonic()
            t.type("\x03")
            status = t.wait(timeout=10)
            expect(status == 130, f"exit {status}: {t.screen}")
            expect(time.monotonic() - sent < 3, "at once")
            expect(t.modes_restored(), "the terminal's modes are restored")
            expect(reviews(db) == [], "nothing recorded")
        finally:
            t.close()


def session_left(sid):
    """Processes still in the session sid (the pty's child made it)."""
    left = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if os.getsid(int(d)) == sid:
                    left.append(int(d))
            except OSError:
                pass
    return left


def test_ctrl_c_during_a_watched_run():
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "p.db")
        t = start_pty(tmp, db)
        try:
            t.read_until(WAITING)
            save_in_place(learner(tmp, ID), "import time\ntime.sleep(60)\n")
            t.read_until(r"running 2 tests")
            time.sleep(0.5)
            sent = time.monotonic()
            t.type("\x03")
            status = t.wait(timeout=20)
            expect(status == 130 and time.monotonic() - sent < 5, f"exit {status}: {t.screen}")
            expect("stopped (Ctrl-C)" in t.screen, f"the run stopped: {t.screen}")
            expect(session_left(t.proc.pid) == [], "nothing left running")
            expect(t.modes_restored(), "the terminal's modes are restored")
        finally:
            t.close()


def start_pipe(tmp, db):
    env = env_for(tmp, content(tmp))
    # stdin at its end from the start: that does not end a watch.
    p = subprocess.Popen([BIN, "--db", db, "practice", "--trust", "--watch"], cwd=SRC, env=env,
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen = b""
    while b"save it to run the tests" not in seen:
        chunk = p.stdout.read1(4096)
        if not chunk:
            p.kill()
            p.communicate()
            expect(False, f"ended before watching: {seen!r}")
        seen += chunk
    return p, seen


def test_burst_is_one_run():
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "p.db")
        p, seen = start_pipe(tmp, db)
        path = learner(tmp, ID)
        for i in range(5):
            save_in_place(path, WRONG_CODE + f"# save {i}\n")
            time.sleep(0.02)
        time.sleep(2.5)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=20)
        out = (seen + out).decode()
        expect(p.returncode == 130, f"exit {p.returncode}: {out} {err}")
        expect(out.count("running 2 tests") == 1 and "1 of 2 tests passed" in out,
               f"five quick saves, one run: {out}")


def test_sigterm_while_waiting():
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "p.db")
        p, seen = start_pipe(tmp, db)
        time.sleep(0.2)
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=20)
        expect(p.returncode == 143, f"exit {p.returncode}: {out} {err}")
        expect(b"running" not in seen + out, "nothing ran")


def test_sigterm_during_a_watched_run():
    with tempfile.TemporaryDirectory() as tmp:
        p, seen = start_pipe(tmp, os.path.join(tmp, "p.db"))
        save_in_place(learner(tmp, ID), "import time\ntime.sleep(60)\n")
        while b"running 2 tests" not in seen:
            chunk = p.stdout.read1(4096)
            expect(chunk, f"no run started: {seen!r}")
            seen += chunk
        time.sleep(0.5)
        sent = time.monotonic()
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=20)
        expect(p.returncode == 143 and time.monotonic() - sent < 5, f"exit {p.returncode}: {out} {err}")


if __name__ == "__main__":
    run_tests(globals())
