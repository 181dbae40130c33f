"""Contesting a grade and re-teaching a revised question, through the real
binary with piped input: `c N` / `contest N` at the rating prompt counts a
missed key point (verdict and suggested rating worked out again) and keeps
the dispute once the answer is rated; a found point, a number that is no
point and a question that is not text get a one-line reason and the prompt
again. `disputes` lists them (text and --json), `--export FILE` writes YAML
that python's yaml reads back exactly and that pydojo's own loader takes
when pasted into a quiz, and `stats --json` counts them per question. A
question given `revised: N` is due again for a card answered before, in
review, topics and stats, and says so in one line when asked; answering
stores the revision."""

import json
import os
import sqlite3
import tempfile

import yaml

from clitest import expect, private_env, run, run_tests

LESSON = """\
id: locks
title: Locks
track: concurrency
level: core
summary: Locks, for the contest tests.
sections:
  - title: Only section
    body: Some text.
"""

QUIZ = """\
topic: locks
questions:
  - id: locks-why
    type: text
    prompt: Why do threads help I/O-bound code?
    rubric:
      - point: a blocking call releases the GIL
        pattern: '\\breleas\\w*'
      - point: other threads run meanwhile
        pattern: '\\bother threads? (run|execute)'
      - point: the waits overlap
        pattern: '\\boverlap'
    pass: 2
    model_answer: A blocking call releases the GIL, so other threads run and the waits overlap.
  - id: locks-tf
    type: truefalse
    prompt: A lock is a mutex.
    answer: true
{revised}"""

NOW = "2025-03-03T09:00:00Z"
NOW_TS = 1740992400
PARTIAL = "The GIL is released by a \"blocking\" call."


class Box:
    def __init__(self, revised=""):
        self.tmpobj = tempfile.TemporaryDirectory(prefix="pydojo-contest-")
        self.tmp = self.tmpobj.name
        self.root = os.path.join(self.tmp, "content")
        os.makedirs(os.path.join(self.root, "lessons"))
        os.makedirs(os.path.join(self.root, "quizzes"))
        with open(os.path.join(self.root, "lessons", "locks.yaml"), "w") as f:
            f.write(LESSON)
        self.write_quiz(revised)
        self.db = os.path.join(self.tmp, "progress.db")

    def write_quiz(self, revised):
        with open(os.path.join(self.root, "quizzes", "locks.yaml"), "w") as f:
            f.write(QUIZ.format(revised=revised))

    def run(self, *args, stdin=None, now=NOW):
        env = private_env(self.tmp, PYDOJO_DATADIR=self.root, PYDOJO_NOW=now, TZ="UTC")
        return run(["--db", self.db, "--seed", "1", "--no-fuzz", *args], stdin=stdin, env=env)

    def sql(self, q):
        con = sqlite3.connect(self.db)
        try:
            return con.execute(q).fetchall()
        finally:
            con.close()


def quiz_text_first(box, lines):
    """A quiz of both questions; the seed asks locks-why first."""
    rc, out, err = box.run("quiz", "locks", "-n", "1", stdin="\n".join(lines) + "\n")
    expect(rc == 0, f"quiz: {rc} {err}")
    expect("locks-why (locks, text)" in out, f"the text question was not asked: {out}")
    return out


def test_contest_counts_the_point():
    b = Box()
    out = quiz_text_first(b, [PARTIAL, ".", "c", "c 1", "c 9", "c 0", "c x", "c 2", "c 2", "contest 3", ""])
    expect("✗ wrong — 1/3 key points (2 needed)" in out, out)
    expect(" 1  ✓ found  a blocking call releases the GIL" in out, "numbered points")
    expect(" 2  ✗ missed other threads run meanwhile" in out, "numbered points")
    # Beside the ratings when the width allows, else under them (80 here).
    expect("(Enter: 1 again)\n  c N: you made missed point N" in out, "the prompt offers c N: " + out[out.find("(Enter"):][:200])
    reasons = [
        "  contest which point? type 'c N', N a missed point (2, 3)",
        "  key point 1 was found already; only a missed point can be contested",
        "  no key point 9: the rubric has 3 (missed: 2, 3)",
        "  no key point 0: the rubric has 3 (missed: 2, 3)",
        "  contest which point? type 'c N', N a missed point (2, 3)",
        "  key point 2 was counted already; only a missed point can be contested",
    ]
    for r in reasons:
        expect(r + "\n" in out, f"missing {r!r} in {out}")
    expect("  contested 2. other threads run meanwhile\n"
           "  counted: 2/3 key points (2 needed), right;" in out, out)
    expect("(Enter: 2 hard)\n  c N" in out, "re-suggested: right with a point missed is hard")
    expect("  contested 3. the waits overlap\n  counted: 3/3 key points (2 needed), right;" in out, out)
    expect("(Enter: 3 good)\n" in out, "re-suggested: every point counted is good")
    expect("good: next review" in out, "Enter took the new suggestion")
    rows = b.sql("SELECT question_id, topic, at, answer, point_index, point, session_id FROM disputes ORDER BY id")
    expect(len(rows) == 2, f"{rows}")
    expect(rows[0] == ("locks-why", "locks", NOW_TS, PARTIAL + "\n", 1, "other threads run meanwhile", 1), f"{rows}")
    expect(rows[1][4:6] == (2, "the waits overlap"), f"{rows}")
    rev = b.sql("SELECT correct, score, rating FROM reviews")
    expect(rev == [(1, 1.0, 3)], f"the review is recorded with the points counted: {rev}")


def test_right_verdict_says_what_was_checked():
    """A text answer graded right says that its key points and the known
    wrong claims were checked, not every claim; a wrong one does not."""
    b = Box()
    out = quiz_text_first(b, ["A blocking call releases the GIL and the waits overlap.", ".", ""])
    expect("✓ right — 2/3 key points (2 needed)" in out, out)
    expect("  (checked: these key points and the wrong claims the rubric knows; compare\n"
           "  anything else you said with the model answer)\n  model answer:\n" in out, out)
    out = quiz_text_first(Box(), [PARTIAL, ".", ""])
    expect("✗ wrong" in out and "(checked:" not in out, out)


def test_contest_still_wrong_and_end_of_input():
    """Counting one point of a 0/3 answer leaves it wrong; the end of input
    takes the suggestion and keeps the dispute."""
    b = Box()
    out = quiz_text_first(b, ["No idea at all.", ".", "c 3"])
    expect("  counted: 1/3 key points (2 needed), still wrong;" in out, out)
    expect(b.sql("SELECT point_index FROM disputes") == [(2,)], "kept at the end of input")
    expect(b.sql("SELECT correct, rating FROM reviews") == [(0, 1)], "still wrong, again")


GIL_QUESTION = """\
  - id: locks-gil
    type: text
    prompt: Why does a thread waiting on a socket not stop the others?
    rubric:
      - point: the waiting thread releases the GIL
        says: 'releas\\w* (\\w+ ){0,2}GIL'
      - point: other threads run meanwhile
        says: 'other threads? (run|execute)'
        reject: 'each thread (\\w+ ){0,2}own GIL'
        fails_answer: true
    pass: 1
    model_answer: The waiting thread releases the GIL, so other threads run meanwhile.
"""


def test_fails_answer_wrong_claim():
    """A wrong claim of a fails_answer point fails an answer that makes
    every key point, says so at that point, and contesting that point lifts
    it; the same words denied do not fail the answer."""
    b = Box(revised=GIL_QUESTION)
    wrong = "It releases the GIL and other threads run, since each thread has its own GIL."
    env_lines = [wrong, ".", "c 2", ""]
    rc, out, err = b.run("quiz", "locks-gil", stdin="\n".join(env_lines) + "\n")
    expect(rc == 0, f"quiz: {rc} {err}")
    expect("✗ wrong — 1/2 key points (1 needed)" in out, out)
    expect(" 1  ✓ found  the waiting thread releases the GIL\n"
           " 2  ✗ wrong  other threads run meanwhile\n"
           "             your answer contradicts it, which fails the whole answer\n" in out, out)
    expect("  contested 2. other threads run meanwhile\n"
           "  counted: 2/2 key points (1 needed), right;" in out, "contesting the failing point lifts it: " + out)
    # The wrong claim alone, the point's own claim not made: still failed.
    rc, out, err = b.run("quiz", "locks-gil", stdin="It releases the GIL; each thread has its own GIL.\n.\n\n")
    expect("✗ wrong — 1/2 key points (1 needed)" in out and " 2  ✗ wrong  other threads run" in out, out)
    right = "It releases the GIL and other threads run; it is not true that each thread has its own GIL."
    rc, out, err = b.run("quiz", "locks-gil", stdin=right + "\n.\n\n")
    expect("✓ right — 2/2 key points (1 needed)" in out, out)


def test_contest_only_text():
    b = Box()
    rc, out, err = b.run("quiz", "locks", "-n", "2", stdin="\n".join(
        [PARTIAL, ".", "", "t", "c 1", "contest 1", ""]) + "\n")
    expect(rc == 0, err)
    expect(out.count("  only the key points of a text answer can be contested\n") == 2, out)
    expect(b.sql("SELECT count(*) FROM disputes") == [(0,)], "nothing disputed")
    expect(b.sql("SELECT count(*) FROM reviews") == [(2,)], "both answered")


TRICKY = [
    "quotes \"double\" and 'single', a back\\slash, key: value # not a comment",
    "- starts like a list item\n  with an indented second line\n\nand a blank line",
    "tab\there, unicode: naïve — “quoted” 🐍, and a C1\u0085 NEL",
    "escape \x1b[31m red \x1b[0m and a CR\r in it",
    "   leading spaces and trailing ones   \n\n",
    "{not: a mapping}, [not a list], &anchor *alias !tag %percent @at `tick`",
]


def test_disputes_list_json_export():
    b = Box()
    quiz_text_first(b, [PARTIAL, ".", "c 2", ""])
    con = sqlite3.connect(b.db)
    for i, a in enumerate(TRICKY):
        con.execute("INSERT INTO disputes (question_id, topic, at, answer, point_index, point)"
                    " VALUES (?, 'locks', ?, ?, ?, ?)",
                    ("locks-why" if i % 2 else "locks-tf", NOW_TS + i, a, i % 3, "point: \"%d\"\nsecond line" % i))
    con.execute("INSERT INTO disputes (question_id, topic, at, answer, point_index, point)"
                " VALUES ('locks-why', 'locks', 1, CAST(X'626164ff8020757466' AS TEXT), 0, 'p')")
    con.commit()
    con.close()
    n = len(TRICKY) + 2

    rc, out, err = b.run("disputes")
    expect(rc == 0 and err == "", f"{rc} {err}")
    expect(out.startswith("locks-tf (locks)\n"), out)
    expect("  2025-03-03 09:00  key point 2: other threads run meanwhile\n"
           "    > The GIL is released by a \"blocking\" call.\n" in out, out)
    expect("\x1b" not in out, "a control character reached the terminal")
    expect(out.endswith(f"\n{n} disputes on 2 questions; 'disputes --export FILE' writes them as rubric examples\n"),
           out)

    rc, out, err = b.run("disputes", "--json")
    expect(rc == 0, err)
    j = json.loads(out)
    expect(j["questions"] == 2 and len(j["disputes"]) == n, f"{j}")
    first = [d for d in j["disputes"] if d["id"] == 1][0]
    expect(first == {"id": 1, "question": "locks-why", "topic": "locks", "at": NOW, "point_index": 1,
                     "point": "other threads run meanwhile", "answer": PARTIAL + "\n"}, f"{first}")
    rc, out, err = b.run("stats", "--json")
    expect(rc == 0, err)
    expect(json.loads(out)["disputes"] == {"locks-tf": 3, "locks-why": 5}, out)

    path = os.path.join(b.tmp, "disputes.yaml")
    rc, out, err = b.run("disputes", "--export", path)
    expect(rc == 0 and out == f"exported {n} disputes on 2 questions to '{path}'\n", f"{rc} {out} {err}")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    doc = yaml.safe_load(text)
    expect(set(doc) == {"locks-tf", "locks-why"}, f"{doc}")
    rows = b.sql("SELECT question_id, CAST(answer AS BLOB) FROM disputes ORDER BY question_id, id")
    for qid in doc:
        got = doc[qid]["examples"]["pass"]
        want = []
        for q, a in rows:
            if q != qid:
                continue
            a = a.decode("utf-8", "replace")
            a = a.rstrip(" \t\r\n")
            # Content holds no control characters but tab and newline.
            a = "".join(c for c in a if c in "\t\n" or not (ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f))
            want.append(a)
        expect(got == want, f"{qid}: {got!r} != {want!r}")
    expect("      # key point 1 (rubric index 0): point: \"0\" second line\n" in text, text)

    # Pasted under a question of a quiz, pydojo's own loader takes every
    # answer (its rubric accepts anything, so check grades them all).
    pasted = os.path.join(b.tmp, "pasted")
    os.makedirs(os.path.join(pasted, "lessons"))
    os.makedirs(os.path.join(pasted, "quizzes"))
    with open(os.path.join(pasted, "lessons", "locks.yaml"), "w") as f:
        f.write(LESSON)
    block = text.split("\nlocks-why:\n", 1)[1]
    with open(os.path.join(pasted, "quizzes", "locks.yaml"), "w", encoding="utf-8") as f:
        f.write("topic: locks\nquestions:\n  - id: locks-why\n    type: text\n    prompt: Why?\n"
                "    rubric:\n      - point: anything\n        pattern: '\\S'\n    model_answer: Because.\n")
        f.write("".join("  " + line if line.strip() else line for line in block.splitlines(True)))
    rc, out, err = run(["check", pasted], env=private_env(b.tmp))
    expect(rc == 0, f"pasted export: {rc} {out} {err}")


def test_disputes_empty_and_usage():
    b = Box()
    rc, out, err = b.run("disputes")
    expect(rc == 0 and out.startswith("no disputed grades yet"), f"{rc} {out} {err}")
    rc, out, err = b.run("disputes", "--json")
    expect(rc == 0 and json.loads(out) == {"disputes": [], "questions": 0}, out)
    rc, out, err = b.run("stats", "--json")
    expect(rc == 0 and json.loads(out)["disputes"] == {}, out)
    for args in (["--export"], ["--json", "--export", "x"], ["extra"], ["--bogus"], ["--export", ""]):
        rc, out, err = b.run("disputes", *args)
        expect(rc == 2 and err, f"{args}: {rc} {err}")
    rc, out, err = b.run("disputes", "--export", os.path.join(b.tmp, "no", "such", "file"))
    expect(rc == 3 and "cannot write" in err, f"{rc} {err}")
    rc, out, err = b.run("help", "disputes")
    expect(rc == 0 and "usage: disputes [--json] [--export FILE]" in out, out)


REVISED = ("    revised: 2\n"
           "    revised_note: \"a lock is a mutex, and `RLock` is a re-entrant one\"\n")


def due(box, now):
    rc, out, err = box.run("topics", "--json", now=now)
    expect(rc == 0, err)
    topics = json.loads(out)
    rc, out, err = box.run("stats", "--json", now=now)
    expect(rc == 0, err)
    return topics[0]["due"], json.loads(out)["total"]["due_today"]


def test_revised_question_is_due_again():
    b = Box()
    # Answered well: the true/false card is due in days.
    rc, out, err = b.run("quiz", "locks", "-n", "2", stdin="\n".join([PARTIAL, ".", "c 2", "4", "t", "4"]) + "\n")
    expect(rc == 0, err)
    later = "2025-03-03T12:00:00Z"
    expect(due(b, later) == (0, 0), f"nothing due yet: {due(b, later)}")
    expect(b.sql("SELECT revision FROM cards WHERE question_id = 'locks-tf'") == [(0,)], "revision 0")
    b.write_quiz(REVISED)
    expect(due(b, later) == (1, 1), f"the revised card is due: {due(b, later)}")
    rc, out, err = b.run("review", stdin="t\n\n", now=later)
    expect(rc == 0, err)
    expect("locks-tf (locks, truefalse)\n"
           "  revised since you last answered it: a lock is a mutex, and `RLock` is a re-entrant one\n"
           "  A lock is a mutex.\n" in out, out)
    expect("locks-why" not in out, "only the revised card was due")
    expect(b.sql("SELECT revision FROM cards WHERE question_id = 'locks-tf'") == [(2,)], "revision stored")
    expect(due(b, later) == (0, 0), f"answered at revision 2: {due(b, later)}")
    # undo takes the revision back too: the card is due again.
    rc, out, err = b.run("undo", now=later)
    expect(rc == 0, err)
    expect(b.sql("SELECT revision FROM cards WHERE question_id = 'locks-tf'") == [(0,)], "undo restores 0")
    # A note is optional.
    b.write_quiz("    revised: 2\n")
    rc, out, err = b.run("quiz", "locks", "-n", "1", stdin="t\n\n", now=later)
    expect("  revised since you last answered it (now revision 2)\n" in out, out)


if __name__ == "__main__":
    run_tests(globals())
