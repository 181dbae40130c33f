"""The shipped choice and multi questions do not give their answers away by
where the right options are written: no letter holds more than 40% of the
right answers of its question type. The order as written is what the Anki
export shows (a session shows the choices shuffled). Nor do the choice
questions give their answers away by length: the right option is the strictly
longest one in at most 40% of them."""

import glob
import os
import sys
from collections import Counter

import yaml

SRC = os.environ.get("PYDOJO_SOURCE_ROOT",
                     os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
MAX_SHARE = 0.40


def text(c):
    return c["text"] if isinstance(c, dict) else c


def main():
    at = {"choice": Counter(), "multi": Counter()}
    longest = nchoice = 0
    for path in sorted(glob.glob(os.path.join(SRC, "quizzes", "*.yaml"))):
        for q in yaml.safe_load(open(path, encoding="utf-8"))["questions"]:
            t = q["type"]
            if t not in at:
                continue
            answers = [q["answer"]] if t == "choice" else q["answer"]
            at[t].update(answers)
            if t == "choice":
                nchoice += 1
                lens = [len(text(c)) for c in q["choices"]]
                right = lens[q["answer"]]
                longest += all(right > n for i, n in enumerate(lens) if i != q["answer"])
    problems = []
    for t, c in at.items():
        total = sum(c.values())
        shares = ", ".join(f"{chr(97 + k)} {v}" for k, v in sorted(c.items()))
        print(f"{t}: {total} right answers by letter: {shares}")
        for k, v in c.items():
            if v > MAX_SHARE * total:
                problems.append(f"{t}: letter {chr(97 + k)} holds {v} of {total} right answers "
                                f"({100 * v / total:.0f}%, at most {100 * MAX_SHARE:.0f}%)")
    print(f"choice: the right option is the strictly longest in {longest} of {nchoice} "
          f"({100 * longest / nchoice:.0f}%)")
    if longest > MAX_SHARE * nchoice:
        problems.append(f"choice: the right option is the strictly longest in {longest} of {nchoice} "
                        f"questions ({100 * longest / nchoice:.0f}%, at most {100 * MAX_SHARE:.0f}%); "
                        f"lengthen a wrong option or tighten the right one")
    for p in problems:
        print("FAIL " + p)
    sys.exit(1 if problems else 0)


main()
