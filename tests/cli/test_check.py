"""`pydojo check` on good content: the shipped catalog, a single quiz file
resolved against it, a user's own content root (alone and added with
--content), and the --stats report."""

import os
import re
import tempfile

from clitest import SRC, expect, run, run_tests

LESSON = """\
id: my-topic
title: My own topic
track: language
level: core
summary: A topic from outside the shipped catalog.
requires: []
sections:
  - title: Only section
    body: |
      Some **Markdown** with `code`.
    code:
      source: |
        print(sum(range(4)))
      output: |
        6
"""

QUIZ = """\
topic: my-topic
questions:
  - id: my-topic-sum
    type: output
    code: |
      print(sum(range(4)))
    answer: |
      6
    explain: 0 + 1 + 2 + 3.
  - id: my-topic-why
    type: text
    prompt: Why is the sum six?
    rubric:
      - point: adds 0 to 3
        pattern: '\\b(0|zero)\\b.*\\b(3|three)\\b'
    model_answer: It adds 0, 1, 2 and 3.
    examples:
      pass: [adds zero through three, "0+1+2+3"]
      fail: [it multiplies, no idea]
"""


def make_root(tmp, lesson=LESSON, quiz=QUIZ):
    root = os.path.join(tmp, "mine")
    os.makedirs(os.path.join(root, "lessons"))
    os.makedirs(os.path.join(root, "quizzes"))
    with open(os.path.join(root, "lessons", "my-topic.yaml"), "w") as f:
        f.write(lesson)
    with open(os.path.join(root, "quizzes", "my-topic.yaml"), "w") as f:
        f.write(quiz)
    return root


SUMMARY = re.compile(r"^ok: (\d+) topics, (\d+) sections, (\d+) questions, (\d+) demos$")


def test_shipped_catalog_passes():
    status, out, err = run(["check"])
    expect(status == 0, f"exit {status}: {err}")
    m = SUMMARY.match(out.strip())
    expect(m, f"no summary line: {out!r}")
    topics, sections, questions, demos = map(int, m.groups())
    expect(topics >= 15 and sections >= 75 and questions >= 270 and demos >= 13,
           f"catalog too small: {out.strip()}")


def test_single_quiz_file_resolves_against_shipped():
    status, out, err = run(["check", "quizzes/gil.yaml"])
    expect(status == 0, f"exit {status}: {err}")
    m = SUMMARY.match(out.strip())
    expect(m and int(m.group(3)) >= 18 and m.group(1) == "0",
           f"the quiz's questions are not counted: {out!r}")


def test_own_root_alone_and_with_content():
    with tempfile.TemporaryDirectory() as tmp:
        root = make_root(tmp)
        status, out, err = run(["check", root])
        expect(status == 0, f"exit {status}: {err}")
        expect(out.strip() == "ok: 1 topics, 1 sections, 2 questions, 0 demos",
               f"summary {out!r}")
        status, out, err = run(["--content", root, "topics"])
        expect(status == 0 and "my-topic" in out and "gil" in out,
               f"--content topic not listed with the shipped ones: {out!r} {err!r}")
        status, out, err = run(["--content", root, "learn", "my-topic"])
        expect(status == 0 and "Only section" in out and "6" in out,
               f"learn of a --content topic: {out!r} {err!r}")


def test_own_root_dangling_and_model_answer():
    """Errors a content author meets: a requires naming no topic, a model
    answer its own rubric rejects, a rubric example graded the wrong way."""
    with tempfile.TemporaryDirectory() as tmp:
        lesson = LESSON.replace("requires: []", "requires: [no-such-topic]")
        quiz = QUIZ.replace("It adds 0, 1, 2 and 3.", "It adds numbers.")
        quiz = quiz.replace("[it multiplies, no idea]", "[it multiplies, no idea, from 0 to 3]")
        root = make_root(tmp, lesson, quiz)
        status, out, err = run(["check", root])
        expect(status == 2, f"exit {status}")
        lines = [l for l in err.splitlines() if ": error: " in l]
        expect(any("lessons/my-topic.yaml:6:" in l and "no-such-topic" in l for l in lines),
               f"dangling requires not at its line: {lines}")
        expect(any("quizzes/my-topic.yaml:" in l and "model answer" in l for l in lines),
               f"failing model answer not reported: {lines}")
        expect(any("rubric example should fail but passes" in l for l in lines),
               f"misgraded example not reported: {lines}")
        expect(err.strip().endswith(f"{len(lines)} errors"), f"count line: {err!r}")


def test_stats_report():
    status, out, err = run(["check", "--stats"])
    expect(status == 0, f"exit {status}: {err}")
    rows = {l.split()[0]: l.split()[1:] for l in out.splitlines() if l.strip()}
    for topic in ("gil", "threads", "generators"):
        expect(topic in rows, f"{topic} missing from --stats: {out!r}")
    expect("total" in rows, f"no total row: {out!r}")


POSITION_QUIZ = QUIZ + """\
  - id: my-topic-which
    type: choice
    prompt: Which sum is six?
    choices: ["0 + 1 + 2 + 3", "1 + 2", "2 + 2", {text: all of the above, pin: true}]
    answer: 0
    explain: |
      Four terms: 0, 1, 2 and 3.
      The last choice cannot be right.
  - id: my-topic-several
    type: multi
    prompt: Which are even?
    choices: ["2", "3", "4", none of the above]
    answer: [0, 2]
    explain: Options b and d are odd or empty, so answer (c) and answer a.
  - id: my-topic-quiet
    type: choice
    prompt: Which is bigger?
    choices: ["4", "3"]
    answer: 0
    explain: To answer a question like this, compare the first digits; the first one wins here.
"""


def test_position_warnings():
    """An explanation naming a choice by its place, and an unpinned choice
    speaking of the others' place, are warnings at their line: the file
    still checks (exit 0). A pinned one, and prose such as 'answer a
    question', are not."""
    with tempfile.TemporaryDirectory() as tmp:
        root = make_root(tmp, quiz=POSITION_QUIZ)
        quiz = os.path.join(root, "quizzes", "my-topic.yaml")
        status, out, err = run(["check", root])
        expect(status == 0, f"exit {status}: {err}")
        expect(out.startswith("ok: 1 topics"), f"summary {out!r}")
        warns = [l for l in err.splitlines() if ": warning: " in l]
        want = [
            f"{quiz}:25:14: warning: the explanation names a choice by its place ('The last choice'), "
            "but choices are shown shuffled: name it by what it says",
            f"{quiz}:31:30: warning: a choice says 'of the above', but choices are shown shuffled: "
            "pin it in place ({text: ..., pin: true})",
            f"{quiz}:33:14: warning: the explanation names a choice by its place ('Options b'), "
            "but choices are shown shuffled: name it by what it says",
            f"{quiz}:39:14: warning: the explanation names a choice by its place ('the first one'), "
            "but choices are shown shuffled: name it by what it says",
        ]
        expect(warns == want, f"warnings:\n{chr(10).join(warns)}\nwant:\n{chr(10).join(want)}")
        expect(err.splitlines()[-1] == "4 warnings", f"no warning count: {err!r}")
        # Errors beside warnings: the errors decide the exit status.
        with open(quiz, "a") as f:
            f.write("  - id: my-topic-broken\n    type: choice\n    prompt: x\n    choices: [a]\n    answer: 0\n")
        status, out, err = run(["check", root])
        expect(status == 2 and "4 warnings" in err and err.splitlines()[-1] == "1 error",
               f"exit {status}: {err!r}")


run_tests(globals())
