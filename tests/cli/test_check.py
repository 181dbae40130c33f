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


USER_LESSON = """\
id: my-topic
title: My own topic
track: language
level: core
summary: A topic that leans on shipped ones.
requires: [gil]
see_also: [threads]
demos: [gil]
sections:
  - title: Only section
    body: Read the shipped lessons first.
"""

USER_QUIZ = """\
topic: my-topic
questions:
  - id: my-topic-os
    type: text
    prompt: What is a Python thread?
    rubric:
      - point: an OS thread
        pattern: '\\bOS\\b|operating system'
        section: threads/os-threads
    model_answer: An OS thread sharing the interpreter's memory.
"""


def test_folder_resolves_shipped_references():
    """check DIR resolves requires, see_also, demos and a rubric point's
    section against the shipped catalog, as --content does, and counts and
    reports only the folder's own content; --standalone checks the folder
    alone, where the same references are errors at their lines."""
    with tempfile.TemporaryDirectory() as tmp:
        root = make_root(tmp, USER_LESSON, USER_QUIZ)
        lesson = os.path.join(root, "lessons", "my-topic.yaml")
        quiz = os.path.join(root, "quizzes", "my-topic.yaml")
        status, out, err = run(["check", root])
        expect(status == 0 and err == "", f"exit {status}: {err!r}")
        expect(out == "ok: 1 topics, 1 sections, 1 questions, 0 demos\n", f"summary {out!r}")
        status, out, err = run(["--content", root, "topics"])
        expect(status == 0 and "my-topic" in out and err == "", f"--content: exit {status}: {err!r}")
        status, out, err = run(["check", "--standalone", root])
        want = [
            f"{lesson}:6:12: error: unknown topic 'gil' in 'requires'",
            f"{lesson}:7:12: error: unknown topic 'threads' in 'see_also'",
            f"{lesson}:8:9: error: unknown demo 'gil' in 'demos'",
            f"{quiz}:9:18: error: unknown topic 'threads' in section 'threads/os-threads'",
            "4 errors",
        ]
        expect(status == 2 and err.splitlines() == want and out == "",
               f"--standalone: exit {status}:\n{err}want:\n" + "\n".join(want))
        # Options anywhere, as for every command.
        status, out, err = run(["check", root, "--standalone"])
        expect(status == 2 and err.splitlines() == want, f"--standalone last: exit {status}")


def test_folder_clashing_with_shipped_ids():
    """A folder's topic or question id that the shipped catalog already has
    is an error at the folder's file, as it is when --content adds the
    folder; the shipped files are never reported. Alone it checks."""
    with tempfile.TemporaryDirectory() as tmp:
        lesson = LESSON.replace("id: my-topic", "id: gil")
        quiz = QUIZ.replace("topic: my-topic", "topic: gil").replace("my-topic-sum", "gil-switch-interval")
        root = os.path.join(tmp, "mine")
        os.makedirs(os.path.join(root, "lessons"))
        os.makedirs(os.path.join(root, "quizzes"))
        with open(os.path.join(root, "lessons", "gil.yaml"), "w") as f:
            f.write(lesson)
        with open(os.path.join(root, "quizzes", "gil.yaml"), "w") as f:
            f.write(quiz)
        for args in (["check", root], ["--content", root, "check"]):
            status, out, err = run(args)
            lines = [l for l in err.splitlines() if ": error: " in l]
            expect(status == 2 and lines and all(l.startswith(root + "/") for l in lines),
                   f"{args}: exit {status}: {err!r}")
            expect(any(l.startswith(f"{root}/lessons/gil.yaml:1:1: error: duplicate topic id 'gil' (also in ")
                       for l in lines), f"{args}: no duplicate topic: {lines}")
            expect(any(f"{root}/quizzes/gil.yaml:" in l and "quiz for topic 'gil'" in l for l in lines),
                   f"{args}: no second quiz: {lines}")
        status, out, err = run(["check", "--standalone", root])
        expect(status == 0 and out.startswith("ok: 1 topics"), f"--standalone: exit {status}: {err!r}")


def test_shipped_folder_named():
    """The shipped content named as a folder is checked as itself, not
    against itself; --standalone needs a PATH."""
    status, out, err = run(["check"])
    status2, out2, err2 = run(["check", SRC])
    expect(status == status2 == 0 and out == out2, f"check {SRC}: exit {status2}: {out2!r} {err2!r}")
    status, out, err = run(["check", "--standalone"])
    expect(status == 2 and err.startswith("error: --standalone needs a PATH")
           and err.splitlines()[-1].startswith("usage: check "), f"exit {status}: {err!r}")
    status, out, err = run(["help", "check"])
    expect(status == 0 and "--standalone" in out, f"help check: {out!r}")
    status, out, err = run(["__complete", "check", "--st"])
    expect("--standalone" in out.split(), f"completion: {out!r}")


run_tests(globals())
