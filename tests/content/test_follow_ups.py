"""Every key point of every shipped text question carries a follow_up: the
question `interview` asks next when an answer misses that point. Each is a
non-empty prompt of its own: not the question's prompt again, not the
point's own wording (which would hand over what it grades), and not shared
with another point of the same question (each probes its own point)."""

import glob
import os
import sys

import yaml

SRC = os.environ.get("PYDOJO_SOURCE_ROOT",
                     os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def norm(s):
    return " ".join(str(s).split()).lower()


def problems_of(path):
    doc = yaml.safe_load(open(path, encoding="utf-8"))
    name = os.path.relpath(path, SRC)
    out, points = [], 0
    for q in doc.get("questions") or []:
        if q.get("type") != "text":
            continue
        seen = {}
        for i, p in enumerate(q.get("rubric") or [], 1):
            points += 1
            where = f"{name}: {q.get('id')} point {i} ({p.get('point')!r})"
            fu = p.get("follow_up")
            if not isinstance(fu, str) or not fu.strip():
                out.append(f"{where}: no follow_up")
                continue
            if norm(fu) == norm(q.get("prompt", "")):
                out.append(f"{where}: the follow_up repeats the question's prompt")
            if norm(fu) == norm(p.get("point", "")):
                out.append(f"{where}: the follow_up is the point's own wording")
            if norm(fu) in seen:
                out.append(f"{where}: the same follow_up as point {seen[norm(fu)]}")
            seen.setdefault(norm(fu), i)
    return out, points


def main():
    problems, total = [], 0
    for path in sorted(glob.glob(os.path.join(SRC, "quizzes", "*.yaml"))):
        p, n = problems_of(path)
        problems += p
        total += n
    print(f"{total} key points of text questions, {total - len(problems)} with a follow_up of their own")
    check(total > 0, problems)


def check(any_points, problems):
    if not any_points:
        problems.append("no text question found under quizzes/")
    for p in problems:
        print("FAIL " + p)
    sys.exit(1 if problems else 0)


main()
