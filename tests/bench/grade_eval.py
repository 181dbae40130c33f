"""Grader evaluation on held-out answers: how many correct answers the text
rubrics reject, and how many wrong answers they accept.

    python3 tests/bench/grade_eval.py [BUILD_DIR] [--dev] [--list] [--by-position] [--only PREFIX]

tests/data/grading/eval.yaml (the 65 core text questions) holds answers
written from the questions' prompts alone, without seeing the rubrics or
their examples: for each text question, correct answers in varied words
and wrong-but-plausible ones. eval3.yaml (core) and eval4.yaml (the 56
outside the core topics), written later the same way, hold four wrong
answers a question, among them the right words with one central claim
wrong. eval5.yaml (the 56 again) holds five correct answers a question,
in five candidates' styles, and two wrong ones. They are held out: never
copied into a rubric's examples, never read while writing a rubric (the
figures would then measure the rubric's memory, not its judgement).
tests/data/grading/dev.yaml to dev55.yaml, each written the same way by
another hand (dev16.yaml to dev27.yaml, dev29.yaml, dev30.yaml,
dev32.yaml, dev33.yaml, dev35.yaml, dev37.yaml, dev39.yaml, dev41.yaml,
dev43.yaml and dev45.yaml to dev55.yaml for the questions outside the
core topics; dev31.yaml and dev32.yaml hold eight wrong
answers a question with one central claim wrong, dev33.yaml to
dev44.yaml and dev47.yaml five, beside correct
answers told as stories and in non-native English), are the sets rubric
authors tune against (--dev); dev3.yaml to dev7.yaml, dev10.yaml,
dev17.yaml, dev18.yaml and dev45.yaml (eval2.yaml until eval5.yaml, to
the same brief, took its place) were held-out sets, opened for study once
measured. With several sets the totals come first,
then each set's. --list prints every misgraded answer; --by-position
counts the misgraded answers by their position in a question's list
(each set's writers were asked for one style per position: see the set's
header), totals only; --only keeps the questions whose id starts with
PREFIX."""

import os
import re
import subprocess
import sys

import yaml

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
argv = sys.argv[1:]
only = ""
if "--only" in argv:
    i = argv.index("--only")
    only = argv[i + 1] if i + 1 < len(argv) else ""
    del argv[i:i + 2]
bad = [a for a in argv if a.startswith("-") and a not in ("--dev", "--list", "--by-position")]
if bad:
    # Anything else (--help included) prints the usage: it must never
    # measure the held-out set by accident.
    print(__doc__.split("\n\n")[1].strip(), file=sys.stderr)
    sys.exit(0 if bad[0] in ("-h", "--help") else 2)
args = [a for a in argv if not a.startswith("--")]
BUILD = os.path.abspath(args[0] if args else os.path.join(TOP, "build"))
TOOL = os.path.join(BUILD, "tests", "bench", "grade-eval")
GRADING = os.path.join(TOP, "tests", "data", "grading")
# The development sets, each by another hand (a label names its set), or
# the held-out ones.
# Every devN.yaml (evalN.yaml) there is a set, in number order: a list
# written out by hand once stopped short of the newest sets.
DEV = ["dev.yaml"] + [f"dev{n}.yaml" for n in sorted(
    int(f[3:-5]) for f in os.listdir(GRADING) if re.fullmatch(r"dev[0-9]+\.yaml", f))]
HELD_OUT = ["eval.yaml"] + [f"eval{n}.yaml" for n in sorted(
    int(f[4:-5]) for f in os.listdir(GRADING) if re.fullmatch(r"eval[0-9]+\.yaml", f))]
SETS = ([("", DEV[0])] + [(f"d{name[3:-5]}.", name) for name in DEV[1:]]
        if "--dev" in sys.argv
        else [("", HELD_OUT[0])] + [(f"e{name[4:-5]}.", name) for name in HELD_OUT[1:]])


def main():
    records, answers = [], {}
    for tag, name in SETS:
        with open(os.path.join(GRADING, name), encoding="utf-8") as f:
            entries = yaml.safe_load(f)
        for e in entries:
            if not e["id"].startswith(only):
                continue
            for kind in ("correct", "wrong"):
                for i, text in enumerate(e.get(kind, [])):
                    label = f"{e['id']}#{kind}#{tag}{i}"
                    answers[label] = text
                    records.append(f"{e['id']}\0{label}\0{text}\0")
    env = dict(os.environ, PYDOJO_DATADIR=os.environ.get("PYDOJO_DATADIR", TOP))
    out = subprocess.run([TOOL], input="".join(records).encode(), env=env,
                         stdout=subprocess.PIPE, check=True).stdout.decode()
    # [misgraded, total] per kind: for all sets (""), then for each set by its tag
    counts = {"": {"correct": [0, 0], "wrong": [0, 0]}}
    unknown, missed = [], []
    for line in out.splitlines():
        label, verdict = line.split()[:2]
        kind = label.split("#")[1]
        if verdict == "unknown":
            unknown.append(label)
            continue
        tag = label.split("#")[2].rstrip("0123456789")
        bad = (verdict != "pass") if kind == "correct" else (verdict == "pass")
        for g in ("", tag or "-"):
            cell = counts.setdefault(g, {"correct": [0, 0], "wrong": [0, 0]})[kind]
            cell[1] += 1
            cell[0] += bad
        if bad:
            missed.append((label, line.split()[2] if len(line.split()) > 2 else "", answers[label]))
    names = {tag or "-": name for tag, name in SETS}
    each = [t or "-" for t, _ in SETS if (t or "-") in counts] if len(SETS) > 1 else []
    for g in [""] + each:
        c, w = counts[g]["correct"], counts[g]["wrong"]
        indent = "  " if g else ""
        if g:
            print(f"{names[g]}:")
        print(f"{indent}correct answers rejected: {c[0]}/{c[1]} ({100 * c[0] / max(c[1], 1):.1f}%)")
        print(f"{indent}wrong answers accepted:   {w[0]}/{w[1]} ({100 * w[0] / max(w[1], 1):.1f}%)")
    if unknown:
        print(f"answers for unknown questions: {len(unknown)}")
    if "--by-position" in sys.argv:
        # [rejected, total] per (set tag, position) of the correct answers
        by = {}
        bad_labels = {label for label, _, _ in missed}
        for label in answers:
            _, kind, pos = label.split("#")
            tag = pos.rstrip("0123456789")
            cell = by.setdefault((tag or "-", kind, int(pos[len(tag):])), [0, 0])
            cell[0] += label in bad_labels
            cell[1] += 1
        order = [t or "-" for t, _ in SETS]
        for tag, kind, pos in sorted(by, key=lambda k: (order.index(k[0]), k[1], k[2])):
            bad, total = by[(tag, kind, pos)]
            what = "rejected" if kind == "correct" else "accepted"
            print(f"{names[tag]}: {kind} answers at position {pos + 1} {what}: {bad}/{total}")
    if "--list" in sys.argv:
        for label, pts, text in missed:
            print(f"\n{label} ({pts}):\n  {text}")


if __name__ == "__main__":
    main()
