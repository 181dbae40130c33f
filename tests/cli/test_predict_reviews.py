"""`demo ID --predict` records each graded prediction as a review of the
predict question's card, in a session of kind predict (4): the question id,
the demo's first topic, right or wrong against the measurement, rated good
or again and scheduled by FSRS like a quiz answer. `stats` counts them as
reviews and its due counts include them; `topics` counts them in the due
cards of the demo's first topic; `review` never asks a predict card but
names the demos whose predictions are due; `undo` takes back the last
prediction. A measurement that stops short (the demo fails) and answers
abandoned before the run record nothing.

A content root of its own: one lesson with a one-question quiz, the real
demo-generators program with two fast predict questions, and a demo whose
program always fails."""

import json
import os
import sqlite3
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clitest import expect, private_env, run, run_tests  # noqa: E402

DEMODIR = os.environ["PYDOJO_DEMODIR"]
NOW = "2025-03-03T09:00:00Z"
LATER = "2025-03-05T09:00:00Z"

LESSON = """id: generators
title: Generators
track: language
level: core
summary: Lazy sequences.
sections:
  - title: Only
    body: Text.
demos: [generators, broken]
"""

QUIZ = """topic: generators
questions:
  - id: gen-lazy
    type: truefalse
    prompt: A generator computes its values lazily.
    answer: true
"""

MANIFEST = """
- id: generators
  title: List, generator, iterator
  summary: Sum of squares three ways.
  topics: [generators]
  binary: demo-generators
  params:
    - {name: n, type: int, min: 1, max: 20000000, default: 5000000, help: how many squares}
    - {name: over, type: int, min: 0, max: 1000000000, default: 100, help: early exit bound}
  predict:
    - id: gen-break
      prompt: How many squares has the generator computed when the loop breaks at the first square over 100?
      run: {n: 5000, over: 100}
      figure: computed_on_break
      choices:
        - {text: "11", max: 11.5}
        - {text: "12", min: 11.5, max: 12.5}
        - {text: "all of them", min: 12.5}
    - id: gen-n
      prompt: Which n did that run use?
      run: {n: 5000, over: 100}
      figure: params.n
      choices:
        - {text: under 1000, max: 1000}
        - {text: 1000 or more, min: 1000}

- id: broken
  title: Always fails
  summary: Its program exits 1.
  topics: [generators]
  binary: demo-broken
  predict:
    - id: broken-one
      prompt: Anything?
      run: {}
      figure: x
      choices:
        - {text: "low", max: 1}
        - {text: "high", min: 1}
"""


class Fixture:
    def __init__(self):
        self.tmpobj = tempfile.TemporaryDirectory(prefix="pydojo-predict-test-")
        root = self.tmpobj.name
        self.data = os.path.join(root, "data")
        demos = os.path.join(root, "bin")
        for d in ("lessons", "quizzes", "demos"):
            os.makedirs(os.path.join(self.data, d))
        os.makedirs(demos)
        for path, text in (("lessons/generators.yaml", LESSON), ("quizzes/generators.yaml", QUIZ),
                           ("demos/demos.yaml", MANIFEST)):
            with open(os.path.join(self.data, path), "w") as f:
                f.write(text)
        os.symlink(os.path.abspath(os.path.join(DEMODIR, "demo-generators")),
                   os.path.join(demos, "demo-generators"))
        broken = os.path.join(demos, "demo-broken")
        with open(broken, "w") as f:
            f.write("#!/bin/sh\necho failing >&2\nexit 1\n")
        os.chmod(broken, 0o755)
        self.db = os.path.join(root, "progress.db")
        self.env = private_env(os.path.join(root, "home"), PYDOJO_DATADIR=self.data, PYDOJO_DEMODIR=demos,
                               PYDOJO_NOW=NOW, PAGER="cat", PYDOJO_DEMO_TIMEOUT=None)

    def run(self, *args, stdin="", now=NOW):
        e = dict(self.env, PYDOJO_NOW=now)
        return run(["--db", self.db, "--seed", "5", "--no-fuzz", *args], stdin=stdin, env=e, timeout=120)

    def sql(self, query):
        if not os.path.exists(self.db):
            return []
        con = sqlite3.connect(self.db)
        try:
            return con.execute(query).fetchall()
        finally:
            con.close()


def reviews(fx):
    return fx.sql("select r.question_id, r.topic, r.correct, r.rating, s.kind, r.answer from reviews r "
                  "join sessions s on s.id = r.session_id order by r.id")


def test_predictions_are_reviews():
    fx = Fixture()
    # gen-break: b) 12 is right; gen-n: a) under 1000 is wrong (n = 5000).
    status, out, err = fx.run("demo", "generators", "--predict", stdin="b\na\n")
    expect(status == 1 and "1 of 2 predictions right" in out, f"one wrong: exit {status}: {out} {err}")
    expect("Recorded as reviews: the first comes back in 1m" in out, f"says they are recorded: {out}")
    got = reviews(fx)
    expect(got == [("gen-break", "generators", 1, 3, 4, "b"), ("gen-n", "generators", 0, 1, 4, "a")],
           f"one review per prediction, good when right, again when wrong, in a predict session: {got}")
    cards = dict(fx.sql("select question_id, reps from cards"))
    expect(cards == {"gen-break": 1, "gen-n": 1}, f"their cards are scheduled: {cards}")
    sessions = fx.sql("select kind, ended is not null, score from sessions")
    expect(sessions == [(4, 1, 0.5)], f"one finished predict session scoring 1/2: {sessions}")

    # stats: reviews counted, and the due counts hold them (today: both
    # learning cards come back within minutes).
    status, out, err = fx.run("stats", "--json")
    expect(status == 0, f"stats: exit {status}: {err}")
    st = json.loads(out)
    expect(st["reviews"] == 2, f"stats counts the predictions as reviews: {st['reviews']}")
    expect(st["predictions_due_today"] == {"generators": 2}, f"per demo: {st.get('predictions_due_today')}")
    topic = [t for t in st["topics"] if t["topic"] == "generators"][0]
    expect(topic["due_today"] == 2 and topic["seen"] == 0 and topic["total"] == 1,
           f"due in the demo's first topic, not seen questions: {topic}")
    expect(st["total"]["due_today"] == 2, f"total due: {st['total']}")
    status, out, err = fx.run("stats")
    expect("2 predictions due today: run 'demo generators --predict'" in out, f"stats text: {out}")

    # Two days later both are due: topics counts them, review names them
    # at its end and asks only the quiz question.
    status, out, err = fx.run("topics", "--json", now=LATER)
    gen = [t for t in json.loads(out) if t["id"] == "generators"][0]
    expect(gen["due"] == 2, f"topics counts due predictions: {gen}")
    status, out, err = fx.run("review", stdin="t\n\n", now=LATER)
    expect(status == 0, f"review: exit {status}: {err}")
    expect("gen-lazy" in out and "gen-break (" not in out and "gen-n (" not in out,
           f"review asks the quiz question, never a predict card: {out}")
    last = out.strip().splitlines()[-1]
    expect(last == "2 predictions due: run 'demo generators --predict'", f"review's closing line: {last!r}")
    # Nothing else due: the line still comes.
    status, out, err = fx.run("review", stdin="", now=LATER)
    expect(out.strip().splitlines()[-1] == "2 predictions due: run 'demo generators --predict'",
           f"with nothing to ask: {out}")

    # undo takes back the last prediction.
    status, out, err = fx.run("undo", now=LATER)
    expect(status == 0 and "'gen-lazy'" in out, f"undo takes the quiz answer first: {out} {err}")
    status, out, err = fx.run("undo", now=LATER)
    expect(status == 0 and "'gen-n'" in out, f"then the last prediction: {out} {err}")
    got = [r[0] for r in reviews(fx)]
    expect(got == ["gen-break"], f"one prediction left: {got}")
    expect(fx.sql("select question_id from cards") == [("gen-break",)], "its card is gone with it")


def test_missed_after_predictions():
    """quiz --missed drills the last quiz's wrong answers, even when
    predictions were made since."""
    fx = Fixture()
    # Wrong, but rated good: missed only as a wrong answer of the last session.
    status, out, err = fx.run("quiz", "gen-lazy", stdin="f\n3\n")
    expect(status == 0 and "✗ wrong" in out, f"a wrong answer: {out} {err}")
    status, out, err = fx.run("demo", "generators", "--predict", stdin="b\nb\n")
    expect(status == 0 and len(reviews(fx)) == 3, f"predictions recorded: {reviews(fx)}")
    status, out, err = fx.run("quiz", "--missed", stdin="quit\n")
    expect("gen-lazy (generators, truefalse)" in out, f"the quiz's wrong answer is still missed: {out} {err}")


def test_unmeasured_records_nothing():
    fx = Fixture()
    status, out, err = fx.run("demo", "broken", "--predict", stdin="a\n")
    expect(status == 3 and "cannot be graded" in err, f"the demo fails: exit {status}: {out} {err}")
    expect(reviews(fx) == [] and fx.sql("select count(*) from sessions") in ([], [(0,)]),
           f"a failed measurement records nothing: {reviews(fx)}")
    status, out, err = fx.run("demo", "generators", "--predict", stdin="b\n")
    expect(status == 1 and "nothing was run" in out, f"end of input: exit {status}: {out}")
    expect(reviews(fx) == [], f"abandoned predictions record nothing: {reviews(fx)}")


if __name__ == "__main__":
    run_tests(globals())
