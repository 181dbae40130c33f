"""Choice and multi options are shown shuffled: seeded by --seed and the
question (two seeds, two orders; the same seed, the same order; undo asks
again in the same order), a pinned choice keeps its place, the letters typed
name the choices as shown, the feedback labels them as shown, and the
stored answer names them as written."""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sessionlib import Env, check, finish, headers, shown_choices  # noqa: E402

LESSON = """id: shuf
title: Shuffled choices
track: language
level: core
summary: Questions whose choices move.
sections:
  - title: Only
    body: Text.
"""

QUIZ = """topic: shuf
questions:
  - id: shuf-one
    type: choice
    prompt: Which is the right one?
    choices: [wrong apple, right banana, wrong cherry, wrong date, wrong elder, {text: none of the above, pin: true}]
    answer: 1
  - id: shuf-many
    type: multi
    prompt: Which are right?
    choices: [right fig, wrong grape, right kiwi, wrong lime, wrong mango]
    answer: [0, 2]
"""

WRITTEN = {
    "shuf-one": ["wrong apple", "right banana", "wrong cherry", "wrong date", "wrong elder", "none of the above"],
    "shuf-many": ["right fig", "wrong grape", "right kiwi", "wrong lime", "wrong mango"],
}


def content(e):
    root = os.path.join(e.tmp, "shuf")
    for d, text in (("lessons", LESSON), ("quizzes", QUIZ)):
        os.makedirs(os.path.join(root, d), exist_ok=True)
        with open(os.path.join(root, d, "shuf.yaml"), "w", encoding="utf-8") as f:
            f.write(text)
    return root


def blocks(out):
    """Each question asked: (id, the choices in the shown order)."""
    lines = out.splitlines()
    at = [i for i, line in enumerate(lines) if re.match(r"^\[\d+/\d+\] shuf-", line)]
    ids = headers(out)
    return [(qid, shown_choices("\n".join(lines[i:]))) for qid, i in zip(ids, at)]


def letter(shown, text):
    return chr(ord("a") + shown.index(text))


def orders(e, root, seed):
    r = e.run("--content", root, "quiz", "shuf", input="quit\n", seed=seed)
    return r, blocks(r.stdout)


def test_seeded_orders(e, root):
    seen = {}
    for seed in range(1, 9):
        r, b = orders(e, root, seed)
        check(r.returncode == 0 and len(b) == 1, f"seed {seed}: one question shown ({r.stderr.strip()})")
        qid, shown = b[0]
        check(sorted(shown) == sorted(WRITTEN[qid]), f"seed {seed}: every choice of {qid} shown once ({shown})")
        if qid == "shuf-one":
            check(shown[-1] == "none of the above", f"seed {seed}: the pinned choice stays last ({shown})")
        seen.setdefault(qid, set()).add(tuple(shown))
        again = orders(e, root, seed)[1]
        check(again == b, f"seed {seed}: the same seed shows the same order")
    for qid, s in seen.items():
        check(len(s) > 1, f"{qid}: different seeds show different orders ({len(s)} seen)")
    check(any(o != tuple(WRITTEN[q]) for q, s in seen.items() for o in s), "some order differs from the written one")


def test_answer_as_shown(e, root):
    """Right answers typed as shown are graded right and stored as written;
    a wrong one names the right choice by its shown letter."""
    # Seeds under which the right choice of shuf-one is not shown where it
    # is written: a label taken from the written order would show.
    picked = []
    for seed in range(1, 30):
        e.db = os.path.join(e.tmp, "probe.db")
        r = e.run("--content", root, "quiz", "shuf", input="skip\nquit\n", seed=seed)
        one = dict(blocks(r.stdout)).get("shuf-one")
        if one and letter(one, "right banana") != "b":
            picked.append(seed)
        if len(picked) == 2:
            break
    check(len(picked) == 2, f"two seeds move the right choice ({picked})")
    for seed in picked:
        db = os.path.join(e.tmp, f"answers-{seed}.db")
        if os.path.exists(db):
            os.remove(db)
        e.db = db
        r, b = orders(e, root, seed)
        # Ask both, in the order the quiz asks them: read the first, answer,
        # then run again with both answers (the order is seeded).
        first_id, first = b[0]
        def right(qid, shown):
            if qid == "shuf-one":
                return letter(shown, "right banana")
            return " ".join(sorted(letter(shown, t) for t in ("right kiwi", "right fig")))
        r = e.run("--content", root, "quiz", "shuf", input=right(first_id, first) + "\n\nquit\n", seed=seed)
        b2 = blocks(r.stdout)
        check(len(b2) == 2 and b2[0] == b[0], f"seed {seed}: both questions shown, the first as before")
        if len(b2) < 2:
            continue
        os.remove(db)
        second_id, second = b2[1]
        ans = [right(first_id, first), right(second_id, second)]
        r = e.run("--content", root, "quiz", "shuf", input=f"{ans[0]}\n\n{ans[1]}\n\n", seed=seed)
        check(r.returncode == 0 and r.stdout.count("✓ right") == 2,
              f"seed {seed}: answers typed as shown are right ({ans}): {r.stdout[-400:]!r}")
        stored = dict(e.sql("select question_id, answer from reviews"))
        check(stored == {"shuf-one": "b", "shuf-many": "a,c"},
              f"seed {seed}: stored answers name the choices as written ({stored})")
        # A wrong answer: the right one is named by its shown letter.
        os.remove(db)
        shown_one = dict(b2)["shuf-one"]
        wrong = letter(shown_one, "wrong apple")
        inp = []
        for qid, _ in b2:
            inp += [wrong, ""] if qid == "shuf-one" else [ans[[x for x, _ in b2].index(qid)], ""]
        r = e.run("--content", root, "quiz", "shuf", input="\n".join(inp) + "\n", seed=seed)
        want = f"  the answer is\n    {letter(shown_one, 'right banana')}) right banana\n"
        check(want in r.stdout, f"seed {seed}: the right answer shown under its shown letter: {r.stdout!r}")
        stored = dict(e.sql("select question_id, answer from reviews"))
        check(stored.get("shuf-one") == "a", f"seed {seed}: a wrong answer is stored as written ({stored})")


def test_undo_same_order(e, root):
    seed = 5
    e.db = os.path.join(e.tmp, "undo.db")
    r, b = orders(e, root, seed)
    first_id, first = b[0]
    r = e.run("--content", root, "quiz", "shuf", input="a\n\nundo\nquit\n", seed=seed)
    again = blocks(r.stdout)
    check("took back your answer" in r.stdout and len(again) == 3,
          f"undo asks the first question again ({[q for q, _ in again]})")
    if len(again) == 3:
        check(again[2] == (first_id, first), "undo asks it again in the same order")
        check(again[0] == (first_id, first), "the first showing is the seeded order")


def main():
    e = Env()
    root = content(e)
    test_seeded_orders(e, root)
    test_answer_as_shown(e, root)
    test_undo_same_order(e, root)
    finish()


main()
