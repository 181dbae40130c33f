"""Code exercises (`type: code`) in a quiz: `check` accepts the example
folder tests/data/exercise and counts its exercise by type; quiz and review
never ask one, nor an interview before three other questions (`quiz ID`
and a topic of exercises only say why and exit 2), `export --anki` exports
it as a note, and `search` finds it. The example itself is run on python3 to hold
it to its claims."""

import os
import shutil
import subprocess
import sys
import tempfile

import yaml

from clitest import SRC, expect, private_env, run, run_tests

ROOT = os.path.join(SRC, "tests", "data", "exercise")
CODE_ID = "batches-chunks"
OTHER_ID = "batches-islice-again"


def env_for(tmp):
    return private_env(tmp, PYDOJO_DATADIR=ROOT)


def test_check_accepts_and_counts_it():
    status, out, err = run(["check", "--standalone", ROOT])
    expect(status == 0 and "2 questions" in out, f"check: exit {status}: {out!r} {err!r}")
    status, out, err = run(["check", "--stats", "--standalone", ROOT])
    lines = out.splitlines()
    head = lines[0].split()
    row = [l.split() for l in lines if l.startswith("batches ")]
    expect(status == 0 and row, f"--stats: exit {status}: {out!r} {err!r}")
    # The header has one word per column; the topic's row one value each.
    cols = dict(zip(head, row[0]))
    expect(cols.get("exer") == "1" and cols.get("tf") == "1" and cols.get("quest") == "2",
           f"exercise not counted by type: {cols!r}")


def test_quiz_refuses_its_id():
    with tempfile.TemporaryDirectory() as tmp:
        status, out, err = run(["--db", os.path.join(tmp, "p.db"), "quiz", CODE_ID], env=env_for(tmp))
        want = f"error: '{CODE_ID}' is a code exercise: practise it with 'practice batches'\n"
        expect(status == 2 and err == want and out == "", f"exit {status}: {out!r} {err!r}")


def asked(out):
    return [w for w in (CODE_ID, OTHER_ID) if w in out]


def test_quiz_review_interview_never_ask_it():
    with tempfile.TemporaryDirectory() as tmp:
        env = env_for(tmp)
        db = os.path.join(tmp, "p.db")
        status, out, err = run(["--db", db, "quiz", "batches", "-n", "10"], stdin="f\n3\n", env=env)
        expect(status == 0 and asked(out) == [OTHER_ID] and "[1/1]" in out,
               f"quiz: exit {status}: {out!r} {err!r}")
        status, out, err = run(["--db", os.path.join(tmp, "r.db"), "review", "--new-limit", "10"],
                               stdin="f\n3\nquit\n", env=env)
        expect(status == 0 and asked(out) == [OTHER_ID] and "1 card to go" in out,
               f"review: exit {status}: {out!r} {err!r}")
        for seed in ("1", "2", "3"):
            status, out, err = run(["--db", os.path.join(tmp, f"i{seed}.db"), "interview", "--minutes", "1",
                                    "--seed", seed], stdin="f\n\n", env=env)
            expect(status == 0 and asked(out) == [OTHER_ID] and "1 question answered" in out,
                   f"interview --seed {seed}: exit {status}: {out!r} {err!r}")


def test_export_and_search_find_it():
    with tempfile.TemporaryDirectory() as tmp:
        env = env_for(tmp)
        path = os.path.join(tmp, "anki.txt")
        status, out, err = run(["export", "--anki", path], env=env)
        with open(path, encoding="utf-8") as f:
            notes = [l for l in f if not l.startswith("#")]
        expect(status == 0 and "exported 2 notes" in out and len(notes) == 2 and OTHER_ID in notes[0]
               and CODE_ID in notes[1],
               f"export: exit {status}: {out!r} {notes!r}")
        status, out, err = run(["search", "shared iterator"], env=env)
        expect(status == 0 and CODE_ID in out, f"search: exit {status}: {out!r} {err!r}")


def test_an_id_answered_before_it_became_an_exercise():
    """A question answered wrong, whose id the content later gives to an
    exercise: its card is due and missed, yet neither review nor
    quiz --missed asks it."""
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "content")
        shutil.copytree(ROOT, root)
        quiz = os.path.join(root, "quizzes", "batches.yaml")
        with open(quiz, encoding="utf-8") as f:
            text = f.read()
        head = text.split(f"  - id: {CODE_ID}\n", 1)[0]
        with open(quiz, "w", encoding="utf-8") as f:
            f.write(head + f"  - id: {CODE_ID}\n    type: truefalse\n    prompt: Is it so?\n    answer: true\n")
        db = os.path.join(tmp, "p.db")
        env = private_env(tmp, PYDOJO_DATADIR=root, PYDOJO_NOW="2026-01-01T09:00:00Z")
        status, out, err = run(["--db", db, "quiz", CODE_ID], stdin="f\n1\n", env=env)
        expect(status == 0 and "wrong" in out.lower(), f"answering it first: exit {status}: {out!r} {err!r}")
        with open(quiz, "w", encoding="utf-8") as f:
            f.write(text)
        env["PYDOJO_NOW"] = "2026-01-02T09:00:00Z"
        status, out, err = run(["--db", db, "quiz", "--missed"], stdin="quit\n", env=env)
        expect(status in (0, 2) and CODE_ID not in out and "Traceback" not in err,
               f"quiz --missed: exit {status}: {out!r} {err!r}")
        status, out, err = run(["--db", db, "review", "--new-limit", "0"], stdin="quit\n", env=env)
        expect(status == 0 and CODE_ID not in out, f"review: exit {status}: {out!r} {err!r}")


def test_topic_of_exercises_only():
    """A topic whose quiz holds only exercises has nothing quiz or
    interview could ask: both say so and exit 2."""
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "content")
        shutil.copytree(ROOT, root)
        quiz = os.path.join(root, "quizzes", "batches.yaml")
        with open(quiz, encoding="utf-8") as f:
            text = f.read()
        start, end = text.index(f"  - id: {OTHER_ID}\n"), text.index(f"  - id: {CODE_ID}\n")
        with open(quiz, "w", encoding="utf-8") as f:
            f.write(text[:start] + text[end:])
        env = private_env(tmp, PYDOJO_DATADIR=root)
        db = os.path.join(tmp, "p.db")
        want = {"quiz": "error: topic 'batches' has only code exercises, which a quiz does not ask: "
                        "practise them with 'practice batches'\n",
                "interview": "error: topic 'batches' has only code exercises, and an interview asks at most one: "
                             "practise them with 'practice batches'\n"}
        for argv in (["quiz", "batches"], ["interview", "--topics", "batches"]):
            status, out, err = run(["--db", db] + argv, env=env)
            expect(status == 2 and err == want[argv[0]] and out == "", f"{argv}: exit {status}: {out!r} {err!r}")


def run_test(tmp, source, test, timeout):
    """Whether test passes on source as the learner's module `solution`."""
    with open(os.path.join(tmp, "solution.py"), "w", encoding="utf-8") as f:
        f.write(source)
    with open(os.path.join(tmp, "test_it.py"), "w", encoding="utf-8") as f:
        f.write(test["code"])
    try:
        p = subprocess.run([sys.executable, "test_it.py"], cwd=tmp, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False
    return p.returncode == 0


def test_example_runs_as_declared():
    """The example exercise is true to its own claims, on this python3: the
    solution passes every test, the starter fails one, and each wrong
    solution fails the test it names."""
    with open(os.path.join(ROOT, "quizzes", "batches.yaml"), encoding="utf-8") as f:
        quiz = yaml.safe_load(f)
    q = [q for q in quiz["questions"] if q["type"] == "code"][0]
    with tempfile.TemporaryDirectory() as tmp:
        for t in q["tests"]:
            expect(run_test(tmp, q["solution"], t, q["timeout"]), f"the solution fails {t['name']!r}")
        expect(not all(run_test(tmp, q["starter"], t, q["timeout"]) for t in q["tests"]),
               "the starter passes every test")
        tests = {t["name"]: t for t in q["tests"]}
        for w in q["wrong"]:
            expect(not run_test(tmp, w["code"], tests[w["fails"]], q["timeout"]),
                   f"a wrong solution passes {w['fails']!r}")


run_tests(globals())
