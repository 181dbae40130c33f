"""Partial credit under a wrong answer: a multi answer's choices right and
chosen, chosen but wrong, and missed, labelled as they were shown (under
--seed, with two seeds); an order answer's longest run in the right
relative order; an output answer's line diff (- expected, + yours), with a
note when only whitespace or only quote style differ (still wrong). The
same shows in the list of missed questions at the end and in the interview
report, and an answer's control characters are shown escaped."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sessionlib import Env, check, finish, shown_choices, shown_items  # noqa: E402

LESSON = """id: cred
title: Credit
track: language
level: core
summary: Partial credit.
sections:
  - title: Only
    body: Text.
"""

QUIZ = """topic: cred
questions:
  - id: cred-multi
    type: multi
    prompt: Which are right?
    choices: [right fig, wrong grape, right kiwi, wrong lime, right mango]
    answer: [0, 2, 4]
  - id: cred-order
    type: order
    prompt: Put them in order.
    items: [one, two, three, four, five, six]
  - id: cred-out
    type: output
    code: |
      print({'a': 1})
      for i in range(2):
          print(' ', i)
    answer: |
      {'a': 1}
        0
        1
"""

CHOICES = ["right fig", "wrong grape", "right kiwi", "wrong lime", "right mango"]


def content(e):
    root = os.path.join(e.tmp, "cred")
    for d, text in (("lessons", LESSON), ("quizzes", QUIZ)):
        os.makedirs(os.path.join(root, d), exist_ok=True)
        with open(os.path.join(root, d, "cred.yaml"), "w", encoding="utf-8") as f:
            f.write(text)
    return root


def fresh(e, name):
    e.db = os.path.join(e.tmp, name + ".db")
    if os.path.exists(e.db):
        os.remove(e.db)


def quiz(e, root, qid, lines, seed):
    return e.run("--content", root, "quiz", qid, input="\n".join(lines) + "\n", seed=seed)


def feedback(out):
    """The lines from the verdict to the rating line."""
    m = re.search(r"^✗ wrong\n(.*?)^  1 again", out, re.S | re.M)
    return m.group(1) if m else ""


def test_multi(e, root):
    for seed in (3, 11):
        fresh(e, f"multi-{seed}")
        shown = shown_choices(quiz(e, root, "cred-multi", ["quit"], seed).stdout)
        check(sorted(shown) == sorted(CHOICES), f"seed {seed}: every choice shown ({shown})")
        if sorted(shown) != sorted(CHOICES):
            continue
        let = {t: chr(ord("a") + shown.index(t)) for t in CHOICES}
        # Chose fig (right) and grape (wrong); missed kiwi and mango.
        r = quiz(e, root, "cred-multi", [f"{let['right fig']} {let['wrong grape']}", "1"], seed)
        fb = feedback(r.stdout)
        missed = ", ".join(sorted([let["right kiwi"], let["right mango"]]))
        want = (f"  ✓ right and chosen: {let['right fig']}\n"
                f"  ✗ chosen but wrong: {let['wrong grape']}\n"
                f"  ✗ missed (right, not chosen): {missed}\n"
                f"  the right choices are\n")
        check(fb.startswith(want), f"seed {seed}: the choices labelled as shown: {fb!r} want {want!r}")
        # The missed list at the end labels them as shown too.
        tail = r.stdout.split("\nMissed\n", 1)[-1]
        check(f"    ✗ chosen but wrong: {let['wrong grape']}\n" in tail and
              f"      {let['right kiwi']}) right kiwi\n" in tail,
              f"seed {seed}: the missed list labels as shown: {tail!r}")
    # A right answer shows no partial credit.
    fresh(e, "multi-right")
    shown = shown_choices(quiz(e, root, "cred-multi", ["quit"], 3).stdout)
    let = " ".join(chr(ord("a") + shown.index(t)) for t in ("right fig", "right kiwi", "right mango"))
    r = quiz(e, root, "cred-multi", [let, ""], 3)
    check("✓ right" in r.stdout and "right and chosen" not in r.stdout, f"right: no credit lines: {r.stdout!r}")


def longest_run(values):
    """The length of the longest strictly increasing subsequence."""
    best = [1] * len(values)
    for k in range(len(values)):
        for j in range(k):
            if values[j] < values[k]:
                best[k] = max(best[k], best[j] + 1)
    return max(best)


def test_order(e, root):
    items = ["one", "two", "three", "four", "five", "six"]
    fresh(e, "order")
    shown = shown_items(quiz(e, root, "cred-order", ["quit"], 5).stdout)
    check(sorted(shown) == sorted(items), f"every item shown ({shown})")
    pos = {t: shown.index(t) + 1 for t in items}
    # Right but for six moved first and three moved last: four in order.
    typed = [pos[t] for t in ("six", "one", "two", "four", "five", "three")]
    r = quiz(e, root, "cred-order", [" ".join(map(str, typed)), "1"], 5)
    fb = feedback(r.stdout)
    run = " ".join(str(pos[t]) for t in ("one", "two", "four", "five"))
    want = f"  4 of 6 in the right order: {run} (your longest run in the right relative order)\n"
    check(fb.startswith(want), f"the longest run, numbered as shown: {fb!r} want {want!r}")
    check(longest_run([items.index(shown[p - 1]) for p in typed]) == 4, "the test's own count agrees")
    # Wholly reversed: one in order.
    typed = [pos[t] for t in reversed(items)]
    r = quiz(e, root, "cred-order", [" ".join(map(str, typed)), "1"], 5)
    check(re.search(r"^  1 of 6 in the right order: \d \(", feedback(r.stdout), re.M),
          f"reversed: one in order: {feedback(r.stdout)!r}")


OUT_CASES = [
    # (name, answer lines, diff lines wanted, note wanted)
    ("quotes", ['{"a": 1}', "  0", "  1"], ["    - {'a': 1}", '    + {"a": 1}', "      0"],
     "only the quote style differs ('x' against \"x\")"),
    ("indent", ["{'a': 1}", "0", "", "1"], ["      {'a': 1}", "    -   0", "    -   1", "    + 0", "    + 1"],
     "only whitespace differs (indentation, blank lines or spaces)"),
    ("both", ['{"a":1}', "0", "1"], ["    - {'a': 1}", '    + {"a":1}'],
     "only whitespace and quote style differ"),
    ("other", ["{'a': 2}", "  0", "  1"], ["    - {'a': 1}", "    + {'a': 2}", "      0", "      1"], None),
]


def test_output(e, root):
    for name, answer, diff, note in OUT_CASES:
        fresh(e, "out-" + name)
        r = quiz(e, root, "cred-out", answer + [".", "1"], 1)
        fb = feedback(r.stdout)
        check(fb.startswith("  your output against the expected (- expected, + yours):\n"),
              f"{name}: the diff is introduced: {fb!r}")
        lines = fb.splitlines()
        at = [lines.index(d) if d in lines else -1 for d in diff]
        check(-1 not in at and at == sorted(at), f"{name}: diff lines {diff} in order in {lines}")
        notes = [ln for ln in lines if ln.startswith("  note: ")]
        if note:
            check(notes == [f"  note: {note}; still wrong, since output must match exactly"],
                  f"{name}: the note: {notes}")
        else:
            check(notes == [], f"{name}: no note when more than whitespace or quotes differ: {notes}")
        check(fb.index("  the program prints\n") > fb.index("your output against"), f"{name}: then the answer")
        stored = e.sql("select correct from reviews")
        check(stored == [(0,)], f"{name}: still graded wrong ({stored})")
    # Trailing spaces and a trailing blank line alone are right, as before.
    fresh(e, "out-trailing")
    r = quiz(e, root, "cred-out", ["{'a': 1}   ", "  0", "  1", "", ".", ""], 1)
    check("✓ right" in r.stdout and "your output against" not in r.stdout, f"trailing blanks: right: {r.stdout!r}")
    # An answer's control characters are shown escaped.
    fresh(e, "out-escape")
    r = quiz(e, root, "cred-out", ["{'a': 1}\x1b[31m", "  0", "  1", ".", "1"], 1)
    check("\x1b" not in r.stdout and "    + {'a': 1}\\x1b[31m" in r.stdout, f"escaped: {r.stdout!r}")


def test_interview_report(e, root):
    """An interview shows no feedback while it runs; its report does."""
    quiz = QUIZ.split("  - id: cred-out\n", 1)[1].replace("cred-out", "credi-out")
    for d, text in (("lessons", LESSON.replace("id: cred", "id: credi")),
                    ("quizzes", "topic: credi\nquestions:\n  - id: credi-out\n" + quiz)):
        with open(os.path.join(root, d, "credi.yaml"), "w", encoding="utf-8") as f:
            f.write(text)
    fresh(e, "interview")
    r = e.run("--content", root, "interview", "--minutes", "5", "--topics", "credi",
              input="{'a': 1}\n0\n1\n.\nquit\n", seed=2)
    report = r.stdout.split("Interview report", 1)[-1]
    check("your output against the expected" not in r.stdout.split("Interview report", 1)[0],
          "no feedback during the interview")
    check("  credi-out (credi, output): wrong\n" in report and "      -   0\n" in report
          and "      + 0\n" in report, f"the report shows the diff: {report!r}")
    check("    note: only whitespace differs (indentation, blank lines or spaces); still wrong" in report,
          f"and the note: {report!r}")


if __name__ == "__main__":
    e = Env()
    root = content(e)
    test_multi(e, root)
    test_order(e, root)
    test_output(e, root)
    test_interview_report(e, root)
    finish()
