"""Grader evaluation on held-out answers: how many correct answers the text
rubrics reject, and how many wrong answers they accept.

    python3 tests/bench/grade_eval.py [BUILD_DIR] [--list]

tests/data/grading/eval.yaml holds answers written from the questions'
prompts alone, without seeing the rubrics or their examples: for each text
question, correct answers in varied words and wrong-but-plausible ones. They
are never copied into a rubric's examples (that would make the figures
measure the rubric's memory, not its judgement). --list prints every
misgraded answer."""

import os
import subprocess
import sys

import yaml

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
args = [a for a in sys.argv[1:] if not a.startswith("--")]
BUILD = os.path.abspath(args[0] if args else os.path.join(TOP, "build"))
TOOL = os.path.join(BUILD, "tests", "bench", "grade-eval")
EVAL = os.path.join(TOP, "tests", "data", "grading", "eval.yaml")


def main():
    with open(EVAL, encoding="utf-8") as f:
        entries = yaml.safe_load(f)
    records, answers = [], {}
    for e in entries:
        for kind in ("correct", "wrong"):
            for i, text in enumerate(e.get(kind, [])):
                label = f"{e['id']}#{kind}#{i}"
                answers[label] = text
                records.append(f"{e['id']}\0{label}\0{text}\0")
    env = dict(os.environ, PYDOJO_DATADIR=os.environ.get("PYDOJO_DATADIR", TOP))
    out = subprocess.run([TOOL], input="".join(records).encode(), env=env,
                         stdout=subprocess.PIPE, check=True).stdout.decode()
    counts = {"correct": [0, 0], "wrong": [0, 0]}   # [misgraded, total]
    unknown, missed = [], []
    for line in out.splitlines():
        label, verdict = line.split()[:2]
        kind = label.split("#")[1]
        if verdict == "unknown":
            unknown.append(label)
            continue
        counts[kind][1] += 1
        bad = (verdict != "pass") if kind == "correct" else (verdict == "pass")
        if bad:
            counts[kind][0] += 1
            missed.append((label, line.split()[2] if len(line.split()) > 2 else "", answers[label]))
    c, w = counts["correct"], counts["wrong"]
    print(f"correct answers rejected: {c[0]}/{c[1]} ({100 * c[0] / max(c[1], 1):.1f}%)")
    print(f"wrong answers accepted:   {w[0]}/{w[1]} ({100 * w[0] / max(w[1], 1):.1f}%)")
    if unknown:
        print(f"answers for unknown questions: {len(unknown)}")
    if "--list" in sys.argv:
        for label, pts, text in missed:
            print(f"\n{label} ({pts}):\n  {text}")


if __name__ == "__main__":
    main()
