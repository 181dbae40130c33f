"""The content speaks to the learner: no lesson, quiz, demo manifest entry
or demo's printed text refers to notes the learner has never seen ("the
seed note says", "the note decodes whole lines", "the notes"). A lesson
that corrects a common belief quotes the belief itself; the one form that
may name a note is that quote: 'A common study note says: "..."'.

Every YAML string is checked (keys and ids included: an id is shown in
sessions), and every string literal of the demos' C sources."""

import glob
import os
import re
import sys

SRC = os.environ.get("PYDOJO_SOURCE_ROOT",
                     os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

# Phrases that point at a note the learner has not seen.
UNSEEN = re.compile(
    r"\bseed[\s-]+notes?\b"
    r"|\bthe\s+notes?\b"
    r"|\b(?:these|those|this|that|our|your|my|the\s+source)\s+notes?\b"
    r"|\bnotes?\s+(?:says?|claims?|said|decodes?|states?|shows?|suggests?|recommends?)\b"
    r"|\bstudy\s+notes?\b"
    r"|\baccording\s+to\s+(?:a|the)\s+notes?\b",
    re.I)
# The quoted-belief form, allowed: A common study note says: "..." (or
# 'Some study notes say: ...').
QUOTED = re.compile(r"\b(?:a\s+common|some|many)\s+study\s+notes?\s+says?:\s*[\"“']", re.I)


def offending(text, with_offsets=False):
    """The phrases of text that refer to an unseen note (with their
    offsets when asked)."""
    allowed = [m.span() for m in QUOTED.finditer(text)]
    bad = []
    for m in UNSEEN.finditer(text):
        if any(a <= m.start() < b for a, b in allowed):
            continue
        bad.append((m.start(), m.group(0)) if with_offsets else m.group(0))
    return bad


def yaml_texts(path):
    """The whole file (a phrase may span lines), comment lines blanked."""
    with open(path, encoding="utf-8") as f:
        lines = [("" if line.lstrip().startswith("#") else line) for line in f]
    yield 1, "".join(lines)


def c_strings(path):
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            for m in re.finditer(r'"((?:[^"\\]|\\.)*)"', line):
                yield n, m.group(1)


def self_test():
    """The matcher itself: what it must catch and what it must let through."""
    for s in ("The seed note says the GIL switches every 100 bytecodes.",
              "the note decodes whole lines", "As the notes put it", "a study note claims",
              "our notes are wrong", "the seed-notes"):
        assert offending(s), s
    for s in ('A common study note says: "the GIL switches every 100 bytecodes".',
              "Note that `join()` blocks.", "note `await asyncio.to_thread(t.join)`",
              "Read the docs' note on calls from several threads.", "A common belief is that..."):
        assert not offending(s), s


def main():
    self_test()
    problems = []
    files = sorted(glob.glob(os.path.join(SRC, "lessons", "*.yaml"))
                   + glob.glob(os.path.join(SRC, "quizzes", "*.yaml"))
                   + [os.path.join(SRC, "demos", "demos.yaml")])
    for path in files:
        for _, text in yaml_texts(path):
            for at, bad in offending(text, with_offsets=True):
                n = text.count("\n", 0, at) + 1
                problems.append(f"{os.path.relpath(path, SRC)}:{n}: '{bad}' refers to a note the learner never saw")
    for path in sorted(glob.glob(os.path.join(SRC, "demos", "*.c"))):
        for n, text in c_strings(path):
            for bad in offending(text):
                problems.append(f"{os.path.relpath(path, SRC)}:{n}: '{bad}' refers to a note the learner never saw")
    if not files:
        problems.append("no content found under " + SRC)
    for p in problems:
        print(p)
    print(f"{len(files)} content files checked; {len(problems)} problem(s)")
    sys.exit(1 if problems else 0)


main()
