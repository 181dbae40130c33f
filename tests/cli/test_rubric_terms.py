"""Rubric terms across content roots: a --content root's terms.yaml extends
a shipped term set for that root's own questions only, defines sets of its
own, and a root without the extension finds neither."""

import os
import tempfile

from clitest import expect, private_env, run, run_tests

LESSON = """id: own-gil
title: Own GIL topic
track: mine
level: core
summary: A lesson of a --content root.
sections:
  - title: Only section
    body: Threads hand the GIL back while they wait.
"""

QUIZ = """topic: own-gil
questions:
  - id: own-terms-one
    type: text
    prompt: What does a thread do with the GIL while it waits on a socket?
    rubric:
      - point: it gives the GIL up
        says: '@release .. @gil'
        about: '@thread'
      - point: it waits on I/O
        says: '@my-wait'
    model_answer: The thread hands back the big lock while it dawdles on the socket.
    examples:
      fail:
        - The thread keeps the big lock while it dawdles.
"""


def make_root(tmp, terms):
    root = os.path.join(tmp, "mine")
    os.makedirs(os.path.join(root, "quizzes"), exist_ok=True)
    os.makedirs(os.path.join(root, "lessons"), exist_ok=True)
    with open(os.path.join(root, "lessons", "own-gil.yaml"), "w") as f:
        f.write(LESSON)
    with open(os.path.join(root, "quizzes", "own-gil.yaml"), "w") as f:
        f.write(QUIZ)
    if terms is not None:
        with open(os.path.join(root, "terms.yaml"), "w") as f:
            f.write(terms)
    return root


EXTENDS = """terms:
  gil: [big lock]
  release: [hand+ back]
  my-wait: [dawdle+]
"""


def test_root_extends_shipped_sets():
    with tempfile.TemporaryDirectory() as tmp:
        root = make_root(tmp, EXTENDS)
        status, out, err = run(["--content", root, "check"])
        expect(status == 0, f"exit {status}: {err}")


def test_extension_needed():
    """Without the root's extension, 'big lock' is not the GIL and
    '@my-wait' is unknown: both reported."""
    with tempfile.TemporaryDirectory() as tmp:
        root = make_root(tmp, "terms:\n  my-wait: [dawdle+]\n")
        status, out, err = run(["--content", root, "check"])
        expect(status == 2 and "model answer fails its own rubric" in err, f"exit {status}: {err}")
        root2 = make_root(os.path.join(tmp, "b"), None)
        status, out, err = run(["--content", root2, "check"])
        expect(status == 2 and "unknown term '@my-wait' in 'says'" in err, f"exit {status}: {err}")


def test_shipped_questions_keep_the_shipped_sets():
    """The extension applies to the root's own questions: a shipped
    question's example graded with 'big lock' would differ, so check the
    shipped catalog is still clean with the root added, and the shipped
    vocabulary alone does not know 'big lock'."""
    with tempfile.TemporaryDirectory() as tmp:
        root = make_root(tmp, EXTENDS)
        status, out, err = run(["--content", root, "check"])
        expect(status == 0, f"exit {status}: {err}")
        status, out, err = run(["check"])
        expect(status == 0, f"shipped check: {err}")


PLAIN_QUIZ = """topic: own-gil
questions:
  - id: own-plain-one
    type: text
    prompt: What does a thread do with the GIL while it waits on a socket?
    rubric:
      - point: it gives the GIL up
        says: 'releas\\w* (\\w+ ){0,2}GIL'
    model_answer: The thread releases the GIL while it waits.
"""


def test_root_alone_without_terms():
    """A root without terms.yaml served alone (no shipped vocabulary at
    all): its rubric-language points are graded as check judges them, not
    silently never found."""
    with tempfile.TemporaryDirectory() as tmp:
        root = make_root(tmp, None)
        with open(os.path.join(root, "quizzes", "own-gil.yaml"), "w") as f:
            f.write(PLAIN_QUIZ)
        env = private_env(tmp, PYDOJO_DATADIR=root)
        status, out, err = run(["check"], env=env)
        expect(status == 0, f"exit {status}: {err}")
        db = os.path.join(tmp, "p.db")
        for answer, verdict in (("It releases the GIL, so others run.", "✓ right"),
                                ("It keeps the GIL.", "✗ wrong")):
            status, out, err = run(["--db", db, "quiz", "own-plain-one"], stdin=answer + "\n.\n\n", env=env)
            expect(status == 0 and verdict in out, f"{answer!r}: exit {status}: {out} {err}")


if __name__ == "__main__":
    run_tests(globals())
