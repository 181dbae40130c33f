"""Shared helpers of the progress tests (stats, export, store): a small
content root of two topics holding all six question types, an environment
that uses it instead of the shipped content, and the FSRS forgetting curve
of fsrs.md §3 to check mean retrievability."""

import os

from clitest import private_env

LESSON = """\
id: {id}
title: Topic {id}
track: {track}
level: core
summary: The {id} topic of the progress tests.
sections:
  - title: Only section
    body: |
      Some **Markdown**.
"""

ALPHA = """\
topic: alpha
questions:
  - id: alpha-choice
    type: choice
    prompt: "Pick **one**:\\tthe tab before this is part of the prompt"
    choices: [a plain choice, "a choice with `code`"]
    answer: 1
    explain: |
      Because of *this*.

      And a second paragraph.
    tags: [basics, two words]
  - id: alpha-tf
    type: truefalse
    prompt: The GIL is a lock.
    answer: true
  - id: alpha-text
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

BETA = """\
topic: beta
questions:
  - id: beta-out
    type: output
    code: |
      for i in range(2):
      \tprint(i, end="\\t")
      print()
      print("<done> & \\"quoted\\"")
    answer: "0\\t1\\t\\n<done> & \\"quoted\\"\\n"
    hint: look at end=
  - id: beta-order
    type: order
    prompt: Put them in order.
    items: [first, second, third, fourth]
  - id: beta-multi
    type: multi
    prompt: Pick two.
    choices: [x, y, z]
    answer: [0, 2]
    tags: [sets]
"""

QUESTIONS = {"alpha": ["alpha-choice", "alpha-tf", "alpha-text"],
             "beta": ["beta-out", "beta-order", "beta-multi"]}


def make_content(tmp):
    """Writes the content root under tmp; returns its path."""
    root = os.path.join(tmp, "content")
    os.makedirs(os.path.join(root, "lessons"))
    os.makedirs(os.path.join(root, "quizzes"))
    for topic, track, quiz in (("alpha", "one", ALPHA), ("beta", "two", BETA)):
        with open(os.path.join(root, "lessons", topic + ".yaml"), "w") as f:
            f.write(LESSON.format(id=topic, track=track))
        with open(os.path.join(root, "quizzes", topic + ".yaml"), "w") as f:
            f.write(quiz)
    return root


def content_env(tmp, now=None, tz="UTC"):
    """An environment whose only content is make_content(tmp)."""
    root = make_content(tmp)
    return private_env(tmp, PYDOJO_DATADIR=root, PYDOJO_NOW=now, TZ=tz)


DECAY = -0.1542
FACTOR = 0.9 ** (1 / DECAY) - 1


def retrievability(elapsed_days, s):
    """R(t, S) of fsrs.md §3, t in whole days."""
    return (1 + FACTOR * elapsed_days / s) ** DECAY
